#!/bin/sh
# SPDX-License-Identifier: LGPL-3.0-or-later
#
# TAP: a full brick. The brick directory is a private 8 MiB tmpfs; a
# libgfapi client writes 1 MiB blocks until the brick is full and must get
# ENOSPC (not EIO, not a hang); gfsd stays up, the client then frees the
# space and creates, writes and reads back a new file; a second client,
# connected and reading its own files the whole time, sees every byte.
# Needs root for the mount: skipped otherwise, or when the mount fails.
set -u
. "${top_srcdir:?}/tests/robust/robust-lib.sh"
skip_unless_ready
if [ "$(id -u)" != 0 ]; then
    echo "1..0 # SKIP mounting a small tmpfs needs root"
    exit 0
fi
mkdir "$tmp/brick"
if ! mount -t tmpfs -o size=8m,mode=0755 tmpfs "$tmp/brick" 2>"$tmp/mount.err"
then
    echo "1..0 # SKIP cannot mount a tmpfs: $(head -n 1 "$tmp/mount.err")"
    exit 0
fi
on_exit='umount "$tmp/brick" 2>/dev/null || umount -l "$tmp/brick"'
echo "1..7"

if ! start_gfsd "$tmp/brick"; then
    not_ok "gfsd serves the 8 MiB brick" "$tmp/gfsd.log" "$tmp/gfsd.err"
    exit 1
fi
ok "gfsd serves the 8 MiB brick on 127.0.0.1:$PORT"

# The second client's files (1 MiB), then it reads them in a loop for
# 10 s while the first fills the brick.
worker put put /keep 4 262144
worker check check /keep 4 262144 10 &
cpid=$!
sleep 1
worker fill fill /big
fr=$?
if [ "$(field fill errno)" = 28 ]; then
    ok "filling the brick gets ENOSPC after $(field fill written) bytes"
else
    not_ok "filling the brick gets ENOSPC (exit $fr)" "$tmp/fill.out" \
        "$tmp/fill.err" "$tmp/gfsd.log"
fi
check "gfsd is alive after the brick filled" alive "$GPID"
if [ "$(field fill unlink)" = 0 ] && [ "$(field fill after)" = 0 ] &&
    [ "$(field fill after_bytes)" = 4096 ] &&
    [ "$(field fill mismatches)" = 0 ]; then
    ok "space freed: a new file is created, written and read back"
else
    not_ok "follow-up create/write/read after ENOSPC" "$tmp/fill.out" \
        "$tmp/fill.err"
fi
wait $cpid
cr=$?
if [ $cr = 0 ] && [ "$(field put errors)" = 0 ] &&
    [ "$(field check rounds)" -gt 1 ] &&
    [ "$(field check mismatches)" = 0 ]; then
    ok "a client connected during the fill read its files" \
        "$(field check rounds) times, every byte verified"
else
    not_ok "the second client during the fill (exit $cr)" "$tmp/put.out" \
        "$tmp/check.out" "$tmp/check.err"
fi
if wait_for 15 eval 'snapshot "$tmp/now" &&
    [ "$(val "$tmp/now" srv.clients)" = 0 ] &&
    [ "$(val "$tmp/now" srv.itable.0.open-fds)" = 0 ]'; then
    ok "no client and no open fd left"
else
    not_ok "no client and no open fd left" "$tmp/now"
fi
if stop_gfsd; then ok "gfsd exits 0 on TERM"
else not_ok "gfsd exits 0 on TERM" "$tmp/gfsd.err" "$tmp/gfsd.log"; fi
