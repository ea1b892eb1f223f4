/* SPDX-License-Identifier: LGPL-3.0-or-later */
/*
 * check-log.c - the log: level filter and parsing, the line format (checked
 * with a regex), syslog mode, repeat suppression and its LRU, reopen after
 * rotation, truncation, whole lines under concurrency, bad input.
 */
#include <errno.h>
#include <pthread.h>
#include <regex.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <fcntl.h>
#include <signal.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include <gf/log.h>

#include "gf-test.h"

static char path[512];

static void
setup(void)
{
    snprintf(path, sizeof(path), "%s/gf-check-log-%d.log", gf_test_tmpdir(),
             (int)getpid());
    unlink(path);
    ck_assert_int_eq(gf_log_init(path, "check-log"), 0);
}

static void
teardown(void)
{
    gf_log_fini();
    unlink(path);
}

/* The whole file at P, NUL-terminated (caller frees); "" if absent. */
static char *
slurp(const char *p)
{
    FILE *f = fopen(p, "r");
    char *buf;
    long n;

    if (!f)
        return strdup("");
    fseek(f, 0, SEEK_END);
    n = ftell(f);
    rewind(f);
    buf = malloc((size_t)n + 1);
    ck_assert_ptr_nonnull(buf);
    ck_assert_uint_eq(fread(buf, 1, (size_t)n, f), (size_t)n);
    buf[n] = '\0';
    fclose(f);
    return buf;
}

static int
count_lines(const char *s)
{
    int n = 0;

    for (; *s; s++)
        n += *s == '\n';
    return n;
}

static int
count_of(const char *s, const char *needle)
{
    int n = 0;

    while ((s = strstr(s, needle)) != NULL) {
        n++;
        s += strlen(needle);
    }
    return n;
}

/* The Nth (from 0) line of S, copied into BUF. */
static const char *
nth_line(const char *s, int n, char *buf, size_t len)
{
    const char *end;

    while (n-- > 0 && s)
        s = (s = strchr(s, '\n')) ? s + 1 : NULL;
    ck_assert_ptr_nonnull(s);
    end = strchr(s, '\n');
    ck_assert_ptr_nonnull(end);
    ck_assert_uint_lt((size_t)(end - s), len);
    memcpy(buf, s, (size_t)(end - s));
    buf[end - s] = '\0';
    return buf;
}

/* Log TEXT from one call site, so that repeats are recognised as such
 * (the call site is part of a message's identity). */
static void
say(const char *text)
{
    gf_log("dom", GF_LOG_INFO, "%s", text);
}

START_TEST(level_parse)
{
    static const struct {
        const char *s;
        gf_log_level_t l;
    } ok[] = {{"INFO", GF_LOG_INFO},
              {"debug", GF_LOG_DEBUG},
              {"TRACE", GF_LOG_TRACE},
              {"NONE", GF_LOG_NONE},
              {"Warning", GF_LOG_WARNING},
              {"warn", GF_LOG_WARNING},
              {"CRITICAL", GF_LOG_CRITICAL},
              {"error", GF_LOG_ERROR},
              {"GF_LOG_NOTICE", GF_LOG_NOTICE},
              {"emerg", GF_LOG_EMERG},
              {"alert", GF_LOG_ALERT}};
    static const char *bad[] = {"", "inf", "infos", "5", "GF_LOG_", " info"};
    gf_log_level_t l = GF_LOG_INFO;

    for (size_t i = 0; i < GF_ARRAY_SIZE(ok); i++) {
        l = (gf_log_level_t)-1;
        ck_assert_int_eq(gf_log_level_parse(ok[i].s, &l), 0);
        ck_assert_int_eq(l, ok[i].l);
    }
    for (size_t i = 0; i < GF_ARRAY_SIZE(bad); i++)
        ck_assert_int_eq(gf_log_level_parse(bad[i], &l), -EINVAL);
    ck_assert_int_eq(gf_log_level_parse(NULL, &l), -EINVAL);
    ck_assert_int_eq(gf_log_level_parse("info", NULL), -EINVAL);
    ck_assert_int_eq(gf_log_level_letter(GF_LOG_ERROR), 'E');
    ck_assert_int_eq(gf_log_level_letter(GF_LOG_NONE), '?');
    ck_assert_int_eq(gf_log_get_level(), GF_LOG_INFO); /* the default */
}
END_TEST

