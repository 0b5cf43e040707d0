/// Expansion of TFLite sparse tensors (traversal order, block map, DENSE/CSR levels) to dense row-major arrays.
public enum TFLiteDensify {
    /// Scatters `values` (stored in traversal order) into a dense array of `shape`, filling the rest with `zero`.
    ///
    /// Level `l` walks dimension `traversalOrder[l]`: for `l < n` a block-grid coordinate of dense
    /// dimension `traversalOrder[l]`, for `l >= n` an offset inside block dimension `traversalOrder[l] - n`,
    /// which subdivides dense dimension `blockMap[traversalOrder[l] - n]`. Every size, segment and index is
    /// checked; `values` must be consumed exactly.
    public static func densify<T>(values: [T], shape: [Int], sparsity: TFLiteSparsity, zero: T, tensor: String = "", maxElements: Int = 1 << 26) throws -> [T] {
        func fail(_ reason: String) -> TFLiteError { .badSparsity(tensor: tensor, reason: reason) }
        let n = shape.count
        let k = sparsity.blockMap.count
        let order = sparsity.traversalOrder
        let levels = sparsity.dimMetadata
        // The format allows at most one block dimension per dense dimension; this also bounds the recursion depth.
        guard n <= TFLiteModel.maxRank, k <= n else { throw fail("rank \(n) with \(k) block dimensions") }
        guard order.count == n + k, levels.count == n + k else {
            throw fail("traversal order \(order.count) / dim metadata \(levels.count) entries for rank \(n) with \(k) block dims")
        }
        guard Set(order[..<n]) == Set(0..<n), Set(order[n...]) == Set(n..<n + k) else { throw fail("traversal order \(order) is not a permutation") }
        guard sparsity.blockMap.allSatisfy({ (0..<n).contains($0) }) else { throw fail("block map \(sparsity.blockMap) out of range") }
        guard shape.allSatisfy({ $0 >= 0 }) else { throw fail("negative shape \(shape)") }
        var total = 1
        for d in shape {
            let (p, o) = total.multipliedReportingOverflow(by: d)
            guard !o, p <= maxElements else { throw fail("shape \(shape) too large") }
            total = p
        }

        // Size of each block dimension, then of each level.
        var blockSize = [Int](repeating: 1, count: k)
        for l in n..<n + k {
            guard case .dense(let s) = levels[l] else { throw fail("block level \(l) must be dense") }
            blockSize[order[l] - n] = s
        }
        var blocked = shape
        for (b, dim) in sparsity.blockMap.enumerated() {
            guard blockSize[b] >= 1, blocked[dim] % blockSize[b] == 0 else { throw fail("block size \(blockSize[b]) does not divide dimension \(dim)") }
            blocked[dim] /= blockSize[b]
        }
        let levelSize = (0..<n + k).map { l in order[l] < n ? blocked[order[l]] : blockSize[order[l] - n] }
        for l in 0..<n + k {
            switch levels[l] {
            case .dense(let s):
                guard s == levelSize[l] else { throw fail("level \(l) dense size \(s), expected \(levelSize[l])") }
            case .sparseCSR(let segments, let indices):
                guard !segments.isEmpty, segments.first == 0, segments.last == indices.count,
                      zip(segments, segments.dropFirst()).allSatisfy({ $0 <= $1 }) else { throw fail("level \(l) segments are not a valid CSR row pointer") }
                guard indices.allSatisfy({ (0..<levelSize[l]).contains($0) }) else { throw fail("level \(l) index out of range 0..<\(levelSize[l])") }
            }
        }

        var out = [T](repeating: zero, count: total)
        let strides = (0..<n).map { d in shape[(d + 1)...].reduce(1, *) }
        var coords = [Int](repeating: 0, count: n + k)
        var next = 0

        // Depth-first walk; `parent` is the position in the previous level (row for CSR segments).
        func walk(_ level: Int, _ parent: Int) throws {
            if level == n + k {
                var flat = 0
                for d in 0..<n {
                    var c = 0
                    for l in 0..<n where order[l] == d { c = coords[l] }
                    for l in n..<n + k where sparsity.blockMap[order[l] - n] == d { c = c * blockSize[order[l] - n] + coords[l] }
                    flat += c * strides[d]
                }
                guard next < values.count else { throw fail("more stored positions than the \(values.count) values") }
                out[flat] = values[next]
                next += 1
                return
            }
            switch levels[level] {
            case .dense(let size):
                for i in 0..<size {
                    coords[level] = i
                    try walk(level + 1, parent * size + i)
                }
            case .sparseCSR(let segments, let indices):
                guard parent + 1 < segments.count else { throw fail("level \(level) has \(segments.count - 1) segments, needs position \(parent)") }
                for j in segments[parent]..<segments[parent + 1] {
                    coords[level] = indices[j]
                    try walk(level + 1, j)
                }
            }
        }
        try walk(0, 0)
        guard next == values.count else { throw fail("\(values.count) values stored, \(next) positions") }
        return out
    }
}
