/* SPDX-License-Identifier: LGPL-3.0-or-later */
/*
 * check-options.c - option tables: every type's good and bad values,
 * defaults and typed getters, bounds, enums, duplicates, unknown keys,
 * address lists and their matching, bad tables, bad arguments, and
 * concurrent readers of one set.
 */
#include <errno.h>
#include <pthread.h>
#include <stdio.h>
#include <stdint.h>
#include <string.h>

#include <gf/options.h>

#include "gf-test.h"

static const char *const modes[] = {"fast", "Safe", "paranoid", NULL};

/* One table with every type, used by most tests. */
static const gf_option_t table[] = {
    {"thread-count", GF_OPTION_INT, "16", 1, 64, NULL, "threads", 0},
    {"offset", GF_OPTION_INT, NULL, 0, 0, NULL, NULL, 0},
    {"cache-size", GF_OPTION_SIZE, "32MB", 0, 0, NULL, NULL, 0},
    {"page-size", GF_OPTION_SIZE, NULL, 4096, 1048576, NULL, NULL, 0},
    {"min-free", GF_OPTION_PERCENT, "10%", 0, 0, NULL, NULL, 0},
    {"low-free", GF_OPTION_PERCENT, NULL, 5, 50, NULL, NULL, 0},
    {"enabled", GF_OPTION_BOOL, "off", 0, 0, NULL, NULL,
     GF_OPTION_RECONFIGURABLE},
    {"directory", GF_OPTION_PATH, "/var/lib/gfsd", 0, 0, NULL, NULL, 0},
    {"timeout", GF_OPTION_TIME, "42", 0, 0, NULL, NULL, 0},
    {"ping", GF_OPTION_TIME, NULL, 1, 60, NULL, NULL, 0},
    {"ratio", GF_OPTION_DOUBLE, "0.5", 0, 0, NULL, NULL, 0},
    {"factor", GF_OPTION_DOUBLE, NULL, -1.5, 2.5, NULL, NULL, 0},
    {"child", GF_OPTION_XLATOR, NULL, 0, 0, NULL, NULL, 0},
    {"allow", GF_OPTION_ADDR_LIST, "127.0.0.1, ::1", 0, 0, NULL, NULL, 0},
    {"mode", GF_OPTION_STR, "fast", 0, 0, modes, NULL, 0},
    {"label", GF_OPTION_STR, NULL, 0, 0, NULL, NULL, 0},
    {NULL, GF_OPTION_STR, NULL, 0, 0, NULL, NULL, 0},
};

/* --- validation, table-driven ----------------------------------------- */

struct vcase {
    const char *key;
    const char *value;
    int ret;
};

