/* SPDX-License-Identifier: LGPL-3.0-or-later */
/*
 * check-locks.c - features/locks through the real loader, over test/sink:
 * lk conflicts, F_GETLK, split and merge, blocking requests granted in
 * order, locks dropped on fd release, on flush and on client disconnect,
 * inodelk domains independent of each other and of lk, entry locks on
 * names and whole directories, the statedump, and many threads hammering
 * one range (no lost wakeup, no deadlock, bounded time).
 *
 * Requests are wound by hand (not syncops) so a parked one can be seen
 * not to have been answered yet.
 */
#include <errno.h>
#include <fcntl.h>
#include <pthread.h>
#include <sched.h>
#include <stdatomic.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <gf/fd.h>
#include <gf/graph.h>
#include <gf/inode.h>
#include <gf/volfile.h>
#include <gf/xlator.h>

#include "gf-test.h"

static const char vol[] = "volume leaf\n  type test/sink\nend-volume\n"
                          "volume locks\n  type features/locks\n"
                          "  subvolumes leaf\nend-volume\n";

typedef struct env {
    gf_ctx_t *ctx;
    gf_volfile_t *vf;
    gf_graph_t *graph;
    gf_call_pool_t *pool;
    gf_xlator_t *top;
    gf_inode_table_t *itable;
} env_t;

/* One request and its answer. */
typedef struct call {
    gf_frame_t *frame;
    gf_flock_t flock;
    gf_lkowner_t owner;
    gf_loc_t loc;
    _Atomic int done;
    int op_ret;
    int op_errno;
    int seq; /* order of the answer */
} call_t;

static _Atomic int answers;

static void
env_start(env_t *e)
{
    gf_volfile_error_t verr;
    char err[512];

    memset(e, 0, sizeof(*e));
    e->ctx = gf_ctx_new();
    ck_assert_int_eq(gf_volfile_parse(vol, strlen(vol), "t.vol", &e->vf, &verr),
                     0);
    ck_assert_msg(gf_graph_new(e->ctx, e->vf, &e->graph, err, sizeof(err)) == 0,
                  "%s", err);
    ck_assert_msg(gf_graph_init(e->graph, err, sizeof(err)) == 0, "%s", err);
    ck_assert_int_eq(gf_graph_activate(e->graph), 0);
    e->pool = gf_call_pool_new(e->ctx);
    e->top = gf_graph_top(e->graph);
    e->itable = gf_xlator_inode_table_new(e->top, 0);
    ck_assert_ptr_nonnull(e->itable);
}

static void
env_stop(env_t *e)
{
    gf_inode_table_free(e->itable);
    gf_graph_free(e->graph);
    ck_assert_uint_eq(gf_call_pool_count(e->pool), 0);
    gf_call_pool_free(e->pool);
    gf_volfile_free(e->vf);
    gf_ctx_free(e->ctx);
}

static void
answered(call_t *c, int32_t op_ret, int32_t op_errno)
{
    c->op_ret = op_ret;
    c->op_errno = op_errno;
    c->seq = atomic_fetch_add(&answers, 1);
    atomic_store(&c->done, 1);
}

static int
lk_cbk(gf_frame_t *frame, void *cookie, gf_xlator_t *self, int32_t op_ret,
       int32_t op_errno, gf_flock_t *flock, gf_dict_t *xdata)
{
    (void)frame, (void)self, (void)flock, (void)xdata;
    answered(cookie, op_ret, op_errno);
    return 0;
}

static int
xdata_cbk(gf_frame_t *frame, void *cookie, gf_xlator_t *self, int32_t op_ret,
          int32_t op_errno, gf_dict_t *xdata)
{
    (void)frame, (void)self, (void)xdata;
    answered(cookie, op_ret, op_errno);
    return 0;
}

