/// Element type of a tensor on the wire, named as the Open Inference Protocol names it.
public enum TensorDatatype: String, Sendable, Hashable, CaseIterable, Codable {
    case fp32 = "FP32"
    case uint8 = "UINT8"
    case int32 = "INT32"
    case int64 = "INT64"
    case bytes = "BYTES"

    /// Bytes per element in the binary tensor encoding; `nil` for `BYTES`, whose elements are length-prefixed.
    public var fixedByteSize: Int? {
        switch self {
        case .fp32, .int32: 4
        case .uint8: 1
        case .int64: 8
        case .bytes: nil
        }
    }
}

/// Typed, flat, row-major tensor elements.
public enum TensorData: Sendable, Equatable {
    case fp32([Float])
    case uint8([UInt8])
    case int32([Int32])
    case int64([Int64])
    /// One byte string per element (OIP `BYTES`).
    case bytes([[UInt8]])

    public var datatype: TensorDatatype {
        switch self {
        case .fp32: .fp32
        case .uint8: .uint8
        case .int32: .int32
        case .int64: .int64
        case .bytes: .bytes
        }
    }

    public var count: Int {
        switch self {
        case .fp32(let v): v.count
        case .uint8(let v): v.count
        case .int32(let v): v.count
        case .int64(let v): v.count
        case .bytes(let v): v.count
        }
    }
}

/// A named tensor of a request or response: concrete shape (no `-1`) and its elements.
public struct InferenceTensor: Sendable, Equatable {
    public var name: String
    public var shape: [Int]
    public var data: TensorData

    public init(name: String, shape: [Int], data: TensorData) {
        self.name = name
        self.shape = shape
        self.data = data
    }

    public var datatype: TensorDatatype { data.datatype }
}

/// A declared model input or output: `shape` uses `-1` for a dimension of any size.
public struct TensorMetadata: Sendable, Equatable, Codable {
    public var name: String
    public var datatype: TensorDatatype
    public var shape: [Int]

    public init(name: String, datatype: TensorDatatype, shape: [Int]) {
        self.name = name
        self.datatype = datatype
        self.shape = shape
    }

    /// Whether a concrete shape fits this declaration (same rank; fixed dimensions equal).
    public func accepts(shape other: [Int]) -> Bool {
        guard other.count == shape.count else { return false }
        return zip(shape, other).allSatisfy { $0 == -1 || $0 == $1 }
    }
}
