/// Transposed-convolution weights rearranged and packed for ``GEMM``, or for
/// ``DirectGEMM`` when `kH * kW * outC` is small: `B[ic, (ky * kW + kx) * outC + oc] = W[oc, ky, kx, ic]`.
public final class PreparedTransposeConv2D: @unchecked Sendable {
    public let params: TransposeConv2DParams
    let packed: PackedB?
    let direct: DirectB?

    init(params: TransposeConv2DParams, packed: PackedB?, direct: DirectB?) {
        self.params = params
        self.packed = packed
        self.direct = direct
    }
}

/// Transposed 2-D convolution, NHWC, weights `[outC, kH, kW, inC]`, plus bias.
///
/// Per tile of input rows: `cols[pixels, kH*kW*outC] = input[pixels, inC] · B` by GEMM or
/// DirectGEMM (threads split it), then a col2im scatter-add into the output, which
/// starts as the bias. Output pixels no tap reaches hold the bias.
///
/// Precondition: `params.isValid`; buffers sized for the shapes the params imply.
public enum TransposeConv2D {
    static let tileFloats = 256 * 1024

    /// Allowed difference from ``Reference/transposeConv2d(_:input:weights:bias:output:)``.
    public static func tolerance(_ p: TransposeConv2DParams) -> Tolerance {
        let taps = ((p.kH + p.strideH - 1) / p.strideH) * ((p.kW + p.strideW - 1) / p.strideW)
        return .dot(k: taps * p.inC + 1)
    }

    public static func prepare(_ p: TransposeConv2DParams, weights: UnsafePointer<Float>, pool: ThreadPool = .serial) -> PreparedTransposeConv2D {
        let taps = p.kH * p.kW
        let n = taps * p.outC
        let rearranged = UnsafeMutablePointer<Float>.allocate(capacity: n * p.inC)
        defer { rearranged.deallocate() }
        // rearranged[(t * outC + oc) * inC + ic] = W[oc, t, ic]
        for oc in 0..<p.outC {
            for t in 0..<taps {
                (rearranged + (t * p.outC + oc) * p.inC).update(from: weights + (oc * taps + t) * p.inC, count: p.inC)
            }
        }
        let b = MatrixOperand(UnsafePointer(rearranged), rowStride: 1, colStride: p.inC)
        if usesDirect(n: n) {
            return PreparedTransposeConv2D(params: p, packed: nil, direct: DirectB(b, k: p.inC, n: n))
        }
        return PreparedTransposeConv2D(params: p, packed: PackedB(b, k: p.inC, n: n, pool: pool), direct: nil)
    }

    /// Few columns (`kH * kW * outC`, e.g. MediaPipe's 2x2 to one channel) waste most of a
    /// GEMM panel; ``DirectGEMM`` takes them (AVX-512 for any count, AVX2 from 8).
    static func usesDirect(n: Int) -> Bool {
        n <= Conv2D.directN.upperBound && (CPU.avx512 || n >= Conv2D.directN.lowerBound)
    }

    public static func run(_ p: TransposeConv2DParams, input: UnsafePointer<Float>, weights: UnsafePointer<Float>,
                           bias: UnsafePointer<Float>?, output: UnsafeMutablePointer<Float>, pool: ThreadPool) {
        run(p, prepared: prepare(p, weights: weights, pool: pool), input: input, bias: bias, output: output, pool: pool)
    }

    public static func run(_ p: TransposeConv2DParams, prepared: PreparedTransposeConv2D, input: UnsafePointer<Float>,
                           bias: UnsafePointer<Float>?, output: UnsafeMutablePointer<Float>, pool: ThreadPool) {
        let oc = p.outC
        let n = p.kH * p.kW * oc
        fillBias(p, bias: bias, output: output)
        let rowsPerTile = max(1, min(p.inH, tileFloats / max(1, p.inW * n)))
        for img in 0..<p.batch {
            var iy0 = 0
            while iy0 < p.inH {
                let rows = min(rowsPerTile, p.inH - iy0)
                let m = rows * p.inW
                Scratch.withFloats(m * n) { cols in
                    let x = input + ((img * p.inH + iy0) * p.inW) * p.inC
                    if let direct = prepared.direct {
                        DirectGEMM.run(m: m, a: x, lda: p.inC, b: direct, bias: nil, activation: .none, c: cols, ldc: n, pool: pool)
                    } else if let packed = prepared.packed {
                        GEMM.sgemm(m: m, a: MatrixOperand(x, rowStride: p.inC), b: packed, c: cols, ldc: n, pool: pool)
                    }
                    scatter(p, cols: cols, image: img, firstRow: iy0, rows: rows, output: output)
                }
                iy0 += rows
            }
        }
    }

    /// Every output pixel starts as the bias (taps add to it).
    static func fillBias(_ p: TransposeConv2DParams, bias: UnsafePointer<Float>?, output: UnsafeMutablePointer<Float>) {
        let oc = p.outC
        let count = p.batch * p.outH * p.outW * oc
        guard let bias else {
            output.update(repeating: 0, count: count)
            return
        }
        if oc == 1 {
            output.update(repeating: bias[0], count: count)
            return
        }
        // One output row of biases, then row copies.
        let row = p.outW * oc
        for i in 0..<p.outW { (output + i * oc).update(from: bias, count: oc) }
        for r in 1..<(p.batch * p.outH) { (output + r * row).update(from: output, count: row) }
    }

    static func scatter(_ p: TransposeConv2DParams, cols: UnsafePointer<Float>, image: Int, firstRow: Int, rows: Int,
                        output: UnsafeMutablePointer<Float>) {
        let oc = p.outC, kW = p.kW, sW = p.strideW, padLeft = p.padLeft, inW = p.inW, outW = p.outW
        let n = p.kH * kW * oc
        let outImage = output + image * p.outH * outW * oc
        for r in 0..<rows {
            let iy = firstRow + r
            for ky in 0..<p.kH {
                let oy = iy * p.strideH + ky - p.padTop
                if oy < 0 || oy >= p.outH { continue }
                let dstRow = outImage + oy * outW * oc
                let srcRow = cols + r * inW * n + ky * kW * oc
                if oc == 1 {
                    for ix in 0..<inW {
                        let s = srcRow + ix * n
                        let base = ix * sW - padLeft
                        if base >= 0 && base + kW <= outW {
                            for kx in 0..<kW { dstRow[base + kx] += s[kx] }
                        } else {
                            for kx in 0..<kW where base + kx >= 0 && base + kx < outW { dstRow[base + kx] += s[kx] }
                        }
                    }
                    continue
                }
                for ix in 0..<inW {
                    let src = srcRow + ix * n
                    for kx in 0..<kW {
                        let ox = ix * sW + kx - padLeft
                        if ox < 0 || ox >= outW { continue }
                        let dst = dstRow + ox * oc
                        let s = src + kx * oc
                        var c = 0
                        while c + 8 <= oc {
                            let d = UnsafeMutableRawPointer(dst + c)
                            d.storeBytes(of: d.loadUnaligned(as: SIMD8<Float>.self) + UnsafeRawPointer(s + c).loadUnaligned(as: SIMD8<Float>.self), as: SIMD8<Float>.self)
                            c += 8
                        }
                        while c < oc { dst[c] += s[c]; c += 1 }
                    }
                }
            }
        }
    }
}
