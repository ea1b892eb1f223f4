/* SPDX-License-Identifier: LGPL-3.0-or-later */
/*
 * dict.c - the dictionary: a refcounted bag of typed key/value pairs.
 *
 * Each pair is one pooled object holding the key, the value and the links;
 * a key and a value that fit its inline tail cost one gf_mem_get and no
 * malloc, which covers nearly every xdata and handshake pair. Pairs sit on
 * a doubly linked list in insertion order. Up to INDEX_MIN pairs a lookup
 * scans that list (cheaper than any table for the usual 0-5 xdata keys);
 * past it a chained index under a keyed hash is built and grown, so big
 * dicts, e.g. a hostile decoded one, stay linear overall.
 * The wire forms live in dict-wire.c.
 */
#include <errno.h>
#include <limits.h>
#include <pthread.h>
#include <stdlib.h>
#include <string.h>
#include <sys/random.h>
#include <time.h>
#include <unistd.h>

#include <gf/gfid.h>
#include <gf/mem-acct.h>
#include <gf/mem-pool.h>

#include "dict-int.h"

enum {
    PAIR_OBJ_SIZE = 192, /* object plus inline tail: one small pool class */
    INDEX_MIN = 16,      /* pairs before the hash index is built */
    INDEX_FIRST = 64,    /* first index size (buckets) */
};

static pthread_once_t pools_once = PTHREAD_ONCE_INIT;
static gf_mem_pool_t *dict_pool;
static gf_mem_pool_t *pair_pool;
static size_t pair_inline; /* usable bytes of a pooled pair's tail */
static uint64_t hash_key[2];

static void
pools_init(void)
{
    if (getrandom(hash_key, sizeof(hash_key), GRND_NONBLOCK) !=
        (ssize_t)sizeof(hash_key)) {
        /* No entropy yet (early boot): weaker, but still per process. */
        hash_key[0] = (uint64_t)time(NULL) ^ (uint64_t)(uintptr_t)&hash_key;
        hash_key[1] = (uint64_t)getpid() * 0x9e3779b97f4a7c15ull;
    }
    dict_pool = gf_mem_pool_new("dict", sizeof(struct gf_dict), 4096);
    pair_pool = gf_mem_pool_new("dict-pair", PAIR_OBJ_SIZE, 16384);
    if (pair_pool)
        pair_inline =
            gf_mem_pool_obj_size(pair_pool) - offsetof(gf__dict_pair_t, inl);
}

/* The pools are process-wide and made on first use, so a dict can be used
 * before (or without) a context. */
static bool
pools_ready(void)
{
    pthread_once(&pools_once, pools_init);
    return dict_pool && pair_pool;
}

static inline uint64_t
rotl(uint64_t x, int b)
{
    return x << b | x >> (64 - b);
}

static inline void
sip_round(uint64_t v[4])
{
    v[0] += v[1];
    v[1] = rotl(v[1], 13) ^ v[0];
    v[0] = rotl(v[0], 32);
    v[2] += v[3];
    v[3] = rotl(v[3], 16) ^ v[2];
    v[0] += v[3];
    v[3] = rotl(v[3], 21) ^ v[0];
    v[2] += v[1];
    v[1] = rotl(v[1], 17) ^ v[2];
    v[2] = rotl(v[2], 32);
}

static inline uint64_t
load_le(const unsigned char *p, size_t n)
{
    uint64_t m = 0;

    for (size_t i = 0; i < n; i++)
        m |= (uint64_t)p[i] << (8 * i);
    return m;
}

/*
 * SipHash-1-3 under a per-process random key. Decoded dicts come from
 * peers, and with a fixed hash (FNV, say) a peer could send thousands of
 * colliding keys and make decoding quadratic; a keyed hash makes that
 * guesswork. It is also faster than byte-at-a-time FNV past ~16 bytes.
 */
