/* SPDX-License-Identifier: LGPL-3.0-or-later */
/*
 * record.c - the receive side of an RPC connection: RFC 5531 record
 * marking turned into whole records. Reads are batched into one receive
 * iobuf per connection (128 KiB); every complete small record in it is
 * handed to the owner in place, so a burst of small requests costs one
 * read and no copy. A large or multi-fragment record gets an iobuf of its
 * own: the part already read is copied once and the rest is read straight
 * into it (together with whatever follows, into the receive buffer, by one
 * readv). The state survives partial reads anywhere: bytes not parsed yet
 * simply stay in the receive buffer.
 *
 * Bytes of a record that was delivered in place may still be referenced
 * by the owner (gf_iobuf_ref), so they are never overwritten: once a
 * buffer has been lent, reading continues after the lent bytes, and when
 * it runs out of room the unparsed tail moves to a fresh buffer (one
 * thread-cache get per buffer-full, not per record).
 */
#include <arpa/inet.h>
#include <errno.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/uio.h>
#include <unistd.h>

#include <gf/log.h>

#include "transport-int.h"

/* Make sure the receive buffer can hold NEED bytes from rpos and has room
 * for a useful read. Returns 0 or -ENOMEM. */
static int
rx_room(gf_rpc_conn_t *conn, size_t need)
{
    struct gf__rpc_rx *rx = &conn->rx;
    size_t size, tail;
    gf_iobuf_t *nb;

    if (!rx->buf) {
        rx->buf = gf_iobuf_get(conn->iop, 0);
        if (!rx->buf)
            return -ENOMEM;
        rx->rpos = rx->wpos = 0;
        rx->lent = false;
    }
    size = gf_iobuf_size(rx->buf);
    if (rx->rpos == rx->wpos && !rx->lent)
        rx->rpos = rx->wpos = 0; /* empty and nobody holds it: rewind */
    if (rx->rpos + need <= size && size - rx->wpos >= GF__RPC_MIN_READ)
        return 0;
    tail = rx->wpos - rx->rpos;
    if (!rx->lent) {
        memmove(gf_iobuf_ptr(rx->buf), (char *)gf_iobuf_ptr(rx->buf) + rx->rpos,
                tail);
    } else {
        nb = gf_iobuf_get(conn->iop, 0);
        if (!nb)
            return -ENOMEM;
        memcpy(gf_iobuf_ptr(nb), (char *)gf_iobuf_ptr(rx->buf) + rx->rpos,
               tail);
        gf_iobuf_unref(rx->buf);
        rx->buf = nb;
        rx->lent = false;
    }
    rx->rpos = 0;
    rx->wpos = tail;
    return 0;
}

/* Bytes from rpos the parser needs contiguous before it can go on. */
static size_t
rx_need(const struct gf__rpc_rx *rx)
{
    size_t avail = rx->wpos - rx->rpos;
    uint32_t hdr, flen;

    if (rx->in_big || avail < 4)
        return 4;
    memcpy(&hdr, (char *)gf_iobuf_ptr(rx->buf) + rx->rpos, 4);
    hdr = ntohl(hdr);
    flen = hdr & GF__RPC_FRAGMASK;
    /* Only a small last fragment waits in the buffer (see rx_parse). */
    if ((hdr & 0x80000000u) && flen <= GF__RPC_SMALL_MAX)
        return 4 + (size_t)flen;
    return 4;
}

/* Start (or extend) the dedicated buffer for a fragment of FLEN bytes. */
static int
big_begin(gf_rpc_conn_t *conn, size_t flen, bool last)
{
    struct gf__rpc_rx *rx = &conn->rx;
    size_t want = rx->blen + flen;
    gf_iobuf_t *nb;

    if (!rx->in_big) {
        rx->big = gf_iobuf_get(conn->iop, flen ? flen : 1);
        if (!rx->big)
            return -ENOMEM;
        rx->blen = 0;
        rx->in_big = true;
    } else if (want > gf_iobuf_size(rx->big)) {
        /* Multi-fragment records are rare (no GlusterFS peer sends them):
         * grow by copying, doubling unless this is the last fragment. */
        size_t cap = last ? want : want * 2;

        if (cap > conn->opts.max_record || cap > GF_IOBUF_MAX_SIZE)
            cap = want;
        nb = gf_iobuf_get(conn->iop, cap);
        if (!nb)
            return -ENOMEM;
        memcpy(gf_iobuf_ptr(nb), gf_iobuf_ptr(rx->big), rx->blen);
        gf_iobuf_unref(rx->big);
        rx->big = nb;
    }
    rx->frag_left = flen;
    rx->big_last = last;
    return 0;
}

