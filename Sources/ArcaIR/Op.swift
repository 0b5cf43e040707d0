import ArcaTensor

/// Every operation the runtime knows. Closed on purpose: adding a case is a
/// compile error everywhere it must be handled (shape inference, lowering,
/// serialization, and later gradients and quantization).
///
/// Layouts: activations NHWC; conv weights OHWI `[outC, kH, kW, inC/groups]`;
/// depthwise weights `[kH, kW, inC * multiplier]`; transposed-conv weights
/// `[outC, kH, kW, inC]`; matmul weights `[K, N]` unless `transposeB`.
/// Optional inputs (bias) are omitted from `Node.inputs`, never placeholders.
public enum Op: Sendable, Hashable, Codable {
    /// inputs: x [N,H,W,C], w (OHWI), bias [outC]?, then residual [N,oH,oW,outC] when
    /// `residual` is set: y = act(conv(x) + bias + residual).
    case conv2d(Conv2DAttributes)
    /// inputs: x [N,H,W,C], w [kH,kW,C*m], bias [C*m]?
    case depthwiseConv2d(DepthwiseConv2DAttributes)
    /// inputs: x [N,H,W,inC], w [outC,kH,kW,inC], bias [outC]?
    case transposeConv2d(TransposeConv2DAttributes)
    /// inputs: a [..., M, K], b [K, N] (or [N, K] when `transposeB`), bias [N]?
    case matMul(MatMulAttributes)
    /// Dynamically quantized int8 matmul (the int8 linear layer). inputs: a [..., M, K] float32,
    /// b int8 [K, N] (or [N, K] when `transposeB`), scales [N] float32, bias [N]?.
    /// Each row of a is quantized symmetrically at run time (q = round_half_even(x·127/absmax));
    /// integer products sum exactly; y = act(Float(Σ q·b) · scales[n] · absmax/127 + bias[n]).
    case quantizedMatMul(MatMulAttributes)
    /// `matMul` with constant weights in a kernel's panel layout (see ``PackedMatMulAttributes``).
    /// inputs: a [..., M, K] float32, packed b float32 [packedCount], bias [N]?.
    case packedMatMul(PackedMatMulAttributes)
    case pool2d(Pool2DAttributes)
    /// Elementwise with numpy broadcasting; inputs a, b.
    case binary(BinaryKind, activation: FusedActivation)
    case unary(UnaryKind)
    /// inputs: x, alpha (broadcast over the last axis).
    case prelu
    case softmax(axis: Int)
    /// inputs: x, gamma, beta; normalizes over the last axis.
    case layerNorm(epsilon: Float)
    /// inputs: x [N,H,W,C].
    case resizeBilinear(ResizeAttributes)
    case concat(axis: Int)
    /// Constant padding; `pads` has one (before, after) pair per axis.
    case pad(PadAttributes)
    /// One dimension may be -1.
    case reshape(newShape: [Int])
    case transpose(perm: [Int])
    /// inputs: data, indices (int32/int64).
    case gather(axis: Int)
    case reduceMean(axes: [Int], keepDims: Bool)
    /// NHWC depth-to-space, DCR order (TFLite).
    case depthToSpace(blockSize: Int)
    /// Multi-head scaled dot-product attention. inputs: q, k, v [B, S, heads*headDim], mask [B, S]? (non-zero keeps a key);
    /// with `packedQKV`, one input [B, S, 3*heads*headDim] (q, k, v side by side in each row) then mask?.
    /// output: [B, S, heads*headDim]. Query rows past a sequence's last kept key are zero.
    case attention(AttentionAttributes)
    /// Mean over axis 1 of x [B, S, D] counting only positions where mask [B, S] is non-zero.
    case maskedMean
    /// x / max(‖x‖₂, epsilon) along the last axis.
    case l2Normalize(epsilon: Float)
    /// Converts the element type (e.g. float16 constants to float32).
    case cast(to: DType)
    /// float32 → uint8: `q = clamp(round_half_even(x · (1/scale) + zeroPoint), 0, 255)`, NaN → zeroPoint.
    case quantize(QuantParams)
    /// uint8 → float32: `x = scale · (q − zeroPoint)`.
    case dequantize(QuantParams)
    /// Statically quantized convolution. inputs: x uint8 [N,H,W,C], w int8 OHWI, wScales float32
    /// [outC], bias float32 [outC]?, then residual uint8 (the output's shape) when `residual` is set.
    /// With `acc[o] = Σ (q_x − z_x)·w` exact in int32:
    /// `y = act(Float(acc) · (s_x · wScales[o]) + bias[o] + real(residual))`, then requantized
    /// with `output` like ``Op/quantize(_:)``, or float32 when `output` is nil.
    case quantizedConv2d(QuantizedConv2DAttributes)
    /// Statically quantized depthwise convolution. inputs: x uint8 [N,H,W,C], w int8 [kH,kW,C·m],
    /// wScales float32 [C·m], bias float32 [C·m]?; the arithmetic of ``Op/quantizedConv2d(_:)``
    /// (padding taps read the zero point, so they add nothing).
    case quantizedDepthwiseConv2d(QuantizedDepthwiseConv2DAttributes)
    /// inputs: a, b uint8 of one shape. `y = act(real_a(a) + real_b(b))` requantized with `output`.
    case quantizedAdd(QuantizedAddAttributes)
    /// inputs: x uint8 [N, H, W, C], s float32 [N, 1, 1, C]. `y = real(x) · s[n, c]` requantized
    /// with `output` (a squeeze-and-excitation gate applied to a uint8 activation).
    case quantizedScaleChannels(QuantizedScaleAttributes)

