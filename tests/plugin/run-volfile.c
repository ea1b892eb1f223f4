/* SPDX-License-Identifier: LGPL-3.0-or-later */
/*
 * run-volfile VOLFILE PATH - build VOLFILE's graph with the real loader,
 * STAT PATH through its top, print "size=N" and tear everything down.
 * Exit status 0 on success, 1 with a message on any error. The out-of-tree
 * plugin test drives plugins through it.
 */
#include <inttypes.h>
#include <stdio.h>

#include <gf/graph.h>
#include <gf/syncop.h>
#include <gf/xlator.h>

static int
run(gf_ctx_t *ctx, gf_volfile_t *vf, const char *path)
{
    gf_graph_t *g;
    gf_syncop_stat_out_t out;
    gf_syncop_t sc;
    gf_loc_t loc = {.path = path};
    char err[1024];
    int ret;

    if (gf_graph_new(ctx, vf, &g, err, sizeof(err)) < 0 ||
        gf_graph_init(g, err, sizeof(err)) < 0) {
        fprintf(stderr, "run-volfile: %s\n", err);
        return 1;
    }
    gf_graph_activate(g);
    sc.pool = gf_call_pool_new(ctx);
    sc.subvol = gf_graph_top(g);
    sc.id = NULL;
    ret = gf_syncop_stat(&sc, &out, &loc, NULL);
    if (ret < 0)
        fprintf(stderr, "run-volfile: stat %s: error %d\n", path, -ret);
    else
        printf("size=%" PRIu64 "\n", out.buf->size);
    gf_syncop_stat_out_wipe(&out);
    gf_call_pool_free(sc.pool);
    gf_graph_free(g);
    return ret < 0;
}

int
main(int argc, char **argv)
{
    gf_volfile_error_t verr;
    gf_volfile_t *vf;
    gf_ctx_t *ctx;
    char msg[1024];
    int ret;

    if (argc != 3) {
        fprintf(stderr, "usage: run-volfile VOLFILE PATH\n");
        return 64;
    }
    if (gf_volfile_parse_file(argv[1], &vf, &verr) < 0) {
        gf_volfile_error_format(&verr, msg, sizeof(msg));
        fprintf(stderr, "run-volfile: %s\n", msg);
        return 1;
    }
    ctx = gf_ctx_new();
    ret = ctx ? run(ctx, vf, argv[2]) : 1;
    gf_ctx_free(ctx);
    gf_volfile_free(vf);
    return ret;
}
