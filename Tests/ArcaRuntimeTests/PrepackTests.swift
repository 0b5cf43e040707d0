import ArcaIR
import ArcaKernels
import ArcaTensor
import Testing
@testable import ArcaRuntime

/// `prepackedForGEMM` keeps the function: the reference evaluator unpacks by the layout the
/// IR documents, the kernel packed by its own code, and both must agree with the float graph.
@Suite struct PrepackTests {
    /// x [2, 5, K] through matmuls: one with a bias and gelu, a transposed one, a weight shared
    /// by two matmuls, and a weight also read by an add (so its float copy must stay).
    static func graph(k: Int, n: Int) -> Graph {
        var rng = TestRNG(seed: 11)
        var g = Graph()
        let x = g.addInput("x", shape: [-1, 5, k])
        let w = g.const("w", [k, n], &rng)
        let a = g.add(.matMul(MatMulAttributes(activation: .gelu)), x, w, g.const("b", [n], &rng), name: "a")
        let t = g.add(.matMul(MatMulAttributes(transposeB: true)), x, g.const("wt", [n, k], &rng), name: "t")
        let again = g.add(.matMul(MatMulAttributes()), x, w, name: "again")
        let square = g.const("square", [k, k], &rng)
        let s = g.add(.matMul(MatMulAttributes()), x, square, name: "s")
        let plus = g.add(.binary(.add, activation: .none), g.addInput("y", shape: [k, k]), square, name: "plus")
        for v in [a, t, again, s, plus] { g.markOutput(v) }
        return g
    }

    @Test(arguments: [(k: 7, n: 45), (k: 300, n: 64), (k: 600, n: 33)])
    func prepackedGraphComputesTheSame(k: Int, n: Int) throws {
        var rng = TestRNG(seed: 12)
        let g = Self.graph(k: k, n: n)
        let (packed, rewritten) = try g.prepackedForGEMM()
        #expect(rewritten == 4)
        #expect(!packed.nodes.contains { if case .matMul = $0.op { true } else { false } })
        // w is packed once for its two matmuls; `square` keeps its float copy for the add.
        let packedConstants = packed.constants.values.filter { $0.rank == 1 && $0.count > n }
        #expect(packedConstants.count == 3)
        #expect(packed.constants.values.contains { $0.shape.dims == [k, k] })
        #expect(!packed.constants.values.contains { $0.shape.dims == [k, n] || $0.shape.dims == [n, k] })

        let inputs = ["x": randomTensor([2, 5, k], &rng), "y": randomTensor([k, k], &rng)]
        let expected = try ReferenceEvaluator().run(g, inputs: inputs)
        let byReference = try ReferenceEvaluator().run(packed, inputs: inputs)
        let plan = try Plan(graph: packed, inputShapes: ["x": [2, 5, k]], threads: 2)
        #expect(plan.stepDescriptions.filter { $0.contains("gemm.prepacked") }.count == 4)
        let byPlan = try plan.run(inputs: inputs)
        #expect(expected.count == 5)
        for (name, ref) in expected {
            #expect(maxRelativeError(byReference[name], ref) < 1e-5, "\(name) reference")
            #expect(maxRelativeError(byPlan[name], ref) < 1e-4, "\(name) plan")
        }
    }

    @Test func layoutIndexCoversEveryElementOnce() {
        let a = PackedMatMulAttributes(k: 11, n: 10, panelWidth: 4, depthBlock: 3)
        #expect(a.paddedN == 12 && a.packedCount == 132)
        var seen = Set<Int>()
        for r in 0..<a.k { for c in 0..<a.n { seen.insert(a.index(row: r, column: c)) } }
        #expect(seen.count == a.k * a.n && seen.allSatisfy { (0..<a.packedCount).contains($0) })
        #expect(a.index(row: 0, column: 5) == 1 * 3 * 4 + 1)       // second panel of the first block
        #expect(a.index(row: 9, column: 0) == 9 * 12)              // the last block: rows 9 and 10
        #expect(a.index(row: 10, column: 5) == 9 * 12 + 1 * 2 * 4 + 1 * 4 + 1)
    }

    @Test func badPackedMatMulsAreTypedErrors() throws {
        func infer(_ attrs: PackedMatMulAttributes, count: Int, k: Int = 8) throws {
            var g = Graph()
            let x = g.addInput("x", shape: [3, k])
            let w = g.addConstant("w", try Tensor(shape: [count], scalars: [Float](repeating: 0, count: count)))
            g.markOutput(g.add(.packedMatMul(attrs), x, w))
            try g.inferShapes()
        }
        let good = PackedMatMulAttributes(k: 8, n: 5, panelWidth: 4, depthBlock: 4)
        try infer(good, count: 64)
        #expect(throws: GraphError.self) { try infer(good, count: 40) }            // not padded to whole panels
        #expect(throws: GraphError.self) { try infer(good, count: 64, k: 9) }      // K mismatch
        #expect(throws: GraphError.self) { try infer(PackedMatMulAttributes(k: 8, n: 5, panelWidth: 0, depthBlock: 4), count: 64) }
        #expect(throws: GraphError.self) { try infer(PackedMatMulAttributes(k: 8, n: 1 << 40, panelWidth: 4, depthBlock: 4), count: 64) }
    }

    @Test func weightsPackedForAnotherKernelAreRefused() throws {
        var g = Graph()
        let other = PackedB.panelWidth == 32 ? 16 : 32
        let attrs = PackedMatMulAttributes(k: 8, n: 32, panelWidth: other, depthBlock: PackedB.depthBlock)
        let x = g.addInput("x", shape: [3, 8])
        g.markOutput(g.add(.packedMatMul(attrs), x, g.addConstant("w", try Tensor(shape: [256], scalars: [Float](repeating: 0, count: 256)))))
        #expect(throws: PlanError.self) { _ = try Plan(graph: g) }
    }
}
