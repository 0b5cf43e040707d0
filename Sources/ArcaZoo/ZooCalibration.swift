import ArcaTasks
import ArcaTensor
import Foundation

/// Built-in calibration image sets for static int8 quantization, composed deterministically
/// from pinned files (`Tools/models.lock`, fetched into `.models/calibration`), so that no test
/// photo (`Tests/Fixtures/images`) ever calibrates a model it is then evaluated on.
///
/// `lfw-composites`: 32 images of 256x256. Each is a random square crop of one of nine CC0 /
/// public-domain photos from scikit-image (cat, rocket, Hubble field, tissue, brick, grass,
/// gravel, coins, motorcycle), with 0 to 3 faces of Labeled Faces in the Wild (scikit-image's
/// 25x25 crops, grey, tinted to skin tones) pasted at random sizes (30 to 220 pixels) and
/// places: big single faces (selfie framing) every fourth image, several small ones elsewhere.
public enum ZooCalibration {
    public static let names = ["lfw-composites"]

    static let backgrounds = ["chelsea.png", "rocket.jpg", "hubble_deep_field.jpg", "ihc.png", "brick.png",
                              "grass.png", "gravel.png", "coins.png", "motorcycle_left.png"]
    static let side = 256
    static let count = 32

    /// The images of a built-in set (fetching its files if they are missing).
    public static func images(_ name: String) throws -> [RGBImage] {
        guard name == "lfw-composites" else { throw ZooError.catalogUnreadable("unknown calibration set '\(name)' (known: \(names.joined(separator: ", ")))") }
        let folder = ZooPaths.models.appendingPathComponent("calibration")
        let needed = backgrounds + ["lfw_subset.npy"]
        if needed.contains(where: { !FileManager.default.fileExists(atPath: folder.appendingPathComponent($0).path) }) {
            try ZooSources.runFetch()
        }
        let photos = try backgrounds.map { try ImageDecoder.decode(Array(Data(contentsOf: folder.appendingPathComponent($0)))) }
        let faces = try lfwFaces(Array(Data(contentsOf: folder.appendingPathComponent("lfw_subset.npy"))))
        var rng = SplitMix64(seed: 0x5EED_CA11)
        return try (0..<count).map { i in try compose(i, photos: photos, faces: faces, rng: &rng) }
    }

    static func compose(_ i: Int, photos: [RGBImage], faces: [[UInt8]], rng: inout SplitMix64) throws -> RGBImage {
        let bg = photos[i % photos.count]
        let crop = Int(Double(min(bg.width, bg.height)) * rng.uniform(0.45, 1))
        let x0 = rng.below(bg.width - crop + 1), y0 = rng.below(bg.height - crop + 1)
        var pixels = [UInt8](repeating: 0, count: side * side * 3)
        for y in 0..<side {
            for x in 0..<side {
                let sx = x0 + x * crop / side, sy = y0 + y * crop / side
                for c in 0..<3 { pixels[(y * side + x) * 3 + c] = bg[sx, sy, c] }
            }
        }
        let faceCount = i % 4 == 0 ? 1 : i % 4 - 1
        for f in 0..<faceCount {
            let face = faces[rng.below(faces.count)]
            let size = i % 4 == 0 ? 140 + rng.below(81) : 30 + rng.below(91 + 20 * f)
            let fx = rng.below(side - size + 1), fy = rng.below(side - size + 1)
            let tint = [1.0, 0.78 + rng.uniform(0, 0.1), 0.62 + rng.uniform(0, 0.12)]
            for y in 0..<size {
                for x in 0..<size {
                    // Bilinear sample of the 25x25 crop.
                    let u = (Double(x) + 0.5) * 25 / Double(size) - 0.5, v = (Double(y) + 0.5) * 25 / Double(size) - 0.5
                    let ux = max(0, min(23.999, u)), vy = max(0, min(23.999, v))
                    let ix = Int(ux), iy = Int(vy), ax = ux - Double(ix), ay = vy - Double(iy)
                    func at(_ px: Int, _ py: Int) -> Double { Double(face[min(24, py) * 25 + min(24, px)]) }
                    let g = (at(ix, iy) * (1 - ax) + at(ix + 1, iy) * ax) * (1 - ay) + (at(ix, iy + 1) * (1 - ax) + at(ix + 1, iy + 1) * ax) * ay
                    for c in 0..<3 { pixels[((fy + y) * side + fx + x) * 3 + c] = UInt8(max(0, min(255, (g * tint[c]).rounded()))) }
                }
            }
        }
        return try RGBImage(width: side, height: side, pixels: pixels)
    }

    /// The 100 face crops (the first half) of scikit-image's `lfw_subset.npy`: a little-endian
    /// float64 `(200, 25, 25)` array in [0, 1], checked before it is read.
    static func lfwFaces(_ data: [UInt8]) throws -> [[UInt8]] {
        func bad(_ why: String) -> ZooError { .catalogUnreadable("lfw_subset.npy: \(why)") }
        guard data.count >= 10, data[0] == 0x93, Array(data[1...5]) == Array("NUMPY".utf8) else { throw bad("not an .npy file") }
        let headerLength = Int(data[8]) | Int(data[9]) << 8
        guard 10 + headerLength <= data.count else { throw bad("truncated header") }
        let header = String(decoding: data[10..<(10 + headerLength)], as: UTF8.self)
        guard header.contains("'descr': '<f8'"), header.contains("(200, 25, 25)"), header.contains("'fortran_order': False") else {
            throw bad("expected float64 (200, 25, 25) in C order, got \(header)")
        }
        let start = 10 + headerLength
        guard data.count - start == 200 * 25 * 25 * 8 else { throw bad("expected \(200 * 25 * 25 * 8) bytes of data") }
        return (0..<100).map { f in
            (0..<625).map { p in
                var bits: UInt64 = 0
                for b in 0..<8 { bits |= UInt64(data[start + (f * 625 + p) * 8 + b]) << (8 * b) }
                let v = Double(bitPattern: bits)
                return UInt8(max(0, min(255, (v.isFinite ? v : 0) * 255 + 0.5)))
            }
        }
    }
}
