/* SPDX-License-Identifier: LGPL-3.0-or-later */
/*
 * client-requests.c - the fops of protocol/client: each fills its wire
 * request from its arguments and hands it to client__submit. Inodes
 * travel as gfids (the loc's inode, else loc->gfid), entries as parent
 * gfid and name, fds as the brick's fd number kept in the fd.
 *
 * Entry creations (CREATE, MKDIR, MKNOD, SYMLINK) carry xdata "gfid-req",
 * the gfid the brick gives the new object: a GlusterFS brick refuses to
 * create without one. The caller's own is used when it sent one, else a
 * fresh one is made here.
 */
#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>

#include "client-int.h"

enum { WIRE_GETLK = 0, WIRE_SETLK = 1, WIRE_SETLKW = 2 };
enum { WIRE_RDLCK = 0, WIRE_WRLCK = 1, WIRE_UNLCK = 2 };

/* ---- arguments to wire fields -------------------------------------------- */

static void
inode_gfid(gf_inode_t *inode, const gf_gfid_t *fallback, char out[16])
{
    gf_gfid_t g;

    if (inode && gf_inode_gfid(inode, &g) == 0 && !gf_gfid_is_null(&g))
        memcpy(out, g.b, 16);
    else
        memcpy(out, fallback->b, 16);
}

static void
obj_gfid(const gf_loc_t *loc, char out[16])
{
    inode_gfid(loc->inode, &loc->gfid, out);
}

static void
par_gfid(const gf_loc_t *loc, char out[16])
{
    inode_gfid(loc->parent, &loc->pargfid, out);
}

/* Strings rpcgen wants writable; encoding only reads them. */
static char *
wstr(const char *s)
{
    return (char *)(uintptr_t)(s ? s : "");
}

/* XDATA with a "gfid-req" (a new reference, or NULL if out of memory). */
static gf_dict_t *
with_gfid_req(gf_dict_t *xdata)
{
    unsigned char u[16];
    gf_gfid_t g;
    gf_dict_t *d;

    if (xdata && gf_dict_get_uuid(xdata, "gfid-req", u) == 0)
        return gf_dict_ref(xdata);
    d = xdata ? gf_dict_copy(xdata) : gf_dict_new();
    if (d && (gf_gfid_generate(&g) < 0 ||
              gf_dict_set_uuid(d, "gfid-req", g.b) < 0)) {
        gf_dict_unref(d);
        d = NULL;
    }
    return d;
}

static uint32_t
lk_cmd(int32_t cmd)
{
    return cmd == F_GETLK    ? WIRE_GETLK
           : cmd == F_SETLKW ? WIRE_SETLKW
                             : WIRE_SETLK;
}

static uint32_t
lk_type(int type)
{
    return type == F_RDLCK   ? WIRE_RDLCK
           : type == F_WRLCK ? WIRE_WRLCK
                             : WIRE_UNLCK;
}

static void
flock_to_wire(const gf_flock_t *fl, gf_proto_flock *w)
{
    memset(w, 0, sizeof(*w));
    if (!fl)
        return;
    w->type = lk_type(fl->type);
    w->whence = (uint32_t)fl->whence;
    w->start = (uint64_t)fl->start;
    w->len = (uint64_t)fl->len;
    w->pid = (uint32_t)fl->pid;
    w->lk_owner.lk_owner_len = fl->owner.len;
    w->lk_owner.lk_owner_val = (char *)(uintptr_t)fl->owner.data;
}

void
client__flock_from_wire(const gf_proto_flock *w, gf_flock_t *fl)
{
    fl->type = w->type == WIRE_RDLCK   ? F_RDLCK
               : w->type == WIRE_WRLCK ? F_WRLCK
                                       : F_UNLCK;
    fl->whence = (int16_t)w->whence;
    fl->start = (int64_t)w->start;
    fl->len = (int64_t)w->len;
    fl->pid = (int32_t)w->pid;
    fl->owner.len = 0;
    if (w->lk_owner.lk_owner_len <= sizeof(fl->owner.data)) {
        fl->owner.len = w->lk_owner.lk_owner_len;
        if (fl->owner.len)
            memcpy(fl->owner.data, w->lk_owner.lk_owner_val, fl->owner.len);
    }
}

