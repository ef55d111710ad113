/* Bearer-token checks for protected resources (RFC 6750 §2.1, §3). */
#ifndef GRANTD_OAUTH_BEARER_H
#define GRANTD_OAUTH_BEARER_H

#include "http/request.h"
#include "oauth/errors.h"
#include "store/store.h"

/* The token of the Authorization header's "Bearer <token>" (any case), or NULL when the
 * header is absent, of another scheme, or empty. */
const char *grantd_bearer_presented(const struct grantd_request *req);

/* Finds the live access token of the Authorization header ("Bearer", any case) or of a
 * POST's form body (parameter access_token, RFC 6750 §2.2), judged by grantd_check_token
 * (check.h) with nothing required of its scope or audience: a token issued for another API
 * (RFC 8707) is still good here. The token is never read from the query string (§2.3: it
 * would reach logs and browser history). GRANTD_OK with *out the token; GRANTD_EREFUSED
 * with the refusal in *no: 401 with no error attribute when no token was sent, 401
 * error="invalid_token" for an unknown, expired or revoked one, or one whose client or user
 * is disabled, 400 error="invalid_request" when both methods are used or the form names
 * the token twice; other codes are store failures. */
GRANTD_MUST_USE grantd_rc grantd_bearer_check(struct grantd_request *req,
                                              struct grantd_token *out,
                                              struct grantd_refusal *no);

#endif
