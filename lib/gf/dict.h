/* SPDX-License-Identifier: LGPL-3.0-or-later */
/*
 * gf/dict.h - refcounted typed key/value dictionaries (DESIGN 4.7).
 *
 * A dict maps NUL-terminated keys to typed values. It travels with every
 * fop as "xdata" and carries the handshake parameters, so it has two wire
 * forms: the old byte form of GlusterFS dict_serialize (used inside the
 * SETVOLUME opaque) and the typed gfx_dict XDR form of protocol 4.x.
 *
 * Dicts and their pairs come from mem pools; a short key with a short value
 * lives in one pooled object. Pairs keep insertion order (encoders and
 * gf_dict_foreach walk it; replacing a key keeps its place). Lookups are a
 * linear scan up to 16 pairs, then through a hash index.
 *
 * Threads: gf_dict_ref/gf_dict_unref are atomic, and any number of threads
 * may read (get, foreach, copy, encode) a dict nobody modifies. Mutation
 * (set, del) needs external synchronisation against every other access.
 *
 * Borrowed pointers returned by getters stay valid until that key is
 * replaced or deleted or the dict is freed.
 */
#ifndef GF_DICT_H
#define GF_DICT_H

#include <stdint.h>
#include <sys/types.h>

#include <gf/common.h>

