/* SPDX-License-Identifier: LGPL-3.0-or-later */
/*
 * log-int.h - libgf-internal hooks into the log.
 */
#ifndef GF_LOG_INT_H
#define GF_LOG_INT_H

#include <stdint.h>

/*
 * Write MSG (one assertion report; a trailing newline is dropped) to the
 * log at level C, best effort: takes no lock, so it works while another
 * thread, or this one, holds the log's mutex. Does nothing when the log
 * goes to stderr, where gf_assert_fail already wrote the report.
 */
void gf__log_assert(const char *msg);

/* The UTC calendar fields of T, computed by hand (no gmtime_r: glibc
 * loads /etc/localtime and takes its time-zone lock even for UTC). */
struct gf__utc {
    int year, month, day, hour, min, sec;
};
void gf__log_utc(int64_t t, struct gf__utc *out);

#endif /* GF_LOG_INT_H */
