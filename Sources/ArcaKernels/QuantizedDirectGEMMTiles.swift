import CArcaCPU

// Register tiles of ``QuantizedDirectGEMM``, one function per (rows x 16-lane vectors):
// 12x16 (12 int32 accumulators), 8x32, 6x48 and 4x64 (16-18). Row r of A starts at
// `a + r * lda`; its K runs over `segments` segments `segmentStride` bytes apart, each
// `quads` groups of 4 bytes (a pointwise row is one segment; an implicit-GEMM convolution
// reads one segment per kernel row straight from the image). The block's packed weights
// are `[K/4][vectors][16 columns x 4 bytes]`. The int32 sums Σ q·w go to `tile` (row stride
// 64 lanes). One `vpdpbusd` per (row, vector, K quad). Kept explicit (one variable per
// row x vector) so that every accumulator is a register.
extension QuantizedDirectGEMM {
    @inline(__always)
    static func tile12x16(_ segments: Int, _ segmentStride: Int, _ quads: Int, _ a: UnsafePointer<UInt8>, _ lda: Int,
                         _ w: UnsafeRawPointer, _ tile: UnsafeMutablePointer<Int32>) {
        var x0_0 = Z()
        var x1_0 = Z()
        var x2_0 = Z()
        var x3_0 = Z()
        var x4_0 = Z()
        var x5_0 = Z()
        var x6_0 = Z()
        var x7_0 = Z()
        var x8_0 = Z()
        var x9_0 = Z()
        var x10_0 = Z()
        var x11_0 = Z()
        var wp = w
        for segment in 0..<segments {
            var ap = UnsafeRawPointer(a) + segment * segmentStride
            for _ in 0..<quads {
                let w0 = arca_load_i32x16(wp + 0)
                var s = arca_broadcast_i32x16(ap); x0_0 = arca_dpbusd(x0_0, s, w0)
                s = arca_broadcast_i32x16(ap + lda); x1_0 = arca_dpbusd(x1_0, s, w0)
                s = arca_broadcast_i32x16(ap + 2 * lda); x2_0 = arca_dpbusd(x2_0, s, w0)
                s = arca_broadcast_i32x16(ap + 3 * lda); x3_0 = arca_dpbusd(x3_0, s, w0)
                s = arca_broadcast_i32x16(ap + 4 * lda); x4_0 = arca_dpbusd(x4_0, s, w0)
                s = arca_broadcast_i32x16(ap + 5 * lda); x5_0 = arca_dpbusd(x5_0, s, w0)
                s = arca_broadcast_i32x16(ap + 6 * lda); x6_0 = arca_dpbusd(x6_0, s, w0)
                s = arca_broadcast_i32x16(ap + 7 * lda); x7_0 = arca_dpbusd(x7_0, s, w0)
                s = arca_broadcast_i32x16(ap + 8 * lda); x8_0 = arca_dpbusd(x8_0, s, w0)
                s = arca_broadcast_i32x16(ap + 9 * lda); x9_0 = arca_dpbusd(x9_0, s, w0)
                s = arca_broadcast_i32x16(ap + 10 * lda); x10_0 = arca_dpbusd(x10_0, s, w0)
                s = arca_broadcast_i32x16(ap + 11 * lda); x11_0 = arca_dpbusd(x11_0, s, w0)
                wp += 64
                ap += 4
            }
        }
        let t = UnsafeMutableRawPointer(tile)
        t.storeBytes(of: x0_0, toByteOffset: 0, as: Z.self)
        t.storeBytes(of: x1_0, toByteOffset: 256, as: Z.self)
        t.storeBytes(of: x2_0, toByteOffset: 512, as: Z.self)
        t.storeBytes(of: x3_0, toByteOffset: 768, as: Z.self)
        t.storeBytes(of: x4_0, toByteOffset: 1024, as: Z.self)
        t.storeBytes(of: x5_0, toByteOffset: 1280, as: Z.self)
        t.storeBytes(of: x6_0, toByteOffset: 1536, as: Z.self)
        t.storeBytes(of: x7_0, toByteOffset: 1792, as: Z.self)
        t.storeBytes(of: x8_0, toByteOffset: 2048, as: Z.self)
        t.storeBytes(of: x9_0, toByteOffset: 2304, as: Z.self)
        t.storeBytes(of: x10_0, toByteOffset: 2560, as: Z.self)
        t.storeBytes(of: x11_0, toByteOffset: 2816, as: Z.self)
    }

