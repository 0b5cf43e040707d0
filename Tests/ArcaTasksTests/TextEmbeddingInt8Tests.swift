import ArcaImport
import ArcaIR
import ArcaRuntime
import Foundation
import Testing
@testable import ArcaTasks

/// The dynamic int8 MiniLM against sentence-transformers' fp32 embeddings (the golden texts of
/// Tests/Fixtures/text; held-out texts are measured by Tools/compare-int8).
@Suite struct TextEmbeddingInt8Tests {
    @Test func int8EmbeddingsStayCloseToFloat() throws {
        let imported = try HuggingFaceBert.importGraph(folder: TestPaths.miniLM)
        let (graph, quantized) = try imported.graph.quantizedDynamicInt8()
        #expect(quantized == 6 * 4, "every layer's QKV, output, FFN up and down projections")
        #expect(!graph.nodes.contains { if case .matMul = $0.op { true } else { false } })
        let tok = try WordPieceTokenizer(vocabFile: TestPaths.miniLM.appendingPathComponent("vocab.txt"), maxLength: imported.sentence.maxSeqLength)
        let m = TextEmbeddingModel(graph: graph, tokenizer: tok, dimension: imported.config.hiddenSize, threads: 2)
        let golden = try JSONDecoder().decode([TextEmbeddingTests.Golden].self, from: Data(contentsOf: TestPaths.fixture("text/embeddings.json")))
        let got = try m.embed(golden.map(\.text)).embeddings
        var worst = 1.0, sum = 0.0
        for (g, e) in zip(golden, got) {
            let c = TextEmbeddingTests.cosine(g.embedding, e)
            worst = min(worst, c)
            sum += c
        }
        let mean = sum / Double(golden.count)
        // These golden texts include one-word and symbol-only strings, the hardest case for per-row
        // scales (measured 0.9835 / 0.9949 when written); held-out sentences and paragraphs reach
        // 0.995 / 0.9976 (Tools/compare-int8, BENCHMARKS.md).
        #expect(worst >= 0.98 && mean >= 0.994, "int8 cosine to fp32: min \(worst), mean \(mean)")
        #expect(worst < 0.99999, "int8 embeddings equal to fp32 would mean nothing was quantized")
    }

    @Test func quantizedGraphRoundTripsThroughSerialization() throws {
        let imported = try HuggingFaceBert.importGraph(folder: TestPaths.miniLM)
        let (graph, _) = try imported.graph.quantizedDynamicInt8()
        let (json, weights) = try graph.serialized()
        let back = try Graph(serialized: json, weights: weights)
        try back.verify()
        let int8Bytes = back.constants.values.filter { $0.dtype == .int8 }.reduce(0) { $0 + $1.shape.dims.reduce(1, *) }
        #expect(int8Bytes > 10_000_000, "the encoder's int8 weights survive serialization (\(int8Bytes) bytes)")
        #expect(back.nodes.map(\.op) == graph.nodes.map(\.op))
    }
}
