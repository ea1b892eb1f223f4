/* SPDX-License-Identifier: LGPL-3.0-or-later */
/*
 * rpc-load - an ONC RPC v2 load generator over TCP (or a unix socket) with
 * record marking. Every client thread owns an epoll loop and a share of the
 * connections; each connection keeps --depth calls in flight, one per slot.
 * A slot's xid carries the slot number in its low 16 bits, so a reply is
 * matched without a search and in any order. Calls are sent with writev
 * straight from a per-slot header and one shared payload (nothing is
 * allocated or copied per call); replies are parsed as a byte stream by a
 * small state machine, so partial reads and multi-fragment replies need no
 * reassembly buffer, and echoed payloads are compared in place. Latencies
 * go into a per-thread log-scaled histogram (32 sub-buckets per power of
 * two, about 3 % resolution). One line of results goes to stdout; the exit
 * status is non-zero if any call failed or the protocol was violated.
 */
#include <fcntl.h>
#include <getopt.h>
#include <limits.h>
#include <netdb.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <pthread.h>
#include <signal.h>
#include <stdbool.h>
#include <stdio.h>
#include <sys/epoll.h>
#include <sys/socket.h>
#include <sys/time.h>
#include <sys/uio.h>
#include <sys/un.h>
#include <unistd.h>

#include "rpc-wire.h"

enum {
    SLOT_BITS = 16,
    MAX_DEPTH = 1 << SLOT_BITS,
    HDR_MAX = 48,          /* mark + 10 call words + opaque length */
    IOV_BATCH = 256,       /* iovecs per writev */
    RBUF_SIZE = 256 << 10, /* per-thread read buffer */
    SUB_BITS = 5,          /* histogram: 32 sub-buckets per octave */
    HIST_N = (64 - SUB_BITS + 1) << SUB_BITS,
    MAX_EVENTS = 64,
};

/* Reply parser states, in wire order. */
enum rx_state {
    R_HEAD,
    R_VERF,
    R_VBODY,
    R_ACC,
    R_RLEN,
    R_BODY,
    R_PAD,
    R_DONE,
    R_DRAIN
};

struct opts {
    const char *host, *port, *unix_path;
    unsigned conns, depth, threads;
    double seconds;
    uint32_t prog, vers, proc;
    size_t payload, frag;
    bool verify;
};

/* Derived once from the options; read-only while threads run. */
struct shape {
    size_t hdr_len;  /* call header after the mark: 40, or 44 with args */
    size_t body_len; /* hdr_len + payload + padding */
    size_t frag;     /* body bytes per fragment */
    size_t nfrag;
    size_t total;                  /* body_len plus one mark per fragment */
    uint32_t mark_full, mark_last; /* big-endian record marks */
    unsigned char *payload;
};

struct slot {
    uint32_t xid;
    bool busy;
    uint64_t t_send;
    unsigned char hdr[HDR_MAX]; /* first record mark, then the header */
};

struct worker;

struct conn {
    int fd;
    bool dead, want_out;
    struct worker *w;
    struct slot *slots;
    uint16_t gen;
    /* send side: FIFO of slot numbers, q_off bytes of the head sent */
    uint32_t *txq;
    unsigned q_head, q_len;
    size_t q_off;
    /* receive side: record marking, then the reply parser */
    bool in_frag, frag_last;
    unsigned fh_have;
    unsigned char fh[4];
    size_t frag_left;
    enum rx_state st;
    unsigned char hb[12];
    unsigned hb_have;
    size_t need, res_off;
    uint32_t xid;
    bool bad;
    const char *why; /* what was wrong with a failed reply */
};

struct worker {
    pthread_t tid;
    int ep;
    struct conn *conns;
    unsigned nconns, live;
    unsigned char *rbuf;
    uint64_t deadline;
    bool stopping;
    uint64_t calls, errors;
    uint64_t hist[HIST_N];
};

