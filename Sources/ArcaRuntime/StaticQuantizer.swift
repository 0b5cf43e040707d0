import ArcaIR
import ArcaKernels
import ArcaTensor

/// The rewrite behind ``Graph/quantizedStaticInt8(calibration:threads:)``: walks the nodes in
/// order, deciding per value whether it lives as uint8 (with its `QuantParams`) or float32.
struct StaticQuantizer {
    let source: Graph
    let ranges: CalibrationRanges
    var g: Graph
    var report = StaticQuantizationReport()
    /// Values that are uint8 in the new graph, with their quantization.
    var bytes: [ValueID: QuantParams] = [:]
    /// uint8 values already dequantized (float32 copies for float consumers).
    var dequantized: [ValueID: ValueID] = [:]
    /// float32 values already quantized (for uint8 consumers).
    var quantized: [ValueID: ValueID] = [:]
    var nodes: [Node] = []
    let users: [[Int]]
    var wantsBytesMemo: [ValueID: Bool] = [:]

    let options: StaticQuantizationOptions

    /// Nodes that are heads (``StaticQuantizationOptions/floatHeads``).
    let heads: Set<Int>

    init(source: Graph, ranges: CalibrationRanges, options: StaticQuantizationOptions) {
        self.source = source
        self.ranges = ranges
        self.options = options
        g = source
        users = source.consumers()
        heads = options.floatHeads ? Self.heads(of: source) : []
    }

    /// The producers of the graph's outputs, looking through reshapes, concatenations,
    /// transposes and depth-to-space.
    static func heads(of g: Graph) -> Set<Int> {
        let producer = g.producerIndices()
        var heads = Set<Int>(), seen = Set<ValueID>()
        var stack = g.outputs
        while let v = stack.popLast() {
            guard seen.insert(v).inserted, v < producer.count, let i = producer[v] else { continue }
            switch g.nodes[i].op {
            case .reshape, .concat, .transpose, .depthToSpace:
                stack.append(contentsOf: g.nodes[i].inputs.filter { g.constants[$0] == nil })
            default: heads.insert(i)
            }
        }
        return heads
    }

    var paramsMemo: [ValueID: QuantParams] = [:]

    mutating func params(_ id: ValueID) -> QuantParams {
        if let p = paramsMemo[id] { return p }
        let p = ranges.params(id, options.ranges)
        paramsMemo[id] = p
        return p
    }

    // MARK: deciding

    /// Whether node `i` can run with uint8 activations.
    func quantizable(_ i: Int) -> Bool {
        let node = source.nodes[i]
        let out = source.values[node.outputs[0]].shape
        if out.count == 4, out[1] * out[2] < options.minimumPixels { return false }
        if heads.contains(i) || options.floatNodes.contains(i) { return false }
        if let only = options.onlyNodes, !only.contains(i) { return false }
        switch node.op {
        case .conv2d(let a):
            guard a.groups == 1, let w = source.constants[node.inputs[1]], w.dtype == .float32, w.rank == 4 else { return false }
            let d = w.shape.dims
            return d[1] * d[2] * d[3] <= QuantizedConv2D.maxK && biasIsConstant(node, at: 2, count: a.hasResidual ? 4 : 3)
        case .depthwiseConv2d(let a):
            guard a.multiplier == 1, let w = source.constants[node.inputs[1]], w.dtype == .float32, w.rank == 3 else { return false }
            return biasIsConstant(node, at: 2, count: 3)
        case .binary(.add, _):
            guard node.inputs.count == 2, node.inputs.allSatisfy({ source.constants[$0] == nil && source.values[$0].dtype == .float32 }) else { return false }
            return source.values[node.inputs[0]].shape == source.values[node.inputs[1]].shape
        case .binary(.mul, .none):
            return gateOperand(node) != nil
        default:
            return false
        }
    }

