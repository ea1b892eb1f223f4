/* SPDX-License-Identifier: LGPL-3.0-or-later */
/*
 * graph-dump.c - a graph as statedump text: one [xlator.NAME] section per
 * translator, top first, with its plugin's own lines at the end.
 */
#include <errno.h>
#include <inttypes.h>
#include <stdio.h>

#include <gf/graph.h>
#include <gf/xlator.h>

#include "../core/xlator-int.h"

static int
dump_fop_stats(const gf_xlator_t *xl, FILE *out)
{
    int fop;

    for (fop = GF_FOP_NULL + 1; fop < GF_FOP_MAX; fop++) {
        gf_xlator_fop_stats_t st;

        gf_xlator_fop_stats(xl, fop, &st);
        if (st.count && fprintf(out,
                                "fop.%s=count=%" PRIu64 " avg_ns=%" PRIu64
                                " max_ns=%" PRIu64 "\n",
                                gf_fop_name(fop), st.count,
                                st.total_ns / st.count, st.max_ns) < 0)
            return -EIO;
    }
    return 0;
}

static int
dump_xlator(const gf_xlator_t *xl, FILE *out)
{
    unsigned i;

    if (fprintf(out, "\n[xlator.%s]\ntype=%s\nchildren=", xl->name, xl->type) <
        0)
        return -EIO;
    for (i = 0; i < xl->nchildren; i++)
        fprintf(out, "%s%s", i ? " " : "", xl->children[i]->name);
    fputc('\n', out);
    if (dump_fop_stats(xl, out) < 0)
        return -EIO;
    if (xl->api->dumpops && xl->api->dumpops->priv && xl->init_done)
        return xl->api->dumpops->priv((gf_xlator_t *)xl, out);
    return 0;
}

int
gf_graph_dump(const gf_graph_t *g, FILE *out)
{
    size_t i = gf_graph_count(g);
    int ret = 0;

    if (!g || !out)
        return -EINVAL;
    while (i-- > 0 && ret == 0)
        ret = dump_xlator(gf_graph_xlator(g, i), out);
    return ferror(out) ? -EIO : ret;
}
