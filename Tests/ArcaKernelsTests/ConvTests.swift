import Testing
@testable import ArcaKernels

@Suite struct ConvTests {
    static let fixed: [Conv2DParams] = [
        Conv2DParams(batch: 1, inH: 17, inW: 17, inC: 17, outC: 31, kH: 1, kW: 1),
        Conv2DParams(batch: 2, inH: 3, inW: 31, inC: 64, outC: 100, kH: 1, kW: 1),
        Conv2DParams(batch: 1, inH: 31, inW: 31, inC: 3, outC: 24, kH: 5, kW: 5, strideH: 2, strideW: 2,
                     padTop: 1, padLeft: 1, padBottom: 2, padRight: 2),
        Conv2DParams(batch: 1, inH: 17, inW: 3, inC: 17, outC: 17, kH: 3, kW: 3, padTop: 1, padLeft: 1, padBottom: 1, padRight: 1),
        Conv2DParams(batch: 2, inH: 17, inW: 17, inC: 4, outC: 6, kH: 3, kW: 3, dilationH: 2, dilationW: 3,
                     padTop: 2, padLeft: 3, padBottom: 2, padRight: 3, groups: 2),
        Conv2DParams(batch: 1, inH: 3, inW: 3, inC: 3, outC: 3, kH: 3, kW: 3, padTop: 4, padLeft: 0, padBottom: 5, padRight: 4),
        Conv2DParams(batch: 1, inH: 31, inW: 17, inC: 31, outC: 17, kH: 1, kW: 1, strideH: 2, strideW: 3),
        Conv2DParams(batch: 1, inH: 1, inW: 1, inC: 100, outC: 64, kH: 1, kW: 1, padTop: 1, padLeft: 1),
        Conv2DParams(batch: 1, inH: 64, inW: 64, inC: 24, outC: 24, kH: 1, kW: 1),
        Conv2DParams(batch: 1, inH: 100, inW: 17, inC: 12, outC: 9, kH: 2, kW: 4, strideH: 3, strideW: 1, groups: 3),
    ]

    static func random(_ seed: UInt64) -> Conv2DParams {
        var rng = TestRNG(seed: seed)
        while true {
            let groups = [1, 1, 1, 2, 3][rng.int(0..<5)]
            var p = Conv2DParams(batch: rng.int(1..<3), inH: testSizes[rng.int(0..<5)], inW: testSizes[rng.int(0..<5)],
                                 inC: groups * [1, 3, 17][rng.int(0..<3)], outC: groups * [1, 3, 17, 31][rng.int(0..<4)],
                                 kH: rng.int(1..<6), kW: rng.int(1..<6), strideH: rng.int(1..<4), strideW: rng.int(1..<4),
                                 dilationH: rng.int(1..<3), dilationW: rng.int(1..<3), groups: groups)
            p.padTop = rng.int(0..<4); p.padBottom = rng.int(0..<4); p.padLeft = rng.int(0..<4); p.padRight = rng.int(0..<4)
            if p.isValid { return p }
        }
    }

    @Test(arguments: fixed + (0..<16).map { random(UInt64($0)) })
    func matchesReference(p: Conv2DParams) {
        var rng = TestRNG(seed: UInt64(p.inH * 1000 + p.inW * 10 + p.inC))
        let x = Buf(random: p.batch * p.inH * p.inW * p.inC, &rng)
        let w = Buf(random: p.outC * p.kH * p.kW * p.groupInC, &rng)
        let bias = Buf(random: p.outC, &rng)
        let count = p.batch * p.outH * p.outW * p.outC
        let scale = Buf(count)
        let xa = x.absolute, wa = w.absolute, ba = bias.absolute
        Reference.conv2d(p, input: xa.ptr, weights: wa.ptr, bias: ba.ptr, activation: .none, output: scale.p)
        withExtendedLifetime((xa, wa, ba)) {}
        for act in [Activation.none, .relu6] {
            let fast = Buf(count, .nan), ref = Buf(count)
            let prepared = Conv2D.prepare(p, weights: w.ptr)
            Conv2D.run(p, prepared: prepared, input: x.ptr, bias: bias.ptr, activation: act, output: fast.p, pool: .shared)
            Reference.conv2d(p, input: x.ptr, weights: w.ptr, bias: bias.ptr, activation: act, output: ref.p)
            expectClose(fast, ref, Conv2D.tolerance(p), scale: scale, "\(p) \(act)")
        }
        let fast = Buf(count, .nan), ref = Buf(count)
        Conv2D.run(p, input: x.ptr, weights: w.ptr, bias: nil, activation: .none, output: fast.p, pool: .serial)
        Reference.conv2d(p, input: x.ptr, weights: w.ptr, bias: nil, activation: .none, output: ref.p)
        expectClose(fast, ref, Conv2D.tolerance(p), scale: scale, "\(p) no bias")
    }
}

