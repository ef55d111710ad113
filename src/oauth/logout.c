/* GET and POST /logout: the end-session endpoint of OpenID Connect RP-Initiated Logout 1.0
 * (metadata end_session_endpoint). A relying party sends the browser here with
 * id_token_hint, client_id, post_logout_redirect_uri, state and ui_locales (the query for
 * GET, a form body for POST; logout_hint is ignored); a repeated parameter is a 400 page.
 *
 * The request is checked before anything ends: a hint this issuer did not sign is a 400
 * page (one expired beyond lifetimes.session after its exp counts as absent); the client is
 * client_id, else the hint's one audience, and client_id must be among the hint's
 * audiences; post_logout_redirect_uri must be one of that client's registered URIs exactly,
 * or the answer is a 400 page and never a redirect there.
 *
 * Then the browser's session of this issuer (sessions are per issuer: another issuer's
 * stays): nobody signed in, nothing to end; a hint naming the user signed in ends it at
 * once; anyone else signed in is asked first (a confirmation page whose form POSTs the same
 * parameters with the session's CSRF token and confirm=yes or no; a wrong token is a 403
 * page). The answer is a redirect to the post_logout_redirect_uri with state (302 for GET,
 * 303 for POST), or the signed-out page. A session that ends is deleted in the store and
 * its cookie expired; the log line "logout" names the request, client and user, never the
 * hint.
 *
 * Not here: the pages (ui/logout.c), reading the hint (oauth/id_token.c), sessions and CSRF
 * tokens (oauth/session.c). */
#include "oauth/logout.h"

#include <string.h>

#include "core/log.h"
#include "http/app.h"
#include "http/url.h"
#include "oauth/endpoints.h"
#include "oauth/errors.h"
#include "oauth/flow.h"
#include "oauth/id_token.h"
#include "ui/pages.h"

int grantd_logout_uri_registered(const char *registered, const char *uri)
{
    size_t n = strlen(uri);
    for (const char *p = registered; p && *p;) {
        size_t m = strcspn(p, " ");
        if (m == n && n > 0 && memcmp(p, uri, n) == 0)
            return 1;
        p += m;
        p += *p == ' ';
    }
    return 0;
}

const char *grantd_logout_location(struct grantd_arena *a, const char *uri, const char *state)
{
    if (!state || !*state)
        return uri;
    size_t before = strcspn(uri, "#");
    const char *q = memchr(uri, '?', before);
    const char *sep = !q ? "?" : (uri[before - 1] == '?' || uri[before - 1] == '&') ? "" : "&";
    return grantd_arena_printf(a, "%.*s%sstate=%s%s", (int)before, uri, sep,
                               grantd_url_encode(a, state), uri + before);
}

/* The parameters a confirmation form carries back. */
static const char *const carried[] = {"id_token_hint", "client_id", "post_logout_redirect_uri",
                                      "state", "ui_locales"};

/* The request, read and checked. */
struct logout {
    int post;
    const struct grantd_params *p;
    int has_hint;                       /* a hint of this issuer within its window */
    struct grantd_id_token_hint hint;
    int has_client;
    struct grantd_client client;
    const char *location;               /* where the browser goes afterwards; NULL: a page */
};

static grantd_rc refuse(struct grantd_request *req, struct grantd_refusal *no,
                        enum grantd_text what, const char *detail)
{
    grantd_rc rc = grantd_refuse_page(no, 400, grantd_ui_say(req, GRANTD_T_logout_unreadable_title),
                                      grantd_ui_say(req, what));
    no->page_next = grantd_ui_say(req, GRANTD_T_app_support_next);
    no->page_detail = detail;
    return rc;
}

static grantd_rc read_hint(struct grantd_request *req, struct logout *l, struct grantd_refusal *no)
{
    const char *text = grantd_params_value(l->p, "id_token_hint"), *why = NULL;
    if (!text)
        return GRANTD_OK;
    grantd_rc rc = grantd_id_token_hint_read(req, text, req->app->now(), &l->hint, &why);
    if (rc == GRANTD_OK)
        l->has_hint = 1;
    else if (rc != GRANTD_EREFUSED)
        return rc;
    /* ours, but expired beyond its window: treated as absent */
    else if (!l->hint.expired)
        return refuse(req, no, GRANTD_T_logout_hint_what,
                      grantd_arena_printf(req->arena, "400 invalid_request: %s", why));
    return GRANTD_OK;
}

/* The client: client_id, else the hint's one audience; NULL when neither names one. */
static grantd_rc read_client(struct grantd_request *req, struct logout *l,
                             struct grantd_refusal *no)
{
    const char *id = grantd_params_value(l->p, "client_id");
    if (l->has_hint && id && !grantd_id_token_hint_for(&l->hint, id))
        return refuse(req, no, GRANTD_T_logout_client_what,
                      "400 invalid_request: client_id is not an audience of id_token_hint");
    if (l->has_hint && !id && !strchr(l->hint.aud, ' '))
        id = l->hint.aud;
    if (!id)
        return GRANTD_OK;
    grantd_rc rc = grantd_store_client_get(req->app->store, req->arena, req->iss->tenant, id,
                                           &l->client);
    if (rc == GRANTD_OK)
        l->has_client = !l->client.disabled;
    return rc == GRANTD_ENOTFOUND ? GRANTD_OK : rc;
}

static grantd_rc read_redirect(struct grantd_request *req, struct logout *l,
                               struct grantd_refusal *no)
{
    const char *uri = grantd_params_value(l->p, "post_logout_redirect_uri");
    if (!uri)
        return GRANTD_OK;
    if (!l->has_client)
        return refuse(req, no, GRANTD_T_logout_unknown_client_what,
                      "400 invalid_request: post_logout_redirect_uri without a known client");
    if (!grantd_logout_uri_registered(l->client.post_logout_redirect_uris, uri))
        return refuse(req, no, GRANTD_T_logout_bad_redirect_what,
                      "400 invalid_request: post_logout_redirect_uri is not registered "
                      "for the client");
    l->location = grantd_logout_location(req->arena, uri, grantd_params_value(l->p, "state"));
    return GRANTD_OK;
}

