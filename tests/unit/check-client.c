/* SPDX-License-Identifier: LGPL-3.0-or-later */
/*
 * check-client.c - protocol/client against a gfsd brick in the same
 * process: a brick graph (protocol/server over storage/posix in a temp
 * dir, on a free loopback port) and a client graph (test/watch, which
 * records CHILD_UP/DOWN, over protocol/client). Fops are driven through
 * syncop and checked in the replies and on disk: the handshake, a wrong
 * remote-subvolume, the file and directory fops, xattrs, links, locks, a
 * brick that goes away (ENOTCONN, CHILD_DOWN, stale fds) and comes back
 * (CHILD_UP again). Every wait is bounded; none is a sleep.
 */
#include <errno.h>
#include <fcntl.h>
#include <ftw.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/xattr.h>
#include <time.h>
#include <unistd.h>

#include <gf/graph.h>
#include <gf/iobuf.h>
#include <gf/syncop.h>
#include <gf/xlator.h>

#include "../interop/client-watch.h"
#include "gf-test.h"

/* ---- test/watch (client-watch.h) and its INODELK hook ------------------ */

/* INODELK replies note how many CHILD_DOWNs came before them. */
static int down_at_reply = -1;

static int
watch_inodelk_cbk(gf_frame_t *frame, void *cookie, gf_xlator_t *self,
                  int32_t op_ret, int32_t op_errno, gf_dict_t *xdata)
{
    (void)cookie, (void)self;
    pthread_mutex_lock(&W.lock);
    down_at_reply = W.down;
    pthread_mutex_unlock(&W.lock);
    gf_unwind_inodelk(frame, op_ret, op_errno, xdata);
    return 0;
}

static int
watch_inodelk(gf_frame_t *frame, gf_xlator_t *self, const char *volume,
              gf_loc_t *loc, int32_t cmd, gf_flock_t *flock, gf_dict_t *xdata)
{
    return gf_wind_inodelk(frame, gf_xlator_child(self, 0), watch_inodelk_cbk,
                           NULL, volume, loc, cmd, flock, xdata);
}

static const gf_xlator_fops_t watch_fops = {.inodelk = watch_inodelk};

static const struct gf_xlator_api watch_api = {
    .abi_major = GF_XLATOR_ABI_MAJOR,
    .abi_minor = GF_XLATOR_ABI_MINOR,
    .type = "test/watch",
    .init = watch_init,
    .fini = watch_fini,
    .notify = watch_notify,
    .fops = &watch_fops,
};
static const struct gf_xlator_api *const builtins[] = {&watch_api, NULL};

/* ---- the two graphs ------------------------------------------------------ */

typedef struct env {
    gf_ctx_t *ctx;
    gf_volfile_t *bvf, *cvf;
    gf_graph_t *brick, *client;
    char dir[256];
    int port;
    gf_call_pool_t *pool;
    gf_inode_table_t *it;
    gf_inode_t *root;
    gf_syncop_t sc;
} env_t;

static gf_graph_t *
graph_up(env_t *e, const char *text, gf_volfile_t **vf)
{
    gf_volfile_error_t verr;
    gf_graph_t *g = NULL;
    char err[512];
    int ret;

    ck_assert_int_eq(gf_volfile_parse(text, strlen(text), "t.vol", vf, &verr),
                     0);
    ret = gf_graph_new(e->ctx, *vf, &g, err, sizeof(err));
    ck_assert_msg(ret == 0, "%s", err);
    ret = gf_graph_init(g, err, sizeof(err));
    ck_assert_msg(ret == 0, "%s", err);
    ck_assert_int_eq(gf_graph_activate(g), 0);
    return g;
}

/* GRAPH's statedump, malloc'd. */
static char *
dump(gf_graph_t *g)
{
    char *buf = NULL;
    size_t len = 0;
    FILE *f = open_memstream(&buf, &len);

    ck_assert_ptr_nonnull(f);
    ck_assert_int_eq(gf_graph_dump(g, f), 0);
    fclose(f);
    return buf;
}

/* Poll G's statedump (bounded: 15 s) until it shows WHAT. */
static bool
graph_shows(gf_graph_t *g, const char *what)
{
    for (int i = 0; i < 1500; i++) {
        char *d = dump(g);
        bool yes = strstr(d, what) != NULL;

        free(d);
        if (yes)
            return true;
        usleep(10000);
    }
    return false;
}

/* The brick on PORT (0: any), with EXTRA server option lines. */
static void
brick_start_opts(env_t *e, int port, const char *extra)
{
    char text[1024], *d, *p;

    snprintf(text, sizeof(text),
             "volume brick-posix\n  type storage/posix\n"
             "  option directory %s\nend-volume\n"
             "volume brick-locks\n  type features/locks\n"
             "  subvolumes brick-posix\nend-volume\n"
             "volume brick-server\n  type protocol/server\n"
             "  option transport.socket.listen-port %d\n%s"
             "  subvolumes brick-locks\nend-volume\n",
             e->dir, port, extra);
    e->brick = graph_up(e, text, &e->bvf);
    d = dump(e->brick);
    p = strstr(d, "port=");
    ck_assert_ptr_nonnull(p);
    e->port = atoi(p + 5);
    free(d);
    ck_assert_int_gt(e->port, 0);
}

