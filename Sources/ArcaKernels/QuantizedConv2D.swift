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
    /// K runs over the kernel rows, each `kW·inC` bytes padded to a multiple of 4 (the segment
    /// the implicit-GEMM path reads from the image), so patches and image rows share one layout.
    public static func prepare(_ p: Conv2DParams, weights: UnsafePointer<Int8>, scales: UnsafePointer<Float>,
                               bias: UnsafePointer<Float>?, inputScale: Float, inputZero: Int) -> QuantizedConvWeights {
        let k = p.kH * p.kW * p.inC
        let rowBytes = p.kW * p.inC, segment = segmentBytes(p)
        return QuantizedConvWeights(k: p.kH * segment, n: p.outC, weights: { kk, o in
            let ky = kk / segment, j = kk % segment
            return j < rowBytes ? weights[o * k + ky * rowBytes + j] : 0
        }, scales: scales, bias: bias, inputScale: inputScale, inputZero: inputZero)
    }

    /// One kernel row of a patch: `kW·inC` bytes rounded up to a multiple of 4.
    static func segmentBytes(_ p: Conv2DParams) -> Int { (p.kW * p.inC + 3) / 4 * 4 }

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
        let elementBytes = epilogue.output == nil ? 4 : 1
        let rowsPerTask = max(1, min(p.outH, 4096 / max(1, p.outW)))
        let tasksPerImage = (p.outH + rowsPerTask - 1) / rowsPerTask
        let shared = SendableBox((input, output, epilogue))
        pool.parallelFor(count: p.batch * tasksPerImage) { task in
            let (input, output, epilogue) = shared.value
            let n = task / tasksPerImage
            let oy0 = (task % tasksPerImage) * rowsPerTask
            for oy in oy0..<min(p.outH, oy0 + rowsPerTask) {
                outputRow(p, weights: weights, input: input, zero: inputZero, image: n, oy: oy, epilogue: epilogue, output: output,
                          elementBytes: elementBytes)
            }
        }
    }

    /// One output row: the columns whose patches lie inside the image (unit dilation across) read
    /// the image in place as implicit-GEMM tiles; the others are gathered (im2col) and tiled.
    static func outputRow(_ p: Conv2DParams, weights: QuantizedConvWeights, input: UnsafePointer<UInt8>, zero: Int, image n: Int, oy: Int,
                          epilogue: QuantizedEpilogue, output: UnsafeMutableRawPointer, elementBytes: Int) {
        let outW = p.outW, inC = p.inC, segment = segmentBytes(p)
        let rowStart = (n * p.outH + oy) * outW
        let iy0 = oy * p.strideH - p.padTop
        @inline(__always) func shifted(_ e: QuantizedEpilogue, _ pixel: Int) -> QuantizedEpilogue {
            var e = e
            if let r = e.residual { e.residual = (r.pointer + pixel * p.outC, r.scale, r.zeroPoint) }
            return e
        }
        var ox0 = 0, ox1 = 0
        if p.dilationW == 1 && iy0 >= 0 && iy0 + (p.kH - 1) * p.dilationH < p.inH {
            let totalBytes = p.batch * p.inH * p.inW * inC
            let lastRow = (n * p.inH + iy0 + (p.kH - 1) * p.dilationH) * p.inW * inC
            ox0 = min(outW, (p.padLeft + p.strideW - 1) / p.strideW)
            // The last column whose taps fit (ix + kW ≤ inW) and whose last segment read stays in the buffer.
            let fit = min(p.inW - p.kW, (totalBytes - lastRow - segment) / inC)
            ox1 = fit < -p.padLeft ? 0 : min(outW, (fit + p.padLeft) / p.strideW + 1)
            ox1 = max(ox0, ox1)
        }
        var covered = 0
        if ox1 > ox0 {
            let a = input + ((n * p.inH + iy0) * p.inW + ox0 * p.strideW - p.padLeft) * inC
            covered = QuantizedDirectGEMM.segmentedRows(count: ox1 - ox0, a: a, lda: p.strideW * inC, segments: p.kH,
                                                        segmentStride: p.dilationH * p.inW * inC, b: weights,
                                                        epilogue: shifted(epilogue, rowStart + ox0),
                                                        c: output + (rowStart + ox0) * p.outC * elementBytes, ldc: p.outC)
        }
        // Everything else in at most two gathered runs: [0, ox0) and [ox0 + covered, outW).
        for (start, end) in [(0, covered > 0 ? ox0 : 0), (covered > 0 ? ox0 + covered : 0, outW)] where end > start {
            let count = end - start
            let bytes = count * weights.kPadded + 16
            @inline(__always) func gathered(_ col: UnsafeMutablePointer<UInt8>) {
                im2col(p, input: input, zero: UInt8(truncatingIfNeeded: zero), image: n,
                       pixels: (oy * outW + start)..<(oy * outW + end), segment: segment, into: col)
                QuantizedDirectGEMM.rows(0..<count, rowLimit: count, a: col, lda: weights.kPadded, b: weights,
                                         epilogue: shifted(epilogue, rowStart + start),
                                         c: output + (rowStart + start) * p.outC * elementBytes, ldc: p.outC)
            }
            StackBuffer.withBytes(bytes) { gathered($0.assumingMemoryBound(to: UInt8.self)) }
        }
    }

    /// One patch of `kH` segments of `segment` bytes per output pixel in `pixels`: taps outside
    /// the image hold `zero`, each segment's bytes past `kW·inC` are 0. `col` needs 16 bytes of
    /// slack (short runs move 16 bytes at a time).
    static func im2col(_ p: Conv2DParams, input: UnsafePointer<UInt8>, zero: UInt8, image: Int, pixels: Range<Int>,
                       segment: Int, into col: UnsafeMutablePointer<UInt8>) {
        let outW = p.outW, inC = p.inC, inH = p.inH, inW = p.inW
        let kH = p.kH, kW = p.kW, sH = p.strideH, sW = p.strideW, dH = p.dilationH, dW = p.dilationW
        let rowBytes = kW * inC
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
            for ky in 0..<kH {
                let d = dst + ky * segment
                let iy = iyBase + ky * dH
                if iy < 0 || iy >= inH {
                    d.update(repeating: zero, count: rowBytes)
                } else if rowInside {
                    copy(img + (iy * inW + ixBase) * inC, d, rowBytes)
                } else {
                    for kx in 0..<kW {
                        let ix = ixBase + kx * dW
                        if ix < 0 || ix >= inW {
                            (d + kx * inC).update(repeating: zero, count: inC)
                        } else {
                            copy(img + (iy * inW + ix) * inC, d + kx * inC, inC)
                        }
                    }
                }
                for j in rowBytes..<segment { d[j] = 0 }
            }
            dst += kH * segment
        }
    }
}
