/* SPDX-License-Identifier: LGPL-3.0-or-later */
/*
 * gfsd-int.h - what the files of the gfsd executable share: the parsed
 * command line and the daemon state that main.c builds step by step, plus
 * one entry point per file (cmdline, daemon, signals, volume).
 */
#ifndef GFSD_INT_H
#define GFSD_INT_H

#include <pthread.h>
#include <signal.h>
#include <stdbool.h>
#include <stddef.h>

#include <gf/ctx.h>
#include <gf/event.h>
#include <gf/fop.h>
#include <gf/graph.h>
#include <gf/log.h>
#include <gf/mem-pool.h>
#include <gf/sync.h>
#include <gf/timer.h>
#include <gf/volfile.h>

/* Exit codes (sysexits.h values, spelled out so the man page matches). */
enum gfsd_exit {
    GFSD_EX_OK = 0,
    GFSD_EX_FAIL = 1,         /* init failed (volfile, graph, pidfile) */
    GFSD_EX_USAGE = 64,       /* bad command line */
    GFSD_EX_UNAVAILABLE = 69, /* personality not implemented yet */
};

/* The command line, after defaults by personality were applied. */
typedef struct gfsd_args {
    gf_process_mode_t mode;
    const char *progname; /* basename of argv[0] */
    char *volfile;        /* absolute path, owned */
    char *log_file;       /* owned; "-" for stderr */
    gf_log_level_t log_level;
    bool no_daemon;
    bool print_xlatordir; /* print and exit */
    char *pid_file;       /* absolute path or NULL, owned */
    char **xl_opts;       /* --xlator-option specs, borrowed from argv */
    size_t n_xl_opts;
    unsigned event_threads; /* 0: the pool's default */
    char *statedump_path;   /* absolute directory, owned */
    int oom_score_adj;
    bool oom_set;
    /* gfs: the command and its operands (borrowed from argv), and how
     * long to wait for the graph to come up. */
    char **cmd;
    int ncmd;
    unsigned connect_timeout; /* seconds */
} gfsd_args_t;

/* Pools created at step 4, kept as descriptors for statedump. */
enum { GFSD_NPOOLS = 7 };

/* Everything the daemon owns; one instance, in main.c. */
typedef struct gfsd {
    gf_ctx_t *ctx;
    gfsd_args_t args;
    gf_event_pool_t *events;
    gf_syncenv_t *env;
    gf_mem_pool_t *pools[GFSD_NPOOLS];
    gf_call_pool_t *calls; /* the ctx's call pool: requests, statedump */
    int status_fd;         /* write end of the status pipe, -1 when none */
    int pid_fd;            /* locked pidfile, -1 when none */
    bool pid_created;
    bool log_is_stderr;

    /* Graph state: the signal thread (HUP, USR1) and main share it. */
    pthread_mutex_t graph_lock;
    gf_graph_t *graph;
    gf_volfile_t *vf; /* the volfile the graph was built from */

    /* Signal thread. */
    sigset_t sigs;
    pthread_t sig_thread;
    bool sig_started;
    int exit_signal; /* TERM/INT received (atomic) */
    bool sig_quit;   /* teardown wants the thread gone (atomic) */

    /* Log flush timer, re-armed by its own callback. */
    pthread_mutex_t flush_lock;
    gf_timer_t *flush_timer;
    bool flush_stopping;
} gfsd_t;

/* The stock translators compiled into gfsd (builtins.c), NULL-ended. */
struct gf_xlator_api;
extern const struct gf_xlator_api *const gfsd_builtin_xlators[];

/* cmdline.c: parse ARGV into D->args. Returns 0 to go on, or exits the
 * process itself (argp) with 64 on a usage error and 0 for --help and
 * --version. Returns an exit code > 0 for errors found after parsing. */
int gfsd_cmdline_parse(gfsd_t *d, int argc, char **argv);
void gfsd_cmdline_free(gfsd_args_t *args);

/* daemon.c */
int gfsd_daemonize(gfsd_t *d);
void gfsd_emancipate(gfsd_t *d, int status);
int gfsd_pidfile_lock(gfsd_t *d);
void gfsd_pidfile_release(gfsd_t *d);
void gfsd_report(gfsd_t *d, const char *fmt, ...) GF_PRINTF(2, 3);

/* signals.c */
int gfsd_signals_block(gfsd_t *d);
int gfsd_signals_start(gfsd_t *d);
void gfsd_signals_stop(gfsd_t *d);
int gfsd_statedump(gfsd_t *d, char *path, size_t len);

/* client.c, client-cmds.c: the gfs personality. gfsd_client_check
 * returns 0 or, after printing the usage, GFSD_EX_USAGE;
 * gfsd_client_run builds the graph, runs the command and tears the graph
 * down, returning the command's exit status. */
int gfsd_client_check(const char *progname, int argc, char **argv);
int gfsd_client_run(gfsd_t *d);

/* volume.c */
int gfsd_volume_init(gfsd_t *d);
int gfsd_volume_reload(gfsd_t *d);
void gfsd_volume_fini(gfsd_t *d);

#endif /* GFSD_INT_H */
