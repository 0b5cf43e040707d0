extension Reference {
    /// Direct convolution, NHWC input, OHWI weights, `Double` accumulation.
    public static func conv2d(_ p: Conv2DParams, input: UnsafePointer<Float>, weights: UnsafePointer<Float>,
                              bias: UnsafePointer<Float>?, activation: Activation, output: UnsafeMutablePointer<Float>) {
        let cg = p.groupInC, og = p.groupOutC
        for n in 0..<p.batch {
            for oy in 0..<p.outH {
                for ox in 0..<p.outW {
                    for oc in 0..<p.outC {
                        let g = oc / og
                        var s = Double(bias?[oc] ?? 0)
                        for ky in 0..<p.kH {
                            for kx in 0..<p.kW {
                                let iy = oy * p.strideH - p.padTop + ky * p.dilationH
                                let ix = ox * p.strideW - p.padLeft + kx * p.dilationW
                                if iy < 0 || iy >= p.inH || ix < 0 || ix >= p.inW { continue }
                                for ci in 0..<cg {
                                    let x = input[((n * p.inH + iy) * p.inW + ix) * p.inC + g * cg + ci]
                                    let w = weights[((oc * p.kH + ky) * p.kW + kx) * cg + ci]
                                    s += Double(x) * Double(w)
                                }
                            }
                        }
                        output[((n * p.outH + oy) * p.outW + ox) * p.outC + oc] = activation.apply(Float(s))
                    }
                }
            }
        }
    }

    /// Direct depthwise convolution, weights `[kH, kW, inC * multiplier]`.
    public static func depthwiseConv2d(_ p: DepthwiseConv2DParams, input: UnsafePointer<Float>, weights: UnsafePointer<Float>,
                                       bias: UnsafePointer<Float>?, activation: Activation, output: UnsafeMutablePointer<Float>) {
        for n in 0..<p.batch {
            for oy in 0..<p.outH {
                for ox in 0..<p.outW {
                    for oc in 0..<p.outC {
                        let ic = oc / p.multiplier
                        var s = Double(bias?[oc] ?? 0)
                        for ky in 0..<p.kH {
                            for kx in 0..<p.kW {
                                let iy = oy * p.strideH - p.padTop + ky * p.dilationH
                                let ix = ox * p.strideW - p.padLeft + kx * p.dilationW
                                if iy < 0 || iy >= p.inH || ix < 0 || ix >= p.inW { continue }
                                s += Double(input[((n * p.inH + iy) * p.inW + ix) * p.inC + ic]) *
                                    Double(weights[(ky * p.kW + kx) * p.outC + oc])
                            }
                        }
                        output[((n * p.outH + oy) * p.outW + ox) * p.outC + oc] = activation.apply(Float(s))
                    }
                }
            }
        }
    }

    /// Transposed convolution as a gather: each output pixel sums the input pixels whose taps reach it.
    public static func transposeConv2d(_ p: TransposeConv2DParams, input: UnsafePointer<Float>, weights: UnsafePointer<Float>,
                                       bias: UnsafePointer<Float>?, output: UnsafeMutablePointer<Float>) {
        for n in 0..<p.batch {
            for oy in 0..<p.outH {
                for ox in 0..<p.outW {
                    for oc in 0..<p.outC {
                        var s = Double(bias?[oc] ?? 0)
                        for ky in 0..<p.kH {
                            let ty = oy + p.padTop - ky
                            if ty < 0 || ty % p.strideH != 0 || ty / p.strideH >= p.inH { continue }
                            for kx in 0..<p.kW {
                                let tx = ox + p.padLeft - kx
                                if tx < 0 || tx % p.strideW != 0 || tx / p.strideW >= p.inW { continue }
                                let iy = ty / p.strideH, ix = tx / p.strideW
                                for ic in 0..<p.inC {
                                    s += Double(input[((n * p.inH + iy) * p.inW + ix) * p.inC + ic]) *
                                        Double(weights[((oc * p.kH + ky) * p.kW + kx) * p.inC + ic])
                                }
                            }
                        }
                        output[((n * p.outH + oy) * p.outW + ox) * p.outC + oc] = Float(s)
                    }
                }
            }
        }
    }

    /// Max / average pooling; padded taps are skipped.
    public static func pool2d(_ p: Pool2DParams, input: UnsafePointer<Float>, activation: Activation = .none,
                              output: UnsafeMutablePointer<Float>) {
        for n in 0..<p.batch {
            for oy in 0..<p.outH {
                for ox in 0..<p.outW {
                    for c in 0..<p.channels {
                        var mx = -Float.infinity, sum = 0.0, taps = 0
                        for ky in 0..<p.kH {
                            for kx in 0..<p.kW {
                                let iy = oy * p.strideH - p.padTop + ky, ix = ox * p.strideW - p.padLeft + kx
                                if iy < 0 || iy >= p.inH || ix < 0 || ix >= p.inW { continue }
                                let x = input[((n * p.inH + iy) * p.inW + ix) * p.channels + c]
                                mx = Swift.max(mx, x)
                                sum += Double(x)
                                taps += 1
                            }
                        }
                        let divisor = p.countIncludePad ? p.kH * p.kW : Swift.max(taps, 1)
                        let v = p.kind == .max ? mx : Float(sum / Double(divisor))
                        output[((n * p.outH + oy) * p.outW + ox) * p.channels + c] = activation.apply(v)
                    }
                }
            }
        }
    }
}
