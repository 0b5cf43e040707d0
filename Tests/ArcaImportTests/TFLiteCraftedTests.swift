import Foundation
import Testing
@testable import ArcaImport

/// Malformed files made by patching a real model at positions found with the reader itself.
@Suite struct TFLiteCraftedTests {
    static let name = "face_detection_short_range"

    static func realBytes() throws -> [UInt8]? {
        guard ModelPaths.exists(name) else { return nil }
        return Array(try Data(contentsOf: ModelPaths.mediapipe(name)))
    }

    static func put32(_ b: inout [UInt8], _ at: Int, _ v: UInt32) {
        for i in 0..<4 { b[at + i] = UInt8(truncatingIfNeeded: v >> (8 * UInt32(i))) }
    }

    /// Asserts that parsing (and constant folding) throws a `TFLiteError` matching `check`.
    static func expectError(_ bytes: [UInt8], _ label: String, sourceLocation: SourceLocation = #_sourceLocation, _ check: (TFLiteError) -> Bool) {
        do {
            let m = try TFLiteModel(bytes: bytes)
            _ = try m.foldedConstants()
            Issue.record("\(label): loaded without error", sourceLocation: sourceLocation)
        } catch let e as TFLiteError {
            #expect(check(e), "\(label): unexpected error \(e)", sourceLocation: sourceLocation)
            #expect(!e.description.isEmpty)
        } catch {
            Issue.record("\(label): non-TFLite error \(error)", sourceLocation: sourceLocation)
        }
    }

    @Test func truncatedEverywhere() throws {
        guard let bytes = try Self.realBytes() else { return }
        var cut = 0
        while cut < bytes.count {
            Self.expectError(Array(bytes[..<cut]), "truncated at \(cut)") { _ in true }
            cut += cut < 64 ? 1 : 997
        }
    }

    @Test func notTFLite() {
        Self.expectError([], "empty") { if case .notTFLite = $0 { true } else { false } }
        Self.expectError(Array("hello world, not a model".utf8), "text") { if case .notTFLite = $0 { true } else { false } }
    }

    @Test func rootOffsetOutOfRange() throws {
        guard var bytes = try Self.realBytes() else { return }
        Self.put32(&bytes, 0, 0xFFFF_FFF0)
        Self.expectError(bytes, "root") { if case .outOfBounds = $0 { true } else { false } }
    }

    @Test func hugeVectorLength() throws {
        guard var bytes = try Self.realBytes() else { return }
        let root = try FlatBufferReader(bytes).root()
        let v = try #require(try root.vector(2, "subgraphs", elementSize: 4))
        Self.put32(&bytes, v.start - 4, 0x7FFF_FFFF)
        Self.expectError(bytes, "subgraphs length") { if case .vectorTooLong = $0 { true } else { false } }
    }

    @Test func bufferIndexOutOfRange() throws {
        guard var bytes = try Self.realBytes() else { return }
        let r = FlatBufferReader(bytes)
        let tensor = try #require(try r.root().tables(2, "subgraphs")?.first?.tables(0, "tensors")?.first { try $0.field(2, size: 4) != nil })
        let pos = try #require(try tensor.field(2, size: 4))
        Self.put32(&bytes, pos, 1_000_000)
        Self.expectError(bytes, "buffer index") { if case .indexOutOfRange = $0 { true } else { false } }
    }

    @Test func wrongTensorDataSize() throws {
        guard var bytes = try Self.realBytes() else { return }
        let r = FlatBufferReader(bytes)
        let model = try TFLiteModel(bytes: bytes)
        let index = try #require(model.main.tensors.firstIndex { $0.data != nil && $0.shape.first ?? 0 > 1 })
        let tensor = try #require(try r.root().tables(2, "subgraphs")?.first?.tables(0, "tensors")?[index])
        let shape = try #require(try tensor.vector(0, "shape", elementSize: 4))
        Self.put32(&bytes, shape.start, UInt32(model.main.tensors[index].shape[0] + 1))
        Self.expectError(bytes, "data size") { if case .dataSizeMismatch = $0 { true } else { false } }
    }

