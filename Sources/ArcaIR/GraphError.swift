import ArcaTensor

/// Why a ``Graph`` was rejected by the verifier or shape inference.
///
/// `node` strings read like `node 3 'conv1' (conv2d)`; value strings like `value 7 'x'`.
public enum GraphError: Error, Equatable, CustomStringConvertible {
    /// A node names a value id that is not in `values`.
    case valueOutOfRange(node: String, value: ValueID)
    /// A node reads a value that no input, constant or node produces.
    case danglingInput(node: String, value: String)
    /// A value has more than one producer (graph input, constant or node output).
    case producedTwice(value: String)
    /// The nodes listed take part in (or depend on) a cycle.
    case cycle(nodes: [String])
    /// A graph output (or input id) is not produced by anything.
    case outputNotProduced(value: String)
    case wrongInputCount(node: String, expected: String, got: Int)
    case wrongOutputCount(node: String, expected: Int, got: Int)
    /// Shapes that do not fit the op (rank, channels, K, broadcasting, element counts).
    case shapeMismatch(node: String, detail: String)
    case dtypeMismatch(node: String, value: String, expected: String, got: DType)
    /// An attribute that is invalid by itself or for the input shapes (stride ≤ 0, bad perm, axis out of range…).
    case invalidAttribute(node: String, detail: String)
    /// A concrete shape passed for a graph input does not fit its declaration.
    case inputShapeMismatch(value: String, declared: [Int], given: [Int])
    /// A shape was given for a value that is not a graph input.
    case notAGraphInput(value: String)

    public var description: String {
        switch self {
        case .valueOutOfRange(let n, let v): "\(n) reads value id \(v), which does not exist"
        case .danglingInput(let n, let v): "\(n) reads \(v), which nothing produces"
        case .producedTwice(let v): "\(v) is produced more than once"
        case .cycle(let ns): "cycle through " + ns.joined(separator: ", ")
        case .outputNotProduced(let v): "graph output \(v) is not produced"
        case .wrongInputCount(let n, let e, let g): "\(n) takes \(e) inputs, got \(g)"
        case .wrongOutputCount(let n, let e, let g): "\(n) has \(e) outputs, got \(g)"
        case .shapeMismatch(let n, let d): "\(n): shape mismatch: \(d)"
        case .dtypeMismatch(let n, let v, let e, let g): "\(n): \(v) must be \(e), got \(g)"
        case .invalidAttribute(let n, let d): "\(n): invalid attribute: \(d)"
        case .inputShapeMismatch(let v, let d, let g): "input \(v) is declared \(d), given \(g)"
        case .notAGraphInput(let v): "\(v) is not a graph input"
        }
    }
}

extension Graph {
    /// `node 3 'conv1' (conv2d)`, for errors.
    func describeNode(_ index: Int) -> String {
        guard nodes.indices.contains(index) else { return "node \(index)" }
        let n = nodes[index]
        return n.name.isEmpty ? "node \(index) (\(n.op.name))" : "node \(index) '\(n.name)' (\(n.op.name))"
    }

    /// `value 7 'x'`, for errors.
    func describeValue(_ id: ValueID) -> String {
        guard values.indices.contains(id) else { return "value \(id)" }
        let name = values[id].name
        return name.isEmpty ? "value \(id)" : "value \(id) '\(name)'"
    }
}
