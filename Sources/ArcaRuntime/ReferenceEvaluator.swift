import ArcaIR
import ArcaKernels
import ArcaTensor
import Foundation

/// Errors of graph evaluation (reference evaluator and plans).
public enum EvaluationError: Error, Equatable, CustomStringConvertible {
    case missingInput(String)
    case unknownInput(String)
    case inputDTypeMismatch(input: String, expected: DType, got: DType)
    case inputShapeMismatch(input: String, expected: [Int], got: [Int])
    case indexOutOfRange(node: String, index: Int, size: Int)
    case unresolvedShape(value: String, shape: [Int])
    case unsupported(node: String, detail: String)

    public var description: String {
        switch self {
        case .missingInput(let n): "missing input '\(n)'"
        case .unknownInput(let n): "unknown input '\(n)'"
        case .inputDTypeMismatch(let n, let e, let g): "input '\(n)' must be \(e), got \(g)"
        case .inputShapeMismatch(let n, let e, let g): "input '\(n)' must have shape \(e), got \(g)"
        case .indexOutOfRange(let n, let i, let s): "\(n): index \(i) out of range for size \(s)"
        case .unresolvedShape(let v, let s): "\(v) has unresolved shape \(s): pass concrete input shapes"
        case .unsupported(let n, let d): "\(n): \(d)"
        }
    }
}

/// Runs a ``Graph`` node by node on ``Tensor``s with plain loops (the `Reference`
/// twins and naive loops): the executable specification of whole graphs, and the
/// evaluator constant folding uses. Slow on purpose; never used to serve.
public struct ReferenceEvaluator: OpEvaluator, Sendable {
    public init() {}

    /// Evaluates the graph for these named inputs; returns every graph output by value name.
    public func run(_ graph: Graph, inputs: [String: Tensor]) throws -> [String: Tensor] {
        var g = graph
        var shapes: [ValueID: [Int]] = [:]
        for name in inputs.keys where !g.inputs.contains(where: { g.values[$0].name == name }) {
            throw EvaluationError.unknownInput(name)
        }
        var env: [ValueID: Tensor] = g.constants
        for id in g.inputs {
            let name = g.values[id].name
            guard let t = inputs[name] else { throw EvaluationError.missingInput(name) }
            guard t.dtype == g.values[id].dtype else {
                throw EvaluationError.inputDTypeMismatch(input: name, expected: g.values[id].dtype, got: t.dtype)
            }
            shapes[id] = t.shape.dims
            env[id] = t
        }
        try g.inferShapes(inputShapes: shapes)
        for node in g.nodes {
            let args = try node.inputs.map { id in
                guard let t = env[id] else { throw EvaluationError.unresolvedShape(value: g.values[id].name, shape: g.values[id].shape) }
                return t
            }
            let outs = try evaluate(node.op, inputs: args, nodeName: node.name)
            for (id, t) in zip(node.outputs, outs) { env[id] = t }
        }
        var result: [String: Tensor] = [:]
        for (i, id) in g.outputs.enumerated() {
            result[outputName(g, i)] = env[id]
        }
        return result
    }

    public func evaluate(_ op: Op, inputs: [Tensor]) throws -> [Tensor] {
        try evaluate(op, inputs: inputs, nodeName: op.name)
    }

