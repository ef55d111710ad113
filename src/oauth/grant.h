/* The grant-type table the token endpoint dispatches through. A grant module defines one
 * struct grantd_grant_type and is listed in token.c's table. */
#ifndef GRANTD_OAUTH_GRANT_H
#define GRANTD_OAUTH_GRANT_H

#include "http/request.h"
#include "oauth/client_auth.h"

struct grantd_grant_type {
    const char *name;      /* the grant_type value */
    unsigned client_bit;   /* enum grantd_grant bit the client must have */
    /* Runs the grant for an authenticated client allowed to use it; writes resp. */
    void (*run)(struct grantd_request *req, struct grantd_response *resp,
                const struct grantd_client_auth *auth);
};

extern const struct grantd_grant_type grantd_grant_authorization_code;
extern const struct grantd_grant_type grantd_grant_refresh_token;
extern const struct grantd_grant_type grantd_grant_client_credentials;

#endif
