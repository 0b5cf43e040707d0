import ArcaServer
import Foundation
import Hummingbird
import Testing

/// Serves the demo backend on `ARCA_SERVE_DEMO_PORT` for `ARCA_SERVE_DEMO_SECONDS` (default 60),
/// so that real clients (`tritonclient[http]`, `openai`) can be pointed at it by hand:
/// `ARCA_SERVE_DEMO_PORT=18086 swift test --skip-build --filter DemoServerHold`.
@Suite struct DemoServerHold {
    static let port = ProcessInfo.processInfo.environment["ARCA_SERVE_DEMO_PORT"].flatMap(Int.init)

    @Test(.enabled(if: port != nil)) func serveDemoModels() async throws {
        let seconds = ProcessInfo.processInfo.environment["ARCA_SERVE_DEMO_SECONDS"].flatMap(Double.init) ?? 60
        var config = ServerConfiguration()
        config.port = Self.port ?? 0
        let server = ArcaServer(provider: DemoProvider(), configuration: config)
        defer { server.shutdown() }
        try await withThrowingTaskGroup(of: Void.self) { group in
            group.addTask { try await server.makeApplication().runService(gracefulShutdownSignals: []) }
            try await Task.sleep(for: .seconds(seconds))
            group.cancelAll()
        }
    }
}
