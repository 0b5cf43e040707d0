import ArcaTensor
import CArcaCPU

/// Depthwise weights of a statically quantized convolution, in the two forms the kernels take.
///
/// Widened (float) path: `w[t][c] = s_x · s_w[c] · q_w[t][c]` and `bias[c] − z_x · Σ_t w[t][c]`.
/// Dot-product path: the int8 taps per 16-channel block, kernel row and group of four kernel
/// columns (16 channels x 4 bytes, zero past `kW` and past the channels), and per channel
/// (padded to whole blocks) `s_x · s_w[c]`, `−z_x · Σ_t q_w[t][c]` and the bias.
public final class QuantizedDepthwiseWeights: @unchecked Sendable {
    public let params: DepthwiseConv2DParams
    let weights: UnsafeMutablePointer<Float>
    let bias: UnsafeMutablePointer<Float>
    let inputZero: Int
    let groups: Int, blocks: Int
    let taps: UnsafeMutablePointer<Int8>
    let multiplier: UnsafeMutablePointer<Float>
    let correction: UnsafeMutablePointer<Int32>
    let rawBias: UnsafeMutablePointer<Float>
    /// Stride 1 with few distinct channel patterns: a row of outputs is one flat run of
    /// `outW · C` values, and 16-lane vector `i` of it has channels `(16i + lane) mod C`; the
    /// pattern repeats every `flatPeriod` vectors (lcm(16, C) / 16). Taps per (pattern vector,
    /// kernel row, column group), and the per-lane multiplier, correction and bias; nil if
    /// the stride is not 1 or the period is over 32 vectors.
    let flatPeriod: Int
    let flatTaps: UnsafeMutablePointer<Int8>?
    let flatMultiplier: UnsafeMutablePointer<Float>?
    let flatCorrection: UnsafeMutablePointer<Int32>?
    let flatBias: UnsafeMutablePointer<Float>?
    private let count: Int

    init(_ p: DepthwiseConv2DParams, weights q: UnsafePointer<Int8>, scales: UnsafePointer<Float>, bias b: UnsafePointer<Float>?,
         inputScale: Float, inputZero: Int) {
        params = p
        let c = p.outC, taps = p.kH * p.kW
        count = taps * c
        weights = .allocate(capacity: max(1, count))
        bias = .allocate(capacity: c)
        self.inputZero = inputZero
        for ch in 0..<c {
            let s = inputScale * scales[ch]
            var sum: Float = 0
            for t in 0..<taps {
                let w = Float(q[t * c + ch]) * s
                weights[t * c + ch] = w
                sum += w
            }
            bias[ch] = (b?[ch] ?? 0) - Float(inputZero) * sum
        }
        groups = (p.kW + 3) / 4
        blocks = (c + 15) / 16
        let lanes = blocks * 16
        self.taps = .allocate(capacity: max(1, blocks * p.kH * groups * 64))
        self.taps.initialize(repeating: 0, count: max(1, blocks * p.kH * groups * 64))
        multiplier = .allocate(capacity: lanes)
        multiplier.initialize(repeating: 0, count: lanes)
        correction = .allocate(capacity: lanes)
        correction.initialize(repeating: 0, count: lanes)
        rawBias = .allocate(capacity: lanes)
        rawBias.initialize(repeating: 0, count: lanes)
        for ch in 0..<c {
            let (cb, lane) = ch.quotientAndRemainder(dividingBy: 16)
            var sum = 0
            for ky in 0..<p.kH {
                for kx in 0..<p.kW {
                    let v = q[(ky * p.kW + kx) * c + ch]
                    sum += Int(v)
                    self.taps[((cb * p.kH + ky) * groups + kx / 4) * 64 + lane * 4 + kx % 4] = v
                }
            }
            multiplier[ch] = inputScale * scales[ch]
            correction[ch] = Int32(-inputZero * sum)
            rawBias[ch] = b?[ch] ?? 0
        }
        let period = QuantizedDirectGEMM.lcm(16, c) / 16
        if p.strideW == 1 && period <= 32 {
            flatPeriod = period
            let perVector = p.kH * groups * 64
            let taps = UnsafeMutablePointer<Int8>.allocate(capacity: period * perVector)
            let mult = UnsafeMutablePointer<Float>.allocate(capacity: period * 16)
            let corr = UnsafeMutablePointer<Int32>.allocate(capacity: period * 16)
            let bias = UnsafeMutablePointer<Float>.allocate(capacity: period * 16)
            for v in 0..<period {
                for lane in 0..<16 {
                    let (cb, cl) = ((16 * v + lane) % c).quotientAndRemainder(dividingBy: 16)
                    mult[16 * v + lane] = multiplier[16 * cb + cl]
                    corr[16 * v + lane] = correction[16 * cb + cl]
                    bias[16 * v + lane] = rawBias[16 * cb + cl]
                    for t in 0..<(p.kH * groups) {
                        for j in 0..<4 { taps[v * perVector + t * 64 + lane * 4 + j] = self.taps[(cb * p.kH * groups + t) * 64 + cl * 4 + j] }
                    }
                }
            }
            (flatTaps, flatMultiplier, flatCorrection, flatBias) = (taps, mult, corr, bias)
        } else {
            flatPeriod = 0
            (flatTaps, flatMultiplier, flatCorrection, flatBias) = (nil, nil, nil, nil)
        }
    }

