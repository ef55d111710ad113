/* Wall and monotonic clocks, and the weak hook through which grantd-test moves them
 * (clock.h says which callers follow it and which do not). */
#include "core/clock.h"

#include <time.h>

/* Weak and 0: the definition grantd and the unit tests get. GCC never inlines a weak
 * function into its callers, so a strong definition linked beside grantd_lib (only
 * grantd-test has one) replaces it in every reading. */
__attribute__((weak)) int64_t grantd_clock_test_offset_us(void)
{
    return 0;
}

static int64_t read_us(clockid_t id)
{
    struct timespec ts;
    clock_gettime(id, &ts);
    return (int64_t)ts.tv_sec * 1000000 + ts.tv_nsec / 1000;
}

int64_t grantd_clock_now_us(void)
{
    return read_us(CLOCK_REALTIME) + grantd_clock_test_offset_us();
}

/* From the same reading as grantd_clock_now_us, so that seconds and microseconds agree
 * (a token's exp in seconds, a client's tokens_after in microseconds). */
int64_t grantd_clock_now(void)
{
    return grantd_clock_now_us() / 1000000;
}

int64_t grantd_clock_mono_us(void)
{
    return read_us(CLOCK_MONOTONIC) + grantd_clock_test_offset_us();
}

int64_t grantd_clock_real_mono_us(void)
{
    return read_us(CLOCK_MONOTONIC);
}
