import Foundation

/// Activation functions a BERT feed-forward block may name in `hidden_act`.
public enum BertActivation: String, Sendable, Hashable {
    /// The exact (erf) GELU, PyTorch `nn.functional.gelu`.
    case gelu
}

/// The fields of a Hugging Face BERT `config.json` that shape the network.
///
/// Absent optional fields take the `transformers.BertConfig` defaults.
/// Validation: every size positive, `hidden_size` divisible by
/// `num_attention_heads`, `pad_token_id < vocab_size`, `layer_norm_eps > 0`,
/// `hidden_act` "gelu", absolute position embeddings.
public struct BertConfig: Sendable, Hashable {
    public var vocabSize: Int
    public var hiddenSize: Int
    public var numHiddenLayers: Int
    public var numAttentionHeads: Int
    public var intermediateSize: Int
    public var hiddenAct: BertActivation
    public var layerNormEps: Double
    public var maxPositionEmbeddings: Int
    public var typeVocabSize: Int
    public var padTokenId: Int

    /// `hiddenSize / numAttentionHeads`.
    public var headSize: Int { hiddenSize / numAttentionHeads }

    public init(contentsOf url: URL) throws(HFConfigError) {
        try self.init(ConfigObject.load(url))
    }

    public init(jsonBytes: [UInt8]) throws(HFConfigError) {
        try self.init(ConfigObject.parse(jsonBytes, file: "config.json"))
    }

    init(_ c: ConfigObject) throws(HFConfigError) {
        let modelType = try c.string("model_type", default: "bert")
        guard modelType == "bert" else { throw .unsupported(file: c.file, field: "model_type", value: modelType) }
        vocabSize = try c.positiveInt("vocab_size")
        hiddenSize = try c.positiveInt("hidden_size")
        numHiddenLayers = try c.positiveInt("num_hidden_layers")
        numAttentionHeads = try c.positiveInt("num_attention_heads")
        intermediateSize = try c.positiveInt("intermediate_size")
        let act = try c.string("hidden_act", default: "gelu")
        guard let a = BertActivation(rawValue: act) else { throw .unsupported(file: c.file, field: "hidden_act", value: act) }
        hiddenAct = a
        layerNormEps = try c.double("layer_norm_eps", default: 1e-12)
        maxPositionEmbeddings = try c.positiveInt("max_position_embeddings", default: 512)
        typeVocabSize = try c.positiveInt("type_vocab_size", default: 2)
        padTokenId = try c.nonNegativeInt("pad_token_id", default: 0)
        let positions = try c.string("position_embedding_type", default: "absolute")
        guard positions == "absolute" else { throw .unsupported(file: c.file, field: "position_embedding_type", value: positions) }

        guard hiddenSize % numAttentionHeads == 0 else {
            throw .invalidField(file: c.file, field: "num_attention_heads", reason: "(\(numAttentionHeads)) must divide hidden_size (\(hiddenSize))")
        }
        guard layerNormEps > 0 else { throw .invalidField(file: c.file, field: "layer_norm_eps", reason: "must be positive") }
        guard padTokenId < vocabSize else {
            throw .invalidField(file: c.file, field: "pad_token_id", reason: "(\(padTokenId)) must be below vocab_size (\(vocabSize))")
        }
    }
}
