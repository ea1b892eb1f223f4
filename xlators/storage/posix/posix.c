/* SPDX-License-Identifier: LGPL-3.0-or-later */
/*
 * storage/posix - the brick's disk translator: serves every fop from a
 * local directory. This file holds the descriptor, the options, init and
 * fini, and the small helpers all fops share (iatt conversion, name
 * checks). Handles are in posix-handle.c, entry fops in posix-entry.c,
 * inode fops in posix-inode.c, fd fops in posix-fd.c.
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

static const char *const ns_values[] = {"trusted", "user", NULL};

static const gf_option_t posix_options[] = {
    {.key = "directory",
     .type = GF_OPTION_PATH,
     .description = "the brick directory (required)"},
    {.key = "gfid-xattr-namespace",
     .type = GF_OPTION_STR,
     .values = ns_values,
     .description = "xattr namespace of the gfid: trusted (default as root) "
                    "or user (default otherwise)"},
    {.key = NULL},
};

void
gf__posix_proc_path(int fd, char *buf)
{
    snprintf(buf, POSIX_PROC_PATH_MAX, "/proc/self/fd/%d", fd);
}

void
gf__posix_iatt_fill(gf_iatt_t *ia, const struct stat *st, const gf_gfid_t *gfid)
{
    uint64_t ino = 0;

    memset(ia, 0, sizeof(*ia));
    if (gfid)
        ia->gfid = *gfid;
    /* As upstream: ino is the gfid's last 8 bytes, so it is stable across
     * bricks and the root (...0001) gets 1. */
    for (int i = 8; i < 16; i++)
        ino = (ino << 8) | ia->gfid.b[i];
    ia->ino = ino ? ino : (uint64_t)st->st_ino;
    ia->dev = st->st_dev;
    ia->rdev = st->st_rdev;
    ia->size = (uint64_t)st->st_size;
    ia->blocks = (uint64_t)st->st_blocks;
    ia->mode = st->st_mode;
    ia->nlink = (uint32_t)st->st_nlink;
    ia->uid = st->st_uid;
    ia->gid = st->st_gid;
    ia->blksize = (uint32_t)st->st_blksize;
    ia->atime = st->st_atim.tv_sec;
    ia->atime_nsec = (uint32_t)st->st_atim.tv_nsec;
    ia->mtime = st->st_mtim.tv_sec;
    ia->mtime_nsec = (uint32_t)st->st_mtim.tv_nsec;
    ia->ctime = st->st_ctim.tv_sec;
    ia->ctime_nsec = (uint32_t)st->st_ctim.tv_nsec;
    /* Non-directories carry their gfid handle as an extra link. */
    if (!S_ISDIR(st->st_mode) && ia->nlink > 1 && !gf_gfid_is_null(&ia->gfid))
        ia->nlink--;
}

int
gf__posix_fstat_iatt(int fd, const gf_gfid_t *gfid, gf_iatt_t *ia)
{
    struct stat st;

    if (fstatat(fd, "", &st, AT_EMPTY_PATH) < 0)
        return -errno;
    gf__posix_iatt_fill(ia, &st, gfid);
    return 0;
}

/*
 * A name a client may use in directory PARGFID: one component, not ".",
 * "..", nor .glusterfs at the brick root.
 */
int
gf__posix_check_name(posix_priv_t *priv, const gf_gfid_t *pargfid,
                     const char *name)
{
    (void)priv;
    if (!name || !*name || gf_gfid_is_null(pargfid))
        return -EINVAL;
    if (strchr(name, '/') || !strcmp(name, ".") || !strcmp(name, ".."))
        return -EINVAL;
    if (strlen(name) > NAME_MAX)
        return -ENAMETOOLONG;
    if (gf_gfid_is_root(pargfid) && !strcmp(name, ".glusterfs"))
        return -EPERM;
    return 0;
}

static int
probe_xattrs(gf_xlator_t *self, posix_priv_t *priv)
{
    char v;

    if (fgetxattr(priv->brick_fd, priv->gfid_key, &v, 0) < 0 &&
        (errno == ENOTSUP || errno == EPERM)) {
        gf_log(gf_xlator_name(self), GF_LOG_ERROR,
               "%s: extended attributes (%s) not supported: %s",
               priv->directory, priv->gfid_key, strerror(errno));
        return -ENOTSUP;
    }
    return 0;
}

