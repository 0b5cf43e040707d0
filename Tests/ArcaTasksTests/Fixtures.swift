import ArcaTensor
import Foundation

/// Paths into `Tests/Fixtures`, found from this file's location.
enum Fixtures {
    static let root = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent().appendingPathComponent("Fixtures")

    static func bytes(_ path: String) throws -> [UInt8] { Array(try Data(contentsOf: root.appendingPathComponent(path))) }
    static func image(_ name: String) throws -> [UInt8] { try bytes("images/\(name)") }
    static func npy(_ path: String) throws -> Tensor { try NPY.read(root.appendingPathComponent("vision/\(path)")) }
    static func json(_ path: String) throws -> Any { try JSONSerialization.jsonObject(with: Data(contentsOf: root.appendingPathComponent("vision/\(path)"))) }
}
