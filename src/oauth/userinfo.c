/* GET /userinfo: who the access token speaks for. */
#include "oauth/userinfo.h"

#include "http/app.h"
#include "oauth/bearer.h"

void grantd_userinfo_endpoint(struct grantd_request *req, struct grantd_response *resp)
{
    struct grantd_token t;
    grantd_rc rc = grantd_bearer_check(req, resp, &t);
    if (rc == GRANTD_EINVAL)
        return;
    struct grantd_user u;
    struct grantd_store *st = req->app->store;
    if (rc == GRANTD_OK && !t.user_id) {
        grantd_response_error(req, resp, 403, "insufficient_scope",
                              "the token was issued to a client, not for a user");
        return;
    }
    if (rc == GRANTD_OK)
        rc = grantd_store_user_get(st, req->arena, req->iss->tenant, t.user_id, &u);
    if (rc == GRANTD_ENOTFOUND || (rc == GRANTD_OK && u.disabled)) {
        grantd_response_header(resp, "WWW-Authenticate", "Bearer error=\"invalid_token\"");
        grantd_response_error(req, resp, 401, "invalid_token", "the user no longer exists");
        return;
    }
    if (rc != GRANTD_OK) {
        grantd_response_internal(req, resp, rc);
        return;
    }
    json_t *body = json_pack("{s:s,s:s,s:s?}", "sub", u.id, "username", u.username,
                             "account", u.account);
    grantd_response_json(req, resp, 200, body);
}
