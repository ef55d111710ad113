/* The grant-type table the token endpoint dispatches through. A grant module defines one
 * struct grantd_grant_type and is listed in token.c's table. */
#ifndef GRANTD_OAUTH_GRANT_H
#define GRANTD_OAUTH_GRANT_H

#include "http/request.h"
#include "oauth/client_auth.h"
#include "oauth/errors.h"

struct grantd_grant_type {
    const char *name;      /* the grant_type value */
    unsigned client_bit;   /* enum grantd_grant bit the client must have */
    /* Runs the grant for an authenticated client allowed to use it. GRANTD_OK when it wrote
     * the answer (or deferred it: grantd_token_issue); GRANTD_EREFUSED with *no filled;
     * another code for an internal failure (resp untouched in both cases). */
    grantd_rc (*run)(struct grantd_request *req, struct grantd_response *resp,
                     const struct grantd_client_auth *auth, struct grantd_refusal *no);
};

extern const struct grantd_grant_type grantd_grant_authorization_code;
extern const struct grantd_grant_type grantd_grant_refresh_token;
extern const struct grantd_grant_type grantd_grant_client_credentials;

#endif
