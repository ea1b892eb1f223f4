/* SPDX-License-Identifier: LGPL-3.0-or-later */
/*
 * check-timer.c - the timer wheel: ordering, cancel in every interleaving
 * with the firing, re-arming, many timers, far deadlines (on a manual wheel
 * whose virtual clock makes them instant and exact), and teardown.
 */
#include <errno.h>
#include <pthread.h>
#include <signal.h>
#include <stdbool.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include <gf/timer.h>

#include "gf-test.h"

static uint64_t
mono_ms(void)
{
    struct timespec ts;

    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (uint64_t)ts.tv_sec * 1000u + (uint64_t)ts.tv_nsec / 1000000u;
}

/* Wait (bounded) until *P reaches WANT; returns its last value. */
static int
wait_for(int *p, int want, unsigned max_ms)
{
    uint64_t end = mono_ms() + max_ms;
    int v;

    while ((v = __atomic_load_n(p, __ATOMIC_ACQUIRE)) < want && mono_ms() < end)
        usleep(200);
    return v;
}

/* ---- recording firing order ---------------------------------------- */

struct rec {
    gf_timer_wheel_t *w;
    int n;
    int order[64];
    uint64_t at[64];
};

struct probe {
    struct rec *rec;
    int id;
};

static void
record_cb(void *data)
{
    struct probe *p = data;
    struct rec *r = p->rec;
    int i = __atomic_fetch_add(&r->n, 1, __ATOMIC_ACQ_REL);

    r->order[i] = p->id;
    r->at[i] = gf_timer_wheel_now(r->w);
}

START_TEST(order_manual)
{
    static const uint64_t delays[] = {50, 10, 3600000, 30, 1, 20, 4097, 0};
    static const int expect[] = {7, 4, 1, 5, 3, 0, 6, 2};
    struct rec r = {.w = gf_timer_wheel_new_manual()};
    struct probe p[GF_ARRAY_SIZE(delays)];

    ck_assert_ptr_nonnull(r.w);
    for (unsigned i = 0; i < GF_ARRAY_SIZE(delays); i++) {
        p[i] = (struct probe){&r, (int)i};
        gf_timer_release(r.w,
                         gf_timer_call_after(r.w, delays[i], record_cb, &p[i]));
    }
    ck_assert_uint_eq(gf_timer_wheel_pending(r.w), GF_ARRAY_SIZE(delays));
    ck_assert_int_eq(gf_timer_wheel_advance(r.w, 5000), 0);
    ck_assert_int_eq(r.n, 7);
    ck_assert_int_eq(gf_timer_wheel_advance(r.w, 3600000), 0);
    ck_assert_int_eq(r.n, 8);
    for (unsigned i = 0; i < GF_ARRAY_SIZE(expect); i++) {
        ck_assert_int_eq(r.order[i], expect[i]);
        /* a manual wheel fires each timer exactly at its deadline */
        ck_assert_uint_eq(r.at[i], delays[expect[i]]);
    }
    ck_assert_uint_eq(gf_timer_wheel_pending(r.w), 0);
    ck_assert_uint_eq(gf_timer_wheel_now(r.w), 3605000);
    gf_timer_wheel_free(r.w);
}
END_TEST

START_TEST(order_threaded)
{
    static const uint64_t delays[] = {60, 20, 40, 5};
    static const int expect[] = {3, 1, 2, 0};
    struct rec r = {.w = gf_timer_wheel_new()};
    struct probe p[GF_ARRAY_SIZE(delays)];
    uint64_t t0 = mono_ms();

    ck_assert_ptr_nonnull(r.w);
    for (unsigned i = 0; i < GF_ARRAY_SIZE(delays); i++) {
        p[i] = (struct probe){&r, (int)i};
        gf_timer_release(r.w,
                         gf_timer_call_after(r.w, delays[i], record_cb, &p[i]));
    }
    ck_assert_int_eq(wait_for(&r.n, 4, 2000), 4);
    ck_assert_uint_ge(mono_ms() - t0, 60);
    for (unsigned i = 0; i < GF_ARRAY_SIZE(expect); i++) {
        ck_assert_int_eq(r.order[i], expect[i]);
        ck_assert_uint_ge(r.at[i], delays[expect[i]]);
    }
    gf_timer_wheel_free(r.w);
}
END_TEST

/* ---- cancel ------------------------------------------------------------ */

static void
count_cb(void *data)
{
    __atomic_fetch_add((int *)data, 1, __ATOMIC_ACQ_REL);
}

