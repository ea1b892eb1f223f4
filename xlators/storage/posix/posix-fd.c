/* SPDX-License-Identifier: LGPL-3.0-or-later */
/*
 * posix-fd.c - the fd fops of storage/posix: open, opendir, readdir(p),
 * readv, writev, flush, fsync, fstat, ftruncate, fsetattr, the f*xattr
 * fops, release and releasedir.
 *
 * An open fd keeps a posix_fd_t in its context slot (gf_xlator_ctx_slot):
 * the OS fd and, for a directory, its DIR stream. Readdir cookies (d_off)
 * are the stream's telldir() positions, which the file system keeps
 * stable and never 0 after an entry; a reply resumes from any cookie with
 * seekdir(), and consecutive reads skip the seek. The stream is one per
 * fd, so a mutex keeps two readers from interleaving.
 */
#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/uio.h>
#include <unistd.h>

#include <gf/iobuf.h>

#include "posix-int.h"

int
gf__posix_fd_attach(posix_priv_t *priv, gf_fd_t *fd, int osfd, DIR *dir,
                    bool is_root)
{
    posix_fd_t *pfd = calloc(1, sizeof(*pfd));
    int ret;

    if (!pfd)
        return -ENOMEM;
    pfd->fd = osfd;
    pfd->dir = dir;
    pfd->is_root = is_root;
    pthread_mutex_init(&pfd->lock, NULL);
    ret = gf_fd_ctx_set(fd, priv->slot, (uint64_t)(uintptr_t)pfd);
    if (ret < 0) {
        pthread_mutex_destroy(&pfd->lock);
        free(pfd);
    }
    return ret;
}

static posix_fd_t *
fd_get(gf_xlator_t *self, gf_fd_t *fd)
{
    posix_priv_t *priv = gf_xlator_private(self);
    uint64_t v;

    if (!fd || gf_fd_ctx_get(fd, priv->slot, &v) < 0)
        return NULL;
    return (posix_fd_t *)(uintptr_t)v;
}

int
gf__posix_fd_os(gf_xlator_t *self, gf_fd_t *fd)
{
    posix_fd_t *pfd = fd_get(self, fd);

    return pfd ? pfd->fd : -EBADF;
}

/* Attributes of the object behind an OS fd, gfid included. */
static int
fd_iatt(gf_xlator_t *self, int osfd, gf_iatt_t *ia)
{
    gf_gfid_t g;

    if (gf__posix_gfid_get(gf_xlator_private(self), osfd, &g) < 0)
        g = gf_gfid_null();
    return gf__posix_fstat_iatt(osfd, &g, ia);
}

static int
open_obj(posix_priv_t *priv, posix_obj_t *obj, int32_t flags, gf_fd_t *fd)
{
    char proc[POSIX_PROC_PATH_MAX];
    int osfd, ret;

    if (S_ISLNK(obj->st.st_mode))
        return -ELOOP;
    if (S_ISDIR(obj->st.st_mode) && (flags & O_ACCMODE) != O_RDONLY)
        return -EISDIR;
    flags &= ~(O_CREAT | O_EXCL | O_NOFOLLOW | O_PATH);
    /* Special files must not block the caller waiting for a peer. */
    if (!S_ISREG(obj->st.st_mode) && !S_ISDIR(obj->st.st_mode))
        flags |= O_NONBLOCK;
    gf__posix_proc_path(obj->fd, proc);
    osfd = open(proc, flags | O_CLOEXEC);
    if (osfd < 0)
        return -errno;
    ret = gf__posix_fd_attach(priv, fd, osfd, NULL, false);
    if (ret < 0)
        close(osfd);
    return ret;
}

int
gf__posix_open(gf_frame_t *frame, gf_xlator_t *self, gf_loc_t *loc,
               int32_t flags, gf_fd_t *fd, gf_dict_t *xdata)
{
    posix_priv_t *priv = gf_xlator_private(self);
    posix_obj_t obj = {.fd = -1};
    int ret = fd ? gf__posix_open_loc(priv, loc, &obj) : -EINVAL;

    (void)xdata;
    if (ret == 0) {
        ret = open_obj(priv, &obj, flags, fd);
        gf__posix_obj_close(&obj);
    }
    gf_unwind_open(frame, ret < 0 ? -1 : 0, -ret, ret < 0 ? NULL : fd, NULL);
    return 0;
}

