import ArcaIR
import ArcaTensor
import Foundation

/// A Hugging Face BERT folder (`config.json`, `model.safetensors`, sentence-transformers
/// module configs) imported as the sentence-embedding graph of ``BertGraphBuilder``.
public enum HuggingFaceBert {
    public struct Imported: Sendable {
        public var graph: Graph
        public var config: BertConfig
        public var sentence: SentenceTransformerConfig
    }

    public static func importGraph(folder: URL) throws -> Imported {
        let config = try BertConfig(contentsOf: folder.appendingPathComponent("config.json"))
        let sentence = try SentenceTransformerConfig(modelFolder: folder, maxPositionEmbeddings: config.maxPositionEmbeddings)
        let weights = try SafetensorsFile(contentsOf: folder.appendingPathComponent("model.safetensors"))
        let dims = BertDimensions(hidden: config.hiddenSize, layers: config.numHiddenLayers, heads: config.numAttentionHeads,
                                  intermediate: config.intermediateSize, vocab: config.vocabSize,
                                  maxPositions: config.maxPositionEmbeddings, typeVocab: config.typeVocabSize,
                                  layerNormEpsilon: Float(config.layerNormEps))
        let graph = try BertGraphBuilder.build(dims, normalize: sentence.normalize) { name in
            weights.info(name) == nil ? nil : try weights.tensor(name, as: .float32)
        }
        return Imported(graph: graph, config: config, sentence: sentence)
    }
}
