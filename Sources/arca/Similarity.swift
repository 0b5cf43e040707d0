import ArgumentParser
import ArcaTasks

struct Similarity: ParsableCommand {
    static let configuration = CommandConfiguration(abstract: "Cosine similarity of two texts' embeddings.")

    @Argument(help: "First text.") var a: String
    @Argument(help: "Second text.") var b: String
    @OptionGroup var embedder: EmbedderOptions
    @Flag(help: "Print a JSON object.") var json = false

    func run() throws {
        let (model, _) = try embedder.load()
        let s = try TextTasks.similarity(a, b) { try model.embed($0).embeddings }
        print(json ? try CLIJSON.line(["similarity": s]) : String(format: "%.4f", Double(s)))
    }
}
