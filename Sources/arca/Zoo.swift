import ArcaRegistry
import ArcaZoo
import ArgumentParser
import Foundation

struct Zoo: ParsableCommand {
    static let configuration = CommandConfiguration(abstract: "The default zoo.", subcommands: [ZooInstall.self])
}

struct ZooInstall: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "install",
        abstract: "Fetch the pinned sources and publish every catalog variant into the store.")

    @OptionGroup var store: StoreOptions
    @Flag(help: "Publish again even if the store already holds a variant.") var force = false

    func run() throws {
        let s = try store.open()
        let catalog = try ZooCatalog.bundled()
        let bar = ProgressBar()
        let done = try ZooStore.install(catalog: catalog, store: s, force: force, progress: { ref, p in
            bar.update(label: ref, done: p.completedBytes, total: p.totalBytes)
        }, warn: { FileHandle.standardError.write(Data("warning: \($0)\n".utf8)) })
        bar.finish()
        let all = catalog.models.flatMap { m in m.variants.map { "\(m.name):\($0.tag)" } }
        for ref in all { print("\(done.contains(ref) ? "published" : "present  ")  \(ref)") }
    }
}

/// A one-line progress bar on standard error (redrawn in place on a terminal).
final class ProgressBar {
    private var last = ""
    private let tty = isatty(2) != 0

    func update(label: String, done: Int64, total: Int64) {
        let frac = total > 0 ? Double(done) / Double(total) : 0
        let width = 30
        let filled = Int(frac * Double(width))
        let line = "\(label) [" + String(repeating: "#", count: filled) + String(repeating: ".", count: width - filled)
            + "] " + String(format: "%3.0f%%", frac * 100)
        if line == last { return }
        last = line
        FileHandle.standardError.write(Data(((tty ? "\r" : "") + line + (tty ? "" : "\n")).utf8))
    }

    func finish() {
        if tty && !last.isEmpty { FileHandle.standardError.write(Data("\n".utf8)) }
    }
}
