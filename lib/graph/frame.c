/* SPDX-License-Identifier: LGPL-3.0-or-later */
/*
 * frame.c - call pools, stacks and frames: the life of a request.
 *
 * A stack is one request; its top frame is embedded so that a request that
 * never leaves its first translator costs one allocation. Every further
 * hop takes a frame from a per-thread mem pool. Frames are kept until the
 * stack dies: a callback may still look at its child frame, and freeing
 * them one by one would race with a callback that destroys the stack.
 * Live stacks are linked into their pool (under a mutex, once per request,
 * not per hop) so that statedump can show pending requests.
 */
#include <errno.h>
#include <inttypes.h>
#include <stdio.h>
#include <string.h>
#include <time.h>

#include <gf/fop.h>
#include <gf/mem-acct.h>
#include <gf/mem-pool.h>

#include "../core/ctx-int.h"
#include "../core/statedump-int.h"
#include "frame-int.h"

uint64_t
gf__now_ns(void)
{
    struct timespec ts;

    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (uint64_t)ts.tv_sec * 1000000000u + (uint64_t)ts.tv_nsec;
}

gf_call_pool_t *
gf_call_pool_new(gf_ctx_t *ctx)
{
    gf_call_pool_t *pool = gf_calloc(NULL, GF_MT_OTHER, 1, sizeof(*pool));

    if (!pool)
        return NULL;
    pool->ctx = ctx;
    /* Counts as in glusterfsd: stacks 1024, frames 4096 (hints only). */
    pool->stack_pool = gf_mem_pool_new("call-stack", sizeof(gf_stack_t), 1024);
    pool->frame_pool = gf_mem_pool_new("call-frame", sizeof(gf_frame_t), 4096);
    if (!pool->stack_pool || !pool->frame_pool) {
        gf_mem_pool_destroy(pool->stack_pool);
        gf_mem_pool_destroy(pool->frame_pool);
        gf_free(pool);
        errno = ENOMEM;
        return NULL;
    }
    pthread_mutex_init(&pool->lock, NULL);
    return pool;
}

void
gf_call_pool_free(gf_call_pool_t *pool)
{
    if (!pool)
        return;
    GF_ASSERT(pool->stacks == NULL);
    gf_mem_pool_destroy(pool->stack_pool);
    gf_mem_pool_destroy(pool->frame_pool);
    pthread_mutex_destroy(&pool->lock);
    gf_free(pool);
}

uint64_t
gf_call_pool_count(const gf_call_pool_t *pool)
{
    uint64_t n;

    if (!pool)
        return 0;
    pthread_mutex_lock((pthread_mutex_t *)&pool->lock);
    n = pool->count;
    pthread_mutex_unlock((pthread_mutex_t *)&pool->lock);
    return n;
}

static int
set_identity(gf_stack_t *st, const gf_identity_t *id)
{
    st->ngroups = 0;
    st->groups = st->small_groups;
    st->lk_owner.len = 0;
    if (!id)
        return 0;
    st->uid = id->uid;
    st->gid = id->gid;
    st->pid = id->pid;
    st->client = id->client;
    if (id->ngroups > GF_STACK_SMALL_GROUPS) {
        st->groups =
            gf_malloc(NULL, GF_MT_OTHER, id->ngroups * sizeof(*st->groups));
        if (!st->groups)
            return -ENOMEM;
    }
    if (id->ngroups)
        memcpy(st->groups, id->groups, id->ngroups * sizeof(*st->groups));
    st->ngroups = id->ngroups;
    if (id->lk_owner && id->lk_owner->len <= GF_LKOWNER_MAX) {
        st->lk_owner.len = id->lk_owner->len;
        memcpy(st->lk_owner.data, id->lk_owner->data, id->lk_owner->len);
    }
    return 0;
}

gf_frame_t *
gf_frame_new(gf_call_pool_t *pool, gf_xlator_t *self, const gf_identity_t *id)
{
    gf_stack_t *st;

    if (!pool || !self) {
        errno = EINVAL;
        return NULL;
    }
    st = gf_mem_get(pool->stack_pool);
    if (!st)
        return NULL;
    memset(st, 0, offsetof(gf_stack_t, lk_owner));
    if (set_identity(st, id) < 0) {
        gf_mem_put(st);
        errno = ENOMEM;
        return NULL;
    }
    st->pool = pool;
    st->top.root = st;
    st->top.self = self;
    st->unique =
        atomic_fetch_add_explicit(&pool->unique, 1, memory_order_relaxed) + 1;

    pthread_mutex_lock(&pool->lock);
    st->next = pool->stacks;
    if (pool->stacks)
        pool->stacks->prev = st;
    pool->stacks = st;
    pool->count++;
    pthread_mutex_unlock(&pool->lock);
    return &st->top;
}

static void
frame_release(gf_frame_t *f)
{
    if (f->local && f->local_free)
        f->local_free(f->local);
    f->local = NULL;
}

void
gf_stack_destroy(gf_stack_t *st)
{
    gf_call_pool_t *pool;
    gf_frame_t *f, *next;

    if (!st)
        return;
    pool = st->pool;
    pthread_mutex_lock(&pool->lock);
    if (st->prev)
        st->prev->next = st->next;
    else
        pool->stacks = st->next;
    if (st->next)
        st->next->prev = st->prev;
    pool->count--;
    pthread_mutex_unlock(&pool->lock);

    for (f = st->top.next; f; f = next) {
        next = f->next;
        frame_release(f);
        gf_mem_put(f);
    }
    frame_release(&st->top);
    if (st->groups != st->small_groups)
        gf_free(st->groups);
    gf_mem_put(st);
}

