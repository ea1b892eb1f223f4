/* SPDX-License-Identifier: LGPL-3.0-or-later */
/*
 * posix-entry.c - the entry fops of storage/posix: lookup, mkdir, create,
 * mknod, symlink, link, unlink, rmdir, rename.
 *
 * Each one opens the parent directory by gfid (never by path), checks the
 * name is a single component, and acts with the *at() calls relative to
 * the parent fd. A new object is made in .glusterfs/gfsd-stage under its
 * gfid's name, gets its gfid xattr (the client's "gfid-req" when given)
 * there, and only then appears under its name (renameat2 NOREPLACE), so a
 * concurrent lookup never finds it without a gfid; its handle follows. If
 * a step fails the object is removed again, so the brick never holds an
 * object without a gfid made by us.
 */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "posix-int.h"

/* Parent open, gfid chosen, parent attributes before the change. */
typedef struct entry_op {
    posix_obj_t parent;
    gf_gfid_t gfid;
    char stage[40]; /* the object's name in priv->stage_fd: its gfid */
    gf_iatt_t preparent;
    gf_iatt_t postparent;
    gf_iatt_t buf;
} entry_op_t;

static int
gfid_req(gf_dict_t *xdata, gf_gfid_t *gfid)
{
    if (xdata && gf_dict_get_uuid(xdata, "gfid-req", gfid->b) == 0) {
        if (gf_gfid_is_null(gfid) || gf_gfid_is_root(gfid))
            return -EINVAL;
        return 0;
    }
    return gf_gfid_generate(gfid);
}

static bool
name_taken(int dirfd, const char *name)
{
    struct stat st;

    return fstatat(dirfd, name, &st, AT_SYMLINK_NOFOLLOW) == 0;
}

static int
entry_begin(posix_priv_t *priv, gf_loc_t *loc, gf_dict_t *xdata, entry_op_t *op)
{
    int ret;

    memset(op, 0, sizeof(*op));
    ret = gf__posix_open_parent(priv, loc, &op->parent);
    if (ret < 0)
        return ret;
    ret = gfid_req(xdata, &op->gfid);
    /* One gfid, one object: refuse a gfid this brick already has. */
    if (ret == 0 && gf__posix_handle_exists(priv, &op->gfid))
        ret = -EEXIST;
    /* A name taken now fails at once (the rename below decides races). */
    if (ret == 0 && name_taken(op->parent.fd, loc->name))
        ret = -EEXIST;
    if (ret == 0)
        gf_gfid_unparse(&op->gfid, op->stage);
    if (ret < 0) {
        gf__posix_obj_close(&op->parent);
        return ret;
    }
    gf__posix_iatt_fill(&op->preparent, &op->parent.st, &op->parent.gfid);
    return 0;
}

