/* The developer console's pages (see ui/console.h). Every runtime value goes through
 * grantd_html_text or grantd_html_attr; every form carries "csrf" and "action". The whole
 * page body sits in a <div class="console">, which widens the frame's card on a desktop
 * and leaves it one column on a phone. */
#include <string.h>
#include <time.h>

#include "ui/console.h"
#include "ui/html.h"
#include "ui/layout.h"
#include "ui/theme.h"
#include "ui/parts.h"

#define form_open(h, v_action, csrf, what)                                               \
    do {                                                                                 \
        grantd_html_lit((h), "<form method=\"post\"");                                   \
        grantd_html_attr((h), "action", (v_action));                                     \
        grantd_html_lit((h), ">\n<input type=\"hidden\" name=\"csrf\"");                  \
        grantd_html_attr((h), "value", (csrf));                                          \
        grantd_html_lit((h), ">\n<input type=\"hidden\" name=\"action\" value=\"" what   \
                             "\">\n");                                                   \
    } while (0)

/* The look of the page of req (ui/theme.h: the issuer's branding and language), as `look`. */
#define LOOK(req)                             \
    struct grantd_ui_look lk;                 \
    const struct grantd_ui_look *look = &lk;  \
    grantd_ui_look_get((req), &lk)

static void open_page(struct grantd_html *h, const struct grantd_ui_look *look,
                      const char *title)
{
    grantd_html_init(h, GRANTD_HTML_MAX);
    grantd_layout_open(h, look, title);
    grantd_html_lit(h, "<div class=\"console\">\n");
}

static void send_page(struct grantd_request *req, struct grantd_response *resp, unsigned status,
                      struct grantd_html *h, const struct grantd_ui_look *look,
                      enum grantd_layout_script script)
{
    grantd_html_lit(h, "</div>\n");
    grantd_layout_close(h, script);
    grantd_layout_send(req, resp, status, h, look, script);
}

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

/* "2026-12-04 13:05 UTC" inside <time>. */
static void when(struct grantd_html *h, int64_t t)
{
    time_t tt = (time_t)t;
    struct tm tm;
    char iso[32], text[32];
    if (!gmtime_r(&tt, &tm) || strftime(iso, sizeof(iso), "%Y-%m-%dT%H:%M:%SZ", &tm) == 0 ||
        strftime(text, sizeof(text), "%Y-%m-%d %H:%M UTC", &tm) == 0) {
        grantd_html_lit(h, "an unknown time");
        return;
    }
    grantd_html_lit(h, "<time");
    grantd_html_attr(h, "datetime", iso);
    grantd_html_lit(h, ">");
    grantd_html_text(h, text);
    grantd_html_lit(h, "</time>");
}

static void app_link(struct grantd_request *req, struct grantd_html *h, const char *base,
                     const char *id, const char *extra)
{
    grantd_html_attr(h, "href", grantd_arena_printf(req->arena, "%s?app=%s%s", base, id,
                                                    extra ? extra : ""));
}

static void status_badge(struct grantd_html *h, int disabled)
{
    if (disabled)
        grantd_html_lit(h, " <span class=\"badge off\">Revoked</span>");
    else
        grantd_html_lit(h, " <span class=\"badge\">Active</span>");
}

/* The heading row: a title, who is signed in, and Sign out. */
static void top(struct grantd_html *h, const char *action, const char *csrf,
                const char *username)
{
    grantd_html_lit(h, "<div class=\"top\">\n<p class=\"sub\">Developer console &middot; "
                       "signed in as <strong>");
    grantd_html_text(h, username);
    grantd_html_lit(h, "</strong></p>\n");
    form_open(h, action, csrf, "signout");
    grantd_html_lit(h, "<button type=\"submit\" class=\"link\">Sign out</button>\n</form>\n"
                       "</div>\n");
}

