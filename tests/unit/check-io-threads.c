/* SPDX-License-Identifier: LGPL-3.0-or-later */
/*
 * check-io-threads.c - performance/io-threads through the real loader:
 * fops are answered, run on worker threads, by priority and fairly, never
 * on more than thread-count workers; thread-count reconfigures, idle
 * workers exit, fini fails what is queued, and the statedump shows it.
 * test/tid (tests/xlators/tid.c) records threads and order below it and
 * can hold fops inside itself to keep workers busy.
 */
#include <errno.h>
#include <pthread.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <gf/graph.h>
#include <gf/syncop.h>
#include <gf/volfile.h>
#include <gf/xlator.h>

#include "gf-test.h"

/* Private state of test/tid (tests/xlators/tid.c). */
#define TID_LOG_MAX 512
typedef struct tid_priv {
    pthread_mutex_t lock;
    pthread_cond_t cond;
    bool hold;
    int running;
    int max_running;
    int calls;
    pthread_t last_tid;
    gf_fop_t fops[TID_LOG_MAX];
    const char *paths[TID_LOG_MAX];
} tid_priv_t;

/* The fairness bound of io-threads.c (IOT_FAIR_PICKS). */
#define FAIR_PICKS 8

typedef struct env {
    gf_ctx_t *ctx;
    gf_volfile_t *vf;
    gf_volfile_t *vf2; /* of a reconfigure, freed at the end */
    gf_graph_t *graph;
    gf_call_pool_t *pool;
    gf_syncop_t sc;
} env_t;

static char *
tid_vol(char *buf, size_t len, const char *options)
{
    snprintf(buf, len,
             "volume leaf\n  type test/tid\nend-volume\n"
             "volume iot\n  type performance/io-threads\n%s"
             "  subvolumes leaf\nend-volume\n",
             options);
    return buf;
}

static void
env_start(env_t *e, const char *text)
{
    gf_volfile_error_t verr;
    char err[512];

    memset(e, 0, sizeof(*e));
    e->ctx = gf_ctx_new();
    ck_assert_int_eq(
        gf_volfile_parse(text, strlen(text), "t.vol", &e->vf, &verr), 0);
    ck_assert_msg(gf_graph_new(e->ctx, e->vf, &e->graph, err, sizeof(err)) == 0,
                  "%s", err);
    ck_assert_msg(gf_graph_init(e->graph, err, sizeof(err)) == 0, "%s", err);
    ck_assert_int_eq(gf_graph_activate(e->graph), 0);
    e->pool = gf_call_pool_new(e->ctx);
    e->sc.pool = e->pool;
    e->sc.subvol = gf_graph_top(e->graph);
    e->sc.id = NULL;
}

static void
env_stop(env_t *e)
{
    if (e->graph)
        gf_graph_free(e->graph);
    ck_assert_uint_eq(gf_call_pool_count(e->pool), 0);
    gf_call_pool_free(e->pool);
    gf_volfile_free(e->vf);
    gf_volfile_free(e->vf2);
    gf_ctx_free(e->ctx);
}

static void
env_reconfigure(env_t *e, const char *text)
{
    gf_volfile_error_t verr;
    char err[512];

    gf_volfile_free(e->vf2);
    ck_assert_int_eq(
        gf_volfile_parse(text, strlen(text), "t2.vol", &e->vf2, &verr), 0);
    ck_assert_msg(gf_graph_reconfigure(e->graph, e->vf2, err, sizeof(err)) == 0,
                  "%s", err);
}

static tid_priv_t *
tid(env_t *e)
{
    return gf_xlator_private(gf_graph_find(e->graph, "leaf"));
}

static void
tid_hold(env_t *e, bool hold)
{
    tid_priv_t *t = tid(e);

    pthread_mutex_lock(&t->lock);
    t->hold = hold;
    if (hold)
        t->max_running = 0;
    pthread_cond_broadcast(&t->cond);
    pthread_mutex_unlock(&t->lock);
}

