import CZstd

/// zstd compression of whole buffers, with a decoder that bounds every size an untrusted frame can claim.
public enum ZstdCodec {
    /// The largest output ``decompress(_:expectedSize:maxWindowLog:maxOutputSize:)`` accepts by default (4 GiB).
    public static let defaultMaxOutputSize = 1 << 32

    /// Compresses `bytes` into one frame that records its content size and an xxhash checksum.
    public static func compress(_ bytes: [UInt8], level: Int) throws(ZstdError) -> [UInt8] {
        guard let cctx = ZSTD_createCCtx() else { throw .outOfMemory }
        defer { ZSTD_freeCCtx(cctx) }
        try check(ZSTD_CCtx_setParameter(cctx, ZSTD_c_compressionLevel, Int32(clamping: level)), compressing: true)
        try check(ZSTD_CCtx_setParameter(cctx, ZSTD_c_checksumFlag, 1), compressing: true)
        try check(ZSTD_CCtx_setParameter(cctx, ZSTD_c_contentSizeFlag, 1), compressing: true)
        let bound = ZSTD_compressBound(bytes.count)
        var out = [UInt8](repeating: 0, count: bound)
        let written = out.withUnsafeMutableBytes { dst in
            bytes.withUnsafeBytes { src in
                ZSTD_compress2(cctx, dst.baseAddress, dst.count, src.baseAddress, src.count)
            }
        }
        try check(written, compressing: true)
        out.removeLast(out.count - written)
        return out
    }

    /// Decodes exactly one frame that must declare `expectedSize` bytes of content and produce exactly that many.
    ///
    /// The output buffer is allocated once with `expectedSize` bytes; `expectedSize` itself must be
    /// within `0...maxOutputSize`. The window is limited to `2^maxWindowLog` bytes.
    public static func decompress(
        _ frame: [UInt8], expectedSize: Int, maxWindowLog: Int = 27, maxOutputSize: Int = defaultMaxOutputSize
    ) throws(ZstdError) -> [UInt8] {
        try decompress(frame[...], expectedSize: expectedSize, maxWindowLog: maxWindowLog, maxOutputSize: maxOutputSize)
    }

    /// ``decompress(_:expectedSize:maxWindowLog:maxOutputSize:)`` on a slice, without copying it.
    public static func decompress(
        _ frame: ArraySlice<UInt8>, expectedSize: Int, maxWindowLog: Int = 27, maxOutputSize: Int = defaultMaxOutputSize
    ) throws(ZstdError) -> [UInt8] {
        guard expectedSize >= 0, expectedSize <= maxOutputSize else {
            throw .sizeLimitExceeded(requested: expectedSize, limit: maxOutputSize)
        }
        let declared = frame.withUnsafeBytes { ZSTD_getFrameContentSize($0.baseAddress, $0.count) }
        if declared == UInt64.max { throw .unknownContentSize }
        if declared == UInt64.max - 1 { throw frame.count < 4 ? .truncated : .invalidFrameHeader }
        guard declared == UInt64(expectedSize) else { throw .contentSizeMismatch(declared: declared, expected: expectedSize) }

        // libzstd skips its own window check when the whole frame fits the output in one pass, so check here.
        if let window = declaredWindowSize(frame), window > UInt64(1) << UInt64(min(max(maxWindowLog, 10), 62)) {
            throw .windowTooLarge(maxWindowLog: maxWindowLog)
        }
        guard let dctx = ZSTD_createDCtx() else { throw .outOfMemory }
        defer { ZSTD_freeDCtx(dctx) }
        try check(ZSTD_DCtx_setParameter(dctx, ZSTD_d_windowLogMax, Int32(clamping: maxWindowLog)), compressing: false)

        var output = [UInt8](repeating: 0, count: expectedSize)
        let result: Result<Int, ZstdError> = frame.withUnsafeBytes { src in
            output.withUnsafeMutableBytes { dst in
                Result { () throws(ZstdError) -> Int in try stream(dctx, src: src, dst: dst, maxWindowLog: maxWindowLog) }
            }
        }
        let produced = try result.get()
        guard produced == expectedSize else { throw .outputTooSmall(produced: produced, expected: expectedSize) }
        return output
    }

    /// The window size in a frame header's window descriptor (RFC 8878 3.1.1.1.2); nil for single-segment frames.
    static func declaredWindowSize(_ frame: ArraySlice<UInt8>) -> UInt64? {
        let s = frame.startIndex
        guard frame.count >= 6, frame[s + 4] & 0x20 == 0 else { return nil }
        let exponent = UInt64(frame[s + 5] >> 3), mantissa = UInt64(frame[s + 5] & 7)
        let base = UInt64(1) << (10 + exponent)
        return base + base / 8 * mantissa
    }

    /// Runs the streaming decoder over one frame; returns the bytes written into `dst`.
    private static func stream(
        _ dctx: OpaquePointer, src: UnsafeRawBufferPointer, dst: UnsafeMutableRawBufferPointer, maxWindowLog: Int
    ) throws(ZstdError) -> Int {
        var input = ZSTD_inBuffer(src: src.baseAddress, size: src.count, pos: 0)
        var output = ZSTD_outBuffer(dst: dst.baseAddress, size: dst.count, pos: 0)
        var probeByte: UInt8 = 0
        while true {
            let (inBefore, outBefore) = (input.pos, output.pos)
            let remaining: Int
            if output.pos < output.size {
                remaining = ZSTD_decompressStream(dctx, &output, &input)
            } else {
                // The buffer is full: any further byte the frame produces is one too many.
                var produced = 0
                remaining = withUnsafeMutableBytes(of: &probeByte) { probe in
                    var extra = ZSTD_outBuffer(dst: probe.baseAddress, size: 1, pos: 0)
                    defer { produced = extra.pos }
                    return ZSTD_decompressStream(dctx, &extra, &input)
                }
                if produced > 0 { throw .outputTooLarge(expected: dst.count) }
            }
            if ZSTD_isError(remaining) != 0 { throw mapDecodeError(remaining, maxWindowLog: maxWindowLog, expected: dst.count) }
            if remaining == 0 { break }
            if input.pos == input.size && input.pos == inBefore && output.pos == outBefore { throw .truncated }
        }
        if input.pos != input.size { throw .trailingData(count: input.size - input.pos) }
        return output.pos
    }

    private static func mapDecodeError(_ code: Int, maxWindowLog: Int, expected: Int) -> ZstdError {
        switch ZSTD_getErrorCode(code) {
        case ZSTD_error_frameParameter_windowTooLarge: .windowTooLarge(maxWindowLog: maxWindowLog)
        case ZSTD_error_dstSize_tooSmall, ZSTD_error_noForwardProgress_destFull: .outputTooLarge(expected: expected)
        case ZSTD_error_srcSize_wrong, ZSTD_error_noForwardProgress_inputEmpty: .truncated
        default: .corrupt(errorName(code))
        }
    }

    private static func check(_ code: Int, compressing: Bool) throws(ZstdError) {
        guard ZSTD_isError(code) != 0 else { return }
        throw compressing ? .compressionFailed(errorName(code)) : .corrupt(errorName(code))
    }

    private static func errorName(_ code: Int) -> String {
        guard let name = ZSTD_getErrorName(code) else { return "error \(code)" }
        return String(cString: name)
    }
}
