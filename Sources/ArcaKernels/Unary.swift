#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// Elementwise unary ops over `count` contiguous floats, SIMD through ``Vectorized``.
/// In-place safe (`output` may equal `input`). Threads split 16K-element ranges.
public enum Unary {
    static let grain = 16 * 1024

    /// Allowed difference from ``Reference/unary(_:input:output:count:)`` (a `Double` libm evaluation).
    public static func tolerance(_ op: UnaryOp) -> Tolerance {
        switch op {
        case .relu, .relu6, .reluN1To1, .neg, .abs, .square, .sqrt: .exact
        case .hardSwish: Tolerance(absolute: 1e-6, relative: 4 * .ulpOfOne)
        case .rsqrt, .log: Tolerance(absolute: 0, relative: 2 * .ulpOfOne)
        case .exp: Vectorized.Tolerances.exp
        case .erf: Vectorized.Tolerances.erf
        case .tanh: Vectorized.Tolerances.tanh
        case .sigmoid: Vectorized.Tolerances.sigmoid
        case .gelu: Vectorized.Tolerances.gelu
        }
    }

    public static func run(_ op: UnaryOp, input: UnsafePointer<Float>, output: UnsafeMutablePointer<Float>,
                           count: Int, pool: ThreadPool) {
        let shared = SendableBox((input, output))
        pool.parallelFor(count: (count + grain - 1) / grain) { t in
            let (input, output) = shared.value
            let i0 = t * grain
            apply(op, input + i0, output + i0, min(grain, count - i0))
        }
    }

    static func apply(_ op: UnaryOp, _ src: UnsafePointer<Float>, _ dst: UnsafeMutablePointer<Float>, _ n: Int) {
        typealias V = Vectorized.V
        switch op {
        case .relu: Vectorized.map(src, dst, n) { $0.replacing(with: 0, where: $0 .< 0) }
        case .relu6: Vectorized.map(src, dst, n) { $0.clamp(.zero, V(repeating: 6)) }
        case .reluN1To1: Vectorized.map(src, dst, n) { $0.clamp(V(repeating: -1), V(repeating: 1)) }
        case .hardSwish:
            Vectorized.map(src, dst, n) { x in x * (x + 3).clamp(.zero, V(repeating: 6)) * (1.0 / 6.0) }
        case .sigmoid: Vectorized.map(src, dst, n) { Vectorized.sigmoid($0) }
        case .tanh: Vectorized.map(src, dst, n) { Vectorized.tanh($0) }
        case .gelu: Vectorized.map(src, dst, n) { Vectorized.gelu($0) }
        case .exp: Vectorized.map(src, dst, n) { Vectorized.exp($0) }
        case .erf: Vectorized.map(src, dst, n) { Vectorized.erf($0) }
        case .neg: Vectorized.map(src, dst, n) { -$0 }
        case .abs: Vectorized.map(src, dst, n) { $0.replacing(with: -$0, where: $0 .< 0) }
        case .sqrt: Vectorized.map(src, dst, n) { $0.squareRoot() }
        case .rsqrt: Vectorized.map(src, dst, n) { 1 / $0.squareRoot() }
        case .square: Vectorized.map(src, dst, n) { $0 * $0 }
        case .log: for i in 0..<n { dst[i] = logf(src[i]) }
        }
    }
}

/// PReLU: `x < 0 ? alpha[c] * x : x` with `c = i % channels` (alpha broadcast over the last axis).
/// In-place safe. Precondition: `channels > 0`, `count` a multiple of `channels`.
public enum PReLU {
    public static let tolerance = Tolerance.exact

    public static func run(input: UnsafePointer<Float>, alpha: UnsafePointer<Float>, count: Int, channels: Int,
                           output: UnsafeMutablePointer<Float>, pool: ThreadPool) {
        let rows = count / channels
        let rowsPerTask = max(1, Unary.grain / channels)
        let shared = SendableBox((input, alpha, output))
        pool.parallelFor(count: (rows + rowsPerTask - 1) / rowsPerTask) { t in
            let (input, alpha, output) = shared.value
            for r in (t * rowsPerTask)..<min(rows, (t + 1) * rowsPerTask) {
                let src = input + r * channels, dst = output + r * channels
                var c = 0
                while c + 8 <= channels {
                    let x = UnsafeRawPointer(src + c).loadUnaligned(as: SIMD8<Float>.self)
                    let a = UnsafeRawPointer(alpha + c).loadUnaligned(as: SIMD8<Float>.self)
                    UnsafeMutableRawPointer(dst + c).storeBytes(of: x.replacing(with: x * a, where: x .< 0), as: SIMD8<Float>.self)
                    c += 8
                }
                while c < channels {
                    let x = src[c]
                    dst[c] = x < 0 ? alpha[c] * x : x
                    c += 1
                }
            }
        }
    }
}
