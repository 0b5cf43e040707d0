import ArcaRegistry
import ArgumentParser

struct GC: ParsableCommand {
    static let configuration = CommandConfiguration(commandName: "gc", abstract: "Delete blobs no model references.")

    @OptionGroup var options: StoreOptions

    func run() throws {
        let report = try options.open().gc()
        print("removed \(report.removed.count) blobs, freed \(ByteCount.text(report.bytesFreed))")
    }
}
