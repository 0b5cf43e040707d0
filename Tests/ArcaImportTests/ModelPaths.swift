import Foundation

/// Locates pinned model files: `$ARCA_MODELS`, else `<package root>/.models`.
enum ModelPaths {
    static var root: URL {
        if let env = ProcessInfo.processInfo.environment["ARCA_MODELS"], !env.isEmpty { return URL(fileURLWithPath: env) }
        return packageRoot.appendingPathComponent(".models")
    }

    static var packageRoot: URL {
        URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
    }

    static func mediapipe(_ name: String) -> URL { root.appendingPathComponent("mediapipe/\(name).tflite") }

    static func exists(_ name: String) -> Bool { FileManager.default.fileExists(atPath: mediapipe(name).path) }
}