static struct opts opt = {
    .host = "127.0.0.1",
    .conns = 1,
    .depth = 1,
    .threads = 1,
    .seconds = 5,
    .prog = RPCW_PROG_GF_DUMP,
    .vers = 1,
    .proc = 0,
    .verify = true,
};
static struct shape shp;
static const unsigned char zeros[4];
static pthread_barrier_t start_barrier;

static unsigned
hist_index(uint64_t v)
{
    unsigned e;

    if (v < (1u << SUB_BITS))
        return (unsigned)v;
    e = 63 - (unsigned)__builtin_clzll(v);
    return ((e - SUB_BITS + 1) << SUB_BITS) +
           (unsigned)((v >> (e - SUB_BITS)) & ((1u << SUB_BITS) - 1));
}

/* Midpoint of a bucket, in nanoseconds. */
static double
hist_value(unsigned idx)
{
    unsigned e, sub;
    double lo, width;

    if (idx < (1u << SUB_BITS))
        return idx;
    e = (idx >> SUB_BITS) + SUB_BITS - 1;
    sub = idx & ((1u << SUB_BITS) - 1);
    width = (double)(1ull << (e - SUB_BITS));
    lo = (double)((1ull << SUB_BITS) + sub) * width;
    return lo + width / 2;
}

static double
hist_quantile(const uint64_t *h, uint64_t total, double q)
{
    uint64_t rank, seen = 0;

    if (!total)
        return 0;
    rank = (uint64_t)(q * (double)total);
    if (rank < 1)
        rank = 1;
    for (unsigned i = 0; i < HIST_N; i++) {
        seen += h[i];
        if (seen >= rank)
            return hist_value(i);
    }
    return hist_value(HIST_N - 1);
}

/* ---- send side ---- */

/*
 * The contiguous piece of a call's serialized bytes that starts at pos:
 * fragment i is a 4-byte mark followed by body bytes [i*frag, ...). The
 * first mark and the header live together in the slot, so an unfragmented
 * call is at most three pieces: mark+header, payload, padding.
 */
static size_t
call_chunk(const struct slot *s, size_t pos, const unsigned char **p)
{
    size_t i = pos / (shp.frag + 4), in = pos % (shp.frag + 4);
    size_t fbeg = i * shp.frag;
    size_t flen =
        shp.body_len - fbeg < shp.frag ? shp.body_len - fbeg : shp.frag;
    size_t b, end = fbeg + flen;

    if (in < 4 && i == 0) {
        *p = s->hdr + in;
        return 4 + (flen < shp.hdr_len ? flen : shp.hdr_len) - in;
    }
    if (in < 4) {
        *p = (const unsigned char *)(i + 1 == shp.nfrag ? &shp.mark_last
                                                        : &shp.mark_full) +
             in;
        return 4 - in;
    }
    b = fbeg + in - 4;
    if (b < shp.hdr_len) {
        *p = s->hdr + 4 + b;
        return (end < shp.hdr_len ? end : shp.hdr_len) - b;
    }
    if (b < shp.hdr_len + opt.payload) {
        size_t pe = shp.hdr_len + opt.payload;

        *p = shp.payload + (b - shp.hdr_len);
        return (end < pe ? end : pe) - b;
    }
    *p = zeros + (b - shp.hdr_len - opt.payload);
    return end - b;
}

/* Put a slot's next call at the tail of the send queue. */
static void
issue(struct conn *c, unsigned idx, uint64_t now)
{
    struct slot *s = &c->slots[idx];

    s->xid = ((uint32_t)++c->gen << SLOT_BITS) | idx;
    rpcw_put32(s->hdr + 4, s->xid);
    s->busy = true;
    s->t_send = now;
    c->txq[(c->q_head + c->q_len) % opt.depth] = idx;
    c->q_len++;
}