/* Wait (at most 5 s) until RUNNING fops are inside test/tid. */
static void
tid_wait_running(env_t *e, int running)
{
    tid_priv_t *t = tid(e);
    int i;

    for (i = 0; i < 5000; i++) {
        int n;

        pthread_mutex_lock(&t->lock);
        n = t->running;
        pthread_mutex_unlock(&t->lock);
        if (n >= running)
            break;
        usleep(1000);
    }
    pthread_mutex_lock(&t->lock);
    ck_assert_int_eq(t->running, running);
    pthread_mutex_unlock(&t->lock);
}

/* ---- asynchronous requests ----------------------------------------------- */

typedef struct replies {
    pthread_mutex_t lock;
    pthread_cond_t cond;
    int n;
    bool gate; /* while set, BLOCKER waits in its callback */
    void *blocker;
} replies_t;

typedef struct req {
    replies_t *all;
    gf_frame_t *frame;
    gf_loc_t loc;
    bool done;
    int32_t op_ret;
    int32_t op_errno;
} req_t;

static void
replied(req_t *r, int32_t op_ret, int32_t op_errno)
{
    replies_t *all = r->all;

    pthread_mutex_lock(&all->lock);
    r->done = true;
    r->op_ret = op_ret;
    r->op_errno = op_errno;
    all->n++;
    pthread_cond_broadcast(&all->cond);
    while (r == all->blocker && all->gate)
        pthread_cond_wait(&all->cond, &all->lock);
    pthread_mutex_unlock(&all->lock);
}

static int
stat_cbk(gf_frame_t *frame, void *cookie, gf_xlator_t *self, int32_t op_ret,
         int32_t op_errno, gf_iatt_t *buf, gf_dict_t *xdata)
{
    replied(cookie, op_ret, op_errno);
    return 0;
}

static int
truncate_cbk(gf_frame_t *frame, void *cookie, gf_xlator_t *self, int32_t op_ret,
             int32_t op_errno, gf_iatt_t *pre, gf_iatt_t *post,
             gf_dict_t *xdata)
{
    replied(cookie, op_ret, op_errno);
    return 0;
}

static void
send_fop(env_t *e, replies_t *all, req_t *r, gf_fop_t fop, const char *path,
         int32_t pid)
{
    gf_identity_t id = {.pid = pid};
    gf_xlator_t *top = gf_graph_top(e->graph);

    memset(r, 0, sizeof(*r));
    r->all = all;
    r->loc.path = path;
    r->frame = gf_frame_new(e->pool, top, &id);
    ck_assert_ptr_nonnull(r->frame);
    if (fop == GF_FOP_STAT)
        gf_wind_stat(r->frame, top, stat_cbk, r, &r->loc, NULL);
    else
        gf_wind_truncate(r->frame, top, truncate_cbk, r, &r->loc, 7, NULL);
}

/* Wait (at most 5 s) until N replies came. */
static void
wait_count(replies_t *all, int n)
{
    int i;

    pthread_mutex_lock(&all->lock);
    for (i = 0; i < 5000 && all->n < n; i++) {
        pthread_mutex_unlock(&all->lock);
        usleep(1000);
        pthread_mutex_lock(&all->lock);
    }
    ck_assert_int_eq(all->n, n);
    pthread_mutex_unlock(&all->lock);
}

/* Wait until N replies came, then free their stacks. */
static void
wait_replies(replies_t *all, req_t *reqs, int n)
{
    int i;

    wait_count(all, n);
    for (i = 0; i < n; i++)
        gf_stack_destroy(gf_frame_stack(reqs[i].frame));
}

static void
replies_init(replies_t *all)
{
    memset(all, 0, sizeof(*all));
    pthread_mutex_init(&all->lock, NULL);
    pthread_cond_init(&all->cond, NULL);
}

static void
replies_fini(replies_t *all)
{
    pthread_cond_destroy(&all->cond);
    pthread_mutex_destroy(&all->lock);
}

/* ---- statedump ----------------------------------------------------------- */

