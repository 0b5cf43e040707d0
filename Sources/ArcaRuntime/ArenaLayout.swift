import ArcaIR

/// Where each non-constant value of a plan lives in the arena.
///
/// Values are grouped into buffers: a reshape's output aliases its input's buffer.
/// A buffer is live from the step that writes it (inputs: before step 0) to the
/// last step that reads it or any alias (graph outputs: to the end). Buffers whose
/// lifetimes do not overlap may share bytes; offsets come from a greedy first-fit
/// by decreasing size, 64-byte aligned.
struct ArenaLayout {
    /// Byte offset of each value (nil for constants and values that need no buffer).
    var offsets: [Int?]
    var totalBytes: Int
    /// Sum of all buffer sizes without sharing (for diagnostics and tests).
    var unsharedBytes: Int

    static let alignment = 64

    /// - Parameters:
    ///   - steps: per step (node), the values it reads and the value it writes.
    ///   - aliasOf: for values that reuse another value's bytes (reshape), the value they alias.
    ///   - bytes: size in bytes of every value.
    init(graph g: Graph, aliasOf: [ValueID: ValueID], bytes: (ValueID) -> Int) {
        func root(_ v: ValueID) -> ValueID {
            var r = v
            while let a = aliasOf[r] { r = a }
            return r
        }
        let end = g.nodes.count
        var start: [ValueID: Int] = [:], last: [ValueID: Int] = [:]
        for id in g.inputs { start[id] = -1; last[id] = -1 }
        for (t, node) in g.nodes.enumerated() {
            for id in node.inputs where g.constants[id] == nil {
                let r = root(id)
                last[r] = max(last[r] ?? t, t)
            }
            for id in node.outputs where aliasOf[id] == nil {
                start[id] = t
                last[id] = max(last[id] ?? t, t)
            }
        }
        for id in g.outputs where g.constants[id] == nil { last[root(id)] = end }

        struct Buffer { var id: ValueID; var size: Int; var from: Int; var to: Int; var offset = 0 }
        var buffers = start.keys.sorted().map { id -> Buffer in
            let size = (bytes(id) + Self.alignment - 1) / Self.alignment * Self.alignment
            return Buffer(id: id, size: size, from: start[id] ?? 0, to: last[id] ?? 0)
        }
        buffers.sort { $0.size != $1.size ? $0.size > $1.size : $0.id < $1.id }
        var placed: [Buffer] = []
        var total = 0
        for var b in buffers {
            let clashes = placed.filter { $0.from <= b.to && b.from <= $0.to }.sorted { $0.offset < $1.offset }
            var offset = 0
            for c in clashes where offset + b.size > c.offset && offset < c.offset + c.size {
                offset = c.offset + c.size
            }
            b.offset = offset
            total = max(total, offset + b.size)
            placed.append(b)
        }
        var offsets = [Int?](repeating: nil, count: g.values.count)
        for b in placed { offsets[b.id] = b.offset }
        for id in g.values.indices where aliasOf[id] != nil { offsets[id] = offsets[root(id)] }
        self.offsets = offsets
        totalBytes = total
        unsharedBytes = buffers.reduce(0) { $0 + $1.size }
    }
}
