/* SPDX-License-Identifier: LGPL-3.0-or-later */
/*
 * tirpc-client.c - proof that a stock ONC RPC client understands gfsd's
 * rpcsvc: libtirpc's own clnttcp_create/clnt_call (AUTH_NONE), pointed at
 * the server's port with no portmapper, calls NULL on every program DUMP
 * lists, DUMP itself, PING, the echo program, and three calls the server
 * must refuse, which libtirpc must map to its own error codes.
 *
 *   tirpc-client PORT      (TAP on stdout; exit status 0 when all pass)
 *
 * Replies are decoded with libtirpc's XDR primitives, independently of
 * gfsd's own encoders.
 */
#include <arpa/inet.h>
#include <netinet/in.h>
#include <rpc/rpc.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

enum {
    DUMP_PROG = 123451501,
    DUMP_VERS = 1,
    DUMP_DUMP = 1,
    DUMP_PING = 2,
    ECHO_PROG = 0x20000099,
    ECHO_VERS = 1,
    ECHO_PROC = 1,
    MAX_PROGS = 32,
};

struct prog {
    char name[256];
    uint64_t num, vers;
};

struct dump_rsp {
    uint64_t gfs_id;
    int op_ret, op_errno;
    unsigned n;
    struct prog progs[MAX_PROGS];
};

struct common_rsp {
    int op_ret, op_errno;
    char *xdata;
    u_int xdata_len;
};

static int ntest, nfail;

static void
check(int ok, const char *what)
{
    ntest++;
    if (!ok)
        nfail++;
    printf("%s %d - %s\n", ok ? "ok" : "not ok", ntest, what);
}

/* No arguments or results (libtirpc's xdr_void is declared without
 * parameters, which -Wcast-function-type rejects). */
static bool_t
xdr_none(XDR *x, void *arg)
{
    (void)x;
    (void)arg;
    return TRUE;
}

static bool_t
xdr_dump_req(XDR *x, void *arg)
{
    return xdr_u_quad_t(x, arg);
}

/* gf_dump_rsp: u_quad gfs_id, int op_ret, int op_errno, then the
 * optional-data chain of gf_prog_detail {string, u_quad, u_quad}. */
static bool_t
xdr_dump_rsp(XDR *x, void *arg)
{
    struct dump_rsp *r = arg;
    bool_t more;

    if (!xdr_u_quad_t(x, &r->gfs_id) || !xdr_int(x, &r->op_ret) ||
        !xdr_int(x, &r->op_errno))
        return FALSE;
    for (r->n = 0;; r->n++) {
        struct prog *p = &r->progs[r->n];
        char *name = p->name;

        if (!xdr_bool(x, &more))
            return FALSE;
        if (!more)
            return TRUE;
        if (r->n == MAX_PROGS || !xdr_string(x, &name, sizeof(p->name) - 1) ||
            !xdr_u_quad_t(x, &p->num) || !xdr_u_quad_t(x, &p->vers))
            return FALSE;
    }
}

static bool_t
xdr_common_rsp(XDR *x, void *arg)
{
    struct common_rsp *r = arg;

    return xdr_int(x, &r->op_ret) && xdr_int(x, &r->op_errno) &&
           xdr_bytes(x, &r->xdata, &r->xdata_len, 1024);
}

struct blob {
    char *buf;
    u_int len;
};

static bool_t
xdr_blob(XDR *x, void *arg)
{
    struct blob *b = arg;

    return xdr_bytes(x, &b->buf, &b->len, 1u << 20);
}

static CLIENT *
client(int port, u_long prog, u_long vers)
{
    struct sockaddr_in sa = {.sin_family = AF_INET};
    int sock = RPC_ANYSOCK;
    CLIENT *c;

    sa.sin_port = htons((uint16_t)port); /* non-zero: no portmapper */
    sa.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    c = clnttcp_create(&sa, prog, vers, &sock, 0, 0);
    if (!c)
        clnt_pcreateerror("clnttcp_create");
    return c;
}

static enum clnt_stat
call_null(int port, u_long prog, u_long vers)
{
    struct timeval tmo = {10, 0};
    CLIENT *c = client(port, prog, vers);
    enum clnt_stat st;

    if (!c)
        return RPC_FAILED;
    st = clnt_call(c, 0, (xdrproc_t)xdr_none, NULL, (xdrproc_t)xdr_none, NULL,
                   tmo);
    clnt_destroy(c);
    return st;
}

