/* The admin API's body parsers: see body.h. Each body is loaded by jansson (duplicate
 * members refused), then walked member by member through a table: a member's entry checks
 * its JSON type and value and writes it into the record; after the walk the record is
 * checked as a whole (what one member allows depends on another: wildcard URIs, public
 * clients and client_credentials, response_types and grants). */
#include "admin/body.h"
#include "admin/body_int.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <jansson.h>

#include "admin/rules.h"
#include "core/config.h"
#include "oauth/redirect_uri.h"
#include "oauth/resource.h"
#include "oauth/scope.h"

/* ---- shared --------------------------------------------------------------------------- */

/* The body as a JSON object (an empty body is {}); NULL with *why otherwise. */
json_t *grantd_body__load(const char *body, size_t len, const char **why)
{
    if (len == 0)
        return json_object();
    json_error_t err;
    json_t *root = json_loadb(body, len, JSON_REJECT_DUPLICATES, &err);
    if (!root) {
        *why = json_error_code(&err) == json_error_duplicate_key
                   ? "a member is repeated in the JSON body"
                   : "the body is not valid JSON (or holds a NUL character)";
        return NULL;
    }
    if (!json_is_object(root)) {
        json_decref(root);
        *why = "the body must be a JSON object";
        return NULL;
    }
    return root;
}

/* A member name fit to quote in a message (it is the client's text). */
static int quotable(const char *name)
{
    size_t n = strlen(name);
    return n >= 1 && n <= 64 &&
           strspn(name, "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789_.-") == n;
}

const char *grantd_body__unknown_member(struct grantd_arena *a, const char *name)
{
    if (!quotable(name))
        return "unknown member (names are letters, digits, '_', '.' and '-')";
    return grantd_arena_printf(a, "unknown member '%s'", name);
}

/* The string value of v copied into a, or NULL when v is not a string. */
const char *grantd_body__string_of(struct grantd_arena *a, json_t *v)
{
    return json_is_string(v) ? grantd_arena_strndup(a, json_string_value(v), json_string_length(v))
                             : NULL;
}

/* ---- clients -------------------------------------------------------------------------- */

struct client_parse {
    struct grantd_arena *a;
    struct grantd_client *c;
    int update;
    int insecure;         /* allow_insecure_redirect */
    int uris_given, wildcard_given, grants_given, name_given;
    json_t *response_types; /* checked once the grants are known */
    const char *why;
    /* a registration body (grantd_api_register_parse), else NULL */
    struct grantd_api_registration *reg;
    json_t *info;         /* its informational members */
    int uri_error;        /* the refusal is about redirect URIs (invalid_redirect_uri) */
    const char **post_logout; /* post_logout_redirect_uris when given (checked at the end) */
    size_t post_logout_count;
};

typedef int (*client_member_fn)(struct client_parse *p, const char *name, json_t *v);

static int fail(struct client_parse *p, const char *fmt, const char *name)
{
    p->why = grantd_arena_printf(p->a, fmt, name);
    return 0;
}

static int m_client_id(struct client_parse *p, const char *name, json_t *v)
{
    if (p->update)
        return fail(p, "%s cannot be changed", name);
    const char *id = grantd_body__string_of(p->a, v);
    if (!id || !grantd_rules_client_id_valid(id))
        return fail(p, "%s must be 1 to 128 characters of A-Z a-z 0-9 . _ ~ -", name);
    p->c->id = id;
    return 1;
}

static int m_client_name(struct client_parse *p, const char *name, json_t *v)
{
    const char *s = grantd_body__string_of(p->a, v), *why;
    if (!s)
        return fail(p, "%s must be a string", name);
    if ((why = grantd_rules_name_why(s)) != NULL) {
        p->why = grantd_arena_printf(p->a, "%s %s", name, why);
        return 0;
    }
    p->c->name = s;
    p->name_given = 1;
    return 1;
}

/* An array member of distinct strings (a repeated one counts once, as in the CLI), in
 * order, at most max of them, each passing check when there is one (its reason is given
 * as "NAME[i]: reason"): into *out (arena) and *count. 0 with p->why when refused. */
