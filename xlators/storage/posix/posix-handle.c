/* SPDX-License-Identifier: LGPL-3.0-or-later */
/*
 * posix-handle.c - gfids and the .glusterfs handle tree of storage/posix.
 *
 * Every object carries its gfid in the xattr "<ns>.gfid" (16 raw bytes)
 * and has a handle .glusterfs/xx/yy/<uuid>: a hard link for non-directories,
 * a symlink "../../PX/PY/<parent uuid>/<name>" for directories (the root's
 * is "../../.."). Directory handles are never handed to the kernel to
 * follow: we read them, check their exact shape and walk the chain of
 * names down from the brick fd with O_NOFOLLOW, then check the gfid found
 * matches. So a forged or stale handle yields ESTALE, never a path outside
 * the brick.
 */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/xattr.h>
#include <unistd.h>

#include "posix-int.h"

static const char root_target[] = "../../..";

int
gf__posix_gfid_get(posix_priv_t *priv, int fd, gf_gfid_t *out)
{
    char proc[POSIX_PROC_PATH_MAX];
    ssize_t n;

    /* O_PATH fds refuse fgetxattr: go through the fd's proc link, which
     * names the very object the fd holds. */
    gf__posix_proc_path(fd, proc);
    n = getxattr(proc, priv->gfid_key, out->b, sizeof(out->b));
    if (n < 0)
        return -errno;
    if (n != (ssize_t)sizeof(out->b))
        return -EINVAL;
    return 0;
}

int
gf__posix_gfid_set(posix_priv_t *priv, int fd, const gf_gfid_t *gfid)
{
    char proc[POSIX_PROC_PATH_MAX];

    gf__posix_proc_path(fd, proc);
    if (setxattr(proc, priv->gfid_key, gfid->b, sizeof(gfid->b), XATTR_CREATE) <
        0)
        return -errno;
    return 0;
}

void
gf__posix_handle_rel(const gf_gfid_t *gfid, char *buf, size_t size)
{
    char s[GF_GFID_STR_SIZE];

    gf_gfid_unparse(gfid, s);
    snprintf(buf, size, "%02x/%02x/%s", gfid->b[0], gfid->b[1], s);
}

static int
mkdir_ok(int dirfd, const char *name)
{
    if (mkdirat(dirfd, name, 0700) < 0 && errno != EEXIST)
        return -errno;
    return 0;
}

/* Create .glusterfs/xx and .glusterfs/xx/yy for GFID. */
static int
handle_dirs(posix_priv_t *priv, const gf_gfid_t *gfid)
{
    char d[8];
    int ret;

    snprintf(d, sizeof(d), "%02x", gfid->b[0]);
    ret = mkdir_ok(priv->handles_fd, d);
    if (ret == 0) {
        snprintf(d, sizeof(d), "%02x/%02x", gfid->b[0], gfid->b[1]);
        ret = mkdir_ok(priv->handles_fd, d);
    }
    return ret;
}

static int
handle_link(posix_priv_t *priv, const char *rel, const char *target,
            const char *name, int parent_fd)
{
    /* flags 0: a symlink object is linked itself, never its target */
    if (target ? symlinkat(target, priv->handles_fd, rel)
               : linkat(parent_fd, name, priv->handles_fd, rel, 0))
        return -errno;
    return 0;
}

int
gf__posix_handle_make(posix_priv_t *priv, const gf_gfid_t *gfid, bool is_dir,
                      const gf_gfid_t *pargfid, const char *name, int parent_fd)
{
    char rel[64], prel[64], target[PATH_MAX];
    int ret;

    gf__posix_handle_rel(gfid, rel, sizeof(rel));
    if (is_dir) {
        gf__posix_handle_rel(pargfid, prel, sizeof(prel));
        snprintf(target, sizeof(target), "../../%s/%s", prel, name);
    }
    /* The xx/yy directories usually exist: try first, make them on
     * ENOENT only. */
    ret = handle_link(priv, rel, is_dir ? target : NULL, name, parent_fd);
    if (ret == -ENOENT) {
        ret = handle_dirs(priv, gfid);
        if (ret == 0)
            ret =
                handle_link(priv, rel, is_dir ? target : NULL, name, parent_fd);
    }
    return ret;
}

