/* Sending the outcome of an authorization request back to the client. */
#include "oauth/authz_response.h"

#include <string.h>

#include "core/metrics.h"
#include "http/app.h"
#include "http/url.h"
#include "oauth/token_issue.h"
#include "token/opaque.h"
#include "ui/pages.h"

static unsigned redirect_status(const struct grantd_request *req)
{
    return strcmp(req->method, "POST") == 0 ? 303 : 302;
}

/* Location: redirect + ('?' or '&') + first pair + "&state=..." + "&iss=...". */
static void redirect_with(struct grantd_request *req, struct grantd_response *resp,
                          const struct grantd_authz *a, const char *pairs)
{
    struct grantd_arena *ar = req->arena;
    const char *sep = strchr(a->redirect, '?') ? "&" : "?";
    const char *state = a->state ? grantd_arena_printf(ar, "&state=%s",
                                                       grantd_url_encode(ar, a->state))
                                 : "";
    resp->status = redirect_status(req);
    grantd_response_header(resp, "Location",
                           grantd_arena_printf(ar, "%s%s%s%s&iss=%s", a->redirect, sep, pairs,
                                               state, grantd_url_encode(ar, req->iss->url)));
    grantd_response_header(resp, "Cache-Control", "no-store");
    grantd_response_header(resp, "Referrer-Policy", "no-referrer");
}

/* The page for an error that has no redirect URI to go back to (an out-of-band client): in a
 * person's words, the protocol's only in the details line. */
static void error_page(struct grantd_request *req, struct grantd_response *resp,
                       const struct grantd_authz *a, const char *name, const char *description)
{
    struct grantd_ui_problem v = {
        .title = grantd_ui_say(req, GRANTD_T_request_failed_title),
        .what = grantd_arena_printf(req->arena, "%s%s%s",
                                    grantd_ui_say(req, GRANTD_T_request_failed_pre),
                                    a->client.name && *a->client.name
                                        ? a->client.name
                                        : grantd_ui_say(req, GRANTD_T_the_application_subject),
                                    grantd_ui_say(req, GRANTD_T_request_failed_post)),
        .next = grantd_ui_say(req, GRANTD_T_app_support_next),
        .detail = grantd_arena_printf(req->arena, "%s: %s", name, description),
    };
    if (strcmp(name, "access_denied") == 0) {
        v.title = grantd_ui_say(req, GRANTD_T_denied_title);
        v.what = grantd_ui_say(req, GRANTD_T_denied_what);
        v.next = grantd_ui_say(req, GRANTD_T_denied_next);
        v.detail = name;
    }
    grantd_ui_problem_page(req, resp, strcmp(name, "access_denied") == 0 ? 403 : 400, &v);
}

void grantd_authz_redirect_error(struct grantd_request *req, struct grantd_response *resp,
                                 const struct grantd_authz *a, enum grantd_oauth_error e,
                                 const char *description)
{
    const char *name = grantd_oauth_error_name(e);
    grantd_metrics_count(GRANTD_METRIC_REFUSALS, name); /* the errors table: bounded */
    if (!a->redirect) {
        error_page(req, resp, a, name, description);
        return;
    }
    redirect_with(req, resp, a,
                  grantd_arena_printf(req->arena, "error=%s&error_description=%s", name,
                                      grantd_url_encode(req->arena, description)));
}

/* The page while the client or its redirect URI is in doubt (nothing may redirect then). */
void grantd_authz_answer_invalid(struct grantd_request *req, struct grantd_response *resp,
                                 const struct grantd_authz *a)
{
    if (a->outcome != GRANTD_AUTHZ_PAGE) {
        grantd_authz_redirect_error(req, resp, a, a->error, a->why);
        return;
    }
    grantd_metrics_count(GRANTD_METRIC_REFUSALS,
                         a->bad_redirect ? "invalid_redirect_uri" : "invalid_client");
    struct grantd_ui_problem v = {
        .title = grantd_ui_say(req, GRANTD_T_unknown_client_title),
        .what = grantd_ui_say(req, GRANTD_T_unknown_client_what),
        .next = grantd_ui_say(req, GRANTD_T_app_support_next),
        .detail = grantd_arena_printf(req->arena, "invalid_client: %s", a->why),
    };
    if (a->bad_redirect) {
        v.title = grantd_ui_say(req, GRANTD_T_bad_redirect_title);
        v.what = grantd_ui_say(req, GRANTD_T_bad_redirect_what);
        v.detail = grantd_arena_printf(req->arena, "invalid_request (redirect_uri): %s",
                                       a->why);
    }
    grantd_ui_problem_page(req, resp, 400, &v);
}

static grantd_rc store_code(struct grantd_request *req, const struct grantd_authz *a,
                            const char *user_id, int64_t auth_time,
                            char text[GRANTD_OPAQUE_CHARS + 1])
{
    int64_t now = req->app->now();
    struct grantd_code code = {
        .tenant = req->iss->tenant,
        .client_id = a->client.id,
        .user_id = user_id,
        .redirect_uri = a->redirect_uri,
        .scope = a->scope_text,
        .resources = a->resources,
        .code_challenge = a->code_challenge,
        .code_challenge_method = a->code_challenge ? a->code_challenge_method : NULL,
        .auth_time = auth_time,
        .nonce = a->nonce,
        .created_at = now,
        .expires_at = now + grantd_client_code_ttl(req, &a->client),
    };
    grantd_rc rc = grantd_family_new(req, &code.family);
    if (rc == GRANTD_OK)
        rc = grantd_opaque_mint(text, code.hash);
    if (rc == GRANTD_OK)
        rc = grantd_store_code_put(req->app->store, &code);
    return rc;
}

void grantd_authz_issue_code(struct grantd_request *req, struct grantd_response *resp,
                             const struct grantd_authz *a, const char *user_id,
                             int64_t auth_time)
{
    char code[GRANTD_OPAQUE_CHARS + 1];
    grantd_rc rc = store_code(req, a, user_id, auth_time, code);
    if (rc != GRANTD_OK) {
        grantd_oauth_internal(req, resp, rc);
        return;
    }
    if (!a->redirect) {
        struct grantd_ui_oob v = {
            .client_name = a->client.name,
            .code = code,
            .expires_in = grantd_client_code_ttl(req, &a->client),
        };
        grantd_ui_oob_page(req, resp, &v);
        return;
    }
    redirect_with(req, resp, a, grantd_arena_printf(req->arena, "code=%s", code));
}
