import ArcaTensor

/// `B[K, N]` packed for ``DirectGEMM``, in column blocks, each `[K][width]` contiguous.
///
/// AVX2: blocks of 3, 2 or 1 eight-lane vectors; a ragged end is covered by a block that
/// overlaps its neighbour (it recomputes a few columns to the same values). Requires `n >= 8`.
/// AVX-512: blocks of 1 to 4 sixteen-lane vectors; columns past N are zero and the last
/// vector of the last block is stored through a lane mask (`lastMask`). Any `n >= 1`.
final class DirectB: @unchecked Sendable {
    struct Block {
        let n0: Int
        let vectors: Int
        let offset: Int
        /// Lanes of the block's last vector that are real columns (AVX-512 layout).
        var lastMask: UInt16 = 0xFFFF
    }
    let k: Int
    let n: Int
    let blocks: [Block]
    let data: UnsafeMutablePointer<Float>
    private let floats: Int

    init(_ b: MatrixOperand, k: Int, n: Int) {
        self.k = k
        self.n = n
        let blocks = CPU.avx512 ? Self.wideBlocks(k: k, n: n) : Self.narrowBlocks(k: k, n: n)
        let lanes = CPU.avx512 ? 16 : 8
        self.blocks = blocks
        floats = max(16, blocks.map { $0.offset + k * $0.vectors * lanes }.max() ?? 0)
        data = AlignedAllocation.allocate(byteCount: floats * 4).bindMemory(to: Float.self, capacity: floats)
        for blk in blocks {
            let w = blk.vectors * lanes
            for kk in 0..<k {
                for j in 0..<w { data[blk.offset + kk * w + j] = blk.n0 + j < n ? b[kk, blk.n0 + j] : 0 }
            }
        }
    }

    static func narrowBlocks(k: Int, n: Int) -> [Block] {
        var blocks: [Block] = []
        var n0 = 0, offset = 0
        while n0 < n {
            let rem = n - n0
            let v = rem >= 24 || (rem > 16 && n >= 24) ? 3 : rem >= 16 || (rem > 8 && n >= 16) ? 2 : 1
            let start = min(n0, n - v * 8)
            blocks.append(Block(n0: start, vectors: v, offset: offset))
            offset += k * v * 8
            n0 = start + v * 8
        }
        return blocks
    }

    static func wideBlocks(k: Int, n: Int) -> [Block] {
        var offset = 0
        return columnBlocks(n).map { b in
            defer { offset += k * b.vectors * 16 }
            return Block(n0: b.n0, vectors: b.vectors, offset: offset, lastMask: b.lastMask)
        }
    }

    /// `ceil(n / 16)` sixteen-lane vectors split into as few blocks of at most 4 as possible,
    /// sizes within one; the lanes of each block's last vector that are real columns.
    static func columnBlocks(_ n: Int) -> [(n0: Int, vectors: Int, lastMask: UInt16)] {
        let vectors = (n + 15) / 16
        let count = (vectors + 3) / 4
        var blocks: [(n0: Int, vectors: Int, lastMask: UInt16)] = []
        var n0 = 0
        for i in 0..<count {
            let v = vectors / count + (i < vectors % count ? 1 : 0)
            let lastLanes = min(16, n - (n0 + (v - 1) * 16))
            blocks.append((n0, v, UInt16(truncatingIfNeeded: (1 << lastLanes) - 1)))
            n0 += v * 16
        }
        return blocks
    }

    deinit { AlignedAllocation.deallocate(UnsafeMutableRawPointer(data), byteCount: floats * 4) }
}

/// `C[M, N] = act(A[M, K] · B + bias)` for small N (8 ≤ N, typically ≤ 64): A is read
/// in place (row stride `lda`, no packing), B is a ``DirectB``, and bias and ReLU-family
/// activations are applied in registers. AVX2 register tiles: 4 rows x 24 columns, or
/// 6 rows x 16 / 8 columns (12 accumulators); rows past M reuse the last row and store to
/// a scratch tile. AVX-512 tiles: ``wideRows(_:a:lda:b:bias:activation:c:ldc:residual:)``.
/// Threads split rows in chunks of 48.
enum DirectGEMM {
    typealias V = SIMD8<Float>
    typealias W = SIMD16<Float>
    static let chunk = 48

    static func run(m: Int, a: UnsafePointer<Float>, lda: Int, b: DirectB, bias: UnsafePointer<Float>?,
                    activation: Activation, c: UnsafeMutablePointer<Float>, ldc: Int,
                    residual: UnsafePointer<Float>? = nil, pool: ThreadPool) {
        let chunks = (m + chunk - 1) / chunk
        let shared = SendableBox((a, bias, c))
        pool.parallelFor(count: chunks) { t in
            let (a, bias, c) = shared.value
            rows(t * chunk..<min(m, (t + 1) * chunk), a: a, lda: lda, b: b, bias: bias, activation: activation, c: c, ldc: ldc,
                 residual: residual)
        }
    }

