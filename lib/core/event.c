/* SPDX-License-Identifier: LGPL-3.0-or-later */
/*
 * event.c - the event pool: N threads, each looping on its own libevent
 * base, plus a small work queue per thread. This file owns the pool and
 * thread lifecycle (new, start, dispatch, stop, reconfigure, free) and the
 * queues; event-fd.c owns the registrations. One base per thread means an
 * fd lives on exactly one loop, so its handler can never run on two threads
 * at once without any per-event locking on the dispatch path. Everything a
 * foreign thread wants a loop to do (run a post, complete an
 * unregistration, stop, retire) goes through the queue and one libevent
 * "wake" event, which is also how stop avoids the lost-wakeup race of
 * event_base_loopbreak() on a loop that has not started yet.
 */
#include <errno.h>
#include <pthread.h>
#include <signal.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <event2/event.h>
#include <event2/thread.h>

#include <gf/event.h>
#include <gf/log.h>
#include <gf/mem-acct.h>

#include "event-int.h"

/* Recycled post nodes kept per thread; beyond this they are freed. */
enum { SPARE_MAX = 4096 };

/* The event thread the caller is, if any (any pool). */
static __thread struct gf__ev_thread *cur;

/* Why the calling thread's last gf_event_pool_new failed. */
static __thread char pool_err[192];

static pthread_once_t evthread_once = PTHREAD_ONCE_INIT;
static int evthread_rc;

/* libevent's own messages: the errors it reports are returned to our
 * callers as -errno, so its warnings are only debug detail here. */
static void
levent_log(int severity, const char *msg)
{
    gf_log_level_t level = GF_LOG_TRACE;

    if (severity == EVENT_LOG_ERR)
        level = GF_LOG_ERROR;
    else if (severity == EVENT_LOG_WARN)
        level = GF_LOG_DEBUG;
    gf_log("libevent", level, "%s", msg);
}

static void
levent_fatal(int err)
{
    gf_log("libevent", GF_LOG_CRITICAL, "fatal error %d", err);
    gf_assert_fail("libevent fatal error", __FILE__, __LINE__, __func__);
}

static void
evthread_setup(void)
{
    event_set_log_callback(levent_log);
    event_set_fatal_callback(levent_fatal);
    /* libevent's locks must exist before the first base is made; every
     * cross-thread event_add/del/active below relies on them. */
    evthread_rc = evthread_use_pthreads();
}

GF_EXPORT const char *
gf_event_pool_error(void)
{
    return pool_err;
}

static bool
poll_allowed(void)
{
    const char *v = getenv("GF_EVENT_ALLOW_POLL");

    return v && strcmp(v, "1") == 0;
}

/* A base on epoll (or poll when allowed); NULL with errno and pool_err. */
static struct event_base *
base_new(void)
{
    struct event_config *cfg = event_config_new();
    struct event_base *base;
    const char *m;

    if (!cfg) {
        errno = ENOMEM;
        return NULL;
    }
    /* select is never acceptable; poll only in tests. */
    event_config_avoid_method(cfg, "select");
    base = event_base_new_with_config(cfg);
    event_config_free(cfg);
    if (!base) {
        snprintf(pool_err, sizeof(pool_err),
                 "no usable event backend: epoll is required (unset "
                 "EVENT_NOEPOLL)");
        errno = ENOTSUP;
        return NULL;
    }
    m = event_base_get_method(base);
    if (strcmp(m, "epoll") == 0 || (strcmp(m, "poll") == 0 && poll_allowed()))
        return base;
    snprintf(pool_err, sizeof(pool_err),
             "event backend is \"%s\" but epoll is required (EVENT_NOEPOLL "
             "set or epoll unavailable; GF_EVENT_ALLOW_POLL=1 accepts poll "
             "for tests)",
             m);
    event_base_free(base);
    errno = ENOTSUP;
    return NULL;
}

/* Take THR's whole queue; caller holds thr->qlock. */
static struct gf__ev_qnode *
take_locked(struct gf__ev_thread *thr)
{
    struct gf__ev_qnode *list = thr->qhead;

    thr->qhead = NULL;
    thr->qtail = &thr->qhead;
    return list;
}

void
gf__event_push_locked(struct gf__ev_thread *thr, struct gf__ev_qnode *node)
{
    bool was_empty = thr->qhead == NULL;

    node->next = NULL;
    *thr->qtail = node;
    thr->qtail = &node->next;
    /* One wakeup per batch: the loop drains everything it finds. */
    if (was_empty)
        event_active(thr->wake, EV_READ, 0);
}