void grantd_ui_console_login_page(struct grantd_request *req, struct grantd_response *resp,
                                  unsigned status, const char *action, const char *csrf,
                                  const char *username, const char *notice, const char *error)
{
    struct grantd_html h;
    LOOK(req);
    open_page(&h, look, "Sign in to the developer console");
    grantd_html_lit(&h, "<h1>Developer console</h1>\n<p class=\"sub\">Sign in to register and "
                        "manage your applications.</p>\n");
    message(&h, notice, error);
    form_open(&h, action, csrf, "login");
    grantd_ui_login_fields(&h, look, username, error && *error);
    grantd_html_lit(&h, "<button type=\"submit\" class=\"wide\">Sign in</button>\n</form>\n");
    send_page(req, resp, status, &h, look, GRANTD_LAYOUT_NO_SCRIPT);
}

static void list_item(struct grantd_request *req, struct grantd_html *h,
                      const struct grantd_ui_console *v, const struct grantd_ui_console_app *a)
{
    grantd_html_lit(h, "<li class=\"app\">\n<h3><a");
    app_link(req, h, v->action, a->client_id, NULL);
    grantd_html_lit(h, ">");
    grantd_html_text(h, a->name);
    grantd_html_lit(h, "</a>");
    status_badge(h, a->disabled);
    grantd_html_lit(h, "</h3>\n<p class=\"details\">Client ID <code>");
    grantd_html_text(h, a->client_id);
    grantd_html_lit(h, "</code> &middot; created ");
    when(h, a->created_at);
    grantd_html_lit(h, "</p>\n</li>\n");
}

void grantd_ui_console_list_page(struct grantd_request *req, struct grantd_response *resp,
                                 unsigned status, const struct grantd_ui_console *v)
{
    struct grantd_html h;
    LOOK(req);
    open_page(&h, look, "Your applications");
    top(&h, v->action, v->csrf, v->username);
    grantd_html_lit(&h, "<h1>Your applications</h1>\n");
    message(&h, v->notice, v->error);
    if (v->app_count == 0)
        grantd_html_lit(&h, "<p id=\"no-apps\">You have not registered an application yet. "
                            "Register one to get its Client ID and Secret.</p>\n");
    else
        grantd_html_lit(&h, "<ul class=\"list\" id=\"apps\">\n");
    for (size_t i = 0; i < v->app_count; i++)
        list_item(req, &h, v, &v->apps[i]);
    if (v->app_count)
        grantd_html_lit(&h, "</ul>\n");
    grantd_html_lit(&h, "<p><a id=\"new\"");
    grantd_html_attr(&h, "href", grantd_arena_printf(req->arena, "%s?new=1", v->action));
    grantd_html_lit(&h, ">");
    grantd_html_text(&h, v->labels.create);
    grantd_html_lit(&h, "</a></p>\n");
    send_page(req, resp, status, &h, look, GRANTD_LAYOUT_NO_SCRIPT);
}

static void checkboxes(struct grantd_html *h, const struct grantd_ui_console_option *o, size_t n)
{
    for (size_t i = 0; i < n; i++) {
        grantd_html_lit(h, "<label class=\"check\"><input type=\"checkbox\"");
        grantd_html_attr(h, "name", o[i].field);
        if (o[i].checked)
            grantd_html_lit(h, " checked");
        grantd_html_lit(h, "> <span><code>");
        grantd_html_text(h, o[i].name);
        grantd_html_lit(h, "</code>");
        if (o[i].description && *o[i].description) {
            grantd_html_lit(h, " ");
            grantd_html_text(h, o[i].description);
        }
        grantd_html_lit(h, "</span></label>\n");
    }
}

