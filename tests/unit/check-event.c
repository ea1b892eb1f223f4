/* SPDX-License-Identifier: LGPL-3.0-or-later */
/*
 * check-event.c - the event pool: delivery on event threads, select_on,
 * one thread per fd under stress, unregistration from inside and outside
 * the handler, posts, thread reconfiguration, shutdown and the epoll
 * requirement. make check runs it twice: on epoll, and on poll through
 * check-event-poll.sh (EVENT_NOEPOLL=1 GF_EVENT_ALLOW_POLL=1).
 */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <pthread.h>
#include <stdatomic.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/socket.h>
#include <unistd.h>

#if defined(__has_include)
#if __has_include(<valgrind/valgrind.h>)
#include <valgrind/valgrind.h>
#define HAVE_VALGRIND_H 1
#endif
#endif

#include <gf/event.h>

#include "gf-test.h"

/* Under valgrind (or GF_TEST_SLOW) loads shrink tenfold. */
static bool
slow(void)
{
#ifdef HAVE_VALGRIND_H
    if (RUNNING_ON_VALGRIND)
        return true;
#endif
    return getenv("GF_TEST_SLOW") != NULL;
}

static int
scaled(int n)
{
    return slow() && n >= 10 ? n / 10 : n;
}

static void
msleep(int ms)
{
    usleep((useconds_t)ms * 1000);
}

/* Wait up to 20 s for *V >= TARGET. */
static bool
wait_ge(atomic_int *v, int target)
{
    for (int i = 0; i < 20000; i++) {
        if (atomic_load(v) >= target)
            return true;
        msleep(1);
    }
    return atomic_load(v) >= target;
}

static void *
nop_main(void *arg)
{
    return arg;
}

/* Threads of this process now. The first pthread_create may start helper
 * threads of its own (TSan's), so one is made and joined beforehand. */
static int
count_tasks(void)
{
    static bool warmed;
    struct dirent *e;
    int n = 0;
    DIR *d;

    if (!warmed) {
        pthread_t t;

        ck_assert_int_eq(pthread_create(&t, NULL, nop_main, NULL), 0);
        pthread_join(t, NULL);
        warmed = true;
    }
    d = opendir("/proc/self/task");
    ck_assert_ptr_nonnull(d);
    while ((e = readdir(d)))
        if (e->d_name[0] != '.')
            n++;
    closedir(d);
    return n;
}

/* Wait up to 20 s for the task count to become N. */
static bool
wait_tasks(int n)
{
    for (int i = 0; i < 20000; i++) {
        if (count_tasks() == n)
            return true;
        msleep(1);
    }
    return false;
}

static void
mkpair(int sv[2])
{
    ck_assert_int_eq(socketpair(AF_UNIX, SOCK_STREAM, 0, sv), 0);
    ck_assert_int_eq(fcntl(sv[0], F_SETFL, O_NONBLOCK), 0);
    ck_assert_int_eq(fcntl(sv[1], F_SETFL, O_NONBLOCK), 0);
}

static void
put_byte(int fd)
{
    ck_assert_int_eq(write(fd, "x", 1), 1);
}

static int
drain_fd(int fd)
{
    char buf[256];
    ssize_t r;
    int total = 0;

    while ((r = read(fd, buf, sizeof(buf))) > 0)
        total += (int)r;
    return total;
}

static bool
on_epoll(void)
{
    const char *v = getenv("EVENT_NOEPOLL");

    return !(v && *v);
}

/* ---- a connection record used by most tests ---- */

struct conn {
    gf_event_pool_t *pool;
    int sv[2];
    int id;
    atomic_int in;        /* IN events */
    atomic_int out;       /* OUT events */
    atomic_int bytes;     /* bytes read by the handler */
    atomic_int busy;      /* 1 while the handler runs */
    atomic_int overlap;   /* handler found busy set: ran concurrently */
    atomic_int thread;    /* event thread index of the last call */
    atomic_int done;      /* unregistration completed */
    atomic_int late;      /* handler entered after done */
    atomic_uint events;   /* last events mask */
    atomic_int out_limit; /* OUT turned off after this many OUT events */
    int data_fd;          /* what the handler saw */
    void *data_seen;
    pthread_t tid;
};

static void
enter(struct conn *c)
{
    if (atomic_exchange(&c->busy, 1))
        atomic_fetch_add(&c->overlap, 1);
    if (atomic_load(&c->done))
        atomic_fetch_add(&c->late, 1);
    atomic_store(&c->thread, gf_event_thread_index(c->pool));
}

static void
leave(struct conn *c)
{
    atomic_store(&c->busy, 0);
}

