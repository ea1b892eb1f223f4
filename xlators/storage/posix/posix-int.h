/* SPDX-License-Identifier: LGPL-3.0-or-later */
/*
 * posix-int.h - private state and cross-file helpers of storage/posix.
 *
 * Nothing here is resolved by path string: every object is reached from
 * the brick's directory fd with *at() calls that never follow a symlink,
 * so no request can leave the brick.
 */
#ifndef GF_POSIX_INT_H
#define GF_POSIX_INT_H

#include <dirent.h>
#include <pthread.h>
#include <stdbool.h>
#include <sys/stat.h>

#include <gf/xlator.h>

/* Longest xattr name we build ("trusted.gfid"). */
#define POSIX_XATTR_NAME_MAX 32
/* Longest chain of directory handles followed to the root. */
#define POSIX_MAX_DEPTH 4096
/* "/proc/self/fd/<int>" */
#define POSIX_PROC_PATH_MAX 32

typedef struct posix_priv {
    char *directory;
    int brick_fd;    /* O_RDONLY|O_DIRECTORY on the brick root */
    int handles_fd;  /* O_RDONLY|O_DIRECTORY on <brick>/.glusterfs */
    int stage_fd;    /* <brick>/.glusterfs/gfsd-stage (posix-entry.c) */
    dev_t brick_dev; /* identity of the brick root */
    ino_t brick_ino;
    unsigned slot; /* fd context slot this translator uses */
    char gfid_key[POSIX_XATTR_NAME_MAX]; /* "<ns>.gfid" */
} posix_priv_t;

/* What an fd's context slot points at: the OS fd, and for a directory its
 * DIR stream with the offset it is positioned at. */
typedef struct posix_fd {
    int fd;
    DIR *dir;
    bool is_root;         /* the brick root: hide .glusterfs */
    long next_off;        /* telldir() cookie of the next entry */
    pthread_mutex_t lock; /* one reader of the stream at a time */
} posix_fd_t;

/* An object reached by gfid or (parent, name): an fd on it (a real
 * directory fd for directories, O_PATH for the rest) and its stat. */
typedef struct posix_obj {
    int fd;
    struct stat st;
    gf_gfid_t gfid;
} posix_obj_t;

/* ---- posix.c ------------------------------------------------------------ */
void gf__posix_iatt_fill(gf_iatt_t *ia, const struct stat *st,
                         const gf_gfid_t *gfid);
int gf__posix_fstat_iatt(int fd, const gf_gfid_t *gfid, gf_iatt_t *ia);
void gf__posix_proc_path(int fd, char *buf);
int gf__posix_check_name(posix_priv_t *priv, const gf_gfid_t *pargfid,
                         const char *name);

/* ---- posix-handle.c ----------------------------------------------------- */
int gf__posix_gfid_get(posix_priv_t *priv, int fd, gf_gfid_t *out);
int gf__posix_gfid_set(posix_priv_t *priv, int fd, const gf_gfid_t *gfid);
void gf__posix_handle_rel(const gf_gfid_t *gfid, char *buf, size_t size);
int gf__posix_handle_make(posix_priv_t *priv, const gf_gfid_t *gfid,
                          bool is_dir, const gf_gfid_t *pargfid,
                          const char *name, int parent_fd);
int gf__posix_handle_remove(posix_priv_t *priv, const gf_gfid_t *gfid);
bool gf__posix_handle_exists(posix_priv_t *priv, const gf_gfid_t *gfid);
int gf__posix_open_gfid(posix_priv_t *priv, const gf_gfid_t *gfid,
                        posix_obj_t *obj);
int gf__posix_open_at(posix_priv_t *priv, int dirfd, const char *name,
                      posix_obj_t *obj);
int gf__posix_open_loc(posix_priv_t *priv, const gf_loc_t *loc,
                       posix_obj_t *obj);
int gf__posix_open_parent(posix_priv_t *priv, const gf_loc_t *loc,
                          posix_obj_t *parent);
void gf__posix_obj_close(posix_obj_t *obj);
int gf__posix_handle_init(posix_priv_t *priv);
/* posix-entry.c: make (and empty) the directory where new objects get
 * their gfid before they appear under their name. */
