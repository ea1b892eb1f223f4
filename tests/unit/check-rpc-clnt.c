/* SPDX-License-Identifier: LGPL-3.0-or-later */
/*
 * check-rpc-clnt.c - the RPC client against a tiny ONC RPC server written
 * here on top of the record transport, on loopback.
 *
 * The server answers a test program (TPROG v1) whose procedures each
 * provoke one client path: NULL, echo, never answer, GARBAGE_ARGS,
 * SYSTEM_ERR, MSG_DENIED, a reply with a bogus xid first, close the
 * connection, echo after a delay, a truncated reply. It also answers
 * GF-DUMP PING unless muted, and records what it received (xids,
 * credentials, call headers). Tests cover call completion and error
 * mapping, 10,000 pipelined calls, timeouts, connection loss, reconnect
 * back-off, pings, and reply/timeout/disconnect/free races.
 */
#include <errno.h>
#include <pthread.h>
#include <signal.h>
#include <stdatomic.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#if defined(__has_include)
#if __has_include(<valgrind/valgrind.h>)
#include <valgrind/valgrind.h>
#define HAVE_VALGRIND_H 1
#endif
#endif

#include <gf/event.h>
#include <gf/iobuf.h>
#include <gf/log.h>
#include <gf/rpc-clnt.h>
#include <gf/rpc-transport.h>
#include <gf/rpcsvc.h>
#include <gf/timer.h>

#include "gf-test.h"

enum {
    TPROG = 0x20000099,
    P_NULL = 0,
    P_ECHO = 1,
    P_DROP = 2,
    P_GARBAGE = 3,
    P_SYSERR = 4,
    P_DENIED = 5,
    P_BOGUS_XID = 6,
    P_CLOSE = 7,
    P_DELAY = 8, /* first argument word: delay in ms */
    P_SHORT = 9,
    MAX_XIDS = 20000,
    MAX_SCONNS = 64,
};

static bool
slow(void)
{
#ifdef HAVE_VALGRIND_H
    if (RUNNING_ON_VALGRIND)
        return true;
#endif
    return getenv("GF_TEST_SLOW") != NULL;
}

static void
msleep(int ms)
{
    usleep((useconds_t)ms * 1000);
}

static uint64_t
now_ms(void)
{
    struct timespec ts;

    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (uint64_t)ts.tv_sec * 1000u + (uint64_t)ts.tv_nsec / 1000000u;
}

/* Wait up to 20 s (60 s when slow) for *V >= TARGET. */
static bool
wait_ge(atomic_int *v, int target)
{
    int limit = slow() ? 60000 : 20000;

    for (int i = 0; i < limit && atomic_load(v) < target; i++)
        msleep(1);
    return atomic_load(v) >= target;
}

static uint32_t
get32(const void *b)
{
    const unsigned char *p = b;

    return (uint32_t)p[0] << 24 | (uint32_t)p[1] << 16 | (uint32_t)p[2] << 8 |
           p[3];
}

static void
put32(void *b, uint32_t v)
{
    unsigned char *p = b;

    p[0] = (unsigned char)(v >> 24);
    p[1] = (unsigned char)(v >> 16);
    p[2] = (unsigned char)(v >> 8);
    p[3] = (unsigned char)v;
}

/* ---- the test server ---------------------------------------------------- */

struct srv {
    gf_event_pool_t *ev;
    gf_iobuf_pool_t *iop;
    gf_timer_wheel_t *tw;
    gf_rpc_listener_t *l;
    int port;
    pthread_mutex_t lock;
    gf_rpc_conn_t *conns[MAX_SCONNS]; /* (lock) our references */
    int nconns;
    atomic_int accepts, calls, pings, delayed_out;
    atomic_bool mute, mute_pings, refuse;
    uint32_t xids[MAX_XIDS]; /* (lock) of TPROG calls */
    int nxids;
    unsigned char hdr[512]; /* (lock) head of the last TPROG call */
    size_t hdr_len;
};

struct call_hdr {
    uint32_t xid, prog, vers, proc;
    size_t hlen; /* bytes up to the arguments */
    const unsigned char *args;
    size_t alen;
};

static int
parse_call(const unsigned char *p, size_t len, struct call_hdr *h)
{
    size_t off = 32, clen, vlen;

    if (len < 40 || get32(p + 4) != 0 || get32(p + 8) != 2)
        return -1;
    h->xid = get32(p);
    h->prog = get32(p + 12);
    h->vers = get32(p + 16);
    h->proc = get32(p + 20);
    clen = (get32(p + 28) + 3) & ~3u;
    if (clen > 400 || off + clen + 8 > len)
        return -1;
    off += clen;
    vlen = (get32(p + off + 4) + 3) & ~3u;
    off += 8 + vlen;
    if (off > len)
        return -1;
    h->hlen = off;
    h->args = p + off;
    h->alen = len - off;
    return 0;
}

/* A record of the reply words W[0..NW) then TAIL, in an iobuf. */
static gf_iobref_t *
make_reply(struct srv *s, const uint32_t *w, size_t nw, const void *tail,
           size_t tlen, struct iovec *iov)
{
    gf_iobuf_t *iob = gf_iobuf_get(s->iop, nw * 4 + tlen + 1);
    gf_iobref_t *ref = gf_iobref_new();
    unsigned char *p = gf_iobuf_ptr(iob);

    ck_assert_ptr_nonnull(iob);
    ck_assert_ptr_nonnull(ref);
    for (size_t i = 0; i < nw; i++)
        put32(p + 4 * i, w[i]);
    if (tlen)
        memcpy(p + nw * 4, tail, tlen);
    ck_assert_int_eq(gf_iobref_add(ref, iob), 0);
    gf_iobuf_unref(iob);
    iov->iov_base = p;
    iov->iov_len = nw * 4 + tlen;
    return ref;
}

static void
send_reply(struct srv *s, gf_rpc_conn_t *conn, const uint32_t *w, size_t nw,
           const void *tail, size_t tlen)
{
    struct iovec iov;
    gf_iobref_t *ref = make_reply(s, w, nw, tail, tlen, &iov);

    gf_rpc_conn_submit(conn, &iov, 1, ref); /* may fail: peer gone */
    gf_iobref_unref(ref);
}

struct delayed {
    struct srv *s;
    gf_rpc_conn_t *conn;
    gf_iobref_t *ref;
    struct iovec iov;
};

static void
delayed_fire(void *data)
{
    struct delayed *d = data;

    gf_rpc_conn_submit(d->conn, &d->iov, 1, d->ref);
    gf_rpc_conn_unref(d->conn);
    gf_iobref_unref(d->ref);
    atomic_fetch_sub(&d->s->delayed_out, 1);
    free(d);
}

static void
send_later(struct srv *s, gf_rpc_conn_t *conn, const uint32_t *w, size_t nw,
           const void *tail, size_t tlen, unsigned ms)
{
    struct delayed *d = malloc(sizeof(*d));
    gf_timer_t *t;

    ck_assert_ptr_nonnull(d);
    d->s = s;
    d->conn = gf_rpc_conn_ref(conn);
    d->ref = make_reply(s, w, nw, tail, tlen, &d->iov);
    atomic_fetch_add(&s->delayed_out, 1);
    t = gf_timer_call_after(s->tw, ms, delayed_fire, d);
    ck_assert_ptr_nonnull(t);
    gf_timer_release(s->tw, t);
}

static void
note_call(struct srv *s, const unsigned char *p, const struct call_hdr *h)
{
    pthread_mutex_lock(&s->lock);
    if (s->nxids < MAX_XIDS)
        s->xids[s->nxids++] = h->xid;
    s->hdr_len = h->hlen < sizeof(s->hdr) ? h->hlen : sizeof(s->hdr);
    memcpy(s->hdr, p, s->hdr_len);
    pthread_mutex_unlock(&s->lock);
}

