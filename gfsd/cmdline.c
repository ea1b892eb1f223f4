/* SPDX-License-Identifier: LGPL-3.0-or-later */
/*
 * cmdline.c - step 5 of the start-up sequence: the personality from
 * argv[0] and the command line (argp). argp prints usage errors itself and
 * exits with argp_err_exit_status, which we set to 64 (EX_USAGE); paths
 * are made absolute here because the daemon changes to "/" after fork.
 */
#include <argp.h>
#include <errno.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "gfsd-int.h"

#ifndef GF_SYSCONFDIR
#define GF_SYSCONFDIR "/etc"
#endif
#ifndef GF_LOCALSTATEDIR
#define GF_LOCALSTATEDIR "/var"
#endif

/* glibc's argp reads these by name: they must be visible outside the
 * executable despite -fvisibility=hidden. */
GF_EXPORT const char *argp_program_version = "gfsd " PACKAGE_VERSION;
GF_EXPORT const char *argp_program_bug_address = PACKAGE_BUGREPORT;

/* Keys of long-only options: above the character range. */
enum {
    OPT_DEBUG = 256,
    OPT_XLATOR_OPTION,
    OPT_EVENT_THREADS,
    OPT_STATEDUMP_PATH,
    OPT_PRINT_XLATORDIR,
    OPT_OOM_SCORE_ADJ,
    OPT_CONNECT_TIMEOUT,
};

/* gfs: seconds to wait for the client graph to come up. */
enum { DEFAULT_CONNECT_TIMEOUT = 10 };

static const struct argp_option options[] = {
    {"volfile", 'f', "FILE", 0, "Volfile to serve (default by personality)", 0},
    {"log-file", 'l', "FILE", 0, "Log to FILE ('-' for stderr)", 0},
    {"log-level", 'L', "LEVEL", 0,
     "none, critical, error, warning, notice, info (default), debug, trace", 0},
    {"no-daemon", 'N', NULL, 0, "Stay in the foreground", 0},
    {"debug", OPT_DEBUG, NULL, 0, "Foreground, log level DEBUG, log to stderr",
     0},
    {"pid-file", 'p', "FILE", 0, "Write the pid to FILE and lock it", 0},
    {"xlator-option", OPT_XLATOR_OPTION, "VOL.KEY=VALUE", 0,
     "Override a volfile option (repeatable; VOL may be a pattern)", 0},
    {"event-threads", OPT_EVENT_THREADS, "N", 0, "Event threads (1..64)", 0},
    {"statedump-path", OPT_STATEDUMP_PATH, "DIR", 0,
     "Directory of SIGUSR1 state dumps", 0},
    {"oom-score-adj", OPT_OOM_SCORE_ADJ, "N", 0,
     "Write N (-1000..1000) to /proc/self/oom_score_adj", 0},
    {"print-xlatordir", OPT_PRINT_XLATORDIR, NULL, 0,
     "Print the translator directory and exit", 0},
    {"connect-timeout", OPT_CONNECT_TIMEOUT, "SECONDS", 0,
     "gfs: wait this long for the volume to come up (default 10)", 0},
    {0}};

static const char doc[] =
    "gfsd -- a GlusterFS-compatible brick server.\v"
    "Invoked as gfsd it serves a brick; as gfs it is a command line client "
    "(gfs -f VOLFILE COMMAND, see gfs --help); as gfd (management) it is "
    "not available yet. Signals: TERM/INT exit, HUP reloads the volfile and "
    "reopens the log, USR1 writes a state dump.";

static const char gfs_doc[] =
    "gfs -- run one command on a GlusterFS volume through a client graph "
    "(the volfile's, e.g. protocol/client to a brick).\v"
    "Commands: ls [-l] [PATH], stat PATH, mkdir PATH, rmdir PATH, rm PATH, "
    "put LOCALFILE PATH ('-': stdin), get PATH LOCALFILE|- , mv FROM TO, "
    "bench [N]. Paths on the volume start at its root. Options go before the "
    "command. Exit status: 0, 1 when a fop or the connection failed, 64 "
    "for a bad command line.";

