/* SPDX-License-Identifier: LGPL-3.0-or-later */
/*
 * timer.c - hierarchical timer wheel with O(1) add and cancel.
 *
 * Eight levels of 64 slots; level L holds timers due between 64^L and
 * 64^(L+1) ticks ahead, so 2^48 ticks are covered. A level-L slot is
 * "cascaded" (its timers re-sorted into lower levels) when the clock reaches
 * the start of its 64^L-tick block, and level 0 slots are fired. One 64-bit
 * occupancy bitmap per level finds the next tick with work in a few
 * instructions, which lets the runner sleep until then instead of waking
 * every tick, and lets the clock jump over empty stretches (hours of virtual
 * time cost a handful of steps). Callbacks run with the lock dropped; the
 * timer being fired is kept alive by the wheel's own reference, which is
 * what makes cancel/release safe against the firing in any interleaving.
 */
#include <errno.h>
#include <pthread.h>
#include <signal.h>
#include <stdbool.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <gf/timer.h>

enum {
    LVL_BITS = 6,
    SLOTS = 1 << LVL_BITS,
    SLOT_MASK = SLOTS - 1,
    NLEVELS = 8,
    /* t->where for a timer in no slot: firing, fired or cached. */
    NOWHERE = 0xffff,
    /* t->where for a timer on the work list of the tick being fired. */
    ON_WORK = 0xfffe,
};

/* Recycled handles kept per wheel; none when sanitizing, so that ASan sees
 * any use of a handle after its last reference was given back. */
#ifdef GF_DISABLE_MEMPOOL
static const unsigned cache_max = 0;
#else
static const unsigned cache_max = 1024;
#endif

enum tstate { T_PENDING = 1, T_FIRING, T_DONE, T_CANCELLED, T_FREE };

struct link {
    struct link *next, *prev;
};

struct gf_timer {
    struct link link;
    gf_timer_wheel_t *wheel; /* owner, to refuse a handle of another wheel */
    uint64_t expires;        /* absolute tick */
    gf_timer_cb_t cb;
    void *data;
    uint16_t where; /* level * SLOTS + slot, ON_WORK or NOWHERE */
    uint8_t state;  /* enum tstate */
    uint8_t refs;   /* the caller's, plus the wheel's while pending/firing */
};

struct gf_timer_wheel {
    pthread_mutex_t lock;
    pthread_cond_t cond;
    pthread_t thread;
    bool threaded;
    bool started; /* threaded: the runner exists (from the first timer) */
    bool stop;
    uint64_t tick_ns;
    struct timespec origin; /* CLOCK_MONOTONIC at creation */
    uint64_t vnow_ms;       /* virtual clock of a manual wheel (atomic) */
    uint64_t now;           /* next tick to process */
    uint64_t wake;          /* tick the sleeping runner wakes at; 0 if busy */
    size_t npending;        /* atomic */
    uint64_t bits[NLEVELS];
    struct link slot[NLEVELS][SLOTS];
    struct link work; /* due timers of the tick being fired */
    struct link done; /* fired timers whose caller still holds the handle */
    struct gf_timer *cache;
    unsigned ncache;
};

/* The wheel whose callback this thread is running, to catch re-entry. */
static __thread gf_timer_wheel_t *in_callback;

static inline void
link_init(struct link *h)
{
    h->next = h->prev = h;
}

static inline bool
link_empty(const struct link *h)
{
    return h->next == h;
}

static inline void
link_append(struct link *h, struct link *n)
{
    n->prev = h->prev;
    n->next = h;
    h->prev->next = n;
    h->prev = n;
}

/* Unlink N and leave it self-linked, so a second unlink is harmless. */
static inline void
link_del(struct link *n)
{
    n->prev->next = n->next;
    n->next->prev = n->prev;
    link_init(n);
}

/* Move every node of SRC to the tail of DST; SRC ends empty. */
static inline void
link_splice(struct link *dst, struct link *src)
{
    if (link_empty(src))
        return;
    src->next->prev = dst->prev;
    dst->prev->next = src->next;
    src->prev->next = dst;
    dst->prev = src->prev;
    link_init(src);
}

