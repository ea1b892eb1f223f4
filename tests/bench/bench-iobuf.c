/* SPDX-License-Identifier: LGPL-3.0-or-later */
/*
 * bench-iobuf.c - gf_iobuf_get + gf_iobuf_unref against malloc + free.
 *
 * Each thread keeps a window of WINDOW live buffers and replaces them in a
 * rotating order (so releases are not pure LIFO), touching the first and
 * last byte of every new buffer, as a transport fills a record. impl=gf
 * uses one pool shared by all threads; impl=malloc uses whatever allocator
 * is linked or LD_PRELOADed (run-alloc.sh runs glibc, jemalloc, tcmalloc
 * and mimalloc). Interface and output line: see bench-alloc.h.
 */
#include <gf/iobuf.h>

#include "bench-alloc.h"

enum { WINDOW = 8, POLL = 64 };

static const char *const cases[] = {"4k", "128k", "1m"};
static const size_t sizes[] = {4096, 128 * 1024, 1024 * 1024};

/* Touch a new buffer and keep the compiler from eliding the pair. */
static inline void
touch(char *p, size_t size)
{
    p[0] = 1;
    p[size - 1] = 1;
    __asm__ volatile("" : : "r"(p) : "memory");
}

static gf_iobuf_t *
get_touched(gf_iobuf_pool_t *pool, size_t size)
{
    gf_iobuf_t *iob = gf_iobuf_get(pool, size);

    if (!iob)
        abort();
    touch(gf_iobuf_ptr(iob), size);
    return iob;
}

static void *
gf_worker(void *arg)
{
    struct gf_bench_ctx *ctx = arg;
    gf_iobuf_pool_t *pool = ctx->data;
    size_t size = sizes[ctx->args->case_idx];
    gf_iobuf_t *win[WINDOW];
    uint64_t pairs = 0;
    unsigned slot = 0;

    for (unsigned i = 0; i < WINDOW; i++)
        win[i] = get_touched(pool, size);
    pthread_barrier_wait(ctx->start);
    while (!gf_bench_stopped(ctx)) {
        for (unsigned i = 0; i < POLL; i++) {
            gf_iobuf_unref(win[slot]);
            win[slot] = get_touched(pool, size);
            slot = (slot + 3) % WINDOW;
        }
        pairs += POLL;
    }
    for (unsigned i = 0; i < WINDOW; i++)
        gf_iobuf_unref(win[i]);
    ctx->pairs = pairs;
    return NULL;
}

static char *
malloc_touched(size_t size)
{
    char *p = malloc(size);

    if (!p)
        abort();
    touch(p, size);
    return p;
}

static void *
malloc_worker(void *arg)
{
    struct gf_bench_ctx *ctx = arg;
    size_t size = sizes[ctx->args->case_idx];
    char *win[WINDOW];
    uint64_t pairs = 0;
    unsigned slot = 0;

    for (unsigned i = 0; i < WINDOW; i++)
        win[i] = malloc_touched(size);
    pthread_barrier_wait(ctx->start);
    while (!gf_bench_stopped(ctx)) {
        for (unsigned i = 0; i < POLL; i++) {
            free(win[slot]);
            win[slot] = malloc_touched(size);
            slot = (slot + 3) % WINDOW;
        }
        pairs += POLL;
    }
    for (unsigned i = 0; i < WINDOW; i++)
        free(win[i]);
    ctx->pairs = pairs;
    return NULL;
}

int
main(int argc, char **argv)
{
    struct gf_bench_args args;
    gf_iobuf_pool_t *pool = NULL;
    int ret;

    ret = gf_bench_parse(argc, argv, cases, 3, &args);
    if (ret != 0)
        return ret > 0 ? 0 : 2;
    if (args.impl == GF_BENCH_GF) {
        pool = gf_iobuf_pool_new();
        if (!pool) {
            perror("gf_iobuf_pool_new");
            return 1;
        }
        ret = gf_bench_run(&args, gf_worker, pool);
    } else {
        ret = gf_bench_run(&args, malloc_worker, NULL);
    }
    gf_iobuf_pool_free(pool);
    return ret;
}
