import ArcaIR
import ArcaRegistry
import ArcaTensor
import Foundation
#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// Graphs in the form a server runs them (after interning and weight packing), kept
/// uncompressed in `<store>/cache/serving/` so that a restart maps them instead of reading,
/// decompressing and packing the store's blobs again (as llama.cpp maps its weights).
///
/// A file is named by the variant's manifest digest and a hash of the transform that made
/// it (which includes the kernel layout it was packed for), so a new publish, a new pass or
/// another CPU's build never reads an old file. Constants borrow the mapping: only the
/// pages a kernel touches become resident (MiniLM's 47 MB word-embedding table is read a
/// few rows at a time), and they are clean page-cache pages the kernel may reclaim.
///
/// The file is hostile like any input: the header's sizes are checked against the file,
/// and the SHA-256 of everything after the header is checked (read through a small
/// buffer, so that checking does not make the mapping resident) before it is mapped. A
/// file that fails any check is deleted and the caller rebuilds from the store.
///
/// Layout: a 128-byte header, the graph JSON, zeros to a 4096-byte boundary, then the
/// weights blob exactly as ``ArcaIR/Graph/serializedLayout()`` places it.
public struct ServingGraphCache: Sendable {
    public let directory: String

    static let magic: [UInt8] = Array("ARCASG01".utf8)
    static let headerBytes = 128
    static let weightsAlignment = 4096

    public init(store: ModelStore) { directory = store.root + "/cache/serving" }

    public init(directory: String) { self.directory = directory }

    /// The file holding `manifest`'s graph after `transform`.
    public func path(manifest: Digest, transform: String) -> String {
        directory + "/" + Self.fileName(manifest: manifest, transform: transform)
    }

    static func fileName(manifest: Digest, transform: String) -> String {
        let t = SHA256.hash(Array(transform.utf8)).prefix(8).map { String(format: "%02x", $0) }.joined()
        return manifest.hex + "-" + t + ".graph"
    }

    /// The cached graph, its constants borrowing the mapped file; nil when there is none or
    /// it fails a check (the file is then deleted). Run `verify()` on the result.
    public func load(manifest: Digest, transform: String) -> Graph? {
        let p = path(manifest: manifest, transform: transform)
        guard access(p, F_OK) == 0 else { return nil }
        do {
            return try Self.read(p, key: Self.key(manifest, transform))
        } catch {
            unlink(p)
            return nil
        }
    }

    /// Writes `graph` for `manifest` after `transform` (temporary file, then rename).
    public func save(_ graph: Graph, manifest: Digest, transform: String) throws {
        try makeDirectories()
        let p = path(manifest: manifest, transform: transform)
        let temp = p + ".tmp-\(getpid())-\(UInt32.random(in: 0...UInt32.max))"
        do {
            try Self.write(graph, key: Self.key(manifest, transform), to: temp)
            guard rename(temp, p) == 0 else { throw ServingCacheError.io("rename \(temp)", errno) }
        } catch {
            unlink(temp)
            throw error
        }
        // One file per variant: those of other transforms (older passes, other builds) go.
        // A process still mapping one keeps its pages until it unmaps.
        let name = Self.fileName(manifest: manifest, transform: transform)
        for other in Self.list(directory) where other.hasPrefix(manifest.hex + "-") && other != name && !other.contains(".tmp-") {
            unlink(directory + "/" + other)
        }
    }

    /// Deletes files whose manifest is not in `manifests` (after `arca rm`, `arca gc`).
    @discardableResult
    public func prune(keeping manifests: Set<Digest>) -> Int {
        let keep = Set(manifests.map(\.hex))
        var removed = 0
        for name in Self.list(directory) {
            let hex = String(name.prefix(while: { $0 != "-" }))
            if !keep.contains(hex) || name.contains(".tmp-") {
                if unlink(directory + "/" + name) == 0 { removed += 1 }
            }
        }
        return removed
    }

    // MARK: File format

    static func key(_ manifest: Digest, _ transform: String) -> [UInt8] {
        SHA256.hash(Array("arca.serving-graph.v1\n\(manifest.hex)\n\(transform)".utf8))
    }

