import Foundation

/// A word cloud as SVG: words sized by score, laid out on an outward spiral with
/// axis-aligned boxes that never overlap.
public enum WordCloud {
    /// A placed word: its box (top-left origin) and font size.
    public struct Placement: Sendable, Equatable {
        public var word: String
        public var fontSize: Double
        public var x: Double, y: Double, width: Double, height: Double
    }

    /// Canvas size of ``svg(words:width:height:)`` by default.
    public static let defaultSize = (width: 800, height: 500)

    /// Estimated box of `word` at `fontSize` (0.6 em per character, 1.2 em line height).
    static func box(_ word: String, _ fontSize: Double) -> (Double, Double) {
        (max(1, Double(word.count)) * fontSize * 0.6 + 4, fontSize * 1.2)
    }

    /// Non-overlapping placements, highest score first and nearest the centre. Font sizes
    /// scale linearly from 14 (lowest score) to 64 (highest); words that do not fit are dropped.
    public static func layout(words: [(String, Float)], width: Int, height: Int) -> [Placement] {
        let sorted = words.filter { !$0.0.isEmpty && $0.1.isFinite }.sorted { $0.1 > $1.1 }
        guard let hi = sorted.first?.1, let lo = sorted.last?.1, width > 0, height > 0 else { return [] }
        let (w, h) = (Double(width), Double(height))
        var placed: [Placement] = []
        for (word, score) in sorted {
            let t = hi > lo ? Double((score - lo) / (hi - lo)) : 1
            let size = 14 + 50 * t
            let (bw, bh) = box(word, size)
            var step = 0.0
            while step < 4000 {
                let angle = step * 0.35, radius = step * 1.2
                let x = w / 2 + radius * cos(angle) - bw / 2
                let y = h / 2 + radius * sin(angle) * 0.6 - bh / 2
                step += 1
                guard x >= 0, y >= 0, x + bw <= w, y + bh <= h else { continue }
                let overlaps = placed.contains { p in
                    x < p.x + p.width && p.x < x + bw && y < p.y + p.height && p.y < y + bh
                }
                if !overlaps {
                    placed.append(Placement(word: word, fontSize: size, x: x, y: y, width: bw, height: bh))
                    break
                }
            }
        }
        return placed
    }

    /// A standalone SVG document of the cloud, text XML-escaped.
    public static func svg(words: [(String, Float)], width: Int = defaultSize.width, height: Int = defaultSize.height) -> String {
        let palette = ["#1f77b4", "#d62728", "#2ca02c", "#9467bd", "#ff7f0e", "#17becf", "#8c564b"]
        var out = "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n"
        out += "<svg xmlns=\"http://www.w3.org/2000/svg\" width=\"\(width)\" height=\"\(height)\" viewBox=\"0 0 \(width) \(height)\">\n"
        out += "<rect width=\"100%\" height=\"100%\" fill=\"white\"/>\n"
        for (i, p) in layout(words: words, width: width, height: height).enumerated() {
            let baseline = p.y + p.height * 0.8
            out += "<text x=\"\(fmt(p.x + p.width / 2))\" y=\"\(fmt(baseline))\" font-family=\"sans-serif\" font-size=\"\(fmt(p.fontSize))\" "
            out += "text-anchor=\"middle\" fill=\"\(palette[i % palette.count])\">\(escapeXML(p.word))</text>\n"
        }
        return out + "</svg>\n"
    }

    /// `&`, `<`, `>`, `"` and `'` as entities; control characters XML 1.0 forbids are dropped.
    public static func escapeXML(_ s: String) -> String {
        var out = ""
        for u in s.unicodeScalars {
            switch u {
            case "&": out += "&amp;"
            case "<": out += "&lt;"
            case ">": out += "&gt;"
            case "\"": out += "&quot;"
            case "'": out += "&apos;"
            default:
                if u.value < 0x20, u != "\t", u != "\n", u != "\r" { continue }
                if u.value == 0xFFFE || u.value == 0xFFFF { continue }
                out.unicodeScalars.append(u)
            }
        }
        return out
    }

    static func fmt(_ d: Double) -> String { String(Double((d * 10).rounded()) / 10) }
}
