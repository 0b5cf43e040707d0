/// One HTTP request to an OCI distribution registry.
public struct RegistryHTTPRequest: Sendable {
    public var method: String
    public var url: String
    public var headers: [(name: String, value: String)]
    public var body: [UInt8]

    public init(method: String, url: String, headers: [(name: String, value: String)] = [], body: [UInt8] = []) {
        self.method = method; self.url = url; self.headers = headers; self.body = body
    }
}

/// The status line and headers of a registry response, plus the start of an error body.
public struct RegistryHTTPResponse: Sendable {
    public var status: Int
    public var headers: [(name: String, value: String)]
    /// At most ``RegistryHTTPResponse/maxErrorBody`` bytes of the body of a non-2xx response; empty otherwise.
    public var errorBody: [UInt8]

    /// Largest part of a non-2xx body that a transport keeps.
    public static let maxErrorBody = 64 << 10

    public init(status: Int, headers: [(name: String, value: String)], errorBody: [UInt8] = []) {
        self.status = status; self.headers = headers; self.errorBody = errorBody
    }

    /// The first value of a header, matched without regard to case.
    public func header(_ name: String) -> String? {
        headers.first { $0.name.lowercased() == name.lowercased() }?.value
    }

    /// Every value of a header, matched without regard to case.
    public func headers(named name: String) -> [String] {
        headers.filter { $0.name.lowercased() == name.lowercased() }.map(\.value)
    }

    /// Status 200...299.
    public var isSuccess: Bool { (200..<300).contains(status) }
}

/// Moves bytes to and from a registry; ``DistributionClient`` speaks the protocol on top.
///
/// Contract for implementations:
/// - the body of a 2xx response goes to `body` chunk by chunk, in order; more than `maxBodyBytes` in total
///   (or a `Content-Length` above it) stops the read with ``RegistryError/tooLarge(what:size:limit:)``;
/// - the body of any other response is not passed to `body`: up to ``RegistryHTTPResponse/maxErrorBody``
///   bytes of it land in ``RegistryHTTPResponse/errorBody`` and the rest is discarded;
/// - failures to connect or transfer are ``RegistryError/unreachable(host:reason:)``.
public protocol RegistryTransport: Sendable {
    func send(
        _ request: RegistryHTTPRequest, maxBodyBytes: Int64, body: ([UInt8]) throws(RegistryError) -> Void
    ) async throws(RegistryError) -> RegistryHTTPResponse
}

extension RegistryTransport {
    /// Sends a request whose 2xx body, if any, is at most `maxBodyBytes` and is returned whole.
    func fetch(_ request: RegistryHTTPRequest, maxBodyBytes: Int64) async throws(RegistryError) -> (RegistryHTTPResponse, [UInt8]) {
        var bytes: [UInt8] = []
        let response = try await send(request, maxBodyBytes: maxBodyBytes) { chunk throws(RegistryError) in bytes += chunk }
        return (response, bytes)
    }
}
