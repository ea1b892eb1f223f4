/* SPDX-License-Identifier: LGPL-3.0-or-later */
/*
 * rpcsvc-call.c - from a received record to an actor, and from an actor's
 * answer back to the wire.
 *
 * Everything the service answers itself (errors, denials, procedure NULL)
 * is decided here, before a request object escapes to an actor. Every
 * request given to an actor counts against its connection's outstanding
 * limit until it is answered, whichever thread answers it.
 */
#include <errno.h>
#include <string.h>

#include <gf/log.h>

#include "rpcsvc-int.h"

static const char *const dom = "rpcsvc";

/* ---- sending -------------------------------------------------------- */

/*
 * Send one record: HDR (copied into a small pooled iobuf) followed by the
 * COUNT iovecs of the caller (not copied; REF holds their buffers). A
 * failure other than a closed connection leaves a client waiting forever
 * for this xid, so the connection is closed: the client sees the loss.
 */
/* True if a reply is small enough for the transport to copy. */
static bool
small_reply(size_t hlen, const struct iovec *iov, int count)
{
    size_t len = hlen;

    for (int i = 0; i < count; i++)
        len += iov[i].iov_len;
    return len <= GF_RPC_SMALL_RECORD;
}

static int
send_reply(struct gf__rpcsvc_conn *sc, const uint8_t *hdr, size_t hlen,
           const struct iovec *iov, int count, gf_iobref_t *ref)
{
    struct iovec v[64];
    gf_iobuf_t *hb = NULL;
    gf_iobref_t *bag = NULL;
    int ret = -ENOMEM;

    if (atomic_load_explicit(&sc->gone, memory_order_acquire))
        return -ENOTCONN;
    if (!ref && small_reply(hlen, iov, count)) {
        /* NULL, PING, errors: the transport copies it, no buffers. */
        v[0].iov_base = (void *)hdr;
        v[0].iov_len = hlen;
        if (count > 0)
            memcpy(&v[1], iov, (size_t)count * sizeof(v[0]));
        ret = gf_rpc_conn_submit(sc->conn, v, count + 1, NULL);
        goto out;
    }
    hb = gf_iobuf_get(sc->svc->iop, RPC_REPLY_MAX_HDR);
    if (!hb)
        goto out;
    bag = gf_iobref_new();
    if (!bag || gf_iobref_add(bag, hb) < 0 ||
        (ref && gf_iobref_merge(bag, ref) < 0))
        goto out;
    memcpy(gf_iobuf_ptr(hb), hdr, hlen);
    v[0].iov_base = gf_iobuf_ptr(hb);
    v[0].iov_len = hlen;
    if (count > 0)
        memcpy(&v[1], iov, (size_t)count * sizeof(v[0]));
    ret = gf_rpc_conn_submit(sc->conn, v, count + 1, bag);
out:
    gf_iobref_unref(bag);
    gf_iobuf_unref(hb);
    if (ret < 0 && ret != -ENOTCONN) {
        gf_log(dom, GF_LOG_ERROR, "%s: cannot send a reply (%s), closing",
               gf_rpc_conn_peer(sc->conn), strerror(-ret));
        gf_rpc_conn_close(sc->conn);
    }
    return ret;
}

/* An accepted reply header with STAT; PROG_MISMATCH adds LOW and HIGH. */
static size_t
hdr_accepted(uint8_t *p, uint32_t xid, uint32_t stat, uint32_t low,
             uint32_t high)
{
    gf__put32(p, xid);
    gf__put32(p + 4, RPC_REPLY);
    gf__put32(p + 8, RPC_MSG_ACCEPTED);
    gf__put32(p + 12, GF_RPC_AUTH_NULL); /* verifier */
    gf__put32(p + 16, 0);
    gf__put32(p + 20, stat);
    if (stat != GF_RPC_PROG_MISMATCH)
        return RPC_REPLY_HDR;
    gf__put32(p + 24, low);
    gf__put32(p + 28, high);
    return RPC_REPLY_HDR + 8;
}

static int
send_accepted(struct gf__rpcsvc_conn *sc, uint32_t xid, uint32_t stat,
              uint32_t low, uint32_t high)
{
    uint8_t h[RPC_REPLY_MAX_HDR];

    return send_reply(sc, h, hdr_accepted(h, xid, stat, low, high), NULL, 0,
                      NULL);
}

