/* SPDX-License-Identifier: LGPL-3.0-or-later */
/*
 * locks-range.c - byte-range locks: lk (the POSIX locks of fcntl) and
 * inodelk/finodelk (the same locks in named domains, which cluster
 * translators use to serialise their transactions).
 *
 * Two locks conflict when their ranges overlap, one of them is a write
 * lock and their owners differ. An owner's own locks never conflict.
 * For lk, locking a range an owner already holds changes the type of that
 * part, and unlocking part of a lock splits it, as fcntl does: an owner's
 * granted locks never overlap, and adjacent ones of one type are merged,
 * so one spare record per request is all a split can need (allocated
 * before the inode lock is taken; nothing allocates under it).
 *
 * inodelk domains are "stacked", as upstream's: every granted lock is its
 * own record, even one that repeats a range its owner holds (distribute
 * takes the same read lock twice and unlocks twice), and an unlock removes
 * one record of its owner, the one with the same range if any, else one
 * that overlaps. An inodelk unlock that matches nothing fails with EINVAL
 * (upstream's answer), which tells a cluster translator its bookkeeping is
 * off. Deadlock detection (EDEADLK) is not done.
 */
#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "locks-int.h"

static pl_rlock_t *
rlock_new(pl_priv_t *priv, const pl_owner_t *o)
{
    bool pooled = o->len <= PL_OWNER_INLINE;
    pl_rlock_t *r = pooled ? gf_mem_get0(priv->lock_pool)
                           : gf_calloc(pl_acct(priv), PL_MT_LOCK, 1,
                                       sizeof(*r) + o->len + 1);

    if (!r)
        return NULL;
    r->pooled = pooled;
    pl_list_init(&r->link);
    r->owner = *o;
    if (o->len)
        memcpy(r->odata, o->data, o->len);
    r->owner.data = r->odata;
    return r;
}

/* Free R alone (its spare and waiter are the caller's business). */
static void
rlock_put(pl_rlock_t *r)
{
    if (r && r->pooled)
        gf_mem_put(r);
    else
        gf_free(r);
}

static void
rlock_free(pl_rlock_t *r)
{
    if (!r)
        return;
    rlock_put(r->spare);
    pl__waiter_free(r->waiter);
    rlock_put(r);
}

/* The inclusive range FLOCK names. Only SEEK_SET: the brick knows no
 * file position, and clients send absolute ranges. */
static int
flock_range(const gf_flock_t *f, int64_t *start, int64_t *end)
{
    int64_t s = f->start, len = f->len;

    if (f->whence != SEEK_SET)
        return -EINVAL;
    if (len < 0) { /* fcntl: the LEN bytes before START */
        if (s + len < 0)
            return -EINVAL;
        s += len;
        len = -len;
    }
    if (s < 0)
        return -EINVAL;
    *start = s;
    if (len == 0 || len - 1 > INT64_MAX - s)
        *end = INT64_MAX;
    else
        *end = s + len - 1;
    return 0;
}

static bool
overlap(const pl_rlock_t *a, const pl_rlock_t *b)
{
    return a->start <= b->end && b->start <= a->end;
}

static bool
conflict(const pl_rlock_t *a, const pl_rlock_t *b)
{
    return overlap(a, b) && (a->type == F_WRLCK || b->type == F_WRLCK) &&
           !pl__same_owner(&a->owner, &b->owner);
}

static pl_rlock_t *
first_conflict(pl_dom_t *dom, const pl_rlock_t *r)
{
    for (pl_link_t *e = dom->granted.next; e != &dom->granted; e = e->next) {
        pl_rlock_t *g = gf_container_of(e, pl_rlock_t, link);

        if (conflict(g, r))
            return g;
    }
    return NULL;
}

/* Remove [R->start, R->end] from R's owner's granted locks; a lock that
 * strictly contains it is split with *SPARE. True if any overlapped. */
