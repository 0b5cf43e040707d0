import ArcaRegistry
import ArgumentParser

struct List: ParsableCommand {
    static let configuration = CommandConfiguration(abstract: "List the models in the local store.")

    @OptionGroup var options: StoreOptions
    @Flag(help: "Print JSON.") var json = false

    struct Row: Encodable {
        var reference: String
        var digest: String
        var storedBytes: Int64?
        var task: String?
    }

    func run() throws {
        let store = try options.open()
        let rows = try store.list().map { entry in
            let manifest = try? store.manifest(at: entry.manifest)
            let task = manifest.flatMap { try? store.config(of: $0) }?.task.rawValue
            let stored = manifest.map { m in m.layers.reduce(m.config.size + entry.manifest.size) { $0 + $1.size } }
            return Row(reference: entry.reference.description, digest: entry.manifest.digest.description, storedBytes: stored, task: task)
        }
        if json { return try JSONOutput.print(rows) }
        let width = max(9, rows.map(\.reference.count).max() ?? 0)
        print("REFERENCE".padding(toLength: width, withPad: " ", startingAt: 0) + "  TASK                 DIGEST               SIZE")
        for r in rows {
            let task = (r.task ?? "(unreadable)").padding(toLength: 20, withPad: " ", startingAt: 0)
            let digest = String(r.digest.dropFirst(7).prefix(12)).padding(toLength: 20, withPad: " ", startingAt: 0)
            print(r.reference.padding(toLength: width, withPad: " ", startingAt: 0) + "  " + task + " " + digest + " " + (r.storedBytes.map(ByteCount.text) ?? "?"))
        }
    }
}
