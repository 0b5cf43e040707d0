import Foundation

/// A user name and password for a registry (Basic auth, or to obtain Bearer tokens).
public struct RegistryCredentials: Sendable, Hashable {
    public var username: String
    public var password: String

    public init(username: String, password: String) { self.username = username; self.password = password }

    /// `ARCA_REGISTRY_USERNAME` and `ARCA_REGISTRY_PASSWORD`, if both are set.
    public static func fromEnvironment(_ env: [String: String] = ProcessInfo.processInfo.environment) -> RegistryCredentials? {
        guard let u = env["ARCA_REGISTRY_USERNAME"], let p = env["ARCA_REGISTRY_PASSWORD"], !u.isEmpty else { return nil }
        return RegistryCredentials(username: u, password: p)
    }

    /// The value of an `Authorization: Basic` header.
    public var basicAuthorization: String { "Basic " + Data("\(username):\(password)".utf8).base64EncodedString() }
}

/// One challenge of a `WWW-Authenticate` header: a scheme and its parameters.
public struct AuthChallenge: Sendable, Hashable {
    /// Lowercased scheme, e.g. `bearer` or `basic`.
    public var scheme: String
    /// Parameters with lowercased names; values unquoted.
    public var parameters: [String: String]

    /// Every challenge in a `WWW-Authenticate` value (RFC 9110 §11.6.1), e.g.
    /// `Bearer realm="https://auth.example/token",service="reg",scope="repository:a/b:pull,push"`.
    ///
    /// Malformed parts end the parse; the challenges before them are kept.
    public static func parse(_ header: String) -> [AuthChallenge] {
        var s = Scanner(Array(header.utf8))
        var out: [AuthChallenge] = []
        while true {
            s.skip { $0 == 0x20 || $0 == 0x09 || $0 == 0x2C }
            guard let scheme = s.token() else { break }
            var challenge = AuthChallenge(scheme: scheme.lowercased(), parameters: [:])
            while true {
                s.skip { $0 == 0x20 || $0 == 0x09 }
                let mark = s.pos
                guard let name = s.token() else { break }
                s.skip { $0 == 0x20 || $0 == 0x09 }
                guard s.eat(0x3D) else { s.pos = mark; break }
                s.skip { $0 == 0x20 || $0 == 0x09 }
                guard let value = s.quoted() ?? s.bare() else { return out + [challenge] }
                challenge.parameters[name.lowercased()] = value
                s.skip { $0 == 0x20 || $0 == 0x09 }
                guard s.eat(0x2C) else { break }
            }
            out.append(challenge)
            if out.count >= 16 { break }
        }
        return out
    }

    private struct Scanner {
        let bytes: [UInt8]
        var pos = 0
        init(_ b: [UInt8]) { bytes = b }

        mutating func skip(_ p: (UInt8) -> Bool) { while pos < bytes.count, p(bytes[pos]) { pos += 1 } }

        mutating func eat(_ b: UInt8) -> Bool {
            guard pos < bytes.count, bytes[pos] == b else { return false }
            pos += 1
            return true
        }

        /// An RFC 9110 token (plus `/` so that token68 values pass).
        mutating func token() -> String? {
            let start = pos
            skip { b in
                (b >= 0x30 && b <= 0x39) || (b >= 0x41 && b <= 0x5A) || (b >= 0x61 && b <= 0x7A)
                    || Array("!#$%&'*+-.^_`|~/".utf8).contains(b)
            }
            return pos > start ? String(decoding: bytes[start..<pos], as: UTF8.self) : nil
        }

        /// An unquoted value, leniently up to the next comma or blank (registries send bare URLs).
        mutating func bare() -> String? {
            let start = pos
            skip { $0 != 0x2C && $0 != 0x20 && $0 != 0x09 && $0 != 0x22 }
            return pos > start ? String(decoding: bytes[start..<pos], as: UTF8.self) : nil
        }

        mutating func quoted() -> String? {
            guard eat(0x22) else { return nil }
            var out: [UInt8] = []
            while pos < bytes.count {
                let b = bytes[pos]
                pos += 1
                if b == 0x22 { return String(decoding: out, as: UTF8.self) }
                if b == 0x5C, pos < bytes.count { out.append(bytes[pos]); pos += 1 } else { out.append(b) }
            }
            return nil
        }
    }
}

/// The token endpoint's answer (Docker token auth); `access_token` is the OAuth2 spelling.
struct TokenResponse: Decodable {
    var token: String?
    var accessToken: String?

    enum CodingKeys: String, CodingKey {
        case token
        case accessToken = "access_token"
    }

    static let maxSize: Int64 = 1 << 20

    static func decode(_ bytes: [UInt8]) throws(RegistryError) -> String {
        let parsed: TokenResponse
        do { parsed = try JSONDecoder().decode(TokenResponse.self, from: Data(bytes)) } catch {
            throw .protocolViolation("token endpoint answered with malformed JSON")
        }
        guard let t = parsed.token ?? parsed.accessToken, !t.isEmpty, t.utf8.count <= 64 << 10,
              t.utf8.allSatisfy({ $0 > 0x20 && $0 < 0x7F }) else {
            throw .protocolViolation("token endpoint answered without a usable token")
        }
        return t
    }
}
