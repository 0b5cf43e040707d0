/// Why a zstd frame was refused.
public enum ZstdError: Error, Equatable, Sendable, CustomStringConvertible {
    /// The frame header does not declare its content size.
    case unknownContentSize
    /// The bytes do not start with a readable zstd frame header.
    case invalidFrameHeader
    /// The frame declares `declared` bytes but the caller expects `expected`.
    case contentSizeMismatch(declared: UInt64, expected: Int)
    /// The caller's expected size is negative or over the decoder's output limit.
    case sizeLimitExceeded(requested: Int, limit: Int)
    /// The frame asks for a window larger than `2^maxWindowLog` bytes.
    case windowTooLarge(maxWindowLog: Int)
    /// Decoding would produce more than the expected number of bytes.
    case outputTooLarge(expected: Int)
    /// The frame ends before it is complete.
    case truncated
    /// Bytes follow the end of the frame.
    case trailingData(count: Int)
    /// The frame decoded to fewer bytes than expected.
    case outputTooSmall(produced: Int, expected: Int)
    /// libzstd reported an error while decoding.
    case corrupt(String)
    /// libzstd could not compress (for example an invalid level).
    case compressionFailed(String)
    /// libzstd could not allocate a context.
    case outOfMemory

    public var description: String {
        switch self {
        case .unknownContentSize: "zstd frame does not declare its content size"
        case .invalidFrameHeader: "not a zstd frame"
        case .contentSizeMismatch(let d, let e): "zstd frame declares \(d) bytes, expected \(e)"
        case .sizeLimitExceeded(let r, let l): "zstd output size \(r) is outside 0...\(l)"
        case .windowTooLarge(let w): "zstd frame window exceeds 2^\(w) bytes"
        case .outputTooLarge(let e): "zstd frame decodes to more than \(e) bytes"
        case .truncated: "zstd frame is truncated"
        case .trailingData(let n): "\(n) bytes of trailing data after the zstd frame"
        case .outputTooSmall(let p, let e): "zstd frame decoded to \(p) bytes, expected \(e)"
        case .corrupt(let m): "corrupt zstd frame: \(m)"
        case .compressionFailed(let m): "zstd compression failed: \(m)"
        case .outOfMemory: "zstd could not allocate a context"
        }
    }
}