static client_priv_t *
priv_of(gf_xlator_t *self)
{
    return gf_xlator_private(self);
}

/* Submit REQ, whose object is LOC: its gfid goes into GFID first. */
static int
loc_submit(gf_frame_t *frame, gf_fop_t fop, gf_loc_t *loc, void *req,
           char gfid[16])
{
    obj_gfid(loc, gfid);
    return client__submit(frame, fop, req, NULL, 0, NULL);
}

/* Submit REQ on FD: its remote number and gfid go into *RFD and GFID
 * first; a stale or unknown fd fails (EBADFD) before anything is sent. */
static int
fd_submit(gf_frame_t *frame, gf_xlator_t *self, gf_fop_t fop, gf_fd_t *fd,
          void *req, int64_t *rfd, char gfid[16])
{
    int ret = client__fd(priv_of(self), fd, rfd, gfid);

    if (ret < 0)
        return client__fail(frame, fop, -ret);
    return client__submit(frame, fop, req, NULL, 0, NULL);
}

/* ---- inode fops ------------------------------------------------------------
 */

static int
c_lookup(gf_frame_t *frame, gf_xlator_t *self, gf_loc_t *loc, gf_dict_t *xdata)
{
    gfx_lookup_req r = {.xdata = xdata};

    (void)self;
    if (loc->name && *loc->name) {
        par_gfid(loc, r.pargfid);
        r.bname = wstr(loc->name);
    } else {
        r.bname = wstr(NULL); /* nameless: by gfid */
    }
    gf_frame_set_local(frame, loc, NULL);
    return loc_submit(frame, GF_FOP_LOOKUP, loc, &r, r.gfid);
}

static int
c_stat(gf_frame_t *frame, gf_xlator_t *self, gf_loc_t *loc, gf_dict_t *xdata)
{
    gfx_stat_req r = {.xdata = xdata};

    (void)self;
    return loc_submit(frame, GF_FOP_STAT, loc, &r, r.gfid);
}

static int
c_statfs(gf_frame_t *frame, gf_xlator_t *self, gf_loc_t *loc, gf_dict_t *xdata)
{
    gfx_statfs_req r = {.xdata = xdata};

    (void)self;
    return loc_submit(frame, GF_FOP_STATFS, loc, &r, r.gfid);
}

static int
c_access(gf_frame_t *frame, gf_xlator_t *self, gf_loc_t *loc, int32_t mask,
         gf_dict_t *xdata)
{
    gfx_access_req r = {.mask = (uint32_t)mask, .xdata = xdata};

    (void)self;
    return loc_submit(frame, GF_FOP_ACCESS, loc, &r, r.gfid);
}

static int
c_truncate(gf_frame_t *frame, gf_xlator_t *self, gf_loc_t *loc, off_t offset,
           gf_dict_t *xdata)
{
    gfx_truncate_req r = {.offset = (uint64_t)offset, .xdata = xdata};

    (void)self;
    return loc_submit(frame, GF_FOP_TRUNCATE, loc, &r, r.gfid);
}

static int
c_setattr(gf_frame_t *frame, gf_xlator_t *self, gf_loc_t *loc, gf_iatt_t *stbuf,
          int32_t valid, gf_dict_t *xdata)
{
    gfx_setattr_req r = {.valid = valid, .xdata = xdata};

    (void)self;
    if (stbuf)
        gf_xdr_iatt_to_wire(stbuf, &r.stbuf);
    return loc_submit(frame, GF_FOP_SETATTR, loc, &r, r.gfid);
}

