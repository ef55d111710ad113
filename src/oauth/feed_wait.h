/* The long-poll of the revocation feed (GET /v1/revocations?wait=SECONDS): requests that
 * found no event after their cursor wait here, off the I/O threads, until an event arrives,
 * their wait ends, or the server stops. Not here: the endpoint (revocations.c). */
#ifndef GRANTD_OAUTH_FEED_WAIT_H
#define GRANTD_OAUTH_FEED_WAIT_H

#include <stdint.h>

#include "http/request.h"

/* The longest wait a request may ask for, in seconds; a longer one is cut to this. */
#define GRANTD_FEED_WAIT_MAX 30

struct grantd_store;
struct grantd_feed_waiter;

/* One waiting request, in its arena: the endpoint fills tenant, after and deadline_us
 * (grantd_clock_real_mono_us), the waiter the rest. */
struct grantd_feed_wait {
    struct grantd_feed_waiter *w;
    int64_t tenant, after, deadline_us;
    grantd_wake_fn wake;
    void *token;
    int checked; /* the store was asked since the request began waiting */
    struct grantd_feed_wait *prev, *next;
};

/* Starts the waiter's thread over store s. Aborts when no thread can be made. */
struct grantd_feed_waiter *grantd_feed_waiter_start(struct grantd_store *s);
/* Wakes every waiting request, and from now on wakes each new one at once: call before
 * the admin listener stops, which waits for every suspended request. Ends the thread. */
void grantd_feed_waiter_close(struct grantd_feed_waiter *w);
/* Frees w (after close and after the listener stopped); NULL is fine. */
void grantd_feed_waiter_free(struct grantd_feed_waiter *w);

/* A grantd_defer_start_fn: arg is a struct grantd_feed_wait with w set. wake(token) is
 * called once, from the waiter's thread (or from here, when the waiter is closed). */
void grantd_feed_wait_start(void *arg, grantd_wake_fn wake, void *token);

#endif
