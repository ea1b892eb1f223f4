/* SPDX-License-Identifier: LGPL-3.0-or-later */
/*
 * dict-wire.c - the two serializations of a dict.
 *
 * The old byte form (GlusterFS dict_serialize) rides inside the SETVOLUME
 * and mgmt opaques; the typed gfx_dict XDR form is every 4.x fop's xdata.
 * Both are hand-coded rather than rpcgen'd: the encoders write straight
 * from the pairs without building an intermediate array, and the decoders
 * are the first thing a hostile peer reaches, so every length is checked
 * against what is left of the buffer before it is used, in 64-bit
 * arithmetic, and against GF_DICT_KEY_VALUE_MAX before anything is
 * allocated. A decoder either returns a complete dict or nothing.
 */
#include <errno.h>
#include <inttypes.h>
#include <stdio.h>
#include <string.h>

#include "dict-int.h"

enum {
    OLD_PAIR_MIN = 10, /* keylen, vallen, one key byte and its NUL */
    GFX_HEAD = 12,     /* xdr_size, count, pairs<> length */
    GFX_PAIR_MIN = 16, /* key<> with a 1-byte key, type, empty opaque */
    NUM_TEXT_MAX = 32, /* longest decimal or %.17g text, NUL included */
};

static inline void
put32(unsigned char *w, uint32_t v)
{
    w[0] = (unsigned char)(v >> 24);
    w[1] = (unsigned char)(v >> 16);
    w[2] = (unsigned char)(v >> 8);
    w[3] = (unsigned char)v;
}

static inline void
put64(unsigned char *w, uint64_t v)
{
    put32(w, (uint32_t)(v >> 32));
    put32(w + 4, (uint32_t)v);
}

static inline uint32_t
get32(const unsigned char *r)
{
    return (uint32_t)r[0] << 24 | (uint32_t)r[1] << 16 | (uint32_t)r[2] << 8 |
           (uint32_t)r[3];
}

static inline uint64_t
get64(const unsigned char *r)
{
    return (uint64_t)get32(r) << 32 | get32(r + 4);
}

/* XDR rounds opaque data up to 4 bytes. */
static inline size_t
pad4(size_t n)
{
    return (n + 3) & ~(size_t)3;
}

/* ------------------------------------------------------------------ */
/* Old byte form                                                       */
/* ------------------------------------------------------------------ */

/*
 * The old-form value of P: its bytes, or for a number its decimal text
 * (in TMP) with the NUL, as GlusterFS's data_from_int64 and friends make
 * it. Doubles use %.17g, not upstream's lossy %f; both parse with strtod.
 */
static const void *
old_value(const gf__dict_pair_t *p, char tmp[NUM_TEXT_MAX], size_t *vlen)
{
    int n;

    switch (p->type) {
    case GF_DICT_INT:
        n = snprintf(tmp, NUM_TEXT_MAX, "%" PRId64, p->num.i);
        break;
    case GF_DICT_UINT:
        n = snprintf(tmp, NUM_TEXT_MAX, "%" PRIu64, p->num.u);
        break;
    case GF_DICT_DOUBLE:
        n = snprintf(tmp, NUM_TEXT_MAX, "%.17g", p->num.d);
        break;
    default:
        *vlen = p->vlen;
        return gf__dict_pair_bytes(p);
    }
    GF_ASSERT(n > 0 && n < NUM_TEXT_MAX);
    *vlen = (size_t)n + 1;
    return tmp;
}

ssize_t
gf_dict_old_size(const gf_dict_t *d)
{
    char tmp[NUM_TEXT_MAX];
    size_t total = 4, vlen;

    if (!d)
        return -EINVAL;
    for (const gf__dict_pair_t *p = d->head; p; p = p->next) {
        old_value(p, tmp, &vlen);
        total += 8 + p->keylen + 1 + vlen;
    }
    return (ssize_t)total;
}

int
gf_dict_old_encode(const gf_dict_t *d, void *buf, size_t len)
{
    unsigned char *w = buf;
    char tmp[NUM_TEXT_MAX];
    const void *val;
    size_t vlen;
    ssize_t size = gf_dict_old_size(d);

    if (size < 0 || !buf)
        return -EINVAL;
    if (len < (size_t)size)
        return -ENOBUFS;
    put32(w, d->count);
    w += 4;
    for (const gf__dict_pair_t *p = d->head; p; p = p->next) {
        val = old_value(p, tmp, &vlen);
        put32(w, p->keylen);
        put32(w + 4, (uint32_t)vlen);
        memcpy(w + 8, p->key, p->keylen + 1);
        w += 8 + p->keylen + 1;
        memcpy(w, val, vlen);
        w += vlen;
    }
    return 0;
}

