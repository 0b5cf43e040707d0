import CArcaCPU

/// The AVX-512 path of ``DirectGEMM``: 16-lane vectors, 12 to 18 accumulators, masked tails.
extension DirectGEMM {
    /// Tile rows for a block of `vectors` 16-lane columns.
    @inline(__always)
    static func wideTileRows(_ vectors: Int) -> Int { vectors == 1 ? 12 : vectors == 2 ? 8 : vectors == 3 ? 6 : 4 }

    /// Rows `range` of C, block by block (a block's weights stay in L1 across the rows).
    /// Full tiles read A and write C in place; the last partial tile goes through scratch
    /// copies of its A rows, C tile and residual rows.
    static func wideRows(_ range: Range<Int>, a: UnsafePointer<Float>, lda: Int, b: DirectB, bias: UnsafePointer<Float>?,
                         activation: Activation, c: UnsafeMutablePointer<Float>, ldc: Int, residual: UnsafePointer<Float>?) {
        let inRegister = activation == .none || activation == .relu || activation == .relu6 || activation == .reluN1To1
        let (lo, hi): (Float, Float) = switch activation {
        case .relu: (0, .infinity)
        case .relu6: (0, 6)
        case .reluN1To1: (-1, 1)
        default: (-.infinity, .infinity)
        }
        let (loV, hiV) = (W(repeating: lo), W(repeating: hi))
        let k = b.k
        for blk in b.blocks {
            let w = UnsafePointer(b.data + blk.offset)
            var bv = (W(), W(), W(), W())
            if let bias {
                let p = bias + blk.n0
                @inline(__always) func load(_ v: Int) -> W {
                    v == blk.vectors - 1 ? arca_load_f32x16_masked(p + 16 * v, blk.lastMask)
                        : UnsafeRawPointer(p + 16 * v).loadUnaligned(as: W.self)
                }
                bv.0 = load(0)
                if blk.vectors > 1 { bv.1 = load(1) }
                if blk.vectors > 2 { bv.2 = load(2) }
                if blk.vectors > 3 { bv.3 = load(3) }
            }
            let mr = wideTileRows(blk.vectors)
            var r = range.lowerBound
            while r + mr <= range.upperBound {
                wideTile(blk.vectors, k, a + r * lda, lda, w, bv, loV, hiV, blk.lastMask, c + r * ldc + blk.n0, ldc,
                         residual.map { $0 + r * ldc + blk.n0 })
                r += mr
            }
            let valid = range.upperBound - r
            if valid > 0 {
                partialTile(blk, rows: valid, mr: mr, k: k, a: a + r * lda, lda: lda, w: w, bv: bv, lo: loV, hi: hiV,
                            c: c + r * ldc + blk.n0, ldc: ldc, residual: residual.map { $0 + r * ldc + blk.n0 })
            }
        }
        if !inRegister {
            for r in range { activation.apply(c + r * ldc, count: b.n) }
        }
    }

    @inline(__always)
    static func wideTile(_ vectors: Int, _ k: Int, _ a: UnsafePointer<Float>, _ lda: Int, _ w: UnsafePointer<Float>,
                         _ bv: (W, W, W, W), _ lo: W, _ hi: W, _ mask: UInt16,
                         _ c: UnsafeMutablePointer<Float>, _ ldc: Int, _ residual: UnsafePointer<Float>?) {
        switch vectors {
        case 1: wide12x16(k, a, lda, w, bv, lo, hi, mask, c, ldc, residual)
        case 2: wide8x32(k, a, lda, w, bv, lo, hi, mask, c, ldc, residual)
        case 3: wide6x48(k, a, lda, w, bv, lo, hi, mask, c, ldc, residual)
        default: wide4x64(k, a, lda, w, bv, lo, hi, mask, c, ldc, residual)
        }
    }

    /// `rows` (< mr) rows: A rows copied into an `mr`-row scratch (the rest zero), the tile
    /// computed into a scratch C of row stride 64, then the valid part copied out.
    static func partialTile(_ blk: DirectB.Block, rows: Int, mr: Int, k: Int, a: UnsafePointer<Float>, lda: Int,
                            w: UnsafePointer<Float>, bv: (W, W, W, W), lo: W, hi: W,
                            c: UnsafeMutablePointer<Float>, ldc: Int, residual: UnsafePointer<Float>?) {
        let width = blk.vectors * 16
        let cols = width - 16 + blk.lastMask.nonzeroBitCount
        Scratch.withFloats(mr * max(k, 1) + 2 * mr * 64) { scratch in
            let aTile = scratch, cTile = scratch + mr * k, rTile = cTile + mr * 64
            aTile.update(repeating: 0, count: mr * k)
            for i in 0..<rows { (aTile + i * k).update(from: a + i * lda, count: k) }
            var r: UnsafePointer<Float>? = nil
            if let residual {
                rTile.update(repeating: 0, count: mr * 64)
                for i in 0..<rows { (rTile + i * 64).update(from: residual + i * ldc, count: cols) }
                r = UnsafePointer(rTile)
            }
            wideTile(blk.vectors, k, aTile, k, w, bv, lo, hi, 0xFFFF, cTile, 64, r)
            for i in 0..<rows { (c + i * ldc).update(from: cTile + i * 64, count: cols) }
        }
    }
}
