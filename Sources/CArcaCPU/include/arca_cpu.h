#ifndef ARCA_CPU_H
#define ARCA_CPU_H
#include "arca_int8.h"
#include "arca_avx512.h"
#include "arca_qconv.h"
#include "arca_interleave.h"
#include "arca_sha256.h"

/*
 * Instruction sets the kernels are compiled for. The Swift kernel modules build with
 * -Xcc -march=native, so these describe the build machine; Swift reads them as constants
 * and the branch not taken is compiled out.
 */
#if defined(__AVX512F__) && defined(__AVX512BW__) && defined(__AVX512VL__) && defined(__AVX512DQ__)
#define ARCA_AVX512 1
#else
#define ARCA_AVX512 0
#endif
#if defined(__AVX512VNNI__) && ARCA_AVX512
#define ARCA_AVX512_VNNI 1
#else
#define ARCA_AVX512_VNNI 0
#endif
#if defined(__x86_64__) || defined(__i386__)
#include <xmmintrin.h>
/// Sets flush-to-zero and denormals-are-zero for the calling thread (MXCSR bits 15 and 6):
/// subnormal floats cost microcode assists on x86; inference runtimes run without them.
static inline void arca_disable_denormals(void) { _mm_setcsr(_mm_getcsr() | 0x8040); }
#else
static inline void arca_disable_denormals(void) {}
#endif
/// Asks for the cache line holding `p` to be brought into every cache level (prefetcht0); no
/// fault whatever the address. Kernels streaming weights that are not in cache use it ahead
/// of their loads.
static inline void arca_prefetch(const void *p) { __builtin_prefetch(p, 0, 3); }
#if defined(__GLIBC__)
#include <malloc.h>
/// Returns the allocator's free pages to the system (glibc `malloc_trim`): model loading frees
/// tens of MB of transient buffers that glibc would otherwise keep resident in its arenas.
static inline void arca_release_free_memory(void) { malloc_trim(0); }
#else
static inline void arca_release_free_memory(void) {}
#endif
#endif
