/* SPDX-License-Identifier: LGPL-3.0-or-later */
/*
 * client-handshake.c - what protocol/client does on each connection
 * (glusterfs-notes.md 4.1): GF-DUMP, to check that the peer is a brick
 * speaking FOP 1298437 v400 (a peer listing PORTMAP is glusterd, not a
 * brick), then SETVOLUME naming the remote subvolume. An accepted
 * SETVOLUME raises CHILD_UP; a lost connection, a refused handshake or a
 * brick that never answered since PARENT_UP raises CHILD_DOWN, once per
 * UP. A refused handshake is retried every 3 s, as upstream does, so a
 * brick that comes right later is picked up; reconnecting after a lost
 * connection is rpc-clnt's job.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "client-int.h"

enum {
    RETRY_MS = 3000,      /* GlusterFS's reconnect interval */
    WATCH_MS = 1000,      /* first-connect watchdog period */
    DUMP_GFS_ID = 0xcaed, /* what every client sends in DUMP */
};

/* ---- timers ----------------------------------------------------------------
 */

/* Arm SLOT (under LOCK) unless stopping or already armed. */
static void
arm(client_priv_t *priv, gf_timer_t **slot, uint64_t ms, gf_timer_cb_t cb)
{
    if (*slot || priv->stopping)
        return;
    *slot = gf_timer_call_after(priv->tw, ms, cb, priv);
    if (*slot)
        priv->timers_live++;
}

/* A timer callback's start: take its handle; false if stopping. */
static bool
fired(client_priv_t *priv, gf_timer_t **slot)
{
    gf_timer_t *t;
    bool go;

    pthread_mutex_lock(&priv->lock);
    t = *slot;
    *slot = NULL;
    go = !priv->stopping;
    pthread_mutex_unlock(&priv->lock);
    if (t)
        gf_timer_release(priv->tw, t);
    return go;
}

/* A timer callback's end. */
static void
finished(client_priv_t *priv)
{
    pthread_mutex_lock(&priv->lock);
    priv->timers_live--;
    pthread_cond_broadcast(&priv->timers_idle);
    pthread_mutex_unlock(&priv->lock);
}

void
client__disarm(client_priv_t *priv)
{
    gf_timer_t *t[2];

    pthread_mutex_lock(&priv->lock);
    t[0] = priv->retry;
    t[1] = priv->watch;
    priv->retry = priv->watch = NULL;
    pthread_mutex_unlock(&priv->lock);
    for (int i = 0; i < 2; i++) {
        if (t[i] && gf_timer_cancel(priv->tw, t[i]) == 0) {
            pthread_mutex_lock(&priv->lock);
            priv->timers_live--;
            pthread_mutex_unlock(&priv->lock);
        }
    }
    pthread_mutex_lock(&priv->lock);
    while (priv->timers_live > 0)
        pthread_cond_wait(&priv->timers_idle, &priv->lock);
    pthread_mutex_unlock(&priv->lock);
}

static void
retry_cb(void *data)
{
    client_priv_t *priv = data;

    if (fired(priv, &priv->retry)) {
        pthread_mutex_lock(&priv->lock);
        client__set_state(priv, CLIENT_CONNECTING);
        pthread_mutex_unlock(&priv->lock);
        gf_rpc_clnt_start(priv->clnt);
    }
    finished(priv);
}

/*
 * The brick never answered since PARENT_UP (nothing listens, say): tell
 * the parents CHILD_DOWN, as GlusterFS does on the first failed connect,
 * so that nobody waits for an UP that may never come. rpc-clnt keeps
 * trying; a later success still raises CHILD_UP.
 */
