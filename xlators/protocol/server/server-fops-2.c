/* SPDX-License-Identifier: LGPL-3.0-or-later */
/*
 * server-fops-2.c - FOP actors, part two: directories, namespace changes,
 * sizes, attributes and xattrs (READDIR, READDIRP, MKDIR, UNLINK, RMDIR,
 * RENAME, TRUNCATE, FTRUNCATE, SETATTR, FSETATTR, GETXATTR, SETXATTR), and
 * the registration of the whole FOP program. Procedures not listed get
 * PROC_UNAVAIL from rpcsvc.
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "server-fops.h"

/* Take the decoded name BNAME for a named fop; false if it is unusable. */
static bool
take_name(server_state_t *st, char **bname)
{
    st->named = true;
    st->bname = server__take_str(bname);
    return server__name_ok(st->bname);
}

/* ---- READDIR, READDIRP ------------------------------------------------- */

/* READDIRP hands the client inodes it will name by gfid: link them. */
static void
link_entries(server_state_t *st, gf_dirents_t *entries)
{
    gf_inode_t *dir = gf_fd_inode(st->fd);

    for (gf_dirent_t *e = entries ? entries->head : NULL; e; e = e->next) {
        gf_inode_t *in, *l;

        if (gf_gfid_is_null(&e->stat.gfid) || strcmp(e->name, ".") == 0 ||
            strcmp(e->name, "..") == 0)
            continue;
        in = gf_inode_new(st->client->itable);
        l = in ? gf_inode_link(in, dir, e->name, &e->stat.gfid,
                               gf_inode_type_from_mode(e->stat.mode))
               : NULL;
        if (l) {
            gf_inode_lookup(l);
            gf_inode_unref(l);
        }
        gf_inode_unref(in);
    }
}

static int
readdir_cbk(gf_frame_t *frame, void *cookie, gf_xlator_t *self, int32_t op_ret,
            int32_t op_errno, gf_dirents_t *entries, gf_dict_t *xdata)
{
    server_state_t *st = gf_frame_local(frame);
    gfx_readdirp_rsp rsp; /* gfx_readdir_rsp has the same layout */
    bool plus = st->mode != 0;

    (void)cookie, (void)self;
    memset(&rsp, 0, sizeof(rsp));
    gf_dirents_init(&rsp.reply);
    rsp.op_ret = op_ret;
    rsp.op_errno = op_ret < 0 ? op_errno : 0;
    if (op_ret >= 0 && entries) {
        /* Borrowed for the encoder, which only reads the chain. */
        rsp.reply = *entries;
        if (plus)
            link_entries(st, entries);
    }
    rsp.xdata = xdata;
    server__reply(st,
                  plus ? (xdrproc_t)xdr_gfx_readdirp_rsp
                       : (xdrproc_t)xdr_gfx_readdir_rsp,
                  &rsp);
    return 0;
}

static void
readdir_resume(server_state_t *st)
{
    if (st->mode)
        gf_wind_readdirp(st->frame, st->bound, readdir_cbk, NULL, st->fd,
                         st->size, (off_t)st->offset, st->xdata);
    else
        gf_wind_readdir(st->frame, st->bound, readdir_cbk, NULL, st->fd,
                        st->size, (off_t)st->offset, st->xdata);
}

static int
readdir_actor(gf_rpcsvc_req_t *req, void *data)
{
    bool plus = gf_rpcsvc_req_proc(req) == GF_XDR_FOP_READDIRP;
    gfx_readdir_req a; /* gfx_readdirp_req has the same layout */
    server_state_t *st;

    memset(&a, 0, sizeof(a));
    if (server__decode(req, (xdrproc_t)xdr_gfx_readdir_req, &a, sizeof(a),
                       NULL) < 0)
        return -EBADMSG;
    st = server__state_new(req, data);
    if (st) {
        st->mode = plus;
        st->size = a.size;
        st->offset = a.offset;
        st->xdata = server__take_dict(&a.xdata);
        server__fd_start(st, a.fd, readdir_resume);
    }
    xdr_free((xdrproc_t)xdr_gfx_readdir_req, (char *)&a);
    return 0;
}

/* ---- MKDIR ------------------------------------------------------------- */

