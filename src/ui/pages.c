/* The end-user pages of ui/pages.h around the authorization request: login, consent,
 * out-of-band code, error and problem pages (the account, landing and not-found pages are
 * ui/account.c).
 *
 * Every runtime value goes through grantd_html_text or grantd_html_attr; everything written
 * with grantd_html_lit is a literal. The frame (head, stylesheet, script, headers, CSP) is
 * ui/layout.c. Every human-visible text comes from the catalog in the page's language
 * (ui/i18n.h, through T()); a value passed in by the caller (a client's name, an error
 * sentence from oauth/) is shown as given. This file renders only; it decides nothing. */
#include "ui/pages.h"

#include "ui/html.h"
#include "ui/layout.h"
#include "ui/parts.h"
#include "ui/theme.h"

/* A text of the page's language: every page function has its look in `look`. */
#define T(id) grantd_ui_t(look, GRANTD_T_##id)

/* s, or fallback when s is NULL or empty. */
static const char *or_default(const char *s, const char *fallback)
{
    return s && *s ? s : fallback;
}

/* <form method="post" action="..."> and the hidden fields every form carries back. */
static void form_open(struct grantd_html *h, const struct grantd_ui_form *f)
{
    grantd_html_lit(h, "<form method=\"post\"");
    grantd_html_attr(h, "action", f->action);
    grantd_html_lit(h, ">\n<input type=\"hidden\" name=\"request\"");
    grantd_html_attr(h, "value", f->request);
    grantd_html_lit(h, ">\n<input type=\"hidden\" name=\"csrf\"");
    grantd_html_attr(h, "value", f->csrf);
    if (f->binding) {
        grantd_html_lit(h, ">\n<input type=\"hidden\" name=\"binding\"");
        grantd_html_attr(h, "value", f->binding);
    }
    grantd_html_lit(h, ">\n");
}

void grantd_ui_form_open(struct grantd_html *h, const char *action, const char *csrf,
                         const char *what)
{
    grantd_html_lit(h, "<form method=\"post\"");
    grantd_html_attr(h, "action", action);
    grantd_html_lit(h, ">\n<input type=\"hidden\" name=\"csrf\"");
    grantd_html_attr(h, "value", csrf);
    grantd_html_lit(h, ">\n<input type=\"hidden\" name=\"action\"");
    grantd_html_attr(h, "value", what);
    grantd_html_lit(h, ">\n");
}

void grantd_ui_message(struct grantd_html *h, const char *notice, const char *error)
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

static void choice(struct grantd_html *h, const char *name, const char *value,
                   const char *text)
{
    grantd_html_lit(h, "<button type=\"submit\"");
    grantd_html_attr(h, "name", name);
    grantd_html_attr(h, "value", value);
    grantd_html_lit(h, ">");
    grantd_html_text(h, text);
    grantd_html_lit(h, "</button>");
}

void grantd_ui_choices(struct grantd_html *h, const char *name, const char *first,
                       const char *first_text, const char *second, const char *second_text)
{
    grantd_html_lit(h, "<div class=\"actions\">");
    choice(h, name, first, first_text);
    choice(h, name, second, second_text);
    grantd_html_lit(h, "</div>\n</form>\n");
}

void grantd_ui_login_fields(struct grantd_html *h, const struct grantd_ui_look *look,
                            const char *username, int with_error)
{
    int have_user = username && *username;
    grantd_html_lit(h, "<label for=\"username\">");
    grantd_html_text(h, T(username));
    grantd_html_lit(h, "</label>\n"
                       "<input id=\"username\" name=\"username\" type=\"text\" "
                       "autocomplete=\"username\" autocapitalize=\"none\" spellcheck=\"false\" "
                       "required");
    if (have_user)
        grantd_html_attr(h, "value", username);
    if (with_error)
        grantd_html_lit(h, " aria-describedby=\"error\"");
    if (!have_user)
        grantd_html_lit(h, " autofocus");
    grantd_html_lit(h, ">\n<label for=\"password\">");
    grantd_html_text(h, T(password));
    grantd_html_lit(h, "</label>\n"
                       "<input id=\"password\" name=\"password\" type=\"password\" "
                       "autocomplete=\"current-password\" required");
    if (with_error)
        grantd_html_lit(h, " aria-describedby=\"error\"");
    if (have_user)
        grantd_html_lit(h, " autofocus");
    grantd_html_lit(h, ">\n");
}

