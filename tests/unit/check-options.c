/* placeholder: owned by a helper, being written */
#include "gf-test.h"
START_TEST(placeholder) { ck_assert_int_eq(1, 1); }
END_TEST
int main(void) { Suite *s = suite_create("options"); TCase *tc = tcase_create("x"); tcase_add_test(tc, placeholder); suite_add_tcase(s, tc); return gf_test_run(s); }
