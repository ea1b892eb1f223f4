/* SPDX-License-Identifier: LGPL-3.0-or-later */
/*
 * check-sync.c - syncenv, synctasks, waiter, synclock and synccond.
 */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <pthread.h>
#include <sched.h>
#include <signal.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include <gf/ctx.h>
#include <gf/sync.h>

#include "gf-test.h"

#if defined(__has_include)
#if __has_include(<valgrind/valgrind.h>)
#include <valgrind/valgrind.h>
#endif
#endif

/* Tests use small stacks: many tasks, and sanitizer builds, stay cheap. */
enum { TEST_STACK = 256 * 1024 };

static gf_syncenv_t *
env_make(unsigned pmin, unsigned pmax, unsigned idle_ms)
{
    gf_syncenv_config_t cfg;
    gf_syncenv_t *env;

    gf_syncenv_config_init(&cfg);
    cfg.procmin = pmin;
    cfg.procmax = pmax;
    cfg.stack_size = TEST_STACK;
    cfg.idle_ms = idle_ms;
    env = gf_syncenv_new(&cfg);
    ck_assert_ptr_nonnull(env);
    return env;
}

static uint64_t
now_ms(void)
{
    struct timespec ts;

    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (uint64_t)ts.tv_sec * 1000u + (uint64_t)ts.tv_nsec / 1000000u;
}

static void
sleep_ms(unsigned ms)
{
    struct timespec ts = {ms / 1000, (long)(ms % 1000) * 1000000L};

    nanosleep(&ts, NULL);
}

/* Threads of this process, from /proc/self/task. */
static int
count_threads(void)
{
    DIR *d = opendir("/proc/self/task");
    struct dirent *e;
    int n = 0;

    ck_assert_ptr_nonnull(d);
    while ((e = readdir(d)) != NULL) {
        if (e->d_name[0] != '.')
            n++;
    }
    closedir(d);
    return n;
}

/* The thread count with nothing of ours running, after one env has come
 * and gone: a sanitizer runtime may start a helper thread of its own at
 * the first pthread_create. */
static int
base_threads(void)
{
    gf_syncenv_free(env_make(1, 1, 1000));
    return count_threads();
}

static gf_syncenv_stats_t
stats_of(gf_syncenv_t *env)
{
    gf_syncenv_stats_t st;

    ck_assert_int_eq(gf_syncenv_stats(env, &st), 0);
    return st;
}

static int
ret_opaque(void *opaque)
{
    return (int)(intptr_t)opaque;
}

/* --- bad inputs ---------------------------------------------------------- */

START_TEST(bad_config)
{
    gf_syncenv_config_t cfg;

    gf_syncenv_config_init(&cfg);
    cfg.procmin = 4;
    cfg.procmax = 2;
    errno = 0;
    ck_assert_ptr_null(gf_syncenv_new(&cfg));
    ck_assert_int_eq(errno, EINVAL);

    gf_syncenv_config_init(&cfg);
    cfg.stack_size = 4096;
    errno = 0;
    ck_assert_ptr_null(gf_syncenv_new(&cfg));
    ck_assert_int_eq(errno, EINVAL);

    gf_syncenv_config_init(&cfg);
    cfg.procmax = GF_SYNCENV_PROC_LIMIT + 1;
    errno = 0;
    ck_assert_ptr_null(gf_syncenv_new(&cfg));
    ck_assert_int_eq(errno, EINVAL);

    gf_syncenv_free(NULL);
}
END_TEST

START_TEST(bad_calls)
{
    gf_syncenv_t *env = env_make(1, 1, 1000);
    gf_syncenv_stats_t st;
    gf_sync_waiter_t w;

    ck_assert_int_eq(gf_synctask_new(env, NULL, NULL, NULL), -EINVAL);
    ck_assert_int_eq(gf_synctask_new(NULL, ret_opaque, NULL, NULL), -EINVAL);
    ck_assert_int_eq(gf_synctask_run(env, NULL, NULL), -EINVAL);
    ck_assert_int_eq(gf_synctask_run(NULL, ret_opaque, NULL), -EINVAL);
    ck_assert_ptr_null(gf_synctask_current());
    ck_assert_ptr_null(gf_synctask_env(NULL));
    ck_assert_int_eq(gf_synctask_yield(), -EPERM);
    ck_assert_int_eq(gf_synctask_sleep_ms(1), -EPERM);
    ck_assert_int_eq(gf_synctask_wake(NULL), -EINVAL);
    ck_assert_int_eq(gf_syncenv_stats(NULL, &st), -EINVAL);
    ck_assert_int_eq(gf_syncenv_stats(env, NULL), -EINVAL);
    ck_assert_int_eq(gf_sync_waiter_init(NULL), -EINVAL);
    ck_assert_int_eq(gf_sync_waiter_wake(NULL), -EINVAL);
    ck_assert_int_eq(gf_sync_waiter_wait(NULL), -EINVAL);
    ck_assert_int_eq(gf_sync_waiter_init(&w), 0);
    ck_assert_int_eq(gf_sync_waiter_wait_n(&w, 0), -EINVAL);
    gf_sync_waiter_fini(&w);
    ck_assert_int_eq(gf_synclock_init(NULL), -EINVAL);
    ck_assert_int_eq(gf_synclock_lock(NULL), -EINVAL);
    ck_assert_int_eq(gf_synclock_unlock(NULL), -EINVAL);
    ck_assert_int_eq(gf_synccond_init(NULL), -EINVAL);
    ck_assert_int_eq(gf_synccond_signal(NULL), -EINVAL);
    ck_assert_int_eq(gf_synccond_broadcast(NULL), -EINVAL);
    ck_assert_int_eq(gf_synccond_wait(NULL, NULL), -EINVAL);
    gf_syncenv_free(env);
}
END_TEST

