/* SPDX-License-Identifier: LGPL-3.0-or-later */
/*
 * locks-int.h - private state of features/locks shared by its files.
 *
 * An inode with locks, waiters or a lock request in progress has a
 * pl_inode_t in the translator's context slot: one mutex, the lk (POSIX)
 * locks, the inodelk domains and the entrylk domains. Each domain keeps a
 * list of granted locks and a FIFO list of blocked requests. While an
 * inode has any lock or waiter it is "active": it holds a reference on
 * the inode (a lock must not vanish when the client's inode table purges
 * an idle inode) and the translator can find it to drop a gone client's
 * locks. Requests count as users of the state (pl__inode_get/put, under
 * one of PL_SHARDS shard locks); the last user frees it once it holds
 * nothing, so idle inodes cost no memory here.
 *
 * Lock order: shard lock, then pl_inode_t.lock, then pl_priv_t.lock (the
 * shard lock is never taken under the other two). Replies to parked
 * requests are collected under the inode lock and unwound after it is
 * released, so a callback that winds a new lock fop never deadlocks.
 */
#ifndef GF_LOCKS_INT_H
#define GF_LOCKS_INT_H

#include <pthread.h>
#include <stdbool.h>
#include <stdint.h>

#include <gf/fd.h>
#include <gf/inode.h>
#include <gf/mem-pool.h>
#include <gf/xlator.h>

enum {
    PL_MT_PRIV,
    PL_MT_INODE,
    PL_MT_DOM,
    PL_MT_LOCK,
    PL_MT_WAITER,
    PL_MT_MAX,
};

/* Lock records whose owner fits this many bytes (AFR and gfapi send 8)
 * come from a mem pool; longer owners are rare and use gf_malloc. */
enum { PL_OWNER_INLINE = 32 };

/* A minimal intrusive circular list. */
typedef struct pl_link {
    struct pl_link *next, *prev;
} pl_link_t;

static inline void
pl_list_init(pl_link_t *h)
{
    h->next = h->prev = h;
}

static inline bool
pl_list_empty(const pl_link_t *h)
{
    return h->next == h;
}

static inline void
pl_list_add_tail(pl_link_t *h, pl_link_t *e)
{
    e->prev = h->prev;
    e->next = h;
    h->prev->next = e;
    h->prev = e;
}

static inline void
pl_list_del(pl_link_t *e)
{
    e->prev->next = e->next;
    e->next->prev = e->prev;
    e->next = e->prev = e;
}

/* Who holds a lock: the client connection and its lock owner bytes. */
typedef struct pl_owner {
    uint64_t client;
    uint32_t len;
    const unsigned char *data;
} pl_owner_t;

/* A parked request, answered once its lock is granted or refused. */
typedef struct pl_waiter {
    pl_link_t link; /* in a reply list once decided */
    gf_frame_t *frame;
    gf_fop_t fop;
    gf_flock_t *flock; /* lk: the caller's, unwound as the result */
    int32_t op_ret;
    int32_t op_errno;
} pl_waiter_t;

/* A byte-range lock (lk, inodelk), granted or blocked. END is inclusive;
 * a lock "to the end of file" has END INT64_MAX. */
typedef struct pl_rlock {
    pl_link_t link;
    int16_t type; /* F_RDLCK or F_WRLCK */
    int64_t start;
    int64_t end;
    int32_t pid;
    uintptr_t fd; /* lk: the fd it came through (identity only) */
    pl_owner_t owner;
    struct pl_rlock *spare; /* a same-owner record for a split */
    pl_waiter_t *waiter;    /* blocked only */
    bool pooled;            /* from pl_priv_t.lock_pool */
    unsigned char odata[];
} pl_rlock_t;

/* An entry lock: BASENAME NULL locks the whole directory. */
typedef struct pl_elock {
    pl_link_t link;
    int32_t type; /* GF_ENTRYLK_RDLCK or GF_ENTRYLK_WRLCK */
    const char *basename;
    pl_owner_t owner;
    pl_waiter_t *waiter; /* blocked only */
    unsigned char tail[];
} pl_elock_t;

/* A lock domain: the lk locks (name ""), an inodelk or an entrylk
 * domain. */
typedef struct pl_dom {
    struct pl_dom *next;
    pl_link_t granted;
    pl_link_t blocked;
    /* A named (inodelk) domain: each lock is its own record, as upstream
     * counts them; lk's unnamed domain merges and splits like fcntl. */
    bool stacked;
    char name[];
} pl_dom_t;

