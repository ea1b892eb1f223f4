/* SPDX-License-Identifier: LGPL-3.0-or-later */
/*
 * mem-pool.c - per-thread object pools with a sweeper (DESIGN 4.2).
 *
 * A pool is a descriptor mapping an object size to one of 14 power-of-two
 * classes (128 B .. 1 MiB, a 16-byte object header included). Objects are
 * cached per thread in a "list set" (struct lset), one per thread, found
 * through an initial-exec TLS pointer. Per class a list set has:
 *
 *   hot         a LIFO list only the owner thread touches: plain pops and
 *               pushes, no atomic read-modify-write, no lock. This is the
 *               whole fast path of gf_mem_get and gf_mem_put.
 *   cold        an atomic pointer to a chain (its head records count and
 *               tail). Only the owner stores a non-NULL value; the owner
 *               and the sweeper take it with an exchange, so whoever gets
 *               the chain owns it. The owner pops one object from it (take,
 *               pop, store the rest back) when hot is empty.
 *   remote      a lock-free stack other threads push objects onto when they
 *               put an object this thread allocated (CAS push; push-only
 *               CAS stacks have no ABA problem). The owner takes the whole
 *               stack with one exchange when hot and cold are empty.
 *   remote_old  where the sweeper parks a remote stack for one period, so
 *               objects given back to an idle thread also go back to libc;
 *               the owner may take it back with an exchange.
 *
 * Sweeping: a pass frees every cold and remote_old chain, moves remote to
 * remote_old, and bumps a global epoch. Hot lists cannot be touched by the
 * sweeper, so each owner compares its last seen epoch with the global one
 * (one relaxed load) on every put and on its get slow path and, when it
 * changed, demotes all its hot lists to cold. An object unused for one to
 * two periods thus goes back to libc. A thread that stays idle keeps at
 * most its hot lists, each bounded to HOT_BYTES (at least HOT_MIN objects):
 * a put beyond the bound first moves the whole hot list to cold.
 *
 * Thread exit: a TLS key destructor frees the thread's cached objects and
 * "poisons" each remote stack by exchanging in a sentinel; a put that finds
 * the sentinel frees to libc instead, so nothing is pushed after the drain.
 * The list set is then recycled for the next new thread (which clears the
 * sentinels): objects the dead thread allocated and that are still in use
 * simply return to the new owner. List sets are never freed.
 *
 * Statistics: counters live in the list set and are written only by its
 * owner (relaxed load + store, no lock prefix); readers sum them over all
 * list sets. The fast path counts per class only, in the line that holds
 * the hot list, with counters that also encode the list's length (see
 * struct lclass). Gets that miss the hot list are also counted per pool:
 * each pool owns a slot (14..255) of per-thread counters; pools created when
 * none is free share their class's slot (0..13). Counts that other threads
 * change (objects in cold and remote lists, frees by the sweeper) are
 * global per-class atomics, touched on slow paths only.
 *
 * With GF_DISABLE_MEMPOOL every get is a malloc and every put a free, with
 * no header, so sanitizers and valgrind see each object.
 */
#include <errno.h>
#include <pthread.h>
#include <stdatomic.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <gf/mem-acct.h>
#include <gf/mem-pool.h>

enum {
    NCLASS = GF_MEM_POOL_CLASSES,
    MIN_SHIFT = GF_MEM_POOL_MIN_SHIFT,
    HDR_SIZE = 16,
    MAX_IDS = 256,
    HOT_BYTES = 256 * 1024,
    HOT_MIN = 2,
    DEFAULT_SWEEP_MS = 30000,
};

struct gf_mem_pool {
    unsigned cls;
    unsigned id;    /* slot of its per-thread counters */
    uint64_t stamp; /* header word of its live objects: class, magic */
    struct gf_mem_pool *prev; /* registry, under g_lock */
    struct gf_mem_pool *next;
    size_t obj_size;
    unsigned count_hint;
    _Atomic uint64_t stdc_only; /* gets, when pools are disabled */
    char name[];
};

static pthread_mutex_t g_lock = PTHREAD_MUTEX_INITIALIZER;
/* Set while this thread runs a gf_mem_pools_foreach callback, which holds
 * g_lock: gf_mem_pool_stats must not take it again (statedump calls it
 * from the walk). */
static __thread bool in_foreach;
static struct gf_mem_pool *pools_head, *pools_tail;

static size_t
class_size(unsigned cls)
{
    return (size_t)1 << (cls + MIN_SHIFT);
}

