/// Embedding-based text tasks (similarity, search, zero-shot classification), independent of
/// how texts are embedded: each takes an `embed` closure returning one vector per text, in order.
///
/// The same logic serves `POST /v1/similarity|search|classify` in ArcaServer, which keeps its own
/// copy because it does not depend on ArcaTasks.
public enum TextTasks {
    /// Embeds texts, one vector per text in input order.
    public typealias Embed = ([String]) throws -> [[Float]]

    /// A text with its similarity score and its index in the input list.
    public struct Scored: Sendable, Equatable, Codable {
        public var index: Int
        public var score: Float
        public var text: String
    }

    /// Cosine similarity; 0 when either vector is zero or the lengths differ.
    public static func cosine(_ a: [Float], _ b: [Float]) -> Float {
        guard a.count == b.count else { return 0 }
        var dot: Float = 0, na: Float = 0, nb: Float = 0
        for i in a.indices {
            dot += a[i] * b[i]
            na += a[i] * a[i]
            nb += b[i] * b[i]
        }
        let denom = (na * nb).squareRoot()
        return denom > 0 ? dot / denom : 0
    }

    /// Indices of the `k` largest scores, best first; ties keep the lower index first.
    public static func topK(_ scores: [Float], _ k: Int) -> [Int] {
        Array(scores.indices.sorted { scores[$0] != scores[$1] ? scores[$0] > scores[$1] : $0 < $1 }.prefix(max(0, k)))
    }

    /// Cosine similarity of two texts' embeddings.
    public static func similarity(_ a: String, _ b: String, embed: Embed) throws -> Float {
        let e = try embed([a, b])
        guard e.count == 2 else { throw TextTaskError.embeddingCount(expected: 2, got: e.count) }
        return cosine(e[0], e[1])
    }

    /// The `k` corpus texts most similar to `query`, best first.
    public static func search(query: String, corpus: [String], top k: Int, embed: Embed) throws -> [Scored] {
        guard !corpus.isEmpty else { throw TextTaskError.empty("corpus") }
        guard k >= 1 else { throw TextTaskError.badCount("top", k) }
        let e = try embed([query] + corpus)
        guard e.count == corpus.count + 1 else { throw TextTaskError.embeddingCount(expected: corpus.count + 1, got: e.count) }
        let scores = e.dropFirst().map { cosine(e[0], $0) }
        return topK(scores, k).map { Scored(index: $0, score: scores[$0], text: corpus[$0]) }
    }

    /// Zero-shot classification: every label scored by cosine similarity to `text`, best first.
    public static func classify(_ text: String, labels: [String], embed: Embed) throws -> [Scored] {
        guard !labels.isEmpty else { throw TextTaskError.empty("labels") }
        let e = try embed([text] + labels)
        guard e.count == labels.count + 1 else { throw TextTaskError.embeddingCount(expected: labels.count + 1, got: e.count) }
        let scores = e.dropFirst().map { cosine(e[0], $0) }
        return topK(scores, scores.count).map { Scored(index: $0, score: scores[$0], text: labels[$0]) }
    }
}

/// Invalid arguments to ``TextTasks`` and ``Keywords``.
public enum TextTaskError: Error, Equatable, CustomStringConvertible {
    case empty(String)
    case badCount(String, Int)
    case embeddingCount(expected: Int, got: Int)

    public var description: String {
        switch self {
        case .empty(let what): "\(what) is empty"
        case .badCount(let what, let n): "\(what) must be at least 1 (got \(n))"
        case .embeddingCount(let e, let g): "the embedder returned \(g) vectors for \(e) texts"
        }
    }
}
