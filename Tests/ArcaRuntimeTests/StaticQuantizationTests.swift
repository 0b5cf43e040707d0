import ArcaIR
import ArcaKernels
import ArcaTensor
import Testing
@testable import ArcaRuntime

/// The static int8 pass on a small net with every op family it handles: a strided first
/// convolution, depthwise → pointwise pairs, a residual add, a channel pad, max pooling, a
/// squeeze-and-excitation gate, a bilinear resize and a float tail.
@Suite struct StaticQuantizationTests {
    static func net(_ rng: inout TestRNG) -> Graph {
        var g = Graph()
        let x = g.addInput("x", shape: [1, 16, 16, 3])
        let c0 = g.add(.conv2d(Conv2DAttributes(strideH: 2, strideW: 2, padding: .same, activation: .relu)),
                       x, g.const("w0", [16, 3, 3, 3], &rng), g.const("b0", [16], &rng), name: "c0")
        let d1 = g.add(.depthwiseConv2d(DepthwiseConv2DAttributes(padding: .same)), c0, g.const("wd1", [3, 3, 16], &rng),
                       g.const("bd1", [16], &rng), name: "d1")
        let p1 = g.add(.conv2d(Conv2DAttributes()), d1, g.const("w1", [16, 1, 1, 16], &rng), g.const("b1", [16], &rng), name: "p1")
        let r1 = g.add(.binary(.add, activation: .relu), p1, c0, name: "r1")
        let se = g.add(.pool2d(Pool2DAttributes(kind: .average, kernelH: 8, kernelW: 8, strideH: 8, strideW: 8)), r1, name: "se.pool")
        let gate = g.add(.conv2d(Conv2DAttributes(activation: .sigmoid)), se, g.const("wg", [16, 1, 1, 16], &rng), name: "se.gate")
        let scaled = g.add(.binary(.mul, activation: .none), r1, gate, name: "se.mul")
        let mp = g.add(.pool2d(Pool2DAttributes(kind: .max, kernelH: 2, kernelW: 2, strideH: 2, strideW: 2)), scaled, name: "pool")
        let padded = g.add(.pad(PadAttributes(before: [0, 0, 0, 0], after: [0, 0, 0, 8])), mp, name: "pad")
        let c2 = g.add(.conv2d(Conv2DAttributes(activation: .relu6)), mp, g.const("w2", [24, 1, 1, 16], &rng), name: "c2")
        let sum = g.add(.binary(.add, activation: .none), c2, padded, name: "sum")
        let up = g.add(.resizeBilinear(ResizeAttributes(outH: 8, outW: 8, mode: .halfPixel)), sum, name: "up")
        let head = g.add(.conv2d(Conv2DAttributes()), up, g.const("wh", [4, 1, 1, 24], &rng), g.const("bh", [4], &rng), name: "head")
        g.markOutput(g.add(.unary(.tanh), head, name: "out"))
        return g
    }

    static func inputs(_ n: Int, _ rng: inout TestRNG) -> [[String: Tensor]] {
        (0..<n).map { _ in ["x": randomTensor([1, 16, 16, 3], &rng, scale: 2)] }
    }

    @Test func quantizedNetRunsAsItsReferenceAndNearTheFloatNet() throws {
        var rng = TestRNG(seed: 17)
        let g = Self.net(&rng)
        let calibration = Self.inputs(8, &rng)
        let (q, report) = try g.quantizedStaticInt8(calibration: calibration, threads: 2)
        #expect(report.quantizedConvolutions >= 4, "\(report)")
        #expect(report.quantizedElementwise >= 2, "\(report)")
        #expect(report.byteOps >= 2, "\(report)")
        #expect(report.equalizedPairs >= 1, "\(report)")
        #expect(q.nodes.contains { if case .quantizedScaleChannels = $0.op { true } else { false } })
        #expect(q.values[q.outputs[0]].dtype == .float32 && q.values[q.outputs[0]].name == "out")
        for sample in Self.inputs(3, &rng) {
            let planned = try Plan(graph: q, threads: 2).run(inputs: sample)["out"]
            let reference = try ReferenceEvaluator().run(q, inputs: sample)["out"]
            let float = try ReferenceEvaluator().run(g, inputs: sample)["out"]
            // Plan and reference differ by rounding ties only (a step of some activation, rarely).
            #expect(maxRelativeError(planned, reference) < 0.05)
            let f = float?.floats() ?? [], p = planned?.floats() ?? []
            let rms = (zip(f, p).map { Double(($0 - $1) * ($0 - $1)) }.reduce(0, +) / Double(max(1, f.count))).squareRoot()
            let scale = (f.map { Double($0 * $0) }.reduce(0, +) / Double(max(1, f.count))).squareRoot()
            #expect(rms < 0.1 * scale, "int8 RMS error \(rms) against the float output's RMS \(scale)")
        }
        let (json, weights) = try q.serialized()
        let back = try Graph(serialized: json, weights: weights)
        #expect(back.nodes.map(\.op) == q.nodes.map(\.op))
    }

