/* GET and POST /console: the developer console (issue 13 item 2). A user with the developer
 * flag (grantd user create --developer, the admin API's "developer") signs in with the
 * same username and password as on the login page and manages the applications (clients)
 * they created here, and only those: a client whose owner is not the signed-in user — made
 * by another developer, or outside the console — is answered exactly as one that does not
 * exist (404). A signed-in user without the flag gets a 403 page.
 *
 * GET shows the list, ?new=1 the new-application form, ?app=ID an application (with
 * &confirm=delete, the delete confirmation). POST carries "action" — login, signout,
 * create, rotate, revoke, enable, delete — and the session's CSRF token; a form without
 * the right token changes nothing. Every change goes through admin/client_ops.h, the admin
 * API's own path, with the developer as the audit actor; a create goes through the admin
 * API's body parser (admin/body.h), so a console client obeys the same rules (names,
 * redirect URIs, grants, scopes).
 *
 * A secret is never stored: the POST that made it hands it to the one GET after it in a
 * sealed, session-bound cookie that this GET deletes (oauth/console_once.h), so a reload
 * shows nothing and repeats nothing. Revoke is `client disable`
 * (tokens, codes and consents revoked at once, the revocation feed told); Enable follows
 * profile.console.reenable: a new secret, or a new Client ID and Secret.
 *
 * The sentences it shows (notices, errors, the 403/404 pages) are the page catalog's, in
 * the request's language (grantd_ui_say); the form's reasons are the admin API parser's.
 *
 * The POST route runs on the slow workers (argon2id at login). Not here: the pages
 * (ui/console.c), sessions (oauth/session.c). */
#include <string.h>

#include "admin/audit.h"
#include "admin/body.h"
#include "admin/client_ops.h"
#include "core/log.h"
#include "http/app.h"
#include "oauth/endpoints.h"
#include "oauth/console_form.h"
#include "oauth/console_once.h"
#include "oauth/errors.h"
#include "oauth/event.h"
#include "oauth/scope.h"
#include "oauth/signin_page.h"
#include "ui/console.h"
#include "ui/pages.h"

#define EVENTS_SHOWN 20

/* The catalog's text id in the language of req's page (ui/pages.h). */
#define SAY(req, id) grantd_ui_say((req), GRANTD_T_##id)

static const char *or_default(const char *s, const char *fallback)
{
    return s && *s ? s : fallback;
}

static int reenable_new_id(const struct grantd_request *req)
{
    const char *r = req->iss->cfg->profile.console.reenable;
    return r && strcmp(r, GRANTD_CONSOLE_NEW_CLIENT_ID) == 0;
}

/* The console's sign-in (signin_page.h). */
static const struct grantd_signin_page console_page = {
    .name = "console",
    .form = grantd_ui_console_login_page,
    .retry = GRANTD_T_console_open_again_retry,
    .expired_next = GRANTD_T_console_expired_next,
    .back = GRANTD_T_console_open_console,
};

/* The buttons' words: the profile's (profile.console), else the catalog's. */
static struct grantd_ui_console_labels labels_of(struct grantd_request *req)
{
    const struct grantd_profile *p = &req->iss->cfg->profile;
    return (struct grantd_ui_console_labels){
        .create = or_default(p->console.create_label, SAY(req, console_register_button)),
        .revoke = or_default(p->console.revoke_label, SAY(req, console_revoke_button)),
        .enable = or_default(p->console.enable_label, SAY(req, console_enable_button)),
    };
}

static grantd_rc not_developer(struct grantd_request *req, struct grantd_response *resp)
{
    struct grantd_ui_problem page = {
        .title = SAY(req, console_not_developer_title),
        .what = SAY(req, console_not_developer_what),
        .next = SAY(req, console_not_developer_next),
        .detail = "403 forbidden: not a developer",
        .link = grantd_arena_printf(req->arena, "%s/account", req->iss->url),
        .link_text = SAY(req, go_to_account),
    };
    grantd_ui_problem_page(req, resp, 403, &page);
    return GRANTD_OK;
}

static grantd_rc not_found(struct grantd_request *req, struct grantd_response *resp,
                           const struct grantd_signin_visit *v)
{
    struct grantd_ui_problem page = {
        .title = SAY(req, console_app_not_found_title),
        .what = SAY(req, console_app_not_found_what),
        .next = SAY(req, console_app_not_found_next),
        .detail = "404 not_found",
        .link = v->url,
        .link_text = SAY(req, console_your_apps),
    };
    grantd_ui_problem_page(req, resp, 404, &page);
    return GRANTD_OK;
}

