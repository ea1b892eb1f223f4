/* SPDX-License-Identifier: LGPL-3.0-or-later */
/*
 * rpc-tirpc-server - the reference point "what a stock ONC RPC stack
 * does": libtirpc's svctcp_create (svc_vc_create for a unix socket),
 * svc_register without the portmapper and svc_run. It serves GF-DUMP
 * (123451501 v1) and the echo test program (0x20000099 v1): procedure 0
 * is NULL, procedure 1 echoes its opaque<> argument. The argument is
 * decoded into one static buffer, so the server itself allocates nothing
 * per call; what remains is libtirpc's own cost. libtirpc sends records in
 * fragments of its default 64 KiB buffer, so large echoes come back as
 * multi-fragment replies.
 */
#include <getopt.h>
#include <signal.h>
#include <stdarg.h>
#include <stdio.h>
#include <rpc/rpc.h>
#include <rpc/svc_soc.h>

#include "rpc-wire.h"

enum { ECHO_MAX = RPCW_MAX_RECORD - 64 };

struct echo_arg {
    char *data;
    u_int len;
};

static char *echo_buf;

/*
 * XDR routines have libtirpc's exact xdrproc_t type, (XDR *, ...), so no
 * function pointer cast is needed; libtirpc passes the object pointer as
 * the one variadic argument.
 */
static bool_t
xdr_echo(XDR *xdrs, ...)
{
    struct echo_arg *a;
    va_list ap;

    va_start(ap, xdrs);
    a = va_arg(ap, struct echo_arg *);
    va_end(ap);
    return xdr_bytes(xdrs, &a->data, &a->len, ECHO_MAX);
}

static bool_t
xdr_nothing(XDR *xdrs, ...)
{
    (void)xdrs;
    return TRUE;
}

static void
dispatch(struct svc_req *rq, SVCXPRT *xprt)
{
    struct echo_arg a = {.data = echo_buf, .len = 0};

    switch (rq->rq_proc) {
    case RPCW_PROC_NULL:
        svc_sendreply(xprt, xdr_nothing, NULL);
        return;
    case RPCW_PROC_ECHO:
        /* a.data is preset, so xdr_bytes decodes into it, no malloc. */
        if (!svc_getargs(xprt, xdr_echo, &a)) {
            svcerr_decode(xprt);
            return;
        }
        svc_sendreply(xprt, xdr_echo, &a);
        return;
    default:
        svcerr_noproc(xprt);
    }
}

static void
usage(void)
{
    fprintf(stderr,
            "usage: rpc-tirpc-server [--host IPV4] "
            "[--port N | --unix PATH]\n"
            "Serves NULL and echo (proc 1) of programs %u v1 and "
            "%#x v1 with libtirpc.\n",
            (unsigned)RPCW_PROG_GF_DUMP, (unsigned)RPCW_PROG_ECHO);
}

int
main(int argc, char **argv)
{
    static const struct option lo[] = {{"host", 1, 0, 'h'},
                                       {"port", 1, 0, 'p'},
                                       {"unix", 1, 0, 'u'},
                                       {0, 0, 0, 0}};
    const char *host = "127.0.0.1", *unix_path = NULL;
    uint64_t port = 0;
    SVCXPRT *xprt;
    int c, fd;

    while ((c = getopt_long(argc, argv, "", lo, NULL)) != -1) {
        if (c == 'h') {
            host = optarg;
        } else if (c == 'u') {
            unix_path = optarg;
        } else if (c != 'p' || rpcw_parse_u64(optarg, 0, 65535, &port)) {
            usage();
            return 2;
        }
    }
    signal(SIGPIPE, SIG_IGN);
    echo_buf = malloc(ECHO_MAX);
    if (!echo_buf)
        return 1;
    fd = rpcw_listen(host, (unsigned)port, unix_path);
    if (fd < 0)
        return 1;
    xprt = unix_path ? svc_vc_create(fd, 0, 0) : svctcp_create(fd, 0, 0);
    if (!xprt || !svc_register(xprt, RPCW_PROG_GF_DUMP, 1, dispatch, 0) ||
        !svc_register(xprt, RPCW_PROG_ECHO, 1, dispatch, 0)) {
        fprintf(stderr, "rpc-tirpc-server: cannot create the service\n");
        return 1;
    }
    svc_run(); /* returns only on a poll error; stopped by a signal */
    return 1;
}