static const struct vcase vcases[] = {
    /* INT: base 0, whole string, 64-bit, bounds 1..64 inclusive */
    {"thread-count", "1", 0},
    {"thread-count", "64", 0},
    {"thread-count", "0x10", 0},
    {"thread-count", "010", 0},
    {"thread-count", "0", -EINVAL},
    {"thread-count", "65", -EINVAL},
    {"thread-count", "70", -EINVAL},
    {"thread-count", "12abc", -EINVAL},
    {"thread-count", "", -EINVAL},
    {"thread-count", " 12", -EINVAL},
    {"thread-count", "1.5", -EINVAL},
    {"thread-count", "08", -EINVAL},
    {"offset", "-9223372036854775808", 0},
    {"offset", "9223372036854775807", 0},
    {"offset", "9223372036854775808", -EINVAL},
    {"offset", "99999999999999999999", -EINVAL},
    {"offset", "-5", 0},
    {"offset", "0x", -EINVAL},
    /* SIZE */
    {"cache-size", "0", 0},
    {"cache-size", "4096", 0},
    {"cache-size", "128KB", 0},
    {"cache-size", "1MiB", 0},
    {"cache-size", "2g", 0},
    {"cache-size", "1.5GB", 0},
    {"cache-size", "7 tb", 0},
    {"cache-size", "16383PB", 0},
    {"cache-size", "16384PB", -EINVAL},
    {"cache-size", "18446744073709551615", 0},
    {"cache-size", "18446744073709551616", -EINVAL},
    {"cache-size", "99999999999999999999", -EINVAL},
    {"cache-size", "-1", -EINVAL},
    {"cache-size", "12XB", -EINVAL},
    {"cache-size", "KB", -EINVAL},
    {"cache-size", "", -EINVAL},
    {"cache-size", "1.2.3", -EINVAL},
    {"cache-size", "12 ", -EINVAL},
    {"cache-size", "+12", -EINVAL},
    {"page-size", "4KB", 0},
    {"page-size", "1MB", 0},
    {"page-size", "4095", -EINVAL},
    {"page-size", "1025KB", -EINVAL},
    /* PERCENT */
    {"min-free", "0", 0},
    {"min-free", "50%", 0},
    {"min-free", "12.5%", 0},
    {"min-free", "100", 0},
    {"min-free", "100%", 0},
    {"min-free", "101%", -EINVAL},
    {"min-free", "100.01", -EINVAL},
    {"min-free", "-1%", -EINVAL},
    {"min-free", "50%%", -EINVAL},
    {"min-free", "%", -EINVAL},
    {"min-free", "1e2", -EINVAL},
    {"min-free", "half", -EINVAL},
    {"low-free", "5%", 0},
    {"low-free", "50%", 0},
    {"low-free", "4.99", -EINVAL},
    {"low-free", "51", -EINVAL},
    /* BOOL */
    {"enabled", "on", 0},
    {"enabled", "OFF", 0},
    {"enabled", "Yes", 0},
    {"enabled", "no", 0},
    {"enabled", "TRUE", 0},
    {"enabled", "false", 0},
    {"enabled", "enable", 0},
    {"enabled", "Disable", 0},
    {"enabled", "1", 0},
    {"enabled", "0", 0},
    {"enabled", "maybe", -EINVAL},
    {"enabled", "2", -EINVAL},
    {"enabled", "", -EINVAL},
    {"enabled", "onn", -EINVAL},
    /* PATH */
    {"directory", "/", 0},
    {"directory", "/srv/brick 1", 0},
    {"directory", "srv/brick", -EINVAL},
    {"directory", "./brick", -EINVAL},
    {"directory", "", -EINVAL},
    /* TIME */
    {"timeout", "30", 0},
    {"timeout", "500ms", 0},
    {"timeout", "30s", 0},
    {"timeout", "2m", 0},
    {"timeout", "1h", 0},
    {"timeout", "1d", 0},
    {"timeout", "3 days", 0},
    {"timeout", "1.5min", 0},
    {"timeout", "10y", -EINVAL},
    {"timeout", "-1", -EINVAL},
    {"timeout", "s", -EINVAL},
    {"timeout", "99999999999999999999", -EINVAL},
    {"timeout", "18446744073709551615ms", 0},
    {"timeout", "18446744073709552s", -EINVAL},
    {"ping", "1", 0},
    {"ping", "60s", 0},
    {"ping", "1m", 0},
    {"ping", "999ms", -EINVAL},
    {"ping", "61", -EINVAL},
    {"ping", "60001ms", -EINVAL},
    /* DOUBLE */
    {"ratio", "3.25", 0},
    {"ratio", "-1e10", 0},
    {"ratio", "1e-400", 0},
    {"ratio", "1e309", -EINVAL},
    {"ratio", "inf", -EINVAL},
    {"ratio", "nan", -EINVAL},
    {"ratio", "1.5x", -EINVAL},
    {"ratio", "", -EINVAL},
    {"factor", "-1.5", 0},
    {"factor", "2.5", 0},
    {"factor", "2.51", -EINVAL},
    {"factor", "-1.6", -EINVAL},
    /* XLATOR */
    {"child", "brick-posix", 0},
    {"child", "", -EINVAL},
    {"child", "two words", -EINVAL},
    /* ADDR_LIST */
    {"allow", "*", 0},
    {"allow", "10.0.0.1", 0},
    {"allow", "192.168.*.*, 10.0.0.1 ,::1", 0},
    {"allow", "fe80::*,host-1.example.com", 0},
    {"allow", "10.0.0.0/8, 2001:db8::/32", 0},
    {"allow", "localhost", 0},
    {"allow", "", -EINVAL},
    {"allow", "10.0.0.1,", -EINVAL},
    {"allow", "10.0.0.1,,10.0.0.2", -EINVAL},
    {"allow", " , ", -EINVAL},
    {"allow", "300.1.1.1", -EINVAL},
    {"allow", "bad_host!", -EINVAL},
    {"allow", "-host", -EINVAL},
    {"allow", "10.0.0.0/33", -EINVAL},
    {"allow", "10.0.0.0/", -EINVAL},
    {"allow", "10.0.*.1?", -EINVAL},
    /* STR */
    {"mode", "fast", 0},
    {"mode", "SAFE", 0},
    {"mode", "Paranoid", 0},
    {"mode", "slow", -EINVAL},
    {"mode", "", -EINVAL},
    {"label", "", 0},
    {"label", "anything at all", 0},
    /* unknown keys, case-sensitive */
    {"thread_count", "4", -ENOENT},
    {"Thread-Count", "4", -ENOENT},
};

START_TEST(validate_table)
{
    const struct vcase *c = &vcases[_i];
    gf_option_error_t err;
    int ret;

    memset(&err, 0, sizeof(err));
    ret = gf_option_validate(table, c->key, c->value, &err);
    ck_assert_msg(ret == c->ret, "%s='%s': got %d, want %d (%s)", c->key,
                  c->value, ret, c->ret, err.message);
    if (ret < 0) {
        ck_assert_ptr_nonnull(strstr(err.message, c->key));
        if (ret == -EINVAL)
            ck_assert_msg(strstr(err.message, c->value) != NULL,
                          "message lacks the value: %s", err.message);
    }
}
END_TEST

/* --- values after a build ----------------------------------------------- */

static gf_option_set_t *
build(const char *const *keys, const char *const *values, size_t n)
{
    gf_option_set_t *set = NULL;
    gf_option_error_t err;
    int ret = gf_option_set_build(table, keys, values, n, &set, &err);

    ck_assert_msg(ret == 0, "build: %d %s", ret, err.message);
    ck_assert_ptr_nonnull(set);
    return set;
}

START_TEST(defaults_and_getters)
{
    gf_option_set_t *set = build(NULL, NULL, 0);
    const char *const *items;
    const char *s;
    int64_t i;
    uint64_t u;
    double d;
    bool b = true;
    size_t n;

    ck_assert_int_eq(gf_option_get_int(set, "thread-count", &i), 0);
    ck_assert_int_eq(i, 16);
    ck_assert_int_eq(gf_option_get_size(set, "cache-size", &u), 0);
    ck_assert_uint_eq(u, 32u << 20);
    ck_assert_int_eq(gf_option_get_percent(set, "min-free", &d), 0);
    ck_assert(d == 10.0);
    ck_assert_int_eq(gf_option_get_bool(set, "enabled", &b), 0);
    ck_assert(!b);
    ck_assert_int_eq(gf_option_get_str(set, "directory", &s), 0);
    ck_assert_str_eq(s, "/var/lib/gfsd");
    ck_assert_int_eq(gf_option_get_time_ms(set, "timeout", &u), 0);
    ck_assert_uint_eq(u, 42000);
    ck_assert_int_eq(gf_option_get_double(set, "ratio", &d), 0);
    ck_assert(d == 0.5);
    ck_assert_int_eq(gf_option_get_addr_list(set, "allow", &items, &n), 0);
    ck_assert_uint_eq(n, 2);
    ck_assert_str_eq(items[0], "127.0.0.1");
    ck_assert_str_eq(items[1], "::1");
    ck_assert_int_eq(gf_option_get_str(set, "mode", &s), 0);
    ck_assert_str_eq(s, "fast");
    /* No value and no default. */
    ck_assert_int_eq(gf_option_get_int(set, "offset", &i), -ENOENT);
    ck_assert_int_eq(gf_option_get_str(set, "child", &s), -ENOENT);
    ck_assert_int_eq(gf_option_get_str(set, "label", &s), -ENOENT);
    /* Not in the table at all. */
    ck_assert_int_eq(gf_option_get_int(set, "no-such", &i), -ENOENT);
    gf_option_set_free(set);
}
END_TEST

