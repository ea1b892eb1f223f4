/* SPDX-License-Identifier: LGPL-3.0-or-later */
/*
 * transport.c - RPC socket connections on the event pool: addresses,
 * listeners and accept, outgoing connects, socket options, the event
 * handler, back-pressure, and the life of a connection. Receiving is in
 * record.c, sending in sendq.c.
 *
 * Teardown happens once, whatever starts it (a read error, EOF, a bad
 * record, gf_rpc_conn_close from any thread): the first caller flips the
 * state to CLOSING under the lock, which stops submits, and unregisters
 * the fd with gf_event_unregister_close. The event pool calls our DONE on
 * the connection's event thread once no handler call can run any more and
 * the fd is closed; only there are the buffers dropped and disconnected()
 * called, so it is always the last callback. The transport's own
 * reference is dropped right after.
 */
#include <arpa/inet.h>
#include <errno.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <unistd.h>

#include <gf/log.h>
#include <gf/mem-acct.h>

#include "transport-int.h"

struct gf_rpc_listener {
    gf_event_pool_t *ev;
    gf_iobuf_pool_t *iop;
    gf_rpc_conn_opts_t opts;
    gf_rpc_accept_cb_t accept_cb;
    void *data;
    int fd;
    int id;
    int port; /* -1 for unix */
    char path[sizeof(((struct sockaddr_un *)0)->sun_path)];
};

union addr {
    struct sockaddr sa;
    struct sockaddr_in in;
    struct sockaddr_in6 in6;
    struct sockaddr_un un;
    struct sockaddr_storage ss;
};

GF_EXPORT void
gf_rpc_conn_opts_init(gf_rpc_conn_opts_t *opts)
{
    if (!opts)
        return;
    memset(opts, 0, sizeof(*opts));
    opts->max_record = GF_RPC_DEFAULT_MAX_RECORD;
    opts->nodelay = true;
    opts->keepalive = true;
    opts->keepalive_idle = 20;
    opts->keepalive_intvl = 2;
    opts->keepalive_cnt = 9;
    opts->listen_backlog = 1024;
    opts->max_queued = 64u * 1024u * 1024u;
}

static int
copy_opts(gf_rpc_conn_opts_t *dst, const gf_rpc_conn_opts_t *src)
{
    if (!src) {
        gf_rpc_conn_opts_init(dst);
        return 0;
    }
    if (src->max_record == 0 || src->listen_backlog < 0 ||
        src->keepalive_idle < 0 || src->keepalive_intvl < 0 ||
        src->keepalive_cnt < 0)
        return -EINVAL;
    *dst = *src;
    return 0;
}

/* "PORT" -> 0..65535, digits only. */
static int
parse_port(const char *s)
{
    long v = 0;

    if (!*s || strlen(s) > 5)
        return -EINVAL;
    for (; *s; s++) {
        if (*s < '0' || *s > '9')
            return -EINVAL;
        v = v * 10 + (*s - '0');
    }
    return v <= 65535 ? (int)v : -EINVAL;
}

/* Parse "IPV4:PORT", "[IPV6]:PORT" or "unix:PATH" into *A / *LEN. */
static int
parse_addr(const char *s, union addr *a, socklen_t *len)
{
    char host[INET6_ADDRSTRLEN + 1];
    const char *colon, *h = s;
    size_t hl;
    int port;

    memset(a, 0, sizeof(*a));
    if (!s)
        return -EINVAL;
    if (strncmp(s, "unix:", 5) == 0) {
        hl = strlen(s + 5);
        if (hl == 0 || hl >= sizeof(a->un.sun_path))
            return -EINVAL;
        a->un.sun_family = AF_UNIX;
        memcpy(a->un.sun_path, s + 5, hl + 1);
        *len = (socklen_t)(offsetof(struct sockaddr_un, sun_path) + hl + 1);
        return 0;
    }
    if (*s == '[') {
        colon = strstr(s, "]:");
        h = s + 1;
        if (!colon)
            return -EINVAL;
        hl = (size_t)(colon - h);
        colon++;
    } else {
        colon = strrchr(s, ':');
        if (!colon)
            return -EINVAL;
        hl = (size_t)(colon - s);
    }
    if (hl == 0 || hl >= sizeof(host))
        return -EINVAL;
    memcpy(host, h, hl);
    host[hl] = '\0';
    port = parse_port(colon + 1);
    if (port < 0)
        return port;
    if (*s == '[' && inet_pton(AF_INET6, host, &a->in6.sin6_addr) == 1) {
        a->in6.sin6_family = AF_INET6;
        a->in6.sin6_port = htons((uint16_t)port);
        *len = sizeof(a->in6);
        return 0;
    }
    if (*s != '[' && inet_pton(AF_INET, host, &a->in.sin_addr) == 1) {
        a->in.sin_family = AF_INET;
        a->in.sin_port = htons((uint16_t)port);
        *len = sizeof(a->in);
        return 0;
    }
    return -EINVAL;
}

