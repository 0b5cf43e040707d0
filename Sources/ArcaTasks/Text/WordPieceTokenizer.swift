import Foundation

/// The BERT tokenizer of Hugging Face `tokenizers` (`BertNormalizer`,
/// `BertPreTokenizer`, `WordPiece`, `[CLS] A [SEP]` post-processing),
/// reproduced id for id.
///
/// Special tokens written in the text (`[CLS]`, `[SEP]`, `[UNK]`, `[PAD]`,
/// `[MASK]`, case-sensitive) map to their ids, as in `tokenizers`. Encoding
/// truncates to ``maxLength`` ids including `[CLS]` and `[SEP]`, keeping the
/// first pieces; it never pads.
public struct WordPieceTokenizer: Sendable {
    public let vocabulary: WordPieceVocabulary
    public let normalizer: BertNormalizerOptions
    /// Ids per encoded text, `[CLS]` and `[SEP]` included (at least 2).
    public let maxLength: Int
    /// Longer words (in Unicode scalars, after normalization) become `[UNK]`.
    public let maxInputCharsPerWord: Int
    public let clsID: Int32, sepID: Int32, unkID: Int32, padID: Int32
    /// Special tokens matched in raw text, longest first.
    private let specials: [(bytes: [UInt8], id: Int32)]
    private let specialFirstBytes: Set<UInt8>

    /// Standard BERT added tokens, matched in raw text.
    public static let bertAddedTokens = ["[PAD]", "[UNK]", "[CLS]", "[SEP]", "[MASK]"]

    /// - Parameter addedTokens: tokens recognised verbatim in the raw text before
    ///   normalization (those missing from the vocabulary are ignored).
    public init(
        vocabulary: WordPieceVocabulary, normalizer: BertNormalizerOptions = .init(),
        maxLength: Int = 256, maxInputCharsPerWord: Int = 100, addedTokens: [String] = bertAddedTokens
    ) throws(TokenizerError) {
        guard maxLength >= 2 else { throw .invalidMaxLength(maxLength) }
        func id(_ t: String) throws(TokenizerError) -> Int32 {
            guard let i = vocabulary.id(for: t) else { throw .missingSpecialToken(t) }
            return i
        }
        self.vocabulary = vocabulary
        self.normalizer = normalizer
        self.maxLength = maxLength
        self.maxInputCharsPerWord = maxInputCharsPerWord
        clsID = try id("[CLS]")
        sepID = try id("[SEP]")
        unkID = try id("[UNK]")
        padID = try id("[PAD]")
        specials = addedTokens.filter { !$0.isEmpty }
            .compactMap { t in vocabulary.id(for: t).map { (Array(t.utf8), $0) } }
            .sorted { $0.bytes.count > $1.bytes.count }
        specialFirstBytes = Set(specials.compactMap(\.bytes.first))
    }

    /// A tokenizer from `vocab.txt` with the BERT normalizer (`strip_accents` following `lowercase`).
    public init(vocabFile: URL, lowercase: Bool = true, maxLength: Int = 256) throws(TokenizerError) {
        try self.init(vocabulary: WordPieceVocabulary(vocabFile: vocabFile),
                      normalizer: BertNormalizerOptions(lowercase: lowercase), maxLength: maxLength)
    }

    // MARK: Encoding

    /// `[CLS]`, the text's word pieces (at most `maxLength - 2`), `[SEP]`.
    public func encode(_ text: String) -> [Int32] {
        var ids: [Int32] = [clsID]
        ids.reserveCapacity(min(maxLength, text.utf8.count + 2))
        var scratch = Scratch()
        appendPieces(of: text, to: &ids, limit: maxLength - 1, scratch: &scratch)
        ids.append(sepID)
        return ids
    }

    /// Each text encoded as by ``encode(_:)``, and the longest length.
    public func encodeBatch(_ texts: [String]) -> (ids: [[Int32]], maxLen: Int) {
        let ids = texts.map(encode)
        return (ids, ids.map(\.count).max() ?? 0)
    }

    /// Token ids back to text (WordPiece decoder with `tokenizers`' cleanup); for debugging.
    public func decode(_ ids: [Int32], skipSpecialTokens: Bool = true) -> String {
        let special: Set<Int32> = Set(specials.map(\.id))
        var out = ""
        for id in ids {
            if skipSpecialTokens, special.contains(id) { continue }
            let t = vocabulary.token(for: id) ?? "[UNK]"
            if t.hasPrefix("##"), !out.isEmpty { out += t.dropFirst(2) } else { out += out.isEmpty ? t : " " + t }
        }
        for (a, b) in [(" .", "."), (" ?", "?"), (" !", "!"), (" ,", ","), (" ' ", "'"), (" n't", "n't"), (" 'm", "'m"),
                       (" do not", " don't"), (" 's", "'s"), (" 've", "'ve"), (" 're", "'re")] {
            out = out.replacingOccurrences(of: a, with: b)
        }
        return out
    }

