/* SPDX-License-Identifier: LGPL-3.0-or-later */
/*
 * options-parse.c - one strict parser per option type.
 *
 * A volfile value is accepted only if the whole string is a value of the
 * option's type and within its bounds: no trailing junk, no silent
 * wrap-around, no "inf". Sizes and durations are parsed with integer
 * arithmetic (the fraction too), so "1.5GiB" is exact and anything that
 * does not fit 64 bits is refused rather than rounded. Address lists are
 * normalised here (inet_pton/inet_ntop, lower case) so that matching a
 * peer address later is a plain string or pattern comparison.
 */
#include <arpa/inet.h>
#include <errno.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <gf/mem-acct.h>

#include "options-int.h"

/* ASCII-only case folding: option values must not depend on the locale. */
static int
lower(int c)
{
    return c >= 'A' && c <= 'Z' ? c + ('a' - 'A') : c;
}

static bool
same_nocase(const char *a, const char *b)
{
    while (*a && lower((unsigned char)*a) == lower((unsigned char)*b)) {
        a++;
        b++;
    }
    return *a == '\0' && *b == '\0';
}

static bool
is_digit(char c)
{
    return c >= '0' && c <= '9';
}

/* Bounds in messages: integral bounds without a fraction or exponent. */
static void
fmt_num(char *buf, size_t len, double x)
{
    if (x > -9007199254740992.0 && x < 9007199254740992.0 &&
        (double)(int64_t)x == x)
        snprintf(buf, len, "%lld", (long long)x);
    else
        snprintf(buf, len, "%g", x);
}

/* X is the value in the table's unit (TIME: seconds). Both bounds 0 means
 * no bounds; otherwise both apply, inclusively. */
static int
check_range(const gf_option_t *opt, double x, const char *unit, char *reason)
{
    char num[64];

    if (opt->min == 0 && opt->max == 0)
        return 0;
    if (x < opt->min) {
        fmt_num(num, sizeof(num), opt->min);
        snprintf(reason, GF__OPTION_REASON_MAX, "is below the minimum %s%s",
                 num, unit);
        return -EINVAL;
    }
    if (x > opt->max) {
        fmt_num(num, sizeof(num), opt->max);
        snprintf(reason, GF__OPTION_REASON_MAX, "is above the maximum %s%s",
                 num, unit);
        return -EINVAL;
    }
    return 0;
}

/* floor(F * M / D) for F < D <= 10^18, without 128-bit arithmetic: binary
 * long multiplication keeping the remainder below D (so below 2^62). */
static uint64_t
muldiv(uint64_t f, uint64_t m, uint64_t d)
{
    uint64_t q = 0, r = 0;
    int bit;

    for (bit = 63; bit >= 0; bit--) {
        q <<= 1;
        r <<= 1;
        if (m >> bit & 1)
            r += f;
        while (r >= d) {
            r -= d;
            q++;
        }
    }
    return q;
}

/*
 * "DIGITS[.DIGITS]" at *P, times MULT, into *OUT; *P moves past it. At
 * most 18 fraction digits count (the rest must still be digits). -EINVAL
 * if there is no digit, -ERANGE if the result does not fit 64 bits.
 */
static int
parse_scaled(const char **p, uint64_t mult, uint64_t *out)
{
    const char *s = *p;
    uint64_t ip = 0, f = 0, den = 1;
    bool digits = false, range = false;

    for (; is_digit(*s); s++, digits = true) {
        uint64_t d = (uint64_t)(*s - '0');

        if (ip > UINT64_MAX / 10 ||
            (ip == UINT64_MAX / 10 && d > UINT64_MAX % 10))
            range = true;
        else
            ip = ip * 10 + d;
    }
    if (*s == '.') {
        for (s++; is_digit(*s); s++, digits = true) {
            if (den < 1000000000000000000ull) {
                f = f * 10 + (uint64_t)(*s - '0');
                den *= 10;
            }
        }
    }
    if (!digits)
        return -EINVAL;
    *p = s;
    if (range || (mult && ip > UINT64_MAX / mult))
        return -ERANGE;
    ip *= mult;
    f = muldiv(f, mult, den);
    if (ip > UINT64_MAX - f)
        return -ERANGE;
    *out = ip + f;
    return 0;
}

struct unit {
    const char *name;
    uint64_t mult;
};