static void
brick_start(env_t *e, int port)
{
    brick_start_opts(e, port, "");
}

static void
brick_stop(env_t *e)
{
    gf_graph_free(e->brick);
    gf_volfile_free(e->bvf);
    e->brick = NULL;
    e->bvf = NULL;
}

/* The client graph for SUBVOL, with EXTRA option lines for c0 (which
 * may name another remote-host than the default 127.0.0.1). */
static void
client_start_opts(env_t *e, const char *subvol, const char *extra)
{
    char text[1024];

    snprintf(text, sizeof(text),
             "volume c0\n  type protocol/client\n"
             "  option remote-host 127.0.0.1\n  option remote-port %d\n"
             "  option remote-subvolume %s\n%send-volume\n"
             "volume top\n  type test/watch\n  subvolumes c0\nend-volume\n",
             e->port, subvol, extra);
    e->client = graph_up(e, text, &e->cvf);
    e->it = gf_xlator_inode_table_new(gf_graph_find(e->client, "c0"), 1024);
    ck_assert_ptr_nonnull(e->it);
    e->root = gf_inode_table_root(e->it);
    e->sc.pool = e->pool;
    e->sc.subvol = gf_graph_top(e->client);
}

static void
client_start(env_t *e, const char *subvol)
{
    client_start_opts(e, subvol, "");
}

/* The context, without graphs. */
static void
env_init(env_t *e)
{
    memset(e, 0, sizeof(*e));
    W.up = W.down = 0;
    snprintf(e->dir, sizeof(e->dir), "%s/check-client-XXXXXX",
             gf_test_tmpdir());
    ck_assert_ptr_nonnull(mkdtemp(e->dir));
    e->ctx = gf_ctx_new();
    ck_assert_ptr_nonnull(e->ctx);
    ck_assert_int_eq(gf_ctx_init_defaults(e->ctx), 0);
    gf_ctx_set_builtin_xlators(e->ctx, builtins);
    e->pool = gf_call_pool_new(e->ctx);
}

static void
env_start(env_t *e, const char *subvol)
{
    env_init(e);
    brick_start(e, 0);
    client_start(e, subvol);
}

static int
rm_one(const char *path, const struct stat *st, int flag, struct FTW *ftw)
{
    (void)st, (void)flag, (void)ftw;
    return remove(path);
}

static void
env_stop(env_t *e)
{
    gf_inode_unref(e->root);
    gf_inode_table_free(e->it);
    gf_graph_free(e->client);
    gf_volfile_free(e->cvf);
    if (e->brick)
        brick_stop(e);
    gf_call_pool_free(e->pool);
    gf_ctx_free(e->ctx);
    nftw(e->dir, rm_one, 16, FTW_DEPTH | FTW_PHYS);
}

static void
up(env_t *e)
{
    ck_assert_int_eq(wait_count(&W.up, 1), 1);
}

/* ---- fop helpers ----------------------------------------------------------
 */

/* Link a fresh inode under PARENT/NAME with the attributes IA. */
static gf_inode_t *
link_new(env_t *e, gf_inode_t *parent, const char *name, const gf_iatt_t *ia)
{
    gf_inode_t *in = gf_inode_new(e->it), *l;

    l = gf_inode_link(in, parent, name, &ia->gfid,
                      gf_inode_type_from_mode(ia->mode));
    gf_inode_unref(in);
    ck_assert_ptr_nonnull(l);
    return l;
}

static gf_inode_t *
do_mkdir(env_t *e, gf_inode_t *parent, const char *name)
{
    gf_syncop_mkdir_out_t o;
    gf_inode_t *in = gf_inode_new(e->it), *l;
    gf_loc_t loc = at(parent, name, in);

    ck_assert_int_eq(gf_syncop_mkdir(&e->sc, &o, &loc, 0755, 022, NULL), 0);
    ck_assert_int_eq(o.buf->mode & S_IFMT, S_IFDIR);
    l = link_new(e, parent, name, o.buf);
    gf_syncop_mkdir_out_wipe(&o);
    gf_inode_unref(in);
    return l;
}

