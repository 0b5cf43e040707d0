import ArgumentParser

@main
struct Arca: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "arca",
        abstract: "A model zoo and pretrained-model runtime.",
        subcommands: [Bench.self, List.self, Inspect.self, Remove.self, GC.self, Verify.self, PublishTestBlob.self]
    )
}
