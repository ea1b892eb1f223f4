/* SPDX-License-Identifier: LGPL-3.0-or-later */
/*
 * rpcsvc.c - the ONC RPC server: service life, listeners, connections,
 * the program registry, call dispatch and replies.
 *
 * A record arrives on a connection's event thread; the header is parsed in
 * place, a request object is taken from a mem pool (no allocation per
 * call), the credential is decoded into it, and the actor found through a
 * lock-free snapshot of the registry is called. The request keeps a
 * reference on the record's iobuf and on its connection, so an actor may
 * answer later from any thread. Replies put the RPC header in a small
 * iobuf and hand it, with the caller's iovecs, to the transport in one
 * record: results are never copied.
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include <gf/log.h>

#include "rpcsvc-int.h"

static const char *const dom = "rpcsvc";

GF_EXPORT void
gf_rpcsvc_opts_init(gf_rpcsvc_opts_t *opts)
{
    if (!opts)
        return;
    memset(opts, 0, sizeof(*opts));
    opts->outstanding_limit = GF_RPCSVC_DEFAULT_OUTSTANDING;
    opts->rpcbind = false;
    gf_rpc_conn_opts_init(&opts->conn);
}

/* ---- service life --------------------------------------------------- */

static void
svc_destroy(gf_rpcsvc_t *svc)
{
    struct gf__rpcsvc_progtab *t, *tn;
    struct gf__rpcsvc_prog *p, *pn;

    t = atomic_load_explicit(&svc->progs, memory_order_relaxed);
    free(t);
    for (t = svc->retired; t; t = tn) {
        tn = t->retired_next;
        free(t);
    }
    for (p = svc->all; p; p = pn) {
        pn = p->all_next;
        free(p->name);
        free(p);
    }
    free(svc->pmap);
    gf_mem_pool_destroy(svc->req_pool);
    pthread_mutex_destroy(&svc->pmap_lock);
    pthread_mutex_destroy(&svc->lock);
    free(svc);
}

static void
svc_unref(gf_rpcsvc_t *svc)
{
    if (atomic_fetch_sub_explicit(&svc->ref, 1, memory_order_acq_rel) == 1)
        svc_destroy(svc);
}

GF_EXPORT gf_rpcsvc_t *
gf_rpcsvc_new(gf_event_pool_t *ev, gf_iobuf_pool_t *iop,
              const gf_rpcsvc_opts_t *opts)
{
    gf_rpcsvc_t *svc;
    int ret;

    if (!ev || !iop ||
        (opts && opts->outstanding_limit > GF_RPCSVC_MAX_OUTSTANDING)) {
        errno = EINVAL;
        return NULL;
    }
    svc = calloc(1, sizeof(*svc));
    if (!svc)
        goto nomem;
    atomic_init(&svc->ref, 1);
    svc->ev = ev;
    svc->iop = iop;
    if (opts)
        svc->opts = *opts;
    else
        gf_rpcsvc_opts_init(&svc->opts);
    svc->tcp_port = -ENOENT;
    pthread_mutex_init(&svc->lock, NULL);
    pthread_mutex_init(&svc->pmap_lock, NULL);
    atomic_init(&svc->progs, NULL);
    atomic_init(&svc->freeing, false);
    atomic_init(&svc->nconns, 0);
    svc->req_pool =
        gf_mem_pool_new("rpcsvc-req", sizeof(struct gf_rpcsvc_req), 1024);
    if (!svc->req_pool) {
        svc_destroy(svc);
        goto nomem;
    }
    ret = gf_rpcsvc_register(svc, &gf__rpcsvc_dump_prog);
    if (ret < 0) {
        svc_destroy(svc);
        errno = -ret;
        return NULL;
    }
    return svc;
nomem:
    errno = ENOMEM;
    return NULL;
}

