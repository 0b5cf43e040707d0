#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// Elementwise binary ops with numpy broadcasting (rank ≤ 6), optional fused activation.
///
/// Shapes are right-aligned, broadcast dimensions get stride 0, and adjacent
/// dimensions that are contiguous for both operands merge; the innermost
/// dimension then runs one of four SIMD loops (each operand contiguous or
/// broadcast). Same-shape and scalar cases collapse to one flat loop; a
/// last-axis broadcast (bias-like) or a per-channel gate to rows of one stride each.
/// Threads split flat ranges or outer rows.
///
/// In-place safe: `output` may alias `a` or `b` when that operand has the output's shape.
/// Precondition: `params.isValid`; buffers sized for the shapes.
public enum Binary {
    typealias V = SIMD8<Float>
    static let grain = 16 * 1024

    /// Exact: the same IEEE operation (and the same `powf`) as the reference.
    public static func tolerance(_ p: BinaryParams) -> Tolerance { .exact }

    public static func run(_ p: BinaryParams, a: UnsafePointer<Float>, b: UnsafePointer<Float>,
                           activation: Activation = .none, output: UnsafeMutablePointer<Float>, pool: ThreadPool) {
        guard let outShape = p.outShape else { return }
        let total = outShape.reduce(1, *)
        if total == 0 { return }
        let (dims, sa, sb) = coalesced(out: outShape, a: p.aShape, b: p.bShape)
        let inner = dims.last ?? 1
        let innerSA = sa.last ?? 0, innerSB = sb.last ?? 0
        let outerCount = total / inner
        let shared = SendableBox((a, b, output))
        if outerCount == 1 {
            let chunks = (inner + grain - 1) / grain
            pool.parallelFor(count: chunks) { t in
                let (a, b, output) = shared.value
                let i0 = t * grain, n = min(grain, inner - i0)
                run(p.op, n, a + i0 * innerSA, innerSA, b + i0 * innerSB, innerSB, output + i0, activation)
            }
            return
        }
        let rowsPerTask = max(1, grain / inner)
        let tasks = (outerCount + rowsPerTask - 1) / rowsPerTask
        if dims.count == 2 {
            // Rows of one stride each (a per-channel gate or bias over pixels): no index digits.
            let rowA = sa[0], rowB = sb[0]
            pool.parallelFor(count: tasks) { t in
                let (a, b, output) = shared.value
                for r in (t * rowsPerTask)..<min(outerCount, (t + 1) * rowsPerTask) {
                    run(p.op, inner, a + r * rowA, innerSA, b + r * rowB, innerSB, output + r * inner, activation)
                }
            }
            return
        }
        pool.parallelFor(count: tasks) { t in
            let (a, b, output) = shared.value
            let r0 = t * rowsPerTask, r1 = min(outerCount, r0 + rowsPerTask)
            // Outer index digits of r0 over dims[0..<last].
            var idx = [Int](repeating: 0, count: dims.count)
            var rem = r0
            for d in stride(from: dims.count - 2, through: 0, by: -1) {
                idx[d] = rem % dims[d]
                rem /= dims[d]
            }
            var offA = 0, offB = 0
            for d in 0..<(dims.count - 1) {
                offA += idx[d] * sa[d]
                offB += idx[d] * sb[d]
            }
            for r in r0..<r1 {
                run(p.op, inner, a + offA, innerSA, b + offB, innerSB, output + r * inner, activation)
                var d = dims.count - 2
                while d >= 0 {
                    idx[d] += 1
                    offA += sa[d]
                    offB += sb[d]
                    if idx[d] < dims[d] { break }
                    offA -= idx[d] * sa[d]
                    offB -= idx[d] * sb[d]
                    idx[d] = 0
                    d -= 1
                }
            }
        }
    }

