/* SPDX-License-Identifier: LGPL-3.0-or-later */
/*
 * protocol/server - the brick's RPC front. This file holds the descriptor,
 * the option table, init/fini and the per-connection client state: at init
 * the server makes its own event pool and rpcsvc, listens on
 * bind-address:listen-port and registers the handshake (SETVOLUME) and
 * FOP programs; each accepted connection gets a server_client_t (fd table,
 * bound subvolume) which a disconnect drains and drops.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "server-int.h"

static const char *const transport_types[] = {"tcp", "socket", NULL};
static const char *const address_families[] = {"inet", "inet6", NULL};

static const gf_option_t server_options[] = {
    {.key = "transport.socket.listen-port",
     .type = GF_OPTION_INT,
     .default_value = "0",
     .min = 0,
     .max = 65535,
     .description = "TCP port to listen on (0: any free port)"},
    {.key = "transport.socket.bind-address",
     .type = GF_OPTION_STR,
     .default_value = NULL,
     .description = "numeric address to listen on (default: the loopback "
                    "address of transport.address-family)"},
    {.key = "transport-type",
     .type = GF_OPTION_STR,
     .default_value = "tcp",
     .values = transport_types,
     .description = "tcp only (glusterd writes it into brick volfiles)"},
    {.key = "transport.address-family",
     .type = GF_OPTION_STR,
     .default_value = "inet",
     .values = address_families,
     .description = "inet (IPv4) or inet6 (IPv6): the family of "
                    "bind-address"},
    {.key = "auth.addr.*.allow",
     .type = GF_OPTION_ADDR_LIST,
     .default_value = NULL,
     .description = "client addresses allowed to SETVOLUME on subvolume * "
                    "(GlusterFS's spelling; when unset, auth-allow applies)"},
    {.key = "auth.addr.*.reject",
     .type = GF_OPTION_ADDR_LIST,
     .default_value = NULL,
     .description = "client addresses refused on subvolume * (wins over "
                    "every allow list)"},
    {.key = "auth-allow",
     .type = GF_OPTION_ADDR_LIST,
     .default_value = "127.0.0.1,::1",
     .description = "client addresses allowed to SETVOLUME on any "
                    "subvolume without its own auth.addr.<subvol>.allow"},
    {.key = "auth-reject",
     .type = GF_OPTION_ADDR_LIST,
     .default_value = NULL,
     .description = "client addresses refused on every subvolume (wins "
                    "over every allow list)"},
    {.key = "inode-lru-limit",
     .type = GF_OPTION_INT,
     .default_value = "16384",
     .min = 0,
     .max = 1048576,
     .description = "unreferenced inodes kept per subvolume"},
    {.key = "rpc.outstanding-rpc-limit",
     .type = GF_OPTION_INT,
     .default_value = "64",
     .min = 0,
     .max = 65536,
     .description = "requests in flight per connection before reading "
                    "pauses (0: unlimited)"},
    {.key = "event-threads",
     .type = GF_OPTION_INT,
     .default_value = "0",
     .min = 0,
     .max = 64,
     .description = "event threads serving the connections: 0 keeps the "
                    "process's event pool as it is (gfsd --event-threads), "
                    "N resizes it to N (hosted without one, the server's "
                    "own pool has N threads, 2 for 0)"},
    {.key = "rpc.register-with-rpcbind",
     .type = GF_OPTION_BOOL,
     .default_value = "off",
     .description = "register the handshake and FOP programs with the "
                    "local rpcbind (rpcinfo -p lists them)"},
    {.key = NULL},
};

static void drain_one(gf_fd_t *fd, int64_t n, void *data);

/* Ids of connections (gf_identity_t.client): nonzero, never reused. */
static _Atomic uint64_t next_client_id = 1;

/* Tell the bound graph that C is gone: its locks are dropped and its
 * parked lock requests answered. */
static void
client_gone(server_client_t *c)
{
    gf_xlator_t *bound = atomic_load(&c->bound);

    if (bound)
        gf_xlator_client_disconnect(bound, c->id);
}

void
server__live_get(server_priv_t *priv)
{
    atomic_fetch_add_explicit(&priv->live, 1, memory_order_relaxed);
}

void
server__live_put(server_priv_t *priv)
{
    if (atomic_fetch_sub_explicit(&priv->live, 1, memory_order_acq_rel) != 1)
        return;
    pthread_mutex_lock(&priv->live_lock);
    pthread_cond_broadcast(&priv->live_zero);
    pthread_mutex_unlock(&priv->live_lock);
}

server_client_t *
server__client_ref(server_client_t *c)
{
    atomic_fetch_add_explicit(&c->ref, 1, memory_order_relaxed);
    return c;
}