static unsigned
class_of(size_t bytes)
{
    unsigned shift =
        64 - (unsigned)__builtin_clzll((unsigned long long)bytes - 1);

    return shift <= MIN_SHIFT ? 0 : shift - MIN_SHIFT;
}

static uint64_t
ld(const _Atomic uint64_t *c)
{
    return atomic_load_explicit((_Atomic uint64_t *)c, memory_order_relaxed);
}

#ifndef GF_DISABLE_MEMPOOL

/* Header in front of every pooled object. Its second word packs the
 * magic (high half) and the class (low bits), so that one load and one
 * compare check both, and one store re-stamps both. On little-endian
 * machines the magic's bytes are the last before the user bytes, so an
 * underrun hits them first. */
struct ohdr {
    struct lset *owner; /* list set of the allocating thread, or &orphan */
    uint64_t word;      /* magic << 32 | class */
};

/* Class slots: 14 used, padded to 16 so that a class taken from a header
 * word whose magic matched is always a valid index. */
enum { NSLOT = 16 };

static uint64_t
hdr_word(uint32_t magic, unsigned cls)
{
    return (uint64_t)magic << 32 | cls;
}

/* A cached object: the links overlay the (dead) user bytes. */
struct fobj {
    struct ohdr h;
    struct fobj *next;
    struct fobj *tail; /* valid in the head of a cold chain */
    size_t count;      /* valid in the head of a cold chain */
};

_Static_assert(sizeof(struct ohdr) == HDR_SIZE, "header must be 16 bytes");
_Static_assert(sizeof(struct fobj) <= 128, "links must fit the smallest");

/* Per-pool counters of one thread (one slot per pool): slow paths only,
 * so that the fast path touches no per-pool memory. */
struct pstat {
    _Atomic uint64_t cold, remote, stdc;
};

/* Owner-only part of a class: all the fast path touches, one line.
 * Three counters encode the hot list's length and statistics at once:
 *   length = kept + hot_limit - mark     (so a put is fast while kept < mark)
 *   hot gets = mark - base
 * A hot get advances mark, an own put advances kept, and bulk moves (spill,
 * adopt, drop) set mark for the new length and shift base to match. The
 * bound check is thus exact, and no counter exists only for statistics.
 * Atomic only so that readers may load them; the owner is the only writer.
 */
struct lclass {
    _Alignas(64) struct fobj *hot;
    _Atomic uint64_t kept; /* own puts pushed onto the hot list */
    _Atomic uint64_t mark;
    _Atomic uint64_t base;
};

/* Part of a class other threads touch. */
struct sclass {
    _Atomic(struct fobj *) cold;
    _Atomic(struct fobj *) remote;
    _Atomic(struct fobj *) remote_old;
};

struct lset {
    struct lclass lc[NSLOT];
    unsigned epoch;         /* owner-only */
    struct lset *next_all;  /* under g_lock */
    struct lset *next_free; /* under g_lock */
    _Alignas(64) struct sclass sc[NSLOT];
    _Alignas(64) _Atomic uint64_t put_stdc[NSLOT]; /* puts sent to libc */
    _Atomic uint64_t put_remote[NSLOT]; /* puts sent to other threads */
    struct pstat ps[MAX_IDS];
};

/* Counters other threads change; one line per class. */
struct gclass {
    _Alignas(64) _Atomic int64_t off_hot; /* objects in cold/remote lists */
    _Atomic uint64_t to_stdc; /* freed by sweeps, exits, orphan puts */
    struct {                  /* folded in from destroyed pools (g_lock) */
        uint64_t cold, remote, stdc;
    } retired;
};

/* Bound of each hot list: HOT_BYTES of objects, but at least HOT_MIN. */
static const int64_t hot_limit[NSLOT] = {
    HOT_BYTES >> 7,  HOT_BYTES >> 8,  HOT_BYTES >> 9,  HOT_BYTES >> 10,
    HOT_BYTES >> 11, HOT_BYTES >> 12, HOT_BYTES >> 13, HOT_BYTES >> 14,
    HOT_BYTES >> 15, HOT_BYTES >> 16, HOT_BYTES >> 17, HOT_MIN,
    HOT_MIN,         HOT_MIN,         HOT_MIN,         HOT_MIN,
};

_Static_assert(HOT_BYTES >> 17 >= HOT_MIN && HOT_BYTES >> 18 <= HOT_MIN,
               "hot_limit table out of date");

static void
store(_Atomic uint64_t *c, uint64_t v)
{
    atomic_store_explicit(c, v, memory_order_relaxed);
}