START_TEST(given_values)
{
    static const char *const k[] = {
        "thread-count", "offset",  "cache-size", "min-free", "enabled",
        "directory",    "timeout", "ratio",      "child",    "allow",
        "mode",         "label",   "page-size",  "ping",
    };
    static const char *const v[] = {
        "0x20",     "-7",     "1.5GiB", "12.5%",  "YES",
        "/srv/b1",  "1500ms", "-2.25",  "posix",  "10.0.0.*, FE80::1",
        "PARANOID", "",       "4KB",    "0.5min",
    };
    gf_option_set_t *set = build(k, v, GF_ARRAY_SIZE(k));
    const char *const *items;
    const char *s;
    int64_t i;
    uint64_t u;
    double d;
    bool b = false;
    size_t n;

    ck_assert_int_eq(gf_option_get_int(set, "thread-count", &i), 0);
    ck_assert_int_eq(i, 32);
    ck_assert_int_eq(gf_option_get_int(set, "offset", &i), 0);
    ck_assert_int_eq(i, -7);
    ck_assert_int_eq(gf_option_get_size(set, "cache-size", &u), 0);
    ck_assert_uint_eq(u, 3ull << 29);
    ck_assert_int_eq(gf_option_get_size(set, "page-size", &u), 0);
    ck_assert_uint_eq(u, 4096);
    ck_assert_int_eq(gf_option_get_percent(set, "min-free", &d), 0);
    ck_assert(d == 12.5);
    ck_assert_int_eq(gf_option_get_bool(set, "enabled", &b), 0);
    ck_assert(b);
    ck_assert_int_eq(gf_option_get_str(set, "directory", &s), 0);
    ck_assert_str_eq(s, "/srv/b1");
    ck_assert_int_eq(gf_option_get_time_ms(set, "timeout", &u), 0);
    ck_assert_uint_eq(u, 1500);
    ck_assert_int_eq(gf_option_get_time_ms(set, "ping", &u), 0);
    ck_assert_uint_eq(u, 30000);
    ck_assert_int_eq(gf_option_get_double(set, "ratio", &d), 0);
    ck_assert(d == -2.25);
    ck_assert_int_eq(gf_option_get_str(set, "child", &s), 0);
    ck_assert_str_eq(s, "posix");
    ck_assert_int_eq(gf_option_get_addr_list(set, "allow", &items, &n), 0);
    ck_assert_uint_eq(n, 2);
    ck_assert_str_eq(items[0], "10.0.0.*");
    ck_assert_str_eq(items[1], "fe80::1"); /* normalised */
    /* Enum: the table's spelling, not the volfile's. */
    ck_assert_int_eq(gf_option_get_str(set, "mode", &s), 0);
    ck_assert_str_eq(s, "paranoid");
    ck_assert_int_eq(gf_option_get_str(set, "label", &s), 0);
    ck_assert_str_eq(s, "");
    gf_option_set_free(set);
}
END_TEST

START_TEST(exact_units)
{
    static const struct {
        const char *in;
        uint64_t bytes;
    } sz[] = {
        {"1", 1},
        {"1b", 1},
        {"1K", 1024},
        {"1kib", 1024},
        {"3M", 3u << 20},
        {"0.5KB", 512},
        {"1.0009765625KB", 1025},
        {"2.5 GiB", 5ull << 29},
        {"1T", 1ull << 40},
        {"1.25tb", 5ull << 38},
        {"1P", 1ull << 50},
        {"1.5", 1},
        {".5K", 512},
        {"16383.999999999999999999PB", 18446744073709551615ull},
    };
    static const struct {
        const char *in;
        uint64_t ms;
    } tm[] = {
        {"0", 0},         {"7", 7000},      {"7s", 7000},
        {"7sec", 7000},   {"250ms", 250},   {"0.25", 250},
        {"2m", 120000},   {"2min", 120000}, {"1h", 3600000},
        {"2hr", 7200000}, {"1d", 86400000}, {"2days", 172800000},
        {"0.001s", 1},    {"0.0005", 0},    {"1.5H", 5400000},
    };
    const gf_option_t t[] = {
        {"s", GF_OPTION_SIZE, NULL, 0, 0, NULL, NULL, 0},
        {"t", GF_OPTION_TIME, NULL, 0, 0, NULL, NULL, 0},
        {NULL, GF_OPTION_STR, NULL, 0, 0, NULL, NULL, 0},
    };
    gf_option_set_t *set;
    gf_option_error_t err;
    uint64_t u;
    size_t i;

    for (i = 0; i < GF_ARRAY_SIZE(sz); i++) {
        const char *k = "s";

        ck_assert_int_eq(gf_option_set_build(t, &k, &sz[i].in, 1, &set, &err),
                         0);
        ck_assert_int_eq(gf_option_get_size(set, "s", &u), 0);
        ck_assert_msg(u == sz[i].bytes, "%s -> %llu", sz[i].in,
                      (unsigned long long)u);
        gf_option_set_free(set);
    }
    for (i = 0; i < GF_ARRAY_SIZE(tm); i++) {
        const char *k = "t";

        ck_assert_int_eq(gf_option_set_build(t, &k, &tm[i].in, 1, &set, &err),
                         0);
        ck_assert_int_eq(gf_option_get_time_ms(set, "t", &u), 0);
        ck_assert_msg(u == tm[i].ms, "%s -> %llu", tm[i].in,
                      (unsigned long long)u);
        gf_option_set_free(set);
    }
}
END_TEST

