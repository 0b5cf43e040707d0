import ArgumentParser

struct Bench: ParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Measure kernels and models.",
        subcommands: [BenchGEMM.self, BenchOps.self, BenchModel.self, BenchEmbed.self, BenchLoad.self]
    )
}
