/* SPDX-License-Identifier: LGPL-3.0-or-later */
/*
 * sync.c - syncenv and synctasks: ucontext coroutines on proc threads.
 *
 * An env has one lock, one run queue and a fixed array of proc slots.
 * A proc pops a task, swaps into its context, and when the task switches
 * back (yield, sleep, exit) decides under the lock what becomes of it:
 * requeue, suspend, or recycle. Deciding on the proc side, after the
 * task's registers are saved, is what makes wakes from other threads
 * safe: nobody can queue a task whose context is still live on a proc.
 * A wake that finds the task still running only sets a flag, which the
 * proc honours after the switch, so no wake is ever lost.
 *
 * Each task and its stack live in one mapping: a PROT_NONE guard page,
 * the stack above it, and the task structure at the top. Finished tasks
 * go to a small per-env cache whole, so steady state maps nothing.
 */
#include <errno.h>
#include <pthread.h>
#include <signal.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <sys/mman.h>
#include <time.h>
#include <ucontext.h>
#include <unistd.h>

#include <gf/ctx.h>
#include <gf/mem-acct.h>
#include <gf/sync.h>
#include <gf/timer.h>

#ifdef __SANITIZE_ADDRESS__
#include <sanitizer/asan_interface.h>
#include <sanitizer/common_interface_defs.h>
#endif
#ifdef __SANITIZE_THREAD__
#include <sanitizer/tsan_interface.h>
#endif

#if defined(__has_include)
#if __has_include(<valgrind/valgrind.h>)
#include <valgrind/valgrind.h>
#endif
#endif

/* Largest stack an env accepts: far beyond any sane need, and keeps the
 * size arithmetic clear of overflow. */
static const size_t stack_max = (size_t)1 << 30;

enum slot { SLOT_FREE = 0, SLOT_LIVE, SLOT_EXITED };
enum tstate { T_NEW = 0, T_RUNNABLE, T_RUNNING, T_SUSPENDED };
/* What a switched-out task waits for: a wake, its sleep timer, nothing. */
enum twait { W_WAKE = 0, W_TIMER, W_NONE };

struct proc {
    gf_syncenv_t *env;
    pthread_t thread;
    unsigned idx;
    int slot;             /* enum slot, under env->lock */
    ucontext_t sched;     /* where tasks switch back to */
    void *fake;           /* ASan: this thread's fake stack while in a task */
    const void *stack_lo; /* ASan: this thread's own stack */
    size_t stack_len;
    void *tsan_fiber; /* TSan: this thread's own fiber */
};

struct gf_synctask {
    gf_synctask_t *next; /* run queue or cache link */
    gf_syncenv_t *env;
    struct proc *proc; /* the proc running it; set before each switch in */
    gf_synctask_fn_t fn;
    void *opaque;
    gf_synctask_cbk_t cbk;
    void *cbk_data;
    gf_xlator_t *this; /* THIS while switched out */
    int ret;
    int state;  /* enum tstate, under env->lock */
    int wait;   /* enum twait, set by the task before switching out */
    bool woken; /* a wake not consumed yet */
    bool timer_fired;
    bool exited; /* set by the task just before its last switch */
    char *stack; /* lowest usable byte, just above the guard page */
    size_t stack_len;
    char *map;
    size_t map_len;
    unsigned vg_id; /* valgrind stack id */
    void *fake;     /* ASan: the task's fake stack while switched out */
    void *tsan_fiber;
    ucontext_t ctx;
};

struct gf_syncenv {
    pthread_mutex_t lock;
    pthread_cond_t work; /* idle procs wait here (monotonic clock) */
    pthread_cond_t done; /* gf_syncenv_free waits here */
    gf_synctask_t *runq_head, *runq_tail;
    gf_synctask_t *cache;
    unsigned runnable, procs, idle, peak, live, cached;
    uint64_t tasks_run, switches, mapped;
    bool stopping; /* gf_syncenv_free waits for the last task */
    bool stopped;  /* no task left: procs exit, no new task */
    bool own_wheel;
    gf_timer_wheel_t *wheel;
    sigset_t sigmask; /* of every proc and every task */
    size_t page;
    gf_syncenv_config_t cfg;
    struct proc proc[]; /* cfg.procmax slots */
};

