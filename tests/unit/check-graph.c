/* SPDX-License-Identifier: LGPL-3.0-or-later */
/*
 * check-graph.c - the loader, graphs, frames, wind and unwind, through the
 * real loader and real plugins (tests/xlators, found via GF_XLATOR_PATH).
 */
#include <errno.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/stat.h>
#include <unistd.h>

#include <gf/fd.h>
#include <gf/graph.h>
#include <gf/inode.h>
#include <gf/mem-pool.h>
#include <gf/xlator.h>

#include "gf-test.h"

#if defined(__has_include)
#if __has_include(<valgrind/valgrind.h>)
#include <valgrind/valgrind.h>
#endif
#endif
#ifndef RUNNING_ON_VALGRIND
#define RUNNING_ON_VALGRIND 0
#endif

/* The first fields of test/sink's private state (tests/xlators/sink.c). */
typedef struct sink_priv {
    uint64_t size;
    int parent_up;
    int parent_down;
    int child_up;
    int forgets;
    int releases;
    int disconnects;
    uint64_t last_client;
} sink_priv_t;

static const char chain_vol[] = "volume leaf\n"
                                "    type test/sink\n"
                                "    option size 4KB\n"
                                "end-volume\n"
                                "volume p1\n"
                                "    type test/pass\n"
                                "    subvolumes leaf\n"
                                "end-volume\n"
                                "volume top\n"
                                "    type test/pass\n"
                                "    subvolumes p1\n"
                                "end-volume\n";

typedef struct fixture {
    gf_ctx_t *ctx;
    gf_volfile_t *vf;
    gf_graph_t *graph;
    gf_call_pool_t *pool;
    char err[1024];
} fixture_t;

static int
build(fixture_t *f, const char *text)
{
    gf_volfile_error_t verr;
    int ret;

    memset(f, 0, sizeof(*f));
    f->ctx = gf_ctx_new();
    ck_assert_ptr_nonnull(f->ctx);
    ck_assert_int_eq(
        gf_volfile_parse(text, strlen(text), "test.vol", &f->vf, &verr), 0);
    ret = gf_graph_new(f->ctx, f->vf, &f->graph, f->err, sizeof(f->err));
    if (ret == 0) {
        f->pool = gf_call_pool_new(f->ctx);
        ck_assert_ptr_nonnull(f->pool);
    }
    return ret;
}

static void
teardown(fixture_t *f)
{
    if (f->pool) {
        ck_assert_uint_eq(gf_call_pool_count(f->pool), 0);
        gf_call_pool_free(f->pool);
    }
    gf_graph_free(f->graph);
    gf_volfile_free(f->vf);
    gf_ctx_free(f->ctx);
}

static void
start(fixture_t *f, const char *text)
{
    ck_assert_msg(build(f, text) == 0, "graph: %s", f->err);
    ck_assert_msg(gf_graph_init(f->graph, f->err, sizeof(f->err)) == 0,
                  "init: %s", f->err);
    ck_assert_int_eq(gf_graph_activate(f->graph), 0);
}

/* What a callback saw. */
typedef struct reply {
    int calls;
    int32_t op_ret;
    int32_t op_errno;
    uint64_t size;
    void *cookie;
    gf_xlator_t *self;
    gf_xlator_t *this_in_cbk;
} reply_t;

static int
stat_cbk(gf_frame_t *frame, void *cookie, gf_xlator_t *self, int32_t op_ret,
         int32_t op_errno, gf_iatt_t *buf, gf_dict_t *xdata)
{
    reply_t *r = gf_frame_local(frame);

    r->calls++;
    r->op_ret = op_ret;
    r->op_errno = op_errno;
    r->size = buf ? buf->size : UINT64_MAX;
    r->cookie = cookie;
    r->self = self;
    r->this_in_cbk = gf_this();
    return 0;
}

static int
access_cbk(gf_frame_t *frame, void *cookie, gf_xlator_t *self, int32_t op_ret,
           int32_t op_errno, gf_dict_t *xdata)
{
    reply_t *r = gf_frame_local(frame);

    r->calls++;
    r->op_ret = op_ret;
    r->op_errno = op_errno;
    return 0;
}

