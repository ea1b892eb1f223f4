/* SPDX-License-Identifier: LGPL-3.0-or-later */
/*
 * check-transport.c - the RPC record transport on loopback: an echo server
 * on the transport (each record is submitted back as it came) driven by
 * raw sockets, which can split, join and corrupt the record marking at
 * will, and by gf_rpc_connect clients. Covers sizes from 0 B to 4 MiB,
 * partial reads anywhere, multi-fragment records, pipelining, oversized
 * and truncated records, the partial-write path, pause/resume, close from
 * another thread, IPv6, unix sockets, bad addresses and many connections.
 *
 * GF_TRANSPORT_BENCH=1 adds a throughput measurement (not a test).
 */
#include <arpa/inet.h>
#include <errno.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <pthread.h>
#include <signal.h>
#include <stdatomic.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/un.h>
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
#include <gf/mem-acct.h>
#include <gf/rpc-transport.h>

#include "gf-test.h"

static bool
slow(void)
{
#ifdef HAVE_VALGRIND_H
    if (RUNNING_ON_VALGRIND)
        return true;
#endif
    return getenv("GF_TEST_SLOW") != NULL;
}

/* Resident set size in bytes. */
static size_t
rss_bytes(void)
{
    unsigned long size = 0, res = 0;
    FILE *f = fopen("/proc/self/statm", "r");

    if (f) {
        if (fscanf(f, "%lu %lu", &size, &res) != 2)
            res = 0;
        fclose(f);
    }
    return (size_t)res * (size_t)sysconf(_SC_PAGESIZE);
}

static void
msleep(int ms)
{
    usleep((useconds_t)ms * 1000);
}

/* Wait up to 20 s for *V >= TARGET. */
static bool
wait_ge(atomic_int *v, int target)
{
    for (int i = 0; i < 20000; i++) {
        if (atomic_load(v) >= target)
            return true;
        msleep(1);
    }
    return atomic_load(v) >= target;
}

static void
fill(unsigned char *p, size_t len, unsigned seed)
{
    uint32_t x = seed * 2654435761u + 1;

    for (size_t i = 0; i < len; i++) {
        x = x * 1103515245u + 12345u;
        p[i] = (unsigned char)(x >> 16);
    }
}

/* ---- the echo server --------------------------------------------------- */

/* Failures seen inside callbacks on event threads. ck_assert there would
 * cost a pipe write per success (Check records the location), which
 * distorts the measurements, so callbacks count and tests assert. */
static atomic_int cb_failures;

static void
cb_check(bool ok)
{
    if (!ok)
        atomic_fetch_add(&cb_failures, 1);
}

enum { MAX_SCONN = 512 };

/* One accepted connection, as the server sees it. */
struct sconn {
    gf_rpc_conn_t *conn; /* a reference of ours */
    atomic_int msgs;
    atomic_int disc;
    atomic_int late; /* callbacks after disconnected: must stay 0 */
    int error;
    bool echo;
};

static struct server {
    gf_event_pool_t *ev;
    gf_iobuf_pool_t *iop;
    gf_rpc_listener_t *l;
    int port;
    bool echo;   /* echo records back (else only count) */
    bool refuse; /* refuse every connection */
    int keep;    /* keep a reference on the first KEEP records */
    int nkept;
    struct kept {
        gf_iobuf_t *iob;
        unsigned char *base;
        size_t len;
    } kept[64];
    atomic_int alive; /* started and not yet disconnected */
    atomic_int accepted;
    atomic_int disconnects;
    atomic_int msgs;
    pthread_mutex_t lock;
    struct sconn *conns[MAX_SCONN];
    int nconns;
} srv;

static void
s_message(gf_rpc_conn_t *conn, void *data, void *base, size_t len,
          gf_iobuf_t *iobuf)
{
    struct sconn *sc = data;
    struct iovec iov = {base, len};
    gf_iobref_t *ref;
    int r;

    if (atomic_load(&sc->disc))
        atomic_fetch_add(&sc->late, 1);
    atomic_fetch_add(&sc->msgs, 1);
    atomic_fetch_add(&srv.msgs, 1);
    if (srv.nkept < srv.keep) {
        struct kept *k = &srv.kept[srv.nkept++];

        k->iob = gf_iobuf_ref(iobuf);
        k->base = base;
        k->len = len;
    }
    if (!sc->echo)
        return;
    ref = gf_iobref_new();
    cb_check(ref != NULL);
    cb_check(gf_iobref_add(ref, iobuf) == 0);
    /* -ENOTCONN once a close from another thread has begun */
    r = gf_rpc_conn_submit(conn, &iov, 1, ref);
    cb_check(r == 0 || r == -ENOTCONN);
    gf_iobref_unref(ref);
}

static void
s_disconnected(gf_rpc_conn_t *conn, void *data, int error)
{
    struct sconn *sc = data;

    (void)conn;
    sc->error = error;
    if (atomic_fetch_add(&sc->disc, 1) != 0)
        atomic_fetch_add(&sc->late, 1);
    atomic_fetch_sub(&srv.alive, 1);
    atomic_fetch_add(&srv.disconnects, 1);
}

static const gf_rpc_conn_cbs_t s_cbs = {
    .message = s_message,
    .disconnected = s_disconnected,
};

static int
s_accept(gf_rpc_listener_t *l, gf_rpc_conn_t *conn, void *data)
{
    struct sconn *sc;

    (void)l;
    (void)data;
    atomic_fetch_add(&srv.accepted, 1);
    if (srv.refuse)
        return -EPERM;
    sc = calloc(1, sizeof(*sc));
    ck_assert_ptr_nonnull(sc);
    sc->echo = srv.echo;
    sc->conn = gf_rpc_conn_ref(conn);
    pthread_mutex_lock(&srv.lock);
    ck_assert_int_lt(srv.nconns, MAX_SCONN);
    srv.conns[srv.nconns++] = sc;
    pthread_mutex_unlock(&srv.lock);
    atomic_fetch_add(&srv.alive, 1);
    ck_assert_int_eq(gf_rpc_conn_start(conn, &s_cbs, sc), 0);
    return 0;
}

