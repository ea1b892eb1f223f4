#!/bin/sh
# SPDX-License-Identifier: LGPL-3.0-or-later
#
# TAP: a translator built out of tree, exactly as xlators/README.md says,
# against nothing but the installed headers and gf.pc, is found and loaded
# by the real loader and serves fops.
set -u
: "${builddir:?}" "${top_srcdir:?}"

echo "1..6"
tmp=$(mktemp -d "${TMPDIR:-/tmp}/gf-plugin.XXXXXX")
trap 'rm -rf "$tmp"' EXIT INT TERM
fail() { echo "not ok $1 - $2"; [ -f "$tmp/log" ] && sed 's/^/# /' "$tmp/log"; exit 1; }

# 1. Install libgf, its headers and gf.pc into a private root.
unset MAKEFLAGS MAKELEVEL MFLAGS
make -C "$builddir" DESTDIR="$tmp/root" install-libLTLIBRARIES \
    install-gfincludeHEADERS install-pkgconfigDATA >"$tmp/log" 2>&1 ||
    fail 1 "install headers, libgf and gf.pc"
echo "ok 1 - install headers, libgf and gf.pc"

# 2. pkg-config finds gf and its xlatordir (relocated under the root).
pc=$(find "$tmp/root" -name gf.pc | head -n 1)
PKG_CONFIG_PATH=$(dirname "$pc")
PKG_CONFIG="pkg-config --define-prefix"
export PKG_CONFIG_PATH PKG_CONFIG
xlatordir=$($PKG_CONFIG --variable=xlatordir gf)
case "$xlatordir" in
"$tmp"/root/*/gf/xlators) echo "ok 2 - xlatordir is $xlatordir" ;;
*) echo "got: $xlatordir" >"$tmp/log"; fail 2 "pkg-config --variable=xlatordir gf" ;;
esac

# 3. Build and install the plugin with the guide's Makefile.
mkdir "$tmp/build"
make -C "$tmp/build" -f "$top_srcdir/tests/plugin/Makefile" \
    SRCDIR="$top_srcdir/tests/plugin" install >"$tmp/log" 2>&1 ||
    fail 3 "build the plugin out of tree"
test -f "$xlatordir/example/hello.so" || fail 3 "plugin installed"
echo "ok 3 - plugin built out of tree and installed"

# 4. It exports exactly one symbol, the descriptor.
exports=$(nm -D --defined-only "$xlatordir/example/hello.so" |
          awk '$2 ~ /[TDBR]/ {print $3}')
[ "$exports" = "gf_xlator_api" ] || { echo "exports: $exports" >"$tmp/log"; fail 4 "exports only gf_xlator_api"; }
echo "ok 4 - exports only gf_xlator_api"

# 5. The real loader finds it through GF_XLATOR_PATH and it serves STAT.
cat >"$tmp/hello.vol" <<VOL
volume leaf
    type test/sink
end-volume
volume hello
    type example/hello
    option size 2KB
    subvolumes leaf
end-volume
VOL
out=$(GF_XLATOR_PATH="$xlatordir:$builddir/tests/xlators" \
      "$builddir/tests/plugin/run-volfile" "$tmp/hello.vol" /x 2>"$tmp/log")
[ "$out" = "size=2048" ] || { echo "# got: $out"; fail 5 "loaded and served STAT"; }
echo "ok 5 - loaded by the real loader and served STAT"

# 6. gfsd, which has libgf built in, loads the same plugin (linked with
# -lgf: libgf.so comes along) and the plugin binds to gfsd's libgf: its
# init logs into gfsd's log file, not to the unconfigured stderr of the
# shared copy's log; TERM then exits 0.
libdir=$(dirname "$(find "$tmp/root" -name 'libgf.so.0' | head -n 1)")
LD_LIBRARY_PATH="$libdir" GF_XLATOR_PATH="$xlatordir:$builddir/tests/xlators" \
    "$builddir/gfsd/gfsd" -N -f "$tmp/hello.vol" -l "$tmp/gfsd.log" \
    2>"$tmp/gfsd.err" &
gpid=$!
i=0
while [ $i -lt 100 ] && ! grep -q "graph active" "$tmp/gfsd.log" 2>/dev/null; do
    kill -0 "$gpid" 2>/dev/null || break
    sleep 0.1
    i=$((i + 1))
done
kill -TERM "$gpid" 2>/dev/null
wait "$gpid"
rc=$?
cp "$tmp/gfsd.log" "$tmp/log" 2>/dev/null
cat "$tmp/gfsd.err" >>"$tmp/log"
grep -q "hello ready, size 2048" "$tmp/gfsd.log" && [ ! -s "$tmp/gfsd.err" ] &&
    [ "$rc" -eq 0 ] || fail 6 "gfsd loads it, bound to its own libgf (rc $rc)"
echo "ok 6 - gfsd loads it; its init logs into gfsd's log; TERM exits 0"
