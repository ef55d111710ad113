/* POST /token: reads the request (form or JSON body), refuses repeated parameters,
 * authenticates the client, and dispatches grant_type through the grant table. The grants
 * themselves live one per file (grant_*.c). */
#include "oauth/token.h"

#include <stdio.h>
#include <string.h>

#include "core/log.h"
#include "http/app.h"
#include "oauth/endpoints.h"
#include "oauth/grant.h"

/* Grants register here; any other grant_type is unsupported_grant_type. */
static const struct grantd_grant_type *const grants[] = {
    &grantd_grant_authorization_code,
    &grantd_grant_refresh_token,
    &grantd_grant_client_credentials,
    NULL,
};

static const struct grantd_grant_type *grant_find(const char *name)
{
    for (size_t i = 0; grants[i]; i++)
        if (strcmp(grants[i]->name, name) == 0)
            return grants[i];
    return NULL;
}

/* The body kinds the profile accepts (token_body): both unless it says form or json. */
static int body_accepted(const struct grantd_request *req)
{
    const char *only = req->iss->cfg->profile.token_body;
    if (req->body_kind == GRANTD_BODY_FORM)
        return !only || strcmp(only, "json") != 0;
    if (req->body_kind == GRANTD_BODY_JSON)
        return !only || strcmp(only, "form") != 0;
    return 0;
}

grantd_rc grantd_oauth_body_check(struct grantd_request *req, struct grantd_refusal *no)
{
    if (!body_accepted(req)) {
        const char *only = req->iss->cfg->profile.token_body;
        const char *why = "the body must be application/x-www-form-urlencoded or "
                          "application/json";
        if (only && strcmp(only, "form") == 0)
            why = "the body must be application/x-www-form-urlencoded";
        else if (only && strcmp(only, "json") == 0)
            why = "the body must be application/json";
        return grantd_refuse(no, GRANTD_OAUTH_INVALID_REQUEST, why);
    }
    if (req->form_rc != GRANTD_OK)
        return grantd_refuse(no, GRANTD_OAUTH_INVALID_REQUEST,
                             req->form_why ? req->form_why : grantd_strerror(req->form_rc));
    /* RFC 8707 §2: resource may repeat, one per API */
    const char *repeated = grantd_params_first_repeated_but(&req->form, "resource");
    if (repeated)
        return grantd_refuse(no, GRANTD_OAUTH_INVALID_REQUEST,
                             grantd_arena_printf(req->arena, "parameter '%s' is repeated",
                                                 repeated));
    return GRANTD_OK;
}

static grantd_rc token_request(struct grantd_request *req, struct grantd_response *resp,
                               struct grantd_refusal *no)
{
    grantd_rc rc = grantd_oauth_body_check(req, no);
    if (rc != GRANTD_OK)
        return rc;
    const char *grant_type = grantd_params_value(&req->form, "grant_type");
    if (!grant_type)
        return grantd_refuse(no, GRANTD_OAUTH_INVALID_REQUEST, "grant_type is required");
    struct grantd_client_auth auth;
    rc = grantd_client_authenticate(req, &auth, no);
    if (rc != GRANTD_OK)
        return rc;
    /* a profile may let grant_type=code stand for authorization_code (Procurios's guide) */
    if (req->iss->cfg->profile.aliases.grant_type_code && strcmp(grant_type, "code") == 0)
        grant_type = "authorization_code";
    const struct grantd_grant_type *g = grant_find(grant_type);
    if (!g)
        return grantd_refuse(no, GRANTD_OAUTH_UNSUPPORTED_GRANT_TYPE,
                             "this grant_type is not supported");
    if (!(auth.client.grants & g->client_bit))
        return grantd_refuse(no, GRANTD_OAUTH_UNAUTHORIZED_CLIENT,
                             "the client may not use this grant_type");
    return g->run(req, resp, &auth, no);
}

void grantd_token_endpoint(struct grantd_request *req, struct grantd_response *resp)
{
    struct grantd_refusal no;
    grantd_oauth_answer(req, resp, token_request(req, resp, &no), &no);
}
