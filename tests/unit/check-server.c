/* SPDX-License-Identifier: LGPL-3.0-or-later */
/*
 * check-server.c - protocol/server over test/sink, loaded by the real
 * loader, spoken to over loopback TCP by a raw ONC RPC client: DUMP,
 * SETVOLUME (accepted, wrong subvolume, refused address), FOPs before
 * and after the handshake, gfid resolution by nameless lookup, the
 * replay of recorded GlusterFS 10.3 client bytes, and every FOP over
 * storage/posix, hostile arguments included.
 */
#include <errno.h>
#include <ftw.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/sysmacros.h>
#include <sys/xattr.h>
#include <time.h>
#include <unistd.h>

#include <gf/graph.h>
#include <gf/log.h>
#include <gf/rpcsvc.h>
#include <gf/xlator.h>
#include <rpc/gfxdr.h>

#include "gf-test.h"
#include "rpcsvc-client.h"

/* SETVOLUME: frame 8, Call: 536 bytes, record mark included */
static const uint8_t setvolume_call[] = {
    0x80, 0x00, 0x02, 0x14, 0x00, 0x00, 0x00, 0x03, 0x00, 0x00, 0x00, 0x00,
    0x00, 0x00, 0x00, 0x02, 0x00, 0xdb, 0xb4, 0xa9, 0x00, 0x00, 0x00, 0x02,
    0x00, 0x00, 0x00, 0x01, 0x00, 0x05, 0xf3, 0x98, 0x00, 0x00, 0x00, 0x28,
    0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00,
    0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00,
    0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x04,
    0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00,
    0x00, 0x00, 0x01, 0xbf, 0x00, 0x00, 0x00, 0x0b, 0x00, 0x00, 0x00, 0x09,
    0x00, 0x00, 0x00, 0x07, 0x6f, 0x70, 0x76, 0x65, 0x72, 0x73, 0x69, 0x6f,
    0x6e, 0x00, 0x31, 0x30, 0x30, 0x30, 0x30, 0x30, 0x00, 0x00, 0x00, 0x00,
    0x0f, 0x00, 0x00, 0x00, 0x02, 0x63, 0x6c, 0x6e, 0x74, 0x2d, 0x6c, 0x6b,
    0x2d, 0x76, 0x65, 0x72, 0x73, 0x69, 0x6f, 0x6e, 0x00, 0x31, 0x00, 0x00,
    0x00, 0x00, 0x0e, 0x00, 0x00, 0x00, 0x05, 0x63, 0x6c, 0x69, 0x65, 0x6e,
    0x74, 0x2d, 0x76, 0x65, 0x72, 0x73, 0x69, 0x6f, 0x6e, 0x00, 0x31, 0x30,
    0x2e, 0x33, 0x00, 0x00, 0x00, 0x00, 0x0c, 0x00, 0x00, 0x00, 0x12, 0x70,
    0x72, 0x6f, 0x63, 0x65, 0x73, 0x73, 0x2d, 0x6e, 0x61, 0x6d, 0x65, 0x00,
    0x67, 0x66, 0x61, 0x70, 0x69, 0x2e, 0x67, 0x66, 0x61, 0x70, 0x69, 0x5f,
    0x62, 0x65, 0x6e, 0x63, 0x68, 0x00, 0x00, 0x00, 0x00, 0x0c, 0x00, 0x00,
    0x00, 0x71, 0x70, 0x72, 0x6f, 0x63, 0x65, 0x73, 0x73, 0x2d, 0x75, 0x75,
    0x69, 0x64, 0x00, 0x43, 0x54, 0x58, 0x5f, 0x49, 0x44, 0x3a, 0x62, 0x66,
    0x65, 0x33, 0x33, 0x31, 0x39, 0x61, 0x2d, 0x66, 0x62, 0x34, 0x31, 0x2d,
    0x34, 0x64, 0x61, 0x39, 0x2d, 0x62, 0x66, 0x62, 0x63, 0x2d, 0x37, 0x64,
    0x32, 0x30, 0x66, 0x61, 0x39, 0x63, 0x30, 0x33, 0x31, 0x62, 0x2d, 0x47,
    0x52, 0x41, 0x50, 0x48, 0x5f, 0x49, 0x44, 0x3a, 0x30, 0x2d, 0x50, 0x49,
    0x44, 0x3a, 0x32, 0x34, 0x38, 0x39, 0x38, 0x2d, 0x48, 0x4f, 0x53, 0x54,
    0x3a, 0x76, 0x6d, 0x2d, 0x50, 0x43, 0x5f, 0x4e, 0x41, 0x4d, 0x45, 0x3a,
    0x61, 0x6e, 0x63, 0x68, 0x6f, 0x72, 0x2d, 0x62, 0x72, 0x69, 0x63, 0x6b,
    0x2d, 0x63, 0x6c, 0x69, 0x65, 0x6e, 0x74, 0x2d, 0x52, 0x45, 0x43, 0x4f,
    0x4e, 0x5f, 0x4e, 0x4f, 0x3a, 0x2d, 0x30, 0x00, 0x00, 0x00, 0x00, 0x0c,
    0x00, 0x00, 0x00, 0x08, 0x66, 0x6f, 0x70, 0x73, 0x2d, 0x76, 0x65, 0x72,
    0x73, 0x69, 0x6f, 0x6e, 0x00, 0x31, 0x32, 0x39, 0x38, 0x34, 0x33, 0x37,
    0x00, 0x00, 0x00, 0x00, 0x10, 0x00, 0x00, 0x00, 0x0d, 0x72, 0x65, 0x6d,
    0x6f, 0x74, 0x65, 0x2d, 0x73, 0x75, 0x62, 0x76, 0x6f, 0x6c, 0x75, 0x6d,
    0x65, 0x00, 0x61, 0x6e, 0x63, 0x68, 0x6f, 0x72, 0x2d, 0x62, 0x72, 0x69,
    0x63, 0x6b, 0x00, 0x00, 0x00, 0x00, 0x0b, 0x00, 0x00, 0x00, 0x06, 0x72,
    0x65, 0x6d, 0x6f, 0x74, 0x65, 0x2d, 0x70, 0x6f, 0x72, 0x74, 0x00, 0x32,
    0x34, 0x31, 0x30, 0x30, 0x00, 0x00, 0x00, 0x00, 0x0b, 0x00, 0x00, 0x00,
    0x0a, 0x72, 0x65, 0x6d, 0x6f, 0x74, 0x65, 0x2d, 0x68, 0x6f, 0x73, 0x74,
    0x00, 0x31, 0x32, 0x37, 0x2e, 0x30, 0x2e, 0x30, 0x2e, 0x31, 0x00, 0x00,
    0x00, 0x00, 0x18, 0x00, 0x00, 0x00, 0x05, 0x74, 0x72, 0x61, 0x6e, 0x73,
    0x70, 0x6f, 0x72, 0x74, 0x2e, 0x61, 0x64, 0x64, 0x72, 0x65, 0x73, 0x73,
    0x2d, 0x66, 0x61, 0x6d, 0x69, 0x6c, 0x79, 0x00, 0x69, 0x6e, 0x65, 0x74,
    0x00, 0x00, 0x00, 0x00, 0x0e, 0x00, 0x00, 0x00, 0x07, 0x74, 0x72, 0x61,
    0x6e, 0x73, 0x70, 0x6f, 0x72, 0x74, 0x2d, 0x74, 0x79, 0x70, 0x65, 0x00,
    0x73, 0x6f, 0x63, 0x6b, 0x65, 0x74, 0x00, 0x00,
};
/* LOOKUP #1 call: frame 10: 136 bytes, record mark included */
static const uint8_t lookup1_call[] = {
    0x80, 0x00, 0x00, 0x84, 0x00, 0x00, 0x00, 0x04, 0x00, 0x00, 0x00, 0x00,
    0x00, 0x00, 0x00, 0x02, 0x00, 0x13, 0xd0, 0x05, 0x00, 0x00, 0x01, 0x90,
    0x00, 0x00, 0x00, 0x1b, 0x00, 0x05, 0xf3, 0x98, 0x00, 0x00, 0x00, 0x28,
    0x00, 0x00, 0x61, 0x42, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00,
    0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00,
    0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x04,
    0x42, 0x61, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00,
    0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00,
    0x00, 0x00, 0x00, 0x01, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00,
    0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00,
    0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00,
    0x00, 0x00, 0x00, 0x00,
};

typedef struct env {
    gf_ctx_t *ctx;
    gf_volfile_t *vf;
    gf_graph_t *graph;
    int port;
    char err[512];
} env_t;

static const char vol_fmt[] = "volume anchor-brick\n"
                              "    type test/sink\n"
                              "end-volume\n"
                              "volume server\n"
                              "    type protocol/server\n"
                              "    option transport.socket.listen-port 0\n"
                              "%s"
                              "    subvolumes anchor-brick\n"
                              "end-volume\n";

/* The port, from the server's private statedump ("port=N"). */
static int
dump_int(env_t *e, const char *key)
{
    char *buf = NULL, *p;
    size_t len = 0;
    FILE *f = open_memstream(&buf, &len);
    int v = -1;

    ck_assert_ptr_nonnull(f);
    ck_assert_int_eq(gf_graph_dump(e->graph, f), 0);
    fclose(f);
    p = strstr(buf, key);
    if (p)
        v = atoi(p + strlen(key));
    free(buf);
    return v;
}

static void
env_start_text(env_t *e, const char *text)
{
    gf_volfile_error_t verr;
    int ret;

    memset(e, 0, sizeof(*e));
    e->ctx = gf_ctx_new();
    ck_assert_ptr_nonnull(e->ctx);
    ck_assert_int_eq(gf_ctx_init_defaults(e->ctx), 0);
    ck_assert_int_eq(
        gf_volfile_parse(text, strlen(text), "x.vol", &e->vf, &verr), 0);
    ret = gf_graph_new(e->ctx, e->vf, &e->graph, e->err, sizeof(e->err));
    ck_assert_msg(ret == 0, "%s", e->err);
    ret = gf_graph_init(e->graph, e->err, sizeof(e->err));
    ck_assert_msg(ret == 0, "%s", e->err);
    ck_assert_int_eq(gf_graph_activate(e->graph), 0);
    e->port = dump_int(e, "port=");
    ck_assert_int_gt(e->port, 0);
}

static void
env_start(env_t *e, const char *extra)
{
    char text[1024];

    snprintf(text, sizeof(text), vol_fmt, extra ? extra : "");
    env_start_text(e, text);
}

