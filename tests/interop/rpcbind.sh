#!/bin/sh
# rpcbind registration: rpcsvc-server --rpcbind registers its programs
# with the local rpcbind (started here if none runs; Debian package
# 'rpcbind'), 'rpcinfo -p' lists them, 'rpcinfo -t' reaches GF-DUMP through
# the portmapper, and a clean shutdown unregisters them. rpcbind's state
# directory and socket are compiled in (/run/rpcbind, /run/rpcbind.sock),
# so a private one is not possible; needs root to bind port 111.
bin=${builddir:-.}/tests/interop
PATH=$PATH:/usr/sbin:/sbin

if ! command -v rpcbind >/dev/null || ! command -v rpcinfo >/dev/null; then
    echo "1..0 # SKIP rpcbind/rpcinfo not installed (Debian package rpcbind)"
    exit 0
fi
tmp=$(mktemp -d "${GF_TEST_TMPDIR:-/tmp}/rpcbind-test.XXXXXX") || exit 99
bpid='' spid=''
cleanup() {
    [ -n "$spid" ] && kill "$spid" 2>/dev/null
    if [ -n "$bpid" ]; then
        kill "$bpid" 2>/dev/null
        wait "$bpid" 2>/dev/null
        # What the rpcbind we started leaves behind (its warm-start state
        # would otherwise feed a later 'rpcbind -w').
        rm -f /run/rpcbind.sock /run/rpcbind.lock \
            /run/rpcbind/rpcbind.xdr /run/rpcbind/portmap.xdr
    fi
    rm -rf "$tmp"
}
trap cleanup EXIT

if ! rpcinfo -p 127.0.0.1 >/dev/null 2>&1; then
    if [ "$(id -u)" -ne 0 ]; then
        echo "1..0 # SKIP no rpcbind running and not root to start one"
        exit 0
    fi
    rpcbind -f >"$tmp/rpcbind.log" 2>&1 &
    bpid=$!
    for _ in $(seq 100); do
        rpcinfo -p 127.0.0.1 >/dev/null 2>&1 && break
        kill -0 "$bpid" 2>/dev/null || break
        sleep 0.05
    done
    if ! rpcinfo -p 127.0.0.1 >/dev/null 2>&1; then
        echo "1..0 # SKIP rpcbind cannot run here: $(cat "$tmp/rpcbind.log")"
        exit 0
    fi
fi

echo "1..7"
"$bin/rpcsvc-server" --port 0 --rpcbind >"$tmp/out" 2>"$tmp/err" &
spid=$!
port=
for _ in $(seq 100); do
    port=$(sed -n 's/^port=\([0-9]*\)$/\1/p' "$tmp/out")
    [ -n "$port" ] && break
    sleep 0.05
done
[ -n "$port" ] || { echo "Bail out! rpcsvc-server did not start"; exit 1; }

n=0
ok() { n=$((n + 1)); echo "ok $n - $1"; }
notok() { n=$((n + 1)); echo "not ok $n - $1"; fail=1; }
fail=0

rpcinfo -p 127.0.0.1 >"$tmp/list" 2>&1
# rpcinfo -p: program vers proto port [service]
if awk -v p="$port" '$1 == 123451501 && $2 == 1 && $3 == "tcp" && $4 == p { f = 1 }
        END { exit !f }' "$tmp/list"; then
    ok "rpcinfo -p lists GF-DUMP 123451501 v1 tcp $port"
else
    notok "rpcinfo -p lists GF-DUMP 123451501 v1 tcp $port"; sed 's/^/# /' "$tmp/list"
fi
if awk -v p="$port" '$1 == 536871065 && $2 == 1 && $3 == "tcp" && $4 == p { f = 1 }
        END { exit !f }' "$tmp/list"; then
    ok "rpcinfo -p lists the echo program 0x20000099 v1"
else
    notok "rpcinfo -p lists the echo program 0x20000099 v1"
fi
if rpcinfo -t 127.0.0.1 123451501 1 >"$tmp/t" 2>&1; then
    ok "rpcinfo -t 127.0.0.1 123451501 1: $(cat "$tmp/t")"
else
    notok "rpcinfo -t 127.0.0.1 123451501 1"; sed 's/^/# /' "$tmp/t"
fi

kill -TERM "$spid"
wait "$spid"
src=$?
spid=
if [ "$src" -eq 0 ]; then ok "server exits cleanly"; else notok "server exit status $src"; fi
if rpcinfo -p 127.0.0.1 2>&1 | awk '$1 == 123451501 { f = 1 } END { exit !f }'; then
    notok "programs unregistered on shutdown"
else
    ok "programs unregistered on shutdown"
fi

# The same through the daemon: protocol/server's option
# rpc.register-with-rpcbind (off by default) registers the brick's
# handshake and FOP programs.
if [ -x "${builddir:-.}/gfsd/gfsd" ] &&
    [ -e "${builddir:-.}/xlators/protocol/.libs/server.so" ]; then
    mkdir "$tmp/brick"
    cat >"$tmp/brick.vol" <<VOL
volume posix
    type storage/posix
    option directory $tmp/brick
end-volume
volume server
    type protocol/server
    option transport.socket.listen-port 0
    option rpc.register-with-rpcbind on
    subvolumes posix
end-volume
VOL
    GF_XLATOR_PATH="${builddir:-.}/xlators" "${builddir:-.}/gfsd/gfsd" -N \
        -l "$tmp/gfsd.log" -f "$tmp/brick.vol" &
    spid=$!
    for _ in $(seq 100); do
        rpcinfo -p 127.0.0.1 2>/dev/null | grep -q '^ *1298437 ' && break
        sleep 0.05
    done
    rpcinfo -p 127.0.0.1 >"$tmp/list" 2>&1
    if awk '$1 == 1298437 && $2 == 400 && $3 == "tcp" { f++ }
            $1 == 14398633 && $2 == 2 && $3 == "tcp" { f++ }
            END { exit f != 2 }' "$tmp/list"; then
        ok "gfsd with rpc.register-with-rpcbind: FOP v400 and handshake listed"
    else
        notok "gfsd with rpc.register-with-rpcbind: FOP v400 and handshake listed"
        sed 's/^/# /' "$tmp/list" "$tmp/gfsd.log"
    fi
    kill -TERM "$spid"
    wait "$spid"
    src=$?
    spid=
    if [ "$src" -eq 0 ] &&
        ! rpcinfo -p 127.0.0.1 2>&1 | awk '$1 == 1298437 { f = 1 } END { exit !f }'; then
        ok "gfsd exits cleanly and unregisters"
    else
        notok "gfsd exits cleanly ($src) and unregisters"
    fi
else
    echo "ok 6 # SKIP gfsd or protocol/server not built"
    echo "ok 7 # SKIP gfsd or protocol/server not built"
fi
exit $fail
