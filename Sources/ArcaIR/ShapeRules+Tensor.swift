import ArcaTensor

/// Typing rules of the elementwise, linear-algebra and normalisation ops.
extension ShapeRules {
    /// a `[..., M, K]` · b `[K, N]` (or `[N, K]`), or b `[..., K, N]` with a's batch dims.
    static func matMul(_ a: MatMulAttributes, _ x: RuleInputs) throws -> (DType, [Int]) {
        try inputs(x, 2...3)
        try float32(x, 0, 1)
        let s = x[0].shape, w = x[1].shape
        guard s.count >= 2 else { throw RuleFailure.shape("matmul input must have rank ≥ 2, got \(s)") }
        guard w.count == 2 || w.count == s.count else {
            throw RuleFailure.shape("matmul weights must be rank 2 or rank \(s.count), got \(w)")
        }
        let r = w.count
        let (k, n) = a.transposeB ? (w[r - 1], w[r - 2]) : (w[r - 2], w[r - 1])
        guard same(k, s[s.count - 1]) else { throw RuleFailure.shape("K mismatch: \(s) · \(w)\(a.transposeB ? "ᵀ" : "")") }
        if r > 2 {
            for i in 0..<(r - 2) where !same(s[i], w[i]) {
                throw RuleFailure.shape("batch dims differ: \(s) · \(w)")
            }
        }
        try bias(x, 2, channels: n)
        return (.float32, Array(s.dropLast()) + [n])
    }

    /// a float32 `[..., M, K]` · int8 b `[K, N]` (or `[N, K]`) with float32 scales `[N]` and bias `[N]`?.
    static func quantizedMatMul(_ a: MatMulAttributes, _ x: RuleInputs) throws -> (DType, [Int]) {
        try inputs(x, 3...4)
        try float32(x, 0, 2)
        guard x[1].dtype == .int8 else { throw RuleFailure.dtype(input: 1, expected: "int8") }
        let s = x[0].shape, w = x[1].shape
        guard s.count >= 2, w.count == 2 else { throw RuleFailure.shape("quantized matmul needs a [..., M, K] and b rank 2, got \(s) · \(w)") }
        let (k, n) = a.transposeB ? (w[1], w[0]) : (w[0], w[1])
        guard same(k, s[s.count - 1]) else { throw RuleFailure.shape("K mismatch: \(s) · \(w)\(a.transposeB ? "ᵀ" : "")") }
        guard k <= 1 << 17 else { throw RuleFailure.shape("quantized matmul K \(k) exceeds 131072 (int32 sums would overflow)") }
        guard x[2].shape.count == 1, same(x[2].shape[0], n) else { throw RuleFailure.shape("scales must be [\(n)], got \(x[2].shape)") }
        if x.count > 3 {
            try float32(x, 3)
            guard x[3].shape.count == 1, same(x[3].shape[0], n) else { throw RuleFailure.shape("bias must be [\(n)], got \(x[3].shape)") }
        }
        return (.float32, Array(s.dropLast()) + [n])
    }

    /// a float32 `[..., M, K]` · packed b float32 `[packedCount]`, bias `[N]`?.
    static func packedMatMul(_ a: PackedMatMulAttributes, _ x: RuleInputs) throws -> (DType, [Int]) {
        try inputs(x, 2...3)
        try float32(x, 0, 1)
        guard a.isValid else { throw RuleFailure.attribute("packed matmul sizes out of range: k \(a.k), n \(a.n), panel \(a.panelWidth), block \(a.depthBlock)") }
        let s = x[0].shape, w = x[1].shape
        guard s.count >= 2 else { throw RuleFailure.shape("packed matmul input must have rank ≥ 2, got \(s)") }
        guard same(s[s.count - 1], a.k) else { throw RuleFailure.shape("K mismatch: \(s) · packed K \(a.k)") }
        guard w.count == 1, same(w[0], a.packedCount) else {
            throw RuleFailure.shape("packed weights must be [\(a.packedCount)] for K \(a.k), N \(a.n), panel \(a.panelWidth), got \(w)")
        }
        try bias(x, 2, channels: a.n)
        return (.float32, Array(s.dropLast()) + [a.n])
    }

    static func binary(_ x: RuleInputs) throws -> (DType, [Int]) {
        try inputs(x, 2...2)
        guard x[0].dtype == x[1].dtype else { throw RuleFailure.dtype(input: 1, expected: "\(x[0].dtype) (like the first input)") }
        return (x[0].dtype, try broadcast(x[0].shape, x[1].shape))
    }

    static func unary(_ x: RuleInputs) throws -> (DType, [Int]) {
        try inputs(x, 1...1)
        try float32(x, 0)
        return (.float32, x[0].shape)
    }

    static func prelu(_ x: RuleInputs) throws -> (DType, [Int]) {
        try inputs(x, 2...2)
        try float32(x, 0, 1)
        let s = x[0].shape
        guard x[1].shape.count <= s.count, try broadcast(s, x[1].shape) == s else {
            throw RuleFailure.shape("alpha \(x[1].shape) does not broadcast to \(s)")
        }
        return (.float32, s)
    }

    static func softmax(axis: Int, _ x: RuleInputs) throws -> (DType, [Int]) {
        try inputs(x, 1...1)
        try float32(x, 0)
        _ = try self.axis(axis, rank: x[0].shape.count)
        return (.float32, x[0].shape)
    }

