import CArcaCPU

/// Convolution weights packed once: per group, `W_g^T` as `[kH * kW * groupInC, groupOutC]`,
/// for ``GEMM`` (a ``PackedB``) or, for few output channels, for ``DirectGEMM``.
public final class PreparedConv2D: @unchecked Sendable {
    public let params: Conv2DParams
    let groupWeights: [PackedB]
    let direct: [DirectB]

    init(params: Conv2DParams, groupWeights: [PackedB], direct: [DirectB]) {
        self.params = params
        self.groupWeights = groupWeights
        self.direct = direct
    }
}

/// 2-D convolution, NHWC activations and OHWI weights (`[outC, kH, kW, inC / groups]`).
///
/// A 1x1, stride-1, unpadded, ungrouped convolution is one GEMM
/// `input[N*H*W, C] · W^T`. Everything else goes through im2col on tiles of
/// output rows (a scratch buffer of at most ``tileFloats`` floats per task)
/// and a GEMM per tile and group; tasks are (image, row tile) pairs. Bias and
/// activation are fused into the GEMM epilogue.
///
/// Precondition for every entry point: `params.isValid`, buffers sized for
/// the shapes the params imply. The runtime validates; kernels do not.
public enum Conv2D {
    /// Target im2col tile size in floats (per task).
    static let tileFloats = 96 * 1024
    /// Output channels per group for which ``DirectGEMM`` (no packing of A, fused epilogue) beats ``GEMM``.
    static let directN = 8...128

    /// Allowed difference from ``Reference/conv2d(_:input:weights:bias:activation:output:)``.
    /// Compare with `scale` = `Σ|x·w|` of the output element, or the output magnitude.
    public static func tolerance(_ p: Conv2DParams) -> Tolerance {
        .dot(k: p.kH * p.kW * p.groupInC + 1)
    }

    /// Packs the weights once (plan time).
    public static func prepare(_ p: Conv2DParams, weights: UnsafePointer<Float>, pool: ThreadPool = .serial) -> PreparedConv2D {
        let k = p.kH * p.kW * p.groupInC
        let gOut = p.groupOutC
        var packs: [PackedB] = [], direct: [DirectB] = []
        for g in 0..<p.groups {
            // B[kk, n] = W[g * gOut + n, kk]
            let b = MatrixOperand(weights + g * gOut * k, rowStride: 1, colStride: k)
            if directN.contains(gOut) {
                direct.append(DirectB(b, k: k, n: gOut))
            } else {
                packs.append(PackedB(b, k: k, n: gOut, pool: pool))
            }
        }
        return PreparedConv2D(params: p, groupWeights: packs, direct: direct)
    }

    /// Convolution with weights packed on the fly; prefer ``prepare(_:weights:pool:)`` for repeated calls.
    public static func run(_ p: Conv2DParams, input: UnsafePointer<Float>, weights: UnsafePointer<Float>,
                           bias: UnsafePointer<Float>?, activation: Activation,
                           output: UnsafeMutablePointer<Float>, residual: UnsafePointer<Float>? = nil, pool: ThreadPool) {
        let prepared = prepare(p, weights: weights, pool: pool)
        run(p, prepared: prepared, input: input, bias: bias, activation: activation, output: output, residual: residual, pool: pool)
    }

