import Testing
@testable import ArcaKernels

/// The uint8-activation kernels against their scalar definitions. Integer sums are exact and
/// both sides apply the epilogue in the same order, so outputs agree except where a float
/// activation (hard swish's `· (1/6)` against `/ 6`) lands a value on the other side of a
/// rounding boundary: at most one step, rarely.
@Suite struct StaticQuantizedTests {
    struct Case: Sendable, CustomStringConvertible {
        var p: Conv2DParams
        var activation: Activation
        var floatOutput: Bool
        var residual: Bool
        var description: String { "\(p) \(activation) float=\(floatOutput) residual=\(residual)" }
    }

    static let convCases: [Case] = {
        var cases: [Case] = []
        let geometries = [
            Conv2DParams(batch: 1, inH: 5, inW: 7, inC: 24, outC: 28, kH: 1, kW: 1),
            Conv2DParams(batch: 2, inH: 3, inW: 9, inC: 17, outC: 100, kH: 1, kW: 1),
            Conv2DParams(batch: 1, inH: 16, inW: 16, inC: 42, outC: 48, kH: 1, kW: 1),
            Conv2DParams(batch: 1, inH: 2, inW: 3, inC: 3, outC: 5, kH: 1, kW: 1),
            Conv2DParams(batch: 1, inH: 31, inW: 31, inC: 3, outC: 24, kH: 5, kW: 5, strideH: 2, strideW: 2,
                         padTop: 1, padLeft: 1, padBottom: 2, padRight: 2),
            Conv2DParams(batch: 1, inH: 17, inW: 13, inC: 3, outC: 16, kH: 3, kW: 3, strideH: 2, strideW: 2,
                         padTop: 0, padLeft: 0, padBottom: 1, padRight: 1),
            Conv2DParams(batch: 2, inH: 9, inW: 11, inC: 8, outC: 64, kH: 3, kW: 3, padTop: 1, padLeft: 1, padBottom: 1, padRight: 1),
            Conv2DParams(batch: 1, inH: 9, inW: 8, inC: 32, outC: 130, kH: 1, kW: 1, strideH: 2, strideW: 2),
            Conv2DParams(batch: 1, inH: 7, inW: 7, inC: 6, outC: 33, kH: 3, kW: 2, dilationH: 2, dilationW: 3,
                         padTop: 2, padLeft: 1, padBottom: 0, padRight: 3),
        ]
        for (i, g) in geometries.enumerated() {
            let acts: [Activation] = [.none, .relu6, .hardSwish, .relu]
            cases.append(Case(p: g, activation: acts[i % 4], floatOutput: i % 3 == 2, residual: i % 2 == 0))
            cases.append(Case(p: g, activation: .relu, floatOutput: false, residual: false))
        }
        return cases
    }()

    static func bytes(_ n: Int, _ rng: inout TestRNG) -> [UInt8] { (0..<n).map { _ in UInt8(rng.int(0..<256)) } }
    static func weights(_ n: Int, _ rng: inout TestRNG) -> [Int8] { (0..<n).map { _ in Int8(rng.int(-128..<128)) } }

