import Hummingbird

/// Model repository extension.
/// `POST /v2/repository/index` — `[{"name", "state": "READY"|"UNAVAILABLE", "reason"}]`; body
/// `{"ready": true}` lists only ready models.
/// `POST /v2/repository/models/{m}/load` and `/unload` — 200 `{}` once done; 404 unknown model.
struct RepositoryRoutes {
    let state: ServerState

    private struct IndexRequest: Decodable { var ready: Bool? }

    func register(on router: Router<BasicRequestContext>) {
        router.post("/v2/repository/index") { request, _ in
            let body = try await request.collectBody(limit: state.configuration.maxBodyBytes)
            var onlyReady = false
            if body.readableBytes > 0 {
                let index = try JSONBody.decode(IndexRequest.self, from: body.readableBytesView, maxDepth: state.configuration.maxJSONDepth)
                onlyReady = index.ready ?? false
            }
            let entries = state.provider.repositoryIndex.map { name in
                let ready = state.provider.isReady(model: name)
                return OIPRepositoryEntry(name: name, version: nil, state: ready ? "READY" : "UNAVAILABLE", reason: "")
            }
            return try Response.json(onlyReady ? entries.filter { $0.state == "READY" } : entries)
        }
        router.post("/v2/repository/models/:model/load") { request, context in
            try await change(request, context) { provider, name in try provider.load(model: name) }
        }
        router.post("/v2/repository/models/:model/unload") { request, context in
            try await change(request, context) { provider, name in try provider.unload(model: name) }
        }
    }

    private func change(_ request: Request, _ context: BasicRequestContext,
                        _ action: @escaping @Sendable (any ModelProvider, String) throws -> Void) async throws -> Response {
        let name = try context.parameters.require("model")
        _ = try await request.collectBody(limit: state.configuration.maxBodyBytes)
        guard state.provider.repositoryIndex.contains(name) else { throw ServerError.notFound("unknown model '\(name)'") }
        let provider = state.provider
        _ = try await state.executor.run(model: "repository") { try action(provider, name) }
        return try Response.json([String: String]())
    }
}