/* Answer a TPROG v1 call. */
static void
serve_tprog(struct srv *s, gf_rpc_conn_t *conn, const struct call_hdr *h)
{
    uint32_t w[8] = {h->xid, 1, 0, 0, 0, 0, 0, 0};

    switch (h->proc) {
    case P_NULL:
    case P_ECHO:
        send_reply(s, conn, w, 6, h->args, h->alen);
        break;
    case P_DROP:
        break;
    case P_GARBAGE:
    case P_SYSERR:
        w[5] = h->proc == P_GARBAGE ? 4 : 5;
        send_reply(s, conn, w, 6, NULL, 0);
        break;
    case P_DENIED: /* MSG_DENIED, AUTH_ERROR, AUTH_BADCRED */
        w[2] = 1;
        w[3] = 1;
        w[4] = 1;
        send_reply(s, conn, w, 5, NULL, 0);
        break;
    case P_BOGUS_XID:
        w[0] = h->xid ^ 0x80000000u;
        send_reply(s, conn, w, 6, h->args, h->alen);
        w[0] = h->xid;
        send_reply(s, conn, w, 6, h->args, h->alen);
        break;
    case P_CLOSE:
        gf_rpc_conn_close(conn);
        break;
    case P_DELAY:
        send_later(s, conn, w, 6, h->args, h->alen,
                   h->alen >= 4 ? get32(h->args) : 0);
        break;
    case P_SHORT:
        send_reply(s, conn, w, 3, NULL, 0);
        break;
    default: /* PROC_UNAVAIL */
        w[5] = 3;
        send_reply(s, conn, w, 6, NULL, 0);
    }
}

static void
srv_message(gf_rpc_conn_t *conn, void *data, void *base, size_t len,
            gf_iobuf_t *iobuf)
{
    struct srv *s = data;
    struct call_hdr h;
    uint32_t w[8];

    (void)iobuf;
    if (parse_call(base, len, &h) < 0)
        return;
    atomic_fetch_add(&s->calls, 1);
    if (h.prog == GF_RPC_CLNT_DUMP_PROG && h.proc == GF_RPC_CLNT_DUMP_PING) {
        atomic_fetch_add(&s->pings, 1);
        if (atomic_load(&s->mute) || atomic_load(&s->mute_pings))
            return;
        uint32_t rsp[9] = {h.xid, 1, 0, 0, 0, 0, 0, 0, 0};
        send_reply(s, conn, rsp, 9, NULL, 0); /* gf_common_rsp {0, 0, {}} */
        return;
    }
    if (atomic_load(&s->mute))
        return;
    w[0] = h.xid;
    w[1] = 1;
    w[2] = w[3] = w[4] = 0;
    if (h.prog != TPROG) {
        w[5] = 1; /* PROG_UNAVAIL */
        send_reply(s, conn, w, 6, NULL, 0);
    } else if (h.vers != 1) {
        w[5] = 2; /* PROG_MISMATCH 1..1 */
        w[6] = w[7] = 1;
        send_reply(s, conn, w, 8, NULL, 0);
    } else {
        note_call(s, base, &h);
        serve_tprog(s, conn, &h);
    }
}

static void
srv_disconnected(gf_rpc_conn_t *conn, void *data, int error)
{
    struct srv *s = data;
    bool found = false;

    (void)error;
    pthread_mutex_lock(&s->lock);
    for (int i = 0; i < s->nconns; i++) {
        if (s->conns[i] == conn) {
            s->conns[i] = s->conns[--s->nconns];
            found = true;
            break;
        }
    }
    pthread_mutex_unlock(&s->lock);
    if (found)
        gf_rpc_conn_unref(conn);
}

static const gf_rpc_conn_cbs_t srv_cbs = {
    .message = srv_message,
    .disconnected = srv_disconnected,
};

static int
srv_accept(gf_rpc_listener_t *l, gf_rpc_conn_t *conn, void *data)
{
    struct srv *s = data;

    (void)l;
    if (atomic_load(&s->refuse))
        return -ECONNREFUSED;
    pthread_mutex_lock(&s->lock);
    if (s->nconns == MAX_SCONNS) {
        pthread_mutex_unlock(&s->lock);
        return -EMFILE;
    }
    s->conns[s->nconns++] = gf_rpc_conn_ref(conn);
    pthread_mutex_unlock(&s->lock);
    atomic_fetch_add(&s->accepts, 1);
    return gf_rpc_conn_start(conn, &srv_cbs, s);
}

static void
srv_listen(struct srv *s)
{
    char addr[64];
    int rc;

    snprintf(addr, sizeof(addr), "127.0.0.1:%d", s->port);
    rc = gf_rpc_listen(s->ev, s->iop, addr, NULL, srv_accept, s, &s->l);
    ck_assert_int_eq(rc, 0);
    s->port = gf_rpc_listener_port(s->l);
    ck_assert_int_gt(s->port, 0);
}

/* Close every server-side connection (the listener stays). */
static void
srv_drop_all(struct srv *s)
{
    gf_rpc_conn_t *c[MAX_SCONNS];
    int n;

    pthread_mutex_lock(&s->lock);
    n = s->nconns;
    memcpy(c, s->conns, (size_t)n * sizeof(*c));
    s->nconns = 0;
    pthread_mutex_unlock(&s->lock);
    for (int i = 0; i < n; i++) {
        gf_rpc_conn_close(c[i]);
        gf_rpc_conn_unref(c[i]);
    }
}

static void
srv_unlisten(struct srv *s)
{
    gf_rpc_listener_close(s->l);
    s->l = NULL;
}

/* ---- the fixture -------------------------------------------------------- */

static struct fix {
    gf_event_pool_t *cev;
    gf_iobuf_pool_t *iop;
    gf_timer_wheel_t *tw;
    struct srv srv;
    char addr[64];
    atomic_int connected, disconnected;
} F;

static void
on_notify(gf_rpc_clnt_t *clnt, gf_rpc_clnt_event_t ev, void *data)
{
    ck_assert_ptr_eq(data, &F);
    ck_assert_ptr_nonnull(clnt);
    if (ev == GF_RPC_CLNT_CONNECTED)
        atomic_fetch_add(&F.connected, 1);
    else
        atomic_fetch_add(&F.disconnected, 1);
}

static void
setup(void)
{
    memset(&F, 0, sizeof(F));
    F.cev = gf_event_pool_new(2);
    F.srv.ev = gf_event_pool_new(1);
    F.iop = gf_iobuf_pool_new();
    F.tw = gf_timer_wheel_new();
    ck_assert_ptr_nonnull(F.cev);
    ck_assert_ptr_nonnull(F.srv.ev);
    ck_assert_ptr_nonnull(F.iop);
    ck_assert_ptr_nonnull(F.tw);
    ck_assert_int_eq(gf_event_pool_start(F.cev), 0);
    ck_assert_int_eq(gf_event_pool_start(F.srv.ev), 0);
    F.srv.iop = F.iop;
    F.srv.tw = F.tw;
    pthread_mutex_init(&F.srv.lock, NULL);
    srv_listen(&F.srv);
    snprintf(F.addr, sizeof(F.addr), "127.0.0.1:%d", F.srv.port);
}

static void
teardown(void)
{
    /* Delayed replies hold server connections: let them go first. */
    for (int i = 0; i < 5000 && atomic_load(&F.srv.delayed_out); i++)
        msleep(1);
    if (F.srv.l)
        srv_unlisten(&F.srv);
    srv_drop_all(&F.srv);
    gf_timer_wheel_free(F.tw);
    gf_event_pool_free(F.cev);
    gf_event_pool_free(F.srv.ev);
    pthread_mutex_destroy(&F.srv.lock);
    gf_iobuf_pool_free(F.iop);
}

static void
test_opts(gf_rpc_clnt_opts_t *o)
{
    gf_rpc_clnt_opts_init(o);
    o->ping_interval_ms = 0;
    o->reconnect_min_ms = 20;
    o->reconnect_max_ms = 200;
    o->notify = on_notify;
    o->notify_data = &F;
}

