/// Depthwise 2-D convolution, NHWC, weights `[kH, kW, outC]` with `outC = inC * multiplier`.
///
/// Tasks are output rows (image, oy). Within a row, channel blocks (16 lanes with
/// AVX-512 and at least 16 channels, else 8) are the SIMD axis and the output columns
/// whose taps are all in bounds run a loop without bounds checks (`kW` is a constant
/// 3 or 5 on the fast paths).
/// Multiplier > 1 first expands the row's input channels into a scratch row.
///
/// Precondition: `params.isValid`; buffers sized for the shapes the params imply.
public enum DepthwiseConv2D {

    /// Allowed difference from ``Reference/depthwiseConv2d(_:input:weights:bias:activation:output:)``.
    public static func tolerance(_ p: DepthwiseConv2DParams) -> Tolerance {
        .dot(k: p.kH * p.kW + 1)
    }

    public static func run(_ p: DepthwiseConv2DParams, input: UnsafePointer<Float>, weights: UnsafePointer<Float>,
                           bias: UnsafePointer<Float>?, activation: Activation,
                           output: UnsafeMutablePointer<Float>, pool: ThreadPool) {
        let outH = p.outH
        let shared = SendableBox((input, weights, bias, output))
        // Group rows so each task has a few thousand outputs.
        let rowWork = p.outW * p.outC * p.kH * p.kW
        let rowsPerTask = max(1, min(outH, 16_384 / max(1, rowWork)))
        let tasksPerImage = (outH + rowsPerTask - 1) / rowsPerTask
        pool.parallelFor(count: p.batch * tasksPerImage) { task in
            let (input, weights, bias, output) = shared.value
            let n = task / tasksPerImage
            let oy0 = (task % tasksPerImage) * rowsPerTask
            for oy in oy0..<min(outH, oy0 + rowsPerTask) {
                let out = output + ((n * outH + oy) * p.outW) * p.outC
                if p.multiplier == 1 {
                    let img = input + n * p.inH * p.inW * p.inC
                    row(p, image: img, pixelStride: p.inC, weights: weights, bias: bias, oy: oy, out: out)
                } else {
                    expandedRow(p, input: input, image: n, weights: weights, bias: bias, oy: oy, out: out)
                }
                activation.apply(out, count: p.outW * p.outC)
            }
        }
    }

    /// Multiplier > 1: copies the input rows this output row reads with each channel repeated
    /// `multiplier` times, then runs the multiplier-1 row kernel on them.
    static func expandedRow(_ p: DepthwiseConv2DParams, input: UnsafePointer<Float>, image n: Int,
                            weights: UnsafePointer<Float>, bias: UnsafePointer<Float>?, oy: Int,
                            out: UnsafeMutablePointer<Float>) {
        let oc = p.outC, mult = p.multiplier
        let rowFloats = p.inW * oc
        Scratch.withFloats(p.inH * rowFloats) { expanded in
            for ky in 0..<p.kH {
                let iy = oy * p.strideH - p.padTop + ky * p.dilationH
                if iy < 0 || iy >= p.inH { continue }
                let src = input + (n * p.inH + iy) * p.inW * p.inC
                let dst = expanded + iy * rowFloats
                for ix in 0..<p.inW {
                    for c in 0..<p.inC {
                        let v = src[ix * p.inC + c]
                        for m in 0..<mult { dst[ix * oc + c * mult + m] = v }
                    }
                }
            }
            row(p, image: UnsafePointer(expanded), pixelStride: oc, weights: weights, bias: bias, oy: oy, out: out)
        }
    }

    /// One output row; `image` holds `[inH, inW, outC]` with pixel stride `pixelStride`.
    @inline(__always)
    static func row(_ p: DepthwiseConv2DParams, image: UnsafePointer<Float>, pixelStride: Int,
                    weights: UnsafePointer<Float>, bias: UnsafePointer<Float>?, oy: Int,
                    out: UnsafeMutablePointer<Float>) {
        let c = p.outC
        // Valid ky range for this row.
        let iy0 = oy * p.strideH - p.padTop
        var ky0 = 0, ky1 = p.kH
        while ky0 < ky1 && iy0 + ky0 * p.dilationH < 0 { ky0 += 1 }
        while ky1 > ky0 && iy0 + (ky1 - 1) * p.dilationH >= p.inH { ky1 -= 1 }
        // Output columns whose taps are all in bounds: [ox0, ox1).
        var ox0 = 0
        while ox0 < p.outW && ox0 * p.strideW - p.padLeft < 0 { ox0 += 1 }
        var ox1 = p.outW
        while ox1 > ox0 && (ox1 - 1) * p.strideW - p.padLeft + (p.kW - 1) * p.dilationW >= p.inW { ox1 -= 1 }
        let rowStride = p.inW * pixelStride
        if c < 8 {
            tailChannels(p, image, rowStride, pixelStride, weights, bias, oy, ky0, ky1, 0, out)
            return
        }
        if CPU.avx512 && c >= 16 {
            blocks(SIMD16<Float>.self, p, image, rowStride, pixelStride, weights, bias, oy, iy0, ky0, ky1, ox0, ox1, out)
        } else {
            blocks(SIMD8<Float>.self, p, image, rowStride, pixelStride, weights, bias, oy, iy0, ky0, ky1, ox0, ox1, out)
        }
    }