/* Start C as client CLIENT with lock owner OWNER. */
static void
call_begin(env_t *e, call_t *c, uint64_t client, int owner)
{
    gf_identity_t id = {.client = client, .lk_owner = &c->owner};

    memset(c, 0, sizeof(*c));
    c->owner.len = sizeof(owner);
    memcpy(c->owner.data, &owner, sizeof(owner));
    c->frame = gf_frame_new(e->pool, e->top, &id);
    ck_assert_ptr_nonnull(c->frame);
}

static void
set_flock(call_t *c, short type, int64_t start, int64_t len)
{
    c->flock.type = type;
    c->flock.whence = SEEK_SET;
    c->flock.start = start;
    c->flock.len = len;
    c->flock.pid = 4242;
}

static void
lk(env_t *e, call_t *c, gf_fd_t *fd, uint64_t client, int owner, int cmd,
   short type, int64_t start, int64_t len)
{
    call_begin(e, c, client, owner);
    set_flock(c, type, start, len);
    gf_wind_lk(c->frame, e->top, lk_cbk, c, fd, cmd, &c->flock, NULL);
}

static void
inodelk(env_t *e, call_t *c, const char *dom, gf_inode_t *inode,
        uint64_t client, int owner, int cmd, short type, int64_t start,
        int64_t len)
{
    call_begin(e, c, client, owner);
    set_flock(c, type, start, len);
    c->loc.inode = inode;
    gf_wind_inodelk(c->frame, e->top, xdata_cbk, c, dom, &c->loc, cmd,
                    &c->flock, NULL);
}

static void
entrylk(env_t *e, call_t *c, const char *dom, gf_inode_t *dir, const char *name,
        uint64_t client, int owner, int cmd, int type)
{
    call_begin(e, c, client, owner);
    c->loc.inode = dir;
    gf_wind_entrylk(c->frame, e->top, xdata_cbk, c, dom, &c->loc, name, cmd,
                    type, NULL);
}

/* Wait (at most 10 s) for C's answer; then its result, and free it. */
static int
result(call_t *c)
{
    for (int i = 0; i < 10000 && !atomic_load(&c->done); i++)
        usleep(1000);
    ck_assert_msg(atomic_load(&c->done), "no answer");
    gf_stack_destroy(gf_frame_stack(c->frame));
    c->frame = NULL;
    return c->op_ret < 0 ? -c->op_errno : c->op_ret;
}

/* A quick request: answered before the wind returned. */
static int
now(call_t *c)
{
    ck_assert_msg(atomic_load(&c->done), "parked, expected an answer");
    return result(c);
}

static bool
parked(call_t *c)
{
    usleep(2000);
    return !atomic_load(&c->done);
}

static int
lk_now(env_t *e, gf_fd_t *fd, uint64_t client, int owner, int cmd, short type,
       int64_t start, int64_t len)
{
    call_t c;

    lk(e, &c, fd, client, owner, cmd, type, start, len);
    return now(&c);
}

static gf_fd_t *
open_fd(env_t *e, gf_inode_t **inode)
{
    if (!*inode)
        *inode = gf_inode_new(e->itable);
    ck_assert_ptr_nonnull(*inode);
    return gf_fd_new(*inode, O_RDWR, 1);
}

/* ---- lk ---------------------------------------------------------------- */

