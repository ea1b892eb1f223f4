# SPDX-License-Identifier: LGPL-3.0-or-later
#
# Helpers shared by startup.sh and brick-bench.sh (sourced, not run): find
# gfsd in a build tree, build the C helpers, write an equivalent brick
# volfile for glusterfsd, start a server and wait for its port, stop it by
# PID, read /proc figures, and take medians.
#
# Environment: builddir (a configured and built gfsd tree; default: the
# current directory), GLUSTERFSD (default /usr/sbin/glusterfsd), CC,
# GFSD_VOL (gfsd's volfile; default gfsd/gfsd.vol of the source tree).
set -u
here=$(cd "$(dirname "$0")" && pwd)
srcdir=$(cd "$here/../../.." && pwd)
builddir=$(cd "${builddir:-.}" && pwd)
GLUSTERFSD=${GLUSTERFSD:-/usr/sbin/glusterfsd}
CC=${CC:-cc}

# gfsd is normally a real executable. A libtool wrapper script (built with
# --disable-static-gfsd) would add a shell start to every measurement: run
# the real binary with the library path it would have set.
is_elf() { [ "$(head -c 4 "$1" 2>/dev/null | od -An -c | tr -d ' ')" = '177ELF' ]; }
if ! is_elf "$builddir/gfsd/gfsd" && [ -x "$builddir/gfsd/.libs/gfsd" ]; then
    GFSD="$builddir/gfsd/.libs/gfsd"
    LD_LIBRARY_PATH="$builddir/lib/.libs${LD_LIBRARY_PATH:+:$LD_LIBRARY_PATH}"
    export LD_LIBRARY_PATH
elif [ -x "$builddir/gfsd/gfsd" ]; then
    GFSD="$builddir/gfsd/gfsd"
else
    echo "no gfsd in builddir=$builddir (run make there first)" >&2
    exit 1
fi
GF_XLATOR_PATH="$builddir/xlators"
export GF_XLATOR_PATH
[ -x "$GLUSTERFSD" ] || { echo "no $GLUSTERFSD" >&2; exit 1; }

tmp=$(mktemp -d "${TMPDIR:-/tmp}/brick-bench.XXXXXX")
srv_pids=""
mnt=""
cleanup() {
    for p in $srv_pids; do kill -9 "$p" 2>/dev/null; done
    [ -n "$mnt" ] && umount "$mnt" 2>/dev/null
    rm -rf "$tmp"
}
trap cleanup EXIT
trap 'exit 1' HUP INT PIPE TERM

# Prefer helpers built by 'make bench-brick'; otherwise build them here.
build_helpers() { # build_helpers [gfapi]
    PROBE="$builddir/tests/bench/brick/ready-probe"
    if [ ! -x "$PROBE" ]; then
        PROBE="$tmp/ready-probe"
        $CC -O2 -o "$PROBE" "$here/ready-probe.c" || exit 1
    fi
    [ "${1:-}" = gfapi ] || return 0
    SMALLFILE="$builddir/tests/bench/brick/smallfile"
    if [ ! -x "$SMALLFILE" ]; then
        SMALLFILE="$tmp/smallfile"
        # shellcheck disable=SC2046
        $CC -O2 -o "$SMALLFILE" "$here/smallfile.c" \
            $(pkg-config --cflags --libs glusterfs-api) || exit 1
    fi
}

free_port() {
    if command -v python3 >/dev/null 2>&1; then
        python3 -c 'import socket; s = socket.socket();
s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])'
    else
        echo $((20000 + $(od -An -N2 -tu2 /dev/urandom) % 30000))
    fi
}

# The glusterfsd brick volfile equivalent to gfsd/gfsd.vol: same five
# translators and options; glusterfsd also needs the transport type and an
# auth rule naming the exported subvolume.
glusterfsd_vol() { # glusterfsd_vol FILE BRICKDIR PORT
    cat >"$1" <<VOL
volume brick-posix
    type storage/posix
    option directory $2
end-volume

volume brick-locks
    type features/locks
    subvolumes brick-posix
end-volume

volume brick-io-threads
    type performance/io-threads
    option thread-count 16
    subvolumes brick-locks
end-volume

volume brick-io-stats
    type debug/io-stats
    option latency-measurement on
    option count-fop-hits on
    subvolumes brick-io-threads
end-volume

volume brick-server
    type protocol/server
    option transport-type tcp
    option transport.address-family inet
    option transport.socket.bind-address 127.0.0.1
    option transport.socket.listen-port $3
    option auth.addr.brick-io-stats.allow 127.0.0.1
    subvolumes brick-io-stats
end-volume
VOL
}

# start_server gfsd|glusterfsd BRICKDIR TAG: starts it on a free port and
# waits until the port accepts; sets PID, PORT, READY_US.
start_server() {
    PORT=$(free_port)
    mkdir -p "$2"
    case $1 in
    gfsd)
        set -- "$GFSD" -N -f "${GFSD_VOL:-$srcdir/gfsd/gfsd.vol}" \
            -l "$tmp/$3.log" \
            --xlator-option "brick-posix.directory=$2" \
            --xlator-option "brick-server.transport.socket.listen-port=$PORT"
        ;;
    glusterfsd)
        glusterfsd_vol "$tmp/$3.vol" "$2" "$PORT"
        set -- "$GLUSTERFSD" -N "--volfile=$tmp/$3.vol" -l "$tmp/$3.log"
        ;;
    esac
    _out=$("$PROBE" "$PORT" 20000 "$@" 2>>"$tmp/probe.err") || {
        echo "server failed to start: $*" >&2
        tail -n 5 "$tmp/probe.err" >&2
        return 1
    }
    PID=${_out% *}
    READY_US=${_out#* }
    srv_pids="$srv_pids $PID"
}

# stop_server PID: TERM, then KILL after 5 s; waits until it is gone (the
# server is not our child: the probe that forked it has exited).
stop_server() {
    kill -TERM "$1" 2>/dev/null
    _i=0
    while [ -d "/proc/$1" ] &&
        ! grep -q '^State:.*Z' "/proc/$1/status" 2>/dev/null; do
        _i=$((_i + 1))
        [ $_i -eq 500 ] && kill -9 "$1" 2>/dev/null
        sleep 0.01
    done
}

rss_kib() { awk '/^VmRSS:/ { print $2 }' "/proc/$1/status"; }
hwm_kib() { awk '/^VmHWM:/ { print $2 }' "/proc/$1/status"; }
# utime+stime in clock ticks (fields 14 and 15, counted after the comm).
cpu_ticks() { sed 's/.*) //' "/proc/$1/stat" | awk '{ print $12 + $13 }'; }
TICKS=$(getconf CLK_TCK)

median() { # median VALUES...: numeric median, "-" if none
    [ $# -eq 0 ] && { echo -; return; }
    printf '%s\n' "$@" | sort -g | awk '{ v[NR] = $1 }
        END { if (NR % 2) print v[(NR + 1) / 2];
              else print (v[NR / 2] + v[NR / 2 + 1]) / 2 }'
}
ratio() { # ratio A B: A/B with 2 decimals, "-" if either is missing
    awk -v a="$1" -v b="$2" 'BEGIN {
        if (a == "-" || b == "-" || b == 0) print "-";
        else printf "%.2f\n", a / b }'
}
machine() {
    echo "# $(date -u '+%Y-%m-%d %H:%M UTC'), nproc $(nproc)," \
        "$(sed -n 's/^model name[[:space:]]*: //p' /proc/cpuinfo |
            head -n 1)," \
        "$($GLUSTERFSD --version | head -n 1)"
}
