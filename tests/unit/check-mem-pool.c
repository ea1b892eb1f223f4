/* SPDX-License-Identifier: LGPL-3.0-or-later */
/*
 * check-mem-pool.c - per-thread pools: hot/cold/remote/malloc order, puts
 * from other threads, thread exit, sweeping, statistics, misuse.
 *
 * Class statistics are process-wide, so tests compare before/after deltas
 * (they also run in one process under CK_FORK=no). Tests that look inside
 * the caching are compiled only when pools are enabled.
 */
#include <errno.h>
#include <pthread.h>
#include <signal.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <gf/mem-pool.h>

#include "gf-test.h"

/* Under ASan a double free is reported by ASan: make that abort too
 * (exported: the runtime looks it up dynamically). */
GF_EXPORT const char *__asan_default_options(void);
const char *
__asan_default_options(void)
{
    return "abort_on_error=1";
}

static void
sleep_ms(long ms)
{
    struct timespec ts = {ms / 1000, (ms % 1000) * 1000000L};

    nanosleep(&ts, NULL);
}

#ifndef GF_DISABLE_MEMPOOL
static gf_mem_class_stats_t
cstats(unsigned cls)
{
    gf_mem_class_stats_t cs;

    ck_assert_int_eq(gf_mem_pools_class_stats(cls, &cs), 0);
    return cs;
}

static uint64_t
total_cached(void)
{
    uint64_t n = 0;

    for (unsigned c = 0; c < GF_MEM_POOL_CLASSES; c++)
        n += cstats(c).cached;
    return n;
}
#endif

START_TEST(new_bad_args)
{
    gf_mem_pool_t *p;

    errno = 0;
    ck_assert_ptr_null(gf_mem_pool_new("zero", 0, 8));
    ck_assert_int_eq(errno, EINVAL);
    errno = 0;
    ck_assert_ptr_null(gf_mem_pool_new("big", (1u << 20), 8));
    ck_assert_int_eq(errno, EINVAL);
    errno = 0;
    ck_assert_ptr_null(gf_mem_pool_new(NULL, 64, 8));
    ck_assert_int_eq(errno, EINVAL);
    errno = 0;
    ck_assert_ptr_null(gf_mem_get(NULL));
    ck_assert_int_eq(errno, EINVAL);
    ck_assert_int_eq(gf_mem_pool_stats(NULL, NULL), -EINVAL);
    ck_assert_int_eq(gf_mem_pools_foreach(NULL, NULL), -EINVAL);
    ck_assert_int_eq(gf_mem_pools_class_stats(GF_MEM_POOL_CLASSES, NULL),
                     -EINVAL);
    gf_mem_put(NULL);
    gf_mem_pool_destroy(NULL);

    /* The largest size that fits, header included, works. */
    p = gf_mem_pool_new("max", (1u << 20) - 16, 1);
    ck_assert_ptr_nonnull(p);
    void *o = gf_mem_get(p);
    ck_assert_ptr_nonnull(o);
    memset(o, 1, (1u << 20) - 16);
    gf_mem_put(o);
    gf_mem_pool_destroy(p);
}
END_TEST

START_TEST(get_put_basics)
{
    gf_mem_pool_t *p = gf_mem_pool_new("basic", 100, 16);
#ifndef GF_DISABLE_MEMPOOL
    gf_mem_class_stats_t c0 = cstats(0), c1;
#endif
    gf_mem_pool_stats_t st;
    unsigned char *a;

    ck_assert_str_eq(gf_mem_pool_name(p), "basic");
    ck_assert_uint_ge(gf_mem_pool_obj_size(p), 100);
    a = gf_mem_get(p);
    ck_assert_ptr_nonnull(a);
    ck_assert_uint_eq((uintptr_t)a % 16, 0);
    memset(a, 0xff, gf_mem_pool_obj_size(p));
    gf_mem_put(a);
    a = gf_mem_get0(p);
    for (int i = 0; i < 100; i++)
        ck_assert_uint_eq(a[i], 0);
    ck_assert_int_eq(gf_mem_pool_stats(p, &st), 0);
    ck_assert_str_eq(st.name, "basic");
    ck_assert_uint_eq(st.obj_size, 100);
    ck_assert_uint_eq(st.count_hint, 16);
#ifndef GF_DISABLE_MEMPOOL
    ck_assert_uint_eq(st.class_size, 128);
    ck_assert_uint_eq(gf_mem_pool_obj_size(p), 112);
    ck_assert_uint_eq(st.stdc_allocs, 1);
    gf_mem_put(a);
    c1 = cstats(0);
    ck_assert_uint_eq(c1.size, 128);
    ck_assert_uint_eq(c1.stdc_allocs - c0.stdc_allocs, 1);
    ck_assert_uint_eq(c1.hot_allocs - c0.hot_allocs, 1);
    ck_assert_uint_eq(c1.frees_to_list - c0.frees_to_list, 2);
    ck_assert_uint_eq(c1.cached - c0.cached, 1);
#else
    gf_mem_put(a);
#endif
    gf_mem_pool_destroy(p);
}
END_TEST

