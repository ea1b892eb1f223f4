#!/bin/sh
# Interop: libtirpc's own client (tirpc-client) against gfsd's rpcsvc
# (rpcsvc-server) on a free loopback port, no portmapper. TAP comes from
# tirpc-client; the server is stopped by PID and must exit cleanly.
bin=${builddir:-.}/tests/interop
tmp=$(mktemp -d "${GF_TEST_TMPDIR:-/tmp}/tirpc-interop.XXXXXX") || exit 99
trap 'kill "$spid" 2>/dev/null; rm -rf "$tmp"' EXIT

"$bin/rpcsvc-server" --port 0 >"$tmp/out" 2>"$tmp/err" &
spid=$!
port=
for _ in $(seq 100); do
    port=$(sed -n 's/^port=\([0-9]*\)$/\1/p' "$tmp/out")
    [ -n "$port" ] && break
    kill -0 "$spid" 2>/dev/null || break
    sleep 0.05
done
if [ -z "$port" ]; then
    echo "Bail out! rpcsvc-server did not start: $(cat "$tmp/err")"
    exit 1
fi

"$bin/tirpc-client" "$port"
rc=$?
kill -TERM "$spid"
wait "$spid"
src=$?
spid=
if [ "$src" -ne 0 ]; then
    echo "Bail out! rpcsvc-server exited with $src: $(cat "$tmp/err")"
    exit 1
fi
exit "$rc"
