/* SPDX-License-Identifier: LGPL-3.0-or-later */
/*
 * check-statedump.c - statedumps of a live graph (debug/io-stats over
 * test/park over test/sink), read back by a strict parser: the file name,
 * the line format, the sections and the counts they report.
 */
#include <dirent.h>
#include <errno.h>
#include <stdbool.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include <gf/graph.h>
#include <gf/mem-acct.h>
#include <gf/mem-pool.h>
#include <gf/statedump.h>
#include <gf/stub.h>
#include <gf/syncop.h>
#include <gf/volfile.h>
#include <gf/xlator.h>

#include "gf-test.h"

/* Private state of test/park (tests/xlators/park.c). */
#define PARK_MAX 64
typedef struct park_priv {
    pthread_mutex_t lock;
    gf_stub_t *stubs[PARK_MAX];
    int count;
} park_priv_t;

static const char vol[] = "volume leaf\n"
                          "  type test/sink\n"
                          "  option size 4096\n"
                          "end-volume\n"
                          "volume park\n"
                          "  type test/park\n"
                          "  subvolumes leaf\n"
                          "end-volume\n"
                          "volume stats\n"
                          "  type debug/io-stats\n"
                          "  option latency-measurement on\n"
                          "  subvolumes park\n"
                          "end-volume\n";

typedef struct env {
    gf_ctx_t *ctx;
    gf_volfile_t *vf;
    gf_graph_t *graph;
    gf_call_pool_t *pool;
    gf_syncop_t sc;
    char dir[PATH_MAX];
} env_t;

static void
env_start(env_t *e)
{
    gf_volfile_error_t verr;
    char err[512];

    e->ctx = gf_ctx_new();
    ck_assert_ptr_nonnull(e->ctx);
    ck_assert_int_eq(gf_ctx_init_defaults(e->ctx), 0);
    ck_assert_int_eq(
        gf_volfile_parse(vol, strlen(vol), "sd.vol", &e->vf, &verr), 0);
    ck_assert_msg(gf_graph_new(e->ctx, e->vf, &e->graph, err, sizeof(err)) == 0,
                  "%s", err);
    ck_assert_int_eq(gf_graph_init(e->graph, err, sizeof(err)), 0);
    ck_assert_int_eq(gf_graph_activate(e->graph), 0);
    e->pool = gf_call_pool_new(e->ctx);
    ck_assert_ptr_nonnull(e->pool);
    e->sc.pool = e->pool;
    e->sc.subvol = gf_graph_top(e->graph);
    e->sc.id = NULL;
    snprintf(e->dir, sizeof(e->dir), "%s/check-statedump-XXXXXX",
             gf_test_tmpdir());
    ck_assert_ptr_nonnull(mkdtemp(e->dir));
}

/* Remove every file of DIR, then DIR; returns how many files there were. */
static int
clean_dir(const char *dir)
{
    DIR *d = opendir(dir);
    struct dirent *de;
    char p[PATH_MAX * 2];
    int n = 0;

    ck_assert_ptr_nonnull(d);
    while ((de = readdir(d)) != NULL) {
        if (!strcmp(de->d_name, ".") || !strcmp(de->d_name, ".."))
            continue;
        snprintf(p, sizeof(p), "%s/%s", dir, de->d_name);
        ck_assert_int_eq(unlink(p), 0);
        n++;
    }
    closedir(d);
    ck_assert_int_eq(rmdir(dir), 0);
    return n;
}

static void
env_stop(env_t *e)
{
    ck_assert_uint_eq(gf_call_pool_count(e->pool), 0);
    gf_call_pool_free(e->pool);
    gf_graph_free(e->graph);
    gf_volfile_free(e->vf);
    gf_ctx_free(e->ctx);
}

