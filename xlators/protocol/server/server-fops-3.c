/* SPDX-License-Identifier: LGPL-3.0-or-later */
/*
 * server-fops-3.c - FOP actors, part three: the rest of the namespace
 * (SYMLINK, READLINK, LINK, MKNOD) and the xattr calls parts one and two
 * lack (REMOVEXATTR, FGETXATTR, FSETXATTR, FREMOVEXATTR). Same life as
 * the others: decode into a server_state_t, resolve the gfids, wind into
 * the bound subvolume, encode the reply in the callback. A new entry is
 * linked into the client's inode table before the reply leaves, so the
 * next request naming it by gfid needs no nameless lookup; LINK gives the
 * existing inode its second name there as on disk. The table below is
 * registered by server__fop_register (server-fops-2.c).
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "server-fops.h"

/* ---- SYMLINK, MKNOD, LINK ---------------------------------------------- */

/* The three answer alike: the object, the parent before and after. The
 * object goes into the table under the new name: for SYMLINK and MKNOD
 * the fresh inode of loc (parent loc.parent, name bname), for LINK the
 * existing one of loc under loc2's parent and bname2. */
static int
entry_cbk(gf_frame_t *frame, void *cookie, gf_xlator_t *self, int32_t op_ret,
          int32_t op_errno, gf_inode_t *inode, gf_iatt_t *buf,
          gf_iatt_t *preparent, gf_iatt_t *postparent, gf_dict_t *xdata)
{
    server_state_t *st = gf_frame_local(frame);
    gf_inode_t *parent = st->named ? st->loc.parent : st->loc2.parent;
    const char *name = st->named ? st->bname : st->bname2;
    gfx_common_3iatt_rsp rsp;
    gf_inode_t *l;

    (void)cookie, (void)self, (void)inode;
    memset(&rsp, 0, sizeof(rsp));
    if (op_ret >= 0 && buf) {
        /* A table that refuses the name (a racing rename, say) costs a
         * lookup later, not the fop, which did happen. */
        l = gf_inode_link(st->loc.inode, parent, name, &buf->gfid,
                          gf_inode_type_from_mode(buf->mode));
        if (l) {
            gf_inode_lookup(l);
            gf_inode_unref(l);
        }
    }
    rsp.op_ret = op_ret;
    rsp.op_errno = op_ret < 0 ? op_errno : 0;
    server__iatt(op_ret >= 0 ? buf : NULL, &rsp.stat);
    server__iatt(preparent, &rsp.preparent);
    server__iatt(postparent, &rsp.postparent);
    rsp.xdata = xdata;
    server__reply(st, (xdrproc_t)xdr_gfx_common_3iatt_rsp, &rsp);
    return 0;
}

/* A new object: a fresh inode, whatever the table had under the name
 * (the child decides whether the name exists). False once answered. */
static bool
fresh_inode(server_state_t *st)
{
    gf_inode_unref(st->loc.inode);
    memset(&st->loc.gfid, 0, sizeof(st->loc.gfid));
    st->loc.inode = gf_inode_new(st->client->itable);
    if (!st->loc.inode) {
        server__state_fail(st, ENOMEM);
        return false;
    }
    return true;
}

static void
symlink_resume(server_state_t *st)
{
    if (fresh_inode(st))
        gf_wind_symlink(st->frame, st->bound, entry_cbk, NULL, st->name,
                        &st->loc, st->umask, st->xdata);
}

static int
symlink_actor(gf_rpcsvc_req_t *req, void *data)
{
    gfx_symlink_req a;
    server_state_t *st;
    int ret = server__begin(req, data, (xdrproc_t)xdr_gfx_symlink_req, &a,
                            sizeof(a), &st);

    if (st) {
        memcpy(st->pargfid.b, a.pargfid, 16);
        st->umask = a.umask;
        st->name = server__take_str(&a.linkname); /* the target, stored as is */
        st->xdata = server__take_dict(&a.xdata);
        st->named = true;
        st->bname = server__take_str(&a.bname);
        st->resume = symlink_resume;
        if (server__name_ok(st->bname) && st->name && *st->name)
            server__resolve(st);
        else
            server__state_fail(st, EINVAL);
    }
    xdr_free((xdrproc_t)xdr_gfx_symlink_req, (char *)&a);
    return ret;
}

