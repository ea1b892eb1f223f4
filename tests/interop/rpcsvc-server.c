/* SPDX-License-Identifier: LGPL-3.0-or-later */
/*
 * rpcsvc-server.c - a small server on gfsd's rpcsvc for interop tests and
 * the RPC benchmark: GF-DUMP (123451501 v1) plus the echo test program
 * 0x20000099 v1, whose procedure 1 answers its opaque<> argument
 * unchanged (tests/bench/rpc uses the same convention).
 *
 *   rpcsvc-server [--port N] [--host ADDR] [--unix PATH] [--threads N]
 *                 [--rpcbind] [--limit N]
 *
 * Prints "port=N" (0 for a unix socket) on stdout once it listens, then
 * serves until SIGTERM or SIGINT and exits 0 after a clean shutdown.
 */
#include <errno.h>
#include <pthread.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <gf/rpcsvc.h>

enum {
    ECHO_PROG = 0x20000099,
    ECHO_VERS = 1,
    ECHO_PROC = 1,
};

/* Echo the argument bytes (an XDR opaque<>: length, bytes, padding) as
 * the results, straight out of the request's record buffer. */
static int
echo_actor(gf_rpcsvc_req_t *req, void *data)
{
    gf_iobref_t *ref = gf_iobref_new();
    struct iovec iov;
    const void *base;
    size_t len;
    uint32_t olen;

    gf_rpcsvc_req_args(req, &base, &len);
    if (len < 4)
        goto garbage;
    memcpy(&olen, base, 4);
    olen = __builtin_bswap32(olen);
    if ((size_t)olen + ((4 - (olen & 3)) & 3) != len - 4)
        goto garbage;
    if (!ref || gf_iobref_add(ref, gf_rpcsvc_req_iobuf(req)) < 0) {
        gf_iobref_unref(ref);
        return -ENOMEM;
    }
    iov.iov_base = (void *)(uintptr_t)base;
    iov.iov_len = len;
    gf_rpcsvc_reply(req, &iov, 1, ref);
    gf_iobref_unref(ref);
    return 0;
garbage:
    gf_iobref_unref(ref);
    return -EBADMSG;
}

static const gf_rpcsvc_actor_t echo_actors[] = {
    {"ECHO", ECHO_PROC, echo_actor},
};

static const gf_rpcsvc_program_t echo_prog = {
    .name = "echo test program",
    .prognum = ECHO_PROG,
    .progver = ECHO_VERS,
    .actors = echo_actors,
    .nactors = 1,
};

static int
usage(void)
{
    fprintf(stderr, "usage: rpcsvc-server [--port N] [--host ADDR] "
                    "[--unix PATH] [--threads N] [--rpcbind] [--limit N]\n");
    return 2;
}

int
main(int argc, char **argv)
{
    const char *host = "127.0.0.1", *unix_path = NULL;
    unsigned threads = 2, port = 0;
    gf_rpcsvc_opts_t o;
    gf_event_pool_t *ev;
    gf_iobuf_pool_t *iop;
    gf_rpcsvc_t *svc;
    char addr[300];
    sigset_t set;
    int ret, sig;

    gf_rpcsvc_opts_init(&o);
    for (int i = 1; i < argc; i++) {
        if (!strcmp(argv[i], "--rpcbind"))
            o.rpcbind = true;
        else if (i + 1 >= argc)
            return usage();
        else if (!strcmp(argv[i], "--port"))
            port = (unsigned)strtoul(argv[++i], NULL, 10);
        else if (!strcmp(argv[i], "--host"))
            host = argv[++i];
        else if (!strcmp(argv[i], "--unix"))
            unix_path = argv[++i];
        else if (!strcmp(argv[i], "--threads"))
            threads = (unsigned)strtoul(argv[++i], NULL, 10);
        else if (!strcmp(argv[i], "--limit"))
            o.outstanding_limit = (unsigned)strtoul(argv[++i], NULL, 10);
        else
            return usage();
    }
    /* Signals are taken by sigwait below, not by the event threads. */
    sigemptyset(&set);
    sigaddset(&set, SIGTERM);
    sigaddset(&set, SIGINT);
    pthread_sigmask(SIG_BLOCK, &set, NULL);
    signal(SIGPIPE, SIG_IGN);

    ev = gf_event_pool_new(threads);
    iop = gf_iobuf_pool_new();
    if (!ev || !iop || gf_event_pool_start(ev) < 0) {
        fprintf(stderr, "rpcsvc-server: cannot start the event pool\n");
        return 1;
    }
    svc = gf_rpcsvc_new(ev, iop, &o);
    if (!svc || gf_rpcsvc_register(svc, &echo_prog) < 0) {
        fprintf(stderr, "rpcsvc-server: cannot create the service\n");
        return 1;
    }
    if (unix_path)
        snprintf(addr, sizeof(addr), "unix:%s", unix_path);
    else if (strchr(host, ':'))
        snprintf(addr, sizeof(addr), "[%s]:%u", host, port);
    else
        snprintf(addr, sizeof(addr), "%s:%u", host, port);
    ret = gf_rpcsvc_listen(svc, addr);
    if (ret < 0) {
        fprintf(stderr, "rpcsvc-server: listen %s: %s\n", addr, strerror(-ret));
        return 1;
    }
    printf("port=%d\n", ret);
    fflush(stdout);

    while (sigwait(&set, &sig) != 0)
        ;
    gf_rpcsvc_free(svc);
    gf_event_pool_free(ev);
    gf_iobuf_pool_free(iop);
    return 0;
}
