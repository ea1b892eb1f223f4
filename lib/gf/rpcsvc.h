/* SPDX-License-Identifier: LGPL-3.0-or-later */
/*
 * gf/rpcsvc.h - the ONC RPC v2 server side (RFC 5531): programs, calls,
 * credentials and replies, on top of <gf/rpc-transport.h>.
 *
 * A service listens on one or more addresses. Every record a client sends
 * is parsed as a CALL: the header and the credential are checked (AUTH_NULL,
 * AUTH_UNIX and AUTH_GLUSTERFS v1/v2/v3 are understood and decoded into the
 * request's identity), the program/version/procedure is looked up in the
 * registry and the procedure's actor is called on the connection's event
 * thread with a request object. The actor owns the request from then on and
 * answers it exactly once -- at once or later, from any thread -- with
 * gf_rpcsvc_reply, gf_rpcsvc_error, gf_rpcsvc_auth_error or gf_rpcsvc_drop.
 *
 * Everything the actor does not see is answered by the service: procedure 0
 * (NULL) of every program, the GF-DUMP program (123451501 v1: NULL, DUMP,
 * PING), PROG_UNAVAIL, PROG_MISMATCH, PROC_UNAVAIL, RPC_MISMATCH and
 * AUTH_ERROR. Records that are not calls: a REPLY is logged and ignored (a
 * server has no calls of its own outstanding); a record too short for a
 * call header or with another message type is logged and the connection
 * is closed, since the peer does not speak ONC RPC.
 *
 * Credentials: AUTH_NULL maps to uid/gid 65534 (nobody), pid 0; GlusterFS
 * leaves root there, but a call that proves nothing should get nothing. An
 * unknown flavor is denied with AUTH_ERROR/AUTH_REJECTEDCRED, as RFC 5531
 * servers (and libtirpc's svc) do; GlusterFS silently treats it as AUTH_NULL,
 * which hides client bugs. A body over 400 bytes, or one that does not
 * decode exactly (group count, lk-owner size, trailing bytes), is denied
 * with AUTH_BADCRED; the connection stays up, as the record framing is
 * intact.
 *
 * Back-pressure: each connection may have at most opts.outstanding_limit
 * requests between dispatch and answer; on reaching it the service stops
 * reading the connection (gf_rpc_conn_pause) and resumes when an answer
 * brings it below, so a client cannot make the server buffer without bound.
 */
#ifndef GF_RPCSVC_H
#define GF_RPCSVC_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/uio.h>

#include <gf/common.h>
#include <gf/event.h>
#include <gf/fop.h>
#include <gf/iobuf.h>
#include <gf/rpc-transport.h>