    deinit {
        weights.deallocate()
        bias.deallocate()
        taps.deallocate()
        multiplier.deallocate()
        correction.deallocate()
        rawBias.deallocate()
        flatTaps?.deallocate()
        flatMultiplier?.deallocate()
        flatCorrection?.deallocate()
        flatBias?.deallocate()
    }
}

/// Statically quantized depthwise 2-D convolution, NHWC, uint8 in and uint8 (or float32) out.
///
/// With AVX-512 VNNI, the dot-product form (``runDot(_:input:epilogue:output:pool:)``): integer
/// sums by `vpdpbusd` over tap-interleaved byte rows, exactly the integer definition
/// (``Reference/quantizedDepthwiseConv2d(_:input:inputScale:inputZero:weights:scales:bias:epilogue:output:)``)
/// before the epilogue. Elsewhere, per output row: the `kH` input rows it reads are widened to
/// float32 in an L1 scratch, with the zero point in the padding columns and rows (so padding
/// adds nothing once the bias has absorbed `z_x · Σ w`); the float ``DepthwiseConv2D`` row
/// kernel runs on them with the dequantized weights, all pixels interior; the row is activated
/// and requantized. Those sums are float32 over exact products of bytes and dequantized
/// weights: within float rounding of the integer definition.
///
/// Preconditions: `params.isValid`, multiplier 1, buffers sized for the params' shapes.
public enum QuantizedDepthwiseConv2D {
    typealias F = SIMD16<Float>

    public static func prepare(_ p: DepthwiseConv2DParams, weights: UnsafePointer<Int8>, scales: UnsafePointer<Float>,
                               bias: UnsafePointer<Float>?, inputScale: Float, inputZero: Int) -> QuantizedDepthwiseWeights {
        QuantizedDepthwiseWeights(p, weights: weights, scales: scales, bias: bias, inputScale: inputScale, inputZero: inputZero)
    }

    public static func run(_ w: QuantizedDepthwiseWeights, input: UnsafePointer<UInt8>, epilogue: QuantizedEpilogue,
                           output: UnsafeMutableRawPointer, pool: ThreadPool) {
        if CPU.avx512VNNI && w.params.multiplier == 1 {
            runDot(w, input: input, epilogue: epilogue, output: output, pool: pool)
        } else {
            runWidened(w, input: input, epilogue: epilogue, output: output, pool: pool)
        }
    }

    /// Widened rows through the float row kernel (machines without `vpdpbusd`, where the
    /// dot-product form's emulation is slower than float FMAs).
    static func runWidened(_ w: QuantizedDepthwiseWeights, input: UnsafePointer<UInt8>, epilogue: QuantizedEpilogue,
                           output: UnsafeMutableRawPointer, pool: ThreadPool) {
        let p = w.params
        let c = p.outC
        // The padded rows: every output column's taps inside.
        let paddedW = (p.outW - 1) * p.strideW + (p.kW - 1) * p.dilationW + 1
        // Tasks of up to 8 output rows: their input rows (overlapping by kH − strideH) are
        // widened once per task into one padded float image that the row kernel walks.
        let rowsPerTask = max(1, min(p.outH, 8))
        let tasksPerImage = (p.outH + rowsPerTask - 1) / rowsPerTask
        let span = (rowsPerTask - 1) * p.strideH + (p.kH - 1) * p.dilationH + 1
        let shared = SendableBox((input, output, epilogue))
        pool.parallelFor(count: p.batch * tasksPerImage) { task in
            let (input, output, epilogue) = shared.value
            let n = task / tasksPerImage
            let oy0 = (task % tasksPerImage) * rowsPerTask, oy1 = min(p.outH, oy0 + rowsPerTask)
            let img = input + n * p.inH * p.inW * c
            let first = oy0 * p.strideH - p.padTop
            let rowsNeeded = (oy1 - 1 - oy0) * p.strideH + (p.kH - 1) * p.dilationH + 1
            Scratch.withFloats(span * paddedW * c + p.outW * c + 16) { rows in
                let outRow = rows + span * paddedW * c
                for r in 0..<rowsNeeded {
                    widen(img, p: p, row: first + r, paddedW: paddedW, zero: w.inputZero, into: rows + r * paddedW * c)
                }
                let virtual = DepthwiseConv2DParams(batch: 1, inH: rowsNeeded, inW: paddedW, inC: c, kH: p.kH, kW: p.kW,
                                                    strideH: p.strideH, strideW: p.strideW, dilationH: p.dilationH, dilationW: p.dilationW)
                for oy in oy0..<oy1 {
                    DepthwiseConv2D.row(virtual, image: UnsafePointer(rows), pixelStride: c, weights: UnsafePointer(w.weights),
                                        bias: UnsafePointer(w.bias), oy: oy - oy0, out: outRow)
                    finish(outRow, count: p.outW * c, epilogue, output, (n * p.outH + oy) * p.outW * c)
                }
            }
        }
    }