int
gf__posix_opendir(gf_frame_t *frame, gf_xlator_t *self, gf_loc_t *loc,
                  gf_fd_t *fd, gf_dict_t *xdata)
{
    posix_priv_t *priv = gf_xlator_private(self);
    posix_obj_t obj = {.fd = -1};
    DIR *dir = NULL;
    int ret = fd ? gf__posix_open_loc(priv, loc, &obj) : -EINVAL, osfd;

    (void)xdata;
    if (ret == 0 && !S_ISDIR(obj.st.st_mode))
        ret = -ENOTDIR;
    if (ret == 0) {
        osfd = openat(obj.fd, ".", O_RDONLY | O_DIRECTORY | O_CLOEXEC);
        dir = osfd < 0 ? NULL : fdopendir(osfd);
        if (!dir) {
            ret = -errno;
            if (osfd >= 0)
                close(osfd);
        } else {
            ret = gf__posix_fd_attach(priv, fd, dirfd(dir), dir,
                                      obj.st.st_dev == priv->brick_dev &&
                                          obj.st.st_ino == priv->brick_ino);
            if (ret < 0)
                closedir(dir);
        }
    }
    gf__posix_obj_close(&obj);
    gf_unwind_opendir(frame, ret < 0 ? -1 : 0, -ret, ret < 0 ? NULL : fd, NULL);
    return 0;
}

/* Attributes, gfid and an inode for one readdirp entry. */
static void
fill_plus(gf_xlator_t *self, gf_fd_t *fd, posix_fd_t *pfd, gf_dirent_t *e)
{
    posix_priv_t *priv = gf_xlator_private(self);
    gf_inode_table_t *table = gf_inode_table_of(gf_fd_inode(fd));
    posix_obj_t obj;

    /* ".." may be outside the brick (at its root): leave it bare. */
    if (!strcmp(e->name, ".."))
        return;
    if (gf__posix_open_at(priv, pfd->fd, e->name, &obj) < 0)
        return;
    gf__posix_iatt_fill(&e->stat, &obj.st, &obj.gfid);
    gf__posix_obj_close(&obj);
    if (gf_gfid_is_null(&e->stat.gfid) || !table)
        return;
    e->inode = gf_inode_find(table, &e->stat.gfid);
    if (!e->inode)
        e->inode = gf_inode_new(table);
}

/* Bytes an entry costs against the reply budget: the wire dirent (24
 * bytes and the name, 8-aligned), plus an iatt for readdirp. */
static size_t
entry_cost(size_t namelen, bool plus)
{
    return ((24 + namelen + 7) & ~(size_t)7) + (plus ? GF_DICT_IATT_SIZE : 0);
}

static int
read_entries(gf_xlator_t *self, gf_fd_t *fd, posix_fd_t *pfd, size_t size,
             off_t offset, bool plus, gf_dirents_t *list)
{
    size_t used = 0, len;
    struct dirent *de;
    gf_dirent_t *e;
    long pos;

    if (offset != (off_t)pfd->next_off) {
        if (offset == 0)
            rewinddir(pfd->dir);
        else
            seekdir(pfd->dir, (long)offset);
    }
    for (;;) {
        pos = telldir(pfd->dir);
        errno = 0;
        de = readdir(pfd->dir);
        if (!de) {
            if (errno)
                return -errno;
            break;
        }
        if (pfd->is_root && !strcmp(de->d_name, ".glusterfs"))
            continue;
        len = strlen(de->d_name);
        if (list->count > 0 && used + entry_cost(len, plus) > size) {
            seekdir(pfd->dir, pos);
            break;
        }
        e = gf_dirent_new(de->d_name, len);
        if (!e)
            return -ENOMEM;
        e->d_ino = de->d_ino;
        e->d_type = de->d_type;
        e->d_off = (uint64_t)telldir(pfd->dir);
        if (plus)
            fill_plus(self, fd, pfd, e);
        gf_dirents_append(list, e);
        used += entry_cost(len, plus);
    }
    pfd->next_off = telldir(pfd->dir);
    return (int)list->count;
}

