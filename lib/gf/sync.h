/* SPDX-License-Identifier: LGPL-3.0-or-later */
/*
 * gf/sync.h - synctasks: coroutines on a pool of processor threads.
 *
 * A syncenv runs synctasks, each a function on its own stack (ucontext),
 * on between procmin and procmax "proc" threads. A task that has to wait
 * (for a fop callback, a synclock, a sleep) yields its proc, which runs
 * another task meanwhile; the waiting task is resumed later, possibly on
 * another proc. This is what lets syncop_<fop>() look synchronous without
 * holding a thread per outstanding request.
 *
 * Stacks are mmap'd with a PROT_NONE guard page below them, so an overflow
 * faults instead of corrupting memory, and are recycled through a small
 * per-env cache. THIS (gf_this) is saved and restored around every switch:
 * each task keeps its own current translator, initially its creator's.
 *
 * Waiting primitives (gf_sync_waiter_t, gf_synclock_t, gf_synccond_t) work
 * both inside a task (they yield) and on a plain thread (they block on a
 * condvar), so code shared by tasks and ordinary threads needs no special
 * case. Their structures are caller-owned (embed them, or put them on the
 * stack) with _init/_fini; their fields are private.
 *
 * Code running in a task may migrate to another thread at any yield: do not
 * keep pointers to thread-local data (errno's address included) across a
 * call that may yield.
 */
#ifndef GF_SYNC_H
#define GF_SYNC_H

#include <pthread.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include <gf/common.h>

