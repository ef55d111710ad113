/* The admin API's body parsers for users and the small one-member bodies (password,
 * overlap, registration token, key algorithm): see body.h. The clients' and registration's
 * parsers are body.c, whose loading and naming helpers (body_int.h) these share. */
#include "admin/body.h"
#include "admin/body_int.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <jansson.h>

#include "admin/claims.h"
#include "admin/rules.h"
#include "core/password.h"

/* ---- users ---------------------------------------------------------------------------- */

/* A string member checked by rule, or (nullable) null to clear it. */
static int user_string(struct grantd_arena *a, const char *name, json_t *v, int nullable,
                       const char *(*rule)(const char *), const char **slot, const char **why)
{
    if (json_is_null(v) && nullable) {
        *slot = NULL;
        return 1;
    }
    const char *s = grantd_body__string_of(a, v), *reason;
    if (!s) {
        *why = grantd_arena_printf(a, "%s must be a string%s", name, nullable ? " or null" : "");
        return 0;
    }
    if ((reason = rule(s)) != NULL) {
        *why = grantd_arena_printf(a, "%s %s", name, reason);
        return 0;
    }
    *slot = s;
    return 1;
}

static const char *password_why(const char *pw)
{
    size_t n = strlen(pw);
    if (n == 0)
        return "must not be empty";
    return n > GRANTD_PASSWORD_MAX ? "is longer than 1024 bytes" : NULL;
}

static int user_member(struct grantd_arena *a, const char *name, json_t *v, int update,
                       struct grantd_user *u, const char **password, const char **why)
{
    if (strcmp(name, "username") == 0)
        return user_string(a, name, v, 0, grantd_rules_username_why, &u->username, why);
    if (strcmp(name, "account") == 0)
        return user_string(a, name, v, 1, grantd_rules_username_why, &u->account, why);
    if (strcmp(name, "email") == 0)
        return user_string(a, name, v, 1, grantd_rules_email_why, &u->email, why);
    if (strcmp(name, "password") == 0 && !update)
        return user_string(a, name, v, 0, password_why, password, why);
    int claim = grantd_claim_find(name); /* the OpenID Connect claims (claims.h) */
    if (claim >= 0)
        return (*why = grantd_claim_set_json(a, u, (size_t)claim, v)) == NULL;
    if (strcmp(name, "developer") == 0 && json_is_boolean(v)) {
        u->developer = json_is_true(v);
        return 1;
    }
    if (strcmp(name, "developer") == 0)
        *why = "developer must be true or false";
    else if (strcmp(name, "password") == 0)
        *why = "password is set with PUT .../password";
    else if (strcmp(name, "id") == 0 || strcmp(name, "disabled") == 0 ||
             strcmp(name, "created_at") == 0 || strcmp(name, "updated_at") == 0)
        *why = grantd_arena_printf(a, "%s is read-only", name);
    else
        *why = grantd_body__unknown_member(a, name);
    return 0;
}

grantd_rc grantd_api_user_parse(struct grantd_arena *a, const char *body, size_t len,
                                int update, struct grantd_user *u, const char **password,
                                const char **why)
{
    const char *pw = NULL;
    if (!update)
        memset(u, 0, sizeof(*u));
    json_t *root = grantd_body__load(body, len, why);
    if (!root)
        return GRANTD_EINVAL;
    const char *name;
    json_t *v;
    int ok = 1;
    json_object_foreach(root, name, v) {
        if (!(ok = user_member(a, name, v, update, u, &pw, why)))
            break;
    }
    json_decref(root);
    const char *missing = update ? NULL : !u->username ? "username is required"
                                        : !pw          ? "password is required"
                                                       : NULL;
    if (ok && missing) {
        *why = missing;
        ok = 0;
    }
    if (password)
        *password = pw;
    return ok ? GRANTD_OK : GRANTD_EINVAL;
}

/* ---- the small bodies ----------------------------------------------------------------- */