typedef struct pl_inode {
    pthread_mutex_t lock;
    gf_inode_t *inode; /* borrowed; referenced while active */
    pl_link_t all;     /* in pl_priv_t.inodes (its lock) */
    bool active;       /* holds a reference (both locks to change) */
    unsigned users;    /* requests using it (its shard lock) */
    pl_dom_t *posix;   /* lk */
    pl_dom_t *doms;    /* inodelk/finodelk */
    pl_dom_t *edoms;   /* entrylk/fentrylk */
} pl_inode_t;

enum { PL_SHARDS = 64 };

typedef struct pl_priv {
    pthread_mutex_t lock;
    /* Guard finding, making and freeing an inode's state, by inode. */
    pthread_mutex_t shards[PL_SHARDS];
    pl_link_t inodes; /* every pl_inode_t */
    gf_xlator_t *self;
    unsigned slot;
    gf_mem_pool_t *lock_pool;   /* pl_rlock_t with a short owner */
    gf_mem_pool_t *waiter_pool; /* pl_waiter_t */
} pl_priv_t;

static inline gf_mem_acct_t *
pl_acct(const pl_priv_t *priv)
{
    return gf_xlator_mem_acct(priv->self);
}

/* locks.c */
pl_inode_t *pl__inode_get(pl_priv_t *priv, gf_inode_t *inode, bool create);
void pl__inode_put(pl_priv_t *priv, pl_inode_t *pl);
pl_dom_t *pl__dom_get(pl_priv_t *priv, pl_dom_t **head, const char *name);
bool pl__settle(pl_priv_t *priv, pl_inode_t *pl);
void pl__unlock_and_reply(pl_priv_t *priv, pl_inode_t *pl, pl_link_t *replies);
void pl__reply(pl_link_t *replies);
pl_waiter_t *pl__waiter_new(pl_priv_t *priv, gf_frame_t *frame, gf_fop_t fop,
                            gf_flock_t *flock);
void pl__waiter_free(pl_waiter_t *w);
void pl__decide(pl_waiter_t *w, pl_link_t *replies, int32_t op_ret,
                int32_t op_errno);
pl_owner_t pl__owner_of(gf_frame_t *frame);
bool pl__same_owner(const pl_owner_t *a, const pl_owner_t *b);
int pl__owner_hex(const pl_owner_t *o, char *buf, size_t size);

/* locks-range.c */
int pl__lk(gf_frame_t *frame, gf_xlator_t *self, gf_fd_t *fd, int32_t cmd,
           gf_flock_t *flock, gf_dict_t *xdata);
int pl__inodelk(gf_frame_t *frame, gf_xlator_t *self, const char *volume,
                gf_loc_t *loc, int32_t cmd, gf_flock_t *flock,
                gf_dict_t *xdata);
int pl__finodelk(gf_frame_t *frame, gf_xlator_t *self, const char *volume,
                 gf_fd_t *fd, int32_t cmd, gf_flock_t *flock, gf_dict_t *xdata);
/* Drop the range locks and waiters in DOM that MATCH (waiters get
 * -1/ERR), then grant what can be. Under the inode lock. */
typedef bool (*pl_rmatch_fn_t)(const pl_rlock_t *l, const void *arg);
void pl__range_drop(pl_dom_t *dom, pl_rmatch_fn_t match, const void *arg,
                    int32_t err, pl_link_t *replies);
void pl__range_free_dom(pl_dom_t *dom, pl_link_t *replies, int32_t err);
int pl__range_dump(pl_dom_t *dom, FILE *out, const char *prefix);

/* locks-entry.c */
int pl__entrylk(gf_frame_t *frame, gf_xlator_t *self, const char *volume,
                gf_loc_t *loc, const char *basename, int32_t cmd, int32_t type,
                gf_dict_t *xdata);
int pl__fentrylk(gf_frame_t *frame, gf_xlator_t *self, const char *volume,
                 gf_fd_t *fd, const char *basename, int32_t cmd, int32_t type,
                 gf_dict_t *xdata);
/* Drop CLIENT's entry locks and waiters in DOM, grant what can be. */
void pl__entry_drop_client(pl_dom_t *dom, uint64_t client, pl_link_t *replies);
void pl__entry_free_dom(pl_dom_t *dom, pl_link_t *replies, int32_t err);
int pl__entry_dump(pl_dom_t *dom, FILE *out, const char *prefix);

#endif /* GF_LOCKS_INT_H */
