/* SPDX-License-Identifier: LGPL-3.0-or-later */
/*
 * main.c - the gfsd executable, read top to bottom as the start-up
 * sequence of DESIGN.md section 3: each numbered step is one small
 * function below, called in order by main(). One binary has three
 * personalities chosen by argv[0] (gfsd serves a brick; gfs runs one
 * client command, client.c; gfd is not available yet). Teardown runs the
 * steps backwards so a TERM leaves nothing behind: graph finished,
 * threads joined, pools released, the pidfile removed if we created it.
 */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <unistd.h>

#include "gfsd-int.h"

/* Log flush period: the log's suppression window is checked this often. */
enum { FLUSH_PERIOD_MS = 5000 };

/* Step 1: the context, with its process uuid (uuid, host, pid, time). */
static int
step_ctx_new(gfsd_t *d)
{
    d->status_fd = -1;
    d->pid_fd = -1;
    pthread_mutex_init(&d->graph_lock, NULL);
    pthread_mutex_init(&d->flush_lock, NULL);
    d->ctx = gf_ctx_new();
    return d->ctx ? 0 : -errno;
}

/* Step 2: globals. The log works from here at INFO on stderr; signals are
 * blocked now, before any thread exists, so every thread inherits it. */
static int
step_globals(gfsd_t *d)
{
    gf_log_set_level(GF_LOG_INFO);
    return gfsd_signals_block(d);
}

/* Step 3: THIS is the context's global translator. */
static void
step_this(gfsd_t *d)
{
    gf_this_set(gf_ctx_global_xlator(d->ctx));
}

/* Step 4 (pools): descriptors with the seed's counts; the objects come
 * from the per-thread size classes, the counts are statedump hints. */
static int
make_pools(gfsd_t *d)
{
    static const struct {
        const char *name;
        size_t size;
        unsigned count;
    } seed[GFSD_NPOOLS] = {
        {"call_frame_t", 256, 4096}, {"call_stack_t", 512, 1024},
        {"call_stub_t", 512, 1024},  {"dict_t", 128, 4096},
        {"data_pair_t", 64, 16384},  {"data_t", 64, 16384},
        {"log_buf_t", 512, 256},
    };
    size_t i;

    for (i = 0; i < GFSD_NPOOLS; i++) {
        d->pools[i] =
            gf_mem_pool_new(seed[i].name, seed[i].size, seed[i].count);
        if (!d->pools[i])
            return -errno;
    }
    return 0;
}

/* Step 4: ctx defaults -- memory accounting, page size, iobuf pool, event
 * pool, mem pools, the call pool, resource limits. No thread is started
 * here. */
static int
step_ctx_defaults(gfsd_t *d)
{
    struct rlimit core = {RLIM_INFINITY, RLIM_INFINITY};
    int ret;

    gf_ctx_set_mem_acct_enabled(d->ctx, true);
    gf_ctx_set_measure_latency(d->ctx, true);
    gf_ctx_set_builtin_xlators(d->ctx, gfsd_builtin_xlators);
    ret = gf_ctx_set_page_size(d->ctx, GF_CTX_DEFAULT_PAGE_SIZE);
    if (ret == 0)
        ret = gf_ctx_init_defaults(d->ctx);
    if (ret < 0)
        return ret;
    ret = make_pools(d);
    if (ret < 0)
        return ret;
    /* The call pool of every request the graph starts, so that a
     * statedump lists the pending ones. */
    d->calls = gf_call_pool_new(d->ctx);
    if (!d->calls)
        return -ENOMEM;
    gf_ctx_set_call_pool(d->ctx, d->calls);
    /* The default thread count; the command line may change it later.
     * Created before the fork as upstream does: no thread runs until
     * dispatch, and the parent of the fork _exits without freeing it
     * (a free there would remove fds from the epoll set the child
     * shares). */
    d->events = gf_event_pool_new(0);
    if (!d->events) {
        fprintf(stderr, "gfsd: event pool: %s\n", gf_event_pool_error());
        return -ENOTSUP;
    }
    /* The one pool of the process: protocol/server registers on it. */
    gf_ctx_set_event_pool(d->ctx, d->events);
    /* Best effort: a hard limit below infinity keeps its value. */
    if (setrlimit(RLIMIT_CORE, &core) < 0) {
        getrlimit(RLIMIT_CORE, &core);
        core.rlim_cur = core.rlim_max;
        setrlimit(RLIMIT_CORE, &core);
    }
    return 0;
}

/* Step 5 (end): --event-threads resizes the pool of step 4 (no thread
 * runs yet, so this only changes how many will start). */
static int
step_event_threads(gfsd_t *d)
{
    int ret = 0;

    if (d->args.event_threads)
        ret = gf_event_reconfigure_threads(d->events, d->args.event_threads);
    if (ret < 0)
        fprintf(stderr, "%s: --event-threads %u: %s\n", d->args.progname,
                d->args.event_threads, strerror(-ret));
    return ret;
}