static int
c_getxattr(gf_frame_t *frame, gf_xlator_t *self, gf_loc_t *loc,
           const char *name, gf_dict_t *xdata)
{
    gfx_getxattr_req r = {.name = wstr(name), .xdata = xdata};

    (void)self;
    r.namelen = name ? (uint32_t)strlen(name) + 1 : 0;
    return loc_submit(frame, GF_FOP_GETXATTR, loc, &r, r.gfid);
}

static int
c_setxattr(gf_frame_t *frame, gf_xlator_t *self, gf_loc_t *loc, gf_dict_t *dict,
           int32_t flags, gf_dict_t *xdata)
{
    gfx_setxattr_req r = {
        .flags = (uint32_t)flags, .dict = dict, .xdata = xdata};

    (void)self;
    return loc_submit(frame, GF_FOP_SETXATTR, loc, &r, r.gfid);
}

static int
c_removexattr(gf_frame_t *frame, gf_xlator_t *self, gf_loc_t *loc,
              const char *name, gf_dict_t *xdata)
{
    gfx_removexattr_req r = {.name = wstr(name), .xdata = xdata};

    (void)self;
    return loc_submit(frame, GF_FOP_REMOVEXATTR, loc, &r, r.gfid);
}

static int
c_readlink(gf_frame_t *frame, gf_xlator_t *self, gf_loc_t *loc, size_t size,
           gf_dict_t *xdata)
{
    gfx_readlink_req r = {.size = (uint32_t)size, .xdata = xdata};

    (void)self;
    return loc_submit(frame, GF_FOP_READLINK, loc, &r, r.gfid);
}

static int
c_xattrop(gf_frame_t *frame, gf_xlator_t *self, gf_loc_t *loc, int32_t optype,
          gf_dict_t *dict, gf_dict_t *xdata)
{
    gfx_xattrop_req r = {
        .flags = (uint32_t)optype, .dict = dict, .xdata = xdata};

    (void)self;
    return loc_submit(frame, GF_FOP_XATTROP, loc, &r, r.gfid);
}

static int
c_inodelk(gf_frame_t *frame, gf_xlator_t *self, const char *volume,
          gf_loc_t *loc, int32_t cmd, gf_flock_t *flock, gf_dict_t *xdata)
{
    gfx_inodelk_req r = {.volume = wstr(volume), .xdata = xdata};

    (void)self;
    r.cmd = lk_cmd(cmd);
    flock_to_wire(flock, &r.flock);
    r.type = r.flock.type;
    return loc_submit(frame, GF_FOP_INODELK, loc, &r, r.gfid);
}

static int
c_entrylk(gf_frame_t *frame, gf_xlator_t *self, const char *volume,
          gf_loc_t *loc, const char *basename, int32_t cmd, int32_t type,
          gf_dict_t *xdata)
{
    gfx_entrylk_req r = {.cmd = (uint32_t)cmd,
                         .type = (uint32_t)type,
                         .name = wstr(basename),
                         .volume = wstr(volume),
                         .xdata = xdata};

    (void)self;
    r.namelen = basename ? strlen(basename) : 0;
    return loc_submit(frame, GF_FOP_ENTRYLK, loc, &r, r.gfid);
}

/* ---- entry fops ------------------------------------------------------------
 */

static int
c_mkdir(gf_frame_t *frame, gf_xlator_t *self, gf_loc_t *loc, uint32_t mode,
        uint32_t umask, gf_dict_t *xdata)
{
    gfx_mkdir_req r = {.mode = mode, .umask = umask, .bname = wstr(loc->name)};

    (void)self;
    par_gfid(loc, r.pargfid);
    r.xdata = with_gfid_req(xdata);
    if (!r.xdata)
        return client__fail(frame, GF_FOP_MKDIR, ENOMEM);
    gf_frame_set_local(frame, loc, NULL);
    client__submit(frame, GF_FOP_MKDIR, &r, NULL, 0, NULL);
    gf_dict_unref(r.xdata);
    return 0;
}

