/* SPDX-License-Identifier: LGPL-3.0-or-later */
/*
 * check-dict.c - the dictionary and both of its wire forms.
 *
 * The byte-exact vectors are the words tshark printed for a stock
 * GlusterFS 10.3 client and brick (shared/reference/wire-sequence.txt):
 * the SETVOLUME call and reply (old form) and LOOKUP xdata (gfx_dict).
 * The decoders are fed every truncation of valid encodings, hand-made
 * hostile headers and seeded random mutations; run this suite under the
 * sanitizer build and valgrind to see that none of it overreads or leaks.
 */
#include <errno.h>
#include <math.h>
#include <pthread.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <gf/dict.h>

#include "gf-test.h"

/* ---- helpers ---------------------------------------------------------- */

/* Parse hex words as tshark prints them ("80000214 00000003 ...") into OUT;
 * returns the byte count. */
static size_t
unhex(const char *const *lines, size_t nlines, unsigned char *out)
{
    size_t n = 0;

    for (size_t i = 0; i < nlines; i++) {
        for (const char *s = lines[i]; *s;) {
            unsigned v;

            if (*s == ' ') {
                s++;
                continue;
            }
            ck_assert_int_eq(sscanf(s, "%2x", &v), 1);
            out[n++] = (unsigned char)v;
            s += 2;
        }
    }
    return n;
}

static uint32_t
be32(const unsigned char *p)
{
    return (uint32_t)p[0] << 24 | (uint32_t)p[1] << 16 | (uint32_t)p[2] << 8 |
           p[3];
}

static void
put_be32(unsigned char *p, uint32_t v)
{
    p[0] = (unsigned char)(v >> 24);
    p[1] = (unsigned char)(v >> 16);
    p[2] = (unsigned char)(v >> 8);
    p[3] = (unsigned char)v;
}

/* A sentinel that no decoder may overwrite on error. */
static gf_dict_t *const UNTOUCHED = (gf_dict_t *)(uintptr_t)0x5a5a5a5a;

static const unsigned char uuid_a[16] = {
    0x0d, 0x8c, 0x2f, 0x16, 0x67, 0xb6, 0x47, 0xda,
    0xbd, 0xde, 0x16, 0x10, 0x4f, 0x52, 0xe9, 0x0a,
};

/* A dict with one value of every storable type. */
static gf_dict_t *
every_type(void)
{
    gf_dict_t *d = gf_dict_new();
    unsigned char iatt[GF_DICT_IATT_SIZE], mdata[GF_DICT_MDATA_SIZE];
    const unsigned char bin[5] = {0, 1, 0xff, 0, 7};

    for (size_t i = 0; i < sizeof(iatt); i++)
        iatt[i] = (unsigned char)(i * 7 + 1);
    for (size_t i = 0; i < sizeof(mdata); i++)
        mdata[i] = (unsigned char)(0xa0 + i);
    ck_assert_ptr_nonnull(d);
    ck_assert_int_eq(gf_dict_set_str(d, "str", "hello"), 0);
    ck_assert_int_eq(gf_dict_set_str(d, "empty-str", ""), 0);
    ck_assert_int_eq(gf_dict_set_int64(d, "int", -1234567890123LL), 0);
    ck_assert_int_eq(gf_dict_set_int64(d, "int-min", INT64_MIN), 0);
    ck_assert_int_eq(gf_dict_set_uint64(d, "uint", UINT64_MAX), 0);
    ck_assert_int_eq(gf_dict_set_double(d, "double", -0.1), 0);
    ck_assert_int_eq(gf_dict_set_uuid(d, "gfid-req", uuid_a), 0);
    ck_assert_int_eq(gf_dict_set_bin(d, "bin", bin, sizeof(bin)), 0);
    ck_assert_int_eq(gf_dict_set_bin(d, "bin0", NULL, 0), 0);
    ck_assert_int_eq(
        gf_dict_set_typed(d, "iatt", GF_DICT_IATT, iatt, sizeof(iatt)), 0);
    ck_assert_int_eq(
        gf_dict_set_typed(d, "mdata", GF_DICT_MDATA, mdata, sizeof(mdata)), 0);
    ck_assert_int_eq(gf_dict_set_typed(d, "old", GF_DICT_STR_OLD, "42", 3), 0);
    return d;
}

/* Every value of A equals B's (type, number or bytes), same key order. */
struct cmp_ctx {
    const gf_dict_t *other;
    unsigned seen;
};

static int
cmp_cb(const char *key, const gf_dict_val_t *v, void *arg)
{
    struct cmp_ctx *c = arg;
    gf_dict_val_t w;

    ck_assert_int_eq(gf_dict_get_val(c->other, key, &w), 0);
    ck_assert_int_eq(v->type, w.type);
    ck_assert_uint_eq(v->len, w.len);
    if (v->data)
        ck_assert_mem_eq(v->data, w.data, v->len);
    else
        ck_assert_uint_eq(v->num.u, w.num.u);
    c->seen++;
    return 0;
}

static void
assert_same(const gf_dict_t *a, const gf_dict_t *b)
{
    struct cmp_ctx c = {b, 0};

    ck_assert_uint_eq(gf_dict_count(a), gf_dict_count(b));
    ck_assert_int_eq(gf_dict_foreach(a, cmp_cb, &c), 0);
    ck_assert_uint_eq(c.seen, gf_dict_count(a));
}

/* ---- the bag ------------------------------------------------------------ */

START_TEST(new_ref_unref)
{
    gf_dict_t *d = gf_dict_new();

    ck_assert_ptr_nonnull(d);
    ck_assert_uint_eq(gf_dict_count(d), 0);
    ck_assert_ptr_eq(gf_dict_ref(d), d);
    ck_assert_int_eq(gf_dict_set_int64(d, "k", 1), 0);
    gf_dict_unref(d);
    /* Still alive: the second reference holds it. */
    ck_assert_uint_eq(gf_dict_count(d), 1);
    gf_dict_unref(d);
    ck_assert_ptr_null(gf_dict_ref(NULL));
    gf_dict_unref(NULL);
    ck_assert_uint_eq(gf_dict_count(NULL), 0);
}
END_TEST

START_TEST(set_get_every_type)
{
    gf_dict_t *d = every_type();
    const char *s;
    int64_t i;
    uint64_t u;
    double x;
    unsigned char uu[16];
    const void *p;
    size_t len;
    gf_dict_val_t v;

    ck_assert_uint_eq(gf_dict_count(d), 12);
    ck_assert_int_eq(gf_dict_get_str(d, "str", &s), 0);
    ck_assert_str_eq(s, "hello");
    ck_assert_int_eq(gf_dict_get_str(d, "empty-str", &s), 0);
    ck_assert_str_eq(s, "");
    ck_assert_int_eq(gf_dict_get_int64(d, "int", &i), 0);
    ck_assert_int_eq(i, -1234567890123LL);
    ck_assert_int_eq(gf_dict_get_int64(d, "int-min", &i), 0);
    ck_assert(i == INT64_MIN);
    ck_assert_int_eq(gf_dict_get_uint64(d, "uint", &u), 0);
    ck_assert(u == UINT64_MAX);
    ck_assert_int_eq(gf_dict_get_double(d, "double", &x), 0);
    ck_assert(x == -0.1);
    ck_assert_int_eq(gf_dict_get_uuid(d, "gfid-req", uu), 0);
    ck_assert_mem_eq(uu, uuid_a, 16);
    ck_assert_int_eq(gf_dict_get_bin(d, "bin", &p, &len), 0);
    ck_assert_uint_eq(len, 5);
    ck_assert_mem_eq(p, "\0\1\377\0\7", 5);
    ck_assert_int_eq(gf_dict_get_bin(d, "bin0", &p, &len), 0);
    ck_assert_uint_eq(len, 0);
    ck_assert_int_eq(gf_dict_get_val(d, "iatt", &v), 0);
    ck_assert_int_eq(v.type, GF_DICT_IATT);
    ck_assert_uint_eq(v.len, GF_DICT_IATT_SIZE);
    ck_assert_uint_eq(((const unsigned char *)v.data)[147],
                      (147 * 7 + 1) & 0xff);
    ck_assert_int_eq(gf_dict_get_val(d, "mdata", &v), 0);
    ck_assert_int_eq(v.type, GF_DICT_MDATA);
    ck_assert_uint_eq(v.len, GF_DICT_MDATA_SIZE);
    /* STR stores and reports its NUL, as on the wire. */
    ck_assert_int_eq(gf_dict_get_val(d, "str", &v), 0);
    ck_assert_int_eq(v.type, GF_DICT_STR);
    ck_assert_uint_eq(v.len, 6);
    ck_assert_int_eq(gf_dict_get_val(d, "int", &v), 0);
    ck_assert_int_eq(v.type, GF_DICT_INT);
    ck_assert_ptr_null(v.data);
    ck_assert_int_eq(gf_dict_get_val(d, "old", NULL), 0);
    ck_assert_int_eq(gf_dict_get_val(d, "nope", NULL), -ENOENT);
    gf_dict_unref(d);
}
END_TEST

