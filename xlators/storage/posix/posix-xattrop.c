/* SPDX-License-Identifier: LGPL-3.0-or-later */
/*
 * posix-xattrop.c - xattrop and fxattrop: atomic read-modify-write of
 * extended attributes that hold arrays of big-endian counters.
 *
 * Replicate (AFR) keeps its changelog this way: before a write it adds 1
 * to a "pending" counter on every brick, after it subtracts 1, so that a
 * brick that missed the write is known by a counter that stays above 0.
 * Each key of the request dict is one attribute and its value the operand:
 * 32-bit elements for ADD/OR/AND, 64-bit for ADD_ARRAY64; the *_WITH_DEFAULT
 * forms carry the operand and then, of the same length, the value to start
 * from when the attribute does not exist yet (otherwise zeros). GET_AND_SET
 * stores the operand and answers the old value. The reply dict holds, per
 * key, the value after the operation (the old one for GET_AND_SET).
 *
 * Two xattrops on one object must not interleave their read and write, so
 * each runs under one of a few stripe locks chosen by the inode number;
 * the critical section is a getxattr and a setxattr per key.
 */
#include <endian.h>
#include <errno.h>
#include <pthread.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/xattr.h>

#include "posix-int.h"

/* Wire values of gf_xattrop_flags_t (upstream's numbering). */
enum {
    XATTROP_ADD_ARRAY = 0,
    XATTROP_ADD_ARRAY64 = 1,
    XATTROP_OR_ARRAY = 2,
    XATTROP_AND_ARRAY = 3,
    XATTROP_GET_AND_SET = 4,
    XATTROP_ADD_ARRAY_WITH_DEFAULT = 5,
    XATTROP_ADD_ARRAY64_WITH_DEFAULT = 6,
};

/* An xattr value this operation handles at most (AFR's are a few words). */
enum { XATTROP_MAX = 4096, STRIPES = 64 };

static pthread_mutex_t stripes[STRIPES] = {[0 ... STRIPES - 1] =
                                               PTHREAD_MUTEX_INITIALIZER};

typedef struct xop {
    posix_priv_t *priv;
    const char *proc; /* /proc/self/fd/N of the object */
    int32_t optype;
    gf_dict_t *out;
    int ret;
} xop_t;

/* Element width of OPTYPE, and whether its operand carries defaults. */
static int
op_shape(int32_t optype, size_t *width, bool *with_default)
{
    *with_default = optype == XATTROP_ADD_ARRAY_WITH_DEFAULT ||
                    optype == XATTROP_ADD_ARRAY64_WITH_DEFAULT;
    switch (optype) {
    case XATTROP_ADD_ARRAY64:
    case XATTROP_ADD_ARRAY64_WITH_DEFAULT:
        *width = 8;
        return 0;
    case XATTROP_ADD_ARRAY:
    case XATTROP_OR_ARRAY:
    case XATTROP_AND_ARRAY:
    case XATTROP_ADD_ARRAY_WITH_DEFAULT:
        *width = 4;
        return 0;
    case XATTROP_GET_AND_SET:
        *width = 1;
        return 0;
    default:
        return -EINVAL;
    }
}

/* DST = DST op OPND, element by element (N bytes of WIDTH-byte big-endian
 * elements; N is a multiple of WIDTH). */
static void
apply(int32_t optype, size_t width, unsigned char *dst,
      const unsigned char *opnd, size_t n)
{
    for (size_t i = 0; i < n; i += width) {
        if (width == 8) {
            uint64_t a, b;

            memcpy(&a, dst + i, 8);
            memcpy(&b, opnd + i, 8);
            a = htobe64(be64toh(a) + be64toh(b));
            memcpy(dst + i, &a, 8);
            continue;
        }
        uint32_t a, b;

        memcpy(&a, dst + i, 4);
        memcpy(&b, opnd + i, 4);
        if (optype == XATTROP_OR_ARRAY)
            a |= b;
        else if (optype == XATTROP_AND_ARRAY)
            a &= b;
        else
            a = htobe32(be32toh(a) + be32toh(b));
        memcpy(dst + i, &a, 4);
    }
}

