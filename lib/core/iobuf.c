/* SPDX-License-Identifier: LGPL-3.0-or-later */
/*
 * iobuf.c - I/O buffer arenas with per-thread caches, and iobrefs.
 *
 * Layout. A pool has eight page classes (table below). Each arena is one
 * anonymous mmap holding the class's pages, then the arena header, then one
 * descriptor (struct gf_iobuf) per page, so an arena costs no malloc and its
 * pages are naturally aligned up to 4 KiB. Descriptors are initialised
 * lazily ("fresh" index) so a new arena touches no memory until used. Per
 * class the pool keeps three lists: active (arenas with a free page),
 * filled (none free) and purge (idle arenas parked). When an arena's last
 * page comes back it is unmapped ("pruned") unless it is the only arena of
 * its class, in which case it parks on purge; a class that needs another
 * arena first takes the parked one back ("unprune") before mapping a new one.
 * All of that runs under one pool mutex.
 *
 * Speed. The mutex is what made upstream's arenas lose to malloc, so every
 * thread keeps a cache in front of them: per class a small LIFO magazine of
 * free iobufs, bounded per class (64 small pages down to 2 of 1 MiB).
 * Pages of 128 KiB and up get magazines of 2 pages: deep ones kept
 * up to 2 MiB resident on every thread that frees I/O, while none at all
 * sent every get and put of them through the pool lock, which two threads
 * doing sequential I/O fight over (x0.02 of tcmalloc in bench-iobuf).
 * gf_iobuf_get pops from the
 * magazine; the last gf_iobuf_unref pushes to the *unreffing* thread's
 * cache, whoever got the buffer. Only an empty or full magazine takes the pool
 * lock, and then moves half a magazine at once. The refcount is the one atomic:
 * a holder that sees a count of 1 is the only holder, so even the final
 * decrement is a plain load and store.
 *
 * Lifetime. A thread cache belongs to one pool at a time; it "attaches"
 * under the pool lock (pool->caches counts attached caches) and detaches,
 * returning every cached iobuf, when the thread touches another pool, calls
 * gf_iobuf_cache_flush, or exits (a pthread key destructor). pool->out
 * counts pages outside the arenas (in use, or in some cache) plus live
 * plain allocations. gf_iobuf_pool_free only marks the pool dead; whoever
 * brings "dead, nothing out" about unmaps the arenas, and whoever brings
 * "dead, nothing out, no cache attached" about frees the pool itself. So an
 * attached cache never points at freed memory, iobufs outlive the pool's
 * owner safely, and no generation numbers are needed.
 *
 * Requests above 1 MiB, and every request when built with
 * GF_DISABLE_MEMPOOL (sanitizer builds), are plain posix_memalign
 * allocations of exactly the page size, counted under the pool lock.
 * Iobrefs live in iobref.c.
 */
#include <errno.h>
#include <pthread.h>
#include <stdatomic.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>

#include <gf/iobuf.h>

#ifdef GF_DISABLE_MEMPOOL
static const bool use_arenas = false;
#else
static const bool use_arenas = true;
#endif

/* Slow paths stay out of line so the fast paths need no stack frame. */
#define SLOW_PATH __attribute__((noinline, cold))

enum {
    CACHE_MAX = 64,    /* largest magazine */
    CLASS_MISS = 0xff, /* cls of a plain allocation above 1 MiB */
    MAP_ALIGN = 4096,
};

/* The arena table: page size, pages per arena, thread cache bound. */
static const struct {
    size_t page;
    unsigned count;
    unsigned cache;
} table[GF_IOBUF_CLASSES] = {
    {128, 1024, 64}, {512, 512, 64},  {2048, 512, 64}, {8192, 128, 32},
    {32768, 64, 8},  {131072, 32, 2}, {262144, 8, 2},  {1048576, 2, 2},
};

/* Class by the highest set bit of (size - 1) | 64, for 1 <= size <= 1 MiB:
 * bit 6 means size <= 128, bit 7 or 8 size <= 512, and so on. */
static const uint8_t by_bit[20] = {
    0, 0, 0, 0, 0, 0, 0, 1, 1, 2, 2, 3, 3, 4, 4, 5, 5, 6, 7, 7,
};

