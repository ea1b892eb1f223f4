/* SPDX-License-Identifier: LGPL-3.0-or-later */
/*
 * check-xdr.c - the GlusterFS 4.x wire messages against real traffic.
 *
 * The vectors are the messages of shared/reference/wire-sequence.txt (a
 * stock libgfapi 10.3 client talking to glusterfsd 10.3). Where the
 * capture has the hex (DUMP, SETVOLUME, LOOKUP #1/#2, RELEASE) it is
 * copied word for word; where tshark printed only the decoded fields
 * (MKDIR, CREATE, WRITE, READ, READDIR, UNLINK, RMDIR, and the cut-off
 * tails of LOOKUP #3) the record is rebuilt here by a plain big-endian
 * writer from those fields, and its length is checked against the
 * capture's fragment header. Each test skips the record mark and the RPC
 * header, decodes with the rpcgen routines and the hand-written filters,
 * asserts the fields, and re-encodes byte for byte. The hostile half
 * feeds every truncation of every vector (from exactly-sized heap copies,
 * so ASan sees any overread) and forged lengths.
 */
#include <errno.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <gf/dict.h>
#include <gf/gfid.h>
#include <gf/iobuf.h>
#include <rpc/gfxdr.h>

#include "gf-test.h"

/* ---- a plain big-endian record writer -------------------------------------
 */

typedef struct wbuf {
    unsigned char b[8192];
    size_t n;
} wbuf_t;

static void
w32(wbuf_t *w, uint32_t v)
{
    ck_assert_uint_le(w->n + 4, sizeof(w->b));
    w->b[w->n++] = (unsigned char)(v >> 24);
    w->b[w->n++] = (unsigned char)(v >> 16);
    w->b[w->n++] = (unsigned char)(v >> 8);
    w->b[w->n++] = (unsigned char)v;
}

static void
w64(wbuf_t *w, uint64_t v)
{
    w32(w, (uint32_t)(v >> 32));
    w32(w, (uint32_t)v);
}

static void
wraw(wbuf_t *w, const void *p, size_t n)
{
    ck_assert_uint_le(w->n + n + 3, sizeof(w->b));
    memcpy(w->b + w->n, p, n);
    w->n += n;
    while (w->n % 4)
        w->b[w->n++] = 0;
}

/* string<> / opaque<>: length, bytes, zero padding. */
static void
wstr(wbuf_t *w, const char *s, size_t n)
{
    w32(w, (uint32_t)n);
    wraw(w, s, n);
}

static gf_gfid_t
gfid(const char *s)
{
    gf_gfid_t g;

    ck_assert_int_eq(gf_gfid_parse(s, &g), 0);
    return g;
}

static void
wgfid(wbuf_t *w, const char *s)
{
    gf_gfid_t g = gfid(s);

    wraw(w, g.b, 16);
}

/* The attributes tshark printed; dev 0xfe00, uid/gid 0, blksize 4096 and
 * ia_flags 0x17ff throughout the capture. */
typedef struct ia {
    const char *gfid;
    uint64_t ino, size, blocks;
    int64_t at, mt, ct;
    uint32_t atn, mtn, ctn, nlink, mode;
} ia_t;

static const char ROOT[] = "00000000-0000-0000-0000-000000000001";
static const char NULLID[] = "00000000-0000-0000-0000-000000000000";
static const char DIRID[] = "adf8a5cd-6397-49c2-bf5c-e3f3106c5158";
static const char FILEID[] = "c0f6cb3f-290f-4cd3-bd8a-104f1b344692";

static const ia_t root_a = {ROOT,       1,          4096,       8,
                            1795645578, 1795645578, 1795645578, 463354652,
                            480289522,  480289522,  3,          040755};
static const ia_t root_b = {ROOT,       1,          4096,       8,
                            1795645578, 1795645579, 1795645579, 463354652,
                            899354680,  899354680,  4,          040755};
static const ia_t root_d = {ROOT,       1,          4096,       8,
                            1795645578, 1795645579, 1795645579, 463354652,
                            905720686,  905720686,  3,          040755};
static const ia_t dir_a = {DIRID,      13789146792193708376u,
                           4096,       8,
                           1795645579, 1795645579,
                           1795645579, 899354680,
                           899354680,  902717646,
                           2,          040755};
static const ia_t dir_b = {DIRID,      13789146792193708376u,
                           4096,       8,
                           1795645579, 1795645579,
                           1795645579, 899354680,
                           903321122,  903321122,
                           2,          040755};
static const ia_t dir_c = {DIRID,      13789146792193708376u,
                           4096,       8,
                           1795645579, 1795645579,
                           1795645579, 903667687,
                           903321122,  903321122,
                           2,          040755};
static const ia_t dir_d = {DIRID,      13789146792193708376u,
                           4096,       8,
                           1795645579, 1795645579,
                           1795645579, 903667687,
                           905720686,  905720686,
                           2,          040755};
static const ia_t file_a = {FILEID,     13657746751899322002u,
                            0,          0,
                            1795645579, 1795645579,
                            1795645579, 902717646,
                            902717646,  903358558,
                            1,          0100644};
static const ia_t file_r = {FILEID,     13657746751899322002u,
                            4096,       8,
                            1795645579, 1795645579,
                            1795645579, 904358002,
                            903667687,  903667687,
                            1,          0100644};

/* 148 bytes of gfx_iattx; NULL writes the all-zero "no attributes". */
static void
wiatt(wbuf_t *w, const ia_t *a)
{
    static const unsigned char zero[148];

    if (!a) {
        wraw(w, zero, sizeof(zero));
        return;
    }
    wgfid(w, a->gfid);
    w64(w, 0x17ff);
    w64(w, a->ino);
    w64(w, 0xfe00);
    w64(w, 0); /* rdev */
    w64(w, a->size);
    w64(w, a->blocks);
    w64(w, 0);
    w64(w, 0); /* attributes, mask */
    w64(w, (uint64_t)a->at);
    w64(w, (uint64_t)a->mt);
    w64(w, (uint64_t)a->ct);
    w64(w, 0); /* btime */
    w32(w, a->atn);
    w32(w, a->mtn);
    w32(w, a->ctn);
    w32(w, 0);
    w32(w, a->nlink);
    w32(w, 0);
    w32(w, 0);
    w32(w, 4096);
    w32(w, a->mode);
}

static void
wdict_empty(wbuf_t *w)
{
    w32(w, 0);
    w32(w, 0);
    w32(w, 0);
}

/* A gfx_dict with one GFUUID pair "gfid-req" (xdr_size 36). */
static void
wdict_gfidreq(wbuf_t *w, const char *uuid)
{
    w32(w, 36);
    w32(w, 1);
    w32(w, 1);
    wstr(w, "gfid-req", 9);
    w32(w, GF_DICT_GFUUID);
    wgfid(w, uuid);
}

/* Record mark placeholder, then a FOP call header with the v3 credential
 * of the capture (pid 24898, lk_owner = the pid little-endian). */
static void
wcall(wbuf_t *w, uint32_t xid, uint32_t proc, int32_t pid)
{
    static const unsigned char owner[4] = {0x42, 0x61, 0, 0};

    w->n = 0;
    w32(w, 0);
    w32(w, xid);
    w32(w, 0);
    w32(w, 2);
    w32(w, GF_XDR_FOP_PROG);
    w32(w, GF_XDR_FOP_VERS);
    w32(w, proc);
    w32(w, GF_XDR_AUTH_GLUSTERFS_V3);
    w32(w, 40);
    w32(w, (uint32_t)pid);
    for (int i = 0; i < 6; i++)
        w32(w, 0); /* uid gid flags ctime_nsec ctime_sec(2) */
    w32(w, 0);     /* no groups */
    wstr(w, pid ? (const char *)owner : "\0\0\0", 4);
    w32(w, 0);
    w32(w, 0); /* verifier */
}

static void
wreply(wbuf_t *w, uint32_t xid)
{
    w->n = 0;
    for (uint32_t v, i = 0; i < 7; i++) {
        v = i == 1 ? xid : i == 2 ? 1 : 0;
        w32(w, v);
    }
}

/* Fill in the record mark; check the capture's fragment length. */
static void
wend(wbuf_t *w, size_t fraglen)
{
    uint32_t mark = 0x80000000u | (uint32_t)(w->n - 4);

    ck_assert_uint_eq(w->n - 4, fraglen);
    w->b[0] = (unsigned char)(mark >> 24);
    w->b[1] = (unsigned char)(mark >> 16);
    w->b[2] = (unsigned char)(mark >> 8);
    w->b[3] = (unsigned char)mark;
}

static size_t
from_words(const uint32_t *words, size_t n, wbuf_t *w)
{
    w->n = 0;
    for (size_t i = 0; i < n; i++)
        w32(w, words[i]);
    return w->n;
}

/* ---- the RPC header, parsed by hand ---------------------------------------
 */

static uint32_t
rd32(const unsigned char *p)
{
    return (uint32_t)p[0] << 24 | (uint32_t)p[1] << 16 | (uint32_t)p[2] << 8 |
           p[3];
}

typedef struct hdr {
    uint32_t xid, prog, vers, proc, flavor, credlen;
    const unsigned char *cred;
    const unsigned char *args; /* procedure arguments or results */
    size_t len;                /* bytes of them, to the record's end */
} hdr_t;

/* Skip the record mark (checking it) and a CALL header. */
static hdr_t
parse_call(const wbuf_t *w)
{
    const unsigned char *p = w->b + 4;
    hdr_t h;
    size_t off;

    ck_assert_uint_eq(rd32(w->b), 0x80000000u | (uint32_t)(w->n - 4));
    h.xid = rd32(p);
    ck_assert_uint_eq(rd32(p + 4), 0); /* CALL */
    ck_assert_uint_eq(rd32(p + 8), 2); /* RPC version */
    h.prog = rd32(p + 12);
    h.vers = rd32(p + 16);
    h.proc = rd32(p + 20);
    h.flavor = rd32(p + 24);
    h.credlen = rd32(p + 28);
    ck_assert_uint_le(h.credlen, GF_XDR_AUTH_BYTES_MAX);
    h.cred = p + 32;
    off = 32 + ((h.credlen + 3) & ~3u);
    ck_assert_uint_eq(rd32(p + off), 0);     /* verifier AUTH_NULL */
    ck_assert_uint_eq(rd32(p + off + 4), 0); /* of length 0 */
    h.args = p + off + 8;
    h.len = w->n - 4 - (off + 8);
    return h;
}

