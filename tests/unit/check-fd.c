/* SPDX-License-Identifier: LGPL-3.0-or-later */
/*
 * check-fd.c - fds (inode references, flags, lock owner, context slots,
 * release callbacks) and fd tables (lowest-first numbers, growth, hostile
 * numbers, limits, drain on disconnect, concurrent use).
 */
#include <errno.h>
#include <fcntl.h>
#include <pthread.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include <gf/fd.h>
#include <gf/inode.h>

#include "gf-test.h"

/* A table with a root and one regular file "f"; *FILE is ref'd. */
static gf_inode_table_t *
setup(unsigned nslots, gf_inode_t **file, gf_gfid_t *gfid)
{
    gf_inode_table_t *t = gf_inode_table_new(0, nslots);
    gf_inode_t *root = gf_inode_table_root(t), *in = gf_inode_new(t);
    gf_gfid_t g;

    ck_assert_ptr_nonnull(in);
    gf_gfid_generate(&g);
    *file = gf_inode_link(in, root, "f", &g, GF_INODE_REG);
    ck_assert_ptr_eq(*file, in);
    gf_inode_unref(in);
    gf_inode_unref(root);
    if (gfid)
        *gfid = g;
    return t;
}

struct releases {
    unsigned calls;
    uint64_t sum;
    unsigned slot_mask;
};

static void
on_release(gf_fd_t *fd, unsigned slot, uint64_t value, void *data)
{
    struct releases *r = data;

    ck_assert_ptr_nonnull(gf_fd_inode(fd)); /* still readable */
    __atomic_fetch_add(&r->calls, 1, __ATOMIC_RELAXED);
    __atomic_fetch_add(&r->sum, value, __ATOMIC_RELAXED);
    __atomic_fetch_or(&r->slot_mask, 1u << slot, __ATOMIC_RELAXED);
}

/* ---- fds ---------------------------------------------------------------- */

START_TEST(fd_holds_its_inode)
{
    gf_inode_t *f;
    gf_inode_table_t *t = setup(0, &f, NULL);
    gf_fd_t *fd = gf_fd_new(f, O_RDWR | O_APPEND, 1234);

    ck_assert_ptr_nonnull(fd);
    ck_assert_ptr_eq(gf_fd_inode(fd), f);
    ck_assert_int_eq(gf_fd_flags(fd), O_RDWR | O_APPEND);
    ck_assert_int_eq(gf_fd_pid(fd), 1234);
    ck_assert_uint_eq(gf_fd_refcount(fd), 1);
    ck_assert_uint_eq(gf_inode_refcount(f), 2);
    ck_assert_uint_eq(gf_inode_fd_count(f), 1);
    gf_fd_t *fd2 = gf_fd_new(f, O_RDONLY, 1);
    ck_assert_uint_eq(gf_inode_fd_count(f), 2);
    ck_assert_ptr_eq(gf_fd_ref(fd), fd);
    ck_assert_uint_eq(gf_fd_refcount(fd), 2);
    gf_fd_unref(fd);
    gf_fd_unref(fd);
    gf_fd_unref(fd2);
    ck_assert_uint_eq(gf_inode_fd_count(f), 0);
    ck_assert_uint_eq(gf_inode_refcount(f), 1);
    gf_inode_unref(f);
    gf_inode_table_free(t);
}
END_TEST

START_TEST(fd_keeps_unlinked_file)
{
    gf_inode_t *f, *root, *x;
    gf_gfid_t g;
    gf_inode_table_t *t = setup(0, &f, &g);
    gf_fd_t *fd = gf_fd_new(f, O_RDONLY, 0);

    root = gf_inode_table_root(t);
    ck_assert_int_eq(gf_inode_unlink(f, root, "f"), 0);
    gf_inode_unref(f);
    /* Open but unlinked: still resolvable by gfid. */
    x = gf_inode_find(t, &g);
    ck_assert_ptr_eq(x, f);
    gf_inode_unref(x);
    gf_fd_unref(fd);
    ck_assert_ptr_null(gf_inode_find(t, &g));
    gf_inode_table_stats_t s;
    gf_inode_table_stats(t, &s);
    ck_assert_uint_eq(s.destroyed, 1);
    gf_inode_unref(root);
    gf_inode_table_free(t);
}
END_TEST

