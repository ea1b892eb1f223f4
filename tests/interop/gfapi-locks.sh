#!/bin/sh
# SPDX-License-Identifier: LGPL-3.0-or-later
#
# TAP: POSIX locks between two stock libgfapi clients through gfsd on its
# shipped brick volfile (gfsd/gfsd.vol, features/locks included), driven
# by tests/interop/gfapi-locks: F_GETLK reports the other client's lock,
# F_SETLK is refused with EAGAIN, F_SETLKW waits until the holder closes
# the file, and the holder's process exiting without unlocking frees its
# lock. Skipped when libgfapi was not found at configure time.
set -u
: "${builddir:?}" "${top_srcdir:?}" "${GF_XLATOR_PATH:?}"
export GF_XLATOR_PATH
CLIENT="$builddir/tests/interop/gfapi-locks"
GFSD="$builddir/gfsd/gfsd"

if [ ! -x "$CLIENT" ]; then
    echo "1..0 # SKIP libgfapi (glusterfs-api) not found at configure time"
    exit 0
fi
for x in storage/posix features/locks performance/io-threads \
    debug/io-stats protocol/server; do
    if [ ! -e "$builddir/xlators/$x.la" ]; then
        echo "1..0 # SKIP $x is not built"
        exit 0
    fi
done
GF_EVENT_ALLOW_POLL=1
export GF_EVENT_ALLOW_POLL
if command -v timeout >/dev/null 2>&1; then
    TMO="timeout 120"
else
    TMO=""
fi

tmp=$(mktemp -d "${TMPDIR:-/tmp}/gfapi-locks.XXXXXX")
pids=""
cleanup() {
    for p in $pids; do kill -9 "$p" 2>/dev/null; done
    rm -rf "$tmp"
}
trap cleanup EXIT
trap 'exit 1' INT TERM

n=0
ok() { n=$((n + 1)); echo "ok $n - $1"; }
not_ok() {
    n=$((n + 1))
    echo "not ok $n - $1"
    shift
    for f in "$@"; do
        [ -f "$f" ] && tail -n 20 "$f" | sed "s|^|# $(basename "$f"): |"
    done
}
wait_for() { # retry COMMAND for up to 10 s
    _i=0
    while [ $_i -lt 100 ]; do
        "$@" && return 0
        sleep 0.1
        _i=$((_i + 1))
    done
    return 1
}
in_log() { grep -q -- "$2" "$1" 2>/dev/null; }
stop() { # stop PID: TERM, then KILL after 5 s; returns its exit status
    kill -TERM "$1" 2>/dev/null
    _i=0
    while kill -0 "$1" 2>/dev/null && [ $_i -lt 50 ]; do
        sleep 0.1
        _i=$((_i + 1))
    done
    kill -KILL "$1" 2>/dev/null
    wait "$1" 2>/dev/null
}

echo "1..4"
mkdir "$tmp/brick"
"$GFSD" -N -f "$top_srcdir/gfsd/gfsd.vol" -l "$tmp/gfsd.log" \
    --xlator-option "brick-posix.directory=$tmp/brick" \
    --xlator-option brick-server.transport.socket.listen-port=0 \
    2>"$tmp/gfsd.err" &
gpid=$!
pids="$pids $gpid"
if ! wait_for in_log "$tmp/gfsd.log" "listening on 127.0.0.1:"; then
    not_ok "gfsd serves the brick" "$tmp/gfsd.log" "$tmp/gfsd.err"
    not_ok "lock steps (no server)"
    not_ok "every step passed (no server)"
    not_ok "gfsd exits 0 (no server)"
    exit 0
fi
port=$(sed -n 's/.*listening on 127\.0\.0\.1:\([0-9]*\).*/\1/p' \
    "$tmp/gfsd.log" | head -n 1)
ok "gfsd serves the brick on 127.0.0.1:$port"
$TMO "$CLIENT" 127.0.0.1 "$port" brick-io-stats "$tmp/client.log" \
    >"$tmp/steps" 2>"$tmp/client.err"
rc=$?
if grep -q "step=holder-exit-frees-lock" "$tmp/steps"; then
    ok "every lock step ran"
else
    not_ok "every lock step ran (exit $rc)" "$tmp/steps" "$tmp/client.err" \
        "$tmp/gfsd.log"
fi
if [ "$rc" = 0 ] && ! grep -q FAIL "$tmp/steps"; then
    ok "F_GETLK, EAGAIN, F_SETLKW granted on close, lock freed on exit"
else
    not_ok "lock steps against gfsd (exit $rc)" "$tmp/steps" \
        "$tmp/client.err" "$tmp/gfsd.log"
fi
if stop "$gpid"; then ok "gfsd exits 0 on TERM"
else not_ok "gfsd exits 0 on TERM" "$tmp/gfsd.err"; fi