    /// Rows `range` of C, block by block (the block's weights stay in L1 across the rows).
    /// A `residual` (C's shape and row stride) is added to each tile while it is still in L1,
    /// before the activation.
    static func rows(_ range: Range<Int>, a: UnsafePointer<Float>, lda: Int, b: DirectB, bias: UnsafePointer<Float>?,
                     activation: Activation, c: UnsafeMutablePointer<Float>, ldc: Int, residual: UnsafePointer<Float>? = nil) {
        if CPU.avx512 {
            wideRows(range, a: a, lda: lda, b: b, bias: bias, activation: activation, c: c, ldc: ldc, residual: residual)
            return
        }
        let inRegister = activation == .none || activation == .relu || activation == .relu6 || activation == .reluN1To1
        let (lo, hi): (Float, Float) = switch activation {
        case .relu: (0, .infinity)
        case .relu6: (0, 6)
        case .reluN1To1: (-1, 1)
        default: (-.infinity, .infinity)
        }
        let clamp = (V(repeating: lo), V(repeating: hi))
        // With a residual the tiles store unclamped sums; the residual pass clamps.
        let tileClamp = residual == nil ? clamp : (V(repeating: -.infinity), V(repeating: .infinity))
        var sink = (V(), V(), V())
        withUnsafeMutableBytes(of: &sink) { raw in
            let dummy = raw.baseAddress!.assumingMemoryBound(to: Float.self)
            for blk in b.blocks {
                let w = UnsafePointer(b.data + blk.offset)
                var bv = (V(), V(), V())
                if let bias {
                    let p = UnsafeRawPointer(bias + blk.n0)
                    bv.0 = p.loadUnaligned(as: V.self)
                    if blk.vectors > 1 { bv.1 = p.loadUnaligned(fromByteOffset: 32, as: V.self) }
                    if blk.vectors > 2 { bv.2 = p.loadUnaligned(fromByteOffset: 64, as: V.self) }
                }
                let mr = blk.vectors == 3 ? 4 : 6
                var r = range.lowerBound
                while r < range.upperBound {
                    let valid = min(mr, range.upperBound - r)
                    @inline(__always) func arow(_ i: Int) -> UnsafePointer<Float> { a + (r + min(i, valid - 1)) * lda }
                    @inline(__always) func crow(_ i: Int) -> UnsafeMutablePointer<Float> { i < valid ? c + (r + i) * ldc + blk.n0 : dummy }
                    switch blk.vectors {
                    case 3:
                        tile4x24(b.k, arow(0), arow(1), arow(2), arow(3), w, bv, tileClamp, crow(0), crow(1), crow(2), crow(3))
                    case 2:
                        tile6x16(b.k, arow(0), arow(1), arow(2), arow(3), arow(4), arow(5), w, (bv.0, bv.1), tileClamp,
                                 crow(0), crow(1), crow(2), crow(3), crow(4), crow(5))
                    default:
                        tile6x8(b.k, arow(0), arow(1), arow(2), arow(3), arow(4), arow(5), w, bv.0, tileClamp,
                                crow(0), crow(1), crow(2), crow(3), crow(4), crow(5))
                    }
                    if let residual {
                        for i in 0..<valid {
                            let cp = UnsafeMutableRawPointer(c + (r + i) * ldc + blk.n0)
                            let rp = UnsafeRawPointer(residual + (r + i) * ldc + blk.n0)
                            for vi in 0..<blk.vectors {
                                let sum = cp.loadUnaligned(fromByteOffset: vi * 32, as: V.self) + rp.loadUnaligned(fromByteOffset: vi * 32, as: V.self)
                                cp.storeBytes(of: sum.clamp(clamp.0, clamp.1), toByteOffset: vi * 32, as: V.self)
                            }
                        }
                    }
                    r += mr
                }
            }
        }
        if !inRegister {
            for r in range { activation.apply(c + r * ldc, count: b.n) }
        }
    }

    @inline(__always)
    static func st(_ p: UnsafeMutablePointer<Float>, _ off: Int, _ v: V, _ clamp: (V, V)) {
        UnsafeMutableRawPointer(p).storeBytes(of: v.clamp(clamp.0, clamp.1), toByteOffset: off, as: V.self)
    }

    @inline(__always)
    static func tile4x24(_ k: Int, _ a0: UnsafePointer<Float>, _ a1: UnsafePointer<Float>, _ a2: UnsafePointer<Float>,
                         _ a3: UnsafePointer<Float>, _ w: UnsafePointer<Float>, _ bv: (V, V, V), _ clamp: (V, V),
                         _ c0: UnsafeMutablePointer<Float>, _ c1: UnsafeMutablePointer<Float>,
                         _ c2: UnsafeMutablePointer<Float>, _ c3: UnsafeMutablePointer<Float>) {
        var x00 = bv.0, x01 = bv.1, x02 = bv.2, x10 = bv.0, x11 = bv.1, x12 = bv.2
        var x20 = bv.0, x21 = bv.1, x22 = bv.2, x30 = bv.0, x31 = bv.1, x32 = bv.2
        var wp = UnsafeRawPointer(w)
        for kk in 0..<k {
            let w0 = wp.load(as: V.self), w1 = wp.load(fromByteOffset: 32, as: V.self), w2 = wp.load(fromByteOffset: 64, as: V.self)
            var s = V(repeating: a0[kk]); x00.addProduct(s, w0); x01.addProduct(s, w1); x02.addProduct(s, w2)
            s = V(repeating: a1[kk]); x10.addProduct(s, w0); x11.addProduct(s, w1); x12.addProduct(s, w2)
            s = V(repeating: a2[kk]); x20.addProduct(s, w0); x21.addProduct(s, w1); x22.addProduct(s, w2)
            s = V(repeating: a3[kk]); x30.addProduct(s, w0); x31.addProduct(s, w1); x32.addProduct(s, w2)
            wp += 96
        }
        st(c0, 0, x00, clamp); st(c0, 32, x01, clamp); st(c0, 64, x02, clamp)
        st(c1, 0, x10, clamp); st(c1, 32, x11, clamp); st(c1, 64, x12, clamp)
        st(c2, 0, x20, clamp); st(c2, 32, x21, clamp); st(c2, 64, x22, clamp)
        st(c3, 0, x30, clamp); st(c3, 32, x31, clamp); st(c3, 64, x32, clamp)
    }

