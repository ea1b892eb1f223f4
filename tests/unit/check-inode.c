/* SPDX-License-Identifier: LGPL-3.0-or-later */
/*
 * check-inode.c - gfids and the inode table: link, find, grep, unlink,
 * rename, hard links, paths, lookup counts, LRU pruning, context slots,
 * concurrent references, statistics and the statedump walk.
 */
#include <errno.h>
#include <pthread.h>
#include <signal.h>
#include <stdio.h>
#include <string.h>

#include <gf/fd.h>
#include <gf/gfid.h>
#include <gf/inode.h>

#include "gf-test.h"

/* ---- helpers ------------------------------------------------------------ */

/* Link a new inode of TYPE as PARENT/NAME (or nameless) under a fresh
 * gfid, stored in *GFID if not NULL. Returns the linked inode (ref'd). */
static gf_inode_t *
mk(gf_inode_table_t *t, gf_inode_t *parent, const char *name,
   gf_inode_type_t type, gf_gfid_t *gfid)
{
    gf_gfid_t g;
    gf_inode_t *in = gf_inode_new(t), *linked;

    ck_assert_ptr_nonnull(in);
    gf_gfid_generate(&g);
    linked = gf_inode_link(in, parent, name, &g, type);
    ck_assert_msg(linked != NULL, "link %s: %s", name ? name : "-",
                  strerror(errno));
    ck_assert_ptr_eq(linked, in);
    gf_inode_unref(in);
    if (gfid)
        *gfid = g;
    return linked;
}

static gf_inode_table_stats_t
stats(gf_inode_table_t *t)
{
    gf_inode_table_stats_t s;

    ck_assert_int_eq(gf_inode_table_stats(t, &s), 0);
    return s;
}

static void
check_path(gf_inode_t *in, const char *name, const char *want)
{
    char buf[4096];
    int n = gf_inode_path(in, name, buf, sizeof(buf));

    ck_assert_int_eq(n, (int)strlen(want));
    ck_assert_str_eq(buf, want);
}

/* The errno of a gf_inode_link expected to fail (0 if it succeeded). */
static int
link_err(gf_inode_t *in, gf_inode_t *parent, const char *name,
         const gf_gfid_t *gfid, gf_inode_type_t type)
{
    gf_inode_t *l;

    errno = 0;
    l = gf_inode_link(in, parent, name, gfid, type);
    if (l) {
        gf_inode_unref(l);
        return 0;
    }
    return errno;
}

/* Records forget callbacks. */
struct forgets {
    unsigned calls;
    unsigned slot_mask;
    uint64_t sum;
};

static void
on_forget(gf_inode_t *inode, unsigned slot, uint64_t value, void *data)
{
    struct forgets *f = data;

    ck_assert_ptr_nonnull(inode);
    __atomic_fetch_add(&f->calls, 1, __ATOMIC_RELAXED);
    __atomic_fetch_or(&f->slot_mask, 1u << slot, __ATOMIC_RELAXED);
    __atomic_fetch_add(&f->sum, value, __ATOMIC_RELAXED);
}

/* ---- gfid --------------------------------------------------------------- */

START_TEST(gfid_generate_random)
{
    gf_gfid_t a, b;

    for (int i = 0; i < 1000; i++) {
        ck_assert_int_eq(gf_gfid_generate(&a), 0);
        ck_assert_int_eq(gf_gfid_generate(&b), 0);
        ck_assert(!gf_gfid_is_null(&a));
        ck_assert(!gf_gfid_is_root(&a));
        ck_assert_int_eq(a.b[6] >> 4, 4); /* version 4 */
        ck_assert_int_ne(gf_gfid_cmp(&a, &b), 0);
    }
    ck_assert_int_eq(gf_gfid_generate(NULL), -EINVAL);
}
END_TEST

START_TEST(gfid_root_and_null)
{
    gf_gfid_t root = gf_gfid_root(), null = gf_gfid_null(), p;

    ck_assert(gf_gfid_is_root(&root));
    ck_assert(!gf_gfid_is_null(&root));
    ck_assert(gf_gfid_is_null(&null));
    ck_assert(!gf_gfid_is_root(&null));
    ck_assert(gf_gfid_is_null(NULL));
    ck_assert(!gf_gfid_is_root(NULL));
    ck_assert_int_eq(gf_gfid_parse("00000000-0000-0000-0000-000000000001", &p),
                     0);
    ck_assert(gf_gfid_is_root(&p));
    ck_assert(gf_gfid_equal(&p, &root));
}
END_TEST

START_TEST(gfid_parse_unparse)
{
    const char *s = "0f1e2d3c-4b5a-6978-8796-a5b4c3d2e1f0";
    char buf[GF_GFID_STR_SIZE];
    gf_gfid_t g, u;

    ck_assert_int_eq(gf_gfid_parse(s, &g), 0);
    ck_assert_int_eq(g.b[0], 0x0f);
    ck_assert_int_eq(g.b[15], 0xf0);
    ck_assert_int_eq(gf_gfid_unparse(&g, buf), 0);
    ck_assert_str_eq(buf, s);
    /* Upper case reads the same; output is always lower case. */
    ck_assert_int_eq(gf_gfid_parse("0F1E2D3C-4B5A-6978-8796-A5B4C3D2E1F0", &u),
                     0);
    ck_assert(gf_gfid_equal(&g, &u));
    for (int i = 0; i < 100; i++) {
        gf_gfid_generate(&g);
        gf_gfid_unparse(&g, buf);
        ck_assert_int_eq(strlen(buf), 36);
        ck_assert_int_eq(gf_gfid_parse(buf, &u), 0);
        ck_assert(gf_gfid_equal(&g, &u));
    }
    ck_assert_int_eq(gf_gfid_unparse(NULL, buf), -EINVAL);
    ck_assert_int_eq(gf_gfid_unparse(&g, NULL), -EINVAL);
}
END_TEST