static gf_rpc_clnt_t *
connected_client(const gf_rpc_clnt_opts_t *o)
{
    int before = atomic_load(&F.connected);
    gf_rpc_clnt_t *c = gf_rpc_clnt_new(F.cev, F.iop, F.tw, F.addr, o);

    ck_assert_ptr_nonnull(c);
    ck_assert_int_eq(gf_rpc_clnt_start(c), 0);
    ck_assert(wait_ge(&F.connected, before + 1));
    return c;
}

static gf_rpc_clnt_stats_t
stats(gf_rpc_clnt_t *c)
{
    gf_rpc_clnt_stats_t st;

    ck_assert_int_eq(gf_rpc_clnt_stats(c, &st), 0);
    return st;
}

/* One call's completion record. */
struct rec {
    atomic_int n; /* completions: must end at exactly 1 */
    atomic_int status;
    uint32_t expect; /* echoed word expected on success */
    bool check_echo;
    atomic_bool bad; /* wrong echo */
};

static atomic_int completions;
static atomic_int n_ok, n_timedout, n_notconn; /* completions by kind */

static void
rec_cbk(int status, void *base, size_t len, gf_iobuf_t *iobuf, void *data)
{
    struct rec *r = data;

    if (status == 0 && r->check_echo &&
        (len != 4 || !iobuf || get32(base) != r->expect))
        atomic_store(&r->bad, true);
    if (status != 0 && (base || len || iobuf))
        atomic_store(&r->bad, true);
    atomic_store(&r->status, status);
    atomic_fetch_add(status == 0            ? &n_ok
                     : status == -ETIMEDOUT ? &n_timedout
                                            : &n_notconn,
                     1);
    atomic_fetch_add(&r->n, 1);
    atomic_fetch_add(&completions, 1);
}

/* A synchronous call: returns the status, or the submit error. */
static int
call_sync(gf_rpc_clnt_t *c, uint32_t prog, uint32_t vers, uint32_t proc,
          const gf_rpc_auth_t *auth, uint32_t arg, bool has_arg)
{
    unsigned char a[4];
    struct iovec iov = {a, 4};
    struct rec r = {.expect = arg, .check_echo = has_arg};
    int rc;

    put32(a, arg);
    rc = gf_rpc_clnt_call(c, prog, vers, proc, auth, has_arg ? &iov : NULL,
                          has_arg ? 1 : 0, NULL, rec_cbk, &r);
    if (rc < 0)
        return rc;
    ck_assert(wait_ge(&r.n, 1));
    msleep(1);
    ck_assert_int_eq(atomic_load(&r.n), 1);
    ck_assert(!atomic_load(&r.bad));
    return atomic_load(&r.status);
}

/* ---- header encoding ---------------------------------------------------- */

/* The recorded DUMP call's header (wire-sequence.txt, frame 4). */
static const uint32_t dump_call[] = {
    0x00000002, 0x00000000, 0x00000002, 0x075bb86d, 0x00000001, 0x00000001,
    0x0005f397, 0x00000018, 0x00000000, 0x00000000, 0x00000000, 0x00000000,
    0x00000004, 0x00000000, 0x00000000, 0x00000000,
};

/* The recorded first LOOKUP call's header (frame 10): v3, pid 24898. */
static const uint32_t lookup_call[] = {
    0x00000004, 0x00000000, 0x00000002, 0x0013d005, 0x00000190,
    0x0000001b, 0x0005f398, 0x00000028, 0x00006142, 0x00000000,
    0x00000000, 0x00000000, 0x00000000, 0x00000000, 0x00000000,
    0x00000000, 0x00000004, 0x42610000, 0x00000000, 0x00000000,
};

static void
assert_words(const unsigned char *b, int len, const uint32_t *w, size_t nw)
{
    ck_assert_int_eq(len, (int)(nw * 4));
    for (size_t i = 0; i < nw; i++)
        ck_assert_msg(get32(b + 4 * i) == w[i], "word %zu: %08x != %08x", i,
                      get32(b + 4 * i), w[i]);
}

START_TEST(encode_recorded_headers)
{
    unsigned char b[GF_RPC_CLNT_MAX_HEADER];
    gf_lkowner_t lk = {.len = 4};
    gf_identity_t id = {.pid = 0, .lk_owner = &lk};
    gf_rpc_auth_t auth = {.flavor = GF_RPC_CLNT_AUTH_GLUSTERFS_V2, .id = &id};
    int len;

    len = gf_rpc_clnt_encode_header(b, sizeof(b), 2, 123451501, 1, 1, &auth);
    assert_words(b, len, dump_call, GF_ARRAY_SIZE(dump_call));

    id.pid = 24898;
    memcpy(lk.data, "\x42\x61\x00\x00", 4);
    auth.flavor = GF_RPC_CLNT_AUTH_GLUSTERFS_V3;
    len = gf_rpc_clnt_encode_header(b, sizeof(b), 4, 1298437, 400, 27, &auth);
    assert_words(b, len, lookup_call, GF_ARRAY_SIZE(lookup_call));

    /* AUTH_NULL: 6 words, empty credential and verifier. */
    len = gf_rpc_clnt_encode_header(b, sizeof(b), 7, 1, 2, 3, NULL);
    ck_assert_int_eq(len, 40);
    ck_assert_uint_eq(get32(b + 24), 0);
    ck_assert_uint_eq(get32(b + 28), 0);
}
END_TEST

START_TEST(encode_limits)
{
    unsigned char b[GF_RPC_CLNT_MAX_HEADER];
    uint32_t groups[200];
    gf_lkowner_t lk = {.len = 8};
    gf_identity_t id = {
        .uid = 1, .gid = 2, .ngroups = 200, .groups = groups, .lk_owner = &lk};
    gf_rpc_auth_t auth = {.flavor = GF_RPC_CLNT_AUTH_GLUSTERFS_V2, .id = &id};
    int len;

    for (uint32_t i = 0; i < 200; i++)
        groups[i] = 1000 + i;
    /* v2: 95 units less 2 for the lk_owner -> 93 groups, a 400-byte body. */
    len = gf_rpc_clnt_encode_header(b, sizeof(b), 1, 1, 1, 0, &auth);
    ck_assert_int_eq(len, 24 + 8 + 400 + 8);
    ck_assert_uint_eq(get32(b + 28), 400);
    ck_assert_uint_eq(get32(b + 32 + 12), 93);
    ck_assert_uint_eq(get32(b + 32 + 16 + 92 * 4), 1092);
    /* v3: 91 units -> 89 groups, again 400 bytes. */
    auth.flavor = GF_RPC_CLNT_AUTH_GLUSTERFS_V3;
    len = gf_rpc_clnt_encode_header(b, sizeof(b), 1, 1, 1, 0, &auth);
    ck_assert_int_eq(len, 440);
    ck_assert_uint_eq(get32(b + 32 + 28), 89);

    ck_assert_int_eq(gf_rpc_clnt_encode_header(b, 100, 1, 1, 1, 0, &auth),
                     -ENOSPC);
    lk.len = 400; /* longer than any credential can carry */
    ck_assert_int_eq(gf_rpc_clnt_encode_header(b, sizeof(b), 1, 1, 1, 0, &auth),
                     -EINVAL);
    lk.len = 8;
    id.groups = NULL;
    ck_assert_int_eq(gf_rpc_clnt_encode_header(b, sizeof(b), 1, 1, 1, 0, &auth),
                     -EINVAL);
    auth.id = NULL;
    ck_assert_int_eq(gf_rpc_clnt_encode_header(b, sizeof(b), 1, 1, 1, 0, &auth),
                     -EINVAL);
    auth.flavor = 1; /* AUTH_UNIX: not sent by this client */
    ck_assert_int_eq(gf_rpc_clnt_encode_header(b, sizeof(b), 1, 1, 1, 0, &auth),
                     -EINVAL);
    ck_assert_int_eq(gf_rpc_clnt_encode_header(NULL, 64, 1, 1, 1, 0, NULL),
                     -EINVAL);
}
END_TEST

