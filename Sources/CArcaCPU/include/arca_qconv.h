#ifndef ARCA_QCONV_H
#define ARCA_QCONV_H
/*
 * One-instruction wrappers (or short fixed sequences) for the uint8 activation kernels,
 * written in Swift (ArcaKernels/Quantized*). Types come from arca_int8.h: `arca_i32x16`
 * (SIMD8<Int64> in Swift, sixteen int32 lanes) and `arca_f32x16_q` (SIMD16<Float>).
 * With AVX2 alone they run on two 8-lane halves; without either, portable loops with identical
 * results.
 */
#include <stdint.h>
#include "arca_int8.h"

#if defined(__AVX512F__) && defined(__AVX512BW__)
#include <immintrin.h>

/// Rounds sixteen floats to nearest-even integers, clamps them to 0...255 and stores the
/// lanes set in `mask` as bytes at `dst` (vcvtps2dq, vpmaxsd, vpmovusdb, vmovdqu8).
/// Callers clamp the floats to a few hundred first (cvtps2dq overflows to INT_MIN).
static inline void arca_store_u8x16_from_f32(arca_f32x16_q y, uint8_t *dst, uint16_t mask) {
    __m512i q = _mm512_max_epi32(_mm512_cvtps_epi32((__m512)y), _mm512_setzero_si512());
    __m128i b = _mm512_cvtusepi32_epi8(q);
    if (mask == 0xFFFF) _mm_storeu_si128((__m128i *)dst, b);
    else _mm_mask_storeu_epi8(dst, (__mmask16)mask, b);
}
/// ``arca_store_u8x16_from_f32`` of floats already within 0...255 (vcvtps2dq, vpmovdb with the
/// lane mask): no clamp of the integers.
static inline void arca_store_u8x16_in_range(arca_f32x16_q y, uint8_t *dst, uint16_t mask) {
    _mm512_mask_cvtepi32_storeu_epi8(dst, (__mmask16)mask, _mm512_cvtps_epi32((__m512)y));
}
/// The bytes at `p` whose bit is set in `mask` (others 0), zero-extended and converted to float.
static inline arca_f32x16_q arca_load_u8x16_as_f32(const uint8_t *p, uint16_t mask) {
    __m128i b = mask == 0xFFFF ? _mm_loadu_si128((const __m128i *)p) : _mm_maskz_loadu_epi8((__mmask16)mask, p);
    return (arca_f32x16_q)_mm512_cvtepi32_ps(_mm512_cvtepu8_epi32(b));
}
/// Sixteen bytes at `p`, zero-extended to int32 lanes (vpmovzxbd).
static inline arca_i32x16 arca_load_u8x16_as_i32(const uint8_t *p) {
    return (arca_i32x16)_mm512_cvtepu8_epi32(_mm_loadu_si128((const __m128i *)p));
}
/// Lane-wise int32 products (low 32 bits), sums and differences (vpmulld, vpaddd, vpsubd).
static inline arca_i32x16 arca_mullo_i32x16(arca_i32x16 a, arca_i32x16 b) { return (arca_i32x16)_mm512_mullo_epi32((__m512i)a, (__m512i)b); }
static inline arca_i32x16 arca_add_i32x16(arca_i32x16 a, arca_i32x16 b) { return (arca_i32x16)_mm512_add_epi32((__m512i)a, (__m512i)b); }
/// int32 lanes to float (vcvtdq2ps).
static inline arca_f32x16_q arca_i32_to_f32x16(arca_i32x16 a) { return (arca_f32x16_q)_mm512_cvtepi32_ps((__m512i)a); }
/// Lane-wise maximum of unsigned bytes, 64 at a time (vpmaxub).
static inline arca_i32x16 arca_max_u8x64(arca_i32x16 a, arca_i32x16 b) { return (arca_i32x16)_mm512_max_epu8((__m512i)a, (__m512i)b); }
/// `min(max(x, lo), hi)` lane-wise (vmaxps, vminps): a NaN lane becomes `lo` (vmaxps returns its
/// second operand when one is NaN; every branch below does the same, and `Vectorized.exp` relies on it).
static inline arca_f32x16_q arca_clamp_f32x16(arca_f32x16_q x, arca_f32x16_q lo, arca_f32x16_q hi) {
    return (arca_f32x16_q)_mm512_min_ps(_mm512_max_ps((__m512)x, (__m512)lo), (__m512)hi);
}
/// `a · b + c` in one rounding (vfmadd).
static inline arca_f32x16_q arca_fma_f32x16(arca_f32x16_q a, arca_f32x16_q b, arca_f32x16_q c) {
    return (arca_f32x16_q)_mm512_fmadd_ps((__m512)a, (__m512)b, (__m512)c);
}
/// `1 / x` lane-wise: vrcp14ps refined by one Newton step, `r (2 − x r)` (about 1 ulp; x finite, non-zero).
static inline arca_f32x16_q arca_rcp_f32x16(arca_f32x16_q x) {
    __m512 r = _mm512_rcp14_ps((__m512)x);
    return (arca_f32x16_q)_mm512_mul_ps(r, _mm512_fnmadd_ps((__m512)x, r, _mm512_set1_ps(2.0f)));
}
/// GELU's out-of-fit lanes: 0 where x < −8, NaN where x = −∞, x where x > 8, else r (k-mask blends).
static inline arca_f32x16_q arca_gelu_tail_f32x16(arca_f32x16_q x, arca_f32x16_q r) {
    __m512 xv = (__m512)x, rv = (__m512)r;
    rv = _mm512_mask_blend_ps(_mm512_cmp_ps_mask(xv, _mm512_set1_ps(-8.0f), _CMP_LT_OQ), rv, _mm512_setzero_ps());
    rv = _mm512_mask_blend_ps(_mm512_cmp_ps_mask(xv, _mm512_set1_ps(-__builtin_inff()), _CMP_EQ_OQ), rv, _mm512_set1_ps(__builtin_nanf("")));
    rv = _mm512_mask_blend_ps(_mm512_cmp_ps_mask(xv, _mm512_set1_ps(8.0f), _CMP_GT_OQ), rv, xv);
    return (arca_f32x16_q)rv;
}
/// `a < b ? t : f` lane-wise (ordered: NaN lanes take f).
static inline arca_f32x16_q arca_blend_lt_f32x16(arca_f32x16_q a, arca_f32x16_q b, arca_f32x16_q t, arca_f32x16_q f) {
    return (arca_f32x16_q)_mm512_mask_blend_ps(_mm512_cmp_ps_mask((__m512)a, (__m512)b, _CMP_LT_OQ), (__m512)f, (__m512)t);
}
/// `a > b ? t : f` lane-wise (ordered: NaN lanes take f).
static inline arca_f32x16_q arca_blend_gt_f32x16(arca_f32x16_q a, arca_f32x16_q b, arca_f32x16_q t, arca_f32x16_q f) {
    return (arca_f32x16_q)_mm512_mask_blend_ps(_mm512_cmp_ps_mask((__m512)a, (__m512)b, _CMP_GT_OQ), (__m512)f, (__m512)t);
}
/// `isnan(x) ? t : f` lane-wise.
static inline arca_f32x16_q arca_blend_nan_f32x16(arca_f32x16_q x, arca_f32x16_q t, arca_f32x16_q f) {
    return (arca_f32x16_q)_mm512_mask_blend_ps(_mm512_cmp_ps_mask((__m512)x, (__m512)x, _CMP_UNORD_Q), (__m512)f, (__m512)t);
}
/// `min(max(x, lo), hi)` that keeps NaN lanes NaN (maxps/minps return their second operand when one is NaN).
static inline arca_f32x16_q arca_clamp_nan_f32x16(arca_f32x16_q x, arca_f32x16_q lo, arca_f32x16_q hi) {
    return (arca_f32x16_q)_mm512_min_ps((__m512)hi, _mm512_max_ps((__m512)lo, (__m512)x));
}
/// `a > b ? a : b` lane-wise: b where either is NaN or both are zeros (vmaxps a, b).
static inline arca_f32x16_q arca_max_f32x16(arca_f32x16_q a, arca_f32x16_q b) {
    return (arca_f32x16_q)_mm512_max_ps((__m512)a, (__m512)b);
}
#elif defined(__AVX2__)
#include <immintrin.h>
/* AVX2: each 16-lane function is the same computation on two 8-lane halves (ymm), through
   the split, join and byte-packing helpers of arca_int8.h. */

