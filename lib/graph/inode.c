/* SPDX-License-Identifier: LGPL-3.0-or-later */
/*
 * inode.c - the inode table: gfid hash, dentry hash, active and LRU lists.
 *
 * One mutex guards a table. Every operation that can make inodes go away
 * collects them on a local "reap" list while it holds the lock (they are
 * already out of every hash and list, so nobody can find them), and
 * destroys them after unlocking: forget callbacks run unlocked, and the
 * lock is never held across user code. Inode references are atomic, and
 * only the 0 <-> 1 transitions (which move an inode between the active and
 * LRU lists) take the lock, so a request that already holds an inode refs
 * and unrefs it without touching the table.
 *
 * A dentry holds a reference on its parent directory. Hence an unreferenced
 * inode never has children, the LRU list holds only leaves, and purging a
 * leaf may free its parent, which then becomes the newest LRU entry: the
 * table shrinks from the leaves up and a path can always be built from any
 * inode that has a dentry.
 */
#include <errno.h>
#include <string.h>

#include <gf/inode.h>
#include <gf/mem-acct.h>

#include "inode-int.h"

enum {
    HASH_MIN_SHIFT = 8,
    HASH_MAX_SHIFT = 24,
    /* Name room asked of the small dentry pool (it may give more). */
    DENTRY_SHORT = 48,
};

/* ---- hash tables ------------------------------------------------------ */

static int
htab_init(struct gf__htab *h)
{
    h->b = gf_calloc(NULL, GF_MT_GRAPH, (size_t)1 << HASH_MIN_SHIFT,
                     sizeof(*h->b));
    if (!h->b)
        return -ENOMEM;
    h->mask = ((uint64_t)1 << HASH_MIN_SHIFT) - 1;
    h->count = 0;
    return 0;
}

static void
htab_add(struct gf__htab *h, struct gf__hnode *n, uint64_t hv)
{
    struct gf__hnode **head = &h->b[hv & h->mask];

    n->next = *head;
    if (*head)
        (*head)->pprev = &n->next;
    *head = n;
    n->pprev = head;
    h->count++;
}

static void
htab_del(struct gf__htab *h, struct gf__hnode *n)
{
    *n->pprev = n->next;
    if (n->next)
        n->next->pprev = n->pprev;
    n->next = NULL;
    n->pprev = NULL;
    h->count--;
}

/*
 * Double H when it holds more entries than buckets. Called under the table
 * lock after an insert: the rehash is O(n) but happens once per doubling,
 * so inserts stay O(1) amortized. Without memory the table just stays
 * denser, which is slower but still correct.
 */
static void
htab_grow(struct gf__htab *h, uint64_t (*hof)(struct gf__hnode *))
{
    uint64_t n = h->mask + 1, count = h->count;
    struct gf__hnode **nb;

    if (count <= n || n >= ((uint64_t)1 << HASH_MAX_SHIFT))
        return;
    nb = gf_calloc(NULL, GF_MT_GRAPH, 2 * n, sizeof(*nb));
    if (!nb)
        return;
    struct gf__htab nh = {.b = nb, .mask = 2 * n - 1};
    for (uint64_t i = 0; i < n; i++) {
        struct gf__hnode *e = h->b[i], *next;

        for (; e; e = next) {
            next = e->next;
            htab_add(&nh, e, hof(e));
        }
    }
    gf_free(h->b);
    *h = nh;
}

static uint64_t
inode_hof(struct gf__hnode *n)
{
    return gf_gfid_hash(&gf_container_of(n, gf_inode_t, hash)->gfid);
}

static uint64_t
dentry_hof(struct gf__hnode *n)
{
    return gf_container_of(n, struct gf__dentry, hash)->hv;
}

/* Names are chosen by clients, so the hash is keyed by a per-table random
 * seed: nobody can aim a million names at one bucket. */