static const struct unit size_units[] = {
    {"", 1},
    {"b", 1},
    {"k", 1ull << 10},
    {"kb", 1ull << 10},
    {"kib", 1ull << 10},
    {"m", 1ull << 20},
    {"mb", 1ull << 20},
    {"mib", 1ull << 20},
    {"g", 1ull << 30},
    {"gb", 1ull << 30},
    {"gib", 1ull << 30},
    {"t", 1ull << 40},
    {"tb", 1ull << 40},
    {"tib", 1ull << 40},
    {"p", 1ull << 50},
    {"pb", 1ull << 50},
    {"pib", 1ull << 50},
};

/* Durations are stored in milliseconds; a bare number is seconds. */
static const struct unit time_units[] = {
    {"", 1000},      {"ms", 1},         {"s", 1000},        {"sec", 1000},
    {"m", 60000},    {"min", 60000},    {"h", 3600000},     {"hr", 3600000},
    {"d", 86400000}, {"day", 86400000}, {"days", 86400000},
};

/* The number and unit of "12.5 KB" (blanks allowed before the unit). */
static int
parse_unit_value(const char *s, const struct unit *units, size_t nunits,
                 uint64_t *out)
{
    const char *p = s, *u;
    uint64_t one;
    size_t i;
    int ret;

    if (!is_digit(*s) && *s != '.')
        return -EINVAL;
    /* The unit first, so that "99999999999999999999XB" is "not a size"
     * rather than "too large". */
    ret = parse_scaled(&p, 0, &one);
    if (ret == -EINVAL)
        return ret;
    for (u = p; *u == ' ' || *u == '\t'; u++)
        ;
    if (u != p && *u == '\0')
        return -EINVAL;
    for (i = 0; i < nunits; i++) {
        if (same_nocase(u, units[i].name)) {
            p = s;
            return parse_scaled(&p, units[i].mult, out);
        }
    }
    return -EINVAL;
}

static int
parse_size(const gf_option_t *opt, const char *s, struct gf__option_val *o,
           char *reason)
{
    int ret =
        parse_unit_value(s, size_units, GF_ARRAY_SIZE(size_units), &o->v.u);

    if (ret == -ERANGE) {
        snprintf(reason, GF__OPTION_REASON_MAX,
                 "does not fit in 64 bits of bytes");
        return -EINVAL;
    }
    if (ret < 0) {
        snprintf(reason, GF__OPTION_REASON_MAX,
                 "is not a size (expected a number with an optional unit "
                 "B, KB, MB, GB, TB or PB)");
        return -EINVAL;
    }
    return check_range(opt, (double)o->v.u, " bytes", reason);
}

static int
parse_time(const gf_option_t *opt, const char *s, struct gf__option_val *o,
           char *reason)
{
    int ret =
        parse_unit_value(s, time_units, GF_ARRAY_SIZE(time_units), &o->v.u);

    if (ret == -ERANGE) {
        snprintf(reason, GF__OPTION_REASON_MAX, "is too long a duration");
        return -EINVAL;
    }
    if (ret < 0) {
        snprintf(reason, GF__OPTION_REASON_MAX,
                 "is not a duration (expected seconds, or a number with "
                 "ms, s, m, h or d)");
        return -EINVAL;
    }
    return check_range(opt, (double)o->v.u / 1000.0, " seconds", reason);
}

static int
parse_int(const gf_option_t *opt, const char *s, struct gf__option_val *o,
          char *reason)
{
    char *end;

    /* strtoll would skip leading blanks; a volfile value has none. */
    if (!*s || *s == ' ' || *s == '\t' || *s == '\n') {
        snprintf(reason, GF__OPTION_REASON_MAX, "is not an integer");
        return -EINVAL;
    }
    errno = 0;
    o->v.i = strtoll(s, &end, 0);
    if (end == s || *end) {
        snprintf(reason, GF__OPTION_REASON_MAX, "is not an integer");
        return -EINVAL;
    }
    if (errno == ERANGE) {
        snprintf(reason, GF__OPTION_REASON_MAX,
                 "does not fit in a 64-bit integer");
        return -EINVAL;
    }
    return check_range(opt, (double)o->v.i, "", reason);
}

static int
parse_double(const gf_option_t *opt, const char *s, struct gf__option_val *o,
             char *reason)
{
    char *end;

    if (!*s || *s == ' ' || *s == '\t' || *s == '\n')
        goto bad;
    o->v.d = strtod(s, &end);
    /* Underflow to a tiny or zero value is fine; infinity and NaN are
     * not numbers a translator can use. */
    if (end == s || *end || !isfinite(o->v.d))
        goto bad;
    return check_range(opt, o->v.d, "", reason);
bad:
    snprintf(reason, GF__OPTION_REASON_MAX, "is not a finite number");
    return -EINVAL;
}

