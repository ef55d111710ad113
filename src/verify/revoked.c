/* libgrantd-verify: the revocation feed's follower (issue item 7). When the configuration
 * names revocation_feed_url (GET /v1/revocations on grantd's admin listener), a thread of
 * the verifier long-polls it: `after=CURSOR&wait=W` (W = revocation_poll_ms in whole
 * seconds, 20 by default, at most the server's 30), which grantd answers as soon as an
 * event exists after the cursor, else after W; the HTTP timeout is W plus http_timeout_ms.
 * It asks again at once after every answer; after a failure (grantd down, not a feed) it
 * waits 100 ms, doubling up to 5 s while failures go on. Stopping the verifier shuts the
 * request under way down (http.c), so freeing a verifier never waits out a long-poll. What died goes into a bounded set:
 * - "token": the token_hash (hex of the first 24 bytes of the SHA-256 of the token's text,
 *   of the jti for a self-contained JWT): a token whose text or jti hashes so is revoked;
 * - "client" / "user": a token of that client_id / sub issued (iat) at or before the event
 *   is revoked (one issued after a re-enable is not);
 * - "family": nothing (the server names each live access token of the family after it);
 * - "key": a JWT whose header names that kid is revoked from the event's `at` on (a key
 *   retired now, compromised: `grantd key retire`; or a rotation's scheduled retirement,
 *   whose `at` lies ahead); of two events for one kid the earlier `at` holds. grantd stops
 *   publishing the key at `at`, so no later JWKS fetch brings it back.
 * grantd_verify asks grantd_verify_revoked_match after an OK verdict, cache hits included,
 * so no cache of the library keeps accepting a revoked token longer than one poll.
 * A 410 answer (a cursor older than the server keeps: events were purged before this
 * follower read them) drops every cached verdict (verified JWTs, introspection answers),
 * since what was missed is unknown, and follows on from the cursor the answer gives; the
 * set keeps what it knows (a revocation stays true). The set holds REVOKED_MAX entries; past that
 * the oldest are forgotten (a token revoked that long ago has most likely expired).
 *
 * Not here: the feed itself (src/oauth/revocations.c), the verdict (result.c). */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "core/crypto.h"
#include "verify/verifier_int.h"

#define REVOKED_MAX 65536u        /* entries kept; a power of two */
#define BUCKETS (REVOKED_MAX * 2) /* chains */
#define DEFAULT_WAIT_S 20
#define MAX_WAIT_S 30 /* the server's cap (GRANTD_FEED_WAIT_MAX) */
#define BACKOFF_MIN_MS 100
#define BACKOFF_MAX_MS 5000
#define NONE UINT32_MAX

struct entry {
    char *key; /* "t:HASH", "c:CLIENT_ID", "u:SUB", "k:KID"; NULL when the slot is free */
    int64_t at;
    uint32_t next; /* the next entry of its chain */
};

struct grantd_verify_revoked {
    pthread_rwlock_t set_lock; /* the set: count, oldest, heads, ring */
    pthread_mutex_t mu;        /* the thread: stop, cursor, cv */
    pthread_cond_t cv;
    pthread_t thread;
    int stop;
    struct grantd_verify_cancel cancel; /* ends the long-poll under way at stop */
    struct grantd_verifier *v;
    char *url;
    long wait_s;
    int64_t cursor;
    int64_t key_due;        /* the earliest `at` of a "k:" entry (INT64_MAX: none): before it,
                             * no JWT's header needs decoding. Under set_lock. */
    uint32_t count, oldest; /* entries form a ring: oldest is evicted first when full */
    uint32_t heads[BUCKETS];
    struct entry ring[REVOKED_MAX];
};

static uint32_t bucket_of(const char *key)
{
    uint32_t h = 2166136261u; /* FNV-1a */
    for (; *key; key++)
        h = (h ^ (unsigned char)*key) * 16777619u;
    return h % BUCKETS;
}

/* The entry for key, or NONE. Under set_lock. */
static uint32_t find(struct grantd_verify_revoked *r, const char *key)
{
    uint32_t i = r->heads[bucket_of(key)];
    while (i != NONE && strcmp(r->ring[i].key, key) != 0)
        i = r->ring[i].next;
    return i;
}

static void unlink_entry(struct grantd_verify_revoked *r, uint32_t i)
{
    uint32_t *p = &r->heads[bucket_of(r->ring[i].key)];
    while (*p != i)
        p = &r->ring[*p].next;
    *p = r->ring[i].next;
    free(r->ring[i].key);
    r->ring[i].key = NULL;
}

