import ArcaTensor
import Synchronization

/// Reusable 64-byte aligned scratch buffers for kernels (packing, im2col).
///
/// Large `malloc`s are fresh `mmap`s whose pages fault in on every call; a
/// kernel that allocates per call pays that each time. Buffers return to a
/// small free list instead.
public enum Scratch {
    /// Free buffers as (address, bytes); addresses as integers keep the list `Sendable`.
    private static let free = Mutex<[(Int, Int)]>([])
    private static let maxCached = 16

    /// Runs `body` with a buffer of at least `count` floats (contents undefined).
    @inline(__always)
    public static func withFloats<R>(_ count: Int, _ body: (UnsafeMutablePointer<Float>) throws -> R) rethrows -> R {
        let bytes = max(64, count * 4)
        let raw = acquire(bytes)
        defer { release(raw) }
        return try body(raw.0.assumingMemoryBound(to: Float.self))
    }

    static func acquire(_ bytes: Int) -> (UnsafeMutableRawPointer, Int) {
        let hit: (Int, Int)? = free.withLock { list in
            var best = -1
            for (i, e) in list.enumerated() where e.1 >= bytes && (best < 0 || e.1 < list[best].1) { best = i }
            return best >= 0 ? list.remove(at: best) : nil
        }
        if let hit, let p = UnsafeMutableRawPointer(bitPattern: hit.0) { return (p, hit.1) }
        return (AlignedAllocation.allocate(byteCount: bytes), bytes)
    }

    static func release(_ buffer: (UnsafeMutableRawPointer, Int)) {
        let entry = (Int(bitPattern: buffer.0), buffer.1)
        let evicted: (Int, Int)? = free.withLock { list in
            list.append(entry)
            if list.count > maxCached {
                var smallest = 0
                for (i, e) in list.enumerated() where e.1 < list[smallest].1 { smallest = i }
                return list.remove(at: smallest)
            }
            return nil
        }
        if let evicted, let p = UnsafeMutableRawPointer(bitPattern: evicted.0) {
            AlignedAllocation.deallocate(p, byteCount: evicted.1)
        }
    }
}