START_TEST(wrong_type_missing_and_null)
{
    gf_dict_t *d = every_type();
    const char *s = "untouched";
    int64_t i = 77;
    double x = 1.0;
    unsigned char uu[16] = {0};
    const void *p;
    size_t len;

    ck_assert_int_eq(gf_dict_get_str(d, "int", &s), -EINVAL);
    ck_assert_str_eq(s, "untouched");
    ck_assert_int_eq(gf_dict_get_int64(d, "str", &i), -EINVAL);
    ck_assert_int_eq(gf_dict_get_int64(d, "double", &i), -EINVAL);
    ck_assert_int_eq(i, 77);
    ck_assert_int_eq(gf_dict_get_double(d, "int", &x), -EINVAL);
    ck_assert_int_eq(gf_dict_get_uuid(d, "bin", uu), -EINVAL);
    ck_assert_int_eq(gf_dict_get_bin(d, "uint", &p, &len), -EINVAL);
    ck_assert_int_eq(gf_dict_get_int64(d, "missing", &i), -ENOENT);
    ck_assert_int_eq(gf_dict_get_str(d, "missing", &s), -ENOENT);
    ck_assert_int_eq(gf_dict_get_int64(NULL, "int", &i), -EINVAL);
    ck_assert_int_eq(gf_dict_get_int64(d, NULL, &i), -EINVAL);
    ck_assert_int_eq(gf_dict_get_int64(d, "int", NULL), -EINVAL);
    ck_assert_int_eq(gf_dict_get_bin(d, "bin", NULL, &len), -EINVAL);
    ck_assert_int_eq(gf_dict_set_str(NULL, "k", "v"), -EINVAL);
    ck_assert_int_eq(gf_dict_set_str(d, NULL, "v"), -EINVAL);
    ck_assert_int_eq(gf_dict_set_str(d, "k", NULL), -EINVAL);
    ck_assert_int_eq(gf_dict_set_uuid(d, "k", NULL), -EINVAL);
    ck_assert_int_eq(gf_dict_set_bin(d, "k", NULL, 3), -EINVAL);
    ck_assert_int_eq(gf_dict_set_typed(d, "k", GF_DICT_INT, "1", 2), -EINVAL);
    ck_assert_int_eq(gf_dict_set_typed(d, "k", GF_DICT_UNKNOWN, "1", 2),
                     -EINVAL);
    ck_assert_int_eq(gf_dict_set_typed(d, "k", (gf_dict_type_t)10, "1", 2),
                     -EINVAL);
    ck_assert_int_eq(gf_dict_set_typed(d, "k", GF_DICT_GFUUID, uuid_a, 15),
                     -EINVAL);
    ck_assert_int_eq(gf_dict_set_typed(d, "k", GF_DICT_IATT, uuid_a, 16),
                     -EINVAL);
    ck_assert_int_eq(gf_dict_del(d, NULL), -EINVAL);
    ck_assert_int_eq(gf_dict_del(NULL, "k"), -EINVAL);
    ck_assert_int_eq(gf_dict_foreach(d, NULL, NULL), -EINVAL);
    ck_assert_uint_eq(gf_dict_count(d), 12); /* nothing above changed it */
    gf_dict_unref(d);
}
END_TEST

START_TEST(key_and_value_limits)
{
    gf_dict_t *d = gf_dict_new();
    size_t max = GF_DICT_KEY_VALUE_MAX;
    char *big = malloc(max + 1);
    const char *s;

    ck_assert_ptr_nonnull(big);
    memset(big, 'k', max);
    big[max] = '\0';
    ck_assert_int_eq(gf_dict_set_int64(d, "", 1), -EINVAL);
    ck_assert_int_eq(gf_dict_set_int64(d, big, 1), -EMSGSIZE);
    ck_assert_int_eq(gf_dict_set_str(d, "v", big), -EMSGSIZE);
    ck_assert_int_eq(gf_dict_set_bin(d, "v", big, max), -EMSGSIZE);
    ck_assert_uint_eq(gf_dict_count(d), 0);
    /* Just under the limit is fine, and is a heap (not inline) value. */
    big[max - 2] = '\0';
    ck_assert_int_eq(gf_dict_set_str(d, "v", big), 0);
    ck_assert_int_eq(gf_dict_get_str(d, "v", &s), 0);
    ck_assert_uint_eq(strlen(s), max - 2);
    big[max - 2] = 'k';
    big[max - 1] = '\0';
    ck_assert_int_eq(gf_dict_set_int64(d, big, 5), 0);
    ck_assert_int_eq(gf_dict_get_val(d, big, NULL), 0);
    ck_assert_uint_eq(gf_dict_count(d), 2);
    free(big);
    gf_dict_unref(d);
}
END_TEST

struct order_ctx {
    const char *const *keys;
    unsigned n;
    int stop_at;
};

static int
order_cb(const char *key, const gf_dict_val_t *v, void *arg)
{
    struct order_ctx *c = arg;

    (void)v;
    ck_assert_str_eq(key, c->keys[c->n]);
    c->n++;
    return (int)c->n == c->stop_at ? 7 : 0;
}

START_TEST(replace_keeps_place)
{
    gf_dict_t *d = gf_dict_new();
    const char *const keys[] = {"a", "b", "c"};
    struct order_ctx c = {keys, 0, -1};
    const char *s;
    int64_t i;

    ck_assert_int_eq(gf_dict_set_int64(d, "a", 1), 0);
    ck_assert_int_eq(gf_dict_set_int64(d, "b", 2), 0);
    ck_assert_int_eq(gf_dict_set_int64(d, "c", 3), 0);
    ck_assert_int_eq(gf_dict_set_str(d, "b", "now a string"), 0);
    ck_assert_uint_eq(gf_dict_count(d), 3);
    ck_assert_int_eq(gf_dict_get_int64(d, "b", &i), -EINVAL);
    ck_assert_int_eq(gf_dict_get_str(d, "b", &s), 0);
    ck_assert_str_eq(s, "now a string");
    ck_assert_int_eq(gf_dict_foreach(d, order_cb, &c), 0);
    ck_assert_uint_eq(c.n, 3);
    /* A non-zero return stops the walk and is passed back. */
    c.n = 0;
    c.stop_at = 2;
    ck_assert_int_eq(gf_dict_foreach(d, order_cb, &c), 7);
    ck_assert_uint_eq(c.n, 2);
    gf_dict_unref(d);
}
END_TEST

START_TEST(del_pairs)
{
    gf_dict_t *d = gf_dict_new();
    const char *const keys[] = {"a", "c", "b"};
    struct order_ctx c = {keys, 0, -1};

    ck_assert_int_eq(gf_dict_set_int64(d, "a", 1), 0);
    ck_assert_int_eq(gf_dict_set_int64(d, "b", 2), 0);
    ck_assert_int_eq(gf_dict_set_int64(d, "c", 3), 0);
    ck_assert_int_eq(gf_dict_del(d, "b"), 0);
    ck_assert_int_eq(gf_dict_del(d, "b"), -ENOENT);
    ck_assert_int_eq(gf_dict_get_val(d, "b", NULL), -ENOENT);
    ck_assert_uint_eq(gf_dict_count(d), 2);
    ck_assert_int_eq(gf_dict_set_int64(d, "b", 4), 0); /* now last */
    ck_assert_int_eq(gf_dict_foreach(d, order_cb, &c), 0);
    ck_assert_uint_eq(c.n, 3);
    ck_assert_int_eq(gf_dict_del(d, "a"), 0); /* head */
    ck_assert_int_eq(gf_dict_del(d, "b"), 0); /* tail */
    ck_assert_int_eq(gf_dict_del(d, "c"), 0);
    ck_assert_uint_eq(gf_dict_count(d), 0);
    ck_assert_int_eq(gf_dict_set_int64(d, "x", 9), 0);
    ck_assert_uint_eq(gf_dict_count(d), 1);
    gf_dict_unref(d);
}
END_TEST

