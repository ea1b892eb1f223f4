/* SPDX-License-Identifier: LGPL-3.0-or-later */
/*
 * transport-int.h - private structures of the RPC socket transport, shared
 * by transport.c (addresses, listen/accept/connect, life and teardown),
 * record.c (the receive state machine) and sendq.c (the send queue).
 * Never installed.
 *
 * Threads: the receive state (struct rx) is touched only by the
 * connection's event thread (its handler and the posts bound to its id).
 * The send queue, the pause count's transitions, the state and the id are
 * under conn->lock; submit may run on any thread.
 */
#ifndef GF_RPC_TRANSPORT_INT_H
#define GF_RPC_TRANSPORT_INT_H

#include <pthread.h>
#include <stdatomic.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/uio.h>

#include <gf/mem-pool.h>
#include <gf/rpc-transport.h>

enum {
    /* RFC 5531 record marking: bit 31 = last fragment, the rest is the
     * fragment's length. */
    GF__RPC_FRAGMASK = 0x7fffffff,
    /* Iovecs a submit may pass, and those a queue entry keeps inline. */
    GF__RPC_MAX_IOV = 64,
    GF__RPC_INLINE_IOV = 6,
    /* Fragments up to this size wait for their bytes in the receive
     * buffer; bigger ones get an iobuf of their own. */
    GF__RPC_SMALL_MAX = 32 * 1024,
    /* Never issue a read into less free space than this. */
    GF__RPC_MIN_READ = 4096,
    /* Iovecs gathered into one sendmsg. */
    GF__RPC_WRITEV_MAX = 256,
    /* Reads per readiness event before yielding to other fds. */
    GF__RPC_READ_ROUNDS = 16,
    /* Connections accepted per listener event. */
    GF__RPC_ACCEPT_BURST = 64,
    GF__RPC_PEER_MAX = 128,
    GF__RPC_IP_MAX = 64,
};

enum gf__rpc_state {
    GF__RPC_NEW,        /* accepted, not started */
    GF__RPC_CONNECTING, /* outgoing, connect in progress */
    GF__RPC_UP,         /* records flow */
    GF__RPC_CLOSING,    /* teardown begun; disconnected() pending/done */
};

/* One record waiting to be written: the fragment header and the caller's
 * iovecs (advanced in place as bytes go out), plus the iobref that keeps
 * their memory alive. */
struct gf__rpc_sendq {
    struct gf__rpc_sendq *next;
    gf_iobref_t *iobref;
    struct iovec *iov; /* inl, or a separate array for many iovecs */
    int niov;
    int cur;      /* first iovec not completely written */
    size_t left;  /* bytes not yet written, header included */
    uint32_t hdr; /* big-endian fragment header */
    struct iovec inl[GF__RPC_INLINE_IOV + 1];
    /* A small record submitted without an iobref is copied here, so the
     * caller's buffers may live on its stack and nothing is refcounted. */
    uint8_t small[GF_RPC_SMALL_RECORD];
};

/* Receive state: a batch buffer plus, for a large or multi-fragment
 * record, a dedicated buffer being filled. */
struct gf__rpc_rx {
    gf_iobuf_t *buf; /* batch buffer, NULL until the first read */
    size_t rpos;     /* first byte not parsed */
    size_t wpos;     /* end of the bytes read */
    bool lent;       /* a record inside BUF was delivered: somebody may
                        hold a reference, so its bytes are never reused */
    bool in_big;     /* a record is being assembled in BIG */
    bool big_last;   /* BIG's current fragment is the record's last */
    gf_iobuf_t *big;
    size_t blen;      /* bytes in BIG */
    size_t frag_left; /* bytes of BIG's current fragment still to come */
};

struct gf_rpc_conn {
    _Atomic unsigned ref;
    gf_event_pool_t *ev;
    gf_iobuf_pool_t *iop;
    gf_rpc_conn_opts_t opts;
    gf_rpc_conn_cbs_t cbs;
    void *data;
    int fd;
    bool outgoing;
    bool registered; /* lock: has an event id (until teardown) */
    bool started;    /* accepted and gf_rpc_conn_start succeeded */

    pthread_mutex_t lock;
    int id;            /* lock for writers; event id */
    _Atomic int state; /* enum gf__rpc_state; changed under lock */
    int error;         /* lock: why it closed (positive errno or 0) */
    _Atomic unsigned paused;
    struct gf__rpc_sendq *qhead; /* lock */
    struct gf__rpc_sendq **qtail;
    _Atomic size_t queued; /* lock for writers: bytes not yet written */
    bool out_on;           /* lock: OUT selected on the event pool */
    gf_mem_pool_t *qpool;  /* queue entries (gf__rpc_sendq_pool_get) */

    struct gf__rpc_rx rx; /* event thread only */

    char peer[GF__RPC_PEER_MAX];
    char peer_ip[GF__RPC_IP_MAX];
};

/* transport.c */
void gf__rpc_conn_fail(gf_rpc_conn_t *conn, int error);
bool gf__rpc_conn_closing(const gf_rpc_conn_t *conn);

/* record.c */
void gf__rpc_rx_ready(gf_rpc_conn_t *conn);
void gf__rpc_rx_resume(gf_rpc_conn_t *conn);
void gf__rpc_rx_release(gf_rpc_conn_t *conn);

/* sendq.c */
extern __thread gf_rpc_conn_t *gf__rpc_corked;
void gf__rpc_sendq_flush(gf_rpc_conn_t *conn);
int gf__rpc_sendq_flush_locked(gf_rpc_conn_t *conn,
                               struct gf__rpc_sendq **done);
void gf__rpc_sendq_free_list(struct gf__rpc_sendq *list);
void gf__rpc_sendq_release(gf_rpc_conn_t *conn);
gf_mem_pool_t *gf__rpc_sendq_pool_get(void);
void gf__rpc_sendq_pool_put(void);

#endif /* GF_RPC_TRANSPORT_INT_H */
