import ArcaTensor

extension Op {
    /// The fused activation of ops that carry one, nil for the others.
    public var fusedActivation: FusedActivation? {
        switch self {
        case .conv2d(let a): a.activation
        case .depthwiseConv2d(let a): a.activation
        case .transposeConv2d(let a): a.activation
        case .matMul(let a): a.activation
        case .quantizedMatMul(let a): a.activation
        case .packedMatMul(let a): a.activation
        case .pool2d(let a): a.activation
        case .binary(_, let act): act
        default: nil
        }
    }

    /// The op with its fused activation replaced (unchanged for ops without one).
    public func withActivation(_ act: FusedActivation) -> Op {
        switch self {
        case .conv2d(var a): a.activation = act; return .conv2d(a)
        case .depthwiseConv2d(var a): a.activation = act; return .depthwiseConv2d(a)
        case .transposeConv2d(var a): a.activation = act; return .transposeConv2d(a)
        case .matMul(var a): a.activation = act; return .matMul(a)
        case .quantizedMatMul(var a): a.activation = act; return .quantizedMatMul(a)
        case .packedMatMul(var a): a.activation = act; return .packedMatMul(a)
        case .pool2d(var a): a.activation = act; return .pool2d(a)
        case .binary(let k, _): return .binary(k, activation: act)
        default: return self
        }
    }

    /// Ops that take an optional bias `[outC]` as their third input.
    var acceptsBias: Bool {
        switch self {
        case .conv2d, .depthwiseConv2d, .transposeConv2d, .matMul: true
        default: false
        }
    }
}

extension UnaryKind {
    /// The same function as a fused activation, if there is one.
    public var asActivation: FusedActivation? {
        switch self {
        case .relu: .relu
        case .relu6: .relu6
        case .reluN1To1: .reluN1To1
        case .sigmoid: .sigmoid
        case .tanh: .tanh
        case .hardSwish: .hardSwish
        case .gelu: .gelu
        case .exp, .erf, .neg, .abs, .sqrt, .rsqrt, .log, .square: nil
        }
    }
}

extension Graph {
    /// Rewrite rules: `conv2d | depthwise | transposeConv | matMul` followed by
    /// `binary(.add)` with a constant `[C]` bias becomes the op with a bias input
    /// (taking the add's fused activation); any op with a fused activation slot
    /// followed by an activation `unary` takes it. A rule fires only when the
    /// intermediate value has exactly that one consumer and is not a graph output.
    /// Returns the number of nodes removed. Shapes are inferred first.
    @discardableResult
    public mutating func fuse() throws(GraphError) -> Int {
        try inferShapes()
        var removed = 0
        while let drop = fuseOne() {
            removeNodes([drop])
            removed += 1
        }
        return removed
    }

    /// Applies the first rule that matches; returns the index of the node it made redundant.
    private mutating func fuseOne() -> Int? {
        let users = consumers()
        let outputSet = Set(outputs)
        for (i, node) in nodes.enumerated() {
            if case .pad(let pa) = node.op, let j = spatialPadConsumer(pa, node, users: users, outputs: outputSet) {
                // Zero padding of H and W only, read by one convolution: the convolution pads instead.
                let (t, l, b, r) = (pa.before[1], pa.before[2], pa.after[1], pa.after[2])
                func widened(_ p: Padding) -> Padding {
                    guard case .explicit(let pt, let pl, let pb, let pr) = p else { return .explicit(top: t, left: l, bottom: b, right: r) }
                    return .explicit(top: pt + t, left: pl + l, bottom: pb + b, right: pr + r)
                }
                switch nodes[j].op {
                case .conv2d(var a): a.padding = widened(a.padding); nodes[j].op = .conv2d(a)
                case .depthwiseConv2d(var a): a.padding = widened(a.padding); nodes[j].op = .depthwiseConv2d(a)
                default: continue
                }
                nodes[j].inputs[0] = node.inputs[0]
                return i
            }
            guard let act = node.op.fusedActivation, act == .none, node.outputs.count == 1 else { continue }
            let v = node.outputs[0]
            guard !outputSet.contains(v), users[v].count == 1 else { continue }
            let j = users[v][0]
            let next = nodes[j]
            if case .unary(let k) = next.op, let fused = k.asActivation {
                nodes[i].op = node.op.withActivation(fused)
                nodes[i].outputs = next.outputs
                return j
            }
            if case .binary(.add, let fused) = next.op, node.op.acceptsBias, node.inputs.count == 2,
               let bias = biasConstant(add: next, from: v) {
                nodes[i].op = node.op.withActivation(fused)
                nodes[i].inputs.append(bias)
                nodes[i].outputs = next.outputs
                return j
            }
            if case .binary(.add, let fused) = next.op, case .conv2d(var a) = node.op, !a.hasResidual,
               let r = residualOperand(add: next, from: v, producedBefore: i) {
                a.residual = true
                a.activation = fused
                nodes[i].op = .conv2d(a)
                nodes[i].inputs.append(r)
                nodes[i].outputs = next.outputs
                return j
            }
        }
        return nil
    }

