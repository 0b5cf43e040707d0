/// Constant padding of any rank ≤ 6. The output is filled row by row of the
/// last axis: `before` values, the input row, `after` values; rows entirely in
/// a padded region are all `value`. Threads split output rows.
/// Precondition: `params.isValid`; `output` does not alias `input`.
public enum Pad {
    public static let tolerance = Tolerance.exact

    public static func run(_ p: PadParams, input: UnsafePointer<Float>, output: UnsafeMutablePointer<Float>, pool: ThreadPool) {
        let outShape = p.outShape
        let r = outShape.count
        if r == 0 { output[0] = input[0]; return }
        let total = outShape.reduce(1, *)
        if total == 0 { return }
        let outInner = outShape[r - 1]
        let rows = total / outInner
        var inStrides = [Int](repeating: 1, count: r)
        for d in stride(from: r - 2, through: 0, by: -1) { inStrides[d] = inStrides[d + 1] * p.shape[d + 1] }
        let rowsPerTask = max(1, 16 * 1024 / outInner)
        let shared = SendableBox((input, output))
        pool.parallelFor(count: (rows + rowsPerTask - 1) / rowsPerTask) { t in
            let (input, output) = shared.value
            for row in (t * rowsPerTask)..<min(rows, (t + 1) * rowsPerTask) {
                let dst = output + row * outInner
                // Decompose the row index over outShape[0..<r-1]; find the input row, if any.
                var rem = row, offset = 0, inside = true
                for d in stride(from: r - 2, through: 0, by: -1) {
                    let i = rem % outShape[d] - p.before[d]
                    rem /= outShape[d]
                    if i < 0 || i >= p.shape[d] { inside = false; break }
                    offset += i * inStrides[d]
                }
                if !inside {
                    dst.update(repeating: p.value, count: outInner)
                    continue
                }
                let b = p.before[r - 1], n = p.shape[r - 1]
                dst.update(repeating: p.value, count: b)
                (dst + b).update(from: input + offset, count: n)
                (dst + b + n).update(repeating: p.value, count: p.after[r - 1])
            }
        }
    }
}
