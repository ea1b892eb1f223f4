/* SPDX-License-Identifier: LGPL-3.0-or-later */
/*
 * log.c - the process-wide log: level filter, line format, sinks (file,
 * stderr, syslog), repeat suppression and reopen for rotation.
 *
 * The level is an atomic read without a lock, so a disabled message costs
 * one call and a compare. An enabled message is formatted on the caller's
 * stack outside the lock; the mutex covers only the suppression table and
 * the single write(2) of the line. Time stamps are converted to UTC by hand
 * rather than with gmtime_r, which takes glibc's time-zone lock and is not
 * safe in the assertion path.
 */
#include <errno.h>
#include <fcntl.h>
#include <pthread.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <syslog.h>
#include <time.h>
#include <unistd.h>

#include <gf/log.h>

#include "log-int.h"

enum { NAME_MAX_LEN = 128, TS_LEN = 72 };

/* One remembered message, for repeat suppression. */
struct entry {
    bool used;
    gf_log_level_t level;
    int line;
    unsigned count;    /* occurrences, the written one included */
    uint64_t lru;      /* larger is more recent */
    uint64_t first_ms; /* CLOCK_MONOTONIC of the first occurrence */
    uint64_t hash;
    struct timespec t1; /* realtime of the first and last occurrence */
    struct timespec t2;
    char domain[NAME_MAX_LEN];
    char file[NAME_MAX_LEN];
    char func[NAME_MAX_LEN];
    size_t len; /* full length of the text, may exceed the copy */
    char msg[GF_LOG_LINE_MAX];
};

static struct {
    pthread_mutex_t lock;
    int fd;     /* the file, or STDERR_FILENO */
    char *path; /* NULL for stderr */
    char *ident;
    bool syslog;
    unsigned lru_size;
    uint32_t timeout_ms;
    uint64_t lru_clock;
    struct entry lru[GF_LOG_MAX_LRU_SIZE];
} lg = {
    .lock = PTHREAD_MUTEX_INITIALIZER,
    .fd = STDERR_FILENO,
    .lru_size = GF_LOG_DEFAULT_LRU_SIZE,
    .timeout_ms = GF_LOG_DEFAULT_FLUSH_TIMEOUT_MS,
};

static int cur_level = GF_LOG_INFO; /* atomic */

static const char letters[] = "?MACEWNIDT";

/* ---- levels -------------------------------------------------------------- */

gf_log_level_t
gf_log_get_level(void)
{
    return (gf_log_level_t)__atomic_load_n(&cur_level, __ATOMIC_RELAXED);
}

int
gf_log_set_level(gf_log_level_t level)
{
    if ((int)level < GF_LOG_NONE || level > GF_LOG_TRACE)
        return -EINVAL;
    __atomic_store_n(&cur_level, (int)level, __ATOMIC_RELAXED);
    return 0;
}

char
gf_log_level_letter(gf_log_level_t level)
{
    if ((int)level <= GF_LOG_NONE || level > GF_LOG_TRACE)
        return '?';
    return letters[level];
}

int
gf_log_level_parse(const char *name, gf_log_level_t *level)
{
    static const struct {
        const char *name;
        gf_log_level_t level;
    } names[] = {
        {"none", GF_LOG_NONE},       {"emerg", GF_LOG_EMERG},
        {"alert", GF_LOG_ALERT},     {"critical", GF_LOG_CRITICAL},
        {"crit", GF_LOG_CRITICAL},   {"error", GF_LOG_ERROR},
        {"warning", GF_LOG_WARNING}, {"warn", GF_LOG_WARNING},
        {"notice", GF_LOG_NOTICE},   {"info", GF_LOG_INFO},
        {"debug", GF_LOG_DEBUG},     {"trace", GF_LOG_TRACE},
    };

    if (!name || !level)
        return -EINVAL;
    if (strncasecmp(name, "GF_LOG_", 7) == 0)
        name += 7;
    for (size_t i = 0; i < GF_ARRAY_SIZE(names); i++) {
        if (strcasecmp(name, names[i].name) == 0) {
            *level = names[i].level;
            return 0;
        }
    }
    return -EINVAL;
}

