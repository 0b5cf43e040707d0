import ArcaTensor

/// The source rectangle an image-to-tensor conversion samples, in image pixels (may extend past the image).
///
/// Maps normalized model coordinates back to the image: `x_img = (x * width + x0) / imageWidth`.
public struct ImageROI: Sendable, Equatable {
    public var x0: Double, y0: Double, width: Double, height: Double
    public var imageWidth: Int, imageHeight: Int

    public init(x0: Double, y0: Double, width: Double, height: Double, imageWidth: Int, imageHeight: Int) {
        (self.x0, self.y0, self.width, self.height, self.imageWidth, self.imageHeight) = (x0, y0, width, height, imageWidth, imageHeight)
    }

    /// MediaPipe `ImageToTensorCalculator` ROI for the whole image. With `keepAspectRatio` the ROI is
    /// enlarged on its short axis to the output aspect, image centred (letterbox); otherwise the image is stretched.
    public static func wholeImage(width w: Int, height h: Int, outputWidth ow: Int, outputHeight oh: Int, keepAspectRatio: Bool) -> ImageROI {
        var rw = Double(w), rh = Double(h)
        if keepAspectRatio {
            let target = Double(oh) / Double(ow)
            if target > rh / rw { rh = rw * target } else { rw = rh / target }
        }
        return ImageROI(x0: Double(w) / 2 - rw / 2, y0: Double(h) / 2 - rh / 2, width: rw, height: rh, imageWidth: w, imageHeight: h)
    }

    /// Letterbox padding as fractions of the ROI: (left, top, right, bottom), as MediaPipe reports it.
    public var padding: (left: Double, top: Double, right: Double, bottom: Double) {
        let left = -x0 / width, top = -y0 / height
        return (left, top, (x0 + width - Double(imageWidth)) / width, (y0 + height - Double(imageHeight)) / height)
    }

    /// A normalized model x coordinate as a fraction of the image width.
    @inlinable public func imageX(_ x: Double) -> Double { (x * width + x0) / Double(imageWidth) }
    /// A normalized model y coordinate as a fraction of the image height.
    @inlinable public func imageY(_ y: Double) -> Double { (y * height + y0) / Double(imageHeight) }
}

/// MediaPipe-style image-to-tensor conversion (the CPU/OpenCV path of `ImageToTensorCalculator`).
public enum ImageToTensor {
    /// Samples `roi` of `image` into `outputWidth x outputHeight` RGB bytes like
    /// `cv2.warpPerspective(INTER_LINEAR, BORDER_CONSTANT 0)`: output pixel (x, y) reads the source at
    /// `(x0 + x * roi.width / W, y0 + y * roi.height / H)` (corner-aligned, no half-pixel offset), the
    /// position rounded to 1/32 pixel, fixed-point bilinear weights with sum 2^15, taps outside the image 0.
    /// Returns an empty array unless both output sizes are in `1...RGBImage.maxSide`.
    public static func sample(_ image: RGBImage, roi: ImageROI, outputWidth ow: Int, outputHeight oh: Int) -> [UInt8] {
        guard (1...RGBImage.maxSide).contains(ow), (1...RGBImage.maxSide).contains(oh) else { return [] }
        var out = [UInt8](repeating: 0, count: ow * oh * 3)
        let sx = roi.width / Double(ow), sy = roi.height / Double(oh)
        let w = image.width, h = image.height
        image.pixels.withUnsafeBufferPointer { src in
            for y in 0..<oh {
                let Y = Int(fixedPoint((roi.y0 + Double(y) * sy) * 32))
                let iy = Y >> 5, wy = Y & 31
                for x in 0..<ow {
                    let X = Int(fixedPoint((roi.x0 + Double(x) * sx) * 32))
                    let ix = X >> 5, wx = X & 31
                    let w00 = (32 - wy) * (32 - wx) * 32, w01 = (32 - wy) * wx * 32
                    let w10 = wy * (32 - wx) * 32, w11 = wy * wx * 32
                    let d = (y * ow + x) * 3
                    for c in 0..<3 {
                        func tap(_ px: Int, _ py: Int) -> Int {
                            px >= 0 && px < w && py >= 0 && py < h ? Int(src[(py * w + px) * 3 + c]) : 0
                        }
                        let s = tap(ix, iy) * w00 + tap(ix + 1, iy) * w01 + tap(ix, iy + 1) * w10 + tap(ix + 1, iy + 1) * w11
                        out[d + c] = UInt8(min(255, max(0, (s + (1 << 14)) >> 15)))
                    }
                }
            }
        }
        return out
    }

    /// A position in 1/32 pixels, rounded half to even (`cvRound`), clamped to the Int32 range.
    ///
    /// OpenCV computes it from a solved and inverted perspective matrix whose entries can be a few ulp off
    /// the exact scale; where the exact position is a half (e.g. 716/256 * 32 = 89.5 per column) OpenCV's
    /// rounding direction then varies by row, and results differ from this exact version by a few codes there.
    static func fixedPoint(_ v: Double) -> Double {
        guard v.isFinite else { return 0 }
        return Swift.min(Double(Int32.max), Swift.max(Double(Int32.min), v.rounded(.toNearestOrEven)))
    }

    /// The float range of a model input.
    public enum Range: Sendable {
        /// `u / 127.5 - 1` (face detection).
        case minusOneToOne
        /// `u / 255` (selfie segmentation).
        case zeroToOne
    }

    /// Converts RGB bytes to a float32 NHWC tensor `[1, H, W, 3]` with the fixture script's exact float formula.
    public static func normalize(_ bytes: [UInt8], width: Int, height: Int, range: Range) throws -> Tensor {
        let values: [Float] = switch range {
        case .minusOneToOne: bytes.map { Float($0) / Float(127.5) - Float(1) }
        case .zeroToOne: bytes.map { Float($0) / Float(255) }
        }
        return try Tensor(shape: [1, height, width, 3], scalars: values)
    }

    /// Letterboxed (`keepAspectRatio`) or stretched model input and the ROI needed to map results back.
    public static func tensor(from image: RGBImage, width: Int, height: Int, keepAspectRatio: Bool, range: Range) throws -> (Tensor, ImageROI) {
        guard (1...RGBImage.maxSide).contains(width), (1...RGBImage.maxSide).contains(height) else {
            throw ImageError.invalidDimensions(width: width, height: height)
        }
        let roi = ImageROI.wholeImage(width: image.width, height: image.height, outputWidth: width, outputHeight: height, keepAspectRatio: keepAspectRatio)
        let bytes = sample(image, roi: roi, outputWidth: width, outputHeight: height)
        return (try normalize(bytes, width: width, height: height, range: range), roi)
    }
}
