import Testing
@testable import ArcaKernels

@Suite struct GEMMTests {
    static let sizes = [1, 3, 17, 31, 64, 100]

    @Test(arguments: [(1, 1, 1), (3, 17, 31), (17, 31, 64), (64, 100, 3), (100, 64, 17), (31, 3, 100), (7, 300, 520), (130, 33, 257)])
    func matchesReference(m: Int, n: Int, k: Int) {
        var rng = TestRNG(seed: UInt64(m * 10_000 + n * 100 + k))
        let a = (0..<(m * k)).map { _ in rng.float() }
        let b = (0..<(k * n)).map { _ in rng.float() }
        let bias = (0..<n).map { _ in rng.float() }
        for activation in [Activation.none, .relu] {
            for transposeA in [false, true] {
                var fast = [Float](repeating: 0, count: m * n)
                var ref = fast
                let aT = transposeA ? transpose(a, rows: m, cols: k) : a
                aT.withUnsafeBufferPointer { ap in
                    b.withUnsafeBufferPointer { bp in
                        bias.withUnsafeBufferPointer { biasP in
                            let A = transposeA ? MatrixOperand(ap.baseAddress!, rowStride: 1, colStride: m) : MatrixOperand(ap.baseAddress!, rowStride: k)
                            let B = MatrixOperand(bp.baseAddress!, rowStride: n)
                            let e = GEMMEpilogue(bias: biasP.baseAddress, activation: activation)
                            fast.withUnsafeMutableBufferPointer { GEMM.sgemm(m: m, n: n, k: k, a: A, b: B, c: $0.baseAddress!, ldc: n, epilogue: e, pool: .shared) }
                            ref.withUnsafeMutableBufferPointer { Reference.sgemm(m: m, n: n, k: k, a: A, b: B, c: $0.baseAddress!, ldc: n, epilogue: e) }
                        }
                    }
                }
                let tol = Tolerance.dot(k: k)
                for i in 0..<(m * n) {
                    #expect(tol.allows(fast[i], ref[i], scale: Float(k)), "m=\(m) n=\(n) k=\(k) at \(i): \(fast[i]) vs \(ref[i])")
                }
            }
        }
    }

    @Test func accumulatesIntoC() {
        let m = 13, n = 40, k = 300
        var rng = TestRNG(seed: 9)
        let a = (0..<(m * k)).map { _ in rng.float() }
        let b = (0..<(k * n)).map { _ in rng.float() }
        let c0 = (0..<(m * n)).map { _ in rng.float() }
        var fast = c0, ref = c0
        a.withUnsafeBufferPointer { ap in
            b.withUnsafeBufferPointer { bp in
                let A = MatrixOperand(ap.baseAddress!, rowStride: k), B = MatrixOperand(bp.baseAddress!, rowStride: n)
                let packed = PackedB(B, k: k, n: n)
                fast.withUnsafeMutableBufferPointer { GEMM.sgemm(m: m, a: A, b: packed, c: $0.baseAddress!, ldc: n, epilogue: GEMMEpilogue(accumulate: true)) }
                ref.withUnsafeMutableBufferPointer { Reference.sgemm(m: m, n: n, k: k, a: A, b: B, c: $0.baseAddress!, ldc: n, epilogue: GEMMEpilogue(accumulate: true)) }
            }
        }
        for i in 0..<(m * n) { #expect(Tolerance.dot(k: k).allows(fast[i], ref[i], scale: Float(k))) }
    }

    func transpose(_ x: [Float], rows: Int, cols: Int) -> [Float] {
        var out = [Float](repeating: 0, count: x.count)
        for i in 0..<rows { for j in 0..<cols { out[j * rows + i] = x[i * cols + j] } }
        return out
    }
}

extension GEMMTests {
    /// Narrow C (≤ 4 column panels) reads A in place instead of packing it; rows not a multiple of 6 hit the packed tail.
    @Test(arguments: [(4096, 24, 24), (1000, 64, 33), (61, 17, 200), (6, 16, 5)])
    func narrowOutputsReadAInPlace(m: Int, n: Int, k: Int) {
        var rng = TestRNG(seed: UInt64(m + n + k))
        let a = (0..<(m * k)).map { _ in rng.float() }
        let b = (0..<(k * n)).map { _ in rng.float() }
        var fast = [Float](repeating: 0, count: m * n), ref = fast
        a.withUnsafeBufferPointer { ap in
            b.withUnsafeBufferPointer { bp in
                let A = MatrixOperand(ap.baseAddress!, rowStride: k), B = MatrixOperand(bp.baseAddress!, rowStride: n)
                fast.withUnsafeMutableBufferPointer { GEMM.sgemm(m: m, n: n, k: k, a: A, b: B, c: $0.baseAddress!, ldc: n, pool: .shared) }
                ref.withUnsafeMutableBufferPointer { Reference.sgemm(m: m, n: n, k: k, a: A, b: B, c: $0.baseAddress!, ldc: n) }
            }
        }
        for i in 0..<(m * n) { #expect(Tolerance.dot(k: k).allows(fast[i], ref[i], scale: Float(k))) }
    }
}
