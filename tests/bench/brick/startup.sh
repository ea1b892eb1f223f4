#!/bin/sh
# SPDX-License-Identifier: LGPL-3.0-or-later
#
# Start-to-ready time and idle RSS of gfsd on its default brick volfile
# (gfsd/gfsd.vol, brick directory and port overridden) and of glusterfsd on
# the equivalent volfile (common.sh), REPS times each (default 10),
# alternating the two; prints medians and the ratios gfsd/glusterfsd.
# Ready = from just before fork until the listening socket accepts a TCP
# connection (ready-probe.c); idle RSS = VmRSS after 2 s idle. Every start
# is on a fresh brick directory, on a private tmpfs when one can be mounted
# (root), so that other disk traffic does not time the bricks' first
# mkdirs; otherwise on disk, and the output says so.
#
# Usage: builddir=/path/to/build sh tests/bench/brick/startup.sh [REPS]
. "$(dirname "$0")/common.sh"
reps=${1:-10}
build_helpers

mkdir "$tmp/mnt"
if mount -t tmpfs -o size=64m,mode=0755 tmpfs "$tmp/mnt" 2>/dev/null; then
    mnt="$tmp/mnt"
    fs="tmpfs"
else
    fs="disk ($(df -T "$tmp" | awk 'NR == 2 { print $2 }'), no tmpfs)"
fi

for s in gfsd glusterfsd; do
    eval "ready_$s=''; rss_$s=''"
done
i=0
while [ $i -lt "$reps" ]; do
    i=$((i + 1))
    for s in gfsd glusterfsd; do
        start_server $s "$tmp/mnt/brick-$s-$i" "start-$s" || exit 1
        sleep 2
        rss=$(rss_kib "$PID")
        stop_server "$PID"
        rm -rf "$tmp/mnt/brick-$s-$i"
        echo "run $i $s: ready ${READY_US} us, idle RSS ${rss} KiB" >&2
        eval "ready_$s=\"\$ready_$s $READY_US\"; rss_$s=\"\$rss_$s $rss\""
    done
done

# shellcheck disable=SC2086
{
    rg=$(median $ready_gfsd); rl=$(median $ready_glusterfsd)
    mg=$(median $rss_gfsd); ml=$(median $rss_glusterfsd)
}
machine
echo "# medians of $reps runs each, bricks on $fs, load average" \
    "$(cut -d ' ' -f 1-3 /proc/loadavg)"
printf '%-16s %12s %12s %8s %8s\n' metric gfsd glusterfsd ratio target
printf '%-16s %12s %12s %8s %8s\n' "ready (ms)" \
    "$(awk -v v="$rg" 'BEGIN { printf "%.2f", v / 1000 }')" \
    "$(awk -v v="$rl" 'BEGIN { printf "%.2f", v / 1000 }')" \
    "$(ratio "$rg" "$rl")" "<=0.20"
printf '%-16s %12s %12s %8s %8s\n' "idle RSS (KiB)" "$mg" "$ml" \
    "$(ratio "$mg" "$ml")" "<=0.25"