static int distinct_strings(struct client_parse *p, const char *name, json_t *v, size_t max,
                            const char *(*check)(const char *), const char ***out,
                            size_t *count)
{
    if (!json_is_array(v))
        return fail(p, "%s must be an array of strings", name);
    size_t n = json_array_size(v);
    const char **list = grantd_arena_alloc(p->a, (max ? max : 1) * sizeof(*list));
    *count = 0;
    for (size_t i = 0; i < n; i++) {
        const char *s = grantd_body__string_of(p->a, json_array_get(v, i)), *why;
        if (!s)
            return fail(p, "%s must be an array of strings", name);
        if (check && (why = check(s)) != NULL) {
            p->why = grantd_arena_printf(p->a, "%s[%zu]: %s", name, i, why);
            return 0;
        }
        size_t j = 0;
        while (j < *count && strcmp(list[j], s) != 0)
            j++;
        if (j < *count)
            continue;
        if (*count == max) {
            p->why = grantd_arena_printf(p->a, "%s may hold at most %zu URIs", name, max);
            return 0;
        }
        list[(*count)++] = s;
    }
    *out = list;
    return 1;
}

static int m_redirect_uris(struct client_parse *p, const char *name, json_t *v)
{
    /* the registration rules are checked with the whole record (check_client) */
    const char **uris;
    if (!distinct_strings(p, name, v, GRANTD_CLIENT_MAX_URIS, NULL, &uris,
                          &p->c->redirect_uri_count))
        return 0;
    p->c->redirect_uris = uris;
    p->uris_given = 1;
    return 1;
}

/* RFC 8707 resource indicators the client may ask tokens for: absolute URIs without a
 * fragment, the same rule as `grantd client create --resource`. */
static int m_resources(struct client_parse *p, const char *name, json_t *v)
{
    const char **list;
    size_t count;
    if (!distinct_strings(p, name, v, GRANTD_RESOURCE_MAX, grantd_resource_problem, &list,
                          &count))
        return 0;
    p->c->resources = grantd_scope_join(p->a, list, count);
    return 1;
}

/* OpenID Connect RP-Initiated Logout 1.0 §3.1: where logout may send the user back. The
 * URIs are checked with the whole record (check_client: allow_insecure_redirect applies);
 * null or [] clears them. */
static int m_post_logout(struct client_parse *p, const char *name, json_t *v)
{
    const char **list = NULL;
    p->post_logout_count = 0;
    if (!json_is_null(v) && !distinct_strings(p, name, v, GRANTD_CLIENT_MAX_URIS, NULL, &list,
                                               &p->post_logout_count))
        return 0;
    p->post_logout = list;
    p->c->post_logout_redirect_uris = grantd_scope_join(p->a, list, p->post_logout_count);
    return 1;
}

/* OpenID Connect Dynamic Client Registration 1.0 §2: RS256 (the default) or ES256; null
 * goes back to the default. */
static int m_id_token_alg(struct client_parse *p, const char *name, json_t *v)
{
    if (json_is_null(v)) {
        p->c->id_token_alg = NULL;
        return 1;
    }
    const char *alg = grantd_rules_id_token_alg(json_string_value(v));
    if (!alg)
        return fail(p, "%s must be RS256 or ES256", name);
    p->c->id_token_alg = alg;
    return 1;
}

static int m_grant_types(struct client_parse *p, const char *name, json_t *v)
{
    unsigned grants = 0;
    if (!json_is_array(v) || json_array_size(v) == 0)
        return fail(p, "%s must be a non-empty array of grant type names", name);
    for (size_t i = 0; i < json_array_size(v); i++) {
        json_t *g = json_array_get(v, i);
        if (!json_is_string(g) || !grantd_rules_grant_parse(json_string_value(g), &grants))
            return fail(p, "%s may hold only authorization_code, refresh_token and "
                           "client_credentials", name);
    }
    p->c->grants = grants;
    p->grants_given = 1;
    return 1;
}

static int m_response_types(struct client_parse *p, const char *name, json_t *v)
{
    if (!json_is_array(v))
        return fail(p, "%s must be an array of strings", name);
    p->response_types = v;
    return 1;
}