static int
c_mknod(gf_frame_t *frame, gf_xlator_t *self, gf_loc_t *loc, uint32_t mode,
        uint64_t rdev, uint32_t umask, gf_dict_t *xdata)
{
    gfx_mknod_req r = {
        .dev = rdev, .mode = mode, .umask = umask, .bname = wstr(loc->name)};

    (void)self;
    par_gfid(loc, r.pargfid);
    r.xdata = with_gfid_req(xdata);
    if (!r.xdata)
        return client__fail(frame, GF_FOP_MKNOD, ENOMEM);
    gf_frame_set_local(frame, loc, NULL);
    client__submit(frame, GF_FOP_MKNOD, &r, NULL, 0, NULL);
    gf_dict_unref(r.xdata);
    return 0;
}

static int
c_symlink(gf_frame_t *frame, gf_xlator_t *self, const char *linkname,
          gf_loc_t *loc, uint32_t umask, gf_dict_t *xdata)
{
    gfx_symlink_req r = {
        .bname = wstr(loc->name), .umask = umask, .linkname = wstr(linkname)};

    (void)self;
    par_gfid(loc, r.pargfid);
    r.xdata = with_gfid_req(xdata);
    if (!r.xdata)
        return client__fail(frame, GF_FOP_SYMLINK, ENOMEM);
    gf_frame_set_local(frame, loc, NULL);
    client__submit(frame, GF_FOP_SYMLINK, &r, NULL, 0, NULL);
    gf_dict_unref(r.xdata);
    return 0;
}

static int
c_create(gf_frame_t *frame, gf_xlator_t *self, gf_loc_t *loc, int32_t flags,
         uint32_t mode, uint32_t umask, gf_fd_t *fd, gf_dict_t *xdata)
{
    gfx_create_req r = {.flags = (uint32_t)flags,
                        .mode = mode,
                        .umask = umask,
                        .bname = wstr(loc->name)};

    (void)self;
    par_gfid(loc, r.pargfid);
    r.xdata = with_gfid_req(xdata);
    if (!r.xdata)
        return client__fail(frame, GF_FOP_CREATE, ENOMEM);
    gf_frame_set_local(frame, fd, NULL);
    client__submit(frame, GF_FOP_CREATE, &r, NULL, 0, NULL);
    gf_dict_unref(r.xdata);
    return 0;
}

static int
c_unlink(gf_frame_t *frame, gf_xlator_t *self, gf_loc_t *loc, int32_t xflags,
         gf_dict_t *xdata)
{
    gfx_unlink_req r = {
        .bname = wstr(loc->name), .xflags = (uint32_t)xflags, .xdata = xdata};

    (void)self;
    par_gfid(loc, r.pargfid);
    return client__submit(frame, GF_FOP_UNLINK, &r, NULL, 0, NULL);
}

static int
c_rmdir(gf_frame_t *frame, gf_xlator_t *self, gf_loc_t *loc, int32_t xflags,
        gf_dict_t *xdata)
{
    gfx_rmdir_req r = {
        .xflags = xflags, .bname = wstr(loc->name), .xdata = xdata};

    (void)self;
    par_gfid(loc, r.pargfid);
    return client__submit(frame, GF_FOP_RMDIR, &r, NULL, 0, NULL);
}

static int
c_rename(gf_frame_t *frame, gf_xlator_t *self, gf_loc_t *oldloc,
         gf_loc_t *newloc, gf_dict_t *xdata)
{
    gfx_rename_req r = {.oldbname = wstr(oldloc->name),
                        .newbname = wstr(newloc->name),
                        .xdata = xdata};

    (void)self;
    par_gfid(oldloc, r.oldgfid);
    par_gfid(newloc, r.newgfid);
    return client__submit(frame, GF_FOP_RENAME, &r, NULL, 0, NULL);
}

static int
c_link(gf_frame_t *frame, gf_xlator_t *self, gf_loc_t *oldloc, gf_loc_t *newloc,
       gf_dict_t *xdata)
{
    gfx_link_req r = {.newbname = wstr(newloc->name), .xdata = xdata};

    (void)self;
    obj_gfid(oldloc, r.oldgfid);
    par_gfid(newloc, r.newgfid);
    gf_frame_set_local(frame, oldloc, NULL);
    return client__submit(frame, GF_FOP_LINK, &r, NULL, 0, NULL);
}

