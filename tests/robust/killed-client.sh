#!/bin/sh
# SPDX-License-Identifier: LGPL-3.0-or-later
#
# TAP: libgfapi clients killed with SIGKILL in the middle of a write
# stream (or of a read stream they stopped draining) leave gfsd serving, the other clients' files intact, and nothing
# behind in gfsd: its open descriptors, protocol/server's clients and
# open fds, and the live allocation count of every memory-accounting
# section return to the baseline taken before the first kill, kill after
# kill; the write lock each killed writer held is released. The inode
# table is the one tolerated difference: each killed writer's file still
# exists, so its name and inode stay in the table (one more name per
# kill, no active inode beyond the baseline) with the per-inode state
# features/locks keeps for a locked inode (see same_acct); and inodes of
# unlinked files stay cached as unreferenced LRU entries (protocol/server
# unlinks the dentry but does not forget the lookup count), bounded by
# inode-lru-limit (16384, plus the root). Skipped without libgfapi.
set -u
. "${top_srcdir:?}/tests/robust/robust-lib.sh"
skip_unless_ready
ROUNDS=3 # kills after the one under concurrent load
echo "1..$((11 + 3 * ROUNDS))"

mkdir "$tmp/brick"
if ! start_gfsd "$tmp/brick"; then
    not_ok "gfsd serves the brick" "$tmp/gfsd.log" "$tmp/gfsd.err"
    exit 1
fi
ok "gfsd serves the brick on 127.0.0.1:$PORT"

# victim NAME PATH: write-forever, SIGKILLed once it has written for a
# second (whatever RPC is on the wire at that moment is cut).
victim() {
    "$WORKER" -l "$tmp/$1.log" 127.0.0.1 "$PORT" "$SUBVOL" \
        write-forever "$2" >"$tmp/$1.out" 2>"$tmp/$1.err" &
    _v=$!
    pids="$pids $_v"
    wait_for 60 in_log "$tmp/$1.out" writing
    _started=$?
    sleep 1
    kill -9 "$_v" 2>/dev/null
    wait "$_v" 2>/dev/null
    return $_started
}
settled() { # no client left and the descriptors back to the baseline
    [ "$(nfds)" -eq "$base_fds" ] && snapshot "$tmp/now" &&
        [ "$(val "$tmp/now" srv.clients)" = 0 ] &&
        [ "$(val "$tmp/now" srv.itable.0.open-fds)" = 0 ]
}
# same_acct A B N: every acct.* line equal (diff on $tmp/acct.diff), but
# for features/locks' per-inode state (pl_inode_t, pl_dom_t): an inode
# that was ever locked keeps it in its context until the inode leaves the
# table, so each of the N files locked so far (still existing, cached)
# may hold one of each. Its locks (pl_lock_t) must all be gone.
same_acct() {
    _pl='^acct\.brick-locks(\.pl_inode_t|\.pl_dom_t)? '
    grep '^acct\.' "$1" | grep -Ev "$_pl|pl_lock_t 0$" >"$tmp/a1"
    grep '^acct\.' "$2" | grep -Ev "$_pl|pl_lock_t 0$" >"$tmp/a2"
    diff "$tmp/a1" "$tmp/a2" >"$tmp/acct.diff" || return 1
    for _k in acct.brick-locks.pl_inode_t acct.brick-locks.pl_dom_t; do
        _b=$(val "$1" $_k)
        _a=$(val "$2" $_k)
        [ "${_a:-0}" -le $((${_b:-0} + $3)) ] && continue
        echo "$_k: $_a > ${_b:-0} + $3" >>"$tmp/acct.diff"
        return 1
    done
}

# The well-behaved client's files, and the baseline once it is gone.
worker put put /base 8 300000
wait_for 15 eval 'snapshot "$tmp/base" && [ "$(val "$tmp/base" srv.clients)" = 0 ]'
base_fds=$(nfds)
if [ "$(field put errors)" = 0 ] && [ "$(val "$tmp/base" srv.clients)" = 0 ]
then
    ok "baseline: 8 files written, $base_fds descriptors, no client"
else
    not_ok "baseline" "$tmp/put.out" "$tmp/put.err" "$tmp/base"
fi

# Kill 1: while two other connections loop create/write/verify/unlink.
worker loop loop 10 /good 2 &
lpid=$!
victim v1 /victim-1
r1=$?
if [ $r1 = 0 ] && alive "$GPID"; then
    ok "writer killed mid-write under load; gfsd alive"
else
    not_ok "writer killed mid-write under load; gfsd alive" \
        "$tmp/v1.err" "$tmp/gfsd.log"
fi
wait $lpid
lr=$?
if [ $lr = 0 ] && [ "$(field loop mismatches)" = 0 ] &&
    [ "$(field loop files)" -gt 0 ]; then
    ok "concurrent clients: $(field loop files) files," \
        "$(field loop bytes) bytes read back, 0 mismatches"
else
    not_ok "concurrent clients unaffected (exit $lr)" "$tmp/loop.out" \
        "$tmp/loop.err"
fi

