import ArcaTensor

/// A shape rule's complaint, before the driver names the node and value.
enum RuleFailure: Error {
    case inputCount(String)
    case shape(String)
    /// Input `index` must have one of the listed dtypes.
    case dtype(input: Int, expected: String)
    case attribute(String)
}

/// What a shape rule sees: the inputs' dtypes and shapes (-1 = unknown dim) and constant inputs, if any.
struct RuleInputs {
    var infos: [ValueInfo]
    var constants: [Tensor?]
    var count: Int { infos.count }
    subscript(i: Int) -> ValueInfo { infos[i] }
}

extension Graph {
    /// Fills `dtype` and `shape` of every node output, checking every op on the way.
    ///
    /// `inputShapes` replaces graph input shapes by concrete ones (declared -1
    /// dims take the given size; known dims must match). Unknown dims stay -1
    /// through ops that do not need them. Nodes are sorted topologically first.
    public mutating func inferShapes(inputShapes: [ValueID: [Int]]? = nil) throws(GraphError) {
        let order = try topologicalOrder()
        nodes = order.map { nodes[$0] }
        for (id, t) in constants {
            values[id].dtype = t.dtype
            values[id].shape = t.shape.dims
        }
        for id in inputs where !ShapeRules.isSane(values[id].shape) {
            throw .inputShapeMismatch(value: describeValue(id), declared: values[id].shape, given: values[id].shape)
        }
        if let inputShapes {
            for (id, given) in inputShapes.sorted(by: { $0.key < $1.key }) {
                guard inputs.contains(id) else { throw .notAGraphInput(value: describeValue(id)) }
                let declared = values[id].shape
                guard declared.count == given.count,
                      zip(declared, given).allSatisfy({ $1 >= 0 && ($0 < 0 || $0 == $1) }) else {
                    throw .inputShapeMismatch(value: describeValue(id), declared: declared, given: given)
                }
                values[id].shape = given
            }
        }
        for i in nodes.indices {
            let node = nodes[i]
            guard node.outputs.count == 1 else {
                throw .wrongOutputCount(node: describeNode(i), expected: 1, got: node.outputs.count)
            }
            let ins = RuleInputs(infos: node.inputs.map { values[$0] }, constants: node.inputs.map { constants[$0] })
            do {
                let (dtype, shape) = try node.op.inferOutput(ins)
                guard ShapeRules.isSane(shape) else { throw RuleFailure.shape("output shape \(shape) is too large") }
                values[node.outputs[0]].dtype = dtype
                values[node.outputs[0]].shape = shape
            } catch let failure as RuleFailure {
                throw error(failure, node: i)
            } catch {
                throw .shapeMismatch(node: describeNode(i), detail: "\(error)")
            }
        }
    }

    private func error(_ f: RuleFailure, node i: Int) -> GraphError {
        let n = describeNode(i)
        switch f {
        case .inputCount(let e): return .wrongInputCount(node: n, expected: e, got: nodes[i].inputs.count)
        case .shape(let d): return .shapeMismatch(node: n, detail: d)
        case .attribute(let d): return .invalidAttribute(node: n, detail: d)
        case .dtype(let k, let e):
            let id = nodes[i].inputs[k]
            return .dtypeMismatch(node: n, value: describeValue(id), expected: e, got: values[id].dtype)
        }
    }
}

extension Op {
    /// The output dtype and shape for these inputs; the single place that knows each op's typing rule.
    func inferOutput(_ x: RuleInputs) throws -> (DType, [Int]) {
        switch self {
        case .conv2d(let a): return try ShapeRules.conv2d(a, x)
        case .depthwiseConv2d(let a): return try ShapeRules.depthwise(a, x)
        case .transposeConv2d(let a): return try ShapeRules.transposeConv(a, x)
        case .matMul(let a): return try ShapeRules.matMul(a, x)
        case .quantizedMatMul(let a): return try ShapeRules.quantizedMatMul(a, x)
        case .packedMatMul(let a): return try ShapeRules.packedMatMul(a, x)
        case .pool2d(let a): return try ShapeRules.pool(a, x)
        case .binary: return try ShapeRules.binary(x)
        case .unary: return try ShapeRules.unary(x)
        case .prelu: return try ShapeRules.prelu(x)
        case .softmax(let axis): return try ShapeRules.softmax(axis: axis, x)
        case .layerNorm(let eps): return try ShapeRules.layerNorm(epsilon: eps, x)
        case .resizeBilinear(let a): return try ShapeRules.resize(a, x)
        case .concat(let axis): return try ShapeRules.concat(axis: axis, x)
        case .pad(let a): return try ShapeRules.pad(a, x)
        case .reshape(let s): return try ShapeRules.reshape(s, x)
        case .transpose(let perm): return try ShapeRules.transpose(perm, x)
        case .gather(let axis): return try ShapeRules.gather(axis: axis, x)
        case .reduceMean(let axes, let keep): return try ShapeRules.reduceMean(axes: axes, keepDims: keep, x)
        case .depthToSpace(let b): return try ShapeRules.depthToSpace(b, x)
        case .attention(let a): return try ShapeRules.attention(a, x)
        case .maskedMean: return try ShapeRules.maskedMean(x)
        case .l2Normalize(let eps): return try ShapeRules.l2Normalize(epsilon: eps, x)
        case .cast(let to): return try ShapeRules.cast(to, x)
        case .quantize(let q): return try ShapeRules.quantize(q, x)
        case .dequantize(let q): return try ShapeRules.dequantize(q, x)
        case .quantizedConv2d(let a): return try ShapeRules.quantizedConv2d(a, x)
        case .quantizedDepthwiseConv2d(let a): return try ShapeRules.quantizedDepthwise(a, x)
        case .quantizedAdd(let a): return try ShapeRules.quantizedAdd(a, x)
        case .quantizedScaleChannels(let a): return try ShapeRules.quantizedScale(a, x)
        }
    }
}

