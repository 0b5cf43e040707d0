#ifndef ARCA_INT8_H
#define ARCA_INT8_H
/*
 * One-instruction wrappers for the int8 kernels (written in Swift, ArcaKernels/Quantized*).
 *
 * Swift's SIMD types never form vpmaddwd: SIMD16<Int32>(truncatingIfNeeded: SIMD16<Int16>)
 * calls an unspecialized generic and the multiply stays vpmulld (checked with -emit-assembly,
 * swiftc 6.3, -march=native). A static inline wrapper over the intrinsic is imported by Swift
 * with `arca_i32x8` as SIMD4<Int64> / `arca_f32x8` as SIMD8<Float> and compiles to the single
 * instruction. Without AVX2 the same functions are portable loops with identical results.
 */
#include <stdint.h>

typedef long long arca_i32x8 __attribute__((vector_size(32)));
typedef float arca_f32x8 __attribute__((vector_size(32)));

#if defined(__AVX2__)
#include <immintrin.h>

/// Eight int32 sums of adjacent int16 products: r[i] = a[2i]*b[2i] + a[2i+1]*b[2i+1] (vpmaddwd).
static inline arca_i32x8 arca_madd_i16(arca_i32x8 a, arca_i32x8 b) {
    return (arca_i32x8)_mm256_madd_epi16((__m256i)a, (__m256i)b);
}
/// Lane-wise int32 addition (vpaddd).
static inline arca_i32x8 arca_add_i32(arca_i32x8 a, arca_i32x8 b) {
    return (arca_i32x8)_mm256_add_epi32((__m256i)a, (__m256i)b);
}
/// The 32 bits at `p` (unaligned) in every int32 lane (vpbroadcastd).
static inline arca_i32x8 arca_broadcast_i32(const void *p) {
    int32_t v;
    __builtin_memcpy(&v, p, 4);
    return (arca_i32x8)_mm256_set1_epi32(v);
}
/// 32 bytes at `p`, unaligned (vmovdqu).
static inline arca_i32x8 arca_load_i32x8(const void *p) {
    return (arca_i32x8)_mm256_loadu_si256((const __m256i *)p);
}
/// int32 lanes to float (vcvtdq2ps).
static inline arca_f32x8 arca_i32_to_f32(arca_i32x8 a) {
    return (arca_f32x8)_mm256_cvtepi32_ps((__m256i)a);
}
/// Sixteen int8 at `p` (unaligned), sign-extended to sixteen int16 lanes (vpmovsxbw).
static inline arca_i32x8 arca_load_i8x16_as_i16(const void *p) {
    return (arca_i32x8)_mm256_cvtepi8_epi16(_mm_loadu_si128((const __m128i *)p));
}
/// Sixteen floats rounded to nearest-even int16 (saturating) and stored in order at `dst`
/// (vcvtps2dq, vpackssdw, vpermq). Callers keep |x| <= 127.
static inline void arca_f32_to_i16x16(arca_f32x8 lo, arca_f32x8 hi, int16_t *dst) {
    __m256i a = _mm256_cvtps_epi32((__m256)lo), b = _mm256_cvtps_epi32((__m256)hi);
    __m256i p = _mm256_permute4x64_epi64(_mm256_packs_epi32(a, b), 0xD8);
    _mm256_storeu_si256((__m256i *)dst, p);
}
#else
static inline arca_i32x8 arca_madd_i16(arca_i32x8 a, arca_i32x8 b) {
    int16_t x[16], y[16]; int32_t r[8]; arca_i32x8 out;
    __builtin_memcpy(x, &a, 32); __builtin_memcpy(y, &b, 32);
    for (int i = 0; i < 8; i++) r[i] = (int32_t)x[2 * i] * y[2 * i] + (int32_t)x[2 * i + 1] * y[2 * i + 1];
    __builtin_memcpy(&out, r, 32);
    return out;
}
static inline arca_i32x8 arca_add_i32(arca_i32x8 a, arca_i32x8 b) {
    int32_t x[8], y[8]; arca_i32x8 out;
    __builtin_memcpy(x, &a, 32); __builtin_memcpy(y, &b, 32);
    for (int i = 0; i < 8; i++) x[i] = (int32_t)((uint32_t)x[i] + (uint32_t)y[i]);
    __builtin_memcpy(&out, x, 32);
    return out;
}
static inline arca_i32x8 arca_broadcast_i32(const void *p) {
    int32_t v, r[8]; arca_i32x8 out;
    __builtin_memcpy(&v, p, 4);
    for (int i = 0; i < 8; i++) r[i] = v;
    __builtin_memcpy(&out, r, 32);
    return out;
}
static inline arca_i32x8 arca_load_i32x8(const void *p) {
    arca_i32x8 out; __builtin_memcpy(&out, p, 32); return out;
}
static inline arca_i32x8 arca_load_i8x16_as_i16(const void *p) {
    int8_t x[16]; int16_t r[16]; arca_i32x8 out;
    __builtin_memcpy(x, p, 16);
    for (int i = 0; i < 16; i++) r[i] = x[i];
    __builtin_memcpy(&out, r, 32);
    return out;
}
static inline arca_f32x8 arca_i32_to_f32(arca_i32x8 a) {
    int32_t x[8]; float r[8]; arca_f32x8 out;
    __builtin_memcpy(x, &a, 32);
    for (int i = 0; i < 8; i++) r[i] = (float)x[i];
    __builtin_memcpy(&out, r, 32);
    return out;
}
static inline void arca_f32_to_i16x16(arca_f32x8 lo, arca_f32x8 hi, int16_t *dst) {
    float x[16];
    __builtin_memcpy(x, &lo, 32); __builtin_memcpy(x + 8, &hi, 32);
    for (int i = 0; i < 16; i++) {
        float r = __builtin_rintf(x[i]);
        dst[i] = (int16_t)(r > 32767.f ? 32767.f : r < -32768.f ? -32768.f : r);
    }
}
#endif

