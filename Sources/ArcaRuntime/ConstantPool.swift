import ArcaIR
import ArcaTensor
import Foundation

/// Large constants shared by the graphs of one process.
///
/// Variants of one model often carry identical tensors: MiniLM's int8 variant keeps the
/// float model's 47 MB word-embedding table. Interning a graph replaces each constant of at
/// least ``minimumBytes`` that equals one already pooled (same dtype, shape and bytes: a
/// hash finds candidates, a byte comparison decides) with the pooled tensor, so both graphs
/// share one storage and the duplicate is freed. Thread-safe; graphs may intern concurrently.
public final class ConstantPool: @unchecked Sendable {
    struct Key: Hashable {
        let dtype: DType, dims: [Int], hash: UInt64
    }
    /// Constants smaller than this are left alone (hashing them saves too little).
    public let minimumBytes: Int
    private var entries: [Key: [Tensor]] = [:]
    private let lock = NSLock()

    public init(minimumBytes: Int = 1 << 20) {
        self.minimumBytes = max(1, minimumBytes)
    }

    /// Replaces `graph`'s large constants by equal pooled ones and pools the rest.
    /// Returns the bytes now shared instead of duplicated.
    @discardableResult
    public func intern(_ graph: inout Graph) -> Int {
        var shared = 0
        for id in graph.constants.keys.sorted() {
            guard let t = graph.constants[id], t.count * t.dtype.byteSize >= minimumBytes else { continue }
            let c = t.contiguous()
            let key = Key(dtype: c.dtype, dims: c.shape.dims, hash: c.withUnsafeBytes(Self.hash))
            lock.lock()
            let match = entries[key]?.first { Self.sameBytes($0, c) }
            if match == nil { entries[key, default: []].append(c) }
            lock.unlock()
            if let match {
                graph.constants[id] = match
                shared += c.count * c.dtype.byteSize
            }
        }
        return shared
    }

    static func sameBytes(_ a: Tensor, _ b: Tensor) -> Bool {
        a.withUnsafeBytes { x in b.withUnsafeBytes { y in x.count == y.count && (x.count == 0 || memcmp(x.baseAddress!, y.baseAddress!, x.count) == 0) } }
    }

    /// A fast 64-bit hash of the bytes (four multiply-rotate lanes over 8-byte words, then the tail).
    static func hash(_ bytes: UnsafeRawBufferPointer) -> UInt64 {
        let prime: UInt64 = 0x9E37_79B1_85EB_CA87
        var lanes: (UInt64, UInt64, UInt64, UInt64) = (1, 2, 3, 4)
        let words = bytes.count / 8
        var i = 0
        while i + 4 <= words {
            lanes.0 = (lanes.0 ^ bytes.loadUnaligned(fromByteOffset: i * 8, as: UInt64.self)) &* prime
            lanes.1 = (lanes.1 ^ bytes.loadUnaligned(fromByteOffset: i * 8 + 8, as: UInt64.self)) &* prime
            lanes.2 = (lanes.2 ^ bytes.loadUnaligned(fromByteOffset: i * 8 + 16, as: UInt64.self)) &* prime
            lanes.3 = (lanes.3 ^ bytes.loadUnaligned(fromByteOffset: i * 8 + 24, as: UInt64.self)) &* prime
            lanes = (lanes.0 >> 31 | lanes.0 << 33, lanes.1 >> 29 | lanes.1 << 35, lanes.2 >> 27 | lanes.2 << 37, lanes.3 >> 23 | lanes.3 << 41)
            i += 4
        }
        var h = lanes.0 ^ (lanes.1 &* 3) ^ (lanes.2 &* 5) ^ (lanes.3 &* 7) ^ UInt64(bytes.count)
        for j in (i * 8)..<bytes.count { h = (h ^ UInt64(bytes[j])) &* prime }
        return h ^ (h >> 29)
    }
}
