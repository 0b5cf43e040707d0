import ArcaIR
import ArcaTensor
import Testing
@testable import ArcaRuntime

/// Plans of small hand-built models against the reference evaluator.
/// Tolerance: 1e-4 relative (`|plan - ref| / (1 + |ref|)`): GEMM reorders fp32 sums of ≤ 64 terms
/// and vectorised exp/erf differ from libm by ≤ 2e-7 per op, gelu by ≤ 1e-6.
@Suite struct PlanModelTests {
    static let tolerance: Float = 1e-4

    /// conv 3x3 SAME + bias + relu, depthwise 3x3 stride 2, 1x1 conv, residual add, max pool,
    /// resize, concat, reshape, depth-to-space, transpose, pad, reduce mean, softmax.
    static func convNet() -> Graph {
        var rng = TestRNG(seed: 1)
        var g = Graph()
        let x = g.addInput("image", shape: [-1, 16, 16, 3])
        let c1 = g.add(.conv2d(Conv2DAttributes(padding: .same)), x, g.const("w1", [8, 3, 3, 3], &rng), name: "conv1")
        let b1 = g.add(.binary(.add, activation: .none), c1, g.const("b1", [8], &rng), name: "bias1")
        let r1 = g.add(.unary(.relu), b1, name: "relu1")
        let dw = g.add(.depthwiseConv2d(DepthwiseConv2DAttributes(strideH: 2, strideW: 2, padding: .same)), r1,
                       g.const("dw", [3, 3, 8], &rng), g.const("dwb", [8], &rng), name: "dw")
        let pw = g.add(.conv2d(Conv2DAttributes()), dw, g.const("pw", [8, 1, 1, 8], &rng), name: "pw")
        let pb = g.add(.binary(.add, activation: .none), pw, g.const("pb", [1, 1, 1, 8], &rng), name: "pw_bias")
        let pr = g.add(.unary(.relu6), pb, name: "pw_relu6")
        let res = g.add(.binary(.add, activation: .none), pr, dw, name: "residual")
        let rr = g.add(.unary(.relu), res, name: "res_relu")
        let mp = g.add(.pool2d(Pool2DAttributes(kind: .max, kernelH: 2, kernelW: 2, strideH: 2, strideW: 2)), rr, name: "maxpool")
        let up = g.add(.resizeBilinear(ResizeAttributes(outH: 8, outW: 8, mode: .halfPixel)), mp, name: "resize")
        let cat = g.add(.concat(axis: 3), up, rr, name: "concat")
        let flat = g.add(.reshape(newShape: [-1, 64, 16]), cat, name: "flat")
        let d2s = g.add(.depthToSpace(blockSize: 2), cat, name: "d2s")
        let tr = g.add(.transpose(perm: [0, 3, 1, 2]), d2s, name: "nchw")
        let pd = g.add(.pad(PadAttributes(before: [0, 0, 1, 0], after: [0, 1, 0, 2], value: -1)), tr, name: "pad")
        let avg = g.add(.pool2d(Pool2DAttributes(kind: .average, kernelH: 3, kernelW: 3, strideH: 2, strideW: 2, padding: .same)), d2s, name: "avg")
        let gap = g.add(.reduceMean(axes: [1, 2], keepDims: false), avg, name: "gap")
        let sm = g.add(.softmax(axis: -1), flat, name: "softmax")
        for v in [flat, pd, gap, sm] { g.markOutput(v) }
        return g
    }

