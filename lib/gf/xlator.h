/* SPDX-License-Identifier: LGPL-3.0-or-later */
/*
 * gf/xlator.h - the translator plugin ABI. The one header a plugin needs.
 *
 * A translator is a shared object exporting exactly one symbol,
 * `gf_xlator_api`, a const struct gf_xlator_api describing it: ABI version,
 * type, option table, lifecycle hooks and fops. The core dlopens it from
 * <xlatordir>/<category>/<name>.so, refuses another ABI major or a newer
 * minor, validates the volfile's options against the table, fills every
 * fop the plugin leaves NULL with a pass-through default, and then calls
 * init (top of the graph first), notify and, at the end, fini.
 *
 *     const struct gf_xlator_api gf_xlator_api = {
 *         .abi_major = GF_XLATOR_ABI_MAJOR,
 *         .abi_minor = GF_XLATOR_ABI_MINOR,
 *         .type = "debug/trace",
 *         .options = trace_options,
 *         .init = trace_init,
 *         .fini = trace_fini,
 *         .fops = &trace_fops,
 *     };
 *
 * ABI changelog (bump MINOR for additions at the end of a struct, MAJOR for
 * anything else; plugins built for an older MINOR keep loading):
 *   1.0  2026-11-25  first version.
 *        2026-11-26  gf_xlator_ctx_slot, gf_xlator_inode_table_new (new
 *                    functions only: the descriptor is unchanged).
 *   1.1  2026-11-26  gf_xlator_cbks.client_disconnect (read only from
 *                    plugins of minor >= 1), gf_identity_t.client,
 *                    gf_stack_client, gf_xlator_client_disconnect.
 */
#ifndef GF_XLATOR_H
#define GF_XLATOR_H

#include <stdbool.h>
#include <stdio.h>

#include <gf/common.h>
#include <gf/ctx.h>
#include <gf/dict.h>
#include <gf/fd.h>
#include <gf/fop.h>
#include <gf/inode.h>
#include <gf/iobuf.h>
#include <gf/log.h>
#include <gf/mem-acct.h>
#include <gf/options.h>

