/* SPDX-License-Identifier: LGPL-3.0-or-later */
/*
 * mem-acct.c - accounted allocations: gf_malloc/gf_free and friends.
 *
 * Every block is laid out as [pad][header][user bytes][trailer]. The header
 * ends right where the user bytes start, so its magic is the first thing an
 * underrun hits; the 4-byte trailer, written bytewise because it may be
 * unaligned, is the first thing an overrun hits. The header space is a
 * multiple of 16 so user pointers keep malloc's 16-byte alignment.
 *
 * Counters are relaxed atomics per type: statedump needs plausible numbers,
 * not a consistent snapshot, and no allocation should ever take a lock.
 * Each type's counters have their own cache line so that two hot types do
 * not bounce one line between threads. An account is refcounted: one
 * reference for its owner and one per live block, so blocks may outlive
 * the owner (an xlator unloaded while a dict it allocated is still in use)
 * and the last gf_free releases the account.
 */
#include <errno.h>
#include <pthread.h>
#include <stdatomic.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <gf/mem-acct.h>

#define CACHELINE 64

struct rec {
    _Alignas(CACHELINE) _Atomic uint64_t size;
    _Atomic uint64_t num_allocs;
    _Atomic uint64_t max_size;
    _Atomic uint64_t max_num_allocs;
    _Atomic uint64_t total_allocs;
    const char *name;
};

struct link {
    struct link *prev;
    struct link *next;
};

struct gf_mem_acct {
    struct link link; /* in the live list, under list_lock */
    const char *owner;
    unsigned ntypes;
    _Atomic unsigned long refs; /* owner + live blocks */
    struct rec *recs;
};

/* The header sits at the end of HDR_SPACE, just before the user bytes. */
struct hdr {
    gf_mem_acct_t *acct;
    size_t size;
    uint32_t type;
    uint32_t magic;
};

enum {
    HDR_SPACE = (sizeof(struct hdr) + 15) & ~(size_t)15,
    TRAILER_SIZE = 4,
};

_Static_assert(HDR_SPACE % 16 == 0, "user pointers must stay 16-aligned");

static struct rec core_recs[GF_MT_COUNT] = {
    [GF_MT_STRING] = {.name = "gf_mt_string"},
    [GF_MT_CTX] = {.name = "gf_mt_ctx"},
    [GF_MT_XLATOR] = {.name = "gf_mt_xlator"},
    [GF_MT_LOG] = {.name = "gf_mt_log"},
    [GF_MT_IOBUF_POOL] = {.name = "gf_mt_iobuf_pool"},
    [GF_MT_IOBUF_ARENA] = {.name = "gf_mt_iobuf_arena"},
    [GF_MT_IOBUF] = {.name = "gf_mt_iobuf"},
    [GF_MT_IOBREF] = {.name = "gf_mt_iobref"},
    [GF_MT_DICT] = {.name = "gf_mt_dict"},
    [GF_MT_DATA] = {.name = "gf_mt_data"},
    [GF_MT_DATA_PAIR] = {.name = "gf_mt_data_pair"},
    [GF_MT_TIMER] = {.name = "gf_mt_timer"},
    [GF_MT_MEM_POOL] = {.name = "gf_mt_mem_pool"},
    [GF_MT_EVENT] = {.name = "gf_mt_event"},
    [GF_MT_GRAPH] = {.name = "gf_mt_graph"},
    [GF_MT_OTHER] = {.name = "gf_mt_other"},
};

static struct gf_mem_acct core;

/* Live accounts, the core one first. Static initializers may point at each
 * other, so the core account is listed from the start. */
static struct link live = {&core.link, &core.link};

static struct gf_mem_acct core = {
    .link = {&live, &live},
    .owner = "libgf",
    .ntypes = GF_MT_COUNT,
    .refs = 1, /* never dropped: the core account is never freed */
    .recs = core_recs,
};

static pthread_mutex_t list_lock = PTHREAD_MUTEX_INITIALIZER;

gf_mem_acct_t *
gf_mem_acct_core(void)
{
    return &core;
}

const char *
gf_mem_acct_owner(const gf_mem_acct_t *acct)
{
    return acct ? acct->owner : NULL;
}

unsigned
gf_mem_acct_ntypes(const gf_mem_acct_t *acct)
{
    return acct ? acct->ntypes : 0;
}