static int
do_readdir(gf_xlator_t *self, gf_fd_t *fd, size_t size, off_t offset, bool plus,
           gf_dirents_t *list)
{
    posix_fd_t *pfd = fd_get(self, fd);
    int ret;

    if (!pfd || !pfd->dir)
        return -EBADF;
    if (offset < 0)
        return -EINVAL;
    pthread_mutex_lock(&pfd->lock);
    ret = read_entries(self, fd, pfd, size, offset, plus, list);
    pthread_mutex_unlock(&pfd->lock);
    return ret;
}

int
gf__posix_readdir(gf_frame_t *frame, gf_xlator_t *self, gf_fd_t *fd,
                  size_t size, off_t offset, gf_dict_t *xdata)
{
    gf_dirents_t list;
    int ret;

    (void)xdata;
    gf_dirents_init(&list);
    ret = do_readdir(self, fd, size, offset, false, &list);
    gf_unwind_readdir(frame, ret < 0 ? -1 : ret, ret < 0 ? -ret : 0, &list,
                      NULL);
    gf_dirents_free(&list);
    return 0;
}

int
gf__posix_readdirp(gf_frame_t *frame, gf_xlator_t *self, gf_fd_t *fd,
                   size_t size, off_t offset, gf_dict_t *xdata)
{
    gf_dirents_t list;
    int ret;

    (void)xdata;
    gf_dirents_init(&list);
    ret = do_readdir(self, fd, size, offset, true, &list);
    gf_unwind_readdirp(frame, ret < 0 ? -1 : ret, ret < 0 ? -ret : 0, &list,
                       NULL);
    gf_dirents_free(&list);
    return 0;
}

int
gf__posix_readv(gf_frame_t *frame, gf_xlator_t *self, gf_fd_t *fd, size_t size,
                off_t offset, uint32_t flags, gf_dict_t *xdata)
{
    gf_iobuf_pool_t *pool = gf_ctx_iobuf_pool(gf_xlator_ctx(self));
    posix_fd_t *pfd = fd_get(self, fd);
    gf_iobref_t *iobref = NULL;
    gf_iobuf_t *iob = NULL;
    struct iovec iov = {0};
    gf_iatt_t st;
    ssize_t n = -EBADF;

    (void)flags;
    (void)xdata;
    memset(&st, 0, sizeof(st));
    if (pfd && (offset < 0 || size > GF_IOBUF_MAX_SIZE))
        n = -EINVAL;
    else if (pfd &&
             (!(iob = gf_iobuf_get(pool, size ? size : 1)) ||
              !(iobref = gf_iobref_new()) || gf_iobref_add(iobref, iob) < 0))
        n = -ENOMEM;
    else if (pfd) {
        n = pread(pfd->fd, gf_iobuf_ptr(iob), size, offset);
        if (n < 0)
            n = -errno;
        else if (fd_iatt(self, pfd->fd, &st) < 0)
            n = -errno;
    }
    iov.iov_base = gf_iobuf_ptr(iob);
    iov.iov_len = n > 0 ? (size_t)n : 0;
    gf_unwind_readv(frame, n < 0 ? -1 : (int32_t)n, n < 0 ? (int32_t)-n : 0,
                    n < 0 ? NULL : &iov, n < 0 ? 0 : 1, &st,
                    n < 0 ? NULL : iobref, NULL);
    gf_iobref_unref(iobref);
    gf_iobuf_unref(iob);
    return 0;
}