void grantd_ui_login_page(struct grantd_request *req, struct grantd_response *resp,
                          unsigned status, const struct grantd_ui_login *v)
{
    struct grantd_html h;
    struct grantd_ui_look lk;
    const struct grantd_ui_look *look = &lk;
    grantd_ui_look_get(req, &lk);
    grantd_html_init(&h, GRANTD_HTML_MAX);
    grantd_layout_open(&h, look, T(sign_in_title));
    grantd_html_lit(&h, "<h1>");
    grantd_html_text(&h, T(sign_in_title));
    grantd_html_lit(&h, "</h1>\n<p class=\"sub\">");
    grantd_html_text(&h, T(sign_in_pre));
    grantd_html_text(&h, or_default(v->client_name, T(the_application)));
    grantd_html_text(&h, T(sign_in_post));
    grantd_html_lit(&h, "</p>\n");
    if (v->error) {
        grantd_html_lit(&h, "<p class=\"error\" id=\"error\" role=\"alert\">");
        grantd_html_text(&h, v->error);
        grantd_html_lit(&h, "</p>\n");
    }
    form_open(&h, &v->form);
    grantd_ui_login_fields(&h, look, v->username, v->error != NULL);
    grantd_html_lit(&h, "<button type=\"submit\" class=\"wide\">");
    grantd_html_text(&h, T(sign_in_button));
    grantd_html_lit(&h, "</button>\n</form>\n");
    if (v->restart && v->username && *v->username) {
        grantd_html_lit(&h, "<p class=\"sub\">");
        grantd_html_text(&h, T(not_you));
        grantd_html_lit(&h, " <a");
        grantd_html_attr(&h, "href", v->restart);
        grantd_html_lit(&h, ">");
        grantd_html_text(&h, T(use_another_account));
        grantd_html_lit(&h, "</a></p>\n");
    }
    grantd_layout_close(&h, GRANTD_LAYOUT_NO_SCRIPT);
    grantd_layout_send(req, resp, status, &h, look, GRANTD_LAYOUT_NO_SCRIPT);
}

static void consent_scopes(struct grantd_html *h, const struct grantd_ui_look *look,
                           const struct grantd_ui_consent *v)
{
    if (v->scope_count == 0 || !v->scopes) {
        grantd_html_lit(h, "<p>");
        grantd_html_text(h, T(no_permissions));
        grantd_html_lit(h, "</p>\n");
        return;
    }
    grantd_html_lit(h, "<p>");
    grantd_html_text(h, T(permissions));
    grantd_html_lit(h, "</p>\n<ul>\n");
    for (size_t i = 0; i < v->scope_count; i++) {
        const struct grantd_ui_scope *s = &v->scopes[i];
        grantd_html_lit(h, "<li><code>");
        grantd_html_text(h, s->name);
        grantd_html_lit(h, "</code>");
        if (s->description && *s->description) {
            grantd_html_lit(h, " <span class=\"d\">");
            grantd_html_text(h, s->description);
            grantd_html_lit(h, "</span>");
        }
        grantd_html_lit(h, "</li>\n");
    }
    grantd_html_lit(h, "</ul>\n");
}

/* "Signed in as ..." with its own small form: "Not you? Sign out" (decision signout). */
static void consent_who(struct grantd_html *h, const struct grantd_ui_look *look,
                        const struct grantd_ui_consent *v)
{
    if (!v->username || !*v->username)
        return;
    form_open(h, &v->form);
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
    grantd_html_lit(h, ". <button type=\"submit\" name=\"decision\" value=\"signout\" "
                       "class=\"link\">");
    grantd_html_text(h, T(not_you_sign_out));
    grantd_html_lit(h, "</button></p>\n</form>\n");
}

/* Where the browser goes after the decision: the redirect URI's host, or the code page. */
static void consent_where(struct grantd_html *h, const struct grantd_ui_look *look,
                          const struct grantd_ui_consent *v)
{
    if (v->redirect_host && *v->redirect_host) {
        grantd_html_lit(h, "<p>");
        grantd_html_text(h, T(sent_to));
        grantd_html_lit(h, " <strong>");
        grantd_html_text(h, v->redirect_host);
        grantd_html_lit(h, "</strong></p>\n");
        return;
    }
    grantd_html_lit(h, "<p>");
    grantd_html_text(h, T(code_instead));
    grantd_html_lit(h, "</p>\n");
}

void grantd_ui_consent_page(struct grantd_request *req, struct grantd_response *resp,
                            const struct grantd_ui_consent *v)
{
    struct grantd_html h;
    struct grantd_ui_look lk;
    const struct grantd_ui_look *look = &lk;
    grantd_ui_look_get(req, &lk);
    grantd_html_init(&h, GRANTD_HTML_MAX);
    grantd_layout_open(&h, look, T(consent_title));
    grantd_html_lit(&h, "<h1>");
    grantd_html_text(&h, T(consent_heading_pre));
    grantd_html_text(&h, or_default(v->client_name, T(an_application)));
    grantd_html_text(&h, T(consent_heading_post));
    grantd_html_lit(&h, "</h1>\n");
    consent_who(&h, look, v);
    consent_scopes(&h, look, v);
    consent_where(&h, look, v);
    form_open(&h, &v->form);
    grantd_ui_choices(&h, "decision", "authorize", T(authorize_button), "cancel",
                      T(cancel_button));
    grantd_layout_close(&h, GRANTD_LAYOUT_NO_SCRIPT);
    grantd_layout_send(req, resp, 200, &h, look, GRANTD_LAYOUT_NO_SCRIPT);
}