/* Names of the files in DIR, "|"-joined, in BUF; returns their number. */
static int
list_dir(const char *dir, char *buf, size_t len)
{
    DIR *d = opendir(dir);
    struct dirent *de;
    int n = 0;

    ck_assert_ptr_nonnull(d);
    buf[0] = '\0';
    while ((de = readdir(d)) != NULL) {
        if (!strcmp(de->d_name, ".") || !strcmp(de->d_name, ".."))
            continue;
        strncat(buf, "|", len - strlen(buf) - 1);
        strncat(buf, de->d_name, len - strlen(buf) - 1);
        n++;
    }
    closedir(d);
    return n;
}

/* ---- the parser --------------------------------------------------------- */

/* A dump read back: its text, with each line NUL-terminated in place. */
typedef struct dump {
    char *text;
    char **lines;
    size_t nlines;
} dump_t;

static bool
is_time_line(const char *line, const char *label)
{
    size_t n = strlen(label);
    int y, mo, d, h, mi, s;
    long us;

    return strncmp(line, label, n) == 0 &&
           sscanf(line + n, ": %4d-%2d-%2d %2d:%2d:%2d.%6ld", &y, &mo, &d, &h,
                  &mi, &s, &us) == 7;
}

/* Read PATH and check every line's form; fails the test otherwise. */
static void
dump_read(dump_t *d, const char *path)
{
    FILE *f = fopen(path, "r");
    long size;
    size_t i;
    char *p;

    ck_assert_ptr_nonnull(f);
    ck_assert_int_eq(fseek(f, 0, SEEK_END), 0);
    size = ftell(f);
    rewind(f);
    ck_assert_int_gt(size, 0);
    d->text = malloc((size_t)size + 1);
    ck_assert_uint_eq(fread(d->text, 1, (size_t)size, f), (size_t)size);
    fclose(f);
    d->text[size] = '\0';
    ck_assert_msg(d->text[size - 1] == '\n', "no final newline");
    d->nlines = 0;
    for (p = d->text; *p; p++)
        d->nlines += *p == '\n';
    d->lines = calloc(d->nlines, sizeof(*d->lines));
    for (i = 0, p = d->text; i < d->nlines; i++) {
        d->lines[i] = p;
        p = strchr(p, '\n');
        *p++ = '\0';
    }
    ck_assert_msg(is_time_line(d->lines[0], "DUMP-START-TIME"), "%s",
                  d->lines[0]);
    ck_assert_msg(is_time_line(d->lines[d->nlines - 1], "DUMP-END-TIME"), "%s",
                  d->lines[d->nlines - 1]);
    for (i = 1; i + 1 < d->nlines; i++) {
        const char *l = d->lines[i];
        size_t n = strlen(l);
        const char *eq = strchr(l, '=');

        if (l[0] == '[')
            ck_assert_msg(n > 2 && l[n - 1] == ']' && !strchr(l + 1, '[') &&
                              !strchr(l, '=') && !strchr(l, ' '),
                          "bad section line %zu: '%s'", i, l);
        else
            ck_assert_msg(eq && eq > l && !memchr(l, ' ', (size_t)(eq - l)),
                          "bad line %zu: '%s'", i, l);
    }
}

static void
dump_free(dump_t *d)
{
    free(d->lines);
    free(d->text);
}

/* Index of the line "[SECTION]", or 0 when absent. */
static size_t
find_section(const dump_t *d, const char *section)
{
    size_t i, n = strlen(section);

    for (i = 1; i + 1 < d->nlines; i++)
        if (d->lines[i][0] == '[' && !strncmp(d->lines[i] + 1, section, n) &&
            d->lines[i][n + 1] == ']' && d->lines[i][n + 2] == '\0')
            return i;
    return 0;
}

/* Value of KEY in SECTION, or NULL. */
static const char *
get(const dump_t *d, const char *section, const char *key)
{
    size_t i = find_section(d, section), n = strlen(key);

    if (!i)
        return NULL;
    for (i++; i + 1 < d->nlines && d->lines[i][0] != '['; i++)
        if (!strncmp(d->lines[i], key, n) && d->lines[i][n] == '=')
            return d->lines[i] + n + 1;
    return NULL;
}

