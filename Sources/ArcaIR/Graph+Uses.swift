extension Graph {
    /// For each value id, the indices of the nodes that read it (once per node).
    public func consumers() -> [[Int]] {
        var users = [[Int]](repeating: [], count: values.count)
        for (i, node) in nodes.enumerated() {
            for id in Set(node.inputs) where values.indices.contains(id) { users[id].append(i) }
        }
        return users
    }

    /// For each value id, the index of the node that produces it, if any.
    public func producerIndices() -> [Int?] {
        var producer = [Int?](repeating: nil, count: values.count)
        for (i, node) in nodes.enumerated() {
            for id in node.outputs where values.indices.contains(id) { producer[id] = i }
        }
        return producer
    }

    /// Removes the nodes at `indices`, keeping the order of the others.
    public mutating func removeNodes(_ indices: Set<Int>) {
        guard !indices.isEmpty else { return }
        nodes = nodes.enumerated().filter { !indices.contains($0.offset) }.map(\.element)
    }
}
