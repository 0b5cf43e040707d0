import ArcaTensor

/// Why a `.safetensors` buffer or a tensor request was refused.
///
/// The accepted files are exactly those the Rust `safetensors` crate accepts,
/// except that duplicate JSON keys are refused here (serde keeps the last one,
/// so two readers could disagree on a file's contents).
/// Cases are finer than the crate's: an offset error says whether it is an
/// overlap, a hole or a reversed range.
public enum SafetensorsError: Error, Equatable, CustomStringConvertible {
    /// Fewer than the 8 bytes of the header length.
    case headerTooSmall(byteCount: Int)
    /// The declared header length is over ``SafetensorsFile/maxHeaderBytes``.
    case headerTooLarge(declared: UInt64)
    /// The declared header runs past the end of the buffer.
    case headerTruncated(declared: Int, available: Int)
    case headerNotUTF8
    /// The header is JSON but not an object.
    case headerNotObject
    case headerInvalidJSON(JSONParseError)
    /// `__metadata__` is not a string-to-string object (or null).
    case invalidMetadata(String)
    /// A tensor entry is not an object with `dtype`, `shape` and `data_offsets` of the right types.
    case invalidTensorInfo(name: String, reason: String)
    case unknownDType(name: String, dtype: String)
    /// The element or byte count of a shape overflows.
    case shapeOverflow(name: String, shape: [UInt64])
    /// A sub-byte dtype whose element count does not fill whole bytes.
    case misalignedSlice(name: String)
    /// `data_offsets` with end before begin.
    case reversedOffsets(name: String, begin: Int, end: Int)
    /// The tensor starts before the previous one (in offset order) ends.
    case overlappingOffsets(name: String, begin: Int, previousEnd: Int)
    /// Unused bytes between the previous tensor (or the data start) and this one.
    case holeBeforeTensor(name: String, begin: Int, previousEnd: Int)
    /// `end - begin` differs from the shape's element count times the dtype size.
    case byteSizeMismatch(name: String, expected: Int, got: Int)
    /// The tensor ends past the data region.
    case offsetsOutOfRange(name: String, end: Int, dataSize: Int)
    /// The data region is longer than the last tensor's end.
    case dataSizeMismatch(tensorsEnd: Int, dataSize: Int)
    case tensorNotFound(String)
    /// The tensor's dtype cannot be returned as `target` (nil: as stored).
    case unsupportedDType(name: String, dtype: SafetensorsDType, target: DType?)
    case fileUnreadable(path: String, reason: String)

    public var description: String {
        switch self {
        case .headerTooSmall(let n): "safetensors: \(n) bytes is too small for the 8-byte header length"
        case .headerTooLarge(let n): "safetensors: header of \(n) bytes exceeds the \(SafetensorsFile.maxHeaderBytes)-byte limit"
        case .headerTruncated(let d, let a): "safetensors: header of \(d) bytes but only \(a) bytes follow the length"
        case .headerNotUTF8: "safetensors: header is not valid UTF-8"
        case .headerNotObject: "safetensors: header is not a JSON object"
        case .headerInvalidJSON(let e): "safetensors: header JSON: \(e)"
        case .invalidMetadata(let r): "safetensors: __metadata__: \(r)"
        case .invalidTensorInfo(let n, let r): "safetensors: tensor '\(n)': \(r)"
        case .unknownDType(let n, let d): "safetensors: tensor '\(n)': unknown dtype '\(d)'"
        case .shapeOverflow(let n, let s): "safetensors: tensor '\(n)': size of shape \(s) overflows"
        case .misalignedSlice(let n): "safetensors: tensor '\(n)': sub-byte elements do not fill whole bytes"
        case .reversedOffsets(let n, let b, let e): "safetensors: tensor '\(n)': data_offsets [\(b), \(e)] end before they begin"
        case .overlappingOffsets(let n, let b, let p): "safetensors: tensor '\(n)' begins at \(b), inside the previous tensor (ends at \(p))"
        case .holeBeforeTensor(let n, let b, let p): "safetensors: tensor '\(n)' begins at \(b), leaving a hole after \(p)"
        case .byteSizeMismatch(let n, let e, let g): "safetensors: tensor '\(n)': shape and dtype need \(e) bytes, data_offsets give \(g)"
        case .offsetsOutOfRange(let n, let e, let s): "safetensors: tensor '\(n)' ends at \(e), past the \(s)-byte data region"
        case .dataSizeMismatch(let t, let s): "safetensors: tensors end at \(t) but the data region has \(s) bytes"
        case .tensorNotFound(let n): "safetensors: no tensor named '\(n)'"
        case .unsupportedDType(let n, let d, let t):
            "safetensors: tensor '\(n)' has dtype \(d), which cannot be read as \(t.map { "\($0)" } ?? "an Arca dtype")"
                + (t == nil && d.convertsToFloat32 ? " (request .float32)" : "")
        case .fileUnreadable(let p, let r): "safetensors: cannot read \(p): \(r)"
        }
    }
}
