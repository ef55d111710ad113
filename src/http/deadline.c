/* The watcher of request deadlines (deadline.h): one thread, one list of connections. */
#include "http/deadline.h"

#include <errno.h>
#include <pthread.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <time.h>

#include <jansson.h>

#include "core/clock.h"
#include "core/log.h"
#include "core/mem.h"

enum phase { WAITING, HEADERS, BODY, HANDLING, CUT };

struct grantd_watch {
    struct grantd_watch *prev, *next;
    int fd;
    char remote[48];
    atomic_int phase;
    _Atomic int64_t since_us; /* when the phase began; written before the phase */
};

struct grantd_deadlines {
    pthread_t thread;
    pthread_mutex_t mu; /* the list and stop */
    pthread_cond_t cv;
    struct grantd_watch *head;
    int stop;
    int64_t limit_us[3]; /* WAITING, HEADERS, BODY */
};

static atomic_ulong header_cuts, body_cuts;

void grantd_deadlines_counts(uint64_t *header, uint64_t *body)
{
    *header = atomic_load(&header_cuts);
    *body = atomic_load(&body_cuts);
}

/* What a late request gets before the close. The JSON error shape every refusal has; a
 * browser shows it as text, which says what happened. */
#define TIMEOUT_BODY(what)                                                                    \
    "{\"error\":\"invalid_request\",\"error_description\":\"the request " what               \
    " did not arrive in time\"}"
#define TIMEOUT_ANSWER                                                                        \
    "HTTP/1.1 408 Request Timeout\r\nConnection: close\r\nContent-Type: application/json\r\n" \
    "Cache-Control: no-store\r\nX-Content-Type-Options: nosniff\r\nContent-Length: "        \
    "%zu\r\n\r\n%s"

static void write_408(int fd, const char *body)
{
    char buf[512];
    int n = snprintf(buf, sizeof(buf), TIMEOUT_ANSWER, strlen(body), body);
    if (n > 0 && (size_t)n < sizeof(buf)) {
        /* best effort: a client that does not read gets the close alone */
        ssize_t sent = send(fd, buf, (size_t)n, MSG_DONTWAIT | MSG_NOSIGNAL);
        (void)sent;
    }
}

/* Cuts w, whose phase was seen as p, unless its I/O thread moved on meanwhile. */
static void cut(struct grantd_watch *w, int p, int64_t limit_us)
{
    int expected = p;
    if (!atomic_compare_exchange_strong(&w->phase, &expected, CUT))
        return;
    static const char *const names[] = {"request_line", "headers", "body"};
    if (p == HEADERS)
        write_408(w->fd, TIMEOUT_BODY("headers"));
    else if (p == BODY)
        write_408(w->fd, TIMEOUT_BODY("body"));
    atomic_fetch_add(p == BODY ? &body_cuts : &header_cuts, 1);
    /* libmicrohttpd's next read sees the end of the stream and closes the connection */
    shutdown(w->fd, SHUT_RDWR);
    grantd_log(GRANTD_LOG_WARN, "request_timeout", "{s:s,s:s,s:I,s:i}", "phase", names[p],
               "remote", w->remote, "limit_s", (json_int_t)(limit_us / 1000000),
               "status", p == WAITING ? 0 : 408);
}

static void sweep(struct grantd_deadlines *d, int64_t now)
{
    for (struct grantd_watch *w = d->head; w; w = w->next) {
        int p = atomic_load(&w->phase);
        if (p > BODY)
            continue;
        int64_t since = atomic_load(&w->since_us);
        if (now - since > d->limit_us[p])
            cut(w, p, d->limit_us[p]);
    }
}