void
gf__frame_record_latency(gf_frame_t *f)
{
    gf_fop_stats_t *s = &f->self->stats[f->op];
    uint64_t ns = gf__now_ns() - f->begin_ns;
    uint64_t max = atomic_load_explicit(&s->max_ns, memory_order_relaxed);

    atomic_fetch_add_explicit(&s->count, 1, memory_order_relaxed);
    atomic_fetch_add_explicit(&s->total_ns, ns, memory_order_relaxed);
    while (ns > max && !atomic_compare_exchange_weak_explicit(
                           &s->max_ns, &max, ns, memory_order_relaxed,
                           memory_order_relaxed))
        ;
}

gf_stack_t *
gf_frame_stack(const gf_frame_t *frame)
{
    return frame ? frame->root : NULL;
}

gf_xlator_t *
gf_frame_xlator(const gf_frame_t *frame)
{
    return frame ? frame->self : NULL;
}

gf_frame_t *
gf_frame_parent(const gf_frame_t *frame)
{
    return frame ? frame->parent : NULL;
}

gf_fop_t
gf_frame_fop(const gf_frame_t *frame)
{
    return frame ? frame->op : GF_FOP_NULL;
}

void
gf_frame_set_local(gf_frame_t *frame, void *local, void (*free_fn)(void *))
{
    GF_ASSERT(frame != NULL);
    frame->local = local;
    frame->local_free = free_fn;
}

void *
gf_frame_local(const gf_frame_t *frame)
{
    return frame ? frame->local : NULL;
}

uint32_t
gf_stack_uid(const gf_stack_t *stack)
{
    return stack ? stack->uid : 0;
}

uint32_t
gf_stack_gid(const gf_stack_t *stack)
{
    return stack ? stack->gid : 0;
}

int32_t
gf_stack_pid(const gf_stack_t *stack)
{
    return stack ? stack->pid : 0;
}

uint64_t
gf_stack_unique(const gf_stack_t *stack)
{
    return stack ? stack->unique : 0;
}

const gf_lkowner_t *
gf_stack_lk_owner(const gf_stack_t *stack)
{
    return stack ? &stack->lk_owner : NULL;
}

GF_EXPORT uint64_t
gf_stack_client(const gf_stack_t *stack)
{
    return stack ? stack->client : 0;
}

uint32_t
gf_stack_groups(const gf_stack_t *stack, const uint32_t **groups)
{
    if (!stack) {
        if (groups)
            *groups = NULL;
        return 0;
    }
    if (groups)
        *groups = stack->groups;
    return stack->ngroups;
}

/* ---- statedump (written by the statedump unit) ------------------------- */

static void
dump_frame(FILE *out, uint64_t n, unsigned m, const gf_frame_t *f)
{
    fprintf(out,
            "[global.callpool.stack.%" PRIu64 ".frame.%u]\n"
            "translator=%s\nparent=%s\nfop=%s\ncomplete=%d\n",
            n, m, f->self ? gf_xlator_name(f->self) : "",
            f->parent && f->parent->self ? gf_xlator_name(f->parent->self) : "",
            gf_fop_name(f->op) ? gf_fop_name(f->op) : "?", f->complete ? 1 : 0);
}

static void
dump_stack(FILE *out, uint64_t n, const gf_stack_t *st)
{
    const gf_frame_t *f, *first = NULL;
    const char *op;
    unsigned cnt = 1, m = 0, i;

    /* Frames are pushed after the top, newest first: the last one is the
     * first hop, whose fop is the request's. */
    for (f = st->top.next; f; f = f->next, cnt++)
        first = f;
    fprintf(out,
            "[global.callpool.stack.%" PRIu64 "]\nunique=%" PRIu64
            "\nuid=%" PRIu32 "\ngid=%" PRIu32 "\npid=%" PRId32 "\nlk-owner=",
            n, st->unique, st->uid, st->gid, st->pid);
    for (i = 0; i < st->lk_owner.len && i < GF_LKOWNER_MAX; i++)
        fprintf(out, "%02x", (unsigned)st->lk_owner.data[i]);
    op = gf_fop_name(first ? first->op : st->top.op);
    fprintf(out, "\nop=%s\ncnt=%u\n", op ? op : "?", cnt);
    dump_frame(out, n, ++m, &st->top);
    for (f = st->top.next; f; f = f->next)
        dump_frame(out, n, ++m, f);
}

int
gf__call_pool_dump(gf_call_pool_t *pool, FILE *out)
{
    const gf_stack_t *st;
    uint64_t n = 0;

    if (!pool || !out)
        return -EINVAL;
    pthread_mutex_lock(&pool->lock);
    fprintf(out, "[global.callpool]\ncallpool.cnt=%" PRIu64 "\n", pool->count);
    for (st = pool->stacks; st; st = st->next)
        dump_stack(out, ++n, st);
    pthread_mutex_unlock(&pool->lock);
    return ferror(out) ? -EIO : 0;
}