static void
assert_value(const dump_t *d, const char *section, const char *key,
             const char *want)
{
    const char *v = get(d, section, key);

    ck_assert_msg(v != NULL, "[%s] %s missing", section, key);
    ck_assert_msg(!strcmp(v, want), "[%s] %s=%s, want %s", section, key, v,
                  want);
}

/* Number of sections whose name starts with PREFIX. */
static int
count_sections(const dump_t *d, const char *prefix)
{
    size_t i, n = strlen(prefix);
    int c = 0;

    for (i = 1; i + 1 < d->nlines; i++)
        c += d->lines[i][0] == '[' && !strncmp(d->lines[i] + 1, prefix, n);
    return c;
}

/* Name of the first section whose KEY is VALUE, among those starting with
 * PREFIX (copied to OUT), or false. */
static bool
section_with(const dump_t *d, const char *prefix, const char *key,
             const char *value, char *out, size_t len)
{
    size_t i, n = strlen(prefix);

    for (i = 1; i + 1 < d->nlines; i++) {
        const char *l = d->lines[i];
        const char *v;

        if (l[0] != '[' || strncmp(l + 1, prefix, n))
            continue;
        snprintf(out, len, "%.*s", (int)(strlen(l) - 2), l + 1);
        v = get(d, out, key);
        if (v && !strcmp(v, value))
            return true;
    }
    return false;
}

/* Check that PATH is DIR/BASE.<pid>.dump.<secs> with T0 <= secs <= T1. */
/* The clock the dump names its file with: time(2) reads a coarser clock
 * that can still say the previous second when CLOCK_REALTIME has moved on. */
static time_t
now_s(void)
{
    struct timespec ts;

    clock_gettime(CLOCK_REALTIME, &ts);
    return ts.tv_sec;
}

static void
check_name(const char *path, const char *dir, const char *base, time_t t0,
           time_t t1)
{
    char want[PATH_MAX * 2];
    long long ts;
    char *end;

    snprintf(want, sizeof(want), "%s/%s.%ld.dump.", dir, base, (long)getpid());
    ck_assert_msg(!strncmp(path, want, strlen(want)), "%s", path);
    ts = strtoll(path + strlen(want), &end, 10);
    ck_assert_msg(*end == '\0' && end != path + strlen(want), "%s", path);
    ck_assert_int_ge(ts, t0);
    ck_assert_int_le(ts, t1);
}

/* ---- the tests ---------------------------------------------------------- */

typedef struct reply {
    int calls;
    int32_t op_ret;
} reply_t;

static int
stat_cbk(gf_frame_t *frame, void *cookie, gf_xlator_t *self, int32_t op_ret,
         int32_t op_errno, gf_iatt_t *buf, gf_dict_t *xdata)
{
    reply_t *r = cookie;

    r->calls++;
    r->op_ret = op_ret;
    return 0;
}

static const char *const sd_types[] = {"alpha", "never-used"};

/* The pending request: a STAT from uid 1000 parked in test/park. */
static gf_frame_t *
park_a_stat(env_t *e, reply_t *r)
{
    static const gf_identity_t id = {.uid = 1000, .gid = 100, .pid = 4242};
    gf_loc_t loc = {.path = "/pending"};
    gf_frame_t *frame = gf_frame_new(e->pool, gf_graph_top(e->graph), &id);
    park_priv_t *priv = gf_xlator_private(gf_graph_find(e->graph, "park"));

    ck_assert_ptr_nonnull(frame);
    gf_wind_stat(frame, gf_graph_top(e->graph), stat_cbk, r, &loc, NULL);
    ck_assert_int_eq(r->calls, 0);
    ck_assert_int_eq(priv->count, 1);
    return frame;
}

