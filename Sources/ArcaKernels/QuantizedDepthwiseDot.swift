import CArcaCPU

/// The dot-product form of ``QuantizedDepthwiseConv2D`` (for AVX-512 VNNI): uint8 taps
/// times int8 weights summed exactly in int32 by `vpdpbusd`, four kernel columns per lane.
///
/// Each input row an output row reads is copied once into a padded byte row (the input's zero
/// point outside the image) and tap-interleaved (``arca_interleave4_u8``): with `C` channels and
/// dilation `d`, group `g` of interleaved row holds, at flat position `m = x·C + c`, the bytes
/// of columns `x + (4g + j)·d`, j < 4, of channel `c`. Output pixel `ox`, channel block `cb`
/// then reads the 64 bytes at `4·(ox·stride·C + 16·cb)` of every (kernel row, group) and
/// multiplies them with that block's packed weights (zero past `kW` and past `C`). Interleaved
/// rows live in a ring of `kH` slots per task, so each is built once per task.
///
/// The sums start at `−z_x · Σ_t q_w` (the zero point term: padding holds `z_x`), so
/// `Float(sum)` is the reference's integer sum exactly; then the ``QuantizedEpilogue`` order
/// (with fused multiply-adds).
extension QuantizedDepthwiseConv2D {
    typealias Z = SIMD8<Int64>

    /// One channel block's epilogue constants: `y = Float(acc) · mul + add`, the sums starting at
    /// `correction` (`−z_x · Σ_t q_w`).
    struct BlockConstants {
        var mul: F
        var add: F
        var correction: Z
    }

    static func runDot(_ w: QuantizedDepthwiseWeights, input: UnsafePointer<UInt8>, epilogue e: QuantizedEpilogue,
                       output: UnsafeMutableRawPointer, pool: ThreadPool) {
        let (lo, hi) = e.activation.clampRange
        if let o = e.output, e.activation.isClamp {
            // Output steps directly: `mul = s_x·s_w·k`, `add = bias·k + z` (k = 1/s_out), the
            // activation's clamp and the byte range as one clamp in output steps.
            let k = 1 / o.scale, z = Float(o.zeroPoint)
            let (qlo, qhi) = e.activation.clampInOutputSteps(k: k, z: z)
            dot(w, input: input, output: output, pool: pool, scale: k, shift: z,
                store: ClampedBytes(lo: F(repeating: qlo), hi: F(repeating: qhi)))
            return
        }
        switch e.activation {
        case .hardSwish: dotReal(w, input, e, output, pool, LaneHardSwish())
        case .sigmoid: dotReal(w, input, e, output, pool, LaneSigmoid())
        case .tanh: dotReal(w, input, e, output, pool, LaneTanh())
        case .gelu: dotReal(w, input, e, output, pool, LaneGELU())
        case .none, .relu, .relu6, .reluN1To1: dotReal(w, input, e, output, pool, LaneClamp(lo: F(repeating: lo), hi: F(repeating: hi)))
        }
    }

    /// The epilogue through real values: `y = act(Float(acc) · s_x·s_w + bias)`,
    /// stored as float32, or as uint8 after `y · (1 / s_out) + z_out`.
    @inline(__always)
    static func dotReal<A: LaneActivation>(_ w: QuantizedDepthwiseWeights, _ input: UnsafePointer<UInt8>, _ e: QuantizedEpilogue,
                                           _ output: UnsafeMutableRawPointer, _ pool: ThreadPool, _ act: A) {
        if let o = e.output {
            dot(w, input: input, output: output, pool: pool, scale: 1, shift: 0,
                store: RealBytes(act: act, k: F(repeating: 1 / o.scale), z: F(repeating: Float(o.zeroPoint))))
        } else {
            dot(w, input: input, output: output, pool: pool, scale: 1, shift: 0, store: RealFloats(act: act))
        }
    }