/* Format A as "IP:PORT", "[IP]:PORT" or "unix:PATH"; IP alone in IP. */
static void
format_addr(const union addr *a, socklen_t len, char *out, size_t outlen,
            char *ip, size_t iplen)
{
    char buf[INET6_ADDRSTRLEN] = "";

    ip[0] = '\0';
    if (a->sa.sa_family == AF_INET) {
        inet_ntop(AF_INET, &a->in.sin_addr, buf, sizeof(buf));
        snprintf(out, outlen, "%s:%u", buf, ntohs(a->in.sin_port));
    } else if (a->sa.sa_family == AF_INET6) {
        inet_ntop(AF_INET6, &a->in6.sin6_addr, buf, sizeof(buf));
        snprintf(out, outlen, "[%s]:%u", buf, ntohs(a->in6.sin6_port));
    } else {
        size_t off = offsetof(struct sockaddr_un, sun_path);
        int n = len > off ? (int)strnlen(a->un.sun_path, len - off) : 0;

        snprintf(out, outlen, "unix:%.*s", n, a->un.sun_path);
        return;
    }
    snprintf(ip, iplen, "%s", buf);
}

/* TCP_NODELAY and keepalive; unix sockets have neither. Best effort: a
 * failure is logged (we swallow it) and the connection goes on. */
static void
tune_socket(int fd, int family, const gf_rpc_conn_opts_t *o)
{
    int one = 1;
    int bad = 0;

    if (family != AF_INET && family != AF_INET6)
        return;
    if (o->nodelay &&
        setsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof(one)) < 0)
        bad = errno;
    if (o->keepalive) {
        if (setsockopt(fd, SOL_SOCKET, SO_KEEPALIVE, &one, sizeof(one)) < 0)
            bad = errno;
        if (o->keepalive_idle > 0 &&
            setsockopt(fd, IPPROTO_TCP, TCP_KEEPIDLE, &o->keepalive_idle,
                       sizeof(int)) < 0)
            bad = errno;
        if (o->keepalive_intvl > 0 &&
            setsockopt(fd, IPPROTO_TCP, TCP_KEEPINTVL, &o->keepalive_intvl,
                       sizeof(int)) < 0)
            bad = errno;
        if (o->keepalive_cnt > 0 &&
            setsockopt(fd, IPPROTO_TCP, TCP_KEEPCNT, &o->keepalive_cnt,
                       sizeof(int)) < 0)
            bad = errno;
    }
    if (bad)
        gf_log("rpc-transport", GF_LOG_WARNING,
               "socket option on fd %d failed: %s", fd, strerror(bad));
}

static gf_rpc_conn_t *
conn_new(gf_event_pool_t *ev, gf_iobuf_pool_t *iop,
         const gf_rpc_conn_opts_t *opts, int fd, unsigned refs)
{
    gf_rpc_conn_t *c = gf_calloc(NULL, GF_MT_OTHER, 1, sizeof(*c));

    if (!c)
        return NULL;
    c->qpool = gf__rpc_sendq_pool_get();
    if (!c->qpool) {
        gf_free(c);
        return NULL;
    }
    atomic_init(&c->ref, refs);
    c->ev = ev;
    c->iop = iop;
    c->opts = *opts;
    c->fd = fd;
    c->id = -1;
    pthread_mutex_init(&c->lock, NULL);
    atomic_init(&c->state, GF__RPC_NEW);
    atomic_init(&c->paused, 0);
    atomic_init(&c->queued, 0);
    c->qtail = &c->qhead;
    return c;
}