static int
writev_cbk(gf_frame_t *frame, void *cookie, gf_xlator_t *self, int32_t op_ret,
           int32_t op_errno, gf_iatt_t *pre, gf_iatt_t *post, gf_dict_t *xdata)
{
    reply_t *r = gf_frame_local(frame);

    r->calls++;
    r->op_ret = op_ret;
    r->op_errno = op_errno;
    return 0;
}

START_TEST(stat_travels_down_and_back_through_defaults)
{
    fixture_t f;
    reply_t r = {0};
    gf_frame_t *frame;
    gf_loc_t loc = {.path = "/x"};
    gf_xlator_t *top;
    int cookie;

    start(&f, chain_vol);
    top = gf_graph_top(f.graph);
    ck_assert_str_eq(gf_xlator_name(top), "top");
    frame = gf_frame_new(f.pool, top, NULL);
    ck_assert_ptr_nonnull(frame);
    gf_frame_set_local(frame, &r, NULL);

    ck_assert_int_eq(gf_wind_stat(frame, top, stat_cbk, &cookie, &loc, NULL),
                     0);
    ck_assert_int_eq(r.calls, 1);
    ck_assert_int_eq(r.op_ret, 0);
    ck_assert_uint_eq(r.size, 4096);
    ck_assert_ptr_eq(r.cookie, &cookie);
    ck_assert_ptr_eq(r.self, top);
    ck_assert_ptr_eq(r.this_in_cbk, top);
    gf_stack_destroy(gf_frame_stack(frame));
    teardown(&f);
}
END_TEST

START_TEST(errors_travel_back_unchanged)
{
    fixture_t f;
    reply_t r = {0};
    gf_frame_t *frame;
    gf_loc_t loc = {.path = "/x"};

    start(&f, chain_vol);
    frame = gf_frame_new(f.pool, gf_graph_top(f.graph), NULL);
    gf_frame_set_local(frame, &r, NULL);
    gf_wind_access(frame, gf_graph_top(f.graph), access_cbk, NULL, &loc, 0777,
                   NULL);
    ck_assert_int_eq(r.calls, 1);
    ck_assert_int_eq(r.op_ret, -1);
    ck_assert_int_eq(r.op_errno, EACCES);
    gf_stack_destroy(gf_frame_stack(frame));
    teardown(&f);
}
END_TEST

START_TEST(a_leaf_without_the_fop_answers_enotconn)
{
    fixture_t f;
    reply_t r = {0};
    gf_frame_t *frame;
    char byte = 'x';
    struct iovec iov = {&byte, 1};

    start(&f, chain_vol);
    frame = gf_frame_new(f.pool, gf_graph_top(f.graph), NULL);
    gf_frame_set_local(frame, &r, NULL);
    gf_wind_writev(frame, gf_graph_top(f.graph), writev_cbk, NULL, NULL, &iov,
                   1, 0, 0, NULL, NULL);
    ck_assert_int_eq(r.calls, 1);
    ck_assert_int_eq(r.op_ret, -1);
    ck_assert_int_eq(r.op_errno, ENOTCONN);
    gf_stack_destroy(gf_frame_stack(frame));
    teardown(&f);
}
END_TEST

START_TEST(graph_links_and_events)
{
    fixture_t f;
    gf_xlator_t *leaf, *p1, *top;
    sink_priv_t *priv;

    start(&f, chain_vol);
    ck_assert_uint_eq(gf_graph_count(f.graph), 3);
    leaf = gf_graph_find(f.graph, "leaf");
    p1 = gf_graph_find(f.graph, "p1");
    top = gf_graph_top(f.graph);
    ck_assert_ptr_eq(gf_graph_xlator(f.graph, 0), leaf);
    ck_assert_ptr_null(gf_graph_find(f.graph, "nope"));
    ck_assert_str_eq(gf_xlator_type(leaf), "test/sink");
    ck_assert_uint_eq(gf_xlator_nchildren(top), 1);
    ck_assert_ptr_eq(gf_xlator_child(top, 0), p1);
    ck_assert_ptr_eq(gf_xlator_child(p1, 0), leaf);
    ck_assert_ptr_null(gf_xlator_child(p1, 1));
    ck_assert_uint_eq(gf_xlator_nparents(leaf), 1);
    ck_assert_ptr_eq(gf_xlator_parent(leaf, 0), p1);
    ck_assert_ptr_eq(gf_xlator_ctx(leaf), f.ctx);
    /* PARENT_UP from activate reached the leaf exactly once. */
    priv = gf_xlator_private(leaf);
    ck_assert_int_eq(priv->parent_up, 1);
    teardown(&f);
}
END_TEST

