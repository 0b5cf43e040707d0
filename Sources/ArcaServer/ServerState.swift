import Logging

/// What every route shares: the provider, the execution machinery and the metrics.
struct ServerState: Sendable {
    let provider: any ModelProvider
    let configuration: ServerConfiguration
    let policy: any VariantPolicy
    let executor: InferenceExecutor
    let batcher: EmbeddingBatcher
    let metrics: ServerMetrics

    /// The variant the policy picks for `model`; 404 if it is not one of the model's.
    func variant(for model: any ServedModel, requested: String?) throws -> String {
        let signals = executor.pool.signals(model: model.name)
        let chosen = policy.choose(model: model, requested: requested, load: signals)
        guard model.variants.contains(chosen) else {
            throw ServerError.notFound("model '\(model.name)' has no version '\(chosen)'")
        }
        return chosen
    }

    /// 503 with Retry-After until `model` is loaded and warmed up.
    func requireReady(_ model: any ServedModel) throws {
        guard provider.isReady(model: model.name) else {
            throw ServerError.unavailable("model '\(model.name)' is not ready")
        }
    }

    /// Runs a blocking call of `model` on the worker pool and records its timings.
    func run<T: Sendable>(_ model: any ServedModel, variant: String, _ work: @escaping @Sendable () throws -> T) async throws -> T {
        let timed = try await executor.run(model: model.name, work)
        metrics.call(model: model.name, variant: variant, queue: timed.queueTime, compute: timed.computeTime)
        return timed.value
    }

    func inferenceModel(_ name: String) throws -> any InferenceModel {
        guard let m = provider.models.first(where: { $0.name == name }) else {
            throw ServerError.notFound("unknown model '\(name)'")
        }
        return m
    }

    func embedder() throws -> (any TextEmbedder, EmbeddingBatcher) {
        guard let e = provider.textEmbedder else {
            throw ServerError.notFound("no text embedding model is served")
        }
        return (e, batcher)
    }

    /// Embeds texts through the batcher, after readiness and variant choice.
    func embed(_ texts: [String], requestedVariant: String?) async throws -> (EmbeddingBatch, model: String, variant: String) {
        let (embedder, batcher) = try embedder()
        try requireReady(embedder)
        let variant = try variant(for: embedder, requested: requestedVariant)
        let result = try await batcher.embed(texts, variant: variant, using: embedder)
        metrics.call(model: embedder.name, variant: variant, queue: result.queueTime, compute: result.computeTime)
        metrics.batch(model: embedder.name, variant: variant, size: result.batchSize)
        return (result.batch, embedder.name, variant)
    }
}