START_TEST(fd_ctx_and_release)
{
    gf_inode_t *f;
    gf_inode_table_t *t = setup(3, &f, NULL);
    struct releases r = {0};
    gf_fd_t *fd;
    uint64_t v = 5;

    ck_assert_int_eq(gf_fd_set_release(t, on_release, &r), 0);
    fd = gf_fd_new(f, 0, 0);
    ck_assert_int_eq(gf_fd_ctx_get(fd, 0, &v), -ENOENT);
    ck_assert_int_eq(gf_fd_ctx_set(fd, 0, 100), 0);
    ck_assert_int_eq(gf_fd_ctx_set(fd, 1, 200), 0);
    ck_assert_int_eq(gf_fd_ctx_set(fd, 2, 300), 0);
    ck_assert_int_eq(gf_fd_ctx_set(fd, 3, 1), -EINVAL);
    ck_assert_int_eq(gf_fd_ctx_get(fd, 1, &v), 0);
    ck_assert_uint_eq(v, 200);
    ck_assert_int_eq(gf_fd_ctx_del(fd, 1, &v), 0);
    ck_assert_int_eq(gf_fd_ctx_del(fd, 1, &v), -ENOENT);
    /* Inode and fd contexts are separate. */
    ck_assert_int_eq(gf_inode_ctx_get(f, 0, &v), -ENOENT);
    gf_fd_unref(fd);
    ck_assert_uint_eq(r.calls, 2);
    ck_assert_uint_eq(r.sum, 400);
    ck_assert_uint_eq(r.slot_mask, 0x5);
    gf_inode_unref(f);
    gf_inode_table_free(t);
}
END_TEST

START_TEST(fd_lock_owner)
{
    gf_inode_t *f;
    gf_inode_table_t *t = setup(0, &f, NULL);
    gf_fd_t *fd = gf_fd_new(f, 0, 0);
    unsigned char own[GF_FD_LK_OWNER_MAX + 1], buf[GF_FD_LK_OWNER_MAX];
    uint64_t small = 0x1122334455667788u;

    for (size_t i = 0; i < sizeof(own); i++)
        own[i] = (unsigned char)(i * 7);
    ck_assert_int_eq(gf_fd_lk_owner(fd, buf, sizeof(buf)), 0);
    ck_assert_int_eq(gf_fd_set_lk_owner(fd, &small, sizeof(small)), 0);
    ck_assert_int_eq(gf_fd_lk_owner(fd, buf, sizeof(buf)), 8);
    ck_assert_mem_eq(buf, &small, 8);
    ck_assert_int_eq(gf_fd_lk_owner(fd, buf, 7), -ERANGE);
    /* Long owners go to the heap (replacing is leak-free under valgrind). */
    ck_assert_int_eq(gf_fd_set_lk_owner(fd, own, 100), 0);
    ck_assert_int_eq(gf_fd_set_lk_owner(fd, own, GF_FD_LK_OWNER_MAX), 0);
    ck_assert_int_eq(gf_fd_lk_owner(fd, buf, sizeof(buf)), GF_FD_LK_OWNER_MAX);
    ck_assert_mem_eq(buf, own, GF_FD_LK_OWNER_MAX);
    ck_assert_int_eq(gf_fd_set_lk_owner(fd, own, GF_FD_LK_OWNER_MAX + 1),
                     -EINVAL);
    ck_assert_int_eq(gf_fd_set_lk_owner(fd, NULL, 4), -EINVAL);
    ck_assert_int_eq(gf_fd_set_lk_owner(NULL, own, 4), -EINVAL);
    ck_assert_int_eq(gf_fd_lk_owner(fd, NULL, 4), -EINVAL);
    ck_assert_int_eq(gf_fd_set_lk_owner(fd, own, 16), 0);
    ck_assert_int_eq(gf_fd_lk_owner(fd, buf, 16), 16);
    ck_assert_mem_eq(buf, own, 16);
    ck_assert_int_eq(gf_fd_set_lk_owner(fd, own, 200), 0); /* freed at unref */
    gf_fd_unref(fd);
    gf_inode_unref(f);
    gf_inode_table_free(t);
}
END_TEST

