/// What each TFLite operator of the vision models means, as data for the TFLite → IR mapping.
public struct TFLiteOpInfo: Sendable, Equatable {
    /// Schema name, or the custom code for custom ops.
    public var name: String
    /// Input roles in TFLite order; a trailing `?` marks an optional input (may be absent or -1).
    public var inputs: [String]
    /// Input positions that must be constant (folded) tensors.
    public var constantInputs: Set<Int>
    /// Semantics and layout the IR mapping must honour.
    public var note: String

    var required: Int { inputs.filter { !$0.hasSuffix("?") }.count }
}

public enum TFLiteOpTable {
    /// Operators the importer understands; anything else is rejected by ``check(_:)``.
    public static let entries: [TFLiteOpInfo] = [
        .init(name: "CONV_2D", inputs: ["x", "weight", "bias?"], constantInputs: [1, 2], note: "NHWC; weight OHWI [O,kh,kw,I]; SAME/VALID, stride, dilation, fused activation"),
        .init(name: "DEPTHWISE_CONV_2D", inputs: ["x", "weight", "bias?"], constantInputs: [1, 2], note: "weight [1,kh,kw,C*multiplier]; channel c*m+j reads input channel c"),
        .init(name: "TRANSPOSE_CONV", inputs: ["output_shape", "weight", "x", "bias?"], constantInputs: [0, 1, 3], note: "input order differs: output shape int32 [4] first; weight OHWI"),
        .init(name: "Convolution2DTransposeBias", inputs: ["x", "weight", "bias"], constantInputs: [1, 2], note: "MediaPipe custom op = TRANSPOSE_CONV + bias; weight OHWI; output size in*stride for SAME"),
        .init(name: "MAX_POOL_2D", inputs: ["x"], constantInputs: [], note: "filter, stride, padding, fused activation"),
        .init(name: "AVERAGE_POOL_2D", inputs: ["x"], constantInputs: [], note: "SAME padding averages over valid (unpadded) taps only"),
        .init(name: "ADD", inputs: ["a", "b"], constantInputs: [], note: "numpy broadcasting, fused activation"),
        .init(name: "MUL", inputs: ["a", "b"], constantInputs: [], note: "numpy broadcasting, fused activation"),
        .init(name: "CONCATENATION", inputs: ["x..."], constantInputs: [], note: "variadic; axis may be negative; fused activation"),
        .init(name: "RESHAPE", inputs: ["x", "shape?"], constantInputs: [1], note: "shape tensor (int32) wins over new_shape option; -1 allowed once"),
        .init(name: "PAD", inputs: ["x", "paddings"], constantInputs: [1], note: "paddings int32 [rank, 2] (before, after), zero fill"),
        .init(name: "RESIZE_BILINEAR", inputs: ["x", "size"], constantInputs: [1], note: "size int32 [2] = (H, W); align_corners / half_pixel_centers"),
        .init(name: "DEPTH_TO_SPACE", inputs: ["x"], constantInputs: [], note: "NHWC, DCR order (TensorFlow): c_out = c_in / (b*b)"),
        .init(name: "MEAN", inputs: ["x", "axes"], constantInputs: [1], note: "axes int32; keep_dims"),
        .init(name: "RELU", inputs: ["x"], constantInputs: [], note: "max(x, 0)"),
        .init(name: "LOGISTIC", inputs: ["x"], constantInputs: [], note: "sigmoid"),
        .init(name: "HARD_SWISH", inputs: ["x"], constantInputs: [], note: "x * relu6(x + 3) / 6"),
        .init(name: "DEQUANTIZE", inputs: ["x"], constantInputs: [0], note: "folded at load (TFLiteModel.foldedConstants)"),
        .init(name: "DENSIFY", inputs: ["x"], constantInputs: [0], note: "folded at load (TFLiteModel.foldedConstants)"),
    ]

    public static let byName: [String: TFLiteOpInfo] = Dictionary(entries.map { ($0.name, $0) }, uniquingKeysWith: { a, _ in a })

    /// Checks every operator of the main subgraph is known, has enough inputs and constant inputs where required.
    public static func check(_ model: TFLiteModel, subgraph index: Int = 0) throws {
        let g = model.subgraphs[index]
        let folded = try model.foldedConstants(subgraph: index)
        for op in g.operators {
            let name = model.operatorCodes[op.opcodeIndex].name
            guard let info = byName[name] else { throw TFLiteError.unsupportedOperator(name) }
            let variadic = info.inputs.last?.hasSuffix("...") == true
            guard op.inputs.count >= info.required || (variadic && !op.inputs.isEmpty), variadic || op.inputs.count <= info.inputs.count, !op.outputs.isEmpty else {
                throw TFLiteError.badOperator(op: name, reason: "\(op.inputs.count) inputs, \(op.outputs.count) outputs")
            }
            for i in info.constantInputs where i < op.inputs.count && op.inputs[i] >= 0 {
                let t = op.inputs[i]
                guard folded[t] != nil || g.tensors[t].data != nil || g.tensors[t].sparsity != nil else {
                    throw TFLiteError.badOperator(op: name, reason: "input \(i) '\(g.tensors[t].name)' must be constant")
                }
            }
        }
    }
}