static int
set_events(struct conn *c, bool out)
{
    struct epoll_event ev = {.events = EPOLLIN | (out ? EPOLLOUT : 0),
                             .data.ptr = c};

    if (c->want_out == out)
        return 0;
    c->want_out = out;
    return epoll_ctl(c->w->ep, EPOLL_CTL_MOD, c->fd, &ev);
}

/* Gather queued calls into iovecs; returns the iovec count. */
static int
gather(const struct conn *c, struct iovec *iov)
{
    int n = 0;

    for (unsigned k = 0; k < c->q_len && n < IOV_BATCH; k++) {
        const struct slot *s = &c->slots[c->txq[(c->q_head + k) % opt.depth]];
        size_t pos = k == 0 ? c->q_off : 0;

        while (pos < shp.total && n < IOV_BATCH) {
            const unsigned char *p;
            size_t len = call_chunk(s, pos, &p);

            iov[n].iov_base = (void *)p;
            iov[n++].iov_len = len;
            pos += len;
        }
    }
    return n;
}

/* Write as much of the queue as the socket takes: 0, or -errno. */
static int
flush(struct conn *c)
{
    struct iovec iov[IOV_BATCH];

    while (c->q_len) {
        ssize_t w = writev(c->fd, iov, gather(c, iov));

        if (w < 0 && errno == EINTR)
            continue;
        if (w < 0 && errno == EAGAIN)
            return set_events(c, true) ? -errno : 0;
        if (w < 0)
            return -errno;
        while (w > 0) {
            size_t rem = shp.total - c->q_off;

            if ((size_t)w < rem) {
                c->q_off += (size_t)w;
                break;
            }
            w -= (ssize_t)rem;
            c->q_off = 0;
            c->q_head = (c->q_head + 1) % opt.depth;
            c->q_len--;
        }
    }
    return set_events(c, false) ? -errno : 0;
}

/* ---- receive side ---- */

/* Collect header bytes into hb until it holds want; true when it does. */
static bool
collect(struct conn *c, const unsigned char **p, size_t *n, unsigned want)
{
    size_t take = want - c->hb_have;

    if (take > *n)
        take = *n;
    memcpy(c->hb + c->hb_have, *p, take);
    c->hb_have += (unsigned)take;
    *p += take;
    *n -= take;
    if (c->hb_have < want)
        return false;
    c->hb_have = 0;
    return true;
}

/* Skip (and for the echo body, compare) up to c->need bytes. */
static void
skip(struct conn *c, const unsigned char **p, size_t *n, bool compare)
{
    size_t take = c->need < *n ? c->need : *n;

    if (compare && opt.verify &&
        memcmp(*p, shp.payload + c->res_off, take) != 0) {
        c->bad = true;
        c->why = "echoed bytes differ";
    }
    c->res_off += take;
    c->need -= take;
    *p += take;
    *n -= take;
}

/* After the accept_stat word: what the results should look like. */
static enum rx_state
after_accept(struct conn *c)
{
    if (rpcw_get32(c->hb) != RPCW_SUCCESS) {
        c->bad = true;
        c->why = "accept_stat is not SUCCESS";
        return R_DRAIN;
    }
    /* Without --payload any results are accepted and skipped. */
    return opt.payload ? R_RLEN : R_DRAIN;
}

/* The echo results: opaque length, bytes (compared), padding. */
static void
rx_echo(struct conn *c, const unsigned char **p, size_t *n)
{
    switch (c->st) {
    case R_RLEN:
        if (!collect(c, p, n, 4))
            return;
        if (rpcw_get32(c->hb) != opt.payload) {
            c->bad = true;
            c->why = "echo length differs";
            c->st = R_DRAIN;
            return;
        }
        c->need = opt.payload;
        c->res_off = 0;
        c->st = R_BODY;
        return;
    case R_BODY:
        skip(c, p, n, true);
        if (!c->need) {
            c->need = rpcw_pad(opt.payload);
            c->st = c->need ? R_PAD : R_DONE;
        }
        return;
    default: /* R_PAD */
        skip(c, p, n, false);
        if (!c->need)
            c->st = R_DONE;
        return;
    }
}