void grantd_ui_console_new_page(struct grantd_request *req, struct grantd_response *resp,
                                unsigned status, const struct grantd_ui_console_new *v)
{
    struct grantd_html h;
    LOOK(req);
    open_page(&h, look, "New application");
    top(&h, v->action, v->csrf, v->username);
    grantd_html_lit(&h, "<h1>New application</h1>\n");
    message(&h, NULL, v->error);
    form_open(&h, v->action, v->csrf, "create");
    grantd_html_lit(&h, "<label for=\"name\">Name</label>\n<input id=\"name\" name=\"name\" "
                        "required maxlength=\"200\" autocomplete=\"off\"");
    grantd_html_attr(&h, "value", v->name);
    grantd_html_lit(&h, ">\n<label for=\"redirect_uris\">Redirect URIs</label>\n"
                        "<p class=\"details\">One per line, exactly as your application "
                        "sends it.</p>\n"
                        "<textarea id=\"redirect_uris\" name=\"redirect_uris\" rows=\"3\" "
                        "spellcheck=\"false\">");
    grantd_html_text(&h, v->redirect_uris);
    grantd_html_lit(&h, "</textarea>\n<fieldset><legend>Grant types</legend>\n");
    checkboxes(&h, v->grants, v->grant_count);
    grantd_html_lit(&h, "</fieldset>\n");
    if (v->scope_count) {
        grantd_html_lit(&h, "<fieldset><legend>Scopes</legend>\n");
        checkboxes(&h, v->scopes, v->scope_count);
        grantd_html_lit(&h, "</fieldset>\n");
    }
    grantd_html_lit(&h, "<div class=\"row\"><button type=\"submit\" id=\"create\">");
    grantd_html_text(&h, v->labels.create);
    grantd_html_lit(&h, "</button> <a");
    grantd_html_attr(&h, "href", v->action);
    grantd_html_lit(&h, ">Cancel</a></div>\n</form>\n");
    send_page(req, resp, status, &h, look, GRANTD_LAYOUT_NO_SCRIPT);
}

static void details(struct grantd_html *h, const struct grantd_ui_console_app *a)
{
    grantd_html_lit(h, "<dl class=\"kv\">\n<dt>Client ID</dt><dd><code id=\"client-id\">");
    grantd_html_text(h, a->client_id);
    grantd_html_lit(h, "</code></dd>\n<dt>Client type</dt><dd>");
    if (a->is_public)
        grantd_html_lit(h, "Public (no secret; PKCE)");
    else
        grantd_html_lit(h, "Confidential (has a secret)");
    grantd_html_lit(h, "</dd>\n<dt>Redirect URIs</dt><dd>");
    if (a->redirect_uri_count == 0)
        grantd_html_lit(h, "None");
    for (size_t i = 0; i < a->redirect_uri_count; i++) {
        grantd_html_lit(h, "<code class=\"d\">");
        grantd_html_text(h, a->redirect_uris[i]);
        grantd_html_lit(h, "</code>");
    }
    grantd_html_lit(h, "</dd>\n<dt>Grant types</dt><dd>");
    grantd_html_text(h, a->grants);
    grantd_html_lit(h, "</dd>\n<dt>Scopes</dt><dd>");
    if (a->scope && *a->scope)
        grantd_html_text(h, a->scope);
    else
        grantd_html_lit(h, "None");
    grantd_html_lit(h, "</dd>\n<dt>Created</dt><dd>");
    when(h, a->created_at);
    grantd_html_lit(h, "</dd>\n</dl>\n");
}

static void app_input(struct grantd_html *h, const char *id)
{
    grantd_html_lit(h, "<input type=\"hidden\" name=\"app\"");
    grantd_html_attr(h, "value", id);
    grantd_html_lit(h, ">\n");
}

