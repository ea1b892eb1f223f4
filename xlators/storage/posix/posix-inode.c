/* SPDX-License-Identifier: LGPL-3.0-or-later */
/*
 * posix-inode.c - the inode fops of storage/posix: stat, statfs, truncate,
 * setattr, getxattr, setxattr, removexattr, access, readlink, and the
 * attribute and xattr helpers the fd fops share.
 *
 * Objects are held by an fd (O_PATH for non-directories, so fifos and
 * unreadable files can be reached too). Calls that have no fd form for
 * O_PATH (xattrs, chmod, truncate, utimens) go through /proc/self/fd/N,
 * which names exactly the object held and cannot be redirected by a
 * client-made symlink.
 */
#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/statvfs.h>
#include <sys/xattr.h>
#include <unistd.h>

#include "posix-int.h"

static struct timespec
set_time(int32_t valid, int bit, int now_bit, int64_t sec, uint32_t nsec)
{
    struct timespec ts = {.tv_sec = 0, .tv_nsec = UTIME_OMIT};

    if (valid & now_bit) {
        ts.tv_nsec = UTIME_NOW;
    } else if (valid & bit) {
        ts.tv_sec = (time_t)sec;
        ts.tv_nsec = nsec;
    }
    return ts;
}

int
gf__posix_do_setattr(int fd, const struct stat *st, gf_iatt_t *stbuf,
                     int32_t valid)
{
    char proc[POSIX_PROC_PATH_MAX];
    struct timespec ts[2];

    if (!stbuf)
        return -EINVAL;
    gf__posix_proc_path(fd, proc);
    /* Linux has no mode or times of its own on a symlink: skip them. */
    if ((valid & GF_SET_ATTR_MODE) && !S_ISLNK(st->st_mode) &&
        chmod(proc, stbuf->mode & 07777) < 0)
        return -errno;
    if ((valid & (GF_SET_ATTR_UID | GF_SET_ATTR_GID)) &&
        fchownat(fd, "",
                 (valid & GF_SET_ATTR_UID) ? (uid_t)stbuf->uid : (uid_t)-1,
                 (valid & GF_SET_ATTR_GID) ? (gid_t)stbuf->gid : (gid_t)-1,
                 AT_EMPTY_PATH) < 0)
        return -errno;
    if (valid & GF_SET_ATTR_SIZE) {
        if (!S_ISREG(st->st_mode))
            return S_ISDIR(st->st_mode) ? -EISDIR : -EINVAL;
        if (truncate(proc, (off_t)stbuf->size) < 0)
            return -errno;
    }
    if ((valid & (GF_SET_ATTR_ATIME | GF_SET_ATTR_MTIME |
                  GF_SET_ATTR_ATIME_NOW | GF_SET_ATTR_MTIME_NOW)) &&
        !S_ISLNK(st->st_mode)) {
        ts[0] = set_time(valid, GF_SET_ATTR_ATIME, GF_SET_ATTR_ATIME_NOW,
                         stbuf->atime, stbuf->atime_nsec);
        ts[1] = set_time(valid, GF_SET_ATTR_MTIME, GF_SET_ATTR_MTIME_NOW,
                         stbuf->mtime, stbuf->mtime_nsec);
        if (utimensat(AT_FDCWD, proc, ts, 0) < 0)
            return -errno;
    }
    return 0;
}

static int
get_one(const char *proc, const char *name, gf_dict_t *dict)
{
    ssize_t n = getxattr(proc, name, NULL, 0);
    char *buf;
    int ret;

    if (n < 0)
        return -errno;
    buf = malloc((size_t)n + 1);
    if (!buf)
        return -ENOMEM;
    n = getxattr(proc, name, buf, (size_t)n);
    ret = n < 0 ? -errno : gf_dict_set_bin(dict, name, buf, (size_t)n);
    free(buf);
    return ret;
}

typedef struct want_ctx {
    const char *proc;
    gf_dict_t *out;
} want_ctx_t;

