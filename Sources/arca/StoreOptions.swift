import ArcaRegistry
import ArgumentParser
import Foundation

/// `--store`, shared by the commands that work on the local model store.
struct StoreOptions: ParsableArguments {
    @Option(help: "Store directory (default: $ARCA_HOME, else ~/.arca).") var store: String?

    func open() throws -> ModelStore { try ModelStore(root: store) }
}

enum JSONOutput {
    /// Prints `value` as sorted-key JSON on stdout.
    static func print<T: Encodable>(_ value: T) throws {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys, .withoutEscapingSlashes, .prettyPrinted]
        Swift.print(String(decoding: try encoder.encode(value), as: UTF8.self))
    }
}

enum ByteCount {
    static func text(_ n: Int64) -> String {
        let units = ["B", "KB", "MB", "GB", "TB"]
        var v = Double(n), i = 0
        while v >= 1000 && i < units.count - 1 { v /= 1000; i += 1 }
        return i == 0 ? "\(n) B" : String(format: "%.1f %@", v, units[i])
    }
}