START_TEST(cancel_before_fire)
{
    gf_timer_wheel_t *w = gf_timer_wheel_new_manual();
    gf_timer_wheel_t *rt = gf_timer_wheel_new();
    int fired = 0, kept = 0;
    gf_timer_t *a, *b, *c;

    a = gf_timer_call_after(w, 10, count_cb, &fired);
    b = gf_timer_call_after(w, 7200000, count_cb, &fired);
    c = gf_timer_call_after(w, 10, count_cb, &kept);
    ck_assert_int_eq(gf_timer_cancel(w, a), 0);
    ck_assert_int_eq(gf_timer_cancel(w, b), 0);
    ck_assert_uint_eq(gf_timer_wheel_pending(w), 1);
    gf_timer_wheel_advance(w, 8000000);
    ck_assert_int_eq(fired, 0);
    ck_assert_int_eq(kept, 1);
    /* after firing, cancel says so and still gives the handle back */
    ck_assert_int_eq(gf_timer_cancel(w, c), -EALREADY);
    gf_timer_wheel_free(w);

    a = gf_timer_call_after(rt, 20, count_cb, &fired);
    ck_assert_int_eq(gf_timer_cancel(rt, a), 0);
    usleep(60000);
    ck_assert_int_eq(__atomic_load_n(&fired, __ATOMIC_ACQUIRE), 0);
    gf_timer_wheel_free(rt);
}
END_TEST

/* A callback that holds the wheel thread until the test lets it go. */
struct gate {
    pthread_mutex_t mu;
    pthread_cond_t cv;
    int entered, open, left;
};

static void
gate_cb(void *data)
{
    struct gate *g = data;

    pthread_mutex_lock(&g->mu);
    g->entered = 1;
    pthread_cond_broadcast(&g->cv);
    while (!g->open)
        pthread_cond_wait(&g->cv, &g->mu);
    g->left = 1;
    pthread_mutex_unlock(&g->mu);
}

START_TEST(cancel_while_firing)
{
    gf_timer_wheel_t *w = gf_timer_wheel_new();
    struct gate g = {.mu = PTHREAD_MUTEX_INITIALIZER,
                     .cv = PTHREAD_COND_INITIALIZER};
    int other = 0;
    gf_timer_t *t, *behind;

    t = gf_timer_call_after(w, 1, gate_cb, &g);
    behind = gf_timer_call_after(w, 2, count_cb, &other);
    pthread_mutex_lock(&g.mu);
    while (!g.entered)
        pthread_cond_wait(&g.cv, &g.mu);
    pthread_mutex_unlock(&g.mu);

    /* the callback is running: too late, but the handle is still safe */
    ck_assert_int_eq(gf_timer_cancel(w, t), -EALREADY);
    /* the next timer is due but queued behind the callback: cancellable */
    usleep(5000);
    ck_assert_int_eq(gf_timer_cancel(w, behind), 0);

    pthread_mutex_lock(&g.mu);
    g.open = 1;
    pthread_cond_broadcast(&g.cv);
    pthread_mutex_unlock(&g.mu);
    gf_timer_wheel_free(w);
    ck_assert_int_eq(g.left, 1);
    ck_assert_int_eq(other, 0);
}
END_TEST

START_TEST(cancel_race_threaded)
{
    gf_timer_wheel_t *w = gf_timer_wheel_new();
    int won = 0, lost = 0;

    srand(12345);
    for (int i = 0; i < 400; i++) {
        int fired = 0;
        gf_timer_t *t = gf_timer_call_after(w, 1, count_cb, &fired);
        int rc;

        ck_assert_ptr_nonnull(t);
        usleep((unsigned)(rand() % 2500));
        rc = gf_timer_cancel(w, t);
        if (rc == 0) {
            won++;
            usleep(2000);
            ck_assert_int_eq(__atomic_load_n(&fired, __ATOMIC_ACQUIRE), 0);
        } else {
            ck_assert_int_eq(rc, -EALREADY);
            lost++;
            /* FIRED is on our stack: wait until the callback is done */
            ck_assert_int_eq(wait_for(&fired, 1, 2000), 1);
        }
    }
    ck_assert_int_eq(won + lost, 400);
    gf_timer_wheel_free(w);
}
END_TEST

/* Cancel from a second thread while the test thread drives a manual wheel
 * one tick at a time: every outcome must agree with what fired. */