static void
env_stop(env_t *e)
{
    gf_graph_free(e->graph);
    gf_volfile_free(e->vf);
    gf_ctx_free(e->ctx);
}

/* Call PROG/VERS/PROC with OBJ encoded by ENC (AUTH_NULL); the reply in
 * REP; returns the results' offset after checking accept_stat STAT. */
static long
xcall(int fd, uint32_t xid, uint32_t prog, uint32_t vers, uint32_t proc,
      xdrproc_t enc, void *obj, uint8_t *rep, uint32_t stat)
{
    static uint8_t args[8192], msg[9000];
    size_t alen = 0, mlen;
    long n;

    if (enc)
        ck_assert_int_eq(gf_xdr_encode(enc, obj, args, sizeof(args), &alen), 0);
    mlen = simple_call(msg, xid, prog, vers, proc, args, alen);
    n = call(fd, msg, mlen, rep);
    return expect_accepted(rep, n, stat);
}

static void
xdecode(xdrproc_t dec, const uint8_t *rep, long len, void *obj, size_t size)
{
    memset(obj, 0, size);
    ck_assert_int_eq(gf_xdr_decode(dec, rep + 24, (size_t)len, obj, size, NULL),
                     0);
}

/* SETVOLUME with the keys a GlusterFS 10.3 client sends; returns op_errno
 * (0 on success) and the reply dict in *OUT (may be NULL). */
static int
setvolume(int fd, const char *subvol, gf_dict_t **out)
{
    static uint8_t rep[MAXREC];
    gf_dict_t *d = gf_dict_new(), *r = NULL;
    gf_setvolume_req req;
    gf_setvolume_rsp rsp;
    char buf[2048];
    ssize_t n;
    long len;
    int err;

    gf_dict_set_str(d, "opversion", "100000");
    gf_dict_set_str(d, "clnt-lk-version", "1");
    gf_dict_set_str(d, "client-version", "10.3");
    gf_dict_set_str(d, "process-name", "gfapi.check");
    gf_dict_set_str(d, "process-uuid", "CTX_ID:check-GRAPH_ID:0-PID:1");
    gf_dict_set_str(d, "fops-version", "1298437");
    gf_dict_set_str(d, "remote-subvolume", subvol);
    gf_dict_set_str(d, "remote-port", "24100");
    gf_dict_set_str(d, "remote-host", "127.0.0.1");
    gf_dict_set_str(d, "transport.address-family", "inet");
    gf_dict_set_str(d, "transport-type", "socket");
    n = gf_dict_old_size(d);
    ck_assert_int_gt(n, 0);
    ck_assert_int_eq(gf_dict_old_encode(d, buf, sizeof(buf)), 0);
    gf_dict_unref(d);
    req.dict.dict_val = buf;
    req.dict.dict_len = (u_int)n;
    len = xcall(fd, 3, GF_XDR_HNDSK_PROG, GF_XDR_HNDSK_VERS,
                GF_XDR_HNDSK_SETVOLUME, (xdrproc_t)xdr_gf_setvolume_req, &req,
                rep, 0);
    xdecode((xdrproc_t)xdr_gf_setvolume_rsp, rep, len, &rsp, sizeof(rsp));
    ck_assert_int_eq(
        gf_dict_old_decode(rsp.dict.dict_val, rsp.dict.dict_len, &r), 0);
    err = rsp.op_errno;
    ck_assert_int_eq(rsp.op_ret, err ? -1 : 0);
    xdr_free((xdrproc_t)xdr_gf_setvolume_rsp, (char *)&rsp);
    if (out)
        *out = r;
    else
        gf_dict_unref(r);
    return err;
}

static void
set_gfid(char *dst, unsigned last)
{
    memset(dst, 0, 16);
    dst[15] = (char)last;
}

/* LOOKUP (GFID last byte, PARGFID last byte, BNAME): the 2iatt reply. */
static void
lookup(int fd, unsigned gfid, unsigned pargfid, const char *bname,
       gfx_common_2iatt_rsp *rsp)
{
    static uint8_t rep[MAXREC];
    gfx_lookup_req req;
    long len;

    memset(&req, 0, sizeof(req));
    set_gfid(req.gfid, gfid);
    set_gfid(req.pargfid, pargfid);
    req.bname = (char *)bname;
    len = xcall(fd, 4, GF_XDR_FOP_PROG, GF_XDR_FOP_VERS, GF_XDR_FOP_LOOKUP,
                (xdrproc_t)xdr_gfx_lookup_req, &req, rep, 0);
    xdecode((xdrproc_t)xdr_gfx_common_2iatt_rsp, rep, len, rsp, sizeof(*rsp));
}

START_TEST(dump_lists_no_portmap)
{
    static uint8_t rep[MAXREC];
    gf_dump_req req = {.gfs_id = 0xcaed};
    gf_dump_rsp rsp;
    bool hndsk = false, fop = false, pmap = false;
    env_t e;
    long len;
    int fd;

    env_start(&e, NULL);
    fd = rc_connect(e.port);
    len = xcall(fd, 2, GF_XDR_DUMP_PROG, GF_XDR_DUMP_VERS, GF_XDR_DUMP_DUMP,
                (xdrproc_t)xdr_gf_dump_req, &req, rep, 0);
    xdecode((xdrproc_t)xdr_gf_dump_rsp, rep, len, &rsp, sizeof(rsp));
    ck_assert_int_eq(rsp.op_ret, 0);
    for (gf_prog_detail *p = rsp.prog; p; p = p->next) {
        hndsk |= p->prognum == GF_XDR_HNDSK_PROG && p->progver == 2;
        fop |= p->prognum == GF_XDR_FOP_PROG && p->progver == 400;
        pmap |= p->prognum == GF_XDR_PMAP_PROG;
    }
    ck_assert(hndsk);
    ck_assert(fop);
    ck_assert(!pmap);
    xdr_free((xdrproc_t)xdr_gf_dump_rsp, (char *)&rsp);
    close(fd);
    env_stop(&e);
}
END_TEST

START_TEST(setvolume_then_root_lookups)
{
    gfx_common_2iatt_rsp rsp;
    gf_dict_t *r = NULL;
    const char *s = NULL;
    uint64_t up = 0;
    gf_iatt_t ia;
    env_t e;
    int fd;

    env_start(&e, NULL);
    fd = rc_connect(e.port);
    ck_assert_int_eq(setvolume(fd, "anchor-brick", &r), 0);
    ck_assert_int_eq(gf_dict_get_str(r, "ERROR", &s), 0);
    ck_assert_str_eq(s, "Success");
    ck_assert_int_eq(gf_dict_get_uint64(r, "child_up", &up), 0);
    ck_assert_uint_eq(up, 1);
    ck_assert_int_eq(gf_dict_get_str(r, "process-uuid", &s), 0);
    ck_assert_str_eq(s, "CTX_ID:check-GRAPH_ID:0-PID:1");
    ck_assert_int_eq(gf_dict_get_uint64(r, "clnt-lk-version", &up), 0);
    ck_assert_uint_eq(up, 0);
    gf_dict_unref(r);

    /* Nameless, as glfs_init's first lookup. */
    lookup(fd, 1, 0, "", &rsp);
    ck_assert_int_eq(rsp.op_ret, 0);
    gf_xdr_iatt_from_wire(&rsp.prestat, &ia);
    ck_assert(gf_gfid_is_root(&ia.gfid));
    ck_assert_uint_eq(ia.ino, 1);
    ck_assert_uint_ne(ia.mode & S_IFMT, 0);
    xdr_free((xdrproc_t)xdr_gfx_common_2iatt_rsp, (char *)&rsp);
    /* (root, "."), the second one. */
    lookup(fd, 1, 1, ".", &rsp);
    ck_assert_int_eq(rsp.op_ret, 0);
    gf_xdr_iatt_from_wire(&rsp.prestat, &ia);
    ck_assert(gf_gfid_is_root(&ia.gfid));
    ck_assert_uint_eq(ia.ino, 1);
    xdr_free((xdrproc_t)xdr_gfx_common_2iatt_rsp, (char *)&rsp);
    /* Nameless lookups: sink knows ...2a only. */
    lookup(fd, 42, 0, "", &rsp);
    ck_assert_int_eq(rsp.op_ret, 0);
    xdr_free((xdrproc_t)xdr_gfx_common_2iatt_rsp, (char *)&rsp);
    lookup(fd, 43, 0, "", &rsp);
    ck_assert_int_eq(rsp.op_ret, -1);
    ck_assert_int_eq(rsp.op_errno, ESTALE);
    xdr_free((xdrproc_t)xdr_gfx_common_2iatt_rsp, (char *)&rsp);
    /* A named lookup under the root: sink answers gfid ...2a. */
    lookup(fd, 0, 1, "file", &rsp);
    ck_assert_int_eq(rsp.op_ret, 0);
    gf_xdr_iatt_from_wire(&rsp.prestat, &ia);
    ck_assert_uint_eq(ia.gfid.b[15], 42);
    ck_assert_uint_eq(ia.mode & S_IFMT, S_IFREG);
    xdr_free((xdrproc_t)xdr_gfx_common_2iatt_rsp, (char *)&rsp);
    close(fd);
    env_stop(&e);
}
END_TEST