/* One step of the reply parser over record bytes; -EPROTO on garbage. */
static int
rx_step(struct conn *c, const unsigned char **p, size_t *n)
{
    switch (c->st) {
    case R_HEAD: /* xid, msg_type, reply_stat */
        if (!collect(c, p, n, 12))
            return 0;
        if (rpcw_get32(c->hb + 4) != RPCW_REPLY)
            return -EPROTO;
        c->xid = rpcw_get32(c->hb);
        c->bad = rpcw_get32(c->hb + 8) != RPCW_MSG_ACCEPTED;
        c->why = "MSG_DENIED";
        c->st = c->bad ? R_DRAIN : R_VERF;
        return 0;
    case R_VERF: /* verifier flavor and length */
        if (!collect(c, p, n, 8))
            return 0;
        c->need = rpcw_get32(c->hb + 4);
        if (c->need > RPCW_MAX_AUTH)
            return -EPROTO;
        c->need += rpcw_pad(c->need);
        c->st = R_VBODY;
        return 0;
    case R_VBODY:
        skip(c, p, n, false);
        if (!c->need)
            c->st = R_ACC;
        return 0;
    case R_ACC:
        if (collect(c, p, n, 4))
            c->st = after_accept(c);
        return 0;
    case R_DONE: /* bytes past the expected results */
        c->bad = true;
        c->why = "reply longer than expected";
        c->st = R_DRAIN;
        return 0;
    case R_DRAIN:
        *p += *n;
        *n = 0;
        return 0;
    default:
        rx_echo(c, p, n);
        return 0;
    }
}

/* The last fragment ended: settle the call and reissue its slot. */
static int
rx_record_end(struct conn *c, uint64_t now)
{
    struct worker *w = c->w;
    unsigned idx = c->xid & (MAX_DEPTH - 1);
    struct slot *s;

    if (c->st == R_HEAD || idx >= opt.depth)
        return -EPROTO;
    s = &c->slots[idx];
    if (!s->busy || s->xid != c->xid)
        return -EPROTO; /* a reply to no call in flight */
    if (c->st != R_DONE && c->st != R_DRAIN) {
        c->bad = true;
        c->why = "reply shorter than expected";
    }
    s->busy = false;
    if (now < w->deadline) {
        if (c->bad) {
            if (!w->errors++)
                fprintf(stderr, "rpc-load: failed call: %s\n", c->why);
        } else {
            w->calls++;
            w->hist[hist_index(now - s->t_send)]++;
        }
        if (!w->stopping)
            issue(c, idx, now);
    }
    c->st = R_HEAD;
    c->hb_have = 0;
    c->bad = false;
    return 0;
}

/* Feed stream bytes through record marking into the parser. */
static int
rx_feed(struct conn *c, const unsigned char *p, size_t n, uint64_t now)
{
    while (n > 0) {
        if (!c->in_frag) {
            size_t take = 4 - c->fh_have < n ? 4 - c->fh_have : n;
            uint32_t m;

            memcpy(c->fh + c->fh_have, p, take);
            c->fh_have += (unsigned)take;
            p += take;
            n -= take;
            if (c->fh_have < 4)
                return 0;
            c->fh_have = 0;
            m = rpcw_get32(c->fh);
            c->frag_last = m & RPCW_LAST_FRAG;
            c->frag_left = m & RPCW_FRAG_MASK;
            c->in_frag = true;
        }
        while (c->frag_left && n) {
            size_t take = c->frag_left < n ? c->frag_left : n;
            const unsigned char *q = p;
            size_t left = take;
            int rc = 0;

            while (left && rc == 0)
                rc = rx_step(c, &q, &left);
            if (rc)
                return rc;
            p += take;
            n -= take;
            c->frag_left -= take;
        }
        if (c->frag_left)
            return 0;
        c->in_frag = false;
        if (c->frag_last) {
            int rc = rx_record_end(c, now);

            if (rc)
                return rc;
        }
    }
    return 0;
}

