/* SPDX-License-Identifier: LGPL-3.0-or-later */
/*
 * gf/rpc-transport.h - ONC RPC record transport over sockets on the event
 * pool: listen, accept, connect, receive whole records, send records.
 *
 * A connection turns a nonblocking TCP or unix stream socket into records
 * (RFC 5531 record marking: each fragment behind a 4-byte big-endian word,
 * bit 31 = last fragment). Received records are delivered whole, as bytes
 * inside a refcounted iobuf; small records are parsed in place out of one
 * batched read, large ones are read straight into an iobuf of their own
 * size. Records are sent with writev from the caller's iovecs (no copy);
 * what the socket does not take at once is queued and finished when it is
 * writable. Everything runs on the connection's event thread, except
 * gf_rpc_conn_submit, which any thread may call.
 *
 * Addresses: "HOST:PORT" with a numeric IPv4 address ("127.0.0.1:24007"),
 * "[IPV6]:PORT" ("[::1]:24007"), or "unix:/path/to/socket". Port 0 on
 * listen picks a free port (see gf_rpc_listener_port). Names are not
 * resolved (that could block an event thread): resolve before.
 *
 * Lifetime: close every connection and wait for its disconnected() before
 * gf_event_pool_free(); a connection still registered then is leaked.
 */
#ifndef GF_RPC_TRANSPORT_H
#define GF_RPC_TRANSPORT_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/uio.h>

#include <gf/common.h>
#include <gf/event.h>
#include <gf/iobuf.h>

