/* SPDX-License-Identifier: LGPL-3.0-or-later */
/*
 * check-iobuf.c - iobuf pools, thread caches and iobrefs.
 *
 * Arena behaviour (growth, prune, unprune) is observed through
 * gf_iobuf_pool_stats after gf_iobuf_cache_flush has handed the calling
 * thread's cache back. In a GF_DISABLE_MEMPOOL build the arena tests check
 * that no arena exists instead, and the same refcount tests run on malloc.
 */
#include <errno.h>
#include <pthread.h>
#include <signal.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <sys/resource.h>
#include <unistd.h>

#include <gf/iobuf.h>

#include "gf-test.h"

static const size_t pages[GF_IOBUF_CLASSES] = {
    128, 512, 2048, 8192, 32768, 131072, 262144, 1048576,
};

static gf_iobuf_pool_stats_t
stats_of(gf_iobuf_pool_t *pool)
{
    gf_iobuf_pool_stats_t st;

    ck_assert_int_eq(gf_iobuf_pool_stats(pool, &st), 0);
    return st;
}

static uint64_t
pages_out(gf_iobuf_pool_t *pool)
{
    gf_iobuf_pool_stats_t st = stats_of(pool);
    uint64_t n = st.miss_live;

    for (unsigned c = 0; c < GF_IOBUF_CLASSES; c++)
        n += st.classes[c].pages_out;
    return n;
}

static bool
have_arenas(void)
{
    gf_iobuf_pool_t *pool = gf_iobuf_pool_new();
    gf_iobuf_pool_stats_t st = {.arenas = false};

    /* outside any test: no ck_assert here */
    if (pool && gf_iobuf_pool_stats(pool, &st) != 0)
        st.arenas = false;
    gf_iobuf_pool_free(pool);
    return st.arenas;
}

/* A new pool maps nothing; the first page of a class maps its first
 * arena, and only that class's. */
START_TEST(new_maps_arenas_on_first_use)
{
    gf_iobuf_pool_t *pool = gf_iobuf_pool_new();
    gf_iobuf_pool_stats_t st;
    gf_iobuf_t *iob;

    ck_assert_ptr_nonnull(pool);
    st = stats_of(pool);
    for (unsigned c = 0; c < GF_IOBUF_CLASSES; c++) {
        ck_assert_uint_eq(st.classes[c].page_size, pages[c]);
        ck_assert_uint_eq(st.classes[c].arenas, 0);
        ck_assert_uint_eq(st.classes[c].maps, 0);
        ck_assert_uint_eq(st.classes[c].pages_out, 0);
    }
    iob = gf_iobuf_get(pool, pages[3]);
    ck_assert_ptr_nonnull(iob);
    st = stats_of(pool);
    for (unsigned c = 0; c < GF_IOBUF_CLASSES; c++)
        ck_assert_uint_eq(st.classes[c].arenas, st.arenas && c == 3 ? 1 : 0);
    gf_iobuf_unref(iob);
    ck_assert_uint_eq(st.classes[0].pages_per_arena, 1024);
    ck_assert_uint_eq(st.classes[7].pages_per_arena, 2);
    gf_iobuf_pool_free(pool);
}
END_TEST