uint32_t
gf__dict_hash(const char *key, size_t keylen)
{
    const unsigned char *k = (const unsigned char *)key;
    uint64_t v[4] = {
        hash_key[0] ^ 0x736f6d6570736575ull,
        hash_key[1] ^ 0x646f72616e646f6dull,
        hash_key[0] ^ 0x6c7967656e657261ull,
        hash_key[1] ^ 0x7465646279746573ull,
    };
    uint64_t m;
    size_t i;

    for (i = 0; i + 8 <= keylen; i += 8) {
        m = load_le(k + i, 8);
        v[3] ^= m;
        sip_round(v);
        v[0] ^= m;
    }
    m = load_le(k + i, keylen - i) | (uint64_t)keylen << 56;
    v[3] ^= m;
    sip_round(v);
    v[0] ^= m;
    v[2] ^= 0xff;
    sip_round(v);
    sip_round(v);
    sip_round(v);
    m = v[0] ^ v[1] ^ v[2] ^ v[3];
    return (uint32_t)(m ^ m >> 32);
}

gf__dict_pair_t *
gf__dict_pair_new(const char *key, size_t keylen, unsigned type,
                  const void *bytes, size_t vlen)
{
    gf__dict_pair_t *p;
    size_t need;

    if (!gf__dict_type_is_bytes(type))
        vlen = 0;
    need = keylen + 1 + (gf__dict_type_is_bytes(type) ? vlen + 1 : 0);
    if (!pools_ready()) {
        errno = ENOMEM;
        return NULL;
    }
    p = gf_mem_get(pair_pool);
    if (!p)
        return NULL;
    p->heap = need > pair_inline;
    p->key = p->heap ? gf_malloc(NULL, GF_MT_DATA, need) : p->inl;
    if (!p->key) {
        gf_mem_put(p);
        errno = ENOMEM;
        return NULL;
    }
    memcpy(p->key, key, keylen);
    p->key[keylen] = '\0';
    if (gf__dict_type_is_bytes(type)) {
        if (vlen)
            memcpy(p->key + keylen + 1, bytes, vlen);
        p->key[keylen + 1 + vlen] = '\0'; /* the hidden NUL */
    }
    p->next = p->prev = p->hnext = NULL;
    p->hash = 0; /* computed when an indexed dict links it */
    p->keylen = (uint32_t)keylen;
    p->vlen = (uint32_t)vlen;
    p->type = (uint8_t)type;
    p->num.u = 0;
    return p;
}

void
gf__dict_pair_free(gf__dict_pair_t *p)
{
    if (p->heap)
        gf_free(p->key);
    gf_mem_put(p);
}

static inline bool
pair_is(const gf__dict_pair_t *p, const char *key, size_t keylen)
{
    return p->keylen == keylen && p->key[0] == key[0] &&
           memcmp(p->key, key, keylen) == 0;
}

static gf__dict_pair_t *
find_hashed(const gf_dict_t *d, const char *key, size_t keylen, uint32_t hash)
{
    gf__dict_pair_t *p = d->buckets[hash & (d->nbuckets - 1)];

    for (; p; p = p->hnext)
        if (p->hash == hash && pair_is(p, key, keylen))
            return p;
    return NULL;
}

/* Small dicts are scanned without hashing the key at all: for a handful
 * of pairs comparing lengths and first bytes is cheaper than any hash. */
static gf__dict_pair_t *
find(const gf_dict_t *d, const char *key, size_t keylen)
{
    if (d->buckets)
        return find_hashed(d, key, keylen, gf__dict_hash(key, keylen));
    for (gf__dict_pair_t *p = d->head; p; p = p->next)
        if (pair_is(p, key, keylen))
            return p;
    return NULL;
}

/* Rebuild the index with N buckets. The index only speeds lookups up, so
 * when memory is short the dict keeps the old one (or none). */
static void
reindex(gf_dict_t *d, uint32_t n)
{
    gf__dict_pair_t **b = gf_calloc(NULL, GF_MT_DICT, n, sizeof(*b));

    if (!b)
        return;
    for (gf__dict_pair_t *p = d->head; p; p = p->next) {
        if (!d->buckets) /* hashes are kept only while indexed */
            p->hash = gf__dict_hash(p->key, p->keylen);
        p->hnext = b[p->hash & (n - 1)];
        b[p->hash & (n - 1)] = p;
    }
    gf_free(d->buckets);
    d->buckets = b;
    d->nbuckets = n;
}

