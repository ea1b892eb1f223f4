/* SPDX-License-Identifier: LGPL-3.0-or-later */
/*
 * rpc-raw-server - the practical limit for an ONC RPC server on this
 * machine: one thread, one epoll set, nonblocking sockets. It answers NULL
 * (procedure 0) of any program and version with an accepted SUCCESS reply
 * and procedure 1 with an echo of its opaque<> argument; any other
 * procedure gets PROC_UNAVAIL. Each wake-up reads as much as the buffer
 * holds, answers every complete record in it and sends all the replies
 * with one writev, whose iovecs point at small reply headers and, for the
 * echo, straight into the receive buffer (no copy). Only when the socket
 * does not take everything is the rest copied aside; reading then pauses
 * until it is sent, which is the server's back-pressure. Multi-fragment
 * calls are joined in place by sliding later fragments over the marks.
 */
#include <fcntl.h>
#include <getopt.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <signal.h>
#include <stdbool.h>
#include <stdio.h>
#include <arpa/inet.h>
#include <sys/epoll.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/uio.h>
#include <sys/un.h>
#include <unistd.h>

#include "rpc-wire.h"

enum {
    RBUF_MIN = 256 << 10, /* initial receive buffer per connection */
    MAX_REPLIES = 256,    /* reply headers per writev batch */
    MAX_IOV = 3 * MAX_REPLIES,
    MAX_EVENTS = 64,
};

struct reply {
    unsigned char w[32]; /* mark, xid, REPLY, stat words, result length */
};

struct conn {
    struct conn *prev, *next; /* all connections, freed at exit */
    int fd;
    bool paused; /* waiting for EPOLLOUT, not reading */
    unsigned char *rbuf;
    size_t rcap, rstart, rend;
    bool started; /* the first fragment of the record at rstart is known */
    size_t acc;   /* body bytes of that record joined so far */
    size_t need;  /* bytes from rstart the record needs in the buffer */
    unsigned char *tbuf; /* unsent reply bytes, owned */
    size_t tcap, tlen, toff;
    struct reply rep[MAX_REPLIES];
    struct iovec iov[MAX_IOV];
    unsigned nrep, niov;
};

static volatile sig_atomic_t stop;
static const unsigned char zeros[4];
static int ep = -1;
static struct conn *conns;
static size_t frag_size; /* --frag: test mode, 0 = one fragment */

static void
on_signal(int sig)
{
    (void)sig;
    stop = 1;
}

static int
append(struct conn *c, const void *p, size_t len)
{
    if (c->tlen + len > c->tcap) {
        size_t cap = c->tcap ? c->tcap : 64 << 10;
        unsigned char *n;

        while (cap < c->tlen + len)
            cap *= 2;
        n = realloc(c->tbuf, cap);
        if (!n)
            return -ENOMEM;
        c->tbuf = n;
        c->tcap = cap;
    }
    memcpy(c->tbuf + c->tlen, p, len);
    c->tlen += len;
    return 0;
}

/*
 * Send the batch of replies. What the socket does not take is copied to
 * tbuf (the iovecs may point into rbuf, which is about to be reused).
 */
static int
send_batch(struct conn *c)
{
    ssize_t w = 0;
    int rc = 0;

    if (!c->niov)
        return 0;
    if (!c->tlen) {
        do
            w = writev(c->fd, c->iov, (int)c->niov);
        while (w < 0 && errno == EINTR);
        if (w < 0 && errno != EAGAIN)
            return -errno;
        if (w < 0)
            w = 0;
    }
    for (unsigned i = 0; i < c->niov && rc == 0; i++) {
        size_t len = c->iov[i].iov_len;

        if ((size_t)w >= len) {
            w -= (ssize_t)len;
            continue;
        }
        rc = append(c, (char *)c->iov[i].iov_base + w, len - (size_t)w);
        w = 0;
    }
    c->niov = 0;
    c->nrep = 0;
    return rc;
}

/*
 * Test mode (--frag): the reply goes out in record fragments of at most
 * frag_size bytes, copied into tbuf, so clients' reassembly is exercised.
 * Slow on purpose; benchmarks never use it.
 */
