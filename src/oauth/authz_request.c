/* Validating an authorization request: client and redirect URI first, then the rest. */
#include "oauth/authz_request.h"

#include <string.h>

#include "http/app.h"
#include "oauth/id_token.h"
#include "oauth/pkce.h"
#include "oauth/redirect_uri.h"
#include "oauth/resource.h"
#include "oauth/scope.h"

static void page(struct grantd_authz *a, const char *why)
{
    a->outcome = GRANTD_AUTHZ_PAGE;
    a->why = why;
}

static void redirect_error(struct grantd_authz *a, enum grantd_oauth_error e, const char *why)
{
    a->outcome = GRANTD_AUTHZ_REDIRECT;
    a->error = e;
    a->why = why;
}

/* The value of a parameter that must not repeat; *repeated set when it does. */
static const char *param(const struct grantd_params *p, const char *name, int *repeated)
{
    const char *v = NULL;
    grantd_rc rc = grantd_params_get(p, name, &v);
    if (rc == GRANTD_EREPEATED)
        *repeated = 1;
    return rc == GRANTD_OK ? v : NULL;
}

/* The profile's redirect_url alias (Procurios's guide): read when redirect_uri is absent; a
 * value without a scheme is taken as https:// + value. 1 when it supplied the redirect. */
static int redirect_url_alias(struct grantd_request *req, struct grantd_authz *a,
                              const struct grantd_params *p, int *bad_redirect)
{
    if (a->redirect_uri || !req->iss->cfg->profile.aliases.redirect_url)
        return 0;
    const char *v = param(p, "redirect_url", bad_redirect);
    if (!v || !*v)
        return 0;
    a->redirect_uri = strstr(v, "://") ? v : grantd_arena_printf(req->arena, "https://%s", v);
    return 1;
}

static void read_params(struct grantd_request *req, struct grantd_authz *a,
                        const struct grantd_params *p, int *bad_client, int *bad_redirect,
                        int *aliased)
{
    a->client_id = param(p, "client_id", bad_client);
    a->redirect_uri = param(p, "redirect_uri", bad_redirect);
    *aliased = redirect_url_alias(req, a, p, bad_redirect);
    int ignored = 0;
    a->response_type = param(p, "response_type", &ignored);
    /* a profile may let an absent response_type mean code, the only one grantd serves
     * (Billit's and Procurios's guides send none) */
    if (!a->response_type && req->iss->cfg->profile.aliases.response_type_code)
        a->response_type = "code";
    a->scope = param(p, "scope", &ignored);
    a->state = param(p, "state", &ignored);
    a->code_challenge = param(p, "code_challenge", &ignored);
    a->code_challenge_method = param(p, "code_challenge_method", &ignored);
    a->nonce = param(p, "nonce", &ignored);
    a->prompt = param(p, "prompt", &ignored);
    a->max_age = param(p, "max_age", &ignored);
    a->login_hint = param(p, "login_hint", &ignored);
    a->id_token_hint = param(p, "id_token_hint", &ignored);
}

/* Steps 1-2: who is asking and where the answer may go. 1 when both are trusted. */
static grantd_rc check_client(struct grantd_request *req, const struct grantd_params *p,
                              struct grantd_authz *a, int *trusted)
{
    int bad_client = 0, bad_redirect = 0, aliased = 0;
    *trusted = 0;
    read_params(req, a, p, &bad_client, &bad_redirect, &aliased);
    if (bad_client || !a->client_id) {
        page(a, bad_client ? "The client_id parameter is repeated."
                           : "The request has no client_id.");
        return GRANTD_OK;
    }
    struct grantd_store *st = req->app->store;
    grantd_rc rc = grantd_store_client_get(st, req->arena, req->iss->tenant, a->client_id,
                                          &a->client);
    if (rc == GRANTD_ENOTFOUND || (rc == GRANTD_OK && a->client.disabled)) {
        page(a, "The application that sent you here is not known to this server.");
        return GRANTD_OK;
    }
    if (rc != GRANTD_OK)
        return rc;
    a->bad_redirect = 1; /* from here on, a page is about where the answer would go */
    if (bad_redirect) {
        page(a, "The redirect_uri parameter is repeated.");
        return GRANTD_OK;
    }
    const char *why = NULL;
    if (grantd_redirect_uri_resolve(a->client.redirect_uris, a->client.redirect_uri_count,
                                    a->redirect_uri,
                                    !!(a->client.flags & GRANTD_CLIENT_REDIRECT_WILDCARD),
                                    &a->redirect, &why) != GRANTD_OK) {
        page(a, why);
        return GRANTD_OK;
    }
    /* a client may register the out-of-band value itself: no redirect then either */
    if (a->redirect && strcmp(a->redirect, GRANTD_REDIRECT_URI_OOB) == 0)
        a->redirect = NULL;
    if (!a->redirect && !req->iss->cfg->profile.out_of_band) {
        page(a, "The application that sent you here has no redirect URI registered.");
        return GRANTD_OK;
    }
    /* the alias's value matched a registered URI, where the answer goes; the code is not
     * bound to a redirect_uri then, so the token request need not repeat it */
    if (aliased)
        a->redirect_uri = NULL;
    a->bad_redirect = 0;
    *trusted = 1;
    return GRANTD_OK;
}

