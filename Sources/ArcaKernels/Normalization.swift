/// Softmax over the last axis of a `[rows, cols]` matrix: `exp(beta (x - max)) / Σ`.
/// Threads split rows. In-place safe. Precondition: `rows >= 0`, `cols > 0`.
public enum Softmax {
    typealias V = Vectorized.V

    /// Allowed difference from ``Reference/softmax(rows:cols:beta:input:output:)``.
    public static func tolerance(cols: Int) -> Tolerance {
        Tolerance(absolute: 1e-7, relative: Vectorized.Tolerances.exp.relative + Tolerance.dot(k: cols).relative + 2 * .ulpOfOne)
    }

    public static func run(rows: Int, cols: Int, beta: Float = 1, input: UnsafePointer<Float>,
                           output: UnsafeMutablePointer<Float>, pool: ThreadPool) {
        let rowsPerTask = max(1, 4096 / cols)
        let shared = SendableBox((input, output))
        pool.parallelFor(count: (rows + rowsPerTask - 1) / rowsPerTask) { t in
            let (input, output) = shared.value
            for r in (t * rowsPerTask)..<min(rows, (t + 1) * rowsPerTask) {
                row(input + r * cols, output + r * cols, cols, beta)
            }
        }
    }

    @inline(__always)
    static func row(_ x: UnsafePointer<Float>, _ y: UnsafeMutablePointer<Float>, _ n: Int, _ beta: Float) {
        var m = -Float.infinity
        var i = 0
        var mv = V(repeating: -.infinity)
        while i + 16 <= n {
            mv = mv.maximum(UnsafeRawPointer(x + i).loadUnaligned(as: V.self))
            i += 16
        }
        m = mv.max()
        while i < n { m = Swift.max(m, x[i]); i += 1 }
        let shift = m * beta
        var sumV = V()
        i = 0
        while i + 16 <= n {
            let e = Vectorized.exp(UnsafeRawPointer(x + i).loadUnaligned(as: V.self) * beta - shift)
            UnsafeMutableRawPointer(y + i).storeBytes(of: e, as: V.self)
            sumV += e
            i += 16
        }
        if i < n {
            var tail = V(repeating: -.infinity)
            for j in 0..<(n - i) { tail[j] = x[i + j] * beta - shift }
            let e = Vectorized.exp(tail)
            for j in 0..<(n - i) { y[i + j] = e[j]; sumV[j] += e[j] }
        }
        let inv = 1 / sumV.sum()
        Vectorized.map(y, n) { $0 * inv }
    }
}

/// Layer normalization over the last axis of `[rows, cols]`:
/// `(x - mean) / sqrt(var + epsilon) * gamma + beta` (biased variance, two passes).
/// Threads split rows. In-place safe. Precondition: `rows >= 0`, `cols > 0`.
public enum LayerNorm {
    typealias V = SIMD8<Float>

    /// Allowed difference from ``Reference/layerNorm(rows:cols:epsilon:input:gamma:beta:output:)``,
    /// with `scale` = `|gamma| * |x - mean| / σ + |beta|` (or the output magnitude).
    public static func tolerance(cols: Int) -> Tolerance {
        Tolerance(absolute: 1e-5, relative: 4 * Tolerance.dot(k: cols).relative + 4 * .ulpOfOne)
    }

    public static func run(rows: Int, cols: Int, epsilon: Float, input: UnsafePointer<Float>,
                           gamma: UnsafePointer<Float>?, beta: UnsafePointer<Float>?,
                           output: UnsafeMutablePointer<Float>, pool: ThreadPool) {
        let rowsPerTask = max(1, 4096 / cols)
        let shared = SendableBox((input, gamma, beta, output))
        pool.parallelFor(count: (rows + rowsPerTask - 1) / rowsPerTask) { t in
            let (input, gamma, beta, output) = shared.value
            for r in (t * rowsPerTask)..<min(rows, (t + 1) * rowsPerTask) {
                row(input + r * cols, output + r * cols, cols, epsilon, gamma, beta)
            }
        }
    }

    @inline(__always)
    static func row(_ x: UnsafePointer<Float>, _ y: UnsafeMutablePointer<Float>, _ n: Int, _ eps: Float,
                    _ gamma: UnsafePointer<Float>?, _ beta: UnsafePointer<Float>?) {
        var s = V(), i = 0
        while i + 8 <= n { s += UnsafeRawPointer(x + i).loadUnaligned(as: V.self); i += 8 }
        var sum = s.sum()
        while i < n { sum += x[i]; i += 1 }
        let mean = sum / Float(n)
        var q = V()
        i = 0
        let mv = V(repeating: mean)
        while i + 8 <= n {
            let d = UnsafeRawPointer(x + i).loadUnaligned(as: V.self) - mv
            q.addProduct(d, d)
            i += 8
        }
        var sq = q.sum()
        while i < n { let d = x[i] - mean; sq += d * d; i += 1 }
        let inv = 1 / (sq / Float(n) + eps).squareRoot()
        i = 0
        let iv = V(repeating: inv)
        while i + 8 <= n {
            var v = (UnsafeRawPointer(x + i).loadUnaligned(as: V.self) - mv) * iv
            if let gamma { v *= UnsafeRawPointer(gamma + i).loadUnaligned(as: V.self) }
            if let beta { v += UnsafeRawPointer(beta + i).loadUnaligned(as: V.self) }
            UnsafeMutableRawPointer(y + i).storeBytes(of: v, as: V.self)
            i += 8
        }
        while i < n {
            var v = (x[i] - mean) * inv
            if let gamma { v *= gamma[i] }
            if let beta { v += beta[i] }
            y[i] = v
            i += 1
        }
    }
}
