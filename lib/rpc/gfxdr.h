/* SPDX-License-Identifier: LGPL-3.0-or-later */
/*
 * lib/rpc/gfxdr.h - in-tree access to the generated XDR (not installed).
 * Include it as <rpc/gfxdr.h> (the -I of lib/). Never add a header to
 * lib/rpc/ named like one of libtirpc's (<rpc/xdr.h>, <rpc/types.h>,
 * <rpc/auth.h>, <rpc/clnt.h>, <rpc/svc.h>, ...): lib/ is searched first.
 *
 * Includes rpcgen's headers for rpc-common.x and glusterfs4.x (built into
 * the build directory) and <gf/rpc-xdr.h>, and adds whole-message
 * helpers over libtirpc memory streams. Needs $(TIRPC_CFLAGS). Code
 * outside libgf that calls xdr_* links lib/rpc/libgfxdr.la too: libgf
 * exports only gf_* symbols.
 *
 * Dict fields (gfx_xdict) are gf_dict_t pointers owning one reference;
 * directory lists (gfx_xdirlist/gfx_xdirplist) are gf_dirents_t owning
 * their entries. xdr_free() on a decoded message releases both, and the
 * strings and arrays rpcgen allocated.
 */
#ifndef GF_RPC_GFXDR_H
#define GF_RPC_GFXDR_H

#include <rpc/types.h>
#include <rpc/xdr.h>

#include <gf/iobuf.h>
#include <gf/rpc-xdr.h>
#include <lib/rpc/glusterfs4.h>
#include <lib/rpc/rpc-common.h>

#ifdef __cplusplus
extern "C" {
#endif

/*
 * Decode one message of type PROC from BUF/LEN into OBJ, which must be
 * zeroed (rpcgen's decoders allocate only into NULL pointers). *USED (if
 * not NULL) gets the bytes consumed; trailing bytes are allowed (a WRITE
 * payload, say). Returns 0, or -EINVAL after freeing whatever was
 * decoded (OBJ is then zero again). On success release OBJ with
 * xdr_free(PROC, OBJ).
 */
GF_EXPORT int gf_xdr_decode(xdrproc_t proc, const void *buf, size_t len,
                            void *obj, size_t objsize, size_t *used);

/*
 * Encode OBJ as message type PROC into BUF/LEN; *USED gets the bytes
 * written. Returns 0, or -ENOBUFS if it does not fit (or a field breaks
 * a bound of the .x file). OBJ is not changed or freed.
 */
GF_EXPORT int gf_xdr_encode(xdrproc_t proc, void *obj, void *buf, size_t len,
                            size_t *used);

/* Encoded size of OBJ as PROC; 0 if it cannot be encoded. */
GF_EXPORT size_t gf_xdr_size(xdrproc_t proc, void *obj);

/*
 * Encode OBJ as PROC into a fresh iobuf of IOP: first into a page of
 * GF_XDR_ENCODE_GUESS bytes (most messages fit), and only when it does
 * not fit sized with gf_xdr_size (which costs libtirpc allocations) and
 * encoded again. *USED gets the bytes written. NULL when it cannot be
 * encoded or no iobuf is free. Used by both protocol translators.
 */
#define GF_XDR_ENCODE_GUESS 2048u
GF_EXPORT gf_iobuf_t *gf_xdr_encode_iobuf(gf_iobuf_pool_t *iop, xdrproc_t proc,
                                          void *obj, size_t *used);

#ifdef __cplusplus
}
#endif

#endif /* GF_RPC_GFXDR_H */