/* "50", "50%", "12.5%": plain decimals only (no sign, exponent, hex). */
static int
parse_percent(const gf_option_t *opt, const char *s, struct gf__option_val *o,
              char *reason)
{
    const char *p = s;
    bool digits = false, dot = false;
    char *end;

    for (; is_digit(*p) || (*p == '.' && !dot); p++) {
        if (*p == '.')
            dot = true;
        else
            digits = true;
    }
    if (!digits || (*p && strcmp(p, "%") != 0)) {
        snprintf(reason, GF__OPTION_REASON_MAX,
                 "is not a percentage (expected 0 to 100, e.g. 50%%)");
        return -EINVAL;
    }
    o->v.d = strtod(s, &end);
    if (end != p || o->v.d > 100.0) {
        snprintf(reason, GF__OPTION_REASON_MAX,
                 "is not a percentage between 0%% and 100%%");
        return -EINVAL;
    }
    return check_range(opt, o->v.d, "%", reason);
}

static int
parse_bool(const char *s, struct gf__option_val *o, char *reason)
{
    static const struct {
        const char *name;
        bool value;
    } words[] = {
        {"on", true},   {"off", false},   {"yes", true},    {"no", false},
        {"true", true}, {"false", false}, {"enable", true}, {"disable", false},
        {"1", true},    {"0", false},
    };
    size_t i;

    for (i = 0; i < GF_ARRAY_SIZE(words); i++) {
        if (same_nocase(s, words[i].name)) {
            o->v.b = words[i].value;
            return 0;
        }
    }
    snprintf(reason, GF__OPTION_REASON_MAX,
             "is not a boolean (expected on/off, yes/no, true/false, "
             "enable/disable or 1/0)");
    return -EINVAL;
}

/* One of the table's VALUES; the stored spelling is the table's. */
static int
parse_enum(const gf_option_t *opt, const char *s, struct gf__option_val *o,
           char *reason)
{
    const char *const *v;
    size_t len;
    int n;

    for (v = opt->values; *v; v++) {
        if (same_nocase(s, *v)) {
            o->str = gf_strdup(NULL, GF_MT_STRING, *v);
            return o->str ? 0 : -ENOMEM;
        }
    }
    n = snprintf(reason, GF__OPTION_REASON_MAX, "is not one of");
    for (v = opt->values; *v && n > 0 && n < GF__OPTION_REASON_MAX; v++)
        n += snprintf(reason + n, (size_t)(GF__OPTION_REASON_MAX - n),
                      "%s '%s'", v == opt->values ? "" : ",", *v);
    len = strlen(reason);
    if (len == GF__OPTION_REASON_MAX - 1)
        memcpy(reason + len - 3, "...", 3);
    return -EINVAL;
}

static int
parse_string(const gf_option_t *opt, const char *s, struct gf__option_val *o,
             char *reason)
{
    if (opt->type == GF_OPTION_STR && opt->values)
        return parse_enum(opt, s, o, reason);
    if (opt->type == GF_OPTION_PATH && s[0] != '/') {
        snprintf(reason, GF__OPTION_REASON_MAX, "is not an absolute path");
        return -EINVAL;
    }
    if (opt->type == GF_OPTION_XLATOR && (!*s || strpbrk(s, " \t\n"))) {
        snprintf(reason, GF__OPTION_REASON_MAX, "is not a translator name");
        return -EINVAL;
    }
    o->str = gf_strdup(NULL, GF_MT_STRING, s);
    return o->str ? 0 : -ENOMEM;
}

/* --- address lists ----------------------------------------------------- */

/* Longest item we keep: a host name is at most 253 characters. */
enum { ITEM_MAX = 256 };

/* An RFC 1123 host name; an all-digit last label would be a bad IPv4
 * address ("300.1.1.1"), not a name. */
static bool
is_host_name(const char *s)
{
    const char *label = s, *p;
    bool alldigits = true;

    if (!*s || strlen(s) > 253)
        return false;
    for (p = s;; p++) {
        if (*p == '.' || *p == '\0') {
            if (p == label || p - label > 63 || label[0] == '-' || p[-1] == '-')
                return false;
            if (*p == '\0')
                return !alldigits;
            label = p + 1;
            alldigits = true;
        } else if (is_digit(*p)) {
            continue;
        } else if ((lower(*p) >= 'a' && lower(*p) <= 'z') || *p == '-') {
            alldigits = false;
        } else {
            return false;
        }
    }
}

