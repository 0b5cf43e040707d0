import ArcaImport
import Foundation
import Testing
@testable import ArcaTasks

/// all-MiniLM-L6-v2 end to end against sentence-transformers (Tests/Fixtures/text/PROVENANCE).
@Suite struct TextEmbeddingTests {
    struct Golden: Decodable { let text: String; let embedding: [Float] }

    static func model(threads: Int = 1, maxBatchTokens: Int = 1024) throws -> TextEmbeddingModel {
        let imported = try HuggingFaceBert.importGraph(folder: TestPaths.miniLM)
        let tok = try WordPieceTokenizer(vocabFile: TestPaths.miniLM.appendingPathComponent("vocab.txt"), maxLength: imported.sentence.maxSeqLength)
        return TextEmbeddingModel(graph: imported.graph, tokenizer: tok, dimension: imported.config.hiddenSize, threads: threads,
                                  maxBatchTokens: maxBatchTokens)
    }

    static func cosine(_ a: [Float], _ b: [Float]) -> Double {
        var dot = 0.0, na = 0.0, nb = 0.0
        for (x, y) in zip(a, b) { dot += Double(x) * Double(y); na += Double(x) * Double(x); nb += Double(y) * Double(y) }
        return dot / (na.squareRoot() * nb.squareRoot())
    }

    @Test func matchesSentenceTransformers() throws {
        let golden = try JSONDecoder().decode([Golden].self, from: Data(contentsOf: TestPaths.fixture("text/embeddings.json")))
        #expect(golden.count >= 20)
        let m = try Self.model(threads: 2)
        // All at once (mixed lengths, batched and padded) and one by one must both match.
        let batched = try m.embed(golden.map(\.text)).embeddings
        var worst = 1.0
        for (g, e) in zip(golden, batched) {
            #expect(e.count == 384)
            worst = min(worst, Self.cosine(g.embedding, e))
        }
        #expect(worst >= 0.99999, "worst cosine \(worst)")
        for g in golden.prefix(5) {
            let single = try m.embed([g.text]).embeddings[0]
            #expect(Self.cosine(g.embedding, single) >= 0.99999)
        }
    }

    @Test func paddingDoesNotChangeAnEmbedding() throws {
        let m = try Self.model()
        let alone = try m.embed(["a short sentence"]).embeddings[0]
        let withLong = try m.embed(["a short sentence", String(repeating: "a much longer sentence with many words ", count: 8)]).embeddings[0]
        #expect(Self.cosine(alone, withLong) >= 0.999999)
    }

    /// A small token budget splits the texts into many runs of different shapes on one growing
    /// arena; every embedding still matches sentence-transformers.
    @Test func tokenBudgetSplitsRunsWithoutChangingAnswers() throws {
        let golden = try JSONDecoder().decode([Golden].self, from: Data(contentsOf: TestPaths.fixture("text/embeddings.json")))
        let m = try Self.model(maxBatchTokens: 40)
        let lengths = golden.map { m.tokenizer.encode($0.text).count }
        #expect(lengths.contains { $0 > 40 } && lengths.contains { $0 <= 20 }, "the fixture needs texts over and under the budget")
        let got = try m.embed(golden.map(\.text)).embeddings
        for (g, e) in zip(golden, got) { #expect(Self.cosine(g.embedding, e) >= 0.99999, "\(g.text.prefix(40))") }
    }
}
