/// A bounds-checked reader of FlatBuffers binary data over `[UInt8]`.
///
/// Every offset, vtable, vector length and string is checked against the
/// buffer before it is read; malformed data throws ``TFLiteError``. All
/// positions are absolute byte offsets into `bytes`; arithmetic uses `Int`
/// (64-bit) on values read as at most 32 bits, so it cannot overflow.
public struct FlatBufferReader: Sendable {
    public let bytes: [UInt8]

    public init(_ bytes: [UInt8]) { self.bytes = bytes }

    public var count: Int { bytes.count }

    func check(_ what: String, _ offset: Int, _ size: Int) throws {
        guard offset >= 0, size >= 0, offset <= bytes.count, size <= bytes.count - offset else {
            throw TFLiteError.outOfBounds(what: what, offset: offset, size: size, fileSize: bytes.count)
        }
    }

    public func u8(_ at: Int, _ what: String = "byte") throws -> UInt8 {
        try check(what, at, 1)
        return bytes[at]
    }

    public func u16(_ at: Int, _ what: String = "uint16") throws -> UInt16 {
        try check(what, at, 2)
        return UInt16(bytes[at]) | UInt16(bytes[at + 1]) << 8
    }

    public func u32(_ at: Int, _ what: String = "uint32") throws -> UInt32 {
        try check(what, at, 4)
        return UInt32(bytes[at]) | UInt32(bytes[at + 1]) << 8 | UInt32(bytes[at + 2]) << 16 | UInt32(bytes[at + 3]) << 24
    }

    public func u64(_ at: Int, _ what: String = "uint64") throws -> UInt64 {
        try check(what, at, 8)
        var v: UInt64 = 0
        for i in 0..<8 { v |= UInt64(bytes[at + i]) << (8 * UInt64(i)) }
        return v
    }

    public func i32(_ at: Int, _ what: String = "int32") throws -> Int32 { Int32(bitPattern: try u32(at, what)) }

    /// Follows a `uoffset_t` stored at `at` (relative to `at`).
    public func indirect(_ at: Int, _ what: String) throws -> Int {
        let target = at + Int(try u32(at, what))
        try check(what, target, 0)
        return target
    }

    /// The root table (the `uoffset_t` at byte 0).
    public func root(_ what: String = "root") throws -> FlatBufferTable {
        try table(at: try indirect(0, what), what)
    }

    /// The file identifier (bytes 4..<8), if the file is long enough.
    public var fileIdentifier: String? {
        guard bytes.count >= 8 else { return nil }
        return String(decoding: bytes[4..<8], as: UTF8.self)
    }

    /// The table at absolute position `pos`, with its vtable validated.
    public func table(at pos: Int, _ what: String) throws -> FlatBufferTable {
        try check(what, pos, 4)
        let soffset = Int(try i32(pos, what))
        let vtable = pos - soffset
        try check(what + " vtable", vtable, 4)
        let vtSize = Int(try u16(vtable, what))
        let tableSize = Int(try u16(vtable + 2, what))
        guard vtSize >= 4, vtSize % 2 == 0, tableSize >= 4 else { throw TFLiteError.badVTable(what: what, offset: vtable) }
        try check(what + " vtable", vtable, vtSize)
        try check(what, pos, tableSize)
        return FlatBufferTable(reader: self, what: what, position: pos, vtable: vtable, vtableSize: vtSize, tableSize: tableSize)
    }
}

/// A table: a position plus its validated vtable.
public struct FlatBufferTable: Sendable {
    public let reader: FlatBufferReader
    public let what: String
    public let position: Int
    let vtable: Int
    let vtableSize: Int
    let tableSize: Int

    /// Absolute position of field `id`, or nil when absent; the field's `size` bytes must lie in the table.
    public func field(_ id: Int, size: Int) throws -> Int? {
        let slot = 4 + 2 * id
        guard slot + 2 <= vtableSize else { return nil }
        let off = Int(try reader.u16(vtable + slot, what))
        if off == 0 { return nil }
        guard off >= 4, off + size <= tableSize else { throw TFLiteError.badVTable(what: "\(what) field \(id)", offset: vtable) }
        return position + off
    }