gf_mem_acct_t *
gf_mem_acct_new(const char *owner, const char *const *type_names,
                unsigned ntypes)
{
    gf_mem_acct_t *acct;
    size_t strbytes, olen, len, off;
    char *strs;
    unsigned i;

    if (!owner || !type_names || ntypes == 0 || ntypes > 65536) {
        errno = EINVAL;
        return NULL;
    }
    olen = strlen(owner) + 1;
    strbytes = olen;
    for (i = 0; i < ntypes; i++) {
        if (!type_names[i]) {
            errno = EINVAL;
            return NULL;
        }
        strbytes += strlen(type_names[i]) + 1;
    }

    /* One block: the account, its cache-line aligned records, the strings. */
    off = (sizeof(*acct) + CACHELINE - 1) & ~(size_t)(CACHELINE - 1);
    acct = aligned_alloc(CACHELINE, (off + ntypes * sizeof(struct rec) +
                                     strbytes + CACHELINE - 1) &
                                        ~(size_t)(CACHELINE - 1));
    if (!acct) {
        errno = ENOMEM;
        return NULL;
    }
    memset(acct, 0, off + ntypes * sizeof(struct rec));
    acct->recs = (struct rec *)((char *)acct + off);
    strs = (char *)(acct->recs + ntypes);
    memcpy(strs, owner, olen);
    acct->owner = strs;
    strs += olen;
    for (i = 0; i < ntypes; i++) {
        len = strlen(type_names[i]) + 1;
        memcpy(strs, type_names[i], len);
        acct->recs[i].name = strs;
        strs += len;
    }
    acct->ntypes = ntypes;
    atomic_init(&acct->refs, 1);

    pthread_mutex_lock(&list_lock);
    acct->link.prev = live.prev;
    acct->link.next = &live;
    live.prev->next = &acct->link;
    live.prev = &acct->link;
    pthread_mutex_unlock(&list_lock);
    return acct;
}

static void
acct_unref(gf_mem_acct_t *acct)
{
    /* acq_rel: the last dropper must see every other dropper's updates
     * before it frees the storage. */
    if (atomic_fetch_sub_explicit(&acct->refs, 1, memory_order_acq_rel) == 1)
        free(acct);
}

void
gf_mem_acct_free(gf_mem_acct_t *acct)
{
    if (!acct || acct == &core)
        return;
    pthread_mutex_lock(&list_lock);
    acct->link.prev->next = acct->link.next;
    acct->link.next->prev = acct->link.prev;
    acct->link.prev = acct->link.next = NULL;
    pthread_mutex_unlock(&list_lock);
    acct_unref(acct);
}

int
gf_mem_acct_foreach(gf_mem_acct_cb_t cb, void *data)
{
    struct link *l;
    int ret = 0;

    if (!cb)
        return -EINVAL;
    pthread_mutex_lock(&list_lock);
    for (l = live.next; l != &live && ret == 0; l = l->next)
        ret = cb(gf_container_of(l, gf_mem_acct_t, link), data);
    pthread_mutex_unlock(&list_lock);
    return ret;
}

static void
update_max(_Atomic uint64_t *max, uint64_t v)
{
    uint64_t cur = atomic_load_explicit(max, memory_order_relaxed);

    while (v > cur &&
           !atomic_compare_exchange_weak_explicit(
               max, &cur, v, memory_order_relaxed, memory_order_relaxed))
        ;
}

static void
grow(struct rec *r, uint64_t bytes)
{
    uint64_t s;

    s = atomic_fetch_add_explicit(&r->size, bytes, memory_order_relaxed);
    update_max(&r->max_size, s + bytes);
}

static void
charge(gf_mem_acct_t *acct, unsigned type, size_t size)
{
    struct rec *r = &acct->recs[type];
    uint64_t n;

    atomic_fetch_add_explicit(&acct->refs, 1, memory_order_relaxed);
    n = atomic_fetch_add_explicit(&r->num_allocs, 1, memory_order_relaxed);
    update_max(&r->max_num_allocs, n + 1);
    atomic_fetch_add_explicit(&r->total_allocs, 1, memory_order_relaxed);
    grow(r, size);
}

static void
uncharge(gf_mem_acct_t *acct, unsigned type, size_t size)
{
    struct rec *r = &acct->recs[type];

    atomic_fetch_sub_explicit(&r->size, size, memory_order_relaxed);
    atomic_fetch_sub_explicit(&r->num_allocs, 1, memory_order_relaxed);
    acct_unref(acct);
}

static inline struct hdr *
hdr_of(const void *ptr)
{
    return (struct hdr *)((char *)ptr - sizeof(struct hdr));
}

static inline void *
base_of(void *ptr)
{
    return (char *)ptr - HDR_SPACE;
}

static void
put_trailer(void *ptr, size_t size)
{
    uint32_t m = GF_MEM_TRAILER_MAGIC;

    memcpy((char *)ptr + size, &m, sizeof(m));
}

static int
trailer_ok(const void *ptr, size_t size)
{
    uint32_t m;

    memcpy(&m, (const char *)ptr + size, sizeof(m));
    return m == GF_MEM_TRAILER_MAGIC;
}

static void *
stamp(void *base, gf_mem_acct_t *acct, unsigned type, size_t size)
{
    void *ptr = (char *)base + HDR_SPACE;
    struct hdr *h = hdr_of(ptr);

    h->acct = acct;
    h->size = size;
    h->type = type;
    h->magic = GF_MEM_HEADER_MAGIC;
    put_trailer(ptr, size);
    charge(acct, type, size);
    return ptr;
}

static int
check_args(gf_mem_acct_t **acct, unsigned type, size_t size)
{
    if (!*acct)
        *acct = &core;
    if (type >= (*acct)->ntypes) {
        errno = EINVAL;
        return -1;
    }
    if (size > SIZE_MAX - HDR_SPACE - TRAILER_SIZE) {
        errno = ENOMEM;
        return -1;
    }
    return 0;
}