static int
c_open(gf_frame_t *frame, gf_xlator_t *self, gf_loc_t *loc, int32_t flags,
       gf_fd_t *fd, gf_dict_t *xdata)
{
    gfx_open_req r = {.flags = (uint32_t)flags, .xdata = xdata};

    (void)self;
    gf_frame_set_local(frame, fd, NULL);
    return loc_submit(frame, GF_FOP_OPEN, loc, &r, r.gfid);
}

static int
c_opendir(gf_frame_t *frame, gf_xlator_t *self, gf_loc_t *loc, gf_fd_t *fd,
          gf_dict_t *xdata)
{
    gfx_opendir_req r = {.xdata = xdata};

    (void)self;
    gf_frame_set_local(frame, fd, NULL);
    return loc_submit(frame, GF_FOP_OPENDIR, loc, &r, r.gfid);
}

/* ---- fd fops ----------------------------------------------------------------
 * Each starts with the fd's remote number; a stale or unknown fd fails
 * with EBADFD before anything is sent. */

static int
c_fstat(gf_frame_t *frame, gf_xlator_t *self, gf_fd_t *fd, gf_dict_t *xdata)
{
    gfx_fstat_req r = {.xdata = xdata};

    return fd_submit(frame, self, GF_FOP_FSTAT, fd, &r, &r.fd, r.gfid);
}

static int
c_readdir_any(gf_frame_t *frame, gf_xlator_t *self, gf_fop_t fop, gf_fd_t *fd,
              size_t size, off_t offset, gf_dict_t *xdata)
{
    /* gfx_readdir_req and gfx_readdirp_req have one layout. */
    gfx_readdir_req r = {
        .offset = (uint64_t)offset, .size = (uint32_t)size, .xdata = xdata};

    return fd_submit(frame, self, fop, fd, &r, &r.fd, r.gfid);
}

static int
c_readdir(gf_frame_t *frame, gf_xlator_t *self, gf_fd_t *fd, size_t size,
          off_t offset, gf_dict_t *xdata)
{
    return c_readdir_any(frame, self, GF_FOP_READDIR, fd, size, offset, xdata);
}

static int
c_readdirp(gf_frame_t *frame, gf_xlator_t *self, gf_fd_t *fd, size_t size,
           off_t offset, gf_dict_t *xdata)
{
    return c_readdir_any(frame, self, GF_FOP_READDIRP, fd, size, offset, xdata);
}

static int
c_readv(gf_frame_t *frame, gf_xlator_t *self, gf_fd_t *fd, size_t size,
        off_t offset, uint32_t flags, gf_dict_t *xdata)
{
    gfx_read_req r = {.offset = (uint64_t)offset,
                      .size = (uint32_t)size,
                      .flag = flags,
                      .xdata = xdata};

    return fd_submit(frame, self, GF_FOP_READ, fd, &r, &r.fd, r.gfid);
}

static int
c_writev(gf_frame_t *frame, gf_xlator_t *self, gf_fd_t *fd,
         struct iovec *vector, int32_t count, off_t offset, uint32_t flags,
         gf_iobref_t *iobref, gf_dict_t *xdata)
{
    gfx_write_req r = {
        .offset = (uint64_t)offset, .flag = flags, .xdata = xdata};
    size_t total = 0;
    int ret;

    if (count < 0 || count > 62 || (count && !vector))
        return client__fail(frame, GF_FOP_WRITE, EINVAL);
    for (int i = 0; i < count; i++)
        total += vector[i].iov_len;
    if (total > UINT32_MAX)
        return client__fail(frame, GF_FOP_WRITE, EINVAL);
    r.size = (uint32_t)total;
    ret = client__fd(priv_of(self), fd, &r.fd, r.gfid);
    if (ret < 0)
        return client__fail(frame, GF_FOP_WRITE, -ret);
    /* The payload goes from the caller's iovecs, kept by its iobref. */
    return client__submit(frame, GF_FOP_WRITE, &r, vector, count, iobref);
}