    static func layerNorm(epsilon: Float, _ x: RuleInputs) throws -> (DType, [Int]) {
        try inputs(x, 3...3)
        try float32(x, 0, 1, 2)
        guard epsilon >= 0, epsilon.isFinite else { throw RuleFailure.attribute("epsilon \(epsilon)") }
        let s = x[0].shape
        guard let d = s.last else { throw RuleFailure.shape("layer norm of a scalar") }
        for i in 1...2 {
            guard let c = count(x[i].shape), d < 0 || c == d, x[i].shape.count <= 1 || x[i].shape.dropLast().allSatisfy({ $0 == 1 }) else {
                throw RuleFailure.shape("\(i == 1 ? "gamma" : "beta") \(x[i].shape) must be [\(d)]")
            }
        }
        return (.float32, s)
    }

    static func l2Normalize(epsilon: Float, _ x: RuleInputs) throws -> (DType, [Int]) {
        try inputs(x, 1...1)
        try float32(x, 0)
        guard epsilon >= 0, epsilon.isFinite else { throw RuleFailure.attribute("epsilon \(epsilon)") }
        guard !x[0].shape.isEmpty else { throw RuleFailure.shape("l2 normalize of a scalar") }
        return (.float32, x[0].shape)
    }

    static func cast(_ to: DType, _ x: RuleInputs) throws -> (DType, [Int]) {
        try inputs(x, 1...1)
        return (to, x[0].shape)
    }

    /// q `[B, Sq, D]`, k and v `[B, Sk, D]`, mask `[B, Sk]`? → `[B, Sq, D]`.
    static func attention(_ a: AttentionAttributes, _ x: RuleInputs) throws -> (DType, [Int]) {
        if a.packedQKV { return try packedAttention(a, x) }
        try inputs(x, 3...4)
        try float32(x, 0, 1, 2)
        for i in 0..<3 { try rank(x, i, 3, ["q", "k", "v"][i]) }
        let q = x[0].shape, k = x[1].shape, v = x[2].shape
        guard a.heads > 0 else { throw RuleFailure.attribute("heads \(a.heads) must be positive") }
        guard a.scale.isFinite else { throw RuleFailure.attribute("scale \(a.scale)") }
        guard q[2] < 0 || q[2] % a.heads == 0 else { throw RuleFailure.attribute("\(a.heads) heads do not divide width \(q[2])") }
        guard same(q[0], k[0]), same(q[0], v[0]), same(q[2], k[2]), same(q[2], v[2]), same(k[1], v[1]) else {
            throw RuleFailure.shape("q \(q), k \(k), v \(v) do not match")
        }
        if x.count == 4 {
            let m = x[3].shape
            guard m.count == 2, same(m[0], q[0]), same(m[1], k[1]) else { throw RuleFailure.shape("mask \(m) must be [\(k[0]), \(k[1])]") }
            guard x[3].dtype != .float16 else { throw RuleFailure.dtype(input: 3, expected: "float32, integer or bool") }
        }
        return (.float32, q)
    }

    /// qkv `[B, S, 3W]`, mask `[B, S]`? (float32) → `[B, S, W]`.
    static func packedAttention(_ a: AttentionAttributes, _ x: RuleInputs) throws -> (DType, [Int]) {
        try inputs(x, 1...2)
        try float32(x, 0)
        try rank(x, 0, 3, "qkv")
        let s = x[0].shape
        guard a.heads > 0 else { throw RuleFailure.attribute("heads \(a.heads) must be positive") }
        guard a.scale.isFinite else { throw RuleFailure.attribute("scale \(a.scale)") }
        guard s[2] < 0 || (s[2] % 3 == 0 && (s[2] / 3) % a.heads == 0) else {
            throw RuleFailure.shape("packed width \(s[2]) is not 3 x a multiple of \(a.heads) heads")
        }
        if x.count == 2 {
            let m = x[1].shape
            guard m.count == 2, same(m[0], s[0]), same(m[1], s[1]) else { throw RuleFailure.shape("mask \(m) must be [\(s[0]), \(s[1])]") }
            try float32(x, 1)
        }
        return (.float32, [s[0], s[1], s[2] < 0 ? -1 : s[2] / 3])
    }

    /// x `[B, S, D]`, mask `[B, S]` → `[B, D]`.
    static func maskedMean(_ x: RuleInputs) throws -> (DType, [Int]) {
        try inputs(x, 2...2)
        try float32(x, 0)
        try rank(x, 0, 3, "x")
        try rank(x, 1, 2, "mask")
        guard x[1].dtype != .float16 else { throw RuleFailure.dtype(input: 1, expected: "float32, integer or bool") }
        let s = x[0].shape, m = x[1].shape
        guard same(s[0], m[0]), same(s[1], m[1]) else { throw RuleFailure.shape("mask \(m) does not match x \(s)") }
        return (.float32, [s[0], s[2]])
    }

    /// float32, or uint8 (same quantization in and out; means round half to even).
    static func reduceMean(axes: [Int], keepDims: Bool, _ x: RuleInputs) throws -> (DType, [Int]) {
        try inputs(x, 1...1)
        try floatOrByte(x, 0)
        let s = x[0].shape
        let norm = try axes.map { try axis($0, rank: s.count) }
        guard Set(norm).count == norm.count else { throw RuleFailure.attribute("repeated axes \(axes)") }
        var out: [Int] = []
        for (i, d) in s.enumerated() {
            if norm.contains(i) { if keepDims { out.append(1) } } else { out.append(d) }
        }
        return (x[0].dtype, out)
    }
}
