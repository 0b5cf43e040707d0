/// Why pooling inputs were refused.
public enum PoolingError: Error, Equatable, CustomStringConvertible {
    case sizeMismatch(expected: Int, got: Int, what: String)
    case invalidDimension(Int)

    public var description: String {
        switch self {
        case .sizeMismatch(let e, let g, let w): "pooling: \(w) has \(g) values, expected \(e)"
        case .invalidDimension(let d): "pooling: invalid dimension \(d)"
        }
    }
}

/// sentence-transformers' `Pooling(mean)` and `Normalize` on plain arrays.
public enum SentencePooling {
    /// Mean of the token embeddings whose mask is non-zero, per batch item.
    ///
    /// `tokenEmbeddings` is `[batch, sequenceLength, dimension]` row-major and
    /// `mask` `[batch, sequenceLength]`; the result is `[batch, dimension]`.
    /// As in sentence-transformers the divisor is `max(sum(mask), 1e-9)`, so an
    /// all-zero mask gives zeros.
    public static func meanPool(
        tokenEmbeddings: [Float], mask: [Int32], batch: Int = 1, sequenceLength: Int, dimension: Int
    ) throws(PoolingError) -> [Float] {
        guard batch >= 0, sequenceLength >= 0, dimension > 0 else { throw .invalidDimension(dimension) }
        let (tokens, o1) = batch.multipliedReportingOverflow(by: sequenceLength)
        let (values, o2) = tokens.multipliedReportingOverflow(by: dimension)
        guard !o1, !o2 else { throw .invalidDimension(dimension) }
        guard mask.count == tokens else { throw .sizeMismatch(expected: tokens, got: mask.count, what: "mask") }
        guard tokenEmbeddings.count == values else {
            throw .sizeMismatch(expected: values, got: tokenEmbeddings.count, what: "tokenEmbeddings")
        }
        var out = [Float](repeating: 0, count: batch * dimension)
        for b in 0..<batch {
            var count: Float = 0
            for t in 0..<sequenceLength where mask[b * sequenceLength + t] != 0 {
                let m = Float(mask[b * sequenceLength + t])
                count += m
                let row = (b * sequenceLength + t) * dimension
                for d in 0..<dimension { out[b * dimension + d] += m * tokenEmbeddings[row + d] }
            }
            let scale = 1 / max(count, 1e-9)
            for d in 0..<dimension { out[b * dimension + d] *= scale }
        }
        return out
    }

    /// Each `dimension`-long row divided by `max(‖row‖₂, epsilon)` (PyTorch `F.normalize`).
    public static func l2Normalize(_ values: [Float], dimension: Int, epsilon: Float = 1e-12) throws(PoolingError) -> [Float] {
        guard dimension > 0 else { throw .invalidDimension(dimension) }
        guard values.count % dimension == 0 else {
            throw .sizeMismatch(expected: (values.count / dimension + 1) * dimension, got: values.count, what: "values")
        }
        var out = values
        for start in stride(from: 0, to: values.count, by: dimension) {
            var sum: Float = 0
            for d in start..<start + dimension { sum += values[d] * values[d] }
            let scale = 1 / max(sum.squareRoot(), epsilon)
            for d in start..<start + dimension { out[d] = values[d] * scale }
        }
        return out
    }

    /// One vector divided by its L2 norm (zeros stay zeros).
    public static func l2Normalize(_ vector: [Float]) -> [Float] {
        guard !vector.isEmpty else { return vector }
        return (try? l2Normalize(vector, dimension: vector.count)) ?? vector
    }
}
