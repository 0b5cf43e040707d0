/// A content digest in OCI form, `sha256:` followed by 64 lowercase hex digits.
///
/// Only SHA-256 is accepted, and only in canonical form, so ``hex`` is always safe to use as a file name.
public struct Digest: Hashable, Sendable, Comparable, CustomStringConvertible, Codable {
    /// The 64 lowercase hex digits.
    public let hex: String

    /// Parses `sha256:<64 lowercase hex>`; returns nil for anything else.
    public init?(_ string: String) {
        guard string.utf8.count == 71, string.hasPrefix("sha256:") else { return nil }
        let hex = String(string.dropFirst(7))
        guard Self.isHex64(hex) else { return nil }
        self.hex = hex
    }

    /// Wraps 64 lowercase hex digits; returns nil for anything else.
    public init?(hex: String) {
        guard Self.isHex64(hex) else { return nil }
        self.hex = hex
    }

    /// The digest of `bytes`.
    public init(of bytes: [UInt8]) { self.init(sha256: SHA256.hash(bytes)) }

    init(sha256 raw: [UInt8]) {
        let digits = Array("0123456789abcdef".utf8)
        var chars: [UInt8] = []
        chars.reserveCapacity(64)
        for byte in raw { chars += [digits[Int(byte >> 4)], digits[Int(byte & 15)]] }
        hex = String(decoding: chars, as: UTF8.self)
    }

    public var description: String { "sha256:" + hex }

    public static func < (a: Digest, b: Digest) -> Bool { a.hex < b.hex }

    public init(from decoder: any Decoder) throws {
        let text = try decoder.singleValueContainer().decode(String.self)
        guard let d = Digest(text) else {
            throw DecodingError.dataCorrupted(.init(codingPath: decoder.codingPath, debugDescription: "not a sha256 digest"))
        }
        self = d
    }

    public func encode(to encoder: any Encoder) throws {
        var c = encoder.singleValueContainer()
        try c.encode(description)
    }

    private static func isHex64(_ s: String) -> Bool {
        s.utf8.count == 64 && s.utf8.allSatisfy { ($0 >= 0x30 && $0 <= 0x39) || ($0 >= 0x61 && $0 <= 0x66) }
    }
}
