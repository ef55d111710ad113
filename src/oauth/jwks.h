/* GET /jwks.json: the public signing keys (RFC 7517 JWK Set) that resource servers use to
 * verify JWT access tokens. */
#ifndef GRANTD_OAUTH_JWKS_H
#define GRANTD_OAUTH_JWKS_H

#include "http/request.h"

/* 200 application/json with every published key of the default tenant (keys that sign now,
 * keys published ahead of signing, and retiring keys whose tokens may still be live). */
void grantd_jwks_endpoint(struct grantd_request *req, struct grantd_response *resp);

#endif