/* Run a list taken from THR's queue, then recycle its post nodes. */
void
gf__event_run_list(struct gf__ev_thread *thr, struct gf__ev_qnode *list)
{
    struct gf__ev_qnode *n, *next, *done = NULL, *extra = NULL;

    for (n = list; n; n = next) {
        next = n->next;
        if (n->kind == GF__EV_Q_FINAL) {
            /* The node lives in the slot, which may be reused at once. */
            gf__event_finalize(thr->pool,
                               gf_container_of(n, struct gf__ev_slot, qn));
            continue;
        }
        n->fn(n->arg);
        n->next = done;
        done = n;
    }
    if (!done)
        return;
    pthread_mutex_lock(&thr->qlock);
    for (n = done; n; n = next) {
        next = n->next;
        if (thr->nspare < SPARE_MAX) {
            n->next = thr->spare;
            thr->spare = n;
            thr->nspare++;
        } else {
            n->next = extra;
            extra = n;
        }
    }
    pthread_mutex_unlock(&thr->qlock);
    for (n = extra; n; n = next) {
        next = n->next;
        gf_free(n);
    }
}

static void
drain(struct gf__ev_thread *thr)
{
    struct gf__ev_qnode *list;

    pthread_mutex_lock(&thr->qlock);
    list = take_locked(thr);
    pthread_mutex_unlock(&thr->qlock);
    gf__event_run_list(thr, list);
}

static void
on_wake(evutil_socket_t fd, short what, void *arg)
{
    struct gf__ev_thread *thr = arg;
    gf_event_pool_t *pool = thr->pool;

    (void)fd;
    (void)what;
    drain(thr);
    /* Breaking from inside the loop cannot be lost, unlike a loopbreak
     * sent before the loop started. */
    if (atomic_load(&thr->retire) || atomic_load(&pool->stop_req))
        event_base_loopbreak(thr->base);
}

static void *
thread_main(void *arg)
{
    struct gf__ev_thread *thr = arg;
    gf_event_pool_t *pool = thr->pool;
    struct gf__ev_qnode *list;
    char name[16];
    bool retire;

    snprintf(name, sizeof(name), "gfevent%u", thr->index);
    pthread_setname_np(pthread_self(), name);
    cur = thr;
    pthread_mutex_lock(&thr->qlock);
    if (thr->state == GF__EV_IDLE) /* not retired before we got here */
        thr->state = GF__EV_RUNNING;
    pthread_mutex_unlock(&thr->qlock);

    while (!atomic_load(&pool->stop_req) && !atomic_load(&thr->retire))
        event_base_loop(thr->base, EVLOOP_NO_EXIT_ON_EMPTY);

    /* Out of the loop no handler of ours runs. The retire flag is read
     * under qlock: a shrink that saw us RUNNING left the move to us, one
     * that sees IDLE moves our fds itself. */
    pthread_mutex_lock(&thr->qlock);
    if (thr->state == GF__EV_RUNNING)
        thr->state = GF__EV_IDLE;
    retire = atomic_load(&thr->retire);
    pthread_mutex_unlock(&thr->qlock);
    if (retire)
        gf__event_migrate(pool, thr);
    pthread_mutex_lock(&thr->qlock);
    if (retire)
        thr->state = GF__EV_RETIRED;
    list = take_locked(thr);
    pthread_mutex_unlock(&thr->qlock);
    /* Whatever was queued up to the state change still runs here, on the
     * owner; later work waits for a start (IDLE) or goes elsewhere. */
    gf__event_run_list(thr, list);
    cur = NULL;
    return NULL;
}

/* Create THR's thread with async signals blocked (the daemon's signal
 * thread takes them). Caller holds plock. */
static int
thread_start(struct gf__ev_thread *thr)
{
    sigset_t all, old;
    int r;

    sigfillset(&all);
    sigdelset(&all, SIGSEGV);
    sigdelset(&all, SIGBUS);
    sigdelset(&all, SIGFPE);
    sigdelset(&all, SIGILL);
    sigdelset(&all, SIGTRAP);
    sigdelset(&all, SIGABRT);
    pthread_sigmask(SIG_SETMASK, &all, &old);
    r = pthread_create(&thr->tid, NULL, thread_main, thr);
    pthread_sigmask(SIG_SETMASK, &old, NULL);
    if (r)
        return -r;
    thr->joinable = true;
    return 0;
}