START_TEST(lock_misuse)
{
    gf_synclock_t l;
    gf_synccond_t c;

    ck_assert_int_eq(gf_synclock_init(&l), 0);
    ck_assert_int_eq(gf_synccond_init(&c), 0);
    ck_assert_int_eq(gf_synclock_unlock(&l), -EPERM);
    ck_assert_int_eq(gf_synccond_wait(&c, &l), -EPERM);
    ck_assert_int_eq(gf_synclock_lock(&l), 0);
    ck_assert_int_eq(gf_synclock_lock(&l), -EDEADLK);
    ck_assert_int_eq(gf_synclock_trylock(&l), -EBUSY);
    ck_assert_int_eq(gf_synclock_unlock(&l), 0);
    ck_assert_int_eq(gf_synclock_trylock(&l), 0);
    ck_assert_int_eq(gf_synclock_unlock(&l), 0);
    ck_assert_int_eq(gf_synclock_unlock(&l), -EPERM);
    ck_assert_int_eq(gf_synccond_signal(&c), 0); /* nobody waits: no-op */
    gf_synccond_fini(&c);
    gf_synclock_fini(&l);
}
END_TEST

START_TEST(defaults)
{
    gf_syncenv_t *env = gf_syncenv_new(NULL);
    gf_syncenv_stats_t st;

    ck_assert_ptr_nonnull(env);
    st = stats_of(env);
    ck_assert_uint_eq(st.procs, GF_SYNCENV_DEFAULT_PROCMIN);
    ck_assert_uint_eq(st.tasks_live, 0);
    ck_assert_int_eq(gf_synctask_run(env, ret_opaque, (void *)(intptr_t)9), 9);
    gf_syncenv_free(env);
}
END_TEST

/* --- run and callbacks -----------------------------------------------------
 */

struct cbk_state {
    gf_sync_waiter_t done;
    int ret;
    void *opaque;
    gf_synctask_t *self;
    gf_syncenv_t *env;
};

static int
cbk_fn(void *opaque)
{
    struct cbk_state *s = opaque;

    s->self = gf_synctask_current();
    s->env = gf_synctask_env(s->self);
    return -ENOENT;
}

static void
cbk_cbk(int ret, void *opaque)
{
    struct cbk_state *s = opaque;

    s->ret = ret;
    s->opaque = opaque;
    gf_sync_waiter_wake(&s->done);
}

START_TEST(run_and_cbk)
{
    gf_syncenv_t *env = env_make(2, 4, 1000);
    struct cbk_state s = {0};

    ck_assert_int_eq(gf_synctask_run(env, ret_opaque, (void *)(intptr_t)42),
                     42);
    ck_assert_int_eq(gf_sync_waiter_init(&s.done), 0);
    ck_assert_int_eq(gf_synctask_new(env, cbk_fn, cbk_cbk, &s), 0);
    ck_assert_int_eq(gf_sync_waiter_wait(&s.done), 0);
    ck_assert_int_eq(s.ret, -ENOENT);
    ck_assert_ptr_eq(s.opaque, &s);
    ck_assert_ptr_nonnull(s.self);
    ck_assert_ptr_eq(s.env, env);
    gf_sync_waiter_fini(&s.done);
    /* A task with no callback at all; free waits for it. */
    ck_assert_int_eq(gf_synctask_new(env, ret_opaque, NULL, NULL), 0);
    gf_syncenv_free(env);
}
END_TEST

/* --- 1000 tasks yielding, woken by other threads ---------------------------
 */

enum { NTASKS = 1000, NYIELDS = 5, NWAKERS = 2 };

static gf_synctask_t *slots[NTASKS];
static unsigned yields_done[NTASKS];
static long sum_ret;
static unsigned tasks_done;
static unsigned long wakes_sent;

static int
yielder(void *opaque)
{
    unsigned i = (unsigned)(uintptr_t)opaque;
    gf_synctask_t *self = gf_synctask_current();
    int k;

    for (k = 0; k < NYIELDS; k++) {
        /* Publish, then yield: the wake may land before the yield. */
        __atomic_store_n(&slots[i], self, __ATOMIC_RELEASE);
        if (gf_synctask_yield() != 0)
            return -1;
        yields_done[i]++;
    }
    return (int)(2 * i + 1);
}

static void
yielder_done(int ret, void *opaque)
{
    (void)opaque;
    __atomic_add_fetch(&sum_ret, ret, __ATOMIC_RELAXED);
    __atomic_add_fetch(&tasks_done, 1, __ATOMIC_RELEASE);
}