/* The one member name may hold (or nothing); *value borrowed from root. */
static int single_member(struct grantd_arena *a, json_t *root, const char *name, json_t **value,
                         const char **why)
{
    const char *key;
    json_t *v;
    *value = NULL;
    json_object_foreach(root, key, v) {
        if (strcmp(key, name) != 0) {
            *why = grantd_body__unknown_member(a, key);
            return 0;
        }
        *value = v;
    }
    return 1;
}

grantd_rc grantd_api_password_parse(struct grantd_arena *a, const char *body, size_t len,
                                    const char **password, const char **why)
{
    json_t *root = grantd_body__load(body, len, why), *v = NULL;
    if (!root)
        return GRANTD_EINVAL;
    int ok = single_member(a, root, "password", &v, why);
    if (ok && !v) {
        *why = "password is required";
        ok = 0;
    }
    if (ok)
        ok = user_string(a, "password", v, 0, password_why, password, why);
    json_decref(root);
    return ok ? GRANTD_OK : GRANTD_EINVAL;
}

grantd_rc grantd_api_overlap_parse(struct grantd_arena *a, const char *body, size_t len,
                                   int64_t *overlap, const char **why)
{
    json_t *root = grantd_body__load(body, len, why), *v = NULL;
    if (!root)
        return GRANTD_EINVAL;
    int ok = single_member(a, root, "overlap", &v, why);
    *overlap = 0;
    if (ok && v) {
        json_int_t n = json_is_integer(v) ? json_integer_value(v) : -1;
        ok = n >= 0 && n <= GRANTD_API_OVERLAP_MAX;
        if (ok)
            *overlap = n;
        else
            *why = "overlap must be a number of seconds from 0 to 2592000 (30 days)";
    }
    json_decref(root);
    return ok ? GRANTD_OK : GRANTD_EINVAL;
}

/* One optional integer member of 0..max (min 1 unless zero_ok) into *out (untouched when
 * absent); 0 with *why otherwise. */
static int small_int(json_t *root, const char *name, json_int_t min, json_int_t max,
                     int64_t *out, const char **why, const char *message)
{
    json_t *v = json_object_get(root, name);
    if (!v)
        return 1;
    json_int_t n = json_is_integer(v) ? json_integer_value(v) : -1;
    if (n < min || n > max) {
        *why = message;
        return 0;
    }
    *out = n;
    return 1;
}

grantd_rc grantd_api_registration_token_parse(struct grantd_arena *a, const char *body,
                                              size_t len, int64_t *expires_in, int64_t *uses,
                                              const char **why)
{
    json_t *root = grantd_body__load(body, len, why);
    if (!root)
        return GRANTD_EINVAL;
    const char *key;
    json_t *v;
    int ok = 1;
    *expires_in = 0;
    *uses = 1;
    json_object_foreach(root, key, v) {
        if (ok && strcmp(key, "expires_in") != 0 && strcmp(key, "uses") != 0) {
            *why = grantd_body__unknown_member(a, key);
            ok = 0;
        }
    }
    ok = ok && small_int(root, "expires_in", 1, GRANTD_API_IAT_EXPIRES_MAX, expires_in, why,
                         "expires_in must be a number of seconds from 1 to 31622400");
    ok = ok && small_int(root, "uses", 0, GRANTD_API_IAT_USES_MAX, uses, why,
                         "uses must be a number from 0 (no limit) to 1000000");
    json_decref(root);
    return ok ? GRANTD_OK : GRANTD_EINVAL;
}

grantd_rc grantd_api_alg_parse(struct grantd_arena *a, const char *body, size_t len,
                               const char **alg, const char **why)
{
    json_t *root = grantd_body__load(body, len, why), *v = NULL;
    if (!root)
        return GRANTD_EINVAL;
    int ok = single_member(a, root, "alg", &v, why);
    const char *s = v ? json_string_value(v) : NULL;
    *alg = NULL;
    if (ok && v) {
        ok = s && (strcmp(s, "ES256") == 0 || strcmp(s, "RS256") == 0);
        if (ok)
            *alg = strcmp(s, "ES256") == 0 ? "ES256" : "RS256";
        else
            *why = "alg must be ES256 or RS256";
    }
    json_decref(root);
    return ok ? GRANTD_OK : GRANTD_EINVAL;
}