static struct gf__ev_thread *
thread_new(gf_event_pool_t *pool, unsigned index)
{
    struct gf__ev_thread *thr;

    thr = gf_calloc(NULL, GF_MT_EVENT, 1, sizeof(*thr));
    if (!thr)
        return NULL;
    thr->wake = gf_calloc(NULL, GF_MT_EVENT, 1, pool->evsize);
    if (!thr->wake)
        goto fail;
    thr->base = base_new();
    if (!thr->base)
        goto fail;
    event_assign(thr->wake, thr->base, -1, 0, on_wake, thr);
    thr->pool = pool;
    thr->index = index;
    atomic_init(&thr->retire, false);
    atomic_init(&thr->nslots, 0);
    pthread_mutex_init(&thr->qlock, NULL);
    thr->state = GF__EV_IDLE;
    thr->qtail = &thr->qhead;
    return thr;
fail:
    gf_free(thr->wake);
    gf_free(thr);
    return NULL;
}

static void
thread_free(struct gf__ev_thread *thr)
{
    struct gf__ev_qnode *n, *next;

    event_del(thr->wake);
    event_base_free(thr->base);
    for (n = thr->spare; n; n = next) {
        next = n->next;
        gf_free(n);
    }
    pthread_mutex_destroy(&thr->qlock);
    gf_free(thr->wake);
    gf_free(thr);
}

GF_EXPORT gf_event_pool_t *
gf_event_pool_new(unsigned nthreads)
{
    gf_event_pool_t *pool;
    unsigned i;

    pool_err[0] = '\0';
    if (nthreads == 0)
        nthreads = GF_EVENT_DEFAULT_THREADS;
    if (nthreads > GF_EVENT_MAX_THREADS) {
        snprintf(pool_err, sizeof(pool_err), "%u event threads: at most %u",
                 nthreads, (unsigned)GF_EVENT_MAX_THREADS);
        errno = EINVAL;
        return NULL;
    }
    pthread_once(&evthread_once, evthread_setup);
    if (evthread_rc != 0) {
        snprintf(pool_err, sizeof(pool_err), "libevent threading failed");
        errno = ENOMEM;
        return NULL;
    }
    pool = gf_calloc(NULL, GF_MT_EVENT, 1, sizeof(*pool));
    if (!pool)
        return NULL;
    pthread_mutex_init(&pool->plock, NULL);
    pthread_mutex_init(&pool->stop_lock, NULL);
    pthread_cond_init(&pool->stop_cond, NULL);
    pthread_mutex_init(&pool->reg_lock, NULL);
    /* A slot and its two events, each event 16-aligned, slot 64-aligned
     * so neighbours' locks do not share a cache line. */
    pool->evsize = (event_get_struct_event_size() + 15) & ~(size_t)15;
    pool->stride =
        (sizeof(struct gf__ev_slot) + 2 * pool->evsize + 63) & ~(size_t)63;
    for (i = 0; i < nthreads; i++) {
        pool->thr[i] = thread_new(pool, i);
        if (!pool->thr[i]) {
            int e = errno;

            atomic_store(&pool->nthr, i);
            gf_event_pool_free(pool);
            errno = e;
            return NULL;
        }
    }
    pool->method = event_base_get_method(pool->thr[0]->base);
    pool->early_close = (event_base_get_features(pool->thr[0]->base) &
                         EV_FEATURE_EARLY_CLOSE) != 0;
    atomic_store(&pool->nthr, nthreads);
    atomic_store(&pool->nactive, nthreads);
    return pool;
}

GF_EXPORT const char *
gf_event_pool_backend(const gf_event_pool_t *pool)
{
    return pool ? pool->method : "";
}

GF_EXPORT unsigned
gf_event_pool_threads(const gf_event_pool_t *pool)
{
    return pool ? atomic_load(&pool->nactive) : 0;
}

struct gf__ev_thread *
gf__event_current(const gf_event_pool_t *pool)
{
    return cur && cur->pool == pool ? cur : NULL;
}

GF_EXPORT int
gf_event_thread_index(const gf_event_pool_t *pool)
{
    struct gf__ev_thread *t = gf__event_current(pool);

    return t && pool ? (int)t->index : -1;
}

struct gf__ev_thread *
gf__event_least_loaded(gf_event_pool_t *pool)
{
    /* Rotating start: ties (an idle pool) go round-robin, and no shared
     * counter is written. */
    static __thread unsigned rr;
    unsigned n = atomic_load(&pool->nactive);
    unsigned i, k, best = rr++ % n, min = UINT32_MAX;

    for (k = 0; k < n; k++) {
        i = (best + k) % n;
        unsigned load =
            atomic_load_explicit(&pool->thr[i]->nslots, memory_order_relaxed);
        if (load < min) {
            min = load;
            best = i;
        }
    }
    return pool->thr[best];
}

/* Join every created thread; they must have been told to exit. Takes and
 * drops plock around each join so stop() and handlers never wait on us. */
