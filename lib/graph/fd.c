/* SPDX-License-Identifier: LGPL-3.0-or-later */
/*
 * fd.c - open files and the per-client table of wire fd numbers.
 *
 * An fd lives in its inode table's fd pool and on its inode's fd list
 * (both guarded by the table lock, taken only at open and final release);
 * its references are atomic and its context slots have their own
 * spinlock, so the per-request path (get, ref, ctx_get, unref) never
 * touches the table lock.
 *
 * The fd table is an array of fd pointers plus a bitmap of used numbers.
 * Finding the lowest free number scans the bitmap a 64-bit word at a time
 * from a hint (the lowest word that may have a free bit), so "lowest free
 * first" costs a count-trailing-zeros in the common case instead of a walk
 * over the array. The array doubles when full, up to the table's maximum.
 */
#include <errno.h>
#include <string.h>

#include <gf/fd.h>
#include <gf/mem-acct.h>

#include "inode-int.h"

enum {
    LK_INLINE = 32,   /* owners up to this size need no allocation */
    FDTAB_FIRST = 64, /* first allocation: one bitmap word */
};

struct gf_fd {
    gf_inode_t *inode; /* referenced */
    _Atomic uint32_t ref;
    int32_t flags;
    int32_t pid;
    struct gf__list ilink;   /* inode->fds, under the table lock */
    pthread_spinlock_t lock; /* lock owner and ctx slots */
    uint32_t lk_len;
    unsigned char *lk_heap; /* owner when longer than LK_INLINE */
    unsigned char lk_inline[LK_INLINE];
    uint64_t ctx_set;
    uint64_t ctx[];
};

struct gf_fdtable {
    pthread_mutex_t lock;
    gf_fd_t **slot;
    uint64_t *used; /* bit n set: slot[n] holds an fd */
    uint32_t cap;   /* slots allocated: 0 or a power of two >= 64 */
    uint32_t max;
    uint32_t count;
    uint32_t hint; /* no free number below hint * 64 */
};

size_t
gf__fd_obj_size(unsigned nslots)
{
    return sizeof(struct gf_fd) + nslots * sizeof(uint64_t);
}

GF_EXPORT int
gf_fd_set_release(gf_inode_table_t *t, gf_fd_release_cb_t cb, void *data)
{
    if (!t)
        return -EINVAL;
    pthread_mutex_lock(&t->lock);
    t->release = cb;
    t->release_data = data;
    pthread_mutex_unlock(&t->lock);
    return 0;
}

GF_EXPORT gf_fd_t *
gf_fd_new(gf_inode_t *inode, int32_t flags, int32_t pid)
{
    gf_inode_table_t *t;
    gf_fd_t *fd;

    if (!inode) {
        errno = EINVAL;
        return NULL;
    }
    t = inode->table;
    fd = gf_mem_get0(t->fd_pool);
    if (!fd)
        return NULL;
    fd->inode = gf_inode_ref(inode);
    atomic_init(&fd->ref, 1);
    fd->flags = flags;
    fd->pid = pid;
    pthread_spin_init(&fd->lock, PTHREAD_PROCESS_PRIVATE);
    pthread_mutex_lock(&t->lock);
    gf__list_add_tail(&inode->fds, &fd->ilink);
    inode->nfds++;
    pthread_mutex_unlock(&t->lock);
    return fd;
}

GF_EXPORT gf_fd_t *
gf_fd_ref(gf_fd_t *fd)
{
    if (fd) {
        uint32_t old =
            atomic_fetch_add_explicit(&fd->ref, 1, memory_order_relaxed);
        GF_ASSERT(old > 0);
    }
    return fd;
}

static void
fd_destroy(gf_fd_t *fd)
{
    gf_inode_t *inode = fd->inode;
    gf_inode_table_t *t = inode->table;
    gf_fd_release_cb_t release;
    void *rdata;

    pthread_mutex_lock(&t->lock);
    gf__list_del(&fd->ilink);
    inode->nfds--;
    release = t->release;
    rdata = t->release_data;
    pthread_mutex_unlock(&t->lock);

    for (uint64_t s = fd->ctx_set; release && s; s &= s - 1) {
        unsigned slot = (unsigned)__builtin_ctzll(s);

        release(fd, slot, fd->ctx[slot], rdata);
    }
    gf_free(fd->lk_heap);
    pthread_spin_destroy(&fd->lock);
    gf_mem_put(fd);
    /* Last: this may free the table, whose pool the fd came from. */
    gf_inode_unref(inode);
}

GF_EXPORT void
gf_fd_unref(gf_fd_t *fd)
{
    uint32_t old;

    if (!fd)
        return;
    old = atomic_fetch_sub_explicit(&fd->ref, 1, memory_order_acq_rel);
    GF_ASSERT(old > 0);
    if (old == 1)
        fd_destroy(fd);
}

