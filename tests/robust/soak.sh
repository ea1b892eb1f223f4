#!/bin/sh
# SPDX-License-Identifier: LGPL-3.0-or-later
#
# Soak: CLIENTS libgfapi clients (default 200), each with its own
# connection and directory, loop create/write/close/open/read-verify/
# close/unlink against one gfsd brick for SECONDS (default 60). The
# clients run as processes of PER_PROC glfs_t instances each (default 10,
# env SOAK_PER_PROC): one instance costs ~7 threads and ~3 MB, a process
# ~10 MB more, so 20 processes of 10 keep 200 connections within a
# 2-core machine's reach while each instance still has its own socket,
# inode table and fd table on the server. Bounded by timeout; at the end
# gfsd must be alive with its descriptors, clients, open fds and live
# allocations back to the baseline. Prints a summary; exits non-zero on
# any mismatch, error, crash or leftover. Not part of 'make check': run
# 'make soak' (SOAK_ARGS="CLIENTS SECONDS") or, from a build directory,
# builddir=$PWD top_srcdir=SRC sh SRC/tests/robust/soak.sh [CLIENTS [SECONDS]]
set -u
. "${top_srcdir:?}/tests/robust/robust-lib.sh"
CLIENTS=${1:-200}
SECS=${2:-60}
PER=${SOAK_PER_PROC:-10}
if [ ! -x "$WORKER" ]; then
    echo "soak: $WORKER is not built (libgfapi missing?)" >&2
    exit 77
fi
fail=""
note() { echo "soak: $*"; }
bad() {
    fail="$fail; $*"
    echo "soak: FAIL: $*"
}

mkdir "$tmp/brick"
start_gfsd "$tmp/brick" || {
    cat "$tmp/gfsd.log" "$tmp/gfsd.err" >&2
    exit 1
}
# A warm-up client first: process-wide pools (call stubs, dicts, send
# queues) are created on first use and stay; the baseline comes after.
worker warm put /warm 2 4096 || bad "warm-up client failed"
wait_for 15 eval 'snapshot "$tmp/base" && [ "$(val "$tmp/base" srv.clients)" = 0 ]' ||
    bad "no statedump, or the warm-up client is still connected"
base_fds=$(nfds)
note "gfsd pid $GPID port $PORT: $base_fds descriptors, RSS $(rss_kib) KiB"
note "$CLIENTS clients ($PER per process) for $SECS s"

t0=$(date +%s)
first=0
p=0
wpids=""
while [ $first -lt "$CLIENTS" ]; do
    k=$((CLIENTS - first < PER ? CLIENTS - first : PER))
    $TMO ${TMO:+$((SECS + 300))} "$WORKER" -l "$tmp/soak-$p.log" \
        127.0.0.1 "$PORT" "$SUBVOL" loop "$SECS" /soak "$k" "$first" \
        >"$tmp/soak-$p.out" 2>"$tmp/soak-$p.err" &
    wpids="$wpids $!"
    first=$((first + k))
    p=$((p + 1))
done
nproc=$p
pids="$pids $wpids"
# Watch gfsd while the clients run: alive, peak clients.
peak_clients=0
while :; do
    running=0
    for w in $wpids; do alive "$w" && running=$((running + 1)); done
    [ $running = 0 ] && break
    if ! alive "$GPID"; then
        bad "gfsd died during the soak"
        break
    fi
    if snapshot "$tmp/now"; then
        c=$(val "$tmp/now" srv.clients)
        [ "${c:-0}" -gt "$peak_clients" ] && peak_clients=$c
    fi
    sleep 2
done
rcs=0
for w in $wpids; do
    wait "$w" || rcs=$((rcs + 1))
done
t1=$(date +%s)

files=0 ops=0 bytes=0 mism=0 errs=0 mounted=0 races=0
p=0
while [ $p -lt $nproc ]; do
    f="$tmp/soak-$p.out"
    if ! grep -q '^mode=loop' "$f"; then
        bad "client process $p printed no summary"
    else
        files=$((files + $(field "soak-$p" files)))
        ops=$((ops + $(field "soak-$p" ops)))
        bytes=$((bytes + $(field "soak-$p" bytes)))
        mism=$((mism + $(field "soak-$p" mismatches)))
        errs=$((errs + $(field "soak-$p" errors)))
        mounted=$((mounted + $(field "soak-$p" mounted)))
        races=$((races + $(field "soak-$p" mkdir_races)))
    fi
    # Its errors, when it had any (a sanitizer build also reports its
    # suppressions there).
    if ! grep -q 'mismatches=0 errors=0' "$f"; then
        sed "s/^/  client $p: /" "$tmp/soak-$p.err" | head -n 5
    fi
    p=$((p + 1))
done
[ "$mounted" = "$CLIENTS" ] || bad "only $mounted of $CLIENTS clients mounted"
[ "$mism" = 0 ] || bad "$mism mismatching bytes"
[ "$errs" = 0 ] || bad "$errs client errors"
[ "$rcs" = 0 ] || bad "$rcs client processes failed"
alive "$GPID" || bad "gfsd is gone"
peak=$(hwm_kib)

# After: every connection gone, nothing left behind.
settled() {
    [ "$(nfds)" -eq "$base_fds" ] && snapshot "$tmp/now" &&
        [ "$(val "$tmp/now" srv.clients)" = 0 ] &&
        [ "$(val "$tmp/now" srv.itable.0.open-fds)" = 0 ]
}
wait_for 30 settled ||
    bad "not back to baseline: $(nfds) descriptors (baseline $base_fds)," \
        "clients $(val "$tmp/now" srv.clients)," \
        "open fds $(val "$tmp/now" srv.itable.0.open-fds)"
grep '^acct\.' "$tmp/base" >"$tmp/a1"
grep '^acct\.' "$tmp/now" >"$tmp/a2"
if ! diff "$tmp/a1" "$tmp/a2" >"$tmp/acct.diff"; then
    bad "live allocations differ from baseline"
    sed 's/^/  /' "$tmp/acct.diff"
fi
rss_end=$(rss_kib)
fds_end=$(nfds)
stop_gfsd || bad "gfsd did not exit 0 on TERM"
grep -q ' [CE] \[' "$tmp/gfsd.log" &&
    grep ' [CE] \[' "$tmp/gfsd.log" | head -n 5 | sed 's/^/  gfsd: /'

echo "soak summary: clients=$CLIENTS processes=$nproc seconds=$SECS" \
    "wall=$((t1 - t0))s"
echo "  files=$files ops=$ops bytes_verified=$bytes mismatches=$mism" \
    "errors=$errs mkdir_races=$races"
echo "  gfsd: peak_clients=$peak_clients peak_rss=${peak}KiB" \
    "rss_end=${rss_end}KiB fds=$base_fds->$fds_end" \
    "inodes_cached=$(val "$tmp/now" srv.itable.0.lru)"
if [ -n "$fail" ]; then
    echo "soak: FAILED${fail}"
    exit 1
fi
echo "soak: PASS"