static int
c_flush(gf_frame_t *frame, gf_xlator_t *self, gf_fd_t *fd, gf_dict_t *xdata)
{
    gfx_flush_req r = {.xdata = xdata};

    return fd_submit(frame, self, GF_FOP_FLUSH, fd, &r, &r.fd, r.gfid);
}

static int
c_fsync(gf_frame_t *frame, gf_xlator_t *self, gf_fd_t *fd, int32_t datasync,
        gf_dict_t *xdata)
{
    gfx_fsync_req r = {.data = (uint32_t)datasync, .xdata = xdata};

    return fd_submit(frame, self, GF_FOP_FSYNC, fd, &r, &r.fd, r.gfid);
}

/* An explicit RELEASE(DIR) fop: send it now and forget the remote fd, so
 * that the fd's destruction does not send another. */
static int
c_release_any(gf_frame_t *frame, gf_xlator_t *self, gf_fop_t fop, gf_fd_t *fd,
              gf_dict_t *xdata)
{
    client_priv_t *priv = priv_of(self);
    gfx_release_req r = {.xdata = xdata};
    int ret = client__fd(priv, fd, &r.fd, r.gfid);
    uint64_t v;

    if (fd && gf_fd_ctx_del(fd, priv->slot, &v) == 0)
        atomic_fetch_sub(&priv->open_fds, 1);
    if (ret < 0)
        return client__fail(frame, fop, -ret);
    return client__submit(frame, fop, &r, NULL, 0, NULL);
}

static int
c_release(gf_frame_t *frame, gf_xlator_t *self, gf_fd_t *fd, gf_dict_t *xdata)
{
    return c_release_any(frame, self, GF_FOP_RELEASE, fd, xdata);
}

static int
c_releasedir(gf_frame_t *frame, gf_xlator_t *self, gf_fd_t *fd,
             gf_dict_t *xdata)
{
    return c_release_any(frame, self, GF_FOP_RELEASEDIR, fd, xdata);
}

static int
c_ftruncate(gf_frame_t *frame, gf_xlator_t *self, gf_fd_t *fd, off_t offset,
            gf_dict_t *xdata)
{
    gfx_ftruncate_req r = {.offset = (uint64_t)offset, .xdata = xdata};

    return fd_submit(frame, self, GF_FOP_FTRUNCATE, fd, &r, &r.fd, r.gfid);
}

static int
c_fsetattr(gf_frame_t *frame, gf_xlator_t *self, gf_fd_t *fd, gf_iatt_t *stbuf,
           int32_t valid, gf_dict_t *xdata)
{
    gfx_fsetattr_req r = {.valid = valid, .xdata = xdata};

    if (stbuf)
        gf_xdr_iatt_to_wire(stbuf, &r.stbuf);
    return fd_submit(frame, self, GF_FOP_FSETATTR, fd, &r, &r.fd, r.gfid);
}

static int
c_fgetxattr(gf_frame_t *frame, gf_xlator_t *self, gf_fd_t *fd, const char *name,
            gf_dict_t *xdata)
{
    gfx_fgetxattr_req r = {.name = wstr(name), .xdata = xdata};

    r.namelen = name ? (uint32_t)strlen(name) + 1 : 0;
    return fd_submit(frame, self, GF_FOP_FGETXATTR, fd, &r, &r.fd, r.gfid);
}

static int
c_fsetxattr(gf_frame_t *frame, gf_xlator_t *self, gf_fd_t *fd, gf_dict_t *dict,
            int32_t flags, gf_dict_t *xdata)
{
    gfx_fsetxattr_req r = {
        .flags = (uint32_t)flags, .dict = dict, .xdata = xdata};

    return fd_submit(frame, self, GF_FOP_FSETXATTR, fd, &r, &r.fd, r.gfid);
}