/* The task running on this thread. Read only through task_self(), and
 * never after a switch in the same function: code on a task stack may
 * resume on another thread, and the compiler may cache TLS addresses. */
static __thread gf_synctask_t *cur_task;

static __attribute__((noinline)) gf_synctask_t *
task_self(void)
{
    return cur_task;
}

static __attribute__((noinline)) void
task_self_set(gf_synctask_t *t)
{
    cur_task = t;
}

/* THIS as stored, NULL included (gf_this() would give the fallback). */
static gf_xlator_t *
raw_this(void)
{
    gf_xlator_t *xl = gf_this_set(NULL);

    gf_this_set(xl);
    return xl;
}

/* --- sanitizer and valgrind annotations of stack switches ------------ */

static inline void
fiber_start(void **fake, const void *lo, size_t len)
{
#ifdef __SANITIZE_ADDRESS__
    __sanitizer_start_switch_fiber(fake, lo, len);
#else
    (void)fake;
    (void)lo;
    (void)len;
#endif
}

static inline void
fiber_finish(void *fake, const void **lo, size_t *len)
{
#ifdef __SANITIZE_ADDRESS__
    __sanitizer_finish_switch_fiber(fake, lo, len);
#else
    (void)fake;
    (void)lo;
    (void)len;
#endif
}

/* TSan: tell it which fiber (stack of execution) runs next. */
static inline void
tsan_switch(void *fiber)
{
#ifdef __SANITIZE_THREAD__
    __tsan_switch_to_fiber(fiber, 0);
#else
    (void)fiber;
#endif
}

static inline void
stack_register(gf_synctask_t *t)
{
#ifdef VALGRIND_STACK_REGISTER
    t->vg_id = VALGRIND_STACK_REGISTER(t->stack, t->stack + t->stack_len);
#else
    t->vg_id = 0;
#endif
#ifdef __SANITIZE_THREAD__
    t->tsan_fiber = __tsan_create_fiber(0);
#endif
}

static inline void
stack_deregister(gf_synctask_t *t)
{
#ifdef VALGRIND_STACK_DEREGISTER
    VALGRIND_STACK_DEREGISTER(t->vg_id);
#endif
#ifdef __SANITIZE_THREAD__
    __tsan_destroy_fiber(t->tsan_fiber);
#endif
    (void)t;
}

/* A task that exited never unwound its first frames; clear their stale
 * poison before another task uses the stack. */
static inline void
stack_unpoison(gf_synctask_t *t)
{
#ifdef __SANITIZE_ADDRESS__
    ASAN_UNPOISON_MEMORY_REGION(t->stack, t->stack_len);
#else
    (void)t;
#endif
}

/* --- task memory ------------------------------------------------------ */

static gf_synctask_t *
task_map(gf_syncenv_t *env)
{
    size_t hdr = (sizeof(gf_synctask_t) + env->page - 1) & ~(env->page - 1);
    size_t len = env->page + env->cfg.stack_size + hdr;
    gf_synctask_t *t;
    char *map;

    map = mmap(NULL, len, PROT_READ | PROT_WRITE,
               MAP_PRIVATE | MAP_ANONYMOUS | MAP_NORESERVE | MAP_STACK, -1, 0);
    if (map == MAP_FAILED)
        return NULL;
    /* The guard: an overflow faults here instead of scribbling on the
     * neighbouring mapping. */
    if (mprotect(map, env->page, PROT_NONE) != 0) {
        munmap(map, len);
        return NULL;
    }
#ifdef MADV_NOHUGEPAGE
    /* A huge page would make a task's first touch cost 2 MiB of RAM. */
    (void)madvise(map, len, MADV_NOHUGEPAGE);
#endif
    t = (gf_synctask_t *)(map + env->page + env->cfg.stack_size);
    memset(t, 0, sizeof(*t));
    t->env = env;
    t->map = map;
    t->map_len = len;
    t->stack = map + env->page;
    t->stack_len = env->cfg.stack_size;
    stack_register(t);
    return t;
}

static void
task_unmap(gf_synctask_t *t)
{
    stack_deregister(t);
    munmap(t->map, t->map_len);
}

