import Foundation

extension Reference {
    /// TFLite `reference_ops::ResizeBilinear`, transcribed.
    public static func resizeBilinear(_ p: ResizeParams, input: UnsafePointer<Float>, output: UnsafeMutablePointer<Float>) {
        func scale(_ i: Int, _ o: Int) -> Float {
            p.mode == .alignCorners && o > 1 ? Float(i - 1) / Float(o - 1) : Float(i) / Float(o)
        }
        let hs = scale(p.inH, p.outH), ws = scale(p.inW, p.outW)
        func interp(_ v: Int, _ s: Float, _ size: Int) -> (Float, Int, Int) {
            let sv = p.mode == .halfPixel ? (Float(v) + 0.5) * s - 0.5 : Float(v) * s
            return (sv, Swift.max(Int(sv.rounded(.down)), 0), Swift.min(Int(sv.rounded(.up)), size - 1))
        }
        let c = p.channels
        for b in 0..<p.batch {
            for y in 0..<p.outH {
                let (iy, y0, y1) = interp(y, hs, p.inH)
                for x in 0..<p.outW {
                    let (ix, x0, x1) = interp(x, ws, p.inW)
                    for ch in 0..<c {
                        func at(_ yy: Int, _ xx: Int) -> Float { input[((b * p.inH + yy) * p.inW + xx) * c + ch] }
                        let dy = iy - Float(y0), dx = ix - Float(x0)
                        let v = at(y0, x0) * (1 - dy) * (1 - dx) + at(y1, x0) * dy * (1 - dx) +
                            at(y0, x1) * (1 - dy) * dx + at(y1, x1) * dy * dx
                        output[((b * p.outH + y) * p.outW + x) * c + ch] = v
                    }
                }
            }
        }
    }

    public static func concat(_ p: ConcatParams, inputs: [UnsafePointer<Float>], output: UnsafeMutablePointer<Float>) {
        var k = 0
        for o in 0..<p.outer {
            for (i, size) in p.innerSizes.enumerated() {
                for j in 0..<size { output[k] = inputs[i][o * size + j]; k += 1 }
            }
        }
    }

    public static func pad(_ p: PadParams, input: UnsafePointer<Float>, output: UnsafeMutablePointer<Float>) {
        let out = p.outShape
        let total = out.reduce(1, *)
        for flat in 0..<total {
            var rem = flat, src = 0, mul = 1, inside = true
            for d in stride(from: out.count - 1, through: 0, by: -1) {
                let i = rem % out[d] - p.before[d]
                rem /= out[d]
                if i < 0 || i >= p.shape[d] { inside = false }
                src += i * mul
                mul *= p.shape[d]
            }
            output[flat] = inside ? input[src] : p.value
        }
    }

    public static func transpose(_ p: TransposeParams, input: UnsafePointer<Float>, output: UnsafeMutablePointer<Float>) {
        let out = p.outShape, r = out.count
        var inStrides = [Int](repeating: 1, count: r)
        if r > 1 { for d in stride(from: r - 2, through: 0, by: -1) { inStrides[d] = inStrides[d + 1] * p.shape[d + 1] } }
        for flat in 0..<out.reduce(1, *) {
            var rem = flat, src = 0
            for d in stride(from: r - 1, through: 0, by: -1) {
                src += (rem % out[d]) * inStrides[p.perm[d]]
                rem /= out[d]
            }
            output[flat] = input[src]
        }
    }

    public static func gather(_ p: GatherParams, input: UnsafePointer<Float>, indices: [Int], output: UnsafeMutablePointer<Float>) throws(KernelError) {
        for i in indices where i < -p.axisSize || i >= p.axisSize { throw .indexOutOfRange(index: i, size: p.axisSize) }
        var k = 0
        for o in 0..<p.outer {
            for i in indices {
                let ii = i < 0 ? i + p.axisSize : i
                for j in 0..<p.inner { output[k] = input[(o * p.axisSize + ii) * p.inner + j]; k += 1 }
            }
        }
    }

    /// Mean over axes in `Double`: each input element adds into its output slot.
    public static func reduceMean(_ p: ReduceParams, input: UnsafePointer<Float>, output: UnsafeMutablePointer<Float>) {
        let out = p.outShape, r = out.count
        let outCount = out.reduce(1, *)
        var acc = [Double](repeating: 0, count: outCount)
        for flat in 0..<p.shape.reduce(1, *) {
            var rem = flat, dst = 0, mul = 1
            for d in stride(from: r - 1, through: 0, by: -1) {
                let i = rem % p.shape[d]
                rem /= p.shape[d]
                if !p.axes.contains(d) { dst += i * mul; mul *= out[d] }
            }
            acc[dst] += Double(input[flat])
        }
        for i in 0..<outCount { output[i] = Float(acc[i] / Double(p.reducedCount)) }
    }

    public static func depthToSpace(_ p: DepthToSpaceParams, input: UnsafePointer<Float>, output: UnsafeMutablePointer<Float>) {
        let bs = p.blockSize, oc = p.outC
        for n in 0..<p.batch {
            for oy in 0..<p.outH {
                for ox in 0..<p.outW {
                    for c in 0..<oc {
                        let src = ((n * p.inH + oy / bs) * p.inW + ox / bs) * p.inC + ((oy % bs) * bs + ox % bs) * oc + c
                        output[((n * p.outH + oy) * p.outW + ox) * oc + c] = input[src]
                    }
                }
            }
        }
    }
}
