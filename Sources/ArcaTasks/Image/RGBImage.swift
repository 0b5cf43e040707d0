/// An 8-bit RGB image, rows top to bottom, pixels interleaved `R, G, B`.
public struct RGBImage: Sendable, Equatable {
    public let width: Int
    public let height: Int
    /// `width * height * 3` bytes.
    public var pixels: [UInt8]

    public init(width: Int, height: Int, pixels: [UInt8]) throws {
        guard width > 0, height > 0, width <= Self.maxSide, height <= Self.maxSide, pixels.count == width * height * 3 else {
            throw ImageError.invalidDimensions(width: width, height: height)
        }
        self.width = width
        self.height = height
        self.pixels = pixels
    }

    /// Largest width or height accepted anywhere (keeps all index arithmetic far from overflow).
    public static let maxSide = 1 << 16

    /// Default cap on `width * height` for decoding untrusted images (50 megapixels).
    public static let defaultMaxPixels = 50_000_000

    /// Channel `c` of pixel `(x, y)`; the caller keeps coordinates in range.
    @inlinable public subscript(x: Int, y: Int, c: Int) -> UInt8 { pixels[(y * width + x) * 3 + c] }
}

/// Errors decoding or encoding images.
public enum ImageError: Error, Equatable, CustomStringConvertible {
    case empty
    case unknownFormat
    /// The header declares more pixels than allowed; raised before any pixel is decoded.
    case tooManyPixels(width: Int, height: Int, limit: Int)
    case invalidDimensions(width: Int, height: Int)
    /// The codec library rejected the data (truncated or corrupt); carries its message.
    case corrupt(format: String, message: String)
    case encodeFailed(String)

    public var description: String {
        switch self {
        case .empty: "image data is empty"
        case .unknownFormat: "unknown image format (expected JPEG or PNG)"
        case .tooManyPixels(let w, let h, let l): "image of \(w)x\(h) exceeds the limit of \(l) pixels"
        case .invalidDimensions(let w, let h): "invalid image dimensions \(w)x\(h)"
        case .corrupt(let f, let m): "corrupt or truncated \(f) data: \(m)"
        case .encodeFailed(let m): "image encoding failed: \(m)"
        }
    }
}
