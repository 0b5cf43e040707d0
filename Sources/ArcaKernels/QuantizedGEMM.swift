import ArcaTensor
import CArcaCPU

/// Dynamically quantized matrix product, the int8 linear layer of transformers:
///
///     qa[m,:], sa[m] = quantize(A[m,:])            (per row, symmetric, ``Int8Quantization``)
///     C[m,n] = act(Float(Σ_k qa[m,k]·qb[k,n]) · sb[n] · sa[m] + bias[n])
///
/// with exact int32 sums (the evaluation order above is the spec the reference twin follows).
/// A is quantized once into a row-major buffer (rows padded to a multiple of 6): int16 with K
/// padded to even for ``QuantizedGEMMMicrokernel`` (AVX2), or unsigned bytes q + 128 with K
/// padded to a multiple of 4 for ``VNNIMicrokernel``; tasks then split (row block x column
/// chunk). The layout follows the weights' ``PackedInt8B/Kernel``.
public enum QuantizedGEMM {
    /// Sums stay exact in int32 for any K up to this (127·128·K < 2^31).
    public static let maxK = 1 << 17

    /// `C = act(dequant(quant(A) · B) + bias)`; A row-major with row stride `lda`, C with `ldc`.
    public static func run(m: Int, a: UnsafePointer<Float>, lda: Int, b: PackedInt8B,
                           c: UnsafeMutablePointer<Float>, ldc: Int,
                           bias: UnsafePointer<Float>? = nil, activation: Activation = .none, pool: ThreadPool = .serial) {
        if m == 0 || b.n == 0 { return }
        switch b.kernel {
        case .int16Pairs: runInt16(m: m, a: a, lda: lda, b: b, c: c, ldc: ldc, bias: bias, activation: activation, pool: pool)
        case .vnni: runVNNI(m: m, a: a, lda: lda, b: b, c: c, ldc: ldc, bias: bias, activation: activation, pool: pool)
        }
    }

    /// Row blocks of A that stay in L2 (~192 KiB), and enough (row block x column chunk) tasks
    /// for every thread, in equal counts per thread (17 blocks on 2 threads would leave one idle for 1/17).
    static func partition(rowPanels: Int, columnPanels: Int, rowBytes: Int, mr: Int, threads: Int) -> (rowBlocks: Int, chunks: Int) {
        let blockPanels = max(1, 192 * 1024 / max(1, rowBytes * mr))
        var rowBlocks = (rowPanels + blockPanels - 1) / blockPanels
        var chunks = 1
        while rowBlocks * chunks < 4 * threads {
            if rowPanels / (rowBlocks + 1) >= 2 { rowBlocks += 1 }
            else if columnPanels / (chunks + 1) >= 2 { chunks += 1 }
            else { break }
        }
        while (rowBlocks * chunks) % threads != 0 && rowPanels / (rowBlocks + 1) >= 1 { rowBlocks += 1 }
        return (rowBlocks, chunks)
    }

    /// A quantized into int16 rows, ``QuantizedGEMMMicrokernel`` 6x16 tiles.
    static func runInt16(m: Int, a: UnsafePointer<Float>, lda: Int, b: PackedInt8B, c: UnsafeMutablePointer<Float>, ldc: Int,
                         bias: UnsafePointer<Float>?, activation: Activation, pool: ThreadPool) {
        let n = b.n
        let mr = QuantizedGEMMMicrokernel.mr
        let rowPanels = (m + mr - 1) / mr
        let mPadded = rowPanels * mr
        let kPadded = b.kPadded
        // int16 rows then float row scales, in one scratch buffer.
        let floats = (mPadded * kPadded + 1) / 2 + mPadded
        Scratch.withFloats(floats) { buffer in
            let aq = UnsafeMutableRawPointer(buffer).bindMemory(to: Int16.self, capacity: mPadded * kPadded)
            let rowScales = buffer + (mPadded * kPadded + 1) / 2
            let shared = SendableBox((a, aq, rowScales, c))
            let quantTasks = min(rowPanels, max(1, pool.threadCount * 4))
            pool.parallelFor(count: quantTasks) { t in
                let (a, aq, rowScales, _) = shared.value
                let r0 = t * mPadded / quantTasks / mr * mr, r1 = (t + 1) * mPadded / quantTasks / mr * mr
                for r in r0..<r1 {
                    if r < m {
                        rowScales[r] = Int8Quantization.quantizeRow(a + r * lda, b.k, into: aq + r * kPadded, paddedCount: kPadded)
                    } else {
                        (aq + r * kPadded).update(repeating: 0, count: kPadded)
                        rowScales[r] = 0
                    }
                }
            }
            let (rowBlocks, chunks) = partition(rowPanels: rowPanels, columnPanels: b.panels, rowBytes: kPadded * 2, mr: mr,
                                                threads: pool.threadCount)
            pool.parallelFor(count: rowBlocks * chunks) { task in
                let (_, aq, rowScales, c) = shared.value
                let ib = task / chunks, chunk = task % chunks
                let p0 = ib * rowPanels / rowBlocks, p1 = (ib + 1) * rowPanels / rowBlocks
                let j0 = chunk * b.panels / chunks, j1 = (chunk + 1) * b.panels / chunks
                withUnsafeTemporaryAllocation(of: Int32.self, capacity: mr * 16 + 8) { tileBuffer in
                    guard let base = tileBuffer.baseAddress else { return }
                    // 32-byte aligned tile for the accumulator stores.
                    let tile = base + (8 - (Int(bitPattern: base) / 4) % 8) % 8
                    for jp in j0..<j1 {
                        let panel = b.pairsPanel(jp)
                        for ip in p0..<p1 {
                            let r0 = ip * mr
                            QuantizedGEMMMicrokernel.tile(kPadded / 2, aq + r0 * kPadded, lda: kPadded, panel, tile)
                            store(tile, rows: min(mr, m - r0), row0: r0, column0: jp * 16, n: n, rowScales: rowScales,
                                  b: b, c: c, ldc: ldc, bias: bias, activation: activation)
                        }
                    }
                }
            }
        }
    }