static void
server_up(const char *addr, const gf_rpc_conn_opts_t *opts)
{
    char a[160];

    memset(&srv, 0, sizeof(srv));
    atomic_store(&cb_failures, 0);
    pthread_mutex_init(&srv.lock, NULL);
    srv.echo = true;
    srv.ev = gf_event_pool_new(2);
    ck_assert_ptr_nonnull(srv.ev);
    srv.iop = gf_iobuf_pool_new();
    ck_assert_ptr_nonnull(srv.iop);
    ck_assert_int_eq(gf_event_pool_start(srv.ev), 0);
    snprintf(a, sizeof(a), "%s", addr ? addr : "127.0.0.1:0");
    ck_assert_int_eq(
        gf_rpc_listen(srv.ev, srv.iop, a, opts, s_accept, NULL, &srv.l), 0);
    srv.port = gf_rpc_listener_port(srv.l);
}

/* The I-th accepted connection, waiting for it to appear. */
static struct sconn *
server_conn(int i)
{
    struct sconn *sc = NULL;

    for (int t = 0; t < 20000 && !sc; t++) {
        pthread_mutex_lock(&srv.lock);
        if (srv.nconns > i)
            sc = srv.conns[i];
        pthread_mutex_unlock(&srv.lock);
        if (!sc)
            msleep(1);
    }
    ck_assert_ptr_nonnull(sc);
    return sc;
}

/* Close whatever is left, check every connection disconnected exactly
 * once and nothing came after, then free it all. */
static void
server_down(void)
{
    if (srv.l)
        gf_rpc_listener_close(srv.l);
    for (int i = 0; i < srv.nconns; i++)
        gf_rpc_conn_close(srv.conns[i]->conn);
    ck_assert_msg(wait_ge(&srv.disconnects, srv.nconns),
                  "%d of %d disconnected", atomic_load(&srv.disconnects),
                  srv.nconns);
    gf_event_pool_free(srv.ev);
    for (int i = 0; i < srv.nconns; i++) {
        struct sconn *sc = srv.conns[i];

        ck_assert_int_eq(atomic_load(&sc->disc), 1);
        ck_assert_int_eq(atomic_load(&sc->late), 0);
        gf_rpc_conn_unref(sc->conn);
        free(sc);
    }
    ck_assert_int_eq(atomic_load(&srv.alive), 0);
    ck_assert_int_eq(atomic_load(&cb_failures), 0);
    gf_iobuf_pool_free(srv.iop);
    pthread_mutex_destroy(&srv.lock);
}

/* ---- raw socket clients ------------------------------------------------ */

static int
raw_connect(int port)
{
    struct sockaddr_in a = {.sin_family = AF_INET};
    struct timeval tv = {20, 0};
    int one = 1;
    int fd = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);

    ck_assert_int_ge(fd, 0);
    a.sin_port = htons((uint16_t)port);
    a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    ck_assert_int_eq(connect(fd, (struct sockaddr *)&a, sizeof(a)), 0);
    setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof(tv));
    setsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof(one));
    return fd;
}

static void
write_all(int fd, const void *p, size_t len)
{
    const char *c = p;

    while (len > 0) {
        ssize_t n = write(fd, c, len);

        if (n < 0 && errno == EINTR)
            continue;
        ck_assert_msg(n > 0, "write: %s", strerror(errno));
        c += n;
        len -= (size_t)n;
    }
}

/* Read exactly LEN bytes; false on EOF or error. */
static bool
read_all(int fd, void *p, size_t len)
{
    char *c = p;

    while (len > 0) {
        ssize_t n = read(fd, c, len);

        if (n < 0 && errno == EINTR)
            continue;
        if (n <= 0)
            return false;
        c += n;
        len -= (size_t)n;
    }
    return true;
}

static void
put_hdr(unsigned char *p, size_t len, bool last)
{
    uint32_t h = htonl((uint32_t)len | (last ? 0x80000000u : 0));

    memcpy(p, &h, 4);
}

static void
send_record(int fd, const void *p, size_t len)
{
    unsigned char h[4];

    put_hdr(h, len, true);
    write_all(fd, h, 4);
    write_all(fd, p, len);
}

/* Read one record (the echo server sends single fragments); returns a
 * malloc'd copy and its length in *LEN, or NULL at EOF. */
static unsigned char *
recv_record(int fd, size_t *len)
{
    unsigned char h[4], *p;
    uint32_t v;

    if (!read_all(fd, h, 4))
        return NULL;
    memcpy(&v, h, 4);
    v = ntohl(v);
    ck_assert_msg(v & 0x80000000u, "echo sent a non-last fragment");
    *len = v & 0x7fffffffu;
    p = malloc(*len ? *len : 1);
    ck_assert_ptr_nonnull(p);
    ck_assert(read_all(fd, p, *len));
    return p;
}

static void
expect_record(int fd, const unsigned char *want, size_t len)
{
    size_t got;
    unsigned char *p = recv_record(fd, &got);

    ck_assert_ptr_nonnull(p);
    ck_assert_uint_eq(got, len);
    ck_assert(memcmp(p, want, len) == 0);
    free(p);
}

/* True once the peer closed FD (read returns 0 or a reset). */
static bool
peer_closed(int fd)
{
    char c;
    ssize_t n;

    do {
        n = read(fd, &c, 1);
    } while (n < 0 && errno == EINTR);
    return n == 0 || (n < 0 && errno == ECONNRESET);
}

/* ---- tests ------------------------------------------------------------- */

static const size_t sizes[] = {0, 1, 4096, 128 * 1024, 4 * 1024 * 1024};

START_TEST(echo_raw_sizes)
{
    server_up(NULL, NULL);
    int fd = raw_connect(srv.port);

    for (size_t i = 0; i < GF_ARRAY_SIZE(sizes); i++) {
        unsigned char *p = malloc(sizes[i] + 1);

        fill(p, sizes[i], (unsigned)i);
        send_record(fd, p, sizes[i]);
        expect_record(fd, p, sizes[i]);
        free(p);
    }
    ck_assert_int_eq(atomic_load(&srv.msgs), (int)GF_ARRAY_SIZE(sizes));
    close(fd);
    ck_assert(wait_ge(&srv.disconnects, 1));
    ck_assert_int_eq(srv.conns[0]->error, 0); /* orderly close */
    server_down();
}
END_TEST

