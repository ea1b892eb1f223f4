/* SPDX-License-Identifier: LGPL-3.0-or-later */
/*
 * protocol/client - the bottom of a client graph: every fop it receives
 * goes to one remote brick over the GlusterFS 4.x wire protocol.
 *
 * This file holds the option table, init/fini, the graph events, the
 * statedump and the one function every call goes out through: one
 * gf_rpc_clnt per translator, started on PARENT_UP (it reconnects by
 * itself) and closed on PARENT_DOWN. The handshake on each connection is
 * in client-handshake.c, the fops in client-requests.c and
 * client-fops.c.
 */
#include <arpa/inet.h>
#include <errno.h>
#include <netdb.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "client-int.h"

enum { RETRY_MS = 3000 }; /* reconnect back-off cap, as GlusterFS */

const gf_identity_t client__root = {.uid = 0, .gid = 0, .pid = 0};

static const char *const transports[] = {"tcp", "socket", "rdma", NULL};
static const char *const families[] = {"inet", "inet6", NULL};

static const gf_option_t client_options[] = {
    {.key = "remote-host",
     .type = GF_OPTION_STR,
     .description = "address or name of the brick's host (required)"},
    {.key = "remote-port",
     .type = GF_OPTION_INT,
     .default_value = "24007",
     .min = 1,
     .max = 65535,
     .description = "the brick's TCP port"},
    {.key = "remote-subvolume",
     .type = GF_OPTION_STR,
     .description = "name of the exported translator on the brick "
                    "(required)"},
    {.key = "transport-type",
     .type = GF_OPTION_STR,
     .default_value = "tcp",
     .values = transports,
     .description = "tcp (socket); rdma is not supported"},
    {.key = "transport.address-family",
     .type = GF_OPTION_STR,
     .default_value = "inet",
     .values = families,
     .description = "inet or inet6"},
    {.key = "ping-timeout",
     .type = GF_OPTION_TIME,
     .default_value = "42",
     .max = 86400,
     .description = "a brick silent this long is disconnected (0: never)"},
    {.key = "frame-timeout",
     .type = GF_OPTION_TIME,
     .default_value = "1800",
     .max = 86400,
     .description = "a fop without reply this long fails (0: never)"},
    {.key = "username",
     .type = GF_OPTION_STR,
     .description = "sent in SETVOLUME for the brick's login check"},
    {.key = "password",
     .type = GF_OPTION_STR,
     .description = "sent in SETVOLUME with username"},
    {.key = NULL},
};

uint32_t
client__gen(client_priv_t *priv)
{
    return atomic_load_explicit(&priv->up_gen, memory_order_acquire);
}

/* ---- the submit path ---------------------------------------------------- */

int
client__call(client_priv_t *priv, uint32_t prog, uint32_t vers, uint32_t proc,
             const gf_rpc_auth_t *auth, xdrproc_t xproc, void *obj,
             const struct iovec *pay, int n, gf_iobref_t *payref,
             gf_rpc_clnt_cbk_t cbk, void *data)
{
    struct iovec iov[64];
    gf_iobref_t *ref;
    gf_iobuf_t *iob;
    size_t used = 0;
    int ret;

    if (n < 0 || n > 62)
        return -EINVAL;
    iob = gf_xdr_encode_iobuf(priv->iop, xproc, obj, &used);
    if (!iob)
        return -ENOMEM;
    ref = gf_iobref_new();
    if (!ref || gf_iobref_add(ref, iob) < 0 ||
        (payref && gf_iobref_merge(ref, payref) < 0)) {
        gf_iobref_unref(ref);
        gf_iobuf_unref(iob);
        return -ENOMEM;
    }
    iov[0].iov_base = gf_iobuf_ptr(iob);
    iov[0].iov_len = used;
    for (int i = 0; i < n; i++)
        iov[i + 1] = pay[i];
    ret = gf_rpc_clnt_call(priv->clnt, prog, vers, proc, auth, iov, n + 1, ref,
                           cbk, data);
    gf_iobref_unref(ref);
    gf_iobuf_unref(iob);
    return ret;
}

/* ---- options, init, fini --------------------------------------------------
 */

