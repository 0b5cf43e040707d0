import Foundation
import Testing
@testable import ArcaTasks

@Suite struct ImageCodecTests {
    @Test(arguments: [("astronaut.jpg", 384, 384), ("grace_hopper.jpg", 256, 300), ("group.jpg", 716, 240), ("camera.png", 256, 256), ("coffee.png", 192, 128)])
    func decodesFixtures(_ name: String, _ w: Int, _ h: Int) throws {
        let img = try ImageDecoder.decode(try Fixtures.image(name))
        #expect(img.width == w && img.height == h)
        #expect(img.pixels.count == w * h * 3)
        let mean = Double(img.pixels.reduce(0) { $0 + Int($1) }) / Double(img.pixels.count)
        #expect(mean > 20 && mean < 235, "\(name) mean \(mean)")
        if name == "camera.png" {
            // Grayscale replicated to three equal channels.
            let gray = Self.isGray(img.pixels)
            #expect(gray)
        } else {
            let gray = Self.isGray(img.pixels)
            #expect(!gray)
        }
    }

    /// Pixel-exact agreement with Pillow's decoding (checksums from Tools/gen-image-checksums).
    @Test func matchesPillow() throws {
        let doc = try #require(try JSONSerialization.jsonObject(with: Data(contentsOf: Fixtures.root.appendingPathComponent("images/decoded.json"))) as? [String: Any])
        let images = try #require(doc["images"] as? [String: [String: Int]])
        #expect(images.count == 5)
        for (name, e) in images {
            let img = try ImageDecoder.decode(try Fixtures.image(name))
            #expect(img.width == e["width"] && img.height == e["height"], "\(name)")
            var sum = 0, positional = 0
            for (i, b) in img.pixels.enumerated() {
                sum += Int(b)
                positional += Int(b) * (i % 251)
            }
            #expect(sum == e["sum"] && positional == e["positional"], "\(name)")
        }
    }

    static func isGray(_ p: [UInt8]) -> Bool {
        var i = 0
        while i + 2 < p.count {
            if p[i] != p[i + 1] || p[i] != p[i + 2] { return false }
            i += 3
        }
        return true
    }

