/* The developer console's pages (see ui/console.h). Every runtime value goes through
 * grantd_html_text or grantd_html_attr; every form carries "csrf" and "action". The whole
 * page body sits in a <div class="console">, which widens the frame's card on a desktop
 * and leaves it one column on a phone. Every text is the catalog's (core/ui_texts.h, the
 * console_* rows) in the page's language; not here: the buttons' labels, which the handler
 * passes in (the profile's wording, else the catalog's). */
#include <string.h>
#include <time.h>

#include "ui/console.h"
#include "ui/pages.h"
#include "ui/html.h"
#include "ui/layout.h"
#include "ui/theme.h"
#include "ui/parts.h"

#define T(id) grantd_ui_t(look, GRANTD_T_##id)

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

/* A text of the catalog, escaped, as h's next text. */
static void say(struct grantd_html *h, const struct grantd_ui_look *look, enum grantd_text id)
{
    grantd_html_text(h, grantd_ui_t(look, id));
}

/* "2026-12-04 13:05 UTC" inside <time>. */
static void when(struct grantd_html *h, const struct grantd_ui_look *look, int64_t t)
{
    time_t tt = (time_t)t;
    struct tm tm;
    char iso[32], text[32];
    if (!gmtime_r(&tt, &tm) || strftime(iso, sizeof(iso), "%Y-%m-%dT%H:%M:%SZ", &tm) == 0 ||
        strftime(text, sizeof(text), "%Y-%m-%d %H:%M UTC", &tm) == 0) {
        say(h, look, GRANTD_T_console_unknown_time);
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

static void status_badge(struct grantd_html *h, const struct grantd_ui_look *look, int disabled)
{
    if (disabled)
        grantd_html_lit(h, " <span class=\"badge off\">");
    else
        grantd_html_lit(h, " <span class=\"badge\">");
    say(h, look, disabled ? GRANTD_T_console_revoked : GRANTD_T_console_active);
    grantd_html_lit(h, "</span>");
}

/* The heading row: a title, who is signed in, and Sign out. */
static void top(struct grantd_html *h, const struct grantd_ui_look *look, const char *action,
                const char *csrf, const char *username)
{
    grantd_html_lit(h, "<div class=\"top\">\n<p class=\"sub\">");
    say(h, look, GRANTD_T_console_signed_in_pre);
    grantd_html_lit(h, "<strong>");
    grantd_html_text(h, username);
    grantd_html_lit(h, "</strong>");
    say(h, look, GRANTD_T_console_signed_in_post);
    grantd_html_lit(h, "</p>\n");
    grantd_ui_form_open(h, action, csrf, "signout");
    grantd_html_lit(h, "<button type=\"submit\" class=\"link\">");
    say(h, look, GRANTD_T_sign_out_button);
    grantd_html_lit(h, "</button>\n</form>\n</div>\n");
}

void grantd_ui_console_login_page(struct grantd_request *req, struct grantd_response *resp,
                                  unsigned status, const struct grantd_ui_signin *v)
{
    struct grantd_html h;
    GRANTD_UI_LOOK(req);
    open_page(&h, look, T(console_sign_in_title));
    grantd_html_lit(&h, "<h1>");
    say(&h, look, GRANTD_T_console_title);
    grantd_html_lit(&h, "</h1>\n<p class=\"sub\">");
    say(&h, look, GRANTD_T_console_sign_in_sub);
    grantd_html_lit(&h, "</p>\n");
    grantd_ui_message(&h, v->notice, v->error);
    grantd_ui_form_open(&h, v->action, v->csrf, "login");
    grantd_ui_login_fields(&h, look, v->username, v->error && *v->error);
    grantd_html_lit(&h, "<button type=\"submit\" class=\"wide\">");
    say(&h, look, GRANTD_T_sign_in_button);
    grantd_html_lit(&h, "</button>\n</form>\n");
    send_page(req, resp, status, &h, look, GRANTD_LAYOUT_NO_SCRIPT);
}

static void list_item(struct grantd_request *req, struct grantd_html *h,
                      const struct grantd_ui_look *look, const struct grantd_ui_console *v,
                      const struct grantd_ui_console_app *a)
{
    grantd_html_lit(h, "<li class=\"app\">\n<h3><a");
    app_link(req, h, v->action, a->client_id, NULL);
    grantd_html_lit(h, ">");
    grantd_html_text(h, a->name);
    grantd_html_lit(h, "</a>");
    status_badge(h, look, a->disabled);
    grantd_html_lit(h, "</h3>\n<p class=\"details\">");
    say(h, look, GRANTD_T_console_client_id);
    grantd_html_lit(h, " <code>");
    grantd_html_text(h, a->client_id);
    grantd_html_lit(h, "</code> &middot; ");
    say(h, look, GRANTD_T_console_created_pre);
    when(h, look, a->created_at);
    say(h, look, GRANTD_T_console_created_post);
    grantd_html_lit(h, "</p>\n</li>\n");
}

void grantd_ui_console_list_page(struct grantd_request *req, struct grantd_response *resp,
                                 unsigned status, const struct grantd_ui_console *v)
{
    struct grantd_html h;
    GRANTD_UI_LOOK(req);
    open_page(&h, look, T(console_your_apps));
    top(&h, look, v->action, v->csrf, v->username);
    grantd_html_lit(&h, "<h1>");
    say(&h, look, GRANTD_T_console_your_apps);
    grantd_html_lit(&h, "</h1>\n");
    grantd_ui_message(&h, v->notice, v->error);
    if (v->app_count == 0) {
        grantd_html_lit(&h, "<p id=\"no-apps\">");
        say(&h, look, GRANTD_T_console_no_apps);
        grantd_html_lit(&h, "</p>\n");
    } else
        grantd_html_lit(&h, "<ul class=\"list\" id=\"apps\">\n");
    for (size_t i = 0; i < v->app_count; i++)
        list_item(req, &h, look, v, &v->apps[i]);
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

/* A labelled box of URIs, one per line (field: its id and name), with its help and what was
 * typed (may be NULL). */
static void uri_box(struct grantd_html *h, const struct grantd_ui_look *look, const char *field,
                    enum grantd_text label, enum grantd_text help, const char *rows,
                    const char *typed)
{
    grantd_html_lit(h, "<label");
    grantd_html_attr(h, "for", field);
    grantd_html_lit(h, ">");
    say(h, look, label);
    grantd_html_lit(h, "</label>\n<p class=\"details\">");
    say(h, look, help);
    grantd_html_lit(h, "</p>\n<textarea");
    grantd_html_attr(h, "id", field);
    grantd_html_attr(h, "name", field);
    grantd_html_attr(h, "rows", rows);
    grantd_html_lit(h, " spellcheck=\"false\">");
    grantd_html_text(h, typed);
    grantd_html_lit(h, "</textarea>\n");
}

void grantd_ui_console_new_page(struct grantd_request *req, struct grantd_response *resp,
                                unsigned status, const struct grantd_ui_console_new *v)
{
    struct grantd_html h;
    GRANTD_UI_LOOK(req);
    open_page(&h, look, T(console_new_title));
    top(&h, look, v->action, v->csrf, v->username);
    grantd_html_lit(&h, "<h1>");
    say(&h, look, GRANTD_T_console_new_title);
    grantd_html_lit(&h, "</h1>\n");
    grantd_ui_message(&h, NULL, v->error);
    grantd_ui_form_open(&h, v->action, v->csrf, "create");
    grantd_html_lit(&h, "<label for=\"name\">");
    say(&h, look, GRANTD_T_console_name);
    grantd_html_lit(&h, "</label>\n<input id=\"name\" name=\"name\" required "
                        "maxlength=\"200\" autocomplete=\"off\"");
    grantd_html_attr(&h, "value", v->name);
    grantd_html_lit(&h, ">\n");
    uri_box(&h, look, "redirect_uris", GRANTD_T_console_redirect_uris,
            GRANTD_T_console_redirect_uris_help, "3", v->redirect_uris);
    uri_box(&h, look, "post_logout_redirect_uris", GRANTD_T_console_logout_uris,
            GRANTD_T_console_logout_uris_help, "2", v->logout_uris);
    grantd_html_lit(&h, "<fieldset><legend>");
    say(&h, look, GRANTD_T_console_grant_types);
    grantd_html_lit(&h, "</legend>\n");
    checkboxes(&h, v->grants, v->grant_count);
    grantd_html_lit(&h, "</fieldset>\n");
    if (v->scope_count) {
        grantd_html_lit(&h, "<fieldset><legend>");
        say(&h, look, GRANTD_T_console_scopes);
        grantd_html_lit(&h, "</legend>\n");
        checkboxes(&h, v->scopes, v->scope_count);
        grantd_html_lit(&h, "</fieldset>\n");
    }
    grantd_html_lit(&h, "<div class=\"row\"><button type=\"submit\" id=\"create\">");
    grantd_html_text(&h, v->labels.create);
    grantd_html_lit(&h, "</button> <a");
    grantd_html_attr(&h, "href", v->action);
    grantd_html_lit(&h, ">");
    say(&h, look, GRANTD_T_cancel_button);
    grantd_html_lit(&h, "</a></div>\n</form>\n");
    send_page(req, resp, status, &h, look, GRANTD_LAYOUT_NO_SCRIPT);
}

/* One row of the details list: the term id, then the caller writes the value. */
static void term(struct grantd_html *h, const struct grantd_ui_look *look, enum grantd_text id)
{
    grantd_html_lit(h, "</dd>\n<dt>");
    say(h, look, id);
    grantd_html_lit(h, "</dt><dd>");
}

static void details(struct grantd_html *h, const struct grantd_ui_look *look,
                    const struct grantd_ui_console_app *a)
{
    grantd_html_lit(h, "<dl class=\"kv\">\n<dt>");
    say(h, look, GRANTD_T_console_client_id);
    grantd_html_lit(h, "</dt><dd><code id=\"client-id\">");
    grantd_html_text(h, a->client_id);
    grantd_html_lit(h, "</code>");
    term(h, look, GRANTD_T_console_client_type);
    say(h, look, a->is_public ? GRANTD_T_console_public : GRANTD_T_console_confidential);
    term(h, look, GRANTD_T_console_redirect_uris);
    if (a->redirect_uri_count == 0)
        say(h, look, GRANTD_T_console_none);
    for (size_t i = 0; i < a->redirect_uri_count; i++) {
        grantd_html_lit(h, "<code class=\"d\">");
        grantd_html_text(h, a->redirect_uris[i]);
        grantd_html_lit(h, "</code>");
    }
    if (a->logout_uri_count) /* shown only when set: most applications have none */
        term(h, look, GRANTD_T_console_logout_uris);
    for (size_t i = 0; i < a->logout_uri_count; i++) {
        grantd_html_lit(h, "<code class=\"d\">");
        grantd_html_text(h, a->logout_uris[i]);
        grantd_html_lit(h, "</code>");
    }
    term(h, look, GRANTD_T_console_grant_types);
    grantd_html_text(h, a->grants);
    term(h, look, GRANTD_T_console_scopes);
    if (a->scope && *a->scope)
        grantd_html_text(h, a->scope);
    else
        say(h, look, GRANTD_T_console_none);
    term(h, look, GRANTD_T_console_created);
    when(h, look, a->created_at);
    grantd_html_lit(h, "</dd>\n</dl>\n");
}

static void app_input(struct grantd_html *h, const char *id)
{
    grantd_html_lit(h, "<input type=\"hidden\" name=\"app\"");
    grantd_html_attr(h, "value", id);
    grantd_html_lit(h, ">\n");
}

static void actions(struct grantd_request *req, struct grantd_html *h,
                    const struct grantd_ui_look *look, const struct grantd_ui_console *v)
{
    const struct grantd_ui_console_app *a = v->app;
    grantd_html_lit(h, "<div class=\"row\">\n");
    if (!a->disabled && !a->is_public) {
        grantd_ui_form_open(h, v->action, v->csrf, "rotate");
        app_input(h, a->client_id);
        grantd_html_lit(h, "<button type=\"submit\" id=\"rotate\" class=\"secondary\">");
        say(h, look, GRANTD_T_console_rotate_button);
        grantd_html_lit(h, "</button>\n</form>\n");
    }
    if (!a->disabled) {
        grantd_ui_form_open(h, v->action, v->csrf, "revoke");
        app_input(h, a->client_id);
        grantd_html_lit(h, "<button type=\"submit\" id=\"revoke\" class=\"danger\">");
        grantd_html_text(h, v->labels.revoke);
        grantd_html_lit(h, "</button>\n</form>\n");
    } else {
        grantd_ui_form_open(h, v->action, v->csrf, "enable");
        app_input(h, a->client_id);
        grantd_html_lit(h, "<button type=\"submit\" id=\"enable\">");
        grantd_html_text(h, v->labels.enable);
        grantd_html_lit(h, "</button>\n</form>\n");
    }
    grantd_html_lit(h, "</div>\n<p class=\"details\">");
    say(h, look, !a->disabled          ? GRANTD_T_console_revoke_note
                 : v->reenable_new_id ? GRANTD_T_console_enable_new_id_note
                                      : GRANTD_T_console_enable_note);
    grantd_html_lit(h, "</p>\n<p><a id=\"delete\"");
    app_link(req, h, v->action, a->client_id, "&confirm=delete");
    grantd_html_lit(h, ">");
    say(h, look, GRANTD_T_console_delete_link);
    grantd_html_lit(h, "</a></p>\n");
}

/* The name of an audit action in "Recent events": its text, or the action itself. */
static const char *event_text(const struct grantd_ui_look *look, const char *action)
{
    static const struct {
        const char *action;
        enum grantd_text text;
    } names[] = {
        {"client.create", GRANTD_T_console_event_create},
        {"client.secret_rotate", GRANTD_T_console_event_secret_rotate},
        {"client.disable", GRANTD_T_console_event_disable},
        {"client.enable", GRANTD_T_console_event_enable},
        {"client.update", GRANTD_T_console_event_update},
        {"client.delete", GRANTD_T_console_event_delete},
    };
    for (size_t i = 0; i < sizeof(names) / sizeof(names[0]); i++)
        if (strcmp(names[i].action, action) == 0)
            return grantd_ui_t(look, names[i].text);
    return action;
}

static void events(struct grantd_html *h, const struct grantd_ui_look *look,
                   const struct grantd_ui_console *v)
{
    grantd_html_lit(h, "<h2>");
    say(h, look, GRANTD_T_console_recent_events);
    grantd_html_lit(h, "</h2>\n");
    if (v->event_count == 0) {
        grantd_html_lit(h, "<p>");
        say(h, look, GRANTD_T_console_no_events);
        grantd_html_lit(h, "</p>\n");
        return;
    }
    grantd_html_lit(h, "<ul class=\"list\" id=\"events\">\n");
    for (size_t i = 0; i < v->event_count; i++) {
        const struct grantd_ui_console_event *e = &v->events[i];
        grantd_html_lit(h, "<li><strong>");
        grantd_html_text(h, event_text(look, e->action));
        grantd_html_lit(h, "</strong> <span class=\"details\">");
        when(h, look, e->at);
        grantd_html_lit(h, " ");
        say(h, look, GRANTD_T_console_event_by_pre);
        grantd_html_text(h, e->actor);
        say(h, look, GRANTD_T_console_event_by_post);
        grantd_html_lit(h, "</span></li>\n");
    }
    grantd_html_lit(h, "</ul>\n");
}

void grantd_ui_console_app_page(struct grantd_request *req, struct grantd_response *resp,
                                unsigned status, const struct grantd_ui_console *v)
{
    struct grantd_html h;
    GRANTD_UI_LOOK(req);
    open_page(&h, look, v->app->name);
    top(&h, look, v->action, v->csrf, v->username);
    grantd_html_lit(&h, "<p><a");
    grantd_html_attr(&h, "href", v->action);
    grantd_html_lit(&h, ">&larr; ");
    say(&h, look, GRANTD_T_console_your_apps);
    grantd_html_lit(&h, "</a></p>\n<h1>");
    grantd_html_text(&h, v->app->name);
    status_badge(&h, look, v->app->disabled);
    grantd_html_lit(&h, "</h1>\n");
    grantd_ui_message(&h, v->notice, v->error);
    details(&h, look, v->app);
    actions(req, &h, look, v);
    events(&h, look, v);
    send_page(req, resp, status, &h, look, GRANTD_LAYOUT_NO_SCRIPT);
}

void grantd_ui_console_delete_page(struct grantd_request *req, struct grantd_response *resp,
                                   const struct grantd_ui_console *v)
{
    struct grantd_html h;
    GRANTD_UI_LOOK(req);
    open_page(&h, look, T(console_delete_title));
    top(&h, look, v->action, v->csrf, v->username);
    grantd_html_lit(&h, "<h1>");
    say(&h, look, GRANTD_T_console_delete_heading_pre);
    grantd_html_text(&h, v->app->name);
    say(&h, look, GRANTD_T_console_delete_heading_post);
    grantd_html_lit(&h, "</h1>\n<p>");
    say(&h, look, GRANTD_T_console_delete_what);
    grantd_html_lit(&h, "</p>\n<div class=\"row\">\n");
    grantd_ui_form_open(&h, v->action, v->csrf, "delete");
    app_input(&h, v->app->client_id);
    grantd_html_lit(&h, "<button type=\"submit\" id=\"confirm-delete\" class=\"danger\">");
    say(&h, look, GRANTD_T_console_delete_button);
    grantd_html_lit(&h, "</button>\n</form>\n<a");
    app_link(req, &h, v->action, v->app->client_id, NULL);
    grantd_html_lit(&h, ">");
    say(&h, look, GRANTD_T_console_keep);
    grantd_html_lit(&h, "</a>\n</div>\n");
    send_page(req, resp, 200, &h, look, GRANTD_LAYOUT_NO_SCRIPT);
}

/* A value with its Copy button: the text in element id, the status in id-status. */
static void copy_field(struct grantd_request *req, struct grantd_html *h,
                       const struct grantd_ui_look *look, const char *label, const char *id,
                       const char *value)
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
    grantd_html_lit(h, ">");
    say(h, look, GRANTD_T_copy_button);
    grantd_html_lit(h, "</button> <span role=\"status\" aria-live=\"polite\"");
    grantd_html_attr(h, "id", grantd_arena_printf(req->arena, "%s-status", id));
    grantd_html_attr(h, "data-copied", T(copied));
    grantd_html_attr(h, "data-manual", T(console_copy_manual));
    grantd_html_lit(h, "></span></p>\n");
}

void grantd_ui_console_credentials_page(struct grantd_request *req,
                                        struct grantd_response *resp,
                                        const struct grantd_ui_console_credentials *v)
{
    struct grantd_html h;
    GRANTD_UI_LOOK(req);
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
    copy_field(req, &h, look, T(console_client_id), "client_id", v->client_id);
    if (v->secret) {
        copy_field(req, &h, look, T(console_client_secret), "client_secret", v->secret);
        grantd_html_lit(&h, "<p class=\"error\" role=\"alert\" id=\"once\">");
        say(&h, look, GRANTD_T_console_secret_once);
        grantd_html_lit(&h, "</p>\n");
    }
    grantd_html_lit(&h, "<p><a id=\"done\"");
    grantd_html_attr(&h, "href", grantd_arena_printf(req->arena, "%s?app=%s", v->action,
                                                    v->client_id));
    grantd_html_lit(&h, ">");
    say(&h, look, GRANTD_T_console_done);
    grantd_html_lit(&h, " &rarr; ");
    say(&h, look, GRANTD_T_console_go_to_app);
    grantd_html_lit(&h, "</a></p>\n");
    send_page(req, resp, 200, &h, look, GRANTD_LAYOUT_COPY_FIELDS_SCRIPT);
}
