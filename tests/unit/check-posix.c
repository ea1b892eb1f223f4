/* SPDX-License-Identifier: LGPL-3.0-or-later */
/*
 * check-posix.c - storage/posix alone in a graph, driven by syncops over a
 * temporary brick: gfids and handles on disk, every fop it serves, and
 * each way a request could try to leave the brick.
 */
#include <dirent.h>
#include <endian.h>
#include <errno.h>
#include <fcntl.h>
#include <ftw.h>
#include <limits.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/xattr.h>
#include <unistd.h>

#include <gf/graph.h>
#include <gf/syncop.h>
#include <gf/volfile.h>
#include <gf/xlator.h>

#include "gf-test.h"

/* Paths here are built from a short temp dir; truncation cannot happen. */
#pragma GCC diagnostic ignored "-Wformat-truncation"

typedef struct env {
    char brick[1024];
    char ns[16];
    gf_ctx_t *ctx;
    gf_volfile_t *vf;
    gf_graph_t *graph;
    gf_call_pool_t *pool;
    gf_inode_table_t *table;
    gf_syncop_t sc;
} env_t;

static env_t E;

static int
rm_one(const char *path, const struct stat *st, int flag, struct FTW *ftw)
{
    (void)st;
    (void)flag;
    (void)ftw;
    return remove(path);
}

static void
make_brick(env_t *e)
{
    snprintf(e->brick, sizeof(e->brick), "%s/gf-posix-XXXXXX",
             gf_test_tmpdir());
    ck_assert_ptr_nonnull(mkdtemp(e->brick));
}

static int
graph_start(env_t *e, const char *dir, const char *ns)
{
    gf_volfile_error_t verr;
    char text[PATH_MAX + 256], err[512];
    int ret;

    snprintf(text, sizeof(text),
             "volume brick\n  type storage/posix\n  option directory %s\n"
             "  option gfid-xattr-namespace %s\nend-volume\n",
             dir, ns);
    e->ctx = gf_ctx_new();
    ck_assert_ptr_nonnull(e->ctx);
    ck_assert_int_eq(gf_ctx_init_defaults(e->ctx), 0);
    ck_assert_int_eq(
        gf_volfile_parse(text, strlen(text), "t.vol", &e->vf, &verr), 0);
    ck_assert_msg(gf_graph_new(e->ctx, e->vf, &e->graph, err, sizeof(err)) == 0,
                  "%s", err);
    ret = gf_graph_init(e->graph, err, sizeof(err));
    if (ret < 0)
        return ret;
    ck_assert_int_eq(gf_graph_activate(e->graph), 0);
    e->pool = gf_call_pool_new(e->ctx);
    e->sc.pool = e->pool;
    e->sc.subvol = gf_graph_top(e->graph);
    e->sc.id = NULL;
    e->table = gf_inode_table_new(0, 4);
    ck_assert_ptr_nonnull(e->table);
    return 0;
}

static void
graph_stop(env_t *e)
{
    if (e->pool) {
        ck_assert_uint_eq(gf_call_pool_count(e->pool), 0);
        gf_call_pool_free(e->pool);
    }
    gf_inode_table_free(e->table);
    gf_graph_free(e->graph);
    gf_volfile_free(e->vf);
    gf_ctx_free(e->ctx);
    e->pool = NULL;
    e->table = NULL;
}

static void
env_start_ns(const char *ns)
{
    memset(&E, 0, sizeof(E));
    make_brick(&E);
    snprintf(E.ns, sizeof(E.ns), "%s", ns);
    ck_assert_int_eq(graph_start(&E, E.brick, ns), 0);
}

static void
setup(void)
{
    env_start_ns(geteuid() == 0 ? "trusted" : "user");
}

static void
teardown(void)
{
    graph_stop(&E);
    nftw(E.brick, rm_one, 16, FTW_DEPTH | FTW_PHYS);
}

/* ---- helpers ------------------------------------------------------------ */

static gf_loc_t
loc_entry(const gf_gfid_t *pargfid, const char *name)
{
    gf_loc_t loc;

    memset(&loc, 0, sizeof(loc));
    loc.pargfid = *pargfid;
    loc.name = name;
    return loc;
}

static gf_loc_t
loc_gfid(const gf_gfid_t *gfid)
{
    gf_loc_t loc;

    memset(&loc, 0, sizeof(loc));
    loc.gfid = *gfid;
    return loc;
}

static void
disk_path(const char *rel, char *buf)
{
    snprintf(buf, PATH_MAX, "%s/%s", E.brick, rel);
}

static void
handle_path(const gf_gfid_t *g, char *buf)
{
    char s[GF_GFID_STR_SIZE];

    gf_gfid_unparse(g, s);
    snprintf(buf, PATH_MAX, "%s/.glusterfs/%02x/%02x/%s", E.brick, g->b[0],
             g->b[1], s);
}

static void
disk_gfid(const char *rel, gf_gfid_t *out)
{
    char path[PATH_MAX], key[32];

    disk_path(rel, path);
    snprintf(key, sizeof(key), "%s.gfid", E.ns);
    ck_assert_int_eq(lgetxattr(path, key, out->b, 16), 16);
}

static gf_dict_t *
req_dict(const gf_gfid_t *g)
{
    gf_dict_t *d = gf_dict_new();

    ck_assert_int_eq(gf_dict_set_uuid(d, "gfid-req", g->b), 0);
    return d;
}

static int
do_mkdir(const gf_gfid_t *par, const char *name, gf_gfid_t *out)
{
    gf_syncop_mkdir_out_t o;
    gf_loc_t loc = loc_entry(par, name);
    int ret = gf_syncop_mkdir(&E.sc, &o, &loc, 0755, 0, NULL);

    if (ret == 0 && out)
        *out = o.buf->gfid;
    gf_syncop_mkdir_out_wipe(&o);
    return ret;
}

/* Create NAME in PAR, write DATA, release. */
static int
do_file(const gf_gfid_t *par, const char *name, const char *data,
        gf_gfid_t *out)
{
    gf_inode_t *in = gf_inode_new(E.table);
    gf_fd_t *fd = gf_fd_new(in, O_RDWR, 0);
    gf_loc_t loc = loc_entry(par, name);
    gf_syncop_create_out_t o;
    struct iovec iov = {(void *)data, strlen(data)};
    int ret = gf_syncop_create(&E.sc, &o, &loc, O_RDWR, 0644, 0, fd, NULL);

    if (ret == 0 && out)
        *out = o.buf->gfid;
    gf_syncop_create_out_wipe(&o);
    if (ret == 0) {
        ck_assert_int_eq(
            gf_syncop_writev(&E.sc, NULL, fd, &iov, 1, 0, 0, NULL, NULL),
            (int)iov.iov_len);
        ck_assert_int_eq(gf_syncop_release(&E.sc, NULL, fd, NULL), 0);
    }
    gf_fd_unref(fd);
    gf_inode_unref(in);
    return ret;
}

static int
do_lookup(gf_loc_t *loc, gf_iatt_t *buf)
{
    gf_syncop_lookup_out_t o;
    int ret = gf_syncop_lookup(&E.sc, &o, loc, NULL);

    if (buf)
        *buf = *o.buf;
    gf_syncop_lookup_out_wipe(&o);
    return ret;
}

