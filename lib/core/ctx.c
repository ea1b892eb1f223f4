/* SPDX-License-Identifier: LGPL-3.0-or-later */
/*
 * ctx.c - the process context, the global translator and THIS.
 *
 * The context is the root that owns everything else; gfsd's main() builds
 * it first (start-up step 1) and frees it last. THIS is a plain __thread
 * pointer: reading it is one TLS load, cheaper than a pthread key, and it
 * needs no destructor because it never owns what it points to.
 */
#include <errno.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/time.h>
#include <time.h>
#include <unistd.h>
#include <uuid/uuid.h>

#include <gf/ctx.h>
#include <gf/iobuf.h>
#include <gf/mem-acct.h>
#include <gf/mem-pool.h>
#include <gf/timer.h>

#include "ctx-int.h"
#include "log-int.h"

/* initial-exec: one %fs-relative load, not a __tls_get_addr call. libgf
 * is linked by its programs, never dlopened, so the static TLS block is
 * always there. wind.c swaps it through gf__this_swap(). */
__thread gf_xlator_t *gf__this_xl __attribute__((tls_model("initial-exec")));
#define this_xl gf__this_xl

/* THIS of threads that never set one: the newest context's global xlator. */
static _Atomic(gf_xlator_t *) fallback_xl;

/*
 * "<host>-<pid>-<YYYY/MM/DD-HH:MM:SS>:<usec>-<uuid>": unique across hosts,
 * restarts and pid reuse, and still readable in a server's client list.
 */
static void
make_process_uuid(char *buf, size_t len)
{
    char host[256] = "localhost";
    char when[64] = "";
    char uuid[37];
    uuid_t u;
    struct timeval tv;
    struct gf__utc utc;

    if (gethostname(host, sizeof(host)) != 0)
        strcpy(host, "localhost");
    host[sizeof(host) - 1] = '\0';
    gettimeofday(&tv, NULL);
    gf__log_utc(tv.tv_sec, &utc);
    snprintf(when, sizeof(when), "%04d/%02d/%02d-%02d:%02d:%02d", utc.year,
             utc.month, utc.day, utc.hour, utc.min, utc.sec);
    uuid_generate(u);
    uuid_unparse_lower(u, uuid);
    snprintf(buf, len, "%s-%d-%s:%06ld-%s", host, (int)getpid(), when,
             (long)tv.tv_usec, uuid);
}

gf_ctx_t *
gf_ctx_new(void)
{
    gf_ctx_t *ctx = gf_calloc(NULL, GF_MT_CTX, 1, sizeof(*ctx));

    if (!ctx)
        return NULL;
    make_process_uuid(ctx->process_uuid, sizeof(ctx->process_uuid));
    ctx->mode = GF_MODE_SERVER;
    ctx->page_size = GF_CTX_DEFAULT_PAGE_SIZE;
    ctx->mem_acct = true;

    ctx->global_xl.magic = GF_XLATOR_MAGIC;
    ctx->global_xl.name = gf_strdup(NULL, GF_MT_STRING, "gf-global");
    if (!ctx->global_xl.name) {
        gf_free(ctx);
        errno = ENOMEM;
        return NULL;
    }
    ctx->global_xl.ctx = ctx;
    ctx->global_xl.mem_acct = gf_mem_acct_core();

    this_xl = &ctx->global_xl;
    atomic_store(&fallback_xl, &ctx->global_xl);
    return ctx;
}

int
gf_ctx_init_defaults(gf_ctx_t *ctx)
{
    if (!ctx)
        return -EINVAL;
    if (ctx->iobuf_pool)
        return -EALREADY;
    ctx->iobuf_pool = gf_iobuf_pool_new();
    return ctx->iobuf_pool ? 0 : -ENOMEM;
}

int
gf_ctx_start_timer_wheel(gf_ctx_t *ctx)
{
    if (!ctx)
        return -EINVAL;
    if (ctx->timer_wheel)
        return -EALREADY;
    ctx->timer_wheel = gf_timer_wheel_new();
    return ctx->timer_wheel ? 0 : errno ? -errno : -ENOMEM;
}

int
gf_ctx_start_threads(gf_ctx_t *ctx, unsigned sweep_ms)
{
    bool new_wheel;
    int ret;

    if (!ctx)
        return -EINVAL;
    if (ctx->pools_started && ctx->timer_wheel)
        return -EALREADY;
    new_wheel = !ctx->timer_wheel;
    if (new_wheel && (ret = gf_ctx_start_timer_wheel(ctx)) < 0)
        return ret;
    if (!ctx->pools_started) {
        ret = gf_mem_pools_init(sweep_ms);
        if (ret < 0) {
            if (new_wheel) {
                gf_timer_wheel_free(ctx->timer_wheel);
                ctx->timer_wheel = NULL;
            }
            return ret;
        }
        ctx->pools_started = true;
    }
    return 0;
}

