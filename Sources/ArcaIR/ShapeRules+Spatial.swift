import ArcaTensor

/// Typing rules of the NHWC window ops.
extension ShapeRules {
    static func window(strideH: Int, strideW: Int, dilationH: Int = 1, dilationW: Int = 1, padding: Padding) throws {
        guard strideH > 0, strideW > 0 else { throw RuleFailure.attribute("strides (\(strideH), \(strideW)) must be positive") }
        guard dilationH > 0, dilationW > 0 else { throw RuleFailure.attribute("dilations (\(dilationH), \(dilationW)) must be positive") }
        guard !padding.hasNegative else { throw RuleFailure.attribute("negative padding \(padding)") }
        try bounded([strideH, strideW, dilationH, dilationW], "strides/dilations")
        if case .explicit(let t, let l, let b, let r) = padding { try bounded([t, l, b, r], "padding") }
    }

    static func spatialOutput(_ s: [Int], kH: Int, kW: Int, strideH: Int, strideW: Int,
                              dilationH: Int, dilationW: Int, padding: Padding) throws -> (Int, Int) {
        let (h, w) = (s[1], s[2])
        guard h != 0, w != 0 else { throw RuleFailure.shape("empty image \(s)") }
        let p: ExplicitPadding
        if h < 0 || w < 0 {
            if case .same = padding {
                return (h < 0 ? -1 : (h + strideH - 1) / strideH, w < 0 ? -1 : (w + strideW - 1) / strideW)
            }
            p = padding.resolved(inH: 1, inW: 1, kernelH: kH, kernelW: kW, strideH: strideH, strideW: strideW)
        } else {
            p = padding.resolved(inH: h, inW: w, kernelH: kH, kernelW: kW, strideH: strideH, strideW: strideW,
                                 dilationH: dilationH, dilationW: dilationW)
        }
        let oh = windowOutput(h, kernel: kH, stride: strideH, dilation: dilationH, padBefore: p.top, padAfter: p.bottom)
        let ow = windowOutput(w, kernel: kW, stride: strideW, dilation: dilationW, padBefore: p.left, padAfter: p.right)
        guard oh != 0, ow != 0 else {
            throw RuleFailure.shape("window \(kH)x\(kW) does not fit image \(s) with padding \(p)")
        }
        return (oh, ow)
    }

    static func conv2d(_ a: Conv2DAttributes, _ x: RuleInputs) throws -> (DType, [Int]) {
        try inputs(x, a.hasResidual ? 3...4 : 2...3)
        try float32(x, 0, 1)
        try rank(x, 0, 4, "input")
        try rank(x, 1, 4, "weights [outC, kH, kW, inC/groups]")
        try window(strideH: a.strideH, strideW: a.strideW, dilationH: a.dilationH, dilationW: a.dilationW, padding: a.padding)
        let s = x[0].shape, w = x[1].shape
        guard a.groups > 0, a.groups <= maxAttribute else { throw RuleFailure.attribute("groups \(a.groups) must be positive") }
        guard w[1] > 0, w[2] > 0 else { throw RuleFailure.shape("kernel \(w[1])x\(w[2]) is empty") }
        if s[3] >= 0 {
            guard s[3] % a.groups == 0 else { throw RuleFailure.attribute("groups \(a.groups) do not divide input channels \(s[3])") }
        }
        if w[0] >= 0 {
            guard w[0] % a.groups == 0 else { throw RuleFailure.attribute("groups \(a.groups) do not divide output channels \(w[0])") }
        }
        guard s[3] < 0 || w[3] < 0 || w[3] * a.groups == s[3] else {
            throw RuleFailure.shape("weights expect \(w[3] * a.groups) input channels, input has \(s[3])")
        }
        if x.count == (a.hasResidual ? 4 : 3) { try bias(x, 2, channels: w[0]) }
        let (oh, ow) = try spatialOutput(s, kH: w[1], kW: w[2], strideH: a.strideH, strideW: a.strideW,
                                         dilationH: a.dilationH, dilationW: a.dilationW, padding: a.padding)
        let out = [s[0], oh, ow, w[0]]
        if a.hasResidual {
            let r = x.count - 1
            try float32(x, r)
            guard x[r].shape.count == 4, zip(x[r].shape, out).allSatisfy({ same($0, $1) }) else {
                throw RuleFailure.shape("residual must have the output's shape \(out), got \(x[r].shape)")
            }
        }
        return (.float32, out)
    }