/* Skip the record mark and an accepted, successful REPLY header. */
static hdr_t
parse_reply(const wbuf_t *w)
{
    const unsigned char *p = w->b + 4;
    hdr_t h;

    memset(&h, 0, sizeof(h));
    ck_assert_uint_eq(rd32(w->b), 0x80000000u | (uint32_t)(w->n - 4));
    h.xid = rd32(p);
    ck_assert_uint_eq(rd32(p + 4), 1);  /* REPLY */
    ck_assert_uint_eq(rd32(p + 8), 0);  /* MSG_ACCEPTED */
    ck_assert_uint_eq(rd32(p + 12), 0); /* verifier AUTH_NULL */
    ck_assert_uint_eq(rd32(p + 16), 0);
    ck_assert_uint_eq(rd32(p + 20), 0); /* SUCCESS */
    h.args = p + 24;
    h.len = w->n - 4 - 24;
    return h;
}

/* ---- decode, re-encode, compare -------------------------------------------
 */

/*
 * Decode LEN bytes at BUF as PROC into OBJ, all of them, then encode OBJ
 * again and compare byte for byte; also decode from a misaligned copy,
 * which takes the filters' copying path, and compare the re-encoding.
 */
static void
roundtrip(xdrproc_t proc, const unsigned char *buf, size_t len, void *obj,
          size_t objsize)
{
    unsigned char *out = malloc(len + 64), *odd = malloc(len + 1);
    void *obj2 = calloc(1, objsize);
    size_t used = 0;

    ck_assert_ptr_nonnull(out);
    ck_assert_int_eq(gf_xdr_decode(proc, buf, len, obj, objsize, &used), 0);
    ck_assert_uint_eq(used, len);
    ck_assert_int_eq(gf_xdr_encode(proc, obj, out, len + 64, &used), 0);
    ck_assert_uint_eq(used, len);
    ck_assert_mem_eq(out, buf, len);
    ck_assert_uint_eq(gf_xdr_size(proc, obj), len);
    if (len)
        ck_assert_int_eq(gf_xdr_encode(proc, obj, out, len - 1, NULL),
                         -ENOBUFS);

    memcpy(odd + 1, buf, len);
    ck_assert_int_eq(gf_xdr_decode(proc, odd + 1, len, obj2, objsize, &used),
                     0);
    ck_assert_uint_eq(used, len);
    memset(out, 0, len);
    ck_assert_int_eq(gf_xdr_encode(proc, obj2, out, len, NULL), 0);
    ck_assert_mem_eq(out, buf, len);
    xdr_free(proc, obj2);
    free(obj2);
    free(odd);
    free(out);
}

/* Every strict prefix of BUF fails to decode, read from a heap copy of
 * exactly that size. */
static void
truncations(xdrproc_t proc, const unsigned char *buf, size_t len,
            size_t objsize)
{
    void *obj = calloc(1, objsize);

    for (size_t n = 0; n < len; n++) {
        unsigned char *p = malloc(n ? n : 1);

        memcpy(p, buf, n);
        ck_assert_int_eq(gf_xdr_decode(proc, p, n, obj, objsize, NULL),
                         -EINVAL);
        for (size_t i = 0; i < objsize; i++)
            ck_assert_uint_eq(((unsigned char *)obj)[i], 0);
        free(p);
    }
    free(obj);
}

static void
check_iatt(const gfx_iattx *w, const ia_t *a)
{
    gf_iatt_t ia;
    gfx_iattx back;

    ck_assert_int_eq(gf_xdr_iatt_from_wire(w, &ia), 0);
    if (!a) {
        ck_assert_uint_eq(w->ia_flags, 0);
        ck_assert(gf_gfid_is_null(&ia.gfid));
        ck_assert_uint_eq(ia.mode, 0);
    } else {
        gf_gfid_t g = gfid(a->gfid);

        ck_assert_uint_eq(w->ia_flags, GF_XDR_IATT_BASIC);
        ck_assert_int_eq(gf_gfid_cmp(&ia.gfid, &g), 0);
        ck_assert_uint_eq(ia.ino, a->ino);
        ck_assert_uint_eq(ia.dev, 0xfe00);
        ck_assert_uint_eq(ia.size, a->size);
        ck_assert_uint_eq(ia.blocks, a->blocks);
        ck_assert_int_eq(ia.atime, a->at);
        ck_assert_int_eq(ia.mtime, a->mt);
        ck_assert_int_eq(ia.ctime, a->ct);
        ck_assert_uint_eq(ia.atime_nsec, a->atn);
        ck_assert_uint_eq(ia.mtime_nsec, a->mtn);
        ck_assert_uint_eq(ia.ctime_nsec, a->ctn);
        ck_assert_uint_eq(ia.nlink, a->nlink);
        ck_assert_uint_eq(ia.blksize, 4096);
        ck_assert_uint_eq(ia.mode, a->mode);
    }
    /* Back to the wire: the same 148 bytes, flags included. */
    ck_assert_int_eq(gf_xdr_iatt_to_wire(&ia, &back), 0);
    ck_assert_mem_eq(&back, w, sizeof(back));
}

static void
check_gfid(const char *wire, const char *want)
{
    gf_gfid_t g = gfid(want);

    ck_assert_mem_eq(wire, g.b, 16);
}

static void
check_uuid_val(const gf_dict_t *d, const char *key, const char *want)
{
    unsigned char u[16];
    gf_gfid_t g = gfid(want);

    ck_assert_int_eq(gf_dict_get_uuid(d, key, u), 0);
    ck_assert_mem_eq(u, g.b, 16);
}

/* ---- verbatim vectors (hex words from wire-sequence.txt) -------------------
 */

static const uint32_t dump_call_w[] = {
    0x80000048, 0x00000002, 0x00000000, 0x00000002, 0x075bb86d,
    0x00000001, 0x00000001, 0x0005f397, 0x00000018, 0x00000000,
    0x00000000, 0x00000000, 0x00000000, 0x00000004, 0x00000000,
    0x00000000, 0x00000000, 0x00000000, 0x0000caed,
};

static const uint32_t dump_reply_w[] = {
    0x800000c8, 0x00000002, 0x00000001, 0x00000000, 0x00000000, 0x00000000,
    0x00000000, 0x00000000, 0x00000000, 0x00000000, 0x00000000, 0x00000001,
    0x00000010, 0x476c7573, 0x74657246, 0x5320342e, 0x78207631, 0x00000000,
    0x0013d005, 0x00000000, 0x00000190, 0x00000001, 0x0000000d, 0x476c7573,
    0x74657246, 0x5320332e, 0x33000000, 0x00000000, 0x0013d005, 0x00000000,
    0x0000014a, 0x00000001, 0x00000007, 0x47462d44, 0x554d5000, 0x00000000,
    0x075bb86d, 0x00000000, 0x00000001, 0x00000001, 0x00000013, 0x476c7573,
    0x74657246, 0x53204861, 0x6e647368, 0x616b6500, 0x00000000, 0x00dbb4a9,
    0x00000000, 0x00000002, 0x00000000,
};

static const uint32_t setvol_call_w[] = {
    0x80000214, 0x00000003, 0x00000000, 0x00000002, 0x00dbb4a9, 0x00000002,
    0x00000001, 0x0005f398, 0x00000028, 0x00000000, 0x00000000, 0x00000000,
    0x00000000, 0x00000000, 0x00000000, 0x00000000, 0x00000000, 0x00000004,
    0x00000000, 0x00000000, 0x00000000, 0x000001bf, 0x0000000b, 0x00000009,
    0x00000007, 0x6f707665, 0x7273696f, 0x6e003130, 0x30303030, 0x00000000,
    0x0f000000, 0x02636c6e, 0x742d6c6b, 0x2d766572, 0x73696f6e, 0x00310000,
    0x00000e00, 0x00000563, 0x6c69656e, 0x742d7665, 0x7273696f, 0x6e003130,
    0x2e330000, 0x00000c00, 0x00001270, 0x726f6365, 0x73732d6e, 0x616d6500,
    0x67666170, 0x692e6766, 0x6170695f, 0x62656e63, 0x68000000, 0x000c0000,
    0x00717072, 0x6f636573, 0x732d7575, 0x69640043, 0x54585f49, 0x443a6266,
    0x65333331, 0x39612d66, 0x6234312d, 0x34646139, 0x2d626662, 0x632d3764,
    0x32306661, 0x39633033, 0x31622d47, 0x52415048, 0x5f49443a, 0x302d5049,
    0x443a3234, 0x3839382d, 0x484f5354, 0x3a766d2d, 0x50435f4e, 0x414d453a,
    0x616e6368, 0x6f722d62, 0x7269636b, 0x2d636c69, 0x656e742d, 0x5245434f,
    0x4e5f4e4f, 0x3a2d3000, 0x0000000c, 0x00000008, 0x666f7073, 0x2d766572,
    0x73696f6e, 0x00313239, 0x38343337, 0x00000000, 0x10000000, 0x0d72656d,
    0x6f74652d, 0x73756276, 0x6f6c756d, 0x6500616e, 0x63686f72, 0x2d627269,
    0x636b0000, 0x00000b00, 0x00000672, 0x656d6f74, 0x652d706f, 0x72740032,
    0x34313030, 0x00000000, 0x0b000000, 0x0a72656d, 0x6f74652d, 0x686f7374,
    0x00313237, 0x2e302e30, 0x2e310000, 0x00001800, 0x00000574, 0x72616e73,
    0x706f7274, 0x2e616464, 0x72657373, 0x2d66616d, 0x696c7900, 0x696e6574,
    0x00000000, 0x0e000000, 0x07747261, 0x6e73706f, 0x72742d74, 0x79706500,
    0x736f636b, 0x65740000,
};

static const uint32_t setvol_reply_w[] = {
    0x800000cc, 0x00000003, 0x00000001, 0x00000000, 0x00000000, 0x00000000,
    0x00000000, 0x00000000, 0x00000016, 0x000000a7, 0x00000005, 0x0000000d,
    0x00000010, 0x7472616e, 0x73706f72, 0x742d7074, 0x72003134, 0x30323333,
    0x39373035, 0x35333036, 0x34000000, 0x000f0000, 0x0002636c, 0x6e742d6c,
    0x6b2d7665, 0x7273696f, 0x6e003000, 0x0000000c, 0x00000025, 0x70726f63,
    0x6573732d, 0x75756964, 0x00393232, 0x34333364, 0x332d3234, 0x62322d34,
    0x6562382d, 0x61646665, 0x2d623363, 0x37323137, 0x30383833, 0x32000000,
    0x00050000, 0x00084552, 0x524f5200, 0x53756363, 0x65737300, 0x00000008,
    0x00000002, 0x6368696c, 0x645f7570, 0x00310000,
};

static const uint32_t lookup1_call_w[] = {
    0x80000084, 0x00000004, 0x00000000, 0x00000002, 0x0013d005, 0x00000190,
    0x0000001b, 0x0005f398, 0x00000028, 0x00006142, 0x00000000, 0x00000000,
    0x00000000, 0x00000000, 0x00000000, 0x00000000, 0x00000000, 0x00000004,
    0x42610000, 0x00000000, 0x00000000, 0x00000000, 0x00000000, 0x00000000,
    0x00000001, 0x00000000, 0x00000000, 0x00000000, 0x00000000, 0x00000000,
    0x00000000, 0x00000000, 0x00000000, 0x00000000,
};