    /// A quantized into unsigned bytes (q + 128), ``VNNIMicrokernel`` 6x32 tiles.
    static func runVNNI(m: Int, a: UnsafePointer<Float>, lda: Int, b: PackedInt8B, c: UnsafeMutablePointer<Float>, ldc: Int,
                        bias: UnsafePointer<Float>?, activation: Activation, pool: ThreadPool) {
        let n = b.n
        let mr = VNNIMicrokernel.mr, nr = VNNIMicrokernel.nr
        let rowPanels = (m + mr - 1) / mr
        let mPadded = rowPanels * mr
        let kPadded = b.kPadded
        // u8 rows then float row scales, in one scratch buffer.
        let floats = (mPadded * kPadded + 3) / 4 + mPadded
        Scratch.withFloats(floats) { buffer in
            let aq = UnsafeMutableRawPointer(buffer).bindMemory(to: UInt8.self, capacity: mPadded * kPadded)
            let rowScales = buffer + (mPadded * kPadded + 3) / 4
            let shared = SendableBox((a, aq, rowScales, c))
            let quantTasks = min(rowPanels, max(1, pool.threadCount * 4))
            pool.parallelFor(count: quantTasks) { t in
                let (a, aq, rowScales, _) = shared.value
                let r0 = t * mPadded / quantTasks / mr * mr, r1 = (t + 1) * mPadded / quantTasks / mr * mr
                for r in r0..<r1 {
                    if r < m {
                        rowScales[r] = Int8Quantization.quantizeRowShifted(a + r * lda, b.k, into: aq + r * kPadded, paddedCount: kPadded)
                    } else {
                        (aq + r * kPadded).update(repeating: 128, count: kPadded)
                        rowScales[r] = 0
                    }
                }
            }
            let (rowBlocks, chunks) = partition(rowPanels: rowPanels, columnPanels: b.panels, rowBytes: kPadded, mr: mr,
                                                threads: pool.threadCount)
            pool.parallelFor(count: rowBlocks * chunks) { task in
                let (_, aq, rowScales, c) = shared.value
                let ib = task / chunks, chunk = task % chunks
                let p0 = ib * rowPanels / rowBlocks, p1 = (ib + 1) * rowPanels / rowBlocks
                let j0 = chunk * b.panels / chunks, j1 = (chunk + 1) * b.panels / chunks
                withUnsafeTemporaryAllocation(of: Int32.self, capacity: mr * nr + 16) { tileBuffer in
                    guard let base = tileBuffer.baseAddress else { return }
                    // 64-byte aligned tile for the accumulator stores.
                    let tile = base + (16 - (Int(bitPattern: base) / 4) % 16) % 16
                    for jp in j0..<j1 {
                        let panel = b.vnniPanel(jp)
                        for ip in p0..<p1 {
                            let r0 = ip * mr
                            VNNIMicrokernel.tile(kPadded / 4, aq + r0 * kPadded, lda: kPadded, panel, tile, prefetch: ip == p0)
                            storeVNNI(tile, rows: min(mr, m - r0), row0: r0, column0: jp * nr, n: n, rowScales: rowScales,
                                      b: b, c: c, ldc: ldc, bias: bias, activation: activation)
                        }
                    }
                }
            }
        }
    }

