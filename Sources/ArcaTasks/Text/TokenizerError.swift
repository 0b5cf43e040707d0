/// Why a tokenizer could not be built.
public enum TokenizerError: Error, Equatable, CustomStringConvertible {
    case unreadable(path: String, reason: String)
    case vocabularyNotUTF8
    case emptyVocabulary
    case duplicateToken(String, firstID: Int, secondID: Int)
    case missingSpecialToken(String)
    /// `tokenizer.json` vocabulary ids must be exactly `0..<count`.
    case nonContiguousIDs(String)
    case vocabularyTooLarge(Int)
    case invalidMaxLength(Int)
    case invalidTokenizerJSON(String)
    case unsupportedTokenizer(String)

    public var description: String {
        switch self {
        case .unreadable(let p, let r): "cannot read \(p): \(r)"
        case .vocabularyNotUTF8: "vocabulary is not valid UTF-8"
        case .emptyVocabulary: "vocabulary is empty"
        case .duplicateToken(let t, let a, let b): "vocabulary token '\(t)' appears twice (ids \(a) and \(b))"
        case .missingSpecialToken(let t): "vocabulary lacks the special token \(t)"
        case .nonContiguousIDs(let r): "vocabulary ids are not 0..<count: \(r)"
        case .vocabularyTooLarge(let n): "vocabulary of \(n) tokens exceeds the Int32 id range"
        case .invalidMaxLength(let n): "max length \(n) leaves no room for [CLS] and [SEP]"
        case .invalidTokenizerJSON(let r): "tokenizer.json: \(r)"
        case .unsupportedTokenizer(let r): "unsupported tokenizer: \(r)"
        }
    }
}
