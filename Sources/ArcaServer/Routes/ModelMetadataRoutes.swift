import Hummingbird

/// `GET /v2/models/{m}` and `GET /v2/models/{m}/versions/{v}` — model metadata:
/// `{"name", "versions", "platform": "arca", "inputs", "outputs"}` (task models list no tensors),
/// and `"parameters": {"variants": {version: facts}}` with each version's ``VariantFacts`` (the
/// one version's under `/versions/{v}`).
/// `GET /v2/models/{m}[/versions/{v}]/ready` — 200 `{"name", "ready": true}` when loaded, else 503.
/// Unknown model or version: 404.
struct ModelMetadataRoutes {
    let state: ServerState

    func register(on router: Router<BasicRequestContext>) {
        router.get("/v2/models/:model") { _, context in
            try metadata(context, version: nil)
        }
        router.get("/v2/models/:model/versions/:version") { _, context in
            try metadata(context, version: context.parameters.require("version"))
        }
        router.get("/v2/models/:model/ready") { _, context in
            try ready(context, version: nil)
        }
        router.get("/v2/models/:model/versions/:version/ready") { _, context in
            try ready(context, version: context.parameters.require("version"))
        }
    }

    private func metadata(_ context: BasicRequestContext, version: String?) throws -> Response {
        let model = try state.servedModel(context.parameters.require("model"), version: version)
        let tensors = model as? any InferenceModel
        var facts: [String: VariantFacts] = [:]
        for v in version.map({ [$0] }) ?? model.variants { facts[v] = model.facts(variant: v) }
        let body = OIPModelMetadata(name: model.name, versions: model.variants, platform: "arca",
                                    inputs: tensors?.inputs ?? [], outputs: tensors?.outputs ?? [],
                                    parameters: facts.isEmpty ? nil : ["variants": facts])
        return try Response.json(body, variant: version)
    }

    private func ready(_ context: BasicRequestContext, version: String?) throws -> Response {
        let model = try state.servedModel(context.parameters.require("model"), version: version)
        try state.requireReady(model)
        return try Response.json(ReadyBody(name: model.name, ready: true), variant: version)
    }

    private struct ReadyBody: Encodable {
        var name: String
        var ready: Bool
    }
}

extension ServerState {
    /// Any served model (tensor or task) by name; 404 for an unknown model or version.
    func servedModel(_ name: String, version: String?) throws -> any ServedModel {
        let tasks: [(any ServedModel)?] = [provider.faceDetector, provider.segmenter, provider.textEmbedder]
        let all: [any ServedModel] = provider.models.map { $0 as any ServedModel } + tasks.compactMap { $0 }
        guard let model = all.first(where: { $0.name == name }) else {
            throw ServerError.notFound("unknown model '\(name)'")
        }
        if let version, !model.variants.contains(version) {
            throw ServerError.notFound("model '\(name)' has no version '\(version)'")
        }
        return model
    }
}