/* HOST (a name or an address) and PORT as the transport's "IP:PORT". */
static int
make_address(client_priv_t *priv)
{
    struct addrinfo hints = {.ai_socktype = SOCK_STREAM}, *res = NULL;
    char ip[INET6_ADDRSTRLEN], buf[INET6_ADDRSTRLEN + 16];
    bool v6 = strcmp(priv->family, "inet6") == 0;
    int ret;

    hints.ai_family = v6 ? AF_INET6 : AF_INET;
    ret = getaddrinfo(priv->remote_host, NULL, &hints, &res);
    if (ret != 0 || !res) {
        gf_log(gf_xlator_name(priv->self), GF_LOG_ERROR,
               "cannot resolve remote-host \"%s\": %s", priv->remote_host,
               gai_strerror(ret));
        return -EHOSTUNREACH;
    }
    if (v6)
        inet_ntop(AF_INET6, &((struct sockaddr_in6 *)res->ai_addr)->sin6_addr,
                  ip, sizeof(ip));
    else
        inet_ntop(AF_INET, &((struct sockaddr_in *)res->ai_addr)->sin_addr, ip,
                  sizeof(ip));
    freeaddrinfo(res);
    snprintf(buf, sizeof(buf), v6 ? "[%s]:%lld" : "%s:%lld", ip,
             (long long)priv->port);
    priv->address = strdup(buf);
    return priv->address ? 0 : -ENOMEM;
}

/* Read and check the options; -EINVAL with a log line if unusable. */
static int
read_options(client_priv_t *priv)
{
    const gf_option_set_t *o = gf_xlator_options(priv->self);
    const char *name = gf_xlator_name(priv->self), *s = NULL;
    uint64_t ms = 0;

    if (gf_option_get_str(o, "transport-type", &s) == 0 &&
        strcasecmp(s, "rdma") == 0) {
        gf_log(name, GF_LOG_ERROR, "transport-type rdma is not supported");
        return -EINVAL;
    }
    if (gf_option_get_str(o, "remote-host", &s) < 0 || !*s ||
        !(priv->remote_host = strdup(s))) {
        gf_log(name, GF_LOG_ERROR, "option remote-host is required");
        return -EINVAL;
    }
    if (gf_option_get_str(o, "remote-subvolume", &s) < 0 || !*s ||
        !(priv->remote_subvol = strdup(s))) {
        gf_log(name, GF_LOG_ERROR, "option remote-subvolume is required");
        return -EINVAL;
    }
    if (gf_option_get_str(o, "username", &s) == 0)
        priv->username = strdup(s);
    if (gf_option_get_str(o, "password", &s) == 0)
        priv->password = strdup(s);
    gf_option_get_str(o, "transport.address-family", &s);
    snprintf(priv->family, sizeof(priv->family), "%s", s ? s : "inet");
    gf_option_get_int(o, "remote-port", &priv->port);
    gf_option_get_time_ms(o, "ping-timeout", &ms);
    priv->ping_ms = (uint32_t)ms;
    ms = 0;
    gf_option_get_time_ms(o, "frame-timeout", &ms);
    priv->frame_ms = (uint32_t)ms;
    return 0;
}

static int
start_rpc(client_priv_t *priv)
{
    gf_ctx_t *ctx = gf_xlator_ctx(priv->self);
    gf_rpc_clnt_opts_t opts;

    priv->iop = gf_ctx_iobuf_pool(ctx);
    if (!priv->iop) {
        priv->iop = gf_iobuf_pool_new();
        priv->own_iop = true;
    }
    priv->tw = gf_ctx_timer_wheel(ctx);
    if (!priv->tw) {
        priv->tw = gf_timer_wheel_new();
        priv->own_tw = true;
    }
    priv->ev = gf_event_pool_new(1);
    if (!priv->iop || !priv->tw || !priv->ev)
        return -ENOMEM;
    if (gf_event_pool_start(priv->ev) < 0)
        return -ENOMEM;
    gf_rpc_clnt_opts_init(&opts);
    opts.call_timeout_ms = priv->frame_ms;
    opts.ping_interval_ms = priv->ping_ms;
    opts.ping_timeout_ms = priv->ping_ms;
    opts.reconnect_min_ms = 100;
    opts.reconnect_max_ms = RETRY_MS;
    opts.notify = client__conn_notify;
    opts.notify_data = priv;
    priv->clnt =
        gf_rpc_clnt_new(priv->ev, priv->iop, priv->tw, priv->address, &opts);
    return priv->clnt ? 0 : -errno;
}

static void
client_fini(gf_xlator_t *self)
{
    client_priv_t *priv = gf_xlator_private(self);

    if (!priv)
        return;
    pthread_mutex_lock(&priv->lock);
    priv->stopping = true;
    pthread_mutex_unlock(&priv->lock);
    if (priv->tw)
        client__disarm(priv);
    gf_rpc_clnt_free(priv->clnt);
    if (priv->ev) {
        gf_event_pool_stop(priv->ev);
        gf_event_pool_free(priv->ev);
    }
    if (priv->own_tw)
        gf_timer_wheel_free(priv->tw);
    if (priv->own_iop)
        gf_iobuf_pool_free(priv->iop);
    free(priv->remote_host);
    free(priv->remote_subvol);
    free(priv->address);
    free(priv->username);
    free(priv->password);
    pthread_cond_destroy(&priv->timers_idle);
    pthread_mutex_destroy(&priv->lock);
    free(priv);
    gf_xlator_set_private(self, NULL);
}

