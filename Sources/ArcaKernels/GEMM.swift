import ArcaTensor
import Foundation
/// A read-only strided matrix operand: element (i, j) is at `base[i * rowStride + j * colStride]`.
/// Transposition is a swap of the strides.
public struct MatrixOperand: @unchecked Sendable {
    public var base: UnsafePointer<Float>
    public var rowStride: Int
    public var colStride: Int

    public init(_ base: UnsafePointer<Float>, rowStride: Int, colStride: Int = 1) {
        self.base = base
        self.rowStride = rowStride
        self.colStride = colStride
    }

    @inline(__always) subscript(i: Int, j: Int) -> Float { base[i * rowStride + j * colStride] }

    public var transposed: MatrixOperand { MatrixOperand(base, rowStride: colStride, colStride: rowStride) }
}

/// What to do with each output element after the dot products:
/// `C = act(A·B + bias[n] (+ C) (+ residual))`.
public struct GEMMEpilogue: @unchecked Sendable {
    /// One float per output column, or nil.
    public var bias: UnsafePointer<Float>?
    public var activation: Activation
    /// Add the product to what `C` already holds.
    public var accumulate: Bool
    /// A matrix of C's shape (row stride `residualStride`) added before the activation.
    public var residual: UnsafePointer<Float>?
    public var residualStride: Int

    public init(bias: UnsafePointer<Float>? = nil, activation: Activation = .none, accumulate: Bool = false,
                residual: UnsafePointer<Float>? = nil, residualStride: Int = 0) {
        self.bias = bias
        self.activation = activation
        self.accumulate = accumulate
        self.residual = residual
        self.residualStride = residualStride
    }
}

/// fp32 matrix multiplication `C[M,N] = A[M,K] · B[K,N]`.
///
/// Goto/BLIS structure: B is packed into KC x nr panels (once, or ahead of time
/// for weights: ``PackedB``), A into MC x KC blocks of 6-row panels per task, and
/// the ``GEMMMicrokernel`` computes 6 x nr tiles (nr = 16 on AVX2, 32 on AVX-512). Threads split (MC block x N chunk)
/// tasks; packing of B is split by panel.
public enum GEMM {
    nonisolated(unsafe) static let kc = Int(ProcessInfo.processInfo.environment["ARCA_KC"] ?? "") ?? 256
    nonisolated(unsafe) static let mc = Int(ProcessInfo.processInfo.environment["ARCA_MC"] ?? "") ?? 144

    /// `C = epilogue(A · B)` with a row-major C of row stride `ldc`.
    public static func sgemm(m: Int, n: Int, k: Int, a: MatrixOperand, b: MatrixOperand,
                             c: UnsafeMutablePointer<Float>, ldc: Int,
                             epilogue: GEMMEpilogue = GEMMEpilogue(), pool: ThreadPool = .serial) {
        if m == 0 || n == 0 { return }
        Scratch.withFloats(PackedB.floatCount(k: k, n: n)) { buffer in
            let packed = PackedB(b, k: k, n: n, pool: pool, storage: buffer)
            sgemm(m: m, a: a, b: packed, c: c, ldc: ldc, epilogue: epilogue, pool: pool)
        }
    }

    /// `C = epilogue(A · B)` with B packed ahead of time.
    public static func sgemm(m: Int, a: MatrixOperand, b: PackedB,
                             c: UnsafeMutablePointer<Float>, ldc: Int,
                             epilogue: GEMMEpilogue = GEMMEpilogue(), pool: ThreadPool = .serial) {
        let n = b.n, k = b.k
        if m == 0 || n == 0 { return }
        if k == 0 {
            for i in 0..<m { finish(c + i * ldc, n, row: i, epilogue, zeroFirst: !epilogue.accumulate) }
            return
        }
        let (rowBlocks, chunks) = partition(m: m, n: n, threads: pool.threadCount)
        let rowPanels = (m + GEMMMicrokernel.mr - 1) / GEMMMicrokernel.mr
        let colPanels = (n + GEMMMicrokernel.nr - 1) / GEMMMicrokernel.nr
        let shared = SendableBox((a, b, c, ldc, epilogue))
        // Tasks: rowBlocks x chunks; blocks and chunks split panels as evenly as possible.
        pool.parallelFor(count: rowBlocks * chunks) { task in
            let (a, b, c, ldc, epilogue) = shared.value
            let ib = task / chunks, chunk = task % chunks
            let r0 = ib * rowPanels / rowBlocks * GEMMMicrokernel.mr
            let r1 = min(m, (ib + 1) * rowPanels / rowBlocks * GEMMMicrokernel.mr)
            let p0 = chunk * colPanels / chunks, p1 = (chunk + 1) * colPanels / chunks
            if r0 >= r1 || p0 >= p1 { return }
            macroBlock(a: a, b: b, c: c, ldc: ldc, i0: r0, mLen: r1 - r0, panels: p0..<p1, epilogue: epilogue)
        }
    }