@Suite struct DepthwiseConvTests {
    static let fixed: [DepthwiseConv2DParams] = [
        DepthwiseConv2DParams(batch: 1, inH: 64, inW: 64, inC: 24, kH: 3, kW: 3, padTop: 1, padLeft: 1, padBottom: 1, padRight: 1),
        DepthwiseConv2DParams(batch: 1, inH: 64, inW: 64, inC: 24, kH: 3, kW: 3, strideH: 2, strideW: 2, padBottom: 1, padRight: 1),
        DepthwiseConv2DParams(batch: 2, inH: 17, inW: 31, inC: 96, kH: 5, kW: 5, padTop: 2, padLeft: 2, padBottom: 2, padRight: 2),
        DepthwiseConv2DParams(batch: 1, inH: 31, inW: 17, inC: 17, kH: 5, kW: 5, strideH: 2, strideW: 2, padTop: 1, padLeft: 1, padBottom: 2, padRight: 2),
        DepthwiseConv2DParams(batch: 1, inH: 3, inW: 3, inC: 3, kH: 3, kW: 3, padTop: 3, padLeft: 3, padBottom: 3, padRight: 3),
        DepthwiseConv2DParams(batch: 1, inH: 17, inW: 17, inC: 3, multiplier: 3, kH: 3, kW: 3, padTop: 1, padLeft: 1, padBottom: 1, padRight: 1),
        DepthwiseConv2DParams(batch: 1, inH: 17, inW: 31, inC: 16, kH: 3, kW: 3, dilationH: 2, dilationW: 2, padTop: 2, padLeft: 2, padBottom: 2, padRight: 2),
        DepthwiseConv2DParams(batch: 1, inH: 1, inW: 1, inC: 64, kH: 1, kW: 1),
        DepthwiseConv2DParams(batch: 1, inH: 100, inW: 3, inC: 8, kH: 2, kW: 4, strideH: 3, strideW: 1, padLeft: 2),
    ]

    static func random(_ seed: UInt64) -> DepthwiseConv2DParams {
        var rng = TestRNG(seed: seed &+ 77)
        while true {
            var p = DepthwiseConv2DParams(batch: rng.int(1..<3), inH: testSizes[rng.int(0..<6)], inW: testSizes[rng.int(0..<5)],
                                          inC: [1, 3, 8, 17, 31, 64][rng.int(0..<6)], multiplier: [1, 1, 1, 2][rng.int(0..<4)],
                                          kH: [1, 3, 5][rng.int(0..<3)], kW: [1, 3, 5, 2][rng.int(0..<4)],
                                          strideH: rng.int(1..<3), strideW: rng.int(1..<3), dilationH: rng.int(1..<3), dilationW: rng.int(1..<3))
            p.padTop = rng.int(0..<4); p.padBottom = rng.int(0..<4); p.padLeft = rng.int(0..<4); p.padRight = rng.int(0..<4)
            if p.isValid { return p }
        }
    }

    @Test(arguments: fixed + (0..<16).map { random(UInt64($0)) })
    func matchesReference(p: DepthwiseConv2DParams) {
        var rng = TestRNG(seed: UInt64(p.inH * 1000 + p.inW * 10 + p.inC))
        let x = Buf(random: p.batch * p.inH * p.inW * p.inC, &rng)
        let w = Buf(random: p.kH * p.kW * p.outC, &rng)
        let bias = Buf(random: p.outC, &rng)
        let count = p.batch * p.outH * p.outW * p.outC
        let scale = Buf(count)
        let xa = x.absolute, wa = w.absolute, ba = bias.absolute
        Reference.depthwiseConv2d(p, input: xa.ptr, weights: wa.ptr, bias: ba.ptr, activation: .none, output: scale.p)
        withExtendedLifetime((xa, wa, ba)) {}
        for (act, b) in [(Activation.none, bias.ptr), (.relu, nil), (.relu6, bias.ptr)] {
            let fast = Buf(count, .nan), ref = Buf(count)
            DepthwiseConv2D.run(p, input: x.ptr, weights: w.ptr, bias: b, activation: act, output: fast.p, pool: .shared)
            Reference.depthwiseConv2d(p, input: x.ptr, weights: w.ptr, bias: b, activation: act, output: ref.p)
            expectClose(fast, ref, DepthwiseConv2D.tolerance(p), scale: scale, "\(p) \(act)")
        }
    }
}

