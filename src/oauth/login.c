/* POST /login: the login form of the browser flow. It re-validates the authorization
 * request it carries (grantd_flow_read_form), checks the session's CSRF token and the
 * password, starts a new session, and answers with a 303 back to /authorize. */
#include <string.h>

#include "core/log.h"
#include "core/password.h"
#include "http/app.h"
#include "oauth/endpoints.h"
#include "oauth/authz_response.h"
#include "oauth/event.h"
#include "oauth/flow.h"
#include "oauth/same_origin.h"
#include "oauth/scope.h"
#include "ui/pages.h"

grantd_rc grantd_flow_check_password(struct grantd_request *req, const char *username,
                                const char *password, struct grantd_user *u, int *ok)
{
    struct grantd_store *st = req->app->store;
    grantd_rc rc = grantd_store_user_find(st, req->arena, req->iss->tenant, username, u);
    if (rc != GRANTD_OK && rc != GRANTD_ENOTFOUND)
        return rc;
    int match = grantd_password_verify(rc == GRANTD_OK ? u->password_hash : NULL, password);
    *ok = rc == GRANTD_OK && match && !u->disabled;
    return GRANTD_OK;
}

static void login_attempt(struct grantd_request *req, struct grantd_response *resp,
                          const struct grantd_authz *a, struct grantd_web_session *s)
{
    const char *username = grantd_params_value(&req->form, "username");
    const char *password = grantd_params_value(&req->form, "password");
    if (!username || !password) {
        grantd_flow_show_login(req, resp, a, s, 400, username,
                               grantd_ui_say(req, GRANTD_T_enter_credentials));
        return;
    }
    struct grantd_user u;
    struct grantd_web_session next;
    int ok = 0;
    grantd_rc rc = grantd_flow_check_password(req, username, password, &u, &ok);
    if (rc == GRANTD_OK && !ok) {
        grantd_log(GRANTD_LOG_INFO, "login_failed", "{s:s,s:s}", "request_id",
                   req->request_id, "client_id", a->client.id);
        grantd_event(req, "login_failed", NULL, a->client.id,
                     json_pack("{s:s,s:s}", "username", username, "page", "login"));
        grantd_flow_show_login(req, resp, a, s, 401, username,
                               grantd_ui_say(req, GRANTD_T_credentials_incorrect));
        return;
    }
    if (rc == GRANTD_OK) /* a new session id at login: no fixation */
        rc = grantd_web_session_login(req, resp, s, u.id, a->raw, &next);
    if (rc != GRANTD_OK) {
        grantd_oauth_internal(req, resp, rc);
        return;
    }
    grantd_log(GRANTD_LOG_INFO, "login", "{s:s,s:s,s:s}", "request_id", req->request_id,
               "client_id", a->client.id, "user_id", u.id);
    grantd_event(req, "login", u.id, a->client.id,
                 json_pack("{s:s,s:s}", "username", u.username, "page", "login"));
    resp->status = 303;
    grantd_response_header(resp, "Location",
                           grantd_arena_printf(req->arena, "%s/authorize?%s", req->iss->url,
                                               a->raw));
    grantd_response_header(resp, "Cache-Control", "no-store");
}

static grantd_rc login(struct grantd_request *req, struct grantd_response *resp,
                       const struct grantd_authz *a)
{
    struct grantd_web_session s, fresh;
    grantd_rc rc = grantd_web_session_load(req, &s);
    if (rc == GRANTD_OK &&
        grantd_web_session_csrf_ok(&s, grantd_params_value(&req->form, "csrf"))) {
        login_attempt(req, resp, a, &s);
        return GRANTD_OK;
    }
    if (rc != GRANTD_OK && rc != GRANTD_ENOTFOUND)
        return rc;
    /* no session (cookies off, expired) or a form from another session: start over */
    rc = grantd_web_session_start(req, resp, rc == GRANTD_OK ? &s : NULL, NULL, &fresh);
    if (rc == GRANTD_OK)
        grantd_flow_show_login(req, resp, a, &fresh, 403,
                               grantd_params_value(&req->form, "username"),
                               grantd_ui_say(req, GRANTD_T_form_expired));
    return rc;
}

void grantd_login_endpoint(struct grantd_request *req, struct grantd_response *resp)
{
    struct grantd_refusal no;
    struct grantd_authz a = {.outcome = GRANTD_AUTHZ_PAGE};
    grantd_rc rc = grantd_refuse_cross_site(req, &no);
    if (rc == GRANTD_OK)
        rc = grantd_flow_read_form(req, resp, &a, &no);
    if (rc == GRANTD_OK && a.outcome == GRANTD_AUTHZ_VALID)
        rc = login(req, resp, &a);
    grantd_oauth_answer(req, resp, rc, &no);
}