START_TEST(wrong_getter_type)
{
    gf_option_set_t *set = build(NULL, NULL, 0);
    const char *const *items;
    const char *s;
    int64_t i;
    uint64_t u;
    double d;
    bool b;
    size_t n;

    ck_assert_int_eq(gf_option_get_int(set, "cache-size", &i), -EINVAL);
    ck_assert_int_eq(gf_option_get_size(set, "thread-count", &u), -EINVAL);
    ck_assert_int_eq(gf_option_get_size(set, "timeout", &u), -EINVAL);
    ck_assert_int_eq(gf_option_get_time_ms(set, "cache-size", &u), -EINVAL);
    ck_assert_int_eq(gf_option_get_percent(set, "ratio", &d), -EINVAL);
    ck_assert_int_eq(gf_option_get_double(set, "min-free", &d), -EINVAL);
    ck_assert_int_eq(gf_option_get_bool(set, "thread-count", &b), -EINVAL);
    ck_assert_int_eq(gf_option_get_str(set, "enabled", &s), -EINVAL);
    ck_assert_int_eq(gf_option_get_str(set, "allow", &s), -EINVAL);
    ck_assert_int_eq(gf_option_get_addr_list(set, "mode", &items, &n), -EINVAL);
    /* Wrong type wins over "no value": a programming error is loud. */
    ck_assert_int_eq(gf_option_get_str(set, "offset", &s), -EINVAL);
    ck_assert_int_eq(gf_option_addr_match(set, "mode", "1.2.3.4"), -EINVAL);
    gf_option_set_free(set);
}
END_TEST

START_TEST(bounds_inclusive)
{
    const gf_option_t t[] = {
        {"n", GF_OPTION_INT, NULL, -3, 3, NULL, NULL, 0},
        {NULL, GF_OPTION_STR, NULL, 0, 0, NULL, NULL, 0},
    };
    const char *k = "n";
    char buf[16];
    gf_option_set_t *set;
    gf_option_error_t err;
    int64_t i, v;

    for (v = -5; v <= 5; v++) {
        const char *val = buf;
        int ret;

        snprintf(buf, sizeof(buf), "%lld", (long long)v);
        ret = gf_option_set_build(t, &k, &val, 1, &set, &err);
        if (v < -3 || v > 3) {
            ck_assert_int_eq(ret, -EINVAL);
            ck_assert_ptr_null(set);
            ck_assert_uint_eq(err.index, 0);
            ck_assert_ptr_nonnull(
                strstr(err.message, v < 0 ? "minimum -3" : "maximum 3"));
            continue;
        }
        ck_assert_int_eq(ret, 0);
        ck_assert_int_eq(gf_option_get_int(set, "n", &i), 0);
        ck_assert_int_eq(i, v);
        gf_option_set_free(set);
    }
}
END_TEST

START_TEST(message_text)
{
    gf_option_error_t err;
    char longval[300];

    ck_assert_int_eq(gf_option_validate(table, "thread-count", "70", &err),
                     -EINVAL);
    ck_assert_str_eq(err.message,
                     "option 'thread-count': '70' is above the maximum 64");
    ck_assert_int_eq(gf_option_validate(table, "trhead-count", "4", &err),
                     -ENOENT);
    ck_assert_str_eq(err.message, "unknown option 'trhead-count' "
                                  "(did you mean 'thread-count'?)");
    ck_assert_int_eq(gf_option_validate(table, "zzzzzz", "4", &err), -ENOENT);
    ck_assert_str_eq(err.message, "unknown option 'zzzzzz'");
    ck_assert_int_eq(gf_option_validate(table, "mode", "slow", &err), -EINVAL);
    ck_assert_str_eq(err.message, "option 'mode': 'slow' is not one of "
                                  "'fast', 'Safe', 'paranoid'");
    ck_assert_int_eq(gf_option_validate(table, "page-size", "1", &err),
                     -EINVAL);
    ck_assert_str_eq(err.message,
                     "option 'page-size': '1' is below the minimum 4096 "
                     "bytes");
    ck_assert_int_eq(gf_option_validate(table, "ping", "2m", &err), -EINVAL);
    ck_assert_str_eq(err.message,
                     "option 'ping': '2m' is above the maximum 60 seconds");
    /* A huge value is clipped, the reason still fits. */
    memset(longval, 'x', sizeof(longval) - 1);
    longval[sizeof(longval) - 1] = '\0';
    ck_assert_int_eq(gf_option_validate(table, "enabled", longval, &err),
                     -EINVAL);
    ck_assert_ptr_nonnull(strstr(err.message, "...' is not a boolean"));
    ck_assert_ptr_nonnull(strstr(err.message, "1/0)"));
}
END_TEST

START_TEST(unknown_key_in_build)
{
    static const char *const k[] = {"thread-count", "trhead-count"};
    static const char *const v[] = {"4", "8"};
    gf_option_set_t *set = (gf_option_set_t *)&set;
    gf_option_error_t err;

    ck_assert_int_eq(gf_option_set_build(table, k, v, 2, &set, &err), -EINVAL);
    ck_assert_ptr_null(set);
    ck_assert_uint_eq(err.index, 1);
    ck_assert_ptr_nonnull(strstr(err.message, "unknown option 'trhead-count'"));
    ck_assert_ptr_nonnull(strstr(err.message, "did you mean 'thread-count'"));
    /* Keys are case-sensitive, as in volfiles. */
    ck_assert_int_eq(gf_option_set_build(table, (const char *const[]){"MODE"},
                                         (const char *const[]){"fast"}, 1, &set,
                                         &err),
                     -EINVAL);
    ck_assert_uint_eq(err.index, 0);
    /* No table: every key is unknown; no pairs is fine. */
    ck_assert_int_eq(gf_option_set_build(NULL, k, v, 1, &set, &err), -EINVAL);
    ck_assert_str_eq(err.message, "unknown option 'thread-count'");
    ck_assert_int_eq(gf_option_set_build(NULL, NULL, NULL, 0, &set, &err), 0);
    ck_assert_int_eq(gf_option_get_int(set, "thread-count", NULL), -EINVAL);
    {
        int64_t i;

        ck_assert_int_eq(gf_option_get_int(set, "thread-count", &i), -ENOENT);
    }
    gf_option_set_free(set);
}
END_TEST

