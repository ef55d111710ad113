/* The change watcher (watch.h). One thread per watcher: a loop of change_wait turns.
 *
 * Writes of this process move the generation at once (the wrappers in store.c); the watcher
 * adds every other process's within GRANTD_STORE_CHANGE_POLL_MS of their commit. It sees
 * this process's writes too and moves the generation for them a second time: one more cache
 * miss per entry, for writes that are rare (store.h lists the ones that move the sequence).
 *
 * When the store does not answer, nobody can say what changed meanwhile: every failed turn
 * moves the generation (caches keep nothing across the failure), the failure is logged once,
 * and the next turn comes after a pause of a turn's length.
 *
 * Not here: what moves the sequence (the drivers, inside each write's transaction), the
 * caches (oauth/). */
#include "store/watch.h"

#include <pthread.h>
#include <stdatomic.h>
#include <stdlib.h>
#include <unistd.h>

#include "core/log.h"
#include "core/mem.h"

struct grantd_store_watch {
    struct grantd_store *s;
    pthread_t thread;
    atomic_int stop;
    int blind;    /* the driver has no change sequence */
    uint64_t seq; /* the sequence as last seen (the thread's own after start) */
};

/* One turn: waits for a change and moves the generation when the sequence moved. *failing
 * tracks a run of failed turns, so that only its first one is logged. */
static void turn(struct grantd_store_watch *w, int *failing)
{
    uint64_t seq = w->seq;
    grantd_rc rc = grantd_store_change_wait(w->s, w->seq, GRANTD_STORE_WATCH_TURN_MS, &seq);
    if (rc == GRANTD_OK) {
        if (*failing)
            grantd_log(GRANTD_LOG_INFO, "store_watch_recovered", "{}");
        *failing = 0;
        if (seq != w->seq) /* smaller too: a database restored from a backup */
            grantd_store_changed(w->s);
        w->seq = seq;
        return;
    }
    if (!(*failing)++)
        grantd_log(GRANTD_LOG_WARN, "store_watch_failed", "{s:s}", "error",
                   grantd_strerror(rc));
    grantd_store_changed(w->s);
    usleep(GRANTD_STORE_WATCH_TURN_MS * 1000);
}

static void *watch_main(void *arg)
{
    struct grantd_store_watch *w = arg;
    int failing = 0;
    while (!atomic_load(&w->stop)) {
        if (w->blind) {
            grantd_store_changed(w->s);
            usleep(GRANTD_STORE_CHANGE_POLL_MS * 1000);
        } else {
            turn(w, &failing);
        }
    }
    return NULL;
}

grantd_rc grantd_store_watch_start(struct grantd_store *s, struct grantd_store_watch **out)
{
    struct grantd_store_watch *w = grantd_xcalloc(1, sizeof(*w));
    w->s = s;
    atomic_init(&w->stop, 0);
    grantd_rc rc = grantd_store_change_seq(s, &w->seq);
    w->blind = rc == GRANTD_ENOTSUP;
    if (w->blind) {
        grantd_log(GRANTD_LOG_WARN, "store_watch_blind", "{s:s,s:i}", "reason",
                   "the storage driver has no change sequence", "cache_ms",
                   GRANTD_STORE_CHANGE_POLL_MS);
        rc = GRANTD_OK;
    }
    if (rc == GRANTD_OK && pthread_create(&w->thread, NULL, watch_main, w) != 0)
        rc = GRANTD_ESTORE;
    if (rc != GRANTD_OK) {
        free(w);
        w = NULL;
    }
    *out = w;
    return rc;
}

void grantd_store_watch_stop(struct grantd_store_watch *w)
{
    if (!w)
        return;
    atomic_store(&w->stop, 1);
    pthread_join(w->thread, NULL);
    free(w);
}