/* Enough keys to build and regrow the hash index; with a quadratic lookup
 * this would take minutes, the timeout catches that. */
START_TEST(big_dict_indexed)
{
    enum { N = 50000 };
    gf_dict_t *d = gf_dict_new();
    char key[32];
    int64_t v;

    for (int i = 0; i < N; i++) {
        snprintf(key, sizeof(key), "key-%d", i);
        ck_assert_int_eq(gf_dict_set_int64(d, key, i), 0);
    }
    ck_assert_uint_eq(gf_dict_count(d), N);
    for (int i = 0; i < N; i += 2) {
        snprintf(key, sizeof(key), "key-%d", i);
        ck_assert_int_eq(gf_dict_del(d, key), 0);
    }
    for (int i = 1; i < N; i += 2) { /* replace through the index */
        snprintf(key, sizeof(key), "key-%d", i);
        ck_assert_int_eq(gf_dict_set_int64(d, key, -i), 0);
    }
    ck_assert_uint_eq(gf_dict_count(d), N / 2);
    for (int i = 0; i < N; i++) {
        snprintf(key, sizeof(key), "key-%d", i);
        if (i % 2) {
            ck_assert_int_eq(gf_dict_get_int64(d, key, &v), 0);
            ck_assert_int_eq(v, -i);
        } else {
            ck_assert_int_eq(gf_dict_get_int64(d, key, &v), -ENOENT);
        }
    }
    gf_dict_unref(d);
}
END_TEST

START_TEST(copy_is_deep)
{
    gf_dict_t *d = every_type(), *c = gf_dict_copy(d);
    const char *s;

    ck_assert_ptr_nonnull(c);
    ck_assert_ptr_ne(c, d);
    assert_same(d, c);
    ck_assert_int_eq(gf_dict_set_str(d, "str", "changed"), 0);
    ck_assert_int_eq(gf_dict_del(d, "int"), 0);
    ck_assert_int_eq(gf_dict_get_str(c, "str", &s), 0);
    ck_assert_str_eq(s, "hello");
    ck_assert_int_eq(gf_dict_get_val(c, "int", NULL), 0);
    gf_dict_unref(d);
    ck_assert_uint_eq(gf_dict_count(c), 12);
    gf_dict_unref(c);
    ck_assert_ptr_null(gf_dict_copy(NULL));
}
END_TEST

/* An old-form text value with its NUL, as the old decoder makes them. */
static void
set_old(gf_dict_t *d, const char *key, const char *text)
{
    ck_assert_int_eq(
        gf_dict_set_typed(d, key, GF_DICT_STR_OLD, text, strlen(text) + 1), 0);
}

START_TEST(str_old_parsing)
{
    gf_dict_t *d = gf_dict_new();
    int64_t i = 0;
    uint64_t u = 0;
    int32_t i32 = 0;
    uint32_t u32 = 0;
    double x = 0;
    unsigned char uu[16];
    const char *s;

    set_old(d, "dec", "100000");
    set_old(d, "hex", "0x10");
    set_old(d, "oct", "010");
    set_old(d, "neg", "-5");
    set_old(d, "junk", "12abc");
    set_old(d, "word", "abc");
    set_old(d, "empty", "");
    set_old(d, "huge", "99999999999999999999");
    set_old(d, "big32", "4294967296");
    set_old(d, "dbl", "2.5");
    set_old(d, "uuid", "0d8c2f16-67b6-47da-bdde-16104f52e90a");
    set_old(d, "baduuid", "0d8c2f16-67b6-47da-bdde-16104f52e90g");
    ck_assert_int_eq(
        gf_dict_set_typed(d, "rawuuid", GF_DICT_STR_OLD, uuid_a, 16), 0);
    ck_assert_int_eq(gf_dict_get_int64(d, "dec", &i), 0);
    ck_assert_int_eq(i, 100000);
    ck_assert_int_eq(gf_dict_get_uint32(d, "hex", &u32), 0);
    ck_assert_uint_eq(u32, 16);
    ck_assert_int_eq(gf_dict_get_int32(d, "oct", &i32), 0);
    ck_assert_int_eq(i32, 8);
    ck_assert_int_eq(gf_dict_get_int32(d, "neg", &i32), 0);
    ck_assert_int_eq(i32, -5);
    ck_assert_int_eq(gf_dict_get_uint64(d, "neg", &u), -EINVAL);
    ck_assert_int_eq(gf_dict_get_int64(d, "junk", &i), -EINVAL);
    ck_assert_int_eq(gf_dict_get_int64(d, "word", &i), -EINVAL);
    ck_assert_int_eq(gf_dict_get_int64(d, "empty", &i), -EINVAL);
    ck_assert_int_eq(gf_dict_get_int64(d, "huge", &i), -ERANGE);
    ck_assert_int_eq(gf_dict_get_uint64(d, "huge", &u), -ERANGE);
    ck_assert_int_eq(gf_dict_get_uint32(d, "big32", &u32), -ERANGE);
    ck_assert_int_eq(gf_dict_get_uint64(d, "big32", &u), 0);
    ck_assert(u == 4294967296ULL);
    ck_assert_int_eq(gf_dict_get_double(d, "dbl", &x), 0);
    ck_assert(x == 2.5);
    ck_assert_int_eq(gf_dict_get_double(d, "junk", &x), -EINVAL);
    ck_assert_int_eq(gf_dict_get_uuid(d, "uuid", uu), 0);
    ck_assert_mem_eq(uu, uuid_a, 16);
    memset(uu, 0, sizeof(uu));
    ck_assert_int_eq(gf_dict_get_uuid(d, "rawuuid", uu), 0);
    ck_assert_mem_eq(uu, uuid_a, 16);
    ck_assert_int_eq(gf_dict_get_uuid(d, "baduuid", uu), -EINVAL);
    ck_assert_int_eq(gf_dict_get_uuid(d, "dec", uu), -EINVAL);
    ck_assert_int_eq(gf_dict_get_str(d, "uuid", &s), 0);
    ck_assert_str_eq(s, "0d8c2f16-67b6-47da-bdde-16104f52e90a");
    gf_dict_unref(d);
}
END_TEST

START_TEST(int_cross_types)
{
    gf_dict_t *d = gf_dict_new();
    int64_t i;
    uint64_t u;
    int32_t i32;
    uint32_t u32;

    ck_assert_int_eq(gf_dict_set_uint64(d, "big", (uint64_t)INT64_MAX + 1), 0);
    ck_assert_int_eq(gf_dict_set_uint64(d, "small", 7), 0);
    ck_assert_int_eq(gf_dict_set_int64(d, "neg", -1), 0);
    ck_assert_int_eq(gf_dict_set_int64(d, "wide", (int64_t)INT32_MAX + 1), 0);
    ck_assert_int_eq(gf_dict_get_int64(d, "big", &i), -ERANGE);
    ck_assert_int_eq(gf_dict_get_int64(d, "small", &i), 0);
    ck_assert_int_eq(i, 7);
    ck_assert_int_eq(gf_dict_get_uint64(d, "neg", &u), -ERANGE);
    ck_assert_int_eq(gf_dict_get_uint32(d, "neg", &u32), -ERANGE);
    ck_assert_int_eq(gf_dict_get_int32(d, "neg", &i32), 0);
    ck_assert_int_eq(i32, -1);
    ck_assert_int_eq(gf_dict_get_int32(d, "wide", &i32), -ERANGE);
    ck_assert_int_eq(gf_dict_get_uint32(d, "wide", &u32), 0);
    ck_assert_uint_eq(u32, (uint32_t)INT32_MAX + 1);
    gf_dict_unref(d);
}
END_TEST

