/* SPDX-License-Identifier: LGPL-3.0-or-later */
/*
 * server-resolve.c - the life of one FOP request: its state, resolution
 * of the gfids it names to inodes of the client's inode table (a miss
 * becomes a nameless LOOKUP down the graph whose result is linked), the
 * reply encoding, and the release of fds the client leaves behind.
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "server-int.h"

int
server__decode(gf_rpcsvc_req_t *req, xdrproc_t proc, void *obj, size_t size,
               size_t *used)
{
    const void *base = NULL;
    size_t len = 0;

    gf_rpcsvc_req_args(req, &base, &len);
    return gf_xdr_decode(proc, base, len, obj, size, used);
}

int
server__send(gf_rpcsvc_req_t *req, server_priv_t *priv, xdrproc_t proc,
             void *obj)
{
    size_t used = 0;
    gf_iobuf_t *iob = gf_xdr_encode_iobuf(priv->iop, proc, obj, &used);
    gf_iobref_t *ref = iob ? gf_iobref_new() : NULL;
    struct iovec iov;
    int ret;

    if (!ref || gf_iobref_add(ref, iob) < 0) {
        gf_iobref_unref(ref);
        gf_iobuf_unref(iob);
        return gf_rpcsvc_error(req, GF_RPC_SYSTEM_ERR);
    }
    iov.iov_base = gf_iobuf_ptr(iob);
    iov.iov_len = used;
    ret = gf_rpcsvc_reply(req, &iov, 1, ref);
    gf_iobref_unref(ref);
    gf_iobuf_unref(iob);
    return ret;
}

void
server__iatt(const gf_iatt_t *ia, gfx_iattx *w)
{
    gf_iatt_t zero;

    if (!ia) {
        memset(&zero, 0, sizeof(zero));
        ia = &zero;
    }
    gf_xdr_iatt_to_wire(ia, w);
}

static void
loc_clear(gf_loc_t *loc)
{
    gf_inode_unref(loc->inode);
    gf_inode_unref(loc->parent);
    memset(loc, 0, sizeof(*loc));
}

static void
state_free(void *p)
{
    server_state_t *st = p;

    loc_clear(&st->loc);
    loc_clear(&st->loc2);
    loc_clear(&st->rloc);
    free(st->bname);
    free(st->bname2);
    free(st->name);
    free(st->flock);
    gf_fd_unref(st->fd);
    if (st->xdata)
        gf_dict_unref(st->xdata);
    if (st->dict)
        gf_dict_unref(st->dict);
    gf_iobref_unref(st->iobref);
    if (st->req) /* never answered: should not happen, but do not hang */
        gf_rpcsvc_error(st->req, GF_RPC_SYSTEM_ERR);
    server__client_unref(st->client);
    gf_mem_put(st);
}

server_state_t *
server__state_new(gf_rpcsvc_req_t *req, server_priv_t *priv)
{
    server_client_t *c = gf_rpcsvc_req_conn_data(req);
    gf_xlator_t *bound = c ? atomic_load(&c->bound) : NULL;
    const gf_identity_t *rid = gf_rpcsvc_req_identity(req);
    gf_identity_t id = {0};
    server_state_t *st;

    /* A FOP before a successful SETVOLUME is refused, as upstream does:
     * the client has no business naming files yet. */
    if (!bound) {
        gf_rpcsvc_error(req, GF_RPC_SYSTEM_ERR);
        return NULL;
    }
    st = gf_mem_get0(priv->state_pool);
    if (!st) {
        gf_rpcsvc_error(req, GF_RPC_SYSTEM_ERR);
        return NULL;
    }
    /* The request's identity, plus the connection it came on: locks
     * below are kept per client and dropped when it goes. */
    if (rid)
        id = *rid;
    id.client = c->id;
    st->frame = gf_frame_new(priv->pool, priv->self, &id);
    if (!st->frame) {
        gf_mem_put(st);
        gf_rpcsvc_error(req, GF_RPC_SYSTEM_ERR);
        return NULL;
    }
    st->req = req;
    st->priv = priv;
    st->client = server__client_ref(c);
    st->bound = bound;
    st->remote_fd = -1;
    gf_frame_set_local(st->frame, st, state_free);
    return st;
}

int
server__reply(server_state_t *st, xdrproc_t proc, void *obj)
{
    gf_rpcsvc_req_t *req = st->req;
    int ret;

    st->req = NULL;
    ret = server__send(req, st->priv, proc, obj);
    gf_stack_destroy(gf_frame_stack(st->frame));
    return ret;
}

