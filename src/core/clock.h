/* The wall and monotonic clocks. Handlers use app->now so that unit tests can inject time.
 *
 * The test clock: every reading below except grantd_clock_real_mono_us() adds
 * grantd_clock_test_offset_us(). In grantd_lib (and so in the `grantd` binary and every unit
 * test) that is a weak function returning 0: nothing can move production time. The
 * `grantd-test` binary the integration suite runs links tests/support/clock_file.c, whose
 * strong definition reads the offset from the file named by $GRANTD_TEST_CLOCK, so a test
 * moves the clock of a running server and of its CLI commands at once instead of sleeping.
 *
 * Which clock a caller takes:
 * - lifetimes and expiries (tokens, codes, sessions, the refresh grace window, the key
 *   schedule and reload, the janitor's cutoff, cache TTLs): grantd_clock_now / _now_us /
 *   _mono_us, which the test clock moves;
 * - real durations that must not jump (the store's busy timeout, a request's logged
 *   duration): grantd_clock_real_mono_us, which it never moves. */
#ifndef GRANTD_CORE_CLOCK_H
#define GRANTD_CORE_CLOCK_H

#include <stdint.h>

/* Wall-clock unix seconds. */
int64_t grantd_clock_now(void);
/* Wall-clock microseconds since the epoch (orders credentials: token/opaque.c). */
int64_t grantd_clock_now_us(void);
/* Monotonic microseconds, for time-to-live checks that follow the test clock. */
int64_t grantd_clock_mono_us(void);
/* Monotonic microseconds of real time, never shifted: for timeouts and measured durations. */
int64_t grantd_clock_real_mono_us(void);

/* Microseconds the test clock adds to the readings above: 0 in grantd_lib (weak), the
 * contents of $GRANTD_TEST_CLOCK in grantd-test (tests/support/clock_file.c). Thread-safe,
 * no system call; never call it to decide anything but a reading of this module. */
int64_t grantd_clock_test_offset_us(void);

#endif