    @Test(arguments: ["astronaut.jpg", "coffee.png"])
    func pixelLimitCheckedBeforeDecoding(_ name: String) throws {
        #expect(throws: ImageError.tooManyPixels(width: name == "coffee.png" ? 192 : 384, height: name == "coffee.png" ? 128 : 384, limit: 1000)) {
            try ImageDecoder.decode(try Fixtures.image(name), maxPixels: 1000)
        }
    }

    @Test func rejectsUnknownAndEmpty() {
        #expect(throws: ImageError.empty) { try ImageDecoder.decode([]) }
        #expect(throws: ImageError.unknownFormat) { try ImageDecoder.decode(Array("GIF89a....".utf8)) }
    }

    @Test(arguments: ["grace_hopper.jpg", "camera.png", "coffee.png"])
    func truncatedDataThrows(_ name: String) throws {
        let bytes = try Fixtures.image(name)
        for cut in [4, 10, 30, 100, bytes.count / 3, bytes.count / 2, bytes.count - 40] {
            #expect(throws: ImageError.self, "\(name) cut at \(cut)") { try ImageDecoder.decode(Array(bytes[..<cut])) }
        }
    }

    @Test(arguments: ["grace_hopper.jpg", "coffee.png"])
    func corruptedDataNeverCrashes(_ name: String) throws {
        let bytes = try Fixtures.image(name)
        var state: UInt64 = 7
        func next() -> Int { state = state &* 6364136223846793005 &+ 1442695040888963407; return Int(state >> 33) }
        for _ in 0..<60 {
            var b = bytes
            for _ in 0..<(1 + next() % 6) { b[next() % b.count] ^= UInt8(truncatingIfNeeded: next() | 1) }
            do { _ = try ImageDecoder.decode(b) } catch is ImageError {} catch { Issue.record("unexpected \(error)") }
        }
    }

    @Test func pngRoundTrips() throws {
        let gray: [UInt8] = (0..<(37 * 11)).map { UInt8(truncatingIfNeeded: $0 * 7) }
        let back = try ImageDecoder.decode(try PNGCodec.encodeGray(width: 37, height: 11, pixels: gray))
        #expect(back.width == 37 && back.height == 11)
        #expect(stride(from: 0, to: back.pixels.count, by: 3).map { back.pixels[$0] } == gray)
        let rgb = try RGBImage(width: 5, height: 3, pixels: (0..<45).map { UInt8($0 * 5) })
        #expect(try ImageDecoder.decode(try PNGCodec.encode(rgb)) == rgb)
        #expect(throws: ImageError.self) { try PNGCodec.encodeGray(width: 3, height: 3, pixels: [1, 2]) }
    }

    /// A JPEG with an APP1 Exif segment holding only IFD0 with the orientation tag.
    static func withOrientation(_ jpeg: [UInt8], _ o: UInt8, bigEndian: Bool) -> [UInt8] {
        let tiff: [UInt8] = bigEndian
            ? [0x4D, 0x4D, 0, 42, 0, 0, 0, 8, 0, 1, 0x01, 0x12, 0, 3, 0, 0, 0, 1, 0, o, 0, 0, 0, 0, 0, 0, 0, 0]
            : [0x49, 0x49, 42, 0, 8, 0, 0, 0, 1, 0, 0x12, 0x01, 3, 0, 1, 0, 0, 0, o, 0, 0, 0, 0, 0, 0, 0, 0, 0]
        let body = Array("Exif\0\0".utf8) + tiff
        let len = body.count + 2
        return [0xFF, 0xD8, 0xFF, 0xE1, UInt8(len >> 8), UInt8(len & 0xFF)] + body + jpeg[2...]
    }

    @Test func exifOrientationIsApplied() throws {
        let jpeg = try Fixtures.image("grace_hopper.jpg")
        let upright = try ImageDecoder.decode(jpeg)
        #expect(EXIFOrientation.read(jpeg: jpeg) == nil)
        for o in UInt8(1)...8 {
            for be in [false, true] {
                let tagged = Self.withOrientation(jpeg, o, bigEndian: be)
                #expect(EXIFOrientation.read(jpeg: tagged) == Int(o))
                let img = try ImageDecoder.decode(tagged)
                #expect(img == EXIFOrientation.apply(Int(o), to: upright))
            }
        }
        // Orientation 6 (rotate 90° clockwise): the stored bottom-left pixel becomes the top-left.
        let r = EXIFOrientation.apply(6, to: upright)
        #expect(r.width == upright.height && r.height == upright.width)
        #expect((0..<3).allSatisfy { r[0, 0, $0] == upright[0, upright.height - 1, $0] })
        #expect((0..<3).allSatisfy { r[r.width - 1, 0, $0] == upright[0, 0, $0] })
        // Malformed Exif is ignored, never trusted.
        var bad = Self.withOrientation(jpeg, 6, bigEndian: false)
        bad[20] = 0xFF
        _ = EXIFOrientation.read(jpeg: bad)
        #expect(EXIFOrientation.read(jpeg: Array(bad[..<16])) == nil)
    }

    @Test func orientationsComposeToIdentity() throws {
        let img = try RGBImage(width: 3, height: 2, pixels: (0..<18).map(UInt8.init))
        // Rotating 90° clockwise (6) four times, flipping (2) twice, transposing (5) twice give the original.
        #expect((0..<4).reduce(img) { a, _ in EXIFOrientation.apply(6, to: a) } == img)
        #expect(EXIFOrientation.apply(2, to: EXIFOrientation.apply(2, to: img)) == img)
        #expect(EXIFOrientation.apply(5, to: EXIFOrientation.apply(5, to: img)) == img)
        #expect(EXIFOrientation.apply(8, to: EXIFOrientation.apply(6, to: img)) == img)
        #expect(EXIFOrientation.apply(3, to: img).pixels[0..<3] == img.pixels[15..<18])
    }
}
