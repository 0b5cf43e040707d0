/// Element types a ``Tensor`` can hold.
public enum DType: String, Sendable, Hashable, CaseIterable, Codable {
    case float32, float16, int8, uint8, int32, int64, bool

    /// Bytes per element.
    public var byteSize: Int {
        switch self {
        case .float32, .int32: 4
        case .float16: 2
        case .int8, .uint8, .bool: 1
        case .int64: 8
        }
    }

    public var isFloatingPoint: Bool { self == .float32 || self == .float16 }
}

/// Swift scalar types that map one-to-one onto a ``DType``.
public protocol TensorScalar: Sendable, Numeric {
    static var dtype: DType { get }
}

extension Float: TensorScalar { public static var dtype: DType { .float32 } }
extension Float16: TensorScalar { public static var dtype: DType { .float16 } }
extension Int8: TensorScalar { public static var dtype: DType { .int8 } }
extension UInt8: TensorScalar { public static var dtype: DType { .uint8 } }
extension Int32: TensorScalar { public static var dtype: DType { .int32 } }
extension Int64: TensorScalar { public static var dtype: DType { .int64 } }
