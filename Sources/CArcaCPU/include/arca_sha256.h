#ifndef ARCA_SHA256_H
#define ARCA_SHA256_H
#include <stddef.h>
#include <stdint.h>
/// 1 when the CPU has the SHA extensions (x86 SHA-NI), else 0.
int arca_sha256_hw_available(void);
/// Runs the SHA-256 compression function over `blocks` 64-byte blocks at `data`, updating
/// `state` (a..h, host-order words) with the 64 round constants `K` (FIPS 180-4 §4.2.2).
/// Only call when arca_sha256_hw_available() returned 1.
void arca_sha256_hw_blocks(uint32_t state[8], const uint8_t *data, size_t blocks, const uint32_t K[64]);
#endif
