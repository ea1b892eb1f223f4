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
     .default_value = "2",
     .min = 1,
     .max = 64,
     .description = "event threads of the server's own event pool"},
    {.key = "rpc.register-with-rpcbind",
     .type = GF_OPTION_BOOL,
     .default_value = "off",
     .description = "register the handshake and FOP programs with the "
                    "local rpcbind (rpcinfo -p lists them)"},
    {.key = NULL},
};

static void drain_one(gf_fd_t *fd, int64_t n, void *data);

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
    gf_fdtable_free(c->fdtab);
    free(c->uuid);
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
        atomic_fetch_add(&priv->nclients, 1);
        return c;
    }
    if (!c)
        return NULL;
    /* Every fd the client left open is released down the graph now, as
     * the client will never send RELEASE for them. */
    gf_fdtable_drain(c->fdtab, drain_one, c);
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

static int
server_start_rpc(server_priv_t *priv)
{
    const gf_option_set_t *o = gf_xlator_options(priv->self);
    gf_rpcsvc_opts_t opts;
    int64_t threads = 2, limit = 64;
    int ret;

    gf_option_get_int(o, "event-threads", &threads);
    gf_option_get_int(o, "rpc.outstanding-rpc-limit", &limit);
    priv->ev = gf_event_pool_new((unsigned)threads);
    if (!priv->ev)
        return -errno;
    ret = gf_event_pool_start(priv->ev);
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
    ret = server__fop_register(priv->svc, priv);
    if (ret < 0)
        return ret;
    return server_listen(priv);
}

static void
server_fini(gf_xlator_t *self)
{
    server_priv_t *priv = gf_xlator_private(self);

    if (!priv)
        return;
    gf_rpcsvc_free(priv->svc);
    /* Stopping the pool finishes every disconnect, so no actor or
     * notify runs after this point. */
    if (priv->ev) {
        gf_event_pool_stop(priv->ev);
        gf_event_pool_free(priv->ev);
    }
    for (unsigned i = 0; priv->itables && i < priv->nsubvols; i++)
        gf_inode_table_free(priv->itables[i]);
    free(priv->itables);
    free(priv->child_up);
    if (priv->pool)
        gf_call_pool_free(priv->pool);
    gf_mem_pool_destroy(priv->state_pool);
    if (priv->own_iop)
        gf_iobuf_pool_free(priv->iop);
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
    priv->self = self;
    gf_xlator_set_private(self, priv);
    priv->iop = gf_ctx_iobuf_pool(gf_xlator_ctx(self));
    if (!priv->iop) {
        priv->iop = gf_iobuf_pool_new();
        priv->own_iop = true;
    }
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
    if (priv && (event == GF_EVENT_CHILD_UP || event == GF_EVENT_CHILD_DOWN))
        for (unsigned i = 0; i < priv->nsubvols; i++)
            atomic_store(&priv->child_up[i], event == GF_EVENT_CHILD_UP);
    return gf_xlator_notify_default(self, event, data);
}

static int
server_dump(gf_xlator_t *self, FILE *out)
{
    server_priv_t *priv = gf_xlator_private(self);

    if (!priv)
        return 0;
    gf_xlator_dump(out, "port", "%d", priv->port);
    gf_xlator_dump(out, "clients", "%u", atomic_load(&priv->nclients));
    gf_xlator_dump(out, "connections", "%u", gf_rpcsvc_conn_count(priv->svc));
    return 0;
}

static const gf_xlator_dumpops_t server_dumpops = {.priv = server_dump};

GF_EXPORT const struct gf_xlator_api gf_xlator_api = {
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
