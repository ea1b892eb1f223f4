/* SPDX-License-Identifier: LGPL-3.0-or-later */
/*
 * check-ctx.c - the process context, the global translator and THIS.
 */
#include <dirent.h>
#include <errno.h>
#include <pthread.h>
#include <signal.h>
#include <stdio.h>
#include <stdatomic.h>
#include <string.h>
#include <unistd.h>

#include <gf/ctx.h>
#include <gf/iobuf.h>
#include <gf/mem-acct.h>
#include <gf/timer.h>

#include "gf-test.h"

/* Number of threads of this process, from /proc/self/task. */
static int
thread_count(void)
{
    DIR *d = opendir("/proc/self/task");
    struct dirent *e;
    int n = 0;

    ck_assert_ptr_nonnull(d);
    while ((e = readdir(d)))
        if (e->d_name[0] != '.')
            n++;
    closedir(d);
    return n;
}

START_TEST(new_sets_defaults)
{
    gf_ctx_t *ctx = gf_ctx_new();

    ck_assert_ptr_nonnull(ctx);
    ck_assert_int_eq(gf_ctx_process_mode(ctx), GF_MODE_SERVER);
    ck_assert_uint_eq(gf_ctx_page_size(ctx), 128 * 1024);
    ck_assert(gf_ctx_mem_acct_enabled(ctx));
    ck_assert(!gf_ctx_measure_latency(ctx));
    ck_assert_ptr_null(gf_ctx_iobuf_pool(ctx));
    ck_assert_ptr_null(gf_ctx_timer_wheel(ctx));
    ck_assert_str_eq(gf_xlator_name(gf_ctx_global_xlator(ctx)), "gf-global");
    ck_assert_ptr_eq(gf_xlator_ctx(gf_ctx_global_xlator(ctx)), ctx);
    ck_assert_ptr_eq(gf_xlator_mem_acct(gf_ctx_global_xlator(ctx)),
                     gf_mem_acct_core());
    gf_ctx_free(ctx);
}
END_TEST

START_TEST(process_uuid_names_host_and_pid_and_is_unique)
{
    gf_ctx_t *a = gf_ctx_new();
    gf_ctx_t *b = gf_ctx_new();
    char host[256], pid[32];

    ck_assert_ptr_nonnull(a);
    ck_assert_ptr_nonnull(b);
    ck_assert_int_eq(gethostname(host, sizeof(host)), 0);
    snprintf(pid, sizeof(pid), "-%d-", (int)getpid());
    ck_assert_ptr_nonnull(strstr(gf_ctx_process_uuid(a), host));
    ck_assert_ptr_nonnull(strstr(gf_ctx_process_uuid(a), pid));
    /* 36-character libuuid form at the end. */
    ck_assert_uint_gt(strlen(gf_ctx_process_uuid(a)), 36);
    ck_assert_str_ne(gf_ctx_process_uuid(a), gf_ctx_process_uuid(b));
    gf_ctx_free(b);
    gf_ctx_free(a);
}
END_TEST

START_TEST(setters_validate)
{
    gf_ctx_t *ctx = gf_ctx_new();

    ck_assert_int_eq(gf_ctx_set_page_size(ctx, 3000), -EINVAL);
    ck_assert_int_eq(gf_ctx_set_page_size(ctx, 2048), -EINVAL);
    ck_assert_int_eq(gf_ctx_set_page_size(ctx, 2u << 20), -EINVAL);
    ck_assert_int_eq(gf_ctx_set_page_size(ctx, 12288), -EINVAL);
    ck_assert_uint_eq(gf_ctx_page_size(ctx), 128 * 1024);
    ck_assert_int_eq(gf_ctx_set_page_size(ctx, 64 * 1024), 0);
    ck_assert_uint_eq(gf_ctx_page_size(ctx), 64 * 1024);

    ck_assert_int_eq(gf_ctx_set_process_mode(ctx, (gf_process_mode_t)7),
                     -EINVAL);
    ck_assert_int_eq(gf_ctx_set_process_mode(ctx, GF_MODE_MGMT), 0);
    ck_assert_int_eq(gf_ctx_process_mode(ctx), GF_MODE_MGMT);

    gf_ctx_set_measure_latency(ctx, true);
    ck_assert(gf_ctx_measure_latency(ctx));
    gf_ctx_set_mem_acct_enabled(ctx, false);
    ck_assert(!gf_ctx_mem_acct_enabled(ctx));
    gf_ctx_free(ctx);
}
END_TEST

