/* SPDX-License-Identifier: LGPL-3.0-or-later */
/*
 * gf/inode.h - the inode table: gfid -> inode, (parent, name) -> dentry.
 *
 * protocol/server keeps one table per exported subvolume and resolves every
 * gfid a client sends through it; storage/posix builds paths from it. An
 * inode stands for one file or directory (one gfid); a dentry is one name
 * of it in a parent directory (a file may have several: hard links; a
 * directory has at most one). The table is created with the root inode
 * (gfid ...0001, a directory) already linked.
 *
 * Lifetime. An inode has two counts:
 *  - references (gf_inode_ref/unref), held by whoever uses the pointer:
 *    requests in flight, fds, and each dentry on its parent directory
 *    (so a directory stays in memory while any child is linked under it);
 *  - a lookup count (gf_inode_lookup/forget), the number of times a client
 *    was told about the inode and may name it again by gfid (FUSE's nlookup).
 * Referenced inodes are "active". An inode with no reference but a lookup
 * count sits on the LRU list, still findable. An inode with neither, or
 * never linked, is destroyed at once. When the LRU list grows beyond the
 * table's limit, its oldest inodes are purged: their lookup count is
 * forgotten and they are destroyed (upstream GlusterFS does the same: a
 * client that comes back with a purged gfid gets it resolved again from
 * disk). Referenced inodes are never purged.
 *
 * Per-xlator context: each table has a fixed number of slots (at most 64),
 * one per translator of the graph, each holding one uint64_t per inode
 * (typically a pointer to the xlator's private data). A forget callback
 * set on the table lets owners free that data when the inode is destroyed.
 *
 * Threads: every function is thread-safe. One mutex per table guards the
 * hashes, lists and dentries (a future sharding point: split the gfid hash
 * and the LRU by bucket range when one table serves many event threads);
 * references are atomic and only the 0 <-> 1 transitions take the lock;
 * context slots have a per-inode spinlock. Callbacks run without the table
 * lock except the dump callback.
 */
#ifndef GF_INODE_H
#define GF_INODE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/stat.h>

#include <gf/common.h>
#include <gf/gfid.h>

