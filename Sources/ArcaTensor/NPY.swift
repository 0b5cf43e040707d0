import Foundation

/// Errors reading `.npy` data.
public enum NPYError: Error, Equatable, CustomStringConvertible {
    case badMagic
    case unsupportedVersion(UInt8)
    case truncated(expected: Int, got: Int)
    case badHeader(String)
    case unsupportedDType(String)
    case fortranOrder

    public var description: String {
        switch self {
        case .badMagic: "not an .npy file (bad magic)"
        case .unsupportedVersion(let v): "unsupported .npy version \(v)"
        case .truncated(let e, let g): ".npy data truncated: expected \(e) bytes, got \(g)"
        case .badHeader(let h): "malformed .npy header: \(h)"
        case .unsupportedDType(let d): "unsupported .npy dtype '\(d)'"
        case .fortranOrder: "Fortran-ordered .npy arrays are not supported"
        }
    }
}

/// NumPy `.npy` format (versions 1–3), little-endian, C order.
public enum NPY {
    static let magic: [UInt8] = [0x93, 0x4E, 0x55, 0x4D, 0x50, 0x59]
    /// Header length cap: NumPy itself refuses headers over 10 000 bytes by default.
    static let maxHeaderBytes = 65_536

    static func descr(_ dtype: DType) -> String {
        switch dtype {
        case .float32: "<f4"
        case .float16: "<f2"
        case .int8: "|i1"
        case .uint8: "|u1"
        case .int32: "<i4"
        case .int64: "<i8"
        case .bool: "|b1"
        }
    }

    static func dtype(descr: String) throws -> DType {
        switch descr {
        case "<f4", "=f4": .float32
        case "<f2", "=f2": .float16
        case "|i1", "<i1", "i1": .int8
        case "|u1", "<u1", "u1": .uint8
        case "<i4", "=i4": .int32
        case "<i8", "=i8": .int64
        case "|b1", "b1": .bool
        default: throw NPYError.unsupportedDType(descr)
        }
    }

    /// Encodes a tensor as `.npy` bytes.
    public static func encode(_ tensor: Tensor) -> [UInt8] {
        let shapeText = tensor.shape.dims.isEmpty ? "()" :
            tensor.shape.dims.count == 1 ? "(\(tensor.shape[0]),)" :
            "(" + tensor.shape.dims.map(String.init).joined(separator: ", ") + ")"
        var header = "{'descr': '\(descr(tensor.dtype))', 'fortran_order': False, 'shape': \(shapeText), }"
        let unpadded = 10 + header.utf8.count + 1
        header += String(repeating: " ", count: (64 - unpadded % 64) % 64) + "\n"
        var out = magic + [1, 0]
        let len = UInt16(header.utf8.count)
        out += [UInt8(len & 0xff), UInt8(len >> 8)]
        out += Array(header.utf8)
        tensor.withUnsafeBytes { out += Array($0) }
        return out
    }

    /// Decodes `.npy` bytes; every size is checked against the data.
    public static func decode(_ bytes: [UInt8]) throws -> Tensor {
        guard bytes.count >= 10, Array(bytes[0..<6]) == magic else { throw NPYError.badMagic }
        let major = bytes[6]
        var headerStart = 10
        let headerLen: Int
        switch major {
        case 1: headerLen = Int(bytes[8]) | Int(bytes[9]) << 8
        case 2, 3:
            guard bytes.count >= 12 else { throw NPYError.truncated(expected: 12, got: bytes.count) }
            headerLen = Int(bytes[8]) | Int(bytes[9]) << 8 | Int(bytes[10]) << 16 | Int(bytes[11]) << 24
            headerStart = 12
        default: throw NPYError.unsupportedVersion(major)
        }
        guard headerLen <= maxHeaderBytes else { throw NPYError.badHeader("header of \(headerLen) bytes is too long") }
        guard bytes.count >= headerStart + headerLen else {
            throw NPYError.truncated(expected: headerStart + headerLen, got: bytes.count)
        }
        guard let header = String(bytes: bytes[headerStart..<headerStart + headerLen], encoding: .utf8) else {
            throw NPYError.badHeader("not UTF-8")
        }
        let descr = try field(header, "descr", open: "'", close: "'")
        let fortran = try field(header, "fortran_order", open: nil, close: ",")
        guard fortran.trimmingCharacters(in: .whitespaces) == "False" else { throw NPYError.fortranOrder }
        let shapeText = try field(header, "shape", open: "(", close: ")")
        let dims = try shapeText.split(separator: ",").map { s -> Int in
            guard let v = Int(s.trimmingCharacters(in: .whitespaces)), v >= 0 else { throw NPYError.badHeader("shape (\(shapeText))") }
            return v
        }
        let dt = try dtype(descr: descr)
        let shape: Shape
        do { shape = try Shape(dims).validated(maxElements: Int(Int32.max) * 4) } catch { throw NPYError.badHeader("shape (\(shapeText)) too large") }
        let dataStart = headerStart + headerLen
        let need = shape.count * dt.byteSize
        guard bytes.count - dataStart >= need else { throw NPYError.truncated(expected: need, got: bytes.count - dataStart) }
        let storage = bytes.withUnsafeBytes { TensorStorage(copying: UnsafeRawBufferPointer(rebasing: $0[dataStart..<dataStart + need])) }
        return try Tensor(storage: storage, dtype: dt, shape: shape)
    }

    public static func read(_ url: URL) throws -> Tensor {
        try decode(Array(try Data(contentsOf: url)))
    }

    public static func write(_ tensor: Tensor, to url: URL) throws {
        try Data(encode(tensor)).write(to: url, options: .atomic)
    }

    private static func field(_ header: String, _ key: String, open: Character?, close: Character) throws -> String {
        guard let k = header.range(of: "'\(key)'") else { throw NPYError.badHeader("missing '\(key)'") }
        var rest = header[k.upperBound...].drop { $0 == " " || $0 == ":" }
        if let open {
            guard rest.first == open else { throw NPYError.badHeader("bad '\(key)'") }
            rest = rest.dropFirst()
        }
        guard let end = rest.firstIndex(of: close) else { throw NPYError.badHeader("unterminated '\(key)'") }
        return String(rest[..<end])
    }
}