/* The smallest and largest size of every class land in it. */
START_TEST(every_class_boundary)
{
    gf_iobuf_pool_t *pool = gf_iobuf_pool_new();
    gf_iobuf_pool_stats_t st;

    for (unsigned c = 0; c < GF_IOBUF_CLASSES; c++) {
        size_t lo = c ? pages[c - 1] + 1 : 1;
        gf_iobuf_t *a = gf_iobuf_get(pool, lo);
        gf_iobuf_t *b = gf_iobuf_get(pool, pages[c]);
        size_t align = pages[c] < 4096 ? pages[c] : 4096;

        ck_assert_ptr_nonnull(a);
        ck_assert_ptr_nonnull(b);
        ck_assert_uint_eq(gf_iobuf_size(a), pages[c]);
        ck_assert_uint_eq(gf_iobuf_size(b), pages[c]);
        ck_assert_ptr_ne(gf_iobuf_ptr(a), gf_iobuf_ptr(b));
        ck_assert_uint_eq((uintptr_t)gf_iobuf_ptr(a) % align, 0);
        /* the whole page is usable (ASan checks this in sanitizer builds) */
        memset(gf_iobuf_ptr(a), 0xa5, pages[c]);
        memset(gf_iobuf_ptr(b), 0x5a, pages[c]);
        st = stats_of(pool);
        /* arenas hand out half a thread cache at a time */
        ck_assert_uint_ge(st.classes[c].allocs, 2);
        ck_assert_uint_le(st.classes[c].allocs, st.arenas ? 32 : 2);
        ck_assert_uint_ge(st.classes[c].pages_out, 2);
        for (unsigned o = c + 1; o < GF_IOBUF_CLASSES; o++)
            ck_assert_uint_eq(st.classes[o].allocs, 0);
        gf_iobuf_unref(a);
        gf_iobuf_unref(b);
    }
    st = stats_of(pool);
    ck_assert_uint_eq(st.misses, 0);
    gf_iobuf_pool_free(pool);
}
END_TEST

START_TEST(size_zero_is_default_page)
{
    gf_iobuf_pool_t *pool = gf_iobuf_pool_new();
    gf_iobuf_t *iob = gf_iobuf_get(pool, 0);

    ck_assert_ptr_nonnull(iob);
    ck_assert_uint_eq(gf_iobuf_size(iob), GF_IOBUF_DEFAULT_SIZE);
    ck_assert_uint_ge(stats_of(pool).classes[5].allocs, 1);
    ck_assert_uint_eq(stats_of(pool).classes[6].allocs, 0);
    gf_iobuf_unref(iob);
    gf_iobuf_pool_free(pool);
}
END_TEST

START_TEST(miss_above_largest_page)
{
    gf_iobuf_pool_t *pool = gf_iobuf_pool_new();
    size_t size = GF_IOBUF_MAX_PAGE + 1;
    gf_iobuf_t *iob = gf_iobuf_get(pool, size);
    gf_iobuf_pool_stats_t st;

    ck_assert_ptr_nonnull(iob);
    ck_assert_uint_eq(gf_iobuf_size(iob), size);
    ck_assert_uint_eq((uintptr_t)gf_iobuf_ptr(iob) % 4096, 0);
    memset(gf_iobuf_ptr(iob), 1, size);
    st = stats_of(pool);
    ck_assert_uint_eq(st.misses, 1);
    ck_assert_uint_eq(st.miss_live, 1);
    ck_assert_uint_eq(st.classes[7].allocs, 0);
    gf_iobuf_unref(iob);
    st = stats_of(pool);
    ck_assert_uint_eq(st.misses, 1);
    ck_assert_uint_eq(st.miss_live, 0);
    gf_iobuf_pool_free(pool);
}
END_TEST

/* 1 MiB arenas hold two pages: a third live page maps a second arena. */
START_TEST(arena_growth)
{
    gf_iobuf_pool_t *pool = gf_iobuf_pool_new();
    gf_iobuf_t *iob[1025];
    gf_iobuf_pool_stats_t st;

    for (unsigned i = 0; i < 3; i++)
        iob[i] = gf_iobuf_get(pool, pages[7]);
    st = stats_of(pool);
    ck_assert_uint_eq(st.classes[7].pages_out, 3);
    if (st.arenas) {
        ck_assert_uint_eq(st.classes[7].arenas, 2);
        ck_assert_uint_eq(st.classes[7].filled, 1);
        ck_assert_uint_eq(st.classes[7].maps, 2);
    } else {
        ck_assert_uint_eq(st.classes[7].arenas, 0);
    }
    for (unsigned i = 0; i < 3; i++)
        gf_iobuf_unref(iob[i]);

    /* the same for the 128-byte class, 1024 pages per arena */
    for (unsigned i = 0; i < 1025; i++) {
        iob[i] = gf_iobuf_get(pool, 100);
        ck_assert_ptr_nonnull(iob[i]);
        memset(gf_iobuf_ptr(iob[i]), (int)i, 128);
    }
    for (unsigned i = 0; i < 1025; i++)
        ck_assert_uint_eq(*(unsigned char *)gf_iobuf_ptr(iob[i]), i & 0xff);
    st = stats_of(pool);
    ck_assert_uint_eq(st.classes[0].arenas, st.arenas ? 2 : 0);
    for (unsigned i = 0; i < 1025; i++)
        gf_iobuf_unref(iob[i]);
    gf_iobuf_pool_free(pool);
}
END_TEST