/* One key: read, combine, write back, report. Non-zero stops the walk. */
static int
xop_one(const char *key, const gf_dict_val_t *val, void *arg)
{
    xop_t *x = arg;
    unsigned char cur[XATTROP_MAX], old[XATTROP_MAX];
    size_t width, n = val->len;
    bool with_default;
    ssize_t got;

    if (!strcmp(key, x->priv->gfid_key)) {
        x->ret = -EPERM; /* the gfid is ours */
        return 1;
    }
    if (op_shape(x->optype, &width, &with_default) < 0 || !val->data) {
        x->ret = -EINVAL;
        return 1;
    }
    if (with_default)
        n /= 2;
    if (n == 0 || n > XATTROP_MAX || n % width ||
        (with_default && val->len != 2 * n)) {
        x->ret = -EINVAL;
        return 1;
    }
    got = getxattr(x->proc, key, cur, sizeof(cur));
    if (got < 0 && errno != ENODATA) {
        x->ret = -errno;
        return 1;
    }
    if (got < 0) {
        if (with_default)
            memcpy(cur, (const unsigned char *)val->data + n, n);
        else
            memset(cur, 0, n);
    } else if ((size_t)got != n && x->optype != XATTROP_GET_AND_SET) {
        x->ret = -EINVAL; /* an array of another length is not ours */
        return 1;
    }
    if (x->optype == XATTROP_GET_AND_SET) {
        size_t oldlen = got < 0 ? 0 : (size_t)got;

        memcpy(old, cur, oldlen);
        if (setxattr(x->proc, key, val->data, n, 0) < 0 ||
            gf_dict_set_bin(x->out, key, old, oldlen) < 0) {
            x->ret = errno ? -errno : -ENOMEM;
            return 1;
        }
        return 0;
    }
    apply(x->optype, width, cur, val->data, n);
    if (setxattr(x->proc, key, cur, n, 0) < 0) {
        x->ret = -errno;
        return 1;
    }
    if (gf_dict_set_bin(x->out, key, cur, n) < 0) {
        x->ret = -ENOMEM;
        return 1;
    }
    return 0;
}

/* Run the operation on the object open at FD; *OUT gets the reply dict. */
static int
xattrop_fd(posix_priv_t *priv, int fd, int32_t optype, gf_dict_t *dict,
           gf_dict_t **out)
{
    char proc[POSIX_PROC_PATH_MAX];
    xop_t x = {.priv = priv, .proc = proc, .optype = optype};
    pthread_mutex_t *lock;
    struct stat st;

    *out = NULL;
    if (!dict)
        return -EINVAL;
    if (fstat(fd, &st) < 0)
        return -errno;
    x.out = gf_dict_new();
    if (!x.out)
        return -ENOMEM;
    gf__posix_proc_path(fd, proc);
    lock = &stripes[st.st_ino % STRIPES];
    pthread_mutex_lock(lock);
    gf_dict_foreach(dict, xop_one, &x);
    pthread_mutex_unlock(lock);
    if (x.ret < 0) {
        gf_dict_unref(x.out);
        return x.ret;
    }
    *out = x.out;
    return 0;
}

int
gf__posix_xattrop(gf_frame_t *frame, gf_xlator_t *self, gf_loc_t *loc,
                  int32_t optype, gf_dict_t *dict, gf_dict_t *xdata)
{
    posix_priv_t *priv = gf_xlator_private(self);
    gf_dict_t *out = NULL;
    posix_obj_t obj;
    int ret = gf__posix_open_loc(priv, loc, &obj);

    (void)xdata;
    if (ret == 0) {
        ret = xattrop_fd(priv, obj.fd, optype, dict, &out);
        gf__posix_obj_close(&obj);
    }
    gf_unwind_xattrop(frame, ret < 0 ? -1 : 0, -ret, out, NULL);
    gf_dict_unref(out);
    return 0;
}

int
gf__posix_fxattrop(gf_frame_t *frame, gf_xlator_t *self, gf_fd_t *fd,
                   int32_t optype, gf_dict_t *dict, gf_dict_t *xdata)
{
    posix_priv_t *priv = gf_xlator_private(self);
    gf_dict_t *out = NULL;
    int osfd = gf__posix_fd_os(self, fd);
    int ret = osfd >= 0 ? xattrop_fd(priv, osfd, optype, dict, &out) : osfd;

    (void)xdata;
    gf_unwind_fxattrop(frame, ret < 0 ? -1 : 0, -ret, out, NULL);
    gf_dict_unref(out);
    return 0;
}