void
gf__rpcsvc_conn_unref(struct gf__rpcsvc_conn *sc)
{
    gf_rpcsvc_t *svc;

    if (atomic_fetch_sub_explicit(&sc->ref, 1, memory_order_acq_rel) != 1)
        return;
    svc = sc->svc;
    gf_rpc_conn_unref(sc->conn);
    pthread_mutex_destroy(&sc->lock);
    free(sc);
    svc_unref(svc);
}

GF_EXPORT void
gf_rpcsvc_free(gf_rpcsvc_t *svc)
{
    gf_rpc_listener_t *ls[RPCSVC_MAX_LISTENERS];
    struct gf__rpcsvc_conn *sc, **close_list = NULL;
    unsigned nls, nconns = 0, i = 0;

    if (!svc)
        return;
    pthread_mutex_lock(&svc->lock);
    atomic_store_explicit(&svc->freeing, true, memory_order_release);
    nls = svc->nlisteners;
    memcpy(ls, svc->listeners, sizeof(ls[0]) * nls);
    svc->nlisteners = 0;
    for (sc = svc->conns; sc; sc = sc->next)
        nconns++;
    if (nconns)
        close_list = calloc(nconns, sizeof(*close_list));
    for (sc = svc->conns; sc && close_list; sc = sc->next) {
        gf__rpcsvc_conn_ref(sc);
        close_list[i++] = sc;
    }
    pthread_mutex_unlock(&svc->lock);

    for (i = 0; i < nls; i++)
        gf_rpc_listener_close(ls[i]);
    /* Close outside the lock: disconnected() takes it. Without memory
     * for the list the connections end when their peers go. */
    for (i = 0; close_list && i < nconns; i++) {
        gf_rpc_conn_close(close_list[i]->conn);
        gf__rpcsvc_conn_unref(close_list[i]);
    }
    free(close_list);
    gf__rpcsvc_pmap_unset_all(svc);
    svc_unref(svc);
}

GF_EXPORT unsigned
gf_rpcsvc_conn_count(const gf_rpcsvc_t *svc)
{
    return svc ? atomic_load_explicit(&svc->nconns, memory_order_relaxed) : 0;
}

/* ---- connections ---------------------------------------------------- */

static void
on_disconnected(gf_rpc_conn_t *conn, void *data, int error)
{
    struct gf__rpcsvc_conn *sc = data;
    gf_rpcsvc_t *svc = sc->svc;

    atomic_store_explicit(&sc->gone, true, memory_order_release);
    pthread_mutex_lock(&svc->lock);
    if (sc->prev)
        sc->prev->next = sc->next;
    else
        svc->conns = sc->next;
    if (sc->next)
        sc->next->prev = sc->prev;
    pthread_mutex_unlock(&svc->lock);
    /* A reset or a protocol error is worth a line; a clean close is not,
     * except when debugging. */
    if (error)
        gf_log(dom, GF_LOG_INFO, "%s: disconnected: %s", gf_rpc_conn_peer(conn),
               strerror(error));
    else
        gf_log(dom, GF_LOG_DEBUG, "%s: disconnected", gf_rpc_conn_peer(conn));
    if (svc->opts.notify)
        svc->opts.notify(svc, conn, GF_RPCSVC_DISCONNECT, sc->data,
                         svc->opts.notify_data);
    /* Counted down last: once the count drops, the owner has been told. */
    atomic_fetch_sub_explicit(&svc->nconns, 1, memory_order_release);
    gf__rpcsvc_conn_unref(sc);
}

static const gf_rpc_conn_cbs_t conn_cbs = {
    .message = gf__rpcsvc_on_message,
    .disconnected = on_disconnected,
};