static int m_scope(struct client_parse *p, const char *name, json_t *v)
{
    const char *s = grantd_body__string_of(p->a, v), *why;
    if (!s)
        return fail(p, "%s must be a string", name);
    char *norm = grantd_arena_alloc(p->a, GRANTD_CLIENT_SCOPE_MAX + 1);
    if ((why = grantd_rules_scope_normalize(s, norm, GRANTD_CLIENT_SCOPE_MAX + 1)) != NULL) {
        p->why = grantd_arena_printf(p->a, "%s %s", name, why);
        return 0;
    }
    p->c->scope = norm;
    return 1;
}

static int m_auth_method(struct client_parse *p, const char *name, json_t *v)
{
    const char *m = json_string_value(v);
    int none = m && strcmp(m, "none") == 0, post = m && strcmp(m, "client_secret_post") == 0;
    if (!m || (!none && !post && strcmp(m, "client_secret_basic") != 0))
        return fail(p, "%s must be client_secret_basic, client_secret_post or none", name);
    if (p->update && none != p->c->is_public)
        return fail(p, "%s cannot change between none and a secret method (create another "
                       "client)", name);
    p->c->is_public = none;
    p->c->flags = post ? p->c->flags | GRANTD_CLIENT_SECRET_POST
                       : p->c->flags & ~(unsigned)GRANTD_CLIENT_SECRET_POST;
    return 1;
}

/* The boolean flags, by member name. */
static const struct {
    const char *name;
    unsigned bit;
} flag_members[] = {
    {"redirect_uri_wildcard", GRANTD_CLIENT_REDIRECT_WILDCARD},
    {"allow_plain_pkce", GRANTD_CLIENT_ALLOW_PLAIN_PKCE},
    {"always_consent", GRANTD_CLIENT_ALWAYS_CONSENT},
    {"introspect_any", GRANTD_CLIENT_INTROSPECT_ANY},
};

static int m_flag(struct client_parse *p, const char *name, json_t *v)
{
    if (!json_is_boolean(v))
        return fail(p, "%s must be true or false", name);
    for (size_t i = 0; i < sizeof(flag_members) / sizeof(flag_members[0]); i++) {
        if (strcmp(name, flag_members[i].name) != 0)
            continue;
        p->c->flags = json_is_true(v) ? p->c->flags | flag_members[i].bit
                                      : p->c->flags & ~flag_members[i].bit;
        if (flag_members[i].bit == GRANTD_CLIENT_REDIRECT_WILDCARD)
            p->wildcard_given = 1;
    }
    return 1;
}

static int m_insecure(struct client_parse *p, const char *name, json_t *v)
{
    if (!json_is_boolean(v))
        return fail(p, "%s must be true or false", name);
    p->insecure = json_is_true(v);
    return 1;
}

static int m_format(struct client_parse *p, const char *name, json_t *v)
{
    const char *f = json_string_value(v);
    if (!f || (strcmp(f, "jwt") != 0 && strcmp(f, "opaque") != 0))
        return fail(p, "%s must be opaque or jwt", name);
    p->c->flags = strcmp(f, "jwt") == 0 ? p->c->flags | GRANTD_CLIENT_JWT_ACCESS
                                        : p->c->flags & ~(unsigned)GRANTD_CLIENT_JWT_ACCESS;
    return 1;
}

/* code_ttl, access_ttl, refresh_ttl: seconds 1..max, null for the server's default;
 * refresh_ttl also "never" (or 0, as in the CLI and the configuration file). */
static int m_ttl(struct client_parse *p, const char *name, json_t *v)
{
    int refresh = strcmp(name, "refresh_ttl") == 0;
    int64_t max = refresh ? GRANTD_CLIENT_REFRESH_TTL_MAX
                  : strcmp(name, "code_ttl") == 0 ? GRANTD_CLIENT_CODE_TTL_MAX
                                                   : GRANTD_CLIENT_ACCESS_TTL_MAX;
    int64_t *slot = refresh ? &p->c->refresh_ttl
                    : strcmp(name, "code_ttl") == 0 ? &p->c->code_ttl : &p->c->access_ttl;
    json_int_t n = json_is_integer(v) ? json_integer_value(v) : -1;
    if (json_is_null(v))
        *slot = 0;
    else if (refresh &&
             (n == 0 || (json_is_string(v) && strcmp(json_string_value(v), "never") == 0)))
        *slot = GRANTD_TTL_NEVER;
    else if (n >= 1 && n <= max)
        *slot = n;
    else {
        p->why = grantd_arena_printf(p->a, "%s must be a number of seconds from 1 to %lld%s, "
                                           "or null for the server's default", name,
                                     (long long)max, refresh ? ", or \"never\"" : "");
        return 0;
    }
    return 1;
}