static int
open_brick(gf_xlator_t *self, posix_priv_t *priv)
{
    struct stat st;
    int ret;

    priv->brick_fd = open(priv->directory, O_RDONLY | O_DIRECTORY);
    if (priv->brick_fd < 0 || fstat(priv->brick_fd, &st) < 0) {
        ret = -errno;
        gf_log(gf_xlator_name(self), GF_LOG_ERROR, "brick directory %s: %s",
               priv->directory, strerror(-ret));
        return ret;
    }
    priv->brick_dev = st.st_dev;
    priv->brick_ino = st.st_ino;
    ret = probe_xattrs(self, priv);
    if (ret == 0)
        ret = gf__posix_handle_init(priv);
    if (ret == 0)
        ret = gf__posix_stage_init(priv);
    if (ret < 0)
        gf_log(gf_xlator_name(self), GF_LOG_ERROR,
               "brick %s: root gfid or .glusterfs handle: %s", priv->directory,
               strerror(-ret));
    return ret;
}

static void
priv_free(posix_priv_t *priv)
{
    if (priv->stage_fd >= 0)
        close(priv->stage_fd);
    if (priv->handles_fd >= 0)
        close(priv->handles_fd);
    if (priv->brick_fd >= 0)
        close(priv->brick_fd);
    free(priv->directory);
    free(priv);
}

static int
posix_init(gf_xlator_t *self)
{
    const gf_option_set_t *opts = gf_xlator_options(self);
    const char *dir = NULL, *ns = NULL;
    posix_priv_t *priv;
    int ret;

    if (gf_option_get_str(opts, "directory", &dir) < 0 || !dir) {
        gf_log(gf_xlator_name(self), GF_LOG_ERROR,
               "option 'directory' is required");
        return -EINVAL;
    }
    if (gf_option_get_str(opts, "gfid-xattr-namespace", &ns) < 0 || !ns)
        ns = geteuid() == 0 ? "trusted" : "user";
    priv = calloc(1, sizeof(*priv));
    if (!priv)
        return -ENOMEM;
    priv->brick_fd = priv->handles_fd = priv->stage_fd = -1;
    priv->slot = gf_xlator_ctx_slot(self);
    snprintf(priv->gfid_key, sizeof(priv->gfid_key), "%s.gfid", ns);
    priv->directory = strdup(dir);
    ret = priv->directory ? open_brick(self, priv) : -ENOMEM;
    if (ret < 0) {
        priv_free(priv);
        return ret;
    }
    gf_xlator_set_private(self, priv);
    return 0;
}

static void
posix_fini(gf_xlator_t *self)
{
    posix_priv_t *priv = gf_xlator_private(self);

    if (priv)
        priv_free(priv);
    gf_xlator_set_private(self, NULL);
}

static const gf_xlator_fops_t posix_fops = {
    .lookup = gf__posix_lookup,
    .mkdir = gf__posix_mkdir,
    .create = gf__posix_create,
    .mknod = gf__posix_mknod,
    .symlink = gf__posix_symlink,
    .link = gf__posix_link,
    .unlink = gf__posix_unlink,
    .rmdir = gf__posix_rmdir,
    .rename = gf__posix_rename,
    .stat = gf__posix_stat,
    .statfs = gf__posix_statfs,
    .truncate = gf__posix_truncate,
    .setattr = gf__posix_setattr,
    .getxattr = gf__posix_getxattr,
    .setxattr = gf__posix_setxattr,
    .removexattr = gf__posix_removexattr,
    .access = gf__posix_access,
    .readlink = gf__posix_readlink,
    .open = gf__posix_open,
    .opendir = gf__posix_opendir,
    .readdir = gf__posix_readdir,
    .readdirp = gf__posix_readdirp,
    .readv = gf__posix_readv,
    .writev = gf__posix_writev,
    .flush = gf__posix_flush,
    .fsync = gf__posix_fsync,
    .release = gf__posix_release,
    .releasedir = gf__posix_releasedir,
    .fstat = gf__posix_fstat,
    .ftruncate = gf__posix_ftruncate,
    .fsetattr = gf__posix_fsetattr,
    .fgetxattr = gf__posix_fgetxattr,
    .fsetxattr = gf__posix_fsetxattr,
    .fremovexattr = gf__posix_fremovexattr,
    .xattrop = gf__posix_xattrop,
    .fxattrop = gf__posix_fxattrop,
};

/* An fd that dies without a RELEASE (its client vanished, its table was
 * freed) still gets its OS fd closed. */
static const gf_xlator_cbks_t posix_cbks = {
    .release = gf__posix_fd_forget,
    .releasedir = gf__posix_fd_forget,
};

GF_XLATOR_DESCRIPTOR(storage_posix) = {
    .abi_major = GF_XLATOR_ABI_MAJOR,
    .abi_minor = GF_XLATOR_ABI_MINOR,
    .type = "storage/posix",
    .description = "serves fops from a local brick directory",
    .options = posix_options,
    .init = posix_init,
    .fini = posix_fini,
    .fops = &posix_fops,
    .cbks = &posix_cbks,
};
