/* Reading a bearer access token from the Authorization header (or, for /userinfo, a POST's
 * form body), and /userinfo's check of it, which asks the one judge of access tokens
 * (check.h) with no scope or audience required. Not here: what the token lets its bearer
 * see (userinfo.c). */
#include "oauth/bearer.h"

#include <strings.h>
#include <string.h>

#include "http/app.h"
#include "oauth/check.h"
#include "oauth/client_cache.h"
#include "oauth/cors.h"

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

/* RFC 6750 §2.2: the access_token parameter of a POST's form body. GRANTD_OK with *out the
 * token or NULL (not a POST with a form body, or no such parameter); GRANTD_EINVAL when the
 * form cannot be read or names the parameter twice. */
static grantd_rc form_token(const struct grantd_request *req, const char **out)
{
    *out = NULL;
    if (strcmp(req->method, "POST") != 0 || req->body_kind != GRANTD_BODY_FORM)
        return GRANTD_OK;
    if (req->form_rc != GRANTD_OK)
        return GRANTD_EINVAL;
    grantd_rc rc = grantd_params_get(&req->form, "access_token", out);
    return rc == GRANTD_OK || rc == GRANTD_ENOTFOUND ? GRANTD_OK : GRANTD_EINVAL;
}

grantd_rc grantd_bearer_check(struct grantd_request *req, struct grantd_token *out,
                              struct grantd_refusal *no)
{
    static const struct grantd_check_need any = {NULL, 0, NULL};
    struct grantd_check verdict;
    const char *header = grantd_bearer_presented(req), *body;
    if (form_token(req, &body) != GRANTD_OK)
        return grantd_refuse_bearer(no, req->arena, req->iss->url, GRANTD_OAUTH_INVALID_REQUEST,
                                    "the form body cannot be read, or names access_token "
                                    "more than once", NULL);
    if (header && body) /* RFC 6750 §2: one method per request */
        return grantd_refuse_bearer(no, req->arena, req->iss->url, GRANTD_OAUTH_INVALID_REQUEST,
                                    "the access token must be sent once: in the Authorization "
                                    "header or in the form body, not both", NULL);
    grantd_rc rc = grantd_check_token(req, header ? header : body, &any, &verdict);
    if (rc != GRANTD_OK)
        return rc;
    *out = verdict.f.token;
    struct grantd_client c; /* a browser app's page may read the answer, a refusal too */
    if (out->client_id && grantd_client_cache_get(req, out->client_id, &c) == GRANTD_OK)
        grantd_cors_allow_client(req, &c);
    if (verdict.ok)
        return GRANTD_OK;
    if (verdict.reason == GRANTD_CHECK_MISSING)
        return grantd_refuse_bearer(no, req->arena, req->iss->url, -1,
                                    "an access token is required: in the Authorization header, or "
                                    "as access_token in a POST's form body",
                                    NULL);
    return grantd_refuse_bearer(no, req->arena, req->iss->url, GRANTD_OAUTH_INVALID_TOKEN,
                                "the access token is not valid", NULL);
}
