/* SPDX-License-Identifier: LGPL-3.0-or-later */
/*
 * check-stub.c - call stubs (park, resume, fail) and syncops, through
 * real plugins: test/park parks STATs, test/sink answers them.
 */
#include <errno.h>
#include <pthread.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <gf/graph.h>
#include <gf/stub.h>
#include <gf/sync.h>
#include <gf/syncop.h>
#include <gf/xlator.h>

#include "gf-test.h"

/* Private state of test/park (tests/xlators/park.c). */
#define PARK_MAX 64
typedef struct park_priv {
    pthread_mutex_t lock;
    gf_stub_t *stubs[PARK_MAX];
    int count;
} park_priv_t;

static const char park_vol[] = "volume leaf\n"
                               "  type test/sink\n"
                               "  option size 1MB\n"
                               "end-volume\n"
                               "volume park\n"
                               "  type test/park\n"
                               "  subvolumes leaf\n"
                               "end-volume\n";

typedef struct env {
    gf_ctx_t *ctx;
    gf_volfile_t *vf;
    gf_graph_t *graph;
    gf_call_pool_t *pool;
    gf_syncop_t sc;
} env_t;

static void
env_start(env_t *e, const char *text)
{
    gf_volfile_error_t verr;
    char err[512];

    e->ctx = gf_ctx_new();
    ck_assert_int_eq(
        gf_volfile_parse(text, strlen(text), "t.vol", &e->vf, &verr), 0);
    ck_assert_msg(gf_graph_new(e->ctx, e->vf, &e->graph, err, sizeof(err)) == 0,
                  "%s", err);
    ck_assert_int_eq(gf_graph_init(e->graph, err, sizeof(err)), 0);
    ck_assert_int_eq(gf_graph_activate(e->graph), 0);
    e->pool = gf_call_pool_new(e->ctx);
    e->sc.pool = e->pool;
    e->sc.subvol = gf_graph_top(e->graph);
    e->sc.id = NULL;
}

static void
env_stop(env_t *e)
{
    ck_assert_uint_eq(gf_call_pool_count(e->pool), 0);
    gf_call_pool_free(e->pool);
    gf_graph_free(e->graph);
    gf_volfile_free(e->vf);
    gf_ctx_free(e->ctx);
}

static park_priv_t *
parked(env_t *e)
{
    return gf_xlator_private(gf_graph_find(e->graph, "park"));
}

typedef struct reply {
    int calls;
    int32_t op_ret;
    int32_t op_errno;
    uint64_t size;
} reply_t;

static int
stat_cbk(gf_frame_t *frame, void *cookie, gf_xlator_t *self, int32_t op_ret,
         int32_t op_errno, gf_iatt_t *buf, gf_dict_t *xdata)
{
    reply_t *r = cookie;

    r->calls++;
    r->op_ret = op_ret;
    r->op_errno = op_errno;
    r->size = buf ? buf->size : 0;
    return 0;
}

START_TEST(a_parked_fop_waits_until_resumed)
{
    env_t e;
    reply_t r = {0};
    gf_loc_t loc = {.path = "/f"};
    gf_frame_t *frame;
    gf_stub_t *stub;

    env_start(&e, park_vol);
    frame = gf_frame_new(e.pool, gf_graph_top(e.graph), NULL);
    gf_wind_stat(frame, gf_graph_top(e.graph), stat_cbk, &r, &loc, NULL);
    ck_assert_int_eq(r.calls, 0);
    ck_assert_int_eq(parked(&e)->count, 1);
    stub = parked(&e)->stubs[0];
    ck_assert_int_eq(gf_stub_fop(stub), GF_FOP_STAT);
    ck_assert_ptr_eq(gf_xlator_parent(gf_graph_find(e.graph, "leaf"), 0),
                     gf_frame_xlator(gf_stub_frame(stub)));

    gf_stub_resume(stub);
    ck_assert_int_eq(r.calls, 1);
    ck_assert_int_eq(r.op_ret, 0);
    ck_assert_uint_eq(r.size, 1u << 20);
    gf_stack_destroy(gf_frame_stack(frame));
    env_stop(&e);
}
END_TEST

