import Foundation
import Testing
@testable import ArcaRegistry

/// Hand-made index.json, manifests and configs placed into a store as if an attacker or a bad disk wrote them.
@Suite struct CraftedStoreTests {
    /// Stores `bytes` as a correctly named blob and returns its descriptor.
    func putBlob(_ store: ModelStore, _ bytes: [UInt8], mediaType: String = MediaType.imageManifest) throws -> Descriptor {
        let d = Digest(of: bytes)
        try FileIO.writeAtomically(bytes, to: store.blobPath(d))
        return Descriptor(mediaType: mediaType, digest: d, size: Int64(bytes.count),
                          annotations: [Annotation.refName: "evil:latest"])
    }

    func setIndex(_ store: ModelStore, _ text: String) throws {
        try FileIO.writeAtomically(Array(text.utf8), to: store.indexPath)
    }

    func point(_ store: ModelStore, at d: Descriptor) throws {
        try FileIO.writeAtomically(try BoundedJSON.encode(ImageIndex(manifests: [d])), to: store.indexPath)
    }

    @Test func craftedIndexFiles() throws {
        let store = try ModelStore(root: TestSupport.temporaryDirectory())
        try setIndex(store, "{")
        #expect(throws: StoreError.self) { try store.list() }
        try setIndex(store, String(repeating: "[", count: 100_000))
        #expect(throws: StoreError.tooDeep(what: "index.json", limit: BoundedJSON.maxDepth)) { try store.list() }
        try setIndex(store, #"{"schemaVersion":2,"manifests":[{"mediaType":"x","digest":"sha256:../../../etc/passwd","size":1}]}"#)
        do { _ = try store.list(); Issue.record("accepted a bad digest") } catch {
            guard case .malformedJSON = error else { Issue.record("\(error)"); return }
        }
        try setIndex(store, #"{"schemaVersion":3,"manifests":[]}"#)
        #expect(throws: StoreError.malformedJSON(what: "index.json", reason: "schemaVersion 3")) { try store.list() }
        try setIndex(store, #"{"schemaVersion":2,"manifests":[{"mediaType":"x","digest":"sha256:"# + String(repeating: "0", count: 64) + #"","size":-5}]}"#)
        #expect(throws: StoreError.invalidManifest("index entry 0 has negative size")) { try store.list() }
        let huge = [UInt8](repeating: UInt8(ascii: " "), count: BoundedJSON.maxSize + 1)
        try FileIO.writeAtomically(huge, to: store.indexPath)
        #expect(throws: StoreError.tooLarge(what: "index.json", size: Int64(huge.count), limit: Int64(BoundedJSON.maxSize))) { try store.list() }
    }

    @Test func craftedManifests() throws {
        let store = try ModelStore(root: TestSupport.temporaryDirectory())
        let config = try putBlob(store, try ModelConfig(name: "evil", variant: "latest", task: .generic).serialized(), mediaType: MediaType.config)
        func manifestJSON(_ layers: String, schema: Int = 2, configSize: Int64? = nil) -> [UInt8] {
            Array(#"{"schemaVersion":\#(schema),"mediaType":"\#(MediaType.imageManifest)","artifactType":"\#(MediaType.model)","config":{"mediaType":"\#(MediaType.config)","digest":"\#(config.digest)","size":\#(configSize ?? config.size)},"layers":[\#(layers)]}"#.utf8)
        }
        let valid = try putBlob(store, manifestJSON(""))
        try point(store, at: valid)
        let m = try store.manifest("evil:latest")
        #expect(try store.config(of: m).name == "evil")

        try point(store, at: try putBlob(store, manifestJSON("", schema: 1)))
        #expect(throws: StoreError.invalidManifest("schemaVersion 1")) { try store.manifest("evil:latest") }

        let weightsNoSize = #"{"mediaType":"\#(MediaType.weights)","digest":"\#(config.digest)","size":1}"#
        try point(store, at: try putBlob(store, manifestJSON(weightsNoSize)))
        #expect(throws: StoreError.invalidManifest("weights layer 0 lacks a valid \(Annotation.uncompressedSize)")) { try store.manifest("evil:latest") }

        let manyLayers = Array(repeating: #"{"mediaType":"\#(MediaType.graph)","digest":"\#(config.digest)","size":1}"#, count: 65).joined(separator: ",")
        try point(store, at: try putBlob(store, manifestJSON(manyLayers)))
        #expect(throws: StoreError.tooMany(what: "manifest layers", count: 65, limit: 64)) { try store.manifest("evil:latest") }

        let deep = Array(String(repeating: "[", count: 40).utf8)
        try point(store, at: try putBlob(store, deep))
        #expect(throws: StoreError.self) { try store.manifest("evil:latest") }

        // The index claims a manifest size bigger than the cap: refused before reading.
        var big = valid
        big.size = Int64(BoundedJSON.maxSize) + 1
        try point(store, at: big)
        #expect(throws: StoreError.tooLarge(what: "manifest", size: big.size, limit: Int64(BoundedJSON.maxSize))) { try store.manifest("evil:latest") }

        // A manifest whose config descriptor lies about the config size.
        try point(store, at: try putBlob(store, manifestJSON("", configSize: 1 << 40)))
        let lying = try store.manifest("evil:latest")
        #expect(throws: StoreError.config(.tooLarge(size: 1 << 40, limit: ModelConfig.Limits.maxSerializedSize))) { try store.config(of: lying) }
    }

    @Test func craftedConfigAndWeightsBlobs() throws {
        let store = try ModelStore(root: TestSupport.temporaryDirectory())
        let garbage = try putBlob(store, [0x0A, 200, 1], mediaType: MediaType.config)
        let m = ImageManifest(config: garbage, layers: [], annotations: nil)
        #expect(throws: StoreError.config(.malformedProtobuf)) { try store.config(of: m) }

        let raw = TestSupport.weightLikeFloat32(100, seed: 3)
        let blob = try WeightCodec.encode(raw, dtype: .float32, level: 3)
        var layer = try putBlob(store, blob, mediaType: MediaType.weights)
        layer.annotations = [Annotation.uncompressedSize: String(raw.count)]
        #expect(try store.layerContents(layer) == raw)
        layer.annotations = [Annotation.uncompressedSize: String(1 << 40)]
        #expect(throws: StoreError.weights(.zstd(.contentSizeMismatch(declared: UInt64(raw.count), expected: 1 << 40)))) {
            try store.layerContents(layer)
        }
    }
}
