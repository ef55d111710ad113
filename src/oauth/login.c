/* POST /login and POST /consent: the two forms of the browser flow.
 *
 * Both re-validate the authorization request they carry, check the session's CSRF token,
 * and answer with 303 redirects (never 302 after a POST). */
#include <string.h>

#include "core/log.h"
#include "core/password.h"
#include "http/app.h"
#include "oauth/authorize.h"
#include "oauth/authz_response.h"
#include "oauth/flow.h"
#include "oauth/scope.h"
#include "ui/pages.h"

/* The form body of a page POST, or an error page. 1 when usable. */
static int form_ok(struct grantd_request *req, struct grantd_response *resp)
{
    const char *why = NULL;
    if (req->body_kind != GRANTD_BODY_FORM)
        why = "The form was not sent as a form.";
    else if (req->form_rc != GRANTD_OK)
        why = req->form_why;
    else if (grantd_params_first_repeated(&req->form))
        why = "The form carries a field twice.";
    if (why)
        grantd_ui_error_page(req, resp, 400, "The form could not be read", why);
    return !why;
}

static const char *field(const struct grantd_request *req, const char *name)
{
    const char *v = NULL;
    return grantd_params_get(&req->form, name, &v) == GRANTD_OK ? v : NULL;
}

/* Validates the carried request; answers and returns 0 when it is not valid. */
static int request_ok(struct grantd_request *req, struct grantd_response *resp,
                      struct grantd_authz *a)
{
    grantd_rc rc = grantd_authz_validate(req, field(req, "request"), a);
    if (rc != GRANTD_OK)
        grantd_response_internal(req, resp, rc);
    else if (a->outcome != GRANTD_AUTHZ_VALID)
        grantd_authz_answer_invalid(req, resp, a);
    return rc == GRANTD_OK && a->outcome == GRANTD_AUTHZ_VALID;
}

/* 1 with *u set when username and password are right. An unknown user costs the same
 * argon2id work as a wrong password, and both get the same answer. */
static grantd_rc check_password(struct grantd_request *req, const char *username,
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
    const char *username = field(req, "username"), *password = field(req, "password");
    if (!username || !password) {
        grantd_flow_show_login(req, resp, a, s, 400, username,
                               "Enter your username and password.");
        return;
    }
    struct grantd_user u;
    struct grantd_web_session next;
    int ok = 0;
    grantd_rc rc = check_password(req, username, password, &u, &ok);
    if (rc == GRANTD_OK && !ok) {
        grantd_log(GRANTD_LOG_INFO, "login_failed", "{s:s,s:s}", "request_id",
                   req->request_id, "client_id", a->client.id);
        grantd_flow_show_login(req, resp, a, s, 401, username,
                               "The username or password is incorrect.");
        return;
    }
    if (rc == GRANTD_OK) /* a new session id at login: no fixation */
        rc = grantd_web_session_start(req, resp, s, u.id, &next);
    if (rc != GRANTD_OK) {
        grantd_response_internal(req, resp, rc);
        return;
    }
    grantd_log(GRANTD_LOG_INFO, "login", "{s:s,s:s,s:s}", "request_id", req->request_id,
               "client_id", a->client.id, "user_id", u.id);
    resp->status = 303;
    grantd_response_header(resp, "Location",
                           grantd_arena_printf(req->arena, "%s/authorize?%s", req->iss->url,
                                               a->raw));
    grantd_response_header(resp, "Cache-Control", "no-store");
}

void grantd_login_endpoint(struct grantd_request *req, struct grantd_response *resp)
{
    struct grantd_authz a;
    if (!form_ok(req, resp) || !request_ok(req, resp, &a))
        return;
    struct grantd_web_session s, fresh;
    grantd_rc rc = grantd_web_session_load(req, &s);
    if (rc == GRANTD_OK && grantd_web_session_csrf_ok(&s, field(req, "csrf"))) {
        login_attempt(req, resp, &a, &s);
        return;
    }
    if (rc != GRANTD_OK && rc != GRANTD_ENOTFOUND) {
        grantd_response_internal(req, resp, rc);
        return;
    }
    /* no session (cookies off, expired) or a form from another session: start over */
    rc = grantd_web_session_start(req, resp, rc == GRANTD_OK ? &s : NULL, NULL, &fresh);
    if (rc != GRANTD_OK) {
        grantd_response_internal(req, resp, rc);
        return;
    }
    grantd_flow_show_login(req, resp, &a, &fresh, 403, field(req, "username"),
                           "This form has expired. Please sign in again.");
}

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

static void decide(struct grantd_request *req, struct grantd_response *resp,
                   const struct grantd_authz *a, const struct grantd_web_session *s,
                   const struct grantd_user *u)
{
    const char *decision = field(req, "decision");
    if (decision && strcmp(decision, "cancel") == 0) {
        /* RFC 6749 §4.1.2.1's own words, which Apruve's guide shows verbatim */
        grantd_authz_redirect_error(
            req, resp, a, GRANTD_OAUTH_ACCESS_DENIED,
            "The resource owner or authorization server denied the request.");
        return;
    }
    if (!decision || strcmp(decision, "authorize") != 0) {
        grantd_ui_error_page(req, resp, 400, "The form could not be read",
                             "Choose Authorize or Cancel.");
        return;
    }
    grantd_rc rc = remember(req, a, u->id);
    if (rc != GRANTD_OK) {
        grantd_response_internal(req, resp, rc);
        return;
    }
    grantd_authz_issue_code(req, resp, a, u->id, s->rec.auth_time);
}

void grantd_consent_endpoint(struct grantd_request *req, struct grantd_response *resp)
{
    struct grantd_authz a;
    if (!form_ok(req, resp) || !request_ok(req, resp, &a))
        return;
    struct grantd_web_session s;
    struct grantd_user u;
    int have_session, logged_in;
    grantd_rc rc = grantd_flow_session_user(req, &s, &have_session, &u, &logged_in);
    if (rc != GRANTD_OK) {
        grantd_response_internal(req, resp, rc);
        return;
    }
    if (!logged_in) { /* the session ended meanwhile: log in again */
        grantd_flow_continue(req, resp, &a, &s, have_session, &u, logged_in);
        return;
    }
    if (!grantd_web_session_csrf_ok(&s, field(req, "csrf"))) {
        grantd_ui_error_page(req, resp, 403, "This form has expired",
                             "Go back to the application and start again.");
        return;
    }
    decide(req, resp, &a, &s, &u);
}
