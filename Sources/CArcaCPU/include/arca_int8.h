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
#endif