    /// Every output of the convolution through `store`; `scale`/`shift` fold into each block's
    /// constants (`mul = s_x·s_w·scale`, `add = bias·scale + shift`). Generic, not a closure, so
    /// that the store inlines into the task body.
    static func dot<S: DepthwiseStore>(_ w: QuantizedDepthwiseWeights, input: UnsafePointer<UInt8>, output: UnsafeMutableRawPointer,
                                       pool: ThreadPool, scale: Float, shift: Float, store: S) {
        let elementBytes = S.elementBytes
        let p = w.params
        let c = p.outC, kH = p.kH, groups = w.groups, s = p.strideW
        let taps = kH * groups
        // Flat positions of an interleaved row: the outputs' first columns and one block past.
        let span = ((p.outW - 1) * s + 1) * c
        let positions = (span + 16 + 63) / 64 * 64
        let shiftBytes = p.dilationW * c
        let paddedBytes = (positions + (4 * groups - 1) * shiftBytes + 64 + 63) / 64 * 64
        let slotBytes = 4 * positions + 64
        let scratchBytes = paddedBytes + kH * groups * slotBytes + 64
        // Few tasks (each builds kH − stride rows again): two per thread, by output rows.
        let tasksPerImage = Swift.max(1, Swift.min(p.outH, 2 * pool.threadCount))
        let rowsPerTask = (p.outH + tasksPerImage - 1) / tasksPerImage
        let bands = (p.outH + rowsPerTask - 1) / rowsPerTask
        let zero = UInt8(truncatingIfNeeded: w.inputZero)
        let lastMask: UInt16 = c % 16 == 0 ? 0xFFFF : UInt16((1 << (c % 16)) - 1)
        // Epilogue constants per channel block (per pattern vector on the flat path), once.
        let flat = w.flatPeriod > 0
        let constantCount = flat ? w.flatPeriod : w.blocks
        let (sv, zv) = (F(repeating: scale), F(repeating: shift))
        let (mul, add, cor) = flat ? (w.flatMultiplier!, w.flatBias!, w.flatCorrection!) : (w.multiplier, w.rawBias, w.correction)
        withUnsafeTemporaryAllocation(of: BlockConstants.self, capacity: constantCount) { buffer in
        guard let constants = buffer.baseAddress else { return }
        for i in 0..<constantCount {
            (constants + i).initialize(to: BlockConstants(mul: UnsafeRawPointer(mul + 16 * i).load(as: F.self) * sv,
                                                          add: UnsafeRawPointer(add + 16 * i).load(as: F.self) * sv + zv,
                                                          correction: arca_load_i32x16(cor + 16 * i)))
        }
        let shared = SendableBox((input, output, UnsafePointer(constants)))
        pool.parallelFor(count: p.batch * bands) { task in
            let (input, output, constants) = shared.value
            let n = task / bands
            let oy0 = (task % bands) * rowsPerTask, oy1 = Swift.min(p.outH, oy0 + rowsPerTask)
            let img = input + n * p.inH * p.inW * c
            Scratch.withFloats((scratchBytes + 3) / 4) { raw in
                let base = UnsafeMutableRawPointer(raw)
                let padded = base.assumingMemoryBound(to: UInt8.self)
                let slots = padded + paddedBytes
                withUnsafeTemporaryAllocation(of: Int.self, capacity: 3 * kH) { state in
                    guard let state = state.baseAddress else { return }
                    // held[i]: the input row slot i holds; claimed and slotOf: per output row.
                    let held = state, claimed = state + kH, slotOf = state + 2 * kH
                    held.update(repeating: Int.min, count: kH)
                    withUnsafeTemporaryAllocation(of: UnsafeRawPointer.self, capacity: taps) { rows in
                        guard let rows = rows.baseAddress else { return }
                        for oy in oy0..<oy1 {
                            claimed.update(repeating: 0, count: kH)
                            let first = oy * p.strideH - p.padTop
                            for ky in 0..<kH {
                                slotOf[ky] = -1
                                let iy = first + ky * p.dilationH
                                for i in 0..<kH where claimed[i] == 0 && held[i] == iy {
                                    claimed[i] = 1
                                    slotOf[ky] = i
                                    break
                                }
                            }
                            for ky in 0..<kH where slotOf[ky] < 0 {
                                guard let i = (0..<kH).first(where: { claimed[$0] == 0 }) else { return }
                                claimed[i] = 1
                                slotOf[ky] = i
                                let iy = first + ky * p.dilationH
                                held[i] = iy
                                fill(padded, count: paddedBytes, row: iy, of: img, p, zero: zero)
                                for g in 0..<groups {
                                    arca_interleave4_u8(padded + g * 4 * shiftBytes, shiftBytes,
                                                        slots + (i * groups + g) * slotBytes, positions)
                                }
                            }
                            for ky in 0..<kH {
                                for g in 0..<groups { rows[ky * groups + g] = UnsafeRawPointer(slots + (slotOf[ky] * groups + g) * slotBytes) }
                            }
                            let out = output + (n * p.outH + oy) * p.outW * c * elementBytes
                            if flat {
                                outputRowFlat(w, rows: UnsafePointer(rows), taps: taps, constants: constants, out: out,
                                              elementBytes: elementBytes, store: store)
                            } else {
                                outputRow(w, rows: UnsafePointer(rows), taps: taps, constants: constants, out: out,
                                          elementBytes: elementBytes, lastMask: lastMask, store: store)
                            }
                        }
                    }
                }
            }
        }
        }
    }

