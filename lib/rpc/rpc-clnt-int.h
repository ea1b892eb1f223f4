/* SPDX-License-Identifier: LGPL-3.0-or-later */
/*
 * rpc-clnt-int.h - internals shared by the rpc-clnt sources: the client,
 * its connections ("links"), saved calls and timer slots.
 *
 * Locking: one mutex per client guards everything below marked (L). No
 * user callback, transport call that may call back (connect, submit,
 * close) or timer cancel runs with it held; gf_timer_call_after does (the
 * wheel never calls back from inside it).
 */
#ifndef GF_RPC_CLNT_INT_H
#define GF_RPC_CLNT_INT_H

#include <pthread.h>
#include <stdatomic.h>
#include <stdbool.h>
#include <stdint.h>

#include <gf/mem-pool.h>
#include <gf/rpc-clnt.h>

/* ONC RPC constants (RFC 5531) the client needs. */
enum {
    RPC_CALL = 0,
    RPC_REPLY = 1,
    RPC_VERSION = 2,
    MSG_ACCEPTED = 0,
    MSG_DENIED = 1,
    ACC_SUCCESS = 0,
    ACC_PROG_UNAVAIL = 1,
    ACC_PROG_MISMATCH = 2,
    ACC_PROC_UNAVAIL = 3,
    ACC_GARBAGE_ARGS = 4,
    ACC_SYSTEM_ERR = 5,
    RPC_MAX_AUTH_BYTES = 400,
};

/* A call waiting for its reply. From the client's mem pool. */
struct gf__rpc_call {
    struct gf__rpc_call *hnext;       /* xid bucket chain (L) */
    struct gf__rpc_call *prev, *next; /* deadline FIFO (L) */
    uint64_t deadline;                /* wheel ms */
    uint32_t xid;
    gf_rpc_clnt_cbk_t cbk;
    void *data;
};

/*
 * One connection attempt and, if it succeeds, the connection. References:
 * the transport's callbacks hold one until `disconnected`, the client's
 * `cur` pointer holds one, and the connect path holds one while it runs.
 */
struct gf__rpc_link {
    gf_rpc_clnt_t *clnt; /* holds a client reference */
    gf_rpc_conn_t *conn; /* (L) the connect path's reference, or NULL */
    bool up;             /* (L) `connected` seen while current */
    _Atomic unsigned refs;
};

/*
 * A timer slot: at most one armed timer per purpose. The handle belongs to
 * whoever clears the slot (under L): the callback releases it, free
 * cancels it. An armed timer holds a client reference. Timers are never
 * cancelled except by free: a callback that fires early or late looks at
 * the state and the clock and re-arms as needed.
 */
struct gf__rpc_slot {
    gf_timer_t *h;
};

struct gf_rpc_clnt {
    gf_event_pool_t *ev;
    gf_iobuf_pool_t *iop;
    gf_timer_wheel_t *tw;
    char *address;
    gf_rpc_clnt_opts_t opts;
    gf_rpc_conn_opts_t conn_opts;
    gf_mem_pool_t *call_pool;
    _Atomic unsigned refs;

    pthread_mutex_t lock;
    bool stopped;             /* (L) freed by its owner */
    bool want;                /* (L) start called, no disconnect since */
    struct gf__rpc_link *cur; /* (L) attempt or connection, or NULL */
    uint32_t next_xid;        /* (L) */

    /* xid map (L): buckets indexed by xid & mask, chained. */
    struct gf__rpc_call **tab;
    uint32_t mask;
    size_t count;
    /* Calls in deadline order (L); all share one timeout, so FIFO. */
    struct gf__rpc_call fifo;

    struct gf__rpc_slot bail;      /* call timeouts */
    struct gf__rpc_slot ping;      /* pings */
    struct gf__rpc_slot reconnect; /* next connect attempt */
    uint32_t backoff_ms;           /* (L) next reconnect delay */
    uint64_t reconnect_at;         /* (L) wheel ms */
    uint64_t up_since;             /* (L) wheel ms of the last connect */
    uint64_t ping_sent;            /* (L) wheel ms of the last ping */
    uint64_t last_recv;            /* (L) wheel ms of the last record */
    bool ping_out;                 /* (L) a ping awaits proof of life */

    gf_rpc_clnt_stats_t st; /* (L) except connected/pending */
};

/* rpc-clnt.c */
void gf__rpc_clnt_unref(gf_rpc_clnt_t *clnt);
bool gf__rpc_slot_arm(gf_rpc_clnt_t *clnt, struct gf__rpc_slot *slot,
                      uint64_t delay_ms, gf_timer_cb_t cb);
gf_timer_t *gf__rpc_slot_take(struct gf__rpc_slot *slot);

/* rpc-clnt-call.c */
struct gf__rpc_call *gf__rpc_calls_take_all(gf_rpc_clnt_t *clnt);
void gf__rpc_calls_fail(struct gf__rpc_call *list, int status);
void gf__rpc_clnt_reply(gf_rpc_clnt_t *clnt, struct gf__rpc_link *link,
                        void *base, size_t len, gf_iobuf_t *iobuf);
void gf__rpc_calls_fini(gf_rpc_clnt_t *clnt);

/* rpc-clnt-ping.c */
void gf__rpc_ping_start_locked(gf_rpc_clnt_t *clnt);

#endif /* GF_RPC_CLNT_INT_H */
