/* /check and /check/error/REASON on the admin listener, for proxies in front of an API
 * (nginx auth_request, Traefik ForwardAuth, Caddy forward_auth, Envoy ext_authz in HTTP
 * mode; examples/nginx/). Not on the public listener: the admin table (routes.c) is the only
 * one that names them.
 *
 * /check, any method: the token of `Authorization: Bearer`, for the issuer the server chose
 * by X-Grantd-Issuer (http/server.h), must be a live access token with every scope of
 * X-Grantd-Scope ("a b") and the audience of X-Grantd-Audience. 200 with the token's facts in
 * X-Grantd-* headers for the proxy to pass upstream; else 401 or 403 with an RFC 6750
 * challenge, X-Grantd-Reason (core/reason.h) and the API's error body for that reason (for
 * proxies that pass the body through). /check/error/REASON answers that body with its status
 * and content type alone, for nginx, which passes only WWW-Authenticate from auth_request.
 * What decides the verdict is grantd_check_token (check.h); this file also writes HTTP. */
#include "oauth/check.h"

#include <string.h>

#include "core/metrics.h"
#include "http/app.h"
#include "oauth/bearer.h"
#include "oauth/client_cache.h"
#include "oauth/endpoints.h"
#include "oauth/errors.h"
#include "oauth/resource.h"
#include "oauth/scope.h"
#include "oauth/token_find.h"

static void refuse(struct grantd_check *out, enum grantd_check_reason r)
{
    out->ok = 0;
    out->reason = r;
}

/* 1 when the token is for audience: one of the resources it was issued for (RFC 8707),
 * else, for one issued for none, the issuer's URL, which only a JWT names (its aud). */
static int audience_ok(const struct grantd_request *req, const struct grantd_token *t,
                       int is_jwt, const char *audience)
{
    if (t->audience && *t->audience)
        return grantd_resource_in(audience, t->audience);
    return is_jwt && strcmp(audience, req->iss->url) == 0;
}

/* The verdict on a token found: its kind, client, life, audience and scope, in that order
 * (a dead token is refused as dead whatever it lacks). */
static grantd_rc judge(struct grantd_request *req, const struct grantd_check_need *need,
                       int is_jwt, struct grantd_check *out)
{
    const struct grantd_token *t = &out->f.token;
    struct grantd_client client;
    if (t->kind != GRANTD_TOKEN_ACCESS) {
        refuse(out, GRANTD_CHECK_INVALID);
        return GRANTD_OK;
    }
    grantd_rc rc = grantd_client_cache_get(req, t->client_id, &client);
    if (rc == GRANTD_ENOTFOUND) {
        refuse(out, GRANTD_CHECK_INVALID);
        return GRANTD_OK;
    }
    if (rc != GRANTD_OK)
        return rc;
    if (t->revoked || t->rotated_at || client.disabled || !out->f.user_ok)
        refuse(out, GRANTD_CHECK_REVOKED);
    else if (t->expires_at && t->expires_at <= req->app->now())
        refuse(out, GRANTD_CHECK_EXPIRED);
    else if (need->audience && !audience_ok(req, t, is_jwt, need->audience))
        refuse(out, GRANTD_CHECK_INVALID);
    else if (!grantd_scope_covered(need->scopes, need->scope_count, t->scope))
        refuse(out, GRANTD_CHECK_INSUFFICIENT_SCOPE);
    else
        out->ok = 1;
    return GRANTD_OK;
}

grantd_rc grantd_check_token(struct grantd_request *req, const char *text,
                             const struct grantd_check_need *need, struct grantd_check *out)
{
    memset(out, 0, sizeof(*out));
    if (!text) {
        refuse(out, GRANTD_CHECK_MISSING);
        return GRANTD_OK;
    }
    enum grantd_token_where where;
    int is_jwt = 0;
    grantd_rc rc = grantd_token_find(req, text, 1, &out->f, &where, &is_jwt);
    if (rc != GRANTD_OK)
        return rc;
    if (where == GRANTD_TOKEN_ABSENT) {
        refuse(out, GRANTD_CHECK_INVALID);
        return GRANTD_OK;
    }
    return judge(req, need, is_jwt, out);
}

void grantd_check_api_error(const struct grantd_profile *p, struct grantd_arena *a,
                            enum grantd_check_reason reason, unsigned *status,
                            const char **content_type, const char **body)
{
    const struct grantd_api_error *e = &p->api_errors[reason];
    const char *error = grantd_check_reason_error(reason);
    const char *why = grantd_check_reason_description(reason);
    *status = e->status ? e->status : grantd_check_reason_status(reason);
    *content_type = e->content_type ? e->content_type : "application/json";
    if (e->body)
        *body = e->body;
    else if (error) /* the reasons' texts are static and need no JSON escaping */
        *body = grantd_arena_printf(a, "{\"error\":\"%s\",\"error_description\":\"%s\"}", error,
                                    why);
    else /* RFC 6750 §3.1: no error code when the request had no token */
        *body = grantd_arena_printf(a, "{\"error_description\":\"%s\"}", why);
}

