import Foundation

/// What ``DistributionClient/push(_:from:to:progress:)`` did.
public struct PushReport: Sendable {
    public var manifest: Digest
    /// Blobs sent, in manifest order.
    public var uploaded: [Digest]
    /// Blobs the registry already had.
    public var skipped: [Digest]
    /// Bytes of the blobs sent (the manifest not counted).
    public var bytesUploaded: Int64
}

extension DistributionClient {
    /// Pushes the store's `reference` (`name:tag`) to `remote`: every blob the registry lacks (chunked,
    /// resumable upload), then the manifest, byte for byte as stored, under the remote tag.
    public func push(
        _ reference: String, from store: ModelStore, to remote: RemoteReference,
        progress: (TransferProgress) -> Void = { _ in }
    ) async throws(RegistryError) -> PushReport {
        let descriptor = try storeStep { () throws(StoreError) in try store.resolve(reference) }
        let manifest = try storeStep { () throws(StoreError) in try store.manifest(at: descriptor) }
        let manifestBytes = try storeStep { () throws(StoreError) in try store.readBlob(descriptor.digest, expectedSize: descriptor.size) }
        let scope = "repository:\(remote.repository):pull,push"
        try await probe(scope: scope)

        var seen = Set<Digest>()
        let blobs = ([manifest.config] + manifest.layers).filter { seen.insert($0.digest).inserted }
        let total = blobs.reduce(Int64(manifestBytes.count)) { $0 + $1.size }
        var report = PushReport(manifest: descriptor.digest, uploaded: [], skipped: [], bytesUploaded: 0)
        var done: Int64 = 0
        for (i, blob) in blobs.enumerated() {
            let step = "blob \(i + 1)/\(blobs.count)"
            progress(TransferProgress(step: step, completedBytes: done, totalBytes: total))
            if try await blobExists(blob, repository: remote.repository, scope: scope) {
                report.skipped.append(blob.digest)
            } else {
                let bytes = try storeStep { () throws(StoreError) in try store.readBlob(blob.digest, expectedSize: blob.size) }
                let start = done
                try await upload(bytes, digest: blob.digest, repository: remote.repository, scope: scope) { sent in
                    progress(TransferProgress(step: step, completedBytes: start + sent, totalBytes: total))
                }
                report.uploaded.append(blob.digest)
                report.bytesUploaded += blob.size
            }
            done += blob.size
        }
        progress(TransferProgress(step: "manifest", completedBytes: done, totalBytes: total))
        let url = "\(base)/v2/\(remote.repository)/manifests/\(remote.tag)"
        let put = RegistryHTTPRequest(method: "PUT", url: url, headers: [(name: "Content-Type", value: MediaType.imageManifest)], body: manifestBytes)
        let (r, _) = try await send(put, scope: scope, maxBodyBytes: 1 << 20)
        guard r.status == 201 || r.status == 200 else { throw failure("PUT manifest \(remote)", r) }
        if let echoed = r.header("Docker-Content-Digest"), let d = Digest(echoed), d != descriptor.digest {
            throw .digestMismatch(expected: descriptor.digest, actual: d)
        }
        progress(TransferProgress(step: "done", completedBytes: total, totalBytes: total))
        return report
    }

    /// `HEAD /v2/<repo>/blobs/<digest>`: true if the registry holds the blob with the expected size.
    func blobExists(_ blob: Descriptor, repository: String, scope: String) async throws(RegistryError) -> Bool {
        let req = RegistryHTTPRequest(method: "HEAD", url: "\(base)/v2/\(repository)/blobs/\(blob.digest)")
        let (r, _) = try await send(req, scope: scope, maxBodyBytes: 0)
        if r.status == 404 { return false }
        guard r.isSuccess else { throw failure("HEAD blob \(blob.digest)", r) }
        if let text = r.header("Content-Length"), let n = Int64(text), n != blob.size { return false }
        return true
    }

    /// Uploads one blob: `POST` to open a session, `PATCH` per chunk with `Content-Range`, `PUT ?digest=`.
    ///
    /// A failed chunk is retried from the offset the registry reports for the session (`GET <location>`,
    /// `Range: 0-<last>`); if the session is gone, a new one starts from zero. Gives up after 3 attempts.
    func upload(
        _ bytes: [UInt8], digest: Digest, repository: String, scope: String, sent: (Int64) -> Void
    ) async throws(RegistryError) {
        var attempts = 0
        var location = try await startUpload(repository: repository, scope: scope)
        var offset = 0
        while offset < bytes.count {
            let end = min(offset + chunkSize, bytes.count)
            let req = RegistryHTTPRequest(
                method: "PATCH", url: location,
                headers: [(name: "Content-Type", value: "application/octet-stream"), (name: "Content-Range", value: "\(offset)-\(end - 1)")],
                body: Array(bytes[offset..<end]))
            var failed: RegistryError
            do throws(RegistryError) {
                let (r, _) = try await send(req, scope: scope, maxBodyBytes: 1 << 20)
                if r.status == 202 || r.status == 204, let next = r.header("Location") {
                    location = absolute(next)
                    offset = end
                    sent(Int64(offset))
                    continue
                }
                failed = failure("PATCH blob \(digest)", r)
            } catch {
                failed = error
            }
            if case .unauthorized = failed { throw failed }
            attempts += 1
            guard attempts < 3 else { throw failed }
            if let status = try? await uploadStatus(location, scope: scope), status.offset <= bytes.count {
                (location, offset) = status
            } else {
                (location, offset) = (try await startUpload(repository: repository, scope: scope), 0)
            }
        }
        let separator = location.contains("?") ? "&" : "?"
        let finish = RegistryHTTPRequest(method: "PUT", url: location + separator + "digest=" + DistributionClient.formEncode(digest.description),
                                         headers: [(name: "Content-Type", value: "application/octet-stream")])
        let (r, _) = try await send(finish, scope: scope, maxBodyBytes: 1 << 20)
        guard r.status == 201 || r.status == 204 else { throw failure("PUT blob \(digest)", r) }
        if let echoed = r.header("Docker-Content-Digest"), let d = Digest(echoed), d != digest {
            throw .digestMismatch(expected: digest, actual: d)
        }
    }

    /// `POST /v2/<repo>/blobs/uploads/`: the new session's absolute location.
    func startUpload(repository: String, scope: String) async throws(RegistryError) -> String {
        let req = RegistryHTTPRequest(method: "POST", url: "\(base)/v2/\(repository)/blobs/uploads/")
        let (r, _) = try await send(req, scope: scope, maxBodyBytes: 1 << 20)
        guard r.status == 202, let location = r.header("Location") else { throw failure("POST blob upload to \(repository)", r) }
        return absolute(location)
    }

    /// `GET <location>` of an upload session: its location and how many bytes the registry holds.
    func uploadStatus(_ location: String, scope: String) async throws(RegistryError) -> (location: String, offset: Int) {
        let (r, _) = try await send(RegistryHTTPRequest(method: "GET", url: location), scope: scope, maxBodyBytes: 1 << 20)
        guard r.status == 204 || r.status == 202 else { throw failure("GET upload status", r) }
        let next = r.header("Location").map(absolute) ?? location
        guard let range = r.header("Range") else { return (next, 0) }
        let parts = range.replacingOccurrences(of: "bytes=", with: "").split(separator: "-")
        guard parts.count == 2, let last = Int(parts[1]), last >= 0 else { throw .protocolViolation("upload status Range \"\(range.prefix(64))\"") }
        // `0-0` is ambiguous (distribution reports it for 0 and 1 bytes): restart the chunk from zero then.
        return (next, last == 0 ? 0 : last + 1)
    }
}