/* STAT, ACCESS, bad fds, unknown procedures once bound. */
START_TEST(fops_after_setvolume)
{
    static uint8_t rep[MAXREC];
    gfx_stat_req sreq;
    gfx_common_iatt_rsp srsp;
    gfx_access_req areq;
    gfx_flush_req freq;
    gfx_common_rsp crsp;
    gf_iatt_t ia;
    env_t e;
    long len;
    int fd;

    env_start(&e, "    option inode-lru-limit 100\n");
    fd = rc_connect(e.port);
    ck_assert_int_eq(setvolume(fd, "anchor-brick", NULL), 0);

    /* STAT of the root. */
    memset(&sreq, 0, sizeof(sreq));
    set_gfid(sreq.gfid, 1);
    len = xcall(fd, 10, GF_XDR_FOP_PROG, 400, GF_XDR_FOP_STAT,
                (xdrproc_t)xdr_gfx_stat_req, &sreq, rep, 0);
    xdecode((xdrproc_t)xdr_gfx_common_iatt_rsp, rep, len, &srsp, sizeof(srsp));
    ck_assert_int_eq(srsp.op_ret, 0);
    gf_xdr_iatt_from_wire(&srsp.stat, &ia);
    ck_assert(gf_gfid_is_root(&ia.gfid));
    ck_assert_uint_eq(ia.ino, 1);
    xdr_free((xdrproc_t)xdr_gfx_common_iatt_rsp, (char *)&srsp);

    /* STAT of a gfid never seen: resolved by a nameless lookup. */
    set_gfid(sreq.gfid, 42);
    len = xcall(fd, 11, GF_XDR_FOP_PROG, 400, GF_XDR_FOP_STAT,
                (xdrproc_t)xdr_gfx_stat_req, &sreq, rep, 0);
    xdecode((xdrproc_t)xdr_gfx_common_iatt_rsp, rep, len, &srsp, sizeof(srsp));
    ck_assert_int_eq(srsp.op_ret, 0);
    gf_xdr_iatt_from_wire(&srsp.stat, &ia);
    ck_assert_uint_eq(ia.mode & S_IFMT, S_IFREG);
    xdr_free((xdrproc_t)xdr_gfx_common_iatt_rsp, (char *)&srsp);

    /* A gfid the child answers with another one: ESTALE. */
    set_gfid(sreq.gfid, 43);
    len = xcall(fd, 12, GF_XDR_FOP_PROG, 400, GF_XDR_FOP_STAT,
                (xdrproc_t)xdr_gfx_stat_req, &sreq, rep, 0);
    xdecode((xdrproc_t)xdr_gfx_common_iatt_rsp, rep, len, &srsp, sizeof(srsp));
    ck_assert_int_eq(srsp.op_ret, -1);
    ck_assert_int_eq(srsp.op_errno, ESTALE);
    xdr_free((xdrproc_t)xdr_gfx_common_iatt_rsp, (char *)&srsp);

    /* ACCESS: the child's error travels back. */
    memset(&areq, 0, sizeof(areq));
    set_gfid(areq.gfid, 1);
    areq.mask = 0777;
    len = xcall(fd, 13, GF_XDR_FOP_PROG, 400, GF_XDR_FOP_ACCESS,
                (xdrproc_t)xdr_gfx_access_req, &areq, rep, 0);
    xdecode((xdrproc_t)xdr_gfx_common_rsp, rep, len, &crsp, sizeof(crsp));
    ck_assert_int_eq(crsp.op_ret, -1);
    ck_assert_int_eq(crsp.op_errno, EACCES);
    xdr_free((xdrproc_t)xdr_gfx_common_rsp, (char *)&crsp);

    /* FLUSH of an fd number never handed out: EBADF, no crash. */
    memset(&freq, 0, sizeof(freq));
    freq.fd = 12345;
    len = xcall(fd, 14, GF_XDR_FOP_PROG, 400, GF_XDR_FOP_FLUSH,
                (xdrproc_t)xdr_gfx_flush_req, &freq, rep, 0);
    xdecode((xdrproc_t)xdr_gfx_common_rsp, rep, len, &crsp, sizeof(crsp));
    ck_assert_int_eq(crsp.op_ret, -1);
    ck_assert_int_eq(crsp.op_errno, EBADF);
    xdr_free((xdrproc_t)xdr_gfx_common_rsp, (char *)&crsp);

    /* RCHECKSUM is not served: PROC_UNAVAIL. Garbage args: GARBAGE_ARGS. */
    xcall(fd, 15, GF_XDR_FOP_PROG, 400, GF_XDR_FOP_RCHECKSUM, NULL, NULL, rep,
          GF_RPC_PROC_UNAVAIL);
    xcall(fd, 16, GF_XDR_FOP_PROG, 400, GF_XDR_FOP_STAT, NULL, NULL, rep,
          GF_RPC_GARBAGE_ARGS);
    close(fd);
    env_stop(&e);
}
END_TEST

START_TEST(setvolume_wrong_subvolume)
{
    gf_dict_t *r = NULL;
    const char *s = NULL;
    env_t e;
    int fd;

    env_start(&e, NULL);
    fd = rc_connect(e.port);
    ck_assert_int_eq(setvolume(fd, "nope", &r), ENOENT);
    ck_assert_int_eq(gf_dict_get_str(r, "ERROR", &s), 0);
    ck_assert_str_eq(s, "remote-subvolume \"nope\" is not found");
    gf_dict_unref(r);
    close(fd);
    env_stop(&e);
}
END_TEST

START_TEST(setvolume_refused_address)
{
    gf_dict_t *r = NULL;
    const char *s = NULL;
    uint8_t rep[MAXREC];
    gfx_stat_req sreq;
    env_t e;
    int fd;

    env_start(&e, "    option auth-reject 127.0.0.1\n");
    fd = rc_connect(e.port);
    ck_assert_int_eq(setvolume(fd, "anchor-brick", &r), EACCES);
    ck_assert_int_eq(gf_dict_get_str(r, "ERROR", &s), 0);
    ck_assert_ptr_nonnull(strstr(s, "Authentication failed"));
    gf_dict_unref(r);
    /* Still not bound: a FOP is refused. */
    memset(&sreq, 0, sizeof(sreq));
    set_gfid(sreq.gfid, 1);
    xcall(fd, 9, GF_XDR_FOP_PROG, 400, GF_XDR_FOP_STAT,
          (xdrproc_t)xdr_gfx_stat_req, &sreq, rep, GF_RPC_SYSTEM_ERR);
    close(fd);
    env_stop(&e);

    /* An allow list without the loopback address refuses too. */
    env_start(&e, "    option auth-allow 10.0.0.*\n");
    fd = rc_connect(e.port);
    ck_assert_int_eq(setvolume(fd, "anchor-brick", NULL), EACCES);
    close(fd);
    env_stop(&e);

    /* GlusterFS's spelling, per subvolume: its own allow list replaces
     * the server-wide one; a reject list wins over every allow list. */
    env_start(&e, "    option auth.addr.anchor-brick.allow 10.0.0.*\n");
    fd = rc_connect(e.port);
    ck_assert_int_eq(setvolume(fd, "anchor-brick", NULL), EACCES);
    close(fd);
    env_stop(&e);
    env_start(&e, "    option auth-allow 10.0.0.1\n"
                  "    option auth.addr.anchor-brick.allow 127.0.0.*\n");
    fd = rc_connect(e.port);
    ck_assert_int_eq(setvolume(fd, "anchor-brick", NULL), 0);
    close(fd);
    env_stop(&e);
    env_start(&e, "    option auth.addr.anchor-brick.allow *\n"
                  "    option auth.addr.anchor-brick.reject 127.0.0.1\n");
    fd = rc_connect(e.port);
    ck_assert_int_eq(setvolume(fd, "anchor-brick", NULL), EACCES);
    close(fd);
    env_stop(&e);
    /* Another subvolume's list does not apply to this one. */
    env_start(&e, "    option auth.addr.other.reject 127.0.0.1\n");
    fd = rc_connect(e.port);
    ck_assert_int_eq(setvolume(fd, "anchor-brick", NULL), 0);
    close(fd);
    env_stop(&e);
}
END_TEST

START_TEST(fop_before_setvolume)
{
    static uint8_t rep[MAXREC];
    gfx_lookup_req req;
    env_t e;
    int fd;

    env_start(&e, NULL);
    fd = rc_connect(e.port);
    memset(&req, 0, sizeof(req));
    set_gfid(req.gfid, 1);
    req.bname = (char *)"";
    xcall(fd, 4, GF_XDR_FOP_PROG, 400, GF_XDR_FOP_LOOKUP,
          (xdrproc_t)xdr_gfx_lookup_req, &req, rep, GF_RPC_SYSTEM_ERR);
    close(fd);
    env_stop(&e);
}
END_TEST

/* The bytes a GlusterFS 10.3 gfapi client sent (wire-sequence.txt). */
START_TEST(replay_recorded_calls)
{
    static uint8_t rep[MAXREC];
    gf_setvolume_rsp svr;
    gfx_common_2iatt_rsp lr;
    gf_dict_t *r = NULL;
    const char *s = NULL;
    gf_iatt_t ia;
    env_t e;
    long n;
    int fd;

    env_start(&e, NULL);
    fd = rc_connect(e.port);
    write_all(fd, setvolume_call, sizeof(setvolume_call));
    n = recv_record(fd, rep, MAXREC);
    ck_assert_uint_eq(get32(rep), 3);
    n = expect_accepted(rep, n, 0);
    xdecode((xdrproc_t)xdr_gf_setvolume_rsp, rep, n, &svr, sizeof(svr));
    ck_assert_int_eq(svr.op_ret, 0);
    ck_assert_int_eq(
        gf_dict_old_decode(svr.dict.dict_val, svr.dict.dict_len, &r), 0);
    ck_assert_int_eq(gf_dict_get_str(r, "ERROR", &s), 0);
    ck_assert_str_eq(s, "Success");
    gf_dict_unref(r);
    xdr_free((xdrproc_t)xdr_gf_setvolume_rsp, (char *)&svr);

    write_all(fd, lookup1_call, sizeof(lookup1_call));
    n = recv_record(fd, rep, MAXREC);
    ck_assert_uint_eq(get32(rep), 4);
    n = expect_accepted(rep, n, 0);
    xdecode((xdrproc_t)xdr_gfx_common_2iatt_rsp, rep, n, &lr, sizeof(lr));
    ck_assert_int_eq(lr.op_ret, 0);
    gf_xdr_iatt_from_wire(&lr.prestat, &ia);
    ck_assert(gf_gfid_is_root(&ia.gfid));
    ck_assert_uint_eq(ia.ino, 1);
    xdr_free((xdrproc_t)xdr_gfx_common_2iatt_rsp, (char *)&lr);
    close(fd);
    env_stop(&e);
}
END_TEST

/* Clients come and go: the server counts them and forgets them. */
START_TEST(disconnect_drops_client)
{
    env_t e;
    int fd, tries = 0;

    env_start(&e, NULL);
    fd = rc_connect(e.port);
    ck_assert_int_eq(setvolume(fd, "anchor-brick", NULL), 0);
    ck_assert_int_eq(dump_int(&e, "clients="), 1);
    close(fd);
    while (dump_int(&e, "clients=") != 0 && tries++ < 500)
        usleep(10000);
    ck_assert_int_eq(dump_int(&e, "clients="), 0);
    env_stop(&e);
}
END_TEST

/* ---- over storage/posix ------------------------------------------------ */

static int
rm_one(const char *path, const struct stat *sb, int flag, struct FTW *ftw)
{
    (void)sb, (void)flag, (void)ftw;
    return remove(path);
}