/* Adds (or moves forward) key at `at`. Under set_lock, written. */
static void add(struct grantd_verify_revoked *r, const char *key, int64_t at)
{
    uint32_t i = find(r, key);
    int earliest = key[0] == 'k'; /* a key: refused from its earliest retirement */
    if (i != NONE) {
        int64_t old = r->ring[i].at;
        r->ring[i].at = (earliest ? at < old : at > old) ? at : old;
        if (earliest && at < r->key_due)
            r->key_due = at;
        return;
    }
    if (earliest && at < r->key_due)
        r->key_due = at;
    i = (r->oldest + r->count) % REVOKED_MAX;
    if (r->count == REVOKED_MAX) {
        unlink_entry(r, i);
        r->oldest = (r->oldest + 1) % REVOKED_MAX;
        r->count--;
    }
    r->ring[i].key = strdup(key);
    if (!r->ring[i].key)
        abort();
    r->ring[i].at = at;
    uint32_t b = bucket_of(key);
    r->ring[i].next = r->heads[b];
    r->heads[b] = i;
    r->count++;
}

static void clear(struct grantd_verify_revoked *r)
{
    for (uint32_t i = 0; i < REVOKED_MAX; i++) {
        free(r->ring[i].key);
        r->ring[i].key = NULL;
    }
    for (uint32_t b = 0; b < BUCKETS; b++)
        r->heads[b] = NONE;
    r->count = r->oldest = 0;
    r->key_due = INT64_MAX;
}

/* One event into the set (under set_lock, written). */
static void take(struct grantd_verify_revoked *r, json_t *e)
{
    static const struct { const char *kind, *member, *prefix; } kinds[] = {
        {"token", "token_hash", "t:"}, {"client", "client_id", "c:"}, {"user", "sub", "u:"},
        {"key", "kid", "k:"}};
    const char *kind = json_string_value(json_object_get(e, "kind"));
    json_t *at = json_object_get(e, "at");
    for (size_t i = 0; kind && i < sizeof(kinds) / sizeof(kinds[0]); i++) {
        const char *subject = json_string_value(json_object_get(e, kinds[i].member));
        if (strcmp(kind, kinds[i].kind) != 0 || !subject || strlen(subject) > 512)
            continue;
        char key[520];
        snprintf(key, sizeof(key), "%s%s", kinds[i].prefix, subject);
        add(r, key, json_is_integer(at) ? (int64_t)json_integer_value(at) : INT64_MAX);
    }
}

/* One answer of the feed: the events into the set, the cursor forward. 1 when it was an
 * answer of the feed (ask again at once: a long-poll waits at the server), 0 when not
 * (back off). */
static int apply(struct grantd_verify_revoked *r, long status, const char *body)
{
    json_t *doc = body ? json_loads(body, 0, NULL) : NULL;
    json_t *events = json_object_get(doc, "events");
    json_t *cursor = json_object_get(doc, "cursor");
    int more = 0;
    if (status == 410) { /* events were purged unread: no cached verdict can be trusted */
        grantd_verify_vcache_clear(r->v->vcache);
        grantd_verify_icache_clear(r->v->icache);
    }
    pthread_rwlock_wrlock(&r->set_lock);
    if ((status == 200 || status == 410) && json_is_integer(cursor)) {
        size_t i;
        json_t *e;
        json_array_foreach(events, i, e) take(r, e);
        pthread_mutex_lock(&r->mu);
        r->cursor = (int64_t)json_integer_value(cursor);
        pthread_mutex_unlock(&r->mu);
        more = 1;
    }
    pthread_rwlock_unlock(&r->set_lock);
    json_decref(doc);
    return more;
}

/* Waits ms on cv unless stopped. Under mu. */
static void pause_ms(struct grantd_verify_revoked *r, long ms)
{
    struct timespec until;
    clock_gettime(CLOCK_REALTIME, &until);
    int64_t ns = until.tv_nsec + (int64_t)ms * 1000000;
    until.tv_sec += (time_t)(ns / 1000000000);
    until.tv_nsec = (long)(ns % 1000000000);
    if (!r->stop)
        pthread_cond_timedwait(&r->cv, &r->mu, &until);
}

static void *follow(void *arg)
{
    struct grantd_verify_revoked *r = arg;
    char header[600];
    long backoff = BACKOFF_MIN_MS;
    long timeout_ms = r->wait_s * 1000 + r->v->timeout_ms;
    snprintf(header, sizeof(header), "X-Grantd-Issuer: %.500s", r->v->issuer);
    pthread_mutex_lock(&r->mu);
    while (!r->stop) {
        size_t len = strlen(r->url) + 48;
        char *url = malloc(len);
        if (!url)
            abort();
        snprintf(url, len, "%s?after=%lld&wait=%ld", r->url, (long long)r->cursor, r->wait_s);
        pthread_mutex_unlock(&r->mu);
        long status = 0;
        char *body = NULL;
        int ok = grantd_verify_http_get(url, header, timeout_ms, &r->cancel, &status, &body) ==
                     GRANTD_OK &&
                 apply(r, status, body);
        free(url);
        free(body);
        pthread_mutex_lock(&r->mu);
        if (ok) {
            backoff = BACKOFF_MIN_MS;
            continue;
        }
        pause_ms(r, backoff);
        backoff = backoff * 2 > BACKOFF_MAX_MS ? BACKOFF_MAX_MS : backoff * 2;
    }
    pthread_mutex_unlock(&r->mu);
    return NULL;
}

