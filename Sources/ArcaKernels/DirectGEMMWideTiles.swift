import CArcaCPU

// Register tiles of the AVX-512 ``DirectGEMM`` path, one function per (rows x 16-lane vectors):
// 12x16 (12 accumulators), 8x32, 6x48 and 4x64 (16-18): more accumulators spill once LLVM
// unrolls the K loop by two.
// Each reads `rows` rows of A at stride `lda` (all valid) and the block's packed weights
// `[K][vectors x 16]`, starts from the bias, adds the residual (C's shape and stride) if any,
// clamps, and stores; the last vector of each row stores only its `mask` lanes.
// Kept explicit (one variable per row x vector, stores written out) so that every
// accumulator is a register and nothing is left to the inliner.
extension DirectGEMM {
    @inline(__always)
    static func wide12x16(_ k: Int, _ a: UnsafePointer<Float>, _ lda: Int, _ w: UnsafePointer<Float>, _ bv: (W, W, W, W),
                         _ lo: W, _ hi: W, _ mask: UInt16, _ c: UnsafeMutablePointer<Float>, _ ldc: Int,
                         _ residual: UnsafePointer<Float>?) {
        var x0_0 = bv.0
        var x1_0 = bv.0
        var x2_0 = bv.0
        var x3_0 = bv.0
        var x4_0 = bv.0
        var x5_0 = bv.0
        var x6_0 = bv.0
        var x7_0 = bv.0
        var x8_0 = bv.0
        var x9_0 = bv.0
        var x10_0 = bv.0
        var x11_0 = bv.0
        var wp = UnsafeRawPointer(w)
        var ap = a
        for _ in 0..<k {
            let w0 = wp.load(fromByteOffset: 0, as: W.self)
            var s = W(repeating: ap[0]); x0_0.addProduct(s, w0)
            s = W(repeating: ap[lda]); x1_0.addProduct(s, w0)
            s = W(repeating: ap[2 * lda]); x2_0.addProduct(s, w0)
            s = W(repeating: ap[3 * lda]); x3_0.addProduct(s, w0)
            s = W(repeating: ap[4 * lda]); x4_0.addProduct(s, w0)
            s = W(repeating: ap[5 * lda]); x5_0.addProduct(s, w0)
            s = W(repeating: ap[6 * lda]); x6_0.addProduct(s, w0)
            s = W(repeating: ap[7 * lda]); x7_0.addProduct(s, w0)
            s = W(repeating: ap[8 * lda]); x8_0.addProduct(s, w0)
            s = W(repeating: ap[9 * lda]); x9_0.addProduct(s, w0)
            s = W(repeating: ap[10 * lda]); x10_0.addProduct(s, w0)
            s = W(repeating: ap[11 * lda]); x11_0.addProduct(s, w0)
            wp += 64
            ap += 1
        }
        let full = mask == 0xFFFF
        if let residual {
            x0_0 += full ? UnsafeRawPointer(residual + 0).loadUnaligned(as: W.self) : arca_load_f32x16_masked(residual + 0, mask)
            x1_0 += full ? UnsafeRawPointer((residual + 1 * ldc) + 0).loadUnaligned(as: W.self) : arca_load_f32x16_masked((residual + 1 * ldc) + 0, mask)
            x2_0 += full ? UnsafeRawPointer((residual + 2 * ldc) + 0).loadUnaligned(as: W.self) : arca_load_f32x16_masked((residual + 2 * ldc) + 0, mask)
            x3_0 += full ? UnsafeRawPointer((residual + 3 * ldc) + 0).loadUnaligned(as: W.self) : arca_load_f32x16_masked((residual + 3 * ldc) + 0, mask)
            x4_0 += full ? UnsafeRawPointer((residual + 4 * ldc) + 0).loadUnaligned(as: W.self) : arca_load_f32x16_masked((residual + 4 * ldc) + 0, mask)
            x5_0 += full ? UnsafeRawPointer((residual + 5 * ldc) + 0).loadUnaligned(as: W.self) : arca_load_f32x16_masked((residual + 5 * ldc) + 0, mask)
            x6_0 += full ? UnsafeRawPointer((residual + 6 * ldc) + 0).loadUnaligned(as: W.self) : arca_load_f32x16_masked((residual + 6 * ldc) + 0, mask)
            x7_0 += full ? UnsafeRawPointer((residual + 7 * ldc) + 0).loadUnaligned(as: W.self) : arca_load_f32x16_masked((residual + 7 * ldc) + 0, mask)
            x8_0 += full ? UnsafeRawPointer((residual + 8 * ldc) + 0).loadUnaligned(as: W.self) : arca_load_f32x16_masked((residual + 8 * ldc) + 0, mask)
            x9_0 += full ? UnsafeRawPointer((residual + 9 * ldc) + 0).loadUnaligned(as: W.self) : arca_load_f32x16_masked((residual + 9 * ldc) + 0, mask)
            x10_0 += full ? UnsafeRawPointer((residual + 10 * ldc) + 0).loadUnaligned(as: W.self) : arca_load_f32x16_masked((residual + 10 * ldc) + 0, mask)
            x11_0 += full ? UnsafeRawPointer((residual + 11 * ldc) + 0).loadUnaligned(as: W.self) : arca_load_f32x16_masked((residual + 11 * ldc) + 0, mask)
        }
        if full { UnsafeMutableRawPointer(c + 0).storeBytes(of: x0_0.clamp(lo, hi), as: W.self) } else { arca_store_f32x16_masked(c + 0, x0_0.clamp(lo, hi), mask) }
        if full { UnsafeMutableRawPointer((c + 1 * ldc) + 0).storeBytes(of: x1_0.clamp(lo, hi), as: W.self) } else { arca_store_f32x16_masked((c + 1 * ldc) + 0, x1_0.clamp(lo, hi), mask) }
        if full { UnsafeMutableRawPointer((c + 2 * ldc) + 0).storeBytes(of: x2_0.clamp(lo, hi), as: W.self) } else { arca_store_f32x16_masked((c + 2 * ldc) + 0, x2_0.clamp(lo, hi), mask) }
        if full { UnsafeMutableRawPointer((c + 3 * ldc) + 0).storeBytes(of: x3_0.clamp(lo, hi), as: W.self) } else { arca_store_f32x16_masked((c + 3 * ldc) + 0, x3_0.clamp(lo, hi), mask) }
        if full { UnsafeMutableRawPointer((c + 4 * ldc) + 0).storeBytes(of: x4_0.clamp(lo, hi), as: W.self) } else { arca_store_f32x16_masked((c + 4 * ldc) + 0, x4_0.clamp(lo, hi), mask) }
        if full { UnsafeMutableRawPointer((c + 5 * ldc) + 0).storeBytes(of: x5_0.clamp(lo, hi), as: W.self) } else { arca_store_f32x16_masked((c + 5 * ldc) + 0, x5_0.clamp(lo, hi), mask) }
        if full { UnsafeMutableRawPointer((c + 6 * ldc) + 0).storeBytes(of: x6_0.clamp(lo, hi), as: W.self) } else { arca_store_f32x16_masked((c + 6 * ldc) + 0, x6_0.clamp(lo, hi), mask) }
        if full { UnsafeMutableRawPointer((c + 7 * ldc) + 0).storeBytes(of: x7_0.clamp(lo, hi), as: W.self) } else { arca_store_f32x16_masked((c + 7 * ldc) + 0, x7_0.clamp(lo, hi), mask) }
        if full { UnsafeMutableRawPointer((c + 8 * ldc) + 0).storeBytes(of: x8_0.clamp(lo, hi), as: W.self) } else { arca_store_f32x16_masked((c + 8 * ldc) + 0, x8_0.clamp(lo, hi), mask) }
        if full { UnsafeMutableRawPointer((c + 9 * ldc) + 0).storeBytes(of: x9_0.clamp(lo, hi), as: W.self) } else { arca_store_f32x16_masked((c + 9 * ldc) + 0, x9_0.clamp(lo, hi), mask) }
        if full { UnsafeMutableRawPointer((c + 10 * ldc) + 0).storeBytes(of: x10_0.clamp(lo, hi), as: W.self) } else { arca_store_f32x16_masked((c + 10 * ldc) + 0, x10_0.clamp(lo, hi), mask) }
        if full { UnsafeMutableRawPointer((c + 11 * ldc) + 0).storeBytes(of: x11_0.clamp(lo, hi), as: W.self) } else { arca_store_f32x16_masked((c + 11 * ldc) + 0, x11_0.clamp(lo, hi), mask) }
    }

