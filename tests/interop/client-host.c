/* SPDX-License-Identifier: LGPL-3.0-or-later */
/*
 * client-host.c - drive gfsd's protocol/client against any brick: build
 * the graph "test/watch over protocol/client" for HOST PORT SUBVOLUME,
 * wait (bounded) for CHILD_UP, then run a fixed fop sequence through
 * syncop and print one line per step ("ok STEP" or "FAIL STEP: why").
 * Exits 0 when every step passed. tests/interop/client-glusterfsd.sh
 * runs it against a real glusterfsd 10.3 brick and then checks the
 * brick directory.
 *
 *   client-host HOST PORT SUBVOLUME [bench]
 *
 * With "bench" it measures instead: sequential STATs of the root, then
 * 64 MiB written and read back in 128 KiB requests, one at a time.
 */
#include <errno.h>
#include <fcntl.h>
#include <pthread.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>

#include <gf/graph.h>
#include <gf/iobuf.h>
#include <gf/syncop.h>
#include <gf/xlator.h>

#include "client-watch.h"

static const char payload[] = "hello from gfsd protocol/client\n";

/* ---- test/watch (client-watch.h) ---------------------------------------- */

static const struct gf_xlator_api watch_api = {
    .abi_major = GF_XLATOR_ABI_MAJOR,
    .abi_minor = GF_XLATOR_ABI_MINOR,
    .type = "test/watch",
    .init = watch_init,
    .fini = watch_fini,
    .notify = watch_notify,
};
static const struct gf_xlator_api *const builtins[] = {&watch_api, NULL};

/* 1 once the brick accepted us, -1 if CHILD_DOWN came first, 0 if
 * neither within 20 s. */
static int
wait_state(void)
{
    struct timespec until;
    int s;

    clock_gettime(CLOCK_REALTIME, &until);
    until.tv_sec += 20;
    pthread_mutex_lock(&W.lock);
    while (!W.up && !W.down &&
           pthread_cond_timedwait(&W.cond, &W.lock, &until) == 0)
        ;
    s = W.up ? 1 : W.down ? -1 : 0;
    pthread_mutex_unlock(&W.lock);
    return s;
}

/* ---- steps ------------------------------------------------------------------
 */

typedef struct host {
    gf_ctx_t *ctx;
    gf_syncop_t sc;
    gf_inode_table_t *it;
    gf_inode_t *root;
    int failed;
} host_t;

static int
step(host_t *h, const char *name, int got, int want)
{
    if (got == want) {
        printf("ok %s\n", name);
        return 0;
    }
    printf("FAIL %s: got %d (%s), want %d\n", name, got,
           got < 0 ? strerror(-got) : "-", want);
    h->failed++;
    return -1;
}

/* Link IN under PARENT/NAME with IA's gfid and type; the linked inode. */
static gf_inode_t *
link_as(gf_inode_t *in, gf_inode_t *parent, const char *name,
        const gf_iatt_t *ia)
{
    gf_inode_t *l = gf_inode_link(in, parent, name, &ia->gfid,
                                  gf_inode_type_from_mode(ia->mode));

    gf_inode_unref(in);
    return l;
}

static gf_inode_t *
mkdir_at(host_t *h, gf_inode_t *parent, const char *name)
{
    gf_syncop_mkdir_out_t o;
    gf_inode_t *in = gf_inode_new(h->it), *l = NULL;
    gf_loc_t loc = at(parent, name, in);

    if (step(h, "mkdir", gf_syncop_mkdir(&h->sc, &o, &loc, 0755, 0, NULL), 0) ==
        0)
        l = link_as(gf_inode_ref(in), parent, name, o.buf);
    gf_syncop_mkdir_out_wipe(&o);
    gf_inode_unref(in);
    return l;
}

