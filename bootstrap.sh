#!/bin/sh
# bootstrap.sh - the two set-up commands of the README, on a fresh Debian 12.
#
#   ./bootstrap.sh run     install what is missing, build, run gfsd's main job
#                          (a brick served from the default volfile)
#   ./bootstrap.sh check   install what is missing, build, run the whole test suite
#
# The build lives in ./build (out of tree). Debian packages are installed with
# apt-get only when one is missing, so a second run is fast and offline.
set -eu

top=$(cd "$(dirname "$0")" && pwd)
build="$top/build"

# Everything the build, the tests and the benchmarks need from Debian.
packages="build-essential autoconf automake libtool pkg-config
libevent-dev uuid-dev check libtirpc-dev rpcsvc-proto rpcbind valgrind attr
libjemalloc2 libtcmalloc-minimal4 libmimalloc2.0
glusterfs-server glusterfs-common libglusterfs-dev"

install_missing() {
    missing=""
    for p in $packages; do
        dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q 'ok installed' ||
            missing="$missing $p"
    done
    [ -z "$missing" ] && return 0
    if [ "$(id -u)" -ne 0 ]; then
        echo "bootstrap: missing Debian packages:$missing" >&2
        echo "bootstrap: run as root, or: sudo apt-get install$missing" >&2
        exit 1
    fi
    echo "bootstrap: installing$missing"
    apt-get update -q
    DEBIAN_FRONTEND=noninteractive apt-get install -y -q $missing
}

build() {
    [ -x "$top/configure" ] || (cd "$top" && ./autogen.sh)
    mkdir -p "$build"
    [ -f "$build/Makefile" ] ||
        (cd "$build" && "$top/configure" --enable-developer-warnings)
    make -C "$build" -j"$(nproc)"
}

case "${1:-}" in
run)
    install_missing
    build
    # gfsd's main job: serve a brick from the default volfile (storage/posix
    # under features/locks, io-threads and io-stats, protocol/server on
    # 127.0.0.1:24007), in the foreground, logging to the terminal, until
    # Ctrl-C.
    mkdir -p "$build/brick"
    echo "bootstrap: gfsd serves $build/brick on 127.0.0.1:24007 (Ctrl-C stops it)"
    GF_XLATOR_PATH="$build/xlators" exec "$build/gfsd/gfsd" -N -l - \
        -f "$top/gfsd/gfsd.vol" \
        --xlator-option "brick-posix.directory=$build/brick"
    ;;
check)
    install_missing
    build
    make -C "$build" -j"$(nproc)" check
    ;;
*)
    echo "usage: $0 run|check" >&2
    exit 64
    ;;
esac