/* --- run queue and procs (env->lock held) ------------------------------ */

static void *proc_main(void *arg);

static int
spawn(gf_syncenv_t *env)
{
    struct proc *p = NULL;
    pthread_attr_t attr;
    unsigned i;
    int rc;

    for (i = 0; i < env->cfg.procmax; i++) {
        if (env->proc[i].slot != SLOT_LIVE) {
            p = &env->proc[i];
            break;
        }
    }
    if (!p)
        return -EAGAIN;
    /* An exited proc has returned or is returning: joining is quick. */
    if (p->slot == SLOT_EXITED) {
        pthread_join(p->thread, NULL);
        p->slot = SLOT_FREE;
    }
    /* A proc only runs the scheduler loop; tasks have their own stacks. */
    pthread_attr_init(&attr);
    pthread_attr_setstacksize(&attr, 256 * 1024);
    rc = pthread_create(&p->thread, &attr, proc_main, p);
    pthread_attr_destroy(&attr);
    if (rc != 0)
        return -rc;
    p->slot = SLOT_LIVE;
    env->procs++;
    if (env->procs > env->peak)
        env->peak = env->procs;
    return 0;
}

static void
runq_push(gf_syncenv_t *env, gf_synctask_t *t)
{
    t->next = NULL;
    if (env->runq_tail)
        env->runq_tail->next = t;
    else
        env->runq_head = t;
    env->runq_tail = t;
    t->state = T_RUNNABLE;
    env->runnable++;
}

/* Queue T and make sure a proc will run it: an idle one, or a new one if
 * runnable tasks outnumber idle procs. */
static void
enqueue(gf_syncenv_t *env, gf_synctask_t *t)
{
    runq_push(env, t);
    if (env->idle > 0)
        pthread_cond_signal(&env->work);
    /* A failed spawn is fine as long as a proc exists to drain the
     * queue, which procmin >= 1 guarantees. */
    if (env->runnable > env->idle && env->procs < env->cfg.procmax)
        (void)spawn(env);
}

/* Whether a switched-out task may run again; consumes the wake. */
static bool
take_ready(gf_synctask_t *t)
{
    switch (t->wait) {
    case W_NONE:
        return true;
    case W_TIMER:
        return t->timer_fired;
    default:
        if (!t->woken)
            return false;
        __atomic_store_n(&t->woken, false, __ATOMIC_RELAXED);
        return true;
    }
}

/* A wake (TIMER false) or the sleep timer (TIMER true) for T. */
static void
kick(gf_synctask_t *t, bool timer)
{
    gf_syncenv_t *env = t->env;

    pthread_mutex_lock(&env->lock);
    if (timer)
        t->timer_fired = true;
    else
        __atomic_store_n(&t->woken, true, __ATOMIC_RELEASE);
    if (t->state == T_SUSPENDED && take_ready(t))
        enqueue(env, t);
    pthread_mutex_unlock(&env->lock);
}

static void
deadline_after(struct timespec *ts, unsigned ms)
{
    clock_gettime(CLOCK_MONOTONIC, ts);
    ts->tv_sec += ms / 1000;
    ts->tv_nsec += (long)(ms % 1000) * 1000000L;
    if (ts->tv_nsec >= 1000000000L) {
        ts->tv_sec++;
        ts->tv_nsec -= 1000000000L;
    }
}

/* The next task for a proc, waiting for one; NULL means the proc must
 * exit (env stopped, or idle too long above procmin). */
static gf_synctask_t *
next_task(gf_syncenv_t *env)
{
    struct timespec deadline;
    bool armed = false;
    gf_synctask_t *t;
    int rc;

    while (!env->runq_head) {
        if (env->stopped)
            return NULL;
        env->idle++;
        if (env->procs > env->cfg.procmin) {
            if (!armed)
                deadline_after(&deadline, env->cfg.idle_ms);
            armed = true;
            rc = pthread_cond_timedwait(&env->work, &env->lock, &deadline);
        } else {
            rc = pthread_cond_wait(&env->work, &env->lock);
        }
        env->idle--;
        if (rc == ETIMEDOUT && !env->runq_head && env->procs > env->cfg.procmin)
            return NULL;
    }
    t = env->runq_head;
    env->runq_head = t->next;
    if (!env->runq_head)
        env->runq_tail = NULL;
    env->runnable--;
    t->state = T_RUNNING;
    env->switches++;
    return t;
}