    @inline(__always)
    static func wide8x32(_ k: Int, _ a: UnsafePointer<Float>, _ lda: Int, _ w: UnsafePointer<Float>, _ bv: (W, W, W, W),
                         _ lo: W, _ hi: W, _ mask: UInt16, _ c: UnsafeMutablePointer<Float>, _ ldc: Int,
                         _ residual: UnsafePointer<Float>?) {
        var x0_0 = bv.0, x0_1 = bv.1
        var x1_0 = bv.0, x1_1 = bv.1
        var x2_0 = bv.0, x2_1 = bv.1
        var x3_0 = bv.0, x3_1 = bv.1
        var x4_0 = bv.0, x4_1 = bv.1
        var x5_0 = bv.0, x5_1 = bv.1
        var x6_0 = bv.0, x6_1 = bv.1
        var x7_0 = bv.0, x7_1 = bv.1
        var wp = UnsafeRawPointer(w)
        var ap = a
        for _ in 0..<k {
            let w0 = wp.load(fromByteOffset: 0, as: W.self), w1 = wp.load(fromByteOffset: 64, as: W.self)
            var s = W(repeating: ap[0]); x0_0.addProduct(s, w0); x0_1.addProduct(s, w1)
            s = W(repeating: ap[lda]); x1_0.addProduct(s, w0); x1_1.addProduct(s, w1)
            s = W(repeating: ap[2 * lda]); x2_0.addProduct(s, w0); x2_1.addProduct(s, w1)
            s = W(repeating: ap[3 * lda]); x3_0.addProduct(s, w0); x3_1.addProduct(s, w1)
            s = W(repeating: ap[4 * lda]); x4_0.addProduct(s, w0); x4_1.addProduct(s, w1)
            s = W(repeating: ap[5 * lda]); x5_0.addProduct(s, w0); x5_1.addProduct(s, w1)
            s = W(repeating: ap[6 * lda]); x6_0.addProduct(s, w0); x6_1.addProduct(s, w1)
            s = W(repeating: ap[7 * lda]); x7_0.addProduct(s, w0); x7_1.addProduct(s, w1)
            wp += 128
            ap += 1
        }
        let full = mask == 0xFFFF
        if let residual {
            x0_0 += UnsafeRawPointer(residual + 0).loadUnaligned(as: W.self); x0_1 += full ? UnsafeRawPointer(residual + 16).loadUnaligned(as: W.self) : arca_load_f32x16_masked(residual + 16, mask)
            x1_0 += UnsafeRawPointer((residual + 1 * ldc) + 0).loadUnaligned(as: W.self); x1_1 += full ? UnsafeRawPointer((residual + 1 * ldc) + 16).loadUnaligned(as: W.self) : arca_load_f32x16_masked((residual + 1 * ldc) + 16, mask)
            x2_0 += UnsafeRawPointer((residual + 2 * ldc) + 0).loadUnaligned(as: W.self); x2_1 += full ? UnsafeRawPointer((residual + 2 * ldc) + 16).loadUnaligned(as: W.self) : arca_load_f32x16_masked((residual + 2 * ldc) + 16, mask)
            x3_0 += UnsafeRawPointer((residual + 3 * ldc) + 0).loadUnaligned(as: W.self); x3_1 += full ? UnsafeRawPointer((residual + 3 * ldc) + 16).loadUnaligned(as: W.self) : arca_load_f32x16_masked((residual + 3 * ldc) + 16, mask)
            x4_0 += UnsafeRawPointer((residual + 4 * ldc) + 0).loadUnaligned(as: W.self); x4_1 += full ? UnsafeRawPointer((residual + 4 * ldc) + 16).loadUnaligned(as: W.self) : arca_load_f32x16_masked((residual + 4 * ldc) + 16, mask)
            x5_0 += UnsafeRawPointer((residual + 5 * ldc) + 0).loadUnaligned(as: W.self); x5_1 += full ? UnsafeRawPointer((residual + 5 * ldc) + 16).loadUnaligned(as: W.self) : arca_load_f32x16_masked((residual + 5 * ldc) + 16, mask)
            x6_0 += UnsafeRawPointer((residual + 6 * ldc) + 0).loadUnaligned(as: W.self); x6_1 += full ? UnsafeRawPointer((residual + 6 * ldc) + 16).loadUnaligned(as: W.self) : arca_load_f32x16_masked((residual + 6 * ldc) + 16, mask)
            x7_0 += UnsafeRawPointer((residual + 7 * ldc) + 0).loadUnaligned(as: W.self); x7_1 += full ? UnsafeRawPointer((residual + 7 * ldc) + 16).loadUnaligned(as: W.self) : arca_load_f32x16_masked((residual + 7 * ldc) + 16, mask)
        }
        UnsafeMutableRawPointer(c + 0).storeBytes(of: x0_0.clamp(lo, hi), as: W.self)
        if full { UnsafeMutableRawPointer(c + 16).storeBytes(of: x0_1.clamp(lo, hi), as: W.self) } else { arca_store_f32x16_masked(c + 16, x0_1.clamp(lo, hi), mask) }
        UnsafeMutableRawPointer((c + 1 * ldc) + 0).storeBytes(of: x1_0.clamp(lo, hi), as: W.self)
        if full { UnsafeMutableRawPointer((c + 1 * ldc) + 16).storeBytes(of: x1_1.clamp(lo, hi), as: W.self) } else { arca_store_f32x16_masked((c + 1 * ldc) + 16, x1_1.clamp(lo, hi), mask) }
        UnsafeMutableRawPointer((c + 2 * ldc) + 0).storeBytes(of: x2_0.clamp(lo, hi), as: W.self)
        if full { UnsafeMutableRawPointer((c + 2 * ldc) + 16).storeBytes(of: x2_1.clamp(lo, hi), as: W.self) } else { arca_store_f32x16_masked((c + 2 * ldc) + 16, x2_1.clamp(lo, hi), mask) }
        UnsafeMutableRawPointer((c + 3 * ldc) + 0).storeBytes(of: x3_0.clamp(lo, hi), as: W.self)
        if full { UnsafeMutableRawPointer((c + 3 * ldc) + 16).storeBytes(of: x3_1.clamp(lo, hi), as: W.self) } else { arca_store_f32x16_masked((c + 3 * ldc) + 16, x3_1.clamp(lo, hi), mask) }
        UnsafeMutableRawPointer((c + 4 * ldc) + 0).storeBytes(of: x4_0.clamp(lo, hi), as: W.self)
        if full { UnsafeMutableRawPointer((c + 4 * ldc) + 16).storeBytes(of: x4_1.clamp(lo, hi), as: W.self) } else { arca_store_f32x16_masked((c + 4 * ldc) + 16, x4_1.clamp(lo, hi), mask) }
        UnsafeMutableRawPointer((c + 5 * ldc) + 0).storeBytes(of: x5_0.clamp(lo, hi), as: W.self)
        if full { UnsafeMutableRawPointer((c + 5 * ldc) + 16).storeBytes(of: x5_1.clamp(lo, hi), as: W.self) } else { arca_store_f32x16_masked((c + 5 * ldc) + 16, x5_1.clamp(lo, hi), mask) }
        UnsafeMutableRawPointer((c + 6 * ldc) + 0).storeBytes(of: x6_0.clamp(lo, hi), as: W.self)
        if full { UnsafeMutableRawPointer((c + 6 * ldc) + 16).storeBytes(of: x6_1.clamp(lo, hi), as: W.self) } else { arca_store_f32x16_masked((c + 6 * ldc) + 16, x6_1.clamp(lo, hi), mask) }
        UnsafeMutableRawPointer((c + 7 * ldc) + 0).storeBytes(of: x7_0.clamp(lo, hi), as: W.self)
        if full { UnsafeMutableRawPointer((c + 7 * ldc) + 16).storeBytes(of: x7_1.clamp(lo, hi), as: W.self) } else { arca_store_f32x16_masked((c + 7 * ldc) + 16, x7_1.clamp(lo, hi), mask) }
    }

