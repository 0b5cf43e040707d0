/// A `name:tag` reference to one model variant in a store; the tag is the variant.
public struct ModelReference: Hashable, Sendable, Comparable, CustomStringConvertible {
    public let name: String
    public let tag: String

    /// Both parts must match `[A-Za-z0-9][A-Za-z0-9._-]{0,127}`.
    public init(name: String, tag: String) throws(StoreError) {
        guard Self.isValidComponent(name), Self.isValidComponent(tag) else { throw .invalidReference("\(name):\(tag)") }
        self.name = name
        self.tag = tag
    }

    /// Parses `name:tag`.
    public init(parsing text: String) throws(StoreError) {
        let parts = text.split(separator: ":", omittingEmptySubsequences: false)
        guard parts.count == 2 else { throw .invalidReference(text) }
        try self.init(name: String(parts[0]), tag: String(parts[1]))
    }

    public var description: String { "\(name):\(tag)" }

    public static func < (a: ModelReference, b: ModelReference) -> Bool { (a.name, a.tag) < (b.name, b.tag) }

    static func isValidComponent(_ s: String) -> Bool {
        let u = Array(s.utf8)
        guard let first = u.first, u.count <= 128, isAlnum(first) else { return false }
        return u.allSatisfy { isAlnum($0) || $0 == UInt8(ascii: ".") || $0 == UInt8(ascii: "_") || $0 == UInt8(ascii: "-") }
    }

    private static func isAlnum(_ c: UInt8) -> Bool {
        (c >= 0x30 && c <= 0x39) || (c >= 0x41 && c <= 0x5A) || (c >= 0x61 && c <= 0x7A)
    }
}
