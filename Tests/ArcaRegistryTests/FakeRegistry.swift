import Foundation
@testable import ArcaRegistry

/// An in-memory distribution registry behind ``RegistryTransport``, for protocol paths a real
/// `docker-registry` cannot be made to take: Bearer tokens, broken uploads, lying responses.
final class FakeRegistry: RegistryTransport, @unchecked Sendable {
    static let base = "http://127.0.0.1:9"
    static let realm = "http://127.0.0.1:9/token"

    private let lock = NSLock()
    private var blobs: [Digest: [UInt8]] = [:]
    private var manifests: [String: [UInt8]] = [:]
    private var uploads: [String: [UInt8]] = [:]
    private(set) var log: [String] = []
    private(set) var tokenQueries: [String] = []

    /// Require `Bearer token-<user>` from the token endpoint, which wants these Basic credentials.
    var bearerUser: RegistryCredentials?
    /// PATCH numbers (1-based) that store half their chunk and then drop the connection.
    var failPatches: Set<Int> = []
    /// Replaces every manifest body served.
    var servedManifest: [UInt8]?
    /// Replaces `Docker-Content-Digest` on manifest responses.
    var servedManifestDigest: String?
    private var patches = 0

    func send(
        _ request: RegistryHTTPRequest, maxBodyBytes: Int64, body: ([UInt8]) throws(RegistryError) -> Void
    ) async throws(RegistryError) -> RegistryHTTPResponse {
        let (response, content) = try locked(request)
        guard response.isSuccess, request.method != "HEAD" else { return response }
        guard Int64(content.count) <= maxBodyBytes else { throw .tooLarge(what: "fake body", size: Int64(content.count), limit: maxBodyBytes) }
        var offset = 0
        while offset < content.count {
            let end = min(offset + 1000, content.count)
            try body(Array(content[offset..<end]))
            offset = end
        }
        return response
    }

    private func locked(_ r: RegistryHTTPRequest) throws(RegistryError) -> (RegistryHTTPResponse, [UInt8]) {
        lock.lock()
        defer { lock.unlock() }
        return try handle(r)
    }

    private func handle(_ r: RegistryHTTPRequest) throws(RegistryError) -> (RegistryHTTPResponse, [UInt8]) {
        guard r.url.hasPrefix(Self.base) else { throw .unreachable(host: r.url, reason: "unknown host") }
        let full = String(r.url.dropFirst(Self.base.count))
        let path = String(full.prefix { $0 != "?" })
        let query = full.contains("?") ? String(full.drop { $0 != "?" }.dropFirst()) : ""
        log.append("\(r.method) \(path)")
        let auth = r.headers.first { $0.name == "Authorization" }?.value

        if path == "/token" {
            tokenQueries.append(query)
            guard let user = bearerUser, auth == user.basicAuthorization else { return (RegistryHTTPResponse(status: 401, headers: []), []) }
            return (RegistryHTTPResponse(status: 200, headers: []), Array(#"{"token":"token-\#(user.username)"}"#.utf8))
        }
        if let user = bearerUser, auth != "Bearer token-\(user.username)" {
            let scope = path == "/v2/" ? "" : #",scope="repository:zoo/tiny:pull,push""#
            return (RegistryHTTPResponse(status: 401, headers: [(name: "WWW-Authenticate", value: #"Bearer realm="\#(Self.realm)",service="fake"\#(scope)"#)]), [])
        }
        if path == "/v2/" { return (RegistryHTTPResponse(status: 200, headers: []), []) }
        let parts = path.split(separator: "/").map(String.init)
        guard parts.count >= 4 else { return notFound("NAME_UNKNOWN") }
        switch (r.method, parts[parts.count - 2]) {
        case ("HEAD", "blobs"), ("GET", "blobs"):
            guard let d = Digest(parts[parts.count - 1]), let b = blobs[d] else { return notFound("BLOB_UNKNOWN") }
            return (RegistryHTTPResponse(status: 200, headers: [(name: "Content-Length", value: String(b.count))]), b)
        case ("PUT", "manifests"):
            manifests[parts[parts.count - 1]] = r.body
            return (RegistryHTTPResponse(status: 201, headers: [(name: "Docker-Content-Digest", value: Digest(of: r.body).description)]), [])
        case ("GET", "manifests"):
            guard let m = servedManifest ?? manifests[parts[parts.count - 1]] else { return notFound("MANIFEST_UNKNOWN") }
            return (RegistryHTTPResponse(status: 200, headers: [(name: "Docker-Content-Digest", value: servedManifestDigest ?? Digest(of: m).description)]), m)
        default: break
        }
        if r.method == "POST", path.hasSuffix("/blobs/uploads/") {
            let id = UUID().uuidString
            uploads[id] = []
            return (RegistryHTTPResponse(status: 202, headers: [(name: "Location", value: path + id)]), [])
        }
        let id = parts[parts.count - 1]
        guard parts[parts.count - 2] == "uploads", var data = uploads[id] else { return notFound("BLOB_UPLOAD_UNKNOWN") }
        let range = [(name: "Location", value: path), (name: "Range", value: "0-\(max(0, data.count - 1))")]
        switch r.method {
        case "GET":
            return (RegistryHTTPResponse(status: 204, headers: range), [])
        case "PATCH":
            patches += 1
            let start = Int(r.headers.first { $0.name == "Content-Range" }?.value.split(separator: "-").first ?? "") ?? -1
            guard start == data.count else { return (RegistryHTTPResponse(status: 416, headers: range), []) }
            if failPatches.contains(patches) {
                uploads[id] = data + r.body.prefix(r.body.count / 2)
                throw .unreachable(host: "127.0.0.1:9", reason: "the server closed the connection")
            }
            data += r.body
            uploads[id] = data
            return (RegistryHTTPResponse(status: 202, headers: [(name: "Location", value: path), (name: "Range", value: "0-\(data.count - 1)")]), [])
        case "PUT":
            guard let text = query.split(separator: "&").first(where: { $0.hasPrefix("digest=") })?.dropFirst(7),
                  let d = Digest(text.removingPercentEncoding ?? ""), Digest(of: data + r.body) == d else {
                return (RegistryHTTPResponse(status: 400, headers: [], errorBody: Array(#"{"errors":[{"code":"DIGEST_INVALID"}]}"#.utf8)), [])
            }
            blobs[d] = data + r.body
            uploads[id] = nil
            return (RegistryHTTPResponse(status: 201, headers: [(name: "Docker-Content-Digest", value: d.description)]), [])
        default:
            return notFound("UNSUPPORTED")
        }
    }

    private func notFound(_ code: String) -> (RegistryHTTPResponse, [UInt8]) {
        (RegistryHTTPResponse(status: 404, headers: [], errorBody: Array(#"{"errors":[{"code":"\#(code)","message":"fake"}]}"#.utf8)), [])
    }

    func blob(_ d: Digest) -> [UInt8]? { lock.withLock { blobs[d] } }
}