static const uint32_t lookup1_reply_w[] = {
    0x80000154, 0x00000004, 0x00000001, 0x00000000, 0x00000000, 0x00000000,
    0x00000000, 0x00000000, 0x00000000, 0x00000000, 0x00000000, 0x00000000,
    0x00000000, 0x00000000, 0x00000000, 0x00000001, 0x00000000, 0x000017ff,
    0x00000000, 0x00000001, 0x00000000, 0x0000fe00, 0x00000000, 0x00000000,
    0x00000000, 0x00001000, 0x00000000, 0x00000008, 0x00000000, 0x00000000,
    0x00000000, 0x00000000, 0x00000000, 0x6b07608a, 0x00000000, 0x6b07608a,
    0x00000000, 0x6b07608a, 0x00000000, 0x00000000, 0x1b9e3b1c, 0x1ca0a2f2,
    0x1ca0a2f2, 0x00000000, 0x00000003, 0x00000000, 0x00000000, 0x00001000,
    0x000041ed, 0x00000000, 0x00000000, 0x00000000, 0x00000000, 0x00000000,
    0x00000000, 0x00000000, 0x00000000, 0x00000000, 0x00000000, 0x00000000,
    0x00000000, 0x00000000, 0x00000000, 0x00000000, 0x00000000, 0x00000000,
    0x00000000, 0x00000000, 0x00000000, 0x00000000, 0x00000000, 0x00000000,
    0x00000000, 0x00000000, 0x00000000, 0x00000000, 0x00000000, 0x00000000,
    0x00000000, 0x00000000, 0x00000000, 0x00000000, 0x00000000, 0x00000000,
    0x00000000, 0x00000000,
};

static const uint32_t lookup2_call_w[] = {
    0x80000088, 0x00000005, 0x00000000, 0x00000002, 0x0013d005, 0x00000190,
    0x0000001b, 0x0005f398, 0x00000028, 0x00006142, 0x00000000, 0x00000000,
    0x00000000, 0x00000000, 0x00000000, 0x00000000, 0x00000000, 0x00000004,
    0x42610000, 0x00000000, 0x00000000, 0x00000000, 0x00000000, 0x00000000,
    0x00000001, 0x00000000, 0x00000000, 0x00000000, 0x00000001, 0x00000000,
    0x00000001, 0x2e000000, 0x00000000, 0x00000000, 0x00000000,
};

static const uint32_t lookup3_call_w[] = {
    /* first 160 of 184 bytes */
    0x800000b4, 0x00000006, 0x00000000, 0x00000002, 0x0013d005, 0x00000190,
    0x0000001b, 0x0005f398, 0x00000028, 0x00006142, 0x00000000, 0x00000000,
    0x00000000, 0x00000000, 0x00000000, 0x00000000, 0x00000000, 0x00000004,
    0x42610000, 0x00000000, 0x00000000, 0x00000000, 0x00000000, 0x00000000,
    0x00000000, 0x00000000, 0x00000000, 0x00000000, 0x00000001, 0x00000000,
    0x00000009, 0x77697265, 0x2d66756e, 0x63000000, 0x00000024, 0x00000001,
    0x00000001, 0x00000009, 0x67666964, 0x2d726571,
};

static const uint32_t lookup3_reply_w[] = {
    /* first 160 of 344 bytes */
    0x80000154, 0x00000006, 0x00000001, 0x00000000, 0x00000000, 0x00000000,
    0x00000000, 0xffffffff, 0x00000002, 0x00000000, 0xffffffff, 0x00000000,
    0x00000000, 0x00000000, 0x00000000, 0x00000000, 0x00000000, 0x00000000,
    0x00000000, 0x00000000, 0x00000000, 0x00000000, 0x00000000, 0x00000000,
    0x00000000, 0x00000000, 0x00000000, 0x00000000, 0x00000000, 0x00000000,
    0x00000000, 0x00000000, 0x00000000, 0x00000000, 0x00000000, 0x00000000,
    0x00000000, 0x00000000, 0x00000000, 0x00000000,
};

static const uint32_t release_call_w[] = {
    0x80000074, 0x0000000c, 0x00000000, 0x00000002, 0x0013d005, 0x00000190,
    0x00000029, 0x0005f398, 0x00000028, 0x00000000, 0x00000000, 0x00000000,
    0x00000000, 0x00000000, 0x00000000, 0x00000000, 0x00000000, 0x00000004,
    0x00000000, 0x00000000, 0x00000000, 0xc0f6cb3f, 0x290f4cd3, 0xbd8a104f,
    0x1b344692, 0x00000000, 0x00000000, 0x00000000, 0x00000000, 0x00000000,
};

static const uint32_t release_reply_w[] = {
    0x8000002c, 0x0000000c, 0x00000001, 0x00000000, 0x00000000, 0x00000000,
    0x00000000, 0x00000000, 0x00000000, 0x00000000, 0x00000000, 0x00000000,
};

/* ---- the handshake
 * ----------------------------------------------------------- */

START_TEST(dump_call)
{
    wbuf_t w;
    hdr_t h;
    gf_dump_req req;
    auth_glusterfs_parms_v2 cred;

    from_words(dump_call_w, GF_ARRAY_SIZE(dump_call_w), &w);
    h = parse_call(&w);
    ck_assert_uint_eq(h.xid, 2);
    ck_assert_uint_eq(h.prog, GF_XDR_DUMP_PROG);
    ck_assert_uint_eq(h.vers, GF_XDR_DUMP_VERS);
    ck_assert_uint_eq(h.proc, GF_XDR_DUMP_DUMP);
    ck_assert_uint_eq(h.flavor, GF_XDR_AUTH_GLUSTERFS_V2);
    ck_assert_uint_eq(h.credlen, 24);

    memset(&cred, 0, sizeof(cred));
    roundtrip((xdrproc_t)xdr_auth_glusterfs_parms_v2, h.cred, h.credlen, &cred,
              sizeof(cred));
    ck_assert_int_eq(cred.pid, 0);
    ck_assert_uint_eq(cred.groups.groups_len, 0);
    ck_assert_uint_eq(cred.lk_owner.lk_owner_len, 4);
    xdr_free((xdrproc_t)xdr_auth_glusterfs_parms_v2, &cred);

    memset(&req, 0, sizeof(req));
    roundtrip((xdrproc_t)xdr_gf_dump_req, h.args, h.len, &req, sizeof(req));
    ck_assert_uint_eq(req.gfs_id, 0xcaed);
}
END_TEST

START_TEST(dump_reply)
{
    static const struct {
        const char *name;
        uint64_t prog, vers;
    } want[] = {
        {"GlusterFS 4.x v1", GF_XDR_FOP_PROG, GF_XDR_FOP_VERS},
        {"GlusterFS 3.3", GF_XDR_FOP_PROG, GF_XDR_FOP_VERS_33},
        {"GF-DUMP", GF_XDR_DUMP_PROG, GF_XDR_DUMP_VERS},
        {"GlusterFS Handshake", GF_XDR_HNDSK_PROG, GF_XDR_HNDSK_VERS},
    };
    wbuf_t w;
    hdr_t h;
    gf_dump_rsp rsp;
    const gf_prog_detail *p;
    size_t i = 0;

    from_words(dump_reply_w, GF_ARRAY_SIZE(dump_reply_w), &w);
    h = parse_reply(&w);
    ck_assert_uint_eq(h.xid, 2);
    memset(&rsp, 0, sizeof(rsp));
    roundtrip((xdrproc_t)xdr_gf_dump_rsp, h.args, h.len, &rsp, sizeof(rsp));
    ck_assert_uint_eq(rsp.gfs_id, 0);
    ck_assert_int_eq(rsp.op_ret, 0);
    ck_assert_int_eq(rsp.op_errno, 0);
    for (p = rsp.prog; p; p = p->next, i++) {
        ck_assert_uint_lt(i, GF_ARRAY_SIZE(want));
        ck_assert_str_eq(p->progname, want[i].name);
        ck_assert_uint_eq(p->prognum, want[i].prog);
        ck_assert_uint_eq(p->progver, want[i].vers);
    }
    ck_assert_uint_eq(i, GF_ARRAY_SIZE(want));
    xdr_free((xdrproc_t)xdr_gf_dump_rsp, &rsp);
}
END_TEST

START_TEST(setvolume_call)
{
    wbuf_t w;
    hdr_t h;
    gf_setvolume_req req;
    auth_glusterfs_params_v3 cred;
    gf_dict_t *d = NULL;
    const char *s;
    int32_t v;

    from_words(setvol_call_w, GF_ARRAY_SIZE(setvol_call_w), &w);
    h = parse_call(&w);
    ck_assert_uint_eq(h.prog, GF_XDR_HNDSK_PROG);
    ck_assert_uint_eq(h.vers, GF_XDR_HNDSK_VERS);
    ck_assert_uint_eq(h.proc, GF_XDR_HNDSK_SETVOLUME);
    ck_assert_uint_eq(h.flavor, GF_XDR_AUTH_GLUSTERFS_V3);

    memset(&cred, 0, sizeof(cred));
    roundtrip((xdrproc_t)xdr_auth_glusterfs_params_v3, h.cred, h.credlen, &cred,
              sizeof(cred));
    ck_assert_int_eq(cred.pid, 0);
    ck_assert_uint_eq(cred.flags, 0);
    ck_assert_uint_eq(cred.ctime_sec, 0);
    ck_assert_uint_eq(cred.lk_owner.lk_owner_len, 4);
    xdr_free((xdrproc_t)xdr_auth_glusterfs_params_v3, &cred);

    memset(&req, 0, sizeof(req));
    roundtrip((xdrproc_t)xdr_gf_setvolume_req, h.args, h.len, &req,
              sizeof(req));
    ck_assert_uint_eq(req.dict.dict_len, 447);
    ck_assert_int_eq(
        gf_dict_old_decode(req.dict.dict_val, req.dict.dict_len, &d), 0);
    ck_assert_uint_eq(gf_dict_count(d), 11);
    ck_assert_int_eq(gf_dict_get_str(d, "remote-subvolume", &s), 0);
    ck_assert_str_eq(s, "anchor-brick");
    ck_assert_int_eq(gf_dict_get_str(d, "process-uuid", &s), 0);
    ck_assert_str_eq(s, "CTX_ID:bfe3319a-fb41-4da9-bfbc-7d20fa9c031b-GRAPH_ID:"
                        "0-PID:24898-HOST:vm-PC_NAME:anchor-brick-client-"
                        "RECON_NO:-0");
    ck_assert_int_eq(gf_dict_get_int32(d, "fops-version", &v), 0);
    ck_assert_int_eq(v, GF_XDR_FOP_PROG);
    ck_assert_int_eq(gf_dict_get_int32(d, "opversion", &v), 0);
    ck_assert_int_eq(v, 100000);
    gf_dict_unref(d);
    xdr_free((xdrproc_t)xdr_gf_setvolume_req, &req);
}
END_TEST

