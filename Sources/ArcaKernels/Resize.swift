import CArcaCPU
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
/// Column taps are computed once per call; tasks are output rows, channels the SIMD axis
/// (16 lanes, the last block overlapping its neighbour; 8 lanes below 16 channels).
/// Precondition: `params.isValid`; buffers sized for the shapes.
public enum ResizeBilinear {
    typealias V = SIMD8<Float>
    typealias W = SIMD16<Float>

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
        rows(p, pool: pool) { n, y0, y1, fy, oy, xt in
            let c = p.channels
            let img = input + n * p.inH * p.inW * c
            let r0 = img + y0 * p.inW * c, r1 = img + y1 * p.inW * c
            let out = output + ((n * p.outH) + oy) * p.outW * c
            let wy1 = W(repeating: fy), wy0 = W(repeating: 1 - fy)
            for ox in 0..<p.outW {
                let (x0, x1, fx) = xt[ox]
                let wx1 = W(repeating: fx), wx0 = W(repeating: 1 - fx)
                let a = r0 + x0 * c, b = r1 + x0 * c, d = r0 + x1 * c, e = r1 + x1 * c
                let dst = out + ox * c
                var ch = 0
                if c >= 16 {
                    while ch < c {
                        let cb = Swift.min(ch, c - 16)
                        @inline(__always) func ld(_ q: UnsafePointer<Float>) -> W { UnsafeRawPointer(q + cb).loadUnaligned(as: W.self) }
                        let v = ld(a) * wy0 * wx0 + ld(b) * wy1 * wx0 + ld(d) * wy0 * wx1 + ld(e) * wy1 * wx1
                        UnsafeMutableRawPointer(dst + cb).storeBytes(of: v, as: W.self)
                        ch += 16
                    }
                    continue
                }
                while ch < c {
                    dst[ch] = a[ch] * (1 - fy) * (1 - fx) + b[ch] * fy * (1 - fx) + d[ch] * (1 - fy) * fx + e[ch] * fy * fx
                    ch += 1
                }
            }
        }
    }

    /// uint8 values (same quantization in and out): the float formula on the bytes, rounded half to even.
    public static func run(_ p: ResizeParams, bytes input: UnsafePointer<UInt8>, output: UnsafeMutablePointer<UInt8>, pool: ThreadPool) {
        rows(p, pool: pool) { n, y0, y1, fy, oy, xt in
            let c = p.channels
            let img = input + n * p.inH * p.inW * c
            let r0 = img + y0 * p.inW * c, r1 = img + y1 * p.inW * c
            let out = output + ((n * p.outH) + oy) * p.outW * c
            let wy1 = W(repeating: fy), wy0 = W(repeating: 1 - fy)
            for ox in 0..<p.outW {
                let (x0, x1, fx) = xt[ox]
                let wx1 = W(repeating: fx), wx0 = W(repeating: 1 - fx)
                let a = r0 + x0 * c, b = r1 + x0 * c, d = r0 + x1 * c, e = r1 + x1 * c
                let dst = out + ox * c
                var ch = 0
                if c >= 16 {
                    while ch < c {
                        let cb = Swift.min(ch, c - 16)
                        @inline(__always) func ld(_ q: UnsafePointer<UInt8>) -> W { arca_load_u8x16_as_f32(q + cb, 0xFFFF) }
                        let v = ld(a) * wy0 * wx0 + ld(b) * wy1 * wx0 + ld(d) * wy0 * wx1 + ld(e) * wy1 * wx1
                        arca_store_u8x16_from_f32(v, dst + cb, 0xFFFF)
                        ch += 16
                    }
                    continue
                }
                while ch < c {
                    let v = Float(a[ch]) * (1 - fy) * (1 - fx) + Float(b[ch]) * fy * (1 - fx) + Float(d[ch]) * (1 - fy) * fx + Float(e[ch]) * fy * fx
                    dst[ch] = UInt8(Swift.max(0, Swift.min(255, v.rounded(.toNearestOrEven))))
                    ch += 1
                }
            }
        }
    }

    /// Runs `body(image, y0, y1, fy, oy, xTaps)` for every output row, in parallel.
    @inline(__always)
    static func rows(_ p: ResizeParams, pool: ThreadPool, _ body: (Int, Int, Int, Float, Int, UnsafePointer<(Int, Int, Float)>) -> Void) {
        let sy = scale(p.inH, p.outH, p.mode), sx = scale(p.inW, p.outW, p.mode)
        let xTaps = (0..<p.outW).map { taps($0, sx, p.inW, p.mode) }
        xTaps.withUnsafeBufferPointer { xt in
            let xtBox = SendableBox(xt.baseAddress!)
            pool.parallelFor(count: p.batch * p.outH) { task in
                let n = task / p.outH, oy = task % p.outH
                let (y0, y1, fy) = taps(oy, sy, p.inH, p.mode)
                body(n, y0, y1, fy, oy, xtBox.value)
            }
        }
    }
}