/* The link that points at P in its hash chain. */
static gf__dict_pair_t **
chain_link(gf_dict_t *d, gf__dict_pair_t *p)
{
    gf__dict_pair_t **pp = &d->buckets[p->hash & (d->nbuckets - 1)];

    while (*pp != p)
        pp = &(*pp)->hnext;
    return pp;
}

static void
swap_pair(gf_dict_t *d, gf__dict_pair_t *old, gf__dict_pair_t *p)
{
    p->prev = old->prev;
    p->next = old->next;
    *(p->prev ? &p->prev->next : &d->head) = p;
    *(p->next ? &p->next->prev : &d->tail) = p;
    if (d->buckets) {
        gf__dict_pair_t **pp = chain_link(d, old);

        p->hnext = old->hnext;
        *pp = p;
    }
    gf__dict_pair_free(old);
}

int
gf__dict_insert(gf_dict_t *d, gf__dict_pair_t *p, bool replace)
{
    gf__dict_pair_t *old;

    if (d->buckets) {
        p->hash = gf__dict_hash(p->key, p->keylen);
        old = find_hashed(d, p->key, p->keylen, p->hash);
    } else {
        old = find(d, p->key, p->keylen);
    }
    if (old) {
        if (!replace)
            return -EEXIST;
        swap_pair(d, old, p);
        return 0;
    }
    p->next = NULL;
    p->prev = d->tail;
    *(d->tail ? &d->tail->next : &d->head) = p;
    d->tail = p;
    d->count++;
    if (d->buckets) {
        gf__dict_pair_t **b = &d->buckets[p->hash & (d->nbuckets - 1)];

        p->hnext = *b;
        *b = p;
        if (d->count > d->nbuckets && d->nbuckets <= UINT32_MAX / 2)
            reindex(d, d->nbuckets * 2);
    } else if (d->count > INDEX_MIN) {
        reindex(d, INDEX_FIRST);
    }
    return 0;
}

static void
unlink_pair(gf_dict_t *d, gf__dict_pair_t *p)
{
    if (d->buckets)
        *chain_link(d, p) = p->hnext;
    *(p->prev ? &p->prev->next : &d->head) = p->next;
    *(p->next ? &p->next->prev : &d->tail) = p->prev;
    d->count--;
}

gf_dict_t *
gf_dict_new(void)
{
    gf_dict_t *d;

    if (!pools_ready()) {
        errno = ENOMEM;
        return NULL;
    }
    d = gf_mem_get(dict_pool);
    if (!d)
        return NULL;
    atomic_init(&d->ref, 1);
    d->count = 0;
    d->head = d->tail = NULL;
    d->buckets = NULL;
    d->nbuckets = 0;
    return d;
}

gf_dict_t *
gf_dict_ref(gf_dict_t *d)
{
    if (d) {
        unsigned old =
            atomic_fetch_add_explicit(&d->ref, 1, memory_order_relaxed);
        GF_ASSERT(old > 0);
    }
    return d;
}

void
gf_dict_unref(gf_dict_t *d)
{
    gf__dict_pair_t *p, *next;
    unsigned old;

    if (!d)
        return;
    /* Release pairs our writes, acquire theirs before the last one frees. */
    old = atomic_fetch_sub_explicit(&d->ref, 1, memory_order_acq_rel);
    GF_ASSERT(old > 0);
    if (old != 1)
        return;
    for (p = d->head; p; p = next) {
        next = p->next;
        gf__dict_pair_free(p);
    }
    gf_free(d->buckets);
    gf_mem_put(d);
}

