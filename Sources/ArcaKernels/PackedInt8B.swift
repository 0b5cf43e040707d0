import ArcaTensor

/// Int8 weights `B[K,N]` with one float scale per output column, packed for ``QuantizedGEMM``.
///
/// Two layouts, one per microkernel (``Kernel``):
/// - `int16Pairs` (AVX2): int8 in 16-column panels; within a panel, K pair `p` holds 16
///   columns x (row 2p, row 2p+1): 32 bytes, widened to int16 as they are loaded
///   (`vpmovsxbw`) into the operands of two `vpmaddwd`s. (Stored as int16 they took twice
///   the memory: 21 MB instead of 11 for MiniLM's int8 variant, for no measurable speed.)
/// - `vnni` (AVX-512 VNNI): int8 in 32-column panels; within a panel, K quad `q` holds
///   32 columns x rows 4q..4q+3: 128 bytes, the operands of two `vpdpbusd`s. Each column also
///   keeps `128 · Σ_k w[k, n]`, the correction for activations shifted to unsigned bytes.
///
/// Columns past N and the K tail are zero, and their scales are zero.
public final class PackedInt8B: @unchecked Sendable {
    /// The int8 microkernel a packing is laid out for.
    public enum Kernel: Sendable, CaseIterable {
        /// `vpmaddwd` on int16-widened operands (AVX2), 6x16 tiles.
        case int16Pairs
        /// `vpdpbusd` on u8 activations x s8 weights (AVX-512 VNNI), 6x32 tiles.
        case vnni

        /// The fastest kernel this build's CPU runs.
        public static var best: Kernel { CPU.avx512VNNI ? .vnni : .int16Pairs }
        /// Kernels this build can run (the portable fallback of `vnni` is for tests only).
        public static var available: [Kernel] { CPU.avx512VNNI ? [.vnni, .int16Pairs] : [.int16Pairs] }
        /// Columns per panel.
        var nr: Int { self == .vnni ? VNNIMicrokernel.nr : QuantizedGEMMMicrokernel.nr }
        /// K steps per packed group (a pair of int16 or a quad of bytes).
        var kGroup: Int { self == .vnni ? 4 : 2 }
    }

    public let k: Int
    public let n: Int
    public let kernel: Kernel
    /// K rounded up to the kernel's group (pairs or quads).
    let kPadded: Int
    let panels: Int
    /// Packed int8 values.
    let data: UnsafeMutableRawPointer
    /// Per column (padded to the panel width): real value = int8 value x scale.
    let scales: UnsafeMutablePointer<Float>
    /// Per column (padded): 128 · Σ_k w (wrapping), for `vnni`; zero otherwise.
    let compensation: UnsafeMutablePointer<Int32>
    private let dataBytes: Int
    private let columnBytes: Int

    /// Packs `weights` (row-major `[K,N]`, or `[N,K]` when `transposed`) and `scales[N]`.
    /// Preconditions (checked by the caller): counts match, `k <= QuantizedGEMM.maxK`.
    public init(weights: UnsafePointer<Int8>, scales s: UnsafePointer<Float>, k: Int, n: Int, transposed: Bool,
                kernel: Kernel = .best, pool: ThreadPool = .serial) {
        let nr = kernel.nr, group = kernel.kGroup
        self.k = k
        self.n = n
        self.kernel = kernel
        kPadded = (k + group - 1) / group * group
        panels = (n + nr - 1) / nr
        dataBytes = max(64, panels * nr * kPadded)
        columnBytes = max(64, panels * nr * 4)
        data = AlignedAllocation.allocate(byteCount: dataBytes)
        scales = AlignedAllocation.allocate(byteCount: columnBytes).bindMemory(to: Float.self, capacity: columnBytes / 4)
        compensation = AlignedAllocation.allocate(byteCount: columnBytes).bindMemory(to: Int32.self, capacity: columnBytes / 4)
        @inline(__always) func w(_ row: Int, _ col: Int) -> Int8 {
            col < n && row < k ? (transposed ? weights[col * k + row] : weights[row * n + col]) : 0
        }
        for j in 0..<(panels * nr) {
            scales[j] = j < n ? s[j] : 0
            var sum: Int32 = 0
            if kernel == .vnni { for row in 0..<k { sum &+= Int32(w(row, j)) } }
            compensation[j] = sum &* 128
        }
        let shared = SendableBox(data)
        let panelBytes = nr * kPadded
        pool.parallelFor(count: panels) { jp in
            let panel = shared.value + jp * panelBytes
            switch kernel {
            case .int16Pairs:
                let out = panel.assumingMemoryBound(to: Int8.self)
                for p in 0..<(kPadded / 2) {
                    for j in 0..<nr {
                        for t in 0..<2 { out[(p * nr + j) * 2 + t] = w(2 * p + t, jp * nr + j) }
                    }
                }
            case .vnni:
                let out = panel.assumingMemoryBound(to: Int8.self)
                for q in 0..<(kPadded / 4) {
                    for j in 0..<nr {
                        for t in 0..<4 { out[(q * nr + j) * 4 + t] = w(4 * q + t, jp * nr + j) }
                    }
                }
            }
        }
    }

    deinit {
        AlignedAllocation.deallocate(data, byteCount: dataBytes)
        AlignedAllocation.deallocate(UnsafeMutableRawPointer(scales), byteCount: columnBytes)
        AlignedAllocation.deallocate(UnsafeMutableRawPointer(compensation), byteCount: columnBytes)
    }

    /// Bytes of packed memory (weights, scales, corrections).
    public var byteCount: Int { dataBytes + 2 * columnBytes }

    /// The packed K pairs of panel `panel` (int8, read widened).
    @inline(__always)
    func pairsPanel(_ panel: Int) -> UnsafePointer<Int8> {
        UnsafePointer(data.assumingMemoryBound(to: Int8.self) + panel * kPadded * QuantizedGEMMMicrokernel.nr)
    }

    /// The packed K quads of panel `panel` (VNNI).
    @inline(__always)
    func vnniPanel(_ panel: Int) -> UnsafePointer<Int8> {
        UnsafePointer(data.assumingMemoryBound(to: Int8.self) + panel * kPadded * VNNIMicrokernel.nr)
    }
}
