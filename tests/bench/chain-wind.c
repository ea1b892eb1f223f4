/* SPDX-License-Identifier: LGPL-3.0-or-later */
/*
 * chain-wind.c - cost of one fop hop: wind + unwind through a chain of 8
 * pass-through translators (test/pass, every fop the core default) over a
 * leaf (test/sink), beside the same shape written as plain C: 9 nested
 * calls through function pointers and 9 callbacks on the way back.
 *
 * Each fop is a whole request: a new call stack, STAT wound from the top
 * frame through 9 hops, the reply unwound through 9 callbacks, the stack
 * destroyed. ns/hop = ns per fop / 9. Needs GF_XLATOR_PATH to find the
 * test plugins (make bench sets it). Prints one line per case:
 *   case=NAME ns_per_fop=F ns_per_hop=F direct_ns_per_hop=F ratio=F
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <gf/graph.h>
#include <gf/xlator.h>

#define PASSES 8
#define HOPS   (PASSES + 1)

static uint64_t
now_ns(void)
{
    struct timespec ts;

    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (uint64_t)ts.tv_sec * 1000000000u + (uint64_t)ts.tv_nsec;
}

/* ---- the plain-C reference ---------------------------------------------- */

typedef void (*reply_fn)(void *ctx, int op_ret, gf_iatt_t *buf);
typedef struct level {
    struct level *next;
    reply_fn parent_reply;
    void *parent_ctx;
    uint64_t seen;
} level_t;

static void __attribute__((noinline))
level_call(level_t *l, reply_fn r, void *rctx);

static void __attribute__((noinline))
level_reply(void *ctx, int op_ret, gf_iatt_t *buf)
{
    level_t *l = ctx;

    l->seen += buf->size + (uint64_t)op_ret;
    l->parent_reply(l->parent_ctx, op_ret, buf);
}

static void __attribute__((noinline))
level_call(level_t *l, reply_fn r, void *rctx)
{
    l->parent_reply = r;
    l->parent_ctx = rctx;
    if (l->next) {
        l->next->parent_reply = NULL;
        level_call(l->next, level_reply, l);
    } else {
        gf_iatt_t st;

        memset(&st, 0, sizeof(st));
        st.size = 4096;
        r(rctx, 0, &st);
    }
}

static uint64_t direct_sum;

static void
direct_done(void *ctx, int op_ret, gf_iatt_t *buf)
{
    direct_sum += buf->size;
}

static double
run_direct(unsigned long n)
{
    level_t levels[HOPS];
    uint64_t t0;
    unsigned long i;
    unsigned k;

    memset(levels, 0, sizeof(levels));
    for (k = 0; k + 1 < HOPS; k++)
        levels[k].next = &levels[k + 1];
    t0 = now_ns();
    for (i = 0; i < n; i++)
        level_call(&levels[0], direct_done, NULL);
    return (double)(now_ns() - t0) / (double)n;
}

/* ---- through gfsd's translators ----------------------------------------- */

static uint64_t wind_sum;

static int
stat_cbk(gf_frame_t *frame, void *cookie, gf_xlator_t *self, int32_t op_ret,
         int32_t op_errno, gf_iatt_t *buf, gf_dict_t *xdata)
{
    wind_sum += buf ? buf->size : 0;
    return 0;
}

static double
run_wind(gf_graph_t *g, gf_call_pool_t *pool, unsigned long n)
{
    gf_xlator_t *top = gf_graph_top(g);
    gf_loc_t loc = {.path = "/bench"};
    uint64_t t0;
    unsigned long i;

    t0 = now_ns();
    for (i = 0; i < n; i++) {
        gf_frame_t *frame = gf_frame_new(pool, top, NULL);

        gf_wind_stat(frame, top, stat_cbk, NULL, &loc, NULL);
        gf_stack_destroy(gf_frame_stack(frame));
    }
    return (double)(now_ns() - t0) / (double)n;
}

static char *
chain_volfile(void)
{
    static char text[4096];
    size_t off;
    int i;

    off = (size_t)snprintf(text, sizeof(text),
                           "volume p0\n  type test/sink\nend-volume\n");
    for (i = 1; i <= PASSES; i++)
        off += (size_t)snprintf(text + off, sizeof(text) - off,
                                "volume p%d\n  type test/pass\n"
                                "  subvolumes p%d\nend-volume\n",
                                i, i - 1);
    return text;
}

static int
cmp_double(const void *a, const void *b)
{
    double x = *(const double *)a, y = *(const double *)b;

    return x < y ? -1 : x > y;
}

int
main(int argc, char **argv)
{
    unsigned long n = argc > 1 ? strtoul(argv[1], NULL, 10) : 2000000;
    const char *text = chain_volfile();
    gf_volfile_error_t verr;
    gf_volfile_t *vf;
    gf_graph_t *g;
    gf_call_pool_t *pool;
    gf_ctx_t *ctx = gf_ctx_new();
    char err[512];
    double wind[5], direct[5];
    int r;

    if (!ctx || gf_volfile_parse(text, strlen(text), "chain", &vf, &verr) ||
        gf_graph_new(ctx, vf, &g, err, sizeof(err)) ||
        gf_graph_init(g, err, sizeof(err)) || gf_graph_activate(g)) {
        fprintf(stderr, "chain-wind: cannot build the chain: %s\n", err);
        return 1;
    }
    pool = gf_call_pool_new(ctx);
    run_wind(g, pool, n / 10); /* warm the pools and caches */
    run_direct(n / 10);
    for (r = 0; r < 5; r++) {
        wind[r] = run_wind(g, pool, n);
        direct[r] = run_direct(n);
    }
    qsort(wind, 5, sizeof(double), cmp_double);
    qsort(direct, 5, sizeof(double), cmp_double);
    printf("case=chain-%d-pass ns_per_fop=%.1f ns_per_hop=%.1f "
           "direct_ns_per_hop=%.2f ratio=%.1f (medians of 5 x %lu fops)\n",
           PASSES, wind[2], wind[2] / HOPS, direct[2] / HOPS,
           wind[2] / direct[2], n);
    if (wind_sum == 0 || direct_sum == 0)
        return 1;
    gf_call_pool_free(pool);
    gf_graph_free(g);
    gf_volfile_free(vf);
    gf_ctx_free(ctx);
    return 0;
}