/* user.* xattrs only go on files and directories: symlinks and special
 * files get a gfid only in the trusted namespace. */
static bool
symlinks_ok(void)
{
    return strcmp(E.ns, "trusted") == 0;
}

static gf_gfid_t
root_g(void)
{
    return gf_gfid_root();
}

/* ---- tests -------------------------------------------------------------- */

START_TEST(lookup_root_and_init_state)
{
    gf_gfid_t root = root_g(), g;
    gf_loc_t loc = loc_gfid(&root);
    char path[PATH_MAX], target[PATH_MAX];
    gf_iatt_t buf;
    ssize_t n;

    ck_assert_int_eq(do_lookup(&loc, &buf), 0);
    ck_assert(gf_gfid_is_root(&buf.gfid));
    ck_assert_uint_eq(buf.ino, 1);
    ck_assert(S_ISDIR(buf.mode));
    ck_assert_uint_gt(buf.blksize, 0);
    disk_gfid(".", &g);
    ck_assert(gf_gfid_is_root(&g));
    handle_path(&root, path);
    n = readlink(path, target, sizeof(target) - 1);
    ck_assert_int_gt(n, 0);
    target[n] = '\0';
    ck_assert_str_eq(target, "../../..");
    /* gfapi's (root, ".") */
    loc = loc_entry(&root, ".");
    ck_assert_int_eq(do_lookup(&loc, &buf), 0);
    ck_assert(gf_gfid_is_root(&buf.gfid));
}
END_TEST

START_TEST(mkdir_adopts_gfid_req)
{
    gf_gfid_t root = root_g(), req, g, sub;
    gf_loc_t loc = loc_entry(&root, "d");
    gf_dict_t *x;
    gf_syncop_mkdir_out_t o;
    char path[PATH_MAX], target[PATH_MAX], want[PATH_MAX];
    char rs[GF_GFID_STR_SIZE];
    struct stat st;
    gf_iatt_t buf;
    ssize_t n;

    gf_gfid_generate(&req);
    x = req_dict(&req);
    ck_assert_int_eq(gf_syncop_mkdir(&E.sc, &o, &loc, 0750, 0, x), 0);
    ck_assert(gf_gfid_equal(&o.buf->gfid, &req));
    ck_assert(S_ISDIR(o.buf->mode));
    ck_assert_uint_eq(o.buf->mode & 07777, 0750);
    ck_assert(gf_gfid_is_root(&o.postparent->gfid));
    ck_assert_uint_eq(o.postparent->nlink, o.preparent->nlink + 1);
    gf_syncop_mkdir_out_wipe(&o);
    /* the same gfid twice is refused */
    loc = loc_entry(&root, "d2");
    ck_assert_int_eq(gf_syncop_mkdir(&E.sc, NULL, &loc, 0750, 0, x), -EEXIST);
    gf_dict_unref(x);
    loc = loc_entry(&root, "d");
    ck_assert_int_eq(gf_syncop_mkdir(&E.sc, NULL, &loc, 0750, 0, NULL),
                     -EEXIST);

    disk_gfid("d", &g);
    ck_assert(gf_gfid_equal(&g, &req));
    handle_path(&req, path);
    ck_assert_int_eq(lstat(path, &st), 0);
    ck_assert(S_ISLNK(st.st_mode));
    n = readlink(path, target, sizeof(target) - 1);
    target[n] = '\0';
    gf_gfid_unparse(&root, rs);
    snprintf(want, sizeof(want), "../../00/00/%s/d", rs);
    ck_assert_str_eq(target, want);

    /* nameless lookup through a two-level handle chain */
    ck_assert_int_eq(do_mkdir(&req, "sub", &sub), 0);
    loc = loc_gfid(&sub);
    ck_assert_int_eq(do_lookup(&loc, &buf), 0);
    ck_assert(gf_gfid_equal(&buf.gfid, &sub));
    ck_assert(S_ISDIR(buf.mode));
}
END_TEST

START_TEST(deep_directory_chain)
{
    gf_gfid_t par = root_g(), top, g;
    gf_loc_t loc;
    gf_iatt_t buf;

    /* deeper than the on-stack part of the handle walk */
    for (int i = 0; i < 40; i++) {
        ck_assert_int_eq(do_mkdir(&par, "n", &g), 0);
        if (i == 0)
            top = g;
        par = g;
    }
    loc = loc_gfid(&par);
    ck_assert_int_eq(do_lookup(&loc, &buf), 0);
    ck_assert(gf_gfid_equal(&buf.gfid, &par));
    ck_assert_int_eq(do_file(&par, "leaf", "x", NULL), 0);
    /* moving the top re-points one handle; the whole chain follows */
    loc = loc_entry(&top, "n");
    {
        gf_gfid_t root = root_g();
        gf_loc_t a = loc_entry(&root, "n"), b = loc_entry(&root, "m");

        ck_assert_int_eq(gf_syncop_rename(&E.sc, NULL, &a, &b, NULL), 0);
    }
    loc = loc_gfid(&par);
    ck_assert_int_eq(do_lookup(&loc, &buf), 0);
    ck_assert(gf_gfid_equal(&buf.gfid, &par));
}
END_TEST

