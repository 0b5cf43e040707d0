import ArcaTensor

extension TFLiteModel {
    /// Dense float32 values of every tensor the importer can compute at load time:
    /// float constants (fp16 widened), and outputs of DENSIFY and DEQUANTIZE whose input is constant.
    ///
    /// Keys are tensor indices of `subgraph`. Integer constants (e.g. reshape shapes, pad amounts)
    /// stay in ``TFLiteTensor/data`` and are not included. Operators are visited in execution order,
    /// so chains such as sparse fp16 → DENSIFY → DEQUANTIZE fold completely.
    public func foldedConstants(subgraph index: Int = 0) throws -> [Int: Tensor] {
        let g = subgraphs[index]
        var folded: [Int: Tensor] = [:]
        var dense: [Int: Tensor] = [:]
        for (i, t) in g.tensors.enumerated() where t.sparsity == nil {
            guard let d = t.data else { continue }
            dense[i] = d
            if d.dtype.isFloatingPoint { folded[i] = d.converted(to: .float32) }
        }
        for op in g.operators {
            let builtin = operatorCodes[op.opcodeIndex].builtin
            guard builtin == .densify || builtin == .dequantize, op.inputs.count == 1, op.outputs.count == 1, op.inputs[0] >= 0 else { continue }
            let src = g.tensors[op.inputs[0]], dst = g.tensors[op.outputs[0]]
            if builtin == .densify {
                guard let values = src.data, let sparsity = src.sparsity else { continue }
                let result = try Self.densify(values: values, shape: src.shape, sparsity: sparsity, tensor: src.name)
                dense[op.outputs[0]] = result
                if result.dtype.isFloatingPoint { folded[op.outputs[0]] = result.converted(to: .float32) }
            } else {
                guard let values = dense[op.inputs[0]] else { continue }
                folded[op.outputs[0]] = try Self.dequantize(values, quantization: src.quantization, tensor: src.name)
            }
            guard let out = folded[op.outputs[0]] ?? dense[op.outputs[0]], out.shape.dims == dst.shape else {
                throw TFLiteError.badShape(tensor: dst.name, shape: dst.shape)
            }
        }
        return folded
    }

    /// Densifies the stored values of a sparse tensor (any supported dtype) to `shape`.
    public static func densify(values: Tensor, shape: [Int], sparsity: TFLiteSparsity, tensor: String = "") throws -> Tensor {
        switch values.dtype {
        case .float32: return try Tensor(shape: Shape(shape), scalars: TFLiteDensify.densify(values: try values.scalars(as: Float.self), shape: shape, sparsity: sparsity, zero: 0, tensor: tensor))
        case .float16: return try Tensor(shape: Shape(shape), scalars: TFLiteDensify.densify(values: try values.scalars(as: Float16.self), shape: shape, sparsity: sparsity, zero: 0, tensor: tensor))
        case .int8: return try Tensor(shape: Shape(shape), scalars: TFLiteDensify.densify(values: try values.scalars(as: Int8.self), shape: shape, sparsity: sparsity, zero: 0, tensor: tensor))
        case .uint8: return try Tensor(shape: Shape(shape), scalars: TFLiteDensify.densify(values: try values.scalars(as: UInt8.self), shape: shape, sparsity: sparsity, zero: 0, tensor: tensor))
        case .int32: return try Tensor(shape: Shape(shape), scalars: TFLiteDensify.densify(values: try values.scalars(as: Int32.self), shape: shape, sparsity: sparsity, zero: 0, tensor: tensor))
        default: throw TFLiteError.badSparsity(tensor: tensor, reason: "unsupported dtype \(values.dtype)")
        }
    }

    /// DEQUANTIZE: fp16 → fp32 widening; int8/uint8 → `scale * (q - zero_point)`, per channel along
    /// `quantizedDimension` when there is more than one scale.
    public static func dequantize(_ t: Tensor, quantization q: TFLiteQuantization?, tensor: String = "") throws -> Tensor {
        if t.dtype.isFloatingPoint { return t.converted(to: .float32) }
        guard t.dtype == .int8 || t.dtype == .uint8 || t.dtype == .int32 else {
            throw TFLiteError.badQuantization(tensor: tensor, reason: "cannot dequantize \(t.dtype)")
        }
        guard let q, !q.scale.isEmpty else { throw TFLiteError.badQuantization(tensor: tensor, reason: "missing scale") }
        guard q.zeroPoint.isEmpty || q.zeroPoint.count == q.scale.count || q.zeroPoint.count == 1 else {
            throw TFLiteError.badQuantization(tensor: tensor, reason: "\(q.zeroPoint.count) zero points for \(q.scale.count) scales")
        }
        let raw = t.ints()
        var out = [Float](repeating: 0, count: raw.count)
        if q.scale.count == 1 {
            let z = q.zeroPoint.first ?? 0
            for i in raw.indices { out[i] = q.scale[0] * Float(Int64(raw[i]) - z) }
        } else {
            let axis = q.quantizedDimension
            guard axis >= 0, axis < t.rank, t.shape[axis] == q.scale.count else {
                throw TFLiteError.badQuantization(tensor: tensor, reason: "\(q.scale.count) scales along axis \(axis) of \(t.shape)")
            }
            let inner = t.shape.dims[(axis + 1)...].reduce(1, *)
            for i in raw.indices {
                let c = (i / inner) % q.scale.count
                let z = q.zeroPoint.count == 1 ? q.zeroPoint[0] : (q.zeroPoint.isEmpty ? 0 : q.zeroPoint[c])
                out[i] = q.scale[c] * Float(Int64(raw[i]) - z)
            }
        }
        return try Tensor(shape: t.shape, scalars: out)
    }
}
