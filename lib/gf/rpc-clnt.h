/* SPDX-License-Identifier: LGPL-3.0-or-later */
/*
 * gf/rpc-clnt.h - the ONC RPC v2 client (RFC 5531, the GlusterFS way).
 *
 * A client owns one connection to one address (see gf/rpc-transport.h for
 * the address forms) and keeps it up: it reconnects after a failure with
 * an exponential back-off, and pings the server (GF-DUMP PING) to notice a
 * peer that stopped answering. Calls may be made from any thread. Each call
 * gets an xid, its header is encoded into a small pooled buffer (the
 * caller's argument iovecs are sent as they are, never copied), and it is
 * kept in an xid map until its reply, its timeout or the end of the
 * connection completes it, exactly once.
 *
 * Where callbacks run: replies on the connection's event thread, timeouts
 * on the timer wheel's thread, connection loss on the event thread or on
 * the thread calling gf_rpc_clnt_disconnect / gf_rpc_clnt_free. No client
 * lock is held while a callback runs, so callbacks may call any function
 * here (including gf_rpc_clnt_free). Callbacks must not block: they run on
 * event or timer threads.
 *
 * Choices (documented here because callers depend on them):
 *  - A call made while the client is not connected fails at once with
 *    -ENOTCONN (no queueing): the caller (protocol/client) decides whether
 *    to wait for CONNECTED and retry.
 *  - Reconnect back-off starts at reconnect_min_ms (100 ms) and doubles up
 *    to reconnect_max_ms (3 s). A connection that stayed up at least
 *    reconnect_max_ms resets it, so a lost server is retried quickly but
 *    one that accepts and drops at once is retried only every 3 s. Setting
 *    both to 3000 gives GlusterFS's fixed 3 s retry.
 *  - The notify callback reports transitions only: CONNECTED when a
 *    connection is established, DISCONNECTED when an established one ends.
 *    Failed connect attempts are not reported (see gf_rpc_clnt_stats).
 */
#ifndef GF_RPC_CLNT_H
#define GF_RPC_CLNT_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/uio.h>

#include <gf/common.h>
#include <gf/event.h>
#include <gf/fop.h>
#include <gf/iobuf.h>
#include <gf/rpc-transport.h>
#include <gf/timer.h>