START_TEST(null_ctx_is_refused_not_crashed)
{
    ck_assert_int_eq(gf_ctx_init_defaults(NULL), -EINVAL);
    ck_assert_int_eq(gf_ctx_start_threads(NULL, 0), -EINVAL);
    ck_assert_int_eq(gf_ctx_set_page_size(NULL, 4096), -EINVAL);
    ck_assert_int_eq(gf_ctx_set_process_mode(NULL, GF_MODE_SERVER), -EINVAL);
    ck_assert_ptr_null(gf_ctx_process_uuid(NULL));
    ck_assert_ptr_null(gf_ctx_iobuf_pool(NULL));
    ck_assert_ptr_null(gf_ctx_global_xlator(NULL));
    ck_assert_ptr_null(gf_xlator_name(NULL));
    gf_ctx_free(NULL);
}
END_TEST

START_TEST(ctx_memory_is_charged_to_the_core_account)
{
    gf_mem_type_stats_t before, during, after;
    gf_ctx_t *ctx;

    ck_assert_int_eq(gf_mem_acct_stats(NULL, GF_MT_CTX, &before), 0);
    ctx = gf_ctx_new();
    ck_assert_int_eq(gf_mem_acct_stats(NULL, GF_MT_CTX, &during), 0);
    ck_assert_uint_eq(during.num_allocs, before.num_allocs + 1);
    gf_ctx_free(ctx);
    ck_assert_int_eq(gf_mem_acct_stats(NULL, GF_MT_CTX, &after), 0);
    ck_assert_uint_eq(after.num_allocs, before.num_allocs);
    ck_assert_uint_eq(after.size, before.size);
}
END_TEST

START_TEST(this_is_the_global_xlator_then_per_thread)
{
    gf_ctx_t *ctx = gf_ctx_new();
    gf_xlator_t *global = gf_ctx_global_xlator(ctx);

    ck_assert_ptr_eq(gf_this(), global);
    ck_assert_ptr_eq(gf_this_set(NULL), global);
    /* Unset: falls back to the newest context's global translator. */
    ck_assert_ptr_eq(gf_this(), global);
    gf_ctx_free(ctx);
    ck_assert_ptr_null(gf_this());
}
END_TEST

static void *
read_this(void *arg)
{
    return gf_this();
}

static void *
set_this_in_thread(void *arg)
{
    gf_this_set(NULL);
    return gf_this_set(arg);
}

START_TEST(this_is_thread_local)
{
    gf_ctx_t *a = gf_ctx_new();
    gf_ctx_t *b = gf_ctx_new(); /* newest: the fallback */
    pthread_t t;
    void *seen;

    ck_assert_ptr_eq(gf_this_set(gf_ctx_global_xlator(a)),
                     gf_ctx_global_xlator(b));
    /* A new thread never set THIS: it sees the newest global xlator. */
    ck_assert_int_eq(pthread_create(&t, NULL, read_this, NULL), 0);
    ck_assert_int_eq(pthread_join(t, &seen), 0);
    ck_assert_ptr_eq(seen, gf_ctx_global_xlator(b));
    /* A thread changing its THIS leaves ours alone. */
    ck_assert_int_eq(
        pthread_create(&t, NULL, set_this_in_thread, gf_ctx_global_xlator(b)),
        0);
    ck_assert_int_eq(pthread_join(t, &seen), 0);
    ck_assert_ptr_eq(gf_this(), gf_ctx_global_xlator(a));
    gf_ctx_free(b);
    gf_ctx_free(a);
}
END_TEST

START_TEST(this_set_refuses_a_non_xlator)
{
    static uint64_t junk[8];

    gf_this_set((gf_xlator_t *)junk);
}
END_TEST

START_TEST(init_defaults_makes_the_iobuf_pool_once)
{
    gf_ctx_t *ctx = gf_ctx_new();
    gf_iobuf_t *iob;

    ck_assert_int_eq(gf_ctx_init_defaults(ctx), 0);
    ck_assert_ptr_nonnull(gf_ctx_iobuf_pool(ctx));
    ck_assert_int_eq(gf_ctx_init_defaults(ctx), -EALREADY);
    iob = gf_iobuf_get(gf_ctx_iobuf_pool(ctx), 0);
    ck_assert_ptr_nonnull(iob);
    ck_assert_uint_eq(gf_iobuf_size(iob), gf_ctx_page_size(ctx));
    gf_iobuf_unref(iob);
    gf_ctx_free(ctx);
}
END_TEST

