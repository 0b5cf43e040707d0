#ifndef ARCA_AVX512_H
#define ARCA_AVX512_H
/*
 * One-instruction wrappers for 16-lane kernels (written in Swift). Swift has no masked
 * loads and stores; these are imported with `arca_f32x16` as SIMD16<Float>. Masked-out
 * lanes are neither read nor written (no fault past the end of a buffer). With AVX2 alone
 * they are two 8-lane masked moves; without either, portable loops with identical results.
 */
#include <stdint.h>

typedef float arca_f32x16 __attribute__((vector_size(64)));

#if defined(__AVX512F__)
#include <immintrin.h>

/// Stores the lanes of `v` whose bit is set in `mask` to `p` (vmovups with a mask).
static inline void arca_store_f32x16_masked(float *p, arca_f32x16 v, uint16_t mask) {
    _mm512_mask_storeu_ps(p, (__mmask16)mask, (__m512)v);
}
/// Loads the lanes whose bit is set in `mask` from `p`; other lanes are 0.
static inline arca_f32x16 arca_load_f32x16_masked(const float *p, uint16_t mask) {
    return (arca_f32x16)_mm512_maskz_loadu_ps((__mmask16)mask, p);
}
#elif defined(__AVX2__)
#include <immintrin.h>

/// The 8-lane vector masks (all ones where the bit is set) of the low and high halves of `mask`.
static inline __m256i arca_lane_mask8(unsigned bits) {
    const __m256i lanes = _mm256_setr_epi32(1, 2, 4, 8, 16, 32, 64, 128);
    return _mm256_cmpeq_epi32(_mm256_and_si256(_mm256_set1_epi32((int)bits), lanes), lanes);
}
/// AVX2: two vmaskmovps (masked-out lanes are not accessed).
static inline void arca_store_f32x16_masked(float *p, arca_f32x16 v, uint16_t mask) {
    typedef float f8 __attribute__((vector_size(32)));
    f8 lo = __builtin_shufflevector(v, v, 0, 1, 2, 3, 4, 5, 6, 7);
    f8 hi = __builtin_shufflevector(v, v, 8, 9, 10, 11, 12, 13, 14, 15);
    _mm256_maskstore_ps(p, arca_lane_mask8(mask & 0xFF), (__m256)lo);
    _mm256_maskstore_ps(p + 8, arca_lane_mask8(mask >> 8), (__m256)hi);
}
static inline arca_f32x16 arca_load_f32x16_masked(const float *p, uint16_t mask) {
    typedef float f8 __attribute__((vector_size(32)));
    f8 lo = (f8)_mm256_maskload_ps(p, arca_lane_mask8(mask & 0xFF));
    f8 hi = (f8)_mm256_maskload_ps(p + 8, arca_lane_mask8(mask >> 8));
    return __builtin_shufflevector(lo, hi, 0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15);
}
#else
static inline void arca_store_f32x16_masked(float *p, arca_f32x16 v, uint16_t mask) {
    float x[16];
    __builtin_memcpy(x, &v, 64);
    for (int i = 0; i < 16; i++) if (mask & (1u << i)) p[i] = x[i];
}
static inline arca_f32x16 arca_load_f32x16_masked(const float *p, uint16_t mask) {
    float x[16];
    arca_f32x16 out;
    for (int i = 0; i < 16; i++) x[i] = (mask & (1u << i)) ? p[i] : 0.0f;
    __builtin_memcpy(&out, x, 64);
    return out;
}
#endif
#endif
