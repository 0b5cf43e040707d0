import CArcaCPU

/// What the quantized epilogue does with each column's sum `acc = Σ q·w`:
///
///     y = Float(acc − correction[n]) · multiplier[n] + bias[n]   (+ s_r · (q_r − z_r))
///     y = act(y)
///     out = uint8 clamp(round_half_even(y · (1 / s_out)) + z_out, 0, 255), or float32 y
///
/// in that order (the reference twins follow it; the kernels fuse multiply-adds, which moves
/// an output by one step where a value lands within float rounding of a rounding boundary).
public struct QuantizedEpilogue: @unchecked Sendable {
    public var activation: Activation
    /// The output's quantization, or nil for float32 output.
    public var output: (scale: Float, zeroPoint: Int)?
    /// A uint8 residual of the output's shape and row stride, with its quantization.
    public var residual: (pointer: UnsafePointer<UInt8>, scale: Float, zeroPoint: Int)?

    public init(activation: Activation, output: (scale: Float, zeroPoint: Int)?,
                residual: (pointer: UnsafePointer<UInt8>, scale: Float, zeroPoint: Int)? = nil) {
        self.activation = activation
        self.output = output
        self.residual = residual
    }
}

/// `C[M, N] = epilogue(A[M, K] · B)` for uint8 activations A (rows at stride `lda` bytes) and
/// ``QuantizedConvWeights`` B: the int8 twin of ``DirectGEMM``. Rows go in register tiles of
/// 12, 8, 6 or 4 (by block width) through `vpdpbusd` (AVX-512 VNNI; portable loops elsewhere),
/// sums land in an L1 tile, and the epilogue writes uint8 or float32 rows of `ldc` elements.
///
/// Rows are read `kPadded` bytes long: full tiles read A in place when every row's padded
/// length stays inside the `rowLimit` rows of A (else through a padded copy).
public enum QuantizedDirectGEMM {
    typealias Z = SIMD8<Int64>
    typealias F = SIMD16<Float>
    static let chunk = 48

    @inline(__always)
    static func tileRows(_ vectors: Int) -> Int { vectors == 1 ? 12 : vectors == 2 ? 8 : vectors == 3 ? 6 : 4 }

    /// All `m` rows, split across the pool in chunks of 48.
    public static func run(m: Int, a: UnsafePointer<UInt8>, lda: Int, b: QuantizedConvWeights, epilogue: QuantizedEpilogue,
                           c: UnsafeMutableRawPointer, ldc: Int, pool: ThreadPool) {
        let chunks = (m + chunk - 1) / chunk
        let shared = SendableBox((a, c, epilogue))
        pool.parallelFor(count: chunks) { t in
            let (a, c, epilogue) = shared.value
            rows(t * chunk..<min(m, (t + 1) * chunk), rowLimit: m, a: a, lda: lda, b: b, epilogue: epilogue, c: c, ldc: ldc)
        }
    }

    /// Rows `range` of C, block by block. `c` is uint8 or float32 by `epilogue.output`.
    static func rows(_ range: Range<Int>, rowLimit: Int, a: UnsafePointer<UInt8>, lda: Int, b: QuantizedConvWeights,
                     epilogue: QuantizedEpilogue, c: UnsafeMutableRawPointer, ldc: Int) {
        let kq = b.kPadded / 4
        // Row r reads [r·lda, r·lda + kPadded): in place unless the last row would read past A.
        let inPlaceEnd = b.kPadded <= lda ? range.upperBound : min(range.upperBound, rowLimit - 1)
        withTile { tile, plan in
            for blk in b.blocks {
                let w = UnsafeRawPointer(b.data + blk.offset)
                let mr = tileRows(blk.vectors)
                Self.plan(blk, b, epilogue, into: plan)
                var r = range.lowerBound
                while r + mr <= inPlaceEnd {
                    compute(blk.vectors, kq, a + r * lda, lda, w, tile)
                    finish(tile, rows: mr, row0: r, blk, plan, epilogue, c, ldc)
                    r += mr
                }
                while r < range.upperBound {
                    let rows = min(mr, range.upperBound - r)
                    Scratch.withFloats((mr * b.kPadded + 3) / 4) { raw in
                        let padded = UnsafeMutableRawPointer(raw).assumingMemoryBound(to: UInt8.self)
                        padded.update(repeating: 0, count: mr * b.kPadded)
                        for i in 0..<rows { (padded + i * b.kPadded).update(from: a + (r + i) * lda, count: b.k) }
                        compute(blk.vectors, kq, padded, b.kPadded, w, tile)
                    }
                    finish(tile, rows: rows, row0: r, blk, plan, epilogue, c, ldc)
                    r += rows
                }
            }
        }
    }

