/* SPDX-License-Identifier: LGPL-3.0-or-later */
/*
 * event-fd.c - registrations of the event pool: slots, the dispatch
 * trampoline, select_on, unregistration, posts and moving fds between
 * threads on a shrink.
 *
 * A registration is a slot with two libevent events on its owner's base,
 * one for reading and one for writing, so toggling OUT (what a transport
 * does as its write queue fills and drains) is a single event_add/del and
 * one epoll_ctl, never a rebuild of the event. Every libevent call on a
 * slot's events is made under the slot's lock, from whichever thread asks;
 * deletions use event_del_noblock so no thread ever waits for another
 * thread's handler (two event threads doing that to each other would
 * deadlock). What must not happen while a handler may run -- completing an
 * unregistration -- is queued to the owner thread instead, which does it
 * between callbacks: libevent's event_finalize() gives the same guarantee,
 * but its callback may not add or activate events, and DONE callbacks must
 * be free to register and post.
 */
#include <errno.h>
#include <pthread.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/socket.h>
#include <unistd.h>

#include <event2/event.h>

#include <gf/event.h>
#include <gf/log.h>
#include <gf/mem-acct.h>

#include "event-int.h"

static inline struct gf__ev_slot *
slot_at(char *table, const gf_event_pool_t *pool, unsigned idx)
{
    return (struct gf__ev_slot *)(table +
                                  (size_t)(idx & (GF__EV_TABLE_SLOTS - 1)) *
                                      pool->stride);
}

/* The slot ID would name, or NULL; the caller checks the id under the
 * slot's lock (slots are never freed before the pool). */
static struct gf__ev_slot *
lookup(gf_event_pool_t *pool, int id)
{
    unsigned idx;
    char *t;

    if (id < 0)
        return NULL;
    idx = (unsigned)id & GF__EV_IDX_MASK;
    t = atomic_load_explicit(&pool->tables[idx >> GF__EV_TABLE_SHIFT],
                             memory_order_acquire);
    return t ? slot_at(t, pool, idx) : NULL;
}

/* Lock and return ID's slot if ID is live (ACTIVE), else NULL. */
static struct gf__ev_slot *
lock_live(gf_event_pool_t *pool, int id)
{
    struct gf__ev_slot *s = lookup(pool, id);

    if (!s)
        return NULL;
    pthread_mutex_lock(&s->lock);
    if (s->id == id && atomic_load(&s->state) == GF__EV_ACTIVE)
        return s;
    pthread_mutex_unlock(&s->lock);
    return NULL;
}

static size_t
table_bytes(const gf_event_pool_t *pool)
{
    return (size_t)GF__EV_TABLE_SLOTS * pool->stride;
}

/* A fresh table of slots, appended under reg_lock. It is mapped, not
 * allocated: its pages stay untouched (and zero) until slot_alloc hands
 * their slots out, so a pool with a handful of fds costs a page or two,
 * not the whole table, of memory and of start-up page faults. */
