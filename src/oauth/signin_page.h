/* The pages with a sign-in form of their own, the account page (account.c) and the
 * developer console (console.c): who is visiting, the sign-in form on an anonymous session,
 * and the first steps of every POST to them — the same-origin and form checks, the CSRF
 * token, and the login and signout actions, with their rate limit, logs and audit events.
 * Each page keeps its own views and actions. Internal to src/oauth. */
#ifndef GRANTD_OAUTH_SIGNIN_PAGE_H
#define GRANTD_OAUTH_SIGNIN_PAGE_H

#include "oauth/errors.h"
#include "oauth/session.h"
#include "ui/i18n.h"

struct grantd_ui_signin;

/* What makes one page's sign-in its own. */
struct grantd_signin_page {
    const char *name; /* "account", "console": its path under the issuer, and the page
                         its log lines and audit events name */
    void (*form)(struct grantd_request *req, struct grantd_response *resp, unsigned status,
                 const struct grantd_ui_signin *v); /* its sign-in form (ui/) */
    enum grantd_text retry;        /* the 400 page's advice for a form it cannot read */
    enum grantd_text expired_next; /* the 403 page's advice for another session's form */
    enum grantd_text back;         /* that page's link back to the page */
};

/* A visit: the request's session, who is signed in on it, and the page's URL. */
struct grantd_signin_visit {
    const struct grantd_signin_page *page;
    struct grantd_web_session s;
    struct grantd_user u;
    int have_session, logged_in;
    const char *url;
};

GRANTD_MUST_USE grantd_rc grantd_signin_visit_load(struct grantd_request *req,
                                                   const struct grantd_signin_page *page,
                                                   struct grantd_signin_visit *v);

/* The page's sign-in form, on v's session when nobody is signed in on it, else on a new
 * anonymous one (its cookie set). With an error, the username posted is shown again. */
GRANTD_MUST_USE grantd_rc grantd_signin_show(struct grantd_request *req,
                                             struct grantd_response *resp,
                                             struct grantd_signin_visit *v, unsigned status,
                                             const char *notice, const char *error);

/* 303 to url, not cached (after a change, so that a reload repeats nothing). */
void grantd_signin_see_other(struct grantd_response *resp, const char *url);

/* The start of a POST to the page. Refuses a cross-site POST (403 page in *no) and a body
 * that is not one form without repeated fields (400 page, page->retry); loads *v; answers
 * a form without the session's CSRF token (403: the sign-in form again for a login, else a
 * page linking back), and the actions login and signout. GRANTD_OK with *answered 0 and
 * *action the form's action (NULL: none) when the action is the page's own, to be done by
 * the caller (who may or may not be signed in: the caller checks); *answered 1 when done.
 * GRANTD_EREFUSED with *no; other codes are failures. */
GRANTD_MUST_USE grantd_rc grantd_signin_post(struct grantd_request *req,
                                             struct grantd_response *resp,
                                             const struct grantd_signin_page *page,
                                             struct grantd_signin_visit *v,
                                             const char **action, int *answered,
                                             struct grantd_refusal *no);

#endif