int
gf__posix_handle_remove(posix_priv_t *priv, const gf_gfid_t *gfid)
{
    char rel[64];

    gf__posix_handle_rel(gfid, rel, sizeof(rel));
    if (unlinkat(priv->handles_fd, rel, 0) < 0 && errno != ENOENT)
        return -errno;
    return 0;
}

bool
gf__posix_handle_exists(posix_priv_t *priv, const gf_gfid_t *gfid)
{
    char rel[64];
    struct stat st;

    if (gf_gfid_is_root(gfid))
        return true;
    gf__posix_handle_rel(gfid, rel, sizeof(rel));
    return fstatat(priv->handles_fd, rel, &st, AT_SYMLINK_NOFOLLOW) == 0;
}

void
gf__posix_obj_close(posix_obj_t *obj)
{
    if (obj->fd >= 0)
        close(obj->fd);
    obj->fd = -1;
}

/* Fill OBJ->st and check OBJ->fd holds the object with gfid GFID. */
static int
obj_check(posix_priv_t *priv, posix_obj_t *obj, const gf_gfid_t *gfid)
{
    int ret;

    if (fstatat(obj->fd, "", &obj->st, AT_EMPTY_PATH) < 0)
        return -errno;
    ret = gf__posix_gfid_get(priv, obj->fd, &obj->gfid);
    if (ret < 0 || !gf_gfid_equal(&obj->gfid, gfid))
        return -ESTALE;
    return 0;
}

/*
 * Parse a directory handle target "../../xx/yy/<uuid>/<name>" into the
 * parent gfid and NAME (pointing into TARGET). Anything else is refused.
 */
static int
parse_dir_target(char *target, gf_gfid_t *parent, char **name)
{
    char hex[8], *uuid, *slash;

    if (strncmp(target, "../../", 6) != 0 || strlen(target) < 6 + 6 + 37 + 1)
        return -ESTALE;
    uuid = target + 12;
    if (uuid[36] != '/')
        return -ESTALE;
    uuid[36] = '\0';
    if (gf_gfid_parse(uuid, parent) < 0)
        return -ESTALE;
    snprintf(hex, sizeof(hex), "%02x/%02x/", parent->b[0], parent->b[1]);
    if (strncmp(target + 6, hex, 6) != 0)
        return -ESTALE;
    *name = uuid + 37;
    slash = strchr(*name, '/');
    if (slash || !**name || !strcmp(*name, ".") || !strcmp(*name, ".."))
        return -ESTALE;
    return 0;
}

/* The names from a directory up to the root, deepest first. Short chains
 * (the common case) live on the stack; deeper ones move to the heap. */
#define CHAIN_LOCAL 16
typedef char chain_name_t[NAME_MAX + 1];
typedef struct chain {
    chain_name_t *names;
    int n, cap;
    chain_name_t local[CHAIN_LOCAL];
} chain_t;

static int
chain_push(chain_t *c, const char *name)
{
    chain_name_t *bigger;

    if (strlen(name) > NAME_MAX)
        return -ESTALE;
    if (c->n == c->cap) {
        if (c->cap >= POSIX_MAX_DEPTH)
            return -ELOOP;
        bigger = malloc(sizeof(*bigger) * (size_t)c->cap * 2);
        if (!bigger)
            return -ENOMEM;
        memcpy(bigger, c->names, sizeof(*bigger) * (size_t)c->n);
        if (c->names != c->local)
            free(c->names);
        c->names = bigger;
        c->cap *= 2;
    }
    memcpy(c->names[c->n++], name, strlen(name) + 1);
    return 0;
}

/* Walk the chain's names down from the brick root, never following a
 * symlink. */