/* PARENT_UP goes down from the top; the leaf answers CHILD_UP, which
 * comes back up through the middle to the top. */
START_TEST(child_up_travels_up_to_the_top)
{
    fixture_t f;
    static const char vol[] = "volume leaf\n  type test/sink\nend-volume\n"
                              "volume mid\n  type test/pass\n"
                              "  subvolumes leaf\nend-volume\n"
                              "volume top\n  type test/sink\n"
                              "  subvolumes mid\nend-volume\n";
    sink_priv_t *top, *leaf;

    start(&f, vol);
    top = gf_xlator_private(gf_graph_top(f.graph));
    leaf = gf_xlator_private(gf_graph_find(f.graph, "leaf"));
    ck_assert_int_eq(top->parent_up, 1);
    ck_assert_int_eq(leaf->parent_up, 1);
    ck_assert_int_eq(top->child_up, 1);
    ck_assert_int_eq(leaf->child_up, 0);
    teardown(&f);
}
END_TEST

/* A leaf without a notify of its own (test/pass) is up as soon as its
 * parent is: the core's default answers PARENT_UP with CHILD_UP. */
START_TEST(a_plain_leaf_reports_child_up)
{
    fixture_t f;
    static const char vol[] = "volume leaf\n  type test/pass\nend-volume\n"
                              "volume top\n  type test/sink\n"
                              "  subvolumes leaf\nend-volume\n";
    sink_priv_t *top;

    start(&f, vol);
    top = gf_xlator_private(gf_graph_top(f.graph));
    ck_assert_int_eq(top->parent_up, 1);
    ck_assert_int_eq(top->child_up, 1);
    teardown(&f);
}
END_TEST

START_TEST(xlator_option_overrides_reach_the_translator)
{
    fixture_t f;
    gf_volfile_error_t verr;
    char err[256];
    sink_priv_t *priv;

    memset(&f, 0, sizeof(f));
    f.ctx = gf_ctx_new();
    ck_assert_int_eq(gf_volfile_parse(chain_vol, strlen(chain_vol), "test.vol",
                                      &f.vf, &verr),
                     0);
    ck_assert_int_eq(gf_volfile_override(f.vf, "leaf.size=64KB"), 0);
    ck_assert_int_eq(gf_graph_new(f.ctx, f.vf, &f.graph, err, sizeof(err)), 0);
    ck_assert_int_eq(gf_graph_init(f.graph, err, sizeof(err)), 0);
    priv = gf_xlator_private(gf_graph_find(f.graph, "leaf"));
    ck_assert_uint_eq(priv->size, 65536);
    /* An override with a bad value is refused like a volfile option. */
    gf_graph_free(f.graph);
    f.graph = NULL;
    ck_assert_int_eq(gf_volfile_override(f.vf, "leaf.size=huge"), 0);
    ck_assert_int_eq(gf_graph_new(f.ctx, f.vf, &f.graph, err, sizeof(err)),
                     -EINVAL);
    ck_assert_msg(strstr(err, "huge") != NULL, "%s", err);
    teardown(&f);
}
END_TEST

START_TEST(unknown_type_is_refused_with_its_position)
{
    fixture_t f;
    static const char vol[] = "volume a\n"
                              "  type test/sink\n"
                              "end-volume\n"
                              "volume b\n"
                              "  type no/such-thing\n"
                              "  subvolumes a\n"
                              "end-volume\n";

    ck_assert_int_eq(build(&f, vol), -ENOENT);
    ck_assert_ptr_null(f.graph);
    ck_assert_msg(strstr(f.err, "test.vol:4:") != NULL, "%s", f.err);
    ck_assert_msg(strstr(f.err, "no/such-thing") != NULL, "%s", f.err);
    ck_assert_msg(strstr(f.err, "not found") != NULL, "%s", f.err);
    teardown(&f);
}
END_TEST