static inline gf_timer_t *
link_timer(struct link *l)
{
    return gf_container_of(l, gf_timer_t, link);
}

static inline uint64_t
elapsed_ns(const gf_timer_wheel_t *w)
{
    struct timespec ts;

    if (!w->threaded)
        return __atomic_load_n(&w->vnow_ms, __ATOMIC_RELAXED) * 1000000u;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (uint64_t)(ts.tv_sec - w->origin.tv_sec) * 1000000000u +
           (uint64_t)ts.tv_nsec - (uint64_t)w->origin.tv_nsec;
}

static inline void
pending_add(gf_timer_wheel_t *w, long d)
{
    __atomic_fetch_add(&w->npending, (size_t)d, __ATOMIC_RELAXED);
}

/* ---- placement and the clock ------------------------------------------ */

/* Put T in the slot that will be reached (fired or cascaded) first at or
 * before its deadline, relative to w->now. Overdue timers fire next tick. */
static void
place(gf_timer_wheel_t *w, gf_timer_t *t)
{
    uint64_t e = t->expires < w->now ? w->now : t->expires;
    uint64_t delta = e - w->now;
    unsigned lvl = 0;
    unsigned idx;

    while (lvl < NLEVELS - 1 && delta >> (LVL_BITS * (lvl + 1)) != 0)
        lvl++;
    GF_ASSERT(delta >> (LVL_BITS * (lvl + 1)) == 0);
    idx = (unsigned)(e >> (LVL_BITS * lvl)) & SLOT_MASK;
    link_append(&w->slot[lvl][idx], &t->link);
    w->bits[lvl] |= UINT64_C(1) << idx;
    t->where = (uint16_t)(lvl * SLOTS + idx);
}

/* Take T off whatever list it is on, keeping the bitmaps exact. */
static void
unplace(gf_timer_wheel_t *w, gf_timer_t *t)
{
    unsigned lvl, idx;

    link_del(&t->link);
    if (t->where < NLEVELS * SLOTS) {
        lvl = t->where / SLOTS;
        idx = t->where % SLOTS;
        if (link_empty(&w->slot[lvl][idx]))
            w->bits[lvl] &= ~(UINT64_C(1) << idx);
    }
    t->where = NOWHERE;
}

/* Distance from slot START to the first occupied slot of BM (not 0). */
static inline unsigned
first_from(uint64_t bm, unsigned start)
{
    uint64_t r = start ? (bm >> start) | (bm << (SLOTS - start)) : bm;

    return (unsigned)__builtin_ctzll(r);
}

/*
 * The first tick >= w->now at which something happens: a level-0 slot is
 * due, or an occupied higher slot must be cascaded. UINT64_MAX if empty.
 * Every occupied slot is reached within one turn of its level, so the
 * first matching slot index after now is the right one.
 */
static uint64_t
next_event(const gf_timer_wheel_t *w)
{
    uint64_t best = UINT64_MAX;
    unsigned lvl;

    for (lvl = 0; lvl < NLEVELS; lvl++) {
        unsigned sh = LVL_BITS * lvl;
        uint64_t blk, at;

        if (w->bits[lvl] == 0)
            continue;
        /* first block of this level starting at or after now */
        blk = w->now >> sh;
        if (lvl > 0 && (w->now & ((UINT64_C(1) << sh) - 1)) != 0)
            blk++;
        at = (blk + first_from(w->bits[lvl], (unsigned)blk & SLOT_MASK)) << sh;
        if (at < best)
            best = at;
    }
    return best;
}

static void
cascade(gf_timer_wheel_t *w, unsigned lvl)
{
    unsigned idx = (unsigned)(w->now >> (LVL_BITS * lvl)) & SLOT_MASK;
    struct link tmp;

    link_init(&tmp);
    link_splice(&tmp, &w->slot[lvl][idx]);
    w->bits[lvl] &= ~(UINT64_C(1) << idx);
    while (!link_empty(&tmp)) {
        gf_timer_t *t = link_timer(tmp.next);

        link_del(&t->link);
        place(w, t);
    }
}