static void *
waker(void *arg)
{
    unsigned first = (unsigned)(uintptr_t)arg;

    while (__atomic_load_n(&tasks_done, __ATOMIC_ACQUIRE) < NTASKS) {
        unsigned i, n = 0;

        for (i = first; i < NTASKS; i += NWAKERS) {
            gf_synctask_t *t =
                __atomic_exchange_n(&slots[i], NULL, __ATOMIC_ACQ_REL);

            if (t) {
                ck_assert_int_eq(gf_synctask_wake(t), 0);
                n++;
            }
        }
        __atomic_add_fetch(&wakes_sent, n, __ATOMIC_RELAXED);
        if (n == 0)
            usleep(100);
    }
    return NULL;
}

START_TEST(many_yield_wake)
{
    gf_syncenv_t *env = env_make(2, 4, 1000);
    pthread_t th[NWAKERS];
    unsigned i;

    for (i = 0; i < NWAKERS; i++)
        ck_assert_int_eq(
            pthread_create(&th[i], NULL, waker, (void *)(uintptr_t)i), 0);
    for (i = 0; i < NTASKS; i++)
        ck_assert_int_eq(
            gf_synctask_new(env, yielder, yielder_done, (void *)(uintptr_t)i),
            0);
    for (i = 0; i < NWAKERS; i++)
        pthread_join(th[i], NULL);
    gf_syncenv_free(env);
    ck_assert_uint_eq(tasks_done, NTASKS);
    ck_assert_int_eq(sum_ret, (long)NTASKS * NTASKS);
    ck_assert_uint_eq(wakes_sent, (unsigned long)NTASKS * NYIELDS);
    for (i = 0; i < NTASKS; i++)
        ck_assert_uint_eq(yields_done[i], NYIELDS);
}
END_TEST

/* --- wake before yield ------------------------------------------------------
 */

static int
self_wake(void *opaque)
{
    (void)opaque;
    /* Woken before it yields: the yield must return, not hang. */
    if (gf_synctask_wake(gf_synctask_current()) != 0)
        return -1;
    if (gf_synctask_yield() != 0)
        return -2;
    /* Two wakes collapse into one pending wake. */
    gf_synctask_wake(gf_synctask_current());
    gf_synctask_wake(gf_synctask_current());
    return gf_synctask_yield() == 0 ? 1 : -3;
}

static gf_synctask_t *early_task;
static int early_ready, early_woken;

static int
early_fn(void *opaque)
{
    (void)opaque;
    __atomic_store_n(&early_task, gf_synctask_current(), __ATOMIC_RELEASE);
    __atomic_store_n(&early_ready, 1, __ATOMIC_RELEASE);
    /* Stay running until the other thread's wake has happened. */
    while (!__atomic_load_n(&early_woken, __ATOMIC_ACQUIRE))
        usleep(100);
    return gf_synctask_yield() == 0 ? 7 : -1;
}

START_TEST(wake_before_yield)
{
    gf_syncenv_t *env = env_make(1, 1, 1000);
    struct cbk_state s = {0};

    ck_assert_int_eq(gf_synctask_run(env, self_wake, NULL), 1);

    ck_assert_int_eq(gf_sync_waiter_init(&s.done), 0);
    ck_assert_int_eq(gf_synctask_new(env, early_fn, cbk_cbk, &s), 0);
    while (!__atomic_load_n(&early_ready, __ATOMIC_ACQUIRE))
        usleep(100);
    ck_assert_int_eq(gf_synctask_wake(early_task), 0);
    __atomic_store_n(&early_woken, 1, __ATOMIC_RELEASE);
    ck_assert_int_eq(gf_sync_waiter_wait(&s.done), 0);
    ck_assert_int_eq(s.ret, 7);
    gf_sync_waiter_fini(&s.done);
    gf_syncenv_free(env);
}
END_TEST

/* --- synclock ------------------------------------------------------------- */

enum { LOCK_TASKS = 200, LOCK_ITERS = 50, MIX_THREADS = 2, MIX_TASKS = 50 };

static gf_synclock_t shared_lock;
static long shared_counter;
static int inside, overlaps;

static void
critical_section(int iter)
{
    long v;

    if (__atomic_exchange_n(&inside, 1, __ATOMIC_ACQ_REL) != 0)
        __atomic_add_fetch(&overlaps, 1, __ATOMIC_RELAXED);
    v = shared_counter;
    /* Give the proc away while holding the lock now and then, so other
     * tasks pile up on it. */
    if (iter % 5 == 0) {
        if (gf_synctask_current())
            gf_synctask_sleep_ms(0);
        else
            sched_yield();
    }
    shared_counter = v + 1;
    __atomic_store_n(&inside, 0, __ATOMIC_RELEASE);
}

static int
locker(void *opaque)
{
    int i;

    (void)opaque;
    for (i = 0; i < LOCK_ITERS; i++) {
        if (gf_synclock_lock(&shared_lock) != 0)
            return -1;
        critical_section(i);
        if (gf_synclock_unlock(&shared_lock) != 0)
            return -2;
    }
    return 0;
}