/* ---- basic calls -------------------------------------------------------- */

START_TEST(bad_arguments)
{
    gf_rpc_clnt_opts_t o;
    gf_rpc_clnt_t *c;
    struct rec r = {0};
    struct iovec iov[64] = {{0}};

    test_opts(&o);
    ck_assert_ptr_null(gf_rpc_clnt_new(NULL, F.iop, F.tw, F.addr, &o));
    ck_assert_ptr_null(gf_rpc_clnt_new(F.cev, F.iop, F.tw, NULL, &o));
    o.reconnect_min_ms = 0;
    ck_assert_ptr_null(gf_rpc_clnt_new(F.cev, F.iop, F.tw, F.addr, &o));
    ck_assert_int_eq(errno, EINVAL);
    test_opts(&o);
    c = gf_rpc_clnt_new(F.cev, F.iop, F.tw, F.addr, &o);
    ck_assert_ptr_nonnull(c);
    /* Not started: fails at once, the callback never runs. */
    ck_assert_int_eq(
        gf_rpc_clnt_call(c, TPROG, 1, 0, NULL, NULL, 0, NULL, rec_cbk, &r),
        -ENOTCONN);
    ck_assert_int_eq(
        gf_rpc_clnt_call(c, TPROG, 1, 0, NULL, NULL, 0, NULL, NULL, &r),
        -EINVAL);
    ck_assert_int_eq(
        gf_rpc_clnt_call(c, TPROG, 1, 0, NULL, iov, 64, NULL, rec_cbk, &r),
        -EINVAL);
    ck_assert_int_eq(
        gf_rpc_clnt_call(NULL, TPROG, 1, 0, NULL, NULL, 0, NULL, rec_cbk, &r),
        -EINVAL);
    ck_assert_int_eq(gf_rpc_clnt_start(NULL), -EINVAL);
    ck_assert_int_eq(gf_rpc_clnt_stats(c, NULL), -EINVAL);
    gf_rpc_clnt_free(c);
    ck_assert_int_eq(atomic_load(&r.n), 0);
    gf_rpc_clnt_free(NULL);

    /* A malformed address is refused by start and not retried. */
    c = gf_rpc_clnt_new(F.cev, F.iop, F.tw, "not-an-address", &o);
    ck_assert_ptr_nonnull(c);
    ck_assert_int_eq(gf_rpc_clnt_start(c), -EINVAL);
    msleep(100);
    ck_assert_uint_eq(stats(c).connect_attempts, 1);
    gf_rpc_clnt_free(c);
}
END_TEST

START_TEST(null_and_echo)
{
    gf_rpc_clnt_opts_t o;
    gf_rpc_clnt_t *c;
    gf_rpc_clnt_stats_t st;

    test_opts(&o);
    c = connected_client(&o);
    ck_assert(stats(c).connected);
    ck_assert_int_eq(call_sync(c, TPROG, 1, P_NULL, NULL, 0, false), 0);
    ck_assert_int_eq(call_sync(c, TPROG, 1, P_ECHO, NULL, 0xfeedf00d, true), 0);
    st = stats(c);
    ck_assert_uint_eq(st.calls, 2);
    ck_assert_uint_eq(st.replies, 2);
    ck_assert_uint_eq(st.pending, 0);
    ck_assert_uint_eq(st.connects, 1);
    gf_rpc_clnt_free(c);
    ck_assert_int_eq(atomic_load(&F.disconnected), 0); /* free: no notify */
}
END_TEST

/* The credential arrives as gf_rpc_clnt_encode_header writes it. */
START_TEST(credential_on_the_wire)
{
    uint32_t groups[3] = {10, 20, 30};
    gf_lkowner_t lk = {.len = 5, .data = "abcde"};
    gf_identity_t id = {.uid = 1000,
                        .gid = 100,
                        .pid = 4242,
                        .ngroups = 3,
                        .groups = groups,
                        .lk_owner = &lk};
    gf_rpc_auth_t auth = {.flavor = GF_RPC_CLNT_AUTH_GLUSTERFS_V3,
                          .id = &id,
                          .flags = 0x5,
                          .ctime_sec = 0x123456789ull,
                          .ctime_nsec = 77};
    unsigned char want[GF_RPC_CLNT_MAX_HEADER];
    gf_rpc_clnt_opts_t o;
    gf_rpc_clnt_t *c;
    int len;

    test_opts(&o);
    c = connected_client(&o);
    ck_assert_int_eq(call_sync(c, TPROG, 1, P_ECHO, &auth, 9, true), 0);
    pthread_mutex_lock(&F.srv.lock);
    len = gf_rpc_clnt_encode_header(want, sizeof(want),
                                    F.srv.xids[F.srv.nxids - 1], TPROG, 1,
                                    P_ECHO, &auth);
    ck_assert_int_eq((int)F.srv.hdr_len, len);
    ck_assert_int_eq(memcmp(F.srv.hdr, want, (size_t)len), 0);
    pthread_mutex_unlock(&F.srv.lock);
    ck_assert_uint_eq(get32(want + 24), GF_RPC_CLNT_AUTH_GLUSTERFS_V3);
    ck_assert_uint_eq(get32(want + 32), 4242);
    gf_rpc_clnt_free(c);
}
END_TEST

START_TEST(reply_errors)
{
    gf_rpc_clnt_opts_t o;
    gf_rpc_clnt_t *c;

    test_opts(&o);
    c = connected_client(&o);
    ck_assert_int_eq(call_sync(c, TPROG + 1, 1, 0, NULL, 0, false), -EPROTO);
    ck_assert_int_eq(call_sync(c, TPROG, 2, 0, NULL, 0, false),
                     -EPROTONOSUPPORT);
    ck_assert_int_eq(call_sync(c, TPROG, 1, 77, NULL, 0, false), -ENOSYS);
    ck_assert_int_eq(call_sync(c, TPROG, 1, P_GARBAGE, NULL, 0, false),
                     -EINVAL);
    ck_assert_int_eq(call_sync(c, TPROG, 1, P_SYSERR, NULL, 0, false),
                     -EREMOTEIO);
    ck_assert_int_eq(call_sync(c, TPROG, 1, P_DENIED, NULL, 0, false), -EACCES);
    ck_assert_int_eq(call_sync(c, TPROG, 1, P_SHORT, NULL, 0, false), -EBADMSG);
    /* Still usable afterwards. */
    ck_assert_int_eq(call_sync(c, TPROG, 1, P_ECHO, NULL, 5, true), 0);
    ck_assert_uint_eq(stats(c).replies, 8);
    gf_rpc_clnt_free(c);
}
END_TEST

START_TEST(unknown_xid_ignored)
{
    gf_rpc_clnt_opts_t o;
    gf_rpc_clnt_t *c;
    gf_rpc_clnt_stats_t st;

    test_opts(&o);
    c = connected_client(&o);
    ck_assert_int_eq(call_sync(c, TPROG, 1, P_BOGUS_XID, NULL, 3, true), 0);
    st = stats(c);
    ck_assert_uint_eq(st.unknown_xids, 1);
    ck_assert_uint_eq(st.replies, 1);
    ck_assert(st.connected);
    ck_assert_int_eq(call_sync(c, TPROG, 1, P_ECHO, NULL, 4, true), 0);
    gf_rpc_clnt_free(c);
}
END_TEST

/* ---- pipelining ---------------------------------------------------------- */

static int
cmp_u32(const void *a, const void *b)
{
    uint32_t x = *(const uint32_t *)a, y = *(const uint32_t *)b;

    return x < y ? -1 : x > y;
}