/* Step 5: the personality. gfd is not written yet. */
static int
step_personality(gfsd_t *d)
{
    if (d->args.mode != GF_MODE_MGMT)
        return gf_ctx_set_process_mode(d->ctx, d->args.mode) ? GFSD_EX_FAIL : 0;
    fprintf(stderr, "%s: the management personality is not available yet\n",
            d->args.progname);
    return GFSD_EX_UNAVAILABLE;
}

/* Step 6: logging -- file or stderr, level, flush window. */
static int
step_logging(gfsd_t *d)
{
    const char *file = d->args.log_file;
    int ret;

    d->log_is_stderr = strcmp(file, "-") == 0;
    ret = gf_log_init(d->log_is_stderr ? NULL : file, d->args.progname);
    if (ret < 0) {
        fprintf(stderr, "%s: cannot open log file %s: %s\n", d->args.progname,
                file, strerror(-ret));
        return ret;
    }
    gf_log_set_level(d->args.log_level);
    gf_log_set_flush_timeout(GF_LOG_DEFAULT_FLUSH_TIMEOUT_MS);
    gf_log("gfsd", GF_LOG_INFO, "starting %s %s with volfile %s",
           d->args.progname, PACKAGE_VERSION, d->args.volfile);
    return 0;
}

/* Step 7: the statedump lock. gf_statedump_write serialises dumps with
 * its own lock and the daemon dumps from the signal thread only, under
 * the graph lock (see signals.c): nothing is left to set up here, the
 * step stays so the sequence reads as the design's. */
static int
step_statedump_lock(gfsd_t *d)
{
    (void)d;
    return 0;
}

static void
flush_tick(void *arg)
{
    gfsd_t *d = arg;
    gf_timer_wheel_t *w = gf_ctx_timer_wheel(d->ctx);

    gf_log_flush();
    pthread_mutex_lock(&d->flush_lock);
    gf_timer_release(w, d->flush_timer);
    d->flush_timer = d->flush_stopping ? NULL
                                       : gf_timer_call_after(w, FLUSH_PERIOD_MS,
                                                             flush_tick, d);
    pthread_mutex_unlock(&d->flush_lock);
}

/* Step 8: daemonize, pidfile (the signal thread follows the graph, see
 * start_later; signals are blocked since step 2, so one that comes before
 * waits for it). */
static int
step_daemonize(gfsd_t *d)
{
    int ret = gfsd_daemonize(d);

    if (ret < 0) {
        gfsd_report(d, "cannot daemonize: %s", strerror(-ret));
        return ret;
    }
    gf_log("gfsd", GF_LOG_INFO, "running as pid %ld%s", (long)getpid(),
           d->args.no_daemon ? " in the foreground" : "");
    return gfsd_pidfile_lock(d);
}

/* Step 9: the timer wheel (its runner thread starts with its first
 * timer, the log flush, in start_later); the syncenv and the sweeper
 * follow the graph too. */
static int
step_threads(gfsd_t *d)
{
    int ret = gf_ctx_start_timer_wheel(d->ctx);

    if (ret < 0) {
        gfsd_report(d, "cannot start service threads: %s", strerror(-ret));
        return ret;
    }
    return 0;
}

/* Steps 8 and 9's threads that the start need not wait for, started once
 * the graph is active and before the status pipe reports success (so
 * they do not compete with it for the CPUs): the signal thread (a signal
 * that came earlier waits, blocked, and is taken now; a graph init cannot
 * be interrupted by TERM in any case), the mem-pool sweeper (nothing to
 * do for its first 30 s) and the syncenv (no translator of a brick runs
 * a synctask before its first request). */
static int
start_later(gfsd_t *d)
{
    gf_syncenv_config_t cfg;
    int ret = gfsd_signals_start(d);

    if (ret < 0) {
        gfsd_report(d, "cannot start the signal thread: %s", strerror(-ret));
        return ret;
    }
    /* The first timer starts the wheel's runner thread. */
    pthread_mutex_lock(&d->flush_lock);
    d->flush_timer = gf_timer_call_after(gf_ctx_timer_wheel(d->ctx),
                                         FLUSH_PERIOD_MS, flush_tick, d);
    pthread_mutex_unlock(&d->flush_lock);
    ret = gf_ctx_start_threads(d->ctx, 0);
    if (ret < 0) {
        gfsd_report(d, "cannot start the mem-pool sweeper: %s", strerror(-ret));
        return ret;
    }
    gf_syncenv_config_init(&cfg);
    cfg.wheel = gf_ctx_timer_wheel(d->ctx);
    d->env = gf_syncenv_new(&cfg);
    if (d->env)
        return 0;
    ret = -errno;
    gfsd_report(d, "cannot start the syncenv: %s", strerror(-ret));
    return ret;
}

/* Step 10: OOM score, when asked. */
static int
step_oom_score(gfsd_t *d)
{
    char buf[16];
    int fd, len, ret = 0;

    if (!d->args.oom_set)
        return 0;
    fd = open("/proc/self/oom_score_adj", O_WRONLY | O_CLOEXEC);
    len = snprintf(buf, sizeof(buf), "%d\n", d->args.oom_score_adj);
    if (fd < 0 || write(fd, buf, len) != len)
        ret = -errno;
    if (fd >= 0)
        close(fd);
    if (ret < 0)
        gf_log("gfsd", GF_LOG_WARNING, "cannot set oom_score_adj %d: %s",
               d->args.oom_score_adj, strerror(-ret));
    return 0;
}

