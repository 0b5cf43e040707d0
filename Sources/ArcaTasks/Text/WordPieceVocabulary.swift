import Foundation

/// A validated WordPiece vocabulary: token `i` has id `i`, tokens are unique,
/// and the BERT special tokens are present.
public struct WordPieceVocabulary: Sendable {
    public static let requiredSpecialTokens = ["[CLS]", "[SEP]", "[UNK]", "[PAD]"]

    public let tokens: [String]
    let ids: [String: Int32]
    let trie: WordPieceTrie

    /// Builds from tokens in id order; `prefix` marks word-continuing pieces.
    public init(tokens: [String], continuingSubwordPrefix prefix: String = "##") throws(TokenizerError) {
        guard !tokens.isEmpty else { throw .emptyVocabulary }
        guard tokens.count < Int(Int32.max) else { throw .vocabularyTooLarge(tokens.count) }
        var ids: [String: Int32] = [:]
        ids.reserveCapacity(tokens.count)
        for (i, t) in tokens.enumerated() {
            if let first = ids.updateValue(Int32(i), forKey: t) { throw .duplicateToken(t, firstID: Int(first), secondID: i) }
        }
        for s in Self.requiredSpecialTokens where ids[s] == nil { throw .missingSpecialToken(s) }
        self.tokens = tokens
        self.ids = ids
        self.trie = WordPieceTrie(tokens: tokens, prefix: Array(prefix.utf8))
    }

    /// Reads `vocab.txt`: one token per line, id = line number; trailing whitespace is
    /// trimmed from each line as `tokenizers` does.
    public init(vocabFile url: URL) throws(TokenizerError) {
        let data: Data
        do { data = try Data(contentsOf: url) } catch { throw .unreadable(path: url.path, reason: "\(error)") }
        try self.init(vocabData: Array(data))
    }

    /// A `vocab.txt` held in memory (e.g. a registry layer): one token per line, UTF-8.
    public init(vocabData: [UInt8]) throws(TokenizerError) {
        guard let text = String(validating: vocabData, as: UTF8.self) else { throw .vocabularyNotUTF8 }
        var lines = text.split(separator: "\n", omittingEmptySubsequences: false)
        if lines.last == "" { lines.removeLast() }
        let tokens = lines.map { line -> String in
            var s = Substring(line)
            while let last = s.unicodeScalars.last, last.properties.isWhitespace { s = Substring(s.unicodeScalars.dropLast()) }
            return String(s)
        }
        try self.init(tokens: tokens)
    }

    public var count: Int { tokens.count }

    public func id(for token: String) -> Int32? { ids[token] }

    public func token(for id: Int32) -> String? {
        id >= 0 && Int(id) < tokens.count ? tokens[Int(id)] : nil
    }
}

/// Byte trie over the vocabulary with two roots: node 0 matches whole tokens
/// (word starts), node 1 matches the part after the continuation prefix.
/// Transitions live in one open-addressing table keyed by `node << 8 | byte`.
struct WordPieceTrie: Sendable {
    static let wordStart: Int32 = 0, continuation: Int32 = 1

    private let keys: [UInt64]
    private let children: [Int32]
    private let tokenIDs: [Int32]
    private let shift: UInt64

    init(tokens: [String], prefix: [UInt8]) {
        var edges: [UInt64: Int32] = [:]
        var tokenIDs: [Int32] = [-1, -1]
        func insert(_ bytes: some Sequence<UInt8>, root: Int32, id: Int32) {
            var node = root
            for b in bytes {
                let key = UInt64(node) << 8 | UInt64(b)
                if let next = edges[key] {
                    node = next
                } else {
                    let next = Int32(tokenIDs.count)
                    tokenIDs.append(-1)
                    edges[key] = next
                    node = next
                }
            }
            if tokenIDs[Int(node)] < 0 { tokenIDs[Int(node)] = id }
        }
        for (i, t) in tokens.enumerated() {
            let bytes = Array(t.utf8)
            if !bytes.isEmpty { insert(bytes, root: Self.wordStart, id: Int32(i)) }
            if bytes.count > prefix.count, bytes.starts(with: prefix) {
                insert(bytes[prefix.count...], root: Self.continuation, id: Int32(i))
            }
        }
        var bits = 4
        while (1 << bits) < 2 * max(edges.count, 1) { bits += 1 }
        var keys = [UInt64](repeating: 0, count: 1 << bits)
        var children = [Int32](repeating: 0, count: 1 << bits)
        let shift = UInt64(64 - bits)
        for (k, v) in edges {
            var slot = Int(truncatingIfNeeded: ((k &+ 1) &* 0x9E37_79B9_7F4A_7C15) >> shift)
            while keys[slot] != 0 { slot = (slot + 1) & (keys.count - 1) }
            keys[slot] = k &+ 1
            children[slot] = v
        }
        self.keys = keys
        self.children = children
        self.tokenIDs = tokenIDs
        self.shift = shift
    }

    @inline(__always)
    private func child(_ node: Int32, _ byte: UInt8) -> Int32? {
        let k = (UInt64(node) << 8 | UInt64(byte)) &+ 1
        var slot = Int(truncatingIfNeeded: (k &* 0x9E37_79B9_7F4A_7C15) >> shift)
        let mask = keys.count - 1
        while true {
            let stored = keys[slot]
            if stored == k { return children[slot] }
            if stored == 0 { return nil }
            slot = (slot + 1) & mask
        }
    }

    /// The longest vocabulary piece that `bytes[start...]` begins with, from `root`.
    func longestMatch(_ bytes: UnsafeBufferPointer<UInt8>, from start: Int, root: Int32) -> (id: Int32, end: Int)? {
        var node = root
        var best: (id: Int32, end: Int)?
        var i = start
        while i < bytes.count, let next = child(node, bytes[i]) {
            node = next
            i += 1
            let id = tokenIDs[Int(node)]
            if id >= 0 { best = (id, i) }
        }
        return best
    }
}
