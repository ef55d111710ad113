/* Minting, storing and answering the tokens of a successful grant (RFC 6749 §5.1). */
#ifndef GRANTD_OAUTH_TOKEN_ISSUE_H
#define GRANTD_OAUTH_TOKEN_ISSUE_H

#include "http/request.h"
#include "store/store.h"

struct grantd_token_grant {
    const struct grantd_client *client;
    const char *user_id;      /* NULL for client_credentials */
    const char *scope;        /* granted, space-joined */
    const char *family;
    int with_refresh;         /* issue a refresh token too */
};

/* Mints an access token (and a refresh token when asked), stores them in one transaction
 * and writes the 200 JSON answer. GRANTD_ECONFLICT (nothing stored, resp untouched) when
 * the family was revoked meanwhile; another code for a failure (resp untouched). */
GRANTD_MUST_USE grantd_rc grantd_token_issue(struct grantd_request *req,
                                             struct grantd_response *resp,
                                             const struct grantd_token_grant *g);

#endif
