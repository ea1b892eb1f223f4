/* SPDX-License-Identifier: LGPL-3.0-or-later */
/*
 * rpc-wire.h - the few ONC RPC v2 (RFC 5531) wire facts shared by the
 * benchmark tools in this directory: record marking, message header
 * constants, big-endian word access that tolerates unaligned buffers, and
 * small option and clock helpers. Kept free of any gfsd or libtirpc header
 * so the tools measure servers, not our own library.
 */
#ifndef GF_RPC_WIRE_H
#define GF_RPC_WIRE_H

#include <arpa/inet.h>
#include <errno.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <time.h>
#include <unistd.h>

/* Record mark: last-fragment bit (outside the range of an enum). */
static const uint32_t RPCW_LAST_FRAG = 0x80000000u;

enum {
    RPCW_FRAG_MASK = 0x7fffffff, /* record mark: fragment length */
    RPCW_CALL = 0,
    RPCW_REPLY = 1,
    RPCW_VERS = 2,
    RPCW_MSG_ACCEPTED = 0,
    RPCW_MSG_DENIED = 1,
    RPCW_SUCCESS = 0,
    RPCW_PROC_UNAVAIL = 3,
    RPCW_GARBAGE_ARGS = 4,
    RPCW_RPC_MISMATCH = 0,
    RPCW_AUTH_ERROR = 1,
    RPCW_AUTH_BADCRED = 1,
    RPCW_MAX_AUTH = 400, /* RFC 5531: opaque_auth body <= 400 bytes */
    RPCW_PROC_NULL = 0,
    RPCW_PROC_ECHO = 1, /* our convention: echo an opaque<> argument */
    /* Program numbers used by rpc-bench.sh (documented in README.md). */
    RPCW_PROG_GF_DUMP = 123451501,
    RPCW_PROG_ECHO = 0x20000099,
    /* Upper bound on one record; the tools refuse anything larger. */
    RPCW_MAX_RECORD = 64 << 20,
};

static inline uint32_t
rpcw_get32(const void *p)
{
    uint32_t v;

    memcpy(&v, p, sizeof(v));
    return __builtin_bswap32(v);
}

static inline void
rpcw_put32(void *p, uint32_t v)
{
    v = __builtin_bswap32(v);
    memcpy(p, &v, sizeof(v));
}

/* Bytes of XDR padding after an opaque of length len. */
static inline size_t
rpcw_pad(size_t len)
{
    return (4 - (len & 3)) & 3;
}

static inline uint64_t
rpcw_now_ns(void)
{
    struct timespec ts;

    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (uint64_t)ts.tv_sec * 1000000000u + (uint64_t)ts.tv_nsec;
}

/* Parse an unsigned number (decimal, 0x hex or 0 octal) in [min, max]. */
static inline int
rpcw_parse_u64(const char *s, uint64_t min, uint64_t max, uint64_t *out)
{
    char *end;
    unsigned long long v;

    if (!s || !*s || *s == '-')
        return -EINVAL;
    errno = 0;
    v = strtoull(s, &end, 0);
    if (errno || *end || v < min || v > max)
        return -EINVAL;
    *out = v;
    return 0;
}

/*
 * A listening stream socket for the reference servers: on unix_path if it
 * is set (a stale socket there is replaced), else on IPv4 host:port, where
 * port 0 lets the kernel choose. Prints "port=N" (or "unix=PATH") on
 * stdout and flushes, which is how rpc-bench.sh learns that the server is
 * ready. Returns the fd, or -1 with a message on stderr.
 */
static inline int
rpcw_listen(const char *host, unsigned port, const char *unix_path)
{
    struct sockaddr_in sin = {.sin_family = AF_INET, .sin_port = htons(port)};
    struct sockaddr_un sun = {.sun_family = AF_UNIX};
    socklen_t slen = sizeof(sin);
    struct stat st;
    int fd, one = 1;

    if (unix_path) {
        if (strlen(unix_path) >= sizeof(sun.sun_path)) {
            fprintf(stderr, "unix socket path too long\n");
            return -1;
        }
        strcpy(sun.sun_path, unix_path);
        if (lstat(unix_path, &st) == 0 && S_ISSOCK(st.st_mode))
            unlink(unix_path);
        fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
        if (fd < 0 || bind(fd, (struct sockaddr *)&sun, sizeof(sun)) ||
            listen(fd, 1024))
            goto fail;
        printf("unix=%s\n", unix_path);
        fflush(stdout);
        return fd;
    }
    if (inet_pton(AF_INET, host, &sin.sin_addr) != 1) {
        fprintf(stderr, "bad IPv4 address '%s'\n", host);
        return -1;
    }
    fd = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
    if (fd < 0 || setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof(one)) ||
        bind(fd, (struct sockaddr *)&sin, sizeof(sin)) || listen(fd, 1024) ||
        getsockname(fd, (struct sockaddr *)&sin, &slen))
        goto fail;
    printf("port=%u\n", ntohs(sin.sin_port));
    fflush(stdout);
    return fd;
fail:
    perror("listen");
    if (fd >= 0)
        close(fd);
    return -1;
}

#endif /* GF_RPC_WIRE_H */