static void check_scope(struct grantd_request *req, struct grantd_authz *a)
{
    /* no scope asks for everything the client is registered for */
    const char *asked = a->scope ? a->scope : a->client.scope;
    const char *why =
        grantd_scope_refusal(req->arena, asked, a->client.scope, &a->scopes, &a->scope_count);
    if (why) {
        redirect_error(a, GRANTD_OAUTH_INVALID_SCOPE, why);
        return;
    }
    a->scope_text = grantd_scope_join(req->arena, a->scopes, a->scope_count);
}

/* RFC 8707 §2: each resource one the client may ask for, else invalid_target. */
static void check_resources(struct grantd_request *req, const struct grantd_params *p,
                            struct grantd_authz *a)
{
    const char *why = grantd_resource_select(req->arena, p, a->client.resources, &a->resources);
    if (why)
        redirect_error(a, GRANTD_OAUTH_INVALID_TARGET, why);
}

static void check_pkce(struct grantd_authz *a)
{
    if (!a->code_challenge) {
        if (a->code_challenge_method)
            redirect_error(a, GRANTD_OAUTH_INVALID_REQUEST,
                           "code_challenge_method was sent without code_challenge");
        else if (a->client.is_public)
            redirect_error(a, GRANTD_OAUTH_INVALID_REQUEST,
                           "public clients must use PKCE (code_challenge with S256)");
        return;
    }
    /* RFC 7636 §4.3: an absent method means plain */
    const char *method = a->code_challenge_method ? a->code_challenge_method : "plain";
    a->code_challenge_method = method;
    if (strcmp(method, "S256") != 0 && strcmp(method, "plain") != 0) {
        redirect_error(a, GRANTD_OAUTH_INVALID_REQUEST,
                       "code_challenge_method must be S256");
        return;
    }
    if (strcmp(method, "plain") == 0 && !(a->client.flags & GRANTD_CLIENT_ALLOW_PLAIN_PKCE)) {
        redirect_error(a, GRANTD_OAUTH_INVALID_REQUEST,
                       "code_challenge_method plain is not allowed for this client; use S256");
        return;
    }
    const char *why = grantd_pkce_challenge_problem(method, a->code_challenge);
    if (why)
        redirect_error(a, GRANTD_OAUTH_INVALID_REQUEST, why);
}

/* prompt: space-separated values, none alone; max_age: seconds, 0 asking for a fresh
 * sign-in as prompt=login does (Core 1.0 §3.1.2.1). */
static void check_prompt_max_age(struct grantd_request *req, struct grantd_authz *a)
{
    const char *why = grantd_prompt_parse(req->arena, a->prompt, &a->prompts);
    if (why) {
        redirect_error(a, GRANTD_OAUTH_INVALID_REQUEST, why);
        return;
    }
    a->max_age_s = a->max_age ? grantd_max_age_parse(a->max_age) : -1;
    if (a->max_age && a->max_age_s < 0)
        redirect_error(a, GRANTD_OAUTH_INVALID_REQUEST,
                       "max_age must be a whole number of seconds");
}

/* id_token_hint: an ID token this issuer gave this client (its sub is whom the client
 * expects to be signed in). */