static int
on_accept(gf_rpc_listener_t *l, gf_rpc_conn_t *conn, void *data)
{
    gf_rpcsvc_t *svc = data;
    struct gf__rpcsvc_conn *sc = calloc(1, sizeof(*sc));
    int ret;

    if (!sc)
        return -ENOMEM;
    sc->svc = svc;
    sc->conn = gf_rpc_conn_ref(conn);
    atomic_init(&sc->ref, 1);
    atomic_init(&sc->gone, false);
    pthread_mutex_init(&sc->lock, NULL);

    pthread_mutex_lock(&svc->lock);
    if (atomic_load_explicit(&svc->freeing, memory_order_relaxed)) {
        pthread_mutex_unlock(&svc->lock);
        gf_rpc_conn_unref(conn);
        pthread_mutex_destroy(&sc->lock);
        free(sc);
        return -ECONNREFUSED;
    }
    atomic_fetch_add_explicit(&svc->ref, 1, memory_order_relaxed);
    sc->next = svc->conns;
    if (svc->conns)
        svc->conns->prev = sc;
    svc->conns = sc;
    atomic_fetch_add_explicit(&svc->nconns, 1, memory_order_relaxed);
    pthread_mutex_unlock(&svc->lock);

    gf_log(dom, GF_LOG_DEBUG, "%s: accepted", gf_rpc_conn_peer(conn));
    if (svc->opts.notify)
        sc->data = svc->opts.notify(svc, conn, GF_RPCSVC_CONNECT, NULL,
                                    svc->opts.notify_data);
    ret = gf_rpc_conn_start(conn, &conn_cbs, sc);
    if (ret < 0) {
        /* Not started: no disconnected() will come, undo it here. */
        on_disconnected(conn, sc, -ret);
        return ret;
    }
    return 0;
}

GF_EXPORT int
gf_rpcsvc_listen(gf_rpcsvc_t *svc, const char *address)
{
    gf_rpc_listener_t *l;
    int ret, port;

    if (!svc || !address)
        return -EINVAL;
    ret = gf_rpc_listen(svc->ev, svc->iop, address, &svc->opts.conn, on_accept,
                        svc, &l);
    if (ret < 0)
        return ret;
    port = gf_rpc_listener_port(l);
    if (port < 0)
        port = 0; /* a unix socket */
    pthread_mutex_lock(&svc->lock);
    if (svc->nlisteners == RPCSVC_MAX_LISTENERS ||
        atomic_load_explicit(&svc->freeing, memory_order_relaxed)) {
        pthread_mutex_unlock(&svc->lock);
        gf_rpc_listener_close(l);
        return -ENOSPC;
    }
    svc->listeners[svc->nlisteners++] = l;
    if (port > 0 && svc->tcp_port < 0)
        svc->tcp_port = port;
    pthread_mutex_unlock(&svc->lock);
    if (svc->opts.rpcbind && port > 0 && port == gf_rpcsvc_port(svc))
        gf__rpcsvc_pmap_set(svc, port);
    return port;
}

GF_EXPORT int
gf_rpcsvc_port(const gf_rpcsvc_t *svc)
{
    gf_rpcsvc_t *s = (gf_rpcsvc_t *)(uintptr_t)svc;
    int port;

    if (!svc)
        return -EINVAL;
    pthread_mutex_lock(&s->lock);
    port = s->tcp_port;
    pthread_mutex_unlock(&s->lock);
    return port;
}

/* ---- program registry ----------------------------------------------- */

static struct gf__rpcsvc_prog *
prog_copy(const gf_rpcsvc_program_t *p)
{
    struct gf__rpcsvc_prog *np;
    unsigned nprocs = 1; /* room for NULL, which the service answers */

    for (unsigned i = 0; i < p->nactors; i++) {
        if (!p->actors[i].fn || p->actors[i].procnum >= GF_RPCSVC_MAX_PROCS) {
            errno = EINVAL;
            return NULL;
        }
        if (p->actors[i].procnum >= nprocs)
            nprocs = p->actors[i].procnum + 1;
    }
    np = calloc(1, sizeof(*np) + nprocs * sizeof(np->procs[0]));
    if (!np)
        return NULL;
    np->name = strdup(p->name);
    if (!np->name) {
        free(np);
        return NULL;
    }
    np->num = p->prognum;
    np->vers = p->progver;
    np->hidden = p->hidden;
    np->data = p->data;
    np->nprocs = nprocs;
    for (unsigned i = 0; i < p->nactors; i++) {
        gf_rpcsvc_actor_t *slot = &np->procs[p->actors[i].procnum];

        if (slot->fn) { /* the same procnum twice */
            free(np->name);
            free(np);
            errno = EINVAL;
            return NULL;
        }
        *slot = p->actors[i];
    }
    return np;
}