/* The key at B[*POS] of KEYLEN bytes plus a NUL, inside LEN bytes. */
static int
take_key(const unsigned char *b, size_t len, size_t *pos, size_t keylen)
{
    const unsigned char *key = b + *pos;

    if (keylen == 0 || len - *pos < keylen + 1)
        return -EINVAL;
    /* A NUL inside the key would make two wire keys one dict key. */
    if (key[keylen] != '\0' || memchr(key, '\0', keylen))
        return -EINVAL;
    *pos += keylen + 1;
    return 0;
}

static int
old_pair(gf_dict_t *d, const unsigned char *b, size_t len, size_t *pos)
{
    gf__dict_pair_t *p;
    const char *key;
    size_t keylen, vlen;
    int ret;

    if (len - *pos < 8)
        return -EINVAL;
    keylen = get32(b + *pos);
    vlen = get32(b + *pos + 4);
    *pos += 8;
    if (keylen >= GF_DICT_KEY_VALUE_MAX || vlen >= GF_DICT_KEY_VALUE_MAX)
        return -EMSGSIZE;
    key = (const char *)b + *pos;
    ret = take_key(b, len, pos, keylen);
    if (ret)
        return ret;
    if (len - *pos < vlen)
        return -EINVAL;
    p = gf__dict_pair_new(key, keylen, GF_DICT_STR_OLD, b + *pos, vlen);
    if (!p)
        return -ENOMEM;
    *pos += vlen;
    if (gf__dict_insert(d, p, false)) {
        gf__dict_pair_free(p);
        return -EINVAL; /* duplicate key */
    }
    return 0;
}

int
gf_dict_old_decode(const void *buf, size_t len, gf_dict_t **out)
{
    const unsigned char *b = buf;
    gf_dict_t *d;
    uint32_t count;
    size_t pos = 4;
    int ret = 0;

    if (!buf || !out || len < 4)
        return -EINVAL;
    count = get32(b);
    /* Refuse a count the buffer cannot hold before allocating anything. */
    if (count > INT32_MAX || count > (len - 4) / OLD_PAIR_MIN)
        return -EINVAL;
    d = gf_dict_new();
    if (!d)
        return -ENOMEM;
    for (uint32_t i = 0; i < count && !ret; i++)
        ret = old_pair(d, b, len, &pos);
    if (!ret && pos != len)
        ret = -EINVAL;
    if (ret) {
        gf_dict_unref(d);
        return ret;
    }
    *out = d;
    return 0;
}

/* ------------------------------------------------------------------ */
/* gfx_dict (XDR)                                                      */
/* ------------------------------------------------------------------ */

/* Size of the gfx_value arm of TYPE for VLEN value bytes, 0 if none. */
static size_t
gfx_value_size(unsigned type, size_t vlen)
{
    switch (type) {
    case GF_DICT_INT:
    case GF_DICT_UINT:
    case GF_DICT_DOUBLE:
        return 8;
    case GF_DICT_STR:
    case GF_DICT_STR_OLD:
    case GF_DICT_PTR:
        return 4 + pad4(vlen);
    case GF_DICT_GFUUID:
        return GF_DICT_UUID_SIZE;
    case GF_DICT_IATT:
        return GF_DICT_IATT_SIZE;
    case GF_DICT_MDATA:
        return GF_DICT_MDATA_SIZE;
    default:
        return 0;
    }
}

static size_t
gfx_pair_size(const gf__dict_pair_t *p)
{
    return 4 + pad4(p->keylen + 1) + 4 + gfx_value_size(p->type, p->vlen);
}

size_t
gf_dict_gfx_size(const gf_dict_t *d)
{
    size_t total = GFX_HEAD;

    if (d)
        for (const gf__dict_pair_t *p = d->head; p; p = p->next)
            total += gfx_pair_size(p);
    return total;
}

/* Opaque bytes padded with zeros to 4; returns the end. */
static unsigned char *
put_bytes(unsigned char *w, const void *src, size_t n)
{
    memcpy(w, src, n);
    memset(w + n, 0, pad4(n) - n);
    return w + pad4(n);
}

static unsigned char *
gfx_put_pair(unsigned char *w, const gf__dict_pair_t *p)
{
    put32(w, p->keylen + 1);
    w = put_bytes(w + 4, p->key, p->keylen + 1);
    put32(w, p->type);
    w += 4;
    switch (p->type) {
    case GF_DICT_INT:
    case GF_DICT_UINT:
    case GF_DICT_DOUBLE: /* XDR double: IEEE 754 bits, big-endian */
        put64(w, p->num.u);
        return w + 8;
    case GF_DICT_STR:
    case GF_DICT_STR_OLD:
    case GF_DICT_PTR:
        put32(w, p->vlen);
        return put_bytes(w + 4, gf__dict_pair_bytes(p), p->vlen);
    default: /* fixed-size: the stored bytes are the XDR form */
        memcpy(w, gf__dict_pair_bytes(p), p->vlen);
        return w + p->vlen;
    }
}

