/* SPDX-License-Identifier: LGPL-3.0-or-later */
/*
 * client.c - the gfs personality's runner (steps 11 and 12 for gfs): build
 * the client graph of the volfile, wait (bounded) for CHILD_UP at its top,
 * run one command through syncop in a synctask, tear the graph down and
 * return the command's exit status.
 *
 * The top of a graph has no parent, so the CHILD_UP it sends would reach
 * nobody. As gfapi does, gfs puts its own translator, gfs/master, above the
 * volfile's top: the volfile text gets one more volume ("gfs-master",
 * subvolumes <top>) before it is parsed, so the user's part keeps its
 * lines for error messages. The master is compiled in (registered with the
 * context's built-in translators); its only job is to pass PARENT_* down
 * and report CHILD_UP/DOWN to the runner. Fops are wound into the
 * volfile's top, not the master: one hop less.
 */
#include <errno.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "client-int.h"

#define MASTER_NAME "gfs-master"
#define MASTER_TYPE "gfs/master"

enum {
    ERR_LEN = 1024,
    ITABLE_LRU = 4096,
    POLL_MS = 100,         /* how often the runner looks for TERM/INT */
    INTERRUPT_GRACE_S = 5, /* then how long a command has to stop */
};

/* ---- the master translator ---------------------------------------------- */

static int
master_init(gf_xlator_t *self)
{
    (void)self;
    return 0;
}

static void
set_state(gfs_t *c, int state)
{
    pthread_mutex_lock(&c->lock);
    c->state = state;
    pthread_cond_broadcast(&c->cond);
    pthread_mutex_unlock(&c->lock);
}

/* Runs on whatever thread the event comes from (main during activate for
 * a local graph, an event thread for a network one): it never blocks. */
static int
master_notify(gf_xlator_t *self, gf_xlator_event_t event, void *data)
{
    gfs_t *c = gf_xlator_private(self);

    switch (event) {
    case GF_EVENT_CHILD_UP:
    case GF_EVENT_CHILD_DOWN:
        gf_log("gfs", GF_LOG_INFO, "%s from '%s'", gf_xlator_event_name(event),
               data ? gf_xlator_name(data) : "?");
        if (c)
            set_state(c, event == GF_EVENT_CHILD_UP ? 1 : -1);
        return 0;
    case GF_EVENT_CHILD_CONNECTING:
        return 0;
    default:
        return gf_xlator_notify_default(self, event, data);
    }
}

static const struct gf_xlator_api master_api = {
    .abi_major = GF_XLATOR_ABI_MAJOR,
    .abi_minor = GF_XLATOR_ABI_MINOR,
    .type = MASTER_TYPE,
    .description = "gfs: receives the graph's CHILD_UP/DOWN",
    .init = master_init,
    .notify = master_notify,
};

/* The context's built-in translators: gfsd's own and the master. */
static void
register_master(gfsd_t *d)
{
    static const struct gf_xlator_api *table[64];
    const struct gf_xlator_api *const *b;
    size_t n = 0;

    for (b = gfsd_builtin_xlators; *b && n < GF_ARRAY_SIZE(table) - 2; b++)
        table[n++] = *b;
    table[n++] = &master_api;
    table[n] = NULL;
    gf_ctx_set_builtin_xlators(d->ctx, table);
}

/* ---- volfile and graph -------------------------------------------------- */

/* The whole file, NUL-terminated, in *TEXT (malloc'd). */
static int
read_text(const char *path, char **text, size_t *len)
{
    FILE *f = fopen(path, "re");
    struct stat st;
    int ret = 0;

    if (!f)
        return -errno;
    if (fstat(fileno(f), &st) < 0)
        ret = -errno;
    else if (st.st_size > GF_VOLFILE_MAX_SIZE)
        ret = -EFBIG;
    else if (!(*text = malloc((size_t)st.st_size + 1)))
        ret = -ENOMEM;
    if (ret == 0) {
        *len = fread(*text, 1, (size_t)st.st_size, f);
        (*text)[*len] = '\0';
    }
    fclose(f);
    return ret;
}

static int
parse_error(const char *path, int ret, const gf_volfile_error_t *perr,
            char *err, size_t len)
{
    gf_volfile_error_format(perr, err, len);
    if (perr->line == 0 && ret != -EINVAL)
        snprintf(err, len, "%s: %s", path, strerror(-ret));
    return ret;
}

/* The volfile with the master on top, then the --xlator-option overrides
 * (which may not name the master: it has no options). */
