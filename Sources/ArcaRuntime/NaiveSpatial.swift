import ArcaKernels

/// Plain loops for the window ops, with the argument lists of the fast kernels
/// (`Conv2D.run(p, input:weights:bias:activation:output:)` etc.), so that a
/// plan step swaps one for the other in one line. Accumulation is in `Float`.
/// Preconditions: params are valid (`isValid`) and buffers hold the NHWC sizes they imply.
enum NaiveKernels {
    /// x `[N, inH, inW, inC]`, w `[outC, kH, kW, inC/groups]` → `[N, outH, outW, outC]`.
    static func conv2d(_ p: Conv2DParams, input: UnsafePointer<Float>, weights: UnsafePointer<Float>,
                       bias: UnsafePointer<Float>?, activation: Activation, output: UnsafeMutablePointer<Float>) {
        let (oh, ow) = (p.outH, p.outW)
        let gi = p.groupInC, go = p.groupOutC
        for n in 0..<p.batch {
            for oy in 0..<oh {
                for ox in 0..<ow {
                    let o = output + ((n * oh + oy) * ow + ox) * p.outC
                    for oc in 0..<p.outC {
                        let g = oc / go
                        var s: Float = bias?[oc] ?? 0
                        for ky in 0..<p.kH {
                            let iy = oy * p.strideH + ky * p.dilationH - p.padTop
                            if iy < 0 || iy >= p.inH { continue }
                            for kx in 0..<p.kW {
                                let ix = ox * p.strideW + kx * p.dilationW - p.padLeft
                                if ix < 0 || ix >= p.inW { continue }
                                let xp = input + ((n * p.inH + iy) * p.inW + ix) * p.inC + g * gi
                                let wp = weights + ((oc * p.kH + ky) * p.kW + kx) * gi
                                for c in 0..<gi { s += xp[c] * wp[c] }
                            }
                        }
                        o[oc] = activation.apply(s)
                    }
                }
            }
        }
    }

    /// x `[N, inH, inW, C]`, w `[kH, kW, C*m]` → `[N, outH, outW, C*m]`.
    static func depthwiseConv2d(_ p: DepthwiseConv2DParams, input: UnsafePointer<Float>, weights: UnsafePointer<Float>,
                                bias: UnsafePointer<Float>?, activation: Activation, output: UnsafeMutablePointer<Float>) {
        let (oh, ow, oc) = (p.outH, p.outW, p.outC)
        for n in 0..<p.batch {
            for oy in 0..<oh {
                for ox in 0..<ow {
                    let o = output + ((n * oh + oy) * ow + ox) * oc
                    for c in 0..<oc { o[c] = bias?[c] ?? 0 }
                    for ky in 0..<p.kH {
                        let iy = oy * p.strideH + ky * p.dilationH - p.padTop
                        if iy < 0 || iy >= p.inH { continue }
                        for kx in 0..<p.kW {
                            let ix = ox * p.strideW + kx * p.dilationW - p.padLeft
                            if ix < 0 || ix >= p.inW { continue }
                            let xp = input + ((n * p.inH + iy) * p.inW + ix) * p.inC
                            let wp = weights + (ky * p.kW + kx) * oc
                            for c in 0..<oc { o[c] += xp[c / p.multiplier] * wp[c] }
                        }
                    }
                    activation.apply(o, count: oc)
                }
            }
        }
    }

