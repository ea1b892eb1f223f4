#!/bin/sh
# SPDX-License-Identifier: LGPL-3.0-or-later
#
# TAP: the shipped brick volfile (gfsd/gfsd.vol: storage/posix under
# performance/io-threads, debug/io-stats and protocol/server) starts as it
# is, with --xlator-option pointing it at a temp brick and a free port, and
# stops cleanly. Skipped while one of its translators is not built.
set -u
. "${top_srcdir:?}/tests/func/gfsd-lib.sh"
for x in storage/posix performance/io-threads debug/io-stats \
    protocol/server; do
    if [ ! -e "$builddir/xlators/$x.la" ]; then
        echo "1..0 # SKIP $x is not built"
        exit 0
    fi
done
echo "1..3"
mkdir "$tmp/brick"
"$GFSD" -N -f "$top_srcdir/gfsd/gfsd.vol" -l "$tmp/brick.log" \
    --xlator-option "brick-posix.directory=$tmp/brick" \
    --xlator-option brick-server.transport.socket.listen-port=0 \
    2>"$tmp/brick.err" &
b=$!
pids="$pids $b"
check "the default brick graph becomes active" \
    wait_for in_log "$tmp/brick.log" \
    "graph active: 4 translators, top 'brick-server'"
check "protocol/server listens on the loopback" \
    in_log "$tmp/brick.log" "listening on 127.0.0.1:"
kill -TERM "$b"
wait "$b"
check "TERM exits 0" [ $? -eq 0 ]
