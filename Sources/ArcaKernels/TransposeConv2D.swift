/// Transposed-convolution weights rearranged and packed for ``GEMM``:
/// `B[ic, (ky * kW + kx) * outC + oc] = W[oc, ky, kx, ic]`.
public final class PreparedTransposeConv2D: @unchecked Sendable {
    public let params: TransposeConv2DParams
    let packed: PackedB

    init(params: TransposeConv2DParams, packed: PackedB) {
        self.params = params
        self.packed = packed
    }
}

/// Transposed 2-D convolution, NHWC, weights `[outC, kH, kW, inC]`, plus bias.
///
/// Per tile of input rows: `cols[pixels, kH*kW*outC] = input[pixels, inC] · B` by GEMM
/// (threads split the GEMM), then a col2im scatter-add into the output, which
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
        return PreparedTransposeConv2D(params: p, packed: PackedB(b, k: p.inC, n: n, pool: pool))
    }

    public static func run(_ p: TransposeConv2DParams, input: UnsafePointer<Float>, weights: UnsafePointer<Float>,
                           bias: UnsafePointer<Float>?, output: UnsafeMutablePointer<Float>, pool: ThreadPool) {
        run(p, prepared: prepare(p, weights: weights, pool: pool), input: input, bias: bias, output: output, pool: pool)
    }

    public static func run(_ p: TransposeConv2DParams, prepared: PreparedTransposeConv2D, input: UnsafePointer<Float>,
                           bias: UnsafePointer<Float>?, output: UnsafeMutablePointer<Float>, pool: ThreadPool) {
        let oc = p.outC
        let n = p.kH * p.kW * oc
        let outPixels = p.batch * p.outH * p.outW
        if let bias {
            for i in 0..<outPixels { (output + i * oc).update(from: bias, count: oc) }
        } else {
            output.update(repeating: 0, count: outPixels * oc)
        }
        let rowsPerTile = max(1, min(p.inH, tileFloats / max(1, p.inW * n)))
        for img in 0..<p.batch {
            var iy0 = 0
            while iy0 < p.inH {
                let rows = min(rowsPerTile, p.inH - iy0)
                let m = rows * p.inW
                Scratch.withFloats(m * n) { cols in
                    let a = MatrixOperand(input + ((img * p.inH + iy0) * p.inW) * p.inC, rowStride: p.inC)
                    GEMM.sgemm(m: m, a: a, b: prepared.packed, c: cols, ldc: n, pool: pool)
                    scatter(p, cols: cols, image: img, firstRow: iy0, rows: rows, output: output)
                }
                iy0 += rows
            }
        }
    }

    static func scatter(_ p: TransposeConv2DParams, cols: UnsafePointer<Float>, image: Int, firstRow: Int, rows: Int,
                        output: UnsafeMutablePointer<Float>) {
        let oc = p.outC
        let n = p.kH * p.kW * oc
        let outImage = output + image * p.outH * p.outW * oc
        for r in 0..<rows {
            let iy = firstRow + r
            for ix in 0..<p.inW {
                let src = cols + (r * p.inW + ix) * n
                for ky in 0..<p.kH {
                    let oy = iy * p.strideH + ky - p.padTop
                    if oy < 0 || oy >= p.outH { continue }
                    for kx in 0..<p.kW {
                        let ox = ix * p.strideW + kx - p.padLeft
                        if ox < 0 || ox >= p.outW { continue }
                        let dst = outImage + (oy * p.outW + ox) * oc
                        let s = src + (ky * p.kW + kx) * oc
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
