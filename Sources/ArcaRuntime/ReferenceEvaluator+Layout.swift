import ArcaIR
import ArcaTensor

extension ReferenceEvaluator {
    /// Ops that move elements: done by copying bytes, so every dtype works.
    func layout(_ op: Op, _ x: [Tensor], _ out: [Int], nodeName: String) throws -> Tensor {
        switch op {
        case .reshape:
            return try x[0].reshaped(Shape(out))
        case .transpose(let perm):
            return try x[0].permuted(perm).contiguous()
        case .depthToSpace(let b):
            let s = x[0].shape.dims
            let six = try x[0].reshaped([s[0], s[1], s[2], b, b, s[3] / (b * b)])
            return try six.permuted([0, 1, 3, 2, 4, 5]).contiguous().reshaped(Shape(out))
        case .cast(let to):
            return x[0].converted(to: to)
        case .concat(let axis):
            let ax = Lowering.normalizedAxis(axis, rank: out.count)
            var starts: [Int] = []
            var acc = 0
            for t in x { starts.append(acc); acc += t.shape[ax] }
            let sources = x.map { $0.contiguous() }
            return gatherBytes(out, dtype: x[0].dtype) { idx in
                var which = 0
                while which + 1 < starts.count && idx[ax] >= starts[which + 1] { which += 1 }
                var j = idx
                j[ax] -= starts[which]
                return (sources[which], flat(j, sources[which].shape.dims))
            }
        case .pad(let a):
            let src = x[0].contiguous()
            let fill = Tensor(scalar: a.value).converted(to: src.dtype)
            let s = src.shape.dims
            return gatherBytes(out, dtype: src.dtype) { idx in
                var j = idx
                for d in j.indices {
                    j[d] -= a.before[d]
                    if j[d] < 0 || j[d] >= s[d] { return (fill, 0) }
                }
                return (src, flat(j, s))
            }
        case .gather(let axis):
            let src = x[0].contiguous()
            let s = src.shape.dims
            let ax = Lowering.normalizedAxis(axis, rank: s.count)
            let indices = x[1].ints()
            let ir = x[1].rank
            for i in indices where i < -s[ax] || i >= s[ax] {
                throw EvaluationError.indexOutOfRange(node: nodeName, index: i, size: s[ax])
            }
            let iShape = x[1].shape.dims
            return gatherBytes(out, dtype: src.dtype) { idx in
                let k = indices[flat(Array(idx[ax..<(ax + ir)]), iShape)]
                let j = Array(idx[..<ax]) + [k < 0 ? k + s[ax] : k] + Array(idx[(ax + ir)...])
                return (src, flat(j, s))
            }
        default:
            throw EvaluationError.unsupported(node: nodeName, detail: "\(op.name) is not a layout op")
        }
    }

    /// Builds a tensor of shape `out` whose element at each index is copied from `(tensor, flat index)`.
    private func gatherBytes(_ out: [Int], dtype: DType, _ source: ([Int]) -> (Tensor, Int)) -> Tensor {
        let result = Tensor(zeros: Shape(out), dtype: dtype)
        let es = dtype.byteSize
        let dst = result.storage.bytes
        for i in 0..<out.reduce(1, *) {
            let (t, j) = source(unravel(i, out))
            t.withUnsafeBytes { (dst + i * es).copyMemory(from: $0.baseAddress! + j * es, byteCount: es) }
        }
        return result
    }

    /// Integer binary ops (shape arithmetic in imported graphs), via `Int`.
    func integerBinary(_ k: BinaryKind, _ a: Tensor, _ b: Tensor, _ out: [Int]) throws -> Tensor {
        let x = a.ints(), y = b.ints()
        let ta = Lowering.broadcastStrides(a.shape.dims, to: out), tb = Lowering.broadcastStrides(b.shape.dims, to: out)
        let values: [Int64] = (0..<out.reduce(1, *)).map { i in
            let idx = unravel(i, out)
            var ia = 0, ib = 0
            for d in idx.indices { ia += idx[d] * ta[d]; ib += idx[d] * tb[d] }
            let (p, q) = (x[ia], y[ib])
            switch k {
            case .add: return Int64(p &+ q)
            case .sub: return Int64(p &- q)
            case .mul: return Int64(p &* q)
            case .div: return q == 0 ? 0 : Int64(p / q)
            case .max: return Int64(Swift.max(p, q))
            case .min: return Int64(Swift.min(p, q))
            case .pow: return q < 0 ? 0 : Int64((0..<Swift.min(q, 64)).reduce(1) { acc, _ in acc &* p })
            }
        }
        return try Tensor(shape: Shape(out), scalars: values).converted(to: a.dtype)
    }
}

/// Row-major flat index of `idx` in shape `s`.
func flat(_ idx: [Int], _ s: [Int]) -> Int {
    var r = 0
    for (i, d) in zip(idx, s) { r = r * d + i }
    return r
}
