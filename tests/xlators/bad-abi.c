/* SPDX-License-Identifier: LGPL-3.0-or-later */
/* test/bad-abi - claims a future ABI major: the loader must refuse it. */
#include <gf/xlator.h>

static int
bad_init(gf_xlator_t *self)
{
    return 0;
}

GF_EXPORT const struct gf_xlator_api gf_xlator_api = {
    .abi_major = GF_XLATOR_ABI_MAJOR + 1,
    .abi_minor = 0,
    .type = "test/bad-abi",
    .init = bad_init,
};
