/* Request rates (ratelimit.h): /introspect per authenticated client, /check per caller
 * address. These are hot paths (~100,000 requests a second): a request never waits for the
 * store, except one request per caller and second, which hands the second before to it.
 *
 * Per instance, per caller: the requests of the current second (the server's clock, which
 * tests move) against an allowance, the instance's share of the configured rate. The first
 * request of a new second adds the count of the second before to the store's counter for
 * that second (store.h limit_add, shared by every instance on the database), and reads the
 * counter of the second before that, complete by then: from its total and this instance's
 * part, grantd_ratelimit_share gives the next allowance (the whole rate while the total
 * stayed under it, else a share in proportion to demand). Requests refused count as demand.
 * So one instance alone allows the rate, and several converge on it together within two
 * seconds of a change. A store failure keeps the allowance as it was (and is logged).
 *
 * The table is fixed (CALLERS slots, open addressing, one mutex per stripe, taken once a
 * second per caller: the requests in between only add to an atomic); a caller that finds
 * it full is not limited (the callers are authenticated clients or the admin
 * listener's proxies: few). Not here: passwords and secrets (ratelimit.c). */
#include "oauth/ratelimit.h"

#include <pthread.h>
#include <stdatomic.h>
#include <stdio.h>
#include <string.h>

#include "core/log.h"
#include "http/app.h"
#include "store/store.h"

#define CALLERS 4096
#define STRIPES 16
#define PROBES 8
#define WINDOW 3 /* seconds a second's store counter is kept */

/* The atomic members are read without the stripe's lock by the fast path (the caller's
 * slot in the second it counts: one atomic add); everything is written under the lock. */
struct caller {
    atomic_uint_least64_t h;     /* 0: free */
    atomic_int_least64_t second; /* the second `used` counts */
    atomic_int_least64_t used;   /* requests of that second, refused ones included */
    atomic_int_least64_t allowance; /* per second; -1: the whole rate */
    int64_t before[2];   /* requests of the second before, and of the one before that */
    int flushing;        /* a request is talking to the store for this caller */
};

static struct caller callers[CALLERS];
static pthread_mutex_t stripes[STRIPES] = {
    PTHREAD_MUTEX_INITIALIZER, PTHREAD_MUTEX_INITIALIZER, PTHREAD_MUTEX_INITIALIZER,
    PTHREAD_MUTEX_INITIALIZER, PTHREAD_MUTEX_INITIALIZER, PTHREAD_MUTEX_INITIALIZER,
    PTHREAD_MUTEX_INITIALIZER, PTHREAD_MUTEX_INITIALIZER, PTHREAD_MUTEX_INITIALIZER,
    PTHREAD_MUTEX_INITIALIZER, PTHREAD_MUTEX_INITIALIZER, PTHREAD_MUTEX_INITIALIZER,
    PTHREAD_MUTEX_INITIALIZER, PTHREAD_MUTEX_INITIALIZER, PTHREAD_MUTEX_INITIALIZER,
    PTHREAD_MUTEX_INITIALIZER};

/* FNV-1a of the store, the tenant, the kind and the caller's name. */
static uint64_t caller_hash(const struct grantd_request *req, const char *kind, const char *who)
{
    uint64_t h = 1469598103934665603ull;
    const void *st = req->app->store;
    int64_t tenant = req->iss->tenant;
    const unsigned char *p = (const unsigned char *)&st;
    for (size_t i = 0; i < sizeof(st); i++)
        h = (h ^ p[i]) * 1099511628211ull;
    p = (const unsigned char *)&tenant;
    for (size_t i = 0; i < sizeof(tenant); i++)
        h = (h ^ p[i]) * 1099511628211ull;
    for (const char *s = kind; *s; s++)
        h = (h ^ (unsigned char)*s) * 1099511628211ull;
    h = (h ^ 0xff) * 1099511628211ull;
    for (const char *s = who; *s; s++)
        h = (h ^ (unsigned char)*s) * 1099511628211ull;
    return h ? h : 1;
}

/* Slot i of the probe of h; the slots of stripe k are those with index % STRIPES == k. */
static struct caller *slot(uint64_t h, size_t i)
{
    size_t base = (size_t)(h / STRIPES) % (CALLERS / STRIPES);
    return &callers[((base + i) % (CALLERS / STRIPES)) * STRIPES + h % STRIPES];
}

/* The caller's slot, without the lock; NULL when the probe does not find it. */
static struct caller *lookup(uint64_t h)
{
    for (size_t i = 0; i < PROBES; i++)
        if (atomic_load_explicit(&slot(h, i)->h, memory_order_acquire) == h)
            return slot(h, i);
    return NULL;
}

/* The caller's slot (the stripe locked), claimed when new; NULL when the probe found
 * neither it nor a slot idle for two seconds. */
static struct caller *find(uint64_t h, int64_t now)
{
    struct caller *free_slot = NULL;
    for (size_t i = 0; i < PROBES; i++) {
        struct caller *c = slot(h, i);
        uint64_t ch = atomic_load(&c->h);
        if (ch == h)
            return c;
        if (!free_slot && !c->flushing && (ch == 0 || atomic_load(&c->second) < now - 2))
            free_slot = c;
    }
    if (free_slot) {
        atomic_store(&free_slot->h, 0);
        atomic_store(&free_slot->used, 0);
        atomic_store(&free_slot->allowance, -1);
        free_slot->before[0] = free_slot->before[1] = 0;
        atomic_store(&free_slot->second, now);
        atomic_store_explicit(&free_slot->h, h, memory_order_release);
    }
    return free_slot;
}

