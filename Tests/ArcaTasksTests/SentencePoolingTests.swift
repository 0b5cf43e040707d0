import Testing
@testable import ArcaTasks

@Suite struct SentencePoolingTests {
    @Test func meanOverMaskedTokens() throws {
        // batch 2, 3 tokens, dim 2; item 0 masks out its last token, item 1 keeps only the first.
        let e: [Float] = [1, 2, 3, 4, 100, 100,
                          5, 6, 7, 8, 9, 10]
        let m: [Int32] = [1, 1, 0, 1, 0, 0]
        let p = try SentencePooling.meanPool(tokenEmbeddings: e, mask: m, batch: 2, sequenceLength: 3, dimension: 2)
        #expect(p == [2, 3, 5, 6])
        let zero = try SentencePooling.meanPool(tokenEmbeddings: [1, 2], mask: [0], sequenceLength: 1, dimension: 2)
        #expect(zero == [0, 0])
        #expect(throws: PoolingError.sizeMismatch(expected: 6, got: 5, what: "mask")) {
            try SentencePooling.meanPool(tokenEmbeddings: e, mask: [1, 1, 1, 1, 1], batch: 2, sequenceLength: 3, dimension: 2)
        }
        #expect(throws: PoolingError.self) {
            try SentencePooling.meanPool(tokenEmbeddings: e, mask: m, batch: 2, sequenceLength: 3, dimension: 0)
        }
    }

    @Test func l2Normalization() throws {
        #expect(SentencePooling.l2Normalize([3, 4]) == [0.6, 0.8])
        #expect(SentencePooling.l2Normalize([0, 0, 0]) == [0, 0, 0])
        let rows = try SentencePooling.l2Normalize([3, 4, 0, -2], dimension: 2)
        #expect(rows == [0.6, 0.8, 0, -1])
        var g = SystemRandomNumberGenerator()
        let v = (0..<384).map { _ in Float.random(in: -1...1, using: &g) }
        let n = SentencePooling.l2Normalize(v)
        #expect(abs(n.reduce(0) { $0 + $1 * $1 } - 1) < 1e-5)
        #expect(zip(v, n).allSatisfy { ($0 >= 0) == ($1 >= 0) })
        #expect(throws: PoolingError.self) { try SentencePooling.l2Normalize([1, 2, 3], dimension: 2) }
    }
}