static int
find_pool(gf_mem_pool_t *pool, void *data)
{
    return pool == data ? 7 : 0;
}

START_TEST(foreach_lists_pools)
{
    gf_mem_pool_t *a = gf_mem_pool_new("a", 10, 0);
    gf_mem_pool_t *b = gf_mem_pool_new("b", 1000, 0);

    ck_assert_int_eq(gf_mem_pools_foreach(find_pool, b), 7);
    gf_mem_pool_destroy(b);
    ck_assert_int_eq(gf_mem_pools_foreach(find_pool, b), 0);
    ck_assert_int_eq(gf_mem_pools_foreach(find_pool, a), 7);
    gf_mem_pool_destroy(a);
}
END_TEST

START_TEST(double_put_aborts)
{
    gf_mem_pool_t *p = gf_mem_pool_new("dbl", 200, 0);
    void *o = gf_mem_get(p);

    gf_mem_put(o);
    gf_mem_put(o); /* aborts */
}
END_TEST

/* ---- threads ------------------------------------------------------------ */

#define N_OBJ 64

struct exiter {
    gf_mem_pool_t *pool;
    void *objs[N_OBJ];
};

static void *
alloc_and_exit(void *arg)
{
    struct exiter *e = arg;

    for (int i = 0; i < N_OBJ; i++) {
        e->objs[i] = gf_mem_get(e->pool);
        ck_assert_ptr_nonnull(e->objs[i]);
        memset(e->objs[i], i, 64);
    }
    /* Also leave something cached: the exit must free it. */
    gf_mem_put(gf_mem_get(e->pool));
    return NULL;
}

START_TEST(exited_thread_objects_put_later)
{
    struct exiter e = {.pool = gf_mem_pool_new("exit", 64, 0)};
    gf_mem_pool_stats_t st;
    pthread_t t;

    ck_assert_int_eq(pthread_create(&t, NULL, alloc_and_exit, &e), 0);
    pthread_join(t, NULL);
    /* The owner is gone: the objects are still valid and can be put. */
    for (int i = 0; i < N_OBJ; i++) {
        unsigned char *o = e.objs[i];

        ck_assert_uint_eq(o[63], (unsigned char)i);
        gf_mem_put(o);
    }
    gf_mem_pool_stats(e.pool, &st);
    ck_assert_uint_eq(st.stdc_allocs, N_OBJ + 1);
    gf_mem_pool_destroy(e.pool);
}
END_TEST

/* Producer/consumer: objects cross threads on every put, while the main
 * thread sweeps. Run it under TSan/ASan to check the lock-free paths. */
#define RING   256
#define ROUNDS 200000

struct ring {
    pthread_mutex_t lock;
    pthread_cond_t cond;
    void *slot[RING];
    unsigned head, tail;
    gf_mem_pool_t *pools[3];
    int done;
};

static void *
producer(void *arg)
{
    struct ring *r = arg;

    for (unsigned i = 0; i < ROUNDS; i++) {
        unsigned *o = gf_mem_get(r->pools[i % 3]);
        void *mine = gf_mem_get(r->pools[(i + 1) % 3]);

        ck_assert_ptr_nonnull(o);
        *o = i;
        gf_mem_put(mine);
        pthread_mutex_lock(&r->lock);
        while (r->head - r->tail == RING)
            pthread_cond_wait(&r->cond, &r->lock);
        r->slot[r->head++ % RING] = o;
        pthread_cond_broadcast(&r->cond);
        pthread_mutex_unlock(&r->lock);
    }
    return NULL;
}