START_TEST(lk_conflicts_and_getlk)
{
    env_t e;
    gf_inode_t *in = NULL;
    gf_fd_t *fd1, *fd2;
    call_t c;

    env_start(&e);
    fd1 = open_fd(&e, &in);
    fd2 = open_fd(&e, &in);
    ck_assert_int_eq(lk_now(&e, fd1, 1, 7, F_SETLK, F_WRLCK, 0, 100), 0);
    /* Another client, even with the same owner bytes, conflicts. */
    ck_assert_int_eq(lk_now(&e, fd2, 2, 7, F_SETLK, F_RDLCK, 50, 10), -EAGAIN);
    ck_assert_int_eq(lk_now(&e, fd2, 1, 8, F_SETLK, F_RDLCK, 99, 1), -EAGAIN);
    ck_assert_int_eq(lk_now(&e, fd2, 2, 7, F_SETLK, F_RDLCK, 100, 0), 0);
    /* The owner itself may relock its range. */
    ck_assert_int_eq(lk_now(&e, fd1, 1, 7, F_SETLK, F_WRLCK, 10, 10), 0);
    lk(&e, &c, fd2, 2, 9, F_GETLK, F_RDLCK, 20, 5);
    ck_assert_int_eq(now(&c), 0);
    ck_assert_int_eq(c.flock.type, F_WRLCK);
    ck_assert_int_eq(c.flock.start, 0);
    ck_assert_int_eq(c.flock.len, 100);
    ck_assert_int_eq(c.flock.pid, 4242);
    ck_assert_uint_eq(c.flock.owner.len, sizeof(int));
    lk(&e, &c, fd1, 1, 7, F_GETLK, F_WRLCK, 0, 100);
    ck_assert_int_eq(now(&c), 0);
    ck_assert_int_eq(c.flock.type, F_UNLCK); /* own locks never block */
    /* A read lock from 100 on blocks writers there, not readers. */
    lk(&e, &c, fd1, 1, 7, F_GETLK, F_WRLCK, 200, 1);
    ck_assert_int_eq(now(&c), 0);
    ck_assert_int_eq(c.flock.type, F_RDLCK);
    ck_assert_int_eq(c.flock.start, 100);
    ck_assert_int_eq(c.flock.len, 0);
    ck_assert_int_eq(lk_now(&e, fd1, 3, 1, F_SETLK, F_RDLCK, 500, 1), 0);
    /* Bad requests. */
    ck_assert_int_eq(lk_now(&e, fd1, 1, 7, 99, F_RDLCK, 0, 1), -EINVAL);
    ck_assert_int_eq(lk_now(&e, fd1, 1, 7, F_SETLK, 77, 0, 1), -EINVAL);
    ck_assert_int_eq(lk_now(&e, fd1, 1, 7, F_SETLK, F_RDLCK, -5, 1), -EINVAL);
    for (uint64_t cl = 1; cl <= 3; cl++)
        gf_xlator_client_disconnect(e.top, cl);
    gf_fd_unref(fd1);
    gf_fd_unref(fd2);
    gf_inode_unref(in);
    env_stop(&e);
}
END_TEST

START_TEST(lk_unlock_splits_and_locks_merge)
{
    env_t e;
    gf_inode_t *in = NULL;
    gf_fd_t *fd = NULL;
    call_t c;

    env_start(&e);
    fd = open_fd(&e, &in);
    ck_assert_int_eq(lk_now(&e, fd, 1, 1, F_SETLK, F_WRLCK, 0, 100), 0);
    /* A hole in the middle: [0,40) and [60,100) stay. */
    ck_assert_int_eq(lk_now(&e, fd, 1, 1, F_SETLK, F_UNLCK, 40, 20), 0);
    ck_assert_int_eq(lk_now(&e, fd, 2, 2, F_SETLK, F_WRLCK, 40, 20), 0);
    ck_assert_int_eq(lk_now(&e, fd, 2, 2, F_SETLK, F_WRLCK, 39, 1), -EAGAIN);
    ck_assert_int_eq(lk_now(&e, fd, 2, 2, F_SETLK, F_WRLCK, 60, 1), -EAGAIN);
    ck_assert_int_eq(lk_now(&e, fd, 2, 2, F_SETLK, F_UNLCK, 0, 0), 0);
    /* Filling the hole merges the three into one lock. */
    ck_assert_int_eq(lk_now(&e, fd, 1, 1, F_SETLK, F_WRLCK, 40, 20), 0);
    lk(&e, &c, fd, 2, 2, F_GETLK, F_RDLCK, 0, 0);
    ck_assert_int_eq(now(&c), 0);
    ck_assert_int_eq(c.flock.start, 0);
    ck_assert_int_eq(c.flock.len, 100);
    /* A downgrade of part of it lets readers in there only. */
    ck_assert_int_eq(lk_now(&e, fd, 1, 1, F_SETLK, F_RDLCK, 10, 10), 0);
    ck_assert_int_eq(lk_now(&e, fd, 2, 2, F_SETLK, F_RDLCK, 10, 10), 0);
    ck_assert_int_eq(lk_now(&e, fd, 2, 2, F_SETLK, F_RDLCK, 9, 2), -EAGAIN);
    ck_assert_int_eq(lk_now(&e, fd, 2, 2, F_SETLK, F_RDLCK, 19, 2), -EAGAIN);
    gf_xlator_client_disconnect(e.top, 1);
    gf_xlator_client_disconnect(e.top, 2);
    gf_fd_unref(fd);
    gf_inode_unref(in);
    env_stop(&e);
}
END_TEST

