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
    }
    private var entries: [Key: PackedB] = [:]
    private let lock = NSLock()

    public init() {}

    func packed(_ w: UnsafePointer<Float>, k: Int, n: Int, transposed: Bool, make: () -> PackedB) -> PackedB {
        let key = Key(address: Int(bitPattern: w), k: k, n: n, transposed: transposed)
        lock.lock()
        defer { lock.unlock() }
        if let p = entries[key] { return p }
        let p = make()
        entries[key] = p
        return p
    }
}
