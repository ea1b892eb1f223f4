/* SPDX-License-Identifier: LGPL-3.0-or-later */
/*
 * rpc-clnt.c - the RPC client's life: creation, connecting and
 * reconnecting with back-off, the transport's callbacks, disconnect and
 * free. Calls and the xid map live in rpc-clnt-call.c, pings in
 * rpc-clnt-ping.c.
 *
 * A client's memory is reference counted because three kinds of things
 * outlive the owner's gf_rpc_clnt_free: connections still closing (their
 * `disconnected` callback comes later, on an event thread), timers firing
 * on the wheel's thread, and reply callbacks in flight. Free therefore
 * only detaches and completes what it can; the last reference releases
 * the memory.
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include <gf/log.h>
#include <gf/mem-acct.h>

#include "rpc-clnt-int.h"

static const char *const domain = "rpc-clnt";

GF_EXPORT void
gf_rpc_clnt_opts_init(gf_rpc_clnt_opts_t *opts)
{
    if (!opts)
        return;
    memset(opts, 0, sizeof(*opts));
    opts->call_timeout_ms = GF_RPC_CLNT_DEFAULT_CALL_TIMEOUT_MS;
    opts->reconnect_min_ms = 100;
    opts->reconnect_max_ms = 3000;
    opts->ping_interval_ms = GF_RPC_CLNT_DEFAULT_PING_MS;
    opts->ping_timeout_ms = GF_RPC_CLNT_DEFAULT_PING_MS;
    opts->auto_reconnect = true;
}

static bool
opts_valid(const gf_rpc_clnt_opts_t *o)
{
    if (o->reconnect_min_ms == 0 || o->reconnect_min_ms > o->reconnect_max_ms)
        return false;
    return o->ping_interval_ms == 0 || o->ping_timeout_ms != 0;
}

GF_EXPORT gf_rpc_clnt_t *
gf_rpc_clnt_new(gf_event_pool_t *ev, gf_iobuf_pool_t *iop, gf_timer_wheel_t *tw,
                const char *address, const gf_rpc_clnt_opts_t *opts)
{
    gf_rpc_clnt_t *clnt;

    if (!ev || !iop || !tw || !address || (opts && !opts_valid(opts))) {
        errno = EINVAL;
        return NULL;
    }
    clnt = gf_calloc(NULL, GF_MT_OTHER, 1, sizeof(*clnt));
    if (!clnt)
        goto nomem;
    clnt->ev = ev;
    clnt->iop = iop;
    clnt->tw = tw;
    if (opts)
        clnt->opts = *opts;
    else
        gf_rpc_clnt_opts_init(&clnt->opts);
    if (clnt->opts.conn_opts)
        clnt->conn_opts = *clnt->opts.conn_opts;
    else
        gf_rpc_conn_opts_init(&clnt->conn_opts);
    clnt->opts.conn_opts = &clnt->conn_opts;
    clnt->address = gf_strdup(NULL, GF_MT_STRING, address);
    clnt->call_pool =
        gf_mem_pool_new("rpc-clnt-call", sizeof(struct gf__rpc_call), 1024);
    clnt->mask = 63;
    clnt->tab =
        gf_calloc(NULL, GF_MT_OTHER, clnt->mask + 1, sizeof(*clnt->tab));
    if (!clnt->address || !clnt->call_pool || !clnt->tab)
        goto fail;
    pthread_mutex_init(&clnt->lock, NULL);
    atomic_init(&clnt->refs, 1);
    clnt->fifo.next = clnt->fifo.prev = &clnt->fifo;
    clnt->backoff_ms = clnt->opts.reconnect_min_ms;
    /* Start xids somewhere arbitrary so a restarted client's late replies
     * are unlikely to match new calls. */
    clnt->next_xid =
        (uint32_t)(uintptr_t)clnt ^ (uint32_t)gf_timer_wheel_now(tw);
    return clnt;
fail:
    gf_free(clnt->tab);
    gf_mem_pool_destroy(clnt->call_pool);
    gf_free(clnt->address);
    gf_free(clnt);
nomem:
    errno = ENOMEM;
    return NULL;
}

