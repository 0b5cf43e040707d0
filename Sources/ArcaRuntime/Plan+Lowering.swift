import ArcaIR
import ArcaKernels
import ArcaTensor

/// What lowering a node needs: the planned graph, the pool, and where each value lives.
struct LoweringContext {
    let graph: Graph
    let pool: ThreadPool
    let pointer: (ValueID) -> UnsafeMutableRawPointer
    let aliasOf: [ValueID: ValueID]
    /// Shares packed weights with other plans of the same graph.
    var weightCache: PackedWeightCache? = nil
    /// Objects (packed weights, scratch) the steps point into; the plan keeps them alive.
    var retained: [AnyObject] = []

    func shape(_ id: ValueID) -> [Int] { graph.values[id].shape }
    func dtype(_ id: ValueID) -> DType { graph.values[id].dtype }
    func f(_ id: ValueID) -> UnsafeMutablePointer<Float> { pointer(id).assumingMemoryBound(to: Float.self) }
    func constant(_ id: ValueID) -> Tensor? { graph.constants[id] }
    func optionalF(_ node: Node, _ i: Int) -> UnsafePointer<Float>? { node.inputs.count > i ? UnsafePointer(f(node.inputs[i])) : nil }

    /// Chooses the kernel for one node (the graph is verified, so shapes and arities are right).
    mutating func lower(_ node: Node, index: Int) throws -> Step {
        let name = node.name.isEmpty ? "node \(index) (\(node.op.name))" : "node \(index) '\(node.name)' (\(node.op.name))"
        for id in node.inputs + node.outputs where shape(id).contains(0) {
            throw PlanError.unsupported(node: name, detail: "empty tensor \(graph.values[id].name) \(shape(id))")
        }
        switch node.op {
        case .conv2d(let a): return lowerConv2d(a, node)
        case .depthwiseConv2d(let a): return lowerDepthwise(a, node)
        case .transposeConv2d(let a): return lowerTransposeConv(a, node)
        case .matMul(let a): return lowerMatMul(a, node)
        case .quantizedMatMul(let a): return lowerQuantizedMatMul(a, node)
        case .packedMatMul(let a): return try lowerPackedMatMul(a, node, name: name)
        case .attention(let a): return lowerAttention(a, node)
        case .pool2d(let a): return dtype(node.inputs[0]) == .uint8 ? lowerBytePool(a, node) : lowerPool(a, node)
        case .resizeBilinear(let a): return dtype(node.inputs[0]) == .uint8 ? lowerByteResize(a, node) : lowerResize(a, node)
        case .binary(let k, let act): return try lowerBinary(k, Lowering.activation(act), node, name: name)
        case .prelu: return lowerPRelu(node)
        case .unary(let k): return lowerUnary(k, node)
        case .cast(let to): return lowerCast(to, node)
        case .quantize(let q): return lowerQuantize(q, node)
        case .dequantize(let q): return lowerDequantize(q, node)
        case .quantizedConv2d(let a): return try lowerQuantizedConv2d(a, node, name: name)
        case .quantizedDepthwiseConv2d(let a): return try lowerQuantizedDepthwise(a, node, name: name)
        case .quantizedAdd(let a): return lowerQuantizedAdd(a, node)
        case .quantizedScaleChannels(let a): return lowerQuantizedScale(a, node)
        case .softmax(let axis): return lowerSoftmax(axis, node)
        case .layerNorm(let eps): return lowerLayerNorm(eps, node)
        case .l2Normalize(let eps): return lowerL2Normalize(eps, node)
        case .maskedMean: return lowerMaskedMean(node)
        case .reduceMean(let axes, _): return dtype(node.inputs[0]) == .uint8 ? lowerByteReduceMean(axes, node) : lowerReduceMean(axes, node)
        case .reshape: return lowerReshape(node)
        case .transpose(let perm): return lowerTranspose(perm, node)
        case .concat(let axis): return lowerConcat(axis, node)
        case .pad(let a): return lowerPad(a, node)
        case .depthToSpace(let b): return lowerDepthToSpace(b, node)
        case .gather(let axis): return lowerGather(axis, node, name: name)
        }
    }
}
