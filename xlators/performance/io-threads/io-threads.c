/* SPDX-License-Identifier: LGPL-3.0-or-later */
/*
 * performance/io-threads - run every fop of the subvolume below on a pool
 * of worker threads, so that disk I/O never blocks the event threads.
 *
 * Each fop is packed into a call stub (gf_stub_<fop> with a continuation
 * that winds it to the child) and appended to one of four priority queues; a
 * worker takes it and resumes it, which winds it to the child on the worker's
 * thread. Priorities follow GlusterFS: metadata and open-ish fops HIGH,
 * namespace/lock/xattr fops NORMAL, data fops LOW, and fops from internal
 * clients (negative pid: self-heal, rebalance...) LEAST. Workers take the
 * highest non-empty queue, but a non-empty queue passed over FAIR_PICKS
 * times in a row is served next, so no priority starves.
 *
 * One mutex and one condition variable per instance guard the queues and
 * the worker set: a worker holds the lock only to take a stub, never while
 * the fop runs. Queues are rings of stub pointers that only grow (doubling,
 * amortised), so queueing allocates nothing beyond the stub itself, which
 * comes from a mem pool. Workers start on demand up to thread-count (one
 * exists from init); one that stays idle for idle-time exits while more
 * than one remains.
 *
 * Inline fast path (option inline-max-latency-us; 0, the default, is
 * off): a fop of a kind that only works on the brick (inline_ok: not
 * fsync, not the lock fops) runs on the calling thread (gfsd's event
 * thread) while that kind recently took less than the limit in the child.
 * That saves the handoff to a worker and back, a futex wake and two
 * context switches: about half the server CPU of a small fop. Each
 * kind's latency is a decaying maximum, measured from wind to callback:
 * "unknown" at first (so a worker measures it), raised at once by a
 * slower sample, lowered by 1/8 of the gap by a faster one; so one slow
 * call (a page-cache miss) sends that kind back to the workers for a
 * while. Off by default since an event thread must never wait for a disk;
 * meant for bricks on memory or fast flash.
 *
 * Shutdown (fini) fails every fop still queued with ENOTCONN rather than
 * draining it: the graph finishes leaves before their parents, so the
 * child may already be gone. Fops already running on a worker complete;
 * fini joins every worker before freeing anything.
 */
#include <errno.h>
#include <inttypes.h>
#include <pthread.h>
#include <sched.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <gf/stub.h>
#include <gf/xlator.h>

enum {
    IOT_MAX_THREADS = 64, /* upper bound of thread-count */
    IOT_RING_INIT = 64,   /* first capacity of each queue (a power of 2) */
    IOT_FAIR_PICKS = 8,   /* a queue passed over this often goes next */
    IOT_MIN_IDLE_MS = 10,
    IOT_MAX_INLINE_US = 1000000, /* upper bound of inline-max-latency-us */
    IOT_LAT_DECAY = 8,           /* a faster sample closes 1/8 of the gap */
};

/* Latency of a kind of fop not measured yet: never inline. */
#define IOT_LAT_UNKNOWN UINT64_MAX

typedef enum iot_pri {
    IOT_PRI_HIGH,
    IOT_PRI_NORMAL,
    IOT_PRI_LOW,
    IOT_PRI_LEAST,
    IOT_PRI_MAX,
} iot_pri_t;

static const char *const pri_names[IOT_PRI_MAX] = {"high", "normal", "low",
                                                   "least"};

enum { IOT_MT_CONF, IOT_MT_RING, IOT_MT_MAX };
static const char *const iot_mem_types[IOT_MT_MAX] = {"iot_conf_t", "iot_ring"};

typedef struct iot_queue {
    gf_stub_t **ring; /* CAP slots, LEN used from HEAD, wrapping */
    uint32_t cap;
    uint32_t head;
    uint32_t len;
    uint32_t skipped;   /* picks that passed this non-empty queue over */
    uint64_t processed; /* stubs taken by a worker */
} iot_queue_t;

