/* Rate limits on passwords and client secrets (ratelimit.h): the counters' keys, the growing
 * delay of sign-in tries, the refusals of client authentication remembered in memory, the
 * log event and the stats. Not here: request rates (ratelimit_rate.c), the counters'
 * storage (store.h limit_add). */
#include "oauth/ratelimit.h"

#include <pthread.h>
#include <stdatomic.h>
#include <stdio.h>
#include <string.h>

#include "core/crypto.h"
#include "core/log.h"
#include "http/app.h"
#include "oauth/event.h"
#include "store/store.h"
#include "ui/pages.h"

/* ---- stats and the log event ---- */

static atomic_uint_least64_t refused_login_delay, refused_login_address, refused_client,
    refused_introspect, refused_check;

void grantd_ratelimit_stats(struct grantd_ratelimit_stats *out)
{
    out->login_delay = atomic_load_explicit(&refused_login_delay, memory_order_relaxed);
    out->login_address = atomic_load_explicit(&refused_login_address, memory_order_relaxed);
    out->client_auth = atomic_load_explicit(&refused_client, memory_order_relaxed);
    out->introspect = atomic_load_explicit(&refused_introspect, memory_order_relaxed);
    out->check = atomic_load_explicit(&refused_check, memory_order_relaxed);
}

static atomic_uint_least64_t *counter_of(const char *limit)
{
    if (strcmp(limit, "login") == 0)
        return &refused_login_delay;
    if (strcmp(limit, "address") == 0)
        return &refused_login_address;
    if (strcmp(limit, "client") == 0)
        return &refused_client;
    return strcmp(limit, "introspect") == 0 ? &refused_introspect : &refused_check;
}

void grantd_ratelimit_refused(struct grantd_request *req, const char *limit, const char *who,
                              int64_t wait)
{
    atomic_fetch_add_explicit(counter_of(limit), 1, memory_order_relaxed);
    int by_client = strcmp(limit, "client") == 0 || strcmp(limit, "introspect") == 0;
    grantd_log(GRANTD_LOG_WARN, "rate_limited", "{s:s,s:s,s:s,s:s?,s:s,s:I}", "request_id",
               req->request_id, "issuer", req->iss->url, "limit", limit,
               by_client ? "client_id" : "username", who, "address",
               req->remote_ip ? req->remote_ip : "", "retry_after", (json_int_t)wait);
    /* grantd_rate_limited_total{limit} and the "rate_limited" audit event */
    grantd_event_rate_limited(req, limit, by_client ? NULL : who, by_client ? who : NULL, wait);
}

grantd_rc grantd_ratelimit_refuse(struct grantd_request *req, struct grantd_refusal *no,
                                  int64_t wait)
{
    memset(no, 0, sizeof(*no));
    no->error = "slow_down"; /* RFC 8628 §3.5's code for "ask less often", at the token
                              * endpoint; RFC 6585 §4's 429 */
    no->status = 429;
    no->description = "too many requests; retry after the time in Retry-After";
    no->retry_after = grantd_arena_printf(req->arena, "%lld", (long long)(wait > 0 ? wait : 1));
    return GRANTD_EREFUSED;
}

/* ---- the arithmetic ---- */

int64_t grantd_ratelimit_delay(int64_t count, unsigned failures, unsigned max_delay)
{
    if (count < (int64_t)failures || count <= 0)
        return 0;
    int64_t steps = count - (int64_t)failures;
    int64_t d = steps >= 31 ? (int64_t)1 << 31 : (int64_t)1 << steps;
    return d < (int64_t)max_delay ? d : (int64_t)max_delay;
}

int64_t grantd_ratelimit_share(unsigned rate, int64_t total, int64_t mine)
{
    if (total <= (int64_t)rate || total <= 0)
        return rate;
    int64_t share = (int64_t)((double)rate * (double)(mine < 0 ? 0 : mine) / (double)total);
    int64_t floor = rate / 16 ? rate / 16 : 1;
    return share > floor ? share : floor;
}

/* "kind:" and the base64url SHA-256 of the parts joined by newlines (no part has one that
 * matters: an address never does); a bounded key that keeps no username in the clear. */