/* Moves c into second now; 1 when the second before is to be handed to the store. */
static int roll(struct caller *c, int64_t now)
{
    int64_t second = atomic_load(&c->second);
    if (second == now)
        return 0;
    int64_t gap = now - second;
    c->before[1] = gap == 1 ? c->before[0] : 0;
    c->before[0] = gap == 1 ? atomic_load(&c->used) : 0;
    if (gap > 1) /* quiet for a second or more: what it counted is stale, the rate is whole */
        atomic_store(&c->allowance, -1);
    atomic_store(&c->used, 0); /* before the second: the fast path counts into the new one */
    atomic_store(&c->second, now);
    if (c->flushing || (!c->before[0] && !c->before[1]))
        return 0;
    c->flushing = 1;
    return 1;
}

struct flush {
    int64_t second;      /* the second the request is in */
    int64_t mine[2];     /* this instance's requests of second - 1 and second - 2 */
};

/* Hands second - 1 to the store and learns the allowance from second - 2. */
static int64_t flush(struct grantd_request *req, const char *kind, uint64_t h, unsigned rate,
                     const struct flush *f, int64_t allowance)
{
    struct grantd_store *st = req->app->store;
    struct grantd_limit l = {0};
    char key[64];
    grantd_rc rc = GRANTD_OK;
    if (f->mine[0]) {
        snprintf(key, sizeof(key), "%s:%016llx:%lld", kind, (unsigned long long)h,
                 (long long)(f->second - 1));
        rc = grantd_store_limit_add(st, req->iss->tenant, key, f->mine[0], WINDOW,
                                    f->second - 1, &l);
    }
    if (rc == GRANTD_OK && f->mine[1]) {
        snprintf(key, sizeof(key), "%s:%016llx:%lld", kind, (unsigned long long)h,
                 (long long)(f->second - 2));
        rc = grantd_store_limit_add(st, req->iss->tenant, key, 0, WINDOW, f->second - 2, &l);
        if (rc == GRANTD_OK)
            return grantd_ratelimit_share(rate, l.count, f->mine[1]);
    }
    if (rc != GRANTD_OK) {
        grantd_log(GRANTD_LOG_WARN, "rate_limit_store", "{s:s,s:s}", "request_id",
                   req->request_id, "error", grantd_strerror(rc));
        return allowance;
    }
    return -1; /* nothing this instance did two seconds ago: the whole rate for now */
}

/* Counts one request in c; 1 when that went over the allowance. */
static int count(struct caller *c, unsigned rate)
{
    int64_t n = atomic_fetch_add_explicit(&c->used, 1, memory_order_relaxed) + 1;
    int64_t allowance = atomic_load_explicit(&c->allowance, memory_order_relaxed);
    return n > (allowance < 0 ? (int64_t)rate : allowance);
}

/* 1 when who went over rate this second (the request counted either way). The fast path:
 * the caller's slot is in this second already (a request that races a roll may count in
 * the second before: one request off, never lost). */
static int over(struct grantd_request *req, const char *kind, const char *who, unsigned rate)
{
    int64_t now = req->app->now();
    uint64_t h = caller_hash(req, kind, who);
    struct caller *c = lookup(h);
    if (c && atomic_load_explicit(&c->second, memory_order_acquire) == now)
        return count(c, rate);
    pthread_mutex_t *mu = &stripes[h % STRIPES];
    pthread_mutex_lock(mu);
    c = find(h, now);
    if (!c) {
        pthread_mutex_unlock(mu);
        return 0;
    }
    int must_flush = roll(c, now);
    struct flush f = {now, {c->before[0], c->before[1]}};
    int64_t allowance = atomic_load(&c->allowance);
    int refused = count(c, rate);
    pthread_mutex_unlock(mu);
    if (!must_flush)
        return refused;
    int64_t next = flush(req, kind, h, rate, &f, allowance);
    pthread_mutex_lock(mu);
    if (atomic_load(&c->h) == h) {
        atomic_store(&c->allowance, next);
        c->flushing = 0;
    }
    pthread_mutex_unlock(mu);
    return refused;
}

grantd_rc grantd_ratelimit_introspect(struct grantd_request *req, const char *client_id,
                                      struct grantd_refusal *no)
{
    unsigned rate = req->iss->cfg->rate_limits.introspect.rate;
    if (!rate || !over(req, "introspect", client_id, rate))
        return GRANTD_OK;
    grantd_ratelimit_refused(req, "introspect", client_id, 1);
    return grantd_ratelimit_refuse(req, no, 1);
}

int grantd_ratelimit_check_over(struct grantd_request *req)
{
    unsigned rate = req->iss->cfg->rate_limits.check.rate;
    const char *who = req->remote_ip && *req->remote_ip ? req->remote_ip : "-";
    if (!rate || !over(req, "check", who, rate))
        return 0;
    grantd_ratelimit_refused(req, "check", NULL, 1);
    return 1;
}
