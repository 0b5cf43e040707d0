extension Reference {
    /// ``QuantizedGEMM`` by its definition, scalar: per-row symmetric quantization of A
    /// (round half to even of x·127/absmax), exact integer sums, then
    /// `act(Float(sum) · wScale[n] · aScale[m] + bias[n])` in that order.
    /// `w` is int8 `[K,N]` row-major, or `[N,K]` when `transposed`.
    public static func quantizedGEMM(m: Int, n: Int, k: Int, a: UnsafePointer<Float>, lda: Int,
                                     w: UnsafePointer<Int8>, wScales: UnsafePointer<Float>, transposed: Bool,
                                     c: UnsafeMutablePointer<Float>, ldc: Int,
                                     bias: UnsafePointer<Float>?, activation: Activation) {
        var q = [Int](repeating: 0, count: k)
        for i in 0..<m {
            var absMax: Float = 0
            for p in 0..<k { let v = abs(a[i * lda + p]); if v > absMax { absMax = v } }
            let ok = absMax > 0 && absMax.isFinite
            let inv = ok ? 127 / absMax : 0
            let scale = ok ? absMax / 127 : 0
            for p in 0..<k {
                let y = a[i * lda + p] * inv
                q[p] = ok && !y.isNaN ? Int(y.rounded(.toNearestOrEven)) : 0
            }
            for j in 0..<n {
                var s = 0
                for p in 0..<k { s += q[p] * Int(transposed ? w[j * k + p] : w[p * n + j]) }
                var y = Float(s) * wScales[j] * scale
                if let bias { y += bias[j] }
                c[i * ldc + j] = activation.apply(y)
            }
        }
    }
}
