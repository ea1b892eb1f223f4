/* SPDX-License-Identifier: LGPL-3.0-or-later */
/*
 * lib/rpc/xdr-int.h - private helpers of libgfxdr: big-endian loads and
 * stores on unaligned bytes, XDR padding, and the int-returning cores of
 * the hand-written filters (the bool_t filters wrap them).
 */
#ifndef GF_RPC_XDR_INT_H
#define GF_RPC_XDR_INT_H

#include <stddef.h>
#include <stdint.h>

#include "gfxdr.h"

/* The largest gfx_dict the copying (non-memory-stream) path accepts. */
enum { GF__XDR_DICT_MAX = 64 * 1024 * 1024 };

static inline uint32_t
gf__xdr_get32(const void *p)
{
    const unsigned char *b = p;

    return (uint32_t)b[0] << 24 | (uint32_t)b[1] << 16 | (uint32_t)b[2] << 8 |
           b[3];
}

static inline void
gf__xdr_put32(void *p, uint32_t v)
{
    unsigned char *b = p;

    b[0] = (unsigned char)(v >> 24);
    b[1] = (unsigned char)(v >> 16);
    b[2] = (unsigned char)(v >> 8);
    b[3] = (unsigned char)v;
}

/* N rounded up to a multiple of 4 (XDR's unit). */
static inline size_t
gf__xdr_pad4(size_t n)
{
    return (n + 3) & ~(size_t)3;
}

/* Decode / encode one gfx_dict at the stream's position: 0 or -errno. */
int gf__xdr_dict_decode(XDR *xdrs, gf_dict_t **out);
int gf__xdr_dict_encode(XDR *xdrs, const gf_dict_t *d);

/* Decode / encode a directory entry chain: 0 or -errno. */
int gf__xdr_dirents_decode(XDR *xdrs, bool plus, gf_dirents_t *out);
int gf__xdr_dirents_encode(XDR *xdrs, bool plus, const gf_dirents_t *list);

#endif /* GF_RPC_XDR_INT_H */
