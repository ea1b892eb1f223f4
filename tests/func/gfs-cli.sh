#!/bin/sh
# SPDX-License-Identifier: LGPL-3.0-or-later
#
# TAP: the gfs personality over a local graph (storage/posix under
# features/locks and debug/io-stats in a temp dir, no network): every
# command, each result checked on the brick directory; put/get round-trip
# bytes exactly (a file over 1 MiB too); errors (missing path -> exit 1
# and "gfs: CMD PATH: reason", unknown command or wrong arguments -> 64,
# bad volfile -> file:line); nothing left running; one command under
# valgrind when it is installed.
set -u
. "${top_srcdir:?}/tests/func/gfsd-lib.sh"
echo "1..41"

ln -s "$GFSD_REAL" "$tmp/gfs"
mkdir "$tmp/brick"
cat >"$tmp/posix.vol" <<VOL
volume t-posix
    type storage/posix
    option directory $tmp/brick
end-volume

volume t-locks
    type features/locks
    subvolumes t-posix
end-volume

volume t-top
    type debug/io-stats
    subvolumes t-locks
end-volume
VOL
B="$tmp/brick"
# FILE has nothing but ASan's warning about stack switching (syncenv).
quiet() { ! grep -qv '^==[0-9]*==WARNING: ASan' "$1"; }
gfs() { "$tmp/gfs" -f "$tmp/posix.vol" -l "$tmp/gfs.log" "$@"; }
# run NAME CMD...: stdout to NAME.out, stderr to NAME.err, status in rc.
run() {
    _name=$1
    shift
    gfs "$@" >"$tmp/$_name.out" 2>"$tmp/$_name.err"
    rc=$?
}

run ls0 ls /
check "ls of an empty volume: exit 0, nothing printed" \
    sh -c "[ $rc -eq 0 ] && [ ! -s '$tmp/ls0.out' ]"
check "... and nothing on stderr" quiet "$tmp/ls0.err"

run mkdir mkdir /d
check "mkdir exits 0 and makes the directory on the brick" \
    sh -c "[ $rc -eq 0 ] && [ -d '$B/d' ]"
run mkdir2 mkdir /d/sub
check "mkdir of a nested directory" [ -d "$B/d/sub" ]

printf 'hello, gfs\n' >"$tmp/small"
# 1.5 MiB + 17 bytes: not a multiple of the 128 KiB chunk.
head -c 1572881 /dev/urandom >"$tmp/big"
run put1 put "$tmp/small" /d/small
check "put of a small file: exit 0, same bytes on the brick" \
    sh -c "[ $rc -eq 0 ] && cmp -s '$tmp/small' '$B/d/small'"
run put2 put "$tmp/big" /d/big
check "put of a 1.5 MiB file: same bytes on the brick" \
    sh -c "[ $rc -eq 0 ] && cmp -s '$tmp/big' '$B/d/big'"
run get1 get /d/big "$tmp/big.back"
check "get of the 1.5 MiB file round-trips it exactly" \
    sh -c "[ $rc -eq 0 ] && cmp -s '$tmp/big' '$tmp/big.back'"
run get2 get /d/small -
check "get to stdout prints exactly the file" \
    sh -c "[ $rc -eq 0 ] && cmp -s '$tmp/small' '$tmp/get2.out'"
printf 'from stdin' | gfs put - /d/stdin 2>"$tmp/put3.err"
check "put - reads stdin" sh -c "[ \"\$(cat '$B/d/stdin')\" = 'from stdin' ]"
printf 'x' >"$tmp/one"
run put4 put "$tmp/one" /d/stdin
check "put over an existing file truncates it" \
    sh -c "[ $rc -eq 0 ] && [ \"\$(cat '$B/d/stdin')\" = x ]"
: >"$tmp/empty"
run put5 put "$tmp/empty" /empty
run get5 get /empty "$tmp/empty.back"
check "an empty file round-trips" \
    sh -c "[ $rc -eq 0 ] && [ -f '$B/empty' ] && [ ! -s '$tmp/empty.back' ]"