static void
check_first_dump(const dump_t *d, const char *acct_section)
{
    char sec[256];

    ck_assert_ptr_nonnull(get(d, "process", "pid"));
    ck_assert_int_eq(atol(get(d, "process", "pid")), getpid());
    /* Memory accounting: the odd owner name is made safe, unused types
     * are skipped. */
    assert_value(d, acct_section, "num_allocs", "2");
    assert_value(d, acct_section, "size", "300");
    snprintf(sec, sizeof(sec), "%s.alpha", acct_section);
    assert_value(d, sec, "size", "300");
    assert_value(d, sec, "num_allocs", "2");
    assert_value(d, sec, "max_size", "300");
    assert_value(d, sec, "total_allocs", "2");
    snprintf(sec, sizeof(sec), "%s.never-used", acct_section);
    ck_assert_uint_eq(find_section(d, sec), 0);
    /* Pools and classes. */
    ck_assert(
        section_with(d, "mempool.", "pool-name", "sd-pool", sec, sizeof(sec)));
    ck_assert_ptr_nonnull(get(d, sec, "usable-size"));
    ck_assert_int_ge(atol(get(d, sec, "usable-size")), 100);
    ck_assert(section_with(d, "mempool.", "pool-name", "call-frame", sec,
                           sizeof(sec)));
    ck_assert_int_eq(count_sections(d, "mempool.class."), GF_MEM_POOL_CLASSES);
    assert_value(d, "mempool.class.0", "size", "128");
    /* Iobuf arenas: the first class of the table is 128 B pages. */
    ck_assert_ptr_nonnull(get(d, "iobuf.global", "misses"));
    assert_value(d, "iobuf.global.class.0", "page-size", "128");
}

static void
check_pending(const dump_t *d)
{
    char sec[256];

    assert_value(d, "global.callpool", "callpool.cnt", "1");
    ck_assert_int_eq(count_sections(d, "global.callpool.stack."), 1 + 3);
    assert_value(d, "global.callpool.stack.1", "uid", "1000");
    assert_value(d, "global.callpool.stack.1", "gid", "100");
    assert_value(d, "global.callpool.stack.1", "pid", "4242");
    assert_value(d, "global.callpool.stack.1", "op", "STAT");
    assert_value(d, "global.callpool.stack.1", "cnt", "3");
    /* The top frame, then the hops: stats -> park, both waiting. */
    assert_value(d, "global.callpool.stack.1.frame.1", "translator", "stats");
    assert_value(d, "global.callpool.stack.1.frame.1", "parent", "");
    ck_assert(section_with(d, "global.callpool.stack.1.frame.", "translator",
                           "park", sec, sizeof(sec)));
    assert_value(d, sec, "parent", "stats");
    assert_value(d, sec, "fop", "STAT");
    assert_value(d, sec, "complete", "0");
    /* The graph, top first, with io-stats' own counters. */
    assert_value(d, "graph", "xlators", "3");
    assert_value(d, "graph", "top", "stats");
    ck_assert_uint_lt(find_section(d, "xlator.stats"),
                      find_section(d, "xlator.park"));
    ck_assert_uint_lt(find_section(d, "xlator.park"),
                      find_section(d, "xlator.leaf"));
    ck_assert_msg(
        !strncmp(get(d, "xlator.stats", "LOOKUP"), "count=3 errors=0 ", 17),
        "%s", get(d, "xlator.stats", "LOOKUP"));
    ck_assert(
        !strncmp(get(d, "xlator.stats", "ACCESS"), "count=2 errors=1 ", 17));
    ck_assert_ptr_null(get(d, "xlator.stats", "STAT"));
}

