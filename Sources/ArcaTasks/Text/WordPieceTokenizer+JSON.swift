import Foundation

extension WordPieceTokenizer {
    /// A tokenizer from a Hugging Face `tokenizer.json` with a `BertNormalizer`,
    /// `BertPreTokenizer` and `WordPiece` model; its vocabulary, normalizer
    /// settings, `max_input_chars_per_word` and non-normalized added tokens are used.
    ///
    /// The file's own `truncation` and `padding` are ignored: sentence-transformers
    /// overrides them, so pass the model's `max_seq_length` as `maxLength`.
    public init(tokenizerJSON url: URL, maxLength: Int = 256) throws(TokenizerError) {
        let data: Data
        do { data = try Data(contentsOf: url) } catch { throw .unreadable(path: url.path, reason: "\(error)") }
        let root: [String: Any]
        do {
            guard let r = try JSONSerialization.jsonObject(with: data) as? [String: Any] else {
                throw TokenizerError.invalidTokenizerJSON("not an object")
            }
            root = r
        } catch let e as TokenizerError { throw e } catch { throw .invalidTokenizerJSON("\(error)") }

        guard let model = root["model"] as? [String: Any] else { throw .invalidTokenizerJSON("missing model") }
        guard model["type"] as? String == "WordPiece" else { throw .unsupportedTokenizer("model type \(model["type"] ?? "nil")") }
        guard let vocab = model["vocab"] as? [String: Any] else { throw .invalidTokenizerJSON("missing model.vocab") }
        var tokens = [String?](repeating: nil, count: vocab.count)
        for (token, value) in vocab {
            guard let n = value as? NSNumber, let id = Int(exactly: n.doubleValue), id >= 0, id < vocab.count else {
                throw .nonContiguousIDs("id of '\(token)' is \(value)")
            }
            if let other = tokens[id] { throw .nonContiguousIDs("'\(other)' and '\(token)' share id \(id)") }
            tokens[id] = token
        }
        let prefix = model["continuing_subword_prefix"] as? String ?? "##"
        let maxChars = (model["max_input_chars_per_word"] as? NSNumber)?.intValue ?? 100
        guard maxChars > 0 else { throw .invalidTokenizerJSON("max_input_chars_per_word \(maxChars)") }
        let vocabulary = try WordPieceVocabulary(tokens: tokens.map { $0 ?? "" }, continuingSubwordPrefix: prefix)

        guard let norm = root["normalizer"] as? [String: Any], norm["type"] as? String == "BertNormalizer" else {
            throw .unsupportedTokenizer("normalizer is not BertNormalizer")
        }
        let options = BertNormalizerOptions(
            cleanText: norm["clean_text"] as? Bool ?? true,
            handleChineseChars: norm["handle_chinese_chars"] as? Bool ?? true,
            stripAccents: norm["strip_accents"] as? Bool,
            lowercase: norm["lowercase"] as? Bool ?? true)
        guard let pre = root["pre_tokenizer"] as? [String: Any], pre["type"] as? String == "BertPreTokenizer" else {
            throw .unsupportedTokenizer("pre_tokenizer is not BertPreTokenizer")
        }
        var added: [String] = []
        for t in root["added_tokens"] as? [[String: Any]] ?? [] {
            guard let content = t["content"] as? String else { throw .invalidTokenizerJSON("added token without content") }
            for flag in ["single_word", "lstrip", "rstrip"] where t[flag] as? Bool == true {
                throw .unsupportedTokenizer("added token '\(content)' with \(flag)")
            }
            if t["normalized"] as? Bool == false { added.append(content) }
        }
        try self.init(vocabulary: vocabulary, normalizer: options, maxLength: maxLength,
                      maxInputCharsPerWord: maxChars, addedTokens: added)
    }
}
