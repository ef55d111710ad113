/* What the client-authenticated endpoints (token, introspection, revocation) share. */
#ifndef GRANTD_OAUTH_TOKEN_H
#define GRANTD_OAUTH_TOKEN_H

#include "http/request.h"
#include "oauth/errors.h"

/* The body checks every client-authenticated endpoint (token, introspect, revoke) shares:
 * a form or JSON body (as the profile's token_body allows) that parsed, with no repeated
 * parameter. GRANTD_OK when the request may proceed, else GRANTD_EREFUSED with
 * invalid_request in *no. */
GRANTD_MUST_USE grantd_rc grantd_oauth_body_check(struct grantd_request *req,
                                                  struct grantd_refusal *no);

#endif
