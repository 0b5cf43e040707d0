import ArcaIR
import ArcaKernels
import ArcaTensor

/// Window reductions, normalisations and means.
extension LoweringContext {
    func lowerPool(_ a: Pool2DAttributes, _ node: Node) -> Step {
        let p = Lowering.pool(a, x: shape(node.inputs[0]))
        let (x, y) = (UnsafePointer(f(node.inputs[0])), f(node.outputs[0]))
        let act = Lowering.activation(a.activation)
        return Step(kernel: "pool2d.naive") { NaiveKernels.pool2d(p, input: x, activation: act, output: y) }
    }

    func lowerResize(_ a: ResizeAttributes, _ node: Node) -> Step {
        let p = Lowering.resize(a, x: shape(node.inputs[0]))
        let (x, y) = (UnsafePointer(f(node.inputs[0])), f(node.outputs[0]))
        return Step(kernel: "resize_bilinear.naive") { NaiveKernels.resizeBilinear(p, input: x, output: y) }
    }

    func lowerSoftmax(_ axis: Int, _ node: Node) -> Step {
        let s = shape(node.inputs[0])
        let (o, n, i) = Lowering.split(s, axis: Lowering.normalizedAxis(axis, rank: s.count))
        let (x, y) = (UnsafePointer(f(node.inputs[0])), f(node.outputs[0]))
        return Step(kernel: "softmax.naive") { NaiveKernels.softmax(outer: o, axis: n, inner: i, input: x, output: y) }
    }

    func lowerLayerNorm(_ eps: Float, _ node: Node) -> Step {
        let s = shape(node.inputs[0])
        let d = s.last ?? 1, rows = s.reduce(1, *) / max(d, 1)
        let (x, g, b, y) = (UnsafePointer(f(node.inputs[0])), UnsafePointer(f(node.inputs[1])), UnsafePointer(f(node.inputs[2])), f(node.outputs[0]))
        return Step(kernel: "layer_norm.naive") {
            NaiveKernels.layerNorm(rows: rows, d: d, epsilon: eps, input: x, gamma: g, beta: b, output: y)
        }
    }

    func lowerL2Normalize(_ eps: Float, _ node: Node) -> Step {
        let s = shape(node.inputs[0])
        let d = s.last ?? 1, rows = s.reduce(1, *) / max(d, 1)
        let (x, y) = (UnsafePointer(f(node.inputs[0])), f(node.outputs[0]))
        return Step(kernel: "l2_normalize") { NaiveKernels.l2Normalize(rows: rows, d: d, epsilon: eps, input: x, output: y) }
    }

    func lowerMaskedMean(_ node: Node) -> Step {
        let s = shape(node.inputs[0])
        let (x, m, y) = (UnsafePointer(f(node.inputs[0])), UnsafeRawPointer(pointer(node.inputs[1])), f(node.outputs[0]))
        let maskType = dtype(node.inputs[1])
        return Step(kernel: "masked_mean") {
            NaiveKernels.maskedMean(batch: s[0], seq: s[1], width: s[2], input: x, mask: m, maskType: maskType, output: y)
        }
    }

    /// Accumulates every input element into its output slot (strides 0 on reduced axes), then scales.
    func lowerReduceMean(_ axes: [Int], _ node: Node) -> Step {
        let s = shape(node.inputs[0])
        let norm = Set(axes.map { Lowering.normalizedAxis($0, rank: s.count) })
        let kept = s.indices.map { norm.contains($0) ? 1 : s[$0] }
        let outStrides = Lowering.broadcastStrides(kept, to: s)
        let n = s.reduce(1, *), outCount = kept.reduce(1, *)
        let scale = 1 / Float(max(1, norm.reduce(1) { $0 * s[$1] }))
        let (x, y) = (UnsafePointer(f(node.inputs[0])), f(node.outputs[0]))
        let inner = s.last ?? 1, innerStride = outStrides.last ?? 0
        let outer = Array(s.dropLast()), outerStrides = Array(outStrides.dropLast())
        return Step(kernel: "reduce_mean") {
            y.update(repeating: 0, count: outCount)
            var idx = [Int](repeating: 0, count: outer.count)
            var o = 0
            for r in 0..<(n / max(inner, 1)) {
                let xr = x + r * inner
                if innerStride == 0 {
                    var acc: Float = 0
                    for j in 0..<inner { acc += xr[j] }
                    y[o] += acc
                } else {
                    for j in 0..<inner { y[o + j] += xr[j] }
                }
                var d = outer.count - 1
                while d >= 0 {
                    idx[d] += 1; o += outerStrides[d]
                    if idx[d] < outer[d] { break }
                    o -= outerStrides[d] * outer[d]; idx[d] = 0
                    d -= 1
                }
            }
            for i in 0..<outCount { y[i] *= scale }
        }
    }
}