# Kills 2..: one at a time; each must come back to the baseline.
r=2
while [ $r -le $((ROUNDS + 1)) ]; do
    victim "v$r" "/victim-$r"
    started=$?
    if [ $started = 0 ] && wait_for 15 settled; then
        ok "kill $r: descriptors back to $base_fds, no client, no open fd"
    else
        not_ok "kill $r: back to baseline (writer started: $started, $(nfds) fds)" \
            "$tmp/now" "$tmp/v$r.err" "$tmp/gfsd.log"
    fi
    cp "$tmp/now" "$tmp/after-$r"
    a=$(val "$tmp/now" srv.itable.0.active)
    d=$(val "$tmp/now" srv.itable.0.dentries)
    c=$(($(val "$tmp/now" srv.itable.0.lru) + a))
    # The baseline's names, one per killed writer so far, and /good.
    b=$(($(val "$tmp/base" srv.itable.0.dentries) + r + 1))
    if [ "$a" = "$(val "$tmp/base" srv.itable.0.active)" ] &&
        [ "$d" -le "$b" ] && [ "$c" -le 16385 ]; then
        ok "kill $r: $a active inodes as at baseline, $d names <= $b," \
            "$c cached inodes"
    else
        not_ok "kill $r: inode table (active $a, names $d > $b?, cached $c)" \
            "$tmp/now"
    fi
    if same_acct "$tmp/base" "$tmp/now" $r; then
        ok "kill $r: live allocations of every section as at baseline" \
            "(plus per-inode lock state of $r locked files)"
    else
        not_ok "kill $r: live allocations differ from baseline" \
            "$tmp/acct.diff"
    fi
    r=$((r + 1))
done

# A process of 10 connections, each in the middle of its create/write/
# read/unlink loop (creates, opens and reads in flight), killed at once.
"$WORKER" -l "$tmp/multi.log" 127.0.0.1 "$PORT" "$SUBVOL" loop 60 /multi 10 \
    >"$tmp/multi.out" 2>"$tmp/multi.err" &
mpid=$!
pids="$pids $mpid"
wait_for 30 eval 'snapshot "$tmp/now" && [ "$(val "$tmp/now" srv.clients)" = 10 ]'
up=$?
sleep 2
kill -9 "$mpid" 2>/dev/null
wait "$mpid" 2>/dev/null
if [ $up = 0 ] && wait_for 15 settled &&
    same_acct "$tmp/base" "$tmp/now" $((ROUNDS + 1)); then
    ok "10 connections killed mid-loop: $base_fds descriptors, no open fd," \
        "allocations as at baseline"
else
    not_ok "10 connections killed mid-loop (all up: $up, $(nfds) fds)" \
        "$tmp/now" "$tmp/acct.diff" "$tmp/multi.err"
fi

# A reader with 32 READs of 128 KiB in flight is stopped, so it no longer
# drains its socket (replies pile up in the socket buffers and, past them,
# in gfsd's send queue), then killed: pending replies and their buffers
# must go with the connection.
"$WORKER" -l "$tmp/reader.log" 127.0.0.1 "$PORT" "$SUBVOL" \
    read-forever /victim-1 32 >"$tmp/reader.out" 2>"$tmp/reader.err" &
rpid=$!
pids="$pids $rpid"
wait_for 60 in_log "$tmp/reader.out" reading
up=$?
sleep 1
kill -STOP "$rpid" 2>/dev/null
sleep 2
kill -9 "$rpid" 2>/dev/null
wait "$rpid" 2>/dev/null
if [ $up = 0 ] && alive "$GPID" && wait_for 15 settled &&
    same_acct "$tmp/base" "$tmp/now" $((ROUNDS + 1)); then
    ok "a stalled reader killed with replies pending: $base_fds descriptors," \
        "no open fd, allocations as at baseline"
else
    not_ok "stalled reader killed (reading: $up, $(nfds) fds)" \
        "$tmp/now" "$tmp/acct.diff" "$tmp/reader.err"
fi

# The other client's files, byte for byte, and the killed writers' files:
# whole 128 KiB pattern blocks only (a cut RPC must not land).
worker check check /base 8 300000 &
cpid=$!
r=1
vlist=""
while [ $r -le $((ROUNDS + 1)) ]; do
    vlist="$vlist /victim-$r"
    r=$((r + 1))
done
# shellcheck disable=SC2086
worker verify verify $vlist
wait $cpid
if [ $? = 0 ] && [ "$(field check bytes)" = 2400000 ]; then
    ok "the other client's 8 files verify byte for byte"
else
    not_ok "the other client's files verify" "$tmp/check.out" \
        "$tmp/check.err"
fi
if [ "$(field verify errors)" = 0 ] && [ "$(field verify partial)" = 0 ] &&
    [ "$(field verify mismatches)" = 0 ]; then
    ok "killed writers' $(field verify files) files hold whole pattern" \
        "blocks only ($(field verify bytes) bytes)"
else
    not_ok "killed writers' files" "$tmp/verify.out" "$tmp/verify.err"
fi
# Each writer held a write lock on its file when it was killed: the brick
# must have dropped it with the connection.
held=$(cat "$tmp"/v*.out | grep -c '^writing lock=0$')
if [ "$held" = 0 ]; then
    n=$((n + 1))
    echo "ok $n - dead writers' locks released # SKIP no lock was granted:" \
        "$(sed -n 's/^writing //p' "$tmp/v1.out")"
elif [ "$held" = "$(field verify lockable)" ]; then
    ok "the $held write locks of the killed writers were released"
else
    not_ok "killed writers' locks: $held held, $(field verify lockable) free" \
        "$tmp/verify.err"
fi

# Nothing accumulated: after more clients came and went, the same figures.
if wait_for 15 settled && same_acct "$tmp/base" "$tmp/now" $((ROUNDS + 1))
then
    ok "after all clients: $base_fds descriptors, allocations as at baseline"
else
    not_ok "after all clients: back to baseline" "$tmp/acct.diff" "$tmp/now"
fi
if stop_gfsd; then ok "gfsd exits 0 on TERM"
else not_ok "gfsd exits 0 on TERM" "$tmp/gfsd.err" "$tmp/gfsd.log"; fi
