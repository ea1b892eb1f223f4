/* SPDX-License-Identifier: LGPL-3.0-or-later */
/*
 * client-fs.c - paths and fds for the gfs commands. A path is resolved as
 * gfapi does: from the root inode, one LOOKUP per component (parent gfid
 * and name), each reply linked into the inode table so that the next
 * component, and any fop after, can name its object by inode and gfid, as
 * protocol/client needs. New objects get their gfid from the client
 * ("gfid-req" in xdata), as every GlusterFS client does.
 */
#include <errno.h>
#include <fcntl.h>
#include <string.h>
#include <sys/stat.h>

#include <gf/dict.h>

#include "client-int.h"

void
gfs__loc(const gfs_path_t *p, gf_loc_t *loc)
{
    memset(loc, 0, sizeof(*loc));
    loc->path = p->path;
    loc->inode = p->inode;
    loc->parent = p->parent;
    loc->name = p->parent ? p->name : NULL;
    if (p->inode)
        gf_inode_gfid(p->inode, &loc->gfid);
    if (p->parent)
        gf_inode_gfid(p->parent, &loc->pargfid);
}

int
gfs__loc_entry(gf_inode_t *dir, const char *name, gf_loc_t *loc)
{
    memset(loc, 0, sizeof(*loc));
    loc->inode = gf_inode_new(gf_inode_table_of(dir));
    if (!loc->inode)
        return -errno;
    loc->parent = dir;
    loc->name = name;
    loc->path = name;
    gf_inode_gfid(dir, &loc->pargfid);
    return 0;
}

gf_inode_t *
gfs__link(gf_loc_t *loc, const gf_iatt_t *st)
{
    gf_inode_t *in =
        gf_inode_link(loc->inode, loc->parent, loc->name, &st->gfid,
                      gf_inode_type_from_mode(st->mode));

    if (in)
        gf_inode_lookup(in);
    return in;
}

int
gfs__lookup(gfs_t *c, gf_inode_t *dir, const char *name, gf_inode_t **out,
            gf_iatt_t *st)
{
    gf_syncop_lookup_out_t o;
    gf_loc_t loc;
    int ret = gfs__loc_entry(dir, name, &loc);

    if (ret < 0)
        return ret;
    ret = gf_syncop_lookup(&c->sc, &o, &loc, NULL);
    if (ret >= 0 && !o.buf)
        ret = -EIO;
    if (ret >= 0) {
        *st = *o.buf;
        *out = gfs__link(&loc, o.buf);
        ret = *out ? 0 : -errno;
    }
    gf_syncop_lookup_out_wipe(&o);
    gf_inode_unref(loc.inode);
    return ret;
}

/* The next component of *S (skipping slashes and "."), NUL-terminated in
 * place; NULL at the end. */
static char *
component(char **s)
{
    char *c = *s, *e;

    for (;;) {
        while (*c == '/')
            c++;
        if (!*c)
            return NULL;
        e = strchr(c, '/');
        *s = e ? e + 1 : c + strlen(c);
        if (e)
            *e = '\0';
        if (strcmp(c, ".") != 0)
            return c;
        c = *s;
    }
}

/* One step down: P's object becomes the parent of NAME. A missing last
 * component leaves P pointing at it (inode NULL) with -ENOENT. */
static int
step(gfs_t *c, gfs_path_t *p, const char *name)
{
    gf_inode_t *in = NULL;
    int ret;

    if (gf_inode_type(p->inode) != GF_INODE_DIR)
        return -ENOTDIR;
    if (strcmp(name, "..") == 0)
        return -EINVAL; /* no dentry walk upwards: say it plainly */
    if (strlen(name) > GF_INODE_NAME_MAX)
        return -ENAMETOOLONG;
    ret = gfs__lookup(c, p->inode, name, &in, &p->st);
    gf_inode_unref(p->parent);
    p->parent = p->inode;
    p->inode = in;
    p->name = name;
    return ret;
}

