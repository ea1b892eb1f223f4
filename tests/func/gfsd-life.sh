#!/bin/sh
# SPDX-License-Identifier: LGPL-3.0-or-later
#
# TAP: the life of a gfsd process -- foreground and daemon start-up reach
# "graph active", the pidfile excludes a second instance, HUP reconfigures
# an option-only change, rejects a broken volfile (the old graph keeps
# serving) and swaps in a new topology, USR1 writes a state dump (with
# the daemon's call pool), TERM exits 0 leaving no process and no pidfile.
set -u
. "${top_srcdir:?}/tests/func/gfsd-lib.sh"
echo "1..23"

vol="$tmp/brick.vol"
write_vol "$vol" DEBUG

# --- foreground -------------------------------------------------------
"$GFSD" -N -f "$vol" -l "$tmp/fg.log" -p "$tmp/fg.pid" 2>"$tmp/fg.err" &
fg=$!
pids="$pids $fg"
check "foreground: graph active in the log" \
    wait_for in_log "$tmp/fg.log" "graph active: 3 translators, top 'top'"
check "foreground: pidfile holds our pid" \
    wait_for sh -c "[ \"\$(cat '$tmp/fg.pid' 2>/dev/null)\" = '$fg' ]"
kill -TERM "$fg"
wait "$fg"
rc=$?
check "foreground: TERM exits 0" [ $rc -eq 0 ]
check "foreground: clean exit logged, pidfile removed" \
    sh -c "grep -q 'clean exit' '$tmp/fg.log' && [ ! -e '$tmp/fg.pid' ]"

# --- --debug: foreground, DEBUG, log on stderr; INT exits too -------
"$GFSD" --debug --event-threads 3 -f "$vol" >"$tmp/dbg.out" 2>"$tmp/dbg.err" &
dbg=$!
pids="$pids $dbg"
check "--debug logs to stderr; --event-threads 3 is used" \
    wait_for in_log "$tmp/dbg.err" "dispatching on 3 event threads"
kill -INT "$dbg"
wait "$dbg"
rc=$?
check "--debug: INT exits 0 after a clean exit" \
    sh -c "[ $rc -eq 0 ] && grep -q 'clean exit' '$tmp/dbg.err'"

# --- daemon -----------------------------------------------------------
log="$tmp/d.log"
pidf="$tmp/d.pid"
"$GFSD" -f "$vol" -l "$log" -p "$pidf" --statedump-path "$tmp" \
    2>"$tmp/d.err"
rc=$?
check "daemon: the parent exits 0 once the graph is up" [ $rc -eq 0 ]
d=$(cat "$pidf" 2>/dev/null)
pids="$pids $d"
check "daemon: pidfile names a live process with an active graph" \
    sh -c "[ -n '$d' ] && kill -0 '$d' && grep -q 'graph active' '$log'"

# --- pidfile exclusion -------------------------------------------------
"$GFSD" -N -f "$vol" -l "$tmp/second.log" -p "$pidf" 2>"$tmp/second.err"
rc=$?
check "a second instance on the same pidfile exits non-zero" [ $rc -ne 0 ]
check "... saying the pidfile is locked by the first" \
    grep -q "is locked by another instance (pid $d)" "$tmp/second.err"
check "... and leaves the first alive and its pidfile intact" \
    sh -c "kill -0 '$d' && [ \"\$(cat '$pidf')\" = '$d' ]"

# --- HUP: option-only change -> reconfigure ----------------------------
# The log is rotated first: HUP must reopen it at its path.
mv "$log" "$log.1"
write_vol "$vol" TRACE
kill -HUP "$d"
check "HUP with an option change reconfigures the running graph" \
    wait_for in_log "$log" "graph reconfigured from"
check "... after reopening the rotated log at its path" \
    sh -c "grep -q 'graph active' '$log.1' && ! grep -q 'graph active' '$log'"
check "... and names the option that changed" \
    in_log "$log" "option tracer.log-level: 'DEBUG' -> 'TRACE'"

# --- HUP: invalid value, then broken syntax -> rejected ----------------
write_vol "$vol" LOUD
kill -HUP "$d"
check "HUP with an invalid option value is rejected with file:line" \
    wait_for in_log "$log" "reload rejected.*brick.vol:9:.*LOUD"
printf 'volume leaf\n  type test/sink\n' >"$vol"
kill -HUP "$d"
check "HUP with a broken volfile is rejected, old graph keeps serving" \
    wait_for sh -c "[ \$(grep -c 'reload rejected' '$log') -eq 2 ]"
check "... and the process is still alive" alive "$d"

# --- HUP: new topology -> new graph ------------------------------------
write_vol "$vol" INFO
printf 'volume extra\n    type test/pass\n    subvolumes top\nend-volume\n' \
    >>"$vol"
kill -HUP "$d"
check "HUP with a new topology activates a new graph" \
    wait_for in_log "$log" "new graph active: 4 translators, top 'extra'"

# --- USR1: state dump --------------------------------------------------
kill -USR1 "$d"
check "USR1 writes a state dump" \
    wait_for sh -c "ls '$tmp'/gfsd.$d.dump.* >/dev/null 2>&1"
check "... complete, listing the new graph" \
    sh -c "grep -q '^\[xlator.extra\]' '$tmp'/gfsd.$d.dump.* &&
           tail -n 1 '$tmp'/gfsd.$d.dump.* | grep -q '^DUMP-END-TIME:'"
# The daemon's ctx holds the call pool its requests come from, so the
# dump has the call pool section (no request is pending here).
check "... with the daemon's call pool, no stack pending" \
    sh -c "grep -A 1 '^\[global.callpool\]\$' '$tmp'/gfsd.$d.dump.* |
           grep -q '^callpool.cnt=0\$'"

# --- TERM --------------------------------------------------------------
kill -TERM "$d"
check "daemon: TERM leaves no process" wait_for dead "$d"
check "daemon: clean exit logged, pidfile removed" \
    sh -c "grep -q 'clean exit' '$log' && [ ! -e '$pidf' ]"