/* Validate KEY; its length (no NUL) goes to *KEYLEN. */
static int
check_key(const char *key, size_t *keylen)
{
    if (!key || !*key)
        return -EINVAL;
    *keylen = strnlen(key, GF_DICT_KEY_VALUE_MAX);
    return *keylen < GF_DICT_KEY_VALUE_MAX ? 0 : -EMSGSIZE;
}

static int
set_pair(gf_dict_t *d, const char *key, unsigned type, const void *bytes,
         size_t vlen, uint64_t num)
{
    gf__dict_pair_t *p;
    size_t keylen;
    int ret;

    if (!d)
        return -EINVAL;
    ret = check_key(key, &keylen);
    if (ret)
        return ret;
    if (vlen >= GF_DICT_KEY_VALUE_MAX)
        return -EMSGSIZE;
    p = gf__dict_pair_new(key, keylen, type, bytes, vlen);
    if (!p)
        return -ENOMEM;
    p->num.u = num;
    ret = gf__dict_insert(d, p, true);
    GF_ASSERT(ret == 0);
    return 0;
}

int
gf_dict_set_str(gf_dict_t *d, const char *key, const char *s)
{
    size_t len;

    if (!s)
        return -EINVAL;
    /* strnlen: a huge string is refused without reading all of it. */
    len = strnlen(s, GF_DICT_KEY_VALUE_MAX);
    if (len >= GF_DICT_KEY_VALUE_MAX - 1)
        return -EMSGSIZE;
    return set_pair(d, key, GF_DICT_STR, s, len + 1, 0);
}

int
gf_dict_set_int64(gf_dict_t *d, const char *key, int64_t v)
{
    return set_pair(d, key, GF_DICT_INT, NULL, 0, (uint64_t)v);
}

int
gf_dict_set_uint64(gf_dict_t *d, const char *key, uint64_t v)
{
    return set_pair(d, key, GF_DICT_UINT, NULL, 0, v);
}

int
gf_dict_set_double(gf_dict_t *d, const char *key, double v)
{
    uint64_t bits;

    memcpy(&bits, &v, sizeof(bits));
    return set_pair(d, key, GF_DICT_DOUBLE, NULL, 0, bits);
}

int
gf_dict_set_uuid(gf_dict_t *d, const char *key, const unsigned char uuid[16])
{
    if (!uuid)
        return -EINVAL;
    return set_pair(d, key, GF_DICT_GFUUID, uuid, GF_DICT_UUID_SIZE, 0);
}

int
gf_dict_set_bin(gf_dict_t *d, const char *key, const void *buf, size_t len)
{
    return gf_dict_set_typed(d, key, GF_DICT_PTR, buf, len);
}

int
gf_dict_set_typed(gf_dict_t *d, const char *key, gf_dict_type_t type,
                  const void *buf, size_t len)
{
    if (!gf__dict_type_is_bytes(type) || (!buf && len))
        return -EINVAL;
    if ((type == GF_DICT_GFUUID && len != GF_DICT_UUID_SIZE) ||
        (type == GF_DICT_IATT && len != GF_DICT_IATT_SIZE) ||
        (type == GF_DICT_MDATA && len != GF_DICT_MDATA_SIZE))
        return -EINVAL;
    return set_pair(d, key, type, buf, len, 0);
}

static int
lookup(const gf_dict_t *d, const char *key, gf__dict_pair_t **out)
{
    size_t keylen;

    if (!d || !key)
        return -EINVAL;
    keylen = strnlen(key, GF_DICT_KEY_VALUE_MAX);
    *out = find(d, key, keylen);
    return *out ? 0 : -ENOENT;
}

int
gf_dict_get_val(const gf_dict_t *d, const char *key, gf_dict_val_t *out)
{
    gf__dict_pair_t *p;
    int ret = lookup(d, key, &p);

    if (ret || !out)
        return ret;
    out->type = (gf_dict_type_t)p->type;
    out->num.u = p->num.u;
    if (gf__dict_type_is_bytes(p->type)) {
        out->data = gf__dict_pair_bytes(p);
        out->len = p->vlen;
    } else {
        out->data = NULL;
        out->len = 0;
    }
    return 0;
}