static void
count_fail(int ret, void *opaque)
{
    if (ret != 0)
        __atomic_add_fetch((int *)opaque, 1, __ATOMIC_RELAXED);
}

START_TEST(synclock_tasks)
{
    gf_syncenv_t *env = env_make(2, 4, 1000);
    int fails = 0, i;

    ck_assert_int_eq(gf_synclock_init(&shared_lock), 0);
    for (i = 0; i < LOCK_TASKS; i++)
        ck_assert_int_eq(gf_synctask_new(env, locker, count_fail, &fails), 0);
    gf_syncenv_free(env);
    ck_assert_int_eq(fails, 0);
    ck_assert_int_eq(overlaps, 0);
    ck_assert_int_eq(shared_counter, (long)LOCK_TASKS * LOCK_ITERS);
    gf_synclock_fini(&shared_lock);
}
END_TEST

static void *
lock_thread(void *arg)
{
    (void)arg;
    return (void *)(intptr_t)locker(NULL);
}

START_TEST(synclock_mixed)
{
    gf_syncenv_t *env = env_make(2, 4, 1000);
    pthread_t th[MIX_THREADS];
    int fails = 0, i;
    void *rv;

    ck_assert_int_eq(gf_synclock_init(&shared_lock), 0);
    for (i = 0; i < MIX_THREADS; i++)
        ck_assert_int_eq(pthread_create(&th[i], NULL, lock_thread, NULL), 0);
    for (i = 0; i < MIX_TASKS; i++)
        ck_assert_int_eq(gf_synctask_new(env, locker, count_fail, &fails), 0);
    for (i = 0; i < MIX_THREADS; i++) {
        pthread_join(th[i], &rv);
        ck_assert_ptr_null(rv);
    }
    gf_syncenv_free(env);
    ck_assert_int_eq(fails, 0);
    ck_assert_int_eq(overlaps, 0);
    ck_assert_int_eq(shared_counter,
                     (long)(MIX_THREADS + MIX_TASKS) * LOCK_ITERS);
    gf_synclock_fini(&shared_lock);
}
END_TEST

/* --- synccond: bounded buffer -------------------------------------------- */

enum { RING = 4, PER_PRODUCER = 500, PRODUCERS = 2, CONSUMERS = 2 };

static struct {
    gf_synclock_t lock;
    gf_synccond_t not_full, not_empty;
    int buf[RING];
    unsigned head, count;
} ring;

static int
produce(void *opaque)
{
    int i;

    (void)opaque;
    for (i = 1; i <= PER_PRODUCER; i++) {
        gf_synclock_lock(&ring.lock);
        while (ring.count == RING)
            gf_synccond_wait(&ring.not_full, &ring.lock);
        ring.buf[(ring.head + ring.count) % RING] = i;
        ring.count++;
        gf_synccond_signal(&ring.not_empty);
        gf_synclock_unlock(&ring.lock);
    }
    return 0;
}

/* Consumes its share and returns the sum (fits an int). */
static int
consume(void *opaque)
{
    int i, sum = 0;

    (void)opaque;
    for (i = 0; i < PER_PRODUCER * PRODUCERS / CONSUMERS; i++) {
        gf_synclock_lock(&ring.lock);
        while (ring.count == 0)
            gf_synccond_wait(&ring.not_empty, &ring.lock);
        sum += ring.buf[ring.head];
        ring.head = (ring.head + 1) % RING;
        ring.count--;
        gf_synccond_signal(&ring.not_full);
        gf_synclock_unlock(&ring.lock);
    }
    return sum;
}

static void *
consume_thread(void *arg)
{
    (void)arg;
    return (void *)(intptr_t)consume(NULL);
}

static void
add_ret(int ret, void *opaque)
{
    __atomic_add_fetch((long *)opaque, ret, __ATOMIC_RELAXED);
}

START_TEST(synccond_prodcons)
{
    gf_syncenv_t *env = env_make(2, 4, 1000);
    long total = 0;
    pthread_t th;
    void *rv;
    int i;

    ck_assert_int_eq(gf_synclock_init(&ring.lock), 0);
    ck_assert_int_eq(gf_synccond_init(&ring.not_full), 0);
    ck_assert_int_eq(gf_synccond_init(&ring.not_empty), 0);
    /* One consumer is a plain thread, the rest are tasks. */
    ck_assert_int_eq(pthread_create(&th, NULL, consume_thread, NULL), 0);
    for (i = 0; i < CONSUMERS - 1; i++)
        ck_assert_int_eq(gf_synctask_new(env, consume, add_ret, &total), 0);
    for (i = 0; i < PRODUCERS; i++)
        ck_assert_int_eq(gf_synctask_new(env, produce, add_ret, &total), 0);
    pthread_join(th, &rv);
    gf_syncenv_free(env);
    total += (long)(intptr_t)rv;
    ck_assert_int_eq(total,
                     (long)PRODUCERS * PER_PRODUCER * (PER_PRODUCER + 1) / 2);
    ck_assert_uint_eq(ring.count, 0);
    gf_synccond_fini(&ring.not_empty);
    gf_synccond_fini(&ring.not_full);
    gf_synclock_fini(&ring.lock);
}
END_TEST

