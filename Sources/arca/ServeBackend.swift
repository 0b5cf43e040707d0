import ArcaKernels
import ArcaRegistry
import ArcaServer
import ArcaTasks
import ArcaZoo
import CArcaCPU
import Foundation
import Logging

/// The models `arca serve` hosts: every variant of the zoo catalog, loaded and warmed up.
enum ServeBackend {
    /// `workers`: the server's worker threads, the most vision calls that run at once.
    static func makeProvider(logger: Logger, workers: Int, computeThreads: Int, textThreads: Int, store: ModelStore) throws -> any ModelProvider {
        let catalog = try ZooCatalog.bundled()
        let installed = try ZooStore.install(catalog: catalog, store: store, warn: { logger.warning("\($0)") })
        if !installed.isEmpty { logger.info("installed the default zoo", metadata: ["variants": "\(installed.joined(separator: ", "))"]) }
        let start = Date()
        let provider = try ZooProvider(catalog: catalog, store: store, workers: workers, computeThreads: computeThreads,
                                       textThreads: textThreads, logger: logger)
        arca_release_free_memory()
        logger.info("models loaded and warmed up", metadata: [
            "seconds": "\(String(format: "%.3f", Date().timeIntervalSince(start)))",
            "variants": "\(provider.repositoryIndex.count)",
        ])
        return provider
    }

    /// Runs blocking work (loading models) on a thread of its own, off the cooperative pool.
    static func onThread<T: Sendable>(_ job: @escaping @Sendable () throws -> T) async throws -> T {
        try await withCheckedThrowingContinuation { continuation in
            let thread = Thread { continuation.resume(with: Result { try job() }) }
            thread.stackSize = 8 << 20
            thread.start()
        }
    }
}

/// Every zoo variant behind the server's task and tensor protocols.
final class ZooProvider: ModelProvider, @unchecked Sendable {
    let faces: ZooFaceDetector
    let selfie: ZooSegmenter
    let text: ZooTextEmbedder

    /// Vision calls run concurrently on the server's workers (each variant is planned once per
    /// worker on the ``VisionSlots`` arenas), each with `computeThreads` kernel threads; text
    /// calls are batched and run one at a time (the model holds one plan per shape), so each
    /// gets `textThreads` to use the CPU budget.
    init(catalog: ZooCatalog, store: ModelStore, workers: Int, computeThreads: Int, textThreads: Int, logger: Logger) throws {
        // MiniLM loads on its own thread while the vision models load here: start-up is the
        // longer of the two, not their sum. Warm-up: one call per variant and worker slot, so the
        // first request pays no first-touch costs.
        let textLoad = BackgroundLoad {
            try ZooTextEmbedder(catalog: catalog, store: store, threads: textThreads)
        }
        let pool = computeThreads <= 1 ? ThreadPool.serial : ThreadPool(threadCount: computeThreads)
        // The segmenters plan first: their arenas are the larger, so fewer plans are made before
        // the shared arenas reach their final size and have to be made again.
        let slots = VisionSlots(count: workers)
        selfie = try ZooSegmenter(catalog: catalog, store: store, pool: pool, slots: slots)
        faces = try ZooFaceDetector(catalog: catalog, store: store, pool: pool, slots: slots)
        try selfie.models.replanStale()
        try faces.models.replanStale()
        let blank = try RGBImage(width: 64, height: 48, pixels: [UInt8](repeating: 128, count: 64 * 48 * 3))
        try faces.models.forEachPlanned { _ = try $0.detect(blank) }
        try selfie.models.forEachPlanned { _ = try $0.segment(blank) }
        text = try textLoad.value()
        // Latency on this node, after all loading and warm-up (see ServeFacts).
        let threads = "\(computeThreads) kernel thread\(computeThreads == 1 ? "" : "s")"
        faces.variantFacts = try ServeFacts.measure(model: faces.name, variants: faces.variants, store: store,
                                                    call: "one 64x48 image, \(threads)") { _ = try faces.run(blank, variant: $0) }
        selfie.variantFacts = try ServeFacts.measure(model: selfie.name, variants: selfie.variants, store: store,
                                                     call: "one 64x48 image, \(threads)") { _ = try selfie.run(blank, variant: $0) }
        let sentence = "The quick brown fox jumps over the lazy dog by the river bank today."
        text.variantFacts = try ServeFacts.measure(model: text.name, variants: text.variants, store: store,
                                                   call: "one text of \(text.tokenCount(sentence)) tokens, \(textThreads) kernel thread\(textThreads == 1 ? "" : "s")") {
            _ = try text.embed([sentence], variant: $0)
        }
    }

    var models: [any InferenceModel] { [faces, selfie, text] }
    var faceDetector: (any FaceDetector)? { faces }
    var segmenter: (any Segmenter)? { selfie }
    var textEmbedder: (any TextEmbedder)? { text }
    var isReady: Bool { true }
    func isReady(model: String) -> Bool { models.contains { $0.name == model } }
    var repositoryIndex: [String] { models.map(\.name) }
    func load(model: String) throws {
        guard isReady(model: model) else { throw InferenceError.notFound("unknown model '\(model)'") }
    }
    func unload(model: String) throws {
        guard isReady(model: model) else { throw InferenceError.notFound("unknown model '\(model)'") }
        throw InferenceError.unavailable("the zoo's models stay loaded; unloading is not supported")
    }
}

/// Decodes an image request body (JPEG/PNG) or a UINT8 [H, W, 3] tensor.
enum ServedImage {
    static func decode(_ bytes: [UInt8]) throws -> RGBImage {
        do { return try ImageDecoder.decode(bytes) } catch { throw InferenceError.invalidInput("\(error)") }
    }

    static func fromTensor(_ request: InferenceRequest) throws -> RGBImage {
        guard let t = request.input("image"), case .uint8(let px) = t.data, t.shape.count == 3, t.shape[2] == 3 else {
            throw InferenceError.invalidInput("input 'image' must be UINT8 [H, W, 3]")
        }
        do { return try RGBImage(width: t.shape[1], height: t.shape[0], pixels: px) } catch {
            throw InferenceError.invalidInput("\(error)")
        }
    }
}

/// Runs a throwing job on a new thread; ``value()`` waits for its result.
final class BackgroundLoad<T>: @unchecked Sendable {
    private let done = DispatchSemaphore(value: 0)
    // Written once by the thread before `done` is signalled, read after waiting on it.
    private var result: Result<T, any Error>?

    init(_ job: @escaping @Sendable () throws -> T) {
        let thread = Thread { [self] in
            result = Result { try job() }
            done.signal()
        }
        thread.stackSize = 8 << 20
        thread.start()
    }

    func value() throws -> T {
        done.wait()
        done.signal()
        guard let result else { throw InferenceError.unavailable("background load produced no result") }
        return try result.get()
    }
}
