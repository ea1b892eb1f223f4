/* SPDX-License-Identifier: LGPL-3.0-or-later */
/*
 * check-rpcsvc.c - the ONC RPC server against a raw-socket client on
 * loopback: the recorded GlusterFS DUMP and LOOKUP calls, every accept and
 * deny reply, credentials, asynchronous answers, the outstanding limit and
 * hostile input.
 */
#include <errno.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <pthread.h>
#include <signal.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/time.h>
#include <time.h>
#include <unistd.h>

#include <gf/log.h>
#include <gf/rpcsvc.h>

#include "gf-test.h"
#include "rpcsvc-client.h"

enum {
    TPROG = 0x20000100, /* the test program: versions 2 and 5 */
    TP_ECHO = 1,
    TP_GARBAGE = 2,
    TP_SYSERR = 3,
    TP_IDENT = 4,
    TP_ASYNC = 5,
    TP_HOLD = 6,
    TP_CONNDATA = 7,
    HIDDEN_PROG = 0x20000101,
    FOP_PROG = 1298437,
    FOP_VERS = 400,
    FOP_LOOKUP = 27,
};

/* ---- the server under test ------------------------------------------ */

static gf_event_pool_t *ev;
static gf_iobuf_pool_t *iop;
static gf_rpcsvc_t *svc;
static int port;
static char logpath[256];

static pthread_mutex_t hold_lock = PTHREAD_MUTEX_INITIALIZER;
static gf_rpcsvc_req_t *held[256];
static atomic_uint nheld, max_held;

/* Echo the argument bytes back without copying: the reply points into the
 * request's record iobuf, which an iobref keeps alive. */
static int
echo_actor(gf_rpcsvc_req_t *req, void *data)
{
    gf_iobref_t *ref = gf_iobref_new();
    struct iovec iov;
    const void *base;
    size_t len;

    ck_assert_ptr_eq(data, &port);
    gf_rpcsvc_req_args(req, &base, &len);
    ck_assert_int_eq(gf_iobref_add(ref, gf_rpcsvc_req_iobuf(req)), 0);
    iov.iov_base = (void *)(uintptr_t)base;
    iov.iov_len = len;
    ck_assert_int_eq(gf_rpcsvc_reply(req, &iov, 1, ref), 0);
    gf_iobref_unref(ref);
    return 0;
}

static int
garbage_actor(gf_rpcsvc_req_t *req, void *data)
{
    return -EBADMSG; /* "the arguments do not decode" */
}

static int
syserr_actor(gf_rpcsvc_req_t *req, void *data)
{
    return -EIO;
}

/* Reply with the decoded identity: uid, gid, pid, ngroups, groups...,
 * lk_owner length and bytes (padded), flavor, flags. */
static int
ident_actor(gf_rpcsvc_req_t *req, void *data)
{
    const gf_identity_t *id = gf_rpcsvc_req_identity(req);
    const gf_rpcsvc_cred_t *cr = gf_rpcsvc_req_cred(req);
    static _Thread_local uint8_t buf[2048];
    uint8_t *w = buf;
    uint32_t olen = id->lk_owner ? id->lk_owner->len : 0xffffffffu;
    struct iovec iov;

    w = put32(w, id->uid);
    w = put32(w, id->gid);
    w = put32(w, (uint32_t)id->pid);
    w = put32(w, id->ngroups);
    for (uint32_t i = 0; i < id->ngroups; i++)
        w = put32(w, id->groups[i]);
    w = put32(w, olen);
    if (id->lk_owner) {
        memset(w, 0, (olen + 3) & ~3u);
        memcpy(w, id->lk_owner->data, olen);
        w += (olen + 3) & ~3u;
    }
    w = put32(w, cr->flavor);
    w = put32(w, cr->flags);
    iov.iov_base = buf;
    iov.iov_len = (size_t)(w - buf);
    gf_rpcsvc_reply(req, &iov, 1, NULL);
    return 0;
}

static void *
async_thread(void *arg)
{
    struct timespec ts = {0, 50 * 1000 * 1000};

    nanosleep(&ts, NULL);
    echo_actor(arg, &port);
    return NULL;
}

static int
async_actor(gf_rpcsvc_req_t *req, void *data)
{
    pthread_t t;

    ck_assert_int_eq(pthread_create(&t, NULL, async_thread, req), 0);
    pthread_detach(t);
    return 0;
}

static int
hold_actor(gf_rpcsvc_req_t *req, void *data)
{
    unsigned n;

    pthread_mutex_lock(&hold_lock);
    n = atomic_load(&nheld);
    ck_assert_uint_lt(n, GF_ARRAY_SIZE(held));
    held[n] = req;
    atomic_store(&nheld, n + 1);
    if (n + 1 > atomic_load(&max_held))
        atomic_store(&max_held, n + 1);
    pthread_mutex_unlock(&hold_lock);
    return 0;
}

/* Answer every held request (echo); returns how many. */
static unsigned
release_held(void)
{
    gf_rpcsvc_req_t *mine[256];
    unsigned n;

    pthread_mutex_lock(&hold_lock);
    n = atomic_load(&nheld);
    memcpy(mine, held, n * sizeof(mine[0]));
    atomic_store(&nheld, 0);
    pthread_mutex_unlock(&hold_lock);
    for (unsigned i = 0; i < n; i++)
        echo_actor(mine[i], &port);
    return n;
}

/* Reply with one word: 1 if the connection's data is the marker the
 * notify callback gave it. */
static int conn_marker;
static atomic_uint nconnect, ndisconnect;

static int
conndata_actor(gf_rpcsvc_req_t *req, void *data)
{
    static const uint8_t yes[4] = {0, 0, 0, 1}, no[4];
    struct iovec iov = {(void *)(uintptr_t)no, 4};

    if (gf_rpcsvc_req_conn_data(req) == &conn_marker)
        iov.iov_base = (void *)(uintptr_t)yes;
    gf_rpcsvc_reply(req, &iov, 1, NULL);
    return 0;
}

