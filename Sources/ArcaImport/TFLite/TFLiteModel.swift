import ArcaTensor

/// A parsed `.tflite` file: the subset of the TFLite schema the MediaPipe vision models use.
///
/// Every index inside it (opcode, tensor, buffer) has been checked against its list.
public struct TFLiteModel: Sendable {
    /// Schema version (3 for current files).
    public var version: UInt32
    public var description: String?
    public var operatorCodes: [TFLiteOperatorCode]
    /// Subgraph 0 is the main model.
    public var subgraphs: [TFLiteSubgraph]
    /// Number of entries in the file's buffer table (data is attached to tensors).
    public var bufferCount: Int

    public var main: TFLiteSubgraph { subgraphs[0] }

    /// Operator names of a subgraph with counts (builtin names as in the schema, custom ops by custom code).
    public func opHistogram(subgraph: Int = 0) -> [String: Int] {
        var h: [String: Int] = [:]
        for op in subgraphs[subgraph].operators { h[operatorCodes[op.opcodeIndex].name, default: 0] += 1 }
        return h
    }
}

/// One entry of `Model.operator_codes`.
public struct TFLiteOperatorCode: Sendable, Equatable {
    /// Effective builtin code: `max(deprecated_builtin_code, builtin_code)`.
    public var builtin: TFLiteBuiltin
    /// Set for `CUSTOM` operators.
    public var customCode: String?
    public var version: Int

    /// The schema name, or the custom code for custom ops.
    public var name: String { builtin == .custom ? (customCode ?? "CUSTOM") : builtin.name }
}

/// One subgraph: tensors, operators in execution order, and its input and output tensor indices.
public struct TFLiteSubgraph: Sendable {
    public var name: String?
    public var tensors: [TFLiteTensor]
    public var inputs: [Int]
    public var outputs: [Int]
    public var operators: [TFLiteOperator]
}

/// A tensor declaration; constant tensors carry their data.
public struct TFLiteTensor: Sendable {
    public var name: String
    /// The static shape (TFLite NHWC for activations; OHWI for conv weights, 1HWO for depthwise).
    public var shape: [Int]
    /// `shape_signature` with -1 for dynamic dimensions, when present.
    public var shapeSignature: [Int]?
    public var type: TFLiteTensorType
    /// Index into the file's buffer table (0 = no data).
    public var buffer: Int
    public var isVariable: Bool
    public var quantization: TFLiteQuantization?
    public var sparsity: TFLiteSparsity?
    /// Constant data as stored, in the tensor's dtype: dense tensors have `shape`; sparse
    /// tensors hold only their stored values as a 1-D tensor (see ``TFLiteSparsity``).
    public var data: Tensor?

    public var isConstant: Bool { data != nil }
}

/// `QuantizationParameters`: `real = scale * (q - zero_point)`, per channel along `quantizedDimension`.
public struct TFLiteQuantization: Sendable, Equatable {
    public var scale: [Float]
    public var zeroPoint: [Int64]
    public var quantizedDimension: Int
}

/// `SparsityParameters` of a sparse constant tensor (TACO-style format).
public struct TFLiteSparsity: Sendable, Equatable {
    /// Order of the n dense dimensions followed by the k block dimensions (values n..<n+k).
    public var traversalOrder: [Int]
    /// For each block dimension, the dense dimension it subdivides.
    public var blockMap: [Int]
    /// Storage of each level, in traversal order.
    public var dimMetadata: [TFLiteDimensionMetadata]
}

/// One level of a sparse tensor.
public enum TFLiteDimensionMetadata: Sendable, Equatable {
    /// All `size` coordinates are stored.
    case dense(size: Int)
    /// CSR: children of parent position p are `indices[segments[p]..<segments[p+1]]`.
    case sparseCSR(segments: [Int], indices: [Int])
}

/// One operator: opcode, tensor indices (-1 = omitted optional input) and parsed options.
public struct TFLiteOperator: Sendable {
    public var opcodeIndex: Int
    public var inputs: [Int]
    public var outputs: [Int]
    public var options: TFLiteOptions
    /// Raw custom options bytes (custom ops only).
    public var customOptions: [UInt8]?
}