START_TEST(bad_value_in_build)
{
    static const char *const k[] = {"label", "enabled", "timeout"};
    static const char *const v[] = {"x", "on", "soon"};
    gf_option_set_t *set;
    gf_option_error_t err;

    ck_assert_int_eq(gf_option_set_build(table, k, v, 3, &set, &err), -EINVAL);
    ck_assert_ptr_null(set);
    ck_assert_uint_eq(err.index, 2);
    ck_assert_ptr_nonnull(strstr(err.message, "option 'timeout': 'soon'"));
}
END_TEST

START_TEST(last_wins)
{
    static const char *const k[] = {"thread-count", "mode", "thread-count",
                                    "allow",        "mode", "allow"};
    static const char *const v[] = {"4",    "safe",   "8", "1.1.1.1,2.2.2.2",
                                    "FAST", "3.3.3.3"};
    gf_option_set_t *set = build(k, v, GF_ARRAY_SIZE(k));
    const char *const *items;
    const char *s;
    int64_t i;
    size_t n;

    ck_assert_int_eq(gf_option_get_int(set, "thread-count", &i), 0);
    ck_assert_int_eq(i, 8);
    ck_assert_int_eq(gf_option_get_str(set, "mode", &s), 0);
    ck_assert_str_eq(s, "fast");
    ck_assert_int_eq(gf_option_get_addr_list(set, "allow", &items, &n), 0);
    ck_assert_uint_eq(n, 1);
    ck_assert_str_eq(items[0], "3.3.3.3");
    gf_option_set_free(set);
}
END_TEST

/* --- address matching ---------------------------------------------------- */

static int
match(const char *list, const char *addr)
{
    const char *k = "allow";
    gf_option_set_t *set;
    gf_option_error_t err;
    int ret;

    ck_assert_int_eq(gf_option_set_build(table, &k, &list, 1, &set, &err), 0);
    ret = gf_option_addr_match(set, "allow", addr);
    gf_option_set_free(set);
    return ret;
}

START_TEST(addr_match)
{
    ck_assert_int_eq(match("127.0.0.*", "127.0.0.1"), 1);
    ck_assert_int_eq(match("127.0.0.*", "127.0.1.1"), 0);
    ck_assert_int_eq(match("127.*", "10.0.0.1"), 0);
    ck_assert_int_eq(match("127.*", "127.200.3.4"), 1);
    ck_assert_int_eq(match("*", "10.0.0.1"), 1);
    ck_assert_int_eq(match("*", "2001:db8::7"), 1);
    ck_assert_int_eq(match("::1", "::1"), 1);
    ck_assert_int_eq(match("::1", "0:0:0:0:0:0:0:1"), 1);
    ck_assert_int_eq(match("0:0::0:1", "::1"), 1);
    ck_assert_int_eq(match("::1", "127.0.0.1"), 0);
    ck_assert_int_eq(match("127.0.0.1", "::1"), 0);
    ck_assert_int_eq(match("FE80::ABCD", "fe80::abcd"), 1);
    ck_assert_int_eq(match("fe80::abcd", "FE80:0::ABCD"), 1);
    ck_assert_int_eq(match("FE80::*", "fe80::1:2"), 1);
    ck_assert_int_eq(match("fe80::*", "fe81::1"), 0);
    ck_assert_int_eq(match("10.0.0.1, 10.0.0.2", "10.0.0.2"), 1);
    ck_assert_int_eq(match("10.0.0.1, 10.0.0.2", "10.0.0.3"), 0);
    ck_assert_int_eq(match("1*1", "1.1.1.1"), 1);
    ck_assert_int_eq(match("*.1", "10.0.0.12"), 0);
    ck_assert_int_eq(match("*.*.*.1*", "10.0.0.12"), 1);
    /* v4-mapped v6 peers match v4 items. */
    ck_assert_int_eq(match("127.0.0.*", "::ffff:127.0.0.9"), 1);
    ck_assert_int_eq(match("127.0.0.1", "::ffff:127.0.0.1"), 1);
    ck_assert_int_eq(match("::ffff:127.0.0.1", "::ffff:127.0.0.1"), 1);
    /* CIDR prefixes. */
    ck_assert_int_eq(match("10.0.0.0/8", "10.255.1.2"), 1);
    ck_assert_int_eq(match("10.0.0.0/8", "11.0.0.1"), 0);
    ck_assert_int_eq(match("192.168.1.0/25", "192.168.1.127"), 1);
    ck_assert_int_eq(match("192.168.1.0/25", "192.168.1.128"), 0);
    ck_assert_int_eq(match("0.0.0.0/0", "8.8.8.8"), 1);
    ck_assert_int_eq(match("2001:db8::/32", "2001:db8:ffff::1"), 1);
    ck_assert_int_eq(match("2001:db8::/32", "2001:db9::1"), 0);
    ck_assert_int_eq(match("10.0.0.0/8", "::1"), 0);
    /* Host names never match a numeric address (no DNS here). */
    ck_assert_int_eq(match("localhost", "127.0.0.1"), 0);
    /* ADDR must be numeric. */
    ck_assert_int_eq(match("*", "localhost"), -EINVAL);
    ck_assert_int_eq(match("*", ""), -EINVAL);
    ck_assert_int_eq(match("*", "1.2.3.4.5"), -EINVAL);
}
END_TEST

