import Foundation

/// Why a Hugging Face or sentence-transformers configuration file was refused.
public enum HFConfigError: Error, Equatable, CustomStringConvertible {
    case unreadable(path: String, reason: String)
    case invalidJSON(file: String, JSONParseError)
    case notAnObject(file: String)
    case missingField(file: String, field: String)
    /// A field of the wrong JSON type or out of its range.
    case invalidField(file: String, field: String, reason: String)
    case unsupported(file: String, field: String, value: String)

    public var description: String {
        switch self {
        case .unreadable(let p, let r): "cannot read \(p): \(r)"
        case .invalidJSON(let f, let e): "\(f): \(e)"
        case .notAnObject(let f): "\(f): not a JSON object"
        case .missingField(let f, let k): "\(f): missing '\(k)'"
        case .invalidField(let f, let k, let r): "\(f): '\(k)' \(r)"
        case .unsupported(let f, let k, let v): "\(f): unsupported \(k) '\(v)'"
        }
    }
}

/// Typed field access on a parsed config object, with errors naming the file.
struct ConfigObject {
    let file: String
    let value: JSONValue

    /// Parses a small JSON config file (capped at 16 MiB).
    static func load(_ url: URL) throws(HFConfigError) -> ConfigObject {
        let data: Data
        do { data = try Data(contentsOf: url) } catch { throw .unreadable(path: url.path, reason: "\(error)") }
        guard data.count <= 16 << 20 else { throw .unreadable(path: url.path, reason: "\(data.count) bytes is too large for a config") }
        return try parse(Array(data), file: url.lastPathComponent)
    }

    static func parse(_ bytes: [UInt8], file: String) throws(HFConfigError) -> ConfigObject {
        let v: JSONValue
        do { v = try JSONParser.parse(bytes) } catch { throw .invalidJSON(file: file, error) }
        guard v.objectMembers != nil else { throw .notAnObject(file: file) }
        return ConfigObject(file: file, value: v)
    }

    func has(_ key: String) -> Bool { value[key] != nil && value[key] != .null }

    /// A positive integer field, or `default` when absent or null.
    func positiveInt(_ key: String, default def: Int? = nil) throws(HFConfigError) -> Int {
        guard let v = value[key], v != .null else {
            if let def { return def }
            throw .missingField(file: file, field: key)
        }
        guard let u = v.uint64Value, let i = Int(exactly: u), i > 0 else {
            throw .invalidField(file: file, field: key, reason: "must be a positive integer")
        }
        return i
    }

    func nonNegativeInt(_ key: String, default def: Int) throws(HFConfigError) -> Int {
        guard let v = value[key], v != .null else { return def }
        guard let u = v.uint64Value, let i = Int(exactly: u) else {
            throw .invalidField(file: file, field: key, reason: "must be a non-negative integer")
        }
        return i
    }

    func double(_ key: String, default def: Double) throws(HFConfigError) -> Double {
        guard let v = value[key], v != .null else { return def }
        guard let d = v.doubleValue, d.isFinite else { throw .invalidField(file: file, field: key, reason: "must be a finite number") }
        return d
    }

    func string(_ key: String, default def: String) throws(HFConfigError) -> String {
        guard let v = value[key], v != .null else { return def }
        guard let s = v.stringValue else { throw .invalidField(file: file, field: key, reason: "must be a string") }
        return s
    }

    func bool(_ key: String, default def: Bool) throws(HFConfigError) -> Bool {
        guard let v = value[key], v != .null else { return def }
        guard case .bool(let b) = v else { throw .invalidField(file: file, field: key, reason: "must be true or false") }
        return b
    }
}