START_TEST(abi_mismatch_is_refused)
{
    fixture_t f;
    static const char vol[] = "volume a\n  type test/bad-abi\nend-volume\n";

    ck_assert_int_eq(build(&f, vol), -ENOEXEC);
    ck_assert_msg(strstr(f.err, "ABI 2.0") != NULL, "%s", f.err);
    ck_assert_msg(strstr(f.err, "speaks 1.1") != NULL, "%s", f.err);
    teardown(&f);
}
END_TEST

START_TEST(bad_options_are_refused_with_their_position)
{
    fixture_t f;
    static const char unknown[] = "volume a\n"
                                  "  type test/sink\n"
                                  "  option size 1KB\n"
                                  "  option colour blue\n"
                                  "end-volume\n";
    static const char bad[] = "volume a\n"
                              "  type test/sink\n"
                              "  option size lots\n"
                              "end-volume\n";

    ck_assert_int_eq(build(&f, unknown), -EINVAL);
    ck_assert_msg(strstr(f.err, "test.vol:4:10:") != NULL, "%s", f.err);
    ck_assert_msg(strstr(f.err, "colour") != NULL, "%s", f.err);
    teardown(&f);

    ck_assert_int_eq(build(&f, bad), -EINVAL);
    ck_assert_msg(strstr(f.err, "test.vol:3:10:") != NULL, "%s", f.err);
    ck_assert_msg(strstr(f.err, "lots") != NULL, "%s", f.err);
    teardown(&f);
}
END_TEST

/* Top inits first and succeeds; the leaf fails: the top must be finished
 * again (its private state freed: ASan/valgrind would see a leak). */
START_TEST(failed_init_rolls_back)
{
    fixture_t f;
    static const char vol[] = "volume leaf\n"
                              "  type test/sink\n"
                              "  option fail-init on\n"
                              "end-volume\n"
                              "volume top\n"
                              "  type test/sink\n"
                              "  subvolumes leaf\n"
                              "end-volume\n";

    ck_assert_int_eq(build(&f, vol), 0);
    ck_assert_int_eq(gf_graph_init(f.graph, f.err, sizeof(f.err)), -EIO);
    ck_assert_msg(strstr(f.err, "'leaf'") != NULL, "%s", f.err);
    ck_assert_ptr_null(gf_xlator_private(gf_graph_top(f.graph)));
    ck_assert_int_eq(gf_graph_activate(f.graph), -EINVAL);
    teardown(&f);
}
END_TEST

START_TEST(reconfigure_applies_options_or_asks_for_a_new_graph)
{
    fixture_t f;
    gf_volfile_t *vf2, *vf3;
    gf_volfile_error_t verr;
    static const char other_topology[] = "volume leaf\n"
                                         "  type test/sink\n"
                                         "end-volume\n";
    char *text = strdup(chain_vol);
    sink_priv_t *priv;

    start(&f, chain_vol);
    priv = gf_xlator_private(gf_graph_find(f.graph, "leaf"));
    ck_assert_uint_eq(priv->size, 4096);

    /* Option-only change: reconfigure. */
    memcpy(strstr(text, "4KB"), "8KB", 3);
    ck_assert_int_eq(gf_volfile_parse(text, strlen(text), "b.vol", &vf2, &verr),
                     0);
    ck_assert_int_eq(gf_graph_reconfigure(f.graph, vf2, f.err, sizeof(f.err)),
                     0);
    ck_assert_uint_eq(priv->size, 8192);

    /* Topology change: refused with -EXDEV, nothing changes. */
    ck_assert_int_eq(gf_volfile_parse(other_topology, strlen(other_topology),
                                      "c.vol", &vf3, &verr),
                     0);
    ck_assert_int_eq(gf_graph_reconfigure(f.graph, vf3, f.err, sizeof(f.err)),
                     -EXDEV);
    ck_assert_uint_eq(priv->size, 8192);

    gf_volfile_free(vf3);
    gf_volfile_free(vf2);
    free(text);
    teardown(&f);
}
END_TEST

