import Foundation

/// Where a push or pull is, for progress bars.
public struct TransferProgress: Sendable {
    public var step: String
    public var completedBytes: Int64
    public var totalBytes: Int64
}

/// A client for one registry host speaking the OCI distribution spec v1.1.
///
/// Authentication follows the registry's `WWW-Authenticate` challenges: `Basic` sends the credentials,
/// `Bearer` fetches a token from the challenge's realm (with the credentials, if any) for the requested
/// scope. Plain HTTP is used for loopback hosts or when `insecure` is set; HTTPS otherwise.
/// Not thread-safe: use one client from one task.
public final class DistributionClient {
    public let registry: String
    public let scheme: String
    let transport: any RegistryTransport
    let credentials: RegistryCredentials?
    let insecure: Bool
    /// Bytes per `PATCH` of a chunked upload.
    public var chunkSize: Int
    /// Largest manifest accepted from a registry.
    public static let maxManifestSize: Int64 = 4 << 20
    /// Largest blob accepted from a registry.
    public var maxBlobSize: Int64 = ModelStore.maxBlobSize

    var authorization: String?
    var tokens: [String: String] = [:]

    /// A client for the registry that `reference` names.
    public init(for reference: RemoteReference, transport: any RegistryTransport, credentials: RegistryCredentials? = nil,
                insecure: Bool = false, chunkSize: Int = 8 << 20) {
        registry = reference.registry
        scheme = reference.scheme(insecure: insecure)
        self.transport = transport
        self.credentials = credentials
        self.insecure = insecure || reference.isLoopback
        self.chunkSize = max(1, chunkSize)
    }

    var base: String { "\(scheme)://\(registry)" }

    /// `GET /v2/`: checks that the host is a distribution registry and that the credentials (if needed) work.
    public func probe() async throws(RegistryError) {
        try await probe(scope: nil)
    }

    /// `GET /v2/`, answering a challenge for `scope` (`repository:<name>:pull[,push]`).
    func probe(scope: String?) async throws(RegistryError) {
        let (r, _) = try await send(RegistryHTTPRequest(method: "GET", url: base + "/v2/"), scope: scope, maxBodyBytes: 1 << 20)
        guard r.isSuccess else { throw failure("GET /v2/", r) }
    }

    /// Sends a request with the current credentials; on 401 answers the challenge once and retries.
    func send(
        _ request: RegistryHTTPRequest, scope: String?, maxBodyBytes: Int64,
        body: ([UInt8]) throws(RegistryError) -> Void = { _ throws(RegistryError) in }
    ) async throws(RegistryError) -> (RegistryHTTPResponse, Bool) {
        var answered = false
        while true {
            var req = request
            if let authorization { req.headers.append((name: "Authorization", value: authorization)) }
            let response = try await transport.send(req, maxBodyBytes: maxBodyBytes, body: body)
            guard response.status == 401, !answered else {
                if response.status == 401 { throw .unauthorized("registry \(registry) refused the credentials (\(Self.errorDetail(response, fallback: "HTTP 401")))") }
                return (response, answered)
            }
            try await answer(AuthChallenge.parse(response.headers(named: "WWW-Authenticate").joined(separator: ", ")), scope: scope)
            answered = true
        }
    }

    /// Sets ``authorization`` from the strongest challenge we can meet.
    func answer(_ challenges: [AuthChallenge], scope: String?) async throws(RegistryError) {
        if let bearer = challenges.first(where: { $0.scheme == "bearer" }) {
            authorization = "Bearer " + (try await token(for: bearer, scope: scope))
        } else if challenges.contains(where: { $0.scheme == "basic" }) {
            guard let credentials else { throw .unauthorized("registry \(registry) wants a user name and password (--username/--password or ARCA_REGISTRY_USERNAME/ARCA_REGISTRY_PASSWORD)") }
            authorization = credentials.basicAuthorization
        } else {
            throw .unauthorized("registry \(registry) answered 401 without a Basic or Bearer challenge")
        }
    }

    func token(for challenge: AuthChallenge, scope: String?) async throws(RegistryError) -> String {
        guard let realm = challenge.parameters["realm"], realm.hasPrefix("https://") || realm.hasPrefix("http://") else {
            throw .protocolViolation("Bearer challenge without an http(s) realm")
        }
        var query: [String] = []
        if let service = challenge.parameters["service"] { query.append("service=" + Self.formEncode(service)) }
        let scopes = Set([challenge.parameters["scope"], scope].compactMap { $0 })
        for s in scopes.sorted() { query.append("scope=" + Self.formEncode(s)) }
        let url = realm + (query.isEmpty ? "" : (realm.contains("?") ? "&" : "?") + query.joined(separator: "&"))
        if let cached = tokens[url] { return cached }
        var headers: [(name: String, value: String)] = []
        if let credentials {
            guard realm.hasPrefix("https://") || insecure else {
                throw .unauthorized("refusing to send credentials to plain-HTTP token realm \(realm) (use --insecure)")
            }
            headers.append((name: "Authorization", value: credentials.basicAuthorization))
        }
        let (r, bytes) = try await transport.fetch(RegistryHTTPRequest(method: "GET", url: url, headers: headers), maxBodyBytes: TokenResponse.maxSize)
        guard r.isSuccess else {
            if r.status == 401 || r.status == 403 { throw .unauthorized("token endpoint \(realm) refused the credentials (HTTP \(r.status))") }
            throw failure("GET token from \(realm)", r)
        }
        let t = try TokenResponse.decode(bytes)
        tokens[url] = t
        return t
    }

    /// The error for an unexpected response, using the registry's `{"errors": [...]}` body if present.
    func failure(_ operation: String, _ r: RegistryHTTPResponse) -> RegistryError {
        if r.status == 401 || r.status == 403 { return .unauthorized("\(operation): \(Self.errorDetail(r, fallback: "HTTP \(r.status)"))") }
        return .unexpectedStatus(operation: operation, status: r.status, detail: Self.errorDetail(r, fallback: ""))
    }

    /// The first error code and message of an OCI error body.
    static func errorDetail(_ r: RegistryHTTPResponse, fallback: String) -> String {
        struct Body: Decodable {
            struct Item: Decodable { var code: String?; var message: String? }
            var errors: [Item]?
        }
        guard let b = try? JSONDecoder().decode(Body.self, from: Data(r.errorBody)), let e = b.errors?.first else { return fallback }
        return [e.code, e.message].compactMap { $0 }.joined(separator: ": ").prefix(500).description
    }

    /// `application/x-www-form-urlencoded` escaping of one value.
    static func formEncode(_ s: String) -> String {
        var allowed = CharacterSet.alphanumerics
        allowed.insert(charactersIn: "-._~")
        return s.addingPercentEncoding(withAllowedCharacters: allowed) ?? s
    }

    /// `location` resolved against the registry (absolute URLs are kept as they are).
    func absolute(_ location: String) -> String {
        if location.hasPrefix("http://") || location.hasPrefix("https://") { return location }
        return base + (location.hasPrefix("/") ? "" : "/") + location
    }
}