int
gf_dict_get_str(const gf_dict_t *d, const char *key, const char **out)
{
    gf__dict_pair_t *p;
    int ret;

    if (!out)
        return -EINVAL;
    ret = lookup(d, key, &p);
    if (ret)
        return ret;
    if (p->type != GF_DICT_STR && p->type != GF_DICT_STR_OLD)
        return -EINVAL;
    *out = gf__dict_pair_bytes(p);
    return 0;
}

int
gf_dict_get_bin(const gf_dict_t *d, const char *key, const void **out,
                size_t *len)
{
    gf__dict_pair_t *p;
    int ret;

    if (!out || !len)
        return -EINVAL;
    ret = lookup(d, key, &p);
    if (ret)
        return ret;
    if (!gf__dict_type_is_bytes(p->type))
        return -EINVAL;
    *out = gf__dict_pair_bytes(p);
    *len = p->vlen;
    return 0;
}

/* Parse an old-form number the way GlusterFS does: strto*(s, 0) over the
 * whole C string. UNSIGNED refuses a sign strtoull would wrap. */
static int
parse_int(const gf__dict_pair_t *p, bool is_unsigned, int64_t *i, uint64_t *u)
{
    const char *s = gf__dict_pair_bytes(p);
    const char *t = s;
    char *end;

    while (*t == ' ' || (*t >= '\t' && *t <= '\r'))
        t++;
    if (!*t || (is_unsigned && *t == '-'))
        return -EINVAL;
    errno = 0;
    if (is_unsigned)
        *u = strtoull(s, &end, 0);
    else
        *i = strtoll(s, &end, 0);
    if (end == s || *end != '\0')
        return -EINVAL;
    return errno == ERANGE ? -ERANGE : 0;
}

static int
get_i64(const gf_dict_t *d, const char *key, int64_t *out)
{
    gf__dict_pair_t *p;
    uint64_t u = 0;
    int ret = lookup(d, key, &p);

    if (ret)
        return ret;
    switch (p->type) {
    case GF_DICT_INT:
        *out = p->num.i;
        return 0;
    case GF_DICT_UINT:
        if (p->num.u > INT64_MAX)
            return -ERANGE;
        *out = (int64_t)p->num.u;
        return 0;
    case GF_DICT_STR_OLD:
        return parse_int(p, false, out, &u);
    default:
        return -EINVAL;
    }
}

static int
get_u64(const gf_dict_t *d, const char *key, uint64_t *out)
{
    gf__dict_pair_t *p;
    int64_t i = 0;
    int ret = lookup(d, key, &p);

    if (ret)
        return ret;
    switch (p->type) {
    case GF_DICT_UINT:
        *out = p->num.u;
        return 0;
    case GF_DICT_INT:
        if (p->num.i < 0)
            return -ERANGE;
        *out = (uint64_t)p->num.i;
        return 0;
    case GF_DICT_STR_OLD:
        return parse_int(p, true, &i, out);
    default:
        return -EINVAL;
    }
}

int
gf_dict_get_int64(const gf_dict_t *d, const char *key, int64_t *out)
{
    int64_t v;
    int ret;

    if (!out)
        return -EINVAL;
    ret = get_i64(d, key, &v);
    if (!ret)
        *out = v;
    return ret;
}

int
gf_dict_get_uint64(const gf_dict_t *d, const char *key, uint64_t *out)
{
    uint64_t v;
    int ret;

    if (!out)
        return -EINVAL;
    ret = get_u64(d, key, &v);
    if (!ret)
        *out = v;
    return ret;
}

int
gf_dict_get_int32(const gf_dict_t *d, const char *key, int32_t *out)
{
    int64_t v;
    int ret;

    if (!out)
        return -EINVAL;
    ret = get_i64(d, key, &v);
    if (ret)
        return ret;
    if (v < INT32_MIN || v > INT32_MAX)
        return -ERANGE;
    *out = (int32_t)v;
    return 0;
}

