/// A statically quantized 2-D convolution, NHWC: uint8 activations (one scale and zero point),
/// int8 OHWI weights with one scale per output channel, float bias, exact int32 sums.
///
/// A 1x1, stride-1, unpadded convolution reads its input rows in place; every other one packs
/// L1-sized chunks of patches (im2col, padding taps set to the input's zero point, rows padded
/// to a multiple of 4 bytes) and runs ``QuantizedDirectGEMM`` on each (tasks: image x chunk).
/// Groups are not supported (the quantization pass keeps grouped convolutions in float).
///
/// Preconditions: `params.isValid`, `params.groups == 1`, `kH·kW·inC ≤ maxK`, buffers sized
/// for the shapes the params imply; the residual (if any) has the output's shape.
public enum QuantizedConv2D {
    /// int32 sums of up to this many uint8 x int8 products cannot overflow (255·128·K < 2^31).
    public static let maxK = 1 << 16

    /// Packs OHWI int8 weights with their scales, bias and the input's quantization (plan time).
    public static func prepare(_ p: Conv2DParams, weights: UnsafePointer<Int8>, scales: UnsafePointer<Float>,
                               bias: UnsafePointer<Float>?, inputScale: Float, inputZero: Int) -> QuantizedConvWeights {
        let k = p.kH * p.kW * p.inC
        return QuantizedConvWeights(k: k, n: p.outC, weights: { kk, o in weights[o * k + kk] }, scales: scales, bias: bias,
                                    inputScale: inputScale, inputZero: inputZero)
    }

    /// Runs the convolution; `output` is uint8 or float32 by `epilogue.output`.
    public static func run(_ p: Conv2DParams, weights: QuantizedConvWeights, input: UnsafePointer<UInt8>, inputZero: Int,
                           epilogue: QuantizedEpilogue, output: UnsafeMutableRawPointer, pool: ThreadPool) {
        let pointwise = p.kH == 1 && p.kW == 1 && p.strideH == 1 && p.strideW == 1 &&
            p.padTop == 0 && p.padLeft == 0 && p.padBottom == 0 && p.padRight == 0
        if pointwise {
            QuantizedDirectGEMM.run(m: p.batch * p.inH * p.inW, a: input, lda: p.inC, b: weights, epilogue: epilogue,
                                    c: output, ldc: p.outC, pool: pool)
            return
        }
        let pixels = p.outH * p.outW
        let kp = weights.kPadded
        // A multiple of every tile height (12, 8, 6, 4), about 16 KiB of patches.
        let chunk = max(24, min(480, 16384 / max(1, kp) / 24 * 24))
        let chunks = (pixels + chunk - 1) / chunk
        let shared = SendableBox((input, output, epilogue))
        pool.parallelFor(count: p.batch * chunks) { task in
            let (input, output, epilogue) = shared.value
            let n = task / chunks
            let p0 = (task % chunks) * chunk, p1 = min(pixels, p0 + chunk)
            Scratch.withFloats(((p1 - p0) * kp + 3) / 4 + 4) { raw in
                let col = UnsafeMutableRawPointer(raw).assumingMemoryBound(to: UInt8.self)
                im2col(p, input: input, zero: UInt8(truncatingIfNeeded: inputZero), image: n, pixels: p0..<p1, rowBytes: kp, into: col)
                let offset = (n * pixels + p0) * p.outC
                var e = epilogue
                if let r = e.residual { e.residual = (r.pointer + offset, r.scale, r.zeroPoint) }
                let elementBytes = epilogue.output == nil ? 4 : 1
                QuantizedDirectGEMM.rows(0..<(p1 - p0), rowLimit: p1 - p0, a: col, lda: kp, b: weights, epilogue: e,
                                         c: output + offset * elementBytes, ldc: p.outC)
            }
        }
    }

    /// One patch row of `rowBytes` bytes per output pixel in `pixels`: taps outside the image
    /// hold `zero`, bytes past `kH·kW·inC` are 0. `col` needs 16 bytes of slack (short runs
    /// move 16 bytes at a time).
    static func im2col(_ p: Conv2DParams, input: UnsafePointer<UInt8>, zero: UInt8, image: Int, pixels: Range<Int>,
                       rowBytes: Int, into col: UnsafeMutablePointer<UInt8>) {
        let outW = p.outW, inC = p.inC, inH = p.inH, inW = p.inW
        let kH = p.kH, kW = p.kW, sH = p.strideH, sW = p.strideW, dH = p.dilationH, dW = p.dilationW
        let k = kH * kW * inC
        let img = input + image * inH * inW * inC
        let readLimit = img + inH * inW * inC - 16
        @inline(__always) func copy(_ src: UnsafePointer<UInt8>, _ dst: UnsafeMutablePointer<UInt8>, _ n: Int) {
            if n <= 16 && src <= readLimit {
                UnsafeMutableRawPointer(dst).storeBytes(of: UnsafeRawPointer(src).loadUnaligned(as: SIMD16<UInt8>.self), as: SIMD16<UInt8>.self)
            } else {
                dst.update(from: src, count: n)
            }
        }
        var oy = pixels.lowerBound / outW, ox = pixels.lowerBound % outW
        var dst = col
        for _ in pixels {
            let iyBase = oy * sH - p.padTop, ixBase = ox * sW - p.padLeft
            ox += 1
            if ox == outW { ox = 0; oy += 1 }
            let rowInside = dW == 1 && ixBase >= 0 && ixBase + kW <= inW
            var d = dst
            for ky in 0..<kH {
                let iy = iyBase + ky * dH
                if iy < 0 || iy >= inH {
                    d.update(repeating: zero, count: kW * inC)
                    d += kW * inC
                    continue
                }
                let row = img + iy * inW * inC
                if rowInside {
                    copy(row + ixBase * inC, d, kW * inC)
                    d += kW * inC
                    continue
                }
                for kx in 0..<kW {
                    let ix = ixBase + kx * dW
                    if ix < 0 || ix >= inW {
                        d.update(repeating: zero, count: inC)
                    } else {
                        copy(row + ix * inC, d, inC)
                    }
                    d += inC
                }
            }
            for i in k..<rowBytes { dst[i] = 0 }
            dst += rowBytes
        }
    }
}