#ifdef __cplusplus
extern "C" {
#endif

typedef struct gf_rpc_clnt gf_rpc_clnt_t;

/* Credential flavors the client can send (RFC 5531 and GlusterFS). */
enum gf_rpc_clnt_flavor {
    GF_RPC_CLNT_AUTH_NULL = 0,
    GF_RPC_CLNT_AUTH_GLUSTERFS_V2 = 390039,
    GF_RPC_CLNT_AUTH_GLUSTERFS_V3 = 390040,
};

/* GF-DUMP, the program the client pings (procedure 2). */
enum gf_rpc_clnt_dump {
    GF_RPC_CLNT_DUMP_PROG = 123451501,
    GF_RPC_CLNT_DUMP_VERS = 1,
    GF_RPC_CLNT_DUMP_PING = 2,
};

/*
 * A call's credential. FLAVOR GF_RPC_CLNT_AUTH_NULL needs nothing else;
 * the GlusterFS flavors encode ID (pid, uid, gid, groups, lk_owner) and,
 * for v3, FLAGS and the CTIME_* fields. Groups that do not fit the
 * credential's limit (95 XDR units for v2, 91 for v3, shared with the
 * lk_owner) are dropped from the end, as GlusterFS does. Only read during
 * gf_rpc_clnt_call.
 */
typedef struct gf_rpc_auth {
    uint32_t flavor;
    const gf_identity_t *id; /* required for the GlusterFS flavors */
    uint32_t flags;          /* v3: ctime-feature hints */
    uint32_t ctime_nsec;     /* v3 */
    uint64_t ctime_sec;      /* v3 */
} gf_rpc_auth_t;

/* What the notify callback reports. */
typedef enum gf_rpc_clnt_event {
    GF_RPC_CLNT_CONNECTED = 1,
    GF_RPC_CLNT_DISCONNECTED = 2,
} gf_rpc_clnt_event_t;

typedef void (*gf_rpc_clnt_notify_t)(gf_rpc_clnt_t *clnt,
                                     gf_rpc_clnt_event_t event, void *data);

/*
 * Completion of a call. STATUS is 0 for an accepted SUCCESS reply, whose
 * results are the LEN bytes at BASE inside IOBUF (valid until the callback
 * returns; gf_iobuf_ref IOBUF to keep them). Otherwise BASE is NULL, LEN 0,
 * IOBUF NULL and STATUS is one of
 *   -EPROTO          PROG_UNAVAIL
 *   -EPROTONOSUPPORT PROG_MISMATCH
 *   -ENOSYS          PROC_UNAVAIL
 *   -EINVAL          GARBAGE_ARGS
 *   -EREMOTEIO       SYSTEM_ERR
 *   -EACCES          MSG_DENIED (RPC_MISMATCH or AUTH_ERROR)
 *   -EBADMSG         a reply too malformed to read (or an unknown
 *                    accept_stat)
 *   -ETIMEDOUT       no reply within call_timeout_ms (a late reply is
 *                    then dropped as an unknown xid)
 *   -ENOTCONN        the connection went down (or the client was
 *                    disconnected or freed) before the reply
 */
typedef void (*gf_rpc_clnt_cbk_t)(int status, void *base, size_t len,
                                  gf_iobuf_t *iobuf, void *data);

/* Default call timeout: GlusterFS's frame-timeout, 1800 s. */
#define GF_RPC_CLNT_DEFAULT_CALL_TIMEOUT_MS 1800000u
/* Default ping interval and timeout: GlusterFS's ping-timeout, 42 s. */
#define GF_RPC_CLNT_DEFAULT_PING_MS 42000u

/* Client options; gf_rpc_clnt_opts_init fills the defaults. */
typedef struct gf_rpc_clnt_opts {
    uint32_t call_timeout_ms;  /* 0: calls never time out */
    uint32_t reconnect_min_ms; /* first retry delay, default 100 */
    uint32_t reconnect_max_ms; /* back-off cap, default 3000 */
    /*
     * Pings: every ping_interval_ms while connected the client sends a
     * GF-DUMP PING; if nothing at all (ping reply or any other record)
     * arrives within ping_timeout_ms of sending it, the connection is
     * closed as dead (and reconnected). 0 interval: no pings.
     */
    uint32_t ping_interval_ms;   /* default 42000 */
    uint32_t ping_timeout_ms;    /* default 42000 */
    bool auto_reconnect;         /* default true */
    gf_rpc_clnt_notify_t notify; /* may be NULL */
    void *notify_data;
    const gf_rpc_conn_opts_t *conn_opts; /* copied; NULL: defaults */
} gf_rpc_clnt_opts_t;

GF_EXPORT void gf_rpc_clnt_opts_init(gf_rpc_clnt_opts_t *opts);

/*
 * Create a client for ADDRESS (copied) using the event pool EV, iobuf pool
 * IOP and timer wheel TW, which must outlive it (see gf_rpc_clnt_free).
 * OPTS may be NULL (defaults). Nothing is connected before
 * gf_rpc_clnt_start. Returns NULL with errno EINVAL (NULL argument,
 * reconnect_min_ms 0 or above reconnect_max_ms, ping timeout 0 with an
 * interval) or ENOMEM.
 */
GF_EXPORT gf_rpc_clnt_t *
gf_rpc_clnt_new(gf_event_pool_t *ev, gf_iobuf_pool_t *iop, gf_timer_wheel_t *tw,
                const char *address, const gf_rpc_clnt_opts_t *opts);

/*
 * Start connecting (and keep reconnecting if auto_reconnect is on). No-op
 * if already connecting or connected. Returns 0, -EINVAL (NULL, being
 * freed, or an address the transport rejects), or the transport's -errno
 * when a socket cannot be made (a retry is then scheduled if
 * auto_reconnect is on). Thread-safe.
 */
GF_EXPORT int gf_rpc_clnt_start(gf_rpc_clnt_t *clnt);

/*
 * Close the connection and stop reconnecting until gf_rpc_clnt_start.
 * Every pending call completes with -ENOTCONN and, if the connection was
 * established, DISCONNECTED is notified, both on the calling thread before
 * this returns. Returns 0 or -EINVAL. Thread-safe.
 */
GF_EXPORT int gf_rpc_clnt_disconnect(gf_rpc_clnt_t *clnt);

/*
 * Free CLNT: close the connection, cancel its timers, and complete every
 * pending call with -ENOTCONN (once, on the calling thread, before this
 * returns). Nothing is notified. Safe from any thread, callbacks included;
 * never waits for another thread. The owner must not call into CLNT once
 * free has begun; a callback already running on another thread may still
 * be finishing when this returns (calls it makes fail with -ENOTCONN), and
 * no callback starts afterwards. The memory is released once the
 * connection has finished closing: after this returns the client no
 * longer uses the timer wheel, but its connection needs the event and
 * iobuf pools until gf_event_pool_free (or the event thread) completes the
 * close. NULL is ignored.
 */
GF_EXPORT void gf_rpc_clnt_free(gf_rpc_clnt_t *clnt);

/*
 * Call procedure PROC of program PROG version VERS with the arguments in
 * the N iovecs ARGS (at most 63; not copied: they must stay valid until
 * sent, which IOBREF guarantees when they live in its iobufs; IOBREF may be
 * NULL when they are not in iobufs, but then the caller must keep them
 * valid until CBK runs). AUTH may be NULL (AUTH_NULL).
 *
 * Returns 0 if the call was submitted: CBK(..., DATA) then runs exactly
 * once, possibly before this returns (on another thread). Returns -errno
 * if it was not (CBK is never called): -EINVAL (NULL clnt or cbk, bad N,
 * bad credential, lk_owner too long), -ENOTCONN (not connected), -EAGAIN
 * (the transport's send queue is full), -ENOMEM. Thread-safe.
 */
GF_EXPORT int gf_rpc_clnt_call(gf_rpc_clnt_t *clnt, uint32_t prog,
                               uint32_t vers, uint32_t proc,
                               const gf_rpc_auth_t *auth,
                               const struct iovec *args, int n,
                               gf_iobref_t *iobref, gf_rpc_clnt_cbk_t cbk,
                               void *data);

/* Counters of a client (for tests and statedump). */
typedef struct gf_rpc_clnt_stats {
    bool connected;            /* established now */
    size_t pending;            /* calls waiting for a reply */
    uint64_t connect_attempts; /* gf_rpc_connect calls made */
    uint64_t connects;         /* connections established */
    uint64_t disconnects;      /* established connections lost */
    uint64_t calls;            /* calls submitted (pings included) */
    uint64_t replies;          /* replies matched to a call */
    uint64_t timeouts;         /* calls completed with -ETIMEDOUT */
    uint64_t unknown_xids;     /* replies dropped: no such call */
    uint64_t pings;            /* pings sent */
    uint64_t ping_timeouts;    /* connections closed for silence */
} gf_rpc_clnt_stats_t;

/* Fill *OUT with a snapshot of CLNT's counters. 0 or -EINVAL. */
GF_EXPORT int gf_rpc_clnt_stats(gf_rpc_clnt_t *clnt, gf_rpc_clnt_stats_t *out);

/* Longest call header: 6 words, credential (400 bytes max) and verifier. */
#define GF_RPC_CLNT_MAX_HEADER 440u

/*
 * Encode the call header (XID, CALL, rpcvers 2, PROG, VERS, PROC, the
 * credential from AUTH (NULL: AUTH_NULL), an AUTH_NULL verifier) into BUF
 * of SIZE bytes, exactly as gf_rpc_clnt_call sends it. Returns the length
 * (at most GF_RPC_CLNT_MAX_HEADER), -EINVAL (NULL BUF, bad credential) or
 * -ENOSPC. For tests and tools that speak RPC without a client.
 */
GF_EXPORT int gf_rpc_clnt_encode_header(void *buf, size_t size, uint32_t xid,
                                        uint32_t prog, uint32_t vers,
                                        uint32_t proc,
                                        const gf_rpc_auth_t *auth);

#ifdef __cplusplus
}
#endif

#endif /* GF_RPC_CLNT_H */
