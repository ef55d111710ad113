/* grant_type=client_credentials (RFC 6749 §4.4): a confidential client acting for itself.
 * Scope is limited to the client's registered scopes (all of them when none is asked); no
 * refresh token. */
#include "core/log.h"
#include "http/app.h"
#include "oauth/grant.h"
#include "oauth/scope.h"
#include "oauth/token_issue.h"

static void run(struct grantd_request *req, struct grantd_response *resp,
                const struct grantd_client_auth *auth)
{
    const struct grantd_client *c = &auth->client;
    if (c->is_public || auth->method == GRANTD_AUTH_NONE) {
        grantd_oauth_error_respond(req, resp, GRANTD_OAUTH_UNAUTHORIZED_CLIENT,
                                   "client_credentials needs a confidential client");
        return;
    }
    const char *asked = NULL;
    if (grantd_params_get(&req->form, "scope", &asked) != GRANTD_OK)
        asked = c->scope;
    const char **tokens;
    size_t n;
    if (grantd_scope_split(req->arena, asked, &tokens, &n) != GRANTD_OK ||
        !grantd_scope_covered(tokens, n, c->scope)) {
        grantd_oauth_error_respond(req, resp, GRANTD_OAUTH_INVALID_SCOPE,
                                   "a requested scope is unknown or not allowed for this client");
        return;
    }
    struct grantd_token_grant g = {
        .client = c,
        .scope = grantd_scope_join(req->arena, tokens, n),
        .new_family = 1, /* grantd_family_new below */
    };
    grantd_rc rc = grantd_family_new(req, &g.family);
    if (rc != GRANTD_OK) {
        grantd_response_internal(req, resp, rc);
        return;
    }
    grantd_token_issue(req, resp, &g, "the grant was revoked");
}

const struct grantd_grant_type grantd_grant_client_credentials = {
    .name = "client_credentials",
    .client_bit = GRANTD_GRANT_CLIENT_CREDENTIALS,
    .run = run,
};