    /// Convolution with prepared weights. `prepared` must come from the same params.
    /// `residual` (the output's shape) is added before the activation.
    public static func run(_ p: Conv2DParams, prepared: PreparedConv2D, input: UnsafePointer<Float>,
                           bias: UnsafePointer<Float>?, activation: Activation,
                           output: UnsafeMutablePointer<Float>, residual: UnsafePointer<Float>? = nil, pool: ThreadPool) {
        let isPointwise = p.kH == 1 && p.kW == 1 && p.strideH == 1 && p.strideW == 1 &&
            p.padTop == 0 && p.padLeft == 0 && p.padBottom == 0 && p.padRight == 0 && p.groups == 1
        if isPointwise {
            let m = p.batch * p.inH * p.inW
            if let d = prepared.direct.first {
                DirectGEMM.run(m: m, a: input, lda: p.inC, b: d, bias: bias, activation: activation, c: output, ldc: p.outC,
                               residual: residual, pool: pool)
                return
            }
            GEMM.sgemm(m: m, a: MatrixOperand(input, rowStride: p.inC), b: prepared.groupWeights[0],
                       c: output, ldc: p.outC,
                       epilogue: GEMMEpilogue(bias: bias, activation: activation, residual: residual, residualStride: p.outC), pool: pool)
            return
        }
        let outH = p.outH, outW = p.outW
        let k = p.kH * p.kW * p.groupInC
        if !prepared.direct.isEmpty {
            directPatches(p, prepared: prepared, input: input, bias: bias, activation: activation, output: output,
                          residual: residual, pool: pool)
            return
        }
        let rowsPerTile = max(1, min(outH, tileFloats / max(1, outW * k)))
        let tiles = (outH + rowsPerTile - 1) / rowsPerTile
        let shared = SendableBox((input, bias, output, prepared, residual))
        pool.parallelFor(count: p.batch * tiles) { task in
            let (input, bias, output, prepared, residual) = shared.value
            let n = task / tiles
            let oy0 = (task % tiles) * rowsPerTile
            let rows = min(rowsPerTile, outH - oy0)
            let m = rows * outW
            Scratch.withFloats(m * k + 16) { col in
                for g in 0..<p.groups {
                    im2col(p, input: input, image: n, firstRow: oy0, rows: rows, channel0: g * p.groupInC, into: col)
                    let offset = ((n * outH + oy0) * outW) * p.outC + g * p.groupOutC
                    let c = output + offset
                    let r = residual.map { $0 + offset }
                    let groupBias = bias.map { $0 + g * p.groupOutC }
                    GEMM.sgemm(m: m, a: MatrixOperand(col, rowStride: k), b: prepared.groupWeights[g], c: c, ldc: p.outC,
                               epilogue: GEMMEpilogue(bias: groupBias, activation: activation, residual: r, residualStride: p.outC),
                               pool: .serial)
                }
            }
        }
    }

    /// Few output channels: im2col of `directPixels` output pixels at a time into an L1-sized
    /// buffer, consumed at once by ``DirectGEMM`` (tasks are (image, pixel chunk) pairs).
    static func directPatches(_ p: Conv2DParams, prepared: PreparedConv2D, input: UnsafePointer<Float>,
                              bias: UnsafePointer<Float>?, activation: Activation, output: UnsafeMutablePointer<Float>,
                              residual: UnsafePointer<Float>?, pool: ThreadPool) {
        let pixels = p.outH * p.outW
        let k = p.kH * p.kW * p.groupInC
        // A multiple of every DirectGEMM tile height (12, 8, 6, 4), about 32 KiB of patches.
        let chunk = max(24, min(240, 8192 / max(1, k) / 24 * 24))
        let chunks = (pixels + chunk - 1) / chunk
        let shared = SendableBox((input, bias, output, prepared, residual))
        pool.parallelFor(count: p.batch * chunks) { task in
            let (input, bias, output, prepared, residual) = shared.value
            let n = task / chunks
            let p0 = (task % chunks) * chunk, p1 = min(pixels, p0 + chunk)
            Scratch.withFloats((p1 - p0) * k + 16) { col in
                for g in 0..<p.groups {
                    im2col(p, input: input, image: n, pixels: p0..<p1, channel0: g * p.groupInC, into: col)
                    let offset = (n * pixels + p0) * p.outC + g * p.groupOutC
                    DirectGEMM.rows(0..<(p1 - p0), a: col, lda: k, b: prepared.direct[g], bias: bias.map { $0 + g * p.groupOutC },
                                    activation: activation, c: output + offset, ldc: p.outC, residual: residual.map { $0 + offset })
                }
            }
        }
    }