static int m_read_only(struct client_parse *p, const char *name, json_t *v)
{
    return fail(p, "%s is read-only", name);
}

static const struct {
    const char *name;
    client_member_fn fn;
} client_members[] = {
    {"client_id", m_client_id},
    {"client_name", m_client_name},
    {"redirect_uris", m_redirect_uris},
    {"grant_types", m_grant_types},
    {"response_types", m_response_types},
    {"resources", m_resources},
    {"post_logout_redirect_uris", m_post_logout},
    {"id_token_signed_response_alg", m_id_token_alg},
    {"scope", m_scope},
    {"token_endpoint_auth_method", m_auth_method},
    {"redirect_uri_wildcard", m_flag},
    {"allow_plain_pkce", m_flag},
    {"always_consent", m_flag},
    {"introspect_any", m_flag},
    {"access_token_format", m_format},
    {"code_ttl", m_ttl},
    {"access_ttl", m_ttl},
    {"refresh_ttl", m_ttl},
    {"allow_insecure_redirect", m_insecure},
    {"client_secret", m_read_only},
    {"client_id_issued_at", m_read_only},
    {"client_secret_expires_at", m_read_only},
    {"previous_secret_expires_at", m_read_only},
    {"disabled", m_read_only},
    {"created_at", m_read_only},
    {"updated_at", m_read_only},
};

#define CLIENT_MEMBER_COUNT (sizeof(client_members) / sizeof(client_members[0]))

static int register_member(struct client_parse *p, const char *name, json_t *v);

/* One member through its table entry; 0 with p->why when it is refused. */
static int client_member(struct client_parse *p, const char *name, json_t *v)
{
    if (p->reg)
        return register_member(p, name, v);
    for (size_t i = 0; i < CLIENT_MEMBER_COUNT; i++) {
        if (strcmp(name, client_members[i].name) != 0)
            continue;
        if (json_is_null(v) && client_members[i].fn != m_ttl &&
            client_members[i].fn != m_post_logout && client_members[i].fn != m_id_token_alg)
            return fail(p, "%s cannot be null", name);
        return client_members[i].fn(p, name, v);
    }
    p->why = grantd_body__unknown_member(p->a, name);
    return 0;
}

/* response_types, once the grants are known: ["code"] exactly when the client has the
 * authorization_code grant (the only response type grantd answers), else []. */
static int check_response_types(struct client_parse *p)
{
    json_t *v = p->response_types;
    if (!v)
        return 1;
    int code = (p->c->grants & GRANTD_GRANT_AUTHORIZATION_CODE) != 0;
    json_t *first = json_array_get(v, 0);
    int ok = code ? json_array_size(v) == 1 && json_is_string(first) &&
                        strcmp(json_string_value(first), "code") == 0
                  : json_array_size(v) == 0;
    if (!ok)
        p->why = "response_types must be [\"code\"] with the authorization_code grant, "
                 "else []";
    return ok;
}

