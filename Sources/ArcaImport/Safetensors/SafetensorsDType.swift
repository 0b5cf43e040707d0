import ArcaTensor

/// Every element type the `safetensors` format names (the Rust crate's `Dtype`).
///
/// Parsing accepts all of them, so a file is valid or not exactly as the crate
/// decides; only ``SafetensorsFile/tensor(_:as:)`` refuses the ones Arca cannot hold.
public enum SafetensorsDType: String, Sendable, Hashable, CaseIterable, CustomStringConvertible {
    case bool = "BOOL"
    case f4 = "F4"
    case f6e2m3 = "F6_E2M3"
    case f6e3m2 = "F6_E3M2"
    case u8 = "U8"
    case i8 = "I8"
    case f8e5m2 = "F8_E5M2"
    case f8e4m3 = "F8_E4M3"
    case f8e8m0 = "F8_E8M0"
    case i16 = "I16"
    case u16 = "U16"
    case f16 = "F16"
    case bf16 = "BF16"
    case i32 = "I32"
    case u32 = "U32"
    case f32 = "F32"
    case c64 = "C64"
    case f64 = "F64"
    case i64 = "I64"
    case u64 = "U64"

    /// Bits per element (sub-byte types pack several elements per byte).
    public var bitSize: Int {
        switch self {
        case .f4: 4
        case .f6e2m3, .f6e3m2: 6
        case .bool, .u8, .i8, .f8e5m2, .f8e4m3, .f8e8m0: 8
        case .i16, .u16, .f16, .bf16: 16
        case .i32, .u32, .f32: 32
        case .c64, .f64, .i64, .u64: 64
        }
    }

    /// The ``DType`` holding these bytes unchanged, if Arca has one.
    public var tensorDType: DType? {
        switch self {
        case .bool: .bool
        case .u8: .uint8
        case .i8: .int8
        case .f16: .float16
        case .i32: .int32
        case .f32: .float32
        case .i64: .int64
        default: nil
        }
    }

    /// Whether ``SafetensorsFile/tensor(_:as:)`` can convert this type to float32.
    public var convertsToFloat32: Bool { tensorDType != nil || self == .bf16 || self == .f64 }

    public var description: String { rawValue }
}
