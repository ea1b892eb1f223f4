/* SPDX-License-Identifier: LGPL-3.0-or-later */
/*
 * graph.c - build a translator graph from a parsed volfile and run its
 * lifecycle: options validated before any init, init top first with
 * rollback, PARENT_UP, reconfigure, fini in reverse.
 *
 * Volumes keep their volfile order in the graph (leaves first, top last),
 * so "top first" is simply the reverse walk. Nothing half-done survives an
 * error: gf_graph_new unloads what it loaded, gf_graph_init finishes what
 * it initialised.
 */
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>

#include <gf/fd.h>
#include <gf/graph.h>
#include <gf/inode.h>
#include <gf/xlator.h>

#include "../core/xlator-int.h"
#include "graph-int.h"

struct gf_graph {
    gf_ctx_t *ctx;
    size_t count;
    gf_xlator_t **xls; /* volfile order */
    bool active;
};

static void GF_PRINTF(5, 6)
    pos_err(char *err, size_t len, const gf_volfile_t *vf, gf_volfile_pos_t pos,
            const char *fmt, ...)
{
    char msg[512];
    const char *file = gf_volfile_filename(vf);
    va_list ap;

    if (!err || !len)
        return;
    va_start(ap, fmt);
    vsnprintf(msg, sizeof(msg), fmt, ap);
    va_end(ap);
    if (pos.line)
        snprintf(err, len, "%s:%u:%u: %s", file ? file : "<volfile>", pos.line,
                 pos.column, msg);
    else
        snprintf(err, len, "%s: %s", file ? file : "<volfile>", msg);
}

/* Validate volume VOL's options against its translator's table. */
static int
build_options(const gf_volfile_t *vf, size_t vol, gf_option_set_t **out,
              const gf_option_t *table, char *err, size_t errlen)
{
    size_t n = gf_volfile_noptions(vf, vol), i;
    const char **keys = NULL, **values = NULL;
    gf_option_error_t oe;
    int ret = -ENOMEM;

    if (n) {
        keys = gf_calloc(NULL, GF_MT_GRAPH, n, sizeof(*keys));
        values = gf_calloc(NULL, GF_MT_GRAPH, n, sizeof(*values));
        if (!keys || !values)
            goto out;
    }
    for (i = 0; i < n; i++) {
        const gf_volfile_option_t *o = gf_volfile_option(vf, vol, i);

        keys[i] = o->key;
        values[i] = o->value;
    }
    ret = gf_option_set_build(table, keys, values, n, out, &oe);
    if (ret == -EINVAL) {
        gf_volfile_pos_t pos = gf_volfile_pos(vf, vol);

        if (oe.index < n)
            pos = gf_volfile_option(vf, vol, oe.index)->key_pos;
        pos_err(err, errlen, vf, pos, "volume '%s' (%s): %s",
                gf_volfile_name(vf, vol), gf_volfile_type(vf, vol), oe.message);
    }
out:
    gf_free(keys);
    gf_free(values);
    return ret;
}

/* XLATOR-typed options must name a volume of this graph. */
static int
check_xlator_refs(const gf_volfile_t *vf, size_t vol, const gf_xlator_t *xl,
                  char *err, size_t errlen)
{
    const gf_option_t *o;
    const char *name;

    for (o = xl->api->options; o && o->key; o++) {
        if (o->type != GF_OPTION_XLATOR ||
            gf_option_get_str(xl->options, o->key, &name) < 0)
            continue;
        if (gf_volfile_find(vf, name) < 0) {
            const gf_volfile_option_t *vo =
                gf_volfile_option_find(vf, vol, o->key);

            pos_err(err, errlen, vf,
                    vo ? vo->value_pos : gf_volfile_pos(vf, vol),
                    "volume '%s': option '%s': no volume called '%s'", xl->name,
                    o->key, name);
            return -EINVAL;
        }
    }
    return 0;
}

