import ArcaTensor

/// A float mask in [0, 1], one value per pixel, rows top to bottom.
public struct SegmentationMask: Sendable, Equatable {
    public let width: Int
    public let height: Int
    public var values: [Float]

    public init(width: Int, height: Int, values: [Float]) throws {
        guard width > 0, height > 0, values.count == width * height else { throw VisionError.shapeMismatch("mask \(width)x\(height) with \(values.count) values") }
        (self.width, self.height, self.values) = (width, height, values)
    }

    /// The model output `[1, H, W, 1]` (or `[H, W]`) as a mask at model resolution.
    public init(modelOutput t: Tensor) throws {
        let dims = t.shape.dims.filter { $0 != 1 }
        guard t.rank >= 2, dims.count <= 2 else { throw VisionError.shapeMismatch("segmentation output \(t.shape)") }
        let h = t.rank == 4 ? t.shape[1] : t.shape[0], w = t.rank == 4 ? t.shape[2] : t.shape[1]
        try self.init(width: w, height: h, values: t.floats())
    }

    /// Bilinear resize like `cv2.resize(INTER_LINEAR)` on float data: half-pixel centres, edges clamped;
    /// values clamped to [0, 1].
    public func resized(width ow: Int, height oh: Int) throws -> SegmentationMask {
        guard ow > 0, oh > 0, ow <= RGBImage.maxSide, oh <= RGBImage.maxSide else { throw VisionError.shapeMismatch("resize to \(ow)x\(oh)") }
        func axis(_ outSize: Int, _ inSize: Int) -> [(Int, Int, Float)] {
            let scale = Double(inSize) / Double(outSize)
            return (0..<outSize).map { o in
                let s = (Double(o) + 0.5) * scale - 0.5
                var i = Int(s.rounded(.down))
                var f = Float(s - Double(i))
                if i < 0 { i = 0; f = 0 }
                if i >= inSize - 1 { i = inSize - 1; f = 0 }
                return (i, min(i + 1, inSize - 1), f)
            }
        }
        let xs = axis(ow, width), ys = axis(oh, height)
        var out = [Float](repeating: 0, count: ow * oh)
        for (y, (y0, y1, fy)) in ys.enumerated() {
            for (x, (x0, x1, fx)) in xs.enumerated() {
                let top = values[y0 * width + x0] * (1 - fx) + values[y0 * width + x1] * fx
                let bottom = values[y1 * width + x0] * (1 - fx) + values[y1 * width + x1] * fx
                out[y * ow + x] = min(1, max(0, top * (1 - fy) + bottom * fy))
            }
        }
        return try SegmentationMask(width: ow, height: oh, values: out)
    }

    /// 8-bit gray values `round(v * 255)` (MediaPipe's mask PNG convention).
    public var gray8: [UInt8] { values.map { UInt8(max(0, min(255, ($0.isNaN ? 0 : $0 * 255).rounded()))) } }

    /// The mask as an 8-bit grayscale PNG.
    public func pngData() throws -> [UInt8] { try PNGCodec.encodeGray(width: width, height: height, pixels: gray8) }
}
