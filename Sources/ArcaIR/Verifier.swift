extension Graph {
    /// Checks the graph is well formed and well typed without changing it:
    /// every id in range, every value produced exactly once, no cycles, input
    /// and output counts per op, attributes, shapes and dtypes, graph outputs produced.
    public func verify() throws(GraphError) {
        var copy = self
        try copy.inferShapes()
    }

    /// A copy with `nodes` in a topological order (stable: independent nodes keep their relative order).
    public func topologicallySorted() throws(GraphError) -> Graph {
        var copy = self
        let order = try topologicalOrder()
        copy.nodes = order.map { nodes[$0] }
        return copy
    }

    /// For each value id, the index of its producing node, or -1 for graph inputs and constants.
    /// Throws for ids out of range and values produced more than once.
    func producers() throws(GraphError) -> [Int] {
        let unproduced = -2
        var producer = [Int](repeating: unproduced, count: values.count)
        for id in inputs {
            guard values.indices.contains(id) else { throw .outputNotProduced(value: "graph input id \(id)") }
            guard producer[id] == unproduced else { throw .producedTwice(value: describeValue(id)) }
            producer[id] = -1
        }
        for id in constants.keys.sorted() {
            guard values.indices.contains(id) else { throw .outputNotProduced(value: "constant id \(id)") }
            guard producer[id] == unproduced else { throw .producedTwice(value: describeValue(id)) }
            producer[id] = -1
        }
        for (i, node) in nodes.enumerated() {
            for id in node.outputs {
                guard values.indices.contains(id) else { throw .valueOutOfRange(node: describeNode(i), value: id) }
                guard producer[id] == unproduced else { throw .producedTwice(value: describeValue(id)) }
                producer[id] = i
            }
        }
        for (i, node) in nodes.enumerated() {
            for id in node.inputs {
                guard values.indices.contains(id) else { throw .valueOutOfRange(node: describeNode(i), value: id) }
                guard producer[id] != unproduced else { throw .danglingInput(node: describeNode(i), value: describeValue(id)) }
            }
        }
        for id in outputs {
            guard values.indices.contains(id), producer[id] != unproduced else {
                throw .outputNotProduced(value: describeValue(id))
            }
        }
        return producer
    }

    /// Node indices in a topological order (Kahn's algorithm, smallest ready index first).
    func topologicalOrder() throws(GraphError) -> [Int] {
        let producer = try producers()
        var pending = [Int](repeating: 0, count: nodes.count)
        var users = [[Int]](repeating: [], count: nodes.count)
        for (i, node) in nodes.enumerated() {
            for id in node.inputs where producer[id] >= 0 {
                pending[i] += 1
                users[producer[id]].append(i)
            }
        }
        var ready = Heap()
        for i in nodes.indices where pending[i] == 0 { ready.push(i) }
        var order: [Int] = []
        order.reserveCapacity(nodes.count)
        while let i = ready.pop() {
            order.append(i)
            for u in users[i] {
                pending[u] -= 1
                if pending[u] == 0 { ready.push(u) }
            }
        }
        if order.count < nodes.count {
            let stuck = nodes.indices.filter { pending[$0] > 0 }
            throw .cycle(nodes: stuck.prefix(8).map(describeNode))
        }
        return order
    }
}

/// A min-heap of node indices, so sorting keeps the original order where it can.
private struct Heap {
    var items: [Int] = []

    mutating func push(_ x: Int) {
        items.append(x)
        var i = items.count - 1
        while i > 0 {
            let p = (i - 1) / 2
            if items[p] <= items[i] { break }
            items.swapAt(p, i)
            i = p
        }
    }

    mutating func pop() -> Int? {
        guard let top = items.first else { return nil }
        let last = items.removeLast()
        if !items.isEmpty {
            items[0] = last
            var i = 0
            while true {
                let l = 2 * i + 1, r = l + 1
                var m = i
                if l < items.count, items[l] < items[m] { m = l }
                if r < items.count, items[r] < items[m] { m = r }
                if m == i { break }
                items.swapAt(m, i)
                i = m
            }
        }
        return top
    }
}