    /// Row blocks of at most `mc` rows, and N chunks, giving at least 4 tasks per thread
    /// when the matrix allows (blocks of ≥ 4 row panels, chunks of ≥ 4 column panels).
    static func partition(m: Int, n: Int, threads: Int) -> (rowBlocks: Int, chunks: Int) {
        let rowPanels = (m + GEMMMicrokernel.mr - 1) / GEMMMicrokernel.mr
        let colPanels = (n + GEMMMicrokernel.nr - 1) / GEMMMicrokernel.nr
        var rb = max(1, (rowPanels * GEMMMicrokernel.mr + mc - 1) / mc)
        var cb = 1
        if threads > 1 {
            while rb * cb < 4 * threads {
                if rowPanels / (rb + 1) >= 4 { rb += 1 }
                else if colPanels / (cb + 1) >= 4 { cb += 1 }
                else { break }
            }
        }
        return (rb, cb)
    }

    /// One MC-row block of C over a range of nr-column panels, all of K.
    static func macroBlock(a: MatrixOperand, b: PackedB, c: UnsafeMutablePointer<Float>, ldc: Int,
                           i0: Int, mLen: Int, panels: Range<Int>, epilogue: GEMMEpilogue) {
        let mr = GEMMMicrokernel.mr, nr = GEMMMicrokernel.nr
        let k = b.k, n = b.n
        let mPanels = (mLen + mr - 1) / mr
        Scratch.withFloats(mPanels * mr * kc) { aPack in
        // Room for a 6 x 32 edge tile (the widest microkernel).
        var tile = (SIMD16<Float>(), SIMD16<Float>(), SIMD16<Float>(), SIMD16<Float>(), SIMD16<Float>(), SIMD16<Float>(),
                    SIMD16<Float>(), SIMD16<Float>(), SIMD16<Float>(), SIMD16<Float>(), SIMD16<Float>(), SIMD16<Float>())
        var pc = 0
        while pc < k {
            let kLen = min(kc, k - pc)
            // With few column panels packing A costs more than it saves: read full row panels in place.
            let direct = a.colStride == 1 && panels.count <= 4
            if direct {
                let tail = mLen % mr
                if tail > 0 {
                    packA(a, rows: (i0 + mLen - tail)..<(i0 + mLen), k0: pc, kLen: kLen, into: aPack + (mLen / mr) * mr * kLen)
                }
            } else {
                packA(a, rows: i0..<(i0 + mLen), k0: pc, kLen: kLen, into: aPack)
            }
            let first = pc == 0
            let last = pc + kLen == k
            let accumulate = !first || epilogue.accumulate
            for jp in panels {
                let j0 = jp * nr
                let nLen = min(nr, n - j0)
                let bPanel = b.panel(k0: pc, panel: jp)
                for ip in 0..<mPanels {
                    let r0 = ip * mr
                    let rows = min(mr, mLen - r0)
                    let ap = aPack + ip * mr * kLen
                    let cp = c + (i0 + r0) * ldc + j0
                    if rows == mr && nLen == nr {
                        if direct {
                            GEMMMicrokernel.runRows(kLen, a.base + (i0 + r0) * a.rowStride + pc, lda: a.rowStride,
                                                    bPanel, cp, ldc, accumulate: accumulate, prefetch: ip == 0)
                        } else {
                            GEMMMicrokernel.run(kLen, ap, bPanel, cp, ldc, accumulate: accumulate, prefetch: ip == 0)
                        }
                    } else {
                        // Edge tile: compute the full 6 x nr into a local tile, then copy the valid part.
                        withUnsafeMutableBytes(of: &tile) { raw in
                            guard let t = raw.baseAddress?.assumingMemoryBound(to: Float.self) else { return }
                            if direct && rows == mr {
                                GEMMMicrokernel.runRows(kLen, a.base + (i0 + r0) * a.rowStride + pc, lda: a.rowStride, bPanel, t, nr,
                                                        accumulate: false, prefetch: ip == 0)
                            } else {
                                GEMMMicrokernel.run(kLen, ap, bPanel, t, nr, accumulate: false, prefetch: ip == 0)
                            }
                            for r in 0..<rows {
                                let dst = cp + r * ldc
                                let src = t + r * nr
                                if accumulate {
                                    add(src, into: dst, nLen)
                                } else {
                                    dst.update(from: src, count: nLen)
                                }
                            }
                        }
                    }
                    if last {
                        for r in 0..<rows {
                            finish(cp + r * ldc, nLen, column: j0, row: i0 + r0 + r, epilogue)
                        }
                    }
                }
            }
            pc += kLen
        }
        }
    }

