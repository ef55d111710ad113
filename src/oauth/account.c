/* GET and POST /account: the end user's account page (issue 13 item 4). A signed-in user
 * sees the applications they have authorized (their remembered consents) and revokes any
 * of them; anyone else gets the page's own sign-in form, and then the page.
 *
 * POST carries "action": login (username, password), revoke (client_id) or signout, and
 * the session's CSRF token; a form without the right token changes nothing. Revoke acts
 * only on the signed-in user's own consent: the form names a client, never a user, so a
 * guessed or copied client_id can withdraw nothing of anyone else. Withdrawing deletes the
 * consent and revokes every token and code the user holds for that client in one store
 * transaction (consent_revoke), which appends the revocation feed's events.
 *
 * The POST route runs on the slow workers (argon2id at login). Not here: the pages
 * themselves (ui/account.c), sessions and CSRF tokens (oauth/session.c). */
#include <string.h>

#include "core/log.h"
#include "http/app.h"
#include "oauth/endpoints.h"
#include "oauth/errors.h"
#include "oauth/event.h"
#include "oauth/scope.h"
#include "oauth/signin_page.h"
#include "ui/pages.h"

/* The account page's sign-in (signin_page.h). */
static const struct grantd_signin_page account_page = {
    .name = "account",
    .form = grantd_ui_account_login_page,
    .retry = GRANTD_T_account_retry,
    .expired_next = GRANTD_T_account_expired_next,
    .back = GRANTD_T_go_to_account,
};

/* One consent as the page shows it: the client's name, the scopes and their descriptions. */
static grantd_rc grant_view(struct grantd_request *req, const struct grantd_consent *c,
                            struct grantd_ui_grant *g)
{
    struct grantd_client cl;
    grantd_rc rc = grantd_store_client_get(req->app->store, req->arena, req->iss->tenant,
                                           c->client_id, &cl);
    if (rc != GRANTD_OK && rc != GRANTD_ENOTFOUND)
        return rc;
    const char **names = NULL;
    size_t n = 0;
    if (grantd_scope_split(req->arena, c->scope, &names, &n) != GRANTD_OK)
        n = 0;
    struct grantd_ui_scope *scopes = grantd_arena_alloc(req->arena, (n + 1) * sizeof(*scopes));
    for (size_t i = 0; i < n; i++) {
        scopes[i].name = names[i];
        scopes[i].description = grantd_config_scope_description(req->iss->cfg, names[i]);
    }
    *g = (struct grantd_ui_grant){
        .client_id = c->client_id,
        .client_name = rc == GRANTD_OK ? cl.name : NULL,
        .scopes = scopes,
        .scope_count = n,
        .since = c->created_at,
    };
    return GRANTD_OK;
}

static grantd_rc show_account(struct grantd_request *req, struct grantd_response *resp,
                              const struct grantd_signin_visit *v, unsigned status,
                              const char *notice, const char *error)
{
    struct grantd_consent *list = NULL;
    size_t n = 0;
    grantd_rc rc = grantd_store_consent_list(req->app->store, req->arena, req->iss->tenant,
                                             v->u.id, &list, &n);
    struct grantd_ui_grant *grants = grantd_arena_alloc(req->arena, (n + 1) * sizeof(*grants));
    for (size_t i = 0; rc == GRANTD_OK && i < n; i++)
        rc = grant_view(req, &list[i], &grants[i]);
    if (rc != GRANTD_OK)
        return rc;
    struct grantd_ui_account page = {
        .action = v->url,
        .csrf = v->s.csrf,
        .username = v->u.username,
        .account = v->u.account,
        .grants = grants,
        .grant_count = n,
        .notice = notice,
        .error = error,
    };
    grantd_ui_account_page(req, resp, status, &page);
    return GRANTD_OK;
}

