/* SPDX-License-Identifier: LGPL-3.0-or-later */
/*
 * rpcsvc-client.h - a raw-socket ONC RPC client for check-rpcsvc: record
 * marking, call building and reply checks, each asserting with Check.
 */
#ifndef GF_RPCSVC_CLIENT_H
#define GF_RPCSVC_CLIENT_H

#include <arpa/inet.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <stdbool.h>
#include <stdint.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/time.h>
#include <unistd.h>

#include <check.h>

/* Largest reply a test reads. */
enum { MAXREC = 70000 };

static inline uint8_t *
put32(uint8_t *p, uint32_t v)
{
    v = htonl(v);
    memcpy(p, &v, 4);
    return p + 4;
}

static inline uint32_t
get32(const uint8_t *p)
{
    uint32_t v;

    memcpy(&v, p, 4);
    return ntohl(v);
}

/* A blocking loopback connection to PORT with a 5 s receive timeout. */
static inline int
rc_connect(int port)
{
    struct sockaddr_in sa = {.sin_family = AF_INET};
    struct timeval tv = {5, 0};
    int fd = socket(AF_INET, SOCK_STREAM, 0), one = 1;

    ck_assert_int_ge(fd, 0);
    sa.sin_port = htons((uint16_t)port);
    sa.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    ck_assert_int_eq(connect(fd, (struct sockaddr *)&sa, sizeof(sa)), 0);
    setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof(tv));
    setsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof(one));
    return fd;
}

static inline void
write_all(int fd, const void *buf, size_t len)
{
    const char *p = buf;

    while (len) {
        ssize_t n = write(fd, p, len);

        ck_assert_int_gt(n, 0);
        p += n;
        len -= (size_t)n;
    }
}

static inline void
send_record(int fd, const void *body, size_t len)
{
    uint8_t mark[4];

    put32(mark, 0x80000000u | (uint32_t)len);
    write_all(fd, mark, 4);
    write_all(fd, body, len);
}

/* Read exactly LEN bytes; false on EOF or error. */
static inline bool
read_all(int fd, void *buf, size_t len)
{
    char *p = buf;

    while (len) {
        ssize_t n = read(fd, p, len);

        if (n <= 0)
            return false;
        p += n;
        len -= (size_t)n;
    }
    return true;
}

/* One whole record into BUF; its length, or -1 on EOF/timeout. */
static inline long
recv_record(int fd, uint8_t *buf, size_t cap)
{
    size_t len = 0;
    uint8_t mark[4];
    uint32_t m;

    do {
        if (!read_all(fd, mark, 4))
            return -1;
        m = get32(mark);
        ck_assert_uint_le(len + (m & 0x7fffffffu), cap);
        if (!read_all(fd, buf + len, m & 0x7fffffffu))
            return -1;
        len += m & 0x7fffffffu;
    } while (!(m & 0x80000000u));
    return (long)len;
}

/* True if FD reaches EOF (the server closed it) within 5 s. */
static inline bool
closed_by_server(int fd)
{
    uint8_t b[256];
    ssize_t n;

    while ((n = read(fd, b, sizeof(b))) > 0)
        ;
    return n == 0;
}

/* A call with credential CRED (FLAVOR, CLEN bytes) and ARGS. */
static inline size_t
build_call(uint8_t *buf, uint32_t xid, uint32_t rpcvers, uint32_t prog,
           uint32_t vers, uint32_t proc, uint32_t flavor, const void *cred,
           uint32_t clen, const void *args, size_t alen)
{
    uint8_t *w = buf;

    w = put32(w, xid);
    w = put32(w, 0);
    w = put32(w, rpcvers);
    w = put32(w, prog);
    w = put32(w, vers);
    w = put32(w, proc);
    w = put32(w, flavor);
    w = put32(w, clen);
    memset(w, 0, (clen + 3) & ~3u);
    if (clen)
        memcpy(w, cred, clen);
    w += (clen + 3) & ~3u;
    w = put32(w, 0);
    w = put32(w, 0);
    if (alen)
        memcpy(w, args, alen);
    return (size_t)(w - buf) + alen;
}

static inline size_t
simple_call(uint8_t *buf, uint32_t xid, uint32_t prog, uint32_t vers,
            uint32_t proc, const void *args, size_t alen)
{
    return build_call(buf, xid, 2, prog, vers, proc, 0, NULL, 0, args, alen);
}

/* Send a call and read its reply; checks xid and REPLY. */
static inline long
call(int fd, const uint8_t *msg, size_t len, uint8_t *rep)
{
    long n;

    send_record(fd, msg, len);
    n = recv_record(fd, rep, MAXREC);
    ck_assert_int_ge(n, 12);
    ck_assert_uint_eq(get32(rep), get32(msg));
    ck_assert_uint_eq(get32(rep + 4), 1);
    return n;
}

/* Check an accepted reply with STAT; returns the results' length. */
static inline long
expect_accepted(const uint8_t *rep, long n, uint32_t stat)
{
    ck_assert_int_ge(n, 24);
    ck_assert_uint_eq(get32(rep + 8), 0);  /* MSG_ACCEPTED */
    ck_assert_uint_eq(get32(rep + 12), 0); /* verf AUTH_NULL */
    ck_assert_uint_eq(get32(rep + 16), 0);
    ck_assert_uint_eq(get32(rep + 20), stat);
    return n - 24;
}

/* A denied call: MSG_DENIED, AUTH_ERROR, STAT. */
static inline void
expect_auth_error(const uint8_t *rep, long n, uint32_t stat)
{
    ck_assert_int_eq(n, 20);
    ck_assert_uint_eq(get32(rep + 8), 1);
    ck_assert_uint_eq(get32(rep + 12), 1);
    ck_assert_uint_eq(get32(rep + 16), stat);
}

#endif /* GF_RPCSVC_CLIENT_H */
