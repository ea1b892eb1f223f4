/* SPDX-License-Identifier: LGPL-3.0-or-later */
/*
 * rpcsvc-dump.c - GF-DUMP (123451501 v1), the program every GlusterFS
 * server answers: DUMP lists the programs a client may use (it picks the
 * FOP version from it), PING proves the server is alive. NULL is answered
 * by the dispatcher like for any program.
 *
 * Both replies are tiny and fixed in shape, so they are encoded by hand
 * (gf_dump_rsp and gf_common_rsp of notes 3.6) rather than through an XDR
 * stream.
 */
#include <errno.h>
#include <string.h>

#include "rpcsvc-int.h"

/* Bytes of one gf_prog_detail entry, with its "value follows" word. */
static size_t
detail_size(const struct gf__rpcsvc_prog *p)
{
    size_t n = strlen(p->name);

    return 4 + 4 + n + gf__xdr_pad(n) + 8 + 8;
}

static uint8_t *
put_detail(uint8_t *w, const struct gf__rpcsvc_prog *p)
{
    size_t n = strlen(p->name);

    gf__put32(w, 1); /* value follows */
    gf__put32(w + 4, (uint32_t)n);
    memcpy(w + 8, p->name, n);
    memset(w + 8 + n, 0, gf__xdr_pad(n));
    w += 8 + n + gf__xdr_pad(n);
    gf__put64(w, p->num);
    gf__put64(w + 8, p->vers);
    return w + 16;
}

/* DUMP: gf_dump_req {u_quad gfs_id} -> gf_dump_rsp {u_quad gfs_id, int
 * op_ret, int op_errno, gf_prog_detail *prog}. */
static int
dump_actor(gf_rpcsvc_req_t *req, void *data)
{
    const struct gf__rpcsvc_progtab *t = gf__rpcsvc_progs(req->sc->svc);
    size_t size = 8 + 4 + 4 + 4;
    gf_iobref_t *ref;
    gf_iobuf_t *iob;
    struct iovec iov;
    uint8_t *w;
    int ret;

    if (req->args_len < 8)
        return -EBADMSG;
    for (unsigned i = 0; i < t->n; i++)
        if (!t->progs[i]->hidden)
            size += detail_size(t->progs[i]);
    iob = gf_iobuf_get(req->sc->svc->iop, size);
    if (!iob)
        return -ENOMEM;
    ref = gf_iobref_new();
    if (!ref || gf_iobref_add(ref, iob) < 0) {
        gf_iobref_unref(ref);
        gf_iobuf_unref(iob);
        return -ENOMEM;
    }
    w = gf_iobuf_ptr(iob);
    gf__put64(w, 0); /* gfs_id: GlusterFS answers 0 */
    gf__put32(w + 8, 0);
    gf__put32(w + 12, 0);
    w += 16;
    for (unsigned i = 0; i < t->n; i++)
        if (!t->progs[i]->hidden)
            w = put_detail(w, t->progs[i]);
    gf__put32(w, 0); /* end of list */
    iov.iov_base = gf_iobuf_ptr(iob);
    iov.iov_len = size;
    ret = gf_rpcsvc_reply(req, &iov, 1, ref);
    gf_iobref_unref(ref);
    gf_iobuf_unref(iob);
    /* The request is answered (or its connection gone) either way. */
    (void)ret;
    return 0;
}

/* PING: no arguments -> gf_common_rsp {0, 0, empty xdata}. */
static int
ping_actor(gf_rpcsvc_req_t *req, void *data)
{
    static const uint8_t rsp[12];
    struct iovec iov = {(void *)(uintptr_t)rsp, sizeof(rsp)};

    /* Static bytes need no iobref. */
    gf_rpcsvc_reply(req, &iov, 1, NULL);
    return 0;
}

static const gf_rpcsvc_actor_t dump_actors[] = {
    {"DUMP", GF_RPC_DUMP_PROC_DUMP, dump_actor},
    {"PING", GF_RPC_DUMP_PROC_PING, ping_actor},
};

const gf_rpcsvc_program_t gf__rpcsvc_dump_prog = {
    .name = "GF-DUMP",
    .prognum = GF_RPC_DUMP_PROGRAM,
    .progver = GF_RPC_DUMP_VERSION,
    .actors = dump_actors,
    .nactors = GF_ARRAY_SIZE(dump_actors),
};