/* The client id of the signed-in developer's application, or GRANTD_ENOTFOUND when there is
 * none such — absent, or someone else's, or made outside the console. */
static grantd_rc load_owned(struct grantd_request *req, const struct grantd_signin_visit *v,
                            const char *id, struct grantd_client *c)
{
    if (!id || !*id)
        return GRANTD_ENOTFOUND;
    grantd_rc rc = grantd_store_client_get(req->app->store, req->arena, req->iss->tenant, id, c);
    if (rc == GRANTD_OK && (!c->owner || strcmp(c->owner, v->u.id) != 0))
        rc = GRANTD_ENOTFOUND;
    return rc;
}

static const char *grant_names(struct grantd_request *req, unsigned grants)
{
    const char *out = "";
    unsigned bit;
    const char *name;
    for (size_t i = 0; (name = grantd_rules_grant_at(i, &bit)) != NULL; i++)
        if (grants & bit)
            out = *out ? grantd_arena_printf(req->arena, "%s %s", out, name) : name;
    return out;
}

static void app_view(struct grantd_request *req, const struct grantd_client *c,
                     struct grantd_ui_console_app *a)
{
    *a = (struct grantd_ui_console_app){
        .client_id = c->id,
        .name = c->name,
        .disabled = c->disabled,
        .is_public = c->is_public,
        .redirect_uris = c->redirect_uris,
        .redirect_uri_count = c->redirect_uri_count,
        .grants = grant_names(req, c->grants),
        .scope = c->scope ? c->scope : "",
        .created_at = c->created_at,
    };
    const char **logout = NULL;
    size_t n = 0;
    if (c->post_logout_redirect_uris && *c->post_logout_redirect_uris &&
        grantd_scope_split(req->arena, c->post_logout_redirect_uris, &logout, &n) == GRANTD_OK) {
        a->logout_uris = logout;
        a->logout_uri_count = n;
    }
}

static const char *actor_text(struct grantd_request *req, const struct grantd_audit *e)
{
    if (strcmp(e->actor_kind, "developer") == 0 && e->actor_name)
        return e->actor_name;
    if (strcmp(e->actor_kind, "admin_key") == 0)
        return SAY(req, console_actor_admin);
    if (strcmp(e->actor_kind, "cli") == 0)
        return SAY(req, console_actor_operator);
    return SAY(req, console_actor_server);
}

/* The application's newest audit entries. */
static grantd_rc events_load(struct grantd_request *req, const char *id,
                             struct grantd_ui_console_event **out, size_t *n)
{
    struct grantd_audit_query q = {
        .tenant = req->iss->tenant,
        .target_kind = "client",
        .target_id = id,
        .newest_first = 1,
        .limit = EVENTS_SHOWN,
    };
    struct grantd_audit *list = NULL;
    grantd_rc rc = grantd_store_audit_list(req->app->store, req->arena, &q, &list, n);
    if (rc != GRANTD_OK)
        return rc;
    *out = grantd_arena_alloc(req->arena, (*n + 1) * sizeof(**out));
    for (size_t i = 0; i < *n; i++)
        (*out)[i] = (struct grantd_ui_console_event){list[i].action, actor_text(req, &list[i]),
                                                     list[i].at};
    return GRANTD_OK;
}

static void base_view(struct grantd_request *req, const struct grantd_signin_visit *v,
                      struct grantd_ui_console *page)
{
    *page = (struct grantd_ui_console){
        .action = v->url,
        .csrf = v->s.csrf,
        .username = v->u.username,
        .labels = labels_of(req),
    };
}

static grantd_rc show_app(struct grantd_request *req, struct grantd_response *resp,
                          const struct grantd_signin_visit *v, const char *id, int confirm_delete,
                          unsigned status, const char *notice)
{
    struct grantd_client c;
    struct grantd_ui_console_app a;
    struct grantd_ui_console page;
    grantd_rc rc = load_owned(req, v, id, &c);
    if (rc == GRANTD_ENOTFOUND)
        return not_found(req, resp, v);
    if (rc != GRANTD_OK)
        return rc;
    app_view(req, &c, &a);
    base_view(req, v, &page);
    page.app = &a;
    page.notice = notice;
    page.reenable_new_id = reenable_new_id(req);
    if (confirm_delete) {
        grantd_ui_console_delete_page(req, resp, &page);
        return GRANTD_OK;
    }
    struct grantd_ui_console_event *ev = NULL;
    rc = events_load(req, c.id, &ev, &page.event_count);
    page.events = ev;
    if (rc == GRANTD_OK)
        grantd_ui_console_app_page(req, resp, status, &page);
    return rc;
}

