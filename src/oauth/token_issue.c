/* The token response. Access and refresh tokens are opaque: 256-bit random, stored hashed. */
#include "oauth/token_issue.h"

#include "http/app.h"
#include "token/opaque.h"

grantd_rc grantd_token_issue(struct grantd_request *req, struct grantd_response *resp,
                             const struct grantd_token_grant *g)
{
    const struct grantd_config *cfg = req->app->cfg;
    int64_t now = req->app->now();
    char access[GRANTD_OPAQUE_CHARS + 1], refresh[GRANTD_OPAQUE_CHARS + 1];
    struct grantd_token t[2] = {0};
    for (size_t i = 0; i < 2; i++) {
        t[i].tenant = GRANTD_DEFAULT_TENANT;
        t[i].client_id = g->client->id;
        t[i].user_id = g->user_id;
        t[i].scope = g->scope;
        t[i].family = g->family;
        t[i].created_at = now;
    }
    t[0].kind = GRANTD_TOKEN_ACCESS;
    t[0].expires_at = now + cfg->lifetimes.access_token;
    t[1].kind = GRANTD_TOKEN_REFRESH;
    t[1].expires_at = cfg->lifetimes.refresh_token ? now + cfg->lifetimes.refresh_token : 0;
    grantd_rc rc = grantd_opaque_mint(access, t[0].hash);
    if (rc == GRANTD_OK && g->with_refresh)
        rc = grantd_opaque_mint(refresh, t[1].hash);
    if (rc == GRANTD_OK)
        rc = req->app->store->driver->token_put(req->app->store, t, g->with_refresh ? 2 : 1);
    if (rc != GRANTD_OK)
        return rc;
    json_t *body = json_pack("{s:s,s:s,s:I,s:s}", "access_token", access, "token_type",
                             "Bearer", "expires_in", (json_int_t)cfg->lifetimes.access_token,
                             "scope", g->scope);
    if (g->with_refresh)
        json_object_set_new(body, "refresh_token", json_string(refresh));
    grantd_response_json(req, resp, 200, body);
    return GRANTD_OK;
}