static bool
carve(pl_dom_t *dom, const pl_rlock_t *r, pl_rlock_t **spare)
{
    bool found = false;
    pl_link_t *e, *next;

    for (e = dom->granted.next; e != &dom->granted; e = next) {
        pl_rlock_t *g = gf_container_of(e, pl_rlock_t, link);

        next = e->next;
        if (!overlap(g, r) || !pl__same_owner(&g->owner, &r->owner))
            continue;
        found = true;
        if (g->start < r->start && g->end > r->end) {
            pl_rlock_t *right = *spare;

            GF_ASSERT(right); /* one split at most: locks never overlap */
            *spare = NULL;
            right->type = g->type;
            right->pid = g->pid;
            right->fd = g->fd;
            right->start = r->end + 1;
            right->end = g->end;
            g->end = r->start - 1;
            pl_list_add_tail(&dom->granted, &right->link);
        } else if (g->start < r->start) {
            g->end = r->start - 1;
        } else if (g->end > r->end) {
            g->start = r->end + 1;
        } else {
            pl_list_del(&g->link);
            rlock_free(g);
        }
    }
    return found;
}

/* Grant R (no conflict): it replaces its owner's locks on its range and
 * absorbs adjacent ones of its type. R's spare is used or freed. */
/* A stacked domain's unlock: remove one of R's owner's records, the one
 * with R's range if there is one, else one overlapping it. */
static bool
remove_one(pl_dom_t *dom, const pl_rlock_t *r)
{
    pl_rlock_t *pick = NULL;

    for (pl_link_t *e = dom->granted.next; e != &dom->granted; e = e->next) {
        pl_rlock_t *g = gf_container_of(e, pl_rlock_t, link);

        if (!overlap(g, r) || !pl__same_owner(&g->owner, &r->owner))
            continue;
        if (g->start == r->start && g->end == r->end) {
            pick = g;
            break;
        }
        if (!pick)
            pick = g;
    }
    if (!pick)
        return false;
    pl_list_del(&pick->link);
    rlock_free(pick);
    return true;
}

static void
apply(pl_dom_t *dom, pl_rlock_t *r)
{
    pl_link_t *e, *next;

    if (dom->stacked) {
        rlock_put(r->spare);
        r->spare = NULL;
        pl_list_add_tail(&dom->granted, &r->link);
        return;
    }
    carve(dom, r, &r->spare);
    rlock_put(r->spare);
    r->spare = NULL;
    for (e = dom->granted.next; e != &dom->granted; e = next) {
        pl_rlock_t *g = gf_container_of(e, pl_rlock_t, link);

        next = e->next;
        if (g->type != r->type || !pl__same_owner(&g->owner, &r->owner))
            continue;
        if (g->end != INT64_MAX && g->end + 1 == r->start) {
            r->start = g->start;
        } else if (r->end != INT64_MAX && r->end + 1 == g->start) {
            r->end = g->end;
        } else {
            continue;
        }
        pl_list_del(&g->link);
        rlock_free(g);
    }
    pl_list_add_tail(&dom->granted, &r->link);
}

/* Grant, in arrival order, every parked request nothing granted blocks. */
static void
grant(pl_dom_t *dom, pl_link_t *replies)
{
    pl_link_t *e, *next;

    for (e = dom->blocked.next; e != &dom->blocked; e = next) {
        pl_rlock_t *r = gf_container_of(e, pl_rlock_t, link);

        next = e->next;
        if (first_conflict(dom, r))
            continue;
        pl_list_del(&r->link);
        pl__decide(r->waiter, replies, 0, 0);
        r->waiter = NULL;
        apply(dom, r);
    }
}

void
pl__range_drop(pl_dom_t *dom, pl_rmatch_fn_t match, const void *arg,
               int32_t err, pl_link_t *replies)
{
    pl_link_t *e, *next;

    for (e = dom->granted.next; e != &dom->granted; e = next) {
        pl_rlock_t *g = gf_container_of(e, pl_rlock_t, link);

        next = e->next;
        if (match(g, arg)) {
            pl_list_del(&g->link);
            rlock_free(g);
        }
    }
    for (e = dom->blocked.next; e != &dom->blocked; e = next) {
        pl_rlock_t *b = gf_container_of(e, pl_rlock_t, link);

        next = e->next;
        if (match(b, arg)) {
            pl_list_del(&b->link);
            pl__decide(b->waiter, replies, -1, err);
            b->waiter = NULL;
            rlock_free(b);
        }
    }
    grant(dom, replies);
}

static bool
match_all(const pl_rlock_t *l, const void *arg)
{
    (void)l, (void)arg;
    return true;
}