static int evaluated;

static int
side_effect(void)
{
    return ++evaluated;
}

START_TEST(level_filter)
{
    char *s;

    gf_log("dom", GF_LOG_DEBUG, "hidden %d", side_effect());
    gf_log("dom", GF_LOG_INFO, "shown-info");
    ck_assert_int_eq(evaluated, 0); /* not even evaluated */
    ck_assert_int_eq(gf_log_set_level(GF_LOG_DEBUG), 0);
    ck_assert_int_eq(gf_log_get_level(), GF_LOG_DEBUG);
    gf_log("dom", GF_LOG_DEBUG, "shown-debug %d", side_effect());
    gf_log("dom", GF_LOG_TRACE, "hidden-trace");
    ck_assert_int_eq(gf_log_set_level(GF_LOG_NONE), 0);
    gf_log("dom", GF_LOG_EMERG, "hidden-emerg");
    ck_assert_int_eq(gf_log_emit("dom", GF_LOG_NONE, "f.c", 1, "f", "x"), 0);

    s = slurp(path);
    ck_assert_ptr_null(strstr(s, "hidden"));
    ck_assert_ptr_nonnull(strstr(s, "shown-info"));
    ck_assert_ptr_nonnull(strstr(s, "shown-debug 1"));
    ck_assert_int_eq(count_lines(s), 2);
    ck_assert_int_eq(evaluated, 1);
    free(s);
}
END_TEST

/* Submatch M of LINE as a string (static buffer). */
static const char *
field(const char *line, const regmatch_t *m)
{
    static char buf[256];

    snprintf(buf, sizeof(buf), "%.*s", (int)(m->rm_eo - m->rm_so),
             line + m->rm_so);
    return buf;
}

START_TEST(format_regex)
{
    static const char *re_src =
        "^\\[([0-9]{4})-([0-9]{2})-([0-9]{2}) ([0-9]{2}):([0-9]{2}):"
        "([0-9]{2})\\.[0-9]{6} \\+0000\\] ([MACEWNIDT]) "
        "\\[([^]:]+):([0-9]+):([^]]+)\\] ([^ ]+): (.*)$";
    regex_t re;
    regmatch_t m[13];
    char line[512];
    char *s;
    int at_line;
    time_t before = time(NULL), stamp;
    struct tm tm = {0};

    ck_assert_int_eq(gf_log_set_level(GF_LOG_TRACE), 0);
    at_line = __LINE__ + 1;
    gf_log("vol-posix", GF_LOG_INFO, "hello %d %s", 42, "world");
    gf_log("d", GF_LOG_EMERG, "m");
    gf_log("d", GF_LOG_ALERT, "a");
    gf_log("d", GF_LOG_CRITICAL, "c");
    gf_log("d", GF_LOG_ERROR, "e");
    gf_log("d", GF_LOG_WARNING, "w");
    gf_log("d", GF_LOG_NOTICE, "n");
    gf_log("d", GF_LOG_DEBUG, "dbg");
    gf_log("d", GF_LOG_TRACE, "t");
    gf_log_emit(NULL, GF_LOG_INFO, NULL, 7, NULL, "anon");

    s = slurp(path);
    ck_assert_int_eq(count_lines(s), 10);
    ck_assert_int_eq(regcomp(&re, re_src, REG_EXTENDED), 0);
    nth_line(s, 0, line, sizeof(line));
    ck_assert_int_eq(regexec(&re, line, GF_ARRAY_SIZE(m), m, 0), 0);
    tm.tm_year = atoi(field(line, &m[1])) - 1900;
    tm.tm_mon = atoi(field(line, &m[2])) - 1;
    tm.tm_mday = atoi(field(line, &m[3]));
    tm.tm_hour = atoi(field(line, &m[4]));
    tm.tm_min = atoi(field(line, &m[5]));
    tm.tm_sec = atoi(field(line, &m[6]));
    stamp = timegm(&tm);
    ck_assert_int_ge(stamp, before);
    ck_assert_int_le(stamp, time(NULL));
    ck_assert_str_eq(field(line, &m[7]), "I");
    ck_assert_str_eq(field(line, &m[8]), "check-log.c");
    ck_assert_int_eq(atoi(field(line, &m[9])), at_line);
    ck_assert_str_eq(field(line, &m[10]), "format_regex_fn");
    ck_assert_str_eq(field(line, &m[11]), "vol-posix");
    ck_assert_str_eq(field(line, &m[12]), "hello 42 world");

    /* one letter per level, in order */
    for (int i = 1; i <= 8; i++) {
        nth_line(s, i, line, sizeof(line));
        ck_assert_int_eq(regexec(&re, line, GF_ARRAY_SIZE(m), m, 0), 0);
        ck_assert_int_eq(field(line, &m[7])[0], "MACEWNDT"[i - 1]);
    }
    nth_line(s, 9, line, sizeof(line));
    ck_assert_ptr_nonnull(strstr(line, "] I [?:7:?] -: anon"));
    regfree(&re);
    free(s);
}
END_TEST

