import ArgumentParser

@main
struct Arca: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "arca",
        abstract: "A model zoo and pretrained-model runtime.",
        subcommands: [Bench.self, Serve.self, Faces.self, Segment.self, Run.self, Embed.self, Tokenize.self, Similarity.self, Search.self, Classify.self, KeywordsCommand.self, Publish.self, Push.self, Pull.self, Zoo.self, List.self, Inspect.self, Remove.self, GC.self, Verify.self, PublishTestBlob.self]
    )
}