#ifdef __cplusplus
extern "C" {
#endif

#define GF_XLATOR_ABI_MAJOR 1u
#define GF_XLATOR_ABI_MINOR 1u

/* The name of the one symbol a plugin exports. */
#define GF_XLATOR_API_SYMBOL "gf_xlator_api"

/*
 * GF_XLATOR_DESCRIPTOR(ident) = { ... }: defines a translator's descriptor
 * so that one source builds both ways. As a plugin (the default) it is the
 * exported gf_xlator_api. Compiled into a host executable with
 * -DGF_XLATOR_BUILTIN it is the plain global gf_builtin_<ident>, which the
 * host lists for gf_ctx_set_builtin_xlators (gf/ctx.h). A plugin that is
 * only ever a plugin may define gf_xlator_api directly, as shown above.
 */
#ifdef GF_XLATOR_BUILTIN
#define GF_XLATOR_DESCRIPTOR(ident)                                            \
    const struct gf_xlator_api gf_builtin_##ident
#else
#define GF_XLATOR_DESCRIPTOR(ident)                                            \
    GF_EXPORT const struct gf_xlator_api gf_xlator_api
#endif

/* Graph events. PARENT_* travel down to children, CHILD_* up to parents. */
typedef enum gf_xlator_event {
    GF_EVENT_PARENT_UP = 1,
    GF_EVENT_PARENT_DOWN,
    GF_EVENT_CHILD_UP,
    GF_EVENT_CHILD_DOWN,
    GF_EVENT_CHILD_CONNECTING,
} gf_xlator_event_t;

/* "PARENT_UP", ...; NULL for an unknown event. */
GF_EXPORT const char *gf_xlator_event_name(gf_xlator_event_t event);

/* Callbacks the core calls when an inode or fd a translator may hold
 * context on goes away, or a client it may hold state for is gone. Any
 * may be NULL. */
typedef struct gf_xlator_cbks {
    void (*forget)(gf_xlator_t *self, gf_inode_t *inode);
    void (*release)(gf_xlator_t *self, gf_fd_t *fd);
    void (*releasedir)(gf_xlator_t *self, gf_fd_t *fd);
    /* (ABI 1.1) The connection CLIENT (gf_identity_t.client) is gone:
     * drop what it held (locks, leases), waking whoever waits on it. Runs
     * on the protocol translator's thread with THIS = SELF; must not
     * block. */
    void (*client_disconnect)(gf_xlator_t *self, uint64_t client);
} gf_xlator_cbks_t;

/* Statedump hooks: write `key=value` lines with gf_xlator_dump(). */
typedef struct gf_xlator_dumpops {
    int (*priv)(gf_xlator_t *self, FILE *out);
} gf_xlator_dumpops_t;

struct gf_xlator_api {
    unsigned abi_major; /* GF_XLATOR_ABI_MAJOR */
    unsigned abi_minor; /* GF_XLATOR_ABI_MINOR */
    const char *type;   /* "category/name", as volfiles name it */
    const char *description;

    /* Options (NULL-key terminated), or NULL for none. */
    const gf_option_t *options;

    /* Memory types the plugin charges with gf_malloc(gf_xlator_mem_acct(
     * self), type, ...): names of types 0..n_mem_types-1. May be NULL. */
    const char *const *mem_types;
    unsigned n_mem_types;

    /*
     * init(self): build private state from the validated options
     * (gf_xlator_options). Return 0 or -errno; on failure the graph is not
     * started and fini is not called for SELF.
     */
    int (*init)(gf_xlator_t *self);
    /* fini(self): free what init made. */
    void (*fini)(gf_xlator_t *self);
    /*
     * notify(self, event, data): NULL means the default, which passes
     * PARENT_* events to every child and CHILD_* events to every parent,
     * and makes a leaf answer PARENT_UP/DOWN with CHILD_UP/DOWN
     * (gf_xlator_notify_default). A plugin that handles an event itself
     * calls the default to keep it travelling.
     */
    int (*notify)(gf_xlator_t *self, gf_xlator_event_t event, void *data);
    /*
     * reconfigure(self, options): the volfile changed only options. OPTIONS
     * is already validated; return 0 to accept it (the core then makes it
     * SELF's set) or -errno to keep the old one.
     */
    int (*reconfigure)(gf_xlator_t *self, const gf_option_set_t *options);

    const gf_xlator_fops_t *fops; /* NULL slots: pass-through defaults */
    const gf_xlator_cbks_t *cbks;
    const gf_xlator_dumpops_t *dumpops;
};

/* ---- what a translator can ask about itself ----------------------------- */

/* Borrowed accessors; SELF must be a loaded translator. */
GF_EXPORT const char *gf_xlator_type(const gf_xlator_t *self);
GF_EXPORT const gf_option_set_t *gf_xlator_options(const gf_xlator_t *self);
GF_EXPORT void *gf_xlator_private(const gf_xlator_t *self);
GF_EXPORT void gf_xlator_set_private(gf_xlator_t *self, void *priv);
GF_EXPORT unsigned gf_xlator_nchildren(const gf_xlator_t *self);
/* Child I (0-based), NULL when out of range. */
GF_EXPORT gf_xlator_t *gf_xlator_child(const gf_xlator_t *self, unsigned i);
GF_EXPORT unsigned gf_xlator_nparents(const gf_xlator_t *self);
GF_EXPORT gf_xlator_t *gf_xlator_parent(const gf_xlator_t *self, unsigned i);

/*
 * The context slot of SELF in inode and fd tables made for its graph (its
 * index in the graph): where it keeps per-inode and per-fd state with
 * gf_inode_ctx_set / gf_fd_ctx_set.
 */
GF_EXPORT unsigned gf_xlator_ctx_slot(const gf_xlator_t *self);

/*
 * An inode table (with its fds) whose context slots match SELF's graph:
 * when an inode or fd dies with a context set in translator X's slot, X's
 * cbks.forget / cbks.release / cbks.releasedir runs (THIS = X), unless X
 * was already finished. Free the table, and drop its inodes and fds,
 * before the graph is freed. NULL with errno EINVAL (no graph, or more
 * than GF_INODE_MAX_SLOTS translators) or ENOMEM.
 */
GF_EXPORT gf_inode_table_t *gf_xlator_inode_table_new(gf_xlator_t *self,
                                                      uint32_t lru_limit);

/*
 * Tell TOP and every translator below it (each once) that client
 * connection CLIENT (nonzero) is gone: their cbks.client_disconnect runs,
 * parents before children. Protocol translators call it when a connection
 * closes, after releasing that connection's fds. 0 or -EINVAL.
 */
GF_EXPORT int gf_xlator_client_disconnect(gf_xlator_t *top, uint64_t client);

/* Per-fop counters of SELF, kept while the context measures latency. */
typedef struct gf_xlator_fop_stats {
    uint64_t count;
    uint64_t total_ns;
    uint64_t max_ns;
} gf_xlator_fop_stats_t;
GF_EXPORT int gf_xlator_fop_stats(const gf_xlator_t *self, gf_fop_t fop,
                                  gf_xlator_fop_stats_t *out);

/*
 * Deliver EVENT to XL: its plugin's notify, or the default. Returns what
 * the handler returned.
 */
GF_EXPORT int gf_xlator_notify(gf_xlator_t *xl, gf_xlator_event_t event,
                               void *data);

/* The default notify: PARENT_* to every child, CHILD_* to every parent;
 * a leaf (no child) answers PARENT_UP/DOWN with CHILD_UP/DOWN to its
 * parents. Returns 0, or the first error a receiver returned. */
GF_EXPORT int gf_xlator_notify_default(gf_xlator_t *self,
                                       gf_xlator_event_t event, void *data);

/* Write one statedump line "KEY=VALUE" to OUT. */
GF_EXPORT int gf_xlator_dump(FILE *out, const char *key, const char *fmt, ...)
    GF_PRINTF(3, 4);

#ifdef __cplusplus
}
#endif

#endif /* GF_XLATOR_H */