    /// Dequantizes a 6x32 int32 tile (minus the per-column correction) into C (valid rows and
    /// columns only), adds bias, activates.
    @inline(__always)
    static func storeVNNI(_ tile: UnsafePointer<Int32>, rows: Int, row0: Int, column0 j0: Int, n: Int,
                          rowScales: UnsafePointer<Float>, b: PackedInt8B, c: UnsafeMutablePointer<Float>, ldc: Int,
                          bias: UnsafePointer<Float>?, activation: Activation) {
        typealias F = SIMD16<Float>
        let cols = min(32, n - j0)
        let raw = UnsafeRawPointer(tile)
        let s0 = UnsafeRawPointer(b.scales + j0).load(as: F.self)
        let s1 = UnsafeRawPointer(b.scales + j0 + 16).load(as: F.self)
        let k0 = arca_load_i32x16(b.compensation + j0), k1 = arca_load_i32x16(b.compensation + j0 + 16)
        var b0 = F(), b1 = F()
        if let bias {
            if cols == 32 {
                b0 = UnsafeRawPointer(bias + j0).loadUnaligned(as: F.self)
                b1 = UnsafeRawPointer(bias + j0 + 16).loadUnaligned(as: F.self)
            } else {
                for j in 0..<cols { if j < 16 { b0[j] = bias[j0 + j] } else { b1[j - 16] = bias[j0 + j] } }
            }
        }
        for r in 0..<rows {
            let sa = F(repeating: rowScales[row0 + r])
            let acc0 = raw.load(fromByteOffset: r * 128, as: SIMD8<Int64>.self)
            let acc1 = raw.load(fromByteOffset: r * 128 + 64, as: SIMD8<Int64>.self)
            let y0 = arca_sub_i32_to_f32x16(acc0, k0) * s0 * sa + b0
            let y1 = arca_sub_i32_to_f32x16(acc1, k1) * s1 * sa + b1
            let dst = c + (row0 + r) * ldc + j0
            if cols == 32 {
                UnsafeMutableRawPointer(dst).storeBytes(of: y0, as: F.self)
                UnsafeMutableRawPointer(dst + 16).storeBytes(of: y1, as: F.self)
            } else {
                for j in 0..<cols { dst[j] = j < 16 ? y0[j] : y1[j - 16] }
            }
            activation.apply(dst, count: cols)
        }
    }

    /// Dequantizes a 6x16 int32 tile into C (valid rows and columns only), adds bias, activates.
    @inline(__always)
    static func store(_ tile: UnsafePointer<Int32>, rows: Int, row0: Int, column0 j0: Int, n: Int,
                      rowScales: UnsafePointer<Float>, b: PackedInt8B, c: UnsafeMutablePointer<Float>, ldc: Int,
                      bias: UnsafePointer<Float>?, activation: Activation) {
        let cols = min(16, n - j0)
        let raw = UnsafeRawPointer(tile)
        let s0 = UnsafeRawPointer(b.scales + j0).load(as: SIMD8<Float>.self)
        let s1 = UnsafeRawPointer(b.scales + j0 + 8).load(as: SIMD8<Float>.self)
        var b0 = SIMD8<Float>(), b1 = SIMD8<Float>()
        if let bias {
            if cols == 16 {
                b0 = UnsafeRawPointer(bias + j0).loadUnaligned(as: SIMD8<Float>.self)
                b1 = UnsafeRawPointer(bias + j0 + 8).loadUnaligned(as: SIMD8<Float>.self)
            } else {
                for j in 0..<cols { if j < 8 { b0[j] = bias[j0 + j] } else { b1[j - 8] = bias[j0 + j] } }
            }
        }
        for r in 0..<rows {
            let sa = SIMD8<Float>(repeating: rowScales[row0 + r])
            let acc0 = raw.load(fromByteOffset: r * 64, as: SIMD4<Int64>.self)
            let acc1 = raw.load(fromByteOffset: r * 64 + 32, as: SIMD4<Int64>.self)
            let y0 = arca_i32_to_f32(acc0) * s0 * sa + b0
            let y1 = arca_i32_to_f32(acc1) * s1 * sa + b1
            let dst = c + (row0 + r) * ldc + j0
            if cols == 16 {
                UnsafeMutableRawPointer(dst).storeBytes(of: y0, as: SIMD8<Float>.self)
                UnsafeMutableRawPointer(dst + 8).storeBytes(of: y1, as: SIMD8<Float>.self)
            } else {
                for j in 0..<cols { dst[j] = j < 8 ? y0[j] : y1[j - 8] }
            }
            activation.apply(dst, count: cols)
        }
    }
}
