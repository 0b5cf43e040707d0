import ArcaIR
import ArcaRegistry
import ArcaRuntime
import ArcaTensor
import Foundation
import Testing
@testable import ArcaZoo

/// The serving cache maps back exactly the graph it was given, refuses any file that fails a
/// check (and deletes it), never writes through to the file, and keeps one file per variant.
@Suite struct ServingGraphCacheTests {
    static func tempCache() -> ServingGraphCache {
        ServingGraphCache(directory: FileManager.default.temporaryDirectory.appendingPathComponent("arca-serving-\(UUID().uuidString)").path)
    }

    static let manifest = Digest(of: Array("a manifest".utf8))
    static let otherManifest = Digest(of: Array("another manifest".utf8))

    /// Constants of odd sizes and dtypes, so entries need padding between them.
    static func sample() throws -> Graph {
        var g = Graph()
        let x = g.addInput("x", shape: [3, 37])
        let w = g.addConstant("w", try Tensor(shape: [37, 5], scalars: (0..<185).map { Float($0) * 0.25 - 9 }))
        let b = g.addConstant("b", try Tensor(shape: [5], scalars: [Float](repeating: 0.5, count: 5)))
        _ = g.addConstant("bytes", try Tensor(shape: [7], scalars: [Int8](arrayLiteral: -128, -1, 0, 1, 2, 3, 127)))
        let y = g.add(.matMul(MatMulAttributes()), x, w, name: "mm")
        g.markOutput(g.add(.binary(.add, activation: .none), y, b, name: "bias"))
        return g
    }

    static func bytes(_ t: Tensor) -> [UInt8] { t.withUnsafeBytes { Array($0) } }

    @Test func mapsBackTheSameGraphWithBorrowedAlignedConstants() throws {
        let cache = Self.tempCache()
        let g = try Self.sample()
        try cache.save(g, manifest: Self.manifest, transform: "t1")
        let back = try #require(cache.load(manifest: Self.manifest, transform: "t1"))
        try back.verify()
        #expect(back.nodes == g.nodes && back.values == g.values)
        #expect(back.inputs == g.inputs && back.outputs == g.outputs)
        #expect(back.constants.count == g.constants.count)
        for (id, t) in g.constants {
            let c = try #require(back.constants[id])
            #expect(Self.bytes(c) == Self.bytes(t))
            #expect(c.storage.owner is MappedFile)
            #expect(Int(bitPattern: c.storage.bytes) % 64 == 0)
        }
    }

    @Test func writesToAMappedConstantNeverReachTheFile() throws {
        let cache = Self.tempCache()
        let g = try Self.sample()
        try cache.save(g, manifest: Self.manifest, transform: "t1")
        let wid = try #require(g.constants.first { $0.value.count == 185 }?.key)
        do {
            let back = try #require(cache.load(manifest: Self.manifest, transform: "t1"))
            let c = try #require(back.constants[wid])
            c.storage.bytes.storeBytes(of: Float(12345), as: Float.self)
            #expect(try c.scalars(as: Float.self)[0] == 12345)
        }
        let again = try #require(cache.load(manifest: Self.manifest, transform: "t1"))
        #expect(try again.constants[wid]?.scalars(as: Float.self)[0] == -9)
    }

    @Test func aFileFailingAnyCheckIsDeletedNotUsed() throws {
        let cache = Self.tempCache()
        let path = cache.path(manifest: Self.manifest, transform: "t1")
        let original = try Self.sample()
        let damages: [(String, (inout [UInt8]) -> Void)] = [
            ("a flipped weight byte", { $0[$0.count - 3] ^= 0x10 }),
            ("a flipped JSON byte", { $0[140] ^= 0x01 }),
            ("a truncated file", { $0.removeLast(64) }),
            ("a file shorter than its header", { $0 = Array($0.prefix(100)) }),
            ("a huge JSON length", { for i in 16..<24 { $0[i] = 0x7f } }),
            ("a weights offset off the page grid", { $0[24] = 0x40 }),
            ("another magic", { $0[0] = UInt8(ascii: "X") }),
        ]
        for (what, damage) in damages {
            try cache.save(original, manifest: Self.manifest, transform: "t1")
            var bytes = Array(try Data(contentsOf: URL(fileURLWithPath: path)))
            damage(&bytes)
            try Data(bytes).write(to: URL(fileURLWithPath: path))
            #expect(cache.load(manifest: Self.manifest, transform: "t1") == nil, "\(what) was used")
            #expect(!FileManager.default.fileExists(atPath: path), "\(what) was kept")
        }
    }

