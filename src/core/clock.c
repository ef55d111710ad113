/* Wall and monotonic clocks. */
#include "core/clock.h"

#include <time.h>

int64_t grantd_clock_now(void)
{
    return (int64_t)time(NULL);
}

int64_t grantd_clock_mono_us(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (int64_t)ts.tv_sec * 1000000 + ts.tv_nsec / 1000;
}

int64_t grantd_clock_now_us(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_REALTIME, &ts);
    return (int64_t)ts.tv_sec * 1000000 + ts.tv_nsec / 1000;
}
