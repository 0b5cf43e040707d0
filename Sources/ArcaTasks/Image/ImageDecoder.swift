/// Decodes JPEG (libjpeg-turbo) and PNG (libpng) bytes into ``RGBImage``.
public enum ImageDecoder {
    public enum Format: Sendable { case jpeg, png }

    /// The format from the magic bytes, or nil.
    public static func sniff(_ data: [UInt8]) -> Format? {
        if data.count >= 3, data[0] == 0xFF, data[1] == 0xD8, data[2] == 0xFF { return .jpeg }
        if data.count >= 8, data[0..<8].elementsEqual([0x89, 0x50, 0x4E, 0x47, 0x0D, 0x0A, 0x1A, 0x0A]) { return .png }
        return nil
    }

    /// Decodes a JPEG (EXIF orientation applied) or PNG (gray, palette, alpha and 16-bit converted to 8-bit RGB).
    ///
    /// The header's `width * height` is checked against `maxPixels` before decoding.
    public static func decode(_ data: [UInt8], maxPixels: Int = RGBImage.defaultMaxPixels) throws -> RGBImage {
        guard !data.isEmpty else { throw ImageError.empty }
        switch sniff(data) {
        case .jpeg: return try JPEGDecoder.decode(data, maxPixels: maxPixels)
        case .png: return try PNGCodec.decode(data, maxPixels: maxPixels)
        case nil: throw ImageError.unknownFormat
        }
    }

    static func checkSize(_ w: Int, _ h: Int, _ maxPixels: Int) throws {
        guard w > 0, h > 0, w <= RGBImage.maxSide, h <= RGBImage.maxSide else { throw ImageError.invalidDimensions(width: w, height: h) }
        guard w * h <= maxPixels else { throw ImageError.tooManyPixels(width: w, height: h, limit: maxPixels) }
    }
}
