import ArcaRegistry
import ArgumentParser

struct Push: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Push a model from the store to an OCI distribution registry.",
        discussion: "Example: arca push face-detection:short-range 127.0.0.1:5000/zoo/face-detection:short-range")

    @Argument(help: "The local model, NAME:TAG.") var model: String
    @Argument(help: "The destination, HOST[:PORT]/REPOSITORY[:TAG].") var destination: String
    @OptionGroup var registry: RegistryOptions
    @OptionGroup var store: StoreOptions

    func run() async throws {
        let s = try store.open()
        let remote = try RemoteReference(parsing: destination)
        let bar = ProgressBar()
        let report = try await registry.withClient(for: remote) { client in
            try await client.push(model, from: s, to: remote) { p in
                bar.update(label: "push \(model)", done: p.completedBytes, total: p.totalBytes)
            }
        }
        bar.finish()
        print("pushed \(model) to \(remote) \(report.manifest): \(report.uploaded.count) blobs uploaded (\(ByteCount.text(report.bytesUploaded))), \(report.skipped.count) already there")
    }
}
