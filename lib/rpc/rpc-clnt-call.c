/* SPDX-License-Identifier: LGPL-3.0-or-later */
/*
 * rpc-clnt-call.c - calls: header and credential encoding, the xid map,
 * reply decoding, and call timeouts.
 *
 * A call is one pooled object living in two intrusive structures under the
 * client lock: a hash of xid buckets (xids are sequential, so `xid & mask`
 * spreads them perfectly) and a FIFO in deadline order. All calls of a
 * client share one timeout, so the FIFO is sorted by construction and one
 * timer, armed for the oldest deadline, serves every call: a reply costs
 * an unlink and no timer operation. Whoever removes a call from the map
 * under the lock -- reply, timeout, disconnect -- owns its completion,
 * which is what makes completion exactly-once.
 */
#include <errno.h>
#include <string.h>

#include <gf/log.h>
#include <gf/mem-acct.h>

#include "rpc-clnt-int.h"

static const char *const domain = "rpc-clnt";

enum {
    MAX_ARGS = 63, /* the transport takes 64 iovecs */
    MAX_BUCKETS = 1u << 20,
    V2_UNITS = 95, /* groups + lk_owner words, v2 */
    V3_UNITS = 91, /* the same for v3 */
};

/* ---- encoding ----------------------------------------------------------- */

static inline unsigned char *
put32(unsigned char *p, uint32_t v)
{
    p[0] = (unsigned char)(v >> 24);
    p[1] = (unsigned char)(v >> 16);
    p[2] = (unsigned char)(v >> 8);
    p[3] = (unsigned char)v;
    return p + 4;
}

static inline uint32_t
get32(const unsigned char *p)
{
    return (uint32_t)p[0] << 24 | (uint32_t)p[1] << 16 | (uint32_t)p[2] << 8 |
           p[3];
}

/*
 * The GlusterFS credential body (v2 or v3) into P, which has room for
 * RPC_MAX_AUTH_BYTES. Returns its length or -EINVAL.
 */
static int
cred_glusterfs(unsigned char *p, const gf_rpc_auth_t *auth)
{
    const gf_identity_t *id = auth->id;
    bool v3 = auth->flavor == GF_RPC_CLNT_AUTH_GLUSTERFS_V3;
    uint32_t lk_len = id && id->lk_owner ? id->lk_owner->len : 0;
    uint32_t lk_units = (lk_len + 3) / 4;
    uint32_t limit = v3 ? V3_UNITS : V2_UNITS;
    uint32_t ngroups;
    unsigned char *start = p;

    if (!id || lk_len > GF_LKOWNER_MAX || lk_units > limit ||
        (id->ngroups && !id->groups))
        return -EINVAL;
    /* Groups beyond what fits are dropped, as GlusterFS does. */
    ngroups = id->ngroups < limit - lk_units ? id->ngroups : limit - lk_units;
    p = put32(p, (uint32_t)id->pid);
    p = put32(p, id->uid);
    p = put32(p, id->gid);
    if (v3) {
        p = put32(p, auth->flags);
        p = put32(p, auth->ctime_nsec);
        p = put32(p, (uint32_t)(auth->ctime_sec >> 32));
        p = put32(p, (uint32_t)auth->ctime_sec);
    }
    p = put32(p, ngroups);
    for (uint32_t i = 0; i < ngroups; i++)
        p = put32(p, id->groups[i]);
    p = put32(p, lk_len);
    if (lk_len) {
        memcpy(p, id->lk_owner->data, lk_len);
        memset(p + lk_len, 0, lk_units * 4 - lk_len);
        p += lk_units * 4;
    }
    return (int)(p - start);
}

