/* SPDX-License-Identifier: LGPL-3.0-or-later */
/*
 * wind.c - gf_wind_<fop>, gf_unwind_<fop> and the pass-through defaults,
 * generated from the fop table (<gf/fop-table.h>).
 *
 * Each function is written once below as a template macro and stamped out
 * per fop, so all of them behave identically and the compiler type-checks
 * every caller against the fop's own signature. A wind that cannot get a
 * frame answers ENOMEM through the caller's callback instead of dropping
 * the request (GlusterFS's STACK_WIND drops it silently).
 */
#include <errno.h>

#include <gf/ctx.h>
#include <gf/fop.h>

#include "../core/xlator-int.h"
#include "frame-int.h"

#define WIND(name, NAME)                                                       \
    int gf_wind_##name(gf_frame_t *frame, gf_xlator_t *child,                  \
                       gf_fop_##name##_cbk_t cbk,                              \
                       void *cookie GF_FOP_ARGS_##name(GF_FOP_PARAM))          \
    {                                                                          \
        gf_frame_t *f;                                                         \
        gf_xlator_t *prev;                                                     \
                                                                               \
        GF_ASSERT(frame != NULL && child != NULL && cbk != NULL);              \
        f = gf__frame_child(frame, child, (void (*)(void))cbk, cookie,         \
                            GF_FOP_##NAME);                                    \
        if (GF_UNLIKELY(!f)) {                                                 \
            cbk(frame, cookie, frame->self, -1,                                \
                ENOMEM GF_FOP_CBKS_##name(GF_FOP_ZERO));                       \
            return -ENOMEM;                                                    \
        }                                                                      \
        prev = gf__this_swap(child);                                           \
        child->fops.name(f, child GF_FOP_ARGS_##name(GF_FOP_NAME));            \
        gf__this_swap(prev);                                                   \
        return 0;                                                              \
    }

#define UNWIND(name, NAME)                                                     \
    void gf_unwind_##name(gf_frame_t *frame, int32_t op_ret,                   \
                          int32_t op_errno GF_FOP_CBKS_##name(GF_FOP_PARAM))   \
    {                                                                          \
        gf_frame_t *parent;                                                    \
        gf_xlator_t *prev;                                                     \
        gf_fop_##name##_cbk_t cbk;                                             \
                                                                               \
        GF_ASSERT(frame != NULL);                                              \
        parent = gf__frame_unwound(frame);                                     \
        cbk = (gf_fop_##name##_cbk_t)frame->ret;                               \
        prev = gf__this_swap(parent->self);                                    \
        cbk(parent, frame->cookie, parent->self, op_ret,                       \
            op_errno GF_FOP_CBKS_##name(GF_FOP_NAME));                         \
        gf__this_swap(prev);                                                   \
    }

#define DEFAULTS(name, NAME)                                                   \
    int gf_default_##name##_cbk(                                               \
        gf_frame_t *frame, void *cookie, gf_xlator_t *self, int32_t op_ret,    \
        int32_t op_errno GF_FOP_CBKS_##name(GF_FOP_PARAM))                     \
    {                                                                          \
        gf_unwind_##name(frame, op_ret,                                        \
                         op_errno GF_FOP_CBKS_##name(GF_FOP_NAME));            \
        return 0;                                                              \
    }                                                                          \
                                                                               \
    int gf_default_##name(gf_frame_t *frame,                                   \
                          gf_xlator_t *self GF_FOP_ARGS_##name(GF_FOP_PARAM))  \
    {                                                                          \
        if (GF_UNLIKELY(self->nchildren == 0)) {                               \
            gf_unwind_##name(frame, -1,                                        \
                             ENOTCONN GF_FOP_CBKS_##name(GF_FOP_ZERO));        \
            return 0;                                                          \
        }                                                                      \
        gf_wind_##name(frame, self->children[0], gf_default_##name##_cbk,      \
                       NULL GF_FOP_ARGS_##name(GF_FOP_NAME));                  \
        return 0;                                                              \
    }

/* clang-format off */
GF_FOP_LIST(WIND)
GF_FOP_LIST(UNWIND)
GF_FOP_LIST(DEFAULTS)
/* clang-format on */

#define NAME_ENTRY(name, NAME) [GF_FOP_##NAME] = #NAME,
static const char *const fop_names[GF_FOP_MAX] = {[GF_FOP_NULL] = "NULL",
                                                  GF_FOP_LIST(NAME_ENTRY)};

const char *
gf_fop_name(gf_fop_t fop)
{
    if ((unsigned)fop >= GF_FOP_MAX)
        return NULL;
    return fop_names[fop];
}

#define DEFAULT_ENTRY(name, NAME) .name = gf_default_##name,
static const gf_xlator_fops_t default_fops = {GF_FOP_LIST(DEFAULT_ENTRY)};

const gf_xlator_fops_t *
gf_default_fops(void)
{
    return &default_fops;
}
