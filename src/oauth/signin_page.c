/* The sign-in of the account page and the developer console (signin_page.h). */
#include "oauth/signin_page.h"

#include <string.h>

#include "core/log.h"
#include "http/app.h"
#include "oauth/event.h"
#include "oauth/flow.h"
#include "oauth/ratelimit.h"
#include "oauth/same_origin.h"
#include "ui/pages.h"

#define SAY(req, id) grantd_ui_say((req), GRANTD_T_##id)

grantd_rc grantd_signin_visit_load(struct grantd_request *req,
                                   const struct grantd_signin_page *page,
                                   struct grantd_signin_visit *v)
{
    v->page = page;
    v->url = grantd_arena_printf(req->arena, "%s/%s", req->iss->url, page->name);
    return grantd_flow_session_user(req, &v->s, &v->have_session, &v->u, &v->logged_in);
}

grantd_rc grantd_signin_show(struct grantd_request *req, struct grantd_response *resp,
                             struct grantd_signin_visit *v, unsigned status, const char *notice,
                             const char *error)
{
    struct grantd_web_session fresh, *s;
    grantd_rc rc = grantd_flow_anonymous_session(req, resp, &v->s, v->have_session, &fresh, &s);
    if (rc != GRANTD_OK)
        return rc;
    struct grantd_ui_signin form = {
        .action = v->url,
        .csrf = s->csrf,
        .username = error ? grantd_params_value(&req->form, "username") : NULL,
        .notice = notice,
        .error = error,
    };
    v->page->form(req, resp, status, &form);
    return GRANTD_OK;
}

void grantd_signin_see_other(struct grantd_response *resp, const char *url)
{
    resp->status = 303;
    grantd_response_header(resp, "Location", url);
    grantd_response_header(resp, "Cache-Control", "no-store");
}

static grantd_rc sign_in(struct grantd_request *req, struct grantd_response *resp,
                         struct grantd_signin_visit *v)
{
    const char *page = v->page->name;
    const char *username = grantd_params_value(&req->form, "username");
    const char *password = grantd_params_value(&req->form, "password");
    struct grantd_user u;
    struct grantd_web_session next;
    int ok = 0;
    if (v->logged_in) {
        grantd_signin_see_other(resp, v->url);
        return GRANTD_OK;
    }
    if (!username || !password)
        return grantd_signin_show(req, resp, v, 400, NULL, SAY(req, enter_credentials));
    int64_t wait = 0;
    grantd_rc rc = grantd_flow_check_password(req, username, password, &u, &ok, &wait);
    if (rc == GRANTD_OK && wait > 0) { /* too many tries (oauth/ratelimit.h) */
        rc = grantd_signin_show(req, resp, v, 429, NULL, grantd_ratelimit_login_text(req, wait));
        grantd_ratelimit_retry_after(req, resp, wait);
        return rc;
    }
    if (rc == GRANTD_OK && !ok) {
        grantd_log(GRANTD_LOG_INFO, "login_failed", "{s:s,s:s}", "request_id",
                   req->request_id, "page", page);
        grantd_event(req, "login_failed", NULL, NULL,
                     json_pack("{s:s,s:s}", "username", username, "page", page));
        return grantd_signin_show(req, resp, v, 401, NULL, SAY(req, credentials_incorrect));
    }
    if (rc == GRANTD_OK) /* a new session id at login: no fixation */
        rc = grantd_web_session_start(req, resp, &v->s, u.id, &next);
    if (rc != GRANTD_OK)
        return rc;
    grantd_log(GRANTD_LOG_INFO, "login", "{s:s,s:s,s:s}", "request_id", req->request_id,
               "page", page, "user_id", u.id);
    grantd_event(req, "login", u.id, NULL,
                 json_pack("{s:s,s:s}", "username", u.username, "page", page));
    grantd_signin_see_other(resp, v->url);
    return GRANTD_OK;
}

/* The session of the form is not this one (another, an expired one, or none): nothing is
 * done. */
static grantd_rc expired(struct grantd_request *req, struct grantd_response *resp,
                         struct grantd_signin_visit *v, const char *action)
{
    if (action && strcmp(action, "login") == 0)
        return grantd_signin_show(req, resp, v, 403, NULL, SAY(req, form_expired));
    struct grantd_ui_problem page = {
        .title = SAY(req, page_expired_title),
        .what = SAY(req, account_expired_what),
        .next = grantd_ui_say(req, v->page->expired_next),
        .detail = "403 csrf: the form's token does not match the session",
        .link = v->url,
        .link_text = grantd_ui_say(req, v->page->back),
    };
    grantd_ui_problem_page(req, resp, 403, &page);
    return GRANTD_OK;
}

grantd_rc grantd_signin_post(struct grantd_request *req, struct grantd_response *resp,
                             const struct grantd_signin_page *page,
                             struct grantd_signin_visit *v, const char **action, int *answered,
                             struct grantd_refusal *no)
{
    *answered = 1;
    *action = NULL;
    if (grantd_cross_site(req))
        return grantd_refuse_cross_site(req, no);
    if (req->body_kind != GRANTD_BODY_FORM || req->form_rc != GRANTD_OK ||
        grantd_params_first_repeated(&req->form))
        return grantd_refuse_page(no, 400, SAY(req, form_unreadable_title),
                                  grantd_ui_say(req, page->retry));
    grantd_rc rc = grantd_signin_visit_load(req, page, v);
    if (rc != GRANTD_OK)
        return rc;
    const char *a = grantd_params_value(&req->form, "action");
    if (!v->have_session ||
        !grantd_web_session_csrf_ok(&v->s, grantd_params_value(&req->form, "csrf")))
        return expired(req, resp, v, a);
    if (a && strcmp(a, "login") == 0)
        return sign_in(req, resp, v);
    if (a && strcmp(a, "signout") == 0) {
        if (v->logged_in)
            grantd_log(GRANTD_LOG_INFO, "logout", "{s:s,s:s,s:s}", "request_id",
                       req->request_id, "page", page->name, "user_id", v->u.id);
        return grantd_signin_show(req, resp, v, 200, SAY(req, signed_out), NULL);
    }
    *answered = 0;
    *action = a;
    return GRANTD_OK;
}
