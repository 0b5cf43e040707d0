import ArcaIR
import ArcaTensor
import Foundation
import Testing
@testable import ArcaRuntime

/// Ops the model tests do not reach, each through the plan and the reference evaluator.
@Suite struct PlanOpsTests {
    @Test func miscellaneousOpsMatchReference() throws {
        var rng = TestRNG(seed: 6)
        var g = Graph()
        let x = g.addInput("x", shape: [1, 5, 6, 4])
        let up = g.add(.transposeConv2d(TransposeConv2DAttributes(strideH: 2, strideW: 2, padding: .same, activation: .sigmoid)),
                       x, g.const("tw", [3, 3, 3, 4], &rng), g.const("tb", [3], &rng), name: "up")
        let pr = g.add(.prelu, x, g.const("alpha", [4], &rng), name: "prelu")
        let gate = g.add(.reduceMean(axes: [3], keepDims: true), pr, name: "gate")
        let scaled = g.add(.binary(.mul, activation: .tanh), pr, gate, name: "scaled")
        let sm = g.add(.softmax(axis: 1), scaled, name: "softmax_h")
        let half = g.add(.cast(to: .float16), sm, name: "half")
        let back = g.add(.cast(to: .float32), half, name: "back")
        let e = g.add(.unary(.exp), back, name: "exp")
        let q = g.add(.binary(.div, activation: .none), e, g.addConstant("three", Tensor(scalar: 3)), name: "div")
        let r = g.add(.unary(.rsqrt), q, name: "rsqrt")
        let er = g.add(.unary(.erf), r, name: "erf")
        let l2 = g.add(.l2Normalize(epsilon: 1e-6), er, name: "l2")
        let hs = g.add(.unary(.hardSwish), up, name: "hardswish")
        let dwm = g.add(.depthwiseConv2d(DepthwiseConv2DAttributes(padding: .explicit(top: 1, left: 0, bottom: 0, right: 2), multiplier: 2)),
                        x, g.const("dw", [2, 3, 8], &rng), name: "dw_mult")
        let grouped = g.add(.conv2d(Conv2DAttributes(dilationH: 2, dilationW: 1, padding: .same, groups: 2, activation: .relu)),
                            x, g.const("gw", [6, 3, 3, 2], &rng), name: "grouped")
        for v in [l2, hs, dwm, grouped] { g.markOutput(v) }
        let input = randomTensor([1, 5, 6, 4], &rng, scale: 2)
        let expected = try ReferenceEvaluator().run(g, inputs: ["x": input])
        let plan = try Plan(graph: g, threads: 2)
        let got = try plan.run(inputs: ["x": input])
        #expect(got.count == 4)
        for (name, ref) in expected {
            // float16 round trip: 2^-11 relative, then smooth ops.
            let err = maxRelativeError(got[name], ref)
            #expect(err < 1e-3, "\(name): \(err)")
        }
        #expect(got["hardswish"]?.shape == [1, 10, 12, 3])
    }

    @Test func concurrentRunsAreSerialisedAndCorrect() async throws {
        let g = PlanModelTests.convNet()
        let plan = try Plan(graph: g, inputShapes: ["image": [1, 16, 16, 3]])
        var rng = TestRNG(seed: 7)
        let images = (0..<6).map { _ in randomTensor([1, 16, 16, 3], &rng) }
        let serial = try images.map { try plan.run(inputs: ["image": $0])["gap"] }
        let parallel = try await withThrowingTaskGroup(of: (Int, Tensor?).self) { group in
            for (i, image) in images.enumerated() {
                group.addTask { (i, try plan.run(inputs: ["image": image])["gap"]) }
            }
            var out = [Tensor?](repeating: nil, count: images.count)
            for try await (i, t) in group { out[i] = t }
            return out
        }
        for i in images.indices { #expect(maxRelativeError(parallel[i], serial[i]) == 0) }
    }

    @Test func arenaSharesAndAliases() throws {
        var g = Graph()
        let x = g.addInput("x", shape: [256])
        var v = x
        for i in 0..<6 { v = g.add(.unary(.relu), v, name: "r\(i)") }
        let flat = g.add(.reshape(newShape: [16, 16]), v, name: "flat")
        g.markOutput(flat)
        let plan = try Plan(graph: g)
        // A chain needs two live buffers at any time; the reshape aliases its input.
        #expect(plan.unsharedBytes == 7 * 1024)
        #expect(plan.arenaBytes == 2 * 1024)
        let input = try Tensor(shape: [256], scalars: (0..<256).map { Float($0 % 7) - 3 })
        let out = try plan.run(inputs: ["x": input])
        #expect(out["flat"]?.shape == [16, 16])
        #expect(out["flat"]?.floats() == input.floats().map { max($0, 0) })
    }
}

@Suite struct PlanRuntimeWeightsTests {
    /// Weights that are graph inputs (not constants) must be read at run time, not packed at plan time.
    @Test func nonConstantWeights() throws {
        var rng = TestRNG(seed: 8)
        var g = Graph()
        let x = g.addInput("x", shape: [1, 6, 6, 4])
        let w = g.addInput("w", shape: [5, 3, 3, 4])
        let tw = g.addInput("tw", shape: [2, 2, 2, 5])
        let m = g.addInput("m", shape: [4, 7])
        let c = g.add(.conv2d(Conv2DAttributes(padding: .same, activation: .relu)), x, w, name: "conv")
        let t = g.add(.transposeConv2d(TransposeConv2DAttributes(strideH: 2, strideW: 2, padding: .valid)), c, tw, name: "tconv")
        let mm = g.add(.matMul(MatMulAttributes()), x, m, name: "mm")
        g.markOutput(t)
        g.markOutput(mm)
        let plan = try Plan(graph: g)
        for _ in 0..<2 {
            let inputs = ["x": randomTensor([1, 6, 6, 4], &rng), "w": randomTensor([5, 3, 3, 4], &rng),
                          "tw": randomTensor([2, 2, 2, 5], &rng), "m": randomTensor([4, 7], &rng)]
            let expected = try ReferenceEvaluator().run(g, inputs: inputs)
            let got = try plan.run(inputs: inputs)
            for (name, ref) in expected { #expect(maxRelativeError(got[name], ref) < 1e-4, "\(name)") }
        }
    }
}