static int
link_children(gf_graph_t *g, const gf_volfile_t *vf, size_t vol)
{
    gf_xlator_t *xl = g->xls[vol];
    size_t n = gf_volfile_nsubvols(vf, vol), i;

    if (!n)
        return 0;
    xl->children = gf_calloc(NULL, GF_MT_GRAPH, n, sizeof(*xl->children));
    if (!xl->children)
        return -ENOMEM;
    for (i = 0; i < n; i++) {
        gf_xlator_t *child = g->xls[gf_volfile_subvol(vf, vol, i)];
        gf_xlator_t **p =
            gf_realloc(child->parents, (child->nparents + 1) * sizeof(*p));

        if (!p)
            return -ENOMEM;
        p[child->nparents++] = xl;
        child->parents = p;
        xl->children[xl->nchildren++] = child;
    }
    return 0;
}

static int
load_volume(gf_graph_t *g, const gf_volfile_t *vf, size_t i, char *err,
            size_t errlen)
{
    char why[512] = "";
    gf_xlator_t *xl;
    int ret;

    ret = gf__xlator_load(g->ctx, gf_volfile_name(vf, i),
                          gf_volfile_type(vf, i), &xl, why, sizeof(why));
    if (ret < 0) {
        pos_err(err, errlen, vf, gf_volfile_pos(vf, i), "volume '%s': %s",
                gf_volfile_name(vf, i), why);
        return ret;
    }
    xl->graph = g;
    xl->slot = (unsigned)i;
    g->xls[i] = xl;
    ret = build_options(vf, i, &xl->options, xl->api->options, err, errlen);
    if (ret < 0)
        return ret;
    return check_xlator_refs(vf, i, xl, err, errlen);
}

int
gf_graph_new(gf_ctx_t *ctx, const gf_volfile_t *vf, gf_graph_t **out, char *err,
             size_t errlen)
{
    gf_graph_t *g;
    size_t i;
    int ret = -ENOMEM;

    if (!ctx || !vf || !out || gf_volfile_count(vf) == 0)
        return -EINVAL;
    g = gf_calloc(NULL, GF_MT_GRAPH, 1, sizeof(*g));
    if (!g)
        return -ENOMEM;
    g->ctx = ctx;
    g->count = gf_volfile_count(vf);
    g->xls = gf_calloc(NULL, GF_MT_GRAPH, g->count, sizeof(*g->xls));
    if (!g->xls)
        goto fail;
    for (i = 0; i < g->count; i++) {
        ret = load_volume(g, vf, i, err, errlen);
        if (ret < 0)
            goto fail;
    }
    for (i = 0; i < g->count; i++) {
        ret = link_children(g, vf, i);
        if (ret < 0)
            goto fail;
    }
    *out = g;
    return 0;
fail:
    if (ret == -ENOMEM && err && errlen && !err[0])
        snprintf(err, errlen, "out of memory building the graph");
    gf_graph_free(g);
    return ret;
}

/* Finish translators [from, count) in init order reversed: the ones
 * initialised first (the top) are finished last. */
static void
fini_from(gf_graph_t *g, size_t from)
{
    size_t i;

    for (i = from; i < g->count; i++) {
        gf_xlator_t *xl = g->xls[i];
        gf_xlator_t *prev;

        if (!xl || !xl->init_done)
            continue;
        prev = gf_this_set(xl);
        if (xl->api->fini)
            xl->api->fini(xl);
        gf_this_set(prev);
        xl->init_done = false;
    }
}

int
gf_graph_init(gf_graph_t *g, char *err, size_t errlen)
{
    size_t i;

    if (!g)
        return -EINVAL;
    for (i = g->count; i-- > 0;) {
        gf_xlator_t *xl = g->xls[i];
        gf_xlator_t *prev = gf_this_set(xl);
        int ret = xl->api->init(xl);

        gf_this_set(prev);
        if (ret < 0) {
            if (err && errlen)
                snprintf(err, errlen, "volume '%s' (%s): init failed: %s",
                         xl->name, xl->type, strerror(-ret));
            fini_from(g, i + 1);
            return ret;
        }
        xl->init_done = true;
    }
    return 0;
}

int
gf_graph_activate(gf_graph_t *g)
{
    if (!g || !g->count || !g->xls[g->count - 1]->init_done)
        return -EINVAL;
    g->active = true;
    return gf_xlator_notify(gf_graph_top(g), GF_EVENT_PARENT_UP, NULL);
}