/* "ADDR/BITS" into its family, address bytes and prefix length. */
static int
parse_cidr(const char *s, int *family, unsigned char addr[16], int *bits)
{
    char tmp[ITEM_MAX];
    const char *slash = strchr(s, '/'), *p;
    size_t len = (size_t)(slash - s);
    int n = 0;

    if (!slash || len >= sizeof(tmp) || !slash[1] || strlen(slash) > 4)
        return -EINVAL;
    for (p = slash + 1; *p; p++) {
        if (!is_digit(*p))
            return -EINVAL;
        n = n * 10 + (*p - '0');
    }
    memcpy(tmp, s, len);
    tmp[len] = '\0';
    if (inet_pton(AF_INET, tmp, addr) == 1 && n <= 32)
        *family = AF_INET;
    else if (inet_pton(AF_INET6, tmp, addr) == 1 && n <= 128)
        *family = AF_INET6;
    else
        return -EINVAL;
    *bits = n;
    return 0;
}

/* Normalise one item into OUT (ITEM_MAX bytes), or -EINVAL. */
static int
normalise_item(const char *s, char *out)
{
    unsigned char addr[16];
    const char *p;
    int family, bits;

    if (strchr(s, '*')) {
        for (p = s; *p; p++)
            if (!is_digit(*p) && !(lower(*p) >= 'a' && lower(*p) <= 'z') &&
                !strchr(".:-*", *p))
                return -EINVAL;
        for (p = s; *p; p++)
            *out++ = (char)lower(*p);
        *out = '\0';
        return 0;
    }
    if (strchr(s, '/')) {
        if (parse_cidr(s, &family, addr, &bits) < 0 ||
            !inet_ntop(family, addr, out, INET6_ADDRSTRLEN))
            return -EINVAL;
        snprintf(out + strlen(out), 5, "/%d", bits);
        return 0;
    }
    if (inet_pton(AF_INET, s, addr) == 1)
        return inet_ntop(AF_INET, addr, out, ITEM_MAX) ? 0 : -EINVAL;
    if (inet_pton(AF_INET6, s, addr) == 1)
        return inet_ntop(AF_INET6, addr, out, ITEM_MAX) ? 0 : -EINVAL;
    if (!is_host_name(s))
        return -EINVAL;
    for (p = s; *p; p++)
        *out++ = (char)lower(*p);
    *out = '\0';
    return 0;
}

/* Append normalised ITEM (LEN bytes, already trimmed) to O's items. */
static int
add_item(struct gf__option_val *o, const char *item, size_t len, char *reason)
{
    char tmp[ITEM_MAX], norm[ITEM_MAX];
    char **items;

    if (len == 0) {
        snprintf(reason, GF__OPTION_REASON_MAX,
                 "has an empty item (expected addresses separated by "
                 "commas)");
        return -EINVAL;
    }
    if (len < sizeof(tmp)) {
        memcpy(tmp, item, len);
        tmp[len] = '\0';
    }
    if (len >= sizeof(tmp) || normalise_item(tmp, norm) < 0) {
        snprintf(reason, GF__OPTION_REASON_MAX,
                 "has '%.*s%s', which is not an address, host name or "
                 "pattern",
                 len > 48 ? 45 : (int)len, item, len > 48 ? "..." : "");
        return -EINVAL;
    }
    items = gf_realloc(o->items, (o->nitems + 1) * sizeof(*items));
    if (!items)
        return -ENOMEM;
    o->items = items;
    items[o->nitems] = gf_strdup(NULL, GF_MT_STRING, norm);
    if (!items[o->nitems])
        return -ENOMEM;
    o->nitems++;
    return 0;
}

static int
parse_addr_list(const char *s, struct gf__option_val *o, char *reason)
{
    const char *item = s, *end;
    int ret;

    for (;;) {
        const char *comma = strchr(item, ',');

        end = comma ? comma : item + strlen(item);
        while (item < end && (*item == ' ' || *item == '\t'))
            item++;
        while (end > item && (end[-1] == ' ' || end[-1] == '\t'))
            end--;
        ret = add_item(o, item, (size_t)(end - item), reason);
        if (ret < 0 || !comma)
            return ret;
        item = comma + 1;
    }
}

/* '*' matches any run of characters; nothing else is special. ASCII case
 * is ignored (IPv6 hex digits). Linear backtracking to the last '*'. */
static bool
glob_match(const char *pat, const char *s)
{
    const char *star = NULL, *resume = NULL;

    while (*s) {
        if (*pat == '*') {
            star = pat++;
            resume = s;
        } else if (*pat &&
                   lower((unsigned char)*pat) == lower((unsigned char)*s)) {
            pat++;
            s++;
        } else if (star) {
            pat = star + 1;
            s = ++resume;
        } else {
            return false;
        }
    }
    while (*pat == '*')
        pat++;
    return *pat == '\0';
}

