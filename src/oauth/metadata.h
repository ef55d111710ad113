/* GET /.well-known/oauth-authorization-server (RFC 8414). */
#ifndef GRANTD_OAUTH_METADATA_H
#define GRANTD_OAUTH_METADATA_H

#include "http/request.h"

void grantd_metadata_endpoint(struct grantd_request *req, struct grantd_response *resp);

#endif