    @inline(__always)
    static func finish(_ row: UnsafeMutablePointer<Float>, _ count: Int, column j0: Int, row i: Int, _ epilogue: GEMMEpilogue) {
        if let bias = epilogue.bias { add(bias + j0, into: row, count) }
        if let residual = epilogue.residual { add(residual + i * epilogue.residualStride + j0, into: row, count) }
        epilogue.activation.apply(row, count: count)
    }

    /// `dst[j] += src[j]`, 16 lanes at a time (a plain loop stayed scalar: the pointers may alias;
    /// 7% of the GEMM's samples were its bias add).
    @inline(__always)
    static func add(_ src: UnsafePointer<Float>, into dst: UnsafeMutablePointer<Float>, _ count: Int) {
        var j = 0
        while j + 16 <= count {
            let d = UnsafeMutableRawPointer(dst + j)
            d.storeBytes(of: d.loadUnaligned(as: SIMD16<Float>.self) + UnsafeRawPointer(src + j).loadUnaligned(as: SIMD16<Float>.self),
                         as: SIMD16<Float>.self)
            j += 16
        }
        while j < count { dst[j] += src[j]; j += 1 }
    }

    static func finish(_ row: UnsafeMutablePointer<Float>, _ count: Int, row i: Int, _ epilogue: GEMMEpilogue, zeroFirst: Bool) {
        if zeroFirst { row.update(repeating: 0, count: count) }
        finish(row, count, column: 0, row: i, epilogue)
    }

    /// Packs rows of A, columns `k0..<k0+kLen`, as 6-row panels: panel p holds, for each k, 6 floats.
    @inline(__always)
    static func packA(_ a: MatrixOperand, rows: Range<Int>, k0: Int, kLen: Int, into dst: UnsafeMutablePointer<Float>) {
        let mr = GEMMMicrokernel.mr
        var out = dst
        var r0 = rows.lowerBound
        while r0 < rows.upperBound {
            let valid = min(mr, rows.upperBound - r0)
            if valid == mr && a.colStride == 1 {
                let p0 = a.base + r0 * a.rowStride + k0
                let rs = a.rowStride
                for kk in 0..<kLen {
                    out[0] = p0[kk]
                    out[1] = p0[rs + kk]
                    out[2] = p0[2 * rs + kk]
                    out[3] = p0[3 * rs + kk]
                    out[4] = p0[4 * rs + kk]
                    out[5] = p0[5 * rs + kk]
                    out += mr
                }
            } else {
                for kk in 0..<kLen {
                    for r in 0..<mr {
                        out[r] = r < valid ? a[r0 + r, k0 + kk] : 0
                    }
                    out += mr
                }
            }
            r0 += mr
        }
    }
}

/// B packed for ``GEMM``: for each KC block of rows, nr-column panels of KC x nr
/// contiguous floats, zero-padded. Weights are packed once at plan time.
public final class PackedB: @unchecked Sendable {
    public let k: Int
    public let n: Int
    let paddedN: Int
    let data: UnsafeMutablePointer<Float>
    /// False when `data` is a borrowed scratch buffer that outlives this object's use.
    private let ownsData: Bool