START_TEST(pipelined_10000)
{
    enum { N = 10000 };
    struct rec *r = calloc(N, sizeof(*r));
    gf_iobuf_t *iob = gf_iobuf_get(F.iop, N * 4);
    gf_iobref_t *ref = gf_iobref_new();
    unsigned char *args = gf_iobuf_ptr(iob);
    gf_rpc_clnt_opts_t o;
    gf_rpc_clnt_t *c;
    uint64_t t0;

    ck_assert_ptr_nonnull(r);
    ck_assert_int_eq(gf_iobref_add(ref, iob), 0);
    test_opts(&o);
    c = connected_client(&o);
    atomic_store(&completions, 0);
    t0 = now_ms();
    for (int i = 0; i < N; i++) {
        struct iovec iov = {args + 4 * i, 4};

        put32(args + 4 * i, 0xa0000000u + (uint32_t)i);
        r[i].expect = 0xa0000000u + (uint32_t)i;
        r[i].check_echo = true;
        ck_assert_int_eq(gf_rpc_clnt_call(c, TPROG, 1, P_ECHO, NULL, &iov, 1,
                                          ref, rec_cbk, &r[i]),
                         0);
    }
    ck_assert(wait_ge(&completions, N));
    fprintf(stderr, "# %d pipelined calls in %llu ms\n", N,
            (unsigned long long)(now_ms() - t0));
    msleep(20);
    for (int i = 0; i < N; i++) {
        ck_assert_int_eq(atomic_load(&r[i].n), 1);
        ck_assert_int_eq(atomic_load(&r[i].status), 0);
        ck_assert(!atomic_load(&r[i].bad));
    }
    /* The server saw N consecutive, distinct xids. */
    pthread_mutex_lock(&F.srv.lock);
    ck_assert_int_eq(F.srv.nxids, N);
    qsort(F.srv.xids, N, sizeof(uint32_t), cmp_u32);
    for (int i = 1; i < N; i++)
        ck_assert_uint_eq(F.srv.xids[i], F.srv.xids[i - 1] + 1);
    pthread_mutex_unlock(&F.srv.lock);
    ck_assert_uint_eq(stats(c).replies, N);
    ck_assert_uint_eq(stats(c).pending, 0);
    gf_rpc_clnt_free(c);
    gf_iobref_unref(ref);
    gf_iobuf_unref(iob);
    free(r);
}
END_TEST

/* ---- timeouts ------------------------------------------------------------ */

START_TEST(call_timeout)
{
    gf_rpc_clnt_opts_t o;
    gf_rpc_clnt_t *c;
    struct rec late = {0};
    unsigned char a[4];
    struct iovec iov = {a, 4};
    uint64_t t0, dt;

    test_opts(&o);
    o.call_timeout_ms = 50;
    c = connected_client(&o);
    t0 = now_ms();
    ck_assert_int_eq(call_sync(c, TPROG, 1, P_DROP, NULL, 0, false),
                     -ETIMEDOUT);
    dt = now_ms() - t0;
    ck_assert_uint_ge(dt, 50);
    ck_assert_uint_lt(dt, slow() ? 10000 : 3000);
    ck_assert_uint_eq(stats(c).timeouts, 1);

    /* A reply after the timeout is dropped as an unknown xid. */
    put32(a, 200);
    ck_assert_int_eq(gf_rpc_clnt_call(c, TPROG, 1, P_DELAY, NULL, &iov, 1, NULL,
                                      rec_cbk, &late),
                     0);
    ck_assert(wait_ge(&late.n, 1));
    ck_assert_int_eq(atomic_load(&late.status), -ETIMEDOUT);
    for (int i = 0; i < 5000 && stats(c).unknown_xids == 0; i++)
        msleep(1);
    ck_assert_uint_eq(stats(c).unknown_xids, 1);
    ck_assert_int_eq(atomic_load(&late.n), 1);
    ck_assert(stats(c).connected);
    gf_rpc_clnt_free(c);
}
END_TEST

/* ---- connection loss, reconnect ----------------------------------------- */

START_TEST(server_closes)
{
    enum { N = 100 };
    struct rec r[N];
    gf_rpc_clnt_opts_t o;
    gf_rpc_clnt_t *c;

    memset(r, 0, sizeof(r));
    test_opts(&o);
    c = connected_client(&o);
    for (int i = 0; i < N; i++)
        ck_assert_int_eq(gf_rpc_clnt_call(c, TPROG, 1, P_DROP, NULL, NULL, 0,
                                          NULL, rec_cbk, &r[i]),
                         0);
    for (int i = 0; i < 2000 && atomic_load(&F.srv.calls) < N; i++)
        msleep(1);
    ck_assert_int_eq(atomic_load(&F.srv.calls), N);
    srv_drop_all(&F.srv);
    ck_assert(wait_ge(&F.disconnected, 1));
    for (int i = 0; i < N; i++) {
        ck_assert(wait_ge(&r[i].n, 1));
        ck_assert_int_eq(atomic_load(&r[i].status), -ENOTCONN);
    }
    /* The listener is still there: the client comes back by itself. */
    ck_assert(wait_ge(&F.connected, 2));
    msleep(20);
    for (int i = 0; i < N; i++)
        ck_assert_int_eq(atomic_load(&r[i].n), 1);
    ck_assert_int_eq(atomic_load(&F.disconnected), 1);
    ck_assert_int_eq(call_sync(c, TPROG, 1, P_ECHO, NULL, 1, true), 0);

    /* A procedure that makes the server close: the call fails. */
    ck_assert_int_eq(call_sync(c, TPROG, 1, P_CLOSE, NULL, 0, false),
                     -ENOTCONN);
    ck_assert(wait_ge(&F.connected, 3));
    gf_rpc_clnt_free(c);
}
END_TEST

START_TEST(reconnect_backoff)
{
    gf_rpc_clnt_opts_t o;
    gf_rpc_clnt_t *c;
    uint64_t t[16], last = 0, t0;
    int n = 0;

    test_opts(&o);
    o.reconnect_min_ms = 50;
    o.reconnect_max_ms = 400;
    c = connected_client(&o);
    srv_unlisten(&F.srv);
    srv_drop_all(&F.srv);
    ck_assert(wait_ge(&F.disconnected, 1));
    /* Note when each attempt happens over 2 s. */
    t0 = now_ms();
    last = stats(c).connect_attempts;
    while (now_ms() - t0 < 2000 && n < 16) {
        uint64_t a = stats(c).connect_attempts;

        if (a != last) {
            t[n++] = now_ms() - t0;
            last = a;
        }
        msleep(1);
    }
    for (int i = 0; i < n; i++)
        fprintf(stderr, "# attempt %d at %llu ms\n", i,
                (unsigned long long)t[i]);
    /* 50, 100, 200, 400, 400, ... ms apart: about 6 in 2 s. */
    ck_assert_int_ge(n, 4);
    ck_assert_int_le(n, 9);
    ck_assert_uint_ge(t[0], 40);
    ck_assert_uint_ge(t[1] - t[0], 80);
    ck_assert_uint_ge(t[2] - t[1], 160);
    ck_assert_uint_ge(t[3] - t[2], 320);
    for (int i = 4; i < n; i++) {
        ck_assert_uint_ge(t[i] - t[i - 1], 320); /* capped at 400 */
        ck_assert_uint_le(t[i] - t[i - 1], slow() ? 3000 : 1500);
    }
    ck_assert_int_eq(atomic_load(&F.connected), 1);

    /* The server comes back on the same port: reconnected within one
     * back-off period. */
    srv_listen(&F.srv);
    ck_assert(wait_ge(&F.connected, 2));
    ck_assert_int_eq(call_sync(c, TPROG, 1, P_NULL, NULL, 0, false), 0);
    gf_rpc_clnt_free(c);
}
END_TEST

/* A server that accepts and drops at once is not hammered: the back-off
 * keeps growing across such short-lived connections. */