struct race {
    gf_timer_wheel_t *w;
    gf_timer_t *t[256];
    int fired[256];
    int rc[256];
    int go;
};

static void
race_cb(void *data)
{
    count_cb(data);
}

static void *
race_canceller(void *arg)
{
    struct race *r = arg;

    while (!__atomic_load_n(&r->go, __ATOMIC_ACQUIRE))
        ;
    for (int i = 255; i >= 0; i--)
        r->rc[i] = gf_timer_cancel(r->w, r->t[i]);
    return NULL;
}

START_TEST(cancel_race_manual)
{
    for (int round = 0; round < 20; round++) {
        struct race *r = calloc(1, sizeof(*r));
        pthread_t th;
        int cancelled = 0;

        r->w = gf_timer_wheel_new_manual();
        for (int i = 0; i < 256; i++)
            r->t[i] = gf_timer_call_after(r->w, (uint64_t)i % 64, race_cb,
                                          &r->fired[i]);
        pthread_create(&th, NULL, race_canceller, r);
        __atomic_store_n(&r->go, 1, __ATOMIC_RELEASE);
        for (int ms = 0; ms < 64; ms++)
            gf_timer_wheel_advance(r->w, 1);
        pthread_join(th, NULL);
        for (int i = 0; i < 256; i++) {
            if (r->rc[i] == 0) {
                ck_assert_int_eq(r->fired[i], 0);
                cancelled++;
            } else {
                ck_assert_int_eq(r->rc[i], -EALREADY);
                ck_assert_int_eq(r->fired[i], 1);
            }
        }
        ck_assert_int_le(cancelled, 256);
        gf_timer_wheel_free(r->w);
        free(r);
    }
}
END_TEST

/* ---- callbacks that use the wheel ---------------------------------- */

struct self {
    gf_timer_wheel_t *w;
    gf_timer_t *me, *victim;
    int rc_me, rc_victim;
    int victim_fired;
};

static void
self_cb(void *data)
{
    struct self *s = data;

    s->rc_victim = gf_timer_cancel(s->w, s->victim);
    s->rc_me = gf_timer_cancel(s->w, s->me);
}

START_TEST(cancel_from_callback)
{
    struct self s = {.w = gf_timer_wheel_new_manual()};

    s.me = gf_timer_call_after(s.w, 5, self_cb, &s);
    s.victim = gf_timer_call_after(s.w, 5, count_cb, &s.victim_fired);
    gf_timer_wheel_advance(s.w, 100);
    ck_assert_int_eq(s.rc_me, -EALREADY);
    /* same deadline, fired after us or cancelled: either is coherent */
    if (s.rc_victim == 0)
        ck_assert_int_eq(s.victim_fired, 0);
    else
        ck_assert_int_eq(s.victim_fired, 1);
    gf_timer_wheel_free(s.w);

    /* a later victim is still pending: cancelled for good */
    s = (struct self){.w = gf_timer_wheel_new_manual()};
    s.me = gf_timer_call_after(s.w, 5, self_cb, &s);
    s.victim = gf_timer_call_after(s.w, 50, count_cb, &s.victim_fired);
    gf_timer_wheel_advance(s.w, 100);
    ck_assert_int_eq(s.rc_me, -EALREADY);
    ck_assert_int_eq(s.rc_victim, 0);
    ck_assert_int_eq(s.victim_fired, 0);
    ck_assert_uint_eq(gf_timer_wheel_pending(s.w), 0);
    gf_timer_wheel_free(s.w);
}
END_TEST

struct rearm {
    gf_timer_wheel_t *w;
    gf_timer_t *t;
    int n, max;
    uint64_t at[16];
};

static void
rearm_cb(void *data)
{
    struct rearm *r = data;

    r->at[r->n++] = gf_timer_wheel_now(r->w);
    gf_timer_release(r->w, r->t); /* our own, fired handle */
    r->t = r->n < r->max ? gf_timer_call_after(r->w, 100, rearm_cb, r) : NULL;
}

START_TEST(rearm_self)
{
    struct rearm r = {.w = gf_timer_wheel_new_manual(), .max = 10};

    r.t = gf_timer_call_after(r.w, 100, rearm_cb, &r);
    ck_assert_int_eq(gf_timer_wheel_advance(r.w, 1050), 0);
    ck_assert_int_eq(r.n, 10);
    for (int i = 0; i < 10; i++)
        ck_assert_uint_eq(r.at[i], (uint64_t)(i + 1) * 100);
    ck_assert_ptr_null(r.t);
    gf_timer_wheel_free(r.w);

    /* and on a real wheel */
    r = (struct rearm){.w = gf_timer_wheel_new(), .max = 5};
    r.t = gf_timer_call_after(r.w, 0, rearm_cb, &r);
    usleep(700000);
    ck_assert_int_eq(r.n, 5);
    gf_timer_wheel_free(r.w);
}
END_TEST

