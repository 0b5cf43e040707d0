import ArcaIR
import ArcaTensor
import Testing
@testable import ArcaRuntime

@Suite struct PlanErrorTests {
    func graphError(_ g: Graph) -> GraphError? {
        do { _ = try Plan(graph: g); return nil } catch { return error as? GraphError }
    }

    @Test func malformedGraphsGiveTypedErrors() {
        var dangling = Graph()
        let x = dangling.addInput("x", shape: [2])
        let ghost = dangling.addValue(ValueInfo(name: "ghost", dtype: .float32, shape: [2]))
        dangling.markOutput(dangling.add(.binary(.add, activation: .none), x, ghost))
        #expect({ if case .danglingInput? = graphError(dangling) { true } else { false } }())

        var cycle = Graph()
        let i = cycle.addInput("i", shape: [2])
        let a = cycle.addValue(ValueInfo(name: "a", dtype: .float32, shape: [2]))
        let b = cycle.addValue(ValueInfo(name: "b", dtype: .float32, shape: [2]))
        cycle.nodes = [Node(op: .binary(.add, activation: .none), inputs: [i, b], outputs: [a]),
                       Node(op: .unary(.relu), inputs: [a], outputs: [b])]
        cycle.markOutput(b)
        #expect({ if case .cycle? = graphError(cycle) { true } else { false } }())

        var mismatch = Graph()
        let m = mismatch.addInput("m", shape: [1, 4, 4, 3])
        mismatch.markOutput(mismatch.add(.conv2d(Conv2DAttributes()), m, mismatch.addConstant("w", Tensor(zeros: [2, 3, 3, 5]))))
        #expect({ if case .shapeMismatch? = graphError(mismatch) { true } else { false } }())

        var attribute = Graph()
        let t = attribute.addInput("t", shape: [1, 4, 4, 3])
        attribute.markOutput(attribute.add(.pool2d(Pool2DAttributes(kind: .max, kernelH: 2, kernelW: 2, strideH: -1, strideW: 1)), t))
        #expect({ if case .invalidAttribute? = graphError(attribute) { true } else { false } }())
    }

    @Test func unresolvedShapesAreRejected() {
        var g = Graph()
        let x = g.addInput("x", shape: [-1, 3])
        g.markOutput(g.add(.unary(.relu), x))
        #expect(throws: PlanError.unresolvedShape(value: "x", shape: [-1, 3])) { try Plan(graph: g) }
        #expect(throws: PlanError.unknownInput("y")) { try Plan(graph: g, inputShapes: ["y": [1, 3]]) }
    }

    @Test func runValidatesInputs() throws {
        var g = Graph()
        let x = g.addInput("x", shape: [2, 3])
        g.markOutput(g.add(.unary(.relu), x, name: "y"))
        let plan = try Plan(graph: g)
        let good = Tensor(zeros: [2, 3])
        #expect(try plan.run(inputs: ["x": good])["y"]?.shape == [2, 3])
        #expect(throws: PlanError.missingInput("x")) { try plan.run(inputs: [:]) }
        #expect(throws: PlanError.unknownInput("z")) { try plan.run(inputs: ["x": good, "z": good]) }
        #expect(throws: PlanError.inputShapeMismatch(input: "x", expected: [2, 3], got: [3, 2])) {
            try plan.run(inputs: ["x": Tensor(zeros: [3, 2])])
        }
        #expect(throws: PlanError.inputDTypeMismatch(input: "x", expected: .float32, got: .int32)) {
            try plan.run(inputs: ["x": Tensor(zeros: [2, 3], dtype: .int32)])
        }
    }

    @Test func outOfRangeGatherIndexThrows() throws {
        var g = Graph()
        let ids = g.addInput("ids", dtype: .int64, shape: [3])
        g.markOutput(g.add(.gather(axis: 0), g.addConstant("table", Tensor(zeros: [4, 2])), ids, name: "rows"))
        let plan = try Plan(graph: g)
        let ok = try plan.run(inputs: ["ids": try Tensor(shape: [3], scalars: [Int64(0), 3, -1])])
        #expect(ok["rows"]?.shape == [3, 2])
        #expect(throws: PlanError.indexOutOfRange(node: "node 0 'rows' (gather)", index: 4, size: 4)) {
            try plan.run(inputs: ["ids": try Tensor(shape: [3], scalars: [Int64(0), 4, 1])])
        }
        // The reference evaluator checks indices with the op's typing rule.
        #expect(throws: GraphError.self) {
            try ReferenceEvaluator().run(g, inputs: ["ids": try Tensor(shape: [3], scalars: [Int64(9), 0, 0])])
        }
    }

    @Test func constantFoldingWithReferenceEvaluator() throws {
        var rng = TestRNG(seed: 5)
        var g = Graph()
        let x = g.addInput("x", shape: [3, 4])
        let wT = g.add(.transpose(perm: [1, 0]), g.const("w", [5, 4], &rng), name: "wT")
        let scaled = g.add(.binary(.mul, activation: .none), wT, g.addConstant("two", Tensor(scalar: 2)), name: "scaled")
        g.markOutput(g.add(.matMul(MatMulAttributes()), x, scaled, name: "y"))
        let input = randomTensor([3, 4], &rng)
        let before = try Plan(graph: g).run(inputs: ["x": input])
        var folded = g
        #expect(try folded.foldConstants(using: ReferenceEvaluator()) == 2)
        folded.eliminateDeadCode()
        #expect(folded.nodes.count == 1)
        let after = try Plan(graph: folded).run(inputs: ["x": input])
        #expect(maxRelativeError(after["y"], before["y"]) < 1e-6)
    }
}
