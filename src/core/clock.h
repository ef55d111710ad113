/* The wall clock (unix seconds, microseconds) and a monotonic clock for durations. Handlers
 * use app->now so that tests can inject time. */
#ifndef GRANTD_CORE_CLOCK_H
#define GRANTD_CORE_CLOCK_H

#include <stdint.h>

int64_t grantd_clock_now(void);
/* Wall-clock microseconds since the epoch (orders credentials: token/opaque.c). */
int64_t grantd_clock_now_us(void);
/* Monotonic microseconds, for durations. */
int64_t grantd_clock_mono_us(void);

#endif