static uint64_t
name_hash(const gf_inode_table_t *t, const gf_inode_t *parent, const char *name,
          size_t len)
{
    uint64_t h = t->seed ^ ((uintptr_t)parent * UINT64_C(0x9e3779b97f4a7c15));

    for (size_t i = 0; i < len; i++) {
        h ^= (unsigned char)name[i];
        h *= UINT64_C(0x100000001b3);
    }
    h ^= h >> 33;
    h *= UINT64_C(0xff51afd7ed558ccd);
    h ^= h >> 33;
    return h;
}

static gf_inode_t *
gfid_find(gf_inode_table_t *t, const gf_gfid_t *gfid)
{
    struct gf__hnode *n = t->ghash.b[gf_gfid_hash(gfid) & t->ghash.mask];

    for (; n; n = n->next) {
        gf_inode_t *in = gf_container_of(n, gf_inode_t, hash);

        if (gf_gfid_equal(&in->gfid, gfid))
            return in;
    }
    return NULL;
}

static struct gf__dentry *
dentry_find(gf_inode_table_t *t, gf_inode_t *parent, const char *name,
            size_t len)
{
    uint64_t hv = name_hash(t, parent, name, len);
    struct gf__hnode *n = t->dhash.b[hv & t->dhash.mask];

    for (; n; n = n->next) {
        struct gf__dentry *d = gf_container_of(n, struct gf__dentry, hash);

        if (d->hv == hv && d->parent == parent && d->len == len &&
            memcmp(d->name, name, len) == 0)
            return d;
    }
    return NULL;
}

/* ---- life cycle, all under the table lock ------------------------------ */

static void retire(gf_inode_t *in, struct gf__list *reap);

static void
ref_locked(gf_inode_t *in)
{
    gf_inode_table_t *t = in->table;

    if (atomic_fetch_add_explicit(&in->ref, 1, memory_order_relaxed) == 0 &&
        in->where == GF__IN_LRU) {
        gf__list_del(&in->list);
        gf__list_add_tail(&t->active, &in->list);
        in->where = GF__IN_ACTIVE;
        t->nlru--;
        t->nactive++;
    }
}

/* IN lost its last reference: keep it on the LRU list for its lookups, or
 * retire it. */
static void
passivate(gf_inode_t *in, struct gf__list *reap)
{
    gf_inode_table_t *t = in->table;

    /* The table's own root reference went: someone unref'd it twice. */
    GF_ASSERT(in != t->root || t->dying);
    if (!in->hashed || in->nlookup == 0 || t->dying) {
        retire(in, reap);
        return;
    }
    gf__list_del(&in->list);
    gf__list_add_tail(&t->lru, &in->list);
    in->where = GF__IN_LRU;
    t->nactive--;
    t->nlru++;
}

static void
unref_locked(gf_inode_t *in, struct gf__list *reap)
{
    uint32_t old = atomic_fetch_sub_explicit(&in->ref, 1, memory_order_acq_rel);

    /* An unref without a reference is a use after free in the making. */
    GF_ASSERT(old > 0);
    if (old == 1)
        passivate(in, reap);
}

static void
dentry_drop(struct gf__dentry *d, struct gf__list *reap)
{
    gf_inode_table_t *t = d->inode->table;
    gf_inode_t *parent = d->parent;

    htab_del(&t->dhash, &d->hash);
    gf__list_del(&d->ilink);
    d->inode->ndentries--;
    t->ndentries--;
    gf_mem_put(d);
    /* May cascade: the parent's last child is gone and so may it be. */
    unref_locked(parent, reap);
}

/* Take IN out of the table for good and queue it for destruction. */
static void
retire(gf_inode_t *in, struct gf__list *reap)
{
    gf_inode_table_t *t = in->table;

    GF_ASSERT(atomic_load_explicit(&in->ref, memory_order_relaxed) == 0);
    if (in->where == GF__IN_LRU)
        t->nlru--;
    else if (in->where == GF__IN_ACTIVE)
        t->nactive--;
    gf__list_del(&in->list);
    if (in->hashed) {
        htab_del(&t->ghash, &in->hash);
        in->hashed = false;
        t->nlinked--;
    }
    while (!gf__list_empty(&in->dentries))
        dentry_drop(
            gf_container_of(in->dentries.next, struct gf__dentry, ilink), reap);
    in->where = GF__IN_DEAD;
    in->nlookup = 0;
    t->ndestroyed++;
    gf__list_add_tail(reap, &in->list);
}