void grantd_account_endpoint(struct grantd_request *req, struct grantd_response *resp)
{
    struct grantd_signin_visit v;
    grantd_rc rc = grantd_signin_visit_load(req, &account_page, &v);
    if (rc == GRANTD_OK && v.logged_in)
        rc = show_account(req, resp, &v, 200, NULL, NULL);
    else if (rc == GRANTD_OK)
        rc = grantd_signin_show(req, resp, &v, 200, NULL, NULL);
    if (rc != GRANTD_OK)
        grantd_oauth_internal(req, resp, rc);
}

static grantd_rc revoke(struct grantd_request *req, struct grantd_response *resp,
                        struct grantd_signin_visit *v)
{
    const char *client_id = grantd_params_value(&req->form, "client_id");
    struct grantd_client cl;
    if (!v->logged_in)
        return grantd_signin_show(req, resp, v, 403, NULL,
                                  grantd_ui_say(req, GRANTD_T_session_ended));
    if (!client_id || !*client_id)
        return show_account(req, resp, v, 400, NULL,
                            grantd_ui_say(req, GRANTD_T_choose_application));
    grantd_rc rc = grantd_store_client_get(req->app->store, req->arena, req->iss->tenant,
                                           client_id, &cl);
    if (rc != GRANTD_OK && rc != GRANTD_ENOTFOUND)
        return rc;
    const char *name = rc == GRANTD_OK && cl.name && *cl.name ? cl.name : client_id;
    rc = grantd_store_consent_revoke(req->app->store, req->iss->tenant, v->u.id, client_id,
                                     req->app->now());
    if (rc == GRANTD_ENOTFOUND)
        return show_account(req, resp, v, 404, NULL,
                            grantd_ui_say(req, GRANTD_T_not_your_application));
    if (rc != GRANTD_OK)
        return rc;
    grantd_log(GRANTD_LOG_INFO, "consent_revoked", "{s:s,s:s,s:s}", "request_id",
               req->request_id, "client_id", client_id, "user_id", v->u.id);
    grantd_event(req, "consent_revoked", v->u.id, client_id, NULL);
    return show_account(req, resp, v, 200,
                        grantd_arena_printf(req->arena, "%s%s%s",
                                            grantd_ui_say(req, GRANTD_T_revoked_pre), name,
                                            grantd_ui_say(req, GRANTD_T_revoked_post)),
                        NULL);
}

static grantd_rc account_post(struct grantd_request *req, struct grantd_response *resp,
                              struct grantd_refusal *no)
{
    struct grantd_signin_visit v;
    const char *action;
    int answered;
    grantd_rc rc = grantd_signin_post(req, resp, &account_page, &v, &action, &answered, no);
    if (rc != GRANTD_OK || answered)
        return rc;
    if (action && strcmp(action, "revoke") == 0)
        return revoke(req, resp, &v);
    return grantd_refuse_page(no, 400, grantd_ui_say(req, GRANTD_T_form_unreadable_title),
                              grantd_ui_say(req, GRANTD_T_account_retry));
}

void grantd_account_post_endpoint(struct grantd_request *req, struct grantd_response *resp)
{
    struct grantd_refusal no;
    grantd_oauth_answer(req, resp, account_post(req, resp, &no), &no);
}

/* The path under the issuer ("/" at its root). */
static const char *issuer_path(const struct grantd_request *req)
{
    size_t n = strlen(req->iss->prefix);
    if (strncmp(req->path, req->iss->prefix, n) != 0)
        return req->path;
    return req->path[n] ? req->path + n : "/";
}

void grantd_not_found_endpoint(struct grantd_request *req, struct grantd_response *resp)
{
    if (!grantd_request_accepts_html(req)) {
        grantd_response_error(req, resp, 404, "not_found", "no endpoint at this path");
        return;
    }
    const char *account = grantd_arena_printf(req->arena, "%s/account", req->iss->url);
    if (strcmp(issuer_path(req), "/") == 0)
        grantd_ui_landing_page(req, resp, account);
    else
        grantd_ui_not_found_page(req, resp, account);
}