GF_EXPORT gf_rpc_conn_t *
gf_rpc_conn_ref(gf_rpc_conn_t *conn)
{
    if (conn)
        atomic_fetch_add_explicit(&conn->ref, 1, memory_order_relaxed);
    return conn;
}

GF_EXPORT void
gf_rpc_conn_unref(gf_rpc_conn_t *conn)
{
    if (!conn)
        return;
    if (atomic_fetch_sub_explicit(&conn->ref, 1, memory_order_acq_rel) != 1)
        return;
    /* Never registered (a refused accept): the fd is still ours. */
    if (conn->fd >= 0)
        close(conn->fd);
    gf__rpc_sendq_release(conn);
    gf__rpc_rx_release(conn);
    pthread_mutex_destroy(&conn->lock);
    gf_free(conn);
    gf__rpc_sendq_pool_put();
}

bool
gf__rpc_conn_closing(const gf_rpc_conn_t *conn)
{
    return atomic_load(&conn->state) == GF__RPC_CLOSING;
}

/* The event pool is done with the fd (closed) and the handler: last
 * callback, then the transport's reference goes. */
static void
conn_done(void *arg)
{
    gf_rpc_conn_t *conn = arg;

    conn->fd = -1;
    gf__rpc_sendq_release(conn);
    gf__rpc_rx_release(conn);
    if (conn->cbs.disconnected)
        conn->cbs.disconnected(conn, conn->data, conn->error);
    gf_rpc_conn_unref(conn);
}

void
gf__rpc_conn_fail(gf_rpc_conn_t *conn, int error)
{
    bool reg;
    int id;

    pthread_mutex_lock(&conn->lock);
    if (atomic_load(&conn->state) == GF__RPC_CLOSING) {
        pthread_mutex_unlock(&conn->lock);
        return;
    }
    atomic_store(&conn->state, GF__RPC_CLOSING);
    conn->error = error;
    reg = conn->registered;
    id = conn->id;
    conn->registered = false;
    pthread_mutex_unlock(&conn->lock);
    /* Unregistered (accepted, not started): the accept path or the last
     * unref closes the fd; there is nobody to tell. */
    if (reg && gf_event_unregister_close(conn->ev, id, conn_done, conn) < 0)
        GF_ASSERT(!"registered connection without a live event id");
}

/* The outgoing connect finished, one way or the other. */
static void
connect_done(gf_rpc_conn_t *conn, int fd)
{
    struct gf__rpc_sendq *done = NULL;
    int err = 0, r = 0;
    socklen_t len = sizeof(err);

    if (getsockopt(fd, SOL_SOCKET, SO_ERROR, &err, &len) < 0)
        err = errno;
    if (err) {
        gf__rpc_conn_fail(conn, err);
        return;
    }
    pthread_mutex_lock(&conn->lock);
    if (atomic_load(&conn->state) != GF__RPC_CONNECTING) {
        pthread_mutex_unlock(&conn->lock);
        return;
    }
    atomic_store(&conn->state, GF__RPC_UP);
    conn->out_on = true; /* selected while connecting */
    gf_event_select_on(conn->ev, conn->id, atomic_load(&conn->paused) ? 0 : 1,
                       -1);
    pthread_mutex_unlock(&conn->lock);
    if (conn->cbs.connected)
        conn->cbs.connected(conn, conn->data);
    /* Records submitted while connecting go now; this also turns OUT
     * off once the queue is empty. */
    pthread_mutex_lock(&conn->lock);
    if (atomic_load(&conn->state) == GF__RPC_UP)
        r = gf__rpc_sendq_flush_locked(conn, &done);
    pthread_mutex_unlock(&conn->lock);
    gf__rpc_sendq_free_list(done);
    if (r < 0)
        gf__rpc_conn_fail(conn, -r);
}