START_TEST(lk_waiters_are_granted_in_order)
{
    env_t e;
    gf_inode_t *in = NULL;
    gf_fd_t *fd;
    call_t w[3], r[2];

    env_start(&e);
    fd = open_fd(&e, &in);
    ck_assert_int_eq(lk_now(&e, fd, 1, 1, F_SETLK, F_WRLCK, 0, 10), 0);
    for (int i = 0; i < 3; i++) {
        lk(&e, &w[i], fd, 10 + (uint64_t)i, 1, F_SETLKW, F_WRLCK, 5, 1);
        ck_assert(parked(&w[i]));
    }
    ck_assert_int_eq(lk_now(&e, fd, 1, 1, F_SETLK, F_UNLCK, 0, 0), 0);
    ck_assert_int_eq(result(&w[0]), 0);
    ck_assert(parked(&w[1]) && parked(&w[2]));
    /* Readers behind the writers get in together once they are through. */
    lk(&e, &r[0], fd, 20, 1, F_SETLKW, F_RDLCK, 0, 0);
    lk(&e, &r[1], fd, 21, 1, F_SETLKW, F_RDLCK, 0, 0);
    ck_assert(parked(&r[0]) && parked(&r[1]));
    ck_assert_int_eq(lk_now(&e, fd, 10, 1, F_SETLK, F_UNLCK, 0, 0), 0);
    ck_assert_int_eq(result(&w[1]), 0);
    ck_assert(parked(&w[2]) && parked(&r[0]));
    ck_assert_int_eq(lk_now(&e, fd, 11, 1, F_SETLK, F_UNLCK, 0, 0), 0);
    ck_assert_int_eq(result(&w[2]), 0);
    ck_assert_int_eq(lk_now(&e, fd, 12, 1, F_SETLK, F_UNLCK, 5, 1), 0);
    ck_assert_int_eq(result(&r[0]), 0);
    ck_assert_int_eq(result(&r[1]), 0);
    ck_assert_int_lt(w[0].seq, w[1].seq);
    ck_assert_int_lt(w[1].seq, w[2].seq);
    ck_assert_int_lt(w[2].seq, r[0].seq);
    gf_xlator_client_disconnect(e.top, 20);
    gf_xlator_client_disconnect(e.top, 21);
    gf_fd_unref(fd);
    gf_inode_unref(in);
    env_stop(&e);
}
END_TEST

START_TEST(lk_locks_go_with_their_fd_and_on_flush)
{
    env_t e;
    gf_inode_t *in = NULL;
    gf_fd_t *fd1, *fd2, *fd3;
    call_t w, f;

    env_start(&e);
    fd1 = open_fd(&e, &in);
    fd2 = open_fd(&e, &in);
    fd3 = open_fd(&e, &in);
    ck_assert_int_eq(lk_now(&e, fd1, 1, 1, F_SETLK, F_WRLCK, 0, 0), 0);
    lk(&e, &w, fd2, 2, 2, F_SETLKW, F_WRLCK, 0, 1);
    ck_assert(parked(&w));
    gf_fd_unref(fd1); /* the last reference: released */
    ck_assert_int_eq(result(&w), 0);
    /* Flush by another owner leaves the lock; by its owner drops it. */
    call_begin(&e, &f, 2, 3);
    gf_wind_flush(f.frame, e.top, xdata_cbk, &f, fd3, NULL);
    ck_assert_int_eq(now(&f), 0);
    ck_assert_int_eq(lk_now(&e, fd3, 3, 3, F_SETLK, F_RDLCK, 0, 1), -EAGAIN);
    call_begin(&e, &f, 2, 2);
    gf_wind_flush(f.frame, e.top, xdata_cbk, &f, fd3, NULL);
    ck_assert_int_eq(now(&f), 0);
    ck_assert_int_eq(lk_now(&e, fd3, 3, 3, F_SETLK, F_WRLCK, 0, 1), 0);
    gf_fd_unref(fd3);
    gf_fd_unref(fd2);
    gf_inode_unref(in);
    env_stop(&e);
}
END_TEST

