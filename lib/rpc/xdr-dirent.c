/* SPDX-License-Identifier: LGPL-3.0-or-later */
/*
 * lib/rpc/xdr-dirent.c - the READDIR and READDIRP entry chains.
 *
 * Upstream declares them as recursive optional-data lists (gfx_dirlist
 * and gfx_dirplist: each entry ends with a "next" pointer), which rpcgen
 * would decode by recursion, one stack frame per entry. Here the chain
 * is walked in a loop: {u32 1, entry} per entry, u32 0 at the end, with
 * hard limits on the entry count and the name length, straight to and
 * from gf_dirents_t. The stream functions serve the gfx_xdirlist /
 * gfx_xdirplist filters inside rpcgen's readdir replies; the byte-level
 * API wraps them in a memory stream.
 */
#include <errno.h>
#include <string.h>

#include "xdr-int.h"

/* Fixed part of an entry: follows(4) d_ino(8) d_off(8) d_len(4) d_type(4)
 * name length(4). */
enum { ENTRY_FIXED = 32 };

static int
name_ok(const char *name, size_t len)
{
    return len >= 1 && len <= GF_XDR_NAME_MAX && !memchr(name, '\0', len);
}

static int
entry_decode(XDR *xdrs, bool plus, gf_dirent_t **out)
{
    char name[GF_XDR_NAME_MAX + 1];
    u_quad_t ino, off;
    u_int d_len, type, nlen;
    gfx_iattx st;
    gf_dirent_t *e;
    int ret;

    /* d_len repeats the name's length; upstream clients ignore it, so a
     * peer that gets it wrong is tolerated. */
    if (!xdr_u_quad_t(xdrs, &ino) || !xdr_u_quad_t(xdrs, &off) ||
        !xdr_u_int(xdrs, &d_len) || !xdr_u_int(xdrs, &type) ||
        !xdr_u_int(xdrs, &nlen))
        return -EINVAL;
    if (nlen < 1 || nlen > GF_XDR_NAME_MAX || !xdr_opaque(xdrs, name, nlen) ||
        !name_ok(name, nlen))
        return -EINVAL;
    e = gf_dirent_new(name, nlen);
    if (!e)
        return -ENOMEM;
    e->d_ino = ino;
    e->d_off = off;
    e->d_type = type;
    if (plus) {
        memset(&st, 0, sizeof(st));
        ret = xdr_gfx_iattx(xdrs, &st) ? 0 : -EINVAL;
        if (!ret)
            ret = gf_xdr_iatt_from_wire(&st, &e->stat);
        if (!ret)
            ret = gf__xdr_dict_decode(xdrs, &e->dict);
        if (ret) {
            gf_dirents_t one;

            gf_dirents_init(&one);
            gf_dirents_append(&one, e);
            gf_dirents_free(&one);
            return ret;
        }
    }
    *out = e;
    return 0;
}

int
gf__xdr_dirents_decode(XDR *xdrs, bool plus, gf_dirents_t *out)
{
    gf_dirents_t got;
    gf_dirent_t *e;
    u_int follows;
    int ret = 0;

    gf_dirents_init(&got);
    for (;;) {
        if (!xdr_u_int(xdrs, &follows) || follows > 1) {
            ret = -EINVAL; /* truncated, or not a boolean */
            break;
        }
        if (!follows)
            break;
        if (got.count >= GF_XDR_DIRENTS_MAX) {
            ret = -EINVAL;
            break;
        }
        ret = entry_decode(xdrs, plus, &e);
        if (ret)
            break;
        gf_dirents_append(&got, e);
    }
    if (ret) {
        gf_dirents_free(&got);
        return ret;
    }
    /* A zeroed gf_dirents_t (a freshly zeroed reply) counts as empty. */
    if (!out->tail)
        gf_dirents_init(out);
    if (got.head) {
        *out->tail = got.head;
        out->tail = got.tail;
        out->count += got.count;
    }
    return 0;
}

