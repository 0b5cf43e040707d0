import Foundation

/// Settings of a BERT normalizer (`tokenizers`' `BertNormalizer`).
public struct BertNormalizerOptions: Sendable, Hashable {
    /// Drop control and format characters, turn whitespace into ' '.
    public var cleanText: Bool
    /// Put spaces around CJK ideographs so each is its own word.
    public var handleChineseChars: Bool
    /// NFD then drop nonspacing marks; `nil` follows ``lowercase``.
    public var stripAccents: Bool?
    public var lowercase: Bool

    public init(cleanText: Bool = true, handleChineseChars: Bool = true, stripAccents: Bool? = nil, lowercase: Bool = true) {
        self.cleanText = cleanText
        self.handleChineseChars = handleChineseChars
        self.stripAccents = stripAccents
        self.lowercase = lowercase
    }
}

/// Character classes of `tokenizers`' BERT normalizer and pre-tokenizer.
enum BertCharacters {
    static let removedFlag: UInt8 = 1, whitespaceFlag: UInt8 = 2, punctuationFlag: UInt8 = 4, splitFlag: UInt8 = 8

    /// Flags for the 128 ASCII scalars.
    static let ascii: [UInt8] = (0..<128).map { lookUp(UInt32($0)) }

    @inline(__always)
    static func flags(_ v: UInt32) -> UInt8 { v < 128 ? ascii[Int(v)] : lookUp(v) }

    private static func lookUp(_ v: UInt32) -> UInt8 {
        var f: UInt8 = 0
        if inRanges(v, BertCharacterTables.removed) { f |= removedFlag }
        if inRanges(v, BertCharacterTables.whitespace) { f |= whitespaceFlag }
        if inRanges(v, BertCharacterTables.punctuation) { f |= punctuationFlag }
        if inRanges(v, BertCharacterTables.splitSpace) { f |= splitFlag }
        return f
    }

    /// Binary search in flattened inclusive `[lo, hi, lo, hi, ...]` ranges.
    static func inRanges(_ v: UInt32, _ table: [UInt32]) -> Bool {
        var lo = 0, hi = table.count / 2
        while lo < hi {
            let mid = (lo + hi) / 2
            if table[2 * mid + 1] < v { lo = mid + 1 } else { hi = mid }
        }
        return lo < table.count / 2 && table[2 * lo] <= v
    }

    /// A nonspacing mark (Mn) in `tokenizers`' Unicode tables.
    @inline(__always)
    static func isNonspacingMark(_ v: UInt32) -> Bool {
        v >= 0x300 && inRanges(v, BertCharacterTables.nonspacingMark)
    }

    /// BERT's `_is_chinese_char` ranges as `tokenizers` writes them.
    static func isChinese(_ v: UInt32) -> Bool {
        switch v {
        case 0x4E00...0x9FFF, 0x3400...0x4DBF, 0x20000...0x2A6DF, 0x2A700...0x2B73F,
             0x2B740...0x2B81F, 0x2B920...0x2CEAF, 0xF900...0xFAFF, 0x2F800...0x2FA1F: true
        default: false
        }
    }
}

extension BertNormalizerOptions {
    /// Normalizes `input` and appends the result to `out`, in `tokenizers`' order:
    /// clean text, space out CJK, NFD and drop Mn, lowercase (per scalar, no context).
    func normalize(_ input: some Sequence<Unicode.Scalar>, into out: inout [Unicode.Scalar]) {
        var stage: [Unicode.Scalar] = []
        var nonASCII = false
        let space: Unicode.Scalar = " "
        for s in input {
            let v = s.value
            let f = BertCharacters.flags(v)
            if cleanText {
                if f & BertCharacters.removedFlag != 0 { continue }
                if f & BertCharacters.whitespaceFlag != 0 { stage.append(space); continue }
            }
            if v >= 0x80 {
                if handleChineseChars, BertCharacters.isChinese(v) {
                    stage.append(space); stage.append(s); stage.append(space)
                    nonASCII = true  // compatibility ideographs decompose under NFD
                    continue
                }
                nonASCII = true
            }
            stage.append(s)
        }
        if stripAccents ?? lowercase, nonASCII {
            var view = String.UnicodeScalarView()
            view.append(contentsOf: stage)
            stage.removeAll(keepingCapacity: true)
            for s in String(view).decomposedStringWithCanonicalMapping.unicodeScalars
            where !BertCharacters.isNonspacingMark(s.value) {
                stage.append(s)
            }
        }
        guard lowercase else { out.append(contentsOf: stage); return }
        out.reserveCapacity(out.count + stage.count)
        for s in stage {
            if s.value < 0x80 {
                out.append(s.value >= 0x41 && s.value <= 0x5A ? Unicode.Scalar(UInt8(s.value) | 0x20) : s)
            } else if s.properties.changesWhenLowercased {
                out.append(contentsOf: s.properties.lowercaseMapping.unicodeScalars)
            } else {
                out.append(s)
            }
        }
    }
}