    /// A short stable name (used in errors, logs and serialization).
    public var name: String {
        switch self {
        case .conv2d: "conv2d"
        case .depthwiseConv2d: "depthwise_conv2d"
        case .transposeConv2d: "transpose_conv2d"
        case .matMul: "matmul"
        case .quantizedMatMul: "quantized_matmul"
        case .packedMatMul: "packed_matmul"
        case .pool2d(let a): a.kind == .max ? "max_pool2d" : "average_pool2d"
        case .binary(let k, _): k.rawValue
        case .unary(let k): k.rawValue
        case .prelu: "prelu"
        case .softmax: "softmax"
        case .layerNorm: "layer_norm"
        case .resizeBilinear: "resize_bilinear"
        case .concat: "concat"
        case .pad: "pad"
        case .reshape: "reshape"
        case .transpose: "transpose"
        case .gather: "gather"
        case .reduceMean: "reduce_mean"
        case .depthToSpace: "depth_to_space"
        case .attention: "attention"
        case .maskedMean: "masked_mean"
        case .l2Normalize: "l2_normalize"
        case .cast: "cast"
        case .quantize: "quantize"
        case .dequantize: "dequantize"
        case .quantizedConv2d: "quantized_conv2d"
        case .quantizedDepthwiseConv2d: "quantized_depthwise_conv2d"
        case .quantizedAdd: "quantized_add"
        case .quantizedScaleChannels: "quantized_scale_channels"
        }
    }
}

/// Activation fused into the op that produces a value.
public enum FusedActivation: String, Sendable, Hashable, CaseIterable, Codable {
    case none, relu, relu6, reluN1To1, sigmoid, tanh, hardSwish, gelu
}

public enum BinaryKind: String, Sendable, Hashable, CaseIterable, Codable {
    case add, sub, mul, div, max, min, pow
}

public enum UnaryKind: String, Sendable, Hashable, CaseIterable, Codable {
    case relu, relu6, reluN1To1, sigmoid, tanh, hardSwish, gelu, exp, erf, neg, abs, sqrt, rsqrt, log, square
}

/// Spatial padding: explicit amounts, or resolved from the input size like TensorFlow.
public enum Padding: Sendable, Hashable, Codable {
    /// No padding.
    case valid
    /// Output size `ceil(in / stride)`; the odd pixel of padding goes at the end.
    case same
    case explicit(top: Int, left: Int, bottom: Int, right: Int)
}

