#!/bin/sh
# SPDX-License-Identifier: LGPL-3.0-or-later
#
# TAP: a stock libgfapi client (tests/interop/gfapi-client) against gfsd
# and against a real glusterfsd brick, with equivalent brick graphs
# (storage/posix under performance/io-threads, debug/io-stats and
# protocol/server on 127.0.0.1). The client prints one line per step; the
# two runs must print the same lines, and the two brick directories must
# hold the same tree afterwards (names, types, sizes, contents, link
# counts, symlink targets, FIFOs; .glusterfs and xattrs ignored). Skipped when libgfapi or glusterfsd is missing.
set -u
: "${builddir:?}"
CLIENT="$builddir/tests/interop/gfapi-client"
GLUSTERFSD=${GLUSTERFSD:-$(command -v glusterfsd || echo /usr/sbin/glusterfsd)}

if [ ! -x "$CLIENT" ]; then
    echo "1..0 # SKIP libgfapi (glusterfs-api) not found at configure time"
    exit 0
fi
if [ ! -x "$GLUSTERFSD" ]; then
    echo "1..0 # SKIP glusterfsd is not installed"
    exit 0
fi
for x in storage/posix performance/io-threads debug/io-stats \
    protocol/server; do
    if [ ! -e "$builddir/xlators/$x.la" ]; then
        echo "1..0 # SKIP $x is not built"
        exit 0
    fi
done
# The client runs about 11 s (glfs_fini waits for its threads); bound it.
if command -v timeout >/dev/null 2>&1; then
    TMO="timeout 120"
else
    TMO=""
fi

# TAP helpers, temp dir, pids killed at exit, stop (gfsd-lib.sh).
. "${top_srcdir:?}/tests/func/gfsd-lib.sh"

# brick_vol FILE PREFIX DIRECTORY SERVER-OPTIONS: the common graph.
brick_vol() {
    cat >"$1" <<VOL
volume $2-posix
    type storage/posix
    option directory $3
end-volume

volume $2-io-threads
    type performance/io-threads
    subvolumes $2-posix
end-volume

volume $2-brick
    type debug/io-stats
    subvolumes $2-io-threads
end-volume

volume $2-server
    type protocol/server
$4
    subvolumes $2-brick
end-volume
VOL
}

# run_client NAME PORT SUBVOL: the functional script, then the concurrent
# one; step lines in $tmp/NAME.steps, exit statuses in $tmp/NAME.rc.
# libglusterfs does not free everything at glfs_fini: in a sanitizer
# build its leaks are suppressed (tests/lsan.supp, through LSAN_OPTIONS
# from make check); the client's own allocations stay checked.
run_client() {
    $TMO "$CLIENT" 127.0.0.1 "$2" "$3" func functional \
        "$tmp/$1-client.log" >"$tmp/$1.steps" 2>"$tmp/$1.err"
    _r1=$?
    $TMO "$CLIENT" 127.0.0.1 "$2" "$3" conc concurrent \
        "$tmp/$1-client.log" >>"$tmp/$1.steps" 2>>"$tmp/$1.err"
    echo "$_r1 $?" >"$tmp/$1.rc"
}

# tree DIR: one line per object below DIR, .glusterfs left out: symlinks
# with their targets (tested first: -d and -f follow them), files with
# their link counts (the brick's own, .glusterfs handle included) and
# contents, FIFOs with their permissions.
tree() {
    (cd "$1" && find . -path ./.glusterfs -prune -o -print | LC_ALL=C sort |
        while IFS= read -r p; do
            if [ -L "$p" ]; then
                echo "symlink $p -> $(readlink "$p")"
            elif [ -d "$p" ]; then
                echo "dir $p"
            elif [ -f "$p" ]; then
                echo "file $p links=$(stat -c %h "$p") $(wc -c <"$p")" \
                    "$(cksum <"$p")"
            elif [ -p "$p" ]; then
                echo "fifo $p $(stat -c %a "$p")"
            else
                echo "other $p"
            fi
        done)
}

