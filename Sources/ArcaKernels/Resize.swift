#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// Bilinear resize of NHWC images with TFLite RESIZE_BILINEAR semantics
/// (reference_ops): `src = dst * scale` (or `(dst + 0.5) * scale - 0.5` for
/// half-pixel), `lo = max(floor(src), 0)`, `hi = min(ceil(src), in - 1)`,
/// weights `src - lo` and `1 - (src - lo)` (a negative half-pixel `src` thus
/// reads row 0 with weights summing to 1). Scales are computed in `Float`.
///
/// Column taps are computed once per call; tasks are output rows, channels the SIMD axis.
/// Precondition: `params.isValid`; buffers sized for the shapes.
public enum ResizeBilinear {
    typealias V = SIMD8<Float>

    /// The same float formula as the reference, evaluated with fused multiply-adds in a different order.
    public static func tolerance(_ p: ResizeParams) -> Tolerance {
        Tolerance(absolute: 1e-6, relative: 8 * .ulpOfOne)
    }

    /// The TFLite scale for one axis.
    @inline(__always)
    static func scale(_ input: Int, _ output: Int, _ mode: ResizeParams.CoordinateMode) -> Float {
        if mode == .alignCorners && output > 1 { return Float(input - 1) / Float(output - 1) }
        return Float(input) / Float(output)
    }

    /// Source taps `(lo, hi, frac)` for output coordinate `dst`.
    @inline(__always)
    static func taps(_ dst: Int, _ scale: Float, _ inputSize: Int, _ mode: ResizeParams.CoordinateMode) -> (Int, Int, Float) {
        let v = mode == .halfPixel ? (Float(dst) + 0.5) * scale - 0.5 : Float(dst) * scale
        let lo = Swift.max(Int(floorf(v)), 0)
        let hi = Swift.min(Int(ceilf(v)), inputSize - 1)
        return (lo, hi, v - Float(lo))
    }

    public static func run(_ p: ResizeParams, input: UnsafePointer<Float>, output: UnsafeMutablePointer<Float>, pool: ThreadPool) {
        let c = p.channels
        let sy = scale(p.inH, p.outH, p.mode), sx = scale(p.inW, p.outW, p.mode)
        let xTaps = (0..<p.outW).map { taps($0, sx, p.inW, p.mode) }
        let shared = SendableBox((input, output))
        xTaps.withUnsafeBufferPointer { xt in
            let xtBox = SendableBox(xt.baseAddress!)
            pool.parallelFor(count: p.batch * p.outH) { task in
                let (input, output) = shared.value
                let xt = xtBox.value
                let n = task / p.outH, oy = task % p.outH
                let (y0, y1, fy) = taps(oy, sy, p.inH, p.mode)
                let img = input + n * p.inH * p.inW * c
                let r0 = img + y0 * p.inW * c, r1 = img + y1 * p.inW * c
                let out = output + task * p.outW * c
                let wy1 = V(repeating: fy), wy0 = V(repeating: 1 - fy)
                for ox in 0..<p.outW {
                    let (x0, x1, fx) = xt[ox]
                    let wx1 = V(repeating: fx), wx0 = V(repeating: 1 - fx)
                    let a = r0 + x0 * c, b = r1 + x0 * c, d = r0 + x1 * c, e = r1 + x1 * c
                    let dst = out + ox * c
                    var ch = 0
                    while ch + 8 <= c {
                        func ld(_ q: UnsafePointer<Float>) -> V { UnsafeRawPointer(q + ch).loadUnaligned(as: V.self) }
                        let v = ld(a) * wy0 * wx0 + ld(b) * wy1 * wx0 + ld(d) * wy0 * wx1 + ld(e) * wy1 * wx1
                        UnsafeMutableRawPointer(dst + ch).storeBytes(of: v, as: V.self)
                        ch += 8
                    }
                    while ch < c {
                        dst[ch] = a[ch] * (1 - fy) * (1 - fx) + b[ch] * fy * (1 - fx) + d[ch] * (1 - fy) * fx + e[ch] * fy * fx
                        ch += 1
                    }
                }
            }
        }
    }
}