START_TEST(create_write_read_fstat)
{
    gf_gfid_t root = root_g(), req;
    gf_inode_t *in = gf_inode_new(E.table);
    gf_fd_t *fd = gf_fd_new(in, O_RDWR, 0), *fd2;
    gf_loc_t loc = loc_entry(&root, "f");
    gf_syncop_create_out_t co;
    gf_syncop_readv_out_t ro;
    gf_syncop_fstat_out_t fo;
    gf_syncop_writev_out_t wo;
    char hello[] = "hello world";
    struct iovec iov = {hello, 11};
    gf_dict_t *x;
    uint64_t v;
    char path[PATH_MAX];
    struct stat st;

    gf_gfid_generate(&req);
    x = req_dict(&req);
    ck_assert_int_eq(gf_syncop_create(&E.sc, &co, &loc, O_RDWR, 0640, 0, fd, x),
                     0);
    gf_dict_unref(x);
    ck_assert_ptr_eq(co.fd, fd);
    ck_assert(gf_gfid_equal(&co.buf->gfid, &req));
    ck_assert(S_ISREG(co.buf->mode));
    ck_assert_uint_eq(co.buf->nlink, 1);
    gf_syncop_create_out_wipe(&co);
    ck_assert_int_eq(gf_fd_ctx_get(fd, 0, &v), 0);

    ck_assert_int_eq(
        gf_syncop_writev(&E.sc, &wo, fd, &iov, 1, 0, 0, NULL, NULL), 11);
    ck_assert_uint_eq(wo.prebuf->size, 0);
    ck_assert_uint_eq(wo.postbuf->size, 11);
    gf_syncop_writev_out_wipe(&wo);
    ck_assert_int_eq(gf_syncop_readv(&E.sc, &ro, fd, 100, 6, 0, NULL), 5);
    ck_assert_int_eq(ro.count, 1);
    ck_assert_int_eq(memcmp(ro.vector[0].iov_base, "world", 5), 0);
    gf_syncop_readv_out_wipe(&ro);
    ck_assert_int_eq(gf_syncop_fstat(&E.sc, &fo, fd, NULL), 0);
    ck_assert_uint_eq(fo.buf->size, 11);
    ck_assert(gf_gfid_equal(&fo.buf->gfid, &req));
    ck_assert_uint_eq(fo.buf->mode & 0777, 0640);
    gf_syncop_fstat_out_wipe(&fo);
    ck_assert_int_eq(gf_syncop_flush(&E.sc, NULL, fd, NULL), 0);
    ck_assert_int_eq(gf_syncop_fsync(&E.sc, NULL, fd, 0, NULL), 0);
    ck_assert_int_eq(gf_syncop_release(&E.sc, NULL, fd, NULL), 0);
    ck_assert_int_eq(gf_fd_ctx_get(fd, 0, &v), -ENOENT);
    ck_assert_int_eq(gf_syncop_fstat(&E.sc, NULL, fd, NULL), -EBADF);

    /* the handle is a hard link to the file */
    handle_path(&req, path);
    ck_assert_int_eq(lstat(path, &st), 0);
    ck_assert(S_ISREG(st.st_mode));
    ck_assert_uint_eq(st.st_nlink, 2);

    /* open by gfid alone, read back */
    fd2 = gf_fd_new(in, O_RDONLY, 0);
    loc = loc_gfid(&req);
    ck_assert_int_eq(gf_syncop_open(&E.sc, NULL, &loc, O_RDONLY, fd2, NULL), 0);
    ck_assert_int_eq(gf_syncop_readv(&E.sc, &ro, fd2, 5, 0, 0, NULL), 5);
    ck_assert_int_eq(memcmp(ro.vector[0].iov_base, "hello", 5), 0);
    gf_syncop_readv_out_wipe(&ro);
    ck_assert_int_eq(gf_syncop_release(&E.sc, NULL, fd2, NULL), 0);
    gf_fd_unref(fd2);
    gf_fd_unref(fd);
    gf_inode_unref(in);
}
END_TEST

/* Read the whole directory DIRG, SIZE bytes per call; count entries and
 * check every cookie. Returns the number of entries. */
static int
read_all(gf_fd_t *fd, size_t size, bool plus, int *calls, int *files)
{
    off_t off = 0;
    int n = 0, ret;

    *calls = 0;
    *files = 0;
    for (;;) {
        gf_syncop_readdirp_out_t o;
        gf_dirent_t *e;

        if (plus)
            ret = gf_syncop_readdirp(&E.sc, &o, fd, size, off, NULL);
        else
            ret = gf_syncop_readdir(&E.sc, (gf_syncop_readdir_out_t *)&o, fd,
                                    size, off, NULL);
        ck_assert_int_ge(ret, 0);
        (*calls)++;
        if (ret == 0) {
            gf_syncop_readdirp_out_wipe(&o);
            break;
        }
        ck_assert_uint_eq(o.entries->count, (unsigned)ret);
        for (e = o.entries->head; e; e = e->next) {
            ck_assert_uint_ne(e->d_off, 0);
            ck_assert_str_ne(e->name, ".glusterfs");
            if (!strncmp(e->name, "file", 4)) {
                (*files)++;
                if (plus) {
                    ck_assert(S_ISREG(e->stat.mode));
                    ck_assert(!gf_gfid_is_null(&e->stat.gfid));
                    ck_assert_uint_eq(e->stat.size, 1);
                    ck_assert_ptr_nonnull(e->inode);
                }
            }
            off = (off_t)e->d_off;
            n++;
        }
        gf_syncop_readdirp_out_wipe(&o);
    }
    return n;
}

/* Reading from the 3rd entry's cookie yields the 4th entry on. */
static void
resume_from_cookie(gf_fd_t *fd)
{
    gf_syncop_readdir_out_t all, part;
    gf_dirent_t *e, *f;
    uint64_t cookie;
    int i;

    ck_assert_int_gt(gf_syncop_readdir(&E.sc, &all, fd, 65536, 0, NULL), 4);
    e = all.entries->head->next->next;
    cookie = e->d_off;
    ck_assert_int_gt(
        gf_syncop_readdir(&E.sc, &part, fd, 65536, (off_t)cookie, NULL), 0);
    for (i = 0, e = e->next, f = part.entries->head; e && f;
         e = e->next, f = f->next, i++) {
        ck_assert_str_eq(e->name, f->name);
        ck_assert_uint_eq(e->d_off, f->d_off);
    }
    ck_assert_ptr_null(e);
    ck_assert_ptr_null(f);
    ck_assert_int_eq(i, (int)all.entries->count - 3);
    gf_syncop_readdir_out_wipe(&part);
    gf_syncop_readdir_out_wipe(&all);
}

START_TEST(readdir_and_readdirp)
{
    gf_gfid_t root = root_g();
    gf_inode_t *in = gf_inode_table_root(E.table);
    gf_fd_t *fd = gf_fd_new(in, O_RDONLY, 0);
    gf_loc_t loc = loc_gfid(&root);
    char name[32];
    int calls, files, n;

    for (int i = 0; i < 20; i++) {
        snprintf(name, sizeof(name), "file%02d", i);
        ck_assert_int_eq(do_file(&root, name, "x", NULL), 0);
    }
    ck_assert_int_eq(gf_syncop_opendir(&E.sc, NULL, &loc, fd, NULL), 0);
    /* 20 files plus "." and "..", never .glusterfs */
    n = read_all(fd, 65536, false, &calls, &files);
    ck_assert_int_eq(n, 22);
    ck_assert_int_eq(files, 20);
    ck_assert_int_eq(calls, 2);
    /* a small budget: several calls, each resuming from a cookie */
    n = read_all(fd, 100, false, &calls, &files);
    ck_assert_int_eq(n, 22);
    ck_assert_int_eq(files, 20);
    ck_assert_int_gt(calls, 5);
    n = read_all(fd, 1000, true, &calls, &files);
    ck_assert_int_eq(n, 22);
    ck_assert_int_eq(files, 20);
    ck_assert_int_gt(calls, 2);
    resume_from_cookie(fd);
    ck_assert_int_eq(gf_syncop_releasedir(&E.sc, NULL, fd, NULL), 0);
    ck_assert_int_eq(gf_syncop_readdir(&E.sc, NULL, fd, 4096, 0, NULL), -EBADF);
    gf_fd_unref(fd);
    gf_inode_unref(in);
}
END_TEST