#ifdef __cplusplus
extern "C" {
#endif

typedef struct gf_syncenv gf_syncenv_t;
typedef struct gf_synctask gf_synctask_t;
struct gf_timer_wheel;

/* Defaults used for a NULL config or a zero field. */
#define GF_SYNCENV_DEFAULT_PROCMIN 2u
#define GF_SYNCENV_DEFAULT_PROCMAX 16u
#define GF_SYNCENV_DEFAULT_STACK   (2u * 1024u * 1024u)
#define GF_SYNCENV_DEFAULT_IDLE_MS 600000u
#define GF_SYNCENV_DEFAULT_CACHE   64u

/* Hard limits: most procs an env may have, smallest stack it accepts. */
#define GF_SYNCENV_PROC_LIMIT 256u
#define GF_SYNCENV_STACK_MIN  (64u * 1024u)

/* Configuration of a syncenv; a zero field means its default. */
typedef struct gf_syncenv_config {
    unsigned procmin;   /* procs always running (>= 1) */
    unsigned procmax;   /* most procs under load (<= PROC_LIMIT) */
    size_t stack_size;  /* usable stack per task, rounded up to a page */
    unsigned idle_ms;   /* an extra proc idle this long exits */
    unsigned cache_max; /* finished tasks (and stacks) kept for reuse */
    struct gf_timer_wheel *wheel; /* borrowed, for sleeps; NULL: own one,
                                     started at the first sleep */
} gf_syncenv_config_t;

/* Counters of an env, for tests and statedump (gf_syncenv_stats). */
typedef struct gf_syncenv_stats {
    unsigned procs;         /* proc threads now */
    unsigned procs_idle;    /* of which waiting for work */
    unsigned procs_peak;    /* most procs ever at once */
    unsigned runnable;      /* tasks queued to run */
    unsigned tasks_live;    /* tasks created and not finished */
    uint64_t tasks_run;     /* tasks finished */
    uint64_t switches;      /* switches into a task */
    uint64_t stacks_mapped; /* stacks ever mmap'd (cache misses) */
    unsigned stacks_cached; /* finished tasks kept for reuse now */
} gf_syncenv_stats_t;

/* A task's function; its return value goes to the completion callback. */
typedef int (*gf_synctask_fn_t)(void *opaque);
/* Completion callback: FN's return value and the task's OPAQUE. */
typedef void (*gf_synctask_cbk_t)(int ret, void *opaque);

/* Fill CFG with the defaults (all fields explicit, wheel NULL). */
GF_EXPORT void gf_syncenv_config_init(gf_syncenv_config_t *cfg);

/*
 * Create an env and start its procmin procs (threads "gfsproc<N>"). CFG is
 * copied; NULL means all defaults. Returns NULL with errno EINVAL
 * (procmin > procmax, procmax > GF_SYNCENV_PROC_LIMIT, stack below
 * GF_SYNCENV_STACK_MIN or above 1 GiB), ENOMEM, or pthread_create's error.
 */
GF_EXPORT gf_syncenv_t *gf_syncenv_new(const gf_syncenv_config_t *cfg);

/*
 * Wait until every task of ENV has finished (tasks may still create tasks
 * meanwhile), then stop and join every proc (and the env's own timer
 * thread) and free everything. The caller must make sure every task can
 * finish -- a task suspended forever makes this wait forever -- and that
 * no other thread creates tasks in ENV once this is called. Must not be
 * called from a task of ENV (asserts). NULL is ignored.
 */
GF_EXPORT void gf_syncenv_free(gf_syncenv_t *env);

/* Snapshot ENV's counters into OUT (under the env lock). 0, or -EINVAL. */
GF_EXPORT int gf_syncenv_stats(gf_syncenv_t *env, gf_syncenv_stats_t *out);

/*
 * Start a task running FN(OPAQUE) in ENV; when FN returns, CBK(ret,
 * OPAQUE) runs in the task, if CBK is not NULL. The task starts with the
 * caller's THIS. Thread-safe, callable from tasks. Returns 0, or -EINVAL
 * (NULL env or fn), -ESHUTDOWN (ENV is being freed and has no task left),
 * -ENOMEM (no stack). Steady state allocates nothing (stacks recycled).
 */
GF_EXPORT int gf_synctask_new(gf_syncenv_t *env, gf_synctask_fn_t fn,
                              gf_synctask_cbk_t cbk, void *opaque);

/*
 * Run FN(OPAQUE) as a task of ENV and wait for it: a plain thread blocks,
 * a task yields. Returns FN's return value, or the -errno of
 * gf_synctask_new if the task could not be created (FN returning -errno
 * by convention makes the two indistinguishable on purpose).
 */
GF_EXPORT int gf_synctask_run(gf_syncenv_t *env, gf_synctask_fn_t fn,
                              void *opaque);

/* The calling task, or NULL on a plain thread. */
GF_EXPORT gf_synctask_t *gf_synctask_current(void);

/* The env of TASK (NULL for NULL). */
GF_EXPORT gf_syncenv_t *gf_synctask_env(const gf_synctask_t *task);

/*
 * Suspend the calling task until gf_synctask_wake wakes it; the proc runs
 * other tasks meanwhile. A wake that came before (since the last yield
 * returned) is not lost: yield then returns at once. Wakes do not count: N
 * wakes before a yield resume it once. Callers waiting for a condition
 * must re-check it (a wake meant for an earlier wait may arrive late).
 * Returns 0, or -EPERM outside a task.
 */
GF_EXPORT int gf_synctask_yield(void);

/*
 * Wake TASK: resume it if suspended in gf_synctask_yield, else make its
 * next yield return at once. Any thread, any time while TASK is alive
 * (the caller must know it has not finished). A task may wake itself and
 * then yield to let others run. Returns 0, or -EINVAL for NULL.
 */
GF_EXPORT int gf_synctask_wake(gf_synctask_t *task);

/*
 * Suspend the calling task for at least MS milliseconds without blocking
 * its proc (other tasks run meanwhile). Wakes arriving during the sleep do
 * not end it; they are kept for the next yield. Returns 0, -EPERM outside
 * a task, or -errno if no timer could be armed (then it did not sleep).
 */
GF_EXPORT int gf_synctask_sleep_ms(uint64_t ms);

/*
 * A waiter: one party waits (a task yields, a plain thread blocks) until
 * others have woken it. Wakes count, so it also serves as a barrier: wake
 * it once per completed sub-request, and wait_n(N) returns when all N are
 * in, however they interleave with the wait. This is what syncop uses to
 * wait for fop callbacks arriving on any thread.
 */
typedef struct gf_sync_waiter {
    /* private */
    pthread_mutex_t lock;
    pthread_cond_t cond;
    gf_synctask_t *task; /* the waiting task, if a task waits */
    unsigned count;      /* wakes not yet consumed */
    unsigned need;       /* wakes the current waiter needs; 0 if none */
} gf_sync_waiter_t;

/* Initialise W with no pending wake. 0, or -EINVAL / pthread error. */
GF_EXPORT int gf_sync_waiter_init(gf_sync_waiter_t *w);

/* Destroy W; nobody may wait on or wake it any more. NULL is ignored. */
GF_EXPORT void gf_sync_waiter_fini(gf_sync_waiter_t *w);

/*
 * Wait until W has N wakes pending (counting those that came before the
 * call), then consume N of them. One waiter at a time. Returns 0, -EINVAL
 * (NULL, N 0), -EBUSY if another party is already waiting.
 */
GF_EXPORT int gf_sync_waiter_wait_n(gf_sync_waiter_t *w, unsigned n);

/* gf_sync_waiter_wait_n(W, 1). */
GF_EXPORT int gf_sync_waiter_wait(gf_sync_waiter_t *w);

/*
 * Add one wake to W and resume its waiter if it now has enough. Any
 * thread, task or not. W may be destroyed by the waiter as soon as this
 * has released it, so the caller must not touch W after it returns.
 * Returns 0, or -EINVAL for NULL.
 */
GF_EXPORT int gf_sync_waiter_wake(gf_sync_waiter_t *w);

/* A node of a synclock/synccond wait queue (private). */
struct gf_sync_wait;

/*
 * A mutex for tasks and plain threads alike: a task that finds it taken
 * yields its proc; a thread blocks. Ownership passes in FIFO order to the
 * next waiter on unlock. Not recursive.
 */
typedef struct gf_synclock {
    /* private */
    pthread_mutex_t guard;
    pthread_cond_t cond; /* plain threads waiting */
    const void *owner;   /* the owning task or thread token; NULL free */
    struct gf_sync_wait *head, *tail;
} gf_synclock_t;

/* 0, or -EINVAL / pthread error. */
GF_EXPORT int gf_synclock_init(gf_synclock_t *l);
/* L must be unlocked with no waiter. NULL is ignored. */
GF_EXPORT void gf_synclock_fini(gf_synclock_t *l);

/* Take L, waiting as needed. 0, -EINVAL, or -EDEADLK if the caller owns
 * it already. */
GF_EXPORT int gf_synclock_lock(gf_synclock_t *l);

/* Take L if free. 0, -EBUSY, or -EINVAL. */
GF_EXPORT int gf_synclock_trylock(gf_synclock_t *l);

/* Release L (handing it to the next waiter). 0, -EINVAL, or -EPERM if the
 * caller (task or thread) does not own it. */
GF_EXPORT int gf_synclock_unlock(gf_synclock_t *l);

/* A condition variable used with a gf_synclock_t, by tasks and threads. */
typedef struct gf_synccond {
    /* private */
    pthread_mutex_t guard;
    pthread_cond_t cond; /* plain threads waiting */
    struct gf_sync_wait *head, *tail;
} gf_synccond_t;

/* 0, or -EINVAL / pthread error. */
GF_EXPORT int gf_synccond_init(gf_synccond_t *c);
/* C must have no waiter. NULL is ignored. */
GF_EXPORT void gf_synccond_fini(gf_synccond_t *c);

/*
 * Atomically release L (which the caller owns) and wait for a signal on
 * C, then take L again before returning. Wake-ups are exact (no spurious
 * return) but the caller should still re-check its predicate, since
 * another party may have taken L first. 0, -EINVAL, or -EPERM if the
 * caller does not own L.
 */
GF_EXPORT int gf_synccond_wait(gf_synccond_t *c, gf_synclock_t *l);

/* Wake the longest waiting party of C, if any. 0, or -EINVAL. */
GF_EXPORT int gf_synccond_signal(gf_synccond_t *c);

/* Wake every party waiting on C. 0, or -EINVAL. */
GF_EXPORT int gf_synccond_broadcast(gf_synccond_t *c);

#ifdef __cplusplus
}
#endif

#endif /* GF_SYNC_H */
