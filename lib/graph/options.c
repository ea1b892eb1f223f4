/* SPDX-License-Identifier: LGPL-3.0-or-later */
/*
 * options.c - option tables checked once, values read typed.
 *
 * gf_option_set_build turns a translator's volfile pairs into a set of
 * parsed values, one slot per table entry, in a single pass: the table's
 * defaults first (a default that does not parse is a bug of the table and
 * is reported as such), then the pairs in order, so a key given twice
 * keeps its last value. After that the set is never written, so any number
 * of threads may read it without a lock. Getters find a key by a linear
 * scan of the table: tables are short and getters run at init and
 * reconfigure, not per fop.
 */
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>

#include <gf/mem-acct.h>
#include <gf/options.h>

#include "options-int.h"

/* A value given for a concrete key of a pattern entry
 * ("auth.addr.brick.allow" for "auth.addr.*.allow"). */
struct named_val {
    char *key;
    size_t idx; /* the pattern's table entry */
    struct gf__option_val val;
};

struct gf_option_set {
    const gf_option_t *table; /* borrowed: the translator's static table */
    size_t n;                 /* entries in TABLE */
    struct named_val *named;  /* values of pattern entries, by key */
    size_t nnamed;
    struct gf__option_val vals[]; /* by table entry (patterns: default) */
};

static void set_err(gf_option_error_t *err, size_t index, const char *fmt, ...)
    GF_PRINTF(3, 4);

static void
set_err(gf_option_error_t *err, size_t index, const char *fmt, ...)
{
    va_list ap;

    if (!err)
        return;
    err->index = index;
    va_start(ap, fmt);
    vsnprintf(err->message, sizeof(err->message), fmt, ap);
    va_end(ap);
}

/* Keys and values are quoted in messages, clipped so that the reason
 * still fits. */
static int
clip(const char *s)
{
    return strlen(s) > 48 ? 45 : 48;
}

static const char *
ellipsis(const char *s)
{
    return strlen(s) > 48 ? "..." : "";
}

static size_t
table_len(const gf_option_t *table)
{
    size_t n = 0;

    while (table && table[n].key)
        n++;
    return n;
}

static bool
is_pattern(const gf_option_t *o)
{
    return strchr(o->key, '*') != NULL;
}

/* Whether KEY matches PAT, where each '*' of PAT stands for one or more
 * characters other than '.' (one component of a dotted key). */
static bool
key_match(const char *pat, const char *key)
{
    while (*pat != '*') {
        if (*pat != *key)
            return false;
        if (!*pat)
            return true;
        pat++;
        key++;
    }
    pat++;
    for (size_t i = 0; key[i] && key[i] != '.'; i++)
        if (key_match(pat, key + i + 1))
            return true;
    return false;
}

/* KEY's table entry: the entry spelled KEY, else a pattern matching it. */
static const gf_option_t *
table_find(const gf_option_t *table, size_t n, const char *key, size_t *idx)
{
    size_t i;

    for (i = 0; i < n; i++) {
        if (strcmp(table[i].key, key) == 0) {
            if (idx)
                *idx = i;
            return &table[i];
        }
    }
    for (i = 0; i < n; i++) {
        if (is_pattern(&table[i]) && key_match(table[i].key, key)) {
            if (idx)
                *idx = i;
            return &table[i];
        }
    }
    return NULL;
}

/* Optimal-string-alignment distance (a swap of two neighbours costs 1),
 * or a large number when either string is too long to bother. */
