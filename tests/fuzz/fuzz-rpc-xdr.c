/* SPDX-License-Identifier: LGPL-3.0-or-later */
/*
 * fuzz-rpc-xdr.c - libFuzzer target for the decoders a brick runs on
 * bytes from the network: every FOP request and the handshake/dump
 * messages (rpcgen code and the dict filters over libtirpc streams), the
 * directory-list chains, and the WRITE/READ payload splits.
 *
 * The first input byte picks the decoder, the rest is the message. A
 * decode that succeeds must report a consumed length inside the input and
 * be freeable; one that fails must leave its object zeroed. Anything else
 * (or a sanitizer report) is a finding.
 *   ./configure CC=clang --enable-fuzzing && make fuzz
 *   tests/fuzz/fuzz-rpc-xdr -max_len=4096 -max_total_time=60 CORPUS_DIR
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <gf/fop.h>
#include <gf/rpc-xdr.h>
#include <rpc/gfxdr.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

/* One decoder of the table: the rpcgen routine and its object's size. */
typedef struct decoder {
    xdrproc_t proc;
    size_t size;
} decoder_t;

#define D(type)                                                                \
    {                                                                          \
        (xdrproc_t) xdr_##type, sizeof(type)                                   \
    }
static const decoder_t decoders[] = {
    D(gfx_lookup_req),   D(gfx_stat_req),     D(gfx_fstat_req),
    D(gfx_statfs_req),   D(gfx_create_req),   D(gfx_open_req),
    D(gfx_opendir_req),  D(gfx_readdir_req),  D(gfx_readdirp_req),
    D(gfx_read_req),     D(gfx_write_req),    D(gfx_flush_req),
    D(gfx_fsync_req),    D(gfx_release_req),  D(gfx_releasedir_req),
    D(gfx_mkdir_req),    D(gfx_unlink_req),   D(gfx_rmdir_req),
    D(gfx_rename_req),   D(gfx_truncate_req), D(gfx_ftruncate_req),
    D(gfx_setattr_req),  D(gfx_fsetattr_req), D(gfx_getxattr_req),
    D(gfx_setxattr_req), D(gfx_access_req),   D(gf_dump_req),
    D(gf_dump_rsp),      D(gf_setvolume_req), D(gf_setvolume_rsp),
    D(gf_common_rsp),    D(gf_getspec_req),
};
#undef D

static void
run_decoder(const decoder_t *d, const uint8_t *buf, size_t len)
{
    unsigned char obj[1024] __attribute__((aligned(16)));
    size_t used = 0;

    if (d->size > sizeof(obj))
        abort();
    memset(obj, 0, d->size);
    if (gf_xdr_decode(d->proc, buf, len, obj, d->size, &used) == 0) {
        if (used > len)
            abort();
        xdr_free(d->proc, (char *)obj);
        return;
    }
    for (size_t i = 0; i < d->size; i++)
        if (obj[i])
            abort(); /* a failed decode must leave nothing behind */
}

static void
run_dirlist(const uint8_t *buf, size_t len, bool plus)
{
    gf_dirents_t list;
    size_t used = 0;

    gf_dirents_init(&list);
    if (gf_xdr_dirlist_decode(buf, len, plus, &list, &used) == 0 && used > len)
        abort();
    gf_dirents_free(&list);
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    size_t n = sizeof(decoders) / sizeof(decoders[0]), hdr = 0;
    unsigned pick;

    if (size < 1)
        return 0;
    pick = data[0];
    data++;
    size--;
    if (pick < n) {
        run_decoder(&decoders[pick], data, size);
    } else if (pick == n) {
        run_dirlist(data, size, false);
    } else if (pick == n + 1) {
        run_dirlist(data, size, true);
    } else if (pick == n + 2) {
        if (gf_xdr_write_split(data, size, &hdr) == 0 && hdr > size)
            abort();
    } else if (pick == n + 3) {
        if (gf_xdr_read_split(data, size, &hdr) == 0 && hdr > size)
            abort();
    }
    return 0;
}