START_TEST(dump_describes_the_process)
{
    env_t e;
    reply_t r = {0};
    gf_loc_t loc = {.path = "/f"};
    char path[PATH_MAX * 2], files[1024];
    gf_mem_acct_t *acct;
    gf_mem_pool_t *mp;
    void *a, *b;
    gf_frame_t *frame;
    time_t t0, t1;
    dump_t d;
    int i;

    env_start(&e);
    acct = gf_mem_acct_new("sd test[1]", sd_types, 2);
    a = gf_malloc(acct, 0, 100);
    b = gf_malloc(acct, 0, 200);
    mp = gf_mem_pool_new("sd-pool", 100, 7);
    for (i = 0; i < 3; i++)
        ck_assert_int_eq(gf_syncop_lookup(&e.sc, NULL, &loc, NULL), 0);
    ck_assert_int_eq(gf_syncop_access(&e.sc, NULL, &loc, 0, NULL), 0);
    ck_assert_int_eq(gf_syncop_access(&e.sc, NULL, &loc, 0777, NULL), -EACCES);
    frame = park_a_stat(&e, &r);

    t0 = now_s();
    ck_assert_int_eq(gf_statedump_write(e.ctx, e.graph, e.pool, e.dir, "sd",
                                        path, sizeof(path)),
                     0);
    t1 = now_s();
    check_name(path, e.dir, "sd", t0, t1);
    ck_assert_int_eq(list_dir(e.dir, files, sizeof(files)), 1);
    dump_read(&d, path);
    check_first_dump(&d, "mem-acct.sd_test_1_");
    check_pending(&d);
    dump_free(&d);

    /* Once the request is answered, nothing is pending and io-stats has
     * counted it. */
    gf_stub_resume(
        ((park_priv_t *)gf_xlator_private(gf_graph_find(e.graph, "park")))
            ->stubs[0]);
    ck_assert_int_eq(r.calls, 1);
    ck_assert_int_eq(r.op_ret, 0);
    gf_stack_destroy(gf_frame_stack(frame));
    ck_assert_int_eq(gf_statedump_write(e.ctx, e.graph, e.pool, e.dir, "sd",
                                        path, sizeof(path)),
                     0);
    dump_read(&d, path);
    assert_value(&d, "global.callpool", "callpool.cnt", "0");
    ck_assert_int_eq(count_sections(&d, "global.callpool.stack."), 0);
    ck_assert(
        !strncmp(get(&d, "xlator.stats", "STAT"), "count=1 errors=0 ", 17));
    dump_free(&d);
    /* One or two dumps (same second or not), and no temporary file. */
    i = list_dir(e.dir, files, sizeof(files));
    ck_assert_msg(i >= 1 && i <= 2 && !strstr(files, "|dump"), "%s", files);

    gf_free(a);
    gf_free(b);
    gf_mem_acct_free(acct);
    gf_mem_pool_destroy(mp);
    clean_dir(e.dir);
    env_stop(&e);
}
END_TEST

START_TEST(optional_parts_and_names)
{
    env_t e;
    char path[PATH_MAX * 2], files[1024];
    time_t t0;
    dump_t d;

    env_start(&e);
    t0 = now_s();
    /* A brick path names the file; no pool, no graph: no such sections. */
    ck_assert_int_eq(gf_statedump_write(e.ctx, NULL, NULL, e.dir, "/bricks/b1",
                                        path, sizeof(path)),
                     0);
    check_name(path, e.dir, "bricks-b1", t0, now_s());
    dump_read(&d, path);
    ck_assert_uint_ne(find_section(&d, "process"), 0);
    ck_assert_uint_eq(find_section(&d, "global.callpool"), 0);
    ck_assert_uint_eq(find_section(&d, "graph"), 0);
    ck_assert_int_eq(count_sections(&d, "xlator."), 0);
    dump_free(&d);

    /* No name: the default one. PATH_OUT may be NULL. */
    ck_assert_int_eq(
        gf_statedump_write(e.ctx, e.graph, NULL, e.dir, NULL, NULL, 0), 0);
    ck_assert_int_eq(list_dir(e.dir, files, sizeof(files)), 2);
    ck_assert_msg(strstr(files, "|" GF_STATEDUMP_DEFAULT_NAME ".") != NULL,
                  "%s", files);
    ck_assert_int_eq(clean_dir(e.dir), 2);
    env_stop(&e);
}
END_TEST

