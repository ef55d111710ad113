/* The account page of ui/pages.h (issue 13 item 4): the applications a signed-in user has
 * authorized, each with a Revoke form, and Sign out; its own sign-in form; and the pages a
 * browser gets at the issuer's root and at a path nothing serves.
 *
 * Every runtime value goes through grantd_html_text or grantd_html_attr. Every form carries
 * the session's CSRF token in the hidden field "csrf" and an "action" field saying what it
 * asks for. This file renders only: who may revoke what is decided in oauth/account.c. */
#include <time.h>

#include "ui/html.h"
#include "ui/layout.h"
#include "ui/pages.h"
#include "ui/parts.h"

static const char *or_default(const char *s, const char *fallback)
{
    return s && *s ? s : fallback;
}

/* <form method="post" action="..."> with csrf and action=what (a literal). */
#define form_open(h, action_url, csrf, what)                                            \
    do {                                                                                 \
        grantd_html_lit((h), "<form method=\"post\"");                                   \
        grantd_html_attr((h), "action", (action_url));                                   \
        grantd_html_lit((h), ">\n<input type=\"hidden\" name=\"csrf\"");                  \
        grantd_html_attr((h), "value", (csrf));                                          \
        grantd_html_lit((h), ">\n<input type=\"hidden\" name=\"action\" value=\"" what   \
                             "\">\n");                                                   \
    } while (0)

static void message(struct grantd_html *h, const char *notice, const char *error)
{
    if (notice && *notice) {
        grantd_html_lit(h, "<p class=\"notice\" role=\"status\">");
        grantd_html_text(h, notice);
        grantd_html_lit(h, "</p>\n");
    }
    if (error && *error) {
        grantd_html_lit(h, "<p class=\"error\" id=\"error\" role=\"alert\">");
        grantd_html_text(h, error);
        grantd_html_lit(h, "</p>\n");
    }
}

/* "4 December 2026" (UTC) inside <time datetime="2026-12-04">. */
static void date(struct grantd_html *h, int64_t t)
{
    static const char *const months[] = {"January", "February", "March",     "April",
                                         "May",     "June",     "July",      "August",
                                         "September", "October", "November", "December"};
    time_t tt = (time_t)t;
    struct tm tm;
    char iso[16];
    if (!gmtime_r(&tt, &tm) || strftime(iso, sizeof(iso), "%Y-%m-%d", &tm) == 0) {
        grantd_html_lit(h, "an unknown date");
        return;
    }
    grantd_html_lit(h, "<time");
    grantd_html_attr(h, "datetime", iso);
    grantd_html_lit(h, ">");
    grantd_html_int(h, tm.tm_mday);
    grantd_html_lit(h, " ");
    grantd_html_text(h, months[tm.tm_mon]);
    grantd_html_lit(h, " ");
    grantd_html_int(h, (long long)tm.tm_year + 1900);
    grantd_html_lit(h, "</time>");
}

static void grant_scopes(struct grantd_html *h, const struct grantd_ui_grant *g)
{
    if (g->scope_count == 0 || !g->scopes) {
        grantd_html_lit(h, "<p>No specific permissions.</p>\n");
        return;
    }
    grantd_html_lit(h, "<ul>\n");
    for (size_t i = 0; i < g->scope_count; i++) {
        grantd_html_lit(h, "<li><code>");
        grantd_html_text(h, g->scopes[i].name);
        grantd_html_lit(h, "</code>");
        if (g->scopes[i].description && *g->scopes[i].description) {
            grantd_html_lit(h, " <span class=\"d\">");
            grantd_html_text(h, g->scopes[i].description);
            grantd_html_lit(h, "</span>");
        }
        grantd_html_lit(h, "</li>\n");
    }
    grantd_html_lit(h, "</ul>\n");
}

static void grant_item(struct grantd_html *h, const struct grantd_ui_account *v,
                       const struct grantd_ui_grant *g)
{
    const char *name = or_default(g->client_name, g->client_id);
    grantd_html_lit(h, "<li class=\"grant\">\n<h3>");
    grantd_html_text(h, name);
    grantd_html_lit(h, "</h3>\n<p class=\"sub\">Authorized since ");
    date(h, g->since);
    grantd_html_lit(h, "</p>\n");
    grant_scopes(h, g);
    form_open(h, v->action, v->csrf, "revoke");
    grantd_html_lit(h, "<input type=\"hidden\" name=\"client_id\"");
    grantd_html_attr(h, "value", g->client_id);
    grantd_html_lit(h, ">\n<button type=\"submit\" class=\"danger\">Revoke access</button>\n"
                       "</form>\n</li>\n");
}

