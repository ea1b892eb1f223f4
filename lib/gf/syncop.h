/* SPDX-License-Identifier: LGPL-3.0-or-later */
/*
 * gf/syncop.h - run a fop synchronously: gf_syncop_<fop>().
 *
 * For code that wants a result rather than a callback: a synctask (which
 * yields its proc while waiting) or a plain thread (which blocks). The fop
 * is wound into a translator on a fresh call stack; the reply is copied
 * into an out struct the caller owns (references taken on inodes, fds,
 * dicts and iobrefs; attributes, strings and entry lists copied), so it
 * outlives the callback. Never call a syncop from an event thread: it
 * would block it.
 */
#ifndef GF_SYNCOP_H
#define GF_SYNCOP_H

#include <gf/common.h>
#include <gf/fop.h>

#ifdef __cplusplus
extern "C" {
#endif

/* Where and as whom syncops run. */
typedef struct gf_syncop {
    gf_call_pool_t *pool;
    gf_xlator_t *subvol;     /* the translator each fop is wound into */
    const gf_identity_t *id; /* NULL: root */
} gf_syncop_t;

/*
 * gf_syncop_<fop>_out_t: the reply arguments of <fop>, owned by the out
 * struct after a syncop. Release them with gf_syncop_<fop>_out_wipe().
 *
 * int gf_syncop_<fop>(sc, out, args...): wind <fop> into SC->subvol and
 * wait for the reply. Returns op_ret (>= 0) or -op_errno. OUT may be NULL
 * when the results are not wanted; otherwise it is filled on success and
 * on failure alike (zeroed fields where the reply had none).
 */
#define GF__SYNCOP_P(name, NAME)                                               \
    typedef struct gf_syncop_##name##_out {                                    \
        GF_FOP_CBKS_##name(GF_FOP_FIELD)                                       \
    } gf_syncop_##name##_out_t;                                                \
    GF_EXPORT int gf_syncop_##name(                                            \
        const gf_syncop_t *sc,                                                 \
        gf_syncop_##name##_out_t *out GF_FOP_ARGS_##name(GF_FOP_PARAM));       \
    GF_EXPORT void gf_syncop_##name##_out_wipe(gf_syncop_##name##_out_t *out);
GF_FOP_LIST(GF__SYNCOP_P)
#undef GF__SYNCOP_P

#ifdef __cplusplus
}
#endif

#endif /* GF_SYNCOP_H */