static int bcast_waiting, bcast_go, bcast_woke;

static int
bcast_waiter(void *opaque)
{
    gf_synccond_t *c = opaque;

    gf_synclock_lock(&shared_lock);
    bcast_waiting++;
    while (!bcast_go)
        gf_synccond_wait(c, &shared_lock);
    bcast_woke++;
    gf_synclock_unlock(&shared_lock);
    return 0;
}

START_TEST(synccond_broadcast)
{
    gf_syncenv_t *env = env_make(1, 2, 1000);
    gf_synccond_t c;
    int i, waiting = 0;

    ck_assert_int_eq(gf_synclock_init(&shared_lock), 0);
    ck_assert_int_eq(gf_synccond_init(&c), 0);
    for (i = 0; i < 10; i++)
        ck_assert_int_eq(gf_synctask_new(env, bcast_waiter, NULL, &c), 0);
    while (waiting < 10) {
        usleep(1000);
        gf_synclock_lock(&shared_lock);
        waiting = bcast_waiting;
        gf_synclock_unlock(&shared_lock);
    }
    gf_synclock_lock(&shared_lock);
    bcast_go = 1;
    ck_assert_int_eq(gf_synccond_broadcast(&c), 0);
    gf_synclock_unlock(&shared_lock);
    gf_syncenv_free(env);
    ck_assert_int_eq(bcast_woke, 10);
    gf_synccond_fini(&c);
    gf_synclock_fini(&shared_lock);
}
END_TEST

/* --- procs scale up and down -----------------------------------------------
 */

static int spin_running, spin_release;

static int
spinner(void *opaque)
{
    (void)opaque;
    __atomic_add_fetch(&spin_running, 1, __ATOMIC_RELEASE);
    while (!__atomic_load_n(&spin_release, __ATOMIC_ACQUIRE))
        usleep(200);
    return 0;
}

static int
wait_procs(gf_syncenv_t *env, unsigned want, unsigned ms)
{
    uint64_t end = now_ms() + ms;

    while (stats_of(env).procs != want) {
        if (now_ms() > end)
            return -1;
        usleep(2000);
    }
    return 0;
}

START_TEST(procs_scale)
{
    gf_syncenv_t *env;
    gf_syncenv_stats_t st;
    int base, i;
    uint64_t end;

    base = base_threads();
    env = env_make(1, 4, 200);
    ck_assert_int_eq(count_threads(), base + 1);
    /* Four tasks that hold their proc: runnable > idle forces spawns. */
    for (i = 0; i < 4; i++)
        ck_assert_int_eq(gf_synctask_new(env, spinner, NULL, NULL), 0);
    end = now_ms() + 10000;
    while (__atomic_load_n(&spin_running, __ATOMIC_ACQUIRE) < 4 &&
           now_ms() < end)
        usleep(1000);
    ck_assert_int_eq(spin_running, 4);
    st = stats_of(env);
    ck_assert_uint_eq(st.procs, 4);
    ck_assert_uint_eq(st.procs_peak, 4);
    ck_assert_int_eq(count_threads(), base + 4);
    /* More load cannot go past procmax. */
    ck_assert_int_eq(gf_synctask_new(env, spinner, NULL, NULL), 0);
    usleep(20000);
    ck_assert_uint_le(stats_of(env).procs, 4);
    __atomic_store_n(&spin_release, 1, __ATOMIC_RELEASE);
    /* Back to procmin once the extra procs sat idle for 200 ms. */
    ck_assert_int_eq(wait_procs(env, 1, 10000), 0);
    st = stats_of(env);
    ck_assert_uint_eq(st.tasks_run, 5);
    ck_assert_uint_eq(st.procs_peak, 4);
    end = now_ms() + 5000;
    while (count_threads() != base + 1 && now_ms() < end)
        usleep(1000);
    ck_assert_int_eq(count_threads(), base + 1);
    /* And up again on demand. */
    ck_assert_int_eq(gf_synctask_run(env, ret_opaque, (void *)3), 3);
    gf_syncenv_free(env);
    ck_assert_int_eq(count_threads(), base);
}
END_TEST

/* --- THIS across switches ---------------------------------------------------
 */

static gf_xlator_t *xl1, *xl2;
static int this_bad;

static int
this_changer(void *opaque)
{
    int i;

    (void)opaque;
    if (gf_this() != xl1)
        this_bad++;
    gf_this_set(xl2);
    for (i = 0; i < 20; i++) {
        gf_synctask_sleep_ms(i % 2 ? 0 : 1);
        if (gf_this() != xl2)
            __atomic_add_fetch(&this_bad, 1, __ATOMIC_RELAXED);
    }
    return 0;
}

static int
this_keeper(void *opaque)
{
    int i;

    (void)opaque;
    for (i = 0; i < 20; i++) {
        if (gf_this() != xl1)
            __atomic_add_fetch(&this_bad, 1, __ATOMIC_RELAXED);
        gf_synctask_sleep_ms(i % 2);
    }
    return 0;
}

