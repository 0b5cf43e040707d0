import ArcaTensor

/// Int8 weights `B[K,N]` with one float scale per output column, packed for ``QuantizedGEMM``.
///
/// Values are widened to int16 and laid out as 16-column panels; within a panel, K pair
/// `p` holds 16 columns x (row 2p, row 2p+1): 64 bytes, the operand of two `vpmaddwd`s.
/// Columns past N and the odd K tail are zero, and their scales are zero.
public final class PackedInt8B: @unchecked Sendable {
    public let k: Int
    public let n: Int
    let kPairs: Int
    let panels: Int
    let data: UnsafeMutablePointer<Int16>
    /// Per column (padded to the panel width): real value = int8 value x scale.
    let scales: UnsafeMutablePointer<Float>
    private let dataBytes: Int
    private let scaleBytes: Int

    /// Packs `weights` (row-major `[K,N]`, or `[N,K]` when `transposed`) and `scales[N]`.
    /// Preconditions (checked by the caller): counts match, `k <= QuantizedGEMM.maxK`.
    public init(weights: UnsafePointer<Int8>, scales s: UnsafePointer<Float>, k: Int, n: Int, transposed: Bool,
                pool: ThreadPool = .serial) {
        let nr = QuantizedGEMMMicrokernel.nr
        self.k = k
        self.n = n
        kPairs = (k + 1) / 2
        panels = (n + nr - 1) / nr
        dataBytes = max(64, panels * kPairs * 2 * nr * 2)
        scaleBytes = max(64, panels * nr * 4)
        data = AlignedAllocation.allocate(byteCount: dataBytes).bindMemory(to: Int16.self, capacity: dataBytes / 2)
        scales = AlignedAllocation.allocate(byteCount: scaleBytes).bindMemory(to: Float.self, capacity: scaleBytes / 4)
        for j in 0..<(panels * nr) { scales[j] = j < n ? s[j] : 0 }
        let shared = SendableBox((data, kPairs))
        pool.parallelFor(count: panels) { jp in
            let (data, kPairs) = shared.value
            let panel = data + jp * kPairs * 2 * nr
            for p in 0..<kPairs {
                let step = panel + p * 2 * nr
                for j in 0..<nr {
                    let col = jp * nr + j
                    for t in 0..<2 {
                        let row = 2 * p + t
                        var v: Int8 = 0
                        if col < n && row < k { v = transposed ? weights[col * k + row] : weights[row * n + col] }
                        step[2 * j + t] = Int16(v)
                    }
                }
            }
        }
    }

    deinit {
        AlignedAllocation.deallocate(UnsafeMutableRawPointer(data), byteCount: dataBytes)
        AlignedAllocation.deallocate(UnsafeMutableRawPointer(scales), byteCount: scaleBytes)
    }

    /// The packed K pairs of the 16-column panel `panel`.
    @inline(__always)
    func panel(_ panel: Int) -> UnsafePointer<Int16> {
        UnsafePointer(data + panel * kPairs * 2 * QuantizedGEMMMicrokernel.nr)
    }
}