int gf__posix_stage_init(posix_priv_t *priv);

/* ---- per-file fop tables ------------------------------------------------ */
int gf__posix_lookup(gf_frame_t *frame, gf_xlator_t *self, gf_loc_t *loc,
                     gf_dict_t *xdata);
int gf__posix_mkdir(gf_frame_t *frame, gf_xlator_t *self, gf_loc_t *loc,
                    uint32_t mode, uint32_t umask, gf_dict_t *xdata);
int gf__posix_create(gf_frame_t *frame, gf_xlator_t *self, gf_loc_t *loc,
                     int32_t flags, uint32_t mode, uint32_t umask, gf_fd_t *fd,
                     gf_dict_t *xdata);
int gf__posix_mknod(gf_frame_t *frame, gf_xlator_t *self, gf_loc_t *loc,
                    uint32_t mode, uint64_t rdev, uint32_t umask,
                    gf_dict_t *xdata);
int gf__posix_symlink(gf_frame_t *frame, gf_xlator_t *self,
                      const char *linkname, gf_loc_t *loc, uint32_t umask,
                      gf_dict_t *xdata);
int gf__posix_link(gf_frame_t *frame, gf_xlator_t *self, gf_loc_t *oldloc,
                   gf_loc_t *newloc, gf_dict_t *xdata);
int gf__posix_unlink(gf_frame_t *frame, gf_xlator_t *self, gf_loc_t *loc,
                     int32_t xflags, gf_dict_t *xdata);
int gf__posix_rmdir(gf_frame_t *frame, gf_xlator_t *self, gf_loc_t *loc,
                    int32_t xflags, gf_dict_t *xdata);
int gf__posix_rename(gf_frame_t *frame, gf_xlator_t *self, gf_loc_t *oldloc,
                     gf_loc_t *newloc, gf_dict_t *xdata);

int gf__posix_stat(gf_frame_t *frame, gf_xlator_t *self, gf_loc_t *loc,
                   gf_dict_t *xdata);
int gf__posix_statfs(gf_frame_t *frame, gf_xlator_t *self, gf_loc_t *loc,
                     gf_dict_t *xdata);
int gf__posix_truncate(gf_frame_t *frame, gf_xlator_t *self, gf_loc_t *loc,
                       off_t offset, gf_dict_t *xdata);
int gf__posix_setattr(gf_frame_t *frame, gf_xlator_t *self, gf_loc_t *loc,
                      gf_iatt_t *stbuf, int32_t valid, gf_dict_t *xdata);
int gf__posix_getxattr(gf_frame_t *frame, gf_xlator_t *self, gf_loc_t *loc,
                       const char *name, gf_dict_t *xdata);
int gf__posix_setxattr(gf_frame_t *frame, gf_xlator_t *self, gf_loc_t *loc,
                       gf_dict_t *dict, int32_t flags, gf_dict_t *xdata);
int gf__posix_removexattr(gf_frame_t *frame, gf_xlator_t *self, gf_loc_t *loc,
                          const char *name, gf_dict_t *xdata);
int gf__posix_access(gf_frame_t *frame, gf_xlator_t *self, gf_loc_t *loc,
                     int32_t mask, gf_dict_t *xdata);
int gf__posix_readlink(gf_frame_t *frame, gf_xlator_t *self, gf_loc_t *loc,
                       size_t size, gf_dict_t *xdata);
/* Shared by the fd xattr fops: OS fd FD (any kind) of object GFID. */
int gf__posix_do_setattr(int fd, const struct stat *st, gf_iatt_t *stbuf,
                         int32_t valid);
int gf__posix_xattr_get(posix_priv_t *priv, int fd, const char *name,
                        gf_dict_t **out);
int gf__posix_xattr_set(posix_priv_t *priv, int fd, gf_dict_t *dict,
                        int32_t flags);
int gf__posix_xattr_remove(posix_priv_t *priv, int fd, const char *name);
/* The extended attributes a LOOKUP's xdata REQ names (keys in the
 * trusted., user., security. and system. namespaces) that the object open
 * at FD has, for the reply's xdata: a new dict (maybe empty) when REQ is
 * not NULL; NULL without REQ or memory. */