int
gf_dict_get_uint32(const gf_dict_t *d, const char *key, uint32_t *out)
{
    uint64_t v;
    int ret;

    if (!out)
        return -EINVAL;
    ret = get_u64(d, key, &v);
    if (ret)
        return ret;
    if (v > UINT32_MAX)
        return -ERANGE;
    *out = (uint32_t)v;
    return 0;
}

int
gf_dict_get_double(const gf_dict_t *d, const char *key, double *out)
{
    gf__dict_pair_t *p;
    const char *s;
    char *end;
    double v;
    int ret;

    if (!out)
        return -EINVAL;
    ret = lookup(d, key, &p);
    if (ret)
        return ret;
    if (p->type == GF_DICT_DOUBLE) {
        *out = p->num.d;
        return 0;
    }
    if (p->type != GF_DICT_STR_OLD)
        return -EINVAL;
    s = gf__dict_pair_bytes(p);
    errno = 0;
    v = strtod(s, &end);
    if (end == s || *end != '\0')
        return -EINVAL;
    if (errno == ERANGE)
        return -ERANGE;
    *out = v;
    return 0;
}

/* A uuid in text form ("xxxxxxxx-xxxx-...") into 16 bytes: the gfid
 * parser's strict form. */
static int
parse_uuid(const char *s, unsigned char out[16])
{
    gf_gfid_t g;
    int ret = gf_gfid_parse(s, &g);

    if (ret == 0)
        memcpy(out, g.b, sizeof(g.b));
    return ret;
}

int
gf_dict_get_uuid(const gf_dict_t *d, const char *key, unsigned char out[16])
{
    gf__dict_pair_t *p;
    int ret;

    if (!out)
        return -EINVAL;
    ret = lookup(d, key, &p);
    if (ret)
        return ret;
    if (p->type != GF_DICT_GFUUID && p->type != GF_DICT_STR_OLD)
        return -EINVAL;
    if (p->vlen == GF_DICT_UUID_SIZE) {
        memcpy(out, gf__dict_pair_bytes(p), GF_DICT_UUID_SIZE);
        return 0;
    }
    return parse_uuid(gf__dict_pair_bytes(p), out);
}

int
gf_dict_del(gf_dict_t *d, const char *key)
{
    gf__dict_pair_t *p;
    int ret = lookup(d, key, &p);

    if (ret)
        return ret;
    unlink_pair(d, p);
    gf__dict_pair_free(p);
    return 0;
}

unsigned
gf_dict_count(const gf_dict_t *d)
{
    return d ? d->count : 0;
}

int
gf_dict_foreach(const gf_dict_t *d, gf_dict_cb_t cb, void *arg)
{
    gf_dict_val_t v;
    int ret;

    if (!d || !cb)
        return -EINVAL;
    for (const gf__dict_pair_t *p = d->head; p; p = p->next) {
        v.type = (gf_dict_type_t)p->type;
        v.num.u = p->num.u;
        v.data =
            gf__dict_type_is_bytes(p->type) ? gf__dict_pair_bytes(p) : NULL;
        v.len = p->vlen;
        ret = cb(p->key, &v, arg);
        if (ret)
            return ret;
    }
    return 0;
}

gf_dict_t *
gf_dict_copy(const gf_dict_t *d)
{
    gf_dict_t *c;
    gf__dict_pair_t *q;
    int ret;

    if (!d) {
        errno = EINVAL;
        return NULL;
    }
    c = gf_dict_new();
    if (!c)
        return NULL;
    for (const gf__dict_pair_t *p = d->head; p; p = p->next) {
        q = gf__dict_pair_new(p->key, p->keylen, p->type,
                              gf__dict_pair_bytes(p), p->vlen);
        if (!q) {
            gf_dict_unref(c);
            errno = ENOMEM;
            return NULL;
        }
        q->num.u = p->num.u;
        /* Keys of D are unique, so this cannot meet a duplicate. */
        ret = gf__dict_insert(c, q, false);
        GF_ASSERT(ret == 0);
    }
    return c;
}