static void actions(struct grantd_request *req, struct grantd_html *h,
                    const struct grantd_ui_console *v)
{
    const struct grantd_ui_console_app *a = v->app;
    grantd_html_lit(h, "<div class=\"row\">\n");
    if (!a->disabled && !a->is_public) {
        form_open(h, v->action, v->csrf, "rotate");
        app_input(h, a->client_id);
        grantd_html_lit(h, "<button type=\"submit\" id=\"rotate\" class=\"secondary\">Rotate "
                           "secret</button>\n</form>\n");
    }
    if (!a->disabled) {
        form_open(h, v->action, v->csrf, "revoke");
        app_input(h, a->client_id);
        grantd_html_lit(h, "<button type=\"submit\" id=\"revoke\" class=\"danger\">");
        grantd_html_text(h, v->labels.revoke);
        grantd_html_lit(h, "</button>\n</form>\n");
    } else {
        form_open(h, v->action, v->csrf, "enable");
        app_input(h, a->client_id);
        grantd_html_lit(h, "<button type=\"submit\" id=\"enable\">");
        grantd_html_text(h, v->labels.enable);
        grantd_html_lit(h, "</button>\n</form>\n");
    }
    grantd_html_lit(h, "</div>\n");
    if (!a->disabled)
        grantd_html_lit(h, "<p class=\"details\">Revoking stops the application at once: "
                           "every token it holds is refused and every authorization of it "
                           "is withdrawn.</p>\n");
    else if (v->reenable_new_id)
        grantd_html_lit(h, "<p class=\"details\">Enabling gives the application a new Client "
                           "ID and Secret; everyone who used it must authorize it again.</p>\n");
    else
        grantd_html_lit(h, "<p class=\"details\">Enabling gives the application a new "
                           "secret; everyone who used it must authorize it again.</p>\n");
    grantd_html_lit(h, "<p><a id=\"delete\"");
    app_link(req, h, v->action, a->client_id, "&confirm=delete");
    grantd_html_lit(h, ">Delete this application</a></p>\n");
}

static const char *event_text(const char *action)
{
    static const struct {
        const char *action, *text;
    } names[] = {
        {"client.create", "Created"},        {"client.secret_rotate", "Secret rotated"},
        {"client.disable", "Revoked"},       {"client.enable", "Enabled"},
        {"client.update", "Settings changed"}, {"client.delete", "Deleted"},
    };
    for (size_t i = 0; i < sizeof(names) / sizeof(names[0]); i++)
        if (strcmp(names[i].action, action) == 0)
            return names[i].text;
    return action;
}

static void events(struct grantd_html *h, const struct grantd_ui_console *v)
{
    grantd_html_lit(h, "<h2>Recent events</h2>\n");
    if (v->event_count == 0) {
        grantd_html_lit(h, "<p>None yet.</p>\n");
        return;
    }
    grantd_html_lit(h, "<ul class=\"list\" id=\"events\">\n");
    for (size_t i = 0; i < v->event_count; i++) {
        const struct grantd_ui_console_event *e = &v->events[i];
        grantd_html_lit(h, "<li><strong>");
        grantd_html_text(h, event_text(e->action));
        grantd_html_lit(h, "</strong> <span class=\"details\">");
        when(h, e->at);
        grantd_html_lit(h, " by ");
        grantd_html_text(h, e->actor);
        grantd_html_lit(h, "</span></li>\n");
    }
    grantd_html_lit(h, "</ul>\n");
}

void grantd_ui_console_app_page(struct grantd_request *req, struct grantd_response *resp,
                                unsigned status, const struct grantd_ui_console *v)
{
    struct grantd_html h;
    LOOK(req);
    open_page(&h, look, v->app->name);
    top(&h, v->action, v->csrf, v->username);
    grantd_html_lit(&h, "<p><a");
    grantd_html_attr(&h, "href", v->action);
    grantd_html_lit(&h, ">&larr; Your applications</a></p>\n<h1>");
    grantd_html_text(&h, v->app->name);
    status_badge(&h, v->app->disabled);
    grantd_html_lit(&h, "</h1>\n");
    message(&h, v->notice, v->error);
    details(&h, v->app);
    actions(req, &h, v);
    events(&h, v);
    send_page(req, resp, status, &h, look, GRANTD_LAYOUT_NO_SCRIPT);
}

