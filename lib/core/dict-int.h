/* SPDX-License-Identifier: LGPL-3.0-or-later */
/*
 * dict-int.h - the layout of dicts and pairs, shared by dict.c (the bag)
 * and dict-wire.c (its two serializations). Never installed.
 */
#ifndef GF_DICT_INT_H
#define GF_DICT_INT_H

#include <stdatomic.h>
#include <stdbool.h>
#include <stdint.h>

#include <gf/dict.h>

/*
 * One key and its value in one pooled object. KEY points at "key\0" and,
 * for byte types, the value bytes and a hidden NUL right after it; that
 * storage is the inline tail INL when it fits, else one separate
 * allocation (HEAP). Numbers live in NUM and have no value bytes.
 */
typedef struct gf__dict_pair {
    struct gf__dict_pair *next; /* insertion order */
    struct gf__dict_pair *prev;
    struct gf__dict_pair *hnext; /* hash chain, while the dict is indexed */
    uint32_t hash;
    uint32_t keylen; /* without the NUL */
    uint32_t vlen;   /* value bytes, without the hidden NUL */
    uint8_t type;    /* gf_dict_type_t */
    bool heap;
    char *key;
    union {
        int64_t i;
        uint64_t u;
        double d;
    } num;
    char inl[];
} gf__dict_pair_t;

struct gf_dict {
    atomic_uint ref;
    uint32_t count;
    gf__dict_pair_t *head;
    gf__dict_pair_t *tail;
    gf__dict_pair_t **buckets; /* NULL while small: lookups scan the list */
    uint32_t nbuckets;         /* power of two, or 0 */
};

/* The value bytes of a byte-typed pair (NUL-terminated, vlen long). */
static inline const char *
gf__dict_pair_bytes(const gf__dict_pair_t *p)
{
    return p->key + p->keylen + 1;
}

/* True for the types whose value is a byte string. */
static inline bool
gf__dict_type_is_bytes(unsigned type)
{
    return type == GF_DICT_STR_OLD || type == GF_DICT_STR ||
           type == GF_DICT_PTR || type == GF_DICT_GFUUID ||
           type == GF_DICT_IATT || type == GF_DICT_MDATA;
}

/*
 * A detached pair for KEY (KEYLEN bytes, no NUL needed) of TYPE, copying
 * VLEN bytes of BYTES for byte types; the caller fills NUM for numbers.
 * Lengths must already be checked. NULL with errno ENOMEM.
 */
gf__dict_pair_t *gf__dict_pair_new(const char *key, size_t keylen,
                                   unsigned type, const void *bytes,
                                   size_t vlen);
void gf__dict_pair_free(gf__dict_pair_t *p);

/*
 * Link P into D. If the key is present, REPLACE puts P in its place and
 * frees the old pair; otherwise -EEXIST and P stays the caller's. -ENOMEM
 * if the index could not grow (P stays the caller's, D unchanged).
 */
int gf__dict_insert(gf_dict_t *d, gf__dict_pair_t *p, bool replace);

/* The hash every lookup uses. */
uint32_t gf__dict_hash(const char *key, size_t keylen);

#endif /* GF_DICT_INT_H */
