/// Errors reading a TFLite flatbuffer. Every malformed input maps to one of these; none crash.
public enum TFLiteError: Error, Equatable, CustomStringConvertible {
    /// A read of `size` bytes at `offset` falls outside the file of `fileSize` bytes.
    case outOfBounds(what: String, offset: Int, size: Int, fileSize: Int)
    /// A table's vtable is malformed (misaligned, too small, or fields point outside the table).
    case badVTable(what: String, offset: Int)
    /// A vector claims more elements than the file can hold or than the limits allow.
    case vectorTooLong(what: String, count: Int)
    /// An index in the file refers past the end of the list it indexes.
    case indexOutOfRange(what: String, index: Int, count: Int)
    /// The file is not a TFLite model (too small or wrong file identifier).
    case notTFLite(String)
    /// The model has no subgraphs.
    case noSubgraphs
    /// A builtin operator code outside the schema's enum.
    case unknownBuiltinCode(Int)
    /// A tensor element type the importer does not support (TFLite `TensorType` raw value).
    case unsupportedTensorType(tensor: String, type: Int)
    /// A shape with negative dimensions or too many elements.
    case badShape(tensor: String, shape: [Int])
    /// Constant data whose byte size does not match the tensor's shape and type.
    case dataSizeMismatch(tensor: String, expected: Int, got: Int)
    /// An enum field with a value outside its schema (e.g. padding 7).
    case invalidEnum(field: String, value: Int)
    /// An operator whose builtin options table has the wrong union type.
    case optionsTypeMismatch(op: String, expected: Int, got: Int)
    /// Custom options of a known custom op that do not parse.
    case badCustomOptions(op: String, reason: String)
    /// Sparsity metadata that is inconsistent with the tensor.
    case badSparsity(tensor: String, reason: String)
    /// Quantization parameters that cannot be applied.
    case badQuantization(tensor: String, reason: String)
    /// An operator outside ``TFLiteOpTable``.
    case unsupportedOperator(String)
    /// An operator whose inputs do not fit its table entry.
    case badOperator(op: String, reason: String)
    /// The file asks for more decoding work than its size justifies (e.g. shared subtables).
    case workLimitExceeded

    public var description: String {
        switch self {
        case .outOfBounds(let w, let o, let s, let f): "TFLite: \(w): \(s) bytes at offset \(o) exceed the file size \(f)"
        case .badVTable(let w, let o): "TFLite: malformed vtable for \(w) at offset \(o)"
        case .vectorTooLong(let w, let c): "TFLite: vector \(w) claims \(c) elements"
        case .indexOutOfRange(let w, let i, let c): "TFLite: \(w) index \(i) out of range 0..<\(c)"
        case .notTFLite(let r): "not a TFLite model: \(r)"
        case .noSubgraphs: "TFLite: model has no subgraphs"
        case .unknownBuiltinCode(let c): "TFLite: unknown builtin operator code \(c)"
        case .unsupportedTensorType(let t, let ty): "TFLite: tensor '\(t)' has unsupported type \(ty)"
        case .badShape(let t, let s): "TFLite: tensor '\(t)' has invalid shape \(s)"
        case .dataSizeMismatch(let t, let e, let g): "TFLite: tensor '\(t)' data is \(g) bytes, expected \(e)"
        case .invalidEnum(let f, let v): "TFLite: \(f) has invalid value \(v)"
        case .optionsTypeMismatch(let o, let e, let g): "TFLite: \(o) options have union type \(g), expected \(e)"
        case .badCustomOptions(let o, let r): "TFLite: custom op \(o): \(r)"
        case .badSparsity(let t, let r): "TFLite: tensor '\(t)' sparsity: \(r)"
        case .badQuantization(let t, let r): "TFLite: tensor '\(t)' quantization: \(r)"
        case .unsupportedOperator(let o): "TFLite: unsupported operator \(o)"
        case .badOperator(let o, let r): "TFLite: \(o): \(r)"
        case .workLimitExceeded: "TFLite: decoding work limit exceeded (malformed shared tables?)"
        }
    }
}