    @Test(arguments: convCases)
    func convMatchesReference(c: Case) {
        let p = c.p
        var rng = TestRNG(seed: UInt64(p.inC * 131 + p.outC * 7 + p.kH))
        let x = Self.bytes(p.batch * p.inH * p.inW * p.inC + 3, &rng)
        let w = Self.weights(p.outC * p.kH * p.kW * p.inC, &rng)
        let scales = (0..<p.outC).map { _ in 0.002 + 0.01 * abs(rng.float()) }
        let bias = (0..<p.outC).map { _ in rng.float() }
        let count = p.batch * p.outH * p.outW * p.outC
        let residual = Self.bytes(count, &rng)
        let (sx, zx) = (Float(0.02), 131)
        // Sums reach ~sqrt(K)·128·100·0.02·0.007: the output scale keeps most values in range.
        let outScale = Float(0.004) * Float(p.kH * p.kW * p.inC).squareRoot()
        residual.withUnsafeBufferPointer { rp in
            let epilogue = QuantizedEpilogue(activation: c.activation, output: c.floatOutput ? nil : (outScale, 97),
                                             residual: c.residual ? (rp.baseAddress!, 0.03, 120) : nil)
            let elementBytes = c.floatOutput ? 4 : 1
            var fast = [UInt8](repeating: 0xEE, count: count * elementBytes + 64)
            var ref = [UInt8](repeating: 0, count: count * elementBytes)
            x.withUnsafeBufferPointer { xp in
                w.withUnsafeBufferPointer { wp in
                    scales.withUnsafeBufferPointer { sp in
                        bias.withUnsafeBufferPointer { bp in
                            let packed = QuantizedConv2D.prepare(p, weights: wp.baseAddress!, scales: sp.baseAddress!, bias: bp.baseAddress,
                                                                 inputScale: sx, inputZero: zx)
                            fast.withUnsafeMutableBytes {
                                QuantizedConv2D.run(p, weights: packed, input: xp.baseAddress!, inputZero: zx, epilogue: epilogue,
                                                    output: $0.baseAddress!, pool: .shared)
                            }
                            ref.withUnsafeMutableBytes {
                                Reference.quantizedConv2d(p, input: xp.baseAddress!, inputScale: sx, inputZero: zx, weights: wp.baseAddress!,
                                                          scales: sp.baseAddress!, bias: bp.baseAddress, epilogue: epilogue, output: $0.baseAddress!)
                            }
                        }
                    }
                }
            }
            #expect(fast[(count * elementBytes)...].allSatisfy { $0 == 0xEE }, "wrote past the output: \(c)")
            Self.expectAgree(fast, ref, count: count, float: c.floatOutput, "\(c)")
        }
    }