#ifdef __cplusplus
extern "C" {
#endif

typedef struct gf_rpc_conn gf_rpc_conn_t;
typedef struct gf_rpc_listener gf_rpc_listener_t;

/* Records up to this size submitted without an iobref are copied. */
#define GF_RPC_SMALL_RECORD 96u

/* Largest record accepted by default (bigger ones disconnect the peer). */
#define GF_RPC_DEFAULT_MAX_RECORD (64u * 1024u * 1024u)

/* Socket and record options; gf_rpc_conn_opts_init fills the defaults. */
typedef struct gf_rpc_conn_opts {
    size_t max_record;   /* default GF_RPC_DEFAULT_MAX_RECORD */
    bool nodelay;        /* TCP_NODELAY, default on */
    bool keepalive;      /* SO_KEEPALIVE, default on */
    int keepalive_idle;  /* seconds, default 20 */
    int keepalive_intvl; /* seconds, default 2 */
    int keepalive_cnt;   /* probes, default 9 */
    int listen_backlog;  /* default 1024 */
    size_t max_queued;   /* bytes queued for sending before submit
                            returns -EAGAIN, default 64 MiB */
} gf_rpc_conn_opts_t;

GF_EXPORT void gf_rpc_conn_opts_init(gf_rpc_conn_opts_t *opts);

/* What a connection tells its owner. Each runs on the connection's event
 * thread and must not block. */
typedef struct gf_rpc_conn_cbs {
    /*
     * A whole record arrived: LEN bytes (possibly 0) at BASE, inside IOBUF
     * (fragments already joined). The bytes stay valid until the callback
     * returns; to keep them, take a reference on IOBUF (gf_iobuf_ref):
     * the transport never writes into an iobuf it has lent out. Small
     * records share one receive iobuf (up to 128 KiB), so a reference
     * kept for long pins that much; a record over 32 KiB that was not
     * already read in full has an iobuf of its own.
     *
     * The callback may submit (replies submitted from here are written
     * together after the batch of records being delivered), pause, close
     * or unref. After a pause, no further record is delivered until the
     * matching resume.
     */
    void (*message)(gf_rpc_conn_t *conn, void *data, void *base, size_t len,
                    gf_iobuf_t *iobuf);
    /* An outgoing connection is established. May be NULL. */
    void (*connected)(gf_rpc_conn_t *conn, void *data);
    /*
     * The connection is over: peer closed, error, protocol violation, or
     * gf_rpc_conn_close. ERROR is 0 (gf_rpc_conn_close, or the peer
     * closed between records) or a positive errno: ECONNRESET (reset, or
     * closed inside a record), EMSGSIZE (record over max_record), the
     * connect or socket error. Called exactly once; no callback follows.
     * The connection object lives on until its last reference is dropped.
     */
    void (*disconnected)(gf_rpc_conn_t *conn, void *data, int error);
} gf_rpc_conn_cbs_t;

/*
 * Called for each accepted connection, on the listener's event thread.
 * Return 0 after calling gf_rpc_conn_start(conn, cbs, data) to keep it, or
 * -errno to refuse it (it is closed). The new connection starts with one
 * reference owned by the transport until it disconnects. A connection that
 * was not started (refused, or gf_rpc_conn_start failed) is closed without
 * any callback; take a reference (gf_rpc_conn_ref) only to keep it.
 */
typedef int (*gf_rpc_accept_cb_t)(gf_rpc_listener_t *l, gf_rpc_conn_t *conn,
                                  void *data);

/*
 * Listen on ADDRESS. Connections are spread over the event pool's threads.
 * OPTS may be NULL (defaults). Returns 0 and *OUT, or -errno (-EINVAL for
 * a malformed address, -EADDRINUSE, ...).
 */
GF_EXPORT int gf_rpc_listen(gf_event_pool_t *ev, gf_iobuf_pool_t *iop,
                            const char *address, const gf_rpc_conn_opts_t *opts,
                            gf_rpc_accept_cb_t accept_cb, void *data,
                            gf_rpc_listener_t **out);

/* The port a TCP listener is bound to (after port 0), or -EINVAL. */
GF_EXPORT int gf_rpc_listener_port(const gf_rpc_listener_t *l);

/*
 * Stop listening and free L (a unix socket's file is removed); connections
 * already accepted go on. Called from another thread while the listener's
 * handler runs, that handler may still finish accepting its current burst.
 * NULL is ignored.
 */
GF_EXPORT void gf_rpc_listener_close(gf_rpc_listener_t *l);

/*
 * Start connecting to ADDRESS; CBS->connected (or ->disconnected with the
 * error, e.g. ECONNREFUSED) follows on the connection's event thread, even
 * when connect() fails at once. Records may be submitted before
 * connected(): they are sent once connected. CBS->message and
 * ->disconnected are required. Returns 0 and *OUT (one reference for the
 * caller, one kept by the transport until disconnected()), or -errno for
 * a bad address or argument (-EINVAL) or a socket that cannot be made.
 */
GF_EXPORT int gf_rpc_connect(gf_event_pool_t *ev, gf_iobuf_pool_t *iop,
                             const char *address,
                             const gf_rpc_conn_opts_t *opts,
                             const gf_rpc_conn_cbs_t *cbs, void *data,
                             gf_rpc_conn_t **out);

/*
 * Attach CBS/DATA to an accepted connection and start reading (call it
 * from the accept callback). CBS->message and ->disconnected are required;
 * the callbacks may run before this returns. Returns 0, -EINVAL (NULL,
 * already started, an outgoing connection) or the event pool's -errno
 * (then it stays unstarted and the accept callback should refuse it).
 */
GF_EXPORT int gf_rpc_conn_start(gf_rpc_conn_t *conn,
                                const gf_rpc_conn_cbs_t *cbs, void *data);

/*
 * Send one record made of the COUNT iovecs (0 to 64), as a single last
 * fragment. IOBREF (may be NULL) holds the buffers the iovecs point into;
 * the transport keeps a reference until they are written. Without an
 * IOBREF a record of at most GF_RPC_SMALL_RECORD bytes is copied at once
 * (its bytes may be on the caller's stack); a bigger one must stay
 * untouched until written (the iovecs are copied, the bytes are not).
 * Thread-safe; records from one thread go out
 * in submission order. Writes at once when nothing is queued, except from
 * the connection's own event thread while it delivers received records
 * (then after the batch, many records per syscall).
 *
 * Returns 0 (sent or queued; a write error that follows is reported by
 * disconnected()), -EINVAL (NULL CONN, COUNT out of range, NULL IOV),
 * -ENOTCONN (not started, or closing), -EMSGSIZE for a record over
 * 2 GiB - 1, -EAGAIN when it would take the queued bytes above
 * opts.max_queued (an empty queue always takes one record; the caller
 * should slow down), -ENOMEM.
 */
GF_EXPORT int gf_rpc_conn_submit(gf_rpc_conn_t *conn, const struct iovec *iov,
                                 int count, gf_iobref_t *iobref);

/*
 * Stop / restart reading from CONN: back-pressure when its peer has too
 * many requests outstanding. Counted: N pauses need N resumes (an extra
 * resume is ignored). A pause takes effect before the next record is
 * delivered; records already buffered are delivered after the last resume
 * (from the connection's event thread). Thread-safe. NULL is ignored.
 */
GF_EXPORT void gf_rpc_conn_pause(gf_rpc_conn_t *conn);
GF_EXPORT void gf_rpc_conn_resume(gf_rpc_conn_t *conn);

/*
 * Close CONN; disconnected() follows (with error 0) on its event thread,
 * once no handler of it runs any more (immediately, inside this call, if
 * the pool's threads are not running). Unsent records are dropped.
 * Thread-safe, may be called from its own callbacks, idempotent. NULL is
 * ignored.
 */
GF_EXPORT void gf_rpc_conn_close(gf_rpc_conn_t *conn);

/* Take / drop a reference (any thread; NULL is ignored). The last unref
 * frees CONN; it does not close it: the transport holds its own reference
 * until disconnected() has returned. */
GF_EXPORT gf_rpc_conn_t *gf_rpc_conn_ref(gf_rpc_conn_t *conn);
GF_EXPORT void gf_rpc_conn_unref(gf_rpc_conn_t *conn);

/* The peer's address as "IP:PORT", "[IPV6]:PORT" or "unix:PATH" (unix
 * peers may be "unix:"), and its numeric IP alone (empty for unix), for
 * address-based authorisation. Borrowed, valid while CONN lives. */
GF_EXPORT const char *gf_rpc_conn_peer(const gf_rpc_conn_t *conn);
GF_EXPORT const char *gf_rpc_conn_peer_ip(const gf_rpc_conn_t *conn);

/* Bytes waiting to be written, 4-byte record headers included (for tests
 * and statedump). Any thread; 0 for NULL. */
GF_EXPORT size_t gf_rpc_conn_queued(const gf_rpc_conn_t *conn);

#ifdef __cplusplus
}
#endif

#endif /* GF_RPC_TRANSPORT_H */