static void *
consumer(void *arg)
{
    struct ring *r = arg;

    for (unsigned i = 0; i < ROUNDS; i++) {
        unsigned *o;

        pthread_mutex_lock(&r->lock);
        while (r->head == r->tail)
            pthread_cond_wait(&r->cond, &r->lock);
        o = r->slot[r->tail++ % RING];
        pthread_cond_broadcast(&r->cond);
        pthread_mutex_unlock(&r->lock);
        ck_assert_uint_eq(*o, i);
        gf_mem_put(o); /* a remote put: back to the producer */
        gf_mem_put(gf_mem_get0(r->pools[i % 3]));
    }
    return NULL;
}

#ifndef GF_DISABLE_MEMPOOL
/* Gets and frees to libc of classes 0, 2 and 6 (the ring's pools). */
static void
ring_counts(uint64_t *gets, uint64_t *mallocs, uint64_t *frees,
            uint64_t *cached)
{
    static const unsigned cls[] = {0, 2, 6};

    *gets = *mallocs = *frees = *cached = 0;
    for (int i = 0; i < 3; i++) {
        gf_mem_class_stats_t cs = cstats(cls[i]);

        *gets +=
            cs.hot_allocs + cs.cold_allocs + cs.remote_allocs + cs.stdc_allocs;
        *mallocs += cs.stdc_allocs;
        *frees += cs.frees_to_stdc;
        *cached += cs.cached;
    }
}
#endif

START_TEST(two_threads_cross_puts)
{
    static struct ring r = {.lock = PTHREAD_MUTEX_INITIALIZER,
                            .cond = PTHREAD_COND_INITIALIZER};
    pthread_t p, c;

    r.pools[0] = gf_mem_pool_new("x64", 64, 0);     /* 128 B class */
    r.pools[1] = gf_mem_pool_new("x300", 300, 0);   /* 512 B */
    r.pools[2] = gf_mem_pool_new("x5000", 5000, 0); /* 8 KiB */
#ifndef GF_DISABLE_MEMPOOL
    uint64_t gets0, mallocs0, frees0, cached0, gets, mallocs, frees, cached;

    gf_mem_pools_sweep(); /* nothing cached left from earlier tests */
    gf_mem_pools_sweep();
    ring_counts(&gets0, &mallocs0, &frees0, &cached0);
    ck_assert_uint_eq(cached0, 0);
#endif
    ck_assert_int_eq(gf_mem_pools_init(1), 0);
    ck_assert_int_eq(pthread_create(&p, NULL, producer, &r), 0);
    ck_assert_int_eq(pthread_create(&c, NULL, consumer, &r), 0);
    for (int i = 0; i < 20; i++) {
        gf_mem_pools_sweep();
        sleep_ms(2);
    }
    pthread_join(p, NULL);
    pthread_join(c, NULL);
    gf_mem_pools_fini();
#ifndef GF_DISABLE_MEMPOOL
    /* Every get counted once; both threads exited, so every object that
     * came from malloc went back to libc and nothing is cached. */
    ring_counts(&gets, &mallocs, &frees, &cached);
    ck_assert_uint_eq(gets - gets0, 3 * ROUNDS);
    ck_assert_uint_eq(mallocs - mallocs0, frees - frees0);
    ck_assert_uint_eq(cached, 0);
#endif
    for (int i = 0; i < 3; i++)
        gf_mem_pool_destroy(r.pools[i]);
}
END_TEST

#ifndef GF_DISABLE_MEMPOOL