#ifdef __cplusplus
extern "C" {
#endif

typedef struct gf_dict gf_dict_t;

/* Value types; the numbers are GlusterFS's, used as is on the wire. */
typedef enum gf_dict_type {
    GF_DICT_UNKNOWN = 0, /* never stored; not encodable in gfx form */
    GF_DICT_STR_OLD = 1, /* bytes from the old form, type not known */
    GF_DICT_INT = 2,     /* int64_t */
    GF_DICT_UINT = 3,    /* uint64_t */
    GF_DICT_DOUBLE = 4,  /* double */
    GF_DICT_STR = 5,     /* string; its length counts the NUL */
    GF_DICT_PTR = 6,     /* opaque bytes */
    GF_DICT_GFUUID = 7,  /* 16 bytes */
    GF_DICT_IATT = 8,    /* the 148-byte XDR encoding of a gfx_iattx */
    GF_DICT_MDATA = 9,   /* the 36-byte XDR encoding of a gfx_mdata_iatt */
} gf_dict_type_t;

enum {
    /* Keys (without NUL) and values must be shorter than this. */
    GF_DICT_KEY_VALUE_MAX = 1048576,
    GF_DICT_UUID_SIZE = 16,
    GF_DICT_IATT_SIZE = 148,
    GF_DICT_MDATA_SIZE = 36,
};

/*
 * A borrowed view of one value. For the byte types (STR_OLD, STR, PTR,
 * GFUUID, IATT, MDATA) DATA/LEN are the bytes; DATA is always followed by
 * a NUL that LEN does not count, so string-like values are C strings. For
 * INT, UINT and DOUBLE the number is in NUM and DATA is NULL, LEN 0.
 */
typedef struct gf_dict_val {
    gf_dict_type_t type;
    size_t len;
    const void *data;
    union {
        int64_t i;
        uint64_t u;
        double d;
    } num;
} gf_dict_val_t;

/* Called by gf_dict_foreach for each pair; a non-zero return stops it. */
typedef int (*gf_dict_cb_t)(const char *key, const gf_dict_val_t *val,
                            void *arg);

/*
 * A new empty dict with one reference. Thread-safe.
 * Returns NULL with errno ENOMEM when out of memory.
 */
GF_EXPORT gf_dict_t *gf_dict_new(void);

/* Take one more reference; returns D. NULL is ignored (returns NULL). */
GF_EXPORT gf_dict_t *gf_dict_ref(gf_dict_t *d);

/* Drop a reference; the last one frees the dict and every value.
 * NULL is ignored. */
GF_EXPORT void gf_dict_unref(gf_dict_t *d);

/*
 * Setters copy KEY and the value; an existing KEY gets the new value in
 * place. They return 0, -EINVAL for a NULL argument, an empty key or a
 * wrong length for a fixed-size type, -EMSGSIZE for a key or value of
 * GF_DICT_KEY_VALUE_MAX bytes or more, -ENOMEM. On error D is unchanged.
 */
GF_EXPORT int gf_dict_set_str(gf_dict_t *d, const char *key, const char *s);
GF_EXPORT int gf_dict_set_int64(gf_dict_t *d, const char *key, int64_t v);
GF_EXPORT int gf_dict_set_uint64(gf_dict_t *d, const char *key, uint64_t v);
GF_EXPORT int gf_dict_set_double(gf_dict_t *d, const char *key, double v);
GF_EXPORT int gf_dict_set_uuid(gf_dict_t *d, const char *key,
                               const unsigned char uuid[16]);
/* A PTR value: LEN opaque bytes (LEN may be 0). */
GF_EXPORT int gf_dict_set_bin(gf_dict_t *d, const char *key, const void *buf,
                              size_t len);
/*
 * Any byte type (STR_OLD, STR, PTR, GFUUID, IATT, MDATA) from LEN raw
 * bytes; GFUUID, IATT and MDATA need their exact size. A STR given this
 * way is stored as is (its LEN should count a NUL, as the wire does).
 */
GF_EXPORT int gf_dict_set_typed(gf_dict_t *d, const char *key,
                                gf_dict_type_t type, const void *buf,
                                size_t len);

/*
 * Getters return 0, -EINVAL for a NULL argument or a value of another
 * type, -ENOENT if KEY is absent. STR_OLD values (from the old wire form)
 * are accepted by every getter and parsed: integers with strtoll/strtoull
 * base 0 (the whole string; no sign for unsigned), doubles with strtod,
 * uuids as 16 raw bytes or 36 hex-and-dash characters; unparseable text is
 * -EINVAL. The integer getters also accept the other integer type when the
 * number fits; a number out of the target's range is -ERANGE.
 * Nothing is written to OUT on error.
 */
/* STR or STR_OLD; *OUT is borrowed and NUL-terminated. */
GF_EXPORT int gf_dict_get_str(const gf_dict_t *d, const char *key,
                              const char **out);
GF_EXPORT int gf_dict_get_int64(const gf_dict_t *d, const char *key,
                                int64_t *out);
GF_EXPORT int gf_dict_get_uint64(const gf_dict_t *d, const char *key,
                                 uint64_t *out);
GF_EXPORT int gf_dict_get_int32(const gf_dict_t *d, const char *key,
                                int32_t *out);
GF_EXPORT int gf_dict_get_uint32(const gf_dict_t *d, const char *key,
                                 uint32_t *out);
GF_EXPORT int gf_dict_get_double(const gf_dict_t *d, const char *key,
                                 double *out);
GF_EXPORT int gf_dict_get_uuid(const gf_dict_t *d, const char *key,
                               unsigned char out[16]);
/* The bytes of any byte type (see gf_dict_val_t); borrowed. */
GF_EXPORT int gf_dict_get_bin(const gf_dict_t *d, const char *key,
                              const void **out, size_t *len);
/* The typed view of KEY's value; OUT may be NULL to test presence. */
GF_EXPORT int gf_dict_get_val(const gf_dict_t *d, const char *key,
                              gf_dict_val_t *out);

/* Remove KEY: 0, -ENOENT if absent, -EINVAL for NULL arguments. */
GF_EXPORT int gf_dict_del(gf_dict_t *d, const char *key);

/* Number of pairs; 0 for NULL. */
GF_EXPORT unsigned gf_dict_count(const gf_dict_t *d);

/*
 * Call CB for each pair in insertion order until it returns non-zero;
 * returns that value, or 0 after the last pair (-EINVAL for NULL D or CB).
 * CB must not modify D.
 */
GF_EXPORT int gf_dict_foreach(const gf_dict_t *d, gf_dict_cb_t cb, void *arg);

/*
 * A new dict (one reference) with copies of D's pairs, in the same order.
 * Returns NULL with errno EINVAL for NULL D, ENOMEM.
 */
GF_EXPORT gf_dict_t *gf_dict_copy(const gf_dict_t *d);

/*
 * Old byte form (GlusterFS dict_serialize; SETVOLUME and mgmt opaques):
 * be32 count, then per pair be32 keylen (no NUL), be32 vallen, the key and
 * a NUL, then the value bytes. Integers go out as decimal ASCII with a
 * NUL, doubles as %.17g text (upstream's %f loses digits), strings with
 * their NUL, everything else as its bytes. Type information is lost: the
 * receiver sees STR_OLD values, which the typed getters parse.
 */
/* Encoded size, or -EINVAL for NULL D. */
GF_EXPORT ssize_t gf_dict_old_size(const gf_dict_t *d);
/* Encode into BUF; 0, -EINVAL, -ENOBUFS if LEN < gf_dict_old_size(D). */
GF_EXPORT int gf_dict_old_encode(const gf_dict_t *d, void *buf, size_t len);
/*
 * Decode exactly LEN bytes into a new dict of STR_OLD values. Returns 0
 * with *OUT set, or -EINVAL (malformed, truncated, trailing bytes,
 * duplicate or empty key), -EMSGSIZE (a key or value of
 * GF_DICT_KEY_VALUE_MAX or more), -ENOMEM; *OUT is untouched on error.
 */
GF_EXPORT int gf_dict_old_decode(const void *buf, size_t len, gf_dict_t **out);

/*
 * Typed 4.x form: the byte-exact XDR of gfx_dict {uint xdr_size; int
 * count; gfx_dict_pair pairs<>}. A NULL dict is count -1 with no pairs.
 */
/* Encoded size (12 for a NULL or empty dict). */
GF_EXPORT size_t gf_dict_gfx_size(const gf_dict_t *d);
/*
 * Encode D (NULL allowed) at BUF; *USED (if not NULL) gets the byte count.
 * 0, or -ENOBUFS if LEN < gf_dict_gfx_size(D), -EINVAL for NULL BUF.
 */
GF_EXPORT int gf_dict_gfx_encode(const gf_dict_t *d, void *buf, size_t len,
                                 size_t *used);
/*
 * Decode one gfx_dict at the start of BUF (bytes after it are not looked
 * at). Returns 0 with *OUT a new dict, or NULL for count -1, and *USED (if
 * not NULL) the bytes consumed. Errors as gf_dict_old_decode, plus -EINVAL
 * for an unknown value type, a count other than -1 that disagrees with the
 * pairs, or an xdr_size that disagrees with them. *OUT and *USED are
 * untouched on error.
 */
GF_EXPORT int gf_dict_gfx_decode(const void *buf, size_t len, gf_dict_t **out,
                                 size_t *used);

#ifdef __cplusplus
}
#endif

#endif /* GF_DICT_H */
