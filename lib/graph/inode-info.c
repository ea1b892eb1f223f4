/* SPDX-License-Identifier: LGPL-3.0-or-later */
/*
 * inode-info.c - read-side of the inode table: paths, accessors, context
 * slots, statistics and the statedump walk. Nothing here changes the
 * table's shape, so every function is one short critical section (or,
 * for context slots, only the inode's own spinlock).
 */
#include <errno.h>
#include <string.h>

#include <gf/inode.h>

#include "inode-int.h"

static struct gf__dentry *
first_dentry(gf_inode_t *in)
{
    if (gf__list_empty(&in->dentries))
        return NULL;
    return gf_container_of(in->dentries.next, struct gf__dentry, ilink);
}

/* Length of the path of IN (without NAME); -ENOENT if it is cut off. */
static int64_t
path_len(gf_inode_t *in)
{
    gf_inode_table_t *t = in->table;
    int64_t len = 0;
    uint64_t steps = 0;

    for (gf_inode_t *p = in; p != t->root; p = first_dentry(p)->parent) {
        if (!first_dentry(p) || steps++ > t->ninodes)
            return -ENOENT;
        len += 1 + first_dentry(p)->len;
    }
    return len;
}

GF_EXPORT int
gf_inode_path(gf_inode_t *in, const char *name, char *buf, size_t size)
{
    size_t nlen = name ? strlen(name) : 0;
    int64_t len;
    char *end;

    if (!in || !buf || size == 0 || (name && (!nlen || strchr(name, '/'))))
        return -EINVAL;
    buf[0] = '\0';
    pthread_mutex_lock(&in->table->lock);
    len = path_len(in);
    if (len >= 0)
        len += name ? (int64_t)(1 + nlen) : 0;
    if (len >= 0 && (uint64_t)len + (len == 0) >= size)
        len = -ENAMETOOLONG;
    if (len < 0) {
        pthread_mutex_unlock(&in->table->lock);
        return (int)len;
    }
    if (len == 0) {
        pthread_mutex_unlock(&in->table->lock);
        strcpy(buf, "/");
        return 1;
    }
    /* Fill from the end, walking up from the inode to the root. */
    end = buf + len;
    *end = '\0';
    if (name) {
        end -= nlen;
        memcpy(end, name, nlen);
        *--end = '/';
    }
    for (gf_inode_t *p = in; p != in->table->root;) {
        struct gf__dentry *d = first_dentry(p);

        end -= d->len;
        memcpy(end, d->name, d->len);
        *--end = '/';
        p = d->parent;
    }
    pthread_mutex_unlock(&in->table->lock);
    return (int)len;
}

/* ---- accessors, contexts, statistics ----------------------------------- */

GF_EXPORT int
gf_inode_gfid(gf_inode_t *in, gf_gfid_t *out)
{
    if (!in || !out)
        return -EINVAL;
    /* The gfid is written once, at link, under the lock. */
    pthread_mutex_lock(&in->table->lock);
    *out = in->gfid;
    pthread_mutex_unlock(&in->table->lock);
    return 0;
}

GF_EXPORT gf_inode_type_t
gf_inode_type(gf_inode_t *in)
{
    gf_inode_type_t type;

    if (!in)
        return GF_INODE_INVAL;
    pthread_mutex_lock(&in->table->lock);
    type = (gf_inode_type_t)in->type;
    pthread_mutex_unlock(&in->table->lock);
    return type;
}

GF_EXPORT gf_inode_table_t *
gf_inode_table_of(gf_inode_t *in)
{
    return in ? in->table : NULL;
}

GF_EXPORT uint32_t
gf_inode_refcount(gf_inode_t *in)
{
    return in ? atomic_load_explicit(&in->ref, memory_order_relaxed) : 0;
}

GF_EXPORT uint64_t
gf_inode_nlookup(gf_inode_t *in)
{
    uint64_t n;

    if (!in)
        return 0;
    pthread_mutex_lock(&in->table->lock);
    n = in->nlookup;
    pthread_mutex_unlock(&in->table->lock);
    return n;
}

GF_EXPORT uint32_t
gf_inode_fd_count(gf_inode_t *in)
{
    uint32_t n;

    if (!in)
        return 0;
    pthread_mutex_lock(&in->table->lock);
    n = in->nfds;
    pthread_mutex_unlock(&in->table->lock);
    return n;
}

GF_EXPORT int
gf_inode_ctx_set(gf_inode_t *in, unsigned slot, uint64_t value)
{
    if (!in || slot >= in->table->nslots)
        return -EINVAL;
    return gf__ctx_set(&in->ctx_lock, &in->ctx_set, in->ctx, slot, value);
}

GF_EXPORT int
gf_inode_ctx_get(gf_inode_t *in, unsigned slot, uint64_t *value)
{
    if (!in || !value || slot >= in->table->nslots)
        return -EINVAL;
    return gf__ctx_get(&in->ctx_lock, &in->ctx_set, in->ctx, slot, value,
                       false);
}

GF_EXPORT int
gf_inode_ctx_del(gf_inode_t *in, unsigned slot, uint64_t *value)
{
    if (!in || slot >= in->table->nslots)
        return -EINVAL;
    return gf__ctx_get(&in->ctx_lock, &in->ctx_set, in->ctx, slot, value, true);
}

GF_EXPORT int
gf_inode_table_stats(gf_inode_table_t *t, gf_inode_table_stats_t *out)
{
    if (!t || !out)
        return -EINVAL;
    pthread_mutex_lock(&t->lock);
    *out = (gf_inode_table_stats_t){
        .lru_limit = t->lru_limit,
        .nslots = t->nslots,
        .active = t->nactive,
        .lru = t->nlru,
        .linked = t->nlinked,
        .dentries = t->ndentries,
        .purged = t->npurged,
        .destroyed = t->ndestroyed,
        .gfid_buckets = t->ghash.mask + 1,
        .dentry_buckets = t->dhash.mask + 1,
    };
    pthread_mutex_unlock(&t->lock);
    return 0;
}

static int
dump_list(struct gf__list *head, gf_inode_dump_cb_t cb, void *data)
{
    for (struct gf__list *l = head->next; l != head; l = l->next) {
        gf_inode_t *in = gf_container_of(l, gf_inode_t, list);
        gf_inode_info_t info = {
            .gfid = in->gfid,
            .type = (gf_inode_type_t)in->type,
            .ref = atomic_load_explicit(&in->ref, memory_order_relaxed),
            .nlookup = in->nlookup,
            .nfds = in->nfds,
            .ndentries = in->ndentries,
            .lru = in->where == GF__IN_LRU,
        };
        int ret = cb(&info, data);

        if (ret)
            return ret;
    }
    return 0;
}

GF_EXPORT int
gf_inode_table_dump(gf_inode_table_t *t, gf_inode_dump_cb_t cb, void *data)
{
    int ret;

    if (!t || !cb)
        return -EINVAL;
    pthread_mutex_lock(&t->lock);
    ret = dump_list(&t->active, cb, data);
    if (!ret)
        ret = dump_list(&t->lru, cb, data);
    pthread_mutex_unlock(&t->lock);
    return ret;
}
