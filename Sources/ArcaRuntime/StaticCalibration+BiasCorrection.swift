import ArcaIR
import ArcaKernels
import ArcaTensor

extension StaticCalibration {
    /// Empirical bias correction (after Nagel et al., "Data-Free Quantization Through Weight
    /// Equalization and Bias Correction", 2019, measured on the calibration inputs instead of
    /// derived from batch norm): rounding weights and input activations shifts a convolution's
    /// output mean per channel, and the shifts add up layer after layer. Layer by layer in graph
    /// order, it runs `q` (as far as that layer) on the calibration inputs, compares the
    /// per-channel mean of the layer's output (dequantized) with that of the float graph's
    /// output rounded to the same uint8 steps (so that clipping to the chosen range is not
    /// "corrected"), and subtracts the difference from the bias (adding a bias where there was
    /// none). Each layer is measured after every layer before it is corrected: correcting all
    /// from one measurement also corrects each for its inputs' shifts, which their own
    /// corrections remove, and the error then grows with depth (BlazeFace short range: a mean
    /// error of 0.077 became 0.59 after two such passes). With a fused activation the shift is
    /// measured after it and applied before it: exact where the activation is linear, damped
    /// elsewhere.
    ///
    /// `q` must come from ``quantized(_:)`` of this calibration (its value ids follow ``graph``).
    /// Returns the graph and how many convolutions it corrected.
    public func correctingBiases(_ q: Graph) throws -> (graph: Graph, corrected: Int) {
        var q = q
        var params: [ValueID: QuantParams?] = [:]
        var targets: [Int] = []
        for (i, node) in q.nodes.enumerated() {
            let out = node.outputs[0]
            guard out < graph.values.count, graph.values[out].dtype == .float32, graph.values[out].shape.count == 4 else { continue }
            switch node.op {
            case .quantizedConv2d(let a): params[out] = a.output
            case .quantizedDepthwiseConv2d(let a): params[out] = a.output
            default: continue
            }
            targets.append(i)
        }
        guard !targets.isEmpty else { return (q, 0) }
        // Every target gets a bias constant of its own, so that correcting it changes nothing else.
        var bias: [Int: ValueID] = [:]
        for i in targets {
            let node = q.nodes[i]
            let channels = q.values[node.outputs[0]].shape.last ?? 0
            let present: Bool
            if case .quantizedConv2d(let a) = node.op { present = node.inputs.count == (a.residual != nil ? 5 : 4) } else { present = node.inputs.count == 4 }
            var values = [Float](repeating: 0, count: channels)
            if present {
                guard let b = q.constants[node.inputs[3]], b.dtype == .float32, b.count == channels else { continue }
                values = b.floats()
            }
            let id = q.addConstant(q.values[node.outputs[0]].name + ".corrected_bias", try Tensor(shape: Shape([channels]), scalars: values))
            if present { q.nodes[i].inputs[3] = id } else { q.nodes[i].inputs.insert(id, at: 3) }
            bias[i] = id
        }
        targets = targets.filter { bias[$0] != nil }
        let outputs = targets.map { q.nodes[$0].outputs[0] }
        func means(of g: Graph, _ ids: [ValueID], rounding: Bool) throws -> [ValueID: [Double]] {
            var pruned = g
            pruned.outputs = ids
            pruned.eliminateDeadCode()
            var observer = ValueObserver(pruned, observing: ids, threads: threads)
            var m = ChannelMeans()
            try observer.run(samples) { id, t in
                guard t.rank == 4, let p = params[id] else { return }
                let c = t.shape.dims[3]
                if let p, t.dtype == .uint8 {
                    m.add(id, try t.scalars(as: UInt8.self).map { p.real($0) }, channels: c)
                } else if t.dtype == .float32 {
                    m.add(id, rounding ? t.floats().map { x in p.map { $0.real($0.quantize(x)) } ?? x } : t.floats(), channels: c)
                }
            }
            return m.means
        }
        let want = try means(of: graph, outputs, rounding: true)
        // In order: each layer is measured with every layer before it corrected (correcting all
        // at once also corrects each for its inputs' shifts, which their own corrections remove:
        // the shifts then grow layer after layer).
        for i in targets {
                let out = q.nodes[i].outputs[0]
                guard let id = bias[i], let g = try means(of: q, [out], rounding: false)[out], let w = want[out], g.count == w.count,
                      let b = q.constants[id] else { continue }
                var values = b.floats()
                for c in values.indices where g[c].isFinite && w[c].isFinite { values[c] -= Float(g[c] - w[c]) }
                q.constants[id] = try Tensor(shape: b.shape, scalars: values)
        }
        try q.inferShapes()
        return (q, targets.count)
    }
}
