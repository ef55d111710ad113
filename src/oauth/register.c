/* Dynamic client registration: POST /register (RFC 7591 §3) and the client configuration
 * endpoint /register/CLIENT_ID (RFC 7592: GET reads, PUT replaces, DELETE removes).
 *
 * Routed only for an issuer whose registration.mode is not off (oauth/routes.c, the
 * GRANTD_ROUTE_OPTIONAL row); otherwise /register is a 404 and discovery does not name it.
 * With mode token a registration needs an initial access token (`grantd registration-token
 * create`, Authorization: Bearer), one use of which is taken in the same store transaction
 * that creates the client; mode open needs none.
 *
 * Every client registered here gets a registration access token (only its keyed hash is
 * stored). It is rotated on every use: GET and PUT answer a new one and the one presented
 * stops working, by a compare-and-swap in the store, so of two requests with the same token
 * only one succeeds. DELETE disables the client first (its tokens, codes and consents die and
 * the revocation feed says so, as `grantd client disable`) and then deletes it.
 *
 * Bodies: the admin API's client parser in its registration mode (admin/body.h): RFC 7591
 * member names limited to the issuer's registration.metadata, unknown members ignored,
 * redirect URIs under the registration rules; scopes limited to the issuer's `scopes`.
 * Errors: 400 invalid_redirect_uri / invalid_client_metadata (RFC 7591 §3.2.2), 401 with
 * WWW-Authenticate: Bearer (RFC 6750) for a missing or bad token.
 *
 * Not here: the parser (admin/body.c), the JSON of a client (admin/json.c), SQL. */
#include <string.h>

#include "admin/api.h"
#include "admin/audit.h"
#include "admin/body.h"
#include "admin/rules.h"
#include "core/clock.h"
#include "core/log.h"
#include "http/app.h"
#include "oauth/bearer.h"
#include "oauth/endpoints.h"
#include "oauth/event.h"
#include "oauth/scope.h"

#define REGISTER_PATH "/register"
#define REALM "Bearer realm=\"grantd-registration\""

struct reg_ctx {
    struct grantd_request *req;
    struct grantd_response *resp;
    struct grantd_store *store;
    const struct grantd_config *cfg;
    int64_t now;
};

/* ---- answers -------------------------------------------------------------------------- */

/* 401 (RFC 6750 §3): no token at all gets no error attribute; a bad one invalid_token. */
static void unauthorized(struct reg_ctx *x, int sent, const char *why)
{
    grantd_response_error(x->req, x->resp, 401, sent ? "invalid_token" : "unauthorized", why);
    grantd_response_header(x->resp, "WWW-Authenticate",
                           sent ? REALM ", error=\"invalid_token\"" : REALM);
}

static void bad(struct reg_ctx *x, const char *error, const char *why)
{
    grantd_response_error(x->req, x->resp, 400, error, why);
}

static void not_allowed(struct reg_ctx *x, const char *allow)
{
    grantd_response_error(x->req, x->resp, 405, "invalid_request",
                          "method not allowed on this path");
    grantd_response_header(x->resp, "Allow", allow);
}

/* The client as registered, with its registration access token and configuration URL. */
static void answer(struct reg_ctx *x, unsigned status, const struct grantd_client *c,
                   const char *secret, const char *metadata, const char *token)
{
    json_t *o = grantd_api_registration_json(c, secret, metadata);
    json_object_set_new(o, "registration_access_token", json_string(token));
    json_object_set_new(o, "registration_client_uri",
                        json_string(grantd_arena_printf(x->req->arena, "%s%s/%s",
                                                        x->req->iss->url, REGISTER_PATH,
                                                        c->id)));
    grantd_response_json(x->req, x->resp, status, o);
}

static void event(struct reg_ctx *x, const char *action, const char *client_id)
{
    grantd_log(GRANTD_LOG_INFO, "client_registration", "{s:s,s:s,s:s,s:s}", "request_id",
               x->req->request_id, "action", action, "issuer", x->req->iss->url, "client_id",
               client_id);
}

/* ---- the body ------------------------------------------------------------------------- */

/* The issuer's scopes (the `scopes` list) joined, or "" when it lists none. */
static const char *issuer_scopes(struct reg_ctx *x)
{
    const char **names = grantd_arena_alloc(x->req->arena,
                                            (x->cfg->scope_count + 1) * sizeof(*names));
    for (size_t i = 0; i < x->cfg->scope_count; i++)
        names[i] = x->cfg->scopes[i].name;
    return grantd_scope_join(x->req->arena, names, x->cfg->scope_count);
}

/* Parses the body into *c and *r (answering 400 when it is refused); scope is limited to
 * the issuer's scopes, and absent means all of them. */
