/// Constant padding of any rank ≤ 6. The output is filled row by row of the
/// last axis: `before` values, the input row, `after` values; rows entirely in
/// a padded region are all `value`. Threads split output rows; short rows (a pixel's
/// channels) move without `memcpy` calls. Padding of the last axis alone takes a loop without
/// the per-row index arithmetic (it was 12% of BlazeFace's time).
/// Precondition: `params.isValid`; `output` does not alias `input`.
public enum Pad {
    public static let tolerance = Tolerance.exact

    public static func run(_ p: PadParams, input: UnsafePointer<Float>, output: UnsafeMutablePointer<Float>, pool: ThreadPool) {
        padRows(p, value: p.value, input: input, output: output, pool: pool)
    }

    /// uint8 padding (`value` is the byte, e.g. a zero point).
    public static func run(_ p: PadParams, value: UInt8, input: UnsafePointer<UInt8>, output: UnsafeMutablePointer<UInt8>, pool: ThreadPool) {
        padRows(p, value: value, input: input, output: output, pool: pool)
    }

    @inline(__always)
    static func padRows<T>(_ p: PadParams, value: T, input: UnsafePointer<T>, output: UnsafeMutablePointer<T>, pool: ThreadPool) {
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
        let size = MemoryLayout<T>.stride
        if (0..<(r - 1)).allSatisfy({ p.before[$0] == 0 && p.after[$0] == 0 }) {
            // Only the last axis grows (BlazeFace's channel pads before a residual add): input
            // row i is output row i.
            let b = p.before[r - 1], n = p.shape[r - 1], after = p.after[r - 1]
            pool.parallelFor(count: (rows + rowsPerTask - 1) / rowsPerTask) { t in
                let (input, output) = shared.value
                for row in (t * rowsPerTask)..<min(rows, (t + 1) * rowsPerTask) {
                    let dst = output + row * outInner
                    fill(dst, value, b)
                    copyBytes(UnsafeMutableRawPointer(dst + b), UnsafeRawPointer(input + row * n), n * size)
                    fill(dst + b + n, value, after)
                }
            }
            return
        }
        pool.parallelFor(count: (rows + rowsPerTask - 1) / rowsPerTask) { t in
            let (input, output) = shared.value
            let row0 = t * rowsPerTask, row1 = min(rows, (t + 1) * rowsPerTask)
            // The row index over outShape[0..<r-1], advanced like an odometer.
            var index = [Int](repeating: 0, count: r - 1)
            var rem = row0
            for d in stride(from: r - 2, through: 0, by: -1) { index[d] = rem % outShape[d]; rem /= outShape[d] }
            let b = p.before[r - 1], n = p.shape[r - 1], after = p.after[r - 1]
            for row in row0..<row1 {
                let dst = output + row * outInner
                var offset = 0, inside = true
                for d in 0..<(r - 1) {
                    let i = index[d] - p.before[d]
                    if i < 0 || i >= p.shape[d] { inside = false; break }
                    offset += i * inStrides[d]
                }
                if inside {
                    fill(dst, value, b)
                    copyBytes(UnsafeMutableRawPointer(dst + b), UnsafeRawPointer(input + offset), n * size)
                    fill(dst + b + n, value, after)
                } else {
                    fill(dst, value, outInner)
                }
                var d = r - 2
                while d >= 0 {
                    index[d] += 1
                    if index[d] < outShape[d] { break }
                    index[d] = 0
                    d -= 1
                }
            }
        }
    }

    @inline(__always)
    static func fill<T>(_ p: UnsafeMutablePointer<T>, _ value: T, _ n: Int) {
        if n > 32 { p.update(repeating: value, count: n) } else { for i in 0..<n { p[i] = value } }
    }

    @inline(__always)
    static func copyBytes(_ dst: UnsafeMutableRawPointer, _ src: UnsafeRawPointer, _ n: Int) {
        guard n <= 256 else { dst.copyMemory(from: src, byteCount: n); return }
        if n >= 16 {
            // 16-byte moves, the last one overlapping the one before.
            var i = 0
            while i + 16 < n {
                dst.storeBytes(of: src.loadUnaligned(fromByteOffset: i, as: SIMD16<UInt8>.self), toByteOffset: i, as: SIMD16<UInt8>.self)
                i += 16
            }
            dst.storeBytes(of: src.loadUnaligned(fromByteOffset: n - 16, as: SIMD16<UInt8>.self), toByteOffset: n - 16, as: SIMD16<UInt8>.self)
            return
        }
        for i in 0..<n { dst.storeBytes(of: src.load(fromByteOffset: i, as: UInt8.self), toByteOffset: i, as: UInt8.self) }
    }
}