START_TEST(a_parked_fop_can_be_failed)
{
    env_t e;
    reply_t r = {0};
    gf_loc_t loc = {.path = "/f"};
    gf_frame_t *frame;

    env_start(&e, park_vol);
    frame = gf_frame_new(e.pool, gf_graph_top(e.graph), NULL);
    gf_wind_stat(frame, gf_graph_top(e.graph), stat_cbk, &r, &loc, NULL);
    gf_stub_fail(parked(&e)->stubs[0], ETIMEDOUT);
    ck_assert_int_eq(r.calls, 1);
    ck_assert_int_eq(r.op_ret, -1);
    ck_assert_int_eq(r.op_errno, ETIMEDOUT);
    gf_stack_destroy(gf_frame_stack(frame));
    env_stop(&e);
}
END_TEST

START_TEST(syncop_returns_copied_results)
{
    env_t e;
    gf_syncop_stat_out_t out;
    gf_loc_t loc = {.path = "/f"};
    static const char vol[] = "volume leaf\n  type test/sink\n"
                              "  option size 12345\nend-volume\n";

    env_start(&e, vol);
    ck_assert_int_eq(gf_syncop_stat(&e.sc, &out, &loc, NULL), 0);
    ck_assert_ptr_nonnull(out.buf);
    ck_assert_uint_eq(out.buf->size, 12345);
    gf_syncop_stat_out_wipe(&out);
    ck_assert_ptr_null(out.buf);

    /* Errors come back as -errno; OUT may be NULL. */
    ck_assert_int_eq(gf_syncop_access(&e.sc, NULL, &loc, 0777, NULL), -EACCES);
    ck_assert_int_eq(gf_syncop_unlink(&e.sc, NULL, &loc, 0, NULL), -ENOTCONN);
    ck_assert_int_eq(gf_syncop_stat(NULL, NULL, &loc, NULL), -EINVAL);
    env_stop(&e);
}
END_TEST

static void *
resume_later(void *arg)
{
    env_t *e = arg;
    park_priv_t *priv = parked(e);
    int i;

    for (i = 0; i < 2000; i++) {
        int n;

        pthread_mutex_lock(&priv->lock);
        n = priv->count;
        pthread_mutex_unlock(&priv->lock);
        if (n)
            break;
        usleep(1000);
    }
    usleep(20000); /* the syncop really has to wait */
    gf_stub_resume(priv->stubs[0]);
    return NULL;
}

START_TEST(syncop_waits_for_a_reply_from_another_thread)
{
    env_t e;
    pthread_t t;
    gf_syncop_stat_out_t out;
    gf_loc_t loc = {.path = "/f"};

    env_start(&e, park_vol);
    ck_assert_int_eq(pthread_create(&t, NULL, resume_later, &e), 0);
    ck_assert_int_eq(gf_syncop_stat(&e.sc, &out, &loc, NULL), 0);
    ck_assert_uint_eq(out.buf->size, 1u << 20);
    gf_syncop_stat_out_wipe(&out);
    pthread_join(t, NULL);
    env_stop(&e);
}
END_TEST

static int
stat_in_task(void *opaque)
{
    env_t *e = opaque;
    gf_syncop_stat_out_t out;
    gf_loc_t loc = {.path = "/f"};
    int ret = gf_syncop_stat(&e->sc, &out, &loc, NULL);

    if (ret == 0)
        ret = out.buf && out.buf->size == 777 ? 0 : -EPROTO;
    gf_syncop_stat_out_wipe(&out);
    return ret;
}

START_TEST(syncop_runs_inside_a_synctask)
{
    env_t e;
    gf_syncenv_t *env;
    static const char vol[] = "volume leaf\n  type test/sink\n"
                              "  option size 777\nend-volume\n";

    env_start(&e, vol);
    env = gf_syncenv_new(NULL);
    ck_assert_ptr_nonnull(env);
    ck_assert_int_eq(gf_synctask_run(env, stat_in_task, &e), 0);
    gf_syncenv_free(env);
    env_stop(&e);
}
END_TEST

int
main(void)
{
    Suite *s = suite_create("stub");
    TCase *tc = tcase_create("core");

    tcase_set_timeout(tc, 20);
    tcase_add_test(tc, a_parked_fop_waits_until_resumed);
    tcase_add_test(tc, a_parked_fop_can_be_failed);
    tcase_add_test(tc, syncop_returns_copied_results);
    tcase_add_test(tc, syncop_waits_for_a_reply_from_another_thread);
    tcase_add_test(tc, syncop_runs_inside_a_synctask);
    suite_add_tcase(s, tc);
    return gf_test_run(s);
}