static const char *const mode_names[] = {"gfsd", "gfs", "gfd"};

static gf_process_mode_t
mode_of(const char *base)
{
    /* Prefixes, as glusterfsd: "gfsd" before "gfs" since it is longer. */
    if (strncmp(base, "gfsd", 4) == 0)
        return GF_MODE_SERVER;
    if (strncmp(base, "gfd", 3) == 0)
        return GF_MODE_MGMT;
    if (strncmp(base, "gfs", 3) == 0)
        return GF_MODE_CLIENT;
    return GF_MODE_SERVER;
}

/* Absolute copy of PATH (relative to the current directory); NULL on
 * error. The file need not exist. */
static char *
absolute(const char *path)
{
    char cwd[PATH_MAX];
    char *out;

    if (path[0] == '/' || strcmp(path, "-") == 0)
        return strdup(path);
    if (!getcwd(cwd, sizeof(cwd)))
        return NULL;
    if (asprintf(&out, "%s/%s", cwd, path) < 0)
        return NULL;
    return out;
}

static int
set_path(char **slot, const char *arg, struct argp_state *state)
{
    char *p = absolute(arg);

    if (!p)
        argp_failure(state, GFSD_EX_FAIL, errno, "%s", arg);
    free(*slot);
    *slot = p;
    return 0;
}

static long
number(const char *arg, long lo, long hi, struct argp_state *state)
{
    char *end;
    long v;

    errno = 0;
    v = strtol(arg, &end, 10);
    if (errno || end == arg || *end || v < lo || v > hi)
        argp_error(state, "invalid number '%s' (expected %ld..%ld)", arg, lo,
                   hi);
    return v;
}

static int
add_xl_opt(gfsd_args_t *a, char *spec, struct argp_state *state)
{
    char **n;

    if (!strchr(spec, '.') || !strchr(spec, '='))
        argp_error(state, "--xlator-option wants VOL.KEY=VALUE, got '%s'",
                   spec);
    n = realloc(a->xl_opts, (a->n_xl_opts + 1) * sizeof(*n));
    if (!n)
        argp_failure(state, GFSD_EX_FAIL, ENOMEM, "--xlator-option");
    a->xl_opts = n;
    a->xl_opts[a->n_xl_opts++] = spec;
    return 0;
}

static error_t
parse_opt(int key, char *arg, struct argp_state *state)
{
    gfsd_args_t *a = state->input;

    switch (key) {
    case 'f':
        return set_path(&a->volfile, arg, state);
    case 'l':
        return set_path(&a->log_file, arg, state);
    case 'L':
        if (gf_log_level_parse(arg, &a->log_level) < 0)
            argp_error(state, "invalid log level '%s'", arg);
        return 0;
    case 'N':
        a->no_daemon = true;
        return 0;
    case OPT_DEBUG:
        a->no_daemon = true;
        a->log_level = GF_LOG_DEBUG;
        free(a->log_file);
        a->log_file = strdup("-");
        return 0;
    case 'p':
        return set_path(&a->pid_file, arg, state);
    case OPT_XLATOR_OPTION:
        return add_xl_opt(a, arg, state);
    case OPT_EVENT_THREADS:
        a->event_threads =
            (unsigned)number(arg, 1, GF_EVENT_MAX_THREADS, state);
        return 0;
    case OPT_STATEDUMP_PATH:
        return set_path(&a->statedump_path, arg, state);
    case OPT_OOM_SCORE_ADJ:
        a->oom_score_adj = (int)number(arg, -1000, 1000, state);
        a->oom_set = true;
        return 0;
    case OPT_PRINT_XLATORDIR:
        a->print_xlatordir = true;
        return 0;
    case OPT_CONNECT_TIMEOUT:
        a->connect_timeout = (unsigned)number(arg, 1, 3600, state);
        return 0;
    case ARGP_KEY_ARG:
        if (a->mode != GF_MODE_CLIENT)
            argp_error(state, "unexpected argument '%s'", arg);
        /* gfs: the command; what follows is its own (ls -l is not
         * --log-file). */
        a->cmd = &state->argv[state->next - 1];
        a->ncmd = state->argc - state->next + 1;
        state->next = state->argc;
        return 0;
    default:
        return ARGP_ERR_UNKNOWN;
    }
}

