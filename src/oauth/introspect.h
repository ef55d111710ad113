/* POST /introspect (RFC 7662) and POST /revoke (RFC 7009): client-authenticated endpoints
 * about a token. */
#ifndef GRANTD_OAUTH_INTROSPECT_H
#define GRANTD_OAUTH_INTROSPECT_H

#include "http/request.h"

void grantd_introspect_endpoint(struct grantd_request *req, struct grantd_response *resp);
void grantd_revoke_endpoint(struct grantd_request *req, struct grantd_response *resp);

#endif