static int parse(struct reg_ctx *x, struct grantd_client *c, struct grantd_api_registration *r)
{
    const char *why = NULL, **tokens;
    size_t count;
    if (x->req->body_kind != GRANTD_BODY_JSON) {
        bad(x, "invalid_client_metadata", "the body must be application/json");
        return 0;
    }
    r->allowed = (const char *const *)x->cfg->registration.metadata;
    if (grantd_api_register_parse(x->req->arena, x->req->body, x->req->body_len, r, c, &why) !=
        GRANTD_OK) {
        bad(x, r->error, why);
        return 0;
    }
    const char *offered = issuer_scopes(x);
    if (!c->scope[0]) {
        c->scope = offered;
        return 1;
    }
    if ((why = grantd_scope_refusal(x->req->arena, c->scope, offered, &tokens, &count))) {
        bad(x, "invalid_client_metadata",
            grantd_arena_printf(x->req->arena, "scope: %s", why));
        return 0;
    }
    return 1;
}

/* ---- POST /register ------------------------------------------------------------------- */

/* The initial access token's hash into iat and its id into *iat_id (request arena) when the
 * issuer requires one; 0 having answered 401 (or 500) when it is missing or cannot be one.
 * *need is 0 in open mode (*iat_id NULL). */
static int initial_token(struct reg_ctx *x, unsigned char iat[GRANTD_SHA256_LEN], int *need,
                         const char **iat_id)
{
    *iat_id = NULL;
    *need = grantd_config_registration(x->cfg) == 1;
    if (!*need)
        return 1;
    const char *text = grantd_bearer_presented(x->req);
    if (!text) {
        unauthorized(x, 0, "an initial access token is required: Authorization: Bearer "
                           "TOKEN (grantd registration-token create)");
        return 0;
    }
    if (strncmp(text, GRANTD_IAT_PREFIX, strlen(GRANTD_IAT_PREFIX)) != 0) {
        unauthorized(x, 1, "the initial access token is unknown, expired or used up");
        return 0;
    }
    struct grantd_registration_token t;
    grantd_rc rc = grantd_store_hash_secret(x->store, text, iat);
    if (rc == GRANTD_OK)
        rc = grantd_store_registration_token_find(x->store, x->req->arena, x->req->iss->tenant,
                                                  iat, &t);
    /* refused before the body is read, so an outsider learns nothing of the rules; the
     * store takes the use atomically later (registration_put), which decides again */
    if (rc == GRANTD_OK && ((t.expires_at && t.expires_at <= x->now) || t.uses_left == 0))
        rc = GRANTD_ENOTFOUND;
    if (rc == GRANTD_ENOTFOUND)
        unauthorized(x, 1, "the initial access token is unknown, expired or used up");
    else if (rc != GRANTD_OK)
        grantd_response_internal(x->req, x->resp, rc);
    else
        *iat_id = t.id;
    return rc == GRANTD_OK;
}

static void create(struct reg_ctx *x)
{
    struct grantd_client c;
    struct grantd_api_registration r;
    struct grantd_registration reg;
    unsigned char iat[GRANTD_SHA256_LEN];
    char id[32], secret[GRANTD_CLIENT_SECRET_LEN] = "", token[GRANTD_REG_TOKEN_LEN] = "";
    const char *iat_id;
    int need;
    if (!initial_token(x, iat, &need, &iat_id) || !parse(x, &c, &r))
        return;
    grantd_rc rc = grantd_rules_random_id(id);
    c.id = id;
    c.name = c.name ? c.name : c.id;
    c.tenant = x->req->iss->tenant;
    c.created_at = c.updated_at = x->now;
    c.tokens_after = grantd_clock_now_us();
    if (rc == GRANTD_OK && !c.is_public)
        rc = grantd_rules_new_secret(x->store, secret, c.secret_hash);
    reg = (struct grantd_registration){c.tenant, c.id, {0}, r.metadata};
    if (rc == GRANTD_OK)
        rc = grantd_rules_new_token(x->store, GRANTD_RAT_PREFIX, token, reg.token_hash);
    /* audited as made by the registration (with the initial access token's id, none when
     * registration is open), in the same transaction as the client */
    struct grantd_actor who = grantd_audit_registration(iat_id);
    if (rc == GRANTD_OK)
        rc = grantd_store_audit_begin(x->store);
    if (rc == GRANTD_OK)
        rc = grantd_audit_end(x->store, &who, c.tenant, x->now, "client.create", "client", c.id,
                              grantd_audit_client_created(&c),
                              grantd_store_registration_put(x->store, &c, &reg,
                                                            need ? iat : NULL, x->now));
    if (rc == GRANTD_OK) {
        event(x, "register", c.id);
        answer(x, 201, &c, c.is_public ? NULL : secret, r.metadata, token);
    } else if (rc == GRANTD_ECONFLICT) {
        unauthorized(x, 1, "the initial access token is unknown, expired or used up");
    } else {
        grantd_response_internal(x->req, x->resp, rc);
    }
    explicit_bzero(secret, sizeof(secret));
    explicit_bzero(token, sizeof(token));
}