GF_EXPORT int
gf_rpc_clnt_encode_header(void *buf, size_t size, uint32_t xid, uint32_t prog,
                          uint32_t vers, uint32_t proc,
                          const gf_rpc_auth_t *auth)
{
    unsigned char tmp[GF_RPC_CLNT_MAX_HEADER];
    unsigned char *p = tmp;
    uint32_t flavor = auth ? auth->flavor : GF_RPC_CLNT_AUTH_NULL;
    int body = 0;

    if (!buf)
        return -EINVAL;
    p = put32(p, xid);
    p = put32(p, RPC_CALL);
    p = put32(p, RPC_VERSION);
    p = put32(p, prog);
    p = put32(p, vers);
    p = put32(p, proc);
    p = put32(p, flavor);
    if (flavor == GF_RPC_CLNT_AUTH_GLUSTERFS_V2 ||
        flavor == GF_RPC_CLNT_AUTH_GLUSTERFS_V3)
        body = cred_glusterfs(p + 4, auth);
    else if (flavor != GF_RPC_CLNT_AUTH_NULL)
        body = -EINVAL;
    if (body < 0)
        return body;
    p = put32(p, (uint32_t)body) + body;
    p = put32(p, GF_RPC_CLNT_AUTH_NULL); /* verifier */
    p = put32(p, 0);
    if ((size_t)(p - tmp) > size)
        return -ENOSPC;
    memcpy(buf, tmp, (size_t)(p - tmp));
    return (int)(p - tmp);
}

/* ---- the xid map and the deadline FIFO (all under the lock) ------------ */

static void
map_grow(gf_rpc_clnt_t *clnt)
{
    uint32_t n = (clnt->mask + 1) * 2;
    struct gf__rpc_call **tab;

    if (n > MAX_BUCKETS)
        return;
    tab = gf_calloc(NULL, GF_MT_OTHER, n, sizeof(*tab));
    if (!tab)
        return; /* longer chains, still correct */
    for (uint32_t b = 0; b <= clnt->mask; b++) {
        struct gf__rpc_call *c = clnt->tab[b], *next;

        for (; c; c = next) {
            next = c->hnext;
            c->hnext = tab[c->xid & (n - 1)];
            tab[c->xid & (n - 1)] = c;
        }
    }
    gf_free(clnt->tab);
    clnt->tab = tab;
    clnt->mask = n - 1;
}

static void
map_insert(gf_rpc_clnt_t *clnt, struct gf__rpc_call *c)
{
    struct gf__rpc_call **b;

    if (clnt->count > clnt->mask)
        map_grow(clnt);
    b = &clnt->tab[c->xid & clnt->mask];
    c->hnext = *b;
    *b = c;
    clnt->count++;
}

static struct gf__rpc_call *
map_remove(gf_rpc_clnt_t *clnt, uint32_t xid)
{
    struct gf__rpc_call **pp = &clnt->tab[xid & clnt->mask], *c;

    for (; (c = *pp); pp = &c->hnext) {
        if (c->xid == xid) {
            *pp = c->hnext;
            clnt->count--;
            if (c->next) { /* on the FIFO */
                c->prev->next = c->next;
                c->next->prev = c->prev;
            }
            return c;
        }
    }
    return NULL;
}

static void
fifo_append(gf_rpc_clnt_t *clnt, struct gf__rpc_call *c)
{
    c->next = &clnt->fifo;
    c->prev = clnt->fifo.prev;
    c->prev->next = c;
    clnt->fifo.prev = c;
}

struct gf__rpc_call *
gf__rpc_calls_take_all(gf_rpc_clnt_t *clnt)
{
    struct gf__rpc_call *list = NULL, **tail = &list;

    if (!clnt->count)
        return NULL;
    /* Chain every bucket into one list through hnext. */
    for (uint32_t b = 0; b <= clnt->mask; b++) {
        if (!clnt->tab[b])
            continue;
        *tail = clnt->tab[b];
        while (*tail)
            tail = &(*tail)->hnext;
        clnt->tab[b] = NULL;
    }
    clnt->count = 0;
    clnt->fifo.next = clnt->fifo.prev = &clnt->fifo;
    return list;
}

void
gf__rpc_calls_fail(struct gf__rpc_call *list, int status)
{
    struct gf__rpc_call *c, *next;

    for (c = list; c; c = next) {
        next = c->hnext;
        c->cbk(status, NULL, 0, NULL, c->data);
        gf_mem_put(c);
    }
}

void
gf__rpc_calls_fini(gf_rpc_clnt_t *clnt)
{
    /* Free completed them all, and nothing is inserted after it. */
    GF_ASSERT(clnt->count == 0);
}

/* ---- timeouts ----------------------------------------------------------- */