    func evaluate(_ op: Op, inputs x: [Tensor], nodeName: String) throws -> [Tensor] {
        let type = try op.outputType(for: x.map { ($0.dtype, $0.shape.dims) }, constants: x)
        let out = type.shape
        if case .reshape = op {} else if out.contains(0) || x.contains(where: { $0.count == 0 }) {
            // Empty tensors: nothing to compute (and no buffers to point at).
            return [Tensor(zeros: Shape(out), dtype: type.dtype)]
        }
        switch op {
        case .quantize, .dequantize, .quantizedConv2d, .quantizedDepthwiseConv2d, .quantizedAdd, .quantizedScaleChannels:
            return [try quantized(op, x, out)]
        case .pool2d, .resizeBilinear, .reduceMean:
            if x[0].dtype == .uint8 { return [try quantized(op, x, out)] }
        default:
            break
        }
        let f = x.map { $0.dtype == .float32 ? $0.floats() : [] }
        var y = [Float](repeating: 0, count: out.reduce(1, *))
        func bias(_ i: Int) -> [Float]? { x.count > i ? f[i] : nil }
        switch op {
        case .conv2d(let a):
            let p = Lowering.conv2d(a, x: x[0].shape.dims, w: x[1].shape.dims)
            let convBias = x.count == (a.hasResidual ? 4 : 3) ? f[2] : nil
            let act = Lowering.activation(a.activation)
            withPointers(f, &y, convBias) {
                Reference.conv2d(p, input: $0[0], weights: $0[1], bias: $1, activation: a.hasResidual ? .none : act, output: $2)
            }
            if a.hasResidual, let r = f.last {
                for i in y.indices { y[i] = act.apply(y[i] + r[i]) }
            }
        case .depthwiseConv2d(let a):
            let p = Lowering.depthwise(a, x: x[0].shape.dims, w: x[1].shape.dims)
            withPointers(f, &y, bias(2)) { Reference.depthwiseConv2d(p, input: $0[0], weights: $0[1], bias: $1, activation: Lowering.activation(a.activation), output: $2) }
        case .transposeConv2d(let a):
            let p = Lowering.transposeConv(a, x: x[0].shape.dims, w: x[1].shape.dims, out: out)
            withPointers(f, &y, bias(2)) {
                Reference.transposeConv2d(p, input: $0[0], weights: $0[1], bias: $1, output: $2)
                let act = Lowering.activation(a.activation)
                for i in 0..<(p.batch * p.outH * p.outW * p.outC) { $2[i] = act.apply($2[i]) }
            }
        case .pool2d(let a):
            let p = Lowering.pool(a, x: x[0].shape.dims)
            withPointers(f, &y, nil) { Reference.pool2d(p, input: $0[0], activation: Lowering.activation(a.activation), output: $2) }
        case .resizeBilinear(let a):
            let p = Lowering.resize(a, x: x[0].shape.dims)
            withPointers(f, &y, nil) { Reference.resizeBilinear(p, input: $0[0], output: $2) }
        case .matMul(let a):
            y = matMul(a, x, f, out)
        case .quantizedMatMul(let a):
            y = quantizedMatMul(a, x, f, out)
        case .packedMatMul(let a):
            y = packedMatMul(a, f, out)
        case .binary(let k, let act):
            if x[0].dtype != .float32 { return [try integerBinary(k, x[0], x[1], out)] }
            let act = Lowering.activation(act)
            y = broadcastMap(f[0], x[0].shape.dims, f[1], x[1].shape.dims, out) { act.apply(k.apply($0, $1)) }
        case .unary(let k):
            y = f[0].map { k.apply($0) }
        case .prelu:
            y = broadcastMap(f[0], x[0].shape.dims, f[1], x[1].shape.dims, out) { $0 >= 0 ? $0 : $0 * $1 }
        case .softmax(let axis):
            let (o, a, i) = Lowering.split(out, axis: Lowering.normalizedAxis(axis, rank: out.count))
            withPointers(f, &y, nil) { NaiveKernels.softmax(outer: o, axis: a, inner: i, input: $0[0], output: $2) }
        case .layerNorm(let eps):
            let d = out.last ?? 1, rows = y.count / max(d, 1)
            withPointers(f, &y, nil) { Reference.layerNorm(rows: rows, cols: d, epsilon: eps, input: $0[0], gamma: $0[1], beta: $0[2], output: $2) }
        case .l2Normalize(let eps):
            let d = out.last ?? 1, rows = y.count / max(d, 1)
            withPointers(f, &y, nil) { NaiveKernels.l2Normalize(rows: rows, d: d, epsilon: eps, input: $0[0], output: $2) }
        case .maskedMean:
            let s = x[0].shape.dims
            let mask = x[1].contiguous()
            withPointers(f, &y, nil) { p, _, o in
                mask.withUnsafeBytes { m in
                    guard let base = m.baseAddress else { return }
                    NaiveKernels.maskedMean(batch: s[0], seq: s[1], width: s[2], input: p[0], mask: base, maskType: mask.dtype, output: o)
                }
            }
        case .attention(let a) where a.packedQKV:
            let s = x[0].shape.dims, w = s[2] / 3
            let parts = try (0..<3).map { try x[0].slice(axis: 2, ($0 * w)..<(($0 + 1) * w)).contiguous() }
            var unpacked = a
            unpacked.packedQKV = false
            return try evaluate(.attention(unpacked), inputs: parts + x.dropFirst())
        case .attention(let a):
            let q = x[0].shape.dims, k = x[1].shape.dims
            let mask = x.count > 3 ? x[3].contiguous() : nil
            withPointers(f, &y, nil) { p, _, o in
                func run(_ m: UnsafeRawPointer?) {
                    NaiveKernels.attention(batch: q[0], sq: q[1], sk: k[1], width: q[2], heads: a.heads, scale: a.scale,
                                           q: p[0], k: p[1], v: p[2], mask: m, maskType: mask?.dtype ?? .float32, output: o)
                }
                if let mask { mask.withUnsafeBytes { if let base = $0.baseAddress { run(base) } } } else { run(nil) }
            }
        case .reduceMean(let axes, _):
            y = reduceMean(f[0], x[0].shape.dims, axes: axes.map { Lowering.normalizedAxis($0, rank: x[0].rank) })
        case .concat, .pad, .reshape, .transpose, .gather, .depthToSpace, .cast:
            return [try layout(op, x, out, nodeName: nodeName)]
        case .quantize, .dequantize, .quantizedConv2d, .quantizedDepthwiseConv2d, .quantizedAdd, .quantizedScaleChannels:
            return [try quantized(op, x, out)]
        }
        return [try Tensor(shape: Shape(out), scalars: y)]
    }

