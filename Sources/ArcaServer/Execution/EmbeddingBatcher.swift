/// Dynamic batching of text embeddings: concurrent requests for the same variant are merged
/// into one ``TextEmbedder/embed(_:variant:)`` call once `maxBatch` requests are waiting or
/// `maxDelay` has passed since the first one, whichever comes first. (The embedder comes with
/// each request: a ``StartingProvider`` has none when the server is made.)
actor EmbeddingBatcher {
    struct Result: Sendable {
        var batch: EmbeddingBatch
        var queueTime: Duration
        var computeTime: Duration
        /// Requests merged into the call that served this one.
        var batchSize: Int
    }

    private struct Pending {
        var texts: [String]
        var embedder: any TextEmbedder
        var continuation: CheckedContinuation<Result, any Error>
    }

    private let executor: InferenceExecutor
    private let maxBatch: Int
    private let maxDelay: Duration
    private var pending: [String: [Pending]] = [:]
    private var generation: [String: Int] = [:]

    init(executor: InferenceExecutor, maxBatch: Int, maxDelay: Duration) {
        self.executor = executor
        self.maxBatch = max(1, maxBatch)
        self.maxDelay = maxDelay
    }

    /// Embeds `texts` with `embedder`'s `variant`, possibly together with other requests' texts.
    func embed(_ texts: [String], variant: String, using embedder: any TextEmbedder) async throws -> Result {
        try await withCheckedThrowingContinuation { continuation in
            pending[variant, default: []].append(Pending(texts: texts, embedder: embedder, continuation: continuation))
            let count = pending[variant]?.count ?? 0
            if count >= maxBatch || maxDelay <= .zero {
                flush(variant)
            } else if count == 1 {
                let gen = generation[variant, default: 0]
                let delay = maxDelay
                Task { [weak self] in
                    try? await Task.sleep(for: delay)
                    await self?.flushIfStill(variant, generation: gen)
                }
            }
        }
    }

    private func flushIfStill(_ variant: String, generation gen: Int) {
        if generation[variant, default: 0] == gen { flush(variant) }
    }

    private func flush(_ variant: String) {
        guard let group = pending.removeValue(forKey: variant), !group.isEmpty else { return }
        generation[variant, default: 0] += 1
        // One provider serves one embedder: the group's requests all name it.
        let embedder = group[0].embedder
        let executor = self.executor
        Task {
            let all = group.flatMap(\.texts)
            do {
                let timed = try await executor.run(model: embedder.name) { try embedder.embed(all, variant: variant) }
                let batch = timed.value
                guard batch.vectors.count == all.count, batch.tokenCounts.count == all.count else {
                    throw ServerError.internal("embedder returned \(batch.vectors.count) vectors for \(all.count) texts")
                }
                var offset = 0
                for p in group {
                    let range = offset..<(offset + p.texts.count)
                    offset += p.texts.count
                    let part = EmbeddingBatch(vectors: Array(batch.vectors[range]), tokenCounts: Array(batch.tokenCounts[range]))
                    p.continuation.resume(returning: Result(batch: part, queueTime: timed.queueTime,
                                                            computeTime: timed.computeTime, batchSize: group.count))
                }
            } catch {
                for p in group { p.continuation.resume(throwing: error) }
            }
        }
    }
}