enum { LIST_ACTIVE, LIST_FILLED, LIST_PURGE, LISTS };

struct link {
    struct link *prev, *next;
};

struct arena;

struct gf_iobuf {
    struct gf_iobuf_head head; /* ptr and size, read inline by users */
    _Atomic unsigned ref;
    unsigned cls;        /* class index, or CLASS_MISS */
    struct arena *arena; /* NULL for a plain allocation */
    gf_iobuf_pool_t *pool;
    gf_iobuf_t *next; /* arena free list */
};

_Static_assert(offsetof(struct gf_iobuf, head) == 0,
               "gf_iobuf_ptr reads the head at the start of an iobuf");

struct arena {
    struct link link; /* in one of the class's lists */
    gf_iobuf_pool_t *pool;
    char *base; /* the mapping; pages start here */
    size_t maplen;
    unsigned cls, count;
    unsigned used;  /* pages out of this arena */
    unsigned fresh; /* descriptors initialised so far */
    unsigned list;  /* LIST_* it is on */
    gf_iobuf_t *free;
    gf_iobuf_t bufs[];
};

struct klass {
    struct link lists[LISTS];
    unsigned n[LISTS];
    uint64_t out, allocs, maps, prunes, unprunes;
};

struct gf_iobuf_pool {
    pthread_mutex_t lock;
    bool dead;       /* gf_iobuf_pool_free was called */
    unsigned caches; /* thread caches attached */
    uint64_t out;    /* pages and plain allocations not returned */
    uint64_t misses, miss_live;
    struct klass cls[GF_IOBUF_CLASSES];
};

/* The pool pointer and the magazine depths share one cache line, so a
 * cached get or unref touches that line and one line of items[]. */
struct tcache {
    gf_iobuf_pool_t *pool; /* attached pool, or NULL */
    unsigned n[GF_IOBUF_CLASSES];
    gf_iobuf_t *items[GF_IOBUF_CLASSES][CACHE_MAX];
};

/* Work decided under the lock and done after dropping it. */
struct reap {
    struct arena *unmap; /* chained through link.next */
    bool free_pool;
};

/* initial-exec: libgf is linked, not dlopen'd, and this keeps the fast
 * path free of __tls_get_addr calls. */
static __thread struct tcache *tls_cache
    __attribute__((tls_model("initial-exec")));
static pthread_key_t cache_key;
static pthread_once_t cache_once = PTHREAD_ONCE_INIT;
static bool cache_key_ok;

static inline unsigned
class_of(size_t size)
{
    return by_bit[63 - __builtin_clzll(((unsigned long long)size - 1) | 64)];
}

static inline void
link_init(struct link *h)
{
    h->prev = h->next = h;
}

static inline void
link_del(struct link *l)
{
    l->prev->next = l->next;
    l->next->prev = l->prev;
}

static inline void
link_push(struct link *h, struct link *l)
{
    l->next = h->next;
    l->prev = h;
    h->next->prev = l;
    h->next = l;
}

static inline struct arena *
list_first(struct klass *k, unsigned list)
{
    struct link *h = &k->lists[list];

    return h->next == h ? NULL : gf_container_of(h->next, struct arena, link);
}

static void
arena_move(struct klass *k, struct arena *a, unsigned to)
{
    link_del(&a->link);
    k->n[a->list]--;
    link_push(&k->lists[to], &a->link);
    k->n[to]++;
    a->list = to;
}

static struct arena *
arena_map(gf_iobuf_pool_t *pool, unsigned cls)
{
    size_t data = table[cls].page * table[cls].count;
    size_t meta = sizeof(struct arena) + table[cls].count * sizeof(gf_iobuf_t);
    size_t len = (data + meta + MAP_ALIGN - 1) & ~(size_t)(MAP_ALIGN - 1);
    struct klass *k = &pool->cls[cls];
    struct arena *a;
    char *base;

    base = mmap(NULL, len, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS,
                -1, 0);
    if (base == MAP_FAILED)
        return NULL;
    /* data is a multiple of 128, so the header is suitably aligned. */
    a = (struct arena *)(base + data);
    a->pool = pool;
    a->base = base;
    a->maplen = len;
    a->cls = cls;
    a->count = table[cls].count;
    a->used = a->fresh = 0;
    a->free = NULL;
    a->list = LIST_ACTIVE;
    link_push(&k->lists[LIST_ACTIVE], &a->link);
    k->n[LIST_ACTIVE]++;
    k->maps++;
    return a;
}