    @Test func equalizationKeepsTheFloatFunction() throws {
        var rng = TestRNG(seed: 5)
        let g = try Self.net(&rng).optimized()
        let calibration = Self.inputs(4, &rng)
        let (e, pairs) = try g.equalizedForQuantization(calibration, threads: 1)
        // d1 → p1 (p1 adds a residual, which does not stop it); c0 also feeds the add, so it is not.
        #expect(pairs == 1)
        #expect(e.constants.keys.contains { e.values[$0].name.hasSuffix(":equalized") })
        for sample in Self.inputs(2, &rng) {
            let a = try Plan(graph: g).run(inputs: sample)["out"], b = try Plan(graph: e).run(inputs: sample)["out"]
            #expect(maxRelativeError(b, a) < 1e-4)
        }
    }

    @Test func smallLayersStayFloatWhenAsked() throws {
        var rng = TestRNG(seed: 9)
        let g = Self.net(&rng)
        let calibration = Self.inputs(4, &rng)
        let all = try g.quantizedStaticInt8(calibration: calibration, options: StaticQuantizationOptions(minimumPixels: 0)).report
        let few = try g.quantizedStaticInt8(calibration: calibration, options: StaticQuantizationOptions(minimumPixels: 64)).report
        #expect(few.quantizedConvolutions < all.quantizedConvolutions, "\(few) / \(all)")
        #expect(few.quantizedConvolutions >= 1)
    }

    /// Heads: convolutions whose outputs reach the graph output through layout ops only.
    @Test func headsStayFloatWhenAsked() throws {
        var rng = TestRNG(seed: 13)
        var g = Graph()
        let x = g.addInput("x", shape: [1, 8, 8, 3])
        let c0 = g.add(.conv2d(Conv2DAttributes(padding: .same, activation: .relu)), x, g.const("w0", [16, 3, 3, 3], &rng),
                       g.const("b0", [16], &rng), name: "c0")
        let h1 = g.add(.conv2d(Conv2DAttributes()), c0, g.const("wh1", [4, 1, 1, 16], &rng), name: "h1")
        let h2 = g.add(.conv2d(Conv2DAttributes()), c0, g.const("wh2", [16, 1, 1, 16], &rng), name: "h2")
        let r1 = g.add(.reshape(newShape: [1, 256]), h1, name: "r1")
        let r2 = g.add(.reshape(newShape: [1, 1024]), g.add(.depthToSpace(blockSize: 2), h2, name: "d2s"), name: "r2")
        g.markOutput(g.add(.concat(axis: 1), r1, r2, name: "out"))
        let calibration = (0..<4).map { _ in ["x": randomTensor([1, 8, 8, 3], &rng, scale: 2)] }
        let all = try g.quantizedStaticInt8(calibration: calibration)
        let heads = try g.quantizedStaticInt8(calibration: calibration, options: StaticQuantizationOptions(floatHeads: true))
        #expect(all.report.quantizedConvolutions == 3, "\(all.report)")
        #expect(heads.report.quantizedConvolutions == 1, "\(heads.report)")
        let floatConvs = heads.graph.nodes.filter { if case .conv2d = $0.op { true } else { false } }.map(\.name).sorted()
        #expect(floatConvs == ["h1", "h2"])
        let sample = calibration[0]
        let f = try ReferenceEvaluator().run(g, inputs: sample)["out"], q = try Plan(graph: heads.graph).run(inputs: sample)["out"]
        #expect(maxRelativeError(q, f) < 0.1)
    }

