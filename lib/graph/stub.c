/* SPDX-License-Identifier: LGPL-3.0-or-later */
/*
 * stub.c - call stubs, generated from the fop table.
 *
 * A stub is one pooled object: the frame, which fop, the function to call
 * and a union of every fop's argument struct. Saving is a struct copy of
 * the arguments, resuming a switch on the fop.
 */
#include <errno.h>
#include <pthread.h>

#include <gf/mem-pool.h>
#include <gf/stub.h>

#include "../core/xlator-int.h"
#include "frame-int.h"

struct gf_stub {
    gf_frame_t *frame;
    gf_fop_t fop;
    union {
#define FN_FIELD(name, NAME) gf_fop_##name##_t name;
        GF_FOP_LIST(FN_FIELD)
#undef FN_FIELD
    } fn;
    union {
#define ARGS_FIELD(name, NAME) gf_args_##name##_t name;
        GF_FOP_LIST(ARGS_FIELD)
#undef ARGS_FIELD
    } args;
};

static pthread_once_t pool_once = PTHREAD_ONCE_INIT;
static gf_mem_pool_t *stub_pool;

static void
make_pool(void)
{
    stub_pool = gf_mem_pool_new("call-stub", sizeof(gf_stub_t), 1024);
}

static gf_stub_t *
stub_new(gf_frame_t *frame, gf_fop_t fop)
{
    gf_stub_t *s;

    GF_ASSERT(frame != NULL);
    pthread_once(&pool_once, make_pool);
    if (!stub_pool) {
        errno = ENOMEM;
        return NULL;
    }
    s = gf_mem_get(stub_pool);
    if (!s)
        return NULL;
    s->frame = frame;
    s->fop = fop;
    return s;
}

#define SAVE(type, arg)  a->arg = arg;
#define SAVED(type, arg) , a->arg

#define STUB_NEW(name, NAME)                                                   \
    gf_stub_t *gf_stub_##name(                                                 \
        gf_frame_t *frame,                                                     \
        gf_fop_##name##_t fn GF_FOP_ARGS_##name(GF_FOP_PARAM))                 \
    {                                                                          \
        gf_stub_t *s = stub_new(frame, GF_FOP_##NAME);                         \
        gf_args_##name##_t *a;                                                 \
                                                                               \
        if (!s)                                                                \
            return NULL;                                                       \
        GF_ASSERT(fn != NULL);                                                 \
        s->fn.name = fn;                                                       \
        a = &s->args.name;                                                     \
        GF_FOP_ARGS_##name(SAVE)(void) a;                                      \
        return s;                                                              \
    }
GF_FOP_LIST(STUB_NEW)

void
gf_stub_resume(gf_stub_t *s)
{
    gf_frame_t *frame;
    gf_xlator_t *prev;

    GF_ASSERT(s != NULL);
    frame = s->frame;
    prev = gf_this_set(frame->self);
    switch (s->fop) {
#define RESUME(name, NAME)                                                     \
    case GF_FOP_##NAME: {                                                      \
        gf_args_##name##_t *a = &s->args.name;                                 \
        s->fn.name(frame, frame->self GF_FOP_ARGS_##name(SAVED));              \
        break;                                                                 \
    }
        GF_FOP_LIST(RESUME)
#undef RESUME
    default:
        GF_ASSERT(!"stub with an unknown fop");
    }
    gf_this_set(prev);
    gf_mem_put(s);
}

void
gf_stub_fail(gf_stub_t *s, int32_t op_errno)
{
    GF_ASSERT(s != NULL);
    switch (s->fop) {
#define FAIL(name, NAME)                                                       \
    case GF_FOP_##NAME:                                                        \
        gf_unwind_##name(s->frame, -1,                                         \
                         op_errno GF_FOP_CBKS_##name(GF_FOP_ZERO));            \
        break;
        GF_FOP_LIST(FAIL)
#undef FAIL
    default:
        GF_ASSERT(!"stub with an unknown fop");
    }
    gf_mem_put(s);
}

gf_fop_t
gf_stub_fop(const gf_stub_t *s)
{
    return s ? s->fop : GF_FOP_NULL;
}

gf_frame_t *
gf_stub_frame(const gf_stub_t *s)
{
    return s ? s->frame : NULL;
}