static size_t
edit_distance(const char *a, const char *b)
{
    enum { MAXLEN = 64 };
    size_t la = strlen(a), lb = strlen(b), i, j;
    size_t rows[3][MAXLEN + 1], *prev2, *prev, *cur;

    if (la > MAXLEN || lb > MAXLEN)
        return SIZE_MAX;
    prev2 = rows[0];
    prev = rows[1];
    cur = rows[2];
    for (j = 0; j <= lb; j++)
        prev[j] = j;
    for (i = 1; i <= la; i++) {
        cur[0] = i;
        for (j = 1; j <= lb; j++) {
            size_t cost = a[i - 1] != b[j - 1], best = prev[j - 1] + cost;

            if (prev[j] + 1 < best)
                best = prev[j] + 1;
            if (cur[j - 1] + 1 < best)
                best = cur[j - 1] + 1;
            if (i > 1 && j > 1 && a[i - 1] == b[j - 2] &&
                a[i - 2] == b[j - 1] && prev2[j - 2] + 1 < best)
                best = prev2[j - 2] + 1;
            cur[j] = best;
        }
        /* Rotate the three rows. */
        {
            size_t *t = prev2;

            prev2 = prev;
            prev = cur;
            cur = t;
        }
    }
    return prev[lb];
}

/* The table key closest to KEY, if close enough to be a typo. */
static const char *
suggest(const gf_option_t *table, size_t n, const char *key)
{
    size_t limit = strlen(key) >= 6 ? 2 : 1, best = SIZE_MAX, i;
    const char *found = NULL;

    for (i = 0; i < n; i++) {
        size_t d = edit_distance(key, table[i].key);

        if (d <= limit && d < best) {
            best = d;
            found = table[i].key;
        }
    }
    return found;
}

static void
unknown_err(gf_option_error_t *err, size_t index, const gf_option_t *table,
            size_t n, const char *key)
{
    const char *near = suggest(table, n, key);

    if (near)
        set_err(err, index, "unknown option '%.*s%s' (did you mean '%s'?)",
                clip(key), key, ellipsis(key), near);
    else
        set_err(err, index, "unknown option '%.*s%s'", clip(key), key,
                ellipsis(key));
}

/* Parse VALUE for OPT; on a bad value, ERR names the key and value. */
static int
parse_one(const gf_option_t *opt, const char *value, struct gf__option_val *out,
          gf_option_error_t *err, size_t index)
{
    char reason[GF__OPTION_REASON_MAX];
    int ret = gf__option_parse(opt, value, out, reason);

    if (ret == -ENOMEM)
        set_err(err, index, "out of memory");
    else if (ret < 0)
        set_err(err, index, "option '%.*s%s': '%.*s%s' %s", clip(opt->key),
                opt->key, ellipsis(opt->key), clip(value), value,
                ellipsis(value), reason);
    return ret;
}

/* Entry I of TABLE makes sense (its default is checked by the caller). */
static int
check_entry(const gf_option_t *table, size_t i, gf_option_error_t *err)
{
    const gf_option_t *o = &table[i];
    size_t j;

    if (!o->key[0]) {
        set_err(err, SIZE_MAX, "option table entry %zu has an empty key", i);
        return -EINVAL;
    }
    if ((unsigned)o->type > GF_OPTION_ADDR_LIST) {
        set_err(err, SIZE_MAX, "option '%s': unknown type %d in the table",
                o->key, (int)o->type);
        return -EINVAL;
    }
    if (o->values && o->type != GF_OPTION_STR) {
        set_err(err, SIZE_MAX,
                "option '%s': allowed values are only for strings", o->key);
        return -EINVAL;
    }
    if (!(o->min == 0 && o->max == 0) && !(o->min <= o->max)) {
        set_err(err, SIZE_MAX, "option '%s': minimum above maximum", o->key);
        return -EINVAL;
    }
    for (j = 0; j < i; j++) {
        if (strcmp(table[j].key, o->key) == 0) {
            set_err(err, SIZE_MAX, "option '%s' is in the table twice", o->key);
            return -EINVAL;
        }
    }
    return 0;
}

