/* SPDX-License-Identifier: LGPL-3.0-or-later */
/*
 * syncop.c - synchronous fops, generated from the fop table.
 *
 * The caller's state lives on its stack: a waiter, op_ret/op_errno and the
 * out struct. The callback, on whatever thread the reply arrives, copies
 * each reply argument by its type (one _Generic dispatch, below) and wakes
 * the waiter; the caller then destroys the call stack. Reply arguments
 * are valid only during the callback, hence the copies.
 */
#include <errno.h>
#include <stdint.h>
#include <string.h>

#include <gf/dict.h>
#include <gf/fd.h>
#include <gf/inode.h>
#include <gf/iobuf.h>
#include <gf/mem-acct.h>
#include <gf/sync.h>
#include <gf/syncop.h>

typedef struct syncop_state {
    gf_sync_waiter_t waiter;
    int32_t op_ret;
    int32_t op_errno;
    void *out;
} syncop_state_t;

/* ---- copying reply arguments out of a callback ------------------------ */

static void *
dup_bytes(const void *p, size_t n)
{
    void *c;

    if (!p)
        return NULL;
    c = gf_malloc(NULL, GF_MT_OTHER, n);
    if (c)
        memcpy(c, p, n);
    return c;
}

static gf_iatt_t *
copy_iatt(gf_iatt_t *v, int n)
{
    return dup_bytes(v, sizeof(*v));
}

static struct statvfs *
copy_statvfs(struct statvfs *v, int n)
{
    return dup_bytes(v, sizeof(*v));
}

static gf_flock_t *
copy_flock(gf_flock_t *v, int n)
{
    return dup_bytes(v, sizeof(*v));
}

static struct iovec *
copy_iovec(struct iovec *v, int n)
{
    return n > 0 ? dup_bytes(v, (size_t)n * sizeof(*v)) : NULL;
}

static const char *
copy_str(const char *v, int n)
{
    return v ? gf_strdup(NULL, GF_MT_STRING, v) : NULL;
}

static gf_dict_t *
copy_dict(gf_dict_t *v, int n)
{
    return v ? gf_dict_ref(v) : NULL;
}

static gf_inode_t *
copy_inode(gf_inode_t *v, int n)
{
    return v ? gf_inode_ref(v) : NULL;
}

static gf_fd_t *
copy_fd(gf_fd_t *v, int n)
{
    return v ? gf_fd_ref(v) : NULL;
}

static gf_iobref_t *
copy_iobref(gf_iobref_t *v, int n)
{
    return v ? gf_iobref_ref(v) : NULL;
}

/* Entries are copied one by one, with their own references. */
static gf_dirents_t *
copy_dirents(gf_dirents_t *v, int n)
{
    gf_dirents_t *list;
    gf_dirent_t *e;

    if (!v || !(list = gf_malloc(NULL, GF_MT_OTHER, sizeof(*list))))
        return NULL;
    gf_dirents_init(list);
    for (e = v->head; e; e = e->next) {
        gf_dirent_t *c = gf_dirent_new(e->name, strlen(e->name));

        if (!c)
            break;
        c->d_ino = e->d_ino;
        c->d_off = e->d_off;
        c->d_type = e->d_type;
        c->stat = e->stat;
        c->inode = e->inode ? gf_inode_ref(e->inode) : NULL;
        c->dict = e->dict ? gf_dict_ref(e->dict) : NULL;
        gf_dirents_append(list, c);
    }
    return list;
}

static int
copy_int(int v, int n)
{
    return v;
}

#define COPY(v, n)                                                             \
    _Generic((v), gf_iatt_t *: copy_iatt, struct statvfs *: copy_statvfs,   \
             gf_flock_t *: copy_flock, struct iovec *: copy_iovec,           \
             const char *: copy_str, gf_dict_t *: copy_dict,                 \
             gf_inode_t *: copy_inode, gf_fd_t *: copy_fd,                   \
             gf_iobref_t *: copy_iobref, gf_dirents_t *: copy_dirents,       \
             int: copy_int)(v, n)

static void
drop_mem(void *v)
{
    gf_free(v);
}

static void
drop_str(const char *v)
{
    gf_free((void *)v);
}

static void
drop_dict(gf_dict_t *v)
{
    if (v)
        gf_dict_unref(v);
}

static void
drop_inode(gf_inode_t *v)
{
    if (v)
        gf_inode_unref(v);
}