/* Two readers share one dict, each taking and dropping references; the
 * reads must stay correct and the counting exact (the main thread's
 * reference is the last, so the dict must still be intact after). */
struct share_ctx {
    gf_dict_t *d;
    int bad;
};

static void *
reader(void *arg)
{
    struct share_ctx *c = arg;
    const char *s;
    int64_t v;

    for (int i = 0; i < 100000; i++) {
        gf_dict_t *d = gf_dict_ref(c->d);

        if (gf_dict_get_int64(d, "n", &v) || v != 42 ||
            gf_dict_get_str(d, "s", &s) || strcmp(s, "shared"))
            c->bad++;
        gf_dict_unref(d);
    }
    return NULL;
}

START_TEST(shared_readers)
{
    struct share_ctx c[4];
    pthread_t t[4];
    gf_dict_t *d = gf_dict_new();
    int64_t v;

    ck_assert_int_eq(gf_dict_set_int64(d, "n", 42), 0);
    ck_assert_int_eq(gf_dict_set_str(d, "s", "shared"), 0);
    for (int i = 0; i < 4; i++) {
        c[i].d = d;
        c[i].bad = 0;
        ck_assert_int_eq(pthread_create(&t[i], NULL, reader, &c[i]), 0);
    }
    for (int i = 0; i < 4; i++) {
        ck_assert_int_eq(pthread_join(t[i], NULL), 0);
        ck_assert_int_eq(c[i].bad, 0);
    }
    ck_assert_int_eq(gf_dict_get_int64(d, "n", &v), 0);
    ck_assert_int_eq(v, 42);
    gf_dict_unref(d);
}
END_TEST

/* ---- old byte form ------------------------------------------------------ */

/* SETVOLUME call, frame 8: the dict opaque is 447 bytes at 0x58. */
static const char *const setvol_call_frame[] = {
    "80000214 00000003 00000000 00000002",
    "00dbb4a9 00000002 00000001 0005f398",
    "00000028 00000000 00000000 00000000",
    "00000000 00000000 00000000 00000000",
    "00000000 00000004 00000000 00000000",
    "00000000 000001bf 0000000b 00000009",
    "00000007 6f707665 7273696f 6e003130",
    "30303030 00000000 0f000000 02636c6e",
    "742d6c6b 2d766572 73696f6e 00310000",
    "00000e00 00000563 6c69656e 742d7665",
    "7273696f 6e003130 2e330000 00000c00",
    "00001270 726f6365 73732d6e 616d6500",
    "67666170 692e6766 6170695f 62656e63",
    "68000000 000c0000 00717072 6f636573",
    "732d7575 69640043 54585f49 443a6266",
    "65333331 39612d66 6234312d 34646139",
    "2d626662 632d3764 32306661 39633033",
    "31622d47 52415048 5f49443a 302d5049",
    "443a3234 3839382d 484f5354 3a766d2d",
    "50435f4e 414d453a 616e6368 6f722d62",
    "7269636b 2d636c69 656e742d 5245434f",
    "4e5f4e4f 3a2d3000 0000000c 00000008",
    "666f7073 2d766572 73696f6e 00313239",
    "38343337 00000000 10000000 0d72656d",
    "6f74652d 73756276 6f6c756d 6500616e",
    "63686f72 2d627269 636b0000 00000b00",
    "00000672 656d6f74 652d706f 72740032",
    "34313030 00000000 0b000000 0a72656d",
    "6f74652d 686f7374 00313237 2e302e30",
    "2e310000 00001800 00000574 72616e73",
    "706f7274 2e616464 72657373 2d66616d",
    "696c7900 696e6574 00000000 0e000000",
    "07747261 6e73706f 72742d74 79706500",
    "736f636b 65740000",
};

/* SETVOLUME reply, frame 9: the dict opaque is 167 bytes at 0x28. */
static const char *const setvol_reply_frame[] = {
    "800000cc 00000003 00000001 00000000",
    "00000000 00000000 00000000 00000000",
    "00000016 000000a7 00000005 0000000d",
    "00000010 7472616e 73706f72 742d7074",
    "72003134 30323333 39373035 35333036",
    "34000000 000f0000 0002636c 6e742d6c",
    "6b2d7665 7273696f 6e003000 0000000c",
    "00000025 70726f63 6573732d 75756964",
    "00393232 34333364 332d3234 62322d34",
    "6562382d 61646665 2d623363 37323137",
    "30383833 32000000 00050000 00084552",
    "524f5200 53756363 65737300 00000008",
    "00000002 6368696c 645f7570 00310000",
};

/* The dict bytes of a frame: an XDR opaque whose length word is at OFF. */
static size_t
frame_dict(const char *const *lines, size_t n, size_t off, unsigned char *frame,
           const unsigned char **dict)
{
    size_t flen = unhex(lines, n, frame);
    size_t dlen = be32(frame + off);

    ck_assert_uint_le(off + 4 + dlen, flen);
    *dict = frame + off + 4;
    return dlen;
}

static const char process_uuid[] =
    "CTX_ID:bfe3319a-fb41-4da9-bfbc-7d20fa9c031b-GRAPH_ID:0-PID:24898-HOST:"
    "vm-PC_NAME:anchor-brick-client-RECON_NO:-0";

START_TEST(old_setvolume_call_vector)
{
    unsigned char frame[600], *buf;
    const unsigned char *vec;
    size_t len = frame_dict(setvol_call_frame, GF_ARRAY_SIZE(setvol_call_frame),
                            0x54, frame, &vec);
    const char *const keys[] = {"opversion",        "clnt-lk-version",
                                "client-version",   "process-name",
                                "process-uuid",     "fops-version",
                                "remote-subvolume", "remote-port",
                                "remote-host",      "transport.address-family",
                                "transport-type"};
    struct order_ctx c = {keys, 0, -1};
    gf_dict_t *d = NULL, *m;
    gf_dict_val_t v;
    const char *s;
    int64_t i;
    int32_t i32;
    uint32_t u32;

    ck_assert_uint_eq(len, 447);
    ck_assert_int_eq(gf_dict_old_decode(vec, len, &d), 0);
    ck_assert_uint_eq(gf_dict_count(d), 11);
    ck_assert_int_eq(gf_dict_foreach(d, order_cb, &c), 0);
    ck_assert_int_eq(gf_dict_get_val(d, "opversion", &v), 0);
    ck_assert_int_eq(v.type, GF_DICT_STR_OLD);
    ck_assert_uint_eq(v.len, 7); /* "100000" and its NUL */
    ck_assert_int_eq(gf_dict_get_int64(d, "opversion", &i), 0);
    ck_assert_int_eq(i, 100000);
    ck_assert_int_eq(gf_dict_get_uint32(d, "fops-version", &u32), 0);
    ck_assert_uint_eq(u32, 1298437);
    ck_assert_int_eq(gf_dict_get_int32(d, "remote-port", &i32), 0);
    ck_assert_int_eq(i32, 24100);
    ck_assert_int_eq(gf_dict_get_str(d, "process-uuid", &s), 0);
    ck_assert_str_eq(s, process_uuid);
    ck_assert_int_eq(gf_dict_get_str(d, "remote-subvolume", &s), 0);
    ck_assert_str_eq(s, "anchor-brick");

    /* Re-encoding the decoded dict gives the same bytes back. */
    ck_assert_int_eq(gf_dict_old_size(d), 447);
    buf = malloc(447);
    ck_assert_int_eq(gf_dict_old_encode(d, buf, 446), -ENOBUFS);
    ck_assert_int_eq(gf_dict_old_encode(d, buf, 447), 0);
    ck_assert_mem_eq(buf, vec, 447);

    /* So does a dict built the way a client would, numbers as numbers. */
    m = gf_dict_new();
    ck_assert_int_eq(gf_dict_set_int64(m, "opversion", 100000), 0);
    ck_assert_int_eq(gf_dict_set_uint64(m, "clnt-lk-version", 1), 0);
    ck_assert_int_eq(gf_dict_set_str(m, "client-version", "10.3"), 0);
    ck_assert_int_eq(gf_dict_set_str(m, "process-name", "gfapi.gfapi_bench"),
                     0);
    ck_assert_int_eq(gf_dict_set_str(m, "process-uuid", process_uuid), 0);
    ck_assert_int_eq(gf_dict_set_int64(m, "fops-version", 1298437), 0);
    ck_assert_int_eq(gf_dict_set_str(m, "remote-subvolume", "anchor-brick"), 0);
    ck_assert_int_eq(gf_dict_set_int64(m, "remote-port", 24100), 0);
    ck_assert_int_eq(gf_dict_set_str(m, "remote-host", "127.0.0.1"), 0);
    ck_assert_int_eq(gf_dict_set_str(m, "transport.address-family", "inet"), 0);
    ck_assert_int_eq(gf_dict_set_str(m, "transport-type", "socket"), 0);
    ck_assert_int_eq(gf_dict_old_size(m), 447);
    memset(buf, 0xee, 447);
    ck_assert_int_eq(gf_dict_old_encode(m, buf, 447), 0);
    ck_assert_mem_eq(buf, vec, 447);
    free(buf);
    gf_dict_unref(m);
    gf_dict_unref(d);
}
END_TEST

