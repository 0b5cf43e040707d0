#ifndef ARCA_CPU_H
#define ARCA_CPU_H
#include "arca_int8.h"
#include "arca_sha256.h"
#if defined(__x86_64__) || defined(__i386__)
#include <xmmintrin.h>
/// Sets flush-to-zero and denormals-are-zero for the calling thread (MXCSR bits 15 and 6):
/// subnormal floats cost microcode assists on x86; inference runtimes run without them.
static inline void arca_disable_denormals(void) { _mm_setcsr(_mm_getcsr() | 0x8040); }
#else
static inline void arca_disable_denormals(void) {}
#endif
#endif
