#ifndef ARCA_AVX512_H
#define ARCA_AVX512_H
/*
 * One-instruction wrappers for 16-lane kernels (written in Swift). Swift has no masked
 * loads and stores; these are imported with `arca_f32x16` as SIMD16<Float>. Masked-out
 * lanes are neither read nor written (no fault past the end of a buffer). Without AVX-512
 * the same functions are portable loops with identical results.
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