/* A class ran dry: unprune its parked arena, or map a new one. */
static struct arena *
arena_add(gf_iobuf_pool_t *pool, unsigned cls)
{
    struct klass *k = &pool->cls[cls];
    struct arena *a = list_first(k, LIST_PURGE);

    if (a) {
        arena_move(k, a, LIST_ACTIVE);
        k->unprunes++;
        return a;
    }
    return arena_map(pool, cls);
}

static inline gf_iobuf_t *
arena_pop(struct arena *a)
{
    gf_iobuf_t *iob = a->free;

    if (iob) {
        a->free = iob->next;
    } else {
        iob = &a->bufs[a->fresh];
        iob->cls = a->cls;
        iob->head.ptr = a->base + (size_t)a->fresh * table[a->cls].page;
        iob->head.size = table[a->cls].page;
        iob->arena = a;
        iob->pool = a->pool;
        a->fresh++;
    }
    a->used++;
    return iob;
}

/* Under the lock: take up to WANT pages of class CLS into OUT. */
static unsigned
class_take(gf_iobuf_pool_t *pool, unsigned cls, gf_iobuf_t **out, unsigned want)
{
    struct klass *k = &pool->cls[cls];
    unsigned got = 0;

    while (got < want) {
        struct arena *a = list_first(k, LIST_ACTIVE);

        if (!a && !(a = arena_add(pool, cls)))
            break;
        while (got < want && a->used < a->count)
            out[got++] = arena_pop(a);
        if (a->used == a->count)
            arena_move(k, a, LIST_FILLED);
    }
    k->out += got;
    k->allocs += got;
    pool->out += got;
    return got;
}

/* Under the lock: give IOB's page back to its arena; prune or park the
 * arena if that made it idle. */
static void
class_put(gf_iobuf_pool_t *pool, gf_iobuf_t *iob, struct reap *r)
{
    struct arena *a = iob->arena;
    struct klass *k = &pool->cls[a->cls];

    iob->next = a->free;
    a->free = iob;
    if (a->used == a->count)
        arena_move(k, a, LIST_ACTIVE);
    a->used--;
    k->out--;
    pool->out--;
    if (a->used != 0 || pool->dead)
        return;
    if (k->n[LIST_ACTIVE] + k->n[LIST_FILLED] > 1) {
        link_del(&a->link);
        k->n[a->list]--;
        a->link.next = (struct link *)r->unmap;
        r->unmap = a;
        k->prunes++;
    } else {
        arena_move(k, a, LIST_PURGE);
    }
}

/* Under the lock: once the pool is dead and nothing is out, every arena
 * goes; once no cache is attached either, the pool itself goes. */
static void
reap_locked(gf_iobuf_pool_t *pool, struct reap *r)
{
    if (!pool->dead || pool->out != 0)
        return;
    for (unsigned c = 0; c < GF_IOBUF_CLASSES; c++) {
        struct klass *k = &pool->cls[c];

        for (unsigned l = 0; l < LISTS; l++) {
            struct arena *a;

            while ((a = list_first(k, l))) {
                link_del(&a->link);
                a->link.next = (struct link *)r->unmap;
                r->unmap = a;
            }
            k->n[l] = 0;
        }
    }
    r->free_pool = pool->caches == 0;
}

static void
reap_finish(gf_iobuf_pool_t *pool, struct reap *r)
{
    while (r->unmap) {
        struct arena *a = r->unmap;
        void *base = a->base;
        size_t len = a->maplen;

        r->unmap = (struct arena *)a->link.next;
        munmap(base, len);
    }
    if (r->free_pool) {
        pthread_mutex_destroy(&pool->lock);
        free(pool);
    }
}

/*
 * Plain allocations: pages above 1 MiB, and every page without arenas.
 * Exactly SIZE bytes so ASan sees an overrun. Counted in pool->out so the
 * pool outlives them.
 */