static int
count_open_fds(void)
{
    char path[64];
    int n = 0;

    for (int i = 0; i < 4096; i++) {
        snprintf(path, sizeof(path), "/proc/self/fd/%d", i);
        n += access(path, F_OK) == 0;
    }
    return n;
}

/* A call whose arguments are OBJ followed by PAYLOAD (unpadded). */
static long
xcall_payload(int fd, uint32_t xid, uint32_t proc, xdrproc_t enc, void *obj,
              const void *payload, size_t plen, uint8_t *rep)
{
    static uint8_t args[8192], msg[9000];
    size_t alen = 0, mlen;

    ck_assert_int_eq(gf_xdr_encode(enc, obj, args, sizeof(args), &alen), 0);
    memcpy(args + alen, payload, plen);
    mlen = simple_call(msg, xid, GF_XDR_FOP_PROG, GF_XDR_FOP_VERS, proc, args,
                       alen + plen);
    return expect_accepted(rep, call(fd, msg, mlen, rep), 0);
}

static const unsigned char file_gfid[16] = {
    0x11, 0x22, 0x33, 0x44, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12};

/* CREATE "f" under the root with FILE_GFID; returns the remote fd. */
static int64_t
create_file(int fd, uint8_t *rep)
{
    gfx_create_req req;
    gfx_create_rsp rsp;
    gf_iatt_t ia;
    int64_t rfd;
    long len;

    memset(&req, 0, sizeof(req));
    set_gfid(req.pargfid, 1);
    req.flags = 02 | 0100; /* GF_O_RDWR | GF_O_CREAT */
    req.mode = 0644;
    req.bname = (char *)"f";
    req.xdata = gf_dict_new();
    gf_dict_set_uuid(req.xdata, "gfid-req", file_gfid);
    len = xcall(fd, 30, GF_XDR_FOP_PROG, 400, GF_XDR_FOP_CREATE,
                (xdrproc_t)xdr_gfx_create_req, &req, rep, 0);
    gf_dict_unref(req.xdata);
    xdecode((xdrproc_t)xdr_gfx_create_rsp, rep, len, &rsp, sizeof(rsp));
    ck_assert_msg(rsp.op_ret == 0, "create: %d", rsp.op_errno);
    gf_xdr_iatt_from_wire(&rsp.stat, &ia);
    ck_assert_int_eq(memcmp(ia.gfid.b, file_gfid, 16), 0);
    ck_assert_uint_eq(ia.mode & S_IFMT, S_IFREG);
    rfd = (int64_t)rsp.fd;
    xdr_free((xdrproc_t)xdr_gfx_create_rsp, (char *)&rsp);
    return rfd;
}

static void
write_read(int fd, int64_t rfd, uint8_t *rep)
{
    static const char data[] = "hello, brick";
    gfx_common_2iatt_rsp wrsp;
    gfx_write_req w;
    gfx_read_req r;
    gfx_read_rsp rrsp;
    size_t hdr = 0;
    long len;

    memset(&w, 0, sizeof(w));
    memcpy(w.gfid, file_gfid, 16);
    w.fd = rfd;
    w.size = sizeof(data);
    len = xcall_payload(fd, 31, GF_XDR_FOP_WRITE, (xdrproc_t)xdr_gfx_write_req,
                        &w, data, sizeof(data), rep);
    xdecode((xdrproc_t)xdr_gfx_common_2iatt_rsp, rep, len, &wrsp, sizeof(wrsp));
    ck_assert_int_eq(wrsp.op_ret, (int)sizeof(data));
    xdr_free((xdrproc_t)xdr_gfx_common_2iatt_rsp, (char *)&wrsp);

    memset(&r, 0, sizeof(r));
    memcpy(r.gfid, file_gfid, 16);
    r.fd = rfd;
    r.size = 4096;
    len = xcall(fd, 32, GF_XDR_FOP_PROG, 400, GF_XDR_FOP_READ,
                (xdrproc_t)xdr_gfx_read_req, &r, rep, 0);
    ck_assert_int_eq(gf_xdr_read_split(rep + 24, (size_t)len, &hdr), 0);
    memset(&rrsp, 0, sizeof(rrsp));
    ck_assert_int_eq(gf_xdr_decode((xdrproc_t)xdr_gfx_read_rsp, rep + 24, hdr,
                                   &rrsp, sizeof(rrsp), NULL),
                     0);
    ck_assert_int_eq(rrsp.op_ret, (int)sizeof(data));
    ck_assert_uint_eq((size_t)len - hdr, sizeof(data));
    ck_assert_int_eq(memcmp(rep + 24 + hdr, data, sizeof(data)), 0);
    xdr_free((xdrproc_t)xdr_gfx_read_rsp, (char *)&rrsp);
}

/* OPEN or OPENDIR of GFID: the remote fd. */
static int64_t
open_gfid(int fd, const unsigned char *gfid, bool dir, uint8_t *rep)
{
    gfx_open_req o;
    gfx_opendir_req od;
    gfx_open_rsp rsp;
    int64_t rfd;
    long len;

    if (dir) {
        memset(&od, 0, sizeof(od));
        memcpy(od.gfid, gfid, 16);
        len = xcall(fd, 33, GF_XDR_FOP_PROG, 400, GF_XDR_FOP_OPENDIR,
                    (xdrproc_t)xdr_gfx_opendir_req, &od, rep, 0);
    } else {
        memset(&o, 0, sizeof(o));
        memcpy(o.gfid, gfid, 16);
        len = xcall(fd, 34, GF_XDR_FOP_PROG, 400, GF_XDR_FOP_OPEN,
                    (xdrproc_t)xdr_gfx_open_req, &o, rep, 0);
    }
    xdecode((xdrproc_t)xdr_gfx_open_rsp, rep, len, &rsp, sizeof(rsp));
    ck_assert_msg(rsp.op_ret == 0, "open: %d", rsp.op_errno);
    rfd = rsp.fd;
    xdr_free((xdrproc_t)xdr_gfx_open_rsp, (char *)&rsp);
    return rfd;
}

static int
readdir_count(int fd, int64_t rfd, uint8_t *rep)
{
    gfx_readdir_req req;
    gfx_readdir_rsp rsp;
    bool found = false;
    long len;
    int n;

    memset(&req, 0, sizeof(req));
    set_gfid(req.gfid, 1);
    req.fd = rfd;
    req.size = 131072;
    len = xcall(fd, 35, GF_XDR_FOP_PROG, 400, GF_XDR_FOP_READDIR,
                (xdrproc_t)xdr_gfx_readdir_req, &req, rep, 0);
    xdecode((xdrproc_t)xdr_gfx_readdir_rsp, rep, len, &rsp, sizeof(rsp));
    n = rsp.op_ret;
    for (gf_dirent_t *d = rsp.reply.head; d; d = d->next) {
        found |= strcmp(d->name, "f") == 0;
        ck_assert_uint_ne(d->d_off, 0);
    }
    ck_assert(found);
    xdr_free((xdrproc_t)xdr_gfx_readdir_rsp, (char *)&rsp);
    return n;
}

START_TEST(posix_files_and_disconnect)
{
    static uint8_t rep[MAXREC];
    static const unsigned char root[16] = {[15] = 1};
    gfx_common_2iatt_rsp lr;
    char dir[512], text[1024];
    int fd, base, before, tries = 0;
    gf_dict_t *r = NULL;
    uint64_t up = 0;
    env_t e;

    snprintf(dir, sizeof(dir), "%s/check-server-XXXXXX", gf_test_tmpdir());
    ck_assert_ptr_nonnull(mkdtemp(dir));
    /* Loop 1 puts io-threads between server and posix: replies then come
     * from worker threads, not the event thread. */
    snprintf(text, sizeof(text),
             "volume posix\n    type storage/posix\n"
             "    option directory %s\nend-volume\n"
             "volume anchor-brick\n    type %s\n"
             "    subvolumes posix\nend-volume\n"
             "volume server\n    type protocol/server\n"
             "    option transport.socket.listen-port 0\n"
             "    subvolumes anchor-brick\nend-volume\n",
             dir, _i ? "performance/io-threads" : "debug/io-stats");
    base = count_open_fds();
    env_start_text(&e, text);
    before = count_open_fds();
    fd = rc_connect(e.port);
    ck_assert_int_eq(setvolume(fd, "anchor-brick", &r), 0);
    /* posix answers PARENT_UP with CHILD_UP: a stock client told child_up
     * 0 would never finish glfs_init. */
    ck_assert_int_eq(gf_dict_get_uint64(r, "child_up", &up), 0);
    ck_assert_uint_eq(up, 1);
    gf_dict_unref(r);
    lookup(fd, 1, 0, "", &lr);
    ck_assert_int_eq(lr.op_ret, 0);
    xdr_free((xdrproc_t)xdr_gfx_common_2iatt_rsp, (char *)&lr);

    ck_assert_int_eq(create_file(fd, rep), 0);
    write_read(fd, 0, rep);
    ck_assert_int_eq(open_gfid(fd, file_gfid, false, rep), 1);
    ck_assert_int_eq(open_gfid(fd, root, true, rep), 2);
    ck_assert_int_ge(readdir_count(fd, 2, rep), 1);
    ck_assert_int_gt(count_open_fds(), before + 1);

    /* The client goes without RELEASE: its three fds are released. */
    close(fd);
    while ((dump_int(&e, "clients=") != 0 || count_open_fds() != before) &&
           tries++ < 500)
        usleep(10000);
    ck_assert_int_eq(dump_int(&e, "clients="), 0);
    ck_assert_int_eq(count_open_fds(), before);

    /* The graph goes while a client is still connected with fds open:
     * the server releases them before the translators below finish. */
    fd = rc_connect(e.port);
    ck_assert_int_eq(setvolume(fd, "anchor-brick", NULL), 0);
    lookup(fd, 1, 0, "", &lr);
    ck_assert_int_eq(lr.op_ret, 0);
    xdr_free((xdrproc_t)xdr_gfx_common_2iatt_rsp, (char *)&lr);
    ck_assert_int_eq(open_gfid(fd, file_gfid, false, rep), 0);
    ck_assert_int_eq(open_gfid(fd, root, true, rep), 1);
    env_stop(&e);
    close(fd);
    ck_assert_int_eq(count_open_fds(), base);
    ck_assert_int_eq(nftw(dir, rm_one, 16, FTW_DEPTH | FTW_PHYS), 0);
}
END_TEST

