@testable import ArcaServer
import Foundation
import Hummingbird
import HummingbirdTesting

/// Runs `body` against a router-mode test client of a server over `provider`.
func withServer<T: Sendable>(
    _ provider: any ModelProvider = DemoProvider(),
    configure: (inout ServerConfiguration) -> Void = { _ in },
    policy: any VariantPolicy = RequestedOrDefaultPolicy(),
    mode: TestingSetup = .router,
    _ body: @Sendable (any TestClientProtocol, ArcaServer) async throws -> T
) async throws -> T {
    var config = ServerConfiguration()
    config.port = 0
    configure(&config)
    let server = ArcaServer(provider: provider, configuration: config, policy: policy)
    defer { server.shutdown() }
    let app = Application(router: server.makeRouter(), configuration: .init(address: .hostname("127.0.0.1", port: 0)))
    return try await app.test(mode) { client in try await body(client, server) }
}

extension TestResponse {
    var json: [String: Any] {
        guard let object = try? JSONSerialization.jsonObject(with: Data(body.readableBytesView)) as? [String: Any] else { return [:] }
        return object
    }

    var jsonArray: [Any] {
        guard let object = try? JSONSerialization.jsonObject(with: Data(body.readableBytesView)) as? [Any] else { return [] }
        return object
    }

    var bytes: [UInt8] { Array(body.readableBytesView) }

    var errorMessage: String? { json["error"] as? String }
}

extension TestClientProtocol {
    /// POSTs `json` (a JSON text) and returns the response.
    func post(_ uri: String, json: String, headers: HTTPFields = [:]) async throws -> TestResponse {
        var h = headers
        h[.contentType] = "application/json"
        return try await execute(uri: uri, method: .post, headers: h, body: ByteBuffer(string: json))
    }

    func get(_ uri: String) async throws -> TestResponse {
        try await execute(uri: uri, method: .get)
    }
}

func floats(_ any: Any?) -> [Float] {
    (any as? [Any])?.compactMap { ($0 as? NSNumber)?.floatValue } ?? []
}

func littleEndian(_ v: [Float]) -> [UInt8] {
    v.flatMap { x in (0..<4).map { UInt8(truncatingIfNeeded: x.bitPattern >> (8 * $0)) } }
}

func floatsFromLittleEndian(_ b: ArraySlice<UInt8>) -> [Float] {
    stride(from: b.startIndex, to: b.endIndex - 3, by: 4).map { i in
        Float(bitPattern: (0..<4).reduce(UInt32(0)) { $0 | UInt32(b[i + $1]) << (8 * $1) })
    }
}

typealias FieldName = HTTPFields.Element.Name

extension FieldName {
    static let arcaVariantTest = FieldName("Arca-Variant")!
    static let inferenceHeaderLength = FieldName("Inference-Header-Content-Length")!
    static let requestIDTest = FieldName("X-Request-Id")!
}
