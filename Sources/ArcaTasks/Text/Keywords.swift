/// KeyBERT-style keyword extraction: 1–2 word candidates (stop words removed) ranked by
/// similarity to the document, picked with maximal marginal relevance.
///
/// Mirrors ArcaServer's `POST /v1/keywords` (which keeps its own copy: it does not depend on ArcaTasks).
public enum Keywords {
    /// A keyword and its cosine similarity to the document.
    public struct Keyword: Sendable, Equatable, Codable {
        public var keyword: String
        public var score: Float
    }

    /// Most candidates embedded per document.
    public static let maxCandidates = 256

    /// Up to `top` keywords of `text`, in MMR order (the first is the most similar to the text).
    public static func extract(from text: String, top: Int, diversity: Float = 0.5, embed: TextTasks.Embed) throws -> [Keyword] {
        guard top >= 1 else { throw TextTaskError.badCount("top", top) }
        let candidates = KeywordCandidates.candidates(in: text, limit: maxCandidates)
        guard !candidates.isEmpty else { return [] }
        let e = try embed([text] + candidates)
        guard e.count == candidates.count + 1 else { throw TextTaskError.embeddingCount(expected: candidates.count + 1, got: e.count) }
        let chosen = MaximalMarginalRelevance.select(document: e[0], candidates: Array(e.dropFirst()), k: top, diversity: diversity)
        return chosen.map { Keyword(keyword: candidates[$0], score: TextTasks.cosine(e[$0 + 1], e[0])) }
    }
}

/// Maximal marginal relevance selection (KeyBERT's `mmr`): start from the candidate most
/// similar to the document, then repeatedly take the candidate maximising
/// `(1 - diversity) · sim(candidate, doc) − diversity · max sim(candidate, chosen)`.
public enum MaximalMarginalRelevance {
    /// Indices of up to `k` chosen candidates, in the order chosen.
    public static func select(document: [Float], candidates: [[Float]], k: Int, diversity: Float) -> [Int] {
        guard !candidates.isEmpty, k > 0 else { return [] }
        let toDoc = candidates.map { TextTasks.cosine($0, document) }
        guard let first = TextTasks.topK(toDoc, 1).first else { return [] }
        var chosen = [first]
        var remaining = Array(candidates.indices).filter { $0 != first }
        // Highest similarity of each candidate to any chosen one.
        var toChosen = candidates.map { TextTasks.cosine($0, candidates[first]) }
        while chosen.count < k, !remaining.isEmpty {
            var best = remaining[0]
            var bestScore = -Float.infinity
            for c in remaining {
                let score = (1 - diversity) * toDoc[c] - diversity * toChosen[c]
                if score > bestScore { bestScore = score; best = c }
            }
            chosen.append(best)
            remaining.removeAll { $0 == best }
            for c in remaining { toChosen[c] = max(toChosen[c], TextTasks.cosine(candidates[c], candidates[best])) }
        }
        return chosen
    }
}