    /// The index of the convolution that alone reads this pad's output, when the pad adds zeros
    /// to H and W only (NHWC) and the convolution's own padding is valid or explicit.
    private func spatialPadConsumer(_ pa: PadAttributes, _ node: Node, users: [[Int]], outputs: Set<ValueID>) -> Int? {
        guard pa.value == 0, pa.before.count == 4, pa.after.count == 4, node.inputs.count >= 1, node.outputs.count == 1,
              pa.before[0] == 0, pa.after[0] == 0, pa.before[3] == 0, pa.after[3] == 0,
              (pa.before + pa.after).allSatisfy({ $0 >= 0 && $0 <= 1 << 16 }) else { return nil }
        let v = node.outputs[0]
        guard !outputs.contains(v), users[v].count == 1 else { return nil }
        let j = users[v][0]
        let consumer = nodes[j]
        guard consumer.inputs.first == v, consumer.inputs.filter({ $0 == v }).count == 1 else { return nil }
        switch consumer.op {
        case .conv2d(let a) where a.padding == .valid || { if case .explicit = a.padding { true } else { false } }():
            return j
        case .depthwiseConv2d(let a) where a.padding == .valid || { if case .explicit = a.padding { true } else { false } }():
            return j
        default:
            return nil
        }
    }

    /// The other operand of `add` when it can be added inside the convolution that produces `v`:
    /// the same float32 shape, fully known, and available before node `index` runs.
    private func residualOperand(add: Node, from v: ValueID, producedBefore index: Int) -> ValueID? {
        guard add.inputs.count == 2, add.inputs.filter({ $0 == v }).count == 1 else { return nil }
        let other = add.inputs[0] == v ? add.inputs[1] : add.inputs[0]
        let s = values[v].shape
        guard values[other].dtype == .float32, values[other].shape == s, s.allSatisfy({ $0 > 0 }) else { return nil }
        if constants[other] != nil || inputs.contains(other) { return other }
        guard let producer = nodes.firstIndex(where: { $0.outputs.contains(other) }) else { return nil }
        return producer < index ? other : nil
    }

    /// The id of a `[C]` float32 constant equal to the other operand of `add`, when adding it
    /// to `v` (of shape `[..., C]`) is a per-channel bias that keeps v's shape.
    private mutating func biasConstant(add: Node, from v: ValueID) -> ValueID? {
        guard add.inputs.count == 2, add.inputs.filter({ $0 == v }).count == 1 else { return nil }
        let other = add.inputs[0] == v ? add.inputs[1] : add.inputs[0]
        guard let c = constants[other], c.dtype == .float32 else { return nil }
        let s = values[v].shape
        guard let channels = s.last, channels > 0, c.count == channels, c.rank <= s.count,
              c.shape.dims.dropLast().allSatisfy({ $0 == 1 }), c.shape.dims.last == channels else { return nil }
        if c.rank == 1 { return other }
        guard let flat = try? c.reshaped([channels]) else { return nil }
        return addConstant(values[other].name + ":bias", flat)
    }
}