    /// A 64-byte aligned int32 tile of up to 12 rows x 64 lanes on the stack, and after it room
    /// for a block's epilogue plan (``plan(_:_:_:into:)``: 10 vectors).
    @inline(__always)
    static func withTile(_ body: (UnsafeMutablePointer<Int32>, UnsafeMutablePointer<F>) -> Void) {
        StackBuffer.withBytes(4 * (12 * 64 + 10 * 16)) { raw in
            let tile = raw.assumingMemoryBound(to: Int32.self)
            body(tile, UnsafeMutableRawPointer(tile + 12 * 64).assumingMemoryBound(to: F.self))
        }
    }

    @inline(__always)
    static func compute(_ vectors: Int, _ kq: Int, _ a: UnsafePointer<UInt8>, _ lda: Int, _ w: UnsafeRawPointer,
                        _ tile: UnsafeMutablePointer<Int32>) {
        compute(vectors, segments: 1, segmentStride: 0, quads: kq, a, lda, w, tile)
    }

    @inline(__always)
    static func compute(_ vectors: Int, segments: Int, segmentStride: Int, quads: Int, _ a: UnsafePointer<UInt8>, _ lda: Int,
                        _ w: UnsafeRawPointer, _ tile: UnsafeMutablePointer<Int32>) {
        switch vectors {
        case 1: tile12x16(segments, segmentStride, quads, a, lda, w, tile)
        case 2: tile8x32(segments, segmentStride, quads, a, lda, w, tile)
        case 3: tile6x48(segments, segmentStride, quads, a, lda, w, tile)
        default: tile4x64(segments, segmentStride, quads, a, lda, w, tile)
        }
    }

    /// Full tiles of `count` output rows whose A rows are `lda` bytes apart starting at `a`, each
    /// read as `segments` segments (see the tiles); returns how many rows it covered (a
    /// multiple of every block's tile height, so the rest go through ``rows(_:rowLimit:a:lda:b:epilogue:c:ldc:)``).
    static func segmentedRows(count: Int, a: UnsafePointer<UInt8>, lda: Int, segments: Int, segmentStride: Int,
                              b: QuantizedConvWeights, epilogue: QuantizedEpilogue, c: UnsafeMutableRawPointer, ldc: Int) -> Int {
        let quads = b.kPadded / 4 / max(1, segments)
        let step = b.blocks.map { tileRows($0.vectors) }.reduce(1) { lcm($0, $1) }
        let covered = count / step * step
        guard covered > 0 else { return 0 }
        withTile { tile, plan in
            for blk in b.blocks {
                let w = UnsafeRawPointer(b.data + blk.offset)
                let mr = tileRows(blk.vectors)
                Self.plan(blk, b, epilogue, into: plan)
                var r = 0
                while r < covered {
                    compute(blk.vectors, segments: segments, segmentStride: segmentStride, quads: quads, a + r * lda, lda, w, tile)
                    finish(tile, rows: mr, row0: r, blk, plan, epilogue, c, ldc)
                    r += mr
                }
            }
        }
        return covered
    }

    static func lcm(_ a: Int, _ b: Int) -> Int {
        var (x, y) = (a, b)
        while y != 0 { (x, y) = (y, x % y) }
        return a / x * b
    }

    /// A block's epilogue constants, once per block rather than per tile: `plan[2 vi]` and
    /// `plan[2 vi + 1]` the multiplier and offset of vector `vi` (`y = Float(acc) · m + b`),
    /// `plan[8]` and `plan[9]` the activation's clamp bounds.
    ///
    /// Folded per column: `m = multiplier · k`, `b = (bias − Float(correction) · multiplier) · k + z`
    /// (k = 1/s_out and z = z_out for uint8 output with a clamp activation, so y is already in
    /// output steps, less the residual's zero point term when there is one; 1 and 0 otherwise),
    /// the clamp in output steps within 0...255 (rounding commutes with the integer bounds, so the
    /// byte store needs no integer clamp).
    @inline(__always)
    static func plan(_ blk: QuantizedConvWeights.Block, _ b: QuantizedConvWeights, _ e: QuantizedEpilogue,
                     into plan: UnsafeMutablePointer<F>) {
        let fastOutput = e.activation.isClamp ? e.output : nil
        let k = fastOutput.map { 1 / $0.scale } ?? 1, z = fastOutput.map { Float($0.zeroPoint) } ?? 0
        let residualShift = Float(e.residual?.zeroPoint ?? 0) * (e.residual?.scale ?? 0) * k
        for vi in 0..<blk.vectors {
            let col = blk.n0 + vi * 16
            let mult = UnsafeRawPointer(b.multiplier + col).load(as: F.self)
            let base = UnsafeRawPointer(b.bias + col).load(as: F.self) - arca_i32_to_f32x16(arca_load_i32x16(b.correction + col)) * mult
            plan[2 * vi] = mult * k
            plan[2 * vi + 1] = base * k + F(repeating: z - residualShift)
        }
        let (lo, hi) = fastOutput != nil ? e.activation.clampInOutputSteps(k: k, z: z) : e.activation.clampRange
        (plan[8], plan[9]) = (F(repeating: lo), F(repeating: hi))
    }

