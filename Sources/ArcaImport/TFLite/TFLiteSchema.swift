import ArcaTensor

/// TFLite `TensorType`.
public enum TFLiteTensorType: Int, Sendable, Equatable {
    case float32 = 0, float16, int32, uint8, int64, string, bool, int16, complex64, int8, float64, complex128, uint64,
         resource, variant, uint32, uint16, int4, bfloat16

    /// The ArcaTensor dtype holding this type, if supported.
    public var dtype: DType? {
        switch self {
        case .float32: .float32
        case .float16: .float16
        case .int32: .int32
        case .uint8: .uint8
        case .int64: .int64
        case .bool: .bool
        case .int8: .int8
        default: nil
        }
    }
}

/// `Padding` (schema enum).
public enum TFLitePadding: Int, Sendable, Equatable {
    case same = 0, valid = 1
}

/// `ActivationFunctionType`, fused into conv/pool/add/mul/concat.
public enum TFLiteActivation: Int, Sendable, Equatable {
    case none = 0, relu, reluN1To1, relu6, tanh, signBit
}

/// A builtin operator code (`BuiltinOperator`, int32). Codes the importer knows by name have constants.
public struct TFLiteBuiltin: RawRepresentable, Hashable, Sendable, CustomStringConvertible {
    public let rawValue: Int
    public init(rawValue: Int) { self.rawValue = rawValue }

    /// Highest code in the schema the importer was written against.
    public static let maxKnown = 207
    /// `PLACEHOLDER_FOR_GREATER_OP_CODES` (127): a marker in `deprecated_builtin_code`, not an operator.
    public static let placeholderForGreaterOpCodes = 127

    public static let add = Self(rawValue: 0)
    public static let averagePool2D = Self(rawValue: 1)
    public static let concatenation = Self(rawValue: 2)
    public static let conv2D = Self(rawValue: 3)
    public static let depthwiseConv2D = Self(rawValue: 4)
    public static let depthToSpace = Self(rawValue: 5)
    public static let dequantize = Self(rawValue: 6)
    public static let fullyConnected = Self(rawValue: 9)
    public static let logistic = Self(rawValue: 14)
    public static let maxPool2D = Self(rawValue: 17)
    public static let mul = Self(rawValue: 18)
    public static let relu = Self(rawValue: 19)
    public static let relu6 = Self(rawValue: 21)
    public static let reshape = Self(rawValue: 22)
    public static let resizeBilinear = Self(rawValue: 23)
    public static let softmax = Self(rawValue: 25)
    public static let tanh = Self(rawValue: 28)
    public static let custom = Self(rawValue: 32)
    public static let pad = Self(rawValue: 34)
    public static let transpose = Self(rawValue: 39)
    public static let mean = Self(rawValue: 40)
    public static let sub = Self(rawValue: 41)
    public static let transposeConv = Self(rawValue: 67)
    public static let hardSwish = Self(rawValue: 117)
    public static let densify = Self(rawValue: 124)

    static let names: [Int: String] = [
        0: "ADD", 1: "AVERAGE_POOL_2D", 2: "CONCATENATION", 3: "CONV_2D", 4: "DEPTHWISE_CONV_2D",
        5: "DEPTH_TO_SPACE", 6: "DEQUANTIZE", 9: "FULLY_CONNECTED", 14: "LOGISTIC", 17: "MAX_POOL_2D",
        18: "MUL", 19: "RELU", 21: "RELU6", 22: "RESHAPE", 23: "RESIZE_BILINEAR", 25: "SOFTMAX", 28: "TANH",
        32: "CUSTOM", 34: "PAD", 39: "TRANSPOSE", 40: "MEAN", 41: "SUB", 67: "TRANSPOSE_CONV",
        117: "HARD_SWISH", 124: "DENSIFY",
    ]

    /// The schema name, or `BUILTIN_<code>` for codes without a name here.
    public var name: String { Self.names[rawValue] ?? "BUILTIN_\(rawValue)" }
    public var description: String { name }
}
