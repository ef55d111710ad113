/* The browser side of the authorization-code flow: GET /authorize, POST /login and
 * POST /consent. */
#ifndef GRANTD_OAUTH_AUTHORIZE_H
#define GRANTD_OAUTH_AUTHORIZE_H

#include "http/request.h"

void grantd_authorize_endpoint(struct grantd_request *req, struct grantd_response *resp);
void grantd_login_endpoint(struct grantd_request *req, struct grantd_response *resp);
void grantd_consent_endpoint(struct grantd_request *req, struct grantd_response *resp);

#endif