static void
conn_handler(int id, int fd, void *data, unsigned events)
{
    gf_rpc_conn_t *conn = data;

    (void)id;
    switch (atomic_load(&conn->state)) {
    case GF__RPC_CONNECTING:
        connect_done(conn, fd);
        return;
    case GF__RPC_UP:
        break;
    default:
        return;
    }
    if (events & GF_EVENT_OUT)
        gf__rpc_sendq_flush(conn);
    if ((events & (GF_EVENT_IN | GF_EVENT_HUP)) && !gf__rpc_conn_closing(conn))
        gf__rpc_rx_ready(conn);
}

/* Register CONN's fd with nothing selected, record the id, then select:
 * the handler can then never see the connection without its id. */
static int
conn_register(gf_rpc_conn_t *conn, bool in, bool out)
{
    int id =
        gf_event_register(conn->ev, conn->fd, conn_handler, conn, false, false);

    if (id < 0)
        return id;
    pthread_mutex_lock(&conn->lock);
    conn->id = id;
    conn->registered = true;
    conn->out_on = out;
    pthread_mutex_unlock(&conn->lock);
    return gf_event_select_on(conn->ev, id, in ? 1 : 0, out ? 1 : 0);
}

GF_EXPORT int
gf_rpc_conn_start(gf_rpc_conn_t *conn, const gf_rpc_conn_cbs_t *cbs, void *data)
{
    int r;

    if (!conn || !cbs || !cbs->message || !cbs->disconnected ||
        conn->outgoing || atomic_load(&conn->state) != GF__RPC_NEW)
        return -EINVAL;
    conn->cbs = *cbs;
    conn->data = data;
    atomic_store(&conn->state, GF__RPC_UP);
    /* A pause taken in the accept callback holds from the start. */
    r = conn_register(conn, atomic_load(&conn->paused) == 0, false);
    if (r < 0 && !conn->registered) {
        atomic_store(&conn->state, GF__RPC_NEW);
        return r;
    }
    conn->started = true;
    if (r < 0) {
        gf__rpc_conn_fail(conn, -r);
        return 0; /* disconnected() follows */
    }
    return 0;
}

/* Hand one accepted socket to the owner. */
static void
accept_one(gf_rpc_listener_t *l, int fd, const union addr *a, socklen_t alen)
{
    gf_rpc_conn_t *conn;
    bool started;
    int r;

    conn = conn_new(l->ev, l->iop, &l->opts, fd, 1);
    if (!conn) {
        gf_log("rpc-transport", GF_LOG_ERROR,
               "no memory for an accepted connection, closing it");
        close(fd);
        return;
    }
    format_addr(a, alen, conn->peer, sizeof(conn->peer), conn->peer_ip,
                sizeof(conn->peer_ip));
    tune_socket(fd, a->sa.sa_family, &l->opts);
    /* Once started, another event thread may disconnect the connection
     * and drop the transport's reference before the callback returns:
     * hold one of our own until we have looked at it. */
    gf_rpc_conn_ref(conn);
    r = l->accept_cb(l, conn, l->data);
    started = conn->started;
    gf_rpc_conn_unref(conn);
    if (started)
        return; /* the transport's reference lives until disconnected() */
    /* Refused (or never started): nobody was told about it, so no
     * disconnected(); the unref closes the fd. */
    if (r == 0)
        gf_log("rpc-transport", GF_LOG_WARNING,
               "%s: accepted but never started, closing", conn->peer);
    atomic_store(&conn->state, GF__RPC_CLOSING);
    gf_rpc_conn_unref(conn);
}

static void
listen_handler(int id, int fd, void *data, unsigned events)
{
    gf_rpc_listener_t *l = data;
    union addr a;
    socklen_t alen;
    int cfd;

    (void)id;
    (void)events;
    for (int i = 0; i < GF__RPC_ACCEPT_BURST; i++) {
        alen = sizeof(a);
        cfd = accept4(fd, &a.sa, &alen, SOCK_NONBLOCK | SOCK_CLOEXEC);
        if (cfd < 0) {
            if (errno == EINTR || errno == ECONNABORTED)
                continue;
            if (errno != EAGAIN && errno != EWOULDBLOCK)
                gf_log("rpc-transport", GF_LOG_WARNING, "accept on fd %d: %s",
                       fd, strerror(errno));
            return;
        }
        accept_one(l, cfd, &a, alen);
    }
}