static bool
cidr_match(const char *item, int family, const unsigned char *addr)
{
    unsigned char net[16];
    int fam, bits, i;

    if (parse_cidr(item, &fam, net, &bits) < 0 || fam != family)
        return false;
    for (i = 0; bits >= 8; i++, bits -= 8)
        if (net[i] != addr[i])
            return false;
    return bits == 0 || ((net[i] ^ addr[i]) & ((0xff00 >> bits) & 0xff)) == 0;
}

/* Does normalised ITEM match the address FORM (text) / ADDR (bytes)? */
static bool
item_match(const char *item, const char *form, int family,
           const unsigned char *addr)
{
    if (strchr(item, '*'))
        return glob_match(item, form);
    if (strchr(item, '/'))
        return cidr_match(item, family, addr);
    return same_nocase(item, form);
}

int
gf__option_addr_match(char *const *items, size_t n, const char *addr)
{
    struct in6_addr a6;
    struct in_addr a4;
    char form6[INET6_ADDRSTRLEN], form4[INET_ADDRSTRLEN];
    bool v4 = false, v6 = false;
    size_t i;

    if (inet_pton(AF_INET, addr, &a4) == 1) {
        v4 = true;
    } else if (inet_pton(AF_INET6, addr, &a6) == 1) {
        v6 = true;
        inet_ntop(AF_INET6, &a6, form6, sizeof(form6));
        /* A v4 peer on a dual-stack socket shows as ::ffff:a.b.c.d; let
         * the IPv4 items of the list apply to it. */
        if (IN6_IS_ADDR_V4MAPPED(&a6)) {
            memcpy(&a4, a6.s6_addr + 12, 4);
            v4 = true;
        }
    } else {
        return -EINVAL;
    }
    if (v4)
        inet_ntop(AF_INET, &a4, form4, sizeof(form4));
    for (i = 0; i < n; i++) {
        if ((v4 && item_match(items[i], form4, AF_INET,
                              (const unsigned char *)&a4)) ||
            (v6 && item_match(items[i], form6, AF_INET6, a6.s6_addr)))
            return 1;
    }
    return 0;
}

void
gf__option_val_fini(struct gf__option_val *v)
{
    size_t i;

    gf_free(v->str);
    for (i = 0; i < v->nitems; i++)
        gf_free(v->items[i]);
    gf_free(v->items);
    memset(v, 0, sizeof(*v));
}

int
gf__option_parse(const gf_option_t *opt, const char *value,
                 struct gf__option_val *out, char *reason)
{
    int ret = -EINVAL;

    memset(out, 0, sizeof(*out));
    switch (opt->type) {
    case GF_OPTION_STR:
    case GF_OPTION_PATH:
    case GF_OPTION_XLATOR:
        ret = parse_string(opt, value, out, reason);
        break;
    case GF_OPTION_INT:
        ret = parse_int(opt, value, out, reason);
        break;
    case GF_OPTION_SIZE:
        ret = parse_size(opt, value, out, reason);
        break;
    case GF_OPTION_PERCENT:
        ret = parse_percent(opt, value, out, reason);
        break;
    case GF_OPTION_BOOL:
        ret = parse_bool(value, out, reason);
        break;
    case GF_OPTION_TIME:
        ret = parse_time(opt, value, out, reason);
        break;
    case GF_OPTION_DOUBLE:
        ret = parse_double(opt, value, out, reason);
        break;
    case GF_OPTION_ADDR_LIST:
        ret = parse_addr_list(value, out, reason);
        break;
    default:
        snprintf(reason, GF__OPTION_REASON_MAX, "has an unknown type %d",
                 (int)opt->type);
        break;
    }
    if (ret < 0)
        gf__option_val_fini(out);
    else
        out->set = true;
    return ret;
}

bool
gf__option_val_same(gf_option_type_t type, const struct gf__option_val *a,
                    const struct gf__option_val *b)
{
    size_t i;

    if (!a->set || !b->set)
        return a->set == b->set;
    switch (type) {
    case GF_OPTION_INT:
        return a->v.i == b->v.i;
    case GF_OPTION_SIZE:
    case GF_OPTION_TIME:
        return a->v.u == b->v.u;
    case GF_OPTION_PERCENT:
    case GF_OPTION_DOUBLE:
        return a->v.d == b->v.d;
    case GF_OPTION_BOOL:
        return a->v.b == b->v.b;
    case GF_OPTION_ADDR_LIST:
        if (a->nitems != b->nitems)
            return false;
        for (i = 0; i < a->nitems; i++)
            if (strcmp(a->items[i], b->items[i]) != 0)
                return false;
        return true;
    default:
        return strcmp(a->str, b->str) == 0;
    }
}