static void
conn_handler(int id, int fd, void *data, unsigned events)
{
    struct conn *c = data;

    enter(c);
    c->data_fd = fd;
    c->data_seen = data;
    c->tid = pthread_self();
    ck_assert_int_eq(id, c->id);
    atomic_store(&c->events, events);
    if (events & GF_EVENT_IN) {
        atomic_fetch_add(&c->bytes, drain_fd(fd));
        atomic_fetch_add(&c->in, 1);
    }
    if (events & GF_EVENT_OUT) {
        int n = atomic_fetch_add(&c->out, 1) + 1;

        if (n % atomic_load(&c->out_limit) == 0)
            ck_assert_int_eq(gf_event_select_on(c->pool, id, -1, 0), 0);
    }
    leave(c);
}

static void
conn_open(struct conn *c, gf_event_pool_t *pool, bool in, bool out)
{
    memset(c, 0, sizeof(*c));
    c->pool = pool;
    atomic_store(&c->out_limit, 1);
    atomic_store(&c->thread, -1);
    mkpair(c->sv);
    c->id = gf_event_register(pool, c->sv[0], conn_handler, c, in, out);
    ck_assert_int_ge(c->id, 0);
}

static void
conn_close(struct conn *c)
{
    close(c->sv[0]);
    close(c->sv[1]);
}

static void
set_done(void *arg)
{
    struct conn *c = arg;

    ck_assert_int_eq(atomic_load(&c->busy), 0);
    atomic_store(&c->thread, gf_event_thread_index(c->pool));
    atomic_store(&c->done, 1);
}

/* ---- tests ---- */

START_TEST(pool_new_backend)
{
    int before = count_tasks();
    gf_event_pool_t *pool = gf_event_pool_new(0);

    ck_assert_ptr_nonnull(pool);
    ck_assert_str_eq(gf_event_pool_error(), "");
    ck_assert_uint_eq(gf_event_pool_threads(pool), 2);
    ck_assert_str_eq(gf_event_pool_backend(pool),
                     on_epoll() ? "epoll" : "poll");
    ck_assert_int_eq(count_tasks(), before); /* no thread before start */
    ck_assert_int_eq(gf_event_thread_index(pool), -1);
    gf_event_pool_free(pool);
}
END_TEST

START_TEST(readable_calls_handler)
{
    gf_event_pool_t *pool = gf_event_pool_new(2);
    struct conn c;

    conn_open(&c, pool, true, false);
    ck_assert_int_eq(gf_event_pool_start(pool), 0);
    msleep(10);
    ck_assert_int_eq(atomic_load(&c.in), 0);
    put_byte(c.sv[1]);
    ck_assert(wait_ge(&c.in, 1));
    ck_assert_ptr_eq(c.data_seen, &c);
    ck_assert_int_eq(c.data_fd, c.sv[0]);
    ck_assert_int_eq(atomic_load(&c.bytes), 1);
    ck_assert(atomic_load(&c.events) & GF_EVENT_IN);
    ck_assert_int_ge(atomic_load(&c.thread), 0);
    ck_assert_int_lt(atomic_load(&c.thread), 2);
    ck_assert(!pthread_equal(c.tid, pthread_self()));
    gf_event_pool_free(pool);
    conn_close(&c);
}
END_TEST

START_TEST(select_on_toggles_out)
{
    gf_event_pool_t *pool = gf_event_pool_new(2);
    struct conn c;

    conn_open(&c, pool, true, false);
    atomic_store(&c.out_limit, 3); /* handler turns OUT off every 3rd */
    ck_assert_int_eq(gf_event_pool_start(pool), 0);
    msleep(20);
    ck_assert_int_eq(atomic_load(&c.out), 0); /* writable, not selected */

    ck_assert_int_eq(gf_event_select_on(pool, c.id, -1, 1), 0);
    ck_assert(wait_ge(&c.out, 3));
    msleep(30);
    ck_assert_int_eq(atomic_load(&c.out), 3); /* off from the handler */

    ck_assert_int_eq(gf_event_select_on(pool, c.id, -1, 1), 0);
    ck_assert(wait_ge(&c.out, 6));
    msleep(30);
    ck_assert_int_eq(atomic_load(&c.out), 6);

    /* IN is untouched by the OUT toggling; then IN off from here. */
    put_byte(c.sv[1]);
    ck_assert(wait_ge(&c.in, 1));
    ck_assert_int_eq(gf_event_select_on(pool, c.id, 0, -1), 0);
    msleep(10); /* a call already running may finish */
    int in_now = atomic_load(&c.in);
    put_byte(c.sv[1]);
    msleep(30);
    ck_assert_int_eq(atomic_load(&c.in), in_now);
    ck_assert_int_eq(gf_event_select_on(pool, c.id, 1, -1), 0);
    ck_assert(wait_ge(&c.in, in_now + 1));
    ck_assert_int_eq(atomic_load(&c.bytes), 2);
    ck_assert_int_eq(atomic_load(&c.overlap), 0);
    gf_event_pool_free(pool);
    conn_close(&c);
}
END_TEST

/* ---- 1000 fds on 4 threads ---- */

