import ArcaTensor
import Foundation
import Testing
@testable import ArcaImport

/// Builds a safetensors buffer from a header string and a data length.
private func file(_ header: String, data: Int = 0, declaredLength: UInt64? = nil) -> [UInt8] {
    let h = Array(header.utf8)
    return file(headerBytes: h, data: data, declaredLength: declaredLength)
}

private func file(headerBytes h: [UInt8], data: Int = 0, declaredLength: UInt64? = nil) -> [UInt8] {
    var out: [UInt8] = []
    withUnsafeBytes(of: (declaredLength ?? UInt64(h.count)).littleEndian) { out += $0 }
    out += h
    out += (0..<data).map { UInt8(truncatingIfNeeded: $0 &* 7) }
    return out
}

private func rejects(_ bytes: [UInt8]) -> SafetensorsError? {
    do { _ = try SafetensorsFile(bytes: bytes); return nil } catch { return error }
}

@Suite struct SafetensorsTests {
    @Test func miniLMHeaderAndTensors() throws {
        let url = TestPaths.miniLM.appendingPathComponent("model.safetensors")
        try #require(FileManager.default.fileExists(atPath: url.path), "run Tools/fetch-models")
        let f = try SafetensorsFile(contentsOf: url)
        #expect(f.names.count > 100)
        #expect(f.info("embeddings.word_embeddings.weight")?.shape == [30522, 384])
        #expect(f.info("encoder.layer.0.attention.self.query.weight")?.shape == [384, 384])
        #expect(f.info("embeddings.position_embeddings.weight")?.shape == [512, 384])
        #expect(f.info("encoder.layer.5.output.LayerNorm.bias")?.shape == [384])
        #expect(f.info("no.such.tensor") == nil)
        let infos = f.tensorInfos
        for (a, b) in zip(infos, infos.dropFirst()) { #expect(a.dataOffsets.upperBound == b.dataOffsets.lowerBound) }
        let q = try f.tensor("encoder.layer.0.attention.self.query.weight", as: .float32)
        #expect(q.shape == [384, 384])
        #expect(q.dtype == .float32)
        let v = q.floats()
        #expect(v.allSatisfy { $0.isFinite })
        #expect(v.contains { $0 != 0 })
        let gamma = try f.tensor("embeddings.LayerNorm.weight", as: .float32).floats()
        #expect(gamma.count == 384)
        #expect(abs(gamma.reduce(0, +) / 384 - 1) < 0.5, "LayerNorm gains sit around 1")
        #expect(throws: SafetensorsError.tensorNotFound("nope")) { try f.tensor("nope") }
    }

    @Test func readsValuesAndConverts() throws {
        // a: F32 [2] = 1.5, -2; b: BF16 [2] = 1.0, -3.0; c: F16 [1] = 0.5; d: F64 [1] = 0.25; e: U16 [1]
        var data: [UInt8] = []
        for x: Float in [1.5, -2] { withUnsafeBytes(of: x.bitPattern.littleEndian) { data += $0 } }
        for x: Float in [1, -3] { withUnsafeBytes(of: UInt16(x.bitPattern >> 16).littleEndian) { data += $0 } }
        withUnsafeBytes(of: Float16(0.5).bitPattern.littleEndian) { data += $0 }
        withUnsafeBytes(of: (0.25 as Double).bitPattern.littleEndian) { data += $0 }
        data += [7, 0]
        let header = #"{"__metadata__":{"format":"pt"},"e":{"dtype":"U16","shape":[1],"data_offsets":[22,24]},"#
            + #""a":{"dtype":"F32","shape":[2],"data_offsets":[0,8]},"b":{"dtype":"BF16","shape":[2],"data_offsets":[8,12]},"#
            + #""c":{"dtype":"F16","shape":[1,1],"data_offsets":[12,14]},"d":{"dtype":"F64","shape":[],"data_offsets":[14,22]}}  "#
        let f = try SafetensorsFile(bytes: file(header) + data)
        #expect(f.names == ["a", "b", "c", "d", "e"])
        #expect(f.metadata == ["format": "pt"])
        #expect(try f.tensor("a").scalars(as: Float.self) == [1.5, -2])
        #expect(try f.tensor("b", as: .float32).floats() == [1, -3])
        #expect(throws: SafetensorsError.unsupportedDType(name: "b", dtype: .bf16, target: nil)) { try f.tensor("b") }
        let c = try f.tensor("c")
        #expect(c.dtype == .float16 && c.shape == [1, 1])
        #expect(try f.tensor("c", as: .float32).floats() == [0.5])
        #expect(try f.tensor("d", as: .float32).floats() == [0.25])
        #expect(try f.tensor("d", as: .float32).shape == [])
        #expect(throws: SafetensorsError.unsupportedDType(name: "e", dtype: .u16, target: .float32)) { try f.tensor("e", as: .float32) }
    }

    @Test func acceptsEmptyAndZeroSizedTensors() throws {
        #expect(try SafetensorsFile(bytes: file("{}")).names.isEmpty)
        let f = try SafetensorsFile(bytes: file(#"{"z":{"dtype":"F32","shape":[0,3],"data_offsets":[0,0]},"__metadata__":null}"#))
        #expect(try f.tensor("z").shape == [0, 3])
    }

    @Test func headerErrors() {
        #expect(rejects([1, 2, 3]) == .headerTooSmall(byteCount: 3))
        #expect(rejects(file("{}", declaredLength: 100_000_001)) == .headerTooLarge(declared: 100_000_001))
        #expect(rejects(file("{}", declaredLength: UInt64.max)) == .headerTooLarge(declared: UInt64.max))
        #expect(rejects(file("{}", declaredLength: 40)) == .headerTruncated(declared: 40, available: 2))
        #expect(rejects(file(headerBytes: [0x7B, 0xFF, 0x7D])) == .headerNotUTF8)
        #expect(rejects(file("[1, 2]")) == .headerNotObject)
        #expect(rejects(file(" {} ")) == nil, "the crate allows whitespace around the object")
        if case .headerInvalidJSON = rejects(file("")) {} else { Issue.record("empty header accepted") }
        if case .headerInvalidJSON = rejects(file("{}\u{0}")) {} else { Issue.record("NUL padding accepted") }
        if case .headerInvalidJSON = rejects(file("{\"a\": ")) {} else { Issue.record("truncated JSON accepted") }
        if case .headerInvalidJSON = rejects(file("{}x")) {} else { Issue.record("trailing bytes accepted") }
        if case .headerInvalidJSON(.duplicateKey("a", _)) = rejects(file(
            #"{"a":{"dtype":"U8","shape":[0],"data_offsets":[0,0]},"a":{"dtype":"U8","shape":[0],"data_offsets":[0,0]}}"#
        )) {} else { Issue.record("duplicate key accepted") }
        if case .headerInvalidJSON(.tooDeep) = rejects(file(#"{"__metadata__":"# + String(repeating: "[", count: 200))) {} else {
            Issue.record("deep nesting accepted")
        }
        if case .invalidMetadata = rejects(file(#"{"__metadata__":{"k":1}}"#)) {} else { Issue.record("non-string metadata accepted") }
    }

    @Test func tensorEntryErrors() {
        func entry(_ body: String, data: Int = 0) -> SafetensorsError? { rejects(file("{\"t\":\(body)}", data: data)) }
        #expect(entry(#"{"dtype":"Q7","shape":[1],"data_offsets":[0,1]}"#, data: 1) == .unknownDType(name: "t", dtype: "Q7"))
        #expect(entry(#"{"dtype":"f32","shape":[1],"data_offsets":[0,4]}"#, data: 4) == .unknownDType(name: "t", dtype: "f32"))
        for bad in [#"{"shape":[1],"data_offsets":[0,1]}"#, #"{"dtype":"U8","shape":[-1],"data_offsets":[0,1]}"#,
                    #"{"dtype":"U8","shape":[1.0],"data_offsets":[0,1]}"#, #"{"dtype":"U8","shape":[-0],"data_offsets":[0,1]}"#, #"{"dtype":"U8","shape":[1],"data_offsets":[0]}"#,
                    #"{"dtype":"U8","shape":[1],"data_offsets":[0,1,2]}"#, #"{"dtype":"U8","shape":1,"data_offsets":[0,1]}"#,
                    #"{"dtype":"U8","shape":[18446744073709551616],"data_offsets":[0,1]}"#, "[1]"] {
            if case .invalidTensorInfo(name: "t", _) = entry(bad, data: 1) {} else { Issue.record("accepted \(bad)") }
        }
        #expect(entry(#"{"dtype":"U8","shape":[1],"data_offsets":[0,2]}"#, data: 2) == .byteSizeMismatch(name: "t", expected: 1, got: 2))
        #expect(entry(#"{"dtype":"F32","shape":[2,2],"data_offsets":[0,8]}"#, data: 8) == .byteSizeMismatch(name: "t", expected: 16, got: 8))
        #expect(entry(#"{"dtype":"U8","shape":[2],"data_offsets":[2,0]}"#, data: 2) == .reversedOffsets(name: "t", begin: 2, end: 0))
        #expect(entry(#"{"dtype":"U8","shape":[4],"data_offsets":[0,4]}"#, data: 2) == .offsetsOutOfRange(name: "t", end: 4, dataSize: 2))
        #expect(entry(#"{"dtype":"U8","shape":[2],"data_offsets":[0,2]}"#, data: 3) == .dataSizeMismatch(tensorsEnd: 2, dataSize: 3))
        #expect(entry(#"{"dtype":"F4","shape":[3],"data_offsets":[0,1]}"#, data: 1) == .misalignedSlice(name: "t"))
        let huge = #"{"dtype":"U8","shape":[4294967296,4294967296],"data_offsets":[0,1]}"#
        #expect(entry(huge, data: 1) == .shapeOverflow(name: "t", shape: [4294967296, 4294967296]))
        let bitsOverflow = #"{"dtype":"F64","shape":[4611686018427387904],"data_offsets":[0,1]}"#
        #expect(entry(bitsOverflow, data: 1) == .shapeOverflow(name: "t", shape: [4611686018427387904]))
    }

    @Test func layoutErrors() {
        let overlap = #"{"a":{"dtype":"U8","shape":[4],"data_offsets":[0,4]},"b":{"dtype":"U8","shape":[4],"data_offsets":[2,6]}}"#
        #expect(rejects(file(overlap, data: 6)) == .overlappingOffsets(name: "b", begin: 2, previousEnd: 4))
        let hole = #"{"a":{"dtype":"U8","shape":[2],"data_offsets":[0,2]},"b":{"dtype":"U8","shape":[2],"data_offsets":[3,5]}}"#
        #expect(rejects(file(hole, data: 5)) == .holeBeforeTensor(name: "b", begin: 3, previousEnd: 2))
        let leadingHole = #"{"a":{"dtype":"U8","shape":[2],"data_offsets":[1,3]}}"#
        #expect(rejects(file(leadingHole, data: 3)) == .holeBeforeTensor(name: "a", begin: 1, previousEnd: 0))
        let unsorted = #"{"b":{"dtype":"U8","shape":[2],"data_offsets":[2,4]},"a":{"dtype":"U8","shape":[2],"data_offsets":[0,2]}}"#
        #expect((try? SafetensorsFile(bytes: file(unsorted, data: 4)))?.names == ["a", "b"])
    }
}
