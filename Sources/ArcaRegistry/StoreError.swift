/// Why a store operation failed.
public enum StoreError: Error, Equatable, Sendable, CustomStringConvertible {
    case invalidReference(String)
    case notFound(String)
    case blobMissing(Digest)
    /// The blob's bytes hash to `actual`; it was not used.
    case digestMismatch(expected: Digest, actual: Digest)
    case sizeMismatch(digest: Digest, expected: Int64, actual: Int64)
    case tooLarge(what: String, size: Int64, limit: Int64)
    case malformedJSON(what: String, reason: String)
    case tooDeep(what: String, limit: Int)
    case tooMany(what: String, count: Int, limit: Int)
    case invalidManifest(String)
    case io(operation: String, path: String, errno: Int32)
    case config(ModelConfigError)
    case weights(WeightCodecError)

    public var description: String {
        switch self {
        case .invalidReference(let r): "invalid model reference \"\(r)\" (expected name:tag)"
        case .notFound(let r): "no model \(r) in the store"
        case .blobMissing(let d): "blob \(d) is missing"
        case .digestMismatch(let e, let a): "blob \(e) is corrupt: its content hashes to \(a)"
        case .sizeMismatch(let d, let e, let a): "blob \(d) has \(a) bytes, expected \(e)"
        case .tooLarge(let w, let s, let l): "\(w) of \(s) bytes is over the limit of \(l)"
        case .malformedJSON(let w, let r): "malformed \(w): \(r)"
        case .tooDeep(let w, let l): "\(w) nests deeper than \(l) levels"
        case .tooMany(let w, let n, let l): "\(w) has \(n) entries, limit \(l)"
        case .invalidManifest(let r): "invalid manifest: \(r)"
        case .io(let op, let p, let e): "\(op) \(p): errno \(e)"
        case .config(let e): e.description
        case .weights(let e): e.description
        }
    }
}