START_TEST(old_setvolume_reply_vector)
{
    unsigned char frame[300], buf[167];
    const unsigned char *vec;
    size_t len =
        frame_dict(setvol_reply_frame, GF_ARRAY_SIZE(setvol_reply_frame), 0x24,
                   frame, &vec);
    gf_dict_t *d = NULL, *m = gf_dict_new();
    uint64_t u;
    int32_t i;
    const char *s;

    ck_assert_uint_eq(len, 167);
    ck_assert_int_eq(gf_dict_old_decode(vec, len, &d), 0);
    ck_assert_uint_eq(gf_dict_count(d), 5);
    ck_assert_int_eq(gf_dict_get_uint64(d, "transport-ptr", &u), 0);
    ck_assert(u == 140233970553064ULL);
    ck_assert_int_eq(gf_dict_get_int32(d, "child_up", &i), 0);
    ck_assert_int_eq(i, 1);
    ck_assert_int_eq(gf_dict_get_str(d, "ERROR", &s), 0);
    ck_assert_str_eq(s, "Success");

    /* What a server would build to send the same reply. */
    ck_assert_int_eq(gf_dict_set_uint64(m, "transport-ptr", 140233970553064),
                     0);
    ck_assert_int_eq(gf_dict_set_int64(m, "clnt-lk-version", 0), 0);
    ck_assert_int_eq(gf_dict_set_str(m, "process-uuid",
                                     "922433d3-24b2-4eb8-adfe-b3c721708832"),
                     0);
    ck_assert_int_eq(gf_dict_set_str(m, "ERROR", "Success"), 0);
    ck_assert_int_eq(gf_dict_set_int64(m, "child_up", 1), 0);
    ck_assert_int_eq(gf_dict_old_size(m), 167);
    ck_assert_int_eq(gf_dict_old_encode(m, buf, sizeof(buf)), 0);
    ck_assert_mem_eq(buf, vec, 167);
    gf_dict_unref(m);
    gf_dict_unref(d);
}
END_TEST

START_TEST(old_roundtrip_every_type)
{
    gf_dict_t *d = every_type(), *r = NULL;
    ssize_t size = gf_dict_old_size(d);
    unsigned char *buf = malloc((size_t)size);
    gf_dict_val_t v, w;
    int64_t i;
    uint64_t u;
    double x;
    unsigned char uu[16];
    const char *s;

    ck_assert_int_gt(size, 4);
    ck_assert_int_eq(gf_dict_old_encode(d, buf, (size_t)size), 0);
    ck_assert_int_eq(gf_dict_old_decode(buf, (size_t)size, &r), 0);
    ck_assert_uint_eq(gf_dict_count(r), gf_dict_count(d));
    /* Every value comes back as STR_OLD, and the typed getters read it. */
    ck_assert_int_eq(gf_dict_get_val(r, "int", &v), 0);
    ck_assert_int_eq(v.type, GF_DICT_STR_OLD);
    ck_assert_int_eq(gf_dict_get_int64(r, "int", &i), 0);
    ck_assert_int_eq(i, -1234567890123LL);
    ck_assert_int_eq(gf_dict_get_int64(r, "int-min", &i), 0);
    ck_assert(i == INT64_MIN);
    ck_assert_int_eq(gf_dict_get_uint64(r, "uint", &u), 0);
    ck_assert(u == UINT64_MAX);
    ck_assert_int_eq(gf_dict_get_double(r, "double", &x), 0);
    ck_assert(x == -0.1); /* %.17g round-trips exactly */
    ck_assert_int_eq(gf_dict_get_uuid(r, "gfid-req", uu), 0);
    ck_assert_mem_eq(uu, uuid_a, 16);
    ck_assert_int_eq(gf_dict_get_str(r, "str", &s), 0);
    ck_assert_str_eq(s, "hello");
    ck_assert_int_eq(gf_dict_get_str(r, "empty-str", &s), 0);
    ck_assert_str_eq(s, "");
    ck_assert_int_eq(gf_dict_get_int64(r, "old", &i), 0);
    ck_assert_int_eq(i, 42);
    for (size_t k = 0; k < 4; k++) {
        const char *key = (const char *[]){"bin", "bin0", "iatt", "mdata"}[k];

        ck_assert_int_eq(gf_dict_get_val(d, key, &v), 0);
        ck_assert_int_eq(gf_dict_get_val(r, key, &w), 0);
        ck_assert_uint_eq(v.len, w.len);
        ck_assert_mem_eq(v.data, w.data, v.len);
    }
    /* And the re-encoding is identical. */
    ck_assert_int_eq(gf_dict_old_size(r), size);
    {
        unsigned char *again = malloc((size_t)size);

        ck_assert_int_eq(gf_dict_old_encode(r, again, (size_t)size), 0);
        ck_assert_mem_eq(again, buf, (size_t)size);
        free(again);
    }
    free(buf);
    gf_dict_unref(r);
    gf_dict_unref(d);
}
END_TEST

START_TEST(old_empty_and_args)
{
    gf_dict_t *d = gf_dict_new(), *r = UNTOUCHED;
    unsigned char buf[4] = {1, 2, 3, 4};

    ck_assert_int_eq(gf_dict_old_size(d), 4);
    ck_assert_int_eq(gf_dict_old_encode(d, buf, sizeof(buf)), 0);
    ck_assert_mem_eq(buf, "\0\0\0\0", 4);
    ck_assert_int_eq(gf_dict_old_decode(buf, 4, &r), 0);
    ck_assert_uint_eq(gf_dict_count(r), 0);
    gf_dict_unref(r);
    ck_assert_int_eq(gf_dict_old_size(NULL), -EINVAL);
    ck_assert_int_eq(gf_dict_old_encode(NULL, buf, 4), -EINVAL);
    ck_assert_int_eq(gf_dict_old_encode(d, NULL, 4), -EINVAL);
    ck_assert_int_eq(gf_dict_old_decode(NULL, 4, &r), -EINVAL);
    ck_assert_int_eq(gf_dict_old_decode(buf, 4, NULL), -EINVAL);
    gf_dict_unref(d);
}
END_TEST

/* Every proper prefix of a valid encoding is refused, and nothing leaks. */
START_TEST(old_every_truncation)
{
    unsigned char frame[600];
    const unsigned char *vec;
    size_t len = frame_dict(setvol_call_frame, GF_ARRAY_SIZE(setvol_call_frame),
                            0x54, frame, &vec);
    gf_dict_t *r;

    for (size_t n = 0; n < len; n++) {
        /* Copy to an exact-size heap block so ASan sees any overread. */
        unsigned char *b = malloc(n ? n : 1);

        memcpy(b, vec, n);
        r = UNTOUCHED;
        ck_assert_int_eq(gf_dict_old_decode(b, n, &r), -EINVAL);
        ck_assert_ptr_eq(r, UNTOUCHED);
        free(b);
    }
}
END_TEST

/* Decode BYTES (exact-size copy); returns the error, asserts untouched. */
static int
old_try(const unsigned char *bytes, size_t n)
{
    unsigned char *b = malloc(n ? n : 1);
    gf_dict_t *r = UNTOUCHED;
    int ret;

    memcpy(b, bytes, n);
    ret = gf_dict_old_decode(b, n, &r);
    free(b);
    if (ret)
        ck_assert_ptr_eq(r, UNTOUCHED);
    else
        gf_dict_unref(r);
    return ret;
}

