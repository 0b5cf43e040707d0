import ArcaTensor
import ArcaRegistry
import ArgumentParser

/// Publishes synthetic models in a loop; the store's crash-consistency test kills it at random points.
struct PublishTestBlob: ParsableCommand {
    static let configuration = CommandConfiguration(commandName: "publish-test-blob", shouldDisplay: false)

    @OptionGroup var options: StoreOptions
    @Option var count: Int = 1
    @Option var bytes: Int = 1 << 20
    @Option var seed: UInt64 = 1

    func run() throws {
        let store = try options.open()
        var rng = SplitMix64(seed: seed)
        for i in 0..<count {
            let floats = (0..<(max(bytes, 4) / 4)).map { _ in (rng.nextFloat() - 0.5) * 0.1 }
            let raw = floats.flatMap { f in withUnsafeBytes(of: f.bitPattern.littleEndian) { Array($0) } }
            let graph = (0..<1024).map { _ in UInt8(truncatingIfNeeded: rng.next()) }
            let variant = "v\(i % 4)"
            var config = ModelConfig(name: "crash", variant: variant, task: .generic)
            config.createdBy = "publish-test-blob seed \(seed) iteration \(i)"
            try store.publish(name: "crash", variant: variant, config: config,
                              layers: [.graph(graph), try .weights(raw, dtype: .float32, level: 1)])
            print("published \(i)")
        }
    }
}
