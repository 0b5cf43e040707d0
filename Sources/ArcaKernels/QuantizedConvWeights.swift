import ArcaTensor

/// The weights of a statically quantized convolution, `B[K, N]` int8 (`B[k, n] = W[n, k]`),
/// packed for ``QuantizedDirectGEMM`` with everything its epilogue needs per column.
///
/// Column blocks of 1 to 4 sixteen-lane vectors (as ``DirectB`` on AVX-512); within a block,
/// K quad `q` holds, per vector, 16 columns x 4 consecutive k (64 bytes: one `vpdpbusd`
/// operand). K is padded to a multiple of 4 and N to whole vectors with zero weights.
/// Per column: `multiplier = s_x · s_w[n]`, the float bias, and the integer correction
/// `z_x · Σ_k B[k, n]` that turns `Σ q·w` into `Σ (q − z_x)·w`.
public final class QuantizedConvWeights: @unchecked Sendable {
    struct Block {
        let n0: Int
        let vectors: Int
        /// Byte offset of the block's K quads in `data`.
        let offset: Int
        /// Lanes of the block's last vector that are real columns.
        let lastMask: UInt16
    }

    public let k: Int
    public let n: Int
    /// K rounded up to a multiple of 4: the row length the kernel reads.
    public let kPadded: Int
    let blocks: [Block]
    let data: UnsafeMutableRawPointer
    let multiplier: UnsafeMutablePointer<Float>
    let bias: UnsafeMutablePointer<Float>
    let correction: UnsafeMutablePointer<Int32>
    private let dataBytes: Int
    private let columns: Int

    /// `weights(k, n)` gives `B[k, n]`; `scales[N]` the weight scales, `bias[N]` or nil,
    /// `inputScale` and `inputZero` the activation's quantization.
    init(k: Int, n: Int, weights: (Int, Int) -> Int8, scales: UnsafePointer<Float>, bias: UnsafePointer<Float>?,
         inputScale: Float, inputZero: Int) {
        self.k = k
        self.n = n
        let padded = (k + 3) / 4 * 4
        kPadded = padded
        var offset = 0
        let blocks = DirectB.columnBlocks(n).map { b in
            defer { offset += padded * b.vectors * 16 }
            return Block(n0: b.n0, vectors: b.vectors, offset: offset, lastMask: b.lastMask)
        }
        let vectors = (n + 15) / 16
        self.blocks = blocks
        columns = max(16, vectors * 16)
        dataBytes = max(64, offset)
        data = AlignedAllocation.allocate(byteCount: dataBytes)
        multiplier = AlignedAllocation.allocate(byteCount: columns * 4).bindMemory(to: Float.self, capacity: columns)
        self.bias = AlignedAllocation.allocate(byteCount: columns * 4).bindMemory(to: Float.self, capacity: columns)
        correction = AlignedAllocation.allocate(byteCount: columns * 4).bindMemory(to: Int32.self, capacity: columns)
        let out = data.assumingMemoryBound(to: Int8.self)
        for blk in blocks {
            let v = blk.vectors
            for q in 0..<(kPadded / 4) {
                for vi in 0..<v {
                    for j in 0..<16 {
                        let col = blk.n0 + vi * 16 + j
                        for t in 0..<4 {
                            let row = 4 * q + t
                            out[blk.offset + ((q * v + vi) * 16 + j) * 4 + t] = col < n && row < k ? weights(row, col) : 0
                        }
                    }
                }
            }
        }
        for j in 0..<columns {
            var sum = 0
            if j < n { for row in 0..<k { sum += Int(weights(row, j)) } }
            multiplier[j] = j < n ? inputScale * scales[j] : 0
            self.bias[j] = j < n ? bias?[j] ?? 0 : 0
            correction[j] = Int32(truncatingIfNeeded: sum * inputZero)
        }
    }

    deinit {
        AlignedAllocation.deallocate(data, byteCount: dataBytes)
        AlignedAllocation.deallocate(UnsafeMutableRawPointer(multiplier), byteCount: columns * 4)
        AlignedAllocation.deallocate(UnsafeMutableRawPointer(bias), byteCount: columns * 4)
        AlignedAllocation.deallocate(UnsafeMutableRawPointer(correction), byteCount: columns * 4)
    }

    /// Bytes of packed memory.
    public var byteCount: Int { dataBytes + 3 * columns * 4 }
}