/* Decide the fate of T, just switched out. Returns T if it must be
 * unmapped (outside the lock), else NULL. */
static gf_synctask_t *
after_run(gf_syncenv_t *env, gf_synctask_t *t)
{
    if (!t->exited) {
        if (take_ready(t))
            runq_push(env, t); /* this proc will get to it */
        else
            t->state = T_SUSPENDED;
        return NULL;
    }
    env->live--;
    env->tasks_run++;
    if (env->live == 0 && env->stopping)
        pthread_cond_broadcast(&env->done);
    if (env->cached >= env->cfg.cache_max)
        return t;
    t->next = env->cache;
    env->cache = t;
    env->cached++;
    return NULL;
}

/* --- switching ---------------------------------------------------------- */

/* First frame of every task. makecontext passes ints, so the task
 * pointer comes in two halves. */
static void
task_main(unsigned hi, unsigned lo)
{
    gf_synctask_t *t =
        (gf_synctask_t *)(uintptr_t)(((uint64_t)hi << 32) | (uint64_t)lo);
    struct proc *p;

    fiber_finish(NULL, &t->proc->stack_lo, &t->proc->stack_len);
    t->ret = t->fn(t->opaque);
    if (t->cbk)
        t->cbk(t->ret, t->cbk_data);
    t->exited = true;
    p = t->proc;
    /* NULL: this stack's fake frames die with the task. */
    fiber_start(NULL, p->stack_lo, p->stack_len);
    tsan_switch(p->tsan_fiber);
    setcontext(&p->sched);
    gf_assert_fail("setcontext", __FILE__, __LINE__, __func__);
}

/* Save the calling task and return to its proc. Not inlined: after the
 * swap this may run on another thread. */
static __attribute__((noinline)) void
switch_out(gf_synctask_t *t)
{
    struct proc *p = t->proc;

    fiber_start(&t->fake, p->stack_lo, p->stack_len);
    tsan_switch(p->tsan_fiber);
    if (swapcontext(&t->ctx, &p->sched) != 0)
        gf_assert_fail("swapcontext", __FILE__, __LINE__, __func__);
    /* Resumed, possibly by another proc: note that proc's stack. */
    p = t->proc;
    fiber_finish(t->fake, &p->stack_lo, &p->stack_len);
}

/* Run T on P until it switches back, with THIS and the current task set
 * for it and restored afterwards. */
static void
run_task(struct proc *p, gf_synctask_t *t)
{
    gf_xlator_t *saved;

    t->proc = p;
    task_self_set(t);
    saved = gf_this_set(t->this);
    fiber_start(&p->fake, t->stack, t->stack_len);
    tsan_switch(t->tsan_fiber);
    if (swapcontext(&p->sched, &t->ctx) != 0)
        gf_assert_fail("swapcontext", __FILE__, __LINE__, __func__);
    fiber_finish(p->fake, NULL, NULL);
    t->this = gf_this_set(saved);
    task_self_set(NULL);
}

static void *
proc_main(void *arg)
{
    struct proc *p = arg;
    gf_syncenv_t *env = p->env;
    gf_synctask_t *t;
    char name[16];

#ifdef __SANITIZE_THREAD__
    p->tsan_fiber = __tsan_get_current_fiber();
#endif
    pthread_sigmask(SIG_SETMASK, &env->sigmask, NULL);
    snprintf(name, sizeof(name), "gfsproc%u", p->idx);
    pthread_setname_np(pthread_self(), name);

    pthread_mutex_lock(&env->lock);
    while ((t = next_task(env)) != NULL) {
        pthread_mutex_unlock(&env->lock);
        run_task(p, t);
        pthread_mutex_lock(&env->lock);
        t = after_run(env, t);
        if (t) {
            pthread_mutex_unlock(&env->lock);
            task_unmap(t);
            pthread_mutex_lock(&env->lock);
        }
    }
    p->slot = SLOT_EXITED;
    env->procs--;
    if (env->procs == 0)
        pthread_cond_broadcast(&env->done);
    pthread_mutex_unlock(&env->lock);
    return NULL;
}

