import Foundation
import Testing
@testable import ArcaImport

@Suite struct HFConfigTests {
    @Test func miniLMConfigs() throws {
        let dir = TestPaths.miniLM
        try #require(FileManager.default.fileExists(atPath: dir.appendingPathComponent("config.json").path), "run Tools/fetch-models")
        let c = try BertConfig(contentsOf: dir.appendingPathComponent("config.json"))
        #expect(c.vocabSize == 30522 && c.hiddenSize == 384 && c.numHiddenLayers == 6)
        #expect(c.numAttentionHeads == 12 && c.headSize == 32 && c.intermediateSize == 1536)
        #expect(c.hiddenAct == .gelu && c.layerNormEps == 1e-12)
        #expect(c.maxPositionEmbeddings == 512 && c.typeVocabSize == 2 && c.padTokenId == 0)
        let st = try SentenceTransformerConfig(modelFolder: dir, maxPositionEmbeddings: c.maxPositionEmbeddings)
        #expect(st.maxSeqLength == 256)
        #expect(st.pooling.modes == [.mean] && st.pooling.wordEmbeddingDimension == 384)
        #expect(st.normalize)
    }

    @Test func maxSeqLengthFallbacks() throws {
        let dir = FileManager.default.temporaryDirectory.appendingPathComponent("arca-st-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: dir.appendingPathComponent("1_Pooling"), withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: dir) }
        try Data(#"{"word_embedding_dimension": 8, "pooling_mode_cls_token": true}"#.utf8)
            .write(to: dir.appendingPathComponent("1_Pooling/config.json"))
        var st = try SentenceTransformerConfig(modelFolder: dir, maxPositionEmbeddings: 512)
        #expect(st.maxSeqLength == 256 && st.pooling.modes == [.cls] && !st.normalize)
        try Data(#"{"model_max_length": 1000000000000000019884624838656}"#.utf8).write(to: dir.appendingPathComponent("tokenizer_config.json"))
        st = try SentenceTransformerConfig(modelFolder: dir, maxPositionEmbeddings: 512)
        #expect(st.maxSeqLength == 512)
        try Data(#"{"model_max_length": 128}"#.utf8).write(to: dir.appendingPathComponent("tokenizer_config.json"))
        st = try SentenceTransformerConfig(modelFolder: dir, maxPositionEmbeddings: 512)
        #expect(st.maxSeqLength == 128)
        try Data(#"{"max_seq_length": 64}"#.utf8).write(to: dir.appendingPathComponent("sentence_bert_config.json"))
        st = try SentenceTransformerConfig(modelFolder: dir, maxPositionEmbeddings: 512)
        #expect(st.maxSeqLength == 64)
        try Data(#"[{"type": "sentence_transformers.models.Pooling", "path": "../x"}]"#.utf8).write(to: dir.appendingPathComponent("modules.json"))
        #expect(throws: HFConfigError.self) { try SentenceTransformerConfig(modelFolder: dir, maxPositionEmbeddings: 512) }
    }

    @Test func bertConfigValidation() {
        let base = #""vocab_size": 100, "hidden_size": 64, "num_hidden_layers": 2, "intermediate_size": 128"#
        func cfg(_ extra: String) throws(HFConfigError) -> BertConfig {
            try BertConfig(jsonBytes: Array("{\(base), \(extra)}".utf8))
        }
        #expect((try? cfg(#""num_attention_heads": 4"#))?.headSize == 16)
        #expect(throws: HFConfigError.invalidField(file: "config.json", field: "num_attention_heads", reason: "(5) must divide hidden_size (64)")) {
            try cfg(#""num_attention_heads": 5"#)
        }
        #expect(throws: HFConfigError.unsupported(file: "config.json", field: "hidden_act", value: "relu")) {
            try cfg(#""num_attention_heads": 4, "hidden_act": "relu""#)
        }
        for bad in [#""num_attention_heads": 0"#, #""num_attention_heads": -4"#, #""num_attention_heads": 4.0"#,
                    #""num_attention_heads": "4""#, #""num_attention_heads": 4, "layer_norm_eps": 0"#,
                    #""num_attention_heads": 4, "pad_token_id": 100"#, #""num_attention_heads": 4, "model_type": "gpt2""#] {
            #expect(throws: HFConfigError.self, "\(bad)") { try cfg(bad) }
        }
        #expect(throws: HFConfigError.missingField(file: "config.json", field: "num_attention_heads")) { try cfg(#""x": 1"#) }
        #expect(throws: HFConfigError.notAnObject(file: "config.json")) { try BertConfig(jsonBytes: Array("[]".utf8)) }
        #expect(throws: HFConfigError.self) { try BertConfig(jsonBytes: [0xFF]) }
    }
}