static void
clnt_destroy(gf_rpc_clnt_t *clnt)
{
    gf__rpc_calls_fini(clnt);
    pthread_mutex_destroy(&clnt->lock);
    gf_free(clnt->tab);
    gf_mem_pool_destroy(clnt->call_pool);
    gf_free(clnt->address);
    gf_free(clnt);
}

static void
clnt_ref(gf_rpc_clnt_t *clnt)
{
    atomic_fetch_add_explicit(&clnt->refs, 1, memory_order_relaxed);
}

void
gf__rpc_clnt_unref(gf_rpc_clnt_t *clnt)
{
    if (atomic_fetch_sub_explicit(&clnt->refs, 1, memory_order_acq_rel) == 1)
        clnt_destroy(clnt);
}

/*
 * Timer slots. Called with the lock held; arms only an empty slot (an
 * armed timer re-evaluates the state when it fires, so it never needs
 * replacing). Returns whether a timer is armed now.
 */
bool
gf__rpc_slot_arm(gf_rpc_clnt_t *clnt, struct gf__rpc_slot *slot,
                 uint64_t delay_ms, gf_timer_cb_t cb)
{
    if (slot->h)
        return true;
    if (clnt->stopped)
        return false;
    slot->h = gf_timer_call_after(clnt->tw, delay_ms, cb, clnt);
    if (!slot->h) {
        /* Swallowed: the client goes on without this timer. */
        gf_log(domain, GF_LOG_ERROR, "%s: cannot arm a timer: %s",
               clnt->address, strerror(errno));
        return false;
    }
    clnt_ref(clnt);
    return true;
}

/* Called with the lock held by a slot's callback: take the handle, which
 * the caller releases after unlocking (NULL if free took it). */
gf_timer_t *
gf__rpc_slot_take(struct gf__rpc_slot *slot)
{
    gf_timer_t *h = slot->h;

    slot->h = NULL;
    return h;
}

/* Free's side: the handle was taken under the lock; cancel it, and drop
 * the timer's reference if its callback will never run. */
static void
slot_cancel(gf_rpc_clnt_t *clnt, gf_timer_t *h)
{
    if (h && gf_timer_cancel(clnt->tw, h) == 0)
        gf__rpc_clnt_unref(clnt);
}

static void
link_unref(struct gf__rpc_link *link)
{
    if (atomic_fetch_sub_explicit(&link->refs, 1, memory_order_acq_rel) != 1)
        return;
    if (link->conn)
        gf_rpc_conn_unref(link->conn);
    gf__rpc_clnt_unref(link->clnt);
    gf_free(link);
}

static void reconnect_fire(void *data);

/* With the lock held: plan the next attempt after the back-off delay. */
static void
schedule_reconnect_locked(gf_rpc_clnt_t *clnt)
{
    uint32_t delay = clnt->backoff_ms;

    if (clnt->stopped || !clnt->want || !clnt->opts.auto_reconnect)
        return;
    clnt->reconnect_at = gf_timer_wheel_now(clnt->tw) + delay;
    clnt->backoff_ms = delay >= clnt->opts.reconnect_max_ms / 2
                           ? clnt->opts.reconnect_max_ms
                           : delay * 2;
    gf__rpc_slot_arm(clnt, &clnt->reconnect, delay, reconnect_fire);
}

/*
 * Detach the current link (with the lock held): the caller gets the link's
 * slot reference, a reference on its connection (or NULL), and every
 * pending call, to finish after unlocking.
 */
static struct gf__rpc_link *
detach_locked(gf_rpc_clnt_t *clnt, gf_rpc_conn_t **conn, bool *was_up,
              struct gf__rpc_call **calls)
{
    struct gf__rpc_link *link = clnt->cur;

    *conn = NULL;
    *was_up = false;
    *calls = gf__rpc_calls_take_all(clnt);
    if (!link)
        return NULL;
    clnt->cur = NULL;
    *was_up = link->up;
    if (link->up) {
        clnt->st.disconnects++;
        /* Only a connection that lasted resets the back-off: a server
         * that accepts and drops at once is retried at the capped rate. */
        if (gf_timer_wheel_now(clnt->tw) - clnt->up_since >=
            clnt->opts.reconnect_max_ms)
            clnt->backoff_ms = clnt->opts.reconnect_min_ms;
    }
    if (link->conn)
        *conn = gf_rpc_conn_ref(link->conn);
    return link;
}

