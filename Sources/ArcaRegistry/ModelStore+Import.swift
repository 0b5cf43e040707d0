#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

extension ModelStore {
    /// Adopts verified staged blobs, stores the manifest and points `reference` at it, under the store lock.
    ///
    /// Staged files are renamed into `blobs/sha256` (an intact copy already there is kept), the directory is
    /// fsynced, then the manifest blob is written and `index.json` replaced last, so a crash leaves the old
    /// or the new state. The manifest must already be validated by the caller.
    func commitImport(
        reference: ModelReference, manifestBytes: [UInt8], staged: [BlobStaging]
    ) throws(StoreError) -> Descriptor {
        let held = try lock()
        defer { held.unlock() }
        for blob in staged {
            let target = blobPath(blob.expected.digest)
            if (try? readBlob(blob.expected.digest, expectedSize: blob.expected.size)) != nil {
                try FileIO.remove(blob.path)
                continue
            }
            guard rename(blob.path, target) == 0 else { throw .io(operation: "rename", path: target, errno: errno) }
        }
        try FileIO.syncDirectory(blobDirectory)
        let digest = try writeBlob(manifestBytes)
        let descriptor = Descriptor(
            mediaType: MediaType.imageManifest, digest: digest, size: Int64(manifestBytes.count), artifactType: MediaType.model,
            annotations: [Annotation.refName: reference.description, Annotation.model: reference.name, Annotation.variant: reference.tag])
        var index = try readIndex()
        index.manifests.removeAll { $0.annotations?[Annotation.refName] == reference.description }
        index.manifests.append(descriptor)
        try writeIndex(index)
        return descriptor
    }

    /// True if the store holds an intact copy of the blob.
    func hasBlob(_ d: Descriptor) -> Bool {
        (try? readBlob(d.digest, expectedSize: d.size)) != nil
    }

    /// Decodes and validates a manifest from outside the store (as ``manifest(at:)`` does for stored ones).
    static func decodeManifest(_ bytes: [UInt8], what: String) throws(StoreError) -> ImageManifest {
        let m = try BoundedJSON.decode(ImageManifest.self, from: bytes, what: what)
        try BoundedJSON.validate(m)
        return m
    }
}
