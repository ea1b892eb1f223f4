/* SPDX-License-Identifier: LGPL-3.0-or-later */
/*
 * client-fops.c - the one path every fop takes to the brick and back.
 *
 * A fop (client-requests.c) only fills its gfx_*_req and calls
 * client__submit; the table below says, per fop, the wire procedure, the
 * request and reply XDR routines and the function turning the decoded
 * reply into the fop's unwind arguments. The frame itself is the call's
 * callback data (its fop names the table row), so a request allocates
 * nothing but its encoded header. Any failure below the fop - not
 * connected, connection lost, no reply in frame-timeout - answers
 * ENOTCONN, as GlusterFS's client does; a reply's op_errno passes
 * through unchanged (both ends use Linux errno numbers).
 *
 * READ replies are not copied: the payload stays in the iobuf the
 * transport read the record into, and the unwound iovec points there
 * (the iobref holds it). WRITE payloads are sent from the caller's
 * iovecs, kept alive by the caller's iobref.
 */
#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>

#include "client-int.h"

/* Every reply type one decode may produce. */
typedef union client_rsp {
    gfx_common_rsp c;
    gfx_common_iatt_rsp i;
    gfx_common_2iatt_rsp i2;
    gfx_common_3iatt_rsp i3;
    gfx_common_dict_rsp d;
    gfx_open_rsp o;
    gfx_statfs_rsp sf;
    gfx_create_rsp cr;
    gfx_readdir_rsp rd;
    gfx_readdirp_rsp rdp;
    gfx_read_rsp r;
    gfx_rename_rsp rn;
    gfx_readlink_rsp rl;
    gfx_lk_rsp lk;
} client_rsp_t;

/* A decoded reply and the record it came in (for READ's payload). */
typedef struct reply {
    gf_frame_t *frame;
    client_priv_t *priv;
    client_rsp_t *u;
    char *base;
    size_t len;
    gf_iobuf_t *iob;
} reply_t;

typedef void (*reply_fn_t)(reply_t *r);

typedef struct fop_desc {
    uint32_t proc;
    xdrproc_t req;
    xdrproc_t rsp;
    reply_fn_t reply;
} fop_desc_t;

/* ---- failure ------------------------------------------------------------- */

#define FAIL_CASE(name, NAME)                                                  \
    case GF_FOP_##NAME:                                                        \
        gf_unwind_##name(frame, -1, err GF_FOP_CBKS_##name(GF_FOP_ZERO));      \
        break;

int
client__fail(gf_frame_t *frame, gf_fop_t fop, int err)
{
    switch (fop) {
        GF_FOP_LIST(FAIL_CASE)
    default:
        GF_ASSERT(!"protocol/client: unknown fop");
    }
    return 0;
}
#undef FAIL_CASE

/* ---- fds ------------------------------------------------------------------
 */

/* The context value of a remote fd: generation above, fd number below. */
static uint64_t
fd_value(uint32_t gen, int64_t remote)
{
    return ((uint64_t)gen << 32) | (uint32_t)remote;
}

/* Check context value V of FD against the live connection. */
static int
fd_check(client_priv_t *priv, uint64_t v, gf_fd_t *fd, int64_t *remote,
         char gfid[16])
{
    uint32_t gen = client__gen(priv);
    gf_gfid_t g;

    if (!v)
        return -EBADFD;
    if (!gen)
        return -ENOTCONN;
    if ((uint32_t)(v >> 32) != gen)
        return -EBADFD; /* opened on a connection that is gone */
    *remote = (int64_t)(uint32_t)v;
    memset(gfid, 0, 16);
    if (gf_inode_gfid(gf_fd_inode(fd), &g) == 0)
        memcpy(gfid, g.b, 16);
    return 0;
}

int
client__fd(client_priv_t *priv, gf_fd_t *fd, int64_t *remote, char gfid[16])
{
    uint64_t v = 0;

    if (!fd || gf_fd_ctx_get(fd, priv->slot, &v) < 0)
        return -EBADFD;
    return fd_check(priv, v, fd, remote, gfid);
}

/* Remember the brick's fd number REMOTE for FD; -EPROTO if it cannot be
 * kept (out of the 32 bits a context value leaves it). */
