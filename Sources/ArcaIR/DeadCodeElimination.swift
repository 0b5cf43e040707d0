extension Graph {
    /// Rewrite rule: removes nodes none of whose outputs reach a graph output,
    /// and constants nothing live reads. Value ids stay stable (unused values stay in `values`).
    /// Returns the number of nodes removed. Works on unsorted graphs too.
    @discardableResult
    public mutating func eliminateDeadCode() -> Int {
        let producer = producerIndices()
        var liveValues = Set<ValueID>()
        var liveNodes = Set<Int>()
        var work = outputs
        while let id = work.popLast() {
            guard liveValues.insert(id).inserted, values.indices.contains(id), let p = producer[id] else { continue }
            if liveNodes.insert(p).inserted { work.append(contentsOf: nodes[p].inputs) }
        }
        let dead = Set(nodes.indices).subtracting(liveNodes)
        removeNodes(dead)
        for id in constants.keys where !liveValues.contains(id) { constants[id] = nil }
        return dead.count
    }
}