/* Check the table and put its defaults in SET. */
static int
apply_defaults(gf_option_set_t *set, gf_option_error_t *err)
{
    size_t i;
    int ret;

    for (i = 0; i < set->n; i++) {
        const gf_option_t *o = &set->table[i];

        ret = check_entry(set->table, i, err);
        if (ret < 0)
            return ret;
        if (!o->default_value)
            continue;
        ret = parse_one(o, o->default_value, &set->vals[i], err, SIZE_MAX);
        if (ret == -EINVAL && err) {
            /* Say it is the table's fault, not the volfile's. */
            size_t len = strlen(err->message);

            snprintf(err->message + len, sizeof(err->message) - len,
                     " (bad default in the option table)");
        }
        if (ret < 0)
            return ret;
    }
    return 0;
}

static struct named_val *
named_find(const gf_option_set_t *set, const char *key)
{
    for (size_t i = 0; i < set->nnamed; i++)
        if (strcmp(set->named[i].key, key) == 0)
            return &set->named[i];
    return NULL;
}

/* Keep V (taken) as the value of the concrete KEY of pattern entry IDX. */
static int
set_named(gf_option_set_t *set, const char *key, size_t idx,
          struct gf__option_val *v)
{
    struct named_val *nv = named_find(set, key), *grown;
    char *copy;

    if (nv) {
        gf__option_val_fini(&nv->val);
        nv->val = *v;
        return 0;
    }
    copy = gf_strdup(NULL, GF_MT_OTHER, key);
    grown = copy ? gf_realloc(set->named, (set->nnamed + 1) * sizeof(*grown))
                 : NULL;
    if (!grown) {
        gf_free(copy);
        return -ENOMEM;
    }
    set->named = grown;
    grown[set->nnamed++] = (struct named_val){copy, idx, *v};
    return 0;
}

static int
apply_pairs(gf_option_set_t *set, const char *const *keys,
            const char *const *values, size_t n, gf_option_error_t *err)
{
    struct gf__option_val v;
    size_t i, idx;
    int ret;

    for (i = 0; i < n; i++) {
        const gf_option_t *o;

        if (!keys[i] || !values[i]) {
            set_err(err, i, "option %zu has no %s", i,
                    keys[i] ? "value" : "key");
            return -EINVAL;
        }
        o = table_find(set->table, set->n, keys[i], &idx);
        if (!o) {
            unknown_err(err, i, set->table, set->n, keys[i]);
            return -EINVAL;
        }
        /* Every value must be valid, even one a later pair overrides:
         * a typo in a volfile is worth an error either way. */
        ret = parse_one(o, values[i], &v, err, i);
        if (ret < 0)
            return ret;
        if (is_pattern(o) && strcmp(o->key, keys[i]) != 0) {
            ret = set_named(set, keys[i], idx, &v);
            if (ret < 0) {
                gf__option_val_fini(&v);
                set_err(err, i, "out of memory");
                return ret;
            }
            continue;
        }
        gf__option_val_fini(&set->vals[idx]);
        set->vals[idx] = v;
    }
    return 0;
}

GF_EXPORT int
gf_option_set_build(const gf_option_t *table, const char *const *keys,
                    const char *const *values, size_t n, gf_option_set_t **out,
                    gf_option_error_t *err)
{
    gf_option_set_t *set;
    size_t nt = table_len(table);
    int ret;

    if (out)
        *out = NULL;
    if (!out || (n && (!keys || !values))) {
        set_err(err, SIZE_MAX, "invalid arguments");
        return -EINVAL;
    }
    if (nt > (SIZE_MAX - sizeof(*set)) / sizeof(set->vals[0])) {
        set_err(err, SIZE_MAX, "option table too large");
        return -ENOMEM;
    }
    set = gf_calloc(NULL, GF_MT_OTHER, 1,
                    sizeof(*set) + nt * sizeof(set->vals[0]));
    if (!set) {
        set_err(err, SIZE_MAX, "out of memory");
        return -ENOMEM;
    }
    set->table = table;
    set->n = nt;
    ret = apply_defaults(set, err);
    if (ret == 0)
        ret = apply_pairs(set, keys, values, n, err);
    if (ret < 0) {
        gf_option_set_free(set);
        return ret;
    }
    *out = set;
    return 0;
}

