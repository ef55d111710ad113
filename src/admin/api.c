/* The admin API's front: authentication by admin key, the tenant of the path and what the
 * key may see of it, and the route table below /v1/tenants. Then one handler per row
 * (clients.c, users.c, tenants.c, registration_tokens.c, audit_api.c) answers.
 *
 * Order, so that nothing is told to whoever has no key: the key first (401 with
 * WWW-Authenticate: Bearer realm="grantd-admin"), then the path (404, 405 with Allow), then
 * the tenant: an unknown tenant and a tenant the key may not see get the same 404, so a key
 * of one tenant learns nothing of another. Bodies must be application/json.
 *
 * Not here: what each route does, the JSON bodies (body.c), the store. */
#include "admin/api.h"

#include <stdio.h>
#include <string.h>

#include "admin/api_int.h"
#include "admin/audit.h"
#include "core/log.h"
#include "oauth/bearer.h"
#include "oauth/event.h"

#define API_ROOT "/v1/tenants"
#define PAGE_DEFAULT 100
#define PAGE_MAX 500
#define MAX_SEGMENTS 4

/* Paths below /v1/tenants: segments separated by '/', "*" standing for the tenant (the
 * first) or a record's id (the third). */
static const struct {
    const char *method;
    const char *pattern;
    api_handler_fn fn;
} api_routes[] = {
    {"GET", "", grantd_api_tenants_list},
    {"GET", "*", grantd_api_tenant_show},
    {"GET", "*/keys", grantd_api_keys_list},
    {"POST", "*/keys/rotate", grantd_api_keys_rotate},
    {"POST", "*/keys/*/revoke", grantd_api_keys_revoke},
    {"GET", "*/clients", grantd_api_clients_list},
    {"POST", "*/clients", grantd_api_client_create},
    {"GET", "*/clients/*", grantd_api_client_show},
    {"PATCH", "*/clients/*", grantd_api_client_update},
    {"DELETE", "*/clients/*", grantd_api_client_delete},
    {"POST", "*/clients/*/disable", grantd_api_client_disable},
    {"POST", "*/clients/*/enable", grantd_api_client_enable},
    {"POST", "*/clients/*/secret", grantd_api_client_secret},
    {"GET", "*/users", grantd_api_users_list},
    {"POST", "*/users", grantd_api_user_create},
    {"GET", "*/users/*", grantd_api_user_show},
    {"PATCH", "*/users/*", grantd_api_user_update},
    {"POST", "*/users/*/disable", grantd_api_user_disable},
    {"POST", "*/users/*/enable", grantd_api_user_enable},
    {"PUT", "*/users/*/password", grantd_api_user_password},
    {"POST", "*/registration-tokens", grantd_api_registration_token_create},
    {"GET", "*/audit", grantd_api_audit_list},
};

#define ROUTE_COUNT (sizeof(api_routes) / sizeof(api_routes[0]))

/* ---- answers -------------------------------------------------------------------------- */

void grantd_api_json(struct api_ctx *x, unsigned status, json_t *body)
{
    grantd_response_json(x->req, x->resp, status, body);
}

void grantd_api_fail(struct api_ctx *x, unsigned status, const char *error, const char *why)
{
    grantd_response_error(x->req, x->resp, status, error, why);
}

void grantd_api_bad(struct api_ctx *x, const char *why)
{
    grantd_api_fail(x, 400, "invalid_request", why);
}

/* Ids and names in paths are the caller's text: quoted only when they are plain. */
static int plain(const char *s)
{
    size_t n = strlen(s);
    return n >= 1 && n <= 128 &&
           strspn(s, "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789._~-") == n;
}

void grantd_api_not_found(struct api_ctx *x, const char *what, const char *name)
{
    const char *why = name && plain(name)
                          ? grantd_arena_printf(x->req->arena, "no %s '%s'", what, name)
                          : grantd_arena_printf(x->req->arena, "no such %s", what);
    grantd_api_fail(x, 404, "not_found", why);
}

void grantd_api_store_fail(struct api_ctx *x, grantd_rc rc, const char *what, const char *name)
{
    if (rc == GRANTD_ENOTFOUND)
        grantd_api_not_found(x, what, name);
    else if (rc == GRANTD_EEXIST)
        grantd_api_fail(x, 409, "conflict",
                        name && plain(name)
                            ? grantd_arena_printf(x->req->arena, "%s '%s' already exists", what,
                                                  name)
                            : grantd_arena_printf(x->req->arena, "the %s already exists", what));
    else
        grantd_response_internal(x->req, x->resp, rc);
}

struct grantd_actor grantd_api_actor(const struct api_ctx *x)
{
    struct grantd_actor who = {"admin_key", x->key.id, x->key.name};
    return who;
}