    /// Input row `iy` as bytes from padding column 0: `zero` outside the image.
    @inline(__always)
    static func fill(_ dst: UnsafeMutablePointer<UInt8>, count: Int, row iy: Int, of img: UnsafePointer<UInt8>,
                     _ p: DepthwiseConv2DParams, zero: UInt8) {
        let c = p.inC
        guard iy >= 0, iy < p.inH else {
            dst.update(repeating: zero, count: count)
            return
        }
        let left = Swift.min(p.padLeft * c, count)
        let inside = Swift.max(0, Swift.min(p.inW * c, count - left))
        dst.update(repeating: zero, count: left)
        (dst + left).update(from: img + iy * p.inW * c, count: inside)
        (dst + left + inside).update(repeating: zero, count: count - left - inside)
    }

    /// One output row, block by block, four pixels at a time (independent accumulators sharing
    /// each weight load).
    @inline(__always)
    static func outputRow<S: DepthwiseStore>(_ w: QuantizedDepthwiseWeights, rows: UnsafePointer<UnsafeRawPointer>, taps: Int,
                                             constants: UnsafePointer<BlockConstants>, out: UnsafeMutableRawPointer,
                                             elementBytes: Int, lastMask: UInt16, store: S) {
        let p = w.params
        let c = p.outC, outW = p.outW, pixelStep = p.strideW * c
        let step = 4 * pixelStep
        for cb in 0..<w.blocks {
            let col = cb * 16
            let b = constants[cb]
            let mask = cb == w.blocks - 1 ? lastMask : 0xFFFF
            let wt = UnsafeRawPointer(w.taps + cb * taps * 64)
            var ox = 0
            while ox + 4 <= outW {
                var a0 = b.correction, a1 = b.correction, a2 = b.correction, a3 = b.correction
                let offset = 4 &* (ox &* pixelStep &+ col)
                for t in 0..<taps {
                    let wv = arca_load_i32x16(wt + t * 64)
                    let r = rows[t] + offset
                    a0 = arca_dpbusd(a0, arca_load_i32x16(r), wv)
                    a1 = arca_dpbusd(a1, arca_load_i32x16(r + step), wv)
                    a2 = arca_dpbusd(a2, arca_load_i32x16(r + 2 * step), wv)
                    a3 = arca_dpbusd(a3, arca_load_i32x16(r + 3 * step), wv)
                }
                let dst = out + (ox * c + col) * elementBytes
                let next = c * elementBytes
                store.store(a0, b, dst, mask)
                store.store(a1, b, dst + next, mask)
                store.store(a2, b, dst + 2 * next, mask)
                store.store(a3, b, dst + 3 * next, mask)
                ox += 4
            }
            while ox < outW {
                var a = b.correction
                let offset = 4 &* (ox &* pixelStep &+ col)
                for t in 0..<taps { a = arca_dpbusd(a, arca_load_i32x16(rows[t] + offset), arca_load_i32x16(wt + t * 64)) }
                store.store(a, b, out + (ox * c + col) * elementBytes, mask)
                ox += 1
            }
        }
    }
}

