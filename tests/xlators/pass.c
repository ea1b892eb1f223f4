/* SPDX-License-Identifier: LGPL-3.0-or-later */
/*
 * test/pass - a translator with no fops of its own: every fop is the
 * core's pass-through default. Used to build chains in tests and in the
 * wind benchmark.
 */
#include <gf/xlator.h>

static int
pass_init(gf_xlator_t *self)
{
    return 0;
}

GF_EXPORT const struct gf_xlator_api gf_xlator_api = {
    .abi_major = GF_XLATOR_ABI_MAJOR,
    .abi_minor = GF_XLATOR_ABI_MINOR,
    .type = "test/pass",
    .description = "pass every fop to the first child",
    .init = pass_init,
};