/* One FOP round trip: encode REQ with ENC, decode the reply with DEC. */
static void
fop(int fd, uint32_t proc, xdrproc_t enc, void *req, xdrproc_t dec, void *rsp,
    size_t size)
{
    static uint8_t rep[MAXREC];
    long len =
        xcall(fd, 40 + proc, GF_XDR_FOP_PROG, 400, proc, enc, req, rep, 0);

    xdecode(dec, rep, len, rsp, size);
}

static const unsigned char dir_gfid[16] = {0x55, 0x66, 0x77, 0x88, 9, 9, 9, 9,
                                           9,    9,    9,    9,    9, 9, 9, 1};

static void
ns_mkdir_statfs(int fd)
{
    gfx_mkdir_req mk = {.mode = 0755, .bname = (char *)"d"};
    gfx_common_3iatt_rsp r3;
    gfx_statfs_req sf;
    gfx_statfs_rsp sfr;
    gf_iatt_t ia;

    set_gfid(mk.pargfid, 1);
    mk.xdata = gf_dict_new();
    gf_dict_set_uuid(mk.xdata, "gfid-req", dir_gfid);
    fop(fd, GF_XDR_FOP_MKDIR, (xdrproc_t)xdr_gfx_mkdir_req, &mk,
        (xdrproc_t)xdr_gfx_common_3iatt_rsp, &r3, sizeof(r3));
    gf_dict_unref(mk.xdata);
    ck_assert_msg(r3.op_ret == 0, "mkdir: %d", r3.op_errno);
    gf_xdr_iatt_from_wire(&r3.stat, &ia);
    ck_assert_int_eq(memcmp(ia.gfid.b, dir_gfid, 16), 0);
    ck_assert_uint_eq(ia.mode & S_IFMT, S_IFDIR);
    xdr_free((xdrproc_t)xdr_gfx_common_3iatt_rsp, (char *)&r3);

    memset(&sf, 0, sizeof(sf));
    set_gfid(sf.gfid, 1);
    fop(fd, GF_XDR_FOP_STATFS, (xdrproc_t)xdr_gfx_statfs_req, &sf,
        (xdrproc_t)xdr_gfx_statfs_rsp, &sfr, sizeof(sfr));
    ck_assert_int_eq(sfr.op_ret, 0);
    ck_assert_uint_gt(sfr.statfs.bsize, 0);
    ck_assert_uint_gt(sfr.statfs.blocks, 0);
    xdr_free((xdrproc_t)xdr_gfx_statfs_rsp, (char *)&sfr);
}

static void
ns_attrs(int fd)
{
    gfx_truncate_req tr;
    gfx_setattr_req sa;
    gfx_common_2iatt_rsp r2;
    gf_iatt_t ia;

    memset(&tr, 0, sizeof(tr));
    memcpy(tr.gfid, file_gfid, 16);
    tr.offset = 3;
    fop(fd, GF_XDR_FOP_TRUNCATE, (xdrproc_t)xdr_gfx_truncate_req, &tr,
        (xdrproc_t)xdr_gfx_common_2iatt_rsp, &r2, sizeof(r2));
    ck_assert_msg(r2.op_ret == 0, "truncate: %d", r2.op_errno);
    gf_xdr_iatt_from_wire(&r2.poststat, &ia);
    ck_assert_uint_eq(ia.size, 3);
    xdr_free((xdrproc_t)xdr_gfx_common_2iatt_rsp, (char *)&r2);

    memset(&sa, 0, sizeof(sa));
    memcpy(sa.gfid, file_gfid, 16);
    memset(&ia, 0, sizeof(ia));
    ia.mode = S_IFREG | 0600;
    gf_xdr_iatt_to_wire(&ia, &sa.stbuf);
    sa.valid = GF_SET_ATTR_MODE;
    fop(fd, GF_XDR_FOP_SETATTR, (xdrproc_t)xdr_gfx_setattr_req, &sa,
        (xdrproc_t)xdr_gfx_common_2iatt_rsp, &r2, sizeof(r2));
    ck_assert_msg(r2.op_ret == 0, "setattr: %d", r2.op_errno);
    gf_xdr_iatt_from_wire(&r2.poststat, &ia);
    ck_assert_uint_eq(ia.mode & 07777, 0600);
    xdr_free((xdrproc_t)xdr_gfx_common_2iatt_rsp, (char *)&r2);
}

static void
ns_xattrs(int fd)
{
    gfx_setxattr_req sx;
    gfx_getxattr_req gx;
    gfx_common_rsp cr;
    gfx_common_dict_rsp dr;
    const void *v = NULL;
    size_t vlen = 0;

    memset(&sx, 0, sizeof(sx));
    memcpy(sx.gfid, file_gfid, 16);
    sx.dict = gf_dict_new();
    gf_dict_set_str(sx.dict, "user.colour", "blue");
    fop(fd, GF_XDR_FOP_SETXATTR, (xdrproc_t)xdr_gfx_setxattr_req, &sx,
        (xdrproc_t)xdr_gfx_common_rsp, &cr, sizeof(cr));
    gf_dict_unref(sx.dict);
    ck_assert_msg(cr.op_ret == 0, "setxattr: %d", cr.op_errno);
    xdr_free((xdrproc_t)xdr_gfx_common_rsp, (char *)&cr);

    memset(&gx, 0, sizeof(gx));
    memcpy(gx.gfid, file_gfid, 16);
    gx.name = (char *)"user.colour";
    gx.namelen = (unsigned)strlen(gx.name);
    fop(fd, GF_XDR_FOP_GETXATTR, (xdrproc_t)xdr_gfx_getxattr_req, &gx,
        (xdrproc_t)xdr_gfx_common_dict_rsp, &dr, sizeof(dr));
    ck_assert_msg(dr.op_ret >= 0, "getxattr: %d", dr.op_errno);
    ck_assert_ptr_nonnull(dr.dict);
    /* xattr values come back as raw bytes. */
    ck_assert_int_eq(gf_dict_get_bin(dr.dict, "user.colour", &v, &vlen), 0);
    ck_assert_uint_ge(vlen, 4);
    ck_assert_int_eq(memcmp(v, "blue", 4), 0);
    xdr_free((xdrproc_t)xdr_gfx_common_dict_rsp, (char *)&dr);
}

static void
ns_rename_remove(int fd)
{
    gfx_rename_req rn;
    gfx_rename_rsp rr;
    gfx_unlink_req ul;
    gfx_rmdir_req rd;
    gfx_common_2iatt_rsp r2;

    memset(&rn, 0, sizeof(rn));
    set_gfid(rn.oldgfid, 1);
    memcpy(rn.newgfid, dir_gfid, 16);
    rn.oldbname = (char *)"f";
    rn.newbname = (char *)"g";
    fop(fd, GF_XDR_FOP_RENAME, (xdrproc_t)xdr_gfx_rename_req, &rn,
        (xdrproc_t)xdr_gfx_rename_rsp, &rr, sizeof(rr));
    ck_assert_msg(rr.op_ret == 0, "rename: %d", rr.op_errno);
    xdr_free((xdrproc_t)xdr_gfx_rename_rsp, (char *)&rr);

    /* The directory is not empty yet. */
    memset(&rd, 0, sizeof(rd));
    set_gfid(rd.pargfid, 1);
    rd.bname = (char *)"d";
    fop(fd, GF_XDR_FOP_RMDIR, (xdrproc_t)xdr_gfx_rmdir_req, &rd,
        (xdrproc_t)xdr_gfx_common_2iatt_rsp, &r2, sizeof(r2));
    ck_assert_int_eq(r2.op_ret, -1);
    ck_assert_int_eq(r2.op_errno, ENOTEMPTY);
    xdr_free((xdrproc_t)xdr_gfx_common_2iatt_rsp, (char *)&r2);

    memset(&ul, 0, sizeof(ul));
    memcpy(ul.pargfid, dir_gfid, 16);
    ul.bname = (char *)"g";
    fop(fd, GF_XDR_FOP_UNLINK, (xdrproc_t)xdr_gfx_unlink_req, &ul,
        (xdrproc_t)xdr_gfx_common_2iatt_rsp, &r2, sizeof(r2));
    ck_assert_msg(r2.op_ret == 0, "unlink: %d", r2.op_errno);
    xdr_free((xdrproc_t)xdr_gfx_common_2iatt_rsp, (char *)&r2);

    fop(fd, GF_XDR_FOP_RMDIR, (xdrproc_t)xdr_gfx_rmdir_req, &rd,
        (xdrproc_t)xdr_gfx_common_2iatt_rsp, &r2, sizeof(r2));
    ck_assert_msg(r2.op_ret == 0, "rmdir: %d", r2.op_errno);
    xdr_free((xdrproc_t)xdr_gfx_common_2iatt_rsp, (char *)&r2);
}

START_TEST(posix_namespace_ops)
{
    static uint8_t rep[MAXREC];
    gfx_release_req rel;
    gfx_common_rsp cr;
    char dir[512], text[1024];
    env_t e;
    int fd;

    snprintf(dir, sizeof(dir), "%s/check-server-XXXXXX", gf_test_tmpdir());
    ck_assert_ptr_nonnull(mkdtemp(dir));
    snprintf(text, sizeof(text),
             "volume anchor-brick\n    type storage/posix\n"
             "    option directory %s\nend-volume\n"
             "volume server\n    type protocol/server\n"
             "    option transport.socket.listen-port 0\n"
             "    subvolumes anchor-brick\nend-volume\n",
             dir);
    env_start_text(&e, text);
    fd = rc_connect(e.port);
    ck_assert_int_eq(setvolume(fd, "anchor-brick", NULL), 0);
    ck_assert_int_eq(create_file(fd, rep), 0);
    /* RELEASE hands fd 0 back; a second RELEASE of it is EBADF. */
    memset(&rel, 0, sizeof(rel));
    memcpy(rel.gfid, file_gfid, 16);
    fop(fd, GF_XDR_FOP_RELEASE, (xdrproc_t)xdr_gfx_release_req, &rel,
        (xdrproc_t)xdr_gfx_common_rsp, &cr, sizeof(cr));
    ck_assert_int_eq(cr.op_ret, 0);
    xdr_free((xdrproc_t)xdr_gfx_common_rsp, (char *)&cr);
    fop(fd, GF_XDR_FOP_RELEASE, (xdrproc_t)xdr_gfx_release_req, &rel,
        (xdrproc_t)xdr_gfx_common_rsp, &cr, sizeof(cr));
    ck_assert_int_eq(cr.op_errno, EBADF);
    xdr_free((xdrproc_t)xdr_gfx_common_rsp, (char *)&cr);

    ns_mkdir_statfs(fd);
    ns_attrs(fd);
    ns_xattrs(fd);
    ns_rename_remove(fd);
    /* Deleted objects leave the inode table at once (not via the LRU):
     * only the root, which is no dentry, is left. */
    ck_assert_int_eq(dump_int(&e, "itable.0.lru="), 0);
    ck_assert_int_eq(dump_int(&e, "itable.0.dentries="), 0);
    close(fd);
    env_stop(&e);
    ck_assert_int_eq(nftw(dir, rm_one, 16, FTW_DEPTH | FTW_PHYS), 0);
}
END_TEST

