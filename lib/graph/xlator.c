/* SPDX-License-Identifier: LGPL-3.0-or-later */
/*
 * xlator.c - what a translator can ask about itself, and event delivery.
 *
 * Events follow the graph's edges: PARENT_* go down to every child,
 * CHILD_* up to every parent, each translator's notify deciding whether to
 * pass them on (the default always does).
 */
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>

#include <gf/xlator.h>

#include "../core/xlator-int.h"

static const char *const event_names[] = {
    [GF_EVENT_PARENT_UP] = "PARENT_UP",
    [GF_EVENT_PARENT_DOWN] = "PARENT_DOWN",
    [GF_EVENT_CHILD_UP] = "CHILD_UP",
    [GF_EVENT_CHILD_DOWN] = "CHILD_DOWN",
    [GF_EVENT_CHILD_CONNECTING] = "CHILD_CONNECTING",
};

const char *
gf_xlator_event_name(gf_xlator_event_t event)
{
    if ((unsigned)event >= GF_ARRAY_SIZE(event_names))
        return NULL;
    return event_names[event];
}

const char *
gf_xlator_type(const gf_xlator_t *self)
{
    return self ? self->type : NULL;
}

const gf_option_set_t *
gf_xlator_options(const gf_xlator_t *self)
{
    return self ? self->options : NULL;
}

void *
gf_xlator_private(const gf_xlator_t *self)
{
    return self ? self->private : NULL;
}

void
gf_xlator_set_private(gf_xlator_t *self, void *priv)
{
    GF_ASSERT(self && self->magic == GF_XLATOR_MAGIC);
    self->private = priv;
}

unsigned
gf_xlator_nchildren(const gf_xlator_t *self)
{
    return self ? self->nchildren : 0;
}

gf_xlator_t *
gf_xlator_child(const gf_xlator_t *self, unsigned i)
{
    return self && i < self->nchildren ? self->children[i] : NULL;
}

unsigned
gf_xlator_nparents(const gf_xlator_t *self)
{
    return self ? self->nparents : 0;
}

gf_xlator_t *
gf_xlator_parent(const gf_xlator_t *self, unsigned i)
{
    return self && i < self->nparents ? self->parents[i] : NULL;
}

int
gf_xlator_fop_stats(const gf_xlator_t *self, gf_fop_t fop,
                    gf_xlator_fop_stats_t *out)
{
    if (!self || !out || fop <= GF_FOP_NULL || fop >= GF_FOP_MAX)
        return -EINVAL;
    out->count =
        atomic_load_explicit(&self->stats[fop].count, memory_order_relaxed);
    out->total_ns =
        atomic_load_explicit(&self->stats[fop].total_ns, memory_order_relaxed);
    out->max_ns =
        atomic_load_explicit(&self->stats[fop].max_ns, memory_order_relaxed);
    return 0;
}

int
gf_xlator_notify(gf_xlator_t *xl, gf_xlator_event_t event, void *data)
{
    gf_xlator_t *prev;
    int ret;

    if (!xl || !gf_xlator_event_name(event))
        return -EINVAL;
    GF_ASSERT(xl->magic == GF_XLATOR_MAGIC);
    prev = gf_this_set(xl);
    if (xl->api && xl->api->notify)
        ret = xl->api->notify(xl, event, data);
    else
        ret = gf_xlator_notify_default(xl, event, data);
    gf_this_set(prev);
    return ret;
}

int
gf_xlator_notify_default(gf_xlator_t *self, gf_xlator_event_t event, void *data)
{
    bool down = event == GF_EVENT_PARENT_UP || event == GF_EVENT_PARENT_DOWN;
    unsigned n = down ? self->nchildren : self->nparents;
    gf_xlator_t **to = down ? self->children : self->parents;
    int ret = 0;
    unsigned i;

    /* A leaf has nobody below to wait for: it is up as soon as its parents
     * are (protocol/server answers SETVOLUME with child_up from this), and
     * down with them. Leaves that connect somewhere override notify. */
    if (down && self->nchildren == 0) {
        event = event == GF_EVENT_PARENT_UP ? GF_EVENT_CHILD_UP
                                            : GF_EVENT_CHILD_DOWN;
        n = self->nparents;
        to = self->parents;
    }

    for (i = 0; i < n; i++) {
        int r = gf_xlator_notify(to[i], event, self);

        if (r < 0 && ret == 0)
            ret = r;
    }
    return ret;
}

int
gf_xlator_dump(FILE *out, const char *key, const char *fmt, ...)
{
    va_list ap;
    int ret;

    if (!out || !key || !fmt)
        return -EINVAL;
    if (fprintf(out, "%s=", key) < 0)
        return -EIO;
    va_start(ap, fmt);
    ret = vfprintf(out, fmt, ap);
    va_end(ap);
    if (ret < 0 || fputc('\n', out) == EOF)
        return -EIO;
    return 0;
}
