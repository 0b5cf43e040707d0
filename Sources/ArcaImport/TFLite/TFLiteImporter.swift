import ArcaIR
import ArcaTensor
import Foundation

/// Errors mapping a parsed TFLite model to the IR.
public enum TFLiteImportError: Error, Equatable, CustomStringConvertible {
    case unsupportedOperator(String)
    case unsupportedActivation(op: String)
    case badOperands(op: String, reason: String)
    case shapeDisagrees(tensor: String, declared: [Int], inferred: [Int])
    case graph(String)

    public var description: String {
        switch self {
        case .unsupportedOperator(let o): "TFLite: operator \(o) is not supported"
        case .unsupportedActivation(let o): "TFLite: \(o) has an unsupported fused activation"
        case .badOperands(let o, let r): "TFLite: \(o): \(r)"
        case .shapeDisagrees(let t, let d, let i): "TFLite: tensor '\(t)' is declared \(d) but computes to \(i)"
        case .graph(let s): "TFLite: the imported graph is invalid: \(s)"
        }
    }
}

/// Maps the main subgraph of a TFLite model to an ArcaIR ``Graph``.
///
/// Constant chains (fp16 → DEQUANTIZE, sparse → DENSIFY → DEQUANTIZE) become fp32
/// constants; every other operator maps to one IR op (activations fuse as
/// attributes). The inferred shape of every tensor must equal the shape the file
/// declares, which catches a wrong mapping at import rather than at run time.
public enum TFLiteImporter {
    public static func importGraph(contentsOf url: URL) throws -> Graph {
        try importGraph(TFLiteModel(contentsOf: url))
    }

    public static func importGraph(_ model: TFLiteModel) throws -> Graph {
        var b = try Builder(model)
        for (i, op) in model.main.operators.enumerated() {
            try b.map(op, index: i)
        }
        for t in model.main.outputs {
            b.graph.markOutput(try b.value(t))
        }
        do {
            try b.graph.inferShapes()
            try b.graph.verify()
        } catch {
            throw TFLiteImportError.graph("\(error)")
        }
        for (t, id) in b.values where b.model.main.tensors[t].shape != b.graph.values[id].shape
            && !b.model.main.tensors[t].shape.isEmpty && b.graph.constants[id] == nil {
            throw TFLiteImportError.shapeDisagrees(tensor: b.model.main.tensors[t].name,
                                                   declared: b.model.main.tensors[t].shape, inferred: b.graph.values[id].shape)
        }
        return b.graph
    }

    struct Builder {
        let model: TFLiteModel
        let folded: [Int: Tensor]
        var graph = Graph()
        /// TFLite tensor index → IR value.
        var values: [Int: ValueID] = [:]

        init(_ model: TFLiteModel) throws {
            self.model = model
            folded = try model.foldedConstants()
            for t in model.main.inputs {
                guard t >= 0, t < model.main.tensors.count else {
                    throw TFLiteImportError.badOperands(op: "subgraph inputs", reason: "tensor \(t) out of range")
                }
                let tensor = model.main.tensors[t]
                guard let dt = tensor.type.dtype else { throw TFLiteImportError.badOperands(op: "input", reason: "type of '\(tensor.name)'") }
                values[t] = graph.addInput(tensor.name, dtype: dt, shape: tensor.shape)
            }
        }

        /// The IR value of tensor `t`: an existing value, or a constant made on first use.
        mutating func value(_ t: Int) throws -> ValueID {
            if let v = values[t] { return v }
            guard t >= 0, t < model.main.tensors.count else {
                throw TFLiteImportError.badOperands(op: "operator", reason: "tensor index \(t) out of range")
            }
            let tensor = model.main.tensors[t]
            guard let data = folded[t] ?? tensor.data else {
                throw TFLiteImportError.badOperands(op: "operator", reason: "tensor '\(tensor.name)' is read before it is written")
            }
            let v = graph.addConstant(tensor.name, data)
            values[t] = v
            return v
        }

        func constant(_ t: Int) -> Tensor? {
            guard t >= 0, t < model.main.tensors.count else { return nil }
            return folded[t] ?? model.main.tensors[t].data
        }

        mutating func emit(_ op: Op, _ inputs: [Int], output: Int, opName: String) throws {
            let ins = try inputs.map { try value($0) }
            guard output >= 0, output < model.main.tensors.count else {
                throw TFLiteImportError.badOperands(op: opName, reason: "output index \(output) out of range")
            }
            let out = graph.addNode(op, inputs: ins, name: model.main.tensors[output].name)[0]
            values[output] = out
        }