/* Step 11: volfile -> graph -> init -> activate; the syncenv; then report
 * success through the status pipe (main reports failures, after cleaning
 * up). */
static int
step_graph(gfsd_t *d)
{
    int ret = gfsd_volume_init(d);

    if (ret == 0)
        ret = start_later(d);
    if (ret == 0)
        gfsd_emancipate(d, 0);
    return ret;
}

/* Steps 11 and 12 of gfs (client.c): the client graph, one command run
 * through syncop, the graph torn down; returns the command's status. */
static int
step_client(gfsd_t *d)
{
    return start_later(d) < 0 ? GFSD_EX_FAIL : gfsd_client_run(d);
}

/* Step 12: dispatch until TERM/INT stops the event pool. */
static int
step_dispatch(gfsd_t *d)
{
    int ret;

    gf_log("gfsd", GF_LOG_INFO, "dispatching on %u event threads (%s)",
           gf_event_pool_threads(d->events), gf_event_pool_backend(d->events));
    ret = gf_event_dispatch(d->events);

    if (ret < 0)
        gf_log("gfsd", GF_LOG_ERROR, "event dispatch: %s", strerror(-ret));
    return ret;
}

/* Teardown, steps backwards. Safe after a failure at any step. */
static void
cleanup(gfsd_t *d)
{
    size_t i;

    gfsd_signals_stop(d);
    /* The graph goes down while the event threads run: the server's
     * connections end, and their disconnects complete, on them. */
    if (d->graph && gf_event_pool_start(d->events) < 0)
        gf_log("gfsd", GF_LOG_ERROR,
               "cannot restart the event threads "
               "for the graph's teardown");
    gfsd_volume_fini(d);
    pthread_mutex_lock(&d->flush_lock);
    d->flush_stopping = true;
    if (d->flush_timer)
        gf_timer_cancel(gf_ctx_timer_wheel(d->ctx), d->flush_timer);
    d->flush_timer = NULL;
    pthread_mutex_unlock(&d->flush_lock);
    gf_ctx_set_event_pool(d->ctx, NULL);
    gf_event_pool_free(d->events);
    gf_syncenv_free(d->env);
    /* After the graph: its stacks are gone with it. */
    gf_ctx_set_call_pool(d->ctx, NULL);
    gf_call_pool_free(d->calls);
    for (i = 0; i < GFSD_NPOOLS; i++)
        gf_mem_pool_destroy(d->pools[i]);
    gfsd_pidfile_release(d);
    gf_ctx_free(d->ctx);
    gf_log_fini();
    gfsd_cmdline_free(&d->args);
    pthread_mutex_destroy(&d->graph_lock);
    pthread_mutex_destroy(&d->flush_lock);
}

/* Steps 5 to 12, in order; returns the process exit code. */
static int
run(gfsd_t *d, int argc, char **argv)
{
    int ret = gfsd_cmdline_parse(d, argc, argv); /* 5 */

    if (ret)
        return ret;
    if (d->args.print_xlatordir) {
        printf("%s\n", gf_xlator_dir());
        return GFSD_EX_OK;
    }
    ret = step_personality(d); /* 5 */
    if (ret)
        return ret;
    if (step_event_threads(d) < 0)
        return GFSD_EX_FAIL;
    if (step_logging(d) < 0 || step_statedump_lock(d) < 0 || /* 6, 7 */
        step_daemonize(d) < 0 || step_threads(d) < 0 ||      /* 8, 9 */
        step_oom_score(d) < 0)                               /* 10 */
        return GFSD_EX_FAIL;
    /* 11, 12 */
    if (d->args.mode == GF_MODE_CLIENT)
        return step_client(d);
    if (step_graph(d) < 0 || step_dispatch(d) < 0)
        return GFSD_EX_FAIL;
    gf_log("gfsd", GF_LOG_NOTICE, "clean exit");
    return GFSD_EX_OK;
}

int
main(int argc, char **argv)
{
    static gfsd_t d;
    int ret;

    if (step_ctx_new(&d) < 0 || step_globals(&d) < 0) { /* 1, 2 */
        fprintf(stderr, "gfsd: cannot create the context: %s\n",
                strerror(errno));
        return GFSD_EX_FAIL;
    }
    step_this(&d);               /* 3 */
    ret = step_ctx_defaults(&d); /* 4 */
    if (ret < 0)
        fprintf(stderr, "gfsd: context defaults: %s\n", strerror(-ret));
    ret = ret < 0 ? GFSD_EX_FAIL : run(&d, argc, argv);
    /* A failure must still answer the waiting parent, once the pidfile
     * is gone: whoever retries after the parent exits finds it free. */
    if (ret)
        gfsd_pidfile_release(&d);
    gfsd_emancipate(&d, ret);
    cleanup(&d);
    return ret;
}
