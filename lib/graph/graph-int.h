/* SPDX-License-Identifier: LGPL-3.0-or-later */
/*
 * graph-int.h - the loader and graph internals shared by xlator-load.c,
 * xlator.c and graph.c. Never installed.
 */
#ifndef GF_GRAPH_INT_H
#define GF_GRAPH_INT_H

#include <stddef.h>

#include <gf/graph.h>

/*
 * Load plugin TYPE as a translator called NAME of CTX: its fops filled,
 * its memory account made; no options, links or init yet. 0 or -errno,
 * with a message in ERR.
 */
int gf__xlator_load(gf_ctx_t *ctx, const char *name, const char *type,
                    gf_xlator_t **out, char *err, size_t errlen);

/* Free a translator made by gf__xlator_load (after fini, if it ran). */
void gf__xlator_unload(gf_xlator_t *xl);

#endif /* GF_GRAPH_INT_H */