    /// Channel blocks of `V.scalarCount` lanes; a ragged last block is the overlapping block
    /// [c - lanes, c), which recomputes some channels to the same values instead of taking a scalar path.
    @inline(__always)
    static func blocks<V: SIMD>(_: V.Type, _ p: DepthwiseConv2DParams, _ image: UnsafePointer<Float>, _ rowStride: Int,
                                _ pixelStride: Int, _ weights: UnsafePointer<Float>, _ bias: UnsafePointer<Float>?,
                                _ oy: Int, _ iy0: Int, _ ky0: Int, _ ky1: Int, _ ox0: Int, _ ox1: Int,
                                _ out: UnsafeMutablePointer<Float>) where V.Scalar == Float {
        let c = p.outC, lanes = V.scalarCount
        var next = 0
        while next < c {
            let cb = min(next, c - lanes)
            next += lanes
            let b = bias.map { UnsafeRawPointer($0 + cb).loadUnaligned(as: V.self) } ?? V()
            let w = weights + cb
            let img = image + cb
            for ox in 0..<ox0 { edgePixel(p, img, rowStride, pixelStride, w, b, oy, ox, ky0, ky1, out + ox * c + cb) }
            if p.kW == 3 && p.kH == 3 && p.dilationW == 1 && p.dilationH == 1 && ky0 == 0 && ky1 == 3 {
                interior3x3(p, img, rowStride, pixelStride, w, b, iy0, ox0, ox1, out + cb)
            } else if p.kW == 3 && p.dilationW == 1 {
                interior(p, kW: 3, img, rowStride, pixelStride, w, b, iy0, ky0, ky1, ox0, ox1, out + cb)
            } else if p.kW == 5 && p.dilationW == 1 && p.strideW <= 2 {
                interior5x5(p, img, rowStride, pixelStride, w, b, iy0, ky0, ky1, ox0, ox1, out + cb)
            } else if p.kW == 5 && p.dilationW == 1 {
                interior(p, kW: 5, img, rowStride, pixelStride, w, b, iy0, ky0, ky1, ox0, ox1, out + cb)
            } else {
                for ox in ox0..<ox1 { edgePixel(p, img, rowStride, pixelStride, w, b, oy, ox, ky0, ky1, out + ox * c + cb) }
            }
            for ox in max(ox0, ox1)..<p.outW { edgePixel(p, img, rowStride, pixelStride, w, b, oy, ox, ky0, ky1, out + ox * c + cb) }
        }
    }

    @inline(__always)
    static func interior<V: SIMD>(_ p: DepthwiseConv2DParams, kW: Int, _ img: UnsafePointer<Float>, _ rowStride: Int,
                                  _ pixelStride: Int, _ w: UnsafePointer<Float>, _ b: V,
                                  _ iy0: Int, _ ky0: Int, _ ky1: Int, _ ox0: Int, _ ox1: Int,
                                  _ out: UnsafeMutablePointer<Float>) where V.Scalar == Float {
        let c = p.outC, sw = p.strideW
        var ox = ox0
        while ox < ox1 {
            var acc = b
            let ix0 = ox * sw - p.padLeft
            for ky in ky0..<ky1 {
                let src = UnsafeRawPointer(img + (iy0 + ky * p.dilationH) * rowStride + ix0 * pixelStride)
                let wr = UnsafeRawPointer(w + ky * kW * c)
                for kx in 0..<kW {
                    acc.addProduct(src.loadUnaligned(fromByteOffset: kx * pixelStride * 4, as: V.self),
                                   wr.loadUnaligned(fromByteOffset: kx * c * 4, as: V.self))
                }
            }
            UnsafeMutableRawPointer(out + ox * c).storeBytes(of: acc, as: V.self)
            ox += 1
        }
    }