START_TEST(prune_and_unprune)
{
    gf_iobuf_pool_t *pool = gf_iobuf_pool_new();
    gf_iobuf_t *iob[3];
    gf_iobuf_pool_stats_t st;

    for (unsigned i = 0; i < 3; i++)
        iob[i] = gf_iobuf_get(pool, pages[7]);
    for (unsigned i = 0; i < 3; i++)
        gf_iobuf_unref(iob[i]);
    gf_iobuf_cache_flush();
    st = stats_of(pool);
    ck_assert_uint_eq(st.classes[7].pages_out, 0);
    if (!st.arenas) {
        ck_assert_uint_eq(st.classes[7].prunes, 0);
        gf_iobuf_pool_free(pool);
        return;
    }
    /* one idle arena unmapped, the last one parked */
    ck_assert_uint_eq(st.classes[7].prunes, 1);
    ck_assert_uint_eq(st.classes[7].arenas, 1);
    ck_assert_uint_eq(st.classes[7].purged, 1);
    ck_assert_uint_eq(st.classes[7].active, 0);

    /* the next get takes the parked arena back instead of mapping */
    iob[0] = gf_iobuf_get(pool, pages[7]);
    ck_assert_ptr_nonnull(iob[0]);
    st = stats_of(pool);
    ck_assert_uint_eq(st.classes[7].unprunes, 1);
    ck_assert_uint_eq(st.classes[7].maps, 2);
    ck_assert_uint_eq(st.classes[7].purged, 0);
    ck_assert_uint_eq(st.classes[7].arenas, 1);
    gf_iobuf_unref(iob[0]);
    gf_iobuf_pool_free(pool);
}
END_TEST

START_TEST(refcount_keeps_page)
{
    gf_iobuf_pool_t *pool = gf_iobuf_pool_new();
    gf_iobuf_t *iob = gf_iobuf_get(pool, 4096);

    ck_assert_ptr_eq(gf_iobuf_ref(iob), iob);
    gf_iobuf_unref(iob);
    memset(gf_iobuf_ptr(iob), 7, gf_iobuf_size(iob)); /* still ours */
    gf_iobuf_cache_flush();
    ck_assert_uint_eq(pages_out(pool), 1);
    gf_iobuf_unref(iob);
    gf_iobuf_cache_flush();
    ck_assert_uint_eq(pages_out(pool), 0);
    gf_iobuf_pool_free(pool);
}
END_TEST

/* A released iobuf is marked, so a second unref aborts (arenas only: in a
 * malloc build the memory is gone and ASan reports it instead). */
START_TEST(double_unref_aborts)
{
    gf_iobuf_pool_t *pool = gf_iobuf_pool_new();
    gf_iobuf_t *iob = gf_iobuf_get(pool, 4096);

    gf_iobuf_unref(iob);
    gf_iobuf_unref(iob);
}
END_TEST

