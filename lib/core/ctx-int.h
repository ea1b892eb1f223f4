/* SPDX-License-Identifier: LGPL-3.0-or-later */
/*
 * ctx-int.h - the layout of the context, shared by the
 * libgf sources that need their fields. Never installed.
 */
#ifndef GF_CTX_INT_H
#define GF_CTX_INT_H

#include <stdbool.h>
#include <stdint.h>

#include <gf/ctx.h>
#include <gf/iobuf.h>
#include <gf/mem-acct.h>
#include <gf/timer.h>

#include "xlator-int.h"

struct gf_ctx {
    char process_uuid[GF_PROCESS_UUID_MAX];
    gf_process_mode_t mode;
    size_t page_size;
    bool mem_acct;
    bool measure_latency;
    bool pools_started; /* this ctx holds a gf_mem_pools_init reference */

    gf_iobuf_pool_t *iobuf_pool;
    gf_timer_wheel_t *timer_wheel;
    struct gf_call_pool *call_pool;              /* borrowed, NULL unless set */
    const struct gf_xlator_api *const *builtins; /* borrowed, NULL-ended */
    struct gf_event_pool *event_pool;            /* borrowed, NULL unless set */

    gf_xlator_t global_xl; /* THIS outside any plugin */
};

#endif /* GF_CTX_INT_H */