/* ---- inodelk ----------------------------------------------------------- */

static int
inodelk_now(env_t *e, const char *dom, gf_inode_t *in, uint64_t client, int cmd,
            short type)
{
    call_t c;

    inodelk(e, &c, dom, in, client, 1, cmd, type, 0, 0);
    return now(&c);
}

START_TEST(inodelk_domains_are_independent)
{
    env_t e;
    gf_inode_t *in = NULL;
    gf_fd_t *fd;
    call_t c, w;

    env_start(&e);
    fd = open_fd(&e, &in);
    ck_assert_int_eq(inodelk_now(&e, "d1", in, 1, F_SETLK, F_WRLCK), 0);
    ck_assert_int_eq(inodelk_now(&e, "d1", in, 2, F_SETLK, F_RDLCK), -EAGAIN);
    ck_assert_int_eq(inodelk_now(&e, "d2", in, 2, F_SETLK, F_WRLCK), 0);
    ck_assert_int_eq(lk_now(&e, fd, 2, 1, F_SETLK, F_WRLCK, 0, 0), 0);
    /* finodelk is the same lock, named through an fd. */
    call_begin(&e, &c, 2, 1);
    set_flock(&c, F_WRLCK, 0, 1);
    gf_wind_finodelk(c.frame, e.top, xdata_cbk, &c, "d1", fd, F_SETLK, &c.flock,
                     NULL);
    ck_assert_int_eq(now(&c), -EAGAIN);
    /* A blocking one waits for the holder. */
    inodelk(&e, &w, "d1", in, 2, 1, F_SETLKW, F_WRLCK, 0, 0);
    ck_assert(parked(&w));
    ck_assert_int_eq(inodelk_now(&e, "d1", in, 1, F_SETLK, F_UNLCK), 0);
    ck_assert_int_eq(result(&w), 0);
    /* Unlocking what is not held is an error for inodelk. */
    ck_assert_int_eq(inodelk_now(&e, "d1", in, 1, F_SETLK, F_UNLCK), -EINVAL);
    /* inodelks stack, as upstream's: the same read lock taken twice by one
     * owner (distribute does it) needs two unlocks, and holds off a
     * writer until the second. */
    ck_assert_int_eq(inodelk_now(&e, "d3", in, 1, F_SETLK, F_RDLCK), 0);
    ck_assert_int_eq(inodelk_now(&e, "d3", in, 1, F_SETLK, F_RDLCK), 0);
    ck_assert_int_eq(inodelk_now(&e, "d3", in, 1, F_SETLK, F_UNLCK), 0);
    ck_assert_int_eq(inodelk_now(&e, "d3", in, 3, F_SETLK, F_WRLCK), -EAGAIN);
    ck_assert_int_eq(inodelk_now(&e, "d3", in, 1, F_SETLK, F_UNLCK), 0);
    ck_assert_int_eq(inodelk_now(&e, "d3", in, 1, F_SETLK, F_UNLCK), -EINVAL);
    ck_assert_int_eq(inodelk_now(&e, "d3", in, 3, F_SETLK, F_WRLCK), 0);
    ck_assert_int_eq(inodelk_now(&e, "d3", in, 3, F_SETLK, F_UNLCK), 0);
    ck_assert_int_eq(inodelk_now(&e, "d1", in, 2, F_SETLK, F_UNLCK), 0);
    ck_assert_int_eq(inodelk_now(&e, "d2", in, 2, F_SETLK, F_UNLCK), 0);
    ck_assert_int_eq(lk_now(&e, fd, 2, 1, F_SETLK, F_UNLCK, 0, 0), 0);
    gf_fd_unref(fd);
    gf_inode_unref(in);
    env_stop(&e);
}
END_TEST