START_TEST(iobref_add_merge_size)
{
    gf_iobuf_pool_t *pool = gf_iobuf_pool_new();
    gf_iobref_t *a = gf_iobref_new(), *b = gf_iobref_new();
    gf_iobuf_t *x = gf_iobuf_get(pool, 100);
    gf_iobuf_t *y = gf_iobuf_get(pool, 5000);

    ck_assert_int_eq(gf_iobref_add(a, x), 0);
    ck_assert_int_eq(gf_iobref_add(a, y), 0);
    gf_iobuf_unref(x); /* the bag keeps them */
    gf_iobuf_unref(y);
    ck_assert_uint_eq(gf_iobref_count(a), 2);
    ck_assert_uint_eq(gf_iobref_size(a), 128 + 8192);
    ck_assert_ptr_eq(gf_iobref_at(a, 0), x);
    ck_assert_ptr_eq(gf_iobref_at(a, 1), y);
    ck_assert_ptr_null(gf_iobref_at(a, 2));
    memset(gf_iobuf_ptr(x), 1, 128);

    /* grow well past any inline storage */
    for (unsigned i = 0; i < 40; i++) {
        gf_iobuf_t *z = gf_iobuf_get(pool, 1);

        ck_assert_int_eq(gf_iobref_add(b, z), 0);
        gf_iobuf_unref(z);
    }
    ck_assert_int_eq(gf_iobref_merge(b, a), 0);
    ck_assert_uint_eq(gf_iobref_count(b), 42);
    ck_assert_uint_eq(gf_iobref_size(b), 40 * 128 + 128 + 8192);
    ck_assert_ptr_eq(gf_iobref_at(b, 40), x);
    ck_assert_uint_eq(gf_iobref_count(a), 2);

    ck_assert_ptr_eq(gf_iobref_ref(a), a);
    gf_iobref_unref(a);
    gf_iobref_unref(a);
    gf_iobuf_cache_flush();
    ck_assert_uint_eq(pages_out(pool), 42); /* b still holds x and y */
    gf_iobref_unref(b);
    gf_iobuf_cache_flush();
    ck_assert_uint_eq(pages_out(pool), 0);
    gf_iobuf_pool_free(pool);
}
END_TEST

START_TEST(hostile_input)
{
    gf_iobuf_pool_t *pool = gf_iobuf_pool_new();
    gf_iobref_t *ref = gf_iobref_new();
    gf_iobuf_pool_stats_t st;

    errno = 0;
    ck_assert_ptr_null(gf_iobuf_get(NULL, 10));
    ck_assert_int_eq(errno, EINVAL);
    errno = 0;
    ck_assert_ptr_null(gf_iobuf_get(pool, SIZE_MAX));
    ck_assert_int_eq(errno, EINVAL);
    errno = 0;
    ck_assert_ptr_null(gf_iobuf_get(pool, GF_IOBUF_MAX_SIZE + 1));
    ck_assert_int_eq(errno, EINVAL);
    ck_assert_int_eq(gf_iobuf_pool_stats(NULL, &st), -EINVAL);
    ck_assert_int_eq(gf_iobuf_pool_stats(pool, NULL), -EINVAL);
    ck_assert_ptr_null(gf_iobuf_ref(NULL));
    gf_iobuf_unref(NULL);
    ck_assert_ptr_null(gf_iobuf_ptr(NULL));
    ck_assert_uint_eq(gf_iobuf_size(NULL), 0);
    ck_assert_int_eq(gf_iobref_add(NULL, NULL), -EINVAL);
    ck_assert_int_eq(gf_iobref_add(ref, NULL), -EINVAL);
    ck_assert_int_eq(gf_iobref_merge(ref, ref), -EINVAL);
    ck_assert_int_eq(gf_iobref_merge(NULL, ref), -EINVAL);
    ck_assert_int_eq(gf_iobref_merge(ref, NULL), -EINVAL);
    ck_assert_uint_eq(gf_iobref_size(NULL), 0);
    ck_assert_uint_eq(gf_iobref_count(NULL), 0);
    ck_assert_ptr_null(gf_iobref_at(NULL, 0));
    ck_assert_ptr_null(gf_iobref_ref(NULL));
    gf_iobref_unref(NULL);
    gf_iobuf_pool_free(NULL);
    st = stats_of(pool);
    ck_assert_uint_eq(st.misses, 0);
    ck_assert_uint_eq(pages_out(pool), 0);
    gf_iobref_unref(ref);
    gf_iobuf_pool_free(pool);
}
END_TEST