    /// Runs `body` with pointers to the float inputs, the optional bias and the output.
    private func withPointers(_ f: [[Float]], _ y: inout [Float], _ bias: [Float]?,
                              _ body: ([UnsafePointer<Float>], UnsafePointer<Float>?, UnsafeMutablePointer<Float>) -> Void) {
        let copies = f.map { a -> UnsafeMutablePointer<Float> in
            let p = UnsafeMutablePointer<Float>.allocate(capacity: max(a.count, 1))
            p.initialize(from: a, count: a.count)
            return p
        }
        defer { copies.forEach { $0.deallocate() } }
        let b = bias.map { bias -> UnsafeMutablePointer<Float> in
            let p = UnsafeMutablePointer<Float>.allocate(capacity: max(bias.count, 1))
            p.initialize(from: bias, count: bias.count)
            return p
        }
        defer { b?.deallocate() }
        y.withUnsafeMutableBufferPointer { out in
            body(copies.map { UnsafePointer($0) }, b.map { UnsafePointer($0) }, out.baseAddress!)
        }
    }

    private func matMul(_ a: MatMulAttributes, _ x: [Tensor], _ f: [[Float]], _ out: [Int]) -> [Float] {
        let s = x[0].shape.dims, w = x[1].shape.dims
        let k = s[s.count - 1], m = s[s.count - 2], n = out[out.count - 1]
        let batches = s.dropLast(2).reduce(1, *)
        let wBatched = w.count > 2
        var y = [Float](repeating: 0, count: batches * m * n)
        let bias = x.count > 2 ? f[2] : nil
        f[0].withUnsafeBufferPointer { ap in
            f[1].withUnsafeBufferPointer { bp in
                y.withUnsafeMutableBufferPointer { yp in
                    func run(_ biasPtr: UnsafePointer<Float>?) {
                        for bi in 0..<batches {
                            let bBase = bp.baseAddress! + (wBatched ? bi * k * n : 0)
                            let bOp = a.transposeB ? MatrixOperand(bBase, rowStride: 1, colStride: k) : MatrixOperand(bBase, rowStride: n)
                            Reference.sgemm(m: m, n: n, k: k, a: MatrixOperand(ap.baseAddress! + bi * m * k, rowStride: k), b: bOp,
                                            c: yp.baseAddress! + bi * m * n, ldc: n,
                                            epilogue: GEMMEpilogue(bias: biasPtr, activation: Lowering.activation(a.activation)))
                        }
                    }
                    if let bias { bias.withUnsafeBufferPointer { run($0.baseAddress!) } } else { run(nil) }
                }
            }
        }
        return y
    }

    /// Unpacks b to row-major `[K, N]` by the layout's index map, then multiplies as `matMul`.
    private func packedMatMul(_ a: PackedMatMulAttributes, _ f: [[Float]], _ out: [Int]) -> [Float] {
        let (k, n) = (a.k, a.n)
        let m = out.dropLast().reduce(1, *)
        var b = [Float](repeating: 0, count: k * n)
        for r in 0..<k {
            for c in 0..<n { b[r * n + c] = f[1][a.index(row: r, column: c)] }
        }
        var y = [Float](repeating: 0, count: m * n)
        let bias = f.count > 2 ? f[2] : nil
        f[0].withUnsafeBufferPointer { ap in
            b.withUnsafeBufferPointer { bp in
                y.withUnsafeMutableBufferPointer { yp in
                    func run(_ biasPtr: UnsafePointer<Float>?) {
                        Reference.sgemm(m: m, n: n, k: k, a: MatrixOperand(ap.baseAddress!, rowStride: k), b: MatrixOperand(bp.baseAddress!, rowStride: n),
                                        c: yp.baseAddress!, ldc: n, epilogue: GEMMEpilogue(bias: biasPtr, activation: Lowering.activation(a.activation)))
                    }
                    if let bias { bias.withUnsafeBufferPointer { run($0.baseAddress!) } } else { run(nil) }
                }
            }
        }
        return y
    }