/* Every reply type starts with op_ret, op_errno: one zeroed union. */
typedef union any_rsp {
    struct {
        int op_ret;
        int op_errno;
    } h;
    gfx_common_rsp common;
    gfx_common_iatt_rsp iatt;
    gfx_common_2iatt_rsp iatt2;
    gfx_common_3iatt_rsp iatt3;
    gfx_common_dict_rsp dict;
    gfx_open_rsp open;
    gfx_statfs_rsp statfs;
    gfx_create_rsp create;
    gfx_readdir_rsp readdir;
    gfx_readdirp_rsp readdirp;
    gfx_read_rsp read;
    gfx_rename_rsp rename;
    gfx_readlink_rsp readlink;
    gfx_lk_rsp lk;
} any_rsp_t;

static xdrproc_t
rsp_proc(uint32_t proc)
{
    switch (proc) {
    case GF_XDR_FOP_STAT:
    case GF_XDR_FOP_FSTAT:
        return (xdrproc_t)xdr_gfx_common_iatt_rsp;
    case GF_XDR_FOP_LOOKUP:
    case GF_XDR_FOP_WRITE:
    case GF_XDR_FOP_FSYNC:
    case GF_XDR_FOP_UNLINK:
    case GF_XDR_FOP_RMDIR:
    case GF_XDR_FOP_TRUNCATE:
    case GF_XDR_FOP_FTRUNCATE:
    case GF_XDR_FOP_SETATTR:
    case GF_XDR_FOP_FSETATTR:
        return (xdrproc_t)xdr_gfx_common_2iatt_rsp;
    case GF_XDR_FOP_MKDIR:
    case GF_XDR_FOP_MKNOD:
    case GF_XDR_FOP_SYMLINK:
    case GF_XDR_FOP_LINK:
        return (xdrproc_t)xdr_gfx_common_3iatt_rsp;
    case GF_XDR_FOP_STATFS:
        return (xdrproc_t)xdr_gfx_statfs_rsp;
    case GF_XDR_FOP_CREATE:
        return (xdrproc_t)xdr_gfx_create_rsp;
    case GF_XDR_FOP_OPEN:
    case GF_XDR_FOP_OPENDIR:
        return (xdrproc_t)xdr_gfx_open_rsp;
    case GF_XDR_FOP_READDIR:
        return (xdrproc_t)xdr_gfx_readdir_rsp;
    case GF_XDR_FOP_READDIRP:
        return (xdrproc_t)xdr_gfx_readdirp_rsp;
    case GF_XDR_FOP_READ:
        return (xdrproc_t)xdr_gfx_read_rsp;
    case GF_XDR_FOP_RENAME:
        return (xdrproc_t)xdr_gfx_rename_rsp;
    case GF_XDR_FOP_GETXATTR:
    case GF_XDR_FOP_FGETXATTR:
    case GF_XDR_FOP_XATTROP:
    case GF_XDR_FOP_FXATTROP:
        return (xdrproc_t)xdr_gfx_common_dict_rsp;
    case GF_XDR_FOP_READLINK:
        return (xdrproc_t)xdr_gfx_readlink_rsp;
    case GF_XDR_FOP_LK:
        return (xdrproc_t)xdr_gfx_lk_rsp;
    default:
        return (xdrproc_t)xdr_gfx_common_rsp;
    }
}

void
server__state_fail(server_state_t *st, int op_errno)
{
    any_rsp_t rsp;
    uint32_t proc = gf_rpcsvc_req_proc(st->req);
    char none[1] = "";

    memset(&rsp, 0, sizeof(rsp));
    if (proc == GF_XDR_FOP_READDIR || proc == GF_XDR_FOP_READDIRP)
        gf_dirents_init(&rsp.readdir.reply);
    if (proc == GF_XDR_FOP_READLINK) /* the wire has no NULL string */
        rsp.readlink.path = none;
    rsp.h.op_ret = -1;
    rsp.h.op_errno = op_errno ? op_errno : EIO;
    server__reply(st, rsp_proc(proc), &rsp);
}

/* The next gfid of ST still to resolve and where its inode goes. */
static gf_inode_t **
next_missing(server_state_t *st, gf_gfid_t **gfid)
{
    if (st->named && !st->loc.parent) {
        *gfid = &st->pargfid;
        return &st->loc.parent;
    }
    if (!st->named && !st->loc.inode) {
        *gfid = &st->gfid;
        return &st->loc.inode;
    }
    if (!gf_gfid_is_null(&st->gfid2) && !st->loc2.parent) {
        *gfid = &st->gfid2;
        return &st->loc2.parent;
    }
    return NULL;
}

/* Everything is resolved: fill in names and the named inode. loc.path
 * stays NULL: it is informational, children address objects by gfid,
 * and building it would walk the dentry chain on every request. */