/* Process tick T (nothing happens between w->now and T): cascade the
 * levels whose block starts at T, then queue level 0's due slot. */
static void
process_tick(gf_timer_wheel_t *w, uint64_t tick)
{
    unsigned lvl, idx;

    GF_ASSERT(tick >= w->now);
    w->now = tick;
    /* A manual wheel's callbacks see the virtual time of their own tick,
     * so a timer re-armed from a callback keeps its period. */
    if (!w->threaded)
        __atomic_store_n(&w->vnow_ms, tick, __ATOMIC_RELAXED);
    for (lvl = 1; lvl < NLEVELS; lvl++) {
        if ((tick & ((UINT64_C(1) << (LVL_BITS * lvl)) - 1)) != 0)
            break;
        cascade(w, lvl);
    }
    idx = (unsigned)tick & SLOT_MASK;
    for (struct link *l = w->slot[0][idx].next; l != &w->slot[0][idx];
         l = l->next)
        link_timer(l)->where = ON_WORK;
    link_splice(&w->work, &w->slot[0][idx]);
    w->bits[0] &= ~(UINT64_C(1) << idx);
    w->now = tick + 1;
}

/* ---- handles ------------------------------------------------------------ */

static gf_timer_t *
timer_alloc(gf_timer_wheel_t *w)
{
    gf_timer_t *t = w->cache;

    if (t) {
        w->cache = (gf_timer_t *)t->data;
        w->ncache--;
    } else {
        t = malloc(sizeof(*t));
        if (!t)
            return NULL;
    }
    memset(t, 0, sizeof(*t));
    link_init(&t->link);
    return t;
}

/* Drop one reference; the last one recycles T. Lock held. */
static void
timer_put(gf_timer_wheel_t *w, gf_timer_t *t)
{
    GF_ASSERT(t->refs > 0 && t->state != T_FREE);
    if (--t->refs > 0)
        return;
    unplace(w, t);
    t->state = T_FREE;
    if (w->ncache < cache_max) {
        t->data = w->cache; /* the cache is linked through data */
        w->cache = t;
        w->ncache++;
    } else {
        free(t);
    }
}

/* Fire the first timer of the work list with the lock dropped. */
static void
fire_one(gf_timer_wheel_t *w)
{
    gf_timer_t *t = link_timer(w->work.next);
    gf_timer_wheel_t *outer = in_callback;

    unplace(w, t);
    t->state = T_FIRING;
    pending_add(w, -1);
    pthread_mutex_unlock(&w->lock);

    in_callback = w;
    t->cb(t->data);
    in_callback = outer;

    pthread_mutex_lock(&w->lock);
    t->state = T_DONE;
    link_append(&w->done, &t->link);
    timer_put(w, t); /* the wheel's reference */
}

/* Run everything due up to and including tick TARGET. Lock held. */
static void
run_until(gf_timer_wheel_t *w, uint64_t target)
{
    while (!w->stop) {
        uint64_t ev;

        if (!link_empty(&w->work)) {
            fire_one(w);
            continue;
        }
        ev = next_event(w);
        if (ev > target)
            break;
        process_tick(w, ev);
    }
    if (!w->stop && w->now <= target)
        w->now = target + 1;
}

/* ---- the runner ----------------------------------------------------- */

static void
sleep_until(gf_timer_wheel_t *w, uint64_t tick)
{
    struct timespec ts;
    uint64_t ns;

    w->wake = tick;
    if (tick == UINT64_MAX) {
        pthread_cond_wait(&w->cond, &w->lock);
    } else {
        ns = (uint64_t)w->origin.tv_nsec + tick * w->tick_ns;
        ts.tv_sec = w->origin.tv_sec + (time_t)(ns / 1000000000u);
        ts.tv_nsec = (long)(ns % 1000000000u);
        pthread_cond_timedwait(&w->cond, &w->lock, &ts);
    }
    w->wake = 0;
}