/* --- env ---------------------------------------------------------------- */

void
gf_syncenv_config_init(gf_syncenv_config_t *cfg)
{
    if (!cfg)
        return;
    memset(cfg, 0, sizeof(*cfg));
    cfg->procmin = GF_SYNCENV_DEFAULT_PROCMIN;
    cfg->procmax = GF_SYNCENV_DEFAULT_PROCMAX;
    cfg->stack_size = GF_SYNCENV_DEFAULT_STACK;
    cfg->idle_ms = GF_SYNCENV_DEFAULT_IDLE_MS;
    cfg->cache_max = GF_SYNCENV_DEFAULT_CACHE;
}

/* CFG with defaults for zero fields, checked. 0 or -EINVAL. */
static int
config_fill(gf_syncenv_config_t *out, const gf_syncenv_config_t *cfg,
            size_t page)
{
    gf_syncenv_config_t d;

    gf_syncenv_config_init(&d);
    *out = cfg ? *cfg : d;
    if (!out->procmin)
        out->procmin = d.procmin;
    if (!out->procmax)
        out->procmax = out->procmin > d.procmax ? out->procmin : d.procmax;
    if (!out->stack_size)
        out->stack_size = d.stack_size;
    if (!out->idle_ms)
        out->idle_ms = d.idle_ms;
    if (cfg && !cfg->cache_max)
        out->cache_max = d.cache_max;
    if (out->procmin > out->procmax || out->procmax > GF_SYNCENV_PROC_LIMIT ||
        out->stack_size < GF_SYNCENV_STACK_MIN || out->stack_size > stack_max)
        return -EINVAL;
    out->stack_size = (out->stack_size + page - 1) & ~(page - 1);
    return 0;
}

static int
env_init_sync(gf_syncenv_t *env)
{
    pthread_condattr_t ca;
    int rc;

    if ((rc = pthread_mutex_init(&env->lock, NULL)) != 0)
        return -rc;
    pthread_condattr_init(&ca);
    pthread_condattr_setclock(&ca, CLOCK_MONOTONIC);
    rc = pthread_cond_init(&env->work, &ca);
    pthread_condattr_destroy(&ca);
    if (rc != 0) {
        pthread_mutex_destroy(&env->lock);
        return -rc;
    }
    if ((rc = pthread_cond_init(&env->done, NULL)) != 0) {
        pthread_cond_destroy(&env->work);
        pthread_mutex_destroy(&env->lock);
        return -rc;
    }
    return 0;
}

gf_syncenv_t *
gf_syncenv_new(const gf_syncenv_config_t *cfg)
{
    gf_syncenv_config_t c;
    size_t page = (size_t)sysconf(_SC_PAGESIZE);
    gf_syncenv_t *env;
    unsigned i;
    int rc;

    if (config_fill(&c, cfg, page) != 0) {
        errno = EINVAL;
        return NULL;
    }
    env = gf_calloc(NULL, GF_MT_OTHER, 1,
                    sizeof(*env) + c.procmax * sizeof(struct proc));
    if (!env)
        return NULL;
    env->cfg = c;
    env->page = page;
    env->wheel = c.wheel;
    pthread_sigmask(SIG_SETMASK, NULL, &env->sigmask);
    for (i = 0; i < c.procmax; i++) {
        env->proc[i].env = env;
        env->proc[i].idx = i;
    }
    if ((rc = env_init_sync(env)) != 0) {
        gf_free(env);
        errno = -rc;
        return NULL;
    }
    pthread_mutex_lock(&env->lock);
    for (i = 0, rc = 0; i < c.procmin && rc == 0; i++)
        rc = spawn(env);
    pthread_mutex_unlock(&env->lock);
    if (rc != 0) {
        gf_syncenv_free(env);
        errno = -rc;
        return NULL;
    }
    return env;
}