START_TEST(fd_outlives_table_owner)
{
    gf_inode_t *f;
    struct releases r = {0};
    gf_inode_table_t *t = setup(1, &f, NULL);
    gf_fd_t *fd;

    gf_fd_set_release(t, on_release, &r);
    fd = gf_fd_new(f, 0, 0);
    gf_fd_ctx_set(fd, 0, 9);
    gf_inode_unref(f);
    gf_inode_table_free(t);
    /* The fd still works; its release frees inode, root and table. */
    ck_assert_uint_eq(gf_inode_fd_count(gf_fd_inode(fd)), 1);
    gf_fd_unref(fd);
    ck_assert_uint_eq(r.calls, 1);
    ck_assert_uint_eq(r.sum, 9);
}
END_TEST

START_TEST(fd_bad_inputs)
{
    gf_inode_t *f;
    gf_inode_table_t *t = setup(1, &f, NULL);
    gf_fd_t *fd = gf_fd_new(f, 0, 0);
    uint64_t v;

    ck_assert_ptr_null(gf_fd_new(NULL, 0, 0));
    ck_assert_int_eq(errno, EINVAL);
    ck_assert_int_eq(gf_fd_set_release(NULL, on_release, NULL), -EINVAL);
    ck_assert_int_eq(gf_fd_ctx_set(NULL, 0, 1), -EINVAL);
    ck_assert_int_eq(gf_fd_ctx_set(fd, 1, 1), -EINVAL);
    ck_assert_int_eq(gf_fd_ctx_get(fd, 0, NULL), -EINVAL);
    ck_assert_int_eq(gf_fd_ctx_get(fd, 7, &v), -EINVAL);
    ck_assert_int_eq(gf_fd_ctx_del(fd, 7, &v), -EINVAL);
    ck_assert_ptr_null(gf_fd_ref(NULL));
    gf_fd_unref(NULL);
    ck_assert_ptr_null(gf_fd_inode(NULL));
    ck_assert_uint_eq(gf_fd_refcount(NULL), 0);
    ck_assert_ptr_null(gf_fdtable_new(GF_FDTABLE_MAX + 1));
    ck_assert_int_eq(errno, EINVAL);
    ck_assert_int_eq(gf_fdtable_put(NULL, fd), -EINVAL);
    ck_assert_ptr_null(gf_fdtable_get(NULL, 0));
    ck_assert_int_eq(errno, EINVAL);
    ck_assert_ptr_null(gf_fdtable_del(NULL, 0));
    ck_assert_int_eq(errno, EINVAL);
    ck_assert_int_eq(gf_fdtable_drain(NULL, NULL, NULL), -EINVAL);
    ck_assert_uint_eq(gf_fdtable_count(NULL), 0);
    gf_fdtable_free(NULL);
    gf_fdtable_t *tab = gf_fdtable_new(0);
    ck_assert_int_eq(gf_fdtable_put(tab, NULL), -EINVAL);
    ck_assert_uint_eq(gf_fdtable_count(tab), 0);
    gf_fdtable_free(tab);
    gf_fd_unref(fd);
    gf_inode_unref(f);
    gf_inode_table_free(t);
}
END_TEST

/* ---- fd tables ---------------------------------------------------------- */

START_TEST(numbers_reused_lowest_first)
{
    gf_inode_t *f;
    gf_inode_table_t *t = setup(0, &f, NULL);
    gf_fdtable_t *tab = gf_fdtable_new(0);
    gf_fd_t *fd = gf_fd_new(f, 0, 0), *x;

    for (int i = 0; i < 200; i++)
        ck_assert_int_eq(gf_fdtable_put(tab, fd), i); /* grows 64->256 */
    ck_assert_uint_eq(gf_fdtable_count(tab), 200);
    ck_assert_uint_eq(gf_fd_refcount(fd), 201);
    int gone[] = {150, 10, 130, 64, 0};
    for (size_t i = 0; i < GF_ARRAY_SIZE(gone); i++) {
        x = gf_fdtable_del(tab, gone[i]);
        ck_assert_ptr_eq(x, fd);
        gf_fd_unref(x);
    }
    ck_assert_uint_eq(gf_fdtable_count(tab), 195);
    int want[] = {0, 10, 64, 130, 150, 200, 201};
    for (size_t i = 0; i < GF_ARRAY_SIZE(want); i++)
        ck_assert_int_eq(gf_fdtable_put(tab, fd), want[i]);
    x = gf_fdtable_get(tab, 130);
    ck_assert_ptr_eq(x, fd);
    gf_fd_unref(x);
    gf_fdtable_free(tab); /* releases the 202 table references */
    ck_assert_uint_eq(gf_fd_refcount(fd), 1);
    gf_fd_unref(fd);
    gf_inode_unref(f);
    gf_inode_table_free(t);
}
END_TEST

