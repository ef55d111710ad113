/* JSON-lines logger over jansson: one object per line, written with one write(2). Not a
 * sink for anything secret (see log.h); not buffered, not rotated (stderr is the contract). */
#include "core/log.h"

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/time.h>
#include <time.h>
#include <unistd.h>

#include <jansson.h>

static enum grantd_log_level min_level = GRANTD_LOG_INFO;
static int log_fd = 2;

static const char *const level_names[] = {"debug", "info", "warn", "error"};

void grantd_log_setup(enum grantd_log_level min, int fd)
{
    min_level = min;
    log_fd = fd;
}

int grantd_log_level_parse(const char *name)
{
    for (int i = 0; i < 4; i++)
        if (strcmp(name, level_names[i]) == 0)
            return i;
    return -1;
}

int grantd_log_enabled(enum grantd_log_level level)
{
    return level >= min_level;
}

void grantd_log_timestamp(char out[32])
{
    struct timeval tv;
    struct tm tm;
    gettimeofday(&tv, NULL);
    gmtime_r(&tv.tv_sec, &tm);
    size_t n = strftime(out, 32, "%Y-%m-%dT%H:%M:%S", &tm);
    snprintf(out + n, 32 - n, ".%03ldZ", (long)(tv.tv_usec / 1000));
}

void grantd_log(enum grantd_log_level level, const char *event, const char *fmt, ...)
{
    if (level < min_level)
        return;
    json_t *obj = NULL;
    if (fmt) {
        va_list ap;
        va_start(ap, fmt);
        obj = json_vpack_ex(NULL, 0, fmt, ap);
        va_end(ap);
    }
    if (!obj)
        obj = json_object();
    char ts[32];
    grantd_log_timestamp(ts);
    json_t *line = json_pack("{s:s,s:s,s:s}", "ts", ts, "level", level_names[level], "event",
                             event);
    json_object_update(line, obj);
    /* Reals with 15 significant digits: jansson's default, 17, prints the binary noise of
     * e.g. 56 / 1000.0 as 0.056000000000000001; 15 digits give the decimal written back
     * exactly for the values logged here (durations in whole microseconds as ms). */
    char *text = json_dumps(line, JSON_COMPACT | JSON_PRESERVE_ORDER | JSON_REAL_PRECISION(15));
    if (text) {
        size_t n = strlen(text);
        text[n] = '\n'; /* json_dumps leaves room: we overwrite the NUL and write n+1 */
        ssize_t w = write(log_fd, text, n + 1);
        (void)w;
        free(text);
    }
    json_decref(line);
    json_decref(obj);
}