static SLOW_PATH gf_iobuf_t *
plain_get(gf_iobuf_pool_t *pool, unsigned cls, size_t size)
{
    gf_iobuf_t *iob = malloc(sizeof(*iob));
    void *p = NULL;
    bool dead;

    if (!iob ||
        posix_memalign(&p, size < MAP_ALIGN ? size : MAP_ALIGN, size) != 0) {
        free(iob);
        errno = ENOMEM;
        return NULL;
    }
    atomic_init(&iob->ref, 1);
    iob->cls = cls;
    iob->head.ptr = p;
    iob->head.size = size;
    iob->arena = NULL;
    iob->pool = pool;
    iob->next = NULL;

    pthread_mutex_lock(&pool->lock);
    dead = pool->dead;
    if (!dead) {
        pool->out++;
        if (cls == CLASS_MISS) {
            pool->misses++;
            pool->miss_live++;
        } else {
            pool->cls[cls].allocs++;
            pool->cls[cls].out++;
        }
    }
    pthread_mutex_unlock(&pool->lock);
    if (dead) {
        free(p);
        free(iob);
        errno = EINVAL;
        return NULL;
    }
    return iob;
}

static SLOW_PATH void
plain_put(gf_iobuf_t *iob)
{
    gf_iobuf_pool_t *pool = iob->pool;
    struct reap r = {NULL, false};

    pthread_mutex_lock(&pool->lock);
    pool->out--;
    if (iob->cls == CLASS_MISS)
        pool->miss_live--;
    else
        pool->cls[iob->cls].out--;
    reap_locked(pool, &r);
    pthread_mutex_unlock(&pool->lock);
    reap_finish(pool, &r);
    free(iob->head.ptr);
    free(iob);
}

/* ---- thread caches ---------------------------------------------------- */

static void cache_destroy(void *arg);

static void
cache_key_init(void)
{
    cache_key_ok = pthread_key_create(&cache_key, cache_destroy) == 0;
}

/* The calling thread's cache, created on first use; NULL if that fails
 * (the caller then works on the arenas directly). */
static struct tcache *
cache_get(void)
{
    struct tcache *tc = tls_cache;

    if (tc)
        return tc;
    pthread_once(&cache_once, cache_key_init);
    if (!cache_key_ok)
        return NULL;
    tc = calloc(1, sizeof(*tc));
    if (!tc)
        return NULL;
    if (pthread_setspecific(cache_key, tc) != 0) {
        free(tc);
        return NULL;
    }
    tls_cache = tc;
    return tc;
}

/* Under the lock: return every cached iobuf and detach from POOL. */
static void
cache_empty_locked(struct tcache *tc, gf_iobuf_pool_t *pool, struct reap *r)
{
    for (unsigned c = 0; c < GF_IOBUF_CLASSES; c++) {
        for (unsigned i = 0; i < tc->n[c]; i++)
            class_put(pool, tc->items[c][i], r);
        tc->n[c] = 0;
    }
    pool->caches--;
    tc->pool = NULL;
}

static void
cache_detach(struct tcache *tc)
{
    gf_iobuf_pool_t *pool = tc->pool;
    struct reap r = {NULL, false};

    if (!pool)
        return;
    pthread_mutex_lock(&pool->lock);
    cache_empty_locked(tc, pool, &r);
    reap_locked(pool, &r);
    pthread_mutex_unlock(&pool->lock);
    reap_finish(pool, &r);
}

/* Detach and free the calling thread's cache. */
static void
cache_release(struct tcache *tc)
{
    cache_detach(tc);
    tls_cache = NULL;
    pthread_setspecific(cache_key, NULL);
    free(tc);
}

/* Thread exit: the key's value was already cleared by pthreads. */
static void
cache_destroy(void *arg)
{
    struct tcache *tc = arg;

    cache_detach(tc);
    tls_cache = NULL;
    free(tc);
}

static inline void
cache_attach_locked(struct tcache *tc, gf_iobuf_pool_t *pool)
{
    if (!tc->pool) {
        tc->pool = pool;
        pool->caches++;
    }
}

/* The cache's magazine of CLS was empty (or belongs to another pool):
 * refill half a magazine under the lock and return one of it. */
