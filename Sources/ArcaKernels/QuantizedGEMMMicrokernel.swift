import CArcaCPU

/// The int8 register-blocked microkernel: a 6x16 tile of int32 sums in twelve
/// 8-lane accumulators, two K steps per `vpmaddwd` (int16 x int16 → int32 pairs).
///
/// Operands are int8 values widened to int16 (exact: |a·b| ≤ 127·127, and a K of up to
/// 2^17 cannot overflow int32). `a` is row-major int16 (row r at `a + r * lda`, K padded
/// to even); `b` a ``PackedInt8B`` panel (per K pair, 16 columns x 2 int8, sign-extended to
/// int16 by the loads).
/// AVX2 has no int8 dot product (VNNI); `vpmaddubsw` (u8 x s8) would saturate int16 pair
/// sums unless one operand loses a bit, so the kernel widens and stays exact.
enum QuantizedGEMMMicrokernel {
    static let mr = 6
    static let nr = 16

    typealias V = SIMD4<Int64>

    /// Writes the 6x16 int32 tile to `out` (row stride 16).
    @inline(__always)
    static func tile(_ kPairs: Int, _ a: UnsafePointer<Int16>, lda: Int, _ b: UnsafePointer<Int8>,
                     _ out: UnsafeMutablePointer<Int32>) {
        var c00 = V(), c01 = V(), c10 = V(), c11 = V(), c20 = V(), c21 = V()
        var c30 = V(), c31 = V(), c40 = V(), c41 = V(), c50 = V(), c51 = V()
        let stride = lda * 2
        var a0 = UnsafeRawPointer(a)
        var a3 = a0 + 3 * stride
        var bp = UnsafeRawPointer(b)
        for _ in 0..<kPairs {
            let b0 = arca_load_i8x16_as_i16(bp), b1 = arca_load_i8x16_as_i16(bp + 16)
            var s = arca_broadcast_i32(a0)
            c00 = arca_add_i32(c00, arca_madd_i16(s, b0)); c01 = arca_add_i32(c01, arca_madd_i16(s, b1))
            s = arca_broadcast_i32(a0 + stride)
            c10 = arca_add_i32(c10, arca_madd_i16(s, b0)); c11 = arca_add_i32(c11, arca_madd_i16(s, b1))
            s = arca_broadcast_i32(a0 + 2 * stride)
            c20 = arca_add_i32(c20, arca_madd_i16(s, b0)); c21 = arca_add_i32(c21, arca_madd_i16(s, b1))
            s = arca_broadcast_i32(a3)
            c30 = arca_add_i32(c30, arca_madd_i16(s, b0)); c31 = arca_add_i32(c31, arca_madd_i16(s, b1))
            s = arca_broadcast_i32(a3 + stride)
            c40 = arca_add_i32(c40, arca_madd_i16(s, b0)); c41 = arca_add_i32(c41, arca_madd_i16(s, b1))
            s = arca_broadcast_i32(a3 + 2 * stride)
            c50 = arca_add_i32(c50, arca_madd_i16(s, b0)); c51 = arca_add_i32(c51, arca_madd_i16(s, b1))
            a0 += 4
            a3 += 4
            bp += 32
        }
        let o = UnsafeMutableRawPointer(out)
        o.storeBytes(of: c00, toByteOffset: 0, as: V.self); o.storeBytes(of: c01, toByteOffset: 32, as: V.self)
        o.storeBytes(of: c10, toByteOffset: 64, as: V.self); o.storeBytes(of: c11, toByteOffset: 96, as: V.self)
        o.storeBytes(of: c20, toByteOffset: 128, as: V.self); o.storeBytes(of: c21, toByteOffset: 160, as: V.self)
        o.storeBytes(of: c30, toByteOffset: 192, as: V.self); o.storeBytes(of: c31, toByteOffset: 224, as: V.self)
        o.storeBytes(of: c40, toByteOffset: 256, as: V.self); o.storeBytes(of: c41, toByteOffset: 288, as: V.self)
        o.storeBytes(of: c50, toByteOffset: 320, as: V.self); o.storeBytes(of: c51, toByteOffset: 352, as: V.self)
    }
}