static void
mknod_resume(server_state_t *st)
{
    if (fresh_inode(st))
        gf_wind_mknod(st->frame, st->bound, entry_cbk, NULL, &st->loc, st->mode,
                      st->offset, st->umask, st->xdata);
}

static int
mknod_actor(gf_rpcsvc_req_t *req, void *data)
{
    gfx_mknod_req a;
    server_state_t *st;
    int ret = server__begin(req, data, (xdrproc_t)xdr_gfx_mknod_req, &a,
                            sizeof(a), &st);

    if (st) {
        memcpy(st->pargfid.b, a.pargfid, 16);
        st->mode = a.mode;
        st->offset = a.dev; /* the device number rides in offset */
        st->umask = a.umask;
        st->xdata = server__take_dict(&a.xdata);
        st->named = true;
        st->bname = server__take_str(&a.bname);
        st->resume = mknod_resume;
        if (server__name_ok(st->bname))
            server__resolve(st);
        else
            server__state_fail(st, EINVAL);
    }
    xdr_free((xdrproc_t)xdr_gfx_mknod_req, (char *)&a);
    return ret;
}

static void
link_resume(server_state_t *st)
{
    /* The new name is to be the resolved object itself, whatever the
     * table had there (the child refuses an existing name). */
    gf_inode_unref(st->loc2.inode);
    st->loc2.inode = gf_inode_ref(st->loc.inode);
    st->loc2.gfid = st->loc.gfid;
    gf_wind_link(st->frame, st->bound, entry_cbk, NULL, &st->loc, &st->loc2,
                 st->xdata);
}

static int
link_actor(gf_rpcsvc_req_t *req, void *data)
{
    gfx_link_req a;
    server_state_t *st;
    int ret = server__begin(req, data, (xdrproc_t)xdr_gfx_link_req, &a,
                            sizeof(a), &st);

    if (st) {
        /* Resolved by gfid (loc) and by new parent and name (loc2), as
         * RENAME's destination. */
        memcpy(st->gfid.b, a.oldgfid, 16);
        memcpy(st->gfid2.b, a.newgfid, 16);
        st->xdata = server__take_dict(&a.xdata);
        st->bname2 = server__take_str(&a.newbname);
        st->resume = link_resume;
        if (server__name_ok(st->bname2) && !gf_gfid_is_null(&st->gfid2))
            server__resolve(st);
        else
            server__state_fail(st, EINVAL);
    }
    xdr_free((xdrproc_t)xdr_gfx_link_req, (char *)&a);
    return ret;
}

/* ---- READLINK ---------------------------------------------------------- */

static int
readlink_cbk(gf_frame_t *frame, void *cookie, gf_xlator_t *self, int32_t op_ret,
             int32_t op_errno, const char *path, gf_iatt_t *buf,
             gf_dict_t *xdata)
{
    server_state_t *st = gf_frame_local(frame);
    gfx_readlink_rsp rsp;
    char none[1] = "";

    (void)cookie, (void)self;
    memset(&rsp, 0, sizeof(rsp));
    if (op_ret >= 0 && !path) {
        op_ret = -1;
        op_errno = EIO;
    }
    rsp.op_ret = op_ret;
    rsp.op_errno = op_ret < 0 ? op_errno : 0;
    server__iatt(op_ret >= 0 ? buf : NULL, &rsp.buf);
    /* Borrowed for the encoder, which only reads it; the wire has no
     * NULL string. */
    rsp.path = op_ret >= 0 ? (char *)(uintptr_t)path : none;
    rsp.xdata = xdata;
    server__reply(st, (xdrproc_t)xdr_gfx_readlink_rsp, &rsp);
    return 0;
}

static void
readlink_resume(server_state_t *st)
{
    gf_inode_type_t t = gf_inode_type(st->loc.inode);

    /* Resolution told us what the object is: only a symlink has a
     * target (readlink(2)'s EINVAL, which the child, reading through an
     * fd of the object, would report as ENOENT). */
    if (t != GF_INODE_LNK && t != GF_INODE_INVAL) {
        server__state_fail(st, EINVAL);
        return;
    }
    gf_wind_readlink(st->frame, st->bound, readlink_cbk, NULL, &st->loc,
                     st->size, st->xdata);
}