/* The value of KEY in io-threads' statedump section, or -1. */
static long
dump_value(env_t *e, const char *key)
{
    char *buf = NULL, *sec, *p;
    size_t len = 0;
    char needle[64];
    long v = -1;
    FILE *f = open_memstream(&buf, &len);

    ck_assert_ptr_nonnull(f);
    ck_assert_int_eq(gf_graph_dump(e->graph, f), 0);
    fclose(f);
    sec = strstr(buf, "[xlator.iot]");
    ck_assert_ptr_nonnull(sec);
    snprintf(needle, sizeof(needle), "\n%s=", key);
    p = strstr(sec, needle);
    if (p)
        v = strtol(p + strlen(needle), NULL, 10);
    free(buf);
    return v;
}

/* Wait (at most 5 s) until the dump shows KEY=VALUE. */
static long
dump_wait(env_t *e, const char *key, long value)
{
    long v = -1;
    int i;

    for (i = 0; i < 500; i++) {
        v = dump_value(e, key);
        if (v == value)
            break;
        usleep(10000);
    }
    return v;
}

/* ---- tests --------------------------------------------------------------- */

START_TEST(fops_are_answered_through_the_workers)
{
    env_t e;
    gf_syncop_stat_out_t out;
    gf_loc_t loc = {.path = "/f"};
    static const char vol[] = "volume leaf\n  type test/sink\n"
                              "  option size 4KB\nend-volume\n"
                              "volume iot\n  type performance/io-threads\n"
                              "  subvolumes leaf\nend-volume\n";

    env_start(&e, vol);
    ck_assert_int_eq(gf_syncop_stat(&e.sc, &out, &loc, NULL), 0);
    ck_assert_ptr_nonnull(out.buf);
    ck_assert_uint_eq(out.buf->size, 4096);
    gf_syncop_stat_out_wipe(&out);
    /* Errors of the child come back unchanged. */
    ck_assert_int_eq(gf_syncop_access(&e.sc, NULL, &loc, 0777, NULL), -EACCES);
    ck_assert_int_eq(gf_syncop_unlink(&e.sc, NULL, &loc, 0, NULL), -ENOTCONN);
    ck_assert_int_eq(dump_value(&e, "high.processed"), 2);
    ck_assert_int_eq(dump_value(&e, "normal.processed"), 1);
    ck_assert_int_eq(dump_value(&e, "thread_count"), 16);
    /* One at a time needs one worker; a request that arrives while the
     * previous worker is still returning from its reply may start another
     * (seen under ASan), but never more than one per request: 3 here. */
    ck_assert_int_ge(dump_value(&e, "threads"), 1);
    ck_assert_int_le(dump_value(&e, "threads"), 3);
    ck_assert_int_eq(dump_wait(&e, "busy_threads", 0), 0);
    env_stop(&e);
}
END_TEST

START_TEST(the_child_runs_on_a_worker_thread)
{
    env_t e;
    char vol[512];
    gf_syncop_stat_out_t out;
    gf_loc_t loc = {.path = "/f"};
    tid_priv_t *t;

    env_start(&e, tid_vol(vol, sizeof(vol), ""));
    t = tid(&e);
    ck_assert_int_eq(gf_syncop_stat(&e.sc, &out, &loc, NULL), 0);
    gf_syncop_stat_out_wipe(&out);
    pthread_mutex_lock(&t->lock);
    ck_assert_int_eq(t->calls, 1);
    ck_assert(!pthread_equal(t->last_tid, pthread_self()));
    pthread_mutex_unlock(&t->lock);
    ck_assert_int_eq(gf_syncop_truncate(&e.sc, NULL, &loc, 10, NULL), 0);
    pthread_mutex_lock(&t->lock);
    ck_assert_int_eq(t->calls, 2);
    ck_assert(!pthread_equal(t->last_tid, pthread_self()));
    pthread_mutex_unlock(&t->lock);
    ck_assert_int_eq(dump_value(&e, "low.processed"), 1);
    env_stop(&e);
}
END_TEST