static grantd_rc check_id_token_hint(struct grantd_request *req, struct grantd_authz *a)
{
    if (!a->id_token_hint)
        return GRANTD_OK;
    struct grantd_id_token_hint h;
    const char *why = NULL;
    grantd_rc rc = grantd_id_token_hint_read(req, a->id_token_hint, req->app->now(), &h, &why);
    if (rc == GRANTD_OK && !grantd_id_token_hint_for(&h, a->client.id)) {
        rc = GRANTD_EREFUSED;
        why = "id_token_hint is not an ID token of this issuer"; /* as for a forged one */
    }
    if (rc == GRANTD_EREFUSED)
        redirect_error(a, GRANTD_OAUTH_INVALID_REQUEST, why);
    else if (rc == GRANTD_OK)
        a->hint_sub = h.sub;
    return rc == GRANTD_EREFUSED ? GRANTD_OK : rc;
}

/* OpenID Connect's parameters, once the scope is known. */
static grantd_rc check_oidc(struct grantd_request *req, const struct grantd_params *p,
                            struct grantd_authz *a)
{
    a->openid = grantd_scope_openid(a->scope_text);
    if (a->openid && !a->redirect_uri) {
        /* Core 1.0 §3.1.2.1: REQUIRED, even with one URI registered; no redirect then */
        a->bad_redirect = 1;
        page(a, "A sign-in request (scope openid) must name its redirect_uri.");
        return GRANTD_OK;
    }
    if (grantd_params_value(p, "request")) {
        redirect_error(a, GRANTD_OAUTH_REQUEST_NOT_SUPPORTED,
                       "request objects are not supported");
        return GRANTD_OK;
    }
    if (grantd_params_value(p, "request_uri")) {
        redirect_error(a, GRANTD_OAUTH_REQUEST_URI_NOT_SUPPORTED,
                       "request_uri is not supported");
        return GRANTD_OK;
    }
    check_prompt_max_age(req, a);
    if (a->outcome == GRANTD_AUTHZ_VALID)
        return check_id_token_hint(req, a);
    return GRANTD_OK;
}

/* Step 3: everything else, now that errors can be redirected. */
static grantd_rc check_rest(struct grantd_request *req, const struct grantd_params *p,
                            struct grantd_authz *a)
{
    const char *repeated = grantd_params_first_repeated_but(p, "resource");
    if (repeated) {
        redirect_error(a, GRANTD_OAUTH_INVALID_REQUEST,
                       grantd_arena_printf(req->arena, "parameter '%s' is repeated", repeated));
        return GRANTD_OK;
    }
    if (!a->response_type) {
        redirect_error(a, GRANTD_OAUTH_INVALID_REQUEST, "response_type is required");
        return GRANTD_OK;
    }
    if (strcmp(a->response_type, "code") != 0) {
        redirect_error(a, GRANTD_OAUTH_UNSUPPORTED_RESPONSE_TYPE,
                       "only response_type=code is supported");
        return GRANTD_OK;
    }
    if (!(a->client.grants & GRANTD_GRANT_AUTHORIZATION_CODE)) {
        redirect_error(a, GRANTD_OAUTH_UNAUTHORIZED_CLIENT,
                       "the client may not use the authorization code grant");
        return GRANTD_OK;
    }
    check_scope(req, a);
    if (a->outcome == GRANTD_AUTHZ_VALID)
        check_resources(req, p, a);
    if (a->outcome == GRANTD_AUTHZ_VALID)
        check_pkce(a);
    if (a->outcome == GRANTD_AUTHZ_VALID)
        return check_oidc(req, p, a);
    return GRANTD_OK;
}

grantd_rc grantd_authz_validate(struct grantd_request *req, const char *raw,
                                struct grantd_authz *a)
{
    memset(a, 0, sizeof(*a));
    a->max_age_s = -1;
    a->raw = raw ? raw : "";
    a->outcome = GRANTD_AUTHZ_VALID;
    struct grantd_params p;
    const char *why = NULL;
    if (grantd_form_parse(req->arena, a->raw, strlen(a->raw), &req->app->limits, &p, &why) !=
        GRANTD_OK) {
        /* nothing in a malformed query can be trusted, the redirect URI least of all */
        page(a, grantd_arena_printf(req->arena, "The request is malformed: %s", why));
        return GRANTD_OK;
    }
    int trusted = 0;
    grantd_rc rc = check_client(req, &p, a, &trusted);
    if (rc != GRANTD_OK || !trusted)
        return rc;
    return check_rest(req, &p, a);
}
