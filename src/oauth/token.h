/* The token endpoint (RFC 6749 §3.2): POST /token. */
#ifndef GRANTD_OAUTH_TOKEN_H
#define GRANTD_OAUTH_TOKEN_H

#include "http/request.h"

void grantd_token_endpoint(struct grantd_request *req, struct grantd_response *resp);

/* The body checks every client-authenticated endpoint (token, introspect, revoke) shares:
 * a form or JSON body that parsed, with no repeated parameter. 1 when the request may
 * proceed; otherwise the 400 invalid_request is written. */
int grantd_oauth_body_ok(struct grantd_request *req, struct grantd_response *resp);

#endif