/* ---- SYMLINK, READLINK, LINK, MKNOD, the xattr removals and fd xattrs -- */

static const unsigned char sym_gfid[16] = {0xa1, 0xb2, 1, 1, 1, 1, 1, 1,
                                           1,    1,    1, 1, 1, 1, 1, 7};
static const unsigned char out_gfid[16] = {0xa1, 0xb2, 2, 2, 2, 2, 2, 2,
                                           2,    2,    2, 2, 2, 2, 2, 8};
static const unsigned char vic_gfid[16] = {0xa1, 0xb2, 3, 3, 3, 3, 3, 3,
                                           3,    3,    3, 3, 3, 3, 3, 9};
static const unsigned char fifo_gfid[16] = {0xa1, 0xb2, 4, 4, 4, 4, 4, 4,
                                            4,    4,    4, 4, 4, 4, 4, 10};

/* SYMLINK NAME -> TARGET under the root, gfid-req GFID (if given). */
static void
symlink_root(int fd, const char *name, const char *target,
             const unsigned char *gfid, gfx_common_3iatt_rsp *r3)
{
    gfx_symlink_req sl;

    memset(&sl, 0, sizeof(sl));
    set_gfid(sl.pargfid, 1);
    sl.bname = (char *)name;
    sl.linkname = (char *)target;
    sl.xdata = gf_dict_new();
    if (gfid)
        gf_dict_set_uuid(sl.xdata, "gfid-req", gfid);
    fop(fd, GF_XDR_FOP_SYMLINK, (xdrproc_t)xdr_gfx_symlink_req, &sl,
        (xdrproc_t)xdr_gfx_common_3iatt_rsp, r3, sizeof(*r3));
    gf_dict_unref(sl.xdata);
}

/* op_errno of a 3iatt-answered call that must fail. */
static int
failed3(gfx_common_3iatt_rsp *r3)
{
    int err = r3->op_errno;

    ck_assert_int_eq(r3->op_ret, -1);
    xdr_free((xdrproc_t)xdr_gfx_common_3iatt_rsp, (char *)r3);
    return err;
}

/* READLINK of GFID: op_ret, the target in PATH (PATH_SIZE bytes). */
static int
readlink_gfid(int fd, const unsigned char *gfid, char *path, size_t path_size,
              uint32_t *type)
{
    gfx_readlink_req rl;
    gfx_readlink_rsp rr;
    gf_iatt_t ia;
    int ret;

    memset(&rl, 0, sizeof(rl));
    memcpy(rl.gfid, gfid, 16);
    rl.size = 4096;
    fop(fd, GF_XDR_FOP_READLINK, (xdrproc_t)xdr_gfx_readlink_req, &rl,
        (xdrproc_t)xdr_gfx_readlink_rsp, &rr, sizeof(rr));
    ret = rr.op_ret < 0 ? -rr.op_errno : rr.op_ret;
    ck_assert_ptr_nonnull(rr.path);
    snprintf(path, path_size, "%s", rr.path);
    gf_xdr_iatt_from_wire(&rr.buf, &ia);
    *type = ia.mode & S_IFMT;
    if (ret >= 0)
        ck_assert_int_eq(memcmp(ia.gfid.b, gfid, 16), 0);
    xdr_free((xdrproc_t)xdr_gfx_readlink_rsp, (char *)&rr);
    return ret;
}

static void
lk_symlink_readlink(int fd)
{
    static const char *const bad[] = {"a/b", "..", ".", ""};
    gfx_common_3iatt_rsp r3;
    char path[64];
    uint32_t type = 0;
    gf_iatt_t ia;

    symlink_root(fd, "s", "f", sym_gfid, &r3);
    ck_assert_msg(r3.op_ret == 0, "symlink: %d", r3.op_errno);
    gf_xdr_iatt_from_wire(&r3.stat, &ia);
    ck_assert_int_eq(memcmp(ia.gfid.b, sym_gfid, 16), 0);
    ck_assert_uint_eq(ia.mode & S_IFMT, S_IFLNK);
    ck_assert_uint_eq(ia.size, 1);
    gf_xdr_iatt_from_wire(&r3.postparent, &ia);
    ck_assert(gf_gfid_is_root(&ia.gfid));
    ck_assert_uint_eq(ia.mode & S_IFMT, S_IFDIR);
    xdr_free((xdrproc_t)xdr_gfx_common_3iatt_rsp, (char *)&r3);

    ck_assert_int_eq(readlink_gfid(fd, sym_gfid, path, sizeof(path), &type), 1);
    ck_assert_str_eq(path, "f");
    ck_assert_uint_eq(type, S_IFLNK);
    /* A regular file has no target. */
    ck_assert_int_eq(readlink_gfid(fd, file_gfid, path, sizeof(path), &type),
                     -EINVAL);
    ck_assert_str_eq(path, "");

    /* Names are one component; the target must say something. */
    for (size_t i = 0; i < GF_ARRAY_SIZE(bad); i++) {
        symlink_root(fd, bad[i], "f", NULL, &r3);
        ck_assert_int_eq(failed3(&r3), EINVAL);
    }
    symlink_root(fd, "empty", "", NULL, &r3);
    ck_assert_int_eq(failed3(&r3), EINVAL);
    /* The name exists already. */
    symlink_root(fd, "s", "g", NULL, &r3);
    ck_assert_int_eq(failed3(&r3), EEXIST);
}

/* LINK GFID under the root as NAME (NEWPAR: last byte of the parent). */
static void
link_root(int fd, const unsigned char *gfid, unsigned newpar, const char *name,
          gfx_common_3iatt_rsp *r3)
{
    gfx_link_req ln;

    memset(&ln, 0, sizeof(ln));
    memcpy(ln.oldgfid, gfid, 16);
    set_gfid(ln.newgfid, newpar);
    ln.newbname = (char *)name;
    fop(fd, GF_XDR_FOP_LINK, (xdrproc_t)xdr_gfx_link_req, &ln,
        (xdrproc_t)xdr_gfx_common_3iatt_rsp, r3, sizeof(*r3));
}

static void
lk_link(int fd)
{
    gfx_common_3iatt_rsp r3;
    gfx_common_2iatt_rsp lr;
    gfx_link_req ln;
    gf_iatt_t ia;

    link_root(fd, file_gfid, 1, "f2", &r3);
    ck_assert_msg(r3.op_ret == 0, "link: %d", r3.op_errno);
    gf_xdr_iatt_from_wire(&r3.stat, &ia);
    ck_assert_int_eq(memcmp(ia.gfid.b, file_gfid, 16), 0);
    ck_assert_uint_eq(ia.mode & S_IFMT, S_IFREG);
    ck_assert_uint_eq(ia.nlink, 2);
    gf_xdr_iatt_from_wire(&r3.postparent, &ia);
    ck_assert(gf_gfid_is_root(&ia.gfid));
    xdr_free((xdrproc_t)xdr_gfx_common_3iatt_rsp, (char *)&r3);
    /* Both names are the same object. */
    lookup(fd, 0, 1, "f2", &lr);
    ck_assert_int_eq(lr.op_ret, 0);
    gf_xdr_iatt_from_wire(&lr.prestat, &ia);
    ck_assert_int_eq(memcmp(ia.gfid.b, file_gfid, 16), 0);
    ck_assert_uint_eq(ia.nlink, 2);
    xdr_free((xdrproc_t)xdr_gfx_common_2iatt_rsp, (char *)&lr);

    /* Taken name, bad names, a parent nobody has, a directory. */
    link_root(fd, file_gfid, 1, "f2", &r3);
    ck_assert_int_eq(failed3(&r3), EEXIST);
    link_root(fd, file_gfid, 1, "x/y", &r3);
    ck_assert_int_eq(failed3(&r3), EINVAL);
    link_root(fd, file_gfid, 1, "..", &r3);
    ck_assert_int_eq(failed3(&r3), EINVAL);
    link_root(fd, file_gfid, 0x77, "f3", &r3);
    ck_assert_msg(r3.op_errno == ESTALE || r3.op_errno == ENOENT,
                  "link, missing parent: %d", r3.op_errno);
    failed3(&r3);
    /* A parent that is a file. */
    memset(&ln, 0, sizeof(ln));
    memcpy(ln.oldgfid, file_gfid, 16);
    memcpy(ln.newgfid, file_gfid, 16);
    ln.newbname = (char *)"inside";
    fop(fd, GF_XDR_FOP_LINK, (xdrproc_t)xdr_gfx_link_req, &ln,
        (xdrproc_t)xdr_gfx_common_3iatt_rsp, &r3, sizeof(r3));
    ck_assert_int_eq(failed3(&r3), ENOTDIR);
    link_root(fd, (const unsigned char *)"\0\0\0\0\0\0\0\0\0\0\0\0\0\0\0\1", 1,
              "rootlink", &r3);
    ck_assert_int_eq(failed3(&r3), EPERM);
}

/* MKNOD NAME under the root. */
static void
mknod_root(int fd, const char *name, uint32_t mode, const unsigned char *gfid,
           gfx_common_3iatt_rsp *r3)
{
    gfx_mknod_req mn;

    memset(&mn, 0, sizeof(mn));
    set_gfid(mn.pargfid, 1);
    mn.mode = mode;
    mn.dev = S_ISCHR(mode) ? makedev(1, 3) : 0;
    mn.umask = 022;
    mn.bname = (char *)name;
    mn.xdata = gf_dict_new();
    if (gfid)
        gf_dict_set_uuid(mn.xdata, "gfid-req", gfid);
    fop(fd, GF_XDR_FOP_MKNOD, (xdrproc_t)xdr_gfx_mknod_req, &mn,
        (xdrproc_t)xdr_gfx_common_3iatt_rsp, r3, sizeof(*r3));
    gf_dict_unref(mn.xdata);
}