START_TEST(fd_attribute_and_xattr_fops)
{
    gf_gfid_t root = root_g(), g;
    gf_inode_t *in = gf_inode_new(E.table);
    gf_fd_t *fd = gf_fd_new(in, O_RDWR, 0);
    gf_loc_t loc = loc_entry(&root, "f");
    gf_syncop_ftruncate_out_t to;
    gf_syncop_fsetattr_out_t so;
    gf_syncop_fgetxattr_out_t go;
    gf_dict_t *d = gf_dict_new();
    gf_iatt_t want;
    const void *val;
    size_t len;

    ck_assert_int_eq(do_file(&root, "f", "abcdef", &g), 0);
    loc = loc_gfid(&g);
    ck_assert_int_eq(gf_syncop_open(&E.sc, NULL, &loc, O_RDWR, fd, NULL), 0);
    ck_assert_int_eq(gf_syncop_ftruncate(&E.sc, &to, fd, 2, NULL), 0);
    ck_assert_uint_eq(to.prebuf->size, 6);
    ck_assert_uint_eq(to.postbuf->size, 2);
    ck_assert(gf_gfid_equal(&to.postbuf->gfid, &g));
    gf_syncop_ftruncate_out_wipe(&to);
    memset(&want, 0, sizeof(want));
    want.mode = 0700;
    ck_assert_int_eq(
        gf_syncop_fsetattr(&E.sc, &so, fd, &want, GF_SET_ATTR_MODE, NULL), 0);
    ck_assert_uint_eq(so.statpost->mode & 07777, 0700);
    gf_syncop_fsetattr_out_wipe(&so);
    ck_assert_int_eq(gf_dict_set_str(d, "user.k", "v1"), 0);
    ck_assert_int_eq(gf_syncop_fsetxattr(&E.sc, NULL, fd, d, 0, NULL), 0);
    gf_dict_unref(d);
    ck_assert_int_eq(gf_syncop_fgetxattr(&E.sc, &go, fd, "user.k", NULL), 1);
    ck_assert_int_eq(gf_dict_get_bin(go.dict, "user.k", &val, &len), 0);
    ck_assert_uint_ge(len, 2);
    ck_assert_int_eq(memcmp(val, "v1", 2), 0);
    gf_syncop_fgetxattr_out_wipe(&go);
    ck_assert_int_eq(gf_syncop_fremovexattr(&E.sc, NULL, fd, "user.k", NULL),
                     0);
    ck_assert_int_eq(gf_syncop_fgetxattr(&E.sc, NULL, fd, "user.k", NULL),
                     -ENODATA);
    ck_assert_int_eq(gf_syncop_release(&E.sc, NULL, fd, NULL), 0);
    gf_fd_unref(fd);
    gf_inode_unref(in);
}
END_TEST

START_TEST(rename_file_and_dir)
{
    gf_gfid_t root = root_g(), d, f, sub, g;
    gf_loc_t a, b;
    gf_syncop_rename_out_t o;
    gf_iatt_t buf;

    ck_assert_int_eq(do_mkdir(&root, "d", &d), 0);
    ck_assert_int_eq(do_mkdir(&d, "sub", &sub), 0);
    ck_assert_int_eq(do_file(&root, "f", "data", &f), 0);
    a = loc_entry(&root, "f");
    b = loc_entry(&d, "g");
    ck_assert_int_eq(gf_syncop_rename(&E.sc, &o, &a, &b, NULL), 0);
    ck_assert(gf_gfid_equal(&o.buf->gfid, &f));
    ck_assert(gf_gfid_equal(&o.postnewparent->gfid, &d));
    gf_syncop_rename_out_wipe(&o);
    ck_assert_int_eq(do_lookup(&a, NULL), -ENOENT);
    ck_assert_int_eq(do_lookup(&b, &buf), 0);
    ck_assert(gf_gfid_equal(&buf.gfid, &f));
    disk_gfid("d/g", &g);
    ck_assert(gf_gfid_equal(&g, &f));
    /* a directory moves: its handle follows, nameless lookups still work */
    a = loc_entry(&root, "d");
    b = loc_entry(&root, "e");
    ck_assert_int_eq(gf_syncop_rename(&E.sc, NULL, &a, &b, NULL), 0);
    a = loc_gfid(&sub);
    ck_assert_int_eq(do_lookup(&a, &buf), 0);
    ck_assert(gf_gfid_equal(&buf.gfid, &sub));
    a = loc_entry(&root, "missing");
    ck_assert_int_eq(gf_syncop_rename(&E.sc, NULL, &a, &b, NULL), -ENOENT);
}
END_TEST

START_TEST(truncate_and_setattr)
{
    gf_gfid_t root = root_g(), f;
    gf_syncop_truncate_out_t to;
    gf_syncop_setattr_out_t so;
    gf_loc_t loc;
    gf_iatt_t want;
    struct stat st;
    char path[PATH_MAX];

    ck_assert_int_eq(do_file(&root, "f", "0123456789", &f), 0);
    loc = loc_gfid(&f);
    ck_assert_int_eq(gf_syncop_truncate(&E.sc, &to, &loc, 4, NULL), 0);
    ck_assert_uint_eq(to.prebuf->size, 10);
    ck_assert_uint_eq(to.postbuf->size, 4);
    gf_syncop_truncate_out_wipe(&to);
    disk_path("f", path);
    ck_assert_int_eq(stat(path, &st), 0);
    ck_assert_int_eq(st.st_size, 4);

    memset(&want, 0, sizeof(want));
    want.mode = 0600;
    want.atime = 1000000000;
    want.atime_nsec = 123456789;
    want.mtime = 1100000000;
    want.mtime_nsec = 987654321;
    ck_assert_int_eq(gf_syncop_setattr(&E.sc, &so, &loc, &want,
                                       GF_SET_ATTR_MODE | GF_SET_ATTR_ATIME |
                                           GF_SET_ATTR_MTIME,
                                       NULL),
                     0);
    ck_assert_uint_eq(so.statpre->mode & 07777, 0644);
    ck_assert_uint_eq(so.statpost->mode & 07777, 0600);
    ck_assert_int_eq(so.statpost->mtime, 1100000000);
    ck_assert_uint_eq(so.statpost->mtime_nsec, 987654321);
    ck_assert_int_eq(so.statpost->atime, 1000000000);
    gf_syncop_setattr_out_wipe(&so);
    ck_assert_int_eq(stat(path, &st), 0);
    ck_assert_uint_eq(st.st_mode & 07777, 0600);
    ck_assert_int_eq(st.st_mtim.tv_sec, 1100000000);
    loc = loc_gfid(&root);
    ck_assert_int_eq(gf_syncop_truncate(&E.sc, NULL, &loc, 0, NULL), -EISDIR);
    /* Every bit set, as distribute and replicate send when they heal a
     * directory: the size bit is TRUNCATE's business and is ignored. */
    memset(&want, 0, sizeof(want));
    want.mode = 0751;
    want.uid = geteuid();
    want.gid = getegid();
    want.mtime = 1200000000;
    ck_assert_int_eq(gf_syncop_setattr(&E.sc, &so, &loc, &want, -1, NULL), 0);
    ck_assert_uint_eq(so.statpost->mode & 07777, 0751);
    gf_syncop_setattr_out_wipe(&so);
}
END_TEST

/* XATTROP on KEY of LOC with OPTYPE and operand OP (N bytes): the value
 * the reply gives in OUT (N bytes at most). Returns the fop's result. */
