import ArcaRegistry
import ArgumentParser

struct Pull: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Pull a model from an OCI distribution registry into the store.",
        discussion: "The model is stored as the last component of the repository and the tag (127.0.0.1:5000/zoo/face-detection:short-range becomes face-detection:short-range) unless --as says otherwise.")

    @Argument(help: "The source, HOST[:PORT]/REPOSITORY[:TAG].") var source: String
    @Option(name: .customLong("as"), help: "Store it as NAME:TAG.") var asReference: String?
    @OptionGroup var registry: RegistryOptions
    @OptionGroup var store: StoreOptions

    func run() async throws {
        let s = try store.open()
        let remote = try RemoteReference(parsing: source)
        let local = try asReference.map { try ModelReference(parsing: $0) }
        let bar = ProgressBar()
        let report = try await registry.withClient(for: remote) { client in
            try await client.pull(remote, into: s, as: local) { p in
                bar.update(label: "pull \(remote.repository):\(remote.tag)", done: p.completedBytes, total: p.totalBytes)
            }
        }
        bar.finish()
        print("pulled \(remote) as \(report.reference) \(report.manifest.digest): \(report.downloaded.count) blobs downloaded (\(ByteCount.text(report.bytesDownloaded))), \(report.present.count) already present")
    }
}