    @Test func convNetMatchesReference() throws {
        var rng = TestRNG(seed: 2)
        let g = Self.convNet()
        let image = randomTensor([2, 16, 16, 3], &rng)
        let expected = try ReferenceEvaluator().run(g, inputs: ["image": image])
        var fused = g
        let removed = try fused.fuse()
        #expect(removed == 5)
        for (graph, threads) in [(g, 1), (fused, 1), (fused, 2)] {
            let plan = try Plan(graph: graph, inputShapes: ["image": [2, 16, 16, 3]], threads: threads)
            let got = try plan.run(inputs: ["image": image])
            #expect(Set(got.keys) == ["flat", "pad", "gap", "softmax"])
            for (name, ref) in expected {
                let err = maxRelativeError(got[name], ref)
                #expect(err < Self.tolerance, "\(name): \(err)")
            }
            #expect(plan.arenaBytes < plan.unsharedBytes)
            // Running twice reuses the arena and gives the same answer.
            let again = try plan.run(inputs: ["image": image])
            #expect(maxRelativeError(again["gap"], got["gap"]) == 0)
        }
        let optimized = try g.optimized()
        #expect(optimized.nodes.count == g.nodes.count - 5)
        let plan = try Plan(graph: optimized, inputShapes: ["image": [2, 16, 16, 3]])
        let got = try plan.run(inputs: ["image": image])
        for (name, ref) in expected { #expect(maxRelativeError(got[name], ref) < Self.tolerance, "\(name)") }
        #expect(plan.stepDescriptions.contains { $0.contains("conv1x1.gemm") })
        #expect(plan.stepDescriptions.contains { $0.contains("conv2d.im2col.gemm") })
        #expect(plan.stepDescriptions.contains { $0.contains("flat") && $0.contains("alias") })
    }

    /// Plans for two shapes on one arena, run in turn (each over the other's leftovers), answer
    /// as plans with arenas of their own; a larger plan grows the arena and retires the older.
    @Test func plansShareAnArena() throws {
        var rng = TestRNG(seed: 4)
        let g = try Self.convNet().optimized()
        let cache = PackedWeightCache()
        let arena = SharedArena()
        let small = randomTensor([1, 16, 16, 3], &rng), large = randomTensor([3, 16, 16, 3], &rng)
        let a = try Plan(graph: g, inputShapes: ["image": [1, 16, 16, 3]], pool: .serial, weightCache: cache, arena: arena)
        #expect(a.isCurrent(on: arena) && arena.byteCount >= a.arenaBytes)
        let b = try Plan(graph: g, inputShapes: ["image": [3, 16, 16, 3]], pool: .serial, weightCache: cache, arena: arena)
        #expect(b.arenaBytes > a.arenaBytes && arena.byteCount >= b.arenaBytes)
        let alone = try Plan(graph: g, inputShapes: ["image": [1, 16, 16, 3]], pool: .serial)
        #expect(!alone.isCurrent(on: arena))
        let expectedSmall = try alone.run(inputs: ["image": small])
        let expectedLarge = try Plan(graph: g, inputShapes: ["image": [3, 16, 16, 3]], pool: .serial).run(inputs: ["image": large])
        let c = try Plan(graph: g, inputShapes: ["image": [1, 16, 16, 3]], pool: .serial, weightCache: cache, arena: arena)
        #expect(c.isCurrent(on: arena))
        #expect(b.isCurrent(on: arena), "a smaller plan fits: no growth")
        for _ in 0..<2 {
            let gotLarge = try b.run(inputs: ["image": large])
            let gotSmall = try c.run(inputs: ["image": small])
            for (name, ref) in expectedSmall { #expect(maxRelativeError(gotSmall[name], ref) == 0, "\(name)") }
            for (name, ref) in expectedLarge { #expect(maxRelativeError(gotLarge[name], ref) == 0, "\(name)") }
        }
        // Growing far beyond: the earlier plans are no longer on the current storage, but still run.
        let huge = try Plan(graph: g, inputShapes: ["image": [64, 16, 16, 3]], pool: .serial, weightCache: cache, arena: arena)
        #expect(huge.isCurrent(on: arena) && !b.isCurrent(on: arena) && !c.isCurrent(on: arena))
        let late = try c.run(inputs: ["image": small])
        for (name, ref) in expectedSmall { #expect(maxRelativeError(late[name], ref) == 0, "\(name)") }
    }

    /// Plans of one graph with one weight cache pack each convolution once: the second plan
    /// adds no packing, and answers as a plan with packings of its own.
    @Test func plansOfOneGraphShareConvolutionPackings() throws {
        var rng = TestRNG(seed: 5)
        let g = try Self.convNet().optimized()
        let cache = PackedWeightCache()
        let image = randomTensor([1, 16, 16, 3], &rng)
        let a = try Plan(graph: g, inputShapes: ["image": [1, 16, 16, 3]], pool: .serial, weightCache: cache, arena: SharedArena())
        let packings = cache.count
        #expect(packings >= 2, "the net's convolutions are packed through the cache")
        let b = try Plan(graph: a.graph, inputShapes: ["image": [1, 16, 16, 3]], pool: .serial, weightCache: cache, arena: SharedArena())
        #expect(cache.count == packings)
        let expected = try Plan(graph: g, inputShapes: ["image": [1, 16, 16, 3]], pool: .serial).run(inputs: ["image": image])
        let got = try b.run(inputs: ["image": image])
        for (name, ref) in expected { #expect(maxRelativeError(got[name], ref) == 0, "\(name)") }
    }

    /// Embedding gather, q/k/v projections, masked attention, output projection, residual,
    /// layer norm, GELU MLP, residual, layer norm, masked mean, l2 normalize.
    static func encoder(width d: Int = 16, heads: Int = 4, vocab: Int = 50) -> Graph {
        var rng = TestRNG(seed: 3)
        var g = Graph()
        let ids = g.addInput("input_ids", dtype: .int32, shape: [-1, -1])
        let mask = g.addInput("attention_mask", dtype: .int64, shape: [-1, -1])
        let x = g.add(.gather(axis: 0), g.const("embeddings", [vocab, d], &rng, scale: 1), ids, name: "embed")
        func dense(_ v: ValueID, _ n: Int, _ name: String, inWidth: Int? = nil, act: UnaryKind? = nil) -> ValueID {
            let w = g.const(name + ".w", [inWidth ?? d, n], &rng, scale: 0.3)
            let mm = g.add(.matMul(MatMulAttributes()), v, w, name: name)
            let b = g.add(.binary(.add, activation: .none), mm, g.const(name + ".b", [n], &rng, scale: 0.1), name: name + ".bias")
            return act.map { g.add(.unary($0), b, name: name + ".act") } ?? b
        }
        let q = dense(x, d, "q"), k = dense(x, d, "k"), v = dense(x, d, "v")
        let att = g.add(.attention(AttentionAttributes(heads: heads, scale: 1 / Float(d / heads).squareRoot())), q, k, v, mask, name: "attention")
        let o = dense(att, d, "o")
        let r1 = g.add(.binary(.add, activation: .none), o, x, name: "res1")
        let n1 = g.add(.layerNorm(epsilon: 1e-5), r1, g.const("ln1.g", [d], &rng), g.const("ln1.b", [d], &rng), name: "ln1")
        let h = dense(n1, 2 * d, "ffn1", act: .gelu)
        let f2 = dense(h, d, "ffn2", inWidth: 2 * d)
        let r2 = g.add(.binary(.add, activation: .none), f2, n1, name: "res2")
        let n2 = g.add(.layerNorm(epsilon: 1e-5), r2, g.const("ln2.g", [d], &rng), g.const("ln2.b", [d], &rng), name: "hidden")
        let pooled = g.add(.maskedMean, n2, mask, name: "pooled")
        let emb = g.add(.l2Normalize(epsilon: 1e-12), pooled, name: "embedding")
        let logits = g.add(.matMul(MatMulAttributes(transposeB: true)), n2, g.const("unembed", [vocab, d], &rng), name: "logits")
        let probs = g.add(.softmax(axis: -1), logits, name: "probs")
        g.markOutput(emb)
        g.markOutput(probs)
        return g
    }

    static func encoderInputs(batch: Int, seq: Int) throws -> [String: Tensor] {
        var rng = TestRNG(seed: 4)
        let ids = (0..<(batch * seq)).map { _ in Int32(rng.int(0..<50)) }
        var mask = [Int64](repeating: 1, count: batch * seq)
        for s in (seq - 2)..<seq { mask[s] = 0 }  // first sequence is padded at the end
        return ["input_ids": try Tensor(shape: [batch, seq], scalars: ids),
                "attention_mask": try Tensor(shape: [batch, seq], scalars: mask)]
    }

    @Test func encoderMatchesReference() throws {
        let g = Self.encoder()
        let inputs = try Self.encoderInputs(batch: 2, seq: 7)
        let expected = try ReferenceEvaluator().run(g, inputs: inputs)
        var fused = g
        #expect(try fused.fuse() == 7)
        for (graph, threads) in [(g, 1), (fused, 2)] {
            let plan = try Plan(graph: graph, inputShapes: ["input_ids": [2, 7], "attention_mask": [2, 7]], threads: threads)
            let got = try plan.run(inputs: inputs)
            for (name, ref) in expected {
                let err = maxRelativeError(got[name], ref)
                #expect(err < Self.tolerance, "\(name): \(err)")
            }
            #expect(plan.arenaBytes < plan.unsharedBytes)
        }
        // Padding tokens must not change the pooled embedding of the first sequence.
        var shorter = inputs
        let ids = try #require(inputs["input_ids"]).scalars(as: Int32.self)
        shorter["input_ids"] = try Tensor(shape: [1, 5], scalars: Array(ids[0..<5]))
        shorter["attention_mask"] = try Tensor(shape: [1, 5], scalars: [Int64](repeating: 1, count: 5))
        let small = try Plan(graph: fused, inputShapes: ["input_ids": [1, 5], "attention_mask": [1, 5]]).run(inputs: shorter)
        let full = expected["embedding"]?.floats() ?? []
        let part = small["embedding"]?.floats() ?? []
        #expect(part.count == 16 && full.count == 32)
        #expect(zip(part, full[0..<16]).allSatisfy { abs($0 - $1) < 1e-4 })
    }
}