static void
write_read(host_t *h, gf_fd_t *fd)
{
    gf_iobuf_t *iob = gf_iobuf_get(gf_ctx_iobuf_pool(h->ctx), 0);
    gf_iobref_t *ref = gf_iobref_new();
    struct iovec v = {gf_iobuf_ptr(iob), sizeof(payload) - 1};
    gf_syncop_readv_out_t r;
    int n;

    memcpy(v.iov_base, payload, v.iov_len);
    gf_iobref_add(ref, iob);
    step(h, "write", gf_syncop_writev(&h->sc, NULL, fd, &v, 1, 0, 0, ref, NULL),
         (int)v.iov_len);
    gf_iobref_unref(ref);
    gf_iobuf_unref(iob);
    step(h, "flush", gf_syncop_flush(&h->sc, NULL, fd, NULL), 0);
    step(h, "fsync", gf_syncop_fsync(&h->sc, NULL, fd, 0, NULL), 0);
    n = gf_syncop_readv(&h->sc, &r, fd, 4096, 0, 0, NULL);
    step(h, "read", n, (int)v.iov_len);
    step(h, "read-data",
         n > 0 && r.count == 1 &&
             memcmp(r.vector[0].iov_base, payload, v.iov_len) == 0,
         1);
    gf_syncop_readv_out_wipe(&r);
}

/* CREATE DIR/f, write and read it back; the new inode (linked). */
static gf_inode_t *
file_steps(host_t *h, gf_inode_t *dir)
{
    gf_syncop_create_out_t o;
    gf_syncop_stat_out_t st;
    gf_inode_t *in = gf_inode_new(h->it), *l = NULL;
    gf_loc_t loc = at(dir, "f", in);
    gf_fd_t *fd = gf_fd_new(in, O_RDWR, 0);

    if (step(h, "create",
             gf_syncop_create(&h->sc, &o, &loc, O_RDWR | O_CREAT | O_EXCL, 0644,
                              0, fd, NULL),
             0) == 0) {
        l = link_as(gf_inode_ref(in), dir, "f", o.buf);
        write_read(h, fd);
        step(h, "fstat", gf_syncop_fstat(&h->sc, NULL, fd, NULL), 0);
    }
    gf_syncop_create_out_wipe(&o);
    gf_fd_unref(fd); /* RELEASE */
    gf_inode_unref(in);
    loc = at(dir, "f", l);
    step(h, "stat", gf_syncop_stat(&h->sc, &st, &loc, NULL), 0);
    step(h, "stat-size", st.buf ? (int)st.buf->size : -1,
         (int)sizeof(payload) - 1);
    gf_syncop_stat_out_wipe(&st);
    return l;
}

static void
dir_steps(host_t *h, gf_inode_t *dir)
{
    gf_syncop_readdirp_out_t rd;
    gf_fd_t *fd = gf_fd_new(dir, O_RDONLY, 0);
    gf_loc_t loc = at(h->root, "d", dir);
    int seen = 0;

    step(h, "opendir", gf_syncop_opendir(&h->sc, NULL, &loc, fd, NULL), 0);
    step(h, "readdirp", gf_syncop_readdirp(&h->sc, &rd, fd, 65536, 0, NULL) > 0,
         1);
    for (gf_dirent_t *e = rd.entries ? rd.entries->head : NULL; e; e = e->next)
        if (strcmp(e->name, "f") == 0 && e->stat.size == sizeof(payload) - 1)
            seen = 1;
    step(h, "readdirp-lists-f", seen, 1);
    gf_syncop_readdirp_out_wipe(&rd);
    gf_fd_unref(fd); /* RELEASEDIR */
}

static void
xattr_steps(host_t *h, gf_inode_t *dir)
{
    gf_syncop_getxattr_out_t gx;
    gf_dict_t *x = gf_dict_new();
    gf_loc_t loc = at(h->root, "d", dir);
    const void *b = NULL;
    size_t len = 0;

    gf_dict_set_str(x, "user.colour", "blue");
    step(h, "setxattr", gf_syncop_setxattr(&h->sc, NULL, &loc, x, 0, NULL), 0);
    gf_dict_unref(x);
    step(h, "getxattr",
         gf_syncop_getxattr(&h->sc, &gx, &loc, "user.colour", NULL) >= 0, 1);
    step(h, "getxattr-value",
         gx.dict && gf_dict_get_bin(gx.dict, "user.colour", &b, &len) == 0 &&
             len >= 4 && memcmp(b, "blue", 4) == 0,
         1);
    gf_syncop_getxattr_out_wipe(&gx);
    step(h, "removexattr",
         gf_syncop_removexattr(&h->sc, NULL, &loc, "user.colour", NULL), 0);
}