static int
mkdir_cbk(gf_frame_t *frame, void *cookie, gf_xlator_t *self, int32_t op_ret,
          int32_t op_errno, gf_inode_t *inode, gf_iatt_t *buf,
          gf_iatt_t *preparent, gf_iatt_t *postparent, gf_dict_t *xdata)
{
    server_state_t *st = gf_frame_local(frame);
    gfx_common_3iatt_rsp rsp;
    gf_inode_t *l = NULL;

    (void)cookie, (void)self, (void)inode;
    memset(&rsp, 0, sizeof(rsp));
    if (op_ret >= 0 && buf) {
        l = gf_inode_link(st->loc.inode, st->loc.parent, st->bname, &buf->gfid,
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

static void
mkdir_resume(server_state_t *st)
{
    gf_inode_unref(st->loc.inode);
    memset(&st->loc.gfid, 0, sizeof(st->loc.gfid));
    st->loc.inode = gf_inode_new(st->client->itable);
    if (!st->loc.inode) {
        server__state_fail(st, ENOMEM);
        return;
    }
    gf_wind_mkdir(st->frame, st->bound, mkdir_cbk, NULL, &st->loc, st->mode,
                  st->umask, st->xdata);
}

static int
mkdir_actor(gf_rpcsvc_req_t *req, void *data)
{
    gfx_mkdir_req a;
    server_state_t *st;

    memset(&a, 0, sizeof(a));
    if (server__decode(req, (xdrproc_t)xdr_gfx_mkdir_req, &a, sizeof(a), NULL) <
        0)
        return -EBADMSG;
    st = server__state_new(req, data);
    if (st) {
        memcpy(st->pargfid.b, a.pargfid, 16);
        st->mode = a.mode;
        st->umask = a.umask;
        st->xdata = server__take_dict(&a.xdata);
        st->resume = mkdir_resume;
        if (take_name(st, &a.bname))
            server__resolve(st);
        else
            server__state_fail(st, EINVAL);
    }
    xdr_free((xdrproc_t)xdr_gfx_mkdir_req, (char *)&a);
    return 0;
}

/* ---- UNLINK, RMDIR ----------------------------------------------------- */

static int
unlink_cbk(gf_frame_t *frame, void *cookie, gf_xlator_t *self, int32_t op_ret,
           int32_t op_errno, gf_iatt_t *preparent, gf_iatt_t *postparent,
           gf_dict_t *xdata)
{
    server_state_t *st = gf_frame_local(frame);

    if (op_ret >= 0 && st->loc.inode) {
        gf_inode_unlink(st->loc.inode, st->loc.parent, st->bname);
        /* The client holds no lookup on a name it deleted: without
         * this, every deleted inode would sit in the LRU until the
         * table's limit pushed it out. */
        gf_inode_forget_if_unlinked(st->loc.inode);
    }
    return server__2iatt_cbk(frame, cookie, self, op_ret, op_errno, preparent,
                             postparent, xdata);
}

static void
unlink_resume(server_state_t *st)
{
    if (st->mode)
        gf_wind_rmdir(st->frame, st->bound, unlink_cbk, NULL, &st->loc,
                      st->flags, st->xdata);
    else
        gf_wind_unlink(st->frame, st->bound, unlink_cbk, NULL, &st->loc,
                       st->flags, st->xdata);
}

static int
unlink_actor(gf_rpcsvc_req_t *req, void *data)
{
    gfx_unlink_req a;
    server_state_t *st;

    memset(&a, 0, sizeof(a));
    if (server__decode(req, (xdrproc_t)xdr_gfx_unlink_req, &a, sizeof(a),
                       NULL) < 0)
        return -EBADMSG;
    st = server__state_new(req, data);
    if (st) {
        memcpy(st->pargfid.b, a.pargfid, 16);
        st->flags = (int32_t)a.xflags;
        st->xdata = server__take_dict(&a.xdata);
        st->resume = unlink_resume;
        if (take_name(st, &a.bname))
            server__resolve(st);
        else
            server__state_fail(st, EINVAL);
    }
    xdr_free((xdrproc_t)xdr_gfx_unlink_req, (char *)&a);
    return 0;
}

static int
rmdir_actor(gf_rpcsvc_req_t *req, void *data)
{
    gfx_rmdir_req a;
    server_state_t *st;

    memset(&a, 0, sizeof(a));
    if (server__decode(req, (xdrproc_t)xdr_gfx_rmdir_req, &a, sizeof(a), NULL) <
        0)
        return -EBADMSG;
    st = server__state_new(req, data);
    if (st) {
        memcpy(st->pargfid.b, a.pargfid, 16);
        st->flags = a.xflags;
        st->mode = 1; /* marks RMDIR for unlink_resume */
        st->xdata = server__take_dict(&a.xdata);
        st->resume = unlink_resume;
        if (take_name(st, &a.bname))
            server__resolve(st);
        else
            server__state_fail(st, EINVAL);
    }
    xdr_free((xdrproc_t)xdr_gfx_rmdir_req, (char *)&a);
    return 0;
}

/* ---- RENAME ------------------------------------------------------------ */

static int
rename_cbk(gf_frame_t *frame, void *cookie, gf_xlator_t *self, int32_t op_ret,
           int32_t op_errno, gf_iatt_t *buf, gf_iatt_t *preoldparent,
           gf_iatt_t *postoldparent, gf_iatt_t *prenewparent,
           gf_iatt_t *postnewparent, gf_dict_t *xdata)
{
    server_state_t *st = gf_frame_local(frame);
    gfx_rename_rsp rsp;

    (void)cookie, (void)self;
    if (op_ret >= 0) {
        /* A file the rename replaced loses its name: forget it as an
         * unlink would. */
        gf_inode_t *victim =
            st->loc2.parent
                ? gf_inode_grep(st->client->itable, st->loc2.parent, st->bname2)
                : NULL;

        gf_inode_rename(st->client->itable, st->loc.parent, st->bname,
                        st->loc2.parent, st->bname2, st->loc.inode);
        if (victim && victim != st->loc.inode)
            gf_inode_forget_if_unlinked(victim);
        if (victim)
            gf_inode_unref(victim);
    }
    memset(&rsp, 0, sizeof(rsp));
    rsp.op_ret = op_ret;
    rsp.op_errno = op_ret < 0 ? op_errno : 0;
    server__iatt(op_ret >= 0 ? buf : NULL, &rsp.stat);
    server__iatt(preoldparent, &rsp.preoldparent);
    server__iatt(postoldparent, &rsp.postoldparent);
    server__iatt(prenewparent, &rsp.prenewparent);
    server__iatt(postnewparent, &rsp.postnewparent);
    rsp.xdata = xdata;
    server__reply(st, (xdrproc_t)xdr_gfx_rename_rsp, &rsp);
    return 0;
}

static void
rename_resume(server_state_t *st)
{
    /* The client looked the source up before renaming it, so the table
     * knows it; without it there is nothing to move. */
    if (!st->loc.inode) {
        server__state_fail(st, ENOENT);
        return;
    }
    gf_wind_rename(st->frame, st->bound, rename_cbk, NULL, &st->loc, &st->loc2,
                   st->xdata);
}

static int
rename_actor(gf_rpcsvc_req_t *req, void *data)
{
    gfx_rename_req a;
    server_state_t *st;

    memset(&a, 0, sizeof(a));
    if (server__decode(req, (xdrproc_t)xdr_gfx_rename_req, &a, sizeof(a),
                       NULL) < 0)
        return -EBADMSG;
    st = server__state_new(req, data);
    if (st) {
        memcpy(st->pargfid.b, a.oldgfid, 16);
        memcpy(st->gfid2.b, a.newgfid, 16);
        st->xdata = server__take_dict(&a.xdata);
        st->bname2 = a.newbname;
        a.newbname = NULL;
        st->resume = rename_resume;
        if (take_name(st, &a.oldbname) && server__name_ok(st->bname2) &&
            !gf_gfid_is_null(&st->gfid2))
            server__resolve(st);
        else
            server__state_fail(st, EINVAL);
    }
    xdr_free((xdrproc_t)xdr_gfx_rename_req, (char *)&a);
    return 0;
}

/* ---- TRUNCATE, FTRUNCATE, SETATTR, FSETATTR ---------------------------- */

static void
truncate_resume(server_state_t *st)
{
    if (st->fd)
        gf_wind_ftruncate(st->frame, st->bound, server__2iatt_cbk, NULL, st->fd,
                          (off_t)st->offset, st->xdata);
    else
        gf_wind_truncate(st->frame, st->bound, server__2iatt_cbk, NULL,
                         &st->loc, (off_t)st->offset, st->xdata);
}

static int
truncate_actor(gf_rpcsvc_req_t *req, void *data)
{
    gfx_truncate_req a;
    server_state_t *st;

    memset(&a, 0, sizeof(a));
    if (server__decode(req, (xdrproc_t)xdr_gfx_truncate_req, &a, sizeof(a),
                       NULL) < 0)
        return -EBADMSG;
    st = server__state_new(req, data);
    if (st) {
        memcpy(st->gfid.b, a.gfid, 16);
        st->offset = a.offset;
        st->xdata = server__take_dict(&a.xdata);
        st->resume = truncate_resume;
        server__resolve(st);
    }
    xdr_free((xdrproc_t)xdr_gfx_truncate_req, (char *)&a);
    return 0;
}

static int
ftruncate_actor(gf_rpcsvc_req_t *req, void *data)
{
    gfx_ftruncate_req a;
    server_state_t *st;

    memset(&a, 0, sizeof(a));
    if (server__decode(req, (xdrproc_t)xdr_gfx_ftruncate_req, &a, sizeof(a),
                       NULL) < 0)
        return -EBADMSG;
    st = server__state_new(req, data);
    if (st) {
        st->offset = a.offset;
        st->xdata = server__take_dict(&a.xdata);
        server__fd_start(st, a.fd, truncate_resume);
    }
    xdr_free((xdrproc_t)xdr_gfx_ftruncate_req, (char *)&a);
    return 0;
}

static void
setattr_resume(server_state_t *st)
{
    if (st->fd)
        gf_wind_fsetattr(st->frame, st->bound, server__2iatt_cbk, NULL, st->fd,
                         &st->stbuf, st->valid, st->xdata);
    else
        gf_wind_setattr(st->frame, st->bound, server__2iatt_cbk, NULL, &st->loc,
                        &st->stbuf, st->valid, st->xdata);
}

static int
setattr_actor(gf_rpcsvc_req_t *req, void *data)
{
    gfx_setattr_req a;
    server_state_t *st;

    memset(&a, 0, sizeof(a));
    if (server__decode(req, (xdrproc_t)xdr_gfx_setattr_req, &a, sizeof(a),
                       NULL) < 0)
        return -EBADMSG;
    st = server__state_new(req, data);
    if (st) {
        memcpy(st->gfid.b, a.gfid, 16);
        gf_xdr_iatt_from_wire(&a.stbuf, &st->stbuf);
        st->valid = a.valid;
        st->xdata = server__take_dict(&a.xdata);
        st->resume = setattr_resume;
        server__resolve(st);
    }
    xdr_free((xdrproc_t)xdr_gfx_setattr_req, (char *)&a);
    return 0;
}

static int
fsetattr_actor(gf_rpcsvc_req_t *req, void *data)
{
    gfx_fsetattr_req a;
    server_state_t *st;

    memset(&a, 0, sizeof(a));
    if (server__decode(req, (xdrproc_t)xdr_gfx_fsetattr_req, &a, sizeof(a),
                       NULL) < 0)
        return -EBADMSG;
    st = server__state_new(req, data);
    if (st) {
        gf_xdr_iatt_from_wire(&a.stbuf, &st->stbuf);
        st->valid = a.valid;
        st->xdata = server__take_dict(&a.xdata);
        server__fd_start(st, a.fd, setattr_resume);
    }
    xdr_free((xdrproc_t)xdr_gfx_fsetattr_req, (char *)&a);
    return 0;
}

/* ---- GETXATTR, SETXATTR ------------------------------------------------ */

static int
getxattr_cbk(gf_frame_t *frame, void *cookie, gf_xlator_t *self, int32_t op_ret,
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
getxattr_resume(server_state_t *st)
{
    gf_wind_getxattr(st->frame, st->bound, getxattr_cbk, NULL, &st->loc,
                     st->name, st->xdata);
}

static int
getxattr_actor(gf_rpcsvc_req_t *req, void *data)
{
    gfx_getxattr_req a;
    server_state_t *st;

    memset(&a, 0, sizeof(a));
    if (server__decode(req, (xdrproc_t)xdr_gfx_getxattr_req, &a, sizeof(a),
                       NULL) < 0)
        return -EBADMSG;
    st = server__state_new(req, data);
    if (st) {
        memcpy(st->gfid.b, a.gfid, 16);
        /* An empty name asks for every xattr. */
        if (a.name && *a.name) {
            st->name = a.name;
            a.name = NULL;
        }
        st->xdata = server__take_dict(&a.xdata);
        st->resume = getxattr_resume;
        server__resolve(st);
    }
    xdr_free((xdrproc_t)xdr_gfx_getxattr_req, (char *)&a);
    return 0;
}

static void
setxattr_resume(server_state_t *st)
{
    gf_wind_setxattr(st->frame, st->bound, server__common_cbk, NULL, &st->loc,
                     st->dict, st->flags, st->xdata);
}

static int
setxattr_actor(gf_rpcsvc_req_t *req, void *data)
{
    gfx_setxattr_req a;
    server_state_t *st;

    memset(&a, 0, sizeof(a));
    if (server__decode(req, (xdrproc_t)xdr_gfx_setxattr_req, &a, sizeof(a),
                       NULL) < 0)
        return -EBADMSG;
    st = server__state_new(req, data);
    if (st) {
        memcpy(st->gfid.b, a.gfid, 16);
        st->flags = (int32_t)a.flags;
        st->dict = server__take_dict(&a.dict);
        st->xdata = server__take_dict(&a.xdata);
        st->resume = setxattr_resume;
        if (st->dict)
            server__resolve(st);
        else
            server__state_fail(st, EINVAL);
    }
    xdr_free((xdrproc_t)xdr_gfx_setxattr_req, (char *)&a);
    return 0;
}

static const gf_rpcsvc_actor_t fop_actors2[] = {
    {"READDIR", GF_XDR_FOP_READDIR, readdir_actor},
    {"READDIRP", GF_XDR_FOP_READDIRP, readdir_actor},
    {"MKDIR", GF_XDR_FOP_MKDIR, mkdir_actor},
    {"UNLINK", GF_XDR_FOP_UNLINK, unlink_actor},
    {"RMDIR", GF_XDR_FOP_RMDIR, rmdir_actor},
    {"RENAME", GF_XDR_FOP_RENAME, rename_actor},
    {"TRUNCATE", GF_XDR_FOP_TRUNCATE, truncate_actor},
    {"FTRUNCATE", GF_XDR_FOP_FTRUNCATE, ftruncate_actor},
    {"SETATTR", GF_XDR_FOP_SETATTR, setattr_actor},
    {"FSETATTR", GF_XDR_FOP_FSETATTR, fsetattr_actor},
    {"GETXATTR", GF_XDR_FOP_GETXATTR, getxattr_actor},
    {"SETXATTR", GF_XDR_FOP_SETXATTR, setxattr_actor},
};

int
server__fop_register(gf_rpcsvc_t *svc, server_priv_t *priv)
{
    gf_rpcsvc_actor_t all[64];
    unsigned n = 0;
    gf_rpcsvc_program_t prog = {
        .name = "GlusterFS 4.x v1",
        .prognum = GF_XDR_FOP_PROG,
        .progver = GF_XDR_FOP_VERS,
        .actors = all,
        .data = priv,
    };

    /* rpcsvc copies the table: one array on the stack is enough. */
    for (unsigned i = 0; i < server__fop_nactors1; i++)
        all[n++] = server__fop_actors1[i];
    for (unsigned i = 0; i < GF_ARRAY_SIZE(fop_actors2); i++)
        all[n++] = fop_actors2[i];
    for (unsigned i = 0; i < server__fop_nactors3; i++)
        all[n++] = server__fop_actors3[i];
    for (unsigned i = 0; i < server__lock_nactors; i++)
        all[n++] = server__lock_actors[i];
    prog.nactors = n;
    return gf_rpcsvc_register(svc, &prog);
}
