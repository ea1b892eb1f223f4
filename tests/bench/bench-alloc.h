/* SPDX-License-Identifier: LGPL-3.0-or-later */
/*
 * bench-alloc.h - the shared skeleton of the allocator benchmarks.
 *
 * Every bench binary follows one interface, so that run-alloc.sh can drive
 * any of them:
 *
 *   bench-X --list
 *       prints its case names, one per line.
 *   bench-X --impl=gf|malloc --threads=N --case=NAME [--ms=DURATION]
 *       runs case NAME on N threads for about DURATION ms (default 1000)
 *       and prints exactly one line:
 *       case=NAME threads=N impl=IMPL ns_per_pair=F ops_per_s=F
 *
 * A "pair" is one allocation plus one release. ops_per_s counts pairs per
 * second over all threads; ns_per_pair is the time one thread spends per
 * pair (elapsed time x threads / pairs).
 *
 * A bench provides a worker function; gf_bench_run starts the threads,
 * releases them together through a barrier, lets them run for the
 * duration, stops them through a flag they poll, and prints the line.
 */
#ifndef GF_BENCH_ALLOC_H
#define GF_BENCH_ALLOC_H

#include <pthread.h>
#include <stdatomic.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

enum gf_bench_impl { GF_BENCH_GF, GF_BENCH_MALLOC };

struct gf_bench_args {
    enum gf_bench_impl impl;
    const char *impl_name;
    unsigned threads;
    const char *case_name;
    unsigned case_idx;
    unsigned ms;
};

/* What a worker sees: its index, the shared bench data, the stop flag. */
struct gf_bench_ctx {
    const struct gf_bench_args *args;
    void *data;
    unsigned tid;
    atomic_int *stop;
    pthread_barrier_t *start;
    uint64_t pairs; /* set by the worker: pairs completed */
};

/* A worker: set up, wait on ctx->start, loop until *ctx->stop (poll it
 * every few dozen pairs), tear down, store the pair count. */
typedef void *(*gf_bench_worker_t)(void *ctx);

static inline uint64_t
gf_bench_now_ns(void)
{
    struct timespec ts;

    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (uint64_t)ts.tv_sec * 1000000000u + (uint64_t)ts.tv_nsec;
}

static inline int
gf_bench_stopped(const struct gf_bench_ctx *ctx)
{
    return atomic_load_explicit(ctx->stop, memory_order_relaxed);
}

static inline void
gf_bench_usage(const char *prog)
{
    fprintf(stderr,
            "usage: %s --list\n"
            "       %s --impl=gf|malloc --threads=N --case=NAME "
            "[--ms=DURATION]\n",
            prog, prog);
}

static inline const char *
gf_bench_opt(const char *arg, const char *name)
{
    size_t n = strlen(name);

    return strncmp(arg, name, n) == 0 && arg[n] == '=' ? arg + n + 1 : NULL;
}

/*
 * Parse the command line against the case names CASES[0..NCASES-1].
 * Returns 1 after handling --list (the caller exits 0), 0 with ARGS filled
 * in, or -1 after printing a usage message (the caller exits 2).
 */
static inline int
gf_bench_parse(int argc, char **argv, const char *const *cases, unsigned ncases,
               struct gf_bench_args *args)
{
    const char *v;
    int i;

    memset(args, 0, sizeof(*args));
    args->threads = 1;
    args->ms = 1000;
    args->case_idx = ncases;
    args->impl_name = NULL;
    for (i = 1; i < argc; i++) {
        if (strcmp(argv[i], "--list") == 0) {
            for (unsigned c = 0; c < ncases; c++)
                printf("%s\n", cases[c]);
            return 1;
        } else if ((v = gf_bench_opt(argv[i], "--impl"))) {
            if (strcmp(v, "gf") == 0)
                args->impl = GF_BENCH_GF;
            else if (strcmp(v, "malloc") == 0)
                args->impl = GF_BENCH_MALLOC;
            else
                break;
            args->impl_name = v;
        } else if ((v = gf_bench_opt(argv[i], "--threads"))) {
            args->threads = (unsigned)strtoul(v, NULL, 10);
        } else if ((v = gf_bench_opt(argv[i], "--ms"))) {
            args->ms = (unsigned)strtoul(v, NULL, 10);
        } else if ((v = gf_bench_opt(argv[i], "--case"))) {
            for (unsigned c = 0; c < ncases; c++)
                if (strcmp(v, cases[c]) == 0)
                    args->case_idx = c;
            args->case_name = v;
        } else {
            break;
        }
    }
    if (i < argc || !args->impl_name || args->case_idx == ncases ||
        args->threads == 0 || args->threads > 1024 || args->ms == 0) {
        gf_bench_usage(argv[0]);
        return -1;
    }
    return 0;
}

/* The one output line. */
static inline void
gf_bench_report(const struct gf_bench_args *args, uint64_t pairs,
                uint64_t elapsed_ns)
{
    double secs = (double)elapsed_ns / 1e9;
    double ns =
        pairs ? (double)elapsed_ns * args->threads / (double)pairs : 0.0;

    printf("case=%s threads=%u impl=%s ns_per_pair=%.2f ops_per_s=%.0f\n",
           args->case_name, args->threads, args->impl_name, ns,
           secs > 0 ? (double)pairs / secs : 0.0);
    fflush(stdout);
}

/*
 * Run WORKER on ARGS->threads threads with DATA for ARGS->ms ms, then print
 * the result line. Returns 0, or 1 if a thread could not be started.
 */
static inline int
gf_bench_run(const struct gf_bench_args *args, gf_bench_worker_t worker,
             void *data)
{
    unsigned n = args->threads;
    struct gf_bench_ctx *ctx = calloc(n, sizeof(*ctx));
    pthread_t *tids = calloc(n, sizeof(*tids));
    pthread_barrier_t start;
    atomic_int stop = 0;
    struct timespec dur = {args->ms / 1000, (long)(args->ms % 1000) * 1000000L};
    uint64_t t0, t1, pairs = 0;

    if (!ctx || !tids || pthread_barrier_init(&start, NULL, n + 1) != 0)
        return 1;
    for (unsigned i = 0; i < n; i++) {
        ctx[i] = (struct gf_bench_ctx){.args = args,
                                       .data = data,
                                       .tid = i,
                                       .stop = &stop,
                                       .start = &start};
        if (pthread_create(&tids[i], NULL, worker, &ctx[i]) != 0)
            return 1;
    }
    pthread_barrier_wait(&start);
    t0 = gf_bench_now_ns();
    nanosleep(&dur, NULL);
    atomic_store_explicit(&stop, 1, memory_order_relaxed);
    for (unsigned i = 0; i < n; i++)
        pthread_join(tids[i], NULL);
    t1 = gf_bench_now_ns();
    for (unsigned i = 0; i < n; i++)
        pairs += ctx[i].pairs;
    gf_bench_report(args, pairs, t1 - t0);
    pthread_barrier_destroy(&start);
    free(ctx);
    free(tids);
    return 0;
}

#endif /* GF_BENCH_ALLOC_H */
