/* SPDX-License-Identifier: LGPL-3.0-or-later */
/*
 * features/locks - the brick's lock server: POSIX byte-range locks (lk),
 * byte-range locks in named domains (inodelk, finodelk) and entry locks
 * (entrylk, fentrylk), which cluster translators on the client side (AFR,
 * DHT) and applications (fcntl) rely on. It sits right above
 * storage/posix; lock fops end here, everything else passes through.
 *
 * A lock belongs to an owner: the client connection the request came on
 * (gf_stack_client) and the lock owner bytes the client chose. A blocking
 * request whose lock conflicts is parked, not waited for: its frame is
 * kept with the lock and unwound when a release lets it in, in the order
 * requests arrived (a later request is granted first only if it does not
 * conflict with what is held, as upstream). No thread ever blocks here.
 *
 * Locks go away with their owner: lk locks when the fd they came through
 * is released (cbks.release) and all of an owner's lk locks on the file
 * when that owner flushes it (close semantics); every lock of a client
 * when its connection goes (cbks.client_disconnect), whose parked
 * requests are answered -1/EAGAIN as upstream's client cleanup does.
 *
 * This file: the descriptor, per-inode state, replies, flush, the
 * callbacks and the statedump. locks-range.c has lk/inodelk,
 * locks-entry.c entrylk.
 */
#include <errno.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "locks-int.h"

static const char *const pl_mem_types[PL_MT_MAX] = {
    [PL_MT_PRIV] = "pl_priv_t",     [PL_MT_INODE] = "pl_inode_t",
    [PL_MT_DOM] = "pl_dom_t",       [PL_MT_LOCK] = "pl_lock_t",
    [PL_MT_WAITER] = "pl_waiter_t",
};

/* ---- owners ------------------------------------------------------------ */

pl_owner_t
pl__owner_of(gf_frame_t *frame)
{
    gf_stack_t *st = gf_frame_stack(frame);
    const gf_lkowner_t *o = gf_stack_lk_owner(st);
    pl_owner_t r = {.client = gf_stack_client(st)};

    if (o && o->len) {
        r.len = o->len;
        r.data = o->data;
    }
    return r;
}

bool
pl__same_owner(const pl_owner_t *a, const pl_owner_t *b)
{
    return a->client == b->client && a->len == b->len &&
           (a->len == 0 || memcmp(a->data, b->data, a->len) == 0);
}

int
pl__owner_hex(const pl_owner_t *o, char *buf, size_t size)
{
    size_t n = 0;

    buf[0] = '\0';
    for (uint32_t i = 0; i < o->len && n + 3 <= size; i++)
        n += (size_t)snprintf(buf + n, size - n, "%02x", o->data[i]);
    return 0;
}

/* ---- per-inode state --------------------------------------------------- */

static pl_dom_t *
dom_new(pl_priv_t *priv, const char *name)
{
    size_t len = strlen(name);
    pl_dom_t *d = gf_malloc(pl_acct(priv), PL_MT_DOM, sizeof(*d) + len + 1);

    if (!d)
        return NULL;
    d->next = NULL;
    d->stacked = len > 0;
    pl_list_init(&d->granted);
    pl_list_init(&d->blocked);
    memcpy(d->name, name, len + 1);
    return d;
}

pl_dom_t *
pl__dom_get(pl_priv_t *priv, pl_dom_t **head, const char *name)
{
    pl_dom_t *d;

    for (d = *head; d; d = d->next)
        if (strcmp(d->name, name) == 0)
            return d;
    d = dom_new(priv, name);
    if (d) {
        d->next = *head;
        *head = d;
    }
    return d;
}

static pthread_mutex_t *
shard_of(pl_priv_t *priv, const gf_inode_t *inode)
{
    return &priv->shards[((uintptr_t)inode >> 6) % PL_SHARDS];
}

