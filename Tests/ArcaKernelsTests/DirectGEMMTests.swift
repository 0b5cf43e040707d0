import Testing
@testable import ArcaKernels

/// Pointwise convolutions over every column-block shape of ``DirectGEMM`` (AVX2 overlapping
/// 8-lane blocks; AVX-512 16-lane blocks with masked tails), row counts that leave partial
/// tiles, in-register and separate activations, and the fused residual.
@Suite struct DirectGEMMTests {
    static let widths = Array(8...20) + [24, 28, 31, 32, 33, 36, 42, 47, 48, 49, 56, 63, 64, 65, 72, 80, 88, 96, 100, 113, 127, 128]

    @Test(arguments: widths)
    func pointwiseMatchesReference(outC: Int) {
        var rng = TestRNG(seed: UInt64(outC))
        for (rows, inC) in [(1, 5), (7, 24), (13, 17), (50, 3), (97, 40)] {
            let p = Conv2DParams(batch: 1, inH: 1, inW: rows, inC: inC, outC: outC, kH: 1, kW: 1)
            #expect(Conv2D.directN.contains(outC))
            let x = Buf(random: rows * inC, &rng), w = Buf(random: outC * inC, &rng), bias = Buf(random: outC, &rng)
            let residual = Buf(random: rows * outC, &rng)
            let count = rows * outC
            let scale = Buf(count)
            let xa = x.absolute, wa = w.absolute, ba = bias.absolute
            Reference.conv2d(p, input: xa.ptr, weights: wa.ptr, bias: ba.ptr, activation: .none, output: scale.p)
            withExtendedLifetime((xa, wa, ba)) {}
            for i in 0..<count { scale.p[i] += Swift.abs(residual.p[i]) }
            let prepared = Conv2D.prepare(p, weights: w.ptr)
            for act in [Activation.none, .relu, .relu6, .hardSwish] {
                for withResidual in [false, true] {
                    let fast = Buf(count + 64, .nan), ref = Buf(count)
                    Conv2D.run(p, prepared: prepared, input: x.ptr, bias: bias.ptr, activation: act, output: fast.p,
                               residual: withResidual ? residual.ptr : nil, pool: .shared)
                    Reference.conv2d(p, input: x.ptr, weights: w.ptr, bias: bias.ptr, activation: .none, output: ref.p)
                    for i in 0..<count { ref.p[i] = act.apply(ref.p[i] + (withResidual ? residual.p[i] : 0)) }
                    expectClose(fast, ref, Conv2D.tolerance(p), scale: scale, "rows \(rows) inC \(inC) outC \(outC) \(act) residual \(withResidual)")
                    #expect((count..<(count + 64)).allSatisfy { fast.p[$0].isNaN }, "wrote past the output (outC \(outC), rows \(rows))")
                }
            }
        }
    }
}
