import ArcaTensor
import Testing
@testable import ArcaRegistry

@Suite struct WeightCodecTests {
    @Test func planeSplitIsInvertible() {
        let raw = TestSupport.randomBytes(4 * 37, seed: 1)
        for planes in [2, 4, 8] where raw.count % planes == 0 {
            let split = WeightCodec.split(raw, planes: planes)
            #expect(split != raw)
            #expect(WeightCodec.join(split, planes: planes) == raw)
        }
        let split = WeightCodec.split([0, 1, 2, 3, 10, 11, 12, 13], planes: 4)
        #expect(split == [0, 10, 1, 11, 2, 12, 3, 13])
    }

    @Test func roundTripEveryDType() throws {
        for dtype in DType.allCases {
            let raw = TestSupport.randomBytes(dtype.byteSize * 1000, seed: 2)
            for split in [true, false] {
                let blob = try WeightCodec.encode(raw, dtype: dtype, splitPlanes: split, level: 3)
                let header = try WeightCodec.header(of: blob)
                #expect(header == WeightCodec.Header(dtype: dtype, planes: split ? dtype.byteSize : 1, rawSize: raw.count))
                let decoded = try WeightCodec.decode(blob)
                #expect(decoded.dtype == dtype)
                #expect(decoded.bytes == raw)
            }
        }
    }

    @Test func planeSplitCompressesWeightLikeFloats() throws {
        let raw = TestSupport.weightLikeFloat32(100_000, seed: 4)
        let split = try WeightCodec.encode(raw, dtype: .float32, splitPlanes: true, level: 9)
        let plain = try WeightCodec.encode(raw, dtype: .float32, splitPlanes: false, level: 9)
        #expect(split.count < plain.count)
    }

    @Test func rawSizeMustBeWholeElements() {
        #expect(throws: WeightCodecError.rawSizeNotMultiple(rawSize: 6, elementSize: 4)) {
            try WeightCodec.encode([1, 2, 3, 4, 5, 6], dtype: .float32)
        }
    }

    @Test func everyHeaderFieldIsValidated() throws {
        let raw = TestSupport.weightLikeFloat32(256, seed: 9)
        let blob = try WeightCodec.encode(raw, dtype: .float32, level: 3)
        func with(_ i: Int, _ value: UInt8) -> [UInt8] { var b = blob; b[i] = value; return b }
        #expect(throws: WeightCodecError.truncatedHeader(count: 15)) { try WeightCodec.decode(Array(blob[..<15])) }
        #expect(throws: WeightCodecError.badMagic) { try WeightCodec.decode(with(0, UInt8(ascii: "X"))) }
        #expect(throws: WeightCodecError.unsupportedVersion(2)) { try WeightCodec.decode(with(4, 2)) }
        #expect(throws: WeightCodecError.unknownDType(0)) { try WeightCodec.decode(with(5, 0)) }
        #expect(throws: WeightCodecError.unknownDType(200)) { try WeightCodec.decode(with(5, 200)) }
        #expect(throws: WeightCodecError.badPlaneCount(3, dtype: .float32)) { try WeightCodec.decode(with(6, 3)) }
        #expect(throws: WeightCodecError.badPlaneCount(0, dtype: .float32)) { try WeightCodec.decode(with(6, 0)) }
        #expect(throws: WeightCodecError.reservedNonZero) { try WeightCodec.decode(with(7, 1)) }
        #expect(throws: WeightCodecError.rawSizeNotMultiple(rawSize: raw.count + 1, elementSize: 4)) {
            try WeightCodec.decode(with(8, blob[8] &+ 1))
        }
        #expect(throws: WeightCodecError.zstd(.contentSizeMismatch(declared: UInt64(raw.count), expected: raw.count + 4))) {
            try WeightCodec.decode(with(8, blob[8] &+ 4))
        }
        // float16 dtype over float32 planes: plane count 4 is wrong for float16.
        #expect(throws: WeightCodecError.badPlaneCount(4, dtype: .float16)) { try WeightCodec.decode(with(5, 2)) }
        var huge = blob
        huge[15] = 0x10
        #expect(throws: WeightCodecError.tooLarge(rawSize: Int(huge[8..<16].reversed().reduce(UInt64(0)) { $0 << 8 | UInt64($1) }),
                                                 limit: ZstdCodec.defaultMaxOutputSize)) {
            try WeightCodec.decode(huge)
        }
        #expect(throws: WeightCodecError.zstd(.truncated)) { try WeightCodec.decode(Array(blob.dropLast())) }
    }
}
