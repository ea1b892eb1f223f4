#!/bin/sh
# bootstrap.sh - the two set-up commands of the README, on a fresh Debian 12.
#
#   ./bootstrap.sh run     install what is missing, build, run gfsd's main job
#   ./bootstrap.sh check   install what is missing, build, run the whole test suite
#
# The build lives in ./build (out of tree). Debian packages are installed with
# apt-get only when one is missing, so a second run is fast and offline.
set -eu

top=$(cd "$(dirname "$0")" && pwd)
build="$top/build"

# Everything the build, the tests and the benchmarks need from Debian.
packages="build-essential autoconf automake libtool pkg-config
libevent-dev uuid-dev check libtirpc-dev rpcsvc-proto rpcbind valgrind
libjemalloc2 libtcmalloc-minimal4 libmimalloc2.0"

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
    # Until the gfsd daemon lands, its main job is the core library: run the
    # unit suite and show the result.
    make -C "$build" -j"$(nproc)" check
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
