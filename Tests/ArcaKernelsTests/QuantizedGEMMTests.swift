import Testing
@testable import ArcaKernels

@Suite struct QuantizedGEMMTests {
    /// Integer sums are exact, so the kernel equals its reference up to the float rounding of
    /// the dequantization (identical operation order: a few ulps from the activation only).
    @Test(arguments: [(1, 1, 1), (3, 17, 31), (6, 16, 2), (17, 31, 64), (64, 100, 3), (100, 64, 17), (7, 300, 520), (130, 33, 257), (40, 384, 1536)])
    func matchesReference(m: Int, n: Int, k: Int) {
        var rng = TestRNG(seed: UInt64(m * 10_000 + n * 100 + k))
        let a = (0..<(m * k)).map { _ in rng.float() * 3 }
        let wf = (0..<(k * n)).map { _ in rng.float() }
        let bias = (0..<n).map { _ in rng.float() }
        for transposed in [false, true] {
            let (w, scales) = wf.withUnsafeBufferPointer { Int8Quantization.quantizeColumns($0.baseAddress!, k: k, n: n, transposed: transposed) }
            for (kernel, activation) in PackedInt8B.Kernel.available.flatMap({ kernel in [Activation.none, .gelu].map { (kernel, $0) } }) {
                var fast = [Float](repeating: .nan, count: m * n)
                var ref = fast
                a.withUnsafeBufferPointer { ap in
                    w.withUnsafeBufferPointer { wp in
                        scales.withUnsafeBufferPointer { sp in
                            bias.withUnsafeBufferPointer { bp in
                                let packed = PackedInt8B(weights: wp.baseAddress!, scales: sp.baseAddress!, k: k, n: n, transposed: transposed,
                                                         kernel: kernel, pool: .shared)
                                fast.withUnsafeMutableBufferPointer {
                                    QuantizedGEMM.run(m: m, a: ap.baseAddress!, lda: k, b: packed, c: $0.baseAddress!, ldc: n,
                                                      bias: bp.baseAddress, activation: activation, pool: .shared)
                                }
                                ref.withUnsafeMutableBufferPointer {
                                    Reference.quantizedGEMM(m: m, n: n, k: k, a: ap.baseAddress!, lda: k, w: wp.baseAddress!, wScales: sp.baseAddress!,
                                                            transposed: transposed, c: $0.baseAddress!, ldc: n, bias: bp.baseAddress, activation: activation)
                                }
                            }
                        }
                    }
                }
                var worst: Float = 0
                for i in 0..<(m * n) { worst = max(worst, abs(fast[i] - ref[i]) / max(1, abs(ref[i]))) }
                #expect(worst <= 2e-6, "m=\(m) n=\(n) k=\(k) transposed=\(transposed) \(kernel) \(activation): worst \(worst)")
            }
        }
    }

    /// Against fp32: the error stays within what 8-bit rounding of both operands allows.
    @Test func closeToFloatProduct() {
        let m = 33, n = 48, k = 384
        var rng = TestRNG(seed: 4)
        let a = (0..<(m * k)).map { _ in rng.float() }
        let wf = (0..<(k * n)).map { _ in rng.float() }
        let (w, scales) = wf.withUnsafeBufferPointer { Int8Quantization.quantizeColumns($0.baseAddress!, k: k, n: n, transposed: false) }
        var q = [Float](repeating: 0, count: m * n), f = q
        a.withUnsafeBufferPointer { ap in
            wf.withUnsafeBufferPointer { wfp in
                let packed = w.withUnsafeBufferPointer { wp in
                    scales.withUnsafeBufferPointer { PackedInt8B(weights: wp.baseAddress!, scales: $0.baseAddress!, k: k, n: n, transposed: false) }
                }
                q.withUnsafeMutableBufferPointer { QuantizedGEMM.run(m: m, a: ap.baseAddress!, lda: k, b: packed, c: $0.baseAddress!, ldc: n, pool: .shared) }
                f.withUnsafeMutableBufferPointer {
                    GEMM.sgemm(m: m, n: n, k: k, a: MatrixOperand(ap.baseAddress!, rowStride: k), b: MatrixOperand(wfp.baseAddress!, rowStride: n),
                               c: $0.baseAddress!, ldc: n)
                }
            }
        }
        // Rounding errors are uniform in ±scale/2 with scale = 1/127 for operands uniform in
        // [-1, 1]: each product's error a·δw + w·δa has variance 2·(1/3)·(scale²/12); sums of k
        // grow like sqrt(k). Five standard deviations.
        let sigma = (Float(k) * 2 / 3 / 12).squareRoot() / 127
        let bound = 5 * sigma
        var worst: Float = 0
        for i in 0..<(m * n) { worst = max(worst, abs(q[i] - f[i])) }
        #expect(worst < bound, "worst \(worst) bound \(bound)")
        #expect(worst > 0, "int8 results equal to fp32 would mean no quantization happened")
    }