void grantd_ui_console_delete_page(struct grantd_request *req, struct grantd_response *resp,
                                   const struct grantd_ui_console *v)
{
    struct grantd_html h;
    LOOK(req);
    open_page(&h, look, "Delete application");
    top(&h, v->action, v->csrf, v->username);
    grantd_html_lit(&h, "<h1>Delete ");
    grantd_html_text(&h, v->app->name);
    grantd_html_lit(&h, "?</h1>\n<p>The application and its Client ID are removed for good: "
                        "its tokens stop working and it cannot be enabled again.</p>\n"
                        "<div class=\"row\">\n");
    form_open(&h, v->action, v->csrf, "delete");
    app_input(&h, v->app->client_id);
    grantd_html_lit(&h, "<button type=\"submit\" id=\"confirm-delete\" class=\"danger\">Delete "
                        "application</button>\n</form>\n<a");
    app_link(req, &h, v->action, v->app->client_id, NULL);
    grantd_html_lit(&h, ">Keep it</a>\n</div>\n");
    send_page(req, resp, 200, &h, look, GRANTD_LAYOUT_NO_SCRIPT);
}

/* A value with its Copy button: the text in element id, the status in id-status. */
static void copy_field(struct grantd_request *req, struct grantd_html *h, const char *label,
                       const char *id, const char *value)
{
    grantd_html_lit(h, "<p class=\"label\">");
    grantd_html_text(h, label);
    grantd_html_lit(h, "</p>\n<div class=\"code\"");
    grantd_html_attr(h, "id", id);
    grantd_html_lit(h, ">");
    grantd_html_text(h, value);
    grantd_html_lit(h, "</div>\n<p class=\"row\"><button type=\"button\" class=\"secondary\" "
                       "hidden");
    grantd_html_attr(h, "data-copy", id);
    grantd_html_attr(h, "id", grantd_arena_printf(req->arena, "copy-%s", id));
    grantd_html_lit(h, ">Copy</button> <span role=\"status\" aria-live=\"polite\"");
    grantd_html_attr(h, "id", grantd_arena_printf(req->arena, "%s-status", id));
    grantd_html_lit(h, "></span></p>\n");
}

void grantd_ui_console_credentials_page(struct grantd_request *req,
                                        struct grantd_response *resp,
                                        const struct grantd_ui_console_credentials *v)
{
    struct grantd_html h;
    LOOK(req);
    open_page(&h, look, v->heading);
    grantd_html_lit(&h, "<h1>");
    grantd_html_text(&h, v->heading);
    grantd_html_lit(&h, "</h1>\n<p class=\"sub\">");
    grantd_html_text(&h, v->name);
    grantd_html_lit(&h, "</p>\n");
    if (v->note && *v->note) {
        grantd_html_lit(&h, "<p class=\"notice\" role=\"status\">");
        grantd_html_text(&h, v->note);
        grantd_html_lit(&h, "</p>\n");
    }
    copy_field(req, &h, "Client ID", "client_id", v->client_id);
    if (v->secret) {
        copy_field(req, &h, "Client Secret", "client_secret", v->secret);
        grantd_html_lit(&h, "<p class=\"error\" role=\"alert\" id=\"once\">Copy the secret "
                            "now and keep it somewhere safe: it is shown only this once. If "
                            "you lose it, rotate the secret to get a new one.</p>\n");
    }
    grantd_html_lit(&h, "<p><a id=\"done\"");
    grantd_html_attr(&h, "href", grantd_arena_printf(req->arena, "%s?app=%s", v->action,
                                                    v->client_id));
    grantd_html_lit(&h, ">I have copied them &rarr; go to the application</a></p>\n");
    send_page(req, resp, 200, &h, look, GRANTD_LAYOUT_COPY_FIELDS_SCRIPT);
}