run ls1 ls /
printf '%s\n' d empty >"$tmp/ls1.want"
check "ls / lists what mkdir and put made (sorted, no .glusterfs)" \
    cmp -s "$tmp/ls1.want" "$tmp/ls1.out"
run ls2 ls /d
printf '%s\n' big small stdin sub >"$tmp/ls2.want"
check "ls /d lists the directory's entries" cmp -s "$tmp/ls2.want" "$tmp/ls2.out"
run ls3 ls -l /d
check "ls -l shows type, mode and size" \
    sh -c "grep -q '^-rw-r--r-- .* 1572881 big\$' '$tmp/ls3.out' &&
           grep -q '^drwxr-xr-x .* sub\$' '$tmp/ls3.out'"
run ls4 ls /d/small
check "ls of a file names it" \
    sh -c "[ $rc -eq 0 ] && [ \"\$(cat '$tmp/ls4.out')\" = /d/small ]"

run stat1 stat /d/big
check "stat prints type and size" \
    sh -c "[ $rc -eq 0 ] && grep -qx 'type: regular file' '$tmp/stat1.out' &&
           grep -qx 'size: 1572881' '$tmp/stat1.out' &&
           grep -qx 'mode: 0644' '$tmp/stat1.out'"
run stat2 stat /d
check "stat of a directory" grep -qx 'type: directory' "$tmp/stat2.out"
run stat3 stat /
check "stat / names the root gfid" \
    grep -qx 'gfid: 00000000-0000-0000-0000-000000000001' "$tmp/stat3.out"
run stat4 stat //d/./small
check "a path with // and . resolves" grep -qx 'size: 11' "$tmp/stat4.out"

run mv1 mv /d/small /d/renamed
check "mv renames on the brick" \
    sh -c "[ $rc -eq 0 ] && [ ! -e '$B/d/small' ] &&
           cmp -s '$tmp/small' '$B/d/renamed'"
run mv2 mv /d/renamed /moved
check "mv across directories" \
    sh -c "[ $rc -eq 0 ] && [ ! -e '$B/d/renamed' ] && [ -f '$B/moved' ]"
run mv3 mv /moved /empty
check "mv over an existing file replaces it" \
    sh -c "[ $rc -eq 0 ] && [ ! -e '$B/moved' ] &&
           cmp -s '$tmp/small' '$B/empty'"

run rm1 rm /empty
check "rm removes the file" sh -c "[ $rc -eq 0 ] && [ ! -e '$B/empty' ]"
run rm2 rm /d
check "rm of a directory: exit 1, Is a directory" \
    sh -c "[ $rc -eq 1 ] && grep -qx 'gfs: rm /d: Is a directory' '$tmp/rm2.err'"
run rmdir1 rmdir /d
check "rmdir of a non-empty directory fails" \
    sh -c "[ $rc -eq 1 ] && [ -d '$B/d' ] &&
           grep -q '^gfs: rmdir /d: Directory not empty' '$tmp/rmdir1.err'"
gfs rm /d/big && gfs rm /d/stdin && gfs rmdir /d/sub
run rmdir2 rmdir /d
check "rmdir removes the emptied directory" \
    sh -c "[ $rc -eq 0 ] && [ ! -e '$B/d' ]"

run e1 stat /missing
check "stat of a missing path: exit 1 and the message" \
    sh -c "[ $rc -eq 1 ] && [ ! -s '$tmp/e1.out' ] &&
           grep -qx 'gfs: stat /missing: No such file or directory' '$tmp/e1.err'"
run e2 get /missing "$tmp/never"
check "get of a missing path: exit 1, no local file made" \
    sh -c "[ $rc -eq 1 ] && [ ! -e '$tmp/never' ] &&
           grep -qx 'gfs: get /missing: No such file or directory' '$tmp/e2.err'"
run e3 put "$tmp/small" /no/such/dir
check "put into a missing directory: exit 1" \
    sh -c "[ $rc -eq 1 ] && grep -q '^gfs: put /no/such/dir: No such file' '$tmp/e3.err'"
