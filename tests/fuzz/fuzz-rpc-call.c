/* SPDX-License-Identifier: LGPL-3.0-or-later */
/*
 * fuzz-rpc-call.c - libFuzzer target for rpcsvc's call-header parser and
 * credential decoder (lib/rpc/rpcsvc-auth.c, linked in directly: the
 * functions are internal to libgf).
 *
 * The input is one record's bytes. Whatever the parser accepts must lie
 * inside the input; a decoded credential must respect the limits the
 * service promises (groups, lk-owner size, pointers into the record).
 * A second pass feeds the bytes after the first 4 as a credential body of
 * each known flavor, so the decoders see arbitrary bodies directly.
 *   ./configure CC=clang --enable-fuzzing && make fuzz
 *   tests/fuzz/fuzz-rpc-call -max_len=1024 -max_total_time=60 CORPUS_DIR
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "rpc/rpcsvc-int.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static void
check_auth(const gf__rpc_call_t *c, const gf__rpc_auth_t *a,
           gf_rpc_auth_stat_t st)
{
    if (st != GF_RPC_AUTH_OK) {
        if (st != GF_RPC_AUTH_BADCRED && st != GF_RPC_AUTH_REJECTEDCRED)
            abort();
        return;
    }
    if (a->id.ngroups > GF_RPCSVC_MAX_GROUPS || a->id.groups != a->groups)
        abort();
    if (a->id.lk_owner && (a->id.lk_owner != &a->lk_owner ||
                           a->lk_owner.len > GF_RPCSVC_MAX_AUTH_BYTES))
        abort();
    if (a->cred.machinename && (a->cred.machinename < (const char *)c->cred ||
                                a->cred.machinename + a->cred.machinename_len >
                                    (const char *)c->cred + c->cred_len))
        abort();
    /* Touch every group so ASan/MSan see any bad one. */
    for (uint32_t i = 0; i < a->id.ngroups; i++)
        if (a->id.groups[i] == 0xdeadbeef && i > GF_RPCSVC_MAX_GROUPS)
            abort();
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    static const uint32_t flavors[] = {
        GF_RPC_AUTH_NULL,         GF_RPC_AUTH_UNIX,
        GF_RPC_AUTH_GLUSTERFS,    GF_RPC_AUTH_GLUSTERFS_V2,
        GF_RPC_AUTH_GLUSTERFS_V3,
    };
    static gf__rpc_auth_t auth;
    gf__rpc_call_t c;
    uint8_t *copy;

    /* An exact-size copy, so any read past the record is caught. */
    copy = malloc(size ? size : 1);
    if (!copy)
        return 0;
    memcpy(copy, data, size);
    if (gf__rpcsvc_parse_call(copy, size, &c) == GF__RPC_OK) {
        if (c.cred < copy || c.cred + c.cred_len > copy + size ||
            c.args < copy || c.args + c.args_len != copy + size ||
            c.cred_len > GF_RPCSVC_MAX_AUTH_BYTES)
            abort();
        check_auth(&c, &auth, gf__rpcsvc_auth_decode(&c, &auth));
    }
    /* The body alone, as each flavor. */
    if (size >= 4 && size - 4 <= GF_RPCSVC_MAX_AUTH_BYTES) {
        memset(&c, 0, sizeof(c));
        c.cred = copy + 4;
        c.cred_len = (uint32_t)(size - 4);
        c.cred_flavor = flavors[copy[0] % GF_ARRAY_SIZE(flavors)];
        check_auth(&c, &auth, gf__rpcsvc_auth_decode(&c, &auth));
    }
    free(copy);
    return 0;
}
