import ArcaTensor
import Testing
@testable import ArcaIR

/// Evaluates only elementwise add/mul on float32 tensors of equal shape: enough to test folding.
struct AddMulEvaluator: OpEvaluator {
    struct Unsupported: Error {}
    func evaluate(_ op: Op, inputs: [Tensor]) throws -> [Tensor] {
        guard case .binary(let k, _) = op, inputs.count == 2, inputs[0].shape == inputs[1].shape else { throw Unsupported() }
        let a = inputs[0].floats(), b = inputs[1].floats()
        let r = zip(a, b).map { k == .add ? $0 + $1 : $0 * $1 }
        return [try Tensor(shape: inputs[0].shape, scalars: r)]
    }
}

@Suite struct PassTests {
    @Test func constantFoldingFoldsChains() throws {
        var g = Graph()
        let x = g.addInput("x", shape: [3])
        let c1 = g.addConstant("c1", try Tensor(shape: [3], scalars: [Float(1), 2, 3]))
        let c2 = g.addConstant("c2", try Tensor(shape: [3], scalars: [Float(10), 20, 30]))
        let s = g.add(.binary(.add, activation: .none), c1, c2, name: "s")
        let m = g.add(.binary(.mul, activation: .none), s, c1, name: "m")
        let y = g.add(.binary(.add, activation: .none), x, m, name: "y")
        g.markOutput(y)
        let folded = try g.foldConstants(using: AddMulEvaluator())
        #expect(folded == 2)
        #expect(g.nodes.map(\.name) == ["y"])
        #expect(try g.constants[m]?.scalars(as: Float.self) == [11, 44, 99])
        _ = g.eliminateDeadCode()
        #expect(g.constants[s] == nil && g.constants[c1] == nil && g.constants[m] != nil)
        try g.verify()
    }

    @Test func deadCodeElimination() throws {
        var g = Graph()
        let x = g.addInput("x", shape: [3])
        let unused = g.addConstant("unused", zeros([3]))
        let a = g.add(.unary(.relu), x, name: "live")
        let b = g.add(.unary(.exp), a, name: "dead1")
        _ = g.add(.binary(.add, activation: .none), b, unused, name: "dead2")
        g.markOutput(a)
        #expect(g.eliminateDeadCode() == 2)
        #expect(g.nodes.map(\.name) == ["live"])
        #expect(g.constants[unused] == nil)
        try g.verify()
    }

    func convAddRelu(biasShape: [Int], extraUse: Bool = false, outputIntermediate: Bool = false) -> (Graph, ValueID) {
        var g = Graph()
        let x = g.addInput("x", shape: [1, 5, 5, 2])
        let w = g.addConstant("w", zeros([4, 3, 3, 2]))
        let bias = g.addConstant("b", zeros(biasShape))
        let c = g.add(.conv2d(Conv2DAttributes(padding: .same)), x, w, name: "conv")
        let add = g.add(.binary(.add, activation: .none), c, bias, name: "bias")
        let r = g.add(.unary(.relu6), add, name: "act")
        g.markOutput(r)
        if extraUse { g.markOutput(g.add(.unary(.exp), c, name: "other")) }
        if outputIntermediate { g.markOutput(add) }
        return (g, r)
    }

    @Test func fusesConvBiasActivation() throws {
        var (g, r) = convAddRelu(biasShape: [4])
        #expect(try g.fuse() == 2)
        #expect(g.nodes.count == 1)
        guard case .conv2d(let a) = g.nodes[0].op else { Issue.record("not conv"); return }
        #expect(a.activation == .relu6)
        #expect(g.nodes[0].inputs.count == 3)
        #expect(g.nodes[0].outputs == [r])
        try g.verify()

        (g, r) = convAddRelu(biasShape: [1, 1, 1, 4])
        #expect(try g.fuse() == 2)
        #expect(g.values[g.nodes[0].inputs[2]].shape == [4])
        try g.verify()
    }

    @Test func doesNotFuseSharedOrOutputIntermediates() throws {
        var (g, _) = convAddRelu(biasShape: [4], extraUse: true)
        // conv output has two users: no bias fusion; add+relu6 still fuses into the add.
        #expect(try g.fuse() == 1)
        #expect(g.nodes.map(\.name) == ["conv", "bias", "other"])
        #expect(g.nodes[1].op == .binary(.add, activation: .relu6))

        (g, _) = convAddRelu(biasShape: [4], outputIntermediate: true)
        // the add's output is a graph output: conv takes the bias but the relu6 stays.
        #expect(try g.fuse() == 1)
        #expect(g.nodes.map(\.name) == ["conv", "act"])

        (g, _) = convAddRelu(biasShape: [2, 4])
        // a bias that changes the output shape is not a per-channel bias.
        #expect(throws: GraphError.self) { try g.fuse() }
    }

    @Test func fusesMatMulBiasGelu() throws {
        var g = Graph()
        let x = g.addInput("x", shape: [2, 3, 8])
        let w = g.addConstant("w", zeros([8, 16]))
        let b = g.addConstant("b", zeros([16]))
        let mm = g.add(.matMul(MatMulAttributes()), x, w)
        let add = g.add(.binary(.add, activation: .none), b, mm)
        let act = g.add(.unary(.gelu), add)
        let e = g.add(.unary(.exp), act)
        g.markOutput(e)
        #expect(try g.fuse() == 2)
        #expect(g.nodes.count == 2)
        #expect(g.nodes[0].op == .matMul(MatMulAttributes(activation: .gelu)))
        #expect(g.nodes[0].inputs == [x, w, b])
        #expect(g.nodes[1].op == .unary(.exp))
        try g.verify()
    }
}