START_TEST(syslog_mode)
{
    char *s;

    ck_assert_int_eq(gf_log_set_syslog(true), 0);
    gf_log("check-log", GF_LOG_DEBUG, "filtered, not sent");
    gf_log("check-log", GF_LOG_INFO, "gfsd check-log syslog test line");
    gf_log("check-log", GF_LOG_INFO, "gfsd check-log syslog test line");
    ck_assert_int_eq(gf_log_flush(), 0);
    s = slurp(path);
    ck_assert_str_eq(s, "");
    free(s);
    ck_assert_int_eq(gf_log_set_syslog(false), 0);
    gf_log("check-log", GF_LOG_INFO, "back to the file");
    s = slurp(path);
    ck_assert_int_eq(count_lines(s), 1);
    ck_assert_ptr_nonnull(strstr(s, "back to the file"));
    free(s);
}
END_TEST

START_TEST(suppress_repeats)
{
    char line[1024];
    char *s;

    for (int i = 0; i < 10; i++)
        gf_log("dom", GF_LOG_WARNING, "disk %s is full", "sda");
    s = slurp(path);
    ck_assert_int_eq(count_lines(s), 1);
    free(s);
    gf_log_flush();
    s = slurp(path);
    ck_assert_int_eq(count_lines(s), 2);
    nth_line(s, 1, line, sizeof(line));
    ck_assert_ptr_nonnull(strstr(line, " W [check-log.c:"));
    ck_assert_ptr_nonnull(
        strstr(line, "] dom: disk sda is full [repeated 9 times between "));
    ck_assert_ptr_nonnull(strstr(line, " +0000 and "));
    ck_assert_int_eq(line[strlen(line) - 1], ']');
    free(s);

    /* after a flush the same message is new again */
    gf_log("dom", GF_LOG_WARNING, "disk %s is full", "sda");
    s = slurp(path);
    ck_assert_int_eq(count_lines(s), 3);
    free(s);

    /* a different level, domain or line is a different message */
    gf_log("dom", GF_LOG_ERROR, "disk %s is full", "sda");
    gf_log("dom2", GF_LOG_WARNING, "disk %s is full", "sda");
    s = slurp(path);
    ck_assert_int_eq(count_lines(s), 5);
    free(s);
}
END_TEST