    /// For `x · g` with x `[N, H, W, C]` and g `[N, 1, 1, C]` (float32, not constant): (x, g).
    func gateOperand(_ node: Node) -> (x: ValueID, gate: ValueID)? {
        guard node.inputs.count == 2 else { return nil }
        for (x, g) in [(node.inputs[0], node.inputs[1]), (node.inputs[1], node.inputs[0])] {
            let xs = source.values[x].shape, gs = source.values[g].shape
            guard source.values[x].dtype == .float32, source.values[g].dtype == .float32, source.constants[x] == nil,
                  xs.count == 4, gs.count == 4, gs[0] == xs[0], gs[1] == 1, gs[2] == 1, gs[3] == xs[3], xs[1] * xs[2] > 1 else { continue }
            return (x, g)
        }
        return nil
    }

    func biasIsConstant(_ node: Node, at index: Int, count: Int) -> Bool {
        node.inputs.count < count || source.constants[node.inputs[index]] != nil
    }

    /// Ops that pass uint8 values through with their quantization unchanged (data input 0).
    func passesBytes(_ i: Int) -> Bool {
        let node = source.nodes[i]
        switch node.op {
        case .pool2d(let a): return a.activation == .none
        case .resizeBilinear, .reduceMean, .reshape, .depthToSpace, .transpose: return true
        case .pad(let a): return a.value == 0
        case .concat: return true
        default: return false
        }
    }

    /// Whether value `v` should be produced as uint8: some consumer computes on uint8, directly
    /// or through ops that pass bytes along. Graph outputs stay float32.
    mutating func wantsBytes(_ v: ValueID) -> Bool {
        if let m = wantsBytesMemo[v] { return m }
        wantsBytesMemo[v] = false
        var result = false
        if !source.outputs.contains(v) {
            for j in users[v] {
                if quantizable(j) || (passesBytes(j) && source.nodes[j].inputs.first == v && wantsBytes(source.nodes[j].outputs[0])) {
                    result = true
                    break
                }
            }
        }
        wantsBytesMemo[v] = result
        return result
    }

    // MARK: rewriting

    mutating func emit(_ op: Op, inputs: [ValueID], name: String, dtype: DType, like shapeOf: ValueID) -> ValueID {
        let id = g.addValue(ValueInfo(name: name, dtype: dtype, shape: g.values[shapeOf].shape))
        nodes.append(Node(op: op, inputs: inputs, outputs: [id], name: name))
        return id
    }

    /// `v` as uint8: itself when it already is, else through one shared quantize node.
    mutating func asBytes(_ v: ValueID) -> (ValueID, QuantParams) {
        if let p = bytes[v] { return (v, p) }
        let p = params(v)
        if let done = quantized[v] { return (done, p) }
        let id = emit(.quantize(p), inputs: [v], name: g.values[v].name + ":q", dtype: .uint8, like: v)
        quantized[v] = id
        bytes[id] = p
        report.quantizeNodes += 1
        return (id, p)
    }

    /// `v` as float32: itself, or through one shared dequantize node.
    mutating func asFloat(_ v: ValueID) -> ValueID {
        guard let p = bytes[v] else { return v }
        if let done = dequantized[v] { return done }
        let id = emit(.dequantize(p), inputs: [v], name: g.values[v].name + ":f", dtype: .float32, like: v)
        dequantized[v] = id
        report.dequantizeNodes += 1
        return id
    }

    /// Per output channel symmetric int8 of `w` seen as `[K, N]` (`transposed`: stored `[N, K]`).
    mutating func int8Weights(_ w: Tensor, k: Int, n: Int, transposed: Bool, name: String) throws -> (ValueID, ValueID) {
        let (values, scales) = w.floats().withUnsafeBufferPointer {
            Int8Quantization.quantizeColumns($0.baseAddress!, k: k, n: n, transposed: transposed)
        }
        let qw = g.addConstant(name + ".int8", try Tensor(shape: w.shape, scalars: values))
        let qs = g.addConstant(name + ".scales", try Tensor(shape: Shape([n]), scalars: scales))
        return (qw, qs)
    }