void
server__client_unref(server_client_t *c)
{
    if (!c || atomic_fetch_sub_explicit(&c->ref, 1, memory_order_acq_rel) != 1)
        return;
    /* An OPEN or CREATE that completed after the disconnect drained the
     * table put its fd here: release those down the graph too. */
    gf_fdtable_drain(c->fdtab, drain_one, c);
    /* Again now that no request of C is in flight: a lock granted to one
     * after the disconnect must not outlive it. */
    client_gone(c);
    gf_fdtable_free(c->fdtab);
    free(c->uuid);
    server__live_put(c->priv);
    free(c);
}

gf_inode_table_t *
server__itable_of(server_priv_t *priv, gf_xlator_t *child)
{
    for (unsigned i = 0; i < priv->nsubvols; i++)
        if (gf_xlator_child(priv->self, i) == child)
            return priv->itables[i];
    return NULL;
}

static void
drain_one(gf_fd_t *fd, int64_t n, void *data)
{
    (void)n;
    server__release_fd(data, fd);
}

static void *
server_conn_notify(gf_rpcsvc_t *svc, gf_rpc_conn_t *conn, gf_rpcsvc_event_t ev,
                   void *conn_data, void *data)
{
    server_priv_t *priv = data;
    server_client_t *c = conn_data;

    (void)svc;
    if (ev == GF_RPCSVC_CONNECT) {
        c = calloc(1, sizeof(*c));
        if (!c)
            return NULL;
        c->fdtab = gf_fdtable_new(0);
        if (!c->fdtab) {
            free(c);
            return NULL;
        }
        atomic_init(&c->ref, 1);
        c->priv = priv;
        c->id = atomic_fetch_add(&next_client_id, 1);
        atomic_fetch_add(&priv->nclients, 1);
        server__live_get(priv);
        return c;
    }
    if (!c)
        return NULL;
    /* Every fd the client left open is released down the graph now, as
     * the client will never send RELEASE for them. */
    gf_fdtable_drain(c->fdtab, drain_one, c);
    client_gone(c);
    gf_log(gf_xlator_name(priv->self), GF_LOG_INFO,
           "disconnected client %s (%s)", c->uuid ? c->uuid : "-",
           gf_rpc_conn_peer(conn));
    atomic_fetch_sub(&priv->nclients, 1);
    server__client_unref(c);
    return NULL;
}

static int
server_listen(server_priv_t *priv)
{
    const gf_option_set_t *o = gf_xlator_options(priv->self);
    const char *bind = NULL, *family = "inet";
    int64_t port = 0;
    char addr[128];
    bool inet6;
    int ret;

    gf_option_get_str(o, "transport.address-family", &family);
    inet6 = strcmp(family, "inet6") == 0;
    if (gf_option_get_str(o, "transport.socket.bind-address", &bind) < 0)
        bind = inet6 ? "::1" : "127.0.0.1";
    else if ((strchr(bind, ':') != NULL) != inet6) {
        gf_log(gf_xlator_name(priv->self), GF_LOG_ERROR,
               "bind-address %s is not an %s address", bind, family);
        return -EINVAL;
    }
    gf_option_get_int(o, "transport.socket.listen-port", &port);
    if (inet6)
        snprintf(addr, sizeof(addr), "[%s]:%d", bind, (int)port);
    else
        snprintf(addr, sizeof(addr), "%s:%d", bind, (int)port);
    ret = gf_rpcsvc_listen(priv->svc, addr);
    if (ret < 0) {
        gf_log(gf_xlator_name(priv->self), GF_LOG_ERROR,
               "cannot listen on %s: %s", addr, strerror(-ret));
        return ret;
    }
    priv->port = ret;
    gf_log(gf_xlator_name(priv->self), GF_LOG_INFO, "listening on %s:%d", bind,
           ret);
    return 0;
}

static int
server_make_tables(server_priv_t *priv)
{
    int64_t lru = 16384;

    gf_option_get_int(gf_xlator_options(priv->self), "inode-lru-limit", &lru);
    priv->nsubvols = gf_xlator_nchildren(priv->self);
    priv->itables =
        calloc(priv->nsubvols ? priv->nsubvols : 1, sizeof(*priv->itables));
    priv->child_up =
        calloc(priv->nsubvols ? priv->nsubvols : 1, sizeof(*priv->child_up));
    if (!priv->itables || !priv->child_up)
        return -ENOMEM;
    for (unsigned i = 0; i < priv->nsubvols; i++) {
        /* Context slots for every translator of the graph, whose cbks
         * (posix: close its OS fd) run when inodes and fds die. */
        priv->itables[i] = gf_xlator_inode_table_new(priv->self, (uint32_t)lru);
        if (!priv->itables[i])
            return -ENOMEM;
    }
    return 0;
}

