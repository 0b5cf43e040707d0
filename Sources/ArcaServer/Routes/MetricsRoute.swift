import Hummingbird

/// `GET /metrics` — Prometheus text exposition format (version 0.0.4).
struct MetricsRoute {
    let state: ServerState

    func register(on router: Router<BasicRequestContext>) {
        router.get("/metrics") { _, _ in
            let text = state.metrics.render(queued: state.executor.pool.totalQueued)
            return Response(status: .ok, headers: [.contentType: "text/plain; version=0.0.4; charset=utf-8"],
                            body: .init(byteBuffer: ByteBuffer(bytes: text)))
        }
    }
}