    @inline(__always)
    static func tile8x32(_ segments: Int, _ segmentStride: Int, _ quads: Int, _ a: UnsafePointer<UInt8>, _ lda: Int,
                         _ w: UnsafeRawPointer, _ tile: UnsafeMutablePointer<Int32>) {
        var x0_0 = Z(), x0_1 = Z()
        var x1_0 = Z(), x1_1 = Z()
        var x2_0 = Z(), x2_1 = Z()
        var x3_0 = Z(), x3_1 = Z()
        var x4_0 = Z(), x4_1 = Z()
        var x5_0 = Z(), x5_1 = Z()
        var x6_0 = Z(), x6_1 = Z()
        var x7_0 = Z(), x7_1 = Z()
        var wp = w
        for segment in 0..<segments {
            var ap = UnsafeRawPointer(a) + segment * segmentStride
            for _ in 0..<quads {
                let w0 = arca_load_i32x16(wp + 0), w1 = arca_load_i32x16(wp + 64)
                var s = arca_broadcast_i32x16(ap); x0_0 = arca_dpbusd(x0_0, s, w0); x0_1 = arca_dpbusd(x0_1, s, w1)
                s = arca_broadcast_i32x16(ap + lda); x1_0 = arca_dpbusd(x1_0, s, w0); x1_1 = arca_dpbusd(x1_1, s, w1)
                s = arca_broadcast_i32x16(ap + 2 * lda); x2_0 = arca_dpbusd(x2_0, s, w0); x2_1 = arca_dpbusd(x2_1, s, w1)
                s = arca_broadcast_i32x16(ap + 3 * lda); x3_0 = arca_dpbusd(x3_0, s, w0); x3_1 = arca_dpbusd(x3_1, s, w1)
                s = arca_broadcast_i32x16(ap + 4 * lda); x4_0 = arca_dpbusd(x4_0, s, w0); x4_1 = arca_dpbusd(x4_1, s, w1)
                s = arca_broadcast_i32x16(ap + 5 * lda); x5_0 = arca_dpbusd(x5_0, s, w0); x5_1 = arca_dpbusd(x5_1, s, w1)
                s = arca_broadcast_i32x16(ap + 6 * lda); x6_0 = arca_dpbusd(x6_0, s, w0); x6_1 = arca_dpbusd(x6_1, s, w1)
                s = arca_broadcast_i32x16(ap + 7 * lda); x7_0 = arca_dpbusd(x7_0, s, w0); x7_1 = arca_dpbusd(x7_1, s, w1)
                wp += 128
                ap += 4
            }
        }
        let t = UnsafeMutableRawPointer(tile)
        t.storeBytes(of: x0_0, toByteOffset: 0, as: Z.self); t.storeBytes(of: x0_1, toByteOffset: 64, as: Z.self)
        t.storeBytes(of: x1_0, toByteOffset: 256, as: Z.self); t.storeBytes(of: x1_1, toByteOffset: 320, as: Z.self)
        t.storeBytes(of: x2_0, toByteOffset: 512, as: Z.self); t.storeBytes(of: x2_1, toByteOffset: 576, as: Z.self)
        t.storeBytes(of: x3_0, toByteOffset: 768, as: Z.self); t.storeBytes(of: x3_1, toByteOffset: 832, as: Z.self)
        t.storeBytes(of: x4_0, toByteOffset: 1024, as: Z.self); t.storeBytes(of: x4_1, toByteOffset: 1088, as: Z.self)
        t.storeBytes(of: x5_0, toByteOffset: 1280, as: Z.self); t.storeBytes(of: x5_1, toByteOffset: 1344, as: Z.self)
        t.storeBytes(of: x6_0, toByteOffset: 1536, as: Z.self); t.storeBytes(of: x6_1, toByteOffset: 1600, as: Z.self)
        t.storeBytes(of: x7_0, toByteOffset: 1792, as: Z.self); t.storeBytes(of: x7_1, toByteOffset: 1856, as: Z.self)
    }