static int
queue_fragmented(struct conn *c, const uint32_t *words, unsigned nw,
                 const unsigned char *body, size_t blen)
{
    size_t hl = 4 * (size_t)nw, len = hl + blen + rpcw_pad(blen);
    unsigned char *tmp = calloc(1, len);
    int rc = tmp ? 0 : -ENOMEM;

    for (unsigned i = 0; tmp && i < nw; i++)
        rpcw_put32(tmp + 4 * i, words[i]);
    if (tmp && blen)
        memcpy(tmp + hl, body, blen);
    for (size_t off = 0; rc == 0 && off < len; off += frag_size) {
        size_t n = len - off < frag_size ? len - off : frag_size;
        unsigned char mark[4];

        rpcw_put32(mark, (off + n == len ? RPCW_LAST_FRAG : 0) | (uint32_t)n);
        rc = append(c, mark, 4);
        if (rc == 0)
            rc = append(c, tmp + off, n);
    }
    free(tmp);
    return rc;
}

/* Queue one reply of nw header words plus an optional echoed body. */
static int
queue_reply(struct conn *c, const uint32_t *words, unsigned nw,
            const unsigned char *body, size_t blen)
{
    struct reply *r;
    size_t len = 4 * (size_t)nw + (body ? blen + rpcw_pad(blen) : 0);

    if (frag_size) {
        int rc = send_batch(c); /* keep earlier replies in order */

        return rc ? rc : queue_fragmented(c, words, nw, body, blen);
    }
    if (c->nrep == MAX_REPLIES || c->niov + 3 > MAX_IOV) {
        int rc = send_batch(c);

        if (rc)
            return rc;
    }
    r = &c->rep[c->nrep++];
    rpcw_put32(r->w, RPCW_LAST_FRAG | (uint32_t)len);
    for (unsigned i = 0; i < nw; i++)
        rpcw_put32(r->w + 4 + 4 * i, words[i]);
    c->iov[c->niov++] = (struct iovec){r->w, 4 + 4 * (size_t)nw};
    if (body && blen)
        c->iov[c->niov++] = (struct iovec){(void *)body, blen};
    if (body && rpcw_pad(blen))
        c->iov[c->niov++] = (struct iovec){(void *)zeros, rpcw_pad(blen)};
    return 0;
}

/* Answer one complete call record; -EPROTO closes the connection. */
static int
handle_call(struct conn *c, const unsigned char *p, size_t len)
{
    uint32_t w[8], xid, clen, vlen, alen;
    size_t off;

    if (len < 32 || rpcw_get32(p + 4) != RPCW_CALL)
        return -EPROTO;
    xid = rpcw_get32(p);
    w[0] = xid;
    w[1] = RPCW_REPLY;
    if (rpcw_get32(p + 8) != RPCW_VERS) {
        uint32_t d[] = {
            xid,       RPCW_REPLY, RPCW_MSG_DENIED, RPCW_RPC_MISMATCH,
            RPCW_VERS, RPCW_VERS};

        return queue_reply(c, d, 6, NULL, 0);
    }
    clen = rpcw_get32(p + 28);
    off = 32 + (size_t)clen + rpcw_pad(clen);
    if (clen > RPCW_MAX_AUTH || off + 8 > len) {
        uint32_t d[] = {xid, RPCW_REPLY, RPCW_MSG_DENIED, RPCW_AUTH_ERROR,
                        RPCW_AUTH_BADCRED};

        return queue_reply(c, d, 5, NULL, 0);
    }
    vlen = rpcw_get32(p + off + 4);
    off += 8 + (size_t)vlen + rpcw_pad(vlen);
    w[2] = RPCW_MSG_ACCEPTED;
    w[3] = 0; /* verifier AUTH_NONE, empty */
    w[4] = 0;
    w[5] = RPCW_GARBAGE_ARGS;
    if (vlen > RPCW_MAX_AUTH || off > len)
        return queue_reply(c, w, 6, NULL, 0);
    switch (rpcw_get32(p + 20)) {
    case RPCW_PROC_NULL:
        w[5] = RPCW_SUCCESS;
        return queue_reply(c, w, 6, NULL, 0);
    case RPCW_PROC_ECHO:
        if (off + 4 > len)
            return queue_reply(c, w, 6, NULL, 0);
        alen = rpcw_get32(p + off);
        if (alen > len - off - 4 || alen + rpcw_pad(alen) != len - off - 4)
            return queue_reply(c, w, 6, NULL, 0);
        w[5] = RPCW_SUCCESS;
        w[6] = alen;
        return queue_reply(c, w, 7, p + off + 4, alen);
    default:
        w[5] = RPCW_PROC_UNAVAIL;
        return queue_reply(c, w, 6, NULL, 0);
    }
}