struct stress {
    struct conn *c;
    int n;
    int rounds;
    int first, step;
    atomic_int stop;
};

static void
raise_nofile(int need)
{
    struct rlimit rl;

    ck_assert_int_eq(getrlimit(RLIMIT_NOFILE, &rl), 0);
    if (rl.rlim_cur < (rlim_t)need && rl.rlim_max >= (rlim_t)need) {
        rl.rlim_cur = (rlim_t)need;
        ck_assert_int_eq(setrlimit(RLIMIT_NOFILE, &rl), 0);
    }
}

static void *
writer_main(void *arg)
{
    struct stress *st = arg;

    for (int r = 0; r < st->rounds; r++)
        for (int i = st->first; i < st->n; i += st->step)
            while (write(st->c[i].sv[1], "y", 1) != 1)
                sched_yield();
    return NULL;
}

static void *
toggler_main(void *arg)
{
    struct stress *st = arg;
    unsigned k = 0;

    /* Flip IN and OUT of random fds from a foreign thread while they fire;
     * the handler switches OUT off again from inside. */
    while (!atomic_load(&st->stop)) {
        struct conn *c = &st->c[(k * 7919u) % (unsigned)st->n];

        ck_assert_int_eq(gf_event_select_on(c->pool, c->id, 0, 1), 0);
        ck_assert_int_eq(gf_event_select_on(c->pool, c->id, 1, -1), 0);
        k++;
    }
    return NULL;
}

static int
sum_bytes(struct conn *c, int n)
{
    int total = 0;

    for (int i = 0; i < n; i++)
        total += atomic_load(&c[i].bytes);
    return total;
}

START_TEST(stress_one_thread_per_fd)
{
    int n = scaled(1000), rounds = scaled(20), used[4] = {0};
    gf_event_pool_t *pool;
    struct stress st[2];
    struct conn *c;
    pthread_t w[2], tg;

    raise_nofile(2 * n + 64);
    pool = gf_event_pool_new(4);
    ck_assert_ptr_nonnull(pool);
    c = calloc((size_t)n, sizeof(*c));
    for (int i = 0; i < n; i++)
        conn_open(&c[i], pool, true, false);
    ck_assert_int_eq(gf_event_pool_start(pool), 0);
    for (int k = 0; k < 2; k++) {
        st[k] = (struct stress){
            .c = c, .n = n, .rounds = rounds, .first = k, .step = 2};
        ck_assert_int_eq(pthread_create(&w[k], NULL, writer_main, &st[k]), 0);
    }
    ck_assert_int_eq(pthread_create(&tg, NULL, toggler_main, &st[0]), 0);
    for (int k = 0; k < 2; k++)
        pthread_join(w[k], NULL);
    for (int i = 0; i < 20000 && sum_bytes(c, n) < n * rounds; i++)
        msleep(1);
    atomic_store(&st[0].stop, 1);
    pthread_join(tg, NULL);
    ck_assert_int_eq(sum_bytes(c, n), n * rounds);
    for (int i = 0; i < n; i++) {
        ck_assert_int_eq(atomic_load(&c[i].overlap), 0);
        ck_assert_int_ge(atomic_load(&c[i].thread), 0);
        used[atomic_load(&c[i].thread)]++;
    }
    for (int k = 0; k < 4; k++) /* least loaded spreads them evenly */
        ck_assert_int_eq(used[k], n / 4);
    gf_event_pool_free(pool);
    for (int i = 0; i < n; i++)
        conn_close(&c[i]);
    free(c);
}
END_TEST

/* ---- unregistration ---- */

/* Per-fd handler state freed by the done callback: any later use is a
 * use-after-free that ASan and valgrind report. */
struct owned {
    struct conn *c;
    int touched;
};

static void
owned_handler(int id, int fd, void *data, unsigned events)
{
    struct owned *o = data;
    struct conn *c = o->c;

    (void)id;
    (void)fd;
    (void)events;
    enter(c);
    o->touched++; /* leave the byte unread: level-triggered, fires again */
    atomic_fetch_add(&c->in, 1);
    leave(c);
}

static void
owned_done(void *arg)
{
    struct owned *o = arg;

    set_done(o->c);
    free(o);
}

