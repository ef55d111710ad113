/* The janitor thread: purge, sleep on a condition variable, repeat until stopped. */
#include "cli/janitor.h"

#include <errno.h>
#include <pthread.h>
#include <stdlib.h>
#include <time.h>

#include <jansson.h>

#include "core/clock.h"
#include "core/log.h"
#include "core/mem.h"

struct grantd_janitor {
    struct grantd_store *store;
    int64_t (*now)(void);
    int64_t feed_retention;
    pthread_mutex_t lock;
    pthread_cond_t wake;
    int stopping;
    pthread_t thread;
};

static void purge_once(struct grantd_janitor *j)
{
    size_t deleted = 0;
    int64_t now = j->now(), start = grantd_clock_real_mono_us();
    grantd_rc rc = grantd_store_purge_expired(j->store, now - GRANTD_JANITOR_KEEP, now, &deleted);
    double seconds = (double)(grantd_clock_real_mono_us() - start) / 1e6;
    if (rc != GRANTD_OK)
        grantd_log(GRANTD_LOG_WARN, "purge_failed", "{s:s}", "error", grantd_strerror(rc));
    else /* every pass at debug (bench/purge times the passes), the ones that deleted at info */
        grantd_log(deleted ? GRANTD_LOG_INFO : GRANTD_LOG_DEBUG, "purged", "{s:I,s:f}", "rows",
                   (json_int_t)deleted, "seconds", seconds);
    deleted = 0;
    rc = grantd_store_revocations_purge(j->store, now - j->feed_retention, &deleted);
    if (rc != GRANTD_OK && rc != GRANTD_ENOTSUP)
        grantd_log(GRANTD_LOG_WARN, "feed_purge_failed", "{s:s}", "error", grantd_strerror(rc));
    else if (deleted)
        grantd_log(GRANTD_LOG_INFO, "feed_purged", "{s:I}", "events", (json_int_t)deleted);
}

static void *janitor_main(void *arg)
{
    struct grantd_janitor *j = arg;
    purge_once(j); /* at start too: a server restarted often still purges */
    pthread_mutex_lock(&j->lock);
    while (!j->stopping) {
        struct timespec until;
        clock_gettime(CLOCK_REALTIME, &until);
        until.tv_sec += GRANTD_JANITOR_INTERVAL;
        int r = 0;
        while (!j->stopping && r != ETIMEDOUT)
            r = pthread_cond_timedwait(&j->wake, &j->lock, &until);
        if (j->stopping)
            break;
        pthread_mutex_unlock(&j->lock);
        purge_once(j);
        pthread_mutex_lock(&j->lock);
    }
    pthread_mutex_unlock(&j->lock);
    return NULL;
}

struct grantd_janitor *grantd_janitor_start(struct grantd_store *s, int64_t (*now)(void),
                                            int64_t feed_retention)
{
    struct grantd_janitor *j = grantd_xcalloc(1, sizeof(*j));
    j->store = s;
    j->now = now;
    j->feed_retention = feed_retention;
    pthread_mutex_init(&j->lock, NULL);
    pthread_cond_init(&j->wake, NULL);
    if (pthread_create(&j->thread, NULL, janitor_main, j) != 0) {
        grantd_log(GRANTD_LOG_WARN, "janitor_not_started", "{}");
        pthread_cond_destroy(&j->wake);
        pthread_mutex_destroy(&j->lock);
        free(j);
        return NULL;
    }
    return j;
}

void grantd_janitor_stop(struct grantd_janitor *j)
{
    if (!j)
        return;
    pthread_mutex_lock(&j->lock);
    j->stopping = 1;
    pthread_cond_signal(&j->wake);
    pthread_mutex_unlock(&j->lock);
    pthread_join(j->thread, NULL);
    pthread_cond_destroy(&j->wake);
    pthread_mutex_destroy(&j->lock);
    free(j);
}
