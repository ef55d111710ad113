/* The token cache: introspection answers from memory for tokens it looked up recently, so
 * that resource servers that introspect every API call (Apicbase's guide does) do not cost
 * a database read each (docs/architecture.md, Performance; bench/README.md: introspect_1,
 * introspect_1m).
 *
 * What it keeps, per storage key: the token record and, for a user's token, whether the user
 * exists and is enabled, their username and account. Only access tokens found in the store
 * are kept (a refresh token is read from the store each time: its rotation moves no
 * generation), and the verified facts of self-contained JWTs (below).
 *
 * When an entry stops being used: once the store's generation moved on (store.h), and
 * entries fetched under an older generation are ignored. It moves at once after any write of
 * this process that may change a stored record (a revocation, a replayed code, a
 * disabled client or user...), and within GRANTD_STORE_CHANGE_BOUND_MS after such a write
 * of another process (`grantd client disable`, another grantd instance on the same database)
 * through the server's watcher (store/watch.h). GRANTD_TOKEN_CACHE_TTL_MS is only a safety
 * net behind that, not how changes are seen.
 * Expiry needs no invalidation: callers check expires_at against the clock on every use.
 * Thread-safe; a fixed number of slots (direct-mapped), so its memory is bounded. */
#ifndef GRANTD_OAUTH_TOKEN_CACHE_H
#define GRANTD_OAUTH_TOKEN_CACHE_H

#include "http/request.h"
#include "store/store.h"

#define GRANTD_TOKEN_CACHE_TTL_MS 60000
#define GRANTD_TOKEN_CACHE_SLOTS 2048

/* What introspection needs to know about a stored token. */
struct grantd_token_facts {
    struct grantd_token token;   /* strings in the request arena */
    int user_ok;                 /* no user, or the user exists and is enabled */
    const char *username;        /* the user's, when token.user_id and user_ok */
    const char *account;         /* the user's account (may be NULL), likewise */
};

/* The facts of the token with this storage key, from the cache or the store (then cached).
 * GRANTD_ENOTFOUND when the store has no such token; other codes are store failures. */
GRANTD_MUST_USE grantd_rc grantd_token_cache_get(struct grantd_request *req,
                                                 const unsigned char key[GRANTD_SHA256_LEN],
                                                 struct grantd_token_facts *out);

/* Self-contained JWTs (token_find.h), stored nowhere: the facts of one whose signature
 * verified and that had no revocation row, keyed by the digest of its text
 * (grantd_opaque_hash_unordered: no claims decoded on a hit) and compared by the whole text. Valid while the store's generation
 * is the one read by grantd_token_cache_mark before the lookups that decided them: a
 * revocation row (store.h, token_put), a disabled or changed client and a key rotation all
 * move it. Expiry is the caller's to check, as for stored tokens.
 *
 * grantd_token_cache_mark: the generation and the time, read before those lookups.
 * grantd_token_cache_self_get: 1 and *out when cached and still valid, else 0.
 * grantd_token_cache_self_keep: keeps f (the facts decided under generation). */
uint64_t grantd_token_cache_mark(struct grantd_request *req, int64_t *fetched_us);
int grantd_token_cache_self_get(struct grantd_request *req, const char *text,
                                const unsigned char key[GRANTD_SHA256_LEN],
                                struct grantd_token_facts *out);
void grantd_token_cache_self_keep(struct grantd_request *req, const char *text,
                                  const unsigned char key[GRANTD_SHA256_LEN],
                                  uint64_t generation, int64_t fetched_us,
                                  const struct grantd_token_facts *f);

/* Turns the cache off (0) or on (1) for this process: `cache.tokens = false` in the
 * configuration, and benchmarks that measure the store itself. On by default. */
void grantd_token_cache_enable(int on);

#endif
