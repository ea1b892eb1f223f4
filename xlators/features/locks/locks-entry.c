/* SPDX-License-Identifier: LGPL-3.0-or-later */
/*
 * locks-entry.c - entry locks (entrylk, fentrylk): read or write locks on
 * a name in a directory, or on the whole directory (no name), in named
 * domains. Cluster translators take them around namespace changes so two
 * clients never create, rename or remove the same name at once.
 *
 * Two entry locks conflict when their names do (equal, or either is the
 * whole directory), one is a write lock and their owners differ. Each
 * LOCK is its own record; UNLOCK drops one record of the owner with that
 * name, or fails with EINVAL when there is none (as upstream). LOCK
 * parks a conflicting request until it can be granted; LOCK_NB answers
 * EAGAIN.
 */
#include <errno.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "locks-int.h"

static pl_elock_t *
elock_new(pl_priv_t *priv, const pl_owner_t *o, const char *basename)
{
    size_t nlen = basename ? strlen(basename) + 1 : 0;
    pl_elock_t *l =
        gf_calloc(pl_acct(priv), PL_MT_LOCK, 1, sizeof(*l) + o->len + nlen + 1);

    if (!l)
        return NULL;
    pl_list_init(&l->link);
    l->owner = *o;
    if (o->len)
        memcpy(l->tail, o->data, o->len);
    l->owner.data = l->tail;
    if (basename) {
        memcpy(l->tail + o->len, basename, nlen);
        l->basename = (const char *)l->tail + o->len;
    }
    return l;
}

static void
elock_free(pl_elock_t *l)
{
    if (l) {
        pl__waiter_free(l->waiter);
        gf_free(l);
    }
}

static bool
names_conflict(const char *a, const char *b)
{
    return !a || !b || strcmp(a, b) == 0;
}

static bool
conflict(const pl_elock_t *a, const pl_elock_t *b)
{
    return names_conflict(a->basename, b->basename) &&
           (a->type == GF_ENTRYLK_WRLCK || b->type == GF_ENTRYLK_WRLCK) &&
           !pl__same_owner(&a->owner, &b->owner);
}

static bool
blocked_by_granted(pl_dom_t *dom, const pl_elock_t *l)
{
    for (pl_link_t *e = dom->granted.next; e != &dom->granted; e = e->next)
        if (conflict(gf_container_of(e, pl_elock_t, link), l))
            return true;
    return false;
}

/* Grant, in arrival order, every parked request nothing granted blocks. */
static void
grant(pl_dom_t *dom, pl_link_t *replies)
{
    pl_link_t *e, *next;

    for (e = dom->blocked.next; e != &dom->blocked; e = next) {
        pl_elock_t *l = gf_container_of(e, pl_elock_t, link);

        next = e->next;
        if (blocked_by_granted(dom, l))
            continue;
        pl_list_del(&l->link);
        pl__decide(l->waiter, replies, 0, 0);
        l->waiter = NULL;
        pl_list_add_tail(&dom->granted, &l->link);
    }
}

/* Drop the entry locks in DOM that belong to CLIENT (every one when
 * CLIENT is 0 and ALL is set); waiters get -1/ERR. */
static void
drop(pl_dom_t *dom, uint64_t client, bool all, int32_t err, pl_link_t *replies)
{
    pl_link_t *e, *next;

    for (e = dom->granted.next; e != &dom->granted; e = next) {
        pl_elock_t *l = gf_container_of(e, pl_elock_t, link);

        next = e->next;
        if (all || l->owner.client == client) {
            pl_list_del(&l->link);
            elock_free(l);
        }
    }
    for (e = dom->blocked.next; e != &dom->blocked; e = next) {
        pl_elock_t *l = gf_container_of(e, pl_elock_t, link);

        next = e->next;
        if (all || l->owner.client == client) {
            pl_list_del(&l->link);
            pl__decide(l->waiter, replies, -1, err);
            l->waiter = NULL;
            elock_free(l);
        }
    }
    grant(dom, replies);
}

void
pl__entry_drop_client(pl_dom_t *dom, uint64_t client, pl_link_t *replies)
{
    drop(dom, client, false, EAGAIN, replies);
}

void
pl__entry_free_dom(pl_dom_t *dom, pl_link_t *replies, int32_t err)
{
    drop(dom, 0, true, err, replies);
}

static int
dump_list(pl_dom_t *dom, pl_link_t *head, FILE *out, const char *key)
{
    char owner[2 * 64 + 1];
    int ret = 0;

    for (pl_link_t *e = head->next; e != head && ret == 0; e = e->next) {
        pl_elock_t *l = gf_container_of(e, pl_elock_t, link);

        pl__owner_hex(&l->owner, owner, sizeof(owner));
        ret = gf_xlator_dump(
            out, key,
            "domain=%s type=%s basename=%s client=%" PRIu64 " owner=%s",
            dom->name,
            l->type == GF_ENTRYLK_WRLCK ? "ENTRYLK_WRLCK" : "ENTRYLK_RDLCK",
            l->basename ? l->basename : "(whole directory)", l->owner.client,
            owner);
    }
    return ret;
}

