import ArcaIR
import ArcaTensor

extension Graph {
    /// Cross-layer equalization before static quantization. A producer convolution (conv2d
    /// with groups 1, or depthwise with multiplier 1; constant weights; activation none or ReLU,
    /// so `act(x / s) = act(x) / s` for `s > 0`) has output channel `c` divided by `s_c` (its
    /// weights and bias), and every convolution that reads that output, directly or through
    /// ops that act on each channel alone and linearly (average and max pools, means over
    /// space, bilinear resizes, zero pads, a per-channel gate multiplying it), has input channel
    /// `c` multiplied by `s_c`. The float function stays the same while the channels of every
    /// tensor in between get similar ranges, which one per-tensor uint8 scale then fits. A
    /// producer is left alone when its output reaches anything else (an add, a graph output).
    ///
    /// `r_x[c]` is the producer output's max |x| over the calibration inputs. When only
    /// depthwise convolutions consume it (their weights are quantized per channel) the channels
    /// are equalized fully (`s_c = r_x[c] / mean r_x`); a conv2d consumer shares one weight scale
    /// per output channel across its input channels, so `s_c = sqrt(r_x[c] / r_w[c])` balances
    /// activation and weight ranges (SmoothQuant's α = 0.5). Returns the graph and the number
    /// of producers rescaled.
    public func equalizedForQuantization(_ samples: [[String: Tensor]], threads: Int = 1) throws -> (graph: Graph, pairs: Int) {
        let users = consumers()
        var plans: [(producer: Int, consumers: [Int])] = []
        for (i, node) in nodes.enumerated() {
            guard Self.equalizable(node, constants: constants, asProducer: true),
                  let terminals = scaledRegionConsumers(from: node.outputs[0], users: users) else { continue }
            plans.append((i, terminals))
        }
        guard !plans.isEmpty else { return (self, 0) }
        let ranges = try channelRanges(of: plans.map { nodes[$0.producer].outputs[0] }, samples, threads: threads)
        var g = self
        var count = 0
        for (i, terminals) in plans {
            guard let rx = ranges[nodes[i].outputs[0]], rx.count > 0 else { continue }
            let channels = rx.count
            let weights = terminals.map { g.constants[g.nodes[$0].inputs[1]]! }
            guard weights.allSatisfy({ $0.count % channels == 0 && $0.shape.dims.last == channels }) else { continue }
            var s = [Float](repeating: 1, count: channels)
            let convTerminals = terminals.indices.filter { if case .conv2d = g.nodes[terminals[$0]].op { true } else { false } }
            if convTerminals.isEmpty {
                let positive = rx.filter { $0 > 0 }
                guard !positive.isEmpty else { continue }
                let mean = Float(Double(positive.reduce(0, +)) / Double(positive.count))
                for c in 0..<channels where rx[c] > 0 { s[c] = Swift.max(1e-3, Swift.min(1e3, rx[c] / mean)) }
            } else {
                var rw = [Float](repeating: 0, count: channels)
                for t in convTerminals {
                    for (k, x) in weights[t].floats().enumerated() { rw[k % channels] = Swift.max(rw[k % channels], Swift.abs(x)) }
                }
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
            // Consumers: input channel c x s_c (the last axis of OHWI and of depthwise weights).
            for (t, j) in terminals.enumerated() {
                var c = weights[t].floats()
                for k in c.indices { c[k] *= s[k % channels] }
                g.nodes[j].inputs[1] = g.addConstant(g.values[g.nodes[j].inputs[1]].name + ":equalized", try Tensor(shape: weights[t].shape, scalars: c))
            }
            count += 1
        }
        g.eliminateDeadCode()
        return (g, count)
    }

    /// The convolutions (node indices) that read value `v` through channel-wise linear ops, or
    /// nil when `v` (or a value derived from it) reaches anything that per-channel rescaling
    /// would change. A convolution reached twice, or through its weights, disqualifies `v`.
    func scaledRegionConsumers(from v: ValueID, users: [[Int]]) -> [Int]? {
        var terminals: [Int] = []
        var work = [v], seen = Set<ValueID>()
        while let x = work.popLast() {
            guard seen.insert(x).inserted else { continue }
            guard !outputs.contains(x), !users[x].isEmpty else { return nil }
            for j in users[x] {
                let node = nodes[j]
                let uses = node.inputs.indices.filter { node.inputs[$0] == x }
                if Self.equalizable(node, constants: constants, asProducer: false) {
                    guard uses == [0], !terminals.contains(j) else { return nil }
                    terminals.append(j)
                    continue
                }
                guard uses == [0] || isGate(node, scaled: x) else { return nil }
                switch node.op {
                case .pool2d(let a) where a.activation == .none: break
                case .resizeBilinear: break
                case .pad(let a) where a.value == 0 && a.before.last == 0 && a.after.last == 0: break
                case .reduceMean(let axes, _):
                    let rank = values[x].shape.count
                    guard rank == 4, !axes.contains(where: { ($0 < 0 ? $0 + rank : $0) == rank - 1 }) else { return nil }
                case .binary(.mul, .none) where isGate(node, scaled: x): break
                default: return nil
                }
                work.append(node.outputs[0])
            }
        }
        return terminals.isEmpty ? nil : terminals
    }

    /// `node` multiplies the scaled `[N, H, W, C]` value `x` by an unscaled per-channel gate
    /// `[N, 1, 1, C]` (or the same shape without spatial broadcast of x).
    func isGate(_ node: Node, scaled x: ValueID) -> Bool {
        guard case .binary(.mul, .none) = node.op, node.inputs.count == 2, node.inputs.filter({ $0 == x }).count == 1 else { return false }
        let other = node.inputs[0] == x ? node.inputs[1] : node.inputs[0]
        let xs = values[x].shape, gs = values[other].shape
        return xs.count == 4 && gs.count == 4 && gs[1] == 1 && gs[2] == 1 && gs[3] == xs[3] && values[node.outputs[0]].shape == xs
    }

    private mutating func rescaleBias(of i: Int, _ s: [Float]) throws {
        let b = constants[nodes[i].inputs[2]]!
        let scaled = b.floats().enumerated().map { $0.element / s[$0.offset] }
        nodes[i].inputs[2] = addConstant(values[nodes[i].inputs[2]].name + ":equalized", try Tensor(shape: b.shape, scalars: scaled))
    }

    /// Convolutions whose channels can be rescaled: constant float32 weights (and bias), groups 1
    /// or multiplier 1; producers also need an activation of none or ReLU and no residual.
    static func equalizable(_ node: Node, constants: [ValueID: Tensor], asProducer: Bool) -> Bool {
        guard node.inputs.count >= 2, let w = constants[node.inputs[1]], w.dtype == .float32 else { return false }
        switch node.op {
        case .conv2d(let a):
            // A consumer may add a residual (its input channels still scale alone); a producer may not.
            guard a.groups == 1, !(asProducer && a.hasResidual), w.rank == 4 else { return false }
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
        var observer = ValueObserver(self, observing: ids, threads: threads)
        var result: [ValueID: [Float]] = [:]
        try observer.run(samples) { id, t in
            guard let c = t.shape.dims.last, c > 0 else { return }
            var r = result[id] ?? [Float](repeating: 0, count: c)
            for (k, x) in t.floats().enumerated() where x.isFinite { r[k % c] = Swift.max(r[k % c], Swift.abs(x)) }
            result[id] = r
        }
        return result
    }
}
