import ArgumentParser
import ArcaTasks

struct Classify: ParsableCommand {
    static let configuration = CommandConfiguration(abstract: "Zero-shot classification: labels ranked by similarity to the text.")

    @Option(help: "Comma-separated labels, e.g. \"sports,politics,science\".") var labels: String
    @Argument(help: "The text.") var text: String
    @OptionGroup var embedder: EmbedderOptions
    @Flag(help: "Print a JSON object.") var json = false

    struct Report: Encodable {
        struct Score: Encodable { var label: String; var score: Float }
        var label: String
        var scores: [Score]
    }

    func run() throws {
        let list = labels.split(separator: ",").map { $0.trimmingCharacters(in: .whitespaces) }.filter { !$0.isEmpty }
        guard !list.isEmpty else { throw CLIError.invalid("--labels has no labels") }
        guard Set(list).count == list.count else { throw CLIError.invalid("--labels has duplicates") }
        let (model, _) = try embedder.load()
        let ranked = try TextTasks.classify(text, labels: list) { try model.embed($0).embeddings }
        if json {
            print(try CLIJSON.line(Report(label: ranked[0].text, scores: ranked.map { .init(label: $0.text, score: $0.score) })))
        } else {
            for r in ranked { print(String(format: "%.4f", Double(r.score)) + "\t\(r.text)") }
        }
    }
}
