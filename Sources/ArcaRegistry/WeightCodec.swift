import ArcaTensor

/// The weights layer format: a 16-byte header, then one zstd frame of the (optionally byte-plane split) tensor bytes.
///
/// Header, little-endian: magic `ARCW` (4), version (1), dtype code (1), plane count (1), reserved 0 (1),
/// raw size in bytes (8). With `planes == dtype.byteSize > 1` the frame holds every element's byte 0,
/// then every byte 1, and so on; exponent and high-mantissa bytes then sit together and compress far better.
public enum WeightCodec {
    public static let magic: [UInt8] = Array("ARCW".utf8)
    public static let version: UInt8 = 1
    public static let headerSize = 16
    /// zstd level used by ``encode(_:dtype:splitPlanes:level:)`` unless told otherwise.
    public static let defaultLevel = 9

    /// The validated header of an encoded blob.
    public struct Header: Equatable, Sendable {
        public var dtype: DType
        /// 1 (bytes as given) or `dtype.byteSize` (split into byte planes).
        public var planes: Int
        /// Size of the decoded tensor bytes.
        public var rawSize: Int
    }

    /// Encodes raw little-endian tensor bytes of `dtype`.
    public static func encode(
        _ raw: [UInt8], dtype: DType, splitPlanes: Bool = true, level: Int = defaultLevel
    ) throws(WeightCodecError) -> [UInt8] {
        guard raw.count % dtype.byteSize == 0 else { throw .rawSizeNotMultiple(rawSize: raw.count, elementSize: dtype.byteSize) }
        let planes = splitPlanes ? dtype.byteSize : 1
        let body = planes > 1 ? split(raw, planes: planes) : raw
        let frame: [UInt8]
        do { frame = try ZstdCodec.compress(body, level: level) } catch { throw .zstd(error) }
        var out = magic + [version, dtypeCode(dtype), UInt8(planes), 0]
        var size = UInt64(raw.count)
        for _ in 0..<8 { out.append(UInt8(truncatingIfNeeded: size)); size >>= 8 }
        out += frame
        return out
    }

    /// Reads and validates the header of an encoded blob.
    public static func header(of blob: [UInt8]) throws(WeightCodecError) -> Header {
        guard blob.count >= headerSize else { throw .truncatedHeader(count: blob.count) }
        guard Array(blob[0..<4]) == magic else { throw .badMagic }
        guard blob[4] == version else { throw .unsupportedVersion(blob[4]) }
        guard let dtype = dtype(code: blob[5]) else { throw .unknownDType(blob[5]) }
        let planes = Int(blob[6])
        guard planes == 1 || planes == dtype.byteSize else { throw .badPlaneCount(planes, dtype: dtype) }
        guard blob[7] == 0 else { throw .reservedNonZero }
        var size: UInt64 = 0
        for i in (8..<16).reversed() { size = size << 8 | UInt64(blob[i]) }
        guard size <= UInt64(Int.max), Int(size) % dtype.byteSize == 0 else {
            throw .rawSizeNotMultiple(rawSize: Int(clamping: size), elementSize: dtype.byteSize)
        }
        return Header(dtype: dtype, planes: planes, rawSize: Int(size))
    }

    /// Decodes a blob into its dtype and raw little-endian tensor bytes.
    ///
    /// `maxRawSize` bounds the allocation; the header's raw size must also match the frame's declared size.
    public static func decode(
        _ blob: [UInt8], maxRawSize: Int = ZstdCodec.defaultMaxOutputSize
    ) throws(WeightCodecError) -> (dtype: DType, bytes: [UInt8]) {
        let h = try header(of: blob)
        guard h.rawSize <= maxRawSize else { throw .tooLarge(rawSize: h.rawSize, limit: maxRawSize) }
        let body: [UInt8]
        do {
            body = try ZstdCodec.decompress(blob[headerSize...], expectedSize: h.rawSize, maxOutputSize: maxRawSize)
        } catch { throw .zstd(error) }
        return (h.dtype, h.planes > 1 ? join(body, planes: h.planes) : body)
    }