START_TEST(gfid_parse_strict)
{
    static const char *bad[] = {
        "",
        "0f1e2d3c-4b5a-6978-8796-a5b4c3d2e1f",   /* 35 */
        "0f1e2d3c-4b5a-6978-8796-a5b4c3d2e1f00", /* 37 */
        "0f1e2d3c4b5a-6978-8796-a5b4c3d2e1f0a",  /* dash moved */
        "0f1e2d3c-4b5a-6978-8796_a5b4c3d2e1f0",  /* not a dash */
        "0f1e2d3c-4b5a-6978-8796-a5b4c3d2e1fg",  /* not hex */
        "{f1e2d3c-4b5a-6978-8796-a5b4c3d2e1f0}",
        " 0f1e2d3c-4b5a-6978-8796-a5b4c3d2e1f0",
        "0f1e2d3c-4b5a-6978-8796-a5b4c3d2e1f0 ",
        "urn:uuid:0f1e2d3c-4b5a-6978-8796-a5b4c3d2e1f0",
        "0f1e2d3c0-4b5-6978-8796-a5b4c3d2e1f0",
        "+f1e2d3c-4b5a-6978-8796-a5b4c3d2e1f0",
    };
    gf_gfid_t g, keep;

    gf_gfid_generate(&g);
    keep = g;
    for (size_t i = 0; i < GF_ARRAY_SIZE(bad); i++) {
        ck_assert_msg(gf_gfid_parse(bad[i], &g) == -EINVAL, "accepted '%s'",
                      bad[i]);
        ck_assert(gf_gfid_equal(&g, &keep)); /* untouched */
    }
    ck_assert_int_eq(gf_gfid_parse(NULL, &g), -EINVAL);
    ck_assert_int_eq(
        gf_gfid_parse("0f1e2d3c-4b5a-6978-8796-a5b4c3d2e1f0", NULL), -EINVAL);
}
END_TEST

START_TEST(gfid_cmp_and_hash)
{
    gf_gfid_t a = gf_gfid_null(), b = gf_gfid_null(), root = gf_gfid_root();
    static unsigned bucket[4096];
    unsigned worst = 0;

    a.b[0] = 1;
    b.b[0] = 2;
    ck_assert_int_lt(gf_gfid_cmp(&a, &b), 0);
    ck_assert_int_gt(gf_gfid_cmp(&b, &a), 0);
    ck_assert_int_eq(gf_gfid_cmp(&a, &a), 0);
    ck_assert_int_lt(gf_gfid_cmp(NULL, &a), 0);
    ck_assert_int_gt(gf_gfid_cmp(&a, NULL), 0);
    ck_assert_int_eq(gf_gfid_cmp(NULL, NULL), 0);
    ck_assert_uint_eq(gf_gfid_hash(&a), gf_gfid_hash(&a));
    ck_assert_uint_ne(gf_gfid_hash(&root), gf_gfid_hash(NULL));
    /* Sequential gfids (worst case for a naive hash) spread evenly: 4096
     * keys in 4096 buckets; a random hash gives a max load around 7. */
    memset(bucket, 0, sizeof(bucket));
    for (unsigned i = 0; i < 4096; i++) {
        gf_gfid_t g = gf_gfid_null();

        g.b[14] = (unsigned char)(i >> 8);
        g.b[15] = (unsigned char)i;
        unsigned n = ++bucket[gf_gfid_hash(&g) & 4095];
        worst = n > worst ? n : worst;
    }
    ck_assert_uint_le(worst, 12);
}
END_TEST

/* ---- table basics ------------------------------------------------------- */

START_TEST(table_has_root)
{
    gf_inode_table_t *t = gf_inode_table_new(100, 4);
    gf_gfid_t root = gf_gfid_root(), g;
    gf_inode_t *r, *f;

    ck_assert_ptr_nonnull(t);
    r = gf_inode_table_root(t);
    ck_assert_ptr_nonnull(r);
    ck_assert_int_eq(gf_inode_type(r), GF_INODE_DIR);
    ck_assert_int_eq(gf_inode_gfid(r, &g), 0);
    ck_assert(gf_gfid_is_root(&g));
    f = gf_inode_find(t, &root);
    ck_assert_ptr_eq(f, r);
    ck_assert_ptr_eq(gf_inode_table_of(r), t);
    check_path(r, NULL, "/");
    check_path(r, "x", "/x");
    gf_inode_table_stats_t s = stats(t);
    ck_assert_uint_eq(s.active, 1);
    ck_assert_uint_eq(s.linked, 1);
    ck_assert_uint_eq(s.lru, 0);
    ck_assert_uint_eq(s.lru_limit, 100);
    ck_assert_uint_eq(s.nslots, 4);
    ck_assert_int_eq(gf_inode_type_from_mode(S_IFDIR | 0755), GF_INODE_DIR);
    ck_assert_int_eq(gf_inode_type_from_mode(S_IFREG | 0644), GF_INODE_REG);
    ck_assert_int_eq(gf_inode_type_from_mode(S_IFSOCK), GF_INODE_SOCK);
    ck_assert_int_eq(gf_inode_type_from_mode(0644), GF_INODE_INVAL);
    gf_inode_unref(f);
    gf_inode_unref(r);
    gf_inode_table_free(t);
}
END_TEST

