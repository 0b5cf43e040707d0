/// Nesting depth of a JSON text, found without parsing it, so that deeply nested bodies are
/// refused before a recursive decoder sees them.
///
/// Counts `[` and `{` outside string literals (honouring `\"` escapes). Malformed JSON is left
/// for the decoder to reject; this only bounds the recursion it could cause.
enum JSONDepth {
    /// Whether `bytes` nests at most `limit` levels deep.
    static func isWithin(_ limit: Int, _ bytes: some Sequence<UInt8>) -> Bool {
        var depth = 0
        var inString = false
        var escaped = false
        for b in bytes {
            if inString {
                if escaped { escaped = false }
                else if b == UInt8(ascii: "\\") { escaped = true }
                else if b == UInt8(ascii: "\"") { inString = false }
                continue
            }
            switch b {
            case UInt8(ascii: "\""): inString = true
            case UInt8(ascii: "["), UInt8(ascii: "{"):
                depth += 1
                if depth > limit { return false }
            case UInt8(ascii: "]"), UInt8(ascii: "}"):
                depth -= 1
            default: break
            }
        }
        return true
    }
}