static void *
notify(gf_rpcsvc_t *s, gf_rpc_conn_t *conn, gf_rpcsvc_event_t ev_,
       void *conn_data, void *data)
{
    ck_assert_ptr_eq(data, &nconnect);
    ck_assert_ptr_nonnull(conn);
    if (ev_ == GF_RPCSVC_CONNECT) {
        ck_assert_ptr_null(conn_data);
        atomic_fetch_add(&nconnect, 1);
        return &conn_marker;
    }
    ck_assert_ptr_eq(conn_data, &conn_marker);
    atomic_fetch_add(&ndisconnect, 1);
    return NULL;
}

static const gf_rpcsvc_actor_t tactors[] = {
    {"ECHO", TP_ECHO, echo_actor},
    {"GARBAGE", TP_GARBAGE, garbage_actor},
    {"SYSERR", TP_SYSERR, syserr_actor},
    {"IDENT", TP_IDENT, ident_actor},
    {"ASYNC", TP_ASYNC, async_actor},
    {"HOLD", TP_HOLD, hold_actor},
    {"CONNDATA", TP_CONNDATA, conndata_actor},
};
static const gf_rpcsvc_actor_t fop_actors[] = {
    {"LOOKUP", FOP_LOOKUP, ident_actor},
};

static void
register_all(void)
{
    gf_rpcsvc_program_t p = {
        .name = "test program",
        .prognum = TPROG,
        .progver = 2,
        .actors = tactors,
        .nactors = GF_ARRAY_SIZE(tactors),
        .data = &port,
    };

    ck_assert_int_eq(gf_rpcsvc_register(svc, &p), 0);
    p.progver = 5;
    ck_assert_int_eq(gf_rpcsvc_register(svc, &p), 0);
    p.name = "hidden";
    p.prognum = HIDDEN_PROG;
    p.progver = 1;
    p.hidden = true;
    ck_assert_int_eq(gf_rpcsvc_register(svc, &p), 0);
    p = (gf_rpcsvc_program_t){
        .name = "GlusterFS 4.x v1",
        .prognum = FOP_PROG,
        .progver = FOP_VERS,
        .actors = fop_actors,
        .nactors = 1,
    };
    ck_assert_int_eq(gf_rpcsvc_register(svc, &p), 0);
}

static void
start_server(unsigned limit, bool with_notify)
{
    gf_rpcsvc_opts_t o;

    snprintf(logpath, sizeof(logpath), "%s/check-rpcsvc.%d.log",
             gf_test_tmpdir(), (int)getpid());
    unlink(logpath);
    ck_assert_int_eq(gf_log_init(logpath, "check-rpcsvc"), 0);
    gf_log_set_flush_timeout(0); /* every line, no suppression */
    atomic_store(&nheld, 0);
    atomic_store(&max_held, 0);
    ev = gf_event_pool_new(2);
    ck_assert_ptr_nonnull(ev);
    ck_assert_int_eq(gf_event_pool_start(ev), 0);
    iop = gf_iobuf_pool_new();
    ck_assert_ptr_nonnull(iop);
    gf_rpcsvc_opts_init(&o);
    o.outstanding_limit = limit;
    if (with_notify) {
        o.notify = notify;
        o.notify_data = &nconnect;
    }
    svc = gf_rpcsvc_new(ev, iop, &o);
    ck_assert_ptr_nonnull(svc);
    register_all();
    port = gf_rpcsvc_listen(svc, "127.0.0.1:0");
    ck_assert_int_gt(port, 0);
    ck_assert_int_eq(gf_rpcsvc_port(svc), port);
}

static void
setup(void)
{
    start_server(GF_RPCSVC_DEFAULT_OUTSTANDING, false);
}

static void
teardown(void)
{
    gf_rpcsvc_free(svc);
    gf_event_pool_free(ev);
    gf_iobuf_pool_free(iop);
    svc = NULL;
    ev = NULL;
    iop = NULL;
    gf_log_fini();
    if (!getenv("GF_TEST_KEEP_LOG")) /* set it to read the server's log */
        unlink(logpath);
}

/* True once the log has a line containing WHAT (waits up to 2 s). */
static bool
log_has(const char *what)
{
    for (int i = 0; i < 200; i++) {
        char line[4096];
        FILE *f = fopen(logpath, "r");
        bool found = false;

        while (f && !found && fgets(line, sizeof(line), f))
            found = strstr(line, what) != NULL;
        if (f)
            fclose(f);
        if (found)
            return true;
        usleep(10000);
    }
    return false;
}

static int
cli_connect(void)
{
    return rc_connect(port);
}

static void
ping_ok(int fd, uint32_t xid)
{
    uint8_t msg[128], rep[MAXREC];
    long n =
        call(fd, msg, simple_call(msg, xid, GF_RPC_DUMP_PROGRAM, 1, 2, NULL, 0),
             rep);

    ck_assert_int_eq(expect_accepted(rep, n, 0), 12);
    for (int i = 24; i < 36; i++)
        ck_assert_uint_eq(rep[i], 0);
}

/* ---- the recorded GlusterFS calls (wire-sequence.txt) --------------- */

/* GF-DUMP DUMP, frame 4, xid 2, AUTH_GLUSTERFS v2: record mark included. */
static const uint32_t dump_call_words[] = {
    0x80000048, 0x00000002, 0x00000000, 0x00000002, 0x075bb86d,
    0x00000001, 0x00000001, 0x0005f397, 0x00000018, 0x00000000,
    0x00000000, 0x00000000, 0x00000000, 0x00000004, 0x00000000,
    0x00000000, 0x00000000, 0x00000000, 0x0000caed,
};

