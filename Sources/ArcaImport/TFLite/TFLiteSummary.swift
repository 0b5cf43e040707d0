extension TFLiteModel {
    /// A human-readable summary: inputs, outputs, tensor and constant counts, operator histogram.
    public func summary(subgraph index: Int = 0) -> String {
        let g = subgraphs[index]
        func describe(_ i: Int) -> String { "\(g.tensors[i].name) \(g.tensors[i].shape) \(g.tensors[i].type)" }
        let constants = g.tensors.filter(\.isConstant)
        let bytes = constants.reduce(0) { $0 + ($1.data.map { $0.count * $0.dtype.byteSize } ?? 0) }
        var lines = [
            "TFLite schema v\(version), subgraph \(index) '\(g.name ?? "")' of \(subgraphs.count)",
            "inputs:  " + g.inputs.map(describe).joined(separator: ", "),
            "outputs: " + g.outputs.map(describe).joined(separator: ", "),
            "tensors: \(g.tensors.count) (\(constants.count) constant, \(bytes) bytes; \(g.tensors.filter { $0.sparsity != nil }.count) sparse)",
            "operators: \(g.operators.count)",
        ]
        lines += opHistogram(subgraph: index).sorted { $0.key < $1.key }.map { "  \($0.key) x\($0.value)" }
        return lines.joined(separator: "\n")
    }
}