/* The record as a whole. */
static int check_client(struct client_parse *p)
{
    struct grantd_client *c = p->c;
    if (!p->update && !p->name_given && !p->reg) {
        p->why = "client_name is required";
        return 0;
    }
    if (p->reg && (c->grants & GRANTD_GRANT_AUTHORIZATION_CODE) && c->redirect_uri_count == 0) {
        p->why = "redirect_uris is required with the authorization_code grant";
        p->uri_error = 1;
        return 0;
    }
    if (c->is_public && (c->grants & GRANTD_GRANT_CLIENT_CREDENTIALS)) {
        p->why = "public clients (token_endpoint_auth_method none) cannot use "
                 "client_credentials";
        return 0;
    }
    if (!check_response_types(p))
        return 0;
    for (size_t i = 0; i < p->post_logout_count; i++) {
        const char *why = grantd_rules_post_logout_uri_why(p->post_logout[i], p->insecure);
        if (why) {
            p->why = grantd_arena_printf(p->a, "post_logout_redirect_uris[%zu]: %s", i, why);
            return 0;
        }
    }
    if (!p->uris_given && !p->wildcard_given)
        return 1;
    int wildcard = (c->flags & GRANTD_CLIENT_REDIRECT_WILDCARD) != 0;
    for (size_t i = 0; i < c->redirect_uri_count; i++) {
        const char *why = NULL;
        if (grantd_redirect_uri_check_registration(c->redirect_uris[i], p->insecure, wildcard,
                                                   &why) != GRANTD_OK) {
            p->why = grantd_arena_printf(p->a, "redirect_uris[%zu]: %s", i, why);
            p->uri_error = 1;
            return 0;
        }
    }
    return 1;
}

grantd_rc grantd_api_client_parse(struct grantd_arena *a, const char *body, size_t len,
                                  int update, struct grantd_client *c, const char **why)
{
    struct client_parse p = {.a = a, .c = c, .update = update};
    if (!update) {
        memset(c, 0, sizeof(*c));
        c->scope = "";
        c->grants = GRANTD_GRANT_AUTHORIZATION_CODE | GRANTD_GRANT_REFRESH_TOKEN;
    }
    json_t *root = grantd_body__load(body, len, why);
    if (!root)
        return GRANTD_EINVAL;
    const char *name;
    json_t *v;
    int ok = 1;
    json_object_foreach(root, name, v) {
        if (!(ok = client_member(&p, name, v)))
            break;
    }
    if (ok)
        ok = check_client(&p);
    json_decref(root);
    if (!ok)
        *why = p.why;
    return ok ? GRANTD_OK : GRANTD_EINVAL;
}

/* ---- registration (RFC 7591 §2, RFC 7592 §2.2) ---------------------------------------- */

#define INFO_URI_MAX 2000
#define INFO_CONTACTS_MAX 8

/* An absolute http(s) URL of printable ASCII without spaces, quotes, angle brackets or
 * backslashes, at most INFO_URI_MAX bytes: shown back as text, never fetched. */
static int info_uri_ok(const char *u)
{
    size_t n = strlen(u);
    if (n > INFO_URI_MAX || !grantd_rules_is_token(u, INFO_URI_MAX) ||
        strcspn(u, "\"<>\\`") != n)
        return 0;
    const char *rest = strncmp(u, "https://", 8) == 0  ? u + 8
                       : strncmp(u, "http://", 7) == 0 ? u + 7
                                                       : NULL;
    return rest && *rest && *rest != '/';
}

/* client_uri, logo_uri, tos_uri, policy_uri and contacts: kept in p->info as given. */
static int info_member(struct client_parse *p, const char *name, json_t *v)
{
    if (strcmp(name, "contacts") != 0) {
        const char *u = json_string_value(v);
        if (!u || !info_uri_ok(u))
            return fail(p, "%s must be an absolute http or https URL (at most 2000 "
                           "characters)", name);
        json_object_set(p->info, name, v);
        return 1;
    }
    size_t n = json_is_array(v) ? json_array_size(v) : 0;
    if (!json_is_array(v) || n > INFO_CONTACTS_MAX)
        return fail(p, "%s must be an array of at most 8 e-mail addresses", name);
    for (size_t i = 0; i < n; i++) {
        const char *e = json_string_value(json_array_get(v, i));
        if (!e || grantd_rules_email_why(e))
            return fail(p, "%s must be an array of at most 8 e-mail addresses", name);
    }
    json_object_set(p->info, name, v);
    return 1;
}

static int is_info(const char *name)
{
    static const char *const info[] = {"client_uri", "logo_uri", "tos_uri", "policy_uri",
                                       "contacts"};
    for (size_t i = 0; i < sizeof(info) / sizeof(info[0]); i++)
        if (strcmp(info[i], name) == 0)
            return 1;
    return 0;
}

