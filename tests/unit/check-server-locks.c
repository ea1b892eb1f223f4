/* SPDX-License-Identifier: LGPL-3.0-or-later */
/*
 * check-server-locks.c - the lock procedures through protocol/server over
 * features/locks and storage/posix, spoken to by two raw ONC RPC clients
 * (two connections, so two lock clients) with AUTH_GLUSTERFS_v3
 * credentials carrying their lk-owners: LK conflicts, GETLK reporting the
 * holder and its owner, a SETLKW parked until the holder's connection
 * closes, INODELK in domains, ENTRYLK and FENTRYLK on names and whole
 * directories, a blocked ENTRYLK granted by an UNLOCK, and arguments that
 * do not decode.
 */
#include <errno.h>
#include <ftw.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <gf/graph.h>
#include <gf/rpcsvc.h>
#include <gf/xlator.h>
#include <rpc/gfxdr.h>

#include "gf-test.h"
#include "rpcsvc-client.h"

/* Wire lock commands and types (upstream's glusterfs_lk_cmds_t, ...). */
enum { W_GETLK, W_SETLK, W_SETLKW };
enum { W_RDLCK, W_WRLCK, W_UNLCK };
enum { E_LOCK, E_UNLOCK, E_LOCK_NB };
enum { E_RDLCK, E_WRLCK };

typedef struct env {
    gf_ctx_t *ctx;
    gf_volfile_t *vf;
    gf_graph_t *graph;
    int port;
    char dir[256];
    char err[512];
} env_t;

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
env_start(env_t *e)
{
    gf_volfile_error_t verr;
    char text[1024];

    memset(e, 0, sizeof(*e));
    snprintf(e->dir, sizeof(e->dir), "%s/check-server-locks.XXXXXX",
             gf_test_tmpdir());
    ck_assert_ptr_nonnull(mkdtemp(e->dir));
    snprintf(text, sizeof(text),
             "volume brick-posix\n    type storage/posix\n"
             "    option directory %s\nend-volume\n"
             "volume brick-locks\n    type features/locks\n"
             "    subvolumes brick-posix\nend-volume\n"
             "volume server\n    type protocol/server\n"
             "    option transport.socket.listen-port 0\n"
             "    subvolumes brick-locks\nend-volume\n",
             e->dir);
    e->ctx = gf_ctx_new();
    ck_assert_int_eq(gf_ctx_init_defaults(e->ctx), 0);
    ck_assert_int_eq(
        gf_volfile_parse(text, strlen(text), "x.vol", &e->vf, &verr), 0);
    ck_assert_msg(
        gf_graph_new(e->ctx, e->vf, &e->graph, e->err, sizeof(e->err)) == 0,
        "%s", e->err);
    ck_assert_msg(gf_graph_init(e->graph, e->err, sizeof(e->err)) == 0, "%s",
                  e->err);
    ck_assert_int_eq(gf_graph_activate(e->graph), 0);
    e->port = dump_int(e, "port=");
    ck_assert_int_gt(e->port, 0);
}

static int
rm_one(const char *path, const struct stat *sb, int flag, struct FTW *ftw)
{
    (void)sb, (void)flag, (void)ftw;
    return remove(path);
}

/* Wait until every connection is gone (their fds released, their locks
 * dropped), then free the graph. */
static void
env_stop(env_t *e)
{
    for (int i = 0; i < 500 && dump_int(e, "clients=") != 0; i++)
        usleep(10000);
    ck_assert_int_eq(dump_int(e, "clients="), 0);
    gf_graph_free(e->graph);
    gf_volfile_free(e->vf);
    gf_ctx_free(e->ctx);
    nftw(e->dir, rm_one, 16, FTW_DEPTH | FTW_PHYS);
}

/* A FOP call as lock owner OWNER (AUTH_GLUSTERFS_v3), OBJ encoded by
 * ENC, into MSG; its length. */
static size_t
build(uint8_t *msg, uint32_t xid, uint32_t proc, const char *owner,
      xdrproc_t enc, void *obj)
{
    static uint8_t args[8192];
    uint8_t cred[400];
    auth_glusterfs_params_v3 a;
    size_t alen = 0, clen = 0;

    memset(&a, 0, sizeof(a));
    a.pid = 77;
    a.lk_owner.lk_owner_len = (u_int)strlen(owner);
    a.lk_owner.lk_owner_val = (char *)owner;
    ck_assert_int_eq(gf_xdr_encode((xdrproc_t)xdr_auth_glusterfs_params_v3, &a,
                                   cred, sizeof(cred), &clen),
                     0);
    if (enc)
        ck_assert_int_eq(gf_xdr_encode(enc, obj, args, sizeof(args), &alen), 0);
    return build_call(msg, xid, 2, GF_XDR_FOP_PROG, GF_XDR_FOP_VERS, proc,
                      GF_XDR_AUTH_GLUSTERFS_V3, cred, (uint32_t)clen, args,
                      alen);
}