START_TEST(unregister_from_other_thread)
{
    int n = scaled(50);
    gf_event_pool_t *pool = gf_event_pool_new(4);
    struct conn *c = calloc((size_t)n, sizeof(*c));
    int *at_return = calloc((size_t)n, sizeof(int));
    int *at_done = calloc((size_t)n, sizeof(int));

    for (int i = 0; i < n; i++) {
        struct owned *o = calloc(1, sizeof(*o));

        c[i].pool = pool;
        o->c = &c[i];
        mkpair(c[i].sv);
        c[i].data_seen = o;
        c[i].id =
            gf_event_register(pool, c[i].sv[0], owned_handler, o, true, false);
        ck_assert_int_ge(c[i].id, 0);
        put_byte(c[i].sv[1]);
    }
    ck_assert_int_eq(gf_event_pool_start(pool), 0);
    for (int i = 0; i < n; i++)
        ck_assert(wait_ge(&c[i].in, 3)); /* firing continuously */
    for (int i = 0; i < n; i++) {
        ck_assert_int_eq(
            gf_event_unregister(pool, c[i].id, owned_done, c[i].data_seen), 0);
        at_return[i] = atomic_load(&c[i].in);
        ck_assert_int_eq(gf_event_unregister(pool, c[i].id, NULL, NULL),
                         -ENOENT);
    }
    for (int i = 0; i < n; i++) {
        ck_assert(wait_ge(&c[i].done, 1));
        at_done[i] = atomic_load(&c[i].in);
        ck_assert_int_ge(atomic_load(&c[i].thread), 0); /* on its thread */
    }
    msleep(50);
    for (int i = 0; i < n; i++) {
        /* At most the call already running when unregister returned. */
        ck_assert_int_le(at_done[i] - at_return[i], 1);
        ck_assert_int_eq(atomic_load(&c[i].in), at_done[i]);
        ck_assert_int_eq(atomic_load(&c[i].late), 0);
        ck_assert_int_eq(atomic_load(&c[i].overlap), 0);
        ck_assert_int_eq(gf_event_select_on(pool, c[i].id, 1, 1), -ENOENT);
    }
    gf_event_pool_free(pool);
    for (int i = 0; i < n; i++)
        conn_close(&c[i]);
    free(at_done);
    free(at_return);
    free(c);
}
END_TEST

static void
self_unreg_handler(int id, int fd, void *data, unsigned events)
{
    struct conn *c = data;

    (void)fd;
    (void)events;
    enter(c);
    if (atomic_fetch_add(&c->in, 1) == 0) {
        ck_assert_int_eq(gf_event_unregister(c->pool, id, set_done, c), 0);
        ck_assert_int_eq(gf_event_unregister(c->pool, id, set_done, c),
                         -ENOENT);
        ck_assert_int_eq(gf_event_select_on(c->pool, id, 1, 1), -ENOENT);
        msleep(5); /* done must wait for us to return */
        ck_assert_int_eq(atomic_load(&c->done), 0);
    }
    leave(c);
}

START_TEST(unregister_inside_handler)
{
    gf_event_pool_t *pool = gf_event_pool_new(2);
    struct conn c;

    memset(&c, 0, sizeof(c));
    c.pool = pool;
    mkpair(c.sv);
    c.id = gf_event_register(pool, c.sv[0], self_unreg_handler, &c, true, true);
    ck_assert_int_ge(c.id, 0);
    put_byte(c.sv[1]); /* never read: would fire forever */
    ck_assert_int_eq(gf_event_pool_start(pool), 0);
    ck_assert(wait_ge(&c.done, 1));
    ck_assert_int_ge(atomic_load(&c.thread), 0);
    msleep(30);
    ck_assert_int_eq(atomic_load(&c.in), 1);
    ck_assert_int_eq(atomic_load(&c.late), 0);
    ck_assert_int_ge(fcntl(c.sv[0], F_GETFD), 0); /* not closed */
    gf_event_pool_free(pool);
    conn_close(&c);
}
END_TEST

START_TEST(unregister_close_closes_fd)
{
    gf_event_pool_t *pool = gf_event_pool_new(2);
    struct conn a, b;

    /* Threads running: done comes later, on the fd's thread. */
    conn_open(&a, pool, true, false);
    ck_assert_int_eq(gf_event_pool_start(pool), 0);
    put_byte(a.sv[1]);
    ck_assert(wait_ge(&a.in, 1));
    ck_assert_int_eq(gf_event_unregister_close(pool, a.id, set_done, &a), 0);
    ck_assert(wait_ge(&a.done, 1));
    ck_assert_int_ge(atomic_load(&a.thread), 0);
    errno = 0;
    ck_assert_int_eq(fcntl(a.sv[0], F_GETFD), -1);
    ck_assert_int_eq(errno, EBADF);
    close(a.sv[1]);

    /* Threads stopped: done runs before unregister returns. */
    ck_assert_int_eq(gf_event_pool_stop(pool), 0);
    ck_assert_int_eq(gf_event_dispatch(pool), 0); /* joins at once */
    conn_open(&b, pool, true, false);
    ck_assert_int_eq(gf_event_unregister_close(pool, b.id, set_done, &b), 0);
    ck_assert_int_eq(atomic_load(&b.done), 1);
    ck_assert_int_eq(atomic_load(&b.thread), -1); /* on the caller */
    errno = 0;
    ck_assert_int_eq(fcntl(b.sv[0], F_GETFD), -1);
    ck_assert_int_eq(errno, EBADF);
    close(b.sv[1]);
    gf_event_pool_free(pool);
}
END_TEST

