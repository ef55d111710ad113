/* OAuth protocol outcomes (RFC 6749 §4.1.2.1, §5.2; RFC 6750 §3.1). These are values, not
 * failures: a handler that decides "invalid_grant" has worked correctly. */
#ifndef GRANTD_OAUTH_ERRORS_H
#define GRANTD_OAUTH_ERRORS_H

#include "http/request.h"

enum grantd_oauth_error {
    GRANTD_OAUTH_INVALID_REQUEST,
    GRANTD_OAUTH_INVALID_CLIENT,
    GRANTD_OAUTH_INVALID_GRANT,
    GRANTD_OAUTH_UNAUTHORIZED_CLIENT,
    GRANTD_OAUTH_UNSUPPORTED_GRANT_TYPE,
    GRANTD_OAUTH_INVALID_SCOPE,
    GRANTD_OAUTH_ACCESS_DENIED,
    GRANTD_OAUTH_UNSUPPORTED_RESPONSE_TYPE,
    GRANTD_OAUTH_INVALID_TOKEN,
    GRANTD_OAUTH_ERROR_COUNT
};

/* The registered error code, e.g. "invalid_grant". */
const char *grantd_oauth_error_name(enum grantd_oauth_error e);
/* The status the token endpoint answers it with (400, or 401 for invalid_client/token). */
unsigned grantd_oauth_error_status(enum grantd_oauth_error e);
/* Writes the JSON error response for e with an optional human description. */
void grantd_oauth_error_respond(struct grantd_request *req, struct grantd_response *resp,
                                enum grantd_oauth_error e, const char *description);

#endif
