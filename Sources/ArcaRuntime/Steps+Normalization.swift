import ArcaIR
import ArcaKernels
import ArcaTensor

/// Window reductions, normalisations and means.
extension LoweringContext {
    func lowerPool(_ a: Pool2DAttributes, _ node: Node) -> Step {
        let p = Lowering.pool(a, x: shape(node.inputs[0]))
        let (x, y) = (UnsafePointer(f(node.inputs[0])), f(node.outputs[0]))
        let act = Lowering.activation(a.activation)
        let pool = self.pool
        return Step(kernel: "pool2d") { Pool2D.run(p, input: x, activation: act, output: y, pool: pool) }
    }

    func lowerResize(_ a: ResizeAttributes, _ node: Node) -> Step {
        let p = Lowering.resize(a, x: shape(node.inputs[0]))
        let (x, y) = (UnsafePointer(f(node.inputs[0])), f(node.outputs[0]))
        let pool = self.pool
        return Step(kernel: "resize_bilinear") { ResizeBilinear.run(p, input: x, output: y, pool: pool) }
    }

    func lowerSoftmax(_ axis: Int, _ node: Node) -> Step {
        let s = shape(node.inputs[0])
        let (o, n, i) = Lowering.split(s, axis: Lowering.normalizedAxis(axis, rank: s.count))
        let (x, y) = (UnsafePointer(f(node.inputs[0])), f(node.outputs[0]))
        let pool = self.pool
        if i == 1 { return Step(kernel: "softmax") { Softmax.run(rows: o, cols: n, input: x, output: y, pool: pool) } }
        return Step(kernel: "softmax.strided") { NaiveKernels.softmax(outer: o, axis: n, inner: i, input: x, output: y) }
    }

    func lowerLayerNorm(_ eps: Float, _ node: Node) -> Step {
        let s = shape(node.inputs[0])
        let d = s.last ?? 1, rows = s.reduce(1, *) / max(d, 1)
        let (x, g, b, y) = (UnsafePointer(f(node.inputs[0])), UnsafePointer(f(node.inputs[1])), UnsafePointer(f(node.inputs[2])), f(node.outputs[0]))
        let pool = self.pool
        return Step(kernel: "layer_norm") {
            LayerNorm.run(rows: rows, cols: d, epsilon: eps, input: x, gamma: g, beta: b, output: y, pool: pool)
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

    func lowerReduceMean(_ axes: [Int], _ node: Node) -> Step {
        let s = shape(node.inputs[0])
        let norm = Set(axes.map { Lowering.normalizedAxis($0, rank: s.count) }).sorted()
        let p = ReduceParams(shape: s, axes: norm)
        let (x, y) = (UnsafePointer(f(node.inputs[0])), f(node.outputs[0]))
        let pool = self.pool
        if p.isValid { return Step(kernel: "reduce_mean") { ReduceMean.run(p, input: x, output: y, pool: pool) } }
        // Rank above the kernel limit or empty dims: accumulate each element into its output slot.
        let outStrides = Lowering.broadcastStrides(p.outShape, to: s)
        let n = s.reduce(1, *), outCount = p.outShape.reduce(1, *)
        let scale = 1 / Float(max(1, p.reducedCount))
        return Step(kernel: "reduce_mean.generic") {
            y.update(repeating: 0, count: outCount)
            for i in 0..<n {
                let idx = unravel(i, s)
                y[zip(idx, outStrides).reduce(0) { $0 + $1.0 * $1.1 }] += x[i]
            }
            for i in 0..<outCount { y[i] *= scale }
        }
    }
}
