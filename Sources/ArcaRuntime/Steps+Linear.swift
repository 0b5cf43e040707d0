import ArcaIR
import ArcaKernels
import ArcaTensor

/// Convolutions and matrix products.
extension LoweringContext {
    /// Weights `[K, N]` (or `[N, K]` when `transposed`) packed once for ``GEMM``.
    mutating func packed(_ w: UnsafePointer<Float>, k: Int, n: Int, transposed: Bool) -> PackedB {
        let b = transposed ? MatrixOperand(w, rowStride: 1, colStride: k) : MatrixOperand(w, rowStride: n)
        let pool = self.pool
        let p = shared(w, "\(k)x\(n) transposed \(transposed)") { PackedB(b, k: k, n: n, pool: pool) }
        retained.append(p)
        return p
    }

    /// A constant's packing for these parameters: from the plan's weight cache when it has one
    /// (plans of one graph share it), else made here.
    func shared<P: AnyObject>(_ w: UnsafeRawPointer, _ detail: String, make: () -> P) -> P {
        weightCache?.packed(w, detail: detail, make: make) ?? make()
    }

    /// Constant weights are packed once (im2col + GEMM; 1x1 stride-1 convs are a plain GEMM inside ``Conv2D``).
    mutating func lowerConv2d(_ a: Conv2DAttributes, _ node: Node) -> Step {
        let p = Lowering.conv2d(a, x: shape(node.inputs[0]), w: shape(node.inputs[1]))
        let (x, w, y) = (UnsafePointer(f(node.inputs[0])), UnsafePointer(f(node.inputs[1])), f(node.outputs[0]))
        let bias = node.inputs.count == (a.hasResidual ? 4 : 3) ? UnsafePointer(f(node.inputs[2])) : nil
        let residual = a.hasResidual ? node.inputs.last.map { UnsafePointer(f($0)) } : nil
        let act = Lowering.activation(a.activation)
        let pool = self.pool
        guard constant(node.inputs[1]) != nil else {
            return Step(kernel: "conv2d.gemm.unprepared") {
                Conv2D.run(p, input: x, weights: w, bias: bias, activation: act, output: y, residual: residual, pool: pool)
            }
        }
        let prepared = shared(w, "\(p)") { Conv2D.prepare(p, weights: w, pool: pool) }
        retained.append(prepared)
        let pointwise = p.kH == 1 && p.kW == 1 && p.strideH == 1 && p.strideW == 1 && p.groups == 1 &&
            p.padTop == 0 && p.padLeft == 0 && p.padBottom == 0 && p.padRight == 0
        let kernel = (pointwise ? "conv1x1.gemm" : "conv2d.im2col.gemm") + (residual == nil ? "" : "+residual")
        return Step(kernel: kernel) {
            Conv2D.run(p, prepared: prepared, input: x, bias: bias, activation: act, output: y, residual: residual, pool: pool)
        }
    }

    func lowerDepthwise(_ a: DepthwiseConv2DAttributes, _ node: Node) -> Step {
        let p = Lowering.depthwise(a, x: shape(node.inputs[0]), w: shape(node.inputs[1]))
        let (x, w, y, bias) = (UnsafePointer(f(node.inputs[0])), UnsafePointer(f(node.inputs[1])), f(node.outputs[0]), optionalF(node, 2))
        let act = Lowering.activation(a.activation)
        let pool = self.pool
        return Step(kernel: "depthwise") {
            DepthwiseConv2D.run(p, input: x, weights: w, bias: bias, activation: act, output: y, pool: pool)
        }
    }

    mutating func lowerTransposeConv(_ a: TransposeConv2DAttributes, _ node: Node) -> Step {
        let p = Lowering.transposeConv(a, x: shape(node.inputs[0]), w: shape(node.inputs[1]), out: shape(node.outputs[0]))
        let (x, w, y, bias) = (UnsafePointer(f(node.inputs[0])), UnsafePointer(f(node.inputs[1])), f(node.outputs[0]), optionalF(node, 2))
        let act = Lowering.activation(a.activation)
        let pool = self.pool
        let n = p.batch * p.outH * p.outW * p.outC
        guard constant(node.inputs[1]) != nil else {
            return Step(kernel: "transpose_conv.gemm.unprepared") {
                TransposeConv2D.run(p, input: x, weights: w, bias: bias, output: y, pool: pool)
                act.apply(y, count: n)
            }
        }
        let prepared = shared(w, "\(p)") { TransposeConv2D.prepare(p, weights: w, pool: pool) }
        retained.append(prepared)
        return Step(kernel: "transpose_conv.gemm") {
            TransposeConv2D.run(p, prepared: prepared, input: x, bias: bias, output: y, pool: pool)
            act.apply(y, count: n)
        }
    }

