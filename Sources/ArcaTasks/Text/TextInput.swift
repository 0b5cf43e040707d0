/// Why text input bytes were refused.
public enum TextInputError: Error, Equatable, CustomStringConvertible {
    /// The bytes are not valid UTF-8; `offset` is the first byte of the bad sequence.
    case invalidUTF8(offset: Int)

    public var description: String {
        switch self {
        case .invalidUTF8(let o): "text is not valid UTF-8 (bad sequence at byte \(o))"
        }
    }
}

/// Decoding text that arrives as bytes (files, request bodies, CLI arguments).
public enum TextInput {
    /// The string the bytes encode; invalid UTF-8 is an error, never replaced with U+FFFD.
    public static func decodeUTF8(_ bytes: [UInt8]) throws(TextInputError) -> String {
        if let s = String(validating: bytes, as: UTF8.self) { return s }
        var parser = Unicode.UTF8.ForwardParser()
        var it = bytes.makeIterator()
        var offset = 0
        while true {
            switch parser.parseScalar(from: &it) {
            case .valid(let e): offset += e.count
            case .emptyInput: return String(decoding: bytes, as: UTF8.self)
            case .error: throw .invalidUTF8(offset: offset)
            }
        }
    }
}
