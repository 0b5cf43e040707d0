import CTurboJPEG

/// JPEG decoding through TurboJPEG (default accurate integer IDCT and fancy upsampling, as Pillow uses).
enum JPEGDecoder {
    static func decode(_ data: [UInt8], maxPixels: Int) throws -> RGBImage {
        guard let handle = tjInitDecompress() else { throw ImageError.corrupt(format: "JPEG", message: "tjInitDecompress failed") }
        defer { tjDestroy(handle) }
        func failure() -> ImageError { .corrupt(format: "JPEG", message: String(cString: tjGetErrorStr2(handle))) }

        var w: Int32 = 0, h: Int32 = 0, subsamp: Int32 = 0, colorspace: Int32 = 0
        let header = data.withUnsafeBufferPointer { tjDecompressHeader3(handle, $0.baseAddress, UInt($0.count), &w, &h, &subsamp, &colorspace) }
        guard header == 0 else { throw failure() }
        try ImageDecoder.checkSize(Int(w), Int(h), maxPixels)

        var pixels = [UInt8](repeating: 0, count: Int(w) * Int(h) * 3)
        let status = data.withUnsafeBufferPointer { src in
            pixels.withUnsafeMutableBufferPointer { dst in
                tjDecompress2(handle, src.baseAddress, UInt(src.count), dst.baseAddress, w, w * 3, h, Int32(TJPF_RGB.rawValue), 0)
            }
        }
        // Warnings (e.g. premature end of data) also return -1: truncated files are rejected.
        guard status == 0 else { throw failure() }
        let image = try RGBImage(width: Int(w), height: Int(h), pixels: pixels)
        return EXIFOrientation.apply(EXIFOrientation.read(jpeg: data) ?? 1, to: image)
    }
}
