/* SPDX-License-Identifier: LGPL-3.0-or-later */
/*
 * check-mem-acct.c - accounted allocations: counters per type, realloc,
 * corruption detection, accounts outliving their owner, threads.
 */
#include <errno.h>
#include <pthread.h>
#include <signal.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <gf/mem-acct.h>

#include "gf-test.h"

/* ASan reports a double free before gf_free can: make it abort, so the
 * abort tests hold in sanitizer builds too (exported: the runtime looks
 * it up dynamically). */
GF_EXPORT const char *__asan_default_options(void);
const char *
__asan_default_options(void)
{
    return "abort_on_error=1";
}

static const char *const names[] = {"alpha", "beta", "gamma"};

static gf_mem_type_stats_t
stats(gf_mem_acct_t *acct, unsigned type)
{
    gf_mem_type_stats_t st;

    ck_assert_int_eq(gf_mem_acct_stats(acct, type, &st), 0);
    return st;
}

START_TEST(counts_per_type)
{
    gf_mem_acct_t *a = gf_mem_acct_new("xl-test", names, 3);
    gf_mem_type_stats_t st;
    void *p, *q, *r;

    ck_assert_ptr_nonnull(a);
    ck_assert_str_eq(gf_mem_acct_owner(a), "xl-test");
    ck_assert_uint_eq(gf_mem_acct_ntypes(a), 3);

    p = gf_malloc(a, 0, 100);
    q = gf_malloc(a, 0, 50);
    r = gf_calloc(a, 2, 4, 8);
    ck_assert_ptr_nonnull(p);
    ck_assert_ptr_nonnull(q);
    ck_assert_ptr_nonnull(r);
    ck_assert_uint_eq((uintptr_t)p % 16, 0);
    ck_assert_uint_eq((uintptr_t)r % 16, 0);
    for (int i = 0; i < 32; i++)
        ck_assert_int_eq(((char *)r)[i], 0);

    st = stats(a, 0);
    ck_assert_str_eq(st.name, "alpha");
    ck_assert_uint_eq(st.size, 150);
    ck_assert_uint_eq(st.num_allocs, 2);
    ck_assert_uint_eq(st.total_allocs, 2);
    st = stats(a, 1);
    ck_assert_uint_eq(st.num_allocs, 0);
    st = stats(a, 2);
    ck_assert_uint_eq(st.size, 32);
    ck_assert_uint_eq(st.num_allocs, 1);

    gf_free(p);
    st = stats(a, 0);
    ck_assert_uint_eq(st.size, 50);
    ck_assert_uint_eq(st.num_allocs, 1);
    ck_assert_uint_eq(st.max_size, 150);
    ck_assert_uint_eq(st.max_num_allocs, 2);
    ck_assert_uint_eq(st.total_allocs, 2);

    gf_free(q);
    gf_free(r);
    st = stats(a, 0);
    ck_assert_uint_eq(st.size, 0);
    ck_assert_uint_eq(st.num_allocs, 0);
    ck_assert_uint_eq(st.max_size, 150);
    gf_mem_acct_free(a);
}
END_TEST

START_TEST(core_account_and_strdup)
{
    gf_mem_type_stats_t before = stats(NULL, GF_MT_STRING), after;
    char *s = gf_strdup(NULL, GF_MT_STRING, "hello");
    char *n = gf_strndup(gf_mem_acct_core(), GF_MT_STRING, "hello", 3);

    ck_assert_str_eq(s, "hello");
    ck_assert_str_eq(n, "hel");
    ck_assert_int_eq(gf_mem_check(s), 0);
    ck_assert_uint_eq(gf_mem_size(s), 6);
    after = stats(gf_mem_acct_core(), GF_MT_STRING);
    ck_assert_str_eq(after.name, "gf_mt_string");
    ck_assert_uint_eq(after.size - before.size, 10);
    ck_assert_uint_eq(after.num_allocs - before.num_allocs, 2);
    gf_free(s);
    gf_free(n);
    after = stats(NULL, GF_MT_STRING);
    ck_assert_uint_eq(after.size, before.size);
    ck_assert_uint_eq(after.num_allocs, before.num_allocs);
    gf_mem_acct_free(gf_mem_acct_core()); /* ignored */
    ck_assert_str_eq(gf_mem_acct_owner(gf_mem_acct_core()), "libgf");
}
END_TEST