/* Out of address space: gets fail with ENOMEM, nothing breaks, and the
 * pool serves again once pages come back. Fork mode only (the limit must
 * stay in the test's child) and arenas only (it exhausts arena maps). */
START_TEST(out_of_memory)
{
    gf_iobuf_pool_t *pool = gf_iobuf_pool_new();
    enum { MAX = 4096 };
    static gf_iobuf_t *iob[MAX];
    unsigned long vm_pages = 0;
    struct rlimit rl;
    unsigned n = 0;
    FILE *f = fopen("/proc/self/statm", "r");

    ck_assert_ptr_nonnull(f);
    ck_assert_int_eq(fscanf(f, "%lu", &vm_pages), 1);
    fclose(f);
    rl.rlim_cur = rl.rlim_max =
        vm_pages * (unsigned long)sysconf(_SC_PAGESIZE) + (64ul << 20);
    ck_assert_int_eq(setrlimit(RLIMIT_AS, &rl), 0);

#if !defined(__SANITIZE_ADDRESS__) && !defined(__SANITIZE_THREAD__)
    /* (sanitizer allocators abort instead of returning NULL) */
    errno = 0;
    ck_assert_ptr_null(gf_iobuf_get(pool, 512u << 20));
    ck_assert_int_eq(errno, ENOMEM);
#endif
    errno = 0;
    while (n < MAX && (iob[n] = gf_iobuf_get(pool, pages[7])))
        n++;
    ck_assert_int_eq(errno, ENOMEM);
    ck_assert_uint_gt(n, 2);
    ck_assert_uint_lt(n, MAX);
    for (unsigned i = 0; i < n; i++)
        gf_iobuf_unref(iob[i]);
    gf_iobuf_cache_flush();
    ck_assert_uint_eq(pages_out(pool), 0);
    ck_assert_uint_eq(stats_of(pool).classes[7].arenas, 1);
    iob[0] = gf_iobuf_get(pool, pages[7]);
    ck_assert_ptr_nonnull(iob[0]);
    gf_iobuf_unref(iob[0]);
    gf_iobuf_pool_free(pool);
}
END_TEST

/* Iobufs outlive their pool's owner; the last unref frees everything
 * (valgrind/ASan check that nothing leaks or is touched after). */
START_TEST(pool_free_with_live_iobufs)
{
    gf_iobuf_pool_t *pool = gf_iobuf_pool_new();
    gf_iobuf_t *a = gf_iobuf_get(pool, 300);
    gf_iobuf_t *b = gf_iobuf_get(pool, 2 * GF_IOBUF_MAX_PAGE);
    gf_iobref_t *ref = gf_iobref_new();

    ck_assert_int_eq(gf_iobref_add(ref, a), 0);
    gf_iobuf_unref(a);
    gf_iobuf_pool_free(pool);
    memset(gf_iobuf_ptr(a), 3, gf_iobuf_size(a));
    memset(gf_iobuf_ptr(b), 3, gf_iobuf_size(b));
    gf_iobref_unref(ref);
    gf_iobuf_unref(b);
}
END_TEST

/* Two pools used from one thread keep separate books. */
START_TEST(two_pools_one_thread)
{
    gf_iobuf_pool_t *p1 = gf_iobuf_pool_new(), *p2 = gf_iobuf_pool_new();

    for (unsigned i = 0; i < 100; i++) {
        gf_iobuf_t *a = gf_iobuf_get(p1, 1000);
        gf_iobuf_t *b = gf_iobuf_get(p2, 1000);

        ck_assert_ptr_nonnull(a);
        ck_assert_ptr_nonnull(b);
        gf_iobuf_unref(a);
        gf_iobuf_unref(b);
    }
    ck_assert_uint_ge(stats_of(p1).classes[2].allocs, 100);
    ck_assert_uint_ge(stats_of(p2).classes[2].allocs, 100);
    gf_iobuf_pool_free(p1);
    ck_assert_uint_eq(pages_out(p2), stats_of(p2).arenas ? 1 : 0);
    gf_iobuf_pool_free(p2);

    /* many short-lived pools, as tests create them */
    for (unsigned i = 0; i < 50; i++) {
        gf_iobuf_pool_t *p = gf_iobuf_pool_new();

        gf_iobuf_unref(gf_iobuf_get(p, 100000));
        gf_iobuf_pool_free(p);
    }
}
END_TEST

