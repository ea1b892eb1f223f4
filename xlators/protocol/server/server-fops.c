/* SPDX-License-Identifier: LGPL-3.0-or-later */
/*
 * server-fops.c - FOP actors, part one: lookup, attributes, open files
 * and their data (LOOKUP, STAT, FSTAT, STATFS, ACCESS, OPEN, CREATE,
 * FLUSH, FSYNC, WRITE, READ, RELEASE, RELEASEDIR). Each actor decodes
 * its request into a server_state_t, resolves it, winds the fop into the
 * bound subvolume with the client's identity and encodes the reply in
 * the callback. The program table is in server-fops-2.c.
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "server-fops.h"

/* The root is always reported as gfid ...01, ia_ino 1 (clients rely on
 * it, and a child that does not know it is the root cannot say so). */
void
server__fix_root(const gf_loc_t *loc, gf_iatt_t *buf)
{
    if (buf && loc && !loc->parent && gf_gfid_is_root(&loc->gfid)) {
        buf->gfid = gf_gfid_root();
        buf->ino = 1;
    }
}

/* Start an fd-based fop: look REMOTE_FD up in the client's table. */
void
server__fd_start(server_state_t *st, int64_t remote_fd, server_resume_fn_t fn)
{
    st->remote_fd = remote_fd;
    st->fd = gf_fdtable_get(st->client->fdtab, remote_fd);
    if (!st->fd) {
        server__state_fail(st, EBADF);
        return;
    }
    fn(st);
}

/* ---- LOOKUP ------------------------------------------------------------ */

static int
lookup_cbk(gf_frame_t *frame, void *cookie, gf_xlator_t *self, int32_t op_ret,
           int32_t op_errno, gf_inode_t *inode, gf_iatt_t *buf,
           gf_dict_t *xdata, gf_iatt_t *postparent)
{
    server_state_t *st = gf_frame_local(frame);
    gfx_common_2iatt_rsp rsp;
    gf_iatt_t ia;

    (void)cookie, (void)self, (void)inode;
    memset(&rsp, 0, sizeof(rsp));
    if (op_ret >= 0 && buf) {
        ia = *buf;
        server__fix_root(&st->loc, &ia);
        if (!st->named && !gf_gfid_equal(&ia.gfid, &st->gfid)) {
            /* Asked by gfid, answered for another object. */
            op_ret = -1;
            op_errno = ESTALE;
        } else if (!gf_gfid_is_root(&ia.gfid) || st->named) {
            gf_inode_t *l = gf_inode_link(
                st->loc.inode, st->loc.parent, st->named ? st->bname : NULL,
                &ia.gfid, gf_inode_type_from_mode(ia.mode));

            if (!l) {
                op_ret = -1;
                op_errno = ESTALE;
            } else {
                gf_inode_lookup(l);
                gf_inode_unref(l);
            }
        }
        if (op_ret >= 0)
            server__iatt(&ia, &rsp.prestat);
    }
    /* The name is gone on disk: forget the dentry the table still has. */
    if (op_ret < 0 && op_errno == ENOENT && st->named &&
        gf_inode_type(st->loc.inode) != GF_INODE_INVAL)
        gf_inode_unlink(st->loc.inode, st->loc.parent, st->bname);
    rsp.op_ret = op_ret;
    rsp.op_errno = op_ret < 0 ? op_errno : 0;
    server__iatt(postparent, &rsp.poststat);
    rsp.xdata = xdata;
    server__reply(st, (xdrproc_t)xdr_gfx_common_2iatt_rsp, &rsp);
    return 0;
}

static void
lookup_resume(server_state_t *st)
{
    if (!st->loc.inode) {
        st->loc.inode = gf_inode_new(st->client->itable);
        if (!st->loc.inode) {
            server__state_fail(st, ENOMEM);
            return;
        }
    }
    gf_wind_lookup(st->frame, st->bound, lookup_cbk, NULL, &st->loc, st->xdata);
}