static void
lk_mknod(int fd, const char *brick)
{
    gfx_common_3iatt_rsp r3;
    gfx_stat_req sr;
    gfx_common_iatt_rsp srsp;
    char path[600];
    struct stat st;
    gf_iatt_t ia;

    mknod_root(fd, "p", S_IFIFO | 0666, fifo_gfid, &r3);
    ck_assert_msg(r3.op_ret == 0, "mknod: %d", r3.op_errno);
    gf_xdr_iatt_from_wire(&r3.stat, &ia);
    ck_assert_int_eq(memcmp(ia.gfid.b, fifo_gfid, 16), 0);
    ck_assert_uint_eq(ia.mode & S_IFMT, S_IFIFO);
    ck_assert_uint_eq(ia.mode & 0777, 0644); /* umask applied */
    xdr_free((xdrproc_t)xdr_gfx_common_3iatt_rsp, (char *)&r3);
    snprintf(path, sizeof(path), "%s/p", brick);
    ck_assert_int_eq(lstat(path, &st), 0);
    ck_assert(S_ISFIFO(st.st_mode));
    /* Linked: a STAT by gfid is served. */
    memset(&sr, 0, sizeof(sr));
    memcpy(sr.gfid, fifo_gfid, 16);
    fop(fd, GF_XDR_FOP_STAT, (xdrproc_t)xdr_gfx_stat_req, &sr,
        (xdrproc_t)xdr_gfx_common_iatt_rsp, &srsp, sizeof(srsp));
    ck_assert_int_eq(srsp.op_ret, 0);
    gf_xdr_iatt_from_wire(&srsp.stat, &ia);
    ck_assert_uint_eq(ia.mode & S_IFMT, S_IFIFO);
    xdr_free((xdrproc_t)xdr_gfx_common_iatt_rsp, (char *)&srsp);

    /* A character device: DEV reaches mknod(2) (some containers lack
     * CAP_MKNOD: EPERM is their answer, not ours). */
    mknod_root(fd, "null", S_IFCHR | 0600, NULL, &r3);
    if (r3.op_ret == -1 && r3.op_errno == EPERM) {
        xdr_free((xdrproc_t)xdr_gfx_common_3iatt_rsp, (char *)&r3);
    } else {
        ck_assert_msg(r3.op_ret == 0, "mknod chr: %d", r3.op_errno);
        gf_xdr_iatt_from_wire(&r3.stat, &ia);
        ck_assert_uint_eq(ia.mode & S_IFMT, S_IFCHR);
        ck_assert_uint_eq(ia.rdev, makedev(1, 3));
        xdr_free((xdrproc_t)xdr_gfx_common_3iatt_rsp, (char *)&r3);
    }
    mknod_root(fd, "q/r", S_IFIFO | 0644, NULL, &r3);
    ck_assert_int_eq(failed3(&r3), EINVAL);
    mknod_root(fd, "p", S_IFIFO | 0644, NULL, &r3);
    ck_assert_int_eq(failed3(&r3), EEXIST);
}

/* A symlink to outside the brick is stored, never followed: not as a
 * parent, not when opened, truncated, given xattrs or hard-linked. */
static void
lk_symlink_out(int fd, const char *outdir)
{
    gfx_common_3iatt_rsp r3;
    gfx_mkdir_req mk;
    gfx_open_req o;
    gfx_open_rsp orsp;
    gfx_truncate_req tr;
    gfx_common_2iatt_rsp r2;
    gfx_setxattr_req sx;
    gfx_common_rsp cr;
    char victim[600], path[600], v;
    struct stat st;
    gf_iatt_t ia;
    FILE *f;

    snprintf(victim, sizeof(victim), "%s/victim", outdir);
    f = fopen(victim, "w");
    ck_assert_ptr_nonnull(f);
    fputs("secret", f);
    fclose(f);
    symlink_root(fd, "out", outdir, out_gfid, &r3);
    ck_assert_msg(r3.op_ret == 0, "symlink out: %d", r3.op_errno);
    xdr_free((xdrproc_t)xdr_gfx_common_3iatt_rsp, (char *)&r3);
    symlink_root(fd, "v", victim, vic_gfid, &r3);
    ck_assert_msg(r3.op_ret == 0, "symlink v: %d", r3.op_errno);
    xdr_free((xdrproc_t)xdr_gfx_common_3iatt_rsp, (char *)&r3);

    memset(&mk, 0, sizeof(mk));
    memcpy(mk.pargfid, out_gfid, 16);
    mk.mode = 0755;
    mk.bname = (char *)"x";
    fop(fd, GF_XDR_FOP_MKDIR, (xdrproc_t)xdr_gfx_mkdir_req, &mk,
        (xdrproc_t)xdr_gfx_common_3iatt_rsp, &r3, sizeof(r3));
    ck_assert_int_eq(failed3(&r3), ENOTDIR);
    snprintf(path, sizeof(path), "%s/x", outdir);
    ck_assert_int_eq(lstat(path, &st), -1);

    memset(&o, 0, sizeof(o));
    memcpy(o.gfid, vic_gfid, 16);
    o.flags = 02; /* GF_O_RDWR */
    fop(fd, GF_XDR_FOP_OPEN, (xdrproc_t)xdr_gfx_open_req, &o,
        (xdrproc_t)xdr_gfx_open_rsp, &orsp, sizeof(orsp));
    ck_assert_int_eq(orsp.op_ret, -1);
    xdr_free((xdrproc_t)xdr_gfx_open_rsp, (char *)&orsp);

    memset(&tr, 0, sizeof(tr));
    memcpy(tr.gfid, vic_gfid, 16);
    fop(fd, GF_XDR_FOP_TRUNCATE, (xdrproc_t)xdr_gfx_truncate_req, &tr,
        (xdrproc_t)xdr_gfx_common_2iatt_rsp, &r2, sizeof(r2));
    xdr_free((xdrproc_t)xdr_gfx_common_2iatt_rsp, (char *)&r2);

    memset(&sx, 0, sizeof(sx));
    memcpy(sx.gfid, vic_gfid, 16);
    sx.dict = gf_dict_new();
    gf_dict_set_str(sx.dict, "user.evil", "1");
    fop(fd, GF_XDR_FOP_SETXATTR, (xdrproc_t)xdr_gfx_setxattr_req, &sx,
        (xdrproc_t)xdr_gfx_common_rsp, &cr, sizeof(cr));
    gf_dict_unref(sx.dict);
    xdr_free((xdrproc_t)xdr_gfx_common_rsp, (char *)&cr);

    /* A hard link of the symlink is another symlink, not the victim. */
    link_root(fd, vic_gfid, 1, "v2", &r3);
    ck_assert_msg(r3.op_ret == 0, "link v: %d", r3.op_errno);
    gf_xdr_iatt_from_wire(&r3.stat, &ia);
    ck_assert_uint_eq(ia.mode & S_IFMT, S_IFLNK);
    xdr_free((xdrproc_t)xdr_gfx_common_3iatt_rsp, (char *)&r3);

    ck_assert_int_eq(stat(victim, &st), 0);
    ck_assert_int_eq(st.st_size, 6);
    ck_assert_uint_eq(st.st_nlink, 1);
    ck_assert_int_eq(getxattr(victim, "user.evil", &v, 1), -1);
    ck_assert_int_eq(unlink(victim), 0);
}

/* REMOVEXATTR by gfid; the REMOVEXATTR-class reply. */
static int
removexattr_gfid(int fd, const unsigned char *gfid, const char *name)
{
    gfx_removexattr_req rx;
    gfx_common_rsp cr;
    int ret;

    memset(&rx, 0, sizeof(rx));
    memcpy(rx.gfid, gfid, 16);
    rx.name = (char *)name;
    fop(fd, GF_XDR_FOP_REMOVEXATTR, (xdrproc_t)xdr_gfx_removexattr_req, &rx,
        (xdrproc_t)xdr_gfx_common_rsp, &cr, sizeof(cr));
    ret = cr.op_ret < 0 ? -cr.op_errno : cr.op_ret;
    xdr_free((xdrproc_t)xdr_gfx_common_rsp, (char *)&cr);
    return ret;
}

static void
lk_removexattr(int fd)
{
    gfx_setxattr_req sx;
    gfx_common_rsp cr;

    memset(&sx, 0, sizeof(sx));
    memcpy(sx.gfid, file_gfid, 16);
    sx.dict = gf_dict_new();
    gf_dict_set_str(sx.dict, "user.gone", "soon");
    fop(fd, GF_XDR_FOP_SETXATTR, (xdrproc_t)xdr_gfx_setxattr_req, &sx,
        (xdrproc_t)xdr_gfx_common_rsp, &cr, sizeof(cr));
    gf_dict_unref(sx.dict);
    ck_assert_int_eq(cr.op_ret, 0);
    xdr_free((xdrproc_t)xdr_gfx_common_rsp, (char *)&cr);

    ck_assert_int_eq(removexattr_gfid(fd, file_gfid, "user.gone"), 0);
    ck_assert_int_eq(removexattr_gfid(fd, file_gfid, "user.gone"), -ENODATA);
    ck_assert_int_eq(removexattr_gfid(fd, file_gfid, ""), -EINVAL);
    ck_assert_int_eq(removexattr_gfid(fd, file_gfid, "user.never"), -ENODATA);
}

/* FGETXATTR NAME ("" for all) on remote fd RFD: op_ret or -op_errno;
 * the value of NAME (or of "user.fd" for all) in VAL. */
static int
fgetxattr_fd(int fd, int64_t rfd, const char *name, char *val, size_t size)
{
    gfx_fgetxattr_req gx;
    gfx_common_dict_rsp dr;
    const void *v = NULL;
    size_t vlen = 0;
    int ret;

    memset(&gx, 0, sizeof(gx));
    memcpy(gx.gfid, file_gfid, 16);
    gx.fd = rfd;
    gx.name = (char *)name;
    gx.namelen = (unsigned)strlen(name);
    fop(fd, GF_XDR_FOP_FGETXATTR, (xdrproc_t)xdr_gfx_fgetxattr_req, &gx,
        (xdrproc_t)xdr_gfx_common_dict_rsp, &dr, sizeof(dr));
    ret = dr.op_ret < 0 ? -dr.op_errno : dr.op_ret;
    val[0] = '\0';
    if (ret >= 0 && dr.dict &&
        gf_dict_get_bin(dr.dict, *name ? name : "user.fd", &v, &vlen) == 0)
        snprintf(val, size, "%.*s", (int)vlen, (const char *)v);
    xdr_free((xdrproc_t)xdr_gfx_common_dict_rsp, (char *)&dr);
    return ret;
}