START_TEST(link_find_grep_unlink)
{
    gf_inode_table_t *t = gf_inode_table_new(0, 0);
    gf_inode_t *root = gf_inode_table_root(t), *a, *x;
    gf_gfid_t g;

    a = mk(t, root, "a", GF_INODE_REG, &g);
    ck_assert_int_eq(gf_inode_refcount(a), 1);
    x = gf_inode_find(t, &g);
    ck_assert_ptr_eq(x, a);
    gf_inode_unref(x);
    x = gf_inode_grep(t, root, "a");
    ck_assert_ptr_eq(x, a);
    gf_inode_unref(x);
    ck_assert_ptr_null(gf_inode_grep(t, root, "b"));
    ck_assert_int_eq(errno, ENOENT);
    check_path(a, NULL, "/a");

    /* Unlinked: the name is gone, the gfid stays while referenced. */
    ck_assert_int_eq(gf_inode_unlink(a, root, "a"), 0);
    ck_assert_int_eq(gf_inode_unlink(a, root, "a"), -ENOENT);
    ck_assert_ptr_null(gf_inode_grep(t, root, "a"));
    x = gf_inode_find(t, &g);
    ck_assert_ptr_eq(x, a);
    gf_inode_unref(x);
    ck_assert_int_eq(gf_inode_path(a, NULL, (char[8]){0}, 8), -ENOENT);
    ck_assert_uint_eq(stats(t).dentries, 0);

    /* No lookup count: the last unref destroys it. */
    gf_inode_unref(a);
    ck_assert_ptr_null(gf_inode_find(t, &g));
    ck_assert_int_eq(errno, ENOENT);
    ck_assert_uint_eq(stats(t).active, 1);
    ck_assert_uint_eq(stats(t).destroyed, 1);
    gf_inode_unref(root);
    gf_inode_table_free(t);
}
END_TEST

START_TEST(same_gfid_links_one_inode)
{
    gf_inode_table_t *t = gf_inode_table_new(0, 0);
    gf_inode_t *root = gf_inode_table_root(t);
    gf_inode_t *n1 = gf_inode_new(t), *n2 = gf_inode_new(t), *l1, *l2;
    gf_gfid_t g;

    gf_gfid_generate(&g);
    ck_assert_uint_eq(stats(t).active, 3);
    l1 = gf_inode_link(n1, root, "f", &g, GF_INODE_REG);
    l2 = gf_inode_link(n2, root, "f", &g, GF_INODE_REG);
    ck_assert_ptr_eq(l1, n1);
    ck_assert_ptr_eq(l2, n1); /* the existing one wins */
    ck_assert_int_eq(gf_inode_refcount(n1), 3);
    /* n2 never joined the table: its only reference destroys it. */
    gf_inode_unref(n2);
    ck_assert_uint_eq(stats(t).destroyed, 1);
    ck_assert_uint_eq(stats(t).linked, 2);
    ck_assert_uint_eq(stats(t).dentries, 1);
    /* Nameless link of a known gfid: the same inode again. */
    gf_inode_t *n3 = gf_inode_new(t), *l3;
    l3 = gf_inode_link(n3, NULL, NULL, &g, GF_INODE_REG);
    ck_assert_ptr_eq(l3, n1);
    gf_inode_unref(n3);
    gf_inode_unref(l3);
    gf_inode_unref(l2);
    gf_inode_unref(l1);
    gf_inode_unref(n1);
    ck_assert_uint_eq(stats(t).active, 1);
    gf_inode_unref(root);
    gf_inode_table_free(t);
}
END_TEST

START_TEST(hard_links)
{
    gf_inode_table_t *t = gf_inode_table_new(0, 0);
    gf_inode_t *root = gf_inode_table_root(t), *d, *f, *again, *x;
    gf_gfid_t g;

    d = mk(t, root, "d", GF_INODE_DIR, NULL);
    f = mk(t, d, "x", GF_INODE_REG, &g);
    again = gf_inode_link(f, root, "y", &g, GF_INODE_REG);
    ck_assert_ptr_eq(again, f);
    gf_inode_unref(again);
    ck_assert_uint_eq(stats(t).dentries, 3);
    x = gf_inode_grep(t, root, "y");
    ck_assert_ptr_eq(x, f);
    gf_inode_unref(x);
    x = gf_inode_grep(t, d, "x");
    ck_assert_ptr_eq(x, f);
    gf_inode_unref(x);
    check_path(f, NULL, "/d/x"); /* first name */
    ck_assert_int_eq(gf_inode_unlink(f, d, "x"), 0);
    check_path(f, NULL, "/y");
    /* Unlinking a name of another inode is refused. */
    ck_assert_int_eq(gf_inode_unlink(d, root, "y"), -ENOENT);
    gf_inode_unref(f);
    gf_inode_unref(d);
    gf_inode_unref(root);
    gf_inode_table_free(t);
}
END_TEST

START_TEST(path_building)
{
    gf_inode_table_t *t = gf_inode_table_new(0, 0);
    gf_inode_t *root = gf_inode_table_root(t), *a, *b, *c, *loose, *fresh;
    char small[6];

    a = mk(t, root, "alpha", GF_INODE_DIR, NULL);
    b = mk(t, a, "beta", GF_INODE_DIR, NULL);
    c = mk(t, b, "c", GF_INODE_REG, NULL);
    check_path(c, NULL, "/alpha/beta/c");
    check_path(b, "new-file", "/alpha/beta/new-file");
    check_path(a, NULL, "/alpha");
    /* "/alpha" needs 7 bytes. */
    ck_assert_int_eq(gf_inode_path(a, NULL, small, sizeof(small)),
                     -ENAMETOOLONG);
    ck_assert_str_eq(small, "");
    ck_assert_int_eq(gf_inode_path(a, NULL, small, 0), -EINVAL);
    ck_assert_int_eq(gf_inode_path(a, "x/y", small, sizeof(small)), -EINVAL);
    ck_assert_int_eq(gf_inode_path(NULL, NULL, small, sizeof(small)), -EINVAL);
    /* Known by gfid only (nameless lookup), and never linked. */
    loose = mk(t, NULL, NULL, GF_INODE_DIR, NULL);
    ck_assert_int_eq(gf_inode_path(loose, "n", small, sizeof(small)), -ENOENT);
    fresh = gf_inode_new(t);
    ck_assert_int_eq(gf_inode_path(fresh, NULL, small, sizeof(small)), -ENOENT);
    /* A child of a disconnected directory has no path either. */
    gf_inode_t *orphan = mk(t, loose, "o", GF_INODE_REG, NULL);
    ck_assert_int_eq(gf_inode_path(orphan, NULL, small, sizeof(small)),
                     -ENOENT);
    gf_inode_unref(orphan);
    gf_inode_unref(fresh);
    gf_inode_unref(loose);
    gf_inode_unref(c);
    gf_inode_unref(b);
    gf_inode_unref(a);
    gf_inode_unref(root);
    gf_inode_table_free(t);
}
END_TEST

