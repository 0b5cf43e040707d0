#include "arca_sha256.h"

#if defined(__x86_64__)
#include <cpuid.h>
#include <immintrin.h>

int arca_sha256_hw_available(void) {
    unsigned a, b, c, d;
    if (!__get_cpuid_count(7, 0, &a, &b, &c, &d)) return 0;
    int sha = (b >> 29) & 1;
    if (!__get_cpuid(1, &a, &b, &c, &d)) return 0;
    int ssse3 = (c >> 9) & 1, sse41 = (c >> 19) & 1;
    return sha && ssse3 && sse41;
}


/* Four rounds per step; message words for rounds 16..63 come from sha256msg1/msg2 as each
 * 4-word group G[i] is consumed: G[i+3] partial = msg1(G[i-1], G[i]) and
 * G[i+1] = msg2(G[i+1] + alignr(G[i], G[i-1], 4), G[i]). */
__attribute__((target("sha,sse4.1,ssse3")))
void arca_sha256_hw_blocks(uint32_t state[8], const uint8_t *data, size_t blocks, const uint32_t K[64]) {
    const __m128i swap = _mm_set_epi64x(0x0c0d0e0f08090a0bULL, 0x0405060700010203ULL);
    __m128i tmp = _mm_loadu_si128((const __m128i *)&state[0]);
    __m128i s1 = _mm_loadu_si128((const __m128i *)&state[4]);
    tmp = _mm_shuffle_epi32(tmp, 0xB1);           /* CDAB */
    s1 = _mm_shuffle_epi32(s1, 0x1B);             /* EFGH */
    __m128i s0 = _mm_alignr_epi8(tmp, s1, 8);     /* ABEF */
    s1 = _mm_blend_epi16(s1, tmp, 0xF0);          /* CDGH */
    for (size_t blk = 0; blk < blocks; blk++, data += 64) {
        const __m128i save0 = s0, save1 = s1;
        __m128i m[4];
        for (int i = 0; i < 16; i++) {
            if (i < 4) m[i] = _mm_shuffle_epi8(_mm_loadu_si128((const __m128i *)(data + 16 * i)), swap);
            __m128i msg = _mm_add_epi32(m[i & 3], _mm_loadu_si128((const __m128i *)&K[4 * i]));
            s1 = _mm_sha256rnds2_epu32(s1, s0, msg);
            if (i >= 3 && i <= 14) {
                __m128i t = _mm_alignr_epi8(m[i & 3], m[(i + 3) & 3], 4);
                m[(i + 1) & 3] = _mm_sha256msg2_epu32(_mm_add_epi32(m[(i + 1) & 3], t), m[i & 3]);
            }
            msg = _mm_shuffle_epi32(msg, 0x0E);
            s0 = _mm_sha256rnds2_epu32(s0, s1, msg);
            if (i >= 1 && i <= 12) m[(i + 3) & 3] = _mm_sha256msg1_epu32(m[(i + 3) & 3], m[i & 3]);
        }
        s0 = _mm_add_epi32(s0, save0);
        s1 = _mm_add_epi32(s1, save1);
    }
    tmp = _mm_shuffle_epi32(s0, 0x1B);            /* FEBA */
    s1 = _mm_shuffle_epi32(s1, 0xB1);             /* DCHG */
    s0 = _mm_blend_epi16(tmp, s1, 0xF0);          /* DCBA */
    s1 = _mm_alignr_epi8(s1, tmp, 8);             /* HGFE */
    _mm_storeu_si128((__m128i *)&state[0], s0);
    _mm_storeu_si128((__m128i *)&state[4], s1);
}
#else
int arca_sha256_hw_available(void) { return 0; }
void arca_sha256_hw_blocks(uint32_t state[8], const uint8_t *data, size_t blocks, const uint32_t K[64]) { (void)state; (void)data; (void)blocks; (void)K; }
#endif