/* Publish a table made of OLD without program SKIP (if not NULL) and with
 * ADD (if not NULL). Caller holds svc->lock. */
static int
progtab_replace(gf_rpcsvc_t *svc, const struct gf__rpcsvc_prog *skip,
                const struct gf__rpcsvc_prog *add)
{
    struct gf__rpcsvc_progtab *old, *nt;
    unsigned n = 0, cap;

    old = atomic_load_explicit(&svc->progs, memory_order_relaxed);
    cap = (old ? old->n : 0) + 1;
    nt = calloc(1, sizeof(*nt) + cap * sizeof(nt->progs[0]));
    if (!nt)
        return -ENOMEM;
    for (unsigned i = 0; old && i < old->n; i++)
        if (old->progs[i] != skip)
            nt->progs[n++] = old->progs[i];
    if (add)
        nt->progs[n++] = add;
    nt->n = n;
    atomic_store_explicit(&svc->progs, nt, memory_order_release);
    /* A reader may still walk OLD: keep it until the service goes. */
    if (old) {
        old->retired_next = svc->retired;
        svc->retired = old;
    }
    return 0;
}

static const struct gf__rpcsvc_prog *
prog_find(const struct gf__rpcsvc_progtab *t, uint32_t num, uint32_t vers)
{
    for (unsigned i = 0; t && i < t->n; i++)
        if (t->progs[i]->num == num && t->progs[i]->vers == vers)
            return t->progs[i];
    return NULL;
}

GF_EXPORT int
gf_rpcsvc_register(gf_rpcsvc_t *svc, const gf_rpcsvc_program_t *prog)
{
    struct gf__rpcsvc_prog *np;
    int ret, port;

    if (!svc || !prog || !prog->name || (prog->nactors && !prog->actors))
        return -EINVAL;
    np = prog_copy(prog);
    if (!np)
        return errno == ENOMEM ? -ENOMEM : -EINVAL;
    pthread_mutex_lock(&svc->lock);
    if (prog_find(gf__rpcsvc_progs(svc), np->num, np->vers)) {
        ret = -EEXIST;
    } else {
        ret = progtab_replace(svc, NULL, np);
    }
    if (ret == 0) {
        np->all_next = svc->all;
        svc->all = np;
    }
    port = svc->tcp_port;
    pthread_mutex_unlock(&svc->lock);
    if (ret < 0) {
        free(np->name);
        free(np);
        return ret;
    }
    if (svc->opts.rpcbind && port > 0 && !np->hidden)
        gf__rpcsvc_pmap_set(svc, port);
    return 0;
}

GF_EXPORT int
gf_rpcsvc_unregister(gf_rpcsvc_t *svc, uint32_t prognum, uint32_t progver)
{
    const struct gf__rpcsvc_prog *p;
    int ret;

    if (!svc)
        return -EINVAL;
    if (prognum == GF_RPC_DUMP_PROGRAM && progver == GF_RPC_DUMP_VERSION)
        return -EPERM;
    pthread_mutex_lock(&svc->lock);
    p = prog_find(gf__rpcsvc_progs(svc), prognum, progver);
    ret = p ? progtab_replace(svc, p, NULL) : -ENOENT;
    pthread_mutex_unlock(&svc->lock);
    if (ret == 0)
        gf__rpcsvc_pmap_unset(svc, prognum, progver);
    return ret;
}