static void
advance_cb(void *data)
{
    struct self *s = data;

    s->rc_me = gf_timer_wheel_advance(s->w, 10);
}

START_TEST(bad_input)
{
    gf_timer_wheel_t *w = gf_timer_wheel_new_manual();
    gf_timer_wheel_t *rt = gf_timer_wheel_new_tick(10);
    struct self s = {.w = w};
    int n = 0;

    errno = 0;
    ck_assert_ptr_null(gf_timer_call_after(NULL, 1, count_cb, &n));
    ck_assert_int_eq(errno, EINVAL);
    errno = 0;
    ck_assert_ptr_null(gf_timer_call_after(w, 1, NULL, &n));
    ck_assert_int_eq(errno, EINVAL);
    ck_assert_int_eq(gf_timer_cancel(NULL, NULL), -EINVAL);
    ck_assert_int_eq(gf_timer_cancel(w, NULL), -EINVAL);
    gf_timer_release(w, NULL);
    gf_timer_release(NULL, NULL);
    ck_assert_int_eq(gf_timer_wheel_advance(NULL, 1), -EINVAL);
    ck_assert_int_eq(gf_timer_wheel_advance(rt, 1), -EINVAL);
    ck_assert_uint_eq(gf_timer_wheel_now(NULL), 0);
    ck_assert_uint_eq(gf_timer_wheel_pending(NULL), 0);
    errno = 0;
    ck_assert_ptr_null(gf_timer_wheel_new_tick(0));
    ck_assert_int_eq(errno, EINVAL);
    ck_assert_ptr_null(gf_timer_wheel_new_tick(GF_TIMER_MAX_TICK_MS + 1));
    gf_timer_wheel_free(NULL);

    /* a handle is only good with its own wheel */
    {
        gf_timer_wheel_t *other = gf_timer_wheel_new_manual();
        gf_timer_t *t = gf_timer_call_after(other, 1, count_cb, &n);

        ck_assert_int_eq(gf_timer_cancel(w, t), -EINVAL);
        gf_timer_release(w, t); /* ignored */
        ck_assert_int_eq(gf_timer_cancel(other, t), 0);
        gf_timer_wheel_free(other);
    }

    /* re-entering advance from a callback is refused, not recursed */
    gf_timer_release(w, gf_timer_call_after(w, 1, advance_cb, &s));
    ck_assert_int_eq(gf_timer_wheel_advance(w, 5), 0);
    ck_assert_int_eq(s.rc_me, -EDEADLK);
    ck_assert_uint_eq(gf_timer_wheel_now(w), 5);

    /* a 10 ms tick rounds a 1 ms delay up, never down */
    {
        uint64_t t0 = mono_ms();

        gf_timer_release(rt, gf_timer_call_after(rt, 1, count_cb, &n));
        ck_assert_int_eq(wait_for(&n, 1, 2000), 1);
        ck_assert_uint_ge(mono_ms() - t0, 1);
    }
    /* absurd delays are clamped, not overflowed */
    gf_timer_release(w, gf_timer_call_after(w, UINT64_MAX, count_cb, &n));
    gf_timer_wheel_advance(w, 1000000);
    ck_assert_int_eq(n, 1);
    gf_timer_wheel_free(w);
    gf_timer_wheel_free(rt);
}
END_TEST

static void
free_self_cb(void *data)
{
    gf_timer_wheel_free(data);
}

START_TEST(free_from_callback_aborts)
{
    gf_timer_wheel_t *w = gf_timer_wheel_new_manual();

    gf_timer_release(w, gf_timer_call_after(w, 1, free_self_cb, w));
    gf_timer_wheel_advance(w, 2);
}
END_TEST

/* ---- volume -------------------------------------------------------- */

enum { MANY = 20000 };

struct many {
    gf_timer_wheel_t *w;
    int total;
    int late;
    uint64_t max_late;
    int fired[MANY];
    uint64_t due[MANY];
};

struct many_probe {
    struct many *m;
    int i;
};