void *
gf_malloc(gf_mem_acct_t *acct, unsigned type, size_t size)
{
    void *base;

    if (check_args(&acct, type, size) < 0)
        return NULL;
    base = malloc(HDR_SPACE + size + TRAILER_SIZE);
    if (GF_UNLIKELY(!base)) {
        errno = ENOMEM;
        return NULL;
    }
    return stamp(base, acct, type, size);
}

void *
gf_calloc(gf_mem_acct_t *acct, unsigned type, size_t nmemb, size_t size)
{
    void *base;
    size_t total;

    if (__builtin_mul_overflow(nmemb, size, &total)) {
        errno = ENOMEM;
        return NULL;
    }
    if (check_args(&acct, type, total) < 0)
        return NULL;
    base = calloc(1, HDR_SPACE + total + TRAILER_SIZE);
    if (GF_UNLIKELY(!base)) {
        errno = ENOMEM;
        return NULL;
    }
    return stamp(base, acct, type, total);
}

/* Abort unless PTR is a live, intact block. */
static struct hdr *
checked_hdr(void *ptr)
{
    struct hdr *h = hdr_of(ptr);

    GF_ASSERT(h->magic == GF_MEM_HEADER_MAGIC);
    GF_ASSERT(trailer_ok(ptr, h->size));
    GF_ASSERT(h->acct && h->type < h->acct->ntypes);
    return h;
}

void *
gf_realloc(void *ptr, size_t size)
{
    struct hdr *h;
    gf_mem_acct_t *acct;
    size_t old;
    unsigned type;
    void *base;

    if (!ptr)
        return gf_malloc(NULL, GF_MT_OTHER, size);
    h = checked_hdr(ptr);
    if (size > SIZE_MAX - HDR_SPACE - TRAILER_SIZE) {
        errno = ENOMEM;
        return NULL;
    }
    acct = h->acct;
    type = h->type;
    old = h->size;
    base = realloc(base_of(ptr), HDR_SPACE + size + TRAILER_SIZE);
    if (!base) {
        errno = ENOMEM;
        return NULL;
    }
    ptr = (char *)base + HDR_SPACE;
    hdr_of(ptr)->size = size;
    put_trailer(ptr, size);
    /* The block stays charged to the same account and type; only the byte
     * count moves. */
    if (size > old)
        grow(&acct->recs[type], size - old);
    else
        atomic_fetch_sub_explicit(&acct->recs[type].size, old - size,
                                  memory_order_relaxed);
    return ptr;
}

/* A copy of the LEN bytes at S, terminated. */
static char *
copy_str(gf_mem_acct_t *acct, unsigned type, const char *s, size_t len)
{
    char *d = gf_malloc(acct, type, len + 1);

    if (d) {
        memcpy(d, s, len);
        d[len] = '\0';
    }
    return d;
}

char *
gf_strndup(gf_mem_acct_t *acct, unsigned type, const char *s, size_t n)
{
    if (!s) {
        errno = EINVAL;
        return NULL;
    }
    return copy_str(acct, type, s, strnlen(s, n));
}

char *
gf_strdup(gf_mem_acct_t *acct, unsigned type, const char *s)
{
    if (!s) {
        errno = EINVAL;
        return NULL;
    }
    return copy_str(acct, type, s, strlen(s));
}

void
gf_free(void *ptr)
{
    struct hdr *h;
    gf_mem_acct_t *acct;
    unsigned type;
    size_t size;

    if (!ptr)
        return;
    h = checked_hdr(ptr);
    acct = h->acct;
    type = h->type;
    size = h->size;
    /* Mark it freed so a second gf_free of the same pointer aborts (as long
     * as libc has not reused the bytes in between). */
    h->magic = GF_MEM_FREED_MAGIC;
    free(base_of(ptr));
    uncharge(acct, type, size);
}

int
gf_mem_check(const void *ptr)
{
    const struct hdr *h;

    if (!ptr)
        return -EFAULT;
    h = hdr_of(ptr);
    if (h->magic != GF_MEM_HEADER_MAGIC || !trailer_ok(ptr, h->size))
        return -EFAULT;
    return 0;
}

size_t
gf_mem_size(const void *ptr)
{
    return ptr ? hdr_of(ptr)->size : 0;
}

int
gf_mem_acct_stats(const gf_mem_acct_t *acct, unsigned type,
                  gf_mem_type_stats_t *out)
{
    const struct rec *r;

    if (!acct)
        acct = &core;
    if (!out || type >= acct->ntypes)
        return -EINVAL;
    r = &acct->recs[type];
    out->name = r->name;
    out->size = atomic_load_explicit(&r->size, memory_order_relaxed);
    out->num_allocs =
        atomic_load_explicit(&r->num_allocs, memory_order_relaxed);
    out->max_size = atomic_load_explicit(&r->max_size, memory_order_relaxed);
    out->max_num_allocs =
        atomic_load_explicit(&r->max_num_allocs, memory_order_relaxed);
    out->total_allocs =
        atomic_load_explicit(&r->total_allocs, memory_order_relaxed);
    return 0;
}