/* gfs runs in the foreground and keeps its terminal for the command's
 * output: the log goes to a file, gfs.log next to gfsd's, or nowhere when
 * that one cannot be written (a user without /var/log/gfsd). */
static int
client_defaults(gfsd_args_t *a)
{
    char dir[PATH_MAX];

    a->no_daemon = true;
    if (!a->connect_timeout)
        a->connect_timeout = DEFAULT_CONNECT_TIMEOUT;
    if (a->log_file)
        return 0;
    snprintf(dir, sizeof(dir), "%s/log/gfsd", GF_LOCALSTATEDIR);
    if (access(dir, W_OK) == 0)
        return asprintf(&a->log_file, "%s/gfs.log", dir) < 0 ? -ENOMEM : 0;
    a->log_file = strdup("/dev/null");
    return a->log_file ? 0 : -ENOMEM;
}

/* Defaults that depend on the personality and on -N. */
static int
apply_defaults(gfsd_args_t *a)
{
    const char *name = mode_names[a->mode];

    if (!a->volfile &&
        asprintf(&a->volfile, "%s/gfsd/%s.vol", GF_SYSCONFDIR, name) < 0)
        return -ENOMEM;
    if (a->mode == GF_MODE_CLIENT && client_defaults(a) < 0)
        return -ENOMEM;
    /* In the foreground the log goes to the terminal unless asked; a
     * daemon has no terminal, so it gets a file. */
    if (!a->log_file && a->no_daemon)
        a->log_file = strdup("-");
    if (!a->log_file && asprintf(&a->log_file, "%s/log/gfsd/%s.log",
                                 GF_LOCALSTATEDIR, name) < 0)
        return -ENOMEM;
    if (!a->statedump_path &&
        asprintf(&a->statedump_path, "%s/run/gfsd", GF_LOCALSTATEDIR) < 0)
        return -ENOMEM;
    return a->log_file ? 0 : -ENOMEM;
}

int
gfsd_cmdline_parse(gfsd_t *d, int argc, char **argv)
{
    static const struct argp argp = {options, parse_opt, NULL, doc,
                                     NULL,    NULL,      NULL};
    static const struct argp gfs_argp = {
        options, parse_opt, "COMMAND [ARG...]", gfs_doc, NULL, NULL, NULL};
    gfsd_args_t *a = &d->args;
    const char *slash = argc > 0 ? strrchr(argv[0], '/') : NULL;
    error_t err;

    a->progname = slash ? slash + 1 : (argc > 0 ? argv[0] : "gfsd");
    a->mode = mode_of(a->progname);
    a->log_level = GF_LOG_INFO;
    argp_err_exit_status = GFSD_EX_USAGE;
    err = argp_parse(a->mode == GF_MODE_CLIENT ? &gfs_argp : &argp, argc, argv,
                     ARGP_IN_ORDER, NULL, a);
    if (err) {
        fprintf(stderr, "%s: %s\n", a->progname, strerror(err));
        return GFSD_EX_USAGE;
    }
    if (a->mode == GF_MODE_CLIENT && !a->print_xlatordir) {
        err = gfsd_client_check(a->progname, a->ncmd, a->cmd);
        if (err)
            return err;
    }
    if (apply_defaults(a) < 0) {
        fprintf(stderr, "%s: out of memory\n", a->progname);
        return GFSD_EX_FAIL;
    }
    return 0;
}

void
gfsd_cmdline_free(gfsd_args_t *a)
{
    free(a->volfile);
    free(a->log_file);
    free(a->pid_file);
    free(a->xl_opts);
    free(a->statedump_path);
    memset(a, 0, sizeof(*a));
}
