/* SPDX-License-Identifier: LGPL-3.0-or-later */
/*
 * gf/mem-acct.h - memory accounting per owner and per type.
 *
 * Every allocation made with gf_malloc and friends is charged to an account
 * (one per xlator, plus libgf's own core account) under a type number
 * chosen by the owner. Statedump lists, per account and type, the bytes and
 * allocations live now, their maxima and the total ever made.
 *
 * Each block carries a header {account, size, type, magic 0xCAFEBABE} in
 * front of the user bytes and a 4-byte trailer 0xBAADF00D right after them,
 * so gf_free catches overruns, underruns and double frees. User pointers
 * are aligned to 16 bytes. Free such a block only with gf_free.
 */
#ifndef GF_MEM_ACCT_H
#define GF_MEM_ACCT_H

#include <stddef.h>
#include <stdint.h>

#include <gf/common.h>

#ifdef __cplusplus
extern "C" {
#endif

typedef struct gf_mem_acct gf_mem_acct_t;

/* Magic in the header of a live block, in its trailer, and once freed. */
#define GF_MEM_HEADER_MAGIC  0xCAFEBABEu
#define GF_MEM_TRAILER_MAGIC 0xBAADF00Du
#define GF_MEM_FREED_MAGIC   0xDEADC0DEu

/* Types of libgf's own allocations, charged to gf_mem_acct_core(). */
enum gf_mem_type {
    GF_MT_STRING = 0,
    GF_MT_CTX,
    GF_MT_XLATOR,
    GF_MT_LOG,
    GF_MT_IOBUF_POOL,
    GF_MT_IOBUF_ARENA,
    GF_MT_IOBUF,
    GF_MT_IOBREF,
    GF_MT_DICT,
    GF_MT_DATA,
    GF_MT_DATA_PAIR,
    GF_MT_TIMER,
    GF_MT_MEM_POOL,
    GF_MT_EVENT,
    GF_MT_GRAPH,
    GF_MT_OTHER,
    GF_MT_COUNT /* number of core types, not a type */
};

/* A snapshot of one type's counters (gf_mem_acct_stats). */
typedef struct gf_mem_type_stats {
    const char *name;        /* type name; valid while the account lives */
    uint64_t size;           /* bytes live now (user bytes, no header) */
    uint64_t num_allocs;     /* blocks live now */
    uint64_t max_size;       /* highest size seen */
    uint64_t max_num_allocs; /* highest num_allocs seen */
    uint64_t total_allocs;   /* blocks ever allocated */
} gf_mem_type_stats_t;

/*
 * Create an account for OWNER (e.g. an xlator name) with NTYPES types named
 * TYPE_NAMES[0..NTYPES-1]. The names and the owner are copied. The account
 * is listed by gf_mem_acct_foreach until gf_mem_acct_free. Thread-safe.
 * Returns NULL with errno EINVAL (NULL owner or names, NTYPES 0) or ENOMEM.
 */
GF_EXPORT gf_mem_acct_t *gf_mem_acct_new(const char *owner,
                                         const char *const *type_names,
                                         unsigned ntypes);

/*
 * The owner drops ACCT: it leaves the foreach list at once, and its storage
 * is released when the last block charged to it is freed (so blocks may
 * outlive their owner). Freeing the core account, or NULL, does nothing.
 */
GF_EXPORT void gf_mem_acct_free(gf_mem_acct_t *acct);

/* libgf's own account, with the GF_MT_* types. Always valid. */
GF_EXPORT gf_mem_acct_t *gf_mem_acct_core(void);

/* Owner name and number of types of ACCT (NULL/0 for a NULL ACCT). */
GF_EXPORT const char *gf_mem_acct_owner(const gf_mem_acct_t *acct);
GF_EXPORT unsigned gf_mem_acct_ntypes(const gf_mem_acct_t *acct);

/*
 * Allocate SIZE bytes charged to type TYPE of ACCT (NULL means the core
 * account). Thread-safe; accounts are updated with relaxed atomics.
 * Returns NULL with errno EINVAL if TYPE is out of range, ENOMEM if out of
 * memory or SIZE is too large. SIZE 0 gives a valid, freeable block.
 */
GF_EXPORT void *gf_malloc(gf_mem_acct_t *acct, unsigned type, size_t size);

/* As gf_malloc for NMEMB * SIZE zeroed bytes; overflow gives ENOMEM. */
GF_EXPORT void *gf_calloc(gf_mem_acct_t *acct, unsigned type, size_t nmemb,
                          size_t size);

/*
 * Resize a block from gf_malloc; it stays charged to the same account and
 * type, whose size moves by the difference. PTR NULL acts as
 * gf_malloc(NULL, GF_MT_OTHER, SIZE). On failure returns NULL (errno
 * ENOMEM) and PTR is untouched. A corrupted PTR aborts as in gf_free.
 */
GF_EXPORT void *gf_realloc(void *ptr, size_t size);

/* A copy of S charged to ACCT/TYPE (GF_MT_STRING for the core account).
 * S NULL gives EINVAL. Free with gf_free. */
GF_EXPORT char *gf_strdup(gf_mem_acct_t *acct, unsigned type, const char *s);

/* Same for at most N bytes of S, always NUL-terminated. */
GF_EXPORT char *gf_strndup(gf_mem_acct_t *acct, unsigned type, const char *s,
                           size_t n);

/*
 * Free a block from gf_malloc/calloc/realloc/strdup. NULL is ignored. A bad
 * header or trailer magic (overrun, underrun, double free, foreign pointer)
 * is a programmer error and aborts (GF_ASSERT). Thread-safe.
 */
GF_EXPORT void gf_free(void *ptr);

/* 0 if PTR's header and trailer are intact, -EFAULT otherwise (or if PTR is
 * NULL). Does not abort; PTR must still point into readable memory. */
GF_EXPORT int gf_mem_check(const void *ptr);

/* User size of a live block (as requested), or 0 if PTR is NULL. */
GF_EXPORT size_t gf_mem_size(const void *ptr);

/*
 * Snapshot the counters of type TYPE of ACCT (NULL: core) into OUT.
 * Counters are read one by one without a lock, so a snapshot taken while
 * other threads allocate may be slightly inconsistent.
 * Returns 0, or -EINVAL for a NULL OUT or TYPE out of range.
 */
GF_EXPORT int gf_mem_acct_stats(const gf_mem_acct_t *acct, unsigned type,
                                gf_mem_type_stats_t *out);

/* Callback of gf_mem_acct_foreach: nonzero stops the walk. */
typedef int (*gf_mem_acct_cb_t)(gf_mem_acct_t *acct, void *data);

/*
 * Call CB(acct, DATA) for each live account (the core one first), under a
 * global lock: CB must not create or free accounts. Returns the first
 * nonzero value CB returned, else 0; -EINVAL if CB is NULL.
 */
GF_EXPORT int gf_mem_acct_foreach(gf_mem_acct_cb_t cb, void *data);

#ifdef __cplusplus
}
#endif

#endif /* GF_MEM_ACCT_H */
