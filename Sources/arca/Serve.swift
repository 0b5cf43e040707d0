import ArcaServer
import ArgumentParser
import Foundation
import Logging

struct Serve: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Serve the models over HTTP (OIP v2, /v1/embeddings, task routes, /metrics)."
    )

    @Option(help: "Address to bind.") var host = "127.0.0.1"
    @Option(help: "Port to listen on.") var port = 8080
    @Option(help: "Calls waiting per model before requests are refused with 429.") var maxQueue = 64
    @Option(help: "Embedding requests merged into one model call at most.") var maxBatch = 16
    @Option(help: "Longest wait, in milliseconds, for more embedding requests to batch.") var batchDelayMs = 5
    @Option(help: "Worker threads running model calls.") var threads = 2
    @Option(help: "Seconds a request may wait for its model before a 504.") var requestTimeoutS = 30.0
    @Option(help: "Threads each vision model call's kernels use.") var computeThreads = 1
    @Option(help: "Threads each text-embedding call's kernels use (text calls run one at a time, batched; default: --threads).")
    var textThreads: Int?
    @OptionGroup var store: StoreOptions

    func validate() throws {
        guard (1...65535).contains(port) else { throw ValidationError("--port must be in 1...65535") }
        guard maxQueue >= 1 else { throw ValidationError("--max-queue must be at least 1") }
        guard maxBatch >= 1 else { throw ValidationError("--max-batch must be at least 1") }
        guard batchDelayMs >= 0 else { throw ValidationError("--batch-delay-ms must not be negative") }
        guard (1...256).contains(threads) else { throw ValidationError("--threads must be in 1...256") }
        guard requestTimeoutS > 0 else { throw ValidationError("--request-timeout-s must be positive") }
        guard (1...256).contains(computeThreads) else { throw ValidationError("--compute-threads must be in 1...256") }
        if let textThreads, !(1...256).contains(textThreads) { throw ValidationError("--text-threads must be in 1...256") }
    }

    func run() async throws {
        var config = ServerConfiguration()
        config.host = host
        config.port = port
        config.maxQueue = maxQueue
        config.maxBatch = maxBatch
        config.batchDelay = .milliseconds(batchDelayMs)
        config.threads = threads
        config.requestTimeout = .milliseconds(Int64(requestTimeoutS * 1000))
        var log = Logger(label: "arca.server")
        log.logLevel = .info
        let logger = log
        let store = try store.open()
        // Listening (live) at once; ready once the zoo is installed, loaded and warmed up. A
        // server that cannot load its models exits non-zero; SIGTERM while loading stops it at once.
        let starting = StartingProvider()
        let server = ArcaServer(provider: starting, configuration: config, logger: logger)
        let (workers, compute, text) = (threads, computeThreads, textThreads ?? threads)
        Task {
            do {
                let provider = try await ServeBackend.onThread {
                    try ServeBackend.makeProvider(logger: logger, workers: workers, computeThreads: compute, textThreads: text, store: store)
                }
                starting.finish(provider)
            } catch {
                logger.critical("could not load the models: \(error)")
                Self.exit(withError: error)
            }
        }
        try await server.run()
    }
}
