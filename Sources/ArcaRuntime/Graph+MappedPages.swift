import ArcaIR
import ArcaTensor

extension Graph {
    /// Constants that plans read only to pack them: int8 matmul weights, which every plan of a
    /// model takes packed from its ``PackedWeightCache``.
    public var packedSourceConstants: [ValueID] {
        var ids: Set<ValueID> = []
        for n in nodes {
            guard case .quantizedMatMul = n.op, n.inputs.count > 1, constants[n.inputs[1]] != nil else { continue }
            ids.insert(n.inputs[1])
        }
        return ids.sorted()
    }

    /// Constants read a row at a time: the tables of `gather` (word and position embeddings).
    public var gatheredConstants: [ValueID] {
        var ids: Set<ValueID> = []
        for n in nodes {
            guard case .gather = n.op, let table = n.inputs.first, constants[table] != nil else { continue }
            ids.insert(table)
        }
        return ids.sorted()
    }

    /// Advises random access for the mapped pages of ``gatheredConstants``
    /// (``MappedFile/adviseRandom(_:count:)``), so that only the rows read become resident.
    /// Returns the bytes advised.
    @discardableResult
    public func adviseGatheredPagesRandom() -> Int {
        adviseMapped(gatheredConstants) { $0.adviseRandom($1.bytes, count: $1.byteCount) }
    }

    /// Once a model has planned (and packed), advises the kernel to reclaim the mapped pages of
    /// ``packedSourceConstants`` (``MappedFile/adviseCold(_:count:)``): otherwise they stay
    /// resident beside their packed copies. Constants not borrowed from a mapped file are
    /// left alone. Returns the bytes advised.
    @discardableResult
    public func releasePackedSourcePages() -> Int {
        adviseMapped(packedSourceConstants) { $0.adviseCold($1.bytes, count: $1.byteCount) }
    }

    /// Applies `advice` to each of `ids` whose storage borrows a mapped file; sums what it returns.
    private func adviseMapped(_ ids: [ValueID], _ advice: (MappedFile, TensorStorage) -> Int) -> Int {
        ids.reduce(0) { sum, id in
            guard let s = constants[id]?.storage, let file = s.owner as? MappedFile else { return sum }
            return sum + advice(file, s)
        }
    }
}
