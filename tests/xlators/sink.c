/* SPDX-License-Identifier: LGPL-3.0-or-later */
/*
 * test/sink - a leaf that answers LOOKUP and STAT (a regular file whose
 * size is the option "size"), FLUSH and ACCESS (EACCES for mask 0777) at
 * once; every other fop gets the default, which replies ENOTCONN since a
 * leaf has no child. It counts the events it receives (the core's default
 * notify makes it, as a leaf, answer PARENT_UP with CHILD_UP) and the
 * inode, fd and client callbacks.
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include <gf/xlator.h>

typedef struct sink_priv {
    uint64_t size;
    int parent_up;
    int parent_down;
    int child_up;
    int forgets;
    int releases;
    int disconnects;
    uint64_t last_client; /* of the last client_disconnect */
} sink_priv_t;

static const gf_option_t sink_options[] = {
    {.key = "size",
     .type = GF_OPTION_SIZE,
     .default_value = "0",
     .description = "size reported by lookup and stat",
     .flags = GF_OPTION_RECONFIGURABLE},
    {.key = "fail-init",
     .type = GF_OPTION_BOOL,
     .default_value = "off",
     .description = "make init fail with EIO"},
    {.key = NULL},
};

static void
fill_iatt(gf_xlator_t *self, gf_iatt_t *st)
{
    sink_priv_t *priv = gf_xlator_private(self);

    memset(st, 0, sizeof(*st));
    st->mode = S_IFREG | 0644;
    st->nlink = 1;
    st->size = priv->size;
    st->gfid.b[15] = 42;
}

static int
sink_lookup(gf_frame_t *frame, gf_xlator_t *self, gf_loc_t *loc,
            gf_dict_t *xdata)
{
    gf_iatt_t st, parent;

    fill_iatt(self, &st);
    memset(&parent, 0, sizeof(parent));
    gf_unwind_lookup(frame, 0, 0, loc ? loc->inode : NULL, &st, NULL, &parent);
    return 0;
}

static int
sink_stat(gf_frame_t *frame, gf_xlator_t *self, gf_loc_t *loc, gf_dict_t *xdata)
{
    gf_iatt_t st;

    fill_iatt(self, &st);
    gf_unwind_stat(frame, 0, 0, &st, NULL);
    return 0;
}

static int
sink_flush(gf_frame_t *frame, gf_xlator_t *self, gf_fd_t *fd, gf_dict_t *xdata)
{
    gf_unwind_flush(frame, 0, 0, NULL);
    return 0;
}

static int
sink_access(gf_frame_t *frame, gf_xlator_t *self, gf_loc_t *loc, int32_t mask,
            gf_dict_t *xdata)
{
    /* A way for tests to see an error travel back: mask 0777 -> EACCES. */
    if (mask == 0777)
        gf_unwind_access(frame, -1, EACCES, NULL);
    else
        gf_unwind_access(frame, 0, 0, NULL);
    return 0;
}

static int
sink_init(gf_xlator_t *self)
{
    sink_priv_t *priv;
    bool fail = false;

    gf_option_get_bool(gf_xlator_options(self), "fail-init", &fail);
    if (fail)
        return -EIO;
    priv = calloc(1, sizeof(*priv));
    if (!priv)
        return -ENOMEM;
    gf_option_get_size(gf_xlator_options(self), "size", &priv->size);
    gf_xlator_set_private(self, priv);
    return 0;
}

static void
sink_fini(gf_xlator_t *self)
{
    free(gf_xlator_private(self));
    gf_xlator_set_private(self, NULL);
}

static int
sink_reconfigure(gf_xlator_t *self, const gf_option_set_t *options)
{
    sink_priv_t *priv = gf_xlator_private(self);

    return gf_option_get_size(options, "size", &priv->size);
}

static int
sink_notify(gf_xlator_t *self, gf_xlator_event_t event, void *data)
{
    sink_priv_t *priv = gf_xlator_private(self);

    if (event == GF_EVENT_PARENT_UP)
        priv->parent_up++; /* the default makes a leaf answer CHILD_UP */
    if (event == GF_EVENT_PARENT_DOWN)
        priv->parent_down++;
    if (event == GF_EVENT_CHILD_UP)
        priv->child_up++;
    return gf_xlator_notify_default(self, event, data);
}

/* Count the inode and fd contexts the core says are gone. */
static void
sink_forget(gf_xlator_t *self, gf_inode_t *inode)
{
    ((sink_priv_t *)gf_xlator_private(self))->forgets++;
}

static void
sink_release(gf_xlator_t *self, gf_fd_t *fd)
{
    ((sink_priv_t *)gf_xlator_private(self))->releases++;
}

static void
sink_client_disconnect(gf_xlator_t *self, uint64_t client)
{
    sink_priv_t *priv = gf_xlator_private(self);

    priv->disconnects++;
    priv->last_client = client;
}

static const gf_xlator_cbks_t sink_cbks = {
    .forget = sink_forget,
    .release = sink_release,
    .releasedir = sink_release,
    .client_disconnect = sink_client_disconnect,
};

static const gf_xlator_fops_t sink_fops = {
    .lookup = sink_lookup,
    .stat = sink_stat,
    .flush = sink_flush,
    .access = sink_access,
};

GF_EXPORT const struct gf_xlator_api gf_xlator_api = {
    .abi_major = GF_XLATOR_ABI_MAJOR,
    .abi_minor = GF_XLATOR_ABI_MINOR,
    .type = "test/sink",
    .description = "answer every fop at once",
    .options = sink_options,
    .init = sink_init,
    .fini = sink_fini,
    .notify = sink_notify,
    .reconfigure = sink_reconfigure,
    .fops = &sink_fops,
    .cbks = &sink_cbks,
};
