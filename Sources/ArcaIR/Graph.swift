import ArcaTensor

/// Identifies a value (an edge) of a ``Graph``: an index into `values`.
public typealias ValueID = Int

/// What is known about a value before running: its type and shape.
/// A dimension of -1 is unknown until the graph is planned for concrete inputs.
public struct ValueInfo: Sendable, Hashable {
    public var name: String
    public var dtype: DType
    public var shape: [Int]

    public init(name: String, dtype: DType, shape: [Int]) {
        self.name = name; self.dtype = dtype; self.shape = shape
    }
}

/// One operation: reads `inputs`, writes `outputs` (value ids).
public struct Node: Sendable, Hashable {
    public var op: Op
    public var inputs: [ValueID]
    public var outputs: [ValueID]
    public var name: String

    public init(op: Op, inputs: [ValueID], outputs: [ValueID], name: String = "") {
        self.op = op; self.inputs = inputs; self.outputs = outputs; self.name = name
    }
}

/// A dataflow graph over typed values. Values are produced by exactly one of:
/// a graph input, a constant, or one node output. Nodes are kept in a
/// topological order once verified.
public struct Graph: Sendable {
    public var values: [ValueInfo] = []
    public var nodes: [Node] = []
    public var inputs: [ValueID] = []
    public var outputs: [ValueID] = []
    public var constants: [ValueID: Tensor] = [:]

    public init() {}

    /// Adds a graph input.
    @discardableResult
    public mutating func addInput(_ name: String, dtype: DType = .float32, shape: [Int]) -> ValueID {
        let id = addValue(ValueInfo(name: name, dtype: dtype, shape: shape))
        inputs.append(id)
        return id
    }

    /// Adds a constant value.
    @discardableResult
    public mutating func addConstant(_ name: String, _ tensor: Tensor) -> ValueID {
        let id = addValue(ValueInfo(name: name, dtype: tensor.dtype, shape: tensor.shape.dims))
        constants[id] = tensor
        return id
    }

    /// Adds a value with no producer yet.
    @discardableResult
    public mutating func addValue(_ info: ValueInfo) -> ValueID {
        values.append(info)
        return values.count - 1
    }

    /// Appends a node with fresh output values whose types are filled in by shape inference.
    @discardableResult
    public mutating func addNode(_ op: Op, inputs: [ValueID], outputCount: Int = 1, name: String = "") -> [ValueID] {
        let outs = (0..<outputCount).map { i in
            addValue(ValueInfo(name: outputCount == 1 ? name : "\(name):\(i)", dtype: .float32, shape: []))
        }
        nodes.append(Node(op: op, inputs: inputs, outputs: outs, name: name))
        return outs
    }

    /// Convenience for single-output nodes.
    public mutating func add(_ op: Op, _ inputs: ValueID..., name: String = "") -> ValueID {
        addNode(op, inputs: inputs, name: name)[0]
    }

    public mutating func markOutput(_ id: ValueID) { outputs.append(id) }

    /// Ids of values with the given name.
    public func value(named name: String) -> ValueID? {
        values.firstIndex { $0.name == name }
    }
}