START_TEST(latency_is_measured_only_when_asked)
{
    fixture_t f;
    reply_t r = {0};
    gf_frame_t *frame;
    gf_loc_t loc = {.path = "/x"};
    gf_xlator_fop_stats_t st;
    gf_xlator_t *top, *leaf;

    start(&f, chain_vol);
    top = gf_graph_top(f.graph);
    leaf = gf_graph_find(f.graph, "leaf");
    frame = gf_frame_new(f.pool, top, NULL);
    gf_frame_set_local(frame, &r, NULL);
    gf_wind_stat(frame, top, stat_cbk, NULL, &loc, NULL);
    ck_assert_int_eq(gf_xlator_fop_stats(leaf, GF_FOP_STAT, &st), 0);
    ck_assert_uint_eq(st.count, 0);

    gf_ctx_set_measure_latency(f.ctx, true);
    gf_wind_stat(frame, top, stat_cbk, NULL, &loc, NULL);
    gf_wind_stat(frame, top, stat_cbk, NULL, &loc, NULL);
    ck_assert_int_eq(gf_xlator_fop_stats(leaf, GF_FOP_STAT, &st), 0);
    ck_assert_uint_eq(st.count, 2);
    ck_assert_uint_ge(st.max_ns * 2, st.total_ns);
    ck_assert_int_eq(gf_xlator_fop_stats(leaf, GF_FOP_NULL, &st), -EINVAL);
    ck_assert_int_eq(r.calls, 3);
    gf_stack_destroy(gf_frame_stack(frame));
    teardown(&f);
}
END_TEST

START_TEST(stacks_carry_identity)
{
    fixture_t f;
    uint32_t groups[40];
    gf_lkowner_t owner = {.len = 3, .data = {1, 2, 3}};
    gf_identity_t id = {.uid = 1000,
                        .gid = 100,
                        .pid = 77,
                        .ngroups = 40,
                        .groups = groups,
                        .lk_owner = &owner,
                        .client = 0x1234567890ull};
    const uint32_t *got;
    gf_frame_t *a, *b;
    unsigned i;

    for (i = 0; i < 40; i++)
        groups[i] = 5000 + i;
    start(&f, chain_vol);
    a = gf_frame_new(f.pool, gf_graph_top(f.graph), &id);
    b = gf_frame_new(f.pool, gf_graph_top(f.graph), NULL);
    ck_assert_uint_eq(gf_call_pool_count(f.pool), 2);
    ck_assert_uint_eq(gf_stack_uid(gf_frame_stack(a)), 1000);
    ck_assert_uint_eq(gf_stack_gid(gf_frame_stack(a)), 100);
    ck_assert_int_eq(gf_stack_pid(gf_frame_stack(a)), 77);
    ck_assert_uint_eq(gf_stack_groups(gf_frame_stack(a), &got), 40);
    ck_assert_uint_eq(got[39], 5039);
    ck_assert_uint_eq(gf_stack_lk_owner(gf_frame_stack(a))->len, 3);
    ck_assert_uint_eq(gf_stack_client(gf_frame_stack(a)), 0x1234567890ull);
    ck_assert_uint_eq(gf_stack_uid(gf_frame_stack(b)), 0);
    ck_assert_uint_eq(gf_stack_client(gf_frame_stack(b)), 0);
    ck_assert_uint_eq(gf_stack_client(NULL), 0);
    ck_assert_uint_ne(gf_stack_unique(gf_frame_stack(a)),
                      gf_stack_unique(gf_frame_stack(b)));
    ck_assert_ptr_null(gf_frame_parent(a));
    gf_stack_destroy(gf_frame_stack(a));
    gf_stack_destroy(gf_frame_stack(b));
    teardown(&f);
}
END_TEST

/*
 * A wind that cannot get a frame answers ENOMEM through the caller's
 * callback at once (it must not hang or drop the fop). Memory is made to
 * run out for real: the address space is capped, malloc is exhausted, and
 * the per-thread cache of the frames' size class is emptied.
 */