/* MSG_DENIED: RPC_MISMATCH (low = high = 2) or AUTH_ERROR with STAT. */
static int
send_denied(struct gf__rpcsvc_conn *sc, uint32_t xid, bool auth, uint32_t stat)
{
    uint8_t h[RPC_REPLY_MAX_HDR];

    gf__put32(h, xid);
    gf__put32(h + 4, RPC_REPLY);
    gf__put32(h + 8, RPC_MSG_DENIED);
    if (auth) {
        gf__put32(h + 12, RPC_AUTH_ERROR);
        gf__put32(h + 16, stat);
        return send_reply(sc, h, 20, NULL, 0, NULL);
    }
    gf__put32(h + 12, RPC_MISMATCH);
    gf__put32(h + 16, RPC_VERSION);
    gf__put32(h + 20, RPC_VERSION);
    return send_reply(sc, h, 24, NULL, 0, NULL);
}

/* ---- outstanding limit ---------------------------------------------- */

/*
 * The limit is reached on the event thread (dispatch) and left from any
 * thread (answers); the per-connection lock keeps the pause/resume pairs
 * balanced and ordered. It is uncontended but for a reply racing a call.
 */
static void
count_in(struct gf__rpcsvc_conn *sc)
{
    unsigned limit = sc->svc->opts.outstanding_limit;

    if (!limit)
        return;
    pthread_mutex_lock(&sc->lock);
    if (++sc->outstanding >= limit && !sc->paused) {
        sc->paused = true;
        gf_rpc_conn_pause(sc->conn);
    }
    pthread_mutex_unlock(&sc->lock);
}

static void
count_out(struct gf__rpcsvc_conn *sc)
{
    unsigned limit = sc->svc->opts.outstanding_limit;

    if (!limit)
        return;
    pthread_mutex_lock(&sc->lock);
    sc->outstanding--;
    if (sc->paused && sc->outstanding < limit) {
        sc->paused = false;
        gf_rpc_conn_resume(sc->conn);
    }
    pthread_mutex_unlock(&sc->lock);
}

static void
req_done(gf_rpcsvc_req_t *req)
{
    struct gf__rpcsvc_conn *sc = req->sc;

    count_out(sc);
    gf_iobuf_unref(req->iob);
    gf_mem_put(req);
    gf__rpcsvc_conn_unref(sc);
}

/* ---- dispatch ------------------------------------------------------- */

static const char *
auth_stat_name(uint32_t stat)
{
    static const char *const names[] = {
        "AUTH_OK",      "AUTH_BADCRED",      "AUTH_REJECTEDCRED",
        "AUTH_BADVERF", "AUTH_REJECTEDVERF", "AUTH_TOOWEAK",
    };

    return stat < GF_ARRAY_SIZE(names) ? names[stat] : "?";
}

/* Answer what is not a well-formed call. False: nothing to dispatch. */
static bool
check_header(struct gf__rpcsvc_conn *sc, gf__rpc_parse_t r,
             const gf__rpc_call_t *c, size_t len)
{
    const char *peer = gf_rpc_conn_peer(sc->conn);

    switch (r) {
    case GF__RPC_OK:
        return true;
    case GF__RPC_IS_REPLY:
        /* The server has no calls of its own outstanding: nothing can
         * match, and dropping it costs nothing. */
        gf_log(dom, GF_LOG_WARNING, "%s: ignoring a REPLY sent to a server",
               peer);
        return false;
    case GF__RPC_RPCVERS:
        gf_log(dom, GF_LOG_WARNING, "%s: call with RPC version %u denied", peer,
               c->rpcvers);
        send_denied(sc, c->xid, false, 0);
        return false;
    case GF__RPC_BADCRED:
    case GF__RPC_BADVERF:
        gf_log(dom, GF_LOG_WARNING,
               "%s: call with a malformed %s "
               "(%u bytes) denied",
               peer, r == GF__RPC_BADCRED ? "credential" : "verifier",
               r == GF__RPC_BADCRED ? c->cred_len : c->verf_len);
        send_denied(sc, c->xid, true,
                    r == GF__RPC_BADCRED ? GF_RPC_AUTH_BADCRED
                                         : GF_RPC_AUTH_BADVERF);
        return false;
    case GF__RPC_NOT_RPC:
    default:
        gf_log(dom, GF_LOG_ERROR,
               "%s: record of %zu bytes is not an RPC "
               "call, disconnecting",
               peer, len);
        gf_rpc_conn_close(sc->conn);
        return false;
    }
}