    @Test func aFileMadeForAnotherVariantOrTransformIsRefused() throws {
        let cache = Self.tempCache()
        try cache.save(try Self.sample(), manifest: Self.manifest, transform: "t1")
        #expect(cache.load(manifest: Self.manifest, transform: "t2") == nil)
        // Renamed to another variant's name: the header's key gives it away.
        try FileManager.default.copyItem(atPath: cache.path(manifest: Self.manifest, transform: "t1"),
                                         toPath: cache.path(manifest: Self.otherManifest, transform: "t1"))
        #expect(cache.load(manifest: Self.otherManifest, transform: "t1") == nil)
        #expect(cache.load(manifest: Self.manifest, transform: "t1") != nil)
    }

    @Test func keepsOneFilePerVariantAndPrunesRemovedOnes() throws {
        let cache = Self.tempCache()
        let g = try Self.sample()
        try cache.save(g, manifest: Self.manifest, transform: "t1")
        try cache.save(g, manifest: Self.otherManifest, transform: "t1")
        try cache.save(g, manifest: Self.manifest, transform: "t2")
        #expect(!FileManager.default.fileExists(atPath: cache.path(manifest: Self.manifest, transform: "t1")))
        #expect(cache.load(manifest: Self.manifest, transform: "t2") != nil)
        #expect(cache.prune(keeping: [Self.manifest]) == 1)
        #expect(cache.load(manifest: Self.otherManifest, transform: "t1") == nil)
        #expect(cache.load(manifest: Self.manifest, transform: "t2") != nil)
    }

    @Test func textModelFromTheStoreIsServedFromItsCacheWithTheSameAnswers() throws {
        let store = try ZooStoreTests.tempStore()
        let catalog = try ZooCatalog.bundled()
        let ref = "text-embedding:minilm-l6"
        let (m, v) = try catalog.resolve(ref)
        try ZooStore.publish(m, v, store: store)
        let texts = ["A man is eating food.", "The served graph is mapped from the cache file."]
        let direct = try ZooLoader.textEmbedder(ref, catalog: catalog, threads: 1).0.embed(texts).embeddings
        let path = ServingGraphCache(store: store).path(manifest: try store.resolve(ref).digest, transform: ZooLoader.textServingTransform)
        #expect(!FileManager.default.fileExists(atPath: path))
        let built = try ZooLoader.textEmbedder(ref, catalog: catalog, store: store, threads: 1).0
        #expect(FileManager.default.fileExists(atPath: path))
        let served = try #require(try ZooLoader.servedTextGraph(ref, catalog: catalog, store: store, constants: nil))
        #expect(served.graph.constants.values.allSatisfy { $0.storage.owner is MappedFile })
        #expect(served.graph.nodes.contains { if case .packedMatMul = $0.op { true } else { false } })
        let mapped = try ZooLoader.textEmbedder(ref, catalog: catalog, store: store, threads: 1).0
        #expect(try built.embed(texts).embeddings == direct)
        // A vision variant asked for as text is refused before anything is cached for it.
        let (fm, fv) = try catalog.resolve("face-detection:short-range")
        try ZooStore.publish(fm, fv, store: store)
        #expect(throws: ZooError.self) { try ZooLoader.textEmbedder("face-detection:short-range", catalog: catalog, store: store, threads: 1) }
        let cached = try FileManager.default.contentsOfDirectory(atPath: ServingGraphCache(store: store).directory)
        #expect(cached.count == 1, "\(cached)")
        #expect(try mapped.embed(texts).embeddings == direct)
    }

    /// Resident kB of the mapping that contains `address`, from /proc/self/smaps.
    static func residentKB(mappingOf address: UnsafeRawPointer) throws -> Int? {
        let a = UInt(bitPattern: Int(bitPattern: address))
        var inside = false
        let smaps = try FileHandle(forReadingFrom: URL(fileURLWithPath: "/proc/self/smaps")).readToEnd() ?? Data()
        for line in String(decoding: smaps, as: UTF8.self).split(separator: "\n") {
            let parts = line.split(separator: " ", omittingEmptySubsequences: true)
            if let range = parts.first, range.contains("-"), !range.hasSuffix(":") {
                let ends = range.split(separator: "-").compactMap { UInt($0, radix: 16) }
                inside = ends.count == 2 && ends[0] <= a && a < ends[1]
            } else if inside, parts.first == "Rss:", parts.count > 1 {
                return Int(parts[1])
            }
        }
        return nil
    }

