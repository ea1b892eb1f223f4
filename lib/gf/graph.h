/* SPDX-License-Identifier: LGPL-3.0-or-later */
/*
 * gf/graph.h - a translator graph built from a volfile, and its life.
 *
 * gf_graph_new loads every translator of a parsed volfile, validates each
 * one's options against its table and links children and parents; nothing
 * runs yet. gf_graph_init calls init top first and, if one fails, fini on
 * those already initialised, so a graph is either fully initialised or not
 * at all. gf_graph_activate sends PARENT_UP to the top, from where it
 * travels down; leaves answer CHILD_UP upwards. gf_graph_free sends
 * PARENT_DOWN, calls fini in the reverse order of init and unloads.
 */
#ifndef GF_GRAPH_H
#define GF_GRAPH_H

#include <stddef.h>
#include <stdio.h>

#include <gf/common.h>
#include <gf/ctx.h>
#include <gf/volfile.h>

#ifdef __cplusplus
extern "C" {
#endif

typedef struct gf_graph gf_graph_t;

/* Where plugins are installed (the compiled-in xlatordir). */
GF_EXPORT const char *gf_xlator_dir(void);

/*
 * Build the graph of VF for CTX. On error returns -errno, leaves nothing
 * loaded, and writes "file:line:column: what went wrong" into ERR.
 */
GF_EXPORT int gf_graph_new(gf_ctx_t *ctx, const gf_volfile_t *vf,
                           gf_graph_t **out, char *err, size_t errlen);

/* Init every translator, top first. 0, or the failing init's -errno with
 * every translator finished again and a message in ERR. */
GF_EXPORT int gf_graph_init(gf_graph_t *graph, char *err, size_t errlen);

/* Send PARENT_UP to the top. Returns what the top's notify returned. */
GF_EXPORT int gf_graph_activate(gf_graph_t *graph);

/*
 * Apply VF's options to GRAPH, whose topology VF must share (same volumes,
 * types and edges). Every translator's new options are validated first:
 * -EINVAL with ERR set if one is refused, and then nothing changed. -EXDEV
 * if the topology differs or a translator whose options changed has no
 * reconfigure hook: a new graph is needed. Then each translator whose
 * options changed gets reconfigure(); if one refuses, its -errno is
 * returned, it and the ones after it keep their old options, and those
 * before it keep their new ones.
 */
GF_EXPORT int gf_graph_reconfigure(gf_graph_t *graph, const gf_volfile_t *vf,
                                   char *err, size_t errlen);

/* PARENT_DOWN, fini in reverse init order, unload. NULL is ignored. */
GF_EXPORT void gf_graph_free(gf_graph_t *graph);

GF_EXPORT gf_xlator_t *gf_graph_top(const gf_graph_t *graph);
/* Translator called NAME, or NULL. */
GF_EXPORT gf_xlator_t *gf_graph_find(const gf_graph_t *graph, const char *name);
GF_EXPORT size_t gf_graph_count(const gf_graph_t *graph);
/* Translator I in volfile order (leaves first, top last), or NULL. */
GF_EXPORT gf_xlator_t *gf_graph_xlator(const gf_graph_t *graph, size_t i);

/*
 * Write GRAPH as statedump sections to OUT: for each translator, top
 * first, "[xlator.NAME]" with its type, children, per-fop counters (when
 * measured) and its plugin's private dump. Returns 0, -EINVAL, or -EIO.
 */
GF_EXPORT int gf_graph_dump(const gf_graph_t *graph, FILE *out);

#ifdef __cplusplus
}
#endif

#endif /* GF_GRAPH_H */