    /// Input row `iy` as floats over the padded width: `zero` outside the image (and for a row
    /// outside it), the bytes inside.
    @inline(__always)
    static func widen(_ img: UnsafePointer<UInt8>, p: DepthwiseConv2DParams, row iy: Int, paddedW: Int, zero: Int,
                      into dst: UnsafeMutablePointer<Float>) {
        let c = p.inC
        let z = Float(zero)
        guard iy >= 0, iy < p.inH else {
            dst.update(repeating: z, count: paddedW * c)
            return
        }
        let left = min(p.padLeft, paddedW), inside = max(0, min(p.inW, paddedW - left))
        dst.update(repeating: z, count: left * c)
        let src = img + iy * p.inW * c
        let d = dst + left * c
        let n = inside * c
        var i = 0
        while i + 16 <= n {
            UnsafeMutableRawPointer(d + i).storeBytes(of: arca_load_u8x16_as_f32(src + i, 0xFFFF), as: F.self)
            i += 16
        }
        while i < n { d[i] = Float(src[i]); i += 1 }
        let right = paddedW - left - inside
        if right > 0 { (d + n).update(repeating: z, count: right * c) }
    }

    /// Activates and stores one output row (uint8 requantized, or float32).
    @inline(__always)
    static func finish(_ row: UnsafeMutablePointer<Float>, count: Int, _ e: QuantizedEpilogue,
                       _ output: UnsafeMutableRawPointer, _ index: Int) {
        let (lo, hi) = e.activation.clampRange
        let lov = F(repeating: lo), hiv = F(repeating: hi)
        let clampOnly = e.activation.isClamp
        guard let o = e.output else {
            let dst = output.assumingMemoryBound(to: Float.self) + index
            var i = 0
            while i + 16 <= count {
                let y = UnsafeRawPointer(row + i).loadUnaligned(as: F.self)
                UnsafeMutableRawPointer(dst + i).storeBytes(of: clampOnly ? y.clamp(lov, hiv) : e.activation.apply16(y), as: F.self)
                i += 16
            }
            while i < count { dst[i] = e.activation.apply(row[i]); i += 1 }
            return
        }
        let dst = output.assumingMemoryBound(to: UInt8.self) + index
        let k = 1 / o.scale, z = Float(o.zeroPoint)
        let inv = F(repeating: k), zo = F(repeating: z)
        var i = 0
        if clampOnly {
            // The activation's clamp and the byte range as one clamp in output steps: vmaxps,
            // vminps, then the rounding byte store.
            let (qlo, qhi) = e.activation.clampInOutputSteps(k: k, z: z)
            let qlov = F(repeating: qlo), qhiv = F(repeating: qhi)
            while i + 16 <= count {
                let y = UnsafeRawPointer(row + i).loadUnaligned(as: F.self) * inv + zo
                arca_store_u8x16_in_range(arca_clamp_f32x16(y, qlov, qhiv), dst + i, 0xFFFF)
                i += 16
            }
        } else {
            let byteLo = F(repeating: 0), byteHi = F(repeating: 255)
            while i + 16 <= count {
                let y = e.activation.apply16(UnsafeRawPointer(row + i).loadUnaligned(as: F.self)) * inv + zo
                arca_store_u8x16_from_f32(arca_clamp_f32x16(y, byteLo, byteHi), dst + i, 0xFFFF)
                i += 16
            }
        }
        while i < count { dst[i] = QuantizedEpilogue.quantize(e.activation.apply(row[i]), o.scale, o.zeroPoint); i += 1 }
    }
}

extension QuantizedEpilogue {
    /// `clamp(round_half_even(y · (1/scale) + zeroPoint), 0, 255)` (NaN to the zero point).
    @inline(__always)
    public static func quantize(_ y: Float, _ scale: Float, _ zeroPoint: Int) -> UInt8 {
        let v = (y * (1 / scale) + Float(zeroPoint)).rounded(.toNearestOrEven)
        if v.isNaN { return UInt8(zeroPoint) }
        return UInt8(Swift.max(0, Swift.min(255, v)))
    }
}