static int
readlink_actor(gf_rpcsvc_req_t *req, void *data)
{
    gfx_readlink_req a;
    server_state_t *st;
    int ret = server__begin(req, data, (xdrproc_t)xdr_gfx_readlink_req, &a,
                            sizeof(a), &st);

    if (st) {
        memcpy(st->gfid.b, a.gfid, 16);
        st->size = a.size;
        st->xdata = server__take_dict(&a.xdata);
        st->resume = readlink_resume;
        server__resolve(st);
    }
    xdr_free((xdrproc_t)xdr_gfx_readlink_req, (char *)&a);
    return ret;
}

/* ---- REMOVEXATTR, FREMOVEXATTR ----------------------------------------- */

static void
removexattr_resume(server_state_t *st)
{
    if (st->fd)
        gf_wind_fremovexattr(st->frame, st->bound, server__common_cbk, NULL,
                             st->fd, st->name, st->xdata);
    else
        gf_wind_removexattr(st->frame, st->bound, server__common_cbk, NULL,
                            &st->loc, st->name, st->xdata);
}

static int
removexattr_actor(gf_rpcsvc_req_t *req, void *data)
{
    gfx_removexattr_req a;
    server_state_t *st;
    int ret = server__begin(req, data, (xdrproc_t)xdr_gfx_removexattr_req, &a,
                            sizeof(a), &st);

    if (st) {
        memcpy(st->gfid.b, a.gfid, 16);
        st->name = server__take_str(&a.name);
        st->xdata = server__take_dict(&a.xdata);
        st->resume = removexattr_resume;
        /* Removal needs a name: there is no "remove them all". */
        if (st->name && *st->name)
            server__resolve(st);
        else
            server__state_fail(st, EINVAL);
    }
    xdr_free((xdrproc_t)xdr_gfx_removexattr_req, (char *)&a);
    return ret;
}

static int
fremovexattr_actor(gf_rpcsvc_req_t *req, void *data)
{
    gfx_fremovexattr_req a;
    server_state_t *st;
    int ret = server__begin(req, data, (xdrproc_t)xdr_gfx_fremovexattr_req, &a,
                            sizeof(a), &st);

    if (st) {
        st->name = server__take_str(&a.name);
        st->xdata = server__take_dict(&a.xdata);
        if (st->name && *st->name)
            server__fd_start(st, a.fd, removexattr_resume);
        else
            server__state_fail(st, EINVAL);
    }
    xdr_free((xdrproc_t)xdr_gfx_fremovexattr_req, (char *)&a);
    return ret;
}

/* ---- FGETXATTR, FSETXATTR ---------------------------------------------- */

/* FGETXATTR, XATTROP, FXATTROP: a dict of values, no attributes. */
static int
dict_cbk(gf_frame_t *frame, void *cookie, gf_xlator_t *self, int32_t op_ret,
         int32_t op_errno, gf_dict_t *dict, gf_dict_t *xdata)
{
    server_state_t *st = gf_frame_local(frame);
    gfx_common_dict_rsp rsp;

    (void)cookie, (void)self;
    memset(&rsp, 0, sizeof(rsp));
    rsp.op_ret = op_ret;
    rsp.op_errno = op_ret < 0 ? op_errno : 0;
    rsp.dict = op_ret >= 0 ? dict : NULL;
    rsp.xdata = xdata;
    server__iatt(NULL, &rsp.prestat);
    server__iatt(NULL, &rsp.poststat);
    server__reply(st, (xdrproc_t)xdr_gfx_common_dict_rsp, &rsp);
    return 0;
}

static void
fgetxattr_resume(server_state_t *st)
{
    gf_wind_fgetxattr(st->frame, st->bound, dict_cbk, NULL, st->fd, st->name,
                      st->xdata);
}

static int
fgetxattr_actor(gf_rpcsvc_req_t *req, void *data)
{
    gfx_fgetxattr_req a;
    server_state_t *st;
    int ret = server__begin(req, data, (xdrproc_t)xdr_gfx_fgetxattr_req, &a,
                            sizeof(a), &st);

    if (st) {
        /* An empty name asks for every xattr. */
        if (a.name && *a.name)
            st->name = server__take_str(&a.name);
        st->xdata = server__take_dict(&a.xdata);
        server__fd_start(st, a.fd, fgetxattr_resume);
    }
    xdr_free((xdrproc_t)xdr_gfx_fgetxattr_req, (char *)&a);
    return ret;
}