START_TEST(this_restored)
{
    gf_ctx_t *c1 = gf_ctx_new(), *c2 = gf_ctx_new();
    gf_syncenv_t *env;
    int i;

    ck_assert_ptr_nonnull(c1);
    ck_assert_ptr_nonnull(c2);
    xl1 = gf_ctx_global_xlator(c1);
    xl2 = gf_ctx_global_xlator(c2);
    gf_this_set(xl1);
    /* One proc: changer and keepers alternate on the same thread. Then
     * two procs, so tasks also migrate between threads. */
    env = env_make(1, 1, 1000);
    ck_assert_int_eq(gf_synctask_new(env, this_changer, NULL, NULL), 0);
    ck_assert_int_eq(gf_synctask_new(env, this_keeper, NULL, NULL), 0);
    gf_syncenv_free(env);
    env = env_make(2, 2, 1000);
    for (i = 0; i < 4; i++) {
        ck_assert_int_eq(gf_synctask_new(env, this_changer, NULL, NULL), 0);
        ck_assert_int_eq(gf_synctask_new(env, this_keeper, NULL, NULL), 0);
    }
    gf_syncenv_free(env);
    ck_assert_int_eq(this_bad, 0);
    ck_assert_ptr_eq(gf_this(), xl1);
    gf_this_set(NULL);
    gf_ctx_free(c2);
    gf_ctx_free(c1);
}
END_TEST

/* --- waiter ------------------------------------------------------------------
 */

struct delayed {
    gf_sync_waiter_t *w;
    unsigned ms;
};

static void *
wake_later(void *arg)
{
    struct delayed *d = arg;

    sleep_ms(d->ms);
    gf_sync_waiter_wake(d->w);
    return NULL;
}

static int
task_waits(void *opaque)
{
    gf_sync_waiter_t *w = opaque;

    return gf_sync_waiter_wait_n(w, 3) == 0 ? 5 : -1;
}

static int
inner_fn(void *opaque)
{
    (void)opaque;
    gf_synctask_sleep_ms(2);
    return 11;
}

static int
nested_run(void *opaque)
{
    /* A task waiting for a task on a one-proc env: only works if the
     * wait yields the proc. */
    return gf_synctask_run(opaque, inner_fn, NULL) + 1;
}

START_TEST(waiter_thread_and_task)
{
    gf_syncenv_t *env = env_make(1, 1, 1000);
    gf_sync_waiter_t w;
    struct delayed d[3];
    pthread_t th[3];
    uint64_t t0;
    int i;

    ck_assert_int_eq(gf_sync_waiter_init(&w), 0);
    /* Plain thread, woken later by another thread. */
    d[0].w = &w;
    d[0].ms = 50;
    t0 = now_ms();
    ck_assert_int_eq(pthread_create(&th[0], NULL, wake_later, &d[0]), 0);
    ck_assert_int_eq(gf_sync_waiter_wait(&w), 0);
    ck_assert_uint_ge(now_ms() - t0, 45);
    pthread_join(th[0], NULL);
    /* Wake before wait is kept. */
    ck_assert_int_eq(gf_sync_waiter_wake(&w), 0);
    ck_assert_int_eq(gf_sync_waiter_wait(&w), 0);
    /* A task waits for three wakes from three threads. */
    for (i = 0; i < 3; i++) {
        d[i].w = &w;
        d[i].ms = 10u * (unsigned)i;
        ck_assert_int_eq(pthread_create(&th[i], NULL, wake_later, &d[i]), 0);
    }
    ck_assert_int_eq(gf_synctask_run(env, task_waits, &w), 5);
    for (i = 0; i < 3; i++)
        pthread_join(th[i], NULL);
    gf_sync_waiter_fini(&w);
    /* A task joining a task, one proc. */
    ck_assert_int_eq(gf_synctask_run(env, nested_run, env), 12);
    gf_syncenv_free(env);
}
END_TEST

static gf_sync_waiter_t busy_w;

static int
busy_waiter(void *opaque)
{
    (void)opaque;
    return gf_sync_waiter_wait(&busy_w);
}

START_TEST(waiter_busy)
{
    gf_syncenv_t *env = env_make(1, 1, 1000);
    struct cbk_state s = {0};

    ck_assert_int_eq(gf_sync_waiter_init(&busy_w), 0);
    ck_assert_int_eq(gf_sync_waiter_init(&s.done), 0);
    ck_assert_int_eq(gf_synctask_new(env, busy_waiter, cbk_cbk, &s), 0);
    /* Wait until the task is parked on the waiter (peeking at it). */
    for (;;) {
        unsigned need;

        pthread_mutex_lock(&busy_w.lock);
        need = busy_w.need;
        pthread_mutex_unlock(&busy_w.lock);
        if (need)
            break;
        usleep(500);
    }
    ck_assert_int_eq(gf_sync_waiter_wait(&busy_w), -EBUSY);
    ck_assert_int_eq(gf_sync_waiter_wake(&busy_w), 0);
    ck_assert_int_eq(gf_sync_waiter_wait(&s.done), 0);
    ck_assert_int_eq(s.ret, 0);
    gf_sync_waiter_fini(&s.done);
    gf_sync_waiter_fini(&busy_w);
    gf_syncenv_free(env);
}
END_TEST