run e4 mkdir /
check "mkdir of an existing path: exit 1, File exists" \
    sh -c "[ $rc -eq 1 ] && grep -qx 'gfs: mkdir /: File exists' '$tmp/e4.err'"

run u1 frobnicate /
check "unknown command: exit 64 with the usage" \
    sh -c "[ $rc -eq 64 ] && grep -q \"unknown command 'frobnicate'\" '$tmp/u1.err' &&
           grep -q '^Usage: gfs' '$tmp/u1.err'"
run u2
check "no command: exit 64" sh -c "[ $rc -eq 64 ] && grep -q 'no command' '$tmp/u2.err'"
run u3 stat /a /b
check "wrong operand count: exit 64 with the command's usage" \
    sh -c "[ $rc -eq 64 ] && grep -q 'usage: stat PATH' '$tmp/u3.err'"
run u4 bench many
check "bench with a bad count: exit 64" [ $rc -eq 64 ]

printf '%s\n' 'volume leaf' '    type storage/posix' '    optoin x y' \
    'end-volume' >"$tmp/bad.vol"
"$tmp/gfs" -f "$tmp/bad.vol" -l "$tmp/bad.log" ls / >"$tmp/bad.out" 2>"$tmp/bad.err"
rc=$?
check "bad volfile: non-zero with file:line:column on stderr" \
    sh -c "[ $rc -ne 0 ] && grep -q 'bad.vol:3:5:' '$tmp/bad.err'"
"$tmp/gfs" -f "$tmp/posix.vol" -l "$tmp/x.log" --xlator-option nosuch.k=v \
    ls / 2>"$tmp/x.err"
rc=$?
check "--xlator-option naming no volume: exit 1" \
    sh -c "[ $rc -eq 1 ] && grep -q 'nosuch.k=v: no such volume' '$tmp/x.err'"
mkdir "$tmp/brick2"
"$tmp/gfs" -f "$tmp/posix.vol" -l "$tmp/xo.log" \
    --xlator-option "t-posix.directory=$tmp/brick2" mkdir /other 2>"$tmp/xo.err"
check "--xlator-option applies to the client graph" [ -d "$tmp/brick2/other" ]

run bench bench 50
check "bench 50: four phases with ops/s, its directory removed" \
    sh -c "[ $rc -eq 0 ] && [ \$(grep -c ' 50 ops .* ops/s\$' '$tmp/bench.out') -eq 4 ] &&
           ! ls '$B' | grep -q gfs-bench"

# The log goes to the file, never to the terminal.
"$tmp/gfs" -f "$tmp/posix.vol" -l "$tmp/quiet.log" ls / >"$tmp/q.out" 2>"$tmp/q.err"
logged_apart() { grep -q 'CHILD_UP' "$tmp/quiet.log" && quiet "$tmp/q.err"; }
check "log lines go to -l's file, stderr stays empty" logged_apart

# (the bracket keeps grep from finding its own command line)
left=$(grep -l "${tmp}/g[f]s" /proc/[0-9]*/cmdline 2>/dev/null)
check "no gfs process is left running" [ -z "$left" ]

if command -v valgrind >/dev/null 2>&1 && ! grep -q __asan_init "$GFSD_REAL" 2>/dev/null; then
    head -c 300000 /dev/urandom >"$tmp/vg.in"
    valgrind -q --leak-check=full --show-leak-kinds=definite \
        --errors-for-leak-kinds=definite --error-exitcode=99 \
        "$tmp/gfs" -f "$tmp/posix.vol" -l "$tmp/vg.log" put "$tmp/vg.in" /vg \
        >"$tmp/vg.out" 2>"$tmp/vg.err"
    rc=$?
    check "valgrind: put runs clean (no errors, no definite leaks)" \
        sh -c "[ $rc -eq 0 ] && cmp -s '$tmp/vg.in' '$B/vg'"
else
    n=$((n + 1))
    echo "ok $n # SKIP valgrind not installed or a sanitizer build"
fi
