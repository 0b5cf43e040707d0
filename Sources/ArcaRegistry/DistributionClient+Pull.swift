/// What ``DistributionClient/pull(_:into:as:progress:)`` did.
public struct PullReport: Sendable {
    /// The local `name:tag` now pointing at the pulled manifest.
    public var reference: ModelReference
    public var manifest: Descriptor
    /// Blobs fetched, in manifest order.
    public var downloaded: [Digest]
    /// Blobs the store already held intact.
    public var present: [Digest]
    public var bytesDownloaded: Int64
}

extension DistributionClient {
    /// Pulls `remote` into `store` as `reference` (default: the repository's last component and the tag).
    ///
    /// Nothing from the registry is trusted: the manifest is capped at ``maxManifestSize``, checked against
    /// `Docker-Content-Digest` when the registry sends one, and validated as an Arca model; every blob is
    /// streamed to a temporary file, cut off past its descriptor's size and checked for size and digest.
    /// The store changes only after everything checks out, through its atomic path; on any error it is unchanged.
    public func pull(
        _ remote: RemoteReference, into store: ModelStore, as reference: ModelReference? = nil,
        progress: (TransferProgress) -> Void = { _ in }
    ) async throws(RegistryError) -> PullReport {
        let local: ModelReference
        if let reference { local = reference } else {
            do { local = try ModelReference(name: remote.lastComponent, tag: remote.tag) } catch {
                throw .invalidReference(remote.description, reason: "\(remote.lastComponent):\(remote.tag) is not a valid local name (use --as NAME:TAG)")
            }
        }
        let scope = "repository:\(remote.repository):pull"
        try await probe(scope: scope)
        let (manifestBytes, manifest) = try await fetchManifest(remote, scope: scope)

        var seen = Set<Digest>()
        let blobs = ([manifest.config] + manifest.layers).filter { seen.insert($0.digest).inserted }
        for b in blobs where b.size > maxBlobSize {
            throw .tooLarge(what: "blob \(b.digest) in the manifest", size: b.size, limit: maxBlobSize)
        }
        let configLimit = Int64(ModelConfig.Limits.maxSerializedSize)
        guard manifest.config.size <= configLimit else { throw .tooLarge(what: "config \(manifest.config.digest)", size: manifest.config.size, limit: configLimit) }
        let total = blobs.reduce(0) { $0 + $1.size }
        var report = PullReport(reference: local, manifest: Descriptor(mediaType: MediaType.imageManifest, digest: Digest(of: manifestBytes), size: Int64(manifestBytes.count)),
                                downloaded: [], present: [], bytesDownloaded: 0)
        var staged: [BlobStaging] = []
        var committed = false
        defer { if !committed { for s in staged { s.discard() } } }
        var done: Int64 = 0
        for (i, blob) in blobs.enumerated() {
            let step = "blob \(i + 1)/\(blobs.count)"
            progress(TransferProgress(step: step, completedBytes: done, totalBytes: total))
            if store.hasBlob(blob) {
                report.present.append(blob.digest)
            } else {
                let staging = try storeStep { () throws(StoreError) in try BlobStaging(in: store.blobDirectory, expected: blob) }
                staged.append(staging)
                let start = done
                try await fetchBlob(blob, repository: remote.repository, scope: scope, into: staging) { got in
                    progress(TransferProgress(step: step, completedBytes: start + got, totalBytes: total))
                }
                report.downloaded.append(blob.digest)
                report.bytesDownloaded += blob.size
            }
            done += blob.size
        }
        try checkConfig(manifest.config, store: store, staged: staged)
        progress(TransferProgress(step: "index", completedBytes: total, totalBytes: total))
        report.manifest = try storeStep { () throws(StoreError) in
            try store.commitImport(reference: local, manifestBytes: manifestBytes, staged: staged)
        }
        committed = true
        progress(TransferProgress(step: "done", completedBytes: total, totalBytes: total))
        return report
    }

    /// `GET /v2/<repo>/manifests/<tag>`: the manifest's bytes, digest-checked and validated.
    func fetchManifest(_ remote: RemoteReference, scope: String) async throws(RegistryError) -> ([UInt8], ImageManifest) {
        let req = RegistryHTTPRequest(method: "GET", url: "\(base)/v2/\(remote.repository)/manifests/\(remote.tag)",
                                      headers: [(name: "Accept", value: MediaType.imageManifest)])
        var bytes: [UInt8] = []
        let (r, _) = try await send(req, scope: scope, maxBodyBytes: Self.maxManifestSize) { chunk throws(RegistryError) in bytes += chunk }
        if r.status == 404 { throw .manifestUnknown(remote.description) }
        guard r.isSuccess else { throw failure("GET manifest \(remote)", r) }
        let actual = Digest(of: bytes)
        if let header = r.header("Docker-Content-Digest") {
            guard let claimed = Digest(header) else { throw .protocolViolation("Docker-Content-Digest \"\(header.prefix(80))\" is not a sha256 digest") }
            guard claimed == actual else { throw .digestMismatch(expected: claimed, actual: actual) }
        }
        let manifest = try storeStep { () throws(StoreError) in try ModelStore.decodeManifest(bytes, what: "manifest of \(remote)") }
        return (bytes, manifest)
    }

    /// `GET /v2/<repo>/blobs/<digest>` streamed into `staging`, then size- and digest-checked.
    func fetchBlob(
        _ blob: Descriptor, repository: String, scope: String, into staging: BlobStaging, received: (Int64) -> Void
    ) async throws(RegistryError) {
        let req = RegistryHTTPRequest(method: "GET", url: "\(base)/v2/\(repository)/blobs/\(blob.digest)")
        let r: RegistryHTTPResponse
        do throws(RegistryError) {
            (r, _) = try await send(req, scope: scope, maxBodyBytes: blob.size) { chunk throws(RegistryError) in
                try staging.write(chunk)
                received(staging.written)
            }
        } catch .tooLarge(_, let size, _) {
            throw .sizeMismatch(digest: blob.digest, expected: blob.size, actual: size)
        }
        if r.status == 404 { throw .blobUnknown(blob.digest) }
        guard r.isSuccess else { throw failure("GET blob \(blob.digest)", r) }
        try staging.finish()
    }

    /// The config must parse as an Arca model config before anything is committed.
    func checkConfig(_ config: Descriptor, store: ModelStore, staged: [BlobStaging]) throws(RegistryError) {
        let path = staged.first { $0.expected.digest == config.digest }?.path ?? store.blobPath(config.digest)
        let bytes = try storeStep { () throws(StoreError) -> [UInt8] in
            guard let b = try FileIO.read(path, limit: config.size, what: "config \(config.digest)") else { throw .blobMissing(config.digest) }
            return b
        }
        guard Digest(of: bytes) == config.digest else { throw .digestMismatch(expected: config.digest, actual: Digest(of: bytes)) }
        do { _ = try ModelConfig(serialized: bytes) } catch { throw .store(.config(error)) }
    }
}
