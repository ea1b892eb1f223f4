/* SPDX-License-Identifier: LGPL-3.0-or-later */
/*
 * client-bench.c - `gfs bench [N]`: the small-file workload of
 * tests/bench/brick/smallfile.c (which drives libgfapi), through gfs's own
 * client graph. In a fresh directory /gfs-bench.<pid>: N files created
 * and written (4 KiB) and closed, stat'ed, opened and read back (checked)
 * and closed, unlinked; ops/s per phase. Each phase sends what the
 * matching gfapi call sends (a path op is a LOOKUP first; a stat is only
 * that LOOKUP; a close is a FLUSH, its RELEASE not waited for), so the
 * figures compare with smallfile's. gfapi's creat looks the name up
 * first; gfs creates at once (O_EXCL).
 */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <time.h>

#include "client-int.h"

enum { FILE_SIZE = 4096 };

typedef struct bench {
    gfs_t *c;
    gf_inode_t *dir;
    gf_iobuf_t *data; /* FILE_SIZE bytes of pattern */
    gf_iobref_t *ref;
} bench_t;

typedef int (*phase_fn)(bench_t *b, const char *name);

static int
ph_create(bench_t *b, const char *name)
{
    struct iovec iov = {gf_iobuf_ptr(b->data), FILE_SIZE};
    gf_fd_t *fd;
    int ret = gfs__create(b->c, b->dir, name, O_WRONLY, &fd, NULL, NULL);

    if (ret < 0)
        return ret;
    ret = gf_syncop_writev(&b->c->sc, NULL, fd, &iov, 1, 0, 0, b->ref, NULL);
    if (ret >= 0)
        ret = ret == FILE_SIZE ? 0 : -EIO;
    return gfs__close(b->c, fd) < 0 && ret == 0 ? -EIO : ret;
}

/* gfapi's glfs_stat: the LOOKUP's attributes, no STAT after it. */
static int
ph_stat(bench_t *b, const char *name)
{
    gf_inode_t *in;
    gf_iatt_t st;
    int ret = gfs__lookup(b->c, b->dir, name, &in, &st);

    if (ret < 0)
        return ret;
    gf_inode_unref(in);
    return st.size == FILE_SIZE ? 0 : -EIO;
}

static int
ph_read(bench_t *b, const char *name)
{
    gf_syncop_readv_out_t o;
    gf_inode_t *in;
    gf_fd_t *fd = NULL;
    gf_iatt_t st;
    int ret = gfs__lookup(b->c, b->dir, name, &in, &st);

    if (ret == 0) {
        ret = gfs__open_inode(b->c, in, O_RDONLY, &fd);
        gf_inode_unref(in);
    }
    if (ret < 0)
        return ret;
    ret = gf_syncop_readv(&b->c->sc, &o, fd, FILE_SIZE, 0, 0, NULL);
    /* A local brick answers in one iovec; anything else is compared
     * piece by piece. */
    if (ret == FILE_SIZE) {
        const char *want = gf_iobuf_ptr(b->data);
        int i;

        for (i = 0; i < o.count && ret >= 0; i++) {
            if (memcmp(o.vector[i].iov_base, want, o.vector[i].iov_len))
                ret = -EIO;
            want += o.vector[i].iov_len;
        }
    } else if (ret >= 0) {
        ret = -EIO;
    }
    gf_syncop_readv_out_wipe(&o);
    return gfs__close(b->c, fd) < 0 && ret >= 0 ? -EIO : (ret < 0 ? ret : 0);
}

static int
ph_unlink(bench_t *b, const char *name)
{
    gf_loc_t loc = {.path = name, .parent = b->dir, .name = name};
    gf_iatt_t st;
    int ret = gfs__lookup(b->c, b->dir, name, &loc.inode, &st);

    if (ret < 0)
        return ret;
    gf_inode_gfid(loc.inode, &loc.gfid);
    gf_inode_gfid(b->dir, &loc.pargfid);
    ret = gf_syncop_unlink(&b->c->sc, NULL, &loc, 0, NULL);
    if (ret == 0)
        gf_inode_unlink(loc.inode, b->dir, name);
    gf_inode_unref(loc.inode);
    return ret;
}

static double
now(void)
{
    struct timespec ts;

    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

/* Run FN over the N files; prints the phase's line. */
static int
phase(bench_t *b, const char *what, phase_fn fn, long n)
{
    char name[32];
    double t0 = now(), dt;
    long i;
    int ret = 0;

    for (i = 0; i < n && ret == 0; i++) {
        snprintf(name, sizeof(name), "f%06ld", i);
        ret = gfs__interrupted(b->c) ? -EINTR : fn(b, name);
    }
    if (ret < 0) {
        gfs__fail(b->c, what, name, -ret);
        return ret;
    }
    dt = now() - t0;
    printf("%-7s %8ld ops %9.3f s %11.1f ops/s\n", what, n, dt,
           dt > 0 ? (double)n / dt : 0.0);
    fflush(stdout);
    return 0;
}

static int
remove_dir(gfs_t *c, gf_inode_t *dir, const char *name)
{
    gf_loc_t loc = {.inode = dir, .parent = c->root, .name = name};

    gf_inode_gfid(dir, &loc.gfid);
    loc.pargfid = gf_gfid_root();
    return gf_syncop_rmdir(&c->sc, NULL, &loc, 0, NULL);
}

int
gfs__bench(gfs_t *c, long n)
{
    static const struct {
        const char *name;
        phase_fn fn;
    } phases[] = {{"create", ph_create},
                  {"stat", ph_stat},
                  {"read", ph_read},
                  {"unlink", ph_unlink}};
    bench_t b = {.c = c};
    char dname[64];
    size_t i;
    int ret;

    snprintf(dname, sizeof(dname), "gfs-bench.%ld", (long)c->id.pid);
    ret = gfs__mkdir(c, c->root, dname, &b.dir);

    if (ret < 0)
        return gfs__fail(c, "bench: mkdir", dname, -ret);
    b.data = gf_iobuf_get(c->iobufs, FILE_SIZE);
    b.ref = gf_iobref_new();
    ret = b.data && b.ref ? gf_iobref_add(b.ref, b.data) : -ENOMEM;
    if (ret == 0) {
        memset(gf_iobuf_ptr(b.data), 'g', FILE_SIZE);
        printf("bench: %ld files of %d bytes in /%s\n", n, FILE_SIZE, dname);
    }
    for (i = 0; i < GF_ARRAY_SIZE(phases) && ret == 0; i++)
        ret = phase(&b, phases[i].name, phases[i].fn, n);
    /* Files the failed phase left behind stay for a look. */
    if (ret == 0 && (ret = remove_dir(c, b.dir, dname)) < 0)
        gfs__fail(c, "bench: rmdir", dname, -ret);
    gf_iobref_unref(b.ref);
    gf_iobuf_unref(b.data);
    gf_inode_unref(b.dir);
    return ret < 0 ? GFSD_EX_FAIL : 0;
}
