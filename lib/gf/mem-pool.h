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
#define GF_MEM_POOL_CLASSES 14
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

#ifdef __cplusplus
}
#endif

#endif /* GF_MEM_POOL_H */
