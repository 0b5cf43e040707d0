import ArcaTensor

/// Evaluates one op on concrete tensors; implemented by the runtime's reference evaluator,
/// so that ArcaIR folds constants without depending on kernels.
public protocol OpEvaluator {
    /// The outputs of `op` applied to `inputs` (one tensor per node output).
    func evaluate(_ op: Op, inputs: [Tensor]) throws -> [Tensor]
}

extension Graph {
    /// Rewrite rule: a node whose inputs are all constants is evaluated and its
    /// outputs become constants. Nodes are visited in topological order, so chains fold.
    ///
    /// Nodes whose outputs would exceed `maxElements` are kept (folding must not blow up
    /// the model). Returns how many nodes were folded. Evaluator errors propagate.
    @discardableResult
    public mutating func foldConstants(using evaluator: some OpEvaluator, maxElements: Int = 1 << 22) throws -> Int {
        try inferShapes()
        var folded = Set<Int>()
        for (i, node) in nodes.enumerated() {
            guard !node.inputs.isEmpty, node.inputs.allSatisfy({ constants[$0] != nil }) else { continue }
            guard node.outputs.allSatisfy({ ShapeRules.count(values[$0].shape).map { $0 <= maxElements } ?? false }) else { continue }
            let results = try evaluator.evaluate(node.op, inputs: node.inputs.compactMap { constants[$0] })
            guard results.count == node.outputs.count else { continue }
            for (id, t) in zip(node.outputs, results) {
                constants[id] = t
                values[id].dtype = t.dtype
                values[id].shape = t.shape.dims
            }
            folded.insert(i)
        }
        removeNodes(folded)
        return folded.count
    }

    /// Closure form of ``foldConstants(using:maxElements:)``.
    @discardableResult
    public mutating func foldConstants(maxElements: Int = 1 << 22,
                                       _ evaluate: @escaping (Op, [Tensor]) throws -> [Tensor]) throws -> Int {
        try foldConstants(using: ClosureEvaluator(body: evaluate), maxElements: maxElements)
    }
}

private struct ClosureEvaluator: OpEvaluator {
    let body: (Op, [Tensor]) throws -> [Tensor]
    func evaluate(_ op: Op, inputs: [Tensor]) throws -> [Tensor] { try body(op, inputs) }
}
