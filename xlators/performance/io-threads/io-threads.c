/* SPDX-License-Identifier: LGPL-3.0-or-later */
/*
 * performance/io-threads - run every fop of the subvolume below on a pool
 * of worker threads, so that disk I/O never blocks the event threads.
 *
 * Each fop is packed into a call stub (gf_stub_<fop> with gf_default_<fop>
 * as continuation) and appended to one of four priority queues; a worker
 * takes it and resumes it, which winds it to the child on the worker's
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
 * Shutdown (fini) fails every fop still queued with ENOTCONN rather than
 * draining it: the graph finishes leaves before their parents, so the
 * child may already be gone. Fops already running on a worker complete;
 * fini joins every worker before freeing anything.
 */
#include <errno.h>
#include <inttypes.h>
#include <pthread.h>
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
};

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
} iot_slot_t;

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
    bool stopping;
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

static void *
worker_main(void *arg)
{
    iot_slot_t *slot = arg;
    iot_conf_t *conf = slot->conf;
    gf_stub_t *stub;

    pthread_mutex_lock(&conf->lock);
    while ((stub = next_stub(conf)) != NULL) {
        conf->busy++;
        pthread_mutex_unlock(&conf->lock);
        gf_stub_resume(stub);
        pthread_mutex_lock(&conf->lock);
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
    char name[16];
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
    snprintf(name, sizeof(name), "iotwr%u", slot->index);
    pthread_setname_np(slot->tid, name);
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
            pthread_cond_signal(&conf->cond);
            scale(conf);
        }
    }
    pthread_mutex_unlock(&conf->lock);
    return ret;
}

#define IOT_FOP(name, NAME)                                                    \
    static int iot_##name(gf_frame_t *frame,                                   \
                          gf_xlator_t *self GF_FOP_ARGS_##name(GF_FOP_PARAM))  \
    {                                                                          \
        gf_stub_t *stub = gf_stub_##name(                                      \
            frame, gf_default_##name GF_FOP_ARGS_##name(GF_FOP_NAME));         \
        int ret;                                                               \
                                                                               \
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
    {.key = NULL},
};

static int
read_options(const gf_option_set_t *options, int64_t *threads,
             uint64_t *idle_ms, bool *least)
{
    int ret = gf_option_get_int(options, "thread-count", threads);

    if (ret == 0)
        ret = gf_option_get_time_ms(options, "idle-time", idle_ms);
    if (ret == 0)
        ret = gf_option_get_bool(options, "enable-least-priority", least);
    if (ret == 0 && (*threads < 1 || *threads > IOT_MAX_THREADS))
        ret = -EINVAL;
    if (*idle_ms < IOT_MIN_IDLE_MS)
        *idle_ms = IOT_MIN_IDLE_MS;
    return ret;
}

static int
iot_reconfigure(gf_xlator_t *self, const gf_option_set_t *options)
{
    iot_conf_t *conf = gf_xlator_private(self);
    int64_t threads = 0;
    uint64_t idle_ms = 0;
    bool least = true;
    int ret = read_options(options, &threads, &idle_ms, &least);

    if (ret < 0)
        return ret;
    pthread_mutex_lock(&conf->lock);
    conf->max_threads = (unsigned)threads;
    conf->idle_ms = idle_ms;
    conf->least_prio = least;
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
    int64_t threads = 0;
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
        ret = read_options(gf_xlator_options(self), &threads, &conf->idle_ms,
                           &conf->least_prio);
    if (ret == 0) {
        conf->max_threads = (unsigned)threads;
        pthread_mutex_lock(&conf->lock);
        ret = spawn(conf);
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
    conf->stopping = true;
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

GF_EXPORT const struct gf_xlator_api gf_xlator_api = {
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