/* ---- entrylk ----------------------------------------------------------- */

static int
entrylk_now(env_t *e, gf_inode_t *dir, const char *name, uint64_t client,
            int cmd, int type)
{
    call_t c;

    entrylk(e, &c, "dom", dir, name, client, 1, cmd, type);
    return now(&c);
}

START_TEST(entrylk_names_and_whole_directory)
{
    env_t e;
    gf_inode_t *dir = NULL;
    gf_fd_t *fd;
    call_t w, c;

    env_start(&e);
    fd = open_fd(&e, &dir);
    ck_assert_int_eq(
        entrylk_now(&e, dir, "x", 1, GF_ENTRYLK_LOCK_NB, GF_ENTRYLK_WRLCK), 0);
    ck_assert_int_eq(
        entrylk_now(&e, dir, "y", 2, GF_ENTRYLK_LOCK_NB, GF_ENTRYLK_WRLCK), 0);
    ck_assert_int_eq(
        entrylk_now(&e, dir, "x", 2, GF_ENTRYLK_LOCK_NB, GF_ENTRYLK_RDLCK),
        -EAGAIN);
    ck_assert_int_eq(
        entrylk_now(&e, dir, NULL, 3, GF_ENTRYLK_LOCK_NB, GF_ENTRYLK_RDLCK),
        -EAGAIN);
    /* Whole-directory lock once the names are free; a name waits. */
    ck_assert_int_eq(
        entrylk_now(&e, dir, "x", 1, GF_ENTRYLK_UNLOCK, GF_ENTRYLK_WRLCK), 0);
    ck_assert_int_eq(
        entrylk_now(&e, dir, "y", 2, GF_ENTRYLK_UNLOCK, GF_ENTRYLK_WRLCK), 0);
    ck_assert_int_eq(
        entrylk_now(&e, dir, "y", 2, GF_ENTRYLK_UNLOCK, GF_ENTRYLK_WRLCK),
        -EINVAL);
    call_begin(&e, &c, 3, 1);
    gf_wind_fentrylk(c.frame, e.top, xdata_cbk, &c, "dom", fd, NULL,
                     GF_ENTRYLK_LOCK, GF_ENTRYLK_WRLCK, NULL);
    ck_assert_int_eq(now(&c), 0);
    entrylk(&e, &w, "dom", dir, "z", 1, 1, GF_ENTRYLK_LOCK, GF_ENTRYLK_RDLCK);
    ck_assert(parked(&w));
    /* Another domain does not see it. */
    entrylk(&e, &c, "other", dir, "z", 1, 1, GF_ENTRYLK_LOCK_NB,
            GF_ENTRYLK_WRLCK);
    ck_assert_int_eq(now(&c), 0);
    ck_assert_int_eq(
        entrylk_now(&e, dir, NULL, 3, GF_ENTRYLK_UNLOCK, GF_ENTRYLK_WRLCK), 0);
    ck_assert_int_eq(result(&w), 0);
    ck_assert_int_eq(entrylk_now(&e, dir, "z", 1, GF_ENTRYLK_LOCK_NB, 5),
                     -EINVAL);
    gf_xlator_client_disconnect(e.top, 1);
    gf_fd_unref(fd);
    gf_inode_unref(dir);
    env_stop(&e);
}
END_TEST

/* ---- client disconnect ------------------------------------------------- */

