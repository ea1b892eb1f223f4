/* SPDX-License-Identifier: LGPL-3.0-or-later */
/*
 * signals.c - the signal thread of step 8. The daemon's signals are
 * blocked in the main thread before any thread exists, so every thread
 * inherits the mask and only this one thread, in sigwait(), ever sees
 * them: TERM/INT stop the event dispatch (main then tears down), HUP
 * reloads the volfile and reopens the log, USR1 writes a state dump. The
 * work runs as ordinary code in a thread, not in a signal handler, so it
 * may lock and allocate.
 */
#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <gf/statedump.h>

#include "gfsd-int.h"

int
gfsd_signals_block(gfsd_t *d)
{
    sigemptyset(&d->sigs);
    sigaddset(&d->sigs, SIGTERM);
    sigaddset(&d->sigs, SIGINT);
    sigaddset(&d->sigs, SIGHUP);
    sigaddset(&d->sigs, SIGUSR1);
    sigaddset(&d->sigs, SIGUSR2);
    /* A peer that goes away must surface as EPIPE, not kill the brick. */
    signal(SIGPIPE, SIG_IGN);
    return -pthread_sigmask(SIG_BLOCK, &d->sigs, NULL);
}

/*
 * The state dump (gf/statedump.h): "<dir>/<progname>.<pid>.dump.<time>",
 * written atomically. The graph lock keeps a HUP from freeing the graph
 * under the dump. The call pool is the ctx's, which protocol/server
 * starts its requests from: the dump lists the pending ones.
 */
int
gfsd_statedump(gfsd_t *d, char *path, size_t len)
{
    int ret;

    pthread_mutex_lock(&d->graph_lock);
    ret = gf_statedump_write(d->ctx, d->graph, d->calls, d->args.statedump_path,
                             d->args.progname, path, len);
    /* The default directory lives under /run, which is emptied at boot:
     * create it (not its parents) on first use. */
    if (ret == -ENOENT && mkdir(d->args.statedump_path, 0700) == 0)
        ret = gf_statedump_write(d->ctx, d->graph, d->calls,
                                 d->args.statedump_path, d->args.progname, path,
                                 len);
    pthread_mutex_unlock(&d->graph_lock);

    if (ret < 0)
        gf_log("gfsd", GF_LOG_ERROR, "statedump into %s failed: %s",
               d->args.statedump_path, strerror(-ret));
    else
        gf_log("gfsd", GF_LOG_INFO, "statedump written to %s", path);
    return ret;
}

static void
on_hup(gfsd_t *d)
{
    int ret;

    gf_log("gfsd", GF_LOG_INFO, "SIGHUP: reloading %s", d->args.volfile);
    /* Reopen first, so the reload's own lines land in the new file. */
    ret = gf_log_reopen();
    if (ret < 0)
        gf_log("gfsd", GF_LOG_ERROR, "cannot reopen the log: %s",
               strerror(-ret));
    gfsd_volume_reload(d);
}

static void *
sig_main(void *arg)
{
    gfsd_t *d = arg;
    char path[4096];
    int sig;

    for (;;) {
        if (sigwait(&d->sigs, &sig) != 0)
            continue;
        switch (sig) {
        case SIGTERM:
        case SIGINT:
            if (__atomic_load_n(&d->sig_quit, __ATOMIC_ACQUIRE))
                return NULL; /* main's own teardown asked us to leave */
            gf_log("gfsd", GF_LOG_NOTICE, "received signal %d, exiting", sig);
            __atomic_store_n(&d->exit_signal, sig, __ATOMIC_RELEASE);
            gf_event_pool_stop(d->events);
            return NULL;
        case SIGHUP:
            on_hup(d);
            break;
        case SIGUSR1:
            gfsd_statedump(d, path, sizeof(path));
            break;
        default:
            gf_log("gfsd", GF_LOG_INFO, "signal %d ignored", sig);
            break;
        }
    }
}

int
gfsd_signals_start(gfsd_t *d)
{
    int ret = pthread_create(&d->sig_thread, NULL, sig_main, d);

    if (ret)
        return -ret;
    d->sig_started = true;
    return 0;
}

/* Make the signal thread leave (if TERM did not already) and join it. */
void
gfsd_signals_stop(gfsd_t *d)
{
    if (!d->sig_started)
        return;
    if (!__atomic_load_n(&d->exit_signal, __ATOMIC_ACQUIRE)) {
        __atomic_store_n(&d->sig_quit, true, __ATOMIC_RELEASE);
        pthread_kill(d->sig_thread, SIGTERM);
    }
    pthread_join(d->sig_thread, NULL);
    d->sig_started = false;
}
