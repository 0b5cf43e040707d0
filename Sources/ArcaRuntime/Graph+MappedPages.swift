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
        var advised = 0
        for id in gatheredConstants {
            guard let t = constants[id], let file = t.storage.owner as? MappedFile else { continue }
            advised += file.adviseRandom(t.storage.bytes, count: t.storage.byteCount)
        }
        return advised
    }

    /// Once a model has planned (and packed), advises the kernel to reclaim the mapped pages of
    /// ``packedSourceConstants`` (``MappedFile/adviseCold(_:count:)``): otherwise they stay
    /// resident beside their packed copies. Constants not borrowed from a mapped file are
    /// left alone. Returns the bytes advised.
    @discardableResult
    public func releasePackedSourcePages() -> Int {
        var advised = 0
        for id in packedSourceConstants {
            guard let t = constants[id], let file = t.storage.owner as? MappedFile else { continue }
            advised += file.adviseCold(t.storage.bytes, count: t.storage.byteCount)
        }
        return advised
    }
}
