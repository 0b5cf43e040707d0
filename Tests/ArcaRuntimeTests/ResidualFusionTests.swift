import ArcaIR
import ArcaKernels
import ArcaTensor
import Testing
@testable import ArcaRuntime

/// conv2d followed by a residual `add` fuses into one conv that adds before its activation,
/// on every convolution path (DirectGEMM for few channels, packed GEMM, im2col, groups).
@Suite struct ResidualFusionTests {
    @Test(arguments: [
        (8, 1, 1),    // pointwise, few output channels: DirectGEMM
        (96, 1, 1),   // pointwise, many output channels: packed GEMM
        (24, 3, 1),   // 3x3 through im2col
        (16, 3, 2),   // grouped
    ])
    func fusedResidualMatchesUnfused(outC: Int, kernel: Int, groups: Int) throws {
        var rng = TestRNG(seed: UInt64(outC * 100 + kernel * 10 + groups))
        var g = Graph()
        let x = g.addInput("x", shape: [1, 7, 9, 8])
        let r = g.addInput("r", shape: [1, 7, 9, outC])
        let conv = g.add(.conv2d(Conv2DAttributes(padding: .same, groups: groups)),
                         x, g.const("w", [outC, kernel, kernel, 8 / groups], &rng), g.const("b", [outC], &rng), name: "conv")
        let sum = g.add(.binary(.add, activation: .relu6), r, conv, name: "sum")
        g.markOutput(sum)
        let inputs = ["x": randomTensor([1, 7, 9, 8], &rng, scale: 2), "r": randomTensor([1, 7, 9, outC], &rng, scale: 3)]
        let expected = try ReferenceEvaluator().run(g, inputs: inputs)

        let fused = try g.optimized()
        #expect(fused.nodes.count == 1, "conv and add become one node")
        guard case .conv2d(let a) = fused.nodes.first?.op else { Issue.record("no conv2d"); return }
        #expect(a.hasResidual && a.activation == .relu6)
        let byReference = try ReferenceEvaluator().run(fused, inputs: inputs)
        let got = try Plan(graph: fused, threads: 2).run(inputs: inputs)
        #expect(maxRelativeError(byReference["sum"], expected["sum"]) < 1e-5)
        #expect(maxRelativeError(got["sum"], expected["sum"]) < 1e-4)

        let (json, weights) = try fused.serialized()
        let back = try Graph(serialized: json, weights: weights)
        guard case .conv2d(let b) = back.nodes.first?.op else { Issue.record("no conv2d after serialization"); return }
        #expect(b.hasResidual)
    }

    @Test func residualProducedAfterTheConvIsNotFused() throws {
        var rng = TestRNG(seed: 3)
        var g = Graph()
        let x = g.addInput("x", shape: [1, 4, 4, 8])
        let conv = g.add(.conv2d(Conv2DAttributes()), x, g.const("w", [8, 1, 1, 8], &rng), name: "conv")
        let later = g.add(.unary(.tanh), x, name: "later")
        let sum = g.add(.binary(.add, activation: .none), conv, later, name: "sum")
        g.markOutput(sum)
        let fused = try g.optimized()
        #expect(fused.nodes.contains { if case .binary = $0.op { true } else { false } })
    }

    @Test func wrongResidualShapeIsRejected() throws {
        var rng = TestRNG(seed: 4)
        var g = Graph()
        let x = g.addInput("x", shape: [1, 4, 4, 8])
        let r = g.addInput("r", shape: [1, 4, 4, 7])
        g.markOutput(g.add(.conv2d(Conv2DAttributes(residual: true)), x, g.const("w", [8, 1, 1, 8], &rng), r))
        #expect(throws: GraphError.self) { try g.verify() }
    }

    /// A zero pad of H and W feeding a convolution becomes the convolution's explicit padding.
    @Test(arguments: [false, true])
    func spatialPadFoldsIntoTheConvolution(depthwise: Bool) throws {
        var rng = TestRNG(seed: depthwise ? 5 : 6)
        var g = Graph()
        let x = g.addInput("x", shape: [1, 9, 8, 8])
        let padded = g.add(.pad(PadAttributes(before: [0, 1, 0, 0], after: [0, 1, 2, 0])), x, name: "pad")
        let y = depthwise
            ? g.add(.depthwiseConv2d(DepthwiseConv2DAttributes(strideH: 2, strideW: 2)), padded, g.const("dw", [3, 3, 8], &rng), name: "y")
            : g.add(.conv2d(Conv2DAttributes(strideH: 2, strideW: 2, padding: .explicit(top: 1, left: 0, bottom: 0, right: 1))),
                    padded, g.const("w", [4, 3, 3, 8], &rng), name: "y")
        g.markOutput(y)
        let inputs = ["x": randomTensor([1, 9, 8, 8], &rng, scale: 2)]
        let expected = try ReferenceEvaluator().run(g, inputs: inputs)
        let fused = try g.optimized()
        #expect(!fused.nodes.contains { if case .pad = $0.op { true } else { false } })
        let got = try Plan(graph: fused, threads: 2).run(inputs: inputs)
        #expect(got["y"]?.shape == expected["y"]?.shape)
        #expect(maxRelativeError(got["y"], expected["y"]) < 1e-4)
    }

    @Test func channelPadIsNotFolded() throws {
        var rng = TestRNG(seed: 7)
        var g = Graph()
        let x = g.addInput("x", shape: [1, 4, 4, 8])
        let padded = g.add(.pad(PadAttributes(before: [0, 0, 0, 0], after: [0, 0, 0, 4])), x, name: "pad")
        g.markOutput(g.add(.conv2d(Conv2DAttributes()), padded, g.const("w", [8, 1, 1, 12], &rng), name: "y"))
        let fused = try g.optimized()
        #expect(fused.nodes.contains { if case .pad = $0.op { true } else { false } })
    }
}