static grantd_rc show_list(struct grantd_request *req, struct grantd_response *resp,
                           const struct grantd_signin_visit *v, unsigned status, const char *notice)
{
    struct grantd_client *list = NULL;
    size_t n = 0;
    grantd_rc rc = grantd_store_client_list_owned(req->app->store, req->arena, req->iss->tenant,
                                                  v->u.id, &list, &n);
    if (rc != GRANTD_OK)
        return rc;
    struct grantd_ui_console_app *apps = grantd_arena_alloc(req->arena, (n + 1) * sizeof(*apps));
    for (size_t i = 0; i < n; i++)
        app_view(req, &list[i], &apps[i]);
    struct grantd_ui_console page;
    base_view(req, v, &page);
    page.apps = apps;
    page.app_count = n;
    page.notice = notice;
    grantd_ui_console_list_page(req, resp, status, &page);
    return GRANTD_OK;
}

/* The new-application form; after a refusal (error) with what was typed. */
static grantd_rc show_new(struct grantd_request *req, struct grantd_response *resp,
                          const struct grantd_signin_visit *v, unsigned status, const char *error)
{
    const struct grantd_config *cfg = req->iss->cfg;
    size_t ng = 0;
    unsigned bit;
    while (grantd_rules_grant_at(ng, &bit))
        ng++;
    struct grantd_ui_console_option *g = grantd_arena_alloc(req->arena, (ng + 1) * sizeof(*g));
    struct grantd_ui_console_option *sc =
        grantd_arena_alloc(req->arena, (cfg->scope_count + 1) * sizeof(*sc));
    for (size_t i = 0; i < ng; i++) {
        g[i].name = grantd_rules_grant_at(i, &bit);
        g[i].field = grantd_console_box(req->arena, "g", g[i].name);
        g[i].checked = error ? grantd_params_value(&req->form, g[i].field) != NULL
                             : (bit & (GRANTD_GRANT_AUTHORIZATION_CODE |
                                       GRANTD_GRANT_REFRESH_TOKEN)) != 0;
    }
    for (size_t i = 0; i < cfg->scope_count; i++) {
        sc[i].name = cfg->scopes[i].name;
        sc[i].description = cfg->scopes[i].description;
        sc[i].field = grantd_console_box(req->arena, "s", sc[i].name);
        sc[i].checked = !error || grantd_params_value(&req->form, sc[i].field) != NULL;
    }
    struct grantd_ui_console_new page = {
        .action = v->url, .csrf = v->s.csrf, .username = v->u.username, .labels = labels_of(req),
        .name = error ? grantd_params_value(&req->form, "name") : NULL,
        .redirect_uris = error ? grantd_params_value(&req->form, "redirect_uris") : NULL,
        .logout_uris =
            error ? grantd_params_value(&req->form, "post_logout_redirect_uris") : NULL,
        .grants = g, .grant_count = ng, .scopes = sc, .scope_count = cfg->scope_count,
        .error = error,
    };
    grantd_ui_console_new_page(req, resp, status, &page);
    return GRANTD_OK;
}

/* The credentials the last change made, once; afterwards the list says they are gone. */
static grantd_rc show_credentials(struct grantd_request *req, struct grantd_response *resp,
                                  const struct grantd_signin_visit *v)
{
    struct grantd_ui_console_credentials page;
    grantd_rc rc = grantd_console_once_take(req, resp, &v->s, &page);
    if (rc == GRANTD_ENOTFOUND)
        return show_list(req, resp, v, 200, SAY(req, console_credentials_gone));
    if (rc != GRANTD_OK)
        return rc;
    page.action = v->url;
    grantd_ui_console_credentials_page(req, resp, &page);
    return GRANTD_OK;
}

static grantd_rc console_get(struct grantd_request *req, struct grantd_response *resp,
                             struct grantd_refusal *no)
{
    struct grantd_signin_visit v;
    if (req->query_rc != GRANTD_OK || grantd_params_first_repeated(&req->query))
        return grantd_refuse_page(no, 400, SAY(req, console_address_unreadable),
                                  SAY(req, console_open_again));
    grantd_rc rc = grantd_signin_visit_load(req, &console_page, &v);
    if (rc != GRANTD_OK)
        return rc;
    if (!v.logged_in)
        return grantd_signin_show(req, resp, &v, 200, NULL, NULL);
    if (!v.u.developer)
        return not_developer(req, resp);
    if (grantd_params_value(&req->query, "credentials"))
        return show_credentials(req, resp, &v);
    const char *app = grantd_params_value(&req->query, "app");
    const char *confirm = grantd_params_value(&req->query, "confirm");
    if (app)
        return show_app(req, resp, &v, app, confirm && strcmp(confirm, "delete") == 0, 200,
                        NULL);
    if (grantd_params_value(&req->query, "new"))
        return show_new(req, resp, &v, 200, NULL);
    return show_list(req, resp, &v, 200, NULL);
}