START_TEST(setvolume_reply)
{
    wbuf_t w;
    hdr_t h;
    gf_setvolume_rsp rsp;
    gf_dict_t *d = NULL;
    const char *s;
    uint32_t up;

    from_words(setvol_reply_w, GF_ARRAY_SIZE(setvol_reply_w), &w);
    h = parse_reply(&w);
    memset(&rsp, 0, sizeof(rsp));
    roundtrip((xdrproc_t)xdr_gf_setvolume_rsp, h.args, h.len, &rsp,
              sizeof(rsp));
    ck_assert_int_eq(rsp.op_ret, 0);
    ck_assert_int_eq(rsp.op_errno, EINVAL); /* sic: upstream leaves it */
    ck_assert_uint_eq(rsp.dict.dict_len, 167);
    ck_assert_int_eq(
        gf_dict_old_decode(rsp.dict.dict_val, rsp.dict.dict_len, &d), 0);
    ck_assert_uint_eq(gf_dict_count(d), 5);
    ck_assert_int_eq(gf_dict_get_str(d, "ERROR", &s), 0);
    ck_assert_str_eq(s, "Success");
    ck_assert_int_eq(gf_dict_get_uint32(d, "child_up", &up), 0);
    ck_assert_uint_eq(up, 1);
    ck_assert_int_eq(gf_dict_get_str(d, "process-uuid", &s), 0);
    ck_assert_str_eq(s, "922433d3-24b2-4eb8-adfe-b3c721708832");
    gf_dict_unref(d);
    xdr_free((xdrproc_t)xdr_gf_setvolume_rsp, &rsp);
}
END_TEST

/* ---- LOOKUP
 * ------------------------------------------------------------------ */

static void
check_fop_cred(const hdr_t *h, uint32_t proc, int32_t pid)
{
    auth_glusterfs_params_v3 cred;

    ck_assert_uint_eq(h->prog, GF_XDR_FOP_PROG);
    ck_assert_uint_eq(h->vers, GF_XDR_FOP_VERS);
    ck_assert_uint_eq(h->proc, proc);
    ck_assert_uint_eq(h->flavor, GF_XDR_AUTH_GLUSTERFS_V3);
    memset(&cred, 0, sizeof(cred));
    ck_assert_int_eq(gf_xdr_decode((xdrproc_t)xdr_auth_glusterfs_params_v3,
                                   h->cred, h->credlen, &cred, sizeof(cred),
                                   NULL),
                     0);
    ck_assert_int_eq(cred.pid, pid);
    ck_assert_uint_eq(cred.lk_owner.lk_owner_len, 4);
    /* The lk_owner is the pid, little-endian. */
    ck_assert_uint_eq((unsigned char)cred.lk_owner.lk_owner_val[0],
                      (unsigned)pid & 0xff);
    xdr_free((xdrproc_t)xdr_auth_glusterfs_params_v3, &cred);
}

START_TEST(lookup_root)
{
    wbuf_t w;
    hdr_t h;
    gfx_lookup_req req;
    gfx_common_2iatt_rsp rsp;

    from_words(lookup1_call_w, GF_ARRAY_SIZE(lookup1_call_w), &w);
    h = parse_call(&w);
    check_fop_cred(&h, GF_XDR_FOP_LOOKUP, 24898);
    memset(&req, 0, sizeof(req));
    roundtrip((xdrproc_t)xdr_gfx_lookup_req, h.args, h.len, &req, sizeof(req));
    check_gfid(req.gfid, ROOT);
    check_gfid(req.pargfid, NULLID);
    ck_assert_uint_eq(req.flags, 0);
    ck_assert_str_eq(req.bname, "");
    ck_assert_ptr_nonnull(req.xdata); /* count 0: an empty dict */
    ck_assert_uint_eq(gf_dict_count(req.xdata), 0);
    xdr_free((xdrproc_t)xdr_gfx_lookup_req, &req);
    ck_assert_ptr_null(req.xdata);

    /* LOOKUP #2: (root, "."), the form gfapi uses for "/". */
    from_words(lookup2_call_w, GF_ARRAY_SIZE(lookup2_call_w), &w);
    h = parse_call(&w);
    memset(&req, 0, sizeof(req));
    roundtrip((xdrproc_t)xdr_gfx_lookup_req, h.args, h.len, &req, sizeof(req));
    check_gfid(req.gfid, ROOT);
    check_gfid(req.pargfid, ROOT);
    ck_assert_str_eq(req.bname, ".");
    xdr_free((xdrproc_t)xdr_gfx_lookup_req, &req);

    from_words(lookup1_reply_w, GF_ARRAY_SIZE(lookup1_reply_w), &w);
    h = parse_reply(&w);
    memset(&rsp, 0, sizeof(rsp));
    roundtrip((xdrproc_t)xdr_gfx_common_2iatt_rsp, h.args, h.len, &rsp,
              sizeof(rsp));
    ck_assert_int_eq(rsp.op_ret, 0);
    ck_assert_int_eq(rsp.op_errno, 0);
    ck_assert_uint_eq(gf_dict_count(rsp.xdata), 0);
    check_iatt(&rsp.prestat, &root_a);
    check_iatt(&rsp.poststat, NULL);
    xdr_free((xdrproc_t)xdr_gfx_common_2iatt_rsp, &rsp);
}
END_TEST

/* LOOKUP #3 with its cut-off tail restored from the decoded fields. */
static void
lookup3_call(wbuf_t *w)
{
    gf_gfid_t g = gfid("0d8c2f16-67b6-47da-bdde-16104f52e90a");

    from_words(lookup3_call_w, GF_ARRAY_SIZE(lookup3_call_w), w);
    w32(w, 0); /* "gfid-req" NUL and padding */
    w32(w, GF_DICT_GFUUID);
    wraw(w, g.b, 16);
    wend(w, 180);
}

static void
lookup3_reply(wbuf_t *w)
{
    from_words(lookup3_reply_w, GF_ARRAY_SIZE(lookup3_reply_w), w);
    while (w->n < 344)
        w32(w, 0); /* the rest of two all-zero iatts */
    wend(w, 340);
}

START_TEST(lookup_enoent)
{
    wbuf_t w;
    hdr_t h;
    gfx_lookup_req req;
    gfx_common_2iatt_rsp rsp;

    lookup3_call(&w);
    h = parse_call(&w);
    memset(&req, 0, sizeof(req));
    roundtrip((xdrproc_t)xdr_gfx_lookup_req, h.args, h.len, &req, sizeof(req));
    check_gfid(req.gfid, NULLID);
    check_gfid(req.pargfid, ROOT);
    ck_assert_str_eq(req.bname, "wire-func");
    ck_assert_uint_eq(gf_dict_count(req.xdata), 1);
    check_uuid_val(req.xdata, "gfid-req",
                   "0d8c2f16-67b6-47da-bdde-16104f52e90a");
    xdr_free((xdrproc_t)xdr_gfx_lookup_req, &req);

    lookup3_reply(&w);
    h = parse_reply(&w);
    memset(&rsp, 0, sizeof(rsp));
    roundtrip((xdrproc_t)xdr_gfx_common_2iatt_rsp, h.args, h.len, &rsp,
              sizeof(rsp));
    ck_assert_int_eq(rsp.op_ret, -1);
    ck_assert_int_eq(rsp.op_errno, ENOENT);
    ck_assert_ptr_null(rsp.xdata); /* count -1: a NULL dict */
    check_iatt(&rsp.prestat, NULL);
    check_iatt(&rsp.poststat, NULL);
    xdr_free((xdrproc_t)xdr_gfx_common_2iatt_rsp, &rsp);
}
END_TEST

/* ---- rebuilt vectors (section 4 of the capture: fields, no hex) -------------
 */

static void
mkdir_call(wbuf_t *w)
{
    wcall(w, 7, GF_XDR_FOP_MKDIR, 24898);
    wgfid(w, ROOT);
    w32(w, 0755);
    w32(w, 0);
    wstr(w, "wire-func", 9);
    wdict_gfidreq(w, DIRID);
    wend(w, 168);
}

static void
mkdir_reply(wbuf_t *w)
{
    wreply(w, 7);
    w32(w, 0);
    w32(w, 0);
    wdict_empty(w);
    wiatt(w, &dir_a);
    wiatt(w, &root_a);
    wiatt(w, &root_b);
    wend(w, 488);
}

static void
create_call(wbuf_t *w)
{
    wcall(w, 9, GF_XDR_FOP_CREATE, 24898);
    wgfid(w, DIRID);
    w32(w, 01102); /* O_RDWR | O_CREAT | O_TRUNC */
    w32(w, 0644);
    w32(w, 0);
    wstr(w, "hello.txt", 9);
    wdict_gfidreq(w, FILEID);
    wend(w, 172);
}

static void
create_reply(wbuf_t *w)
{
    wreply(w, 9);
    w32(w, 0);
    w32(w, 0);
    wdict_gfidreq(w, FILEID);
    wiatt(w, &file_a);
    w64(w, 0); /* fd */
    wiatt(w, &dir_a);
    wiatt(w, &dir_b);
    wend(w, 532);
}

/* The payload: the capture's first 32 bytes, then a fixed pattern. */
static void
payload(unsigned char *p, size_t n)
{
    static const unsigned char head[32] = {
        0x09, 0xc7, 0x81, 0x15, 0x72, 0xa5, 0x65, 0x0c, 0x72, 0x03, 0x5c,
        0xfd, 0x50, 0xeb, 0x21, 0x09, 0x9e, 0x74, 0x58, 0x0e, 0xed, 0xcd,
        0xb2, 0x8f, 0x53, 0x0a, 0xc5, 0x65, 0x9e, 0xae, 0xa8, 0x23};

    for (size_t i = 0; i < n; i++)
        p[i] = i < sizeof(head) ? head[i] : (unsigned char)(i * 7 + 3);
}

static void
write_call(wbuf_t *w)
{
    wcall(w, 10, GF_XDR_FOP_WRITE, 24898);
    wgfid(w, FILEID);
    w64(w, 0);    /* fd */
    w64(w, 0);    /* offset */
    w32(w, 4096); /* size */
    w32(w, 0);    /* flag */
    wdict_empty(w);
    payload(w->b + w->n, 4096); /* raw, unpadded */
    w->n += 4096;
    wend(w, 4228);
}

static void
read_reply(wbuf_t *w)
{
    wreply(w, 15);
    w32(w, 4096);
    w32(w, ENOENT); /* upstream's end-of-file hint */
    wiatt(w, &file_r);
    w32(w, 4096);
    wdict_empty(w);
    payload(w->b + w->n, 4096);
    w->n += 4096;
    wend(w, 4292);
}