GF_EXPORT void
gf_option_set_free(gf_option_set_t *set)
{
    size_t i;

    if (!set)
        return;
    for (i = 0; i < set->n; i++)
        gf__option_val_fini(&set->vals[i]);
    for (i = 0; i < set->nnamed; i++) {
        gf__option_val_fini(&set->named[i].val);
        gf_free(set->named[i].key);
    }
    gf_free(set->named);
    gf_free(set);
}

GF_EXPORT int
gf_option_validate(const gf_option_t *table, const char *key, const char *value,
                   gf_option_error_t *err)
{
    struct gf__option_val v;
    size_t n = table_len(table);
    const gf_option_t *o;
    int ret;

    if (!key || !value) {
        set_err(err, 0, "invalid arguments");
        return -EINVAL;
    }
    o = table_find(table, n, key, NULL);
    if (!o) {
        unknown_err(err, 0, table, n, key);
        return -ENOENT;
    }
    ret = parse_one(o, value, &v, err, 0);
    if (ret == 0)
        gf__option_val_fini(&v);
    return ret;
}

/* KEY's slot in SET, or NULL if the table has no such key. */
static const struct gf__option_val *
slot(const gf_option_set_t *set, const char *key, gf_option_type_t *type)
{
    size_t idx;
    const gf_option_t *o = table_find(set->table, set->n, key, &idx);
    const struct named_val *nv;

    if (!o)
        return NULL;
    *type = o->type;
    /* A concrete key of a pattern: its own value, else the default. */
    if (is_pattern(o) && strcmp(o->key, key) != 0 &&
        (nv = named_find(set, key)) != NULL)
        return &nv->val;
    return &set->vals[idx];
}

/* Whether A and B give the same values to every concrete key of pattern
 * entry IDX (the tables are the same: reconfigure compares sets of one
 * translator). */
static bool
same_named(const gf_option_set_t *a, const gf_option_set_t *b, size_t idx)
{
    gf_option_type_t t = a->table[idx].type;

    for (int pass = 0; pass < 2; pass++) {
        const gf_option_set_t *x = pass ? b : a, *y = pass ? a : b;

        for (size_t i = 0; i < x->nnamed; i++) {
            const struct named_val *nv = &x->named[i], *other;

            if (nv->idx != idx)
                continue;
            other = named_find(y, nv->key);
            if (!other || !gf__option_val_same(t, &nv->val, &other->val))
                return false;
        }
    }
    return true;
}

GF_EXPORT int
gf_option_set_same(const gf_option_set_t *a, const gf_option_set_t *b,
                   const char *key)
{
    static const struct gf__option_val unset;
    const struct gf__option_val *va, *vb;
    gf_option_type_t ta = GF_OPTION_STR, tb = GF_OPTION_STR;

    if (!a || !b || !key)
        return 0;
    /* A key a table lacks counts as unset in that set. */
    va = slot(a, key, &ta);
    vb = slot(b, key, &tb);
    if (!va)
        va = &unset;
    if (!vb)
        vb = &unset;
    if (va->set && vb->set && ta != tb)
        return 0;
    if (!gf__option_val_same(ta, va, vb))
        return 0;
    /* A pattern entry itself: its concrete keys must agree too. */
    if (a->table == b->table) {
        size_t idx;
        const gf_option_t *o = table_find(a->table, a->n, key, &idx);

        if (o && is_pattern(o) && strcmp(o->key, key) == 0 &&
            !same_named(a, b, idx))
            return 0;
    }
    return 1;
}

/*
 * The value of KEY for a getter accepting types T1 or T2: -EINVAL for bad
 * arguments or another type, -ENOENT if KEY is not in the table or has no
 * value.
 */