typedef enum slot_state { SLOT_FREE, SLOT_RUNNING, SLOT_EXITED } slot_state_t;

struct iot_conf;

typedef struct iot_slot {
    struct iot_conf *conf;
    pthread_t tid;
    slot_state_t state;
    unsigned index;
    bool released; /* the running stub's reply passed: no longer busy */
} iot_slot_t;

/* The slot of the worker running on this thread, if any. */
static __thread iot_slot_t *cur_slot;

typedef struct iot_conf {
    pthread_mutex_t lock;
    pthread_cond_t cond; /* work queued, stopping or fewer threads wanted */
    gf_xlator_t *self;
    iot_queue_t queues[IOT_PRI_MAX];
    uint32_t queued;      /* sum of the queues' LEN */
    unsigned max_threads; /* thread-count */
    unsigned nthreads;    /* workers alive (slots RUNNING) */
    unsigned busy;        /* workers running a stub */
    unsigned sleeping;    /* workers waiting for work */
    uint64_t idle_ms;
    bool least_prio;
    _Atomic bool stopping;
    /* Inline fast path; read without the lock. */
    _Atomic uint64_t inline_max_ns;    /* 0: off */
    _Atomic unsigned inline_running;   /* inline fops not yet returned */
    _Atomic uint64_t inline_processed; /* fops run inline */
    _Atomic uint64_t lat_ns[GF_FOP_MAX];
    iot_slot_t slots[IOT_MAX_THREADS];
} iot_conf_t;

/* ---- queues -------------------------------------------------------------- */

static int
ring_push(iot_conf_t *conf, iot_queue_t *q, gf_stub_t *stub)
{
    if (q->len == q->cap) {
        /* Grow to twice the size, unwrapping into the new ring. */
        uint32_t cap = q->cap * 2, i;
        gf_stub_t **ring;

        ring = gf_malloc(gf_xlator_mem_acct(conf->self), IOT_MT_RING,
                         cap * sizeof(*ring));
        if (!ring)
            return -ENOMEM;
        for (i = 0; i < q->len; i++)
            ring[i] = q->ring[(q->head + i) & (q->cap - 1)];
        gf_free(q->ring);
        q->ring = ring;
        q->cap = cap;
        q->head = 0;
    }
    q->ring[(q->head + q->len) & (q->cap - 1)] = stub;
    q->len++;
    return 0;
}

static gf_stub_t *
ring_pop(iot_queue_t *q)
{
    gf_stub_t *stub;

    if (!q->len)
        return NULL;
    stub = q->ring[q->head];
    q->head = (q->head + 1) & (q->cap - 1);
    q->len--;
    return stub;
}

/*
 * Take the next stub (QUEUED must be > 0): the lowest priority queue that
 * was passed over IOT_FAIR_PICKS times, else the highest non-empty one.
 */
static gf_stub_t *
pick(iot_conf_t *conf)
{
    int p, chosen = -1;

    for (p = IOT_PRI_MAX - 1; p >= 0 && chosen < 0; p--)
        if (conf->queues[p].len && conf->queues[p].skipped >= IOT_FAIR_PICKS)
            chosen = p;
    for (p = 0; p < IOT_PRI_MAX && chosen < 0; p++)
        if (conf->queues[p].len)
            chosen = p;
    GF_ASSERT(chosen >= 0);
    for (p = 0; p < IOT_PRI_MAX; p++) {
        iot_queue_t *q = &conf->queues[p];

        if (p == chosen)
            q->skipped = 0;
        else if (q->len)
            q->skipped++;
    }
    conf->queued--;
    conf->queues[chosen].processed++;
    return ring_pop(&conf->queues[chosen]);
}

/* ---- workers ------------------------------------------------------------- */