static int
lookup_actor(gf_rpcsvc_req_t *req, void *data)
{
    gfx_lookup_req a;
    server_state_t *st;

    memset(&a, 0, sizeof(a));
    if (server__decode(req, (xdrproc_t)xdr_gfx_lookup_req, &a, sizeof(a),
                       NULL) < 0)
        return -EBADMSG;
    st = server__state_new(req, data);
    if (st) {
        memcpy(st->gfid.b, a.gfid, 16);
        memcpy(st->pargfid.b, a.pargfid, 16);
        st->xdata = server__take_dict(&a.xdata);
        /* (parent, ".") is the parent itself; gfapi sends (root, ".")
         * for every resolution of "/". (root, "..") is the root too. */
        if (a.bname && *a.bname && !gf_gfid_is_null(&st->pargfid)) {
            if (strcmp(a.bname, ".") == 0 ||
                (strcmp(a.bname, "..") == 0 && gf_gfid_is_root(&st->pargfid))) {
                st->gfid = st->pargfid;
            } else {
                st->named = true;
                st->bname = a.bname;
                a.bname = NULL;
            }
        }
        if (st->named) {
            st->resume = lookup_resume;
            server__resolve(st);
        } else {
            /* Nameless: the lookup itself resolves the gfid. */
            st->loc.inode = gf_inode_find(st->client->itable, &st->gfid);
            st->loc.gfid = st->gfid;
            if (gf_gfid_is_null(&st->gfid))
                server__state_fail(st, EINVAL);
            else
                lookup_resume(st);
        }
    }
    xdr_free((xdrproc_t)xdr_gfx_lookup_req, (char *)&a);
    return 0;
}

/* ---- STAT, FSTAT ------------------------------------------------------- */

static int
stat_cbk(gf_frame_t *frame, void *cookie, gf_xlator_t *self, int32_t op_ret,
         int32_t op_errno, gf_iatt_t *buf, gf_dict_t *xdata)
{
    server_state_t *st = gf_frame_local(frame);
    gfx_common_iatt_rsp rsp;
    gf_iatt_t ia;

    (void)cookie, (void)self;
    memset(&rsp, 0, sizeof(rsp));
    rsp.op_ret = op_ret;
    rsp.op_errno = op_ret < 0 ? op_errno : 0;
    if (op_ret >= 0 && buf) {
        ia = *buf;
        server__fix_root(&st->loc, &ia);
        server__iatt(&ia, &rsp.stat);
    } else {
        server__iatt(NULL, &rsp.stat);
    }
    rsp.xdata = xdata;
    server__reply(st, (xdrproc_t)xdr_gfx_common_iatt_rsp, &rsp);
    return 0;
}

static void
stat_resume(server_state_t *st)
{
    gf_wind_stat(st->frame, st->bound, stat_cbk, NULL, &st->loc, st->xdata);
}

static int
stat_actor(gf_rpcsvc_req_t *req, void *data)
{
    gfx_stat_req a;
    server_state_t *st;

    memset(&a, 0, sizeof(a));
    if (server__decode(req, (xdrproc_t)xdr_gfx_stat_req, &a, sizeof(a), NULL) <
        0)
        return -EBADMSG;
    st = server__state_new(req, data);
    if (st) {
        memcpy(st->gfid.b, a.gfid, 16);
        st->xdata = server__take_dict(&a.xdata);
        st->resume = stat_resume;
        server__resolve(st);
    }
    xdr_free((xdrproc_t)xdr_gfx_stat_req, (char *)&a);
    return 0;
}

static int
fstat_cbk(gf_frame_t *frame, void *cookie, gf_xlator_t *self, int32_t op_ret,
          int32_t op_errno, gf_iatt_t *buf, gf_dict_t *xdata)
{
    return stat_cbk(frame, cookie, self, op_ret, op_errno, buf, xdata);
}

static void
fstat_resume(server_state_t *st)
{
    gf_wind_fstat(st->frame, st->bound, fstat_cbk, NULL, st->fd, st->xdata);
}