/* ---- formatting ---------------------------------------------------------- */

/* Days since 1970-01-01 to a proleptic Gregorian date (400-year eras). */
static void
civil_date(int64_t days, int *y, int *m, int *d)
{
    int64_t z = days + 719468; /* shift the epoch to 0000-03-01 */
    int64_t era = (z >= 0 ? z : z - 146096) / 146097;
    int64_t doe = z - era * 146097; /* [0, 146096] */
    int64_t yoe = (doe - doe / 1460 + doe / 36524 - doe / 146096) / 365;
    int64_t doy = doe - (365 * yoe + yoe / 4 - yoe / 100); /* [0, 365] */
    int64_t mp = (5 * doy + 2) / 153;                      /* March = 0 */

    *d = (int)(doy - (153 * mp + 2) / 5 + 1);
    *m = (int)(mp < 10 ? mp + 3 : mp - 9);
    *y = (int)(yoe + era * 400 + (*m <= 2));
}

void
gf__log_utc(int64_t t, struct gf__utc *out)
{
    int64_t days = t / 86400;
    int64_t rem = t % 86400;

    if (rem < 0) {
        rem += 86400;
        days--;
    }
    civil_date(days, &out->year, &out->month, &out->day);
    out->hour = (int)(rem / 3600);
    out->min = (int)(rem / 60 % 60);
    out->sec = (int)(rem % 60);
}

/* "2026-11-25 22:45:35.123456 +0000" */
static void
format_time(char *buf, size_t len, const struct timespec *ts)
{
    struct gf__utc u;

    gf__log_utc(ts->tv_sec, &u);
    snprintf(buf, len, "%04d-%02d-%02d %02d:%02d:%02d.%06ld +0000", u.year,
             u.month, u.day, u.hour, u.min, u.sec, ts->tv_nsec / 1000);
}

static const char *
base_name(const char *path)
{
    const char *s = path ? strrchr(path, '/') : NULL;

    return s ? s + 1 : path ? path : "?";
}

static inline uint64_t
mono_ms(void)
{
    struct timespec ts;

    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (uint64_t)ts.tv_sec * 1000u + (uint64_t)ts.tv_nsec / 1000000u;
}

/* What a line is made of; MSG holds at most GF_LOG_LINE_MAX - 1 bytes of
 * a text LEN long. */
struct parts {
    gf_log_level_t level;
    const char *domain, *file, *func;
    int line;
    const char *msg;
    size_t len;
    const struct timespec *when;
};

/*
 * Build "[time] L [file:line:func] domain: msg<suffix>\n" into OUT
 * (GF_LOG_LINE_MAX bytes). The text is cut, ending in "...", so that the
 * suffix always fits. *BODY gets the offset of "[file", where a syslog
 * line starts. Returns the length.
 */
static size_t
build_line(char *out, const struct parts *p, const char *suffix, size_t *body)
{
    char ts[TS_LEN];
    size_t pre, suf = strlen(suffix), room, n = p->len;
    int k;

    format_time(ts, sizeof(ts), p->when);
    k = snprintf(out, GF_LOG_LINE_MAX, "[%s] %c ", ts,
                 gf_log_level_letter(p->level));
    *body = (size_t)k;
    k += snprintf(out + k, GF_LOG_LINE_MAX - (size_t)k,
                  "[%.*s:%d:%.*s] %.*s: ", NAME_MAX_LEN - 1, p->file, p->line,
                  NAME_MAX_LEN - 1, p->func, NAME_MAX_LEN - 1, p->domain);
    pre = (size_t)k; /* at most ~450 bytes, so ROOM stays large */
    room = GF_LOG_LINE_MAX - 1 - pre - suf;
    if (n > room) {
        memcpy(out + pre, p->msg, room - 3);
        memcpy(out + pre + room - 3, "...", 3);
        n = room;
    } else {
        memcpy(out + pre, p->msg, n);
    }
    memcpy(out + pre + n, suffix, suf);
    out[pre + n + suf] = '\n';
    return pre + n + suf + 1;
}