static void
deadline_after(struct timespec *ts, uint64_t ms)
{
    clock_gettime(CLOCK_MONOTONIC, ts);
    ts->tv_sec += (time_t)(ms / 1000);
    ts->tv_nsec += (long)(ms % 1000) * 1000000L;
    if (ts->tv_nsec >= 1000000000L) {
        ts->tv_sec++;
        ts->tv_nsec -= 1000000000L;
    }
}

/* Under the lock: wait for a stub; NULL when this worker should exit. */
static gf_stub_t *
next_stub(iot_conf_t *conf)
{
    struct timespec deadline;
    int rc;

    for (;;) {
        /* Stopping: fini fails what is queued, since the child may be
         * gone. More threads than wanted after a reconfigure: shrink. */
        if (conf->stopping || conf->nthreads > conf->max_threads)
            return NULL;
        if (conf->queued)
            return pick(conf);
        deadline_after(&deadline, conf->idle_ms);
        conf->sleeping++;
        rc = pthread_cond_timedwait(&conf->cond, &conf->lock, &deadline);
        conf->sleeping--;
        if (rc == ETIMEDOUT && !conf->queued && conf->nthreads > 1)
            return NULL;
    }
}

/* ---- latency and the inline fast path ------------------------------------ */

static uint64_t
now_ns(void)
{
    struct timespec ts;

    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (uint64_t)ts.tv_sec * 1000000000u + (uint64_t)ts.tv_nsec;
}

/* Fold one latency sample of FOP into its decaying maximum. Racing
 * updates may lose a sample, which only delays the estimate. */
static void
lat_sample(iot_conf_t *conf, gf_fop_t fop, uint64_t ns)
{
    _Atomic uint64_t *lat = &conf->lat_ns[fop];
    uint64_t old = atomic_load_explicit(lat, memory_order_relaxed);

    if (old == IOT_LAT_UNKNOWN || ns >= old)
        atomic_store_explicit(lat, ns, memory_order_relaxed);
    else
        atomic_store_explicit(lat, old - (old - ns) / IOT_LAT_DECAY,
                              memory_order_relaxed);
}

/* Kinds of fop that may run inline: those that only touch the brick.
 * Not fsync (it waits for the disk by definition), nor the lock fops
 * (they may wait for other clients), nor any fop added later until it
 * is listed here. */
static const bool inline_ok[GF_FOP_MAX] = {
    [GF_FOP_LOOKUP] = true,      [GF_FOP_STAT] = true,
    [GF_FOP_FSTAT] = true,       [GF_FOP_STATFS] = true,
    [GF_FOP_CREATE] = true,      [GF_FOP_OPEN] = true,
    [GF_FOP_OPENDIR] = true,     [GF_FOP_READDIR] = true,
    [GF_FOP_READDIRP] = true,    [GF_FOP_READ] = true,
    [GF_FOP_WRITE] = true,       [GF_FOP_FLUSH] = true,
    [GF_FOP_RELEASE] = true,     [GF_FOP_RELEASEDIR] = true,
    [GF_FOP_MKDIR] = true,       [GF_FOP_UNLINK] = true,
    [GF_FOP_RMDIR] = true,       [GF_FOP_RENAME] = true,
    [GF_FOP_TRUNCATE] = true,    [GF_FOP_FTRUNCATE] = true,
    [GF_FOP_SETATTR] = true,     [GF_FOP_FSETATTR] = true,
    [GF_FOP_GETXATTR] = true,    [GF_FOP_FGETXATTR] = true,
    [GF_FOP_SETXATTR] = true,    [GF_FOP_FSETXATTR] = true,
    [GF_FOP_REMOVEXATTR] = true, [GF_FOP_FREMOVEXATTR] = true,
    [GF_FOP_ACCESS] = true,      [GF_FOP_SYMLINK] = true,
    [GF_FOP_READLINK] = true,    [GF_FOP_LINK] = true,
    [GF_FOP_MKNOD] = true,       [GF_FOP_XATTROP] = true,
    [GF_FOP_FXATTROP] = true};