static int
fstat_actor(gf_rpcsvc_req_t *req, void *data)
{
    gfx_fstat_req a;
    server_state_t *st;

    memset(&a, 0, sizeof(a));
    if (server__decode(req, (xdrproc_t)xdr_gfx_fstat_req, &a, sizeof(a), NULL) <
        0)
        return -EBADMSG;
    st = server__state_new(req, data);
    if (st) {
        memcpy(st->gfid.b, a.gfid, 16);
        st->xdata = server__take_dict(&a.xdata);
        server__fd_start(st, a.fd, fstat_resume);
    }
    xdr_free((xdrproc_t)xdr_gfx_fstat_req, (char *)&a);
    return 0;
}

/* ---- STATFS ------------------------------------------------------------ */

static int
statfs_cbk(gf_frame_t *frame, void *cookie, gf_xlator_t *self, int32_t op_ret,
           int32_t op_errno, struct statvfs *buf, gf_dict_t *xdata)
{
    server_state_t *st = gf_frame_local(frame);
    gfx_statfs_rsp rsp;

    (void)cookie, (void)self;
    memset(&rsp, 0, sizeof(rsp));
    rsp.op_ret = op_ret;
    rsp.op_errno = op_ret < 0 ? op_errno : 0;
    if (op_ret >= 0 && buf) {
        rsp.statfs.bsize = buf->f_bsize;
        rsp.statfs.frsize = buf->f_frsize;
        rsp.statfs.blocks = buf->f_blocks;
        rsp.statfs.bfree = buf->f_bfree;
        rsp.statfs.bavail = buf->f_bavail;
        rsp.statfs.files = buf->f_files;
        rsp.statfs.ffree = buf->f_ffree;
        rsp.statfs.favail = buf->f_favail;
        rsp.statfs.fsid = buf->f_fsid;
        rsp.statfs.flag = buf->f_flag;
        rsp.statfs.namemax = buf->f_namemax;
    }
    rsp.xdata = xdata;
    server__reply(st, (xdrproc_t)xdr_gfx_statfs_rsp, &rsp);
    return 0;
}

static void
statfs_resume(server_state_t *st)
{
    gf_wind_statfs(st->frame, st->bound, statfs_cbk, NULL, &st->loc, st->xdata);
}

static int
statfs_actor(gf_rpcsvc_req_t *req, void *data)
{
    gfx_statfs_req a;
    server_state_t *st;

    memset(&a, 0, sizeof(a));
    if (server__decode(req, (xdrproc_t)xdr_gfx_statfs_req, &a, sizeof(a),
                       NULL) < 0)
        return -EBADMSG;
    st = server__state_new(req, data);
    if (st) {
        memcpy(st->gfid.b, a.gfid, 16);
        st->xdata = server__take_dict(&a.xdata);
        st->resume = statfs_resume;
        server__resolve(st);
    }
    xdr_free((xdrproc_t)xdr_gfx_statfs_req, (char *)&a);
    return 0;
}

/* ---- ACCESS, FLUSH (replies without attributes) ------------------------ */

int
server__common_cbk(gf_frame_t *frame, void *cookie, gf_xlator_t *self,
                   int32_t op_ret, int32_t op_errno, gf_dict_t *xdata)
{
    server_state_t *st = gf_frame_local(frame);
    gfx_common_rsp rsp;

    (void)cookie, (void)self;
    memset(&rsp, 0, sizeof(rsp));
    rsp.op_ret = op_ret;
    rsp.op_errno = op_ret < 0 ? op_errno : 0;
    rsp.xdata = xdata;
    server__reply(st, (xdrproc_t)xdr_gfx_common_rsp, &rsp);
    return 0;
}

static void
access_resume(server_state_t *st)
{
    gf_wind_access(st->frame, st->bound, server__common_cbk, NULL, &st->loc,
                   (int32_t)st->mask, st->xdata);
}

static int
access_actor(gf_rpcsvc_req_t *req, void *data)
{
    gfx_access_req a;
    server_state_t *st;

    memset(&a, 0, sizeof(a));
    if (server__decode(req, (xdrproc_t)xdr_gfx_access_req, &a, sizeof(a),
                       NULL) < 0)
        return -EBADMSG;
    st = server__state_new(req, data);
    if (st) {
        memcpy(st->gfid.b, a.gfid, 16);
        st->mask = a.mask;
        st->xdata = server__take_dict(&a.xdata);
        st->resume = access_resume;
        server__resolve(st);
    }
    xdr_free((xdrproc_t)xdr_gfx_access_req, (char *)&a);
    return 0;
}

