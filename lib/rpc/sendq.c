/* SPDX-License-Identifier: LGPL-3.0-or-later */
/*
 * sendq.c - the send side of an RPC connection: submit, the per-connection
 * queue and the gathered write. A record is one queue entry holding its
 * 4-byte fragment header and the caller's iovecs, so nothing is copied;
 * entries come from a mem pool, so a small reply costs no malloc. When
 * nothing waits, a submit writes at once; otherwise it only appends, and
 * whoever drains the queue (the writability handler, or the event thread
 * after a batch of received records: "corking") writes many records with
 * one sendmsg. Partial writes advance the iovecs in place.
 */
#include <arpa/inet.h>
#include <errno.h>
#include <limits.h>
#include <pthread.h>
#include <string.h>
#include <sys/socket.h>

#include <gf/event.h>
#include <gf/log.h>
#include <gf/mem-acct.h>
#include <gf/mem-pool.h>

#include "transport-int.h"

/* The connection whose received records the calling event thread is
 * delivering right now: its submits only append (flushed after). */
__thread gf_rpc_conn_t *gf__rpc_corked;

/* The entry pool lives while some connection does: made by the first,
 * destroyed by the last (entries still cached stay valid), so nothing of
 * the transport outlives its last connection. */
static pthread_mutex_t pool_lock = PTHREAD_MUTEX_INITIALIZER;
static gf_mem_pool_t *entry_pool;
static unsigned pool_users;

gf_mem_pool_t *
gf__rpc_sendq_pool_get(void)
{
    gf_mem_pool_t *p;

    pthread_mutex_lock(&pool_lock);
    if (!entry_pool)
        entry_pool =
            gf_mem_pool_new("rpc-sendq", sizeof(struct gf__rpc_sendq), 1024);
    p = entry_pool;
    if (p)
        pool_users++;
    pthread_mutex_unlock(&pool_lock);
    return p;
}

void
gf__rpc_sendq_pool_put(void)
{
    pthread_mutex_lock(&pool_lock);
    GF_ASSERT(pool_users > 0);
    if (--pool_users == 0) {
        gf_mem_pool_destroy(entry_pool);
        entry_pool = NULL;
    }
    pthread_mutex_unlock(&pool_lock);
}

static void
entry_free(struct gf__rpc_sendq *e)
{
    if (e->iov != e->inl)
        gf_free(e->iov);
    gf_iobref_unref(e->iobref);
    gf_mem_put(e);
}

void
gf__rpc_sendq_free_list(struct gf__rpc_sendq *list)
{
    struct gf__rpc_sendq *next;

    for (; list; list = next) {
        next = list->next;
        entry_free(list);
    }
}

/* Build an entry for IOV/COUNT of LEN bytes in total. NULL: no memory. */
static struct gf__rpc_sendq *
entry_new(gf_mem_pool_t *pool, const struct iovec *iov, int count, size_t len,
          gf_iobref_t *iobref)
{
    struct gf__rpc_sendq *e = gf_mem_get(pool);

    if (!e)
        return NULL;
    e->iov = e->inl;
    if (count > GF__RPC_INLINE_IOV) {
        e->iov = gf_malloc(NULL, GF_MT_OTHER,
                           sizeof(struct iovec) * (size_t)(count + 1));
        if (!e->iov) {
            gf_mem_put(e);
            return NULL;
        }
    }
    e->next = NULL;
    e->hdr = htonl(0x80000000u | (uint32_t)len);
    e->iov[0].iov_base = &e->hdr;
    e->iov[0].iov_len = sizeof(e->hdr);
    if (count > 0)
        memcpy(&e->iov[1], iov, sizeof(*iov) * (size_t)count);
    e->niov = count + 1;
    e->cur = 0;
    e->left = len + sizeof(e->hdr);
    e->iobref = gf_iobref_ref(iobref);
    if (!iobref && len <= sizeof(e->small) && count > 0) {
        size_t off = 0;

        for (int i = 0; i < count; i++) {
            memcpy(e->small + off, iov[i].iov_base, iov[i].iov_len);
            off += iov[i].iov_len;
        }
        e->iov[1].iov_base = e->small;
        e->iov[1].iov_len = len;
        e->niov = 2;
    }
    return e;
}

/* Gather up to GF__RPC_WRITEV_MAX unwritten iovecs from the queue. */
static int
gather(const gf_rpc_conn_t *conn, struct iovec *v, size_t *total)
{
    const struct gf__rpc_sendq *e;
    int n = 0;

    *total = 0;
    for (e = conn->qhead; e && n < GF__RPC_WRITEV_MAX; e = e->next) {
        for (int i = e->cur; i < e->niov && n < GF__RPC_WRITEV_MAX; i++) {
            if (e->iov[i].iov_len == 0)
                continue;
            v[n++] = e->iov[i];
            *total += e->iov[i].iov_len;
        }
    }
    return n;
}

/* Account N written bytes: complete entries move to *DONE, the first
 * incomplete one has its iovecs advanced. */
static void
consume(gf_rpc_conn_t *conn, size_t n, struct gf__rpc_sendq **done)
{
    struct gf__rpc_sendq *e;

    atomic_fetch_sub_explicit(&conn->queued, n, memory_order_relaxed);
    while ((e = conn->qhead) && n >= e->left) {
        n -= e->left;
        conn->qhead = e->next;
        e->next = *done;
        *done = e;
    }
    if (!conn->qhead) {
        conn->qtail = &conn->qhead;
        return;
    }
    e->left -= n;
    while (n > 0) {
        struct iovec *v = &e->iov[e->cur];

        if (n >= v->iov_len) {
            n -= v->iov_len;
            v->iov_len = 0;
            e->cur++;
        } else {
            v->iov_base = (char *)v->iov_base + n;
            v->iov_len -= n;
            n = 0;
        }
    }
}

