#!/bin/sh
# SPDX-License-Identifier: LGPL-3.0-or-later
#
# TAP: the RPC benchmark tools work together on loopback. rpc-load drives
# rpc-raw-server with NULL calls, with echoes split into record fragments
# both ways, and with a procedure the server lacks (which must be reported
# as failed calls and a non-zero exit). About 3 seconds; every server is
# stopped by its PID.
set -u
dir=${builddir:-.}/tests/bench/rpc
load=$dir/rpc-load
tmp=$(mktemp -d "${TMPDIR:-/tmp}/gf-rpc-selftest.XXXXXX")
pids=""
cleanup() {
    for p in $pids; do kill "$p" 2>/dev/null; done
    rm -rf "$tmp"
}
trap cleanup EXIT
trap 'exit 1' INT TERM

echo "1..6"
n=0
ok() { n=$((n + 1)); echo "ok $n - $1"; }
not_ok() {
    n=$((n + 1))
    echo "not ok $n - $1"
    for f in "$tmp"/*.out "$tmp"/*.err; do
        [ -s "$f" ] && sed "s|^|# $(basename "$f"): |" "$f"
    done
}

# start NAME ARGS...: run rpc-raw-server, wait for its port=N line.
start() {
    name=$1
    shift
    : >"$tmp/$name.out" # exists before the background shell opens it
    "$dir/rpc-raw-server" --port 0 "$@" >"$tmp/$name.out" 2>"$tmp/$name.err" &
    pid=$!
    pids="$pids $pid"
    i=0
    while [ $i -lt 50 ]; do
        port=$(sed -n 's/^port=\([0-9][0-9]*\)$/\1/p' "$tmp/$name.out")
        [ -n "$port" ] && return 0
        sleep 0.1
        i=$((i + 1))
    done
    return 1
}

# run NAME ARGS...: rpc-load, bounded; result line in $tmp/NAME.out.
run() {
    name=$1
    shift
    timeout 20 "$load" --port "$port" "$@" >"$tmp/$name.out" \
        2>"$tmp/$name.err"
}

field() { # file key
    sed -n "s/.*$2=\([0-9.]*\).*/\1/p" "$1"
}

good() { # file: calls > 0 and no error
    c=$(field "$1" calls_per_s)
    e=$(field "$1" errors)
    [ -n "$c" ] && [ "$e" = 0 ] && awk -v c="$c" 'BEGIN { exit !(c > 0) }'
}

if start plain; then
    plain_pid=$pid
    plain_port=$port
    ok "rpc-raw-server prints port=$port"
else
    not_ok "rpc-raw-server prints port=N"
    exit 1
fi

if run null --seconds 1 && good "$tmp/null.out"; then
    ok "NULL calls for 1 s: $(cat "$tmp/null.out")"
else
    not_ok "NULL calls for 1 s, calls > 0 and errors=0"
fi

if run frag --seconds 0.5 --conns 2 --depth 4 --payload 4096 --frag 1000 &&
    good "$tmp/frag.out"; then
    ok "4 KiB echo sent in 1000-byte fragments"
else
    not_ok "4 KiB echo sent in 1000-byte fragments"
fi

if start fragged --frag 1000 && run rfrag --seconds 0.5 --conns 2 \
    --depth 2 --payload 131072 && good "$tmp/rfrag.out"; then
    ok "128 KiB echo answered in 1000-byte fragments"
else
    not_ok "128 KiB echo answered in 1000-byte fragments"
fi

port=$plain_port
if run bad --seconds 0.3 --proc 7; then
    not_ok "a missing procedure makes rpc-load fail"
else
    e=$(field "$tmp/bad.out" errors)
    if [ -n "$e" ] && [ "$e" -gt 0 ] &&
        grep -q "accept_stat" "$tmp/bad.err"; then
        ok "a missing procedure makes rpc-load fail ($e errors)"
    else
        not_ok "a missing procedure makes rpc-load fail"
    fi
fi

kill "$plain_pid"
pids=$(echo "$pids" | sed "s/ $plain_pid\( \|\$\)/ /")
if wait "$plain_pid"; then
    ok "rpc-raw-server exits cleanly on SIGTERM"
else
    not_ok "rpc-raw-server exits cleanly on SIGTERM"
fi