static int
do_xattrop(gf_loc_t *loc, int32_t optype, const char *key, const void *op,
           size_t n, unsigned char *out, size_t *outlen)
{
    gf_syncop_xattrop_out_t o;
    gf_dict_t *d = gf_dict_new();
    const void *v;
    int ret;

    ck_assert_int_eq(gf_dict_set_bin(d, key, op, n), 0);
    ret = gf_syncop_xattrop(&E.sc, &o, loc, optype, d, NULL);
    if (ret == 0 && out) {
        ck_assert_int_eq(gf_dict_get_bin(o.dict, key, &v, outlen), 0);
        memcpy(out, v, *outlen);
    }
    gf_syncop_xattrop_out_wipe(&o);
    gf_dict_unref(d);
    return ret;
}

static void
be32s(unsigned char *b, uint32_t x, uint32_t y, uint32_t z)
{
    uint32_t v[3] = {htobe32(x), htobe32(y), htobe32(z)};

    memcpy(b, v, 12);
}

/* AFR's changelog operations: arrays of big-endian counters changed
 * atomically, the result answered; bad operands refused. */
START_TEST(xattrop_arrays)
{
    gf_gfid_t root = root_g(), f;
    unsigned char op[24], got[64], want[24];
    char key[64];
    size_t len = 0;
    uint64_t v64[2];
    gf_loc_t loc;

    snprintf(key, sizeof(key), "%s.afr.c1", E.ns);
    ck_assert_int_eq(do_file(&root, "f", "x", &f), 0);
    loc = loc_gfid(&f);
    /* Missing attribute: counts from zero. */
    be32s(op, 1, 0, 2);
    ck_assert_int_eq(do_xattrop(&loc, 0, key, op, 12, got, &len), 0);
    ck_assert_uint_eq(len, 12);
    ck_assert_int_eq(memcmp(got, op, 12), 0);
    be32s(op, (uint32_t)-1, 5, 0); /* -1: AFR's decrement */
    ck_assert_int_eq(do_xattrop(&loc, 0, key, op, 12, got, &len), 0);
    be32s(want, 0, 5, 2);
    ck_assert_int_eq(memcmp(got, want, 12), 0);
    /* On disk too. */
    {
        char path[PATH_MAX];

        disk_path("f", path);
        ck_assert_int_eq(lgetxattr(path, key, got, sizeof(got)), 12);
        ck_assert_int_eq(memcmp(got, want, 12), 0);
    }
    /* OR and AND work on the same words. */
    be32s(op, 0x10, 0, 0);
    ck_assert_int_eq(do_xattrop(&loc, 2, key, op, 12, got, &len), 0);
    be32s(want, 0x10, 5, 2);
    ck_assert_int_eq(memcmp(got, want, 12), 0);
    be32s(op, 0xf0, 4, 0);
    ck_assert_int_eq(do_xattrop(&loc, 3, key, op, 12, got, &len), 0);
    be32s(want, 0x10, 4, 0);
    ck_assert_int_eq(memcmp(got, want, 12), 0);
    /* GET_AND_SET answers the old value and stores the operand. */
    be32s(op, 7, 7, 7);
    ck_assert_int_eq(do_xattrop(&loc, 4, key, op, 12, got, &len), 0);
    ck_assert_int_eq(memcmp(got, want, 12), 0);
    ck_assert_int_eq(do_xattrop(&loc, 0, key, want, 12, got, &len), 0);
    be32s(want, 0x17, 11, 7);
    ck_assert_int_eq(memcmp(got, want, 12), 0);
    /* 64-bit counters; WITH_DEFAULT starts a missing one at its default. */
    v64[0] = htobe64(1ull << 40);
    snprintf(key, sizeof(key), "%s.afr.c64", E.ns);
    ck_assert_int_eq(do_xattrop(&loc, 1, key, v64, 8, got, &len), 0);
    ck_assert_int_eq(memcmp(got, v64, 8), 0);
    snprintf(key, sizeof(key), "%s.afr.dflt", E.ns);
    be32s(op, 1, 1, 1);
    be32s(op + 12, 10, 20, 30);
    ck_assert_int_eq(do_xattrop(&loc, 5, key, op, 24, got, &len), 0);
    ck_assert_uint_eq(len, 12);
    be32s(want, 11, 21, 31);
    ck_assert_int_eq(memcmp(got, want, 12), 0);
    ck_assert_int_eq(do_xattrop(&loc, 5, key, op, 24, got, &len), 0);
    be32s(want, 12, 22, 32);
    ck_assert_int_eq(memcmp(got, want, 12), 0);
    /* Refused: a length that is not whole elements, another length than
     * the stored array, an unknown operation, the gfid. */
    snprintf(key, sizeof(key), "%s.afr.c1", E.ns);
    ck_assert_int_eq(do_xattrop(&loc, 0, key, op, 6, NULL, NULL), -EINVAL);
    ck_assert_int_eq(do_xattrop(&loc, 0, key, op, 8, NULL, NULL), -EINVAL);
    ck_assert_int_eq(do_xattrop(&loc, 9, key, op, 12, NULL, NULL), -EINVAL);
    snprintf(key, sizeof(key), "%s.gfid", E.ns);
    ck_assert_int_eq(do_xattrop(&loc, 0, key, op, 16, NULL, NULL), -EPERM);

    /* LOOKUP answers the attributes its xdata asks for (how replicate
     * reads the changelog), and only those that exist. */
    {
        gf_dict_t *req = gf_dict_new();
        gf_syncop_lookup_out_t lo;
        const void *v;
        size_t vl;

        snprintf(key, sizeof(key), "%s.afr.c1", E.ns);
        ck_assert_int_eq(gf_dict_set_uint64(req, key, 0), 0);
        ck_assert_int_eq(gf_dict_set_uint64(req, "user.absent", 0), 0);
        ck_assert_int_eq(gf_dict_set_uint64(req, "not-an-xattr", 0), 0);
        loc = loc_entry(&root, "f");
        ck_assert_int_eq(gf_syncop_lookup(&E.sc, &lo, &loc, req), 0);
        ck_assert_ptr_nonnull(lo.xdata);
        ck_assert_int_eq(gf_dict_get_bin(lo.xdata, key, &v, &vl), 0);
        ck_assert_uint_eq(vl, 12);
        be32s(want, 0x17, 11, 7);
        ck_assert_int_eq(memcmp(v, want, 12), 0);
        ck_assert_uint_eq(gf_dict_count(lo.xdata), 1);
        gf_syncop_lookup_out_wipe(&lo);
        gf_dict_unref(req);
    }
}
END_TEST

/* Concurrent increments of one counter are never lost. */
enum { XOP_THREADS = 4, XOP_ROUNDS = 250 };

static gf_gfid_t xop_file;

static void *
xop_adder(void *arg)
{
    unsigned char op[4];
    uint32_t one = htobe32(1);
    char key[64];
    gf_loc_t loc = loc_gfid(&xop_file);

    (void)arg;
    memcpy(op, &one, 4);
    snprintf(key, sizeof(key), "%s.afr.dirty", E.ns);
    for (int i = 0; i < XOP_ROUNDS; i++)
        if (do_xattrop(&loc, 0, key, op, 4, NULL, NULL) != 0)
            return (void *)1;
    return NULL;
}