/* FOP v400 LOOKUP, frame 10, xid 4, AUTH_GLUSTERFS v3, pid 24898. */
static const uint32_t lookup_call_words[] = {
    0x80000084, 0x00000004, 0x00000000, 0x00000002, 0x0013d005, 0x00000190,
    0x0000001b, 0x0005f398, 0x00000028, 0x00006142, 0x00000000, 0x00000000,
    0x00000000, 0x00000000, 0x00000000, 0x00000000, 0x00000000, 0x00000004,
    0x42610000, 0x00000000, 0x00000000, 0x00000000, 0x00000000, 0x00000000,
    0x00000000, 0x00000000, 0x00000001, 0x00000000, 0x00000000, 0x00000000,
    0x00000000, 0x00000000, 0x00000000, 0x00000000,
};

static size_t
words_to_bytes(const uint32_t *w, size_t n, uint8_t *out)
{
    for (size_t i = 0; i < n; i++)
        put32(out + 4 * i, w[i]);
    return 4 * n;
}

/* Walk a gf_dump_rsp; returns how many programs it lists and whether
 * NAME (NUM, VERS) is among them. */
static int
dump_find(const uint8_t *p, long len, const char *name, uint32_t num,
          uint32_t vers, bool *found)
{
    long off = 16;
    int count = 0;

    *found = false;
    ck_assert_int_ge(len, 20);
    ck_assert_uint_eq(get32(p + 8), 0);  /* op_ret */
    ck_assert_uint_eq(get32(p + 12), 0); /* op_errno */
    for (;;) {
        uint32_t follows, nlen, pad;

        ck_assert_int_le(off + 4, len);
        follows = get32(p + off);
        off += 4;
        if (!follows)
            break;
        nlen = get32(p + off);
        pad = (4 - (nlen & 3)) & 3;
        ck_assert_int_le(off + 4 + nlen + pad + 16, len);
        if (nlen == strlen(name) && !memcmp(p + off + 4, name, nlen) &&
            get32(p + off + 8 + nlen + pad) == num &&
            get32(p + off + 16 + nlen + pad) == vers)
            *found = true;
        ck_assert_uint_eq(get32(p + off + 4 + nlen + pad), 0); /* hi word */
        off += 4 + nlen + pad + 16;
        count++;
    }
    ck_assert_int_eq(off, len); /* nothing after the list */
    return count;
}

START_TEST(dump_recorded)
{
    uint8_t raw[128], rep[MAXREC];
    size_t n =
        words_to_bytes(dump_call_words, GF_ARRAY_SIZE(dump_call_words), raw);
    int fd = cli_connect();
    bool found;
    long len;

    write_all(fd, raw, n); /* the bytes as recorded, mark included */
    len = recv_record(fd, rep, sizeof(rep));
    ck_assert_int_gt(len, 24);
    ck_assert_uint_eq(get32(rep), 2); /* xid */
    ck_assert_uint_eq(get32(rep + 4), 1);
    len = expect_accepted(rep, len, 0);
    ck_assert_int_eq(dump_find(rep + 24, len, "GF-DUMP", 123451501, 1, &found),
                     4);
    ck_assert(found);
    dump_find(rep + 24, len, "test program", TPROG, 5, &found);
    ck_assert(found);
    dump_find(rep + 24, len, "GlusterFS 4.x v1", FOP_PROG, FOP_VERS, &found);
    ck_assert(found);
    dump_find(rep + 24, len, "hidden", HIDDEN_PROG, 1, &found);
    ck_assert(!found);
    close(fd);
}
END_TEST

START_TEST(ping)
{
    int fd = cli_connect();

    ping_ok(fd, 7);
    ping_ok(fd, 8);
    close(fd);
}
END_TEST

START_TEST(null_on_every_program)
{
    static const uint32_t progs[][2] = {
        {GF_RPC_DUMP_PROGRAM, 1}, {TPROG, 2},           {TPROG, 5},
        {HIDDEN_PROG, 1},         {FOP_PROG, FOP_VERS},
    };
    uint8_t msg[128], rep[MAXREC];
    int fd = cli_connect();

    for (unsigned i = 0; i < GF_ARRAY_SIZE(progs); i++) {
        long n = call(
            fd, msg,
            simple_call(msg, 100 + i, progs[i][0], progs[i][1], 0, NULL, 0),
            rep);

        ck_assert_int_eq(expect_accepted(rep, n, 0), 0);
    }
    close(fd);
}
END_TEST

START_TEST(prog_unavail)
{
    uint8_t msg[128], rep[MAXREC];
    int fd = cli_connect();
    long n = call(fd, msg, simple_call(msg, 9, 999999, 1, 0, NULL, 0), rep);

    ck_assert_int_eq(expect_accepted(rep, n, GF_RPC_PROG_UNAVAIL), 0);
    close(fd);
}
END_TEST

START_TEST(prog_mismatch)
{
    uint8_t msg[128], rep[MAXREC];
    int fd = cli_connect();
    long n = call(fd, msg, simple_call(msg, 9, TPROG, 3, 1, NULL, 0), rep);

    ck_assert_int_eq(expect_accepted(rep, n, GF_RPC_PROG_MISMATCH), 8);
    ck_assert_uint_eq(get32(rep + 24), 2); /* low */
    ck_assert_uint_eq(get32(rep + 28), 5); /* high */
    close(fd);
}
END_TEST

START_TEST(proc_unavail)
{
    uint8_t msg[128], rep[MAXREC];
    int fd = cli_connect();
    long n = call(fd, msg, simple_call(msg, 1, TPROG, 2, 99, NULL, 0), rep);

    ck_assert_int_eq(expect_accepted(rep, n, GF_RPC_PROC_UNAVAIL), 0);
    n = call(fd, msg, simple_call(msg, 2, TPROG, 2, 0xffffffffu, NULL, 0), rep);
    ck_assert_int_eq(expect_accepted(rep, n, GF_RPC_PROC_UNAVAIL), 0);
    n = call(fd, msg, simple_call(msg, 3, GF_RPC_DUMP_PROGRAM, 1, 3, NULL, 0),
             rep);
    ck_assert_int_eq(expect_accepted(rep, n, GF_RPC_PROC_UNAVAIL), 0);
    close(fd);
}
END_TEST