static int
syslog_prio(gf_log_level_t level)
{
    static const int prio[] = {LOG_DEBUG, LOG_EMERG,   LOG_ALERT,  LOG_CRIT,
                               LOG_ERR,   LOG_WARNING, LOG_NOTICE, LOG_INFO,
                               LOG_DEBUG, LOG_DEBUG};

    return prio[level];
}

/* Write one built line to the sink with one write(2). Lock held. */
static int
sink_write(gf_log_level_t level, const char *line, size_t len, size_t body)
{
    if (lg.syslog) {
        syslog(syslog_prio(level), "%.*s", (int)(len - body - 1), line + body);
        return 0;
    }
    while (len > 0) {
        ssize_t w = write(lg.fd, line, len);

        if (w < 0) {
            if (errno == EINTR)
                continue;
            return -errno;
        }
        line += w;
        len -= (size_t)w;
    }
    return 0;
}

/* ---- repeat suppression ----------------------------------------------- */

static uint64_t
hash_text(const char *s, size_t n)
{
    uint64_t h = 0xcbf29ce484222325ull; /* FNV-1a */

    for (size_t i = 0; i < n; i++)
        h = (h ^ (unsigned char)s[i]) * 0x100000001b3ull;
    return h;
}

static inline size_t
copy_len(size_t len)
{
    return len < GF_LOG_LINE_MAX ? len : GF_LOG_LINE_MAX - 1;
}

/* Write E's repeat count if it has one, and forget E. Lock held. */
static void
entry_flush(struct entry *e)
{
    char line[GF_LOG_LINE_MAX];
    char suffix[3 * TS_LEN], a[TS_LEN], b[TS_LEN];
    struct timespec now;
    struct parts p;
    size_t len, body;

    if (e->used && e->count > 1) {
        format_time(a, sizeof(a), &e->t1);
        format_time(b, sizeof(b), &e->t2);
        snprintf(suffix, sizeof(suffix),
                 " [repeated %u times between %s and %s]", e->count - 1, a, b);
        clock_gettime(CLOCK_REALTIME, &now);
        p = (struct parts){.level = e->level,
                           .domain = e->domain,
                           .file = e->file,
                           .func = e->func,
                           .line = e->line,
                           .msg = e->msg,
                           .len = e->len,
                           .when = &now};
        len = build_line(line, &p, suffix, &body);
        sink_write(e->level, line, len, body); /* nowhere to report */
    }
    e->used = false;
}

/* Only the first lru_size entries are ever used (gf_log_set_lru_size
 * flushes before it shrinks them): each entry holds a 4 KiB text, so
 * looking at all 16 touched 16 pages -- at every log init and every
 * periodic flush. */
static void
flush_all(void)
{
    for (unsigned i = 0; i < lg.lru_size; i++)
        entry_flush(&lg.lru[i]);
}

static bool
entry_matches(const struct entry *e, const struct parts *p, uint64_t h)
{
    return e->used && e->hash == h && e->level == p->level &&
           e->line == p->line && e->len == p->len &&
           strncmp(e->file, p->file, NAME_MAX_LEN - 1) == 0 &&
           strncmp(e->domain, p->domain, NAME_MAX_LEN - 1) == 0 &&
           memcmp(e->msg, p->msg, copy_len(p->len)) == 0;
}

static void
copy_name(char *dst, const char *src)
{
    snprintf(dst, NAME_MAX_LEN, "%s", src);
}

/*
 * Decide whether P is a repeat. Flushes entries whose window has passed,
 * then either counts P against its entry (returns true: do not write) or
 * remembers P in a free or the least recent slot (flushing that one).
 */