static bool
inline_kind(gf_fop_t fop)
{
    return (unsigned)fop < (unsigned)GF_FOP_MAX && inline_ok[fop];
}

/* Whether FOP runs on the calling thread now; if so, the caller calls
 * inline_end() once the child returned. */
static bool
inline_begin(iot_conf_t *conf, gf_fop_t fop)
{
    uint64_t max =
        atomic_load_explicit(&conf->inline_max_ns, memory_order_relaxed);

    if (!max || !inline_kind(fop) ||
        atomic_load_explicit(&conf->lat_ns[fop], memory_order_relaxed) > max)
        return false;
    /* Paired with fini: it sets STOPPING, then waits for INLINE_RUNNING
     * to drop to 0 (both sequentially consistent). */
    atomic_fetch_add(&conf->inline_running, 1);
    if (atomic_load(&conf->stopping)) {
        atomic_fetch_sub(&conf->inline_running, 1);
        return false; /* queueing refuses it with ENOTCONN */
    }
    return true;
}

static void
inline_end(iot_conf_t *conf)
{
    atomic_fetch_add_explicit(&conf->inline_processed, 1, memory_order_relaxed);
    atomic_fetch_sub(&conf->inline_running, 1);
}

/* A reply passes up: the worker running it only returns now and takes
 * the next stub, so it stops counting as busy. Otherwise the next request
 * of a client that waits for each reply, arriving before the worker
 * returned, started another worker (five for one such client). */
static void
release_worker(iot_conf_t *conf)
{
    iot_slot_t *slot = cur_slot;

    if (!slot || slot->conf != conf || slot->released)
        return;
    pthread_mutex_lock(&conf->lock);
    conf->busy--;
    slot->released = true;
    pthread_mutex_unlock(&conf->lock);
}

/* Cookie of a fop wound to the child: its wind time while the fast path
 * is on (for the callback to measure), else NULL. */
static void *
wind_cookie(iot_conf_t *conf, gf_fop_t fop)
{
    if (!atomic_load_explicit(&conf->inline_max_ns, memory_order_relaxed) ||
        !inline_kind(fop))
        return NULL;
    return (void *)(uintptr_t)now_ns();
}

/* The reply of FOP wound with COOKIE passes up through this translator. */
static void
fop_done(gf_xlator_t *self, gf_fop_t fop, void *cookie)
{
    iot_conf_t *conf = gf_xlator_private(self);

    /* Before the reply goes up, so the next fop of the client sees it. */
    if (cookie)
        lat_sample(conf, fop, now_ns() - (uint64_t)(uintptr_t)cookie);
    release_worker(conf);
}

static void *
worker_main(void *arg)
{
    iot_slot_t *slot = arg;
    iot_conf_t *conf = slot->conf;
    gf_stub_t *stub;
    char name[16];

    snprintf(name, sizeof(name), "iotwr%u", slot->index);
    pthread_setname_np(pthread_self(), name); /* prctl, no /proc */
    cur_slot = slot;
    pthread_mutex_lock(&conf->lock);
    while ((stub = next_stub(conf)) != NULL) {
        conf->busy++;
        slot->released = false;
        pthread_mutex_unlock(&conf->lock);
        gf_stub_resume(stub);
        pthread_mutex_lock(&conf->lock);
        if (!slot->released)
            conf->busy--;
    }
    /* The slot is joined by the next spawn or by fini; nothing here
     * touches CONF after the unlock. */
    conf->nthreads--;
    slot->state = SLOT_EXITED;
    pthread_mutex_unlock(&conf->lock);
    return NULL;
}

