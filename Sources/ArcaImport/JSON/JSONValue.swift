/// A parsed JSON value that keeps numbers as their source text, so integers
/// are read exactly (no trip through `Double`) and `1` differs from `1.0`.
public indirect enum JSONValue: Sendable, Equatable {
    case object([(key: String, value: JSONValue)])
    case array([JSONValue])
    case string(String)
    /// The number's literal text, already checked against the JSON grammar.
    case number(String)
    case bool(Bool)
    case null

    public static func == (a: JSONValue, b: JSONValue) -> Bool {
        switch (a, b) {
        case (.object(let x), .object(let y)):
            x.count == y.count && zip(x, y).allSatisfy { $0.key == $1.key && $0.value == $1.value }
        case (.array(let x), .array(let y)): x == y
        case (.string(let x), .string(let y)): x == y
        case (.number(let x), .number(let y)): x == y
        case (.bool(let x), .bool(let y)): x == y
        case (.null, .null): true
        default: false
        }
    }

    /// The members of an object, in source order; `nil` for other values.
    public var objectMembers: [(key: String, value: JSONValue)]? {
        if case .object(let m) = self { return m }
        return nil
    }

    /// The value of `key` if this is an object holding it.
    public subscript(key: String) -> JSONValue? {
        objectMembers?.first { $0.key == key }?.value
    }

    public var stringValue: String? {
        if case .string(let s) = self { return s }
        return nil
    }

    public var arrayValue: [JSONValue]? {
        if case .array(let a) = self { return a }
        return nil
    }

    /// A non-negative integer literal (digits only, as serde reads `usize`) that fits in `UInt64`.
    public var uint64Value: UInt64? {
        guard case .number(let text) = self, text.utf8.allSatisfy({ $0 >= 0x30 && $0 <= 0x39 }) else { return nil }
        return UInt64(text)
    }

    /// The number as a `Double` (integers and decimals alike).
    public var doubleValue: Double? {
        if case .number(let text) = self { return Double(text) }
        return nil
    }
}

/// Errors from ``JSONParser``; `offset` is a byte offset into the input.
public enum JSONParseError: Error, Equatable, CustomStringConvertible {
    case unexpectedEnd
    case unexpectedByte(UInt8, offset: Int)
    case invalidString(offset: Int)
    case invalidNumber(offset: Int)
    case duplicateKey(String, offset: Int)
    case tooDeep(limit: Int)
    case trailingData(offset: Int)

    public var description: String {
        switch self {
        case .unexpectedEnd: "unexpected end of JSON"
        case .unexpectedByte(let b, let o): "unexpected byte 0x\(String(b, radix: 16)) at offset \(o)"
        case .invalidString(let o): "invalid string at offset \(o)"
        case .invalidNumber(let o): "invalid number at offset \(o)"
        case .duplicateKey(let k, let o): "duplicate key \"\(k)\" at offset \(o)"
        case .tooDeep(let l): "nesting deeper than \(l) levels"
        case .trailingData(let o): "trailing data at offset \(o)"
        }
    }
}

/// A strict RFC 8259 parser for untrusted headers: UTF-8 input, no comments,
/// no trailing commas, duplicate object keys rejected, nesting capped
/// (128 levels, as serde_json).
public struct JSONParser {
    public static let maxDepth = 128

    private let bytes: [UInt8]
    private var pos = 0

    /// Parses one JSON value surrounded by optional whitespace.
    public static func parse(_ bytes: [UInt8]) throws(JSONParseError) -> JSONValue {
        var p = JSONParser(bytes: bytes)
        p.skipWhitespace()
        let v = try p.value(depth: 0)
        p.skipWhitespace()
        guard p.pos == bytes.count else { throw .trailingData(offset: p.pos) }
        return v
    }

    private init(bytes: [UInt8]) { self.bytes = bytes }

    private mutating func skipWhitespace() {
        while pos < bytes.count, [0x20, 0x09, 0x0A, 0x0D].contains(bytes[pos]) { pos += 1 }
    }

    private func peek() throws(JSONParseError) -> UInt8 {
        guard pos < bytes.count else { throw .unexpectedEnd }
        return bytes[pos]
    }

    private mutating func expect(_ literal: String) throws(JSONParseError) {
        for b in literal.utf8 {
            let got = try peek()
            guard got == b else { throw .unexpectedByte(got, offset: pos) }
            pos += 1
        }
    }

    private mutating func value(depth: Int) throws(JSONParseError) -> JSONValue {
        guard depth < Self.maxDepth else { throw .tooDeep(limit: Self.maxDepth) }
        let b = try peek()
        switch b {
        case UInt8(ascii: "{"): return try object(depth: depth)
        case UInt8(ascii: "["): return try array(depth: depth)
        case UInt8(ascii: "\""): return .string(try string())
        case UInt8(ascii: "t"): try expect("true"); return .bool(true)
        case UInt8(ascii: "f"): try expect("false"); return .bool(false)
        case UInt8(ascii: "n"): try expect("null"); return .null
        case UInt8(ascii: "-"), UInt8(ascii: "0")...UInt8(ascii: "9"): return try number()
        default: throw .unexpectedByte(b, offset: pos)
        }
    }

