import ArgumentParser

@main
struct Arca: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "arca",
        abstract: "A model zoo and pretrained-model runtime.",
        subcommands: [Bench.self, Serve.self, Publish.self, Zoo.self, List.self, Inspect.self, Remove.self, GC.self, Verify.self, PublishTestBlob.self]
    )
}