    @inline(__always)
    static func tile6x48(_ segments: Int, _ segmentStride: Int, _ quads: Int, _ a: UnsafePointer<UInt8>, _ lda: Int,
                         _ w: UnsafeRawPointer, _ tile: UnsafeMutablePointer<Int32>) {
        var x0_0 = Z(), x0_1 = Z(), x0_2 = Z()
        var x1_0 = Z(), x1_1 = Z(), x1_2 = Z()
        var x2_0 = Z(), x2_1 = Z(), x2_2 = Z()
        var x3_0 = Z(), x3_1 = Z(), x3_2 = Z()
        var x4_0 = Z(), x4_1 = Z(), x4_2 = Z()
        var x5_0 = Z(), x5_1 = Z(), x5_2 = Z()
        var wp = w
        for segment in 0..<segments {
            var ap = UnsafeRawPointer(a) + segment * segmentStride
            for _ in 0..<quads {
                let w0 = arca_load_i32x16(wp + 0), w1 = arca_load_i32x16(wp + 64), w2 = arca_load_i32x16(wp + 128)
                var s = arca_broadcast_i32x16(ap); x0_0 = arca_dpbusd(x0_0, s, w0); x0_1 = arca_dpbusd(x0_1, s, w1); x0_2 = arca_dpbusd(x0_2, s, w2)
                s = arca_broadcast_i32x16(ap + lda); x1_0 = arca_dpbusd(x1_0, s, w0); x1_1 = arca_dpbusd(x1_1, s, w1); x1_2 = arca_dpbusd(x1_2, s, w2)
                s = arca_broadcast_i32x16(ap + 2 * lda); x2_0 = arca_dpbusd(x2_0, s, w0); x2_1 = arca_dpbusd(x2_1, s, w1); x2_2 = arca_dpbusd(x2_2, s, w2)
                s = arca_broadcast_i32x16(ap + 3 * lda); x3_0 = arca_dpbusd(x3_0, s, w0); x3_1 = arca_dpbusd(x3_1, s, w1); x3_2 = arca_dpbusd(x3_2, s, w2)
                s = arca_broadcast_i32x16(ap + 4 * lda); x4_0 = arca_dpbusd(x4_0, s, w0); x4_1 = arca_dpbusd(x4_1, s, w1); x4_2 = arca_dpbusd(x4_2, s, w2)
                s = arca_broadcast_i32x16(ap + 5 * lda); x5_0 = arca_dpbusd(x5_0, s, w0); x5_1 = arca_dpbusd(x5_1, s, w1); x5_2 = arca_dpbusd(x5_2, s, w2)
                wp += 192
                ap += 4
            }
        }
        let t = UnsafeMutableRawPointer(tile)
        t.storeBytes(of: x0_0, toByteOffset: 0, as: Z.self); t.storeBytes(of: x0_1, toByteOffset: 64, as: Z.self); t.storeBytes(of: x0_2, toByteOffset: 128, as: Z.self)
        t.storeBytes(of: x1_0, toByteOffset: 256, as: Z.self); t.storeBytes(of: x1_1, toByteOffset: 320, as: Z.self); t.storeBytes(of: x1_2, toByteOffset: 384, as: Z.self)
        t.storeBytes(of: x2_0, toByteOffset: 512, as: Z.self); t.storeBytes(of: x2_1, toByteOffset: 576, as: Z.self); t.storeBytes(of: x2_2, toByteOffset: 640, as: Z.self)
        t.storeBytes(of: x3_0, toByteOffset: 768, as: Z.self); t.storeBytes(of: x3_1, toByteOffset: 832, as: Z.self); t.storeBytes(of: x3_2, toByteOffset: 896, as: Z.self)
        t.storeBytes(of: x4_0, toByteOffset: 1024, as: Z.self); t.storeBytes(of: x4_1, toByteOffset: 1088, as: Z.self); t.storeBytes(of: x4_2, toByteOffset: 1152, as: Z.self)
        t.storeBytes(of: x5_0, toByteOffset: 1280, as: Z.self); t.storeBytes(of: x5_1, toByteOffset: 1344, as: Z.self); t.storeBytes(of: x5_2, toByteOffset: 1408, as: Z.self)
    }