/* ---- posts ---- */

struct post_ctx {
    gf_event_pool_t *pool;
    atomic_int runs;
    atomic_int off_thread; /* ran somewhere else than an event thread */
    atomic_int next;       /* ordering of posts bound to one id */
    atomic_int disorder;
    atomic_int thread;
    int per;
};

static void
post_count(void *arg)
{
    struct post_ctx *p = arg;

    if (gf_event_thread_index(p->pool) < 0)
        atomic_fetch_add(&p->off_thread, 1);
    atomic_fetch_add(&p->runs, 1);
}

static void *
poster_main(void *arg)
{
    struct post_ctx *p = arg;

    for (int i = 0; i < p->per; i++)
        ck_assert_int_eq(gf_event_post(p->pool, -1, post_count, p), 0);
    return NULL;
}

START_TEST(post_from_foreign_threads)
{
    struct post_ctx p = {.per = scaled(10000)};
    pthread_t t[4];

    p.pool = gf_event_pool_new(4);
    ck_assert_int_eq(gf_event_pool_start(p.pool), 0);
    for (int k = 0; k < 4; k++)
        ck_assert_int_eq(pthread_create(&t[k], NULL, poster_main, &p), 0);
    for (int k = 0; k < 4; k++)
        pthread_join(t[k], NULL);
    ck_assert(wait_ge(&p.runs, 4 * p.per));
    msleep(10);
    ck_assert_int_eq(atomic_load(&p.runs), 4 * p.per);
    ck_assert_int_eq(atomic_load(&p.off_thread), 0);
    gf_event_pool_free(p.pool);
}
END_TEST

struct seq_item {
    struct post_ctx *p;
    struct conn *c;
    int n;
};

static void
post_seq(void *arg)
{
    struct seq_item *it = arg;
    struct post_ctx *p = it->p;

    /* Serialized with the fd's handler, on the fd's thread, in order. */
    if (atomic_load(&it->c->busy))
        atomic_fetch_add(&p->disorder, 1);
    if (gf_event_thread_index(p->pool) != atomic_load(&it->c->thread))
        atomic_fetch_add(&p->off_thread, 1);
    if (atomic_fetch_add(&p->next, 1) != it->n)
        atomic_fetch_add(&p->disorder, 1);
    atomic_fetch_add(&p->runs, 1);
}

START_TEST(post_bound_to_id)
{
    enum { N = 100 };
    struct post_ctx p = {0};
    struct seq_item items[N];
    struct conn c;

    p.pool = gf_event_pool_new(4);
    conn_open(&c, p.pool, true, false);
    ck_assert_int_eq(gf_event_pool_start(p.pool), 0);
    put_byte(c.sv[1]);
    ck_assert(wait_ge(&c.in, 1)); /* now c.thread is its thread */
    for (int i = 0; i < N; i++) {
        items[i] = (struct seq_item){.p = &p, .c = &c, .n = i};
        ck_assert_int_eq(gf_event_post(p.pool, c.id, post_seq, &items[i]), 0);
    }
    ck_assert(wait_ge(&p.runs, N));
    ck_assert_int_eq(atomic_load(&p.disorder), 0);
    ck_assert_int_eq(atomic_load(&p.off_thread), 0);
    ck_assert_int_eq(gf_event_post(p.pool, -2, post_count, &p), -EINVAL);
    ck_assert_int_eq(gf_event_post(p.pool, -1, NULL, &p), -EINVAL);
    ck_assert_int_eq(gf_event_post(NULL, -1, post_count, &p), -EINVAL);
    ck_assert_int_eq(gf_event_unregister(p.pool, c.id, set_done, &c), 0);
    ck_assert(wait_ge(&c.done, 1));
    ck_assert_int_eq(gf_event_post(p.pool, c.id, post_count, &p), -ENOENT);
    gf_event_pool_free(p.pool);
    conn_close(&c);
}
END_TEST

START_TEST(post_waits_for_start)
{
    struct post_ctx p = {0};

    p.pool = gf_event_pool_new(2);
    ck_assert_int_eq(gf_event_post(p.pool, -1, post_count, &p), 0);
    msleep(10);
    ck_assert_int_eq(atomic_load(&p.runs), 0);
    ck_assert_int_eq(gf_event_pool_start(p.pool), 0);
    ck_assert(wait_ge(&p.runs, 1));
    ck_assert_int_eq(atomic_load(&p.off_thread), 0);
    gf_event_pool_free(p.pool);

    /* Never started: the pool's free runs it, so ARG can be released. */
    p.pool = gf_event_pool_new(2);
    ck_assert_int_eq(gf_event_post(p.pool, -1, post_count, &p), 0);
    gf_event_pool_free(p.pool);
    ck_assert_int_eq(atomic_load(&p.runs), 2);
}
END_TEST

/* ---- reconfiguration ---- */