static pl_inode_t *
inode_new(pl_priv_t *priv, gf_inode_t *inode)
{
    pl_inode_t *pl = gf_calloc(pl_acct(priv), PL_MT_INODE, 1, sizeof(*pl));

    if (pl)
        pl->posix = dom_new(priv, "");
    if (pl && pl->posix &&
        gf_inode_ctx_set(inode, priv->slot, (uint64_t)(uintptr_t)pl) == 0) {
        pthread_mutex_init(&pl->lock, NULL);
        pl->inode = inode;
        pthread_mutex_lock(&priv->lock);
        pl_list_add_tail(&priv->inodes, &pl->all);
        pthread_mutex_unlock(&priv->lock);
        return pl;
    }
    if (pl)
        gf_free(pl->posix);
    gf_free(pl);
    return NULL;
}

/* INODE's state with one more user (give it back with pl__inode_put),
 * made on first use when CREATE is set. NULL when there is none or no
 * memory. The shard lock makes lookup, creation and the last put's free
 * atomic; it is held for a few instructions only. */
pl_inode_t *
pl__inode_get(pl_priv_t *priv, gf_inode_t *inode, bool create)
{
    pthread_mutex_t *shard;
    pl_inode_t *pl = NULL;
    uint64_t v = 0;

    if (!inode)
        return NULL;
    shard = shard_of(priv, inode);
    pthread_mutex_lock(shard);
    if (gf_inode_ctx_get(inode, priv->slot, &v) == 0)
        pl = (pl_inode_t *)(uintptr_t)v;
    else if (create)
        pl = inode_new(priv, inode);
    if (pl)
        pl->users++;
    pthread_mutex_unlock(shard);
    return pl;
}

static void inode_free(pl_inode_t *pl);
static bool dom_busy(const pl_dom_t *d);

/* Drop a user of PL; the last one frees PL when it holds nothing, so an
 * idle inode costs nothing here (a new lock makes it again). */
void
pl__inode_put(pl_priv_t *priv, pl_inode_t *pl)
{
    pthread_mutex_t *shard = shard_of(priv, pl->inode);
    bool idle = false;

    pthread_mutex_lock(shard);
    if (--pl->users == 0) {
        pthread_mutex_lock(&pl->lock);
        idle =
            !dom_busy(pl->posix) && !dom_busy(pl->doms) && !dom_busy(pl->edoms);
        pthread_mutex_unlock(&pl->lock);
    }
    if (idle) {
        gf_inode_ctx_del(pl->inode, priv->slot, NULL);
        pthread_mutex_lock(&priv->lock);
        pl_list_del(&pl->all);
        pthread_mutex_unlock(&priv->lock);
    }
    pthread_mutex_unlock(shard);
    if (idle)
        inode_free(pl);
}

static bool
dom_busy(const pl_dom_t *d)
{
    for (; d; d = d->next)
        if (!pl_list_empty(&d->granted) || !pl_list_empty(&d->blocked))
            return true;
    return false;
}

/* Make PL's inode reference match whether it holds anything; true when
 * the caller must drop the reference after releasing PL's lock (dropping
 * it here could run our own forget under our lock). */
bool
pl__settle(pl_priv_t *priv, pl_inode_t *pl)
{
    bool busy =
        dom_busy(pl->posix) || dom_busy(pl->doms) || dom_busy(pl->edoms);

    if (busy == pl->active)
        return false;
    pthread_mutex_lock(&priv->lock);
    pl->active = busy;
    pthread_mutex_unlock(&priv->lock);
    if (busy)
        gf_inode_ref(pl->inode);
    return !busy;
}

/* ---- replies ----------------------------------------------------------- */

pl_waiter_t *
pl__waiter_new(pl_priv_t *priv, gf_frame_t *frame, gf_fop_t fop,
               gf_flock_t *flock)
{
    pl_waiter_t *w = gf_mem_get0(priv->waiter_pool);

    if (w) {
        pl_list_init(&w->link);
        w->frame = frame;
        w->fop = fop;
        w->flock = flock;
    }
    return w;
}

void
pl__waiter_free(pl_waiter_t *w)
{
    gf_mem_put(w);
}

void
pl__decide(pl_waiter_t *w, pl_link_t *replies, int32_t op_ret, int32_t op_errno)
{
    w->op_ret = op_ret;
    w->op_errno = op_errno;
    pl_list_add_tail(replies, &w->link);
}

