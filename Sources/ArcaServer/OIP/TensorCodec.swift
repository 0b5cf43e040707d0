/// Shape checks and the binary tensor data extension's element encoding.
enum TensorCodec {
    /// Element count of `shape`, refusing negative dimensions and counts above `limit`.
    static func elementCount(_ shape: [Int], limit: Int) throws -> Int {
        var count = 1
        for d in shape {
            guard d >= 0 else { throw ServerError.badRequest("shape \(shape) has a negative dimension") }
            let (p, overflow) = count.multipliedReportingOverflow(by: d)
            guard !overflow, p <= limit else { throw ServerError.tooLarge("shape \(shape) exceeds the limit of \(limit) elements") }
            count = p
        }
        return count
    }

    /// Decodes binary-extension bytes: little-endian, row-major; `BYTES` as 4-byte length + bytes.
    static func decodeBinary(_ bytes: ArraySlice<UInt8>, as type: TensorDatatype, count: Int, name: String) throws -> TensorData {
        if let size = type.fixedByteSize, bytes.count != size * count {
            throw ServerError.badRequest("input '\(name)': \(bytes.count) binary bytes for \(count) \(type.rawValue) elements")
        }
        let base = bytes.startIndex
        func word(_ i: Int, _ n: Int) -> UInt64 {
            var v: UInt64 = 0
            for k in 0..<n { v |= UInt64(bytes[base + i * n + k]) << (8 * k) }
            return v
        }
        switch type {
        case .fp32: return .fp32((0..<count).map { Float(bitPattern: UInt32(truncatingIfNeeded: word($0, 4))) })
        case .uint8: return .uint8(Array(bytes))
        case .int32: return .int32((0..<count).map { Int32(bitPattern: UInt32(truncatingIfNeeded: word($0, 4))) })
        case .int64: return .int64((0..<count).map { Int64(bitPattern: word($0, 8)) })
        case .bytes:
            var out: [[UInt8]] = []
            out.reserveCapacity(count)
            var i = bytes.startIndex
            while i < bytes.endIndex {
                guard bytes.endIndex - i >= 4 else { throw ServerError.badRequest("input '\(name)': truncated BYTES length prefix") }
                var len = 0
                for k in 0..<4 { len |= Int(bytes[i + k]) << (8 * k) }
                i += 4
                guard bytes.endIndex - i >= len else { throw ServerError.badRequest("input '\(name)': BYTES element overruns the data") }
                out.append(Array(bytes[i..<(i + len)]))
                i += len
                guard out.count <= count else { break }
            }
            guard out.count == count else {
                throw ServerError.badRequest("input '\(name)': binary data holds \(out.count) BYTES elements, shape declares \(count)")
            }
            return .bytes(out)
        }
    }

    /// Encodes elements for the binary extension.
    static func encodeBinary(_ data: TensorData) -> [UInt8] {
        var out: [UInt8] = []
        func put(_ v: UInt64, _ n: Int) { for k in 0..<n { out.append(UInt8(truncatingIfNeeded: v >> (8 * k))) } }
        switch data {
        case .fp32(let v): out.reserveCapacity(v.count * 4); for x in v { put(UInt64(x.bitPattern), 4) }
        case .uint8(let v): out = v
        case .int32(let v): out.reserveCapacity(v.count * 4); for x in v { put(UInt64(UInt32(bitPattern: x)), 4) }
        case .int64(let v): out.reserveCapacity(v.count * 8); for x in v { put(UInt64(bitPattern: x), 8) }
        case .bytes(let v):
            for s in v {
                put(UInt64(s.count), 4)
                out.append(contentsOf: s)
            }
        }
        return out
    }
}
