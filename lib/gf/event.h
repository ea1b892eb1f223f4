/* SPDX-License-Identifier: LGPL-3.0-or-later */
/*
 * gf/event.h - the event pool: file descriptors watched by event threads.
 *
 * A pool owns N event threads, each running its own loop (libevent, epoll
 * backend). A registered fd lives on exactly one thread at a time, so its
 * handler never runs concurrently with itself; new fds go to the least
 * loaded thread. Handlers run on event threads and must never block: no
 * disk I/O, no sleeping on locks held across I/O, no waiting for another
 * event thread. Hand slow work to other threads and come back with
 * gf_event_post().
 *
 * Ids: gf_event_register() returns an id >= 0 naming the registration (not
 * the fd). Ids are recycled after unregistration; a stale id is detected
 * (-ENOENT) until its slot has been reused 2048 times.
 *
 * Threads: every function here is thread-safe and may be called from a
 * handler, except gf_event_pool_free() and gf_event_dispatch(), which must
 * not be called from an event thread of the same pool.
 *
 * No libevent type appears here: plugins need no libevent headers.
 */
#ifndef GF_EVENT_H
#define GF_EVENT_H

#include <stdbool.h>

#include <gf/common.h>

#ifdef __cplusplus
extern "C" {
#endif

typedef struct gf_event_pool gf_event_pool_t;

/* Bits of the EVENTS argument of a handler. */
enum gf_event_flags {
    GF_EVENT_IN = 0x1,  /* readable (or EOF, or an error to read) */
    GF_EVENT_OUT = 0x2, /* writable (or an error to write) */
    GF_EVENT_ERR = 0x4, /* socket error pending (SO_ERROR), with HUP only */
    GF_EVENT_HUP = 0x8, /* peer closed (epoll only, while IN is selected) */
};

/* Default and largest number of event threads of a pool. */
enum gf_event_limits {
    GF_EVENT_DEFAULT_THREADS = 2,
    GF_EVENT_MAX_THREADS = 64,
};

/*
 * Called on the fd's event thread when FD (registered as ID with DATA) is
 * ready; EVENTS is a mask of enum gf_event_flags. ERR and HUP are hints:
 * the result of read/write is authoritative. Must not block.
 */
typedef void (*gf_event_handler_t)(int id, int fd, void *data, unsigned events);

/* Completion of gf_event_unregister(_close); see there. */
typedef void (*gf_event_done_cb_t)(void *arg);

/* Work handed to an event thread by gf_event_post(). */
typedef void (*gf_event_fn_t)(void *arg);

/*
 * Create a pool of NTHREADS event threads (0 means
 * GF_EVENT_DEFAULT_THREADS), each with its own event base. No thread is
 * started before gf_event_pool_start() or gf_event_dispatch().
 *
 * The epoll backend is required. If libevent picks anything else (for
 * example because EVENT_NOEPOLL is set), creation fails with errno ENOTSUP
 * and gf_event_pool_error() says why -- unless GF_EVENT_ALLOW_POLL=1 is in
 * the environment (tests), in which case poll is accepted.
 *
 * Returns the pool, or NULL with errno EINVAL (NTHREADS above
 * GF_EVENT_MAX_THREADS), ENOTSUP (backend) or ENOMEM.
 */
GF_EXPORT gf_event_pool_t *gf_event_pool_new(unsigned nthreads);

/*
 * Why the last gf_event_pool_new() of the calling thread failed, as a
 * sentence; "" if it did not. Thread-local, valid until the next call.
 */
GF_EXPORT const char *gf_event_pool_error(void);

/* Name of the pool's backend ("epoll", or "poll" when allowed); "" for a
 * NULL pool. Borrowed, valid while the pool lives. */
GF_EXPORT const char *gf_event_pool_backend(const gf_event_pool_t *pool);

/* Number of event threads new fds are spread over (0 for NULL). */
GF_EXPORT unsigned gf_event_pool_threads(const gf_event_pool_t *pool);

/*
 * Index (0..GF_EVENT_MAX_THREADS-1) of the calling thread if it is an
 * event thread of POOL, else -1. Lets a caller know whether it already
 * runs on an event thread.
 */
GF_EXPORT int gf_event_thread_index(const gf_event_pool_t *pool);

/*
 * Watch FD: HANDLER(id, FD, DATA, events) runs on one event thread when FD
 * is readable (if IN) or writable (if OUT). Level-triggered: a handler
 * that leaves data unread is called again. FD must be nonblocking and stay
 * open until the unregistration completes; the pool never reads or writes
 * it. The handler may run before this function returns. May be called
 * before the threads start.
 *
 * Returns the id (>= 0), or -EINVAL (NULL pool or handler, FD < 0),
 * -ENOSPC (2^20 registrations live), -ENOMEM, or the backend's -errno
 * (e.g. -EPERM for a regular file with epoll).
 */
GF_EXPORT int gf_event_register(gf_event_pool_t *pool, int fd,
                                gf_event_handler_t handler, void *data, bool in,
                                bool out);

/*
 * Change what ID waits for: IN and OUT are 1 (on), 0 (off) or -1 (keep).
 * Takes effect for the next readiness check of the fd's thread: a handler
 * call already running (on another thread) is not interrupted. Cheap from
 * the fd's own handler (the common case: toggle OUT as a write queue fills
 * and drains).
 *
 * Returns 0, -EINVAL (NULL pool, a value other than -1/0/1), or -ENOENT
 * (unknown id, or unregistration begun).
 */
GF_EXPORT int gf_event_select_on(gf_event_pool_t *pool, int id, int in,
                                 int out);

/*
 * Stop watching ID. Once this returns, the handler is never entered again;
 * but a call already in progress on the fd's event thread (when this is
 * called from another thread) may still be running. DONE(ARG), if not
 * NULL, is called exactly once when no handler call for ID is running or
 * will ever run again: that is the point to free the handler's data.
 *
 * DONE runs on the fd's event thread, after the current handler call
 * returns (so unregistering from inside the handler is fine). If the
 * pool's threads are not running, DONE runs before this returns.
 * DONE may call any function of this API.
 *
 * The fd is left open (see gf_event_unregister_close). Returns 0, -EINVAL
 * (NULL pool) or -ENOENT (unknown id, or already unregistered: DONE is
 * then not called).
 */
GF_EXPORT int gf_event_unregister(gf_event_pool_t *pool, int id,
                                  gf_event_done_cb_t done, void *arg);

/* As gf_event_unregister, and the fd is closed before DONE is called. */
GF_EXPORT int gf_event_unregister_close(gf_event_pool_t *pool, int id,
                                        gf_event_done_cb_t done, void *arg);

/*
 * Run FN(ARG) on an event thread soon: with ID >= 0 on the thread that owns
 * ID, never concurrently with ID's handler (posts for one id run in order);
 * with ID -1 on any thread. No allocation once the pool has warmed up.
 * If the threads are not running, FN runs when they start, or at the
 * latest in gf_event_pool_free() on the caller's thread (so ARG can always
 * be released by FN). FN must not block.
 *
 * Returns 0, -EINVAL (NULL pool or FN, ID < -1), -ENOENT (unknown ID) or
 * -ENOMEM.
 */
GF_EXPORT int gf_event_post(gf_event_pool_t *pool, int id, gf_event_fn_t fn,
                            void *arg);

/*
 * Start the event threads if they are not running, and return. A pool
 * whose threads were stopped can be started again.
 * Returns 0, -EINVAL (NULL pool) or -errno from pthread_create (no thread
 * is left running then).
 */
GF_EXPORT int gf_event_pool_start(gf_event_pool_t *pool);

/*
 * Start the threads if needed and block until gf_event_pool_stop() is
 * called (a stop requested before is honoured at once); then join every
 * event thread and return 0. Registrations survive: a later start or
 * dispatch goes on serving them. Returns -EINVAL (NULL pool), -EDEADLK
 * (called from an event thread of POOL), -EBUSY (another dispatch is
 * running) or a start error.
 */
GF_EXPORT int gf_event_dispatch(gf_event_pool_t *pool);

/*
 * Ask every event thread to leave its loop after its current callback, and
 * wake gf_event_dispatch(). Never blocks; callable from any thread,
 * handlers included. The request stands until gf_event_dispatch() returns
 * or gf_event_pool_start() is called. Returns 0, or -EINVAL for NULL.
 */
GF_EXPORT int gf_event_pool_stop(gf_event_pool_t *pool);

/*
 * Spread new fds over N threads from now on (1..GF_EVENT_MAX_THREADS).
 * Growing starts the new threads at once if the pool is running. When
 * shrinking, each removed thread moves its fds (and the posts queued for
 * them) to the remaining threads, least loaded first, and exits; a moved
 * fd's handler is never run by two threads at once. A removed thread is
 * joined later (by the next reconfigure that reuses its slot, by dispatch
 * returning, or by gf_event_pool_free).
 *
 * Returns 0, -EINVAL (NULL pool, N out of range), -EBUSY (growing into
 * the slot of the calling thread, which is being removed) or -errno from
 * creating a base or thread (the count is then unchanged).
 */
GF_EXPORT int gf_event_reconfigure_threads(gf_event_pool_t *pool, unsigned n);

/*
 * Stop and join every event thread, complete pending unregistrations (their
 * DONE callbacks run; fds unregistered with _close are closed), run queued
 * posts, drop the remaining registrations without closing their fds or
 * calling anything, and free the pool. No other thread may use POOL while
 * or after this runs. Calling it from an event thread of POOL is a
 * programmer error (abort). NULL is ignored.
 */
GF_EXPORT void gf_event_pool_free(gf_event_pool_t *pool);

#ifdef __cplusplus
}
#endif

#endif /* GF_EVENT_H */
