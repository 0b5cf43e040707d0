import Foundation

/// sentence-transformers pooling modes, in the order `Pooling` concatenates them.
public enum PoolingMode: String, Sendable, Hashable, CaseIterable {
    case cls = "pooling_mode_cls_token"
    case max = "pooling_mode_max_tokens"
    case mean = "pooling_mode_mean_tokens"
    case meanSqrtLength = "pooling_mode_mean_sqrt_len_tokens"
    case weightedMean = "pooling_mode_weightedmean_tokens"
    case lastToken = "pooling_mode_lasttoken"
}

/// A sentence-transformers `Pooling` module's `config.json`.
public struct PoolingConfig: Sendable, Hashable {
    public var wordEmbeddingDimension: Int
    /// The enabled modes (at least one), in concatenation order.
    public var modes: [PoolingMode]

    public init(contentsOf url: URL) throws(HFConfigError) {
        try self.init(ConfigObject.load(url))
    }

    public init(jsonBytes: [UInt8]) throws(HFConfigError) {
        try self.init(ConfigObject.parse(jsonBytes, file: "1_Pooling/config.json"))
    }

    init(_ c: ConfigObject) throws(HFConfigError) {
        wordEmbeddingDimension = try c.positiveInt("word_embedding_dimension")
        var modes: [PoolingMode] = []
        for m in PoolingMode.allCases where try c.bool(m.rawValue, default: false) { modes.append(m) }
        guard !modes.isEmpty else { throw .invalidField(file: c.file, field: "pooling_mode_*", reason: "none is true") }
        self.modes = modes
    }
}

/// What a sentence-transformers model folder says about running it:
/// sequence length, pooling and whether embeddings are L2-normalized.
public struct SentenceTransformerConfig: Sendable, Hashable {
    /// Used when no file gives a length.
    public static let defaultMaxSeqLength = 256

    /// Tokens per text including `[CLS]` and `[SEP]`: `sentence_bert_config.json`'s
    /// `max_seq_length` if present, else `tokenizer_config.json`'s `model_max_length`,
    /// else 256; capped at the model's `max_position_embeddings` either way.
    public var maxSeqLength: Int
    public var pooling: PoolingConfig
    /// `modules.json` lists a `Normalize` module.
    public var normalize: Bool

    /// Reads `sentence_bert_config.json`, `tokenizer_config.json`, `modules.json`
    /// and the pooling module's `config.json` (default folder `1_Pooling`).
    public init(modelFolder: URL, maxPositionEmbeddings: Int) throws(HFConfigError) {
        let fm = FileManager.default
        func file(_ name: String) -> URL? {
            let u = modelFolder.appendingPathComponent(name)
            return fm.fileExists(atPath: u.path) ? u : nil
        }
        var length: Int?
        if let u = file("sentence_bert_config.json") {
            let c = try ConfigObject.load(u)
            if c.has("max_seq_length") { length = try c.positiveInt("max_seq_length") }
        }
        if length == nil, let u = file("tokenizer_config.json") {
            let c = try ConfigObject.load(u)
            // Tokenizers without a limit store a huge sentinel (int(1e30)), which is not a UInt64.
            if case .number = c.value["model_max_length"] ?? .null {
                length = c.value["model_max_length"]?.uint64Value.map { Int(clamping: $0) } ?? Int.max
            }
        }
        maxSeqLength = min(length ?? Self.defaultMaxSeqLength, maxPositionEmbeddings)

        var poolingPath = "1_Pooling"
        var normalize = false
        if let u = file("modules.json") {
            let v: JSONValue
            let data: Data
            do { data = try Data(contentsOf: u) } catch { throw .unreadable(path: u.path, reason: "\(error)") }
            do { v = try JSONParser.parse(Array(data)) } catch { throw .invalidJSON(file: "modules.json", error) }
            guard let modules = v.arrayValue else { throw .invalidField(file: "modules.json", field: "", reason: "must be an array") }
            for m in modules {
                let type = m["type"]?.stringValue ?? ""
                if type.hasSuffix(".Pooling"), let p = m["path"]?.stringValue { poolingPath = p }
                if type.hasSuffix(".Normalize") { normalize = true }
            }
        }
        guard !poolingPath.contains(".."), !poolingPath.hasPrefix("/") else {
            throw .invalidField(file: "modules.json", field: "path", reason: "must stay inside the model folder")
        }
        pooling = try PoolingConfig(contentsOf: modelFolder.appendingPathComponent(poolingPath).appendingPathComponent("config.json"))
        self.normalize = normalize
    }
}