/// Sixteen bytes: the `mask` lanes of `p`, 0 elsewhere (bytes outside the mask are not read).
static inline __m128i arca_q_load_bytes(const uint8_t *p, uint16_t mask) {
    if (mask == 0xFFFF) return _mm_loadu_si128((const __m128i *)p);
    uint8_t b[16] = {0};
    for (int i = 0; i < 16; i++) if (mask & (1u << i)) b[i] = p[i];
    return _mm_loadu_si128((const __m128i *)b);
}

/// vcvtps2dq and vpminsd on both halves, then ``arca_q_pack_bytes`` (its unsigned saturation
/// makes negative lanes 0): the same values as the AVX-512 form.
static inline void arca_store_u8x16_from_f32(arca_f32x16_q y, uint8_t *dst, uint16_t mask) {
    const __m256i top = _mm256_set1_epi32(255);
    __m256i a = _mm256_min_epi32(_mm256_cvtps_epi32(arca_q_lo_f(y)), top), b = _mm256_min_epi32(_mm256_cvtps_epi32(arca_q_hi_f(y)), top);
    __m128i bytes = arca_q_pack_bytes(a, b);
    if (mask == 0xFFFF) { _mm_storeu_si128((__m128i *)dst, bytes); return; }
    uint8_t v[16];
    _mm_storeu_si128((__m128i *)v, bytes);
    for (int i = 0; i < 16; i++) if (mask & (1u << i)) dst[i] = v[i];
}
static inline arca_i32x16 arca_load_u8x16_as_i32(const uint8_t *p) {
    __m128i b = _mm_loadu_si128((const __m128i *)p);
    return arca_q_join_i(_mm256_cvtepu8_epi32(b), _mm256_cvtepu8_epi32(_mm_srli_si128(b, 8)));
}
static inline arca_f32x16_q arca_load_u8x16_as_f32(const uint8_t *p, uint16_t mask) {
    __m128i b = arca_q_load_bytes(p, mask);
    return arca_q_join_f(_mm256_cvtepi32_ps(_mm256_cvtepu8_epi32(b)), _mm256_cvtepi32_ps(_mm256_cvtepu8_epi32(_mm_srli_si128(b, 8))));
}
static inline arca_i32x16 arca_mullo_i32x16(arca_i32x16 a, arca_i32x16 b) {
    return arca_q_join_i(_mm256_mullo_epi32(arca_q_lo_i(a), arca_q_lo_i(b)), _mm256_mullo_epi32(arca_q_hi_i(a), arca_q_hi_i(b)));
}
static inline arca_i32x16 arca_add_i32x16(arca_i32x16 a, arca_i32x16 b) {
    return arca_q_join_i(_mm256_add_epi32(arca_q_lo_i(a), arca_q_lo_i(b)), _mm256_add_epi32(arca_q_hi_i(a), arca_q_hi_i(b)));
}
static inline arca_f32x16_q arca_i32_to_f32x16(arca_i32x16 a) {
    return arca_q_join_f(_mm256_cvtepi32_ps(arca_q_lo_i(a)), _mm256_cvtepi32_ps(arca_q_hi_i(a)));
}
static inline arca_i32x16 arca_max_u8x64(arca_i32x16 a, arca_i32x16 b) {
    return arca_q_join_i(_mm256_max_epu8(arca_q_lo_i(a), arca_q_lo_i(b)), _mm256_max_epu8(arca_q_hi_i(a), arca_q_hi_i(b)));
}
static inline arca_f32x16_q arca_clamp_f32x16(arca_f32x16_q x, arca_f32x16_q lo, arca_f32x16_q hi) {
    return arca_q_join_f(_mm256_min_ps(_mm256_max_ps(arca_q_lo_f(x), arca_q_lo_f(lo)), arca_q_lo_f(hi)),
                         _mm256_min_ps(_mm256_max_ps(arca_q_hi_f(x), arca_q_hi_f(lo)), arca_q_hi_f(hi)));
}
static inline arca_f32x16_q arca_fma_f32x16(arca_f32x16_q a, arca_f32x16_q b, arca_f32x16_q c) {
    return arca_q_join_f(_mm256_fmadd_ps(arca_q_lo_f(a), arca_q_lo_f(b), arca_q_lo_f(c)),
                         _mm256_fmadd_ps(arca_q_hi_f(a), arca_q_hi_f(b), arca_q_hi_f(c)));
}
/// AVX2: a true division (vrcpps has 12 bits; one Newton step leaves a few ulps).
static inline arca_f32x16_q arca_rcp_f32x16(arca_f32x16_q x) {
    __m256 one = _mm256_set1_ps(1.0f);
    return arca_q_join_f(_mm256_div_ps(one, arca_q_lo_f(x)), _mm256_div_ps(one, arca_q_hi_f(x)));
}
static inline __m256 arca_gelu_tail_f32x8(__m256 x, __m256 r) {
    r = _mm256_blendv_ps(r, _mm256_setzero_ps(), _mm256_cmp_ps(x, _mm256_set1_ps(-8.0f), _CMP_LT_OQ));
    r = _mm256_blendv_ps(r, _mm256_set1_ps(__builtin_nanf("")), _mm256_cmp_ps(x, _mm256_set1_ps(-__builtin_inff()), _CMP_EQ_OQ));
    return _mm256_blendv_ps(r, x, _mm256_cmp_ps(x, _mm256_set1_ps(8.0f), _CMP_GT_OQ));
}
static inline arca_f32x16_q arca_gelu_tail_f32x16(arca_f32x16_q x, arca_f32x16_q r) {
    return arca_q_join_f(arca_gelu_tail_f32x8(arca_q_lo_f(x), arca_q_lo_f(r)), arca_gelu_tail_f32x8(arca_q_hi_f(x), arca_q_hi_f(r)));
}
static inline arca_f32x16_q arca_blend_lt_f32x16(arca_f32x16_q a, arca_f32x16_q b, arca_f32x16_q t, arca_f32x16_q f) {
    return arca_q_join_f(_mm256_blendv_ps(arca_q_lo_f(f), arca_q_lo_f(t), _mm256_cmp_ps(arca_q_lo_f(a), arca_q_lo_f(b), _CMP_LT_OQ)),
                         _mm256_blendv_ps(arca_q_hi_f(f), arca_q_hi_f(t), _mm256_cmp_ps(arca_q_hi_f(a), arca_q_hi_f(b), _CMP_LT_OQ)));
}
static inline arca_f32x16_q arca_blend_gt_f32x16(arca_f32x16_q a, arca_f32x16_q b, arca_f32x16_q t, arca_f32x16_q f) {
    return arca_q_join_f(_mm256_blendv_ps(arca_q_lo_f(f), arca_q_lo_f(t), _mm256_cmp_ps(arca_q_lo_f(a), arca_q_lo_f(b), _CMP_GT_OQ)),
                         _mm256_blendv_ps(arca_q_hi_f(f), arca_q_hi_f(t), _mm256_cmp_ps(arca_q_hi_f(a), arca_q_hi_f(b), _CMP_GT_OQ)));
}
static inline arca_f32x16_q arca_blend_nan_f32x16(arca_f32x16_q x, arca_f32x16_q t, arca_f32x16_q f) {
    return arca_q_join_f(_mm256_blendv_ps(arca_q_lo_f(f), arca_q_lo_f(t), _mm256_cmp_ps(arca_q_lo_f(x), arca_q_lo_f(x), _CMP_UNORD_Q)),
                         _mm256_blendv_ps(arca_q_hi_f(f), arca_q_hi_f(t), _mm256_cmp_ps(arca_q_hi_f(x), arca_q_hi_f(x), _CMP_UNORD_Q)));
}
static inline arca_f32x16_q arca_clamp_nan_f32x16(arca_f32x16_q x, arca_f32x16_q lo, arca_f32x16_q hi) {
    return arca_q_join_f(_mm256_min_ps(arca_q_lo_f(hi), _mm256_max_ps(arca_q_lo_f(lo), arca_q_lo_f(x))),
                         _mm256_min_ps(arca_q_hi_f(hi), _mm256_max_ps(arca_q_hi_f(lo), arca_q_hi_f(x))));
}
static inline arca_f32x16_q arca_max_f32x16(arca_f32x16_q a, arca_f32x16_q b) {
    return arca_q_join_f(_mm256_max_ps(arca_q_lo_f(a), arca_q_lo_f(b)), _mm256_max_ps(arca_q_hi_f(a), arca_q_hi_f(b)));
}
#else
static inline void arca_store_u8x16_from_f32(arca_f32x16_q y, uint8_t *dst, uint16_t mask) {
    float v[16];
    __builtin_memcpy(v, &y, 64);
    for (int i = 0; i < 16; i++) {
        if (!(mask & (1u << i))) continue;
        float r = __builtin_rintf(v[i]);
        dst[i] = (uint8_t)(r > 255.f ? 255.f : r < 0.f ? 0.f : r);
    }
}
static inline arca_f32x16_q arca_load_u8x16_as_f32(const uint8_t *p, uint16_t mask) {
    float v[16]; arca_f32x16_q out;
    for (int i = 0; i < 16; i++) v[i] = (mask & (1u << i)) ? (float)p[i] : 0.f;
    __builtin_memcpy(&out, v, 64);
    return out;
}
static inline arca_i32x16 arca_load_u8x16_as_i32(const uint8_t *p) {
    int32_t v[16]; arca_i32x16 out;
    for (int i = 0; i < 16; i++) v[i] = p[i];
    __builtin_memcpy(&out, v, 64);
    return out;
}
static inline arca_i32x16 arca_mullo_i32x16(arca_i32x16 a, arca_i32x16 b) {
    uint32_t x[16], y[16]; arca_i32x16 out;
    __builtin_memcpy(x, &a, 64); __builtin_memcpy(y, &b, 64);
    for (int i = 0; i < 16; i++) x[i] = x[i] * y[i];
    __builtin_memcpy(&out, x, 64);
    return out;
}
static inline arca_i32x16 arca_add_i32x16(arca_i32x16 a, arca_i32x16 b) {
    uint32_t x[16], y[16]; arca_i32x16 out;
    __builtin_memcpy(x, &a, 64); __builtin_memcpy(y, &b, 64);
    for (int i = 0; i < 16; i++) x[i] = x[i] + y[i];
    __builtin_memcpy(&out, x, 64);
    return out;
}
static inline arca_f32x16_q arca_i32_to_f32x16(arca_i32x16 a) {
    int32_t x[16]; float r[16]; arca_f32x16_q out;
    __builtin_memcpy(x, &a, 64);
    for (int i = 0; i < 16; i++) r[i] = (float)x[i];
    __builtin_memcpy(&out, r, 64);
    return out;
}
static inline arca_f32x16_q arca_clamp_f32x16(arca_f32x16_q x, arca_f32x16_q lo, arca_f32x16_q hi) {
    float v[16], l[16], h[16]; arca_f32x16_q out;
    __builtin_memcpy(v, &x, 64); __builtin_memcpy(l, &lo, 64); __builtin_memcpy(h, &hi, 64);
    for (int i = 0; i < 16; i++) { float t = v[i] > l[i] ? v[i] : l[i]; v[i] = t < h[i] ? t : h[i]; }
    __builtin_memcpy(&out, v, 64);
    return out;
}
static inline arca_f32x16_q arca_fma_f32x16(arca_f32x16_q a, arca_f32x16_q b, arca_f32x16_q c) {
    float x[16], y[16], z[16]; arca_f32x16_q out;
    __builtin_memcpy(x, &a, 64); __builtin_memcpy(y, &b, 64); __builtin_memcpy(z, &c, 64);
    for (int i = 0; i < 16; i++) x[i] = __builtin_fmaf(x[i], y[i], z[i]);
    __builtin_memcpy(&out, x, 64);
    return out;
}
static inline arca_f32x16_q arca_rcp_f32x16(arca_f32x16_q x) {
    float v[16]; arca_f32x16_q out;
    __builtin_memcpy(v, &x, 64);
    for (int i = 0; i < 16; i++) v[i] = 1.0f / v[i];
    __builtin_memcpy(&out, v, 64);
    return out;
}
static inline arca_f32x16_q arca_gelu_tail_f32x16(arca_f32x16_q x, arca_f32x16_q r) {
    float v[16], y[16]; arca_f32x16_q out;
    __builtin_memcpy(v, &x, 64); __builtin_memcpy(y, &r, 64);
    for (int i = 0; i < 16; i++) {
        if (v[i] < -8.0f) y[i] = 0.0f;
        if (v[i] == -__builtin_inff()) y[i] = __builtin_nanf("");
        if (v[i] > 8.0f) y[i] = v[i];
    }
    __builtin_memcpy(&out, y, 64);
    return out;
}
#define ARCA_LANES16(body) float A[16], B[16], T[16], F[16]; arca_f32x16_q out; \
    __builtin_memcpy(A, &a, 64); __builtin_memcpy(B, &b, 64); __builtin_memcpy(T, &t, 64); __builtin_memcpy(F, &f, 64); \
    for (int i = 0; i < 16; i++) { body; } __builtin_memcpy(&out, F, 64); return out;
