import Hummingbird
import Logging

/// Arca's inference HTTP server: OIP v2, OpenAI-style embeddings, task routes and metrics
/// over the models of a ``ModelProvider``.
///
/// Creating it starts the worker threads; ``run()`` serves until SIGTERM/SIGINT, then
/// finishes in-flight requests and stops them. Tests build ``makeRouter()`` directly and call
/// ``shutdown()`` when done.
public struct ArcaServer: Sendable {
    /// Reported by `GET /v2`.
    public static let version = "0.1.0"

    public let configuration: ServerConfiguration
    public let metrics: ServerMetrics
    let state: ServerState
    let logger: Logger

    public init(
        provider: any ModelProvider,
        configuration: ServerConfiguration = ServerConfiguration(),
        policy: any VariantPolicy = RequestedOrDefaultPolicy(),
        metrics: ServerMetrics = ServerMetrics(),
        logger: Logger = Logger(label: "arca.server")
    ) {
        self.configuration = configuration
        self.metrics = metrics
        self.logger = logger
        let pool = WorkerPool(threads: configuration.threads, maxQueue: configuration.maxQueue)
        let executor = InferenceExecutor(pool: pool, timeout: configuration.requestTimeout)
        let batcher = EmbeddingBatcher(executor: executor, maxBatch: configuration.maxBatch, maxDelay: configuration.batchDelay)
        state = ServerState(provider: provider, configuration: configuration, policy: policy,
                            executor: executor, batcher: batcher, metrics: metrics)
    }

    /// Every route, behind the middleware that shapes errors, metrics and logs.
    public func makeRouter() -> Router<BasicRequestContext> {
        let router = Router(context: BasicRequestContext.self)
        let state = self.state
        router.add(middleware: ServingMiddleware(metrics: metrics) { name in
            (try? state.servedModel(name, version: nil)) != nil
        })
        router.add(middleware: StartupGate(provider: state.provider))
        HealthRoutes(state: state).register(on: router)
        ModelMetadataRoutes(state: state).register(on: router)
        InferRoutes(state: state).register(on: router)
        RepositoryRoutes(state: state).register(on: router)
        EmbeddingsRoute(state: state).register(on: router)
        ImageTaskRoutes(state: state).register(on: router)
        TextTaskRoutes(state: state).register(on: router)
        MetricsRoute(state: state).register(on: router)
        return router
    }

    /// The Hummingbird application listening on the configured host and port.
    public func makeApplication() -> some ApplicationProtocol {
        Application(
            router: makeRouter(),
            configuration: .init(address: .hostname(configuration.host, port: configuration.port), serverName: "arca"),
            logger: logger
        )
    }

    /// Serves until SIGTERM or SIGINT; then stops accepting, finishes in-flight requests,
    /// drains the worker queue and returns.
    public func run() async throws {
        try await makeApplication().runService(gracefulShutdownSignals: [.sigterm, .sigint])
        shutdown()
    }

    /// Lets the workers finish queued calls and stops them.
    public func shutdown() {
        state.executor.pool.shutdown()
    }
}