/*
 * The connections' event pool: the process's when the host has one (gfsd:
 * no pool, epoll set or thread of the server's own, and its threads start
 * after the graph is up), resized when THREADS asks for a count; otherwise
 * the server's own, started here.
 */
static int
server_take_event_pool(server_priv_t *priv, unsigned threads)
{
    priv->ev = gf_ctx_event_pool(gf_xlator_ctx(priv->self));
    if (priv->ev)
        return threads ? gf_event_reconfigure_threads(priv->ev, threads) : 0;
    priv->ev = gf_event_pool_new(threads ? threads : 2);
    if (!priv->ev)
        return -errno;
    priv->own_ev = true;
    return gf_event_pool_start(priv->ev);
}

static int
server_start_rpc(server_priv_t *priv)
{
    const gf_option_set_t *o = gf_xlator_options(priv->self);
    gf_rpcsvc_opts_t opts;
    int64_t threads = 0, limit = 64;
    int ret;

    gf_option_get_int(o, "event-threads", &threads);
    gf_option_get_int(o, "rpc.outstanding-rpc-limit", &limit);
    ret = server_take_event_pool(priv, (unsigned)threads);
    if (ret < 0)
        return ret;
    gf_rpcsvc_opts_init(&opts);
    opts.outstanding_limit = (unsigned)limit;
    gf_option_get_bool(o, "rpc.register-with-rpcbind", &opts.rpcbind);
    opts.notify = server_conn_notify;
    opts.notify_data = priv;
    priv->svc = gf_rpcsvc_new(priv->ev, priv->iop, &opts);
    if (!priv->svc)
        return -errno;
    gf_rpcsvc_program_t p = server__hndsk_prog;
    p.data = priv;
    ret = gf_rpcsvc_register(priv->svc, &p);
    if (ret < 0)
        return ret;
    /* Listening waits for PARENT_UP (server_notify): a client that can
     * connect finds the whole graph initialised. */
    return server__fop_register(priv->svc, priv);
}

/*
 * Stop serving before the graph below goes: close the listeners and every
 * connection, then wait, with the event threads still running, until each
 * connection's disconnect has released its fds and locks and every request
 * in flight has been answered. The graph is finished leaves first, so a
 * RELEASE wound after this would reach translators already finished.
 */
static void
server_quiesce(server_priv_t *priv)
{
    const char *name = gf_xlator_name(priv->self);
    struct timespec until;
    int waited = 0;

    if (priv->quiesced)
        return;
    priv->quiesced = true;
    gf_rpcsvc_free(priv->svc);
    priv->svc = NULL;
    pthread_mutex_lock(&priv->live_lock);
    while (atomic_load(&priv->live) != 0 && waited < 60) {
        clock_gettime(CLOCK_REALTIME, &until);
        until.tv_sec += 1;
        if (pthread_cond_timedwait(&priv->live_zero, &priv->live_lock,
                                   &until) == ETIMEDOUT &&
            ++waited % 5 == 0)
            gf_log(name, GF_LOG_WARNING,
                   "shutting down: %u clients or releases still in flight",
                   atomic_load(&priv->live));
    }
    pthread_mutex_unlock(&priv->live_lock);
    if (atomic_load(&priv->live) != 0)
        gf_log(name, GF_LOG_ERROR,
               "shutting down with %u clients or releases in flight",
               atomic_load(&priv->live));
}

static void
server_fini(gf_xlator_t *self)
{
    server_priv_t *priv = gf_xlator_private(self);

    if (!priv)
        return;
    server_quiesce(priv);
    /* Nothing is connected or listening any more: stopping the pool ends
     * the event threads with no handler left to run. (The process's pool
     * runs on; what is left of our sockets there ends on its threads.) */
    if (priv->ev && priv->own_ev) {
        gf_event_pool_stop(priv->ev);
        gf_event_pool_free(priv->ev);
    }
    for (unsigned i = 0; priv->itables && i < priv->nsubvols; i++)
        gf_inode_table_free(priv->itables[i]);
    free(priv->itables);
    free(priv->child_up);
    if (priv->pool && priv->pool != gf_ctx_call_pool(gf_xlator_ctx(self)))
        gf_call_pool_free(priv->pool);
    gf_mem_pool_destroy(priv->state_pool);
    if (priv->own_iop)
        gf_iobuf_pool_free(priv->iop);
    pthread_cond_destroy(&priv->live_zero);
    pthread_mutex_destroy(&priv->live_lock);
    free(priv);
    gf_xlator_set_private(self, NULL);
}

