/* Reading and checking a bearer access token. */
#include "oauth/bearer.h"

#include <strings.h>
#include <string.h>

#include "http/app.h"
#include "oauth/token_find.h"

const char *grantd_bearer_presented(const struct grantd_request *req)
{
    const char *h = grantd_request_header(req, "authorization");
    if (!h || strncasecmp(h, "Bearer ", 7) != 0)
        return NULL;
    h += 7;
    while (*h == ' ')
        h++;
    return *h ? h : NULL;
}

static grantd_rc client_enabled(struct grantd_request *req, const char *client_id, int *ok)
{
    struct grantd_client c;
    struct grantd_store *st = req->app->store;
    grantd_rc rc = grantd_store_client_get(st, req->arena, req->iss->tenant, client_id, &c);
    *ok = rc == GRANTD_OK && !c.disabled;
    return rc == GRANTD_ENOTFOUND ? GRANTD_OK : rc;
}

grantd_rc grantd_bearer_check(struct grantd_request *req, struct grantd_token *out,
                              struct grantd_refusal *no)
{
    const char *text = grantd_bearer_presented(req);
    if (!text)
        return grantd_refuse_bearer(no, req->arena, req->iss->url, -1,
                                    "an access token is required in the Authorization header",
                                    NULL);
    struct grantd_token_facts f;
    enum grantd_token_where where;
    grantd_rc rc = grantd_token_find(req, text, 0, &f, &where, NULL);
    *out = f.token;
    int ok = rc == GRANTD_OK && where != GRANTD_TOKEN_ABSENT && out->kind == GRANTD_TOKEN_ACCESS &&
             !out->revoked && out->expires_at > req->app->now();
    if (ok)
        rc = client_enabled(req, out->client_id, &ok);
    if (rc != GRANTD_OK && rc != GRANTD_ENOTFOUND)
        return rc;
    if (!ok)
        return grantd_refuse_bearer(no, req->arena, req->iss->url, GRANTD_OAUTH_INVALID_TOKEN,
                                    "the access token is not valid", NULL);
    return GRANTD_OK;
}
