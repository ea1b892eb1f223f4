/* SPDX-License-Identifier: LGPL-3.0-or-later */
/*
 * client-int.h - private state of protocol/client shared by its files:
 * the connection (one gf_rpc_clnt), the handshake state, and the one
 * submit path every fop goes through.
 */
#ifndef GF_CLIENT_INT_H
#define GF_CLIENT_INT_H

#include <pthread.h>
#include <stdatomic.h>
#include <stdbool.h>
#include <stdint.h>

#include <gf/event.h>
#include <gf/rpc-clnt.h>
#include <gf/timer.h>
#include <gf/xlator.h>
#include <rpc/gfxdr.h>

/* Where the connection is. */
typedef enum client_state {
    CLIENT_IDLE = 0,    /* not started, or stopped */
    CLIENT_CONNECTING,  /* TCP connect / reconnect in progress */
    CLIENT_HANDSHAKING, /* DUMP or SETVOLUME in flight */
    CLIENT_UP,          /* SETVOLUME accepted: fops may go */
} client_state_t;

typedef struct client_priv {
    gf_xlator_t *self;
    char *remote_host;
    char *remote_subvol;
    char *address; /* "IP:PORT" or "[IP6]:PORT" */
    char *username;
    char *password;
    int64_t port;
    char family[8]; /* inet / inet6 */
    uint32_t ping_ms;
    uint32_t frame_ms;
    gf_event_pool_t *ev;
    gf_iobuf_pool_t *iop;
    bool own_iop;
    gf_timer_wheel_t *tw;
    bool own_tw;
    gf_rpc_clnt_t *clnt;
    unsigned slot; /* fd context slot */

    pthread_mutex_t lock; /* the fields below */
    client_state_t state;
    /* Connection generation: bumped on every accepted SETVOLUME; an fd
     * opened under another generation is stale (EBADFD). */
    uint32_t gen;
    /* GEN while UP, else 0: what every fop reads, without the lock. */
    _Atomic uint32_t up_gen;
    bool down_sent;    /* CHILD_DOWN reported since the last CHILD_UP */
    bool stopping;     /* PARENT_DOWN or fini: no restart */
    uint64_t attempts; /* handshakes started (process-uuid RECON_NO) */
    /* Timers (both armed and read under LOCK). A callback takes its
     * handle out of its slot; whoever stops them cancels what is still
     * in the slots and waits until TIMERS_LIVE (armed, not finished)
     * drops to 0, so that no callback touches us afterwards. */
    gf_timer_t *retry; /* restart after a refused handshake */
    gf_timer_t *watch; /* CHILD_DOWN if the first connect never works */
    unsigned timers_live;
    pthread_cond_t timers_idle;
    char last_error[256];

    _Atomic uint64_t fops_sent;
    _Atomic uint64_t fops_failed; /* transport-level failures */
    _Atomic uint32_t pending;     /* fops waiting for a reply */
    _Atomic uint32_t open_fds;    /* remote fds held */
} client_priv_t;

/* The identity every call carries that has no frame (handshake,
 * RELEASE): root, pid 0. */
extern const gf_identity_t client__root;

/*
 * Encode OBJ with PROC into a fresh iobuf and call PROG/VERS/PROC; PAY
 * (N iovecs kept alive by PAYREF, may be NULL) follows the header
 * unpadded. CBK(..., DATA) runs exactly once if 0 is returned. -errno
 * (nothing called) otherwise.
 */
int client__call(client_priv_t *priv, uint32_t prog, uint32_t vers,
                 uint32_t proc, const gf_rpc_auth_t *auth, xdrproc_t xproc,
                 void *obj, const struct iovec *pay, int n, gf_iobref_t *payref,
                 gf_rpc_clnt_cbk_t cbk, void *data);

/* Current generation if the connection is up, else 0. Lock-free. */
uint32_t client__gen(client_priv_t *priv);

/* Change STATE (under LOCK), keeping UP_GEN in step. */
static inline void
client__set_state(client_priv_t *priv, client_state_t st)
{
    priv->state = st;
    atomic_store_explicit(&priv->up_gen, st == CLIENT_UP ? priv->gen : 0,
                          memory_order_release);
}

/* client-handshake.c */
/* rpc-clnt's notify: handshake on CONNECTED, CHILD_DOWN on DISCONNECTED. */
void client__conn_notify(gf_rpc_clnt_t *clnt, gf_rpc_clnt_event_t ev,
                         void *data);
/* Tell the parents EV, once per transition (CHILD_DOWN once per UP). */
void client__notify_up(client_priv_t *priv, gf_xlator_event_t ev);
/* Arm the first-connect watchdog (under LOCK). */
void client__arm_watch(client_priv_t *priv);
/* Stop the timers (STOPPING is set) and wait for running callbacks;
 * never from a timer callback. */
void client__disarm(client_priv_t *priv);

/* client-fops.c: the submit path. */
/*
 * Send fop FOP of FRAME (wound to protocol/client) with request REQ and
 * the optional payload; the reply unwinds FRAME. Always returns 0: on
 * failure FRAME is unwound at once (ENOTCONN when not connected).
 */
int client__submit(gf_frame_t *frame, gf_fop_t fop, void *req,
                   const struct iovec *pay, int n, gf_iobref_t *payref);
/* Unwind FRAME (fop FOP) with -1/ERR and no results; returns 0. */
int client__fail(gf_frame_t *frame, gf_fop_t fop, int err);
/* The brick's fd number and the inode's gfid for FD: 0, -EBADFD (never
 * opened here, or opened on a connection since lost) or -ENOTCONN. */
int client__fd(client_priv_t *priv, gf_fd_t *fd, int64_t *remote,
               char gfid[16]);
/* RELEASE / RELEASEDIR of FD's remote fd, if it has a live one. */
void client__release(gf_xlator_t *self, gf_fd_t *fd);
void client__releasedir(gf_xlator_t *self, gf_fd_t *fd);

/* client-requests.c: the fops. */
extern const gf_xlator_fops_t client__fops;
/* gf_proto_flock -> gf_flock_t (F_* lock types). */
void client__flock_from_wire(const gf_proto_flock *w, gf_flock_t *fl);

#endif /* GF_CLIENT_INT_H */