/* Call and decode the reply into RSP (decoder DEC). */
static void
xcall(int fd, uint32_t proc, const char *owner, xdrproc_t enc, void *obj,
      xdrproc_t dec, void *rsp, size_t rsize)
{
    static uint8_t msg[9000], rep[MAXREC];
    size_t mlen = build(msg, proc, proc, owner, enc, obj);
    long n = expect_accepted(rep, call(fd, msg, mlen, rep), 0);

    memset(rsp, 0, rsize);
    ck_assert_int_eq(gf_xdr_decode(dec, rep + 24, (size_t)n, rsp, rsize, NULL),
                     0);
}

/* Send without waiting: the reply is read later with late_reply. */
static void
send_only(int fd, uint32_t xid, uint32_t proc, const char *owner, xdrproc_t enc,
          void *obj)
{
    static uint8_t msg[9000];

    send_record(fd, msg, build(msg, xid, proc, owner, enc, obj));
}

/* Whether a reply is waiting on FD within MS milliseconds. */
static bool
readable(int fd, int ms)
{
    struct pollfd p = {.fd = fd, .events = POLLIN};

    return poll(&p, 1, ms) == 1;
}

/* The op_ret/op_errno reply of call XID, read now: -errno or op_ret. */
static int
late_reply(int fd, uint32_t xid)
{
    static uint8_t rep[MAXREC];
    gfx_common_rsp rsp;
    long n = recv_record(fd, rep, MAXREC);

    ck_assert_int_ge(n, 24);
    ck_assert_uint_eq(get32(rep), xid);
    n = expect_accepted(rep, n, 0);
    memset(&rsp, 0, sizeof(rsp));
    ck_assert_int_eq(gf_xdr_decode((xdrproc_t)xdr_gfx_common_rsp, rep + 24,
                                   (size_t)n, &rsp, sizeof(rsp), NULL),
                     0);
    xdr_free((xdrproc_t)xdr_gfx_common_rsp, (char *)&rsp);
    return rsp.op_ret < 0 ? -rsp.op_errno : rsp.op_ret;
}

static int
common(gfx_common_rsp *rsp)
{
    int r = rsp->op_ret < 0 ? -rsp->op_errno : rsp->op_ret;

    xdr_free((xdrproc_t)xdr_gfx_common_rsp, (char *)rsp);
    return r;
}

/* A connection past SETVOLUME on "brick-locks". */
static int
client(env_t *e)
{
    static uint8_t args[4096], msg[4200], rep[MAXREC];
    gf_dict_t *d = gf_dict_new();
    gf_setvolume_req req;
    gf_setvolume_rsp rsp;
    char buf[2048];
    int fd = rc_connect(e->port);
    size_t alen = 0;
    ssize_t n;
    long len;

    gf_dict_set_str(d, "process-uuid", "check-server-locks");
    gf_dict_set_str(d, "fops-version", "1298437");
    gf_dict_set_str(d, "remote-subvolume", "brick-locks");
    n = gf_dict_old_size(d);
    ck_assert_int_eq(gf_dict_old_encode(d, buf, sizeof(buf)), 0);
    gf_dict_unref(d);
    req.dict.dict_val = buf;
    req.dict.dict_len = (u_int)n;
    ck_assert_int_eq(gf_xdr_encode((xdrproc_t)xdr_gf_setvolume_req, &req, args,
                                   sizeof(args), &alen),
                     0);
    len = call(fd, msg,
               simple_call(msg, 1, GF_XDR_HNDSK_PROG, GF_XDR_HNDSK_VERS,
                           GF_XDR_HNDSK_SETVOLUME, args, alen),
               rep);
    len = expect_accepted(rep, len, 0);
    memset(&rsp, 0, sizeof(rsp));
    ck_assert_int_eq(gf_xdr_decode((xdrproc_t)xdr_gf_setvolume_rsp, rep + 24,
                                   (size_t)len, &rsp, sizeof(rsp), NULL),
                     0);
    ck_assert_int_eq(rsp.op_ret, 0);
    xdr_free((xdrproc_t)xdr_gf_setvolume_rsp, (char *)&rsp);
    return fd;
}