/* In a fresh thread: malloc, then hot, then (after a sweep) cold. */
static void *
order_thread(void *arg)
{
    gf_mem_pool_t *p = arg;
    gf_mem_class_stats_t c0 = cstats(3);
    gf_mem_pool_stats_t st;
    void *a, *b, *c;

    a = gf_mem_get(p);
    gf_mem_pool_stats(p, &st);
    ck_assert_uint_eq(st.stdc_allocs, 1);
    gf_mem_put(a);
    b = gf_mem_get(p);
    ck_assert_ptr_eq(a, b);
    ck_assert_uint_eq(cstats(3).hot_allocs - c0.hot_allocs, 1);
    gf_mem_put(b);
    gf_mem_pools_sweep(); /* demotes this thread's hot list to cold */
    c = gf_mem_get(p);
    ck_assert_ptr_eq(a, c);
    gf_mem_pool_stats(p, &st);
    ck_assert_uint_eq(st.cold_allocs, 1);
    ck_assert_uint_eq(st.remote_allocs, 0);
    ck_assert_uint_eq(st.stdc_allocs, 1);
    ck_assert_uint_eq(cstats(3).hot_allocs - c0.hot_allocs, 1);
    ck_assert_uint_eq(cstats(3).cold_allocs - c0.cold_allocs, 1);
    gf_mem_put(c);
    return NULL;
}

START_TEST(hot_then_cold_then_malloc)
{
    gf_mem_pool_t *p = gf_mem_pool_new("order", 1000, 0); /* 1 KiB class */
    pthread_t t;

    ck_assert_int_eq(pthread_create(&t, NULL, order_thread, p), 0);
    pthread_join(t, NULL);
    gf_mem_pool_destroy(p);
}
END_TEST

struct owner {
    gf_mem_pool_t *pool;
    pthread_barrier_t bar;
    void *objs[N_OBJ];
};

static void *
owner_thread(void *arg)
{
    struct owner *o = arg;
    gf_mem_pool_stats_t st;
    gf_mem_class_stats_t c0;
    void *back[N_OBJ];
    int found = 0;

    for (int i = 0; i < N_OBJ; i++)
        o->objs[i] = gf_mem_get(o->pool);
    pthread_barrier_wait(&o->bar); /* main puts them all */
    pthread_barrier_wait(&o->bar);
    c0 = cstats(3);
    for (int i = 0; i < N_OBJ; i++) {
        back[i] = gf_mem_get(o->pool);
        for (int j = 0; j < N_OBJ; j++)
            found += back[i] == o->objs[j];
    }
    gf_mem_pool_stats(o->pool, &st);
    ck_assert_int_eq(found, N_OBJ); /* all came back to this thread */
    ck_assert_uint_eq(st.stdc_allocs, N_OBJ);
    ck_assert_uint_eq(st.remote_allocs, 1);
    /* One get adopted the whole remote stack, the others hit hot. */
    ck_assert_uint_eq(cstats(3).hot_allocs - c0.hot_allocs, N_OBJ - 1);
    for (int i = 0; i < N_OBJ; i++)
        gf_mem_put(back[i]);
    return NULL;
}

START_TEST(foreign_put_returns_to_owner)
{
    struct owner o = {.pool = gf_mem_pool_new("owner", 1000, 0)};
    gf_mem_class_stats_t before = cstats(3), after;
    pthread_t t;

    pthread_barrier_init(&o.bar, NULL, 2);
    ck_assert_int_eq(pthread_create(&t, NULL, owner_thread, &o), 0);
    pthread_barrier_wait(&o.bar);
    for (int i = 0; i < N_OBJ; i++)
        gf_mem_put(o.objs[i]);
    after = cstats(3); /* 1000 + header -> the 1 KiB class (2^10) */
    ck_assert_uint_eq(after.size, 1024);
    ck_assert_uint_eq(after.frees_to_list - before.frees_to_list, N_OBJ);
    ck_assert_uint_eq(after.cached - before.cached, N_OBJ);
    pthread_barrier_wait(&o.bar);
    pthread_join(t, NULL);
    pthread_barrier_destroy(&o.bar);
    gf_mem_pool_destroy(o.pool);
}
END_TEST

