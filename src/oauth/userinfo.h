/* GET /userinfo: the first bearer-protected resource (RFC 6750). */
#ifndef GRANTD_OAUTH_USERINFO_H
#define GRANTD_OAUTH_USERINFO_H

#include "http/request.h"

void grantd_userinfo_endpoint(struct grantd_request *req, struct grantd_response *resp);

#endif
