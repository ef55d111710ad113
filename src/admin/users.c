/* The admin API's users, under /v1/tenants/{t}/users: what `grantd user ...` does, through
 * the same store operations and rules (admin/rules.h, admin/body.h):
 *   GET   .../users                  list, by username (?limit=, ?after=USER_ID)
 *   POST  .../users                  create {"username", "password", "account", "email",
 *                                    and the OpenID Connect claims of admin/claims.h}
 *   GET   .../users/{id}             show (never the password or its hash)
 *   PATCH .../users/{id}             username, account, email, claims (JSON merge; null
 *                                    clears; a changed address or number is unverified
 *                                    unless the body says otherwise)
 *   POST  .../users/{id}/disable     they can no longer log in; the revocation feed is told
 *   POST  .../users/{id}/enable
 *   PUT   .../users/{id}/password    {"password": "..."}: 204; stored as argon2id only
 * {id} is the user's id (the subject of their tokens). Passwords are hashed here (argon2id:
 * the admin routes run on the slow workers, off the I/O threads) and wiped; they are never
 * answered or logged. A password must pass the password policy (core/password_policy.h):
 * 400 invalid_request saying why otherwise. */
#include <string.h>

#include "admin/api_int.h"
#include "admin/audit.h"
#include "admin/body.h"
#include "admin/claims.h"
#include "admin/rules.h"
#include "core/password.h"
#include "core/password_policy.h"

static int load(struct api_ctx *x, struct grantd_user *u)
{
    grantd_rc rc = grantd_store_user_get(x->store, x->req->arena, x->tenant.id, x->arg, u);
    if (rc != GRANTD_OK)
        grantd_api_store_fail(x, rc, "user", x->arg);
    return rc == GRANTD_OK;
}

static void answer_stored(struct api_ctx *x)
{
    struct grantd_user u;
    if (load(x, &u))
        grantd_api_json(x, 200, grantd_api_user_json(&u));
}

static const char *user_id_at(const void *list, size_t i)
{
    return ((const struct grantd_user *)list)[i].id;
}

void grantd_api_users_list(struct api_ctx *x)
{
    size_t n = 0;
    struct grantd_user *list = NULL;
    struct api_page page;
    grantd_rc rc = grantd_store_user_list(x->store, x->req->arena, x->tenant.id, &list, &n);
    if (rc != GRANTD_OK) {
        grantd_response_internal(x->req, x->resp, rc);
        return;
    }
    if (!grantd_api_page(x, list, n, user_id_at, "user", &page))
        return;
    json_t *arr = json_array();
    for (size_t i = page.start; i < page.end; i++)
        json_array_append_new(arr, grantd_api_user_json(&list[i]));
    json_t *next = page.next ? json_string(page.next) : json_null();
    grantd_api_json(x, 200, json_pack("{s:o,s:o}", "users", arr, "next", next));
}

/* 1 when password may be set for username (core/password_policy.h: the issuer's settings,
 * or the server's for a tenant it does not serve yet); else 0, having answered 400 and
 * wiped password. */
static int password_allowed(struct api_ctx *x, const char *username, const char *password)
{
    char why[320];
    const struct grantd_config *cfg = x->iss ? x->iss->cfg : x->req->app->cfg;
    if (!grantd_password_policy_check(cfg, username, password, why, sizeof(why)))
        return 1;
    explicit_bzero((char *)password, strlen(password));
    grantd_api_bad(x, grantd_arena_printf(x->req->arena, "password %s", why));
    return 0;
}

