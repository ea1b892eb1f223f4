/* SPDX-License-Identifier: LGPL-3.0-or-later */
/*
 * lib/rpc/xdr-payload.c - the raw WRITE and READ payloads (notes 3.7).
 *
 * A WRITE request and a READ reply carry their data after the XDR
 * message, unpadded, inside the same record. The only way to find where
 * the data begins without decoding the whole dict is xdata.xdr_size: the
 * fixed part of the message ends with the dict's head {xdr_size, count,
 * pairs<> length}, and the dict's pairs are exactly xdr_size bytes. So
 * the splitters read one word at a fixed offset and check every bound
 * against the record; a transport can use them before the dict arrives.
 */
#include <errno.h>
#include <string.h>

#include "xdr-int.h"

enum {
    /* gfx_write_req: gfid[16] fd(8) offset(8) size(4) flag(4) xdata */
    WRITE_SIZE_AT = 32,
    WRITE_XSZ_AT = 40,
    /* gfx_read_rsp: op_ret op_errno stat(148) size(4) xdata */
    READ_SIZE_AT = 156,
    READ_XSZ_AT = 160,
    /* No record reaches 1 GiB (the transport refuses it), so neither
     * does a dict in one. */
    XSZ_MAX = 1 << 30,
};

static int
hdr_len(const void *buf, size_t fixed, size_t xsz_at, size_t size_at,
        size_t *out, uint32_t *size)
{
    uint32_t xsz;

    if (!buf || !out)
        return -EINVAL;
    xsz = gf__xdr_get32((const unsigned char *)buf + xsz_at);
    if (xsz % 4 || xsz >= XSZ_MAX)
        return -EINVAL;
    *out = fixed + xsz;
    if (size)
        *size = gf__xdr_get32((const unsigned char *)buf + size_at);
    return 0;
}

static int
split(const void *buf, size_t len, size_t fixed, size_t xsz_at, size_t size_at,
      size_t *out)
{
    uint32_t size;
    size_t hdr;
    int ret;

    if (!buf || !out || len < fixed)
        return -EINVAL;
    ret = hdr_len(buf, fixed, xsz_at, size_at, &hdr, &size);
    if (ret)
        return ret;
    if (hdr > len || len - hdr != size)
        return -EINVAL;
    *out = hdr;
    return 0;
}

int
gf_xdr_write_hdr_len(const void *buf, size_t *hdr, uint32_t *size)
{
    return hdr_len(buf, GF_XDR_WRITE_REQ_FIXED, WRITE_XSZ_AT, WRITE_SIZE_AT,
                   hdr, size);
}

int
gf_xdr_write_split(const void *buf, size_t len, size_t *hdr)
{
    return split(buf, len, GF_XDR_WRITE_REQ_FIXED, WRITE_XSZ_AT, WRITE_SIZE_AT,
                 hdr);
}

int
gf_xdr_read_hdr_len(const void *buf, size_t *hdr, uint32_t *size)
{
    return hdr_len(buf, GF_XDR_READ_RSP_FIXED, READ_XSZ_AT, READ_SIZE_AT, hdr,
                   size);
}

int
gf_xdr_read_split(const void *buf, size_t len, size_t *hdr)
{
    return split(buf, len, GF_XDR_READ_RSP_FIXED, READ_XSZ_AT, READ_SIZE_AT,
                 hdr);
}

size_t
gf_xdr_read_rsp_size(const gf_dict_t *xdata)
{
    return GF_XDR_READ_RSP_FIXED - 12 + gf_dict_gfx_size(xdata);
}

int
gf_xdr_read_rsp_encode(int32_t op_ret, int32_t op_errno, const gf_iatt_t *stat,
                       uint32_t size, const gf_dict_t *xdata, void *buf,
                       size_t len, size_t *used)
{
    static const gf_iatt_t zero;
    gfx_read_rsp rsp;

    if (!buf)
        return -EINVAL;
    if (len < gf_xdr_read_rsp_size(xdata))
        return -ENOBUFS;
    memset(&rsp, 0, sizeof(rsp));
    rsp.op_ret = op_ret;
    rsp.op_errno = op_errno;
    gf_xdr_iatt_to_wire(stat ? stat : &zero, &rsp.stat);
    rsp.size = size;
    /* Encoding only reads the dict; xdr_size comes out of its encoder,
     * so it always matches the pairs. */
    rsp.xdata = (gf_dict_t *)(uintptr_t)xdata;
    return gf_xdr_encode((xdrproc_t)xdr_gfx_read_rsp, &rsp, buf, len, used);
}