    public func u8(_ id: Int, default d: UInt8 = 0) throws -> UInt8 {
        guard let p = try field(id, size: 1) else { return d }
        return try reader.u8(p, what)
    }

    public func i8(_ id: Int, default d: Int8 = 0) throws -> Int8 { Int8(bitPattern: try u8(id, default: UInt8(bitPattern: d))) }

    public func bool(_ id: Int, default d: Bool = false) throws -> Bool { try u8(id, default: d ? 1 : 0) != 0 }

    public func u32(_ id: Int, default d: UInt32 = 0) throws -> UInt32 {
        guard let p = try field(id, size: 4) else { return d }
        return try reader.u32(p, what)
    }

    public func i32(_ id: Int, default d: Int32 = 0) throws -> Int32 { Int32(bitPattern: try u32(id, default: UInt32(bitPattern: d))) }

    public func u64(_ id: Int, default d: UInt64 = 0) throws -> UInt64 {
        guard let p = try field(id, size: 8) else { return d }
        return try reader.u64(p, what)
    }

    /// A sub-table field.
    public func table(_ id: Int, _ name: String) throws -> FlatBufferTable? {
        guard let p = try field(id, size: 4) else { return nil }
        return try reader.table(at: try reader.indirect(p, "\(what).\(name)"), "\(what).\(name)")
    }

    /// A vector field with elements of `elementSize` bytes; its whole extent is checked.
    public func vector(_ id: Int, _ name: String, elementSize: Int) throws -> FlatBufferVector? {
        guard let p = try field(id, size: 4) else { return nil }
        let label = "\(what).\(name)"
        let start = try reader.indirect(p, label)
        let n = Int(try reader.u32(start, label))
        guard n <= (reader.count - start - 4) / elementSize else { throw TFLiteError.vectorTooLong(what: label, count: n) }
        return FlatBufferVector(reader: reader, what: label, start: start + 4, count: n, elementSize: elementSize)
    }

    /// A string field (UTF-8, invalid sequences replaced).
    public func string(_ id: Int, _ name: String) throws -> String? {
        guard let v = try vector(id, name, elementSize: 1) else { return nil }
        return String(decoding: reader.bytes[v.start..<v.start + v.count], as: UTF8.self)
    }

    public func int32s(_ id: Int, _ name: String) throws -> [Int]? {
        guard let v = try vector(id, name, elementSize: 4) else { return nil }
        return try (0..<v.count).map { Int(try reader.i32(v.start + 4 * $0, v.what)) }
    }

    public func floats(_ id: Int, _ name: String) throws -> [Float]? {
        guard let v = try vector(id, name, elementSize: 4) else { return nil }
        return try (0..<v.count).map { Float(bitPattern: try reader.u32(v.start + 4 * $0, v.what)) }
    }

    public func int64s(_ id: Int, _ name: String) throws -> [Int64]? {
        guard let v = try vector(id, name, elementSize: 8) else { return nil }
        return try (0..<v.count).map { Int64(bitPattern: try reader.u64(v.start + 8 * $0, v.what)) }
    }

    /// A `[ubyte]` field as a byte range of the file.
    public func byteRange(_ id: Int, _ name: String) throws -> Range<Int>? {
        guard let v = try vector(id, name, elementSize: 1) else { return nil }
        return v.start..<v.start + v.count
    }

    /// A vector of tables.
    public func tables(_ id: Int, _ name: String) throws -> [FlatBufferTable]? {
        guard let v = try vector(id, name, elementSize: 4) else { return nil }
        return try (0..<v.count).map { i in
            let label = "\(v.what)[\(i)]"
            return try reader.table(at: try reader.indirect(v.start + 4 * i, label), label)
        }
    }
}

/// A vector's element range: `count` elements of `elementSize` bytes from `start`, all inside the buffer.
public struct FlatBufferVector: Sendable {
    public let reader: FlatBufferReader
    public let what: String
    public let start: Int
    public let count: Int
    public let elementSize: Int
}