struct grantd_verify_revoked *grantd_verify_revoked_start(struct grantd_verifier *v,
                                                          const char *url, long poll_ms)
{
    struct grantd_verify_revoked *r = calloc(1, sizeof(*r));
    if (!r)
        abort();
    r->v = v;
    r->url = strdup(url);
    r->wait_s = poll_ms > 0 ? (poll_ms + 999) / 1000 : DEFAULT_WAIT_S;
    if (r->wait_s > MAX_WAIT_S)
        r->wait_s = MAX_WAIT_S;
    if (!r->url)
        abort();
    clear(r);
    pthread_rwlock_init(&r->set_lock, NULL);
    pthread_mutex_init(&r->mu, NULL);
    pthread_cond_init(&r->cv, NULL);
    grantd_verify_cancel_init(&r->cancel);
    if (pthread_create(&r->thread, NULL, follow, r) != 0) {
        grantd_verify_cancel_destroy(&r->cancel);
        pthread_rwlock_destroy(&r->set_lock);
        pthread_mutex_destroy(&r->mu);
        pthread_cond_destroy(&r->cv);
        free(r->url);
        free(r);
        r = NULL;
    }
    return r;
}

void grantd_verify_revoked_stop(struct grantd_verify_revoked *r)
{
    if (!r)
        return;
    pthread_mutex_lock(&r->mu);
    r->stop = 1;
    pthread_cond_signal(&r->cv);
    pthread_mutex_unlock(&r->mu);
    grantd_verify_cancel_now(&r->cancel); /* the long-poll under way ends now */
    pthread_join(r->thread, NULL);
    grantd_verify_cancel_destroy(&r->cancel);
    clear(r);
    pthread_rwlock_destroy(&r->set_lock);
    pthread_mutex_destroy(&r->mu);
    pthread_cond_destroy(&r->cv);
    free(r->url);
    free(r);
}

/* 1 when "t:" + hex(SHA-256(text)[:24]) is in the set. Under set_lock. */
static int token_known(struct grantd_verify_revoked *r, const char *text)
{
    unsigned char h[GRANTD_SHA256_LEN];
    char key[2 + 48 + 1] = "t:";
    grantd_sha256(text, strlen(text), h);
    grantd_hex_encode(h, 24, key + 2);
    return find(r, key) != NONE;
}

/* 1 when prefix + id is in the set with an event at or after iat. Under set_lock. */
static int issued_before(struct grantd_verify_revoked *r, const char *prefix, const char *id,
                         int64_t iat)
{
    char key[520];
    if (!id || strlen(id) > 512)
        return 0;
    snprintf(key, sizeof(key), "%s%s", prefix, id);
    uint32_t i = find(r, key);
    return i != NONE && iat <= r->ring[i].at;
}

/* 1 when token is a JWT whose header names a kid retired at or before now. Under
 * set_lock. */
static int key_retired(struct grantd_verify_revoked *r, const char *token, int64_t now)
{
    char key[2 + GRANTD_VERIFY_KID_MAX + 1] = "k:";
    if (now < r->key_due || !grantd_verify_jws_kid(token, key + 2, sizeof(key) - 2))
        return 0;
    uint32_t i = find(r, key);
    return i != NONE && r->ring[i].at <= now;
}

int grantd_verify_revoked_match(struct grantd_verify_revoked *r, const char *token,
                                const struct grantd_verify_result *res)
{
    int revoked = 0;
    if (__atomic_load_n(&r->count, __ATOMIC_RELAXED) == 0)
        return 0; /* nothing revoked yet: no claims to parse */
    json_t *claims = res->claims_json ? json_loads(res->claims_json, 0, NULL) : NULL;
    json_t *iat = json_object_get(claims, "iat");
    int64_t issued = json_is_integer(iat) ? (int64_t)json_integer_value(iat) : 0;
    const char *jti = json_string_value(json_object_get(claims, "jti"));
    pthread_rwlock_rdlock(&r->set_lock);
    revoked = token_known(r, token) || (jti && token_known(r, jti)) ||
              issued_before(r, "c:", res->client_id, issued) ||
              issued_before(r, "u:", res->subject, issued) ||
              key_retired(r, token, grantd_verifier_now(r->v));
    pthread_rwlock_unlock(&r->set_lock);
    json_decref(claims);
    return revoked;
}