static int
server_init(gf_xlator_t *self)
{
    server_priv_t *priv;
    int ret;

    if (gf_xlator_nchildren(self) == 0) {
        gf_log(gf_xlator_name(self), GF_LOG_ERROR,
               "protocol/server needs at least one subvolume");
        return -EINVAL;
    }
    priv = calloc(1, sizeof(*priv));
    if (!priv)
        return -ENOMEM;
    pthread_mutex_init(&priv->live_lock, NULL);
    pthread_cond_init(&priv->live_zero, NULL);
    priv->self = self;
    gf_xlator_set_private(self, priv);
    priv->iop = gf_ctx_iobuf_pool(gf_xlator_ctx(self));
    if (!priv->iop) {
        priv->iop = gf_iobuf_pool_new();
        priv->own_iop = true;
    }
    /* The daemon's call pool, so that its statedump lists our requests;
     * our own when the process has none. */
    priv->pool = gf_ctx_call_pool(gf_xlator_ctx(self));
    if (!priv->pool)
        priv->pool = gf_call_pool_new(gf_xlator_ctx(self));
    priv->state_pool =
        gf_mem_pool_new("server-state", sizeof(server_state_t), 256);
    if (!priv->iop || !priv->pool || !priv->state_pool) {
        server_fini(self);
        return -ENOMEM;
    }
    ret = server_make_tables(priv);
    if (ret == 0)
        ret = server_start_rpc(priv);
    if (ret < 0)
        server_fini(self);
    return ret;
}

static int
server_notify(gf_xlator_t *self, gf_xlator_event_t event, void *data)
{
    server_priv_t *priv = gf_xlator_private(self);

    /* CHILD_* events carry no sender here: the first child is the one a
     * single-brick server exports, the others follow it. */
    if (priv && event == GF_EVENT_PARENT_DOWN)
        server_quiesce(priv);
    if (priv && (event == GF_EVENT_CHILD_UP || event == GF_EVENT_CHILD_DOWN))
        for (unsigned i = 0; i < priv->nsubvols; i++)
            atomic_store(&priv->child_up[i], event == GF_EVENT_CHILD_UP);
    if (priv && event == GF_EVENT_PARENT_UP && priv->port == 0) {
        /* Activation: every translator below is initialised and has been
         * told (a leaf answers with CHILD_UP), so accept from now on. A
         * port that cannot be bound fails the activation. */
        int ret = gf_xlator_notify_default(self, event, data);

        return ret < 0 ? ret : server_listen(priv);
    }
    return gf_xlator_notify_default(self, event, data);
}

static int
count_fds(const gf_inode_info_t *info, void *data)
{
    *(uint64_t *)data += info->nfds;
    return 0;
}

/* Clients, connections, and per subvolume the inode table and the fds
 * open on its inodes: what a leak check after disconnects compares. */
static int
server_dump(gf_xlator_t *self, FILE *out)
{
    server_priv_t *priv = gf_xlator_private(self);
    gf_inode_table_stats_t st;
    char key[64];

    if (!priv)
        return 0;
    gf_xlator_dump(out, "port", "%d", priv->port);
    gf_xlator_dump(out, "clients", "%u", atomic_load(&priv->nclients));
    gf_xlator_dump(out, "connections", "%u", gf_rpcsvc_conn_count(priv->svc));
    for (unsigned i = 0; i < priv->nsubvols; i++) {
        uint64_t nfds = 0;
        if (gf_inode_table_stats(priv->itables[i], &st) < 0)
            continue;
        gf_inode_table_dump(priv->itables[i], count_fds, &nfds);
        snprintf(key, sizeof(key), "itable.%u.active", i);
        gf_xlator_dump(out, key, "%llu", (unsigned long long)st.active);
        snprintf(key, sizeof(key), "itable.%u.lru", i);
        gf_xlator_dump(out, key, "%llu", (unsigned long long)st.lru);
        snprintf(key, sizeof(key), "itable.%u.dentries", i);
        gf_xlator_dump(out, key, "%llu", (unsigned long long)st.dentries);
        snprintf(key, sizeof(key), "itable.%u.open-fds", i);
        gf_xlator_dump(out, key, "%llu", (unsigned long long)nfds);
    }
    return 0;
}

static const gf_xlator_dumpops_t server_dumpops = {.priv = server_dump};

GF_XLATOR_DESCRIPTOR(protocol_server) = {
    .abi_major = GF_XLATOR_ABI_MAJOR,
    .abi_minor = GF_XLATOR_ABI_MINOR,
    .type = "protocol/server",
    .description = "exports its subvolumes over the GlusterFS 4.x protocol",
    .options = server_options,
    .init = server_init,
    .fini = server_fini,
    .notify = server_notify,
    .dumpops = &server_dumpops,
};