/* Evict the oldest LRU inodes beyond the limit. Purging a leaf can put its
 * parent on the LRU list, which the loop then sees too. */
static void
prune(gf_inode_table_t *t, struct gf__list *reap)
{
    while (t->lru_limit && t->nlru > t->lru_limit) {
        gf_inode_t *in = gf_container_of(t->lru.next, gf_inode_t, list);

        retire(in, reap);
        t->npurged++;
    }
}

static void
table_destroy(gf_inode_table_t *t)
{
    gf_free(t->ghash.b);
    gf_free(t->dhash.b);
    gf_mem_pool_destroy(t->inode_pool);
    gf_mem_pool_destroy(t->dentry_pool);
    gf_mem_pool_destroy(t->dentry_long_pool);
    gf_mem_pool_destroy(t->fd_pool);
    pthread_mutex_destroy(&t->lock);
    gf_free(t);
}

/*
 * End an operation begun with pthread_mutex_lock(&t->lock): prune, unlock,
 * destroy what was retired (forget callbacks first), and free the table if
 * its owner let go of it and this was its last inode.
 */
static void
op_end(gf_inode_table_t *t, struct gf__list *reap)
{
    gf_inode_forget_cb_t forget;
    void *fdata;
    uint64_t n = 0;
    bool last;

    prune(t, reap);
    if (gf__list_empty(reap)) {
        pthread_mutex_unlock(&t->lock);
        return;
    }
    forget = t->forget;
    fdata = t->forget_data;
    pthread_mutex_unlock(&t->lock);

    while (!gf__list_empty(reap)) {
        gf_inode_t *in = gf_container_of(reap->next, gf_inode_t, list);

        gf__list_del(&in->list);
        for (uint64_t s = in->ctx_set; forget && s; s &= s - 1) {
            unsigned slot = (unsigned)__builtin_ctzll(s);

            forget(in, slot, in->ctx[slot], fdata);
        }
        pthread_spin_destroy(&in->ctx_lock);
        gf_mem_put(in);
        n++;
    }
    pthread_mutex_lock(&t->lock);
    t->ninodes -= n;
    last = t->dying && t->ninodes == 0;
    pthread_mutex_unlock(&t->lock);
    if (last)
        table_destroy(t);
}

/* ---- table ------------------------------------------------------------- */

static gf_inode_t *
inode_alloc(gf_inode_table_t *t)
{
    gf_inode_t *in = gf_mem_get0(t->inode_pool);

    if (!in)
        return NULL;
    in->table = t;
    atomic_init(&in->ref, 1);
    gf__list_init(&in->list);
    gf__list_init(&in->dentries);
    gf__list_init(&in->fds);
    pthread_spin_init(&in->ctx_lock, PTHREAD_PROCESS_PRIVATE);
    return in;
}

static int
table_pools(gf_inode_table_t *t)
{
    size_t dsz = offsetof(struct gf__dentry, name);

    t->inode_pool = gf_mem_pool_new(
        "inode", sizeof(gf_inode_t) + t->nslots * sizeof(uint64_t), 1024);
    t->dentry_pool = gf_mem_pool_new("dentry", dsz + DENTRY_SHORT, 1024);
    t->dentry_long_pool =
        gf_mem_pool_new("dentry-long", dsz + GF_INODE_NAME_MAX + 1, 64);
    t->fd_pool = gf_mem_pool_new("fd", gf__fd_obj_size(t->nslots), 256);
    if (!t->inode_pool || !t->dentry_pool || !t->dentry_long_pool ||
        !t->fd_pool)
        return -ENOMEM;
    /* The pool may round up: use all the room its class gives. */
    t->dentry_cap = gf_mem_pool_obj_size(t->dentry_pool) - dsz;
    return 0;
}

