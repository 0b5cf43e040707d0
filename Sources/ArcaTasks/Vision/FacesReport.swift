import Foundation

/// The JSON and text reports of face detections (`arca faces`): coordinates relative to the image.
public struct FacesReport: Sendable, Codable, Equatable {
    public struct Box: Sendable, Codable, Equatable { public var x, y, width, height: Float }
    public struct Keypoint: Sendable, Codable, Equatable { public var name: String; public var x, y: Float }
    public struct Face: Sendable, Codable, Equatable {
        public var score: Float
        public var box: Box
        public var keypoints: [Keypoint]
    }

    public var width: Int
    public var height: Int
    public var variant: String
    public var faces: [Face]

    /// Faces scoring at least `minScore`, best first.
    public init(detections: [FaceDetection], width: Int, height: Int, variant: String, minScore: Float = 0) {
        (self.width, self.height, self.variant) = (width, height, variant)
        faces = detections.filter { $0.score >= minScore }.sorted { $0.score > $1.score }.map { d in
            Face(score: d.score, box: Box(x: d.xmin, y: d.ymin, width: d.width, height: d.height),
                 keypoints: d.keypoints.enumerated().map { i, k in
                     Keypoint(name: i < FaceDetection.keypointNames.count ? FaceDetection.keypointNames[i] : "keypoint_\(i)", x: k.x, y: k.y)
                 })
        }
    }

    /// One-line JSON: `{"width", "height", "variant", "faces": [{"score", "box": {x, y, width, height}, "keypoints": [{name, x, y}]}]}`.
    public func json() throws -> String {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys, .withoutEscapingSlashes]
        encoder.nonConformingFloatEncodingStrategy = .convertToString(positiveInfinity: "inf", negativeInfinity: "-inf", nan: "nan")
        return String(decoding: try encoder.encode(self), as: UTF8.self)
    }

    /// A readable table, one face per row, box in pixels.
    public var table: String {
        var lines = ["\(faces.count) face\(faces.count == 1 ? "" : "s") in \(width)x\(height) (\(variant))"]
        guard !faces.isEmpty else { return lines[0] }
        lines.append("  #  score      x      y  width height  right_eye  left_eye")
        for (i, f) in faces.enumerated() {
            func px(_ v: Float, _ s: Int) -> Int { Int((v * Float(s)).rounded()) }
            let eyes = f.keypoints.prefix(2).map { "\(px($0.x, width)),\(px($0.y, height))" }
            lines.append(String(format: "%3d  %.3f  %5d  %5d  %5d  %5d", i + 1, Double(f.score),
                                px(f.box.x, width), px(f.box.y, height), px(f.box.width, width), px(f.box.height, height))
                         + "  " + eyes.map { $0.padding(toLength: 10, withPad: " ", startingAt: 0) }.joined(separator: " "))
        }
        return lines.joined(separator: "\n")
    }
}

/// Simple pixel drawing of detections onto an image.
public enum FaceOverlay {
    /// `image` with each face's box outlined (green) and keypoints as filled squares (red).
    public static func draw(_ faces: [FacesReport.Face], on image: RGBImage) -> RGBImage {
        var out = image
        let (w, h) = (image.width, image.height)
        let thickness = max(2, min(w, h) / 200)
        func set(_ x: Int, _ y: Int, _ c: (UInt8, UInt8, UInt8)) {
            guard x >= 0, y >= 0, x < w, y < h else { return }
            let i = (y * w + x) * 3
            out.pixels[i] = c.0; out.pixels[i + 1] = c.1; out.pixels[i + 2] = c.2
        }
        func px(_ v: Float, _ s: Int) -> Int {
            guard v.isFinite else { return -1 }
            return Int(max(-1, min(Float(s), (v * Float(s)).rounded())))
        }
        for f in faces {
            let x0 = px(f.box.x, w), y0 = px(f.box.y, h)
            let x1 = px(f.box.x + f.box.width, w), y1 = px(f.box.y + f.box.height, h)
            guard x0 <= x1, y0 <= y1 else { continue }
            for t in 0..<thickness {
                for x in x0...x1 { set(x, y0 + t, (0, 255, 0)); set(x, y1 - t, (0, 255, 0)) }
                for y in y0...y1 { set(x0 + t, y, (0, 255, 0)); set(x1 - t, y, (0, 255, 0)) }
            }
            let r = thickness + 1
            for k in f.keypoints {
                let cx = px(k.x, w), cy = px(k.y, h)
                for dy in -r...r { for dx in -r...r { set(cx + dx, cy + dy, (255, 0, 0)) } }
            }
        }
        return out
    }
}

extension SegmentationMask {
    /// Fraction of pixels with value above `threshold`.
    public func foregroundFraction(threshold: Float = 0.5) -> Double {
        guard !values.isEmpty else { return 0 }
        return Double(values.reduce(0) { $0 + ($1 > threshold ? 1 : 0) }) / Double(values.count)
    }
}