static int
fd_bind(client_priv_t *priv, gf_fd_t *fd, int64_t remote)
{
    uint32_t gen = client__gen(priv);
    uint64_t old = 0;

    if (!fd || remote < 0 || remote > (int64_t)UINT32_MAX || !gen)
        return -EPROTO;
    if (gf_fd_ctx_get(fd, priv->slot, &old) < 0 || !old)
        atomic_fetch_add(&priv->open_fds, 1); /* else: opened again */
    if (gf_fd_ctx_set(fd, priv->slot, fd_value(gen, remote)) < 0)
        return -ENOMEM;
    return 0;
}

static void
release_cbk(int status, void *base, size_t len, gf_iobuf_t *iob, void *data)
{
    (void)status, (void)base, (void)len, (void)iob, (void)data;
}

/* Send RELEASE/RELEASEDIR for the remote fd of FD, if it is live. */
static void
release_fd(gf_xlator_t *self, gf_fd_t *fd, uint32_t proc)
{
    client_priv_t *priv = gf_xlator_private(self);
    gf_rpc_auth_t auth = {.flavor = GF_RPC_CLNT_AUTH_GLUSTERFS_V3,
                          .id = &client__root};
    gfx_release_req req;
    uint64_t v = 0;

    if (!priv || gf_fd_ctx_del(fd, priv->slot, &v) < 0 || !v)
        return;
    atomic_fetch_sub(&priv->open_fds, 1);
    memset(&req, 0, sizeof(req));
    if (fd_check(priv, v, fd, &req.fd, req.gfid) < 0)
        return; /* that connection is gone, and the fd with it */
    /* gfx_releasedir_req has the same layout. */
    client__call(priv, GF_XDR_FOP_PROG, GF_XDR_FOP_VERS, proc, &auth,
                 (xdrproc_t)xdr_gfx_release_req, &req, NULL, 0, NULL,
                 release_cbk, NULL);
}

void
client__release(gf_xlator_t *self, gf_fd_t *fd)
{
    release_fd(self, fd, GF_XDR_FOP_RELEASE);
}

void
client__releasedir(gf_xlator_t *self, gf_fd_t *fd)
{
    release_fd(self, fd, GF_XDR_FOP_RELEASEDIR);
}

/* ---- replies ---------------------------------------------------------------
 */

static void
iatt(const gfx_iattx *w, gf_iatt_t *ia)
{
    gf_xdr_iatt_from_wire(w, ia);
}

/* The loc or fd the fop was given (frame local, borrowed). */
static gf_inode_t *
local_inode(gf_frame_t *frame)
{
    gf_loc_t *loc = gf_frame_local(frame);

    return loc ? loc->inode : NULL;
}

static void
r_common(reply_t *r)
{
    gfx_common_rsp *p = &r->u->c;
    gf_frame_t *f = r->frame;

    switch (gf_frame_fop(f)) {
    case GF_FOP_FLUSH:
        gf_unwind_flush(f, p->op_ret, p->op_errno, p->xdata);
        break;
    case GF_FOP_RELEASE:
        gf_unwind_release(f, p->op_ret, p->op_errno, p->xdata);
        break;
    case GF_FOP_RELEASEDIR:
        gf_unwind_releasedir(f, p->op_ret, p->op_errno, p->xdata);
        break;
    case GF_FOP_SETXATTR:
        gf_unwind_setxattr(f, p->op_ret, p->op_errno, p->xdata);
        break;
    case GF_FOP_FSETXATTR:
        gf_unwind_fsetxattr(f, p->op_ret, p->op_errno, p->xdata);
        break;
    case GF_FOP_REMOVEXATTR:
        gf_unwind_removexattr(f, p->op_ret, p->op_errno, p->xdata);
        break;
    case GF_FOP_FREMOVEXATTR:
        gf_unwind_fremovexattr(f, p->op_ret, p->op_errno, p->xdata);
        break;
    case GF_FOP_ACCESS:
        gf_unwind_access(f, p->op_ret, p->op_errno, p->xdata);
        break;
    case GF_FOP_INODELK:
        gf_unwind_inodelk(f, p->op_ret, p->op_errno, p->xdata);
        break;
    case GF_FOP_FINODELK:
        gf_unwind_finodelk(f, p->op_ret, p->op_errno, p->xdata);
        break;
    case GF_FOP_ENTRYLK:
        gf_unwind_entrylk(f, p->op_ret, p->op_errno, p->xdata);
        break;
    default: /* FENTRYLK */
        gf_unwind_fentrylk(f, p->op_ret, p->op_errno, p->xdata);
        break;
    }
}