START_TEST(bad_input)
{
    gf_mem_type_stats_t st;
    const char *const holey[] = {"a", NULL};
    gf_mem_acct_t *a = gf_mem_acct_new("o", names, 3);

    errno = 0;
    ck_assert_ptr_null(gf_malloc(a, 3, 10));
    ck_assert_int_eq(errno, EINVAL);
    ck_assert_ptr_null(gf_malloc(NULL, GF_MT_COUNT, 10));
    ck_assert_ptr_null(gf_mem_acct_new(NULL, names, 3));
    ck_assert_ptr_null(gf_mem_acct_new("o", NULL, 3));
    ck_assert_ptr_null(gf_mem_acct_new("o", names, 0));
    ck_assert_ptr_null(gf_mem_acct_new("o", holey, 2));
    ck_assert_int_eq(errno, EINVAL);
    ck_assert_ptr_null(gf_strdup(a, 0, NULL));
    ck_assert_int_eq(gf_mem_acct_stats(a, 3, &st), -EINVAL);
    ck_assert_int_eq(gf_mem_acct_stats(a, 0, NULL), -EINVAL);
    ck_assert_int_eq(gf_mem_check(NULL), -EFAULT);
    ck_assert_int_eq(gf_mem_acct_foreach(NULL, NULL), -EINVAL);
    gf_free(NULL);
    gf_mem_acct_free(NULL);
    errno = 0;
    ck_assert_ptr_null(gf_malloc(a, 0, SIZE_MAX - 8));
    ck_assert_int_eq(errno, ENOMEM);
    gf_mem_acct_free(a);
}
END_TEST

START_TEST(calloc_overflow)
{
    gf_mem_acct_t *a = gf_mem_acct_new("o", names, 3);

    errno = 0;
    ck_assert_ptr_null(gf_calloc(a, 1, SIZE_MAX / 2, 3));
    ck_assert_int_eq(errno, ENOMEM);
    errno = 0;
    ck_assert_ptr_null(gf_calloc(a, 1, (size_t)1 << 33, (size_t)1 << 33));
    ck_assert_int_eq(errno, ENOMEM);
    ck_assert_uint_eq(stats(a, 1).total_allocs, 0);
    gf_mem_acct_free(a);
}
END_TEST

START_TEST(realloc_moves_accounting)
{
    gf_mem_acct_t *a = gf_mem_acct_new("o", names, 3);
    gf_mem_type_stats_t st;
    char *p = gf_malloc(a, 1, 16);

    memset(p, 'x', 16);
    p = gf_realloc(p, 4000);
    ck_assert_ptr_nonnull(p);
    ck_assert_int_eq(gf_mem_check(p), 0);
    ck_assert_int_eq(p[15], 'x');
    ck_assert_uint_eq((uintptr_t)p % 16, 0);
    st = stats(a, 1);
    ck_assert_uint_eq(st.size, 4000);
    ck_assert_uint_eq(st.num_allocs, 1);
    ck_assert_uint_eq(st.max_size, 4000);
    p = gf_realloc(p, 8);
    ck_assert_int_eq(gf_mem_check(p), 0);
    ck_assert_uint_eq(stats(a, 1).size, 8);
    ck_assert_uint_eq(stats(a, 1).max_size, 4000);

    errno = 0;
    ck_assert_ptr_null(gf_realloc(p, SIZE_MAX - 2));
    ck_assert_int_eq(errno, ENOMEM);
    ck_assert_int_eq(gf_mem_check(p), 0); /* untouched on failure */
    gf_free(p);
    ck_assert_uint_eq(stats(a, 1).size, 0);
    ck_assert_uint_eq(stats(a, 1).num_allocs, 0);

    /* NULL behaves as a core allocation of type "other". */
    p = gf_realloc(NULL, 10);
    ck_assert_ptr_nonnull(p);
    ck_assert_int_eq(gf_mem_check(p), 0);
    gf_free(p);
    gf_mem_acct_free(a);
}
END_TEST

START_TEST(overrun_detected)
{
    char *p = gf_malloc(NULL, GF_MT_OTHER, 24);

    ck_assert_int_eq(gf_mem_check(p), 0);
    p[24] = 0; /* one byte past the end: the trailer */
    ck_assert_int_eq(gf_mem_check(p), -EFAULT);
    gf_free(p); /* aborts */
}
END_TEST

START_TEST(underrun_detected)
{
    char *p = gf_malloc(NULL, GF_MT_OTHER, 24);

    p[-1] = 0; /* the header's magic */
    ck_assert_int_eq(gf_mem_check(p), -EFAULT);
    gf_free(p); /* aborts */
}
END_TEST

START_TEST(double_free_aborts)
{
    char *p = gf_malloc(NULL, GF_MT_OTHER, 200);

    gf_free(p);
    gf_free(p); /* aborts */
}
END_TEST

START_TEST(acct_outlives_owner)
{
    gf_mem_acct_t *a = gf_mem_acct_new("dying", names, 3);
    void *p = gf_malloc(a, 2, 64);
    void *q = gf_strdup(a, 0, "still mine");

    gf_mem_acct_free(a);
    /* The owner is gone, its blocks still carry the account. */
    ck_assert_str_eq(q, "still mine");
    ck_assert_uint_eq(stats(a, 2).num_allocs, 1);
    ck_assert_str_eq(gf_mem_acct_owner(a), "dying");
    gf_free(p);
    gf_free(q); /* releases the account (valgrind: no leak, no bad read) */
}
END_TEST

