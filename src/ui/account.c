/* The account page of ui/pages.h (issue 13 item 4): the applications a signed-in user has
 * authorized, each with a Revoke form, and Sign out; its own sign-in form; and the pages a
 * browser gets at the issuer's root and at a path nothing serves.
 *
 * Every runtime value goes through grantd_html_text or grantd_html_attr. Every form carries
 * the session's CSRF token in the hidden field "csrf" and an "action" field saying what it
 * asks for. Every human-visible text comes from the catalog in the page's language
 * (ui/i18n.h, through T()). This file renders only: who may revoke what is decided in
 * oauth/account.c. */
#include <time.h>

#include "ui/html.h"
#include "ui/layout.h"
#include "ui/pages.h"
#include "ui/parts.h"
#include "ui/theme.h"

/* A text of the page's language: every function here has its look in `look`. */
#define T(id) grantd_ui_t(look, GRANTD_T_##id)

static const char *or_default(const char *s, const char *fallback)
{
    return s && *s ? s : fallback;
}

/* "4 December 2026" ("4. Dezember 2026", ...; UTC) inside <time datetime="2026-12-04">. */
static void date(struct grantd_html *h, const struct grantd_ui_look *look, int64_t t)
{
    time_t tt = (time_t)t;
    struct tm tm;
    char iso[16];
    if (!gmtime_r(&tt, &tm) || strftime(iso, sizeof(iso), "%Y-%m-%d", &tm) == 0) {
        grantd_html_text(h, T(unknown_date));
        return;
    }
    grantd_html_lit(h, "<time");
    grantd_html_attr(h, "datetime", iso);
    grantd_html_lit(h, ">");
    grantd_html_int(h, tm.tm_mday);
    grantd_html_text(h, T(date_day_suffix));
    grantd_html_lit(h, " ");
    grantd_html_text(h, grantd_ui_t(look, (enum grantd_text)(GRANTD_T_month_1 + tm.tm_mon)));
    grantd_html_lit(h, " ");
    grantd_html_int(h, (long long)tm.tm_year + 1900);
    grantd_html_lit(h, "</time>");
}