START_TEST(addr_match_unset)
{
    const gf_option_t t[] = {
        {"a", GF_OPTION_ADDR_LIST, NULL, 0, 0, NULL, NULL, 0},
        {NULL, GF_OPTION_STR, NULL, 0, 0, NULL, NULL, 0},
    };
    gf_option_set_t *set;

    ck_assert_int_eq(gf_option_set_build(t, NULL, NULL, 0, &set, NULL), 0);
    ck_assert_int_eq(gf_option_addr_match(set, "a", "1.2.3.4"), -ENOENT);
    ck_assert_int_eq(gf_option_addr_match(set, "b", "1.2.3.4"), -ENOENT);
    ck_assert_int_eq(gf_option_addr_match(set, "a", NULL), -EINVAL);
    ck_assert_int_eq(gf_option_addr_match(set, NULL, "1.2.3.4"), -EINVAL);
    ck_assert_int_eq(gf_option_addr_match(NULL, "a", "1.2.3.4"), -EINVAL);
    gf_option_set_free(set);
}
END_TEST

/* --- sets compared (reconfigure) -------------------------------------- */

START_TEST(set_same)
{
    static const char *const k1[] = {"cache-size", "enabled", "allow", "mode",
                                     "timeout"};
    static const char *const v1[] = {"1MB", "on", "::1, 10.0.0.1", "safe",
                                     "60"};
    static const char *const v2[] = {"1024KB", "yes", "0:0::1,10.0.0.1", "SAFE",
                                     "1m"};
    static const char *const v3[] = {"1MB", "off", "10.0.0.1", "fast", "61"};
    gf_option_set_t *a = build(k1, v1, 5), *b = build(k1, v2, 5);
    gf_option_set_t *c = build(k1, v3, 5), *d = build(NULL, NULL, 0);
    size_t i;

    for (i = 0; i < GF_ARRAY_SIZE(k1); i++)
        ck_assert_int_eq(gf_option_set_same(a, b, k1[i]), 1);
    ck_assert_int_eq(gf_option_set_same(a, c, "cache-size"), 1);
    ck_assert_int_eq(gf_option_set_same(a, c, "enabled"), 0);
    ck_assert_int_eq(gf_option_set_same(a, c, "allow"), 0);
    ck_assert_int_eq(gf_option_set_same(a, c, "mode"), 0);
    ck_assert_int_eq(gf_option_set_same(a, c, "timeout"), 0);
    /* Defaults count: "off" is the default of enabled. */
    ck_assert_int_eq(gf_option_set_same(c, d, "enabled"), 1);
    ck_assert_int_eq(gf_option_set_same(a, d, "enabled"), 0);
    /* Both unset. */
    ck_assert_int_eq(gf_option_set_same(a, d, "offset"), 1);
    ck_assert_int_eq(gf_option_set_same(a, a, "thread-count"), 1);
    ck_assert_int_eq(gf_option_set_same(NULL, a, "mode"), 0);
    ck_assert_int_eq(gf_option_set_same(a, b, NULL), 0);
    gf_option_set_free(a);
    gf_option_set_free(b);
    gf_option_set_free(c);
    gf_option_set_free(d);
}
END_TEST

/* --- bad tables ----------------------------------------------------------- */

START_TEST(bad_default)
{
    const gf_option_t bad[] = {
        {"ok", GF_OPTION_INT, "5", 0, 0, NULL, NULL, 0},
        {"count", GF_OPTION_INT, "lots", 0, 0, NULL, NULL, 0},
        {NULL, GF_OPTION_STR, NULL, 0, 0, NULL, NULL, 0},
    };
    const gf_option_t out_of_range[] = {
        {"count", GF_OPTION_INT, "100", 1, 10, NULL, NULL, 0},
        {NULL, GF_OPTION_STR, NULL, 0, 0, NULL, NULL, 0},
    };
    const gf_option_t bad_enum[] = {
        {"mode", GF_OPTION_STR, "slow", 0, 0, modes, NULL, 0},
        {NULL, GF_OPTION_STR, NULL, 0, 0, NULL, NULL, 0},
    };
    const char *k = "ok", *v = "6";
    gf_option_set_t *set = (gf_option_set_t *)&set;
    gf_option_error_t err;

    ck_assert_int_eq(gf_option_set_build(bad, &k, &v, 1, &set, &err), -EINVAL);
    ck_assert_ptr_null(set);
    ck_assert_uint_eq(err.index, SIZE_MAX);
    ck_assert_ptr_nonnull(strstr(err.message, "option 'count': 'lots'"));
    ck_assert_ptr_nonnull(strstr(err.message, "default"));
    ck_assert_int_eq(
        gf_option_set_build(out_of_range, NULL, NULL, 0, &set, &err), -EINVAL);
    ck_assert_uint_eq(err.index, SIZE_MAX);
    ck_assert_int_eq(gf_option_set_build(bad_enum, NULL, NULL, 0, &set, &err),
                     -EINVAL);
    ck_assert_uint_eq(err.index, SIZE_MAX);
    ck_assert_ptr_nonnull(strstr(err.message, "'slow' is not one of"));
}
END_TEST

