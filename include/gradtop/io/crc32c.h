/*
 * crc32c.h - CRC-32C (Castagnoli, reflected polynomial 0x82F63B78), the
 * checksum of TFRecord framing and of model.gtm.
 *
 * With SSE 4.2 (the build's x86-64-v3 target has it) the crc32
 * instruction, eight bytes at a time; else table-driven, slice-by-8
 * (Kounavis & Berry, "A Systematic Approach to Building High Performance
 * Software-based CRC Generators", 2005).  The tables are built once on
 * first use under pthread_once, so any thread may call these functions;
 * they own no other state.
 */
#ifndef GRADTOP_CRC32C_H
#define GRADTOP_CRC32C_H

#include <stddef.h>
#include <stdint.h>

/* CRC-32C of data[0..n).  crc32c("123456789", 9) == 0xE3069283. */
uint32_t crc32c(const void *data, size_t n);

/* Continues a CRC: crc32c_update(crc32c(a), b) == crc32c(a || b).  Start
 * from 0 for an empty prefix. */
uint32_t crc32c_update(uint32_t crc, const void *data, size_t n);
/* The same by the tables alone, whichever crc32c_update uses (the tests
 * hold the two to each other). */
uint32_t crc32c_update_tables(uint32_t crc, const void *data, size_t n);

/* The masked form TFRecord stores: ((crc >> 15) | (crc << 17)) + 0xa282ead8
 * (tensorflow/core/lib/hash/crc32c.h, Mask()).  Masking keeps a CRC of data
 * that itself holds CRCs from being degenerate. */
uint32_t crc32c_mask(uint32_t crc);
uint32_t crc32c_unmask(uint32_t masked);

#endif
