#!/bin/sh
# SPDX-License-Identifier: LGPL-3.0-or-later
#
# TAP: the shipped brick volfile (gfsd/gfsd.vol: storage/posix under
# features/locks, performance/io-threads, debug/io-stats and
# protocol/server) starts as it is, with --xlator-option pointing it at a
# temp brick and a free port, and stops cleanly. Skipped while one of its translators is not built.
set -u
. "${top_srcdir:?}/tests/func/gfsd-lib.sh"
for x in storage/posix features/locks performance/io-threads \
    debug/io-stats protocol/server; do
    if [ ! -e "$builddir/xlators/$x.la" ]; then
        echo "1..0 # SKIP $x is not built"
        exit 0
    fi
done
echo "1..7"
mkdir "$tmp/brick"
"$GFSD" -N -f "$top_srcdir/gfsd/gfsd.vol" -l "$tmp/brick.log" \
    --xlator-option "brick-posix.directory=$tmp/brick" \
    --xlator-option brick-server.transport.socket.listen-port=0 \
    2>"$tmp/brick.err" &
b=$!
pids="$pids $b"
check "the default brick graph becomes active" \
    wait_for in_log "$tmp/brick.log" \
    "graph active: 5 translators, top 'brick-server'"
check "protocol/server listens on the loopback" \
    in_log "$tmp/brick.log" "listening on 127.0.0.1:"
kill -TERM "$b"
wait "$b"
check "TERM exits 0" [ $? -eq 0 ]

# The options glusterd writes into brick volfiles are accepted as they are.
"$GFSD" -N -f "$top_srcdir/gfsd/gfsd.vol" -l "$tmp/gd.log" \
    --xlator-option "brick-posix.directory=$tmp/brick" \
    --xlator-option brick-server.transport.socket.listen-port=0 \
    --xlator-option brick-server.transport-type=tcp \
    --xlator-option brick-server.transport.address-family=inet \
    --xlator-option brick-server.auth.addr.brick-io-stats.allow=127.0.0.1 \
    2>"$tmp/gd.err" &
b=$!
pids="$pids $b"
check "glusterd's transport and auth.addr options are accepted" \
    wait_for in_log "$tmp/gd.log" "graph active: 5 translators"
kill -TERM "$b"
wait "$b"

# inet6 without a bind address listens on ::1 (when the host has IPv6).
if [ -e /proc/net/if_inet6 ]; then
    "$GFSD" -N -f "$top_srcdir/gfsd/gfsd.vol" -l "$tmp/v6.log" \
        --xlator-option "brick-posix.directory=$tmp/brick" \
        --xlator-option brick-server.transport.socket.listen-port=0 \
        --xlator-option brick-server.transport.address-family=inet6 \
        --xlator-option brick-server.transport.socket.bind-address=::1 \
        2>"$tmp/v6.err" &
    b=$!
    pids="$pids $b"
    check "transport.address-family inet6 listens on ::1" \
        wait_for in_log "$tmp/v6.log" "listening on ::1:"
    kill -TERM "$b"
    wait "$b"
else
    n=$((n + 1))
    echo "ok $n # SKIP no IPv6 on this host"
fi

# A family that contradicts the bind address, and rdma, are refused.
failed_saying() { # failed_saying RC PATTERN FILE...
    _rc=$1 _pat=$2
    shift 2
    [ "$_rc" -ne 0 ] && grep -q -- "$_pat" "$@" 2>/dev/null
}
"$GFSD" -N -f "$top_srcdir/gfsd/gfsd.vol" -l "$tmp/bad6.log" \
    --xlator-option "brick-posix.directory=$tmp/brick" \
    --xlator-option brick-server.transport.address-family=inet6 \
    --xlator-option brick-server.transport.socket.bind-address=127.0.0.1 \
    >"$tmp/bad6.out" 2>&1
rc=$?
check "inet6 with an IPv4 bind-address fails to start, saying why" \
    failed_saying "$rc" "is not an inet6 address" "$tmp/bad6.log" "$tmp/bad6.out"
"$GFSD" -N -f "$top_srcdir/gfsd/gfsd.vol" -l "$tmp/rdma.log" \
    --xlator-option "brick-posix.directory=$tmp/brick" \
    --xlator-option brick-server.transport-type=rdma \
    >"$tmp/rdma.out" 2>&1
rc=$?
check "transport-type rdma is refused, naming the option" \
    failed_saying "$rc" "transport-type" "$tmp/rdma.log" "$tmp/rdma.out"
