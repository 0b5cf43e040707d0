import ArcaRegistry
import ArcaZoo
import ArgumentParser
import Foundation

struct Inspect: ParsableCommand {
    static let configuration = CommandConfiguration(abstract: "Show a model's manifest and config.")

    @OptionGroup var options: StoreOptions
    @Argument(help: "NAME:TAG") var reference: String
    @Flag(help: "Print JSON.") var json = false

    struct Output: Encodable {
        var reference: String
        var descriptor: Descriptor
        var manifest: ImageManifest
        var config: ModelConfig
    }

    func run() throws {
        let store = try options.open()
        let descriptor = try store.resolve(reference)
        let manifest = try store.manifest(at: descriptor)
        let config = try store.config(of: manifest)
        if json { return try JSONOutput.print(Output(reference: reference, descriptor: descriptor, manifest: manifest, config: config)) }
        print("\(reference)  \(descriptor.digest)")
        print("task: \(config.task.rawValue)  licence: \(config.licence.isEmpty ? "-" : config.licence)")
        for (label, specs) in [("input", config.inputs), ("output", config.outputs)] {
            for s in specs { print("\(label): \(s.name) \(s.dtype) \(s.shape)") }
        }
        if let f = config.facts {
            print("facts: dtype \(f.dtype), \(f.accuracyMetric.isEmpty ? "accuracy" : f.accuracyMetric) \(f.expectedAccuracy)")
            for l in f.latency { print("  latency threads=\(l.threads) batch=\(l.batch) seq=\(l.seq): \(l.medianMs) ms") }
        }
        if let entry = ZooStore.catalogEntry(config), let facts = entry.facts {
            for key in ["staticQuantization", "calibrationAgreement"] { if let v = facts[key]?.string { print("\(key): \(v)") } }
            if let recipe = facts["staticInt8Recipe"] {
                let encoder = JSONEncoder()
                encoder.outputFormatting = [.sortedKeys]
                print("staticInt8Recipe: \(String(decoding: try encoder.encode(recipe), as: UTF8.self))")
            }
        }
        if let s = config.source { print("source: \(s.package) \(s.version) \(s.memberPath) \(s.uri)") }
        print("config: \(manifest.config.digest) \(ByteCount.text(manifest.config.size))")
        for layer in manifest.layers {
            let raw = layer.annotations?[Annotation.uncompressedSize].flatMap { Int64($0) }
            print("layer: \(layer.mediaType) \(layer.digest) \(ByteCount.text(layer.size))" + (raw.map { " (\(ByteCount.text($0)) decoded)" } ?? ""))
        }
    }
}
