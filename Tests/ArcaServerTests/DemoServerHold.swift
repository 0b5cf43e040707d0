import ArcaServer
import Foundation
import Hummingbird
import Testing

/// Serves the demo backend on `ARCA_SERVE_DEMO_PORT` for `ARCA_SERVE_DEMO_SECONDS` (default 60),
/// or until SIGTERM/SIGINT (graceful: in-flight requests finish), so that real clients
/// (`tritonclient[http]`, `openai`; see Tools/server-client-check.py) can be pointed at it by hand:
/// `ARCA_SERVE_DEMO_PORT=18086 swift test --skip-build --filter DemoServerHold`.
/// `ARCA_SERVE_DEMO_SLOW` sets the `slow` model's seconds per call (default 0.2).
@Suite struct DemoServerHold {
    static let port = ProcessInfo.processInfo.environment["ARCA_SERVE_DEMO_PORT"].flatMap(Int.init)

    @Test(.enabled(if: port != nil)) func serveDemoModels() async throws {
        let seconds = ProcessInfo.processInfo.environment["ARCA_SERVE_DEMO_SECONDS"].flatMap(Double.init) ?? 60
        var config = ServerConfiguration()
        config.port = Self.port ?? 0
        let slow = ProcessInfo.processInfo.environment["ARCA_SERVE_DEMO_SLOW"].flatMap(Double.init) ?? 0.2
        let server = ArcaServer(provider: DemoProvider(slowDelay: slow), configuration: config)
        defer { server.shutdown() }
        try await withThrowingTaskGroup(of: Void.self) { group in
            group.addTask { try await server.makeApplication().runService(gracefulShutdownSignals: [.sigterm, .sigint]) }
            group.addTask { try await Task.sleep(for: .seconds(seconds)) }
            try await group.next()
            group.cancelAll()
        }
    }
}