START_TEST(split_anywhere)
{
    unsigned char rec[4 + 300], big[4 + 70000];

    server_up(NULL, NULL);
    int fd = raw_connect(srv.port);

    /* Every byte on its own, header included. */
    put_hdr(rec, 300, true);
    fill(rec + 4, 300, 7);
    for (size_t i = 0; i < sizeof(rec); i++) {
        write_all(fd, rec + i, 1);
        if (i < 8 || i % 64 == 0)
            msleep(1);
    }
    expect_record(fd, rec + 4, 300);
    /* The header split 1+3 and 3+1, the body in uneven chunks. */
    for (int cut = 1; cut <= 3; cut += 2) {
        write_all(fd, rec, (size_t)cut);
        msleep(20);
        write_all(fd, rec + cut, 4 - (size_t)cut + 10);
        msleep(20);
        write_all(fd, rec + 14, sizeof(rec) - 14);
        expect_record(fd, rec + 4, 300);
    }
    /* A large record (dedicated buffer) split inside its body. */
    put_hdr(big, 70000, true);
    fill(big + 4, 70000, 8);
    write_all(fd, big, 2);
    msleep(20);
    write_all(fd, big + 2, 1000);
    msleep(20);
    write_all(fd, big + 1002, 30000);
    msleep(20);
    write_all(fd, big + 31002, sizeof(big) - 31002);
    expect_record(fd, big + 4, 70000);
    close(fd);
    server_down();
}
END_TEST

START_TEST(multi_fragment)
{
    /* 10 + 100000 + 5 bytes in three fragments, then a record made of
     * three small fragments, then a plain record: all joined, in order. */
    static const size_t f1[] = {10, 100000, 5}, f2[] = {3, 0, 7};
    size_t total1 = 100015, total2 = 10;
    unsigned char *want = malloc(total1), h[4];

    server_up(NULL, NULL);
    int fd = raw_connect(srv.port);

    fill(want, total1, 3);
    for (size_t i = 0, off = 0; i < 3; off += f1[i], i++) {
        put_hdr(h, f1[i], i == 2);
        write_all(fd, h, 4);
        write_all(fd, want + off, f1[i]);
        msleep(5);
    }
    for (size_t i = 0, off = 0; i < 3; off += f2[i], i++) {
        put_hdr(h, f2[i], i == 2);
        write_all(fd, h, 4);
        write_all(fd, want + off, f2[i]);
    }
    send_record(fd, "tail", 4);
    expect_record(fd, want, total1);
    expect_record(fd, want, total2);
    expect_record(fd, (const unsigned char *)"tail", 4);
    free(want);
    close(fd);
    server_down();
}
END_TEST

START_TEST(pipelined_1000)
{
    enum { N = 1000, LEN = 60 };
    unsigned char *buf = malloc((size_t)N * (4 + LEN)), rec[LEN];

    server_up(NULL, NULL);
    int fd = raw_connect(srv.port);

    for (int i = 0; i < N; i++) {
        unsigned char *p = buf + (size_t)i * (4 + LEN);

        put_hdr(p, LEN, true);
        fill(p + 4, LEN, (unsigned)i);
    }
    write_all(fd, buf, (size_t)N * (4 + LEN));
    for (int i = 0; i < N; i++) {
        fill(rec, LEN, (unsigned)i);
        expect_record(fd, rec, LEN);
    }
    ck_assert_int_eq(atomic_load(&srv.msgs), N);
    free(buf);
    close(fd);
    server_down();
}
END_TEST

/* Records delivered in place stay intact while their iobuf is referenced,
 * however much traffic follows (the receive buffer is never reused under
 * a holder). */
START_TEST(kept_records_survive)
{
    enum { KEEP = 64, LEN = 1000, MORE = 2000 };
    unsigned char *buf = malloc((size_t)MORE * (4 + LEN)), want[LEN];

    server_up(NULL, NULL);
    srv.echo = false;
    srv.keep = KEEP;
    int fd = raw_connect(srv.port);

    for (int i = 0; i < MORE; i++) {
        unsigned char *p = buf + (size_t)i * (4 + LEN);

        put_hdr(p, LEN, true);
        fill(p + 4, LEN, (unsigned)i);
    }
    /* in pieces, so records straddle reads and buffers rotate */
    for (size_t off = 0, tot = (size_t)MORE * (4 + LEN); off < tot;) {
        size_t n = tot - off < 7777 ? tot - off : 7777;

        write_all(fd, buf + off, n);
        off += n;
    }
    ck_assert(wait_ge(&srv.msgs, MORE));
    ck_assert_int_eq(srv.nkept, KEEP);
    for (int i = 0; i < KEEP; i++) {
        fill(want, LEN, (unsigned)i);
        ck_assert_uint_eq(srv.kept[i].len, LEN);
        ck_assert_msg(memcmp(srv.kept[i].base, want, LEN) == 0,
                      "kept record %d was overwritten", i);
        gf_iobuf_unref(srv.kept[i].iob);
    }
    free(buf);
    close(fd);
    server_down();
}
END_TEST

START_TEST(huge_header_disconnects)
{
    unsigned char h[4] = {0xff, 0xff, 0xff, 0xff};
    gf_iobuf_pool_stats_t before, after;
    gf_mem_type_stats_t m0, m1;

    server_up(NULL, NULL);
    ck_assert_int_eq(gf_iobuf_pool_stats(srv.iop, &before), 0);
    gf_mem_acct_stats(NULL, GF_MT_IOBUF, &m0);
    size_t rss0 = rss_bytes();
    int fd = raw_connect(srv.port);

    write_all(fd, h, 4);
    write_all(fd, "abcdefgh", 8);
    ck_assert(peer_closed(fd));
    ck_assert(wait_ge(&srv.disconnects, 1));
    ck_assert_int_eq(srv.conns[0]->error, EMSGSIZE);
    ck_assert_int_eq(atomic_load(&srv.msgs), 0);
    /* Nothing near 2 GiB was ever asked for. */
    ck_assert_int_eq(gf_iobuf_pool_stats(srv.iop, &after), 0);
    ck_assert_uint_eq(after.misses, before.misses);
    gf_mem_acct_stats(NULL, GF_MT_IOBUF, &m1);
    ck_assert_uint_lt(m1.max_size, m0.max_size + (64u << 20));
    ck_assert_uint_lt(rss_bytes(), rss0 + (64u << 20));
    close(fd);
    server_down();
}
END_TEST

START_TEST(oversize_by_option)
{
    gf_rpc_conn_opts_t o;
    unsigned char *p = calloc(1, 5000);

    gf_rpc_conn_opts_init(&o);
    o.max_record = 4096;
    server_up(NULL, &o);
    int fd = raw_connect(srv.port);

    send_record(fd, p, 4096); /* at the limit: fine */
    expect_record(fd, p, 4096);
    send_record(fd, p, 4097); /* over: disconnect */
    ck_assert(peer_closed(fd));
    ck_assert(wait_ge(&srv.disconnects, 1));
    ck_assert_int_eq(srv.conns[0]->error, EMSGSIZE);
    free(p);
    close(fd);
    server_down();
}
END_TEST

