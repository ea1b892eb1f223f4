/* SPDX-License-Identifier: LGPL-3.0-or-later */
/*
 * gf-test.h - run one Check suite and report it as TAP for automake.
 *
 * Each unit test binary builds its Suite and returns gf_test_run(suite).
 * Check's fork mode isolates every test; CK_FORK=no runs them in-process
 * (for gdb or valgrind).
 */
#ifndef GF_TEST_H
#define GF_TEST_H

#include <check.h>
#include <stdlib.h>

static inline int
gf_test_run(Suite *s)
{
    SRunner *sr = srunner_create(s);
    int failed;

    srunner_set_tap(sr, "-");
    srunner_run_all(sr, CK_SILENT);
    failed = srunner_ntests_failed(sr);
    srunner_free(sr);
    return failed == 0 ? EXIT_SUCCESS : EXIT_FAILURE;
}

/* A directory for this test's files, from $GF_TEST_TMPDIR or /tmp. */
static inline const char *
gf_test_tmpdir(void)
{
    const char *d = getenv("GF_TEST_TMPDIR");

    return d && *d ? d : "/tmp";
}

#endif /* GF_TEST_H */
