import ArcaIR
import ArcaKernels
import ArcaTensor

/// uint8-activation ops: quantize, dequantize, quantized convolutions and add, and the uint8
/// forms of the window ops.
extension LoweringContext {
    func u8(_ id: ValueID) -> UnsafeMutablePointer<UInt8> { pointer(id).assumingMemoryBound(to: UInt8.self) }
    func count(_ id: ValueID) -> Int { shape(id).reduce(1, *) }

    func lowerQuantize(_ q: QuantParams, _ node: Node) -> Step {
        let (x, y, n, pool) = (UnsafePointer(f(node.inputs[0])), u8(node.outputs[0]), count(node.outputs[0]), self.pool)
        return Step(kernel: "quantize") { QuantizedElementwise.quantize(x, count: n, scale: q.scale, zeroPoint: q.zeroPoint, output: y, pool: pool) }
    }

    func lowerDequantize(_ q: QuantParams, _ node: Node) -> Step {
        let (x, y, n, pool) = (UnsafePointer(u8(node.inputs[0])), f(node.outputs[0]), count(node.outputs[0]), self.pool)
        return Step(kernel: "dequantize") { QuantizedElementwise.dequantize(x, count: n, scale: q.scale, zeroPoint: q.zeroPoint, output: y, pool: pool) }
    }

    /// Constant int8 weights, their float scales and the optional bias, by input position.
    /// What a quantized packing depends on besides its weights: geometry, the scale and bias
    /// constants (by address) and the input's quantization.
    static func quantizedDetail<P>(_ p: P, _ scales: UnsafePointer<Float>, _ bias: UnsafePointer<Float>?, _ input: QuantParams) -> String {
        "\(p) scales \(Int(bitPattern: scales)) bias \(bias.map { Int(bitPattern: $0) } ?? 0) input \(input.scale.bitPattern) \(input.zeroPoint)"
    }

    func quantizedWeights(_ node: Node, name: String, hasBias: Bool) throws -> (UnsafePointer<Int8>, UnsafePointer<Float>, UnsafePointer<Float>?) {
        let ids = [node.inputs[1], node.inputs[2]] + (hasBias ? [node.inputs[3]] : [])
        guard ids.allSatisfy({ constant($0) != nil }) else {
            throw PlanError.unsupported(node: name, detail: "quantized weights, scales and bias must be constants")
        }
        return (UnsafePointer(pointer(node.inputs[1]).assumingMemoryBound(to: Int8.self)), UnsafePointer(f(node.inputs[2])),
                hasBias ? UnsafePointer(f(node.inputs[3])) : nil)
    }

    mutating func lowerQuantizedConv2d(_ a: QuantizedConv2DAttributes, _ node: Node, name: String) throws -> Step {
        let p = Lowering.conv2d(a.conv, x: shape(node.inputs[0]), w: shape(node.inputs[1]))
        guard p.groups == 1, p.kH * p.kW * p.inC <= QuantizedConv2D.maxK else {
            throw PlanError.unsupported(node: name, detail: "quantized conv needs groups 1 and kH·kW·inC ≤ \(QuantizedConv2D.maxK)")
        }
        let hasBias = node.inputs.count == (a.residual == nil ? 4 : 5)
        let (w, s, b) = try quantizedWeights(node, name: name, hasBias: hasBias)
        let packed = shared(w, Self.quantizedDetail(p, s, b, a.input)) {
            QuantizedConv2D.prepare(p, weights: w, scales: s, bias: b, inputScale: a.input.scale, inputZero: a.input.zeroPoint)
        }
        retained.append(packed)
        let residual = a.residual.map { (UnsafePointer(u8(node.inputs[node.inputs.count - 1])), $0.scale, $0.zeroPoint) }
        let epilogue = QuantizedEpilogue(activation: Lowering.activation(a.conv.activation), output: a.output.map { ($0.scale, $0.zeroPoint) },
                                         residual: residual)
        let (x, y, pool, zx) = (UnsafePointer(u8(node.inputs[0])), pointer(node.outputs[0]), self.pool, a.input.zeroPoint)
        let pointwise = p.kH == 1 && p.kW == 1 && p.strideH == 1 && p.strideW == 1 && p.padTop + p.padLeft + p.padBottom + p.padRight == 0
        let kernel = (pointwise ? "qconv1x1" : "qconv.im2col") + (residual == nil ? "" : "+residual") + (a.output == nil ? "→f32" : "")
        return Step(kernel: kernel) {
            QuantizedConv2D.run(p, weights: packed, input: x, inputZero: zx, epilogue: epilogue, output: y, pool: pool)
        }
    }

    mutating func lowerQuantizedDepthwise(_ a: QuantizedDepthwiseConv2DAttributes, _ node: Node, name: String) throws -> Step {
        let p = Lowering.depthwise(a.depthwise, x: shape(node.inputs[0]), w: shape(node.inputs[1]))
        guard p.multiplier == 1 else { throw PlanError.unsupported(node: name, detail: "quantized depthwise needs multiplier 1") }
        let (w, s, b) = try quantizedWeights(node, name: name, hasBias: node.inputs.count == 4)
        let packed = shared(w, Self.quantizedDetail(p, s, b, a.input)) {
            QuantizedDepthwiseConv2D.prepare(p, weights: w, scales: s, bias: b, inputScale: a.input.scale, inputZero: a.input.zeroPoint)
        }
        retained.append(packed)
        let epilogue = QuantizedEpilogue(activation: Lowering.activation(a.depthwise.activation), output: a.output.map { ($0.scale, $0.zeroPoint) })
        let (x, y, pool) = (UnsafePointer(u8(node.inputs[0])), pointer(node.outputs[0]), self.pool)
        return Step(kernel: "qdepthwise" + (a.output == nil ? "→f32" : "")) {
            QuantizedDepthwiseConv2D.run(packed, input: x, epilogue: epilogue, output: y, pool: pool)
        }
    }

