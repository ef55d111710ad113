/* GET /userinfo: who the access token speaks for. */
#include "oauth/endpoints.h"

#include "http/app.h"
#include "oauth/bearer.h"

static grantd_rc userinfo(struct grantd_request *req, struct grantd_response *resp,
                          struct grantd_refusal *no)
{
    struct grantd_token t;
    grantd_rc rc = grantd_bearer_check(req, &t, no);
    if (rc != GRANTD_OK)
        return rc;
    if (!t.user_id) /* RFC 6750 §3.1: valid, but not for this resource */
        return grantd_refuse_bearer(no, req->arena, req->iss->url,
                                    GRANTD_OAUTH_INSUFFICIENT_SCOPE,
                                    "the token was issued to a client, not for a user", NULL);
    struct grantd_user u;
    struct grantd_store *st = req->app->store;
    rc = grantd_store_user_get(st, req->arena, req->iss->tenant, t.user_id, &u);
    if (rc == GRANTD_ENOTFOUND || (rc == GRANTD_OK && u.disabled))
        return grantd_refuse_bearer(no, req->arena, req->iss->url, GRANTD_OAUTH_INVALID_TOKEN,
                                    "the user no longer exists", NULL);
    if (rc != GRANTD_OK)
        return rc;
    json_t *body = json_pack("{s:s,s:s,s:s?}", "sub", u.id, "username", u.username,
                             "account", u.account);
    grantd_response_json(req, resp, 200, body);
    return GRANTD_OK;
}

void grantd_userinfo_endpoint(struct grantd_request *req, struct grantd_response *resp)
{
    struct grantd_refusal no;
    grantd_oauth_answer(req, resp, userinfo(req, resp, &no), &no);
}