/*
 * Find the next complete record at rstart: 1 with it in rec and len, 0 if
 * more bytes are needed (c->need says how many from rstart), -EPROTO if
 * it is too large. A later fragment is slid over its own mark so the
 * record's body ends up contiguous.
 */
static int
next_record(struct conn *c, unsigned char **rec, size_t *len)
{
    for (;;) {
        size_t h = c->started ? c->rstart + 4 + c->acc : c->rstart;
        uint32_t m;
        size_t fl;

        if (c->rend - h < 4) {
            c->need = h + 4 - c->rstart;
            return 0;
        }
        m = rpcw_get32(c->rbuf + h);
        fl = m & RPCW_FRAG_MASK;
        if (c->acc + fl > RPCW_MAX_RECORD)
            return -EPROTO;
        if (c->rend - h - 4 < fl) {
            c->need = h + 4 + fl - c->rstart;
            return 0;
        }
        if (c->started) {
            memmove(c->rbuf + h, c->rbuf + h + 4, c->rend - h - 4);
            c->rend -= 4;
        }
        c->started = true;
        c->acc += fl;
        if (m & RPCW_LAST_FRAG) {
            *rec = c->rbuf + c->rstart + 4;
            *len = c->acc;
            c->rstart += 4 + c->acc;
            c->started = false;
            c->acc = 0;
            return 1;
        }
    }
}

/* Make room: move the partial record to the front and fit c->need. */
static int
make_room(struct conn *c)
{
    size_t keep = c->rend - c->rstart;

    if (c->rstart) {
        memmove(c->rbuf, c->rbuf + c->rstart, keep);
        c->rstart = 0;
        c->rend = keep;
    }
    if (c->need + 4 > c->rcap || c->rcap - c->rend < 4096) {
        size_t cap = c->rcap * 2;
        unsigned char *n;

        while (cap < c->need + 4)
            cap *= 2;
        n = realloc(c->rbuf, cap);
        if (!n)
            return -ENOMEM;
        c->rbuf = n;
        c->rcap = cap;
    }
    return 0;
}

static int
set_paused(struct conn *c, bool paused)
{
    struct epoll_event ev = {.events = paused ? EPOLLOUT : EPOLLIN,
                             .data.ptr = c};

    if (c->paused == paused)
        return 0;
    c->paused = paused;
    return epoll_ctl(ep, EPOLL_CTL_MOD, c->fd, &ev) ? -errno : 0;
}

/* Answer every complete record in the buffer, then send the batch. */
static int
serve_buffer(struct conn *c)
{
    unsigned char *rec;
    size_t len;
    int rc;

    while ((rc = next_record(c, &rec, &len)) == 1) {
        rc = handle_call(c, rec, len);
        if (rc)
            return rc;
    }
    if (rc)
        return rc;
    rc = send_batch(c);
    if (rc)
        return rc;
    if (c->tlen)
        return set_paused(c, true);
    return make_room(c);
}

static int
conn_read(struct conn *c)
{
    for (;;) {
        size_t room = c->rcap - c->rend;
        ssize_t r = read(c->fd, c->rbuf + c->rend, room);
        int rc;

        if (r < 0 && errno == EINTR)
            continue;
        if (r < 0 && errno == EAGAIN)
            return 0;
        if (r <= 0)
            return r ? -errno : -ECONNRESET;
        c->rend += (size_t)r;
        rc = serve_buffer(c);
        if (rc || c->paused || (size_t)r < room)
            return rc;
    }
}

/* Drain tbuf; once empty, resume reading. */
static int
conn_write(struct conn *c)
{
    while (c->toff < c->tlen) {
        ssize_t w = write(c->fd, c->tbuf + c->toff, c->tlen - c->toff);

        if (w < 0 && errno == EINTR)
            continue;
        if (w < 0 && errno == EAGAIN)
            return 0;
        if (w < 0)
            return -errno;
        c->toff += (size_t)w;
    }
    c->tlen = c->toff = 0;
    if (c->tcap > (1u << 20)) { /* do not keep a huge burst's buffer */
        free(c->tbuf);
        c->tbuf = NULL;
        c->tcap = 0;
    }
    if (set_paused(c, false))
        return -errno;
    return make_room(c);
}

