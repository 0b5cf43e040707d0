import CArcaCPU
import Testing
@testable import ArcaKernels

/// The C wrappers the int8 and masked-tail kernels are written over (`arca_int8.h`,
/// `arca_qconv.h`, `arca_avx512.h`) against their scalar definitions, at the extremes: the
/// build's path (AVX-512 VNNI, AVX2 sequences or portable loops, `CPU.kernelSet`) must give
/// the same bits as each other path.
@Suite struct SIMDWrapperTests {
    typealias Z = SIMD8<Int64>

    static func lanes(_ z: Z) -> [Int32] {
        withUnsafeBytes(of: z) { Array($0.bindMemory(to: Int32.self)) }
    }

    static func vector(_ bytes: [UInt8]) -> Z {
        precondition(bytes.count == 64)
        var z = Z()
        withUnsafeMutableBytes(of: &z) { $0.copyBytes(from: bytes) }
        return z
    }

    @Test func dotProductsOfBytesAreExactAtTheExtremes() {
        var rng = TestRNG(seed: 11)
        // Extremes first (255 · −128 four times, which a saturating 16-bit pair sum would clip), then random.
        var cases: [([UInt8], [UInt8], [Int32])] = [
            ([UInt8](repeating: 255, count: 64), [UInt8](repeating: 0x80, count: 64), [Int32](repeating: 5, count: 16)),
            ([UInt8](repeating: 255, count: 64), [UInt8](repeating: 0x7F, count: 64), [Int32](repeating: Int32.max - 100, count: 16)),
        ]
        for _ in 0..<200 {
            cases.append(((0..<64).map { _ in UInt8(truncatingIfNeeded: rng.next()) },
                          (0..<64).map { _ in UInt8(truncatingIfNeeded: rng.next()) },
                          (0..<16).map { _ in Int32(truncatingIfNeeded: rng.next()) }))
        }
        for (a, b, acc) in cases {
            var accBytes = [UInt8](repeating: 0, count: 64)
            acc.withUnsafeBytes { accBytes = Array($0) }
            let got = Self.lanes(arca_dpbusd(Self.vector(accBytes), Self.vector(a), Self.vector(b)))
            for i in 0..<16 {
                var want = acc[i]
                for j in 0..<4 { want = want &+ Int32(a[4 * i + j]) * Int32(Int8(bitPattern: b[4 * i + j])) }
                #expect(got[i] == want, "lane \(i) (\(CPU.kernelSet))")
            }
        }
    }

    @Test func byteStoresRoundHalfEvenClampAndRespectTheMask() {
        let values: [Float] = [-3, -0.5, 0.5, 1.5, 2.5, 254.5, 255.4, 300, 0, 7.49, 7.5, 8.5, 100.2, -1, 128, 256]
        let y = SIMD16<Float>(values)
        for mask: UInt16 in [0xFFFF, 0x00FF, 0x8001, 0x0000, 0x7FFE] {
            var out = [UInt8](repeating: 77, count: 16)
            out.withUnsafeMutableBufferPointer { arca_store_u8x16_from_f32(y, $0.baseAddress!, mask) }
            for i in 0..<16 {
                let want: UInt8 = mask & (1 << i) == 0 ? 77 : UInt8(max(0, min(255, values[i].rounded(.toNearestOrEven))))
                #expect(out[i] == want, "lane \(i) mask \(mask) (\(CPU.kernelSet))")
            }
        }
        // The shifted form: round, add 128, clamp.
        let x = SIMD16<Float>([-127, -128.4, 126.5, 127, 0.5, -0.5, 1.5, 3, -3, 10.5, 11.5, -64, 64, 0, 100, -100])
        var shifted = [UInt8](repeating: 0, count: 16)
        shifted.withUnsafeMutableBufferPointer { arca_f32_to_u8x16_shifted(x, $0.baseAddress!) }
        for i in 0..<16 {
            #expect(shifted[i] == UInt8(max(0, min(255, x[i].rounded(.toNearestOrEven) + 128))), "lane \(i)")
        }
    }

    @Test func maskedLoadsAndStoresTouchOnlyTheirLanes() {
        let source = (0..<16).map { UInt8(200 + $0 % 50) }
        let floats = (0..<16).map { Float($0) * 1.5 - 3 }
        for mask: UInt16 in [0xFFFF, 0x0001, 0x00FF, 0xFF00, 0x5555, 0x0000] {
            let loaded = source.withUnsafeBufferPointer { arca_load_u8x16_as_f32($0.baseAddress!, mask) }
            let loadedFloats = floats.withUnsafeBufferPointer { arca_load_f32x16_masked($0.baseAddress!, mask) }
            var stored = [Float](repeating: -9, count: 16)
            stored.withUnsafeMutableBufferPointer { arca_store_f32x16_masked($0.baseAddress!, SIMD16<Float>(floats), mask) }
            for i in 0..<16 {
                let on = mask & (1 << i) != 0
                #expect(loaded[i] == (on ? Float(source[i]) : 0))
                #expect(loadedFloats[i] == (on ? floats[i] : 0))
                #expect(stored[i] == (on ? floats[i] : -9))
            }
        }
        let widened = Self.lanes(source.withUnsafeBufferPointer { arca_load_u8x16_as_i32($0.baseAddress!) })
        #expect(widened == source.map { Int32($0) })
    }
}
