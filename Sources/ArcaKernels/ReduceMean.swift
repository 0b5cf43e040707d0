/// Mean over a set of axes (rank ≤ 6). Axes merge into alternating kept /
/// reduced runs; `[kept, reduced]` is a row mean, `[kept, reduced, kept]`
/// (NHWC spatial mean, axes [1, 2]) sums SIMD rows of the inner size; other
/// layouts take a strided walk per output element. Sums are `Float`, in
/// 8-lane partial sums. Threads split output elements / outer indices.
/// Precondition: `params.isValid`; `output` holds the product of the kept axes.
public enum ReduceMean {
    typealias V = SIMD8<Float>

    /// Compare with `scale` = the largest `|x|` of the input.
    public static func tolerance(_ p: ReduceParams) -> Tolerance {
        .dot(k: p.reducedCount)
    }

    public static func run(_ p: ReduceParams, input: UnsafePointer<Float>, output: UnsafeMutablePointer<Float>, pool: ThreadPool) {
        // Runs of (size, reduced) with unit axes dropped and equal neighbours merged.
        var runs: [(Int, Bool)] = []
        for (d, n) in p.shape.enumerated() where n != 1 {
            let red = p.axes.contains(d)
            if let last = runs.last, last.1 == red { runs[runs.count - 1].0 *= n } else { runs.append((n, red)) }
        }
        let scale = 1 / Float(p.reducedCount)
        let shared = SendableBox((input, output))
        let outCount = runs.filter { !$0.1 }.reduce(1) { $0 * $1.0 }
        if runs.allSatisfy({ !$0.1 }) {
            output.update(from: input, count: outCount)
            return
        }
        if runs.count <= 2 && runs.last!.1 {
            let n = runs.last!.0
            pool.parallelFor(count: (outCount + 63) / 64) { t in
                let (input, output) = shared.value
                for o in (t * 64)..<min(outCount, t * 64 + 64) {
                    output[o] = rowSum(input + o * n, n) * scale
                }
            }
            return
        }
        if runs.count <= 3 && runs.last.map({ !$0.1 }) == true && runs[runs.count - 2].1 {
            let inner = runs.last!.0, red = runs[runs.count - 2].0
            let outer = runs.count == 3 ? runs[0].0 : 1
            pool.parallelFor(count: outer) { o in
                let (input, output) = shared.value
                columnMean(input + o * red * inner, output + o * inner, rows: red, cols: inner, scale: scale)
            }
            return
        }
        // Generic: strides of kept and reduced axes over the merged runs.
        var strides = [Int](repeating: 1, count: runs.count)
        for d in stride(from: runs.count - 2, through: 0, by: -1) { strides[d] = strides[d + 1] * runs[d + 1].0 }
        let kept = runs.indices.filter { !runs[$0].1 }, reduced = runs.indices.filter { runs[$0].1 }
        pool.parallelFor(count: (outCount + 63) / 64) { t in
            let (input, output) = shared.value
            for o in (t * 64)..<min(outCount, t * 64 + 64) {
                var rem = o, base = 0
                for d in kept.reversed() { base += (rem % runs[d].0) * strides[d]; rem /= runs[d].0 }
                var sum: Float = 0
                for j in 0..<p.reducedCount {
                    var r = j, off = base
                    for d in reduced.reversed() { off += (r % runs[d].0) * strides[d]; r /= runs[d].0 }
                    sum += input[off]
                }
                output[o] = sum * scale
            }
        }
    }

    @inline(__always)
    static func rowSum(_ x: UnsafePointer<Float>, _ n: Int) -> Float {
        var s = V(), i = 0
        while i + 8 <= n { s += UnsafeRawPointer(x + i).loadUnaligned(as: V.self); i += 8 }
        var sum = s.sum()
        while i < n { sum += x[i]; i += 1 }
        return sum
    }

    /// `out[c] = scale * Σ_r x[r, c]`: 64 columns at a time in registers (four 16-lane sums,
    /// two sets for even and odd rows so that consecutive adds do not wait on each other;
    /// summing into `out` in memory chained every row on a store), then the columns left.
    static func columnMean(_ x: UnsafePointer<Float>, _ out: UnsafeMutablePointer<Float>, rows: Int, cols: Int, scale: Float) {
        typealias W = SIMD16<Float>
        @inline(__always) func load(_ p: UnsafePointer<Float>) -> W { UnsafeRawPointer(p).loadUnaligned(as: W.self) }
        var c = 0
        while c + 64 <= cols {
            var (a0, a1, a2, a3) = (W(), W(), W(), W())
            var (b0, b1, b2, b3) = (W(), W(), W(), W())
            var r = 0
            while r + 2 <= rows {
                let p = x + r * cols + c, q = p + cols
                a0 += load(p); a1 += load(p + 16); a2 += load(p + 32); a3 += load(p + 48)
                b0 += load(q); b1 += load(q + 16); b2 += load(q + 32); b3 += load(q + 48)
                r += 2
            }
            if r < rows {
                let p = x + r * cols + c
                a0 += load(p); a1 += load(p + 16); a2 += load(p + 32); a3 += load(p + 48)
            }
            let o = UnsafeMutableRawPointer(out + c)
            o.storeBytes(of: (a0 + b0) * scale, toByteOffset: 0, as: W.self)
            o.storeBytes(of: (a1 + b1) * scale, toByteOffset: 64, as: W.self)
            o.storeBytes(of: (a2 + b2) * scale, toByteOffset: 128, as: W.self)
            o.storeBytes(of: (a3 + b3) * scale, toByteOffset: 192, as: W.self)
            c += 64
        }
        while c + 16 <= cols {
            var (a, b) = (W(), W())
            var r = 0
            while r + 2 <= rows {
                a += load(x + r * cols + c)
                b += load(x + (r + 1) * cols + c)
                r += 2
            }
            if r < rows { a += load(x + r * cols + c) }
            UnsafeMutableRawPointer(out + c).storeBytes(of: (a + b) * scale, as: W.self)
            c += 16
        }
        guard c < cols else { return }
        let rest = c
        (out + rest).update(repeating: 0, count: cols - rest)
        for r in 0..<rows {
            let row = x + r * cols
            for j in rest..<cols { out[j] += row[j] }
        }
        for j in rest..<cols { out[j] *= scale }
    }
}
