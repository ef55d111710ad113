/* Bearer-token checks for protected resources (RFC 6750 §2.1, §3). */
#ifndef GRANTD_OAUTH_BEARER_H
#define GRANTD_OAUTH_BEARER_H

#include "http/request.h"
#include "oauth/errors.h"
#include "store/store.h"

/* The token of the Authorization header's "Bearer <token>" (any case), or NULL when the
 * header is absent, of another scheme, or empty. */
const char *grantd_bearer_presented(const struct grantd_request *req);

/* Finds the live access token of the Authorization header ("Bearer", any case), judged by
 * grantd_check_token (check.h) with nothing required of its scope or audience: a token
 * issued for another API (RFC 8707) is still good here. The token is never read from the
 * query string. GRANTD_OK with *out the token; GRANTD_EREFUSED with the 401 in *no (no error
 * attribute when no token was sent, error="invalid_token" for an unknown, expired or revoked
 * one, or one whose client or user is disabled); other codes are store failures. */
GRANTD_MUST_USE grantd_rc grantd_bearer_check(struct grantd_request *req,
                                              struct grantd_token *out,
                                              struct grantd_refusal *no);

#endif