    private mutating func object(depth: Int) throws(JSONParseError) -> JSONValue {
        pos += 1
        var members: [(key: String, value: JSONValue)] = []
        var keys = Set<String>()
        skipWhitespace()
        if try peek() == UInt8(ascii: "}") { pos += 1; return .object(members) }
        while true {
            skipWhitespace()
            let keyOffset = pos
            let b = try peek()
            guard b == UInt8(ascii: "\"") else { throw .unexpectedByte(b, offset: pos) }
            let key = try string()
            guard keys.insert(key).inserted else { throw .duplicateKey(key, offset: keyOffset) }
            skipWhitespace()
            try expect(":")
            skipWhitespace()
            members.append((key, try value(depth: depth + 1)))
            skipWhitespace()
            let sep = try peek()
            pos += 1
            if sep == UInt8(ascii: "}") { return .object(members) }
            guard sep == UInt8(ascii: ",") else { throw .unexpectedByte(sep, offset: pos - 1) }
        }
    }

    private mutating func array(depth: Int) throws(JSONParseError) -> JSONValue {
        pos += 1
        var items: [JSONValue] = []
        skipWhitespace()
        if try peek() == UInt8(ascii: "]") { pos += 1; return .array(items) }
        while true {
            skipWhitespace()
            items.append(try value(depth: depth + 1))
            skipWhitespace()
            let sep = try peek()
            pos += 1
            if sep == UInt8(ascii: "]") { return .array(items) }
            guard sep == UInt8(ascii: ",") else { throw .unexpectedByte(sep, offset: pos - 1) }
        }
    }

    private mutating func number() throws(JSONParseError) -> JSONValue {
        let start = pos
        func digits(_ p: inout Int, _ bytes: [UInt8]) -> Int {
            let s = p
            while p < bytes.count, bytes[p] >= 0x30, bytes[p] <= 0x39 { p += 1 }
            return p - s
        }
        if bytes[pos] == UInt8(ascii: "-") { pos += 1 }
        guard pos < bytes.count else { throw .invalidNumber(offset: start) }
        if bytes[pos] == UInt8(ascii: "0") {
            pos += 1
        } else if digits(&pos, bytes) == 0 {
            throw .invalidNumber(offset: start)
        }
        if pos < bytes.count, bytes[pos] == UInt8(ascii: ".") {
            pos += 1
            guard digits(&pos, bytes) > 0 else { throw .invalidNumber(offset: start) }
        }
        if pos < bytes.count, bytes[pos] == UInt8(ascii: "e") || bytes[pos] == UInt8(ascii: "E") {
            pos += 1
            if pos < bytes.count, bytes[pos] == UInt8(ascii: "+") || bytes[pos] == UInt8(ascii: "-") { pos += 1 }
            guard digits(&pos, bytes) > 0 else { throw .invalidNumber(offset: start) }
        }
        return .number(String(decoding: bytes[start..<pos], as: UTF8.self))
    }

    private mutating func hex4() throws(JSONParseError) -> UInt32 {
        guard pos + 4 <= bytes.count else { throw .unexpectedEnd }
        var v: UInt32 = 0
        for _ in 0..<4 {
            let c = bytes[pos]
            let d: UInt8
            switch c {
            case 0x30...0x39: d = c - 0x30
            case 0x41...0x46: d = c - 0x41 + 10
            case 0x61...0x66: d = c - 0x61 + 10
            default: throw .invalidString(offset: pos)
            }
            v = v << 4 | UInt32(d)
            pos += 1
        }
        return v
    }

    /// A string starting at the opening quote. Raw bytes must be valid UTF-8
    /// with no control characters; `\u` escapes must pair surrogates.
    private mutating func string() throws(JSONParseError) -> String {
        let start = pos
        pos += 1
        var out: [UInt8] = []
        while true {
            guard pos < bytes.count else { throw .unexpectedEnd }
            let b = bytes[pos]
            if b == UInt8(ascii: "\"") { pos += 1; break }
            if b < 0x20 { throw .invalidString(offset: pos) }
            if b != UInt8(ascii: "\\") { out.append(b); pos += 1; continue }
            pos += 1
            let e = try peek()
            pos += 1
            switch e {
            case UInt8(ascii: "\""), UInt8(ascii: "\\"), UInt8(ascii: "/"): out.append(e)
            case UInt8(ascii: "b"): out.append(0x08)
            case UInt8(ascii: "f"): out.append(0x0C)
            case UInt8(ascii: "n"): out.append(0x0A)
            case UInt8(ascii: "r"): out.append(0x0D)
            case UInt8(ascii: "t"): out.append(0x09)
            case UInt8(ascii: "u"):
                var cp = try hex4()
                if (0xD800..<0xDC00).contains(cp) {
                    guard pos + 2 <= bytes.count, bytes[pos] == UInt8(ascii: "\\"), bytes[pos + 1] == UInt8(ascii: "u")
                    else { throw .invalidString(offset: pos) }
                    pos += 2
                    let low = try hex4()
                    guard (0xDC00..<0xE000).contains(low) else { throw .invalidString(offset: pos) }
                    cp = 0x10000 + ((cp - 0xD800) << 10) + (low - 0xDC00)
                }
                guard let scalar = Unicode.Scalar(cp) else { throw .invalidString(offset: pos) }
                UTF8.encode(scalar) { out.append($0) }
            default: throw .invalidString(offset: pos - 1)
            }
        }
        guard let s = String(validating: out, as: UTF8.self) else { throw .invalidString(offset: start) }
        return s
    }
}