START_TEST(old_hostile)
{
    /* One pair "ab" = "x\0": count 1, keylen 2, vallen 2. */
    unsigned char ok[] = {0, 0, 0, 1,   0,   0, 0,   2, 0,
                          0, 0, 2, 'a', 'b', 0, 'x', 0};
    unsigned char b[64];
    unsigned char dup[4 + 2 * 13];

    ck_assert_int_eq(old_try(ok, sizeof(ok)), 0);
    /* Trailing byte after the last pair. */
    memcpy(b, ok, sizeof(ok));
    b[sizeof(ok)] = 0;
    ck_assert_int_eq(old_try(b, sizeof(ok) + 1), -EINVAL);
    /* Count larger than the pairs present, and larger than the buffer. */
    memcpy(b, ok, sizeof(ok));
    put_be32(b, 2);
    ck_assert_int_eq(old_try(b, sizeof(ok)), -EINVAL);
    put_be32(b, 0x7fffffff);
    ck_assert_int_eq(old_try(b, sizeof(ok)), -EINVAL);
    put_be32(b, 0xffffffff); /* negative as GlusterFS's int */
    ck_assert_int_eq(old_try(b, sizeof(ok)), -EINVAL);
    /* Count 0 with a pair after it: trailing bytes. */
    put_be32(b, 0);
    ck_assert_int_eq(old_try(b, sizeof(ok)), -EINVAL);
    /* Key length: 0, past the buffer, at and past the 1 MiB limit, and
     * values that would wrap 32-bit arithmetic. */
    memcpy(b, ok, sizeof(ok));
    put_be32(b + 4, 0);
    ck_assert_int_eq(old_try(b, sizeof(ok)), -EINVAL);
    put_be32(b + 4, 200);
    ck_assert_int_eq(old_try(b, sizeof(ok)), -EINVAL);
    put_be32(b + 4, GF_DICT_KEY_VALUE_MAX);
    ck_assert_int_eq(old_try(b, sizeof(ok)), -EMSGSIZE);
    put_be32(b + 4, 0xffffffff);
    ck_assert_int_eq(old_try(b, sizeof(ok)), -EMSGSIZE);
    /* Value length likewise. */
    memcpy(b, ok, sizeof(ok));
    put_be32(b + 8, 3);
    ck_assert_int_eq(old_try(b, sizeof(ok)), -EINVAL);
    put_be32(b + 8, 0xfffffffe);
    ck_assert_int_eq(old_try(b, sizeof(ok)), -EMSGSIZE);
    /* Key without its NUL, and with a NUL inside. */
    memcpy(b, ok, sizeof(ok));
    b[14] = 'c';
    ck_assert_int_eq(old_try(b, sizeof(ok)), -EINVAL);
    memcpy(b, ok, sizeof(ok));
    b[13] = 0;
    ck_assert_int_eq(old_try(b, sizeof(ok)), -EINVAL);
    /* The same key twice. */
    put_be32(dup, 2);
    memcpy(dup + 4, ok + 4, 13);
    memcpy(dup + 17, ok + 4, 13);
    ck_assert_int_eq(old_try(dup, sizeof(dup)), -EINVAL);
    dup[17 + 9] = 'c'; /* second key "ac": fine */
    ck_assert_int_eq(old_try(dup, sizeof(dup)), 0);
    /* A value without NUL is kept as bytes but reads as a C string. */
    {
        unsigned char nn[] = {0, 0, 0, 1, 0,   0, 0,   1,
                              0, 0, 0, 2, 'k', 0, '1', '2'};
        gf_dict_t *r = NULL;
        int64_t i;

        ck_assert_int_eq(gf_dict_old_decode(nn, sizeof(nn), &r), 0);
        ck_assert_int_eq(gf_dict_get_int64(r, "k", &i), 0);
        ck_assert_int_eq(i, 12);
        gf_dict_unref(r);
    }
}
END_TEST

/* ---- gfx_dict ------------------------------------------------------------ */

/*
 * LOOKUP #3 call, frame 14: xdata starts at 0x8c. The capture prints the
 * first 0x9c bytes; the last 24 (the key's NUL and padding, type 7 and
 * the 16 uuid bytes) are rebuilt from the decoded fields it shows
 * (xdr_size 36, gfid-req 0d8c2f16-67b6-47da-bdde-16104f52e90a).
 */
static const char *const lookup3_xdata[] = {
    "00000024 00000001", "00000001 00000009 67666964 2d726571",
    "00000000 00000007 0d8c2f16 67b647da bdde1610 4f52e90a", /* rebuilt */
};

/* LOOKUP #1 call, frame 10: the empty xdata at its end. */
static const char *const lookup1_xdata[] = {
    "00000000 00000000 00000000",
};

START_TEST(gfx_lookup_vector)
{
    unsigned char vec[64], buf[64];
    size_t len = unhex(lookup3_xdata, GF_ARRAY_SIZE(lookup3_xdata), vec);
    size_t used = 0;
    gf_dict_t *d = gf_dict_new(), *r = NULL;
    unsigned char uu[16];
    gf_dict_val_t v;

    ck_assert_uint_eq(len, 48);
    ck_assert_int_eq(gf_dict_set_uuid(d, "gfid-req", uuid_a), 0);
    ck_assert_uint_eq(gf_dict_gfx_size(d), 48);
    ck_assert_int_eq(gf_dict_gfx_encode(d, buf, sizeof(buf), &used), 0);
    ck_assert_uint_eq(used, 48);
    ck_assert_mem_eq(buf, vec, 48);

    ck_assert_int_eq(gf_dict_gfx_decode(vec, len, &r, &used), 0);
    ck_assert_uint_eq(used, 48);
    ck_assert_uint_eq(gf_dict_count(r), 1);
    ck_assert_int_eq(gf_dict_get_val(r, "gfid-req", &v), 0);
    ck_assert_int_eq(v.type, GF_DICT_GFUUID);
    ck_assert_int_eq(gf_dict_get_uuid(r, "gfid-req", uu), 0);
    ck_assert_mem_eq(uu, uuid_a, 16);
    gf_dict_unref(r);
    gf_dict_unref(d);

    /* The UNLINK reply's get-link-count: a number, xdr_size 32. */
    d = gf_dict_new();
    ck_assert_int_eq(gf_dict_set_uint64(d, "get-link-count", 0), 0);
    ck_assert_uint_eq(gf_dict_gfx_size(d), 12 + 32);
    gf_dict_unref(d);
}
END_TEST

START_TEST(gfx_null_and_empty)
{
    unsigned char vec[12], buf[16];
    size_t used = 0;
    gf_dict_t *d = gf_dict_new(), *r = UNTOUCHED;

    unhex(lookup1_xdata, 1, vec);
    ck_assert_uint_eq(gf_dict_gfx_size(d), 12);
    ck_assert_int_eq(gf_dict_gfx_encode(d, buf, sizeof(buf), &used), 0);
    ck_assert_uint_eq(used, 12);
    ck_assert_mem_eq(buf, vec, 12);
    ck_assert_int_eq(gf_dict_gfx_decode(vec, 12, &r, &used), 0);
    ck_assert_ptr_nonnull(r);
    ck_assert_ptr_ne(r, UNTOUCHED);
    ck_assert_uint_eq(gf_dict_count(r), 0);
    gf_dict_unref(r);

    /* A NULL dict is count -1. */
    ck_assert_uint_eq(gf_dict_gfx_size(NULL), 12);
    ck_assert_int_eq(gf_dict_gfx_encode(NULL, buf, 12, &used), 0);
    ck_assert_mem_eq(buf, "\0\0\0\0\377\377\377\377\0\0\0\0", 12);
    r = UNTOUCHED;
    used = 0;
    ck_assert_int_eq(gf_dict_gfx_decode(buf, 12, &r, &used), 0);
    ck_assert_ptr_null(r);
    ck_assert_uint_eq(used, 12);

    ck_assert_int_eq(gf_dict_gfx_encode(d, buf, 11, NULL), -ENOBUFS);
    ck_assert_int_eq(gf_dict_gfx_encode(d, NULL, 12, NULL), -EINVAL);
    ck_assert_int_eq(gf_dict_gfx_decode(NULL, 12, &r, NULL), -EINVAL);
    ck_assert_int_eq(gf_dict_gfx_decode(vec, 12, NULL, NULL), -EINVAL);
    gf_dict_unref(d);
}
END_TEST