static int64_t
hot_len(struct lclass *lc, unsigned cls)
{
    return (int64_t)(ld(&lc->kept) + (uint64_t)hot_limit[cls] - ld(&lc->mark));
}

/* Owner: the hot list of CLS now holds LEN objects (after a bulk move). */
static void
set_len(struct lclass *lc, unsigned cls, int64_t len)
{
    uint64_t mark = ld(&lc->kept) + (uint64_t)(hot_limit[cls] - len);

    store(&lc->base, ld(&lc->base) + (mark - ld(&lc->mark)));
    store(&lc->mark, mark);
}

static void
bump(_Atomic uint64_t *c)
{
    /* Single writer: a plain increment that readers may load safely. */
    atomic_store_explicit(c, atomic_load_explicit(c, memory_order_relaxed) + 1,
                          memory_order_relaxed);
}

static struct fobj poison_obj;
static struct fobj *const POISON = &poison_obj;
/* Owner of objects served without a list set: never anyone's my_ls, so
 * their puts always take the slow path, which frees them. */
static struct lset orphan;

static struct lset *all_ls, *free_ls;
/* Slots 0..NCLASS-1 are the per-class overflow slots, always in use. */
static bool id_used[MAX_IDS];
static uint8_t id_cls[MAX_IDS];
static _Atomic unsigned g_epoch;
static struct gclass gcls[NSLOT];

static __thread struct lset *my_ls __attribute__((tls_model("initial-exec")));
static pthread_key_t ls_key;
static pthread_once_t key_once = PTHREAD_ONCE_INIT;
static bool key_ok;

static void
off_hot_add(unsigned cls, int64_t n)
{
    atomic_fetch_add_explicit(&gcls[cls].off_hot, n, memory_order_relaxed);
}

/* Free a chain we own; returns the number of objects freed. */
static uint64_t
free_chain(struct fobj *o)
{
    uint64_t n = 0;

    while (o) {
        struct fobj *next = o->next;

        free(o);
        o = next;
        n++;
    }
    return n;
}

/* N objects that were cached (OFF_HOT of them off the hot lists) went
 * back to libc. */
static void
count_stdc_frees(unsigned cls, uint64_t n, int64_t off_hot)
{
    if (n) {
        atomic_fetch_add_explicit(&gcls[cls].to_stdc, n, memory_order_relaxed);
        if (off_hot)
            off_hot_add(cls, -off_hot);
    }
}

/* Owner: move the whole hot list of CLS in front of the cold chain. The
 * walk to its tail is paid once per spill of up to `limit` objects. */
static void
spill(struct lset *ls, unsigned cls)
{
    struct lclass *lc = &ls->lc[cls];
    struct sclass *sc = &ls->sc[cls];
    int64_t n = hot_len(lc, cls);
    struct fobj *head = lc->hot, *tail, *old;

    if (!head)
        return;
    for (tail = head; tail->next; tail = tail->next)
        ;
    old = atomic_exchange_explicit(&sc->cold, NULL, memory_order_acquire);
    tail->next = old;
    head->tail = old ? old->tail : tail;
    head->count = (size_t)n + (old ? old->count : 0);
    /* Only the owner stores non-NULL here, so nothing can be overwritten:
     * the sweeper may only have exchanged in another NULL meanwhile. */
    atomic_store_explicit(&sc->cold, head, memory_order_release);
    lc->hot = NULL;
    set_len(lc, cls, 0);
    off_hot_add(cls, n);
}

/* Owner: the sweeper bumped the epoch; move every hot list to cold. */
static void
demote(struct lset *ls)
{
    ls->epoch = atomic_load_explicit(&g_epoch, memory_order_relaxed);
    for (unsigned c = 0; c < NCLASS; c++)
        spill(ls, c);
}

/* Owner: take one object off the cold chain of CLS. */
static struct fobj *
pop_cold(struct lset *ls, unsigned cls)
{
    struct sclass *sc = &ls->sc[cls];
    struct fobj *h, *rest;

    if (!atomic_load_explicit(&sc->cold, memory_order_relaxed))
        return NULL;
    h = atomic_exchange_explicit(&sc->cold, NULL, memory_order_acquire);
    if (!h)
        return NULL;
    rest = h->next;
    if (rest) {
        rest->tail = h->tail;
        rest->count = h->count - 1;
        atomic_store_explicit(&sc->cold, rest, memory_order_release);
    }
    off_hot_add(cls, -1);
    return h;
}