/// Shape helpers shared by the rules. A dimension of -1 is unknown and matches anything.
///
/// Graph files are untrusted: every dim is bounded by ``maxDim`` and every
/// element count by ``maxElements``, and attributes that enter shape arithmetic
/// by ``maxAttribute``, so no rule's arithmetic can overflow.
enum ShapeRules {
    static let maxDim = 1 << 31
    static let maxElements = 1 << 40
    static let maxAttribute = 1 << 20

    /// Dims in `-1...maxDim` whose known product is at most `maxElements`.
    static func isSane(_ s: [Int]) -> Bool {
        var n = 1
        for d in s {
            guard d >= -1, d <= maxDim else { return false }
            if d > 0 {
                n *= d
                if n > maxElements { return false }
            }
        }
        return true
    }

    static func bounded(_ values: [Int], _ what: String) throws {
        guard values.allSatisfy({ abs($0) <= maxAttribute }) else { throw RuleFailure.attribute("\(what) \(values) out of bounds") }
    }

    static func inputs(_ x: RuleInputs, _ range: ClosedRange<Int>) throws {
        guard range.contains(x.count) else {
            throw RuleFailure.inputCount(range.lowerBound == range.upperBound ? "\(range.lowerBound)" : "\(range.lowerBound)...\(range.upperBound)")
        }
    }

    static func float32(_ x: RuleInputs, _ indices: Int...) throws {
        for i in indices where i < x.count && x[i].dtype != .float32 {
            throw RuleFailure.dtype(input: i, expected: "float32")
        }
    }

    static func floatOrByte(_ x: RuleInputs, _ i: Int) throws {
        guard x[i].dtype == .float32 || x[i].dtype == .uint8 else { throw RuleFailure.dtype(input: i, expected: "float32 or uint8") }
    }

    static func rank(_ x: RuleInputs, _ i: Int, _ r: Int, _ what: String) throws {
        guard x[i].shape.count == r else { throw RuleFailure.shape("\(what) must have rank \(r), got \(x[i].shape)") }
    }

    @inline(__always) static func same(_ a: Int, _ b: Int) -> Bool { a < 0 || b < 0 || a == b }

    /// Known product of dims, or nil if any is unknown.
    static func count(_ s: [Int]) -> Int? { s.contains { $0 < 0 } ? nil : s.reduce(1, *) }

    /// Normalises a possibly negative axis against `rank`.
    static func axis(_ a: Int, rank: Int, _ what: String = "axis") throws -> Int {
        let n = a < 0 ? a + rank : a
        guard n >= 0, n < rank else { throw RuleFailure.attribute("\(what) \(a) out of range for rank \(rank)") }
        return n
    }

    /// numpy broadcasting of two shapes.
    static func broadcast(_ a: [Int], _ b: [Int]) throws -> [Int] {
        let r = max(a.count, b.count)
        var out = [Int](repeating: 1, count: r)
        for i in 0..<r {
            let x = i < r - a.count ? 1 : a[i - (r - a.count)]
            let y = i < r - b.count ? 1 : b[i - (r - b.count)]
            if x == y { out[i] = x }
            else if x == 1 { out[i] = y }
            else if y == 1 { out[i] = x }
            else if x < 0 { out[i] = y }
            else if y < 0 { out[i] = x }
            else { throw RuleFailure.shape("\(a) and \(b) do not broadcast") }
        }
        return out
    }

    /// Checks an optional bias input at `index` is float32 `[channels]`.
    static func bias(_ x: RuleInputs, _ index: Int, channels: Int) throws {
        guard x.count > index else { return }
        try float32(x, index)
        let s = x[index].shape
        guard s.count == 1, same(s[0], channels) else { throw RuleFailure.shape("bias must be [\(channels)], got \(s)") }
    }
}

extension Op {
    /// The output dtype and shape of this op for inputs of the given dtypes and shapes,
    /// or the error the verifier would raise. For evaluators that receive bare tensors.
    public func outputType(for inputs: [(dtype: DType, shape: [Int])], constants: [Tensor?]? = nil) throws(GraphError) -> (dtype: DType, shape: [Int]) {
        let infos = inputs.enumerated().map { ValueInfo(name: "input \($0.offset)", dtype: $0.element.dtype, shape: $0.element.shape) }
        var g = Graph()
        let ids = infos.map { g.addInput($0.name, dtype: $0.dtype, shape: $0.shape) }
        if let constants {
            for (id, c) in zip(ids, constants) where c != nil {
                g.inputs.removeAll { $0 == id }
                g.constants[id] = c
            }
        }
        let out = g.addNode(self, inputs: ids, name: name)[0]
        g.markOutput(out)
        try g.inferShapes()
        return (g.values[out].dtype, g.values[out].shape)
    }
}