static void
fsetxattr_resume(server_state_t *st)
{
    gf_wind_fsetxattr(st->frame, st->bound, server__common_cbk, NULL, st->fd,
                      st->dict, st->flags, st->xdata);
}

static int
fsetxattr_actor(gf_rpcsvc_req_t *req, void *data)
{
    gfx_fsetxattr_req a;
    server_state_t *st;
    int ret = server__begin(req, data, (xdrproc_t)xdr_gfx_fsetxattr_req, &a,
                            sizeof(a), &st);

    if (st) {
        st->flags = (int32_t)a.flags;
        st->dict = server__take_dict(&a.dict);
        st->xdata = server__take_dict(&a.xdata);
        if (st->dict)
            server__fd_start(st, a.fd, fsetxattr_resume);
        else
            server__state_fail(st, EINVAL);
    }
    xdr_free((xdrproc_t)xdr_gfx_fsetxattr_req, (char *)&a);
    return ret;
}

/* ---- XATTROP, FXATTROP -------------------------------------------------- */

static void
xattrop_resume(server_state_t *st)
{
    if (st->fd)
        gf_wind_fxattrop(st->frame, st->bound, dict_cbk, NULL, st->fd,
                         st->flags, st->dict, st->xdata);
    else
        gf_wind_xattrop(st->frame, st->bound, dict_cbk, NULL, &st->loc,
                        st->flags, st->dict, st->xdata);
}

static int
xattrop_actor(gf_rpcsvc_req_t *req, void *data)
{
    gfx_xattrop_req a;
    server_state_t *st;
    int ret = server__begin(req, data, (xdrproc_t)xdr_gfx_xattrop_req, &a,
                            sizeof(a), &st);

    if (st) {
        memcpy(st->gfid.b, a.gfid, 16);
        st->flags = (int32_t)a.flags;
        st->dict = server__take_dict(&a.dict);
        st->xdata = server__take_dict(&a.xdata);
        st->resume = xattrop_resume;
        if (st->dict)
            server__resolve(st);
        else
            server__state_fail(st, EINVAL);
    }
    xdr_free((xdrproc_t)xdr_gfx_xattrop_req, (char *)&a);
    return ret;
}

static int
fxattrop_actor(gf_rpcsvc_req_t *req, void *data)
{
    gfx_fxattrop_req a;
    server_state_t *st;
    int ret = server__begin(req, data, (xdrproc_t)xdr_gfx_fxattrop_req, &a,
                            sizeof(a), &st);

    if (st) {
        st->flags = (int32_t)a.flags;
        st->dict = server__take_dict(&a.dict);
        st->xdata = server__take_dict(&a.xdata);
        if (st->dict)
            server__fd_start(st, a.fd, xattrop_resume);
        else
            server__state_fail(st, EINVAL);
    }
    xdr_free((xdrproc_t)xdr_gfx_fxattrop_req, (char *)&a);
    return ret;
}

const gf_rpcsvc_actor_t server__fop_actors3[] = {
    {"XATTROP", GF_XDR_FOP_XATTROP, xattrop_actor},
    {"FXATTROP", GF_XDR_FOP_FXATTROP, fxattrop_actor},
    {"READLINK", GF_XDR_FOP_READLINK, readlink_actor},
    {"MKNOD", GF_XDR_FOP_MKNOD, mknod_actor},
    {"SYMLINK", GF_XDR_FOP_SYMLINK, symlink_actor},
    {"LINK", GF_XDR_FOP_LINK, link_actor},
    {"REMOVEXATTR", GF_XDR_FOP_REMOVEXATTR, removexattr_actor},
    {"FGETXATTR", GF_XDR_FOP_FGETXATTR, fgetxattr_actor},
    {"FSETXATTR", GF_XDR_FOP_FSETXATTR, fsetxattr_actor},
    {"FREMOVEXATTR", GF_XDR_FOP_FREMOVEXATTR, fremovexattr_actor},
};
const unsigned server__fop_nactors3 = GF_ARRAY_SIZE(server__fop_actors3);