void grantd_api_change_logged(struct api_ctx *x, const char *action, const char *id)
{
    grantd_log(GRANTD_LOG_INFO, "admin_change", "{s:s,s:s,s:s,s:s,s:s,s:s}", "request_id",
               x->req->request_id, "key_id", x->key.id, "key_name", x->key.name, "action",
               action, "tenant", x->tenant.name ? x->tenant.name : "", "record", id ? id : "");
}

grantd_rc grantd_api_audit_end(struct api_ctx *x, const char *action, const char *kind,
                               const char *id, json_t *details, grantd_rc rc)
{
    struct grantd_actor who = grantd_api_actor(x);
    rc = grantd_audit_end(x->store, &who, x->tenant.id, x->now, action, kind, id, details, rc);
    if (rc == GRANTD_OK)
        grantd_api_change_logged(x, action, id);
    return rc;
}

int grantd_api_page_params(struct api_ctx *x, size_t *limit, const char **after)
{
    const char *text = NULL;
    *limit = PAGE_DEFAULT;
    *after = NULL;
    grantd_rc rc = grantd_params_get(&x->req->query, "limit", &text);
    grantd_rc arc = grantd_params_get(&x->req->query, "after", after);
    int ok = x->req->query_rc == GRANTD_OK && rc != GRANTD_EREPEATED && arc != GRANTD_EREPEATED;
    if (ok && text) {
        size_t n = strlen(text), v = 0;
        ok = n >= 1 && n <= 3 && strspn(text, "0123456789") == n;
        for (size_t i = 0; ok && i < n; i++)
            v = v * 10 + (size_t)(text[i] - '0');
        ok = ok && v >= 1 && v <= PAGE_MAX;
        *limit = v;
    }
    if (!ok)
        grantd_api_bad(x, "limit must be a number from 1 to 500, after an id from the list "
                          "(each at most once)");
    return ok;
}

int grantd_api_page(struct api_ctx *x, const void *list, size_t n,
                    const char *(*id)(const void *list, size_t i), const char *what,
                    struct api_page *out)
{
    size_t limit;
    const char *after;
    if (!grantd_api_page_params(x, &limit, &after))
        return 0;
    out->start = 0;
    if (after) {
        while (out->start < n && strcmp(id(list, out->start), after) != 0)
            out->start++;
        if (out->start == n) {
            grantd_api_bad(x, grantd_arena_printf(x->req->arena,
                                                  "after names no %s of this tenant", what));
            return 0;
        }
        out->start++;
    }
    out->end = out->start + limit < n ? out->start + limit : n;
    out->next = out->end < n && out->end > 0 ? id(list, out->end - 1) : NULL;
    return 1;
}

/* ---- authentication ------------------------------------------------------------------- */

static void unauthorized(struct api_ctx *x, const char *error, const char *why)
{
    grantd_api_fail(x, 401, error, why);
    grantd_response_header(x->resp, "WWW-Authenticate",
                           strcmp(error, "invalid_token") == 0
                               ? "Bearer realm=\"grantd-admin\", error=\"invalid_token\""
                               : "Bearer realm=\"grantd-admin\"");
}

/* 1 when the request carries a live admin key (x->key); else answers 401 (or 500). */
static int authenticate(struct api_ctx *x)
{
    const char *text = grantd_bearer_presented(x->req);
    if (!text) {
        unauthorized(x, "unauthorized", "an admin API key is required: Authorization: "
                                        "Bearer KEY (grantd admin-key create)");
        return 0;
    }
    unsigned char hash[GRANTD_SHA256_LEN];
    grantd_rc rc = grantd_store_hash_secret(x->store, text, hash);
    if (rc == GRANTD_OK &&
        strncmp(text, GRANTD_API_KEY_PREFIX, strlen(GRANTD_API_KEY_PREFIX)) != 0)
        rc = GRANTD_ENOTFOUND; /* not an admin key at all: no need to ask the store */
    if (rc == GRANTD_OK)
        rc = grantd_store_admin_key_find(x->store, x->req->arena, hash, &x->key);
    if (rc == GRANTD_OK && x->key.revoked_at == 0)
        return 1;
    if (rc == GRANTD_OK || rc == GRANTD_ENOTFOUND)
        unauthorized(x, "invalid_token", "the admin API key is unknown or revoked");
    else
        grantd_response_internal(x->req, x->resp, rc);
    return 0;
}

