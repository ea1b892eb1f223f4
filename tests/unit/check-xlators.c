/* SPDX-License-Identifier: LGPL-3.0-or-later */
/*
 * check-xlators.c - the shipped plugins debug/trace and debug/io-stats,
 * loaded from the build tree by the real loader, over test/sink.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <gf/graph.h>
#include <gf/log.h>
#include <gf/syncop.h>
#include <gf/xlator.h>

#include "gf-test.h"

typedef struct env {
    gf_ctx_t *ctx;
    gf_volfile_t *vf;
    gf_graph_t *graph;
    gf_call_pool_t *pool;
    gf_syncop_t sc;
    char err[512];
} env_t;

static int
env_start(env_t *e, const char *text)
{
    gf_volfile_error_t verr;
    int ret;

    memset(e, 0, sizeof(*e));
    e->ctx = gf_ctx_new();
    ck_assert_int_eq(
        gf_volfile_parse(text, strlen(text), "x.vol", &e->vf, &verr), 0);
    ret = gf_graph_new(e->ctx, e->vf, &e->graph, e->err, sizeof(e->err));
    ck_assert_msg(ret == 0, "%s", e->err);
    ret = gf_graph_init(e->graph, e->err, sizeof(e->err));
    if (ret < 0)
        return ret;
    ck_assert_int_eq(gf_graph_activate(e->graph), 0);
    e->pool = gf_call_pool_new(e->ctx);
    e->sc.pool = e->pool;
    e->sc.subvol = gf_graph_top(e->graph);
    return 0;
}

static void
env_stop(env_t *e)
{
    gf_call_pool_free(e->pool);
    gf_graph_free(e->graph);
    gf_volfile_free(e->vf);
    gf_ctx_free(e->ctx);
}

static char *
slurp(const char *path)
{
    FILE *f = fopen(path, "r");
    static char buf[65536];
    size_t n;

    ck_assert_ptr_nonnull(f);
    n = fread(buf, 1, sizeof(buf) - 1, f);
    buf[n] = '\0';
    fclose(f);
    return buf;
}

static const char stats_vol[] = "volume leaf\n"
                                "  type test/sink\n"
                                "  option size 4KB\n"
                                "end-volume\n"
                                "volume stats\n"
                                "  type debug/io-stats\n"
                                "  option latency-measurement on\n"
                                "  subvolumes leaf\n"
                                "end-volume\n";

START_TEST(io_stats_counts_fops_and_dumps_them)
{
    env_t e;
    gf_loc_t loc = {.path = "/f"};
    char *text = NULL;
    size_t len = 0;
    FILE *out;
    int i;

    ck_assert_int_eq(env_start(&e, stats_vol), 0);
    for (i = 0; i < 3; i++)
        ck_assert_int_eq(gf_syncop_stat(&e.sc, NULL, &loc, NULL), 0);
    ck_assert_int_eq(gf_syncop_access(&e.sc, NULL, &loc, 0777, NULL), -EACCES);

    out = open_memstream(&text, &len);
    ck_assert_int_eq(gf_graph_dump(e.graph, out), 0);
    fclose(out);
    ck_assert_msg(strstr(text, "[xlator.stats]\ntype=debug/io-stats\n"
                               "children=leaf\n") != NULL,
                  "%s", text);
    ck_assert_msg(strstr(text, "STAT=count=3 errors=0 avg_us=") != NULL, "%s",
                  text);
    ck_assert_msg(strstr(text, "ACCESS=count=1 errors=1") != NULL, "%s", text);
    /* The top comes first. */
    ck_assert(strstr(text, "[xlator.stats]") < strstr(text, "[xlator.leaf]"));
    free(text);
    env_stop(&e);
}
END_TEST

START_TEST(trace_logs_fops_and_replies)
{
    env_t e;
    char path[256];
    gf_loc_t loc = {.path = "/traced"};
    const char *log;
    static const char vol[] = "volume leaf\n"
                              "  type test/sink\n"
                              "  option size 4KB\n"
                              "end-volume\n"
                              "volume tr\n"
                              "  type debug/trace\n"
                              "  subvolumes leaf\n"
                              "end-volume\n";

    snprintf(path, sizeof(path), "%s/trace-%d.log", gf_test_tmpdir(),
             (int)getpid());
    ck_assert_int_eq(gf_log_init(path, "check-xlators"), 0);
    ck_assert_int_eq(env_start(&e, vol), 0);
    ck_assert_int_eq(gf_syncop_stat(&e.sc, NULL, &loc, NULL), 0);
    ck_assert_int_eq(gf_syncop_access(&e.sc, NULL, &loc, 0777, NULL), -EACCES);
    env_stop(&e);
    gf_log_fini();

    log = slurp(path);
    ck_assert_msg(strstr(log, "] tr: ") != NULL, "%s", log);
    ck_assert_msg(strstr(log, "STAT: loc={path=/traced") != NULL, "%s", log);
    ck_assert_msg(strstr(log, "STAT reply: op_ret=0 op_errno=0 buf={") != NULL,
                  "%s", log);
    ck_assert_msg(strstr(log, "size=4096") != NULL, "%s", log);
    ck_assert_msg(strstr(log, "ACCESS: loc={path=/traced") != NULL, "%s", log);
    ck_assert_msg(strstr(log, "mask=511") != NULL, "%s", log);
    ck_assert_msg(strstr(log, "ACCESS reply: op_ret=-1 op_errno=13") != NULL,
                  "%s", log);
    unlink(path);
}
END_TEST

START_TEST(trace_needs_one_child)
{
    env_t e;
    static const char vol[] = "volume tr\n  type debug/trace\nend-volume\n";

    ck_assert_int_eq(env_start(&e, vol), -EINVAL);
    ck_assert_msg(strstr(e.err, "'tr'") != NULL, "%s", e.err);
    env_stop(&e);
}
END_TEST

START_TEST(trace_refuses_an_unknown_level)
{
    env_t e;
    gf_volfile_error_t verr;
    static const char vol[] = "volume leaf\n  type test/sink\nend-volume\n"
                              "volume tr\n  type debug/trace\n"
                              "  option log-level LOUD\n"
                              "  subvolumes leaf\nend-volume\n";

    memset(&e, 0, sizeof(e));
    e.ctx = gf_ctx_new();
    ck_assert_int_eq(gf_volfile_parse(vol, strlen(vol), "x.vol", &e.vf, &verr),
                     0);
    ck_assert_int_eq(gf_graph_new(e.ctx, e.vf, &e.graph, e.err, sizeof(e.err)),
                     -EINVAL);
    ck_assert_msg(strstr(e.err, "x.vol:6:10:") != NULL, "%s", e.err);
    ck_assert_msg(strstr(e.err, "LOUD") != NULL, "%s", e.err);
    gf_volfile_free(e.vf);
    gf_ctx_free(e.ctx);
}
END_TEST

int
main(void)
{
    Suite *s = suite_create("xlators");
    TCase *tc = tcase_create("shipped");

    tcase_set_timeout(tc, 20);
    tcase_add_test(tc, io_stats_counts_fops_and_dumps_them);
    tcase_add_test(tc, trace_logs_fops_and_replies);
    tcase_add_test(tc, trace_needs_one_child);
    tcase_add_test(tc, trace_refuses_an_unknown_level);
    suite_add_tcase(s, tc);
    return gf_test_run(s);
}
