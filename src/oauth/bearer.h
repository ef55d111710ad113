/* Bearer-token checks for protected resources (RFC 6750 §2.1, §3). */
#ifndef GRANTD_OAUTH_BEARER_H
#define GRANTD_OAUTH_BEARER_H

#include "http/request.h"
#include "store/store.h"

/* Finds the live access token of the Authorization header ("Bearer", any case). The token
 * is never read from the query string. On GRANTD_OK *out is the token. GRANTD_EINVAL means
 * resp already holds the 401 (no error attribute when no token was sent, error="invalid_token"
 * for an unknown, expired or revoked one, or one whose client is disabled); other codes are
 * store failures (resp untouched). */
GRANTD_MUST_USE grantd_rc grantd_bearer_check(struct grantd_request *req,
                                              struct grantd_response *resp,
                                              struct grantd_token *out);

#endif