static const char *key_of(struct grantd_request *req, const char *kind, const char *a,
                          const char *b)
{
    const char *text = grantd_arena_printf(req->arena, "%s\n%s", a, b ? b : "");
    unsigned char h[GRANTD_SHA256_LEN];
    grantd_sha256(text, strlen(text), h);
    char enc[64];
    grantd_b64url_encode(h, sizeof(h), enc);
    return grantd_arena_printf(req->arena, "%s:%s", kind, enc);
}

static const char *address_of(const struct grantd_request *req)
{
    return req->remote_ip && *req->remote_ip ? req->remote_ip : "-";
}

/* ---- passwords ---- */

grantd_rc grantd_ratelimit_login_begin(struct grantd_request *req, const char *username,
                                       struct grantd_login_try *t, int64_t *wait)
{
    const struct grantd_config *cfg = req->iss->cfg;
    struct grantd_store *st = req->app->store;
    int64_t now = req->app->now(), tenant = req->iss->tenant;
    struct grantd_limit l;
    memset(t, 0, sizeof(*t));
    t->username = username;
    *wait = 0;
    if (cfg->rate_limits.address.failures) {
        t->address = key_of(req, "login-address", address_of(req), NULL);
        grantd_rc rc = grantd_store_limit_add(st, tenant, t->address, 0,
                                              cfg->rate_limits.address.window, now, &l);
        if (rc != GRANTD_OK)
            return rc;
        if (l.count >= cfg->rate_limits.address.failures) {
            *wait = l.since + cfg->rate_limits.address.window - now;
            *wait = *wait > 0 ? *wait : 1;
            grantd_ratelimit_refused(req, "address", username, *wait);
            return GRANTD_OK;
        }
    }
    if (!cfg->rate_limits.login.failures)
        return GRANTD_OK;
    t->key = key_of(req, "login", username, address_of(req));
    grantd_rc rc = grantd_store_limit_add(st, tenant, t->key, 1, cfg->rate_limits.login.window,
                                          now, &l);
    if (rc != GRANTD_OK)
        return rc;
    /* this try is the count-th: it must come delay(count - 1) after the one before */
    unsigned failures = cfg->rate_limits.login.failures, cap = cfg->rate_limits.login.max_delay;
    int64_t due = l.prev + grantd_ratelimit_delay(l.count - 1, failures, cap);
    if (l.prev && now < due) {
        *wait = grantd_ratelimit_delay(l.count, failures, cap); /* this try is the latest */
        grantd_ratelimit_refused(req, "login", username, *wait);
    }
    return GRANTD_OK;
}

grantd_rc grantd_ratelimit_login_end(struct grantd_request *req, const struct grantd_login_try *t,
                                     int ok)
{
    const struct grantd_config *cfg = req->iss->cfg;
    struct grantd_store *st = req->app->store;
    if (ok)
        return t->key ? grantd_store_limit_clear(st, req->iss->tenant, t->key) : GRANTD_OK;
    if (!t->address)
        return GRANTD_OK;
    struct grantd_limit l;
    return grantd_store_limit_add(st, req->iss->tenant, t->address, 1,
                                  cfg->rate_limits.address.window, req->app->now(), &l);
}

const char *grantd_ratelimit_login_text(struct grantd_request *req, int64_t wait)
{
    return grantd_arena_printf(req->arena, "%s%lld %s%s",
                               grantd_ui_say(req, GRANTD_T_too_many_tries_pre), (long long)wait,
                               grantd_ui_say(req, wait == 1 ? GRANTD_T_second : GRANTD_T_seconds),
                               grantd_ui_say(req, GRANTD_T_too_many_tries_post));
}

void grantd_ratelimit_retry_after(struct grantd_request *req, struct grantd_response *resp,
                                  int64_t wait)
{
    grantd_response_header(resp, "Retry-After",
                           grantd_arena_printf(req->arena, "%lld", (long long)wait));
}

/* ---- client authentication: refusals remembered in memory ----
 *
 * A table of (store, tenant, key hash) -> the end of the refusal, open addressing, behind
 * one mutex; `latest` (the latest end of any entry) lets every authentication skip the
 * table, and the hashing, while no refusal is running. When the table is full, an ended
 * entry is reused, else the oldest-ending one goes (the store still counts: the next
 * failure from that client and address is refused again). */
