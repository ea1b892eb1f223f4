#!/bin/sh
# SPDX-License-Identifier: LGPL-3.0-or-later
#
# TAP: GlusterFS's own cluster translators in a stock libgfapi 10.3 client
# over two gfsd bricks on the shipped volfile. Replicate (AFR) locks with
# INODELK/ENTRYLK and keeps its changelog with FXATTROP/XATTROP on the
# bricks: a healthy run must leave both bricks with the same tree and
# contents and every trusted.afr.* counter at zero; with one brick down,
# writes go on and the surviving brick records what the other missed.
# Distribute (DHT) over two fresh bricks must place each file on exactly
# one brick and give the directory a layout on both.
# Needs root (trusted.* xattrs) and libgfapi; skipped cleanly otherwise.
set -u
. "${top_srcdir:?}/tests/func/gfsd-lib.sh"
CLIENT="$builddir/tests/interop/gfapi-afr"
if [ ! -x "$CLIENT" ]; then
    echo "1..0 # SKIP libgfapi (glusterfs-api) not found at configure time"
    exit 0
fi
if [ "$(id -u)" != 0 ]; then
    echo "1..0 # SKIP replicate keeps its changelog in trusted.* xattrs"
    exit 0
fi
if ! command -v getfattr >/dev/null 2>&1; then
    echo "1..0 # SKIP getfattr (package attr) is not installed"
    exit 0
fi
for x in storage/posix features/locks performance/io-threads \
    debug/io-stats protocol/server; do
    if [ ! -e "$builddir/xlators/$x.la" ]; then
        echo "1..0 # SKIP $x is not built"
        exit 0
    fi
done
TMO=$(command -v timeout >/dev/null 2>&1 && echo "timeout 120")

start_brick() { # start_brick N: gfsd on $tmp/bN, its pid in bpidN
    mkdir -p "$tmp/b$1"
    "$GFSD" -N -f "$top_srcdir/gfsd/gfsd.vol" -l "$tmp/b$1.log" \
        --xlator-option "brick-posix.directory=$tmp/b$1" \
        --xlator-option brick-server.transport.socket.listen-port=0 \
        2>"$tmp/b$1.err" &
    eval "bpid$1=$!"
    pids="$pids $!"
    wait_for in_log "$tmp/b$1.log" "listening on 127.0.0.1:"
}
port_of() {
    sed -n 's/.*listening on 127\.0\.0\.1:\([0-9]*\).*/\1/p' "$tmp/b$1.log" |
        head -n 1
}
# Every trusted.afr.* value under DIR (but .glusterfs), "path key=value".
afr_xattrs() {
    (cd "$1" && find . -path ./.glusterfs -prune -o -print |
        while read -r f; do
            getfattr -h -d -m '^trusted\.afr\.' -e hex "$f" 2>/dev/null |
                sed -n "s|^\(trusted\.afr\.[^=]*\)=|$f \1=|p"
        done) | sort
}
# Names, types, sizes and checksums of what DIR holds (but .glusterfs).
tree() {
    (cd "$1" && find . -path ./.glusterfs -prune -o -type f -print |
        sort | xargs -r md5sum
     find . -path ./.glusterfs -prune -o -type d -print | sort)
}

echo "1..10"
if start_brick 1 && start_brick 2; then
    ok "two gfsd bricks serve on $(port_of 1) and $(port_of 2)"
else
    not_ok "two gfsd bricks serve"
    exit 0
fi
$TMO "$CLIENT" "$(port_of 1)" "$(port_of 2)" brick-io-stats \
    "$tmp/client.log" write >"$tmp/steps" 2>"$tmp/client.err"
rc=$?
if [ "$rc" = 0 ] && grep -q "step=unlink ret=0" "$tmp/steps"; then
    ok "replicate: mkdir, 20 x (create, write, fsync, read back), rename, unlink"
else
    not_ok "replicate over gfsd (exit $rc)"
    sed 's/^/# /' "$tmp/steps" | grep FAIL | head -n 5
fi
tree "$tmp/b1" >"$tmp/t1"
tree "$tmp/b2" >"$tmp/t2"
check "both bricks hold the same tree and bytes" \
    sh -c "[ \$(wc -l <'$tmp/t1') -ge 20 ] && cmp -s '$tmp/t1' '$tmp/t2'"
afr_xattrs "$tmp/b1" >"$tmp/x1"
afr_xattrs "$tmp/b2" >"$tmp/x2"
check "replicate left changelog counters on the files" \
    sh -c "grep -q trusted.afr '$tmp/x1' && grep -q trusted.afr '$tmp/x2'"
check "every changelog counter is back to zero" \
    sh -c "! grep -v '=0x0*\$' '$tmp/x1' '$tmp/x2' | grep -q ."

# Brick 2 goes away; replicate goes on and brick 1 remembers.
kill -9 "$bpid2" 2>/dev/null
wait "$bpid2" 2>/dev/null
$TMO "$CLIENT" "$(port_of 1)" "$(port_of 2)" brick-io-stats \
    "$tmp/client2.log" write-degraded >"$tmp/steps2" 2>"$tmp/client2.err"
rc=$?
check "with one brick down, a file is written and read back" [ "$rc" = 0 ]
check "the surviving brick records pending changes for the other" \
    sh -c "getfattr -h -d -m '^trusted\.afr\.c2' -e hex \
        '$tmp/b1/r/degraded' 2>/dev/null | grep -q '=0x0*[1-9a-f]'"

# Distribute over two fresh bricks: each file on exactly one of them.
start_brick 3 && start_brick 4
$TMO "$CLIENT" "$(port_of 3)" "$(port_of 4)" brick-io-stats \
    "$tmp/client3.log" write distribute >"$tmp/steps3" 2>"$tmp/client3.err"
rc=$?
if [ "$rc" = 0 ] && grep -q "step=unlink ret=0" "$tmp/steps3"; then
    ok "distribute: the same steps over two gfsd bricks"
else
    not_ok "distribute over gfsd (exit $rc)"
    sed 's/^/# /' "$tmp/steps3" | grep FAIL | head -n 5
fi
# (A rename may leave a DHT link file, mode ---------T, where the new name
# hashes: a pointer, not a copy.)
(cd "$tmp/b3" && find r -type f ! -perm -1000
    cd "$tmp/b4" && find r -type f ! -perm -1000) | sort >"$tmp/placed"
check "each of the 19 files is on exactly one brick" \
    sh -c "[ \$(wc -l <'$tmp/placed') -eq 19 ] &&
        [ \$(uniq '$tmp/placed' | wc -l) -eq 19 ]"
check "the directory has a layout on both bricks" \
    sh -c "getfattr -h -n trusted.glusterfs.dht -e hex '$tmp/b3/r' \
        >/dev/null 2>&1 && getfattr -h -n trusted.glusterfs.dht -e hex \
        '$tmp/b4/r' >/dev/null 2>&1"
