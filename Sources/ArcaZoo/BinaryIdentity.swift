#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// The running executable's size and modification time: any rebuild changes it, so files
/// derived with this binary's kernels (the serving cache) are never read by another build.
enum BinaryIdentity {
    static let current: String = {
        var st = stat()
        #if os(Linux)
        guard stat("/proc/self/exe", &st) == 0 else { return "unknown" }
        return "\(st.st_size)-\(st.st_mtim.tv_sec).\(st.st_mtim.tv_nsec)"
        #else
        guard let path = CommandLine.arguments.first, stat(path, &st) == 0 else { return "unknown" }
        return "\(st.st_size)-\(st.st_mtimespec.tv_sec).\(st.st_mtimespec.tv_nsec)"
        #endif
    }()
}