static void
env_release(gf_syncenv_t *env)
{
    gf_synctask_t *t;

    while ((t = env->cache) != NULL) {
        env->cache = t->next;
        task_unmap(t);
    }
    if (env->own_wheel)
        gf_timer_wheel_free(env->wheel);
    pthread_cond_destroy(&env->done);
    pthread_cond_destroy(&env->work);
    pthread_mutex_destroy(&env->lock);
    gf_free(env);
}

void
gf_syncenv_free(gf_syncenv_t *env)
{
    gf_synctask_t *self = task_self();
    unsigned i;

    if (!env)
        return;
    GF_ASSERT(!self || self->env != env);
    pthread_mutex_lock(&env->lock);
    env->stopping = true;
    while (env->live > 0)
        pthread_cond_wait(&env->done, &env->lock);
    env->stopped = true;
    pthread_cond_broadcast(&env->work);
    while (env->procs > 0)
        pthread_cond_wait(&env->done, &env->lock);
    pthread_mutex_unlock(&env->lock);
    /* Every proc has left its loop; nothing touches the slots now. */
    for (i = 0; i < env->cfg.procmax; i++) {
        if (env->proc[i].slot == SLOT_EXITED)
            pthread_join(env->proc[i].thread, NULL);
    }
    env_release(env);
}

int
gf_syncenv_stats(gf_syncenv_t *env, gf_syncenv_stats_t *out)
{
    if (!env || !out)
        return -EINVAL;
    pthread_mutex_lock(&env->lock);
    out->procs = env->procs;
    out->procs_idle = env->idle;
    out->procs_peak = env->peak;
    out->runnable = env->runnable;
    out->tasks_live = env->live;
    out->tasks_run = env->tasks_run;
    out->switches = env->switches;
    out->stacks_mapped = env->mapped;
    out->stacks_cached = env->cached;
    pthread_mutex_unlock(&env->lock);
    return 0;
}

/* --- tasks -------------------------------------------------------------- */

/* A task ready to start: from the cache, else freshly mapped. Counts it
 * live, which keeps gf_syncenv_free waiting. */
static gf_synctask_t *
task_get(gf_syncenv_t *env, int *err)
{
    gf_synctask_t *t;

    pthread_mutex_lock(&env->lock);
    if (env->stopped) {
        pthread_mutex_unlock(&env->lock);
        *err = -ESHUTDOWN;
        return NULL;
    }
    env->live++;
    t = env->cache;
    if (t) {
        env->cache = t->next;
        env->cached--;
    } else {
        env->mapped++;
    }
    pthread_mutex_unlock(&env->lock);
    if (t) {
        stack_unpoison(t);
        return t;
    }
    t = task_map(env);
    if (!t) {
        pthread_mutex_lock(&env->lock);
        env->live--;
        env->mapped--;
        if (env->live == 0 && env->stopping)
            pthread_cond_broadcast(&env->done);
        pthread_mutex_unlock(&env->lock);
        *err = -ENOMEM;
    }
    return t;
}

/* Point T's context at task_main on T's stack. Apart, because getcontext
 * returns twice as far as the compiler knows, which makes every variable
 * live across it suspect; here only a volatile copy of T is. */
static __attribute__((noinline)) void
ctx_prepare(gf_synctask_t *task)
{
    gf_synctask_t *volatile t = task;
    uint64_t addr;

    getcontext(&t->ctx);
    t->ctx.uc_stack.ss_sp = t->stack;
    t->ctx.uc_stack.ss_size = t->stack_len;
    t->ctx.uc_link = NULL;
    t->ctx.uc_sigmask = t->env->sigmask;
    addr = (uint64_t)(uintptr_t)t;
    makecontext(&t->ctx, (void (*)(void))task_main, 2, (unsigned)(addr >> 32),
                (unsigned)(addr & 0xffffffffu));
}

static int
task_spawn(gf_syncenv_t *env, gf_synctask_fn_t fn, void *opaque,
           gf_synctask_cbk_t cbk, void *cbk_data)
{
    gf_synctask_t *t;
    int err = 0;

    t = task_get(env, &err);
    if (!t)
        return err;
    t->next = NULL;
    t->proc = NULL;
    t->fn = fn;
    t->opaque = opaque;
    t->cbk = cbk;
    t->cbk_data = cbk_data;
    t->this = raw_this();
    t->ret = 0;
    t->state = T_NEW;
    t->wait = W_WAKE;
    __atomic_store_n(&t->woken, false, __ATOMIC_RELAXED);
    t->timer_fired = false;
    t->exited = false;
    t->fake = NULL;
    ctx_prepare(t);
    pthread_mutex_lock(&env->lock);
    enqueue(env, t);
    pthread_mutex_unlock(&env->lock);
    return 0;
}