static void
notify(gf_rpc_clnt_t *clnt, gf_rpc_clnt_event_t ev)
{
    if (clnt->opts.notify)
        clnt->opts.notify(clnt, ev, clnt->opts.notify_data);
}

static void
on_message(gf_rpc_conn_t *conn, void *data, void *base, size_t len,
           gf_iobuf_t *iobuf)
{
    (void)conn;
    gf__rpc_clnt_reply(((struct gf__rpc_link *)data)->clnt, data, base, len,
                       iobuf);
}

static void
on_connected(gf_rpc_conn_t *conn, void *data)
{
    struct gf__rpc_link *link = data;
    gf_rpc_clnt_t *clnt = link->clnt;

    pthread_mutex_lock(&clnt->lock);
    if (clnt->cur != link) {
        /* Disconnected or freed while the connect was in progress. */
        pthread_mutex_unlock(&clnt->lock);
        gf_rpc_conn_close(conn);
        return;
    }
    link->up = true;
    if (!link->conn) /* before gf_rpc_connect returned */
        link->conn = gf_rpc_conn_ref(conn);
    clnt->st.connects++;
    clnt->up_since = gf_timer_wheel_now(clnt->tw);
    gf__rpc_ping_start_locked(clnt);
    pthread_mutex_unlock(&clnt->lock);
    gf_log(domain, GF_LOG_INFO, "connected to %s", clnt->address);
    notify(clnt, GF_RPC_CLNT_CONNECTED);
}

static void
on_disconnected(gf_rpc_conn_t *conn, void *data, int error)
{
    struct gf__rpc_link *link = data;
    gf_rpc_clnt_t *clnt = link->clnt;
    struct gf__rpc_call *calls = NULL;
    gf_rpc_conn_t *ref = NULL;
    bool mine, was_up = false;

    (void)conn;
    pthread_mutex_lock(&clnt->lock);
    mine = clnt->cur == link;
    if (mine) {
        detach_locked(clnt, &ref, &was_up, &calls);
        schedule_reconnect_locked(clnt);
    }
    pthread_mutex_unlock(&clnt->lock);
    if (mine) {
        if (ref)
            gf_rpc_conn_unref(ref);
        gf__rpc_calls_fail(calls, -ENOTCONN);
        if (was_up) {
            gf_log(domain, GF_LOG_INFO, "disconnected from %s: %s",
                   clnt->address, error ? strerror(error) : "closed");
            notify(clnt, GF_RPC_CLNT_DISCONNECTED);
        } else {
            gf_log(domain, GF_LOG_DEBUG, "connecting to %s failed: %s",
                   clnt->address, error ? strerror(error) : "closed");
        }
        link_unref(link); /* the cur slot's */
    }
    link_unref(link); /* the transport's */
}

static const gf_rpc_conn_cbs_t conn_cbs = {
    .message = on_message,
    .connected = on_connected,
    .disconnected = on_disconnected,
};

/* Make a new connection attempt unless one is current. */
static int
attempt(gf_rpc_clnt_t *clnt)
{
    struct gf__rpc_link *link = gf_calloc(NULL, GF_MT_OTHER, 1, sizeof(*link));
    gf_rpc_conn_t *conn = NULL;
    bool stale;
    int rc;

    pthread_mutex_lock(&clnt->lock);
    if (!link || clnt->stopped || !clnt->want || clnt->cur) {
        rc = link || clnt->cur ? 0 : -ENOMEM;
        if (!link)
            schedule_reconnect_locked(clnt);
        pthread_mutex_unlock(&clnt->lock);
        gf_free(link);
        return rc;
    }
    link->clnt = clnt;
    clnt_ref(clnt);
    atomic_init(&link->refs, 3); /* transport, cur, this function */
    clnt->cur = link;
    clnt->st.connect_attempts++;
    pthread_mutex_unlock(&clnt->lock);

    rc = gf_rpc_connect(clnt->ev, clnt->iop, clnt->address, &clnt->conn_opts,
                        &conn_cbs, link, &conn);

    pthread_mutex_lock(&clnt->lock);
    stale = clnt->cur != link;
    if (rc < 0) {
        if (!stale) {
            clnt->cur = NULL;
            if (rc == -EINVAL)
                clnt->want = false; /* a bad address stays bad */
            else
                schedule_reconnect_locked(clnt);
        }
    } else if (!link->conn) {
        link->conn = conn;
        conn = NULL;
    }
    pthread_mutex_unlock(&clnt->lock);
    if (rc < 0) {
        gf_log(domain, GF_LOG_WARNING, "cannot connect to %s: %s",
               clnt->address, strerror(-rc));
        link_unref(link); /* no callback will come */
        if (!stale)
            link_unref(link);
    } else {
        /* link->conn and conn are the same connection, and the link's
         * reference keeps it alive. */
        if (stale)
            gf_rpc_conn_close(link->conn);
        if (conn) /* on_connected took its own reference first */
            gf_rpc_conn_unref(conn);
    }
    link_unref(link);
    return rc;
}

