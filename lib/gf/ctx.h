/* SPDX-License-Identifier: LGPL-3.0-or-later */
/*
 * gf/ctx.h - the process context and the current translator (THIS).
 *
 * One gf_ctx_t holds everything a gfsd process owns: its identity (the
 * process uuid), the memory accounting switch, the iobuf pool, the timer
 * wheel and, once the translator framework is up, the graphs. The daemon
 * creates exactly one; tests may create several.
 *
 * Every thread has a current translator, THIS, used for log prefixes and
 * memory accounting when no translator is passed explicitly. Until code sets
 * it, THIS is the global translator of the most recently created context.
 */
#ifndef GF_CTX_H
#define GF_CTX_H

#include <stdbool.h>
#include <stddef.h>

#include <gf/common.h>

#ifdef __cplusplus
extern "C" {
#endif

typedef struct gf_ctx gf_ctx_t;
typedef struct gf_xlator gf_xlator_t;
struct gf_iobuf_pool;
struct gf_timer_wheel;
struct gf_call_pool;
struct gf_mem_acct;

/* The three personalities of the gfsd binary (chosen by argv[0]). */
typedef enum gf_process_mode {
    GF_MODE_SERVER = 0, /* gfsd: a brick */
    GF_MODE_CLIENT = 1, /* gfs:  a client front end */
    GF_MODE_MGMT = 2,   /* gfd:  management */
} gf_process_mode_t;

/* Default I/O page size of a context: 128 KiB, as glusterfsd. */
#define GF_CTX_DEFAULT_PAGE_SIZE (128u * 1024u)

/* Longest process uuid string, NUL included. */
#define GF_PROCESS_UUID_MAX 256

/*
 * Create a context: a fresh process uuid ("<uuid>-<host>-<pid>-<time>"),
 * page size 128 KiB, memory accounting on, server mode, and its global
 * translator, which becomes THIS of the calling thread. Creates no thread
 * and no pool (see gf_ctx_init_defaults and gf_ctx_start_threads).
 * Returns NULL if out of memory.
 */
GF_EXPORT gf_ctx_t *gf_ctx_new(void);

/*
 * Step 4 of the start-up sequence: set up the context's shared machinery
 * that needs no thread (the iobuf pool, sized by the page size).
 * Returns 0, or -errno with the context unchanged; -EALREADY if done.
 */
GF_EXPORT int gf_ctx_init_defaults(gf_ctx_t *ctx);

/*
 * Step 9: start the context's service threads -- the mem-pool sweeper
 * (every SWEEP_MS milliseconds, 0 for the default 30 s) and the timer
 * wheel, each unless already started. Call it after daemonizing: threads
 * do not survive fork. Returns 0, or -errno with no thread of this call
 * left running; -EALREADY if both run already.
 */
GF_EXPORT int gf_ctx_start_threads(gf_ctx_t *ctx, unsigned sweep_ms);

/*
 * Start only the timer wheel (what a graph needs while it is built), so
 * that a daemon can start the sweeper -- which has nothing to do for its
 * first period -- once it serves (gf_ctx_start_threads then starts only
 * the sweeper). Returns 0, -errno, or -EALREADY if it runs already.
 */
GF_EXPORT int gf_ctx_start_timer_wheel(gf_ctx_t *ctx);

/*
 * Stop the context's threads (joined before return) and free everything it
 * owns. The calling thread's THIS is reset if it was a translator of CTX;
 * other threads must have stopped using CTX before. NULL is ignored.
 */
GF_EXPORT void gf_ctx_free(gf_ctx_t *ctx);

/* Borrowed process uuid string, stable for the life of CTX. */
GF_EXPORT const char *gf_ctx_process_uuid(const gf_ctx_t *ctx);

GF_EXPORT gf_process_mode_t gf_ctx_process_mode(const gf_ctx_t *ctx);
/* -EINVAL for a mode outside gf_process_mode_t. */
GF_EXPORT int gf_ctx_set_process_mode(gf_ctx_t *ctx, gf_process_mode_t mode);

GF_EXPORT size_t gf_ctx_page_size(const gf_ctx_t *ctx);
/* -EINVAL unless SIZE is a power of two between 4 KiB and 1 MiB. */
GF_EXPORT int gf_ctx_set_page_size(gf_ctx_t *ctx, size_t size);

GF_EXPORT bool gf_ctx_mem_acct_enabled(const gf_ctx_t *ctx);
GF_EXPORT void gf_ctx_set_mem_acct_enabled(gf_ctx_t *ctx, bool on);

GF_EXPORT bool gf_ctx_measure_latency(const gf_ctx_t *ctx);
GF_EXPORT void gf_ctx_set_measure_latency(gf_ctx_t *ctx, bool on);

/* Borrowed; NULL until gf_ctx_init_defaults succeeded. */
GF_EXPORT struct gf_iobuf_pool *gf_ctx_iobuf_pool(const gf_ctx_t *ctx);
/* Borrowed; NULL until gf_ctx_start_threads succeeded. */
GF_EXPORT struct gf_timer_wheel *gf_ctx_timer_wheel(const gf_ctx_t *ctx);

/*
 * The process's call pool (gf/fop.h): the one whose live stacks the
 * daemon's statedump lists. Borrowed and NULL unless set: the daemon
 * creates it before building a graph and frees it after the last graph
 * is gone; a translator that starts requests (protocol/server) takes it
 * when there is one, else makes its own. Set it while no graph runs.
 */
GF_EXPORT struct gf_call_pool *gf_ctx_call_pool(const gf_ctx_t *ctx);
GF_EXPORT void gf_ctx_set_call_pool(gf_ctx_t *ctx, struct gf_call_pool *pool);

/*
 * The process's event pool (gf/event.h), borrowed and NULL unless set: the
 * daemon creates it in its start-up and runs its threads; translators that
 * serve or connect (protocol/server) register their sockets on it when
 * there is one, else make and run their own. The owner tears the graph
 * down while the pool's threads still run (disconnects complete on them)
 * and frees the pool after the last graph. Set it while no graph runs.
 */
struct gf_event_pool;
GF_EXPORT struct gf_event_pool *gf_ctx_event_pool(const gf_ctx_t *ctx);
GF_EXPORT void gf_ctx_set_event_pool(gf_ctx_t *ctx, struct gf_event_pool *pool);

/*
 * Translators compiled into the host executable (gfsd carries the stock
 * ones). TABLE is a NULL-terminated array of descriptors that must outlive
 * CTX; a volfile type found there is used without searching the plugin
 * path (gf/xlator.h, GF_XLATOR_DESCRIPTOR). NULL, the default, means none.
 * Set it before the first graph is built.
 */
struct gf_xlator_api;
GF_EXPORT void
gf_ctx_set_builtin_xlators(gf_ctx_t *ctx,
                           const struct gf_xlator_api *const *table);

/* The context's global translator ("gf-global"): THIS outside any plugin. */
GF_EXPORT gf_xlator_t *gf_ctx_global_xlator(const gf_ctx_t *ctx);

/*
 * THIS: the calling thread's current translator. Never NULL while a context
 * exists (falls back to the global translator of the newest context).
 */
GF_EXPORT gf_xlator_t *gf_this(void);

/* Make XL the calling thread's current translator; returns the previous one
 * so a caller can restore it. */
GF_EXPORT gf_xlator_t *gf_this_set(gf_xlator_t *xl);

/* Borrowed accessors of a translator. */
GF_EXPORT const char *gf_xlator_name(const gf_xlator_t *xl);
GF_EXPORT gf_ctx_t *gf_xlator_ctx(const gf_xlator_t *xl);
GF_EXPORT struct gf_mem_acct *gf_xlator_mem_acct(const gf_xlator_t *xl);

#ifdef __cplusplus
}
#endif

#endif /* GF_CTX_H */