START_TEST(xattrop_is_atomic)
{
    gf_gfid_t root = root_g();
    pthread_t th[XOP_THREADS];
    unsigned char zero[4] = {0}, got[4];
    size_t len = 0;
    char key[64];
    uint32_t v;
    gf_loc_t loc;

    ck_assert_int_eq(do_file(&root, "counted", "x", &xop_file), 0);
    for (int i = 0; i < XOP_THREADS; i++)
        ck_assert_int_eq(pthread_create(&th[i], NULL, xop_adder, NULL), 0);
    for (int i = 0; i < XOP_THREADS; i++) {
        void *r;

        pthread_join(th[i], &r);
        ck_assert_ptr_null(r);
    }
    loc = loc_gfid(&xop_file);
    snprintf(key, sizeof(key), "%s.afr.dirty", E.ns);
    ck_assert_int_eq(do_xattrop(&loc, 0, key, zero, 4, got, &len), 0);
    memcpy(&v, got, 4);
    ck_assert_uint_eq(be32toh(v), XOP_THREADS * XOP_ROUNDS);
}
END_TEST

START_TEST(xattrs)
{
    gf_gfid_t root = root_g(), f;
    gf_syncop_getxattr_out_t go;
    gf_dict_t *d = gf_dict_new();
    gf_loc_t loc;
    const void *val;
    size_t len;
    char key[32];

    ck_assert_int_eq(do_file(&root, "f", "x", &f), 0);
    loc = loc_gfid(&f);
    ck_assert_int_eq(gf_dict_set_bin(d, "user.colour", "blue", 4), 0);
    ck_assert_int_eq(gf_syncop_setxattr(&E.sc, NULL, &loc, d, 0, NULL), 0);
    ck_assert_int_eq(
        gf_syncop_setxattr(&E.sc, NULL, &loc, d, XATTR_CREATE, NULL), -EEXIST);
    gf_dict_unref(d);
    ck_assert_int_ge(gf_syncop_getxattr(&E.sc, &go, &loc, "user.colour", NULL),
                     1);
    ck_assert_int_eq(gf_dict_get_bin(go.dict, "user.colour", &val, &len), 0);
    ck_assert_uint_eq(len, 4);
    ck_assert_int_eq(memcmp(val, "blue", 4), 0);
    gf_syncop_getxattr_out_wipe(&go);
    /* list all: the gfid is readable */
    ck_assert_int_ge(gf_syncop_getxattr(&E.sc, &go, &loc, NULL, NULL), 2);
    snprintf(key, sizeof(key), "%s.gfid", E.ns);
    ck_assert_int_eq(gf_dict_get_bin(go.dict, key, &val, &len), 0);
    ck_assert_uint_eq(len, 16);
    ck_assert_int_eq(memcmp(val, f.b, 16), 0);
    gf_syncop_getxattr_out_wipe(&go);
    ck_assert_int_eq(
        gf_syncop_removexattr(&E.sc, NULL, &loc, "user.colour", NULL), 0);
    ck_assert_int_eq(gf_syncop_getxattr(&E.sc, NULL, &loc, "user.colour", NULL),
                     -ENODATA);
    ck_assert_int_eq(
        gf_syncop_removexattr(&E.sc, NULL, &loc, "user.colour", NULL),
        -ENODATA);
    /* ... but never writable by a client */
    ck_assert_int_eq(gf_syncop_removexattr(&E.sc, NULL, &loc, key, NULL),
                     -EPERM);
    d = gf_dict_new();
    gf_dict_set_bin(d, key, root.b, 16);
    ck_assert_int_eq(gf_syncop_setxattr(&E.sc, NULL, &loc, d, 0, NULL), -EPERM);
    gf_dict_unref(d);
}
END_TEST

START_TEST(symlink_link_mknod)
{
    gf_gfid_t root = root_g(), f, s, p;
    gf_syncop_symlink_out_t so;
    gf_syncop_readlink_out_t ro;
    gf_syncop_link_out_t lo;
    gf_syncop_mknod_out_t mo;
    gf_loc_t loc, nloc;
    struct stat st;
    char path[PATH_MAX];

    loc = loc_entry(&root, "ln");
    if (!symlinks_ok()) {
        /* user.* xattrs cannot go on a symlink: refused, and undone */
        ck_assert_int_eq(
            gf_syncop_symlink(&E.sc, NULL, "../../etc/passwd", &loc, 0, NULL),
            -EPERM);
        ck_assert_int_eq(do_lookup(&loc, NULL), -ENOENT);
    } else {
        ck_assert_int_eq(
            gf_syncop_symlink(&E.sc, &so, "../../etc/passwd", &loc, 0, NULL),
            0);
        ck_assert(S_ISLNK(so.buf->mode));
        s = so.buf->gfid;
        ck_assert(!gf_gfid_is_null(&s));
        gf_syncop_symlink_out_wipe(&so);
        loc = loc_gfid(&s);
        ck_assert_int_eq(gf_syncop_readlink(&E.sc, &ro, &loc, 4096, NULL), 16);
        ck_assert_str_eq(ro.path, "../../etc/passwd");
        ck_assert(gf_gfid_equal(&ro.buf->gfid, &s));
        gf_syncop_readlink_out_wipe(&ro);
    }

    ck_assert_int_eq(do_file(&root, "f", "x", &f), 0);
    loc = loc_gfid(&f);
    /* readlink(2) of a file or directory: EINVAL, not Linux's ENOENT. */
    ck_assert_int_eq(gf_syncop_readlink(&E.sc, NULL, &loc, 4096, NULL),
                     -EINVAL);
    loc = loc_gfid(&root);
    ck_assert_int_eq(gf_syncop_readlink(&E.sc, NULL, &loc, 4096, NULL),
                     -EINVAL);
    loc = loc_gfid(&f);
    nloc = loc_entry(&root, "f2");
    ck_assert_int_eq(gf_syncop_link(&E.sc, &lo, &loc, &nloc, NULL), 0);
    ck_assert(gf_gfid_equal(&lo.buf->gfid, &f));
    ck_assert_uint_eq(lo.buf->nlink, 2);
    gf_syncop_link_out_wipe(&lo);
    disk_path("f2", path);
    ck_assert_int_eq(stat(path, &st), 0);
    ck_assert_uint_eq(st.st_nlink, 3);
    ck_assert_int_eq(gf_syncop_link(&E.sc, NULL, &loc, &nloc, NULL), -EEXIST);
    loc = loc_gfid(&root);
    nloc = loc_entry(&root, "rootlink");
    ck_assert_int_eq(gf_syncop_link(&E.sc, NULL, &loc, &nloc, NULL), -EPERM);

    loc = loc_entry(&root, "fifo");
    if (!symlinks_ok()) {
        ck_assert_int_eq(
            gf_syncop_mknod(&E.sc, NULL, &loc, S_IFIFO | 0600, 0, 0, NULL),
            -EPERM);
        return;
    }
    ck_assert_int_eq(
        gf_syncop_mknod(&E.sc, &mo, &loc, S_IFIFO | 0600, 0, 0, NULL), 0);
    ck_assert(S_ISFIFO(mo.buf->mode));
    p = mo.buf->gfid;
    gf_syncop_mknod_out_wipe(&mo);
    loc = loc_gfid(&p);
    ck_assert_int_eq(do_lookup(&loc, NULL), 0);
    disk_path("fifo", path);
    ck_assert_int_eq(lstat(path, &st), 0);
    ck_assert(S_ISFIFO(st.st_mode));
}
END_TEST

