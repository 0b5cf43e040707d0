/// A `matMul` whose constant weights are stored in a GEMM kernel's panel layout, so that a
/// model keeps one copy of them (the packed one) instead of the float matrix beside it.
///
/// Layout of the packed `b` (float32, rank 1, ``packedCount`` elements), for the logical
/// row-major `B[K, N]`: columns are grouped in panels of ``panelWidth`` (the last one zero
/// padded to `paddedN`), rows in depth blocks of ``depthBlock`` (the last one shorter). Block
/// `kb` (rows `k0 = kb·depthBlock ..< k0 + kLen`) starts at `k0 · paddedN`; inside it panel
/// `p` starts at `p · kLen · panelWidth` and holds `kLen` rows of `panelWidth` floats. So
/// `B[k, j]` is at `k0·paddedN + (j / panelWidth)·kLen·panelWidth + (k − k0)·panelWidth + j % panelWidth`.
///
/// Runtimes pack for their own kernel (``panelWidth`` and ``depthBlock`` are the kernel's);
/// a graph packed for other numbers must be repacked from the float model, not run.
public struct PackedMatMulAttributes: Sendable, Hashable, Codable {
    public var activation: FusedActivation
    /// Inner (reduction) size: a's last dimension.
    public var k: Int
    /// Output columns.
    public var n: Int
    public var panelWidth: Int
    public var depthBlock: Int

    public init(k: Int, n: Int, panelWidth: Int, depthBlock: Int, activation: FusedActivation = .none) {
        self.k = k; self.n = n; self.panelWidth = panelWidth; self.depthBlock = depthBlock; self.activation = activation
    }

    /// Columns rounded up to whole panels.
    public var paddedN: Int { (n + panelWidth - 1) / panelWidth * panelWidth }

    /// Elements of the packed weights.
    public var packedCount: Int { paddedN * k }

    /// Index of `B[row, column]` in the packed weights.
    public func index(row: Int, column: Int) -> Int {
        let k0 = row / depthBlock * depthBlock
        let kLen = min(depthBlock, k - k0)
        return k0 * paddedN + column / panelWidth * kLen * panelWidth + (row - k0) * panelWidth + column % panelWidth
    }

    /// Sizes a runtime can hold without overflow (each at most 2²⁴, panels and blocks at most 2¹⁰).
    public var isValid: Bool {
        (1...(1 << 24)).contains(k) && (1...(1 << 24)).contains(n) && (1...1024).contains(panelWidth) && (1...1024).contains(depthBlock)
            && k.multipliedReportingOverflow(by: paddedN).overflow == false && packedCount <= 1 << 31
    }
}
