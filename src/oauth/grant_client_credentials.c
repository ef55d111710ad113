/* grant_type=client_credentials (RFC 6749 §4.4): a confidential client acting for itself.
 * Scope is limited to the client's registered scopes (all of them when none is asked), the
 * resources (RFC 8707) to the client's registered ones (none asked: a token for the issuer);
 * no refresh token. */
#include "core/log.h"
#include "http/app.h"
#include "oauth/grant.h"
#include "oauth/resource.h"
#include "oauth/scope.h"
#include "oauth/token_issue.h"

static grantd_rc run(struct grantd_request *req, struct grantd_response *resp,
                     const struct grantd_client_auth *auth, struct grantd_refusal *no)
{
    const struct grantd_client *c = &auth->client;
    if (c->is_public || auth->method == GRANTD_AUTH_NONE)
        return grantd_refuse(no, GRANTD_OAUTH_UNAUTHORIZED_CLIENT,
                             "client_credentials needs a confidential client");
    const char *asked = grantd_params_value(&req->form, "scope");
    const char **tokens;
    size_t n;
    const char *why = grantd_scope_refusal(req->arena, asked ? asked : c->scope, c->scope,
                                           &tokens, &n);
    if (why)
        return grantd_refuse(no, GRANTD_OAUTH_INVALID_SCOPE, why);
    const char *audience = NULL;
    why = grantd_resource_select(req->arena, &req->form, c->resources, &audience);
    if (why)
        return grantd_refuse(no, GRANTD_OAUTH_INVALID_TARGET, why);
    struct grantd_token_grant g = {
        .client = c,
        .scope = grantd_scope_join(req->arena, tokens, n),
        .audience = audience,
        .new_family = 1, /* grantd_family_new below */
    };
    grantd_rc rc = grantd_family_new(req, &g.family);
    if (rc != GRANTD_OK)
        return rc;
    grantd_token_issue(req, resp, &g, "the grant was revoked");
    return GRANTD_OK;
}

const struct grantd_grant_type grantd_grant_client_credentials = {
    .name = "client_credentials",
    .client_bit = GRANTD_GRANT_CLIENT_CREDENTIALS,
    .run = run,
};