START_TEST(higher_priority_runs_first)
{
    env_t e;
    char vol[512];
    replies_t all;
    req_t r[4];
    tid_priv_t *t;

    replies_init(&all);
    env_start(&e, tid_vol(vol, sizeof(vol), "  option thread-count 1\n"));
    t = tid(&e);
    tid_hold(&e, true);
    send_fop(&e, &all, &r[0], GF_FOP_STAT, "/busy", 0);
    tid_wait_running(&e, 1);
    /* Internal (negative pid) STAT is LEAST, TRUNCATE LOW, STAT HIGH. */
    send_fop(&e, &all, &r[1], GF_FOP_STAT, "/least", -1);
    send_fop(&e, &all, &r[2], GF_FOP_TRUNCATE, "/low", 0);
    send_fop(&e, &all, &r[3], GF_FOP_STAT, "/high", 0);
    ck_assert_int_eq(dump_value(&e, "high.queued"), 1);
    ck_assert_int_eq(dump_value(&e, "low.queued"), 1);
    ck_assert_int_eq(dump_value(&e, "least.queued"), 1);
    tid_hold(&e, false);
    wait_replies(&all, r, 4);
    ck_assert_int_eq(t->calls, 4);
    ck_assert_str_eq(t->paths[0], "/busy");
    ck_assert_str_eq(t->paths[1], "/high");
    ck_assert_str_eq(t->paths[2], "/low");
    ck_assert_str_eq(t->paths[3], "/least");
    ck_assert_int_eq(t->fops[2], GF_FOP_TRUNCATE);
    ck_assert_int_eq(r[3].op_ret, 0);
    ck_assert_int_eq(dump_value(&e, "least.processed"), 1);
    env_stop(&e);
    replies_fini(&all);
}
END_TEST

START_TEST(low_priority_is_not_starved)
{
    env_t e;
    char vol[512];
    replies_t all;
    req_t r[22];
    tid_priv_t *t;
    int i;

    replies_init(&all);
    env_start(&e, tid_vol(vol, sizeof(vol), "  option thread-count 1\n"));
    t = tid(&e);
    tid_hold(&e, true);
    send_fop(&e, &all, &r[0], GF_FOP_STAT, "/busy", 0);
    tid_wait_running(&e, 1);
    send_fop(&e, &all, &r[1], GF_FOP_TRUNCATE, "/low", 0);
    for (i = 2; i < 22; i++)
        send_fop(&e, &all, &r[i], GF_FOP_STAT, "/high", 0);
    tid_hold(&e, false);
    wait_replies(&all, r, 22);
    /* Passed over FAIR_PICKS times, LOW goes next. */
    for (i = 1; i <= FAIR_PICKS; i++)
        ck_assert_str_eq(t->paths[i], "/high");
    ck_assert_str_eq(t->paths[FAIR_PICKS + 1], "/low");
    env_stop(&e);
    replies_fini(&all);
}
END_TEST

/* Send N held STATs and check that exactly MAX run at once. */
static void
check_concurrency(env_t *e, int n, int max)
{
    replies_t all;
    req_t r[16];
    int i;

    ck_assert_int_le(n, 16);
    replies_init(&all);
    tid_hold(e, true);
    for (i = 0; i < n; i++)
        send_fop(e, &all, &r[i], GF_FOP_STAT, "/slow", 0);
    tid_wait_running(e, max);
    usleep(50000); /* no more would start */
    tid_wait_running(e, max);
    ck_assert_int_eq(dump_value(e, "threads"), max);
    ck_assert_int_eq(dump_value(e, "high.queued"), n - max);
    tid_hold(e, false);
    wait_replies(&all, r, n);
    ck_assert_int_eq(tid(e)->max_running, max);
    /* Workers may still be returning from the callbacks into ALL. */
    ck_assert_int_eq(dump_wait(e, "busy_threads", 0), 0);
    replies_fini(&all);
}

START_TEST(thread_count_is_honoured)
{
    env_t e;
    char vol[512];

    env_start(&e, tid_vol(vol, sizeof(vol), "  option thread-count 3\n"));
    check_concurrency(&e, 10, 3);
    ck_assert_int_eq(dump_value(&e, "high.processed"), 10);
    env_stop(&e);
}
END_TEST