void grantd_api_user_create(struct api_ctx *x)
{
    struct grantd_user u;
    const char *why = NULL, *password = NULL;
    char id[32], hash[GRANTD_PASSWORD_HASH_LEN] = "";
    if (grantd_api_user_parse(x->req->arena, x->req->body, x->req->body_len, 0, &u, &password,
                              &why) != GRANTD_OK) {
        grantd_api_bad(x, why);
        return;
    }
    if (!password_allowed(x, u.username, password))
        return;
    grantd_rc rc = grantd_rules_random_id(id);
    if (rc == GRANTD_OK)
        rc = grantd_password_hash(password, hash);
    explicit_bzero((char *)password, strlen(password));
    u.tenant = x->tenant.id;
    u.id = id;
    u.password_hash = hash;
    u.created_at = u.updated_at = x->now;
    if (rc == GRANTD_OK)
        rc = grantd_store_audit_begin(x->store);
    if (rc == GRANTD_OK)
        rc = grantd_api_audit_end(x, "user.create", "user", id,
                                  json_pack("{s:s}", "username", u.username),
                                  grantd_store_user_put(x->store, &u));
    if (rc == GRANTD_OK) {
        grantd_api_json(x, 201, grantd_api_user_json(&u));
    } else {
        grantd_api_store_fail(x, rc, "user", u.username);
    }
    explicit_bzero(hash, sizeof(hash));
}

void grantd_api_user_show(struct api_ctx *x)
{
    struct grantd_user u;
    if (load(x, &u))
        grantd_api_json(x, 200, grantd_api_user_json(&u));
}

void grantd_api_user_update(struct api_ctx *x)
{
    struct grantd_user u;
    const char *why = NULL;
    if (!load(x, &u))
        return;
    struct grantd_user before = u;
    if (grantd_api_user_parse(x->req->arena, x->req->body, x->req->body_len, 1, &u, NULL,
                              &why) != GRANTD_OK) {
        grantd_api_bad(x, why);
        return;
    }
    json_t *body = json_loadb(x->req->body, x->req->body_len, 0, NULL); /* parsed above */
    grantd_claims_unverify_changed(&before, &u, json_object_get(body, "email_verified") != NULL,
                                   json_object_get(body, "phone_number_verified") != NULL);
    json_decref(body);
    grantd_rc rc = grantd_store_audit_begin(x->store);
    if (rc == GRANTD_OK)
        rc = grantd_api_audit_end(x, "user.update", "user", x->arg,
                                  grantd_audit_members(x->req->body, x->req->body_len),
                                  grantd_store_user_update(x->store, &u, x->now));
    if (rc != GRANTD_OK) {
        grantd_api_store_fail(x, rc, "user", rc == GRANTD_EEXIST ? u.username : x->arg);
        return;
    }
    answer_stored(x);
}

static void set_disabled(struct api_ctx *x, int disabled)
{
    struct grantd_user u;
    if (!load(x, &u))
        return;
    grantd_rc rc = grantd_store_audit_begin(x->store);
    if (rc == GRANTD_OK)
        rc = grantd_api_audit_end(x, disabled ? "user.disable" : "user.enable", "user", x->arg,
                                  NULL,
                                  grantd_store_user_set_disabled(x->store, x->tenant.id,
                                                                 u.username, disabled, x->now));
    if (rc != GRANTD_OK) {
        grantd_api_store_fail(x, rc, "user", x->arg);
        return;
    }
    answer_stored(x);
}

void grantd_api_user_disable(struct api_ctx *x)
{
    set_disabled(x, 1);
}

void grantd_api_user_enable(struct api_ctx *x)
{
    set_disabled(x, 0);
}

void grantd_api_user_password(struct api_ctx *x)
{
    struct grantd_user u;
    const char *why = NULL, *password = NULL;
    char hash[GRANTD_PASSWORD_HASH_LEN] = "";
    if (grantd_api_password_parse(x->req->arena, x->req->body, x->req->body_len, &password,
                                  &why) != GRANTD_OK) {
        grantd_api_bad(x, why);
        return;
    }
    grantd_rc rc = GRANTD_OK;
    if (load(x, &u) && password_allowed(x, u.username, password)) {
        rc = grantd_password_hash(password, hash);
        if (rc == GRANTD_OK)
            rc = grantd_store_audit_begin(x->store);
        if (rc == GRANTD_OK)
            rc = grantd_api_audit_end(x, "user.password", "user", x->arg, NULL,
                                      grantd_store_user_set_password(x->store, x->tenant.id,
                                                                     u.username, hash, x->now));
        if (rc == GRANTD_OK) {
            grantd_response_body(x->resp, 204, NULL, "", 0);
        } else {
            grantd_api_store_fail(x, rc, "user", x->arg);
        }
    }
    explicit_bzero((char *)password, strlen(password));
    explicit_bzero(hash, sizeof(hash));
}
