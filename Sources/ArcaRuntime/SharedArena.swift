import ArcaTensor
import Foundation

/// One working memory for several ``Plan``s whose runs never overlap: the plans of one
/// model for different input shapes (text: batch × sequence length).
///
/// Without sharing, every cached plan keeps an arena of its own and a model's resident
/// memory grows with the number of shapes it has seen; with it, memory is the largest
/// arena seen. A plan built on a shared arena runs under the arena's lock, so runs of all
/// its plans are serialised. When a plan needs more bytes than the arena holds, the arena
/// grows: new storage (at least a quarter larger than before, so growth steps are few; the
/// storage is zeroed, so every byte of it is resident) for that plan and later ones;
/// plans built before keep the old storage alive until they are released, and
/// ``Plan/isCurrent(on:)`` tells the owner which to drop.
public final class SharedArena: @unchecked Sendable {
    /// Serialises runs of every plan built on this arena.
    let runLock = NSLock()
    private let lock = NSLock()
    private var current: TensorStorage?

    public init() {}

    /// Bytes of the current storage (0 before the first plan).
    public var byteCount: Int {
        lock.lock()
        defer { lock.unlock() }
        return current?.byteCount ?? 0
    }

    /// Storage of at least `bytes`: the current one, or a larger one that becomes current.
    func storage(atLeast bytes: Int) -> TensorStorage {
        lock.lock()
        defer { lock.unlock() }
        if let s = current, s.byteCount >= bytes { return s }
        let grown = max(bytes, (current?.byteCount ?? 0) * 5 / 4)
        let capacity = (grown + 0xFFFF) & ~0xFFFF
        let s = TensorStorage(byteCount: capacity)
        current = s
        return s
    }

    func isCurrent(_ s: TensorStorage) -> Bool {
        lock.lock()
        defer { lock.unlock() }
        return current === s
    }
}
