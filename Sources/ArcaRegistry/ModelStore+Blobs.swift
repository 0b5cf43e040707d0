/// A problem ``ModelStore/verify()`` found.
public enum VerifyProblem: Sendable, Hashable, CustomStringConvertible {
    case digestMismatch(expected: Digest, actual: Digest)
    case missingBlob(Digest, referencedBy: String)
    case sizeMismatch(Digest, expected: Int64, actual: Int64)
    case strayFile(String)
    case unreadable(String, reason: String)

    public var description: String {
        switch self {
        case .digestMismatch(let e, let a): "blob \(e) is corrupt: content hashes to \(a)"
        case .missingBlob(let d, let by): "blob \(d) referenced by \(by) is missing"
        case .sizeMismatch(let d, let e, let a): "blob \(d) has \(a) bytes, \(e) expected"
        case .strayFile(let n): "unexpected file blobs/sha256/\(n)"
        case .unreadable(let what, let r): "\(what): \(r)"
        }
    }
}

/// What ``ModelStore/verify()`` checked and found.
public struct VerifyReport: Sendable {
    public var blobsChecked: Int
    public var problems: [VerifyProblem]
    public var isClean: Bool { problems.isEmpty }
}

/// What ``ModelStore/gc()`` deleted.
public struct GCReport: Sendable {
    public var removed: [Digest]
    public var bytesFreed: Int64
}

extension ModelStore {
    /// The blob's bytes, only after its size and SHA-256 match.
    ///
    /// Throws `.sizeMismatch` before reading if the file has the wrong size and `.digestMismatch` naming the
    /// digest if the content does not hash to it; a corrupt blob's bytes are never returned.
    public func readBlob(_ digest: Digest, expectedSize: Int64) throws(StoreError) -> [UInt8] {
        guard expectedSize >= 0, expectedSize <= Self.maxBlobSize else {
            throw .tooLarge(what: "blob \(digest)", size: expectedSize, limit: Self.maxBlobSize)
        }
        let path = blobPath(digest)
        guard let size = try FileIO.size(of: path) else { throw .blobMissing(digest) }
        guard size == expectedSize else { throw .sizeMismatch(digest: digest, expected: expectedSize, actual: size) }
        var hasher = SHA256()
        guard let bytes = try FileIO.read(path, limit: expectedSize, what: "blob \(digest)", chunk: { hasher.update($0) }) else {
            throw .blobMissing(digest)
        }
        guard bytes.count == expectedSize else { throw .sizeMismatch(digest: digest, expected: expectedSize, actual: Int64(bytes.count)) }
        let actual = Digest(sha256: hasher.finalize())
        guard actual == digest else { throw .digestMismatch(expected: digest, actual: actual) }
        return bytes
    }

    /// Writes a blob unless an intact copy exists; returns its digest. Caller holds the lock.
    func writeBlob(_ bytes: [UInt8]) throws(StoreError) -> Digest {
        let digest = Digest(of: bytes)
        if (try? readBlob(digest, expectedSize: Int64(bytes.count))) != nil { return digest }
        try FileIO.writeAtomically(bytes, to: blobPath(digest))
        return digest
    }

    /// Deletes blobs no manifest in the index references, and leftover temporary files.
    ///
    /// Throws without deleting anything if a referenced manifest cannot be read.
    @discardableResult
    public func gc() throws(StoreError) -> GCReport {
        let held = try lock()
        defer { held.unlock() }
        var live = Set<Digest>()
        for d in try readIndex().manifests {
            live.insert(d.digest)
            let m = try manifest(at: d)
            live.insert(m.config.digest)
            for layer in m.layers { live.insert(layer.digest) }
        }
        var report = GCReport(removed: [], bytesFreed: 0)
        for name in try FileIO.list(blobDirectory) {
            let path = blobDirectory + "/" + name
            if let d = Digest(hex: name), live.contains(d) { continue }
            guard name.hasPrefix(".tmp-") || Digest(hex: name) != nil else { continue }
            let size = (try? FileIO.size(of: path)) ?? nil
            try FileIO.remove(path)
            if let d = Digest(hex: name) { report.removed.append(d) }
            report.bytesFreed += size ?? 0
        }
        for name in try FileIO.list(root) where name.hasPrefix(".tmp-") { try FileIO.remove(root + "/" + name) }
        try FileIO.syncDirectory(blobDirectory)
        return report
    }

    /// Re-hashes every blob and checks that everything the index references exists with the recorded size.
    public func verify() throws(StoreError) -> VerifyReport {
        let held = try lock()
        defer { held.unlock() }
        var report = VerifyReport(blobsChecked: 0, problems: [])
        var sizes: [Digest: Int64] = [:]
        for name in try FileIO.list(blobDirectory) {
            guard let expected = Digest(hex: name) else {
                if !name.hasPrefix(".tmp-") { report.problems.append(.strayFile(name)) }
                continue
            }
            var hasher = SHA256()
            guard let bytes = try FileIO.read(blobDirectory + "/" + name, limit: Self.maxBlobSize, what: "blob \(expected)",
                                              chunk: { hasher.update($0) }) else { continue }
            report.blobsChecked += 1
            sizes[expected] = Int64(bytes.count)
            let actual = Digest(sha256: hasher.finalize())
            if actual != expected { report.problems.append(.digestMismatch(expected: expected, actual: actual)) }
        }
        let index: ImageIndex
        do { index = try readIndex() } catch {
            report.problems.append(.unreadable("index.json", reason: error.description))
            return report
        }
        func check(_ d: Descriptor, _ by: String) -> Bool {
            guard let size = sizes[d.digest] else {
                report.problems.append(.missingBlob(d.digest, referencedBy: by))
                return false
            }
            if size != d.size { report.problems.append(.sizeMismatch(d.digest, expected: d.size, actual: size)) }
            return size == d.size
        }
        for d in index.manifests {
            let ref = d.annotations?[Annotation.refName] ?? d.digest.description
            guard check(d, "index.json (\(ref))") else { continue }
            if report.problems.contains(where: { if case .digestMismatch(let e, _) = $0 { e == d.digest } else { false } }) { continue }
            do {
                let m = try manifest(at: d)
                _ = check(m.config, "\(ref) config")
                for layer in m.layers { _ = check(layer, "\(ref) layer") }
            } catch {
                report.problems.append(.unreadable("manifest of \(ref)", reason: error.description))
            }
        }
        return report
    }
}
