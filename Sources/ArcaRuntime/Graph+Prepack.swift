import ArcaIR
import ArcaKernels
import ArcaTensor

extension Graph {
    /// Rewrite rule: every `matMul` with constant rank-2 float32 weights becomes a
    /// `packedMatMul` whose weights are packed once, here, for this build's GEMM kernel; the
    /// float matrices go unless something else reads them.
    ///
    /// For graphs a model keeps to plan many input shapes (text: one plan per batch and
    /// length): plans would otherwise share one packing through ``PackedWeightCache`` and the
    /// graph would still hold every float matrix beside it. The result runs only on kernels
    /// with the same panel width and depth block (``PackedB/panelWidth``,
    /// ``PackedB/depthBlock``); keep the float graph for publishing and for other machines.
    /// Returns the rewritten graph and the number of matmuls rewritten.
    public func prepackedForGEMM(pool: ThreadPool = .serial) throws -> (graph: Graph, rewritten: Int) {
        var g = self
        var packedOf: [[Int]: ValueID] = [:]
        var rewritten = 0
        for i in g.nodes.indices {
            guard case .matMul(let a) = g.nodes[i].op, g.nodes[i].inputs.count >= 2 else { continue }
            let wid = g.nodes[i].inputs[1]
            guard let w = g.constants[wid], w.dtype == .float32, w.rank == 2 else { continue }
            let dims = w.shape.dims
            let (k, n) = a.transposeB ? (dims[1], dims[0]) : (dims[0], dims[1])
            let attrs = PackedMatMulAttributes(k: k, n: n, panelWidth: PackedB.panelWidth, depthBlock: PackedB.depthBlock, activation: a.activation)
            guard attrs.isValid else { continue }
            let key = [wid, a.transposeB ? 1 : 0]
            let pid: ValueID
            if let p = packedOf[key] {
                pid = p
            } else {
                let storage = TensorStorage(byteCount: attrs.packedCount * 4)
                let out = storage.bytes.assumingMemoryBound(to: Float.self)
                w.contiguous().withUnsafeBytes { raw in
                    let base = raw.baseAddress!.assumingMemoryBound(to: Float.self)
                    let b = a.transposeB ? MatrixOperand(base, rowStride: 1, colStride: k) : MatrixOperand(base, rowStride: n)
                    PackedB.pack(b, k: k, n: n, into: out, pool: pool)
                }
                pid = g.addConstant(g.values[wid].name + ".packed", try Tensor(storage: storage, dtype: .float32, shape: [attrs.packedCount]))
                packedOf[key] = pid
            }
            g.nodes[i].op = .packedMatMul(attrs)
            g.nodes[i].inputs[1] = pid
            rewritten += 1
        }
        g.eliminateDeadCode()
        return (g, rewritten)
    }
}