/* "N seconds" below two minutes, whole minutes (rounded down, so never overstated) above. */
static void expiry_text(struct grantd_html *h, const struct grantd_ui_look *look,
                        int64_t seconds)
{
    if (seconds < 0)
        seconds = 0;
    if (seconds >= 120) {
        grantd_html_int(h, (long long)(seconds / 60));
        grantd_html_lit(h, " ");
        grantd_html_text(h, T(minutes));
        return;
    }
    grantd_html_int(h, (long long)seconds);
    grantd_html_lit(h, " ");
    grantd_html_text(h, seconds == 1 ? T(second) : T(seconds));
}

void grantd_ui_oob_page(struct grantd_request *req, struct grantd_response *resp,
                        const struct grantd_ui_oob *v)
{
    struct grantd_html h;
    struct grantd_ui_look lk;
    const struct grantd_ui_look *look = &lk;
    grantd_ui_look_get(req, &lk);
    grantd_html_init(&h, GRANTD_HTML_MAX);
    grantd_layout_open(&h, look, T(code_title));
    grantd_html_lit(&h, "<h1>");
    grantd_html_text(&h, T(code_title));
    grantd_html_lit(&h, "</h1>\n<p>");
    grantd_html_text(&h, T(code_copy_pre));
    grantd_html_text(&h, or_default(v->client_name, T(the_application)));
    grantd_html_text(&h, T(code_copy_post));
    grantd_html_lit(&h, "</p>\n<p class=\"label\" id=\"code-label\">");
    grantd_html_text(&h, T(code_label));
    grantd_html_lit(&h, "</p>\n"
                        "<p id=\"code\" class=\"code\" tabindex=\"0\" "
                        "aria-labelledby=\"code-label\" aria-describedby=\"expiry\">");
    /* text, not an input: it wraps at any width, so the whole code is always visible */
    grantd_html_text(&h, v->code);
    /* hidden until the script runs: without JavaScript there is no dead button, and one
     * tap selects the whole code (user-select: all) */
    grantd_html_lit(&h, "</p>\n"
                        "<button type=\"button\" id=\"copy\" class=\"wide\" hidden>");
    grantd_html_text(&h, T(copy_button));
    /* the script's sentences, in the page's language: the script itself stays one text
     * with one hash */
    grantd_html_lit(&h, "</button>\n<p id=\"copy-status\" role=\"status\" "
                        "aria-live=\"polite\"");
    grantd_html_attr(&h, "data-copied", T(copied));
    grantd_html_attr(&h, "data-manual", T(copy_manual));
    grantd_html_lit(&h, "></p>\n<p class=\"sub\" id=\"expiry\">");
    grantd_html_text(&h, T(code_expires_pre));
    expiry_text(&h, look, v->expires_in);
    grantd_html_text(&h, T(code_expires_post));
    grantd_html_lit(&h, "</p>\n");
    grantd_layout_close(&h, GRANTD_LAYOUT_COPY_SCRIPT);
    grantd_layout_send(req, resp, 200, &h, look, GRANTD_LAYOUT_COPY_SCRIPT);
}

void grantd_ui_error_page(struct grantd_request *req, struct grantd_response *resp,
                          unsigned status, const char *title, const char *message)
{
    struct grantd_ui_problem v = {.title = title, .what = message};
    grantd_ui_problem_page(req, resp, status, &v);
}

static void paragraph(struct grantd_html *h, const char *s)
{
    if (!s || !*s)
        return;
    grantd_html_lit(h, "<p>");
    grantd_html_text(h, s);
    grantd_html_lit(h, "</p>\n");
}

void grantd_ui_problem_page(struct grantd_request *req, struct grantd_response *resp,
                            unsigned status, const struct grantd_ui_problem *v)
{
    struct grantd_html h;
    struct grantd_ui_look lk;
    const struct grantd_ui_look *look = &lk;
    grantd_ui_look_get(req, &lk);
    const char *title = or_default(v->title, T(error_title));
    grantd_html_init(&h, GRANTD_HTML_MAX);
    grantd_layout_open(&h, look, title);
    grantd_html_lit(&h, "<h1>");
    grantd_html_text(&h, title);
    grantd_html_lit(&h, "</h1>\n");
    paragraph(&h, v->what);
    paragraph(&h, v->next);
    if (v->link && *v->link) {
        grantd_html_lit(&h, "<p><a");
        grantd_html_attr(&h, "href", v->link);
        grantd_html_lit(&h, ">");
        grantd_html_text(&h, or_default(v->link_text, v->link));
        grantd_html_lit(&h, "</a></p>\n");
    }
    if (v->detail && *v->detail) {
        grantd_html_lit(&h, "<p class=\"details\">");
        grantd_html_text(&h, T(details));
        grantd_html_lit(&h, " <code>");
        grantd_html_text(&h, v->detail);
        grantd_html_lit(&h, "</code></p>\n");
    }
    grantd_layout_close(&h, GRANTD_LAYOUT_NO_SCRIPT);
    grantd_layout_send(req, resp, status, &h, look, GRANTD_LAYOUT_NO_SCRIPT);
}