START_TEST(truncated_then_close)
{
    unsigned char rec[4 + 1000];

    server_up(NULL, NULL);
    /* A small record cut short, and a large one cut short. */
    for (int i = 0; i < 2; i++) {
        size_t len = i ? 200000 : 1000;
        int fd = raw_connect(srv.port);

        put_hdr(rec, len, true);
        fill(rec + 4, 1000, 1);
        write_all(fd, rec, 4 + 500);
        msleep(20);
        close(fd);
        ck_assert(wait_ge(&srv.disconnects, i + 1));
        ck_assert_int_eq(server_conn(i)->error, ECONNRESET);
        ck_assert_int_eq(atomic_load(&server_conn(i)->msgs), 0);
    }
    ck_assert_int_eq(atomic_load(&srv.alive), 0);
    server_down();
}
END_TEST

START_TEST(refused_connection)
{
    server_up(NULL, NULL);
    srv.refuse = true;
    int fd = raw_connect(srv.port);

    ck_assert(peer_closed(fd));
    ck_assert_int_eq(atomic_load(&srv.accepted), 1);
    ck_assert_int_eq(atomic_load(&srv.disconnects), 0);
    close(fd);
    server_down();
}
END_TEST

/* ---- gf_rpc_connect clients -------------------------------------------- */

struct client {
    gf_rpc_conn_t *conn;
    atomic_int connected;
    atomic_int disc;
    atomic_int msgs;
    atomic_int late;
    int error;
    pthread_mutex_t lock;
    unsigned char *last; /* copy of the last record */
    size_t last_len;
    uint32_t next_seq; /* records carry a sequence number (benchmark) */
    atomic_int bad_seq;
};

static void
c_message(gf_rpc_conn_t *conn, void *data, void *base, size_t len,
          gf_iobuf_t *iobuf)
{
    struct client *c = data;

    (void)conn;
    (void)iobuf;
    if (atomic_load(&c->disc))
        atomic_fetch_add(&c->late, 1);
    pthread_mutex_lock(&c->lock);
    free(c->last);
    c->last = malloc(len ? len : 1);
    memcpy(c->last, base, len);
    c->last_len = len;
    pthread_mutex_unlock(&c->lock);
    atomic_fetch_add(&c->msgs, 1);
}

static void
c_connected(gf_rpc_conn_t *conn, void *data)
{
    struct client *c = data;

    (void)conn;
    atomic_fetch_add(&c->connected, 1);
}

static void
c_disconnected(gf_rpc_conn_t *conn, void *data, int error)
{
    struct client *c = data;

    (void)conn;
    c->error = error;
    if (atomic_fetch_add(&c->disc, 1) != 0)
        atomic_fetch_add(&c->late, 1);
}

static const gf_rpc_conn_cbs_t c_cbs = {
    .message = c_message,
    .connected = c_connected,
    .disconnected = c_disconnected,
};

static void
client_open(struct client *c, const char *addr)
{
    memset(c, 0, sizeof(*c));
    pthread_mutex_init(&c->lock, NULL);
    ck_assert_int_eq(
        gf_rpc_connect(srv.ev, srv.iop, addr, NULL, &c_cbs, c, &c->conn), 0);
}

static void
client_close(struct client *c)
{
    gf_rpc_conn_close(c->conn);
    ck_assert(wait_ge(&c->disc, 1));
    ck_assert_int_eq(atomic_load(&c->disc), 1);
    ck_assert_int_eq(atomic_load(&c->late), 0);
    ck_assert_int_eq(gf_rpc_conn_submit(c->conn, NULL, 0, NULL), -ENOTCONN);
    gf_rpc_conn_unref(c->conn);
    free(c->last);
    pthread_mutex_destroy(&c->lock);
}

/* Submit P/LEN (split over three iovecs) and wait for the echo. */
static void
client_roundtrip(struct client *c, const unsigned char *p, size_t len)
{
    int before = atomic_load(&c->msgs);
    size_t a = len / 3, b = len / 2;
    struct iovec iov[3] = {
        {(void *)p, a}, {(void *)(p + a), b - a}, {(void *)(p + b), len - b}};

    ck_assert_int_eq(gf_rpc_conn_submit(c->conn, iov, 3, NULL), 0);
    ck_assert(wait_ge(&c->msgs, before + 1));
    pthread_mutex_lock(&c->lock);
    ck_assert_uint_eq(c->last_len, len);
    ck_assert(memcmp(c->last, p, len) == 0);
    pthread_mutex_unlock(&c->lock);
}

static void
echo_via_connect(const char *listen_addr, const char *host)
{
    char addr[160];
    struct client c;

    server_up(listen_addr, NULL);
    if (host)
        snprintf(addr, sizeof(addr), "%s:%d", host, srv.port);
    else
        snprintf(addr, sizeof(addr), "%s", listen_addr);
    client_open(&c, addr);
    ck_assert(wait_ge(&c.connected, 1));
    for (size_t i = 0; i < GF_ARRAY_SIZE(sizes); i++) {
        unsigned char *p = malloc(sizes[i] + 1);

        fill(p, sizes[i], (unsigned)i + 10);
        client_roundtrip(&c, p, sizes[i]);
        free(p);
    }
    ck_assert_str_ne(gf_rpc_conn_peer(c.conn), "");
    ck_assert_int_eq(gf_rpc_conn_queued(c.conn), 0);
    client_close(&c);
    ck_assert_int_eq(c.error, 0);
    server_down();
}

START_TEST(echo_connect_ipv4)
{
    echo_via_connect("127.0.0.1:0", "127.0.0.1");
}
END_TEST

START_TEST(echo_connect_ipv6)
{
    int fd = socket(AF_INET6, SOCK_STREAM, 0);
    struct sockaddr_in6 a = {.sin6_family = AF_INET6};

    a.sin6_addr = in6addr_loopback;
    if (fd < 0 || bind(fd, (struct sockaddr *)&a, sizeof(a)) < 0) {
        if (fd >= 0)
            close(fd);
        return; /* no IPv6 loopback here */
    }
    close(fd);
    echo_via_connect("[::1]:0", "[::1]");
}
END_TEST

