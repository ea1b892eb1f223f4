/* SPDX-License-Identifier: LGPL-3.0-or-later */
/*
 * lib/rpc/xdr-glue.c - the hand-written XDR filters rpcgen's code calls
 * for gfx_xdict (a gfx_dict on the wire, a gf_dict_t in memory), the
 * whole-message helpers over libtirpc memory streams, and the gfx_iattx
 * <-> gf_iatt_t conversions.
 *
 * The dict filter keeps one copy: on a memory stream it asks the stream
 * for a pointer into its buffer (xdr_inline) and lets gf_dict_gfx_decode
 * build the gf_dict_t from those bytes, so no rpcgen pair arrays are ever
 * allocated. Streams that cannot hand out pointers (record streams, an
 * unaligned memory buffer) go through a bounded temporary copy.
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include <gf/iobuf.h>

#include "xdr-int.h"

enum { DICT_HEAD = 12 }; /* xdr_size, count, pairs<> length */

/* The dict's bytes, borrowed from the stream or copied into *TMP. */
static const unsigned char *
dict_bytes(XDR *xdrs, size_t *total, unsigned char **tmp)
{
    unsigned char head[DICT_HEAD];
    const unsigned char *h, *body;
    uint32_t xsz;

    *tmp = NULL;
    h = (const unsigned char *)XDR_INLINE(xdrs, DICT_HEAD);
    if (h) {
        xsz = gf__xdr_get32(h);
        if (xsz % 4)
            return NULL;
        body = (const unsigned char *)XDR_INLINE(xdrs, xsz);
        if (!body)
            return NULL; /* truncated */
        *total = DICT_HEAD + (size_t)xsz;
        if (body == h + DICT_HEAD)
            return h;
        memcpy(head, h, DICT_HEAD);
        h = head;
    } else {
        if (!xdr_opaque(xdrs, (char *)head, DICT_HEAD))
            return NULL;
        xsz = gf__xdr_get32(head);
        if (xsz % 4 || xsz > GF__XDR_DICT_MAX)
            return NULL;
        *total = DICT_HEAD + (size_t)xsz;
        body = NULL;
        h = head;
    }
    /* Copying path: a stream that does not hand out its buffer. */
    *tmp = malloc(*total);
    if (!*tmp)
        return NULL;
    memcpy(*tmp, h, DICT_HEAD);
    if (body)
        memcpy(*tmp + DICT_HEAD, body, xsz);
    else if (!xdr_opaque(xdrs, (char *)*tmp + DICT_HEAD, xsz)) {
        free(*tmp);
        *tmp = NULL;
        return NULL;
    }
    return *tmp;
}

int
gf__xdr_dict_decode(XDR *xdrs, gf_dict_t **out)
{
    const unsigned char *b;
    unsigned char *tmp;
    gf_dict_t *d = NULL;
    size_t total, used;
    int ret;

    b = dict_bytes(xdrs, &total, &tmp);
    if (!b)
        return -EINVAL;
    ret = gf_dict_gfx_decode(b, total, &d, &used);
    free(tmp);
    if (ret)
        return ret;
    if (used != total) { /* a NULL dict that claims pair bytes */
        gf_dict_unref(d);
        return -EINVAL;
    }
    *out = d;
    return 0;
}

int
gf__xdr_dict_encode(XDR *xdrs, const gf_dict_t *d)
{
    size_t size = gf_dict_gfx_size(d);
    unsigned char *w, *tmp;
    int ret;

    if (size > GF__XDR_DICT_MAX)
        return -EMSGSIZE;
    w = (unsigned char *)XDR_INLINE(xdrs, (u_int)size);
    if (w)
        return gf_dict_gfx_encode(d, w, size, NULL);
    tmp = malloc(size);
    if (!tmp)
        return -ENOMEM;
    ret = gf_dict_gfx_encode(d, tmp, size, NULL);
    if (!ret && !xdr_opaque(xdrs, (char *)tmp, (u_int)size))
        ret = -ENOBUFS;
    free(tmp);
    return ret;
}

bool_t
xdr_gfx_xdict(XDR *xdrs, gfx_xdict *objp)
{
    switch (xdrs->x_op) {
    case XDR_ENCODE:
        return gf__xdr_dict_encode(xdrs, *objp) == 0;
    case XDR_DECODE:
        /* The caller zeroed the message; a dict already here would be
         * a second decode into the same object, so drop it first. */
        gf_dict_unref(*objp);
        *objp = NULL;
        return gf__xdr_dict_decode(xdrs, objp) == 0;
    case XDR_FREE:
        gf_dict_unref(*objp);
        *objp = NULL;
        return TRUE;
    }
    return FALSE;
}

/* ---- whole messages ------------------------------------------------------ */

int
gf_xdr_decode(xdrproc_t proc, const void *buf, size_t len, void *obj,
              size_t objsize, size_t *used)
{
    XDR xdrs;
    bool_t ok;

    if (!proc || !buf || !obj || len > UINT32_MAX)
        return -EINVAL;
    /* A decoding stream only reads its buffer; the cast is libtirpc's
     * one-prototype-for-both-directions. */
    xdrmem_create(&xdrs, (char *)(uintptr_t)buf, (u_int)len, XDR_DECODE);
    ok = proc(&xdrs, obj, 0);
    if (ok && used)
        *used = xdr_getpos(&xdrs);
    xdr_destroy(&xdrs);
    if (!ok) {
        xdr_free(proc, obj);
        memset(obj, 0, objsize);
        return -EINVAL;
    }
    return 0;
}