static int
walk_down(posix_priv_t *priv, chain_t *c)
{
    int fd = priv->brick_fd, next, flags, n = c->n;

    if (n == 0)
        return openat(fd, ".", O_RDONLY | O_DIRECTORY | O_CLOEXEC);
    while (n-- > 0) {
        /* Only the last level needs a readable fd; the ones on the way
         * are O_PATH, which costs less and needs only search permission. */
        flags = (n ? O_PATH : O_RDONLY) | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC;
        next = openat(fd, c->names[n], flags);
        if (fd != priv->brick_fd)
            close(fd);
        if (next < 0)
            return errno == ENOENT || errno == ENOTDIR || errno == ELOOP
                       ? -ESTALE
                       : -errno;
        fd = next;
    }
    return fd;
}

/* Resolve directory gfid GFID (its handle is the symlink whose target is
 * already in FIRST) into an open directory fd. */
static int
open_dir_chain(posix_priv_t *priv, const gf_gfid_t *gfid, const char *first)
{
    chain_t c = {.n = 0, .cap = CHAIN_LOCAL};
    char rel[64], buf[PATH_MAX];
    gf_gfid_t cur = *gfid;
    ssize_t len;
    int ret = 0;

    c.names = c.local;
    snprintf(buf, sizeof(buf), "%s", first);
    while (strcmp(buf, root_target) != 0) {
        char *name;

        ret = parse_dir_target(buf, &cur, &name);
        if (ret == 0 && gf_gfid_is_root(&cur) && !strcmp(name, ".glusterfs"))
            ret = -ESTALE;
        if (ret == 0)
            ret = chain_push(&c, name);
        if (ret < 0 || gf_gfid_is_root(&cur))
            break;
        gf__posix_handle_rel(&cur, rel, sizeof(rel));
        len = readlinkat(priv->handles_fd, rel, buf, sizeof(buf) - 1);
        if (len < 0) {
            ret = errno == ENOENT || errno == EINVAL ? -ESTALE : -errno;
            break;
        }
        buf[len] = '\0';
    }
    if (ret == 0)
        ret = walk_down(priv, &c);
    if (c.names != c.local)
        free(c.names);
    return ret;
}

int
gf__posix_open_gfid(posix_priv_t *priv, const gf_gfid_t *gfid, posix_obj_t *obj)
{
    char rel[64], buf[PATH_MAX];
    struct stat st;
    ssize_t len;
    int ret;

    obj->fd = -1;
    if (gf_gfid_is_null(gfid))
        return -EINVAL;
    if (gf_gfid_is_root(gfid)) {
        obj->fd = openat(priv->brick_fd, ".", O_RDONLY | O_DIRECTORY);
        if (obj->fd < 0)
            return -errno;
        ret = obj_check(priv, obj, gfid);
        goto out;
    }
    gf__posix_handle_rel(gfid, rel, sizeof(rel));
    if (fstatat(priv->handles_fd, rel, &st, AT_SYMLINK_NOFOLLOW) < 0)
        return errno == ENOENT ? -ESTALE : -errno;
    len = -1;
    /* A directory handle is a symlink with one link; a symlink object's
     * handle is a hard link to it, so it has two or more. */
    if (S_ISLNK(st.st_mode) && st.st_nlink == 1) {
        len = readlinkat(priv->handles_fd, rel, buf, sizeof(buf) - 1);
        if (len < 0)
            return -errno;
        buf[len] = '\0';
        obj->fd = open_dir_chain(priv, gfid, buf);
        if (obj->fd < 0) {
            ret = obj->fd;
            obj->fd = -1;
            return ret;
        }
    } else {
        obj->fd = openat(priv->handles_fd, rel, O_PATH | O_NOFOLLOW);
        if (obj->fd < 0)
            return errno == ENOENT ? -ESTALE : -errno;
    }
    ret = obj_check(priv, obj, gfid);
out:
    if (ret < 0)
        gf__posix_obj_close(obj);
    return ret;
}