    /// The epilogue of one tile: `rows` rows of the block's columns from `tile` (row stride 64),
    /// with the block's ``plan(_:_:_:into:)``. Clamp activations with uint8 output as one
    /// multiply-add (two with a residual) and a clamp in output steps; others through real values.
    /// Not inlined: inside the row loops it pushed the tiles' own loads and stores out of line.
    @inline(never)
    static func finish(_ tile: UnsafePointer<Int32>, rows: Int, row0: Int, _ blk: QuantizedConvWeights.Block,
                       _ plan: UnsafePointer<F>, _ e: QuantizedEpilogue, _ c: UnsafeMutableRawPointer, _ ldc: Int) {
        if let output = e.output, e.activation.isClamp {
            let (lov, hiv) = (plan[8], plan[9])
            let raw = UnsafeRawPointer(tile)
            // The common case: one convert, multiply-add (two with a residual), clamp and byte
            // store per 16 outputs.
            let out = c.assumingMemoryBound(to: UInt8.self)
            let residual = e.residual?.pointer
            let rk = F(repeating: (e.residual?.scale ?? 0) / output.scale)
            for vi in 0..<blk.vectors {
                let col = blk.n0 + vi * 16
                let mask: UInt16 = vi == blk.vectors - 1 ? blk.lastMask : 0xFFFF
                let (m, bb) = (plan[2 * vi], plan[2 * vi + 1])
                var dst = out + row0 * ldc + col
                var src = raw + vi * 64
                if let residual {
                    var rp = residual + row0 * ldc + col
                    for _ in 0..<rows {
                        let y = arca_fma_f32x16(arca_load_u8x16_as_f32(rp, mask), rk, arca_fma_f32x16(arca_i32_to_f32x16(src.load(as: Z.self)), m, bb))
                        arca_store_u8x16_in_range(arca_clamp_f32x16(y, lov, hiv), dst, mask)
                        dst += ldc
                        rp += ldc
                        src += 256
                    }
                } else {
                    for _ in 0..<rows {
                        let y = arca_clamp_f32x16(arca_fma_f32x16(arca_i32_to_f32x16(src.load(as: Z.self)), m, bb), lov, hiv)
                        arca_store_u8x16_in_range(y, dst, mask)
                        dst += ldc
                        src += 256
                    }
                }
            }
            return
        }
        // Through real values: one loop per activation, so that each compiles to straight-line
        // vector code (a switch per row kept the lanes on the stack).
        // The activation as a type (not `apply16` of a case: that stayed a call, the lanes
        // passed in four xmm registers).
        switch e.activation {
        case .hardSwish: finishReal(tile, rows: rows, row0: row0, blk, plan, e, c, ldc, LaneHardSwish())
        case .sigmoid: finishReal(tile, rows: rows, row0: row0, blk, plan, e, c, ldc, LaneSigmoid())
        case .tanh: finishReal(tile, rows: rows, row0: row0, blk, plan, e, c, ldc, LaneTanh())
        case .gelu: finishReal(tile, rows: rows, row0: row0, blk, plan, e, c, ldc, LaneGELU())
        case .none, .relu, .relu6, .reluN1To1:
            // Float output (uint8 output with a clamp took the path above).
            finishReal(tile, rows: rows, row0: row0, blk, plan, e, c, ldc, LaneClamp(lo: plan[8], hi: plan[9]))
        }
    }