static const struct {
    const char *name;
    uint64_t ino, off;
    uint32_t type;
} readdir_want[] = {
    {".", 10994242, 5852162471795310488u, 4},
    {"hello.txt", 10994290, 6357504699377170974u, 8},
    {"..", 10985555, 9223372036854775807u, 4},
};

static void
readdir_reply(wbuf_t *w)
{
    wreply(w, 21);
    w32(w, 3);
    w32(w, ENOENT);
    wdict_empty(w);
    for (size_t i = 0; i < GF_ARRAY_SIZE(readdir_want); i++) {
        size_t n = strlen(readdir_want[i].name);

        w32(w, 1);
        w64(w, readdir_want[i].ino);
        w64(w, readdir_want[i].off);
        w32(w, (uint32_t)n);
        w32(w, readdir_want[i].type);
        wstr(w, readdir_want[i].name, n);
    }
    w32(w, 0);
    wend(w, 164);
}

static void
unlink_call(wbuf_t *w)
{
    wcall(w, 25, GF_XDR_FOP_UNLINK, 24898);
    wgfid(w, DIRID);
    wstr(w, "hello.txt", 9);
    w32(w, 0);
    wdict_empty(w);
    wend(w, 128);
}

/* xdata {"get-link-count": 0}: tshark shows only "0" and xdr_size 32,
 * which fits an INT or UINT value (and a 1-byte string); UINT assumed. */
static void
unlink_reply(wbuf_t *w)
{
    wreply(w, 25);
    w32(w, 0);
    w32(w, 0);
    w32(w, 32);
    w32(w, 1);
    w32(w, 1);
    wstr(w, "get-link-count", 15);
    w32(w, GF_DICT_UINT);
    w64(w, 0);
    wiatt(w, &dir_c);
    wiatt(w, &dir_d);
    wend(w, 372);
}

static void
rmdir_call(wbuf_t *w)
{
    wcall(w, 27, GF_XDR_FOP_RMDIR, 24898);
    wgfid(w, ROOT);
    w32(w, 0); /* xflags, before the name */
    wstr(w, "wire-func", 9);
    wdict_empty(w);
    wend(w, 128);
}

static void
rmdir_reply(wbuf_t *w)
{
    wreply(w, 27);
    w32(w, 0);
    w32(w, ENODATA);
    wdict_empty(w);
    wiatt(w, &root_b);
    wiatt(w, &root_d);
    wend(w, 340);
}

START_TEST(mkdir_create)
{
    wbuf_t w;
    hdr_t h;
    gfx_mkdir_req mreq;
    gfx_common_3iatt_rsp mrsp;
    gfx_create_req creq;
    gfx_create_rsp crsp;

    mkdir_call(&w);
    h = parse_call(&w);
    check_fop_cred(&h, GF_XDR_FOP_MKDIR, 24898);
    memset(&mreq, 0, sizeof(mreq));
    roundtrip((xdrproc_t)xdr_gfx_mkdir_req, h.args, h.len, &mreq, sizeof(mreq));
    check_gfid(mreq.pargfid, ROOT);
    ck_assert_uint_eq(mreq.mode, 0755);
    ck_assert_uint_eq(mreq.umask, 0);
    ck_assert_str_eq(mreq.bname, "wire-func");
    check_uuid_val(mreq.xdata, "gfid-req", DIRID);
    xdr_free((xdrproc_t)xdr_gfx_mkdir_req, &mreq);

    mkdir_reply(&w);
    h = parse_reply(&w);
    memset(&mrsp, 0, sizeof(mrsp));
    roundtrip((xdrproc_t)xdr_gfx_common_3iatt_rsp, h.args, h.len, &mrsp,
              sizeof(mrsp));
    ck_assert_int_eq(mrsp.op_ret, 0);
    check_iatt(&mrsp.stat, &dir_a);
    check_iatt(&mrsp.preparent, &root_a);
    check_iatt(&mrsp.postparent, &root_b);
    xdr_free((xdrproc_t)xdr_gfx_common_3iatt_rsp, &mrsp);

    create_call(&w);
    h = parse_call(&w);
    memset(&creq, 0, sizeof(creq));
    roundtrip((xdrproc_t)xdr_gfx_create_req, h.args, h.len, &creq,
              sizeof(creq));
    check_gfid(creq.pargfid, DIRID);
    ck_assert_uint_eq(creq.flags, 01102);
    ck_assert_uint_eq(creq.mode, 0644);
    ck_assert_str_eq(creq.bname, "hello.txt");
    check_uuid_val(creq.xdata, "gfid-req", FILEID);
    xdr_free((xdrproc_t)xdr_gfx_create_req, &creq);

    create_reply(&w);
    h = parse_reply(&w);
    memset(&crsp, 0, sizeof(crsp));
    roundtrip((xdrproc_t)xdr_gfx_create_rsp, h.args, h.len, &crsp,
              sizeof(crsp));
    ck_assert_int_eq(crsp.op_ret, 0);
    check_uuid_val(crsp.xdata, "gfid-req", FILEID);
    check_iatt(&crsp.stat, &file_a);
    ck_assert_uint_eq(crsp.fd, 0);
    check_iatt(&crsp.preparent, &dir_a);
    check_iatt(&crsp.postparent, &dir_b);
    xdr_free((xdrproc_t)xdr_gfx_create_rsp, &crsp);
}
END_TEST

START_TEST(write_split)
{
    static wbuf_t w;
    unsigned char data[4096];
    gfx_write_req req;
    size_t hdr = 0, used = 0;
    uint32_t size = 0;
    hdr_t h;

    write_call(&w);
    h = parse_call(&w);
    check_fop_cred(&h, GF_XDR_FOP_WRITE, 24898);
    ck_assert_int_eq(gf_xdr_write_split(h.args, h.len, &hdr), 0);
    ck_assert_uint_eq(hdr, GF_XDR_WRITE_REQ_FIXED);
    ck_assert_int_eq(gf_xdr_write_hdr_len(h.args, &hdr, &size), 0);
    ck_assert_uint_eq(hdr, 52);
    ck_assert_uint_eq(size, 4096);
    payload(data, sizeof(data));
    ck_assert_mem_eq(h.args + hdr, data, sizeof(data));

    /* The XDR part decodes alone and stops where the payload starts. */
    memset(&req, 0, sizeof(req));
    roundtrip((xdrproc_t)xdr_gfx_write_req, h.args, hdr, &req, sizeof(req));
    xdr_free((xdrproc_t)xdr_gfx_write_req, &req);
    ck_assert_int_eq(gf_xdr_decode((xdrproc_t)xdr_gfx_write_req, h.args, h.len,
                                   &req, sizeof(req), &used),
                     0);
    ck_assert_uint_eq(used, hdr);
    check_gfid(req.gfid, FILEID);
    ck_assert_int_eq(req.fd, 0);
    ck_assert_uint_eq(req.offset, 0);
    ck_assert_uint_eq(req.size, 4096);
    ck_assert_uint_eq(gf_dict_count(req.xdata), 0);

    /* With xdata the payload moves by xdr_size: encode one, split it. */
    ck_assert_int_eq(gf_dict_set_uuid(req.xdata, "gfid-req", data), 0);
    ck_assert_int_eq(gf_xdr_encode((xdrproc_t)xdr_gfx_write_req, &req, w.b,
                                   sizeof(w.b), &used),
                     0);
    ck_assert_uint_eq(used, 52 + 36);
    memcpy(w.b + used, data, sizeof(data));
    ck_assert_int_eq(gf_xdr_write_split(w.b, used + sizeof(data), &hdr), 0);
    ck_assert_uint_eq(hdr, 88);
    xdr_free((xdrproc_t)xdr_gfx_write_req, &req);
}
END_TEST

START_TEST(read_split)
{
    static wbuf_t w;
    static unsigned char out[8192];
    unsigned char data[4096];
    gfx_read_rsp rsp;
    gf_iatt_t ia;
    gf_dict_t *x;
    size_t hdr = 0, used = 0;
    uint32_t size = 0;
    hdr_t h;

    read_reply(&w);
    h = parse_reply(&w);
    ck_assert_int_eq(gf_xdr_read_split(h.args, h.len, &hdr), 0);
    ck_assert_uint_eq(hdr, GF_XDR_READ_RSP_FIXED);
    ck_assert_int_eq(gf_xdr_read_hdr_len(h.args, &hdr, &size), 0);
    ck_assert_uint_eq(size, 4096);
    payload(data, sizeof(data));
    ck_assert_mem_eq(h.args + hdr, data, sizeof(data));

    memset(&rsp, 0, sizeof(rsp));
    roundtrip((xdrproc_t)xdr_gfx_read_rsp, h.args, hdr, &rsp, sizeof(rsp));
    ck_assert_int_eq(rsp.op_ret, 4096);
    ck_assert_int_eq(rsp.op_errno, ENOENT);
    ck_assert_uint_eq(rsp.size, 4096);
    check_iatt(&rsp.stat, &file_r);

    /* Compose the same header from libgf types: byte-identical. */
    ck_assert_int_eq(gf_xdr_iatt_from_wire(&rsp.stat, &ia), 0);
    ck_assert_uint_eq(gf_xdr_read_rsp_size(rsp.xdata), 172);
    ck_assert_int_eq(gf_xdr_read_rsp_encode(4096, ENOENT, &ia, 4096, rsp.xdata,
                                            out, sizeof(out), &used),
                     0);
    ck_assert_uint_eq(used, 172);
    ck_assert_mem_eq(out, h.args, 172);
    ck_assert_int_eq(
        gf_xdr_read_rsp_encode(0, 0, NULL, 0, NULL, out, 171, NULL), -ENOBUFS);
    xdr_free((xdrproc_t)xdr_gfx_read_rsp, &rsp);

    /* Non-empty xdata: xdr_size is right, so the split finds the data. */
    x = gf_dict_new();
    ck_assert_int_eq(gf_dict_set_str(x, "glusterfs.open-fd-count", "1"), 0);
    ck_assert_int_eq(
        gf_xdr_read_rsp_encode(4096, 0, &ia, 4096, x, out, sizeof(out), &used),
        0);
    ck_assert_uint_eq(used, gf_xdr_read_rsp_size(x));
    ck_assert_uint_gt(used, 172);
    memcpy(out + used, data, sizeof(data));
    ck_assert_int_eq(gf_xdr_read_split(out, used + sizeof(data), &hdr), 0);
    ck_assert_uint_eq(hdr, used);
    memset(&rsp, 0, sizeof(rsp));
    ck_assert_int_eq(gf_xdr_decode((xdrproc_t)xdr_gfx_read_rsp, out,
                                   used + sizeof(data), &rsp, sizeof(rsp),
                                   &hdr),
                     0);
    ck_assert_uint_eq(hdr, used);
    ck_assert_uint_eq(gf_dict_count(rsp.xdata), 1);
    xdr_free((xdrproc_t)xdr_gfx_read_rsp, &rsp);
    gf_dict_unref(x);
}
END_TEST