GF_EXPORT gf_inode_t *
gf_fd_inode(gf_fd_t *fd)
{
    return fd ? fd->inode : NULL;
}

GF_EXPORT int32_t
gf_fd_flags(gf_fd_t *fd)
{
    return fd ? fd->flags : 0;
}

GF_EXPORT int32_t
gf_fd_pid(gf_fd_t *fd)
{
    return fd ? fd->pid : 0;
}

GF_EXPORT uint32_t
gf_fd_refcount(gf_fd_t *fd)
{
    return fd ? atomic_load_explicit(&fd->ref, memory_order_relaxed) : 0;
}

GF_EXPORT int
gf_fd_set_lk_owner(gf_fd_t *fd, const void *owner, size_t len)
{
    unsigned char *heap = NULL, *old;

    if (!fd || (len && !owner) || len > GF_FD_LK_OWNER_MAX)
        return -EINVAL;
    /* Allocate before locking: the spinlock covers a copy only. */
    if (len > LK_INLINE) {
        heap = gf_malloc(NULL, GF_MT_GRAPH, len);
        if (!heap)
            return -ENOMEM;
        memcpy(heap, owner, len);
    }
    pthread_spin_lock(&fd->lock);
    old = fd->lk_heap;
    fd->lk_heap = heap;
    if (!heap && len)
        memcpy(fd->lk_inline, owner, len);
    fd->lk_len = (uint32_t)len;
    pthread_spin_unlock(&fd->lock);
    gf_free(old);
    return 0;
}

GF_EXPORT int
gf_fd_lk_owner(gf_fd_t *fd, void *buf, size_t size)
{
    int ret;

    if (!fd || (size && !buf))
        return -EINVAL;
    pthread_spin_lock(&fd->lock);
    ret = (int)fd->lk_len;
    if (fd->lk_len > size)
        ret = -ERANGE;
    else if (fd->lk_len)
        memcpy(buf, fd->lk_heap ? fd->lk_heap : fd->lk_inline, fd->lk_len);
    pthread_spin_unlock(&fd->lock);
    return ret;
}

GF_EXPORT int
gf_fd_ctx_set(gf_fd_t *fd, unsigned slot, uint64_t value)
{
    if (!fd || slot >= fd->inode->table->nslots)
        return -EINVAL;
    return gf__ctx_set(&fd->lock, &fd->ctx_set, fd->ctx, slot, value);
}

GF_EXPORT int
gf_fd_ctx_get(gf_fd_t *fd, unsigned slot, uint64_t *value)
{
    if (!fd || !value || slot >= fd->inode->table->nslots)
        return -EINVAL;
    return gf__ctx_get(&fd->lock, &fd->ctx_set, fd->ctx, slot, value, false);
}

GF_EXPORT int
gf_fd_ctx_del(gf_fd_t *fd, unsigned slot, uint64_t *value)
{
    if (!fd || slot >= fd->inode->table->nslots)
        return -EINVAL;
    return gf__ctx_get(&fd->lock, &fd->ctx_set, fd->ctx, slot, value, true);
}

/* ---- fd table ---------------------------------------------------------- */

GF_EXPORT gf_fdtable_t *
gf_fdtable_new(uint32_t max_fds)
{
    gf_fdtable_t *tab;

    if (max_fds > (uint32_t)GF_FDTABLE_MAX) {
        errno = EINVAL;
        return NULL;
    }
    tab = gf_calloc(NULL, GF_MT_GRAPH, 1, sizeof(*tab));
    if (!tab)
        return NULL;
    if (pthread_mutex_init(&tab->lock, NULL) != 0) {
        gf_free(tab);
        errno = ENOMEM;
        return NULL;
    }
    tab->max = max_fds ? max_fds : GF_FDTABLE_DEFAULT_MAX;
    return tab;
}

GF_EXPORT void
gf_fdtable_free(gf_fdtable_t *tab)
{
    if (!tab)
        return;
    gf_fdtable_drain(tab, NULL, NULL);
    pthread_mutex_destroy(&tab->lock);
    gf_free(tab);
}

