import Hummingbird

/// `GET /v2` — server metadata: `{"name": "arca", "version", "extensions"}`.
/// `GET /v2/health/live` — 200 while the process serves.
/// `GET /v2/health/ready` — 200 once every model is loaded and warmed up, 503 before.
struct HealthRoutes {
    let state: ServerState

    func register(on router: Router<BasicRequestContext>) {
        router.get("/v2") { _, _ in
            try Response.json(OIPServerMetadata(name: "arca", version: ArcaServer.version,
                                                extensions: ["binary_tensor_data", "model_repository"]))
        }
        router.get("/v2/health/live") { _, _ in
            try Response.json(["live": true])
        }
        router.get("/v2/health/ready") { _, _ in
            guard state.provider.isReady else { throw ServerError.unavailable("models are still loading") }
            return try Response.json(["ready": true])
        }
    }
}
