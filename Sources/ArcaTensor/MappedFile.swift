#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// Errors opening or mapping a file.
public enum MappedFileError: Error, Equatable, CustomStringConvertible {
    case cannotOpen(path: String, errno: Int32)
    case cannotMap(path: String, errno: Int32)
    case empty(path: String)

    public var description: String {
        switch self {
        case .cannotOpen(let p, let e): "cannot open \(p): \(String(cString: strerror(e)))"
        case .cannotMap(let p, let e): "cannot map \(p): \(String(cString: strerror(e)))"
        case .empty(let p): "\(p) is empty"
        }
    }
}

/// A whole file mapped privately (copy-on-write), page aligned.
///
/// Tensors borrowing it (``TensorStorage/init(borrowing:byteCount:owner:)``) read the file's
/// pages through the page cache: only pages a kernel touches become resident, they are
/// clean and the kernel can drop them under pressure, and processes mapping the same file
/// share them. A write lands in a private copy of its page; the file never changes.
/// The mapping lives until the last storage borrowing it is gone.
public final class MappedFile: @unchecked Sendable {
    public let path: String
    public let bytes: UnsafeMutableRawPointer
    public let byteCount: Int
    /// Our own descriptor of the mapped file (for page-cache advice), or -1.
    private let descriptor: Int32

    public convenience init(path: String) throws(MappedFileError) {
        let fd = open(path, O_RDONLY | O_CLOEXEC)
        guard fd >= 0 else { throw .cannotOpen(path: path, errno: errno) }
        defer { close(fd) }
        try self.init(descriptor: fd, path: path)
    }

    /// Maps the file open as `fd` (which the caller still owns and may close): the same file
    /// the caller has checked, even if `path` has since been replaced.
    public init(descriptor fd: Int32, path: String) throws(MappedFileError) {
        var st = stat()
        guard fstat(fd, &st) == 0 else { throw .cannotOpen(path: path, errno: errno) }
        guard st.st_size > 0 else { throw .empty(path: path) }
        let count = Int(st.st_size)
        let p = mmap(nil, count, PROT_READ | PROT_WRITE, MAP_PRIVATE, fd, 0)
        guard let p, p != MAP_FAILED else { throw .cannotMap(path: path, errno: errno) }
        self.path = path
        bytes = p
        byteCount = count
        descriptor = fcntl(fd, F_DUPFD_CLOEXEC, 0)
    }

    public var buffer: UnsafeRawBufferPointer { UnsafeRawBufferPointer(start: bytes, count: byteCount) }

    /// Tells the kernel that the whole pages within `count` bytes at `start` (inside this
    /// mapping) will not be read soon: it reclaims them (`MADV_PAGEOUT`). Nothing is lost:
    /// an unwritten page is faulted back from the file when read, a written one is kept.
    /// Returns the bytes advised (0 outside the mapping or where the kernel lacks the advice).
    @discardableResult
    public func adviseCold(_ start: UnsafeRawPointer, count: Int) -> Int {
        advise(start, count: count, 21 /* MADV_PAGEOUT */)
    }

    /// Tells the kernel that the whole pages within `count` bytes at `start` are read at random
    /// (`MADV_RANDOM`): a fault maps only its own page, not the 64 KB around it, so a table
    /// read a row at a time (word embeddings) becomes resident only where rows are read.
    ///
    /// The page cache may hold the range in large folios (from the write or the digest check),
    /// and a fault maps a whole folio: so the range's cached pages are also dropped
    /// (`POSIX_FADV_DONTNEED`; pages another process maps stay), and a later fault reads
    /// just its own page from the file.
    @discardableResult
    public func adviseRandom(_ start: UnsafeRawPointer, count: Int) -> Int {
        let advised = advise(start, count: count, Int32(MADV_RANDOM))
        #if os(Linux)
        let offset = Int(bitPattern: start) - Int(bitPattern: bytes)
        if advised > 0, offset >= 0, descriptor >= 0 {
            _ = posix_fadvise(descriptor, off_t(offset), off_t(count), Int32(POSIX_FADV_DONTNEED))
        }
        #endif
        return advised
    }

    private func advise(_ start: UnsafeRawPointer, count: Int, _ advice: Int32) -> Int {
        #if os(Linux)
        let page = Int(sysconf(Int32(_SC_PAGESIZE)))
        let base = Int(bitPattern: bytes), lo = Int(bitPattern: start)
        guard page > 0, count > 0, lo >= base, lo + count <= base + byteCount else { return 0 }
        let first = (lo + page - 1) / page * page, end = (lo + count) / page * page
        guard end > first, let p = UnsafeMutableRawPointer(bitPattern: first) else { return 0 }
        return madvise(p, end - first, advice) == 0 ? end - first : 0
        #else
        return 0
        #endif
    }

    deinit {
        munmap(bytes, byteCount)
        if descriptor >= 0 { close(descriptor) }
    }
}
