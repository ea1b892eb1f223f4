/* SPDX-License-Identifier: LGPL-3.0-or-later */
/*
 * inode-int.h - private layout of inode tables and inodes, shared by
 * inode.c and fd.c (fds hang off their inode and borrow its table's lock,
 * pool and release callback). Not installed.
 */
#ifndef GF_INODE_INT_H
#define GF_INODE_INT_H

#include <errno.h>
#include <pthread.h>
#include <stdatomic.h>
#include <stdbool.h>
#include <stdint.h>

#include <gf/fd.h>
#include <gf/inode.h>
#include <gf/mem-pool.h>

/* Circular doubly-linked list; a head is a node pointing at itself. */
struct gf__list {
    struct gf__list *next, *prev;
};

static inline void
gf__list_init(struct gf__list *h)
{
    h->next = h->prev = h;
}

static inline bool
gf__list_empty(const struct gf__list *h)
{
    return h->next == h;
}

static inline void
gf__list_add_tail(struct gf__list *h, struct gf__list *n)
{
    n->prev = h->prev;
    n->next = h;
    h->prev->next = n;
    h->prev = n;
}

static inline void
gf__list_del(struct gf__list *n)
{
    n->prev->next = n->next;
    n->next->prev = n->prev;
    n->next = n->prev = n;
}

/* Hash chain node: singly linked with a back pointer for O(1) removal. */
struct gf__hnode {
    struct gf__hnode *next, **pprev;
};

/* A power-of-two bucket array that doubles when its load exceeds 1. */
struct gf__htab {
    struct gf__hnode **b;
    uint64_t mask;
    uint64_t count;
};

/* A name of an inode in a parent directory. */
struct gf__dentry {
    struct gf__hnode hash; /* table->dhash, keyed by (parent, name) */
    struct gf__list ilink; /* inode->dentries */
    gf_inode_t *inode;
    gf_inode_t *parent; /* referenced */
    uint64_t hv;
    uint16_t len;
    char name[];
};

/* Where an inode is: which list its 'list' node is on. */
enum gf__inode_where { GF__IN_ACTIVE = 1, GF__IN_LRU, GF__IN_DEAD };

struct gf_inode {
    gf_inode_table_t *table;
    _Atomic uint32_t ref;     /* 0 <-> 1 only under the table lock */
    uint8_t where;            /* enum gf__inode_where; table lock */
    uint8_t type;             /* gf_inode_type_t; set once, table lock */
    bool hashed;              /* in the gfid hash; table lock */
    uint32_t ndentries;       /* table lock */
    uint32_t nfds;            /* table lock */
    uint64_t nlookup;         /* table lock */
    gf_gfid_t gfid;           /* set once at link, table lock */
    struct gf__hnode hash;    /* gfid hash chain */
    struct gf__list list;     /* active, LRU or a reap list */
    struct gf__list dentries; /* its names: struct gf__dentry.ilink */
    struct gf__list fds;      /* open fds: struct gf_fd.ilink */
    pthread_spinlock_t ctx_lock;
    uint64_t ctx_set; /* bit per slot holding a value */
    uint64_t ctx[];   /* table->nslots values */
};

struct gf_inode_table {
    pthread_mutex_t lock;
    uint32_t lru_limit;
    unsigned nslots;
    bool dying; /* gf_inode_table_free was called */
    gf_inode_t *root;
    struct gf__list active, lru;
    uint64_t nactive, nlru, nlinked, ndentries;
    uint64_t npurged, ndestroyed;
    uint64_t ninodes; /* inode objects not yet given back to the pool */
    struct gf__htab ghash, dhash;
    uint64_t seed; /* dentry hash key: names come from clients */
    gf_mem_pool_t *inode_pool, *dentry_pool, *dentry_long_pool, *fd_pool;
    size_t dentry_cap; /* longest name + NUL a dentry_pool object holds */
    gf_inode_forget_cb_t forget;
    void *forget_data;
    gf_fd_release_cb_t release;
    void *release_data;
};

/* Object size of an fd with NSLOTS context slots (fd.c). */
size_t gf__fd_obj_size(unsigned nslots);

/* Context slots, shared by inodes and fds: LOCK guards *SET and V[]. */
static inline int
gf__ctx_set(pthread_spinlock_t *lock, uint64_t *set, uint64_t *v, unsigned slot,
            uint64_t value)
{
    pthread_spin_lock(lock);
    v[slot] = value;
    *set |= UINT64_C(1) << slot;
    pthread_spin_unlock(lock);
    return 0;
}

static inline int
gf__ctx_get(pthread_spinlock_t *lock, uint64_t *set, uint64_t *v, unsigned slot,
            uint64_t *value, bool del)
{
    uint64_t bit = UINT64_C(1) << slot;
    int ret = -ENOENT;

    pthread_spin_lock(lock);
    if (*set & bit) {
        if (value)
            *value = v[slot];
        if (del)
            *set &= ~bit;
        ret = 0;
    }
    pthread_spin_unlock(lock);
    return ret;
}

#endif /* GF_INODE_INT_H */
