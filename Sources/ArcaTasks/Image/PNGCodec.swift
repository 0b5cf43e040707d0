import CPNG

/// PNG decoding and encoding through libpng's simplified API (no setjmp needed on the Swift side).
public enum PNGCodec {
    // png.h PNG_FORMAT_FLAG_* bits.
    static let flagAlpha: UInt32 = 0x01, flagColor: UInt32 = 0x02, flagLinear: UInt32 = 0x04
    static let imageVersion: UInt32 = 1

    static func message(_ image: png_image) -> String {
        withUnsafeBytes(of: image.message) { raw in
            String(decoding: raw.prefix { $0 != 0 }, as: UTF8.self)
        }
    }

    static func decode(_ data: [UInt8], maxPixels: Int) throws -> RGBImage {
        var image = png_image()
        image.version = imageVersion
        defer { png_image_free(&image) }
        let begun = data.withUnsafeBytes { png_image_begin_read_from_memory(&image, $0.baseAddress, $0.count) }
        guard begun != 0 else { throw ImageError.corrupt(format: "PNG", message: message(image)) }
        let w = Int(image.width), h = Int(image.height)
        try ImageDecoder.checkSize(w, h, maxPixels)

        let hasAlpha = image.format & flagAlpha != 0
        // 16-bit files without alpha are read as 16-bit linear (values unchanged, no gamma) and rounded to 8 bits;
        // everything else is read as 8-bit sRGB with alpha kept and then dropped (Pillow's convert("RGB")).
        let wide = image.format & flagLinear != 0 && !hasAlpha
        let channels = hasAlpha ? 4 : 3
        image.format = flagColor | (hasAlpha ? flagAlpha : 0) | (wide ? flagLinear : 0)
        var pixels = [UInt8](repeating: 0, count: w * h * 3)
        if wide {
            var buf = [UInt16](repeating: 0, count: w * h * 3)
            let ok = buf.withUnsafeMutableBytes { png_image_finish_read(&image, nil, $0.baseAddress, 0, nil) }
            guard ok != 0 else { throw ImageError.corrupt(format: "PNG", message: message(image)) }
            for i in pixels.indices { pixels[i] = UInt8((UInt32(buf[i]) + 128) / 257) }
        } else {
            var buf = [UInt8](repeating: 0, count: w * h * channels)
            let ok = buf.withUnsafeMutableBytes { png_image_finish_read(&image, nil, $0.baseAddress, 0, nil) }
            guard ok != 0 else { throw ImageError.corrupt(format: "PNG", message: message(image)) }
            if channels == 3 {
                pixels = buf
            } else {
                for i in 0..<(w * h) {
                    pixels[3 * i] = buf[4 * i]; pixels[3 * i + 1] = buf[4 * i + 1]; pixels[3 * i + 2] = buf[4 * i + 2]
                }
            }
        }
        return try RGBImage(width: w, height: h, pixels: pixels)
    }

    /// Encodes an 8-bit grayscale image (`pixels.count == width * height`), e.g. a segmentation mask.
    public static func encodeGray(width: Int, height: Int, pixels: [UInt8]) throws -> [UInt8] {
        guard width > 0, height > 0, width <= RGBImage.maxSide, height <= RGBImage.maxSide, pixels.count == width * height else {
            throw ImageError.invalidDimensions(width: width, height: height)
        }
        return try encode(width: width, height: height, format: 0, pixels: pixels)
    }

    /// Encodes an RGB image.
    public static func encode(_ image: RGBImage) throws -> [UInt8] {
        try encode(width: image.width, height: image.height, format: flagColor, pixels: image.pixels)
    }

    static func encode(width: Int, height: Int, format: UInt32, pixels: [UInt8]) throws -> [UInt8] {
        var image = png_image()
        image.version = imageVersion
        image.width = UInt32(width)
        image.height = UInt32(height)
        image.format = format
        defer { png_image_free(&image) }
        var size = 0
        let sized = pixels.withUnsafeBytes { png_image_write_to_memory(&image, nil, &size, 0, $0.baseAddress, 0, nil) }
        guard sized != 0, size > 0 else { throw ImageError.encodeFailed(message(image)) }
        var out = [UInt8](repeating: 0, count: size)
        let written = out.withUnsafeMutableBytes { dst in
            pixels.withUnsafeBytes { png_image_write_to_memory(&image, dst.baseAddress, &size, 0, $0.baseAddress, 0, nil) }
        }
        guard written != 0 else { throw ImageError.encodeFailed(message(image)) }
        return Array(out.prefix(size))
    }
}
