/// `HOST[:PORT]/REPO[:TAG]`: a model in an OCI distribution registry. The tag defaults to `latest`.
///
/// The repository follows the distribution spec's grammar (lowercase path components joined by `/`,
/// at most 255 bytes); the host is a DNS name, an IPv4 address or a bracketed IPv6 address.
public struct RemoteReference: Hashable, Sendable, CustomStringConvertible {
    /// `host` or `host:port`, as written (IPv6 in brackets).
    public let registry: String
    public let repository: String
    public let tag: String

    /// Parses `HOST[:PORT]/REPO[:TAG]`; throws ``RegistryError/invalidReference(_:reason:)`` saying which part is wrong.
    public init(parsing text: String) throws(RegistryError) {
        guard let slash = text.firstIndex(of: "/") else {
            throw .invalidReference(text, reason: "expected HOST[:PORT]/REPOSITORY[:TAG]")
        }
        let registry = String(text[..<slash])
        var path = String(text[text.index(after: slash)...])
        var tag = "latest"
        if let colon = path.lastIndex(of: ":") {
            tag = String(path[path.index(after: colon)...])
            path = String(path[..<colon])
        }
        try Self.checkRegistry(registry, in: text)
        guard Self.isValidRepository(path) else {
            throw .invalidReference(text, reason: "repository \"\(path)\" must be lowercase components [a-z0-9] joined by . _ __ - and /")
        }
        guard Self.isValidTag(tag) else { throw .invalidReference(text, reason: "tag \"\(tag)\" must match [A-Za-z0-9_][A-Za-z0-9._-]{0,127}") }
        self.registry = registry
        repository = path
        self.tag = tag
    }

    public var description: String { "\(registry)/\(repository):\(tag)" }

    /// The host without port or IPv6 brackets.
    public var host: String {
        if registry.hasPrefix("["), let close = registry.firstIndex(of: "]") {
            return String(registry[registry.index(after: registry.startIndex)..<close])
        }
        return String(registry.prefix { $0 != ":" })
    }

    /// Whether the host is `localhost`, `::1` or in 127.0.0.0/8.
    public var isLoopback: Bool {
        let h = host.lowercased()
        if h == "localhost" || h == "::1" { return true }
        let octets = h.split(separator: ".", omittingEmptySubsequences: false)
        return octets.count == 4 && octets[0] == "127" && octets.allSatisfy { UInt8($0) != nil }
    }

    /// The last path component of the repository: the default local model name.
    public var lastComponent: String { String(repository.split(separator: "/").last ?? Substring(repository)) }

    /// `https` unless `insecure` is set or the host is a loopback address.
    public func scheme(insecure: Bool) -> String { insecure || isLoopback ? "http" : "https" }

    private static func checkRegistry(_ r: String, in text: String) throws(RegistryError) {
        var port: Substring?
        if r.hasPrefix("[") {
            guard let close = r.firstIndex(of: "]") else { throw .invalidReference(text, reason: "unclosed [ in host") }
            let inside = r[r.index(after: r.startIndex)..<close]
            guard !inside.isEmpty, inside.allSatisfy({ $0.isHexDigit || $0 == ":" || $0 == "." }) else {
                throw .invalidReference(text, reason: "bad IPv6 address")
            }
            let after = r[r.index(after: close)...]
            if !after.isEmpty {
                guard after.hasPrefix(":") else { throw .invalidReference(text, reason: "bad host") }
                port = after.dropFirst()
            }
        } else if let colon = r.firstIndex(of: ":") {
            let hostPart = r[..<colon]
            port = r[r.index(after: colon)...]
            guard !hostPart.isEmpty, hostPart.allSatisfy({ $0.isASCII && ($0.isLetter || $0.isNumber || $0 == "." || $0 == "-") }) else {
                throw .invalidReference(text, reason: "bad host \"\(hostPart)\"")
            }
        } else {
            guard !r.isEmpty, r.allSatisfy({ $0.isASCII && ($0.isLetter || $0.isNumber || $0 == "." || $0 == "-") }) else {
                throw .invalidReference(text, reason: "bad host \"\(r)\"")
            }
        }
        if let port {
            guard let n = Int(port), (1...65535).contains(n), port.allSatisfy(\.isNumber) else {
                throw .invalidReference(text, reason: "bad port \"\(port)\"")
            }
        }
    }

    static func isValidRepository(_ repo: String) -> Bool {
        guard !repo.isEmpty, repo.utf8.count <= 255 else { return false }
        return repo.split(separator: "/", omittingEmptySubsequences: false).allSatisfy(isValidPathComponent)
    }

    /// `[a-z0-9]+((\.|_|__|-+)[a-z0-9]+)*`
    private static func isValidPathComponent(_ c: Substring) -> Bool {
        let u = Array(c.utf8)
        func alnum(_ b: UInt8) -> Bool { (b >= 0x30 && b <= 0x39) || (b >= 0x61 && b <= 0x7A) }
        guard let first = u.first, let last = u.last, alnum(first), alnum(last) else { return false }
        var i = 0
        while i < u.count {
            if alnum(u[i]) { i += 1; continue }
            var j = i
            while j < u.count, !alnum(u[j]) { j += 1 }
            let sep = u[i..<j]
            let ok = sep.elementsEqual([0x2E]) || sep.elementsEqual([0x5F]) || sep.elementsEqual([0x5F, 0x5F]) || sep.allSatisfy { $0 == 0x2D }
            guard ok else { return false }
            i = j
        }
        return true
    }

    /// `[A-Za-z0-9_][A-Za-z0-9._-]{0,127}`
    static func isValidTag(_ t: String) -> Bool {
        let u = Array(t.utf8)
        func word(_ b: UInt8) -> Bool { (b >= 0x30 && b <= 0x39) || (b >= 0x41 && b <= 0x5A) || (b >= 0x61 && b <= 0x7A) || b == 0x5F }
        guard let first = u.first, u.count <= 128, word(first) else { return false }
        return u.allSatisfy { word($0) || $0 == 0x2E || $0 == 0x2D }
    }
}