@Suite struct TransposeConvTests {
    static let cases: [TransposeConv2DParams] = [
        TransposeConv2DParams(batch: 1, inH: 17, inW: 17, inC: 16, outH: 34, outW: 34, outC: 8, kH: 2, kW: 2, strideH: 2, strideW: 2),
        TransposeConv2DParams(batch: 2, inH: 3, inW: 31, inC: 3, outH: 6, outW: 62, outC: 17, kH: 4, kW: 4, strideH: 2, strideW: 2, padTop: 1, padLeft: 1),
        TransposeConv2DParams(batch: 1, inH: 17, inW: 3, inC: 31, outH: 17, outW: 3, outC: 3, kH: 3, kW: 3, padTop: 1, padLeft: 1),
        TransposeConv2DParams(batch: 1, inH: 1, inW: 1, inC: 64, outH: 3, outW: 3, outC: 1, kH: 3, kW: 3),
        TransposeConv2DParams(batch: 1, inH: 31, inW: 17, inC: 1, outH: 100, outW: 64, outC: 3, kH: 5, kW: 3, strideH: 3, strideW: 4, padTop: 2, padLeft: 0),
        TransposeConv2DParams(batch: 1, inH: 8, inW: 8, inC: 24, outH: 10, outW: 10, outC: 17, kH: 3, kW: 3, strideH: 1, strideW: 1, padTop: 3, padLeft: 0),
    ]

    @Test(arguments: cases)
    func matchesReference(p: TransposeConv2DParams) {
        var rng = TestRNG(seed: UInt64(p.inH * 1000 + p.inW * 10 + p.inC))
        let x = Buf(random: p.batch * p.inH * p.inW * p.inC, &rng)
        let w = Buf(random: p.outC * p.kH * p.kW * p.inC, &rng)
        let bias = Buf(random: p.outC, &rng)
        let count = p.batch * p.outH * p.outW * p.outC
        let scale = Buf(count)
        let xa = x.absolute, wa = w.absolute, ba = bias.absolute
        Reference.transposeConv2d(p, input: xa.ptr, weights: wa.ptr, bias: ba.ptr, output: scale.p)
        withExtendedLifetime((xa, wa, ba)) {}
        for b in [bias.ptr, nil] {
            let fast = Buf(count, .nan), ref = Buf(count)
            TransposeConv2D.run(p, input: x.ptr, weights: w.ptr, bias: b, output: fast.p, pool: .shared)
            Reference.transposeConv2d(p, input: x.ptr, weights: w.ptr, bias: b, output: ref.p)
            expectClose(fast, ref, TransposeConv2D.tolerance(p), scale: scale, "\(p)")
        }
    }
}

@Suite struct PoolTests {
    static let cases: [Pool2DParams] = [
        Pool2DParams(kind: .max, batch: 1, inH: 64, inW: 64, channels: 24, kH: 2, kW: 2, strideH: 2, strideW: 2),
        Pool2DParams(kind: .average, batch: 2, inH: 17, inW: 31, channels: 17, kH: 3, kW: 3, padTop: 1, padLeft: 1, padBottom: 1, padRight: 1),
        Pool2DParams(kind: .average, batch: 1, inH: 17, inW: 31, channels: 17, kH: 3, kW: 3, padTop: 1, padLeft: 1, padBottom: 1, padRight: 1, countIncludePad: true),
        Pool2DParams(kind: .max, batch: 1, inH: 31, inW: 3, channels: 3, kH: 3, kW: 2, strideH: 2, strideW: 1, padTop: 0, padLeft: 1, padBottom: 1, padRight: 0),
        Pool2DParams(kind: .average, batch: 1, inH: 100, inW: 100, channels: 1, kH: 100, kW: 100),
        Pool2DParams(kind: .average, batch: 1, inH: 3, inW: 3, channels: 64, kH: 5, kW: 5, strideH: 3, strideW: 3, padTop: 2, padLeft: 2, padBottom: 2, padRight: 2),
    ]

    @Test(arguments: cases)
    func matchesReference(p: Pool2DParams) {
        var rng = TestRNG(seed: 5)
        let x = Buf(random: p.batch * p.inH * p.inW * p.channels, &rng)
        let count = p.batch * p.outH * p.outW * p.channels
        let fast = Buf(count, .nan), ref = Buf(count)
        Pool2D.run(p, input: x.ptr, output: fast.p, pool: .shared)
        Reference.pool2d(p, input: x.ptr, output: ref.p)
        expectClose(fast, ref, Pool2D.tolerance(p), scale: Buf(count, 1), "\(p)")
    }
}