struct churn {
    struct conn *c;
    int n;
    atomic_int stop;
    atomic_int sent;
};

static void *
churn_main(void *arg)
{
    struct churn *ch = arg;

    /* Keep every fd firing while threads come and go. */
    while (!atomic_load(&ch->stop)) {
        for (int i = 0; i < ch->n; i++)
            if (write(ch->c[i].sv[1], "z", 1) == 1)
                atomic_fetch_add(&ch->sent, 1);
        msleep(1);
    }
    return NULL;
}

/* Make every fd fire once more and return the set of threads used. */
static unsigned
fire_all(struct conn *c, int n)
{
    unsigned mask = 0;

    for (int i = 0; i < n; i++) {
        int before = atomic_load(&c[i].in);

        put_byte(c[i].sv[1]);
        ck_assert(wait_ge(&c[i].in, before + 1));
        mask |= 1u << atomic_load(&c[i].thread);
    }
    return mask;
}

START_TEST(reconfigure_2_4_1)
{
    enum { N = 16 };
    int base = count_tasks();
    gf_event_pool_t *pool = gf_event_pool_new(2);
    struct churn ch = {0};
    struct conn c[N];
    pthread_t t;

    ck_assert_ptr_nonnull(pool);
    for (int i = 0; i < N / 2; i++)
        conn_open(&c[i], pool, true, false);
    ck_assert_int_eq(gf_event_pool_start(pool), 0);
    ck_assert_int_eq(count_tasks(), base + 2);
    ck_assert_uint_eq(fire_all(c, N / 2), 0x3);

    ck_assert_int_eq(gf_event_reconfigure_threads(pool, 4), 0);
    ck_assert_uint_eq(gf_event_pool_threads(pool), 4);
    ck_assert_int_eq(count_tasks(), base + 4);
    for (int i = N / 2; i < N; i++) /* the empty threads take these */
        conn_open(&c[i], pool, true, false);
    ck_assert_uint_eq(fire_all(c + N / 2, N / 2), 0xc);

    ch.c = c;
    ch.n = N;
    ck_assert_int_eq(pthread_create(&t, NULL, churn_main, &ch), 0);
    msleep(20);
    ck_assert_int_eq(gf_event_reconfigure_threads(pool, 1), 0);
    ck_assert_uint_eq(gf_event_pool_threads(pool), 1);
    ck_assert(wait_tasks(base + 2)); /* 3 left, the churner came */
    msleep(20);
    ck_assert_uint_eq(fire_all(c, N), 0x1); /* all moved to thread 0 */

    ck_assert_int_eq(gf_event_reconfigure_threads(pool, 3), 0);
    ck_assert_int_eq(count_tasks(), base + 4);
    msleep(20);
    atomic_store(&ch.stop, 1);
    pthread_join(t, NULL);
    /* fire_all sent N/2 + N/2 + N bytes besides the churn. */
    for (int i = 0;
         i < 20000 && sum_bytes(c, N) < atomic_load(&ch.sent) + 2 * N; i++)
        msleep(1);
    ck_assert_int_eq(sum_bytes(c, N), atomic_load(&ch.sent) + 2 * N);
    for (int i = 0; i < N; i++)
        ck_assert_int_eq(atomic_load(&c[i].overlap), 0);
    gf_event_pool_free(pool);
    ck_assert_int_eq(count_tasks(), base);
    for (int i = 0; i < N; i++)
        conn_close(&c[i]);
}
END_TEST

START_TEST(reconfigure_idle_pool)
{
    gf_event_pool_t *pool = gf_event_pool_new(4);
    struct conn c[8];

    for (int i = 0; i < 8; i++)
        conn_open(&c[i], pool, true, false);
    ck_assert_int_eq(gf_event_reconfigure_threads(pool, 2), 0);
    ck_assert_int_eq(gf_event_reconfigure_threads(pool, 3), 0);
    ck_assert_int_eq(gf_event_pool_start(pool), 0);
    ck_assert_uint_eq(fire_all(c, 8) & ~0x3u, 0); /* moved to 0 and 1 */
    gf_event_pool_free(pool);
    for (int i = 0; i < 8; i++)
        conn_close(&c[i]);
}
END_TEST

/* ---- lifecycle ---- */

static void
stop_handler(int id, int fd, void *data, unsigned events)
{
    struct conn *c = data;

    (void)id;
    (void)events;
    drain_fd(fd);
    ck_assert_int_eq(gf_event_dispatch(c->pool), -EDEADLK);
    ck_assert_int_eq(gf_event_pool_stop(c->pool), 0);
    atomic_fetch_add(&c->in, 1);
}

static void *
dispatch_main(void *arg)
{
    gf_event_pool_t *pool = arg;

    return (void *)(long)gf_event_dispatch(pool);
}

