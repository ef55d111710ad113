/* GET /authorize: validate, then log in, ask consent, or issue a code at once.
 *
 * The pending request travels in the forms as its original query string (hidden field
 * "request") with its binding to the session (hidden field "binding", session.h), and is
 * checked against the binding and validated again on every POST, so no server state is kept
 * for it, state comes back byte for byte, and a POST acts only on what its page showed. */
#include "oauth/endpoints.h"

#include <string.h>

#include "http/app.h"
#include "oauth/authz_response.h"
#include "oauth/flow.h"
#include "oauth/scope.h"
#include "oauth/session.h"
#include "ui/pages.h"

void grantd_flow_show_login(struct grantd_request *req, struct grantd_response *resp,
                            const struct grantd_authz *a, const struct grantd_web_session *s,
                            unsigned status, const char *username, const char *error)
{
    struct grantd_ui_login v = {
        .form = {grantd_arena_printf(req->arena, "%s/login", req->iss->url), a->raw, s->csrf,
                 grantd_web_session_bind(req, s, a->raw)},
        .client_name = a->client.name,
        .username = username,
        .error = error,
        .restart = grantd_arena_printf(req->arena, "%s/authorize?%s", req->iss->url, a->raw),
    };
    if (!username && a->login_hint) { /* the client's guess: no "Not you?" loop back to it */
        v.username = a->login_hint;
        v.restart = NULL;
    }
    grantd_ui_login_page(req, resp, status, &v);
}

/* The host the consent page names as where the answer goes: the redirect URI's host
 * (without userinfo, which registration refuses anyway, and without the port), or for a
 * URI without an authority (a native app's "com.example.app:/cb") its scheme. NULL out of
 * band. */
static const char *redirect_host(struct grantd_request *req, const char *uri)
{
    if (!uri)
        return NULL;
    const char *p = strstr(uri, "://");
    if (!p)
        return grantd_arena_strndup(req->arena, uri, strcspn(uri, ":"));
    p += 3;
    size_t n = strcspn(p, "/?#");
    const char *at = memchr(p, '@', n);
    if (at) {
        n -= (size_t)(at + 1 - p);
        p = at + 1;
    }
    if (*p == '[') /* an IPv6 literal keeps its brackets */
        n = strcspn(p, "]") + (p[strcspn(p, "]")] == ']');
    else
        n = strcspn(p, ":/?#") < n ? strcspn(p, ":/?#") : n;
    return grantd_arena_strndup(req->arena, p, n);
}

static void show_consent(struct grantd_request *req, struct grantd_response *resp,
                         const struct grantd_authz *a, const struct grantd_web_session *s,
                         const struct grantd_user *u)
{
    struct grantd_ui_scope *scopes =
        grantd_arena_alloc(req->arena, (a->scope_count + 1) * sizeof(*scopes));
    for (size_t i = 0; i < a->scope_count; i++) {
        scopes[i].name = a->scopes[i];
        scopes[i].description = grantd_config_scope_description(req->iss->cfg, a->scopes[i]);
    }
    struct grantd_ui_consent v = {
        .form = {grantd_arena_printf(req->arena, "%s/consent", req->iss->url), a->raw,
                 s->csrf, grantd_web_session_bind(req, s, a->raw)},
        .client_name = a->client.name,
        .username = u->username,
        .account = u->account,
        .scopes = scopes,
        .scope_count = a->scope_count,
        .redirect_host = redirect_host(req, a->redirect),
    };
    grantd_ui_consent_page(req, resp, &v);
}

/* 1 when a remembered consent covers the request and the client does not insist on asking. */
static grantd_rc consent_remembered(struct grantd_request *req, const struct grantd_authz *a,
                                    const char *user_id, int *yes)
{
    struct grantd_consent c;
    struct grantd_store *st = req->app->store;
    *yes = 0;
    if (a->client.flags & GRANTD_CLIENT_ALWAYS_CONSENT)
        return GRANTD_OK;
    grantd_rc rc = grantd_store_consent_get(st, req->arena, req->iss->tenant, user_id,
                                           a->client.id, &c);
    if (rc == GRANTD_ENOTFOUND)
        return GRANTD_OK;
    if (rc == GRANTD_OK)
        *yes = grantd_scope_covered(a->scopes, a->scope_count, c.scope);
    return rc;
}