START_TEST(rename_moves_names)
{
    gf_inode_table_t *t = gf_inode_table_new(0, 0);
    gf_inode_t *root = gf_inode_table_root(t), *d1, *d2, *f, *victim, *x;
    gf_gfid_t vg;

    d1 = mk(t, root, "d1", GF_INODE_DIR, NULL);
    d2 = mk(t, root, "d2", GF_INODE_DIR, NULL);
    f = mk(t, d1, "f", GF_INODE_REG, NULL);
    victim = mk(t, d2, "g", GF_INODE_REG, &vg);

    /* Plain move. */
    ck_assert_int_eq(gf_inode_rename(t, d1, "f", d2, "f2", f), 0);
    check_path(f, NULL, "/d2/f2");
    ck_assert_ptr_null(gf_inode_grep(t, d1, "f"));
    /* Over an existing name: the victim loses its dentry, not its gfid. */
    ck_assert_int_eq(gf_inode_rename(t, d2, "f2", d2, "g", f), 0);
    x = gf_inode_grep(t, d2, "g");
    ck_assert_ptr_eq(x, f);
    gf_inode_unref(x);
    ck_assert_int_eq(gf_inode_path(victim, NULL, (char[64]){0}, 64), -ENOENT);
    gf_inode_unref(victim);
    ck_assert_ptr_null(gf_inode_find(t, &vg));
    ck_assert_uint_eq(stats(t).dentries, 3);

    /* A directory carries its subtree; it cannot go under itself. */
    ck_assert_int_eq(gf_inode_rename(t, root, "d2", d1, "sub", d2), 0);
    check_path(f, NULL, "/d1/sub/g");
    ck_assert_int_eq(gf_inode_rename(t, d1, "sub", d2, "loop", d2), -ELOOP);
    ck_assert_int_eq(gf_inode_rename(t, root, "d1", d2, "loop", d1), -ELOOP);
    check_path(f, NULL, "/d1/sub/g");
    /* Into a non-directory, and of the root. */
    ck_assert_int_eq(gf_inode_rename(t, d2, "g", f, "x", f), -ENOTDIR);
    ck_assert_int_eq(gf_inode_rename(t, d1, "r", d2, "r", root), -EINVAL);
    /* A missing source name still links the destination. */
    ck_assert_int_eq(gf_inode_rename(t, root, "nope", root, "top", f), 0);
    x = gf_inode_grep(t, root, "top");
    ck_assert_ptr_eq(x, f);
    gf_inode_unref(x);

    gf_inode_unref(f);
    gf_inode_unref(d2);
    gf_inode_unref(d1);
    gf_inode_unref(root);
    gf_inode_table_free(t);
}
END_TEST

START_TEST(directory_keeps_one_name)
{
    gf_inode_table_t *t = gf_inode_table_new(0, 0);
    gf_inode_t *root = gf_inode_table_root(t), *d, *e, *l;
    gf_gfid_t g;

    d = mk(t, root, "d", GF_INODE_DIR, &g);
    e = mk(t, root, "e", GF_INODE_DIR, NULL);
    l = gf_inode_link(d, e, "moved", &g, GF_INODE_DIR);
    ck_assert_ptr_eq(l, d);
    gf_inode_unref(l);
    check_path(d, NULL, "/e/moved");
    ck_assert_ptr_null(gf_inode_grep(t, root, "d"));
    /* Linking a directory under its own child is a loop. */
    gf_inode_t *c = mk(t, d, "c", GF_INODE_DIR, NULL);
    gf_gfid_t eg;
    gf_inode_gfid(e, &eg);
    ck_assert_ptr_null(gf_inode_link(e, c, "e", &eg, GF_INODE_DIR));
    ck_assert_int_eq(errno, ELOOP);
    ck_assert_ptr_null(gf_inode_link(d, d, "self", &g, GF_INODE_DIR));
    ck_assert_int_eq(errno, ELOOP);
    gf_inode_unref(c);
    gf_inode_unref(e);
    gf_inode_unref(d);
    gf_inode_unref(root);
    gf_inode_table_free(t);
}
END_TEST