static void *
runner(void *arg)
{
    gf_timer_wheel_t *w = arg;

    /* Named by itself: prctl, where naming it from outside would open
     * /proc/self/task/<tid>/comm during the start-up. */
    pthread_setname_np(pthread_self(), "gf-timer");
    pthread_mutex_lock(&w->lock);
    while (!w->stop) {
        run_until(w, elapsed_ns(w) / w->tick_ns);
        if (w->stop)
            break;
        sleep_until(w, next_event(w));
    }
    pthread_mutex_unlock(&w->lock);
    return NULL;
}

/* ---- wheel lifecycle ----------------------------------------------------- */

static gf_timer_wheel_t *
wheel_alloc(uint32_t tick_ms, bool threaded)
{
    gf_timer_wheel_t *w = calloc(1, sizeof(*w));
    pthread_condattr_t ca;

    if (!w)
        return NULL;
    w->tick_ns = (uint64_t)tick_ms * 1000000u;
    w->threaded = threaded;
    for (unsigned l = 0; l < NLEVELS; l++)
        for (unsigned s = 0; s < SLOTS; s++)
            link_init(&w->slot[l][s]);
    link_init(&w->work);
    link_init(&w->done);
    clock_gettime(CLOCK_MONOTONIC, &w->origin);
    pthread_mutex_init(&w->lock, NULL);
    pthread_condattr_init(&ca);
    pthread_condattr_setclock(&ca, CLOCK_MONOTONIC);
    pthread_cond_init(&w->cond, &ca);
    pthread_condattr_destroy(&ca);
    return w;
}

static void
free_list(struct link *h)
{
    while (!link_empty(h)) {
        gf_timer_t *t = link_timer(h->next);

        link_del(&t->link);
        free(t);
    }
}

static void
wheel_release(gf_timer_wheel_t *w)
{
    for (unsigned l = 0; l < NLEVELS; l++)
        for (unsigned s = 0; s < SLOTS; s++)
            free_list(&w->slot[l][s]);
    free_list(&w->work);
    free_list(&w->done);
    while (w->cache) {
        gf_timer_t *t = w->cache;

        w->cache = (gf_timer_t *)t->data;
        free(t);
    }
    pthread_cond_destroy(&w->cond);
    pthread_mutex_destroy(&w->lock);
    free(w);
}

/* Under W's lock: start the runner of a threaded wheel if it is not
 * running yet. 0 or -errno. */
static int
start_runner(gf_timer_wheel_t *w)
{
    sigset_t all, old;
    int rc;

    if (!w->threaded || w->started)
        return 0;
    /* No timer was ever placed: the wheel may begin at the current tick
     * instead of walking every tick since its creation. */
    w->now = elapsed_ns(w) / w->tick_ns;
    /* The runner must never take a process signal: the daemon's signal
     * thread sigwait()s for them. Start it with everything blocked. */
    sigfillset(&all);
    pthread_sigmask(SIG_BLOCK, &all, &old);
    rc = pthread_create(&w->thread, NULL, runner, w);
    pthread_sigmask(SIG_SETMASK, &old, NULL);
    if (rc != 0)
        return -rc;
    w->started = true;
    return 0;
}

gf_timer_wheel_t *
gf_timer_wheel_new_tick(uint32_t tick_ms)
{
    gf_timer_wheel_t *w;

    if (tick_ms == 0 || tick_ms > GF_TIMER_MAX_TICK_MS) {
        errno = EINVAL;
        return NULL;
    }
    w = wheel_alloc(tick_ms, true);
    if (!w)
        errno = ENOMEM;
    /* The runner starts with the first timer (start_runner): a process
     * that builds a wheel at start-up does not wait for a thread it needs
     * only later. */
    return w;
}

gf_timer_wheel_t *
gf_timer_wheel_new(void)
{
    return gf_timer_wheel_new_tick(GF_TIMER_DEFAULT_TICK_MS);
}

