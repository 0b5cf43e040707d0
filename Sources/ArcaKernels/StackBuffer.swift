/// Small 64-byte aligned kernel buffers on the stack.
///
/// `withUnsafeTemporaryAllocation` keeps only allocations of at most 1 KiB on the stack on
/// Linux; larger ones are a `malloc` and `free` per call (per 48-row chunk of a quantized
/// convolution: 6% of selfie general int8's time in profiles). These are fixed-size values
/// instead, zeroed on entry.
public enum StackBuffer {
    /// The most bytes ``withBytes(_:_:)`` keeps on the stack; larger requests go to ``Scratch``.
    public static let maxBytes = 8192

    /// Runs `body` with at least `bytes` bytes, 64-byte aligned, zeroed when on the stack
    /// (contents undefined when `bytes` > ``maxBytes``).
    @inline(__always)
    public static func withBytes<R>(_ bytes: Int, _ body: (UnsafeMutableRawPointer) -> R) -> R {
        if bytes <= 4096 - 64 {
            var storage = InlineArray<64, SIMD16<Int32>>(repeating: .zero)
            return withUnsafeMutablePointer(to: &storage) { body(UnsafeMutableRawPointer($0).alignedUp(toMultipleOf: 64)) }
        }
        if bytes <= maxBytes {
            var storage = InlineArray<129, SIMD16<Int32>>(repeating: .zero)
            return withUnsafeMutablePointer(to: &storage) { body(UnsafeMutableRawPointer($0).alignedUp(toMultipleOf: 64)) }
        }
        return Scratch.withFloats((bytes + 3) / 4) { body(UnsafeMutableRawPointer($0)) }
    }
}