/* ---- connections and threads ---- */

static void
conn_fail(struct conn *c, int err)
{
    struct worker *w = c->w;

    if (c->dead)
        return;
    if (rpcw_now_ns() < w->deadline) {
        fprintf(stderr, "rpc-load: connection (fd %d): %s\n", c->fd,
                err == -EPROTO ? "protocol error in a reply" : strerror(-err));
        w->errors++;
    }
    c->dead = true;
    w->live--;
    epoll_ctl(w->ep, EPOLL_CTL_DEL, c->fd, NULL);
}

/* Read until the socket is drained, feeding the parser; then send. */
static int
conn_read(struct conn *c)
{
    struct worker *w = c->w;

    for (;;) {
        ssize_t r = read(c->fd, w->rbuf, RBUF_SIZE);
        int rc;

        if (r < 0 && errno == EINTR)
            continue;
        if (r < 0 && errno == EAGAIN)
            break;
        if (r < 0)
            return -errno;
        if (r == 0)
            return -ECONNRESET;
        rc = rx_feed(c, w->rbuf, (size_t)r, rpcw_now_ns());
        if (rc)
            return rc;
        if ((size_t)r < RBUF_SIZE)
            break; /* a short read drained it; skip the EAGAIN call */
    }
    return flush(c);
}

static void
conn_event(struct conn *c, uint32_t events)
{
    int rc = 0;

    if (c->dead)
        return;
    if (events & (EPOLLIN | EPOLLERR | EPOLLHUP))
        rc = conn_read(c);
    if (!rc && (events & EPOLLOUT))
        rc = flush(c);
    if (rc)
        conn_fail(c, rc);
}

static void *
worker_main(void *arg)
{
    struct worker *w = arg;
    struct epoll_event ev[MAX_EVENTS];
    uint64_t now;

    pthread_barrier_wait(&start_barrier);
    now = rpcw_now_ns();
    w->deadline = now + (uint64_t)(opt.seconds * 1e9);
    for (unsigned i = 0; i < w->nconns; i++) {
        struct conn *c = &w->conns[i];
        int rc;

        for (unsigned k = 0; k < opt.depth; k++)
            issue(c, k, now);
        rc = flush(c);
        if (rc)
            conn_fail(c, rc);
    }
    while (w->live && (now = rpcw_now_ns()) < w->deadline) {
        int ms = (int)((w->deadline - now + 999999) / 1000000);
        int n = epoll_wait(w->ep, ev, MAX_EVENTS, ms);

        if (n < 0 && errno != EINTR) {
            perror("rpc-load: epoll_wait");
            w->errors++;
            break;
        }
        for (int i = 0; i < n; i++)
            conn_event(ev[i].data.ptr, ev[i].events);
    }
    w->stopping = true;
    return NULL;
}

/* A blocking connect, bounded to 5 s so a stuck server cannot hang us. */
static int
dial(const struct addrinfo *ai)
{
    struct sockaddr_un sun = {.sun_family = AF_UNIX};
    struct timeval tv = {.tv_sec = 5};
    const struct sockaddr *sa = (struct sockaddr *)&sun;
    socklen_t salen = sizeof(sun);
    int fd, one = 1, err;

    if (opt.unix_path) {
        snprintf(sun.sun_path, sizeof(sun.sun_path), "%s", opt.unix_path);
    } else {
        sa = ai->ai_addr;
        salen = ai->ai_addrlen;
    }
    fd = socket(sa->sa_family, SOCK_STREAM | SOCK_CLOEXEC, 0);
    if (fd < 0)
        return -1;
    setsockopt(fd, SOL_SOCKET, SO_SNDTIMEO, &tv, sizeof(tv));
    if (connect(fd, sa, salen)) {
        err = errno;
        close(fd);
        errno = err;
        return -1;
    }
    if (!opt.unix_path)
        setsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof(one));
    return fd;
}