/* Select OUT on the event pool exactly while something waits. */
static void
want_out(gf_rpc_conn_t *conn, bool on)
{
    if (conn->out_on == on || !conn->registered)
        return;
    if (gf_event_select_on(conn->ev, conn->id, -1, on ? 1 : 0) == 0)
        conn->out_on = on;
}

/*
 * Write as much of the queue as the socket takes; caller holds the lock.
 * Written entries are chained on *DONE for the caller to free after
 * unlocking. Returns 0, or -errno of a fatal write error.
 */
int
gf__rpc_sendq_flush_locked(gf_rpc_conn_t *conn, struct gf__rpc_sendq **done)
{
    struct iovec v[GF__RPC_WRITEV_MAX];
    struct msghdr msg;
    size_t total;
    ssize_t n;

    while (conn->qhead) {
        memset(&msg, 0, sizeof(msg));
        msg.msg_iov = v;
        msg.msg_iovlen = (size_t)gather(conn, v, &total);
        /* MSG_NOSIGNAL: a peer gone away is an error, not a SIGPIPE. */
        n = sendmsg(conn->fd, &msg, MSG_NOSIGNAL | MSG_DONTWAIT);
        if (n < 0) {
            if (errno == EINTR)
                continue;
            if (errno == EAGAIN || errno == EWOULDBLOCK)
                break;
            return -errno;
        }
        consume(conn, (size_t)n, done);
        if ((size_t)n < total)
            break;
    }
    want_out(conn, conn->qhead != NULL);
    return 0;
}

/* Drain what the queue holds now (writability, or the end of a batch). */
void
gf__rpc_sendq_flush(gf_rpc_conn_t *conn)
{
    struct gf__rpc_sendq *done = NULL;
    int r = 0;

    pthread_mutex_lock(&conn->lock);
    if (atomic_load(&conn->state) == GF__RPC_UP &&
        (conn->qhead || conn->out_on))
        r = gf__rpc_sendq_flush_locked(conn, &done);
    pthread_mutex_unlock(&conn->lock);
    gf__rpc_sendq_free_list(done);
    if (r < 0)
        gf__rpc_conn_fail(conn, -r);
}

/* Drop everything still queued (teardown, on the event thread). */
void
gf__rpc_sendq_release(gf_rpc_conn_t *conn)
{
    struct gf__rpc_sendq *list;

    pthread_mutex_lock(&conn->lock);
    list = conn->qhead;
    conn->qhead = NULL;
    conn->qtail = &conn->qhead;
    atomic_store(&conn->queued, 0);
    pthread_mutex_unlock(&conn->lock);
    gf__rpc_sendq_free_list(list);
}

static int
check_iov(const struct iovec *iov, int count, size_t *len)
{
    size_t sum = 0;

    if (count < 0 || count > GF__RPC_MAX_IOV || (count > 0 && !iov))
        return -EINVAL;
    for (int i = 0; i < count; i++) {
        if (iov[i].iov_len > GF__RPC_FRAGMASK ||
            (iov[i].iov_len > 0 && !iov[i].iov_base))
            return iov[i].iov_len > GF__RPC_FRAGMASK ? -EMSGSIZE : -EINVAL;
        sum += iov[i].iov_len;
        if (sum > GF__RPC_FRAGMASK)
            return -EMSGSIZE;
    }
    *len = sum;
    return 0;
}

/* Queue E (lock held); -EAGAIN when the queue is over its bound. */
static int
append_locked(gf_rpc_conn_t *conn, struct gf__rpc_sendq *e)
{
    size_t q = atomic_load_explicit(&conn->queued, memory_order_relaxed);
    int st = atomic_load(&conn->state);

    if (st == GF__RPC_CLOSING || st == GF__RPC_NEW)
        return -ENOTCONN;
    /* One record always fits an empty queue, however big. */
    if (q > 0 && q + e->left > conn->opts.max_queued)
        return -EAGAIN;
    *conn->qtail = e;
    conn->qtail = &e->next;
    atomic_store_explicit(&conn->queued, q + e->left, memory_order_relaxed);
    return 0;
}

GF_EXPORT int
gf_rpc_conn_submit(gf_rpc_conn_t *conn, const struct iovec *iov, int count,
                   gf_iobref_t *iobref)
{
    struct gf__rpc_sendq *e, *done = NULL;
    size_t len;
    bool now;
    int r;

    if (!conn)
        return -EINVAL;
    r = check_iov(iov, count, &len);
    if (r)
        return r;
    e = entry_new(conn->qpool, iov, count, len, iobref);
    if (!e)
        return -ENOMEM;
    pthread_mutex_lock(&conn->lock);
    r = append_locked(conn, e);
    if (r) {
        pthread_mutex_unlock(&conn->lock);
        entry_free(e);
        return r;
    }
    /* Write now only if this is the sole entry and nobody else will:
     * not while connecting, not while waiting for writability, not
     * while our own event thread is delivering a batch (it flushes). */
    now = conn->qhead == e && !conn->out_on && gf__rpc_corked != conn &&
          atomic_load(&conn->state) == GF__RPC_UP;
    if (now)
        r = gf__rpc_sendq_flush_locked(conn, &done);
    pthread_mutex_unlock(&conn->lock);
    gf__rpc_sendq_free_list(done);
    if (r < 0)
        gf__rpc_conn_fail(conn, -r); /* disconnected() tells the owner */
    return 0;
}

GF_EXPORT size_t
gf_rpc_conn_queued(const gf_rpc_conn_t *conn)
{
    return conn ? atomic_load_explicit(&conn->queued, memory_order_relaxed) : 0;
}