START_TEST(suppress_window)
{
    char line[1024];
    char *s;

    ck_assert_int_eq(gf_log_set_flush_timeout(100), 0);
    for (int i = 0; i < 3; i++)
        say("A");
    usleep(150000);
    say("B"); /* finds A's window over */
    say("A"); /* new window: written again */
    s = slurp(path);
    ck_assert_int_eq(count_lines(s), 4);
    ck_assert_ptr_nonnull(strstr(nth_line(s, 0, line, sizeof(line)), ": A"));
    ck_assert_ptr_nonnull(strstr(nth_line(s, 1, line, sizeof(line)),
                                 ": A [repeated 2 times between"));
    ck_assert_ptr_nonnull(strstr(nth_line(s, 2, line, sizeof(line)), ": B"));
    ck_assert_str_eq(strstr(nth_line(s, 3, line, sizeof(line)), ": "), ": A");
    free(s);

    /* 0 turns suppression off */
    ck_assert_int_eq(gf_log_set_flush_timeout(0), 0);
    for (int i = 0; i < 3; i++)
        say("C");
    s = slurp(path);
    ck_assert_int_eq(count_of(s, ": C\n"), 3);
    free(s);
}
END_TEST

START_TEST(suppress_lru)
{
    char line[1024];
    char *s;

    /* interleaved messages are each remembered */
    for (int i = 0; i < 3; i++) {
        say("A");
        say("B");
    }
    s = slurp(path);
    ck_assert_int_eq(count_lines(s), 2);
    free(s);

    /* A is the least recent: the 5th newer message pushes it out and
     * writes its count; B (used since A) survives one more */
    say("B");
    say("C");
    say("D");
    say("E");
    s = slurp(path);
    ck_assert_int_eq(count_lines(s), 5);
    free(s);
    say("F");
    s = slurp(path);
    ck_assert_int_eq(count_lines(s), 7);
    ck_assert_ptr_nonnull(strstr(nth_line(s, 5, line, sizeof(line)),
                                 ": A [repeated 2 times between"));
    ck_assert_ptr_nonnull(strstr(nth_line(s, 6, line, sizeof(line)), ": F"));
    free(s);
    gf_log_flush();
    s = slurp(path);
    ck_assert_int_eq(count_lines(s), 8);
    ck_assert_ptr_nonnull(strstr(nth_line(s, 7, line, sizeof(line)),
                                 ": B [repeated 3 times between"));
    free(s);

    /* a size of 0 disables suppression; sizes above the maximum fail */
    ck_assert_int_eq(gf_log_set_lru_size(GF_LOG_MAX_LRU_SIZE + 1), -EINVAL);
    ck_assert_int_eq(gf_log_set_lru_size(0), 0);
    say("G");
    say("G");
    s = slurp(path);
    ck_assert_int_eq(count_of(s, ": G\n"), 2);
    free(s);
}
END_TEST

START_TEST(reopen_after_rename)
{
    char old[600];
    char *s;

    snprintf(old, sizeof(old), "%s.1", path);
    say("before rotation");
    say("before rotation");
    ck_assert_int_eq(rename(path, old), 0);
    ck_assert_int_eq(gf_log_reopen(), 0);
    say("after rotation");

    s = slurp(old);
    ck_assert_int_eq(count_lines(s), 2); /* the line and its count */
    ck_assert_ptr_nonnull(strstr(s, "before rotation [repeated 1 times"));
    ck_assert_ptr_null(strstr(s, "after"));
    free(s);
    s = slurp(path);
    ck_assert_int_eq(count_lines(s), 1);
    ck_assert_ptr_nonnull(strstr(s, "after rotation"));
    free(s);
    unlink(old);

    /* a relative path still names the same file after a chdir */
    {
        char cwd[512];
        char *base = strrchr(path, '/');

        ck_assert_ptr_nonnull(getcwd(cwd, sizeof(cwd)));
        *base = '\0';
        ck_assert_int_eq(chdir(path), 0);
        *base = '/';
        ck_assert_int_eq(gf_log_init(base + 1, NULL), 0);
        ck_assert_int_eq(chdir("/"), 0);
        ck_assert_int_eq(rename(path, old), 0);
        ck_assert_int_eq(gf_log_reopen(), 0);
        say("relative");
        ck_assert_int_eq(chdir(cwd), 0);
        s = slurp(path);
        ck_assert_ptr_nonnull(strstr(s, "relative"));
        free(s);
        unlink(old);
    }

    /* stderr has nothing to reopen */
    ck_assert_int_eq(gf_log_init("-", NULL), 0);
    ck_assert_int_eq(gf_log_reopen(), 0);
}
END_TEST