static int
conn_init(struct conn *c, struct worker *w, const struct addrinfo *ai)
{
    struct epoll_event ev = {.events = EPOLLIN, .data.ptr = c};
    int fl;

    c->w = w;
    c->slots = calloc(opt.depth, sizeof(*c->slots));
    c->txq = calloc(opt.depth, sizeof(*c->txq));
    if (!c->slots || !c->txq)
        return -ENOMEM;
    for (unsigned k = 0; k < opt.depth; k++) {
        unsigned char *h = c->slots[k].hdr;
        uint32_t words[] = {0,
                            RPCW_CALL,
                            RPCW_VERS,
                            opt.prog,
                            opt.vers,
                            opt.proc,
                            0,
                            0,
                            0,
                            0,
                            (uint32_t)opt.payload};

        memcpy(h, shp.nfrag == 1 ? &shp.mark_last : &shp.mark_full, 4);
        for (unsigned i = 0; i < sizeof(words) / sizeof(words[0]); i++)
            rpcw_put32(h + 4 + 4 * i, words[i]);
    }
    c->fd = dial(ai);
    if (c->fd < 0)
        return -errno;
    fl = fcntl(c->fd, F_GETFL);
    if (fl < 0 || fcntl(c->fd, F_SETFL, fl | O_NONBLOCK) < 0 ||
        epoll_ctl(w->ep, EPOLL_CTL_ADD, c->fd, &ev) < 0)
        return -errno;
    w->live++;
    return 0;
}

/* ---- set-up and results ---- */

static int
shape_init(void)
{
    uint64_t x = 0x9e3779b97f4a7c15ull;
    size_t last;

    shp.hdr_len = opt.payload ? 44 : 40;
    shp.body_len = shp.hdr_len + opt.payload + rpcw_pad(opt.payload);
    shp.frag = opt.frag && opt.frag < shp.body_len ? opt.frag : shp.body_len;
    shp.nfrag = (shp.body_len + shp.frag - 1) / shp.frag;
    shp.total = shp.body_len + 4 * shp.nfrag;
    last = shp.body_len - (shp.nfrag - 1) * shp.frag;
    rpcw_put32(&shp.mark_full, (uint32_t)shp.frag);
    rpcw_put32(&shp.mark_last, RPCW_LAST_FRAG | (uint32_t)last);
    shp.payload = malloc(opt.payload ? opt.payload : 1);
    if (!shp.payload)
        return -ENOMEM;
    /* A pattern without short periods, so a misplaced echo is caught. */
    for (size_t i = 0; i < opt.payload; i++) {
        x ^= x << 13;
        x ^= x >> 7;
        x ^= x << 17;
        shp.payload[i] = (unsigned char)x;
    }
    return 0;
}

static void
usage(FILE *f)
{
    fprintf(
        f,
        "usage: rpc-load [--host H] [--port N | --unix PATH] [--conns N]\n"
        "         [--depth D] [--seconds S] [--threads T] [--prog P]\n"
        "         [--vers V] [--proc X] [--payload BYTES] [--frag BYTES]\n"
        "         [--no-verify]\n"
        "Keeps D ONC RPC calls in flight on each of N connections for S\n"
        "seconds (default: NULL, procedure 0, of program %u v1). With\n"
        "--payload, each call carries an opaque<> of that size (default\n"
        "procedure 1) and the reply must echo it. --frag splits every call\n"
        "into record fragments of at most BYTES. Prints\n"
        "calls_per_s= mb_per_s= p50_us= p99_us= p999_us= errors=\n",
        (unsigned)RPCW_PROG_GF_DUMP);
}