/* CREATE PARENT/NAME: the new fd; its inode is linked. */
static gf_fd_t *
do_create(env_t *e, gf_inode_t *parent, const char *name)
{
    gf_syncop_create_out_t o;
    gf_inode_t *in = gf_inode_new(e->it), *l;
    gf_loc_t loc = at(parent, name, in);
    gf_fd_t *fd = gf_fd_new(in, O_RDWR, 0);

    ck_assert_int_eq(
        gf_syncop_create(&e->sc, &o, &loc, O_RDWR | O_CREAT, 0644, 0, fd, NULL),
        0);
    l = gf_inode_link(in, parent, name, &o.buf->gfid, GF_INODE_REG);
    ck_assert_ptr_eq(l, in);
    gf_inode_unref(l);
    gf_syncop_create_out_wipe(&o);
    gf_inode_unref(in);
    return fd;
}

static void
do_write(env_t *e, gf_fd_t *fd, const char *text, off_t off)
{
    gf_iobuf_t *iob = gf_iobuf_get(gf_ctx_iobuf_pool(e->ctx), 0);
    gf_iobref_t *ref = gf_iobref_new();
    struct iovec v = {gf_iobuf_ptr(iob), strlen(text)};

    memcpy(v.iov_base, text, v.iov_len);
    gf_iobref_add(ref, iob);
    ck_assert_int_eq(
        gf_syncop_writev(&e->sc, NULL, fd, &v, 1, off, 0, ref, NULL),
        (int)v.iov_len);
    gf_iobref_unref(ref);
    gf_iobuf_unref(iob);
}

/* Whether P lies in one of REF's iobufs (READ data left where it landed). */
static bool
in_iobref(gf_iobref_t *ref, const void *p)
{
    for (unsigned i = 0; ref && i < gf_iobref_count(ref); i++) {
        const char *b = gf_iobuf_ptr(gf_iobref_at(ref, i));

        if ((const char *)p >= b &&
            (const char *)p < b + gf_iobuf_size(gf_iobref_at(ref, i)))
            return true;
    }
    return false;
}

static char *
path_in(env_t *e, const char *rel, char *buf, size_t size)
{
    snprintf(buf, size, "%s/%s", e->dir, rel);
    return buf;
}

/* ---- tests ----------------------------------------------------------------
 */

START_TEST(handshake_up)
{
    env_t e;
    char *d;

    env_start(&e, "brick-locks");
    up(&e);
    d = dump(e.client);
    ck_assert_ptr_nonnull(strstr(d, "connected=1"));
    ck_assert_ptr_nonnull(strstr(d, "state=up"));
    free(d);
    ck_assert_int_eq(W.down, 0);
    env_stop(&e);
    ck_assert_int_eq(W.down, 1); /* PARENT_DOWN: once */
}
END_TEST

START_TEST(wrong_subvolume)
{
    gf_loc_t loc;
    env_t e;
    char *d;

    env_start(&e, "no-such-brick");
    ck_assert_int_eq(wait_count(&W.down, 1), 1);
    ck_assert_int_eq(W.up, 0);
    d = dump(e.client);
    ck_assert_ptr_nonnull(strstr(d, "connected=0"));
    ck_assert_msg(strstr(d, "last-error=SETVOLUME refused") &&
                      strstr(d, "\"no-such-brick\" is not found"),
                  "%s", d);
    free(d);
    loc = at(NULL, NULL, e.root);
    ck_assert_int_eq(gf_syncop_stat(&e.sc, NULL, &loc, NULL), -ENOTCONN);
    env_stop(&e);
    ck_assert_int_eq(W.down, 1);
}
END_TEST

START_TEST(auth_refused)
{
    env_t e;
    char *d;

    env_init(&e);
    brick_start_opts(&e, 0, "  option auth-reject 127.0.0.1\n");
    client_start(&e, "brick-locks");
    ck_assert_int_eq(wait_count(&W.down, 1), 1);
    ck_assert_int_eq(W.up, 0);
    d = dump(e.client);
    ck_assert_msg(strstr(d, "last-error=authentication failed for "
                            "remote-subvolume \"brick-locks\""),
                  "%s", d);
    free(d);
    env_stop(&e);
    ck_assert_int_eq(W.down, 1);
}
END_TEST

START_TEST(inet6_loopback)
{
    gf_loc_t loc;
    env_t e;
    char *d;

    env_init(&e);
    brick_start_opts(&e, 0, "  option transport.address-family inet6\n");
    client_start_opts(&e, "brick-locks",
                      "  option remote-host ::1\n"
                      "  option transport.address-family inet6\n");
    up(&e);
    loc = at(NULL, NULL, e.root);
    ck_assert_int_eq(gf_syncop_stat(&e.sc, NULL, &loc, NULL), 0);
    d = dump(e.client);
    ck_assert_msg(strstr(d, "remote=[::1]:"), "%s", d);
    free(d);
    env_stop(&e);
}
END_TEST

