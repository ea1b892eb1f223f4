/* SPDX-License-Identifier: LGPL-3.0-or-later */
/*
 * rpcsvc-pmap.c - optional registration with the local rpcbind, so that
 * generic ONC RPC tools (rpcinfo, clients that ask the portmapper) find
 * the service's programs. Off by default: GlusterFS clients learn brick
 * ports from glusterd, not from rpcbind.
 *
 * libtirpc's pmap_set/pmap_unset are blocking calls to the local rpcbind
 * (its unix socket, else loopback port 111); they run on the thread that
 * calls listen/register/unregister/free, never on an event thread. A
 * failure is logged and otherwise ignored: the service works without.
 *
 * They are the only libtirpc calls of libgf besides XDR, and the only ones
 * that need the shared libtirpc (with the Kerberos/GSS-API libraries it
 * loads): it is dlopened on first use rather than linked, so a brick that
 * does not register (the default) never loads it (configure.ac: XDR).
 */
#include <dlfcn.h>
#include <errno.h>
#include <netinet/in.h>
#include <pthread.h>
#include <rpc/pmap_clnt.h>
#include <stdlib.h>

#include <gf/log.h>

#include "rpcsvc-int.h"

static const char *const dom = "rpcsvc";

static struct {
    pthread_once_t once;
    __typeof__(pmap_set) *set;
    __typeof__(pmap_unset) *unset;
} tirpc = {.once = PTHREAD_ONCE_INIT};

/* Never dlclosed: libtirpc keeps process-wide state once used. */
static void
tirpc_load(void)
{
    void *h = dlopen(GF_TIRPC_SONAME, RTLD_NOW | RTLD_LOCAL);

    if (h) {
        tirpc.set = (__typeof__(pmap_set) *)dlsym(h, "pmap_set");
        tirpc.unset = (__typeof__(pmap_unset) *)dlsym(h, "pmap_unset");
    }
    if (!tirpc.set || !tirpc.unset) {
        gf_log(dom, GF_LOG_WARNING, "rpcbind: cannot load %s: %s",
               GF_TIRPC_SONAME, dlerror());
        tirpc.set = NULL;
        tirpc.unset = NULL;
    }
}

/* libtirpc's pmap_set/pmap_unset; false when they fail or cannot load. */
static bool
tirpc_pmap_set(uint32_t prog, uint32_t vers, int port)
{
    pthread_once(&tirpc.once, tirpc_load);
    return tirpc.set && tirpc.set(prog, vers, IPPROTO_TCP, port);
}

static bool
tirpc_pmap_unset(uint32_t prog, uint32_t vers)
{
    pthread_once(&tirpc.once, tirpc_load);
    return tirpc.unset && tirpc.unset(prog, vers);
}

static bool
pmap_known(const gf_rpcsvc_t *svc, uint32_t prog, uint32_t vers)
{
    for (unsigned i = 0; i < svc->npmap; i++)
        if (svc->pmap[i].prog == prog && svc->pmap[i].vers == vers)
            return true;
    return false;
}

static void
pmap_add(gf_rpcsvc_t *svc, uint32_t prog, uint32_t vers, int port)
{
    void *n;

    if (!tirpc_pmap_set(prog, vers, port)) {
        gf_log(dom, GF_LOG_WARNING,
               "rpcbind: cannot register program %u "
               "v%u on port %d",
               prog, vers, port);
        return;
    }
    n = realloc(svc->pmap, (svc->npmap + 1) * sizeof(svc->pmap[0]));
    if (!n) {
        /* Cannot remember it: take it back rather than leak it. */
        tirpc_pmap_unset(prog, vers);
        return;
    }
    svc->pmap = n;
    svc->pmap[svc->npmap].prog = prog;
    svc->pmap[svc->npmap].vers = vers;
    svc->npmap++;
}

void
gf__rpcsvc_pmap_set(gf_rpcsvc_t *svc, int port)
{
    const struct gf__rpcsvc_progtab *t;

    pthread_mutex_lock(&svc->pmap_lock);
    t = gf__rpcsvc_progs(svc);
    for (unsigned i = 0; t && i < t->n; i++) {
        const struct gf__rpcsvc_prog *p = t->progs[i];

        if (!p->hidden && !pmap_known(svc, p->num, p->vers))
            pmap_add(svc, p->num, p->vers, port);
    }
    pthread_mutex_unlock(&svc->pmap_lock);
}

void
gf__rpcsvc_pmap_unset(gf_rpcsvc_t *svc, uint32_t prog, uint32_t vers)
{
    pthread_mutex_lock(&svc->pmap_lock);
    for (unsigned i = 0; i < svc->npmap; i++) {
        if (svc->pmap[i].prog != prog || svc->pmap[i].vers != vers)
            continue;
        if (!tirpc_pmap_unset(prog, vers))
            gf_log(dom, GF_LOG_WARNING,
                   "rpcbind: cannot unregister "
                   "program %u v%u",
                   prog, vers);
        svc->pmap[i] = svc->pmap[--svc->npmap];
        break;
    }
    pthread_mutex_unlock(&svc->pmap_lock);
}

void
gf__rpcsvc_pmap_unset_all(gf_rpcsvc_t *svc)
{
    pthread_mutex_lock(&svc->pmap_lock);
    for (unsigned i = 0; i < svc->npmap; i++)
        if (!tirpc_pmap_unset(svc->pmap[i].prog, svc->pmap[i].vers))
            gf_log(dom, GF_LOG_WARNING,
                   "rpcbind: cannot unregister "
                   "program %u v%u",
                   svc->pmap[i].prog, svc->pmap[i].vers);
    svc->npmap = 0;
    pthread_mutex_unlock(&svc->pmap_lock);
}
