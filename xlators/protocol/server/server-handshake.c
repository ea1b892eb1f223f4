/* SPDX-License-Identifier: LGPL-3.0-or-later */
/*
 * server-handshake.c - the GlusterFS Handshake program (14398633 v2):
 * SETVOLUME binds a connection to one subvolume after checking the
 * client's request dict (process-uuid, remote-subvolume) and its address
 * (auth-allow / auth-reject). Request and reply carry old-format dicts.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "server-int.h"

/* Encode the setvolume reply with REPLY as its dict and send it. */
static int
setvolume_reply(gf_rpcsvc_req_t *req, server_priv_t *priv, int op_ret,
                int op_errno, gf_dict_t *reply)
{
    gf_setvolume_rsp rsp = {.op_ret = op_ret, .op_errno = op_errno};
    ssize_t n = gf_dict_old_size(reply);
    char *buf = NULL;
    int ret;

    if (n > 0) {
        buf = malloc((size_t)n);
        if (!buf || gf_dict_old_encode(reply, buf, (size_t)n) < 0) {
            free(buf);
            return gf_rpcsvc_error(req, GF_RPC_SYSTEM_ERR);
        }
        rsp.dict.dict_val = buf;
        rsp.dict.dict_len = (u_int)n;
    }
    ret = server__send(req, priv, (xdrproc_t)xdr_gf_setvolume_rsp, &rsp);
    free(buf);
    return ret;
}

/*
 * 1 if the peer of REQ may bind to SUBVOL, 0 if refused. A reject list
 * (the subvolume's or the server-wide one) wins; then the subvolume's
 * own allow list decides if it has one, else the server-wide one.
 */
static int
addr_allowed(server_priv_t *priv, gf_rpcsvc_req_t *req, const char *subvol)
{
    const gf_option_set_t *o = gf_xlator_options(priv->self);
    const char *ip = gf_rpc_conn_peer_ip(gf_rpcsvc_req_conn(req));
    char allow[320], reject[320];
    int r;

    if (!ip || !*ip) /* a unix socket is local */
        return 1;
    if ((size_t)snprintf(allow, sizeof(allow), "auth.addr.%s.allow", subvol) >=
            sizeof(allow) ||
        (size_t)snprintf(reject, sizeof(reject), "auth.addr.%s.reject",
                         subvol) >= sizeof(reject))
        return 0; /* a name too long to have been configured */
    if (gf_option_addr_match(o, "auth-reject", ip) == 1 ||
        gf_option_addr_match(o, reject, ip) == 1)
        return 0;
    r = gf_option_addr_match(o, allow, ip);
    if (r != -ENOENT)
        return r == 1;
    return gf_option_addr_match(o, "auth-allow", ip) == 1;
}

static gf_xlator_t *
find_child(server_priv_t *priv, const char *name, unsigned *idx)
{
    for (unsigned i = 0; i < priv->nsubvols; i++) {
        gf_xlator_t *c = gf_xlator_child(priv->self, i);

        if (strcmp(gf_xlator_name(c), name) == 0) {
            *idx = i;
            return c;
        }
    }
    return NULL;
}

/* Check REQD and bind the client; fills REPLY's ERROR. 0 or errno. */
static int
setvolume_check(server_priv_t *priv, gf_rpcsvc_req_t *req, gf_dict_t *reqd,
                gf_dict_t *reply)
{
    server_client_t *c = gf_rpcsvc_req_conn_data(req);
    const char *uuid = NULL, *name = NULL;
    char msg[512];
    gf_xlator_t *child;
    unsigned idx = 0;

    if (gf_dict_get_str(reqd, "process-uuid", &uuid) < 0) {
        gf_dict_set_str(reply, "ERROR", "No UID specified");
        return EINVAL;
    }
    gf_dict_set_str(reply, "process-uuid", uuid);
    if (gf_dict_get_str(reqd, "remote-subvolume", &name) < 0) {
        gf_dict_set_str(reply, "ERROR", "No remote-subvolume option specified");
        return EINVAL;
    }
    child = find_child(priv, name, &idx);
    if (!child) {
        snprintf(msg, sizeof(msg), "remote-subvolume \"%s\" is not found",
                 name);
        gf_dict_set_str(reply, "ERROR", msg);
        return ENOENT;
    }
    if (!addr_allowed(priv, req, name)) {
        snprintf(msg, sizeof(msg), "Authentication failed for %s on \"%s\"",
                 gf_rpcsvc_req_peer(req), name);
        gf_dict_set_str(reply, "ERROR", msg);
        gf_log(gf_xlator_name(priv->self), GF_LOG_WARNING, "%s", msg);
        return EACCES;
    }
    if (!c) {
        gf_dict_set_str(reply, "ERROR", "Out of memory");
        return ENOMEM;
    }
    if (!c->uuid)
        c->uuid = strdup(uuid);
    c->itable = priv->itables[idx];
    atomic_store(&c->bound, child);
    gf_dict_set_str(reply, "ERROR", "Success");
    gf_dict_set_uint64(reply, "child_up",
                       atomic_load(&priv->child_up[idx]) ? 1 : 0);
    gf_log(gf_xlator_name(priv->self), GF_LOG_INFO,
           "accepted client %s from %s on \"%s\"", uuid,
           gf_rpcsvc_req_peer(req), name);
    return 0;
}

static int
setvolume_actor(gf_rpcsvc_req_t *req, void *data)
{
    server_priv_t *priv = data;
    gf_setvolume_req args;
    gf_dict_t *reqd = NULL, *reply;
    int op_errno, ret;

    memset(&args, 0, sizeof(args));
    if (server__decode(req, (xdrproc_t)xdr_gf_setvolume_req, &args,
                       sizeof(args), NULL) < 0)
        return -EBADMSG;
    reply = gf_dict_new();
    if (!reply) {
        xdr_free((xdrproc_t)xdr_gf_setvolume_req, (char *)&args);
        return -ENOMEM;
    }
    if (gf_dict_old_decode(args.dict.dict_val, args.dict.dict_len, &reqd) < 0) {
        gf_dict_set_str(reply, "ERROR", "Internal error: cannot decode dict");
        op_errno = EINVAL;
    } else {
        op_errno = setvolume_check(priv, req, reqd, reply);
    }
    gf_dict_set_uint64(reply, "clnt-lk-version", 0);
    ret = setvolume_reply(req, priv, op_errno ? -1 : 0, op_errno, reply);
    gf_dict_unref(reply);
    if (reqd)
        gf_dict_unref(reqd);
    xdr_free((xdrproc_t)xdr_gf_setvolume_req, (char *)&args);
    (void)ret; /* REQ is consumed whatever the outcome */
    return 0;
}

static const gf_rpcsvc_actor_t hndsk_actors[] = {
    {.name = "SETVOLUME",
     .procnum = GF_XDR_HNDSK_SETVOLUME,
     .fn = setvolume_actor},
};

const gf_rpcsvc_program_t server__hndsk_prog = {
    .name = "GlusterFS Handshake",
    .prognum = GF_XDR_HNDSK_PROG,
    .progver = GF_XDR_HNDSK_VERS,
    .actors = hndsk_actors,
    .nactors = GF_ARRAY_SIZE(hndsk_actors),
};