START_TEST(errors_leave_no_file)
{
    env_t e;
    char path[PATH_MAX * 2], small[8], files[256], big[301];

    env_start(&e);
    snprintf(path, sizeof(path), "%s/missing", e.dir);
    ck_assert_int_eq(
        gf_statedump_write(e.ctx, e.graph, e.pool, path, "sd", NULL, 0),
        -ENOENT);
    ck_assert_int_eq(
        gf_statedump_write(NULL, e.graph, e.pool, e.dir, "sd", NULL, 0),
        -EINVAL);
    ck_assert_int_eq(
        gf_statedump_write(e.ctx, e.graph, e.pool, NULL, "sd", NULL, 0),
        -EINVAL);
    ck_assert_int_eq(
        gf_statedump_write(e.ctx, e.graph, e.pool, "", "sd", NULL, 0), -EINVAL);
    ck_assert_int_eq(
        gf_statedump_write(e.ctx, e.graph, e.pool, e.dir, "//", NULL, 0),
        -EINVAL);
    ck_assert_int_eq(gf_statedump_write(e.ctx, e.graph, e.pool, e.dir, "sd",
                                        small, sizeof(small)),
                     -ERANGE);
    /* A name too long for a file: refused before writing (300 bytes), or
     * by the rename once the dump is written (250 bytes, plus the pid and
     * time): either way the temporary file is gone. */
    memset(big, 'n', sizeof(big) - 1);
    big[sizeof(big) - 1] = '\0';
    ck_assert_int_eq(
        gf_statedump_write(e.ctx, e.graph, e.pool, e.dir, big, NULL, 0),
        -ENAMETOOLONG);
    big[250] = '\0';
    ck_assert_int_eq(
        gf_statedump_write(e.ctx, e.graph, e.pool, e.dir, big, NULL, 0),
        -ENAMETOOLONG);
    ck_assert_int_eq(list_dir(e.dir, files, sizeof(files)), 0);
    /* A regular file is no directory. */
    snprintf(path, sizeof(path), "%s/file", e.dir);
    fclose(fopen(path, "w"));
    ck_assert_int_eq(
        gf_statedump_write(e.ctx, e.graph, e.pool, path, "sd", NULL, 0),
        -ENOTDIR);
    ck_assert_int_eq(list_dir(e.dir, files, sizeof(files)), 1);
    ck_assert_str_eq(files, "|file");
    ck_assert_int_eq(clean_dir(e.dir), 1);
    env_stop(&e);
}
END_TEST

START_TEST(unwritable_dir_gives_eacces)
{
    env_t e;
    char files[256];
    bool root = geteuid() == 0;
    int ret;

    env_start(&e);
    ck_assert_int_eq(chmod(e.dir, 0500), 0);
    /* Root writes anywhere: become nobody for the call (the real uid
     * stays 0, so the effective one can come back). */
    if (root)
        ck_assert_int_eq(seteuid(65534), 0);
    ret = gf_statedump_write(e.ctx, e.graph, e.pool, e.dir, "sd", NULL, 0);
    if (root)
        ck_assert_int_eq(seteuid(0), 0);
    ck_assert_int_eq(ret, -EACCES);
    ck_assert_int_eq(chmod(e.dir, 0700), 0);
    ck_assert_int_eq(list_dir(e.dir, files, sizeof(files)), 0);
    clean_dir(e.dir);
    env_stop(&e);
}
END_TEST

int
main(void)
{
    Suite *s = suite_create("statedump");
    TCase *tc = tcase_create("core");

    tcase_set_timeout(tc, 30);
    tcase_add_test(tc, dump_describes_the_process);
    tcase_add_test(tc, optional_parts_and_names);
    tcase_add_test(tc, errors_leave_no_file);
    tcase_add_test(tc, unwritable_dir_gives_eacces);
    suite_add_tcase(s, tc);
    return gf_test_run(s);
}