extension QuantizedDepthwiseConv2D {
    /// One output row of a stride-1 convolution as a flat run of `outW · C` values, 16 at a
    /// time: vector `i` reads the 64 bytes at `64 i` of every interleaved row and takes pattern
    /// vector `i mod flatPeriod`'s taps and constants (no lanes lost to a channel count that is
    /// not a multiple of 16). Vectors of one pattern go four at a time (i, i + P, i + 2P,
    /// i + 3P), sharing each weight load and the constants: the loads, not the `vpdpbusd`s,
    /// are what bounds this loop.
    @inline(__always)
    static func outputRowFlat<S: DepthwiseStore>(_ w: QuantizedDepthwiseWeights, rows: UnsafePointer<UnsafeRawPointer>, taps: Int,
                                                 constants: UnsafePointer<BlockConstants>, out: UnsafeMutableRawPointer,
                                                 elementBytes: Int, store: S) {
        let p = w.params
        let total = p.outW * p.outC
        let period = w.flatPeriod
        guard let flatTaps = w.flatTaps else { return }
        let vectors = (total + 15) / 16, full = total / 16
        let perVector = taps * 64
        let jump = 64 * period, outJump = 16 * period * elementBytes
        for v in 0..<Swift.min(period, vectors) {
            let b = constants[v]
            let wt = UnsafeRawPointer(flatTaps) + v * perVector
            var i = v
            while i + 3 * period < full {
                var a0 = b.correction, a1 = b.correction, a2 = b.correction, a3 = b.correction
                let offset = 64 &* i
                for t in 0..<taps {
                    let wv = arca_load_i32x16(wt + t &* 64)
                    let r = rows[t] + offset
                    a0 = arca_dpbusd(a0, arca_load_i32x16(r), wv)
                    a1 = arca_dpbusd(a1, arca_load_i32x16(r + jump), wv)
                    a2 = arca_dpbusd(a2, arca_load_i32x16(r + 2 &* jump), wv)
                    a3 = arca_dpbusd(a3, arca_load_i32x16(r + 3 &* jump), wv)
                }
                let dst = out + 16 &* i &* elementBytes
                store.store(a0, b, dst, 0xFFFF)
                store.store(a1, b, dst + outJump, 0xFFFF)
                store.store(a2, b, dst + 2 &* outJump, 0xFFFF)
                store.store(a3, b, dst + 3 &* outJump, 0xFFFF)
                i += 4 * period
            }
            while i < vectors {
                let lanes = Swift.min(16, total - 16 * i)
                let mask: UInt16 = lanes == 16 ? 0xFFFF : UInt16((1 << lanes) - 1)
                var a = b.correction
                for t in 0..<taps { a = arca_dpbusd(a, arca_load_i32x16(rows[t] + 64 &* i), arca_load_i32x16(wt + t &* 64)) }
                store.store(a, b, out + 16 &* i &* elementBytes, mask)
                i += period
            }
        }
    }
}

/// How the dot-product depthwise stores one pixel's channel block from its int32 sums.
protocol DepthwiseStore {
    static var elementBytes: Int { get }
    func store(_ acc: SIMD8<Int64>, _ b: QuantizedDepthwiseConv2D.BlockConstants, _ dst: UnsafeMutableRawPointer, _ mask: UInt16)
}