static int
load(gfs_t *c, char *err, size_t len)
{
    const char *path = c->d->args.volfile;
    gf_volfile_error_t perr;
    gf_volfile_t *vf;
    char *text = NULL, *all = NULL;
    size_t tlen = 0, i;
    int ret, n = 0;

    ret = gf_volfile_parse_file(path, &vf, &perr);
    if (ret < 0)
        return parse_error(path, ret, &perr, err, len);
    ret = read_text(path, &text, &tlen);
    if (ret == 0)
        n = asprintf(&all,
                     "%s\nvolume " MASTER_NAME "\n    type " MASTER_TYPE
                     "\n    subvolumes %s\nend-volume\n",
                     text, gf_volfile_name(vf, (size_t)gf_volfile_top(vf)));
    gf_volfile_free(vf);
    free(text);
    if (ret < 0 || n < 0) {
        snprintf(err, len, "%s: %s", path, strerror(ret < 0 ? -ret : ENOMEM));
        return ret < 0 ? ret : -ENOMEM;
    }
    ret = gf_volfile_parse(all, (size_t)n, path, &c->vf, &perr);
    free(all);
    if (ret < 0)
        return parse_error(path, ret, &perr, err, len);
    for (i = 0; i < c->d->args.n_xl_opts; i++) {
        ret = gf_volfile_override(c->vf, c->d->args.xl_opts[i]);
        if (ret < 0) {
            snprintf(err, len, "--xlator-option %s: %s", c->d->args.xl_opts[i],
                     ret == -ENOENT ? "no such volume" : strerror(-ret));
            return ret;
        }
    }
    return 0;
}

/* Build and init the graph; the event threads run from here on. */
static int
build(gfs_t *c, char *err, size_t len)
{
    int ret = gf_graph_new(c->d->ctx, c->vf, &c->graph, err, len);

    if (ret < 0)
        return ret;
    c->master = gf_graph_top(c->graph);
    c->top = gf_xlator_child(c->master, 0);
    gf_xlator_set_private(c->master, c);
    ret = gf_graph_init(c->graph, err, len);
    if (ret < 0) {
        gf_graph_free(c->graph);
        c->graph = NULL;
        return ret;
    }
    ret = gf_event_pool_start(c->d->events);
    c->events_started = ret == 0;
    if (ret < 0)
        snprintf(err, len, "cannot start the event threads: %s",
                 strerror(-ret));
    return ret;
}

/* ---- waiting ------------------------------------------------------------ */

static uint64_t
now_ms(void)
{
    struct timespec t;

    clock_gettime(CLOCK_MONOTONIC, &t);
    return (uint64_t)t.tv_sec * 1000 + (uint64_t)t.tv_nsec / 1000000;
}

/* With C's lock held: wait for its condition, at most POLL_MS (so that
 * TERM/INT is seen soon). True once DEADLINE (ms, 0: none) has passed. */
static bool
nap(gfs_t *c, uint64_t deadline)
{
    uint64_t t = now_ms();
    struct timespec ts;

    if (deadline && t >= deadline)
        return true;
    t += POLL_MS;
    ts.tv_sec = (time_t)(t / 1000);
    ts.tv_nsec = (long)(t % 1000) * 1000000L;
    pthread_cond_timedwait(&c->cond, &c->lock, &ts);
    return false;
}

static bool
signalled(gfs_t *c)
{
    return __atomic_load_n(&c->d->exit_signal, __ATOMIC_ACQUIRE) != 0;
}

/* PARENT_UP, then wait for the top's verdict: 0 once up, -EINTR on
 * TERM/INT, else -ENOTCONN (CHILD_DOWN, or nothing within the timeout). */
static int
connect_graph(gfs_t *c)
{
    uint64_t deadline = now_ms() + 1000 * (uint64_t)c->d->args.connect_timeout;
    int ret;

    gf_graph_activate(c->graph);
    pthread_mutex_lock(&c->lock);
    while (c->state == 0 && !signalled(c) && !nap(c, deadline))
        ;
    ret = c->state == 1 ? 0 : signalled(c) ? -EINTR : -ENOTCONN;
    pthread_mutex_unlock(&c->lock);
    return ret;
}

/* ---- the command -------------------------------------------------------- */

typedef struct job {
    gfs_t *c;
    int argc;
    char **argv;
    int status;
    bool done;
} job_t;

/* In a synctask: the nameless root lookup gfapi starts with, then the
 * command. Returns the exit status. */
static int
job_run(void *opaque)
{
    job_t *j = opaque;
    gfs_t *c = j->c;
    gf_syncop_lookup_out_t out;
    gf_loc_t loc = {.path = "/", .gfid = gf_gfid_root()};
    int ret;

    loc.inode = c->root;
    ret = gf_syncop_lookup(&c->sc, &out, &loc, NULL);
    if (ret >= 0 && out.buf)
        c->root_st = *out.buf;
    gf_syncop_lookup_out_wipe(&out);
    if (ret < 0)
        return gfs__fail(c, "lookup", "/", -ret);
    return gfs__cmd_run(c, j->argc, j->argv);
}

