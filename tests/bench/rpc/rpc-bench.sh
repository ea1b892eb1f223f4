#!/bin/sh
# SPDX-License-Identifier: LGPL-3.0-or-later
#
# rpc-bench.sh [BINDIR] - compare ONC RPC servers under one load generator.
#
# Servers: "raw" (rpc-raw-server, one thread on raw epoll: the practical
# limit), "tirpc" (rpc-tirpc-server, libtirpc's svc_run) and "gfsd" when
# GFSD_RPC_SERVER is set. That variable holds a command line; it is run
# as `sh -c "exec $GFSD_RPC_SERVER"` (so its PID is the server's), must
# print port=N as its first stdout line, answer NULL (proc 0) of GF-DUMP,
# program 123451501 version 1, and echo the opaque<> argument of proc 1 of
# the test program 0x20000099 version 1, the convention of the two
# reference servers.
#
# Cases (connections x calls in flight per connection):
#   null-1x1      NULL calls to 123451501 v1, 1 x 1   (latency)
#   null-8x16     NULL calls to 123451501 v1, 8 x 16  (calls/s)
#   echo-4k-8x4   echo of 4 KiB to 0x20000099 v1, 8 x 4
#   echo-128k-8x4 echo of 128 KiB to 0x20000099 v1, 8 x 4 (MB/s)
# Each server is pinned to CPU 1 and rpc-load to CPU 0 (taskset), one
# client thread. Every case runs BENCH_REPS times (interleaved across the
# servers, so drift in the machine's load hits them alike); the table
# shows medians, and each server's ratio to the raw server.
#
# Environment: BENCH_SECONDS (per run, default 5), BENCH_REPS (default 3),
# BENCH_CASES (a subset of the case names above), BENCH_NOPIN=1 (do not
# pin, e.g. on one CPU), GFSD_RPC_SERVER (see above).
set -eu

dir=${1:-$(dirname "$0")}
secs=${BENCH_SECONDS:-5}
reps=${BENCH_REPS:-3}
cases=${BENCH_CASES:-"null-1x1 null-8x16 echo-4k-8x4 echo-128k-8x4"}
dump_prog=123451501 # GF-DUMP v1: NULL is procedure 0
echo_prog=0x20000099 # a test program number (0x20000000-0x3fffffff is
                     # the range RFC 5531 leaves to users); proc 1 = echo

for b in rpc-load rpc-raw-server rpc-tirpc-server; do
    [ -x "$dir/$b" ] || { echo "rpc-bench: $dir/$b missing (make rpc-bench)"; exit 1; }
done
if [ "${BENCH_NOPIN:-0}" != 1 ] && [ "$(nproc)" -ge 2 ] &&
    command -v taskset >/dev/null; then
    srv_pin="taskset -c 1"
    load_pin="taskset -c 0"
else
    srv_pin=""
    load_pin=""
fi

tmp=$(mktemp -d "${TMPDIR:-/tmp}/gf-rpc-bench.XXXXXX")
pids=""
cleanup() {
    for p in $pids; do
        kill "$p" 2>/dev/null || true
        wait "$p" 2>/dev/null || true
    done
    rm -rf "$tmp"
}
trap cleanup EXIT
trap 'exit 1' INT TERM

# start NAME CMD...: run a server in the background, wait for port=N.
start() {
    name=$1
    shift
    : >"$tmp/$name.port"
    $srv_pin "$@" >"$tmp/$name.port" 2>"$tmp/$name.err" &
    pid=$!
    i=0
    while [ $i -lt 100 ]; do
        port=$(head -n 1 "$tmp/$name.port" | sed -n 's/^port=\([0-9][0-9]*\).*/\1/p')
        if [ -n "$port" ]; then
            pids="$pids $pid"
            eval "port_$name=$port pid_$name=$pid"
            servers="$servers $name"
            return 0
        fi
        kill -0 "$pid" 2>/dev/null || break
        sleep 0.1
        i=$((i + 1))
    done
    echo "rpc-bench: $name did not print port=N; not measured"
    sed 's/^/  /' "$tmp/$name.err"
    kill "$pid" 2>/dev/null || true
    wait "$pid" 2>/dev/null || true
}

