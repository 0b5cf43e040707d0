import ArcaRegistry
import AsyncHTTPClient

/// A ``RegistryTransport`` over AsyncHTTPClient (HTTP/1.1 and HTTP/2, TLS through NIOSSL).
///
/// Owns its `HTTPClient`: call ``shutdown()`` when done.
public final class AsyncHTTPTransport: RegistryTransport {
    private let client: HTTPClient
    private let deadlineSeconds: Int64

    /// - Parameters:
    ///   - connectTimeout: seconds to open a connection.
    ///   - readTimeout: seconds without any data before a transfer is abandoned.
    ///   - requestTimeout: seconds for one whole request, body included.
    public init(connectTimeout: Int64 = 10, readTimeout: Int64 = 60, requestTimeout: Int64 = 3600) {
        var config = HTTPClient.Configuration()
        config.timeout = .init(connect: .seconds(connectTimeout), read: .seconds(readTimeout))
        config.redirectConfiguration = .follow(max: 5, allowCycles: false)
        client = HTTPClient(eventLoopGroupProvider: .singleton, configuration: config)
        deadlineSeconds = requestTimeout
    }

    /// Shuts the HTTP client down; required before the transport is released.
    public func shutdown() async {
        try? await client.shutdown()
    }

    /// Sends one request; see ``RegistryTransport`` for the contract.
    public func send(
        _ request: RegistryHTTPRequest, maxBodyBytes: Int64, body: ([UInt8]) throws(RegistryError) -> Void
    ) async throws(RegistryError) -> RegistryHTTPResponse {
        let host = Self.host(of: request.url)
        var req = HTTPClientRequest(url: request.url)
        req.method = .init(rawValue: request.method)
        for h in request.headers { req.headers.add(name: h.name, value: h.value) }
        if ["POST", "PUT", "PATCH"].contains(request.method) { req.body = .bytes(request.body) }
        do {
            let response = try await client.execute(req, timeout: .seconds(deadlineSeconds))
            let headers = response.headers.map { (name: $0.name, value: $0.value) }
            let status = Int(response.status.code)
            var out = RegistryHTTPResponse(status: status, headers: headers)
            if request.method == "HEAD" { return out }
            if out.isSuccess {
                if let text = out.header("Content-Length"), let declared = Int64(text), declared > maxBodyBytes {
                    throw RegistryError.tooLarge(what: "response to \(request.method) \(request.url)", size: declared, limit: maxBodyBytes)
                }
                var received: Int64 = 0
                for try await buffer in response.body {
                    received += Int64(buffer.readableBytes)
                    guard received <= maxBodyBytes else {
                        throw RegistryError.tooLarge(what: "response to \(request.method) \(request.url)", size: received, limit: maxBodyBytes)
                    }
                    try body(Array(buffer.readableBytesView))
                }
            } else {
                for try await buffer in response.body where out.errorBody.count < RegistryHTTPResponse.maxErrorBody {
                    out.errorBody += buffer.readableBytesView.prefix(RegistryHTTPResponse.maxErrorBody - out.errorBody.count)
                }
            }
            return out
        } catch let e as RegistryError {
            throw e
        } catch {
            throw .unreachable(host: host, reason: Self.reason(error))
        }
    }

    static func reason(_ error: any Error) -> String {
        let text = String(describing: error)
        if text.contains("connectionRefused") || text.contains("Connection refused") || text.contains("ECONNREFUSED") { return "connection refused" }
        if text.contains("connectTimeout") { return "connection timed out" }
        if text.contains("readTimeout") { return "read timed out" }
        if text.contains("deadlineExceeded") { return "request timed out" }
        if text.contains("remoteConnectionClosed") { return "the server closed the connection" }
        return text
    }

    static func host(of url: String) -> String {
        guard let r = url.range(of: "://") else { return url }
        let rest = url[r.upperBound...]
        return String(rest.prefix { $0 != "/" })
    }
}