static void
fired(void *data)
{
    atomic_store((atomic_int *)data, 1);
}

START_TEST(threads_start_serve_and_are_joined)
{
    gf_ctx_t *ctx = gf_ctx_new();
    int base = thread_count();
    atomic_int flag = 0;
    gf_timer_t *t;
    int i;

    ck_assert_int_eq(gf_ctx_start_threads(ctx, 100), 0);
    ck_assert_int_eq(gf_ctx_start_threads(ctx, 100), -EALREADY);
    t = gf_timer_call_after(gf_ctx_timer_wheel(ctx), 5, fired, &flag);
    ck_assert_ptr_nonnull(t);
    ck_assert_int_gt(thread_count(), base);
    gf_timer_release(gf_ctx_timer_wheel(ctx), t);
    for (i = 0; i < 400 && !atomic_load(&flag); i++)
        usleep(5000);
    ck_assert_int_eq(atomic_load(&flag), 1);
    gf_ctx_free(ctx);
    ck_assert_int_eq(thread_count(), base);
}
END_TEST

/* The wheel alone first, its runner thread with its first timer, the
 * sweeper later (one more thread). */
START_TEST(timer_wheel_first_then_the_sweeper)
{
    gf_ctx_t *ctx = gf_ctx_new();
    int base = thread_count();
    atomic_int flag = 0;
    gf_timer_t *t;

    ck_assert_int_eq(gf_ctx_start_timer_wheel(NULL), -EINVAL);
    ck_assert_ptr_null(gf_ctx_timer_wheel(ctx));
    ck_assert_int_eq(gf_ctx_start_timer_wheel(ctx), 0);
    ck_assert_ptr_nonnull(gf_ctx_timer_wheel(ctx));
    ck_assert_int_eq(thread_count(), base);
    ck_assert_int_eq(gf_ctx_start_timer_wheel(ctx), -EALREADY);
    t = gf_timer_call_after(gf_ctx_timer_wheel(ctx), 1, fired, &flag);
    ck_assert_ptr_nonnull(t);
    ck_assert_int_eq(thread_count(), base + 1);
    for (int i = 0; i < 400 && !atomic_load(&flag); i++)
        usleep(5000);
    ck_assert_int_eq(atomic_load(&flag), 1);
    gf_timer_release(gf_ctx_timer_wheel(ctx), t);
    ck_assert_int_eq(gf_ctx_start_threads(ctx, 100), 0);
#ifdef GF_DISABLE_MEMPOOL
    ck_assert_int_eq(thread_count(), base + 1); /* no pools, no sweeper */
#else
    ck_assert_int_eq(thread_count(), base + 2);
#endif
    ck_assert_int_eq(gf_ctx_start_threads(ctx, 100), -EALREADY);
    gf_ctx_free(ctx);
    ck_assert_int_eq(thread_count(), base);
}
END_TEST

int
main(void)
{
    Suite *s = suite_create("ctx");
    TCase *tc = tcase_create("core");

    tcase_set_timeout(tc, 10);
    tcase_add_test(tc, new_sets_defaults);
    tcase_add_test(tc, process_uuid_names_host_and_pid_and_is_unique);
    tcase_add_test(tc, setters_validate);
    tcase_add_test(tc, null_ctx_is_refused_not_crashed);
    tcase_add_test(tc, ctx_memory_is_charged_to_the_core_account);
    tcase_add_test(tc, this_is_the_global_xlator_then_per_thread);
    tcase_add_test(tc, this_is_thread_local);
    tcase_add_test_raise_signal(tc, this_set_refuses_a_non_xlator, SIGABRT);
    tcase_add_test(tc, init_defaults_makes_the_iobuf_pool_once);
    tcase_add_test(tc, threads_start_serve_and_are_joined);
    tcase_add_test(tc, timer_wheel_first_then_the_sweeper);
    suite_add_tcase(s, tc);
    return gf_test_run(s);
}