static void
test_dump_ping(CLIENT *c, int port)
{
    struct timeval tmo = {10, 0};
    struct dump_rsp *d = calloc(1, sizeof(*d));
    struct common_rsp pr = {0};
    uint64_t gfs_id = 0xcaed;
    int have_dump = 0, have_echo = 0;
    char what[400];

    check(clnt_call(c, DUMP_DUMP, (xdrproc_t)xdr_dump_req, (void *)&gfs_id,
                    (xdrproc_t)xdr_dump_rsp, (void *)d, tmo) == RPC_SUCCESS &&
              d->op_ret == 0 && d->op_errno == 0,
          "DUMP succeeds and decodes with libtirpc's XDR");
    for (unsigned i = 0; i < d->n; i++) {
        have_dump |= !strcmp(d->progs[i].name, "GF-DUMP") &&
                     d->progs[i].num == DUMP_PROG && d->progs[i].vers == 1;
        have_echo |=
            d->progs[i].num == ECHO_PROG && d->progs[i].vers == ECHO_VERS;
    }
    check(have_dump && have_echo, "DUMP lists GF-DUMP v1 and the echo program");
    for (unsigned i = 0; i < d->n; i++) {
        snprintf(what, sizeof(what), "NULL on '%s' (%llu v%llu)",
                 d->progs[i].name, (unsigned long long)d->progs[i].num,
                 (unsigned long long)d->progs[i].vers);
        check(call_null(port, (u_long)d->progs[i].num,
                        (u_long)d->progs[i].vers) == RPC_SUCCESS,
              what);
    }
    check(clnt_call(c, DUMP_PING, (xdrproc_t)xdr_none, NULL,
                    (xdrproc_t)xdr_common_rsp, (void *)&pr,
                    tmo) == RPC_SUCCESS &&
              pr.op_ret == 0 && pr.op_errno == 0 && pr.xdata_len == 0,
          "PING answers gf_common_rsp {0, 0, empty}");
    xdr_free((xdrproc_t)xdr_common_rsp, (char *)&pr);
    free(d);
}

static void
test_echo_and_errors(int port)
{
    struct timeval tmo = {10, 0};
    struct blob in = {0}, out = {0};
    CLIENT *c = client(port, ECHO_PROG, ECHO_VERS);
    struct rpc_err err;

    in.len = 1001;
    in.buf = malloc(in.len);
    for (u_int i = 0; i < in.len; i++)
        in.buf[i] = (char)(i * 13);
    check(c &&
              clnt_call(c, ECHO_PROC, (xdrproc_t)xdr_blob, (void *)&in,
                        (xdrproc_t)xdr_blob, (void *)&out,
                        tmo) == RPC_SUCCESS &&
              out.len == in.len && !memcmp(out.buf, in.buf, in.len),
          "echo of a 1001-byte opaque");
    xdr_free((xdrproc_t)xdr_blob, (char *)&out);
    check(c && clnt_call(c, 77, (xdrproc_t)xdr_none, NULL, (xdrproc_t)xdr_none,
                         NULL, tmo) == RPC_PROCUNAVAIL,
          "an unknown procedure is RPC_PROCUNAVAIL");
    if (c)
        clnt_destroy(c);
    check(call_null(port, 999999, 1) == RPC_PROGUNAVAIL,
          "an unknown program is RPC_PROGUNAVAIL");
    c = client(port, ECHO_PROG, 9);
    check(c && clnt_call(c, 0, (xdrproc_t)xdr_none, NULL, (xdrproc_t)xdr_none,
                         NULL, tmo) == RPC_PROGVERSMISMATCH,
          "an unknown version is RPC_PROGVERSMISMATCH");
    if (c) {
        clnt_geterr(c, &err);
        check(err.re_vers.low == ECHO_VERS && err.re_vers.high == ECHO_VERS,
              "... with the registered versions as low/high");
        clnt_destroy(c);
    }
    free(in.buf);
}

int
main(int argc, char **argv)
{
    int port = argc > 1 ? atoi(argv[1]) : 0;
    CLIENT *c;

    if (port <= 0 || port > 65535) {
        printf("1..0 # SKIP usage: tirpc-client PORT\n");
        return 2;
    }
    c = client(port, DUMP_PROG, DUMP_VERS);
    check(c != NULL, "clnttcp_create to the rpcsvc port, no portmapper");
    if (!c) {
        printf("1..%d\n", ntest);
        return 1;
    }
    check(call_null(port, DUMP_PROG, DUMP_VERS) == RPC_SUCCESS,
          "NULL on GF-DUMP");
    test_dump_ping(c, port);
    clnt_destroy(c);
    test_echo_and_errors(port);
    printf("1..%d\n", ntest);
    return nfail ? 1 : 0;
}