START_TEST(readdir_reply_list)
{
    wbuf_t w;
    hdr_t h;
    gfx_readdir_rsp rsp;
    gf_dirents_t list;
    const gf_dirent_t *e;
    size_t i = 0, used = 0;

    readdir_reply(&w);
    h = parse_reply(&w);
    memset(&rsp, 0, sizeof(rsp));
    roundtrip((xdrproc_t)xdr_gfx_readdir_rsp, h.args, h.len, &rsp, sizeof(rsp));
    ck_assert_int_eq(rsp.op_ret, 3);
    ck_assert_int_eq(rsp.op_errno, ENOENT);
    ck_assert_uint_eq(rsp.reply.count, 3);
    for (e = rsp.reply.head; e; e = e->next, i++) {
        ck_assert_str_eq(e->name, readdir_want[i].name);
        ck_assert_uint_eq(e->d_ino, readdir_want[i].ino);
        ck_assert_uint_eq(e->d_off, readdir_want[i].off);
        ck_assert_uint_eq(e->d_type, readdir_want[i].type);
    }
    ck_assert_uint_eq(i, 3);

    /* The byte-level codec on the chain after xdata (offset 20). */
    gf_dirents_init(&list);
    ck_assert_int_eq(
        gf_xdr_dirlist_decode(h.args + 20, h.len - 20, false, &list, &used), 0);
    ck_assert_uint_eq(used, h.len - 20);
    ck_assert_uint_eq(list.count, 3);
    ck_assert_int_eq(gf_xdr_dirlist_size(&list, false), (ssize_t)used);
    gf_dirents_free(&list);
    xdr_free((xdrproc_t)xdr_gfx_readdir_rsp, &rsp);
    ck_assert_ptr_null(rsp.reply.head);
}
END_TEST

START_TEST(unlink_rmdir)
{
    wbuf_t w;
    hdr_t h;
    gfx_unlink_req ureq;
    gfx_rmdir_req rreq;
    gfx_common_2iatt_rsp rsp;
    uint64_t v = 1;

    unlink_call(&w);
    h = parse_call(&w);
    memset(&ureq, 0, sizeof(ureq));
    roundtrip((xdrproc_t)xdr_gfx_unlink_req, h.args, h.len, &ureq,
              sizeof(ureq));
    check_gfid(ureq.pargfid, DIRID);
    ck_assert_str_eq(ureq.bname, "hello.txt");
    ck_assert_uint_eq(ureq.xflags, 0);
    xdr_free((xdrproc_t)xdr_gfx_unlink_req, &ureq);

    unlink_reply(&w);
    h = parse_reply(&w);
    memset(&rsp, 0, sizeof(rsp));
    roundtrip((xdrproc_t)xdr_gfx_common_2iatt_rsp, h.args, h.len, &rsp,
              sizeof(rsp));
    ck_assert_int_eq(gf_dict_get_uint64(rsp.xdata, "get-link-count", &v), 0);
    ck_assert_uint_eq(v, 0);
    check_iatt(&rsp.prestat, &dir_c);
    check_iatt(&rsp.poststat, &dir_d);
    xdr_free((xdrproc_t)xdr_gfx_common_2iatt_rsp, &rsp);

    rmdir_call(&w);
    h = parse_call(&w);
    memset(&rreq, 0, sizeof(rreq));
    roundtrip((xdrproc_t)xdr_gfx_rmdir_req, h.args, h.len, &rreq, sizeof(rreq));
    check_gfid(rreq.pargfid, ROOT);
    ck_assert_int_eq(rreq.xflags, 0);
    ck_assert_str_eq(rreq.bname, "wire-func");
    xdr_free((xdrproc_t)xdr_gfx_rmdir_req, &rreq);

    rmdir_reply(&w);
    h = parse_reply(&w);
    memset(&rsp, 0, sizeof(rsp));
    roundtrip((xdrproc_t)xdr_gfx_common_2iatt_rsp, h.args, h.len, &rsp,
              sizeof(rsp));
    ck_assert_int_eq(rsp.op_ret, 0);
    ck_assert_int_eq(rsp.op_errno, ENODATA);
    check_iatt(&rsp.prestat, &root_b);
    check_iatt(&rsp.poststat, &root_d);
    xdr_free((xdrproc_t)xdr_gfx_common_2iatt_rsp, &rsp);
}
END_TEST

START_TEST(release)
{
    wbuf_t w;
    hdr_t h;
    gfx_release_req req;
    gfx_common_rsp rsp;

    from_words(release_call_w, GF_ARRAY_SIZE(release_call_w), &w);
    h = parse_call(&w);
    ck_assert_uint_eq(h.proc, GF_XDR_FOP_RELEASE);
    memset(&req, 0, sizeof(req));
    roundtrip((xdrproc_t)xdr_gfx_release_req, h.args, h.len, &req, sizeof(req));
    check_gfid(req.gfid, FILEID);
    ck_assert_int_eq(req.fd, 0);
    ck_assert_uint_eq(gf_dict_count(req.xdata), 0);
    xdr_free((xdrproc_t)xdr_gfx_release_req, &req);

    from_words(release_reply_w, GF_ARRAY_SIZE(release_reply_w), &w);
    h = parse_reply(&w);
    memset(&rsp, 0, sizeof(rsp));
    roundtrip((xdrproc_t)xdr_gfx_common_rsp, h.args, h.len, &rsp, sizeof(rsp));
    ck_assert_int_eq(rsp.op_ret, 0);
    ck_assert_int_eq(rsp.op_errno, 0);
    xdr_free((xdrproc_t)xdr_gfx_common_rsp, &rsp);
}
END_TEST

/* ---- hostile input
 * ------------------------------------------------------------ */

static void
words_dump_call(wbuf_t *w)
{
    from_words(dump_call_w, GF_ARRAY_SIZE(dump_call_w), w);
}
static void
words_dump_reply(wbuf_t *w)
{
    from_words(dump_reply_w, GF_ARRAY_SIZE(dump_reply_w), w);
}
static void
words_setvol_call(wbuf_t *w)
{
    from_words(setvol_call_w, GF_ARRAY_SIZE(setvol_call_w), w);
}
static void
words_setvol_reply(wbuf_t *w)
{
    from_words(setvol_reply_w, GF_ARRAY_SIZE(setvol_reply_w), w);
}
static void
words_lookup1_call(wbuf_t *w)
{
    from_words(lookup1_call_w, GF_ARRAY_SIZE(lookup1_call_w), w);
}
static void
words_lookup1_reply(wbuf_t *w)
{
    from_words(lookup1_reply_w, GF_ARRAY_SIZE(lookup1_reply_w), w);
}
static void
words_release_call(wbuf_t *w)
{
    from_words(release_call_w, GF_ARRAY_SIZE(release_call_w), w);
}

/* Every vector: how to build it, whether it is a call, its type, and how
 * many argument bytes are XDR (0: all; else the WRITE/READ header). */
static const struct vec {
    void (*build)(wbuf_t *w);
    bool call;
    xdrproc_t proc;
    size_t objsize;
    size_t xdr_len;
} vecs[] = {
    {words_dump_call, true, (xdrproc_t)xdr_gf_dump_req, sizeof(gf_dump_req), 0},
    {words_dump_reply, false, (xdrproc_t)xdr_gf_dump_rsp, sizeof(gf_dump_rsp),
     0},
    {words_setvol_call, true, (xdrproc_t)xdr_gf_setvolume_req,
     sizeof(gf_setvolume_req), 0},
    {words_setvol_reply, false, (xdrproc_t)xdr_gf_setvolume_rsp,
     sizeof(gf_setvolume_rsp), 0},
    {words_lookup1_call, true, (xdrproc_t)xdr_gfx_lookup_req,
     sizeof(gfx_lookup_req), 0},
    {words_lookup1_reply, false, (xdrproc_t)xdr_gfx_common_2iatt_rsp,
     sizeof(gfx_common_2iatt_rsp), 0},
    {lookup3_call, true, (xdrproc_t)xdr_gfx_lookup_req, sizeof(gfx_lookup_req),
     0},
    {lookup3_reply, false, (xdrproc_t)xdr_gfx_common_2iatt_rsp,
     sizeof(gfx_common_2iatt_rsp), 0},
    {mkdir_call, true, (xdrproc_t)xdr_gfx_mkdir_req, sizeof(gfx_mkdir_req), 0},
    {mkdir_reply, false, (xdrproc_t)xdr_gfx_common_3iatt_rsp,
     sizeof(gfx_common_3iatt_rsp), 0},
    {create_call, true, (xdrproc_t)xdr_gfx_create_req, sizeof(gfx_create_req),
     0},
    {create_reply, false, (xdrproc_t)xdr_gfx_create_rsp, sizeof(gfx_create_rsp),
     0},
    {write_call, true, (xdrproc_t)xdr_gfx_write_req, sizeof(gfx_write_req), 52},
    {read_reply, false, (xdrproc_t)xdr_gfx_read_rsp, sizeof(gfx_read_rsp), 172},
    {readdir_reply, false, (xdrproc_t)xdr_gfx_readdir_rsp,
     sizeof(gfx_readdir_rsp), 0},
    {unlink_call, true, (xdrproc_t)xdr_gfx_unlink_req, sizeof(gfx_unlink_req),
     0},
    {unlink_reply, false, (xdrproc_t)xdr_gfx_common_2iatt_rsp,
     sizeof(gfx_common_2iatt_rsp), 0},
    {rmdir_call, true, (xdrproc_t)xdr_gfx_rmdir_req, sizeof(gfx_rmdir_req), 0},
    {rmdir_reply, false, (xdrproc_t)xdr_gfx_common_2iatt_rsp,
     sizeof(gfx_common_2iatt_rsp), 0},
    {words_release_call, true, (xdrproc_t)xdr_gfx_release_req,
     sizeof(gfx_release_req), 0},
};

START_TEST(truncated)
{
    static wbuf_t w;
    const struct vec *v = &vecs[_i];
    hdr_t h;

    v->build(&w);
    h = v->call ? parse_call(&w) : parse_reply(&w);
    truncations(v->proc, h.args, v->xdr_len ? v->xdr_len : h.len, v->objsize);
    /* A truncated WRITE/READ record never splits. */
    for (size_t n = 0; v->xdr_len && n < h.len; n += n < 256 ? 1 : 509) {
        unsigned char *p = malloc(n ? n : 1);
        size_t hdr;

        memcpy(p, h.args, n);
        ck_assert_int_eq(v->call ? gf_xdr_write_split(p, n, &hdr)
                                 : gf_xdr_read_split(p, n, &hdr),
                         -EINVAL);
        free(p);
    }
}
END_TEST