static void
watch_cb(void *data)
{
    client_priv_t *priv = data;
    gf_rpc_clnt_stats_t st;
    bool down = false;

    if (fired(priv, &priv->watch) && gf_rpc_clnt_stats(priv->clnt, &st) == 0) {
        pthread_mutex_lock(&priv->lock);
        /* Only while no connection exists at all: a handshake needs two
         * round trips before it can raise CHILD_UP, so this DOWN cannot
         * overtake an UP. */
        if (priv->state != CLIENT_UP && !priv->down_sent) {
            down = priv->state == CLIENT_CONNECTING && st.connects == 0 &&
                   st.connect_attempts > 0;
            if (down)
                snprintf(priv->last_error, sizeof(priv->last_error),
                         "cannot connect (%llu attempts)",
                         (unsigned long long)st.connect_attempts);
            else
                arm(priv, &priv->watch, WATCH_MS, watch_cb);
        }
        pthread_mutex_unlock(&priv->lock);
    }
    if (down) {
        gf_log(gf_xlator_name(priv->self), GF_LOG_ERROR,
               "cannot connect to %s; still trying", priv->address);
        client__notify_up(priv, GF_EVENT_CHILD_DOWN);
    }
    finished(priv);
}

/*
 * The peer refused us or is not a brick: drop the connection, report
 * CHILD_DOWN (once) so nobody waits for an UP that will not come, and
 * try again in RETRY_MS.
 */
static void
refuse(client_priv_t *priv, const char *why)
{
    gf_log(gf_xlator_name(priv->self), GF_LOG_ERROR, "%s: %s", priv->address,
           why);
    pthread_mutex_lock(&priv->lock);
    snprintf(priv->last_error, sizeof(priv->last_error), "%s", why);
    client__set_state(priv, CLIENT_CONNECTING);
    pthread_mutex_unlock(&priv->lock);
    gf_rpc_clnt_disconnect(priv->clnt);
    client__notify_up(priv, GF_EVENT_CHILD_DOWN);
    pthread_mutex_lock(&priv->lock);
    arm(priv, &priv->retry, RETRY_MS, retry_cb);
    pthread_mutex_unlock(&priv->lock);
}

void
client__notify_up(client_priv_t *priv, gf_xlator_event_t ev)
{
    bool send;

    pthread_mutex_lock(&priv->lock);
    if (ev == GF_EVENT_CHILD_UP) {
        send = true;
        priv->down_sent = false;
    } else {
        send = !priv->down_sent;
        priv->down_sent = true;
    }
    pthread_mutex_unlock(&priv->lock);
    if (send)
        gf_xlator_notify_default(priv->self, ev, NULL);
}

static int
set_num(gf_dict_t *d, const char *key, long long v)
{
    char buf[32];

    snprintf(buf, sizeof(buf), "%lld", v);
    return gf_dict_set_str(d, key, buf);
}

/* The SETVOLUME request dict: our options and who we are. */
static gf_dict_t *
volume_dict(client_priv_t *priv, uint64_t attempt)
{
    gf_ctx_t *ctx = gf_xlator_ctx(priv->self);
    gf_dict_t *d = gf_dict_new();
    char host[64] = "", uuid[GF_PROCESS_UUID_MAX + 192];
    int bad = 0;

    if (!d)
        return NULL;
    gethostname(host, sizeof(host) - 1);
    snprintf(uuid, sizeof(uuid),
             "CTX_ID:%s-GRAPH_ID:0-PID:%d-HOST:%s-PC_NAME:%s-RECON_NO:-%llu",
             gf_ctx_process_uuid(ctx), (int)getpid(), host,
             gf_xlator_name(priv->self), (unsigned long long)attempt);
    bad |= gf_dict_set_str(d, "process-uuid", uuid);
    bad |= set_num(d, "fops-version", GF_XDR_FOP_PROG);
    bad |= gf_dict_set_str(d, "client-version", PACKAGE_VERSION);
    bad |= gf_dict_set_str(d, "remote-host", priv->remote_host);
    bad |= set_num(d, "remote-port", priv->port);
    bad |= gf_dict_set_str(d, "remote-subvolume", priv->remote_subvol);
    bad |= gf_dict_set_str(d, "transport-type", "socket");
    bad |= gf_dict_set_str(d, "transport.address-family", priv->family);
    bad |= set_num(d, "clnt-lk-version", 1);
    bad |= set_num(d, "opversion", 100000);
    if (priv->username)
        bad |= gf_dict_set_str(d, "username", priv->username);
    if (priv->password)
        bad |= gf_dict_set_str(d, "password", priv->password);
    if (bad) {
        gf_dict_unref(d);
        return NULL;
    }
    return d;
}

