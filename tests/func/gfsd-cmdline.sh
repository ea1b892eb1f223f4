#!/bin/sh
# SPDX-License-Identifier: LGPL-3.0-or-later
#
# TAP: the gfsd command line -- --version, --print-xlatordir, usage errors
# (exit 64 with a usage hint), bad volfiles (non-zero exit with file:line
# on stderr, in the foreground and daemonized), and the personalities by
# argv[0] (gfs wants a command: tests/func/gfs-*.sh; gfd exits 69 "not
# available yet").
set -u
. "${top_srcdir:?}/tests/func/gfsd-lib.sh"
echo "1..17"

"$GFSD" --version >"$tmp/v.out" 2>&1
rc=$?
check "--version prints the version and exits 0" \
    sh -c "[ $rc -eq 0 ] && grep -q '^gfsd [0-9]' '$tmp/v.out'"

"$GFSD" --print-xlatordir >"$tmp/xd.out" 2>"$tmp/xd.err"
rc=$?
check "--print-xlatordir exits 0" [ $rc -eq 0 ]
check "--print-xlatordir prints an absolute directory" \
    grep -q '^/.*/gf/xlators$' "$tmp/xd.out"

"$GFSD" --no-such-option >"$tmp/u.out" 2>"$tmp/u.err"
rc=$?
check "unknown option exits 64" [ $rc -eq 64 ]
check "unknown option names it and points to --help" \
    sh -c "grep -q 'no-such-option' '$tmp/u.err' &&
           grep -q -- '--help' '$tmp/u.err'"

"$GFSD" -L loud -N -f /dev/null 2>"$tmp/l.err"
check "bad log level exits 64" [ $? -eq 64 ]
"$GFSD" --event-threads 0 -N -f /dev/null 2>"$tmp/e.err"
check "--event-threads 0 exits 64" [ $? -eq 64 ]
"$GFSD" -N stray-argument 2>"$tmp/s.err"
check "a stray argument exits 64" [ $? -eq 64 ]

# A volfile with an error on line 4, column 5.
printf '%s\n' 'volume leaf' '    type test/sink' '    option size 1' \
    '    optoin x y' 'end-volume' >"$tmp/bad.vol"
"$GFSD" -N -f "$tmp/bad.vol" -l "$tmp/fg.log" 2>"$tmp/fg.err"
rc=$?
check "bad volfile in the foreground exits non-zero" [ $rc -ne 0 ]
check "... with file:line:column on stderr" \
    grep -q "bad.vol:4:5:" "$tmp/fg.err"
"$GFSD" -f "$tmp/bad.vol" -l "$tmp/bg.log" -p "$tmp/bg.pid" 2>"$tmp/bg.err"
rc=$?
check "bad volfile daemonized: the parent exits non-zero" [ $rc -ne 0 ]
check "... with file:line:column on stderr, and no pidfile left" \
    sh -c "grep -q 'bad.vol:4:5:' '$tmp/bg.err' && [ ! -e '$tmp/bg.pid' ]"

"$GFSD" -N --xlator-option no-dot-here 2>"$tmp/x1.err"
check "--xlator-option without VOL.KEY=VALUE exits 64" [ $? -eq 64 ]
write_vol "$tmp/good.vol" INFO
"$GFSD" -N -f "$tmp/good.vol" -l "$tmp/x2.log" \
    --xlator-option nosuch.size=1 2>"$tmp/x2.err"
rc=$?
check "--xlator-option naming no volume fails start-up" \
    sh -c "[ $rc -eq 1 ] &&
           grep -q 'nosuch.size=1: no such volume' '$tmp/x2.err'"
"$GFSD" -N -f "$tmp/good.vol" -l "$tmp/x3.log" \
    --xlator-option 'le*.size=lots' 2>"$tmp/x3.err"
rc=$?
check "--xlator-option with a bad value fails with the option named" \
    sh -c "[ $rc -eq 1 ] && grep -q \"leaf.*size\" '$tmp/x3.err'"

ln -s "$GFSD_REAL" "$tmp/gfs"
ln -s "$GFSD_REAL" "$tmp/gfd"
"$tmp/gfs" -N -f "$tmp/bad.vol" 2>"$tmp/gfs.err"
rc=$?
check "gfs personality: no command exits 64 with its usage" \
    sh -c "[ $rc -eq 64 ] && grep -q 'no command given' '$tmp/gfs.err'"
"$tmp/gfd" -N 2>"$tmp/gfd.err"
rc=$?
check "gfd personality: exit 69 with 'not available yet'" \
    sh -c "[ $rc -eq 69 ] &&
           grep -q 'management personality is not available' '$tmp/gfd.err'"
