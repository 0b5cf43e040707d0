import ArgumentParser
import ArcaTasks

struct KeywordsCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "keywords",
        abstract: "KeyBERT-style keywords: 1–2 word phrases most similar to the text, diversified with MMR."
    )

    @Argument(help: "The text (or use --file).") var text: String?
    @Option(help: "A UTF-8 text file (the whole file is one document).") var file: String?
    @Option(help: "Keywords to return.") var top: Int = 5
    @Option(help: "MMR diversity in 0...1.") var diversity: Float = 0.5
    @Option(help: "Write an SVG word cloud of the keywords.") var cloud: String?
    @OptionGroup var embedder: EmbedderOptions
    @Flag(help: "Print a JSON object.") var json = false

    func validate() throws {
        guard top >= 1, top <= Keywords.maxCandidates else { throw ValidationError("--top must be in 1...\(Keywords.maxCandidates)") }
        guard diversity.isFinite, diversity >= 0, diversity <= 1 else { throw ValidationError("--diversity must be in 0...1") }
        guard (text == nil) != (file == nil) else { throw ValidationError("give either TEXT or --file FILE") }
    }

    func run() throws {
        let document = try file.map(CLIFiles.text) ?? text ?? ""
        let (model, _) = try embedder.load()
        let keywords = try Keywords.extract(from: document, top: top, diversity: diversity) { try model.embed($0).embeddings }
        if let cloud {
            let svg = WordCloud.svg(words: keywords.map { ($0.keyword, $0.score) })
            try CLIFiles.write(Array(svg.utf8), to: cloud)
        }
        if json {
            print(try CLIJSON.line(["keywords": keywords]))
        } else if keywords.isEmpty {
            print("no keyword candidates (the text has only stop words or one-letter words)")
        } else {
            for k in keywords { print(String(format: "%.4f", Double(k.score)) + "\t\(k.keyword)") }
        }
    }
}