/* A key of a LOOKUP's xdata that names an extended attribute: what the
 * client wants back with the reply (replicate's changelog, distribute's
 * layout). Other keys are requests to other translators. */
static int
want_one(const char *key, const gf_dict_val_t *val, void *arg)
{
    want_ctx_t *w = arg;

    (void)val;
    if (!strncmp(key, "trusted.", 8) || !strncmp(key, "user.", 5) ||
        !strncmp(key, "security.", 9) || !strncmp(key, "system.", 7))
        get_one(w->proc, key, w->out); /* absent: simply not answered */
    return 0;
}

gf_dict_t *
gf__posix_xattrs_wanted(int fd, gf_dict_t *req)
{
    char proc[POSIX_PROC_PATH_MAX];
    want_ctx_t w = {.proc = proc};

    if (!req)
        return NULL;
    /* Asked with a dict, answered with one, empty or not: distribute takes
     * a missing reply dict for a failed lookup of its layout. */
    w.out = gf_dict_new();
    if (!w.out)
        return NULL;
    gf__posix_proc_path(fd, proc);
    gf_dict_foreach(req, want_one, &w);
    return w.out;
}

static int
get_all(const char *proc, gf_dict_t *dict)
{
    ssize_t n = listxattr(proc, NULL, 0);
    char *list, *p;
    int ret = 0;

    if (n <= 0)
        return n < 0 ? -errno : 0;
    list = malloc((size_t)n);
    if (!list)
        return -ENOMEM;
    n = listxattr(proc, list, (size_t)n);
    if (n < 0)
        ret = -errno;
    for (p = list; ret == 0 && p < list + (n > 0 ? n : 0); p += strlen(p) + 1)
        ret = get_one(proc, p, dict);
    free(list);
    return ret;
}

int
gf__posix_xattr_get(posix_priv_t *priv, int fd, const char *name,
                    gf_dict_t **out)
{
    char proc[POSIX_PROC_PATH_MAX];
    gf_dict_t *dict = gf_dict_new();
    int ret;

    (void)priv;
    if (!dict)
        return -ENOMEM;
    gf__posix_proc_path(fd, proc);
    ret = name && *name ? get_one(proc, name, dict) : get_all(proc, dict);
    if (ret < 0) {
        gf_dict_unref(dict);
        return ret;
    }
    *out = dict;
    return 0;
}

typedef struct set_ctx {
    posix_priv_t *priv;
    const char *proc;
    int flags;
    int ret;
} set_ctx_t;

static int
set_one(const char *key, const gf_dict_val_t *val, void *arg)
{
    set_ctx_t *c = arg;
    char num[32];
    const void *data = val->data;
    size_t len = val->len;

    /* The gfid is ours: a client may read it, never change it. */
    if (!strcmp(key, c->priv->gfid_key)) {
        c->ret = -EPERM;
        return 1;
    }
    if (val->type == GF_DICT_INT || val->type == GF_DICT_UINT ||
        val->type == GF_DICT_DOUBLE) {
        if (val->type == GF_DICT_INT)
            snprintf(num, sizeof(num), "%" PRId64, val->num.i);
        else if (val->type == GF_DICT_UINT)
            snprintf(num, sizeof(num), "%" PRIu64, val->num.u);
        else
            snprintf(num, sizeof(num), "%.17g", val->num.d);
        data = num;
        len = strlen(num);
    }
    if (setxattr(c->proc, key, data, len, c->flags) < 0) {
        c->ret = -errno;
        return 1;
    }
    return 0;
}

int
gf__posix_xattr_set(posix_priv_t *priv, int fd, gf_dict_t *dict, int32_t flags)
{
    char proc[POSIX_PROC_PATH_MAX];
    set_ctx_t c = {.priv = priv, .proc = proc, .flags = flags, .ret = 0};

    if (!dict)
        return -EINVAL;
    gf__posix_proc_path(fd, proc);
    gf_dict_foreach(dict, set_one, &c);
    return c.ret;
}