static int
client_init(gf_xlator_t *self)
{
    client_priv_t *priv = calloc(1, sizeof(*priv));
    int ret;

    if (!priv)
        return -ENOMEM;
    if (gf_xlator_nchildren(self) != 0) {
        gf_log(gf_xlator_name(self), GF_LOG_ERROR,
               "protocol/client is a leaf: it takes no subvolumes");
        free(priv);
        return -EINVAL;
    }
    pthread_mutex_init(&priv->lock, NULL);
    pthread_cond_init(&priv->timers_idle, NULL);
    priv->self = self;
    priv->slot = gf_xlator_ctx_slot(self);
    gf_xlator_set_private(self, priv);
    ret = read_options(priv);
    if (ret == 0)
        ret = make_address(priv);
    if (ret == 0)
        ret = start_rpc(priv);
    if (ret < 0)
        client_fini(self);
    return ret;
}

static int
client_notify(gf_xlator_t *self, gf_xlator_event_t event, void *data)
{
    client_priv_t *priv = gf_xlator_private(self);

    if (!priv)
        return gf_xlator_notify_default(self, event, data);
    if (event == GF_EVENT_PARENT_UP) {
        /* CHILD_UP comes when the brick accepts us, not now. */
        pthread_mutex_lock(&priv->lock);
        priv->stopping = false;
        if (priv->state == CLIENT_IDLE)
            client__set_state(priv, CLIENT_CONNECTING);
        client__arm_watch(priv);
        pthread_mutex_unlock(&priv->lock);
        return gf_rpc_clnt_start(priv->clnt);
    }
    if (event == GF_EVENT_PARENT_DOWN) {
        pthread_mutex_lock(&priv->lock);
        priv->stopping = true;
        client__set_state(priv, CLIENT_IDLE);
        pthread_mutex_unlock(&priv->lock);
        client__disarm(priv);
        gf_rpc_clnt_disconnect(priv->clnt);
        client__notify_up(priv, GF_EVENT_CHILD_DOWN);
        return 0;
    }
    return gf_xlator_notify_default(self, event, data);
}

static const char *const state_names[] = {"idle", "connecting", "handshaking",
                                          "up"};

static int
client_dump(gf_xlator_t *self, FILE *out)
{
    client_priv_t *priv = gf_xlator_private(self);
    gf_rpc_clnt_stats_t st;
    char err[256];
    client_state_t state;
    uint32_t gen;

    if (!priv)
        return 0;
    memset(&st, 0, sizeof(st));
    gf_rpc_clnt_stats(priv->clnt, &st);
    pthread_mutex_lock(&priv->lock);
    state = priv->state;
    gen = priv->gen;
    memcpy(err, priv->last_error, sizeof(err));
    pthread_mutex_unlock(&priv->lock);
    gf_xlator_dump(out, "remote", "%s", priv->address);
    gf_xlator_dump(out, "remote-subvolume", "%s", priv->remote_subvol);
    gf_xlator_dump(out, "connected", "%d", state == CLIENT_UP);
    gf_xlator_dump(out, "state", "%s", state_names[state]);
    gf_xlator_dump(out, "generation", "%u", gen);
    gf_xlator_dump(out, "pending", "%zu", st.pending);
    gf_xlator_dump(out, "fds", "%u", atomic_load(&priv->open_fds));
    gf_xlator_dump(out, "fops", "%llu",
                   (unsigned long long)atomic_load(&priv->fops_sent));
    gf_xlator_dump(out, "fops-failed", "%llu",
                   (unsigned long long)atomic_load(&priv->fops_failed));
    gf_xlator_dump(out, "connects", "%llu", (unsigned long long)st.connects);
    gf_xlator_dump(out, "disconnects", "%llu",
                   (unsigned long long)st.disconnects);
    gf_xlator_dump(out, "ping-timeouts", "%llu",
                   (unsigned long long)st.ping_timeouts);
    if (err[0])
        gf_xlator_dump(out, "last-error", "%s", err);
    return 0;
}

static const gf_xlator_dumpops_t client_dumpops = {.priv = client_dump};

static const gf_xlator_cbks_t client_cbks = {
    .release = client__release,
    .releasedir = client__releasedir,
};

GF_XLATOR_DESCRIPTOR(protocol_client) = {
    .abi_major = GF_XLATOR_ABI_MAJOR,
    .abi_minor = GF_XLATOR_ABI_MINOR,
    .type = "protocol/client",
    .description = "sends every fop to one remote brick (GlusterFS 4.x)",
    .options = client_options,
    .init = client_init,
    .fini = client_fini,
    .notify = client_notify,
    .fops = &client__fops,
    .cbks = &client_cbks,
    .dumpops = &client_dumpops,
};