int
gf_synctask_new(gf_syncenv_t *env, gf_synctask_fn_t fn, gf_synctask_cbk_t cbk,
                void *opaque)
{
    if (!env || !fn)
        return -EINVAL;
    return task_spawn(env, fn, opaque, cbk, opaque);
}

struct run_state {
    gf_sync_waiter_t waiter;
    int ret;
};

static void
run_done(int ret, void *data)
{
    struct run_state *rs = data;

    rs->ret = ret;
    gf_sync_waiter_wake(&rs->waiter);
}

int
gf_synctask_run(gf_syncenv_t *env, gf_synctask_fn_t fn, void *opaque)
{
    struct run_state rs;
    int rc;

    if (!env || !fn)
        return -EINVAL;
    rs.ret = 0;
    if ((rc = gf_sync_waiter_init(&rs.waiter)) != 0)
        return rc;
    rc = task_spawn(env, fn, opaque, run_done, &rs);
    if (rc == 0) {
        gf_sync_waiter_wait(&rs.waiter);
        rc = rs.ret;
    }
    gf_sync_waiter_fini(&rs.waiter);
    return rc;
}

gf_synctask_t *
gf_synctask_current(void)
{
    return task_self();
}

gf_syncenv_t *
gf_synctask_env(const gf_synctask_t *task)
{
    return task ? task->env : NULL;
}

int
gf_synctask_yield(void)
{
    gf_synctask_t *t = task_self();

    if (!t)
        return -EPERM;
    /* A wake already here: consume it without the two switches. */
    if (__atomic_load_n(&t->woken, __ATOMIC_ACQUIRE)) {
        bool was;

        pthread_mutex_lock(&t->env->lock);
        was = t->woken;
        __atomic_store_n(&t->woken, false, __ATOMIC_RELAXED);
        pthread_mutex_unlock(&t->env->lock);
        if (was)
            return 0;
    }
    t->wait = W_WAKE;
    switch_out(t);
    return 0;
}

int
gf_synctask_wake(gf_synctask_t *task)
{
    if (!task)
        return -EINVAL;
    kick(task, false);
    return 0;
}

static void
sleep_fired(void *data)
{
    kick(data, true);
}

/* The wheel for sleeps: the configured one, or the env's own, started on
 * first use so that envs whose tasks never sleep cost no thread. */
static gf_timer_wheel_t *
env_wheel(gf_syncenv_t *env, int *err)
{
    gf_timer_wheel_t *w;

    pthread_mutex_lock(&env->lock);
    if (!env->wheel) {
        env->wheel = gf_timer_wheel_new();
        if (env->wheel)
            env->own_wheel = true;
        else
            *err = errno ? -errno : -ENOMEM;
    }
    w = env->wheel;
    pthread_mutex_unlock(&env->lock);
    return w;
}

int
gf_synctask_sleep_ms(uint64_t ms)
{
    gf_synctask_t *t = task_self();
    gf_timer_wheel_t *w;
    gf_timer_t *timer;
    int err = -ENOMEM;

    if (!t)
        return -EPERM;
    if (ms == 0) {
        /* Just let the other runnable tasks go first. */
        t->wait = W_NONE;
        switch_out(t);
        return 0;
    }
    if (!(w = env_wheel(t->env, &err)))
        return err;
    t->timer_fired = false;
    t->wait = W_TIMER;
    timer = gf_timer_call_after(w, ms, sleep_fired, t);
    if (!timer) {
        err = errno ? -errno : -ENOMEM;
        t->wait = W_WAKE;
        return err;
    }
    switch_out(t);
    t->wait = W_WAKE;
    /* The timer has fired (that is what resumed us): drop the handle. */
    gf_timer_release(w, timer);
    return 0;
}