    @inline(__always)
    static func wide6x48(_ k: Int, _ a: UnsafePointer<Float>, _ lda: Int, _ w: UnsafePointer<Float>, _ bv: (W, W, W, W),
                         _ lo: W, _ hi: W, _ mask: UInt16, _ c: UnsafeMutablePointer<Float>, _ ldc: Int,
                         _ residual: UnsafePointer<Float>?) {
        var x0_0 = bv.0, x0_1 = bv.1, x0_2 = bv.2
        var x1_0 = bv.0, x1_1 = bv.1, x1_2 = bv.2
        var x2_0 = bv.0, x2_1 = bv.1, x2_2 = bv.2
        var x3_0 = bv.0, x3_1 = bv.1, x3_2 = bv.2
        var x4_0 = bv.0, x4_1 = bv.1, x4_2 = bv.2
        var x5_0 = bv.0, x5_1 = bv.1, x5_2 = bv.2
        var wp = UnsafeRawPointer(w)
        var ap = a
        for _ in 0..<k {
            let w0 = wp.load(fromByteOffset: 0, as: W.self), w1 = wp.load(fromByteOffset: 64, as: W.self), w2 = wp.load(fromByteOffset: 128, as: W.self)
            var s = W(repeating: ap[0]); x0_0.addProduct(s, w0); x0_1.addProduct(s, w1); x0_2.addProduct(s, w2)
            s = W(repeating: ap[lda]); x1_0.addProduct(s, w0); x1_1.addProduct(s, w1); x1_2.addProduct(s, w2)
            s = W(repeating: ap[2 * lda]); x2_0.addProduct(s, w0); x2_1.addProduct(s, w1); x2_2.addProduct(s, w2)
            s = W(repeating: ap[3 * lda]); x3_0.addProduct(s, w0); x3_1.addProduct(s, w1); x3_2.addProduct(s, w2)
            s = W(repeating: ap[4 * lda]); x4_0.addProduct(s, w0); x4_1.addProduct(s, w1); x4_2.addProduct(s, w2)
            s = W(repeating: ap[5 * lda]); x5_0.addProduct(s, w0); x5_1.addProduct(s, w1); x5_2.addProduct(s, w2)
            wp += 192
            ap += 1
        }
        let full = mask == 0xFFFF
        if let residual {
            x0_0 += UnsafeRawPointer(residual + 0).loadUnaligned(as: W.self); x0_1 += UnsafeRawPointer(residual + 16).loadUnaligned(as: W.self); x0_2 += full ? UnsafeRawPointer(residual + 32).loadUnaligned(as: W.self) : arca_load_f32x16_masked(residual + 32, mask)
            x1_0 += UnsafeRawPointer((residual + 1 * ldc) + 0).loadUnaligned(as: W.self); x1_1 += UnsafeRawPointer((residual + 1 * ldc) + 16).loadUnaligned(as: W.self); x1_2 += full ? UnsafeRawPointer((residual + 1 * ldc) + 32).loadUnaligned(as: W.self) : arca_load_f32x16_masked((residual + 1 * ldc) + 32, mask)
            x2_0 += UnsafeRawPointer((residual + 2 * ldc) + 0).loadUnaligned(as: W.self); x2_1 += UnsafeRawPointer((residual + 2 * ldc) + 16).loadUnaligned(as: W.self); x2_2 += full ? UnsafeRawPointer((residual + 2 * ldc) + 32).loadUnaligned(as: W.self) : arca_load_f32x16_masked((residual + 2 * ldc) + 32, mask)
            x3_0 += UnsafeRawPointer((residual + 3 * ldc) + 0).loadUnaligned(as: W.self); x3_1 += UnsafeRawPointer((residual + 3 * ldc) + 16).loadUnaligned(as: W.self); x3_2 += full ? UnsafeRawPointer((residual + 3 * ldc) + 32).loadUnaligned(as: W.self) : arca_load_f32x16_masked((residual + 3 * ldc) + 32, mask)
            x4_0 += UnsafeRawPointer((residual + 4 * ldc) + 0).loadUnaligned(as: W.self); x4_1 += UnsafeRawPointer((residual + 4 * ldc) + 16).loadUnaligned(as: W.self); x4_2 += full ? UnsafeRawPointer((residual + 4 * ldc) + 32).loadUnaligned(as: W.self) : arca_load_f32x16_masked((residual + 4 * ldc) + 32, mask)
            x5_0 += UnsafeRawPointer((residual + 5 * ldc) + 0).loadUnaligned(as: W.self); x5_1 += UnsafeRawPointer((residual + 5 * ldc) + 16).loadUnaligned(as: W.self); x5_2 += full ? UnsafeRawPointer((residual + 5 * ldc) + 32).loadUnaligned(as: W.self) : arca_load_f32x16_masked((residual + 5 * ldc) + 32, mask)
        }
        UnsafeMutableRawPointer(c + 0).storeBytes(of: x0_0.clamp(lo, hi), as: W.self)
        UnsafeMutableRawPointer(c + 16).storeBytes(of: x0_1.clamp(lo, hi), as: W.self)
        if full { UnsafeMutableRawPointer(c + 32).storeBytes(of: x0_2.clamp(lo, hi), as: W.self) } else { arca_store_f32x16_masked(c + 32, x0_2.clamp(lo, hi), mask) }
        UnsafeMutableRawPointer((c + 1 * ldc) + 0).storeBytes(of: x1_0.clamp(lo, hi), as: W.self)
        UnsafeMutableRawPointer((c + 1 * ldc) + 16).storeBytes(of: x1_1.clamp(lo, hi), as: W.self)
        if full { UnsafeMutableRawPointer((c + 1 * ldc) + 32).storeBytes(of: x1_2.clamp(lo, hi), as: W.self) } else { arca_store_f32x16_masked((c + 1 * ldc) + 32, x1_2.clamp(lo, hi), mask) }
        UnsafeMutableRawPointer((c + 2 * ldc) + 0).storeBytes(of: x2_0.clamp(lo, hi), as: W.self)
        UnsafeMutableRawPointer((c + 2 * ldc) + 16).storeBytes(of: x2_1.clamp(lo, hi), as: W.self)
        if full { UnsafeMutableRawPointer((c + 2 * ldc) + 32).storeBytes(of: x2_2.clamp(lo, hi), as: W.self) } else { arca_store_f32x16_masked((c + 2 * ldc) + 32, x2_2.clamp(lo, hi), mask) }
        UnsafeMutableRawPointer((c + 3 * ldc) + 0).storeBytes(of: x3_0.clamp(lo, hi), as: W.self)
        UnsafeMutableRawPointer((c + 3 * ldc) + 16).storeBytes(of: x3_1.clamp(lo, hi), as: W.self)
        if full { UnsafeMutableRawPointer((c + 3 * ldc) + 32).storeBytes(of: x3_2.clamp(lo, hi), as: W.self) } else { arca_store_f32x16_masked((c + 3 * ldc) + 32, x3_2.clamp(lo, hi), mask) }
        UnsafeMutableRawPointer((c + 4 * ldc) + 0).storeBytes(of: x4_0.clamp(lo, hi), as: W.self)
        UnsafeMutableRawPointer((c + 4 * ldc) + 16).storeBytes(of: x4_1.clamp(lo, hi), as: W.self)
        if full { UnsafeMutableRawPointer((c + 4 * ldc) + 32).storeBytes(of: x4_2.clamp(lo, hi), as: W.self) } else { arca_store_f32x16_masked((c + 4 * ldc) + 32, x4_2.clamp(lo, hi), mask) }
        UnsafeMutableRawPointer((c + 5 * ldc) + 0).storeBytes(of: x5_0.clamp(lo, hi), as: W.self)
        UnsafeMutableRawPointer((c + 5 * ldc) + 16).storeBytes(of: x5_1.clamp(lo, hi), as: W.self)
        if full { UnsafeMutableRawPointer((c + 5 * ldc) + 32).storeBytes(of: x5_2.clamp(lo, hi), as: W.self) } else { arca_store_f32x16_masked((c + 5 * ldc) + 32, x5_2.clamp(lo, hi), mask) }
    }