    /// x `[N, inH, inW, inC]`, w `[outC, kH, kW, inC]` → `[N, outH, outW, outC]` (scatter form).
    static func transposeConv2d(_ p: TransposeConv2DParams, input: UnsafePointer<Float>, weights: UnsafePointer<Float>,
                                bias: UnsafePointer<Float>?, activation: Activation, output: UnsafeMutablePointer<Float>) {
        let total = p.batch * p.outH * p.outW
        for i in 0..<total {
            for c in 0..<p.outC { output[i * p.outC + c] = bias?[c] ?? 0 }
        }
        for n in 0..<p.batch {
            for iy in 0..<p.inH {
                for ix in 0..<p.inW {
                    let xp = input + ((n * p.inH + iy) * p.inW + ix) * p.inC
                    for ky in 0..<p.kH {
                        let oy = iy * p.strideH + ky - p.padTop
                        if oy < 0 || oy >= p.outH { continue }
                        for kx in 0..<p.kW {
                            let ox = ix * p.strideW + kx - p.padLeft
                            if ox < 0 || ox >= p.outW { continue }
                            let o = output + ((n * p.outH + oy) * p.outW + ox) * p.outC
                            for oc in 0..<p.outC {
                                let wp = weights + ((oc * p.kH + ky) * p.kW + kx) * p.inC
                                var s: Float = 0
                                for c in 0..<p.inC { s += xp[c] * wp[c] }
                                o[oc] += s
                            }
                        }
                    }
                }
            }
        }
        activation.apply(output, count: total * p.outC)
    }

    /// Max or average over windows; padded taps are skipped (average divides by in-bounds taps).
    static func pool2d(_ p: Pool2DParams, input: UnsafePointer<Float>, activation: Activation, output: UnsafeMutablePointer<Float>) {
        let (oh, ow, ch) = (p.outH, p.outW, p.channels)
        for n in 0..<p.batch {
            for oy in 0..<oh {
                for ox in 0..<ow {
                    let o = output + ((n * oh + oy) * ow + ox) * ch
                    for c in 0..<ch {
                        var acc: Float = p.kind == .max ? -.infinity : 0
                        var taps = 0
                        for ky in 0..<p.kH {
                            let iy = oy * p.strideH + ky - p.padTop
                            if iy < 0 || iy >= p.inH { continue }
                            for kx in 0..<p.kW {
                                let ix = ox * p.strideW + kx - p.padLeft
                                if ix < 0 || ix >= p.inW { continue }
                                let v = input[((n * p.inH + iy) * p.inW + ix) * ch + c]
                                if p.kind == .max { acc = Swift.max(acc, v) } else { acc += v }
                                taps += 1
                            }
                        }
                        if p.kind == .average { acc = taps > 0 ? acc / Float(p.countIncludePad ? p.kH * p.kW : taps) : 0 }
                        o[c] = activation.apply(acc)
                    }
                }
            }
        }
    }

    /// Source coordinate and weights of output index `d` along one axis.
    @inline(__always)
    static func resizeTap(_ d: Int, inSize: Int, outSize: Int, mode: ResizeParams.CoordinateMode) -> (Int, Int, Float) {
        var src: Float
        switch mode {
        case .asymmetric: src = Float(d) * Float(inSize) / Float(outSize)
        case .alignCorners: src = outSize > 1 ? Float(d) * Float(inSize - 1) / Float(outSize - 1) : 0
        case .halfPixel: src = Swift.max(0, (Float(d) + 0.5) * Float(inSize) / Float(outSize) - 0.5)
        }
        let lo = Swift.min(Int(src), inSize - 1)
        let hi = Swift.min(lo + 1, inSize - 1)
        return (lo, hi, src - Float(lo))
    }

    static func resizeBilinear(_ p: ResizeParams, input: UnsafePointer<Float>, output: UnsafeMutablePointer<Float>) {
        let ch = p.channels
        for n in 0..<p.batch {
            for oy in 0..<p.outH {
                let (y0, y1, fy) = resizeTap(oy, inSize: p.inH, outSize: p.outH, mode: p.mode)
                for ox in 0..<p.outW {
                    let (x0, x1, fx) = resizeTap(ox, inSize: p.inW, outSize: p.outW, mode: p.mode)
                    let o = output + ((n * p.outH + oy) * p.outW + ox) * ch
                    let r0 = input + (n * p.inH + y0) * p.inW * ch, r1 = input + (n * p.inH + y1) * p.inW * ch
                    for c in 0..<ch {
                        let top = r0[x0 * ch + c] + (r0[x1 * ch + c] - r0[x0 * ch + c]) * fx
                        let bottom = r1[x0 * ch + c] + (r1[x1 * ch + c] - r1[x0 * ch + c]) * fx
                        o[c] = top + (bottom - top) * fy
                    }
                }
            }
        }
    }
}
