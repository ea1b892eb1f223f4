/* SPDX-License-Identifier: LGPL-3.0-or-later */
/*
 * gf/stub.h - call stubs: park a fop now, resume or fail it later.
 *
 * A translator that cannot serve a fop at once (a queue of worker threads,
 * a lock not yet granted) packs it into a stub and returns. Later, on any
 * thread, gf_stub_resume() calls the saved function with the saved
 * arguments, or gf_stub_fail() answers the fop with an error. Either frees
 * the stub; exactly one of them must be called.
 *
 * Arguments are saved as given, not copied: by the fop contract
 * (<gf/fop-table.h>) the caller keeps them valid until the reply.
 */
#ifndef GF_STUB_H
#define GF_STUB_H

#include <gf/common.h>
#include <gf/fop.h>

#ifdef __cplusplus
extern "C" {
#endif

typedef struct gf_stub gf_stub_t;

/*
 * gf_stub_t *gf_stub_<fop>(frame, fn, args...)
 *
 * Park fop <fop> of FRAME: on resume, FN(frame, frame's translator,
 * args...) is called -- usually the translator's own continuation, or
 * gf_default_<fop> to pass it on. Returns NULL if out of memory (errno
 * ENOMEM); the caller then answers the fop itself.
 */
#define GF__STUB_P(name, NAME)                                                 \
    GF_EXPORT gf_stub_t *gf_stub_##name(                                       \
        gf_frame_t *frame,                                                     \
        gf_fop_##name##_t fn GF_FOP_ARGS_##name(GF_FOP_PARAM));
GF_FOP_LIST(GF__STUB_P)
#undef GF__STUB_P

/* Call the saved function with the saved arguments, with THIS set to the
 * frame's translator, and free the stub. */
GF_EXPORT void gf_stub_resume(gf_stub_t *stub);

/* Answer the parked fop with op_ret -1 and OP_ERRNO (zeroed results), and
 * free the stub. */
GF_EXPORT void gf_stub_fail(gf_stub_t *stub, int32_t op_errno);

GF_EXPORT gf_fop_t gf_stub_fop(const gf_stub_t *stub);
GF_EXPORT gf_frame_t *gf_stub_frame(const gf_stub_t *stub);

#ifdef __cplusplus
}
#endif

#endif /* GF_STUB_H */