static void grant_scopes(struct grantd_html *h, const struct grantd_ui_look *look,
                         const struct grantd_ui_grant *g)
{
    if (g->scope_count == 0 || !g->scopes) {
        grantd_html_lit(h, "<p>");
        grantd_html_text(h, T(no_specific_permissions));
        grantd_html_lit(h, "</p>\n");
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

static void grant_item(struct grantd_html *h, const struct grantd_ui_look *look,
                       const struct grantd_ui_account *v, const struct grantd_ui_grant *g)
{
    const char *name = or_default(g->client_name, g->client_id);
    grantd_html_lit(h, "<li class=\"grant\">\n<h3>");
    grantd_html_text(h, name);
    grantd_html_lit(h, "</h3>\n<p class=\"sub\">");
    grantd_html_text(h, T(authorized_since));
    grantd_html_lit(h, " ");
    date(h, look, g->since);
    grantd_html_lit(h, "</p>\n");
    grant_scopes(h, look, g);
    grantd_ui_form_open(h, v->action, v->csrf, "revoke");
    grantd_html_lit(h, "<input type=\"hidden\" name=\"client_id\"");
    grantd_html_attr(h, "value", g->client_id);
    grantd_html_lit(h, ">\n<button type=\"submit\" class=\"danger\">");
    grantd_html_text(h, T(revoke_button));
    grantd_html_lit(h, "</button>\n</form>\n</li>\n");
}

static void account_who(struct grantd_html *h, const struct grantd_ui_look *look,
                        const struct grantd_ui_account *v)
{
    grantd_html_lit(h, "<p class=\"sub\">");
    grantd_html_text(h, T(signed_in_as));
    grantd_html_lit(h, " <strong>");
    grantd_html_text(h, v->username);
    grantd_html_lit(h, "</strong>");
    if (v->account && *v->account) {
        grantd_html_lit(h, " (");
        grantd_html_text(h, T(account_word));
        grantd_html_lit(h, " <strong>");
        grantd_html_text(h, v->account);
        grantd_html_lit(h, "</strong>)");
    }
    grantd_html_lit(h, "</p>\n");
}

void grantd_ui_account_page(struct grantd_request *req, struct grantd_response *resp,
                            unsigned status, const struct grantd_ui_account *v)
{
    struct grantd_html h;
    GRANTD_UI_LOOK(req);
    grantd_html_init(&h, GRANTD_HTML_MAX);
    grantd_layout_open(&h, look, T(account_title));
    grantd_html_lit(&h, "<h1>");
    grantd_html_text(&h, T(account_title));
    grantd_html_lit(&h, "</h1>\n");
    account_who(&h, look, v);
    grantd_ui_message(&h, v->notice, v->error);
    grantd_html_lit(&h, "<h2>");
    grantd_html_text(&h, T(authorized_heading));
    grantd_html_lit(&h, "</h2>\n");
    if (v->grant_count == 0) {
        grantd_html_lit(&h, "<p id=\"no-grants\">");
        grantd_html_text(&h, T(no_grants));
        grantd_html_lit(&h, "</p>\n");
    } else {
        grantd_html_lit(&h, "<p>");
        grantd_html_text(&h, T(grants_intro));
        grantd_html_lit(&h, "</p>\n<ul class=\"list\">\n");
        for (size_t i = 0; i < v->grant_count; i++)
            grant_item(&h, look, v, &v->grants[i]);
        grantd_html_lit(&h, "</ul>\n");
    }
    grantd_ui_form_open(&h, v->action, v->csrf, "signout");
    grantd_html_lit(&h, "<button type=\"submit\" class=\"secondary wide\">");
    grantd_html_text(&h, T(sign_out_button));
    grantd_html_lit(&h, "</button>\n</form>\n");
    grantd_layout_close(&h, GRANTD_LAYOUT_NO_SCRIPT);
    grantd_layout_send(req, resp, status, &h, look, GRANTD_LAYOUT_NO_SCRIPT);
}

void grantd_ui_account_login_page(struct grantd_request *req, struct grantd_response *resp,
                                  unsigned status, const struct grantd_ui_signin *v)
{
    struct grantd_html h;
    GRANTD_UI_LOOK(req);
    grantd_html_init(&h, GRANTD_HTML_MAX);
    grantd_layout_open(&h, look, T(sign_in_title));
    grantd_html_lit(&h, "<h1>");
    grantd_html_text(&h, T(sign_in_title));
    grantd_html_lit(&h, "</h1>\n<p class=\"sub\">");
    grantd_html_text(&h, T(account_sign_in_sub));
    grantd_html_lit(&h, "</p>\n");
    grantd_ui_message(&h, v->notice, v->error);
    grantd_ui_form_open(&h, v->action, v->csrf, "login");
    grantd_ui_login_fields(&h, look, v->username, v->error && *v->error);
    grantd_html_lit(&h, "<button type=\"submit\" class=\"wide\">");
    grantd_html_text(&h, T(sign_in_button));
    grantd_html_lit(&h, "</button>\n</form>\n");
    grantd_layout_close(&h, GRANTD_LAYOUT_NO_SCRIPT);
    grantd_layout_send(req, resp, status, &h, look, GRANTD_LAYOUT_NO_SCRIPT);
}

void grantd_ui_landing_page(struct grantd_request *req, struct grantd_response *resp,
                            const char *account)
{
    GRANTD_UI_LOOK(req);
    struct grantd_ui_problem v = {
        .title = T(landing_title),
        .what = T(landing_what),
        .next = T(landing_next),
        .link = account,
        .link_text = T(go_to_account),
    };
    grantd_ui_problem_page(req, resp, 200, &v);
}

void grantd_ui_not_found_page(struct grantd_request *req, struct grantd_response *resp,
                              const char *account)
{
    GRANTD_UI_LOOK(req);
    struct grantd_ui_problem v = {
        .title = T(not_found_title),
        .what = T(not_found_what),
        .next = T(not_found_next),
        .detail = "404 not_found",
        .link = account,
        .link_text = T(go_to_account),
    };
    grantd_ui_problem_page(req, resp, 404, &v);
}