START_TEST(garbage_args)
{
    uint8_t msg[128], rep[MAXREC];
    int fd = cli_connect();
    long n =
        call(fd, msg, simple_call(msg, 1, TPROG, 2, TP_GARBAGE, NULL, 0), rep);

    ck_assert_int_eq(expect_accepted(rep, n, GF_RPC_GARBAGE_ARGS), 0);
    /* DUMP without its gfs_id argument does not decode either. */
    n = call(fd, msg, simple_call(msg, 2, GF_RPC_DUMP_PROGRAM, 1, 1, "ab", 2),
             rep);
    ck_assert_int_eq(expect_accepted(rep, n, GF_RPC_GARBAGE_ARGS), 0);
    close(fd);
}
END_TEST

START_TEST(system_err)
{
    uint8_t msg[128], rep[MAXREC];
    int fd = cli_connect();
    long n =
        call(fd, msg, simple_call(msg, 1, TPROG, 2, TP_SYSERR, NULL, 0), rep);

    ck_assert_int_eq(expect_accepted(rep, n, GF_RPC_SYSTEM_ERR), 0);
    close(fd);
}
END_TEST

START_TEST(rpc_mismatch)
{
    uint8_t msg[128], rep[MAXREC];
    int fd = cli_connect();
    long n = call(fd, msg,
                  build_call(msg, 5, 3, TPROG, 2, 0, 0, NULL, 0, NULL, 0), rep);

    ck_assert_int_eq(n, 24);
    ck_assert_uint_eq(get32(rep + 8), 1);  /* MSG_DENIED */
    ck_assert_uint_eq(get32(rep + 12), 0); /* RPC_MISMATCH */
    ck_assert_uint_eq(get32(rep + 16), 2);
    ck_assert_uint_eq(get32(rep + 20), 2);
    ping_ok(fd, 6); /* still served */
    close(fd);
}
END_TEST

START_TEST(auth_error)
{
    uint8_t cred[404] = {0}, msg[1024], rep[MAXREC];
    int fd = cli_connect(), other = cli_connect();
    long n;

    /* 401 bytes of credential: one more than RFC 5531 allows. */
    n = call(fd, msg,
             build_call(msg, 1, 2, TPROG, 2, 0, GF_RPC_AUTH_UNIX, cred, 401,
                        NULL, 0),
             rep);
    expect_auth_error(rep, n, GF_RPC_AUTH_BADCRED);
    ck_assert(log_has("malformed credential (401 bytes)"));
    /* A flavor nobody knows: rejected, not taken for AUTH_NULL. */
    n = call(fd, msg,
             build_call(msg, 2, 2, TPROG, 2, 0, 12345, cred, 8, NULL, 0), rep);
    expect_auth_error(rep, n, GF_RPC_AUTH_REJECTEDCRED);
    /* A v3 credential claiming 92 groups: more than 400 bytes hold. */
    put32(cred + 28, 92);
    n = call(fd, msg,
             build_call(msg, 3, 2, TPROG, 2, 0, GF_RPC_AUTH_GLUSTERFS_V3, cred,
                        400, NULL, 0),
             rep);
    expect_auth_error(rep, n, GF_RPC_AUTH_BADCRED);
    /* A v2 credential with a trailing word. */
    memset(cred, 0, sizeof(cred));
    n = call(fd, msg,
             build_call(msg, 4, 2, TPROG, 2, 0, GF_RPC_AUTH_GLUSTERFS_V2, cred,
                        24, NULL, 0),
             rep);
    expect_auth_error(rep, n, GF_RPC_AUTH_BADCRED);
    /* A verifier over 400 bytes. */
    n = (long)build_call(msg, 5, 2, TPROG, 2, 0, 0, NULL, 0, NULL, 0);
    put32(msg + n - 4, 500);
    n = call(fd, msg, (size_t)n, rep);
    expect_auth_error(rep, n, GF_RPC_AUTH_BADVERF);
    ping_ok(fd, 9);    /* the connection stays up */
    ping_ok(other, 1); /* and others are served */
    close(fd);
    close(other);
}
END_TEST

/* Call IDENT with a credential and return the reply's results. */
static const uint8_t *
ident(int fd, uint32_t flavor, const void *cred, uint32_t clen, uint8_t *rep)
{
    uint8_t msg[1024];
    long n = call(
        fd, msg,
        build_call(msg, 77, 2, TPROG, 2, TP_IDENT, flavor, cred, clen, NULL, 0),
        rep);

    ck_assert_int_ge(expect_accepted(rep, n, 0), 24);
    return rep + 24;
}

START_TEST(identity_v3_recorded)
{
    uint8_t raw[256], rep[MAXREC];
    size_t n = words_to_bytes(lookup_call_words,
                              GF_ARRAY_SIZE(lookup_call_words), raw);
    int fd = cli_connect();
    long len;

    /* The recorded LOOKUP, unchanged, to a LOOKUP actor that reports the
     * identity the service decoded. */
    write_all(fd, raw, n);
    len = recv_record(fd, rep, sizeof(rep));
    ck_assert_uint_eq(get32(rep), 4);
    ck_assert_int_eq(expect_accepted(rep, len, 0), 4 * 5 + 4 + 8);
    ck_assert_uint_eq(get32(rep + 24), 0);     /* uid */
    ck_assert_uint_eq(get32(rep + 28), 0);     /* gid */
    ck_assert_uint_eq(get32(rep + 32), 24898); /* pid */
    ck_assert_uint_eq(get32(rep + 36), 0);     /* ngroups */
    ck_assert_uint_eq(get32(rep + 40), 4);     /* lk_owner: the pid, LE */
    ck_assert_mem_eq(rep + 44, "\x42\x61\x00\x00", 4);
    ck_assert_uint_eq(get32(rep + 48), GF_RPC_AUTH_GLUSTERFS_V3);
    close(fd);
}
END_TEST

