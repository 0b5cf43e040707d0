import ArgumentParser

struct BenchOps: ParsableCommand {
    static let configuration = CommandConfiguration(commandName: "ops", abstract: "Time the kernels on BlazeFace and MiniLM shapes.")
    func run() throws {
        throw ValidationError("not built yet")
    }
}