static gf_inode_t *
root_new(gf_inode_table_t *t)
{
    gf_inode_t *root = inode_alloc(t);

    if (!root)
        return NULL;
    root->gfid = gf_gfid_root();
    root->type = GF_INODE_DIR;
    root->hashed = true;
    root->where = GF__IN_ACTIVE;
    htab_add(&t->ghash, &root->hash, gf_gfid_hash(&root->gfid));
    gf__list_add_tail(&t->active, &root->list);
    t->nactive = 1;
    t->nlinked = 1;
    t->ninodes = 1;
    return root;
}

GF_EXPORT gf_inode_table_t *
gf_inode_table_new(uint32_t lru_limit, unsigned nslots)
{
    gf_inode_table_t *t;
    gf_gfid_t seed;

    if (nslots > GF_INODE_MAX_SLOTS) {
        errno = EINVAL;
        return NULL;
    }
    t = gf_calloc(NULL, GF_MT_GRAPH, 1, sizeof(*t));
    if (!t)
        return NULL;
    t->lru_limit = lru_limit;
    t->nslots = nslots;
    gf__list_init(&t->active);
    gf__list_init(&t->lru);
    gf_gfid_generate(&seed);
    memcpy(&t->seed, seed.b, sizeof(t->seed));
    if (pthread_mutex_init(&t->lock, NULL) != 0) {
        gf_free(t);
        errno = ENOMEM;
        return NULL;
    }
    if (htab_init(&t->ghash) || htab_init(&t->dhash) || table_pools(t) ||
        !(t->root = root_new(t))) {
        table_destroy(t);
        errno = ENOMEM;
        return NULL;
    }
    return t;
}

GF_EXPORT void
gf_inode_table_free(gf_inode_table_t *t)
{
    struct gf__list reap;

    if (!t)
        return;
    gf__list_init(&reap);
    pthread_mutex_lock(&t->lock);
    if (t->dying) {
        pthread_mutex_unlock(&t->lock);
        return;
    }
    t->dying = true;
    while (!gf__list_empty(&t->lru))
        retire(gf_container_of(t->lru.next, gf_inode_t, list), &reap);
    /* The table's own root reference; unlinking the LRU leaves may have
     * left the root with it alone, then it goes now. */
    unref_locked(t->root, &reap);
    if (gf__list_empty(&reap) && t->ninodes == 0) {
        pthread_mutex_unlock(&t->lock);
        table_destroy(t);
        return;
    }
    op_end(t, &reap);
}

GF_EXPORT int
gf_inode_table_set_forget(gf_inode_table_t *t, gf_inode_forget_cb_t cb,
                          void *data)
{
    if (!t)
        return -EINVAL;
    pthread_mutex_lock(&t->lock);
    t->forget = cb;
    t->forget_data = data;
    pthread_mutex_unlock(&t->lock);
    return 0;
}

GF_EXPORT gf_inode_t *
gf_inode_table_root(gf_inode_table_t *t)
{
    return t ? gf_inode_ref(t->root) : NULL;
}

GF_EXPORT gf_inode_t *
gf_inode_new(gf_inode_table_t *t)
{
    gf_inode_t *in;

    if (!t) {
        errno = EINVAL;
        return NULL;
    }
    in = inode_alloc(t);
    if (!in)
        return NULL;
    pthread_mutex_lock(&t->lock);
    in->where = GF__IN_ACTIVE;
    gf__list_add_tail(&t->active, &in->list);
    t->nactive++;
    t->ninodes++;
    pthread_mutex_unlock(&t->lock);
    return in;
}

/* ---- references and lookups -------------------------------------------- */