echo "1..8"

# ---- gfsd ------------------------------------------------------------
mkdir "$tmp/gfsd-brick"
brick_vol "$tmp/gfsd.vol" gfsd "$tmp/gfsd-brick" "\
    option transport.socket.bind-address 127.0.0.1
    option transport.socket.listen-port 0
    option auth-allow 127.0.0.1"
"$GFSD" -N -f "$tmp/gfsd.vol" -l "$tmp/gfsd.log" 2>"$tmp/gfsd-server.err" &
gpid=$!
pids="$pids $gpid"
if wait_for in_log "$tmp/gfsd.log" "listening on 127.0.0.1:"; then
    port=$(sed -n 's/.*listening on 127\.0\.0\.1:\([0-9]*\).*/\1/p' \
        "$tmp/gfsd.log" | head -n 1)
    ok "gfsd serves the brick on 127.0.0.1:$port"
    run_client gfsd "$port" gfsd-brick
    read -r r1 r2 <"$tmp/gfsd.rc"
    if [ "$r1" = 0 ]; then ok "libgfapi functional steps against gfsd"
    else not_ok "libgfapi functional steps against gfsd (exit $r1)" \
        "$tmp/gfsd.steps" "$tmp/gfsd.err" "$tmp/gfsd.log"; fi
    if [ "$r2" = 0 ]; then ok "libgfapi 4 x 500 files against gfsd"
    else not_ok "libgfapi 4 x 500 files against gfsd (exit $r2)" \
        "$tmp/gfsd.steps" "$tmp/gfsd.err" "$tmp/gfsd.log"; fi
else
    not_ok "gfsd serves the brick" "$tmp/gfsd.log" "$tmp/gfsd-server.err"
    not_ok "libgfapi functional steps against gfsd (no server)"
    not_ok "libgfapi 4 x 500 files against gfsd (no server)"
fi
if stop "$gpid"; then ok "gfsd exits 0 on TERM (clean under sanitizers)"
else not_ok "gfsd exits 0 on TERM" "$tmp/gfsd-server.err"; fi

# ---- glusterfsd ------------------------------------------------------
# glusterfsd's posix stores trusted.* xattrs, which needs root.
if [ "$(id -u)" != 0 ]; then
    skip "glusterfsd serves the brick" "glusterfsd needs root"
    skip "libgfapi against glusterfsd" "glusterfsd needs root"
    skip "same step lines" "glusterfsd needs root"
    skip "same brick trees" "glusterfsd needs root"
    exit 0
fi
up=""
start_glusterfsd '*' && up=yes
if [ -n "$up" ]; then
    ok "glusterfsd serves the brick on 127.0.0.1:$RPORT"
    run_client ref "$RPORT" ref-brick
    read -r r1 r2 <"$tmp/ref.rc"
    if [ "$r1 $r2" = "0 0" ]; then ok "libgfapi against glusterfsd"
    else not_ok "libgfapi against glusterfsd (exit $r1 $r2)" \
        "$tmp/ref.steps" "$tmp/ref.err"; fi
    stop "$RPID"
else
    not_ok "glusterfsd serves the brick" "$tmp/ref.log" "$tmp/ref.err"
    not_ok "libgfapi against glusterfsd (no server)"
fi

if diff -u "$tmp/ref.steps" "$tmp/gfsd.steps" >"$tmp/steps.diff" 2>&1; then
    ok "same step lines from both servers"
else
    not_ok "same step lines from both servers" "$tmp/steps.diff"
fi
tree "$tmp/ref-brick" >"$tmp/ref.tree"
tree "$tmp/gfsd-brick" >"$tmp/gfsd.tree"
if [ -s "$tmp/ref.tree" ] &&
    diff -u "$tmp/ref.tree" "$tmp/gfsd.tree" >"$tmp/tree.diff" 2>&1; then
    ok "same brick trees after both runs"
else
    not_ok "same brick trees after both runs" "$tmp/tree.diff" \
        "$tmp/ref.tree"
fi