/*
 * AVX-512 VNNI: sixteen int32 lanes, each += the four products of unsigned bytes of `a` and
 * signed bytes of `b` (vpdpbusd; no saturation, sums wrap modulo 2^32). Imported with
 * `arca_i32x16` as SIMD8<Int64>. Without VNNI: AVX2 sequences or portable loops, same results.
 */
typedef long long arca_i32x16 __attribute__((vector_size(64)));
typedef float arca_f32x16_q __attribute__((vector_size(64)));

#if defined(__AVX512VNNI__) && defined(__AVX512F__)
/// acc[i] += Σ_{j<4} u8(a[4i+j]) * s8(b[4i+j]) (vpdpbusd).
static inline arca_i32x16 arca_dpbusd(arca_i32x16 acc, arca_i32x16 a, arca_i32x16 b) {
    return (arca_i32x16)_mm512_dpbusd_epi32((__m512i)acc, (__m512i)a, (__m512i)b);
}
/// The 32 bits at `p` (unaligned) in every lane (vpbroadcastd).
static inline arca_i32x16 arca_broadcast_i32x16(const void *p) {
    int32_t v;
    __builtin_memcpy(&v, p, 4);
    return (arca_i32x16)_mm512_set1_epi32(v);
}
/// 64 bytes at `p`, unaligned.
static inline arca_i32x16 arca_load_i32x16(const void *p) {
    return (arca_i32x16)_mm512_loadu_si512(p);
}
/// int32 lanes minus `b`'s lanes, to float (vpsubd, vcvtdq2ps).
static inline arca_f32x16_q arca_sub_i32_to_f32x16(arca_i32x16 a, arca_i32x16 b) {
    return (arca_f32x16_q)_mm512_cvtepi32_ps(_mm512_sub_epi32((__m512i)a, (__m512i)b));
}
/// Sixteen floats rounded to nearest-even, plus 128, stored as bytes at `dst` (vcvtps2dq,
/// vpaddd, vpmovusdb). Callers keep x NaN-free and |x| <= 127.
static inline void arca_f32_to_u8x16_shifted(arca_f32x16_q x, uint8_t *dst) {
    __m512i q = _mm512_add_epi32(_mm512_cvtps_epi32((__m512)x), _mm512_set1_epi32(128));
    _mm_storeu_si128((__m128i *)dst, _mm512_cvtusepi32_epi8(q));
}
#elif defined(__AVX2__)
/*
 * AVX2 without VNNI: every 16-lane function works on two 8-lane halves; the split, join and
 * byte-packing helpers below are shared with arca_qconv.h.
 */