START_TEST(hostile_numbers)
{
    gf_inode_t *f;
    gf_inode_table_t *t = setup(0, &f, NULL);
    gf_fdtable_t *tab = gf_fdtable_new(0);
    gf_fd_t *fd = gf_fd_new(f, 0, 0);
    const int64_t bad[] = {-1, INT64_MIN, INT64_MAX, 64,
                           65, 1 << 20,   INT32_MAX, (int64_t)UINT32_MAX + 1,
                           3};

    /* Empty table: nothing is valid, not even 0. */
    ck_assert_ptr_null(gf_fdtable_get(tab, 0));
    ck_assert_int_eq(errno, EBADF);
    ck_assert_ptr_null(gf_fdtable_del(tab, 0));
    ck_assert_int_eq(errno, EBADF);
    for (int i = 0; i < 4; i++)
        gf_fdtable_put(tab, fd);
    gf_fd_unref(gf_fdtable_del(tab, 3)); /* 3 is now stale */
    for (size_t i = 0; i < GF_ARRAY_SIZE(bad); i++) {
        errno = 0;
        ck_assert_ptr_null(gf_fdtable_get(tab, bad[i]));
        ck_assert_int_eq(errno, EBADF);
        ck_assert_ptr_null(gf_fdtable_del(tab, bad[i]));
        ck_assert_int_eq(errno, EBADF);
    }
    ck_assert_uint_eq(gf_fdtable_count(tab), 3);
    ck_assert_uint_eq(gf_fd_refcount(fd), 4);
    gf_fdtable_free(tab);
    gf_fd_unref(fd);
    gf_inode_unref(f);
    gf_inode_table_free(t);
}
END_TEST

START_TEST(table_limit)
{
    gf_inode_t *f;
    gf_inode_table_t *t = setup(0, &f, NULL);
    gf_fdtable_t *tab = gf_fdtable_new(100);
    gf_fd_t *fd = gf_fd_new(f, 0, 0);

    for (int i = 0; i < 100; i++)
        ck_assert_int_eq(gf_fdtable_put(tab, fd), i);
    ck_assert_int_eq(gf_fdtable_put(tab, fd), -EMFILE);
    ck_assert_int_eq(gf_fdtable_put(tab, fd), -EMFILE);
    ck_assert_uint_eq(gf_fdtable_count(tab), 100);
    ck_assert_uint_eq(gf_fd_refcount(fd), 101);
    gf_fd_unref(gf_fdtable_del(tab, 42));
    ck_assert_int_eq(gf_fdtable_put(tab, fd), 42);
    gf_fdtable_free(tab);
    gf_fd_unref(fd);
    gf_inode_unref(f);
    gf_inode_table_free(t);
}
END_TEST

struct drained {
    int64_t last;
    unsigned n;
    gf_fdtable_t *tab;
};

static void
on_drain(gf_fd_t *fd, int64_t n, void *data)
{
    struct drained *d = data;

    ck_assert_ptr_nonnull(fd);
    ck_assert_int_gt(n, d->last); /* increasing order */
    d->last = n;
    d->n++;
    /* Runs unlocked: the (already emptied) table may be used. */
    ck_assert_uint_eq(gf_fdtable_count(d->tab), 0);
}

