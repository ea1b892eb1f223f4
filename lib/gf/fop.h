/* SPDX-License-Identifier: LGPL-3.0-or-later */
/*
 * gf/fop.h - file operations: their argument types, call frames, and
 * gf_wind_<fop>() / gf_unwind_<fop>().
 *
 * A request travels down the translator graph as a call stack: one
 * gf_stack_t per request (identity: uid, gid, pid, groups, lock owner) and
 * one gf_frame_t per translator hop. gf_wind_<fop>(frame, child, cbk,
 * cookie, args...) makes a child frame and calls CHILD's fop;
 * gf_unwind_<fop>(frame, op_ret, op_errno, results...) calls the callback
 * its parent gave. Both are real, type-checked functions generated from
 * <gf/fop-table.h>; they set THIS around the call. Frames are freed with
 * their stack (gf_stack_destroy), never one by one.
 */
#ifndef GF_FOP_H
#define GF_FOP_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/statvfs.h>
#include <sys/types.h>
#include <sys/uio.h>

#include <gf/common.h>
#include <gf/ctx.h>
#include <gf/fop-table.h>
#include <gf/gfid.h>

#ifdef __cplusplus
extern "C" {
#endif

typedef struct gf_dict gf_dict_t;
typedef struct gf_iobref gf_iobref_t;
typedef struct gf_inode gf_inode_t;
typedef struct gf_fd gf_fd_t;
typedef struct gf_frame gf_frame_t;
typedef struct gf_stack gf_stack_t;
typedef struct gf_call_pool gf_call_pool_t;

/* Attributes of a file, as every fop reports them (the wire's gfx_iattx). */
typedef struct gf_iatt {
    gf_gfid_t gfid;
    uint64_t ino;
    uint64_t dev;
    uint64_t rdev;
    uint64_t size;
    uint64_t blocks;
    uint32_t mode; /* S_IF* type bits and permission bits */
    uint32_t nlink;
    uint32_t uid;
    uint32_t gid;
    uint32_t blksize;
    int64_t atime;
    int64_t mtime;
    int64_t ctime;
    int64_t btime;
    uint32_t atime_nsec;
    uint32_t mtime_nsec;
    uint32_t ctime_nsec;
    uint32_t btime_nsec;
} gf_iatt_t;

/* Bits of setattr's VALID argument (the wire's GF_SET_ATTR_*). */
enum {
    GF_SET_ATTR_MODE = 0x1,
    GF_SET_ATTR_UID = 0x2,
    GF_SET_ATTR_GID = 0x4,
    GF_SET_ATTR_SIZE = 0x8,
    GF_SET_ATTR_ATIME = 0x10,
    GF_SET_ATTR_MTIME = 0x20,
    GF_SET_ATTR_CTIME = 0x40,
    GF_SET_ATTR_ATIME_NOW = 0x80,
    GF_SET_ATTR_MTIME_NOW = 0x100,
};

/*
 * Where a fop acts: the object (inode or gfid) and, for entry fops, its
 * parent and name. PATH is informational ("/a/b"), may be NULL, and is
 * never trusted for access. Borrowed pointers: the caller keeps them alive.
 */
typedef struct gf_loc {
    const char *path;
    const char *name;
    gf_inode_t *inode;
    gf_inode_t *parent;
    gf_gfid_t gfid;
    gf_gfid_t pargfid;
} gf_loc_t;

/* Lock owner: opaque bytes chosen by the client. */
#define GF_LKOWNER_MAX 1024
typedef struct gf_lkowner {
    uint32_t len;
    unsigned char data[GF_LKOWNER_MAX];
} gf_lkowner_t;

/* A POSIX byte-range lock (lk, inodelk, finodelk). */
typedef struct gf_flock {
    int16_t type;   /* F_RDLCK, F_WRLCK, F_UNLCK */
    int16_t whence; /* SEEK_SET, SEEK_CUR, SEEK_END */
    int64_t start;
    int64_t len;
    int32_t pid;
    gf_lkowner_t owner;
} gf_flock_t;

/* One directory entry of readdir/readdirp; STAT, INODE and DICT are only
 * filled by readdirp. */
typedef struct gf_dirent {
    struct gf_dirent *next;
    uint64_t d_ino;
    uint64_t d_off; /* resume cookie: never 0 */
    uint32_t d_type;
    gf_iatt_t stat;
    gf_inode_t *inode;
    gf_dict_t *dict;
    char name[]; /* NUL-terminated */
} gf_dirent_t;

/* A list of entries, in order. */
typedef struct gf_dirents {
    gf_dirent_t *head;
    gf_dirent_t **tail;
    uint32_t count;
} gf_dirents_t;

/* Start an empty list. */
GF_EXPORT void gf_dirents_init(gf_dirents_t *list);

/*
 * A new entry called NAME (NAMELEN bytes, no NUL needed), all else zero,
 * not in any list. NULL if out of memory or NAMELEN > 4095 (errno).
 */
GF_EXPORT gf_dirent_t *gf_dirent_new(const char *name, size_t namelen);

/* Append ENTRY (which the list now owns) at the end of LIST. */
GF_EXPORT void gf_dirents_append(gf_dirents_t *list, gf_dirent_t *entry);

/* Free every entry (dropping its inode and dict references) and leave
 * LIST empty. */
GF_EXPORT void gf_dirents_free(gf_dirents_t *list);

/* ---- the fop enum and names -------------------------------------------- */

#define GF__FOP_ENUM(name, NAME) GF_FOP_##NAME,
typedef enum gf_fop {
    GF_FOP_NULL = 0,
    GF_FOP_LIST(GF__FOP_ENUM) GF_FOP_MAX
} gf_fop_t;
#undef GF__FOP_ENUM

/* "LOOKUP", ...; "NULL" for GF_FOP_NULL; NULL when out of range. */
GF_EXPORT const char *gf_fop_name(gf_fop_t fop);

/* Helpers for generating per-fop code from the table (see fop-table.h):
 * a parameter list, an argument list, zero values, struct fields. */
#define GF_FOP_PARAM(type, arg) , type arg
#define GF_FOP_NAME(type, arg)  , arg
#define GF_FOP_ZERO(type, arg)  , (type)0
#define GF_FOP_FIELD(type, arg) type arg;

/* ---- fop and callback types, the fops vtable --------------------------- */

/* int gf_fop_<name>_t(frame, self, args...): a translator's fop.
 * int gf_fop_<name>_cbk_t(frame, cookie, self, op_ret, op_errno, results...):
 * the callback a winder gives; FRAME and SELF are the winder's own. */
#define GF__FOP_T(name, NAME)                                                  \
    typedef int (*gf_fop_##name##_t)(                                          \
        gf_frame_t * frame,                                                    \
        gf_xlator_t * self GF_FOP_ARGS_##name(GF_FOP_PARAM));                  \
    typedef int (*gf_fop_##name##_cbk_t)(                                      \
        gf_frame_t * frame, void *cookie, gf_xlator_t *self, int32_t op_ret,   \
        int32_t op_errno GF_FOP_CBKS_##name(GF_FOP_PARAM));
GF_FOP_LIST(GF__FOP_T)
#undef GF__FOP_T

/* A translator's fops; NULL slots are filled with pass-through defaults. */
#define GF__VT(name, NAME) gf_fop_##name##_t name;
typedef struct gf_xlator_fops {
    GF_FOP_LIST(GF__VT)
} gf_xlator_fops_t;
#undef GF__VT

/* Request arguments of each fop as a struct (call stubs park these). */
#define GF__ARGS_T(name, NAME)                                                 \
    typedef struct gf_args_##name {                                            \
        GF_FOP_ARGS_##name(GF_FOP_FIELD)                                       \
    } gf_args_##name##_t;
GF_FOP_LIST(GF__ARGS_T)
#undef GF__ARGS_T

/* ---- wind, unwind and the pass-through defaults ------------------------ */

/*
 * int gf_wind_<fop>(frame, child, cbk, cookie, args...)
 *
 * Make a child frame of FRAME for CHILD, remember CBK and COOKIE, set THIS
 * to CHILD and call CHILD's fop. Returns 0 once the fop was called (its
 * reply may already have arrived). If the child frame cannot be allocated,
 * CBK is called at once with op_ret -1, op_errno ENOMEM and zeroed results,
 * and -ENOMEM is returned: a request is never dropped.
 *
 * void gf_unwind_<fop>(frame, op_ret, op_errno, results...)
 *
 * Reply to the fop FRAME was wound for: mark FRAME complete and call the
 * parent's callback with THIS set to the parent. FRAME stays allocated
 * until its stack is destroyed. Unwinding a frame twice, or a stack's top
 * frame, is a programmer error (asserts).
 *
 * gf_default_<fop>() winds to the translator's first child with
 * gf_default_<fop>_cbk(), which unwinds the reply unchanged; the loader
 * plugs them into every NULL fop slot. With no child, the default replies
 * -1/ENOTCONN.
 */
#define GF__WIND_P(name, NAME)                                                 \
    GF_EXPORT int gf_wind_##name(                                              \
        gf_frame_t *frame, gf_xlator_t *child, gf_fop_##name##_cbk_t cbk,      \
        void *cookie GF_FOP_ARGS_##name(GF_FOP_PARAM));                        \
    GF_EXPORT void gf_unwind_##name(                                           \
        gf_frame_t *frame, int32_t op_ret,                                     \
        int32_t op_errno GF_FOP_CBKS_##name(GF_FOP_PARAM));                    \
    GF_EXPORT int gf_default_##name(                                           \
        gf_frame_t *frame,                                                     \
        gf_xlator_t *self GF_FOP_ARGS_##name(GF_FOP_PARAM));                   \
    GF_EXPORT int gf_default_##name##_cbk(                                     \
        gf_frame_t *frame, void *cookie, gf_xlator_t *self, int32_t op_ret,    \
        int32_t op_errno GF_FOP_CBKS_##name(GF_FOP_PARAM));
GF_FOP_LIST(GF__WIND_P)
#undef GF__WIND_P

/* The table of pass-through defaults (every slot set). */
GF_EXPORT const gf_xlator_fops_t *gf_default_fops(void);

/* ---- call pool, stacks and frames -------------------------------------- */

/* Identity a request carries down the graph. */
typedef struct gf_identity {
    uint32_t uid;
    uint32_t gid;
    int32_t pid;
    uint32_t ngroups;
    const uint32_t *groups;       /* copied into the stack */
    const gf_lkowner_t *lk_owner; /* copied; NULL for none */
    /* The client connection the request came on, a nonzero id chosen by
     * the protocol translator (unique in the process for its lifetime);
     * 0 for requests made inside the process. Lock translators key their
     * locks by it and drop them in cbks.client_disconnect. (ABI 1.1) */
    uint64_t client;
} gf_identity_t;

/*
 * A call pool accounts the stacks of a context (for statedump's pending
 * frames). Frames and stacks come from mem pools. Returns NULL if out of
 * memory. gf_call_pool_free asserts that no stack is still alive.
 */
GF_EXPORT gf_call_pool_t *gf_call_pool_new(gf_ctx_t *ctx);
GF_EXPORT void gf_call_pool_free(gf_call_pool_t *pool);
/* Stacks alive now. */
GF_EXPORT uint64_t gf_call_pool_count(const gf_call_pool_t *pool);

/*
 * Start a request: a stack with identity ID (NULL: root, pid 0) and its top
 * frame owned by SELF. Returns the top frame, or NULL if out of memory.
 * Thread-safe.
 */
GF_EXPORT gf_frame_t *gf_frame_new(gf_call_pool_t *pool, gf_xlator_t *self,
                                   const gf_identity_t *id);

/* Free a whole stack: every frame, and each frame's local through the
 * destructor given to gf_frame_set_local. NULL is ignored. */
GF_EXPORT void gf_stack_destroy(gf_stack_t *stack);

GF_EXPORT gf_stack_t *gf_frame_stack(const gf_frame_t *frame);
GF_EXPORT gf_xlator_t *gf_frame_xlator(const gf_frame_t *frame);
GF_EXPORT gf_frame_t *gf_frame_parent(const gf_frame_t *frame);
GF_EXPORT gf_fop_t gf_frame_fop(const gf_frame_t *frame);

/* Per-hop scratch space of the frame's translator. FREE_FN (may be NULL)
 * runs on it when the stack is destroyed. */
GF_EXPORT void gf_frame_set_local(gf_frame_t *frame, void *local,
                                  void (*free_fn)(void *));
GF_EXPORT void *gf_frame_local(const gf_frame_t *frame);

/* The request's identity (borrowed from the stack). */
GF_EXPORT uint32_t gf_stack_uid(const gf_stack_t *stack);
GF_EXPORT uint32_t gf_stack_gid(const gf_stack_t *stack);
GF_EXPORT int32_t gf_stack_pid(const gf_stack_t *stack);
GF_EXPORT uint64_t gf_stack_unique(const gf_stack_t *stack);
GF_EXPORT const gf_lkowner_t *gf_stack_lk_owner(const gf_stack_t *stack);
/* gf_identity_t.client of the request (0: local, or a NULL STACK). */
GF_EXPORT uint64_t gf_stack_client(const gf_stack_t *stack);
GF_EXPORT uint32_t gf_stack_groups(const gf_stack_t *stack,
                                   const uint32_t **groups);

#ifdef __cplusplus
}
#endif

#endif /* GF_FOP_H */