static void
join_all(gf_event_pool_t *pool)
{
    for (;;) {
        pthread_t tid;
        unsigned i, n = atomic_load(&pool->nthr);

        pthread_mutex_lock(&pool->plock);
        for (i = 0; i < n && !pool->thr[i]->joinable; i++)
            ;
        if (i == n) {
            pool->started = false;
            pthread_mutex_unlock(&pool->plock);
            return;
        }
        tid = pool->thr[i]->tid;
        pool->thr[i]->joinable = false;
        pthread_mutex_unlock(&pool->plock);
        pthread_join(tid, NULL);
    }
}

static void
wake_all(gf_event_pool_t *pool)
{
    unsigned i, n = atomic_load(&pool->nthr);

    for (i = 0; i < n; i++)
        event_active(pool->thr[i]->wake, EV_READ, 0);
}

GF_EXPORT int
gf_event_pool_stop(gf_event_pool_t *pool)
{
    if (!pool)
        return -EINVAL;
    atomic_store(&pool->stop_req, true);
    wake_all(pool);
    pthread_mutex_lock(&pool->stop_lock);
    pthread_cond_broadcast(&pool->stop_cond);
    pthread_mutex_unlock(&pool->stop_lock);
    return 0;
}

/* Start the active threads not running yet. Caller holds plock. On error
 * the threads started here are told to stop; the caller joins them. */
static int
start_locked(gf_event_pool_t *pool)
{
    unsigned i, n = atomic_load(&pool->nactive);
    int r;

    for (i = 0; i < n; i++) {
        if (pool->thr[i]->joinable)
            continue;
        r = thread_start(pool->thr[i]);
        if (r)
            return r;
        pool->started = true;
    }
    return 0;
}

/* Undo a failed start: stop what runs, join, and clear the request. */
static int
start_failed(gf_event_pool_t *pool, int r)
{
    gf_event_pool_stop(pool);
    join_all(pool);
    atomic_store(&pool->stop_req, false);
    return r;
}

GF_EXPORT int
gf_event_pool_start(gf_event_pool_t *pool)
{
    bool restart;
    int r;

    if (!pool)
        return -EINVAL;
    pthread_mutex_lock(&pool->plock);
    restart = atomic_load(&pool->stop_req) && !pool->dispatching;
    pthread_mutex_unlock(&pool->plock);
    if (restart) {
        /* Threads told to stop and nobody to join them: finish them off
         * and withdraw the request, so the new threads keep running. */
        if (gf__event_current(pool))
            return -EDEADLK;
        join_all(pool);
        atomic_store(&pool->stop_req, false);
    }
    pthread_mutex_lock(&pool->plock);
    r = start_locked(pool);
    pthread_mutex_unlock(&pool->plock);
    return r ? start_failed(pool, r) : 0;
}

GF_EXPORT int
gf_event_dispatch(gf_event_pool_t *pool)
{
    int r;

    if (!pool)
        return -EINVAL;
    if (gf__event_current(pool))
        return -EDEADLK;
    pthread_mutex_lock(&pool->plock);
    if (pool->dispatching) {
        pthread_mutex_unlock(&pool->plock);
        return -EBUSY;
    }
    pool->dispatching = true;
    r = start_locked(pool);
    pthread_mutex_unlock(&pool->plock);
    if (r) {
        start_failed(pool, r);
    } else {
        pthread_mutex_lock(&pool->stop_lock);
        while (!atomic_load(&pool->stop_req))
            pthread_cond_wait(&pool->stop_cond, &pool->stop_lock);
        pthread_mutex_unlock(&pool->stop_lock);
        join_all(pool);
        atomic_store(&pool->stop_req, false);
    }
    pthread_mutex_lock(&pool->plock);
    pool->dispatching = false;
    pthread_mutex_unlock(&pool->plock);
    return r;
}

/* Ready index I for reuse by a grow. Caller holds plock. */
static int
revive_locked(gf_event_pool_t *pool, unsigned i)
{
    struct gf__ev_thread *thr = pool->thr[i];

    if (thr->joinable) {
        /* Still moving its fds away or just gone: wait for it (it needs
         * none of our locks), unless it is us. */
        if (thr == cur)
            return -EBUSY;
        pthread_join(thr->tid, NULL);
        thr->joinable = false;
    }
    atomic_store(&thr->retire, false);
    pthread_mutex_lock(&thr->qlock);
    thr->state = GF__EV_IDLE;
    pthread_mutex_unlock(&thr->qlock);
    return 0;
}