START_TEST(link_rejects_bad_input)
{
    gf_inode_table_t *t = gf_inode_table_new(0, 2), *t2;
    gf_inode_t *root = gf_inode_table_root(t), *f, *n = gf_inode_new(t);
    gf_gfid_t g, null = gf_gfid_null(), root_g = gf_gfid_root();
    char longname[GF_INODE_NAME_MAX + 2];

    ck_assert_ptr_null(gf_inode_table_new(0, GF_INODE_MAX_SLOTS + 1));
    ck_assert_int_eq(errno, EINVAL);
    f = mk(t, root, "f", GF_INODE_REG, &g);
    gf_gfid_generate(&g);

    ck_assert_int_eq(link_err(n, root, "x", &null, GF_INODE_REG), EINVAL);
    ck_assert_int_eq(link_err(n, root, "x", NULL, GF_INODE_REG), EINVAL);
    ck_assert_int_eq(link_err(NULL, root, "x", &g, GF_INODE_REG), EINVAL);
    ck_assert_int_eq(link_err(n, root, "x", &g, GF_INODE_INVAL), EINVAL);
    ck_assert_int_eq(link_err(n, root, "x", &g, (gf_inode_type_t)99), EINVAL);
    ck_assert_int_eq(link_err(n, root, NULL, &g, GF_INODE_REG), EINVAL);
    ck_assert_int_eq(link_err(n, NULL, "x", &g, GF_INODE_REG), EINVAL);
    ck_assert_int_eq(link_err(n, root, "", &g, GF_INODE_REG), EINVAL);
    ck_assert_int_eq(link_err(n, root, ".", &g, GF_INODE_REG), EINVAL);
    ck_assert_int_eq(link_err(n, root, "..", &g, GF_INODE_REG), EINVAL);
    ck_assert_int_eq(link_err(n, root, "a/b", &g, GF_INODE_REG), EINVAL);
    memset(longname, 'n', sizeof(longname) - 1);
    longname[sizeof(longname) - 1] = '\0';
    ck_assert_int_eq(link_err(n, root, longname, &g, GF_INODE_REG),
                     ENAMETOOLONG);
    ck_assert_int_eq(link_err(n, f, "x", &g, GF_INODE_REG), ENOTDIR);
    ck_assert_int_eq(link_err(n, root, "x", &root_g, GF_INODE_DIR), EINVAL);
    ck_assert_int_eq(link_err(f, root, "x", &g, GF_INODE_REG),
                     EINVAL); /* other gfid */
    {
        gf_gfid_t fg;
        gf_inode_gfid(f, &fg);
        ck_assert_int_eq(link_err(n, root, "x", &fg, GF_INODE_DIR), ESTALE);
    }
    /* Parent not linked, parent of another table. */
    gf_inode_t *loose = gf_inode_new(t);
    ck_assert_int_eq(link_err(n, loose, "x", &g, GF_INODE_REG), EINVAL);
    t2 = gf_inode_table_new(0, 0);
    gf_inode_t *root2 = gf_inode_table_root(t2);
    ck_assert_int_eq(link_err(n, root2, "x", &g, GF_INODE_REG), EINVAL);
    /* A failed link leaves the new inode unlinked and usable. */
    ck_assert_int_eq(gf_inode_type(n), GF_INODE_INVAL);
    longname[GF_INODE_NAME_MAX] = '\0'; /* exactly NAME_MAX: fine */
    gf_inode_t *l = gf_inode_link(n, root, longname, &g, GF_INODE_REG);
    ck_assert_ptr_eq(l, n);
    char want[GF_INODE_NAME_MAX + 2] = "/";
    strcat(want, longname);
    check_path(l, NULL, want);
    gf_inode_unref(l);

    gf_inode_unref(root2);
    gf_inode_table_free(t2);
    gf_inode_unref(loose);
    gf_inode_unref(n);
    gf_inode_unref(f);
    gf_inode_unref(root);
    gf_inode_table_free(t);
}
END_TEST

START_TEST(calls_reject_bad_input)
{
    gf_inode_table_t *t = gf_inode_table_new(0, 2);
    gf_inode_table_t *t2 = gf_inode_table_new(0, 0);
    gf_inode_t *root = gf_inode_table_root(t);
    gf_inode_t *root2 = gf_inode_table_root(t2);
    gf_inode_t *f = mk(t, root, "f", GF_INODE_REG, NULL);
    gf_gfid_t g;
    uint64_t v;

    gf_gfid_generate(&g);
    ck_assert_int_eq(gf_inode_unlink(NULL, root, "f"), -EINVAL);
    ck_assert_int_eq(gf_inode_unlink(f, root, NULL), -EINVAL);
    ck_assert_int_eq(gf_inode_unlink(f, root2, "f"), -EINVAL);
    ck_assert_int_eq(gf_inode_rename(NULL, root, "f", root, "g", f), -EINVAL);
    ck_assert_int_eq(gf_inode_rename(t, root, "f", root, "..", f), -EINVAL);
    ck_assert_int_eq(gf_inode_rename(t2, root, "f", root, "g", f), -EINVAL);
    ck_assert_ptr_null(gf_inode_find(NULL, &g));
    ck_assert_int_eq(errno, EINVAL);
    ck_assert_ptr_null(gf_inode_find(t, NULL));
    ck_assert_ptr_null(gf_inode_grep(t, NULL, "f"));
    ck_assert_int_eq(errno, EINVAL);
    ck_assert_ptr_null(gf_inode_grep(t, root2, "f"));
    ck_assert_ptr_null(gf_inode_grep(t, root, "a/b"));
    ck_assert_ptr_null(gf_inode_new(NULL));
    ck_assert_int_eq(gf_inode_lookup(NULL), -EINVAL);
    ck_assert_int_eq(gf_inode_forget(NULL, 1), -EINVAL);
    ck_assert_int_eq(gf_inode_forget(f, 0), -EINVAL);
    ck_assert_int_eq(gf_inode_forget(f, 1), -EINVAL); /* nlookup is 0 */
    ck_assert_int_eq(gf_inode_ctx_set(f, 2, 1), -EINVAL);
    ck_assert_int_eq(gf_inode_ctx_get(f, 2, &v), -EINVAL);
    ck_assert_int_eq(gf_inode_ctx_get(f, 0, NULL), -EINVAL);
    ck_assert_int_eq(gf_inode_ctx_del(NULL, 0, &v), -EINVAL);
    ck_assert_int_eq(gf_inode_gfid(NULL, &g), -EINVAL);
    ck_assert_int_eq(gf_inode_gfid(f, NULL), -EINVAL);
    ck_assert_int_eq(gf_inode_type(NULL), GF_INODE_INVAL);
    ck_assert_int_eq(gf_inode_table_stats(NULL, NULL), -EINVAL);
    ck_assert_int_eq(gf_inode_table_dump(t, NULL, NULL), -EINVAL);
    ck_assert_int_eq(gf_inode_table_set_forget(NULL, NULL, NULL), -EINVAL);
    ck_assert_ptr_null(gf_inode_table_root(NULL));
    ck_assert_ptr_null(gf_inode_ref(NULL));
    gf_inode_unref(NULL);
    gf_inode_table_free(NULL);
    ck_assert_uint_eq(gf_inode_refcount(NULL), 0);
    ck_assert_uint_eq(gf_inode_nlookup(NULL), 0);
    ck_assert_uint_eq(gf_inode_fd_count(NULL), 0);

    gf_inode_unref(root2);
    gf_inode_table_free(t2);
    gf_inode_unref(f);
    gf_inode_unref(root);
    gf_inode_table_free(t);
}
END_TEST

/* ---- lookup counts and LRU ---------------------------------------------- */