/* The API's error for reason as the whole answer. */
static void answer_api_error(struct grantd_request *req, struct grantd_response *resp,
                             enum grantd_check_reason reason)
{
    unsigned status;
    const char *type, *body;
    grantd_check_api_error(&req->iss->cfg->profile, req->arena, reason, &status, &type, &body);
    grantd_response_body(resp, status, type, body, strlen(body));
}

/* The refusal: RFC 6750 status and challenge (realm = the issuer), the API's body. */
static void answer_refusal(struct grantd_request *req, struct grantd_response *resp,
                           enum grantd_check_reason reason, const char *scope)
{
    static const int errors[GRANTD_CHECK_REASON_COUNT] = {
        [GRANTD_CHECK_MISSING] = -1,
        [GRANTD_CHECK_INVALID] = GRANTD_OAUTH_INVALID_TOKEN,
        [GRANTD_CHECK_EXPIRED] = GRANTD_OAUTH_INVALID_TOKEN,
        [GRANTD_CHECK_REVOKED] = GRANTD_OAUTH_INVALID_TOKEN,
        [GRANTD_CHECK_INSUFFICIENT_SCOPE] = GRANTD_OAUTH_INSUFFICIENT_SCOPE,
    };
    struct grantd_refusal no;
    int scoped = reason == GRANTD_CHECK_INSUFFICIENT_SCOPE;
    if (grantd_refuse_bearer(&no, req->arena, req->iss->url, errors[reason],
                             grantd_check_reason_description(reason), scoped ? scope : NULL) !=
        GRANTD_EREFUSED)
        return;
    /* a bounded label: one per reason of core/reason.h */
    grantd_metrics_count(GRANTD_METRIC_REFUSALS,
                         grantd_arena_printf(req->arena, "check_%s",
                                             grantd_check_reason_name(reason)));
    answer_api_error(req, resp, reason);
    resp->status = grantd_check_reason_status(reason);
    grantd_response_header(resp, "WWW-Authenticate", no.challenge);
    grantd_response_header(resp, "X-Grantd-Reason", grantd_check_reason_name(reason));
}

static void answer_pass(struct grantd_request *req, struct grantd_response *resp,
                        const struct grantd_token_facts *f)
{
    const struct grantd_token *t = &f->token;
    grantd_response_body(resp, 200, NULL, "", 0);
    grantd_response_header(resp, "X-Grantd-Subject", t->user_id ? t->user_id : t->client_id);
    grantd_response_header(resp, "X-Grantd-Client-Id", t->client_id);
    grantd_response_header(resp, "X-Grantd-Scope", t->scope);
    if (f->username)
        grantd_response_header(resp, "X-Grantd-Username", f->username);
    if (f->account)
        grantd_response_header(resp, "X-Grantd-Account", f->account);
}

void grantd_check_endpoint(struct grantd_request *req, struct grantd_response *resp)
{
    struct grantd_check_need need = {NULL, 0, grantd_request_header(req, "x-grantd-audience")};
    const char *scope = grantd_request_header(req, "x-grantd-scope");
    struct grantd_check verdict;
    const char **scopes = NULL;
    grantd_rc rc = grantd_scope_split(req->arena, scope, &scopes, &need.scope_count);
    if (rc != GRANTD_OK) { /* the proxy's configuration, not the client, is wrong */
        grantd_response_error(req, resp, 400, "invalid_request",
                              "X-Grantd-Scope is not a list of scope-tokens");
        return;
    }
    need.scopes = scopes;
    rc = grantd_check_token(req, grantd_bearer_presented(req), &need, &verdict);
    if (rc != GRANTD_OK)
        grantd_response_internal(req, resp, rc);
    else if (verdict.ok)
        answer_pass(req, resp, &verdict.f);
    else
        answer_refusal(req, resp, verdict.reason,
                       grantd_scope_join(req->arena, need.scopes, need.scope_count));
}

void grantd_check_error_endpoint(struct grantd_request *req, struct grantd_response *resp)
{
    const char *name = strrchr(req->path, '/');
    int reason = name ? grantd_check_reason_parse(name + 1) : -1;
    if (reason < 0) { /* the route table lists only the reasons' paths */
        grantd_response_error(req, resp, 404, "not_found", "no such reason");
        return;
    }
    answer_api_error(req, resp, (enum grantd_check_reason)reason);
}
