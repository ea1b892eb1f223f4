# SPDX-License-Identifier: LGPL-3.0-or-later
#
# Helpers shared by the tests/func/gfsd-*.sh scripts (sourced, not run):
# a temp dir removed at exit, TAP output, bounded waits, the test volfiles
# (test translators only, so they work without a network stack).
: "${builddir:?}" "${GF_XLATOR_PATH:?}"
export GF_XLATOR_PATH
GFSD="$builddir/gfsd/gfsd"
is_elf() { [ "$(head -c 4 "$1" 2>/dev/null | od -An -c | tr -d ' ')" = '177ELF' ]; }
# gfsd is normally a real executable (libgf linked in). Built with
# --disable-static-gfsd it is a libtool wrapper that execs the real binary
# under its own name, so the personality tests link to the real one (a
# stale .libs/gfsd from such a build is ignored when gfsd is an ELF file).
if ! is_elf "$GFSD" && [ -x "$builddir/gfsd/.libs/gfsd" ]; then
    GFSD_REAL="$builddir/gfsd/.libs/gfsd"
    LD_LIBRARY_PATH="$builddir/lib/.libs${LD_LIBRARY_PATH:+:$LD_LIBRARY_PATH}"
    export LD_LIBRARY_PATH
else
    GFSD_REAL="$GFSD"
fi
# An event pool refuses poll unless allowed; epoll may be missing in odd
# sandboxes.
GF_EVENT_ALLOW_POLL=1
export GF_EVENT_ALLOW_POLL

tmp=$(mktemp -d "${TMPDIR:-/tmp}/gfsd-func.XXXXXX")
pids=""
cleanup() { # KEEP=1 keeps the temp dir, for a look at the logs
    for p in $pids; do kill -9 "$p" 2>/dev/null; done
    [ -n "${KEEP:-}" ] || rm -rf "$tmp"
}
trap cleanup EXIT
trap 'exit 1' INT TERM

n=0
ok() { n=$((n + 1)); echo "ok $n - $1"; }
not_ok() { # not_ok DESCRIPTION [FILE...]: shows FILEs, else every log
    n=$((n + 1))
    echo "not ok $n - $1"
    shift
    [ $# -gt 0 ] || set -- "$tmp"/*.log "$tmp"/*.err
    for f in "$@"; do
        [ -f "$f" ] && tail -n 8 "$f" | sed "s|^|# $(basename "$f"): |"
    done
}
skip() { n=$((n + 1)); echo "ok $n - $1 # SKIP $2"; } # skip DESC WHY
check() { # check DESCRIPTION COMMAND...
    _desc=$1
    shift
    if "$@"; then ok "$_desc"; else not_ok "$_desc"; fi
}

# wait_for COMMAND...: retry for up to 5 s.
wait_for() {
    _i=0
    while [ $_i -lt 50 ]; do
        "$@" && return 0
        sleep 0.1
        _i=$((_i + 1))
    done
    return 1
}
# A zombie (exited, not yet reaped) counts as dead.
alive() {
    kill -0 "$1" 2>/dev/null &&
        ! grep -q '^State:.*Z' "/proc/$1/status" 2>/dev/null
}
dead() { ! alive "$1"; }
stop() { # stop PID: TERM, then KILL after 5 s; returns its exit status
    kill -TERM "$1" 2>/dev/null
    _i=0
    while alive "$1" && [ $_i -lt 50 ]; do
        sleep 0.1
        _i=$((_i + 1))
    done
    kill -KILL "$1" 2>/dev/null
    wait "$1" 2>/dev/null
}
in_log() { grep -q -- "$2" "$1" 2>/dev/null; } # in_log FILE PATTERN
count_in_log() { grep -c -- "$2" "$1" 2>/dev/null; }

# start_glusterfsd ALLOW: Debian's glusterfsd ($GLUSTERFSD) serving the
# caller's brick_vol graph (prefix "ref") on $tmp/ref-brick at 127.0.0.1,
# clients from ALLOW accepted. glusterfsd reads listen-port 0 as 24007,
# so a few ports are tried until one binds. Sets RPORT and RPID (in
# $pids too); returns 1 when none did (logs in $tmp/ref.log, ref.err).
start_glusterfsd() {
    mkdir -p "$tmp/ref-brick"
    _base=$((20000 + $$ % 20000))
    for _try in 0 1 2 3 4; do
        RPORT=$((_base + _try * 997))
        brick_vol "$tmp/ref.vol" ref "$tmp/ref-brick" "\
    option transport-type tcp
    option transport.address-family inet
    option transport.socket.bind-address 127.0.0.1
    option transport.socket.listen-port $RPORT
    option auth.addr.ref-brick.allow $1"
        rm -f "$tmp/ref.log"
        "$GLUSTERFSD" -N --volfile="$tmp/ref.vol" -l "$tmp/ref.log" \
            -p "$tmp/ref.pid" --brick-name ref-brick 2>"$tmp/ref.err" &
        RPID=$!
        pids="$pids $RPID"
        wait_for in_log "$tmp/ref.log" "started listening on port ($RPORT)" &&
            return 0
        stop "$RPID"
    done
    return 1
}

# A three-translator graph: io-stats over trace over a sink leaf.
write_vol() { # write_vol FILE TRACE_LEVEL
    cat >"$1" <<VOL
# test graph
volume leaf
    type test/sink
    option size 4096
end-volume

volume tracer
    type debug/trace
    option log-level $2
    subvolumes leaf
end-volume

volume top
    type debug/io-stats
    subvolumes tracer
end-volume
VOL
}
