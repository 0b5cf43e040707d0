import ArcaIR
import ArcaKernels
import ArcaTensor

/// The statically quantized ops, by the `Reference` twins, and the uint8 forms of the window
/// ops (computed on the bytes as floats, then rounded half to even).
extension ReferenceEvaluator {
    func quantized(_ op: Op, _ x: [Tensor], _ out: [Int]) throws -> Tensor {
        let count = out.reduce(1, *)
        switch op {
        case .quantize(let q):
            return try Tensor(shape: Shape(out), scalars: x[0].floats().map { q.quantize($0) })
        case .dequantize(let q):
            return try Tensor(shape: Shape(out), scalars: bytes(x[0]).map { q.real($0) })
        case .quantizedConv2d(let a):
            let p = Lowering.conv2d(a.conv, x: x[0].shape.dims, w: x[1].shape.dims)
            let hasBias = x.count == (a.residual == nil ? 4 : 5)
            let residual = a.residual != nil ? try bytes(x[x.count - 1]) : []
            return try convLike(x, hasBias: hasBias, output: a.output, count: count, out: out) { input, w, s, b, o in
                residual.withUnsafeBufferPointer { r in
                    let e = QuantizedEpilogue(activation: Lowering.activation(a.conv.activation), output: a.output.map { ($0.scale, $0.zeroPoint) },
                                              residual: a.residual.map { (r.baseAddress!, $0.scale, $0.zeroPoint) })
                    Reference.quantizedConv2d(p, input: input, inputScale: a.input.scale, inputZero: a.input.zeroPoint, weights: w,
                                              scales: s, bias: b, epilogue: e, output: o)
                }
            }
        case .quantizedDepthwiseConv2d(let a):
            let p = Lowering.depthwise(a.depthwise, x: x[0].shape.dims, w: x[1].shape.dims)
            guard p.multiplier == 1 else { throw EvaluationError.unsupported(node: op.name, detail: "depthwise multiplier \(p.multiplier) (quantized takes 1)") }
            return try convLike(x, hasBias: x.count == 4, output: a.output, count: count, out: out) { input, w, s, b, o in
                let e = QuantizedEpilogue(activation: Lowering.activation(a.depthwise.activation), output: a.output.map { ($0.scale, $0.zeroPoint) })
                Reference.quantizedDepthwiseConv2d(p, input: input, inputScale: a.input.scale, inputZero: a.input.zeroPoint, weights: w,
                                                   scales: s, bias: b, epilogue: e, output: o)
            }
        case .quantizedAdd(let a):
            let qa = try bytes(x[0]), qb = try bytes(x[1])
            let act = Lowering.activation(a.activation)
            guard let o = a.output else {
                return try Tensor(shape: Shape(out), scalars: (0..<count).map { i in act.apply(a.a.real(qa[i]) + a.b.real(qb[i])) })
            }
            return try Tensor(shape: Shape(out), scalars: (0..<count).map { i in o.quantize(act.apply(a.a.real(qa[i]) + a.b.real(qb[i]))) })
        case .quantizedScaleChannels(let a):
            let q = try bytes(x[0]), g = x[1].floats()
            let s = x[0].shape.dims
            let (pixels, c) = (s[1] * s[2], s[3])
            return try Tensor(shape: Shape(out), scalars: (0..<count).map { i in
                let n = i / (pixels * c), ch = i % c
                return a.output.quantize(a.input.real(q[i]) * g[n * c + ch])
            })
        case .pool2d, .resizeBilinear, .reduceMean:
            // Same quantization in and out: the float op on the byte values, rounded.
            let asFloat = x[0].converted(to: .float32)
            guard let y = try evaluate(op, inputs: [asFloat]).first else { throw EvaluationError.unsupported(node: op.name, detail: "no output") }
            return try Tensor(shape: Shape(out), scalars: y.floats().map { UInt8(max(0, min(255, $0.rounded(.toNearestOrEven)))) })
        default:
            throw EvaluationError.unsupported(node: op.name, detail: "\(op.name) is not a quantized op")
        }
    }

    private func bytes(_ t: Tensor) throws -> [UInt8] { try t.scalars(as: UInt8.self) }

    /// Runs a conv-like reference on x uint8, w int8, scales, bias? into a uint8 or float32 tensor.
    private func convLike(_ x: [Tensor], hasBias: Bool, output: QuantParams?, count: Int, out: [Int],
                          _ body: (UnsafePointer<UInt8>, UnsafePointer<Int8>, UnsafePointer<Float>, UnsafePointer<Float>?, UnsafeMutableRawPointer) -> Void) throws -> Tensor {
        let input = try bytes(x[0]), w = try x[1].scalars(as: Int8.self), s = x[2].floats()
        let b = hasBias ? x[3].floats() : nil
        let result = Tensor(zeros: Shape(out), dtype: output == nil ? .float32 : .uint8)
        input.withUnsafeBufferPointer { ip in
            w.withUnsafeBufferPointer { wp in
                s.withUnsafeBufferPointer { sp in
                    func run(_ bp: UnsafePointer<Float>?) {
                        guard let i = ip.baseAddress, let w = wp.baseAddress, let s = sp.baseAddress else { return }
                        body(i, w, s, bp, result.storage.bytes)
                    }
                    if let b { b.withUnsafeBufferPointer { run($0.baseAddress) } } else { run(nil) }
                }
            }
        }
        return result
    }
}