#ifdef __cplusplus
extern "C" {
#endif

typedef struct gf_rpcsvc gf_rpcsvc_t;
typedef struct gf_rpcsvc_req gf_rpcsvc_req_t;

/* accept_stat of an accepted reply (RFC 5531). */
typedef enum gf_rpc_accept_stat {
    GF_RPC_SUCCESS = 0,
    GF_RPC_PROG_UNAVAIL = 1,
    GF_RPC_PROG_MISMATCH = 2,
    GF_RPC_PROC_UNAVAIL = 3,
    GF_RPC_GARBAGE_ARGS = 4,
    GF_RPC_SYSTEM_ERR = 5,
} gf_rpc_accept_stat_t;

/* auth_stat of a MSG_DENIED/AUTH_ERROR reply (RFC 5531). */
typedef enum gf_rpc_auth_stat {
    GF_RPC_AUTH_OK = 0,
    GF_RPC_AUTH_BADCRED = 1,
    GF_RPC_AUTH_REJECTEDCRED = 2,
    GF_RPC_AUTH_BADVERF = 3,
    GF_RPC_AUTH_REJECTEDVERF = 4,
    GF_RPC_AUTH_TOOWEAK = 5,
} gf_rpc_auth_stat_t;

/* Credential flavors the service decodes. */
enum gf_rpc_auth_flavor {
    GF_RPC_AUTH_NULL = 0,
    GF_RPC_AUTH_UNIX = 1,
    GF_RPC_AUTH_GLUSTERFS = 5,
    GF_RPC_AUTH_GLUSTERFS_V2 = 390039,
    GF_RPC_AUTH_GLUSTERFS_V3 = 390040,
};

/* The GF-DUMP program every service serves. */
enum gf_rpc_dump_prog {
    GF_RPC_DUMP_PROGRAM = 123451501,
    GF_RPC_DUMP_VERSION = 1,
    GF_RPC_DUMP_PROC_NULL = 0,
    GF_RPC_DUMP_PROC_DUMP = 1,
    GF_RPC_DUMP_PROC_PING = 2,
};

enum gf_rpcsvc_limits {
    GF_RPCSVC_MAX_AUTH_BYTES = 400, /* cred/verf body (RFC 5531) */
    GF_RPCSVC_MAX_GROUPS = 95,      /* most groups a 400-byte cred holds */
    GF_RPCSVC_MAX_PROCS = 1024,     /* highest procnum + 1 of an actor */
    GF_RPCSVC_DEFAULT_OUTSTANDING = 64,
    GF_RPCSVC_MAX_OUTSTANDING = 65536,
};

/*
 * An actor: serves one procedure. REQ is the actor's from the call on; DATA
 * is the program's data. Return 0 once REQ is answered or will be (from
 * any thread). Returning -EBADMSG (the arguments do not decode) makes the
 * service answer GARBAGE_ARGS, any other negative value SYSTEM_ERR; REQ
 * must then not be touched again. Runs on an event thread: never block.
 */
typedef int (*gf_rpcsvc_actor_fn_t)(gf_rpcsvc_req_t *req, void *data);

typedef struct gf_rpcsvc_actor {
    const char *name; /* for logs; borrowed, must outlive the service */
    uint32_t procnum; /* < GF_RPCSVC_MAX_PROCS */
    gf_rpcsvc_actor_fn_t fn;
} gf_rpcsvc_actor_t;

typedef struct gf_rpcsvc_program {
    const char *name; /* shown by DUMP; copied */
    uint32_t prognum;
    uint32_t progver;
    const gf_rpcsvc_actor_t *actors; /* copied at registration */
    unsigned nactors;
    void *data;  /* passed to every actor */
    bool hidden; /* true: not listed by DUMP nor registered with rpcbind */
} gf_rpcsvc_program_t;

/* What the notify callback of the options reports. */
typedef enum gf_rpcsvc_event {
    GF_RPCSVC_CONNECT,    /* a connection was accepted */
    GF_RPCSVC_DISCONNECT, /* it is gone (requests may still be answered) */
} gf_rpcsvc_event_t;

/*
 * Called on the connection's event thread. For GF_RPCSVC_CONNECT the
 * return value becomes the connection's data (gf_rpcsvc_req_conn_data);
 * for GF_RPCSVC_DISCONNECT it is ignored and CONN_DATA is that data, for
 * the callee to release (requests still outstanding on the connection
 * may still return it until they are answered: refcount it if needed).
 */
typedef void *(*gf_rpcsvc_notify_fn_t)(gf_rpcsvc_t *svc, gf_rpc_conn_t *conn,
                                       gf_rpcsvc_event_t ev, void *conn_data,
                                       void *data);

typedef struct gf_rpcsvc_opts {
    /* Requests per connection before reading pauses; 0 = unlimited, at
     * most GF_RPCSVC_MAX_OUTSTANDING. Default 64 (GlusterFS's
     * rpc.outstanding-rpc-limit). */
    unsigned outstanding_limit;
    /* Register (prog, vers, tcp, port) with the local rpcbind when the
     * first TCP listener exists, unregister on free. Default off. */
    bool rpcbind;
    /* Transport options of the listeners' connections. */
    gf_rpc_conn_opts_t conn;
    gf_rpcsvc_notify_fn_t notify; /* may be NULL */
    void *notify_data;
} gf_rpcsvc_opts_t;

/* Fill OPTS with the defaults. */
GF_EXPORT void gf_rpcsvc_opts_init(gf_rpcsvc_opts_t *opts);

/*
 * A service on event pool EV, taking buffers from IOP (both borrowed: they
 * must outlive the service, i.e. free them after gf_rpcsvc_free and after
 * the event pool has completed its disconnects). OPTS may be NULL
 * (defaults); it is copied. GF-DUMP is registered. Returns NULL with errno
 * EINVAL (NULL pool, limit out of range) or ENOMEM.
 */
GF_EXPORT gf_rpcsvc_t *gf_rpcsvc_new(gf_event_pool_t *ev, gf_iobuf_pool_t *iop,
                                     const gf_rpcsvc_opts_t *opts);

/*
 * Listen on ADDRESS (see <gf/rpc-transport.h>; port 0 picks a free one).
 * Several listeners are allowed. Returns the bound TCP port, 0 for a unix
 * socket, or -errno (-EINVAL, -EADDRINUSE, ...). Thread-safe.
 */
GF_EXPORT int gf_rpcsvc_listen(gf_rpcsvc_t *svc, const char *address);

/* Port of the first TCP listener, or -ENOENT (none), -EINVAL (NULL). */
GF_EXPORT int gf_rpcsvc_port(const gf_rpcsvc_t *svc);

/*
 * Stop listening and close every connection, unregister from rpcbind and
 * drop the caller's reference. Records still arriving are dropped, but an
 * actor call already under way on an event thread may still be running:
 * stop or free the event pool before freeing what actors use. Requests still
 * outstanding remain valid: answering them is a no-op that frees them.
 * The memory goes once the last connection's disconnect has run and the
 * last request is answered. NULL is ignored.
 */
GF_EXPORT void gf_rpcsvc_free(gf_rpcsvc_t *svc);

/*
 * Add PROG (copied, with its actor table). Returns 0, -EEXIST if that
 * (prognum, progver) is registered, -EINVAL (NULL, no name, an actor with
 * no fn, a procnum >= GF_RPCSVC_MAX_PROCS or twice), -ENOMEM. Calls that
 * arrive after this returns see the program. Thread-safe.
 */
GF_EXPORT int gf_rpcsvc_register(gf_rpcsvc_t *svc,
                                 const gf_rpcsvc_program_t *prog);

/*
 * Remove (PROGNUM, PROGVER). Calls that arrive after this returns get
 * PROG_UNAVAIL or PROG_MISMATCH; an actor already running, and requests
 * already dispatched, are unaffected (DATA must outlive them). Returns 0,
 * -ENOENT, or -EPERM for GF-DUMP. Thread-safe.
 */
GF_EXPORT int gf_rpcsvc_unregister(gf_rpcsvc_t *svc, uint32_t prognum,
                                   uint32_t progver);

/* Connections alive now (accepted, not yet disconnected). */
GF_EXPORT unsigned gf_rpcsvc_conn_count(const gf_rpcsvc_t *svc);

/*
 * Answer REQ with SUCCESS and results: the COUNT (0..63) iovecs, sent after
 * the reply header without copying. IOBREF (may be NULL) holds the buffers
 * they point into; the transport takes its own reference, the caller keeps
 * its. Consumes REQ in every case. Any thread. Returns 0 (sent or queued),
 * -ENOTCONN (connection gone: nothing sent), -EINVAL (NULL REQ; a bad
 * COUNT sends SYSTEM_ERR instead), -ENOMEM (nothing sent; the connection is
 * closed, as the client would wait forever).
 */
GF_EXPORT int gf_rpcsvc_reply(gf_rpcsvc_req_t *req, const struct iovec *iov,
                              int count, gf_iobref_t *iobref);

/*
 * Answer REQ with an accepted error: GF_RPC_PROG_UNAVAIL,
 * GF_RPC_PROC_UNAVAIL, GF_RPC_GARBAGE_ARGS or GF_RPC_SYSTEM_ERR (any other
 * value sends SYSTEM_ERR and returns -EINVAL). Consumes REQ. Any thread.
 */
GF_EXPORT int gf_rpcsvc_error(gf_rpcsvc_req_t *req, gf_rpc_accept_stat_t stat);

/* Deny REQ with MSG_DENIED/AUTH_ERROR and STAT (1..5). Consumes REQ. */
GF_EXPORT int gf_rpcsvc_auth_error(gf_rpcsvc_req_t *req,
                                   gf_rpc_auth_stat_t stat);

/* Free REQ without answering (the client's call will time out). */
GF_EXPORT void gf_rpcsvc_drop(gf_rpcsvc_req_t *req);

/*
 * Accessors, valid while REQ is not answered; any thread holding REQ.
 * The argument bytes lie inside the record's iobuf, which REQ keeps a
 * reference on: decode them lazily, or take gf_iobuf_ref(iobuf) to keep
 * them (e.g. a WRITE payload) beyond the answer.
 */
GF_EXPORT void gf_rpcsvc_req_args(const gf_rpcsvc_req_t *req, const void **base,
                                  size_t *len);
GF_EXPORT gf_iobuf_t *gf_rpcsvc_req_iobuf(const gf_rpcsvc_req_t *req);
GF_EXPORT uint32_t gf_rpcsvc_req_xid(const gf_rpcsvc_req_t *req);
GF_EXPORT uint32_t gf_rpcsvc_req_prog(const gf_rpcsvc_req_t *req);
GF_EXPORT uint32_t gf_rpcsvc_req_vers(const gf_rpcsvc_req_t *req);
GF_EXPORT uint32_t gf_rpcsvc_req_proc(const gf_rpcsvc_req_t *req);

/* Identity from the credential (groups and lk_owner point into REQ;
 * lk_owner is NULL for AUTH_NULL and AUTH_UNIX). */
GF_EXPORT const gf_identity_t *
gf_rpcsvc_req_identity(const gf_rpcsvc_req_t *req);

/* The rest of the credential. */
typedef struct gf_rpcsvc_cred {
    uint32_t flavor;
    uint32_t flags;          /* GlusterFS v3 */
    uint32_t ctime_nsec;     /* GlusterFS v3 */
    uint64_t ctime_sec;      /* GlusterFS v3 */
    uint32_t stamp;          /* AUTH_UNIX */
    const char *machinename; /* AUTH_UNIX, not NUL-terminated; or NULL */
    uint32_t machinename_len;
} gf_rpcsvc_cred_t;

GF_EXPORT const gf_rpcsvc_cred_t *
gf_rpcsvc_req_cred(const gf_rpcsvc_req_t *req);

/* The connection (borrowed; REQ holds a reference), its peer address
 * ("IP:PORT", see gf_rpc_conn_peer) and the data the notify callback
 * returned for it (NULL without one). */
GF_EXPORT gf_rpc_conn_t *gf_rpcsvc_req_conn(const gf_rpcsvc_req_t *req);
GF_EXPORT const char *gf_rpcsvc_req_peer(const gf_rpcsvc_req_t *req);
GF_EXPORT void *gf_rpcsvc_req_conn_data(const gf_rpcsvc_req_t *req);
GF_EXPORT gf_rpcsvc_t *gf_rpcsvc_req_svc(const gf_rpcsvc_req_t *req);

#ifdef __cplusplus
}
#endif

#endif /* GF_RPCSVC_H */
