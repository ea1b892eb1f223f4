#!/bin/sh
# SPDX-License-Identifier: LGPL-3.0-or-later
#
# TAP: gfs over the network -- its default volfile (gfsd/gfs.vol:
# protocol/client) against a gfsd brick started here on a free loopback
# port, then against Debian's glusterfsd 10.3 (root only; skipped when not
# installed). The same command sequence runs against both, each result
# checked in the brick directory; then the ways of not connecting (wrong
# remote-subvolume, nobody listening), one command under valgrind and one
# stopped by TERM.
# Skipped while protocol/client is not built.
set -u
. "${top_srcdir:?}/tests/func/gfsd-lib.sh"
if [ ! -e "$builddir/xlators/protocol/client.la" ]; then
    echo "1..0 # SKIP protocol/client is not built"
    exit 0
fi
GLUSTERFSD=${GLUSTERFSD:-$(command -v glusterfsd || echo /usr/sbin/glusterfsd)}
SEQ=13
echo "1..$((2 * SEQ + 9))"

ln -s "$GFSD_REAL" "$tmp/gfs"
skip_n() { # skip_n COUNT REASON
    _i=0
    while [ $_i -lt "$1" ]; do
        n=$((n + 1))
        echo "ok $n # SKIP $2"
        _i=$((_i + 1))
    done
}
free_port() {
    python3 -c 'import socket; s = socket.socket();
s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])' 2>/dev/null ||
        echo $((20000 + $(od -An -N2 -tu2 /dev/urandom) % 30000))
}
# gfs TAG ARGS...: the default client volfile pointed at $PORT.
gfs() {
    _tag=$1
    shift
    "$tmp/gfs" -f "$top_srcdir/gfsd/gfs.vol" -l "$tmp/$_tag-gfs.log" \
        --connect-timeout 10 \
        --xlator-option "brick-client.remote-port=$PORT" "$@"
}
# run TAG NAME ARGS...: stdout/stderr to TAG-NAME.out/.err, status in rc.
run() {
    _tag=$1 _name=$2
    shift 2
    gfs "$_tag" "$@" >"$tmp/$_tag-$_name.out" 2>"$tmp/$_tag-$_name.err"
    rc=$?
}

head -c 1310743 /dev/urandom >"$tmp/big" # 1.25 MiB + 23 bytes
printf 'small\n' >"$tmp/small"

# The same SEQ checks against any brick serving BRICKDIR on $PORT.
sequence() { # sequence TAG BRICKDIR
    t=$1 b=$2
    run "$t" ls0 ls /
    check "$t: ls / of the fresh brick (connects, CHILD_UP)" \
        sh -c "[ $rc -eq 0 ] && [ ! -s '$tmp/$t-ls0.out' ]"
    run "$t" mkdir mkdir /d
    check "$t: mkdir" sh -c "[ $rc -eq 0 ] && [ -d '$b/d' ]"
    run "$t" put put "$tmp/big" /d/big
    check "$t: put of 1.25 MiB: same bytes on the brick" \
        sh -c "[ $rc -eq 0 ] && cmp -s '$tmp/big' '$b/d/big'"
    run "$t" get get /d/big "$tmp/$t.back"
    check "$t: get round-trips the bytes exactly" \
        sh -c "[ $rc -eq 0 ] && cmp -s '$tmp/big' '$tmp/$t.back'"
    gfs "$t" put "$tmp/small" /d/small 2>/dev/null
    run "$t" ls ls /d
    check "$t: ls lists what put made" \
        sh -c "[ \"\$(tr '\n' ' ' <'$tmp/$t-ls.out')\" = 'big small ' ]"
    run "$t" stat stat /d/big
    check "$t: stat prints type and size" \
        sh -c "grep -qx 'size: 1310743' '$tmp/$t-stat.out' &&
               grep -qx 'type: regular file' '$tmp/$t-stat.out'"
    run "$t" mv mv /d/small /d/moved
    check "$t: mv renames on the brick" \
        sh -c "[ $rc -eq 0 ] && [ ! -e '$b/d/small' ] && [ -f '$b/d/moved' ]"
    run "$t" rm rm /d/moved
    check "$t: rm" sh -c "[ $rc -eq 0 ] && [ ! -e '$b/d/moved' ]"
    run "$t" rmdir1 rmdir /d
    check "$t: rmdir of a non-empty directory: exit 1" \
        sh -c "[ $rc -eq 1 ] && grep -q 'rmdir /d: Directory not empty' '$tmp/$t-rmdir1.err'"
    gfs "$t" rm /d/big 2>/dev/null
    run "$t" rmdir rmdir /d
    check "$t: rmdir" sh -c "[ $rc -eq 0 ] && [ ! -e '$b/d' ]"
    run "$t" missing stat /missing
    check "$t: a missing path: exit 1 and the message" \
        sh -c "[ $rc -eq 1 ] &&
               grep -qx 'gfs: stat /missing: No such file or directory' '$tmp/$t-missing.err'"
    run "$t" bench bench 100
    check "$t: bench 100: four phases" \
        sh -c "[ $rc -eq 0 ] && [ \$(grep -c ' 100 ops .* ops/s\$' '$tmp/$t-bench.out') -eq 4 ]"
    sed "s/^/# $t /" "$tmp/$t-bench.out"
    run "$t" ls1 ls /
    check "$t: the brick is empty again" \
        sh -c "[ $rc -eq 0 ] && [ ! -s '$tmp/$t-ls1.out' ]"
}