static int
grow_locked(gf_event_pool_t *pool, unsigned old, unsigned n)
{
    unsigned i;
    int r;

    for (i = old; i < n; i++) {
        if (i < atomic_load(&pool->nthr)) {
            r = revive_locked(pool, i);
            if (r)
                return r;
            continue;
        }
        pool->thr[i] = thread_new(pool, i);
        if (!pool->thr[i])
            return -errno;
        atomic_store(&pool->nthr, i + 1);
    }
    if (pool->started && !atomic_load(&pool->stop_req)) {
        for (i = old; i < n; i++) {
            r = thread_start(pool->thr[i]);
            if (r) {
                /* Send the new ones back; the count stays OLD. */
                while (i-- > old) {
                    atomic_store(&pool->thr[i]->retire, true);
                    event_active(pool->thr[i]->wake, EV_READ, 0);
                }
                return r;
            }
        }
    }
    pthread_mutex_lock(&pool->reg_lock);
    atomic_store(&pool->nactive, n);
    pthread_mutex_unlock(&pool->reg_lock);
    return 0;
}

/* Retire THR while no thread runs it: move its fds and its queued work
 * to the remaining threads here and now. Caller holds plock. */
static void
retire_idle(gf_event_pool_t *pool, struct gf__ev_thread *thr)
{
    struct gf__ev_qnode *list, *n, *next;

    gf__event_migrate(pool, thr);
    pthread_mutex_lock(&thr->qlock);
    thr->state = GF__EV_RETIRED;
    list = take_locked(thr);
    pthread_mutex_unlock(&thr->qlock);
    /* Left: completions queued before the thread left its loop (safe to
     * run here, out of any loop), and posts for no live fd (id -1 or
     * stale), which wait for a start on thread 0, never removed. */
    for (n = list; n; n = next) {
        struct gf__ev_thread *to = pool->thr[0];

        next = n->next;
        if (n->kind == GF__EV_Q_FINAL) {
            gf__event_finalize(pool,
                               gf_container_of(n, struct gf__ev_slot, qn));
            continue;
        }
        pthread_mutex_lock(&to->qlock);
        gf__event_push_locked(to, n);
        pthread_mutex_unlock(&to->qlock);
    }
}

static void
shrink_locked(gf_event_pool_t *pool, unsigned old, unsigned n)
{
    unsigned i;

    /* From here no new fd is placed on a thread being removed. */
    pthread_mutex_lock(&pool->reg_lock);
    atomic_store(&pool->nactive, n);
    pthread_mutex_unlock(&pool->reg_lock);
    for (i = n; i < old; i++) {
        struct gf__ev_thread *thr = pool->thr[i];
        bool running;

        pthread_mutex_lock(&thr->qlock);
        atomic_store(&thr->retire, true);
        running = thr->state == GF__EV_RUNNING;
        pthread_mutex_unlock(&thr->qlock);
        if (running)
            event_active(thr->wake, EV_READ, 0); /* it moves its own fds */
        else
            retire_idle(pool, thr);
    }
}

GF_EXPORT int
gf_event_reconfigure_threads(gf_event_pool_t *pool, unsigned n)
{
    unsigned old;
    int r = 0;

    if (!pool || n == 0 || n > GF_EVENT_MAX_THREADS)
        return -EINVAL;
    pthread_mutex_lock(&pool->plock);
    old = atomic_load(&pool->nactive);
    if (n > old)
        r = grow_locked(pool, old, n);
    else if (n < old)
        shrink_locked(pool, old, n);
    pthread_mutex_unlock(&pool->plock);
    return r;
}

GF_EXPORT void
gf_event_pool_free(gf_event_pool_t *pool)
{
    unsigned i, n;
    bool more;

    if (!pool)
        return;
    GF_ASSERT(!gf__event_current(pool));
    gf_event_pool_stop(pool);
    join_all(pool);
    n = atomic_load(&pool->nthr);
    /* Pending completions and posts run here; they may queue more. */
    do {
        more = false;
        for (i = 0; i < n; i++) {
            struct gf__ev_thread *thr = pool->thr[i];
            struct gf__ev_qnode *list;

            pthread_mutex_lock(&thr->qlock);
            thr->state = GF__EV_IDLE;
            list = take_locked(thr);
            pthread_mutex_unlock(&thr->qlock);
            if (list) {
                more = true;
                gf__event_run_list(thr, list);
            }
        }
    } while (more);
    gf__event_drop_all(pool);
    for (i = 0; i < n; i++)
        thread_free(pool->thr[i]);
    pthread_mutex_destroy(&pool->reg_lock);
    pthread_cond_destroy(&pool->stop_cond);
    pthread_mutex_destroy(&pool->stop_lock);
    pthread_mutex_destroy(&pool->plock);
    gf_free(pool);
}