START_TEST(option_checks)
{
    static const char *const bad[] = {
        "volume c\n type protocol/client\n option remote-host 127.0.0.1\n"
        "end-volume\n", /* no remote-subvolume */
        "volume c\n type protocol/client\n option remote-subvolume x\n"
        "end-volume\n", /* no remote-host */
        "volume c\n type protocol/client\n option remote-host 127.0.0.1\n"
        " option remote-subvolume x\n option transport-type rdma\n"
        "end-volume\n",
    };
    gf_ctx_t *ctx = gf_ctx_new();

    for (size_t i = 0; i < GF_ARRAY_SIZE(bad); i++) {
        gf_volfile_error_t verr;
        gf_volfile_t *vf;
        gf_graph_t *g;
        char err[512];

        ck_assert_int_eq(
            gf_volfile_parse(bad[i], strlen(bad[i]), "b.vol", &vf, &verr), 0);
        ck_assert_int_eq(gf_graph_new(ctx, vf, &g, err, sizeof(err)), 0);
        ck_assert_int_lt(gf_graph_init(g, err, sizeof(err)), 0);
        gf_graph_free(g);
        gf_volfile_free(vf);
    }
    gf_ctx_free(ctx);
}
END_TEST

START_TEST(file_fops)
{
    gf_syncop_readv_out_t r;
    gf_syncop_readdirp_out_t rd;
    gf_syncop_stat_out_t st;
    gf_syncop_statfs_out_t sf;
    gf_inode_t *d, *f;
    gf_loc_t loc, loc2;
    char p[512];
    struct stat sb;
    gf_fd_t *fd, *dfd;
    bool found = false;
    env_t e;

    env_start(&e, "brick-locks");
    up(&e);
    d = do_mkdir(&e, e.root, "d");
    ck_assert_int_eq(stat(path_in(&e, "d", p, sizeof(p)), &sb), 0);
    ck_assert(S_ISDIR(sb.st_mode));

    fd = do_create(&e, d, "f");
    do_write(&e, fd, "hello, brick", 0);
    ck_assert_int_eq(gf_syncop_flush(&e.sc, NULL, fd, NULL), 0);
    ck_assert_int_eq(gf_syncop_fsync(&e.sc, NULL, fd, 0, NULL), 0);
    ck_assert_int_eq(gf_syncop_readv(&e.sc, &r, fd, 100, 7, 0, NULL), 5);
    ck_assert_int_eq(r.count, 1);
    ck_assert_int_eq(memcmp(r.vector[0].iov_base, "brick", 5), 0);
    ck_assert(in_iobref(r.iobref, r.vector[0].iov_base)); /* not copied */
    gf_syncop_readv_out_wipe(&r);
    ck_assert_int_eq(stat(path_in(&e, "d/f", p, sizeof(p)), &sb), 0);
    ck_assert_int_eq(sb.st_size, 12);

    f = gf_fd_inode(fd);
    loc = at(d, "f", f);
    ck_assert_int_eq(gf_syncop_stat(&e.sc, &st, &loc, NULL), 0);
    ck_assert_int_eq(st.buf->size, 12);
    gf_syncop_stat_out_wipe(&st);
    ck_assert_int_eq(gf_syncop_fstat(&e.sc, NULL, fd, NULL), 0);
    ck_assert_int_eq(gf_syncop_ftruncate(&e.sc, NULL, fd, 5, NULL), 0);
    ck_assert_int_eq(gf_syncop_access(&e.sc, NULL, &loc, R_OK, NULL), 0);
    ck_assert_int_eq(gf_syncop_statfs(&e.sc, &sf, &loc, NULL), 0);
    ck_assert_uint_gt(sf.buf->f_blocks, 0);
    gf_syncop_statfs_out_wipe(&sf);
    ck_assert(graph_shows(e.brick, "itable.0.open-fds=1"));
    gf_fd_unref(fd);

    /* READDIRP of d lists f, with its attributes. */
    dfd = gf_fd_new(d, O_RDONLY, 0);
    loc = at(e.root, "d", d);
    ck_assert_int_eq(gf_syncop_opendir(&e.sc, NULL, &loc, dfd, NULL), 0);
    ck_assert_int_ge(gf_syncop_readdirp(&e.sc, &rd, dfd, 65536, 0, NULL), 1);
    for (gf_dirent_t *de = rd.entries ? rd.entries->head : NULL; de;
         de = de->next)
        if (strcmp(de->name, "f") == 0)
            found = de->stat.size == 5;
    ck_assert(found);
    gf_syncop_readdirp_out_wipe(&rd);
    gf_fd_unref(dfd);
    /* Both fds gone: RELEASE and RELEASEDIR reached the brick. */
    ck_assert(graph_shows(e.client, "fds=0"));
    ck_assert(graph_shows(e.brick, "itable.0.open-fds=0"));

    /* RENAME d/f -> d/g; then UNLINK and RMDIR. */
    loc = at(d, "f", f);
    loc2 = at(d, "g", NULL);
    ck_assert_int_eq(gf_syncop_rename(&e.sc, NULL, &loc, &loc2, NULL), 0);
    ck_assert_int_eq(stat(path_in(&e, "d/g", p, sizeof(p)), &sb), 0);
    ck_assert_int_eq(sb.st_size, 5);
    ck_assert_int_eq(gf_syncop_unlink(&e.sc, NULL, &loc2, 0, NULL), 0);
    ck_assert_int_eq(gf_syncop_unlink(&e.sc, NULL, &loc2, 0, NULL), -ENOENT);
    loc = at(e.root, "d", d);
    ck_assert_int_eq(gf_syncop_rmdir(&e.sc, NULL, &loc, 0, NULL), 0);
    ck_assert_int_eq(stat(path_in(&e, "d", p, sizeof(p)), &sb), -1);
    gf_inode_unref(d);
    env_stop(&e);
}
END_TEST