/* Owner, hot empty: adopt what other threads gave back. */
static struct fobj *
take_remote(struct lset *ls, unsigned cls)
{
    struct lclass *lc = &ls->lc[cls];
    struct sclass *sc = &ls->sc[cls];
    struct fobj *r, *o;
    uint32_t n = 0;

    r = atomic_exchange_explicit(&sc->remote, NULL, memory_order_acquire);
    if (!r)
        r = atomic_exchange_explicit(&sc->remote_old, NULL,
                                     memory_order_acquire);
    if (!r)
        return NULL;
    for (o = r->next; o; o = o->next)
        n++;
    lc->hot = r->next;
    set_len(lc, cls, n);
    off_hot_add(cls, -(int64_t)(n + 1));
    if (n > hot_limit[cls])
        spill(ls, cls);
    return r;
}

static void lset_exit(void *arg);

static void
make_key(void)
{
    key_ok = pthread_key_create(&ls_key, lset_exit) == 0;
}

static struct lset *
lset_new(void)
{
    struct lset *ls = aligned_alloc(64, sizeof(*ls));

    if (!ls)
        return NULL;
    memset(ls, 0, sizeof(*ls));
    for (unsigned c = 0; c < NCLASS; c++)
        set_len(&ls->lc[c], c, 0);
    ls->next_all = all_ls;
    all_ls = ls;
    return ls;
}

/* First pool use by this thread: get a recycled or new list set. */
static struct lset *
attach(void)
{
    struct lset *ls;

    pthread_once(&key_once, make_key);
    if (!key_ok)
        return NULL;
    pthread_mutex_lock(&g_lock);
    ls = free_ls;
    if (ls)
        free_ls = ls->next_free;
    else
        ls = lset_new();
    if (ls) {
        ls->epoch = atomic_load_explicit(&g_epoch, memory_order_relaxed);
        for (unsigned c = 0; c < NCLASS; c++)
            atomic_store_explicit(&ls->sc[c].remote, NULL,
                                  memory_order_relaxed);
    }
    pthread_mutex_unlock(&g_lock);
    if (ls && pthread_setspecific(ls_key, ls) != 0) {
        /* Without the destructor its objects would never be released:
         * give the set back (unpoisoned is fine, nothing cached yet). */
        pthread_mutex_lock(&g_lock);
        ls->next_free = free_ls;
        free_ls = ls;
        pthread_mutex_unlock(&g_lock);
        ls = NULL;
    }
    my_ls = ls;
    return ls;
}

/* Free the caller's own hot lists (owner only). */
static void
drop_hot(struct lset *ls)
{
    for (unsigned c = 0; c < NCLASS; c++) {
        struct lclass *lc = &ls->lc[c];
        uint64_t n = free_chain(lc->hot);

        lc->hot = NULL;
        set_len(lc, c, 0);
        count_stdc_frees(c, n, 0);
    }
}

/* TLS destructor: free the thread's cache, poison, recycle the set. */
static void
lset_exit(void *arg)
{
    struct lset *ls = arg;

    drop_hot(ls);
    for (unsigned c = 0; c < NCLASS; c++) {
        struct sclass *sc = &ls->sc[c];
        uint64_t n;

        n = free_chain(
            atomic_exchange_explicit(&sc->cold, NULL, memory_order_acquire));
        n += free_chain(atomic_exchange_explicit(&sc->remote, POISON,
                                                 memory_order_acquire));
        n += free_chain(atomic_exchange_explicit(&sc->remote_old, NULL,
                                                 memory_order_acquire));
        count_stdc_frees(c, n, (int64_t)n);
    }
    my_ls = NULL;
    pthread_mutex_lock(&g_lock);
    ls->next_free = free_ls;
    free_ls = ls;
    pthread_mutex_unlock(&g_lock);
}

static void *
stamp(struct fobj *o, const gf_mem_pool_t *pool)
{
    o->h.word = pool->stamp;
    return (char *)o + HDR_SIZE;
}

static uint64_t
make_stamp(unsigned cls)
{
    return hdr_word(GF_MEM_POOL_MAGIC, cls);
}

