import CArcaCPU

/// Elementwise kernels of uint8 activations: quantize, dequantize, add. Each has a scalar
/// definition in ``Reference`` with the same order of operations.
public enum QuantizedElementwise {
    typealias F = SIMD16<Float>

    /// `q = clamp(round_half_even(x · (1/scale) + zeroPoint), 0, 255)`, NaN → zeroPoint.
    public static func quantize(_ x: UnsafePointer<Float>, count: Int, scale: Float, zeroPoint: Int,
                                output: UnsafeMutablePointer<UInt8>, pool: ThreadPool) {
        parallel(count, pool) { i0, i1 in
            let inv = F(repeating: 1 / scale), z = F(repeating: Float(zeroPoint))
            var i = i0
            while i + 16 <= i1 {
                var v = UnsafeRawPointer(x + i).loadUnaligned(as: F.self) * inv + z
                v = v.replacing(with: Float(zeroPoint), where: v .!= v).clamp(F(repeating: -1), F(repeating: 256))
                arca_store_u8x16_from_f32(v, output + i, 0xFFFF)
                i += 16
            }
            while i < i1 { output[i] = QuantizedEpilogue.quantize(x[i], scale, zeroPoint); i += 1 }
        }
    }

    /// `x = scale · (q − zeroPoint)`.
    public static func dequantize(_ q: UnsafePointer<UInt8>, count: Int, scale: Float, zeroPoint: Int,
                                  output: UnsafeMutablePointer<Float>, pool: ThreadPool) {
        parallel(count, pool) { i0, i1 in
            let s = F(repeating: scale), z = F(repeating: Float(zeroPoint))
            var i = i0
            while i + 16 <= i1 {
                let v = (arca_load_u8x16_as_f32(q + i, 0xFFFF) - z) * s
                UnsafeMutableRawPointer(output + i).storeBytes(of: v, as: F.self)
                i += 16
            }
            while i < i1 { output[i] = scale * Float(Int(q[i]) - zeroPoint); i += 1 }
        }
    }

    /// `y = act(s_a · (a − z_a) + s_b · (b − z_b))` in float32: the sum of two uint8 values
    /// wanted as float (one pass where two dequantizes and a float add made three, each
    /// writing or reading four bytes per element). The sums equal those of
    /// ``dequantize(_:count:scale:zeroPoint:output:pool:)`` of both, then a float add, to the bit.
    public static func addToFloat(_ a: UnsafePointer<UInt8>, _ b: UnsafePointer<UInt8>, count: Int,
                                  a qa: (scale: Float, zeroPoint: Int), b qb: (scale: Float, zeroPoint: Int),
                                  activation: Activation, into y: UnsafeMutablePointer<Float>, pool: ThreadPool) {
        parallel(count, pool) { i0, i1 in
            let sa = F(repeating: qa.scale), za = F(repeating: Float(qa.zeroPoint))
            let sb = F(repeating: qb.scale), zb = F(repeating: Float(qb.zeroPoint))
            var i = i0
            func loop<A: LaneActivation>(_ act: A) {
                while i + 16 <= i1 {
                    let x = (arca_load_u8x16_as_f32(a + i, 0xFFFF) - za) * sa + (arca_load_u8x16_as_f32(b + i, 0xFFFF) - zb) * sb
                    UnsafeMutableRawPointer(y + i).storeBytes(of: act(x), as: F.self)
                    i += 16
                }
            }
            switch activation {
            case .hardSwish: loop(LaneHardSwish())
            case .sigmoid: loop(LaneSigmoid())
            case .tanh: loop(LaneTanh())
            case .gelu: loop(LaneGELU())
            case .none, .relu, .relu6, .reluN1To1:
                let (lo, hi) = activation.clampRange
                loop(LaneClamp(lo: F(repeating: lo), hi: F(repeating: hi)))
            }
            while i < i1 {
                y[i] = activation.apply(qa.scale * Float(Int(a[i]) - qa.zeroPoint) + qb.scale * Float(Int(b[i]) - qb.zeroPoint))
                i += 1
            }
        }
    }

