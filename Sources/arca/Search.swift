import ArgumentParser
import ArcaTasks

struct Search: ParsableCommand {
    static let configuration = CommandConfiguration(abstract: "Semantic search: the corpus lines most similar to a query.")

    @Option(help: "A UTF-8 file with one document per line.") var corpus: String
    @Argument(help: "The query.") var query: String
    @Option(help: "Results to show.") var top: Int = 5
    @OptionGroup var embedder: EmbedderOptions
    @Flag(help: "Print a JSON object.") var json = false

    func validate() throws {
        guard top >= 1 else { throw ValidationError("--top must be at least 1") }
    }

    func run() throws {
        let docs = try CLIFiles.lines(corpus)
        guard !docs.isEmpty else { throw CLIError.invalid("\(corpus) has no non-empty lines") }
        let (model, _) = try embedder.load()
        let results = try TextTasks.search(query: query, corpus: docs, top: top) { try model.embed($0).embeddings }
        if json {
            print(try CLIJSON.line(["results": results]))
        } else {
            for r in results { print(String(format: "%.4f", Double(r.score)) + "\t\(r.index + 1)\t\(r.text)") }
        }
    }
}