START_TEST(echo_connect_unix)
{
    char path[200], addr[220];

    snprintf(path, sizeof(path), "%s/gf-transport-%d.sock", gf_test_tmpdir(),
             (int)getpid());
    snprintf(addr, sizeof(addr), "unix:%s", path);
    echo_via_connect(addr, NULL);
    /* closing the listener removed the socket file */
    ck_assert_int_ne(access(path, F_OK), 0);
}
END_TEST

START_TEST(peer_strings)
{
    struct client c;
    char addr[64];

    server_up(NULL, NULL);
    snprintf(addr, sizeof(addr), "127.0.0.1:%d", srv.port);
    client_open(&c, addr);
    ck_assert_str_eq(gf_rpc_conn_peer(c.conn), addr);
    ck_assert_str_eq(gf_rpc_conn_peer_ip(c.conn), "127.0.0.1");
    ck_assert(wait_ge(&c.connected, 1));
    struct sconn *sc = server_conn(0);

    ck_assert_str_eq(gf_rpc_conn_peer_ip(sc->conn), "127.0.0.1");
    ck_assert(strncmp(gf_rpc_conn_peer(sc->conn), "127.0.0.1:", 10) == 0);
    client_close(&c);
    server_down();
}
END_TEST

START_TEST(connect_refused)
{
    struct client c;
    char addr[64];
    int port;

    struct sockaddr_in a = {.sin_family = AF_INET};
    socklen_t alen = sizeof(a);
    int fd = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);

    /* A port that is bound but not listening refuses connections. */
    a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    ck_assert_int_eq(bind(fd, (struct sockaddr *)&a, sizeof(a)), 0);
    getsockname(fd, (struct sockaddr *)&a, &alen);
    port = ntohs(a.sin_port);
    server_up(NULL, NULL);
    snprintf(addr, sizeof(addr), "127.0.0.1:%d", port);
    client_open(&c, addr);
    ck_assert(wait_ge(&c.disc, 1));
    ck_assert_int_eq(c.error, ECONNREFUSED);
    ck_assert_int_eq(atomic_load(&c.connected), 0);
    /* close after the fact is harmless; no second disconnected() */
    client_close(&c);
    close(fd);
    server_down();
}
END_TEST

START_TEST(bad_addresses)
{
    static const char *bad[] = {
        "",
        "127.0.0.1",
        "127.0.0.1:",
        "127.0.0.1:65536",
        "127.0.0.1:x",
        "localhost:80",
        "1.2.3:80",
        "[::1]80",
        "[::1:80",
        "[zz]:1",
        "::1:80",
        "unix:",
        "[127.0.0.1]:80",
        "127.0.0.1:-1",
        "tcp:1.2.3.4:5",
    };
    gf_rpc_listener_t *l = NULL;
    gf_rpc_conn_t *c = NULL;
    gf_rpc_conn_opts_t o;
    char longpath[200];

    server_up(NULL, NULL);
    for (size_t i = 0; i < GF_ARRAY_SIZE(bad); i++) {
        ck_assert_msg(gf_rpc_listen(srv.ev, srv.iop, bad[i], NULL, s_accept,
                                    NULL, &l) == -EINVAL,
                      "listen accepted \"%s\"", bad[i]);
        ck_assert_msg(gf_rpc_connect(srv.ev, srv.iop, bad[i], NULL, &c_cbs,
                                     NULL, &c) == -EINVAL,
                      "connect accepted \"%s\"", bad[i]);
    }
    memset(longpath, 'a', sizeof(longpath));
    memcpy(longpath, "unix:/", 6);
    longpath[sizeof(longpath) - 1] = '\0';
    ck_assert_int_eq(
        gf_rpc_listen(srv.ev, srv.iop, longpath, NULL, s_accept, NULL, &l),
        -EINVAL);
    ck_assert_int_eq(
        gf_rpc_listen(srv.ev, srv.iop, NULL, NULL, s_accept, NULL, &l),
        -EINVAL);
    ck_assert_int_eq(
        gf_rpc_listen(NULL, srv.iop, "127.0.0.1:0", NULL, s_accept, NULL, &l),
        -EINVAL);
    ck_assert_int_eq(
        gf_rpc_connect(srv.ev, srv.iop, "127.0.0.1:1", NULL, NULL, NULL, &c),
        -EINVAL);
    gf_rpc_conn_opts_init(&o);
    o.max_record = 0;
    ck_assert_int_eq(
        gf_rpc_listen(srv.ev, srv.iop, "127.0.0.1:0", &o, s_accept, NULL, &l),
        -EINVAL);
    /* the port in use */
    char addr[64];

    snprintf(addr, sizeof(addr), "127.0.0.1:%d", srv.port);
    ck_assert_int_eq(
        gf_rpc_listen(srv.ev, srv.iop, addr, NULL, s_accept, NULL, &l),
        -EADDRINUSE);
    /* NULLs everywhere else are errors or no-ops, not crashes */
    ck_assert_int_eq(gf_rpc_conn_submit(NULL, NULL, 0, NULL), -EINVAL);
    ck_assert_int_eq(gf_rpc_conn_start(NULL, &s_cbs, NULL), -EINVAL);
    ck_assert_int_eq(gf_rpc_listener_port(NULL), -EINVAL);
    ck_assert_uint_eq(gf_rpc_conn_queued(NULL), 0);
    ck_assert_str_eq(gf_rpc_conn_peer(NULL), "");
    gf_rpc_conn_pause(NULL);
    gf_rpc_conn_resume(NULL);
    gf_rpc_conn_close(NULL);
    gf_rpc_conn_unref(NULL);
    gf_rpc_listener_close(NULL);
    gf_rpc_conn_opts_init(NULL);
    server_down();
}
END_TEST

START_TEST(submit_arguments)
{
    struct client c;
    char addr[64];
    struct iovec iov[65];
    unsigned char b = 'x';

    server_up(NULL, NULL);
    snprintf(addr, sizeof(addr), "127.0.0.1:%d", srv.port);
    client_open(&c, addr);
    ck_assert(wait_ge(&c.connected, 1));
    for (int i = 0; i < 65; i++)
        iov[i] = (struct iovec){&b, 1};
    ck_assert_int_eq(gf_rpc_conn_submit(c.conn, iov, 65, NULL), -EINVAL);
    ck_assert_int_eq(gf_rpc_conn_submit(c.conn, iov, -1, NULL), -EINVAL);
    ck_assert_int_eq(gf_rpc_conn_submit(c.conn, NULL, 1, NULL), -EINVAL);
    iov[0].iov_len = (size_t)1 << 31;
    ck_assert_int_eq(gf_rpc_conn_submit(c.conn, iov, 1, NULL), -EMSGSIZE);
    iov[0].iov_len = 1;
    /* 64 one-byte iovecs: one 64-byte record */
    ck_assert_int_eq(gf_rpc_conn_submit(c.conn, iov, 64, NULL), 0);
    ck_assert(wait_ge(&c.msgs, 1));
    ck_assert_uint_eq(c.last_len, 64);
    client_close(&c);
    server_down();
}
END_TEST