/* --- sleep
 * --------------------------------------------------------------------- */

static uint64_t other_ran_at;

static int
sleeper(void *opaque)
{
    uint64_t t0 = now_ms(), t1;

    (void)opaque;
    if (gf_synctask_sleep_ms(100) != 0)
        return -1;
    t1 = now_ms();
    /* The other task ran on our only proc while we slept. */
    if (!other_ran_at || other_ran_at >= t1)
        return -2;
    return (int)(t1 - t0);
}

static int
other(void *opaque)
{
    (void)opaque;
    other_ran_at = now_ms();
    return 0;
}

START_TEST(sleep_lets_others_run)
{
    gf_syncenv_t *env = env_make(1, 1, 1000);
    struct cbk_state s = {0};

    ck_assert_int_eq(gf_sync_waiter_init(&s.done), 0);
    ck_assert_int_eq(gf_synctask_new(env, sleeper, cbk_cbk, &s), 0);
    ck_assert_int_eq(gf_synctask_new(env, other, NULL, NULL), 0);
    ck_assert_int_eq(gf_sync_waiter_wait(&s.done), 0);
    ck_assert_int_ge(s.ret, 100);
    ck_assert_int_lt(s.ret, 2000);
    gf_sync_waiter_fini(&s.done);
    gf_syncenv_free(env);
}
END_TEST

static gf_synctask_t *sleeping_task;

static int
sleep_keeps_wake(void *opaque)
{
    uint64_t t0 = now_ms();

    (void)opaque;
    __atomic_store_n(&sleeping_task, gf_synctask_current(), __ATOMIC_RELEASE);
    gf_synctask_sleep_ms(100);
    if (now_ms() - t0 < 100)
        return -1; /* the wake cut the sleep short */
    /* The wake that came during the sleep is still pending. */
    return gf_synctask_yield() == 0 ? 1 : -2;
}

START_TEST(sleep_keeps_wakes)
{
    gf_syncenv_t *env = env_make(1, 1, 1000);
    struct cbk_state s = {0};

    ck_assert_int_eq(gf_sync_waiter_init(&s.done), 0);
    ck_assert_int_eq(gf_synctask_new(env, sleep_keeps_wake, cbk_cbk, &s), 0);
    while (!__atomic_load_n(&sleeping_task, __ATOMIC_ACQUIRE))
        usleep(500);
    sleep_ms(20);
    ck_assert_int_eq(gf_synctask_wake(sleeping_task), 0);
    ck_assert_int_eq(gf_sync_waiter_wait(&s.done), 0);
    ck_assert_int_eq(s.ret, 1);
    gf_sync_waiter_fini(&s.done);
    gf_syncenv_free(env);
}
END_TEST

/* --- lifecycle --------------------------------------------------------------
 */

static int spawned;

static int
child_task(void *opaque)
{
    (void)opaque;
    gf_synctask_sleep_ms(5);
    __atomic_add_fetch(&spawned, 1, __ATOMIC_RELAXED);
    return 0;
}

static int
parent_task(void *opaque)
{
    int i;

    for (i = 0; i < 10; i++)
        if (gf_synctask_new(opaque, child_task, NULL, NULL) != 0)
            return -1;
    __atomic_add_fetch(&spawned, 1, __ATOMIC_RELAXED);
    return 0;
}

START_TEST(free_waits_and_joins)
{
    int base = base_threads();
    gf_syncenv_t *env = env_make(3, 6, 10000);

    ck_assert_int_ge(count_threads(), base + 3);
    /* Free right away: it must wait for the parent and the children it
     * spawns, then join every proc and the sleep timer's thread. */
    ck_assert_int_eq(gf_synctask_new(env, parent_task, NULL, env), 0);
    gf_syncenv_free(env);
    ck_assert_int_eq(spawned, 11);
    ck_assert_int_eq(count_threads(), base);
}
END_TEST

static int
noop(void *opaque)
{
    (void)opaque;
    return 0;
}

static void
wake_cbk(int ret, void *opaque)
{
    (void)ret;
    gf_sync_waiter_wake(opaque);
}