START_TEST(stop_and_free_join_threads)
{
    int before = count_tasks();
    gf_event_pool_t *pool = gf_event_pool_new(4);
    struct conn c;
    pthread_t t;
    void *rv;

    ck_assert_int_eq(count_tasks(), before);
    memset(&c, 0, sizeof(c));
    c.pool = pool;
    mkpair(c.sv);
    c.id = gf_event_register(pool, c.sv[0], stop_handler, &c, true, false);
    ck_assert_int_ge(c.id, 0);

    /* dispatch blocks until a handler stops the pool, then joins. */
    ck_assert_int_eq(pthread_create(&t, NULL, dispatch_main, pool), 0);
    ck_assert(wait_tasks(before + 5));
    ck_assert_int_eq(gf_event_dispatch(pool), -EBUSY);
    put_byte(c.sv[1]);
    pthread_join(t, &rv);
    ck_assert_int_eq((int)(long)rv, 0);
    ck_assert_int_eq(atomic_load(&c.in), 1);
    ck_assert_int_eq(count_tasks(), before);

    /* A stop asked before dispatch is honoured at once. */
    ck_assert_int_eq(gf_event_pool_stop(pool), 0);
    ck_assert_int_eq(gf_event_dispatch(pool), 0);

    /* start, start again (no-op), free: every thread joined. */
    ck_assert_int_eq(gf_event_pool_start(pool), 0);
    ck_assert_int_eq(gf_event_pool_start(pool), 0);
    ck_assert_int_eq(count_tasks(), before + 4);
    gf_event_pool_free(pool);
    ck_assert_int_eq(count_tasks(), before);
    /* The fd stays open: free unregisters without closing. */
    ck_assert_int_ge(fcntl(c.sv[0], F_GETFD), 0);
    conn_close(&c);
}
END_TEST

START_TEST(restart_after_stop)
{
    gf_event_pool_t *pool = gf_event_pool_new(2);
    struct conn c;

    conn_open(&c, pool, true, false);
    ck_assert_int_eq(gf_event_pool_start(pool), 0);
    ck_assert_int_eq(gf_event_pool_stop(pool), 0);
    ck_assert_int_eq(gf_event_pool_start(pool), 0);
    put_byte(c.sv[1]);
    ck_assert(wait_ge(&c.in, 1));
    gf_event_pool_free(pool);
    conn_close(&c);
}
END_TEST

START_TEST(hangup_reported)
{
    gf_event_pool_t *pool = gf_event_pool_new(1);
    struct conn c;

    conn_open(&c, pool, true, false);
    ck_assert_int_eq(gf_event_pool_start(pool), 0);
    close(c.sv[1]);
    ck_assert(wait_ge(&c.in, 1));
    ck_assert(atomic_load(&c.events) & GF_EVENT_IN);
    if (on_epoll())
        ck_assert(atomic_load(&c.events) & GF_EVENT_HUP);
    ck_assert_int_eq(gf_event_unregister(pool, c.id, NULL, NULL), 0);
    gf_event_pool_free(pool);
    close(c.sv[0]);
}
END_TEST

static void
restore_env(const char *name, const char *saved)
{
    if (saved)
        setenv(name, saved, 1);
    else
        unsetenv(name);
}

START_TEST(epoll_required)
{
    char *noepoll = getenv("EVENT_NOEPOLL");
    char *allow = getenv("GF_EVENT_ALLOW_POLL");
    gf_event_pool_t *pool;

    noepoll = noepoll ? strdup(noepoll) : NULL;
    allow = allow ? strdup(allow) : NULL;
    setenv("EVENT_NOEPOLL", "1", 1);
    unsetenv("GF_EVENT_ALLOW_POLL");
    errno = 0;
    ck_assert_ptr_null(gf_event_pool_new(2));
    ck_assert_int_eq(errno, ENOTSUP);
    ck_assert_ptr_nonnull(strstr(gf_event_pool_error(), "epoll"));
    ck_assert_ptr_nonnull(strstr(gf_event_pool_error(), "\"poll\""));

    setenv("GF_EVENT_ALLOW_POLL", "1", 1);
    pool = gf_event_pool_new(2);
    ck_assert_ptr_nonnull(pool);
    ck_assert_str_eq(gf_event_pool_backend(pool), "poll");
    ck_assert_str_eq(gf_event_pool_error(), "");
    gf_event_pool_free(pool);
    restore_env("EVENT_NOEPOLL", noepoll);
    restore_env("GF_EVENT_ALLOW_POLL", allow);
    free(noepoll);
    free(allow);
}
END_TEST

static void
never_handler(int id, int fd, void *data, unsigned events)
{
    (void)id;
    (void)fd;
    (void)data;
    (void)events;
    ck_abort_msg("handler of a bad registration ran");
}