case_args() {
    case $1 in
    null-1x1) echo "--conns 1 --depth 1 --prog $dump_prog --vers 1 --proc 0" ;;
    null-8x16) echo "--conns 8 --depth 16 --prog $dump_prog --vers 1 --proc 0" ;;
    echo-4k-8x4) echo "--conns 8 --depth 4 --prog $echo_prog --vers 1 --proc 1 --payload 4096" ;;
    echo-128k-8x4) echo "--conns 8 --depth 4 --prog $echo_prog --vers 1 --proc 1 --payload 131072" ;;
    *) echo "rpc-bench: unknown case $1" >&2; exit 1 ;;
    esac
}

median() { # file
    sort -g "$1" | awk '{ v[NR] = $1 } END {
        if (NR == 0) { print "nan"; exit }
        if (NR % 2) print v[(NR + 1) / 2];
        else print (v[NR / 2] + v[NR / 2 + 1]) / 2 }'
}

field() { # line key
    echo "$1" | sed -n "s/.*$2=\([0-9.]*\).*/\1/p"
}

servers=""
gfsd_note="not available yet (set GFSD_RPC_SERVER)"
start raw "$dir/rpc-raw-server" --port 0
start tirpc "$dir/rpc-tirpc-server" --port 0
if [ -n "${GFSD_RPC_SERVER:-}" ]; then
    gfsd_note="did not start (see above)"
    start gfsd sh -c "exec $GFSD_RPC_SERVER"
fi

echo "rpc-bench: $(date -u +%Y-%m-%d), $(nproc) CPUs," \
     "$(sed -n 's/^model name[[:space:]]*: //p' /proc/cpuinfo | head -n 1)," \
     "${secs} s per run, median of $reps${srv_pin:+, server on CPU 1, load on CPU 0}"

# Runs, interleaved: rep -> case -> server.
r=0
while [ $r -lt "$reps" ]; do
    for c in $cases; do
        args=$(case_args "$c")
        for s in $servers; do
            eval "port=\$port_$s"
            # shellcheck disable=SC2086
            line=$($load_pin "$dir/rpc-load" --port "$port" --seconds "$secs" \
                   $args 2>>"$tmp/$s.loaderr") || true
            for k in calls_per_s mb_per_s p50_us p99_us errors; do
                v=$(field "$line" $k)
                echo "${v:-0}" >>"$tmp/$c.$s.$k"
            done
        done
    done
    r=$((r + 1))
done

printf '%-14s %-6s %12s %9s %9s %9s %7s %s\n' case server calls/s MB/s \
    p50_us p99_us vs_raw errors
for c in $cases; do
    key=calls_per_s
    case $c in echo-*) key=mb_per_s ;; esac
    base=""
    for s in $servers; do
        calls=$(median "$tmp/$c.$s.calls_per_s")
        mb=$(median "$tmp/$c.$s.mb_per_s")
        p50=$(median "$tmp/$c.$s.p50_us")
        p99=$(median "$tmp/$c.$s.p99_us")
        errs=$(awk '{ s += $1 } END { print s + 0 }' "$tmp/$c.$s.errors")
        v=$(median "$tmp/$c.$s.$key")
        [ "$s" = raw ] && base=$v
        ratio=$(awk -v v="$v" -v b="${base:-0}" \
            'BEGIN { if (b > 0) printf "%.3f", v / b; else print "n/a" }')
        printf '%-14s %-6s %12.0f %9.1f %9.1f %9.1f %7s %s\n' "$c" "$s" \
            "$calls" "$mb" "$p50" "$p99" "$ratio" "$errs"
    done
    case " $servers " in
    *" gfsd "*) ;;
    *) printf '%-14s %-6s %s\n' "$c" gfsd "$gfsd_note" ;;
    esac
done
for s in $servers; do
    if [ -s "$tmp/$s.loaderr" ]; then
        echo "rpc-load messages against $s:"
        sort "$tmp/$s.loaderr" | uniq -c | sed 's/^/  /'
    fi
done