# ---- a gfsd brick ------------------------------------------------------
mkdir "$tmp/brick"
"$GFSD" -N -f "$top_srcdir/gfsd/gfsd.vol" -l "$tmp/brick.log" \
    --xlator-option "brick-posix.directory=$tmp/brick" \
    --xlator-option brick-server.transport.socket.listen-port=0 \
    2>"$tmp/brick.err" &
bpid=$!
pids="$pids $bpid"
wait_for in_log "$tmp/brick.log" "listening on 127.0.0.1:"
PORT=$(sed -n 's/.*listening on 127\.0\.0\.1:\([0-9]*\).*/\1/p' \
    "$tmp/brick.log" | head -n 1)
check "the gfsd brick listens" [ -n "$PORT" ]
sequence gfsd "$tmp/brick"

# Not connecting: the brick refuses the subvolume (CHILD_DOWN at once).
gfs bad --xlator-option brick-client.remote-subvolume=nosuch ls / \
    >"$tmp/nosub.out" 2>"$tmp/nosub.err"
rc=$?
check "a subvolume the brick does not export: exit 1, not connected" \
    sh -c "[ $rc -eq 1 ] && grep -q 'gfs.vol: not connected' '$tmp/nosub.err'"
# Nobody listening: bounded by --connect-timeout.
dead_port=$(free_port)
start=$(date +%s)
"$tmp/gfs" -f "$top_srcdir/gfsd/gfs.vol" -l "$tmp/dead.log" \
    --connect-timeout 1 --xlator-option "brick-client.remote-port=$dead_port" \
    ls / >"$tmp/dead.out" 2>"$tmp/dead.err"
rc=$?
took=$(($(date +%s) - start))
check "nobody listening: exit 1 after --connect-timeout ($took s)" \
    sh -c "[ $rc -eq 1 ] && [ $took -le 4 ] &&
           grep -q 'gfs.vol: not connected' '$tmp/dead.err'"
if command -v valgrind >/dev/null 2>&1 && ! grep -q __asan_init "$GFSD_REAL" 2>/dev/null; then
    valgrind -q --leak-check=full --show-leak-kinds=definite \
        --errors-for-leak-kinds=definite --error-exitcode=99 \
        "$tmp/gfs" -f "$top_srcdir/gfsd/gfs.vol" -l "$tmp/vg.log" \
        --xlator-option "brick-client.remote-port=$PORT" \
        put "$tmp/big" /vg >"$tmp/vg.out" 2>"$tmp/vg.err"
    rc=$?
    check "valgrind: put over protocol/client runs clean" \
        sh -c "[ $rc -eq 0 ] && cmp -s '$tmp/big' '$tmp/brick/vg'"
else
    skip_n 1 "valgrind not installed or a sanitizer build"
fi
# TERM in the middle of a long command (INT is ignored by background jobs
# of a script): it stops at its next file, says so and exits 1 (the event
# threads the signal stopped are started again so that the fop in flight
# gets its reply). The count only bounds a failure to stop.
# (not through the gfs function: $! would be a subshell's pid)
"$tmp/gfs" -f "$top_srcdir/gfsd/gfs.vol" -l "$tmp/term.log" \
    --xlator-option "brick-client.remote-port=$PORT" bench 20000 \
    >"$tmp/term.out" 2>"$tmp/term.err" &
tpid=$!
pids="$pids $tpid"
wait_for in_log "$tmp/term.log" CHILD_UP
sleep 0.3
kill -TERM "$tpid"
wait "$tpid"
rc=$?
check "TERM stops a running command: exit 1, Interrupted" \
    sh -c "[ $rc -eq 1 ] && grep -qi ': interrupted' '$tmp/term.err'"
check "the brick survived every client" alive "$bpid"
kill -TERM "$bpid"
wait "$bpid"
check "the brick exits 0 on TERM" [ $? -eq 0 ]

# ---- Debian's glusterfsd -------------------------------------------------
if [ "$(id -u)" != 0 ] || [ ! -x "$GLUSTERFSD" ]; then
    skip_n $((SEQ + 1)) "glusterfsd needs root and glusterfs-server"
else
    mkdir "$tmp/gbrick"
    PORT=$(free_port)
    # gfsd.vol itself, with the transport keys glusterfsd 10.3 wants
    # without glusterd (tests/bench/brick/common.sh glusterfsd_vol).
    sed -e "s|option directory .*|option directory $tmp/gbrick|" \
        -e "s|listen-port .*|listen-port $PORT|" \
        -e '/type protocol\/server/a\    option transport-type tcp\n    option transport.address-family inet' \
        "$top_srcdir/gfsd/gfsd.vol" >"$tmp/g.vol"
    "$GLUSTERFSD" -N --volfile="$tmp/g.vol" -l "$tmp/g.log" \
        -p "$tmp/g.pid" 2>"$tmp/g.err" &
    gpid=$!
    pids="$pids $gpid"
    if wait_for in_log "$tmp/g.log" "started listening on port ($PORT)"; then
        ok "glusterfsd serves the brick on 127.0.0.1:$PORT"
        sequence glusterfsd "$tmp/gbrick"
    else
        not_ok "glusterfsd serves the brick on 127.0.0.1:$PORT"
        skip_n "$SEQ" "glusterfsd did not start"
    fi
    kill -TERM "$gpid" 2>/dev/null
    wait "$gpid" 2>/dev/null
fi

# (the bracket keeps grep from finding its own command line)
left=$(grep -l "${tmp}/g[f]s" /proc/[0-9]*/cmdline 2>/dev/null)
check "no gfs process is left running" [ -z "$left" ]