START_TEST(bad_inputs)
{
    gf_event_pool_t *pool = gf_event_pool_new(2);
    char path[256];
    int sv[2], id, id2, fd;

    errno = 0;
    ck_assert_ptr_null(gf_event_pool_new(GF_EVENT_MAX_THREADS + 1));
    ck_assert_int_eq(errno, EINVAL);
    mkpair(sv);
    ck_assert_int_eq(
        gf_event_register(NULL, sv[0], never_handler, NULL, true, false),
        -EINVAL);
    ck_assert_int_eq(
        gf_event_register(pool, -1, never_handler, NULL, true, false), -EINVAL);
    ck_assert_int_eq(gf_event_register(pool, sv[0], NULL, NULL, true, false),
                     -EINVAL);
    ck_assert_int_eq(gf_event_select_on(pool, 12345, 1, 1), -ENOENT);
    ck_assert_int_eq(gf_event_select_on(pool, -1, 1, 1), -ENOENT);
    ck_assert_int_eq(gf_event_select_on(NULL, 0, 1, 1), -EINVAL);
    ck_assert_int_eq(gf_event_unregister(pool, 999, NULL, NULL), -ENOENT);
    ck_assert_int_eq(gf_event_unregister(NULL, 0, NULL, NULL), -EINVAL);
    ck_assert_int_eq(gf_event_unregister_close(pool, -5, NULL, NULL), -ENOENT);
    ck_assert_int_eq(gf_event_reconfigure_threads(pool, 0), -EINVAL);
    ck_assert_int_eq(
        gf_event_reconfigure_threads(pool, GF_EVENT_MAX_THREADS + 1), -EINVAL);
    ck_assert_int_eq(gf_event_reconfigure_threads(NULL, 2), -EINVAL);
    ck_assert_int_eq(gf_event_pool_stop(NULL), -EINVAL);
    ck_assert_int_eq(gf_event_pool_start(NULL), -EINVAL);
    ck_assert_int_eq(gf_event_dispatch(NULL), -EINVAL);
    ck_assert_uint_eq(gf_event_pool_threads(NULL), 0);
    ck_assert_str_eq(gf_event_pool_backend(NULL), "");
    ck_assert_int_eq(gf_event_thread_index(pool), -1);
    gf_event_pool_free(NULL);

    /* A stale id is refused even when its slot is reused. */
    id = gf_event_register(pool, sv[0], never_handler, NULL, false, false);
    ck_assert_int_ge(id, 0);
    ck_assert_int_eq(gf_event_select_on(pool, id, 2, 0), -EINVAL);
    ck_assert_int_eq(gf_event_select_on(pool, id, 0, -2), -EINVAL);
    ck_assert_int_eq(gf_event_unregister(pool, id, NULL, NULL), 0);
    id2 = gf_event_register(pool, sv[0], never_handler, NULL, false, false);
    ck_assert_int_ge(id2, 0);
    ck_assert_int_ne(id2, id);
    ck_assert_int_eq(gf_event_select_on(pool, id, 1, 1), -ENOENT);
    ck_assert_int_eq(gf_event_unregister(pool, id, NULL, NULL), -ENOENT);
    ck_assert_int_eq(gf_event_unregister(pool, id2, NULL, NULL), 0);

    /* epoll cannot watch a regular file: the backend's error comes back. */
    snprintf(path, sizeof(path), "%s/check-event.XXXXXX", gf_test_tmpdir());
    fd = mkstemp(path);
    ck_assert_int_ge(fd, 0);
    unlink(path);
    if (on_epoll()) {
        ck_assert_int_eq(
            gf_event_register(pool, fd, never_handler, NULL, true, false),
            -EPERM);
        ck_assert_int_eq(gf_event_pool_start(pool), 0);
        msleep(10);
    }
    close(fd);
    gf_event_pool_free(pool);
    close(sv[0]);
    close(sv[1]);
}
END_TEST

int
main(void)
{
    Suite *s = suite_create("event");
    TCase *tc = tcase_create("core");

    tcase_set_timeout(tc, 120);
    tcase_add_test(tc, pool_new_backend);
    tcase_add_test(tc, readable_calls_handler);
    tcase_add_test(tc, select_on_toggles_out);
    tcase_add_test(tc, stress_one_thread_per_fd);
    tcase_add_test(tc, unregister_from_other_thread);
    tcase_add_test(tc, unregister_inside_handler);
    tcase_add_test(tc, unregister_close_closes_fd);
    tcase_add_test(tc, post_from_foreign_threads);
    tcase_add_test(tc, post_bound_to_id);
    tcase_add_test(tc, post_waits_for_start);
    tcase_add_test(tc, reconfigure_2_4_1);
    tcase_add_test(tc, reconfigure_idle_pool);
    tcase_add_test(tc, stop_and_free_join_threads);
    tcase_add_test(tc, restart_after_stop);
    tcase_add_test(tc, hangup_reported);
    tcase_add_test(tc, epoll_required);
    tcase_add_test(tc, bad_inputs);
    suite_add_tcase(s, tc);
    return gf_test_run(s);
}
