/* SPDX-License-Identifier: LGPL-3.0-or-later */
/*
 * iobref.c - refcounted bags of iobufs that travel with a request.
 *
 * A request or reply collects the iobufs its payload lives in (an RPC
 * record, the pages of a READ) in one iobref, so whoever finishes with it
 * last releases them all with one unref. Most requests carry one or two
 * buffers, so the first few slots are inline and the common iobref is a
 * single allocation. The count is atomic; the list is not locked, because
 * one thread at a time builds a request (see gf/iobuf.h). Uses only the
 * public iobuf API.
 */
#include <errno.h>
#include <stdatomic.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <gf/iobuf.h>

enum { IOBREF_INLINE = 4 };

struct gf_iobref {
    _Atomic unsigned ref;
    unsigned used, alloc;
    gf_iobuf_t **bufs; /* inl, or a heap array once it outgrew it */
    gf_iobuf_t *inl[IOBREF_INLINE];
};

GF_EXPORT gf_iobref_t *
gf_iobref_new(void)
{
    gf_iobref_t *ref = malloc(sizeof(*ref));

    if (!ref) {
        errno = ENOMEM;
        return NULL;
    }
    atomic_init(&ref->ref, 1);
    ref->used = 0;
    ref->alloc = IOBREF_INLINE;
    ref->bufs = ref->inl;
    return ref;
}

GF_EXPORT gf_iobref_t *
gf_iobref_ref(gf_iobref_t *ref)
{
    unsigned old;

    if (!ref)
        return NULL;
    old = atomic_fetch_add_explicit(&ref->ref, 1, memory_order_relaxed);
    GF_ASSERT(old != 0);
    return ref;
}

GF_EXPORT void
gf_iobref_unref(gf_iobref_t *ref)
{
    unsigned old;

    if (!ref)
        return;
    old = atomic_fetch_sub_explicit(&ref->ref, 1, memory_order_acq_rel);
    GF_ASSERT(old != 0);
    if (old != 1)
        return;
    for (unsigned i = 0; i < ref->used; i++)
        gf_iobuf_unref(ref->bufs[i]);
    if (ref->bufs != ref->inl)
        free(ref->bufs);
    free(ref);
}

/* Make room for MORE entries; all or nothing. */
static int
iobref_reserve(gf_iobref_t *ref, unsigned more)
{
    unsigned need, alloc;
    gf_iobuf_t **bufs;

    if (more > UINT32_MAX / 2 - ref->used)
        return -ENOMEM;
    need = ref->used + more;
    if (need <= ref->alloc)
        return 0;
    alloc = ref->alloc * 2 > need ? ref->alloc * 2 : need;
    if (ref->bufs == ref->inl) {
        bufs = malloc(alloc * sizeof(*bufs));
        if (bufs)
            memcpy(bufs, ref->inl, ref->used * sizeof(*bufs));
    } else {
        bufs = realloc(ref->bufs, alloc * sizeof(*bufs));
    }
    if (!bufs)
        return -ENOMEM;
    ref->bufs = bufs;
    ref->alloc = alloc;
    return 0;
}

GF_EXPORT int
gf_iobref_add(gf_iobref_t *ref, gf_iobuf_t *iob)
{
    int ret;

    if (!ref || !iob)
        return -EINVAL;
    ret = iobref_reserve(ref, 1);
    if (ret)
        return ret;
    ref->bufs[ref->used++] = gf_iobuf_ref(iob);
    return 0;
}

GF_EXPORT int
gf_iobref_merge(gf_iobref_t *to, gf_iobref_t *from)
{
    int ret;

    if (!to || !from || to == from)
        return -EINVAL;
    ret = iobref_reserve(to, from->used);
    if (ret)
        return ret;
    for (unsigned i = 0; i < from->used; i++)
        to->bufs[to->used++] = gf_iobuf_ref(from->bufs[i]);
    return 0;
}

GF_EXPORT size_t
gf_iobref_size(const gf_iobref_t *ref)
{
    size_t size = 0;

    if (!ref)
        return 0;
    for (unsigned i = 0; i < ref->used; i++)
        size += gf_iobuf_size(ref->bufs[i]);
    return size;
}

GF_EXPORT unsigned
gf_iobref_count(const gf_iobref_t *ref)
{
    return ref ? ref->used : 0;
}

GF_EXPORT gf_iobuf_t *
gf_iobref_at(const gf_iobref_t *ref, unsigned idx)
{
    if (!ref || idx >= ref->used)
        return NULL;
    return ref->bufs[idx];
}
