import ArcaKernels
import Foundation

/// Packed GEMM weights shared by the plans of one model.
///
/// A model with dynamic inputs (text: batch and sequence length) gets one
/// ``Plan`` per shape; without sharing, each would pack its own copy of every
/// weight matrix. Keys are the constant's address and geometry, so plans of the
/// same graph (whose constants share storage) reuse one packing.
public final class PackedWeightCache: @unchecked Sendable {
    struct Key: Hashable {
        let address: Int, k: Int, n: Int, transposed: Bool
        /// The packed format (fp32 panels or int8 panels).
        let kind: String
    }
    private var entries: [Key: AnyObject] = [:]
    private let lock = NSLock()

    public init() {}

    func packed<P: AnyObject>(_ w: UnsafeRawPointer, k: Int, n: Int, transposed: Bool, make: () -> P) -> P {
        let key = Key(address: Int(bitPattern: w), k: k, n: n, transposed: transposed, kind: String(describing: P.self))
        lock.lock()
        defer { lock.unlock() }
        if let p = entries[key] as? P { return p }
        let p = make()
        entries[key] = p
        return p
    }
}