static void
flush_resume(server_state_t *st)
{
    gf_wind_flush(st->frame, st->bound, server__common_cbk, NULL, st->fd,
                  st->xdata);
}

static int
flush_actor(gf_rpcsvc_req_t *req, void *data)
{
    gfx_flush_req a;
    server_state_t *st;

    memset(&a, 0, sizeof(a));
    if (server__decode(req, (xdrproc_t)xdr_gfx_flush_req, &a, sizeof(a), NULL) <
        0)
        return -EBADMSG;
    st = server__state_new(req, data);
    if (st) {
        st->xdata = server__take_dict(&a.xdata);
        server__fd_start(st, a.fd, flush_resume);
    }
    xdr_free((xdrproc_t)xdr_gfx_flush_req, (char *)&a);
    return 0;
}

/* ---- OPEN, CREATE ------------------------------------------------------ */

static int
open_cbk(gf_frame_t *frame, void *cookie, gf_xlator_t *self, int32_t op_ret,
         int32_t op_errno, gf_fd_t *fd, gf_dict_t *xdata)
{
    server_state_t *st = gf_frame_local(frame);
    gfx_open_rsp rsp;
    int n;

    (void)cookie, (void)self, (void)fd;
    memset(&rsp, 0, sizeof(rsp));
    if (op_ret >= 0) {
        n = gf_fdtable_put(st->client->fdtab, st->fd);
        if (n < 0) {
            op_ret = -1;
            op_errno = -n;
            /* The child opened it: let it release. */
            server__release_fd(st->client, st->fd);
        } else {
            rsp.fd = n;
        }
    }
    rsp.op_ret = op_ret;
    rsp.op_errno = op_ret < 0 ? op_errno : 0;
    rsp.xdata = xdata;
    server__reply(st, (xdrproc_t)xdr_gfx_open_rsp, &rsp);
    return 0;
}

static void
open_resume(server_state_t *st)
{
    int32_t pid = gf_stack_pid(gf_frame_stack(st->frame));

    st->fd = gf_fd_new(st->loc.inode, st->flags, pid);
    if (!st->fd) {
        server__state_fail(st, ENOMEM);
        return;
    }
    if (st->mode) /* OPENDIR */
        gf_wind_opendir(st->frame, st->bound, open_cbk, NULL, &st->loc, st->fd,
                        st->xdata);
    else
        gf_wind_open(st->frame, st->bound, open_cbk, NULL, &st->loc, st->flags,
                     st->fd, st->xdata);
}

static int
open_actor(gf_rpcsvc_req_t *req, void *data)
{
    gfx_open_req a;
    server_state_t *st;

    memset(&a, 0, sizeof(a));
    if (server__decode(req, (xdrproc_t)xdr_gfx_open_req, &a, sizeof(a), NULL) <
        0)
        return -EBADMSG;
    st = server__state_new(req, data);
    if (st) {
        memcpy(st->gfid.b, a.gfid, 16);
        st->flags = (int32_t)a.flags;
        st->xdata = server__take_dict(&a.xdata);
        st->resume = open_resume;
        server__resolve(st);
    }
    xdr_free((xdrproc_t)xdr_gfx_open_req, (char *)&a);
    return 0;
}

static int
opendir_actor(gf_rpcsvc_req_t *req, void *data)
{
    gfx_opendir_req a;
    server_state_t *st;

    memset(&a, 0, sizeof(a));
    if (server__decode(req, (xdrproc_t)xdr_gfx_opendir_req, &a, sizeof(a),
                       NULL) < 0)
        return -EBADMSG;
    st = server__state_new(req, data);
    if (st) {
        memcpy(st->gfid.b, a.gfid, 16);
        st->mode = 1; /* marks OPENDIR for open_resume */
        st->xdata = server__take_dict(&a.xdata);
        st->resume = open_resume;
        server__resolve(st);
    }
    xdr_free((xdrproc_t)xdr_gfx_opendir_req, (char *)&a);
    return 0;
}