enum { THREAD_ITERS = 100000, WINDOW = 8 };

struct churn {
    gf_iobuf_pool_t *pool;
    unsigned seed;
    uint64_t gets;
};

/* Mark the first and last byte of IOB's page. */
static void
mark(gf_iobuf_t *iob, unsigned char v)
{
    unsigned char *p = gf_iobuf_ptr(iob);

    p[0] = v;
    p[gf_iobuf_size(iob) - 1] = v;
}

static void *
churn_thread(void *arg)
{
    struct churn *ch = arg;
    gf_iobuf_t *win[WINDOW] = {NULL};
    unsigned x = ch->seed;

    for (unsigned i = 0; i < THREAD_ITERS; i++) {
        unsigned slot = i % WINDOW;
        size_t size;

        if (win[slot]) {
            unsigned char *p = gf_iobuf_ptr(win[slot]);

            /* nobody else was handed our page meanwhile */
            ck_assert_uint_eq(p[0], (unsigned char)ch->seed);
            ck_assert_uint_eq(p[gf_iobuf_size(win[slot]) - 1],
                              (unsigned char)ch->seed);
            gf_iobuf_unref(win[slot]);
        }
        x = x * 1103515245u + 12345u;
        size = 1 + (x >> 8) % (300 * 1024);
        win[slot] = gf_iobuf_get(ch->pool, size);
        ck_assert_ptr_nonnull(win[slot]);
        mark(win[slot], (unsigned char)ch->seed);
        ch->gets++;
    }
    for (unsigned i = 0; i < WINDOW; i++)
        gf_iobuf_unref(win[i]);
    return NULL;
}

START_TEST(two_threads_churn)
{
    gf_iobuf_pool_t *pool = gf_iobuf_pool_new();
    struct churn ch[2] = {{pool, 0x11, 0}, {pool, 0x22, 0}};
    pthread_t t[2];
    gf_iobuf_pool_stats_t st;
    uint64_t allocs = 0;

    for (unsigned i = 0; i < 2; i++)
        ck_assert_int_eq(pthread_create(&t[i], NULL, churn_thread, &ch[i]), 0);
    for (unsigned i = 0; i < 2; i++)
        pthread_join(t[i], NULL);
    /* the exited threads' caches went back to the arenas */
    st = stats_of(pool);
    ck_assert_uint_eq(st.threads, 0);
    ck_assert_uint_eq(pages_out(pool), 0);
    for (unsigned c = 0; c < GF_IOBUF_CLASSES; c++)
        allocs += st.classes[c].allocs;
    /* without arenas every get is counted; with them, batches are */
    if (!st.arenas)
        ck_assert_uint_eq(allocs, ch[0].gets + ch[1].gets);
    else
        ck_assert_uint_gt(allocs, 0);
    gf_iobuf_pool_free(pool);
}
END_TEST

/* A producer gets iobufs, a consumer thread unrefs them. */
enum { RING = 64, HANDOFFS = 50000 };

struct ring {
    pthread_mutex_t lock;
    pthread_cond_t cond;
    gf_iobuf_t *slot[RING];
    unsigned head, tail;
};

static void *
consumer_thread(void *arg)
{
    struct ring *r = arg;

    for (unsigned i = 0; i < HANDOFFS; i++) {
        gf_iobuf_t *iob;

        pthread_mutex_lock(&r->lock);
        while (r->head == r->tail)
            pthread_cond_wait(&r->cond, &r->lock);
        iob = r->slot[r->tail++ % RING];
        pthread_cond_broadcast(&r->cond);
        pthread_mutex_unlock(&r->lock);
        ck_assert_uint_eq(*(unsigned *)gf_iobuf_ptr(iob), i);
        gf_iobuf_unref(iob);
    }
    return NULL;
}