static void
bail_fire(void *data)
{
    gf_rpc_clnt_t *clnt = data;
    struct gf__rpc_call *list = NULL, **tail = &list, *c;
    unsigned n = 0;
    gf_timer_t *h;
    uint64_t now;

    pthread_mutex_lock(&clnt->lock);
    h = gf__rpc_slot_take(&clnt->bail);
    now = gf_timer_wheel_now(clnt->tw);
    while ((c = clnt->fifo.next) != &clnt->fifo && c->deadline <= now) {
        map_remove(clnt, c->xid);
        c->hnext = NULL;
        *tail = c;
        tail = &c->hnext;
        n++;
    }
    clnt->st.timeouts += n;
    if (c != &clnt->fifo)
        gf__rpc_slot_arm(clnt, &clnt->bail, c->deadline - now, bail_fire);
    pthread_mutex_unlock(&clnt->lock);
    gf_timer_release(clnt->tw, h);
    if (n)
        gf_log(domain, GF_LOG_WARNING,
               "%s: %u call(s) got no reply within %u ms", clnt->address, n,
               clnt->opts.call_timeout_ms);
    gf__rpc_calls_fail(list, -ETIMEDOUT);
    gf__rpc_clnt_unref(clnt);
}

/* ---- calls -------------------------------------------------------------- */

/* The header and the arguments' buffers in one bag for the transport. */
static gf_iobref_t *
bag(gf_iobuf_t *hdr, gf_iobref_t *args)
{
    gf_iobref_t *ref = gf_iobref_new();

    if (ref && gf_iobref_add(ref, hdr) == 0 &&
        (!args || gf_iobref_merge(ref, args) == 0))
        return ref;
    gf_iobref_unref(ref);
    return NULL;
}

/*
 * Under the lock: give CALL an xid, file it, and arm the timeout. Returns
 * a reference on the connection to send on, or NULL if not connected.
 */
static gf_rpc_conn_t *
file_locked(gf_rpc_clnt_t *clnt, struct gf__rpc_call *call)
{
    uint32_t timeout = clnt->opts.call_timeout_ms;

    if (!clnt->cur || !clnt->cur->up || !clnt->cur->conn)
        return NULL;
    call->xid = clnt->next_xid++;
    call->next = call->prev = NULL;
    map_insert(clnt, call);
    if (timeout) {
        call->deadline = gf_timer_wheel_now(clnt->tw) + timeout;
        fifo_append(clnt, call);
        gf__rpc_slot_arm(clnt, &clnt->bail, timeout, bail_fire);
    }
    clnt->st.calls++;
    /* Keep the client alive until this call returns, whatever the
     * callbacks do meanwhile. */
    atomic_fetch_add_explicit(&clnt->refs, 1, memory_order_relaxed);
    return gf_rpc_conn_ref(clnt->cur->conn);
}

/* Submitting failed: take the call back unless someone completed it. */
static int
unfile(gf_rpc_clnt_t *clnt, struct gf__rpc_call *call, uint32_t xid, int rc)
{
    bool mine;

    pthread_mutex_lock(&clnt->lock);
    mine = map_remove(clnt, xid) == call;
    if (mine)
        clnt->st.calls--;
    pthread_mutex_unlock(&clnt->lock);
    if (!mine)
        return 0; /* its callback has reported (or will report) */
    gf_mem_put(call);
    return rc;
}

GF_EXPORT int
gf_rpc_clnt_call(gf_rpc_clnt_t *clnt, uint32_t prog, uint32_t vers,
                 uint32_t proc, const gf_rpc_auth_t *auth,
                 const struct iovec *args, int n, gf_iobref_t *iobref,
                 gf_rpc_clnt_cbk_t cbk, void *data)
{
    struct iovec iov[MAX_ARGS + 1];
    struct gf__rpc_call *call;
    gf_iobref_t *ref = NULL;
    gf_rpc_conn_t *conn;
    gf_iobuf_t *hdr;
    uint32_t xid;
    int hlen, rc = -ENOMEM;

    if (!clnt || !cbk || n < 0 || n > MAX_ARGS || (n && !args))
        return -EINVAL;
    hdr = gf_iobuf_get(clnt->iop, GF_RPC_CLNT_MAX_HEADER);
    if (!hdr)
        return -ENOMEM;
    hlen = gf_rpc_clnt_encode_header(gf_iobuf_ptr(hdr), gf_iobuf_size(hdr), 0,
                                     prog, vers, proc, auth);
    call = hlen < 0 ? NULL : gf_mem_get(clnt->call_pool);
    if (call)
        ref = bag(hdr, iobref);
    if (!ref) {
        rc = hlen < 0 ? hlen : -ENOMEM;
        goto out;
    }
    call->cbk = cbk;
    call->data = data;
    pthread_mutex_lock(&clnt->lock);
    conn = file_locked(clnt, call);
    xid = conn ? call->xid : 0; /* read before anyone can complete it */
    pthread_mutex_unlock(&clnt->lock);
    if (!conn) {
        rc = -ENOTCONN;
        goto out;
    }
    put32(gf_iobuf_ptr(hdr), xid);
    iov[0].iov_base = gf_iobuf_ptr(hdr);
    iov[0].iov_len = (size_t)hlen;
    if (n)
        memcpy(&iov[1], args, (size_t)n * sizeof(*args));
    rc = gf_rpc_conn_submit(conn, iov, n + 1, ref);
    gf_rpc_conn_unref(conn);
    if (rc < 0)
        rc = unfile(clnt, call, xid, rc);
    call = NULL;
    gf__rpc_clnt_unref(clnt);
out:
    if (call)
        gf_mem_put(call);
    gf_iobref_unref(ref);
    gf_iobuf_unref(hdr);
    return rc;
}

