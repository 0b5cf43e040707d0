import Testing
@testable import ArcaKernels

@Suite struct ElementwiseTests {
    static let shapePairs: [([Int], [Int])] = [
        ([17, 31], [17, 31]),
        ([100, 64], []),
        ([], [3, 17]),
        ([1, 64, 64, 24], [24]),
        ([2, 17, 1, 31], [3, 1]),
        ([1], [31, 17]),
        ([2, 1, 3, 1, 17, 1], [1, 3, 1, 5, 1, 4]),
        ([3, 1, 17], [1, 31, 1]),
        ([64, 1], [1, 100]),
        ([1, 1, 1, 100_003], [1, 1, 1, 100_003]),
        ([31, 5000], [31, 1]),
        ([0, 3], [1, 3]),
        // Per-channel gates (squeeze-and-excitation): rows of one stride, and with a batch.
        ([1, 9, 7, 40], [1, 1, 1, 40]),
        ([2, 9, 7, 40], [2, 1, 1, 40]),
    ]

    @Test(arguments: shapePairs)
    func binaryMatchesReference(aShape: [Int], bShape: [Int]) throws {
        var rng = TestRNG(seed: UInt64(aShape.count * 10 + bShape.count))
        let a = Buf(random: aShape.reduce(1, *), &rng, range: 4)
        let b = Buf(random: bShape.reduce(1, *), &rng, range: 4)
        for op in BinaryOp.allCases {
            let p = BinaryParams(op: op, aShape: aShape, bShape: bShape)
            #expect(p.isValid)
            let out = try #require(p.outShape)
            let count = out.reduce(1, *)
            let fast = Buf(count, .nan), ref = Buf(count)
            let act: Activation = op == .add ? .relu : .none
            Binary.run(p, a: a.ptr, b: b.ptr, activation: act, output: fast.p, pool: .shared)
            Reference.binary(p, a: a.ptr, b: b.ptr, activation: act, output: ref.p)
            expectClose(fast, ref, Binary.tolerance(p), "\(op) \(aShape) \(bShape)")
        }
    }

    @Test func binaryInPlace() {
        var rng = TestRNG(seed: 3)
        let a = Buf(random: 17 * 31, &rng), b = Buf(random: 31, &rng)
        let ref = Buf(17 * 31)
        let p = BinaryParams(op: .mul, aShape: [17, 31], bShape: [31])
        Reference.binary(p, a: a.ptr, b: b.ptr, output: ref.p)
        Binary.run(p, a: a.ptr, b: b.ptr, output: a.p, pool: .shared)
        expectClose(a, ref, .exact, "in place")
    }

    @Test func broadcastRejectsMismatch() {
        #expect(BinaryParams(op: .add, aShape: [3, 4], bShape: [5]).outShape == nil)
        #expect(!BinaryParams(op: .add, aShape: [3, 4], bShape: [2, 4]).isValid)
        #expect(BinaryParams(op: .add, aShape: [2, 1, 4], bShape: [3, 1]).outShape == [2, 3, 4])
    }

    @Test(arguments: UnaryOp.allCases)
    func unaryMatchesReference(op: UnaryOp) {
        var rng = TestRNG(seed: 11)
        for count in [1, 17, 100, 40_000] {
            let x = Buf(random: count, &rng, range: 8)
            if op == .sqrt || op == .rsqrt || op == .log { for i in 0..<count { x.p[i] = Swift.abs(x.p[i]) + 1e-3 } }
            let fast = Buf(count, .nan), ref = Buf(count)
            Unary.run(op, input: x.ptr, output: fast.p, count: count, pool: .shared)
            Reference.unary(op, input: x.ptr, output: ref.p, count: count)
            expectClose(fast, ref, Unary.tolerance(op), scale: Buf(count, 1), "\(op) n=\(count)")
            Unary.run(op, input: x.ptr, output: x.p, count: count, pool: .shared)
            expectClose(x, ref, Unary.tolerance(op), scale: Buf(count, 1), "\(op) in place n=\(count)")
        }
    }

    @Test(arguments: [(1, 1), (17, 3), (64, 24), (31, 100)])
    func preluMatchesReference(rows: Int, channels: Int) {
        var rng = TestRNG(seed: 13)
        let x = Buf(random: rows * channels, &rng), alpha = Buf(random: channels, &rng)
        let fast = Buf(rows * channels, .nan), ref = Buf(rows * channels)
        PReLU.run(input: x.ptr, alpha: alpha.ptr, count: rows * channels, channels: channels, output: fast.p, pool: .shared)
        Reference.prelu(input: x.ptr, alpha: alpha.ptr, count: rows * channels, channels: channels, output: ref.p)
        expectClose(fast, ref, PReLU.tolerance, "prelu")
    }
}

@Suite struct NormalizationTests {
    @Test(arguments: [(1, 1), (3, 17), (17, 31), (64, 100), (100, 64), (31, 384), (2, 5000)])
    func softmaxMatchesReference(rows: Int, cols: Int) {
        var rng = TestRNG(seed: UInt64(rows * 1000 + cols))
        let x = Buf(random: rows * cols, &rng, range: 20)
        for beta: Float in [1, 0.5] {
            let fast = Buf(rows * cols, .nan), ref = Buf(rows * cols)
            Softmax.run(rows: rows, cols: cols, beta: beta, input: x.ptr, output: fast.p, pool: .shared)
            Reference.softmax(rows: rows, cols: cols, beta: beta, input: x.ptr, output: ref.p)
            expectClose(fast, ref, Softmax.tolerance(cols: cols), "softmax \(rows)x\(cols)")
            for r in 0..<rows {
                var s: Float = 0
                for j in 0..<cols { s += fast.p[r * cols + j] }
                #expect(Swift.abs(s - 1) < 1e-5)
            }
        }
    }

    @Test(arguments: [(1, 1), (3, 17), (17, 31), (64, 100), (100, 64), (128, 384)])
    func layerNormMatchesReference(rows: Int, cols: Int) {
        var rng = TestRNG(seed: UInt64(rows * 1000 + cols))
        let x = Buf(random: rows * cols, &rng, range: 3)
        for i in 0..<(rows * cols) { x.p[i] += 5 }  // a large mean, as in transformer residuals
        let gamma = Buf(random: cols, &rng), beta = Buf(random: cols, &rng)
        let fast = Buf(rows * cols, .nan), ref = Buf(rows * cols)
        LayerNorm.run(rows: rows, cols: cols, epsilon: 1e-12, input: x.ptr, gamma: gamma.ptr, beta: beta.ptr, output: fast.p, pool: .shared)
        Reference.layerNorm(rows: rows, cols: cols, epsilon: 1e-12, input: x.ptr, gamma: gamma.ptr, beta: beta.ptr, output: ref.p)
        // scale: the normalized magnitude (≤ sqrt(cols)) times |gamma| plus |beta|
        let scale = Buf(rows * cols, Float(cols).squareRoot() * 2)
        expectClose(fast, ref, LayerNorm.tolerance(cols: cols), scale: scale, "layernorm \(rows)x\(cols)")
        let plain = Buf(rows * cols)
        Reference.layerNorm(rows: rows, cols: cols, epsilon: 1e-5, input: x.ptr, gamma: nil, beta: nil, output: plain.p)
        LayerNorm.run(rows: rows, cols: cols, epsilon: 1e-5, input: x.ptr, gamma: nil, beta: nil, output: x.p, pool: .shared)
        expectClose(x, plain, LayerNorm.tolerance(cols: cols), scale: scale, "layernorm in place \(rows)x\(cols)")
    }
}