int
gf__posix_writev(gf_frame_t *frame, gf_xlator_t *self, gf_fd_t *fd,
                 struct iovec *vector, int32_t count, off_t offset,
                 uint32_t flags, gf_iobref_t *iobref, gf_dict_t *xdata)
{
    posix_fd_t *pfd = fd_get(self, fd);
    gf_iatt_t pre, post;
    ssize_t n = -EBADF;

    (void)flags;
    (void)iobref;
    (void)xdata;
    memset(&pre, 0, sizeof(pre));
    memset(&post, 0, sizeof(post));
    if (pfd && (offset < 0 || count < 0 || (count > 0 && !vector)))
        n = -EINVAL;
    else if (pfd) {
        fd_iatt(self, pfd->fd, &pre);
        n = pwritev(pfd->fd, vector, count, offset);
        if (n < 0)
            n = -errno;
        else
            fd_iatt(self, pfd->fd, &post);
    }
    gf_unwind_writev(frame, n < 0 ? -1 : (int32_t)n, n < 0 ? (int32_t)-n : 0,
                     &pre, &post, NULL);
    return 0;
}

int
gf__posix_flush(gf_frame_t *frame, gf_xlator_t *self, gf_fd_t *fd,
                gf_dict_t *xdata)
{
    (void)xdata;
    /* Nothing is buffered here: a flush only checks the fd. */
    if (!fd_get(self, fd))
        gf_unwind_flush(frame, -1, EBADF, NULL);
    else
        gf_unwind_flush(frame, 0, 0, NULL);
    return 0;
}

int
gf__posix_fsync(gf_frame_t *frame, gf_xlator_t *self, gf_fd_t *fd,
                int32_t datasync, gf_dict_t *xdata)
{
    posix_fd_t *pfd = fd_get(self, fd);
    gf_iatt_t pre, post;
    int ret = pfd ? 0 : -EBADF;

    (void)xdata;
    memset(&pre, 0, sizeof(pre));
    memset(&post, 0, sizeof(post));
    if (ret == 0) {
        fd_iatt(self, pfd->fd, &pre);
        if ((datasync ? fdatasync(pfd->fd) : fsync(pfd->fd)) < 0)
            ret = -errno;
        else
            fd_iatt(self, pfd->fd, &post);
    }
    gf_unwind_fsync(frame, ret < 0 ? -1 : 0, -ret, &pre, &post, NULL);
    return 0;
}

static void
pfd_free(posix_fd_t *pfd)
{
    if (pfd->dir)
        closedir(pfd->dir); /* closes pfd->fd too */
    else
        close(pfd->fd);
    pthread_mutex_destroy(&pfd->lock);
    free(pfd);
}

static int
fd_detach(gf_xlator_t *self, gf_fd_t *fd)
{
    posix_priv_t *priv = gf_xlator_private(self);
    uint64_t v;

    if (!fd || gf_fd_ctx_del(fd, priv->slot, &v) < 0)
        return -EBADF;
    pfd_free((posix_fd_t *)(uintptr_t)v);
    return 0;
}

void
gf__posix_fd_forget(gf_xlator_t *self, gf_fd_t *fd)
{
    fd_detach(self, fd);
}

int
gf__posix_release(gf_frame_t *frame, gf_xlator_t *self, gf_fd_t *fd,
                  gf_dict_t *xdata)
{
    int ret = fd_detach(self, fd);

    (void)xdata;
    gf_unwind_release(frame, ret < 0 ? -1 : 0, -ret, NULL);
    return 0;
}

int
gf__posix_releasedir(gf_frame_t *frame, gf_xlator_t *self, gf_fd_t *fd,
                     gf_dict_t *xdata)
{
    int ret = fd_detach(self, fd);

    (void)xdata;
    gf_unwind_releasedir(frame, ret < 0 ? -1 : 0, -ret, NULL);
    return 0;
}

int
gf__posix_fstat(gf_frame_t *frame, gf_xlator_t *self, gf_fd_t *fd,
                gf_dict_t *xdata)
{
    posix_fd_t *pfd = fd_get(self, fd);
    gf_iatt_t st;
    int ret = pfd ? fd_iatt(self, pfd->fd, &st) : -EBADF;

    (void)xdata;
    if (ret < 0)
        memset(&st, 0, sizeof(st));
    gf_unwind_fstat(frame, ret < 0 ? -1 : 0, -ret, &st, NULL);
    return 0;
}