/* Find the program of C, or answer PROG_UNAVAIL / PROG_MISMATCH. */
static const struct gf__rpcsvc_prog *
lookup(struct gf__rpcsvc_conn *sc, const gf__rpc_call_t *c)
{
    const struct gf__rpcsvc_progtab *t = gf__rpcsvc_progs(sc->svc);
    uint32_t low = UINT32_MAX, high = 0;
    bool num = false;

    for (unsigned i = 0; t && i < t->n; i++) {
        const struct gf__rpcsvc_prog *p = t->progs[i];

        if (p->num != c->prog)
            continue;
        if (p->vers == c->vers)
            return p;
        num = true;
        low = p->vers < low ? p->vers : low;
        high = p->vers > high ? p->vers : high;
    }
    gf_log(dom, GF_LOG_DEBUG, "%s: program %u v%u: %s",
           gf_rpc_conn_peer(sc->conn), c->prog, c->vers,
           num ? "PROG_MISMATCH" : "PROG_UNAVAIL");
    send_accepted(sc, c->xid, num ? GF_RPC_PROG_MISMATCH : GF_RPC_PROG_UNAVAIL,
                  low, high);
    return NULL;
}

void
gf__rpcsvc_on_message(gf_rpc_conn_t *conn, void *data, void *base, size_t len,
                      gf_iobuf_t *iobuf)
{
    struct gf__rpcsvc_conn *sc = data;
    const struct gf__rpcsvc_prog *p;
    gf_rpcsvc_req_t *req;
    gf__rpc_call_t c;
    gf_rpc_auth_stat_t st;
    int ret;

    /* Records still buffered when the service is being freed are
     * dropped: the connection is closing and the owner tearing down. */
    if (atomic_load_explicit(&sc->svc->freeing, memory_order_relaxed))
        return;
    if (!check_header(sc, gf__rpcsvc_parse_call(base, len, &c), &c, len))
        return;
    req = gf_mem_get(sc->svc->req_pool);
    if (!req) {
        gf_log(dom, GF_LOG_ERROR, "%s: no memory for a request",
               gf_rpc_conn_peer(conn));
        send_accepted(sc, c.xid, GF_RPC_SYSTEM_ERR, 0, 0);
        return;
    }
    /* Authentication comes first, as in RFC 5531 servers: a bad
     * credential is denied whatever it calls. */
    st = gf__rpcsvc_auth_decode(&c, &req->auth);
    if (st != GF_RPC_AUTH_OK) {
        gf_log(dom, GF_LOG_WARNING,
               "%s: credential of flavor %u (%u bytes) "
               "denied: %s",
               gf_rpc_conn_peer(conn), c.cred_flavor, c.cred_len,
               auth_stat_name(st));
        send_denied(sc, c.xid, true, st);
        gf_mem_put(req);
        return;
    }
    p = lookup(sc, &c);
    if (!p || c.proc >= p->nprocs || !p->procs[c.proc].fn) {
        if (p) /* NULL, unless the program serves it itself */
            send_accepted(sc, c.xid,
                          c.proc == 0 ? GF_RPC_SUCCESS : GF_RPC_PROC_UNAVAIL, 0,
                          0);
        gf_mem_put(req);
        return;
    }
    req->sc = sc;
    req->prog = p;
    req->iob = gf_iobuf_ref(iobuf);
    req->args = c.args;
    req->args_len = c.args_len;
    req->xid = c.xid;
    req->prognum = c.prog;
    req->vers = c.vers;
    req->proc = c.proc;
    gf__rpcsvc_conn_ref(sc);
    count_in(sc);
    ret = p->procs[c.proc].fn(req, p->data);
    if (ret < 0)
        gf_rpcsvc_error(req, ret == -EBADMSG ? GF_RPC_GARBAGE_ARGS
                                             : GF_RPC_SYSTEM_ERR);
}

/* ---- answers -------------------------------------------------------- */