int
gf__posix_stage_init(posix_priv_t *priv)
{
    struct dirent *de;
    DIR *d;
    int fd;

    if (mkdirat(priv->handles_fd, "gfsd-stage", 0700) < 0 && errno != EEXIST)
        return -errno;
    priv->stage_fd = openat(priv->handles_fd, "gfsd-stage",
                            O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
    if (priv->stage_fd < 0)
        return -errno;
    /* Leftovers of a crash between making and publishing: nobody knew
     * them (a staged directory is always empty). */
    fd = dup(priv->stage_fd);
    d = fd >= 0 ? fdopendir(fd) : NULL;
    if (!d) {
        if (fd >= 0)
            close(fd);
        return -errno;
    }
    while ((de = readdir(d)) != NULL)
        if (strcmp(de->d_name, ".") != 0 && strcmp(de->d_name, "..") != 0 &&
            unlinkat(priv->stage_fd, de->d_name, 0) < 0 && errno == EISDIR)
            unlinkat(priv->stage_fd, de->d_name, AT_REMOVEDIR);
    closedir(d);
    return 0;
}

/* Move the staged object to NAME in the parent, failing if NAME exists. */
static int
publish(posix_priv_t *priv, entry_op_t *op, const char *name, bool dir)
{
    if (renameat2(priv->stage_fd, op->stage, op->parent.fd, name,
                  RENAME_NOREPLACE) == 0)
        return 0;
    if (errno != EINVAL && errno != ENOSYS)
        return -errno;
    /* A filesystem without RENAME_NOREPLACE: link(2) never replaces; a
     * directory can only be checked first (a small race remains). */
    if (!dir) {
        if (linkat(priv->stage_fd, op->stage, op->parent.fd, name, 0) < 0)
            return -errno;
        unlinkat(priv->stage_fd, op->stage, 0);
        return 0;
    }
    if (name_taken(op->parent.fd, name))
        return -EEXIST;
    return renameat(priv->stage_fd, op->stage, op->parent.fd, name) < 0 ? -errno
                                                                        : 0;
}

/* Give the object just made in the stage its gfid and handle, publish it
 * at NAME, and fill the reply attributes; on failure remove it again. The
 * handle comes first: a client that finds NAME may use its gfid at once.
 * (A directory's handle is a symlink to its final place; a file's is a
 * hard link, made from the stage.) */
static int
entry_finish(posix_priv_t *priv, entry_op_t *op, const char *name, bool dir)
{
    posix_obj_t obj;
    bool handled = false, published = false;
    int ret = gf__posix_open_at(priv, priv->stage_fd, op->stage, &obj);

    if (ret == 0)
        ret = gf__posix_gfid_set(priv, obj.fd, &op->gfid);
    if (ret == 0) {
        ret = gf__posix_handle_make(priv, &op->gfid, dir, &op->parent.gfid,
                                    dir ? name : op->stage,
                                    dir ? op->parent.fd : priv->stage_fd);
        handled = ret == 0;
    }
    if (ret == 0) {
        ret = publish(priv, op, name, dir);
        published = ret == 0;
    }
    if (ret == 0)
        ret = gf__posix_fstat_iatt(obj.fd, &op->gfid, &op->buf);
    if (ret == 0)
        ret = gf__posix_fstat_iatt(op->parent.fd, &op->parent.gfid,
                                   &op->postparent);
    gf__posix_obj_close(&obj);
    if (ret < 0) {
        if (handled)
            gf__posix_handle_remove(priv, &op->gfid);
        if (published)
            unlinkat(op->parent.fd, name, dir ? AT_REMOVEDIR : 0);
        else
            unlinkat(priv->stage_fd, op->stage, dir ? AT_REMOVEDIR : 0);
    }
    return ret;
}

int
gf__posix_mkdir(gf_frame_t *frame, gf_xlator_t *self, gf_loc_t *loc,
                uint32_t mode, uint32_t umask, gf_dict_t *xdata)
{
    posix_priv_t *priv = gf_xlator_private(self);
    entry_op_t op;
    int ret = entry_begin(priv, loc, xdata, &op);

    if (ret == 0) {
        if (mkdirat(priv->stage_fd, op.stage, mode & ~umask & 07777) < 0)
            ret = -errno;
        else
            ret = entry_finish(priv, &op, loc->name, true);
        gf__posix_obj_close(&op.parent);
    }
    gf_unwind_mkdir(frame, ret < 0 ? -1 : 0, -ret, ret < 0 ? NULL : loc->inode,
                    &op.buf, &op.preparent, &op.postparent, NULL);
    return 0;
}

int
gf__posix_mknod(gf_frame_t *frame, gf_xlator_t *self, gf_loc_t *loc,
                uint32_t mode, uint64_t rdev, uint32_t umask, gf_dict_t *xdata)
{
    posix_priv_t *priv = gf_xlator_private(self);
    entry_op_t op;
    int ret = entry_begin(priv, loc, xdata, &op);

    if (ret == 0) {
        if (S_ISDIR(mode))
            ret = -EINVAL;
        else if (mknodat(priv->stage_fd, op.stage,
                         (mode & S_IFMT) | (mode & ~umask & 07777),
                         (dev_t)rdev) < 0)
            ret = -errno;
        else
            ret = entry_finish(priv, &op, loc->name, false);
        gf__posix_obj_close(&op.parent);
    }
    gf_unwind_mknod(frame, ret < 0 ? -1 : 0, -ret, ret < 0 ? NULL : loc->inode,
                    &op.buf, &op.preparent, &op.postparent, NULL);
    return 0;
}

int
gf__posix_symlink(gf_frame_t *frame, gf_xlator_t *self, const char *linkname,
                  gf_loc_t *loc, uint32_t umask, gf_dict_t *xdata)
{
    posix_priv_t *priv = gf_xlator_private(self);
    entry_op_t op;
    int ret;

    (void)umask;
    ret = linkname && *linkname ? entry_begin(priv, loc, xdata, &op) : -EINVAL;
    if (ret == 0) {
        /* The target is stored, never followed by us: it may say
         * anything. */
        if (symlinkat(linkname, priv->stage_fd, op.stage) < 0)
            ret = -errno;
        else
            ret = entry_finish(priv, &op, loc->name, false);
        gf__posix_obj_close(&op.parent);
    }
    if (ret < 0)
        memset(&op, 0, sizeof(op));
    gf_unwind_symlink(frame, ret < 0 ? -1 : 0, -ret,
                      ret < 0 ? NULL : loc->inode, &op.buf, &op.preparent,
                      &op.postparent, NULL);
    return 0;
}

static int
create_open(posix_priv_t *priv, entry_op_t *op, gf_loc_t *loc, int32_t flags,
            uint32_t mode, gf_fd_t *fd)
{
    int osfd, ret;

    flags &= ~(O_CREAT | O_EXCL | O_DIRECTORY | O_NOFOLLOW | O_PATH);
    osfd = openat(priv->stage_fd, op->stage,
                  flags | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC, mode);
    if (osfd < 0)
        return -errno;
    ret = entry_finish(priv, op, loc->name, false);
    if (ret < 0) {
        close(osfd);
        return ret;
    }
    ret = gf__posix_fd_attach(priv, fd, osfd, NULL, false);
    if (ret < 0) {
        /* No fd to hand back: the create did not happen. */
        close(osfd);
        gf__posix_handle_remove(priv, &op->gfid);
        unlinkat(op->parent.fd, loc->name, 0);
    }
    return ret;
}

int
gf__posix_create(gf_frame_t *frame, gf_xlator_t *self, gf_loc_t *loc,
                 int32_t flags, uint32_t mode, uint32_t umask, gf_fd_t *fd,
                 gf_dict_t *xdata)
{
    posix_priv_t *priv = gf_xlator_private(self);
    entry_op_t op;
    int ret = fd ? entry_begin(priv, loc, xdata, &op) : -EINVAL;

    if (ret == 0) {
        ret = create_open(priv, &op, loc, flags, mode & ~umask & 07777, fd);
        gf__posix_obj_close(&op.parent);
    }
    if (ret < 0)
        memset(&op, 0, sizeof(op));
    gf_unwind_create(frame, ret < 0 ? -1 : 0, -ret, ret < 0 ? NULL : fd,
                     ret < 0 ? NULL : loc->inode, &op.buf, &op.preparent,
                     &op.postparent, NULL);
    return 0;
}

int
gf__posix_link(gf_frame_t *frame, gf_xlator_t *self, gf_loc_t *oldloc,
               gf_loc_t *newloc, gf_dict_t *xdata)
{
    posix_priv_t *priv = gf_xlator_private(self);
    char proc[POSIX_PROC_PATH_MAX];
    posix_obj_t obj = {.fd = -1};
    entry_op_t op;
    int ret;

    (void)xdata;
    memset(&op, 0, sizeof(op));
    op.parent.fd = -1;
    ret = gf__posix_open_loc(priv, oldloc, &obj);
    if (ret == 0 && (S_ISDIR(obj.st.st_mode) || gf_gfid_is_null(&obj.gfid)))
        ret = -EPERM;
    if (ret == 0)
        ret = gf__posix_open_parent(priv, newloc, &op.parent);
    if (ret == 0) {
        gf__posix_iatt_fill(&op.preparent, &op.parent.st, &op.parent.gfid);
        gf__posix_proc_path(obj.fd, proc);
        /* Through the fd's proc link: the object we resolved, by no
         * path a client could redirect. */
        if (linkat(AT_FDCWD, proc, op.parent.fd, newloc->name,
                   AT_SYMLINK_FOLLOW) < 0)
            ret = -errno;
    }
    if (ret == 0)
        ret = gf__posix_fstat_iatt(obj.fd, &obj.gfid, &op.buf);
    if (ret == 0)
        ret =
            gf__posix_fstat_iatt(op.parent.fd, &op.parent.gfid, &op.postparent);
    gf__posix_obj_close(&obj);
    gf__posix_obj_close(&op.parent);
    gf_unwind_link(frame, ret < 0 ? -1 : 0, -ret,
                   ret < 0 ? NULL : oldloc->inode, &op.buf, &op.preparent,
                   &op.postparent, NULL);
    return 0;
}

/* Remove the handle of OBJ if NAME was its last name (dirs: always). */
static void
drop_handle(posix_priv_t *priv, posix_obj_t *obj)
{
    struct stat st;

    if (gf_gfid_is_null(&obj->gfid) || gf_gfid_is_root(&obj->gfid))
        return;
    if (S_ISDIR(obj->st.st_mode) ||
        (fstatat(obj->fd, "", &st, AT_EMPTY_PATH) == 0 && st.st_nlink <= 1))
        gf__posix_handle_remove(priv, &obj->gfid);
}

static int
remove_entry(posix_priv_t *priv, gf_loc_t *loc, bool dir, entry_op_t *op)
{
    posix_obj_t obj = {.fd = -1};
    int ret;

    memset(op, 0, sizeof(*op));
    ret = gf__posix_open_parent(priv, loc, &op->parent);
    if (ret < 0)
        return ret;
    gf__posix_iatt_fill(&op->preparent, &op->parent.st, &op->parent.gfid);
    ret = gf__posix_open_at(priv, op->parent.fd, loc->name, &obj);
    if (ret == 0 &&
        unlinkat(op->parent.fd, loc->name, dir ? AT_REMOVEDIR : 0) < 0)
        ret = -errno;
    if (ret == 0) {
        drop_handle(priv, &obj);
        ret = gf__posix_fstat_iatt(op->parent.fd, &op->parent.gfid,
                                   &op->postparent);
    }
    gf__posix_obj_close(&obj);
    gf__posix_obj_close(&op->parent);
    return ret;
}

int
gf__posix_unlink(gf_frame_t *frame, gf_xlator_t *self, gf_loc_t *loc,
                 int32_t xflags, gf_dict_t *xdata)
{
    entry_op_t op;
    int ret;

    (void)xflags;
    (void)xdata;
    ret = remove_entry(gf_xlator_private(self), loc, false, &op);
    gf_unwind_unlink(frame, ret < 0 ? -1 : 0, -ret, &op.preparent,
                     &op.postparent, NULL);
    return 0;
}

int
gf__posix_rmdir(gf_frame_t *frame, gf_xlator_t *self, gf_loc_t *loc,
                int32_t xflags, gf_dict_t *xdata)
{
    entry_op_t op;
    int ret;

    (void)xflags;
    (void)xdata;
    ret = remove_entry(gf_xlator_private(self), loc, true, &op);
    gf_unwind_rmdir(frame, ret < 0 ? -1 : 0, -ret, &op.preparent,
                    &op.postparent, NULL);
    return 0;
}

typedef struct rename_op {
    posix_obj_t op, np, src, dst;
    gf_iatt_t buf, preop, postop, prenp, postnp;
} rename_op_t;

static int
rename_do(posix_priv_t *priv, gf_loc_t *oldloc, gf_loc_t *newloc,
          rename_op_t *r)
{
    int ret = gf__posix_open_parent(priv, oldloc, &r->op);

    if (ret == 0)
        ret = gf__posix_open_parent(priv, newloc, &r->np);
    if (ret == 0)
        ret = gf__posix_open_at(priv, r->op.fd, oldloc->name, &r->src);
    if (ret < 0)
        return ret;
    if (gf__posix_open_at(priv, r->np.fd, newloc->name, &r->dst) < 0)
        r->dst.fd = -1;
    gf__posix_iatt_fill(&r->preop, &r->op.st, &r->op.gfid);
    gf__posix_iatt_fill(&r->prenp, &r->np.st, &r->np.gfid);
    if (renameat(r->op.fd, oldloc->name, r->np.fd, newloc->name) < 0)
        return -errno;
    if (r->dst.fd >= 0 && !gf_gfid_equal(&r->dst.gfid, &r->src.gfid))
        drop_handle(priv, &r->dst);
    /* A directory's handle names its parent and name: re-point it. */
    if (S_ISDIR(r->src.st.st_mode) && !gf_gfid_is_null(&r->src.gfid)) {
        gf__posix_handle_remove(priv, &r->src.gfid);
        ret = gf__posix_handle_make(priv, &r->src.gfid, true, &r->np.gfid,
                                    newloc->name, r->np.fd);
    }
    if (ret == 0)
        ret = gf__posix_fstat_iatt(r->src.fd, &r->src.gfid, &r->buf);
    if (ret == 0)
        ret = gf__posix_fstat_iatt(r->op.fd, &r->op.gfid, &r->postop);
    if (ret == 0)
        ret = gf__posix_fstat_iatt(r->np.fd, &r->np.gfid, &r->postnp);
    return ret;
}

int
gf__posix_rename(gf_frame_t *frame, gf_xlator_t *self, gf_loc_t *oldloc,
                 gf_loc_t *newloc, gf_dict_t *xdata)
{
    rename_op_t r;
    int ret;

    (void)xdata;
    memset(&r, 0, sizeof(r));
    r.op.fd = r.np.fd = r.src.fd = r.dst.fd = -1;
    ret = rename_do(gf_xlator_private(self), oldloc, newloc, &r);
    gf__posix_obj_close(&r.op);
    gf__posix_obj_close(&r.np);
    gf__posix_obj_close(&r.src);
    gf__posix_obj_close(&r.dst);
    gf_unwind_rename(frame, ret < 0 ? -1 : 0, -ret, &r.buf, &r.preop, &r.postop,
                     &r.prenp, &r.postnp, NULL);
    return 0;
}

/* An object found by name without a gfid: adopt the client's gfid-req. */
static int
heal_gfid(posix_priv_t *priv, posix_obj_t *parent, const char *name,
          posix_obj_t *obj, gf_dict_t *xdata)
{
    gf_gfid_t g;
    int ret;

    if (!gf_gfid_is_null(&obj->gfid) || !xdata ||
        gf_dict_get_uuid(xdata, "gfid-req", g.b) < 0 || gf_gfid_is_null(&g) ||
        gf_gfid_is_root(&g) || gf__posix_handle_exists(priv, &g))
        return 0;
    ret = gf__posix_gfid_set(priv, obj->fd, &g);
    if (ret == 0)
        ret = gf__posix_handle_make(priv, &g, S_ISDIR(obj->st.st_mode),
                                    &parent->gfid, name, parent->fd);
    if (ret == 0)
        obj->gfid = g;
    return ret;
}

static int
lookup_named(posix_priv_t *priv, gf_loc_t *loc, gf_dict_t *xdata,
             gf_iatt_t *buf, gf_iatt_t *postparent, gf_dict_t **rsp)
{
    posix_obj_t parent, obj = {.fd = -1};
    gf_loc_t ploc = *loc;
    int ret;

    /* "." names the parent itself (gfapi resolves "/" so). */
    if (!strcmp(loc->name, "."))
        ploc.name = "x";
    ret = gf__posix_open_parent(priv, &ploc, &parent);
    if (ret < 0)
        return ret;
    gf__posix_iatt_fill(postparent, &parent.st, &parent.gfid);
    if (!strcmp(loc->name, ".")) {
        *buf = *postparent;
        *rsp = gf__posix_xattrs_wanted(parent.fd, xdata);
        gf__posix_obj_close(&parent);
        return 0;
    }
    ret = gf__posix_open_at(priv, parent.fd, loc->name, &obj);
    if (ret == 0)
        ret = heal_gfid(priv, &parent, loc->name, &obj, xdata);
    if (ret == 0) {
        gf__posix_iatt_fill(buf, &obj.st, &obj.gfid);
        *rsp = gf__posix_xattrs_wanted(obj.fd, xdata);
    }
    gf__posix_obj_close(&obj);
    gf__posix_obj_close(&parent);
    return ret;
}

int
gf__posix_lookup(gf_frame_t *frame, gf_xlator_t *self, gf_loc_t *loc,
                 gf_dict_t *xdata)
{
    posix_priv_t *priv = gf_xlator_private(self);
    gf_iatt_t buf, postparent;
    gf_dict_t *rsp = NULL;
    posix_obj_t obj;
    int ret;

    memset(&buf, 0, sizeof(buf));
    memset(&postparent, 0, sizeof(postparent));
    if (!loc) {
        ret = -EINVAL;
    } else if (loc->name && (!gf_gfid_is_null(&loc->pargfid) || loc->parent)) {
        ret = lookup_named(priv, loc, xdata, &buf, &postparent, &rsp);
    } else {
        ret = gf__posix_open_loc(priv, loc, &obj);
        if (ret == 0) {
            gf__posix_iatt_fill(&buf, &obj.st, &obj.gfid);
            rsp = gf__posix_xattrs_wanted(obj.fd, xdata);
            gf__posix_obj_close(&obj);
        }
    }
    gf_unwind_lookup(frame, ret < 0 ? -1 : 0, -ret, ret < 0 ? NULL : loc->inode,
                     &buf, ret < 0 ? NULL : rsp, &postparent);
    gf_dict_unref(rsp);
    return 0;
}