grantd_rc grantd_api_key_new(struct grantd_store *s, char text[GRANTD_API_KEY_LEN],
                             unsigned char hash[GRANTD_SHA256_LEN])
{
    char random[48];
    grantd_rc rc = grantd_random_token(32, random);
    if (rc != GRANTD_OK)
        return rc;
    snprintf(text, GRANTD_API_KEY_LEN, "%s%s", GRANTD_API_KEY_PREFIX, random);
    explicit_bzero(random, sizeof(random));
    return grantd_store_hash_secret(s, text, hash);
}

/* ---- routing -------------------------------------------------------------------------- */

/* Splits rest ("" or "/a/b") into at most MAX_SEGMENTS non-empty segments (arena copies);
 * -1 when there are more or one is empty. */
static int split(struct grantd_arena *a, const char *rest, const char **seg)
{
    int n = 0;
    while (*rest) {
        if (*rest != '/' || n == MAX_SEGMENTS)
            return -1;
        rest++;
        size_t len = strcspn(rest, "/");
        if (len == 0)
            return -1;
        seg[n++] = grantd_arena_strndup(a, rest, len);
        rest += len;
    }
    return n;
}

/* 1 when the n segments match pattern. */
static int matches(const char *pattern, const char **seg, int n)
{
    int i = 0;
    for (const char *p = pattern; *p; i++) {
        size_t len = strcspn(p, "/");
        if (i >= n || (!(len == 1 && *p == '*') &&
                       (strlen(seg[i]) != len || strncmp(seg[i], p, len) != 0)))
            return 0;
        p += len + (p[len] == '/');
    }
    return i == n;
}

/* The row for the request, or NULL having answered 404 or 405. */
static int route(struct api_ctx *x, const char **seg, int n)
{
    const char *method = strcmp(x->req->method, "HEAD") == 0 ? "GET" : x->req->method;
    char allow[64] = "";
    for (size_t i = 0; n >= 0 && i < ROUTE_COUNT; i++) {
        if (!matches(api_routes[i].pattern, seg, n))
            continue;
        if (strcmp(api_routes[i].method, method) == 0)
            return (int)i;
        size_t used = strlen(allow);
        snprintf(allow + used, sizeof(allow) - used, "%s%s", used ? ", " : "",
                 api_routes[i].method);
    }
    if (!allow[0]) {
        grantd_api_fail(x, 404, "not_found", "no endpoint at this path");
        return -1;
    }
    grantd_api_fail(x, 405, "invalid_request", "method not allowed on this path");
    grantd_response_header(x->resp, "Allow", grantd_arena_strdup(x->req->arena, allow));
    return -1;
}

/* The tenant named name, if the key may see it (x->tenant, x->iss); else 404. */
static int find_tenant(struct api_ctx *x, const char *name)
{
    grantd_rc rc = grantd_store_tenant_find(x->store, x->req->arena, name, &x->tenant);
    if (rc == GRANTD_OK && x->key.tenant && x->key.tenant != x->tenant.id)
        rc = GRANTD_ENOTFOUND; /* the same answer as a tenant that does not exist */
    if (rc != GRANTD_OK) {
        memset(&x->tenant, 0, sizeof(x->tenant));
        grantd_api_store_fail(x, rc, "tenant", name);
        return 0;
    }
    size_t count;
    const struct grantd_issuer *all = grantd_app_issuers(x->req->app, &count);
    for (size_t i = 0; i < count; i++)
        if (all[i].tenant == x->tenant.id)
            x->iss = &all[i];
    return 1;
}

/* A body sent with a request must be JSON. */
static int body_ok(struct api_ctx *x)
{
    if (x->req->body_len == 0 || x->req->body_kind == GRANTD_BODY_JSON)
        return 1;
    grantd_api_bad(x, "the body must be application/json");
    return 0;
}

void grantd_admin_api_endpoint(struct grantd_request *req, struct grantd_response *resp)
{
    struct api_ctx x = {.req = req, .resp = resp, .store = req->app->store,
                        .now = req->app->now()};
    const char *seg[MAX_SEGMENTS];
    if (!authenticate(&x))
        return;
    const char *rest = req->path + strlen(API_ROOT);
    int n = strncmp(req->path, API_ROOT, strlen(API_ROOT)) == 0 ? split(req->arena, rest, seg)
                                                                : -1;
    int r = route(&x, seg, n);
    if (r < 0 || !body_ok(&x))
        return;
    if (n >= 1 && !find_tenant(&x, seg[0]))
        return;
    x.arg = n >= 3 ? seg[2] : NULL;
    struct grantd_event_who where; /* the audit events of its changes (admin/audit.c) */
    grantd_event_scope_begin(req, &where);
    where.issuer = x.iss ? x.iss->url : NULL;
    api_routes[r].fn(&x);
    grantd_event_scope_end();
}
