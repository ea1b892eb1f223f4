/* SPDX-License-Identifier: LGPL-3.0-or-later */
/*
 * bench-mem-pool.c - gf_mem_get/gf_mem_put against malloc/free.
 *
 * Each thread keeps a window of 64 live objects. Every step frees the
 * object in one slot and allocates a new one into it; the slot index steps
 * by a stride coprime with 64, so objects are released in a rotating, non
 * LIFO order, and sizes cycle through the case's list so that the freed and
 * the new object usually differ in size. One byte of every new object is
 * written so that no allocator can skip touching its memory. impl=gf uses
 * one pool per size (shared by all threads); impl=malloc uses malloc/free
 * (run it under LD_PRELOAD to measure another allocator).
 *
 * Cases: "mixed" cycles 64, 256, 1024, 4096 bytes; "mixed-128k" adds
 * 131072 bytes to the cycle.
 */
#include <stdlib.h>

#include <gf/mem-pool.h>

#include "bench-alloc.h"

enum { WINDOW = 64, STRIDE = 23, POLL = 64, MAX_SIZES = 5 };

static const char *const cases[] = {"mixed", "mixed-128k"};

struct bench {
    size_t sizes[MAX_SIZES];
    unsigned nsizes;
    gf_mem_pool_t *pools[MAX_SIZES];
};

static void *
worker_gf(void *arg)
{
    struct gf_bench_ctx *ctx = arg;
    struct bench *b = ctx->data;
    void *slot[WINDOW];
    unsigned s = 0, k = 0, n = b->nsizes;
    uint64_t pairs = 0;

    for (unsigned i = 0; i < WINDOW; i++) {
        slot[i] = gf_mem_get(b->pools[k]);
        k = k + 1 == n ? 0 : k + 1;
    }
    pthread_barrier_wait(ctx->start);
    while (!gf_bench_stopped(ctx)) {
        for (unsigned i = 0; i < POLL; i++) {
            char *p;

            gf_mem_put(slot[s]);
            p = gf_mem_get(b->pools[k]);
            p[0] = (char)i;
            slot[s] = p;
            s = (s + STRIDE) % WINDOW;
            k = k + 1 == n ? 0 : k + 1;
        }
        pairs += POLL;
    }
    for (unsigned i = 0; i < WINDOW; i++)
        gf_mem_put(slot[i]);
    ctx->pairs = pairs;
    return NULL;
}

static void *
worker_malloc(void *arg)
{
    struct gf_bench_ctx *ctx = arg;
    struct bench *b = ctx->data;
    void *slot[WINDOW];
    unsigned s = 0, k = 0, n = b->nsizes;
    uint64_t pairs = 0;

    for (unsigned i = 0; i < WINDOW; i++) {
        slot[i] = malloc(b->sizes[k]);
        k = k + 1 == n ? 0 : k + 1;
    }
    pthread_barrier_wait(ctx->start);
    while (!gf_bench_stopped(ctx)) {
        for (unsigned i = 0; i < POLL; i++) {
            char *p;

            free(slot[s]);
            p = malloc(b->sizes[k]);
            p[0] = (char)i;
            slot[s] = p;
            s = (s + STRIDE) % WINDOW;
            k = k + 1 == n ? 0 : k + 1;
        }
        pairs += POLL;
    }
    for (unsigned i = 0; i < WINDOW; i++)
        free(slot[i]);
    ctx->pairs = pairs;
    return NULL;
}

int
main(int argc, char **argv)
{
    static const size_t mixed[] = {64, 256, 1024, 4096, 131072};
    struct gf_bench_args args;
    struct bench b = {.nsizes = 4};
    int ret;

    ret = gf_bench_parse(argc, argv, cases, 2, &args);
    if (ret != 0)
        return ret > 0 ? 0 : 2;
    if (args.case_idx == 1)
        b.nsizes = 5;
    for (unsigned i = 0; i < b.nsizes; i++) {
        b.sizes[i] = mixed[i];
        if (args.impl == GF_BENCH_GF) {
            b.pools[i] = gf_mem_pool_new("bench", mixed[i], WINDOW);
            if (!b.pools[i])
                return 1;
        }
    }
    ret = gf_bench_run(
        &args, args.impl == GF_BENCH_GF ? worker_gf : worker_malloc, &b);
    for (unsigned i = 0; i < b.nsizes; i++)
        gf_mem_pool_destroy(b.pools[i]);
    return ret;
}
