import Foundation

/// Locations of fixtures and model files, found from this file's path.
enum TestPaths {
    static let packageRoot = URL(fileURLWithPath: #filePath)
        .deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()

    /// `$ARCA_MODELS`, else `<package root>/.models`.
    static var models: URL {
        if let env = ProcessInfo.processInfo.environment["ARCA_MODELS"], !env.isEmpty {
            return URL(fileURLWithPath: env)
        }
        return packageRoot.appendingPathComponent(".models")
    }

    static var miniLM: URL { models.appendingPathComponent("all-MiniLM-L6-v2") }

    static func fixture(_ path: String) -> URL {
        packageRoot.appendingPathComponent("Tests/Fixtures").appendingPathComponent(path)
    }
}