/* Get, hot list empty (or no list set yet, or POOL NULL). */
__attribute__((noinline)) static void *
get_slow(struct lset *ls, gf_mem_pool_t *pool)
{
    unsigned cls, id;
    struct fobj *o;

    if (!pool) {
        errno = EINVAL;
        return NULL;
    }
    if (!ls && !(ls = attach())) {
        /* No list set: serve an orphan, which its put frees. */
        if (!(o = malloc(class_size(pool->cls))))
            goto nomem;
        o->h.owner = &orphan;
        return stamp(o, pool);
    }
    cls = pool->cls;
    id = pool->id;
    if (ls->lc[cls].hot)
        return gf_mem_get(pool); /* the list set was just attached */
    if (ls->epoch != atomic_load_explicit(&g_epoch, memory_order_relaxed))
        demote(ls);
    if ((o = pop_cold(ls, cls))) {
        bump(&ls->ps[id].cold);
    } else if ((o = take_remote(ls, cls))) {
        bump(&ls->ps[id].remote);
    } else if ((o = malloc(class_size(cls)))) {
        o->h.owner = ls;
        bump(&ls->ps[id].stdc);
    } else {
        goto nomem;
    }
    return stamp(o, pool);
nomem:
    errno = ENOMEM;
    return NULL;
}

void *
gf_mem_get(gf_mem_pool_t *pool)
{
    struct lset *ls = my_ls;
    struct lclass *lc;
    struct fobj *o;

    if (GF_UNLIKELY(!ls || !pool))
        return get_slow(ls, pool);
    lc = &ls->lc[pool->cls];
    o = lc->hot;
    if (GF_UNLIKELY(!o))
        return get_slow(ls, pool);
    lc->hot = o->next;
    bump(&lc->mark); /* one fewer in the list, one more hot get */
    return stamp(o, pool);
}

/* Put by a thread that is not the owner (or has no list set). */
static void
put_foreign(struct lset *ls, struct fobj *o)
{
    struct lset *owner = o->h.owner;
    unsigned cls = (unsigned)(o->h.word & (NSLOT - 1));
    _Atomic(struct fobj *) *top;
    struct fobj *head;

    if (!ls)
        ls = attach(); /* only to count; NULL is fine */
    if (owner == &orphan)
        goto to_libc;
    top = &owner->sc[cls].remote;
    head = atomic_load_explicit(top, memory_order_relaxed);
    do {
        if (head == POISON)
            goto to_libc; /* the owner has exited and drained */
        o->next = head;
    } while (!atomic_compare_exchange_weak_explicit(
        top, &head, o, memory_order_release, memory_order_relaxed));
    off_hot_add(cls, 1);
    if (ls)
        bump(&ls->put_remote[cls]);
    return;
to_libc:
    free(o);
    if (ls)
        bump(&ls->put_stdc[cls]);
    else
        count_stdc_frees(cls, 1, 0);
}

/* Put, anything but the plain push onto our own, not full, hot list. */
__attribute__((noinline)) static void
put_slow(struct lset *ls, struct fobj *o)
{
    struct lclass *lc;
    unsigned cls;

    if (o->h.owner != ls) {
        put_foreign(ls, o);
        return;
    }
    if (ls->epoch != atomic_load_explicit(&g_epoch, memory_order_relaxed))
        demote(ls);
    cls = (unsigned)(o->h.word & (NSLOT - 1));
    lc = &ls->lc[cls];
    if (ld(&lc->kept) >= ld(&lc->mark))
        spill(ls, cls);
    o->next = lc->hot;
    lc->hot = o;
    bump(&lc->kept);
}

void
gf_mem_put(void *ptr)
{
    struct lset *ls = my_ls;
    struct lclass *lc;
    struct fobj *o;
    uint64_t kept, w;
    unsigned cls;

    if (!ptr)
        return;
    o = (struct fobj *)((char *)ptr - HDR_SIZE);
    /* One compare checks the magic, the padding and cls < NSLOT. */
    w = o->h.word;
    GF_ASSERT((w & ~(uint64_t)(NSLOT - 1)) == hdr_word(GF_MEM_POOL_MAGIC, 0));
    cls = (unsigned)(w & (NSLOT - 1));
    o->h.word = hdr_word(GF_MEM_POOL_FREE_MAGIC, cls);
    /* An owner is never NULL, so a thread without a list set always takes
     * the slow path. */
    if (GF_UNLIKELY(o->h.owner != ls ||
                    ls->epoch !=
                        atomic_load_explicit(&g_epoch, memory_order_relaxed))) {
        put_slow(ls, o);
        return;
    }
    lc = &ls->lc[cls];
    kept = ld(&lc->kept);
    if (GF_UNLIKELY(kept >= ld(&lc->mark))) {
        put_slow(ls, o);
        return;
    }
    o->next = lc->hot;
    lc->hot = o;
    atomic_store_explicit(&lc->kept, kept + 1, memory_order_relaxed);
}

void *
gf_mem_get0(gf_mem_pool_t *pool)
{
    void *p = gf_mem_get(pool);

    if (p)
        memset(p, 0, pool->obj_size);
    return p;
}