START_TEST(client_disconnect_drops_locks_and_grants_waiters)
{
    env_t e;
    gf_inode_t *in = NULL;
    gf_fd_t *fd;
    call_t w1, w2, w3, own, other;

    env_start(&e);
    fd = open_fd(&e, &in);
    ck_assert_int_eq(lk_now(&e, fd, 1, 1, F_SETLK, F_WRLCK, 0, 0), 0);
    ck_assert_int_eq(inodelk_now(&e, "d", in, 1, F_SETLK, F_WRLCK), 0);
    ck_assert_int_eq(
        entrylk_now(&e, in, "n", 1, GF_ENTRYLK_LOCK, GF_ENTRYLK_WRLCK), 0);
    ck_assert_int_eq(inodelk_now(&e, "e", in, 2, F_SETLK, F_WRLCK), 0);
    lk(&e, &w1, fd, 2, 1, F_SETLKW, F_RDLCK, 0, 1);
    inodelk(&e, &w2, "d", in, 2, 1, F_SETLKW, F_WRLCK, 0, 0);
    entrylk(&e, &w3, "dom", in, "n", 2, 1, GF_ENTRYLK_LOCK, GF_ENTRYLK_RDLCK);
    /* Client 1 itself waits for client 2's lock. */
    inodelk(&e, &own, "e", in, 1, 1, F_SETLKW, F_WRLCK, 0, 0);
    ck_assert(parked(&w1) && parked(&w2) && parked(&w3) && parked(&own));
    ck_assert_int_eq(gf_xlator_client_disconnect(e.top, 1), 0);
    ck_assert_int_eq(result(&own), -EAGAIN);
    ck_assert_int_eq(result(&w1), 0);
    ck_assert_int_eq(result(&w2), 0);
    ck_assert_int_eq(result(&w3), 0);
    /* A third client now sees client 2's locks only. */
    lk(&e, &other, fd, 3, 1, F_GETLK, F_WRLCK, 0, 0);
    ck_assert_int_eq(now(&other), 0);
    ck_assert_int_eq(other.flock.type, F_RDLCK);
    ck_assert_int_eq(gf_xlator_client_disconnect(e.top, 2), 0);
    ck_assert_int_eq(inodelk_now(&e, "e", in, 3, F_SETLK, F_WRLCK), 0);
    ck_assert_int_eq(gf_xlator_client_disconnect(e.top, 3), 0);
    gf_fd_unref(fd);
    gf_inode_unref(in);
    env_stop(&e);
}
END_TEST

/* ---- statedump --------------------------------------------------------- */

START_TEST(statedump_lists_granted_and_blocked)
{
    env_t e;
    gf_inode_t *in = NULL;
    gf_fd_t *fd;
    call_t w;
    char *buf = NULL;
    size_t len = 0;
    FILE *f;

    env_start(&e);
    fd = open_fd(&e, &in);
    ck_assert_int_eq(lk_now(&e, fd, 1, 1, F_SETLK, F_WRLCK, 0, 10), 0);
    lk(&e, &w, fd, 2, 1, F_SETLKW, F_RDLCK, 5, 1);
    ck_assert(parked(&w));
    f = open_memstream(&buf, &len);
    ck_assert_int_eq(gf_graph_dump(e.graph, f), 0);
    fclose(f);
    ck_assert_msg(strstr(buf, "active_inodes=1") != NULL, "%s", buf);
    ck_assert_msg(strstr(buf, "inode.0.posix.granted=domain= type=WRITE "
                              "start=0 len=10 pid=4242 client=1") != NULL,
                  "%s", buf);
    ck_assert_msg(strstr(buf, "inode.0.posix.blocked=domain= type=READ "
                              "start=5 len=1 pid=4242 client=2") != NULL,
                  "%s", buf);
    free(buf);
    gf_xlator_client_disconnect(e.top, 1);
    ck_assert_int_eq(result(&w), 0);
    gf_xlator_client_disconnect(e.top, 2);
    gf_fd_unref(fd);
    gf_inode_unref(in);
    env_stop(&e);
}
END_TEST

/* ---- threads ----------------------------------------------------------- */

enum { HAMMER_THREADS = 8, HAMMER_ROUNDS = 300 };

