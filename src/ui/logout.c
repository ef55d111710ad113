/* The end-session endpoint's pages of ui/pages.h (RP-Initiated Logout 1.0): the
 * confirmation asked when a sign-out cannot be tied to the user signed in, "You are signed
 * out", and "You are still signed in".
 *
 * Every runtime value goes through grantd_html_text or grantd_html_attr; every text comes
 * from the catalog in the page's language (T()). This file renders only: whether the
 * session ends, and where the browser goes afterwards, is decided in oauth/logout.c. */
#include "http/app.h"
#include "ui/html.h"
#include "ui/layout.h"
#include "ui/pages.h"
#include "ui/parts.h"
#include "ui/theme.h"

#define T(id) grantd_ui_t(look, GRANTD_T_##id)

/* What the user signs out of: the issuer's product name, else its URL. */
static const char *signed_into(struct grantd_request *req, const struct grantd_ui_look *look)
{
    const char *p = look->profile ? look->profile->branding.product_name : NULL;
    return p && *p ? p : req->iss->url;
}

static void paragraph(struct grantd_html *h, const char *pre, const char *value,
                      const char *post)
{
    grantd_html_lit(h, "<p>");
    grantd_html_text(h, pre);
    if (value)
        grantd_html_text(h, value);
    grantd_html_text(h, post);
    grantd_html_lit(h, "</p>\n");
}

void grantd_ui_logout_page(struct grantd_request *req, struct grantd_response *resp,
                           const struct grantd_ui_logout *v)
{
    struct grantd_html h;
    GRANTD_UI_LOOK(req);
    grantd_html_init(&h, GRANTD_HTML_MAX);
    grantd_layout_open(&h, look, T(logout_title));
    grantd_html_lit(&h, "<h1>");
    grantd_html_text(&h, T(logout_heading_pre));
    grantd_html_text(&h, signed_into(req, look));
    grantd_html_text(&h, T(logout_heading_post));
    grantd_html_lit(&h, "</h1>\n");
    if (v->client_name)
        paragraph(&h, T(logout_asks_pre), *v->client_name ? v->client_name : T(an_application),
                  T(logout_asks_post));
    if (v->username && *v->username)
        paragraph(&h, T(signed_in_as), " ", v->username);
    grantd_ui_form_open(&h, v->action, v->csrf, "logout");
    for (size_t i = 0; i < v->field_count; i++) {
        grantd_html_lit(&h, "<input type=\"hidden\"");
        grantd_html_attr(&h, "name", v->fields[i].name);
        grantd_html_attr(&h, "value", v->fields[i].value);
        grantd_html_lit(&h, ">\n");
    }
    /* Sign out first: it is what the application asked for */
    grantd_ui_choices(&h, "confirm", "yes", T(sign_out_button), "no", T(logout_stay_button));
    grantd_layout_close(&h, GRANTD_LAYOUT_NO_SCRIPT);
    grantd_layout_send(req, resp, 200, &h, look, GRANTD_LAYOUT_NO_SCRIPT);
}

void grantd_ui_signed_out_page(struct grantd_request *req, struct grantd_response *resp,
                               const char *account)
{
    GRANTD_UI_LOOK(req);
    struct grantd_ui_problem v = {
        .title = T(logout_done_title),
        .what = T(logout_done_what),
        .link = account,
        .link_text = T(go_to_account),
    };
    grantd_ui_problem_page(req, resp, 200, &v);
}

void grantd_ui_still_signed_in_page(struct grantd_request *req, struct grantd_response *resp,
                                    const char *account)
{
    GRANTD_UI_LOOK(req);
    struct grantd_ui_problem v = {
        .title = T(logout_still_title),
        .what = T(logout_still_what),
        .link = account,
        .link_text = T(go_to_account),
    };
    grantd_ui_problem_page(req, resp, 200, &v);
}