/* Under the lock: start one more worker. 0 or -errno. */
static int
spawn(iot_conf_t *conf)
{
    iot_slot_t *slot = NULL;
    unsigned i;
    int rc;

    for (i = 0; i < IOT_MAX_THREADS && !slot; i++) {
        if (conf->slots[i].state == SLOT_EXITED) {
            /* It marked itself under this lock and only returns now. */
            pthread_join(conf->slots[i].tid, NULL);
            conf->slots[i].state = SLOT_FREE;
        }
        if (conf->slots[i].state == SLOT_FREE)
            slot = &conf->slots[i];
    }
    if (!slot)
        return -EAGAIN;
    slot->conf = conf;
    rc = pthread_create(&slot->tid, NULL, worker_main, slot);
    if (rc)
        return -rc;
    slot->state = SLOT_RUNNING;
    conf->nthreads++;
    return 0;
}

/*
 * Under the lock: start workers while queued work outnumbers the workers
 * not running a stub (sleeping, or just started and not yet waiting).
 * Usually one at most: each queued stub calls this.
 */
static void
scale(iot_conf_t *conf)
{
    int rc;

    while (conf->queued > conf->nthreads - conf->busy &&
           conf->nthreads < conf->max_threads) {
        rc = spawn(conf);
        if (rc < 0) { /* swallowed: running workers still drain the queue */
            gf_log(gf_xlator_name(conf->self), GF_LOG_WARNING,
                   "cannot start an io-thread: %s", strerror(-rc));
            return;
        }
    }
}

/* ---- scheduling ---------------------------------------------------------- */

static iot_pri_t
fop_pri(gf_fop_t fop)
{
    switch (fop) {
    case GF_FOP_LOOKUP:
    case GF_FOP_STAT:
    case GF_FOP_FSTAT:
    case GF_FOP_STATFS:
    case GF_FOP_ACCESS:
    case GF_FOP_READLINK:
    case GF_FOP_OPEN:
    case GF_FOP_OPENDIR:
    case GF_FOP_READDIR:
    case GF_FOP_READDIRP:
        return IOT_PRI_HIGH;
    case GF_FOP_READ:
    case GF_FOP_WRITE:
    case GF_FOP_FSYNC:
    case GF_FOP_TRUNCATE:
    case GF_FOP_FTRUNCATE:
    case GF_FOP_XATTROP:
    case GF_FOP_FXATTROP:
        return IOT_PRI_LOW;
    default:
        /* create, flush, release(dir), namespace, attribute, xattr and
         * lock fops. */
        return IOT_PRI_NORMAL;
    }
}

/* Queue STUB; on error (-ENOTCONN when stopping, -ENOMEM) the caller
 * fails it. */
static int
schedule(gf_xlator_t *self, gf_stub_t *stub)
{
    iot_conf_t *conf = gf_xlator_private(self);
    gf_frame_t *frame = gf_stub_frame(stub);
    iot_pri_t pri = fop_pri(gf_stub_fop(stub));
    int ret;

    pthread_mutex_lock(&conf->lock);
    if (conf->least_prio && gf_stack_pid(gf_frame_stack(frame)) < 0)
        pri = IOT_PRI_LEAST;
    if (conf->stopping) {
        ret = -ENOTCONN;
    } else {
        ret = ring_push(conf, &conf->queues[pri], stub);
        if (ret == 0) {
            conf->queued++;
            /* A worker that is awake takes it before sleeping. */
            if (conf->sleeping)
                pthread_cond_signal(&conf->cond);
            scale(conf);
        }
    }
    pthread_mutex_unlock(&conf->lock);
    return ret;
}

