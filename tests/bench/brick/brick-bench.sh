#!/bin/sh
# SPDX-License-Identifier: LGPL-3.0-or-later
#
# The same libgfapi workload (smallfile.c) against gfsd and glusterfsd, REPS
# times each (default 3), alternating, each run on a fresh brick directory
# on a private tmpfs (when it can be mounted; otherwise a temp dir on disk,
# which the output says). Per run: ops/s of the small-file phases, MB/s of
# the sequential write and read, the server's CPU seconds over the workload
# (utime+stime from /proc/PID/stat; also per phase, "cpu ms" rows) and its
# peak RSS (VmHWM). Prints the
# medians and the ratios gfsd/glusterfsd against the issue's targets.
# CLIENTS=N (default 1) runs N client processes at once, each with its own
# connection and directory, NFILES files each and SEQ_MIB/N MiB sequential
# each; rates are then the aggregate of all clients.
#
# Usage: builddir=/path/to/build [CLIENTS=N] [GFSD_VOL=FILE]
#            sh tests/bench/brick/brick-bench.sh [REPS [NFILES [SEQ_MIB]]]
. "$(dirname "$0")/common.sh"
reps=${1:-3}
nfiles=${2:-2000}
seq_mib=${3:-256}
clients=${CLIENTS:-1}
build_helpers gfapi

mkdir "$tmp/mnt"
if mount -t tmpfs -o size=$((seq_mib * 2 + 256))m,mode=0755 tmpfs \
    "$tmp/mnt" 2>/dev/null; then
    mnt="$tmp/mnt"
    fs="tmpfs"
else
    fs="disk ($(df -T "$tmp" | awk 'NR == 2 { print $2 }'), no tmpfs)"
fi

phases="create stat read unlink seq_write seq_read"
metrics="create_ops stat_ops read_ops unlink_ops seq_write_mbs seq_read_mbs"
metrics="$metrics cpu_s hwm_kib"
for p in $phases; do metrics="$metrics ${p}_cpu_ms"; done
for s in gfsd glusterfsd; do
    for m in $metrics; do eval "${m}_$s=''"; done
    eval "fail_$s=0"
done

run_one() { # run_one SERVER REP
    _brick="$tmp/mnt/$1-$2"
    start_server "$1" "$_brick" "bench-$1" || return 1
    _c0=$(cpu_ticks "$PID")
    SMALLFILE_SERVER_PID=$PID timeout 300 \
        "$SMALLFILE" "$PORT" brick-io-stats "$nfiles" "$seq_mib" \
        "$tmp/client-$1-$2.log" "$clients" >"$tmp/out" 2>"$tmp/err"
    _rc=$?
    _c1=$(cpu_ticks "$PID")
    _hwm=$(hwm_kib "$PID")
    stop_server "$PID"
    rm -rf "$_brick"
    if [ $_rc -ne 0 ]; then
        echo "run $2 $1: workload FAILED (rc $_rc): $(tail -n 1 "$tmp/err")" >&2
        eval "fail_$1=\$((fail_$1 + 1))"
        return 0
    fi
    _cpu=$(awk -v a="$_c0" -v b="$_c1" -v t="$TICKS" \
        'BEGIN { printf "%.2f", (b - a) / t }')
    echo "cpu_s $_cpu" >>"$tmp/out"
    echo "hwm_kib $_hwm" >>"$tmp/out"
    sed -i 's/^RESULT //' "$tmp/out"
    echo "run $2 $1: $(tr '\n' ' ' <"$tmp/out")" >&2
    while read -r _m _v; do
        eval "${_m}_$1=\"\$${_m}_$1 $_v\""
    done <"$tmp/out"
}

i=0
while [ $i -lt "$reps" ]; do
    i=$((i + 1))
    for s in gfsd glusterfsd; do run_one $s $i || exit 1; done
done

machine
echo "# brick on $fs; $clients client(s), $nfiles files of 4 KiB each," \
    "${seq_mib} MiB sequential in 128 KiB blocks in all; medians of $reps runs" \
    "(failed runs: gfsd $fail_gfsd, glusterfsd $fail_glusterfsd)"
[ -n "${GFSD_VOL:-}" ] && echo "# gfsd volfile: $GFSD_VOL"
printf '%-18s %12s %12s %8s %8s\n' metric gfsd glusterfsd ratio target
for m in $metrics; do
    case $m in
    *_cpu_ms) label="  cpu ms ${m%_cpu_ms}"; target="info" ;;
    *_ops) label="${m%_ops} (ops/s)"; target=">=2.00" ;;
    seq_*) label="${m%_mbs} (MB/s)"; target=">=1.20" ;;
    cpu_s) label="server CPU (s)"; target="<=0.50" ;;
    hwm_kib) label="peak RSS (KiB)"; target="<=0.25" ;;
    esac
    eval "g=\$${m}_gfsd; l=\$${m}_glusterfsd"
    # shellcheck disable=SC2086,SC2154
    { mg=$(median $g); ml=$(median $l); }
    printf '%-18s %12s %12s %8s %8s\n' "$label" "$mg" "$ml" \
        "$(ratio "$mg" "$ml")" "$target"
done