static bool
suppressed(const struct parts *p, uint64_t now_ms)
{
    uint64_t h = hash_text(p->msg, copy_len(p->len));
    struct entry *victim = NULL;

    if (lg.lru_size == 0 || lg.timeout_ms == 0)
        return false;
    for (unsigned i = 0; i < lg.lru_size; i++) {
        struct entry *e = &lg.lru[i];

        if (e->used && now_ms - e->first_ms >= lg.timeout_ms)
            entry_flush(e);
        if (entry_matches(e, p, h)) {
            e->count++;
            e->t2 = *p->when;
            e->lru = ++lg.lru_clock;
            return true;
        }
        if (!victim || !e->used || (victim->used && e->lru < victim->lru))
            victim = e;
    }
    entry_flush(victim);
    /* field by field: a compound literal would clear the 4 KiB text */
    victim->used = true;
    victim->level = p->level;
    victim->line = p->line;
    victim->count = 1;
    victim->lru = ++lg.lru_clock;
    victim->first_ms = now_ms;
    victim->hash = h;
    victim->t1 = victim->t2 = *p->when;
    victim->len = p->len;
    copy_name(victim->domain, p->domain);
    copy_name(victim->file, p->file);
    copy_name(victim->func, p->func);
    memcpy(victim->msg, p->msg, copy_len(p->len));
    return false;
}

/* ---- emitting ----------------------------------------------------------- */

static int
emit(struct parts *p)
{
    char line[GF_LOG_LINE_MAX];
    size_t len, body;
    uint64_t now_ms = mono_ms();
    int ret = 0;

    pthread_mutex_lock(&lg.lock);
    if (!suppressed(p, now_ms)) {
        len = build_line(line, p, "", &body);
        ret = sink_write(p->level, line, len, body);
    }
    pthread_mutex_unlock(&lg.lock);
    return ret;
}

int
gf_log_emit(const char *domain, gf_log_level_t level, const char *file,
            int line, const char *func, const char *fmt, ...)
{
    char msg[GF_LOG_LINE_MAX];
    struct timespec when;
    struct parts p;
    va_list ap;
    int n;

    if (!fmt || (int)level < GF_LOG_NONE || level > GF_LOG_TRACE)
        return -EINVAL;
    if (!gf_log_enabled(level))
        return 0;
    clock_gettime(CLOCK_REALTIME, &when);
    va_start(ap, fmt);
    n = vsnprintf(msg, sizeof(msg), fmt, ap);
    va_end(ap);
    if (n < 0)
        return -EINVAL;
    p.level = level;
    p.domain = domain ? domain : "-";
    p.file = base_name(file);
    p.func = func ? func : "?";
    p.line = line;
    p.msg = msg;
    p.len = (size_t)n;
    p.when = &when;
    return emit(&p);
}

/* ---- sinks -------------------------------------------------------------- */

/* Open PATH for appending; -errno on failure. */
static int
open_log(const char *path)
{
    int fd =
        open(path, O_WRONLY | O_APPEND | O_CREAT | O_CLOEXEC | O_NOCTTY, 0600);

    return fd < 0 ? -errno : fd;
}

static void
set_fd(int fd)
{
    int old = lg.fd;

    /* atomic so that gf__log_assert, which takes no lock, sees either */
    __atomic_store_n(&lg.fd, fd, __ATOMIC_RELEASE);
    if (old != STDERR_FILENO && old != fd)
        close(old);
}

/* PATH made absolute, so that a reopen after the daemon's chdir("/")
 * finds the same file. NULL if out of memory. */
static char *
absolute_path(const char *path)
{
    char cwd[4096];
    char *out;

    if (path[0] == '/' || !getcwd(cwd, sizeof(cwd)))
        return strdup(path);
    if (asprintf(&out, "%s/%s", cwd, path) < 0)
        return NULL;
    return out;
}

