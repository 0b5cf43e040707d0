import ArcaKernels
import Foundation

/// Packed GEMM and convolution weights shared by the plans of one model.
///
/// A model with dynamic inputs (text: batch and sequence length) gets one
/// ``Plan`` per shape; without sharing, each would pack its own copy of every
/// weight matrix. Keys are the constant's address, the packed type and everything else the
/// packing depends on (geometry, scales, convolution parameters, quantization), so plans of the same graph (whose constants share
/// storage) reuse one packing: a vision model planned once per server worker packs once.
public final class PackedWeightCache: @unchecked Sendable {
    struct Key: Hashable {
        let address: Int
        /// The packed format (fp32 panels, int8 panels, convolution packings).
        let kind: String
        /// Everything else the packing depends on (geometry, scales, bias, quantization).
        let detail: String
    }
    private var entries: [Key: AnyObject] = [:]
    private let lock = NSLock()

    public init() {}

    /// Packings held.
    public var count: Int {
        lock.lock()
        defer { lock.unlock() }
        return entries.count
    }

    func packed<P: AnyObject>(_ w: UnsafeRawPointer, detail: String, make: () -> P) -> P {
        let key = Key(address: Int(bitPattern: w), kind: String(describing: P.self), detail: detail)
        lock.lock()
        defer { lock.unlock() }
        if let p = entries[key] as? P { return p }
        let p = make()
        entries[key] = p
        return p
    }
}