static void
reconnect_fire(void *data)
{
    gf_rpc_clnt_t *clnt = data;
    gf_timer_t *h;
    uint64_t now;
    bool go = false;

    pthread_mutex_lock(&clnt->lock);
    h = gf__rpc_slot_take(&clnt->reconnect);
    if (!clnt->stopped && clnt->want && !clnt->cur) {
        now = gf_timer_wheel_now(clnt->tw);
        if (now >= clnt->reconnect_at)
            go = true;
        else
            gf__rpc_slot_arm(clnt, &clnt->reconnect, clnt->reconnect_at - now,
                             reconnect_fire);
    }
    pthread_mutex_unlock(&clnt->lock);
    gf_timer_release(clnt->tw, h);
    if (go)
        attempt(clnt);
    gf__rpc_clnt_unref(clnt);
}

GF_EXPORT int
gf_rpc_clnt_start(gf_rpc_clnt_t *clnt)
{
    int rc;

    if (!clnt)
        return -EINVAL;
    pthread_mutex_lock(&clnt->lock);
    rc = clnt->stopped ? -EINVAL : 0;
    if (!rc)
        clnt->want = true;
    pthread_mutex_unlock(&clnt->lock);
    return rc ? rc : attempt(clnt);
}

/* Shared by disconnect and free: detach, close, fail the calls. */
static void
shut(gf_rpc_clnt_t *clnt, bool stop)
{
    struct gf__rpc_link *link;
    struct gf__rpc_call *calls;
    gf_rpc_conn_t *conn;
    gf_timer_t *timers[3] = {NULL, NULL, NULL};
    bool was_up;

    pthread_mutex_lock(&clnt->lock);
    clnt->want = false;
    if (stop) {
        clnt->stopped = true;
        timers[0] = gf__rpc_slot_take(&clnt->bail);
        timers[1] = gf__rpc_slot_take(&clnt->ping);
        timers[2] = gf__rpc_slot_take(&clnt->reconnect);
    }
    link = detach_locked(clnt, &conn, &was_up, &calls);
    pthread_mutex_unlock(&clnt->lock);

    for (size_t i = 0; i < GF_ARRAY_SIZE(timers); i++)
        slot_cancel(clnt, timers[i]);
    if (conn) {
        gf_rpc_conn_close(conn);
        gf_rpc_conn_unref(conn);
    }
    gf__rpc_calls_fail(calls, -ENOTCONN);
    if (was_up && !stop) {
        gf_log(domain, GF_LOG_INFO, "disconnected from %s", clnt->address);
        notify(clnt, GF_RPC_CLNT_DISCONNECTED);
    }
    if (link)
        link_unref(link);
}

GF_EXPORT int
gf_rpc_clnt_disconnect(gf_rpc_clnt_t *clnt)
{
    if (!clnt)
        return -EINVAL;
    shut(clnt, false);
    return 0;
}

GF_EXPORT void
gf_rpc_clnt_free(gf_rpc_clnt_t *clnt)
{
    if (!clnt)
        return;
    shut(clnt, true);
    gf__rpc_clnt_unref(clnt);
}

GF_EXPORT int
gf_rpc_clnt_stats(gf_rpc_clnt_t *clnt, gf_rpc_clnt_stats_t *out)
{
    if (!clnt || !out)
        return -EINVAL;
    pthread_mutex_lock(&clnt->lock);
    *out = clnt->st;
    out->connected = clnt->cur && clnt->cur->up;
    out->pending = clnt->count;
    pthread_mutex_unlock(&clnt->lock);
    return 0;
}