int
gf_log_init(const char *path, const char *ident)
{
    bool to_stderr = !path || strcmp(path, "-") == 0;
    char *npath = NULL, *nident = strdup(ident ? ident : "gfsd");
    int fd = STDERR_FILENO;

    if (!nident || (!to_stderr && !(npath = absolute_path(path)))) {
        free(nident);
        return -ENOMEM;
    }
    if (!to_stderr && (fd = open_log(npath)) < 0) {
        free(npath);
        free(nident);
        return fd;
    }
    pthread_mutex_lock(&lg.lock);
    flush_all();
    set_fd(fd);
    free(lg.path);
    lg.path = npath;
    free(lg.ident);
    lg.ident = nident;
    if (lg.syslog) {
        /* openlog keeps the ident pointer: reopen with the new one */
        closelog();
        openlog(lg.ident, LOG_PID | LOG_NDELAY, LOG_DAEMON);
    }
    pthread_mutex_unlock(&lg.lock);
    return 0;
}

void
gf_log_fini(void)
{
    pthread_mutex_lock(&lg.lock);
    flush_all();
    set_fd(STDERR_FILENO);
    if (lg.syslog)
        closelog();
    __atomic_store_n(&lg.syslog, false, __ATOMIC_RELAXED);
    free(lg.path);
    lg.path = NULL;
    free(lg.ident);
    lg.ident = NULL;
    lg.lru_size = GF_LOG_DEFAULT_LRU_SIZE;
    lg.timeout_ms = GF_LOG_DEFAULT_FLUSH_TIMEOUT_MS;
    pthread_mutex_unlock(&lg.lock);
    gf_log_set_level(GF_LOG_INFO);
}

int
gf_log_set_syslog(bool on)
{
    pthread_mutex_lock(&lg.lock);
    if (on != lg.syslog) {
        flush_all();
        if (on)
            openlog(lg.ident ? lg.ident : "gfsd", LOG_PID | LOG_NDELAY,
                    LOG_DAEMON);
        else
            closelog();
        __atomic_store_n(&lg.syslog, on, __ATOMIC_RELAXED);
    }
    pthread_mutex_unlock(&lg.lock);
    return 0;
}

int
gf_log_set_flush_timeout(uint32_t ms)
{
    pthread_mutex_lock(&lg.lock);
    flush_all();
    lg.timeout_ms = ms;
    pthread_mutex_unlock(&lg.lock);
    return 0;
}

int
gf_log_set_lru_size(unsigned n)
{
    if (n > GF_LOG_MAX_LRU_SIZE)
        return -EINVAL;
    pthread_mutex_lock(&lg.lock);
    flush_all();
    lg.lru_size = n;
    pthread_mutex_unlock(&lg.lock);
    return 0;
}

int
gf_log_flush(void)
{
    pthread_mutex_lock(&lg.lock);
    flush_all();
    pthread_mutex_unlock(&lg.lock);
    return 0;
}

int
gf_log_reopen(void)
{
    int fd;

    pthread_mutex_lock(&lg.lock);
    if (!lg.path) {
        pthread_mutex_unlock(&lg.lock);
        return 0;
    }
    /* the counts belong with the lines they summarize: the old file */
    flush_all();
    fd = open_log(lg.path);
    if (fd >= 0)
        set_fd(fd);
    pthread_mutex_unlock(&lg.lock);
    return fd < 0 ? fd : 0;
}

void
gf__log_assert(const char *msg)
{
    char line[1024];
    char ts[TS_LEN];
    struct timespec now;
    size_t n;
    int fd = __atomic_load_n(&lg.fd, __ATOMIC_ACQUIRE);
    ssize_t w;
    int k;

    if (!msg)
        return;
    n = strlen(msg);
    if (n > 0 && msg[n - 1] == '\n')
        n--;
    if (__atomic_load_n(&lg.syslog, __ATOMIC_RELAXED)) {
        syslog(LOG_CRIT, "%.*s", (int)n, msg);
        return;
    }
    if (fd == STDERR_FILENO)
        return;
    clock_gettime(CLOCK_REALTIME, &now);
    format_time(ts, sizeof(ts), &now);
    k = snprintf(line, sizeof(line), "[%s] C [assert] libgf: %.*s\n", ts,
                 (int)n, msg);
    if (k <= 0)
        return;
    if ((size_t)k >= sizeof(line))
        k = (int)sizeof(line) - 1;
    w = write(fd, line, (size_t)k);
    (void)w;
}