/* ---- partial writes ---------------------------------------------------- */

START_TEST(partial_write_path)
{
    enum { REC = 64 * 1024 };
    gf_rpc_conn_opts_t o;
    struct client c;
    struct sockaddr_in a = {.sin_family = AF_INET};
    socklen_t alen = sizeof(a);
    int lfd, pfd, small = 4096, sent = 0, r;
    char addr[64];
    unsigned char *rec = malloc(REC), *got = malloc(REC);
    gf_iobuf_t *iob;
    gf_iobref_t *ref;

    server_up(NULL, NULL);
    /* A raw peer that does not read, with a small receive buffer. */
    lfd = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
    setsockopt(lfd, SOL_SOCKET, SO_RCVBUF, &small, sizeof(small));
    a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    ck_assert_int_eq(bind(lfd, (struct sockaddr *)&a, sizeof(a)), 0);
    ck_assert_int_eq(listen(lfd, 4), 0);
    getsockname(lfd, (struct sockaddr *)&a, &alen);
    snprintf(addr, sizeof(addr), "127.0.0.1:%d", ntohs(a.sin_port));
    memset(&c, 0, sizeof(c));
    pthread_mutex_init(&c.lock, NULL);
    gf_rpc_conn_opts_init(&o);
    o.max_queued = 1024 * 1024;
    ck_assert_int_eq(
        gf_rpc_connect(srv.ev, srv.iop, addr, &o, &c_cbs, &c, &c.conn), 0);
    pfd = accept(lfd, NULL, NULL);
    ck_assert_int_ge(pfd, 0);
    ck_assert(wait_ge(&c.connected, 1));
    /* Records live in iobufs whose only other reference is the queue's. */
    for (;;) {
        iob = gf_iobuf_get(srv.iop, REC);
        ref = gf_iobref_new();
        gf_iobref_add(ref, iob);
        fill(gf_iobuf_ptr(iob), REC, (unsigned)sent);
        struct iovec iov = {gf_iobuf_ptr(iob), REC};

        r = gf_rpc_conn_submit(c.conn, &iov, 1, ref);
        gf_iobref_unref(ref);
        gf_iobuf_unref(iob);
        if (r == -EAGAIN)
            break;
        ck_assert_int_eq(r, 0);
        sent++;
        ck_assert_int_lt(sent, 10000);
    }
    ck_assert_int_gt(sent, 4);
    ck_assert_uint_gt(gf_rpc_conn_queued(c.conn), 0);
    ck_assert_uint_le(gf_rpc_conn_queued(c.conn), o.max_queued);
    /* Now read: everything arrives, whole and in order. */
    struct timeval tv = {20, 0};

    setsockopt(pfd, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof(tv));
    for (int i = 0; i < sent; i++) {
        unsigned char h[4];
        uint32_t v;

        ck_assert(read_all(pfd, h, 4));
        memcpy(&v, h, 4);
        ck_assert_uint_eq(ntohl(v), 0x80000000u | REC);
        ck_assert(read_all(pfd, got, REC));
        fill(rec, REC, (unsigned)i);
        ck_assert_msg(memcmp(got, rec, REC) == 0, "record %d differs", i);
    }
    for (int i = 0; i < 2000 && gf_rpc_conn_queued(c.conn); i++)
        msleep(1);
    ck_assert_uint_eq(gf_rpc_conn_queued(c.conn), 0);
    client_close(&c);
    close(pfd);
    close(lfd);
    free(rec);
    free(got);
    server_down();
}
END_TEST

/* A small record submitted without an iobref is copied at submit: the
 * caller may reuse its (stack) buffer at once, even while the record
 * waits in the queue behind a big one the peer has not read yet. */
START_TEST(small_records_are_copied)
{
    enum { REC = 16 * 1024 * 1024 }; /* more than socket buffers hold */
    gf_rpc_conn_opts_t o;
    struct client c;
    struct sockaddr_in a = {.sin_family = AF_INET};
    socklen_t alen = sizeof(a);
    int lfd, pfd, small = 4096;
    char addr[64], msg[GF_RPC_SMALL_RECORD];
    unsigned char *big = malloc(REC), *got = malloc(REC);
    struct iovec iov;
    gf_iobuf_t *iob;
    gf_iobref_t *ref;
    unsigned char h[4];
    uint32_t v;

    server_up(NULL, NULL);
    lfd = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
    setsockopt(lfd, SOL_SOCKET, SO_RCVBUF, &small, sizeof(small));
    a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    ck_assert_int_eq(bind(lfd, (struct sockaddr *)&a, sizeof(a)), 0);
    ck_assert_int_eq(listen(lfd, 4), 0);
    getsockname(lfd, (struct sockaddr *)&a, &alen);
    snprintf(addr, sizeof(addr), "127.0.0.1:%d", ntohs(a.sin_port));
    memset(&c, 0, sizeof(c));
    pthread_mutex_init(&c.lock, NULL);
    gf_rpc_conn_opts_init(&o);
    ck_assert_int_eq(
        gf_rpc_connect(srv.ev, srv.iop, addr, &o, &c_cbs, &c, &c.conn), 0);
    pfd = accept(lfd, NULL, NULL);
    ck_assert_int_ge(pfd, 0);
    ck_assert(wait_ge(&c.connected, 1));

    /* A big record the peer does not read yet: the queue stays busy. */
    iob = gf_iobuf_get(srv.iop, REC);
    ref = gf_iobref_new();
    gf_iobref_add(ref, iob);
    fill(gf_iobuf_ptr(iob), REC, 7);
    iov.iov_base = gf_iobuf_ptr(iob);
    iov.iov_len = REC;
    ck_assert_int_eq(gf_rpc_conn_submit(c.conn, &iov, 1, ref), 0);
    gf_iobref_unref(ref);
    gf_iobuf_unref(iob);
    ck_assert_uint_gt(gf_rpc_conn_queued(c.conn), 0);

    memset(msg, 'A', sizeof(msg));
    iov.iov_base = msg;
    iov.iov_len = sizeof(msg);
    ck_assert_int_eq(gf_rpc_conn_submit(c.conn, &iov, 1, NULL), 0);
    memset(msg, 'Z', sizeof(msg)); /* the caller reuses its buffer */

    struct timeval tv = {20, 0};

    setsockopt(pfd, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof(tv));
    ck_assert(read_all(pfd, h, 4));
    ck_assert(read_all(pfd, got, REC));
    fill(big, REC, 7);
    ck_assert(memcmp(got, big, REC) == 0);
    ck_assert(read_all(pfd, h, 4));
    memcpy(&v, h, 4);
    ck_assert_uint_eq(ntohl(v), 0x80000000u | GF_RPC_SMALL_RECORD);
    ck_assert(read_all(pfd, got, GF_RPC_SMALL_RECORD));
    for (unsigned i = 0; i < GF_RPC_SMALL_RECORD; i++)
        ck_assert_int_eq(got[i], 'A');
    client_close(&c);
    close(pfd);
    close(lfd);
    free(big);
    free(got);
    server_down();
}
END_TEST

