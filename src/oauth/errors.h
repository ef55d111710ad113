/* OAuth protocol refusals (RFC 6749 §4.1.2.1, §5.2; RFC 6750 §3.1; RFC 7009, RFC 7662).
 *
 * A refusal is a value, not a failure: a protocol function that decides "invalid_grant" has
 * worked correctly. Such a function fills the struct grantd_refusal its caller passed (with
 * grantd_refuse and friends, which pick the registered name and status from one table) and
 * returns GRANTD_EREFUSED; every other grantd_rc but GRANTD_OK is an internal failure. The
 * endpoint hands whatever it got to grantd_oauth_answer, the one place either is written:
 *
 *     struct grantd_refusal no;
 *     grantd_rc rc = grantd_client_authenticate(req, &auth, &no);
 *     if (rc != GRANTD_OK)
 *         return rc;                        (... up to the endpoint, which then calls)
 *     grantd_oauth_answer(req, resp, rc, &no);
 */
#ifndef GRANTD_OAUTH_ERRORS_H
#define GRANTD_OAUTH_ERRORS_H

#include "http/request.h"

enum grantd_oauth_error {
    GRANTD_OAUTH_INVALID_REQUEST,
    GRANTD_OAUTH_INVALID_CLIENT,
    GRANTD_OAUTH_INVALID_GRANT,
    GRANTD_OAUTH_UNAUTHORIZED_CLIENT,
    GRANTD_OAUTH_UNSUPPORTED_GRANT_TYPE,
    GRANTD_OAUTH_INVALID_SCOPE,
    GRANTD_OAUTH_ACCESS_DENIED,
    GRANTD_OAUTH_UNSUPPORTED_RESPONSE_TYPE,
    GRANTD_OAUTH_INVALID_TOKEN,
    GRANTD_OAUTH_INSUFFICIENT_SCOPE,
    GRANTD_OAUTH_INVALID_TARGET,             /* RFC 8707 §2: a resource not allowed */
    /* OpenID Connect Core 1.0 §3.1.2.6: prompt=none could not be answered without a page */
    GRANTD_OAUTH_LOGIN_REQUIRED,
    GRANTD_OAUTH_CONSENT_REQUIRED,
    GRANTD_OAUTH_INTERACTION_REQUIRED,
    GRANTD_OAUTH_REQUEST_NOT_SUPPORTED,      /* §6: request objects are not served */
    GRANTD_OAUTH_REQUEST_URI_NOT_SUPPORTED,
    GRANTD_OAUTH_ERROR_COUNT
};

/* How a refusal is told. */
struct grantd_refusal {
    const char *error;        /* the registered code ("invalid_grant"); NULL for a bearer
                                 challenge without an error (RFC 6750 §3.1: no token sent) */
    const char *description;  /* error_description, in English for people; may be NULL */
    unsigned status;          /* the HTTP status */
    const char *challenge;    /* the WWW-Authenticate value; NULL: none */
    const char *page_title;   /* non-NULL: answered as an HTML error page (the browser
                                 flow's forms) with this title and description as its text */
    const char *page_next;    /* on that page: what the person can do now; may be NULL */
    const char *page_detail;  /* on that page: the small "details" line; may be NULL */
    const char *retry_after;  /* the Retry-After value (a 429 of oauth/ratelimit.h); NULL:
                                 none */
};

/* The registered error code, e.g. "invalid_grant". */
const char *grantd_oauth_error_name(enum grantd_oauth_error e);

/* Fills *no with refusal e, its registered status (400; 401 for invalid_client and
 * invalid_token; 403 for access_denied and insufficient_scope) and description (static or
 * request-arena text; may be NULL). Returns GRANTD_EREFUSED, so a protocol function can
 * `return grantd_refuse(no, ...)`. */
GRANTD_MUST_USE grantd_rc grantd_refuse(struct grantd_refusal *no, enum grantd_oauth_error e,
                                        const char *description);

/* invalid_client as the token endpoint answers it: 401, with the challenge
 * `Basic realm="grantd"` when the client tried the Authorization header (RFC 6749 §5.2). */
GRANTD_MUST_USE grantd_rc grantd_refuse_client(struct grantd_refusal *no, int tried_basic,
                                               const char *description);

/* For the endpoints only servers call (/introspect, /revoke): a 401 refusal in *no without a
 * challenge gets `Basic realm="grantd"` (RFC 7235 §3.1: every 401 names how to authenticate;
 * RFC 7662 §2.3 and RFC 7009 §2.2.1 answer a failed client authentication as RFC 6749 §5.2
 * does). /token keeps its challenge for Basic attempts only: a browser script posting
 * client_secret_post must not get a login dialog. rc is passed through. */
grantd_rc grantd_refusal_challenge_basic(struct grantd_refusal *no, grantd_rc rc);

/* A refusal of a bearer-protected resource (RFC 6750 §3): e is GRANTD_OAUTH_INVALID_TOKEN,
 * GRANTD_OAUTH_INSUFFICIENT_SCOPE or GRANTD_OAUTH_INVALID_REQUEST, or -1 when the request
 * carried no token (401 with no error attribute). The challenge names realm, the error,
 * the description and, for insufficient_scope, the scope needed (may be NULL). Strings are
 * copied into arena a when they must be quoted. */
GRANTD_MUST_USE grantd_rc grantd_refuse_bearer(struct grantd_refusal *no, struct grantd_arena *a,
                                               const char *realm, int e,
                                               const char *description, const char *scope);

/* A refusal of a browser form, answered as an HTML error page. */
GRANTD_MUST_USE grantd_rc grantd_refuse_page(struct grantd_refusal *no, unsigned status,
                                             const char *title, const char *text);

/* An internal failure (rc neither GRANTD_OK nor GRANTD_EREFUSED) answered for a person when
 * the request accepts HTML (a page: 503 with Retry-After for GRANTD_EBUSY, else 500,
 * saying to try again, with the protocol code only in its details line), else as
 * grantd_response_internal answers it (JSON). Logged either way, with no detail for the
 * client. */
void grantd_oauth_internal(struct grantd_request *req, struct grantd_response *resp,
                           grantd_rc rc);

/* The one writer of an endpoint's failure: for GRANTD_EREFUSED the refusal in *no (JSON
 * {"error","error_description"} with its status and challenge, or its HTML page); for any
 * other code but GRANTD_OK the internal answer (grantd_oauth_internal: 503 for GRANTD_EBUSY,
 * else 500, logged; a page for a browser). Does nothing for GRANTD_OK. */
void grantd_oauth_answer(struct grantd_request *req, struct grantd_response *resp, grantd_rc rc,
                         const struct grantd_refusal *no);

#endif