static void *watch_loop(void *arg)
{
    struct grantd_deadlines *d = arg;
    pthread_mutex_lock(&d->mu);
    while (!d->stop) {
        struct timespec ts;
        clock_gettime(CLOCK_MONOTONIC, &ts);
        ts.tv_nsec += GRANTD_DEADLINE_TICK_MS * 1000000L;
        if (ts.tv_nsec >= 1000000000L) {
            ts.tv_sec++;
            ts.tv_nsec -= 1000000000L;
        }
        int rc = pthread_cond_timedwait(&d->cv, &d->mu, &ts);
        if (rc != 0 && rc != ETIMEDOUT)
            continue;
        sweep(d, grantd_clock_real_mono_us());
    }
    pthread_mutex_unlock(&d->mu);
    return NULL;
}

struct grantd_deadlines *grantd_deadlines_new(unsigned idle_s, unsigned header_s,
                                              unsigned body_s)
{
    struct grantd_deadlines *d = grantd_xcalloc(1, sizeof(*d));
    d->limit_us[WAITING] = ((int64_t)idle_s + 1) * 1000000;
    d->limit_us[HEADERS] = (int64_t)header_s * 1000000;
    d->limit_us[BODY] = (int64_t)body_s * 1000000;
    pthread_mutex_init(&d->mu, NULL);
    pthread_condattr_t ca;
    pthread_condattr_init(&ca);
    pthread_condattr_setclock(&ca, CLOCK_MONOTONIC);
    pthread_cond_init(&d->cv, &ca);
    pthread_condattr_destroy(&ca);
    if (pthread_create(&d->thread, NULL, watch_loop, d) != 0) {
        fprintf(stderr, "grantd: cannot start the request deadline thread\n");
        abort();
    }
    return d;
}

void grantd_deadlines_free(struct grantd_deadlines *d)
{
    if (!d)
        return;
    pthread_mutex_lock(&d->mu);
    d->stop = 1;
    pthread_cond_signal(&d->cv);
    pthread_mutex_unlock(&d->mu);
    pthread_join(d->thread, NULL);
    while (d->head) { /* a connection libmicrohttpd never reported closed */
        struct grantd_watch *w = d->head;
        d->head = w->next;
        free(w);
    }
    pthread_cond_destroy(&d->cv);
    pthread_mutex_destroy(&d->mu);
    free(d);
}

struct grantd_watch *grantd_watch_add(struct grantd_deadlines *d, int fd, const char *remote)
{
    struct grantd_watch *w = grantd_xcalloc(1, sizeof(*w));
    w->fd = fd;
    snprintf(w->remote, sizeof(w->remote), "%s", remote);
    atomic_init(&w->since_us, grantd_clock_real_mono_us());
    atomic_init(&w->phase, WAITING);
    pthread_mutex_lock(&d->mu);
    w->next = d->head;
    if (d->head)
        d->head->prev = w;
    d->head = w;
    pthread_mutex_unlock(&d->mu);
    return w;
}

void grantd_watch_remove(struct grantd_deadlines *d, struct grantd_watch *w)
{
    if (!w)
        return;
    pthread_mutex_lock(&d->mu);
    if (w->prev)
        w->prev->next = w->next;
    else
        d->head = w->next;
    if (w->next)
        w->next->prev = w->prev;
    pthread_mutex_unlock(&d->mu);
    free(w);
}

/* Moves w to phase `to` (its clock restarted) unless the watcher cut it; 0 when it did. */
static int enter(struct grantd_watch *w, int to)
{
    if (!w)
        return 1;
    atomic_store(&w->since_us, grantd_clock_real_mono_us());
    int p = atomic_load(&w->phase);
    while (p != CUT)
        if (atomic_compare_exchange_weak(&w->phase, &p, to))
            return 1;
    return 0;
}

void grantd_watch_request_line(struct grantd_watch *w)
{
    (void)enter(w, HEADERS);
}

int grantd_watch_headers_done(struct grantd_watch *w)
{
    return enter(w, BODY);
}

int grantd_watch_body_done(struct grantd_watch *w)
{
    return enter(w, HANDLING);
}

int grantd_watch_was_cut(const struct grantd_watch *w)
{
    return w && atomic_load(&w->phase) == CUT;
}

void grantd_watch_answered(struct grantd_watch *w)
{
    (void)enter(w, WAITING);
}
