# SPDX-License-Identifier: LGPL-3.0-or-later
#
# Helpers shared by the tests/robust scripts (sourced, not run): a temp
# dir removed at exit, TAP output, the shipped brick volfile started on a
# free loopback port, the libgfapi worker, and the gfsd figures a leak
# check compares (open descriptors from /proc, RSS, and the statedump:
# protocol/server's clients, inode table and open fds, and the live
# allocation count of every memory-accounting section).
: "${builddir:?}" "${top_srcdir:?}"
GF_XLATOR_PATH=${GF_XLATOR_PATH:-$builddir/xlators}
export GF_XLATOR_PATH
GFSD="$builddir/gfsd/gfsd"
WORKER="$builddir/tests/robust/gfapi-worker"
SUBVOL=brick-io-stats
GF_EVENT_ALLOW_POLL=1
export GF_EVENT_ALLOW_POLL
if command -v timeout >/dev/null 2>&1; then TMO="timeout"; else TMO=""; fi

# skip_unless_ready: the whole script is skipped without libgfapi or the
# brick translators.
skip_unless_ready() {
    if [ ! -x "$WORKER" ]; then
        echo "1..0 # SKIP libgfapi (glusterfs-api) not found at configure time"
        exit 0
    fi
    for x in $(sed -n 's/^ *type  *//p' "$top_srcdir/gfsd/gfsd.vol"); do
        if [ ! -e "$builddir/xlators/$x.la" ]; then
            echo "1..0 # SKIP $x is not built"
            exit 0
        fi
    done
}

tmp=$(mktemp -d "${TMPDIR:-/tmp}/gfsd-robust.XXXXXX")
pids=""
on_exit=""
cleanup() {
    for p in $pids; do kill -9 "$p" 2>/dev/null; done
    wait 2>/dev/null
    [ -n "$on_exit" ] && eval "$on_exit"
    rm -rf "$tmp"
}
trap cleanup EXIT
trap 'exit 1' INT TERM

n=0
ok() { n=$((n + 1)); echo "ok $n - $*"; }
not_ok() { # not_ok DESCRIPTION [FILE...]: the tail of each FILE as comments
    n=$((n + 1))
    echo "not ok $n - $1"
    shift
    for f in "$@"; do
        [ -f "$f" ] && tail -n 10 "$f" | sed "s|^|# $(basename "$f"): |"
    done
}
check() { # check DESCRIPTION COMMAND...
    _desc=$1
    shift
    if "$@"; then ok "$_desc"; else not_ok "$_desc"; fi
}
# wait_for SECONDS COMMAND...: retry every 0.1 s.
wait_for() {
    _end=$(($1 * 10))
    shift
    _i=0
    while [ $_i -lt $_end ]; do
        "$@" && return 0
        sleep 0.1
        _i=$((_i + 1))
    done
    return 1
}
alive() {
    kill -0 "$1" 2>/dev/null &&
        ! grep -q '^State:.*Z' "/proc/$1/status" 2>/dev/null
}
in_log() { grep -q -- "$2" "$1" 2>/dev/null; }

# start_gfsd BRICKDIR: the shipped volfile on a free loopback port; sets
# GPID and PORT, returns non-zero if it does not come up in 20 s.
start_gfsd() {
    mkdir -p "$tmp/sd"
    "$GFSD" -N -f "$top_srcdir/gfsd/gfsd.vol" -l "$tmp/gfsd.log" \
        --statedump-path="$tmp/sd" \
        --xlator-option "brick-posix.directory=$1" \
        --xlator-option brick-server.transport.socket.listen-port=0 \
        2>"$tmp/gfsd.err" &
    GPID=$!
    pids="$pids $GPID"
    wait_for 20 eval 'in_log "$tmp/gfsd.log" "listening on 127.0.0.1:" ||
        ! alive $GPID'
    in_log "$tmp/gfsd.log" "listening on 127.0.0.1:" || return 1
    PORT=$(sed -n 's/.*listening on 127\.0\.0\.1:\([0-9]*\).*/\1/p' \
        "$tmp/gfsd.log" | head -n 1)
    [ -n "$PORT" ]
}
# stop_gfsd: TERM, KILL after 10 s; returns gfsd's exit status.
stop_gfsd() {
    kill -TERM "$GPID" 2>/dev/null
    wait_for 10 eval '! alive $GPID' || kill -KILL "$GPID" 2>/dev/null
    wait "$GPID" 2>/dev/null
}

# worker NAME ARGS...: the libgfapi worker, bounded to 180 s; summary on
# $tmp/NAME.out, details on $tmp/NAME.err, client log $tmp/NAME.log.
worker() {
    _name=$1
    shift
    $TMO ${TMO:+180} "$WORKER" -l "$tmp/$_name.log" 127.0.0.1 "$PORT" \
        "$SUBVOL" "$@" >"$tmp/$_name.out" 2>"$tmp/$_name.err"
}
# field NAME KEY: KEY's value in worker NAME's summary line.
field() { tail -n 1 "$tmp/$1.out" | tr ' ' '\n' | sed -n "s/^$2=//p"; }

nfds() { ls "/proc/$GPID/fd" 2>/dev/null | wc -l; }
rss_kib() { sed -n 's/^VmRSS:[^0-9]*\([0-9]*\).*/\1/p' "/proc/$GPID/status"; }
hwm_kib() { sed -n 's/^VmHWM:[^0-9]*\([0-9]*\).*/\1/p' "/proc/$GPID/status"; }

# snapshot FILE: a statedump reduced to "key value" lines: srv.<key> for
# protocol/server's counters, acct.<section> for the live allocations of
# each memory-accounting section (libgf and every translator).
snapshot() {
    rm -f "$tmp"/sd/gfsd.*
    kill -USR1 "$GPID" 2>/dev/null || return 1
    # Its own loop: callers run it under wait_for, whose counter it must
    # not reset.
    _s=0
    until grep -qs DUMP-END-TIME "$tmp"/sd/gfsd.*; do
        _s=$((_s + 1))
        [ $_s -gt 100 ] && return 1
        sleep 0.1
    done
    awk '
        /^\[/ { sec = $0; gsub(/[][]/, "", sec); next }
        sec == "xlator.brick-server" && /^(clients|connections|itable)/ {
            split($0, kv, "="); print "srv." kv[1], kv[2]
        }
        sec ~ /^mem-acct\./ && /^num_allocs=/ {
            split($0, kv, "="); print "acct." substr(sec, 10), kv[2]
        }' "$tmp"/sd/gfsd.* >"$1"
}
# val FILE KEY
val() { awk -v k="$2" '$1 == k { print $2 }' "$1"; }