/* Rename f -> g, symlink s -> g, hard link h, then remove what is not
 * meant to stay: d/{g, s} remain for the shell to check. */
static void
name_steps(host_t *h, gf_inode_t *dir, gf_inode_t *f)
{
    gf_syncop_readlink_out_t rl;
    gf_syncop_symlink_out_t so;
    gf_inode_t *in = gf_inode_new(h->it), *sub;
    gf_loc_t a = at(dir, "f", f), b = at(dir, "g", NULL);
    gf_iatt_t ia;

    step(h, "rename", gf_syncop_rename(&h->sc, NULL, &a, &b, NULL), 0);
    b = at(dir, "g", f);
    a = at(dir, "h", NULL);
    step(h, "link", gf_syncop_link(&h->sc, NULL, &b, &a, NULL), 0);
    step(h, "unlink", gf_syncop_unlink(&h->sc, NULL, &a, 0, NULL), 0);
    memset(&ia, 0, sizeof(ia));
    ia.mode = 0600;
    step(h, "setattr",
         gf_syncop_setattr(&h->sc, NULL, &b, &ia, GF_SET_ATTR_MODE, NULL), 0);
    a = at(dir, "s", in);
    if (step(h, "symlink", gf_syncop_symlink(&h->sc, &so, "g", &a, 0, NULL),
             0) == 0) {
        in = link_as(in, dir, "s", so.buf);
        a = at(dir, "s", in);
        step(h, "readlink",
             gf_syncop_readlink(&h->sc, &rl, &a, 256, NULL) == 1 && rl.path &&
                 strcmp(rl.path, "g") == 0,
             1);
        gf_syncop_readlink_out_wipe(&rl);
    }
    gf_syncop_symlink_out_wipe(&so);
    gf_inode_unref(in);
    sub = mkdir_at(h, dir, "e");
    a = at(dir, "e", sub);
    step(h, "rmdir", gf_syncop_rmdir(&h->sc, NULL, &a, 0, NULL), 0);
    gf_inode_unref(sub);
    a = at(h->root, "missing", NULL);
    step(h, "lookup-enoent", gf_syncop_lookup(&h->sc, NULL, &a, NULL), -ENOENT);
}

static void
run(host_t *h)
{
    gf_syncop_statfs_out_t sf;
    gf_loc_t loc = at(NULL, NULL, h->root);
    gf_inode_t *d, *f;

    step(h, "lookup-root", gf_syncop_lookup(&h->sc, NULL, &loc, NULL), 0);
    step(h, "statfs", gf_syncop_statfs(&h->sc, &sf, &loc, NULL), 0);
    gf_syncop_statfs_out_wipe(&sf);
    d = mkdir_at(h, h->root, "d");
    if (!d)
        return;
    f = file_steps(h, d);
    dir_steps(h, d);
    xattr_steps(h, d);
    if (f)
        name_steps(h, d, f);
    gf_inode_unref(f);
    gf_inode_unref(d);
}

static double
now_s(void)
{
    struct timespec ts;

    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + ts.tv_nsec / 1e9;
}

/* SIZE-byte requests over 64 MiB of FD: writes (READ false) or reads. */
static double
bench_io(host_t *h, gf_fd_t *fd, bool read, size_t size)
{
    gf_iobuf_t *iob = gf_iobuf_get(gf_ctx_iobuf_pool(h->ctx), size);
    gf_iobref_t *ref = gf_iobref_new();
    struct iovec v = {gf_iobuf_ptr(iob), size};
    const int n = (int)((64u << 20) / size);
    double t0 = now_s();

    memset(v.iov_base, 'x', size);
    gf_iobref_add(ref, iob);
    for (int i = 0; i < n; i++) {
        off_t off = (off_t)i * (off_t)size;
        gf_syncop_readv_out_t r;
        int ret =
            read ? gf_syncop_readv(&h->sc, &r, fd, size, off, 0, NULL)
                 : gf_syncop_writev(&h->sc, NULL, fd, &v, 1, off, 0, ref, NULL);

        if (read)
            gf_syncop_readv_out_wipe(&r);
        if (ret != (int)size) {
            step(h, read ? "bench-read" : "bench-write", ret, (int)size);
            break;
        }
    }
    gf_iobref_unref(ref);
    gf_iobuf_unref(iob);
    return 64.0 / (now_s() - t0);
}

