#!/bin/sh
# SPDX-License-Identifier: LGPL-3.0-or-later
#
# run-alloc.sh BENCHDIR - compare gfsd's allocators with malloc
# implementations.
#
# For every bench-* binary in BENCHDIR, every case it lists, and 1 and 2
# threads, it measures impl=gf (no preload) and impl=malloc under glibc,
# jemalloc, tcmalloc and mimalloc (LD_PRELOAD; a missing library is skipped
# with a note). Each measurement is repeated REPS times, interleaved, and
# the median of ops/s is kept. One line per case and thread count gives gf
# ops/s, each allocator's ops/s with the ratio gf/allocator, and a verdict
# against the targets of the issue: faster than tcmalloc and at least 3x
# glibc.
#
# Environment: BENCH_MS (duration of one run, default 1000), BENCH_REPS
# (default 5), BENCH_THREADS (default "1 2"), LIBDIR (where the allocator
# libraries live, default /usr/lib/x86_64-linux-gnu).
set -eu

dir=${1:?usage: run-alloc.sh BENCHDIR}
ms=${BENCH_MS:-1000}
reps=${BENCH_REPS:-5}
threads=${BENCH_THREADS:-"1 2"}
libdir=${LIBDIR:-/usr/lib/x86_64-linux-gnu}

# name=library pairs; glibc has no library to preload.
allocs="glibc="
for pair in jemalloc=libjemalloc.so.2 tcmalloc=libtcmalloc_minimal.so.4 \
            mimalloc=libmimalloc.so.2; do
    if [ -e "$libdir/${pair#*=}" ]; then
        allocs="$allocs $pair"
    else
        echo "note: $libdir/${pair#*=} missing, ${pair%%=*} skipped"
    fi
done

tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT INT TERM

# ops/s of one run; "0" if the run failed.
run_one() { # bin preload impl case threads
    out=$(LD_PRELOAD=$2 "$1" --impl="$3" --case="$4" --threads="$5" \
          --ms="$ms" 2>/dev/null) || { echo 0; return; }
    echo "$out" | sed -n 's/.*ops_per_s=\([0-9.]*\).*/\1/p'
}

median() { # file
    sort -g "$1" | awk '{v[NR] = $1} END {
        if (NR == 0) { print 0; exit }
        if (NR % 2) print v[(NR + 1) / 2];
        else printf "%.0f\n", (v[NR / 2] + v[NR / 2 + 1]) / 2 }'
}

echo "bench: ${ms} ms per run, median of $reps, $(nproc) CPUs," \
     "$(sed -n 's/^model name[[:space:]]*: //p' /proc/cpuinfo | head -n1)"

found=0
for bin in "$dir"/bench-*; do
    if [ ! -f "$bin" ] || [ ! -x "$bin" ]; then continue; fi
    case "$bin" in *.o | *.sh | *.h | *.c) continue ;; esac
    found=1
    name=$(basename "$bin")
    real=$(readlink -f "$bin")
    for c in $("$real" --list); do
        for t in $threads; do
            rm -f "$tmp"/*
            i=0
            while [ "$i" -lt "$reps" ]; do
                run_one "$real" "" gf "$c" "$t" >>"$tmp/gf"
                for pair in $allocs; do
                    lib=${pair#*=}
                    run_one "$real" "${lib:+$libdir/$lib}" malloc "$c" "$t" \
                        >>"$tmp/${pair%%=*}"
                done
                i=$((i + 1))
            done
            gf=$(median "$tmp/gf")
            line="$name $c threads=$t gf=$gf"
            verdict=""
            for pair in $allocs; do
                a=${pair%%=*}
                v=$(median "$tmp/$a")
                r=$(awk -v g="$gf" -v v="$v" \
                    'BEGIN { if (v > 0) printf "%.2f", g / v; else print "nan" }')
                line="$line $a=$v (x$r)"
                case "$a" in
                glibc)
                    ok=$(awk -v r="$r" 'BEGIN { print (r >= 3) ? "yes" : "NO" }')
                    verdict="$verdict >=3x-glibc:$ok" ;;
                tcmalloc)
                    ok=$(awk -v r="$r" 'BEGIN { print (r > 1) ? "yes" : "NO" }')
                    verdict="$verdict >tcmalloc:$ok" ;;
                esac
            done
            case "$verdict" in
            *NO*) echo "$line | MISS$verdict" ;;
            *) echo "$line | PASS$verdict" ;;
            esac
        done
    done
done
[ "$found" = 1 ] || { echo "no bench-* binary in $dir"; exit 1; }