/* Same volumes, types and edges as VF, in the same order. */
static bool
same_topology(const gf_graph_t *g, const gf_volfile_t *vf)
{
    size_t i, c;

    if (gf_volfile_count(vf) != g->count)
        return false;
    for (i = 0; i < g->count; i++) {
        const gf_xlator_t *xl = g->xls[i];

        if (strcmp(xl->name, gf_volfile_name(vf, i)) != 0 ||
            strcmp(xl->type, gf_volfile_type(vf, i)) != 0 ||
            gf_volfile_nsubvols(vf, i) != xl->nchildren)
            return false;
        for (c = 0; c < xl->nchildren; c++)
            if (g->xls[gf_volfile_subvol(vf, i, c)] != xl->children[c])
                return false;
    }
    return true;
}

static bool
options_differ(const gf_xlator_t *xl, const gf_option_set_t *set)
{
    const gf_option_t *o;

    for (o = xl->api->options; o && o->key; o++)
        if (!gf_option_set_same(xl->options, set, o->key))
            return true;
    return false;
}

static void
free_sets(gf_option_set_t **sets, size_t n)
{
    size_t i;

    for (i = 0; i < n; i++)
        gf_option_set_free(sets[i]);
    gf_free(sets);
}

/* Validate all of VF's option sets first; nothing changes on error. */
static int
build_all_options(gf_graph_t *g, const gf_volfile_t *vf, gf_option_set_t ***out,
                  char *err, size_t errlen)
{
    gf_option_set_t **sets;
    size_t i;
    int ret = 0;

    sets = gf_calloc(NULL, GF_MT_GRAPH, g->count, sizeof(*sets));
    if (!sets)
        return -ENOMEM;
    for (i = 0; i < g->count && ret == 0; i++) {
        ret = build_options(vf, i, &sets[i], g->xls[i]->api->options, err,
                            errlen);
        if (ret == 0)
            ret = check_xlator_refs(vf, i, g->xls[i], err, errlen);
        if (ret == 0 && options_differ(g->xls[i], sets[i]) &&
            !g->xls[i]->api->reconfigure)
            ret = -EXDEV; /* cannot change at run time: new graph */
    }
    if (ret < 0) {
        free_sets(sets, g->count);
        return ret;
    }
    *out = sets;
    return 0;
}

int
gf_graph_reconfigure(gf_graph_t *g, const gf_volfile_t *vf, char *err,
                     size_t errlen)
{
    gf_option_set_t **sets;
    size_t i;
    int ret;

    if (!g || !vf)
        return -EINVAL;
    if (!same_topology(g, vf))
        return -EXDEV;
    ret = build_all_options(g, vf, &sets, err, errlen);
    if (ret < 0)
        return ret;
    for (i = 0; i < g->count && ret == 0; i++) {
        gf_xlator_t *xl = g->xls[i];
        gf_xlator_t *prev;

        if (!options_differ(xl, sets[i]))
            continue;
        prev = gf_this_set(xl);
        ret = xl->api->reconfigure(xl, sets[i]);
        gf_this_set(prev);
        if (ret < 0) {
            if (err && errlen)
                snprintf(err, errlen, "volume '%s': reconfigure refused: %s",
                         xl->name, strerror(-ret));
            break;
        }
        gf_option_set_free(xl->options);
        xl->options = sets[i];
        sets[i] = NULL;
    }
    free_sets(sets, g->count);
    return ret;
}

void
gf_graph_free(gf_graph_t *g)
{
    size_t i;

    if (!g)
        return;
    if (g->active)
        gf_xlator_notify(gf_graph_top(g), GF_EVENT_PARENT_DOWN, NULL);
    if (g->xls) {
        fini_from(g, 0);
        for (i = 0; i < g->count; i++)
            gf__xlator_unload(g->xls[i]);
    }
    gf_free(g->xls);
    gf_free(g);
}

/* ---- inode and fd contexts: each translator's cbks ---------------------- */

/* The translator owning SLOT, if it is still initialised: after its fini
 * it has freed its contexts itself and must not be called. */
static gf_xlator_t *
slot_owner(gf_graph_t *g, unsigned slot)
{
    gf_xlator_t *xl = slot < g->count ? g->xls[slot] : NULL;

    return xl && xl->init_done && xl->api->cbks ? xl : NULL;
}

