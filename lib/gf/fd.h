/* SPDX-License-Identifier: LGPL-3.0-or-later */
/*
 * gf/fd.h - open files (fds) and per-client fd tables.
 *
 * A gf_fd_t is one open of an inode: refcounted, holding a reference to
 * its inode (so an open, unlinked file stays known), with the open flags,
 * the opener's pid and lock owner, and per-xlator context slots like
 * inodes have (the same number as the inode's table). The inode keeps a
 * list of its open fds (gf_inode_fd_count).
 *
 * A gf_fdtable_t belongs to one client connection of protocol/server and
 * maps the small integers that travel on the wire as "remote fd" to fds.
 * Numbers start at 0, the lowest free number is always reused first, and
 * the table doubles when full. Any number a peer sends (negative, stale,
 * huge) is checked: it yields a clean -EBADF, never a wild read.
 *
 * Threads: every function is thread-safe. fd references are atomic; an fd
 * table has its own mutex (one per client, so hardly contended).
 */
#ifndef GF_FD_H
#define GF_FD_H

#include <stddef.h>
#include <stdint.h>

#include <gf/common.h>
#include <gf/inode.h>

#ifdef __cplusplus
extern "C" {
#endif

typedef struct gf_fd gf_fd_t;
typedef struct gf_fdtable gf_fdtable_t;

enum {
    /* Longest lock owner an fd keeps (GlusterFS's GF_MAX_LOCK_OWNER_LEN). */
    GF_FD_LK_OWNER_MAX = 1024,
    /* Default and largest number of open fds in one fd table. */
    GF_FDTABLE_DEFAULT_MAX = 1 << 20,
    GF_FDTABLE_MAX = 1 << 30,
};

/*
 * Called once per set context slot when an fd is destroyed (its last
 * reference went), without any lock, while FD is still readable (inode,
 * flags, owner). Slots deleted before do not get a call.
 */
typedef void (*gf_fd_release_cb_t)(gf_fd_t *fd, unsigned slot, uint64_t value,
                                   void *data);

/*
 * Set the release callback for fds on inodes of TABLE (NULL: none). Set it
 * before fds get contexts. Returns 0 or -EINVAL.
 */
GF_EXPORT int gf_fd_set_release(gf_inode_table_t *table, gf_fd_release_cb_t cb,
                                void *data);

/*
 * Open INODE: a new fd with one reference, holding its own reference to
 * INODE, with open FLAGS (O_* as the client sent them) and opener PID.
 * INODE may be unlinked (a create in progress).
 * Returns NULL with errno EINVAL (NULL INODE) or ENOMEM.
 */
GF_EXPORT gf_fd_t *gf_fd_new(gf_inode_t *inode, int32_t flags, int32_t pid);

/* One more reference to FD, which the caller holds. Returns FD. */
GF_EXPORT gf_fd_t *gf_fd_ref(gf_fd_t *fd);

/* Drop one reference; the last one runs the release callbacks, leaves the
 * inode's fd list and drops the inode reference. NULL is ignored. */
GF_EXPORT void gf_fd_unref(gf_fd_t *fd);

/* FD's inode (borrowed: valid while FD is held), flags and pid. */
GF_EXPORT gf_inode_t *gf_fd_inode(gf_fd_t *fd);
GF_EXPORT int32_t gf_fd_flags(gf_fd_t *fd);
GF_EXPORT int32_t gf_fd_pid(gf_fd_t *fd);

/* Current reference count (0 for NULL), for tests and statedump. */
GF_EXPORT uint32_t gf_fd_refcount(gf_fd_t *fd);

/*
 * Set FD's lock owner to LEN bytes at OWNER (LEN 0 clears it). Returns 0,
 * -EINVAL (NULL FD, NULL OWNER with LEN > 0, LEN > GF_FD_LK_OWNER_MAX) or
 * -ENOMEM.
 */
GF_EXPORT int gf_fd_set_lk_owner(gf_fd_t *fd, const void *owner, size_t len);

/*
 * Copy FD's lock owner into BUF of SIZE bytes. Returns its length (0 if
 * unset), -ERANGE if SIZE is too small, or -EINVAL.
 */
GF_EXPORT int gf_fd_lk_owner(gf_fd_t *fd, void *buf, size_t size);

/*
 * Per-xlator context of FD in SLOT (below the inode table's NSLOTS); the
 * same contract as gf_inode_ctx_set/get/del, with the release callback
 * instead of forget.
 */
GF_EXPORT int gf_fd_ctx_set(gf_fd_t *fd, unsigned slot, uint64_t value);
GF_EXPORT int gf_fd_ctx_get(gf_fd_t *fd, unsigned slot, uint64_t *value);
GF_EXPORT int gf_fd_ctx_del(gf_fd_t *fd, unsigned slot, uint64_t *value);

/*
 * A new, empty fd table that holds at most MAX_FDS fds (0: the default,
 * GF_FDTABLE_DEFAULT_MAX). No memory for slots is taken before the first
 * put. Returns NULL with errno EINVAL (MAX_FDS above GF_FDTABLE_MAX) or
 * ENOMEM.
 */
GF_EXPORT gf_fdtable_t *gf_fdtable_new(uint32_t max_fds);

/* Release every fd left (as gf_fdtable_drain without callback) and free
 * TAB. NULL is ignored. */
GF_EXPORT void gf_fdtable_free(gf_fdtable_t *tab);

/*
 * Store FD under the lowest free number and take a reference to it (the
 * caller keeps its own). The same fd may be stored twice (two numbers).
 * Returns the number (>= 0), or -EINVAL, -EMFILE (table full), -ENOMEM.
 */
GF_EXPORT int gf_fdtable_put(gf_fdtable_t *tab, gf_fd_t *fd);

/* A new reference to the fd stored under N, or NULL with errno EBADF (no
 * fd there, N negative or beyond the table) or EINVAL (NULL TAB). */
GF_EXPORT gf_fd_t *gf_fdtable_get(gf_fdtable_t *tab, int64_t n);

/* Remove the fd stored under N and hand the table's reference to the
 * caller, who must unref it; N becomes free for reuse. NULL with errno
 * EBADF or EINVAL as gf_fdtable_get. */
GF_EXPORT gf_fd_t *gf_fdtable_del(gf_fdtable_t *tab, int64_t n);

/* Callback of gf_fdtable_drain for each fd removed. */
typedef void (*gf_fdtable_drain_cb_t)(gf_fd_t *fd, int64_t n, void *data);

/*
 * Empty TAB (a client disconnected): remove every fd, call CB(fd, n, DATA)
 * for each (CB may be NULL) without the table lock, in increasing number
 * order, then drop the table's reference to it. TAB stays usable.
 * Returns the number of fds removed, or -EINVAL for a NULL TAB.
 */
GF_EXPORT int64_t gf_fdtable_drain(gf_fdtable_t *tab, gf_fdtable_drain_cb_t cb,
                                   void *data);

/* Number of fds stored in TAB (0 for NULL). */
GF_EXPORT uint32_t gf_fdtable_count(gf_fdtable_t *tab);

#ifdef __cplusplus
}
#endif

#endif /* GF_FD_H */