START_TEST(unlink_and_rmdir)
{
    gf_gfid_t root = root_g(), d, f;
    gf_syncop_unlink_out_t uo;
    gf_loc_t loc;
    char path[PATH_MAX];
    struct stat st;

    ck_assert_int_eq(do_mkdir(&root, "d", &d), 0);
    ck_assert_int_eq(do_file(&d, "f", "x", &f), 0);
    loc = loc_entry(&root, "d");
    ck_assert_int_eq(gf_syncop_rmdir(&E.sc, NULL, &loc, 0, NULL), -ENOTEMPTY);
    ck_assert_int_eq(gf_syncop_unlink(&E.sc, NULL, &loc, 0, NULL), -EISDIR);
    loc = loc_entry(&d, "f");
    ck_assert_int_eq(gf_syncop_unlink(&E.sc, &uo, &loc, 0, NULL), 0);
    ck_assert(gf_gfid_equal(&uo.postparent->gfid, &d));
    gf_syncop_unlink_out_wipe(&uo);
    ck_assert_int_eq(gf_syncop_unlink(&E.sc, NULL, &loc, 0, NULL), -ENOENT);
    handle_path(&f, path);
    ck_assert_int_eq(lstat(path, &st), -1);
    loc = loc_gfid(&f);
    ck_assert_int_eq(do_lookup(&loc, NULL), -ESTALE);
    loc = loc_entry(&root, "d");
    ck_assert_int_eq(gf_syncop_rmdir(&E.sc, NULL, &loc, 0, NULL), 0);
    handle_path(&d, path);
    ck_assert_int_eq(lstat(path, &st), -1);
    loc = loc_gfid(&d);
    ck_assert_int_eq(do_lookup(&loc, NULL), -ESTALE);
    loc = loc_entry(&root, "d");
    ck_assert_int_eq(do_lookup(&loc, NULL), -ENOENT);
}
END_TEST

/* Threads making the same directories at once: one wins each name, the
 * others get EEXIST, and nobody ever finds a name without its gfid (an
 * object appears under its name only once it has one). */
enum { RACERS = 4, RACE_ROUNDS = 150 };

static pthread_barrier_t race_bar;

static void *
mkdir_racer(void *arg)
{
    gf_gfid_t root = root_g();
    long won = 0;

    for (int r = 0; r < RACE_ROUNDS; r++) {
        char name[32];
        gf_loc_t loc;
        gf_iatt_t ia;
        int ret;

        snprintf(name, sizeof(name), "race%d", r);
        pthread_barrier_wait(&race_bar);
        ret = do_mkdir(&root, name, NULL);
        if (ret == 0)
            won++;
        else if (ret != -EEXIST)
            return (void *)-1L;
        loc = loc_entry(&root, name);
        if (do_lookup(&loc, &ia) != 0 || gf_gfid_is_null(&ia.gfid))
            return (void *)-2L;
        /* Usable by gfid at once: its handle came before its name. */
        snprintf(name, sizeof(name), "in%ld", (long)(intptr_t)arg);
        if (do_mkdir(&ia.gfid, name, NULL) != 0)
            return (void *)-3L;
    }
    return (void *)won;
}

START_TEST(concurrent_mkdir_same_name)
{
    pthread_t th[RACERS];
    long total = 0;
    char path[PATH_MAX];
    struct dirent *de;
    DIR *d;

    ck_assert_int_eq(pthread_barrier_init(&race_bar, NULL, RACERS), 0);
    for (int i = 0; i < RACERS; i++)
        ck_assert_int_eq(
            pthread_create(&th[i], NULL, mkdir_racer, (void *)(intptr_t)i), 0);
    for (int i = 0; i < RACERS; i++) {
        void *won;

        pthread_join(th[i], &won);
        ck_assert_int_ge((long)won, 0);
        total += (long)won;
    }
    pthread_barrier_destroy(&race_bar);
    ck_assert_int_eq(total, RACE_ROUNDS);
    /* Losers left nothing behind in the stage. */
    disk_path(".glusterfs/gfsd-stage", path);
    d = opendir(path);
    ck_assert_ptr_nonnull(d);
    while ((de = readdir(d)) != NULL)
        ck_assert_msg(de->d_name[0] == '.', "left in the stage: %s",
                      de->d_name);
    closedir(d);
}
END_TEST

START_TEST(statfs_and_access)
{
    gf_gfid_t root = root_g();
    gf_loc_t loc = loc_gfid(&root);
    gf_syncop_statfs_out_t o;

    ck_assert_int_eq(gf_syncop_statfs(&E.sc, &o, &loc, NULL), 0);
    ck_assert_uint_gt(o.buf->f_blocks, 0);
    ck_assert_uint_gt(o.buf->f_bsize, 0);
    gf_syncop_statfs_out_wipe(&o);
    ck_assert_int_eq(gf_syncop_access(&E.sc, NULL, &loc, R_OK, NULL), 0);
}
END_TEST

/* A symlink to outside is an object, never a way through. */
static void
symlink_out_is_inert(void)
{
    gf_gfid_t root = root_g(), s;
    gf_syncop_symlink_out_t so;
    gf_loc_t loc;
    gf_iatt_t buf;

    loc = loc_entry(&root, "out");
    ck_assert_int_eq(gf_syncop_symlink(&E.sc, &so, "/", &loc, 0, NULL), 0);
    s = so.buf->gfid;
    gf_syncop_symlink_out_wipe(&so);
    ck_assert_int_eq(do_lookup(&loc, &buf), 0);
    ck_assert(S_ISLNK(buf.mode));
    ck_assert_int_eq(do_mkdir(&s, "x", NULL), -ENOTDIR);
    ck_assert_int_eq(do_file(&s, "etc", "x", NULL), -ENOTDIR);
    loc = loc_entry(&s, "etc");
    ck_assert_int_eq(do_lookup(&loc, NULL), -ENOTDIR);
    loc = loc_gfid(&s);
    {
        gf_inode_t *in = gf_inode_new(E.table);
        gf_fd_t *fd = gf_fd_new(in, O_RDONLY, 0);

        ck_assert_int_eq(gf_syncop_open(&E.sc, NULL, &loc, O_RDONLY, fd, NULL),
                         -ELOOP);
        ck_assert_int_eq(gf_syncop_opendir(&E.sc, NULL, &loc, fd, NULL),
                         -ENOTDIR);
        gf_fd_unref(fd);
        gf_inode_unref(in);
    }
}