static int
create_cbk(gf_frame_t *frame, void *cookie, gf_xlator_t *self, int32_t op_ret,
           int32_t op_errno, gf_fd_t *fd, gf_inode_t *inode, gf_iatt_t *buf,
           gf_iatt_t *preparent, gf_iatt_t *postparent, gf_dict_t *xdata)
{
    server_state_t *st = gf_frame_local(frame);
    gfx_create_rsp rsp;
    gf_inode_t *l = NULL;
    int n = -EIO;

    (void)cookie, (void)self, (void)fd, (void)inode;
    memset(&rsp, 0, sizeof(rsp));
    if (op_ret >= 0 && buf) {
        l = gf_inode_link(st->loc.inode, st->loc.parent, st->bname, &buf->gfid,
                          gf_inode_type_from_mode(buf->mode));
        if (l) {
            gf_inode_lookup(l);
            n = gf_fdtable_put(st->client->fdtab, st->fd);
        }
        if (!l || n < 0) {
            server__release_fd(st->client, st->fd);
            op_ret = -1;
            op_errno = l ? -n : ESTALE;
        }
        gf_inode_unref(l);
    }
    rsp.op_ret = op_ret;
    rsp.op_errno = op_ret < 0 ? op_errno : 0;
    if (op_ret >= 0) {
        rsp.fd = (uint64_t)n;
        server__iatt(buf, &rsp.stat);
    } else {
        server__iatt(NULL, &rsp.stat);
    }
    server__iatt(preparent, &rsp.preparent);
    server__iatt(postparent, &rsp.postparent);
    rsp.xdata = xdata;
    server__reply(st, (xdrproc_t)xdr_gfx_create_rsp, &rsp);
    return 0;
}

static void
create_resume(server_state_t *st)
{
    /* A new object: a fresh inode, whatever the table had under the name
     * (the child decides whether the name exists). */
    gf_inode_unref(st->loc.inode);
    st->loc.inode = gf_inode_new(st->client->itable);
    memset(&st->loc.gfid, 0, sizeof(st->loc.gfid));
    if (st->loc.inode)
        st->fd = gf_fd_new(st->loc.inode, st->flags,
                           gf_stack_pid(gf_frame_stack(st->frame)));
    if (!st->fd) {
        server__state_fail(st, ENOMEM);
        return;
    }
    gf_wind_create(st->frame, st->bound, create_cbk, NULL, &st->loc, st->flags,
                   st->mode, st->umask, st->fd, st->xdata);
}

static int
create_actor(gf_rpcsvc_req_t *req, void *data)
{
    gfx_create_req a;
    server_state_t *st;

    memset(&a, 0, sizeof(a));
    if (server__decode(req, (xdrproc_t)xdr_gfx_create_req, &a, sizeof(a),
                       NULL) < 0)
        return -EBADMSG;
    st = server__state_new(req, data);
    if (st) {
        memcpy(st->pargfid.b, a.pargfid, 16);
        st->flags = (int32_t)a.flags;
        st->mode = a.mode;
        st->umask = a.umask;
        st->xdata = server__take_dict(&a.xdata);
        st->named = true;
        st->bname = server__take_str(&a.bname);
        st->resume = create_resume;
        if (!server__name_ok(st->bname))
            server__state_fail(st, EINVAL);
        else
            server__resolve(st);
    }
    xdr_free((xdrproc_t)xdr_gfx_create_req, (char *)&a);
    return 0;
}

/* ---- FSYNC ------------------------------------------------------------- */

int
server__2iatt_cbk(gf_frame_t *frame, void *cookie, gf_xlator_t *self,
                  int32_t op_ret, int32_t op_errno, gf_iatt_t *pre,
                  gf_iatt_t *post, gf_dict_t *xdata)
{
    server_state_t *st = gf_frame_local(frame);
    gfx_common_2iatt_rsp rsp;

    (void)cookie, (void)self;
    memset(&rsp, 0, sizeof(rsp));
    rsp.op_ret = op_ret;
    rsp.op_errno = op_ret < 0 ? op_errno : 0;
    server__iatt(op_ret >= 0 ? pre : NULL, &rsp.prestat);
    server__iatt(op_ret >= 0 ? post : NULL, &rsp.poststat);
    rsp.xdata = xdata;
    server__reply(st, (xdrproc_t)xdr_gfx_common_2iatt_rsp, &rsp);
    return 0;
}