    static func write(_ graph: Graph, key: [UInt8], to path: String) throws {
        let layout = try graph.serializedLayout()
        let jsonEnd = headerBytes + layout.graph.count
        let weightsOffset = (jsonEnd + weightsAlignment - 1) / weightsAlignment * weightsAlignment
        let fd = open(path, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0o644)
        guard fd >= 0 else { throw ServingCacheError.io("create \(path)", errno) }
        defer { close(fd) }
        var hasher = SHA256()
        var written = 0
        let zeros = [UInt8](repeating: 0, count: 1 << 16)
        func emit(_ bytes: UnsafeRawBufferPointer, hash: Bool = true) throws {
            var done = 0
            while done < bytes.count {
                let n = Glibc.write(fd, bytes.baseAddress! + done, bytes.count - done)
                if n < 0 && errno == EINTR { continue }
                guard n > 0 else { throw ServingCacheError.io("write \(path)", errno) }
                done += n
            }
            if hash { hasher.update(bytes) }
            written += bytes.count
        }
        func pad(to offset: Int, hash: Bool = true) throws {
            while written < offset {
                try zeros.withUnsafeBytes { try emit(UnsafeRawBufferPointer(rebasing: $0[0..<min($0.count, offset - written)]), hash: hash) }
            }
        }
        try pad(to: headerBytes, hash: false)
        try layout.graph.withUnsafeBytes { try emit($0) }
        try pad(to: weightsOffset)
        for (offset, t) in layout.constants {
            try pad(to: weightsOffset + offset)
            try t.withUnsafeBytes { try emit($0) }
        }
        try pad(to: weightsOffset + layout.weightsByteCount)
        var header = magic
        for v in [headerBytes, layout.graph.count, weightsOffset, layout.weightsByteCount] {
            withUnsafeBytes(of: UInt64(v).littleEndian) { header += $0 }
        }
        header += key
        header += hasher.finalize()
        header += [UInt8](repeating: 0, count: headerBytes - header.count)
        let n = header.withUnsafeBytes { pwrite(fd, $0.baseAddress!, $0.count, 0) }
        guard n == headerBytes else { throw ServingCacheError.io("write \(path)", errno) }
        // On disk before the rename; clean pages can also be dropped from the page cache
        // (``ArcaTensor/MappedFile/adviseRandom(_:count:)``), dirty ones cannot.
        guard fsync(fd) == 0 else { throw ServingCacheError.io("fsync \(path)", errno) }
    }

    static func read(_ path: String, key: [UInt8]) throws -> Graph {
        let fd = open(path, O_RDONLY | O_CLOEXEC)
        guard fd >= 0 else { throw ServingCacheError.io("open \(path)", errno) }
        defer { close(fd) }
        var st = stat()
        guard fstat(fd, &st) == 0 else { throw ServingCacheError.io("stat \(path)", errno) }
        let size = Int(st.st_size)
        var header = [UInt8](repeating: 0, count: headerBytes)
        guard size >= headerBytes, header.withUnsafeMutableBytes({ pread(fd, $0.baseAddress!, headerBytes, 0) }) == headerBytes else {
            throw ServingCacheError.malformed("shorter than its header")
        }
        guard Array(header[0..<8]) == magic else { throw ServingCacheError.malformed("not a serving graph") }
        func field(_ i: Int) -> Int {
            var v: UInt64 = 0
            for b in (0..<8).reversed() { v = v << 8 | UInt64(header[8 + 8 * i + b]) }
            return v > UInt64(Int.max) ? -1 : Int(v)
        }
        let (jsonOffset, jsonCount, weightsOffset, weightsCount) = (field(0), field(1), field(2), field(3))
        guard Array(header[40..<72]) == key else { throw ServingCacheError.malformed("made for another manifest or transform") }
        guard jsonOffset == headerBytes, jsonCount >= 0, jsonCount <= SerializedGraph.maxGraphBytes,
              weightsOffset >= jsonOffset + jsonCount, weightsOffset % weightsAlignment == 0,
              weightsCount >= 0, weightsOffset <= size, size - weightsOffset == weightsCount else {
            throw ServingCacheError.malformed("sizes disagree with the file's \(size) bytes")
        }
        var hasher = SHA256()
        var json: [UInt8] = []
        var chunk = [UInt8](repeating: 0, count: 1 << 20)
        var at = headerBytes
        while at < size {
            let n = chunk.withUnsafeMutableBytes { pread(fd, $0.baseAddress!, min($0.count, size - at), off_t(at)) }
            if n < 0 && errno == EINTR { continue }
            guard n > 0 else { throw ServingCacheError.io("read \(path)", errno) }
            chunk.withUnsafeBytes { hasher.update(UnsafeRawBufferPointer(rebasing: $0[0..<n])) }
            if at < jsonOffset + jsonCount {
                json += chunk[0..<min(n, jsonOffset + jsonCount - at)]
            }
            at += n
        }
        guard hasher.finalize() == Array(header[72..<104]) else { throw ServingCacheError.malformed("content does not match its digest") }
        // The descriptor just checked, not the path (a concurrent save may have replaced it).
        let file = try MappedFile(descriptor: fd, path: path)
        guard file.byteCount == size else { throw ServingCacheError.malformed("changed while it was read") }
        return try Graph(serialized: json, weightsIn: file, offset: weightsOffset, count: weightsCount)
    }

    private func makeDirectories() throws {
        do { try FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true) } catch {
            throw ServingCacheError.io("mkdir \(directory): \(error)", 0)
        }
    }

    private static func list(_ dir: String) -> [String] {
        (try? FileManager.default.contentsOfDirectory(atPath: dir)) ?? []
    }
}

/// Why a serving-graph file could not be written or used.
public enum ServingCacheError: Error, CustomStringConvertible {
    case io(String, Int32)
    case malformed(String)

    public var description: String {
        switch self {
        case .io(let what, let e): e == 0 ? what : "\(what): \(String(cString: strerror(e)))"
        case .malformed(let why): "serving graph cache file: \(why)"
        }
    }
}
