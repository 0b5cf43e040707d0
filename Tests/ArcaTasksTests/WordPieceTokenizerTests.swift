import Foundation
import Testing
@testable import ArcaTasks

private struct GoldenCase: Decodable {
    let text: String
    let ids: [Int32]
    let tokens: [String]
}

private func miniLMTokenizer(maxLength: Int = 256) throws -> WordPieceTokenizer {
    let vocab = TestPaths.miniLM.appendingPathComponent("vocab.txt")
    try #require(FileManager.default.fileExists(atPath: vocab.path), "run Tools/fetch-models")
    return try WordPieceTokenizer(vocabFile: vocab, lowercase: true, maxLength: maxLength)
}

@Suite struct WordPieceTokenizerTests {
    /// Tests/Fixtures/text/tokenizer.json: ids from HF `tokenizers` (see PROVENANCE).
    @Test func matchesHuggingFaceOnEveryGoldenText() throws {
        let tok = try miniLMTokenizer()
        let data = try Data(contentsOf: TestPaths.fixture("text/tokenizer.json"))
        let cases = try JSONDecoder().decode([GoldenCase].self, from: data)
        #expect(cases.count >= 300)
        var failures = 0
        for c in cases {
            let ids = tok.encode(c.text)
            if ids != c.ids {
                failures += 1
                let got = ids.map { tok.vocabulary.token(for: $0) ?? "?" }
                Issue.record("\(c.text.debugDescription): got \(got), expected \(c.tokens)")
            }
        }
        #expect(failures == 0)
        let batch = tok.encodeBatch(cases.prefix(20).map(\.text))
        #expect(batch.ids == cases.prefix(20).map(\.ids))
        #expect(batch.maxLen == cases.prefix(20).map(\.ids.count).max())
    }

    @Test func tokenizerJSONMatchesVocabFile() throws {
        let fromVocab = try miniLMTokenizer()
        let fromJSON = try WordPieceTokenizer(tokenizerJSON: TestPaths.miniLM.appendingPathComponent("tokenizer.json"))
        #expect(fromJSON.vocabulary.tokens == fromVocab.vocabulary.tokens)
        #expect(fromJSON.normalizer == BertNormalizerOptions(cleanText: true, handleChineseChars: true, stripAccents: nil, lowercase: true))
        #expect(fromJSON.maxInputCharsPerWord == 100 && fromJSON.maxLength == 256)
        let data = try Data(contentsOf: TestPaths.fixture("text/tokenizer.json"))
        for c in try JSONDecoder().decode([GoldenCase].self, from: data) {
            #expect(fromJSON.encode(c.text) == c.ids, "\(c.text.debugDescription)")
        }
    }

    @Test func truncationKeepsSpecials() throws {
        let text = Array(repeating: "word", count: 300).joined(separator: " ")
        let full = try miniLMTokenizer().encode(text)
        #expect(full.count == 256 && full.last == 102 && full.first == 101)
        let short = try miniLMTokenizer(maxLength: 5).encode(text)
        #expect(short == Array(full.prefix(4)) + [102])
        // Long inputs are tokenized in chunks; the result must not depend on where they are cut.
        let mixed = (0..<3000).map { i in ["Çafé", "naïve\u{301}", "漢字", "e\u{301}\u{327}x", "WORD", "\t", "\n"][i % 7] }.joined(separator: " ")
        let big = try miniLMTokenizer(maxLength: 100_000)
        let whole = big.encode(mixed)
        let pieces = mixed.split(separator: " ").flatMap { big.encode(String($0)).dropFirst().dropLast() }
        #expect(whole == [101] + pieces + [102])
        #expect(try miniLMTokenizer().encode(mixed) == Array(whole.prefix(255)) + [102])
        let bare = try miniLMTokenizer(maxLength: 2).encode(text)
        #expect(bare == [101, 102])
        #expect(throws: TokenizerError.invalidMaxLength(1)) { try miniLMTokenizer(maxLength: 1) }
    }

    @Test func specialTokensInTextAreRecognizedCaseSensitively() throws {
        let tok = try miniLMTokenizer()
        let ids = tok.encode("hello [SEP] world[MASK]")
        #expect(ids.dropFirst().dropLast().contains(tok.sepID))
        #expect(ids.contains(try #require(tok.vocabulary.id(for: "[MASK]"))))
        #expect(ids.count == tok.encode("hello x world x").count)
        let lower = tok.encode("[sep]")
        #expect(!lower.dropFirst().dropLast().contains(tok.sepID))
    }

    @Test func decodeRoundTripsPlainText() throws {
        let tok = try miniLMTokenizer()
        #expect(tok.decode(tok.encode("Hello, world! Tokenization works.")) == "hello, world! tokenization works.")
        #expect(tok.decode(tok.encode("hi"), skipSpecialTokens: false) == "[CLS] hi [SEP]")
    }

    @Test func vocabularyValidation() {
        #expect(throws: TokenizerError.emptyVocabulary) { try WordPieceVocabulary(tokens: []) }
        #expect(throws: TokenizerError.missingSpecialToken("[PAD]")) {
            try WordPieceVocabulary(tokens: ["[CLS]", "[SEP]", "[UNK]", "a"])
        }
        #expect(throws: TokenizerError.duplicateToken("a", firstID: 4, secondID: 5)) {
            try WordPieceVocabulary(tokens: ["[PAD]", "[CLS]", "[SEP]", "[UNK]", "a", "a"])
        }
    }

    @Test func tinyVocabularyGreedyLongestMatch() throws {
        let v = try WordPieceVocabulary(tokens: ["[PAD]", "[UNK]", "[CLS]", "[SEP]", "un", "una", "##ble", "##aff", "##able", "aff", "!"])
        let tok = try WordPieceTokenizer(vocabulary: v)
        // "unaffable": "una" is longest at the start, then "##ff..." fails -> whole word [UNK].
        #expect(tok.encode("unaffable") == [2, 1, 3])
        #expect(tok.encode("UNABLE!") == [2, 5, 6, 10, 3])
        #expect(tok.encode("aff\u{0}able") == [2, 9, 8, 3])
        let long = String(repeating: "a", count: 101)
        #expect(tok.encode(long) == [2, 1, 3])
        let cased = try WordPieceTokenizer(vocabulary: v, normalizer: BertNormalizerOptions(lowercase: false))
        #expect(cased.encode("UNABLE") == [2, 1, 3])
    }

    @Test func textInputRejectsInvalidUTF8() throws {
        #expect(try TextInput.decodeUTF8(Array("héllo 😀".utf8)) == "héllo 😀")
        #expect(throws: TextInputError.invalidUTF8(offset: 1)) { try TextInput.decodeUTF8([0x61, 0xFF, 0x62]) }
        #expect(throws: TextInputError.invalidUTF8(offset: 3)) { try TextInput.decodeUTF8([0x61, 0x62, 0x63, 0xE2, 0x82]) }
        #expect(throws: TextInputError.invalidUTF8(offset: 0)) { try TextInput.decodeUTF8([0xED, 0xA0, 0x80]) }
        #expect(throws: TextInputError.invalidUTF8(offset: 0)) { try TextInput.decodeUTF8([0xC0, 0xAF]) }
    }
}
