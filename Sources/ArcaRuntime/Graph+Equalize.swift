import ArcaIR
import ArcaTensor

extension Graph {
    /// Cross-layer equalization before static quantization. For each producer → consumer pair
    /// of convolutions (conv2d with groups 1, or depthwise with multiplier 1, constant weights)
    /// where the producer's output feeds only the consumer's data input and the producer's
    /// activation is none or ReLU (so `act(x / s) = act(x) / s` for `s > 0`), output channel `c`
    /// of the producer is divided by `s_c` (its weights and bias) and input channel `c` of the
    /// consumer multiplied by it: the float function stays the same while every channel of the
    /// intermediate tensor gets a similar range, which one per-tensor uint8 scale then fits.
    ///
    /// `r_x[c]` is the channel's max |x| over the calibration inputs. A depthwise consumer
    /// quantizes its weights per channel, so its channels are equalized fully
    /// (`s_c = r_x[c] / mean r_x`); a convolution consumer shares one weight scale per output
    /// channel across its input channels, so `s_c = sqrt(r_x[c] / r_w[c])` balances activation
    /// and weight ranges (SmoothQuant's α = 0.5). Returns the graph and the number of pairs.
    public func equalizedForQuantization(_ samples: [[String: Tensor]], threads: Int = 1) throws -> (graph: Graph, pairs: Int) {
        let users = consumers()
        var pairs: [(producer: Int, consumer: Int)] = []
        for (i, node) in nodes.enumerated() {
            guard Self.equalizable(node, constants: constants, asProducer: true) else { continue }
            let v = node.outputs[0]
            guard !outputs.contains(v), users[v].count == 1 else { continue }
            let j = users[v][0]
            guard Self.equalizable(nodes[j], constants: constants, asProducer: false), nodes[j].inputs[0] == v,
                  nodes[j].inputs.dropFirst().allSatisfy({ $0 != v }) else { continue }
            pairs.append((i, j))
        }
        guard !pairs.isEmpty else { return (self, 0) }
        let ranges = try channelRanges(of: pairs.map { nodes[$0.producer].outputs[0] }, samples, threads: threads)
        var g = self
        var count = 0
        for (i, j) in pairs {
            guard let rx = ranges[nodes[i].outputs[0]], rx.count > 0 else { continue }
            let channels = rx.count
            let consumerW = g.constants[g.nodes[j].inputs[1]]!
            let cw = consumerW.floats()
            guard cw.count % channels == 0 else { continue }
            var s = [Float](repeating: 1, count: channels)
            if case .depthwiseConv2d = g.nodes[j].op {
                let positive = rx.filter { $0 > 0 }
                guard !positive.isEmpty else { continue }
                let mean = Float(Double(positive.reduce(0, +)) / Double(positive.count))
                for c in 0..<channels where rx[c] > 0 { s[c] = Swift.max(1e-3, Swift.min(1e3, rx[c] / mean)) }
            } else {
                var rw = [Float](repeating: 0, count: channels)
                for (k, x) in cw.enumerated() { rw[k % channels] = Swift.max(rw[k % channels], Swift.abs(x)) }
                for c in 0..<channels where rx[c] > 0 && rw[c] > 0 { s[c] = Swift.max(1e-3, Swift.min(1e3, (rx[c] / rw[c]).squareRoot())) }
            }
            // Producer: output channel c / s_c (OHWI: the first axis; depthwise: the last), bias too.
            let pw = g.constants[g.nodes[i].inputs[1]]!
            var p = pw.floats()
            if case .depthwiseConv2d = g.nodes[i].op {
                for k in p.indices { p[k] /= s[k % channels] }
            } else {
                let per = p.count / channels
                for k in p.indices { p[k] /= s[k / per] }
            }
            g.nodes[i].inputs[1] = g.addConstant(g.values[g.nodes[i].inputs[1]].name + ":equalized", try Tensor(shape: pw.shape, scalars: p))
            if g.nodes[i].inputs.count > 2 { try g.rescaleBias(of: i, s) }
            // Consumer: input channel c x s_c (the last axis of OHWI and of depthwise weights).
            var c = cw
            for k in c.indices { c[k] *= s[k % channels] }
            g.nodes[j].inputs[1] = g.addConstant(g.values[g.nodes[j].inputs[1]].name + ":equalized", try Tensor(shape: consumerW.shape, scalars: c))
            count += 1
        }
        g.eliminateDeadCode()
        return (g, count)
    }

    private mutating func rescaleBias(of i: Int, _ s: [Float]) throws {
        let b = constants[nodes[i].inputs[2]]!
        let scaled = b.floats().enumerated().map { $0.element / s[$0.offset] }
        nodes[i].inputs[2] = addConstant(values[nodes[i].inputs[2]].name + ":equalized", try Tensor(shape: b.shape, scalars: scaled))
    }

    /// Convolutions whose channels can be rescaled: constant float32 weights (and bias), groups 1
    /// or multiplier 1, no residual; producers also need an activation of none or ReLU.
    static func equalizable(_ node: Node, constants: [ValueID: Tensor], asProducer: Bool) -> Bool {
        guard node.inputs.count >= 2, let w = constants[node.inputs[1]], w.dtype == .float32 else { return false }
        switch node.op {
        case .conv2d(let a):
            guard a.groups == 1, !a.hasResidual, w.rank == 4 else { return false }
            if asProducer { guard a.activation == .none || a.activation == .relu else { return false } }
            return node.inputs.count == 2 || constants[node.inputs[2]] != nil
        case .depthwiseConv2d(let a):
            guard a.multiplier == 1, w.rank == 3 else { return false }
            if asProducer { guard a.activation == .none || a.activation == .relu else { return false } }
            return node.inputs.count == 2 || constants[node.inputs[2]] != nil
        default:
            return false
        }
    }

    /// Per last-axis channel, the largest |x| each value takes over the input sets.
    func channelRanges(of ids: [ValueID], _ samples: [[String: Tensor]], threads: Int) throws -> [ValueID: [Float]] {
        var g = self
        for (i, id) in ids.enumerated() { g.values[id].name = "channels.\(i)" }
        g.outputs = ids
        var result: [ValueID: [Float]] = [:]
        var plans: [[Int]: Plan] = [:]
        for sample in samples {
            var named: [String: Tensor] = [:], shapes: [String: [Int]] = [:]
            for id in g.inputs {
                guard let t = sample[values[id].name] else { throw PlanError.missingInput(values[id].name) }
                named[g.values[id].name] = t
                shapes[g.values[id].name] = t.shape.dims
            }
            let key = g.inputs.flatMap { shapes[g.values[$0].name] ?? [] }
            let plan = try plans[key] ?? Plan(graph: g, inputShapes: shapes, threads: threads)
            plans[key] = plan
            let out = try plan.run(inputs: named)
            for (i, id) in ids.enumerated() {
                guard let t = out["channels.\(i)"], let c = t.shape.dims.last, c > 0 else { continue }
                var r = result[id] ?? [Float](repeating: 0, count: c)
                for (k, x) in t.floats().enumerated() where x.isFinite { r[k % c] = Swift.max(r[k % c], Swift.abs(x)) }
                result[id] = r
            }
        }
        return result
    }
}
