/* SPDX-License-Identifier: LGPL-3.0-or-later */
/*
 * rpcsvc-auth.c - parse an ONC RPC call header and decode its credential.
 *
 * Both work on the record's bytes in place with explicit bounds checks:
 * the fixed header is ten 32-bit words around two opaque bodies, and the
 * credential layouts are small and flat, so plain big-endian loads are
 * simpler and faster than an XDR stream. Nothing here allocates, logs or
 * touches the service, so the fuzz target links this file alone.
 */
#include <errno.h>
#include <stdint.h>
#include <string.h>

#include "rpcsvc-int.h"

/* A cursor over the bytes of one credential body. */
struct cur {
    const uint8_t *p;
    size_t left;
};

static bool
take32(struct cur *c, uint32_t *v)
{
    if (c->left < 4)
        return false;
    *v = gf__get32(c->p);
    c->p += 4;
    c->left -= 4;
    return true;
}

static bool
take64(struct cur *c, uint64_t *v)
{
    if (c->left < 8)
        return false;
    *v = gf__get64(c->p);
    c->p += 8;
    c->left -= 8;
    return true;
}

/* An opaque<> of at most MAX bytes: its bytes and the padding. */
static bool
take_opaque(struct cur *c, uint32_t max, const uint8_t **base, uint32_t *len)
{
    uint32_t n;
    size_t padded;

    if (!take32(c, &n) || n > max)
        return false;
    padded = (size_t)n + gf__xdr_pad(n);
    if (padded > c->left)
        return false;
    *base = c->p;
    *len = n;
    c->p += padded;
    c->left -= padded;
    return true;
}

static bool
take_groups(struct cur *c, uint32_t max, gf__rpc_auth_t *a)
{
    uint32_t n;

    if (!take32(c, &n) || n > max || n > GF_RPCSVC_MAX_GROUPS)
        return false;
    if ((size_t)n * 4 > c->left)
        return false;
    for (uint32_t i = 0; i < n; i++)
        take32(c, &a->groups[i]);
    a->id.ngroups = n;
    return true;
}

static bool
take_lkowner(struct cur *c, gf__rpc_auth_t *a)
{
    const uint8_t *base;
    uint32_t len;

    /* The credential is at most 400 bytes, so the 1024 of gf_lkowner_t
     * is never the binding limit; the caller checks the XDR-unit one. */
    if (!take_opaque(c, GF_LKOWNER_MAX, &base, &len))
        return false;
    a->lk_owner.len = len;
    memcpy(a->lk_owner.data, base, len);
    a->id.lk_owner = &a->lk_owner;
    return true;
}

gf__rpc_parse_t
gf__rpcsvc_parse_call(const void *buf, size_t len, gf__rpc_call_t *call)
{
    const uint8_t *p = buf;
    size_t off;

    memset(call, 0, sizeof(*call));
    if (!buf || len < 8)
        return GF__RPC_NOT_RPC;
    call->xid = gf__get32(p);
    switch (gf__get32(p + 4)) {
    case RPC_CALL:
        break;
    case RPC_REPLY:
        return GF__RPC_IS_REPLY;
    default:
        return GF__RPC_NOT_RPC;
    }
    if (len < 24)
        return GF__RPC_NOT_RPC;
    call->rpcvers = gf__get32(p + 8);
    call->prog = gf__get32(p + 12);
    call->vers = gf__get32(p + 16);
    call->proc = gf__get32(p + 20);
    if (call->rpcvers != RPC_VERSION)
        return GF__RPC_RPCVERS;

    /* Credential: flavor, length <= 400, body. */
    if (len < 32)
        return GF__RPC_BADCRED;
    call->cred_flavor = gf__get32(p + 24);
    call->cred_len = gf__get32(p + 28);
    if (call->cred_len > GF_RPCSVC_MAX_AUTH_BYTES)
        return GF__RPC_BADCRED;
    off = 32 + call->cred_len + gf__xdr_pad(call->cred_len);
    if (off > len)
        return GF__RPC_BADCRED;
    call->cred = p + 32;

    /* Verifier: same shape; its body is not used (AUTH_NULL in practice,
     * and no flavor we accept defines one). */
    if (len - off < 8)
        return GF__RPC_BADVERF;
    call->verf_flavor = gf__get32(p + off);
    call->verf_len = gf__get32(p + off + 4);
    if (call->verf_len > GF_RPCSVC_MAX_AUTH_BYTES)
        return GF__RPC_BADVERF;
    off += 8;
    if ((size_t)call->verf_len + gf__xdr_pad(call->verf_len) > len - off)
        return GF__RPC_BADVERF;
    off += call->verf_len + gf__xdr_pad(call->verf_len);

    call->args = p + off;
    call->args_len = len - off;
    return GF__RPC_OK;
}