START_TEST(stacks_recycled)
{
    gf_syncenv_config_t cfg;
    gf_syncenv_t *env;
    gf_syncenv_stats_t st;
    gf_sync_waiter_t w;
    int round, i;

    gf_syncenv_config_init(&cfg);
    cfg.procmin = 1;
    cfg.procmax = 2;
    cfg.stack_size = TEST_STACK;
    cfg.cache_max = 16;
    env = gf_syncenv_new(&cfg);
    ck_assert_ptr_nonnull(env);
    /* The joiner resumes when the callback ran, just before the task is
     * recycled: let it get back to the cache before the next one. */
    for (i = 0; i < 100; i++) {
        ck_assert_int_eq(gf_synctask_run(env, ret_opaque, (void *)1), 1);
        while (stats_of(env).tasks_live != 0)
            usleep(50);
    }
    st = stats_of(env);
    ck_assert_uint_eq(st.tasks_run, 100);
    ck_assert_uint_eq(st.stacks_mapped, 1);
    /* Ten at a time, ten rounds: stacks come back to the cache. At most
     * ten tasks live plus one finishing on each of the two procs. */
    ck_assert_int_eq(gf_sync_waiter_init(&w), 0);
    for (round = 0; round < 10; round++) {
        for (i = 0; i < 10; i++)
            ck_assert_int_eq(gf_synctask_new(env, noop, wake_cbk, &w), 0);
        ck_assert_int_eq(gf_sync_waiter_wait_n(&w, 10), 0);
    }
    st = stats_of(env);
    ck_assert_uint_le(st.stacks_mapped, 12);
    ck_assert_uint_le(st.stacks_cached, 16);
    gf_sync_waiter_fini(&w);
    gf_syncenv_free(env);
}
END_TEST

/* --- guard page ------------------------------------------------------------
 */

static __attribute__((noinline)) int
deep(int n)
{
    volatile char buf[1024];

    buf[0] = (char)n;
    buf[sizeof(buf) - 1] = (char)n;
    if (n == 0)
        return buf[0];
    return deep(n - 1) + buf[sizeof(buf) - 1];
}

static int
overflow(void *opaque)
{
    (void)opaque;
    return deep(100000);
}

START_TEST(stack_overflow_faults)
{
    int status;
    pid_t pid;

#ifdef RUNNING_ON_VALGRIND
    /* Valgrind reports the fault itself (as "bad permissions for mapped
     * region"), and its report of the dying child is only noise. */
    if (RUNNING_ON_VALGRIND)
        return;
#endif
    /* Nothing buffered may be written twice by the child. */
    fflush(stdout);
    fflush(stderr);
    pid = fork();

    ck_assert_int_ge(pid, 0);
    if (pid == 0) {
        gf_syncenv_config_t cfg;
        gf_syncenv_t *env;
        int null = open("/dev/null", O_WRONLY);

        /* The sanitizer's or valgrind's report is expected: hide it. */
        if (null >= 0)
            dup2(null, STDERR_FILENO);
        gf_syncenv_config_init(&cfg);
        cfg.procmin = cfg.procmax = 1;
        cfg.stack_size = GF_SYNCENV_STACK_MIN;
        env = gf_syncenv_new(&cfg);
        if (!env)
            _exit(3);
        gf_synctask_run(env, overflow, NULL);
        _exit(0); /* overflow went unnoticed */
    }
    ck_assert_int_eq(waitpid(pid, &status, 0), pid);
#ifdef __SANITIZE_ADDRESS__
    /* ASan catches the fault and reports a stack overflow. */
    ck_assert(!WIFEXITED(status) || WEXITSTATUS(status) != 0);
    ck_assert(!WIFEXITED(status) || WEXITSTATUS(status) != 3);
#else
    ck_assert(WIFSIGNALED(status));
    ck_assert_int_eq(WTERMSIG(status), SIGSEGV);
#endif
}
END_TEST

/* Tests share file-scope state; with CK_FORK=no they share a process. */
static void
reset_state(void)
{
    memset(slots, 0, sizeof(slots));
    memset(yields_done, 0, sizeof(yields_done));
    sum_ret = 0;
    tasks_done = 0;
    wakes_sent = 0;
    early_task = NULL;
    early_ready = early_woken = 0;
    shared_counter = 0;
    inside = overlaps = 0;
    memset(&ring, 0, sizeof(ring));
    bcast_waiting = bcast_go = bcast_woke = 0;
    spin_running = spin_release = 0;
    this_bad = 0;
    other_ran_at = 0;
    sleeping_task = NULL;
    spawned = 0;
}

int
main(void)
{
    Suite *s = suite_create("sync");
    TCase *tc = tcase_create("core");

    tcase_set_timeout(tc, 60);
    tcase_add_checked_fixture(tc, reset_state, NULL);
    tcase_add_test(tc, bad_config);
    tcase_add_test(tc, bad_calls);
    tcase_add_test(tc, lock_misuse);
    tcase_add_test(tc, defaults);
    tcase_add_test(tc, run_and_cbk);
    tcase_add_test(tc, many_yield_wake);
    tcase_add_test(tc, wake_before_yield);
    tcase_add_test(tc, synclock_tasks);
    tcase_add_test(tc, synclock_mixed);
    tcase_add_test(tc, synccond_prodcons);
    tcase_add_test(tc, synccond_broadcast);
    tcase_add_test(tc, procs_scale);
    tcase_add_test(tc, this_restored);
    tcase_add_test(tc, waiter_thread_and_task);
    tcase_add_test(tc, waiter_busy);
    tcase_add_test(tc, sleep_lets_others_run);
    tcase_add_test(tc, sleep_keeps_wakes);
    tcase_add_test(tc, free_waits_and_joins);
    tcase_add_test(tc, stacks_recycled);
    tcase_add_test(tc, stack_overflow_faults);
    suite_add_tcase(s, tc);
    return gf_test_run(s);
}