int
gf__posix_open_at(posix_priv_t *priv, int dirfd, const char *name,
                  posix_obj_t *obj)
{
    struct stat st;
    int ret;

    obj->fd = -1;
    if (fstatat(dirfd, name, &st, AT_SYMLINK_NOFOLLOW) < 0)
        return -errno;
    if (S_ISDIR(st.st_mode))
        obj->fd = openat(dirfd, name, O_RDONLY | O_DIRECTORY | O_NOFOLLOW);
    else
        obj->fd = openat(dirfd, name, O_PATH | O_NOFOLLOW);
    if (obj->fd < 0)
        return -errno;
    if (fstatat(obj->fd, "", &obj->st, AT_EMPTY_PATH) < 0) {
        ret = -errno;
        gf__posix_obj_close(obj);
        return ret;
    }
    /* An object made outside gfsd has no gfid yet: null, not an error. */
    if (gf__posix_gfid_get(priv, obj->fd, &obj->gfid) < 0)
        obj->gfid = gf_gfid_null();
    return 0;
}

static void
loc_gfids(const gf_loc_t *loc, gf_gfid_t *gfid, gf_gfid_t *pargfid)
{
    *gfid = loc->gfid;
    *pargfid = loc->pargfid;
    if (gf_gfid_is_null(gfid) && loc->inode)
        gf_inode_gfid(loc->inode, gfid);
    if (gf_gfid_is_null(pargfid) && loc->parent)
        gf_inode_gfid(loc->parent, pargfid);
}

int
gf__posix_open_parent(posix_priv_t *priv, const gf_loc_t *loc,
                      posix_obj_t *parent)
{
    gf_gfid_t gfid, pargfid;
    int ret;

    parent->fd = -1;
    if (!loc)
        return -EINVAL;
    loc_gfids(loc, &gfid, &pargfid);
    ret = gf__posix_check_name(priv, &pargfid, loc->name);
    if (ret < 0)
        return ret;
    ret = gf__posix_open_gfid(priv, &pargfid, parent);
    if (ret == 0 && !S_ISDIR(parent->st.st_mode)) {
        gf__posix_obj_close(parent);
        ret = -ENOTDIR;
    }
    return ret;
}

int
gf__posix_open_loc(posix_priv_t *priv, const gf_loc_t *loc, posix_obj_t *obj)
{
    gf_gfid_t gfid, pargfid;
    posix_obj_t parent;
    int ret;

    obj->fd = -1;
    if (!loc)
        return -EINVAL;
    loc_gfids(loc, &gfid, &pargfid);
    if (!gf_gfid_is_null(&gfid))
        return gf__posix_open_gfid(priv, &gfid, obj);
    ret = gf__posix_open_parent(priv, loc, &parent);
    if (ret < 0)
        return ret;
    ret = gf__posix_open_at(priv, parent.fd, loc->name, obj);
    gf__posix_obj_close(&parent);
    return ret;
}

/* Make .glusterfs, the root gfid and the root handle. */
int
gf__posix_handle_init(posix_priv_t *priv)
{
    gf_gfid_t root = gf_gfid_root(), have;
    char rel[64], buf[PATH_MAX];
    ssize_t len;
    int ret;

    if (fgetxattr(priv->brick_fd, priv->gfid_key, have.b, sizeof(have.b)) ==
        (ssize_t)sizeof(have.b)) {
        if (!gf_gfid_is_root(&have))
            return -EINVAL;
    } else if (errno != ENODATA) {
        return -errno;
    } else if (fsetxattr(priv->brick_fd, priv->gfid_key, root.b, sizeof(root.b),
                         XATTR_CREATE) < 0) {
        return -errno;
    }
    if (mkdirat(priv->brick_fd, ".glusterfs", 0700) < 0 && errno != EEXIST)
        return -errno;
    priv->handles_fd = openat(priv->brick_fd, ".glusterfs",
                              O_RDONLY | O_DIRECTORY | O_NOFOLLOW);
    if (priv->handles_fd < 0)
        return -errno;
    ret = handle_dirs(priv, &root);
    if (ret < 0)
        return ret;
    gf__posix_handle_rel(&root, rel, sizeof(rel));
    if (symlinkat(root_target, priv->handles_fd, rel) < 0 && errno != EEXIST)
        return -errno;
    len = readlinkat(priv->handles_fd, rel, buf, sizeof(buf) - 1);
    if (len < 0)
        return -errno;
    buf[len] = '\0';
    return strcmp(buf, root_target) == 0 ? 0 : -EINVAL;
}