static void
fsync_resume(server_state_t *st)
{
    gf_wind_fsync(st->frame, st->bound, server__2iatt_cbk, NULL, st->fd,
                  st->flags, st->xdata);
}

static int
fsync_actor(gf_rpcsvc_req_t *req, void *data)
{
    gfx_fsync_req a;
    server_state_t *st;

    memset(&a, 0, sizeof(a));
    if (server__decode(req, (xdrproc_t)xdr_gfx_fsync_req, &a, sizeof(a), NULL) <
        0)
        return -EBADMSG;
    st = server__state_new(req, data);
    if (st) {
        st->flags = a.data != 0;
        st->xdata = server__take_dict(&a.xdata);
        server__fd_start(st, a.fd, fsync_resume);
    }
    xdr_free((xdrproc_t)xdr_gfx_fsync_req, (char *)&a);
    return 0;
}

/* ---- WRITE, READ ------------------------------------------------------- */

static void
write_resume(server_state_t *st)
{
    gf_wind_writev(st->frame, st->bound, server__2iatt_cbk, NULL, st->fd,
                   &st->vec, 1, (off_t)st->offset, (uint32_t)st->flags,
                   st->iobref, st->xdata);
}

static int
write_actor(gf_rpcsvc_req_t *req, void *data)
{
    const void *base = NULL;
    size_t len = 0, hdr = 0;
    gfx_write_req a;
    server_state_t *st;

    gf_rpcsvc_req_args(req, &base, &len);
    memset(&a, 0, sizeof(a));
    if (gf_xdr_write_split(base, len, &hdr) < 0 ||
        gf_xdr_decode((xdrproc_t)xdr_gfx_write_req, base, hdr, &a, sizeof(a),
                      NULL) < 0)
        return -EBADMSG;
    st = server__state_new(req, data);
    if (st) {
        /* The payload stays where the transport put it: the iovec points
         * into the record's iobuf, which the iobref keeps alive until
         * the state goes with the reply. */
        st->iobref = gf_iobref_new();
        if (!st->iobref ||
            gf_iobref_add(st->iobref, gf_rpcsvc_req_iobuf(req)) < 0) {
            server__state_fail(st, ENOMEM);
        } else {
            st->vec.iov_base = (char *)base + hdr;
            st->vec.iov_len = len - hdr;
            st->offset = a.offset;
            st->flags = (int32_t)a.flag;
            st->xdata = server__take_dict(&a.xdata);
            server__fd_start(st, a.fd, write_resume);
        }
    }
    xdr_free((xdrproc_t)xdr_gfx_write_req, (char *)&a);
    return 0;
}

static int
read_cbk(gf_frame_t *frame, void *cookie, gf_xlator_t *self, int32_t op_ret,
         int32_t op_errno, struct iovec *vector, int32_t count,
         gf_iatt_t *stbuf, gf_iobref_t *iobref, gf_dict_t *xdata)
{
    server_state_t *st = gf_frame_local(frame);
    struct iovec iov[GF_READ_MAX_IOV + 1];
    size_t hlen = gf_xdr_read_rsp_size(xdata), used = 0, total = 0;
    gf_iobuf_t *iob = gf_iobuf_get(st->priv->iop, hlen);
    gf_iobref_t *ref = iob ? gf_iobref_new() : NULL;
    gf_rpcsvc_req_t *req = st->req;
    int n = 0;

    (void)cookie, (void)self;
    if (op_ret < 0 || !vector || count < 0 || count > GF_READ_MAX_IOV)
        count = 0;
    for (int i = 0; i < count; i++) {
        iov[1 + n++] = vector[i];
        total += vector[i].iov_len;
    }
    if (!ref || gf_iobref_add(ref, iob) < 0 ||
        (iobref && gf_iobref_merge(ref, iobref) < 0) ||
        gf_xdr_read_rsp_encode(op_ret < 0 ? -1 : (int32_t)total,
                               op_ret < 0 ? op_errno : 0,
                               op_ret < 0 ? NULL : stbuf, (uint32_t)total,
                               xdata, gf_iobuf_ptr(iob), hlen, &used) < 0) {
        gf_iobref_unref(ref);
        gf_iobuf_unref(iob);
        server__state_fail(st, ENOMEM);
        return 0;
    }
    iov[0].iov_base = gf_iobuf_ptr(iob);
    iov[0].iov_len = used;
    st->req = NULL;
    gf_rpcsvc_reply(req, iov, 1 + n, ref);
    gf_iobref_unref(ref);
    gf_iobuf_unref(iob);
    gf_stack_destroy(gf_frame_stack(frame));
    return 0;
}