START_TEST(gfx_roundtrip_every_type)
{
    gf_dict_t *d = every_type(), *r = NULL;
    size_t size = gf_dict_gfx_size(d), used = 0;
    unsigned char *buf = malloc(size + 8), *again = malloc(size);

    /* Trailing bytes (e.g. a WRITE payload) are not the decoder's. */
    memset(buf, 0xab, size + 8);
    ck_assert_int_eq(gf_dict_gfx_encode(d, buf, size - 1, NULL), -ENOBUFS);
    ck_assert_int_eq(gf_dict_gfx_encode(d, buf, size + 8, &used), 0);
    ck_assert_uint_eq(used, size);
    ck_assert_uint_eq(size % 4, 0);
    ck_assert_uint_eq(be32(buf), size - 12);
    ck_assert_uint_eq(be32(buf + 4), 12);
    ck_assert_uint_eq(be32(buf + 8), 12);
    ck_assert_int_eq(gf_dict_gfx_decode(buf, size + 8, &r, &used), 0);
    ck_assert_uint_eq(used, size);
    assert_same(d, r); /* types, numbers, bytes and order all kept */
    ck_assert_int_eq(gf_dict_gfx_encode(r, again, size, NULL), 0);
    ck_assert_mem_eq(again, buf, size);
    free(again);
    free(buf);
    gf_dict_unref(r);
    gf_dict_unref(d);
}
END_TEST

START_TEST(gfx_values_exact)
{
    gf_dict_t *d = gf_dict_new(), *r = NULL;
    unsigned char buf[128];
    double x;
    /* "k" = INT -2: key<> 2 bytes + 2 pad, type 2, hyper. */
    const unsigned char want[] = {
        0, 0, 0,    20,   0,    0,    0,    1,    0,    0,    0,
        1, 0, 0,    0,    2,    'k',  0,    0,    0,    0,    0,
        0, 2, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xfe,
    };

    ck_assert_int_eq(gf_dict_set_int64(d, "k", -2), 0);
    ck_assert_int_eq(gf_dict_gfx_encode(d, buf, sizeof(buf), NULL), 0);
    ck_assert_mem_eq(buf, want, sizeof(want));
    /* XDR double: IEEE bits big-endian (1.0 = 3ff0000000000000). */
    ck_assert_int_eq(gf_dict_set_double(d, "k", 1.0), 0);
    ck_assert_int_eq(gf_dict_gfx_encode(d, buf, sizeof(buf), NULL), 0);
    ck_assert_uint_eq(be32(buf + 20), GF_DICT_DOUBLE);
    ck_assert_mem_eq(buf + 24, "\x3f\xf0\0\0\0\0\0\0", 8);
    /* STR counts its NUL and pads: "ab" -> len 3, "ab\0" + 1 pad. */
    ck_assert_int_eq(gf_dict_set_str(d, "k", "ab"), 0);
    ck_assert_int_eq(gf_dict_gfx_encode(d, buf, sizeof(buf), NULL), 0);
    ck_assert_uint_eq(be32(buf), 4 + 4 + 4 + 4 + 4);
    ck_assert_uint_eq(be32(buf + 20), GF_DICT_STR);
    ck_assert_uint_eq(be32(buf + 24), 3);
    ck_assert_mem_eq(buf + 28, "ab\0\0", 4);
    /* NaN and infinity survive. */
    ck_assert_int_eq(gf_dict_set_double(d, "k", NAN), 0);
    ck_assert_int_eq(gf_dict_set_double(d, "inf", -INFINITY), 0);
    ck_assert_int_eq(gf_dict_gfx_encode(d, buf, sizeof(buf), NULL), 0);
    ck_assert_int_eq(gf_dict_gfx_decode(buf, sizeof(buf), &r, NULL), 0);
    ck_assert_int_eq(gf_dict_get_double(r, "k", &x), 0);
    ck_assert(isnan(x));
    ck_assert_int_eq(gf_dict_get_double(r, "inf", &x), 0);
    ck_assert(isinf(x) && x < 0);
    gf_dict_unref(r);
    gf_dict_unref(d);
}
END_TEST

START_TEST(gfx_every_truncation)
{
    gf_dict_t *d = every_type(), *r;
    size_t size = gf_dict_gfx_size(d);
    unsigned char *full = malloc(size);

    ck_assert_int_eq(gf_dict_gfx_encode(d, full, size, NULL), 0);
    for (size_t n = 0; n < size; n++) {
        unsigned char *b = malloc(n ? n : 1);
        size_t used = 999;

        memcpy(b, full, n);
        r = UNTOUCHED;
        ck_assert_int_eq(gf_dict_gfx_decode(b, n, &r, &used), -EINVAL);
        ck_assert_ptr_eq(r, UNTOUCHED);
        ck_assert_uint_eq(used, 999);
        /* Now with xdr_size claiming just what is there, so the cut
         * lands inside the pair parsers rather than the header check. */
        if (n >= 12) {
            put_be32(b, (uint32_t)((n - 12) & ~(size_t)3));
            ck_assert_int_eq(gf_dict_gfx_decode(b, n, &r, &used), -EINVAL);
            ck_assert_ptr_eq(r, UNTOUCHED);
        }
        free(b);
    }
    free(full);
    gf_dict_unref(d);
}
END_TEST

static int
gfx_try(const unsigned char *bytes, size_t n)
{
    unsigned char *b = malloc(n ? n : 1);
    gf_dict_t *r = UNTOUCHED;
    int ret;

    memcpy(b, bytes, n);
    ret = gf_dict_gfx_decode(b, n, &r, NULL);
    free(b);
    if (ret)
        ck_assert_ptr_eq(r, UNTOUCHED);
    else
        gf_dict_unref(r);
    return ret;
}