void
pl__range_free_dom(pl_dom_t *dom, pl_link_t *replies, int32_t err)
{
    pl__range_drop(dom, match_all, NULL, err, replies);
}

static int
dump_list(pl_dom_t *dom, pl_link_t *head, FILE *out, const char *key)
{
    char owner[2 * 64 + 1];
    int ret = 0;

    for (pl_link_t *e = head->next; e != head && ret == 0; e = e->next) {
        pl_rlock_t *l = gf_container_of(e, pl_rlock_t, link);

        pl__owner_hex(&l->owner, owner, sizeof(owner));
        ret = gf_xlator_dump(out, key,
                             "domain=%s type=%s start=%" PRId64 " len=%" PRId64
                             " pid=%d client=%" PRIu64 " owner=%s",
                             dom->name, l->type == F_WRLCK ? "WRITE" : "READ",
                             l->start,
                             l->end == INT64_MAX ? 0 : l->end - l->start + 1,
                             (int)l->pid, l->owner.client, owner);
    }
    return ret;
}

int
pl__range_dump(pl_dom_t *dom, FILE *out, const char *prefix)
{
    char key[96];
    int ret;

    snprintf(key, sizeof(key), "%s.granted", prefix);
    ret = dump_list(dom, &dom->granted, out, key);
    snprintf(key, sizeof(key), "%s.blocked", prefix);
    if (ret == 0)
        ret = dump_list(dom, &dom->blocked, out, key);
    return ret;
}

/* ---- the fops ---------------------------------------------------------- */

/* What one request asks. */
typedef struct range_req {
    gf_fop_t fop;
    gf_inode_t *inode;
    const char *domain; /* NULL: lk's own */
    gf_fd_t *fd;        /* lk: released fds drop their locks */
    int32_t cmd;
    gf_flock_t *flock;
} range_req_t;

static void
finish(gf_frame_t *frame, const range_req_t *q, int32_t op_ret,
       int32_t op_errno)
{
    switch (q->fop) {
    case GF_FOP_LK:
        gf_unwind_lk(frame, op_ret, op_errno, q->flock, NULL);
        break;
    case GF_FOP_INODELK:
        gf_unwind_inodelk(frame, op_ret, op_errno, NULL);
        break;
    default:
        gf_unwind_finodelk(frame, op_ret, op_errno, NULL);
        break;
    }
}

/* F_GETLK: describe the first lock that would block Q, or F_UNLCK. */
static void
getlk(pl_priv_t *priv, pl_inode_t *pl, const range_req_t *q, pl_rlock_t *r)
{
    pl_dom_t *dom;
    pl_rlock_t *g;

    pthread_mutex_lock(&pl->lock);
    dom = q->domain ? pl__dom_get(priv, &pl->doms, q->domain) : pl->posix;
    g = dom ? first_conflict(dom, r) : NULL;
    if (g) {
        q->flock->type = g->type;
        q->flock->whence = SEEK_SET;
        q->flock->start = g->start;
        q->flock->len = g->end == INT64_MAX ? 0 : g->end - g->start + 1;
        q->flock->pid = g->pid;
        q->flock->owner.len = g->owner.len;
        memcpy(q->flock->owner.data, g->owner.data, g->owner.len);
    } else {
        q->flock->type = F_UNLCK;
    }
    pthread_mutex_unlock(&pl->lock);
}

/* F_SETLK/F_SETLKW with R (owning its spare and waiter). Returns the
 * errno to answer with, or -1 when R was parked. */
static int
setlk(pl_priv_t *priv, pl_inode_t *pl, const range_req_t *q, pl_rlock_t *r)
{
    pl_link_t replies;
    pl_dom_t *dom;
    int err = 0;

    pl_list_init(&replies);
    pthread_mutex_lock(&pl->lock);
    dom = q->domain ? pl__dom_get(priv, &pl->doms, q->domain) : pl->posix;
    if (!dom) {
        err = ENOMEM;
    } else if (r->type == F_UNLCK) {
        if (dom->stacked ? !remove_one(dom, r)
                         : !carve(dom, r, &r->spare) && q->domain)
            err = EINVAL;
        grant(dom, &replies);
    } else if (first_conflict(dom, r)) {
        if (r->waiter) {
            pl_list_add_tail(&dom->blocked, &r->link);
            r = NULL;
            err = -1;
        } else {
            err = EAGAIN;
        }
    } else {
        apply(dom, r);
        r = NULL;
        grant(dom, &replies); /* a downgrade may let others in */
    }
    pl__unlock_and_reply(priv, pl, &replies);
    rlock_free(r);
    return err;
}