static void
many_cb(void *data)
{
    struct many_probe *p = data;
    struct many *m = p->m;
    uint64_t now = gf_timer_wheel_now(m->w);

    m->fired[p->i]++;
    if (now < m->due[p->i])
        m->late = -1; /* early: a hard failure */
    else if (now - m->due[p->i] > m->max_late)
        m->max_late = now - m->due[p->i];
    __atomic_fetch_add(&m->total, 1, __ATOMIC_ACQ_REL);
}

START_TEST(many_threaded)
{
    struct many *m = calloc(1, sizeof(*m));
    struct many_probe *p = calloc(MANY, sizeof(*p));

    m->w = gf_timer_wheel_new();
    srand(7);
    for (int i = 0; i < MANY; i++) {
        uint64_t d = (uint64_t)(rand() % 300);

        p[i] = (struct many_probe){m, i};
        m->due[i] = gf_timer_wheel_now(m->w) + d;
        gf_timer_release(m->w, gf_timer_call_after(m->w, d, many_cb, &p[i]));
    }
    ck_assert_int_eq(wait_for(&m->total, MANY, 10000), MANY);
    usleep(20000);
    ck_assert_int_eq(m->total, MANY);
    for (int i = 0; i < MANY; i++)
        ck_assert_int_eq(m->fired[i], 1);
    ck_assert_int_eq(m->late, 0);
    /* generous: a loaded CI box or valgrind can stall the runner */
    ck_assert_uint_lt(m->max_late, 1000);
    ck_assert_uint_eq(gf_timer_wheel_pending(m->w), 0);
    gf_timer_wheel_free(m->w);
    free(p);
    free(m);
}
END_TEST

/* 20000 timers spread over ten days, some cancelled, advanced in uneven
 * steps: each survivor fires once, exactly at its deadline. */
START_TEST(many_far_manual)
{
    struct many *m = calloc(1, sizeof(*m));
    struct many_probe *p = calloc(MANY, sizeof(*p));
    gf_timer_t **h = calloc(MANY, sizeof(*h));
    int cancelled = 0;
    uint64_t horizon = 10ull * 24 * 3600 * 1000;

    m->w = gf_timer_wheel_new_manual();
    srand(99);
    for (int i = 0; i < MANY; i++) {
        uint64_t d = ((uint64_t)rand() << 20 ^ (uint64_t)rand()) % horizon;

        if (i % 10 == 0)
            d %= 5000; /* plenty of near ones too */
        p[i] = (struct many_probe){m, i};
        m->due[i] = d;
        h[i] = gf_timer_call_after(m->w, d, many_cb, &p[i]);
    }
    for (int i = 0; i < MANY; i += 7) {
        ck_assert_int_eq(gf_timer_cancel(m->w, h[i]), 0);
        h[i] = NULL;
        m->fired[i] = 1; /* counts as "once" below */
        cancelled++;
    }
    for (uint64_t t = 0; t <= horizon;) {
        uint64_t step = 1 + (uint64_t)rand() % 7200000;

        gf_timer_wheel_advance(m->w, step);
        t += step;
    }
    ck_assert_int_eq(m->total, MANY - cancelled);
    ck_assert_int_eq(m->late, 0);
    ck_assert_uint_eq(m->max_late, 0);
    for (int i = 0; i < MANY; i++) {
        ck_assert_int_eq(m->fired[i], 1);
        gf_timer_release(m->w, h[i]);
    }
    gf_timer_wheel_free(m->w);
    free(h);
    free(p);
    free(m);
}
END_TEST

START_TEST(cascade_far_future)
{
    static const uint64_t d[] = {3600000, 2 * 3600000 + 1, 3 * 86400000ull,
                                 365 * 86400000ull, (1ull << 36) + 3};
    struct rec r = {.w = gf_timer_wheel_new_manual()};
    struct probe p[GF_ARRAY_SIZE(d)];

    for (unsigned i = 0; i < GF_ARRAY_SIZE(d); i++) {
        p[i] = (struct probe){&r, (int)i};
        gf_timer_release(r.w, gf_timer_call_after(r.w, d[i], record_cb, &p[i]));
    }
    gf_timer_wheel_advance(r.w, 3600000 - 1);
    ck_assert_int_eq(r.n, 0);
    gf_timer_wheel_advance(r.w, 1);
    ck_assert_int_eq(r.n, 1);
    gf_timer_wheel_advance(r.w, 3600000);
    ck_assert_int_eq(r.n, 1);
    gf_timer_wheel_advance(r.w, 1);
    ck_assert_int_eq(r.n, 2);
    /* one millisecond at a time across a level boundary */
    for (int i = 0; i < 5000; i++)
        gf_timer_wheel_advance(r.w, 1);
    ck_assert_int_eq(r.n, 2);
    gf_timer_wheel_advance(r.w, 400 * 86400000ull);
    ck_assert_int_eq(r.n, 4);
    gf_timer_wheel_advance(r.w, 1ull << 36);
    ck_assert_int_eq(r.n, 5);
    for (unsigned i = 0; i < GF_ARRAY_SIZE(d); i++) {
        ck_assert_int_eq(r.order[i], (int)i);
        ck_assert_uint_eq(r.at[i], d[i]);
    }
    gf_timer_wheel_free(r.w);
}
END_TEST