START_TEST(thread_count_reconfigures)
{
    env_t e;
    char vol[512];

    env_start(&e, tid_vol(vol, sizeof(vol), "  option thread-count 1\n"));
    check_concurrency(&e, 4, 1);
    env_reconfigure(&e, tid_vol(vol, sizeof(vol), "  option thread-count 4\n"));
    ck_assert_int_eq(dump_value(&e, "thread_count"), 4);
    check_concurrency(&e, 8, 4);
    /* Fewer: the surplus workers exit. */
    env_reconfigure(&e, tid_vol(vol, sizeof(vol), "  option thread-count 2\n"));
    ck_assert_int_eq(dump_wait(&e, "threads", 2), 2);
    check_concurrency(&e, 8, 2);
    env_stop(&e);
}
END_TEST

START_TEST(raising_thread_count_serves_the_backlog)
{
    env_t e;
    char vol[512];
    replies_t all;
    req_t r[4];
    int i;

    replies_init(&all);
    env_start(&e, tid_vol(vol, sizeof(vol), "  option thread-count 1\n"));
    tid_hold(&e, true);
    for (i = 0; i < 4; i++)
        send_fop(&e, &all, &r[i], GF_FOP_STAT, "/slow", 0);
    tid_wait_running(&e, 1);
    ck_assert_int_eq(dump_value(&e, "high.queued"), 3);
    /* New workers start at once for the fops already queued. */
    env_reconfigure(&e, tid_vol(vol, sizeof(vol), "  option thread-count 4\n"));
    tid_wait_running(&e, 4);
    ck_assert_int_eq(dump_value(&e, "threads"), 4);
    tid_hold(&e, false);
    wait_replies(&all, r, 4);
    env_stop(&e);
    replies_fini(&all);
}
END_TEST

START_TEST(a_long_queue_stays_in_order)
{
    enum { N = 300 };
    env_t e;
    char vol[512];
    replies_t all;
    static req_t r[N];
    static char paths[N][16];
    tid_priv_t *t;
    int i;

    replies_init(&all);
    env_start(&e, tid_vol(vol, sizeof(vol), "  option thread-count 1\n"));
    t = tid(&e);
    tid_hold(&e, true);
    /* Several hundred queued: the ring grows and wraps, FIFO kept. */
    for (i = 0; i < N; i++) {
        snprintf(paths[i], sizeof(paths[i]), "/%d", i);
        send_fop(&e, &all, &r[i], GF_FOP_STAT, paths[i], 0);
        if (i == 0)
            tid_wait_running(&e, 1);
    }
    ck_assert_int_eq(dump_value(&e, "high.queued"), N - 1);
    tid_hold(&e, false);
    wait_replies(&all, r, N);
    for (i = 0; i < N; i++) {
        ck_assert_int_eq(r[i].op_ret, 0);
        ck_assert_str_eq(t->paths[i], paths[i]);
    }
    env_stop(&e);
    replies_fini(&all);
}
END_TEST

START_TEST(idle_workers_exit)
{
    env_t e;
    char vol[512];
    gf_loc_t loc = {.path = "/f"};

    env_start(&e, tid_vol(vol, sizeof(vol),
                          "  option thread-count 4\n"
                          "  option idle-time 100ms\n"));
    check_concurrency(&e, 4, 4);
    /* All idle now: all but one exit; the last stays. */
    ck_assert_int_eq(dump_wait(&e, "threads", 1), 1);
    usleep(300000);
    ck_assert_int_eq(dump_value(&e, "threads"), 1);
    ck_assert_int_eq(gf_syncop_stat(&e.sc, NULL, &loc, NULL), 0);
    /* Exited slots are reused when work comes again. */
    check_concurrency(&e, 4, 4);
    env_stop(&e);
}
END_TEST

static void *
free_graph(void *arg)
{
    env_t *e = arg;

    gf_graph_free(e->graph);
    return NULL;
}