static SLOW_PATH gf_iobuf_t *
get_slow(gf_iobuf_pool_t *pool, unsigned cls)
{
    struct tcache *tc = cache_get();
    gf_iobuf_t *one[1], **out = one, *iob;
    unsigned want = 1, got;

    if (tc && tc->pool != pool)
        cache_detach(tc);
    pthread_mutex_lock(&pool->lock);
    if (pool->dead) {
        pthread_mutex_unlock(&pool->lock);
        errno = EINVAL;
        return NULL;
    }
    if (tc) {
        cache_attach_locked(tc, pool);
        if (table[cls].cache) {
            out = tc->items[cls];
            want = table[cls].cache / 2;
        }
    }
    got = class_take(pool, cls, out, want);
    pthread_mutex_unlock(&pool->lock);
    if (!got) {
        errno = ENOMEM;
        return NULL;
    }
    if (out != one)
        tc->n[cls] = got - 1;
    iob = out[got - 1];
    atomic_store_explicit(&iob->ref, 1, memory_order_relaxed);
    return iob;
}

/* The magazine was full, or the cache belongs to another pool (or none):
 * drain half a magazine under the lock, or return IOB directly. */
static SLOW_PATH void
put_slow(gf_iobuf_t *iob)
{
    gf_iobuf_pool_t *pool = iob->pool;
    struct tcache *tc = cache_get();
    struct reap r = {NULL, false};

    if (tc && tc->pool != pool)
        cache_detach(tc);
    pthread_mutex_lock(&pool->lock);
    if (tc && !pool->dead && table[iob->cls].cache) {
        unsigned cls = iob->cls, cap = table[cls].cache, half = cap / 2;
        gf_iobuf_t **items = tc->items[cls];

        cache_attach_locked(tc, pool);
        if (tc->n[cls] == cap) {
            /* the oldest half: the most recently used stay cache-hot */
            for (unsigned i = 0; i < half; i++)
                class_put(pool, items[i], &r);
            tc->n[cls] -= half;
            memmove(items, items + half, tc->n[cls] * sizeof(items[0]));
        }
        items[tc->n[cls]++] = iob;
    } else {
        class_put(pool, iob, &r);
        /* a dead pool's cache is of no further use: hand it all back */
        if (tc && tc->pool == pool && pool->dead)
            cache_empty_locked(tc, pool, &r);
    }
    reap_locked(pool, &r);
    pthread_mutex_unlock(&pool->lock);
    reap_finish(pool, &r);
}

static inline void
iob_release(gf_iobuf_t *iob)
{
    struct tcache *tc;

    if (GF_UNLIKELY(!iob->arena)) {
        plain_put(iob);
        return;
    }
    tc = tls_cache;
    if (GF_LIKELY(tc && tc->pool == iob->pool)) {
        unsigned cls = iob->cls, n = tc->n[cls];

        if (GF_LIKELY(n < table[cls].cache)) {
            tc->items[cls][n] = iob;
            tc->n[cls] = n + 1;
            return;
        }
    }
    put_slow(iob);
}

static inline void
iob_unref(gf_iobuf_t *iob)
{
    unsigned ref = atomic_load_explicit(&iob->ref, memory_order_acquire);

    /* A count of 1 is ours alone: nobody else can ref or unref it. */
    if (GF_UNLIKELY(ref != 1)) {
        GF_ASSERT(ref != 0);
        if (atomic_fetch_sub_explicit(&iob->ref, 1, memory_order_acq_rel) != 1)
            return;
    }
    /* 0 marks it released, so a second unref is caught above. */
    atomic_store_explicit(&iob->ref, 0, memory_order_relaxed);
    iob_release(iob);
}

static inline gf_iobuf_t *
iob_ref(gf_iobuf_t *iob)
{
    unsigned old =
        atomic_fetch_add_explicit(&iob->ref, 1, memory_order_relaxed);

    GF_ASSERT(old != 0);
    return iob;
}

/* ---- public iobuf API ------------------------------------------------- */

