/* SPDX-License-Identifier: LGPL-3.0-or-later */
/*
 * rpcsvc-int.h - internals shared by rpcsvc.c (service, dispatch,
 * replies), rpcsvc-auth.c (call header and credential parsing),
 * rpcsvc-dump.c (GF-DUMP) and rpcsvc-pmap.c (rpcbind).
 */
#ifndef GF_RPCSVC_INT_H
#define GF_RPCSVC_INT_H

#include <pthread.h>
#include <stdatomic.h>
#include <stdbool.h>
#include <stdint.h>
#include <string.h>

#include <gf/mem-pool.h>
#include <gf/rpcsvc.h>

/* RFC 5531 numbers the wire needs. */
enum {
    RPC_CALL = 0,
    RPC_REPLY = 1,
    RPC_VERSION = 2,
    RPC_MSG_ACCEPTED = 0,
    RPC_MSG_DENIED = 1,
    RPC_MISMATCH = 0,
    RPC_AUTH_ERROR = 1,
    /* xid, type, rpcvers, prog, vers, proc, 2 x (flavor, length) */
    RPC_CALL_MIN = 40,
    /* xid, type, stat, verf flavor+len, accept_stat (+ low/high) */
    RPC_REPLY_HDR = 24,
    RPC_REPLY_MAX_HDR = 32,
};

static inline uint32_t
gf__get32(const uint8_t *p)
{
    uint32_t v;

    memcpy(&v, p, sizeof(v));
    return __builtin_bswap32(v);
}

static inline uint64_t
gf__get64(const uint8_t *p)
{
    return (uint64_t)gf__get32(p) << 32 | gf__get32(p + 4);
}

static inline void
gf__put32(uint8_t *p, uint32_t v)
{
    v = __builtin_bswap32(v);
    memcpy(p, &v, sizeof(v));
}

static inline void
gf__put64(uint8_t *p, uint64_t v)
{
    gf__put32(p, (uint32_t)(v >> 32));
    gf__put32(p + 4, (uint32_t)v);
}

static inline size_t
gf__xdr_pad(size_t n)
{
    return (4 - (n & 3)) & 3;
}

/* What the header parser made of a record. */
typedef enum gf__rpc_parse {
    GF__RPC_OK,       /* a well-formed call header */
    GF__RPC_NOT_RPC,  /* too short, or neither CALL nor REPLY: close */
    GF__RPC_IS_REPLY, /* a REPLY: log and ignore */
    GF__RPC_RPCVERS,  /* rpcvers != 2: deny RPC_MISMATCH */
    GF__RPC_BADCRED,  /* cred too long or truncated: deny AUTH_BADCRED */
    GF__RPC_BADVERF,  /* verf too long or truncated: deny AUTH_BADVERF */
} gf__rpc_parse_t;

typedef struct gf__rpc_call {
    uint32_t xid, rpcvers, prog, vers, proc;
    uint32_t cred_flavor, cred_len;
    const uint8_t *cred;
    uint32_t verf_flavor, verf_len;
    const uint8_t *args;
    size_t args_len;
} gf__rpc_call_t;

/* A decoded credential: the identity and where its arrays live. */
typedef struct gf__rpc_auth {
    gf_identity_t id;
    gf_rpcsvc_cred_t cred;
    uint32_t groups[GF_RPCSVC_MAX_GROUPS];
    gf_lkowner_t lk_owner; /* only len + the used bytes are written */
} gf__rpc_auth_t;

/* Parse the call header of the record BUF/LEN into *CALL (which is filled
 * as far as it got: xid is valid unless GF__RPC_NOT_RPC). */
gf__rpc_parse_t gf__rpcsvc_parse_call(const void *buf, size_t len,
                                      gf__rpc_call_t *call);

/* Decode the credential of CALL into *AUTH. Returns GF_RPC_AUTH_OK or the
 * auth_stat to deny with. */
gf_rpc_auth_stat_t gf__rpcsvc_auth_decode(const gf__rpc_call_t *call,
                                          gf__rpc_auth_t *auth);