/* ---- replies ------------------------------------------------------------ */

/*
 * Decode a reply body after xid and msg_type (P, LEN). Returns 0 with the
 * results in *RES / *RLEN, or the call's error status.
 */
static int
decode_reply(unsigned char *p, size_t len, unsigned char **res, size_t *rlen)
{
    uint32_t vlen, stat;

    if (len < 4)
        return -EBADMSG;
    if (get32(p) == MSG_DENIED)
        return -EACCES;
    if (get32(p) != MSG_ACCEPTED || len < 12)
        return -EBADMSG;
    vlen = get32(p + 8);
    if (vlen > RPC_MAX_AUTH_BYTES)
        return -EBADMSG;
    vlen = (vlen + 3) & ~3u;
    if (len < 16 + (size_t)vlen)
        return -EBADMSG;
    stat = get32(p + 12 + vlen);
    switch (stat) {
    case ACC_SUCCESS:
        *res = p + 16 + vlen;
        *rlen = len - 16 - vlen;
        return 0;
    case ACC_PROG_UNAVAIL:
        return -EPROTO;
    case ACC_PROG_MISMATCH:
        return -EPROTONOSUPPORT;
    case ACC_PROC_UNAVAIL:
        return -ENOSYS;
    case ACC_GARBAGE_ARGS:
        return -EINVAL;
    case ACC_SYSTEM_ERR:
        return -EREMOTEIO;
    default:
        return -EBADMSG;
    }
}

void
gf__rpc_clnt_reply(gf_rpc_clnt_t *clnt, struct gf__rpc_link *link, void *base,
                   size_t len, gf_iobuf_t *iobuf)
{
    unsigned char *p = base, *res = NULL;
    struct gf__rpc_call *call = NULL;
    size_t rlen = 0;
    bool current;
    uint32_t xid;
    int status;

    if (len < 8) {
        gf_log(domain, GF_LOG_WARNING, "%s: dropped a %zu-byte record",
               clnt->address, len);
        return;
    }
    xid = get32(p);
    if (get32(p + 4) != RPC_REPLY) {
        /* Server-to-client calls (GlusterFS callbacks) are not served. */
        gf_log(domain, GF_LOG_DEBUG, "%s: ignored a message of type %u",
               clnt->address, get32(p + 4));
        return;
    }
    status = decode_reply(p + 8, len - 8, &res, &rlen);

    pthread_mutex_lock(&clnt->lock);
    current = clnt->cur == link;
    if (current) {
        if (clnt->opts.ping_interval_ms)
            clnt->last_recv = gf_timer_wheel_now(clnt->tw);
        call = map_remove(clnt, xid);
        if (call)
            clnt->st.replies++;
        else
            clnt->st.unknown_xids++;
    }
    pthread_mutex_unlock(&clnt->lock);
    if (!call) {
        /* A connection being torn down: its calls were failed already. */
        if (!current)
            return;
        gf_log(domain, GF_LOG_WARNING,
               "%s: dropped a reply with unknown xid %u", clnt->address, xid);
        return;
    }
    if (status == 0)
        call->cbk(0, res, rlen, iobuf, call->data);
    else
        call->cbk(status, NULL, 0, NULL, call->data);
    gf_mem_put(call);
}