START_TEST(fini_fails_queued_fops)
{
    env_t e;
    replies_t all;
    req_t r[4];
    pthread_t t;
    int i;
    static const char vol[] = "volume leaf\n  type test/sink\nend-volume\n"
                              "volume iot\n  type performance/io-threads\n"
                              "  option thread-count 1\n"
                              "  subvolumes leaf\nend-volume\n";

    replies_init(&all);
    env_start(&e, vol);
    /* The one worker stays in the first reply's callback until the gate
     * opens, so the next three fops stay queued. */
    all.gate = true;
    all.blocker = &r[0];
    send_fop(&e, &all, &r[0], GF_FOP_STAT, "/busy", 0);
    wait_count(&all, 1);
    for (i = 1; i < 4; i++)
        send_fop(&e, &all, &r[i], GF_FOP_STAT, "/queued", 0);
    ck_assert_int_eq(pthread_create(&t, NULL, free_graph, &e), 0);
    /* fini answers the queued fops at once, then waits for the worker. */
    wait_count(&all, 4);
    pthread_mutex_lock(&all.lock);
    all.gate = false;
    pthread_cond_broadcast(&all.cond);
    pthread_mutex_unlock(&all.lock);
    pthread_join(t, NULL);
    e.graph = NULL;
    wait_replies(&all, r, 4);
    ck_assert_int_eq(r[0].op_ret, 0);
    for (i = 1; i < 4; i++) {
        ck_assert_int_eq(r[i].op_ret, -1);
        ck_assert_int_eq(r[i].op_errno, ENOTCONN);
    }
    env_stop(&e);
    replies_fini(&all);
}
END_TEST

/* Stat /f through the graph; whether it ran on the calling thread. */
static bool
stat_inline(env_t *e)
{
    gf_syncop_stat_out_t out;
    gf_loc_t loc = {.path = "/f"};
    tid_priv_t *t = tid(e);
    bool here;

    ck_assert_int_eq(gf_syncop_stat(&e->sc, &out, &loc, NULL), 0);
    gf_syncop_stat_out_wipe(&out);
    pthread_mutex_lock(&t->lock);
    here = pthread_equal(t->last_tid, pthread_self());
    pthread_mutex_unlock(&t->lock);
    return here;
}

START_TEST(a_synchronous_client_needs_one_worker)
{
    env_t e;
    char vol[512];
    int i;

    /* Each request arrives after the previous reply, typically before its
     * worker returned: that worker takes it, no other one starts. */
    env_start(&e, tid_vol(vol, sizeof(vol), ""));
    for (i = 0; i < 200; i++)
        ck_assert(!stat_inline(&e));
    ck_assert_int_eq(dump_value(&e, "threads"), 1);
    ck_assert_int_eq(dump_value(&e, "high.processed"), 200);
    ck_assert_int_eq(dump_value(&e, "inline.processed"), 0);
    env_stop(&e);
}
END_TEST

START_TEST(fast_fops_run_inline_when_enabled)
{
    env_t e;
    char vol[512];
    gf_loc_t loc = {.path = "/f"};

    env_start(&e, tid_vol(vol, sizeof(vol),
                          "  option inline-max-latency-us 1000000\n"));
    ck_assert_int_eq(dump_value(&e, "inline_max_latency_us"), 1000000);
    /* Unknown latency: the first of a kind goes to a worker. */
    ck_assert(!stat_inline(&e));
    ck_assert(stat_inline(&e));
    ck_assert(stat_inline(&e));
    ck_assert_int_eq(dump_value(&e, "inline.processed"), 2);
    ck_assert_int_eq(dump_value(&e, "high.processed"), 1);
    /* Each kind is measured on its own. */
    ck_assert_int_eq(gf_syncop_truncate(&e.sc, NULL, &loc, 1, NULL), 0);
    ck_assert(!pthread_equal(tid(&e)->last_tid, pthread_self()));
    ck_assert_int_eq(gf_syncop_truncate(&e.sc, NULL, &loc, 1, NULL), 0);
    ck_assert(pthread_equal(tid(&e)->last_tid, pthread_self()));
    /* Off again by reconfigure. */
    env_reconfigure(&e, tid_vol(vol, sizeof(vol), ""));
    ck_assert(!stat_inline(&e));
    ck_assert_int_eq(dump_value(&e, "inline.processed"), 3);
    env_stop(&e);
}
END_TEST

