import ArcaTensor

/// Typing rules of the statically quantized (uint8 activation) ops. Geometry comes from the
/// float rules; these add the dtypes, the per-channel scales and the quantization parameters.
extension ShapeRules {
    static func params(_ q: QuantParams, _ what: String) throws {
        guard q.isValid else { throw RuleFailure.attribute("\(what) quantization (scale \(q.scale), zero point \(q.zeroPoint)) is invalid") }
    }

    static func dtype(_ x: RuleInputs, _ i: Int, _ t: DType) throws {
        guard x[i].dtype == t else { throw RuleFailure.dtype(input: i, expected: "\(t)") }
    }

    /// The same inputs typed float32, for the geometry rules.
    static func asFloat(_ x: RuleInputs, _ indices: [Int]) -> RuleInputs {
        RuleInputs(infos: indices.map { ValueInfo(name: x[$0].name, dtype: .float32, shape: x[$0].shape) },
                   constants: indices.map { _ in nil })
    }

    static func quantize(_ q: QuantParams, _ x: RuleInputs) throws -> (DType, [Int]) {
        try inputs(x, 1...1)
        try float32(x, 0)
        try params(q, "output")
        return (.uint8, x[0].shape)
    }

    static func dequantize(_ q: QuantParams, _ x: RuleInputs) throws -> (DType, [Int]) {
        try inputs(x, 1...1)
        try dtype(x, 0, .uint8)
        try params(q, "input")
        return (.float32, x[0].shape)
    }

    /// Per-channel weight scales `[channels]`, float32.
    static func scales(_ x: RuleInputs, _ i: Int, channels: Int) throws {
        try float32(x, i)
        guard x[i].shape.count == 1, same(x[i].shape[0], channels) else {
            throw RuleFailure.shape("weight scales must be [\(channels)], got \(x[i].shape)")
        }
    }

    /// inputs: x uint8, w int8, scales, bias?, residual?.
    static func quantizedConv2d(_ a: QuantizedConv2DAttributes, _ x: RuleInputs) throws -> (DType, [Int]) {
        let hasResidual = a.residual != nil
        try inputs(x, hasResidual ? 4...5 : 3...4)
        guard !a.conv.hasResidual else { throw RuleFailure.attribute("quantized conv takes its residual through `residual` parameters") }
        guard a.conv.groups == 1 else { throw RuleFailure.attribute("quantized conv supports groups 1, got \(a.conv.groups)") }
        try dtype(x, 0, .uint8)
        try dtype(x, 1, .int8)
        try params(a.input, "input")
        if let o = a.output { try params(o, "output") }
        if let r = a.residual { try params(r, "residual") }
        try rank(x, 1, 4, "weights [outC, kH, kW, inC/groups]")
        try scales(x, 2, channels: x[1].shape[0])
        let hasBias = x.count == (hasResidual ? 5 : 4)
        let (_, out) = try conv2d(a.conv, asFloat(x, hasBias ? [0, 1, 3] : [0, 1]))
        // int8·u8 products summed in int32 stay exact up to 65536 terms (127·255·65536 < 2³¹).
        let depth = x[1].shape.dropFirst().reduce(into: 1) { acc, d in acc = d >= 0 && acc <= 1 << 16 ? acc * min(d, 1 << 17) : acc }
        guard depth <= 1 << 16 else {
            throw RuleFailure.shape("quantized conv kH·kW·inC exceeds 65536 (int32 sums would overflow)")
        }
        if hasResidual {
            let r = x.count - 1
            try dtype(x, r, .uint8)
            guard x[r].shape.count == 4, zip(x[r].shape, out).allSatisfy({ same($0, $1) }) else {
                throw RuleFailure.shape("residual must have the output's shape \(out), got \(x[r].shape)")
            }
        }
        return (a.output == nil ? .float32 : .uint8, out)
    }

    /// inputs: x uint8, w int8, scales, bias?.
    static func quantizedDepthwise(_ a: QuantizedDepthwiseConv2DAttributes, _ x: RuleInputs) throws -> (DType, [Int]) {
        try inputs(x, 3...4)
        guard a.depthwise.multiplier == 1 else { throw RuleFailure.attribute("quantized depthwise supports multiplier 1, got \(a.depthwise.multiplier)") }
        try dtype(x, 0, .uint8)
        try dtype(x, 1, .int8)
        try params(a.input, "input")
        if let o = a.output { try params(o, "output") }
        try rank(x, 1, 3, "depthwise weights [kH, kW, C*multiplier]")
        try scales(x, 2, channels: x[1].shape[2])
        let (_, out) = try depthwise(a.depthwise, asFloat(x, x.count == 4 ? [0, 1, 3] : [0, 1]))
        return (a.output == nil ? .float32 : .uint8, out)
    }

    static func quantizedAdd(_ a: QuantizedAddAttributes, _ x: RuleInputs) throws -> (DType, [Int]) {
        try inputs(x, 2...2)
        try dtype(x, 0, .uint8)
        try dtype(x, 1, .uint8)
        try params(a.a, "first input")
        try params(a.b, "second input")
        if let o = a.output { try params(o, "output") }
        guard x[0].shape.count == x[1].shape.count, zip(x[0].shape, x[1].shape).allSatisfy({ same($0, $1) }) else {
            throw RuleFailure.shape("quantized add needs one shape, got \(x[0].shape) and \(x[1].shape)")
        }
        return (a.output == nil ? .float32 : .uint8, zip(x[0].shape, x[1].shape).map { $0 < 0 ? $1 : $0 })
    }

    static func quantizedScale(_ a: QuantizedScaleAttributes, _ x: RuleInputs) throws -> (DType, [Int]) {
        try inputs(x, 2...2)
        try dtype(x, 0, .uint8)
        try float32(x, 1)
        try params(a.input, "input")
        try params(a.output, "output")
        try rank(x, 0, 4, "input")
        let s = x[0].shape, g = x[1].shape
        guard g.count == 4, same(g[0], s[0]), g[1] == 1, g[2] == 1, same(g[3], s[3]) else {
            throw RuleFailure.shape("channel scales must be [N, 1, 1, C] for input \(s), got \(g)")
        }
        return (.uint8, s)
    }
}
