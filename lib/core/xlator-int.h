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
    bool init_done;

    gf_fop_stats_t stats[GF_FOP_MAX];
};

#endif /* GF_XLATOR_INT_H */