static void *
unhold_later(void *arg)
{
    usleep(300000);
    tid_hold(arg, false);
    return NULL;
}

START_TEST(a_slow_fop_goes_back_to_the_workers)
{
    env_t e;
    char vol[512];
    pthread_t th;
    int i;

    /* 50 ms: far above a stat through test/tid, even under valgrind. */
    env_start(&e, tid_vol(vol, sizeof(vol),
                          "  option inline-max-latency-us 50000\n"));
    ck_assert(!stat_inline(&e));
    ck_assert(stat_inline(&e));
    /* The next one takes 300 ms inline... */
    tid_hold(&e, true);
    ck_assert_int_eq(pthread_create(&th, NULL, unhold_later, &e), 0);
    ck_assert(stat_inline(&e));
    pthread_join(th, NULL);
    /* ...so the following ones go to a worker, until enough fast ones
     * brought the estimate below 50 ms again (300 * (7/8)^14 < 50). */
    ck_assert(!stat_inline(&e));
    for (i = 0; i < 40 && !stat_inline(&e); i++)
        ;
    ck_assert_int_ge(i, 5);
    ck_assert_int_lt(i, 40);
    env_stop(&e);
}
END_TEST

START_TEST(bad_graphs_are_refused)
{
    gf_ctx_t *ctx = gf_ctx_new();
    gf_volfile_t *vf;
    gf_volfile_error_t verr;
    gf_graph_t *g;
    char err[512];
    static const char no_child[] = "volume iot\n"
                                   "  type performance/io-threads\n"
                                   "end-volume\n";
    static const char zero[] = "volume leaf\n  type test/sink\nend-volume\n"
                               "volume iot\n"
                               "  type performance/io-threads\n"
                               "  option thread-count 0\n"
                               "  subvolumes leaf\nend-volume\n";

    ck_assert_int_eq(
        gf_volfile_parse(no_child, strlen(no_child), "t.vol", &vf, &verr), 0);
    ck_assert_int_eq(gf_graph_new(ctx, vf, &g, err, sizeof(err)), 0);
    ck_assert_int_eq(gf_graph_init(g, err, sizeof(err)), -EINVAL);
    gf_graph_free(g);
    gf_volfile_free(vf);

    ck_assert_int_eq(gf_volfile_parse(zero, strlen(zero), "t.vol", &vf, &verr),
                     0);
    ck_assert_int_eq(gf_graph_new(ctx, vf, &g, err, sizeof(err)), -EINVAL);
    ck_assert_ptr_nonnull(strstr(err, "thread-count"));
    gf_volfile_free(vf);
    gf_ctx_free(ctx);
}
END_TEST

int
main(void)
{
    Suite *s = suite_create("io-threads");
    TCase *tc = tcase_create("core");

    tcase_set_timeout(tc, 30);
    tcase_add_test(tc, fops_are_answered_through_the_workers);
    tcase_add_test(tc, the_child_runs_on_a_worker_thread);
    tcase_add_test(tc, higher_priority_runs_first);
    tcase_add_test(tc, low_priority_is_not_starved);
    tcase_add_test(tc, thread_count_is_honoured);
    tcase_add_test(tc, thread_count_reconfigures);
    tcase_add_test(tc, raising_thread_count_serves_the_backlog);
    tcase_add_test(tc, a_long_queue_stays_in_order);
    tcase_add_test(tc, idle_workers_exit);
    tcase_add_test(tc, fini_fails_queued_fops);
    tcase_add_test(tc, a_synchronous_client_needs_one_worker);
    tcase_add_test(tc, fast_fops_run_inline_when_enabled);
    tcase_add_test(tc, a_slow_fop_goes_back_to_the_workers);
    tcase_add_test(tc, bad_graphs_are_refused);
    suite_add_tcase(s, tc);
    return gf_test_run(s);
}