public struct Conv2DAttributes: Sendable, Hashable, Codable {
    public var strideH: Int, strideW: Int
    public var dilationH: Int, dilationW: Int
    public var padding: Padding
    public var groups: Int
    public var activation: FusedActivation
    /// The last input is added to the output before the activation (a fused residual `add`).
    /// Optional so that graphs serialized without it decode unchanged.
    public var residual: Bool?

    public init(strideH: Int = 1, strideW: Int = 1, dilationH: Int = 1, dilationW: Int = 1,
                padding: Padding = .valid, groups: Int = 1, activation: FusedActivation = .none, residual: Bool? = nil) {
        self.strideH = strideH; self.strideW = strideW
        self.dilationH = dilationH; self.dilationW = dilationW
        self.padding = padding; self.groups = groups; self.activation = activation
        self.residual = residual
    }

    public var hasResidual: Bool { residual ?? false }
}

public struct DepthwiseConv2DAttributes: Sendable, Hashable, Codable {
    public var strideH: Int, strideW: Int
    public var dilationH: Int, dilationW: Int
    public var padding: Padding
    public var multiplier: Int
    public var activation: FusedActivation

    public init(strideH: Int = 1, strideW: Int = 1, dilationH: Int = 1, dilationW: Int = 1,
                padding: Padding = .valid, multiplier: Int = 1, activation: FusedActivation = .none) {
        self.strideH = strideH; self.strideW = strideW
        self.dilationH = dilationH; self.dilationW = dilationW
        self.padding = padding; self.multiplier = multiplier; self.activation = activation
    }
}

public struct TransposeConv2DAttributes: Sendable, Hashable, Codable {
    public var strideH: Int, strideW: Int
    /// `.same`: output `in * stride`; `.valid`: `(in - 1) * stride + k`.
    public var padding: Padding
    public var activation: FusedActivation

    public init(strideH: Int, strideW: Int, padding: Padding, activation: FusedActivation = .none) {
        self.strideH = strideH; self.strideW = strideW; self.padding = padding; self.activation = activation
    }
}

public struct MatMulAttributes: Sendable, Hashable, Codable {
    public var transposeB: Bool
    public var activation: FusedActivation

    public init(transposeB: Bool = false, activation: FusedActivation = .none) {
        self.transposeB = transposeB; self.activation = activation
    }
}

public struct Pool2DAttributes: Sendable, Hashable, Codable {
    public enum Kind: String, Sendable, Hashable, Codable { case max, average }
    public var kind: Kind
    public var kernelH: Int, kernelW: Int
    public var strideH: Int, strideW: Int
    public var padding: Padding
    public var activation: FusedActivation

    public init(kind: Kind, kernelH: Int, kernelW: Int, strideH: Int, strideW: Int,
                padding: Padding = .valid, activation: FusedActivation = .none) {
        self.kind = kind; self.kernelH = kernelH; self.kernelW = kernelW
        self.strideH = strideH; self.strideW = strideW; self.padding = padding; self.activation = activation
    }
}

public struct ResizeAttributes: Sendable, Hashable, Codable {
    public enum Mode: String, Sendable, Hashable, Codable { case asymmetric, alignCorners, halfPixel }
    public var outH: Int, outW: Int
    public var mode: Mode

    public init(outH: Int, outW: Int, mode: Mode) {
        self.outH = outH; self.outW = outW; self.mode = mode
    }
}

public struct PadAttributes: Sendable, Hashable, Codable {
    public var before: [Int]
    public var after: [Int]
    public var value: Float

    public init(before: [Int], after: [Int], value: Float = 0) {
        self.before = before; self.after = after; self.value = value
    }
}

public struct AttentionAttributes: Sendable, Hashable, Codable {
    public var heads: Int
    /// Multiplies QKᵀ; usually `1/sqrt(headDim)`.
    public var scale: Float
    /// Q, K and V arrive as one fused projection (see ``Op/attention(_:)``).
    public var packedQKV: Bool

    public init(heads: Int, scale: Float, packedQKV: Bool = false) {
        self.heads = heads; self.scale = scale; self.packedQKV = packedQKV
    }
}