    /// Fills `col[(oy - firstRow) * outW + ox, (ky * kW + kx) * groupInC + ci]` for output rows
    /// `firstRow..<firstRow+rows` of image `image`, reading input channels `channel0..<channel0+groupInC`.
    static func im2col(_ p: Conv2DParams, input: UnsafePointer<Float>, image: Int, firstRow: Int, rows: Int,
                       channel0: Int, into col: UnsafeMutablePointer<Float>) {
        im2col(p, input: input, image: image, pixels: (firstRow * p.outW)..<((firstRow + rows) * p.outW), channel0: channel0, into: col)
    }

    /// Fills one patch row of `col` per output pixel in `pixels` (row-major `oy * outW + ox`).
    /// `col` needs 16 floats of slack past the patches (short copies move 16 at a time).
    static func im2col(_ p: Conv2DParams, input: UnsafePointer<Float>, image: Int, pixels: Range<Int>,
                       channel0: Int, into col: UnsafeMutablePointer<Float>) {
        // Parameters in locals: stores through `dst` would otherwise force reloads.
        let outW = p.outW, cg = p.groupInC, inC = p.inC, inH = p.inH, inW = p.inW
        let kH = p.kH, kW = p.kW, sH = p.strideH, sW = p.strideW, dH = p.dilationH, dW = p.dilationW
        let padTop = p.padTop, padLeft = p.padLeft
        // With unit dilation and no groups, a row of kW taps is kW * inC contiguous floats.
        let contiguousRow = dW == 1 && cg == inC
        let img = input + image * inH * inW * inC + channel0
        // Short copies read 16 floats when that stays inside this image.
        let readLimit = input + (image + 1) * inH * inW * inC - 16
        var dst = col
        var oy = pixels.lowerBound / outW, ox = pixels.lowerBound % outW
        let rowFloats = inW * inC, tapRow = kW * cg
        for _ in pixels {
            let iyBase = oy * sH - padTop
            let ixBase = ox * sW - padLeft
            ox += 1
            if ox == outW { ox = 0; oy += 1 }
            let rowInside = ixBase >= 0 && ixBase + (kW - 1) * dW < inW
            if contiguousRow && rowInside && iyBase >= 0 && iyBase + (kH - 1) * dH < inH {
                var src = img + iyBase * rowFloats + ixBase * inC
                for _ in 0..<kH {
                    copy(src, dst, tapRow, readLimit)
                    src += dH * rowFloats
                    dst += tapRow
                }
                continue
            }
            for ky in 0..<kH {
                let iy = iyBase + ky * dH
                if iy < 0 || iy >= inH {
                    dst.update(repeating: 0, count: kW * cg)
                    dst += kW * cg
                    continue
                }
                let rowPtr = img + iy * inW * inC
                if contiguousRow && rowInside {
                    copy(rowPtr + ixBase * inC, dst, kW * cg, readLimit)
                    dst += kW * cg
                    continue
                }
                for kx in 0..<kW {
                    let ix = ixBase + kx * dW
                    if ix < 0 || ix >= inW {
                        dst.update(repeating: 0, count: cg)
                    } else {
                        copy(rowPtr + ix * inC, dst, cg, readLimit)
                    }
                    dst += cg
                }
            }
        }
    }

    /// A copy that skips the `memcpy` call for short runs (RGB input layers). With AVX-512, up
    /// to 16 floats move as one unmasked 16-lane load and store: the store runs past `n` into
    /// the next patch (written afterwards, or slack), the load only when `src <= readLimit`.
    /// Masked stores are slow on AMD cores and stall the loads that follow.
    @inline(__always)
    static func copy(_ src: UnsafePointer<Float>, _ dst: UnsafeMutablePointer<Float>, _ n: Int, _ readLimit: UnsafePointer<Float>) {
        if n <= 16 {
            if CPU.avx512 {
                let v = src <= readLimit ? UnsafeRawPointer(src).loadUnaligned(as: SIMD16<Float>.self)
                    : arca_load_f32x16_masked(src, UInt16(truncatingIfNeeded: (1 << n) - 1))
                UnsafeMutableRawPointer(dst).storeBytes(of: v, as: SIMD16<Float>.self)
            } else {
                for i in 0..<n { dst[i] = src[i] }
            }
        } else {
            dst.update(from: src, count: n)
        }
    }
}