START_TEST(a_wind_without_memory_answers_enomem)
{
#if defined(GF_DISABLE_MEMPOOL) || defined(__SANITIZE_ADDRESS__)
    /* Sanitizer allocators abort instead of returning NULL. */
    return;
#else
    fixture_t f;
    reply_t r = {0};
    gf_frame_t *frame;
    gf_loc_t loc = {.path = "/x"};
    gf_mem_pool_t *drain;
    struct rlimit rl;
    unsigned long vm_pages;
    FILE *statm;
    void *hog = NULL, *p;

    start(&f, chain_vol);
    frame = gf_frame_new(f.pool, gf_graph_top(f.graph), NULL);
    gf_frame_set_local(frame, &r, NULL);
    /* A pool of the frames' size class (128 B with its header). */
    drain = gf_mem_pool_new("drain", 64, 0);
    ck_assert_ptr_nonnull(drain);

    statm = fopen("/proc/self/statm", "r");
    ck_assert_ptr_nonnull(statm);
    ck_assert_int_eq(fscanf(statm, "%lu", &vm_pages), 1);
    fclose(statm);
    rl.rlim_cur = rl.rlim_max =
        vm_pages * (unsigned long)sysconf(_SC_PAGESIZE) + (16ul << 20);
    ck_assert_int_eq(setrlimit(RLIMIT_AS, &rl), 0);
    while ((p = malloc(4096))) { /* exhaust malloc, keep the chain */
        *(void **)p = hog;
        hog = p;
    }
    while ((p = malloc(64))) {
        *(void **)p = hog;
        hog = p;
    }
    while (gf_mem_get(drain)) /* empty the class's lists */
        ;

    ck_assert_int_eq(
        gf_wind_stat(frame, gf_graph_top(f.graph), stat_cbk, NULL, &loc, NULL),
        -ENOMEM);
    ck_assert_int_eq(r.calls, 1);
    ck_assert_int_eq(r.op_ret, -1);
    ck_assert_int_eq(r.op_errno, ENOMEM);
    ck_assert_ptr_eq(r.self, gf_graph_top(f.graph));
    /* The process is out of memory by design; it exits here (forked). */
#endif
}
END_TEST

/* Inode and fd contexts die through their translator's cbks: each
 * translator owns the slot of its graph index. */
START_TEST(dead_contexts_reach_their_translators_cbks)
{
    fixture_t f;
    gf_xlator_t *leaf, *top;
    gf_inode_table_t *table;
    gf_inode_t *a, *b;
    gf_fd_t *fd;
    sink_priv_t *priv;

    start(&f, chain_vol);
    leaf = gf_graph_find(f.graph, "leaf");
    top = gf_graph_top(f.graph);
    priv = gf_xlator_private(leaf);
    ck_assert_uint_eq(gf_xlator_ctx_slot(leaf), 0);
    ck_assert_uint_eq(gf_xlator_ctx_slot(top), 2);
    table = gf_xlator_inode_table_new(top, 0);
    ck_assert_ptr_nonnull(table);

    a = gf_inode_new(table);
    ck_assert_int_eq(gf_inode_ctx_set(a, gf_xlator_ctx_slot(leaf), 7), 0);
    b = gf_inode_new(table);
    ck_assert_int_eq(gf_inode_ctx_set(b, gf_xlator_ctx_slot(top), 9), 0);
    gf_inode_unref(a);
    ck_assert_int_eq(priv->forgets, 1);
    gf_inode_unref(b); /* test/pass has no cbks: nothing to call */
    ck_assert_int_eq(priv->forgets, 1);

    a = gf_inode_new(table);
    fd = gf_fd_new(a, 0, 0);
    ck_assert_ptr_nonnull(fd);
    ck_assert_int_eq(gf_fd_ctx_set(fd, gf_xlator_ctx_slot(leaf), 1), 0);
    gf_fd_unref(fd);
    ck_assert_int_eq(priv->releases, 1);
    gf_inode_unref(a);
    gf_inode_table_free(table);
    teardown(&f);
}
END_TEST

/* Two sinks under two parents under one top: each translator below the
 * top hears of a gone client once; one beside it does not. */