/* Double the slot array (under the table lock). */
static int
fdtab_grow(gf_fdtable_t *tab)
{
    uint32_t ncap = tab->cap ? tab->cap * 2 : FDTAB_FIRST;
    gf_fd_t **slot;
    uint64_t *used;

    if (tab->cap >= tab->max)
        return -EMFILE;
    /* The first arrays are charged to the graph type; realloc keeps it. */
    slot = tab->slot ? gf_realloc(tab->slot, (size_t)ncap * sizeof(*slot))
                     : gf_malloc(NULL, GF_MT_GRAPH, ncap * sizeof(*slot));
    if (!slot)
        return -ENOMEM;
    tab->slot = slot;
    used = tab->used ? gf_realloc(tab->used, ncap / 64 * sizeof(*used))
                     : gf_malloc(NULL, GF_MT_GRAPH, ncap / 64 * sizeof(*used));
    if (!used)
        return -ENOMEM; /* the larger slot array is kept: harmless */
    memset(slot + tab->cap, 0, (size_t)(ncap - tab->cap) * sizeof(*slot));
    memset(used + tab->cap / 64, 0,
           (size_t)(ncap - tab->cap) / 64 * sizeof(*used));
    tab->used = used;
    tab->cap = ncap;
    return 0;
}

/* Lowest free number, growing the table if it is full; -errno if none. */
static int64_t
lowest_free(gf_fdtable_t *tab)
{
    for (uint32_t w = tab->hint; w < tab->cap / 64; w++) {
        if (tab->used[w] != UINT64_MAX) {
            tab->hint = w;
            return (int64_t)w * 64 + __builtin_ctzll(~tab->used[w]);
        }
    }
    tab->hint = tab->cap / 64;
    int ret = fdtab_grow(tab);
    return ret < 0 ? ret : (int64_t)tab->hint * 64;
}

GF_EXPORT int
gf_fdtable_put(gf_fdtable_t *tab, gf_fd_t *fd)
{
    int64_t n;

    if (!tab || !fd)
        return -EINVAL;
    pthread_mutex_lock(&tab->lock);
    n = lowest_free(tab);
    if (n >= 0 && n >= tab->max)
        n = -EMFILE;
    if (n >= 0) {
        tab->slot[n] = gf_fd_ref(fd);
        tab->used[n / 64] |= UINT64_C(1) << (n % 64);
        tab->count++;
    }
    pthread_mutex_unlock(&tab->lock);
    return (int)n;
}

/* The fd under N, or NULL: every number a peer sends goes through here. */
static gf_fd_t *
slot_at(gf_fdtable_t *tab, int64_t n)
{
    if (n < 0 || n >= (int64_t)tab->cap)
        return NULL;
    return tab->slot[n];
}

GF_EXPORT gf_fd_t *
gf_fdtable_get(gf_fdtable_t *tab, int64_t n)
{
    gf_fd_t *fd;

    if (!tab) {
        errno = EINVAL;
        return NULL;
    }
    pthread_mutex_lock(&tab->lock);
    fd = gf_fd_ref(slot_at(tab, n));
    pthread_mutex_unlock(&tab->lock);
    if (!fd)
        errno = EBADF;
    return fd;
}

GF_EXPORT gf_fd_t *
gf_fdtable_del(gf_fdtable_t *tab, int64_t n)
{
    gf_fd_t *fd;

    if (!tab) {
        errno = EINVAL;
        return NULL;
    }
    pthread_mutex_lock(&tab->lock);
    fd = slot_at(tab, n);
    if (fd) {
        tab->slot[n] = NULL;
        tab->used[n / 64] &= ~(UINT64_C(1) << (n % 64));
        tab->count--;
        if ((uint32_t)(n / 64) < tab->hint)
            tab->hint = (uint32_t)(n / 64);
    }
    pthread_mutex_unlock(&tab->lock);
    if (!fd)
        errno = EBADF;
    return fd;
}

GF_EXPORT int64_t
gf_fdtable_drain(gf_fdtable_t *tab, gf_fdtable_drain_cb_t cb, void *data)
{
    gf_fd_t **slot;
    uint64_t *used;
    uint32_t cap;
    int64_t n = 0;

    if (!tab)
        return -EINVAL;
    /* Take the arrays away whole: callbacks then run unlocked (they may
     * wind release fops, or use the table), and no allocation is needed
     * on the disconnect path. */
    pthread_mutex_lock(&tab->lock);
    slot = tab->slot;
    used = tab->used;
    cap = tab->cap;
    tab->slot = NULL;
    tab->used = NULL;
    tab->cap = tab->count = tab->hint = 0;
    pthread_mutex_unlock(&tab->lock);

    for (uint32_t i = 0; i < cap; i++) {
        if (!slot[i])
            continue;
        if (cb)
            cb(slot[i], i, data);
        gf_fd_unref(slot[i]);
        n++;
    }
    gf_free(slot);
    gf_free(used);
    return n;
}

GF_EXPORT uint32_t
gf_fdtable_count(gf_fdtable_t *tab)
{
    uint32_t n;

    if (!tab)
        return 0;
    pthread_mutex_lock(&tab->lock);
    n = tab->count;
    pthread_mutex_unlock(&tab->lock);
    return n;
}
