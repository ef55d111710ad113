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
 * Returns GRANTD_OK with *out filled, or GRANTD_EINVAL after writing the protocol error to
 * resp (invalid_request for two methods or a malformed header; 401 invalid_client, with
 * WWW-Authenticate: Basic when Basic was tried, for unknown, disabled or wrong-secret
 * clients), or another code for an internal failure (resp untouched). Secrets are compared
 * in constant time, and an unknown client costs the same hash as a known one. */
GRANTD_MUST_USE grantd_rc grantd_client_authenticate(struct grantd_request *req,
                                                     struct grantd_response *resp,
                                                     struct grantd_client_auth *out);

#endif