static inline arca_f32x16_q arca_blend_lt_f32x16(arca_f32x16_q a, arca_f32x16_q b, arca_f32x16_q t, arca_f32x16_q f) {
    ARCA_LANES16(if (A[i] < B[i]) F[i] = T[i])
}
static inline arca_f32x16_q arca_blend_gt_f32x16(arca_f32x16_q a, arca_f32x16_q b, arca_f32x16_q t, arca_f32x16_q f) {
    ARCA_LANES16(if (A[i] > B[i]) F[i] = T[i])
}
static inline arca_f32x16_q arca_blend_nan_f32x16(arca_f32x16_q a, arca_f32x16_q t, arca_f32x16_q f) {
    arca_f32x16_q b = a;
    ARCA_LANES16(if (A[i] != A[i]) F[i] = T[i])
}
static inline arca_f32x16_q arca_clamp_nan_f32x16(arca_f32x16_q a, arca_f32x16_q b, arca_f32x16_q t) {
    arca_f32x16_q f = a;
    ARCA_LANES16(if (A[i] < B[i]) F[i] = B[i]; if (A[i] > T[i]) F[i] = T[i])
}
static inline arca_f32x16_q arca_max_f32x16(arca_f32x16_q a, arca_f32x16_q b) {
    arca_f32x16_q t = a, f = b;
    ARCA_LANES16(if (A[i] > B[i]) F[i] = A[i])
}
#undef ARCA_LANES16
static inline arca_i32x16 arca_max_u8x64(arca_i32x16 a, arca_i32x16 b) {
    uint8_t x[64], y[64]; arca_i32x16 out;
    __builtin_memcpy(x, &a, 64); __builtin_memcpy(y, &b, 64);
    for (int i = 0; i < 64; i++) x[i] = x[i] > y[i] ? x[i] : y[i];
    __builtin_memcpy(&out, x, 64);
    return out;
}
#endif

#if !(defined(__AVX512F__) && defined(__AVX512BW__))
static inline void arca_store_u8x16_in_range(arca_f32x16_q y, uint8_t *dst, uint16_t mask) { arca_store_u8x16_from_f32(y, dst, mask); }
#endif
#endif