START_TEST(bad_table_shape)
{
    const gf_option_t dup[] = {
        {"a", GF_OPTION_INT, NULL, 0, 0, NULL, NULL, 0},
        {"a", GF_OPTION_BOOL, NULL, 0, 0, NULL, NULL, 0},
        {NULL, GF_OPTION_STR, NULL, 0, 0, NULL, NULL, 0},
    };
    const gf_option_t minmax[] = {
        {"a", GF_OPTION_INT, NULL, 10, 1, NULL, NULL, 0},
        {NULL, GF_OPTION_STR, NULL, 0, 0, NULL, NULL, 0},
    };
    const gf_option_t values_on_int[] = {
        {"a", GF_OPTION_INT, NULL, 0, 0, modes, NULL, 0},
        {NULL, GF_OPTION_STR, NULL, 0, 0, NULL, NULL, 0},
    };
    const gf_option_t empty_key[] = {
        {"", GF_OPTION_INT, NULL, 0, 0, NULL, NULL, 0},
        {NULL, GF_OPTION_STR, NULL, 0, 0, NULL, NULL, 0},
    };
    const gf_option_t bad_type[] = {
        {"a", (gf_option_type_t)99, NULL, 0, 0, NULL, NULL, 0},
        {NULL, GF_OPTION_STR, NULL, 0, 0, NULL, NULL, 0},
    };
    const gf_option_t *tables[] = {dup, minmax, values_on_int, empty_key,
                                   bad_type};
    gf_option_set_t *set;
    gf_option_error_t err;
    size_t i;

    for (i = 0; i < GF_ARRAY_SIZE(tables); i++) {
        err.index = 0;
        ck_assert_int_eq(
            gf_option_set_build(tables[i], NULL, NULL, 0, &set, &err), -EINVAL);
        ck_assert_ptr_null(set);
        ck_assert_uint_eq(err.index, SIZE_MAX);
        ck_assert(err.message[0] != '\0');
    }
}
END_TEST

/* --- bad arguments ------------------------------------------------------ */

START_TEST(null_args)
{
    const char *k = "enabled", *nk = NULL, *v = "on";
    gf_option_set_t *set = NULL;
    gf_option_error_t err;
    const char *const *items;
    const char *s;
    int64_t i;
    uint64_t u;
    double d;
    bool b;
    size_t n;

    ck_assert_int_eq(gf_option_set_build(table, &k, &v, 1, NULL, &err),
                     -EINVAL);
    ck_assert_int_eq(gf_option_set_build(table, NULL, &v, 1, &set, &err),
                     -EINVAL);
    ck_assert_int_eq(gf_option_set_build(table, &k, NULL, 1, &set, NULL),
                     -EINVAL);
    ck_assert_int_eq(gf_option_set_build(table, &nk, &v, 1, &set, &err),
                     -EINVAL);
    ck_assert_uint_eq(err.index, 0);
    nk = NULL;
    ck_assert_int_eq(gf_option_set_build(table, &k, &nk, 1, &set, &err),
                     -EINVAL);
    ck_assert_ptr_null(set);
    ck_assert_int_eq(gf_option_validate(table, NULL, "1", &err), -EINVAL);
    ck_assert_int_eq(gf_option_validate(table, "enabled", NULL, NULL), -EINVAL);
    ck_assert_int_eq(gf_option_validate(NULL, "enabled", "on", NULL), -ENOENT);
    gf_option_set_free(NULL);

    set = build(NULL, NULL, 0);
    ck_assert_int_eq(gf_option_get_str(NULL, "mode", &s), -EINVAL);
    ck_assert_int_eq(gf_option_get_str(set, NULL, &s), -EINVAL);
    ck_assert_int_eq(gf_option_get_str(set, "mode", NULL), -EINVAL);
    ck_assert_int_eq(gf_option_get_int(set, "thread-count", NULL), -EINVAL);
    ck_assert_int_eq(gf_option_get_int(NULL, "thread-count", &i), -EINVAL);
    ck_assert_int_eq(gf_option_get_size(set, NULL, &u), -EINVAL);
    ck_assert_int_eq(gf_option_get_percent(set, "min-free", NULL), -EINVAL);
    ck_assert_int_eq(gf_option_get_bool(NULL, "enabled", &b), -EINVAL);
    ck_assert_int_eq(gf_option_get_time_ms(set, "timeout", NULL), -EINVAL);
    ck_assert_int_eq(gf_option_get_double(set, NULL, &d), -EINVAL);
    ck_assert_int_eq(gf_option_get_addr_list(set, "allow", NULL, &n), -EINVAL);
    ck_assert_int_eq(gf_option_get_addr_list(set, "allow", &items, NULL),
                     -EINVAL);
    gf_option_set_free(set);
}
END_TEST

/* --- many readers ------------------------------------------------------- */

static void *
reader(void *arg)
{
    const gf_option_set_t *set = arg;
    long bad = 0;
    int r;

    for (r = 0; r < 20000; r++) {
        int64_t i = 0;
        const char *s = NULL;

        bad += gf_option_get_int(set, "thread-count", &i) != 0 || i != 16;
        bad +=
            gf_option_get_str(set, "mode", &s) != 0 || strcmp(s, "fast") != 0;
        bad += gf_option_addr_match(set, "allow", "::1") != 1;
        bad += gf_option_addr_match(set, "allow", "10.1.1.1") != 0;
    }
    return (void *)bad;
}

/* Pattern keys: each concrete key its own value, the default otherwise;
 * '*' is one dotted component; an exact entry wins over a pattern. */
static const gf_option_t ptable[] = {
    {"auth.addr.*.allow", GF_OPTION_ADDR_LIST, NULL, 0, 0, NULL, NULL, 0},
    {"auth.addr.*.reject", GF_OPTION_ADDR_LIST, NULL, 0, 0, NULL, NULL, 0},
    {"limit.*", GF_OPTION_INT, "7", 0, 100, NULL, NULL, 0},
    {"limit.special", GF_OPTION_STR, "exact", 0, 0, NULL, NULL, 0},
    {NULL, GF_OPTION_STR, NULL, 0, 0, NULL, NULL, 0},
};