GF_EXPORT gf_iobuf_pool_t *
gf_iobuf_pool_new(void)
{
    gf_iobuf_pool_t *pool = calloc(1, sizeof(*pool));

    if (!pool) {
        errno = ENOMEM;
        return NULL;
    }
    if (pthread_mutex_init(&pool->lock, NULL) != 0) {
        free(pool);
        errno = ENOMEM;
        return NULL;
    }
    for (unsigned c = 0; c < GF_IOBUF_CLASSES; c++)
        for (unsigned l = 0; l < LISTS; l++)
            link_init(&pool->cls[c].lists[l]);
    /* No arena yet: each class maps its first one when first used
     * (arena_add), so a daemon that never sends a 1 MiB page never maps
     * that class, and the start-up makes no mmap for the pool. */
    return pool;
}

GF_EXPORT void
gf_iobuf_pool_free(gf_iobuf_pool_t *pool)
{
    struct tcache *tc = tls_cache;
    struct reap r = {NULL, false};

    if (!pool)
        return;
    if (tc && tc->pool == pool)
        cache_release(tc);
    pthread_mutex_lock(&pool->lock);
    GF_ASSERT(!pool->dead);
    pool->dead = true;
    reap_locked(pool, &r);
    pthread_mutex_unlock(&pool->lock);
    reap_finish(pool, &r);
}

static SLOW_PATH gf_iobuf_t *
bad_pool(void)
{
    errno = EINVAL;
    return NULL;
}

GF_EXPORT gf_iobuf_t *
gf_iobuf_get(gf_iobuf_pool_t *pool, size_t size)
{
    struct tcache *tc;
    gf_iobuf_t *iob;
    unsigned cls, n;

    /* one compare for the common case: 0 and > 1 MiB both wrap past it */
    if (GF_UNLIKELY(size - 1 >= GF_IOBUF_MAX_PAGE)) {
        if (!pool || size > GF_IOBUF_MAX_SIZE) {
            errno = EINVAL;
            return NULL;
        }
        if (size != 0)
            return plain_get(pool, CLASS_MISS, size);
        size = GF_IOBUF_DEFAULT_SIZE;
    }
    cls = class_of(size);
    if (!use_arenas || GF_UNLIKELY(!pool))
        return pool ? plain_get(pool, cls, table[cls].page) : bad_pool();

    tc = tls_cache;
    if (GF_LIKELY(tc && tc->pool == pool)) {
        n = tc->n[cls];
        if (GF_LIKELY(n != 0)) {
            iob = tc->items[cls][n - 1];
            tc->n[cls] = n - 1;
            atomic_store_explicit(&iob->ref, 1, memory_order_relaxed);
            return iob;
        }
    }
    return get_slow(pool, cls);
}

GF_EXPORT gf_iobuf_t *
gf_iobuf_ref(gf_iobuf_t *iob)
{
    return iob ? iob_ref(iob) : NULL;
}

GF_EXPORT void
gf_iobuf_unref(gf_iobuf_t *iob)
{
    if (iob)
        iob_unref(iob);
}

GF_EXPORT void
gf_iobuf_cache_flush(void)
{
    struct tcache *tc = tls_cache;

    if (tc)
        cache_release(tc);
}

GF_EXPORT int
gf_iobuf_pool_stats(gf_iobuf_pool_t *pool, gf_iobuf_pool_stats_t *out)
{
    if (!pool || !out)
        return -EINVAL;
    memset(out, 0, sizeof(*out));
    out->arenas = use_arenas;
    pthread_mutex_lock(&pool->lock);
    out->threads = pool->caches;
    out->misses = pool->misses;
    out->miss_live = pool->miss_live;
    for (unsigned c = 0; c < GF_IOBUF_CLASSES; c++) {
        const struct klass *k = &pool->cls[c];
        gf_iobuf_class_stats_t *s = &out->classes[c];

        s->page_size = table[c].page;
        s->pages_per_arena = table[c].count;
        s->active = k->n[LIST_ACTIVE];
        s->filled = k->n[LIST_FILLED];
        s->purged = k->n[LIST_PURGE];
        s->arenas = s->active + s->filled + s->purged;
        s->pages_out = k->out;
        s->allocs = k->allocs;
        s->maps = k->maps;
        s->prunes = k->prunes;
        s->unprunes = k->unprunes;
    }
    pthread_mutex_unlock(&pool->lock);
    return 0;
}