static const unsigned char file_gfid[16] = {0x10, 0x20, 0x30, 0x40, 9, 9, 9, 9,
                                            1,    2,    3,    4,    5, 6, 7, 8};

static int64_t
create_file(int fd)
{
    gfx_create_req req;
    gfx_create_rsp rsp;
    int64_t rfd;

    memset(&req, 0, sizeof(req));
    req.pargfid[15] = 1;
    req.flags = 02 | 0100;
    req.mode = 0644;
    req.bname = (char *)"f";
    req.xdata = gf_dict_new();
    gf_dict_set_uuid(req.xdata, "gfid-req", file_gfid);
    xcall(fd, GF_XDR_FOP_CREATE, "", (xdrproc_t)xdr_gfx_create_req, &req,
          (xdrproc_t)xdr_gfx_create_rsp, &rsp, sizeof(rsp));
    gf_dict_unref(req.xdata);
    ck_assert_msg(rsp.op_ret == 0, "create: %d", rsp.op_errno);
    rfd = (int64_t)rsp.fd;
    xdr_free((xdrproc_t)xdr_gfx_create_rsp, (char *)&rsp);
    return rfd;
}

static int64_t
open_gfid(int fd, const unsigned char *gfid, bool dir)
{
    gfx_open_rsp rsp;
    int64_t rfd;

    if (dir) {
        gfx_opendir_req od;

        memset(&od, 0, sizeof(od));
        memcpy(od.gfid, gfid, 16);
        xcall(fd, GF_XDR_FOP_OPENDIR, "", (xdrproc_t)xdr_gfx_opendir_req, &od,
              (xdrproc_t)xdr_gfx_open_rsp, &rsp, sizeof(rsp));
    } else {
        gfx_open_req o;

        memset(&o, 0, sizeof(o));
        memcpy(o.gfid, gfid, 16);
        o.flags = 02;
        xcall(fd, GF_XDR_FOP_OPEN, "", (xdrproc_t)xdr_gfx_open_req, &o,
              (xdrproc_t)xdr_gfx_open_rsp, &rsp, sizeof(rsp));
    }
    ck_assert_msg(rsp.op_ret == 0, "open: %d", rsp.op_errno);
    rfd = (int64_t)rsp.fd;
    xdr_free((xdrproc_t)xdr_gfx_open_rsp, (char *)&rsp);
    return rfd;
}

static void
lk_req(gfx_lk_req *r, int64_t rfd, uint32_t cmd, uint32_t type, uint64_t start,
       uint64_t len)
{
    memset(r, 0, sizeof(*r));
    memcpy(r->gfid, file_gfid, 16);
    r->fd = rfd;
    r->cmd = cmd;
    r->type = type;
    r->flock.type = type;
    r->flock.start = start;
    r->flock.len = len;
    r->flock.pid = 77;
}

/* LK; -errno or 0, the reply's lock in *OUT when not NULL. */
static int
lk(int fd, const char *owner, int64_t rfd, uint32_t cmd, uint32_t type,
   uint64_t start, uint64_t len, gfx_lk_rsp *out)
{
    gfx_lk_req r;
    gfx_lk_rsp rsp;
    int ret;

    lk_req(&r, rfd, cmd, type, start, len);
    xcall(fd, GF_XDR_FOP_LK, owner, (xdrproc_t)xdr_gfx_lk_req, &r,
          (xdrproc_t)xdr_gfx_lk_rsp, &rsp, sizeof(rsp));
    ret = rsp.op_ret < 0 ? -rsp.op_errno : rsp.op_ret;
    if (out)
        *out = rsp;
    else
        xdr_free((xdrproc_t)xdr_gfx_lk_rsp, (char *)&rsp);
    return ret;
}