/* What SETVOLUME's reply says; 0 if we are in. */
static int
setvolume_result(client_priv_t *priv, const gf_setvolume_rsp *rsp)
{
    const char *self = gf_xlator_name(priv->self), *err = NULL;
    gf_dict_t *d = NULL;
    uint64_t up = 1;
    char why[320];

    if (rsp->dict.dict_len &&
        gf_dict_old_decode(rsp->dict.dict_val, rsp->dict.dict_len, &d) < 0)
        d = NULL;
    if (d)
        gf_dict_get_str(d, "ERROR", &err);
    if (d && gf_dict_get_uint64(d, "child_up", &up) < 0)
        up = 1; /* absent: assume up, as upstream */
    if (rsp->op_ret < 0) {
        snprintf(why, sizeof(why), "%s for remote-subvolume \"%s\": %s (%s)",
                 rsp->op_errno == EACCES ? "authentication failed"
                                         : "SETVOLUME refused",
                 priv->remote_subvol, err ? err : "no reason given",
                 strerror(rsp->op_errno));
    } else if (!up) {
        snprintf(why, sizeof(why), "remote-subvolume \"%s\" is not up yet",
                 priv->remote_subvol);
    }
    if (d)
        gf_dict_unref(d);
    if (rsp->op_ret < 0 || !up) {
        refuse(priv, why);
        return -1;
    }
    gf_log(self, GF_LOG_INFO, "connected to %s, remote-subvolume \"%s\"",
           priv->address, priv->remote_subvol);
    return 0;
}

static void
setvolume_cbk(int status, void *base, size_t len, gf_iobuf_t *iob, void *data)
{
    client_priv_t *priv = data;
    gf_setvolume_rsp rsp;

    (void)iob;
    if (status < 0) {
        if (status != -ENOTCONN)
            refuse(priv, "SETVOLUME failed at the RPC level");
        return;
    }
    memset(&rsp, 0, sizeof(rsp));
    if (gf_xdr_decode((xdrproc_t)xdr_gf_setvolume_rsp, base, len, &rsp,
                      sizeof(rsp), NULL) < 0) {
        refuse(priv, "malformed SETVOLUME reply");
        return;
    }
    if (setvolume_result(priv, &rsp) == 0) {
        pthread_mutex_lock(&priv->lock);
        if (++priv->gen == 0)
            priv->gen = 1;
        client__set_state(priv, CLIENT_UP);
        priv->last_error[0] = '\0';
        pthread_mutex_unlock(&priv->lock);
        client__notify_up(priv, GF_EVENT_CHILD_UP);
    }
    xdr_free((xdrproc_t)xdr_gf_setvolume_rsp, (char *)&rsp);
}

static void
setvolume(client_priv_t *priv, uint64_t attempt)
{
    gf_rpc_auth_t auth = {.flavor = GF_RPC_CLNT_AUTH_GLUSTERFS_V3,
                          .id = &client__root};
    gf_dict_t *d = volume_dict(priv, attempt);
    gf_setvolume_req req = {{0, NULL}};
    ssize_t n = d ? gf_dict_old_size(d) : -1;
    char *buf = n > 0 ? malloc((size_t)n) : NULL;
    int ret = -ENOMEM;

    if (buf && gf_dict_old_encode(d, buf, (size_t)n) >= 0) {
        req.dict.dict_val = buf;
        req.dict.dict_len = (u_int)n;
        ret = client__call(priv, GF_XDR_HNDSK_PROG, GF_XDR_HNDSK_VERS,
                           GF_XDR_HNDSK_SETVOLUME, &auth,
                           (xdrproc_t)xdr_gf_setvolume_req, &req, NULL, 0, NULL,
                           setvolume_cbk, priv);
    }
    free(buf);
    if (d)
        gf_dict_unref(d);
    if (ret < 0 && ret != -ENOTCONN)
        refuse(priv, "cannot send SETVOLUME");
}