size_t
gf_mem_pool_obj_size(const gf_mem_pool_t *pool)
{
    return pool ? class_size(pool->cls) - HDR_SIZE : 0;
}

/* Sweeper side of one class of one list set (g_lock held). */
static void
sweep_class(struct lset *ls, unsigned cls)
{
    struct sclass *sc = &ls->sc[cls];
    struct fobj *r;
    uint64_t n;

    n = free_chain(
        atomic_exchange_explicit(&sc->cold, NULL, memory_order_acquire));
    n += free_chain(
        atomic_exchange_explicit(&sc->remote_old, NULL, memory_order_acquire));
    /* Park the remote stack for one period; leave a poisoned one alone. */
    r = atomic_load_explicit(&sc->remote, memory_order_acquire);
    while (r && r != POISON &&
           !atomic_compare_exchange_weak_explicit(&sc->remote, &r, NULL,
                                                  memory_order_acquire,
                                                  memory_order_acquire))
        ;
    if (r && r != POISON)
        n += free_chain(
            atomic_exchange_explicit(&sc->remote_old, r, memory_order_acq_rel));
    count_stdc_frees(cls, n, (int64_t)n);
}

void
gf_mem_pools_sweep(void)
{
    pthread_mutex_lock(&g_lock);
    for (struct lset *ls = all_ls; ls; ls = ls->next_all)
        for (unsigned c = 0; c < NCLASS; c++)
            sweep_class(ls, c);
    atomic_fetch_add_explicit(&g_epoch, 1, memory_order_relaxed);
    pthread_mutex_unlock(&g_lock);
    if (my_ls)
        demote(my_ls);
}

/* Free everything cached that the caller may touch (gf_mem_pools_fini). */
static void
release_all(void)
{
    if (my_ls)
        drop_hot(my_ls);
    /* Two passes: the first parks remote stacks, the second frees them. */
    pthread_mutex_lock(&g_lock);
    for (int pass = 0; pass < 2; pass++)
        for (struct lset *ls = all_ls; ls; ls = ls->next_all)
            for (unsigned c = 0; c < NCLASS; c++)
                sweep_class(ls, c);
    pthread_mutex_unlock(&g_lock);
}

/* A counter slot for a new pool of class CLS (g_lock held). */
static unsigned
id_alloc(unsigned cls)
{
    for (unsigned id = NCLASS; id < MAX_IDS; id++) {
        if (id_used[id])
            continue;
        id_used[id] = true;
        id_cls[id] = (uint8_t)cls;
        for (struct lset *ls = all_ls; ls; ls = ls->next_all)
            memset(&ls->ps[id], 0, sizeof(ls->ps[id]));
        return id;
    }
    return cls; /* the class's shared overflow slot */
}

/* Sum slot ID over all list sets (g_lock held). */
static void
sum_id(unsigned id, gf_mem_pool_stats_t *out)
{
    for (struct lset *ls = all_ls; ls; ls = ls->next_all) {
        out->cold_allocs += ld(&ls->ps[id].cold);
        out->remote_allocs += ld(&ls->ps[id].remote);
        out->stdc_allocs += ld(&ls->ps[id].stdc);
    }
}

/* A pool is gone (g_lock held): fold its counts into its class and free
 * its slot (id_alloc zeroes it for the next pool). */
static void
id_release(unsigned id)
{
    gf_mem_pool_stats_t st = {0};
    struct gclass *g;

    if (id < NCLASS)
        return;
    sum_id(id, &st);
    g = &gcls[id_cls[id]];
    g->retired.cold += st.cold_allocs;
    g->retired.remote += st.remote_allocs;
    g->retired.stdc += st.stdc_allocs;
    id_used[id] = false;
}

/* Add the per-thread counters of class CLS to OUT (g_lock held). */
static int64_t
sum_class(unsigned cls, gf_mem_class_stats_t *out)
{
    int64_t hot = 0;

    for (struct lset *ls = all_ls; ls; ls = ls->next_all) {
        struct lclass *lc = &ls->lc[cls];

        out->hot_allocs += ld(&lc->mark) - ld(&lc->base);
        out->frees_to_list += ld(&lc->kept) + ld(&ls->put_remote[cls]);
        out->frees_to_stdc += ld(&ls->put_stdc[cls]);
        hot += hot_len(lc, cls);
    }
    return hot;
}

