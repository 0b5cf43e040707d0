extension Reference {
    /// `C[M,N] = act(A[M,K] · B[K,N] + bias (+ C))`, in `Double`.
    public static func sgemm(m: Int, n: Int, k: Int, a: MatrixOperand, b: MatrixOperand,
                             c: UnsafeMutablePointer<Float>, ldc: Int, epilogue: GEMMEpilogue = GEMMEpilogue()) {
        for i in 0..<m {
            for j in 0..<n {
                var s = 0.0
                for p in 0..<k { s += Double(a[i, p]) * Double(b[p, j]) }
                if epilogue.accumulate { s += Double(c[i * ldc + j]) }
                if let bias = epilogue.bias { s += Double(bias[j]) }
                c[i * ldc + j] = epilogue.activation.apply(Float(s))
            }
        }
    }
}
