import ArcaTensor
import Foundation
import Testing
@testable import ArcaRegistry

@Suite struct ModelStoreTests {
    let graph: [UInt8] = Array("graph v0 opaque bytes".utf8) + TestSupport.randomBytes(500, seed: 1)
    let weights = TestSupport.weightLikeFloat32(4096, seed: 2)

    func publishSample(_ store: ModelStore, name: String = "blazeface", variant: String = "short-fp32") throws -> Descriptor {
        try store.publish(name: name, variant: variant, config: ModelConfigTests.sample(),
                          layers: [.graph(graph), try .weights(weights, dtype: .float32, level: 3)])
    }

    @Test func roundTrip() throws {
        let store = try ModelStore(root: TestSupport.temporaryDirectory())
        var steps: [String] = []
        let d = try store.publish(name: "blazeface", variant: "short-fp32", config: ModelConfigTests.sample(),
                                  layers: [.graph(graph), try .weights(weights, dtype: .float32, level: 3)]) { steps.append($0.step) }
        #expect(steps.first == "config" && steps.last == "done")
        #expect(d.mediaType == MediaType.imageManifest)
        #expect(d.annotations?[Annotation.refName] == "blazeface:short-fp32")
        #expect(try store.list().map(\.reference.description) == ["blazeface:short-fp32"])
        #expect(try store.resolve("blazeface:short-fp32") == d)

        let m = try store.manifest("blazeface:short-fp32")
        #expect(m.schemaVersion == 2 && m.artifactType == MediaType.model)
        #expect(m.layers.map(\.mediaType) == [MediaType.graph, MediaType.weights])
        #expect(m.layers[1].annotations?[Annotation.uncompressedSize] == String(weights.count))
        var expected = ModelConfigTests.sample()
        (expected.name, expected.variant) = ("blazeface", "short-fp32")
        #expect(try store.config(of: m) == expected)
        #expect(try store.layerContents(m.layers[0]) == graph)
        #expect(try store.layerContents(m.layers[1]) == weights)

        let layout = try String(contentsOfFile: store.root + "/oci-layout", encoding: .utf8)
        #expect(layout == #"{"imageLayoutVersion":"1.0.0"}"#)
        let index = try JSONSerialization.jsonObject(with: Data(contentsOf: URL(fileURLWithPath: store.root + "/index.json"))) as? [String: Any]
        #expect(index?["schemaVersion"] as? Int == 2)
        #expect(try store.verify().isClean)
    }

    @Test func republishReplacesAndGCCollects() throws {
        let store = try ModelStore(root: TestSupport.temporaryDirectory())
        let first = try publishSample(store)
        let second = try store.publish(name: "blazeface", variant: "short-fp32", config: ModelConfigTests.sample(),
                                       layers: [.graph(graph + [1])])
        #expect(first != second)
        _ = try publishSample(store, variant: "full-fp32")
        #expect(try store.list().map(\.reference.description) == ["blazeface:full-fp32", "blazeface:short-fp32"])
        #expect(try store.resolve("blazeface:short-fp32") == second)
        // Only first's manifest is unreferenced now: its config and layers are shared with full-fp32.
        #expect(try store.gc().removed == [first.digest])
        try store.remove("blazeface:full-fp32")
        #expect(throws: StoreError.notFound("blazeface:full-fp32")) { try store.resolve("blazeface:full-fp32") }
        #expect(throws: StoreError.notFound("blazeface:full-fp32")) { try store.remove("blazeface:full-fp32") }
        let report = try store.gc()
        #expect(report.removed.count >= 2 && report.bytesFreed > 0)
        #expect(try store.layerContents(store.manifest("blazeface:short-fp32").layers[0]) == graph + [1])
        #expect(try store.verify().isClean)
        #expect(throws: StoreError.invalidReference("nocolon")) { try store.resolve("nocolon") }
        #expect(throws: StoreError.invalidReference("../x:y")) { try store.resolve("../x:y") }
    }

    @Test func flippedByteInEachBlobKindIsCaught() throws {
        for target in ["manifest", "config", "graph", "weights"] {
            let store = try ModelStore(root: TestSupport.temporaryDirectory())
            let d = try publishSample(store)
            let m = try store.manifest(at: d)
            let victim: Descriptor = switch target {
            case "manifest": d
            case "config": m.config
            case "graph": m.layers[0]
            default: m.layers[1]
            }
            let path = store.blobPath(victim.digest)
            var bytes = Array(try Data(contentsOf: URL(fileURLWithPath: path)))
            bytes[bytes.count / 2] ^= 0x01
            try Data(bytes).write(to: URL(fileURLWithPath: path))

            let report = try store.verify()
            #expect(report.problems.contains { if case .digestMismatch(let e, _) = $0 { e == victim.digest } else { false } }, "\(target)")
            #expect(throws: StoreError.self) { try store.readBlob(victim.digest, expectedSize: victim.size) }
            do {
                _ = try store.readBlob(victim.digest, expectedSize: victim.size)
            } catch {
                guard case .digestMismatch(let expected, _) = error else { Issue.record("\(target): \(error)"); continue }
                #expect(expected == victim.digest)
                #expect(error.description.contains(victim.digest.description))
            }
        }
    }

    @Test func missingAndResizedBlobs() throws {
        let store = try ModelStore(root: TestSupport.temporaryDirectory())
        let d = try publishSample(store)
        let m = try store.manifest(at: d)
        try FileIO.remove(store.blobPath(m.layers[0].digest))
        #expect(throws: StoreError.blobMissing(m.layers[0].digest)) { try store.layerContents(m.layers[0]) }
        #expect(try store.verify().problems.contains(.missingBlob(m.layers[0].digest, referencedBy: "blazeface:short-fp32 layer")))
        try Data([1, 2, 3]).write(to: URL(fileURLWithPath: store.blobPath(m.config.digest)))
        #expect(throws: StoreError.sizeMismatch(digest: m.config.digest, expected: m.config.size, actual: 3)) { try store.config(of: m) }
        #expect(throws: StoreError.tooLarge(what: "blob \(m.config.digest)", size: -1, limit: ModelStore.maxBlobSize)) {
            try store.readBlob(m.config.digest, expectedSize: -1)
        }
    }
}