    /// The epilogue through real values: `y = act(Float(acc) · m + b (+ residual))`, stored as
    /// float32, or as uint8 after `y · (1 / s_out) + z_out`.
    @inline(__always)
    static func finishReal<A: LaneActivation>(_ tile: UnsafePointer<Int32>, rows: Int, row0: Int, _ blk: QuantizedConvWeights.Block,
                                              _ plan: UnsafePointer<F>, _ e: QuantizedEpilogue, _ c: UnsafeMutableRawPointer, _ ldc: Int,
                                              _ act: A) {
        let raw = UnsafeRawPointer(tile)
        let k = F(repeating: e.output.map { 1 / $0.scale } ?? 1)
        let z = F(repeating: Float(e.output?.zeroPoint ?? 0))
        let (below, above) = (F(repeating: 0), F(repeating: 255))
        let rs = F(repeating: e.residual?.scale ?? 0)
        for vi in 0..<blk.vectors {
            let col = blk.n0 + vi * 16
            let mask: UInt16 = vi == blk.vectors - 1 ? blk.lastMask : 0xFFFF
            let (m, bb) = (plan[2 * vi], plan[2 * vi + 1])
            var src = raw + vi * 64
            // Byte offsets of row r's outputs (uint8 or float32) and residual bytes.
            let outStride = e.output != nil ? ldc : 4 * ldc
            var dst = c + (row0 * ldc + col) * (e.output != nil ? 1 : 4)
            var rp = e.residual.map { $0.pointer + row0 * ldc + col }
            for _ in 0..<rows {
                var y = arca_fma_f32x16(arca_i32_to_f32x16(src.load(as: Z.self)), m, bb)
                if let p = rp {
                    y = arca_fma_f32x16(arca_load_u8x16_as_f32(p, mask), rs, y)
                    rp = p + ldc
                }
                y = act(y)
                if e.output != nil {
                    arca_store_u8x16_in_range(arca_clamp_f32x16(arca_fma_f32x16(y, k, z), below, above), dst.assumingMemoryBound(to: UInt8.self), mask)
                } else if mask == 0xFFFF {
                    dst.storeBytes(of: y, as: F.self)
                } else {
                    arca_store_f32x16_masked(dst.assumingMemoryBound(to: Float.self), y, mask)
                }
                dst += outStride
                src += 256
            }
        }
    }
}

extension Activation {
    /// The activations that are a clamp, and their range (−inf...inf for none).
    var isClamp: Bool { self == .none || self == .relu || self == .relu6 || self == .reluN1To1 }
    var clampRange: (Float, Float) {
        switch self {
        case .relu: (0, .infinity)
        case .relu6: (0, 6)
        case .reluN1To1: (-1, 1)
        default: (-.infinity, .infinity)
        }
    }

    /// A clamp activation's bounds in uint8 output steps `y · k + z`, within 0...255 (k > 0, so
    /// `clamp(y, lo, hi) · k + z = clamp(y · k + z, lo · k + z, hi · k + z)`, and rounding commutes
    /// with the integer bounds 0 and 255): the byte store then needs no integer clamp.
    func clampInOutputSteps(k: Float, z: Float) -> (Float, Float) {
        let (lo, hi) = clampRange
        var qlo = Swift.max(0, lo * k + z), qhi = Swift.min(255, hi * k + z)
        if qlo.isNaN { qlo = 0 }
        if qhi.isNaN { qhi = 255 }
        return (qlo, qhi)
    }

    /// The activation on 16 lanes (the vector form of ``apply(_:)-swift.method``).
    @inline(__always)
    func apply16(_ x: SIMD16<Float>) -> SIMD16<Float> {
        switch self {
        case .none: x
        case .relu: x.replacing(with: 0, where: x .< 0)
        case .relu6: x.clamp(.zero, SIMD16(repeating: 6))
        case .reluN1To1: x.clamp(SIMD16(repeating: -1), SIMD16(repeating: 1))
        // vmaxps/vminps (Swift's SIMD clamp compares and blends); the same for non-NaN lanes.
        case .hardSwish: Self.hardSwish16(x)
        case .sigmoid: Vectorized.sigmoid(x)
        case .tanh: Vectorized.tanh(x)
        case .gelu: Vectorized.gelu(x)
        }
    }

    /// Hard swish on 16 lanes, `x · clamp(x + 3, 0, 6) / 6`.
    @inline(__always)
    static func hardSwish16(_ x: SIMD16<Float>) -> SIMD16<Float> {
        x * arca_clamp_f32x16(x + 3, .zero, SIMD16(repeating: 6)) * (1.0 / 6.0)
    }
}