static void
r_iatt(reply_t *r)
{
    gfx_common_iatt_rsp *p = &r->u->i;
    gf_iatt_t a;

    iatt(&p->stat, &a);
    if (gf_frame_fop(r->frame) == GF_FOP_STAT)
        gf_unwind_stat(r->frame, p->op_ret, p->op_errno, &a, p->xdata);
    else
        gf_unwind_fstat(r->frame, p->op_ret, p->op_errno, &a, p->xdata);
}

/* Every 2-iatt reply: LOOKUP (entry, postparent) and the pre/post ones. */
static void
r_2iatt(reply_t *r)
{
    gfx_common_2iatt_rsp *p = &r->u->i2;
    gf_frame_t *f = r->frame;
    int32_t ret = p->op_ret, err = p->op_errno;
    gf_iatt_t a, b;

    iatt(&p->prestat, &a);
    iatt(&p->poststat, &b);
    switch (gf_frame_fop(f)) {
    case GF_FOP_LOOKUP:
        gf_unwind_lookup(f, ret, err, local_inode(f), &a, p->xdata, &b);
        break;
    case GF_FOP_WRITE:
        gf_unwind_writev(f, ret, err, &a, &b, p->xdata);
        break;
    case GF_FOP_FSYNC:
        gf_unwind_fsync(f, ret, err, &a, &b, p->xdata);
        break;
    case GF_FOP_UNLINK:
        gf_unwind_unlink(f, ret, err, &a, &b, p->xdata);
        break;
    case GF_FOP_RMDIR:
        gf_unwind_rmdir(f, ret, err, &a, &b, p->xdata);
        break;
    case GF_FOP_TRUNCATE:
        gf_unwind_truncate(f, ret, err, &a, &b, p->xdata);
        break;
    case GF_FOP_FTRUNCATE:
        gf_unwind_ftruncate(f, ret, err, &a, &b, p->xdata);
        break;
    case GF_FOP_SETATTR:
        gf_unwind_setattr(f, ret, err, &a, &b, p->xdata);
        break;
    default: /* FSETATTR */
        gf_unwind_fsetattr(f, ret, err, &a, &b, p->xdata);
        break;
    }
}

/* MKDIR, SYMLINK, MKNOD, LINK: the new object and its parent. */
static void
r_3iatt(reply_t *r)
{
    gfx_common_3iatt_rsp *p = &r->u->i3;
    gf_frame_t *f = r->frame;
    int32_t ret = p->op_ret, err = p->op_errno;
    gf_inode_t *in = local_inode(f);
    gf_iatt_t a, b, c;

    iatt(&p->stat, &a);
    iatt(&p->preparent, &b);
    iatt(&p->postparent, &c);
    switch (gf_frame_fop(f)) {
    case GF_FOP_MKDIR:
        gf_unwind_mkdir(f, ret, err, in, &a, &b, &c, p->xdata);
        break;
    case GF_FOP_SYMLINK:
        gf_unwind_symlink(f, ret, err, in, &a, &b, &c, p->xdata);
        break;
    case GF_FOP_MKNOD:
        gf_unwind_mknod(f, ret, err, in, &a, &b, &c, p->xdata);
        break;
    default: /* LINK */
        gf_unwind_link(f, ret, err, in, &a, &b, &c, p->xdata);
        break;
    }
}

