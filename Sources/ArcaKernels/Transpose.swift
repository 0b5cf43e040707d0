/// Axis permutation of rank ≤ 6. Unit axes are dropped and axes that stay
/// adjacent merge, so NHWC↔NCHW becomes a batched 2-D transpose, which runs
/// in 8x8 blocks; other permutations walk the output in order with the input
/// strides permuted. Threads split the batch / outer rows.
/// Precondition: `params.isValid`; `output` does not alias `input`.
public enum Transpose {
    public static let tolerance = Tolerance.exact

    public static func run(_ p: TransposeParams, input: UnsafePointer<Float>, output: UnsafeMutablePointer<Float>, pool: ThreadPool) {
        let total = p.shape.reduce(1, *)
        if total == 0 { return }
        let (dims, perm) = simplified(shape: p.shape, perm: p.perm)
        let shared = SendableBox((input, output))
        if dims.count <= 1 || perm == Array(0..<dims.count) {
            output.update(from: input, count: total)
            return
        }
        if perm == [1, 0] || perm == [0, 2, 1] {
            let batch = perm.count == 3 ? dims[0] : 1
            let rows = dims[dims.count - 2], cols = dims[dims.count - 1]
            let bands = (rows + 63) / 64
            pool.parallelFor(count: batch * bands) { t in
                let (input, output) = shared.value
                let b = t / bands, r0 = (t % bands) * 64
                transpose2D(input + b * rows * cols, output + b * rows * cols, rows: rows, cols: cols,
                            rowRange: r0..<min(rows, r0 + 64))
            }
            return
        }
        let r = dims.count
        var inStrides = [Int](repeating: 1, count: r)
        for d in stride(from: r - 2, through: 0, by: -1) { inStrides[d] = inStrides[d + 1] * dims[d + 1] }
        let outDims = perm.map { dims[$0] }
        let srcStrides = perm.map { inStrides[$0] }
        let inner = outDims[r - 1], innerStride = srcStrides[r - 1]
        let rows = total / inner
        let rowsPerTask = max(1, 16 * 1024 / inner)
        pool.parallelFor(count: (rows + rowsPerTask - 1) / rowsPerTask) { t in
            let (input, output) = shared.value
            for row in (t * rowsPerTask)..<min(rows, (t + 1) * rowsPerTask) {
                var rem = row, offset = 0
                for d in stride(from: r - 2, through: 0, by: -1) {
                    offset += (rem % outDims[d]) * srcStrides[d]
                    rem /= outDims[d]
                }
                let src = input + offset, dst = output + row * inner
                for i in 0..<inner { dst[i] = src[i * innerStride] }
            }
        }
    }

    /// Drops unit axes and merges input axes that stay adjacent and in order in `perm`.
    static func simplified(shape: [Int], perm: [Int]) -> ([Int], [Int]) {
        let kept = shape.indices.filter { shape[$0] != 1 }
        var newIndex = [Int](repeating: -1, count: shape.count)
        for (i, d) in kept.enumerated() { newIndex[d] = i }
        var dims = kept.map { shape[$0] }
        var perm = perm.compactMap { newIndex[$0] >= 0 ? newIndex[$0] : nil }
        // Merge input axis a+1 into a when it directly follows a in perm.
        var merged = true
        while merged {
            merged = false
            for k in 0..<(perm.count - (perm.isEmpty ? 0 : 1)) where perm[k] + 1 == perm[k + 1] {
                let a = perm[k]
                dims[a] *= dims[a + 1]
                dims.remove(at: a + 1)
                perm.remove(at: k + 1)
                perm = perm.map { $0 > a ? $0 - 1 : $0 }
                merged = true
                break
            }
        }
        return (dims, perm)
    }

    /// `dst[c, r] = src[r, c]` for `r` in `rowRange`, in 8x8 blocks.
    @inline(__always)
    static func transpose2D(_ src: UnsafePointer<Float>, _ dst: UnsafeMutablePointer<Float>, rows: Int, cols: Int, rowRange: Range<Int>) {
        var c0 = 0
        while c0 < cols {
            let c1 = min(cols, c0 + 8)
            var r0 = rowRange.lowerBound
            while r0 < rowRange.upperBound {
                let r1 = min(rowRange.upperBound, r0 + 8)
                for c in c0..<c1 {
                    for r in r0..<r1 { dst[c * rows + r] = src[r * cols + c] }
                }
                r0 = r1
            }
            c0 = c1
        }
    }
}