int
gfs__resolve(gfs_t *c, const char *path, gfs_path_t *p)
{
    char *s = p->buf, *name, *next;
    int ret = 0;

    memset(p, 0, sizeof(*p));
    p->path = path;
    /* No current directory: a relative path starts at the root too. */
    if (strlen(path) >= sizeof(p->buf))
        return -ENAMETOOLONG;
    strcpy(p->buf, path);
    p->inode = gf_inode_ref(c->root);
    p->name = "/";
    p->st = c->root_st;
    for (name = component(&s); name && ret == 0; name = next) {
        next = component(&s);
        ret = step(c, p, name);
    }
    /* Only a missing last component leaves a parent to create in. */
    if (ret < 0 && (ret != -ENOENT || name))
        gfs__path_wipe(p);
    return ret;
}

void
gfs__path_wipe(gfs_path_t *p)
{
    gf_inode_unref(p->inode);
    gf_inode_unref(p->parent);
    p->inode = p->parent = NULL;
}

gf_dict_t *
gfs__gfid_req(void)
{
    gf_dict_t *x = gf_dict_new();
    gf_gfid_t g;

    gf_gfid_generate(&g);
    if (x && gf_dict_set_uuid(x, "gfid-req", g.b) < 0) {
        gf_dict_unref(x);
        x = NULL;
    }
    return x;
}

int
gfs__mkdir(gfs_t *c, gf_inode_t *dir, const char *name, gf_inode_t **inp)
{
    gf_syncop_mkdir_out_t o;
    gf_dict_t *x = gfs__gfid_req();
    gf_loc_t loc = {0};
    int ret = x ? gfs__loc_entry(dir, name, &loc) : -ENOMEM;

    if (ret == 0) {
        ret = gf_syncop_mkdir(&c->sc, &o, &loc, 0755, 0, x);
        if (ret == 0 && inp && !(*inp = gfs__link(&loc, o.buf)))
            ret = -errno;
        gf_syncop_mkdir_out_wipe(&o);
    }
    gf_inode_unref(loc.inode);
    if (x)
        gf_dict_unref(x);
    return ret;
}

int
gfs__create(gfs_t *c, gf_inode_t *dir, const char *name, int flags,
            gf_fd_t **fdp, gf_inode_t **inp, gf_iatt_t *st)
{
    gf_syncop_create_out_t o;
    gf_dict_t *x = gfs__gfid_req();
    gf_loc_t loc = {0};
    gf_fd_t *fd = NULL;
    int ret = x ? gfs__loc_entry(dir, name, &loc) : -ENOMEM;

    if (ret == 0 && !(fd = gf_fd_new(loc.inode, flags, c->id.pid)))
        ret = -errno;
    if (ret == 0) {
        ret = gf_syncop_create(&c->sc, &o, &loc, flags | O_CREAT | O_EXCL, 0644,
                               0, fd, x);
        if (ret >= 0 && st)
            *st = *o.buf;
        if (ret >= 0 && inp && !(*inp = gfs__link(&loc, o.buf)))
            ret = -errno;
        gf_syncop_create_out_wipe(&o);
    }
    if (ret < 0 && fd)
        gf_fd_unref(fd);
    else if (ret >= 0)
        *fdp = fd;
    gf_inode_unref(loc.inode);
    if (x)
        gf_dict_unref(x);
    return ret < 0 ? ret : 0;
}

int
gfs__open_inode(gfs_t *c, gf_inode_t *inode, int flags, gf_fd_t **fdp)
{
    gf_loc_t loc = {.inode = inode};
    gf_fd_t *fd;
    int ret;

    if (gf_inode_type(inode) == GF_INODE_DIR)
        return -EISDIR;
    fd = gf_fd_new(inode, flags, c->id.pid);
    if (!fd)
        return -errno;
    gf_inode_gfid(inode, &loc.gfid);
    ret = gf_syncop_open(&c->sc, NULL, &loc, flags, fd, NULL);
    if (ret < 0) {
        gf_fd_unref(fd);
        return ret;
    }
    *fdp = fd;
    return 0;
}

int
gfs__open(gfs_t *c, gfs_path_t *p, int flags, gf_fd_t **fdp)
{
    if (p->inode)
        return gfs__open_inode(c, p->inode, flags, fdp);
    return gfs__create(c, p->parent, p->name, flags, fdp, &p->inode, &p->st);
}

int
gfs__close(gfs_t *c, gf_fd_t *fd)
{
    int ret = 0;

    if (gf_inode_type(gf_fd_inode(fd)) != GF_INODE_DIR)
        ret = gf_syncop_flush(&c->sc, NULL, fd, NULL);
    gf_fd_unref(fd);
    return ret;
}
