import Hummingbird

/// `POST /v2/models/{m}/infer` and `POST /v2/models/{m}/versions/{v}/infer` — OIP v2 inference.
///
/// Body: `{"id"?, "parameters"?, "inputs": [{"name", "shape", "datatype", "data"}], "outputs"?: [{"name", "parameters"?: {"binary_data": bool}}]}`;
/// `data` is flat or nested. With the binary tensor data extension the body is the JSON header
/// (its length in `Inference-Header-Content-Length`) followed by each input's little-endian
/// bytes, in input order, sized by `parameters.binary_data_size`.
///
/// Response: `{"model_name", "model_version", "id"?, "outputs": [{"name", "shape", "datatype", "data"}]}`;
/// outputs asked for as binary (`binary_data`, or `binary_data_output` on the request) carry
/// `parameters.binary_data_size` and follow the JSON, with `Inference-Header-Content-Length`
/// and `Content-Type: application/octet-stream`.
///
/// Errors: 400 bad JSON / datatype / shape / missing input, 404 unknown model or version,
/// 413 body or element limits, 429 queue full, 503 not ready, 504 timeout.
struct InferRoutes {
    let state: ServerState

    func register(on router: Router<BasicRequestContext>) {
        router.post("/v2/models/:model/infer") { request, context in
            try await infer(request, context, version: nil)
        }
        router.post("/v2/models/:model/versions/:version/infer") { request, context in
            try await infer(request, context, version: context.parameters.require("version"))
        }
    }

    private func infer(_ request: Request, _ context: BasicRequestContext, version: String?) async throws -> Response {
        let name = try context.parameters.require("model")
        guard let model = state.provider.models.first(where: { $0.name == name }) else {
            _ = try state.servedModel(name, version: version)
            throw ServerError.badRequest("model '\(name)' takes no tensors; use its task route")
        }
        if let version, !model.variants.contains(version) {
            throw ServerError.notFound("model '\(name)' has no version '\(version)'")
        }
        try state.requireReady(model)
        let variant = try state.variant(for: model, requested: version)
        let body = try await request.collectBody(limit: state.configuration.maxBodyBytes)
        let headerLength: Int?
        if let raw = request.headers[.inferenceHeaderContentLength] {
            guard let n = Int(raw) else { throw ServerError.badRequest("Inference-Header-Content-Length is not a number") }
            headerLength = n
        } else {
            headerLength = nil
        }
        let codec = InferMessageCodec(model: model, configuration: state.configuration)
        let (inferenceRequest, selection) = try codec.decode(body: body, headerLength: headerLength, variant: variant)
        let response = try await state.run(model, variant: variant) { try model.infer(inferenceRequest) }
        return try codec.encode(response, request: inferenceRequest, selection: selection)
    }
}
