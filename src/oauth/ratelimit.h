/* Rate limits (issue 16): what makes guessing a password or a client secret, and scanning
 * tokens, cost the attacker time. Each limit is configured per issuer (`rate_limits` in the
 * configuration, core/config.h, with defaults on) and each refusal is counted
 * (grantd_ratelimit_stats, for /metrics) and logged as the event "rate_limited" with the
 * issuer, the limit, the client or username, the address and the request id (never a
 * password or secret).
 *
 * - Passwords (POST /login, the account and console sign-in forms; oauth/login.c): per
 *   (username, address) a growing delay rather than a lockout an attacker could turn
 *   against the owner: after `failures` tries in the window, each try must come at least
 *   1, 2, 4 ... seconds (capped at max_delay) after the one before, and a try that comes
 *   earlier is answered 429 with Retry-After and the sign-in page saying how long to wait,
 *   without checking the password (nothing sleeps server-side, no thread is held). A try
 *   counts before its password is checked, so tries in parallel each see the ones before
 *   them; the right password (after the delay) forgets the counter. Per address across
 *   accounts: after `address.failures` wrong passwords in its window, 429 until it ends.
 * - Client authentication (/token, /introspect, /revoke; oauth/client_auth.c): per
 *   (client_id, address), after `client.failures` failures in the window, 429 with
 *   Retry-After and {"error":"slow_down"} until the window ends. The right secret from
 *   another address is not affected. Failures are counted in the store; the refusal is
 *   remembered in memory, so an authentication that succeeds costs no store access.
 * - Request rate (/introspect per authenticated client, /check per caller address;
 *   ratelimit_rate.c): an in-memory counter per second per instance, whose allowance is the
 *   instance's share of the configured rate, learnt from the store about once a second.
 *
 * Counters live in the store (store.h limit_add), so every instance on one database
 * shares them. Not here: the counters' storage (store/sqlite_limit.c, store/pg_limit.c),
 * the pages (ui/). */
#ifndef GRANTD_OAUTH_RATELIMIT_H
#define GRANTD_OAUTH_RATELIMIT_H

#include <stdint.h>

#include "http/request.h"
#include "oauth/errors.h"

/* Refusals since the process started, by limit (read with relaxed atomics). */
struct grantd_ratelimit_stats {
    uint64_t login_delay;   /* sign-in tries refused during a growing delay */
    uint64_t login_address; /* sign-in tries refused: too many failures from the address */
    uint64_t client_auth;   /* client authentications refused (client, address) */
    uint64_t introspect;    /* introspections over the client's rate */
    uint64_t check;         /* /check requests over the caller's rate */
};
void grantd_ratelimit_stats(struct grantd_ratelimit_stats *out);

/* ---- the arithmetic (pure; tests/unit/oauth/test_ratelimit.c) ---- */

/* Seconds the try after `count` tries must wait after the latest of them: 0 while count is
 * below failures, then 1, 2, 4 ... doubling per try, at most max_delay. */
int64_t grantd_ratelimit_delay(int64_t count, unsigned failures, unsigned max_delay);
/* An instance's allowance per second from what the store says of an earlier second: total
 * requests of every instance, mine of this one. The whole rate when the total stayed under
 * it; else the rate shared in proportion to demand, at least rate / 16 (and 1). */
int64_t grantd_ratelimit_share(unsigned rate, int64_t total, int64_t mine);

/* ---- passwords ---- */

/* What a sign-in try holds between grantd_ratelimit_login_begin and _end. */
struct grantd_login_try {
    const char *key;      /* the (username, address) counter; NULL: not limited */
    const char *address;  /* the address counter; NULL: not limited */
    const char *username;
};

/* Before a password is checked: *wait 0 lets the try go on (it has been counted); *wait > 0
 * refuses it (counted in the stats and logged): the caller answers 429 and calls
 * grantd_ratelimit_login_text and grantd_ratelimit_retry_after. Store failures are returned. */
GRANTD_MUST_USE grantd_rc grantd_ratelimit_login_begin(struct grantd_request *req,
                                                       const char *username,
                                                       struct grantd_login_try *t,
                                                       int64_t *wait);
/* After the check: ok forgets the (username, address) counter; a failure counts for the
 * address. */
GRANTD_MUST_USE grantd_rc grantd_ratelimit_login_end(struct grantd_request *req,
                                                     const struct grantd_login_try *t, int ok);
/* The sign-in page's text for a refused try ("... Try again in 4 seconds."), in the page's
 * language, and Retry-After on resp. Call after the page is written. */
const char *grantd_ratelimit_login_text(struct grantd_request *req, int64_t wait);
void grantd_ratelimit_retry_after(struct grantd_request *req, struct grantd_response *resp,
                                  int64_t wait);

/* ---- client authentication ---- */

/* Before a client's credentials are checked: GRANTD_EREFUSED with *no (429 slow_down,
 * Retry-After) while client_id is refused from this address; else GRANTD_OK. No store
 * access. */
GRANTD_MUST_USE grantd_rc grantd_ratelimit_client_check(struct grantd_request *req,
                                                        const char *client_id,
                                                        struct grantd_refusal *no);
/* After a failed authentication: counts it; GRANTD_EREFUSED with *no (429) when this one
 * went over the limit (another instance may have counted the ones before), else GRANTD_OK
 * and the caller answers its 401. */
GRANTD_MUST_USE grantd_rc grantd_ratelimit_client_failed(struct grantd_request *req,
                                                         const char *client_id,
                                                         struct grantd_refusal *no);

/* ---- request rates (ratelimit_rate.c) ---- */

/* /introspect: GRANTD_EREFUSED with *no (429 slow_down, Retry-After: 1) when the
 * authenticated client went over its rate this second; else GRANTD_OK. */
GRANTD_MUST_USE grantd_rc grantd_ratelimit_introspect(struct grantd_request *req,
                                                      const char *client_id,
                                                      struct grantd_refusal *no);
/* /check: 1 when the caller (its address) went over its rate this second. */
int grantd_ratelimit_check_over(struct grantd_request *req);

/* Shared by ratelimit.c and ratelimit_rate.c: logs the refusal ("rate_limited") and
 * counts it in the stats. limit is "login", "address", "client", "introspect" or "check";
 * who the client_id or username (may be NULL). */
void grantd_ratelimit_refused(struct grantd_request *req, const char *limit, const char *who,
                              int64_t wait);
/* Fills *no with 429 slow_down and Retry-After wait; returns GRANTD_EREFUSED. */
GRANTD_MUST_USE grantd_rc grantd_ratelimit_refuse(struct grantd_request *req,
                                                  struct grantd_refusal *no, int64_t wait);

#endif