void grantd_console_endpoint(struct grantd_request *req, struct grantd_response *resp)
{
    struct grantd_refusal no;
    grantd_oauth_answer(req, resp, console_get(req, resp, &no), &no);
}

/* ---- POST ----------------------------------------------------------------------------- */

static void changed(struct grantd_request *req, const struct grantd_signin_visit *v,
                    const char *action, const char *client_id)
{
    grantd_log(GRANTD_LOG_INFO, "console_change", "{s:s,s:s,s:s,s:s}", "request_id",
               req->request_id, "user_id", v->u.id, "action", action, "client_id", client_id);
}

/* After a change that made a secret: the values go into the sealed one-time cookie and the
 * browser to CONSOLE?credentials=once (303), so a reload never POSTs the change again. */
static grantd_rc credentials(struct grantd_request *req, struct grantd_response *resp,
                             const struct grantd_signin_visit *v, const char *heading,
                             const struct grantd_client *c, const char *secret,
                             const char *note)
{
    struct grantd_ui_console_credentials page = {
        .action = v->url, .heading = heading, .name = c->name, .client_id = c->id,
        .secret = c->is_public ? NULL : secret, .note = note,
    };
    grantd_rc rc = grantd_console_once_put(req, resp, &v->s, &page);
    if (rc == GRANTD_OK)
        grantd_signin_see_other(
            resp, grantd_arena_printf(req->arena, "%s?credentials=once", v->url));
    return rc;
}

static grantd_rc create(struct grantd_request *req, struct grantd_response *resp,
                        const struct grantd_signin_visit *v)
{
    struct grantd_client c;
    const char *why = NULL, *body = grantd_console_form_body(
        req->arena, &req->form, req->iss->cfg->scopes, req->iss->cfg->scope_count);
    char id[32], secret[GRANTD_CLIENT_SECRET_LEN] = "";
    if (grantd_api_client_parse(req->arena, body, strlen(body), 0, &c, &why) != GRANTD_OK)
        return show_new(req, resp, v, 400, why);
    c.owner = v->u.id;
    struct grantd_actor who = grantd_audit_developer(&v->u);
    grantd_rc rc = grantd_client_ops_create(req->app->store, &who, req->iss->tenant,
                                            req->app->now(), &c, id, secret);
    if (rc == GRANTD_OK) {
        changed(req, v, "client.create", c.id);
        rc = credentials(req, resp, v, SAY(req, console_ready), &c, secret, NULL);
    }
    explicit_bzero(secret, sizeof(secret));
    return rc;
}

/* rotate, revoke, enable, delete: on the application the form names, if it is the
 * developer's. */
static grantd_rc rotate(struct grantd_request *req, struct grantd_response *resp,
                        const struct grantd_signin_visit *v, const struct grantd_client *c)
{
    char secret[GRANTD_CLIENT_SECRET_LEN] = "";
    if (c->disabled || c->is_public)
        return show_app(req, resp, v, c->id, 0, 409, NULL);
    struct grantd_actor who = grantd_audit_developer(&v->u);
    grantd_rc rc = grantd_client_ops_new_secret(req->app->store, &who, req->app->now(), c, 0, 0,
                                                secret);
    if (rc == GRANTD_OK) {
        changed(req, v, "client.secret_rotate", c->id);
        rc = credentials(req, resp, v, SAY(req, console_new_secret), c, secret,
                         SAY(req, console_previous_secret));
    }
    explicit_bzero(secret, sizeof(secret));
    return rc;
}

static grantd_rc revoke(struct grantd_request *req, struct grantd_response *resp,
                        const struct grantd_signin_visit *v, const struct grantd_client *c)
{
    struct grantd_actor who = grantd_audit_developer(&v->u);
    grantd_rc rc = grantd_client_ops_disable(req->app->store, &who, req->iss->tenant,
                                             req->app->now(), c->id);
    if (rc != GRANTD_OK)
        return rc;
    changed(req, v, "client.disable", c->id);
    return show_app(req, resp, v, c->id, 0, 200, SAY(req, console_revoked_notice));
}