grantd_rc grantd_flow_anonymous_session(struct grantd_request *req,
                                        struct grantd_response *resp,
                                        struct grantd_web_session *s, int have_session,
                                        struct grantd_web_session *fresh,
                                        struct grantd_web_session **out)
{
    *out = s;
    if (have_session && !s->rec.user_id)
        return GRANTD_OK;
    grantd_rc rc = grantd_web_session_start(req, resp, have_session ? s : NULL, NULL, fresh);
    if (rc == GRANTD_OK)
        *out = fresh;
    return rc;
}

grantd_rc grantd_flow_session_user(struct grantd_request *req, struct grantd_web_session *s,
                                   int *have_session, struct grantd_user *u, int *logged_in)
{
    *have_session = *logged_in = 0;
    grantd_rc rc = grantd_web_session_load(req, s);
    if (rc == GRANTD_ENOTFOUND)
        return GRANTD_OK;
    if (rc != GRANTD_OK)
        return rc;
    *have_session = 1;
    if (!s->rec.user_id)
        return GRANTD_OK;
    struct grantd_store *st = req->app->store;
    rc = grantd_store_user_get(st, req->arena, req->iss->tenant, s->rec.user_id, u);
    if (rc == GRANTD_ENOTFOUND)
        return GRANTD_OK;
    if (rc == GRANTD_OK)
        *logged_in = !u->disabled;
    return rc;
}

/* 1 when a demands a fresher sign-in than s's (prompt=login; max_age, where 0 means the
 * same) and s's login was not made on a's own login page. */
static int login_stale(struct grantd_request *req, const struct grantd_authz *a,
                       const struct grantd_web_session *s)
{
    int64_t age = req->app->now() - s->rec.auth_time;
    int demanded = (a->prompts & GRANTD_PROMPT_LOGIN) || a->max_age_s == 0 ||
                   (a->max_age_s > 0 && age > a->max_age_s);
    return demanded && !grantd_web_session_login_for(s, a->raw);
}

/* The login page for a request that needs a sign-in while someone is signed in (a stale
 * login, another user than the hint's): the same session carries the form, so leaving the
 * page leaves the person signed in; the login replaces the session. */
static void show_login_again(struct grantd_request *req, struct grantd_response *resp,
                             const struct grantd_authz *a, const struct grantd_web_session *s,
                             const struct grantd_user *u, int same_user)
{
    grantd_flow_show_login(req, resp, a, s, 200, same_user && !a->login_hint ? u->username : NULL,
                           NULL);
}

void grantd_flow_continue(struct grantd_request *req, struct grantd_response *resp,
                          const struct grantd_authz *a, struct grantd_web_session *s,
                          int have_session, const struct grantd_user *u, int logged_in)
{
    grantd_rc rc = GRANTD_OK;
    int other_user = logged_in && a->hint_sub && strcmp(a->hint_sub, u->id) != 0;
    int stale = logged_in && !other_user && login_stale(req, a, s);
    if ((!logged_in || other_user || stale) && (a->prompts & GRANTD_PROMPT_NONE)) {
        grantd_authz_redirect_error(req, resp, a, GRANTD_OAUTH_LOGIN_REQUIRED,
                                    other_user ? "another user is signed in"
                                               : "the user must sign in");
        return;
    }
    if (!logged_in) {
        /* a fresh anonymous session carries the login form's CSRF token */
        struct grantd_web_session fresh;
        rc = grantd_web_session_start(req, resp, have_session ? s : NULL, NULL, &fresh);
        if (rc == GRANTD_OK)
            grantd_flow_show_login(req, resp, a, &fresh, 200, NULL, NULL);
    } else if (other_user || stale) {
        show_login_again(req, resp, a, s, u, stale);
    } else {
        int remembered = 0;
        rc = consent_remembered(req, a, u->id, &remembered);
        if (rc == GRANTD_OK && remembered && !(a->prompts & GRANTD_PROMPT_CONSENT))
            grantd_authz_issue_code(req, resp, a, u->id, s->rec.auth_time);
        else if (rc == GRANTD_OK && (a->prompts & GRANTD_PROMPT_NONE))
            grantd_authz_redirect_error(req, resp, a, GRANTD_OAUTH_CONSENT_REQUIRED,
                                        "the user has not consented to this request");
        else if (rc == GRANTD_OK)
            show_consent(req, resp, a, s, u);
    }
    if (rc != GRANTD_OK)
        grantd_oauth_internal(req, resp, rc);
}