/* 0 if the DUMP list shows a brick speaking FOP v400, else why not. */
static const char *
check_programs(const gf_dump_rsp *rsp)
{
    bool fop = false;

    if (rsp->op_ret < 0)
        return "DUMP failed on the peer";
    for (const gf_prog_detail *p = rsp->prog; p; p = p->next) {
        if (p->prognum == GF_XDR_PMAP_PROG)
            return "this is glusterd (it lists PORTMAP), not a brick: set "
                   "remote-port to the brick's port";
        if (p->prognum == GF_XDR_FOP_PROG && p->progver == GF_XDR_FOP_VERS)
            fop = true;
    }
    return fop ? NULL : "the peer does not speak GlusterFS FOP 1298437 v400";
}

static void
dump_cbk(int status, void *base, size_t len, gf_iobuf_t *iob, void *data)
{
    client_priv_t *priv = data;
    const char *why;
    gf_dump_rsp rsp;
    uint64_t attempt;

    (void)iob;
    if (status < 0) {
        if (status != -ENOTCONN)
            refuse(priv, "DUMP failed at the RPC level");
        return;
    }
    memset(&rsp, 0, sizeof(rsp));
    if (gf_xdr_decode((xdrproc_t)xdr_gf_dump_rsp, base, len, &rsp, sizeof(rsp),
                      NULL) < 0) {
        refuse(priv, "malformed DUMP reply");
        return;
    }
    why = check_programs(&rsp);
    xdr_free((xdrproc_t)xdr_gf_dump_rsp, (char *)&rsp);
    if (why) {
        refuse(priv, why);
        return;
    }
    pthread_mutex_lock(&priv->lock);
    attempt = priv->attempts;
    pthread_mutex_unlock(&priv->lock);
    setvolume(priv, attempt);
}

static void
handshake(client_priv_t *priv)
{
    /* Upstream sends DUMP with v2 credentials, the rest with v3. */
    gf_rpc_auth_t auth = {.flavor = GF_RPC_CLNT_AUTH_GLUSTERFS_V2,
                          .id = &client__root};
    gf_dump_req req = {.gfs_id = DUMP_GFS_ID};
    int ret;

    pthread_mutex_lock(&priv->lock);
    client__set_state(priv, CLIENT_HANDSHAKING);
    priv->attempts++;
    pthread_mutex_unlock(&priv->lock);
    ret = client__call(priv, GF_XDR_DUMP_PROG, GF_XDR_DUMP_VERS,
                       GF_XDR_DUMP_DUMP, &auth, (xdrproc_t)xdr_gf_dump_req,
                       &req, NULL, 0, NULL, dump_cbk, priv);
    if (ret < 0 && ret != -ENOTCONN)
        refuse(priv, "cannot send DUMP");
}

void
client__conn_notify(gf_rpc_clnt_t *clnt, gf_rpc_clnt_event_t ev, void *data)
{
    client_priv_t *priv = data;
    bool was_up;

    (void)clnt;
    if (ev == GF_RPC_CLNT_CONNECTED) {
        handshake(priv);
        return;
    }
    pthread_mutex_lock(&priv->lock);
    was_up = priv->state == CLIENT_UP;
    if (priv->state != CLIENT_IDLE)
        client__set_state(priv, CLIENT_CONNECTING);
    pthread_mutex_unlock(&priv->lock);
    if (was_up)
        gf_log(gf_xlator_name(priv->self), GF_LOG_WARNING,
               "disconnected from %s", priv->address);
    client__notify_up(priv, GF_EVENT_CHILD_DOWN);
}

void
client__arm_watch(client_priv_t *priv)
{
    arm(priv, &priv->watch, WATCH_MS, watch_cb);
}