START_TEST(identity_v2_v3_unix_null)
{
    uint8_t cred[400], rep[MAXREC], *w;
    const uint8_t *r;
    int fd = cli_connect();

    /* v2: pid 1234, uid 1000, gid 100, groups {10, 20}, lk_owner 8. */
    w = put32(put32(put32(cred, 1234), 1000), 100);
    w = put32(put32(put32(w, 2), 10), 20);
    w = put32(w, 8);
    memcpy(w, "ABCDEFGH", 8);
    r = ident(fd, GF_RPC_AUTH_GLUSTERFS_V2, cred, (uint32_t)(w + 8 - cred),
              rep);
    ck_assert_uint_eq(get32(r), 1000);
    ck_assert_uint_eq(get32(r + 4), 100);
    ck_assert_uint_eq(get32(r + 8), 1234);
    ck_assert_uint_eq(get32(r + 12), 2);
    ck_assert_uint_eq(get32(r + 16), 10);
    ck_assert_uint_eq(get32(r + 20), 20);
    ck_assert_uint_eq(get32(r + 24), 8);
    ck_assert_mem_eq(r + 28, "ABCDEFGH", 8);

    /* v3 with flags 0x5 and 91 groups (the most it may carry, with an
     * empty lk_owner). */
    w = put32(put32(put32(cred, 7), 1), 2);
    w = put32(put32(w, 5), 999);
    w = put32(put32(w, 0), 1700000000);
    w = put32(w, 91);
    for (uint32_t i = 0; i < 91; i++)
        w = put32(w, 1000 + i);
    w = put32(w, 0);
    ck_assert_int_eq(w - cred, 400);
    r = ident(fd, GF_RPC_AUTH_GLUSTERFS_V3, cred, 400, rep);
    ck_assert_uint_eq(get32(r + 8), 7);
    ck_assert_uint_eq(get32(r + 12), 91);
    ck_assert_uint_eq(get32(r + 16 + 4 * 90), 1090);
    ck_assert_uint_eq(get32(r + 16 + 4 * 91), 0); /* lk_owner len */
    ck_assert_uint_eq(get32(r + 20 + 4 * 91), GF_RPC_AUTH_GLUSTERFS_V3);
    ck_assert_uint_eq(get32(r + 24 + 4 * 91), 5); /* flags */

    /* AUTH_UNIX: stamp, "host", uid 500, gid 501, gids {1, 2, 3}. */
    w = put32(put32(cred, 42), 4);
    memcpy(w, "host", 4);
    w = put32(put32(w + 4, 500), 501);
    w = put32(put32(put32(put32(w, 3), 1), 2), 3);
    r = ident(fd, GF_RPC_AUTH_UNIX, cred, (uint32_t)(w - cred), rep);
    ck_assert_uint_eq(get32(r), 500);
    ck_assert_uint_eq(get32(r + 4), 501);
    ck_assert_uint_eq(get32(r + 12), 3);
    ck_assert_uint_eq(get32(r + 24), 3);
    ck_assert_uint_eq(get32(r + 28), 0xffffffffu); /* no lk_owner */

    /* AUTH_NULL: nobody. */
    r = ident(fd, GF_RPC_AUTH_NULL, NULL, 0, rep);
    ck_assert_uint_eq(get32(r), 65534);
    ck_assert_uint_eq(get32(r + 4), 65534);
    ck_assert_uint_eq(get32(r + 12), 0);
    close(fd);
}
END_TEST

START_TEST(echo_and_async_reply)
{
    uint8_t msg[8192], rep[MAXREC], arg[4096];
    int fd = cli_connect();
    long n;

    for (unsigned i = 0; i < sizeof(arg); i++)
        arg[i] = (uint8_t)(i * 7);
    n = call(fd, msg, simple_call(msg, 1, TPROG, 5, TP_ECHO, arg, sizeof(arg)),
             rep);
    ck_assert_int_eq(expect_accepted(rep, n, 0), sizeof(arg));
    ck_assert_mem_eq(rep + 24, arg, sizeof(arg));
    /* Answered 50 ms later by another thread. */
    n = call(fd, msg, simple_call(msg, 2, TPROG, 2, TP_ASYNC, arg, sizeof(arg)),
             rep);
    ck_assert_int_eq(expect_accepted(rep, n, 0), sizeof(arg));
    ck_assert_mem_eq(rep + 24, arg, sizeof(arg));
    close(fd);
}
END_TEST

static void
wait_conns(unsigned want)
{
    for (int i = 0; i < 500 && gf_rpcsvc_conn_count(svc) != want; i++)
        usleep(10000);
    ck_assert_uint_eq(gf_rpcsvc_conn_count(svc), want);
}

static void
wait_held(unsigned want)
{
    unsigned have = atomic_load(&nheld);

    for (int i = 0; i < 500 && have < want; i++) {
        usleep(10000);
        have = atomic_load(&nheld);
    }
    ck_assert_uint_eq(have, want);
}