static void
r_dict(reply_t *r)
{
    gfx_common_dict_rsp *p = &r->u->d;
    gf_frame_t *f = r->frame;

    switch (gf_frame_fop(f)) {
    case GF_FOP_GETXATTR:
        gf_unwind_getxattr(f, p->op_ret, p->op_errno, p->dict, p->xdata);
        break;
    case GF_FOP_FGETXATTR:
        gf_unwind_fgetxattr(f, p->op_ret, p->op_errno, p->dict, p->xdata);
        break;
    case GF_FOP_XATTROP:
        gf_unwind_xattrop(f, p->op_ret, p->op_errno, p->dict, p->xdata);
        break;
    default: /* FXATTROP */
        gf_unwind_fxattrop(f, p->op_ret, p->op_errno, p->dict, p->xdata);
        break;
    }
}

/* OPEN, OPENDIR: keep the brick's fd number in the fd. */
static void
r_open(reply_t *r)
{
    gfx_open_rsp *p = &r->u->o;
    gf_fd_t *fd = gf_frame_local(r->frame);
    int32_t ret = p->op_ret, err = p->op_errno;

    if (ret >= 0 && (err = -fd_bind(r->priv, fd, p->fd)) != 0)
        ret = -1;
    if (gf_frame_fop(r->frame) == GF_FOP_OPEN)
        gf_unwind_open(r->frame, ret, err, fd, p->xdata);
    else
        gf_unwind_opendir(r->frame, ret, err, fd, p->xdata);
}

static void
r_create(reply_t *r)
{
    gfx_create_rsp *p = &r->u->cr;
    gf_fd_t *fd = gf_frame_local(r->frame);
    int32_t ret = p->op_ret, err = p->op_errno;
    gf_iatt_t a, b, c;

    iatt(&p->stat, &a);
    iatt(&p->preparent, &b);
    iatt(&p->postparent, &c);
    if (ret >= 0 && (err = -fd_bind(r->priv, fd, (int64_t)p->fd)) != 0)
        ret = -1;
    gf_unwind_create(r->frame, ret, err, fd, gf_fd_inode(fd), &a, &b, &c,
                     p->xdata);
}

static void
r_statfs(reply_t *r)
{
    gfx_statfs_rsp *p = &r->u->sf;
    struct statvfs s;

    memset(&s, 0, sizeof(s));
    s.f_bsize = p->statfs.bsize;
    s.f_frsize = p->statfs.frsize;
    s.f_blocks = p->statfs.blocks;
    s.f_bfree = p->statfs.bfree;
    s.f_bavail = p->statfs.bavail;
    s.f_files = p->statfs.files;
    s.f_ffree = p->statfs.ffree;
    s.f_favail = p->statfs.favail;
    s.f_fsid = p->statfs.fsid;
    s.f_flag = p->statfs.flag;
    s.f_namemax = p->statfs.namemax;
    gf_unwind_statfs(r->frame, p->op_ret, p->op_errno, &s, p->xdata);
}

static void
r_readdir(reply_t *r)
{
    if (gf_frame_fop(r->frame) == GF_FOP_READDIR)
        gf_unwind_readdir(r->frame, r->u->rd.op_ret, r->u->rd.op_errno,
                          &r->u->rd.reply, r->u->rd.xdata);
    else
        gf_unwind_readdirp(r->frame, r->u->rdp.op_ret, r->u->rdp.op_errno,
                           &r->u->rdp.reply, r->u->rdp.xdata);
}

/* READ: the payload is the rest of the record, left where it landed. */
static void
r_read(reply_t *r)
{
    gfx_read_rsp *p = &r->u->r;
    int32_t ret = p->op_ret, err = p->op_errno;
    gf_iobref_t *ref = NULL;
    struct iovec vec = {NULL, 0};
    size_t hdr = 0;
    gf_iatt_t a;

    iatt(&p->stat, &a);
    if (ret >= 0) {
        ref = gf_iobref_new();
        if (gf_xdr_read_split(r->base, r->len, &hdr) < 0 ||
            (size_t)ret != r->len - hdr) {
            ret = -1, err = EPROTO;
        } else if (!ref || gf_iobref_add(ref, r->iob) < 0) {
            ret = -1, err = ENOMEM;
        } else {
            vec.iov_base = r->base + hdr;
            vec.iov_len = r->len - hdr;
        }
    }
    gf_unwind_readv(r->frame, ret, err, &vec, ret >= 0 ? 1 : 0, &a,
                    ret >= 0 ? ref : NULL, p->xdata);
    gf_iobref_unref(ref);
}

