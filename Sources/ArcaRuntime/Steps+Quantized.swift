import ArcaIR
import ArcaKernels
import ArcaTensor

/// Int8 operations.
extension LoweringContext {
    /// a `[..., M, K]` · int8 b: b packed once per graph (shared through the weight cache).
    mutating func lowerQuantizedMatMul(_ a: MatMulAttributes, _ node: Node) -> Step {
        let s = shape(node.inputs[0]), ws = shape(node.inputs[1])
        let k = s[s.count - 1]
        let n = a.transposeB ? ws[0] : ws[1]
        let m = s.dropLast().reduce(1, *)
        let x = UnsafePointer(f(node.inputs[0])), y = f(node.outputs[0])
        let w = UnsafePointer(pointer(node.inputs[1]).assumingMemoryBound(to: Int8.self))
        let scales = UnsafePointer(f(node.inputs[2]))
        let bias = optionalF(node, 3)
        let act = Lowering.activation(a.activation)
        let (pool, transposed) = (self.pool, a.transposeB)
        let make = { PackedInt8B(weights: w, scales: scales, k: k, n: n, transposed: transposed, pool: pool) }
        // Weights that are values (not constants) may change between runs: pack per run.
        guard constant(node.inputs[1]) != nil, constant(node.inputs[2]) != nil else {
            return Step(kernel: "qgemm.unprepared") {
                QuantizedGEMM.run(m: m, a: x, lda: k, b: make(), c: y, ldc: n, bias: bias, activation: act, pool: pool)
            }
        }
        let packed = shared(w, "\(k)x\(n) transposed \(transposed) scales \(Int(bitPattern: scales))", make: make)
        retained.append(packed)
        return Step(kernel: "qgemm.packed") {
            QuantizedGEMM.run(m: m, a: x, lda: k, b: packed, c: y, ldc: n, bias: bias, activation: act, pool: pool)
        }
    }
}