static int
entry_encode(XDR *xdrs, bool plus, const gf_dirent_t *e)
{
    u_int one = 1, nlen = (u_int)strlen(e->name), type = e->d_type;
    u_quad_t ino = e->d_ino, off = e->d_off;
    gfx_iattx st;
    int ret;

    if (!name_ok(e->name, nlen))
        return -EINVAL;
    if (!xdr_u_int(xdrs, &one) || !xdr_u_quad_t(xdrs, &ino) ||
        !xdr_u_quad_t(xdrs, &off) || !xdr_u_int(xdrs, &nlen) ||
        !xdr_u_int(xdrs, &type) || !xdr_u_int(xdrs, &nlen) ||
        !xdr_opaque(xdrs, (char *)(uintptr_t)e->name, nlen))
        return -ENOBUFS;
    if (!plus)
        return 0;
    ret = gf_xdr_iatt_to_wire(&e->stat, &st);
    if (!ret && !xdr_gfx_iattx(xdrs, &st))
        ret = -ENOBUFS;
    if (!ret)
        ret = gf__xdr_dict_encode(xdrs, e->dict);
    return ret;
}

int
gf__xdr_dirents_encode(XDR *xdrs, bool plus, const gf_dirents_t *list)
{
    u_int zero = 0;
    uint32_t n = 0;
    int ret;

    for (const gf_dirent_t *e = list ? list->head : NULL; e; e = e->next) {
        if (++n > GF_XDR_DIRENTS_MAX)
            return -EINVAL;
        ret = entry_encode(xdrs, plus, e);
        if (ret)
            return ret;
    }
    return xdr_u_int(xdrs, &zero) ? 0 : -ENOBUFS;
}

static bool_t
dirents_filter(XDR *xdrs, gf_dirents_t *list, bool plus)
{
    switch (xdrs->x_op) {
    case XDR_ENCODE:
        return gf__xdr_dirents_encode(xdrs, plus, list) == 0;
    case XDR_DECODE:
        return gf__xdr_dirents_decode(xdrs, plus, list) == 0;
    case XDR_FREE:
        gf_dirents_free(list);
        return TRUE;
    }
    return FALSE;
}

bool_t
xdr_gfx_xdirlist(XDR *xdrs, gfx_xdirlist *objp)
{
    return dirents_filter(xdrs, objp, false);
}

bool_t
xdr_gfx_xdirplist(XDR *xdrs, gfx_xdirplist *objp)
{
    return dirents_filter(xdrs, objp, true);
}

/* ---- byte-level API ------------------------------------------------------ */

ssize_t
gf_xdr_dirlist_size(const gf_dirents_t *list, bool plus)
{
    size_t total = 4, nlen;
    uint32_t n = 0;

    for (const gf_dirent_t *e = list ? list->head : NULL; e; e = e->next) {
        nlen = strlen(e->name);
        if (++n > GF_XDR_DIRENTS_MAX || !name_ok(e->name, nlen))
            return -EINVAL;
        total += ENTRY_FIXED + gf__xdr_pad4(nlen);
        if (plus)
            total += GF_XDR_IATTX_SIZE + gf_dict_gfx_size(e->dict);
    }
    return (ssize_t)total;
}

int
gf_xdr_dirlist_encode(const gf_dirents_t *list, bool plus, void *buf,
                      size_t len, size_t *used)
{
    ssize_t size = gf_xdr_dirlist_size(list, plus);
    XDR xdrs;
    int ret;

    if (!buf)
        return -EINVAL;
    if (size < 0)
        return (int)size;
    if ((size_t)size > len)
        return -ENOBUFS;
    if ((size_t)size > UINT32_MAX)
        return -EMSGSIZE;
    xdrmem_create(&xdrs, buf, (u_int)size, XDR_ENCODE);
    ret = gf__xdr_dirents_encode(&xdrs, plus, list);
    xdr_destroy(&xdrs);
    if (!ret && used)
        *used = (size_t)size;
    return ret;
}

int
gf_xdr_dirlist_decode(const void *buf, size_t len, bool plus, gf_dirents_t *out,
                      size_t *used)
{
    XDR xdrs;
    int ret;

    if (!buf || !out)
        return -EINVAL;
    if (len > UINT32_MAX)
        len = UINT32_MAX; /* the chain ends long before */
    xdrmem_create(&xdrs, (char *)(uintptr_t)buf, (u_int)len, XDR_DECODE);
    ret = gf__xdr_dirents_decode(&xdrs, plus, out);
    if (!ret && used)
        *used = xdr_getpos(&xdrs);
    xdr_destroy(&xdrs);
    return ret;
}