START_TEST(lk_between_two_connections)
{
    env_t e;
    gfx_lk_rsp got;
    gfx_lk_req w;
    int a, b;
    int64_t fa, fb;

    env_start(&e);
    a = client(&e);
    b = client(&e);
    fa = create_file(a);
    fb = open_gfid(b, file_gfid, false);
    ck_assert_int_eq(lk(a, "owner-a", fa, W_SETLK, W_WRLCK, 0, 100, NULL), 0);
    ck_assert_int_eq(lk(b, "owner-b", fb, W_SETLK, W_RDLCK, 50, 1, NULL),
                     -EAGAIN);
    /* The same owner bytes on another connection are another owner. */
    ck_assert_int_eq(lk(b, "owner-a", fb, W_SETLK, W_RDLCK, 50, 1, NULL),
                     -EAGAIN);
    ck_assert_int_eq(lk(b, "owner-b", fb, W_GETLK, W_WRLCK, 0, 0, &got), 0);
    ck_assert_uint_eq(got.flock.type, W_WRLCK);
    ck_assert_uint_eq(got.flock.start, 0);
    ck_assert_uint_eq(got.flock.len, 100);
    ck_assert_uint_eq(got.flock.pid, 77);
    ck_assert_uint_eq(got.flock.lk_owner.lk_owner_len, 7);
    ck_assert_int_eq(memcmp(got.flock.lk_owner.lk_owner_val, "owner-a", 7), 0);
    xdr_free((xdrproc_t)xdr_gfx_lk_rsp, (char *)&got);
    ck_assert_int_eq(lk(b, "owner-b", fb, W_SETLK, W_RDLCK, 100, 0, NULL), 0);
    /* SETLKW waits, holding no server thread, until A's connection
     * goes. */
    lk_req(&w, fb, W_SETLKW, W_WRLCK, 0, 10);
    send_only(b, 500, GF_XDR_FOP_LK, "owner-b", (xdrproc_t)xdr_gfx_lk_req, &w);
    ck_assert(!readable(b, 200));
    ck_assert_int_eq(lk(a, "owner-a", fa, W_GETLK, W_RDLCK, 0, 0, NULL), 0);
    close(a);
    ck_assert(readable(b, 5000));
    {
        static uint8_t rep[MAXREC];
        gfx_lk_rsp rsp;
        long n = recv_record(b, rep, MAXREC);

        ck_assert_uint_eq(get32(rep), 500);
        n = expect_accepted(rep, n, 0);
        memset(&rsp, 0, sizeof(rsp));
        ck_assert_int_eq(gf_xdr_decode((xdrproc_t)xdr_gfx_lk_rsp, rep + 24,
                                       (size_t)n, &rsp, sizeof(rsp), NULL),
                         0);
        ck_assert_int_eq(rsp.op_ret, 0);
        xdr_free((xdrproc_t)xdr_gfx_lk_rsp, (char *)&rsp);
    }
    /* Bad commands and types are refused. */
    ck_assert_int_eq(lk(b, "owner-b", fb, 9, W_RDLCK, 0, 1, NULL), -EINVAL);
    ck_assert_int_eq(lk(b, "owner-b", fb, W_SETLK, 9, 0, 1, NULL), -EINVAL);
    ck_assert_int_eq(lk(b, "owner-b", 12345, W_SETLK, W_RDLCK, 0, 1, NULL),
                     -EBADF);
    close(b);
    env_stop(&e);
}
END_TEST

static int
inodelk(int fd, const char *owner, const char *dom, uint32_t cmd, uint32_t type)
{
    gfx_inodelk_req r;
    gfx_common_rsp rsp;

    memset(&r, 0, sizeof(r));
    r.gfid[15] = 1; /* the root: always resolved */
    r.cmd = cmd;
    r.type = type;
    r.flock.type = type;
    r.volume = (char *)dom;
    xcall(fd, GF_XDR_FOP_INODELK, owner, (xdrproc_t)xdr_gfx_inodelk_req, &r,
          (xdrproc_t)xdr_gfx_common_rsp, &rsp, sizeof(rsp));
    return common(&rsp);
}

static void
entrylk_req(gfx_entrylk_req *r, const char *name, uint32_t cmd, uint32_t type)
{
    memset(r, 0, sizeof(*r));
    r->gfid[15] = 1;
    r->cmd = cmd;
    r->type = type;
    r->namelen = name ? strlen(name) : 0;
    r->name = (char *)(name ? name : "");
    r->volume = (char *)"dom";
}

static int
entrylk(int fd, const char *owner, const char *name, uint32_t cmd,
        uint32_t type)
{
    gfx_entrylk_req r;
    gfx_common_rsp rsp;

    entrylk_req(&r, name, cmd, type);
    xcall(fd, GF_XDR_FOP_ENTRYLK, owner, (xdrproc_t)xdr_gfx_entrylk_req, &r,
          (xdrproc_t)xdr_gfx_common_rsp, &rsp, sizeof(rsp));
    return common(&rsp);
}

