/* SPDX-License-Identifier: LGPL-3.0-or-later */
/*
 * gf/common.h - the few macros every gfsd source uses.
 *
 * Exports, printf checking, always-on assertions, container_of and array
 * size. Nothing else lives here: anything that is not one of these is a
 * static inline function in the header of the unit it belongs to.
 */
#ifndef GF_COMMON_H
#define GF_COMMON_H

#include <stddef.h>

#ifdef __cplusplus
extern "C" {
#endif

/* Marks a symbol as part of libgf's ABI. libgf is built with
 * -fvisibility=hidden, so only symbols carrying this are exported. */
#define GF_EXPORT __attribute__((visibility("default")))

/* printf-style argument checking: FMT is the format's argument index,
 * ARGS the index of the first variadic argument. */
#define GF_PRINTF(fmt, args) __attribute__((format(printf, fmt, args)))

#define GF_NORETURN    __attribute__((noreturn))
#define GF_LIKELY(x)   __builtin_expect(!!(x), 1)
#define GF_UNLIKELY(x) __builtin_expect(!!(x), 0)

/* Number of elements of a true array (not a pointer). */
#define GF_ARRAY_SIZE(a) (sizeof(a) / sizeof((a)[0]))

/* The structure of type TYPE whose member MEMBER is at PTR. */
#define gf_container_of(ptr, type, member)                                     \
    ((type *)((char *)(ptr)-offsetof(type, member)))

/*
 * Report a failed assertion and abort. Never returns. Used by GF_ASSERT;
 * call it directly only for "cannot happen" branches. The message goes to
 * stderr and, when logging is set up, to the log.
 */
GF_EXPORT GF_NORETURN void gf_assert_fail(const char *expr, const char *file,
                                          int line, const char *func);

/*
 * Always-on assertion for programmer errors (broken invariants, corrupted
 * magics). Runtime failures -- no memory, bad input, peer errors -- are
 * returned as -errno, never asserted.
 */
#define GF_ASSERT(expr)                                                        \
    (GF_LIKELY(expr) ? (void)0                                                 \
                     : gf_assert_fail(#expr, __FILE__, __LINE__, __func__))

#ifdef __cplusplus
}
#endif

#endif /* GF_COMMON_H */
