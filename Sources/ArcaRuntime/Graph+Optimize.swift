import ArcaIR

extension Graph {
    /// The standard pass pipeline before planning: constant folding (with the
    /// ``ReferenceEvaluator``), dead-code elimination, bias/activation fusion, and
    /// dead-code elimination again. Throws ``GraphError`` for invalid graphs.
    public func optimized(maxFoldedElements: Int = 1 << 22) throws -> Graph {
        var g = self
        try g.foldConstants(using: ReferenceEvaluator(), maxElements: maxFoldedElements)
        g.eliminateDeadCode()
        try g.fuse()
        g.eliminateDeadCode()
        return g
    }
}