    /// `out[p * n + i] = raw[i * planes + p]` with `n = raw.count / planes`; `raw.count` is a multiple of `planes`.
    static func split(_ raw: [UInt8], planes: Int) -> [UInt8] {
        let n = raw.count / planes
        return [UInt8](unsafeUninitializedCapacity: raw.count) { dst, initialized in
            raw.withUnsafeBufferPointer { src in
                for p in 0..<planes {
                    let plane = p * n
                    for i in 0..<n { dst[plane + i] = src[i * planes + p] }
                }
            }
            initialized = raw.count
        }
    }

    /// Inverse of ``split(_:planes:)``, reading the planes from `body`.
    static func join(_ body: UnsafeRawBufferPointer, planes: Int) -> [UInt8] {
        if body.isEmpty { return [] }
        let n = body.count / planes
        return [UInt8](unsafeUninitializedCapacity: body.count) { dst, initialized in
            let src = body.bindMemory(to: UInt8.self)
            switch planes {
            case 4:
                // Whole little-endian words at a time: the hot path for float32.
                let (p0, p1, p2, p3) = (src.baseAddress!, src.baseAddress! + n, src.baseAddress! + 2 * n, src.baseAddress! + 3 * n)
                let out = UnsafeMutableRawPointer(dst.baseAddress!)
                for i in 0..<n {
                    let word = UInt32(p0[i]) | UInt32(p1[i]) << 8 | UInt32(p2[i]) << 16 | UInt32(p3[i]) << 24
                    out.storeBytes(of: word.littleEndian, toByteOffset: i * 4, as: UInt32.self)
                }
            case 2:
                let (p0, p1) = (src.baseAddress!, src.baseAddress! + n)
                let out = UnsafeMutableRawPointer(dst.baseAddress!)
                for i in 0..<n {
                    out.storeBytes(of: (UInt16(p0[i]) | UInt16(p1[i]) << 8).littleEndian, toByteOffset: i * 2, as: UInt16.self)
                }
            default:
                for p in 0..<planes {
                    let plane = p * n
                    for i in 0..<n { dst[i * planes + p] = src[plane + i] }
                }
            }
            initialized = body.count
        }
    }

    static func join(_ body: [UInt8], planes: Int) -> [UInt8] {
        body.withUnsafeBytes { join($0, planes: planes) }
    }

    static func dtypeCode(_ dtype: DType) -> UInt8 {
        switch dtype {
        case .float32: 1
        case .float16: 2
        case .int8: 3
        case .uint8: 4
        case .int32: 5
        case .int64: 6
        case .bool: 7
        }
    }

    static func dtype(code: UInt8) -> DType? {
        DType.allCases.first { dtypeCode($0) == code }
    }
}

/// Why a weights blob was refused.
public enum WeightCodecError: Error, Equatable, Sendable, CustomStringConvertible {
    case truncatedHeader(count: Int)
    case badMagic
    case unsupportedVersion(UInt8)
    case unknownDType(UInt8)
    case badPlaneCount(Int, dtype: DType)
    case reservedNonZero
    case rawSizeNotMultiple(rawSize: Int, elementSize: Int)
    case tooLarge(rawSize: Int, limit: Int)
    case zstd(ZstdError)

    public var description: String {
        switch self {
        case .truncatedHeader(let n): "weights blob of \(n) bytes is shorter than its 16-byte header"
        case .badMagic: "weights blob does not start with ARCW"
        case .unsupportedVersion(let v): "weights blob version \(v) is not supported"
        case .unknownDType(let c): "weights blob has unknown dtype code \(c)"
        case .badPlaneCount(let p, let d): "weights blob has \(p) planes for \(d.rawValue)"
        case .reservedNonZero: "weights blob header has a non-zero reserved byte"
        case .rawSizeNotMultiple(let s, let e): "weights size \(s) is not a multiple of the element size \(e)"
        case .tooLarge(let s, let l): "weights blob declares \(s) bytes, over the limit \(l)"
        case .zstd(let e): "weights blob: \(e)"
        }
    }
}
