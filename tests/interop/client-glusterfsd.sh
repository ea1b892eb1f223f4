#!/bin/sh
# SPDX-License-Identifier: LGPL-3.0-or-later
#
# TAP: gfsd's protocol/client (through tests/interop/client-host) against
# a real glusterfsd 10.3 brick started here without glusterd, and against
# a gfsd brick with the same graph: the handshake, the fop sequence of
# client-host, and afterwards the brick directory (what the client left:
# d/g with the payload and mode 0600, the symlink d/s -> g, nothing else
# in d). Skipped when not root; the glusterfsd half when glusterfsd is
# missing.
set -u
: "${builddir:?}"
HOST="$builddir/tests/interop/client-host"
GLUSTERFSD=${GLUSTERFSD:-$(command -v glusterfsd || echo /usr/sbin/glusterfsd)}
PAYLOAD="hello from gfsd protocol/client"

if [ ! -e "$builddir/xlators/protocol/client.la" ]; then
    echo "1..0 # SKIP protocol/client is not built"
    exit 0
fi
# Both bricks keep gfids in trusted.* xattrs only as root (a non-root
# gfsd uses user.*, which Linux refuses on symlinks).
if [ "$(id -u)" != 0 ]; then
    echo "1..0 # SKIP needs root"
    exit 0
fi
if command -v timeout >/dev/null 2>&1; then TMO="timeout 120"; else TMO=""; fi

# TAP helpers, temp dir, pids killed at exit (KEEP=1 keeps the dir).
. "${top_srcdir:?}/tests/func/gfsd-lib.sh"

# brick_vol FILE PREFIX DIRECTORY SERVER-OPTIONS (glusterfsd 10.3 accepts
# it without glusterd: tests/bench/brick/common.sh)
brick_vol() {
    cat >"$1" <<VOL
volume $2-posix
    type storage/posix
    option directory $3
end-volume

volume $2-locks
    type features/locks
    subvolumes $2-posix
end-volume

volume $2-brick
    type debug/io-stats
    subvolumes $2-locks
end-volume

volume $2-server
    type protocol/server
$4
    subvolumes $2-brick
end-volume
VOL
}

# check_brick NAME DIR: what client-host left behind.
check_brick() {
    _d="$2/d"
    if [ -f "$_d/g" ] && [ "$(cat "$_d/g")" = "$PAYLOAD" ] &&
        [ "$(stat -c %a "$_d/g")" = 600 ] &&
        [ "$(readlink "$_d/s")" = g ] &&
        [ "$(cd "$_d" && ls -A | tr '\n' ' ')" = "g s " ]; then
        ok "$1 brick holds d/g (payload, mode 600) and d/s -> g only"
    else
        ls -laR "$2" >"$tmp/$1.ls" 2>&1
        not_ok "$1 brick holds d/g and d/s -> g only" "$tmp/$1.ls"
    fi
}

# run_host NAME PORT SUBVOL
run_host() {
    if $TMO "$HOST" 127.0.0.1 "$2" "$3" >"$tmp/$1.steps" 2>"$tmp/$1.err"; then
        ok "protocol/client: $(grep -c '^ok' "$tmp/$1.steps") steps against $1"
    else
        not_ok "protocol/client steps against $1" "$tmp/$1.steps" \
            "$tmp/$1.err"
    fi
}

echo "1..6"

# ---- gfsd brick --------------------------------------------------------
mkdir "$tmp/gfsd-brick"
brick_vol "$tmp/gfsd.vol" gfsd "$tmp/gfsd-brick" "\
    option transport.socket.bind-address 127.0.0.1
    option transport.socket.listen-port 0"
"$GFSD" -N -f "$tmp/gfsd.vol" -l "$tmp/gfsd.log" 2>"$tmp/gfsd.err" &
gpid=$!
pids="$pids $gpid"
if wait_for in_log "$tmp/gfsd.log" "listening on 127.0.0.1:"; then
    port=$(sed -n 's/.*listening on 127\.0\.0\.1:\([0-9]*\).*/\1/p' \
        "$tmp/gfsd.log" | head -n 1)
    run_host gfsd "$port" gfsd-brick
    stop "$gpid"
    check_brick gfsd "$tmp/gfsd-brick"
else
    not_ok "gfsd serves the brick" "$tmp/gfsd.log" "$tmp/gfsd.err"
    not_ok "gfsd brick contents (no server)"
    stop "$gpid"
fi

# ---- glusterfsd brick -------------------------------------------------
if [ ! -x "$GLUSTERFSD" ]; then
    why="glusterfsd is not installed"
    skip "glusterfsd serves the brick" "$why"
    skip "protocol/client steps against glusterfsd" "$why"
    skip "glusterfsd brick contents" "$why"
    skip "wrong remote-subvolume refused by glusterfsd" "$why"
    exit 0
fi
up=""
start_glusterfsd 127.0.0.1 && up=yes
if [ -z "$up" ]; then
    not_ok "glusterfsd serves the brick" "$tmp/ref.log" "$tmp/ref.err"
    not_ok "protocol/client steps against glusterfsd (no server)"
    not_ok "glusterfsd brick contents (no server)"
    not_ok "wrong remote-subvolume (no server)"
    exit 0
fi
ok "glusterfsd 10.3 serves the brick on 127.0.0.1:$RPORT"
run_host glusterfsd "$RPORT" ref-brick
check_brick glusterfsd "$tmp/ref-brick"
# A subvolume glusterfsd does not export: refused, reported, no hang.
if $TMO "$HOST" 127.0.0.1 "$RPORT" no-such-brick >"$tmp/bad.steps" \
    2>"$tmp/bad.err"; then
    not_ok "wrong remote-subvolume refused by glusterfsd" "$tmp/bad.steps"
elif grep -q 'FAIL child-up: got -1' "$tmp/bad.steps" &&
    grep -q 'no-such-brick' "$tmp/bad.err"; then
    ok "wrong remote-subvolume refused by glusterfsd (CHILD_DOWN, logged)"
else
    not_ok "wrong remote-subvolume refused by glusterfsd" "$tmp/bad.steps" \
        "$tmp/bad.err"
fi
stop "$RPID"
exit 0