START_TEST(long_truncated)
{
    size_t big = 3 * GF_LOG_LINE_MAX;
    char *msg = malloc(big + 1);
    char *s, *nl;

    memset(msg, 'x', big);
    msg[big] = '\0';
    say(msg);
    say(msg);
    gf_log_flush();
    s = slurp(path);
    ck_assert_int_eq(count_lines(s), 2);
    nl = strchr(s, '\n');
    ck_assert_uint_eq((size_t)(nl - s) + 1, GF_LOG_LINE_MAX);
    ck_assert_int_eq(strncmp(nl - 4, "x...", 4), 0);
    /* the repeat count survives the cut */
    ck_assert_uint_le(strlen(nl + 1), GF_LOG_LINE_MAX);
    ck_assert_ptr_nonnull(strstr(nl + 1, "x... [repeated 1 times between"));
    free(s);
    free(msg);
}
END_TEST

enum { NTHREADS = 4, PER_THREAD = 2000 };

static void *
log_thread(void *arg)
{
    int id = (int)(intptr_t)arg;
    char pad[1500];

    memset(pad, 'a' + id, sizeof(pad) - 1);
    pad[sizeof(pad) - 1] = '\0';
    for (int i = 0; i < PER_THREAD; i++)
        gf_log("worker", GF_LOG_INFO, "t%d n%d %.*s end", id, i,
               (i * 37) % 1400, pad);
    return NULL;
}

START_TEST(concurrent_whole_lines)
{
    regex_t re;
    pthread_t th[NTHREADS];
    char *s, *p;
    int *seen = calloc(NTHREADS * PER_THREAD, sizeof(int));
    int lines = 0;

    ck_assert_int_eq(regcomp(&re,
                             "^\\[[-0-9 :.+]+\\] I \\[check-log\\.c:[0-9]+:"
                             "log_thread\\] worker: t([0-3]) n([0-9]+) "
                             "([a-d]*) end$",
                             REG_EXTENDED),
                     0);
    for (int i = 0; i < NTHREADS; i++)
        pthread_create(&th[i], NULL, log_thread, (void *)(intptr_t)i);
    for (int i = 0; i < NTHREADS; i++)
        pthread_join(th[i], NULL);

    s = slurp(path);
    for (p = s; *p; lines++) {
        char *nl = strchr(p, '\n');
        regmatch_t m[4];
        int t, n;

        ck_assert_ptr_nonnull(nl);
        *nl = '\0';
        ck_assert_msg(regexec(&re, p, 4, m, 0) == 0, "torn line: %.80s", p);
        t = atoi(p + m[1].rm_so);
        n = atoi(p + m[2].rm_so);
        ck_assert_int_lt(n, PER_THREAD);
        ck_assert_int_eq(m[3].rm_eo - m[3].rm_so, (n * 37) % 1400);
        for (regoff_t k = m[3].rm_so; k < m[3].rm_eo; k++)
            ck_assert_int_eq(p[k], 'a' + t);
        seen[t * PER_THREAD + n]++;
        p = nl + 1;
    }
    ck_assert_int_eq(lines, NTHREADS * PER_THREAD);
    for (int i = 0; i < NTHREADS * PER_THREAD; i++)
        ck_assert_int_eq(seen[i], 1);
    regfree(&re);
    free(seen);
    free(s);
}
END_TEST