static void account_who(struct grantd_html *h, const struct grantd_ui_account *v)
{
    grantd_html_lit(h, "<p class=\"sub\">Signed in as <strong>");
    grantd_html_text(h, v->username);
    grantd_html_lit(h, "</strong>");
    if (v->account && *v->account) {
        grantd_html_lit(h, " (account <strong>");
        grantd_html_text(h, v->account);
        grantd_html_lit(h, "</strong>)");
    }
    grantd_html_lit(h, "</p>\n");
}

void grantd_ui_account_page(struct grantd_request *req, struct grantd_response *resp,
                            unsigned status, const struct grantd_ui_account *v)
{
    struct grantd_html h;
    grantd_html_init(&h, GRANTD_HTML_MAX);
    grantd_layout_open(&h, "Your account");
    grantd_html_lit(&h, "<h1>Your account</h1>\n");
    account_who(&h, v);
    message(&h, v->notice, v->error);
    grantd_html_lit(&h, "<h2>Applications you have authorized</h2>\n");
    if (v->grant_count == 0) {
        grantd_html_lit(&h, "<p id=\"no-grants\">No application can use your account. When "
                            "you authorize one, it is listed here and you can revoke it.</p>\n");
    } else {
        grantd_html_lit(&h, "<p>Each one can use your account with the permissions listed. "
                            "Revoking signs it out at once; it must ask you again.</p>\n"
                            "<ul class=\"list\">\n");
        for (size_t i = 0; i < v->grant_count; i++)
            grant_item(&h, v, &v->grants[i]);
        grantd_html_lit(&h, "</ul>\n");
    }
    form_open(&h, v->action, v->csrf, "signout");
    grantd_html_lit(&h, "<button type=\"submit\" class=\"secondary wide\">Sign out</button>\n"
                        "</form>\n");
    grantd_layout_close(&h, GRANTD_LAYOUT_NO_SCRIPT);
    grantd_layout_send(req, resp, status, &h, GRANTD_LAYOUT_NO_SCRIPT);
}

void grantd_ui_account_login_page(struct grantd_request *req, struct grantd_response *resp,
                                  unsigned status, const struct grantd_ui_account_login *v)
{
    struct grantd_html h;
    grantd_html_init(&h, GRANTD_HTML_MAX);
    grantd_layout_open(&h, "Sign in");
    grantd_html_lit(&h, "<h1>Sign in</h1>\n<p class=\"sub\">to see and manage the applications "
                        "that can use your account</p>\n");
    message(&h, v->notice, v->error);
    form_open(&h, v->action, v->csrf, "login");
    grantd_ui_login_fields(&h, v->username, v->error && *v->error);
    grantd_html_lit(&h, "<button type=\"submit\" class=\"wide\">Sign in</button>\n</form>\n");
    grantd_layout_close(&h, GRANTD_LAYOUT_NO_SCRIPT);
    grantd_layout_send(req, resp, status, &h, GRANTD_LAYOUT_NO_SCRIPT);
}

void grantd_ui_landing_page(struct grantd_request *req, struct grantd_response *resp,
                            const char *account)
{
    struct grantd_ui_problem v = {
        .title = "Sign-in service",
        .what = "This service signs you in to applications and asks before they use your "
                "account. Applications bring you here when you sign in; there is nothing to "
                "do on this page.",
        .next = "You can see which applications can use your account, and stop any of them.",
        .link = account,
        .link_text = "Go to your account",
    };
    grantd_ui_problem_page(req, resp, 200, &v);
}

void grantd_ui_not_found_page(struct grantd_request *req, struct grantd_response *resp,
                              const char *account)
{
    struct grantd_ui_problem v = {
        .title = "Page not found",
        .what = "There is no page at this address.",
        .next = "If you followed a link from an application, go back to it and try again.",
        .detail = "404 not_found",
        .link = account,
        .link_text = "Go to your account",
    };
    grantd_ui_problem_page(req, resp, 404, &v);
}
