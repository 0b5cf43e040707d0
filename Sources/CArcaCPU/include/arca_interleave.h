#ifndef ARCA_INTERLEAVE_H
#define ARCA_INTERLEAVE_H

/*
 * The tap interleave of the dot-product depthwise convolution: four byte rows `shift` apart
 * become one row of 4-byte groups, `dst[4m + j] = src[m + j·shift]` for m < n, so that one
 * `vpdpbusd` lane sums four taps of one channel. `n` is a multiple of 64; reads
 * `src[0 ..< n + 3·shift]`, writes `dst[0 ..< 4n]`.
 */

#include <stddef.h>
#include <stdint.h>

#if defined(__AVX512VBMI__) && defined(__AVX512BW__)
#include <immintrin.h>

/// 64 groups per step: two-source byte permutes pair rows 0/1 and 2/3 (vpermt2b), word
/// permutes pair the pairs (vpermt2w).
static inline void arca_interleave4_u8(const uint8_t *src, ptrdiff_t shift, uint8_t *dst, ptrdiff_t n) {
    static const uint8_t byteLo[64] = {
        0, 64, 1, 65, 2, 66, 3, 67, 4, 68, 5, 69, 6, 70, 7, 71, 8, 72, 9, 73, 10, 74, 11, 75, 12, 76, 13, 77, 14, 78, 15, 79,
        16, 80, 17, 81, 18, 82, 19, 83, 20, 84, 21, 85, 22, 86, 23, 87, 24, 88, 25, 89, 26, 90, 27, 91, 28, 92, 29, 93, 30, 94, 31, 95};
    static const uint8_t byteHi[64] = {
        32, 96, 33, 97, 34, 98, 35, 99, 36, 100, 37, 101, 38, 102, 39, 103, 40, 104, 41, 105, 42, 106, 43, 107, 44, 108, 45, 109,
        46, 110, 47, 111, 48, 112, 49, 113, 50, 114, 51, 115, 52, 116, 53, 117, 54, 118, 55, 119, 56, 120, 57, 121, 58, 122, 59, 123,
        60, 124, 61, 125, 62, 126, 63, 127};
    static const uint16_t wordLo[32] = {
        0, 32, 1, 33, 2, 34, 3, 35, 4, 36, 5, 37, 6, 38, 7, 39, 8, 40, 9, 41, 10, 42, 11, 43, 12, 44, 13, 45, 14, 46, 15, 47};
    static const uint16_t wordHi[32] = {
        16, 48, 17, 49, 18, 50, 19, 51, 20, 52, 21, 53, 22, 54, 23, 55, 24, 56, 25, 57, 26, 58, 27, 59, 28, 60, 29, 61, 30, 62, 31, 63};
    const __m512i blo = _mm512_loadu_si512(byteLo), bhi = _mm512_loadu_si512(byteHi);
    const __m512i wlo = _mm512_loadu_si512(wordLo), whi = _mm512_loadu_si512(wordHi);
    for (ptrdiff_t m = 0; m < n; m += 64) {
        const uint8_t *s = src + m;
        __m512i a0 = _mm512_loadu_si512(s), a1 = _mm512_loadu_si512(s + shift);
        __m512i a2 = _mm512_loadu_si512(s + 2 * shift), a3 = _mm512_loadu_si512(s + 3 * shift);
        __m512i tlo = _mm512_permutex2var_epi8(a0, blo, a1), thi = _mm512_permutex2var_epi8(a0, bhi, a1);
        __m512i ulo = _mm512_permutex2var_epi8(a2, blo, a3), uhi = _mm512_permutex2var_epi8(a2, bhi, a3);
        uint8_t *d = dst + 4 * m;
        _mm512_storeu_si512(d, _mm512_permutex2var_epi16(tlo, wlo, ulo));
        _mm512_storeu_si512(d + 64, _mm512_permutex2var_epi16(tlo, whi, ulo));
        _mm512_storeu_si512(d + 128, _mm512_permutex2var_epi16(thi, wlo, uhi));
        _mm512_storeu_si512(d + 192, _mm512_permutex2var_epi16(thi, whi, uhi));
    }
}
#elif defined(__SSE2__)
#include <emmintrin.h>

/// 16 groups per step: byte unpacks pair rows 0/1 and 2/3, word unpacks pair the pairs.
static inline void arca_interleave4_u8(const uint8_t *src, ptrdiff_t shift, uint8_t *dst, ptrdiff_t n) {
    for (ptrdiff_t m = 0; m < n; m += 16) {
        const uint8_t *s = src + m;
        __m128i a0 = _mm_loadu_si128((const __m128i *)s), a1 = _mm_loadu_si128((const __m128i *)(s + shift));
        __m128i a2 = _mm_loadu_si128((const __m128i *)(s + 2 * shift)), a3 = _mm_loadu_si128((const __m128i *)(s + 3 * shift));
        __m128i t0 = _mm_unpacklo_epi8(a0, a1), t1 = _mm_unpackhi_epi8(a0, a1);
        __m128i u0 = _mm_unpacklo_epi8(a2, a3), u1 = _mm_unpackhi_epi8(a2, a3);
        uint8_t *d = dst + 4 * m;
        _mm_storeu_si128((__m128i *)d, _mm_unpacklo_epi16(t0, u0));
        _mm_storeu_si128((__m128i *)(d + 16), _mm_unpackhi_epi16(t0, u0));
        _mm_storeu_si128((__m128i *)(d + 32), _mm_unpacklo_epi16(t1, u1));
        _mm_storeu_si128((__m128i *)(d + 48), _mm_unpackhi_epi16(t1, u1));
    }
}
#else
static inline void arca_interleave4_u8(const uint8_t *src, ptrdiff_t shift, uint8_t *dst, ptrdiff_t n) {
    for (ptrdiff_t m = 0; m < n; m++)
        for (int j = 0; j < 4; j++) dst[4 * m + j] = src[m + j * shift];
}
#endif
#endif