typedef struct hammer {
    env_t *e;
    gf_fd_t *fd;
    int id;
    _Atomic int *readers;
    _Atomic int *writers;
    _Atomic int *violations;
} hammer_t;

static void *
hammer_run(void *arg)
{
    hammer_t *h = arg;
    bool writer = h->id % 2 == 0;
    call_t c;

    for (int i = 0; i < HAMMER_ROUNDS; i++) {
        lk(h->e, &c, h->fd, 100 + (uint64_t)h->id, h->id, F_SETLKW,
           writer ? F_WRLCK : F_RDLCK, 10 * (i % 3), 25);
        for (int t = 0; t < 10000 && !atomic_load(&c.done); t++)
            usleep(1000);
        if (!atomic_load(&c.done) || c.op_ret != 0) {
            atomic_fetch_add(h->violations, 1000);
            return NULL; /* the frame leaks: the test fails anyway */
        }
        gf_stack_destroy(gf_frame_stack(c.frame));
        /* Every range covers [20, 25): check exclusion there. */
        if (writer) {
            if (atomic_fetch_add(h->writers, 1) != 0 ||
                atomic_load(h->readers) != 0)
                atomic_fetch_add(h->violations, 1);
        } else {
            atomic_fetch_add(h->readers, 1);
            if (atomic_load(h->writers) != 0)
                atomic_fetch_add(h->violations, 1);
        }
        sched_yield();
        if (writer)
            atomic_fetch_sub(h->writers, 1);
        else
            atomic_fetch_sub(h->readers, 1);
        lk(h->e, &c, h->fd, 100 + (uint64_t)h->id, h->id, F_SETLK, F_UNLCK, 0,
           0);
        if (!atomic_load(&c.done) || c.op_ret != 0)
            atomic_fetch_add(h->violations, 1);
        gf_stack_destroy(gf_frame_stack(c.frame));
    }
    return NULL;
}

START_TEST(threads_hammering_one_range_never_deadlock)
{
    env_t e;
    gf_inode_t *in = NULL;
    gf_fd_t *fd;
    pthread_t t[HAMMER_THREADS];
    hammer_t h[HAMMER_THREADS];
    _Atomic int readers = 0, writers = 0, violations = 0;

    env_start(&e);
    fd = open_fd(&e, &in);
    for (int i = 0; i < HAMMER_THREADS; i++) {
        h[i] = (hammer_t){&e, fd, i, &readers, &writers, &violations};
        ck_assert_int_eq(pthread_create(&t[i], NULL, hammer_run, &h[i]), 0);
    }
    for (int i = 0; i < HAMMER_THREADS; i++)
        pthread_join(t[i], NULL);
    ck_assert_int_eq(atomic_load(&violations), 0);
    /* Nothing is left: another client takes the whole file at once. */
    ck_assert_int_eq(lk_now(&e, fd, 1, 1, F_SETLK, F_WRLCK, 0, 0), 0);
    gf_xlator_client_disconnect(e.top, 1);
    gf_fd_unref(fd);
    gf_inode_unref(in);
    env_stop(&e);
}
END_TEST

int
main(void)
{
    Suite *s = suite_create("locks");
    TCase *tc = tcase_create("core");

    tcase_set_timeout(tc, 60);
    tcase_add_test(tc, lk_conflicts_and_getlk);
    tcase_add_test(tc, lk_unlock_splits_and_locks_merge);
    tcase_add_test(tc, lk_waiters_are_granted_in_order);
    tcase_add_test(tc, lk_locks_go_with_their_fd_and_on_flush);
    tcase_add_test(tc, inodelk_domains_are_independent);
    tcase_add_test(tc, entrylk_names_and_whole_directory);
    tcase_add_test(tc, client_disconnect_drops_locks_and_grants_waiters);
    tcase_add_test(tc, statedump_lists_granted_and_blocked);
    tcase_add_test(tc, threads_hammering_one_range_never_deadlock);
    suite_add_tcase(s, tc);
    return gf_test_run(s);
}