/* Deadlines one full turn of a level ahead, added mid-block, land in the
 * slot whose index is the current block's: it must not be taken for due. */
START_TEST(cascade_full_turn)
{
    struct rec r = {.w = gf_timer_wheel_new_manual()};
    struct probe p[3] = {{&r, 0}, {&r, 1}, {&r, 2}};

    gf_timer_wheel_advance(r.w, 10);
    gf_timer_release(r.w, gf_timer_call_after(r.w, 4091, record_cb, &p[0]));
    gf_timer_release(r.w,
                     gf_timer_call_after(r.w, 262144 - 20, record_cb, &p[1]));
    gf_timer_release(r.w, gf_timer_call_after(r.w, 30, record_cb, &p[2]));
    gf_timer_wheel_advance(r.w, 100);
    ck_assert_int_eq(r.n, 1);
    ck_assert_uint_eq(r.at[0], 40);
    gf_timer_wheel_advance(r.w, 4101 - 110 - 1);
    ck_assert_int_eq(r.n, 1);
    gf_timer_wheel_advance(r.w, 1);
    ck_assert_int_eq(r.n, 2);
    ck_assert_uint_eq(r.at[1], 4101);
    gf_timer_wheel_advance(r.w, 300000);
    ck_assert_int_eq(r.n, 3);
    ck_assert_uint_eq(r.at[2], 262134);
    gf_timer_wheel_free(r.w);
}
END_TEST

START_TEST(free_with_pending)
{
    gf_timer_wheel_t *w = gf_timer_wheel_new();
    gf_timer_wheel_t *m = gf_timer_wheel_new_manual();
    int fired = 0;
    gf_timer_t *held[100];

    for (int i = 0; i < 1000; i++) {
        gf_timer_t *t =
            gf_timer_call_after(w, 3600000 + (uint64_t)i, count_cb, &fired);

        if (i < 100)
            held[i] = t; /* never given back: the wheel frees it */
        else
            gf_timer_release(w, t);
        gf_timer_release(
            m, gf_timer_call_after(m, (uint64_t)i * 10, count_cb, &fired));
    }
    (void)held;
    ck_assert_uint_eq(gf_timer_wheel_pending(w), 1000);
    gf_timer_wheel_advance(m, 5000); /* some fired, the rest pending */
    ck_assert_int_eq(fired, 501);
    gf_timer_wheel_free(w);
    gf_timer_wheel_free(m);
    ck_assert_int_eq(fired, 501);
}
END_TEST

int
main(void)
{
    Suite *s = suite_create("timer");
    TCase *tc = tcase_create("core");
    const char *fork = getenv("CK_FORK");

    tcase_set_timeout(tc, 60);
    tcase_add_test(tc, order_manual);
    tcase_add_test(tc, order_threaded);
    tcase_add_test(tc, cancel_before_fire);
    tcase_add_test(tc, cancel_while_firing);
    tcase_add_test(tc, cancel_race_threaded);
    tcase_add_test(tc, cancel_race_manual);
    tcase_add_test(tc, cancel_from_callback);
    tcase_add_test(tc, rearm_self);
    tcase_add_test(tc, bad_input);
    tcase_add_test(tc, many_threaded);
    tcase_add_test(tc, many_far_manual);
    tcase_add_test(tc, cascade_far_future);
    tcase_add_test(tc, cascade_full_turn);
    tcase_add_test(tc, free_with_pending);
    /* an abort kills the whole runner when tests are not forked */
    if (!fork || strcmp(fork, "no") != 0)
        tcase_add_test_raise_signal(tc, free_from_callback_aborts, SIGABRT);
    suite_add_tcase(s, tc);
    return gf_test_run(s);
}
