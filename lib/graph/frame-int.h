/* SPDX-License-Identifier: LGPL-3.0-or-later */
/*
 * frame-int.h - call stacks and frames, shared by frame.c (their life) and
 * wind.c (the generated wind/unwind functions). Never installed.
 */
#ifndef GF_FRAME_INT_H
#define GF_FRAME_INT_H

#include <pthread.h>
#include <stdbool.h>
#include <stdint.h>

#include <gf/ctx.h>
#include <gf/fop.h>
#include <gf/mem-pool.h>

#include "../core/ctx-int.h"

#define GF_STACK_SMALL_GROUPS 16

struct gf_frame {
    gf_stack_t *root;
    gf_frame_t *parent;
    gf_frame_t *next; /* the stack's other frames, for destroy and dump */
    gf_xlator_t *self;
    void *local;
    void (*local_free)(void *);
    void *cookie;
    void (*ret)(void); /* the parent's gf_fop_<op>_cbk_t */
    uint64_t begin_ns; /* wind time, when measuring latency */
    gf_fop_t op;
    bool complete;
};

struct gf_stack {
    gf_call_pool_t *pool;
    gf_stack_t *prev; /* the pool's list of live stacks */
    gf_stack_t *next;
    gf_frame_t top; /* frames[0]; later frames hang off top.next */
    uint64_t unique;
    uint32_t uid;
    uint32_t gid;
    int32_t pid;
    uint32_t ngroups;
    uint32_t *groups; /* small_groups or a gf_malloc'd array */
    uint32_t small_groups[GF_STACK_SMALL_GROUPS];
    uint64_t client;
    gf_lkowner_t lk_owner;
};

struct gf_call_pool {
    gf_ctx_t *ctx;
    gf_mem_pool_t *stack_pool;
    gf_mem_pool_t *frame_pool;
    pthread_mutex_t lock; /* the list of live stacks */
    gf_stack_t *stacks;
    uint64_t count;
    _Atomic uint64_t unique;
};

/* CLOCK_MONOTONIC in nanoseconds. */
uint64_t gf__now_ns(void);

/* Add FRAME's time since wind to its translator's counters. */
void gf__frame_record_latency(gf_frame_t *frame);

/*
 * A child frame of PARENT for CHILD, or NULL if out of memory. Inline:
 * this and gf__frame_unwound are most of the cost of a hop.
 */
static inline gf_frame_t *
gf__frame_child(gf_frame_t *parent, gf_xlator_t *child, void (*cbk)(void),
                void *cookie, gf_fop_t op)
{
    gf_stack_t *st = parent->root;
    gf_frame_t *f = gf_mem_get(st->pool->frame_pool);

    if (GF_UNLIKELY(!f))
        return NULL;
    f->root = st;
    f->parent = parent;
    f->self = child;
    f->local = NULL;
    f->local_free = NULL;
    f->cookie = cookie;
    f->ret = cbk;
    f->op = op;
    f->complete = false;
    f->begin_ns =
        st->pool->ctx && st->pool->ctx->measure_latency ? gf__now_ns() : 0;
    f->next = st->top.next;
    st->top.next = f;
    return f;
}

/* Mark FRAME unwound and return its parent (asserting it has one and that
 * FRAME was not unwound before); records latency when measuring.
 * Counting is part of measuring: a shared counter bumped on every hop
 * would bounce its cache line between event threads. */
static inline gf_frame_t *
gf__frame_unwound(gf_frame_t *frame)
{
    GF_ASSERT(frame->parent != NULL);
    GF_ASSERT(!frame->complete);
    frame->complete = true;
    if (frame->begin_ns)
        gf__frame_record_latency(frame);
    return frame->parent;
}

#endif /* GF_FRAME_INT_H */
