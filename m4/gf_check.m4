# GF_CHECK_CFLAG(FLAG, [ACTION-IF-OK], [ACTION-IF-NOT])
# Compile an empty program with FLAG (and -Werror, so that unknown warning
# switches are refused instead of silently accepted).
AC_DEFUN([GF_CHECK_CFLAG], [
  AS_VAR_PUSHDEF([gf_var], [gf_cv_cflag_$1])
  AC_CACHE_CHECK([whether $CC accepts $1], [gf_var], [
    gf_save_cflags=$CFLAGS
    CFLAGS="$CFLAGS -Werror $1"
    AC_COMPILE_IFELSE([AC_LANG_PROGRAM([], [])],
                      [AS_VAR_SET([gf_var], [yes])],
                      [AS_VAR_SET([gf_var], [no])])
    CFLAGS=$gf_save_cflags])
  AS_VAR_IF([gf_var], [yes], [$2], [$3])
  AS_VAR_POPDEF([gf_var])
])

# GF_PTHREAD: POSIX threads via -pthread, which both GCC and clang accept
# on every platform gfsd targets (Linux/glibc).
AC_DEFUN([GF_PTHREAD], [
  GF_CHECK_CFLAG([-pthread], [], [AC_MSG_ERROR([the compiler does not accept -pthread])])
  PTHREAD_CFLAGS=-pthread
  PTHREAD_LIBS=-pthread
  AC_SUBST([PTHREAD_CFLAGS])
  AC_SUBST([PTHREAD_LIBS])
])