static void
put32(unsigned char *p, uint32_t v)
{
    p[0] = (unsigned char)(v >> 24);
    p[1] = (unsigned char)(v >> 16);
    p[2] = (unsigned char)(v >> 8);
    p[3] = (unsigned char)v;
}

static int
decode_lookup(const unsigned char *b, size_t len)
{
    gfx_lookup_req req;
    int ret;

    memset(&req, 0, sizeof(req));
    ret = gf_xdr_decode((xdrproc_t)xdr_gfx_lookup_req, b, len, &req,
                        sizeof(req), NULL);
    if (!ret)
        xdr_free((xdrproc_t)xdr_gfx_lookup_req, &req);
    return ret;
}

START_TEST(forged_lengths)
{
    wbuf_t w;
    unsigned char b[256];
    hdr_t h;
    size_t len;

    lookup3_call(&w);
    h = parse_call(&w);
    len = h.len;
    ck_assert_uint_le(len, sizeof(b));
    memcpy(b, h.args, len);
    ck_assert_int_eq(decode_lookup(b, len), 0);
    /* bname length (offset 36): huge, beyond the .x bound, past the end. */
    put32(b + 36, 0xffffffff);
    ck_assert_int_eq(decode_lookup(b, len), -EINVAL);
    put32(b + 36, 4097);
    ck_assert_int_eq(decode_lookup(b, len), -EINVAL);
    put32(b + 36, 4000);
    ck_assert_int_eq(decode_lookup(b, len), -EINVAL);
    memcpy(b, h.args, len);
    /* xdata (offset 52): xdr_size past the end, unaligned, too small. */
    put32(b + 52, 0x7ffffffc);
    ck_assert_int_eq(decode_lookup(b, len), -EINVAL);
    put32(b + 52, 37);
    ck_assert_int_eq(decode_lookup(b, len), -EINVAL);
    put32(b + 52, 32);
    ck_assert_int_eq(decode_lookup(b, len), -EINVAL);
    memcpy(b, h.args, len);
    /* count and pairs disagree; a huge count; NULL dict with pairs. */
    put32(b + 56, 2);
    ck_assert_int_eq(decode_lookup(b, len), -EINVAL);
    put32(b + 56, 0x7fffffff);
    put32(b + 60, 0x7fffffff);
    ck_assert_int_eq(decode_lookup(b, len), -EINVAL);
    put32(b + 56, 0xffffffff);
    put32(b + 60, 1);
    ck_assert_int_eq(decode_lookup(b, len), -EINVAL);
    memcpy(b, h.args, len);
    /* value type 0 (UNKNOWN) has no arm. */
    put32(b + 80, 0);
    ck_assert_int_eq(decode_lookup(b, len), -EINVAL);
}
END_TEST

START_TEST(payload_bounds)
{
    static wbuf_t w;
    unsigned char *p;
    size_t hdr, len;
    uint32_t size;
    hdr_t h;

    write_call(&w);
    h = parse_call(&w);
    len = h.len;
    p = malloc(len);
    memcpy(p, h.args, len);
    ck_assert_int_eq(gf_xdr_write_split(p, len, &hdr), 0);
    put32(p + 40, (uint32_t)len); /* xdr_size past the record */
    ck_assert_int_eq(gf_xdr_write_split(p, len, &hdr), -EINVAL);
    put32(p + 40, 0xfffffffc);
    ck_assert_int_eq(gf_xdr_write_split(p, len, &hdr), -EINVAL);
    ck_assert_int_eq(gf_xdr_write_hdr_len(p, &hdr, &size), -EINVAL);
    put32(p + 40, 6); /* unaligned */
    ck_assert_int_eq(gf_xdr_write_split(p, len, &hdr), -EINVAL);
    put32(p + 40, 0);
    put32(p + 32, 4095); /* size disagrees with the payload */
    ck_assert_int_eq(gf_xdr_write_split(p, len, &hdr), -EINVAL);
    put32(p + 32, 4096);
    ck_assert_int_eq(gf_xdr_write_split(p, len - 1, &hdr), -EINVAL);
    ck_assert_int_eq(gf_xdr_write_split(NULL, len, &hdr), -EINVAL);
    ck_assert_int_eq(gf_xdr_write_split(p, len, NULL), -EINVAL);
    free(p);

    read_reply(&w);
    h = parse_reply(&w);
    len = h.len;
    p = malloc(len);
    memcpy(p, h.args, len);
    ck_assert_int_eq(gf_xdr_read_split(p, len, &hdr), 0);
    put32(p + 160, 4096); /* xdr_size swallowing the payload */
    ck_assert_int_eq(gf_xdr_read_split(p, len, &hdr), -EINVAL);
    put32(p + 160, 4100);
    ck_assert_int_eq(gf_xdr_read_split(p, len, &hdr), -EINVAL);
    free(p);
}
END_TEST

/* A chain of N entries named "e<i>", each {1, ino, off, len, type, name}. */
static size_t
chain(unsigned char *b, size_t cap, uint32_t n, bool end)
{
    wbuf_t *w = malloc(sizeof(*w));
    size_t at = 0;
    char name[16];

    for (uint32_t i = 0; i < n; i++) {
        size_t len = (size_t)snprintf(name, sizeof(name), "e%u", i % 1000);

        w->n = 0;
        w32(w, 1);
        w64(w, i + 1);
        w64(w, i + 1);
        w32(w, (uint32_t)len);
        w32(w, 8);
        wstr(w, name, len);
        ck_assert_uint_le(at + w->n, cap);
        memcpy(b + at, w->b, w->n);
        at += w->n;
    }
    if (end) {
        put32(b + at, 0);
        at += 4;
    }
    free(w);
    return at;
}

static int
decode_chain(const unsigned char *b, size_t len)
{
    gf_dirents_t list;
    unsigned char *p = malloc(len ? len : 1);
    int ret;

    memcpy(p, b, len);
    gf_dirents_init(&list);
    ret = gf_xdr_dirlist_decode(p, len, false, &list, NULL);
    ck_assert_uint_eq(list.count, 0); /* untouched on error */
    gf_dirents_free(&list);
    free(p);
    return ret;
}

START_TEST(dirlist_malformed)
{
    unsigned char b[512];
    size_t len;
    unsigned char *big;
    gf_dirents_t list;

    len = chain(b, sizeof(b), 3, true);
    for (size_t n = 0; n < len; n++)
        ck_assert_int_eq(decode_chain(b, n), -EINVAL);
    len = chain(b, sizeof(b), 3, false); /* missing terminator */
    ck_assert_int_eq(decode_chain(b, len), -EINVAL);
    len = chain(b, sizeof(b), 1, true);
    put32(b, 2); /* "follows" is a boolean */
    ck_assert_int_eq(decode_chain(b, len), -EINVAL);
    len = chain(b, sizeof(b), 1, true);
    put32(b + 28, 0); /* empty name */
    ck_assert_int_eq(decode_chain(b, len), -EINVAL);
    put32(b + 28, GF_XDR_NAME_MAX + 1);
    ck_assert_int_eq(decode_chain(b, len), -EINVAL);
    put32(b + 28, 0xffffffff);
    ck_assert_int_eq(decode_chain(b, len), -EINVAL);
    len = chain(b, sizeof(b), 1, true);
    b[33] = '\0'; /* "e0" -> "e\0" */
    ck_assert_int_eq(decode_chain(b, len), -EINVAL);

    /* One entry over the count limit, and exactly the limit. */
    big = malloc((size_t)(GF_XDR_DIRENTS_MAX + 1) * 36 + 4);
    len = chain(big, (size_t)(GF_XDR_DIRENTS_MAX + 1) * 36 + 4,
                GF_XDR_DIRENTS_MAX + 1, true);
    ck_assert_int_eq(decode_chain(big, len), -EINVAL);
    len = chain(big, len, GF_XDR_DIRENTS_MAX, true);
    gf_dirents_init(&list);
    ck_assert_int_eq(gf_xdr_dirlist_decode(big, len, false, &list, NULL), 0);
    ck_assert_uint_eq(list.count, GF_XDR_DIRENTS_MAX);
    gf_dirents_free(&list);
    free(big);
}
END_TEST

/* ---- round trips of what the capture does not show
 * ----------------------------- */

static gf_dirent_t *
plus_entry(const char *name, uint64_t i, bool with_dict)
{
    gf_dirent_t *e = gf_dirent_new(name, strlen(name));

    ck_assert_ptr_nonnull(e);
    e->d_ino = 100 + i;
    e->d_off = 1000 + i;
    e->d_type = i % 2 ? 8 : 4;
    gf_gfid_generate(&e->stat.gfid);
    e->stat.ino = 100 + i;
    e->stat.mode = i % 2 ? 0100644 : 040755;
    e->stat.nlink = 1;
    e->stat.size = i * 4096;
    e->stat.btime = (int64_t)i; /* entry 0 has none: flags differ */
    if (with_dict) {
        e->dict = gf_dict_new();
        ck_assert_int_eq(gf_dict_set_int64(e->dict, "k", -(int64_t)i), 0);
    }
    return e;
}