START_TEST(unref_from_another_thread)
{
    gf_iobuf_pool_t *pool = gf_iobuf_pool_new();
    struct ring r = {.head = 0, .tail = 0};
    pthread_t t;

    pthread_mutex_init(&r.lock, NULL);
    pthread_cond_init(&r.cond, NULL);
    ck_assert_int_eq(pthread_create(&t, NULL, consumer_thread, &r), 0);
    for (unsigned i = 0; i < HANDOFFS; i++) {
        gf_iobuf_t *iob = gf_iobuf_get(pool, i % 2 ? 4096 : 131072);

        ck_assert_ptr_nonnull(iob);
        *(unsigned *)gf_iobuf_ptr(iob) = i;
        pthread_mutex_lock(&r.lock);
        while (r.head - r.tail == RING)
            pthread_cond_wait(&r.cond, &r.lock);
        r.slot[r.head++ % RING] = iob;
        pthread_cond_broadcast(&r.cond);
        pthread_mutex_unlock(&r.lock);
    }
    pthread_join(t, NULL);
    gf_iobuf_cache_flush();
    ck_assert_uint_eq(pages_out(pool), 0);
    ck_assert_uint_eq(stats_of(pool).threads, 0);
    pthread_mutex_destroy(&r.lock);
    pthread_cond_destroy(&r.cond);
    gf_iobuf_pool_free(pool);
}
END_TEST

/* Another thread's cache still holds pages when the owner frees the pool:
 * that thread's exit releases them and the pool (checked by valgrind). */
struct late {
    gf_iobuf_pool_t *pool;
    pthread_barrier_t *bar;
};

static void *
late_thread(void *arg)
{
    struct late *l = arg;

    gf_iobuf_unref(gf_iobuf_get(l->pool, 4096)); /* now in our cache */
    pthread_barrier_wait(l->bar);                /* owner frees the pool */
    pthread_barrier_wait(l->bar);
    return NULL;
}

START_TEST(pool_free_while_cached_elsewhere)
{
    pthread_barrier_t bar;
    struct late l = {gf_iobuf_pool_new(), &bar};
    pthread_t t;

    pthread_barrier_init(&bar, NULL, 2);
    ck_assert_int_eq(pthread_create(&t, NULL, late_thread, &l), 0);
    pthread_barrier_wait(&bar);
    if (stats_of(l.pool).arenas)
        ck_assert_uint_eq(stats_of(l.pool).threads, 1);
    gf_iobuf_pool_free(l.pool);
    pthread_barrier_wait(&bar);
    pthread_join(t, NULL);
    pthread_barrier_destroy(&bar);
}
END_TEST

static bool
no_fork(void)
{
    const char *f = getenv("CK_FORK");

    return f && strcmp(f, "no") == 0;
}

int
main(void)
{
    Suite *s = suite_create("iobuf");
    TCase *tc = tcase_create("core");

    tcase_set_timeout(tc, 120);
    tcase_add_test(tc, new_maps_arenas_on_first_use);
    tcase_add_test(tc, every_class_boundary);
    tcase_add_test(tc, size_zero_is_default_page);
    tcase_add_test(tc, miss_above_largest_page);
    tcase_add_test(tc, arena_growth);
    tcase_add_test(tc, prune_and_unprune);
    tcase_add_test(tc, refcount_keeps_page);
    /* an abort or a resource limit needs fork mode */
    if (have_arenas() && !no_fork()) {
        tcase_add_test_raise_signal(tc, double_unref_aborts, SIGABRT);
        tcase_add_test(tc, out_of_memory);
    }
    tcase_add_test(tc, iobref_add_merge_size);
    tcase_add_test(tc, hostile_input);
    tcase_add_test(tc, pool_free_with_live_iobufs);
    tcase_add_test(tc, two_pools_one_thread);
    tcase_add_test(tc, two_threads_churn);
    tcase_add_test(tc, unref_from_another_thread);
    tcase_add_test(tc, pool_free_while_cached_elsewhere);
    suite_add_tcase(s, tc);
    return gf_test_run(s);
}