START_TEST(pattern_keys)
{
    const char *keys[] = {"auth.addr.a.allow", "auth.addr.b.allow", "limit.x",
                          "auth.addr.a.allow", "limit.special"};
    const char *vals[] = {"10.0.0.1", "192.168.1.*", "42", "10.0.0.2", "given"};
    gf_option_set_t *set = NULL, *set2 = NULL;
    gf_option_error_t err;
    const char *s = NULL;
    int64_t i = 0;

    ck_assert_int_eq(gf_option_set_build(ptable, keys, vals, 5, &set, &err), 0);
    /* Last value wins per concrete key; keys do not share values. */
    ck_assert_int_eq(gf_option_addr_match(set, "auth.addr.a.allow", "10.0.0.2"),
                     1);
    ck_assert_int_eq(gf_option_addr_match(set, "auth.addr.a.allow", "10.0.0.1"),
                     0);
    ck_assert_int_eq(
        gf_option_addr_match(set, "auth.addr.b.allow", "192.168.1.9"), 1);
    ck_assert_int_eq(gf_option_addr_match(set, "auth.addr.b.allow", "10.0.0.2"),
                     0);
    /* A concrete key never given: the pattern's default (unset here). */
    ck_assert_int_eq(gf_option_addr_match(set, "auth.addr.c.allow", "10.0.0.2"),
                     -ENOENT);
    ck_assert_int_eq(gf_option_addr_match(set, "auth.addr.a.reject", "1.2.3.4"),
                     -ENOENT);
    ck_assert_int_eq(gf_option_get_int(set, "limit.x", &i), 0);
    ck_assert_int_eq(i, 42);
    ck_assert_int_eq(gf_option_get_int(set, "limit.y", &i), 0);
    ck_assert_int_eq(i, 7);
    ck_assert_int_eq(gf_option_get_str(set, "limit.special", &s), 0);
    ck_assert_str_eq(s, "given");
    /* '*' is one component: not empty, no dots. */
    ck_assert_int_eq(gf_option_get_int(set, "limit.", &i), -ENOENT);
    ck_assert_int_eq(gf_option_get_int(set, "limit.a.b", &i), -ENOENT);

    /* Values of a concrete key are checked like any other. */
    const char *bk[] = {"limit.z"}, *bv[] = {"101"};
    ck_assert_int_eq(gf_option_set_build(ptable, bk, bv, 1, &set2, &err),
                     -EINVAL);
    ck_assert_ptr_nonnull(strstr(err.message, "101"));
    const char *uk[] = {"auth.addr..allow"}, *uv[] = {"10.0.0.1"};
    ck_assert_int_eq(gf_option_set_build(ptable, uk, uv, 1, &set2, &err),
                     -EINVAL);
    ck_assert_ptr_nonnull(strstr(err.message, "unknown option"));
    ck_assert_int_eq(
        gf_option_validate(ptable, "auth.addr.x.reject", "10.0.0.0/8", &err),
        0);
    ck_assert_int_eq(
        gf_option_validate(ptable, "auth.addr.x.y.reject", "1.1.1.1", &err),
        -ENOENT);

    /* Reconfigure sees a change in any concrete key of a pattern. */
    ck_assert_int_eq(gf_option_set_build(ptable, keys, vals, 4, &set2, &err),
                     0);
    ck_assert_int_eq(gf_option_set_same(set, set2, "auth.addr.*.allow"), 1);
    gf_option_set_free(set2);
    vals[1] = "192.168.2.*";
    ck_assert_int_eq(gf_option_set_build(ptable, keys, vals, 4, &set2, &err),
                     0);
    ck_assert_int_eq(gf_option_set_same(set, set2, "auth.addr.*.allow"), 0);
    ck_assert_int_eq(gf_option_set_same(set, set2, "auth.addr.a.allow"), 1);
    ck_assert_int_eq(gf_option_set_same(set, set2, "auth.addr.b.allow"), 0);
    gf_option_set_free(set2);
    ck_assert_int_eq(gf_option_set_build(ptable, keys, vals, 1, &set2, &err),
                     0);
    ck_assert_int_eq(gf_option_set_same(set, set2, "auth.addr.*.allow"), 0);
    ck_assert_int_eq(gf_option_set_same(set2, set, "auth.addr.*.allow"), 0);
    gf_option_set_free(set2);
    gf_option_set_free(set);
}
END_TEST

START_TEST(concurrent_readers)
{
    gf_option_set_t *set = build(NULL, NULL, 0);
    pthread_t th[4];
    size_t i;

    for (i = 0; i < GF_ARRAY_SIZE(th); i++)
        ck_assert_int_eq(pthread_create(&th[i], NULL, reader, set), 0);
    for (i = 0; i < GF_ARRAY_SIZE(th); i++) {
        void *bad;

        ck_assert_int_eq(pthread_join(th[i], &bad), 0);
        ck_assert_ptr_null(bad);
    }
    gf_option_set_free(set);
}
END_TEST

int
main(void)
{
    Suite *s = suite_create("options");
    TCase *tc = tcase_create("core");

    tcase_set_timeout(tc, 60);
    tcase_add_loop_test(tc, validate_table, 0, (int)GF_ARRAY_SIZE(vcases));
    tcase_add_test(tc, defaults_and_getters);
    tcase_add_test(tc, given_values);
    tcase_add_test(tc, exact_units);
    tcase_add_test(tc, wrong_getter_type);
    tcase_add_test(tc, bounds_inclusive);
    tcase_add_test(tc, message_text);
    tcase_add_test(tc, unknown_key_in_build);
    tcase_add_test(tc, bad_value_in_build);
    tcase_add_test(tc, last_wins);
    tcase_add_test(tc, addr_match);
    tcase_add_test(tc, addr_match_unset);
    tcase_add_test(tc, set_same);
    tcase_add_test(tc, bad_default);
    tcase_add_test(tc, bad_table_shape);
    tcase_add_test(tc, null_args);
    tcase_add_test(tc, pattern_keys);
    tcase_add_test(tc, concurrent_readers);
    suite_add_tcase(s, tc);
    return gf_test_run(s);
}