static grantd_rc read_request(struct grantd_request *req, struct logout *l,
                              struct grantd_refusal *no)
{
    l->post = strcmp(req->method, "POST") == 0;
    l->p = l->post ? &req->form : &req->query;
    int readable = l->post ? (req->body_kind == GRANTD_BODY_FORM ||
                              req->body_kind == GRANTD_BODY_NONE) && req->form_rc == GRANTD_OK
                           : req->query_rc == GRANTD_OK;
    if (!readable || grantd_params_first_repeated(l->p))
        return refuse(req, no, GRANTD_T_logout_unreadable_what,
                      "400 invalid_request: a parameter is repeated or unreadable");
    grantd_rc rc = read_hint(req, l, no);
    if (rc == GRANTD_OK)
        rc = read_client(req, l, no);
    if (rc == GRANTD_OK)
        rc = read_redirect(req, l, no);
    return rc;
}

static const char *account_url(struct grantd_request *req)
{
    return grantd_arena_printf(req->arena, "%s/account", req->iss->url);
}

/* Back to the relying party, or the signed-out page. */
static void done(struct grantd_request *req, struct grantd_response *resp, const struct logout *l)
{
    if (!l->location) {
        grantd_ui_signed_out_page(req, resp, account_url(req));
        return;
    }
    resp->status = l->post ? 303 : 302;
    grantd_response_header(resp, "Location", l->location);
    grantd_response_header(resp, "Cache-Control", "no-store");
}

static grantd_rc end(struct grantd_request *req, struct grantd_response *resp,
                     const struct logout *l, const struct grantd_web_session *s)
{
    grantd_rc rc = grantd_web_session_end(req, resp, s);
    if (rc != GRANTD_OK)
        return rc;
    grantd_log(GRANTD_LOG_INFO, "logout", "{s:s,s:s?,s:s}", "request_id", req->request_id,
               "client_id", l->has_client ? l->client.id : NULL, "user_id", s->rec.user_id);
    done(req, resp, l);
    return GRANTD_OK;
}

static void ask(struct grantd_request *req, struct grantd_response *resp, const struct logout *l,
                const struct grantd_web_session *s, const struct grantd_user *u)
{
    size_t n = sizeof(carried) / sizeof(carried[0]), k = 0;
    struct grantd_ui_field *fields = grantd_arena_alloc(req->arena, n * sizeof(*fields));
    for (size_t i = 0; i < n; i++) {
        const char *v = grantd_params_value(l->p, carried[i]);
        if (v)
            fields[k++] = (struct grantd_ui_field){carried[i], v};
    }
    struct grantd_ui_logout page = {
        .action = grantd_arena_printf(req->arena, "%s/logout", req->iss->url),
        .csrf = s->csrf,
        .client_name = !l->has_client ? NULL : l->client.name ? l->client.name : "",
        .username = u->username,
        .fields = fields,
        .field_count = k,
    };
    grantd_ui_logout_page(req, resp, &page);
}

/* The answer to the confirmation form of someone signed in. */
static grantd_rc confirmed(struct grantd_request *req, struct grantd_response *resp,
                           const struct logout *l, const struct grantd_web_session *s,
                           const char *confirm, struct grantd_refusal *no)
{
    if (!grantd_web_session_csrf_ok(s, grantd_params_value(&req->form, "csrf"))) {
        grantd_rc rc = grantd_refuse_page(no, 403, grantd_ui_say(req, GRANTD_T_page_expired_title),
                                          grantd_ui_say(req, GRANTD_T_page_expired_what));
        no->page_next = grantd_ui_say(req, GRANTD_T_app_support_next);
        no->page_detail = "403 csrf: the form's token does not match the session";
        return rc;
    }
    if (strcmp(confirm, "yes") == 0)
        return end(req, resp, l, s);
    if (strcmp(confirm, "no") != 0)
        return refuse(req, no, GRANTD_T_logout_unreadable_what,
                      "400 invalid_request: confirm is neither yes nor no");
    if (l->location)
        done(req, resp, l);
    else
        grantd_ui_still_signed_in_page(req, resp, account_url(req));
    return GRANTD_OK;
}

static grantd_rc logout(struct grantd_request *req, struct grantd_response *resp,
                        struct grantd_refusal *no)
{
    struct logout l;
    memset(&l, 0, sizeof(l));
    grantd_rc rc = read_request(req, &l, no);
    struct grantd_web_session s;
    struct grantd_user u;
    int have_session = 0, logged_in = 0;
    if (rc == GRANTD_OK)
        rc = grantd_flow_session_user(req, &s, &have_session, &u, &logged_in);
    if (rc != GRANTD_OK)
        return rc;
    if (!logged_in) { /* nothing to end */
        done(req, resp, &l);
        return GRANTD_OK;
    }
    if (l.has_hint && strcmp(l.hint.sub, s.rec.user_id) == 0)
        return end(req, resp, &l, &s);
    const char *confirm = l.post ? grantd_params_value(&req->form, "confirm") : NULL;
    if (!confirm) {
        ask(req, resp, &l, &s, &u);
        return GRANTD_OK;
    }
    return confirmed(req, resp, &l, &s, confirm, no);
}

void grantd_logout_endpoint(struct grantd_request *req, struct grantd_response *resp)
{
    struct grantd_refusal no;
    grantd_oauth_answer(req, resp, logout(req, resp, &no), &no);
}
