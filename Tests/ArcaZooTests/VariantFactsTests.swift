import ArcaIR
import ArcaTensor
import Testing
@testable import ArcaZoo

/// The variant facts the scheduler will read: dtype from the graph, accuracy and latency from the catalog.
@Suite struct VariantFactsTests {
    @Test func int8VariantCarriesItsMeasuredFacts() throws {
        let catalog = try ZooCatalog.bundled()
        let (_, entry) = try catalog.resolve("text-embedding:minilm-l6-int8")
        #expect(entry.quantization == "dynamic-int8")
        var g = Graph()
        let x = g.addInput("x", shape: [1, 4])
        let w = g.addConstant("w", try Tensor(shape: [4, 2], scalars: [Int8](repeating: 1, count: 8)))
        let s = g.addConstant("s", try Tensor(shape: [2], scalars: [Float](repeating: 0.5, count: 2)))
        g.markOutput(g.add(.quantizedMatMul(MatMulAttributes()), x, w, s))
        try g.inferShapes()
        let facts = ZooStore.variantFacts(g, catalogEntry: entry, weightBytes: 16)
        #expect(facts.dtype == "int8")
        #expect(facts.expectedAccuracy >= 0.99 && facts.expectedAccuracy <= 1)
        #expect(!facts.accuracyMetric.isEmpty)
        #expect(facts.latency.contains { $0.threads == 2 && $0.batch == 32 && $0.seq == 128 && $0.medianMs > 0 })
        let fp32 = try catalog.resolve("text-embedding:minilm-l6").variant
        #expect(ZooStore.variantFacts(Graph(), catalogEntry: fp32, weightBytes: 0).dtype == "float32")
    }
}