static grantd_rc enable(struct grantd_request *req, struct grantd_response *resp,
                        const struct grantd_signin_visit *v, const struct grantd_client *c)
{
    char id[32], secret[GRANTD_CLIENT_SECRET_LEN] = "";
    if (!c->disabled)
        return show_app(req, resp, v, c->id, 0, 409, NULL);
    struct grantd_actor who = grantd_audit_developer(&v->u);
    int new_id = reenable_new_id(req);
    struct grantd_client now_c = *c;
    grantd_rc rc = new_id ? grantd_client_ops_replace(req->app->store, &who, req->app->now(), c,
                                                      id, secret)
                          : grantd_client_ops_new_secret(req->app->store, &who,
                                                         req->app->now(), c, 1, 0, secret);
    if (rc == GRANTD_OK) {
        if (new_id)
            now_c.id = id;
        changed(req, v, "client.enable", now_c.id);
        rc = credentials(req, resp, v, SAY(req, console_enabled_title), &now_c, secret,
                         new_id ? SAY(req, console_enabled_new_id)
                                : SAY(req, console_enabled_new_secret));
    }
    explicit_bzero(secret, sizeof(secret));
    return rc;
}

static grantd_rc delete_app(struct grantd_request *req, struct grantd_response *resp,
                            const struct grantd_signin_visit *v, const struct grantd_client *c)
{
    struct grantd_actor who = grantd_audit_developer(&v->u);
    grantd_rc rc = grantd_client_ops_delete(req->app->store, &who, req->iss->tenant,
                                            req->app->now(), c->id);
    if (rc != GRANTD_OK)
        return rc;
    changed(req, v, "client.delete", c->id);
    return show_list(req, resp, v, 200,
                     grantd_arena_printf(req->arena, "%s%s%s", SAY(req, console_deleted_pre),
                                         c->name, SAY(req, console_deleted_post)));
}

typedef grantd_rc (*app_action_fn)(struct grantd_request *req, struct grantd_response *resp,
                                   const struct grantd_signin_visit *v,
                                   const struct grantd_client *c);

static const struct {
    const char *name;
    app_action_fn fn;
} app_actions[] = {
    {"rotate", rotate},
    {"revoke", revoke},
    {"enable", enable},
    {"delete", delete_app},
};

/* A change asked of a developer's application, or of the console. */
static grantd_rc developer_action(struct grantd_request *req, struct grantd_response *resp,
                                  struct grantd_signin_visit *v, const char *action, int *known)
{
    *known = 1;
    if (strcmp(action, "create") == 0)
        return create(req, resp, v);
    for (size_t i = 0; i < sizeof(app_actions) / sizeof(app_actions[0]); i++) {
        if (strcmp(action, app_actions[i].name) != 0)
            continue;
        struct grantd_client c;
        grantd_rc rc = load_owned(req, v, grantd_params_value(&req->form, "app"), &c);
        if (rc == GRANTD_ENOTFOUND)
            return not_found(req, resp, v);
        return rc == GRANTD_OK ? app_actions[i].fn(req, resp, v, &c) : rc;
    }
    *known = 0;
    return GRANTD_OK;
}

static grantd_rc console_post(struct grantd_request *req, struct grantd_response *resp,
                              struct grantd_refusal *no)
{
    struct grantd_signin_visit v;
    const char *action;
    int answered, known = 0;
    grantd_rc rc = grantd_signin_post(req, resp, &console_page, &v, &action, &answered, no);
    if (rc != GRANTD_OK || answered)
        return rc;
    if (!v.logged_in)
        return grantd_signin_show(req, resp, &v, 403, NULL, SAY(req, session_ended));
    if (!v.u.developer)
        return not_developer(req, resp);
    rc = action ? developer_action(req, resp, &v, action, &known) : GRANTD_OK;
    if (rc == GRANTD_OK && !known)
        return grantd_refuse_page(no, 400, SAY(req, form_unreadable_title),
                                  SAY(req, console_open_again_retry));
    return rc;
}

void grantd_console_post_endpoint(struct grantd_request *req, struct grantd_response *resp)
{
    struct grantd_refusal no;
    struct grantd_event_who where; /* the audit events of its changes (admin/audit.c) */
    grantd_event_scope_begin(req, &where);
    grantd_oauth_answer(req, resp, console_post(req, resp, &no), &no);
    grantd_event_scope_end();
}