/* AUTH_UNIX (AUTH_SYS): stamp, machinename<255>, uid, gid, gids<16>. */
static bool
auth_unix(struct cur *c, gf__rpc_auth_t *a)
{
    const uint8_t *name;
    uint32_t namelen;

    if (!take32(c, &a->cred.stamp) || !take_opaque(c, 255, &name, &namelen) ||
        !take32(c, &a->id.uid) || !take32(c, &a->id.gid) ||
        !take_groups(c, 16, a))
        return false;
    a->cred.machinename = (const char *)name;
    a->cred.machinename_len = namelen;
    return true;
}

/* AUTH_GLUSTERFS v1: lk_owner u64, pid, uid, gid, ngrps, groups[16]. */
static bool
auth_glusterfs_v1(struct cur *c, gf__rpc_auth_t *a)
{
    uint64_t owner;
    uint32_t pid, ngrps;

    if (!take64(c, &owner) || !take32(c, &pid) || !take32(c, &a->id.uid) ||
        !take32(c, &a->id.gid) || !take32(c, &ngrps) || ngrps > 16 ||
        c->left < 16 * 4)
        return false;
    a->id.pid = (int32_t)pid;
    for (unsigned i = 0; i < 16; i++)
        take32(c, &a->groups[i]);
    a->id.ngroups = ngrps;
    /* The owner travels as a number; keep its 8 bytes in wire order. */
    a->lk_owner.len = 8;
    gf__put64(a->lk_owner.data, owner);
    a->id.lk_owner = &a->lk_owner;
    return true;
}

/* v2: pid, uid, gid, groups<>, lk_owner<>; groups + lk_owner <= 95 units.
 * v3: pid, uid, gid, flags, ctime_nsec, ctime_sec (u64), then the same
 * arrays, <= 91 units. The unit limits are what make a maximal credential
 * exactly 400 bytes; check them explicitly anyway, as GlusterFS does. */
static bool
auth_glusterfs_v23(struct cur *c, gf__rpc_auth_t *a, bool v3)
{
    uint32_t pid, units;

    if (!take32(c, &pid) || !take32(c, &a->id.uid) || !take32(c, &a->id.gid))
        return false;
    a->id.pid = (int32_t)pid;
    if (v3 && (!take32(c, &a->cred.flags) || !take32(c, &a->cred.ctime_nsec) ||
               !take64(c, &a->cred.ctime_sec)))
        return false;
    if (!take_groups(c, GF_RPCSVC_MAX_GROUPS, a) || !take_lkowner(c, a))
        return false;
    units = a->id.ngroups + (a->lk_owner.len + 3) / 4;
    return units <= (v3 ? 91u : 95u);
}

gf_rpc_auth_stat_t
gf__rpcsvc_auth_decode(const gf__rpc_call_t *call, gf__rpc_auth_t *a)
{
    struct cur c = {call->cred, call->cred_len};
    bool ok;

    memset(&a->id, 0, sizeof(a->id));
    memset(&a->cred, 0, sizeof(a->cred));
    a->lk_owner.len = 0;
    a->id.groups = a->groups;
    a->cred.flavor = call->cred_flavor;

    switch (call->cred_flavor) {
    case GF_RPC_AUTH_NULL:
        /* No identity at all: nobody, not root (see gf/rpcsvc.h). */
        a->id.uid = 65534;
        a->id.gid = 65534;
        return GF_RPC_AUTH_OK;
    case GF_RPC_AUTH_UNIX:
        ok = auth_unix(&c, a);
        break;
    case GF_RPC_AUTH_GLUSTERFS:
        ok = auth_glusterfs_v1(&c, a);
        break;
    case GF_RPC_AUTH_GLUSTERFS_V2:
        ok = auth_glusterfs_v23(&c, a, false);
        break;
    case GF_RPC_AUTH_GLUSTERFS_V3:
        ok = auth_glusterfs_v23(&c, a, true);
        break;
    default:
        return GF_RPC_AUTH_REJECTEDCRED;
    }
    /* A body must be consumed exactly: leftovers mean another layout. */
    if (!ok || c.left != 0) {
        a->id.ngroups = 0;
        a->id.lk_owner = NULL;
        return GF_RPC_AUTH_BADCRED;
    }
    return GF_RPC_AUTH_OK;
}