/* A stale socket file left by a dead process blocks bind; remove it, but
 * only a socket, never a regular file someone pointed us at. */
static void
unlink_stale(const char *path)
{
    struct stat st;

    if (lstat(path, &st) == 0 && S_ISSOCK(st.st_mode))
        unlink(path);
}

static int
listen_socket(const union addr *a, socklen_t alen, int backlog, int *out)
{
    int one = 1;
    int fd =
        socket(a->sa.sa_family, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);

    if (fd < 0)
        return -errno;
    if (a->sa.sa_family == AF_UNIX)
        unlink_stale(a->un.sun_path);
    else if (setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof(one)) < 0)
        goto fail;
    if (bind(fd, &a->sa, alen) < 0 || listen(fd, backlog) < 0)
        goto fail;
    *out = fd;
    return 0;
fail:
    one = errno;
    close(fd);
    return -one;
}

/* The bound port of a TCP listener (port 0 asks the kernel). */
static int
bound_port(int fd)
{
    union addr a;
    socklen_t alen = sizeof(a);

    if (getsockname(fd, &a.sa, &alen) < 0)
        return -errno;
    if (a.sa.sa_family == AF_INET)
        return ntohs(a.in.sin_port);
    if (a.sa.sa_family == AF_INET6)
        return ntohs(a.in6.sin6_port);
    return -EINVAL;
}

GF_EXPORT int
gf_rpc_listen(gf_event_pool_t *ev, gf_iobuf_pool_t *iop, const char *address,
              const gf_rpc_conn_opts_t *opts, gf_rpc_accept_cb_t accept_cb,
              void *data, gf_rpc_listener_t **out)
{
    gf_rpc_listener_t *l;
    union addr a;
    socklen_t alen;
    int r;

    if (!ev || !iop || !accept_cb || !out)
        return -EINVAL;
    r = parse_addr(address, &a, &alen);
    if (r)
        return r;
    l = gf_calloc(NULL, GF_MT_OTHER, 1, sizeof(*l));
    if (!l)
        return -ENOMEM;
    r = copy_opts(&l->opts, opts);
    if (!r)
        r = listen_socket(&a, alen, l->opts.listen_backlog, &l->fd);
    if (r) {
        gf_free(l);
        return r;
    }
    l->ev = ev;
    l->iop = iop;
    l->accept_cb = accept_cb;
    l->data = data;
    l->port = a.sa.sa_family == AF_UNIX ? -1 : bound_port(l->fd);
    if (a.sa.sa_family == AF_UNIX)
        snprintf(l->path, sizeof(l->path), "%s", a.un.sun_path);
    l->id = gf_event_register(ev, l->fd, listen_handler, l, true, false);
    if (l->id < 0) {
        r = l->id;
        close(l->fd);
        if (l->path[0])
            unlink(l->path);
        gf_free(l);
        return r;
    }
    *out = l;
    return 0;
}

GF_EXPORT int
gf_rpc_listener_port(const gf_rpc_listener_t *l)
{
    return l && l->port >= 0 ? l->port : -EINVAL;
}

static void
listener_done(void *arg)
{
    gf_free(arg);
}

GF_EXPORT void
gf_rpc_listener_close(gf_rpc_listener_t *l)
{
    if (!l)
        return;
    if (l->path[0])
        unlink(l->path);
    gf_event_unregister_close(l->ev, l->id, listener_done, l);
}

/* Posted when connect() failed at once: report it from the event thread,
 * as an asynchronous failure would be. */
static void
connect_failed(void *arg)
{
    gf_rpc_conn_t *conn = arg;

    gf__rpc_conn_fail(conn, conn->error);
}

static int
connect_socket(gf_rpc_conn_t *conn, const union addr *a, socklen_t alen)
{
    int r;

    r = connect(conn->fd, &a->sa, alen);
    return r == 0 || errno == EINPROGRESS ? 0 : errno;
}

