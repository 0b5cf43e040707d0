/// Why a push to or pull from an OCI distribution registry failed.
public enum RegistryError: Error, Equatable, Sendable, CustomStringConvertible {
    case invalidReference(String, reason: String)
    /// The registry could not be reached or the connection broke.
    case unreachable(host: String, reason: String)
    /// The registry refused the credentials, or none were given and it wants some.
    case unauthorized(String)
    /// The registry has no manifest for the reference.
    case manifestUnknown(String)
    case blobUnknown(Digest)
    /// Bytes from the registry hash to `actual` instead of `expected`; they were not stored.
    case digestMismatch(expected: Digest, actual: Digest)
    case sizeMismatch(digest: Digest, expected: Int64, actual: Int64)
    case tooLarge(what: String, size: Int64, limit: Int64)
    case unexpectedStatus(operation: String, status: Int, detail: String)
    /// A response that breaks the distribution protocol (missing or malformed headers, bad JSON).
    case protocolViolation(String)
    case store(StoreError)

    public var description: String {
        switch self {
        case .invalidReference(let r, let why): "invalid registry reference \"\(r)\": \(why)"
        case .unreachable(let h, let r): "cannot reach registry \(h): \(r)"
        case .unauthorized(let r): "unauthorized: \(r)"
        case .manifestUnknown(let r): "manifest unknown: the registry has no \(r)"
        case .blobUnknown(let d): "blob unknown: the registry has no \(d)"
        case .digestMismatch(let e, let a): "blob \(e) from the registry is corrupt: its content hashes to \(a)"
        case .sizeMismatch(let d, let e, let a): "blob \(d) from the registry has \(a) bytes, expected \(e)"
        case .tooLarge(let w, let s, let l): "\(w) of \(s) bytes is over the limit of \(l)"
        case .unexpectedStatus(let op, let s, let d): "\(op): registry answered HTTP \(s)\(d.isEmpty ? "" : ": " + d)"
        case .protocolViolation(let r): "registry protocol error: \(r)"
        case .store(let e): e.description
        }
    }
}

/// Runs a store operation, wrapping its error.
func storeStep<T>(_ body: () throws(StoreError) -> T) throws(RegistryError) -> T {
    do { return try body() } catch { throw .store(error) }
}