START_TEST(gfx_hostile)
{
    /* "k" = UINT 5; xdr_size 20. */
    const unsigned char ok[] = {
        0,   0, 0, 20, 0, 0, 0, 1, 0, 0, 0, 1, 0, 0, 0, 2,
        'k', 0, 0, 0,  0, 0, 0, 3, 0, 0, 0, 0, 0, 0, 0, 5,
    };
    unsigned char b[96];

    ck_assert_int_eq(gfx_try(ok, sizeof(ok)), 0);
    /* Counts: negative other than -1, -1 with pairs, count != pairs<>. */
    memcpy(b, ok, sizeof(ok));
    put_be32(b + 4, (uint32_t)-2);
    ck_assert_int_eq(gfx_try(b, sizeof(ok)), -EINVAL);
    put_be32(b + 4, (uint32_t)INT32_MIN);
    ck_assert_int_eq(gfx_try(b, sizeof(ok)), -EINVAL);
    put_be32(b + 4, (uint32_t)-1);
    ck_assert_int_eq(gfx_try(b, sizeof(ok)), -EINVAL);
    put_be32(b, 0);
    ck_assert_int_eq(gfx_try(b, sizeof(ok)), -EINVAL); /* pairs<> 1 */
    memcpy(b, ok, sizeof(ok));
    put_be32(b + 4, 2);
    ck_assert_int_eq(gfx_try(b, sizeof(ok)), -EINVAL);
    put_be32(b + 8, 2);
    ck_assert_int_eq(gfx_try(b, sizeof(ok)), -EINVAL); /* only one there */
    put_be32(b + 4, 0x7fffffff);
    put_be32(b + 8, 0x7fffffff);
    ck_assert_int_eq(gfx_try(b, sizeof(ok)), -EINVAL);
    /* xdr_size: short, long, unaligned, huge. */
    memcpy(b, ok, sizeof(ok));
    put_be32(b, 16);
    ck_assert_int_eq(gfx_try(b, sizeof(ok)), -EINVAL);
    put_be32(b, 24);
    memset(b + sizeof(ok), 0, 4);
    ck_assert_int_eq(gfx_try(b, sizeof(ok) + 4), -EINVAL);
    put_be32(b, 21);
    ck_assert_int_eq(gfx_try(b, sizeof(ok) + 4), -EINVAL);
    put_be32(b, 0xfffffffc);
    ck_assert_int_eq(gfx_try(b, sizeof(ok)), -EINVAL);
    /* Value types: UNKNOWN, past the last, huge. */
    memcpy(b, ok, sizeof(ok));
    put_be32(b + 20, 0);
    ck_assert_int_eq(gfx_try(b, sizeof(ok)), -EINVAL);
    put_be32(b + 20, 10);
    ck_assert_int_eq(gfx_try(b, sizeof(ok)), -EINVAL);
    put_be32(b + 20, 0xffffffff);
    ck_assert_int_eq(gfx_try(b, sizeof(ok)), -EINVAL);
    /* A GFUUID needs 16 bytes, only 8 are there. */
    put_be32(b + 20, GF_DICT_GFUUID);
    ck_assert_int_eq(gfx_try(b, sizeof(ok)), -EINVAL);
    /* Key lengths: 0, NUL only, no NUL, inner NUL, past the end, limit. */
    memcpy(b, ok, sizeof(ok));
    put_be32(b + 12, 0);
    ck_assert_int_eq(gfx_try(b, sizeof(ok)), -EINVAL);
    put_be32(b + 12, 1);
    b[16] = 0;
    ck_assert_int_eq(gfx_try(b, sizeof(ok)), -EINVAL);
    memcpy(b, ok, sizeof(ok));
    b[17] = 'x';
    ck_assert_int_eq(gfx_try(b, sizeof(ok)), -EINVAL);
    memcpy(b, ok, sizeof(ok));
    put_be32(b + 12, 3); /* "k\0\0": NUL inside the counted bytes */
    ck_assert_int_eq(gfx_try(b, sizeof(ok)), -EINVAL);
    put_be32(b + 12, 100);
    ck_assert_int_eq(gfx_try(b, sizeof(ok)), -EINVAL);
    put_be32(b + 12, GF_DICT_KEY_VALUE_MAX + 1);
    ck_assert_int_eq(gfx_try(b, sizeof(ok)), -EMSGSIZE);
    put_be32(b + 12, 0xffffffff); /* would wrap pad4 in 32 bits */
    ck_assert_int_eq(gfx_try(b, sizeof(ok)), -EMSGSIZE);
    put_be32(b + 12, 0xfffffffd);
    ck_assert_int_eq(gfx_try(b, sizeof(ok)), -EMSGSIZE);
    /* Opaque value lengths: past the end, limit, wrapping. */
    {
        const unsigned char s[] = {
            0,   0, 0, 20, 0, 0, 0, 1, 0, 0, 0, 1, 0,   0,   0, 2,
            'k', 0, 0, 0,  0, 0, 0, 5, 0, 0, 0, 3, 'a', 'b', 0, 0,
        };

        ck_assert_int_eq(gfx_try(s, sizeof(s)), 0);
        memcpy(b, s, sizeof(s));
        put_be32(b + 24, 5);
        ck_assert_int_eq(gfx_try(b, sizeof(s)), -EINVAL);
        put_be32(b + 24, GF_DICT_KEY_VALUE_MAX);
        ck_assert_int_eq(gfx_try(b, sizeof(s)), -EMSGSIZE);
        put_be32(b + 24, 0xfffffffe);
        ck_assert_int_eq(gfx_try(b, sizeof(s)), -EMSGSIZE);
    }
    /* Duplicate keys. */
    {
        unsigned char dup[12 + 40];

        memcpy(dup, ok, 12);
        put_be32(dup, 40);
        put_be32(dup + 4, 2);
        put_be32(dup + 8, 2);
        memcpy(dup + 12, ok + 12, 20);
        memcpy(dup + 32, ok + 12, 20);
        ck_assert_int_eq(gfx_try(dup, sizeof(dup)), -EINVAL);
        dup[36] = 'j';
        ck_assert_int_eq(gfx_try(dup, sizeof(dup)), 0);
    }
}
END_TEST

/* Seeded random corruption of valid encodings: every outcome must be a
 * clean error or a dict that re-encodes and decodes the same. */
static uint64_t
xorshift(uint64_t *s)
{
    *s ^= *s << 13;
    *s ^= *s >> 7;
    *s ^= *s << 17;
    return *s;
}

START_TEST(both_random_mutations)
{
    gf_dict_t *d = every_type(), *r;
    size_t gsize = gf_dict_gfx_size(d);
    size_t osize = (size_t)gf_dict_old_size(d);
    unsigned char *g = malloc(gsize), *o = malloc(osize), *b;
    uint64_t seed = 0x9e3779b97f4a7c15ULL;
    unsigned ok = 0;

    ck_assert_int_eq(gf_dict_gfx_encode(d, g, gsize, NULL), 0);
    ck_assert_int_eq(gf_dict_old_encode(d, o, osize), 0);
    for (int iter = 0; iter < 20000; iter++) {
        bool gfx = iter & 1;
        size_t n = gfx ? gsize : osize;
        int flips = 1 + (int)(xorshift(&seed) % 4);

        b = malloc(n);
        memcpy(b, gfx ? g : o, n);
        for (int f = 0; f < flips; f++) {
            size_t at = xorshift(&seed) % n;

            /* Mostly hit length/type words; sometimes any byte. */
            b[at] = (xorshift(&seed) & 1) ? (unsigned char)xorshift(&seed)
                                          : (unsigned char)(b[at] ^ 0x80);
        }
        r = UNTOUCHED;
        if ((gfx ? gf_dict_gfx_decode(b, n, &r, NULL)
                 : gf_dict_old_decode(b, n, &r)) == 0) {
            gf_dict_t *r2 = NULL;
            size_t m = gf_dict_gfx_size(r);
            unsigned char *e = malloc(m);

            ok++;
            ck_assert_int_eq(gf_dict_gfx_encode(r, e, m, NULL), 0);
            ck_assert_int_eq(gf_dict_gfx_decode(e, m, &r2, NULL), 0);
            if (r)
                assert_same(r, r2);
            gf_dict_unref(r2);
            gf_dict_unref(r);
            free(e);
        } else {
            ck_assert_ptr_eq(r, UNTOUCHED);
        }
        free(b);
    }
    ck_assert_uint_gt(ok, 0); /* some mutations only touch value bytes */
    free(g);
    free(o);
    gf_dict_unref(d);
}
END_TEST

int
main(void)
{
    Suite *s = suite_create("dict");
    TCase *core = tcase_create("core");
    TCase *old = tcase_create("old");
    TCase *gfx = tcase_create("gfx");

    tcase_set_timeout(core, 60);
    tcase_add_test(core, new_ref_unref);
    tcase_add_test(core, set_get_every_type);
    tcase_add_test(core, wrong_type_missing_and_null);
    tcase_add_test(core, key_and_value_limits);
    tcase_add_test(core, replace_keeps_place);
    tcase_add_test(core, del_pairs);
    tcase_add_test(core, big_dict_indexed);
    tcase_add_test(core, copy_is_deep);
    tcase_add_test(core, str_old_parsing);
    tcase_add_test(core, int_cross_types);
    tcase_add_test(core, shared_readers);
    suite_add_tcase(s, core);

    tcase_set_timeout(old, 60);
    tcase_add_test(old, old_setvolume_call_vector);
    tcase_add_test(old, old_setvolume_reply_vector);
    tcase_add_test(old, old_roundtrip_every_type);
    tcase_add_test(old, old_empty_and_args);
    tcase_add_test(old, old_every_truncation);
    tcase_add_test(old, old_hostile);
    suite_add_tcase(s, old);

    tcase_set_timeout(gfx, 120);
    tcase_add_test(gfx, gfx_lookup_vector);
    tcase_add_test(gfx, gfx_null_and_empty);
    tcase_add_test(gfx, gfx_roundtrip_every_type);
    tcase_add_test(gfx, gfx_values_exact);
    tcase_add_test(gfx, gfx_every_truncation);
    tcase_add_test(gfx, gfx_hostile);
    tcase_add_test(gfx, both_random_mutations);
    suite_add_tcase(s, gfx);
    return gf_test_run(s);
}
