/*
 * bytebuf.h - a growable byte buffer for building binary records (the
 * model file's sections, event-file protobuf messages) before they are
 * written whole, and the little-endian byte order both files use.  A failed allocation sets oom and
 * makes later appends do nothing, so a builder checks once at the end.  Owned by one thread.
 */
#ifndef GRADTOP_BYTEBUF_H
#define GRADTOP_BYTEBUF_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

typedef struct {
    uint8_t *p;
    size_t n, cap;
    bool oom;
} ByteBuf;

/* Appends n bytes of data, doubling the capacity as needed. */
void bytebuf_put(ByteBuf *b, const void *data, size_t n);
/* Frees the bytes and resets b to empty. */
void bytebuf_free(ByteBuf *b);

/* The low `bytes` bytes of v into p, little-endian (the model file's and the
 * event files' byte order), and back. */
void bytes_put_le(uint8_t *p, uint64_t v, int bytes);
uint64_t bytes_get_le(const uint8_t *p, int bytes);

#endif
