/* libgrantd-verify: the verifier's lifecycle, discovery (RFC 8414), and the JWKS cache.
 *
 * The cache holds the last good key set. An unknown kid may fetch the JWKS again, but only
 * when the last fetch is older than the cooldown, and concurrent callers share one fetch:
 * a flood of made-up kids costs at most one request per cooldown. A failed fetch keeps the
 * keys already held, so tokens keep verifying while the issuer is unreachable.
 *
 * Not here: checking a token (check.c), the revocation feed's follower (revoked.c), which
 * result.c consults after an OK verdict. */
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <curl/curl.h>

#include "verify/verifier_int.h"

#define DEFAULT_COOLDOWN_S 60
#define DEFAULT_TTL_S 60
#define DEFAULT_NEGATIVE_TTL_S 10
#define DEFAULT_CACHE 1024
#define DEFAULT_TIMEOUT_MS 5000
#define DEFAULT_JWT_CACHE 4096
#define CACHE_MAX (1u << 20)

static pthread_once_t curl_once = PTHREAD_ONCE_INIT;
static void curl_init(void)
{
    curl_global_init(CURL_GLOBAL_DEFAULT);
}

static char *dup_or_null(const char *s)
{
    char *d = s ? strdup(s) : NULL;
    if (s && !d)
        abort();
    return d;
}

static void set_defaults(struct grantd_verifier *v, const struct grantd_verifier_config *c)
{
    v->skew_s = c->clock_skew_s > 0 ? c->clock_skew_s : 0;
    v->cooldown_s = c->jwks_cooldown_s > 0 ? c->jwks_cooldown_s : DEFAULT_COOLDOWN_S;
    v->ttl_s = c->introspection_ttl_s > 0 ? c->introspection_ttl_s : DEFAULT_TTL_S;
    v->negative_ttl_s = c->introspection_negative_ttl_s > 0 ? c->introspection_negative_ttl_s
                                                            : DEFAULT_NEGATIVE_TTL_S;
    v->timeout_ms = c->http_timeout_ms > 0 ? c->http_timeout_ms : DEFAULT_TIMEOUT_MS;
    v->now = c->now;
    v->now_ctx = c->now_ctx;
}

struct grantd_verifier *grantd_verifier_new(const struct grantd_verifier_config *cfg)
{
    struct grantd_verifier_config c = {0};
    if (!cfg || cfg->struct_size < offsetof(struct grantd_verifier_config, now) ||
        cfg->struct_size > sizeof(c))
        return NULL;
    memcpy(&c, cfg, cfg->struct_size);
    if (!c.issuer || !*c.issuer)
        return NULL;
    struct grantd_verifier *v = calloc(1, sizeof(*v));
    if (!v)
        abort();
    pthread_once(&curl_once, curl_init);
    set_defaults(v, &c);
    v->issuer = dup_or_null(c.issuer);
    v->audience = dup_or_null(c.audience);
    v->client_id = dup_or_null(c.introspection_client_id);
    v->client_secret = dup_or_null(c.introspection_client_secret);
    pthread_rwlock_init(&v->keys_lock, NULL);
    pthread_mutex_init(&v->fetch_mu, NULL);
    pthread_cond_init(&v->fetch_cv, NULL);
    unsigned size = c.introspection_cache_size ? c.introspection_cache_size : DEFAULT_CACHE;
    v->icache = grantd_verify_icache_new(size > CACHE_MAX ? CACHE_MAX : size);
    size = c.jwt_cache_size ? c.jwt_cache_size : DEFAULT_JWT_CACHE;
    v->vcache = grantd_verify_vcache_new(size > CACHE_MAX ? CACHE_MAX : size);
    if (c.jwks_json) {
        v->fixed_keys = 1;
        if (grantd_verify_jwks_parse(c.jwks_json, strlen(c.jwks_json), &v->keys) != GRANTD_OK) {
            grantd_verifier_free(v);
            return NULL;
        }
    }
    if (c.revocation_feed_url && !(v->revoked = grantd_verify_revoked_start(
                                       v, c.revocation_feed_url, c.revocation_poll_ms))) {
        grantd_verifier_free(v);
        return NULL;
    }
    return v;
}

void grantd_verifier_free(struct grantd_verifier *v)
{
    if (!v)
        return;
    grantd_verify_revoked_stop(v->revoked); /* first: its thread reads v */
    grantd_verify_keyset_free(v->keys);
    grantd_verify_icache_free(v->icache);
    grantd_verify_vcache_free(v->vcache);
    pthread_cond_destroy(&v->fetch_cv);
    pthread_mutex_destroy(&v->fetch_mu);
    pthread_rwlock_destroy(&v->keys_lock);
    free(v->jwks_uri);
    free(v->introspection_endpoint);
    free(v->issuer);
    free(v->audience);
    free(v->client_id);
    free(v->client_secret);
    free(v);
}

/* CLOCK_REALTIME, not time(NULL): on Linux time() reads the coarse clock, which lags the
 * one an issuer on the same host stamps iat with by up to a tick, so a token checked in the
 * first milliseconds of a second would have an iat in the future. */
int64_t grantd_verifier_now(struct grantd_verifier *v)
{
    if (v->now)
        return v->now(v->now_ctx);
    struct timespec ts;
    clock_gettime(CLOCK_REALTIME, &ts);
    return (int64_t)ts.tv_sec;
}

static char *str_member(json_t *o, const char *name)
{
    return dup_or_null(json_string_value(json_object_get(o, name)));
}

/* Fetches the issuer's metadata until it succeeds once, at most once per cooldown; called
 * with fetch_mu held. The metadata's issuer must be ours (RFC 8414 §3.3). */