void
pl__reply(pl_link_t *replies)
{
    while (!pl_list_empty(replies)) {
        pl_waiter_t *w = gf_container_of(replies->next, pl_waiter_t, link);
        int32_t r = w->op_ret, e = w->op_errno;

        pl_list_del(&w->link);
        switch (w->fop) {
        case GF_FOP_LK:
            gf_unwind_lk(w->frame, r, e, w->flock, NULL);
            break;
        case GF_FOP_INODELK:
            gf_unwind_inodelk(w->frame, r, e, NULL);
            break;
        case GF_FOP_FINODELK:
            gf_unwind_finodelk(w->frame, r, e, NULL);
            break;
        case GF_FOP_ENTRYLK:
            gf_unwind_entrylk(w->frame, r, e, NULL);
            break;
        default:
            gf_unwind_fentrylk(w->frame, r, e, NULL);
            break;
        }
        pl__waiter_free(w);
    }
}

void
pl__unlock_and_reply(pl_priv_t *priv, pl_inode_t *pl, pl_link_t *replies)
{
    gf_inode_t *unref = pl__settle(priv, pl) ? pl->inode : NULL;

    pthread_mutex_unlock(&pl->lock);
    pl__reply(replies);
    /* PL may be freed by the put; the inode outlives it (the caller's
     * request or callback holds a reference). */
    pl__inode_put(priv, pl);
    if (unref)
        gf_inode_unref(unref);
}

/* ---- flush: POSIX close semantics -------------------------------------- */

static bool
match_owner(const pl_rlock_t *l, const void *arg)
{
    return pl__same_owner(&l->owner, arg);
}

static bool
match_fd(const pl_rlock_t *l, const void *arg)
{
    return l->fd == (uintptr_t)arg;
}

static bool
match_client(const pl_rlock_t *l, const void *arg)
{
    return l->owner.client == *(const uint64_t *)arg;
}

/* Closing a file drops every lk lock its owner has on it, whichever fd
 * took them (fcntl(2)); a parked request of that owner is refused. */
static int
pl_flush(gf_frame_t *frame, gf_xlator_t *self, gf_fd_t *fd, gf_dict_t *xdata)
{
    pl_priv_t *priv = gf_xlator_private(self);
    pl_inode_t *pl = fd ? pl__inode_get(priv, gf_fd_inode(fd), false) : NULL;

    if (pl) {
        pl_owner_t owner = pl__owner_of(frame);
        pl_link_t replies;

        pl_list_init(&replies);
        pthread_mutex_lock(&pl->lock);
        pl__range_drop(pl->posix, match_owner, &owner, EAGAIN, &replies);
        pl__unlock_and_reply(priv, pl, &replies);
    }
    return gf_wind_flush(frame, gf_xlator_child(self, 0), gf_default_flush_cbk,
                         NULL, fd, xdata);
}

/* ---- callbacks --------------------------------------------------------- */

static void
pl_release(gf_xlator_t *self, gf_fd_t *fd)
{
    pl_priv_t *priv = gf_xlator_private(self);
    pl_inode_t *pl = pl__inode_get(priv, gf_fd_inode(fd), false);
    pl_link_t replies;

    if (!pl)
        return;
    pl_list_init(&replies);
    pthread_mutex_lock(&pl->lock);
    pl__range_drop(pl->posix, match_fd, fd, EBADF, &replies);
    pl__unlock_and_reply(priv, pl, &replies);
}

static void
free_doms(pl_dom_t *d, bool entry, pl_link_t *replies)
{
    while (d) {
        pl_dom_t *next = d->next;

        if (entry)
            pl__entry_free_dom(d, replies, ENOTCONN);
        else
            pl__range_free_dom(d, replies, ENOTCONN);
        gf_free(d);
        d = next;
    }
}

/* Free PL and everything in it; parked requests get -1/ENOTCONN. */
static void
inode_free(pl_inode_t *pl)
{
    pl_link_t replies;

    pl_list_init(&replies);
    free_doms(pl->posix, false, &replies);
    free_doms(pl->doms, false, &replies);
    free_doms(pl->edoms, true, &replies);
    pthread_mutex_destroy(&pl->lock);
    gf_free(pl);
    pl__reply(&replies);
}