    mutating func run() throws -> Graph {
        for (i, node) in source.nodes.enumerated() {
            var node = node
            let out = node.outputs[0]
            let byteOut = wantsBytes(out)
            switch node.op {
            case .conv2d(var a) where quantizable(i):
                let (x, px) = asBytes(node.inputs[0])
                let w = source.constants[node.inputs[1]]!
                let d = w.shape.dims
                let (qw, qs) = try int8Weights(w, k: d[1] * d[2] * d[3], n: d[0], transposed: true, name: source.values[node.inputs[1]].name)
                var inputs = [x, qw, qs]
                let biasCount = a.hasResidual ? 4 : 3
                if node.inputs.count == biasCount { inputs.append(node.inputs[2]) }
                var residual: QuantParams?
                if a.hasResidual, let r = node.inputs.last {
                    let (rb, pr) = asBytes(r)
                    inputs.append(rb)
                    residual = pr
                }
                a.residual = nil
                let po = byteOut ? params(out) : nil
                node.op = .quantizedConv2d(QuantizedConv2DAttributes(conv: a, input: px, output: po, residual: residual))
                node.inputs = inputs
                if let po { bytes[out] = po }
                report.quantizedConvolutions += 1
            case .depthwiseConv2d(let a) where quantizable(i):
                let (x, px) = asBytes(node.inputs[0])
                let w = source.constants[node.inputs[1]]!
                let d = w.shape.dims
                let (qw, qs) = try int8Weights(w, k: d[0] * d[1], n: d[2], transposed: false, name: source.values[node.inputs[1]].name)
                let po = byteOut ? params(out) : nil
                node.op = .quantizedDepthwiseConv2d(QuantizedDepthwiseConv2DAttributes(depthwise: a, input: px, output: po))
                node.inputs = [x, qw, qs] + node.inputs.dropFirst(2)
                if let po { bytes[out] = po }
                report.quantizedConvolutions += 1
            case .binary(.add, let act) where quantizable(i) && byteOut:
                let (a, pa) = asBytes(node.inputs[0]), (b, pb) = asBytes(node.inputs[1])
                let po = params(out)
                node.op = .quantizedAdd(QuantizedAddAttributes(a: pa, b: pb, output: po, activation: act))
                node.inputs = [a, b]
                bytes[out] = po
                report.quantizedElementwise += 1
            case .binary(.add, let act) where quantizable(i) && node.inputs.allSatisfy({ bytes[$0] != nil }):
                // Both terms are uint8 and no consumer wants bytes: the sum in float32, in one
                // pass (instead of dequantizing each term and adding in float).
                let pa = bytes[node.inputs[0]]!, pb = bytes[node.inputs[1]]!
                node.op = .quantizedAdd(QuantizedAddAttributes(a: pa, b: pb, output: nil, activation: act))
                report.quantizedElementwise += 1
            case .binary(.mul, .none) where quantizable(i) && byteOut:
                let (xv, gv) = gateOperand(node)!
                let (x, px) = asBytes(xv)
                let po = params(out)
                node.op = .quantizedScaleChannels(QuantizedScaleAttributes(input: px, output: po))
                node.inputs = [x, asFloat(gv)]
                bytes[out] = po
                report.quantizedElementwise += 1
            default:
                if passesBytes(i), byteOut, let p = bytes[node.inputs[0]] {
                    if case .concat = node.op {
                        guard node.inputs.allSatisfy({ bytes[$0] == p }) else { fallthroughToFloat(&node); break }
                    }
                    if case .pad(var pa) = node.op {
                        pa.value = Float(p.zeroPoint)
                        node.op = .pad(pa)
                    }
                    bytes[out] = p
                    report.byteOps += 1
                } else {
                    fallthroughToFloat(&node)
                }
            }
            nodes.append(node)
        }
        // Graph outputs are float32 under their original names.
        for (k, v) in g.outputs.enumerated() where bytes[v] != nil {
            let name = g.values[v].name
            g.values[v].name = name + ":q"
            let f = asFloat(v)
            g.values[f].name = name
            g.outputs[k] = f
        }
        g.nodes = nodes
        return g
    }

    /// The node stays float32: uint8 inputs are dequantized first.
    mutating func fallthroughToFloat(_ node: inout Node) {
        node.inputs = node.inputs.map { asFloat($0) }
        report.floatOps += 1
    }
}