static void
resolve_done(server_state_t *st)
{
    gf_loc_t *loc = &st->loc;

    if (st->named) {
        loc->name = st->bname;
        gf_inode_gfid(loc->parent, &loc->pargfid);
        loc->inode = gf_inode_grep(st->client->itable, loc->parent, st->bname);
        if (loc->inode)
            gf_inode_gfid(loc->inode, &loc->gfid);
    } else {
        loc->gfid = st->gfid;
    }
    if (st->loc2.parent) {
        st->loc2.name = st->bname2;
        gf_inode_gfid(st->loc2.parent, &st->loc2.pargfid);
        st->loc2.inode =
            gf_inode_grep(st->client->itable, st->loc2.parent, st->bname2);
    }
    st->resume(st);
}

static int
resolve_cbk(gf_frame_t *frame, void *cookie, gf_xlator_t *self, int32_t op_ret,
            int32_t op_errno, gf_inode_t *inode, gf_iatt_t *buf,
            gf_dict_t *xdata, gf_iatt_t *postparent)
{
    server_state_t *st = gf_frame_local(frame);
    gf_inode_t **slot, *linked;
    gf_gfid_t *want = NULL;

    (void)cookie, (void)self, (void)inode, (void)xdata, (void)postparent;
    slot = next_missing(st, &want);
    if (op_ret < 0 || !slot) {
        server__state_fail(st, op_ret < 0 ? op_errno : EIO);
        return 0;
    }
    if (!buf || !gf_gfid_equal(&buf->gfid, want)) {
        server__state_fail(st, ESTALE);
        return 0;
    }
    linked = gf_inode_link(st->rloc.inode, NULL, NULL, &buf->gfid,
                           gf_inode_type_from_mode(buf->mode));
    loc_clear(&st->rloc);
    if (!linked) {
        server__state_fail(st, errno == ENOMEM ? ENOMEM : ESTALE);
        return 0;
    }
    gf_inode_lookup(linked);
    *slot = linked;
    server__resolve(st);
    return 0;
}

void
server__resolve(server_state_t *st)
{
    gf_gfid_t *want = NULL;
    gf_inode_t **slot = next_missing(st, &want);

    if (!slot) {
        resolve_done(st);
        return;
    }
    if (gf_gfid_is_null(want)) {
        server__state_fail(st, EINVAL);
        return;
    }
    *slot = gf_inode_find(st->client->itable, want);
    if (*slot) {
        server__resolve(st);
        return;
    }
    /* Not in the table (never seen, or purged from the LRU): ask the
     * subvolume by gfid alone and link what it answers. */
    st->rloc.inode = gf_inode_new(st->client->itable);
    if (!st->rloc.inode) {
        server__state_fail(st, ENOMEM);
        return;
    }
    st->rloc.gfid = *want;
    gf_wind_lookup(st->frame, st->bound, resolve_cbk, NULL, &st->rloc, NULL);
}

static int
release_cbk(gf_frame_t *frame, void *cookie, gf_xlator_t *self, int32_t op_ret,
            int32_t op_errno, gf_dict_t *xdata)
{
    server_priv_t *priv = gf_xlator_private(gf_frame_xlator(frame));

    (void)self, (void)op_ret, (void)op_errno, (void)xdata;
    gf_fd_unref(cookie);
    gf_stack_destroy(gf_frame_stack(frame));
    server__live_put(priv);
    return 0;
}

int
server__begin(gf_rpcsvc_req_t *req, void *data, xdrproc_t proc, void *a,
              size_t size, server_state_t **st)
{
    *st = NULL;
    memset(a, 0, size);
    if (server__decode(req, proc, a, size, NULL) < 0)
        return -EBADMSG;
    *st = server__state_new(req, data);
    return 0;
}

void
server__release_fd(server_client_t *c, gf_fd_t *fd)
{
    gf_xlator_t *bound = atomic_load(&c->bound);
    gf_frame_t *frame;

    if (!bound)
        return;
    frame = gf_frame_new(c->priv->pool, c->priv->self, NULL);
    if (!frame) {
        gf_log(gf_xlator_name(c->priv->self), GF_LOG_WARNING,
               "out of memory: fd released without RELEASE");
        return;
    }
    gf_fd_ref(fd);
    server__live_get(c->priv);
    if (gf_inode_type(gf_fd_inode(fd)) == GF_INODE_DIR)
        gf_wind_releasedir(frame, bound, release_cbk, fd, fd, NULL);
    else
        gf_wind_release(frame, bound, release_cbk, fd, fd, NULL);
}