START_TEST(lookup_count_keeps_inode)
{
    gf_inode_table_t *t = gf_inode_table_new(0, 1);
    gf_inode_t *root = gf_inode_table_root(t), *f, *x;
    struct forgets fc = {0};
    gf_gfid_t g;

    gf_inode_table_set_forget(t, on_forget, &fc);
    f = mk(t, root, "f", GF_INODE_REG, &g);
    gf_inode_ctx_set(f, 0, 42);
    for (int i = 0; i < 3; i++)
        ck_assert_int_eq(gf_inode_lookup(f), 0);
    ck_assert_uint_eq(gf_inode_nlookup(f), 3);
    gf_inode_unref(f);
    ck_assert_uint_eq(stats(t).lru, 1);
    ck_assert_uint_eq(stats(t).active, 1);
    /* Found again from the LRU list: back to active. */
    x = gf_inode_find(t, &g);
    ck_assert_ptr_eq(x, f);
    ck_assert_uint_eq(stats(t).lru, 0);
    ck_assert_uint_eq(stats(t).active, 2);
    gf_inode_unref(x);
    ck_assert_int_eq(gf_inode_forget(f, 4), -EINVAL); /* too many */
    ck_assert_int_eq(gf_inode_forget(f, 2), 0);
    ck_assert_uint_eq(stats(t).lru, 1);
    ck_assert_uint_eq(fc.calls, 0);
    ck_assert_int_eq(gf_inode_forget(f, 1), 0);
    /* Gone, and its context owner was told. */
    ck_assert_uint_eq(stats(t).lru, 0);
    ck_assert_uint_eq(stats(t).dentries, 0);
    ck_assert_ptr_null(gf_inode_find(t, &g));
    ck_assert_uint_eq(fc.calls, 1);
    ck_assert_uint_eq(fc.sum, 42);
    gf_inode_unref(root);
    gf_inode_table_free(t);
}
END_TEST

/* After an unlink, an inode with no name left drops its lookups and goes
 * once unreferenced; one with another name (a hard link) keeps them. */
START_TEST(forget_if_unlinked)
{
    gf_inode_table_t *t = gf_inode_table_new(0, 1);
    gf_inode_t *root = gf_inode_table_root(t), *f;
    struct forgets fc = {0};
    gf_gfid_t g;

    gf_inode_table_set_forget(t, on_forget, &fc);
    f = mk(t, root, "f", GF_INODE_REG, &g);
    gf_inode_ctx_set(f, 0, 7);
    ck_assert_int_eq(gf_inode_lookup(f), 0);
    ck_assert_int_eq(gf_inode_lookup(f), 0);
    gf_inode_unref(gf_inode_link(f, root, "g", &g, GF_INODE_REG));
    ck_assert_int_eq(gf_inode_unlink(f, root, "f"), 0);
    ck_assert_int_eq(gf_inode_forget_if_unlinked(f), 0); /* "g" remains */
    ck_assert_uint_eq(gf_inode_nlookup(f), 2);
    ck_assert_int_eq(gf_inode_unlink(f, root, "g"), 0);
    ck_assert_int_eq(gf_inode_forget_if_unlinked(f), 1);
    ck_assert_uint_eq(gf_inode_nlookup(f), 0);
    /* Still referenced (an open unlinked file): findable until then. */
    ck_assert_uint_eq(fc.calls, 0);
    gf_inode_unref(f);
    ck_assert_uint_eq(fc.calls, 1);
    ck_assert_uint_eq(fc.sum, 7);
    ck_assert_ptr_null(gf_inode_find(t, &g));
    /* The root never goes; NULL is refused. */
    ck_assert_int_eq(gf_inode_forget_if_unlinked(root), 0);
    ck_assert_int_eq(gf_inode_forget_if_unlinked(NULL), -EINVAL);
    gf_inode_unref(root);
    gf_inode_table_free(t);
}
END_TEST

enum { MANY = 10000, LIMIT = 1000, PINNED_EVERY = 100 };

START_TEST(lru_limit_honoured)
{
    gf_inode_table_t *t = gf_inode_table_new(LIMIT, 1);
    gf_inode_t *root = gf_inode_table_root(t);
    static gf_gfid_t gfids[MANY];
    static gf_inode_t *pinned[MANY / PINNED_EVERY];
    struct forgets fc = {0};
    gf_inode_table_stats_t s;
    unsigned np = 0, found = 0;
    char name[32];

    gf_inode_table_set_forget(t, on_forget, &fc);
    for (unsigned i = 0; i < MANY; i++) {
        snprintf(name, sizeof(name), "file-%u", i);
        gf_inode_t *in = mk(t, root, name, GF_INODE_REG, &gfids[i]);

        gf_inode_lookup(in);
        gf_inode_ctx_set(in, 0, 1);
        if (i % PINNED_EVERY == 0)
            pinned[np++] = in; /* keep the reference */
        else
            gf_inode_unref(in);
        ck_assert_uint_le(stats(t).lru, LIMIT);
    }
    s = stats(t);
    ck_assert_uint_eq(s.lru, LIMIT);
    ck_assert_uint_eq(s.active, 1 + np);
    ck_assert_uint_eq(s.purged, MANY - np - LIMIT);
    ck_assert_uint_eq(s.linked, 1 + np + LIMIT);
    ck_assert_uint_eq(s.dentries, np + LIMIT);
    ck_assert_uint_ge(s.gfid_buckets, 1024); /* the hashes grew */
    ck_assert_uint_ge(s.dentry_buckets, 1024);
    ck_assert_uint_eq(fc.calls, s.purged);
    /* Pinned inodes were never purged; the newest LIMIT are still there. */
    for (unsigned i = 0; i < MANY; i++) {
        gf_inode_t *in = gf_inode_find(t, &gfids[i]);

        if (i % PINNED_EVERY == 0)
            ck_assert_ptr_eq(in, pinned[i / PINNED_EVERY]);
        found += in != NULL;
        gf_inode_unref(in);
    }
    ck_assert_uint_eq(found, np + LIMIT);
    for (unsigned i = 0; i < np; i++)
        gf_inode_unref(pinned[i]);
    s = stats(t);
    ck_assert_uint_eq(s.lru, LIMIT);
    ck_assert_uint_eq(s.active, 1);
    gf_inode_unref(root);
    gf_inode_table_free(t);
    ck_assert_uint_eq(fc.calls, MANY); /* every context released */
}
END_TEST

