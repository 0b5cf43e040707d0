/// Geometry of multi-head attention over packed rows.
///
/// q, k, v rows are `[batch * seq]` rows of `heads * headDim` floats at row
/// strides `ldq`, `ldk`, `ldv` (so a fused QKV projection can be read in place);
/// the output has `heads * headDim` floats per row at stride `ldo`.
public struct AttentionParams: Sendable, Hashable {
    public var batch: Int
    public var seq: Int
    public var heads: Int
    public var headDim: Int
    public var scale: Float
    public var ldq: Int, ldk: Int, ldv: Int, ldo: Int

    public init(batch: Int, seq: Int, heads: Int, headDim: Int, scale: Float,
                ldq: Int? = nil, ldk: Int? = nil, ldv: Int? = nil, ldo: Int? = nil) {
        self.batch = batch; self.seq = seq; self.heads = heads; self.headDim = headDim; self.scale = scale
        let w = heads * headDim
        self.ldq = ldq ?? w; self.ldk = ldk ?? w; self.ldv = ldv ?? w; self.ldo = ldo ?? w
    }

    public var isValid: Bool {
        batch > 0 && seq > 0 && heads > 0 && headDim > 0 && scale.isFinite &&
            ldq >= heads * headDim && ldk >= heads * headDim && ldv >= heads * headDim && ldo >= heads * headDim
    }
}

/// Fused scaled dot-product attention: for each (batch, head),
/// `out = softmax(scale · Q Kᵀ + maskBias) V`, one task per (batch, head).
///
/// `mask` is `[batch, seq]` (non-zero keeps a key). Keys after the last kept
/// position are never read, and query rows past it are zero-filled without
/// work: right-padded batches cost what their real lengths cost. Keys masked
/// inside that span get a -inf bias; a row with no kept key is all zeros.
public enum Attention {
    public static func tolerance(_ p: AttentionParams) -> Tolerance {
        Tolerance(absolute: 2e-6, relative: 1e-5 * Float(p.headDim).squareRoot())
    }

    /// Preconditions: `p.isValid`; buffers hold `batch * seq` rows at their strides.
    public static func run(_ p: AttentionParams, q: UnsafePointer<Float>, k: UnsafePointer<Float>, v: UnsafePointer<Float>,
                           mask: UnsafePointer<Float>?, output: UnsafeMutablePointer<Float>, pool: ThreadPool) {
        let shared = SendableBox((q, k, v, mask, output))
        pool.parallelFor(count: p.batch * p.heads) { task in
            let (q, k, v, mask, output) = shared.value
            head(p, b: task / p.heads, h: task % p.heads, q: q, k: k, v: v, mask: mask, output: output)
        }
    }

    static func head(_ p: AttentionParams, b: Int, h: Int, q: UnsafePointer<Float>, k: UnsafePointer<Float>, v: UnsafePointer<Float>,
                     mask: UnsafePointer<Float>?, output: UnsafeMutablePointer<Float>) {
        let s = p.seq, d = p.headDim
        let m = mask.map { $0 + b * s }
        var len = s
        if let m {
            len = 0
            for j in 0..<s where m[j] != 0 { len = j + 1 }
        }
        let row0 = b * s
        let qh = q + row0 * p.ldq + h * d
        let kh = k + row0 * p.ldk + h * d
        let vh = v + row0 * p.ldv + h * d
        let oh = output + row0 * p.ldo + h * d
        for i in len..<s { (oh + i * p.ldo).update(repeating: 0, count: d) }
        if len == 0 { return }
        Scratch.withFloats(len * len) { scores in
            // scores[len, len] = Q[len, d] · K[len, d]ᵀ
            GEMM.sgemm(m: len, n: len, k: d, a: MatrixOperand(qh, rowStride: p.ldq),
                       b: MatrixOperand(kh, rowStride: 1, colStride: p.ldk), c: scores, ldc: len)
            for i in 0..<len {
                softmaxRow(scores + i * len, len, scale: p.scale, mask: m)
            }
            // out[len, d] = P[len, len] · V[len, d]
            GEMM.sgemm(m: len, n: d, k: len, a: MatrixOperand(scores, rowStride: len),
                       b: MatrixOperand(vh, rowStride: p.ldv), c: oh, ldc: p.ldo)
        }
    }

    /// Masked, scaled softmax of one score row in place, 16 lanes at a time: masked keys get
    /// -inf (weight 0); a row with every key masked becomes zeros.
    @inline(__always)
    static func softmaxRow(_ row: UnsafeMutablePointer<Float>, _ n: Int, scale: Float, mask: UnsafePointer<Float>?) {
        typealias V = SIMD16<Float>
        let raw = UnsafeMutableRawPointer(row)
        var maxV = V(repeating: -.infinity)
        var j = 0
        while j + 16 <= n {
            var x = raw.loadUnaligned(fromByteOffset: j * 4, as: V.self) * scale
            if let mask { x.replace(with: -.infinity, where: UnsafeRawPointer(mask + j).loadUnaligned(as: V.self) .== 0) }
            raw.storeBytes(of: x, toByteOffset: j * 4, as: V.self)
            maxV = maxV.maximum(x)
            j += 16
        }
        var maxS = maxV.max()
        while j < n {
            var x = row[j] * scale
            if let mask, mask[j] == 0 { x = -.infinity }
            row[j] = x
            maxS = max(maxS, x)
            j += 1
        }
        if maxS == -.infinity || maxS.isNaN {
            row.update(repeating: maxS.isNaN ? .nan : 0, count: n)
            return
        }
        var sumV = V()
        j = 0
        while j + 16 <= n {
            let e = Vectorized.expNonPositive(raw.loadUnaligned(fromByteOffset: j * 4, as: V.self) - maxS)
            raw.storeBytes(of: e, toByteOffset: j * 4, as: V.self)
            sumV += e
            j += 16
        }
        var sum = sumV.sum()
        if j < n {
            var tail = V(repeating: -.infinity)
            for t in 0..<(n - j) { tail[t] = row[j + t] - maxS }
            let e = Vectorized.expNonPositive(tail)
            for t in 0..<(n - j) { row[j + t] = e[t]; sum += e[t] }
        }
        let inv = 1 / sum
        Vectorized.map(row, n) { $0 * inv }
    }
}