static void
pl_forget(gf_xlator_t *self, gf_inode_t *inode)
{
    pl_priv_t *priv = gf_xlator_private(self);
    uint64_t v = 0;
    pl_inode_t *pl;

    if (gf_inode_ctx_del(inode, priv->slot, &v) < 0)
        return;
    pl = (pl_inode_t *)(uintptr_t)v;
    pthread_mutex_lock(&priv->lock);
    pl_list_del(&pl->all);
    pthread_mutex_unlock(&priv->lock);
    /* An inode with locks is referenced by us: this one holds none. */
    inode_free(pl);
}

/* References to every active inode, for work outside the translator
 * lock. *N set; NULL with *N 0 when there is none or no memory. */
static gf_inode_t **
snapshot_active(pl_priv_t *priv, size_t *n)
{
    gf_inode_t **v = NULL;
    size_t count = 0, i = 0;
    pl_link_t *e;

    pthread_mutex_lock(&priv->lock);
    for (e = priv->inodes.next; e != &priv->inodes; e = e->next)
        count += gf_container_of(e, pl_inode_t, all)->active;
    if (count)
        v = gf_calloc(pl_acct(priv), PL_MT_INODE, count, sizeof(*v));
    for (e = priv->inodes.next; v && e != &priv->inodes; e = e->next) {
        pl_inode_t *pl = gf_container_of(e, pl_inode_t, all);

        if (pl->active)
            v[i++] = gf_inode_ref(pl->inode);
    }
    pthread_mutex_unlock(&priv->lock);
    *n = v ? i : 0;
    return v;
}

static void
drop_client(pl_priv_t *priv, gf_inode_t *inode, uint64_t client)
{
    pl_inode_t *pl = pl__inode_get(priv, inode, false);
    pl_link_t replies;

    if (!pl)
        return;
    pl_list_init(&replies);
    pthread_mutex_lock(&pl->lock);
    pl__range_drop(pl->posix, match_client, &client, EAGAIN, &replies);
    for (pl_dom_t *d = pl->doms; d; d = d->next)
        pl__range_drop(d, match_client, &client, EAGAIN, &replies);
    for (pl_dom_t *d = pl->edoms; d; d = d->next)
        pl__entry_drop_client(d, client, &replies);
    pl__unlock_and_reply(priv, pl, &replies);
}

static void
pl_client_disconnect(gf_xlator_t *self, uint64_t client)
{
    pl_priv_t *priv = gf_xlator_private(self);
    size_t n = 0;
    gf_inode_t **v = priv ? snapshot_active(priv, &n) : NULL;

    for (size_t i = 0; i < n; i++) {
        drop_client(priv, v[i], client);
        gf_inode_unref(v[i]);
    }
    gf_free(v);
}

static const gf_xlator_cbks_t pl_cbks = {
    .forget = pl_forget,
    .release = pl_release,
    .client_disconnect = pl_client_disconnect,
};

/* ---- statedump --------------------------------------------------------- */

static int
dump_inode(pl_priv_t *priv, gf_inode_t *inode, size_t idx, FILE *out)
{
    char gfid[GF_GFID_STR_SIZE], prefix[64];
    gf_gfid_t g;
    pl_inode_t *pl = pl__inode_get(priv, inode, false);
    int ret = 0;

    if (!pl)
        return 0;
    if (gf_inode_gfid(inode, &g) < 0)
        memset(&g, 0, sizeof(g));
    gf_gfid_unparse(&g, gfid);
    snprintf(prefix, sizeof(prefix), "inode.%zu", idx);
    pthread_mutex_lock(&pl->lock);
    ret = gf_xlator_dump(out, prefix, "gfid=%s", gfid);
    if (ret == 0) {
        snprintf(prefix, sizeof(prefix), "inode.%zu.posix", idx);
        ret = pl__range_dump(pl->posix, out, prefix);
    }
    for (pl_dom_t *d = pl->doms; d && ret == 0; d = d->next) {
        snprintf(prefix, sizeof(prefix), "inode.%zu.inodelk", idx);
        ret = pl__range_dump(d, out, prefix);
    }
    for (pl_dom_t *d = pl->edoms; d && ret == 0; d = d->next) {
        snprintf(prefix, sizeof(prefix), "inode.%zu.entrylk", idx);
        ret = pl__entry_dump(d, out, prefix);
    }
    pthread_mutex_unlock(&pl->lock);
    pl__inode_put(priv, pl);
    return ret;
}