START_TEST(lru_purges_leaves_first)
{
    gf_inode_table_t *t = gf_inode_table_new(3, 0);
    gf_inode_t *root = gf_inode_table_root(t), *d, *f[5];
    gf_gfid_t dg, fg[5];
    char name[8];

    d = mk(t, root, "d", GF_INODE_DIR, &dg);
    gf_inode_lookup(d);
    for (int i = 0; i < 5; i++) {
        snprintf(name, sizeof(name), "f%d", i);
        f[i] = mk(t, d, name, GF_INODE_REG, &fg[i]);
        gf_inode_lookup(f[i]);
    }
    gf_inode_unref(d); /* still active: its children's names hold it */
    for (int i = 0; i < 5; i++)
        gf_inode_unref(f[i]);
    ck_assert_uint_eq(stats(t).lru, 3);
    ck_assert_uint_eq(stats(t).active, 2);
    ck_assert_uint_eq(stats(t).purged, 2);
    /* The two oldest went. */
    ck_assert_ptr_null(gf_inode_find(t, &fg[0]));
    ck_assert_ptr_null(gf_inode_find(t, &fg[1]));
    /* Forgetting the last children lets the directory join the LRU. */
    for (int i = 2; i < 5; i++) {
        gf_inode_t *x = gf_inode_find(t, &fg[i]);

        ck_assert_ptr_nonnull(x);
        gf_inode_unref(x);
        ck_assert_int_eq(gf_inode_forget(x, 1), 0);
    }
    ck_assert_uint_eq(stats(t).lru, 1);
    ck_assert_uint_eq(stats(t).active, 1);
    gf_inode_t *x = gf_inode_find(t, &dg);
    ck_assert_ptr_nonnull(x);
    check_path(x, NULL, "/d");
    gf_inode_unref(x);
    gf_inode_unref(root);
    gf_inode_table_free(t);
}
END_TEST

/* ---- contexts, threads, teardown, dump ---------------------------------- */

START_TEST(ctx_slots)
{
    gf_inode_table_t *t = gf_inode_table_new(0, GF_INODE_MAX_SLOTS);
    gf_inode_t *root = gf_inode_table_root(t), *f;
    struct forgets fc = {0};
    uint64_t v = 7;

    gf_inode_table_set_forget(t, on_forget, &fc);
    f = mk(t, root, "f", GF_INODE_REG, NULL);
    ck_assert_int_eq(gf_inode_ctx_get(f, 0, &v), -ENOENT);
    ck_assert_uint_eq(v, 7);
    ck_assert_int_eq(gf_inode_ctx_set(f, 0, 10), 0);
    ck_assert_int_eq(gf_inode_ctx_set(f, 5, 20), 0);
    ck_assert_int_eq(gf_inode_ctx_set(f, 63, 30), 0);
    ck_assert_int_eq(gf_inode_ctx_set(f, 5, 21), 0); /* replace */
    ck_assert_int_eq(gf_inode_ctx_set(f, 64, 1), -EINVAL);
    ck_assert_int_eq(gf_inode_ctx_get(f, 5, &v), 0);
    ck_assert_uint_eq(v, 21);
    ck_assert_int_eq(gf_inode_ctx_get(f, 63, &v), 0);
    ck_assert_uint_eq(v, 30);
    ck_assert_int_eq(gf_inode_ctx_del(f, 0, &v), 0);
    ck_assert_uint_eq(v, 10);
    ck_assert_int_eq(gf_inode_ctx_del(f, 0, &v), -ENOENT);
    ck_assert_int_eq(gf_inode_ctx_get(f, 0, &v), -ENOENT);
    ck_assert_int_eq(gf_inode_ctx_del(f, 63, NULL), 0);
    /* Slot 0 and 63 were deleted: only slot 5 is reported. */
    gf_inode_unref(f);
    ck_assert_uint_eq(fc.calls, 1);
    ck_assert_uint_eq(fc.slot_mask, 1u << 5);
    ck_assert_uint_eq(fc.sum, 21);
    gf_inode_unref(root);
    gf_inode_table_free(t);
}
END_TEST

struct hammer {
    gf_inode_table_t *t;
    gf_inode_t *in;
    gf_gfid_t gfid;
    int iters;
};

static void *
hammer_refs(void *arg)
{
    struct hammer *h = arg;

    for (int i = 0; i < h->iters; i++) {
        gf_inode_t *a = gf_inode_ref(h->in);
        gf_inode_t *b = gf_inode_find(h->t, &h->gfid);

        ck_assert_ptr_eq(b, h->in);
        gf_inode_unref(a);
        gf_inode_unref(b);
    }
    return NULL;
}

/* Nobody holds the inode between iterations: every find is a 0 -> 1
 * transition off the LRU list and every unref a 1 -> 0 back to it. */
static void *
hammer_lru(void *arg)
{
    struct hammer *h = arg;

    for (int i = 0; i < h->iters; i++) {
        gf_inode_t *b = gf_inode_find(h->t, &h->gfid);

        ck_assert_ptr_nonnull(b);
        gf_inode_ref(b);
        gf_inode_unref(b);
        gf_inode_unref(b);
    }
    return NULL;
}

static void
run2(void *(*fn)(void *), struct hammer *h)
{
    pthread_t th[2];

    for (int i = 0; i < 2; i++)
        ck_assert_int_eq(pthread_create(&th[i], NULL, fn, h), 0);
    for (int i = 0; i < 2; i++)
        pthread_join(th[i], NULL);
}

