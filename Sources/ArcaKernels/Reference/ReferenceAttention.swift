import Foundation

extension Reference {
    /// Attention over every query and key, masked keys at -inf, in `Double`.
    /// Query rows past the last kept key are zero, as the fast kernel defines.
    public static func attention(_ p: AttentionParams, q: UnsafePointer<Float>, k: UnsafePointer<Float>, v: UnsafePointer<Float>,
                                 mask: UnsafePointer<Float>?, output: UnsafeMutablePointer<Float>) {
        let s = p.seq, d = p.headDim
        for b in 0..<p.batch {
            var len = s
            if let mask {
                len = 0
                for j in 0..<s where mask[b * s + j] != 0 { len = j + 1 }
            }
            for h in 0..<p.heads {
                for i in 0..<s {
                    let out = output + (b * s + i) * p.ldo + h * d
                    if i >= len {
                        for c in 0..<d { out[c] = 0 }
                        continue
                    }
                    var scores = [Double](repeating: -.infinity, count: s)
                    for j in 0..<s where mask.map({ $0[b * s + j] != 0 }) ?? true {
                        var dot = 0.0
                        for c in 0..<d {
                            dot += Double(q[(b * s + i) * p.ldq + h * d + c]) * Double(k[(b * s + j) * p.ldk + h * d + c])
                        }
                        scores[j] = dot * Double(p.scale)
                    }
                    let mx = scores.max() ?? -.infinity
                    if mx == -.infinity {
                        for c in 0..<d { out[c] = 0 }
                        continue
                    }
                    let e = scores.map { Foundation.exp($0 - mx) }
                    let sum = e.reduce(0, +)
                    for c in 0..<d {
                        var acc = 0.0
                        for j in 0..<s { acc += e[j] / sum * Double(v[(b * s + j) * p.ldv + h * d + c]) }
                        out[c] = Float(acc)
                    }
                }
            }
        }
    }
}