    /// a `[..., M, K]` · b: constant b is packed once; activation b is packed per run.
    mutating func lowerMatMul(_ a: MatMulAttributes, _ node: Node) -> Step {
        let s = shape(node.inputs[0]), ws = shape(node.inputs[1])
        let k = s[s.count - 1], m = s[s.count - 2]
        let n = a.transposeB ? ws[ws.count - 2] : ws[ws.count - 1]
        let batches = s.dropLast(2).reduce(1, *)
        let (x, w, y) = (UnsafePointer(f(node.inputs[0])), UnsafePointer(f(node.inputs[1])), f(node.outputs[0]))
        let ep = GEMMEpilogue(bias: optionalF(node, 2), activation: Lowering.activation(a.activation))
        let pool = self.pool
        let isConstant = constant(node.inputs[1]) != nil
        if ws.count == 2 {
            if isConstant {
                let packedW = packed(w, k: k, n: n, transposed: a.transposeB)
                return Step(kernel: "gemm.packed") {
                    GEMM.sgemm(m: batches * m, a: MatrixOperand(x, rowStride: k), b: packedW, c: y, ldc: n, epilogue: ep, pool: pool)
                }
            }
            let b = a.transposeB ? MatrixOperand(w, rowStride: 1, colStride: k) : MatrixOperand(w, rowStride: n)
            return Step(kernel: "gemm") {
                GEMM.sgemm(m: batches * m, n: n, k: k, a: MatrixOperand(x, rowStride: k), b: b, c: y, ldc: n, epilogue: ep, pool: pool)
            }
        }
        if isConstant {
            let packs = (0..<batches).map { packed(w + $0 * k * n, k: k, n: n, transposed: a.transposeB) }
            return Step(kernel: "gemm.batched.packed") {
                for i in 0..<batches {
                    GEMM.sgemm(m: m, a: MatrixOperand(x + i * m * k, rowStride: k), b: packs[i], c: y + i * m * n, ldc: n, epilogue: ep, pool: pool)
                }
            }
        }
        let transposeB = a.transposeB
        return Step(kernel: "gemm.batched") {
            for i in 0..<batches {
                let wb = w + i * k * n
                let b = transposeB ? MatrixOperand(wb, rowStride: 1, colStride: k) : MatrixOperand(wb, rowStride: n)
                GEMM.sgemm(m: m, n: n, k: k, a: MatrixOperand(x + i * m * k, rowStride: k), b: b, c: y + i * m * n, ldc: n, epilogue: ep, pool: pool)
            }
        }
    }

    /// a `[..., M, K]` · weights packed at graph time (``Graph/prepackedForGEMM()``): no copy, no packing.
    mutating func lowerPackedMatMul(_ a: PackedMatMulAttributes, _ node: Node, name: String) throws -> Step {
        guard a.panelWidth == PackedB.panelWidth, a.depthBlock == PackedB.depthBlock else {
            throw PlanError.unsupported(node: name, detail: "weights packed in panels of \(a.panelWidth) and depth blocks of \(a.depthBlock); "
                + "this kernel uses \(PackedB.panelWidth) and \(PackedB.depthBlock) (pack the float model on this machine)")
        }
        guard constant(node.inputs[1]) != nil else { throw PlanError.unsupported(node: name, detail: "packed weights must be a constant") }
        let w = f(node.inputs[1])
        guard Int(bitPattern: w) % 64 == 0 else { throw PlanError.unsupported(node: name, detail: "packed weights are not 64-byte aligned") }
        let s = shape(node.inputs[0])
        let (m, k, n) = (s.dropLast().reduce(1, *), a.k, a.n)
        let (x, y) = (UnsafePointer(f(node.inputs[0])), f(node.outputs[0]))
        let ep = GEMMEpilogue(bias: optionalF(node, 2), activation: Lowering.activation(a.activation))
        let packed = PackedB(borrowing: w, k: k, n: n)
        retained.append(packed)
        let pool = self.pool
        return Step(kernel: "gemm.prepacked") {
            GEMM.sgemm(m: m, a: MatrixOperand(x, rowStride: k), b: packed, c: y, ldc: n, epilogue: ep, pool: pool)
        }
    }