START_TEST(refs_from_two_threads)
{
    struct hammer h = {.t = gf_inode_table_new(10, 0), .iters = 100000};
    gf_inode_t *root = gf_inode_table_root(h.t);

    h.in = mk(h.t, root, "f", GF_INODE_REG, &h.gfid);
    gf_inode_lookup(h.in);
    run2(hammer_refs, &h);
    ck_assert_uint_eq(gf_inode_refcount(h.in), 1);
    ck_assert_uint_eq(stats(h.t).active, 2);
    gf_inode_unref(h.in);
    ck_assert_uint_eq(stats(h.t).lru, 1);
    run2(hammer_lru, &h);
    /* Back on the LRU list, never destroyed on the way. */
    ck_assert_uint_eq(stats(h.t).lru, 1);
    ck_assert_uint_eq(stats(h.t).active, 1);
    ck_assert_uint_eq(stats(h.t).destroyed, 0);
    ck_assert_uint_eq(gf_inode_refcount(h.in), 0);
    gf_inode_unref(root);
    gf_inode_table_free(h.t);
}
END_TEST

START_TEST(free_table_with_held_inodes)
{
    gf_inode_table_t *t = gf_inode_table_new(0, 1);
    gf_inode_t *root = gf_inode_table_root(t), *d, *f, *lru;
    struct forgets fc = {0};

    gf_inode_table_set_forget(t, on_forget, &fc);
    d = mk(t, root, "d", GF_INODE_DIR, NULL);
    f = mk(t, d, "f", GF_INODE_REG, NULL);
    lru = mk(t, d, "lru", GF_INODE_REG, NULL);
    gf_inode_lookup(lru);
    gf_inode_ctx_set(lru, 0, 1);
    gf_inode_ctx_set(f, 0, 2);
    gf_inode_unref(lru);
    gf_inode_unref(d);
    gf_inode_unref(root);
    /* The LRU inode goes now; f (and d, root above it) when released. */
    gf_inode_table_free(t);
    ck_assert_uint_eq(fc.calls, 1);
    check_path(f, NULL, "/d/f");
    ck_assert_int_eq(gf_inode_ctx_set(f, 0, 3), 0);
    gf_inode_unref(f); /* frees f, d, root and the table */
    ck_assert_uint_eq(fc.calls, 2);
    ck_assert_uint_eq(fc.sum, 4);
}
END_TEST

struct dumped {
    unsigned n, lru, dirs, stop_at;
};

static int
on_dump(const gf_inode_info_t *info, void *data)
{
    struct dumped *d = data;

    d->n++;
    d->lru += info->lru;
    d->dirs += info->type == GF_INODE_DIR;
    return d->stop_at && d->n == d->stop_at ? 99 : 0;
}

START_TEST(dump_walks_everything)
{
    gf_inode_table_t *t = gf_inode_table_new(0, 0);
    gf_inode_t *root = gf_inode_table_root(t), *d, *f;
    struct dumped out = {0};
    char name[8];

    d = mk(t, root, "d", GF_INODE_DIR, NULL);
    for (int i = 0; i < 4; i++) {
        snprintf(name, sizeof(name), "f%d", i);
        f = mk(t, d, name, GF_INODE_REG, NULL);
        gf_inode_lookup(f);
        gf_inode_unref(f);
    }
    ck_assert_int_eq(gf_inode_table_dump(t, on_dump, &out), 0);
    ck_assert_uint_eq(out.n, 6);
    ck_assert_uint_eq(out.lru, 4);
    ck_assert_uint_eq(out.dirs, 2);
    out = (struct dumped){.stop_at = 3};
    ck_assert_int_eq(gf_inode_table_dump(t, on_dump, &out), 99);
    ck_assert_uint_eq(out.n, 3);
    gf_inode_unref(d);
    gf_inode_unref(root);
    gf_inode_table_free(t);
}
END_TEST

START_TEST(unref_without_reference_aborts)
{
    gf_inode_table_t *t = gf_inode_table_new(0, 0);
    gf_inode_t *root = gf_inode_table_root(t);
    gf_inode_t *f = mk(t, root, "f", GF_INODE_REG, NULL);

    gf_inode_lookup(f);
    gf_inode_unref(f); /* on the LRU list, memory still valid */
    gf_inode_unref(f); /* one too many */
}
END_TEST

int
main(void)
{
    Suite *s = suite_create("inode");
    TCase *tc = tcase_create("gfid");
    const char *fork = getenv("CK_FORK");

    tcase_add_test(tc, gfid_generate_random);
    tcase_add_test(tc, gfid_root_and_null);
    tcase_add_test(tc, gfid_parse_unparse);
    tcase_add_test(tc, gfid_parse_strict);
    tcase_add_test(tc, gfid_cmp_and_hash);
    suite_add_tcase(s, tc);

    tc = tcase_create("table");
    tcase_set_timeout(tc, 60);
    tcase_add_test(tc, table_has_root);
    tcase_add_test(tc, link_find_grep_unlink);
    tcase_add_test(tc, same_gfid_links_one_inode);
    tcase_add_test(tc, hard_links);
    tcase_add_test(tc, path_building);
    tcase_add_test(tc, rename_moves_names);
    tcase_add_test(tc, directory_keeps_one_name);
    tcase_add_test(tc, link_rejects_bad_input);
    tcase_add_test(tc, calls_reject_bad_input);
    tcase_add_test(tc, lookup_count_keeps_inode);
    tcase_add_test(tc, forget_if_unlinked);
    tcase_add_test(tc, lru_limit_honoured);
    tcase_add_test(tc, lru_purges_leaves_first);
    tcase_add_test(tc, ctx_slots);
    tcase_add_test(tc, refs_from_two_threads);
    tcase_add_test(tc, free_table_with_held_inodes);
    tcase_add_test(tc, dump_walks_everything);
    /* Aborting tests need Check's fork mode (not CK_FORK=no/valgrind). */
    if (!fork || strcmp(fork, "no") != 0)
        tcase_add_test_raise_signal(tc, unref_without_reference_aborts,
                                    SIGABRT);
    suite_add_tcase(s, tc);
    return gf_test_run(s);
}
