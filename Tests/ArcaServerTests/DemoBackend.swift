import ArcaServer
import Foundation

/// Deterministic test-only models: simple arithmetic whose answers the tests can compute.

/// `y = x · factor` (v1: 2, v2: 3) and `rowsum = Σ_j round(x[i, j])` for `x: FP32 [-1, 3]`.
struct ScaleModel: InferenceModel {
    let name = "scale"
    let variants = ["v1", "v2"]
    let defaultVariant = "v1"
    let inputs = [TensorMetadata(name: "x", datatype: .fp32, shape: [-1, 3])]
    let outputs = [TensorMetadata(name: "y", datatype: .fp32, shape: [-1, 3]),
                   TensorMetadata(name: "rowsum", datatype: .int64, shape: [-1])]

    static func factor(_ variant: String) -> Float { variant == "v2" ? 3 : 2 }

    /// Facts for v2 only (v1 has none, as a model without a config would).
    func facts(variant: String) -> VariantFacts? {
        guard variant == "v2" else { return nil }
        return VariantFacts(dtype: "int8", accuracyMetric: "agreement with v1", expectedAccuracy: 0.99,
                            configLatency: [.init(threads: 1, batch: 1, seq: 0, medianMs: 1.5)],
                            measuredLatencyMs: 2.25, measuredCall: "one row")
    }

    func infer(_ request: InferenceRequest) throws -> InferenceResponse {
        guard let x = request.input("x"), case .fp32(let v) = x.data else { throw InferenceError.invalidInput("x missing") }
        let f = Self.factor(request.variant)
        let rows = x.shape[0]
        let sums = (0..<rows).map { r in Int64((0..<3).map { v[r * 3 + $0].rounded() }.reduce(0, +)) }
        return InferenceResponse(outputs: [
            InferenceTensor(name: "y", shape: x.shape, data: .fp32(v.map { $0 * f })),
            InferenceTensor(name: "rowsum", shape: [rows], data: .int64(sums)),
        ])
    }
}

/// `lengths[i] = s[i].count` (INT32), `reversed[i] = reverse(s[i])` (BYTES), `total = Σ u` (INT64 [1]).
struct BytesModel: InferenceModel {
    let name = "bytes"
    let variants = ["1"]
    let defaultVariant = "1"
    let inputs = [TensorMetadata(name: "s", datatype: .bytes, shape: [-1]),
                  TensorMetadata(name: "u", datatype: .uint8, shape: [-1])]
    let outputs = [TensorMetadata(name: "lengths", datatype: .int32, shape: [-1]),
                   TensorMetadata(name: "reversed", datatype: .bytes, shape: [-1]),
                   TensorMetadata(name: "total", datatype: .int64, shape: [1])]

    func infer(_ request: InferenceRequest) throws -> InferenceResponse {
        guard case .bytes(let s)? = request.input("s")?.data, case .uint8(let u)? = request.input("u")?.data else {
            throw InferenceError.invalidInput("inputs missing")
        }
        return InferenceResponse(outputs: [
            InferenceTensor(name: "lengths", shape: [s.count], data: .int32(s.map { Int32($0.count) })),
            InferenceTensor(name: "reversed", shape: [s.count], data: .bytes(s.map { Array($0.reversed()) })),
            InferenceTensor(name: "total", shape: [1], data: .int64([u.reduce(0) { $0 + Int64($1) }])),
        ])
    }
}

/// Sleeps `delay` per call, then echoes `x: FP32 [1]`.
struct SlowModel: InferenceModel {
    let name = "slow"
    let variants = ["1"]
    let defaultVariant = "1"
    let delay: TimeInterval
    let inputs = [TensorMetadata(name: "x", datatype: .fp32, shape: [1])]
    let outputs = [TensorMetadata(name: "x", datatype: .fp32, shape: [1])]

    func infer(_ request: InferenceRequest) throws -> InferenceResponse {
        Thread.sleep(forTimeInterval: delay)
        return InferenceResponse(outputs: request.inputs)
    }
}

/// Bag-of-words embedding: each lowercase word adds ±1 to one of 64 hashed dimensions
/// (FNV-1a), so texts sharing words are similar. Records every call's batch size.
final class DemoEmbedder: TextEmbedder, @unchecked Sendable {
    let name = "minilm"
    let variants = ["fp32", "int8"]
    let defaultVariant = "fp32"
    private let lock = NSLock()
    private var calls: [Int] = []
    let delay: TimeInterval