START_TEST(escapes_are_refused)
{
    static const char *const bad[] = {"..", ".", "a/b", "../x", "/etc", ""};
    gf_gfid_t root = root_g(), d, fake;
    gf_loc_t loc;
    char path[PATH_MAX], hdir[PATH_MAX];
    gf_iatt_t buf;

    ck_assert_int_eq(do_mkdir(&root, "d", &d), 0);
    for (size_t i = 0; i < GF_ARRAY_SIZE(bad); i++) {
        loc = loc_entry(&d, bad[i]);
        ck_assert_int_eq(do_mkdir(&d, bad[i], NULL), -EINVAL);
        ck_assert_int_eq(do_file(&d, bad[i], "x", NULL), -EINVAL);
        ck_assert_int_eq(gf_syncop_unlink(&E.sc, NULL, &loc, 0, NULL), -EINVAL);
        if (strcmp(bad[i], "."))
            ck_assert_int_eq(do_lookup(&loc, NULL), -EINVAL);
    }
    /* .glusterfs is not reachable by name */
    loc = loc_entry(&root, ".glusterfs");
    ck_assert_int_eq(do_lookup(&loc, NULL), -EPERM);
    ck_assert_int_eq(gf_syncop_rmdir(&E.sc, NULL, &loc, 0, NULL), -EPERM);
    ck_assert_int_eq(do_mkdir(&root, ".glusterfs", NULL), -EPERM);

    if (symlinks_ok())
        symlink_out_is_inert();
    /* a symlink made behind our back inside the brick, used as a parent */
    disk_path("d/evil", path);
    ck_assert_int_eq(symlink("/", path), 0);
    loc = loc_entry(&d, "evil");
    ck_assert_int_eq(do_lookup(&loc, &buf), 0);
    ck_assert(S_ISLNK(buf.mode));

    /* a gfid this brick does not have */
    gf_gfid_generate(&fake);
    loc = loc_gfid(&fake);
    ck_assert_int_eq(do_lookup(&loc, NULL), -ESTALE);
    ck_assert_int_eq(do_mkdir(&fake, "x", NULL), -ESTALE);
    /* a forged directory handle pointing out of the brick */
    snprintf(hdir, sizeof(hdir), "%s/.glusterfs/%02x", E.brick, fake.b[0]);
    mkdir(hdir, 0700);
    snprintf(hdir, sizeof(hdir), "%s/.glusterfs/%02x/%02x", E.brick, fake.b[0],
             fake.b[1]);
    mkdir(hdir, 0700);
    handle_path(&fake, path);
    ck_assert_int_eq(symlink("../../../../../../../../etc", path), 0);
    ck_assert_int_eq(do_lookup(&loc, NULL), -ESTALE);
    ck_assert_int_eq(do_mkdir(&fake, "x", NULL), -ESTALE);
    unlink(path);
    /* and one with the right shape naming .glusterfs itself */
    {
        char rs[GF_GFID_STR_SIZE], t[PATH_MAX];

        gf_gfid_unparse(&root, rs);
        snprintf(t, sizeof(t), "../../00/00/%s/.glusterfs", rs);
        ck_assert_int_eq(symlink(t, path), 0);
        ck_assert_int_eq(do_lookup(&loc, NULL), -ESTALE);
    }
}
END_TEST

START_TEST(init_refuses_bad_bricks)
{
    env_t e;
    char file[PATH_MAX];
    int fd;

    memset(&e, 0, sizeof(e));
    make_brick(&e);
    snprintf(file, sizeof(file), "%s/missing", e.brick);
    ck_assert_int_lt(graph_start(&e, file, "user"), 0);
    graph_stop(&e);
    snprintf(file, sizeof(file), "%s/afile", e.brick);
    fd = open(file, O_CREAT | O_WRONLY, 0600);
    ck_assert_int_ge(fd, 0);
    close(fd);
    ck_assert_int_lt(graph_start(&e, file, "user"), 0);
    graph_stop(&e);
    unlink(file);
    /* a brick root holding another gfid */
    ck_assert_int_eq(setxattr(e.brick, "user.gfid", "0123456789abcdef", 16, 0),
                     0);
    ck_assert_int_lt(graph_start(&e, e.brick, "user"), 0);
    graph_stop(&e);
    nftw(e.brick, rm_one, 16, FTW_DEPTH | FTW_PHYS);
}
END_TEST

START_TEST(user_namespace_and_restart)
{
    env_t e;
    gf_gfid_t root = gf_gfid_root(), d, g;
    gf_loc_t loc;
    gf_iatt_t buf;
    char path[PATH_MAX];

    memset(&e, 0, sizeof(e));
    make_brick(&e);
    snprintf(e.ns, sizeof(e.ns), "user");
    ck_assert_int_eq(graph_start(&e, e.brick, "user"), 0);
    loc = loc_entry(&root, "d");
    {
        gf_syncop_mkdir_out_t o;

        ck_assert_int_eq(gf_syncop_mkdir(&e.sc, &o, &loc, 0755, 0, NULL), 0);
        d = o.buf->gfid;
        gf_syncop_mkdir_out_wipe(&o);
    }
    snprintf(path, sizeof(path), "%s/d", e.brick);
    ck_assert_int_eq(lgetxattr(path, "user.gfid", g.b, 16), 16);
    ck_assert(gf_gfid_equal(&g, &d));
    graph_stop(&e);
    /* a second start finds the root gfid and the handles in place */
    ck_assert_int_eq(graph_start(&e, e.brick, "user"), 0);
    loc = loc_gfid(&d);
    {
        gf_syncop_lookup_out_t o;

        ck_assert_int_eq(gf_syncop_lookup(&e.sc, &o, &loc, NULL), 0);
        buf = *o.buf;
        gf_syncop_lookup_out_wipe(&o);
    }
    ck_assert(gf_gfid_equal(&buf.gfid, &d));
    graph_stop(&e);
    nftw(e.brick, rm_one, 16, FTW_DEPTH | FTW_PHYS);
}
END_TEST

int
main(void)
{
    Suite *s = suite_create("posix");
    TCase *tc = tcase_create("core");
    TCase *ti = tcase_create("init");
    char xl[PATH_MAX];

    /* make check sets the plugin path; run by hand from the build dir,
     * find storage/posix in ./xlators. */
    if (!getenv("GF_XLATOR_PATH") && realpath("xlators", xl))
        setenv("GF_XLATOR_PATH", xl, 0);

    tcase_add_checked_fixture(tc, setup, teardown);
    tcase_set_timeout(tc, 30);
    tcase_add_test(tc, lookup_root_and_init_state);
    tcase_add_test(tc, mkdir_adopts_gfid_req);
    tcase_add_test(tc, deep_directory_chain);
    tcase_add_test(tc, create_write_read_fstat);
    tcase_add_test(tc, readdir_and_readdirp);
    tcase_add_test(tc, fd_attribute_and_xattr_fops);
    tcase_add_test(tc, rename_file_and_dir);
    tcase_add_test(tc, truncate_and_setattr);
    tcase_add_test(tc, xattrs);
    tcase_add_test(tc, xattrop_arrays);
    tcase_add_test(tc, xattrop_is_atomic);
    tcase_add_test(tc, symlink_link_mknod);
    tcase_add_test(tc, unlink_and_rmdir);
    tcase_add_test(tc, statfs_and_access);
    tcase_add_test(tc, concurrent_mkdir_same_name);
    tcase_add_test(tc, escapes_are_refused);
    suite_add_tcase(s, tc);
    tcase_set_timeout(ti, 30);
    tcase_add_test(ti, init_refuses_bad_bricks);
    tcase_add_test(ti, user_namespace_and_restart);
    suite_add_tcase(s, ti);
    return gf_test_run(s);
}
