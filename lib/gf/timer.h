/* SPDX-License-Identifier: LGPL-3.0-or-later */
/*
 * gf/timer.h - one-shot timers on a hierarchical timer wheel.
 *
 * A wheel is driven by one runner thread (gf_timer_wheel_new) or, for
 * deterministic tests and simulations, by its caller advancing a virtual
 * clock (gf_timer_wheel_new_manual + gf_timer_wheel_advance). Adding and
 * cancelling a timer are O(1); thousands of pending timers cost nothing
 * while they wait. Resolution is one tick (1 ms by default).
 *
 * Callbacks run on the wheel's thread (or the advancing thread), in
 * deadline order (timers due in the same tick: unspecified order), never
 * with a wheel lock held, so a callback may add and cancel timers, including
 * its own. A slow callback delays the timers behind it.
 *
 * Handle lifetime. gf_timer_call_after returns a handle carrying one caller
 * reference. The caller gives that reference back exactly once, by calling
 * either gf_timer_cancel (stop it if still possible) or gf_timer_release
 * (let it fire, forget the handle); after that the handle must not be used.
 * The wheel keeps the timer alive on its own while it is pending or firing,
 * so cancel and release are safe in every interleaving with the firing, on
 * any thread, from inside the callback itself, before or after it ran.
 * Freeing the wheel invalidates every handle of it (held or not).
 */
#ifndef GF_TIMER_H
#define GF_TIMER_H

#include <stddef.h>
#include <stdint.h>

#include <gf/common.h>

#ifdef __cplusplus
extern "C" {
#endif

typedef struct gf_timer_wheel gf_timer_wheel_t;
typedef struct gf_timer gf_timer_t;

/* A timer callback; DATA is what was given to gf_timer_call_after. */
typedef void (*gf_timer_cb_t)(void *data);

/* Default tick (resolution) of gf_timer_wheel_new, in milliseconds. */
#define GF_TIMER_DEFAULT_TICK_MS 1u

/* Longest tick gf_timer_wheel_new_tick accepts, in milliseconds. */
#define GF_TIMER_MAX_TICK_MS 1000u

/* Delays are clamped to this (about 34 years). */
#define GF_TIMER_MAX_DELAY_MS (UINT64_C(1) << 40)

/*
 * Create a wheel with a 1 ms tick. Its runner thread, which sleeps until
 * the next deadline (no periodic wake-up while idle), starts with the
 * first timer, so a process can build its wheel at start-up without
 * waiting for a thread. Returns NULL with errno ENOMEM.
 */
GF_EXPORT gf_timer_wheel_t *gf_timer_wheel_new(void);

/*
 * As gf_timer_wheel_new with a tick of TICK_MS milliseconds (1 to
 * GF_TIMER_MAX_TICK_MS); a coarser tick batches more timers per wake-up.
 * NULL with errno EINVAL for a tick out of range.
 */
GF_EXPORT gf_timer_wheel_t *gf_timer_wheel_new_tick(uint32_t tick_ms);

/*
 * Create a wheel with no thread and a virtual clock starting at 0, tick
 * 1 ms. Timers fire only inside gf_timer_wheel_advance, on the calling
 * thread. For tests and simulations. NULL with errno ENOMEM.
 */
GF_EXPORT gf_timer_wheel_t *gf_timer_wheel_new_manual(void);

/*
 * Manual wheels only: move the virtual clock forward by MS milliseconds
 * and run, on the calling thread, every timer that became due, in deadline
 * order. While a callback runs the virtual clock reads its own deadline, so
 * timers it adds are relative to that and fire in the same call if they
 * fall inside the advanced span (a self-re-arming 100 ms timer fires ten
 * times in an advance of 1000 ms; a zero delay means the next tick). Call
 * it from one thread at a time. -EINVAL for NULL or a threaded wheel,
 * -EDEADLK when called from one of the wheel's own callbacks.
 */
GF_EXPORT int gf_timer_wheel_advance(gf_timer_wheel_t *w, uint64_t ms);

/*
 * Milliseconds the wheel's clock has advanced since it was created (real
 * monotonic time, or the virtual clock of a manual wheel). 0 for NULL.
 */
GF_EXPORT uint64_t gf_timer_wheel_now(const gf_timer_wheel_t *w);

/* Number of timers waiting to fire (not counting one firing now). */
GF_EXPORT size_t gf_timer_wheel_pending(const gf_timer_wheel_t *w);

/*
 * Stop and join the runner thread (after the callback it may be running
 * returns), drop every pending timer without firing it and free all the
 * wheel's memory, held handles included. No other thread may still be
 * using the wheel; calling it from one of the wheel's own callbacks is a
 * programmer error (asserts). NULL is ignored.
 */
GF_EXPORT void gf_timer_wheel_free(gf_timer_wheel_t *w);

/*
 * Arm a one-shot timer: CB(DATA) runs once, no sooner than DELAY_MS
 * milliseconds from now (rounded up to the next tick; clamped to
 * GF_TIMER_MAX_DELAY_MS). Thread-safe; callable from callbacks. Returns the
 * handle, which the caller must pass once to gf_timer_cancel or
 * gf_timer_release; NULL with errno EINVAL (NULL wheel or callback),
 * ENOMEM, or the error of pthread_create when this first timer of a
 * threaded wheel could not start its runner. Does not allocate in the
 * steady state (handles are recycled).
 */
GF_EXPORT gf_timer_t *gf_timer_call_after(gf_timer_wheel_t *w,
                                          uint64_t delay_ms, gf_timer_cb_t cb,
                                          void *data);

/*
 * Cancel T and give back the caller's reference (T is invalid afterwards,
 * whatever the result). Returns 0 if the callback will never run, or
 * -EALREADY if it has run or is running now (possibly on another thread:
 * the caller must not free DATA until the callback has told it, in its own
 * way, that it finished). -EINVAL for NULL arguments or a handle of
 * another wheel (the handle is then left alone). Thread-safe; a
 * callback may cancel any timer, its own included (-EALREADY).
 */
GF_EXPORT int gf_timer_cancel(gf_timer_wheel_t *w, gf_timer_t *t);

/*
 * Give back the caller's reference without cancelling: T still fires when
 * due. For fire-and-forget timers, and for a callback or owner that is done
 * with a handle that fired. T is invalid afterwards. NULL arguments and
 * handles of another wheel are ignored.
 */
GF_EXPORT void gf_timer_release(gf_timer_wheel_t *w, gf_timer_t *t);

#ifdef __cplusplus
}
#endif

#endif /* GF_TIMER_H */
