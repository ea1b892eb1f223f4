/* SPDX-License-Identifier: LGPL-3.0-or-later */
/*
 * server-int.h - private state of protocol/server shared by its files:
 * the translator's private data, one client per connection, and one
 * request state per FOP call (decoded arguments, resolved inodes, the
 * frame the fop is wound with).
 */
#ifndef GF_SERVER_INT_H
#define GF_SERVER_INT_H

#include <pthread.h>
#include <stdatomic.h>
#include <stdbool.h>
#include <stdint.h>
#include <string.h>

#include <gf/event.h>
#include <gf/mem-pool.h>
#include <gf/rpcsvc.h>
#include <gf/xlator.h>
#include <rpc/gfxdr.h>

typedef struct server_priv {
    gf_xlator_t *self;
    gf_event_pool_t *ev; /* the process's (gf_ctx_event_pool) or own_ev */
    bool own_ev;
    gf_iobuf_pool_t *iop;
    bool own_iop;
    gf_rpcsvc_t *svc;
    gf_call_pool_t *pool;
    gf_mem_pool_t *state_pool; /* server_state_t, one per request */
    unsigned nsubvols;
    gf_inode_table_t **itables; /* one per child, same index */
    _Atomic bool *child_up;     /* per child */
    int port;
    _Atomic uint32_t nclients;
    /* Work that may still wind into the graph: live client structs and
     * RELEASEs of a gone client's fds in flight. The graph below must not
     * be finished while it is nonzero (server__quiesce waits). */
    _Atomic uint32_t live;
    pthread_mutex_t live_lock;
    pthread_cond_t live_zero;
    bool quiesced;
} server_priv_t;

/* One connection. Requests in flight hold references. */
typedef struct server_client {
    _Atomic uint32_t ref;
    server_priv_t *priv;
    gf_fdtable_t *fdtab;
    /* Set once by SETVOLUME (on the connection's event thread). */
    _Atomic(gf_xlator_t *) bound;
    gf_inode_table_t *itable;
    char *uuid; /* process-uuid */
    /* gf_identity_t.client of its requests: locks are kept per id. */
    uint64_t id;
} server_client_t;

typedef struct server_state server_state_t;
typedef void (*server_resume_fn_t)(server_state_t *st);

/* One FOP request from decode to reply. Freed with its frame's stack. */
struct server_state {
    gf_rpcsvc_req_t *req;
    server_client_t *client;
    server_priv_t *priv;
    gf_xlator_t *bound;
    gf_frame_t *frame;
    server_resume_fn_t resume;
    /* What resolution found (references owned here). */
    gf_loc_t loc;
    gf_loc_t loc2; /* rename destination */
    gf_loc_t rloc; /* a nameless lookup resolving a gfid */
    char *bname;
    char *bname2;
    gf_fd_t *fd;
    int64_t remote_fd;
    gf_dict_t *xdata;
    gf_dict_t *dict;
    gf_gfid_t gfid;
    gf_gfid_t pargfid;
    gf_gfid_t gfid2; /* rename: new parent */
    bool named;
    /* Scalars of the request. */
    int32_t flags;
    uint32_t mode;
    uint32_t umask;
    uint32_t mask;
    uint64_t offset;
    uint32_t size;
    int32_t valid;
    gf_iatt_t stbuf;
    /* WRITE payload: points into the request's iobuf. */
    struct iovec vec;
    gf_iobref_t *iobref;
    char *name;        /* getxattr */
    gf_flock_t *flock; /* LK, INODELK, FINODELK (server-locks.c) */
};

/* ---- what every actor file uses -------------------------------------- */

/* Take ownership of a decoded pointer (the XDR free then skips it). */
static inline gf_dict_t *
server__take_dict(gf_dict_t **d)
{
    gf_dict_t *r = *d;

    *d = NULL;
    return r;
}

static inline char *
server__take_str(char **s)
{
    char *r = *s;

    *s = NULL;
    return r;
}

/* One path component, as every entry fop demands: a child acts on
 * (parent, name) and must never be handed a path, "." or "..". */
static inline bool
server__name_ok(const char *name)
{
    return name && *name && !strchr(name, '/') && strcmp(name, ".") != 0 &&
           strcmp(name, "..") != 0;
}

/* server.c */
void server__client_unref(server_client_t *c);
server_client_t *server__client_ref(server_client_t *c);
gf_inode_table_t *server__itable_of(server_priv_t *priv, gf_xlator_t *child);

/* server-handshake.c */
extern const gf_rpcsvc_program_t server__hndsk_prog;

/* server-resolve.c */
server_state_t *server__state_new(gf_rpcsvc_req_t *req, server_priv_t *priv);
void server__state_fail(server_state_t *st, int op_errno);
void server__resolve(server_state_t *st);
int server__reply(server_state_t *st, xdrproc_t proc, void *obj);
int server__send(gf_rpcsvc_req_t *req, server_priv_t *priv, xdrproc_t proc,
                 void *obj);
void server__iatt(const gf_iatt_t *ia, gfx_iattx *w);
int server__decode(gf_rpcsvc_req_t *req, xdrproc_t proc, void *obj, size_t size,
                   size_t *used);
void server__release_fd(server_client_t *c, gf_fd_t *fd);
/*
 * Decode REQ's arguments (XDR PROC) into A (SIZE bytes, zeroed first) and
 * start the request's state in *ST: NULL when it was answered already
 * (not bound, out of memory). -EBADMSG (nothing answered: rpcsvc sends
 * GARBAGE_ARGS) when the arguments do not decode. The caller xdr_frees A.
 */
int server__begin(gf_rpcsvc_req_t *req, void *data, xdrproc_t proc, void *a,
                  size_t size, server_state_t **st);
/* Take and drop one unit of priv->live. */
void server__live_get(server_priv_t *priv);
void server__live_put(server_priv_t *priv);

/* server-locks.c: LK, INODELK, FINODELK, ENTRYLK, FENTRYLK. */
extern const gf_rpcsvc_actor_t server__lock_actors[];
extern const unsigned server__lock_nactors;

/* server-fops-2.c: register the FOP program (1298437 v400). */
int server__fop_register(gf_rpcsvc_t *svc, server_priv_t *priv);

#endif /* GF_SERVER_INT_H */
