/* SPDX-License-Identifier: LGPL-3.0-or-later */
/*
 * gf/rpc-xdr.h - GlusterFS wire numbers and the non-XDR parts of the 4.x
 * protocol.
 *
 * The messages themselves are described by lib/rpc/rpc-common.x and
 * lib/rpc/glusterfs4.x and compiled by rpcgen (xdr_gfx_lookup_req, ...);
 * in-tree code reaches them through <rpc/gfxdr.h>. This header holds
 * what rpcgen cannot express, as byte-level codecs that need no RPC
 * library:
 *   - program, procedure and credential numbers, iatt flag bits;
 *   - gfx_iattx <-> gf_iatt_t;
 *   - the READDIR/READDIRP entry chains <-> gf_dirents_t;
 *   - the raw payloads: where a WRITE request's data begins, where a READ
 *     reply's data begins, and the READ reply header.
 * Every decoder is bounds-checked against the length it is given and
 * returns -EINVAL for malformed input; nothing here allocates except the
 * directory list decoder. All functions are thread-safe (no shared state).
 */
#ifndef GF_RPC_XDR_H
#define GF_RPC_XDR_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>

#include <gf/common.h>
#include <gf/dict.h>
#include <gf/fop.h>

#ifdef __cplusplus
extern "C" {
#endif

/* ---- programs and procedures (glusterfs-notes 3.4) --------------------- */

enum {
    GF_XDR_DUMP_PROG = 123451501, /* GF-DUMP */
    GF_XDR_DUMP_VERS = 1,
    GF_XDR_HNDSK_PROG = 14398633, /* GlusterFS Handshake */
    GF_XDR_HNDSK_VERS = 2,
    GF_XDR_FOP_PROG = 1298437, /* "GlusterFS 4.x v1" */
    GF_XDR_FOP_VERS = 400,
    GF_XDR_FOP_VERS_33 = 330,    /* "GlusterFS 3.3": not spoken by gfsd */
    GF_XDR_PMAP_PROG = 34123456, /* glusterd's portmapper */
    GF_XDR_PMAP_VERS = 1,
    GF_XDR_CBK_PROG = 52743234, /* server -> client callbacks */
    GF_XDR_CBK_VERS = 1,
};

/* GF-DUMP procedures. */
enum {
    GF_XDR_DUMP_NULL = 0,
    GF_XDR_DUMP_DUMP = 1,
    GF_XDR_DUMP_PING = 2,
};

/* Handshake procedures. */
enum {
    GF_XDR_HNDSK_NULL = 0,
    GF_XDR_HNDSK_SETVOLUME = 1,
    GF_XDR_HNDSK_GETSPEC = 2,
    GF_XDR_HNDSK_PING = 3,
    GF_XDR_HNDSK_SET_LK_VER = 4,
    GF_XDR_HNDSK_EVENT_NOTIFY = 5,
    GF_XDR_HNDSK_GET_VOLUME_INFO = 6,
    GF_XDR_HNDSK_GET_SNAPSHOT_INFO = 7,
};

/* Portmapper procedures. */
enum {
    GF_XDR_PMAP_NULL = 0,
    GF_XDR_PMAP_PORTBYBRICK = 1,
    GF_XDR_PMAP_BRICKBYPORT = 2,
    GF_XDR_PMAP_SIGNUP = 3,
    GF_XDR_PMAP_SIGNIN = 4,
    GF_XDR_PMAP_SIGNOUT = 5,
};

/* FOP procedures on the wire (upstream GFS3_OP_*). They differ from the
 * internal gf_fop_t numbering: use these only for RPC procnums. */
enum gf_xdr_fop_proc {
    GF_XDR_FOP_NULL = 0,
    GF_XDR_FOP_STAT = 1,
    GF_XDR_FOP_READLINK = 2,
    GF_XDR_FOP_MKNOD = 3,
    GF_XDR_FOP_MKDIR = 4,
    GF_XDR_FOP_UNLINK = 5,
    GF_XDR_FOP_RMDIR = 6,
    GF_XDR_FOP_SYMLINK = 7,
    GF_XDR_FOP_RENAME = 8,
    GF_XDR_FOP_LINK = 9,
    GF_XDR_FOP_TRUNCATE = 10,
    GF_XDR_FOP_OPEN = 11,
    GF_XDR_FOP_READ = 12,
    GF_XDR_FOP_WRITE = 13,
    GF_XDR_FOP_STATFS = 14,
    GF_XDR_FOP_FLUSH = 15,
    GF_XDR_FOP_FSYNC = 16,
    GF_XDR_FOP_SETXATTR = 17,
    GF_XDR_FOP_GETXATTR = 18,
    GF_XDR_FOP_REMOVEXATTR = 19,
    GF_XDR_FOP_OPENDIR = 20,
    GF_XDR_FOP_FSYNCDIR = 21,
    GF_XDR_FOP_ACCESS = 22,
    GF_XDR_FOP_CREATE = 23,
    GF_XDR_FOP_FTRUNCATE = 24,
    GF_XDR_FOP_FSTAT = 25,
    GF_XDR_FOP_LK = 26,
    GF_XDR_FOP_LOOKUP = 27,
    GF_XDR_FOP_READDIR = 28,
    GF_XDR_FOP_INODELK = 29,
    GF_XDR_FOP_FINODELK = 30,
    GF_XDR_FOP_ENTRYLK = 31,
    GF_XDR_FOP_FENTRYLK = 32,
    GF_XDR_FOP_XATTROP = 33,
    GF_XDR_FOP_FXATTROP = 34,
    GF_XDR_FOP_FGETXATTR = 35,
    GF_XDR_FOP_FSETXATTR = 36,
    GF_XDR_FOP_RCHECKSUM = 37,
    GF_XDR_FOP_SETATTR = 38,
    GF_XDR_FOP_FSETATTR = 39,
    GF_XDR_FOP_READDIRP = 40,
    GF_XDR_FOP_RELEASE = 41,
    GF_XDR_FOP_RELEASEDIR = 42,
    GF_XDR_FOP_FREMOVEXATTR = 43,
    GF_XDR_FOP_FALLOCATE = 44,
    GF_XDR_FOP_DISCARD = 45,
    GF_XDR_FOP_ZEROFILL = 46,
    GF_XDR_FOP_IPC = 47,
    GF_XDR_FOP_SEEK = 48,
    GF_XDR_FOP_COMPOUND = 49,
    GF_XDR_FOP_LEASE = 50,
    GF_XDR_FOP_GETACTIVELK = 51,
    GF_XDR_FOP_SETACTIVELK = 52,
    GF_XDR_FOP_ICREATE = 53,
    GF_XDR_FOP_NAMELINK = 54,
    GF_XDR_FOP_PUT = 55,
    GF_XDR_FOP_COPY_FILE_RANGE = 56,
    GF_XDR_FOP_MAXVALUE = 57,
};

/* Credential flavors and the credential size limit (notes 3.5). */
enum {
    GF_XDR_AUTH_NULL = 0,
    GF_XDR_AUTH_UNIX = 1,
    GF_XDR_AUTH_GLUSTERFS = 5,
    GF_XDR_AUTH_GLUSTERFS_V2 = 390039,
    GF_XDR_AUTH_GLUSTERFS_V3 = 390040,
    GF_XDR_AUTH_BYTES_MAX = 400,
};

/* gfx_iattx.ia_flags: which fields are valid. */
enum {
    GF_XDR_IATT_TYPE = 0x1,
    GF_XDR_IATT_MODE = 0x2,
    GF_XDR_IATT_NLINK = 0x4,
    GF_XDR_IATT_UID = 0x8,
    GF_XDR_IATT_GID = 0x10,
    GF_XDR_IATT_ATIME = 0x20,
    GF_XDR_IATT_MTIME = 0x40,
    GF_XDR_IATT_CTIME = 0x80,
    GF_XDR_IATT_INO = 0x100,
    GF_XDR_IATT_SIZE = 0x200,
    GF_XDR_IATT_BLOCKS = 0x400,
    GF_XDR_IATT_BTIME = 0x800,
    GF_XDR_IATT_GFID = 0x1000,
    /* What a full stat() fills: everything but BTIME (0x17ff). */
    GF_XDR_IATT_BASIC = 0x17ff,
};

/* Sizes and limits. */
enum {
    GF_XDR_IATTX_SIZE = 148,     /* encoded gfx_iattx */
    GF_XDR_WRITE_REQ_FIXED = 52, /* gfx_write_req with an empty xdata */
    GF_XDR_READ_RSP_FIXED = 172, /* gfx_read_rsp with an empty xdata */
    GF_XDR_NAME_MAX = 255,       /* longest directory entry name */
    GF_XDR_DIRENTS_MAX = 65536,  /* most entries in one reply */
};

/* ---- attributes -------------------------------------------------------- */

struct gfx_iattx; /* rpcgen's, from lib/rpc/glusterfs4.x */

/*
 * Convert wire attributes to libgf's. ia_flags, ia_attributes and
 * ia_attributes_mask have no place in gf_iatt_t and are dropped; MODE is
 * copied whole (type and permission bits). 0, or -EINVAL for NULL.
 */
GF_EXPORT int gf_xdr_iatt_from_wire(const struct gfx_iattx *w, gf_iatt_t *ia);

/*
 * Convert libgf attributes to the wire. ia_flags is GF_XDR_IATT_BASIC,
 * plus GF_XDR_IATT_BTIME when a birth time is set, or 0 for an all-zero
 * IA (the "no attributes" a failed fop returns), so that replies match
 * upstream byte for byte. 0, or -EINVAL for NULL.
 */
GF_EXPORT int gf_xdr_iatt_to_wire(const gf_iatt_t *ia, struct gfx_iattx *w);

/* The same on the 148 encoded bytes at BUF (which need no alignment).
 * 0, or -EINVAL for NULL. */
GF_EXPORT int gf_xdr_iatt_decode(const void *buf, gf_iatt_t *ia);
GF_EXPORT int gf_xdr_iatt_encode(const gf_iatt_t *ia, void *buf);

/* ---- directory entries (READDIR / READDIRP replies) --------------------- */

/*
 * The entry chain that follows xdata in gfx_readdir_rsp (PLUS false:
 * gfx_dirlist {d_ino, d_off, d_len, d_type, name}) or gfx_readdirp_rsp
 * (PLUS true: also the entry's gfx_iattx and gfx_dict), encoded as
 * {u32 1, entry} per entry and a final u32 0. Each entry's NAME must be
 * 1..GF_XDR_NAME_MAX bytes without a NUL.
 */
/* Encoded size of LIST (4 for an empty or NULL list); -EINVAL for a
 * name out of bounds or more than GF_XDR_DIRENTS_MAX entries. */
GF_EXPORT ssize_t gf_xdr_dirlist_size(const gf_dirents_t *list, bool plus);

/* Encode LIST at BUF; *USED (if not NULL) gets the byte count. 0,
 * -EINVAL (as above, or NULL BUF), -ENOBUFS if LEN is too small. */
GF_EXPORT int gf_xdr_dirlist_encode(const gf_dirents_t *list, bool plus,
                                    void *buf, size_t len, size_t *used);

/*
 * Decode one chain from the start of BUF and append its entries to OUT
 * (which the caller initialised and frees with gf_dirents_free); readdirp
 * entries get their stat and their dict (NULL for a wire count of -1).
 * *USED (if not NULL) gets the bytes consumed. Returns 0, -EINVAL for a
 * truncated or malformed chain (missing terminator, bad name, bad dict,
 * more than GF_XDR_DIRENTS_MAX entries), -ENOMEM. On error OUT and *USED
 * are unchanged.
 */
GF_EXPORT int gf_xdr_dirlist_decode(const void *buf, size_t len, bool plus,
                                    gf_dirents_t *out, size_t *used);

/* ---- raw payloads (notes 3.7) ------------------------------------------- */

/*
 * WRITE request: BUF/LEN are the procedure arguments of the call (the
 * record after the RPC call header and verifier). The gfx_write_req
 * header ends at GF_XDR_WRITE_REQ_FIXED + xdata.xdr_size; the raw,
 * unpadded payload is the rest of the record. gf_xdr_write_split stores
 * the header length in *HDR_LEN and checks that the payload length equals
 * the request's SIZE field. -EINVAL if LEN is shorter than the fixed
 * part, xdr_size is not a multiple of 4 or points past LEN, or the sizes
 * disagree.
 */
GF_EXPORT int gf_xdr_write_split(const void *buf, size_t len, size_t *hdr_len);

/*
 * The same while a record is still arriving: from the first
 * GF_XDR_WRITE_REQ_FIXED bytes at BUF, the header length (so a transport
 * knows how much to read before the payload) and the payload SIZE (may
 * be NULL). -EINVAL for a bad xdr_size or NULL arguments.
 */
GF_EXPORT int gf_xdr_write_hdr_len(const void *buf, size_t *hdr_len,
                                   uint32_t *size);

/*
 * READ reply: BUF/LEN are the results of an accepted reply (after
 * accept_stat). The gfx_read_rsp header ends at GF_XDR_READ_RSP_FIXED +
 * xdata.xdr_size, the payload is the rest and must be exactly the
 * reply's SIZE bytes. Same contract as gf_xdr_write_split.
 */
GF_EXPORT int gf_xdr_read_split(const void *buf, size_t len, size_t *hdr_len);

/* As gf_xdr_write_hdr_len, from the first GF_XDR_READ_RSP_FIXED bytes. */
GF_EXPORT int gf_xdr_read_hdr_len(const void *buf, size_t *hdr_len,
                                  uint32_t *size);

/* Size of a READ reply header with XDATA (NULL allowed). */
GF_EXPORT size_t gf_xdr_read_rsp_size(const gf_dict_t *xdata);

/*
 * Encode the gfx_read_rsp header {op_ret, op_errno, stat, size, xdata}
 * at BUF, with xdata.xdr_size correct; the SIZE payload bytes are sent
 * after it unpadded (a separate iovec, not copied here). STAT NULL means
 * all-zero attributes. 0, -EINVAL (NULL BUF), -ENOBUFS if LEN <
 * gf_xdr_read_rsp_size(XDATA). *USED (if not NULL) gets the byte count.
 */
GF_EXPORT int gf_xdr_read_rsp_encode(int32_t op_ret, int32_t op_errno,
                                     const gf_iatt_t *stat, uint32_t size,
                                     const gf_dict_t *xdata, void *buf,
                                     size_t len, size_t *used);

#ifdef __cplusplus
}
#endif

#endif /* GF_RPC_XDR_H */