int
gf_xdr_encode(xdrproc_t proc, void *obj, void *buf, size_t len, size_t *used)
{
    XDR xdrs;
    bool_t ok;

    if (!proc || !buf || !obj)
        return -EINVAL;
    if (len > UINT32_MAX)
        len = UINT32_MAX;
    xdrmem_create(&xdrs, buf, (u_int)len, XDR_ENCODE);
    ok = proc(&xdrs, obj, 0);
    if (ok && used)
        *used = xdr_getpos(&xdrs);
    xdr_destroy(&xdrs);
    return ok ? 0 : -ENOBUFS;
}

size_t
gf_xdr_size(xdrproc_t proc, void *obj)
{
    if (!proc || !obj)
        return 0;
    return (size_t)xdr_sizeof(proc, obj);
}

gf_iobuf_t *
gf_xdr_encode_iobuf(gf_iobuf_pool_t *iop, xdrproc_t proc, void *obj,
                    size_t *used)
{
    gf_iobuf_t *iob = gf_iobuf_get(iop, GF_XDR_ENCODE_GUESS);
    size_t n;

    if (iob && gf_xdr_encode(proc, obj, gf_iobuf_ptr(iob), gf_iobuf_size(iob),
                             used) == 0)
        return iob;
    gf_iobuf_unref(iob);
    n = gf_xdr_size(proc, obj);
    iob = n ? gf_iobuf_get(iop, n) : NULL;
    if (iob && gf_xdr_encode(proc, obj, gf_iobuf_ptr(iob), n, used) == 0)
        return iob;
    gf_iobuf_unref(iob);
    return NULL;
}

/* ---- attributes -----------------------------------------------------------
 */

int
gf_xdr_iatt_from_wire(const struct gfx_iattx *w, gf_iatt_t *ia)
{
    if (!w || !ia)
        return -EINVAL;
    memset(ia, 0, sizeof(*ia)); /* padding too, so copies compare */
    memcpy(ia->gfid.b, w->ia_gfid, sizeof(ia->gfid.b));
    ia->ino = w->ia_ino;
    ia->dev = w->ia_dev;
    ia->rdev = w->ia_rdev;
    ia->size = w->ia_size;
    ia->blocks = w->ia_blocks;
    ia->mode = w->mode;
    ia->nlink = w->ia_nlink;
    ia->uid = w->ia_uid;
    ia->gid = w->ia_gid;
    ia->blksize = w->ia_blksize;
    ia->atime = w->ia_atime;
    ia->mtime = w->ia_mtime;
    ia->ctime = w->ia_ctime;
    ia->btime = w->ia_btime;
    ia->atime_nsec = w->ia_atime_nsec;
    ia->mtime_nsec = w->ia_mtime_nsec;
    ia->ctime_nsec = w->ia_ctime_nsec;
    ia->btime_nsec = w->ia_btime_nsec;
    return 0;
}

/* A failed fop's attributes: upstream sends them with ia_flags 0.
 * Field by field: gf_iatt_t has padding that memcmp would read. */
static bool
iatt_is_zero(const gf_iatt_t *ia)
{
    return gf_gfid_is_null(&ia->gfid) && !ia->ino && !ia->dev && !ia->rdev &&
           !ia->size && !ia->blocks && !ia->mode && !ia->nlink && !ia->uid &&
           !ia->gid && !ia->blksize && !ia->atime && !ia->mtime && !ia->ctime &&
           !ia->btime && !ia->atime_nsec && !ia->mtime_nsec &&
           !ia->ctime_nsec && !ia->btime_nsec;
}

int
gf_xdr_iatt_to_wire(const gf_iatt_t *ia, struct gfx_iattx *w)
{
    if (!ia || !w)
        return -EINVAL;
    memset(w, 0, sizeof(*w));
    if (iatt_is_zero(ia))
        return 0;
    memcpy(w->ia_gfid, ia->gfid.b, sizeof(w->ia_gfid));
    w->ia_flags = GF_XDR_IATT_BASIC;
    if (ia->btime || ia->btime_nsec)
        w->ia_flags |= GF_XDR_IATT_BTIME;
    w->ia_ino = ia->ino;
    w->ia_dev = ia->dev;
    w->ia_rdev = ia->rdev;
    w->ia_size = ia->size;
    w->ia_blocks = ia->blocks;
    w->mode = ia->mode;
    w->ia_nlink = ia->nlink;
    w->ia_uid = ia->uid;
    w->ia_gid = ia->gid;
    w->ia_blksize = ia->blksize;
    w->ia_atime = ia->atime;
    w->ia_mtime = ia->mtime;
    w->ia_ctime = ia->ctime;
    w->ia_btime = ia->btime;
    w->ia_atime_nsec = ia->atime_nsec;
    w->ia_mtime_nsec = ia->mtime_nsec;
    w->ia_ctime_nsec = ia->ctime_nsec;
    w->ia_btime_nsec = ia->btime_nsec;
    return 0;
}

int
gf_xdr_iatt_decode(const void *buf, gf_iatt_t *ia)
{
    gfx_iattx w;

    if (!buf || !ia)
        return -EINVAL;
    memset(&w, 0, sizeof(w));
    if (gf_xdr_decode((xdrproc_t)xdr_gfx_iattx, buf, GF_XDR_IATTX_SIZE, &w,
                      sizeof(w), NULL))
        return -EINVAL;
    return gf_xdr_iatt_from_wire(&w, ia);
}

int
gf_xdr_iatt_encode(const gf_iatt_t *ia, void *buf)
{
    gfx_iattx w;

    if (!buf || gf_xdr_iatt_to_wire(ia, &w))
        return -EINVAL;
    return gf_xdr_encode((xdrproc_t)xdr_gfx_iattx, &w, buf, GF_XDR_IATTX_SIZE,
                         NULL);
}