START_TEST(reply_after_disconnect)
{
    uint8_t msg[128];
    gf_rpcsvc_req_t *req;
    const void *base;
    size_t len;
    int fd = cli_connect();

    send_record(fd, msg, simple_call(msg, 1, TPROG, 2, TP_HOLD, "abcd", 4));
    wait_held(1);
    close(fd);
    wait_conns(0);
    req = held[0];
    atomic_store(&nheld, 0);
    /* Every accessor still works on a request whose connection is gone. */
    ck_assert_uint_eq(gf_rpcsvc_req_xid(req), 1);
    ck_assert_uint_eq(gf_rpcsvc_req_prog(req), TPROG);
    ck_assert_uint_eq(gf_rpcsvc_req_vers(req), 2);
    ck_assert_uint_eq(gf_rpcsvc_req_proc(req), TP_HOLD);
    gf_rpcsvc_req_args(req, &base, &len);
    ck_assert_uint_eq(len, 4);
    ck_assert_mem_eq(base, "abcd", 4);
    ck_assert(base >= gf_iobuf_ptr(gf_rpcsvc_req_iobuf(req)));
    ck_assert_uint_eq(gf_rpcsvc_req_identity(req)->uid, 65534);
    ck_assert_uint_eq(gf_rpcsvc_req_cred(req)->flavor, GF_RPC_AUTH_NULL);
    ck_assert_ptr_eq(gf_rpcsvc_req_svc(req), svc);
    ck_assert_ptr_nonnull(gf_rpcsvc_req_conn(req));
    ck_assert_ptr_null(gf_rpcsvc_req_conn_data(req));
    ck_assert_ptr_nonnull(strstr(gf_rpcsvc_req_peer(req), "127.0.0.1:"));
    ck_assert_int_eq(gf_rpcsvc_reply(req, NULL, 0, NULL), -ENOTCONN);
    fd = cli_connect(); /* the service is fine */
    ping_ok(fd, 2);
    close(fd);
}
END_TEST

START_TEST(outstanding_limit)
{
    uint8_t *batch = malloc(100 * 64), rep[MAXREC];
    size_t off = 0;
    unsigned got = 0, answered = 0;
    int fd = cli_connect();

    for (uint32_t i = 0; i < 100; i++) {
        uint8_t msg[64];
        size_t n = simple_call(msg, 1000 + i, TPROG, 2, TP_HOLD, "wxyz", 4);

        put32(batch + off, 0x80000000u | (uint32_t)n);
        memcpy(batch + off + 4, msg, n);
        off += 4 + n;
    }
    write_all(fd, batch, off); /* 100 calls pipelined in one write */
    wait_held(64);
    usleep(200000);
    wait_held(64); /* and no more reached the actor */
    while (answered < 100) {
        unsigned r = release_held();

        answered += r;
        for (unsigned i = 0; i < r; i++, got++) {
            long n = recv_record(fd, rep, sizeof(rep));

            ck_assert_int_eq(expect_accepted(rep, n, 0), 4);
            ck_assert_uint_eq(get32(rep), 1000 + got); /* in order */
        }
        if (answered < 100)
            wait_held(answered == 64 ? 36 : 0);
    }
    ck_assert_uint_eq(atomic_load(&max_held), 64);
    free(batch);
    close(fd);
}
END_TEST

START_TEST(unlimited_outstanding)
{
    uint8_t msg[64];
    int fd;

    teardown();
    start_server(0, false);
    fd = cli_connect();
    for (uint32_t i = 0; i < 100; i++)
        send_record(fd, msg, simple_call(msg, i, TPROG, 2, TP_HOLD, "ab", 2));
    wait_held(100);
    ck_assert_uint_eq(release_held(), 100);
    close(fd);
}
END_TEST

/* ---- hostile input: each is rejected, logged, and others are served -- */

START_TEST(hostile_garbage)
{
    uint8_t junk[64], msg[64];
    int fd = cli_connect(), other = cli_connect();

    /* Not even a record: the "mark" claims a ~1 GiB fragment. */
    memset(junk, 'A', sizeof(junk));
    memset(msg, 0, sizeof(msg));
    write_all(fd, junk, sizeof(junk));
    ck_assert(closed_by_server(fd));
    close(fd);
    ping_ok(other, 1);
    /* A record whose message type is neither CALL nor REPLY. */
    fd = cli_connect();
    put32(msg, 1);
    put32(msg + 4, 7);
    send_record(fd, msg, 40);
    ck_assert(closed_by_server(fd));
    ck_assert(log_has("is not an RPC call, disconnecting"));
    close(fd);
    /* A record too short for a call header. */
    fd = cli_connect();
    put32(msg + 4, 0);
    send_record(fd, msg, 12);
    ck_assert(closed_by_server(fd));
    close(fd);
    ping_ok(other, 2);
    close(other);
}
END_TEST

START_TEST(hostile_reply_message)
{
    uint8_t msg[64];
    int fd = cli_connect(), other = cli_connect();

    put32(msg, 55);
    put32(msg + 4, 1); /* REPLY */
    memset(msg + 8, 0, 16);
    send_record(fd, msg, 24);
    ck_assert(log_has("ignoring a REPLY"));
    ping_ok(fd, 56); /* ignored: the connection goes on */
    ping_ok(other, 1);
    close(fd);
    close(other);
}
END_TEST

START_TEST(hostile_long_credential)
{
    uint8_t cred[1024], msg[2048], rep[MAXREC];
    int fd = cli_connect(), other = cli_connect();
    long n;

    memset(cred, 0xee, sizeof(cred));
    n = call(fd, msg,
             build_call(msg, 1, 2, TPROG, 2, TP_ECHO, GF_RPC_AUTH_GLUSTERFS_V3,
                        cred, 1000, NULL, 0),
             rep);
    expect_auth_error(rep, n, GF_RPC_AUTH_BADCRED);
    ck_assert(log_has("malformed credential (1000 bytes)"));
    /* A length that runs past the end of the record. */
    n = (long)build_call(msg, 2, 2, TPROG, 2, 0, 1, cred, 8, NULL, 0);
    put32(msg + 28, 300);
    n = call(fd, msg, (size_t)n, rep);
    expect_auth_error(rep, n, GF_RPC_AUTH_BADCRED);
    ping_ok(other, 3);
    close(fd);
    close(other);
}
END_TEST