START_TEST(bad_input)
{
    char dir[512];
    char *s;

    snprintf(dir, sizeof(dir), "%s", gf_test_tmpdir());
    ck_assert_int_eq(gf_log_init(dir, "x"), -EISDIR);
    ck_assert_int_eq(gf_log_init("/nonexistent-gf-dir/a.log", NULL), -ENOENT);
    /* the previous sink is still in use */
    gf_log("dom", GF_LOG_INFO, "still here");
    s = slurp(path);
    ck_assert_ptr_nonnull(strstr(s, "still here"));
    free(s);

#pragma GCC diagnostic push
#pragma GCC diagnostic ignored "-Wformat"
#pragma GCC diagnostic ignored "-Wnonnull"
    ck_assert_int_eq(gf_log_emit("dom", GF_LOG_INFO, "f.c", 1, "f", NULL),
                     -EINVAL);
#pragma GCC diagnostic pop
    ck_assert_int_eq(gf_log_emit("dom", (gf_log_level_t)42, "f.c", 1, "f", "x"),
                     -EINVAL);
    ck_assert_int_eq(gf_log_set_level((gf_log_level_t)42), -EINVAL);
    ck_assert_int_eq(gf_log_set_level((gf_log_level_t)-1), -EINVAL);
    ck_assert_int_eq(gf_log_get_level(), GF_LOG_INFO);

    /* fini returns to stderr and defaults; a second fini is harmless */
    gf_log_set_level(GF_LOG_DEBUG);
    gf_log_fini();
    gf_log_fini();
    ck_assert_int_eq(gf_log_get_level(), GF_LOG_INFO);
    gf_log("dom", GF_LOG_DEBUG, "not written anywhere");
}
END_TEST

/* A failed GF_ASSERT reaches the log file too (through assert.c's hook). */
START_TEST(assert_reaches_log)
{
    int status, devnull;
    pid_t pid;
    char *s;

    gf_log("dom", GF_LOG_INFO, "before the end");
    pid = fork();
    ck_assert_int_ge(pid, 0);
    if (pid == 0) {
        devnull = open("/dev/null", O_WRONLY);
        dup2(devnull, STDERR_FILENO); /* keep the report off the TAP */
        signal(SIGABRT, SIG_DFL);
        GF_ASSERT(getpid() == 0);
        _exit(0);
    }
    ck_assert_int_eq(waitpid(pid, &status, 0), pid);
    ck_assert(WIFSIGNALED(status));
    ck_assert_int_eq(WTERMSIG(status), SIGABRT);
    s = slurp(path);
    ck_assert_int_eq(count_lines(s), 2);
    ck_assert_ptr_nonnull(strstr(s, "+0000] C [assert] libgf: gf: assertion "
                                    "failed: getpid() == 0 ("));
    ck_assert_ptr_nonnull(strstr(s, "check-log.c:"));
    ck_assert_ptr_nonnull(strstr(s, ": assert_reaches_log_fn)\n"));
    free(s);
}
END_TEST

int
main(void)
{
    Suite *s = suite_create("log");
    TCase *tc = tcase_create("core");

    tcase_add_checked_fixture(tc, setup, teardown);
    tcase_set_timeout(tc, 30);
    tcase_add_test(tc, level_parse);
    tcase_add_test(tc, level_filter);
    tcase_add_test(tc, format_regex);
    tcase_add_test(tc, syslog_mode);
    tcase_add_test(tc, suppress_repeats);
    tcase_add_test(tc, suppress_window);
    tcase_add_test(tc, suppress_lru);
    tcase_add_test(tc, reopen_after_rename);
    tcase_add_test(tc, long_truncated);
    tcase_add_test(tc, concurrent_whole_lines);
    tcase_add_test(tc, bad_input);
    tcase_add_test(tc, assert_reaches_log);
    suite_add_tcase(s, tc);
    return gf_test_run(s);
}