    init(delay: TimeInterval = 0) { self.delay = delay }

    var batchSizes: [Int] { lock.withLock { calls } }

    static func words(_ text: String) -> [String] {
        text.lowercased().split { !$0.isLetter && !$0.isNumber }.map(String.init)
    }

    static func vector(_ text: String) -> [Float] {
        var v = [Float](repeating: 0, count: 64)
        for w in words(text) {
            var h: UInt64 = 0xcbf2_9ce4_8422_2325
            for b in w.utf8 { h = (h ^ UInt64(b)) &* 0x100_0000_01b3 }
            v[Int(h % 64)] += (h >> 63) == 0 ? 1 : -1
        }
        return v
    }

    func embed(_ texts: [String], variant: String) throws -> EmbeddingBatch {
        lock.withLock { calls.append(texts.count) }
        if delay > 0 { Thread.sleep(forTimeInterval: delay) }
        return EmbeddingBatch(vectors: texts.map(Self.vector), tokenCounts: texts.map { Self.words($0).count + 2 })
    }
}

/// Accepts PNG or JPEG magic bytes; reports one face whose score is the image's first byte / 255.
struct DemoFaces: FaceDetector {
    let name = "blazeface"
    let variants = ["short_range", "full_range"]
    let defaultVariant = "short_range"

    func detect(image: [UInt8], variant: String) throws -> FaceDetectionResult {
        guard DemoImage.isImage(image) else { throw InferenceError.invalidInput("not a JPEG or PNG image") }
        let face = DetectedFace(score: Float(image[0]) / 255, box: .init(x: 0.1, y: 0.2, width: 0.3, height: 0.4), keypoints: [.init(name: "nose_tip", x: 0.5, y: 0.6)])
        return FaceDetectionResult(width: image.count, height: variant == "full_range" ? 2 : 1, faces: [face])
    }
}

/// Mask "PNG" = the PNG signature followed by the image length byte; foreground fraction 0.25.
struct DemoSegmenter: Segmenter {
    let name = "selfie"
    let variants = ["general", "landscape"]
    let defaultVariant = "general"

    func segment(image: [UInt8], variant: String) throws -> SegmentationResult {
        guard DemoImage.isImage(image) else { throw InferenceError.invalidInput("not a JPEG or PNG image") }
        return SegmentationResult(width: image.count, height: 1, maskPNG: DemoImage.pngSignature + [UInt8(image.count & 255)], foregroundFraction: 0.25)
    }
}

enum DemoImage {
    static let pngSignature: [UInt8] = [0x89, 0x50, 0x4E, 0x47, 0x0D, 0x0A, 0x1A, 0x0A]
    static func isImage(_ b: [UInt8]) -> Bool { b.starts(with: pngSignature) || b.starts(with: [0xFF, 0xD8, 0xFF]) }
    static let png: [UInt8] = pngSignature + [0, 0, 0, 13, 1, 2, 3]
}

/// Serves the demo models; readiness and loaded set can be flipped by tests.
final class DemoProvider: ModelProvider, @unchecked Sendable {
    let models: [any InferenceModel]
    let embedder: DemoEmbedder
    private let lock = NSLock()
    private var ready: Bool
    private var unloaded: Set<String> = []

    init(ready: Bool = true, slowDelay: TimeInterval = 0.2, embedder: DemoEmbedder = DemoEmbedder()) {
        self.ready = ready
        self.embedder = embedder
        models = [ScaleModel(), BytesModel(), SlowModel(delay: slowDelay)]
    }

    var faceDetector: (any FaceDetector)? { DemoFaces() }
    var segmenter: (any Segmenter)? { DemoSegmenter() }
    var textEmbedder: (any TextEmbedder)? { embedder }

    func setReady(_ r: Bool) { lock.withLock { ready = r } }
    var isReady: Bool { lock.withLock { ready } }
    func isReady(model: String) -> Bool { lock.withLock { ready && !unloaded.contains(model) } }
    var repositoryIndex: [String] { models.map(\.name) + ["blazeface", "selfie", "minilm"] }

    func load(model: String) throws {
        guard repositoryIndex.contains(model) else { throw InferenceError.notFound("unknown model '\(model)'") }
        _ = lock.withLock { unloaded.remove(model) }
    }

    func unload(model: String) throws {
        guard repositoryIndex.contains(model) else { throw InferenceError.notFound("unknown model '\(model)'") }
        _ = lock.withLock { unloaded.insert(model) }
    }
}