static const char diamond_vol[] = "volume s1\n    type test/sink\nend-volume\n"
                                  "volume s2\n    type test/sink\nend-volume\n"
                                  "volume p1\n    type test/pass\n"
                                  "    subvolumes s1 s2\nend-volume\n"
                                  "volume p2\n    type test/pass\n"
                                  "    subvolumes s1\nend-volume\n"
                                  "volume top\n    type test/pass\n"
                                  "    subvolumes p1 p2\nend-volume\n";

START_TEST(client_disconnect_reaches_each_translator_once)
{
    fixture_t f;
    sink_priv_t *s1, *s2;

    start(&f, diamond_vol);
    s1 = gf_xlator_private(gf_graph_find(f.graph, "s1"));
    s2 = gf_xlator_private(gf_graph_find(f.graph, "s2"));
    ck_assert_int_eq(gf_xlator_client_disconnect(gf_graph_top(f.graph), 42), 0);
    ck_assert_int_eq(s1->disconnects, 1);
    ck_assert_uint_eq(s1->last_client, 42);
    ck_assert_int_eq(s2->disconnects, 1);
    /* From p2 down: s1 only. */
    ck_assert_int_eq(
        gf_xlator_client_disconnect(gf_graph_find(f.graph, "p2"), 7), 0);
    ck_assert_int_eq(s1->disconnects, 2);
    ck_assert_uint_eq(s1->last_client, 7);
    ck_assert_int_eq(s2->disconnects, 1);
    /* Client 0 is "local": not a connection. */
    ck_assert_int_eq(gf_xlator_client_disconnect(gf_graph_top(f.graph), 0),
                     -EINVAL);
    ck_assert_int_eq(gf_xlator_client_disconnect(NULL, 1), -EINVAL);
    ck_assert_int_eq(s1->disconnects, 2);
    teardown(&f);
}
END_TEST

/* Unwinding a stack's top frame (it has no parent to answer) is a
 * programmer error: it must abort, not call into garbage. */
START_TEST(unwinding_the_top_frame_aborts)
{
    fixture_t f;
    gf_frame_t *frame;

    start(&f, chain_vol);
    frame = gf_frame_new(f.pool, gf_graph_top(f.graph), NULL);
    gf_unwind_flush(frame, 0, 0, NULL);
}
END_TEST

int
main(void)
{
    Suite *s = suite_create("graph");
    TCase *tc = tcase_create("core");

    tcase_set_timeout(tc, 20);
    tcase_add_test(tc, stat_travels_down_and_back_through_defaults);
    tcase_add_test(tc, errors_travel_back_unchanged);
    tcase_add_test(tc, a_leaf_without_the_fop_answers_enotconn);
    tcase_add_test(tc, graph_links_and_events);
    tcase_add_test(tc, child_up_travels_up_to_the_top);
    tcase_add_test(tc, a_plain_leaf_reports_child_up);
    tcase_add_test(tc, xlator_option_overrides_reach_the_translator);
    tcase_add_test(tc, unknown_type_is_refused_with_its_position);
    tcase_add_test(tc, abi_mismatch_is_refused);
    tcase_add_test(tc, bad_options_are_refused_with_their_position);
    tcase_add_test(tc, failed_init_rolls_back);
    tcase_add_test(tc, reconfigure_applies_options_or_asks_for_a_new_graph);
    tcase_add_test(tc, latency_is_measured_only_when_asked);
    tcase_add_test(tc, stacks_carry_identity);
    tcase_add_test(tc, client_disconnect_reaches_each_translator_once);
    tcase_add_test(tc, dead_contexts_reach_their_translators_cbks);
    /* It exhausts the process's memory: only in a forked child, and not
     * under valgrind, whose own allocator would run out first. */
    if ((!getenv("CK_FORK") || strcmp(getenv("CK_FORK"), "no") != 0) &&
        !RUNNING_ON_VALGRIND)
        tcase_add_test(tc, a_wind_without_memory_answers_enomem);
    tcase_add_test_raise_signal(tc, unwinding_the_top_frame_aborts, SIGABRT);
    suite_add_tcase(s, tc);
    return gf_test_run(s);
}