START_TEST(drain_releases_everything)
{
    enum { NINODES = 10, PER = 7 };
    gf_inode_table_t *t = gf_inode_table_new(0, 1);
    gf_inode_t *root = gf_inode_table_root(t), *in[NINODES];
    gf_fdtable_t *tab = gf_fdtable_new(0);
    struct drained d = {.last = -1, .tab = tab};
    struct releases r = {0};

    gf_fd_set_release(t, on_release, &r);
    for (int i = 0; i < NINODES; i++) {
        gf_inode_t *n = gf_inode_new(t);
        gf_gfid_t g;
        char name[8];

        snprintf(name, sizeof(name), "f%d", i);
        gf_gfid_generate(&g);
        in[i] = gf_inode_link(n, root, name, &g, GF_INODE_REG);
        gf_inode_unref(n);
        for (int j = 0; j < PER; j++) {
            gf_fd_t *fd = gf_fd_new(in[i], 0, 0);

            gf_fd_ctx_set(fd, 0, 1);
            ck_assert_int_eq(gf_fdtable_put(tab, fd), i * PER + j);
            gf_fd_unref(fd); /* the table's reference is the only one */
        }
        ck_assert_uint_eq(gf_inode_fd_count(in[i]), PER);
    }
    /* A hole in the middle is skipped. */
    gf_fd_unref(gf_fdtable_del(tab, 5));
    ck_assert_int_eq(gf_fdtable_drain(tab, on_drain, &d), NINODES * PER - 1);
    ck_assert_uint_eq(d.n, NINODES * PER - 1);
    ck_assert_uint_eq(r.calls, NINODES * PER); /* every fd released */
    ck_assert_uint_eq(gf_fdtable_count(tab), 0);
    for (int i = 0; i < NINODES; i++) {
        ck_assert_uint_eq(gf_inode_fd_count(in[i]), 0);
        ck_assert_uint_eq(gf_inode_refcount(in[i]), 1);
        gf_inode_unref(in[i]);
    }
    /* Still usable, numbering from 0 again. */
    ck_assert_ptr_null(gf_fdtable_get(tab, 0));
    gf_fd_t *fd = gf_fd_new(root, O_DIRECTORY, 0);
    ck_assert_int_eq(gf_fdtable_put(tab, fd), 0);
    ck_assert_int_eq(gf_fdtable_drain(tab, NULL, NULL), 1);
    ck_assert_int_eq(gf_fdtable_drain(tab, NULL, NULL), 0);
    gf_fd_unref(fd);
    gf_fdtable_free(tab);
    gf_inode_unref(root);
    gf_inode_table_free(t);
}
END_TEST

struct churn {
    gf_fdtable_t *tab;
    gf_inode_t *inode;
    int iters;
};

static void *
churn(void *arg)
{
    struct churn *c = arg;

    for (int i = 0; i < c->iters; i++) {
        gf_fd_t *fd = gf_fd_new(c->inode, 0, 0), *x;
        int n = gf_fdtable_put(c->tab, fd);

        ck_assert_int_ge(n, 0);
        x = gf_fdtable_get(c->tab, n);
        ck_assert_ptr_eq(x, fd); /* nobody else deletes my number */
        gf_fd_unref(x);
        x = gf_fdtable_del(c->tab, n);
        ck_assert_ptr_eq(x, fd);
        gf_fd_unref(x);
        gf_fd_unref(fd);
    }
    return NULL;
}

START_TEST(table_from_two_threads)
{
    gf_inode_t *f;
    gf_inode_table_t *t = setup(0, &f, NULL);
    struct churn c = {.tab = gf_fdtable_new(0), .inode = f, .iters = 50000};
    pthread_t th[2];

    for (int i = 0; i < 2; i++)
        ck_assert_int_eq(pthread_create(&th[i], NULL, churn, &c), 0);
    for (int i = 0; i < 2; i++)
        pthread_join(th[i], NULL);
    ck_assert_uint_eq(gf_fdtable_count(c.tab), 0);
    ck_assert_uint_eq(gf_inode_fd_count(f), 0);
    ck_assert_uint_eq(gf_inode_refcount(f), 1);
    gf_fdtable_free(c.tab);
    gf_inode_unref(f);
    gf_inode_table_free(t);
}
END_TEST

int
main(void)
{
    Suite *s = suite_create("fd");
    TCase *tc = tcase_create("fd");

    tcase_add_test(tc, fd_holds_its_inode);
    tcase_add_test(tc, fd_keeps_unlinked_file);
    tcase_add_test(tc, fd_ctx_and_release);
    tcase_add_test(tc, fd_lock_owner);
    tcase_add_test(tc, fd_outlives_table_owner);
    tcase_add_test(tc, fd_bad_inputs);
    suite_add_tcase(s, tc);

    tc = tcase_create("fdtable");
    tcase_set_timeout(tc, 60);
    tcase_add_test(tc, numbers_reused_lowest_first);
    tcase_add_test(tc, hostile_numbers);
    tcase_add_test(tc, table_limit);
    tcase_add_test(tc, drain_releases_everything);
    tcase_add_test(tc, table_from_two_threads);
    suite_add_tcase(s, tc);
    return gf_test_run(s);
}