/* ---- pause / resume ---------------------------------------------------- */

START_TEST(pause_resume)
{
    unsigned char p[100];

    server_up(NULL, NULL);
    int fd = raw_connect(srv.port);

    fill(p, sizeof(p), 1);
    send_record(fd, p, sizeof(p));
    expect_record(fd, p, sizeof(p));
    struct sconn *sc = server_conn(0);

    gf_rpc_conn_pause(sc->conn);
    gf_rpc_conn_pause(sc->conn);
    msleep(20);
    for (int i = 0; i < 10; i++)
        send_record(fd, p, sizeof(p));
    msleep(200);
    ck_assert_int_eq(atomic_load(&sc->msgs), 1);
    gf_rpc_conn_resume(sc->conn); /* still paused once */
    msleep(200);
    ck_assert_int_eq(atomic_load(&sc->msgs), 1);
    gf_rpc_conn_resume(sc->conn);
    ck_assert(wait_ge(&sc->msgs, 11));
    for (int i = 0; i < 10; i++)
        expect_record(fd, p, sizeof(p));
    /* resumed for good: traffic flows as before */
    send_record(fd, p, sizeof(p));
    expect_record(fd, p, sizeof(p));
    close(fd);
    server_down();
}
END_TEST

/* Pause from inside the message callback (back-pressure as rpcsvc does
 * it): nothing more is delivered from the same batch until resume. */
static atomic_int pause_seen;

static void
p_message(gf_rpc_conn_t *conn, void *data, void *base, size_t len,
          gf_iobuf_t *iobuf)
{
    (void)data;
    (void)base;
    (void)len;
    (void)iobuf;
    atomic_fetch_add(&pause_seen, 1);
    gf_rpc_conn_pause(conn);
}

START_TEST(pause_in_callback)
{
    enum { N = 50 };
    unsigned char buf[N * 8];
    struct client c;
    char addr[64];

    atomic_store(&pause_seen, 0);
    server_up(NULL, NULL);
    snprintf(addr, sizeof(addr), "127.0.0.1:%d", srv.port);
    memset(&c, 0, sizeof(c));
    pthread_mutex_init(&c.lock, NULL);
    gf_rpc_conn_cbs_t cbs = c_cbs;

    cbs.message = p_message;
    ck_assert_int_eq(
        gf_rpc_connect(srv.ev, srv.iop, addr, NULL, &cbs, &c, &c.conn), 0);
    ck_assert(wait_ge(&c.connected, 1));
    /* The server echoes N records at once; the client sees them one per
     * resume. */
    memset(buf, 'p', sizeof(buf));
    for (int i = 0; i < N; i++) {
        struct iovec iov = {buf + i * 8, 4};

        ck_assert_int_eq(gf_rpc_conn_submit(c.conn, &iov, 1, NULL), 0);
    }
    ck_assert(wait_ge(&srv.msgs, N));
    for (int i = 1; i <= N; i++) {
        ck_assert(wait_ge(&pause_seen, i));
        msleep(i < 3 ? 50 : 0);
        ck_assert_int_eq(atomic_load(&pause_seen), i);
        gf_rpc_conn_resume(c.conn);
    }
    client_close(&c);
    server_down();
}
END_TEST

/* ---- close from another thread, many connections ----------------------- */

struct blaster {
    int fd;
    atomic_bool stop;
};

static void *
blast(void *arg)
{
    struct blaster *b = arg;
    unsigned char buf[4 + 200];

    put_hdr(buf, 200, true);
    fill(buf + 4, 200, 9);
    while (!atomic_load(&b->stop)) {
        if (write(b->fd, buf, sizeof(buf)) < 0)
            break;
    }
    return NULL;
}

static void *
drain(void *arg)
{
    struct blaster *b = arg;
    char buf[65536];

    while (read(b->fd, buf, sizeof(buf)) > 0)
        ;
    return NULL;
}

START_TEST(close_during_traffic)
{
    for (int round = 0; round < 5; round++) {
        struct blaster b = {.fd = -1};
        pthread_t tw, tr;

        server_up(NULL, NULL);
        b.fd = raw_connect(srv.port);
        ck_assert_int_eq(pthread_create(&tw, NULL, blast, &b), 0);
        ck_assert_int_eq(pthread_create(&tr, NULL, drain, &b), 0);
        struct sconn *sc = server_conn(0);

        ck_assert(wait_ge(&sc->msgs, 100 * (round + 1)));
        gf_rpc_conn_close(sc->conn); /* from this thread */
        gf_rpc_conn_close(sc->conn); /* idempotent */
        ck_assert(wait_ge(&sc->disc, 1));
        ck_assert_int_eq(sc->error, 0);
        atomic_store(&b.stop, true);
        shutdown(b.fd, SHUT_RDWR);
        pthread_join(tw, NULL);
        pthread_join(tr, NULL);
        close(b.fd);
        msleep(10);
        ck_assert_int_eq(atomic_load(&sc->disc), 1);
        ck_assert_int_eq(atomic_load(&sc->late), 0);
        server_down();
    }
}
END_TEST

static uint64_t
other_live(void)
{
    gf_mem_type_stats_t s;

    gf_mem_acct_stats(NULL, GF_MT_OTHER, &s);
    return s.num_allocs;
}