    /// `y = quantize_out(act(s_a · (a − z_a) + s_b · (b − z_b)))`. Clamp activations run in
    /// output steps: `y = a · (s_a/s_o) + b · (s_b/s_o) + c` then a clamp (two multiply-adds
    /// per 16 bytes); others through real values.
    public static func add(_ a: UnsafePointer<UInt8>, _ b: UnsafePointer<UInt8>, count: Int,
                           a qa: (scale: Float, zeroPoint: Int), b qb: (scale: Float, zeroPoint: Int),
                           output qo: (scale: Float, zeroPoint: Int), activation: Activation,
                           into y: UnsafeMutablePointer<UInt8>, pool: ThreadPool) {
        let k = 1 / qo.scale
        let ka = qa.scale * k, kb = qb.scale * k
        let offset = Float(qo.zeroPoint) - Float(qa.zeroPoint) * ka - Float(qb.zeroPoint) * kb
        let (lo, hi) = activation.clampRange
        let qlo = Swift.max(-1, lo * k + Float(qo.zeroPoint)), qhi = Swift.min(256, hi * k + Float(qo.zeroPoint))
        let clampOnly = activation.isClamp
        parallel(count, pool) { i0, i1 in
            let sa = F(repeating: qa.scale), za = F(repeating: Float(qa.zeroPoint))
            let sb = F(repeating: qb.scale), zb = F(repeating: Float(qb.zeroPoint))
            let inv = F(repeating: k), zo = F(repeating: Float(qo.zeroPoint))
            let kav = F(repeating: ka), kbv = F(repeating: kb), off = F(repeating: offset)
            let lov = F(repeating: qlo), hiv = F(repeating: qhi)
            var i = i0
            if clampOnly {
                while i + 16 <= i1 {
                    let v = arca_load_u8x16_as_f32(a + i, 0xFFFF) * kav + (arca_load_u8x16_as_f32(b + i, 0xFFFF) * kbv + off)
                    arca_store_u8x16_from_f32(v.clamp(lov, hiv), y + i, 0xFFFF)
                    i += 16
                }
            } else {
                // Through real values, one loop per activation type (`apply16` of a case stayed a call).
                func loop<A: LaneActivation>(_ act: A) {
                    while i + 16 <= i1 {
                        let x = (arca_load_u8x16_as_f32(a + i, 0xFFFF) - za) * sa + (arca_load_u8x16_as_f32(b + i, 0xFFFF) - zb) * sb
                        let v = (act(x) * inv + zo).clamp(F(repeating: -1), F(repeating: 256))
                        arca_store_u8x16_from_f32(v, y + i, 0xFFFF)
                        i += 16
                    }
                }
                switch activation {
                case .hardSwish: loop(LaneHardSwish())
                case .sigmoid: loop(LaneSigmoid())
                case .tanh: loop(LaneTanh())
                case .gelu: loop(LaneGELU())
                case .none, .relu, .relu6, .reluN1To1: break  // the clamp path above
                }
            }
            while i < i1 {
                let x = qa.scale * Float(Int(a[i]) - qa.zeroPoint) + qb.scale * Float(Int(b[i]) - qb.zeroPoint)
                y[i] = QuantizedEpilogue.quantize(activation.apply(x), qo.scale, qo.zeroPoint)
                i += 1
            }
        }
    }

    /// Splits `count` elements into tasks of at least 16K, boundaries on multiples of 16.
    @inline(__always)
    static func parallel(_ count: Int, _ pool: ThreadPool, _ body: (Int, Int) -> Void) {
        let tasks = max(1, min(pool.threadCount * 2, count / 16_384))
        pool.parallelFor(count: tasks) { t in
            let i0 = t * count / tasks / 16 * 16, i1 = t == tasks - 1 ? count : (t + 1) * count / tasks / 16 * 16
            body(i0, i1)
        }
    }
}

extension QuantizedElementwise {
    /// `y[n, p, c] = quantize_out(s_x · (x[n, p, c] − z_x) · gate[n, c])` over `pixels` pixels of
    /// `channels` per image: one multiply-add per 16 bytes with per-channel constants.
    public static func scaleChannels(_ x: UnsafePointer<UInt8>, gate: UnsafePointer<Float>, batch: Int, pixels: Int, channels c: Int,
                                     input qi: (scale: Float, zeroPoint: Int), output qo: (scale: Float, zeroPoint: Int),
                                     into y: UnsafeMutablePointer<UInt8>, pool: ThreadPool) {
        let rowsPerTask = max(1, 16_384 / max(1, c))
        let tasksPerImage = (pixels + rowsPerTask - 1) / rowsPerTask
        let k = qi.scale / qo.scale
        let shared = SendableBox((x, gate, y))
        pool.parallelFor(count: batch * tasksPerImage) { task in
            let (x, gate, y) = shared.value
            let n = task / tasksPerImage
            let p0 = (task % tasksPerImage) * rowsPerTask, p1 = min(pixels, p0 + rowsPerTask)
            StackBuffer.withBytes(4 * (2 * c + 32)) { raw in
                let mult = raw.assumingMemoryBound(to: Float.self)
                let add = mult + c + 16
                for ch in 0..<c {
                    mult[ch] = k * gate[n * c + ch]
                    add[ch] = Float(qo.zeroPoint) - Float(qi.zeroPoint) * mult[ch]
                }
                for px in p0..<p1 {
                    let src = x + (n * pixels + px) * c, dst = y + (n * pixels + px) * c
                    if c >= 16 {
                        var ch = 0
                        while ch < c {
                            let cb = Swift.min(ch, c - 16)
                            let v = arca_load_u8x16_as_f32(src + cb, 0xFFFF) * UnsafeRawPointer(mult + cb).loadUnaligned(as: F.self)
                                + UnsafeRawPointer(add + cb).loadUnaligned(as: F.self)
                            arca_store_u8x16_from_f32(v.clamp(F(repeating: -1), F(repeating: 256)), dst + cb, 0xFFFF)
                            ch += 16
                        }
                    } else {
                        for ch in 0..<c {
                            let v = (Float(src[ch]) * mult[ch] + add[ch]).rounded(.toNearestOrEven)
                            dst[ch] = v.isNaN ? UInt8(qo.zeroPoint) : UInt8(Swift.max(0, Swift.min(255, v)))
                        }
                    }
                }
            }
        }
    }
}