GF_EXPORT gf_inode_t *
gf_inode_ref(gf_inode_t *in)
{
    uint32_t old;

    if (!in)
        return NULL;
    /* Fast path: the caller holds a reference, so the count is not 0 and
     * the inode is on the active list already. */
    old = atomic_load_explicit(&in->ref, memory_order_relaxed);
    while (old > 0) {
        if (atomic_compare_exchange_weak_explicit(&in->ref, &old, old + 1,
                                                  memory_order_relaxed,
                                                  memory_order_relaxed))
            return in;
    }
    pthread_mutex_lock(&in->table->lock);
    ref_locked(in);
    pthread_mutex_unlock(&in->table->lock);
    return in;
}

GF_EXPORT void
gf_inode_unref(gf_inode_t *in)
{
    gf_inode_table_t *t;
    struct gf__list reap;
    uint32_t old;

    if (!in)
        return;
    /* Fast path: not the last reference, nothing moves. */
    old = atomic_load_explicit(&in->ref, memory_order_relaxed);
    while (old > 1) {
        if (atomic_compare_exchange_weak_explicit(&in->ref, &old, old - 1,
                                                  memory_order_release,
                                                  memory_order_relaxed))
            return;
    }
    t = in->table;
    gf__list_init(&reap);
    pthread_mutex_lock(&t->lock);
    unref_locked(in, &reap);
    op_end(t, &reap);
}

GF_EXPORT int
gf_inode_lookup(gf_inode_t *in)
{
    if (!in)
        return -EINVAL;
    pthread_mutex_lock(&in->table->lock);
    in->nlookup++;
    pthread_mutex_unlock(&in->table->lock);
    return 0;
}

GF_EXPORT int
gf_inode_forget(gf_inode_t *in, uint64_t n)
{
    gf_inode_table_t *t;
    struct gf__list reap;

    if (!in || n == 0)
        return -EINVAL;
    t = in->table;
    gf__list_init(&reap);
    pthread_mutex_lock(&t->lock);
    if (n > in->nlookup) {
        pthread_mutex_unlock(&t->lock);
        return -EINVAL;
    }
    in->nlookup -= n;
    if (in->nlookup == 0 && in->where == GF__IN_LRU)
        retire(in, &reap);
    op_end(t, &reap);
    return 0;
}

GF_EXPORT int
gf_inode_forget_if_unlinked(gf_inode_t *in)
{
    gf_inode_table_t *t;
    struct gf__list reap;
    int ret = 0;

    if (!in)
        return -EINVAL;
    t = in->table;
    gf__list_init(&reap);
    pthread_mutex_lock(&t->lock);
    if (in->ndentries == 0 && in != t->root) {
        in->nlookup = 0;
        if (in->where == GF__IN_LRU)
            retire(in, &reap);
        ret = 1;
    }
    op_end(t, &reap);
    return ret;
}

/* ---- link, unlink, rename ---------------------------------------------- */

/* Length of NAME if it is a valid single path component, else -errno. */
static int
name_check(const char *name)
{
    size_t len;

    if (!name || !*name || strchr(name, '/') || strcmp(name, ".") == 0 ||
        strcmp(name, "..") == 0)
        return -EINVAL;
    len = strlen(name);
    return len > GF_INODE_NAME_MAX ? -ENAMETOOLONG : (int)len;
}

static struct gf__dentry *
dentry_alloc(gf_inode_table_t *t, const char *name, size_t len)
{
    gf_mem_pool_t *pool =
        len + 1 <= t->dentry_cap ? t->dentry_pool : t->dentry_long_pool;
    struct gf__dentry *d = gf_mem_get(pool);

    if (!d)
        return NULL;
    memcpy(d->name, name, len + 1);
    d->len = (uint16_t)len;
    d->hash.next = NULL;
    d->hash.pprev = NULL;
    gf__list_init(&d->ilink);
    return d;
}