void
gf_ctx_free(gf_ctx_t *ctx)
{
    gf_xlator_t *expected;

    if (!ctx)
        return;
    /* Threads first: a timer callback may still be using the pools. */
    gf_timer_wheel_free(ctx->timer_wheel);
    if (ctx->pools_started)
        gf_mem_pools_fini();
    gf_iobuf_pool_free(ctx->iobuf_pool);

    if (this_xl && this_xl->ctx == ctx)
        this_xl = NULL;
    expected = &ctx->global_xl;
    atomic_compare_exchange_strong(&fallback_xl, &expected, NULL);
    ctx->global_xl.magic = 0;
    gf_free(ctx->global_xl.name);
    gf_free(ctx);
}

const char *
gf_ctx_process_uuid(const gf_ctx_t *ctx)
{
    return ctx ? ctx->process_uuid : NULL;
}

gf_process_mode_t
gf_ctx_process_mode(const gf_ctx_t *ctx)
{
    return ctx ? ctx->mode : GF_MODE_SERVER;
}

int
gf_ctx_set_process_mode(gf_ctx_t *ctx, gf_process_mode_t mode)
{
    if (!ctx || (mode != GF_MODE_SERVER && mode != GF_MODE_CLIENT &&
                 mode != GF_MODE_MGMT))
        return -EINVAL;
    ctx->mode = mode;
    return 0;
}

size_t
gf_ctx_page_size(const gf_ctx_t *ctx)
{
    return ctx ? ctx->page_size : GF_CTX_DEFAULT_PAGE_SIZE;
}

int
gf_ctx_set_page_size(gf_ctx_t *ctx, size_t size)
{
    if (!ctx || size < 4096 || size > (1u << 20) || (size & (size - 1)))
        return -EINVAL;
    ctx->page_size = size;
    return 0;
}

bool
gf_ctx_mem_acct_enabled(const gf_ctx_t *ctx)
{
    return ctx && ctx->mem_acct;
}

void
gf_ctx_set_mem_acct_enabled(gf_ctx_t *ctx, bool on)
{
    if (ctx)
        ctx->mem_acct = on;
}

bool
gf_ctx_measure_latency(const gf_ctx_t *ctx)
{
    return ctx && ctx->measure_latency;
}

void
gf_ctx_set_measure_latency(gf_ctx_t *ctx, bool on)
{
    if (ctx)
        ctx->measure_latency = on;
}

struct gf_iobuf_pool *
gf_ctx_iobuf_pool(const gf_ctx_t *ctx)
{
    return ctx ? ctx->iobuf_pool : NULL;
}

struct gf_timer_wheel *
gf_ctx_timer_wheel(const gf_ctx_t *ctx)
{
    return ctx ? ctx->timer_wheel : NULL;
}

struct gf_call_pool *
gf_ctx_call_pool(const gf_ctx_t *ctx)
{
    return ctx ? ctx->call_pool : NULL;
}

void
gf_ctx_set_call_pool(gf_ctx_t *ctx, struct gf_call_pool *pool)
{
    if (ctx)
        ctx->call_pool = pool;
}

struct gf_event_pool *
gf_ctx_event_pool(const gf_ctx_t *ctx)
{
    return ctx ? ctx->event_pool : NULL;
}

void
gf_ctx_set_event_pool(gf_ctx_t *ctx, struct gf_event_pool *pool)
{
    if (ctx)
        ctx->event_pool = pool;
}

void
gf_ctx_set_builtin_xlators(gf_ctx_t *ctx,
                           const struct gf_xlator_api *const *table)
{
    if (ctx)
        ctx->builtins = table;
}

const struct gf_xlator_api *const *
gf__ctx_builtin_xlators(const gf_ctx_t *ctx)
{
    return ctx ? ctx->builtins : NULL;
}

gf_xlator_t *
gf_ctx_global_xlator(const gf_ctx_t *ctx)
{
    return ctx ? (gf_xlator_t *)&ctx->global_xl : NULL;
}

gf_xlator_t *
gf_this(void)
{
    gf_xlator_t *xl = this_xl;

    return xl ? xl : atomic_load_explicit(&fallback_xl, memory_order_acquire);
}

gf_xlator_t *
gf_this_set(gf_xlator_t *xl)
{
    gf_xlator_t *old = this_xl;

    GF_ASSERT(!xl || xl->magic == GF_XLATOR_MAGIC);
    this_xl = xl;
    return old;
}

const char *
gf_xlator_name(const gf_xlator_t *xl)
{
    return xl ? xl->name : NULL;
}

gf_ctx_t *
gf_xlator_ctx(const gf_xlator_t *xl)
{
    return xl ? xl->ctx : NULL;
}

struct gf_mem_acct *
gf_xlator_mem_acct(const gf_xlator_t *xl)
{
    return xl ? xl->mem_acct : NULL;
}
