/* SPDX-License-Identifier: LGPL-3.0-or-later */
/*
 * fuzz-dict.c - libFuzzer target for both dict decoders.
 *
 * The input goes to the old-form decoder and the gfx_dict decoder. Any
 * dict that decodes is re-encoded in both forms and decoded again: the
 * gfx round trip must give the same encoding, the old one the same count.
 * Built by the build system when configured for fuzzing:
 *   ./configure CC=clang --enable-fuzzing && make fuzz
 *   tests/fuzz/fuzz-dict -max_len=4096 -max_total_time=60 CORPUS_DIR
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <gf/dict.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static void
check_gfx_roundtrip(const gf_dict_t *d)
{
    size_t n = gf_dict_gfx_size(d), used = 0;
    unsigned char *a = malloc(n), *b = malloc(n);
    gf_dict_t *r = NULL;

    if (!a || !b)
        abort();
    if (gf_dict_gfx_encode(d, a, n, &used) || used != n)
        abort();
    if (gf_dict_gfx_decode(a, n, &r, &used) || used != n)
        abort();
    if (gf_dict_gfx_encode(r, b, n, NULL) || memcmp(a, b, n))
        abort();
    gf_dict_unref(r);
    free(a);
    free(b);
}

static void
check_old_roundtrip(const gf_dict_t *d)
{
    ssize_t n = gf_dict_old_size(d);
    unsigned char *a;
    gf_dict_t *r = NULL;

    if (n < 4)
        abort();
    a = malloc((size_t)n);
    if (!a)
        abort();
    if (gf_dict_old_encode(d, a, (size_t)n))
        abort();
    if (gf_dict_old_decode(a, (size_t)n, &r) ||
        gf_dict_count(r) != gf_dict_count(d))
        abort();
    gf_dict_unref(r);
    free(a);
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    gf_dict_t *d = NULL;
    size_t used = 0;

    if (gf_dict_old_decode(data, size, &d) == 0) {
        check_gfx_roundtrip(d);
        check_old_roundtrip(d);
        gf_dict_unref(d);
    }
    d = NULL;
    if (gf_dict_gfx_decode(data, size, &d, &used) == 0) {
        if (used > size || used % 4)
            abort();
        if (d) {
            check_gfx_roundtrip(d);
            check_old_roundtrip(d);
            gf_dict_unref(d);
        }
    }
    return 0;
}
