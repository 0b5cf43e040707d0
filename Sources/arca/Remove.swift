import ArcaRegistry
import ArgumentParser

struct Remove: ParsableCommand {
    static let configuration = CommandConfiguration(commandName: "rm", abstract: "Remove a model from the store index (blobs go at the next gc).")

    @OptionGroup var options: StoreOptions
    @Argument(help: "NAME:TAG") var reference: String

    func run() throws {
        try options.open().remove(reference)
        print("removed \(reference)")
    }
}