START_TEST(exit_frees_cache_and_late_puts)
{
    struct exiter e = {.pool = gf_mem_pool_new("exit2", 3000, 0)};
    unsigned cls = 5; /* 3000 + header -> 4 KiB */
    gf_mem_class_stats_t before, mid, after;
    pthread_t t;

    /* Give this thread its own list set first, or its first put would
     * adopt the dead thread's recycled one (which is fine, but then the
     * late puts are cached rather than freed). */
    gf_mem_put(gf_mem_get(e.pool));
    gf_mem_pools_sweep();
    gf_mem_pools_sweep();
    before = cstats(cls);
    ck_assert_uint_eq(before.size, 4096);
    ck_assert_int_eq(pthread_create(&t, NULL, alloc_and_exit, &e), 0);
    pthread_join(t, NULL);
    mid = cstats(cls);
    /* The one object it had cached went back to libc at its exit. */
    ck_assert_uint_eq(mid.frees_to_stdc - before.frees_to_stdc, 1);
    ck_assert_uint_eq(mid.cached, before.cached);
    for (int i = 0; i < N_OBJ; i++)
        gf_mem_put(e.objs[i]);
    after = cstats(cls);
    /* Late puts: straight to libc (the set was not reused meanwhile). */
    ck_assert_uint_eq(after.frees_to_stdc - mid.frees_to_stdc, N_OBJ);
    ck_assert_uint_eq(after.cached, before.cached);
    gf_mem_pool_destroy(e.pool);
}
END_TEST

static void *
get_and_wait(void *arg)
{
    struct owner *o = arg;

    for (int i = 0; i < N_OBJ; i++)
        o->objs[i] = gf_mem_get(o->pool);
    pthread_barrier_wait(&o->bar); /* main puts them and sweeps */
    pthread_barrier_wait(&o->bar);
    return NULL;
}

START_TEST(sweep_twice_frees_all)
{
    gf_mem_pool_t *p = gf_mem_pool_new("sweep", 200, 0); /* 256 B class */
    struct owner o = {.pool = p};
    void *objs[N_OBJ];
    pthread_t t;

    pthread_barrier_init(&o.bar, NULL, 2);
    ck_assert_int_eq(pthread_create(&t, NULL, get_and_wait, &o), 0);
    pthread_barrier_wait(&o.bar);
    /* Objects of another (idle) thread in its remote stack... */
    for (int i = 0; i < N_OBJ; i++)
        gf_mem_put(o.objs[i]);
    /* ...and objects of this thread in its hot list. */
    for (int i = 0; i < N_OBJ; i++)
        objs[i] = gf_mem_get(p);
    for (int i = 0; i < N_OBJ; i++)
        gf_mem_put(objs[i]);
    ck_assert_uint_eq(cstats(1).cached, 2 * N_OBJ);
    gf_mem_pools_sweep();
    ck_assert_uint_eq(cstats(1).cached, 2 * N_OBJ); /* aged, not freed */
    gf_mem_pools_sweep();
    ck_assert_uint_eq(total_cached(), 0);
    pthread_barrier_wait(&o.bar);
    pthread_join(t, NULL);
    pthread_barrier_destroy(&o.bar);
    gf_mem_pool_destroy(p);
}
END_TEST

/* An idle thread keeps at most its bounded hot lists after sweeps. */
static void *
cache_big_then_idle(void *arg)
{
    struct owner *o = arg;
    void *objs[10];

    for (int i = 0; i < 10; i++)
        objs[i] = gf_mem_get(o->pool);
    for (int i = 0; i < 10; i++)
        gf_mem_put(objs[i]);
    pthread_barrier_wait(&o->bar); /* idle while main sweeps */
    pthread_barrier_wait(&o->bar);
    return NULL;
}

START_TEST(idle_thread_hot_list_bounded)
{
    struct owner o = {.pool = gf_mem_pool_new("big", 600000, 0)};
    unsigned cls = 13; /* 1 MiB */
    pthread_t t;

    gf_mem_pools_sweep();
    gf_mem_pools_sweep();
    pthread_barrier_init(&o.bar, NULL, 2);
    ck_assert_int_eq(pthread_create(&t, NULL, cache_big_then_idle, &o), 0);
    pthread_barrier_wait(&o.bar);
    ck_assert_uint_eq(cstats(cls).cached, 10);
    gf_mem_pools_sweep();
    gf_mem_pools_sweep();
    ck_assert_uint_le(cstats(cls).cached, 2);
    pthread_barrier_wait(&o.bar);
    pthread_join(t, NULL);
    ck_assert_uint_eq(cstats(cls).cached, 0); /* freed at its exit */
    pthread_barrier_destroy(&o.bar);
    gf_mem_pool_destroy(o.pool);
}
END_TEST

