/* SPDX-License-Identifier: LGPL-3.0-or-later */
/*
 * example/hello - the plugin of xlators/README.md, built out of tree
 * against the installed headers and gf.pc only.
 *
 * It passes every fop on, except STAT, whose reply it rewrites: the size
 * becomes the option "size" (to show that options arrive validated and
 * typed) and the number of stats so far is logged.
 */
#include <errno.h>
#include <stdatomic.h>
#include <stdlib.h>

#include <gf/xlator.h>

struct hello {
    uint64_t size;
    atomic_uint stats;
};

static const gf_option_t hello_options[] = {
    {.key = "size",
     .type = GF_OPTION_SIZE,
     .default_value = "1KB",
     .description = "size that STAT reports"},
    {.key = NULL},
};

static int
hello_stat_cbk(gf_frame_t *frame, void *cookie, gf_xlator_t *self,
               int32_t op_ret, int32_t op_errno, gf_iatt_t *buf,
               gf_dict_t *xdata)
{
    struct hello *h = gf_xlator_private(self);

    if (op_ret == 0 && buf)
        buf->size = h->size;
    gf_unwind_stat(frame, op_ret, op_errno, buf, xdata);
    return 0;
}

static int
hello_stat(gf_frame_t *frame, gf_xlator_t *self, gf_loc_t *loc,
           gf_dict_t *xdata)
{
    struct hello *h = gf_xlator_private(self);

    gf_log(gf_xlator_name(self), GF_LOG_INFO, "hello, stat number %u",
           atomic_fetch_add(&h->stats, 1) + 1);
    gf_wind_stat(frame, gf_xlator_child(self, 0), hello_stat_cbk, NULL, loc,
                 xdata);
    return 0;
}

static int
hello_init(gf_xlator_t *self)
{
    struct hello *h;

    if (gf_xlator_nchildren(self) != 1)
        return -EINVAL;
    h = calloc(1, sizeof(*h));
    if (!h)
        return -ENOMEM;
    gf_option_get_size(gf_xlator_options(self), "size", &h->size);
    gf_xlator_set_private(self, h);
    gf_log(gf_xlator_name(self), GF_LOG_INFO, "hello ready, size %llu",
           (unsigned long long)h->size);
    return 0;
}

static void
hello_fini(gf_xlator_t *self)
{
    free(gf_xlator_private(self));
}

static const gf_xlator_fops_t hello_fops = {.stat = hello_stat};

GF_EXPORT const struct gf_xlator_api gf_xlator_api = {
    .abi_major = GF_XLATOR_ABI_MAJOR,
    .abi_minor = GF_XLATOR_ABI_MINOR,
    .type = "example/hello",
    .description = "rewrite the size that STAT reports",
    .options = hello_options,
    .init = hello_init,
    .fini = hello_fini,
    .fops = &hello_fops,
};