int
gf_mem_pools_class_stats(unsigned cls, gf_mem_class_stats_t *out)
{
    gf_mem_pool_stats_t st = {0};
    struct gclass *g;
    int64_t cached;

    if (cls >= NCLASS || !out)
        return -EINVAL;
    g = &gcls[cls];
    memset(out, 0, sizeof(*out));
    out->size = class_size(cls);
    pthread_mutex_lock(&g_lock);
    for (unsigned id = 0; id < MAX_IDS; id++)
        if (id == cls || (id >= NCLASS && id_used[id] && id_cls[id] == cls))
            sum_id(id, &st);
    out->cold_allocs = st.cold_allocs + g->retired.cold;
    out->remote_allocs = st.remote_allocs + g->retired.remote;
    out->stdc_allocs = st.stdc_allocs + g->retired.stdc;
    cached = sum_class(cls, out);
    pthread_mutex_unlock(&g_lock);
    out->frees_to_stdc +=
        atomic_load_explicit(&g->to_stdc, memory_order_relaxed);
    cached += atomic_load_explicit(&g->off_hot, memory_order_relaxed);
    out->cached = cached > 0 ? (uint64_t)cached : 0;
    return 0;
}

#else /* GF_DISABLE_MEMPOOL: plain malloc, for sanitizers */

static unsigned
id_alloc(unsigned cls)
{
    (void)cls;
    return 0;
}

static uint64_t
make_stamp(unsigned cls)
{
    (void)cls;
    return 0;
}

static void
id_release(unsigned id)
{
    (void)id;
}

static void
sum_id(unsigned id, gf_mem_pool_stats_t *out)
{
    (void)id;
    (void)out;
}

static void
release_all(void)
{
}

void *
gf_mem_get(gf_mem_pool_t *pool)
{
    if (!pool) {
        errno = EINVAL;
        return NULL;
    }
    atomic_fetch_add_explicit(&pool->stdc_only, 1, memory_order_relaxed);
    return malloc(pool->obj_size);
}

void *
gf_mem_get0(gf_mem_pool_t *pool)
{
    if (!pool) {
        errno = EINVAL;
        return NULL;
    }
    atomic_fetch_add_explicit(&pool->stdc_only, 1, memory_order_relaxed);
    return calloc(1, pool->obj_size);
}

void
gf_mem_put(void *obj)
{
    free(obj);
}

size_t
gf_mem_pool_obj_size(const gf_mem_pool_t *pool)
{
    return pool ? pool->obj_size : 0;
}

void
gf_mem_pools_sweep(void)
{
}

int
gf_mem_pools_class_stats(unsigned cls, gf_mem_class_stats_t *out)
{
    if (cls >= NCLASS || !out)
        return -EINVAL;
    memset(out, 0, sizeof(*out));
    out->size = class_size(cls);
    return 0;
}

#endif /* GF_DISABLE_MEMPOOL */

gf_mem_pool_t *
gf_mem_pool_new(const char *name, size_t obj_size, unsigned count_hint)
{
    gf_mem_pool_t *pool;
    size_t len;

    if (!name || obj_size == 0 ||
        obj_size > ((size_t)1 << GF_MEM_POOL_MAX_SHIFT) - 16) {
        errno = EINVAL;
        return NULL;
    }
    len = strlen(name) + 1;
    pool = gf_malloc(NULL, GF_MT_MEM_POOL, sizeof(*pool) + len);
    if (!pool)
        return NULL;
    memcpy(pool->name, name, len);
    pool->obj_size = obj_size;
    pool->count_hint = count_hint;
    pool->cls = class_of(obj_size + 16);
    atomic_init(&pool->stdc_only, 0);
    pool->next = NULL;
    pthread_mutex_lock(&g_lock);
    pool->id = id_alloc(pool->cls);
    pool->stamp = make_stamp(pool->cls);
    pool->prev = pools_tail;
    if (pools_tail)
        pools_tail->next = pool;
    else
        pools_head = pool;
    pools_tail = pool;
    pthread_mutex_unlock(&g_lock);
    return pool;
}

void
gf_mem_pool_destroy(gf_mem_pool_t *pool)
{
    if (!pool)
        return;
    pthread_mutex_lock(&g_lock);
    if (pool->prev)
        pool->prev->next = pool->next;
    else
        pools_head = pool->next;
    if (pool->next)
        pool->next->prev = pool->prev;
    else
        pools_tail = pool->prev;
    id_release(pool->id);
    pthread_mutex_unlock(&g_lock);
    gf_free(pool);
}

const char *
gf_mem_pool_name(const gf_mem_pool_t *pool)
{
    return pool ? pool->name : NULL;
}