START_TEST(flapping_server_backoff)
{
    gf_rpc_clnt_opts_t o;
    gf_rpc_clnt_t *c;
    gf_rpc_clnt_stats_t st;

    test_opts(&o);
    o.reconnect_min_ms = 20;
    o.reconnect_max_ms = 200;
    atomic_store(&F.srv.refuse, true);
    c = gf_rpc_clnt_new(F.cev, F.iop, F.tw, F.addr, &o);
    ck_assert_ptr_nonnull(c);
    ck_assert_int_eq(gf_rpc_clnt_start(c), 0);
    msleep(1000);
    st = stats(c);
    /* 20, 40, 80, 160, 200, 200... ms apart: about 8 in 1 s (50 with a
     * fixed 20 ms). */
    fprintf(stderr, "# flapping: %llu attempts, %llu connects in 1 s\n",
            (unsigned long long)st.connect_attempts,
            (unsigned long long)st.connects);
    ck_assert_uint_ge(st.connect_attempts, 3);
    ck_assert_uint_le(st.connect_attempts, 10);
    ck_assert_uint_ge(st.connects, 2);
    ck_assert_int_eq(atomic_load(&F.connected), (int)st.connects);
    gf_rpc_clnt_free(c);
}
END_TEST

START_TEST(disconnect_and_restart)
{
    struct rec r[10];
    gf_rpc_clnt_opts_t o;
    gf_rpc_clnt_t *c;
    uint64_t attempts;

    memset(r, 0, sizeof(r));
    test_opts(&o);
    c = connected_client(&o);
    for (int i = 0; i < 10; i++)
        ck_assert_int_eq(gf_rpc_clnt_call(c, TPROG, 1, P_DROP, NULL, NULL, 0,
                                          NULL, rec_cbk, &r[i]),
                         0);
    ck_assert_int_eq(gf_rpc_clnt_disconnect(c), 0);
    /* Completed and notified before disconnect returned. */
    for (int i = 0; i < 10; i++) {
        ck_assert_int_eq(atomic_load(&r[i].n), 1);
        ck_assert_int_eq(atomic_load(&r[i].status), -ENOTCONN);
    }
    ck_assert_int_eq(atomic_load(&F.disconnected), 1);
    ck_assert_int_eq(call_sync(c, TPROG, 1, P_NULL, NULL, 0, false), -ENOTCONN);
    /* No reconnect until start. */
    attempts = stats(c).connect_attempts;
    msleep(150);
    ck_assert_uint_eq(stats(c).connect_attempts, attempts);
    ck_assert_int_eq(gf_rpc_clnt_start(c), 0);
    ck_assert(wait_ge(&F.connected, 2));
    ck_assert_int_eq(call_sync(c, TPROG, 1, P_NULL, NULL, 0, false), 0);
    ck_assert_int_eq(gf_rpc_clnt_disconnect(c), 0);
    ck_assert_int_eq(gf_rpc_clnt_disconnect(c), 0); /* idempotent */
    ck_assert_int_eq(atomic_load(&F.disconnected), 2);
    gf_rpc_clnt_free(c);
}
END_TEST

/* ---- pings ----------------------------------------------------------------
 */

START_TEST(ping_keeps_idle_connection)
{
    gf_rpc_clnt_opts_t o;
    gf_rpc_clnt_t *c;
    gf_rpc_clnt_stats_t st;

    test_opts(&o);
    o.ping_interval_ms = 30;
    o.ping_timeout_ms = 400; /* generous: the test machine may be loaded */
    c = connected_client(&o);
    /* At least 5 pings, waiting as long as a loaded machine needs; never
     * more than one per interval (plus slack) over the time it took. */
    uint64_t t0 = now_ms();
    for (int i = 0; i < 1000 && stats(c).pings < 5; i++)
        msleep(10);
    msleep(100);
    st = stats(c);
    ck_assert(st.connected);
    ck_assert_uint_ge(st.pings, 5);
    ck_assert_uint_le(st.pings, (now_ms() - t0) / 30 + 2);
    ck_assert_int_ge(atomic_load(&F.srv.pings), 5);
    ck_assert_uint_eq(st.ping_timeouts, 0);
    ck_assert_uint_eq(st.disconnects, 0);
    ck_assert_int_eq(atomic_load(&F.disconnected), 0);
    gf_rpc_clnt_free(c);
}
END_TEST

START_TEST(ping_timeout_disconnects)
{
    gf_rpc_clnt_opts_t o;
    gf_rpc_clnt_t *c;
    struct rec r = {0};
    uint64_t t0, dt;

    test_opts(&o);
    o.ping_interval_ms = 50;
    o.ping_timeout_ms = 150;
    o.auto_reconnect = false;
    c = connected_client(&o);
    ck_assert_int_eq(call_sync(c, TPROG, 1, P_NULL, NULL, 0, false), 0);
    atomic_store(&F.srv.mute, true); /* alive, but answers nothing */
    t0 = now_ms();
    ck_assert_int_eq(
        gf_rpc_clnt_call(c, TPROG, 1, P_NULL, NULL, NULL, 0, NULL, rec_cbk, &r),
        0);
    ck_assert(wait_ge(&F.disconnected, 1));
    dt = now_ms() - t0;
    /* First ping at <= 50 ms, then 150 ms of silence. */
    ck_assert_uint_ge(dt, 140);
    ck_assert_uint_lt(dt, slow() ? 10000 : 3000);
    ck_assert_uint_eq(stats(c).ping_timeouts, 1);
    ck_assert(wait_ge(&r.n, 1));
    ck_assert_int_eq(atomic_load(&r.status), -ENOTCONN);
    msleep(100);
    ck_assert(!stats(c).connected); /* auto_reconnect off */
    gf_rpc_clnt_free(c);
}
END_TEST

/* ---- races ------------------------------------------------------------- */

struct racer {
    gf_rpc_clnt_t *c;
    int delay_us;
    bool do_free;
};

static void *
race_disconnect(void *arg)
{
    struct racer *rc = arg;

    usleep((useconds_t)rc->delay_us);
    if (rc->do_free)
        gf_rpc_clnt_free(rc->c);
    else
        gf_rpc_clnt_disconnect(rc->c);
    return NULL;
}

/*
 * Calls whose replies arrive around their timeout, while another thread
 * disconnects (or frees) the client at a random moment: every submitted
 * call completes exactly once, whichever path wins.
 */
static void
race_round(gf_rpc_clnt_t *c, struct rec *r, int *rcs, int n, bool do_free,
           unsigned *seed)
{
    struct racer rc = {c, (int)(rand_r(seed) % 4000), do_free};
    unsigned char a[64][4];
    pthread_t th;
    int want = 0, base = atomic_load(&completions);

    ck_assert_int_le(n, 64);
    memset(r, 0, (size_t)n * sizeof(*r));
    /* Disconnect races with the calls themselves; free (after which the
     * client must not be used) only with their replies and timeouts. */
    if (!do_free)
        ck_assert_int_eq(pthread_create(&th, NULL, race_disconnect, &rc), 0);
    for (int i = 0; i < n; i++) {
        struct iovec iov = {a[i], 4};

        put32(a[i], rand_r(seed) % 5); /* server delay 0..4 ms */
        rcs[i] = gf_rpc_clnt_call(c, TPROG, 1, P_DELAY, NULL, &iov, 1, NULL,
                                  rec_cbk, &r[i]);
        ck_assert(rcs[i] == 0 || rcs[i] == -ENOTCONN);
        want += rcs[i] == 0;
        if (i % 8 == 7 && !do_free)
            usleep(200);
    }
    if (do_free) {
        rc.delay_us %= 3000;
        ck_assert_int_eq(pthread_create(&th, NULL, race_disconnect, &rc), 0);
    }
    pthread_join(th, NULL);
    ck_assert(wait_ge(&completions, base + want));
    usleep(6000); /* let any duplicate show up */
    for (int i = 0; i < n; i++)
        ck_assert_int_eq(atomic_load(&r[i].n), rcs[i] == 0 ? 1 : 0);
}