/* ---- /register/CLIENT_ID -------------------------------------------------------------- */

/* The client id's registration when the request carries its registration access token
 * (*old gets its hash); 0 having answered 401 (or 500) otherwise. Every mismatch (no such
 * client, one not registered here, another token) gets the same 401 (RFC 7592 §2). */
static int authenticate(struct reg_ctx *x, const char *id, struct grantd_registration *reg,
                        unsigned char old[GRANTD_SHA256_LEN])
{
    const char *text = grantd_bearer_presented(x->req);
    if (!text) {
        unauthorized(x, 0, "the registration access token is required: Authorization: "
                           "Bearer TOKEN");
        return 0;
    }
    grantd_rc rc = grantd_store_hash_secret(x->store, text, old);
    if (rc == GRANTD_OK)
        rc = grantd_store_registration_get(x->store, x->req->arena, x->req->iss->tenant, id,
                                           reg);
    if (rc == GRANTD_OK && grantd_ct_equal(reg->token_hash, old, GRANTD_SHA256_LEN))
        return 1;
    if (rc == GRANTD_OK || rc == GRANTD_ENOTFOUND)
        unauthorized(x, 1, "the registration access token is not valid for this client");
    else
        grantd_response_internal(x->req, x->resp, rc);
    return 0;
}

/* Rotates the token (and with c, updates the client) and answers the client with the new
 * token. */
static void rotate_answer(struct reg_ctx *x, const struct grantd_client *c,
                          const struct grantd_client *update, const char *metadata,
                          const unsigned char old[GRANTD_SHA256_LEN])
{
    char token[GRANTD_REG_TOKEN_LEN] = "";
    struct grantd_registration next = {c->tenant, c->id, {0}, metadata};
    grantd_rc rc = grantd_rules_new_token(x->store, GRANTD_RAT_PREFIX, token, next.token_hash);
    if (rc == GRANTD_OK && !update) { /* a read rotates the token only: no client change */
        rc = grantd_store_registration_rotate(x->store, NULL, &next, old, x->now);
    } else if (rc == GRANTD_OK) { /* an update: by the client itself (RFC 7592) */
        struct grantd_actor who = grantd_audit_client(c->id);
        rc = grantd_store_audit_begin(x->store);
        if (rc == GRANTD_OK)
            rc = grantd_audit_end(x->store, &who, c->tenant, x->now, "client.update", "client",
                                  c->id, grantd_audit_members(x->req->body, x->req->body_len),
                                  grantd_store_registration_rotate(x->store, update, &next,
                                                                   old, x->now));
    }
    if (rc == GRANTD_OK) {
        event(x, update ? "update" : "read", c->id);
        answer(x, 200, c, NULL, metadata, token);
    } else if (rc == GRANTD_ECONFLICT) { /* another request used the token first */
        unauthorized(x, 1, "the registration access token is not valid for this client");
    } else {
        grantd_response_internal(x->req, x->resp, rc);
    }
    explicit_bzero(token, sizeof(token));
}

static int load_client(struct reg_ctx *x, const char *id, struct grantd_client *c)
{
    grantd_rc rc = grantd_store_client_get(x->store, x->req->arena, x->req->iss->tenant, id, c);
    if (rc == GRANTD_ENOTFOUND)
        unauthorized(x, 1, "the registration access token is not valid for this client");
    else if (rc != GRANTD_OK)
        grantd_response_internal(x->req, x->resp, rc);
    return rc == GRANTD_OK;
}

static void read_client(struct reg_ctx *x, const char *id)
{
    struct grantd_registration reg;
    struct grantd_client c;
    unsigned char old[GRANTD_SHA256_LEN];
    if (authenticate(x, id, &reg, old) && load_client(x, id, &c))
        rotate_answer(x, &c, NULL, reg.metadata, old);
}

/* The PUT body's identifiers (RFC 7592 §2.2): client_id must be there and be this client's;
 * a client_secret, when given, must be its current one. */
static int same_client(struct reg_ctx *x, const struct grantd_api_registration *r,
                       const struct grantd_client *stored, const struct grantd_client *c)
{
    unsigned char hash[GRANTD_SHA256_LEN];
    const char *why = NULL;
    if (!r->client_id || strcmp(r->client_id, stored->id) != 0)
        why = "client_id is required and must be this client's";
    else if (r->client_secret &&
             (stored->is_public ||
              grantd_store_hash_secret(x->store, r->client_secret, hash) != GRANTD_OK ||
              !grantd_ct_equal(hash, stored->secret_hash, sizeof(hash))))
        why = "client_secret does not match the client's current secret";
    else if (c->is_public != stored->is_public)
        why = "token_endpoint_auth_method cannot change between none and a secret method "
              "(register another client)";
    if (why)
        bad(x, "invalid_client_metadata", why);
    return why == NULL;
}