static int
parse_num(const char *name, const char *s, uint64_t min, uint64_t max,
          uint64_t *out)
{
    if (rpcw_parse_u64(s, min, max, out) == 0)
        return 0;
    fprintf(stderr, "rpc-load: bad --%s '%s' (range %llu..%llu)\n", name, s,
            (unsigned long long)min, (unsigned long long)max);
    return -EINVAL;
}

static int
parse_opt(int c, const char *a, bool *proc_set)
{
    uint64_t v = 0;
    int rc = 0;
    char *end;

    switch (c) {
    case 'h':
        opt.host = a;
        return 0;
    case 'p':
        opt.port = a;
        return 0;
    case 'u':
        opt.unix_path = a;
        return 0;
    case 'V':
        opt.verify = false;
        return 0;
    case 's':
        opt.seconds = strtod(a, &end);
        return *end || !(opt.seconds > 0 && opt.seconds <= 86400) ? -EINVAL : 0;
    case 'c':
        rc = parse_num("conns", a, 1, 4096, &v);
        opt.conns = v;
        break;
    case 'd':
        rc = parse_num("depth", a, 1, MAX_DEPTH, &v);
        opt.depth = v;
        break;
    case 't':
        rc = parse_num("threads", a, 1, 256, &v);
        opt.threads = v;
        break;
    case 'P':
        rc = parse_num("prog", a, 0, UINT32_MAX, &v);
        opt.prog = v;
        break;
    case 'v':
        rc = parse_num("vers", a, 0, UINT32_MAX, &v);
        opt.vers = v;
        break;
    case 'x':
        rc = parse_num("proc", a, 0, UINT32_MAX, &v);
        opt.proc = v;
        *proc_set = true;
        break;
    case 'l':
        rc = parse_num("payload", a, 0, RPCW_MAX_RECORD - 64, &v);
        opt.payload = v;
        break;
    case 'f':
        rc = parse_num("frag", a, 1, RPCW_FRAG_MASK, &v);
        opt.frag = v;
        break;
    default:
        return -EINVAL;
    }
    return rc;
}

static int
parse_args(int argc, char **argv)
{
    static const struct option lo[] = {{"host", 1, 0, 'h'},
                                       {"port", 1, 0, 'p'},
                                       {"unix", 1, 0, 'u'},
                                       {"conns", 1, 0, 'c'},
                                       {"depth", 1, 0, 'd'},
                                       {"seconds", 1, 0, 's'},
                                       {"threads", 1, 0, 't'},
                                       {"prog", 1, 0, 'P'},
                                       {"vers", 1, 0, 'v'},
                                       {"proc", 1, 0, 'x'},
                                       {"payload", 1, 0, 'l'},
                                       {"frag", 1, 0, 'f'},
                                       {"no-verify", 0, 0, 'V'},
                                       {"help", 0, 0, 'H'},
                                       {0, 0, 0, 0}};
    bool proc_set = false;
    int c;

    while ((c = getopt_long(argc, argv, "", lo, NULL)) != -1) {
        if (c == 'H') {
            usage(stdout);
            exit(0);
        }
        if (parse_opt(c, optarg, &proc_set)) {
            usage(stderr);
            return -EINVAL;
        }
    }
    if (optind < argc || (!opt.port == !opt.unix_path) ||
        opt.threads > opt.conns) {
        fprintf(stderr, "rpc-load: need exactly one of --port/--unix, and "
                        "--threads <= --conns\n");
        return -EINVAL;
    }
    if (opt.payload && !proc_set)
        opt.proc = RPCW_PROC_ECHO;
    return 0;
}

