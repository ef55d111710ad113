/* Client authentication at the token, introspection and revocation endpoints
 * (RFC 6749 §2.3): client_secret_basic, client_secret_post, or none for public clients.
 * The method follows from what the request carries; exactly one may be used per request. */
#ifndef GRANTD_OAUTH_CLIENT_AUTH_H
#define GRANTD_OAUTH_CLIENT_AUTH_H

#include "http/request.h"
#include "oauth/errors.h"
#include "store/store.h"

enum grantd_client_auth_method {
    GRANTD_AUTH_NONE,
    GRANTD_AUTH_CLIENT_SECRET_BASIC,
    GRANTD_AUTH_CLIENT_SECRET_POST,
};

struct grantd_client_auth {
    struct grantd_client client;   /* arena strings */
    enum grantd_client_auth_method method;
};

/* Authenticates the client of req from the Authorization header and the body parameters.
 * Returns GRANTD_OK with *out filled; GRANTD_EREFUSED with *no filled (invalid_request for
 * two methods or repeated credentials; 401 invalid_client, with a Basic challenge when Basic
 * was tried, for a malformed header or an unknown, disabled or wrong-secret client; 429
 * slow_down with Retry-After once the client failed too often from this address,
 * oauth/ratelimit.h); another
 * code for an internal failure. Secrets are compared in constant time, and an unknown client
 * costs the same hash as a known one. */
GRANTD_MUST_USE grantd_rc grantd_client_authenticate(struct grantd_request *req,
                                                     struct grantd_client_auth *out,
                                                     struct grantd_refusal *no);

#endif
