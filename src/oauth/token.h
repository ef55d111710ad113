/* The token endpoint (RFC 6749 §3.2): POST /token. */
#ifndef GRANTD_OAUTH_TOKEN_H
#define GRANTD_OAUTH_TOKEN_H

#include "http/request.h"

void grantd_token_endpoint(struct grantd_request *req, struct grantd_response *resp);

#endif