static int
fsetattr_do(gf_xlator_t *self, gf_fd_t *fd, gf_iatt_t *stbuf, int32_t valid,
            gf_iatt_t *pre, gf_iatt_t *post)
{
    posix_fd_t *pfd = fd_get(self, fd);
    struct stat st;
    int ret;

    if (!pfd)
        return -EBADF;
    if (fstat(pfd->fd, &st) < 0)
        return -errno;
    fd_iatt(self, pfd->fd, pre);
    if (valid & GF_SET_ATTR_SIZE) {
        /* Through the open fd: a write-opened file can be shortened even
         * if its mode no longer allows writes. */
        if (ftruncate(pfd->fd, (off_t)stbuf->size) < 0)
            return -errno;
        valid &= ~GF_SET_ATTR_SIZE;
    }
    ret = gf__posix_do_setattr(pfd->fd, &st, stbuf, valid);
    if (ret == 0)
        ret = fd_iatt(self, pfd->fd, post);
    return ret;
}

int
gf__posix_ftruncate(gf_frame_t *frame, gf_xlator_t *self, gf_fd_t *fd,
                    off_t offset, gf_dict_t *xdata)
{
    gf_iatt_t pre, post, want;
    int ret;

    (void)xdata;
    memset(&pre, 0, sizeof(pre));
    memset(&post, 0, sizeof(post));
    memset(&want, 0, sizeof(want));
    want.size = (uint64_t)offset;
    ret = offset < 0
              ? -EINVAL
              : fsetattr_do(self, fd, &want, GF_SET_ATTR_SIZE, &pre, &post);
    gf_unwind_ftruncate(frame, ret < 0 ? -1 : 0, -ret, &pre, &post, NULL);
    return 0;
}

int
gf__posix_fsetattr(gf_frame_t *frame, gf_xlator_t *self, gf_fd_t *fd,
                   gf_iatt_t *stbuf, int32_t valid, gf_dict_t *xdata)
{
    gf_iatt_t pre, post;
    int ret;

    (void)xdata;
    memset(&pre, 0, sizeof(pre));
    memset(&post, 0, sizeof(post));
    /* As SETATTR: the size belongs to FTRUNCATE. */
    ret = stbuf ? fsetattr_do(self, fd, stbuf, valid & ~GF_SET_ATTR_SIZE, &pre,
                              &post)
                : -EINVAL;
    gf_unwind_fsetattr(frame, ret < 0 ? -1 : 0, -ret, &pre, &post, NULL);
    return 0;
}

int
gf__posix_fgetxattr(gf_frame_t *frame, gf_xlator_t *self, gf_fd_t *fd,
                    const char *name, gf_dict_t *xdata)
{
    posix_fd_t *pfd = fd_get(self, fd);
    gf_dict_t *dict = NULL;
    int ret =
        pfd ? gf__posix_xattr_get(gf_xlator_private(self), pfd->fd, name, &dict)
            : -EBADF;

    (void)xdata;
    gf_unwind_fgetxattr(frame, ret < 0 ? -1 : (int32_t)gf_dict_count(dict),
                        -ret, dict, NULL);
    gf_dict_unref(dict);
    return 0;
}

int
gf__posix_fsetxattr(gf_frame_t *frame, gf_xlator_t *self, gf_fd_t *fd,
                    gf_dict_t *dict, int32_t flags, gf_dict_t *xdata)
{
    posix_fd_t *pfd = fd_get(self, fd);
    int ret =
        pfd ? gf__posix_xattr_set(gf_xlator_private(self), pfd->fd, dict, flags)
            : -EBADF;

    (void)xdata;
    gf_unwind_fsetxattr(frame, ret < 0 ? -1 : 0, -ret, NULL);
    return 0;
}

int
gf__posix_fremovexattr(gf_frame_t *frame, gf_xlator_t *self, gf_fd_t *fd,
                       const char *name, gf_dict_t *xdata)
{
    posix_fd_t *pfd = fd_get(self, fd);
    int ret =
        pfd ? gf__posix_xattr_remove(gf_xlator_private(self), pfd->fd, name)
            : -EBADF;

    (void)xdata;
    gf_unwind_fremovexattr(frame, ret < 0 ? -1 : 0, -ret, NULL);
    return 0;
}