/* A registered program; immutable once published. */
struct gf__rpcsvc_prog {
    struct gf__rpcsvc_prog *all_next; /* every program ever registered */
    char *name;
    uint32_t num, vers;
    bool hidden;
    void *data;
    unsigned nprocs;           /* entries in procs[] */
    gf_rpcsvc_actor_t procs[]; /* indexed by procnum; fn NULL = none */
};

/* A snapshot of the registry: readers load it without a lock. Replaced
 * (copy on write) by register/unregister; old ones are kept until the
 * service is freed, as a reader may still be walking one. */
struct gf__rpcsvc_progtab {
    struct gf__rpcsvc_progtab *retired_next;
    unsigned n;
    const struct gf__rpcsvc_prog *progs[];
};

/* Per accepted connection. */
struct gf__rpcsvc_conn {
    gf_rpcsvc_t *svc;
    gf_rpc_conn_t *conn;
    void *data;           /* from the notify callback */
    _Atomic unsigned ref; /* transport (until disconnect) + each request */
    _Atomic bool gone;
    pthread_mutex_t lock; /* outstanding, paused */
    unsigned outstanding;
    bool paused;
    struct gf__rpcsvc_conn *prev, *next; /* svc->conns, under svc->lock */
};

enum { RPCSVC_MAX_LISTENERS = 16 };

struct gf_rpcsvc {
    _Atomic unsigned ref; /* the owner + each connection */
    gf_event_pool_t *ev;
    gf_iobuf_pool_t *iop;
    gf_rpcsvc_opts_t opts;
    gf_mem_pool_t *req_pool;
    pthread_mutex_t lock; /* everything below */
    _Atomic bool freeing; /* written under lock; read by dispatch too */
    unsigned nlisteners;
    gf_rpc_listener_t *listeners[RPCSVC_MAX_LISTENERS];
    int tcp_port; /* first TCP listener's port, or -ENOENT */
    _Atomic(struct gf__rpcsvc_progtab *) progs;
    struct gf__rpcsvc_progtab *retired;
    struct gf__rpcsvc_prog *all;
    struct gf__rpcsvc_conn *conns;
    _Atomic unsigned nconns;
    /* rpcbind: which (prog, vers) are registered with it */
    pthread_mutex_t pmap_lock;
    unsigned npmap;
    struct {
        uint32_t prog, vers;
    } * pmap;
};

struct gf_rpcsvc_req {
    struct gf__rpcsvc_conn *sc;
    const struct gf__rpcsvc_prog *prog;
    gf_iobuf_t *iob;
    const uint8_t *args;
    size_t args_len;
    uint32_t xid, prognum, vers, proc;
    gf__rpc_auth_t auth;
};

/* GF-DUMP (rpcsvc-dump.c). */
extern const gf_rpcsvc_program_t gf__rpcsvc_dump_prog;

/* rpcbind (rpcsvc-pmap.c): register every visible program at PORT /
 * unregister what was registered. Blocking calls to the local rpcbind. */
void gf__rpcsvc_pmap_set(gf_rpcsvc_t *svc, int port);
void gf__rpcsvc_pmap_unset(gf_rpcsvc_t *svc, uint32_t prog, uint32_t vers);
void gf__rpcsvc_pmap_unset_all(gf_rpcsvc_t *svc);

/* Connections (rpcsvc.c) and the record handler (rpcsvc-call.c). */
static inline void
gf__rpcsvc_conn_ref(struct gf__rpcsvc_conn *sc)
{
    atomic_fetch_add_explicit(&sc->ref, 1, memory_order_relaxed);
}

void gf__rpcsvc_conn_unref(struct gf__rpcsvc_conn *sc);
void gf__rpcsvc_on_message(gf_rpc_conn_t *conn, void *data, void *base,
                           size_t len, gf_iobuf_t *iobuf);

/* The current registry snapshot. */
static inline const struct gf__rpcsvc_progtab *
gf__rpcsvc_progs(const gf_rpcsvc_t *svc)
{
    return atomic_load_explicit(&((gf_rpcsvc_t *)(uintptr_t)svc)->progs,
                                memory_order_acquire);
}

#endif /* GF_RPCSVC_INT_H */