/* -ELOOP if directory DIR is PARENT or one of its ancestors. */
static int
loop_check(gf_inode_table_t *t, gf_inode_t *dir, gf_inode_t *parent)
{
    uint64_t steps = 0;

    if (dir->type != GF_INODE_DIR)
        return 0;
    for (gf_inode_t *p = parent; p; steps++) {
        if (p == dir)
            return -ELOOP;
        if (gf__list_empty(&p->dentries) || steps > t->ninodes)
            break;
        p = gf_container_of(p->dentries.next, struct gf__dentry, ilink)->parent;
    }
    return 0;
}

/*
 * Name IN as PARENT/D->name using the preallocated dentry D (consumed).
 * A dentry already there is replaced, and a directory leaves its old name.
 */
static void
attach(gf_inode_t *in, gf_inode_t *parent, struct gf__dentry *d,
       struct gf__list *reap)
{
    gf_inode_table_t *t = in->table;
    struct gf__dentry *old = dentry_find(t, parent, d->name, d->len);

    if (old && old->inode == in) {
        gf_mem_put(d);
        return;
    }
    if (old)
        dentry_drop(old, reap);
    if (in->type == GF_INODE_DIR)
        while (!gf__list_empty(&in->dentries))
            dentry_drop(
                gf_container_of(in->dentries.next, struct gf__dentry, ilink),
                reap);
    d->inode = in;
    d->parent = parent;
    d->hv = name_hash(t, parent, d->name, d->len);
    ref_locked(parent);
    htab_add(&t->dhash, &d->hash, d->hv);
    gf__list_add_tail(&in->dentries, &d->ilink);
    in->ndentries++;
    t->ndentries++;
    htab_grow(&t->dhash, dentry_hof);
}

/* Checks of gf_inode_link that need no lock; returns the name length. */
static int
link_args(gf_inode_t *in, gf_inode_t *parent, const char *name,
          const gf_gfid_t *gfid, gf_inode_type_t type)
{
    if (!in || gf_gfid_is_null(gfid) || type <= GF_INODE_INVAL ||
        type > GF_INODE_SOCK || !parent != !name)
        return -EINVAL;
    if (parent && parent->table != in->table)
        return -EINVAL;
    return parent ? name_check(name) : 0;
}

/* The inode GFID links to, after checking it may get the name. */
static int
link_target(gf_inode_t *in, gf_inode_t *parent, const gf_gfid_t *gfid,
            gf_inode_type_t type, gf_inode_t **out)
{
    gf_inode_table_t *t = in->table;
    gf_inode_t *target;

    if (parent && !parent->hashed)
        return -EINVAL;
    if (parent && parent->type != GF_INODE_DIR)
        return -ENOTDIR;
    if (in->hashed && !gf_gfid_equal(&in->gfid, gfid))
        return -EINVAL;
    target = in->hashed ? in : gfid_find(t, gfid);
    if (!target) {
        *out = in; /* becomes GFID */
        return 0;
    }
    if (target->type != type)
        return -ESTALE;
    if (parent && target == t->root)
        return -EINVAL;
    *out = target;
    return parent ? loop_check(t, target, parent) : 0;
}

GF_EXPORT gf_inode_t *
gf_inode_link(gf_inode_t *in, gf_inode_t *parent, const char *name,
              const gf_gfid_t *gfid, gf_inode_type_t type)
{
    struct gf__dentry *d = NULL;
    gf_inode_t *target = NULL;
    gf_inode_table_t *t;
    struct gf__list reap;
    int ret = link_args(in, parent, name, gfid, type);

    if (ret < 0)
        goto fail;
    t = in->table;
    if (parent && !(d = dentry_alloc(t, name, (size_t)ret))) {
        ret = -ENOMEM;
        goto fail;
    }
    gf__list_init(&reap);
    pthread_mutex_lock(&t->lock);
    ret = link_target(in, parent, gfid, type, &target);
    if (ret < 0) {
        pthread_mutex_unlock(&t->lock);
        gf_mem_put(d);
        goto fail;
    }
    if (!target->hashed) {
        target->gfid = *gfid;
        target->type = (uint8_t)type;
        target->hashed = true;
        htab_add(&t->ghash, &target->hash, gf_gfid_hash(gfid));
        t->nlinked++;
        htab_grow(&t->ghash, inode_hof);
    }
    if (d)
        attach(target, parent, d, &reap);
    ref_locked(target);
    op_end(t, &reap);
    return target;
fail:
    errno = -ret;
    return NULL;
}

