/* POST /consent: the consent form of the browser flow. It re-validates the authorization
 * request it carries (grantd_flow_read_form) and the session's CSRF token; Authorize
 * remembers the consent and issues the code, Cancel sends access_denied back (both 303).
 * "Not you? Sign out" (decision signout) ends the session and sends the browser back to the
 * same authorization request, whose login page then shows (303). */
#include <string.h>

#include "core/log.h"
#include "http/app.h"
#include "oauth/authz_response.h"
#include "oauth/endpoints.h"
#include "oauth/event.h"
#include "oauth/flow.h"
#include "oauth/same_origin.h"
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

/* Ends the session and goes back to the authorization request: its login page. */
static grantd_rc sign_out(struct grantd_request *req, struct grantd_response *resp,
                          const struct grantd_authz *a, const struct grantd_web_session *s)
{
    grantd_rc rc = grantd_store_session_delete(req->app->store, req->iss->tenant,
                                               s->rec.id_hash);
    if (rc != GRANTD_OK)
        return rc;
    grantd_log(GRANTD_LOG_INFO, "logout", "{s:s,s:s,s:s}", "request_id", req->request_id,
               "client_id", a->client.id, "user_id", s->rec.user_id);
    resp->status = 303;
    grantd_response_header(resp, "Location",
                           grantd_arena_printf(req->arena, "%s/authorize?%s", req->iss->url,
                                               a->raw));
    grantd_response_header(resp, "Cache-Control", "no-store");
    return GRANTD_OK;
}

static grantd_rc decide(struct grantd_request *req, struct grantd_response *resp,
                        const struct grantd_authz *a, const struct grantd_web_session *s,
                        const struct grantd_user *u, struct grantd_refusal *no)
{
    const char *decision = grantd_params_value(&req->form, "decision");
    if (decision && strcmp(decision, "cancel") == 0) {
        grantd_event(req, "consent_refused", u->id, a->client.id,
                     json_pack("{s:s}", "scope", a->scope_text ? a->scope_text : ""));
        /* RFC 6749 §4.1.2.1's own words, which Apruve's guide shows verbatim */
        grantd_authz_redirect_error(
            req, resp, a, GRANTD_OAUTH_ACCESS_DENIED,
            "The resource owner or authorization server denied the request.");
        return GRANTD_OK;
    }
    if (decision && strcmp(decision, "signout") == 0)
        return sign_out(req, resp, a, s);
    if (!decision || strcmp(decision, "authorize") != 0)
        return grantd_refuse_page(no, 400, grantd_ui_say(req, GRANTD_T_form_unreadable_title),
                                  grantd_ui_say(req, GRANTD_T_choose_decision));
    grantd_rc rc = remember(req, a, u->id);
    if (rc == GRANTD_OK)
        grantd_event(req, "consent_given", u->id, a->client.id,
                     json_pack("{s:s}", "scope", a->scope_text ? a->scope_text : ""));
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
    if (!grantd_web_session_csrf_ok(&s, grantd_params_value(&req->form, "csrf"))) {
        grantd_rc rc2 = grantd_refuse_page(
            no, 403, grantd_ui_say(req, GRANTD_T_page_expired_title),
            grantd_ui_say(req, GRANTD_T_page_expired_what));
        no->page_next = grantd_ui_say(req, GRANTD_T_page_expired_next);
        no->page_detail = "403 csrf: the form's token does not match the session";
        return rc2;
    }
    return decide(req, resp, a, &s, &u, no);
}

void grantd_consent_endpoint(struct grantd_request *req, struct grantd_response *resp)
{
    struct grantd_refusal no;
    struct grantd_authz a = {.outcome = GRANTD_AUTHZ_PAGE};
    grantd_rc rc = grantd_refuse_cross_site(req, &no);
    if (rc == GRANTD_OK)
        rc = grantd_flow_read_form(req, resp, &a, &no);
    if (rc == GRANTD_OK && a.outcome == GRANTD_AUTHZ_VALID)
        rc = consent(req, resp, &a, &no);
    grantd_oauth_answer(req, resp, rc, &no);
}
