#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// Allocation of large, aligned buffers for tensors, arenas and packed weights.
///
/// Buffers of 2 MiB and more are 2 MiB aligned and their whole 2 MiB pages are
/// advised as transparent huge pages (as numpy does for its large arrays): matrix
/// kernels walk them with strides that would otherwise miss the TLB on nearly every
/// row. The tail past the last whole huge page stays in small pages: advising the
/// rounded-up size made a 2.4 MB weight matrix resident as 4 MB.
public enum AlignedAllocation {
    public static let hugePageBytes = 2 << 20

    public static func allocate(byteCount: Int, alignment: Int = 64) -> UnsafeMutableRawPointer {
        let bytes = max(byteCount, 1)
        #if os(Linux)
        if bytes >= hugePageBytes {
            var p: UnsafeMutableRawPointer?
            if posix_memalign(&p, hugePageBytes, bytes) == 0, let p {
                _ = madvise(p, bytes / hugePageBytes * hugePageBytes, 14 /* MADV_HUGEPAGE */)
                return p
            }
        }
        #endif
        return UnsafeMutableRawPointer.allocate(byteCount: bytes, alignment: max(alignment, 16))
    }

    /// Frees a buffer from ``allocate(byteCount:alignment:)``.
    public static func deallocate(_ p: UnsafeMutableRawPointer, byteCount: Int) {
        #if os(Linux)
        if max(byteCount, 1) >= hugePageBytes {
            free(p)
            return
        }
        #endif
        p.deallocate()
    }
}