    /// Buffers reused across the words of one text.
    private struct Scratch {
        var scalars: [Unicode.Scalar] = []
        var normalized: [Unicode.Scalar] = []
        var word: [UInt8] = []
    }

    /// Appends word pieces until `ids.count == limit`.
    private func appendPieces(of text: String, to ids: inout [Int32], limit: Int, scratch: inout Scratch) {
        var segmentStart = text.unicodeScalars.startIndex
        let utf8 = text.utf8
        var i = utf8.startIndex
        // Split on special tokens in the raw text; normalize and tokenize the parts between.
        while i < utf8.endIndex, ids.count < limit {
            if specialFirstBytes.contains(utf8[i]), let (id, end) = special(at: i, in: utf8) {
                tokenize(text.unicodeScalars[segmentStart..<i], to: &ids, limit: limit, scratch: &scratch)
                if ids.count < limit { ids.append(id) }
                i = end
                segmentStart = end
            } else {
                i = utf8.index(after: i)
            }
        }
        tokenize(text.unicodeScalars[segmentStart..<utf8.endIndex], to: &ids, limit: limit, scratch: &scratch)
    }

    private func special(at i: String.Index, in utf8: String.UTF8View) -> (Int32, String.Index)? {
        for (bytes, id) in specials {
            var j = i
            var matched = true
            for b in bytes {
                guard j < utf8.endIndex, utf8[j] == b else { matched = false; break }
                j = utf8.index(after: j)
            }
            if matched { return (id, j) }
        }
        return nil
    }

    /// Tokenizes `part` in chunks cut before an ASCII whitespace, so long texts stop
    /// once `limit` is reached. Cutting there changes nothing: every step is per
    /// scalar except NFD reordering, which never crosses a starter such as ' '.
    private func tokenize(_ part: Substring.UnicodeScalarView, to ids: inout [Int32], limit: Int, scratch: inout Scratch) {
        var chunkStart = part.startIndex
        var length = 0
        var i = part.startIndex
        while i < part.endIndex {
            let v = part[i].value
            length += 1
            if length >= 1024, v == 0x20 || v == 0x0A || v == 0x09 || v == 0x0D {
                tokenizeChunk(part[chunkStart..<i], to: &ids, limit: limit, scratch: &scratch)
                if ids.count >= limit { return }
                chunkStart = i
                length = 0
            }
            i = part.index(after: i)
        }
        tokenizeChunk(part[chunkStart..<part.endIndex], to: &ids, limit: limit, scratch: &scratch)
    }

    private func tokenizeChunk(_ part: Substring.UnicodeScalarView, to ids: inout [Int32], limit: Int, scratch: inout Scratch) {
        guard !part.isEmpty, ids.count < limit else { return }
        scratch.normalized.removeAll(keepingCapacity: true)
        normalizer.normalize(part, into: &scratch.normalized)
        let s = scratch.normalized
        var i = 0
        while i < s.count, ids.count < limit {
            let f = BertCharacters.flags(s[i].value)
            if f & BertCharacters.splitFlag != 0 { i += 1; continue }
            var j = i + 1
            if f & BertCharacters.punctuationFlag == 0 {
                while j < s.count, BertCharacters.flags(s[j].value) & (BertCharacters.splitFlag | BertCharacters.punctuationFlag) == 0 { j += 1 }
            }
            wordPiece(s[i..<j], to: &ids, limit: limit, bytes: &scratch.word)
            i = j
        }
    }

    /// Greedy longest-match-first; a word with an unmatched remainder is one `[UNK]`.
    private func wordPiece(_ word: ArraySlice<Unicode.Scalar>, to ids: inout [Int32], limit: Int, bytes: inout [UInt8]) {
        guard word.count <= maxInputCharsPerWord else { ids.append(unkID); return }
        bytes.removeAll(keepingCapacity: true)
        for s in word { UTF8.encode(s) { bytes.append($0) } }
        let before = ids.count
        let complete = bytes.withUnsafeBufferPointer { b -> Bool in
            var start = 0
            while start < b.count {
                let root = start == 0 ? WordPieceTrie.wordStart : WordPieceTrie.continuation
                guard let (id, end) = vocabulary.trie.longestMatch(b, from: start, root: root) else { return false }
                ids.append(id)
                start = end
            }
            return true
        }
        if !complete {
            ids.removeSubrange(before...)
            ids.append(unkID)
        } else if ids.count > limit {
            ids.removeSubrange(limit...)
        }
    }
}
