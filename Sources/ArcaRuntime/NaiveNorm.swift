import ArcaKernels
import ArcaTensor
import Foundation

/// Reads element `i` of a buffer of any dtype as a `Float` (masks, casts).
@inline(__always)
func loadFloat(_ p: UnsafeRawPointer, _ dtype: DType, _ i: Int) -> Float {
    switch dtype {
    case .float32: p.load(fromByteOffset: i * 4, as: Float.self)
    case .float16: Float(p.load(fromByteOffset: i * 2, as: Float16.self))
    case .int8: Float(p.load(fromByteOffset: i, as: Int8.self))
    case .uint8, .bool: Float(p.load(fromByteOffset: i, as: UInt8.self))
    case .int32: Float(p.load(fromByteOffset: i * 4, as: Int32.self))
    case .int64: Float(p.load(fromByteOffset: i * 8, as: Int64.self))
    }
}

/// Plain loops for ops that have no kernel in ArcaKernels yet (softmax on a
/// non-last axis, l2 normalisation, masked mean, attention for the reference).
/// Preconditions: buffers hold the sizes the arguments imply.
enum NaiveKernels {
    /// Softmax over the middle axis of `[outer, axis, inner]`.
    static func softmax(outer: Int, axis: Int, inner: Int, input: UnsafePointer<Float>, output: UnsafeMutablePointer<Float>) {
        for o in 0..<outer {
            for i in 0..<inner {
                let base = o * axis * inner + i
                var m = -Float.infinity
                for a in 0..<axis { m = max(m, input[base + a * inner]) }
                var s: Float = 0
                for a in 0..<axis {
                    let e = expf(input[base + a * inner] - m)
                    output[base + a * inner] = e
                    s += e
                }
                let r = 1 / s
                for a in 0..<axis { output[base + a * inner] *= r }
            }
        }
    }

    /// `x / max(‖x‖₂, eps)` over rows of `[rows, d]`.
    static func l2Normalize(rows: Int, d: Int, epsilon: Float, input: UnsafePointer<Float>, output: UnsafeMutablePointer<Float>) {
        for r in 0..<rows {
            let x = input + r * d, y = output + r * d
            var s: Float = 0
            for j in 0..<d { s += x[j] * x[j] }
            let inv = 1 / max(s.squareRoot(), epsilon)
            for j in 0..<d { y[j] = x[j] * inv }
        }
    }

    /// x `[B, S, D]`, mask `[B, S]` (any dtype, non-zero keeps) → `[B, D]`; all-masked rows give 0.
    static func maskedMean(batch: Int, seq: Int, width: Int, input: UnsafePointer<Float>,
                           mask: UnsafeRawPointer, maskType: DType, output: UnsafeMutablePointer<Float>) {
        for b in 0..<batch {
            let y = output + b * width
            for j in 0..<width { y[j] = 0 }
            var kept = 0
            for s in 0..<seq where loadFloat(mask, maskType, b * seq + s) != 0 {
                kept += 1
                let x = input + (b * seq + s) * width
                for j in 0..<width { y[j] += x[j] }
            }
            let r: Float = kept > 0 ? 1 / Float(kept) : 0
            for j in 0..<width { y[j] *= r }
        }
    }

    /// Multi-head attention, plain loops: q `[B, Sq, D]`, k, v `[B, Sk, D]`, mask `[B, Sk]`? → `[B, Sq, D]`.
    /// Masked keys get weight 0; a query with no unmasked key outputs 0. In self-attention (`Sq == Sk`)
    /// with a mask, query rows past the last kept key are padding and output 0 (``Op/attention(_:)``).
    static func attention(batch: Int, sq: Int, sk: Int, width: Int, heads: Int, scale: Float,
                          q: UnsafePointer<Float>, k: UnsafePointer<Float>, v: UnsafePointer<Float>,
                          mask: UnsafeRawPointer?, maskType: DType, output: UnsafeMutablePointer<Float>) {
        let hd = width / heads
        var p = [Float](repeating: 0, count: sk)
        for b in 0..<batch {
            for h in 0..<heads {
                var rows = sq
                if let mask, sq == sk {
                    rows = 0
                    for j in 0..<sk where loadFloat(mask, maskType, b * sk + j) != 0 { rows = j + 1 }
                }
                for i in 0..<sq {
                    if i >= rows {
                        (output + (b * sq + i) * width + h * hd).update(repeating: 0, count: hd)
                        continue
                    }
                    let qi = q + (b * sq + i) * width + h * hd
                    var m = -Float.infinity
                    for j in 0..<sk {
                        if let mask, loadFloat(mask, maskType, b * sk + j) == 0 { p[j] = -.infinity; continue }
                        let kj = k + (b * sk + j) * width + h * hd
                        var s: Float = 0
                        for d in 0..<hd { s += qi[d] * kj[d] }
                        p[j] = s * scale
                        m = max(m, p[j])
                    }
                    var sum: Float = 0
                    for j in 0..<sk {
                        p[j] = m == -.infinity ? 0 : expf(p[j] - m)
                        sum += p[j]
                    }
                    let o = output + (b * sq + i) * width + h * hd
                    for d in 0..<hd { o[d] = 0 }
                    if sum == 0 { continue }
                    for j in 0..<sk where p[j] != 0 {
                        let w = p[j] / sum
                        let vj = v + (b * sk + j) * width + h * hd
                        for d in 0..<hd { o[d] += w * vj[d] }
                    }
                }
            }
        }
    }
}