START_TEST(attr_and_xattr_fops)
{
    gf_syncop_getxattr_out_t gx;
    gf_syncop_lookup_out_t lo;
    gf_inode_t *d;
    gf_dict_t *x = gf_dict_new();
    gf_iatt_t ia;
    gf_loc_t loc;
    char p[512], val[16];
    const void *b;
    size_t blen;
    struct stat sb;
    env_t e;

    env_start(&e, "brick-locks");
    up(&e);
    d = do_mkdir(&e, e.root, "x");
    loc = at(e.root, "x", d);
    gf_dict_set_str(x, "user.colour", "blue");
    ck_assert_int_eq(gf_syncop_setxattr(&e.sc, NULL, &loc, x, 0, NULL), 0);
    gf_dict_unref(x);
    ck_assert_int_eq(lgetxattr(path_in(&e, "x", p, sizeof(p)), "user.colour",
                               val, sizeof(val)),
                     5); /* with its NUL, as GlusterFS stores strings */
    ck_assert_int_ge(gf_syncop_getxattr(&e.sc, &gx, &loc, "user.colour", NULL),
                     0);
    ck_assert_int_eq(gf_dict_get_bin(gx.dict, "user.colour", &b, &blen), 0);
    ck_assert_int_ge(blen, 4);
    ck_assert_int_eq(memcmp(b, "blue", 4), 0);
    gf_syncop_getxattr_out_wipe(&gx);
    ck_assert_int_eq(
        gf_syncop_removexattr(&e.sc, NULL, &loc, "user.colour", NULL), 0);
    ck_assert_int_lt(gf_syncop_getxattr(&e.sc, NULL, &loc, "user.colour", NULL),
                     0);

    /* SETATTR mode; LOOKUP sees it; nameless LOOKUP by gfid too. */
    memset(&ia, 0, sizeof(ia));
    ia.mode = 0700;
    ck_assert_int_eq(
        gf_syncop_setattr(&e.sc, NULL, &loc, &ia, GF_SET_ATTR_MODE, NULL), 0);
    ck_assert_int_eq(stat(p, &sb), 0);
    ck_assert_int_eq(sb.st_mode & 07777, 0700);
    ck_assert_int_eq(gf_syncop_lookup(&e.sc, &lo, &loc, NULL), 0);
    ck_assert_int_eq(lo.buf->mode & 07777, 0700);
    gf_syncop_lookup_out_wipe(&lo);
    loc = at(NULL, NULL, d);
    ck_assert_int_eq(gf_syncop_lookup(&e.sc, NULL, &loc, NULL), 0);
    loc = at(e.root, "missing", NULL);
    ck_assert_int_eq(gf_syncop_lookup(&e.sc, NULL, &loc, NULL), -ENOENT);
    gf_inode_unref(d);
    env_stop(&e);
}
END_TEST

/* SYMLINK and READLINK. A non-root brick keeps gfids in user.* xattrs,
 * which Linux refuses on symlinks and FIFOs: then EPERM passes through. */
static void
symlink_steps(env_t *e)
{
    gf_syncop_symlink_out_t so;
    gf_syncop_readlink_out_t rl;
    gf_inode_t *in = gf_inode_new(e->it);
    gf_loc_t loc = at(e->root, "sl", in);
    int ret = gf_syncop_symlink(&e->sc, &so, "target", &loc, 0, NULL);

    gf_inode_unref(in);
    if (geteuid() != 0) {
        ck_assert_int_eq(ret, -EPERM);
        gf_syncop_symlink_out_wipe(&so);
        return;
    }
    ck_assert_int_eq(ret, 0);
    ck_assert_int_eq(so.buf->mode & S_IFMT, S_IFLNK);
    in = link_new(e, e->root, "sl", so.buf);
    gf_syncop_symlink_out_wipe(&so);
    loc = at(e->root, "sl", in);
    ck_assert_int_eq(gf_syncop_readlink(&e->sc, &rl, &loc, 256, NULL), 6);
    ck_assert_str_eq(rl.path, "target");
    gf_syncop_readlink_out_wipe(&rl);
    gf_inode_unref(in);
}