/// The AVX-512 VNNI microkernel: a 6x32 tile of int32 sums in twelve 16-lane accumulators,
/// four K steps per `vpdpbusd` (u8 x s8 → int32).
///
/// `a` holds activations shifted to unsigned bytes (q + 128), row-major with row stride `lda`
/// bytes and K padded to a multiple of 4; `b` a ``PackedInt8B`` VNNI panel (per K quad, 32
/// columns x 4 signed bytes). The sums are Σ (q + 128)·w; the caller subtracts 128·Σw per
/// column. Wrapping int32 arithmetic makes the difference exact whenever the true sum fits.
/// `prefetch` asks for B's lines eight K quads ahead (the first row panel to read a panel
/// takes it from L3 or memory; see ``GEMMMicrokernel``).
enum VNNIMicrokernel {
    static let mr = 6
    static let nr = 32

    typealias V = SIMD8<Int64>

    /// Writes the 6x32 int32 tile to `out` (row stride 32).
    @inline(__always)
    static func tile(_ kQuads: Int, _ a: UnsafePointer<UInt8>, lda: Int, _ b: UnsafePointer<Int8>,
                     _ out: UnsafeMutablePointer<Int32>, prefetch: Bool) {
        var c00 = V(), c01 = V(), c10 = V(), c11 = V(), c20 = V(), c21 = V()
        var c30 = V(), c31 = V(), c40 = V(), c41 = V(), c50 = V(), c51 = V()
        var a0 = UnsafeRawPointer(a)
        var a3 = a0 + 3 * lda
        var bp = UnsafeRawPointer(b)
        for _ in 0..<kQuads {
            if prefetch {
                arca_prefetch(bp + 1024)
                arca_prefetch(bp + 1088)
            }
            let b0 = arca_load_i32x16(bp), b1 = arca_load_i32x16(bp + 64)
            var s = arca_broadcast_i32x16(a0)
            c00 = arca_dpbusd(c00, s, b0); c01 = arca_dpbusd(c01, s, b1)
            s = arca_broadcast_i32x16(a0 + lda)
            c10 = arca_dpbusd(c10, s, b0); c11 = arca_dpbusd(c11, s, b1)
            s = arca_broadcast_i32x16(a0 + 2 * lda)
            c20 = arca_dpbusd(c20, s, b0); c21 = arca_dpbusd(c21, s, b1)
            s = arca_broadcast_i32x16(a3)
            c30 = arca_dpbusd(c30, s, b0); c31 = arca_dpbusd(c31, s, b1)
            s = arca_broadcast_i32x16(a3 + lda)
            c40 = arca_dpbusd(c40, s, b0); c41 = arca_dpbusd(c41, s, b1)
            s = arca_broadcast_i32x16(a3 + 2 * lda)
            c50 = arca_dpbusd(c50, s, b0); c51 = arca_dpbusd(c51, s, b1)
            a0 += 4
            a3 += 4
            bp += 128
        }
        let o = UnsafeMutableRawPointer(out)
        o.storeBytes(of: c00, toByteOffset: 0, as: V.self); o.storeBytes(of: c01, toByteOffset: 64, as: V.self)
        o.storeBytes(of: c10, toByteOffset: 128, as: V.self); o.storeBytes(of: c11, toByteOffset: 192, as: V.self)
        o.storeBytes(of: c20, toByteOffset: 256, as: V.self); o.storeBytes(of: c21, toByteOffset: 320, as: V.self)
        o.storeBytes(of: c30, toByteOffset: 384, as: V.self); o.storeBytes(of: c31, toByteOffset: 448, as: V.self)
        o.storeBytes(of: c40, toByteOffset: 512, as: V.self); o.storeBytes(of: c41, toByteOffset: 576, as: V.self)
        o.storeBytes(of: c50, toByteOffset: 640, as: V.self); o.storeBytes(of: c51, toByteOffset: 704, as: V.self)
    }
}
