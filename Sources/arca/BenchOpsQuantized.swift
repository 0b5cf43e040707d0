import ArcaTensor
import ArcaKernels

/// uint8-activation kernels on the shapes of ``BenchOp/all``, to set beside their float twins.
extension BenchOp {
    static func bytes(_ count: Int, seed: UInt64) -> UnsafeMutablePointer<UInt8> {
        let p = UnsafeMutablePointer<UInt8>.allocate(capacity: count + 64)
        var rng = SplitMix64(seed: seed)
        for i in 0..<(count + 64) { p[i] = UInt8(truncatingIfNeeded: rng.next() >> 56) }
        return p
    }

    static func int8(_ count: Int, seed: UInt64) -> UnsafeMutablePointer<Int8> {
        UnsafeMutableRawPointer(bytes(count, seed: seed)).assumingMemoryBound(to: Int8.self)
    }

    static func qconv(_ name: String, h: Int, c: Int, outC: Int, k: Int, stride: Int) -> BenchOp {
        let (pt, pb) = Conv2DParams.samePadding(input: h, kernel: k, stride: stride, dilation: 1)
        let p = Conv2DParams(batch: 1, inH: h, inW: h, inC: c, outC: outC, kH: k, kW: k, strideH: stride, strideW: stride,
                             padTop: pt, padLeft: pt, padBottom: pb, padRight: pb)
        return BenchOp(name: name, flops: 2.0 * Double(p.outH * p.outW * outC * k * k * c)) { pool in
            let x = bytes(h * h * c, seed: 1), w = int8(outC * k * k * c, seed: 2)
            let s = data(outC, seed: 3), b = data(outC, seed: 4)
            let y = UnsafeMutableRawPointer.allocate(byteCount: p.outH * p.outW * outC + 64, alignment: 64)
            let packed = QuantizedConv2D.prepare(p, weights: w, scales: s, bias: b, inputScale: 0.02, inputZero: 128)
            let e = QuantizedEpilogue(activation: .relu, output: (0.05, 10))
            return { QuantizedConv2D.run(p, weights: packed, input: x, inputZero: 128, epilogue: e, output: y, pool: pool) }
        }
    }

    static func qdepthwise(_ name: String, h: Int, c: Int, k: Int, stride: Int) -> BenchOp {
        let (pt, pb) = Conv2DParams.samePadding(input: h, kernel: k, stride: stride, dilation: 1)
        let p = DepthwiseConv2DParams(batch: 1, inH: h, inW: h, inC: c, kH: k, kW: k, strideH: stride, strideW: stride,
                                      padTop: pt, padLeft: pt, padBottom: pb, padRight: pb)
        return BenchOp(name: name, flops: 2.0 * Double(p.outH * p.outW * c * k * k)) { pool in
            let x = bytes(h * h * c, seed: 1), w = int8(k * k * c, seed: 2)
            let s = data(c, seed: 3), b = data(c, seed: 4)
            let y = UnsafeMutableRawPointer.allocate(byteCount: p.outH * p.outW * c + 64, alignment: 64)
            let packed = QuantizedDepthwiseConv2D.prepare(p, weights: w, scales: s, bias: b, inputScale: 0.02, inputZero: 128)
            let e = QuantizedEpilogue(activation: .none, output: (0.05, 128))
            return { QuantizedDepthwiseConv2D.run(packed, input: x, epilogue: e, output: y, pool: pool) }
        }
    }

    static func qadd(_ name: String, count: Int) -> BenchOp {
        BenchOp(name: name, flops: Double(count)) { pool in
            let a = bytes(count, seed: 1), b = bytes(count, seed: 2)
            let y = UnsafeMutablePointer<UInt8>.allocate(capacity: count)
            return { QuantizedElementwise.add(a, b, count: count, a: (0.02, 100), b: (0.03, 120), output: (0.05, 0), activation: .relu, into: y, pool: pool) }
        }
    }

    static var quantized: [BenchOp] { [
        qconv("bf q conv5x5 s2 128x128 3->24", h: 128, c: 3, outC: 24, k: 5, stride: 2),
        qdepthwise("bf q dw3x3 s1 64x64x24", h: 64, c: 24, k: 3, stride: 1),
        qconv("bf q 1x1 64x64 24->24", h: 64, c: 24, outC: 24, k: 1, stride: 1),
        qconv("bf q 1x1 64x64 24->28", h: 64, c: 24, outC: 28, k: 1, stride: 1),
        qdepthwise("bf q dw3x3 s2 64->32 x28", h: 64, c: 28, k: 3, stride: 2),
        qconv("bf q 1x1 32x32 28->32", h: 32, c: 28, outC: 32, k: 1, stride: 1),
        qadd("bf q add 64x64x28", count: 64 * 64 * 28),
        qconv("selfie q conv3x3 s2 256x256 3->16", h: 256, c: 3, outC: 16, k: 3, stride: 2),
        qconv("selfie q 1x1 128x128 16->16", h: 128, c: 16, outC: 16, k: 1, stride: 1),
        qdepthwise("selfie q dw3x3 s1 128x128x16", h: 128, c: 16, k: 3, stride: 1),
        qdepthwise("full q dw3x3 s1 96x96x8", h: 96, c: 8, k: 3, stride: 1),
    ] }
}
