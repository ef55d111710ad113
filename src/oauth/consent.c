/* POST /consent: the consent form of the browser flow. It re-validates the authorization
 * request it carries (grantd_flow_read_form) and the session's CSRF token; Authorize
 * remembers the consent and issues the code, Cancel sends access_denied back (both 303). */
#include <string.h>

#include "http/app.h"
#include "oauth/authz_response.h"
#include "oauth/endpoints.h"
#include "oauth/flow.h"
#include "oauth/scope.h"
#include "ui/pages.h"

/* Remembers the consent: what was granted now plus what was granted before. */
static grantd_rc remember(struct grantd_request *req, const struct grantd_authz *a,
                          const char *user_id)
{
    struct grantd_store *st = req->app->store;
    struct grantd_consent old, c = {
        .tenant = req->iss->tenant,
        .user_id = user_id,
        .client_id = a->client.id,
        .scope = a->scope_text,
        .created_at = req->app->now(),
    };
    grantd_rc rc = grantd_store_consent_get(st, req->arena, req->iss->tenant, user_id,
                                           a->client.id, &old);
    if (rc == GRANTD_OK && old.scope[0])
        c.scope = grantd_arena_printf(req->arena, "%s %s", old.scope, a->scope_text);
    else if (rc != GRANTD_ENOTFOUND && rc != GRANTD_OK)
        return rc;
    const char **tokens;
    size_t n;
    if (grantd_scope_split(req->arena, c.scope, &tokens, &n) == GRANTD_OK)
        c.scope = grantd_scope_join(req->arena, tokens, n);
    return grantd_store_consent_put(st, &c);
}

static grantd_rc decide(struct grantd_request *req, struct grantd_response *resp,
                        const struct grantd_authz *a, const struct grantd_web_session *s,
                        const struct grantd_user *u, struct grantd_refusal *no)
{
    const char *decision = grantd_params_value(&req->form, "decision");
    if (decision && strcmp(decision, "cancel") == 0) {
        /* RFC 6749 §4.1.2.1's own words, which Apruve's guide shows verbatim */
        grantd_authz_redirect_error(
            req, resp, a, GRANTD_OAUTH_ACCESS_DENIED,
            "The resource owner or authorization server denied the request.");
        return GRANTD_OK;
    }
    if (!decision || strcmp(decision, "authorize") != 0)
        return grantd_refuse_page(no, 400, "The form could not be read",
                                  "Choose Authorize or Cancel.");
    grantd_rc rc = remember(req, a, u->id);
    if (rc == GRANTD_OK)
        grantd_authz_issue_code(req, resp, a, u->id, s->rec.auth_time);
    return rc;
}

static grantd_rc consent(struct grantd_request *req, struct grantd_response *resp,
                         const struct grantd_authz *a, struct grantd_refusal *no)
{
    struct grantd_web_session s;
    struct grantd_user u;
    int have_session, logged_in;
    grantd_rc rc = grantd_flow_session_user(req, &s, &have_session, &u, &logged_in);
    if (rc != GRANTD_OK)
        return rc;
    if (!logged_in) { /* the session ended meanwhile: log in again */
        grantd_flow_continue(req, resp, a, &s, have_session, &u, logged_in);
        return GRANTD_OK;
    }
    if (!grantd_web_session_csrf_ok(&s, grantd_params_value(&req->form, "csrf")))
        return grantd_refuse_page(no, 403, "This form has expired",
                                  "Go back to the application and start again.");
    return decide(req, resp, a, &s, &u, no);
}

void grantd_consent_endpoint(struct grantd_request *req, struct grantd_response *resp)
{
    struct grantd_refusal no;
    struct grantd_authz a;
    grantd_rc rc = grantd_flow_read_form(req, resp, &a, &no);
    if (rc == GRANTD_OK && a.outcome == GRANTD_AUTHZ_VALID)
        rc = consent(req, resp, &a, &no);
    grantd_oauth_answer(req, resp, rc, &no);
}