static void discover_locked(struct grantd_verifier *v)
{
    int64_t now = grantd_verifier_now(v);
    if (v->jwks_uri || (v->discovery_tried && now - v->last_discovery < v->cooldown_s))
        return; /* an unreachable issuer is not asked again for every opaque token */
    v->discovery_tried = 1;
    v->last_discovery = now;
    char *url = malloc(strlen(v->issuer) + 64), *body = NULL;
    if (!url)
        abort();
    strcpy(url, v->issuer);
    strcat(url, "/.well-known/oauth-authorization-server");
    if (grantd_verify_http(url, NULL, NULL, NULL, v->timeout_ms, &body) == GRANTD_OK) {
        json_t *m = json_loads(body, JSON_REJECT_DUPLICATES, NULL);
        const char *iss = json_string_value(json_object_get(m, "issuer"));
        if (iss && strcmp(iss, v->issuer) == 0) {
            v->introspection_endpoint = str_member(m, "introspection_endpoint");
            v->jwks_uri = str_member(m, "jwks_uri");
        }
        json_decref(m);
    }
    free(body);
    free(url);
}

const char *grantd_verifier_introspection_endpoint(struct grantd_verifier *v)
{
    pthread_mutex_lock(&v->fetch_mu);
    discover_locked(v);
    const char *e = v->introspection_endpoint;
    pthread_mutex_unlock(&v->fetch_mu);
    return e;
}

/* One JWKS request; the new set replaces the old only when it parsed. */
static void fetch_keys(struct grantd_verifier *v, const char *uri)
{
    char *body = NULL;
    struct grantd_verify_keyset *ks = NULL, *old = NULL;
    __atomic_add_fetch(&v->n_fetches, 1, __ATOMIC_RELAXED);
    if (!uri || grantd_verify_http(uri, NULL, NULL, NULL, v->timeout_ms, &body) != GRANTD_OK ||
        grantd_verify_jwks_parse(body, strlen(body), &ks) != GRANTD_OK) {
        __atomic_add_fetch(&v->n_fetch_failures, 1, __ATOMIC_RELAXED);
        goto out;
    }
    pthread_rwlock_wrlock(&v->keys_lock);
    old = v->keys;
    v->keys = ks;
    pthread_rwlock_unlock(&v->keys_lock);
out:
    grantd_verify_keyset_free(old);
    free(body);
}

/* Fetches the JWKS unless the cooldown forbids; waits for a fetch already under way. */
static void refresh(struct grantd_verifier *v)
{
    pthread_mutex_lock(&v->fetch_mu);
    if (v->fetching) {
        uint64_t gen = v->fetch_gen;
        while (v->fetching && v->fetch_gen == gen)
            pthread_cond_wait(&v->fetch_cv, &v->fetch_mu);
        pthread_mutex_unlock(&v->fetch_mu);
        return;
    }
    int64_t now = grantd_verifier_now(v);
    if (v->fetched_once && now - v->last_fetch < v->cooldown_s) {
        pthread_mutex_unlock(&v->fetch_mu);
        return;
    }
    v->fetching = 1;
    v->fetched_once = 1;
    v->last_fetch = now;
    discover_locked(v);
    char *uri = dup_or_null(v->jwks_uri);
    pthread_mutex_unlock(&v->fetch_mu);

    fetch_keys(v, uri); /* without the lock: waiters sleep on the condition meanwhile */
    free(uri);

    pthread_mutex_lock(&v->fetch_mu);
    v->fetching = 0;
    v->fetch_gen++;
    pthread_cond_broadcast(&v->fetch_cv);
    pthread_mutex_unlock(&v->fetch_mu);
}

static EVP_PKEY_CTX *lookup(struct grantd_verifier *v, const char *kid,
                            enum grantd_verify_alg *alg)
{
    EVP_PKEY_CTX *k = NULL;
    pthread_rwlock_rdlock(&v->keys_lock);
    const struct grantd_verify_key *key = grantd_verify_keyset_find(v->keys, kid);
    if (key && (k = EVP_PKEY_CTX_dup(key->verify_tpl)) != NULL)
        *alg = key->alg;
    pthread_rwlock_unlock(&v->keys_lock);
    return k;
}

EVP_PKEY_CTX *grantd_verifier_key(struct grantd_verifier *v, const char *kid,
                                  enum grantd_verify_alg *alg)
{
    EVP_PKEY_CTX *k = lookup(v, kid, alg);
    if (k || v->fixed_keys || !kid || !*kid)
        return k;
    refresh(v);
    return lookup(v, kid, alg);
}

void grantd_verifier_stats(struct grantd_verifier *v, struct grantd_verifier_stats *out)
{
    struct grantd_verifier_stats s = {.struct_size = sizeof(s)};
    s.jwks_fetches = __atomic_load_n(&v->n_fetches, __ATOMIC_RELAXED);
    s.jwks_fetch_failures = __atomic_load_n(&v->n_fetch_failures, __ATOMIC_RELAXED);
    s.introspections = __atomic_load_n(&v->n_introspections, __ATOMIC_RELAXED);
    s.introspection_cache_hits = __atomic_load_n(&v->n_icache_hits, __ATOMIC_RELAXED);
    pthread_rwlock_rdlock(&v->keys_lock);
    s.jwks_keys = v->keys ? v->keys->n : 0;
    pthread_rwlock_unlock(&v->keys_lock);
    size_t n = out->struct_size < sizeof(s) ? out->struct_size : sizeof(s);
    if (n < sizeof(s.struct_size))
        return;
    memcpy(out, &s, n);
    out->struct_size = n;
}