static void
r_rename(reply_t *r)
{
    gfx_rename_rsp *p = &r->u->rn;
    gf_iatt_t a, b, c, d, e;

    iatt(&p->stat, &a);
    iatt(&p->preoldparent, &b);
    iatt(&p->postoldparent, &c);
    iatt(&p->prenewparent, &d);
    iatt(&p->postnewparent, &e);
    gf_unwind_rename(r->frame, p->op_ret, p->op_errno, &a, &b, &c, &d, &e,
                     p->xdata);
}

static void
r_readlink(reply_t *r)
{
    gfx_readlink_rsp *p = &r->u->rl;
    gf_iatt_t a;

    iatt(&p->buf, &a);
    gf_unwind_readlink(r->frame, p->op_ret, p->op_errno,
                       p->op_ret >= 0 ? p->path : NULL, &a, p->xdata);
}

static void
r_lk(reply_t *r)
{
    gfx_lk_rsp *p = &r->u->lk;
    gf_flock_t fl;

    memset(&fl, 0, sizeof(fl));
    client__flock_from_wire(&p->flock, &fl);
    gf_unwind_lk(r->frame, p->op_ret, p->op_errno, &fl, p->xdata);
}

/* ---- the table --------------------------------------------------------- */

#define ROW(NAME, PROC, REQ, RSP, FN)                                          \
    [GF_FOP_##NAME] = {GF_XDR_FOP_##PROC, (xdrproc_t)xdr_gfx_##REQ,            \
                       (xdrproc_t)xdr_gfx_##RSP, FN}

static const fop_desc_t descs[GF_FOP_MAX] = {
    ROW(LOOKUP, LOOKUP, lookup_req, common_2iatt_rsp, r_2iatt),
    ROW(STAT, STAT, stat_req, common_iatt_rsp, r_iatt),
    ROW(FSTAT, FSTAT, fstat_req, common_iatt_rsp, r_iatt),
    ROW(STATFS, STATFS, statfs_req, statfs_rsp, r_statfs),
    ROW(CREATE, CREATE, create_req, create_rsp, r_create),
    ROW(OPEN, OPEN, open_req, open_rsp, r_open),
    ROW(OPENDIR, OPENDIR, opendir_req, open_rsp, r_open),
    ROW(READDIR, READDIR, readdir_req, readdir_rsp, r_readdir),
    ROW(READDIRP, READDIRP, readdirp_req, readdirp_rsp, r_readdir),
    ROW(READ, READ, read_req, read_rsp, r_read),
    ROW(WRITE, WRITE, write_req, common_2iatt_rsp, r_2iatt),
    ROW(FLUSH, FLUSH, flush_req, common_rsp, r_common),
    ROW(FSYNC, FSYNC, fsync_req, common_2iatt_rsp, r_2iatt),
    ROW(RELEASE, RELEASE, release_req, common_rsp, r_common),
    ROW(RELEASEDIR, RELEASEDIR, releasedir_req, common_rsp, r_common),
    ROW(MKDIR, MKDIR, mkdir_req, common_3iatt_rsp, r_3iatt),
    ROW(UNLINK, UNLINK, unlink_req, common_2iatt_rsp, r_2iatt),
    ROW(RMDIR, RMDIR, rmdir_req, common_2iatt_rsp, r_2iatt),
    ROW(RENAME, RENAME, rename_req, rename_rsp, r_rename),
    ROW(TRUNCATE, TRUNCATE, truncate_req, common_2iatt_rsp, r_2iatt),
    ROW(FTRUNCATE, FTRUNCATE, ftruncate_req, common_2iatt_rsp, r_2iatt),
    ROW(SETATTR, SETATTR, setattr_req, common_2iatt_rsp, r_2iatt),
    ROW(FSETATTR, FSETATTR, fsetattr_req, common_2iatt_rsp, r_2iatt),
    ROW(GETXATTR, GETXATTR, getxattr_req, common_dict_rsp, r_dict),
    ROW(FGETXATTR, FGETXATTR, fgetxattr_req, common_dict_rsp, r_dict),
    ROW(SETXATTR, SETXATTR, setxattr_req, common_rsp, r_common),
    ROW(FSETXATTR, FSETXATTR, fsetxattr_req, common_rsp, r_common),
    ROW(REMOVEXATTR, REMOVEXATTR, removexattr_req, common_rsp, r_common),
    ROW(FREMOVEXATTR, FREMOVEXATTR, fremovexattr_req, common_rsp, r_common),
    ROW(ACCESS, ACCESS, access_req, common_rsp, r_common),
    ROW(SYMLINK, SYMLINK, symlink_req, common_3iatt_rsp, r_3iatt),
    ROW(READLINK, READLINK, readlink_req, readlink_rsp, r_readlink),
    ROW(LINK, LINK, link_req, common_3iatt_rsp, r_3iatt),
    ROW(MKNOD, MKNOD, mknod_req, common_3iatt_rsp, r_3iatt),
    ROW(LK, LK, lk_req, lk_rsp, r_lk),
    ROW(INODELK, INODELK, inodelk_req, common_rsp, r_common),
    ROW(FINODELK, FINODELK, finodelk_req, common_rsp, r_common),
    ROW(ENTRYLK, ENTRYLK, entrylk_req, common_rsp, r_common),
    ROW(FENTRYLK, FENTRYLK, fentrylk_req, common_rsp, r_common),
    ROW(XATTROP, XATTROP, xattrop_req, common_dict_rsp, r_dict),
    ROW(FXATTROP, FXATTROP, fxattrop_req, common_dict_rsp, r_dict),
};
#undef ROW

/* ---- submit and reply ------------------------------------------------------
 */

static void
fop_cbk(int status, void *base, size_t len, gf_iobuf_t *iob, void *data)
{
    gf_frame_t *frame = data;
    gf_fop_t fop = gf_frame_fop(frame);
    client_priv_t *priv = gf_xlator_private(gf_frame_xlator(frame));
    const fop_desc_t *d = &descs[fop];
    client_rsp_t u;
    reply_t r = {frame, priv, &u, base, len, iob};

    atomic_fetch_sub(&priv->pending, 1);
    if (status < 0) {
        atomic_fetch_add(&priv->fops_failed, 1);
        client__fail(frame, fop, ENOTCONN);
        return;
    }
    memset(&u, 0, sizeof(u));
    if (gf_xdr_decode(d->rsp, base, len, &u, sizeof(u), NULL) < 0) {
        gf_log(gf_xlator_name(priv->self), GF_LOG_WARNING,
               "malformed %s reply from %s", gf_fop_name(fop), priv->address);
        client__fail(frame, fop, EPROTO);
        return;
    }
    d->reply(&r);
    xdr_free(d->rsp, (char *)&u);
}

int
client__submit(gf_frame_t *frame, gf_fop_t fop, void *req,
               const struct iovec *pay, int n, gf_iobref_t *payref)
{
    client_priv_t *priv = gf_xlator_private(gf_frame_xlator(frame));
    gf_stack_t *st = gf_frame_stack(frame);
    gf_identity_t id = {.uid = gf_stack_uid(st),
                        .gid = gf_stack_gid(st),
                        .pid = gf_stack_pid(st),
                        .lk_owner = gf_stack_lk_owner(st)};
    gf_rpc_auth_t auth = {.flavor = GF_RPC_CLNT_AUTH_GLUSTERFS_V3, .id = &id};
    const fop_desc_t *d = &descs[fop];
    int ret;

    id.ngroups = gf_stack_groups(st, &id.groups);
    if (!client__gen(priv))
        return client__fail(frame, fop, ENOTCONN);
    atomic_fetch_add(&priv->pending, 1);
    atomic_fetch_add(&priv->fops_sent, 1);
    ret = client__call(priv, GF_XDR_FOP_PROG, GF_XDR_FOP_VERS, d->proc, &auth,
                       d->req, req, pay, n, payref, fop_cbk, frame);
    if (ret < 0) {
        atomic_fetch_sub(&priv->pending, 1);
        return client__fail(frame, fop, ret == -ENOTCONN ? ENOTCONN : -ret);
    }
    return 0;
}
