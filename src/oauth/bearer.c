/* Reading a bearer access token from the Authorization header, and /userinfo's check of it,
 * which asks the one judge of access tokens (check.h) with no scope or audience required.
 * Not here: what the token lets its bearer see (userinfo.c). */
#include "oauth/bearer.h"

#include <strings.h>
#include <string.h>

#include "http/app.h"
#include "oauth/check.h"

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

grantd_rc grantd_bearer_check(struct grantd_request *req, struct grantd_token *out,
                              struct grantd_refusal *no)
{
    static const struct grantd_check_need any = {NULL, 0, NULL};
    struct grantd_check verdict;
    grantd_rc rc = grantd_check_token(req, grantd_bearer_presented(req), &any, &verdict);
    if (rc != GRANTD_OK)
        return rc;
    *out = verdict.f.token;
    if (verdict.ok)
        return GRANTD_OK;
    if (verdict.reason == GRANTD_CHECK_MISSING)
        return grantd_refuse_bearer(no, req->arena, req->iss->url, -1,
                                    "an access token is required in the Authorization header",
                                    NULL);
    return grantd_refuse_bearer(no, req->arena, req->iss->url, GRANTD_OAUTH_INVALID_TOKEN,
                                "the access token is not valid", NULL);
}
