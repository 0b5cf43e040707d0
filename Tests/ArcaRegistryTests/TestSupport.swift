import Foundation
@testable import ArcaRegistry

enum TestSupport {
    static var packageRoot: URL {
        URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
    }

    static var modelsDirectory: URL {
        if let env = ProcessInfo.processInfo.environment["ARCA_MODELS"], !env.isEmpty { return URL(fileURLWithPath: env) }
        return packageRoot.appendingPathComponent(".models")
    }

    /// A fresh empty directory under the system temp directory.
    static func temporaryDirectory() -> String {
        let path = NSTemporaryDirectory() + "arca-registry-test-\(UUID().uuidString)"
        try? FileManager.default.createDirectory(atPath: path, withIntermediateDirectories: true)
        return path
    }

    static func randomBytes(_ n: Int, seed: UInt64) -> [UInt8] {
        var g = SplitMix(state: seed)
        return (0..<n).map { _ in UInt8(truncatingIfNeeded: g.next()) }
    }

    /// Float32 bytes of a smooth, weight-like signal (small magnitudes, shared exponents).
    static func weightLikeFloat32(_ n: Int, seed: UInt64) -> [UInt8] {
        var g = SplitMix(state: seed)
        var out: [UInt8] = []
        out.reserveCapacity(n * 4)
        for _ in 0..<n {
            let u = Float(g.next() >> 40) / Float(1 << 24)
            let v = (u - 0.5) * 0.1
            withUnsafeBytes(of: v.bitPattern.littleEndian) { out += $0 }
        }
        return out
    }
}

struct SplitMix: RandomNumberGenerator {
    var state: UInt64
    mutating func next() -> UInt64 {
        state &+= 0x9E37_79B9_7F4A_7C15
        var z = state
        z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
        z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
        return z ^ (z >> 31)
    }
}