    /// Weights at -128 and 127 with activations at ±127: the unsigned-activation correction of
    /// the VNNI kernel wraps int32 on the way and must still give the exact sums.
    @Test(arguments: PackedInt8B.Kernel.available)
    func extremeWeightsStayExact(kernel: PackedInt8B.Kernel) {
        let m = 7, n = 33, k = 4099
        var rng = TestRNG(seed: 99)
        let a = (0..<(m * k)).map { _ in rng.float() < 0 ? Float(-1) : 1 }
        let w = (0..<(k * n)).map { i in Int8(i % 3 == 0 ? -128 : i % 3 == 1 ? 127 : -127) }
        let scales = [Float](repeating: 1, count: n)
        var fast = [Float](repeating: .nan, count: m * n), ref = fast
        a.withUnsafeBufferPointer { ap in
            w.withUnsafeBufferPointer { wp in
                scales.withUnsafeBufferPointer { sp in
                    let packed = PackedInt8B(weights: wp.baseAddress!, scales: sp.baseAddress!, k: k, n: n, transposed: false, kernel: kernel)
                    fast.withUnsafeMutableBufferPointer { QuantizedGEMM.run(m: m, a: ap.baseAddress!, lda: k, b: packed, c: $0.baseAddress!, ldc: n) }
                    ref.withUnsafeMutableBufferPointer {
                        Reference.quantizedGEMM(m: m, n: n, k: k, a: ap.baseAddress!, lda: k, w: wp.baseAddress!, wScales: sp.baseAddress!,
                                                transposed: false, c: $0.baseAddress!, ldc: n, bias: nil, activation: .none)
                    }
                }
            }
        }
        // Row scale 1/127 times exact integer sums: both sides round the same product once.
        #expect(fast == ref, "\(kernel): first difference at \(fast.indices.first { fast[$0] != ref[$0] } ?? -1)")
    }

    @Test func zeroAndNonFiniteRowsQuantizeToZero() {
        var dst = [Int16](repeating: 7, count: 20)
        let zeros = [Float](repeating: 0, count: 17)
        let s0 = zeros.withUnsafeBufferPointer { z in dst.withUnsafeMutableBufferPointer { Int8Quantization.quantizeRow(z.baseAddress!, 17, into: $0.baseAddress!, paddedCount: 18) } }
        #expect(s0 == 0 && dst[0..<18].allSatisfy { $0 == 0 } && dst[18] == 7)
        var row = (0..<33).map { Float($0) - 16 }
        row[5] = .nan
        var out = [Int16](repeating: 9, count: 34)
        let scale = row.withUnsafeBufferPointer { r in out.withUnsafeMutableBufferPointer { Int8Quantization.quantizeRow(r.baseAddress!, 33, into: $0.baseAddress!, paddedCount: 34) } }
        #expect(scale == Float(16) / 127)
        #expect(out[5] == 0 && out[0] == -127 && out[32] == 127 && out[33] == 0)
        #expect(out.allSatisfy { abs(Int($0)) <= 127 })
    }

    /// The VNNI path's unsigned bytes are the int16 path's values plus 128, NaN and padding included.
    @Test func shiftedRowsAreInt16RowsPlus128() {
        var rng = TestRNG(seed: 12)
        for count in [1, 15, 16, 17, 33, 384] {
            var row = (0..<count).map { _ in rng.float() * 5 }
            if count > 3 { row[2] = .nan }
            var q16 = [Int16](repeating: 0, count: count + 3)
            var q8 = [UInt8](repeating: 0, count: count + 3)
            let s16 = row.withUnsafeBufferPointer { r in q16.withUnsafeMutableBufferPointer { Int8Quantization.quantizeRow(r.baseAddress!, count, into: $0.baseAddress!, paddedCount: count + 3) } }
            let s8 = row.withUnsafeBufferPointer { r in q8.withUnsafeMutableBufferPointer { Int8Quantization.quantizeRowShifted(r.baseAddress!, count, into: $0.baseAddress!, paddedCount: count + 3) } }
            #expect(s16 == s8)
            #expect(zip(q16, q8).allSatisfy { Int($0) + 128 == Int($1) }, "count \(count)")
        }
    }
}