static void
deliver(gf_rpc_conn_t *conn, void *base, size_t len, gf_iobuf_t *iob)
{
    conn->cbs.message(conn, conn->data, base, len, iob);
}

/* Move buffered bytes into the dedicated buffer; deliver it when whole.
 * Returns 1 to go on parsing, 0 to wait for more bytes (or a resume). */
static int
big_step(gf_rpc_conn_t *conn)
{
    struct gf__rpc_rx *rx = &conn->rx;
    size_t take = rx->wpos - rx->rpos;

    if (take > rx->frag_left)
        take = rx->frag_left;
    memcpy((char *)gf_iobuf_ptr(rx->big) + rx->blen,
           (char *)gf_iobuf_ptr(rx->buf) + rx->rpos, take);
    rx->rpos += take;
    rx->blen += take;
    rx->frag_left -= take;
    if (rx->frag_left > 0)
        return 0;
    if (!rx->big_last)
        return 1; /* the next fragment's header follows */
    if (atomic_load(&conn->paused))
        return 0;
    deliver(conn, gf_iobuf_ptr(rx->big), rx->blen, rx->big);
    gf_iobuf_unref(rx->big);
    rx->big = NULL;
    rx->in_big = false;
    rx->blen = 0;
    return 1;
}

/* One fragment header at rpos (4 bytes available): deliver in place,
 * wait, or switch to a dedicated buffer. Same returns as big_step, or
 * -errno for a record that must not be taken. */
static int
frag_step(gf_rpc_conn_t *conn)
{
    struct gf__rpc_rx *rx = &conn->rx;
    char *p = (char *)gf_iobuf_ptr(rx->buf) + rx->rpos;
    size_t avail = rx->wpos - rx->rpos;
    uint32_t hdr;
    size_t flen;
    bool last;
    int r;

    memcpy(&hdr, p, 4);
    hdr = ntohl(hdr);
    last = (hdr & 0x80000000u) != 0;
    flen = hdr & GF__RPC_FRAGMASK;
    if ((rx->in_big ? rx->blen : 0) + flen > conn->opts.max_record) {
        gf_log("rpc-transport", GF_LOG_ERROR,
               "%s: record of %zu+ bytes exceeds the limit of %zu, "
               "disconnecting",
               conn->peer, (rx->in_big ? rx->blen : 0) + flen,
               conn->opts.max_record);
        return -EMSGSIZE;
    }
    if (!rx->in_big && last && 4 + flen <= avail) {
        if (atomic_load(&conn->paused))
            return 0;
        rx->rpos += 4 + flen;
        rx->lent = true;
        deliver(conn, p + 4, flen, rx->buf);
        return 1;
    }
    if (!rx->in_big && last && flen <= GF__RPC_SMALL_MAX)
        return 0; /* the rest will land in the buffer (rx_need) */
    r = big_begin(conn, flen, last);
    if (r)
        return r;
    rx->rpos += 4;
    return 1;
}

/* Deliver every complete record buffered. Returns 0 or -errno. */
static int
rx_parse(gf_rpc_conn_t *conn)
{
    struct gf__rpc_rx *rx = &conn->rx;
    int r = 1;

    while (r > 0 && !gf__rpc_conn_closing(conn)) {
        if (rx->in_big && rx->frag_left > 0)
            r = big_step(conn);
        else if (rx->in_big && rx->big_last)
            r = big_step(conn); /* complete, held back by a pause */
        else if (rx->wpos - rx->rpos < 4)
            r = 0;
        else
            r = frag_step(conn);
    }
    return r < 0 ? r : 0;
}

