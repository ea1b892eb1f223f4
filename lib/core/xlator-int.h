/* SPDX-License-Identifier: LGPL-3.0-or-later */
/*
 * xlator-int.h - the layout of a translator, shared by the libgf sources
 * that need its fields (context, frames, loader, graph). Never installed:
 * plugins see gf_xlator_t only through functions.
 */
#ifndef GF_XLATOR_INT_H
#define GF_XLATOR_INT_H

#include <stdatomic.h>
#include <stdbool.h>
#include <stdint.h>

#include <gf/ctx.h>
#include <gf/fop.h>
#include <gf/mem-acct.h>

/* Checked at every public entry that takes a translator. */
#define GF_XLATOR_MAGIC 0x78534c47u /* "GLSx" */

/* Per-fop counters of one translator (statedump, io-stats). Latency is
 * only summed while the context measures latency. */
typedef struct gf_fop_stats {
    _Atomic uint64_t count;
    _Atomic uint64_t total_ns;
    _Atomic uint64_t max_ns;
} gf_fop_stats_t;

struct gf_xlator {
    uint32_t magic;
    char *name;
    char *type; /* "category/name"; NULL for the global translator */
    gf_ctx_t *ctx;
    gf_mem_acct_t *mem_acct;
    gf_xlator_fops_t fops; /* every slot set: the plugin's or a default */

    const struct gf_xlator_api *api; /* NULL for the global translator */
    void *dl;
    void *private;
    struct gf_graph *graph;
    gf_xlator_t **children;
    unsigned nchildren;
    gf_xlator_t **parents;
    unsigned nparents;
    struct gf_option_set *options;
    unsigned slot; /* index in its graph: its inode/fd context slot */
    bool init_done;

    gf_fop_stats_t stats[GF_FOP_MAX];
};

/* The host's compiled-in translators (ctx.c); NULL when none. */
const struct gf_xlator_api *const *gf__ctx_builtin_xlators(const gf_ctx_t *ctx);

/* THIS of the calling thread (ctx.c). */
extern __thread gf_xlator_t *gf__this_xl
    __attribute__((tls_model("initial-exec")));

/* Make XL the calling thread's THIS and return the previous one: the
 * unchecked form of gf_this_set(), for wind and unwind, whose translators
 * were checked when the graph was built. */
static inline gf_xlator_t *
gf__this_swap(gf_xlator_t *xl)
{
    gf_xlator_t *old = gf__this_xl;

    gf__this_xl = xl;
    return old;
}

#endif /* GF_XLATOR_INT_H */
