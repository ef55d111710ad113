/* The end-user pages of ui/pages.h around the authorization request: login, consent,
 * out-of-band code, error and problem pages (the account, landing and not-found pages are
 * ui/account.c).
 *
 * Every runtime value goes through grantd_html_text or grantd_html_attr; everything written
 * with grantd_html_lit is a literal. The frame (head, stylesheet, script, headers, CSP) is
 * ui/layout.c. This file renders only; it decides nothing. */
#include "ui/pages.h"

#include "ui/html.h"
#include "ui/layout.h"
#include "ui/parts.h"

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
    grantd_html_lit(h, ">\n");
}

void grantd_ui_login_fields(struct grantd_html *h, const char *username, int with_error)
{
    int have_user = username && *username;
    grantd_html_lit(h, "<label for=\"username\">Username</label>\n"
                       "<input id=\"username\" name=\"username\" type=\"text\" "
                       "autocomplete=\"username\" autocapitalize=\"none\" spellcheck=\"false\" "
                       "required");
    if (have_user)
        grantd_html_attr(h, "value", username);
    if (with_error)
        grantd_html_lit(h, " aria-describedby=\"error\"");
    if (!have_user)
        grantd_html_lit(h, " autofocus");
    grantd_html_lit(h, ">\n<label for=\"password\">Password</label>\n"
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
    grantd_html_init(&h, GRANTD_HTML_MAX);
    grantd_layout_open(&h, "Sign in");
    grantd_html_lit(&h, "<h1>Sign in</h1>\n<p class=\"sub\">to continue to ");
    grantd_html_text(&h, or_default(v->client_name, "the application"));
    grantd_html_lit(&h, "</p>\n");
    if (v->error) {
        grantd_html_lit(&h, "<p class=\"error\" id=\"error\" role=\"alert\">");
        grantd_html_text(&h, v->error);
        grantd_html_lit(&h, "</p>\n");
    }
    form_open(&h, &v->form);
    grantd_ui_login_fields(&h, v->username, v->error != NULL);
    grantd_html_lit(&h, "<button type=\"submit\" class=\"wide\">Sign in</button>\n</form>\n");
    if (v->restart && v->username && *v->username) {
        grantd_html_lit(&h, "<p class=\"sub\">Not you? <a");
        grantd_html_attr(&h, "href", v->restart);
        grantd_html_lit(&h, ">Use another account</a></p>\n");
    }
    grantd_layout_close(&h, GRANTD_LAYOUT_NO_SCRIPT);
    grantd_layout_send(req, resp, status, &h, GRANTD_LAYOUT_NO_SCRIPT);
}

static void consent_scopes(struct grantd_html *h, const struct grantd_ui_consent *v)
{
    if (v->scope_count == 0 || !v->scopes) {
        grantd_html_lit(h, "<p>It asks for no specific permissions.</p>\n");
        return;
    }
    grantd_html_lit(h, "<p>It asks for these permissions:</p>\n<ul>\n");
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
static void consent_who(struct grantd_html *h, const struct grantd_ui_consent *v)
{
    if (!v->username || !*v->username)
        return;
    form_open(h, &v->form);
    grantd_html_lit(h, "<p class=\"sub\">Signed in as <strong>");
    grantd_html_text(h, v->username);
    grantd_html_lit(h, "</strong>");
    if (v->account && *v->account) {
        grantd_html_lit(h, " (account <strong>");
        grantd_html_text(h, v->account);
        grantd_html_lit(h, "</strong>)");
    }
    grantd_html_lit(h, ". <button type=\"submit\" name=\"decision\" value=\"signout\" "
                       "class=\"link\">Not you? Sign out</button></p>\n</form>\n");
}

/* Where the browser goes after the decision: the redirect URI's host, or the code page. */
static void consent_where(struct grantd_html *h, const struct grantd_ui_consent *v)
{
    if (v->redirect_host && *v->redirect_host) {
        grantd_html_lit(h, "<p>You will be sent to <strong>");
        grantd_html_text(h, v->redirect_host);
        grantd_html_lit(h, "</strong></p>\n");
        return;
    }
    grantd_html_lit(h, "<p>You will get a code to copy into the "
                       "application.</p>\n");
}

void grantd_ui_consent_page(struct grantd_request *req, struct grantd_response *resp,
                            const struct grantd_ui_consent *v)
{
    struct grantd_html h;
    grantd_html_init(&h, GRANTD_HTML_MAX);
    grantd_layout_open(&h, "Authorize access");
    grantd_html_lit(&h, "<h1>");
    grantd_html_text(&h, or_default(v->client_name, "An application"));
    grantd_html_lit(&h, " wants to access your account</h1>\n");
    consent_who(&h, v);
    consent_scopes(&h, v);
    consent_where(&h, v);
    form_open(&h, &v->form);
    /* Authorize first: it is the primary action, and the first in tab order */
    grantd_html_lit(&h, "<div class=\"actions\">"
                        "<button type=\"submit\" name=\"decision\" value=\"authorize\">"
                        "Authorize</button>"
                        "<button type=\"submit\" name=\"decision\" value=\"cancel\">"
                        "Cancel</button></div>\n</form>\n");
    grantd_layout_close(&h, GRANTD_LAYOUT_NO_SCRIPT);
    grantd_layout_send(req, resp, 200, &h, GRANTD_LAYOUT_NO_SCRIPT);
}

/* "N seconds" below two minutes, whole minutes (rounded down, so never overstated) above. */
static void expiry_text(struct grantd_html *h, int64_t seconds)
{
    if (seconds < 0)
        seconds = 0;
    if (seconds >= 120) {
        grantd_html_int(h, (long long)(seconds / 60));
        grantd_html_lit(h, " minutes");
        return;
    }
    grantd_html_int(h, (long long)seconds);
    if (seconds == 1)
        grantd_html_lit(h, " second");
    else
        grantd_html_lit(h, " seconds");
}

void grantd_ui_oob_page(struct grantd_request *req, struct grantd_response *resp,
                        const struct grantd_ui_oob *v)
{
    struct grantd_html h;
    grantd_html_init(&h, GRANTD_HTML_MAX);
    grantd_layout_open(&h, "Authorization code");
    grantd_html_lit(&h, "<h1>Authorization code</h1>\n<p>Copy this code into ");
    grantd_html_text(&h, or_default(v->client_name, "the application"));
    grantd_html_lit(&h, " to finish signing in.</p>\n"
                        "<p class=\"label\" id=\"code-label\">Code</p>\n"
                        "<p id=\"code\" class=\"code\" tabindex=\"0\" "
                        "aria-labelledby=\"code-label\" aria-describedby=\"expiry\">");
    /* text, not an input: it wraps at any width, so the whole code is always visible */
    grantd_html_text(&h, v->code);
    /* hidden until the script runs: without JavaScript there is no dead button, and one
     * tap selects the whole code (user-select: all) */
    grantd_html_lit(&h, "</p>\n"
                        "<button type=\"button\" id=\"copy\" class=\"wide\" hidden>Copy</button>\n"
                        "<p id=\"copy-status\" role=\"status\" aria-live=\"polite\"></p>\n"
                        "<p class=\"sub\" id=\"expiry\">This code expires in ");
    expiry_text(&h, v->expires_in);
    grantd_html_lit(&h, " and works once.</p>\n");
    grantd_layout_close(&h, GRANTD_LAYOUT_COPY_SCRIPT);
    grantd_layout_send(req, resp, 200, &h, GRANTD_LAYOUT_COPY_SCRIPT);
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
    const char *title = or_default(v->title, "Something went wrong");
    grantd_html_init(&h, GRANTD_HTML_MAX);
    grantd_layout_open(&h, title);
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
        grantd_html_lit(&h, "<p class=\"details\">Details for support: <code>");
        grantd_html_text(&h, v->detail);
        grantd_html_lit(&h, "</code></p>\n");
    }
    grantd_layout_close(&h, GRANTD_LAYOUT_NO_SCRIPT);
    grantd_layout_send(req, resp, status, &h, GRANTD_LAYOUT_NO_SCRIPT);
}