    @inline(__always)
    static func wide4x64(_ k: Int, _ a: UnsafePointer<Float>, _ lda: Int, _ w: UnsafePointer<Float>, _ bv: (W, W, W, W),
                         _ lo: W, _ hi: W, _ mask: UInt16, _ c: UnsafeMutablePointer<Float>, _ ldc: Int,
                         _ residual: UnsafePointer<Float>?) {
        var x0_0 = bv.0, x0_1 = bv.1, x0_2 = bv.2, x0_3 = bv.3
        var x1_0 = bv.0, x1_1 = bv.1, x1_2 = bv.2, x1_3 = bv.3
        var x2_0 = bv.0, x2_1 = bv.1, x2_2 = bv.2, x2_3 = bv.3
        var x3_0 = bv.0, x3_1 = bv.1, x3_2 = bv.2, x3_3 = bv.3
        var wp = UnsafeRawPointer(w)
        var ap = a
        for _ in 0..<k {
            let w0 = wp.load(fromByteOffset: 0, as: W.self), w1 = wp.load(fromByteOffset: 64, as: W.self), w2 = wp.load(fromByteOffset: 128, as: W.self), w3 = wp.load(fromByteOffset: 192, as: W.self)
            var s = W(repeating: ap[0]); x0_0.addProduct(s, w0); x0_1.addProduct(s, w1); x0_2.addProduct(s, w2); x0_3.addProduct(s, w3)
            s = W(repeating: ap[lda]); x1_0.addProduct(s, w0); x1_1.addProduct(s, w1); x1_2.addProduct(s, w2); x1_3.addProduct(s, w3)
            s = W(repeating: ap[2 * lda]); x2_0.addProduct(s, w0); x2_1.addProduct(s, w1); x2_2.addProduct(s, w2); x2_3.addProduct(s, w3)
            s = W(repeating: ap[3 * lda]); x3_0.addProduct(s, w0); x3_1.addProduct(s, w1); x3_2.addProduct(s, w2); x3_3.addProduct(s, w3)
            wp += 256
            ap += 1
        }
        let full = mask == 0xFFFF
        if let residual {
            x0_0 += UnsafeRawPointer(residual + 0).loadUnaligned(as: W.self); x0_1 += UnsafeRawPointer(residual + 16).loadUnaligned(as: W.self); x0_2 += UnsafeRawPointer(residual + 32).loadUnaligned(as: W.self); x0_3 += full ? UnsafeRawPointer(residual + 48).loadUnaligned(as: W.self) : arca_load_f32x16_masked(residual + 48, mask)
            x1_0 += UnsafeRawPointer((residual + 1 * ldc) + 0).loadUnaligned(as: W.self); x1_1 += UnsafeRawPointer((residual + 1 * ldc) + 16).loadUnaligned(as: W.self); x1_2 += UnsafeRawPointer((residual + 1 * ldc) + 32).loadUnaligned(as: W.self); x1_3 += full ? UnsafeRawPointer((residual + 1 * ldc) + 48).loadUnaligned(as: W.self) : arca_load_f32x16_masked((residual + 1 * ldc) + 48, mask)
            x2_0 += UnsafeRawPointer((residual + 2 * ldc) + 0).loadUnaligned(as: W.self); x2_1 += UnsafeRawPointer((residual + 2 * ldc) + 16).loadUnaligned(as: W.self); x2_2 += UnsafeRawPointer((residual + 2 * ldc) + 32).loadUnaligned(as: W.self); x2_3 += full ? UnsafeRawPointer((residual + 2 * ldc) + 48).loadUnaligned(as: W.self) : arca_load_f32x16_masked((residual + 2 * ldc) + 48, mask)
            x3_0 += UnsafeRawPointer((residual + 3 * ldc) + 0).loadUnaligned(as: W.self); x3_1 += UnsafeRawPointer((residual + 3 * ldc) + 16).loadUnaligned(as: W.self); x3_2 += UnsafeRawPointer((residual + 3 * ldc) + 32).loadUnaligned(as: W.self); x3_3 += full ? UnsafeRawPointer((residual + 3 * ldc) + 48).loadUnaligned(as: W.self) : arca_load_f32x16_masked((residual + 3 * ldc) + 48, mask)
        }
        UnsafeMutableRawPointer(c + 0).storeBytes(of: x0_0.clamp(lo, hi), as: W.self)
        UnsafeMutableRawPointer(c + 16).storeBytes(of: x0_1.clamp(lo, hi), as: W.self)
        UnsafeMutableRawPointer(c + 32).storeBytes(of: x0_2.clamp(lo, hi), as: W.self)
        if full { UnsafeMutableRawPointer(c + 48).storeBytes(of: x0_3.clamp(lo, hi), as: W.self) } else { arca_store_f32x16_masked(c + 48, x0_3.clamp(lo, hi), mask) }
        UnsafeMutableRawPointer((c + 1 * ldc) + 0).storeBytes(of: x1_0.clamp(lo, hi), as: W.self)
        UnsafeMutableRawPointer((c + 1 * ldc) + 16).storeBytes(of: x1_1.clamp(lo, hi), as: W.self)
        UnsafeMutableRawPointer((c + 1 * ldc) + 32).storeBytes(of: x1_2.clamp(lo, hi), as: W.self)
        if full { UnsafeMutableRawPointer((c + 1 * ldc) + 48).storeBytes(of: x1_3.clamp(lo, hi), as: W.self) } else { arca_store_f32x16_masked((c + 1 * ldc) + 48, x1_3.clamp(lo, hi), mask) }
        UnsafeMutableRawPointer((c + 2 * ldc) + 0).storeBytes(of: x2_0.clamp(lo, hi), as: W.self)
        UnsafeMutableRawPointer((c + 2 * ldc) + 16).storeBytes(of: x2_1.clamp(lo, hi), as: W.self)
        UnsafeMutableRawPointer((c + 2 * ldc) + 32).storeBytes(of: x2_2.clamp(lo, hi), as: W.self)
        if full { UnsafeMutableRawPointer((c + 2 * ldc) + 48).storeBytes(of: x2_3.clamp(lo, hi), as: W.self) } else { arca_store_f32x16_masked((c + 2 * ldc) + 48, x2_3.clamp(lo, hi), mask) }
        UnsafeMutableRawPointer((c + 3 * ldc) + 0).storeBytes(of: x3_0.clamp(lo, hi), as: W.self)
        UnsafeMutableRawPointer((c + 3 * ldc) + 16).storeBytes(of: x3_1.clamp(lo, hi), as: W.self)
        UnsafeMutableRawPointer((c + 3 * ldc) + 32).storeBytes(of: x3_2.clamp(lo, hi), as: W.self)
        if full { UnsafeMutableRawPointer((c + 3 * ldc) + 48).storeBytes(of: x3_3.clamp(lo, hi), as: W.self) } else { arca_store_f32x16_masked((c + 3 * ldc) + 48, x3_3.clamp(lo, hi), mask) }
    }
}
