/* SPDX-License-Identifier: LGPL-3.0-or-later */
/*
 * server-locks.c - FOP actors for the lock procedures: LK (fcntl locks of
 * an open file), INODELK and FINODELK (byte-range locks in a named domain,
 * by gfid or fd) and ENTRYLK and FENTRYLK (locks on a name in a
 * directory, or on the whole directory).
 *
 * The wire numbers lock commands and types its own way (GF_LK_GETLK 0,
 * SETLK 1, SETLKW 2; GF_LK_F_RDLCK 0, WRLCK 1, UNLCK 2); the fops take
 * the host's F_* values, so both directions are mapped here. The lock
 * type is taken from the request's TYPE field, as upstream's server does.
 * Who owns a lock is the request's lk-owner (its credential) and the
 * connection (gf_identity_t.client, set where the frame is made); the
 * owner bytes inside gf_proto_flock only travel along. Entry lock
 * commands and types have the same numbers on the wire and in the fops.
 *
 * A blocking request (SETLKW, ENTRYLK_LOCK) is parked by features/locks
 * below without holding any thread; its reply leaves whenever the lock is
 * granted, or with EAGAIN when the client disconnects first.
 */
#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "server-fops.h"

enum {
    WIRE_GETLK = 0,
    WIRE_SETLK = 1,
    WIRE_SETLKW = 2,
    WIRE_RDLCK = 0,
    WIRE_WRLCK = 1,
    WIRE_UNLCK = 2,
};

static int
cmd_from_wire(uint32_t cmd)
{
    switch (cmd) {
    case WIRE_GETLK:
        return F_GETLK;
    case WIRE_SETLK:
        return F_SETLK;
    case WIRE_SETLKW:
        return F_SETLKW;
    default:
        return -1;
    }
}

static int
type_from_wire(uint32_t type)
{
    switch (type) {
    case WIRE_RDLCK:
        return F_RDLCK;
    case WIRE_WRLCK:
        return F_WRLCK;
    case WIRE_UNLCK:
        return F_UNLCK;
    default:
        return -1;
    }
}

static uint32_t
type_to_wire(int type)
{
    return type == F_RDLCK   ? WIRE_RDLCK
           : type == F_WRLCK ? WIRE_WRLCK
                             : WIRE_UNLCK;
}

/* Take the lock request of A (command CMD, type TYPE on the wire) into
 * ST: st->flags the F_* command, st->flock the lock. False (and answered
 * with EINVAL or ENOMEM) when it cannot be. */
static bool
take_flock(server_state_t *st, uint32_t cmd, uint32_t type,
           const gf_proto_flock *w)
{
    int c = cmd_from_wire(cmd), t = type_from_wire(type);
    gf_flock_t *f;

    if (c < 0 || t < 0 || w->lk_owner.lk_owner_len > GF_LKOWNER_MAX) {
        server__state_fail(st, EINVAL);
        return false;
    }
    f = calloc(1, sizeof(*f));
    if (!f) {
        server__state_fail(st, ENOMEM);
        return false;
    }
    f->type = (int16_t)t;
    f->whence = (int16_t)w->whence;
    f->start = (int64_t)w->start;
    f->len = (int64_t)w->len;
    f->pid = (int32_t)w->pid;
    f->owner.len = w->lk_owner.lk_owner_len;
    if (f->owner.len)
        memcpy(f->owner.data, w->lk_owner.lk_owner_val, f->owner.len);
    st->flags = c;
    st->flock = f;
    return true;
}

/* ---- LK ---------------------------------------------------------------- */

static int
lk_cbk(gf_frame_t *frame, void *cookie, gf_xlator_t *self, int32_t op_ret,
       int32_t op_errno, gf_flock_t *flock, gf_dict_t *xdata)
{
    server_state_t *st = gf_frame_local(frame);
    gfx_lk_rsp rsp;

    (void)cookie, (void)self;
    memset(&rsp, 0, sizeof(rsp));
    rsp.op_ret = op_ret;
    rsp.op_errno = op_ret < 0 ? op_errno : 0;
    if (op_ret >= 0 && flock) {
        rsp.flock.type = type_to_wire(flock->type);
        rsp.flock.whence = (uint32_t)flock->whence;
        rsp.flock.start = (uint64_t)flock->start;
        rsp.flock.len = (uint64_t)flock->len;
        rsp.flock.pid = (uint32_t)flock->pid;
        /* Borrowed for the encoder, which only reads it. */
        rsp.flock.lk_owner.lk_owner_len = flock->owner.len;
        rsp.flock.lk_owner.lk_owner_val = (char *)flock->owner.data;
    }
    rsp.xdata = xdata;
    server__reply(st, (xdrproc_t)xdr_gfx_lk_rsp, &rsp);
    return 0;
}

static void
lk_resume(server_state_t *st)
{
    gf_wind_lk(st->frame, st->bound, lk_cbk, NULL, st->fd, st->flags, st->flock,
               st->xdata);
}

static int
lk_actor(gf_rpcsvc_req_t *req, void *data)
{
    gfx_lk_req a;
    server_state_t *st;
    int ret =
        server__begin(req, data, (xdrproc_t)xdr_gfx_lk_req, &a, sizeof(a), &st);

    if (st) {
        st->xdata = server__take_dict(&a.xdata);
        if (take_flock(st, a.cmd, a.type, &a.flock))
            server__fd_start(st, a.fd, lk_resume);
    }
    xdr_free((xdrproc_t)xdr_gfx_lk_req, (char *)&a);
    return ret;
}