    @Test func rangesIncludeZeroAndHistogramsClipOutliers() {
        let p = QuantParams(range: 0.5, 2)
        #expect(p.zeroPoint == 0 && abs(p.real(255) - 2) < 1e-6)
        let q = QuantParams(range: -1, 3)
        #expect(abs(q.real(UInt8(q.zeroPoint))) < 1e-7)
        #expect(QuantParams(range: .nan, .infinity).isValid)
        // One outlier at 100 among a million values in [-1, 1]: its clipping costs less than the
        // coarse steps a range up to 100 gives everything else.
        var h = CalibrationHistogram(lo: -1, hi: 100)
        h.add((0..<1_000_000).map { Float($0 % 200) / 100 - 1 } + [100])
        let best = h.bestParams
        #expect(best.real(255) < 60, "range top \(best.real(255))")
        #expect(h.error(best) < h.error(QuantParams(range: -1, 100)) / 2)
        // A thousand of them are worth their range.
        var k = CalibrationHistogram(lo: -1, hi: 100)
        k.add((0..<10_000).map { Float($0 % 200) / 100 - 1 } + [Float](repeating: 100, count: 1000))
        #expect(k.bestParams.real(255) > 90)
    }

    /// Per-channel mean of every uint8 convolution's output (dequantized) minus the float net's,
    /// over `samples`, largest over channels, by output value.
    static func meanShifts(_ q: Graph, float g: Graph, _ samples: [[String: Tensor]]) throws -> [ValueID: Double] {
        var params: [ValueID: QuantParams?] = [:]
        for node in q.nodes {
            switch node.op {
            case .quantizedConv2d(let a): params[node.outputs[0]] = a.output
            case .quantizedDepthwiseConv2d(let a): params[node.outputs[0]] = a.output
            default: continue
            }
        }
        let ids = Array(params.keys)
        func means(_ graph: Graph) throws -> [ValueID: [Double]] {
            var observer = ValueObserver(graph, observing: ids, threads: 1)
            var m = ChannelMeans()
            try observer.run(samples) { id, t in
                let x = t.dtype == .uint8 ? try t.scalars(as: UInt8.self).map { params[id]!!.real($0) } : t.floats()
                m.add(id, x, channels: t.shape.dims[3])
            }
            return m.means
        }
        let a = try means(q), b = try means(g)
        return ids.reduce(into: [:]) { r, id in r[id] = zip(a[id] ?? [], b[id] ?? []).map { abs($0 - $1) }.max() ?? .infinity }
    }

    @Test func biasCorrectionMatchesTheFloatMeansLayerByLayer() throws {
        var rng = TestRNG(seed: 23)
        let calibration = try Self.net(&rng).staticCalibration(Self.inputs(8, &rng), threads: 1)
        let (plain, plainReport) = try calibration.quantized(StaticQuantizationOptions())
        let (corrected, report) = try calibration.quantized(StaticQuantizationOptions(biasCorrection: true))
        #expect(plainReport.biasCorrected == 0)
        #expect(report.biasCorrected == report.quantizedConvolutions && report.biasCorrected >= 4, "\(report)")
        // Convolutions without a bias get one (c2 and the gate have none in the float net).
        #expect(corrected.constants.keys.filter { corrected.values[$0].name.hasSuffix(".corrected_bias") }.count == report.biasCorrected)
        let before = try Self.meanShifts(plain, float: calibration.graph, calibration.samples)
        let after = try Self.meanShifts(corrected, float: calibration.graph, calibration.samples)
        #expect(before.keys.sorted() == after.keys.sorted() && !after.isEmpty)
        // Against the unrounded float means: what is left is the clipping the correction keeps.
        let worstBefore = before.values.max() ?? 0, worstAfter = after.values.max() ?? 0
        #expect(worstAfter < 0.5 * worstBefore, "largest channel mean shift \(worstBefore) → \(worstAfter)")
        // The corrected graph still runs as its reference does.
        for sample in Self.inputs(2, &rng) {
            let planned = try Plan(graph: corrected, threads: 2).run(inputs: sample)["out"]
            let reference = try ReferenceEvaluator().run(corrected, inputs: sample)["out"]
            #expect(maxRelativeError(planned, reference) < 0.05)
        }
    }
}
