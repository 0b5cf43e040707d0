import ArcaIR
import ArcaKernels
import ArcaTensor

extension Graph {
    /// Dynamic int8 quantization for transformer-style graphs: after the standard passes,
    /// every `matMul` with constant rank-2 float32 weights becomes a `quantizedMatMul`
    /// with per-output-column int8 weights (activations are quantized per row at run time).
    /// Softmax, layer norm, GELU and attention stay float32. Returns the graph and how many
    /// matmuls were quantized.
    /// Nodes whose name `keepFloat` accepts stay float32.
    public func quantizedDynamicInt8(keepFloat: (String) -> Bool = { _ in false }) throws -> (graph: Graph, quantized: Int) {
        var g = try optimized()
        var count = 0
        for i in g.nodes.indices {
            let node = g.nodes[i]
            guard case .matMul(let a) = node.op, node.inputs.count >= 2,
                  let w = g.constants[node.inputs[1]], w.dtype == .float32, w.shape.dims.count == 2,
                  !keepFloat(node.name) else { continue }
            let dims = w.shape.dims
            let (k, n) = a.transposeB ? (dims[1], dims[0]) : (dims[0], dims[1])
            guard k > 0, n > 0, k <= QuantizedGEMM.maxK else { continue }
            let (values, scales) = w.floats().withUnsafeBufferPointer {
                Int8Quantization.quantizeColumns($0.baseAddress!, k: k, n: n, transposed: a.transposeB)
            }
            let base = g.values[node.inputs[1]].name
            let q = g.addConstant(base + ".int8", try Tensor(shape: Shape(dims), scalars: values))
            let s = g.addConstant(base + ".scales", try Tensor(shape: Shape([n]), scalars: scales))
            g.nodes[i].op = .quantizedMatMul(a)
            g.nodes[i].inputs = [node.inputs[0], q, s] + node.inputs.dropFirst(2)
            count += 1
        }
        g.eliminateDeadCode()
        try g.inferShapes()
        try g.verify()
        return (g, count)
    }
}