static void
drop_fd(gf_fd_t *v)
{
    if (v)
        gf_fd_unref(v);
}

static void
drop_iobref(gf_iobref_t *v)
{
    if (v)
        gf_iobref_unref(v);
}

static void
drop_dirents(gf_dirents_t *v)
{
    gf_dirents_free(v);
    gf_free(v);
}

static void
drop_int(int v)
{
}

#define DROP(v)                                                                \
    _Generic((v), gf_iatt_t *: drop_mem, struct statvfs *: drop_mem,        \
             gf_flock_t *: drop_mem, struct iovec *: drop_mem,               \
             const char *: drop_str, gf_dict_t *: drop_dict,                 \
             gf_inode_t *: drop_inode, gf_fd_t *: drop_fd,                   \
             gf_iobref_t *: drop_iobref, gf_dirents_t *: drop_dirents,       \
             int: drop_int)(v)

/* readv's vector is copied with its entry count, the argument "count". */
#define FIND_COUNT(type, arg)                                                  \
    if (__builtin_strcmp(#arg, "count") == 0)                                  \
        nvec = (int)(intptr_t)(arg);
#define COPY_OUT(type, arg) out->arg = COPY(arg, nvec);
#define DROP_OUT(type, arg) DROP(out->arg);

/* ---- the syncops -------------------------------------------------------- */

static gf_frame_t *
start(const gf_syncop_t *sc, syncop_state_t *st, void *out)
{
    gf_frame_t *frame;

    if (!sc || !sc->pool || !sc->subvol)
        return NULL;
    if (gf_sync_waiter_init(&st->waiter) < 0)
        return NULL;
    st->out = out;
    st->op_ret = -1;
    st->op_errno = 0;
    frame = gf_frame_new(sc->pool, gf_this(), sc->id);
    if (!frame)
        gf_sync_waiter_fini(&st->waiter);
    return frame;
}

static int
finish(gf_frame_t *frame, syncop_state_t *st)
{
    gf_sync_waiter_wait(&st->waiter);
    gf_sync_waiter_fini(&st->waiter);
    gf_stack_destroy(gf_frame_stack(frame));
    return st->op_ret < 0 ? -(st->op_errno ? st->op_errno : EIO) : st->op_ret;
}

#define SYNCOP(name, NAME)                                                     \
    static int syncop_##name##_cbk(                                            \
        gf_frame_t *frame, void *cookie, gf_xlator_t *self, int32_t op_ret,    \
        int32_t op_errno GF_FOP_CBKS_##name(GF_FOP_PARAM))                     \
    {                                                                          \
        syncop_state_t *st = cookie;                                           \
        gf_syncop_##name##_out_t *out = st->out;                               \
        int nvec = 0;                                                          \
                                                                               \
        st->op_ret = op_ret;                                                   \
        st->op_errno = op_errno;                                               \
        if (out) {                                                             \
            GF_FOP_CBKS_##name(FIND_COUNT) GF_FOP_CBKS_##name(COPY_OUT)        \
        }                                                                      \
        (void)nvec;                                                            \
        gf_sync_waiter_wake(&st->waiter);                                      \
        return 0;                                                              \
    }                                                                          \
                                                                               \
    int gf_syncop_##name(                                                      \
        const gf_syncop_t *sc,                                                 \
        gf_syncop_##name##_out_t *out GF_FOP_ARGS_##name(GF_FOP_PARAM))        \
    {                                                                          \
        syncop_state_t st;                                                     \
        gf_frame_t *frame = start(sc, &st, out);                               \
                                                                               \
        if (out)                                                               \
            memset(out, 0, sizeof(*out));                                      \
        if (!frame)                                                            \
            return sc && sc->pool && sc->subvol ? -ENOMEM : -EINVAL;           \
        gf_wind_##name(frame, sc->subvol, syncop_##name##_cbk,                 \
                       &st GF_FOP_ARGS_##name(GF_FOP_NAME));                   \
        return finish(frame, &st);                                             \
    }                                                                          \
                                                                               \
    void gf_syncop_##name##_out_wipe(gf_syncop_##name##_out_t *out)            \
    {                                                                          \
        if (!out)                                                              \
            return;                                                            \
        GF_FOP_CBKS_##name(DROP_OUT) memset(out, 0, sizeof(*out));             \
    }

/* clang-format off */
GF_FOP_LIST(SYNCOP)
/* clang-format on */