START_TEST(race_reply_timeout_disconnect)
{
    struct rec r[64];
    int rcs[64];
    gf_rpc_clnt_opts_t o;
    gf_rpc_clnt_t *c;
    unsigned seed = 12345;
    int rounds = slow() ? 20 : 150;

    test_opts(&o);
    o.call_timeout_ms = 3;
    o.reconnect_min_ms = 1;
    o.reconnect_max_ms = 2;
    c = connected_client(&o);
    atomic_store(&completions, 0);
    atomic_store(&n_ok, 0);
    atomic_store(&n_timedout, 0);
    atomic_store(&n_notconn, 0);
    /* Go on past the planned rounds (bounded) until each of the three
     * endings has happened: on a loaded machine one may be rare. */
    for (int k = 0;
         k < rounds || (k < 10 * rounds &&
                        (!atomic_load(&n_ok) || !atomic_load(&n_timedout) ||
                         !atomic_load(&n_notconn)));
         k++) {
        race_round(c, r, rcs, 64, false, &seed);
        ck_assert_int_eq(gf_rpc_clnt_start(c), 0);
        for (int i = 0; i < 5000 && !stats(c).connected; i++)
            msleep(1);
        ck_assert(stats(c).connected);
    }
    gf_rpc_clnt_free(c);
    fprintf(stderr,
            "# race: %d completions (%d replies, %d timeouts, %d "
            "disconnects), %d connects\n",
            atomic_load(&completions), atomic_load(&n_ok),
            atomic_load(&n_timedout), atomic_load(&n_notconn),
            atomic_load(&F.connected));
    /* Each of the three ways to complete was exercised. */
    ck_assert_int_gt(atomic_load(&n_ok), 0);
    ck_assert_int_gt(atomic_load(&n_timedout), 0);
    ck_assert_int_gt(atomic_load(&n_notconn), 0);
}
END_TEST

START_TEST(race_free_with_calls_in_flight)
{
    struct rec r[64];
    int rcs[64];
    gf_rpc_clnt_opts_t o;
    unsigned seed = 777;
    int rounds = slow() ? 10 : 60;

    test_opts(&o);
    o.call_timeout_ms = 3;
    atomic_store(&completions, 0);
    for (int k = 0; k < rounds; k++)
        race_round(connected_client(&o), r, rcs, 64, true, &seed);
}
END_TEST

static void
free_in_cbk(int status, void *base, size_t len, gf_iobuf_t *iobuf, void *data)
{
    (void)base;
    (void)len;
    (void)iobuf;
    ck_assert_int_eq(status, 0);
    gf_rpc_clnt_free(data);
    atomic_fetch_add(&completions, 1);
}

START_TEST(free_with_calls_pending)
{
    struct rec r[50];
    gf_rpc_clnt_opts_t o;
    gf_rpc_clnt_t *c;

    memset(r, 0, sizeof(r));
    test_opts(&o);
    o.ping_interval_ms = 20;
    c = connected_client(&o);
    for (int i = 0; i < 50; i++)
        ck_assert_int_eq(gf_rpc_clnt_call(c, TPROG, 1, P_DROP, NULL, NULL, 0,
                                          NULL, rec_cbk, &r[i]),
                         0);
    gf_rpc_clnt_free(c);
    for (int i = 0; i < 50; i++) {
        ck_assert_int_eq(atomic_load(&r[i].n), 1);
        ck_assert_int_eq(atomic_load(&r[i].status), -ENOTCONN);
    }
    ck_assert_int_eq(atomic_load(&F.disconnected), 0);

    /* Free from inside a reply callback, on the event thread. */
    c = connected_client(&o);
    atomic_store(&completions, 0);
    ck_assert_int_eq(gf_rpc_clnt_call(c, TPROG, 1, P_NULL, NULL, NULL, 0, NULL,
                                      free_in_cbk, c),
                     0);
    ck_assert(wait_ge(&completions, 1));
    msleep(50);
}
END_TEST

/* ---- against the real server side (rpcsvc) ------------------------------ */

enum { TPROG2 = 0x20000098 };

/* Procedure 1 of TPROG2: answer with the identity rpcsvc decoded. */
static int
whoami(gf_rpcsvc_req_t *req, void *data)
{
    const gf_identity_t *id = gf_rpcsvc_req_identity(req);
    const gf_rpcsvc_cred_t *cr = gf_rpcsvc_req_cred(req);
    gf_iobuf_t *iob = gf_iobuf_get(F.iop, 64 * 4);
    gf_iobref_t *ref = gf_iobref_new();
    unsigned char *w = gf_iobuf_ptr(iob);
    const uint32_t fixed[] = {
        cr->flavor,
        (uint32_t)id->pid,
        id->uid,
        id->gid,
        cr->flags,
        cr->ctime_nsec,
        (uint32_t)(cr->ctime_sec >> 32),
        (uint32_t)cr->ctime_sec,
        id->ngroups,
    };
    unsigned n = 0;
    struct iovec iov;

    (void)data;
    for (; n < GF_ARRAY_SIZE(fixed); n++)
        put32(w + 4 * n, fixed[n]);
    for (uint32_t i = 0; i < id->ngroups && n < 40; i++)
        put32(w + 4 * n++, id->groups[i]);
    put32(w + 4 * n++, id->lk_owner ? id->lk_owner->len : 0);
    if (id->lk_owner && id->lk_owner->len == 5) /* first and last byte */
        put32(w + 4 * n++,
              (uint32_t)id->lk_owner->data[0] << 24 | id->lk_owner->data[4]);
    iov.iov_base = w;
    iov.iov_len = n * 4;
    gf_iobref_add(ref, iob);
    gf_rpcsvc_reply(req, &iov, 1, ref);
    gf_iobref_unref(ref);
    gf_iobuf_unref(iob);
    return 0;
}

static int
null_actor(gf_rpcsvc_req_t *req, void *data)
{
    (void)data;
    gf_rpcsvc_reply(req, NULL, 0, NULL);
    return 0;
}

static const gf_rpcsvc_actor_t tprog2_actors[] = {
    {"NULL", 0, null_actor},
    {"WHOAMI", 1, whoami},
};

static gf_rpcsvc_t *
rpcsvc_up(char *addr, size_t size)
{
    gf_rpcsvc_program_t prog = {
        .name = "rpc-clnt test",
        .prognum = TPROG2,
        .progver = 1,
        .actors = tprog2_actors,
        .nactors = GF_ARRAY_SIZE(tprog2_actors),
    };
    gf_rpcsvc_t *svc = gf_rpcsvc_new(F.srv.ev, F.iop, NULL);
    int port;

    ck_assert_ptr_nonnull(svc);
    ck_assert_int_eq(gf_rpcsvc_register(svc, &prog), 0);
    port = gf_rpcsvc_listen(svc, "127.0.0.1:0");
    ck_assert_int_gt(port, 0);
    snprintf(addr, size, "127.0.0.1:%d", port);
    return svc;
}

struct whoami_res {
    atomic_int n;
    int status;
    uint32_t w[64];
    size_t nw;
};

static void
whoami_cbk(int status, void *base, size_t len, gf_iobuf_t *iobuf, void *data)
{
    struct whoami_res *r = data;

    (void)iobuf;
    r->status = status;
    r->nw = len / 4 < 64 ? len / 4 : 64;
    for (size_t i = 0; i < r->nw; i++)
        r->w[i] = get32((unsigned char *)base + 4 * i);
    atomic_fetch_add(&r->n, 1);
}