    func lowerQuantizedAdd(_ a: QuantizedAddAttributes, _ node: Node) -> Step {
        let (x, z, n, pool) = (UnsafePointer(u8(node.inputs[0])), UnsafePointer(u8(node.inputs[1])), count(node.outputs[0]), self.pool)
        let act = Lowering.activation(a.activation)
        guard let o = a.output else {
            let y = f(node.outputs[0])
            return Step(kernel: "qadd→f32") {
                QuantizedElementwise.addToFloat(x, z, count: n, a: (a.a.scale, a.a.zeroPoint), b: (a.b.scale, a.b.zeroPoint),
                                                activation: act, into: y, pool: pool)
            }
        }
        let y = u8(node.outputs[0])
        return Step(kernel: "qadd") {
            QuantizedElementwise.add(x, z, count: n, a: (a.a.scale, a.a.zeroPoint), b: (a.b.scale, a.b.zeroPoint),
                                     output: (o.scale, o.zeroPoint), activation: act, into: y, pool: pool)
        }
    }

    func lowerQuantizedScale(_ a: QuantizedScaleAttributes, _ node: Node) -> Step {
        let s = shape(node.inputs[0])
        let (x, g, y, pool) = (UnsafePointer(u8(node.inputs[0])), UnsafePointer(f(node.inputs[1])), u8(node.outputs[0]), self.pool)
        return Step(kernel: "qscale_channels") {
            QuantizedElementwise.scaleChannels(x, gate: g, batch: s[0], pixels: s[1] * s[2], channels: s[3], input: (a.input.scale, a.input.zeroPoint),
                                               output: (a.output.scale, a.output.zeroPoint), into: y, pool: pool)
        }
    }

    /// A float window op run on uint8 values as floats (same quantization in and out), rounded
    /// half to even back to bytes, through two scratch buffers the plan keeps.
    mutating func lowerOnBytes(_ node: Node, kernel: String,
                               _ body: @escaping (UnsafePointer<Float>, UnsafeMutablePointer<Float>) -> Void) -> Step {
        let nIn = count(node.inputs[0]), nOut = count(node.outputs[0])
        let scratch = TensorStorage(byteCount: (nIn + nOut) * 4 + 64)
        retained.append(scratch)
        let xf = scratch.bytes.assumingMemoryBound(to: Float.self), yf = xf + nIn
        let (x, y) = (UnsafePointer(u8(node.inputs[0])), u8(node.outputs[0]))
        return Step(kernel: kernel + ".u8") {
            for i in 0..<nIn { xf[i] = Float(x[i]) }
            body(UnsafePointer(xf), yf)
            for i in 0..<nOut { y[i] = UInt8(max(0, min(255, yf[i].rounded(.toNearestOrEven)))) }
        }
    }
}

extension LoweringContext {
    mutating func lowerBytePool(_ a: Pool2DAttributes, _ node: Node) -> Step {
        let p = Lowering.pool(a, x: shape(node.inputs[0]))
        let pool = self.pool
        if p.kind == .max {
            let (x, y) = (UnsafePointer(u8(node.inputs[0])), u8(node.outputs[0]))
            return Step(kernel: "max_pool2d.u8") { Pool2D.maxBytes(p, input: x, output: y, pool: pool) }
        }
        return lowerOnBytes(node, kernel: "pool2d") { x, y in Pool2D.run(p, input: x, activation: .none, output: y, pool: pool) }
    }

    mutating func lowerByteResize(_ a: ResizeAttributes, _ node: Node) -> Step {
        let p = Lowering.resize(a, x: shape(node.inputs[0]))
        let (x, y, pool) = (UnsafePointer(u8(node.inputs[0])), u8(node.outputs[0]), self.pool)
        return Step(kernel: "resize_bilinear.u8") { ResizeBilinear.run(p, bytes: x, output: y, pool: pool) }
    }

    mutating func lowerByteReduceMean(_ axes: [Int], _ node: Node) -> Step {
        let s = shape(node.inputs[0])
        let p = ReduceParams(shape: s, axes: Set(axes.map { Lowering.normalizedAxis($0, rank: s.count) }).sorted())
        let pool = self.pool
        if p.isValid { return lowerOnBytes(node, kernel: "reduce_mean") { x, y in ReduceMean.run(p, input: x, output: y, pool: pool) } }
        let outStrides = Lowering.broadcastStrides(p.outShape, to: s)
        let n = s.reduce(1, *), outCount = p.outShape.reduce(1, *)
        let scale = 1 / Float(max(1, p.reducedCount))
        return lowerOnBytes(node, kernel: "reduce_mean.generic") { x, y in
            y.update(repeating: 0, count: outCount)
            for i in 0..<n { y[zip(unravel(i, s), outStrides).reduce(0) { $0 + $1.0 * $1.1 }] += x[i] }
            for i in 0..<outCount { y[i] *= scale }
        }
    }
}