static inline __m256i arca_q_lo_i(arca_i32x16 v) { return (__m256i)__builtin_shufflevector(v, v, 0, 1, 2, 3); }
static inline __m256i arca_q_hi_i(arca_i32x16 v) { return (__m256i)__builtin_shufflevector(v, v, 4, 5, 6, 7); }
static inline arca_i32x16 arca_q_join_i(__m256i lo, __m256i hi) {
    arca_i32x8 l = (arca_i32x8)lo, h = (arca_i32x8)hi;
    return __builtin_shufflevector(l, h, 0, 1, 2, 3, 4, 5, 6, 7);
}
static inline __m256 arca_q_lo_f(arca_f32x16_q v) { return (__m256)__builtin_shufflevector(v, v, 0, 1, 2, 3, 4, 5, 6, 7); }
static inline __m256 arca_q_hi_f(arca_f32x16_q v) { return (__m256)__builtin_shufflevector(v, v, 8, 9, 10, 11, 12, 13, 14, 15); }
static inline arca_f32x16_q arca_q_join_f(__m256 lo, __m256 hi) {
    arca_f32x8 l = (arca_f32x8)lo, h = (arca_f32x8)hi;
    return __builtin_shufflevector(l, h, 0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15);
}
/// Sixteen int32 lanes in 0...255 (lanes 0-7 in `lo`, 8-15 in `hi`) as sixteen bytes, in
/// order (vpackusdw, vpermq, vpackuswb).
static inline __m128i arca_q_pack_bytes(__m256i lo, __m256i hi) {
    __m256i w = _mm256_permute4x64_epi64(_mm256_packus_epi32(lo, hi), 0xD8);
    return _mm_packus_epi16(_mm256_castsi256_si128(w), _mm256_extracti128_si256(w, 1));
}

/*
 * The byte dot product, exactly. vpmaddubsw would saturate (two products of 255 and -128
 * exceed int16), so bytes are widened in place to int16 words instead: the even bytes of
 * each word (a & 0xFF, b sign-extended by shifts) and the odd bytes (a >> 8, b >> 8
 * arithmetic); one vpmaddwd on each pairs bytes 4i, 4i+2 and 4i+1, 4i+3 of lane i, so lane
 * i gets all four products with no shuffle.
 */