    /// Per batch × head: scores = QKᵀ·scale (GEMM), masked softmax, · V (GEMM) into the head's columns.
    mutating func lowerAttention(_ a: AttentionAttributes, _ node: Node) -> Step {
        if a.packedQKV { return lowerPackedAttention(a, node) }
        let qs = shape(node.inputs[0]), ks = shape(node.inputs[1])
        if qs[1] == ks[1], node.inputs.count == 3 || dtype(node.inputs[3]) == .float32 {
            // Self-attention with a float mask (or none): the fused kernel, one task per (batch, head).
            let p = AttentionParams(batch: qs[0], seq: qs[1], heads: a.heads, headDim: qs[2] / a.heads, scale: a.scale)
            let (q, k, v, y) = (UnsafePointer(f(node.inputs[0])), UnsafePointer(f(node.inputs[1])), UnsafePointer(f(node.inputs[2])), f(node.outputs[0]))
            let mask = node.inputs.count > 3 ? UnsafePointer(f(node.inputs[3])) : nil
            let pool = self.pool
            return Step(kernel: "attention.fused") {
                Attention.run(p, q: q, k: k, v: v, mask: mask, output: y, pool: pool)
            }
        }
        let (batch, sq, sk, width) = (qs[0], qs[1], ks[1], qs[2])
        let heads = a.heads, hd = width / heads, scale = a.scale
        let (q, k, v, y) = (UnsafePointer(f(node.inputs[0])), UnsafePointer(f(node.inputs[1])), UnsafePointer(f(node.inputs[2])), f(node.outputs[0]))
        let mask = node.inputs.count > 3 ? UnsafeRawPointer(pointer(node.inputs[3])) : nil
        let maskType = node.inputs.count > 3 ? dtype(node.inputs[3]) : .float32
        let scratch = TensorStorage(byteCount: (sq * sk + batch * sk) * 4)
        retained.append(scratch)
        let scores = scratch.bytes.assumingMemoryBound(to: Float.self)
        // 0 for kept keys, -inf for masked ones, refreshed from the mask once per run.
        let bias = scores + sq * sk
        let pool = self.pool
        return Step(kernel: "attention.gemm") {
            for i in 0..<(batch * sk) {
                bias[i] = mask.map { loadFloat($0, maskType, i) == 0 ? -Float.infinity : 0 } ?? 0
            }
            for b in 0..<batch {
                let keyBias = bias + b * sk
                for h in 0..<heads {
                    let off = h * hd
                    GEMM.sgemm(m: sq, n: sk, k: hd, a: MatrixOperand(q + b * sq * width + off, rowStride: width),
                               b: MatrixOperand(k + b * sk * width + off, rowStride: 1, colStride: width),
                               c: scores, ldc: sk, pool: pool)
                    for i in 0..<sq {
                        let row = scores + i * sk
                        var mx = -Float.infinity
                        for j in 0..<sk {
                            row[j] = row[j] * scale + keyBias[j]
                            mx = max(mx, row[j])
                        }
                        if mx == -.infinity {
                            row.update(repeating: 0, count: sk)
                            continue
                        }
                        for j in 0..<sk { row[j] -= mx }
                        Vectorized.map(row, sk) { Vectorized.exp($0) }
                        var sum: Float = 0
                        for j in 0..<sk {
                            if keyBias[j] != 0 { row[j] = 0 }
                            sum += row[j]
                        }
                        let r = 1 / sum
                        for j in 0..<sk { row[j] *= r }
                    }
                    GEMM.sgemm(m: sq, n: hd, k: sk, a: MatrixOperand(scores, rowStride: sk),
                               b: MatrixOperand(v + b * sk * width + off, rowStride: width),
                               c: y + b * sq * width + off, ldc: width, pool: pool)
                }
                // Self-attention: query rows past the last kept key are padding and output zeros (Op.attention).
                if mask != nil, sq == sk {
                    var rows = 0
                    for j in 0..<sk where keyBias[j] == 0 { rows = j + 1 }
                    for i in rows..<sq { (y + (b * sq + i) * width).update(repeating: 0, count: width) }
                }
            }
        }
    }

    /// qkv `[B, S, 3W]` read in place (q, k, v side by side per row), float32 mask `[B, S]`?.
    mutating func lowerPackedAttention(_ a: AttentionAttributes, _ node: Node) -> Step {
        let s = shape(node.inputs[0])
        let w = s[2] / 3
        let p = AttentionParams(batch: s[0], seq: s[1], heads: a.heads, headDim: w / a.heads, scale: a.scale,
                                ldq: 3 * w, ldk: 3 * w, ldv: 3 * w, ldo: w)
        let x = UnsafePointer(f(node.inputs[0])), y = f(node.outputs[0])
        let mask = node.inputs.count > 1 ? UnsafePointer(f(node.inputs[1])) : nil
        let pool = self.pool
        return Step(kernel: "attention.fused.packed") {
            Attention.run(p, q: x, k: x + w, v: x + 2 * w, mask: mask, output: y, pool: pool)
        }
    }
}