START_TEST(link_fops)
{
    gf_syncop_link_out_t lk;
    gf_inode_t *in;
    gf_fd_t *fd;
    gf_loc_t loc, loc2;
    char p[512];
    struct stat sa, sb;
    env_t e;
    int ret;

    env_start(&e, "brick-locks");
    up(&e);
    symlink_steps(&e);
    fd = do_create(&e, e.root, "a");
    loc = at(e.root, "a", gf_fd_inode(fd));
    loc2 = at(e.root, "b", NULL);
    ck_assert_int_eq(gf_syncop_link(&e.sc, &lk, &loc, &loc2, NULL), 0);
    ck_assert_int_eq(lk.buf->nlink, 2);
    gf_syncop_link_out_wipe(&lk);
    ck_assert_int_eq(stat(path_in(&e, "a", p, sizeof(p)), &sa), 0);
    ck_assert_int_eq(stat(path_in(&e, "b", p, sizeof(p)), &sb), 0);
    ck_assert_int_eq(sb.st_ino, sa.st_ino); /* one file, two names */

    in = gf_inode_new(e.it);
    loc = at(e.root, "fifo", in);
    ret = gf_syncop_mknod(&e.sc, NULL, &loc, S_IFIFO | 0600, 0, 0, NULL);
    if (geteuid() == 0) {
        ck_assert_int_eq(ret, 0);
        ck_assert_int_eq(stat(path_in(&e, "fifo", p, sizeof(p)), &sb), 0);
        ck_assert(S_ISFIFO(sb.st_mode));
    } else {
        ck_assert_int_eq(ret, -EPERM);
    }
    gf_inode_unref(in);
    gf_fd_unref(fd);
    env_stop(&e);
}
END_TEST

/* The fd forms (and TRUNCATE, XATTROP) of what other tests do by loc. */
START_TEST(fd_variants)
{
    static const unsigned char one[4] = {0, 0, 0, 1};
    gf_syncop_fgetxattr_out_t gx;
    gf_syncop_readdir_out_t rd;
    gf_dict_t *x = gf_dict_new(), *n = gf_dict_new();
    gf_flock_t fl;
    gf_iatt_t ia;
    gf_loc_t loc;
    gf_fd_t *fd, *dfd;
    unsigned char v[4];
    struct stat sb;
    char p[512];
    bool seen = false;
    env_t e;

    env_start(&e, "brick-locks");
    up(&e);
    fd = do_create(&e, e.root, "v");
    do_write(&e, fd, "0123456789", 0);
    loc = at(e.root, "v", gf_fd_inode(fd));
    ck_assert_int_eq(gf_syncop_truncate(&e.sc, NULL, &loc, 4, NULL), 0);
    memset(&ia, 0, sizeof(ia));
    ia.mode = 0640;
    ck_assert_int_eq(
        gf_syncop_fsetattr(&e.sc, NULL, fd, &ia, GF_SET_ATTR_MODE, NULL), 0);
    ck_assert_int_eq(stat(path_in(&e, "v", p, sizeof(p)), &sb), 0);
    ck_assert_int_eq(sb.st_size, 4);
    ck_assert_int_eq(sb.st_mode & 07777, 0640);

    gf_dict_set_str(x, "user.a", "1");
    ck_assert_int_eq(gf_syncop_fsetxattr(&e.sc, NULL, fd, x, 0, NULL), 0);
    ck_assert_int_ge(gf_syncop_fgetxattr(&e.sc, &gx, fd, "user.a", NULL), 0);
    ck_assert_int_eq(gf_dict_get_val(gx.dict, "user.a", NULL), 0);
    gf_syncop_fgetxattr_out_wipe(&gx);
    ck_assert_int_eq(gf_syncop_fremovexattr(&e.sc, NULL, fd, "user.a", NULL),
                     0);
    ck_assert_int_lt(gf_syncop_fgetxattr(&e.sc, NULL, fd, "user.a", NULL), 0);

    /* XATTROP then FXATTROP add 1 twice to a 32-bit counter. */
    gf_dict_set_bin(n, "user.n", one, sizeof(one));
    ck_assert_int_eq(gf_syncop_xattrop(&e.sc, NULL, &loc, 0, n, NULL), 0);
    ck_assert_int_eq(gf_syncop_fxattrop(&e.sc, NULL, fd, 0, n, NULL), 0);
    ck_assert_int_eq(lgetxattr(p, "user.n", v, sizeof(v)), 4);
    ck_assert_int_eq(v[3], 2);

    memset(&fl, 0, sizeof(fl));
    fl.type = F_WRLCK;
    ck_assert_int_eq(
        gf_syncop_finodelk(&e.sc, NULL, "dom", fd, F_SETLK, &fl, NULL), 0);
    fl.type = F_UNLCK;
    ck_assert_int_eq(
        gf_syncop_finodelk(&e.sc, NULL, "dom", fd, F_SETLK, &fl, NULL), 0);

    dfd = gf_fd_new(e.root, O_RDONLY, 0);
    loc = at(NULL, NULL, e.root);
    ck_assert_int_eq(gf_syncop_opendir(&e.sc, NULL, &loc, dfd, NULL), 0);
    ck_assert_int_eq(gf_syncop_fentrylk(&e.sc, NULL, "dom", dfd, "v",
                                        GF_ENTRYLK_LOCK_NB, GF_ENTRYLK_WRLCK,
                                        NULL),
                     0);
    ck_assert_int_eq(gf_syncop_fentrylk(&e.sc, NULL, "dom", dfd, "v",
                                        GF_ENTRYLK_UNLOCK, GF_ENTRYLK_WRLCK,
                                        NULL),
                     0);
    ck_assert_int_ge(gf_syncop_readdir(&e.sc, &rd, dfd, 65536, 0, NULL), 1);
    for (gf_dirent_t *de = rd.entries ? rd.entries->head : NULL; de;
         de = de->next)
        seen |= strcmp(de->name, "v") == 0;
    ck_assert(seen);
    gf_syncop_readdir_out_wipe(&rd);
    gf_dict_unref(x);
    gf_dict_unref(n);
    gf_fd_unref(dfd);
    gf_fd_unref(fd);
    env_stop(&e);
}
END_TEST