static void
range_request(gf_frame_t *frame, gf_xlator_t *self, const range_req_t *q)
{
    pl_priv_t *priv = gf_xlator_private(self);
    pl_owner_t owner = pl__owner_of(frame);
    gf_flock_t *f = q->flock;
    int64_t start, end;
    pl_inode_t *pl;
    pl_rlock_t *r;
    int err;

    if (!f || !q->inode || flock_range(f, &start, &end) < 0 ||
        (f->type != F_RDLCK && f->type != F_WRLCK && f->type != F_UNLCK) ||
        (q->cmd != F_GETLK && q->cmd != F_SETLK && q->cmd != F_SETLKW) ||
        (q->cmd == F_GETLK && f->type == F_UNLCK)) {
        finish(frame, q, -1, EINVAL);
        return;
    }
    /* A GETLK on a file nobody locks needs no state. */
    pl = pl__inode_get(priv, q->inode, q->cmd != F_GETLK);
    if (!pl && q->cmd == F_GETLK) {
        f->type = F_UNLCK;
        finish(frame, q, 0, 0);
        return;
    }
    r = pl ? rlock_new(priv, &owner) : NULL;
    if (r && q->cmd != F_GETLK) {
        r->spare = rlock_new(priv, &owner);
        if (q->cmd == F_SETLKW && f->type != F_UNLCK)
            r->waiter = pl__waiter_new(priv, frame, q->fop, f);
    }
    if (!r || (q->cmd != F_GETLK && !r->spare) ||
        (q->cmd == F_SETLKW && f->type != F_UNLCK && !r->waiter)) {
        rlock_free(r);
        if (pl)
            pl__inode_put(priv, pl);
        finish(frame, q, -1, ENOMEM);
        return;
    }
    r->type = f->type;
    r->start = start;
    r->end = end;
    r->pid = f->pid;
    r->fd = (uintptr_t)q->fd;
    if (q->cmd == F_GETLK) {
        getlk(priv, pl, q, r);
        rlock_free(r);
        pl__inode_put(priv, pl);
        finish(frame, q, 0, 0);
        return;
    }
    err = setlk(priv, pl, q, r);
    if (err >= 0)
        finish(frame, q, err ? -1 : 0, err);
}

int
pl__lk(gf_frame_t *frame, gf_xlator_t *self, gf_fd_t *fd, int32_t cmd,
       gf_flock_t *flock, gf_dict_t *xdata)
{
    pl_priv_t *priv = gf_xlator_private(self);
    range_req_t q = {.fop = GF_FOP_LK,
                     .inode = fd ? gf_fd_inode(fd) : NULL,
                     .fd = fd,
                     .cmd = cmd,
                     .flock = flock};
    uint64_t v;

    (void)xdata;
    /* A context on the fd makes the core tell us when it is released. */
    if (fd && gf_fd_ctx_get(fd, priv->slot, &v) < 0)
        gf_fd_ctx_set(fd, priv->slot, 1);
    range_request(frame, self, &q);
    return 0;
}

int
pl__inodelk(gf_frame_t *frame, gf_xlator_t *self, const char *volume,
            gf_loc_t *loc, int32_t cmd, gf_flock_t *flock, gf_dict_t *xdata)
{
    range_req_t q = {.fop = GF_FOP_INODELK,
                     .inode = loc ? loc->inode : NULL,
                     .domain = volume ? volume : "",
                     .cmd = cmd,
                     .flock = flock};

    (void)xdata;
    range_request(frame, self, &q);
    return 0;
}

int
pl__finodelk(gf_frame_t *frame, gf_xlator_t *self, const char *volume,
             gf_fd_t *fd, int32_t cmd, gf_flock_t *flock, gf_dict_t *xdata)
{
    range_req_t q = {.fop = GF_FOP_FINODELK,
                     .inode = fd ? gf_fd_inode(fd) : NULL,
                     .domain = volume ? volume : "",
                     .cmd = cmd,
                     .flock = flock};

    (void)xdata;
    range_request(frame, self, &q);
    return 0;
}