START_TEST(inodelk_and_entrylk_between_two_connections)
{
    static const unsigned char root[16] = {[15] = 1};
    static uint8_t rep[MAXREC];
    env_t e;
    gfx_entrylk_req er;
    gfx_fentrylk_req fr;
    gfx_finodelk_req fi;
    gfx_common_rsp rsp;
    int a, b;
    int64_t dir;

    env_start(&e);
    a = client(&e);
    b = client(&e);
    ck_assert_int_eq(inodelk(a, "o", "vol-replicate-0", W_SETLK, W_WRLCK), 0);
    ck_assert_int_eq(inodelk(b, "o", "vol-replicate-0", W_SETLK, W_RDLCK),
                     -EAGAIN);
    ck_assert_int_eq(inodelk(b, "o", "vol-dht", W_SETLK, W_WRLCK), 0);
    /* FINODELK on the root through a directory fd: the same lock. */
    dir = open_gfid(b, root, true);
    memset(&fi, 0, sizeof(fi));
    fi.gfid[15] = 1;
    fi.fd = dir;
    fi.cmd = W_SETLK;
    fi.type = W_WRLCK;
    fi.flock.type = W_WRLCK;
    fi.volume = (char *)"vol-replicate-0";
    xcall(b, GF_XDR_FOP_FINODELK, "o", (xdrproc_t)xdr_gfx_finodelk_req, &fi,
          (xdrproc_t)xdr_gfx_common_rsp, &rsp, sizeof(rsp));
    ck_assert_int_eq(common(&rsp), -EAGAIN);
    ck_assert_int_eq(inodelk(a, "o", "vol-replicate-0", W_SETLK, W_UNLCK), 0);
    ck_assert_int_eq(inodelk(a, "o", "vol-replicate-0", W_SETLK, W_UNLCK),
                     -EINVAL);

    ck_assert_int_eq(entrylk(a, "o", "x", E_LOCK_NB, E_WRLCK), 0);
    ck_assert_int_eq(entrylk(b, "o", "y", E_LOCK_NB, E_WRLCK), 0);
    ck_assert_int_eq(entrylk(b, "o", NULL, E_LOCK_NB, E_RDLCK), -EAGAIN);
    /* B waits for "x"; A's UNLOCK lets it in. */
    entrylk_req(&er, "x", E_LOCK, E_RDLCK);
    send_only(b, 600, GF_XDR_FOP_ENTRYLK, "o", (xdrproc_t)xdr_gfx_entrylk_req,
              &er);
    ck_assert(!readable(b, 200));
    ck_assert_int_eq(entrylk(a, "o", "x", E_UNLOCK, E_WRLCK), 0);
    ck_assert(readable(b, 5000));
    ck_assert_int_eq(late_reply(b, 600), 0);
    /* FENTRYLK through the directory fd. */
    memset(&fr, 0, sizeof(fr));
    fr.gfid[15] = 1;
    fr.fd = dir;
    fr.cmd = E_LOCK_NB;
    fr.type = E_WRLCK;
    fr.namelen = 1;
    fr.name = (char *)"z";
    fr.volume = (char *)"dom";
    xcall(b, GF_XDR_FOP_FENTRYLK, "o", (xdrproc_t)xdr_gfx_fentrylk_req, &fr,
          (xdrproc_t)xdr_gfx_common_rsp, &rsp, sizeof(rsp));
    ck_assert_int_eq(common(&rsp), 0);
    ck_assert_int_eq(entrylk(a, "o", "z", E_LOCK_NB, E_RDLCK), -EAGAIN);
    ck_assert_int_eq(entrylk(a, "o", "a/b", E_LOCK_NB, E_RDLCK), -EINVAL);
    /* B goes: everything it held is free. */
    close(b);
    for (int i = 0; i < 500 && dump_int(&e, "clients=") != 1; i++)
        usleep(10000);
    ck_assert_int_eq(entrylk(a, "o", NULL, E_LOCK_NB, E_WRLCK), 0);
    ck_assert_int_eq(inodelk(a, "o", "vol-dht", W_SETLK, W_WRLCK), 0);
    /* Arguments that do not decode. */
    for (uint32_t p = GF_XDR_FOP_INODELK; p <= GF_XDR_FOP_FENTRYLK; p++) {
        uint8_t msg[512];

        expect_accepted(
            rep, call(a, msg, build(msg, 70 + p, p, "o", NULL, NULL), rep),
            GF_RPC_GARBAGE_ARGS);
    }
    close(a);
    env_stop(&e);
}
END_TEST

int
main(void)
{
    Suite *s = suite_create("server-locks");
    TCase *tc = tcase_create("core");

    tcase_set_timeout(tc, 60);
    tcase_add_test(tc, lk_between_two_connections);
    tcase_add_test(tc, inodelk_and_entrylk_between_two_connections);
    suite_add_tcase(s, tc);
    return gf_test_run(s);
}
