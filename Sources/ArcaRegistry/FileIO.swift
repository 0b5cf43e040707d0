#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// POSIX file primitives for the store: durable atomic replacement, bounded reads, an exclusive lock.
enum FileIO {
    /// Writes `bytes` to a temporary file next to `path`, fsyncs it, renames it over `path`, then fsyncs the directory.
    static func writeAtomically(_ bytes: [UInt8], to path: String) throws(StoreError) {
        let dir = directory(of: path)
        let tmp = dir + "/.tmp-\(getpid())-\(UInt64.random(in: 0...UInt64.max))"
        let fd = open(tmp, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0o644)
        guard fd >= 0 else { throw .io(operation: "create", path: tmp, errno: errno) }
        var ok = false
        defer { if !ok { unlink(tmp) } }
        do {
            defer { close(fd) }
            try writeAll(fd, bytes, path: tmp)
            guard fsync(fd) == 0 else { throw StoreError.io(operation: "fsync", path: tmp, errno: errno) }
        }
        guard rename(tmp, path) == 0 else { throw .io(operation: "rename", path: path, errno: errno) }
        ok = true
        try syncDirectory(dir)
    }

    static func syncDirectory(_ dir: String) throws(StoreError) {
        let fd = open(dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC)
        guard fd >= 0 else { throw .io(operation: "open", path: dir, errno: errno) }
        defer { close(fd) }
        guard fsync(fd) == 0 else { throw .io(operation: "fsync", path: dir, errno: errno) }
    }

    private static func writeAll(_ fd: Int32, _ bytes: [UInt8], path: String) throws(StoreError) {
        let failure: Int32? = bytes.withUnsafeBytes { buf in
            var offset = 0
            while offset < buf.count {
                let n = write(fd, buf.baseAddress! + offset, buf.count - offset)
                if n < 0 {
                    if errno == EINTR { continue }
                    return errno
                }
                offset += n
            }
            return nil
        }
        if let failure { throw .io(operation: "write", path: path, errno: failure) }
    }

    /// The size of a regular file, or nil if it does not exist.
    static func size(of path: String) throws(StoreError) -> Int64? {
        var st = stat()
        guard stat(path, &st) == 0 else {
            if errno == ENOENT { return nil }
            throw .io(operation: "stat", path: path, errno: errno)
        }
        guard (st.st_mode & S_IFMT) == S_IFREG else { throw .io(operation: "stat (not a regular file)", path: path, errno: EINVAL) }
        return Int64(st.st_size)
    }

    /// Reads a whole file of at most `limit` bytes, passing each chunk to `chunk` as it arrives.
    /// Returns nil if the file does not exist. Throws `.tooLarge` before reading if it is bigger than `limit`.
    static func read(
        _ path: String, limit: Int64, what: String, chunk: (UnsafeRawBufferPointer) -> Void = { _ in }
    ) throws(StoreError) -> [UInt8]? {
        let fd = open(path, O_RDONLY | O_CLOEXEC)
        guard fd >= 0 else {
            if errno == ENOENT { return nil }
            throw .io(operation: "open", path: path, errno: errno)
        }
        defer { close(fd) }
        var st = stat()
        guard fstat(fd, &st) == 0 else { throw .io(operation: "fstat", path: path, errno: errno) }
        let size = Int64(st.st_size)
        guard size <= limit else { throw .tooLarge(what: what, size: size, limit: limit) }
        var out = [UInt8](repeating: 0, count: Int(size))
        let result: Int32? = out.withUnsafeMutableBytes { buf in
            var offset = 0
            while offset < buf.count {
                let n = Glibc.read(fd, buf.baseAddress! + offset, min(1 << 20, buf.count - offset))
                if n < 0 {
                    if errno == EINTR { continue }
                    return errno
                }
                if n == 0 { return EIO }
                chunk(UnsafeRawBufferPointer(start: buf.baseAddress! + offset, count: n))
                offset += n
            }
            return nil
        }
        if let result { throw .io(operation: "read", path: path, errno: result) }
        return out
    }

    static func makeDirectory(_ path: String) throws(StoreError) {
        guard mkdir(path, 0o755) == 0 || errno == EEXIST else { throw .io(operation: "mkdir", path: path, errno: errno) }
    }

    static func remove(_ path: String) throws(StoreError) {
        guard unlink(path) == 0 || errno == ENOENT else { throw .io(operation: "unlink", path: path, errno: errno) }
    }

    static func list(_ dir: String) throws(StoreError) -> [String] {
        guard let d = opendir(dir) else { throw .io(operation: "opendir", path: dir, errno: errno) }
        defer { closedir(d) }
        var names: [String] = []
        while let entry = readdir(d) {
            let name = withUnsafeBytes(of: entry.pointee.d_name) { raw in
                String(decoding: raw.prefix(while: { $0 != 0 }), as: UTF8.self)
            }
            if name != "." && name != ".." { names.append(name) }
        }
        return names.sorted()
    }

    static func directory(of path: String) -> String {
        guard let slash = path.lastIndex(of: "/") else { return "." }
        return slash == path.startIndex ? "/" : String(path[..<slash])
    }
}

/// An exclusive `flock` on a lock file, held until ``unlock()`` or deinit.
final class FileLock {
    private var fd: Int32

    init(path: String) throws(StoreError) {
        fd = open(path, O_RDWR | O_CREAT | O_CLOEXEC, 0o644)
        guard fd >= 0 else { throw .io(operation: "open lock", path: path, errno: errno) }
        while flock(fd, LOCK_EX) != 0 {
            if errno == EINTR { continue }
            let e = errno
            close(fd)
            fd = -1
            throw .io(operation: "flock", path: path, errno: e)
        }
    }

    func unlock() {
        guard fd >= 0 else { return }
        close(fd)
        fd = -1
    }

    deinit { unlock() }
}
