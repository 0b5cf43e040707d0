import ArcaRegistry
import ArcaZoo
import ArgumentParser

struct GC: ParsableCommand {
    static let configuration = CommandConfiguration(commandName: "gc", abstract: "Delete blobs no model references, and cached serving graphs of removed models.")

    @OptionGroup var options: StoreOptions

    func run() throws {
        let store = try options.open()
        let report = try store.gc()
        let cached = ServingGraphCache(store: store).prune(keeping: Set(try store.list().map(\.manifest.digest)))
        print("removed \(report.removed.count) blobs, freed \(ByteCount.text(report.bytesFreed)); removed \(cached) cached serving graphs")
    }
}