START_TEST(dirplist_roundtrip)
{
    static unsigned char buf[4096];
    gf_dirents_t in, out;
    const gf_dirent_t *a, *b;
    gfx_readdirp_rsp rsp;
    size_t used = 0, used2 = 0;
    ssize_t size;
    int64_t v;

    gf_dirents_init(&in);
    gf_dirents_append(&in, plus_entry(".", 0, false));
    gf_dirents_append(&in, plus_entry("file-with-a-longer-name", 1, true));
    gf_dirents_append(&in, plus_entry("x", 2, true));
    size = gf_xdr_dirlist_size(&in, true);
    ck_assert_int_gt(size, 0);
    ck_assert_int_eq(
        gf_xdr_dirlist_encode(&in, true, buf, (size_t)size - 1, NULL),
        -ENOBUFS);
    ck_assert_int_eq(gf_xdr_dirlist_encode(&in, true, buf, sizeof(buf), &used),
                     0);
    ck_assert_uint_eq(used, (size_t)size);

    gf_dirents_init(&out);
    ck_assert_int_eq(gf_xdr_dirlist_decode(buf, used, true, &out, &used2), 0);
    ck_assert_uint_eq(used2, used);
    ck_assert_uint_eq(out.count, 3);
    for (a = in.head, b = out.head; a; a = a->next, b = b->next) {
        ck_assert_str_eq(a->name, b->name);
        ck_assert_uint_eq(a->d_ino, b->d_ino);
        ck_assert_uint_eq(a->d_off, b->d_off);
        ck_assert_uint_eq(a->d_type, b->d_type);
        ck_assert_mem_eq(&a->stat, &b->stat, sizeof(a->stat));
        ck_assert_int_eq(a->dict == NULL, b->dict == NULL);
    }
    ck_assert_int_eq(gf_dict_get_int64(out.tail == &out.head->next->next->next
                                           ? out.head->next->next->dict
                                           : NULL,
                                       "k", &v),
                     0);
    ck_assert_int_eq(v, -2);
    gf_dirents_free(&out);

    /* Inside a READDIRP reply: header, then the same chain. */
    memset(&rsp, 0, sizeof(rsp));
    rsp.op_ret = 3;
    rsp.reply = in;
    ck_assert_int_eq(gf_xdr_encode((xdrproc_t)xdr_gfx_readdirp_rsp, &rsp, buf,
                                   sizeof(buf), &used2),
                     0);
    ck_assert_uint_eq(used2, 20 + used);
    memset(&rsp, 0, sizeof(rsp));
    roundtrip((xdrproc_t)xdr_gfx_readdirp_rsp, buf, used2, &rsp, sizeof(rsp));
    ck_assert_uint_eq(rsp.reply.count, 3);
    xdr_free((xdrproc_t)xdr_gfx_readdirp_rsp, &rsp);

    /* Names the wire cannot carry are refused before any byte is written. */
    gf_dirents_append(&in, gf_dirent_new("", 0));
    ck_assert_int_eq(gf_xdr_dirlist_size(&in, false), -EINVAL);
    ck_assert_int_eq(gf_xdr_dirlist_encode(&in, false, buf, sizeof(buf), NULL),
                     -EINVAL);
    gf_dirents_free(&in);

    /* An empty list is the terminator alone. */
    ck_assert_int_eq(gf_xdr_dirlist_size(NULL, true), 4);
    ck_assert_int_eq(gf_xdr_dirlist_encode(&in, true, buf, 4, &used), 0);
    ck_assert_uint_eq(used, 4);
    ck_assert_uint_eq(rd32(buf), 0);
}
END_TEST

/* The dict filter writes what rpcgen's own xdr_gfx_dict writes, and each
 * reads the other's output. */
START_TEST(dict_filter_vs_rpcgen)
{
    static unsigned char a[1024], b[1024];
    gf_dict_t *d = gf_dict_new(), *back = NULL;
    unsigned char u[16] = {1, 2, 3};
    gfx_dict g;
    size_t na = 0, nb = 0;
    const char *s;

    ck_assert_int_eq(gf_dict_set_str(d, "s", "value"), 0);
    ck_assert_int_eq(gf_dict_set_int64(d, "i", -5), 0);
    ck_assert_int_eq(gf_dict_set_uint64(d, "u", 7), 0);
    ck_assert_int_eq(gf_dict_set_double(d, "d", 0.5), 0);
    ck_assert_int_eq(gf_dict_set_uuid(d, "g", u), 0);
    ck_assert_int_eq(gf_dict_set_bin(d, "p", "\1\2\3", 3), 0);
    ck_assert_int_eq(
        gf_xdr_encode((xdrproc_t)xdr_gfx_xdict, &d, a, sizeof(a), &na), 0);

    memset(&g, 0, sizeof(g));
    ck_assert_int_eq(
        gf_xdr_decode((xdrproc_t)xdr_gfx_dict, a, na, &g, sizeof(g), &nb), 0);
    ck_assert_uint_eq(nb, na);
    ck_assert_int_eq(g.count, 6);
    ck_assert_uint_eq(g.pairs.pairs_len, 6);
    ck_assert_uint_eq(g.xdr_size, na - 12);
    ck_assert_int_eq(g.pairs.pairs_val[0].value.type, GF_DICT_STR);
    ck_assert_str_eq(
        g.pairs.pairs_val[0].value.gfx_value_u.val_string.val_string_val,
        "value");
    ck_assert_int_eq(g.pairs.pairs_val[1].value.gfx_value_u.value_int, -5);
    ck_assert_int_eq(
        gf_xdr_encode((xdrproc_t)xdr_gfx_dict, &g, b, sizeof(b), &nb), 0);
    ck_assert_uint_eq(nb, na);
    ck_assert_mem_eq(a, b, na);
    xdr_free((xdrproc_t)xdr_gfx_dict, &g);

    ck_assert_int_eq(gf_xdr_decode((xdrproc_t)xdr_gfx_xdict, b, nb, &back,
                                   sizeof(back), NULL),
                     0);
    ck_assert_uint_eq(gf_dict_count(back), 6);
    ck_assert_int_eq(gf_dict_get_str(back, "s", &s), 0);
    ck_assert_str_eq(s, "value");
    xdr_free((xdrproc_t)xdr_gfx_xdict, &back);
    ck_assert_ptr_null(back);

    /* Type 0 has no arm in rpcgen's union either. */
    put32(a + 12 + 8, 0);
    memset(&g, 0, sizeof(g));
    ck_assert_int_eq(
        gf_xdr_decode((xdrproc_t)xdr_gfx_dict, a, na, &g, sizeof(g), NULL),
        -EINVAL);
    gf_dict_unref(d);
}
END_TEST

START_TEST(iatt_conversions)
{
    gf_iatt_t ia, back;
    gfx_iattx w;
    unsigned char buf[GF_XDR_IATTX_SIZE];

    memset(&ia, 0, sizeof(ia));
    ck_assert_int_eq(gf_xdr_iatt_to_wire(&ia, &w), 0);
    ck_assert_uint_eq(w.ia_flags, 0);

    gf_gfid_generate(&ia.gfid);
    ia.ino = 0x0102030405060708u;
    ia.dev = 0xfe00;
    ia.rdev = 0x0801;
    ia.size = (uint64_t)1 << 40;
    ia.blocks = 9;
    ia.mode = 020644; /* a character device */
    ia.nlink = 7;
    ia.uid = 1000;
    ia.gid = 100;
    ia.blksize = 4096;
    ia.atime = -1; /* before 1970 */
    ia.mtime = 1795645579;
    ia.ctime = 3;
    ia.atime_nsec = 999999999;
    ia.mtime_nsec = 1;
    ia.ctime_nsec = 2;
    ck_assert_int_eq(gf_xdr_iatt_to_wire(&ia, &w), 0);
    ck_assert_uint_eq(w.ia_flags, GF_XDR_IATT_BASIC);
    ck_assert_uint_eq(w.mode, 020644);
    ia.btime = 5;
    ia.btime_nsec = 6;
    ck_assert_int_eq(gf_xdr_iatt_to_wire(&ia, &w), 0);
    ck_assert_uint_eq(w.ia_flags, GF_XDR_IATT_BASIC | GF_XDR_IATT_BTIME);

    ck_assert_int_eq(gf_xdr_iatt_encode(&ia, buf), 0);
    ck_assert_uint_eq(rd32(buf + 20), GF_XDR_IATT_BASIC | GF_XDR_IATT_BTIME);
    ck_assert_uint_eq(rd32(buf + 144), 020644);
    ck_assert_int_eq(gf_xdr_iatt_decode(buf, &back), 0);
    ck_assert_mem_eq(&back, &ia, sizeof(ia));
    ck_assert_int_eq(gf_xdr_iatt_from_wire(&w, &back), 0);
    ck_assert_mem_eq(&back, &ia, sizeof(ia));

    ck_assert_int_eq(gf_xdr_iatt_to_wire(NULL, &w), -EINVAL);
    ck_assert_int_eq(gf_xdr_iatt_from_wire(&w, NULL), -EINVAL);
    ck_assert_int_eq(gf_xdr_iatt_decode(NULL, &back), -EINVAL);
    ck_assert_int_eq(gf_xdr_iatt_encode(&ia, NULL), -EINVAL);
}
END_TEST

/* gf_xdr_encode_iobuf: a small message in the first guess, a large one
 * sized and encoded again; both decode back to what was sent. */
START_TEST(encode_iobuf_guess_then_sized)
{
    gf_iobuf_pool_t *iop = gf_iobuf_pool_new();
    static char big[3001];
    const char *names[] = {"small", big};

    memset(big, 'n', sizeof(big) - 1);
    ck_assert_ptr_nonnull(iop);
    for (unsigned i = 0; i < 2; i++) {
        gfx_lookup_req req = {.bname = (char *)names[i]}, back;
        size_t used = 0, got = 0;
        gf_iobuf_t *iob = gf_xdr_encode_iobuf(
            iop, (xdrproc_t)xdr_gfx_lookup_req, &req, &used);

        ck_assert_ptr_nonnull(iob);
        ck_assert_uint_gt(used, strlen(names[i]));
        ck_assert_uint_le(used, gf_iobuf_size(iob));
        if (i == 0)
            ck_assert_uint_lt(used, GF_XDR_ENCODE_GUESS);
        else
            ck_assert_uint_gt(used, GF_XDR_ENCODE_GUESS);
        memset(&back, 0, sizeof(back));
        ck_assert_int_eq(gf_xdr_decode((xdrproc_t)xdr_gfx_lookup_req,
                                       gf_iobuf_ptr(iob), used, &back,
                                       sizeof(back), &got),
                         0);
        ck_assert_uint_eq(got, used);
        ck_assert_str_eq(back.bname, names[i]);
        xdr_free((xdrproc_t)xdr_gfx_lookup_req, (char *)&back);
        gf_iobuf_unref(iob);
    }
    ck_assert_ptr_null(gf_xdr_encode_iobuf(iop, NULL, names, NULL));
    gf_iobuf_pool_free(iop);
}
END_TEST

int
main(void)
{
    Suite *s = suite_create("xdr");
    TCase *wire = tcase_create("wire");
    TCase *hostile = tcase_create("hostile");
    TCase *codec = tcase_create("codec");

    tcase_add_test(wire, dump_call);
    tcase_add_test(wire, dump_reply);
    tcase_add_test(wire, setvolume_call);
    tcase_add_test(wire, setvolume_reply);
    tcase_add_test(wire, lookup_root);
    tcase_add_test(wire, lookup_enoent);
    tcase_add_test(wire, mkdir_create);
    tcase_add_test(wire, write_split);
    tcase_add_test(wire, read_split);
    tcase_add_test(wire, readdir_reply_list);
    tcase_add_test(wire, unlink_rmdir);
    tcase_add_test(wire, release);
    suite_add_tcase(s, wire);

    tcase_set_timeout(hostile, 120);
    tcase_add_loop_test(hostile, truncated, 0, (int)GF_ARRAY_SIZE(vecs));
    tcase_add_test(hostile, forged_lengths);
    tcase_add_test(hostile, payload_bounds);
    tcase_add_test(hostile, dirlist_malformed);
    suite_add_tcase(s, hostile);

    tcase_add_test(codec, dirplist_roundtrip);
    tcase_add_test(codec, dict_filter_vs_rpcgen);
    tcase_add_test(codec, iatt_conversions);
    tcase_add_test(codec, encode_iobuf_guess_then_sized);
    suite_add_tcase(s, codec);
    return gf_test_run(s);
}