GF_EXPORT int
gf_inode_unlink(gf_inode_t *in, gf_inode_t *parent, const char *name)
{
    gf_inode_table_t *t;
    struct gf__dentry *d;
    struct gf__list reap;
    int len;

    if (!in || !parent || parent->table != in->table)
        return -EINVAL;
    len = name_check(name);
    if (len < 0)
        return len;
    t = in->table;
    gf__list_init(&reap);
    pthread_mutex_lock(&t->lock);
    d = dentry_find(t, parent, name, (size_t)len);
    if (!d || d->inode != in) {
        pthread_mutex_unlock(&t->lock);
        return -ENOENT;
    }
    dentry_drop(d, &reap);
    op_end(t, &reap);
    return 0;
}

static int
rename_args(gf_inode_table_t *t, gf_inode_t *srcdir, const char *srcname,
            gf_inode_t *dstdir, const char *dstname, gf_inode_t *in)
{
    int len;

    if (!t || !srcdir || !dstdir || !in || srcdir->table != t ||
        dstdir->table != t || in->table != t)
        return -EINVAL;
    len = name_check(srcname);
    if (len < 0)
        return len;
    return name_check(dstname);
}

GF_EXPORT int
gf_inode_rename(gf_inode_table_t *t, gf_inode_t *srcdir, const char *srcname,
                gf_inode_t *dstdir, const char *dstname, gf_inode_t *in)
{
    struct gf__dentry *d, *src;
    struct gf__list reap;
    int ret = rename_args(t, srcdir, srcname, dstdir, dstname, in);

    if (ret < 0)
        return ret;
    if (!(d = dentry_alloc(t, dstname, (size_t)ret)))
        return -ENOMEM;
    gf__list_init(&reap);
    pthread_mutex_lock(&t->lock);
    if (!in->hashed || in == t->root || !dstdir->hashed)
        ret = -EINVAL;
    else if (dstdir->type != GF_INODE_DIR)
        ret = -ENOTDIR;
    else
        ret = loop_check(t, in, dstdir);
    if (ret < 0) {
        pthread_mutex_unlock(&t->lock);
        gf_mem_put(d);
        return ret;
    }
    src = dentry_find(t, srcdir, srcname, strlen(srcname));
    if (src && src->inode == in)
        dentry_drop(src, &reap);
    attach(in, dstdir, d, &reap);
    op_end(t, &reap);
    return 0;
}

/* ---- queries ----------------------------------------------------------- */

GF_EXPORT gf_inode_t *
gf_inode_find(gf_inode_table_t *t, const gf_gfid_t *gfid)
{
    gf_inode_t *in;

    if (!t || !gfid) {
        errno = EINVAL;
        return NULL;
    }
    pthread_mutex_lock(&t->lock);
    in = gfid_find(t, gfid);
    if (in)
        ref_locked(in);
    pthread_mutex_unlock(&t->lock);
    if (!in)
        errno = ENOENT;
    return in;
}

GF_EXPORT gf_inode_t *
gf_inode_grep(gf_inode_table_t *t, gf_inode_t *parent, const char *name)
{
    struct gf__dentry *d;
    gf_inode_t *in = NULL;
    int len = name_check(name);

    if (!t || !parent || parent->table != t || len < 0) {
        errno = len == -ENAMETOOLONG ? ENAMETOOLONG : EINVAL;
        return NULL;
    }
    pthread_mutex_lock(&t->lock);
    d = dentry_find(t, parent, name, (size_t)len);
    if (d) {
        in = d->inode;
        ref_locked(in);
    }
    pthread_mutex_unlock(&t->lock);
    if (!in)
        errno = ENOENT;
    return in;
}