/* Spread conns over threads and connect them all before the clock runs. */
static int
setup(struct worker *ws)
{
    struct addrinfo hints = {.ai_socktype = SOCK_STREAM}, *ai = NULL;
    unsigned next = 0;
    int rc = 0;

    if (!opt.unix_path) {
        rc = getaddrinfo(opt.host, opt.port, &hints, &ai);
        if (rc) {
            fprintf(stderr, "rpc-load: %s: %s\n", opt.host, gai_strerror(rc));
            return -EINVAL;
        }
    }
    for (unsigned t = 0; t < opt.threads; t++) {
        struct worker *w = &ws[t];

        w->nconns = opt.conns / opt.threads + (t < opt.conns % opt.threads);
        w->conns = calloc(w->nconns, sizeof(*w->conns));
        w->rbuf = malloc(RBUF_SIZE);
        w->ep = epoll_create1(EPOLL_CLOEXEC);
        if (!w->conns || !w->rbuf || w->ep < 0) {
            rc = -ENOMEM;
            break;
        }
        for (unsigned i = 0; i < w->nconns; i++, next++) {
            w->conns[i].fd = -1;
            rc = conn_init(&w->conns[i], w, ai);
            if (rc) {
                fprintf(stderr, "rpc-load: connection %u: %s\n", next,
                        strerror(-rc));
                break;
            }
        }
        if (rc)
            break;
    }
    if (ai)
        freeaddrinfo(ai);
    return rc;
}

static void
teardown(struct worker *ws)
{
    for (unsigned t = 0; t < opt.threads; t++) {
        struct worker *w = &ws[t];

        for (unsigned i = 0; w->conns && i < w->nconns; i++) {
            if (w->conns[i].fd >= 0)
                close(w->conns[i].fd);
            free(w->conns[i].slots);
            free(w->conns[i].txq);
        }
        if (w->ep >= 0)
            close(w->ep);
        free(w->conns);
        free(w->rbuf);
    }
    free(ws);
    free(shp.payload);
}

/* Merge the threads' counters and print the one result line. */
static int
report(struct worker *ws)
{
    static uint64_t hist[HIST_N];
    uint64_t calls = 0, errors = 0;

    for (unsigned t = 0; t < opt.threads; t++) {
        calls += ws[t].calls;
        errors += ws[t].errors;
        for (unsigned i = 0; i < HIST_N; i++)
            hist[i] += ws[t].hist[i];
    }
    printf("calls_per_s=%.1f mb_per_s=%.2f p50_us=%.1f p99_us=%.1f "
           "p999_us=%.1f errors=%llu\n",
           (double)calls / opt.seconds,
           (double)calls * (double)opt.payload / opt.seconds / 1e6,
           hist_quantile(hist, calls, 0.50) / 1e3,
           hist_quantile(hist, calls, 0.99) / 1e3,
           hist_quantile(hist, calls, 0.999) / 1e3, (unsigned long long)errors);
    fflush(stdout);
    if (!calls && !errors)
        fprintf(stderr, "rpc-load: no call completed\n");
    return calls && !errors ? 0 : 1;
}

int
main(int argc, char **argv)
{
    struct worker *ws;
    int rc;

    if (parse_args(argc, argv))
        return 2;
    signal(SIGPIPE, SIG_IGN);
    ws = calloc(opt.threads, sizeof(*ws));
    if (!ws || shape_init()) {
        fprintf(stderr, "rpc-load: out of memory\n");
        return 2;
    }
    for (unsigned t = 0; t < opt.threads; t++)
        ws[t].ep = -1;
    rc = setup(ws);
    if (rc || pthread_barrier_init(&start_barrier, NULL, opt.threads)) {
        teardown(ws);
        return 2;
    }
    for (unsigned t = 0; t < opt.threads; t++) {
        if (pthread_create(&ws[t].tid, NULL, worker_main, &ws[t])) {
            fprintf(stderr, "rpc-load: cannot start thread %u\n", t);
            exit(2); /* the started ones wait on the barrier forever */
        }
    }
    for (unsigned t = 0; t < opt.threads; t++)
        pthread_join(ws[t].tid, NULL);
    pthread_barrier_destroy(&start_barrier);
    rc = report(ws);
    teardown(ws);
    return rc;
}