gf_timer_wheel_t *
gf_timer_wheel_new_manual(void)
{
    gf_timer_wheel_t *w = wheel_alloc(1, false);

    if (!w)
        errno = ENOMEM;
    return w;
}

void
gf_timer_wheel_free(gf_timer_wheel_t *w)
{
    if (!w)
        return;
    /* Joining ourselves would hang; freeing under a running callback of
     * the same wheel is a programmer error. */
    GF_ASSERT(in_callback != w);
    if (w->threaded && w->started) {
        pthread_mutex_lock(&w->lock);
        w->stop = true;
        pthread_cond_signal(&w->cond);
        pthread_mutex_unlock(&w->lock);
        pthread_join(w->thread, NULL);
    }
    wheel_release(w);
}

int
gf_timer_wheel_advance(gf_timer_wheel_t *w, uint64_t ms)
{
    uint64_t target;

    if (!w || w->threaded)
        return -EINVAL;
    if (in_callback == w)
        return -EDEADLK;
    pthread_mutex_lock(&w->lock);
    target = w->vnow_ms + ms;
    run_until(w, target);
    __atomic_store_n(&w->vnow_ms, target, __ATOMIC_RELAXED);
    pthread_mutex_unlock(&w->lock);
    return 0;
}

uint64_t
gf_timer_wheel_now(const gf_timer_wheel_t *w)
{
    return w ? elapsed_ns(w) / 1000000u : 0;
}

size_t
gf_timer_wheel_pending(const gf_timer_wheel_t *w)
{
    return w ? __atomic_load_n(&w->npending, __ATOMIC_RELAXED) : 0;
}

/* ---- timers ---------------------------------------------------------- */

gf_timer_t *
gf_timer_call_after(gf_timer_wheel_t *w, uint64_t delay_ms, gf_timer_cb_t cb,
                    void *data)
{
    gf_timer_t *t;
    uint64_t due_ns;
    int rc;

    if (!w || !cb) {
        errno = EINVAL;
        return NULL;
    }
    if (delay_ms > GF_TIMER_MAX_DELAY_MS)
        delay_ms = GF_TIMER_MAX_DELAY_MS;

    pthread_mutex_lock(&w->lock);
    rc = start_runner(w);
    t = rc == 0 ? timer_alloc(w) : NULL;
    if (!t) {
        pthread_mutex_unlock(&w->lock);
        errno = rc ? -rc : ENOMEM;
        return NULL;
    }
    t->wheel = w;
    t->cb = cb;
    t->data = data;
    t->refs = 2;
    t->state = T_PENDING;
    /* Round up: the tick at which it fires starts no sooner than due. */
    due_ns = elapsed_ns(w) + delay_ms * 1000000u;
    t->expires = (due_ns + w->tick_ns - 1) / w->tick_ns;
    place(w, t);
    pending_add(w, 1);
    if (t->expires < w->wake)
        pthread_cond_signal(&w->cond);
    pthread_mutex_unlock(&w->lock);
    return t;
}

int
gf_timer_cancel(gf_timer_wheel_t *w, gf_timer_t *t)
{
    int ret = -EALREADY;

    if (!w || !t || t->wheel != w)
        return -EINVAL;
    pthread_mutex_lock(&w->lock);
    GF_ASSERT(t->state != T_FREE);
    if (t->state == T_PENDING) {
        unplace(w, t);
        t->state = T_CANCELLED;
        pending_add(w, -1);
        timer_put(w, t); /* the wheel's reference */
        ret = 0;
    }
    timer_put(w, t); /* the caller's */
    pthread_mutex_unlock(&w->lock);
    return ret;
}

void
gf_timer_release(gf_timer_wheel_t *w, gf_timer_t *t)
{
    if (!w || !t || t->wheel != w)
        return;
    pthread_mutex_lock(&w->lock);
    timer_put(w, t);
    pthread_mutex_unlock(&w->lock);
}
