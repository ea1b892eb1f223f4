/* SPDX-License-Identifier: LGPL-3.0-or-later */
/*
 * gfid.c - generate, parse, print, compare and hash gfids.
 *
 * Generation is libuuid's random (version 4) UUID, so a new gfid can never
 * be the null or the root gfid (the version nibble is 4). Parsing is done
 * here rather than with uuid_parse: the wire and the on-disk handle names
 * only ever carry the canonical 36-character form, and a strict parser
 * (no locale-dependent isxdigit, no surrounding text) keeps a malformed
 * handle name or volfile value from silently meaning some other gfid.
 */
#include <errno.h>
#include <string.h>

#include <uuid.h>

#include <gf/gfid.h>

GF_EXPORT int
gf_gfid_generate(gf_gfid_t *out)
{
    if (!out)
        return -EINVAL;
    _Static_assert(sizeof(out->b) == sizeof(uuid_t), "gfid is a uuid");
    uuid_generate_random(out->b);
    return 0;
}

GF_EXPORT bool
gf_gfid_is_null(const gf_gfid_t *g)
{
    static const gf_gfid_t zero;

    return !g || memcmp(g->b, zero.b, sizeof(g->b)) == 0;
}

GF_EXPORT bool
gf_gfid_is_root(const gf_gfid_t *g)
{
    gf_gfid_t root = gf_gfid_root();

    return g && memcmp(g->b, root.b, sizeof(g->b)) == 0;
}

static int
hexval(char c)
{
    if (c >= '0' && c <= '9')
        return c - '0';
    if (c >= 'a' && c <= 'f')
        return c - 'a' + 10;
    if (c >= 'A' && c <= 'F')
        return c - 'A' + 10;
    return -1;
}

/* Dashes sit before the 4th, 6th, 8th and 10th byte: 8-4-4-4-12 digits. */
static bool
dash_before(unsigned byte)
{
    return byte == 4 || byte == 6 || byte == 8 || byte == 10;
}

GF_EXPORT int
gf_gfid_parse(const char *str, gf_gfid_t *out)
{
    gf_gfid_t g;
    const char *p = str;

    if (!str || !out)
        return -EINVAL;
    for (unsigned i = 0; i < sizeof(g.b); i++) {
        int hi, lo;

        if (dash_before(i) && *p++ != '-')
            return -EINVAL;
        /* Reading p[1] is safe: p[0] is a hex digit, so not the NUL. */
        hi = hexval(p[0]);
        if (hi < 0)
            return -EINVAL;
        lo = hexval(p[1]);
        if (lo < 0)
            return -EINVAL;
        g.b[i] = (unsigned char)(hi << 4 | lo);
        p += 2;
    }
    if (*p != '\0')
        return -EINVAL;
    *out = g;
    return 0;
}

GF_EXPORT int
gf_gfid_unparse(const gf_gfid_t *g, char *buf)
{
    static const char digits[] = "0123456789abcdef";
    char *p = buf;

    if (!g || !buf)
        return -EINVAL;
    for (unsigned i = 0; i < sizeof(g->b); i++) {
        if (dash_before(i))
            *p++ = '-';
        *p++ = digits[g->b[i] >> 4];
        *p++ = digits[g->b[i] & 0xf];
    }
    *p = '\0';
    return 0;
}

GF_EXPORT int
gf_gfid_cmp(const gf_gfid_t *a, const gf_gfid_t *b)
{
    if (!a || !b)
        return (a != NULL) - (b != NULL);
    return memcmp(a->b, b->b, sizeof(a->b));
}

/* The 64-bit finalizer of MurmurHash3: a full avalanche in 5 steps. */
static inline uint64_t
fmix64(uint64_t k)
{
    k ^= k >> 33;
    k *= UINT64_C(0xff51afd7ed558ccd);
    k ^= k >> 33;
    k *= UINT64_C(0xc4ceb9fe1a85ec53);
    k ^= k >> 33;
    return k;
}

GF_EXPORT uint64_t
gf_gfid_hash(const gf_gfid_t *g)
{
    static const gf_gfid_t zero;
    uint64_t lo, hi;

    if (!g)
        g = &zero;
    memcpy(&hi, g->b, sizeof(hi));
    memcpy(&lo, g->b + 8, sizeof(lo));
    /* Mix the halves asymmetrically so that swapping them changes the
     * hash, then avalanche. */
    return fmix64(lo ^ fmix64(hi + UINT64_C(0x9e3779b97f4a7c15)));
}