START_TEST(interop_rpcsvc)
{
    uint32_t groups[3] = {10, 20, 30};
    gf_lkowner_t lk = {.len = 5, .data = "abcde"};
    gf_identity_t id = {.uid = 1000,
                        .gid = 100,
                        .pid = 4242,
                        .ngroups = 3,
                        .groups = groups,
                        .lk_owner = &lk};
    gf_rpc_auth_t auth = {.flavor = GF_RPC_CLNT_AUTH_GLUSTERFS_V3,
                          .id = &id,
                          .flags = 0x5,
                          .ctime_sec = 0x123456789ull,
                          .ctime_nsec = 77};
    const uint32_t want3[] = {
        390040,     4242, 1000, 100, 5,  77, 1,
        0x23456789, 3,    10,   20,  30, 5,  (uint32_t)'a' << 24 | 'e'};
    unsigned char gfs_id[8] = {0, 0, 0, 0, 0, 0, 0xca, 0xed};
    struct iovec iov = {gfs_id, 8};
    struct whoami_res r = {0};
    gf_rpc_clnt_opts_t o;
    gf_rpc_clnt_t *c;
    gf_rpcsvc_t *svc = rpcsvc_up(F.addr, sizeof(F.addr));

    test_opts(&o);
    o.ping_interval_ms = 20;
    c = connected_client(&o);
    /* GF-DUMP: NULL, PING and DUMP. */
    ck_assert_int_eq(call_sync(c, GF_RPC_CLNT_DUMP_PROG, 1, 0, NULL, 0, false),
                     0);
    ck_assert_int_eq(call_sync(c, GF_RPC_CLNT_DUMP_PROG, 1,
                               GF_RPC_CLNT_DUMP_PING, NULL, 0, false),
                     0);
    ck_assert_int_eq(gf_rpc_clnt_call(c, GF_RPC_CLNT_DUMP_PROG, 1, 1, NULL,
                                      &iov, 1, NULL, whoami_cbk, &r),
                     0);
    ck_assert(wait_ge(&r.n, 1));
    ck_assert_int_eq(r.status, 0);
    ck_assert_uint_ge(r.nw, 5);
    ck_assert_uint_eq(r.w[2], 0); /* op_ret */
    ck_assert_uint_eq(r.w[4], 1); /* a program follows */

    /* Credentials as rpcsvc decodes them. */
    memset(&r, 0, sizeof(r));
    ck_assert_int_eq(
        gf_rpc_clnt_call(c, TPROG2, 1, 1, &auth, NULL, 0, NULL, whoami_cbk, &r),
        0);
    ck_assert(wait_ge(&r.n, 1));
    ck_assert_int_eq(r.status, 0);
    ck_assert_uint_eq(r.nw, GF_ARRAY_SIZE(want3));
    for (size_t i = 0; i < r.nw; i++)
        ck_assert_uint_eq(r.w[i], want3[i]);
    auth.flavor = GF_RPC_CLNT_AUTH_GLUSTERFS_V2;
    memset(&r, 0, sizeof(r));
    ck_assert_int_eq(
        gf_rpc_clnt_call(c, TPROG2, 1, 1, &auth, NULL, 0, NULL, whoami_cbk, &r),
        0);
    ck_assert(wait_ge(&r.n, 1));
    ck_assert_int_eq(r.status, 0);
    ck_assert_uint_eq(r.w[0], 390039);
    ck_assert_uint_eq(r.w[1], 4242);
    ck_assert_uint_eq(r.w[8], 3);

    /* rpcsvc's rejections map as documented. */
    ck_assert_int_eq(call_sync(c, TPROG2, 1, 9, NULL, 0, false), -ENOSYS);
    ck_assert_int_eq(call_sync(c, TPROG2, 7, 0, NULL, 0, false),
                     -EPROTONOSUPPORT);
    ck_assert_int_eq(call_sync(c, TPROG2 + 5, 1, 0, NULL, 0, false), -EPROTO);
    /* A few pings go by: every 20 ms when idle; bounded wait because a
     * loaded machine (valgrind on two shared cores) delays the timer. */
    for (int i = 0; i < 500 && stats(c).pings < 2; i++)
        msleep(10);
    ck_assert_uint_ge(stats(c).pings, 2);
    ck_assert(stats(c).connected);
    gf_rpc_clnt_free(c);
    gf_rpcsvc_free(svc);
}
END_TEST

/* ---- throughput (GF_RPC_CLNT_BENCH=1; a measurement, not a test) -------- */

static struct {
    gf_rpc_clnt_t *c;
    atomic_bool stop;
    atomic_int out;
    atomic_long done;
} B;

static void bench_cbk(int status, void *base, size_t len, gf_iobuf_t *iobuf,
                      void *data);

static void
bench_issue(void)
{
    atomic_fetch_add(&B.out, 1);
    if (gf_rpc_clnt_call(B.c, TPROG2, 1, 0, NULL, NULL, 0, NULL, bench_cbk,
                         NULL) < 0)
        atomic_fetch_sub(&B.out, 1);
}

static void
bench_cbk(int status, void *base, size_t len, gf_iobuf_t *iobuf, void *data)
{
    (void)base;
    (void)len;
    (void)iobuf;
    (void)data;
    if (status == 0)
        atomic_fetch_add(&B.done, 1);
    if (!atomic_load(&B.stop))
        bench_issue();
    atomic_fetch_sub(&B.out, 1);
}

START_TEST(bench_null_calls)
{
    gf_rpc_clnt_opts_t o;
    gf_rpcsvc_t *svc;
    uint64_t t0, dt;

    if (!getenv("GF_RPC_CLNT_BENCH"))
        return;
    svc = rpcsvc_up(F.addr, sizeof(F.addr));
    test_opts(&o);
    B.c = connected_client(&o);
    t0 = now_ms();
    for (int i = 0; i < 64; i++)
        bench_issue();
    msleep(2000);
    atomic_store(&B.stop, true);
    dt = now_ms() - t0;
    for (int i = 0; i < 5000 && atomic_load(&B.out); i++)
        msleep(1);
    fprintf(stderr, "# NULL calls, depth 64, 1 connection: %.0f calls/s\n",
            (double)atomic_load(&B.done) * 1000.0 / (double)dt);
    gf_rpc_clnt_free(B.c);
    gf_rpcsvc_free(svc);
}
END_TEST

int
main(void)
{
    Suite *s = suite_create("rpc-clnt");
    TCase *tc = tcase_create("core");

    signal(SIGPIPE, SIG_IGN);
    /* The races log a warning per dropped late reply; keep TAP readable
     * (GF_TEST_VERBOSE=1 shows them). */
    if (!getenv("GF_TEST_VERBOSE"))
        gf_log_set_level(GF_LOG_ERROR);
    tcase_add_checked_fixture(tc, setup, teardown);
    tcase_set_timeout(tc, slow() ? 300 : 60);
    tcase_add_test(tc, encode_recorded_headers);
    tcase_add_test(tc, encode_limits);
    tcase_add_test(tc, bad_arguments);
    tcase_add_test(tc, null_and_echo);
    tcase_add_test(tc, credential_on_the_wire);
    tcase_add_test(tc, reply_errors);
    tcase_add_test(tc, unknown_xid_ignored);
    tcase_add_test(tc, pipelined_10000);
    tcase_add_test(tc, call_timeout);
    tcase_add_test(tc, server_closes);
    tcase_add_test(tc, reconnect_backoff);
    tcase_add_test(tc, flapping_server_backoff);
    tcase_add_test(tc, disconnect_and_restart);
    tcase_add_test(tc, ping_keeps_idle_connection);
    tcase_add_test(tc, ping_timeout_disconnects);
    tcase_add_test(tc, race_reply_timeout_disconnect);
    tcase_add_test(tc, race_free_with_calls_in_flight);
    tcase_add_test(tc, free_with_calls_pending);
    tcase_add_test(tc, interop_rpcsvc);
    tcase_add_test(tc, bench_null_calls);
    suite_add_tcase(s, tc);
    return gf_test_run(s);
}
