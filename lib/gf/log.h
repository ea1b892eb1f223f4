/* SPDX-License-Identifier: LGPL-3.0-or-later */
/*
 * gf/log.h - the process-wide log.
 *
 * One log per process, usable from any thread at any time (before
 * gf_log_init it writes to stderr at level INFO). Lines look like
 *
 *   [2026-11-25 22:45:35.123456 +0000] I [file.c:42:func] domain: message
 *
 * with UTC time and one letter per level (M A C E W N I D T). Each line is
 * one write(2), so lines of concurrent threads never interleave. The sink
 * is a file (opened for append), stderr, or syslog.
 *
 * Repeated messages are suppressed: a message identical to one of the last
 * few distinct ones (same level, domain, file:line and text) seen within
 * the flush timeout is counted instead of written. The count is written as
 * the message followed by "[repeated N times between T1 and T2]" when the
 * entry is pushed out by newer messages, when its window (the flush timeout,
 * from its first occurrence) has passed -- checked at every message and by
 * gf_log_flush -- or at reopen and fini.
 */
#ifndef GF_LOG_H
#define GF_LOG_H

#include <stdbool.h>
#include <stdint.h>

#include <gf/common.h>

#ifdef __cplusplus
extern "C" {
#endif

/* Levels, most severe first; a message is written if its level is at or
 * above (numerically at or below) the current level. NONE writes nothing. */
typedef enum gf_log_level {
    GF_LOG_NONE = 0,
    GF_LOG_EMERG,
    GF_LOG_ALERT,
    GF_LOG_CRITICAL,
    GF_LOG_ERROR,
    GF_LOG_WARNING,
    GF_LOG_NOTICE,
    GF_LOG_INFO,
    GF_LOG_DEBUG,
    GF_LOG_TRACE,
} gf_log_level_t;

/* Longest line written, newline included; longer ones end in "...". */
#define GF_LOG_LINE_MAX 4096

/* Default and largest number of distinct recent messages remembered for
 * repeat suppression, and the default suppression window. */
#define GF_LOG_DEFAULT_LRU_SIZE         5u
#define GF_LOG_MAX_LRU_SIZE             16u
#define GF_LOG_DEFAULT_FLUSH_TIMEOUT_MS 120000u

/*
 * Log to PATH, opened with O_APPEND|O_CREAT|O_CLOEXEC (mode 0600); "-" or
 * NULL means stderr. A relative PATH is resolved against the current
 * directory now, so gf_log_reopen still finds it after a chdir. IDENT (copied;
 * NULL for "gfsd") names the process for syslog. May be called again to switch
 * sinks (pending repeat counts are written to the old one first). Level, syslog
 * mode and suppression settings are kept. Returns 0 or -errno (e.g. -EISDIR,
 * -EACCES) with the previous sink still in use.
 */
GF_EXPORT int gf_log_init(const char *path, const char *ident);

/* Write pending repeat counts, close the file and syslog, and return to
 * the defaults (stderr, INFO, no syslog). Safe to call without init. */
GF_EXPORT void gf_log_fini(void);

/* -EINVAL for a value outside gf_log_level_t. Thread-safe, lock-free. */
GF_EXPORT int gf_log_set_level(gf_log_level_t level);
GF_EXPORT gf_log_level_t gf_log_get_level(void);

/*
 * Parse a level name as given on a command line: "none", "emerg", "alert",
 * "critical" (or "crit"), "error", "warning" (or "warn"), "notice", "info",
 * "debug", "trace", in any case, with or without a "GF_LOG_" prefix.
 * Stores it in *LEVEL and returns 0, or -EINVAL.
 */
GF_EXPORT int gf_log_level_parse(const char *name, gf_log_level_t *level);

/* One-letter tag of LEVEL as written in lines ('?' for NONE or invalid). */
GF_EXPORT char gf_log_level_letter(gf_log_level_t level);

/*
 * Send lines to syslog (openlog with the ident, LOG_PID, facility
 * LOG_DAEMON) instead of the file, or back to the file. The file stays
 * open meanwhile. Returns 0.
 */
GF_EXPORT int gf_log_set_syslog(bool on);

/*
 * Suppression window in milliseconds (0 turns suppression off) and the
 * number of distinct recent messages remembered (0 turns it off too; at
 * most GF_LOG_MAX_LRU_SIZE, else -EINVAL). Pending counts are written
 * first.
 */
GF_EXPORT int gf_log_set_flush_timeout(uint32_t ms);
GF_EXPORT int gf_log_set_lru_size(unsigned n);

/* Write every pending repeat count now and forget the remembered messages
 * (what the periodic log-flush timer calls). Returns 0. */
GF_EXPORT int gf_log_flush(void);

/*
 * Close and reopen the log file by its path, for rotation (SIGHUP): after
 * a rename, following lines go to a new file at the original path. No-op
 * for stderr. Returns 0 or -errno, keeping the old file open on error.
 */
GF_EXPORT int gf_log_reopen(void);

/*
 * Format and write one message (use the gf_log macro instead, which skips
 * the call when LEVEL is filtered out). DOMAIN names the writer (usually a
 * translator; NULL writes "-"); FILE, LINE and FUNC locate the call.
 * Returns 0 (also when filtered or suppressed), -EINVAL for a NULL FMT or
 * a bad level, or -errno of a failed write.
 */
GF_EXPORT int gf_log_emit(const char *domain, gf_log_level_t level,
                          const char *file, int line, const char *func,
                          const char *fmt, ...) GF_PRINTF(6, 7);

/* True if a message at LEVEL would be written now. */
static inline bool
gf_log_enabled(gf_log_level_t level)
{
    return level != GF_LOG_NONE && level <= gf_log_get_level();
}

/*
 * gf_log(domain, level, fmt, ...): log a printf-style message with the
 * caller's location. Arguments are not evaluated when LEVEL is disabled.
 */
#define gf_log(domain, level, ...)                                             \
    (gf_log_enabled(level) ? gf_log_emit((domain), (level), __FILE__,          \
                                         __LINE__, __func__, __VA_ARGS__)      \
                           : 0)

#ifdef __cplusplus
}
#endif

#endif /* GF_LOG_H */