    /// Output dims and operand strides (0 on broadcast axes) with mergeable axes merged.
    static func coalesced(out: [Int], a: [Int], b: [Int]) -> ([Int], [Int], [Int]) {
        let r = out.count
        func strides(_ s: [Int]) -> [Int] {
            let padded = [Int](repeating: 1, count: r - s.count) + s
            var st = [Int](repeating: 0, count: r)
            var acc = 1
            for d in stride(from: r - 1, through: 0, by: -1) {
                st[d] = padded[d] == 1 ? 0 : acc
                acc *= padded[d]
            }
            return st
        }
        let sa0 = strides(a), sb0 = strides(b)
        var dims: [Int] = [], sa: [Int] = [], sb: [Int] = []
        for d in 0..<r where out[d] != 1 {
            if let last = dims.last, sa.last! == sa0[d] * out[d], sb.last! == sb0[d] * out[d] {
                dims[dims.count - 1] = last * out[d]
                sa[sa.count - 1] = sa0[d]
                sb[sb.count - 1] = sb0[d]
            } else {
                dims.append(out[d]); sa.append(sa0[d]); sb.append(sb0[d])
            }
        }
        if dims.isEmpty { return ([1], [0], [0]) }
        return (dims, sa, sb)
    }

    @inline(__always)
    static func run(_ op: BinaryOp, _ n: Int, _ a: UnsafePointer<Float>, _ sa: Int, _ b: UnsafePointer<Float>, _ sb: Int,
                    _ out: UnsafeMutablePointer<Float>, _ activation: Activation) {
        switch op {
        case .add: loop(n, a, sa, b, sb, out) { $0 + $1 }
        case .sub: loop(n, a, sa, b, sb, out) { $0 - $1 }
        case .mul: loop(n, a, sa, b, sb, out) { $0 * $1 }
        case .div: loop(n, a, sa, b, sb, out) { $0 / $1 }
        // Swift.max(x, y) is `y >= x ? y : x`, Swift.min(x, y) is `y < x ? y : x`; kept lane-wise, NaNs included.
        case .max: loop(n, a, sa, b, sb, out) { x, y in x.replacing(with: y, where: y .>= x) }
        case .min: loop(n, a, sa, b, sb, out) { x, y in x.replacing(with: y, where: y .< x) }
        case .pow:
            loop(n, a, sa, b, sb, out) { x, y in
                var r = V()
                for i in 0..<8 { r[i] = powf(x[i], y[i]) }
                return r
            }
        }
        activation.apply(out, count: n)
    }

    /// `out[i] = f(a[i * sa], b[i * sb])` with `sa, sb ∈ {0, 1}`.
    @inline(__always)
    static func loop(_ n: Int, _ a: UnsafePointer<Float>, _ sa: Int, _ b: UnsafePointer<Float>, _ sb: Int,
                     _ out: UnsafeMutablePointer<Float>, _ f: (V, V) -> V) {
        var i = 0
        let o = UnsafeMutableRawPointer(out)
        if sa == 1 && sb == 1 {
            let ar = UnsafeRawPointer(a), br = UnsafeRawPointer(b)
            while i + 8 <= n {
                o.storeBytes(of: f(ar.loadUnaligned(fromByteOffset: i * 4, as: V.self), br.loadUnaligned(fromByteOffset: i * 4, as: V.self)), toByteOffset: i * 4, as: V.self)
                i += 8
            }
        } else if sa == 1 {
            let ar = UnsafeRawPointer(a), bv = V(repeating: b[0])
            while i + 8 <= n {
                o.storeBytes(of: f(ar.loadUnaligned(fromByteOffset: i * 4, as: V.self), bv), toByteOffset: i * 4, as: V.self)
                i += 8
            }
        } else if sb == 1 {
            let av = V(repeating: a[0]), br = UnsafeRawPointer(b)
            while i + 8 <= n {
                o.storeBytes(of: f(av, br.loadUnaligned(fromByteOffset: i * 4, as: V.self)), toByteOffset: i * 4, as: V.self)
                i += 8
            }
        }
        if i < n {
            var x = V(), y = V()
            for j in 0..<(n - i) {
                x[j] = a[(i + j) * sa]
                y[j] = b[(i + j) * sb]
            }
            let r = f(x, y)
            for j in 0..<(n - i) { out[i + j] = r[j] }
        }
    }
}