/// uint8 output of a clamp activation, the constants already in output steps.
struct ClampedBytes: DepthwiseStore {
    var lo: SIMD16<Float>, hi: SIMD16<Float>
    static var elementBytes: Int { 1 }
    @inline(__always)
    func store(_ acc: SIMD8<Int64>, _ b: QuantizedDepthwiseConv2D.BlockConstants, _ dst: UnsafeMutableRawPointer, _ mask: UInt16) {
        let y = arca_fma_f32x16(arca_i32_to_f32x16(acc), b.mul, b.add)
        arca_store_u8x16_in_range(arca_clamp_f32x16(y, lo, hi), dst.assumingMemoryBound(to: UInt8.self), mask)
    }
}

/// uint8 output through real values: `act(y) · k + z`.
struct RealBytes<A: LaneActivation>: DepthwiseStore {
    var act: A, k: SIMD16<Float>, z: SIMD16<Float>
    static var elementBytes: Int { 1 }
    @inline(__always)
    func store(_ acc: SIMD8<Int64>, _ b: QuantizedDepthwiseConv2D.BlockConstants, _ dst: UnsafeMutableRawPointer, _ mask: UInt16) {
        let y = act(arca_fma_f32x16(arca_i32_to_f32x16(acc), b.mul, b.add))
        arca_store_u8x16_in_range(arca_clamp_f32x16(arca_fma_f32x16(y, k, z), SIMD16(repeating: 0), SIMD16(repeating: 255)),
                                  dst.assumingMemoryBound(to: UInt8.self), mask)
    }
}

/// float32 output: `act(y)`.
struct RealFloats<A: LaneActivation>: DepthwiseStore {
    var act: A
    static var elementBytes: Int { 4 }
    @inline(__always)
    func store(_ acc: SIMD8<Int64>, _ b: QuantizedDepthwiseConv2D.BlockConstants, _ dst: UnsafeMutableRawPointer, _ mask: UInt16) {
        let y = act(arca_fma_f32x16(arca_i32_to_f32x16(acc), b.mul, b.add))
        if mask == 0xFFFF { dst.storeBytes(of: y, as: SIMD16<Float>.self) }
        else { arca_store_f32x16_masked(dst.assumingMemoryBound(to: Float.self), y, mask) }
    }
}

/// An activation on 16 lanes as a type, for generic kernels to specialize on
/// (``Activation/apply16(_:)`` of one case, without its switch: kernels that call `apply16`
/// on a case may keep it a call).
protocol LaneActivation {
    func callAsFunction(_ x: SIMD16<Float>) -> SIMD16<Float>
}

struct LaneHardSwish: LaneActivation {
    @inline(__always) func callAsFunction(_ x: SIMD16<Float>) -> SIMD16<Float> { Activation.hardSwish16(x) }
}

struct LaneSigmoid: LaneActivation {
    @inline(__always) func callAsFunction(_ x: SIMD16<Float>) -> SIMD16<Float> { Vectorized.sigmoid(x) }
}

struct LaneTanh: LaneActivation {
    @inline(__always) func callAsFunction(_ x: SIMD16<Float>) -> SIMD16<Float> { Vectorized.tanh(x) }
}

struct LaneGELU: LaneActivation {
    @inline(__always) func callAsFunction(_ x: SIMD16<Float>) -> SIMD16<Float> { Vectorized.gelu(x) }
}

/// none, ReLU, ReLU6, ReLU-1..1: a clamp.
struct LaneClamp: LaneActivation {
    var lo: SIMD16<Float>, hi: SIMD16<Float>
    @inline(__always) func callAsFunction(_ x: SIMD16<Float>) -> SIMD16<Float> { arca_clamp_f32x16(x, lo, hi) }
}