#ifdef __cplusplus
extern "C" {
#endif

typedef struct gf_inode_table gf_inode_table_t;
typedef struct gf_inode gf_inode_t;

/* File types, numbered as upstream's ia_type_t (and on the wire). */
typedef enum gf_inode_type {
    GF_INODE_INVAL = 0, /* not known yet: an unlinked inode */
    GF_INODE_REG,
    GF_INODE_DIR,
    GF_INODE_LNK,
    GF_INODE_BLK,
    GF_INODE_CHR,
    GF_INODE_FIFO,
    GF_INODE_SOCK,
} gf_inode_type_t;

/* The type of a file from its st_mode / iatt mode bits (INVAL if none). */
static inline gf_inode_type_t
gf_inode_type_from_mode(uint32_t mode)
{
    switch (mode & S_IFMT) {
    case S_IFREG:
        return GF_INODE_REG;
    case S_IFDIR:
        return GF_INODE_DIR;
    case S_IFLNK:
        return GF_INODE_LNK;
    case S_IFBLK:
        return GF_INODE_BLK;
    case S_IFCHR:
        return GF_INODE_CHR;
    case S_IFIFO:
        return GF_INODE_FIFO;
    case S_IFSOCK:
        return GF_INODE_SOCK;
    default:
        return GF_INODE_INVAL;
    }
}

enum {
    /* Most context slots a table can have. */
    GF_INODE_MAX_SLOTS = 64,
    /* Longest name of a dentry, as the kernel's NAME_MAX. */
    GF_INODE_NAME_MAX = 255,
};

/*
 * Called once per set context slot when an inode is destroyed (never for
 * slots deleted before), without the table lock, before the inode memory
 * goes away. INODE may be inspected (gfid, type) but not referenced again.
 */
typedef void (*gf_inode_forget_cb_t)(gf_inode_t *inode, unsigned slot,
                                     uint64_t value, void *data);

/*
 * Create a table holding at most LRU_LIMIT unreferenced inodes (0: no
 * limit) with NSLOTS context slots per inode and per fd (0 to
 * GF_INODE_MAX_SLOTS). The root inode exists from the start.
 * Returns NULL with errno EINVAL (NSLOTS too large) or ENOMEM.
 */
GF_EXPORT gf_inode_table_t *gf_inode_table_new(uint32_t lru_limit,
                                               unsigned nslots);

/*
 * The owner drops TABLE: every inode not referenced is destroyed now
 * (forget callbacks run), and inodes still referenced are destroyed when
 * their last reference goes; the table's memory follows the last inode.
 * After this call TABLE must not be passed to any function, but inodes and
 * fds still held remain valid (unref, accessors, ctx) until released.
 * NULL is ignored.
 */
GF_EXPORT void gf_inode_table_free(gf_inode_table_t *table);

/*
 * Set the callback run for each set context slot of a destroyed inode
 * (NULL: none). Set it before inodes get contexts. Returns 0 or -EINVAL.
 */
GF_EXPORT int gf_inode_table_set_forget(gf_inode_table_t *table,
                                        gf_inode_forget_cb_t cb, void *data);

/* A new reference to the root inode of TABLE (NULL if TABLE is NULL). */
GF_EXPORT gf_inode_t *gf_inode_table_root(gf_inode_table_t *table);

/*
 * A new, unlinked inode of TABLE (null gfid, type GF_INODE_INVAL) with one
 * reference, for a lookup or create whose result is not known yet. It
 * joins the table only through gf_inode_link; if it is never linked, its
 * last unref destroys it. Returns NULL with errno EINVAL or ENOMEM.
 */
GF_EXPORT gf_inode_t *gf_inode_new(gf_inode_table_t *table);

/* Take one more reference to INODE, which the caller already holds.
 * Returns INODE (NULL for NULL). */
GF_EXPORT gf_inode_t *gf_inode_ref(gf_inode_t *inode);

/* Drop one reference. The last one moves INODE to the LRU list or destroys
 * it (see above). NULL is ignored. */
GF_EXPORT void gf_inode_unref(gf_inode_t *inode);

/*
 * Make INODE known under GFID (of type TYPE) and, if PARENT is given, under
 * NAME in directory PARENT. If the table already has an inode with GFID,
 * that inode gets the dentry instead and is returned: the caller must use
 * the returned pointer from then on (and still unref INODE). An existing
 * dentry PARENT/NAME of another inode is replaced. A directory keeps one
 * dentry: linking it under a new name moves it.
 * PARENT and NAME go together (both NULL: link by gfid only, a "nameless"
 * lookup). NAME is one path component (no '/', not "." or "..").
 * Returns a new reference to the linked inode, or NULL with errno:
 * EINVAL (NULL INODE or GFID, null GFID, bad TYPE or NAME, PARENT or INODE
 * of another table, PARENT not linked, INODE already linked with another
 * gfid, root given a name), ENAMETOOLONG, ENOTDIR (PARENT not a directory),
 * ESTALE (GFID known with another type), ELOOP (a directory linked under
 * itself or a descendant), ENOMEM.
 */
GF_EXPORT gf_inode_t *gf_inode_link(gf_inode_t *inode, gf_inode_t *parent,
                                    const char *name, const gf_gfid_t *gfid,
                                    gf_inode_type_t type);

/*
 * Remove the dentry PARENT/NAME of INODE (an unlink or rmdir succeeded).
 * INODE stays findable by gfid while referenced or looked up (an open
 * unlinked file). Returns 0, -ENOENT (no such dentry of INODE) or -EINVAL.
 */
GF_EXPORT int gf_inode_unlink(gf_inode_t *inode, gf_inode_t *parent,
                              const char *name);

/*
 * Move INODE's dentry SRCDIR/SRCNAME to DSTDIR/DSTNAME (a rename
 * succeeded). A dentry already at the destination is dropped (the inode it
 * named was replaced). A missing source dentry is not an error: the inode
 * is then simply linked at the destination. Returns 0 or -errno as
 * gf_inode_link (INODE must be linked: -EINVAL otherwise).
 */
GF_EXPORT int gf_inode_rename(gf_inode_table_t *table, gf_inode_t *srcdir,
                              const char *srcname, gf_inode_t *dstdir,
                              const char *dstname, gf_inode_t *inode);

/* A new reference to the inode of TABLE with GFID, or NULL with errno
 * ENOENT (not in the table) or EINVAL. */
GF_EXPORT gf_inode_t *gf_inode_find(gf_inode_table_t *table,
                                    const gf_gfid_t *gfid);

/* A new reference to the inode named NAME in directory PARENT, or NULL
 * with errno ENOENT or EINVAL. */
GF_EXPORT gf_inode_t *gf_inode_grep(gf_inode_table_t *table, gf_inode_t *parent,
                                    const char *name);

/* Count one more lookup of INODE (a client was handed it). Returns 0 or
 * -EINVAL (NULL INODE). */
GF_EXPORT int gf_inode_lookup(gf_inode_t *inode);

/*
 * Forget N lookups of INODE (a FUSE FORGET). When the count reaches 0 and
 * nobody references INODE, it is destroyed. Returns 0, or -EINVAL for a
 * NULL INODE, N 0 or N above the current count (nothing changes then).
 */
GF_EXPORT int gf_inode_forget(gf_inode_t *inode, uint64_t n);

/*
 * After an unlink or rmdir: if INODE has no name left in the table, forget
 * all its lookups, so that it goes as soon as nobody references it (a
 * client keeps no lookup on a name it deleted). Returns 1 if forgotten, 0
 * if INODE still has a name, -EINVAL for NULL.
 */
GF_EXPORT int gf_inode_forget_if_unlinked(gf_inode_t *inode);

/*
 * Write the path of INODE from the root, "/a/b/c", followed by "/NAME" if
 * NAME is not NULL ("/" for the root alone), into BUF of SIZE bytes, NUL
 * included. The first dentry of each ancestor is used. Returns the length,
 * or -ENOENT (INODE, or an ancestor, is not linked under a name up to the
 * root), -ENAMETOOLONG (BUF too small: BUF holds "" then), -EINVAL.
 */
GF_EXPORT int gf_inode_path(gf_inode_t *inode, const char *name, char *buf,
                            size_t size);

/* Copy INODE's gfid (null while unlinked) to OUT. Returns 0 or -EINVAL. */
GF_EXPORT int gf_inode_gfid(gf_inode_t *inode, gf_gfid_t *out);

/* INODE's type (GF_INODE_INVAL while unlinked or for NULL). */
GF_EXPORT gf_inode_type_t gf_inode_type(gf_inode_t *inode);

/* The table INODE belongs to (NULL for NULL). */
GF_EXPORT gf_inode_table_t *gf_inode_table_of(gf_inode_t *inode);

/* Current reference and lookup counts (0 for NULL): a snapshot for tests
 * and statedump, stale as soon as it is returned. */
GF_EXPORT uint32_t gf_inode_refcount(gf_inode_t *inode);
GF_EXPORT uint64_t gf_inode_nlookup(gf_inode_t *inode);

/* Number of open fds (gf_fd_new) on INODE (0 for NULL). */
GF_EXPORT uint32_t gf_inode_fd_count(gf_inode_t *inode);

/*
 * Per-xlator context of INODE in SLOT (below the table's NSLOTS).
 * set: store VALUE (replacing any). get: copy it to *VALUE. del: copy it
 * to *VALUE (if not NULL) and clear the slot, so no forget callback runs
 * for it. Return 0, -ENOENT (slot not set: get/del) or -EINVAL.
 */
GF_EXPORT int gf_inode_ctx_set(gf_inode_t *inode, unsigned slot,
                               uint64_t value);
GF_EXPORT int gf_inode_ctx_get(gf_inode_t *inode, unsigned slot,
                               uint64_t *value);
GF_EXPORT int gf_inode_ctx_del(gf_inode_t *inode, unsigned slot,
                               uint64_t *value);

/* Counters of a table (gf_inode_table_stats). */
typedef struct gf_inode_table_stats {
    uint32_t lru_limit; /* as created (0: none) */
    uint32_t nslots;    /* context slots */
    uint64_t active;    /* referenced inodes, root and unlinked ones too */
    uint64_t lru;       /* unreferenced inodes kept for their lookups */
    uint64_t linked;    /* inodes findable by gfid */
    uint64_t dentries;  /* names */
    uint64_t purged;    /* inodes ever evicted because of the LRU limit */
    uint64_t destroyed; /* inodes ever destroyed (purged ones included) */
    uint64_t gfid_buckets;
    uint64_t dentry_buckets;
} gf_inode_table_stats_t;

/* Snapshot TABLE's counters into OUT. Returns 0 or -EINVAL. */
GF_EXPORT int gf_inode_table_stats(gf_inode_table_t *table,
                                   gf_inode_table_stats_t *out);

/* What gf_inode_table_dump reports for one inode. */
typedef struct gf_inode_info {
    gf_gfid_t gfid;
    gf_inode_type_t type;
    uint32_t ref;
    uint64_t nlookup;
    uint32_t nfds;
    uint32_t ndentries;
    bool lru; /* on the LRU list (else active) */
} gf_inode_info_t;

/* Callback of gf_inode_table_dump: nonzero stops the walk. */
typedef int (*gf_inode_dump_cb_t)(const gf_inode_info_t *info, void *data);

/*
 * For statedump: call CB(info, DATA) for every active inode, then every
 * LRU inode (oldest first), under the table lock: CB must be quick and
 * must not call any gf_inode or gf_fd function. Returns the first nonzero
 * value of CB, else 0; -EINVAL for a NULL TABLE or CB.
 */
GF_EXPORT int gf_inode_table_dump(gf_inode_table_t *table,
                                  gf_inode_dump_cb_t cb, void *data);

#ifdef __cplusplus
}
#endif

#endif /* GF_INODE_H */
