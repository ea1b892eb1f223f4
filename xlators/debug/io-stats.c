/* SPDX-License-Identifier: LGPL-3.0-or-later */
/*
 * debug/io-stats - count every fop and measure its latency, for statedump.
 *
 * The wind time travels as the callback cookie, so measuring costs no
 * allocation; counters are relaxed atomics per fop. The dump lists, per
 * fop that was called, its count, errors and average/min/max latency in
 * microseconds.
 */
#include <errno.h>
#include <inttypes.h>
#include <stdatomic.h>
#include <stdlib.h>
#include <time.h>

#include <gf/xlator.h>

typedef struct fop_counter {
    _Atomic uint64_t count;
    _Atomic uint64_t errors;
    _Atomic uint64_t total_ns;
    _Atomic uint64_t min_ns;
    _Atomic uint64_t max_ns;
} fop_counter_t;

typedef struct stats_priv {
    _Atomic bool measure;
    fop_counter_t fops[GF_FOP_MAX];
} stats_priv_t;

static uint64_t
now_ns(void)
{
    struct timespec ts;

    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (uint64_t)ts.tv_sec * 1000000000u + (uint64_t)ts.tv_nsec;
}

/* Cookie of a wound fop: its wind time, or 0 when not measuring. */
static void *
wind_cookie(gf_xlator_t *self)
{
    stats_priv_t *priv = gf_xlator_private(self);

    return atomic_load_explicit(&priv->measure, memory_order_relaxed)
               ? (void *)(uintptr_t)now_ns()
               : NULL;
}

static void
account(gf_xlator_t *self, gf_fop_t fop, void *cookie, int32_t op_ret)
{
    stats_priv_t *priv = gf_xlator_private(self);
    fop_counter_t *c = &priv->fops[fop];
    uint64_t ns, v;

    atomic_fetch_add_explicit(&c->count, 1, memory_order_relaxed);
    if (op_ret < 0)
        atomic_fetch_add_explicit(&c->errors, 1, memory_order_relaxed);
    if (!cookie)
        return;
    ns = now_ns() - (uint64_t)(uintptr_t)cookie;
    atomic_fetch_add_explicit(&c->total_ns, ns, memory_order_relaxed);
    v = atomic_load_explicit(&c->max_ns, memory_order_relaxed);
    while (ns > v &&
           !atomic_compare_exchange_weak_explicit(
               &c->max_ns, &v, ns, memory_order_relaxed, memory_order_relaxed))
        ;
    v = atomic_load_explicit(&c->min_ns, memory_order_relaxed);
    while ((v == 0 || ns < v) &&
           !atomic_compare_exchange_weak_explicit(
               &c->min_ns, &v, ns, memory_order_relaxed, memory_order_relaxed))
        ;
}

#define STATS(name, NAME)                                                      \
    static int stats_##name##_cbk(                                             \
        gf_frame_t *frame, void *cookie, gf_xlator_t *self, int32_t op_ret,    \
        int32_t op_errno GF_FOP_CBKS_##name(GF_FOP_PARAM))                     \
    {                                                                          \
        account(self, GF_FOP_##NAME, cookie, op_ret);                          \
        gf_unwind_##name(frame, op_ret,                                        \
                         op_errno GF_FOP_CBKS_##name(GF_FOP_NAME));            \
        return 0;                                                              \
    }                                                                          \
                                                                               \
    static int stats_##name(                                                   \
        gf_frame_t *frame, gf_xlator_t *self GF_FOP_ARGS_##name(GF_FOP_PARAM)) \
    {                                                                          \
        gf_wind_##name(frame, gf_xlator_child(self, 0), stats_##name##_cbk,    \
                       wind_cookie(self) GF_FOP_ARGS_##name(GF_FOP_NAME));     \
        return 0;                                                              \
    }

/* clang-format off */
GF_FOP_LIST(STATS)
/* clang-format on */

#define STATS_SLOT(name, NAME) .name = stats_##name,
static const gf_xlator_fops_t stats_fops = {GF_FOP_LIST(STATS_SLOT)};

static const gf_option_t stats_options[] = {
    {.key = "latency-measurement",
     .type = GF_OPTION_BOOL,
     .default_value = "on",
     .description = "measure the latency of every fop",
     .flags = GF_OPTION_RECONFIGURABLE},
    {.key = "count-fop-hits",
     .type = GF_OPTION_BOOL,
     .default_value = "on",
     .description = "accepted for volfile compatibility; fops are always "
                    "counted",
     .flags = GF_OPTION_RECONFIGURABLE},
    {.key = NULL},
};

static int
stats_reconfigure(gf_xlator_t *self, const gf_option_set_t *options)
{
    stats_priv_t *priv = gf_xlator_private(self);
    bool on;
    int ret = gf_option_get_bool(options, "latency-measurement", &on);

    if (ret == 0)
        atomic_store(&priv->measure, on);
    return ret;
}

static int
stats_init(gf_xlator_t *self)
{
    stats_priv_t *priv;
    int ret;

    if (gf_xlator_nchildren(self) != 1) {
        gf_log(gf_xlator_name(self), GF_LOG_ERROR,
               "debug/io-stats needs exactly one subvolume, has %u",
               gf_xlator_nchildren(self));
        return -EINVAL;
    }
    priv = calloc(1, sizeof(*priv));
    if (!priv)
        return -ENOMEM;
    gf_xlator_set_private(self, priv);
    ret = stats_reconfigure(self, gf_xlator_options(self));
    if (ret < 0) {
        free(priv);
        gf_xlator_set_private(self, NULL);
    }
    return ret;
}

static void
stats_fini(gf_xlator_t *self)
{
    free(gf_xlator_private(self));
    gf_xlator_set_private(self, NULL);
}

static int
stats_dump(gf_xlator_t *self, FILE *out)
{
    stats_priv_t *priv = gf_xlator_private(self);
    char key[64];
    int fop;

    for (fop = GF_FOP_NULL + 1; fop < GF_FOP_MAX; fop++) {
        fop_counter_t *c = &priv->fops[fop];
        uint64_t n = atomic_load(&c->count);
        uint64_t total = atomic_load(&c->total_ns);

        if (!n)
            continue;
        snprintf(key, sizeof(key), "%s", gf_fop_name(fop));
        gf_xlator_dump(out, key,
                       "count=%" PRIu64 " errors=%" PRIu64
                       " avg_us=%.3f min_us=%.3f max_us=%.3f",
                       n, atomic_load(&c->errors), total / 1e3 / (double)n,
                       atomic_load(&c->min_ns) / 1e3,
                       atomic_load(&c->max_ns) / 1e3);
    }
    return 0;
}

static const gf_xlator_dumpops_t stats_dumpops = {.priv = stats_dump};

GF_XLATOR_DESCRIPTOR(debug_io_stats) = {
    .abi_major = GF_XLATOR_ABI_MAJOR,
    .abi_minor = GF_XLATOR_ABI_MINOR,
    .type = "debug/io-stats",
    .description = "count every fop and measure its latency",
    .options = stats_options,
    .init = stats_init,
    .fini = stats_fini,
    .reconfigure = stats_reconfigure,
    .fops = &stats_fops,
    .dumpops = &stats_dumpops,
};