int
gf__posix_xattr_remove(posix_priv_t *priv, int fd, const char *name)
{
    char proc[POSIX_PROC_PATH_MAX];

    if (!name || !*name)
        return -EINVAL;
    if (!strcmp(name, priv->gfid_key))
        return -EPERM;
    gf__posix_proc_path(fd, proc);
    return removexattr(proc, name) < 0 ? -errno : 0;
}

int
gf__posix_stat(gf_frame_t *frame, gf_xlator_t *self, gf_loc_t *loc,
               gf_dict_t *xdata)
{
    gf_iatt_t buf;
    posix_obj_t obj;
    int ret = gf__posix_open_loc(gf_xlator_private(self), loc, &obj);

    (void)xdata;
    memset(&buf, 0, sizeof(buf));
    if (ret == 0) {
        gf__posix_iatt_fill(&buf, &obj.st, &obj.gfid);
        gf__posix_obj_close(&obj);
    }
    gf_unwind_stat(frame, ret < 0 ? -1 : 0, -ret, &buf, NULL);
    return 0;
}

int
gf__posix_statfs(gf_frame_t *frame, gf_xlator_t *self, gf_loc_t *loc,
                 gf_dict_t *xdata)
{
    posix_priv_t *priv = gf_xlator_private(self);
    struct statvfs buf;
    int ret = 0;

    (void)loc;
    (void)xdata;
    memset(&buf, 0, sizeof(buf));
    /* The brick is one file system: its root answers for every object. */
    if (fstatvfs(priv->brick_fd, &buf) < 0)
        ret = -errno;
    gf_unwind_statfs(frame, ret < 0 ? -1 : 0, -ret, &buf, NULL);
    return 0;
}

/* Open LOC, apply VALID of STBUF, report before and after. */
static int
setattr_loc(posix_priv_t *priv, gf_loc_t *loc, gf_iatt_t *stbuf, int32_t valid,
            gf_iatt_t *pre, gf_iatt_t *post)
{
    posix_obj_t obj;
    int ret = gf__posix_open_loc(priv, loc, &obj);

    if (ret < 0)
        return ret;
    gf__posix_iatt_fill(pre, &obj.st, &obj.gfid);
    ret = gf__posix_do_setattr(obj.fd, &obj.st, stbuf, valid);
    if (ret == 0)
        ret = gf__posix_fstat_iatt(obj.fd, &obj.gfid, post);
    gf__posix_obj_close(&obj);
    return ret;
}

int
gf__posix_truncate(gf_frame_t *frame, gf_xlator_t *self, gf_loc_t *loc,
                   off_t offset, gf_dict_t *xdata)
{
    gf_iatt_t pre, post, want;
    int ret;

    (void)xdata;
    memset(&pre, 0, sizeof(pre));
    memset(&post, 0, sizeof(post));
    memset(&want, 0, sizeof(want));
    want.size = (uint64_t)offset;
    ret = offset < 0 ? -EINVAL
                     : setattr_loc(gf_xlator_private(self), loc, &want,
                                   GF_SET_ATTR_SIZE, &pre, &post);
    gf_unwind_truncate(frame, ret < 0 ? -1 : 0, -ret, &pre, &post, NULL);
    return 0;
}

int
gf__posix_setattr(gf_frame_t *frame, gf_xlator_t *self, gf_loc_t *loc,
                  gf_iatt_t *stbuf, int32_t valid, gf_dict_t *xdata)
{
    gf_iatt_t pre, post;
    int ret;

    (void)xdata;
    memset(&pre, 0, sizeof(pre));
    memset(&post, 0, sizeof(post));
    /* SETATTR never changes the size (TRUNCATE does), as upstream: clients
     * send valid = -1 (replicate and distribute heal that way), and a
     * directory would refuse it. */
    ret = setattr_loc(gf_xlator_private(self), loc, stbuf,
                      valid & ~GF_SET_ATTR_SIZE, &pre, &post);
    gf_unwind_setattr(frame, ret < 0 ? -1 : 0, -ret, &pre, &post, NULL);
    return 0;
}