static int
pl_dump(gf_xlator_t *self, FILE *out)
{
    pl_priv_t *priv = gf_xlator_private(self);
    size_t n = 0;
    gf_inode_t **v = snapshot_active(priv, &n);
    int ret = gf_xlator_dump(out, "active_inodes", "%zu", n);

    for (size_t i = 0; i < n; i++) {
        if (ret == 0)
            ret = dump_inode(priv, v[i], i, out);
        gf_inode_unref(v[i]);
    }
    gf_free(v);
    return ret;
}

static const gf_xlator_dumpops_t pl_dumpops = {.priv = pl_dump};

/* ---- init, fini -------------------------------------------------------- */

static int
pl_init(gf_xlator_t *self)
{
    pl_priv_t *priv;

    if (gf_xlator_nchildren(self) != 1) {
        gf_log(gf_xlator_name(self), GF_LOG_ERROR,
               "features/locks needs exactly one subvolume, has %u",
               gf_xlator_nchildren(self));
        return -EINVAL;
    }
    priv = gf_calloc(gf_xlator_mem_acct(self), PL_MT_PRIV, 1, sizeof(*priv));
    if (!priv)
        return -ENOMEM;
    priv->lock_pool = gf_mem_pool_new(
        "pl_rlock_t", sizeof(pl_rlock_t) + PL_OWNER_INLINE + 1, 256);
    priv->waiter_pool = gf_mem_pool_new("pl_waiter_t", sizeof(pl_waiter_t), 64);
    if (!priv->lock_pool || !priv->waiter_pool) {
        gf_mem_pool_destroy(priv->lock_pool);
        gf_mem_pool_destroy(priv->waiter_pool);
        gf_free(priv);
        return -ENOMEM;
    }
    pthread_mutex_init(&priv->lock, NULL);
    for (unsigned i = 0; i < PL_SHARDS; i++)
        pthread_mutex_init(&priv->shards[i], NULL);
    pl_list_init(&priv->inodes);
    priv->self = self;
    priv->slot = gf_xlator_ctx_slot(self);
    gf_xlator_set_private(self, priv);
    return 0;
}

/* No fop runs any more: take our state off every inode still alive
 * (forget will not be called for us after this), answer parked requests
 * and drop the references active inodes hold. */
static void
pl_fini(gf_xlator_t *self)
{
    pl_priv_t *priv = gf_xlator_private(self);

    if (!priv)
        return;
    while (!pl_list_empty(&priv->inodes)) {
        pl_inode_t *pl = gf_container_of(priv->inodes.next, pl_inode_t, all);
        gf_inode_t *inode = pl->inode;
        bool active = pl->active;

        pl_list_del(&pl->all);
        gf_inode_ctx_del(inode, priv->slot, NULL);
        inode_free(pl);
        if (active)
            gf_inode_unref(inode);
    }
    pthread_mutex_destroy(&priv->lock);
    for (unsigned i = 0; i < PL_SHARDS; i++)
        pthread_mutex_destroy(&priv->shards[i]);
    gf_mem_pool_destroy(priv->lock_pool);
    gf_mem_pool_destroy(priv->waiter_pool);
    gf_xlator_set_private(self, NULL);
    gf_free(priv);
}

static const gf_xlator_fops_t pl_fops = {
    .lk = pl__lk,
    .inodelk = pl__inodelk,
    .finodelk = pl__finodelk,
    .entrylk = pl__entrylk,
    .fentrylk = pl__fentrylk,
    .flush = pl_flush,
};

GF_XLATOR_DESCRIPTOR(features_locks) = {
    .abi_major = GF_XLATOR_ABI_MAJOR,
    .abi_minor = GF_XLATOR_ABI_MINOR,
    .type = "features/locks",
    .description = "POSIX, inode and entry locks of the brick",
    .mem_types = pl_mem_types,
    .n_mem_types = PL_MT_MAX,
    .init = pl_init,
    .fini = pl_fini,
    .fops = &pl_fops,
    .cbks = &pl_cbks,
    .dumpops = &pl_dumpops,
};
