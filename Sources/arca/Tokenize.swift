import ArgumentParser
import ArcaTasks

struct Tokenize: ParsableCommand {
    static let configuration = CommandConfiguration(abstract: "WordPiece token ids of texts, [CLS] and [SEP] included.")

    @OptionGroup var source: TextSource
    @OptionGroup var embedder: EmbedderOptions
    @Flag(help: "Print {\"ids\": [[...], ...]}.") var json = false

    func run() throws {
        let texts = try source.load()
        let (model, _) = try embedder.load()
        let ids = texts.map { model.tokenizer.encode($0).map(Int.init) }
        if json {
            print(try CLIJSON.line(["ids": ids]))
            return
        }
        for row in ids {
            let tokens = row.map { model.tokenizer.vocabulary.token(for: Int32($0)) ?? "?" }
            print(row.map(String.init).joined(separator: " ") + "\t" + tokens.joined(separator: " "))
        }
    }
}
