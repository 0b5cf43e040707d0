extension Reference {
    /// The ``QuantizedEpilogue`` of one output element, scalar: `acc` is `Σ (q − z_x)·w`.
    public static func quantizedOutput(acc: Int, multiplier: Float, bias: Float, residual: Float?,
                                       activation: Activation, output: (scale: Float, zeroPoint: Int)?) -> (UInt8, Float) {
        var y = Float(acc) * multiplier + bias
        if let residual { y += residual }
        y = activation.apply(y)
        guard let o = output else { return (0, y) }
        return (QuantizedEpilogue.quantize(y, o.scale, o.zeroPoint), y)
    }

    /// ``QuantizedConv2D`` by its definition: NHWC uint8 input, OHWI int8 weights (groups 1),
    /// exact integer sums of `(q − z_x)·w` over in-image taps, then the epilogue. Writes uint8
    /// (when `epilogue.output` is set) or float32 to `output`.
    public static func quantizedConv2d(_ p: Conv2DParams, input: UnsafePointer<UInt8>, inputScale: Float, inputZero: Int,
                                       weights: UnsafePointer<Int8>, scales: UnsafePointer<Float>, bias: UnsafePointer<Float>?,
                                       epilogue e: QuantizedEpilogue, output: UnsafeMutableRawPointer) {
        for n in 0..<p.batch {
            for oy in 0..<p.outH {
                for ox in 0..<p.outW {
                    for oc in 0..<p.outC {
                        var acc = 0
                        for ky in 0..<p.kH {
                            for kx in 0..<p.kW {
                                let iy = oy * p.strideH - p.padTop + ky * p.dilationH
                                let ix = ox * p.strideW - p.padLeft + kx * p.dilationW
                                if iy < 0 || iy >= p.inH || ix < 0 || ix >= p.inW { continue }
                                for ci in 0..<p.inC {
                                    let q = Int(input[((n * p.inH + iy) * p.inW + ix) * p.inC + ci]) - inputZero
                                    acc += q * Int(weights[((oc * p.kH + ky) * p.kW + kx) * p.inC + ci])
                                }
                            }
                        }
                        let index = ((n * p.outH + oy) * p.outW + ox) * p.outC + oc
                        let r = e.residual.map { $0.scale * Float(Int($0.pointer[index]) - $0.zeroPoint) }
                        let (q, y) = quantizedOutput(acc: acc, multiplier: inputScale * scales[oc], bias: bias?[oc] ?? 0, residual: r,
                                                     activation: e.activation, output: e.output)
                        if e.output != nil { output.assumingMemoryBound(to: UInt8.self)[index] = q }
                        else { output.assumingMemoryBound(to: Float.self)[index] = y }
                    }
                }
            }
        }
    }

    /// ``QuantizedDepthwiseConv2D`` by its definition (multiplier 1): taps in the padding add nothing.
    public static func quantizedDepthwiseConv2d(_ p: DepthwiseConv2DParams, input: UnsafePointer<UInt8>, inputScale: Float, inputZero: Int,
                                                weights: UnsafePointer<Int8>, scales: UnsafePointer<Float>, bias: UnsafePointer<Float>?,
                                                epilogue e: QuantizedEpilogue, output: UnsafeMutableRawPointer) {
        for n in 0..<p.batch {
            for oy in 0..<p.outH {
                for ox in 0..<p.outW {
                    for c in 0..<p.outC {
                        var acc = 0
                        for ky in 0..<p.kH {
                            for kx in 0..<p.kW {
                                let iy = oy * p.strideH - p.padTop + ky * p.dilationH
                                let ix = ox * p.strideW - p.padLeft + kx * p.dilationW
                                if iy < 0 || iy >= p.inH || ix < 0 || ix >= p.inW { continue }
                                acc += (Int(input[((n * p.inH + iy) * p.inW + ix) * p.inC + c]) - inputZero) *
                                    Int(weights[(ky * p.kW + kx) * p.outC + c])
                            }
                        }
                        let index = ((n * p.outH + oy) * p.outW + ox) * p.outC + c
                        let (q, y) = quantizedOutput(acc: acc, multiplier: inputScale * scales[c], bias: bias?[c] ?? 0, residual: nil,
                                                     activation: e.activation, output: e.output)
                        if e.output != nil { output.assumingMemoryBound(to: UInt8.self)[index] = q }
                        else { output.assumingMemoryBound(to: Float.self)[index] = y }
                    }
                }
            }
        }
    }
}
