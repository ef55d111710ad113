/* The long-poll of the revocation feed (feed_wait.h). A request that found nothing after its
 * cursor is deferred (grantd_response_defer): its connection is suspended and a record of
 * it joins this module's list, so no I/O thread of the admin listener is held while it
 * waits, and /check answers beside any number of long-polls (up to the connection limit).
 *
 * One thread serves every waiting request. Each turn (GRANTD_STORE_CHANGE_POLL_MS, or at
 * once when a request joins) it compares the store's generation with the one it last saw:
 * it moves at once for this process's writes and, through the change watcher
 * (store/watch.c), within a poll for any other process's (the CLI's `client disable`).
 * When it moved, and for a request that joined since the last turn (an event may have
 * committed between the endpoint's read and the join), it asks the store for one event
 * after the request's cursor; a request with an event, a store failure, or a wait that has
 * ended is woken, and the endpoint answers it as a plain poll would.
 *
 * Closing wakes every request and makes later ones wake at once, so a stopping server never
 * waits out a long-poll (the listener's stop waits for every suspended request).
 *
 * Not here: the endpoint and its answer (revocations.c), what moves the generation. */
#include "oauth/feed_wait.h"

#include <pthread.h>
#include <stdlib.h>
#include <time.h>

#include "core/clock.h"
#include "core/mem.h"
#include "store/store.h"

struct grantd_feed_waiter {
    struct grantd_store *s;
    pthread_mutex_t mu;
    pthread_cond_t cv; /* a request joined, or close */
    pthread_t thread;
    int closed;
    struct grantd_feed_wait *head;
    struct grantd_arena *arena; /* the thread's reads */
};

static void unlink_wait(struct grantd_feed_waiter *w, struct grantd_feed_wait *e)
{
    if (e->prev)
        e->prev->next = e->next;
    else
        w->head = e->next;
    if (e->next)
        e->next->prev = e->prev;
    e->prev = e->next = NULL;
}

/* 1 when e should be answered now: an event after its cursor, or the store failed. */
static int has_news(struct grantd_feed_waiter *w, const struct grantd_feed_wait *e)
{
    struct grantd_revocation *events = NULL;
    size_t count = 0;
    int64_t next = 0;
    grantd_rc rc = grantd_store_revocations_since(w->s, w->arena, e->tenant, e->after, 1,
                                                  &events, &count, &next);
    return rc != GRANTD_OK || count > 0;
}

/* One turn over the list, under w->mu: wakes what is due. moved: the generation moved. */
static void turn(struct grantd_feed_waiter *w, int moved)
{
    int64_t now = grantd_clock_real_mono_us();
    for (struct grantd_feed_wait *e = w->head, *next; e; e = next) {
        next = e->next;
        int due = w->closed || now >= e->deadline_us;
        if (!due && (moved || !e->checked))
            due = has_news(w, e);
        e->checked = 1;
        if (due) {
            unlink_wait(w, e);
            e->wake(e->token);
        }
    }
    grantd_arena_reset(w->arena);
}

static void sleep_turn(struct grantd_feed_waiter *w)
{
    struct timespec until;
    clock_gettime(CLOCK_MONOTONIC, &until);
    until.tv_nsec += GRANTD_STORE_CHANGE_POLL_MS * 1000000L;
    if (until.tv_nsec >= 1000000000L) {
        until.tv_sec++;
        until.tv_nsec -= 1000000000L;
    }
    if (w->head)
        pthread_cond_timedwait(&w->cv, &w->mu, &until);
    else
        pthread_cond_wait(&w->cv, &w->mu);
}

static void *waiter_main(void *arg)
{
    struct grantd_feed_waiter *w = arg;
    uint64_t seen = grantd_store_generation(w->s);
    pthread_mutex_lock(&w->mu);
    while (!w->closed) {
        uint64_t gen = grantd_store_generation(w->s);
        turn(w, gen != seen);
        seen = gen;
        if (!w->closed)
            sleep_turn(w);
    }
    turn(w, 0); /* closed: wakes every one */
    pthread_mutex_unlock(&w->mu);
    return NULL;
}

struct grantd_feed_waiter *grantd_feed_waiter_start(struct grantd_store *s)
{
    struct grantd_feed_waiter *w = grantd_xcalloc(1, sizeof(*w));
    pthread_condattr_t ca;
    w->s = s;
    w->arena = grantd_arena_new(4096);
    pthread_mutex_init(&w->mu, NULL);
    pthread_condattr_init(&ca);
    pthread_condattr_setclock(&ca, CLOCK_MONOTONIC);
    pthread_cond_init(&w->cv, &ca);
    pthread_condattr_destroy(&ca);
    if (pthread_create(&w->thread, NULL, waiter_main, w) != 0)
        abort();
    return w;
}

void grantd_feed_waiter_close(struct grantd_feed_waiter *w)
{
    if (!w)
        return;
    pthread_mutex_lock(&w->mu);
    int was = w->closed;
    w->closed = 1;
    pthread_cond_signal(&w->cv);
    pthread_mutex_unlock(&w->mu);
    if (!was)
        pthread_join(w->thread, NULL);
}

void grantd_feed_waiter_free(struct grantd_feed_waiter *w)
{
    if (!w)
        return;
    grantd_feed_waiter_close(w);
    pthread_cond_destroy(&w->cv);
    pthread_mutex_destroy(&w->mu);
    grantd_arena_free(w->arena);
    free(w);
}

void grantd_feed_wait_start(void *arg, grantd_wake_fn wake, void *token)
{
    struct grantd_feed_wait *e = arg;
    struct grantd_feed_waiter *w = e->w;
    e->wake = wake;
    e->token = token;
    e->checked = 0;
    pthread_mutex_lock(&w->mu);
    if (w->closed) {
        pthread_mutex_unlock(&w->mu);
        wake(token);
        return;
    }
    e->prev = NULL;
    e->next = w->head;
    if (w->head)
        w->head->prev = e;
    w->head = e;
    pthread_cond_signal(&w->cv);
    pthread_mutex_unlock(&w->mu);
}