    /// Floats of a packed `[K, N]` (at least 1).
    public static func floatCount(k: Int, n: Int) -> Int {
        max(1, (n + GEMMMicrokernel.nr - 1) / GEMMMicrokernel.nr * GEMMMicrokernel.nr * k)
    }

    /// Columns per panel of this build's kernel (the IR's `PackedMatMulAttributes.panelWidth`).
    public static var panelWidth: Int { GEMMMicrokernel.nr }
    /// Rows per depth block of this build's kernel (`PackedMatMulAttributes.depthBlock`).
    public static var depthBlock: Int { GEMM.kc }

    /// Packs `B[K, N]` into `storage` (``floatCount(k:n:)`` floats, 64-byte aligned), which the
    /// caller owns; wrap it with ``init(borrowing:k:n:)`` to multiply.
    public static func pack(_ b: MatrixOperand, k: Int, n: Int, into storage: UnsafeMutablePointer<Float>, pool: ThreadPool = .serial) {
        _ = PackedB(b, k: k, n: n, pool: pool, storage: storage)
    }

    /// Weights already packed in this kernel's layout at `data` (64-byte aligned), which must
    /// outlive this object.
    public init(borrowing data: UnsafeMutablePointer<Float>, k: Int, n: Int) {
        self.k = k
        self.n = n
        paddedN = (n + GEMMMicrokernel.nr - 1) / GEMMMicrokernel.nr * GEMMMicrokernel.nr
        self.data = data
        ownsData = false
    }

    /// Packs a row-major or strided matrix `B[K,N]`; tasks split K blocks x panels.
    public convenience init(_ b: MatrixOperand, k: Int, n: Int, pool: ThreadPool = .serial) {
        self.init(b, k: k, n: n, pool: pool, storage: nil)
    }

    /// Packs into `storage` (at least `floatCount(k:n:)` floats, 64-byte aligned) or a new allocation.
    init(_ b: MatrixOperand, k: Int, n: Int, pool: ThreadPool, storage: UnsafeMutablePointer<Float>?) {
        let nr = GEMMMicrokernel.nr
        self.k = k
        self.n = n
        paddedN = (n + nr - 1) / nr * nr
        let count = Self.floatCount(k: k, n: n)
        ownsData = storage == nil
        data = storage ?? AlignedAllocation.allocate(byteCount: count * 4).bindMemory(to: Float.self, capacity: count)
        let kc = GEMM.kc
        let kBlocks = (k + kc - 1) / kc
        let panels = paddedN / nr
        let shared = SendableBox((data, paddedN))
        pool.parallelFor(count: kBlocks * panels) { task in
            let (data, paddedN) = shared.value
            let kb = task / panels, jp = task % panels
            let k0 = kb * kc, kLen = min(kc, k - k0)
            let j0 = jp * nr
            var dst = data + k0 * paddedN + jp * kLen * nr
            if j0 + nr <= n && b.colStride == 1 {
                var src = b.base + k0 * b.rowStride + j0
                for _ in 0..<kLen {
                    for v in stride(from: 0, to: nr, by: 16) {
                        UnsafeMutableRawPointer(dst + v).storeBytes(of: UnsafeRawPointer(src + v).loadUnaligned(as: SIMD16<Float>.self), as: SIMD16<Float>.self)
                    }
                    src += b.rowStride
                    dst += nr
                }
            } else {
                for kk in 0..<kLen {
                    for j in 0..<nr { dst[j] = j0 + j < n ? b[k0 + kk, j0 + j] : 0 }
                    dst += nr
                }
            }
        }
    }

    deinit { if ownsData { AlignedAllocation.deallocate(UnsafeMutableRawPointer(data), byteCount: Self.floatCount(k: k, n: n) * 4) } }

    /// The KC x nr panel `panel` of the K block starting at `k0`.
    @inline(__always)
    func panel(k0: Int, panel: Int) -> UnsafePointer<Float> {
        let kLen = min(GEMM.kc, k - k0)
        return UnsafePointer(data + k0 * paddedN + panel * kLen * GEMMMicrokernel.nr)
    }
}

/// Carries non-Sendable values (pointers) into pool tasks; kernels guarantee disjoint writes.
struct SendableBox<T>: @unchecked Sendable {
    let value: T
    init(_ value: T) { self.value = value }
}