static int
fsetxattr_fd(int fd, int64_t rfd, const char *name, const char *value)
{
    gfx_fsetxattr_req fx;
    gfx_common_rsp cr;
    int ret;

    memset(&fx, 0, sizeof(fx));
    memcpy(fx.gfid, file_gfid, 16);
    fx.fd = rfd;
    fx.dict = gf_dict_new();
    gf_dict_set_str(fx.dict, name, value);
    fop(fd, GF_XDR_FOP_FSETXATTR, (xdrproc_t)xdr_gfx_fsetxattr_req, &fx,
        (xdrproc_t)xdr_gfx_common_rsp, &cr, sizeof(cr));
    gf_dict_unref(fx.dict);
    ret = cr.op_ret < 0 ? -cr.op_errno : cr.op_ret;
    xdr_free((xdrproc_t)xdr_gfx_common_rsp, (char *)&cr);
    return ret;
}

static int
fremovexattr_fd(int fd, int64_t rfd, const char *name)
{
    gfx_fremovexattr_req fr;
    gfx_common_rsp cr;
    int ret;

    memset(&fr, 0, sizeof(fr));
    memcpy(fr.gfid, file_gfid, 16);
    fr.fd = rfd;
    fr.name = (char *)name;
    fop(fd, GF_XDR_FOP_FREMOVEXATTR, (xdrproc_t)xdr_gfx_fremovexattr_req, &fr,
        (xdrproc_t)xdr_gfx_common_rsp, &cr, sizeof(cr));
    ret = cr.op_ret < 0 ? -cr.op_errno : cr.op_ret;
    xdr_free((xdrproc_t)xdr_gfx_common_rsp, (char *)&cr);
    return ret;
}

static void
lk_fd_xattrs(int fd, int64_t rfd)
{
    char val[64];

    ck_assert_int_eq(fsetxattr_fd(fd, rfd, "user.fd", "by-fd"), 0);
    ck_assert_int_ge(fgetxattr_fd(fd, rfd, "user.fd", val, sizeof(val)), 1);
    ck_assert_str_eq(val, "by-fd");
    ck_assert_int_ge(fgetxattr_fd(fd, rfd, "", val, sizeof(val)), 1);
    ck_assert_str_eq(val, "by-fd");
    ck_assert_int_eq(fremovexattr_fd(fd, rfd, "user.fd"), 0);
    ck_assert_int_eq(fgetxattr_fd(fd, rfd, "user.fd", val, sizeof(val)),
                     -ENODATA);
    ck_assert_int_eq(fremovexattr_fd(fd, rfd, "user.fd"), -ENODATA);
    ck_assert_int_eq(fremovexattr_fd(fd, rfd, ""), -EINVAL);
    /* An fd number never handed out. */
    ck_assert_int_eq(fsetxattr_fd(fd, 999, "user.fd", "x"), -EBADF);
    ck_assert_int_eq(fgetxattr_fd(fd, 999, "user.fd", val, sizeof(val)),
                     -EBADF);
    ck_assert_int_eq(fgetxattr_fd(fd, -1, "", val, sizeof(val)), -EBADF);
    ck_assert_int_eq(fremovexattr_fd(fd, 999, "user.fd"), -EBADF);
}

/* Each new procedure refuses arguments that do not decode. */
static void
lk_garbage(int fd)
{
    static const uint32_t procs[] = {
        GF_XDR_FOP_SYMLINK,   GF_XDR_FOP_READLINK,    GF_XDR_FOP_LINK,
        GF_XDR_FOP_MKNOD,     GF_XDR_FOP_REMOVEXATTR, GF_XDR_FOP_FGETXATTR,
        GF_XDR_FOP_FSETXATTR, GF_XDR_FOP_FREMOVEXATTR};
    static uint8_t rep[MAXREC];

    for (size_t i = 0; i < GF_ARRAY_SIZE(procs); i++)
        xcall(fd, 90, GF_XDR_FOP_PROG, 400, procs[i], NULL, NULL, rep,
              GF_RPC_GARBAGE_ARGS);
}

START_TEST(posix_links_and_xattrs)
{
    static uint8_t rep[MAXREC];
    char dir[512], outdir[512], text[1024];
    gfx_common_3iatt_rsp r3;
    gfx_release_req rel;
    gfx_common_rsp cr;
    env_t e;
    int fd;

    snprintf(dir, sizeof(dir), "%s/check-server-XXXXXX", gf_test_tmpdir());
    ck_assert_ptr_nonnull(mkdtemp(dir));
    snprintf(outdir, sizeof(outdir), "%s/check-server-out-XXXXXX",
             gf_test_tmpdir());
    ck_assert_ptr_nonnull(mkdtemp(outdir));
    /* Loop 1 puts io-threads between server and posix. */
    snprintf(text, sizeof(text),
             "volume posix\n    type storage/posix\n"
             "    option directory %s\nend-volume\n"
             "volume anchor-brick\n    type %s\n"
             "    subvolumes posix\nend-volume\n"
             "volume server\n    type protocol/server\n"
             "    option transport.socket.listen-port 0\n"
             "    subvolumes anchor-brick\nend-volume\n",
             dir, _i ? "performance/io-threads" : "debug/io-stats");
    env_start_text(&e, text);
    fd = rc_connect(e.port);
    ck_assert_int_eq(setvolume(fd, "anchor-brick", NULL), 0);
    ck_assert_int_eq(create_file(fd, rep), 0);

    lk_link(fd);
    lk_removexattr(fd);
    lk_fd_xattrs(fd, 0);
    lk_garbage(fd);
    if (geteuid() == 0) {
        lk_symlink_readlink(fd);
        lk_mknod(fd, dir);
        lk_symlink_out(fd, outdir);
    } else {
        /* Not root: posix keeps gfids in user.* xattrs, which symlinks
         * and FIFOs cannot carry, and refuses them. */
        symlink_root(fd, "s", "f", sym_gfid, &r3);
        ck_assert_int_eq(failed3(&r3), EPERM);
        mknod_root(fd, "p", S_IFIFO | 0644, fifo_gfid, &r3);
        ck_assert_int_eq(failed3(&r3), EPERM);
    }
    /* RELEASE before leaving: the release a disconnect winds could
     * still be on its way when the graph goes. */
    memset(&rel, 0, sizeof(rel));
    memcpy(rel.gfid, file_gfid, 16);
    fop(fd, GF_XDR_FOP_RELEASE, (xdrproc_t)xdr_gfx_release_req, &rel,
        (xdrproc_t)xdr_gfx_common_rsp, &cr, sizeof(cr));
    ck_assert_int_eq(cr.op_ret, 0);
    xdr_free((xdrproc_t)xdr_gfx_common_rsp, (char *)&cr);
    close(fd);
    env_stop(&e);
    ck_assert_int_eq(nftw(dir, rm_one, 16, FTW_DEPTH | FTW_PHYS), 0);
    ck_assert_int_eq(nftw(outdir, rm_one, 16, FTW_DEPTH | FTW_PHYS), 0);
}
END_TEST

/* Sequential STAT round trips over loopback (a figure, not a limit). */
START_TEST(stat_round_trips)
{
    static uint8_t rep[MAXREC];
    static uint8_t msg[512];
    gfx_stat_req req;
    struct timespec a, b;
    size_t alen = 0, mlen;
    enum { N = 5000 };
    env_t e;
    double s;
    int fd;

    env_start(&e, NULL);
    fd = rc_connect(e.port);
    ck_assert_int_eq(setvolume(fd, "anchor-brick", NULL), 0);
    memset(&req, 0, sizeof(req));
    set_gfid(req.gfid, 1);
    ck_assert_int_eq(gf_xdr_encode((xdrproc_t)xdr_gfx_stat_req, &req, rep,
                                   sizeof(rep), &alen),
                     0);
    mlen =
        simple_call(msg, 7, GF_XDR_FOP_PROG, 400, GF_XDR_FOP_STAT, rep, alen);
    clock_gettime(CLOCK_MONOTONIC, &a);
    for (int i = 0; i < N; i++)
        expect_accepted(rep, call(fd, msg, mlen, rep), 0);
    clock_gettime(CLOCK_MONOTONIC, &b);
    s = (double)(b.tv_sec - a.tv_sec) + (double)(b.tv_nsec - a.tv_nsec) / 1e9;
    fprintf(stderr, "# %d STAT round trips: %.1f us each, %.0f/s\n", N,
            s * 1e6 / N, N / s);
    /* Baseline: GF-DUMP PING, answered by rpcsvc without the graph. */
    mlen = simple_call(msg, 8, GF_XDR_DUMP_PROG, 1, GF_XDR_DUMP_PING, NULL, 0);
    clock_gettime(CLOCK_MONOTONIC, &a);
    for (int i = 0; i < N; i++)
        expect_accepted(rep, call(fd, msg, mlen, rep), 0);
    clock_gettime(CLOCK_MONOTONIC, &b);
    s = (double)(b.tv_sec - a.tv_sec) + (double)(b.tv_nsec - a.tv_nsec) / 1e9;
    fprintf(stderr, "# %d PING round trips: %.1f us each, %.0f/s\n", N,
            s * 1e6 / N, N / s);
    close(fd);
    env_stop(&e);
}
END_TEST

int
main(void)
{
    Suite *s = suite_create("server");
    TCase *tc = tcase_create("core");

    tcase_set_timeout(tc, 30);
    tcase_add_test(tc, dump_lists_no_portmap);
    tcase_add_test(tc, setvolume_then_root_lookups);
    tcase_add_test(tc, fops_after_setvolume);
    tcase_add_test(tc, setvolume_wrong_subvolume);
    tcase_add_test(tc, setvolume_refused_address);
    tcase_add_test(tc, fop_before_setvolume);
    tcase_add_test(tc, replay_recorded_calls);
    tcase_add_test(tc, disconnect_drops_client);
    tcase_add_loop_test(tc, posix_files_and_disconnect, 0, 2);
    tcase_add_test(tc, posix_namespace_ops);
    tcase_add_loop_test(tc, posix_links_and_xattrs, 0, 2);
    tcase_add_test(tc, stat_round_trips);
    suite_add_tcase(s, tc);
    return gf_test_run(s);
}