    static func expectAgree(_ fast: [UInt8], _ ref: [UInt8], count: Int, float: Bool, _ label: String,
                            sourceLocation: SourceLocation = #_sourceLocation) {
        if float {
            let f = fast.withUnsafeBytes { Array($0.bindMemory(to: Float.self).prefix(count)) }
            let r = ref.withUnsafeBytes { Array($0.bindMemory(to: Float.self).prefix(count)) }
            var worst: Float = 0
            for i in 0..<count { worst = max(worst, abs(f[i] - r[i]) / max(1, abs(r[i]))) }
            #expect(worst <= 1e-5, "\(label): worst relative difference \(worst)", sourceLocation: sourceLocation)
        } else {
            var off = 0, far = 0
            for i in 0..<count where fast[i] != ref[i] {
                off += 1
                if abs(Int(fast[i]) - Int(ref[i])) > 1 { far += 1 }
            }
            #expect(far == 0 && off * 1000 <= count, "\(label): \(off) of \(count) differ, \(far) by more than one step",
                    sourceLocation: sourceLocation)
            let distinct = Set(ref.prefix(count)).count
            #expect(distinct > min(count / 4, 16), "\(label): only \(distinct) distinct outputs (saturated test?)", sourceLocation: sourceLocation)
        }
    }

    static let depthwiseCases: [DepthwiseConv2DParams] = [
        DepthwiseConv2DParams(batch: 1, inH: 16, inW: 16, inC: 24, kH: 3, kW: 3, padTop: 1, padLeft: 1, padBottom: 1, padRight: 1),
        DepthwiseConv2DParams(batch: 1, inH: 17, inW: 15, inC: 28, kH: 3, kW: 3, strideH: 2, strideW: 2, padBottom: 1, padRight: 1),
        DepthwiseConv2DParams(batch: 2, inH: 9, inW: 11, inC: 96, kH: 5, kW: 5, padTop: 2, padLeft: 2, padBottom: 2, padRight: 2),
        DepthwiseConv2DParams(batch: 1, inH: 8, inW: 8, inC: 16, kH: 5, kW: 5, strideH: 2, strideW: 2, padTop: 1, padLeft: 1, padBottom: 2, padRight: 2),
        DepthwiseConv2DParams(batch: 1, inH: 6, inW: 5, inC: 5, kH: 3, kW: 3, padTop: 1, padLeft: 1, padBottom: 1, padRight: 1),
        DepthwiseConv2DParams(batch: 1, inH: 3, inW: 3, inC: 40, kH: 3, kW: 3, padTop: 3, padLeft: 3, padBottom: 3, padRight: 3),
        DepthwiseConv2DParams(batch: 1, inH: 12, inW: 13, inC: 33, kH: 3, kW: 3, dilationH: 2, dilationW: 2, padTop: 2, padLeft: 2, padBottom: 2, padRight: 2),
        // Wide rows: interior blocks of four columns and single ones (the float row kernel's), at both strides.
        DepthwiseConv2DParams(batch: 1, inH: 7, inW: 37, inC: 20, kH: 3, kW: 3, padTop: 1, padLeft: 1, padBottom: 1, padRight: 1),
        DepthwiseConv2DParams(batch: 1, inH: 11, inW: 39, inC: 32, kH: 5, kW: 5, strideH: 2, strideW: 2, padTop: 1, padLeft: 2, padBottom: 2, padRight: 1),
        DepthwiseConv2DParams(batch: 1, inH: 9, inW: 30, inC: 17, kH: 5, kW: 5, padTop: 2, padLeft: 2, padBottom: 2, padRight: 2),
        // The dot-product form's edges: the flat stride-1 rows with one channel pattern (8
        // channels) and with 33 (past its limit, channel blocks instead), two column groups with taps past kW, a dilation whose
        // rows share ring slots modulo kH, a stride past the kernel (rows never read), 64+ channels.
        DepthwiseConv2DParams(batch: 1, inH: 12, inW: 13, inC: 8, kH: 3, kW: 3, padTop: 1, padLeft: 1, padBottom: 1, padRight: 1),
        DepthwiseConv2DParams(batch: 1, inH: 6, inW: 9, inC: 33, kH: 3, kW: 3, padTop: 1, padLeft: 1, padBottom: 1, padRight: 1),
        DepthwiseConv2DParams(batch: 1, inH: 10, inW: 12, inC: 19, kH: 7, kW: 7, padTop: 3, padLeft: 3, padBottom: 3, padRight: 3),
        DepthwiseConv2DParams(batch: 1, inH: 14, inW: 14, inC: 24, kH: 3, kW: 3, dilationH: 3, dilationW: 3, padTop: 3, padLeft: 3, padBottom: 3, padRight: 3),
        DepthwiseConv2DParams(batch: 2, inH: 9, inW: 9, inC: 70, kH: 1, kW: 1, strideH: 3, strideW: 3),
        DepthwiseConv2DParams(batch: 1, inH: 5, inW: 21, inC: 80, kH: 3, kW: 5, strideH: 1, strideW: 2, padTop: 1, padLeft: 2, padBottom: 1, padRight: 2),
    ]

    /// Both forms on every machine: the dot-product one (`vpdpbusd`, emulated without VNNI) and
    /// the widened one; `run` takes one of them by the CPU.
    enum DepthwisePath: String, CaseIterable, Sendable { case run, dot, widened }

    @Test(arguments: depthwiseCases, DepthwisePath.allCases)
    func depthwiseMatchesReference(p: DepthwiseConv2DParams, path: DepthwisePath) {
        var rng = TestRNG(seed: UInt64(p.inC * 17 + p.kH + p.inH))
        let x = Self.bytes(p.batch * p.inH * p.inW * p.inC, &rng)
        let w = Self.weights(p.kH * p.kW * p.outC, &rng)
        let scales = (0..<p.outC).map { _ in 0.002 + 0.01 * abs(rng.float()) }
        let bias = (0..<p.outC).map { _ in rng.float() }
        let count = p.batch * p.outH * p.outW * p.outC
        for (act, float) in [(Activation.relu6, false), (.none, true), (.hardSwish, false), (.hardSwish, true), (.relu, false)] {
            let epilogue = QuantizedEpilogue(activation: act, output: float ? nil : (Float(0.01) * Float(p.kH * p.kW).squareRoot(), 60))
            let eb = float ? 4 : 1
            var fast = [UInt8](repeating: 0xEE, count: count * eb + 64), ref = [UInt8](repeating: 0, count: count * eb)
            x.withUnsafeBufferPointer { xp in
                w.withUnsafeBufferPointer { wp in
                    scales.withUnsafeBufferPointer { sp in
                        bias.withUnsafeBufferPointer { bp in
                            let packed = QuantizedDepthwiseConv2D.prepare(p, weights: wp.baseAddress!, scales: sp.baseAddress!, bias: bp.baseAddress,
                                                                          inputScale: 0.02, inputZero: 77)
                            fast.withUnsafeMutableBytes {
                                switch path {
                                case .run: QuantizedDepthwiseConv2D.run(packed, input: xp.baseAddress!, epilogue: epilogue, output: $0.baseAddress!, pool: .shared)
                                case .dot: QuantizedDepthwiseConv2D.runDot(packed, input: xp.baseAddress!, epilogue: epilogue, output: $0.baseAddress!, pool: .shared)
                                case .widened: QuantizedDepthwiseConv2D.runWidened(packed, input: xp.baseAddress!, epilogue: epilogue, output: $0.baseAddress!, pool: .shared)
                                }
                            }
                            ref.withUnsafeMutableBytes {
                                Reference.quantizedDepthwiseConv2d(p, input: xp.baseAddress!, inputScale: 0.02, inputZero: 77, weights: wp.baseAddress!,
                                                                   scales: sp.baseAddress!, bias: bp.baseAddress, epilogue: epilogue, output: $0.baseAddress!)
                            }
                        }
                    }
                }
            }
            #expect(fast[(count * eb)...].allSatisfy { $0 == 0xEE }, "\(path) wrote past the output: \(p)")
            Self.expectAgree(fast, ref, count: count, float: float, "\(path) \(p) \(act)")
        }
    }

    @Test func quantizeDequantizeAndAddMatchTheirDefinitions() {
        var rng = TestRNG(seed: 5)
        let n = 16 * 1000 + 7
        var x = (0..<n).map { _ in rng.float() * 3 }
        x[3] = .nan; x[20] = .infinity; x[21] = -.infinity; x[n - 1] = .nan
        var q = [UInt8](repeating: 0, count: n)
        QuantizedElementwise.quantize(x, count: n, scale: 0.02, zeroPoint: 100, output: &q, pool: .shared)
        #expect(q.indices.allSatisfy { q[$0] == QuantizedEpilogue.quantize(x[$0], 0.02, 100) })
        #expect(q[3] == 100 && q[20] == 255 && q[21] == 0 && q[n - 1] == 100)
        var back = [Float](repeating: 0, count: n)
        QuantizedElementwise.dequantize(q, count: n, scale: 0.02, zeroPoint: 100, output: &back, pool: .shared)
        #expect(q.indices.allSatisfy { back[$0] == 0.02 * Float(Int(q[$0]) - 100) })
        let b = Self.bytes(n, &rng)
        var y = [UInt8](repeating: 0, count: n)
        // Scale ratios that are not simple fractions (those put exact ties everywhere).
        QuantizedElementwise.add(q, b, count: n, a: (0.02, 100), b: (0.0517, 30), output: (0.0611, 50), activation: .relu, into: &y, pool: .shared)
        var off = 0
        for i in 0..<n {
            let r = QuantizedEpilogue.quantize(Activation.relu.apply(0.02 * Float(Int(q[i]) - 100) + 0.0517 * Float(Int(b[i]) - 30)), 0.0611, 50)
            if r != y[i] { off += 1; #expect(abs(Int(r) - Int(y[i])) <= 1) }
        }
        #expect(off * 1000 <= n, "\(off) sums differ")
    }

    /// The float-output add equals dequantizing both terms and adding in float, to the bit,
    /// for clamp activations; through the vector sigmoid within a few ulps.
    @Test func addToFloatEqualsDequantizeThenAdd() {
        var rng = TestRNG(seed: 23)
        for n in [1, 15, 16, 17, 1000, 4099] {
            let a = Self.bytes(n, &rng), b = Self.bytes(n, &rng)
            var fa = [Float](repeating: 0, count: n), fb = [Float](repeating: 0, count: n)
            QuantizedElementwise.dequantize(a, count: n, scale: 0.0231, zeroPoint: 127, output: &fa, pool: .shared)
            QuantizedElementwise.dequantize(b, count: n, scale: 0.3513, zeroPoint: 3, output: &fb, pool: .shared)
            for act in [Activation.none, .relu, .relu6, .sigmoid] {
                var y = [Float](repeating: .nan, count: n)
                QuantizedElementwise.addToFloat(a, b, count: n, a: (0.0231, 127), b: (0.3513, 3), activation: act, into: &y, pool: .shared)
                let off = (0..<n).filter { i in
                    let want = act.apply(fa[i] + fb[i])
                    return act == .sigmoid ? !(abs(y[i] - want) <= 1e-6) : y[i] != want
                }
                #expect(off.isEmpty, "\(act) n \(n): \(off.count) elements differ, first at \(off.first ?? -1)")
            }
        }
    }

    /// uint8 max pooling and padding equal their float forms on the same byte values.
    @Test func bytePoolAndPadMatchTheFloatKernels() {
        var rng = TestRNG(seed: 21)
        for (h, w, c, k, s) in [(16, 16, 28, 2, 2), (9, 7, 40, 3, 2), (5, 6, 3, 2, 1)] {
            let (pt, pb) = Conv2DParams.samePadding(input: h, kernel: k, stride: s, dilation: 1)
            let p = Pool2DParams(kind: .max, batch: 1, inH: h, inW: w, channels: c, kH: k, kW: k, strideH: s, strideW: s,
                                 padTop: pt, padLeft: pt, padBottom: pb, padRight: pb)
            let x = Self.bytes(h * w * c, &rng)
            let count = p.outH * p.outW * c
            var fast = [UInt8](repeating: 0, count: count)
            Pool2D.maxBytes(p, input: x, output: &fast, pool: .shared)
            let xf = x.map(Float.init)
            var ref = [Float](repeating: 0, count: count)
            Reference.pool2d(p, input: xf, activation: .none, output: &ref)
            #expect(fast.map(Float.init) == ref, "max pool \(h)x\(w)x\(c) k\(k) s\(s)")
        }
        for (shape, before, after) in [([1, 8, 8, 24], [0, 0, 0, 0], [0, 0, 0, 4]), ([1, 4, 6, 40], [0, 0, 0, 3], [0, 0, 0, 21]), ([1, 5, 7, 3], [0, 1, 2, 0], [0, 2, 1, 5]), ([2, 3, 70], [0, 0, 0], [0, 1, 9])] {
            let pp = PadParams(shape: shape, before: before, after: after, value: 77)
            let x = Self.bytes(shape.reduce(1, *), &rng)
            let n = pp.outShape.reduce(1, *)
            var fast = [UInt8](repeating: 0, count: n)
            Pad.run(pp, value: 77, input: x, output: &fast, pool: .shared)
            var ref = [Float](repeating: 0, count: n)
            Reference.pad(pp, input: x.map(Float.init), output: &ref)
            #expect(fast.map(Float.init) == ref, "pad \(shape) \(before) \(after)")
        }
    }
}
