/* SPDX-License-Identifier: LGPL-3.0-or-later */
/*
 * assert.c - the one place a broken invariant ends the process.
 *
 * Writes with write(2) rather than stdio: the assertion may fire with a
 * stdio lock held or the heap corrupted. The log gets the same line, so a
 * daemon whose stderr is /dev/null still says why it died.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <gf/common.h>

#include "log-int.h"

void
gf_assert_fail(const char *expr, const char *file, int line, const char *func)
{
    char msg[512];
    int n;

    n = snprintf(msg, sizeof(msg), "gf: assertion failed: %s (%s:%d: %s)\n",
                 expr, file, line, func);
    if (n > 0) {
        size_t len = (size_t)n < sizeof(msg) ? (size_t)n : sizeof(msg) - 1;
        ssize_t w = write(STDERR_FILENO, msg, len);
        (void)w;
        gf__log_assert(msg);
    }
    abort();
}
