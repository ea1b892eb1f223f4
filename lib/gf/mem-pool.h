/* SPDX-License-Identifier: LGPL-3.0-or-later */
/*
 * gf/mem-pool.h - per-thread object pools (DESIGN 4.2).
 *
 * A pool is only a descriptor: it maps an object size to one of 14
 * power-of-two classes (128 B .. 1 MiB, object header included). Objects
 * are cached per thread, in hot and cold lists per class; an object put by
 * another thread goes back to the list of the thread that allocated it. A
 * sweeper thread frees what stayed unused for a whole sweep period.
 *
 * Built with --disable-mempool (sanitizer builds) every get is a malloc and
 * every put a free, so ASan and valgrind see each object.
 */
#ifndef GF_MEM_POOL_H
#define GF_MEM_POOL_H

#include <stddef.h>
#include <stdint.h>

#include <gf/common.h>

#ifdef __cplusplus
extern "C" {
#endif

typedef struct gf_mem_pool gf_mem_pool_t;

/* Number of size classes and the smallest/largest class (log2 bytes). */
#define GF_MEM_POOL_CLASSES   14
#define GF_MEM_POOL_MIN_SHIFT 7
#define GF_MEM_POOL_MAX_SHIFT 20

/* Magic an object's header carries while it is allocated. */
#define GF_MEM_POOL_MAGIC 0xCAFEBABEu
/* Magic an object's header carries once it is back in a pool. */
#define GF_MEM_POOL_FREE_MAGIC 0xDEADC0DEu

/*
 * Create a pool descriptor for objects of OBJ_SIZE bytes, named NAME (copied,
 * shown in statedumps). COUNT_HINT is the expected number of live objects;
 * it is recorded for statedump only. Thread-safe.
 * Returns NULL with errno EINVAL if OBJ_SIZE is 0 or, with the header, does
 * not fit the largest class; ENOMEM if out of memory.
 */
GF_EXPORT gf_mem_pool_t *gf_mem_pool_new(const char *name, size_t obj_size,
                                         unsigned count_hint);

/*
 * Unlink and free a pool descriptor. Objects still allocated from it stay
 * valid and may still be put (they go back to their size class).
 * NULL is ignored.
 */
GF_EXPORT void gf_mem_pool_destroy(gf_mem_pool_t *pool);

/*
 * Take an object from POOL: from this thread's hot list, else its cold
 * list, else objects other threads gave back, else malloc. The content is
 * undefined (gf_mem_get0 zeroes it). Thread-safe, lock-free on the cached
 * path. Returns NULL only when out of memory (errno ENOMEM).
 */
GF_EXPORT void *gf_mem_get(gf_mem_pool_t *pool);
GF_EXPORT void *gf_mem_get0(gf_mem_pool_t *pool);

/*
 * Give OBJ back. Any thread may put any object; it returns to the lists of
 * the thread that allocated it, or to libc if that thread has exited.
 * NULL is ignored. Putting an object twice, or a pointer that gf_mem_get
 * did not return, is a programmer error and aborts (GF_ASSERT).
 */
GF_EXPORT void gf_mem_put(void *obj);

/* Usable size of objects of POOL (at least the obj_size it was made for). */
GF_EXPORT size_t gf_mem_pool_obj_size(const gf_mem_pool_t *pool);

/* Name POOL was created with (NULL for a NULL POOL). */
GF_EXPORT const char *gf_mem_pool_name(const gf_mem_pool_t *pool);

/*
 * Start the sweeper thread, which every SWEEP_INTERVAL_MS (0: 30000) frees
 * the cold lists and asks every thread to demote its hot lists to cold, so
 * an object left unused for one to two periods goes back to libc.
 * Refcounted: only the first call starts the thread (later intervals are
 * ignored); each successful call needs one gf_mem_pools_fini. Pools work
 * without it (nothing is ever swept then). Thread-safe.
 * Returns 0, or -errno if the thread cannot be started.
 */
GF_EXPORT int gf_mem_pools_init(unsigned sweep_interval_ms);

/*
 * Drop one gf_mem_pools_init reference. The last one stops and joins the
 * sweeper and frees every object cached in cold and remote lists, in the
 * lists of exited threads and in the calling thread's own lists (the hot
 * lists of other running threads are theirs: bounded, freed at their
 * exit). Objects still allocated stay valid. Thread-safe.
 */
GF_EXPORT void gf_mem_pools_fini(void);

/*
 * One synchronous sweeper pass (for tests and statedump): free every cold
 * list, age the lists other threads gave back, ask all threads to demote
 * hot to cold, and demote the caller's own hot lists now. Two passes in a
 * row free everything cached except other running threads' hot lists.
 */
GF_EXPORT void gf_mem_pools_sweep(void);

/*
 * Counters of one pool; a snapshot without locks, may be slightly off.
 * Objects belong to size classes, not pools, and the cached fast path
 * counts per class only (a per-pool counter there would cost about a
 * tenth of its speed): per pool, only the gets that missed the hot list.
 */
typedef struct gf_mem_pool_stats {
    const char *name;       /* valid while the pool exists */
    size_t obj_size;        /* size asked for at gf_mem_pool_new */
    size_t class_size;      /* size of its class, object header included */
    unsigned count_hint;    /* as given to gf_mem_pool_new */
    uint64_t cold_allocs;   /* gets served from the thread's cold list */
    uint64_t remote_allocs; /* ... from objects other threads gave back */
    uint64_t stdc_allocs;   /* ... by malloc */
} gf_mem_pool_stats_t;

/*
 * Snapshot POOL's counters into OUT. Pools created while 242 others exist
 * share one set of counters per class. May be called from a
 * gf_mem_pools_foreach callback. Returns 0 or -EINVAL.
 */
GF_EXPORT int gf_mem_pool_stats(const gf_mem_pool_t *pool,
                                gf_mem_pool_stats_t *out);

/* Counters of one size class, summed over all threads. */
typedef struct gf_mem_class_stats {
    size_t size;            /* class size, object header included */
    uint64_t hot_allocs;    /* gets served from a thread's hot list */
    uint64_t cold_allocs;   /* ... from its cold list */
    uint64_t remote_allocs; /* ... from objects other threads gave back */
    uint64_t stdc_allocs;   /* ... by malloc */
    uint64_t frees_to_list; /* puts kept for reuse (own or owner's list) */
    uint64_t frees_to_stdc; /* objects given back to libc */
    uint64_t cached;        /* objects cached in lists now */
} gf_mem_class_stats_t;

/* Snapshot class CLS (0 .. GF_MEM_POOL_CLASSES-1) into OUT. Returns 0 or
 * -EINVAL. All zero when pools are disabled (GF_DISABLE_MEMPOOL). */
GF_EXPORT int gf_mem_pools_class_stats(unsigned cls, gf_mem_class_stats_t *out);

/* Callback of gf_mem_pools_foreach: nonzero stops the walk. */
typedef int (*gf_mem_pool_cb_t)(gf_mem_pool_t *pool, void *data);

/*
 * Call CB(pool, DATA) for every existing pool, oldest first, under the
 * global pool lock: CB must not create or destroy pools. Returns the first
 * nonzero value CB returned, else 0; -EINVAL if CB is NULL.
 */
GF_EXPORT int gf_mem_pools_foreach(gf_mem_pool_cb_t cb, void *data);

#ifdef __cplusplus
}
#endif

#endif /* GF_MEM_POOL_H */