    /// Interior columns of a 5-wide kernel at stride 1 or 2, four output columns per step: each
    /// weight vector is loaded once per kernel row for four multiply-adds in independent chains
    /// (one column at a time, a 5x5 layer ran at a third of a 3x3 layer's rate). Taps are summed
    /// in the order of ``edgePixel(_:_:_:_:_:_:_:_:_:_:_:)``.
    @inline(__always)
    static func interior5x5<V: SIMD>(_ p: DepthwiseConv2DParams, _ img: UnsafePointer<Float>, _ rowStride: Int,
                                     _ pixelStride: Int, _ w: UnsafePointer<Float>, _ b: V,
                                     _ iy0: Int, _ ky0: Int, _ ky1: Int, _ ox0: Int, _ ox1: Int,
                                     _ out: UnsafeMutablePointer<Float>) where V.Scalar == Float {
        let c = p.outC, sw = p.strideW, ps = pixelStride * 4
        var ox = ox0
        while ox + 4 <= ox1 {
            var a0 = b, a1 = b, a2 = b, a3 = b
            let ix0 = ox * sw - p.padLeft
            for ky in ky0..<ky1 {
                let r = UnsafeRawPointer(img + (iy0 + ky * p.dilationH) * rowStride + ix0 * pixelStride)
                let wr = UnsafeRawPointer(w + ky * 5 * c)
                @inline(__always) func x(_ i: Int) -> V { r.loadUnaligned(fromByteOffset: i * ps, as: V.self) }
                @inline(__always) func k(_ kx: Int) -> V { wr.loadUnaligned(fromByteOffset: kx * c * 4, as: V.self) }
                for kx in 0..<5 {
                    let kv = k(kx)
                    a0.addProduct(x(kx), kv); a1.addProduct(x(sw + kx), kv)
                    a2.addProduct(x(2 * sw + kx), kv); a3.addProduct(x(3 * sw + kx), kv)
                }
            }
            let o = UnsafeMutableRawPointer(out + ox * c)
            o.storeBytes(of: a0, as: V.self)
            o.storeBytes(of: a1, toByteOffset: c * 4, as: V.self)
            o.storeBytes(of: a2, toByteOffset: 2 * c * 4, as: V.self)
            o.storeBytes(of: a3, toByteOffset: 3 * c * 4, as: V.self)
            ox += 4
        }
        if ox < ox1 { interior(p, kW: 5, img, rowStride, pixelStride, w, b, iy0, ky0, ky1, ox, ox1, out) }
    }

    /// The all-taps-inside 3x3 case with the nine weight vectors held in registers, four output
    /// columns per step (independent accumulators; stride 1 shares six input columns between
    /// them, stride 2 nine), then single columns. Taps are summed in the same order as
    /// ``edgePixel(_:_:_:_:_:_:_:_:_:_:_:)``.
    @inline(__always)
    static func interior3x3<V: SIMD>(_ p: DepthwiseConv2DParams, _ img: UnsafePointer<Float>, _ rowStride: Int, _ pixelStride: Int,
                                     _ w: UnsafePointer<Float>, _ b: V, _ iy0: Int, _ ox0: Int, _ ox1: Int,
                                     _ out: UnsafeMutablePointer<Float>) where V.Scalar == Float {
        let c = p.outC, sw = p.strideW, ps = pixelStride * 4
        let wr = UnsafeRawPointer(w)
        @inline(__always) func wt(_ t: Int) -> V { wr.loadUnaligned(fromByteOffset: t * c * 4, as: V.self) }
        let w0 = wt(0), w1 = wt(1), w2 = wt(2), w3 = wt(3), w4 = wt(4), w5 = wt(5), w6 = wt(6), w7 = wt(7), w8 = wt(8)
        let rs = rowStride * 4
        var ox = ox0
        if sw <= 2 {
            while ox + 4 <= ox1 {
                let src = UnsafeRawPointer(img + iy0 * rowStride + (ox * sw - p.padLeft) * pixelStride)
                var a0 = b, a1 = b, a2 = b, a3 = b
                @inline(__always) func row(_ r: UnsafeRawPointer, _ k0: V, _ k1: V, _ k2: V) {
                    @inline(__always) func x(_ i: Int) -> V { r.loadUnaligned(fromByteOffset: i * ps, as: V.self) }
                    if sw == 1 {
                        let x0 = x(0), x1 = x(1), x2 = x(2), x3 = x(3), x4 = x(4), x5 = x(5)
                        a0.addProduct(x0, k0); a1.addProduct(x1, k0); a2.addProduct(x2, k0); a3.addProduct(x3, k0)
                        a0.addProduct(x1, k1); a1.addProduct(x2, k1); a2.addProduct(x3, k1); a3.addProduct(x4, k1)
                        a0.addProduct(x2, k2); a1.addProduct(x3, k2); a2.addProduct(x4, k2); a3.addProduct(x5, k2)
                    } else {
                        let x0 = x(0), x2 = x(2), x4 = x(4), x6 = x(6)
                        a0.addProduct(x0, k0); a1.addProduct(x2, k0); a2.addProduct(x4, k0); a3.addProduct(x6, k0)
                        a0.addProduct(x(1), k1); a1.addProduct(x(3), k1); a2.addProduct(x(5), k1); a3.addProduct(x(7), k1)
                        a0.addProduct(x2, k2); a1.addProduct(x4, k2); a2.addProduct(x6, k2); a3.addProduct(x(8), k2)
                    }
                }
                row(src, w0, w1, w2)
                row(src + rs, w3, w4, w5)
                row(src + 2 * rs, w6, w7, w8)
                let o = UnsafeMutableRawPointer(out + ox * c)
                o.storeBytes(of: a0, as: V.self)
                o.storeBytes(of: a1, toByteOffset: c * 4, as: V.self)
                o.storeBytes(of: a2, toByteOffset: 2 * c * 4, as: V.self)
                o.storeBytes(of: a3, toByteOffset: 3 * c * 4, as: V.self)
                ox += 4
            }
        }
        while ox < ox1 {
            let src = UnsafeRawPointer(img + iy0 * rowStride + (ox * sw - p.padLeft) * pixelStride)
            var acc = b
            acc.addProduct(src.loadUnaligned(as: V.self), w0)
            acc.addProduct(src.loadUnaligned(fromByteOffset: ps, as: V.self), w1)
            acc.addProduct(src.loadUnaligned(fromByteOffset: 2 * ps, as: V.self), w2)
            acc.addProduct(src.loadUnaligned(fromByteOffset: rs, as: V.self), w3)
            acc.addProduct(src.loadUnaligned(fromByteOffset: rs + ps, as: V.self), w4)
            acc.addProduct(src.loadUnaligned(fromByteOffset: rs + 2 * ps, as: V.self), w5)
            acc.addProduct(src.loadUnaligned(fromByteOffset: 2 * rs, as: V.self), w6)
            acc.addProduct(src.loadUnaligned(fromByteOffset: 2 * rs + ps, as: V.self), w7)
            acc.addProduct(src.loadUnaligned(fromByteOffset: 2 * rs + 2 * ps, as: V.self), w8)
            UnsafeMutableRawPointer(out + ox * c).storeBytes(of: acc, as: V.self)
            ox += 1
        }
    }

