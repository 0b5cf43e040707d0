import ArcaKernels
import ArcaRegistry
import ArcaTasks
import Foundation
import Testing
@testable import ArcaZoo

/// Models published into a store answer exactly as imported from source, and a corrupted blob
/// is never used: loading fails with an error naming its digest.
@Suite struct ZooStoreTests {
    static func tempStore() throws -> ModelStore {
        let dir = FileManager.default.temporaryDirectory.appendingPathComponent("arca-zoo-\(UUID().uuidString)")
        return try ModelStore(root: dir.path)
    }

    static func photo(_ name: String) throws -> RGBImage {
        try ImageDecoder.decode(Array(Data(contentsOf: ZooTests.fixtures.appendingPathComponent("images/\(name)"))))
    }

    @Test func publishedFaceModelAnswersExactlyAsTheSource() throws {
        let store = try Self.tempStore()
        let catalog = try ZooCatalog.bundled()
        let (m, v) = try catalog.resolve("face-detection:full-range")
        try ZooStore.publish(m, v, store: store)
        let fromStore = try ZooLoader.faceDetector("face-detection:full-range", catalog: catalog, store: store, pool: .serial).0
        let fromSource = try ZooLoader.faceDetector("face-detection:full-range", catalog: catalog, pool: .serial).0
        let image = try Self.photo("group.jpg")
        #expect(try fromStore.detect(image) == fromSource.detect(image))
        #expect(try fromStore.detect(image).count == 2)
    }

    @Test func flippedByteInAnyBlobIsRefusedByName() throws {
        let store = try Self.tempStore()
        let catalog = try ZooCatalog.bundled()
        let (m, v) = try catalog.resolve("selfie-segmentation:landscape")
        try ZooStore.publish(m, v, store: store)
        let manifest = try store.manifest("selfie-segmentation:landscape")
        for layer in [manifest.config] + manifest.layers {
            let path = "\(store.root)/blobs/sha256/\(layer.digest.hex)"
            var bytes = Array(try Data(contentsOf: URL(fileURLWithPath: path)))
            bytes[bytes.count / 2] ^= 0x40
            try Data(bytes).write(to: URL(fileURLWithPath: path))
            do {
                _ = try ZooLoader.segmenter("selfie-segmentation:landscape", catalog: catalog, store: store, pool: .serial)
                Issue.record("a corrupted \(layer.mediaType) blob was used")
            } catch {
                #expect("\(error)".contains(layer.digest.hex), "error does not name the blob: \(error)")
            }
            #expect(try !store.verify().isClean)
            bytes[bytes.count / 2] ^= 0x40
            try Data(bytes).write(to: URL(fileURLWithPath: path))
            #expect(try store.verify().isClean)
        }
    }
}

/// A store keeps its variants across restarts, but not across zoo revisions: a variant
/// published by an earlier revision of the import and quantization is published again.
@Suite struct ZooRevisionTests {
    @Test func installPublishesAgainOnlyWhatAnEarlierRevisionMade() throws {
        let store = try ZooStoreTests.tempStore()
        var catalog = try ZooCatalog.bundled()
        let (m, v) = try catalog.resolve("face-detection:short-range")
        var model = m
        model.variants = [v]
        catalog.models = [model]
        #expect(try ZooStore.install(catalog: catalog, store: store) == ["face-detection:short-range"])
        #expect(ZooStore.storedRevision("face-detection:short-range", store: store) == ZooStore.revision)
        #expect(try ZooStore.install(catalog: catalog, store: store).isEmpty)

        // The same variant as an earlier revision published it: from the pinned wheel, no revision
        // in its catalog entry.
        let graph = try ZooLoader.importGraph(v, task: m.task)
        var wheel = ModelConfig.Source()
        wheel.uri = "pypi:\(v.files[0].package)"
        try ZooStore.publish(graph: graph, name: m.name, variant: v.tag, task: .faceDetection, catalogEntry: v,
                             licence: m.licence, source: wheel, store: store)
        #expect(ZooStore.storedRevision("face-detection:short-range", store: store) == 0)
        #expect(try ZooStore.install(catalog: catalog, store: store) == ["face-detection:short-range"])
        #expect(ZooStore.storedRevision("face-detection:short-range", store: store) == ZooStore.revision)
        #expect(ZooStore.storedRevision("face-detection:nothing", store: store) == nil)

        // A user's own file published under the zoo's name (`arca publish`) is not the zoo's to replace.
        var file = ModelConfig.Source()
        file.uri = "file:///tmp/my-faces.tflite"
        let mine = try ZooStore.publish(graph: graph, name: m.name, variant: v.tag, task: .faceDetection, catalogEntry: v,
                                        licence: m.licence, source: file, store: store)
        #expect(ZooStore.storedRevision("face-detection:short-range", store: store) == nil)
        #expect(try ZooStore.install(catalog: catalog, store: store).isEmpty)
        #expect(try store.resolve("face-detection:short-range").digest == mine.digest)
    }

    /// A catalog entry longer than the 4 KiB a plain string field may hold reads back whole.
    @Test func aLongCatalogEntryRoundTrips() throws {
        var config = ModelConfig(name: "m", variant: "v", task: .faceDetection)
        var post = ModelConfig.Postprocessing()
        post.extra[ZooStore.catalogKey] = String(repeating: "x", count: 20_000)
        config.postprocessing = post
        let back = try ModelConfig(serialized: try config.serialized())
        #expect(back.postprocessing?.extra[ZooStore.catalogKey]?.count == 20_000)
    }
}