GF_EXPORT int
gf_rpc_connect(gf_event_pool_t *ev, gf_iobuf_pool_t *iop, const char *address,
               const gf_rpc_conn_opts_t *opts, const gf_rpc_conn_cbs_t *cbs,
               void *data, gf_rpc_conn_t **out)
{
    gf_rpc_conn_opts_t o;
    gf_rpc_conn_t *conn;
    union addr a;
    socklen_t alen;
    int fd, r, err;

    if (!ev || !iop || !cbs || !cbs->message || !cbs->disconnected || !out)
        return -EINVAL;
    r = parse_addr(address, &a, &alen);
    if (!r)
        r = copy_opts(&o, opts);
    if (r)
        return r;
    fd = socket(a.sa.sa_family, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
    if (fd < 0)
        return -errno;
    tune_socket(fd, a.sa.sa_family, &o);
    /* One reference for the caller, one for the transport. */
    conn = conn_new(ev, iop, &o, fd, 2);
    if (!conn) {
        close(fd);
        return -ENOMEM;
    }
    conn->outgoing = true;
    conn->cbs = *cbs;
    conn->data = data;
    format_addr(&a, alen, conn->peer, sizeof(conn->peer), conn->peer_ip,
                sizeof(conn->peer_ip));
    atomic_store(&conn->state, GF__RPC_CONNECTING);
    err = connect_socket(conn, &a, alen);
    r = conn_register(conn, false, err == 0);
    if (r < 0 && !conn->registered) {
        atomic_store(&conn->ref, 1);
        gf_rpc_conn_unref(conn); /* closes the fd */
        return r;
    }
    if (r < 0 || err) {
        conn->error = err ? err : -r;
        if (gf_event_post(ev, conn->id, connect_failed, conn) < 0)
            gf__rpc_conn_fail(conn, conn->error);
    }
    *out = conn;
    return 0;
}

GF_EXPORT void
gf_rpc_conn_close(gf_rpc_conn_t *conn)
{
    if (conn)
        gf__rpc_conn_fail(conn, 0);
}

GF_EXPORT void
gf_rpc_conn_pause(gf_rpc_conn_t *conn)
{
    if (!conn)
        return;
    pthread_mutex_lock(&conn->lock);
    if (atomic_fetch_add(&conn->paused, 1) == 0 && conn->registered &&
        atomic_load(&conn->state) == GF__RPC_UP)
        gf_event_select_on(conn->ev, conn->id, 0, -1);
    pthread_mutex_unlock(&conn->lock);
}

/* Posted by the last resume: records buffered during the pause are not
 * announced by the fd, so deliver them from the event thread. */
static void
resume_post(void *arg)
{
    gf_rpc_conn_t *conn = arg;

    if (atomic_load(&conn->paused) == 0 &&
        atomic_load(&conn->state) == GF__RPC_UP)
        gf__rpc_rx_resume(conn);
    gf_rpc_conn_unref(conn);
}

GF_EXPORT void
gf_rpc_conn_resume(gf_rpc_conn_t *conn)
{
    bool post = false;

    if (!conn)
        return;
    pthread_mutex_lock(&conn->lock);
    if (atomic_load(&conn->paused) == 0) {
        pthread_mutex_unlock(&conn->lock);
        return; /* unbalanced resume: ignored */
    }
    if (atomic_fetch_sub(&conn->paused, 1) == 1 && conn->registered &&
        atomic_load(&conn->state) == GF__RPC_UP) {
        gf_event_select_on(conn->ev, conn->id, 1, -1);
        post = true;
    }
    pthread_mutex_unlock(&conn->lock);
    if (post && gf_event_post(conn->ev, conn->id, resume_post,
                              gf_rpc_conn_ref(conn)) < 0)
        gf_rpc_conn_unref(conn);
}

GF_EXPORT const char *
gf_rpc_conn_peer(const gf_rpc_conn_t *conn)
{
    return conn ? conn->peer : "";
}

GF_EXPORT const char *
gf_rpc_conn_peer_ip(const gf_rpc_conn_t *conn)
{
    return conn ? conn->peer_ip : "";
}
