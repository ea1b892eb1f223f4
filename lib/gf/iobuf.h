/* SPDX-License-Identifier: LGPL-3.0-or-later */
/*
 * gf/iobuf.h - I/O buffers: refcounted pages from mmap'd arenas, and
 * iobrefs, the refcounted bags of iobufs that travel with a request.
 *
 * A pool serves pages in eight classes (128 B, 512 B, 2 KiB, 8 KiB, 32 KiB,
 * 128 KiB, 256 KiB, 1 MiB); a request takes the smallest page that fits and
 * anything bigger than 1 MiB is a plain aligned allocation (a "miss"). Every
 * thread keeps a small cache of free iobufs per class in front of the
 * arenas, so a get and the last unref normally cost a thread-local pop or
 * push and one atomic operation. All functions are thread-safe unless noted.
 */
#ifndef GF_IOBUF_H
#define GF_IOBUF_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include <gf/common.h>

#ifdef __cplusplus
extern "C" {
#endif

typedef struct gf_iobuf_pool gf_iobuf_pool_t;
typedef struct gf_iobuf gf_iobuf_t;
typedef struct gf_iobref gf_iobref_t;

/* Number of page classes of a pool. */
#define GF_IOBUF_CLASSES 8

/* Page served for a request of size 0 (the ctx's default page size). */
#define GF_IOBUF_DEFAULT_SIZE (128u * 1024u)

/* Largest page served from the arenas; bigger requests are misses. */
#define GF_IOBUF_MAX_PAGE (1024u * 1024u)

/* Largest request accepted at all (1 GiB); bigger ones fail with EINVAL. */
#define GF_IOBUF_MAX_SIZE ((size_t)1 << 30)

/*
 * Create a pool. It maps nothing yet: a class maps its first arena when a
 * page of it is first asked for (up to 12.4 MiB of address space once
 * every class is in use; pages become resident only when used). Returns
 * NULL with errno ENOMEM on failure. Normally the ctx owns the process's
 * pool.
 */
GF_EXPORT gf_iobuf_pool_t *gf_iobuf_pool_new(void);

/*
 * Release the caller's reference to POOL and the calling thread's cached
 * iobufs of it. Iobufs still referenced stay valid; the arenas are unmapped
 * when the last of them is released (iobufs sitting in another live
 * thread's cache are released when that thread calls gf_iobuf_cache_flush,
 * uses another pool, or exits). No gf_iobuf_get on POOL may follow or race
 * with this call. NULL is ignored. After fork(), a child never gets back
 * the pages cached by the parent's other threads (those threads are gone),
 * so fork before other threads use the pool, as gfsd's start-up does.
 */
GF_EXPORT void gf_iobuf_pool_free(gf_iobuf_pool_t *pool);

/*
 * Get an iobuf whose page holds at least SIZE bytes (0 means
 * GF_IOBUF_DEFAULT_SIZE), with one reference owned by the caller. Pages up
 * to 1 MiB are at least min(page size, 4 KiB) aligned; larger ones are a
 * 4 KiB-aligned allocation of exactly SIZE bytes. Contents are undefined.
 * Returns NULL with errno EINVAL (NULL pool, SIZE > GF_IOBUF_MAX_SIZE, pool
 * being freed) or ENOMEM.
 */
GF_EXPORT gf_iobuf_t *gf_iobuf_get(gf_iobuf_pool_t *pool, size_t size);

/* Take another reference; returns IOB (NULL for NULL). Any thread. */
GF_EXPORT gf_iobuf_t *gf_iobuf_ref(gf_iobuf_t *iob);

/*
 * Drop one reference; the last one returns the page to the pool (from any
 * thread, not only the getter's). Unreffing an already released iobuf is a
 * programmer error and aborts when detected. NULL is ignored.
 */
GF_EXPORT void gf_iobuf_unref(gf_iobuf_t *iob);

/*
 * The public head of every iobuf; read it only through gf_iobuf_ptr and
 * gf_iobuf_size. Those two run for every buffer filled or sent, so they are
 * inline loads rather than calls into the library (a call cost as much as
 * a fifth of a cached get + unref). This head is part of the ABI; the rest
 * of struct gf_iobuf is private.
 */
struct gf_iobuf_head {
    void *ptr;
    size_t size;
};

/* The page's memory, valid while a reference is held. NULL for NULL. */
static inline void *
gf_iobuf_ptr(const gf_iobuf_t *iob)
{
    return iob ? ((const struct gf_iobuf_head *)(const void *)iob)->ptr : NULL;
}

/* Usable bytes at gf_iobuf_ptr: the class's page size (for a miss, the
 * requested size). 0 for NULL. */
static inline size_t
gf_iobuf_size(const gf_iobuf_t *iob)
{
    return iob ? ((const struct gf_iobuf_head *)(const void *)iob)->size : 0;
}

/*
 * Return the calling thread's cached free iobufs to their pool's arenas, so
 * idle arenas can be pruned and the pool's statistics are exact. Cheap when
 * the cache is empty. Long-idle threads may call it; threads that exit get
 * it done by a thread-local destructor.
 */
GF_EXPORT void gf_iobuf_cache_flush(void);

/* One class of a pool, as reported by gf_iobuf_pool_stats. */
typedef struct gf_iobuf_class_stats {
    size_t page_size;         /* bytes per page */
    unsigned pages_per_arena; /* pages in one arena (the table's count) */
    unsigned arenas;          /* arenas mapped now: active + filled + purged */
    unsigned active;          /* arenas in service with a free page */
    unsigned filled;          /* arenas with no free page */
    unsigned purged;          /* idle arenas parked for reuse (unpruning) */
    uint64_t pages_out;       /* pages out of the arenas: in use or cached */
    uint64_t allocs;          /* pages handed out by the arenas (below) */
    uint64_t maps;            /* arenas mmap'd over the pool's life */
    uint64_t prunes;          /* idle arenas munmap'd */
    uint64_t unprunes;        /* parked arenas taken back into use */
} gf_iobuf_class_stats_t;

typedef struct gf_iobuf_pool_stats {
    /* False when built with GF_DISABLE_MEMPOOL: every page is then a plain
     * allocation and the arena counters stay 0. */
    bool arenas;
    unsigned threads;   /* threads whose cache is attached to the pool */
    uint64_t misses;    /* gets above GF_IOBUF_MAX_PAGE (plain allocations) */
    uint64_t miss_live; /* of those, not yet released */
    gf_iobuf_class_stats_t classes[GF_IOBUF_CLASSES];
} gf_iobuf_pool_stats_t;

/*
 * Fill *OUT with POOL's statistics (for statedump and tests): a snapshot
 * taken under the pool lock. "allocs" counts pages the arenas handed out,
 * to a caller or in a batch to a thread cache; a get served from a thread
 * cache is not counted, to keep that path free of shared writes. Without
 * arenas (GF_DISABLE_MEMPOOL) it counts every get. Returns 0 or -EINVAL.
 */
GF_EXPORT int gf_iobuf_pool_stats(gf_iobuf_pool_t *pool,
                                  gf_iobuf_pool_stats_t *out);

/*
 * Iobrefs. The reference count is atomic, so any thread may ref/unref; the
 * list itself is not locked: a request's owner adds and merges from one
 * thread at a time (as a request is handled by one thread at a time).
 */

/* A new empty iobref with one reference; NULL with errno ENOMEM. */
GF_EXPORT gf_iobref_t *gf_iobref_new(void);

/* Take another reference; returns REF (NULL for NULL). */
GF_EXPORT gf_iobref_t *gf_iobref_ref(gf_iobref_t *ref);

/* Drop a reference; the last one unrefs every iobuf in the bag and frees
 * it. NULL is ignored. */
GF_EXPORT void gf_iobref_unref(gf_iobref_t *ref);

/* Add IOB to REF, taking a reference of its own on IOB (the caller keeps
 * its reference). Grows as needed. 0, -EINVAL (NULL argument) or -ENOMEM. */
GF_EXPORT int gf_iobref_add(gf_iobref_t *ref, gf_iobuf_t *iob);

/* Add every iobuf of FROM to TO (each gains a reference; FROM is
 * unchanged). All or nothing: 0, -EINVAL (NULL, or TO == FROM), -ENOMEM. */
GF_EXPORT int gf_iobref_merge(gf_iobref_t *to, gf_iobref_t *from);

/* Sum of gf_iobuf_size over the bag; 0 for NULL. */
GF_EXPORT size_t gf_iobref_size(const gf_iobref_t *ref);

/* Number of iobufs in the bag; 0 for NULL. */
GF_EXPORT unsigned gf_iobref_count(const gf_iobref_t *ref);

/* The IDX-th iobuf (in order of addition), borrowed: valid while REF holds
 * it. NULL if REF is NULL or IDX is out of range. */
GF_EXPORT gf_iobuf_t *gf_iobref_at(const gf_iobref_t *ref, unsigned idx);

#ifdef __cplusplus
}
#endif

#endif /* GF_IOBUF_H */