int
gf_dict_gfx_encode(const gf_dict_t *d, void *buf, size_t len, size_t *used)
{
    unsigned char *w = buf;
    size_t size = gf_dict_gfx_size(d);

    if (!buf)
        return -EINVAL;
    if (len < size)
        return -ENOBUFS;
    if (size - GFX_HEAD > UINT32_MAX)
        return -EMSGSIZE;
    put32(w, (uint32_t)(size - GFX_HEAD));
    put32(w + 4, d ? d->count : (uint32_t)-1);
    put32(w + 8, d ? d->count : 0);
    w += GFX_HEAD;
    if (d)
        for (const gf__dict_pair_t *p = d->head; p; p = p->next)
            w = gfx_put_pair(w, p);
    GF_ASSERT((size_t)(w - (unsigned char *)buf) == size);
    if (used)
        *used = size;
    return 0;
}

/* The value of TYPE at B[*POS] (before END) as a new pair for KEY. */
static int
gfx_value(const unsigned char *b, size_t end, size_t *pos, const char *key,
          size_t keylen, unsigned type, gf__dict_pair_t **out)
{
    size_t at = *pos, vlen, size;
    const unsigned char *val = b + at;
    uint64_t num = 0;

    switch (type) {
    case GF_DICT_INT:
    case GF_DICT_UINT:
    case GF_DICT_DOUBLE:
        if (end - at < 8)
            return -EINVAL;
        num = get64(val);
        vlen = 0;
        size = 8;
        break;
    case GF_DICT_STR:
    case GF_DICT_STR_OLD:
    case GF_DICT_PTR:
        if (end - at < 4)
            return -EINVAL;
        vlen = get32(val);
        if (vlen >= GF_DICT_KEY_VALUE_MAX)
            return -EMSGSIZE;
        val += 4;
        size = 4 + pad4(vlen);
        break;
    case GF_DICT_GFUUID:
    case GF_DICT_IATT:
    case GF_DICT_MDATA:
        vlen = size = gfx_value_size(type, 0);
        break;
    default: /* UNKNOWN has no arm in the union either */
        return -EINVAL;
    }
    if (end - at < size)
        return -EINVAL;
    *out = gf__dict_pair_new(key, keylen, type, val, vlen);
    if (!*out)
        return -ENOMEM;
    (*out)->num.u = num;
    *pos = at + size;
    return 0;
}

static int
gfx_pair(gf_dict_t *d, const unsigned char *b, size_t end, size_t *pos)
{
    gf__dict_pair_t *p;
    const char *key;
    size_t klen, at;
    unsigned type;
    int ret;

    if (end - *pos < 4)
        return -EINVAL;
    klen = get32(b + *pos); /* counts the NUL */
    at = *pos + 4;
    if (klen > GF_DICT_KEY_VALUE_MAX)
        return -EMSGSIZE;
    if (klen < 2 || end - at < pad4(klen))
        return -EINVAL;
    key = (const char *)b + at;
    ret = take_key(b, end, &at, klen - 1);
    if (ret)
        return ret;
    at = *pos + 4 + pad4(klen);
    if (end - at < 4)
        return -EINVAL;
    type = get32(b + at);
    at += 4;
    ret = gfx_value(b, end, &at, key, klen - 1, type, &p);
    if (ret)
        return ret;
    if (gf__dict_insert(d, p, false)) {
        gf__dict_pair_free(p);
        return -EINVAL; /* duplicate key */
    }
    *pos = at;
    return 0;
}

int
gf_dict_gfx_decode(const void *buf, size_t len, gf_dict_t **out, size_t *used)
{
    const unsigned char *b = buf;
    uint32_t xdr_size, npairs;
    int32_t count;
    size_t pos = GFX_HEAD, end;
    gf_dict_t *d;
    int ret = 0;

    if (!buf || !out || len < GFX_HEAD)
        return -EINVAL;
    xdr_size = get32(b);
    count = (int32_t)get32(b + 4);
    npairs = get32(b + 8);
    if (count == -1) {
        if (npairs || xdr_size)
            return -EINVAL;
        *out = NULL;
        if (used)
            *used = GFX_HEAD;
        return 0;
    }
    /* xdr_size bounds the pairs: it must fit the buffer, hold NPAIRS of
     * at least the smallest size, and be used up exactly by them. */
    if (count < 0 || (uint32_t)count != npairs || xdr_size > len - GFX_HEAD ||
        xdr_size % 4 || npairs > xdr_size / GFX_PAIR_MIN)
        return -EINVAL;
    end = GFX_HEAD + (size_t)xdr_size;
    d = gf_dict_new();
    if (!d)
        return -ENOMEM;
    for (uint32_t i = 0; i < npairs && !ret; i++)
        ret = gfx_pair(d, b, end, &pos);
    if (!ret && pos != end)
        ret = -EINVAL;
    if (ret) {
        gf_dict_unref(d);
        return ret;
    }
    *out = d;
    if (used)
        *used = end;
    return 0;
}
