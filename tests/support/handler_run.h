/* What the server does around a handler, for tests and fuzz targets that call handlers
 * without sockets (tests/unit/oauth/protocol.h, tests/fuzz/fuzz_app.h): running a deferred
 * answer (http/request.h: start, wait for the wake, continue; a continuation may defer
 * again) and reading an answer's header. Header-only: each test executable includes it
 * once. Not here: building requests and apps (the two harnesses' own). */
#ifndef GRANTD_TESTS_SUPPORT_HANDLER_RUN_H
#define GRANTD_TESTS_SUPPORT_HANDLER_RUN_H

#include <errno.h>
#include <pthread.h>
#include <string.h>
#include <strings.h>
#include <time.h>

#include "http/request.h"

struct grantd_test_wake {
    pthread_mutex_t mu;
    pthread_cond_t cv;
    int woken;
};

static inline void grantd_test_wake_fn(void *token)
{
    struct grantd_test_wake *w = token;
    pthread_mutex_lock(&w->mu);
    w->woken = 1;
    pthread_cond_signal(&w->cv);
    pthread_mutex_unlock(&w->mu);
}

/* Runs resp's deferred answer as the server does, each continuation's next deferral too:
 * start, wait for the wake (from the store's writer thread; 10 s at most), continue. 1 when
 * every wake came; 0 when one never did (a bug: the caller fails), its continuation not
 * run. */
static inline int grantd_test_run_deferral(struct grantd_request *req,
                                           struct grantd_response *resp)
{
    while (resp->defer.start) {
        struct grantd_test_wake w = {PTHREAD_MUTEX_INITIALIZER, PTHREAD_COND_INITIALIZER, 0};
        struct timespec until;
        clock_gettime(CLOCK_REALTIME, &until);
        until.tv_sec += 10;
        resp->defer.start(resp->defer.arg, grantd_test_wake_fn, &w);
        pthread_mutex_lock(&w.mu);
        int rc = 0;
        while (!w.woken && rc != ETIMEDOUT)
            rc = pthread_cond_timedwait(&w.cv, &w.mu, &until);
        int woken = w.woken;
        pthread_mutex_unlock(&w.mu);
        if (!woken)
            return 0;
        pthread_cond_destroy(&w.cv);
        pthread_mutex_destroy(&w.mu);
        void *arg = resp->defer.arg;
        grantd_defer_cont_fn cont = resp->defer.cont;
        memset(&resp->defer, 0, sizeof(resp->defer));
        cont(req, resp, arg);
    }
    return 1;
}

/* The answer's header name (case-insensitive); NULL when absent. */
static inline const char *grantd_test_response_header(const struct grantd_response *resp,
                                                      const char *name)
{
    for (size_t i = 0; i < resp->header_count; i++)
        if (strcasecmp(resp->headers[i].name, name) == 0)
            return resp->headers[i].value;
    return NULL;
}

#endif
