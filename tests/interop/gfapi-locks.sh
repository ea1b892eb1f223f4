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
. "${top_srcdir:?}/tests/func/gfsd-lib.sh"
CLIENT="$builddir/tests/interop/gfapi-locks"

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
TMO=$(command -v timeout >/dev/null 2>&1 && echo "timeout 120")

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
    >"$tmp/steps.log" 2>"$tmp/client.err"
rc=$?
if grep -q "step=holder-exit-frees-lock" "$tmp/steps.log"; then
    ok "every lock step ran"
else
    not_ok "every lock step ran (exit $rc)" "$tmp/steps.log" "$tmp/client.err" \
        "$tmp/gfsd.log"
fi
if [ "$rc" = 0 ] && ! grep -q FAIL "$tmp/steps.log"; then
    ok "F_GETLK, EAGAIN, F_SETLKW granted on close, lock freed on exit"
else
    not_ok "lock steps against gfsd (exit $rc)" "$tmp/steps.log" \
        "$tmp/client.err" "$tmp/gfsd.log"
fi
if stop "$gpid"; then ok "gfsd exits 0 on TERM"
else not_ok "gfsd exits 0 on TERM" "$tmp/gfsd.err"; fi