gf_dict_t *gf__posix_xattrs_wanted(int fd, gf_dict_t *req);

int gf__posix_open(gf_frame_t *frame, gf_xlator_t *self, gf_loc_t *loc,
                   int32_t flags, gf_fd_t *fd, gf_dict_t *xdata);
int gf__posix_opendir(gf_frame_t *frame, gf_xlator_t *self, gf_loc_t *loc,
                      gf_fd_t *fd, gf_dict_t *xdata);
int gf__posix_fd_attach(posix_priv_t *priv, gf_fd_t *fd, int osfd, DIR *dir,
                        bool is_root);
int gf__posix_readdir(gf_frame_t *frame, gf_xlator_t *self, gf_fd_t *fd,
                      size_t size, off_t offset, gf_dict_t *xdata);
int gf__posix_readdirp(gf_frame_t *frame, gf_xlator_t *self, gf_fd_t *fd,
                       size_t size, off_t offset, gf_dict_t *xdata);
int gf__posix_readv(gf_frame_t *frame, gf_xlator_t *self, gf_fd_t *fd,
                    size_t size, off_t offset, uint32_t flags,
                    gf_dict_t *xdata);
int gf__posix_writev(gf_frame_t *frame, gf_xlator_t *self, gf_fd_t *fd,
                     struct iovec *vector, int32_t count, off_t offset,
                     uint32_t flags, gf_iobref_t *iobref, gf_dict_t *xdata);
int gf__posix_flush(gf_frame_t *frame, gf_xlator_t *self, gf_fd_t *fd,
                    gf_dict_t *xdata);
int gf__posix_fsync(gf_frame_t *frame, gf_xlator_t *self, gf_fd_t *fd,
                    int32_t datasync, gf_dict_t *xdata);
/* cbks.release/releasedir: close the OS fd of an fd that dies without a
 * RELEASE fop. */
/* The OS fd behind FD, or -EBADF. */
int gf__posix_fd_os(gf_xlator_t *self, gf_fd_t *fd);
void gf__posix_fd_forget(gf_xlator_t *self, gf_fd_t *fd);
int gf__posix_release(gf_frame_t *frame, gf_xlator_t *self, gf_fd_t *fd,
                      gf_dict_t *xdata);
int gf__posix_releasedir(gf_frame_t *frame, gf_xlator_t *self, gf_fd_t *fd,
                         gf_dict_t *xdata);
int gf__posix_fstat(gf_frame_t *frame, gf_xlator_t *self, gf_fd_t *fd,
                    gf_dict_t *xdata);
int gf__posix_ftruncate(gf_frame_t *frame, gf_xlator_t *self, gf_fd_t *fd,
                        off_t offset, gf_dict_t *xdata);
int gf__posix_fsetattr(gf_frame_t *frame, gf_xlator_t *self, gf_fd_t *fd,
                       gf_iatt_t *stbuf, int32_t valid, gf_dict_t *xdata);
int gf__posix_fgetxattr(gf_frame_t *frame, gf_xlator_t *self, gf_fd_t *fd,
                        const char *name, gf_dict_t *xdata);
int gf__posix_fsetxattr(gf_frame_t *frame, gf_xlator_t *self, gf_fd_t *fd,
                        gf_dict_t *dict, int32_t flags, gf_dict_t *xdata);
int gf__posix_fremovexattr(gf_frame_t *frame, gf_xlator_t *self, gf_fd_t *fd,
                           const char *name, gf_dict_t *xdata);

/* ---- posix-xattrop.c ---------------------------------------------------- */
int gf__posix_xattrop(gf_frame_t *frame, gf_xlator_t *self, gf_loc_t *loc,
                      int32_t optype, gf_dict_t *dict, gf_dict_t *xdata);
int gf__posix_fxattrop(gf_frame_t *frame, gf_xlator_t *self, gf_fd_t *fd,
                       int32_t optype, gf_dict_t *dict, gf_dict_t *xdata);

#endif /* GF_POSIX_INT_H */