    private func quantizedMatMul(_ a: MatMulAttributes, _ x: [Tensor], _ f: [[Float]], _ out: [Int]) -> [Float] {
        let s = x[0].shape.dims
        let k = s[s.count - 1], n = out[out.count - 1], m = s.dropLast().reduce(1, *)
        var y = [Float](repeating: 0, count: m * n)
        let w = x[1].contiguous()
        let bias = x.count > 3 ? f[3] : nil
        // Empty operands (no buffer to point at): the sum is 0, leaving bias and activation.
        if y.isEmpty || k == 0 {
            let act = Lowering.activation(a.activation)
            for i in y.indices { y[i] = act.apply(bias?[i % n] ?? 0) }
            return y
        }
        w.withUnsafeBytes { wb in
            guard let wp = wb.baseAddress?.assumingMemoryBound(to: Int8.self) else { return }
            f[0].withUnsafeBufferPointer { ap in
                f[2].withUnsafeBufferPointer { sp in
                    y.withUnsafeMutableBufferPointer { yp in
                        func run(_ biasPtr: UnsafePointer<Float>?) {
                            Reference.quantizedGEMM(m: m, n: n, k: k, a: ap.baseAddress!, lda: k, w: wp, wScales: sp.baseAddress!,
                                                    transposed: a.transposeB, c: yp.baseAddress!, ldc: n, bias: biasPtr,
                                                    activation: Lowering.activation(a.activation))
                        }
                        if let bias { bias.withUnsafeBufferPointer { run($0.baseAddress!) } } else { run(nil) }
                    }
                }
            }
        }
        return y
    }

    private func reduceMean(_ x: [Float], _ s: [Int], axes: [Int]) -> [Float] {
        let keptDims = s.indices.map { axes.contains($0) ? 1 : s[$0] }
        let outStrides = Lowering.broadcastStrides(keptDims, to: s)
        var acc = [Double](repeating: 0, count: keptDims.reduce(1, *))
        for (i, v) in x.enumerated() {
            let idx = unravel(i, s)
            acc[zip(idx, outStrides).reduce(0) { $0 + $1.0 * $1.1 }] += Double(v)
        }
        let n = Double(axes.reduce(1) { $0 * s[$1] })
        return acc.map { Float($0 / n) }
    }
}

func outputName(_ g: Graph, _ i: Int) -> String {
    let name = g.values[g.outputs[i]].name
    return name.isEmpty ? "output\(i)" : name
}

/// Multi-index of flat index `i` in row-major shape `s`.
func unravel(_ i: Int, _ s: [Int]) -> [Int] {
    var r = i
    var idx = [Int](repeating: 0, count: s.count)
    for a in stride(from: s.count - 1, through: 0, by: -1) where s[a] > 0 {
        idx[a] = r % s[a]
        r /= s[a]
    }
    return idx
}

/// `f(a[broadcast i], b[broadcast i])` for every index of `out`.
func broadcastMap(_ a: [Float], _ sa: [Int], _ b: [Float], _ sb: [Int], _ out: [Int], _ f: (Float, Float) -> Float) -> [Float] {
    let ta = Lowering.broadcastStrides(sa, to: out), tb = Lowering.broadcastStrides(sb, to: out)
    return (0..<out.reduce(1, *)).map { i in
        let idx = unravel(i, out)
        var ia = 0, ib = 0
        for d in idx.indices { ia += idx[d] * ta[d]; ib += idx[d] * tb[d] }
        return f(a[ia], b[ib])
    }
}

extension BinaryKind {
    @inline(__always)
    func apply(_ a: Float, _ b: Float) -> Float {
        switch self {
        case .add: a + b
        case .sub: a - b
        case .mul: a * b
        case .div: a / b
        case .max: Swift.max(a, b)
        case .min: Swift.min(a, b)
        case .pow: powf(a, b)
        }
    }
}

extension UnaryKind {
    /// The scalar definition of each unary op.
    @inline(__always)
    func apply(_ x: Float) -> Float {
        switch self {
        case .relu: Activation.relu.apply(x)
        case .relu6: Activation.relu6.apply(x)
        case .reluN1To1: Activation.reluN1To1.apply(x)
        case .sigmoid: Activation.sigmoid.apply(x)
        case .tanh: Activation.tanh.apply(x)
        case .hardSwish: Activation.hardSwish.apply(x)
        case .gelu: Activation.gelu.apply(x)
        case .exp: expf(x)
        case .erf: erff(x)
        case .neg: -x
        case .abs: Swift.abs(x)
        case .sqrt: x.squareRoot()
        case .rsqrt: 1 / x.squareRoot()
        case .log: logf(x)
        case .square: x * x
        }
    }
}
