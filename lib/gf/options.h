/* SPDX-License-Identifier: LGPL-3.0-or-later */
/*
 * gf/options.h - declarative option tables and their validated values.
 *
 * A translator declares its options once, as a table of gf_option_t. The
 * core checks every `option KEY VALUE` of the volfile against that table
 * before the translator's init runs: unknown keys and bad values are
 * refused with the volfile position. The translator then reads typed
 * values (defaults applied) and never parses strings itself.
 */
#ifndef GF_OPTIONS_H
#define GF_OPTIONS_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include <gf/common.h>

#ifdef __cplusplus
extern "C" {
#endif

typedef enum gf_option_type {
    GF_OPTION_STR,       /* any string, or one of `values` */
    GF_OPTION_INT,       /* signed decimal/hex/octal integer */
    GF_OPTION_SIZE,      /* bytes: "4096", "128KB", "1MiB", "2g", "1.5T";
                            units B K M G T P (1024-based) */
    GF_OPTION_PERCENT,   /* "50%" or "50": 0..100 */
    GF_OPTION_BOOL,      /* on/off, yes/no, true/false, enable/disable, 1/0 */
    GF_OPTION_PATH,      /* an absolute path */
    GF_OPTION_TIME,      /* "30" (seconds), "500ms", "30s", "2m", "1h", "1d" */
    GF_OPTION_DOUBLE,    /* a floating-point number */
    GF_OPTION_XLATOR,    /* the name of a translator of the same graph */
    GF_OPTION_ADDR_LIST, /* comma-separated IPv4/IPv6 addresses, host
                            names, patterns with '*', or CIDR prefixes
                            ("10.0.0.0/8"); stored normalised */
} gf_option_type_t;

/* Flags of a gf_option_t. */
enum {
    GF_OPTION_RECONFIGURABLE = 0x1, /* may change on reconfigure */
};

/*
 * One option. A table is an array ending with an entry whose KEY is NULL.
 * A KEY with '*' is a pattern: each '*' stands for one dotted component
 * (one or more characters other than '.'), so "auth.addr.*.allow" accepts
 * "auth.addr.brick.allow". Each concrete key keeps its own value; getters
 * take the concrete key and fall back to the pattern's DEFAULT_VALUE.
 * An entry spelled exactly like a key wins over a pattern matching it.
 * MIN and MAX bound INT, SIZE, PERCENT, TIME (in seconds) and DOUBLE values;
 * both 0 means unbounded. VALUES (STR only, NULL-terminated) lists the
 * allowed values, case-insensitively; NULL allows any. DEFAULT_VALUE is
 * written as in a volfile and must itself be valid; NULL means "unset".
 */
typedef struct gf_option {
    const char *key;
    gf_option_type_t type;
    const char *default_value;
    double min;
    double max;
    const char *const *values;
    const char *description;
    unsigned flags;
} gf_option_t;

/* The validated values of one translator: immutable once built. */
typedef struct gf_option_set gf_option_set_t;

/* Why a value was refused: INDEX is the pair at fault (SIZE_MAX when the
 * table itself is bad), MESSAGE says what was expected. */
typedef struct gf_option_error {
    size_t index;
    char message[256];
} gf_option_error_t;

/*
 * Check N pairs KEYS[i]/VALUES[i] against TABLE and build the value set,
 * with TABLE's defaults for keys not given. A key absent from TABLE, a
 * value that does not parse or is out of range, is refused: returns
 * -EINVAL and fills ERR (if not NULL). -ENOMEM if out of memory. On
 * success *OUT owns a new set (free with gf_option_set_free). TABLE may be
 * NULL (a translator without options: every key is unknown). The set
 * borrows TABLE, which must outlive it. Keys match case-sensitively; a key
 * given twice keeps its last value (every value must still be valid). A
 * table default that does not parse is a table bug: -EINVAL with
 * ERR->index SIZE_MAX. Thread-safe.
 */
GF_EXPORT int gf_option_set_build(const gf_option_t *table,
                                  const char *const *keys,
                                  const char *const *values, size_t n,
                                  gf_option_set_t **out,
                                  gf_option_error_t *err);

GF_EXPORT void gf_option_set_free(gf_option_set_t *set);

/*
 * Validate one VALUE for the option of TABLE called KEY, as
 * gf_option_set_build would. 0, -ENOENT (unknown key) or -EINVAL (bad
 * value; ERR says why).
 */
GF_EXPORT int gf_option_validate(const gf_option_t *table, const char *key,
                                 const char *value, gf_option_error_t *err);

/*
 * 1 if KEY has the same value in A and B (both unset counts as equal),
 * else 0. Lets reconfigure know what changed. For a pattern KEY (spelled
 * as in the table), every concrete key it matches must agree as well.
 */
GF_EXPORT int gf_option_set_same(const gf_option_set_t *a,
                                 const gf_option_set_t *b, const char *key);

/*
 * Typed getters. Each returns 0 and sets *OUT; -ENOENT if KEY is not in the
 * set's table or has no value and no default; -EINVAL if KEY's type is not
 * the getter's. Borrowed strings live as long as the set.
 */
GF_EXPORT int gf_option_get_str(const gf_option_set_t *set, const char *key,
                                const char **out);
GF_EXPORT int gf_option_get_int(const gf_option_set_t *set, const char *key,
                                int64_t *out);
GF_EXPORT int gf_option_get_size(const gf_option_set_t *set, const char *key,
                                 uint64_t *out);
GF_EXPORT int gf_option_get_percent(const gf_option_set_t *set, const char *key,
                                    double *out);
GF_EXPORT int gf_option_get_bool(const gf_option_set_t *set, const char *key,
                                 bool *out);
/* TIME values in milliseconds. */
GF_EXPORT int gf_option_get_time_ms(const gf_option_set_t *set, const char *key,
                                    uint64_t *out);
GF_EXPORT int gf_option_get_double(const gf_option_set_t *set, const char *key,
                                   double *out);
/* PATH and XLATOR values are strings: use gf_option_get_str. ADDR_LIST:
 * the parsed items, in order; *OUT borrowed, *N their count. */
GF_EXPORT int gf_option_get_addr_list(const gf_option_set_t *set,
                                      const char *key, const char *const **out,
                                      size_t *n);

/*
 * 1 if ADDR (a numeric IPv4 or IPv6 address) matches one item of the
 * ADDR_LIST option KEY (exact address, or a pattern with '*' such as
 * "127.0.0.*" or "*", or a CIDR prefix), 0 if none matches, -ENOENT/
 * -EINVAL as the getters (-EINVAL too if ADDR is not numeric). IPv6 is
 * compared after normalisation; an IPv4-mapped IPv6 ADDR also matches the
 * IPv4 items. Host-name items never match (no name lookup here).
 */
GF_EXPORT int gf_option_addr_match(const gf_option_set_t *set, const char *key,
                                   const char *addr);

#ifdef __cplusplus
}
#endif

#endif /* GF_OPTIONS_H */