static int
c_fremovexattr(gf_frame_t *frame, gf_xlator_t *self, gf_fd_t *fd,
               const char *name, gf_dict_t *xdata)
{
    gfx_fremovexattr_req r = {.name = wstr(name), .xdata = xdata};

    return fd_submit(frame, self, GF_FOP_FREMOVEXATTR, fd, &r, &r.fd, r.gfid);
}

static int
c_fxattrop(gf_frame_t *frame, gf_xlator_t *self, gf_fd_t *fd, int32_t optype,
           gf_dict_t *dict, gf_dict_t *xdata)
{
    gfx_fxattrop_req r = {
        .flags = (uint32_t)optype, .dict = dict, .xdata = xdata};

    return fd_submit(frame, self, GF_FOP_FXATTROP, fd, &r, &r.fd, r.gfid);
}

static int
c_lk(gf_frame_t *frame, gf_xlator_t *self, gf_fd_t *fd, int32_t cmd,
     gf_flock_t *flock, gf_dict_t *xdata)
{
    gfx_lk_req r = {.xdata = xdata};

    r.cmd = lk_cmd(cmd);
    flock_to_wire(flock, &r.flock);
    r.type = r.flock.type;
    return fd_submit(frame, self, GF_FOP_LK, fd, &r, &r.fd, r.gfid);
}

static int
c_finodelk(gf_frame_t *frame, gf_xlator_t *self, const char *volume,
           gf_fd_t *fd, int32_t cmd, gf_flock_t *flock, gf_dict_t *xdata)
{
    gfx_finodelk_req r = {.volume = wstr(volume), .xdata = xdata};

    r.cmd = lk_cmd(cmd);
    flock_to_wire(flock, &r.flock);
    r.type = r.flock.type;
    return fd_submit(frame, self, GF_FOP_FINODELK, fd, &r, &r.fd, r.gfid);
}

static int
c_fentrylk(gf_frame_t *frame, gf_xlator_t *self, const char *volume,
           gf_fd_t *fd, const char *basename, int32_t cmd, int32_t type,
           gf_dict_t *xdata)
{
    gfx_fentrylk_req r = {.cmd = (uint32_t)cmd,
                          .type = (uint32_t)type,
                          .name = wstr(basename),
                          .volume = wstr(volume),
                          .xdata = xdata};

    r.namelen = basename ? strlen(basename) : 0;
    return fd_submit(frame, self, GF_FOP_FENTRYLK, fd, &r, &r.fd, r.gfid);
}

const gf_xlator_fops_t client__fops = {
    .lookup = c_lookup,
    .stat = c_stat,
    .fstat = c_fstat,
    .statfs = c_statfs,
    .create = c_create,
    .open = c_open,
    .opendir = c_opendir,
    .readdir = c_readdir,
    .readdirp = c_readdirp,
    .readv = c_readv,
    .writev = c_writev,
    .flush = c_flush,
    .fsync = c_fsync,
    .release = c_release,
    .releasedir = c_releasedir,
    .mkdir = c_mkdir,
    .unlink = c_unlink,
    .rmdir = c_rmdir,
    .rename = c_rename,
    .truncate = c_truncate,
    .ftruncate = c_ftruncate,
    .setattr = c_setattr,
    .fsetattr = c_fsetattr,
    .getxattr = c_getxattr,
    .fgetxattr = c_fgetxattr,
    .setxattr = c_setxattr,
    .fsetxattr = c_fsetxattr,
    .removexattr = c_removexattr,
    .fremovexattr = c_fremovexattr,
    .access = c_access,
    .symlink = c_symlink,
    .readlink = c_readlink,
    .link = c_link,
    .mknod = c_mknod,
    .lk = c_lk,
    .inodelk = c_inodelk,
    .finodelk = c_finodelk,
    .entrylk = c_entrylk,
    .fentrylk = c_fentrylk,
    .xattrop = c_xattrop,
    .fxattrop = c_fxattrop,
};