static int
table_add(gf_event_pool_t *pool)
{
    unsigned ti = pool->hw >> GF__EV_TABLE_SHIFT;
    void *t;

    if (ti >= GF__EV_NTABLES)
        return -ENOSPC;
    t = mmap(NULL, table_bytes(pool), PROT_READ | PROT_WRITE,
             MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
    if (t == MAP_FAILED)
        return -ENOMEM;
    atomic_store_explicit(&pool->tables[ti], (char *)t, memory_order_release);
    return 0;
}

/* Make the never used slot S, index IDX, ready: FREE, generation 0. A
 * lookup of a stale id may lock a slot not yet handed out: all zero, its
 * mutex is a valid unlocked one and its state FREE, so it matches no id. */
static void
slot_init(gf_event_pool_t *pool, struct gf__ev_slot *s, unsigned idx)
{
    char *ev = (char *)s + ((sizeof(*s) + 15) & ~(size_t)15);

    pthread_mutex_init(&s->lock, NULL);
    atomic_init(&s->state, GF__EV_FREE);
    s->id = -1;
    s->idx = idx;
    s->qn.kind = GF__EV_Q_FINAL;
    s->rev = (struct event *)ev;
    s->wev = (struct event *)(ev + pool->evsize);
}

/* A free slot, under reg_lock; -errno if none. */
static int
slot_alloc(gf_event_pool_t *pool, struct gf__ev_slot **out)
{
    unsigned idx;
    int r;

    if (pool->free) {
        *out = pool->free;
        pool->free = (*out)->next_free;
        return 0;
    }
    if ((pool->hw & (GF__EV_TABLE_SLOTS - 1)) == 0) {
        r = table_add(pool);
        if (r)
            return r;
    }
    idx = pool->hw++;
    *out = slot_at(pool->tables[idx >> GF__EV_TABLE_SHIFT], pool, idx);
    slot_init(pool, *out, idx);
    return 0;
}

static int
sock_error(int fd)
{
    int err = 0;
    socklen_t len = sizeof(err);

    if (getsockopt(fd, SOL_SOCKET, SO_ERROR, &err, &len) < 0)
        return 0;
    return err;
}

void
gf__event_io_cb(evutil_socket_t fd, short what, void *arg)
{
    struct gf__ev_slot *s = arg;
    unsigned ev = 0;

    /* An unregistration that returned before this point wins: the
     * handler is not entered once gf_event_unregister has returned. */
    if (atomic_load(&s->state) != GF__EV_ACTIVE)
        return;
    if (what & EV_READ)
        ev |= GF_EVENT_IN;
    if (what & EV_WRITE)
        ev |= GF_EVENT_OUT;
    if (what & EV_CLOSED) {
        ev |= GF_EVENT_HUP;
        if (sock_error(fd))
            ev |= GF_EVENT_ERR;
    }
    s->handler(s->id, fd, s->data, ev);
}

/* Bind S's two events to THR's base (they are not pending). */
static void
slot_assign(gf_event_pool_t *pool, struct gf__ev_slot *s,
            struct gf__ev_thread *thr)
{
    short rflags = EV_READ | EV_PERSIST;

    if (pool->early_close)
        rflags |= EV_CLOSED;
    event_assign(s->rev, thr->base, s->fd, rflags, gf__event_io_cb, s);
    event_assign(s->wev, thr->base, s->fd, EV_WRITE | EV_PERSIST,
                 gf__event_io_cb, s);
    s->thr = thr;
}

static int
add_one(struct event *ev)
{
    errno = 0;
    if (event_add(ev, NULL) == 0)
        return 0;
    return errno > 0 ? -errno : -EIO;
}

/* Make the added events match WANT; caller holds s->lock. On error
 * s->mask tells what is added. */
static int
apply_mask(struct gf__ev_slot *s, unsigned want)
{
    unsigned diff = want ^ s->mask;
    int r;

    if (diff & GF_EVENT_IN) {
        if (want & GF_EVENT_IN) {
            r = add_one(s->rev);
            if (r)
                return r;
            s->mask |= GF_EVENT_IN;
        } else {
            event_del_noblock(s->rev);
            s->mask &= ~(unsigned)GF_EVENT_IN;
        }
    }
    if (diff & GF_EVENT_OUT) {
        if (want & GF_EVENT_OUT) {
            r = add_one(s->wev);
            if (r)
                return r;
            s->mask |= GF_EVENT_OUT;
        } else {
            event_del_noblock(s->wev);
            s->mask &= ~(unsigned)GF_EVENT_OUT;
        }
    }
    return 0;
}

/*
 * Put a locked slot on the way out: nothing enters the handler from now
 * on; completion runs on the owner between callbacks, or right here if
 * the owner is not in its loop (then no handler can be running either:
 * the state was set before we looked, under the owner's qlock).
 * Unlocks the slot.
 */
static void
slot_kill(gf_event_pool_t *pool, struct gf__ev_slot *s)
{
    struct gf__ev_thread *thr = s->thr;
    bool queued;

    atomic_store(&s->state, GF__EV_DYING);
    apply_mask(s, 0);
    pthread_mutex_lock(&thr->qlock);
    queued = thr->state == GF__EV_RUNNING;
    if (queued)
        gf__event_push_locked(thr, &s->qn);
    pthread_mutex_unlock(&thr->qlock);
    pthread_mutex_unlock(&s->lock);
    if (!queued)
        gf__event_finalize(pool, s);
}

void
gf__event_finalize(gf_event_pool_t *pool, struct gf__ev_slot *s)
{
    gf_event_done_cb_t done = s->done;
    void *arg = s->done_arg;

    if (s->close_fd)
        close(s->fd);
    pthread_mutex_lock(&pool->reg_lock);
    pthread_mutex_lock(&s->lock);
    atomic_fetch_sub(&s->thr->nslots, 1);
    s->gen = (s->gen + 1) & GF__EV_GEN_MASK;
    s->id = -1;
    s->handler = NULL;
    s->data = NULL;
    s->done = NULL;
    s->close_fd = false;
    atomic_store(&s->state, GF__EV_FREE);
    pthread_mutex_unlock(&s->lock);
    s->next_free = pool->free;
    pool->free = s;
    pthread_mutex_unlock(&pool->reg_lock);
    if (done)
        done(arg);
}

GF_EXPORT int
gf_event_register(gf_event_pool_t *pool, int fd, gf_event_handler_t handler,
                  void *data, bool in, bool out)
{
    struct gf__ev_slot *s;
    struct gf__ev_thread *thr;
    int r;

    if (!pool || fd < 0 || !handler)
        return -EINVAL;
    pthread_mutex_lock(&pool->reg_lock);
    r = slot_alloc(pool, &s);
    if (r) {
        pthread_mutex_unlock(&pool->reg_lock);
        return r;
    }
    /* Placement and publication happen under reg_lock, so a shrink
     * either finds this slot on its thread or never places it there. */
    thr = gf__event_least_loaded(pool);
    atomic_fetch_add(&thr->nslots, 1);
    pthread_mutex_lock(&s->lock);
    s->id = (int)((s->gen << GF__EV_IDX_BITS) | s->idx);
    s->fd = fd;
    s->handler = handler;
    s->data = data;
    s->mask = 0;
    s->close_fd = false;
    s->done = NULL;
    slot_assign(pool, s, thr);
    r = apply_mask(s, (in ? GF_EVENT_IN : 0) | (out ? GF_EVENT_OUT : 0));
    pthread_mutex_unlock(&pool->reg_lock);
    if (r) {
        /* An event may already have fired on the owner: complete the way
         * an unregistration does, so the slot is reused only after. */
        slot_kill(pool, s);
        return r;
    }
    /* ACTIVE last: readiness seen before this is skipped and, being
     * level-triggered, reported again on the next loop turn. */
    atomic_store(&s->state, GF__EV_ACTIVE);
    r = s->id;
    pthread_mutex_unlock(&s->lock);
    return r;
}

static int
tristate_ok(int v)
{
    return v == -1 || v == 0 || v == 1;
}

GF_EXPORT int
gf_event_select_on(gf_event_pool_t *pool, int id, int in, int out)
{
    struct gf__ev_slot *s;
    unsigned want;
    int r;

    if (!pool || !tristate_ok(in) || !tristate_ok(out))
        return -EINVAL;
    s = lock_live(pool, id);
    if (!s)
        return -ENOENT;
    want = s->mask;
    if (in >= 0)
        want = in ? want | GF_EVENT_IN : want & ~(unsigned)GF_EVENT_IN;
    if (out >= 0)
        want = out ? want | GF_EVENT_OUT : want & ~(unsigned)GF_EVENT_OUT;
    r = apply_mask(s, want);
    pthread_mutex_unlock(&s->lock);
    return r;
}

static int
unregister(gf_event_pool_t *pool, int id, bool close_fd,
           gf_event_done_cb_t done, void *arg)
{
    struct gf__ev_slot *s;

    if (!pool)
        return -EINVAL;
    s = lock_live(pool, id);
    if (!s)
        return -ENOENT;
    s->close_fd = close_fd;
    s->done = done;
    s->done_arg = arg;
    slot_kill(pool, s);
    return 0;
}

GF_EXPORT int
gf_event_unregister(gf_event_pool_t *pool, int id, gf_event_done_cb_t done,
                    void *arg)
{
    return unregister(pool, id, false, done, arg);
}

GF_EXPORT int
gf_event_unregister_close(gf_event_pool_t *pool, int id,
                          gf_event_done_cb_t done, void *arg)
{
    return unregister(pool, id, true, done, arg);
}

/* Queue a post on THR; -ESRCH if THR was retired. */
int
gf__event_enqueue_post(struct gf__ev_thread *thr, int id, gf_event_fn_t fn,
                       void *arg)
{
    struct gf__ev_qnode *n;

    pthread_mutex_lock(&thr->qlock);
    if (thr->state == GF__EV_RETIRED) {
        pthread_mutex_unlock(&thr->qlock);
        return -ESRCH;
    }
    n = thr->spare;
    if (n) {
        thr->spare = n->next;
        thr->nspare--;
    } else {
        /* Cold path only: nodes are recycled by the thread that ran them. */
        n = gf_malloc(NULL, GF_MT_EVENT, sizeof(*n));
        if (!n) {
            pthread_mutex_unlock(&thr->qlock);
            return -ENOMEM;
        }
    }
    n->kind = GF__EV_Q_POST;
    n->id = id;
    n->fn = fn;
    n->arg = arg;
    gf__event_push_locked(thr, n);
    pthread_mutex_unlock(&thr->qlock);
    return 0;
}

GF_EXPORT int
gf_event_post(gf_event_pool_t *pool, int id, gf_event_fn_t fn, void *arg)
{
    static __thread unsigned rr;
    struct gf__ev_thread *thr;
    struct gf__ev_slot *s;
    int r;

    if (!pool || !fn || id < -1)
        return -EINVAL;
    if (id >= 0) {
        /* Under the slot lock the owner cannot change, and a move takes
         * this id's queued posts along in order. */
        s = lock_live(pool, id);
        if (!s)
            return -ENOENT;
        r = gf__event_enqueue_post(s->thr, id, fn, arg);
        pthread_mutex_unlock(&s->lock);
        return r == -ESRCH ? -ENOENT : r;
    }
    /* Any thread: the caller's own if it is one (no cross-thread wakeup),
     * else round-robin with a per-thread counter (no shared cache line). */
    thr = gf__event_current(pool);
    if (thr && !atomic_load(&thr->retire) &&
        gf__event_enqueue_post(thr, -1, fn, arg) == 0)
        return 0;
    do {
        unsigned n = atomic_load(&pool->nactive);

        thr = pool->thr[rr++ % n];
        r = gf__event_enqueue_post(thr, -1, fn, arg);
    } while (r == -ESRCH);
    return r;
}

/* Take FROM's queued posts bound to ID, in order, onto TO's queue.
 * Caller holds the slot's lock, so no new post for ID can interleave. */
static void
move_posts(struct gf__ev_thread *from, struct gf__ev_thread *to, int id)
{
    struct gf__ev_qnode **pp, *n, *head = NULL, **tail = &head;

    pthread_mutex_lock(&from->qlock);
    for (pp = &from->qhead; (n = *pp);) {
        if (n->kind == GF__EV_Q_POST && n->id == id) {
            *pp = n->next;
            *tail = n;
            tail = &n->next;
        } else {
            pp = &n->next;
        }
    }
    from->qtail = pp;
    *tail = NULL;
    pthread_mutex_unlock(&from->qlock);
    if (!head)
        return;
    pthread_mutex_lock(&to->qlock);
    for (n = head; n; n = head) {
        head = n->next;
        gf__event_push_locked(to, n);
    }
    pthread_mutex_unlock(&to->qlock);
}

/* Move locked, ACTIVE slot S from FROM (not in its loop, or the caller)
 * to the least loaded remaining thread. */
static void
move_slot(gf_event_pool_t *pool, struct gf__ev_slot *s,
          struct gf__ev_thread *from)
{
    struct gf__ev_thread *to = gf__event_least_loaded(pool);
    unsigned want = s->mask;
    int r;

    apply_mask(s, 0);
    atomic_fetch_sub(&from->nslots, 1);
    atomic_fetch_add(&to->nslots, 1);
    slot_assign(pool, s, to);
    move_posts(from, to, s->id);
    r = apply_mask(s, want);
    if (r)
        gf_log("event", GF_LOG_ERROR,
               "fd %d (id %d) lost its events moving to thread %u: %s", s->fd,
               s->id, to->index, strerror(-r));
}

void
gf__event_migrate(gf_event_pool_t *pool, struct gf__ev_thread *from)
{
    unsigned idx, hw;

    pthread_mutex_lock(&pool->reg_lock);
    hw = pool->hw; /* slots made later are never placed on FROM */
    pthread_mutex_unlock(&pool->reg_lock);
    for (idx = 0; idx < hw; idx++) {
        struct gf__ev_slot *s = lookup(pool, (int)idx);

        pthread_mutex_lock(&s->lock);
        if (s->thr == from && atomic_load(&s->state) == GF__EV_ACTIVE)
            move_slot(pool, s, from);
        pthread_mutex_unlock(&s->lock);
    }
}

void
gf__event_drop_all(gf_event_pool_t *pool)
{
    unsigned idx, ti;

    /* No thread runs: take every event off its base, close nothing. */
    for (idx = 0; idx < pool->hw; idx++) {
        struct gf__ev_slot *s = lookup(pool, (int)idx);

        if (atomic_load(&s->state) != GF__EV_FREE)
            apply_mask(s, 0);
        pthread_mutex_destroy(&s->lock);
    }
    for (ti = 0; ti < GF__EV_NTABLES && pool->tables[ti]; ti++)
        munmap(pool->tables[ti], table_bytes(pool));
}