/* Refuses a form of the request's own session (its CSRF token right) whose request is not
 * the one its page showed (session.h, the binding), or was shown too long ago: before the
 * request is read, so nothing in it, a redirect URI least of all, is acted on. A form with
 * no session or another session's token is left to login.c and consent.c, which show the
 * request again (a login page) rather than act on it. */
static grantd_rc check_binding(struct grantd_request *req, const char *request,
                               struct grantd_refusal *no)
{
    struct grantd_web_session s;
    grantd_rc rc = grantd_web_session_load(req, &s);
    if (rc != GRANTD_OK)
        return rc == GRANTD_ENOTFOUND ? GRANTD_OK : rc;
    if (!grantd_web_session_csrf_ok(&s, grantd_params_value(&req->form, "csrf")))
        return GRANTD_OK;
    enum grantd_form_binding b = grantd_web_session_bound(
        req, &s, request ? request : "", grantd_params_value(&req->form, "binding"));
    if (b == GRANTD_FORM_BOUND)
        return GRANTD_OK;
    if (b == GRANTD_FORM_EXPIRED) {
        rc = grantd_refuse_page(no, 403, grantd_ui_say(req, GRANTD_T_page_expired_title),
                                grantd_ui_say(req, GRANTD_T_page_expired_what));
        no->page_detail = "403 binding: the form is older than its page's lifetime";
    } else {
        rc = grantd_refuse_page(no, 400, grantd_ui_say(req, GRANTD_T_form_changed_title),
                                grantd_ui_say(req, GRANTD_T_form_changed_what));
        no->page_detail = "400 binding: the form's request is not the one its page showed";
    }
    no->page_next = grantd_ui_say(req, GRANTD_T_page_expired_next);
    return rc;
}

grantd_rc grantd_flow_read_form(struct grantd_request *req, struct grantd_response *resp,
                                struct grantd_authz *a, struct grantd_refusal *no)
{
    const char *why = NULL;
    if (req->body_kind != GRANTD_BODY_FORM)
        why = "The form was not sent as a form.";
    else if (req->form_rc != GRANTD_OK)
        why = req->form_why;
    else if (grantd_params_first_repeated(&req->form))
        why = "The form carries a field twice.";
    if (why)
        return grantd_refuse_page(no, 400, grantd_ui_say(req, GRANTD_T_form_unreadable_title),
                                  why);
    const char *request = grantd_params_value(&req->form, "request");
    grantd_rc rc = check_binding(req, request, no);
    if (rc == GRANTD_OK)
        rc = grantd_authz_validate(req, request, a);
    if (rc == GRANTD_OK && a->outcome != GRANTD_AUTHZ_VALID)
        grantd_authz_answer_invalid(req, resp, a);
    return rc;
}

void grantd_authorize_endpoint(struct grantd_request *req, struct grantd_response *resp)
{
    struct grantd_authz a;
    grantd_rc rc = grantd_authz_validate(req, req->raw_query, &a);
    if (rc != GRANTD_OK) {
        grantd_oauth_internal(req, resp, rc);
        return;
    }
    if (a.outcome != GRANTD_AUTHZ_VALID) {
        grantd_authz_answer_invalid(req, resp, &a);
        return;
    }
    struct grantd_web_session s;
    struct grantd_user u;
    int have_session, logged_in;
    rc = grantd_flow_session_user(req, &s, &have_session, &u, &logged_in);
    if (rc != GRANTD_OK) {
        grantd_oauth_internal(req, resp, rc);
        return;
    }
    grantd_flow_continue(req, resp, &a, &s, have_session, &u, logged_in);
}