struct seen {
    gf_mem_acct_t *want;
    int found;
    int core_first;
    int n;
};

static int
visit(gf_mem_acct_t *acct, void *data)
{
    struct seen *s = data;

    if (s->n++ == 0)
        s->core_first = acct == gf_mem_acct_core();
    if (acct == s->want)
        s->found++;
    return 0;
}

static int
stop_at_second(gf_mem_acct_t *acct, void *data)
{
    (void)acct;
    return ++*(int *)data == 2 ? 42 : 0;
}

START_TEST(foreach_lists_live_accounts)
{
    gf_mem_acct_t *a = gf_mem_acct_new("first", names, 3);
    gf_mem_acct_t *b = gf_mem_acct_new("second", names, 1);
    void *p = gf_malloc(b, 0, 1);
    struct seen s = {.want = b};
    int calls = 0;

    ck_assert_int_eq(gf_mem_acct_foreach(visit, &s), 0);
    ck_assert_int_eq(s.found, 1);
    ck_assert_int_eq(s.core_first, 1);
    ck_assert_int_ge(s.n, 3);
    ck_assert_int_eq(gf_mem_acct_foreach(stop_at_second, &calls), 42);
    ck_assert_int_eq(calls, 2);

    gf_mem_acct_free(b); /* unlisted at once, even with p live */
    s = (struct seen){.want = b};
    gf_mem_acct_foreach(visit, &s);
    ck_assert_int_eq(s.found, 0);
    gf_free(p);
    gf_mem_acct_free(a);
}
END_TEST

#define PER_THREAD 100000

static void *
hammer(void *arg)
{
    gf_mem_acct_t *a = arg;
    void *keep[8] = {0};

    for (int i = 0; i < PER_THREAD; i++) {
        void *p = gf_malloc(a, (unsigned)i % 2, 1 + (size_t)(i % 8));

        ck_assert_ptr_nonnull(p);
        gf_free(keep[i % 8]);
        keep[i % 8] = p;
    }
    for (int i = 0; i < 8; i++)
        gf_free(keep[i]);
    return NULL;
}

START_TEST(two_threads_exact_totals)
{
    gf_mem_acct_t *a = gf_mem_acct_new("shared", names, 3);
    pthread_t t[2];
    gf_mem_type_stats_t st0, st1;
    void *pin = gf_malloc(a, 2, 5);

    for (int i = 0; i < 2; i++)
        ck_assert_int_eq(pthread_create(&t[i], NULL, hammer, a), 0);
    for (int i = 0; i < 2; i++)
        pthread_join(t[i], NULL);
    st0 = stats(a, 0);
    st1 = stats(a, 1);
    ck_assert_uint_eq(st0.total_allocs + st1.total_allocs, 2 * PER_THREAD);
    ck_assert_uint_eq(st0.total_allocs, PER_THREAD);
    ck_assert_uint_eq(st0.num_allocs, 0);
    ck_assert_uint_eq(st1.num_allocs, 0);
    ck_assert_uint_eq(st0.size, 0);
    ck_assert_uint_eq(st1.size, 0);
    ck_assert_uint_ge(st0.max_num_allocs, 4);
    ck_assert_uint_le(st0.max_num_allocs, 10); /* 5 per thread */
    gf_mem_acct_free(a);
    gf_free(pin);
}
END_TEST

int
main(void)
{
    Suite *s = suite_create("mem-acct");
    TCase *tc = tcase_create("core");
    const char *fork = getenv("CK_FORK");

    tcase_set_timeout(tc, 30);
    tcase_add_test(tc, counts_per_type);
    tcase_add_test(tc, core_account_and_strdup);
    tcase_add_test(tc, bad_input);
    tcase_add_test(tc, calloc_overflow);
    tcase_add_test(tc, realloc_moves_accounting);
    tcase_add_test(tc, acct_outlives_owner);
    tcase_add_test(tc, foreach_lists_live_accounts);
    tcase_add_test(tc, two_threads_exact_totals);
    /* Aborting tests need Check's fork mode (not CK_FORK=no/valgrind). */
    if (!fork || strcmp(fork, "no") != 0) {
        tcase_add_test_raise_signal(tc, overrun_detected, SIGABRT);
        tcase_add_test_raise_signal(tc, underrun_detected, SIGABRT);
        tcase_add_test_raise_signal(tc, double_free_aborts, SIGABRT);
    }
    suite_add_tcase(s, tc);
    return gf_test_run(s);
}
