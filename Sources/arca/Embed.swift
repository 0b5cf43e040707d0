import ArgumentParser
import ArcaTasks

struct Embed: ParsableCommand {
    static let configuration = CommandConfiguration(abstract: "Sentence embeddings of texts (unit length).")

    @OptionGroup var source: TextSource
    @OptionGroup var embedder: EmbedderOptions
    @Flag(help: "Print a JSON object with every vector.") var json = false

    struct Report: Encodable { var model: String; var variant: String; var embeddings: [[Float]] }

    func run() throws {
        let texts = try source.load()
        let (model, v) = try embedder.load()
        let (vectors, counts) = try model.embed(texts)
        if json {
            print(try CLIJSON.line(Report(model: "text-embedding", variant: v.tag, embeddings: vectors)))
            return
        }
        print("\(vectors.count) embedding\(vectors.count == 1 ? "" : "s"), dimension \(model.dimension) (text-embedding:\(v.tag))")
        for (i, e) in vectors.enumerated() {
            let head = e.prefix(5).map { String(format: "%+.4f", Double($0)) }.joined(separator: " ")
            print("\(i)\t\(counts[i]) tokens\t[\(head) …]")
        }
    }
}
