/* SPDX-License-Identifier: LGPL-3.0-or-later */
/*
 * gf/gfid.h - GlusterFS file identifiers.
 *
 * A gfid is the 16-byte UUID that names a file or directory for its whole
 * life, whatever its path (storage/posix keeps it in the trusted.gfid xattr
 * and under .glusterfs/). The all-zero gfid means "none"; the brick root is
 * always 00000000-0000-0000-0000-000000000001. gf_gfid_t is a plain value
 * type: copy it, compare it with gf_gfid_cmp, put it in hash tables with
 * gf_gfid_hash. Every function here is thread-safe and allocation-free.
 */
#ifndef GF_GFID_H
#define GF_GFID_H

#include <stdbool.h>
#include <stdint.h>

#include <gf/common.h>

#ifdef __cplusplus
extern "C" {
#endif

typedef struct gf_gfid {
    unsigned char b[16];
} gf_gfid_t;

/* Size of the canonical text form, NUL included ("xxxxxxxx-xxxx-..."). */
enum { GF_GFID_STR_SIZE = 37 };

/* The null gfid (all zero) and the root gfid (...0001), as values. */
static inline gf_gfid_t
gf_gfid_null(void)
{
    gf_gfid_t g = {{0}};

    return g;
}

static inline gf_gfid_t
gf_gfid_root(void)
{
    gf_gfid_t g = {{0}};

    g.b[15] = 1;
    return g;
}

/*
 * Store a new random (version 4) gfid in OUT. Never null, never the root.
 * Returns 0, or -EINVAL if OUT is NULL.
 */
GF_EXPORT int gf_gfid_generate(gf_gfid_t *out);

/* True if G is all zero. A NULL G counts as null. */
GF_EXPORT bool gf_gfid_is_null(const gf_gfid_t *g);

/* True if G is the root gfid 00000000-0000-0000-0000-000000000001. */
GF_EXPORT bool gf_gfid_is_root(const gf_gfid_t *g);

/*
 * Parse STR, which must be exactly the 36-character canonical form
 * (8-4-4-4-12 hex digits, either case, nothing before or after), into OUT.
 * Returns 0, or -EINVAL (OUT untouched) for NULL arguments or any other
 * text: wrong length, misplaced or missing dashes, braces, "urn:uuid:",
 * whitespace, non-hex digits.
 */
GF_EXPORT int gf_gfid_parse(const char *str, gf_gfid_t *out);

/*
 * Write G in canonical lower-case form, NUL-terminated, into BUF, which
 * must hold GF_GFID_STR_SIZE bytes. Returns 0 or -EINVAL (NULL argument).
 */
GF_EXPORT int gf_gfid_unparse(const gf_gfid_t *g, char *buf);

/*
 * Order A and B bytewise (as memcmp: <0, 0, >0). NULL sorts before any
 * gfid and equals NULL.
 */
GF_EXPORT int gf_gfid_cmp(const gf_gfid_t *a, const gf_gfid_t *b);

/* True if A and B are the same gfid (two NULLs are equal). */
static inline bool
gf_gfid_equal(const gf_gfid_t *a, const gf_gfid_t *b)
{
    return gf_gfid_cmp(a, b) == 0;
}

/*
 * A well-mixed 64-bit hash of G for hash tables: every bit of G affects
 * every bit of the result, so sequential or hand-made gfids (the root,
 * tests) spread as well as random ones. Take the low bits for a
 * power-of-two table. A NULL G hashes as the null gfid.
 */
GF_EXPORT uint64_t gf_gfid_hash(const gf_gfid_t *g);

#ifdef __cplusplus
}
#endif

#endif /* GF_GFID_H */