int
pl__entry_dump(pl_dom_t *dom, FILE *out, const char *prefix)
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

static void
finish(gf_frame_t *frame, gf_fop_t fop, int32_t op_ret, int32_t op_errno)
{
    if (fop == GF_FOP_ENTRYLK)
        gf_unwind_entrylk(frame, op_ret, op_errno, NULL);
    else
        gf_unwind_fentrylk(frame, op_ret, op_errno, NULL);
}

/* UNLOCK: one of OWNER's records named like L. 0 or EINVAL. */
static int
unlock_one(pl_dom_t *dom, const pl_elock_t *l)
{
    for (pl_link_t *e = dom->granted.next; e != &dom->granted; e = e->next) {
        pl_elock_t *g = gf_container_of(e, pl_elock_t, link);

        if (!pl__same_owner(&g->owner, &l->owner) ||
            (g->basename == NULL) != (l->basename == NULL) ||
            (g->basename && strcmp(g->basename, l->basename) != 0))
            continue;
        pl_list_del(&g->link);
        elock_free(g);
        return 0;
    }
    return EINVAL;
}

/* Returns the errno to answer with, or -1 when L was parked. */
static int
entry_locked(pl_priv_t *priv, pl_inode_t *pl, const char *domain, int32_t cmd,
             pl_elock_t *l)
{
    pl_link_t replies;
    pl_dom_t *dom;
    int err = 0;

    pl_list_init(&replies);
    pthread_mutex_lock(&pl->lock);
    dom = pl__dom_get(priv, &pl->edoms, domain);
    if (!dom) {
        err = ENOMEM;
    } else if (cmd == GF_ENTRYLK_UNLOCK) {
        err = unlock_one(dom, l);
        grant(dom, &replies);
    } else if (blocked_by_granted(dom, l)) {
        if (l->waiter) {
            pl_list_add_tail(&dom->blocked, &l->link);
            l = NULL;
            err = -1;
        } else {
            err = EAGAIN;
        }
    } else {
        pl_list_add_tail(&dom->granted, &l->link);
        l = NULL;
    }
    pl__unlock_and_reply(priv, pl, &replies);
    elock_free(l);
    return err;
}

static void
entry_request(gf_frame_t *frame, gf_xlator_t *self, gf_fop_t fop,
              const char *volume, gf_inode_t *inode, const char *basename,
              int32_t cmd, int32_t type)
{
    pl_priv_t *priv = gf_xlator_private(self);
    pl_owner_t owner = pl__owner_of(frame);
    pl_inode_t *pl;
    pl_elock_t *l;
    int err;

    if (!inode ||
        (cmd != GF_ENTRYLK_LOCK && cmd != GF_ENTRYLK_UNLOCK &&
         cmd != GF_ENTRYLK_LOCK_NB) ||
        (type != GF_ENTRYLK_RDLCK && type != GF_ENTRYLK_WRLCK)) {
        finish(frame, fop, -1, EINVAL);
        return;
    }
    pl = pl__inode_get(priv, inode, true);
    l = pl ? elock_new(priv, &owner, basename) : NULL;
    if (l && cmd == GF_ENTRYLK_LOCK)
        l->waiter = pl__waiter_new(priv, frame, fop, NULL);
    if (!l || (cmd == GF_ENTRYLK_LOCK && !l->waiter)) {
        elock_free(l);
        if (pl)
            pl__inode_put(priv, pl);
        finish(frame, fop, -1, ENOMEM);
        return;
    }
    l->type = type;
    err = entry_locked(priv, pl, volume ? volume : "", cmd, l);
    if (err >= 0)
        finish(frame, fop, err ? -1 : 0, err);
}

int
pl__entrylk(gf_frame_t *frame, gf_xlator_t *self, const char *volume,
            gf_loc_t *loc, const char *basename, int32_t cmd, int32_t type,
            gf_dict_t *xdata)
{
    (void)xdata;
    entry_request(frame, self, GF_FOP_ENTRYLK, volume, loc ? loc->inode : NULL,
                  basename, cmd, type);
    return 0;
}

int
pl__fentrylk(gf_frame_t *frame, gf_xlator_t *self, const char *volume,
             gf_fd_t *fd, const char *basename, int32_t cmd, int32_t type,
             gf_dict_t *xdata)
{
    (void)xdata;
    entry_request(frame, self, GF_FOP_FENTRYLK, volume,
                  fd ? gf_fd_inode(fd) : NULL, basename, cmd, type);
    return 0;
}