START_TEST(many_connections)
{
    int n = slow() ? 50 : 200;
    int *fds = malloc(sizeof(int) * (size_t)n);
    uint64_t before;

    server_up(NULL, NULL);
    before = other_live();
    for (int i = 0; i < n; i++) {
        fds[i] = raw_connect(srv.port);
        if (i % 2 == 0)
            send_record(fds[i], "ping", 4);
    }
    for (int i = 0; i < n; i += 2)
        expect_record(fds[i], (const unsigned char *)"ping", 4);
    ck_assert(wait_ge(&srv.alive, n));
    ck_assert_uint_ge(other_live(), before + (uint64_t)n);
    for (int i = 0; i < n; i++)
        close(fds[i]);
    ck_assert(wait_ge(&srv.disconnects, n));
    ck_assert_int_eq(atomic_load(&srv.alive), 0);
    for (int i = 0; i < n; i++) {
        ck_assert_int_eq(atomic_load(&srv.conns[i]->disc), 1);
        gf_rpc_conn_unref(srv.conns[i]->conn);
        srv.conns[i]->conn = NULL;
    }
    /* every connection object is gone: only the test's refs held them */
    ck_assert_uint_eq(other_live(), before);
    for (int i = 0; i < n; i++)
        free(srv.conns[i]);
    srv.nconns = 0;
    free(fds);
    server_down();
}
END_TEST

/* ---- measurement (GF_TRANSPORT_BENCH=1) -------------------------------- */

static double
now_s(void)
{
    struct timespec ts;

    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

/* Counting client: each echo triggers the next submit (WINDOW in flight). */
struct bclient {
    gf_rpc_conn_t *conn;
    atomic_int connected;
    atomic_long done;
    atomic_bool stop;
    atomic_int disc;
    size_t len;
    unsigned char *payload;
};

static void
b_message(gf_rpc_conn_t *conn, void *data, void *base, size_t len,
          gf_iobuf_t *iobuf)
{
    struct bclient *b = data;
    struct iovec iov = {b->payload, b->len};

    (void)base;
    (void)iobuf;
    cb_check(len == b->len);
    atomic_fetch_add_explicit(&b->done, 1, memory_order_relaxed);
    if (!atomic_load_explicit(&b->stop, memory_order_relaxed))
        gf_rpc_conn_submit(conn, &iov, 1, NULL);
}

static void
b_connected(gf_rpc_conn_t *conn, void *data)
{
    (void)conn;
    atomic_fetch_add(&((struct bclient *)data)->connected, 1);
}

static void
b_disconnected(gf_rpc_conn_t *conn, void *data, int error)
{
    (void)conn;
    (void)error;
    atomic_fetch_add(&((struct bclient *)data)->disc, 1);
}

static double
bench_run(int nconn, int window, size_t len, double secs)
{
    static const gf_rpc_conn_cbs_t cbs = {b_message, b_connected,
                                          b_disconnected};
    struct bclient *b = calloc((size_t)nconn, sizeof(*b));
    gf_event_pool_t *cev = gf_event_pool_new(2);
    unsigned char *payload = calloc(1, len);
    char addr[64];
    long total = 0;
    double t0, t1;

    gf_event_pool_start(cev);
    snprintf(addr, sizeof(addr), "127.0.0.1:%d", srv.port);
    for (int i = 0; i < nconn; i++) {
        b[i].len = len;
        b[i].payload = payload;
        ck_assert_int_eq(
            gf_rpc_connect(cev, srv.iop, addr, NULL, &cbs, &b[i], &b[i].conn),
            0);
        ck_assert(wait_ge(&b[i].connected, 1));
    }
    t0 = now_s();
    for (int i = 0; i < nconn; i++)
        for (int w = 0; w < window; w++) {
            struct iovec iov = {payload, len};

            gf_rpc_conn_submit(b[i].conn, &iov, 1, NULL);
        }
    msleep((int)(secs * 1000));
    for (int i = 0; i < nconn; i++)
        total += atomic_load(&b[i].done);
    t1 = now_s();
    for (int i = 0; i < nconn; i++) {
        atomic_store(&b[i].stop, true);
        gf_rpc_conn_close(b[i].conn);
        ck_assert(wait_ge(&b[i].disc, 1));
        gf_rpc_conn_unref(b[i].conn);
    }
    gf_event_pool_free(cev);
    free(payload);
    free(b);
    return (double)total / (t1 - t0);
}

START_TEST(bench)
{
    double rps, mbs;

    server_up(NULL, NULL);
    rps = bench_run(8, 16, 64, 3.0);
    mbs = bench_run(1, 4, 128 * 1024, 3.0) * 128.0 * 1024.0 / 1e6;
    printf("# echo 64 B, 8 conns x 16 outstanding: %.0f round-trips/s\n", rps);
    printf("# echo 128 KiB, 1 conn x 4 outstanding: %.0f MB/s each way\n", mbs);
    rps = bench_run(1, 1, 64, 2.0);
    printf("# echo 64 B, 1 conn x 1 outstanding: %.0f round-trips/s\n", rps);
    server_down();
}
END_TEST

int
main(void)
{
    Suite *s = suite_create("transport");
    TCase *tc = tcase_create("core");

    signal(SIGPIPE, SIG_IGN);
    tcase_set_timeout(tc, slow() ? 300 : 60);
    tcase_add_test(tc, echo_raw_sizes);
    tcase_add_test(tc, split_anywhere);
    tcase_add_test(tc, multi_fragment);
    tcase_add_test(tc, pipelined_1000);
    tcase_add_test(tc, kept_records_survive);
    tcase_add_test(tc, huge_header_disconnects);
    tcase_add_test(tc, oversize_by_option);
    tcase_add_test(tc, truncated_then_close);
    tcase_add_test(tc, refused_connection);
    tcase_add_test(tc, echo_connect_ipv4);
    tcase_add_test(tc, echo_connect_ipv6);
    tcase_add_test(tc, echo_connect_unix);
    tcase_add_test(tc, peer_strings);
    tcase_add_test(tc, connect_refused);
    tcase_add_test(tc, bad_addresses);
    tcase_add_test(tc, submit_arguments);
    tcase_add_test(tc, partial_write_path);
    tcase_add_test(tc, small_records_are_copied);
    tcase_add_test(tc, pause_resume);
    tcase_add_test(tc, pause_in_callback);
    tcase_add_test(tc, close_during_traffic);
    tcase_add_test(tc, many_connections);
    if (getenv("GF_TRANSPORT_BENCH"))
        tcase_add_test(tc, bench);
    suite_add_tcase(s, tc);
    return gf_test_run(s);
}
