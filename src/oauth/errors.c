/* The table of OAuth error codes and their token-endpoint statuses. */
#include "oauth/errors.h"

static const struct {
    const char *name;
    unsigned status;
} errors[GRANTD_OAUTH_ERROR_COUNT] = {
    [GRANTD_OAUTH_INVALID_REQUEST] = {"invalid_request", 400},
    [GRANTD_OAUTH_INVALID_CLIENT] = {"invalid_client", 401},
    [GRANTD_OAUTH_INVALID_GRANT] = {"invalid_grant", 400},
    [GRANTD_OAUTH_UNAUTHORIZED_CLIENT] = {"unauthorized_client", 400},
    [GRANTD_OAUTH_UNSUPPORTED_GRANT_TYPE] = {"unsupported_grant_type", 400},
    [GRANTD_OAUTH_INVALID_SCOPE] = {"invalid_scope", 400},
    [GRANTD_OAUTH_ACCESS_DENIED] = {"access_denied", 403},
    [GRANTD_OAUTH_UNSUPPORTED_RESPONSE_TYPE] = {"unsupported_response_type", 400},
    [GRANTD_OAUTH_INVALID_TOKEN] = {"invalid_token", 401},
};

const char *grantd_oauth_error_name(enum grantd_oauth_error e)
{
    return errors[e].name;
}

unsigned grantd_oauth_error_status(enum grantd_oauth_error e)
{
    return errors[e].status;
}

void grantd_oauth_error_respond(struct grantd_request *req, struct grantd_response *resp,
                                enum grantd_oauth_error e, const char *description)
{
    grantd_response_error(req, resp, errors[e].status, errors[e].name, description);
}