    @Test func unknownOpcode() throws {
        guard var bytes = try Self.realBytes() else { return }
        let r = FlatBufferReader(bytes)
        let code = try #require(try r.root().tables(1, "operator_codes")?.first)
        let pos = try #require(try code.field(3, size: 4) ?? code.field(0, size: 1))
        if try code.field(3, size: 4) != nil { Self.put32(&bytes, pos, 5000) } else { bytes[pos] = 0x7F }
        Self.expectError(bytes, "builtin code") { if case .unknownBuiltinCode = $0 { true } else { false } }
    }

    @Test func opcodeIndexOutOfRange() throws {
        guard var bytes = try Self.realBytes() else { return }
        let r = FlatBufferReader(bytes)
        let op = try #require(try r.root().tables(2, "subgraphs")?.first?.tables(3, "operators")?.first { try $0.field(0, size: 4) != nil })
        Self.put32(&bytes, try #require(try op.field(0, size: 4)), 999)
        Self.expectError(bytes, "opcode index") { if case .indexOutOfRange = $0 { true } else { false } }
    }

    @Test func vtableOutOfRange() throws {
        guard var bytes = try Self.realBytes() else { return }
        let r = FlatBufferReader(bytes)
        let sub = try #require(try r.root().tables(2, "subgraphs")?.first)
        Self.put32(&bytes, sub.position, UInt32(bitPattern: Int32(-50_000_000)))
        Self.expectError(bytes, "vtable") { if case .outOfBounds = $0 { true } else { false } }
    }

    /// Random byte flips and truncations: the importer either loads or throws, and never traps.
    @Test(arguments: ["face_detection_short_range", "face_detection_full_range_sparse"])
    func fuzzFlipsAndTruncations(_ model: String) throws {
        guard ModelPaths.exists(model) else { return }
        let original = Array(try Data(contentsOf: ModelPaths.mediapipe(model)))
        var rng = SplitMix(seed: 20261128)
        var loaded = 0, failed = 0
        for iteration in 0..<300 {
            var bytes = original
            // Flips concentrate in the first 16 KB too: the flatbuffer tables live before the weights.
            for _ in 0..<(1 + Int(rng.next() % 8)) {
                let span = rng.next() % 2 == 0 ? min(16_384, bytes.count) : bytes.count
                bytes[Int(rng.next() % UInt64(span))] ^= UInt8(truncatingIfNeeded: rng.next() | 1)
            }
            if iteration % 5 == 0 { bytes.removeLast(Int(rng.next() % UInt64(bytes.count))) }
            do {
                let m = try TFLiteModel(bytes: bytes)
                _ = try m.foldedConstants()
                loaded += 1
            } catch is TFLiteError {
                failed += 1
            } catch {
                Issue.record("iteration \(iteration): non-TFLite error \(error)")
            }
        }
        #expect(loaded + failed == 300)
        #expect(failed > 0)
    }
}

struct SplitMix {
    var state: UInt64
    init(seed: UInt64) { state = seed }
    mutating func next() -> UInt64 {
        state &+= 0x9E37_79B9_7F4A_7C15
        var z = state
        z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
        z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
        return z ^ (z >> 31)
    }
}

@Suite struct TFLiteOpTableTests {
    @Test func rejectsUnknownOperatorsAndMissingConstants() throws {
        guard ModelPaths.exists("face_detection_short_range") else { return }
        var m = try TFLiteModel(contentsOf: ModelPaths.mediapipe("face_detection_short_range"))
        try TFLiteOpTable.check(m)
        let conv = try #require(m.main.operators.firstIndex { m.operatorCodes[$0.opcodeIndex].builtin == .conv2D })
        var broken = m
        // A conv whose weight is the model input is not constant.
        broken.subgraphs[0].operators[conv].inputs[1] = m.main.inputs[0]
        #expect(throws: TFLiteError.self) { try TFLiteOpTable.check(broken) }
        m.operatorCodes[m.main.operators[conv].opcodeIndex].builtin = .softmax
        #expect(throws: TFLiteError.unsupportedOperator("SOFTMAX")) { try TFLiteOpTable.check(m) }
    }
}