    @inline(__always)
    static func tile6x16(_ k: Int, _ a0: UnsafePointer<Float>, _ a1: UnsafePointer<Float>, _ a2: UnsafePointer<Float>,
                         _ a3: UnsafePointer<Float>, _ a4: UnsafePointer<Float>, _ a5: UnsafePointer<Float>,
                         _ w: UnsafePointer<Float>, _ bv: (V, V), _ clamp: (V, V),
                         _ c0: UnsafeMutablePointer<Float>, _ c1: UnsafeMutablePointer<Float>, _ c2: UnsafeMutablePointer<Float>,
                         _ c3: UnsafeMutablePointer<Float>, _ c4: UnsafeMutablePointer<Float>, _ c5: UnsafeMutablePointer<Float>) {
        var x00 = bv.0, x01 = bv.1, x10 = bv.0, x11 = bv.1, x20 = bv.0, x21 = bv.1
        var x30 = bv.0, x31 = bv.1, x40 = bv.0, x41 = bv.1, x50 = bv.0, x51 = bv.1
        var wp = UnsafeRawPointer(w)
        for kk in 0..<k {
            let w0 = wp.load(as: V.self), w1 = wp.load(fromByteOffset: 32, as: V.self)
            var s = V(repeating: a0[kk]); x00.addProduct(s, w0); x01.addProduct(s, w1)
            s = V(repeating: a1[kk]); x10.addProduct(s, w0); x11.addProduct(s, w1)
            s = V(repeating: a2[kk]); x20.addProduct(s, w0); x21.addProduct(s, w1)
            s = V(repeating: a3[kk]); x30.addProduct(s, w0); x31.addProduct(s, w1)
            s = V(repeating: a4[kk]); x40.addProduct(s, w0); x41.addProduct(s, w1)
            s = V(repeating: a5[kk]); x50.addProduct(s, w0); x51.addProduct(s, w1)
            wp += 64
        }
        st(c0, 0, x00, clamp); st(c0, 32, x01, clamp)
        st(c1, 0, x10, clamp); st(c1, 32, x11, clamp)
        st(c2, 0, x20, clamp); st(c2, 32, x21, clamp)
        st(c3, 0, x30, clamp); st(c3, 32, x31, clamp)
        st(c4, 0, x40, clamp); st(c4, 32, x41, clamp)
        st(c5, 0, x50, clamp); st(c5, 32, x51, clamp)
    }

    @inline(__always)
    static func tile6x8(_ k: Int, _ a0: UnsafePointer<Float>, _ a1: UnsafePointer<Float>, _ a2: UnsafePointer<Float>,
                        _ a3: UnsafePointer<Float>, _ a4: UnsafePointer<Float>, _ a5: UnsafePointer<Float>,
                        _ w: UnsafePointer<Float>, _ bv: V, _ clamp: (V, V),
                        _ c0: UnsafeMutablePointer<Float>, _ c1: UnsafeMutablePointer<Float>, _ c2: UnsafeMutablePointer<Float>,
                        _ c3: UnsafeMutablePointer<Float>, _ c4: UnsafeMutablePointer<Float>, _ c5: UnsafeMutablePointer<Float>) {
        var x0 = bv, x1 = bv, x2 = bv, x3 = bv, x4 = bv, x5 = bv
        var wp = UnsafeRawPointer(w)
        for kk in 0..<k {
            let w0 = wp.load(as: V.self)
            x0.addProduct(V(repeating: a0[kk]), w0)
            x1.addProduct(V(repeating: a1[kk]), w0)
            x2.addProduct(V(repeating: a2[kk]), w0)
            x3.addProduct(V(repeating: a3[kk]), w0)
            x4.addProduct(V(repeating: a4[kk]), w0)
            x5.addProduct(V(repeating: a5[kk]), w0)
            wp += 32
        }
        st(c0, 0, x0, clamp); st(c1, 0, x1, clamp); st(c2, 0, x2, clamp)
        st(c3, 0, x3, clamp); st(c4, 0, x4, clamp); st(c5, 0, x5, clamp)
    }
}