static int
lookup(const gf_option_set_t *set, const char *key, const void *out,
       gf_option_type_t t1, gf_option_type_t t2,
       const struct gf__option_val **val)
{
    const struct gf__option_val *v;
    gf_option_type_t type;

    if (!set || !key || !out)
        return -EINVAL;
    v = slot(set, key, &type);
    if (!v)
        return -ENOENT;
    if (type != t1 && type != t2)
        return -EINVAL;
    if (!v->set)
        return -ENOENT;
    *val = v;
    return 0;
}

GF_EXPORT int
gf_option_get_str(const gf_option_set_t *set, const char *key, const char **out)
{
    const struct gf__option_val *v;
    int ret = lookup(set, key, out, GF_OPTION_STR, GF_OPTION_PATH, &v);

    if (ret == -EINVAL && set && key && out)
        ret = lookup(set, key, out, GF_OPTION_XLATOR, GF_OPTION_XLATOR, &v);
    if (ret == 0)
        *out = v->str;
    return ret;
}

GF_EXPORT int
gf_option_get_int(const gf_option_set_t *set, const char *key, int64_t *out)
{
    const struct gf__option_val *v;
    int ret = lookup(set, key, out, GF_OPTION_INT, GF_OPTION_INT, &v);

    if (ret == 0)
        *out = v->v.i;
    return ret;
}

GF_EXPORT int
gf_option_get_size(const gf_option_set_t *set, const char *key, uint64_t *out)
{
    const struct gf__option_val *v;
    int ret = lookup(set, key, out, GF_OPTION_SIZE, GF_OPTION_SIZE, &v);

    if (ret == 0)
        *out = v->v.u;
    return ret;
}

GF_EXPORT int
gf_option_get_percent(const gf_option_set_t *set, const char *key, double *out)
{
    const struct gf__option_val *v;
    int ret = lookup(set, key, out, GF_OPTION_PERCENT, GF_OPTION_PERCENT, &v);

    if (ret == 0)
        *out = v->v.d;
    return ret;
}

GF_EXPORT int
gf_option_get_bool(const gf_option_set_t *set, const char *key, bool *out)
{
    const struct gf__option_val *v;
    int ret = lookup(set, key, out, GF_OPTION_BOOL, GF_OPTION_BOOL, &v);

    if (ret == 0)
        *out = v->v.b;
    return ret;
}

GF_EXPORT int
gf_option_get_time_ms(const gf_option_set_t *set, const char *key,
                      uint64_t *out)
{
    const struct gf__option_val *v;
    int ret = lookup(set, key, out, GF_OPTION_TIME, GF_OPTION_TIME, &v);

    if (ret == 0)
        *out = v->v.u;
    return ret;
}

GF_EXPORT int
gf_option_get_double(const gf_option_set_t *set, const char *key, double *out)
{
    const struct gf__option_val *v;
    int ret = lookup(set, key, out, GF_OPTION_DOUBLE, GF_OPTION_DOUBLE, &v);

    if (ret == 0)
        *out = v->v.d;
    return ret;
}

GF_EXPORT int
gf_option_get_addr_list(const gf_option_set_t *set, const char *key,
                        const char *const **out, size_t *n)
{
    const struct gf__option_val *v;
    int ret;

    if (!n)
        return -EINVAL;
    ret = lookup(set, key, out, GF_OPTION_ADDR_LIST, GF_OPTION_ADDR_LIST, &v);
    if (ret == 0) {
        *out = (const char *const *)v->items;
        *n = v->nitems;
    }
    return ret;
}

GF_EXPORT int
gf_option_addr_match(const gf_option_set_t *set, const char *key,
                     const char *addr)
{
    const struct gf__option_val *v;
    int ret;

    if (!addr)
        return -EINVAL;
    ret = lookup(set, key, addr, GF_OPTION_ADDR_LIST, GF_OPTION_ADDR_LIST, &v);
    if (ret < 0)
        return ret;
    return gf__option_addr_match(v->items, v->nitems, addr);
}