static void
bench(host_t *h)
{
    gf_loc_t loc = at(NULL, NULL, h->root);
    gf_syncop_create_out_t o;
    gf_inode_t *in = gf_inode_new(h->it);
    gf_fd_t *fd = gf_fd_new(in, O_RDWR, 0);
    const int n = 20000;
    double t0 = now_s(), t;

    for (int i = 0; i < n; i++)
        if (gf_syncop_stat(&h->sc, NULL, &loc, NULL) < 0)
            h->failed++;
    t = now_s() - t0;
    printf("stat: %d in %.2f s, %.0f/s, %.1f us each\n", n, t, n / t,
           t * 1e6 / n);
    loc = at(h->root, "bench.dat", in);
    if (step(h, "bench-create",
             gf_syncop_create(&h->sc, &o, &loc, O_RDWR | O_CREAT | O_TRUNC,
                              0644, 0, fd, NULL),
             0) == 0) {
        gf_inode_unref(link_as(gf_inode_ref(in), h->root, "bench.dat", o.buf));
        printf("write 128 KiB: %.0f MiB/s\n", bench_io(h, fd, false, 131072));
        printf("read 128 KiB: %.0f MiB/s\n", bench_io(h, fd, true, 131072));
    }
    gf_syncop_create_out_wipe(&o);
    gf_fd_unref(fd);
    gf_inode_unref(in);
}

int
main(int argc, char **argv)
{
    gf_volfile_error_t verr;
    gf_volfile_t *vf = NULL;
    gf_graph_t *g = NULL;
    host_t h = {0};
    char text[1024], err[512];

    if (argc != 4 && !(argc == 5 && strcmp(argv[4], "bench") == 0)) {
        fprintf(stderr, "usage: %s HOST PORT SUBVOLUME [bench]\n", argv[0]);
        return 2;
    }
    snprintf(text, sizeof(text),
             "volume c0\n type protocol/client\n option remote-host %s\n"
             " option remote-port %s\n option remote-subvolume %s\n"
             " option transport-type tcp\nend-volume\n"
             "volume top\n type test/watch\n subvolumes c0\nend-volume\n",
             argv[1], argv[2], argv[3]);
    h.ctx = gf_ctx_new();
    if (!h.ctx || gf_ctx_init_defaults(h.ctx) < 0)
        return 1;
    gf_ctx_set_builtin_xlators(h.ctx, builtins);
    h.sc.pool = gf_call_pool_new(h.ctx);
    if (gf_volfile_parse(text, strlen(text), "host.vol", &vf, &verr) < 0 ||
        gf_graph_new(h.ctx, vf, &g, err, sizeof(err)) < 0 ||
        gf_graph_init(g, err, sizeof(err)) < 0) {
        fprintf(stderr, "graph: %s\n", err);
        return 1;
    }
    gf_graph_activate(g);
    h.sc.subvol = gf_graph_top(g);
    h.it = gf_xlator_inode_table_new(gf_graph_find(g, "c0"), 1024);
    h.root = gf_inode_table_root(h.it);
    if (step(&h, "child-up", wait_state(), 1) == 0) {
        if (argc == 5)
            bench(&h);
        else
            run(&h);
    }
    gf_inode_unref(h.root);
    gf_inode_table_free(h.it);
    gf_graph_free(g);
    gf_volfile_free(vf);
    gf_call_pool_free(h.sc.pool);
    gf_ctx_free(h.ctx);
    return h.failed ? 1 : 0;
}