    @Test func int8WeightsPackedByAPlanLeaveTheMappingButAnswersStay() throws {
        #if os(Linux)
        var g = Graph()
        let (k, n) = (512, 256)
        let x = g.addInput("x", shape: [2, k])
        var rng = SplitMix64(seed: 3)
        let w = g.addConstant("w", try Tensor(shape: [k, n], scalars: (0..<(k * n)).map { _ in Float(rng.uniform(-1, 1)) }))
        g.markOutput(g.add(.matMul(MatMulAttributes()), x, w, name: "mm"))
        let q = try g.quantizedDynamicInt8().graph
        let cache = Self.tempCache()
        try cache.save(q, manifest: Self.manifest, transform: "int8")
        let mapped = try #require(cache.load(manifest: Self.manifest, transform: "int8"))
        let wid = try #require(mapped.packedSourceConstants.first)
        #expect(mapped.packedSourceConstants.count == 1 && mapped.constants[wid]?.dtype == .int8)
        let input = try Tensor(shape: [2, k], scalars: (0..<(2 * k)).map { Float(($0 % 13) - 6) / 6 })
        let plan = try Plan(graph: mapped, pool: .serial, weightCache: PackedWeightCache())
        let before = try plan.run(inputs: ["x": input])
        let weights = try #require(mapped.constants[wid]).storage
        let residentBefore = try #require(try Self.residentKB(mappingOf: weights.bytes))
        #expect(residentBefore * 1024 >= k * n)
        #expect(mapped.releasePackedSourcePages() >= k * n - 2 * 4096)
        let residentAfter = try #require(try Self.residentKB(mappingOf: weights.bytes))
        #expect(residentAfter * 1024 <= residentBefore * 1024 - (k * n - 2 * 4096), "\(residentBefore) kB -> \(residentAfter) kB")
        let after = try plan.run(inputs: ["x": input])
        let out = mapped.values[mapped.outputs[0]].name
        #expect(before[out] != nil)
        #expect(try after[out]?.scalars(as: Float.self) == before[out]?.scalars(as: Float.self))
        // A later read faults the bytes back from the file, unchanged.
        #expect(try mapped.constants[wid]?.scalars(as: Int8.self) == q.constants[wid]?.scalars(as: Int8.self))
        #endif
    }

    @Test func aGatheredTableBecomesResidentOnlyWhereRowsAreRead() throws {
        #if os(Linux)
        var g = Graph()
        let (rows, width) = (2048, 384)  // 3 MB of float rows, as MiniLM's table has 30522
        let ids = g.addInput("ids", dtype: .int32, shape: [1])
        let table = g.addConstant("table", try Tensor(shape: [rows, width], scalars: (0..<(rows * width)).map { Float($0 % 1000) }))
        g.markOutput(g.add(.gather(axis: 0), table, ids, name: "rows"))
        let cache = Self.tempCache()
        try cache.save(g, manifest: Self.manifest, transform: "gather")
        let mapped = try #require(cache.load(manifest: Self.manifest, transform: "gather"))
        #expect(mapped.gatheredConstants == [table])
        #expect(mapped.adviseGatheredPagesRandom() >= rows * width * 4 - 2 * 4096)
        let t = try #require(mapped.constants[table])
        let plan = try Plan(graph: mapped, pool: .serial, weightCache: PackedWeightCache())
        let out = try plan.run(inputs: ["ids": try Tensor(shape: [1], scalars: [Int32(1500)])])
        let row = try #require(out[mapped.values[mapped.outputs[0]].name]).scalars(as: Float.self)
        #expect(row == (0..<width).map { Float((1500 * width + $0) % 1000) })
        let resident = try #require(try Self.residentKB(mappingOf: t.storage.bytes))
        #expect(resident <= 64, "one row read, \(resident) kB of the table resident")
        #endif
    }
}