    @inline(__always)
    static func tile4x64(_ segments: Int, _ segmentStride: Int, _ quads: Int, _ a: UnsafePointer<UInt8>, _ lda: Int,
                         _ w: UnsafeRawPointer, _ tile: UnsafeMutablePointer<Int32>) {
        var x0_0 = Z(), x0_1 = Z(), x0_2 = Z(), x0_3 = Z()
        var x1_0 = Z(), x1_1 = Z(), x1_2 = Z(), x1_3 = Z()
        var x2_0 = Z(), x2_1 = Z(), x2_2 = Z(), x2_3 = Z()
        var x3_0 = Z(), x3_1 = Z(), x3_2 = Z(), x3_3 = Z()
        var wp = w
        for segment in 0..<segments {
            var ap = UnsafeRawPointer(a) + segment * segmentStride
            for _ in 0..<quads {
                let w0 = arca_load_i32x16(wp + 0), w1 = arca_load_i32x16(wp + 64), w2 = arca_load_i32x16(wp + 128), w3 = arca_load_i32x16(wp + 192)
                var s = arca_broadcast_i32x16(ap); x0_0 = arca_dpbusd(x0_0, s, w0); x0_1 = arca_dpbusd(x0_1, s, w1); x0_2 = arca_dpbusd(x0_2, s, w2); x0_3 = arca_dpbusd(x0_3, s, w3)
                s = arca_broadcast_i32x16(ap + lda); x1_0 = arca_dpbusd(x1_0, s, w0); x1_1 = arca_dpbusd(x1_1, s, w1); x1_2 = arca_dpbusd(x1_2, s, w2); x1_3 = arca_dpbusd(x1_3, s, w3)
                s = arca_broadcast_i32x16(ap + 2 * lda); x2_0 = arca_dpbusd(x2_0, s, w0); x2_1 = arca_dpbusd(x2_1, s, w1); x2_2 = arca_dpbusd(x2_2, s, w2); x2_3 = arca_dpbusd(x2_3, s, w3)
                s = arca_broadcast_i32x16(ap + 3 * lda); x3_0 = arca_dpbusd(x3_0, s, w0); x3_1 = arca_dpbusd(x3_1, s, w1); x3_2 = arca_dpbusd(x3_2, s, w2); x3_3 = arca_dpbusd(x3_3, s, w3)
                wp += 256
                ap += 4
            }
        }
        let t = UnsafeMutableRawPointer(tile)
        t.storeBytes(of: x0_0, toByteOffset: 0, as: Z.self); t.storeBytes(of: x0_1, toByteOffset: 64, as: Z.self); t.storeBytes(of: x0_2, toByteOffset: 128, as: Z.self); t.storeBytes(of: x0_3, toByteOffset: 192, as: Z.self)
        t.storeBytes(of: x1_0, toByteOffset: 256, as: Z.self); t.storeBytes(of: x1_1, toByteOffset: 320, as: Z.self); t.storeBytes(of: x1_2, toByteOffset: 384, as: Z.self); t.storeBytes(of: x1_3, toByteOffset: 448, as: Z.self)
        t.storeBytes(of: x2_0, toByteOffset: 512, as: Z.self); t.storeBytes(of: x2_1, toByteOffset: 576, as: Z.self); t.storeBytes(of: x2_2, toByteOffset: 640, as: Z.self); t.storeBytes(of: x2_3, toByteOffset: 704, as: Z.self)
        t.storeBytes(of: x3_0, toByteOffset: 768, as: Z.self); t.storeBytes(of: x3_1, toByteOffset: 832, as: Z.self); t.storeBytes(of: x3_2, toByteOffset: 896, as: Z.self); t.storeBytes(of: x3_3, toByteOffset: 960, as: Z.self)
    }
}
