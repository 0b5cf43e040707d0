import ArcaTensor
import Foundation

/// One tensor's entry in a safetensors header.
public struct SafetensorsTensorInfo: Sendable, Hashable {
    public let name: String
    public let dtype: SafetensorsDType
    public let shape: [Int]
    /// Byte range inside the data region (which starts after the header).
    public let dataOffsets: Range<Int>
}

/// A validated `.safetensors` buffer: `u64le N`, an `N`-byte UTF-8 JSON header,
/// then the data region that the tensors tile exactly, in offset order.
///
/// Construction checks everything the Rust `safetensors` crate checks (see
/// ``SafetensorsError``), so ``tensor(_:as:)`` only copies bytes and converts.
public struct SafetensorsFile: Sendable {
    /// The crate's `MAX_HEADER_SIZE`.
    public static let maxHeaderBytes = 100_000_000

    /// Tensor names in data-offset order.
    public let names: [String]
    /// The `__metadata__` map (empty if absent or null).
    public let metadata: [String: String]
    private let infos: [String: SafetensorsTensorInfo]
    private let bytes: Data
    private let dataStart: Int

    public init(bytes: [UInt8]) throws(SafetensorsError) {
        try self.init(data: Data(bytes))
    }

    /// Reads a file; large files are memory-mapped when the system allows.
    public init(contentsOf url: URL) throws(SafetensorsError) {
        let data: Data
        do { data = try Data(contentsOf: url, options: .mappedIfSafe) } catch {
            throw .fileUnreadable(path: url.path, reason: "\(error)")
        }
        try self.init(data: data)
    }

    public init(data: Data) throws(SafetensorsError) {
        let data = data.startIndex == 0 ? data : Data(data)
        guard data.count >= 8 else { throw .headerTooSmall(byteCount: data.count) }
        let declared = data.withUnsafeBytes { $0.loadUnaligned(fromByteOffset: 0, as: UInt64.self) }.littleEndian
        guard declared <= UInt64(Self.maxHeaderBytes) else { throw .headerTooLarge(declared: declared) }
        let headerLength = Int(declared)
        guard headerLength <= data.count - 8 else { throw .headerTruncated(declared: headerLength, available: data.count - 8) }
        let header = [UInt8](data[8..<8 + headerLength])
        guard String(validating: header, as: UTF8.self) != nil else { throw .headerNotUTF8 }
        let json: JSONValue
        do { json = try JSONParser.parse(header) } catch { throw .headerInvalidJSON(error) }
        guard let members = json.objectMembers else { throw .headerNotObject }

        var metadata: [String: String] = [:]
        var entries: [SafetensorsTensorInfo] = []
        for (key, value) in members {
            if key == "__metadata__" {
                metadata = try Self.metadata(value)
            } else {
                entries.append(try Self.tensorInfo(name: key, value))
            }
        }
        entries.sort { ($0.dataOffsets.lowerBound, $0.dataOffsets.upperBound) < ($1.dataOffsets.lowerBound, $1.dataOffsets.upperBound) }

        let dataSize = data.count - 8 - headerLength
        var end = 0
        for e in entries {
            let b = e.dataOffsets.lowerBound
            if b < end { throw .overlappingOffsets(name: e.name, begin: b, previousEnd: end) }
            if b > end { throw .holeBeforeTensor(name: e.name, begin: b, previousEnd: end) }
            if e.dataOffsets.upperBound > dataSize {
                throw .offsetsOutOfRange(name: e.name, end: e.dataOffsets.upperBound, dataSize: dataSize)
            }
            end = e.dataOffsets.upperBound
        }
        guard end == dataSize else { throw .dataSizeMismatch(tensorsEnd: end, dataSize: dataSize) }

        self.names = entries.map(\.name)
        self.metadata = metadata
        self.infos = Dictionary(uniqueKeysWithValues: entries.map { ($0.name, $0) })
        self.bytes = data
        self.dataStart = 8 + headerLength
    }

    private static func metadata(_ value: JSONValue) throws(SafetensorsError) -> [String: String] {
        if value == .null { return [:] }
        guard let members = value.objectMembers else { throw .invalidMetadata("not an object") }
        var out: [String: String] = [:]
        for (k, v) in members {
            guard let s = v.stringValue else { throw .invalidMetadata("value of '\(k)' is not a string") }
            out[k] = s
        }
        return out
    }

