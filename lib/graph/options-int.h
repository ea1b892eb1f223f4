/* SPDX-License-Identifier: LGPL-3.0-or-later */
/*
 * options-int.h - what options.c (tables, sets, getters) and
 * options-parse.c (one strict parser per option type, address lists) share.
 */
#ifndef GF_OPTIONS_INT_H
#define GF_OPTIONS_INT_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include <gf/options.h>

/* Room for the "why" part of an error, e.g. "is above the maximum 64". */
enum { GF__OPTION_REASON_MAX = 160 };

/* One parsed value. Which member is meaningful depends on the type. */
struct gf__option_val {
    bool set; /* given in the pairs, or defaulted */
    union {
        int64_t i;  /* INT */
        uint64_t u; /* SIZE (bytes), TIME (milliseconds) */
        double d;   /* PERCENT, DOUBLE */
        bool b;     /* BOOL */
    } v;
    char *str;    /* STR, PATH, XLATOR: owned copy (STR enums: the
                     table's spelling) */
    char **items; /* ADDR_LIST: owned, normalised items */
    size_t nitems;
};

/*
 * Parse VALUE as option OPT into *OUT (zeroed first; owns what it holds on
 * success). 0; -EINVAL with REASON (GF__OPTION_REASON_MAX bytes) saying
 * why, phrased to follow "'<value>' "; -ENOMEM.
 */
int gf__option_parse(const gf_option_t *opt, const char *value,
                     struct gf__option_val *out, char *reason);

/* Release what V owns and zero it. */
void gf__option_val_fini(struct gf__option_val *v);

/* Whether A and B (of type TYPE) hold the same value. */
bool gf__option_val_same(gf_option_type_t type, const struct gf__option_val *a,
                         const struct gf__option_val *b);

/* 1 if the numeric address ADDR matches one of ITEMS, 0 if none does,
 * -EINVAL if ADDR is not a numeric IPv4 or IPv6 address. */
int gf__option_addr_match(char *const *items, size_t n, const char *addr);

#endif /* GF_OPTIONS_INT_H */