int
gf_mem_pool_stats(const gf_mem_pool_t *pool, gf_mem_pool_stats_t *out)
{
    if (!pool || !out)
        return -EINVAL;
    memset(out, 0, sizeof(*out));
    out->name = pool->name;
    out->obj_size = pool->obj_size;
    out->class_size = class_size(pool->cls);
    out->count_hint = pool->count_hint;
    if (!in_foreach)
        pthread_mutex_lock(&g_lock);
    sum_id(pool->id, out);
    if (!in_foreach)
        pthread_mutex_unlock(&g_lock);
    out->stdc_allocs += ld(&pool->stdc_only);
    return 0;
}

int
gf_mem_pools_foreach(gf_mem_pool_cb_t cb, void *data)
{
    int ret = 0;

    if (!cb)
        return -EINVAL;
    pthread_mutex_lock(&g_lock);
    in_foreach = true;
    for (gf_mem_pool_t *p = pools_head; p && ret == 0; p = p->next)
        ret = cb(p, data);
    in_foreach = false;
    pthread_mutex_unlock(&g_lock);
    return ret;
}

/* ---- the sweeper thread ---------------------------------------------- */

/* life_lock serializes init and fini (a whole start or stop-and-join);
 * sw_lock only guards the sweeper's stop flag and its wait. */
static pthread_mutex_t life_lock = PTHREAD_MUTEX_INITIALIZER;
static unsigned sw_refs;

#ifndef GF_DISABLE_MEMPOOL
static pthread_mutex_t sw_lock = PTHREAD_MUTEX_INITIALIZER;
static pthread_cond_t sw_cond;
static pthread_t sw_thread;
static unsigned sw_interval_ms;
static bool sw_stop;

static void *
sweeper(void *arg)
{
    struct timespec ts;

    (void)arg;
    pthread_setname_np(pthread_self(), "gf-memsweep"); /* prctl: see timer.c */
    pthread_mutex_lock(&sw_lock);
    while (!sw_stop) {
        clock_gettime(CLOCK_MONOTONIC, &ts);
        ts.tv_sec += sw_interval_ms / 1000;
        ts.tv_nsec += (long)(sw_interval_ms % 1000) * 1000000L;
        if (ts.tv_nsec >= 1000000000L) {
            ts.tv_sec++;
            ts.tv_nsec -= 1000000000L;
        }
        while (!sw_stop &&
               pthread_cond_timedwait(&sw_cond, &sw_lock, &ts) != ETIMEDOUT)
            ;
        if (sw_stop)
            break;
        /* Sweep without sw_lock so that fini can ask us to stop. */
        pthread_mutex_unlock(&sw_lock);
        gf_mem_pools_sweep();
        pthread_mutex_lock(&sw_lock);
    }
    pthread_mutex_unlock(&sw_lock);
    return NULL;
}

static int
sweeper_start(unsigned interval_ms)
{
    pthread_condattr_t attr;
    int ret;

    ret = pthread_condattr_init(&attr);
    if (ret == 0) {
        pthread_condattr_setclock(&attr, CLOCK_MONOTONIC);
        ret = pthread_cond_init(&sw_cond, &attr);
        pthread_condattr_destroy(&attr);
    }
    if (ret != 0)
        return -ret;
    sw_interval_ms = interval_ms ? interval_ms : DEFAULT_SWEEP_MS;
    sw_stop = false;
    ret = pthread_create(&sw_thread, NULL, sweeper, NULL);
    if (ret != 0) {
        pthread_cond_destroy(&sw_cond);
        return -ret;
    }
    return 0;
}

#endif /* !GF_DISABLE_MEMPOOL */

int
gf_mem_pools_init(unsigned sweep_interval_ms)
{
    int ret = 0;

    pthread_mutex_lock(&life_lock);
#ifndef GF_DISABLE_MEMPOOL
    if (sw_refs == 0)
        ret = sweeper_start(sweep_interval_ms);
#else
    (void)sweep_interval_ms;
#endif
    if (ret == 0)
        sw_refs++;
    pthread_mutex_unlock(&life_lock);
    return ret;
}

void
gf_mem_pools_fini(void)
{
    pthread_mutex_lock(&life_lock);
    if (sw_refs == 0 || --sw_refs > 0) {
        pthread_mutex_unlock(&life_lock);
        return;
    }
#ifndef GF_DISABLE_MEMPOOL
    pthread_mutex_lock(&sw_lock);
    sw_stop = true;
    pthread_cond_signal(&sw_cond);
    pthread_mutex_unlock(&sw_lock);
    pthread_join(sw_thread, NULL);
    pthread_cond_destroy(&sw_cond);
#endif
    release_all();
    pthread_mutex_unlock(&life_lock);
}