START_TEST(hostile_many_connections)
{
    int fds[100], other = cli_connect();

    gf_log_set_level(GF_LOG_DEBUG); /* a line per connection */

    for (int round = 0; round < 10; round++) {
        for (int i = 0; i < 100; i++)
            fds[i] = cli_connect();
        if (round & 1) { /* half the rounds say something first */
            uint8_t msg[64];

            for (int i = 0; i < 100; i++)
                send_record(fds[i], msg,
                            simple_call(msg, 1, TPROG, 2, 0, NULL, 0));
        }
        for (int i = 0; i < 100; i++)
            close(fds[i]);
        ping_ok(other, (uint32_t)round);
    }
    wait_conns(1); /* all 1000 gone, memory with them */
    ck_assert(log_has(": accepted"));
    ck_assert(log_has(": disconnected"));
    ping_ok(other, 99);
    close(other);
}
END_TEST

/* 100 connections each drip a valid call one byte at a time (a slowloris
 * at 50 bytes/s per connection). The record state machine must resume on
 * every byte without holding anything up: another client is answered
 * throughout, and every drip call is answered once complete. */
START_TEST(hostile_slow_drip)
{
    enum { NDRIP = 100 };
    int fds[NDRIP], other = cli_connect();
    uint8_t msg[128], wire[132], rep[MAXREC];
    size_t n = simple_call(msg, 7, GF_RPC_DUMP_PROGRAM, 1, 0, NULL, 0);

    put32(wire, 0x80000000u | (uint32_t)n);
    memcpy(wire + 4, msg, n);
    for (int i = 0; i < NDRIP; i++)
        fds[i] = cli_connect();
    for (size_t b = 0; b < n + 4; b++) {
        for (int i = 0; i < NDRIP; i++)
            write_all(fds[i], wire + b, 1);
        if (b % 8 == 0) /* the others are served meanwhile */
            ping_ok(other, (uint32_t)(100 + b));
        usleep(20000);
    }
    for (int i = 0; i < NDRIP; i++) {
        long r = recv_record(fds[i], rep, MAXREC);

        ck_assert_int_ge(r, 24);
        ck_assert_uint_eq(get32(rep), 7);
        ck_assert_int_eq(expect_accepted(rep, r, 0), 0);
        close(fds[i]);
    }
    wait_conns(1); /* every drip connection gone, its memory with it */
    ping_ok(other, 1);
    close(other);
}
END_TEST

START_TEST(hostile_truncated_record)
{
    uint8_t msg[128];
    int fd = cli_connect(), other = cli_connect();
    size_t n = simple_call(msg, 1, TPROG, 2, TP_ECHO, "0123456789", 10);

    put32(msg + 64, 0x80000000u | (uint32_t)n);
    write_all(fd, msg + 64, 4);
    write_all(fd, msg, n / 2); /* half the record, then hang up */
    usleep(50000);
    close(fd);
    wait_conns(1);
    ck_assert(log_has("disconnected: ")); /* a reset, with its reason */
    ping_ok(other, 1);
    close(other);
}
END_TEST

/* ---- the API -------------------------------------------------------- */

START_TEST(notify_and_conn_data)
{
    uint8_t msg[128], rep[MAXREC];
    int fd;
    long n;

    teardown();
    start_server(GF_RPCSVC_DEFAULT_OUTSTANDING, true);
    fd = cli_connect();
    n = call(fd, msg, simple_call(msg, 1, TPROG, 2, TP_CONNDATA, NULL, 0), rep);
    ck_assert_int_eq(expect_accepted(rep, n, 0), 4);
    ck_assert_uint_eq(get32(rep + 24), 1);
    ck_assert_uint_eq(atomic_load(&nconnect), 1);
    close(fd);
    wait_conns(0);
    ck_assert_uint_eq(atomic_load(&ndisconnect), 1);
}
END_TEST