    private static func tensorInfo(name: String, _ value: JSONValue) throws(SafetensorsError) -> SafetensorsTensorInfo {
        guard value.objectMembers != nil else { throw .invalidTensorInfo(name: name, reason: "not an object") }
        guard let dtypeText = value["dtype"]?.stringValue else { throw .invalidTensorInfo(name: name, reason: "missing or non-string dtype") }
        guard let dims = value["shape"]?.arrayValue else { throw .invalidTensorInfo(name: name, reason: "missing or non-array shape") }
        guard let offsets = value["data_offsets"]?.arrayValue else {
            throw .invalidTensorInfo(name: name, reason: "missing or non-array data_offsets")
        }
        guard let dtype = SafetensorsDType(rawValue: dtypeText) else { throw .unknownDType(name: name, dtype: dtypeText) }
        var shape64: [UInt64] = []
        for d in dims {
            guard let v = d.uint64Value else { throw .invalidTensorInfo(name: name, reason: "shape entries must be non-negative integers") }
            shape64.append(v)
        }
        guard offsets.count == 2, let b64 = offsets[0].uint64Value, let e64 = offsets[1].uint64Value else {
            throw .invalidTensorInfo(name: name, reason: "data_offsets must be two non-negative integers")
        }
        guard let begin = Int(exactly: b64), let end = Int(exactly: e64) else {
            throw .invalidTensorInfo(name: name, reason: "data_offsets too large")
        }
        guard begin <= end else { throw .reversedOffsets(name: name, begin: begin, end: end) }

        var count = 1
        var shape: [Int] = []
        for d in shape64 {
            guard let di = Int(exactly: d) else { throw .shapeOverflow(name: name, shape: shape64) }
            let (p, o) = count.multipliedReportingOverflow(by: di)
            guard !o else { throw .shapeOverflow(name: name, shape: shape64) }
            count = p
            shape.append(di)
        }
        let (bits, o) = count.multipliedReportingOverflow(by: dtype.bitSize)
        guard !o else { throw .shapeOverflow(name: name, shape: shape64) }
        guard bits % 8 == 0 else { throw .misalignedSlice(name: name) }
        guard end - begin == bits / 8 else { throw .byteSizeMismatch(name: name, expected: bits / 8, got: end - begin) }
        return SafetensorsTensorInfo(name: name, dtype: dtype, shape: shape, dataOffsets: begin..<end)
    }

    /// The dtype, shape and offsets of `name`, or nil.
    public func info(_ name: String) -> SafetensorsTensorInfo? { infos[name] }

    /// All entries in data-offset order.
    public var tensorInfos: [SafetensorsTensorInfo] { names.compactMap { infos[$0] } }

    /// A copy of tensor `name`, as stored (`as: nil`) or converted to `as`.
    ///
    /// As stored works for dtypes with a ``SafetensorsDType/tensorDType``;
    /// `.float32` also accepts BF16 and F64 (rounded to nearest). Other
    /// targets accept any stored type that Arca holds, via ``Tensor/converted(to:)``.
    public func tensor(_ name: String, as target: DType? = nil) throws(SafetensorsError) -> Tensor {
        guard let info = infos[name] else { throw .tensorNotFound(name) }
        let shape = Shape(info.shape)
        let range = (dataStart + info.dataOffsets.lowerBound)..<(dataStart + info.dataOffsets.upperBound)
        if let stored = info.dtype.tensorDType {
            let storage = bytes.withUnsafeBytes { TensorStorage(copying: UnsafeRawBufferPointer(rebasing: $0[range])) }
            let t: Tensor
            do { t = try Tensor(storage: storage, dtype: stored, shape: shape) } catch {
                throw .invalidTensorInfo(name: name, reason: "\(error)")
            }
            return target.map { t.converted(to: $0) } ?? t
        }
        guard target == .float32, info.dtype == .bf16 || info.dtype == .f64 else {
            throw .unsupportedDType(name: name, dtype: info.dtype, target: target)
        }
        var out = Tensor(zeros: shape, dtype: .float32)
        let n = shape.count
        let dtype = info.dtype
        bytes.withUnsafeBytes { raw in
            let src = UnsafeRawBufferPointer(rebasing: raw[range])
            _ = try? out.withUnsafeMutableBufferPointer(as: Float.self) { dst in
                if dtype == .bf16 {
                    for i in 0..<n {
                        let h = src.loadUnaligned(fromByteOffset: 2 * i, as: UInt16.self).littleEndian
                        dst[i] = Float(bitPattern: UInt32(h) << 16)
                    }
                } else {
                    for i in 0..<n {
                        dst[i] = Float(Double(bitPattern: src.loadUnaligned(fromByteOffset: 8 * i, as: UInt64.self).littleEndian))
                    }
                }
            }
        }
        return out
    }
}
