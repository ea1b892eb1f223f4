/* SPDX-License-Identifier: LGPL-3.0-or-later */
/*
 * fuzz-volfile.c - libFuzzer target for the volfile parser.
 *
 * Every input is parsed as a volfile. A success must satisfy the
 * description's invariants (subvolumes point backwards, names resolve to
 * themselves, the file equals itself in topology) and survive overrides,
 * one of them built from the input's tail; a failure must leave *out NULL
 * and a positioned, formattable error. Anything else traps.
 *
 * Built by the build system when configured for fuzzing:
 *
 *   ./configure CC=clang --enable-fuzzing && make fuzz
 *
 * Seed a corpus with a few volfiles (e.g. the brick and client volfiles
 * of tests/unit/check-volfile.c) and give libFuzzer the keywords in a
 * dictionary file /tmp/vf.dict holding one quoted token per line:
 * "volume" "type" "option" "subvolumes" "end-volume" "#" "\"" "\\" "\x0d"
 * "storage/posix". Then:
 *
 *   mkdir -p /tmp/vf-corpus   # and copy the seed volfiles into it
 *   tests/fuzz/fuzz-volfile -dict=/tmp/vf.dict -max_len=4096 \
 *       -max_total_time=300 /tmp/vf-corpus
 */
#include <errno.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include <gf/volfile.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static void
check(int cond)
{
    if (!cond)
        __builtin_trap();
}

static void
walk(gf_volfile_t *vf)
{
    size_t n = gf_volfile_count(vf);

    check(n >= 1 && gf_volfile_top(vf) == (int)n - 1);
    for (size_t v = 0; v < n; v++) {
        const char *name = gf_volfile_name(vf, v);
        const char *type = gf_volfile_type(vf, v);

        check(name && *name && type && strchr(type, '/'));
        check(gf_volfile_find(vf, name) == (int)v);
        check(gf_volfile_pos(vf, v).line >= 1);
        for (size_t i = 0; i < gf_volfile_nsubvols(vf, v); i++) {
            int s = gf_volfile_subvol(vf, v, i);

            check(s >= 0 && (size_t)s < v);
        }
        for (size_t i = 0; i < gf_volfile_noptions(vf, v); i++) {
            const gf_volfile_option_t *o = gf_volfile_option(vf, v, i);

            check(o && o->key && o->value);
            check(gf_volfile_option_find(vf, v, o->key) == o);
        }
    }
    check(gf_volfile_same_topology(vf, vf) == 1);
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    gf_volfile_error_t err;
    gf_volfile_t *vf = (gf_volfile_t *)&err;
    char spec[65], line[600];
    size_t n = size < 64 ? size : 64;
    int r = gf_volfile_parse((const char *)data, size, "fuzz.vol", &vf, &err);

    if (r < 0) {
        check(vf == NULL);
        check(r == -EINVAL || r == -E2BIG || r == -EFBIG || r == -ENOMEM);
        check(err.message[0] != '\0');
        check(gf_volfile_error_format(&err, line, sizeof(line)) > 0);
        return 0;
    }
    walk(vf);
    check(gf_volfile_override(vf, "*.fuzz=1") == 0);
    memcpy(spec, data + size - n, n);
    spec[n] = '\0';
    r = gf_volfile_override(vf, spec);
    check(r == 0 || r == -EINVAL || r == -ENOENT || r == -ENOMEM);
    walk(vf);
    gf_volfile_free(vf);
    return 0;
}
