/* The audit events' stream (core/events.h): a descriptor behind a read-write lock (writers
 * share it, a reopen swaps it alone), lines built by jansson and written whole. Not here:
 * which events exist and what they carry (docs/events.md, the callers). */
#include "core/events.h"

#include <errno.h>
#include <fcntl.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/time.h>
#include <time.h>
#include <unistd.h>

#include "core/mem.h"

static pthread_rwlock_t lock = PTHREAD_RWLOCK_INITIALIZER;
static int events_fd = -1;   /* under lock; -1: off */
static char *events_path;    /* under lock; NULL: stderr or off */
static _Thread_local const struct grantd_event_who *scope;

static int open_file(const char *path)
{
    return open(path, O_WRONLY | O_APPEND | O_CREAT | O_CLOEXEC, 0600);
}

grantd_rc grantd_events_open(const char *target, char *err, size_t errlen)
{
    int fd = -1;
    if (target && strcmp(target, "stderr") == 0) {
        fd = 2;
    } else if (target) {
        fd = open_file(target);
        if (fd < 0) {
            snprintf(err, errlen, "cannot open audit_events file %s: %s", target,
                     strerror(errno));
            return GRANTD_EIO;
        }
    }
    pthread_rwlock_wrlock(&lock);
    if (events_fd > 2)
        close(events_fd);
    free(events_path);
    events_fd = fd;
    events_path = fd > 2 ? grantd_xstrdup(target) : NULL;
    pthread_rwlock_unlock(&lock);
    return GRANTD_OK;
}

grantd_rc grantd_events_reopen(void)
{
    pthread_rwlock_wrlock(&lock);
    grantd_rc rc = GRANTD_OK;
    if (events_path) {
        int fd = open_file(events_path);
        if (fd >= 0) {
            close(events_fd);
            events_fd = fd;
        } else {
            rc = GRANTD_EIO; /* keep writing to the old one */
        }
    }
    pthread_rwlock_unlock(&lock);
    return rc;
}

void grantd_events_close(void)
{
    pthread_rwlock_wrlock(&lock);
    if (events_fd > 2)
        close(events_fd);
    free(events_path);
    events_fd = -1;
    events_path = NULL;
    pthread_rwlock_unlock(&lock);
}

int grantd_events_on(void)
{
    pthread_rwlock_rdlock(&lock);
    int on = events_fd >= 0;
    pthread_rwlock_unlock(&lock);
    return on;
}

void grantd_events_scope(const struct grantd_event_who *who)
{
    scope = who;
}

const struct grantd_event_who *grantd_events_current_scope(void)
{
    return scope;
}

static void timestamp(char out[32])
{
    struct timeval tv;
    struct tm tm;
    gettimeofday(&tv, NULL);
    gmtime_r(&tv.tv_sec, &tm);
    size_t n = strftime(out, 32, "%Y-%m-%dT%H:%M:%S", &tm);
    snprintf(out + n, 32 - n, ".%03ldZ", (long)(tv.tv_usec / 1000));
}

static json_t *text_or_null(const char *s)
{
    return s ? json_string(s) : json_null();
}

/* The fixed members, who's first, the scope's where who has none. */
static json_t *line_of(const char *type, const struct grantd_event_who *who)
{
    const struct grantd_event_who none = {0}, *sc = scope ? scope : &none;
    char ts[32];
    timestamp(ts);
    return json_pack("{s:s,s:s,s:o,s:o,s:o,s:o,s:o}", "ts", ts, "event", type, "issuer",
                     text_or_null(who->issuer ? who->issuer : sc->issuer), "subject",
                     text_or_null(who->subject), "client", text_or_null(who->client),
                     "address", text_or_null(who->address ? who->address : sc->address),
                     "request_id",
                     text_or_null(who->request_id ? who->request_id : sc->request_id));
}

void grantd_events_emit(const char *type, const struct grantd_event_who *who, json_t *extra)
{
    if (!grantd_events_on()) {
        json_decref(extra);
        return;
    }
    json_t *line = line_of(type, who);
    if (line && json_is_object(extra))
        json_object_update_missing(line, extra);
    json_decref(extra);
    char *text = line ? json_dumps(line, JSON_COMPACT | JSON_PRESERVE_ORDER) : NULL;
    json_decref(line);
    if (!text)
        return;
    size_t n = strlen(text);
    text[n] = '\n'; /* json_dumps leaves room: the NUL is overwritten, n + 1 written */
    pthread_rwlock_rdlock(&lock);
    if (events_fd >= 0) {
        ssize_t w = write(events_fd, text, n + 1);
        (void)w;
    }
    pthread_rwlock_unlock(&lock);
    free(text);
}