/* 1 when name is one of the members this registration accepts. */
static int reg_allowed(const struct grantd_api_registration *r, const char *name)
{
    static const char *const all[] = GRANTD_REGISTRATION_MEMBERS;
    const char *const *list = r->allowed ? r->allowed : all;
    for (size_t i = 0; list[i]; i++)
        if (strcmp(list[i], name) == 0)
            return 1;
    return 0;
}

int grantd_api_registration_accepts(const struct grantd_api_registration *r, const char *name)
{
    return reg_allowed(r, name);
}

/* 1 when grantd knows name as a client member (so it is refused, not ignored, when it is
 * not accepted). */
static int reg_known(const char *name)
{
    static const char *const all[] = GRANTD_REGISTRATION_MEMBERS;
    for (size_t i = 0; all[i]; i++)
        if (strcmp(all[i], name) == 0)
            return 1;
    for (size_t i = 0; i < CLIENT_MEMBER_COUNT; i++)
        if (strcmp(client_members[i].name, name) == 0)
            return 1;
    return 0;
}

/* A member of a registration body. The identifiers of RFC 7592's PUT (client_id,
 * client_secret) are handed to the caller; what the server sets is refused; a member grantd
 * does not know is ignored (RFC 7591 §2: "MUST ignore any client metadata ... that it does
 * not understand"); one it knows but does not accept here (grantd's own, or one the
 * issuer's registration.metadata leaves out) is refused, so the client learns it will not
 * get it. null is the same as absent (RFC 7592 §2.2). */
static int register_member(struct client_parse *p, const char *name, json_t *v)
{
    static const char *const server_set[] = {"registration_access_token",
                                             "registration_client_uri", "client_id_issued_at",
                                             "client_secret_expires_at"};
    int is_id = strcmp(name, "client_id") == 0, is_secret = strcmp(name, "client_secret") == 0;
    if (is_id || is_secret) {
        const char *text = grantd_body__string_of(p->a, v);
        if (!text)
            return fail(p, "%s must be a string", name);
        *(is_id ? &p->reg->client_id : &p->reg->client_secret) = text;
        return 1;
    }
    for (size_t i = 0; i < sizeof(server_set) / sizeof(server_set[0]); i++)
        if (strcmp(server_set[i], name) == 0)
            return fail(p, "%s is set by the server", name);
    if (!reg_known(name) || json_is_null(v))
        return 1;
    if (!reg_allowed(p->reg, name))
        return fail(p, "%s is not accepted at registration", name);
    if (is_info(name))
        return info_member(p, name, v);
    for (size_t i = 0; i < CLIENT_MEMBER_COUNT; i++) {
        if (strcmp(name, client_members[i].name) != 0)
            continue;
        int ok = client_members[i].fn(p, name, v);
        if (!ok && strcmp(name, "redirect_uris") == 0)
            p->uri_error = 1;
        return ok;
    }
    return 1;
}

grantd_rc grantd_api_register_parse(struct grantd_arena *a, const char *body, size_t len,
                                    struct grantd_api_registration *r, struct grantd_client *c,
                                    const char **why)
{
    struct client_parse p = {.a = a, .c = c, .reg = r, .info = json_object()};
    memset(c, 0, sizeof(*c));
    c->scope = "";
    c->grants = GRANTD_GRANT_AUTHORIZATION_CODE; /* RFC 7591 §2: the default grant */
    r->client_id = r->client_secret = NULL;
    r->metadata = "{}";
    r->error = "invalid_client_metadata";
    json_t *root = grantd_body__load(body, len, why);
    int ok = root != NULL;
    const char *name;
    json_t *v;
    if (ok) {
        json_object_foreach(root, name, v) {
            if (!(ok = register_member(&p, name, v)))
                break;
        }
    }
    if (ok)
        ok = check_client(&p);
    if (ok) {
        char *text = json_dumps(p.info, JSON_COMPACT | JSON_SORT_KEYS);
        r->metadata = grantd_arena_strdup(a, text);
        free(text);
    } else if (root) {
        *why = p.why;
    }
    if (!ok && p.uri_error)
        r->error = "invalid_redirect_uri";
    json_decref(root);
    json_decref(p.info);
    return ok ? GRANTD_OK : GRANTD_EINVAL;
}
