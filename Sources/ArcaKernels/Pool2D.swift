/// Max and average pooling over NHWC input (TFLite semantics: padded taps are
/// skipped; average divides by the in-bounds taps unless `countIncludePad`).
///
/// Tasks are output rows; 8-channel blocks are the SIMD axis.
/// Precondition: `params.isValid`; buffers sized for the shapes the params imply.
public enum Pool2D {
    typealias V = SIMD8<Float>

    /// Max is exact; average sums `kH * kW` terms in a different order than the reference.
    public static func tolerance(_ p: Pool2DParams) -> Tolerance {
        p.kind == .max ? .exact : .dot(k: p.kH * p.kW)
    }

    public static func run(_ p: Pool2DParams, input: UnsafePointer<Float>, activation: Activation = .none,
                           output: UnsafeMutablePointer<Float>, pool: ThreadPool) {
        let outH = p.outH, outW = p.outW, c = p.channels
        let shared = SendableBox((input, output))
        pool.parallelFor(count: p.batch * outH) { task in
            let (input, output) = shared.value
            let n = task / outH, oy = task % outH
            let img = input + n * p.inH * p.inW * c
            let out = output + task * outW * c
            let iy0 = oy * p.strideH - p.padTop
            let ky0 = max(0, -iy0), ky1 = min(p.kH, p.inH - iy0)
            for ox in 0..<outW {
                let ix0 = ox * p.strideW - p.padLeft
                let kx0 = max(0, -ix0), kx1 = min(p.kW, p.inW - ix0)
                let taps = max(0, ky1 - ky0) * max(0, kx1 - kx0)
                let divisor = Float(p.countIncludePad ? p.kH * p.kW : max(1, taps))
                let dst = out + ox * c
                var cb = 0
                while cb + 8 <= c {
                    var acc = V(repeating: p.kind == .max ? -Float.infinity : 0)
                    for ky in ky0..<ky1 {
                        for kx in kx0..<kx1 {
                            let x = UnsafeRawPointer(img + ((iy0 + ky) * p.inW + ix0 + kx) * c + cb).loadUnaligned(as: V.self)
                            acc = p.kind == .max ? acc.maximum(x) : acc + x
                        }
                    }
                    if p.kind == .average { acc /= V(repeating: divisor) }
                    UnsafeMutableRawPointer(dst + cb).storeBytes(of: acc, as: V.self)
                    cb += 8
                }
                while cb < c {
                    var acc: Float = p.kind == .max ? -Float.infinity : 0
                    for ky in ky0..<ky1 {
                        for kx in kx0..<kx1 {
                            let x = img[((iy0 + ky) * p.inW + ix0 + kx) * c + cb]
                            acc = p.kind == .max ? Swift.max(acc, x) : acc + x
                        }
                    }
                    dst[cb] = p.kind == .average ? acc / divisor : acc
                    cb += 1
                }
            }
            activation.apply(out, count: outW * c)
        }
    }
}

extension Pool2D {
    /// Max pooling of uint8 values (exact; same quantization in and out), 16 bytes at a time.
    public static func maxBytes(_ p: Pool2DParams, input: UnsafePointer<UInt8>, output: UnsafeMutablePointer<UInt8>, pool: ThreadPool) {
        let outH = p.outH, outW = p.outW, c = p.channels
        let shared = SendableBox((input, output))
        pool.parallelFor(count: p.batch * outH) { task in
            let (input, output) = shared.value
            let n = task / outH, oy = task % outH
            let img = input + n * p.inH * p.inW * c
            let out = output + task * outW * c
            let iy0 = oy * p.strideH - p.padTop
            let ky0 = max(0, -iy0), ky1 = min(p.kH, p.inH - iy0)
            for ox in 0..<outW {
                let ix0 = ox * p.strideW - p.padLeft
                let kx0 = max(0, -ix0), kx1 = min(p.kW, p.inW - ix0)
                let dst = out + ox * c
                var cb = 0
                // 16-byte blocks; the last overlaps its neighbour (the same maxima again).
                while c >= 16 && cb < c {
                    cb = Swift.min(cb, c - 16)
                    var acc = SIMD16<UInt8>()
                    for ky in ky0..<ky1 {
                        for kx in kx0..<kx1 {
                            acc = pointwiseMax(acc, UnsafeRawPointer(img + ((iy0 + ky) * p.inW + ix0 + kx) * c + cb).loadUnaligned(as: SIMD16<UInt8>.self))
                        }
                    }
                    UnsafeMutableRawPointer(dst + cb).storeBytes(of: acc, as: SIMD16<UInt8>.self)
                    cb += 16
                }
                while cb < c {
                    var acc: UInt8 = 0
                    for ky in ky0..<ky1 {
                        for kx in kx0..<kx1 { acc = Swift.max(acc, img[((iy0 + ky) * p.inW + ix0 + kx) * c + cb]) }
                    }
                    dst[cb] = acc
                    cb += 1
                }
            }
        }
    }
}
