/* SPDX-License-Identifier: LGPL-3.0-or-later */
/*
 * client-watch.h - what the protocol/client tests (tests/unit/check-client.c
 * and tests/interop/client-host.c) share: test/watch, a translator to put
 * above protocol/client that counts the CHILD_UP/CHILD_DOWN events
 * reaching the top of the graph (the top has no parent to tell), a
 * bounded wait on those counters, and a loc builder. Header-only: each
 * test includes it once and lists watch_api among its context's
 * built-in translators.
 */
#ifndef GF_TESTS_CLIENT_WATCH_H
#define GF_TESTS_CLIENT_WATCH_H

#include <pthread.h>
#include <string.h>
#include <time.h>

#include <gf/xlator.h>

static struct {
    pthread_mutex_t lock;
    pthread_cond_t cond;
    int up, down;
} W = {PTHREAD_MUTEX_INITIALIZER, PTHREAD_COND_INITIALIZER, 0, 0};

static int
watch_notify(gf_xlator_t *self, gf_xlator_event_t event, void *data)
{
    if (event != GF_EVENT_CHILD_UP && event != GF_EVENT_CHILD_DOWN)
        return gf_xlator_notify_default(self, event, data);
    pthread_mutex_lock(&W.lock);
    if (event == GF_EVENT_CHILD_UP)
        W.up++;
    else
        W.down++;
    pthread_cond_broadcast(&W.cond);
    pthread_mutex_unlock(&W.lock);
    return 0;
}

static int
watch_init(gf_xlator_t *self)
{
    (void)self;
    return 0;
}

static void
watch_fini(gf_xlator_t *self)
{
    (void)self;
}

/* Wait (at most 20 s) until *COUNTER reaches N; returns its value. */
static inline int
wait_count(int *counter, int n)
{
    struct timespec until;
    int v;

    clock_gettime(CLOCK_REALTIME, &until);
    until.tv_sec += 20;
    pthread_mutex_lock(&W.lock);
    while (*counter < n &&
           pthread_cond_timedwait(&W.cond, &W.lock, &until) == 0)
        ;
    v = *counter;
    pthread_mutex_unlock(&W.lock);
    return v;
}

/* A loc: PARENT/NAME (both may be NULL) for INODE (may be NULL). */
static inline gf_loc_t
at(gf_inode_t *parent, const char *name, gf_inode_t *inode)
{
    gf_loc_t l;

    memset(&l, 0, sizeof(l));
    l.parent = parent;
    l.name = name;
    l.inode = inode;
    return l;
}

#endif /* GF_TESTS_CLIENT_WATCH_H */
