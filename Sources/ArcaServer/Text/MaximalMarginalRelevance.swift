/// Maximal marginal relevance selection (KeyBERT's `mmr`): start from the candidate most
/// similar to the document, then repeatedly take the candidate maximising
/// `(1 - diversity) · sim(candidate, doc) − diversity · max sim(candidate, chosen)`.
enum MaximalMarginalRelevance {
    /// Indices of up to `k` chosen candidates, in the order chosen.
    static func select(document: [Float], candidates: [[Float]], k: Int, diversity: Float) -> [Int] {
        guard !candidates.isEmpty, k > 0 else { return [] }
        let toDoc = candidates.map { VectorMath.cosine($0, document) }
        guard let first = VectorMath.topK(toDoc, 1).first else { return [] }
        var chosen = [first]
        var remaining = Array(candidates.indices).filter { $0 != first }
        // Highest similarity of each candidate to any chosen one, updated as candidates are chosen.
        var toChosen = candidates.map { VectorMath.cosine($0, candidates[first]) }
        while chosen.count < k, !remaining.isEmpty {
            var best = remaining[0]
            var bestScore = -Float.infinity
            for c in remaining {
                let score = (1 - diversity) * toDoc[c] - diversity * toChosen[c]
                if score > bestScore { bestScore = score; best = c }
            }
            chosen.append(best)
            remaining.removeAll { $0 == best }
            for c in remaining { toChosen[c] = max(toChosen[c], VectorMath.cosine(candidates[c], candidates[best])) }
        }
        return chosen
    }
}