static void replace_client(struct reg_ctx *x, const char *id)
{
    struct grantd_registration reg;
    struct grantd_client stored, c;
    struct grantd_api_registration r;
    unsigned char old[GRANTD_SHA256_LEN];
    if (!authenticate(x, id, &reg, old) || !load_client(x, id, &stored) || !parse(x, &c, &r) ||
        !same_client(x, &r, &stored, &c))
        return;
    /* what registration cannot set stays as it is: grantd's own flags, the lifetimes, the
     * resources, and the OpenID Connect members when the issuer's registration.metadata
     * leaves them out; the rest is replaced (RFC 7592 §2.2: omitted members are absent) */
    unsigned post = c.flags & GRANTD_CLIENT_SECRET_POST;
    struct grantd_client next = stored;
    next.name = c.name ? c.name : stored.id;
    next.redirect_uris = c.redirect_uris;
    next.redirect_uri_count = c.redirect_uri_count;
    next.grants = c.grants;
    next.scope = c.scope;
    next.flags = (stored.flags & ~(unsigned)GRANTD_CLIENT_SECRET_POST) | post;
    if (grantd_api_registration_accepts(&r, "post_logout_redirect_uris"))
        next.post_logout_redirect_uris = c.post_logout_redirect_uris;
    if (grantd_api_registration_accepts(&r, "id_token_signed_response_alg"))
        next.id_token_alg = c.id_token_alg;
    next.updated_at = x->now;
    rotate_answer(x, &next, &next, r.metadata, old);
}

static void delete_client(struct reg_ctx *x, const char *id)
{
    struct grantd_registration reg;
    unsigned char old[GRANTD_SHA256_LEN];
    if (!authenticate(x, id, &reg, old))
        return;
    int64_t tenant = x->req->iss->tenant;
    /* disabled first: its tokens, codes and consents die and the feed announces it; both
     * and the audit entry (by the client itself) are one transaction */
    struct grantd_actor who = grantd_audit_client(id);
    grantd_rc rc = grantd_store_audit_begin(x->store);
    if (rc == GRANTD_OK) {
        grantd_rc change = grantd_store_client_set_disabled(x->store, tenant, id, 1,
                                                            grantd_clock_now_us());
        if (change == GRANTD_OK)
            change = grantd_store_client_delete(x->store, tenant, id);
        rc = grantd_audit_end(x->store, &who, tenant, x->now, "client.delete", "client", id,
                              NULL, change);
    }
    if (rc == GRANTD_OK) {
        event(x, "delete", id);
        grantd_response_body(x->resp, 204, NULL, "", 0);
    } else if (rc == GRANTD_ENOTFOUND) {
        unauthorized(x, 1, "the registration access token is not valid for this client");
    } else {
        grantd_response_internal(x->req, x->resp, rc);
    }
}

/* ---- routing -------------------------------------------------------------------------- */

static void register_request(struct grantd_request *req, struct grantd_response *resp)
{
    struct reg_ctx x = {.req = req, .resp = resp, .store = req->app->store,
                        .cfg = req->iss->cfg, .now = req->app->now()};
    const char *rest = req->path + strlen(req->iss->prefix) + strlen(REGISTER_PATH);
    const char *m = req->method;
    if (*rest == '\0') {
        if (strcmp(m, "POST") == 0)
            create(&x);
        else
            not_allowed(&x, "POST");
        return;
    }
    const char *id = rest + 1; /* the router serves /register and /register/... only */
    if (!*id || strchr(id, '/') || !grantd_rules_client_id_valid(id)) {
        grantd_response_error(req, resp, 404, "not_found", "no endpoint at this path");
        return;
    }
    if (strcmp(m, "GET") == 0) /* not HEAD: a read rotates the token, so its answer matters */
        read_client(&x, id);
    else if (strcmp(m, "PUT") == 0)
        replace_client(&x, id);
    else if (strcmp(m, "DELETE") == 0)
        delete_client(&x, id);
    else
        not_allowed(&x, "GET, PUT, DELETE");
}

void grantd_register_endpoint(struct grantd_request *req, struct grantd_response *resp)
{
    struct grantd_event_who where; /* the audit events of its changes (admin/audit.c) */
    grantd_event_scope_begin(req, &where);
    register_request(req, resp);
    grantd_event_scope_end();
}