static void
conn_unlink_close(struct conn *c)
{
    if (c->prev)
        c->prev->next = c->next;
    else
        conns = c->next;
    if (c->next)
        c->next->prev = c->prev;
    epoll_ctl(ep, EPOLL_CTL_DEL, c->fd, NULL);
    close(c->fd);
    free(c->rbuf);
    free(c->tbuf);
    free(c);
}

static void
accept_all(int lfd)
{
    for (;;) {
        int one = 1;
        int fd = accept4(lfd, NULL, NULL, SOCK_NONBLOCK | SOCK_CLOEXEC);
        struct epoll_event ev = {.events = EPOLLIN};
        struct conn *c;

        if (fd < 0)
            return; /* EAGAIN, or a transient error: retry on next event */
        setsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof(one));
        c = calloc(1, sizeof(*c));
        if (c)
            c->rbuf = malloc(RBUF_MIN);
        if (!c || !c->rbuf) {
            free(c);
            close(fd);
            continue;
        }
        c->fd = fd;
        c->rcap = RBUF_MIN;
        ev.data.ptr = c;
        c->next = conns;
        if (conns)
            conns->prev = c;
        conns = c;
        if (epoll_ctl(ep, EPOLL_CTL_ADD, fd, &ev))
            conn_unlink_close(c);
    }
}

static int
serve(int lfd)
{
    struct epoll_event ev = {.events = EPOLLIN, .data.ptr = NULL};
    struct epoll_event evs[MAX_EVENTS];

    ep = epoll_create1(EPOLL_CLOEXEC);
    if (ep < 0 || fcntl(lfd, F_SETFL, O_NONBLOCK) ||
        epoll_ctl(ep, EPOLL_CTL_ADD, lfd, &ev)) {
        perror("rpc-raw-server: epoll");
        return -1;
    }
    while (!stop) {
        int n = epoll_wait(ep, evs, MAX_EVENTS, -1);

        for (int i = 0; i < n; i++) {
            struct conn *c = evs[i].data.ptr;
            int rc;

            if (!c) {
                accept_all(lfd);
                continue;
            }
            rc = c->paused ? conn_write(c) : conn_read(c);
            if (rc)
                conn_unlink_close(c);
        }
    }
    return 0;
}

int
main(int argc, char **argv)
{
    static const struct option lo[] = {{"host", 1, 0, 'h'},
                                       {"port", 1, 0, 'p'},
                                       {"unix", 1, 0, 'u'},
                                       {"frag", 1, 0, 'f'},
                                       {0, 0, 0, 0}};
    const char *host = "127.0.0.1", *unix_path = NULL;
    struct sigaction sa = {.sa_handler = on_signal};
    uint64_t port = 0, frag = 0;
    int c, lfd, rc;

    while ((c = getopt_long(argc, argv, "", lo, NULL)) != -1) {
        if (c == 'h')
            host = optarg;
        else if (c == 'u')
            unix_path = optarg;
        else if (c == 'f' && rpcw_parse_u64(optarg, 4, 1u << 30, &frag) == 0)
            frag_size = frag;
        else if (c != 'p' || rpcw_parse_u64(optarg, 0, 65535, &port))
            goto usage;
    }
    if (optind < argc)
        goto usage;
    signal(SIGPIPE, SIG_IGN);
    sigaction(SIGTERM, &sa, NULL); /* no SA_RESTART: epoll_wait returns */
    sigaction(SIGINT, &sa, NULL);
    lfd = rpcw_listen(host, (unsigned)port, unix_path);
    if (lfd < 0)
        return 1;
    rc = serve(lfd);
    while (conns)
        conn_unlink_close(conns);
    close(lfd);
    if (ep >= 0)
        close(ep);
    if (unix_path)
        unlink(unix_path);
    return rc ? 1 : 0;
usage:
    fprintf(stderr, "usage: rpc-raw-server [--host IPV4] "
                    "[--port N | --unix PATH] [--frag BYTES]\n"
                    "Answers NULL (proc 0) and echo (proc 1) of any program "
                    "over ONC RPC.\n--frag (tests only) sends replies in "
                    "fragments of at most BYTES.\n");
    return 2;
}
