#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// A blob arriving from a registry: written to a temporary file in the store's blob directory and hashed
/// as it arrives, refused as soon as it grows past its descriptor's size.
///
/// ``finish()`` fsyncs it and checks size and digest; only then may the store rename it into place.
/// Until then nothing in the store refers to it (and `gc` deletes leftovers by their `.tmp-` prefix).
final class BlobStaging {
    let expected: Descriptor
    let path: String
    private var fd: Int32
    private var hasher = SHA256()
    private(set) var written: Int64 = 0

    init(in directory: String, expected: Descriptor) throws(StoreError) {
        self.expected = expected
        path = directory + "/.tmp-pull-\(getpid())-\(UInt64.random(in: 0...UInt64.max))"
        fd = open(path, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0o644)
        guard fd >= 0 else { throw .io(operation: "create", path: path, errno: errno) }
    }

    func write(_ chunk: [UInt8]) throws(RegistryError) {
        guard written + Int64(chunk.count) <= expected.size else {
            throw .sizeMismatch(digest: expected.digest, expected: expected.size, actual: written + Int64(chunk.count))
        }
        let failure: Int32? = chunk.withUnsafeBytes { buf in
            hasher.update(buf)
            guard let base = buf.baseAddress else { return nil }
            var offset = 0
            while offset < buf.count {
                let n = Glibc.write(fd, base + offset, buf.count - offset)
                if n < 0 {
                    if errno == EINTR { continue }
                    return errno
                }
                offset += n
            }
            return nil
        }
        if let failure { throw .store(.io(operation: "write", path: path, errno: failure)) }
        written += Int64(chunk.count)
    }

    /// Syncs and closes the file; throws naming the digest if the content is short or hashes differently.
    func finish() throws(RegistryError) {
        guard fd >= 0 else { return }
        let synced = fsync(fd) == 0 ? nil : errno
        close(fd)
        fd = -1
        if let synced { throw .store(.io(operation: "fsync", path: path, errno: synced)) }
        guard written == expected.size else { throw .sizeMismatch(digest: expected.digest, expected: expected.size, actual: written) }
        let actual = Digest(sha256: hasher.finalize())
        guard actual == expected.digest else { throw .digestMismatch(expected: expected.digest, actual: actual) }
    }

    /// Closes and deletes the temporary file.
    func discard() {
        if fd >= 0 { close(fd); fd = -1 }
        unlink(path)
    }

    deinit { if fd >= 0 { close(fd) } }
}