    @inline(__always)
    static func edgePixel<V: SIMD>(_ p: DepthwiseConv2DParams, _ img: UnsafePointer<Float>, _ rowStride: Int, _ pixelStride: Int,
                                   _ w: UnsafePointer<Float>, _ b: V, _ oy: Int, _ ox: Int, _ ky0: Int, _ ky1: Int,
                                   _ out: UnsafeMutablePointer<Float>) where V.Scalar == Float {
        let c = p.outC
        var acc = b
        let iy0 = oy * p.strideH - p.padTop, ix0 = ox * p.strideW - p.padLeft
        for ky in ky0..<ky1 {
            let iy = iy0 + ky * p.dilationH
            for kx in 0..<p.kW {
                let ix = ix0 + kx * p.dilationW
                if ix < 0 || ix >= p.inW { continue }
                let x = UnsafeRawPointer(img + iy * rowStride + ix * pixelStride).loadUnaligned(as: V.self)
                let wv = UnsafeRawPointer(w + (ky * p.kW + kx) * c).loadUnaligned(as: V.self)
                acc.addProduct(x, wv)
            }
        }
        UnsafeMutableRawPointer(out).storeBytes(of: acc, as: V.self)
    }

    /// Channels `c0..<outC`, scalar (fewer than 8 channels in all).
    static func tailChannels(_ p: DepthwiseConv2DParams, _ image: UnsafePointer<Float>, _ rowStride: Int,
                             _ pixelStride: Int, _ weights: UnsafePointer<Float>, _ bias: UnsafePointer<Float>?,
                             _ oy: Int, _ ky0: Int, _ ky1: Int, _ c0: Int, _ out: UnsafeMutablePointer<Float>) {
        let c = p.outC
        let iy0 = oy * p.strideH - p.padTop
        for ox in 0..<p.outW {
            let ix0 = ox * p.strideW - p.padLeft
            for ch in c0..<c {
                var acc = bias?[ch] ?? 0
                for ky in ky0..<ky1 {
                    let iy = iy0 + ky * p.dilationH
                    for kx in 0..<p.kW {
                        let ix = ix0 + kx * p.dilationW
                        if ix < 0 || ix >= p.inW { continue }
                        acc += image[iy * rowStride + ix * pixelStride + ch] * weights[(ky * p.kW + kx) * c + ch]
                    }
                }
                out[ox * c + ch] = acc
            }
        }
    }
}