static void
forget_cb(gf_inode_t *inode, unsigned slot, uint64_t value, void *data)
{
    gf_xlator_t *xl = slot_owner(data, slot);
    gf_xlator_t *prev;

    if (!xl || !xl->api->cbks->forget)
        return;
    prev = gf_this_set(xl);
    xl->api->cbks->forget(xl, inode);
    gf_this_set(prev);
}

static void
release_cb(gf_fd_t *fd, unsigned slot, uint64_t value, void *data)
{
    gf_xlator_t *xl = slot_owner(data, slot);
    gf_xlator_t *prev;
    void (*fn)(gf_xlator_t *, gf_fd_t *);

    if (!xl)
        return;
    fn = gf_inode_type(gf_fd_inode(fd)) == GF_INODE_DIR
             ? xl->api->cbks->releasedir
             : xl->api->cbks->release;
    if (!fn)
        return;
    prev = gf_this_set(xl);
    fn(xl, fd);
    gf_this_set(prev);
}

gf_inode_table_t *
gf_xlator_inode_table_new(gf_xlator_t *self, uint32_t lru_limit)
{
    gf_graph_t *g = self ? self->graph : NULL;
    gf_inode_table_t *t;

    if (!g || g->count > GF_INODE_MAX_SLOTS) {
        errno = EINVAL;
        return NULL;
    }
    t = gf_inode_table_new(lru_limit, (unsigned)g->count);
    if (t && (gf_inode_table_set_forget(t, forget_cb, g) < 0 ||
              gf_fd_set_release(t, release_cb, g) < 0)) {
        gf_inode_table_free(t);
        errno = EINVAL;
        return NULL;
    }
    return t;
}

/* Mark XL and everything below it in REACH (by slot). */
static void
mark_below(const gf_xlator_t *xl, bool *reach)
{
    if (reach[xl->slot])
        return;
    reach[xl->slot] = true;
    for (unsigned i = 0; i < xl->nchildren; i++)
        mark_below(xl->children[i], reach);
}

int
gf_xlator_client_disconnect(gf_xlator_t *top, uint64_t client)
{
    gf_graph_t *g = top ? top->graph : NULL;
    bool *reach;

    if (!g || !client)
        return -EINVAL;
    GF_ASSERT(top->magic == GF_XLATOR_MAGIC);
    reach = gf_calloc(NULL, GF_MT_OTHER, g->count, sizeof(*reach));
    if (!reach)
        return -ENOMEM;
    mark_below(top, reach);
    /* A volfile defines subvolumes before their users, so slots run from
     * leaves to the top: walk them backwards for parents first. */
    for (size_t i = g->count; i-- > 0;) {
        gf_xlator_t *xl = g->xls[i];
        const gf_xlator_cbks_t *cb = xl->api ? xl->api->cbks : NULL;
        gf_xlator_t *prev;

        if (!reach[i] || !xl->init_done || !cb || xl->api->abi_minor < 1 ||
            !cb->client_disconnect)
            continue;
        prev = gf_this_set(xl);
        cb->client_disconnect(xl, client);
        gf_this_set(prev);
    }
    gf_free(reach);
    return 0;
}

unsigned
gf_xlator_ctx_slot(const gf_xlator_t *self)
{
    GF_ASSERT(self && self->magic == GF_XLATOR_MAGIC);
    return self->slot;
}

gf_xlator_t *
gf_graph_top(const gf_graph_t *g)
{
    return g && g->count ? g->xls[g->count - 1] : NULL;
}

gf_xlator_t *
gf_graph_find(const gf_graph_t *g, const char *name)
{
    size_t i;

    if (!g || !name)
        return NULL;
    for (i = 0; i < g->count; i++)
        if (strcmp(g->xls[i]->name, name) == 0)
            return g->xls[i];
    return NULL;
}

size_t
gf_graph_count(const gf_graph_t *g)
{
    return g ? g->count : 0;
}

gf_xlator_t *
gf_graph_xlator(const gf_graph_t *g, size_t i)
{
    return g && i < g->count ? g->xls[i] : NULL;
}