        mutating func map(_ op: TFLiteOperator, index: Int) throws {
            guard op.opcodeIndex >= 0, op.opcodeIndex < model.operatorCodes.count else {
                throw TFLiteImportError.badOperands(op: "operator \(index)", reason: "opcode index \(op.opcodeIndex)")
            }
            let code = model.operatorCodes[op.opcodeIndex]
            let name = code.name
            // Constant chains were folded at load.
            if (code.builtin == .dequantize || code.builtin == .densify), let out = op.outputs.first, folded[out] != nil { return }
            let ins = op.inputs.filter { $0 >= 0 }
            guard op.outputs.count == 1, let out = op.outputs.first else {
                throw TFLiteImportError.badOperands(op: name, reason: "expected one output, got \(op.outputs.count)")
            }
            func need(_ n: ClosedRange<Int>) throws {
                guard n.contains(ins.count) else { throw TFLiteImportError.badOperands(op: name, reason: "\(ins.count) inputs") }
            }
            switch (code.builtin, op.options) {
            case (.conv2D, .conv2D(let o)):
                try need(2...3)
                try emit(.conv2d(Conv2DAttributes(strideH: o.strideH, strideW: o.strideW, dilationH: o.dilationH, dilationW: o.dilationW,
                                                  padding: padding(o.padding), activation: activation(o.activation, name))), ins, output: out, opName: name)
            case (.depthwiseConv2D, .depthwiseConv2D(let o)):
                try need(2...3)
                // TFLite weights are [1, kH, kW, C*m]; the IR's depthwise layout drops the leading 1.
                guard let w = constant(ins[1]), w.rank == 4, w.shape[0] == 1 else {
                    throw TFLiteImportError.badOperands(op: name, reason: "weights must be a constant [1, kH, kW, C]")
                }
                let wv = graph.addConstant(model.main.tensors[ins[1]].name, try w.reshaped([w.shape[1], w.shape[2], w.shape[3]]))
                let inC = model.main.tensors[ins[0]].shape.last ?? 0
                let multiplier = inC > 0 && w.shape[3] % inC == 0 ? w.shape[3] / inC : o.depthMultiplier
                let attrs = DepthwiseConv2DAttributes(strideH: o.strideH, strideW: o.strideW, dilationH: o.dilationH, dilationW: o.dilationW,
                                                      padding: padding(o.padding), multiplier: multiplier, activation: try activation(o.activation, name))
                var irIns = [try value(ins[0]), wv]
                if ins.count == 3 { irIns.append(try value(ins[2])) }
                values[out] = graph.addNode(.depthwiseConv2d(attrs), inputs: irIns, name: model.main.tensors[out].name)[0]
            case (.transposeConv, .transposeConv(let o)):
                // Builtin TRANSPOSE_CONV: (output_shape, weights, input, bias?).
                try need(3...4)
                var order = [ins[2], ins[1]]
                if ins.count == 4 { order.append(ins[3]) }
                try emit(.transposeConv2d(TransposeConv2DAttributes(strideH: o.strideH, strideW: o.strideW, padding: padding(o.padding),
                                                                    activation: activation(o.activation, name))), order, output: out, opName: name)
            case (.custom, .transposeConv(let o)):
                // MediaPipe Convolution2DTransposeBias: (input, weights, bias).
                try need(3...3)
                try emit(.transposeConv2d(TransposeConv2DAttributes(strideH: o.strideH, strideW: o.strideW, padding: padding(o.padding),
                                                                    activation: activation(o.activation, name))), ins, output: out, opName: name)
            case (.maxPool2D, .pool2D(let o)), (.averagePool2D, .pool2D(let o)):
                try need(1...1)
                let kind: Pool2DAttributes.Kind = code.builtin == .maxPool2D ? .max : .average
                try emit(.pool2d(Pool2DAttributes(kind: kind, kernelH: o.filterH, kernelW: o.filterW, strideH: o.strideH, strideW: o.strideW,
                                                  padding: padding(o.padding), activation: activation(o.activation, name))), ins, output: out, opName: name)
            case (.add, _), (.mul, _), (.sub, _):
                try need(2...2)
                var act = FusedActivation.none
                if case .elementwise(let a) = op.options { act = try activation(a, name) }
                let kind: BinaryKind = code.builtin == .add ? .add : code.builtin == .mul ? .mul : .sub
                try emit(.binary(kind, activation: act), ins, output: out, opName: name)
            case (.relu, _): try need(1...1); try emit(.unary(.relu), ins, output: out, opName: name)
            case (.relu6, _): try need(1...1); try emit(.unary(.relu6), ins, output: out, opName: name)
            case (.logistic, _): try need(1...1); try emit(.unary(.sigmoid), ins, output: out, opName: name)
            case (.tanh, _): try need(1...1); try emit(.unary(.tanh), ins, output: out, opName: name)
            case (.hardSwish, _): try need(1...1); try emit(.unary(.hardSwish), ins, output: out, opName: name)
            case (.softmax, _): try need(1...1); try emit(.softmax(axis: -1), ins, output: out, opName: name)
            case (.reshape, _):
                try need(1...2)
                try emit(.reshape(newShape: model.main.tensors[out].shape), [ins[0]], output: out, opName: name)
            case (.concatenation, .concatenation(let axis, let a)):
                let rank = model.main.tensors[out].shape.count
                let ax = axis < 0 ? axis + rank : axis
                let act = try activation(a, name)
                if act == .none {
                    try emit(.concat(axis: ax), ins, output: out, opName: name)
                } else {
                    let c = graph.addNode(.concat(axis: ax), inputs: try ins.map { try value($0) }, name: model.main.tensors[out].name + ":concat")[0]
                    values[out] = graph.addNode(.unary(try unary(act, name)), inputs: [c], name: model.main.tensors[out].name)[0]
                }
            case (.pad, _):
                try need(2...2)
                guard let p = constant(ins[1]) else { throw TFLiteImportError.badOperands(op: name, reason: "paddings must be constant") }
                let pads = p.ints()
                guard pads.count % 2 == 0, pads.allSatisfy({ $0 >= 0 }) else { throw TFLiteImportError.badOperands(op: name, reason: "paddings \(pads)") }
                let before = stride(from: 0, to: pads.count, by: 2).map { pads[$0] }
                let after = stride(from: 1, to: pads.count, by: 2).map { pads[$0] }
                try emit(.pad(PadAttributes(before: before, after: after)), [ins[0]], output: out, opName: name)
            case (.resizeBilinear, .resizeBilinear(let alignCorners, let halfPixel)):
                try need(2...2)
                let shape = model.main.tensors[out].shape
                guard shape.count == 4 else { throw TFLiteImportError.badOperands(op: name, reason: "output rank \(shape.count)") }
                let mode: ResizeAttributes.Mode = alignCorners ? .alignCorners : halfPixel ? .halfPixel : .asymmetric
                try emit(.resizeBilinear(ResizeAttributes(outH: shape[1], outW: shape[2], mode: mode)), [ins[0]], output: out, opName: name)
            case (.depthToSpace, .depthToSpace(let block)):
                try need(1...1)
                try emit(.depthToSpace(blockSize: block), ins, output: out, opName: name)
            case (.mean, _):
                try need(2...2)
                guard let axesT = constant(ins[1]) else { throw TFLiteImportError.badOperands(op: name, reason: "axes must be constant") }
                let rank = model.main.tensors[ins[0]].shape.count
                let axes = axesT.ints().map { $0 < 0 ? $0 + rank : $0 }
                var keep = false
                if case .reducer(let k) = op.options { keep = k }
                try emit(.reduceMean(axes: axes, keepDims: keep), [ins[0]], output: out, opName: name)
            default:
                throw TFLiteImportError.unsupportedOperator(name)
            }
        }

        func padding(_ p: TFLitePadding) -> Padding { p == .same ? .same : .valid }

        func activation(_ a: TFLiteActivation, _ op: String) throws -> FusedActivation {
            switch a {
            case .none: .none
            case .relu: .relu
            case .relu6: .relu6
            case .reluN1To1: .reluN1To1
            case .tanh: .tanh
            case .signBit: throw TFLiteImportError.unsupportedActivation(op: op)
            }
        }

        func unary(_ a: FusedActivation, _ op: String) throws -> UnaryKind {
            switch a {
            case .relu: .relu
            case .relu6: .relu6
            case .reluN1To1: .reluN1To1
            case .tanh: .tanh
            case .sigmoid: .sigmoid
            case .hardSwish: .hardSwish
            case .gelu: .gelu
            case .none: throw TFLiteImportError.unsupportedActivation(op: op)
            }
        }
    }
}