START_TEST(lock_fops)
{
    gf_syncop_lk_out_t lo;
    gf_flock_t fl;
    gf_loc_t loc;
    gf_fd_t *fd;
    env_t e;

    env_start(&e, "brick-locks");
    up(&e);
    fd = do_create(&e, e.root, "l");
    memset(&fl, 0, sizeof(fl));
    fl.type = F_WRLCK;
    fl.whence = SEEK_SET;
    fl.len = 10;
    ck_assert_int_eq(gf_syncop_lk(&e.sc, &lo, fd, F_SETLK, &fl, NULL), 0);
    gf_syncop_lk_out_wipe(&lo);
    loc = at(e.root, "l", gf_fd_inode(fd));
    ck_assert_int_eq(
        gf_syncop_inodelk(&e.sc, NULL, "dom", &loc, F_SETLK, &fl, NULL), 0);
    fl.type = F_UNLCK;
    ck_assert_int_eq(
        gf_syncop_inodelk(&e.sc, NULL, "dom", &loc, F_SETLK, &fl, NULL), 0);
    loc = at(NULL, NULL, e.root);
    ck_assert_int_eq(gf_syncop_entrylk(&e.sc, NULL, "dom", &loc, "l",
                                       GF_ENTRYLK_LOCK_NB, GF_ENTRYLK_WRLCK,
                                       NULL),
                     0);
    ck_assert_int_eq(gf_syncop_entrylk(&e.sc, NULL, "dom", &loc, "l",
                                       GF_ENTRYLK_UNLOCK, GF_ENTRYLK_WRLCK,
                                       NULL),
                     0);
    gf_fd_unref(fd);
    env_stop(&e);
}
END_TEST

START_TEST(brick_goes_away)
{
    gf_loc_t loc;
    gf_fd_t *fd;
    char *d;
    int port;
    env_t e;

    env_start(&e, "brick-locks");
    up(&e);
    fd = do_create(&e, e.root, "held");
    d = dump(e.client);
    ck_assert_ptr_nonnull(strstr(d, "fds=1"));
    free(d);
    port = e.port;

    brick_stop(&e);
    ck_assert_int_eq(wait_count(&W.down, 1), 1);
    loc = at(NULL, NULL, e.root);
    ck_assert_int_eq(gf_syncop_stat(&e.sc, NULL, &loc, NULL), -ENOTCONN);
    ck_assert_int_eq(gf_syncop_fstat(&e.sc, NULL, fd, NULL), -ENOTCONN);

    /* Back on the same port: rpc-clnt reconnects, CHILD_UP again. */
    brick_start(&e, port);
    ck_assert_int_eq(wait_count(&W.up, 2), 2);
    ck_assert_int_eq(W.down, 1);
    ck_assert_int_eq(gf_syncop_stat(&e.sc, NULL, &loc, NULL), 0);
    /* The fd was opened on the lost connection. */
    ck_assert_int_eq(gf_syncop_fstat(&e.sc, NULL, fd, NULL), -EBADFD);
    gf_fd_unref(fd);
    env_stop(&e);
}
END_TEST

/* A blocked INODELK and its result. */
typedef struct blocked {
    env_t *e;
    gf_loc_t loc;
    int ret;
} blocked_t;

static void *
blocked_lock(void *arg)
{
    blocked_t *b = arg;
    gf_lkowner_t owner = {.len = 1, .data = {2}};
    gf_identity_t id = {.pid = 2, .lk_owner = &owner};
    gf_syncop_t sc = b->e->sc;
    gf_flock_t fl;

    memset(&fl, 0, sizeof(fl));
    fl.type = F_WRLCK;
    sc.id = &id;
    b->ret = gf_syncop_inodelk(&sc, NULL, "dom", &b->loc, F_SETLKW, &fl, NULL);
    return NULL;
}