static inline __m256i arca_dpbusd_half(__m256i acc, __m256i a, __m256i b) {
    const __m256i low = _mm256_set1_epi16(0x00FF);
    __m256i aEven = _mm256_and_si256(a, low), aOdd = _mm256_srli_epi16(a, 8);
    __m256i bEven = _mm256_srai_epi16(_mm256_slli_epi16(b, 8), 8), bOdd = _mm256_srai_epi16(b, 8);
    __m256i s = _mm256_add_epi32(_mm256_madd_epi16(aEven, bEven), _mm256_madd_epi16(aOdd, bOdd));
    return _mm256_add_epi32(acc, s);
}
static inline arca_i32x16 arca_dpbusd(arca_i32x16 acc, arca_i32x16 a, arca_i32x16 b) {
    return arca_q_join_i(arca_dpbusd_half(arca_q_lo_i(acc), arca_q_lo_i(a), arca_q_lo_i(b)),
                         arca_dpbusd_half(arca_q_hi_i(acc), arca_q_hi_i(a), arca_q_hi_i(b)));
}
static inline arca_i32x16 arca_broadcast_i32x16(const void *p) {
    int32_t v;
    __builtin_memcpy(&v, p, 4);
    __m256i h = _mm256_set1_epi32(v);
    return arca_q_join_i(h, h);
}
static inline arca_i32x16 arca_load_i32x16(const void *p) {
    return arca_q_join_i(_mm256_loadu_si256((const __m256i *)p), _mm256_loadu_si256((const __m256i *)((const char *)p + 32)));
}
static inline arca_f32x16_q arca_sub_i32_to_f32x16(arca_i32x16 a, arca_i32x16 b) {
    return arca_q_join_f(_mm256_cvtepi32_ps(_mm256_sub_epi32(arca_q_lo_i(a), arca_q_lo_i(b))),
                         _mm256_cvtepi32_ps(_mm256_sub_epi32(arca_q_hi_i(a), arca_q_hi_i(b))));
}
/// vcvtps2dq, vpaddd, clamp to 0...255 (vpmaxsd, vpminsd), then ``arca_q_pack_bytes``.
static inline void arca_f32_to_u8x16_shifted(arca_f32x16_q x, uint8_t *dst) {
    const __m256i bias = _mm256_set1_epi32(128), zero = _mm256_setzero_si256(), top = _mm256_set1_epi32(255);
    __m256i a = _mm256_min_epi32(_mm256_max_epi32(_mm256_add_epi32(_mm256_cvtps_epi32(arca_q_lo_f(x)), bias), zero), top);
    __m256i b = _mm256_min_epi32(_mm256_max_epi32(_mm256_add_epi32(_mm256_cvtps_epi32(arca_q_hi_f(x)), bias), zero), top);
    _mm_storeu_si128((__m128i *)dst, arca_q_pack_bytes(a, b));
}
#else
static inline arca_i32x16 arca_dpbusd(arca_i32x16 acc, arca_i32x16 a, arca_i32x16 b) {
    uint8_t x[64]; int8_t y[64]; uint32_t r[16]; arca_i32x16 out;
    __builtin_memcpy(x, &a, 64); __builtin_memcpy(y, &b, 64); __builtin_memcpy(r, &acc, 64);
    for (int i = 0; i < 16; i++)
        for (int j = 0; j < 4; j++) r[i] += (uint32_t)((int32_t)x[4 * i + j] * (int32_t)y[4 * i + j]);
    __builtin_memcpy(&out, r, 64);
    return out;
}
static inline arca_i32x16 arca_broadcast_i32x16(const void *p) {
    int32_t v, r[16]; arca_i32x16 out;
    __builtin_memcpy(&v, p, 4);
    for (int i = 0; i < 16; i++) r[i] = v;
    __builtin_memcpy(&out, r, 64);
    return out;
}
static inline arca_i32x16 arca_load_i32x16(const void *p) {
    arca_i32x16 out; __builtin_memcpy(&out, p, 64); return out;
}
static inline arca_f32x16_q arca_sub_i32_to_f32x16(arca_i32x16 a, arca_i32x16 b) {
    int32_t x[16], y[16]; float r[16]; arca_f32x16_q out;
    __builtin_memcpy(x, &a, 64); __builtin_memcpy(y, &b, 64);
    for (int i = 0; i < 16; i++) r[i] = (float)(int32_t)((uint32_t)x[i] - (uint32_t)y[i]);
    __builtin_memcpy(&out, r, 64);
    return out;
}
static inline void arca_f32_to_u8x16_shifted(arca_f32x16_q x, uint8_t *dst) {
    float v[16];
    __builtin_memcpy(v, &x, 64);
    for (int i = 0; i < 16; i++) {
        float r = __builtin_rintf(v[i]) + 128.f;
        dst[i] = (uint8_t)(r > 255.f ? 255.f : r < 0.f ? 0.f : r);
    }
}
#endif
#endif
