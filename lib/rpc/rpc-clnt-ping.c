/* SPDX-License-Identifier: LGPL-3.0-or-later */
/*
 * rpc-clnt-ping.c - keep-alive pings (GF-DUMP PING, program 123451501 v1
 * procedure 2) and the dead-peer check.
 *
 * One timer per client walks a small state machine against the wheel's
 * clock: every ping_interval_ms it sends a PING; ping_timeout_ms after a
 * PING it checks that something -- the PING's reply or any other record --
 * arrived since, and closes the connection if not (the usual reconnect
 * follows). Counting any record as proof of life keeps a busy server that
 * is slow to answer the PING itself from being dropped. Because the timer
 * recomputes what is due each time it fires, it is never cancelled on
 * connection changes; a stale firing just re-arms.
 */
#include <errno.h>
#include <string.h>

#include <gf/log.h>

#include "rpc-clnt-int.h"

static const char *const domain = "rpc-clnt";

enum ping_action { PING_NONE, PING_SEND, PING_CLOSE };

static void
ping_cbk(int status, void *base, size_t len, gf_iobuf_t *iobuf, void *data)
{
    /* Arrival is what counts, and the reply path noted it already. */
    (void)status;
    (void)base;
    (void)len;
    (void)iobuf;
    (void)data;
}

static void ping_fire(void *data);

/* Under the lock: decide what the ping timer does now, and re-arm it. */
static enum ping_action
ping_step_locked(gf_rpc_clnt_t *clnt, uint64_t now)
{
    uint32_t interval = clnt->opts.ping_interval_ms;
    uint32_t timeout = clnt->opts.ping_timeout_ms;
    uint64_t due;

    if (clnt->ping_out && clnt->last_recv >= clnt->ping_sent)
        clnt->ping_out = false;
    if (clnt->ping_out) {
        if (now - clnt->ping_sent >= timeout) {
            clnt->st.ping_timeouts++;
            return PING_CLOSE;
        }
        /* Look again after one interval at the latest: a reply that is
         * merely late must not stall the pings until the timeout. */
        due = clnt->ping_sent + timeout;
        if (due > now + interval)
            due = now + interval;
    } else if (now - clnt->ping_sent >= interval) {
        clnt->ping_sent = now;
        clnt->ping_out = true;
        clnt->st.pings++;
        gf__rpc_slot_arm(clnt, &clnt->ping,
                         interval < timeout ? interval : timeout, ping_fire);
        return PING_SEND;
    } else {
        due = clnt->ping_sent + interval;
    }
    gf__rpc_slot_arm(clnt, &clnt->ping, due - now, ping_fire);
    return PING_NONE;
}

static void
ping_fire(void *data)
{
    gf_rpc_clnt_t *clnt = data;
    enum ping_action act = PING_NONE;
    gf_rpc_conn_t *conn = NULL;
    gf_timer_t *h;
    int rc;

    pthread_mutex_lock(&clnt->lock);
    h = gf__rpc_slot_take(&clnt->ping);
    if (!clnt->stopped && clnt->cur && clnt->cur->up &&
        clnt->opts.ping_interval_ms) {
        act = ping_step_locked(clnt, gf_timer_wheel_now(clnt->tw));
        if (act == PING_CLOSE && clnt->cur->conn)
            conn = gf_rpc_conn_ref(clnt->cur->conn);
    }
    pthread_mutex_unlock(&clnt->lock);
    gf_timer_release(clnt->tw, h);

    if (act == PING_SEND) {
        rc = gf_rpc_clnt_call(clnt, GF_RPC_CLNT_DUMP_PROG,
                              GF_RPC_CLNT_DUMP_VERS, GF_RPC_CLNT_DUMP_PING,
                              NULL, NULL, 0, NULL, ping_cbk, NULL);
        if (rc < 0)
            gf_log(domain, GF_LOG_DEBUG, "%s: ping not sent: %s", clnt->address,
                   strerror(-rc));
    } else if (act == PING_CLOSE && conn) {
        gf_log(domain, GF_LOG_WARNING,
               "%s has not responded in the last %u ms, disconnecting",
               clnt->address, clnt->opts.ping_timeout_ms);
        gf_rpc_conn_close(conn);
        gf_rpc_conn_unref(conn);
    }
    gf__rpc_clnt_unref(clnt);
}

void
gf__rpc_ping_start_locked(gf_rpc_clnt_t *clnt)
{
    uint64_t now = gf_timer_wheel_now(clnt->tw);

    if (!clnt->opts.ping_interval_ms)
        return;
    clnt->ping_sent = now;
    clnt->last_recv = now;
    clnt->ping_out = false;
    gf__rpc_slot_arm(clnt, &clnt->ping, clnt->opts.ping_interval_ms, ping_fire);
}