START_TEST(api_errors)
{
    static const gf_rpcsvc_actor_t bad_proc[] = {{"X", 5000, echo_actor}};
    static const gf_rpcsvc_actor_t no_fn[] = {{"X", 1, NULL}};
    static const gf_rpcsvc_actor_t twice[] = {{"A", 1, echo_actor},
                                              {"B", 1, echo_actor}};
    gf_rpcsvc_program_t p = {.name = "x", .prognum = 7, .progver = 1};
    gf_rpcsvc_opts_t o;
    uint8_t msg[128], rep[MAXREC];
    int fd;
    long n;

    errno = 0;
    ck_assert_ptr_null(gf_rpcsvc_new(NULL, iop, NULL));
    ck_assert_int_eq(errno, EINVAL);
    gf_rpcsvc_opts_init(&o);
    ck_assert_uint_eq(o.outstanding_limit, 64);
    ck_assert(!o.rpcbind);
    o.outstanding_limit = GF_RPCSVC_MAX_OUTSTANDING + 1;
    ck_assert_ptr_null(gf_rpcsvc_new(ev, iop, &o));
    ck_assert_int_eq(gf_rpcsvc_register(NULL, &p), -EINVAL);
    ck_assert_int_eq(gf_rpcsvc_register(svc, NULL), -EINVAL);
    p.actors = bad_proc;
    p.nactors = 1;
    ck_assert_int_eq(gf_rpcsvc_register(svc, &p), -EINVAL);
    p.actors = no_fn;
    ck_assert_int_eq(gf_rpcsvc_register(svc, &p), -EINVAL);
    p.actors = twice;
    p.nactors = 2;
    ck_assert_int_eq(gf_rpcsvc_register(svc, &p), -EINVAL);
    p.name = NULL;
    ck_assert_int_eq(gf_rpcsvc_register(svc, &p), -EINVAL);
    p = (gf_rpcsvc_program_t){.name = "dup", .prognum = TPROG, .progver = 5};
    ck_assert_int_eq(gf_rpcsvc_register(svc, &p), -EEXIST);
    ck_assert_int_eq(gf_rpcsvc_unregister(svc, GF_RPC_DUMP_PROGRAM, 1), -EPERM);
    ck_assert_int_eq(gf_rpcsvc_unregister(svc, 4242, 1), -ENOENT);
    ck_assert_int_eq(gf_rpcsvc_listen(svc, "not an address"), -EINVAL);
    ck_assert_int_eq(gf_rpcsvc_listen(NULL, "127.0.0.1:0"), -EINVAL);
    ck_assert_int_eq(gf_rpcsvc_port(NULL), -EINVAL);
    ck_assert_int_eq(gf_rpcsvc_reply(NULL, NULL, 0, NULL), -EINVAL);
    ck_assert_int_eq(gf_rpcsvc_error(NULL, GF_RPC_SYSTEM_ERR), -EINVAL);
    gf_rpcsvc_drop(NULL);
    gf_rpcsvc_free(NULL);

    /* Unregistered: v5 is gone, v2 remains (mismatch 2..2), then both. */
    fd = cli_connect();
    ck_assert_int_eq(gf_rpcsvc_unregister(svc, TPROG, 5), 0);
    n = call(fd, msg, simple_call(msg, 1, TPROG, 5, 0, NULL, 0), rep);
    ck_assert_int_eq(expect_accepted(rep, n, GF_RPC_PROG_MISMATCH), 8);
    ck_assert_uint_eq(get32(rep + 28), 2);
    ck_assert_int_eq(gf_rpcsvc_unregister(svc, TPROG, 2), 0);
    n = call(fd, msg, simple_call(msg, 2, TPROG, 2, 0, NULL, 0), rep);
    ck_assert_int_eq(expect_accepted(rep, n, GF_RPC_PROG_UNAVAIL), 0);
    /* And back again. */
    p = (gf_rpcsvc_program_t){.name = "again",
                              .prognum = TPROG,
                              .progver = 2,
                              .actors = tactors,
                              .nactors = GF_ARRAY_SIZE(tactors),
                              .data = &port};
    ck_assert_int_eq(gf_rpcsvc_register(svc, &p), 0);
    n = call(fd, msg, simple_call(msg, 3, TPROG, 2, TP_ECHO, "hi!!", 4), rep);
    ck_assert_int_eq(expect_accepted(rep, n, 0), 4);
    close(fd);
}
END_TEST

/* An actor answering with too many iovecs gets SYSTEM_ERR sent. */
static int
bad_reply_actor(gf_rpcsvc_req_t *req, void *data)
{
    static const char b[1];
    struct iovec iov[64];

    for (int i = 0; i < 64; i++) {
        iov[i].iov_base = (void *)(uintptr_t)b;
        iov[i].iov_len = 1;
    }
    ck_assert_int_eq(gf_rpcsvc_reply(req, iov, 64, NULL), -EINVAL);
    return 0;
}

START_TEST(bad_reply_count)
{
    static const gf_rpcsvc_actor_t a[] = {{"BAD", 1, bad_reply_actor}};
    gf_rpcsvc_program_t p = {.name = "bad",
                             .prognum = 31337,
                             .progver = 1,
                             .actors = a,
                             .nactors = 1};
    uint8_t msg[128], rep[MAXREC];
    int fd = cli_connect();
    long n;

    ck_assert_int_eq(gf_rpcsvc_register(svc, &p), 0);
    n = call(fd, msg, simple_call(msg, 1, 31337, 1, 1, NULL, 0), rep);
    ck_assert_int_eq(expect_accepted(rep, n, GF_RPC_SYSTEM_ERR), 0);
    close(fd);
}
END_TEST

START_TEST(second_listener)
{
    int p2 = gf_rpcsvc_listen(svc, "127.0.0.1:0"), first = port, fd;

    ck_assert_int_gt(p2, 0);
    ck_assert_int_ne(p2, first);
    ck_assert_int_eq(gf_rpcsvc_port(svc), first);
    port = p2;
    fd = cli_connect();
    ping_ok(fd, 1);
    close(fd);
    port = first;
}
END_TEST

int
main(void)
{
    Suite *s = suite_create("rpcsvc");
    TCase *tc = tcase_create("calls");
    TCase *th = tcase_create("hostile");

    signal(SIGPIPE, SIG_IGN);
    tcase_add_checked_fixture(tc, setup, teardown);
    tcase_set_timeout(tc, 30);
    tcase_add_test(tc, dump_recorded);
    tcase_add_test(tc, ping);
    tcase_add_test(tc, null_on_every_program);
    tcase_add_test(tc, prog_unavail);
    tcase_add_test(tc, prog_mismatch);
    tcase_add_test(tc, proc_unavail);
    tcase_add_test(tc, garbage_args);
    tcase_add_test(tc, system_err);
    tcase_add_test(tc, rpc_mismatch);
    tcase_add_test(tc, auth_error);
    tcase_add_test(tc, identity_v3_recorded);
    tcase_add_test(tc, identity_v2_v3_unix_null);
    tcase_add_test(tc, echo_and_async_reply);
    tcase_add_test(tc, reply_after_disconnect);
    tcase_add_test(tc, outstanding_limit);
    tcase_add_test(tc, unlimited_outstanding);
    tcase_add_test(tc, notify_and_conn_data);
    tcase_add_test(tc, api_errors);
    tcase_add_test(tc, bad_reply_count);
    tcase_add_test(tc, second_listener);
    suite_add_tcase(s, tc);

    tcase_add_checked_fixture(th, setup, teardown);
    tcase_set_timeout(th, 60);
    tcase_add_test(th, hostile_garbage);
    tcase_add_test(th, hostile_reply_message);
    tcase_add_test(th, hostile_long_credential);
    tcase_add_test(th, hostile_many_connections);
    tcase_add_test(th, hostile_truncated_record);
    tcase_add_test(th, hostile_slow_drip);
    suite_add_tcase(s, th);
    return gf_test_run(s);
}