#define IOT_FOP(name, NAME)                                                    \
    static int iot_##name##_cbk(                                               \
        gf_frame_t *frame, void *cookie, gf_xlator_t *self, int32_t op_ret,    \
        int32_t op_errno GF_FOP_CBKS_##name(GF_FOP_PARAM))                     \
    {                                                                          \
        fop_done(self, GF_FOP_##NAME, cookie);                                 \
        gf_unwind_##name(frame, op_ret,                                        \
                         op_errno GF_FOP_CBKS_##name(GF_FOP_NAME));            \
        return 0;                                                              \
    }                                                                          \
                                                                               \
    static int iot_##name##_wind(                                              \
        gf_frame_t *frame, gf_xlator_t *self GF_FOP_ARGS_##name(GF_FOP_PARAM)) \
    {                                                                          \
        gf_wind_##name(frame, gf_xlator_child(self, 0), iot_##name##_cbk,      \
                       wind_cookie(gf_xlator_private(self), GF_FOP_##NAME)     \
                           GF_FOP_ARGS_##name(GF_FOP_NAME));                   \
        return 0;                                                              \
    }                                                                          \
                                                                               \
    static int iot_##name(gf_frame_t *frame,                                   \
                          gf_xlator_t *self GF_FOP_ARGS_##name(GF_FOP_PARAM))  \
    {                                                                          \
        iot_conf_t *conf = gf_xlator_private(self);                            \
        gf_stub_t *stub;                                                       \
        int ret;                                                               \
                                                                               \
        if (inline_begin(conf, GF_FOP_##NAME)) {                               \
            iot_##name##_wind(frame, self GF_FOP_ARGS_##name(GF_FOP_NAME));    \
            inline_end(conf);                                                  \
            return 0;                                                          \
        }                                                                      \
        stub = gf_stub_##name(                                                 \
            frame, iot_##name##_wind GF_FOP_ARGS_##name(GF_FOP_NAME));         \
        if (!stub) {                                                           \
            gf_unwind_##name(frame, -1,                                        \
                             ENOMEM GF_FOP_CBKS_##name(GF_FOP_ZERO));          \
            return 0;                                                          \
        }                                                                      \
        ret = schedule(self, stub);                                            \
        if (ret < 0)                                                           \
            gf_stub_fail(stub, -ret);                                          \
        return 0;                                                              \
    }

/* clang-format off */
GF_FOP_LIST(IOT_FOP)
/* clang-format on */

#define IOT_SLOT(name, NAME) .name = iot_##name,
static const gf_xlator_fops_t iot_fops = {GF_FOP_LIST(IOT_SLOT)};

/* ---- options, lifecycle, dump -------------------------------------------- */

static const gf_option_t iot_options[] = {
    {.key = "thread-count",
     .type = GF_OPTION_INT,
     .default_value = "16",
     .min = 1,
     .max = IOT_MAX_THREADS,
     .description = "most worker threads; they start on demand",
     .flags = GF_OPTION_RECONFIGURABLE},
    {.key = "idle-time",
     .type = GF_OPTION_TIME,
     .default_value = "120",
     .min = 0.01,
     .max = 86400,
     .description = "a worker idle this long exits, while more than one "
                    "remains",
     .flags = GF_OPTION_RECONFIGURABLE},
    {.key = "enable-least-priority",
     .type = GF_OPTION_BOOL,
     .default_value = "on",
     .description = "run fops of internal clients (negative pid) at the "
                    "least priority",
     .flags = GF_OPTION_RECONFIGURABLE},
    {.key = "inline-max-latency-us",
     .type = GF_OPTION_INT,
     .default_value = "0",
     .min = 0,
     .max = IOT_MAX_INLINE_US,
     .description = "run a fop on the calling (event) thread instead of a "
                    "worker when that kind of fop recently took less than "
                    "this many microseconds below; 0 turns it off. Only "
                    "for bricks on memory or fast flash: an event thread "
                    "may then wait for a page-cache miss",
     .flags = GF_OPTION_RECONFIGURABLE},
    {.key = NULL},
};

typedef struct iot_opts {
    int64_t threads;
    uint64_t idle_ms;
    bool least;
    int64_t inline_us;
} iot_opts_t;

static int
read_options(const gf_option_set_t *options, iot_opts_t *o)
{
    int ret = gf_option_get_int(options, "thread-count", &o->threads);

    if (ret == 0)
        ret = gf_option_get_time_ms(options, "idle-time", &o->idle_ms);
    if (ret == 0)
        ret = gf_option_get_bool(options, "enable-least-priority", &o->least);
    if (ret == 0)
        ret =
            gf_option_get_int(options, "inline-max-latency-us", &o->inline_us);
    if (ret == 0 && (o->threads < 1 || o->threads > IOT_MAX_THREADS))
        ret = -EINVAL;
    if (ret == 0 && (o->inline_us < 0 || o->inline_us > IOT_MAX_INLINE_US))
        ret = -EINVAL;
    if (o->idle_ms < IOT_MIN_IDLE_MS)
        o->idle_ms = IOT_MIN_IDLE_MS;
    return ret;
}

/* Under the lock: apply O. */
static void
apply_options(iot_conf_t *conf, const iot_opts_t *o)
{
    conf->max_threads = (unsigned)o->threads;
    conf->idle_ms = o->idle_ms;
    conf->least_prio = o->least;
    atomic_store_explicit(&conf->inline_max_ns, (uint64_t)o->inline_us * 1000,
                          memory_order_relaxed);
}

static int
iot_reconfigure(gf_xlator_t *self, const gf_option_set_t *options)
{
    iot_conf_t *conf = gf_xlator_private(self);
    iot_opts_t o = {0};
    int ret = read_options(options, &o);

    if (ret < 0)
        return ret;
    pthread_mutex_lock(&conf->lock);
    apply_options(conf, &o);
    /* Sleepers re-check: surplus ones exit, others restart their timer. */
    pthread_cond_broadcast(&conf->cond);
    scale(conf);
    pthread_mutex_unlock(&conf->lock);
    return 0;
}

static void
conf_free(iot_conf_t *conf)
{
    int p;

    for (p = 0; p < IOT_PRI_MAX; p++)
        gf_free(conf->queues[p].ring);
    pthread_cond_destroy(&conf->cond);
    pthread_mutex_destroy(&conf->lock);
    gf_free(conf);
}

static int
conf_init(iot_conf_t *conf, gf_xlator_t *self)
{
    pthread_condattr_t attr;
    unsigned i;
    int p;

    /* Idle timeouts must not jump with the wall clock. */
    pthread_condattr_init(&attr);
    pthread_condattr_setclock(&attr, CLOCK_MONOTONIC);
    pthread_cond_init(&conf->cond, &attr);
    pthread_condattr_destroy(&attr);
    pthread_mutex_init(&conf->lock, NULL);
    conf->self = self;
    for (i = 0; i < IOT_MAX_THREADS; i++)
        conf->slots[i].index = i;
    for (i = 0; i < GF_FOP_MAX; i++)
        atomic_init(&conf->lat_ns[i], IOT_LAT_UNKNOWN);
    for (p = 0; p < IOT_PRI_MAX; p++) {
        conf->queues[p].cap = IOT_RING_INIT;
        conf->queues[p].ring = gf_malloc(gf_xlator_mem_acct(self), IOT_MT_RING,
                                         IOT_RING_INIT * sizeof(gf_stub_t *));
        if (!conf->queues[p].ring)
            return -ENOMEM;
    }
    return 0;
}

static int
iot_init(gf_xlator_t *self)
{
    iot_conf_t *conf;
    iot_opts_t o = {0};
    int ret;

    if (gf_xlator_nchildren(self) != 1) {
        gf_log(gf_xlator_name(self), GF_LOG_ERROR,
               "performance/io-threads needs exactly one subvolume, has %u",
               gf_xlator_nchildren(self));
        return -EINVAL;
    }
    conf = gf_calloc(gf_xlator_mem_acct(self), IOT_MT_CONF, 1, sizeof(*conf));
    if (!conf)
        return -ENOMEM;
    ret = conf_init(conf, self);
    if (ret == 0)
        ret = read_options(gf_xlator_options(self), &o);
    /* No worker yet: the first queued stub starts one (scale), so an
     * idle brick starts, and stays, without an io-thread. */
    if (ret == 0) {
        pthread_mutex_lock(&conf->lock);
        apply_options(conf, &o);
        pthread_mutex_unlock(&conf->lock);
    }
    if (ret < 0) {
        conf_free(conf);
        return ret;
    }
    gf_xlator_set_private(self, conf);
    return 0;
}

static void
iot_fini(gf_xlator_t *self)
{
    iot_conf_t *conf = gf_xlator_private(self);
    gf_stub_t *stub;
    unsigned i;

    if (!conf)
        return;
    pthread_mutex_lock(&conf->lock);
    atomic_store(&conf->stopping, true);
    pthread_cond_broadcast(&conf->cond);
    /* Fail outside the lock: a reply may wind a new fop here, which is
     * then refused with ENOTCONN. */
    while (conf->queued) {
        stub = pick(conf);
        pthread_mutex_unlock(&conf->lock);
        gf_stub_fail(stub, ENOTCONN);
        pthread_mutex_lock(&conf->lock);
    }
    /* No thread starts once STOPPING is set: every slot not FREE now is
     * joined (a worker may still turn RUNNING into EXITED meanwhile). */
    for (i = 0; i < IOT_MAX_THREADS; i++) {
        if (conf->slots[i].state == SLOT_FREE)
            continue;
        pthread_mutex_unlock(&conf->lock);
        pthread_join(conf->slots[i].tid, NULL);
        pthread_mutex_lock(&conf->lock);
    }
    pthread_mutex_unlock(&conf->lock);
    /* Inline fops started before STOPPING was set finish on their own
     * threads; none starts after. */
    while (atomic_load(&conf->inline_running))
        sched_yield();
    gf_xlator_set_private(self, NULL);
    conf_free(conf);
}

static int
iot_dump(gf_xlator_t *self, FILE *out)
{
    iot_conf_t *conf = gf_xlator_private(self);
    char key[32];
    int p, ret;

    pthread_mutex_lock(&conf->lock);
    ret = gf_xlator_dump(out, "thread_count", "%u", conf->max_threads);
    if (ret == 0)
        ret = gf_xlator_dump(out, "threads", "%u", conf->nthreads);
    if (ret == 0)
        ret = gf_xlator_dump(out, "busy_threads", "%u", conf->busy);
    if (ret == 0)
        ret = gf_xlator_dump(out, "idle_threads", "%u", conf->sleeping);
    if (ret == 0)
        ret = gf_xlator_dump(out, "idle_time_ms", "%" PRIu64, conf->idle_ms);
    if (ret == 0)
        ret = gf_xlator_dump(out, "inline_max_latency_us", "%" PRIu64,
                             atomic_load(&conf->inline_max_ns) / 1000);
    if (ret == 0)
        ret = gf_xlator_dump(out, "inline.processed", "%" PRIu64,
                             atomic_load(&conf->inline_processed));
    for (p = 0; p < IOT_PRI_MAX && ret == 0; p++) {
        snprintf(key, sizeof(key), "%s.queued", pri_names[p]);
        ret = gf_xlator_dump(out, key, "%" PRIu32, conf->queues[p].len);
        snprintf(key, sizeof(key), "%s.processed", pri_names[p]);
        if (ret == 0)
            ret =
                gf_xlator_dump(out, key, "%" PRIu64, conf->queues[p].processed);
    }
    pthread_mutex_unlock(&conf->lock);
    return ret;
}

static const gf_xlator_dumpops_t iot_dumpops = {.priv = iot_dump};

GF_XLATOR_DESCRIPTOR(performance_io_threads) = {
    .abi_major = GF_XLATOR_ABI_MAJOR,
    .abi_minor = GF_XLATOR_ABI_MINOR,
    .type = "performance/io-threads",
    .description = "run fops on worker threads, by priority",
    .options = iot_options,
    .mem_types = iot_mem_types,
    .n_mem_types = IOT_MT_MAX,
    .init = iot_init,
    .fini = iot_fini,
    .reconfigure = iot_reconfigure,
    .fops = &iot_fops,
    .dumpops = &iot_dumpops,
};