    static func depthwise(_ a: DepthwiseConv2DAttributes, _ x: RuleInputs) throws -> (DType, [Int]) {
        try inputs(x, 2...3)
        try float32(x, 0, 1)
        try rank(x, 0, 4, "input")
        try rank(x, 1, 3, "depthwise weights [kH, kW, C*multiplier]")
        try window(strideH: a.strideH, strideW: a.strideW, dilationH: a.dilationH, dilationW: a.dilationW, padding: a.padding)
        guard a.multiplier > 0, a.multiplier <= maxAttribute else { throw RuleFailure.attribute("multiplier \(a.multiplier) must be positive") }
        let s = x[0].shape, w = x[1].shape
        guard w[0] > 0, w[1] > 0 else { throw RuleFailure.shape("kernel \(w[0])x\(w[1]) is empty") }
        let outC = s[3] < 0 ? w[2] : s[3] * a.multiplier
        guard same(w[2], outC) else {
            throw RuleFailure.shape("weights have \(w[2]) channels, input \(s[3]) x multiplier \(a.multiplier) = \(outC)")
        }
        try bias(x, 2, channels: outC)
        let (oh, ow) = try spatialOutput(s, kH: w[0], kW: w[1], strideH: a.strideH, strideW: a.strideW,
                                         dilationH: a.dilationH, dilationW: a.dilationW, padding: a.padding)
        return (.float32, [s[0], oh, ow, outC])
    }

    static func transposeConv(_ a: TransposeConv2DAttributes, _ x: RuleInputs) throws -> (DType, [Int]) {
        try inputs(x, 2...3)
        try float32(x, 0, 1)
        try rank(x, 0, 4, "input")
        try rank(x, 1, 4, "weights [outC, kH, kW, inC]")
        try window(strideH: a.strideH, strideW: a.strideW, padding: a.padding)
        let s = x[0].shape, w = x[1].shape
        guard w[1] > 0, w[2] > 0 else { throw RuleFailure.shape("kernel \(w[1])x\(w[2]) is empty") }
        guard same(w[3], s[3]) else { throw RuleFailure.shape("weights expect \(w[3]) input channels, input has \(s[3])") }
        try bias(x, 2, channels: w[0])
        func out(_ i: Int, _ k: Int, _ stride: Int, _ before: Int, _ after: Int) -> Int {
            i < 0 ? -1 : (i - 1) * stride + k - before - after
        }
        let p = a.padding.resolvedTransposed(inH: max(s[1], 1), inW: max(s[2], 1), kernelH: w[1], kernelW: w[2],
                                             strideH: a.strideH, strideW: a.strideW)
        let oh = out(s[1], w[1], a.strideH, p.top, p.bottom), ow = out(s[2], w[2], a.strideW, p.left, p.right)
        guard oh != 0 && ow != 0 && oh >= -1 && ow >= -1 else { throw RuleFailure.shape("padding \(p) leaves an empty output") }
        return (.float32, [s[0], oh, ow, w[0]])
    }

    /// float32, or uint8 without a fused activation (same quantization in and out).
    static func pool(_ a: Pool2DAttributes, _ x: RuleInputs) throws -> (DType, [Int]) {
        try inputs(x, 1...1)
        try floatOrByte(x, 0)
        if x[0].dtype == .uint8 && a.activation != .none { throw RuleFailure.attribute("a uint8 pool cannot fuse \(a.activation)") }
        try rank(x, 0, 4, "input")
        try window(strideH: a.strideH, strideW: a.strideW, padding: a.padding)
        guard a.kernelH > 0, a.kernelW > 0, a.kernelH <= maxAttribute, a.kernelW <= maxAttribute else { throw RuleFailure.attribute("pool window \(a.kernelH)x\(a.kernelW) must be positive") }
        let s = x[0].shape
        let (oh, ow) = try spatialOutput(s, kH: a.kernelH, kW: a.kernelW, strideH: a.strideH, strideW: a.strideW,
                                         dilationH: 1, dilationW: 1, padding: a.padding)
        return (x[0].dtype, [s[0], oh, ow, s[3]])
    }

    /// float32, or uint8 (same quantization in and out; interpolated values round half to even).
    static func resize(_ a: ResizeAttributes, _ x: RuleInputs) throws -> (DType, [Int]) {
        try inputs(x, 1...1)
        try floatOrByte(x, 0)
        try rank(x, 0, 4, "input")
        guard a.outH > 0, a.outW > 0, a.outH <= maxAttribute, a.outW <= maxAttribute else { throw RuleFailure.attribute("output size \(a.outH)x\(a.outW) must be positive") }
        let s = x[0].shape
        guard s[1] != 0, s[2] != 0 else { throw RuleFailure.shape("empty image \(s)") }
        return (x[0].dtype, [s[0], a.outH, a.outW, s[3]])
    }

    static func depthToSpace(_ b: Int, _ x: RuleInputs) throws -> (DType, [Int]) {
        try inputs(x, 1...1)
        try rank(x, 0, 4, "input")
        guard b > 0, b <= maxAttribute else { throw RuleFailure.attribute("block size \(b) must be positive") }
        let s = x[0].shape
        guard s[3] < 0 || s[3] % (b * b) == 0 else { throw RuleFailure.shape("channels \(s[3]) not divisible by \(b * b)") }
        func mul(_ d: Int) -> Int { d < 0 ? -1 : d * b }
        return (x[0].dtype, [s[0], mul(s[1]), mul(s[2]), s[3] < 0 ? -1 : s[3] / (b * b)])
    }
}
