import ArcaIR
import ArcaKernels
import ArcaRuntime
import ArcaTensor
import Foundation

/// Errors of the text-embedding pipeline.
public enum TextEmbeddingError: Error, Equatable, CustomStringConvertible {
    case tooManyTexts(count: Int, limit: Int)
    case missingOutput(String)
    case badOutput(String)

    public var description: String {
        switch self {
        case .tooManyTexts(let c, let l): "\(c) texts exceed the limit of \(l) per call"
        case .missingOutput(let o): "the model produced no '\(o)' output"
        case .badOutput(let s): "unexpected model output: \(s)"
        }
    }
}

/// Sentence embeddings as sentence-transformers computes them: WordPiece ids,
/// the BERT graph, masked mean pooling and L2 normalization (both in the graph).
///
/// Texts are sorted by token count and run in batches of similar length, each
/// padded only to its own longest text (rounded up to 8 so plans are reused) and
/// holding at most ``maxBatchTokens`` padded tokens (throughput is flat from about
/// 512 tokens per run, and working memory grows with them); attention skips padded
/// keys. Plans per (batch, length) share packed weights and one arena.
/// Calls are serialised: one model runs one batch at a time on its pool.
public final class TextEmbeddingModel: @unchecked Sendable {
    public let tokenizer: WordPieceTokenizer
    public let graph: Graph
    public let dimension: Int
    public let maxBatch: Int
    /// Padded tokens (batch × length) per run, at least one text's.
    public let maxBatchTokens: Int
    public static let maxTextsPerCall = 1 << 16

    private let pool: ThreadPool
    private let weights = PackedWeightCache()
    private let arena = SharedArena()
    private var plans: [[Int]: Plan] = [:]
    private var planOrder: [[Int]] = []
    private let lock = NSLock()
    private static let maxCachedPlans = 24

    public init(graph: Graph, tokenizer: WordPieceTokenizer, dimension: Int, threads: Int = 1, maxBatch: Int = 32, maxBatchTokens: Int = 1024) {
        self.graph = graph
        self.tokenizer = tokenizer
        self.dimension = dimension
        self.maxBatch = max(1, maxBatch)
        self.maxBatchTokens = max(1, maxBatchTokens)
        pool = threads <= 1 ? .serial : ThreadPool(threadCount: threads)
    }

    /// Unit-length embeddings in input order, and each text's token count (with [CLS] and [SEP]).
    public func embed(_ texts: [String]) throws -> (embeddings: [[Float]], tokenCounts: [Int]) {
        guard texts.count <= Self.maxTextsPerCall else { throw TextEmbeddingError.tooManyTexts(count: texts.count, limit: Self.maxTextsPerCall) }
        let ids = texts.map { tokenizer.encode($0) }
        return (try embed(tokenIDs: ids), ids.map(\.count))
    }

    /// Embeddings for already tokenized texts (each with its special tokens).
    public func embed(tokenIDs ids: [[Int32]]) throws -> [[Float]] {
        var out = [[Float]](repeating: [], count: ids.count)
        let order = ids.indices.sorted { ids[$0].count > ids[$1].count }
        var start = 0
        while start < order.count {
            // Longest first: the chunk's first text sets its padded length.
            let longest = paddedLength(ids[order[start]].count)
            let count = min(maxBatch, max(1, maxBatchTokens / longest), order.count - start)
            let chunk = Array(order[start..<(start + count)])
            let vectors = try run(chunk.map { ids[$0] })
            for (i, v) in zip(chunk, vectors) { out[i] = v }
            start += chunk.count
        }
        return out
    }

    /// One padded batch through the graph.
    func run(_ batch: [[Int32]]) throws -> [[Float]] {
        let b = batch.count
        let s = paddedLength(batch.map(\.count).max() ?? 1)
        var idData = [Int32](repeating: Int32(tokenizer.padID), count: b * s)
        var maskData = [Float](repeating: 0, count: b * s)
        for (i, row) in batch.enumerated() {
            for (j, t) in row.enumerated() where j < s {
                idData[i * s + j] = t
                maskData[i * s + j] = 1
            }
        }
        let inputs: [String: Tensor] = [
            "input_ids": try Tensor(shape: [b, s], scalars: idData),
            "attention_mask": try Tensor(shape: [b, s], scalars: maskData),
            "position_ids": try Tensor(shape: [s], scalars: (0..<s).map { Int32($0) }),
        ]
        lock.lock()
        defer { lock.unlock() }
        let plan = try self.plan(batch: b, seq: s)
        let result = try plan.run(inputs: inputs)
        guard let emb = result["embedding"] else { throw TextEmbeddingError.missingOutput("embedding") }
        guard emb.shape.dims == [b, dimension] else { throw TextEmbeddingError.badOutput("embedding shape \(emb.shape)") }
        let flat = try emb.scalars(as: Float.self)
        return (0..<b).map { Array(flat[($0 * dimension)..<(($0 + 1) * dimension)]) }
    }

    /// A batch's length: its longest text rounded up to 8, within the tokenizer's limit.
    private func paddedLength(_ longest: Int) -> Int {
        let n = max(1, longest)
        return min(max(n, (n + 7) / 8 * 8), max(n, tokenizer.maxLength))
    }

    /// Caller holds `lock`.
    private func plan(batch: Int, seq: Int) throws -> Plan {
        let key = [batch, seq]
        if let p = plans[key] { return p }
        let p = try Plan(graph: graph, inputShapes: ["input_ids": key, "attention_mask": key, "position_ids": [seq]],
                         pool: pool, weightCache: weights, arena: arena)
        // A larger plan grew the arena: plans on the old storage go, freeing it.
        plans = plans.filter { $0.value.isCurrent(on: arena) }
        planOrder.removeAll { plans[$0] == nil }
        plans[key] = p
        planOrder.append(key)
        if planOrder.count > Self.maxCachedPlans { plans[planOrder.removeFirst()] = nil }
        return p
    }
}