static void
read_resume(server_state_t *st)
{
    gf_wind_readv(st->frame, st->bound, read_cbk, NULL, st->fd, st->size,
                  (off_t)st->offset, (uint32_t)st->flags, st->xdata);
}

static int
read_actor(gf_rpcsvc_req_t *req, void *data)
{
    gfx_read_req a;
    server_state_t *st;

    memset(&a, 0, sizeof(a));
    if (server__decode(req, (xdrproc_t)xdr_gfx_read_req, &a, sizeof(a), NULL) <
        0)
        return -EBADMSG;
    st = server__state_new(req, data);
    if (st) {
        st->size = a.size;
        st->offset = a.offset;
        st->flags = (int32_t)a.flag;
        st->xdata = server__take_dict(&a.xdata);
        server__fd_start(st, a.fd, read_resume);
    }
    xdr_free((xdrproc_t)xdr_gfx_read_req, (char *)&a);
    return 0;
}

/* ---- RELEASE, RELEASEDIR ----------------------------------------------- */

static int
release_actor(gf_rpcsvc_req_t *req, void *data)
{
    gfx_release_req a; /* gfx_releasedir_req has the same layout */
    gfx_common_rsp rsp;
    server_state_t *st;
    gf_fd_t *fd;

    memset(&a, 0, sizeof(a));
    if (server__decode(req, (xdrproc_t)xdr_gfx_release_req, &a, sizeof(a),
                       NULL) < 0)
        return -EBADMSG;
    st = server__state_new(req, data);
    if (st) {
        memset(&rsp, 0, sizeof(rsp));
        fd = gf_fdtable_del(st->client->fdtab, a.fd);
        if (!fd) {
            rsp.op_ret = -1;
            rsp.op_errno = EBADF;
        } else {
            server__release_fd(st->client, fd);
            gf_fd_unref(fd);
        }
        server__reply(st, (xdrproc_t)xdr_gfx_common_rsp, &rsp);
    }
    xdr_free((xdrproc_t)xdr_gfx_release_req, (char *)&a);
    return 0;
}

const gf_rpcsvc_actor_t server__fop_actors1[] = {
    {"LOOKUP", GF_XDR_FOP_LOOKUP, lookup_actor},
    {"STAT", GF_XDR_FOP_STAT, stat_actor},
    {"FSTAT", GF_XDR_FOP_FSTAT, fstat_actor},
    {"STATFS", GF_XDR_FOP_STATFS, statfs_actor},
    {"ACCESS", GF_XDR_FOP_ACCESS, access_actor},
    {"FLUSH", GF_XDR_FOP_FLUSH, flush_actor},
    {"OPEN", GF_XDR_FOP_OPEN, open_actor},
    {"OPENDIR", GF_XDR_FOP_OPENDIR, opendir_actor},
    {"CREATE", GF_XDR_FOP_CREATE, create_actor},
    {"FSYNC", GF_XDR_FOP_FSYNC, fsync_actor},
    {"WRITE", GF_XDR_FOP_WRITE, write_actor},
    {"READ", GF_XDR_FOP_READ, read_actor},
    {"RELEASE", GF_XDR_FOP_RELEASE, release_actor},
    {"RELEASEDIR", GF_XDR_FOP_RELEASEDIR, release_actor},
};
const unsigned server__fop_nactors1 = GF_ARRAY_SIZE(server__fop_actors1);