/* INODELK (F_SETLK) of the root as lock owner 1. */
static int
first_owner_lock(env_t *e, gf_loc_t *loc, int type)
{
    static const gf_lkowner_t owner = {.len = 1, .data = {1}};
    gf_identity_t id = {.pid = 1, .lk_owner = &owner};
    gf_syncop_t sc = e->sc;
    gf_flock_t fl;

    memset(&fl, 0, sizeof(fl));
    fl.type = (int16_t)type;
    sc.id = &id;
    return gf_syncop_inodelk(&sc, NULL, "dom", loc, F_SETLK, &fl, NULL);
}

/* Owner 1 takes the lock; a thread then blocks on it as owner 2. */
static void
start_blocked(env_t *e, blocked_t *b, pthread_t *t)
{
    memset(b, 0, sizeof(*b));
    b->e = e;
    b->loc = at(NULL, NULL, e->root);
    ck_assert_int_eq(first_owner_lock(e, &b->loc, F_WRLCK), 0);
    ck_assert_int_eq(pthread_create(t, NULL, blocked_lock, b), 0);
}

START_TEST(pending_call_on_loss)
{
    blocked_t b;
    pthread_t t;
    env_t e;

    env_start(&e, "brick-locks");
    up(&e);
    start_blocked(&e, &b, &t);
    ck_assert(graph_shows(e.client, "pending=1"));
    brick_stop(&e);
    pthread_join(t, NULL);
    ck_assert_int_eq(b.ret, -ENOTCONN);
    ck_assert_int_eq(down_at_reply, 0); /* ENOTCONN first, then DOWN */
    ck_assert_int_eq(wait_count(&W.down, 1), 1);
    env_stop(&e);
}
END_TEST

/* A call the brick does not answer within frame-timeout fails with
 * ENOTCONN (GlusterFS's bail-out); the connection stays up. */
START_TEST(frame_timeout_bails)
{
    blocked_t b;
    pthread_t t;
    env_t e;

    env_init(&e);
    brick_start(&e, 0);
    client_start_opts(&e, "brick-locks", "  option frame-timeout 1\n");
    up(&e);
    start_blocked(&e, &b, &t);
    pthread_join(t, NULL); /* bounded by the 1 s frame-timeout */
    ck_assert_int_eq(b.ret, -ENOTCONN);
    ck_assert_int_eq(W.down, 0);
    ck_assert(graph_shows(e.client, "pending=0"));
    ck_assert_int_eq(first_owner_lock(&e, &b.loc, F_UNLCK), 0);
    env_stop(&e);
}
END_TEST

START_TEST(brick_not_there_yet)
{
    gf_loc_t loc;
    char *d;
    int port;
    env_t e;

    env_init(&e);
    brick_start(&e, 0); /* only to find a free port */
    port = e.port;
    brick_stop(&e);
    client_start(&e, "brick-locks");
    ck_assert_int_eq(wait_count(&W.down, 1), 1);
    ck_assert_int_eq(W.up, 0);
    loc = at(NULL, NULL, e.root);
    ck_assert_int_eq(gf_syncop_stat(&e.sc, NULL, &loc, NULL), -ENOTCONN);
    d = dump(e.client);
    ck_assert_msg(strstr(d, "last-error=cannot connect"), "%s", d);
    free(d);
    brick_start(&e, port); /* rpc-clnt was still trying */
    ck_assert_int_eq(wait_count(&W.up, 1), 1);
    ck_assert_int_eq(gf_syncop_stat(&e.sc, NULL, &loc, NULL), 0);
    env_stop(&e);
}
END_TEST

static Suite *
client_suite(void)
{
    Suite *s = suite_create("protocol-client");
    TCase *tc = tcase_create("client");

    tcase_set_timeout(tc, 60);
    tcase_add_test(tc, handshake_up);
    tcase_add_test(tc, wrong_subvolume);
    tcase_add_test(tc, auth_refused);
    tcase_add_test(tc, option_checks);
    tcase_add_test(tc, inet6_loopback);
    tcase_add_test(tc, file_fops);
    tcase_add_test(tc, attr_and_xattr_fops);
    tcase_add_test(tc, link_fops);
    tcase_add_test(tc, fd_variants);
    tcase_add_test(tc, lock_fops);
    tcase_add_test(tc, brick_goes_away);
    tcase_add_test(tc, brick_not_there_yet);
    tcase_add_test(tc, pending_call_on_loss);
    tcase_add_test(tc, frame_timeout_bails);
    suite_add_tcase(s, tc);
    return s;
}

int
main(void)
{
    return gf_test_run(client_suite());
}
