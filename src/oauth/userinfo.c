/* GET and POST /userinfo (Core 1.0 §5.3 asks for both): who the access token speaks for.
 * `sub` always, plus `username` and `account` as before OpenID Connect (clients rely on
 * them); then the user's standard claims (OpenID Connect Core §5.4) of each granted scope,
 * profile, email, phone and address, those that have a value.
 *
 * Not here: the bearer rules (bearer.c), validating claims (admin/rules.c), ID tokens. */
#include "oauth/endpoints.h"

#include "http/app.h"
#include "oauth/bearer.h"
#include "oauth/scope.h"

static int granted(const char *scope, const char *word)
{
    return scope && grantd_scope_covered(&word, 1, scope);
}

static void set_str(json_t *o, const char *k, const char *v)
{
    if (v && *v)
        json_object_set_new(o, k, json_string(v));
}

/* Adds the claims of the scopes the token carries to body. */
static void add_claims(json_t *body, const struct grantd_user *u, const char *scope)
{
    if (granted(scope, "profile")) {
        set_str(body, "name", u->name);
        set_str(body, "given_name", u->given_name);
        set_str(body, "family_name", u->family_name);
        set_str(body, "preferred_username",
                u->preferred_username ? u->preferred_username : u->username);
        set_str(body, "locale", u->locale);
        json_object_set_new(body, "updated_at", json_integer(u->updated_at));
    }
    if (granted(scope, "email") && u->email && *u->email) {
        set_str(body, "email", u->email);
        json_object_set_new(body, "email_verified", json_boolean(u->email_verified));
    }
    if (granted(scope, "phone") && u->phone_number && *u->phone_number) {
        set_str(body, "phone_number", u->phone_number);
        json_object_set_new(body, "phone_number_verified",
                            json_boolean(u->phone_number_verified));
    }
    if (granted(scope, "address") && u->address && *u->address)
        json_object_set_new(body, "address", json_pack("{s:s}", "formatted", u->address));
}

static grantd_rc userinfo(struct grantd_request *req, struct grantd_response *resp,
                          struct grantd_refusal *no)
{
    struct grantd_token t;
    grantd_rc rc = grantd_bearer_check(req, &t, no);
    if (rc != GRANTD_OK)
        return rc;
    if (!t.user_id) /* RFC 6750 §3.1: valid, but not for this resource */
        return grantd_refuse_bearer(no, req->arena, req->iss->url,
                                    GRANTD_OAUTH_INSUFFICIENT_SCOPE,
                                    "the token was issued to a client, not for a user", NULL);
    struct grantd_user u;
    struct grantd_store *st = req->app->store;
    rc = grantd_store_user_get(st, req->arena, req->iss->tenant, t.user_id, &u);
    if (rc == GRANTD_ENOTFOUND || (rc == GRANTD_OK && u.disabled))
        return grantd_refuse_bearer(no, req->arena, req->iss->url, GRANTD_OAUTH_INVALID_TOKEN,
                                    "the user no longer exists", NULL);
    if (rc != GRANTD_OK)
        return rc;
    json_t *body = json_pack("{s:s,s:s,s:s?}", "sub", u.id, "username", u.username,
                             "account", u.account);
    add_claims(body, &u, t.scope);
    grantd_response_json(req, resp, 200, body);
    return GRANTD_OK;
}

void grantd_userinfo_endpoint(struct grantd_request *req, struct grantd_response *resp)
{
    struct grantd_refusal no;
    grantd_oauth_answer(req, resp, userinfo(req, resp, &no), &no);
}