/* ---- INODELK, FINODELK ------------------------------------------------- */

static void
inodelk_resume(server_state_t *st)
{
    if (st->fd)
        gf_wind_finodelk(st->frame, st->bound, server__common_cbk, NULL,
                         st->name, st->fd, st->flags, st->flock, st->xdata);
    else
        gf_wind_inodelk(st->frame, st->bound, server__common_cbk, NULL,
                        st->name, &st->loc, st->flags, st->flock, st->xdata);
}

static int
inodelk_actor(gf_rpcsvc_req_t *req, void *data)
{
    gfx_inodelk_req a;
    server_state_t *st;
    int ret = server__begin(req, data, (xdrproc_t)xdr_gfx_inodelk_req, &a,
                            sizeof(a), &st);

    if (st) {
        memcpy(st->gfid.b, a.gfid, 16);
        st->name = server__take_str(&a.volume); /* the lock domain */
        st->xdata = server__take_dict(&a.xdata);
        st->resume = inodelk_resume;
        if (take_flock(st, a.cmd, a.type, &a.flock))
            server__resolve(st);
    }
    xdr_free((xdrproc_t)xdr_gfx_inodelk_req, (char *)&a);
    return ret;
}

static int
finodelk_actor(gf_rpcsvc_req_t *req, void *data)
{
    gfx_finodelk_req a;
    server_state_t *st;
    int ret = server__begin(req, data, (xdrproc_t)xdr_gfx_finodelk_req, &a,
                            sizeof(a), &st);

    if (st) {
        st->name = server__take_str(&a.volume);
        st->xdata = server__take_dict(&a.xdata);
        if (take_flock(st, a.cmd, a.type, &a.flock))
            server__fd_start(st, a.fd, inodelk_resume);
    }
    xdr_free((xdrproc_t)xdr_gfx_finodelk_req, (char *)&a);
    return ret;
}

/* ---- ENTRYLK, FENTRYLK ------------------------------------------------- */

/* The entry lock's name (st->bname, NULL for the whole directory) is
 * not a name to resolve: the directory is named by gfid. */
static void
entrylk_resume(server_state_t *st)
{
    if (st->fd)
        gf_wind_fentrylk(st->frame, st->bound, server__common_cbk, NULL,
                         st->name, st->fd, st->bname, (int32_t)st->mask,
                         (int32_t)st->mode, st->xdata);
    else
        gf_wind_entrylk(st->frame, st->bound, server__common_cbk, NULL,
                        st->name, &st->loc, st->bname, (int32_t)st->mask,
                        (int32_t)st->mode, st->xdata);
}

/* Take the name: present when NAMELEN is not 0, and one component. */
static bool
take_entry_name(server_state_t *st, uint64_t namelen, char **name)
{
    if (namelen == 0)
        return true;
    st->bname = server__take_str(name);
    if (!st->bname || !*st->bname || strchr(st->bname, '/')) {
        server__state_fail(st, EINVAL);
        return false;
    }
    return true;
}

static int
entrylk_actor(gf_rpcsvc_req_t *req, void *data)
{
    gfx_entrylk_req a;
    server_state_t *st;
    int ret = server__begin(req, data, (xdrproc_t)xdr_gfx_entrylk_req, &a,
                            sizeof(a), &st);

    if (st) {
        memcpy(st->gfid.b, a.gfid, 16);
        st->mask = a.cmd;
        st->mode = a.type;
        st->name = server__take_str(&a.volume);
        st->xdata = server__take_dict(&a.xdata);
        st->resume = entrylk_resume;
        if (take_entry_name(st, a.namelen, &a.name))
            server__resolve(st);
    }
    xdr_free((xdrproc_t)xdr_gfx_entrylk_req, (char *)&a);
    return ret;
}

static int
fentrylk_actor(gf_rpcsvc_req_t *req, void *data)
{
    gfx_fentrylk_req a;
    server_state_t *st;
    int ret = server__begin(req, data, (xdrproc_t)xdr_gfx_fentrylk_req, &a,
                            sizeof(a), &st);

    if (st) {
        st->mask = a.cmd;
        st->mode = a.type;
        st->name = server__take_str(&a.volume);
        st->xdata = server__take_dict(&a.xdata);
        if (take_entry_name(st, a.namelen, &a.name))
            server__fd_start(st, a.fd, entrylk_resume);
    }
    xdr_free((xdrproc_t)xdr_gfx_fentrylk_req, (char *)&a);
    return ret;
}

const gf_rpcsvc_actor_t server__lock_actors[] = {
    {"LK", GF_XDR_FOP_LK, lk_actor},
    {"INODELK", GF_XDR_FOP_INODELK, inodelk_actor},
    {"FINODELK", GF_XDR_FOP_FINODELK, finodelk_actor},
    {"ENTRYLK", GF_XDR_FOP_ENTRYLK, entrylk_actor},
    {"FENTRYLK", GF_XDR_FOP_FENTRYLK, fentrylk_actor},
};
const unsigned server__lock_nactors = GF_ARRAY_SIZE(server__lock_actors);