static void
identity(gfs_t *c)
{
    c->id.uid = geteuid();
    c->id.gid = getegid();
    c->id.pid = getpid();
    c->sc.pool = c->d->calls;
    c->sc.subvol = c->top;
    c->sc.id = &c->id;
    c->iobufs = gf_ctx_iobuf_pool(c->d->ctx);
    c->chunk = gf_ctx_page_size(c->d->ctx);
}

static void
job_done(int ret, void *opaque)
{
    job_t *j = opaque;

    pthread_mutex_lock(&j->c->lock);
    j->status = ret;
    j->done = true;
    pthread_cond_broadcast(&j->c->cond);
    pthread_mutex_unlock(&j->c->lock);
}

/* TERM/INT made the signal thread stop the event threads, which a fop in
 * flight over the network needs for its reply: start them again, and let
 * the command stop at its next chunk or file (gfs__interrupted). One that
 * still has not finished after INTERRUPT_GRACE_S is abandoned: the process
 * exits. Returns that deadline. */
static uint64_t
on_signal(gfs_t *c)
{
    gf_log("gfs", GF_LOG_NOTICE, "interrupted, stopping the command");
    __atomic_store_n(&c->interrupted, true, __ATOMIC_RELEASE);
    gf_event_pool_start(c->d->events);
    return now_ms() + 1000 * INTERRUPT_GRACE_S;
}

static int
wait_job(gfs_t *c, job_t *j)
{
    uint64_t deadline = 0;

    pthread_mutex_lock(&c->lock);
    while (!j->done) {
        if (nap(c, deadline)) {
            fprintf(stderr, "%s: interrupted\n", c->d->args.progname);
            _exit(GFSD_EX_FAIL);
        }
        if (!deadline && signalled(c))
            deadline = on_signal(c);
    }
    pthread_mutex_unlock(&c->lock);
    return j->status;
}

static int
run_job(gfs_t *c)
{
    job_t j = {c, c->d->args.ncmd, c->d->args.cmd, 0, false};
    int ret;

    c->itable = gf_xlator_inode_table_new(c->top, ITABLE_LRU);
    c->root = c->itable ? gf_inode_table_root(c->itable) : NULL;
    if (!c->root)
        return gfs__fail(c, "inode table", "", errno);
    identity(c);
    ret = gf_synctask_new(c->d->env, job_run, job_done, &j);
    if (ret < 0)
        return gfs__fail(c, "synctask", "", -ret);
    return wait_job(c, &j);
}

bool
gfs__interrupted(gfs_t *c)
{
    return __atomic_load_n(&c->interrupted, __ATOMIC_ACQUIRE);
}

/* ---- start and stop ----------------------------------------------------- */

static void
teardown(gfs_t *c)
{
    gfsd_t *d = c->d;

    gf_inode_unref(c->root);
    gf_inode_table_free(c->itable);
    /* With the event threads still running: a network translator's fini
     * may need them to finish its disconnect. */
    gf_graph_free(c->graph);
    if (c->events_started) {
        gf_event_pool_stop(d->events);
        gf_event_dispatch(d->events); /* joins the threads */
    }
    gf_volfile_free(c->vf);
}

int
gfsd_client_run(gfsd_t *d)
{
    static gfs_t c;
    char err[ERR_LEN] = "";
    pthread_condattr_t ca;
    int ret;

    c.d = d;
    pthread_mutex_init(&c.lock, NULL);
    pthread_condattr_init(&ca);
    pthread_condattr_setclock(&ca, CLOCK_MONOTONIC);
    pthread_cond_init(&c.cond, &ca);
    pthread_condattr_destroy(&ca);
    register_master(d);
    ret = load(&c, err, sizeof(err));
    if (ret == 0)
        ret = build(&c, err, sizeof(err));
    if (ret < 0) {
        gfsd_report(d, "%s", err);
        ret = GFSD_EX_FAIL;
    } else {
        /* Not published as d->graph: a SIGHUP would reload it. */
        ret = connect_graph(&c);
        if (ret < 0)
            gfsd_report(d, "%s: %s", d->args.volfile,
                        ret == -EINTR ? "interrupted" : "not connected");
        ret = ret < 0 ? GFSD_EX_FAIL : run_job(&c);
    }
    teardown(&c);
    pthread_cond_destroy(&c.cond);
    pthread_mutex_destroy(&c.lock);
    return ret;
}