/* One read (or readv straight into the dedicated buffer). Returns bytes
 * read, 0 at EOF, -errno; *FULL says whether the space offered was
 * filled (more may be waiting). */
static ssize_t
rx_read(gf_rpc_conn_t *conn, bool *full)
{
    struct gf__rpc_rx *rx = &conn->rx;
    struct iovec v[2];
    size_t space, take;
    ssize_t n;
    int r, cnt = 0;

    r = rx_room(conn, rx_need(rx));
    if (r)
        return r;
    if (rx->in_big && rx->frag_left > 0) {
        v[cnt].iov_base = (char *)gf_iobuf_ptr(rx->big) + rx->blen;
        v[cnt++].iov_len = rx->frag_left;
    }
    v[cnt].iov_base = (char *)gf_iobuf_ptr(rx->buf) + rx->wpos;
    v[cnt++].iov_len = gf_iobuf_size(rx->buf) - rx->wpos;
    space = cnt == 2 ? v[0].iov_len + v[1].iov_len : v[0].iov_len;
    do {
        n = cnt == 2 ? readv(conn->fd, v, 2)
                     : read(conn->fd, v[0].iov_base, v[0].iov_len);
    } while (n < 0 && errno == EINTR);
    if (n <= 0)
        return n < 0 ? -errno : 0;
    *full = (size_t)n == space;
    take = 0;
    if (cnt == 2) {
        take = (size_t)n < rx->frag_left ? (size_t)n : rx->frag_left;
        rx->blen += take;
        rx->frag_left -= take;
    }
    rx->wpos += (size_t)n - take;
    return n;
}

/* Runs with submits of this thread corked; flush after. */
static void
rx_run(gf_rpc_conn_t *conn)
{
    bool full = true;
    ssize_t n;
    int r;

    for (int i = 0; i < GF__RPC_READ_ROUNDS && full; i++) {
        if (gf__rpc_conn_closing(conn) || atomic_load(&conn->paused))
            return;
        n = rx_read(conn, &full);
        if (n == -EAGAIN || n == -EWOULDBLOCK)
            return;
        if (n < 0) {
            gf__rpc_conn_fail(conn, (int)-n);
            return;
        }
        if (n == 0) {
            /* EOF in the middle of a record is a reset, between two
             * records an orderly close. */
            bool mid = conn->rx.in_big || conn->rx.wpos != conn->rx.rpos;

            gf__rpc_conn_fail(conn, mid ? ECONNRESET : 0);
            return;
        }
        r = rx_parse(conn);
        if (r < 0) {
            gf__rpc_conn_fail(conn, -r);
            return;
        }
    }
}

/* The fd is readable: read, deliver, then flush the replies the
 * callbacks queued, all with one sendmsg. */
void
gf__rpc_rx_ready(gf_rpc_conn_t *conn)
{
    gf_rpc_conn_t *saved = gf__rpc_corked;

    gf__rpc_corked = conn;
    rx_run(conn);
    gf__rpc_corked = saved;
    if (!gf__rpc_conn_closing(conn))
        gf__rpc_sendq_flush(conn);
}

/* Reading resumed: deliver what was buffered during the pause. */
void
gf__rpc_rx_resume(gf_rpc_conn_t *conn)
{
    gf_rpc_conn_t *saved = gf__rpc_corked;
    int r = 0;

    if (gf__rpc_conn_closing(conn) || !conn->rx.buf)
        return;
    gf__rpc_corked = conn;
    r = rx_parse(conn);
    gf__rpc_corked = saved;
    if (r < 0)
        gf__rpc_conn_fail(conn, -r);
    else
        gf__rpc_sendq_flush(conn);
}

/* Teardown: give the buffers back. */
void
gf__rpc_rx_release(gf_rpc_conn_t *conn)
{
    struct gf__rpc_rx *rx = &conn->rx;

    gf_iobuf_unref(rx->buf);
    gf_iobuf_unref(rx->big);
    memset(rx, 0, sizeof(*rx));
}