START_TEST(sweeper_thread_runs)
{
    gf_mem_pool_t *p = gf_mem_pool_new("timed", 2000, 0);
    void *objs[N_OBJ];
    uint64_t freed;

    gf_mem_pools_sweep();
    gf_mem_pools_sweep();
    freed = cstats(4).frees_to_stdc;
    ck_assert_int_eq(gf_mem_pools_init(10), 0);
    ck_assert_int_eq(gf_mem_pools_init(99999), 0); /* refcounted */
    for (int i = 0; i < N_OBJ; i++)
        objs[i] = gf_mem_get(p);
    for (int i = 0; i < N_OBJ; i++)
        gf_mem_put(objs[i]);
    sleep_ms(100);
    /* This put notices the new epoch and demotes the 63 others to cold
     * (it then keeps the one it puts hot)... */
    gf_mem_put(gf_mem_get(p));
    for (int i = 0; i < 200 && cstats(4).cached > 1; i++)
        sleep_ms(10);
    /* ...which the sweeper thread then frees. */
    ck_assert_uint_eq(cstats(4).cached, 1);
    ck_assert_uint_eq(cstats(4).frees_to_stdc - freed, N_OBJ - 1);
    gf_mem_pools_fini();
    gf_mem_pools_fini();
    gf_mem_pools_fini(); /* unbalanced: ignored */
    gf_mem_pool_destroy(p);
}
END_TEST

START_TEST(fini_frees_cached)
{
    gf_mem_pool_t *p = gf_mem_pool_new("fini", 40000, 0);
    void *objs[8], *live;

    ck_assert_int_eq(gf_mem_pools_init(0), 0);
    for (int i = 0; i < 8; i++)
        objs[i] = gf_mem_get(p);
    live = gf_mem_get(p);
    for (int i = 0; i < 8; i++)
        gf_mem_put(objs[i]);
    ck_assert_uint_eq(cstats(9).cached, 8); /* 64 KiB class */
    gf_mem_pools_fini();
    ck_assert_uint_eq(total_cached(), 0);
    memset(live, 0, 40000); /* still valid */
    gf_mem_put(live);
    gf_mem_pool_destroy(p);
    gf_mem_pools_sweep();
    gf_mem_pools_sweep();
}
END_TEST

START_TEST(destroyed_pool_objects_still_put)
{
    gf_mem_pool_t *p = gf_mem_pool_new("gone", 128, 0);
    void *o = gf_mem_get(p);
    gf_mem_pool_t *q;
    gf_mem_pool_stats_t st;

    gf_mem_pool_destroy(p);
    gf_mem_put(o);
    /* A new pool starts with clean counters. */
    q = gf_mem_pool_new("fresh", 128, 0);
    gf_mem_pool_stats(q, &st);
    ck_assert_uint_eq(st.cold_allocs + st.remote_allocs + st.stdc_allocs, 0);
    gf_mem_put(gf_mem_get(q));
    gf_mem_pool_stats(q, &st);
    ck_assert_uint_eq(st.stdc_allocs, 0); /* p's object was reused */
    gf_mem_pool_destroy(q);
}
END_TEST

#endif /* !GF_DISABLE_MEMPOOL */

int
main(void)
{
    Suite *s = suite_create("mem-pool");
    TCase *tc = tcase_create("core");
    const char *fork = getenv("CK_FORK");

    tcase_set_timeout(tc, 60);
    tcase_add_test(tc, new_bad_args);
    tcase_add_test(tc, get_put_basics);
    tcase_add_test(tc, foreach_lists_pools);
    tcase_add_test(tc, exited_thread_objects_put_later);
    tcase_add_test(tc, two_threads_cross_puts);
#ifndef GF_DISABLE_MEMPOOL
    tcase_add_test(tc, hot_then_cold_then_malloc);
    tcase_add_test(tc, foreign_put_returns_to_owner);
    tcase_add_test(tc, exit_frees_cache_and_late_puts);
    tcase_add_test(tc, sweep_twice_frees_all);
    tcase_add_test(tc, idle_thread_hot_list_bounded);
    tcase_add_test(tc, sweeper_thread_runs);
    tcase_add_test(tc, fini_frees_cached);
    tcase_add_test(tc, destroyed_pool_objects_still_put);
#endif
    if (!fork || strcmp(fork, "no") != 0)
        tcase_add_test_raise_signal(tc, double_put_aborts, SIGABRT);
    suite_add_tcase(s, tc);
    return gf_test_run(s);
}