GF_EXPORT int
gf_rpcsvc_reply(gf_rpcsvc_req_t *req, const struct iovec *iov, int count,
                gf_iobref_t *iobref)
{
    uint8_t h[RPC_REPLY_MAX_HDR];
    int ret;

    if (!req)
        return -EINVAL;
    if (count < 0 || count > 63 || (count > 0 && !iov)) {
        gf_rpcsvc_error(req, GF_RPC_SYSTEM_ERR);
        return -EINVAL;
    }
    ret = send_reply(req->sc, h, hdr_accepted(h, req->xid, 0, 0, 0), iov, count,
                     iobref);
    req_done(req);
    return ret;
}

GF_EXPORT int
gf_rpcsvc_error(gf_rpcsvc_req_t *req, gf_rpc_accept_stat_t stat)
{
    int ret, bad = 0;

    if (!req)
        return -EINVAL;
    if (stat != GF_RPC_PROG_UNAVAIL && stat != GF_RPC_PROC_UNAVAIL &&
        stat != GF_RPC_GARBAGE_ARGS && stat != GF_RPC_SYSTEM_ERR) {
        stat = GF_RPC_SYSTEM_ERR;
        bad = -EINVAL;
    }
    ret = send_accepted(req->sc, req->xid, stat, 0, 0);
    req_done(req);
    return bad ? bad : ret;
}

GF_EXPORT int
gf_rpcsvc_auth_error(gf_rpcsvc_req_t *req, gf_rpc_auth_stat_t stat)
{
    int ret;

    if (!req)
        return -EINVAL;
    if (stat < GF_RPC_AUTH_BADCRED || stat > GF_RPC_AUTH_TOOWEAK) {
        gf_rpcsvc_error(req, GF_RPC_SYSTEM_ERR);
        return -EINVAL;
    }
    ret = send_denied(req->sc, req->xid, true, stat);
    req_done(req);
    return ret;
}

GF_EXPORT void
gf_rpcsvc_drop(gf_rpcsvc_req_t *req)
{
    if (req)
        req_done(req);
}

/* ---- accessors ------------------------------------------------------ */

GF_EXPORT void
gf_rpcsvc_req_args(const gf_rpcsvc_req_t *req, const void **base, size_t *len)
{
    if (base)
        *base = req ? req->args : NULL;
    if (len)
        *len = req ? req->args_len : 0;
}

GF_EXPORT gf_iobuf_t *
gf_rpcsvc_req_iobuf(const gf_rpcsvc_req_t *req)
{
    return req ? req->iob : NULL;
}

GF_EXPORT uint32_t
gf_rpcsvc_req_xid(const gf_rpcsvc_req_t *req)
{
    return req ? req->xid : 0;
}

GF_EXPORT uint32_t
gf_rpcsvc_req_prog(const gf_rpcsvc_req_t *req)
{
    return req ? req->prognum : 0;
}

GF_EXPORT uint32_t
gf_rpcsvc_req_vers(const gf_rpcsvc_req_t *req)
{
    return req ? req->vers : 0;
}

GF_EXPORT uint32_t
gf_rpcsvc_req_proc(const gf_rpcsvc_req_t *req)
{
    return req ? req->proc : 0;
}

GF_EXPORT const gf_identity_t *
gf_rpcsvc_req_identity(const gf_rpcsvc_req_t *req)
{
    return req ? &req->auth.id : NULL;
}

GF_EXPORT const gf_rpcsvc_cred_t *
gf_rpcsvc_req_cred(const gf_rpcsvc_req_t *req)
{
    return req ? &req->auth.cred : NULL;
}

GF_EXPORT gf_rpc_conn_t *
gf_rpcsvc_req_conn(const gf_rpcsvc_req_t *req)
{
    return req ? req->sc->conn : NULL;
}

GF_EXPORT const char *
gf_rpcsvc_req_peer(const gf_rpcsvc_req_t *req)
{
    return req ? gf_rpc_conn_peer(req->sc->conn) : NULL;
}

GF_EXPORT void *
gf_rpcsvc_req_conn_data(const gf_rpcsvc_req_t *req)
{
    return req ? req->sc->data : NULL;
}

GF_EXPORT gf_rpcsvc_t *
gf_rpcsvc_req_svc(const gf_rpcsvc_req_t *req)
{
    return req ? req->sc->svc : NULL;
}