int
gf__posix_getxattr(gf_frame_t *frame, gf_xlator_t *self, gf_loc_t *loc,
                   const char *name, gf_dict_t *xdata)
{
    posix_priv_t *priv = gf_xlator_private(self);
    gf_dict_t *dict = NULL;
    posix_obj_t obj;
    int ret = gf__posix_open_loc(priv, loc, &obj);

    (void)xdata;
    if (ret == 0) {
        ret = gf__posix_xattr_get(priv, obj.fd, name, &dict);
        gf__posix_obj_close(&obj);
    }
    gf_unwind_getxattr(frame, ret < 0 ? -1 : (int32_t)gf_dict_count(dict), -ret,
                       dict, NULL);
    gf_dict_unref(dict);
    return 0;
}

int
gf__posix_setxattr(gf_frame_t *frame, gf_xlator_t *self, gf_loc_t *loc,
                   gf_dict_t *dict, int32_t flags, gf_dict_t *xdata)
{
    posix_priv_t *priv = gf_xlator_private(self);
    posix_obj_t obj;
    int ret = gf__posix_open_loc(priv, loc, &obj);

    (void)xdata;
    if (ret == 0) {
        ret = gf__posix_xattr_set(priv, obj.fd, dict, flags);
        gf__posix_obj_close(&obj);
    }
    gf_unwind_setxattr(frame, ret < 0 ? -1 : 0, -ret, NULL);
    return 0;
}

int
gf__posix_removexattr(gf_frame_t *frame, gf_xlator_t *self, gf_loc_t *loc,
                      const char *name, gf_dict_t *xdata)
{
    posix_priv_t *priv = gf_xlator_private(self);
    posix_obj_t obj;
    int ret = gf__posix_open_loc(priv, loc, &obj);

    (void)xdata;
    if (ret == 0) {
        ret = gf__posix_xattr_remove(priv, obj.fd, name);
        gf__posix_obj_close(&obj);
    }
    gf_unwind_removexattr(frame, ret < 0 ? -1 : 0, -ret, NULL);
    return 0;
}

int
gf__posix_access(gf_frame_t *frame, gf_xlator_t *self, gf_loc_t *loc,
                 int32_t mask, gf_dict_t *xdata)
{
    char proc[POSIX_PROC_PATH_MAX];
    posix_obj_t obj;
    int ret = gf__posix_open_loc(gf_xlator_private(self), loc, &obj);

    (void)xdata;
    if (ret == 0) {
        gf__posix_proc_path(obj.fd, proc);
        if (access(proc, mask) < 0)
            ret = -errno;
        gf__posix_obj_close(&obj);
    }
    gf_unwind_access(frame, ret < 0 ? -1 : 0, -ret, NULL);
    return 0;
}

int
gf__posix_readlink(gf_frame_t *frame, gf_xlator_t *self, gf_loc_t *loc,
                   size_t size, gf_dict_t *xdata)
{
    char buf[PATH_MAX];
    gf_iatt_t st;
    posix_obj_t obj;
    ssize_t n = 0;
    int ret = gf__posix_open_loc(gf_xlator_private(self), loc, &obj);

    (void)xdata;
    memset(&st, 0, sizeof(st));
    buf[0] = '\0';
    if (ret == 0) {
        if (size > sizeof(buf) - 1)
            size = sizeof(buf) - 1;
        /* "" with the fd: the symlink we hold, read not followed. Linux
         * says ENOENT for anything else; readlink(2) says EINVAL. */
        if (!S_ISLNK(obj.st.st_mode))
            n = -1, errno = EINVAL;
        else
            n = readlinkat(obj.fd, "", buf, size);
        if (n < 0)
            ret = -errno;
        else
            buf[n] = '\0';
        gf__posix_iatt_fill(&st, &obj.st, &obj.gfid);
        gf__posix_obj_close(&obj);
    }
    gf_unwind_readlink(frame, ret < 0 ? -1 : (int32_t)n, -ret,
                       ret < 0 ? NULL : buf, &st, NULL);
    return 0;
}