#define BLOCKED_SLOTS 1024

struct blocked {
    uint64_t h;      /* 0: free */
    int64_t until;   /* unix seconds */
};

static pthread_mutex_t blocked_mu = PTHREAD_MUTEX_INITIALIZER;
static struct blocked blocked[BLOCKED_SLOTS];
static atomic_int_least64_t latest;

static uint64_t hash_of(const struct grantd_request *req, const char *key)
{
    uint64_t h = 1469598103934665603ull; /* FNV-1a over the store, the tenant and the key */
    const void *st = req->app->store;
    int64_t tenant = req->iss->tenant;
    const unsigned char *parts[2] = {(const unsigned char *)&st, (const unsigned char *)&tenant};
    size_t lens[2] = {sizeof(st), sizeof(tenant)};
    for (int i = 0; i < 2; i++)
        for (size_t j = 0; j < lens[i]; j++)
            h = (h ^ parts[i][j]) * 1099511628211ull;
    for (const unsigned char *p = (const unsigned char *)key; *p; p++)
        h = (h ^ *p) * 1099511628211ull;
    return h ? h : 1;
}

/* The end of key's refusal, or 0. */
static int64_t blocked_until(uint64_t h, int64_t now)
{
    int64_t until = 0;
    pthread_mutex_lock(&blocked_mu);
    for (size_t i = 0, s = h % BLOCKED_SLOTS; i < 16; i++, s = (s + 1) % BLOCKED_SLOTS)
        if (blocked[s].h == h && blocked[s].until > now) {
            until = blocked[s].until;
            break;
        }
    pthread_mutex_unlock(&blocked_mu);
    return until;
}

static void block(uint64_t h, int64_t until, int64_t now)
{
    pthread_mutex_lock(&blocked_mu);
    size_t pick = h % BLOCKED_SLOTS;
    for (size_t i = 0, s = h % BLOCKED_SLOTS; i < 16; i++, s = (s + 1) % BLOCKED_SLOTS) {
        if (blocked[s].h == h || blocked[s].until <= now) {
            pick = s;
            break;
        }
        if (blocked[s].until < blocked[pick].until)
            pick = s;
    }
    blocked[pick] = (struct blocked){h, until};
    int64_t l = atomic_load(&latest);
    while (l < until && !atomic_compare_exchange_weak(&latest, &l, until))
        ;
    pthread_mutex_unlock(&blocked_mu);
}

grantd_rc grantd_ratelimit_client_check(struct grantd_request *req, const char *client_id,
                                        struct grantd_refusal *no)
{
    int64_t now = req->app->now();
    if (!req->iss->cfg->rate_limits.client.failures || atomic_load(&latest) <= now)
        return GRANTD_OK;
    int64_t until = blocked_until(hash_of(req, key_of(req, "client", client_id,
                                                      address_of(req))),
                                  now);
    if (!until)
        return GRANTD_OK;
    grantd_ratelimit_refused(req, "client", client_id, until - now);
    return grantd_ratelimit_refuse(req, no, until - now);
}

grantd_rc grantd_ratelimit_client_failed(struct grantd_request *req, const char *client_id,
                                         struct grantd_refusal *no)
{
    const struct grantd_config *cfg = req->iss->cfg;
    unsigned failures = cfg->rate_limits.client.failures;
    if (!failures)
        return GRANTD_OK;
    int64_t now = req->app->now();
    const char *key = key_of(req, "client", client_id, address_of(req));
    struct grantd_limit l;
    grantd_rc rc = grantd_store_limit_add(req->app->store, req->iss->tenant, key, 1,
                                          cfg->rate_limits.client.window, now, &l);
    if (rc != GRANTD_OK || l.count < failures)
        return rc;
    int64_t until = l.since + cfg->rate_limits.client.window;
    block(hash_of(req, key), until, now);
    if (l.count == failures) /* the last one allowed: its 401 stands */
        return GRANTD_OK;
    grantd_ratelimit_refused(req, "client", client_id, until - now);
    return grantd_ratelimit_refuse(req, no, until - now);
}
