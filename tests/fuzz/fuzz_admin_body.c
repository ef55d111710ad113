/* libFuzzer target for the admin API's JSON bodies (src/admin/body.c): client bodies (their
 * registration mode, /register's, has its own target: fuzz_register.c), user bodies, and the small bodies (password,
 * secret overlap, key algorithm). The first byte picks the parser and, for client and user
 * bodies, create or update (over a fixed stored record), counted from the digit '0' so the
 * seeds read as text ('0' client create, '1' client update, '2' user create, '3' user
 * update, '4' password, '5' overlap, '6' alg, '7' the audit trail's summary of an update
 * body, grantd_audit_members of src/admin/audit.c); the rest is the body.
 *
 * Whatever is accepted must be a record the store may hold and the CLI would accept: the
 * rules of admin/rules.h and oauth/redirect_uri.h hold for every member (the OpenID Connect
 * ones included: fuzz_client_oidc.h), a public client has no client_credentials grant,
 * lifetimes are in range, and an accepted update has its member names for the audit trail
 * (an empty body, read as {}, has the empty list). Whatever is refused has a reason to
 * answer with. The audit summary names the body's members and nothing else (never a
 * value). */
#include <stdint.h>
#include <string.h>

#include "admin/audit.h"
#include "admin/body.h"
#include "admin/claims.h"
#include "admin/rules.h"
#include "core/password.h"
#include "fuzz_assert.h"
#include "fuzz_client_oidc.h"
#include "oauth/redirect_uri.h"
#include "oauth/resource.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static const char *const stored_uris[] = {"https://shop.example/cb"};

static void stored_client(struct grantd_client *c)
{
    memset(c, 0, sizeof(*c));
    c->tenant = 1;
    c->id = "shop";
    c->name = "Shop";
    c->redirect_uris = stored_uris;
    c->redirect_uri_count = 1;
    c->scope = "orders:read";
    c->grants = GRANTD_GRANT_AUTHORIZATION_CODE | GRANTD_GRANT_REFRESH_TOKEN;
    c->created_at = 1700000000;
}

static void check_ttl(int64_t ttl, int64_t max, int never)
{
    FUZZ_CHECK(ttl == 0 || (ttl >= 1 && ttl <= max) || (never && ttl == GRANTD_TTL_NEVER));
}

static void check_client(const struct grantd_client *c, int update)
{
    char norm[GRANTD_CLIENT_SCOPE_MAX + 1];
    FUZZ_CHECK(c->name && grantd_rules_name_why(c->name) == NULL);
    FUZZ_CHECK(update ? strcmp(c->id, "shop") == 0
                      : (!c->id || grantd_rules_client_id_valid(c->id)));
    FUZZ_CHECK(c->scope && grantd_rules_scope_normalize(c->scope, norm, sizeof(norm)) == NULL);
    FUZZ_CHECK(strcmp(norm, c->scope) == 0); /* stored normalised */
    FUZZ_CHECK(c->grants != 0 && (c->grants & ~7u) == 0);
    FUZZ_CHECK(!(c->is_public && (c->grants & GRANTD_GRANT_CLIENT_CREDENTIALS)));
    /* resources: distinct resource indicators, single-spaced, at most GRANTD_RESOURCE_MAX */
    size_t resources = 0;
    for (const char *r = c->resources ? c->resources : ""; *r; resources++) {
        size_t len = strcspn(r, " ");
        char one[GRANTD_RESOURCE_MAX_LEN + 1];
        FUZZ_CHECK(len >= 1 && len <= GRANTD_RESOURCE_MAX_LEN);
        memcpy(one, r, len);
        one[len] = '\0';
        FUZZ_CHECK(grantd_resource_problem(one) == NULL);
        r += len;
        FUZZ_CHECK(*r == '\0' || (r[1] != '\0' && r[1] != ' '));
        r += *r == ' ';
    }
    FUZZ_CHECK(resources <= GRANTD_RESOURCE_MAX);
    FUZZ_CHECK(c->redirect_uri_count <= GRANTD_CLIENT_MAX_URIS);
    for (size_t i = 0; i < c->redirect_uri_count; i++) {
        FUZZ_CHECK(c->redirect_uris[i] != NULL);
        for (size_t j = 0; j < i; j++)
            FUZZ_CHECK(strcmp(c->redirect_uris[i], c->redirect_uris[j]) != 0);
        /* the loosest registration rule: anything accepted passes it */
        FUZZ_CHECK(grantd_redirect_uri_check_registration(c->redirect_uris[i], 1, 1, NULL) ==
                   GRANTD_OK);
    }
    fuzz_check_client_oidc(c, 1); /* allow_insecure_redirect may be in the body */
    check_ttl(c->code_ttl, GRANTD_CLIENT_CODE_TTL_MAX, 0);
    check_ttl(c->access_ttl, GRANTD_CLIENT_ACCESS_TTL_MAX, 0);
    check_ttl(c->refresh_ttl, GRANTD_CLIENT_REFRESH_TTL_MAX, 1);
}

/* The audit summary of an update body: NULL for anything but a JSON object or nothing, else
 * {"members": [...]} holding exactly the object's member names (none for nothing). */
static json_t *check_members(const char *body, size_t len)
{
    json_t *m = grantd_audit_members(body, len);
    json_t *o = len == 0 ? json_object() : json_loadb(body, len, JSON_REJECT_DUPLICATES, NULL);
    FUZZ_CHECK((m != NULL) == json_is_object(o));
    if (m) {
        json_t *names = json_object_get(m, "members"), *v;
        size_t i;
        FUZZ_CHECK(json_object_size(m) == 1 && json_is_array(names));
        FUZZ_CHECK(json_array_size(names) == json_object_size(o));
        json_array_foreach(names, i, v)
            FUZZ_CHECK(json_is_string(v) && json_object_get(o, json_string_value(v)));
    }
    json_decref(o);
    return m;
}

static void fuzz_client(struct grantd_arena *a, const char *body, size_t len, int update)
{
    struct grantd_client c;
    const char *why = NULL;
    stored_client(&c);
    if (grantd_api_client_parse(a, body, len, update, &c, &why) == GRANTD_OK) {
        check_client(&c, update);
        json_t *m = check_members(body, len);
        FUZZ_CHECK(!update || m);
        json_decref(m);
    } else
        FUZZ_CHECK(why && why[0]);
}

/* Every claim a body set passes its rule again: set it once more from its own text. */
static void check_claims(const struct grantd_user *u)
{
    json_t *o = json_object();
    grantd_claims_to_json(u, o);
    struct grantd_user copy = *u;
    int boolean;
    const char *name;
    for (size_t i = 0; (name = grantd_claim_name(i, &boolean)) != NULL; i++) {
        json_t *v = json_object_get(o, name);
        FUZZ_CHECK(v && (boolean ? json_is_boolean(v) : json_is_string(v) || json_is_null(v)));
        if (json_is_string(v))
            FUZZ_CHECK(grantd_claim_set(&copy, i, json_string_value(v)) == NULL);
    }
    json_decref(o);
}

static void fuzz_user(struct grantd_arena *a, const char *body, size_t len, int update)
{
    struct grantd_user u = {.tenant = 1, .id = "u1", .username = "alice", .created_at = 1};
    const char *why = NULL, *password = NULL;
    if (grantd_api_user_parse(a, body, len, update, &u, &password, &why) != GRANTD_OK) {
        FUZZ_CHECK(why && why[0]);
        return;
    }
    FUZZ_CHECK(u.username && grantd_rules_username_why(u.username) == NULL);
    FUZZ_CHECK(!u.account || grantd_rules_username_why(u.account) == NULL);
    FUZZ_CHECK(!u.email || grantd_rules_email_why(u.email) == NULL);
    check_claims(&u);
    json_t *m = check_members(body, len);
    FUZZ_CHECK(!update || m);
    json_decref(m);
    FUZZ_CHECK(update ? password == NULL
                      : password && password[0] && strlen(password) <= GRANTD_PASSWORD_MAX);
}

static void fuzz_small(struct grantd_arena *a, const char *body, size_t len, int which)
{
    const char *why = NULL, *s = NULL;
    int64_t overlap = -1;
    grantd_rc rc = which == 0   ? grantd_api_password_parse(a, body, len, &s, &why)
                   : which == 1 ? grantd_api_overlap_parse(a, body, len, &overlap, &why)
                                : grantd_api_alg_parse(a, body, len, &s, &why);
    if (rc != GRANTD_OK) {
        FUZZ_CHECK(why && why[0]);
        return;
    }
    if (which == 0)
        FUZZ_CHECK(s && s[0] && strlen(s) <= GRANTD_PASSWORD_MAX);
    if (which == 1)
        FUZZ_CHECK(overlap >= 0 && overlap <= GRANTD_API_OVERLAP_MAX);
    if (which == 2)
        FUZZ_CHECK(!s || strcmp(s, "ES256") == 0 || strcmp(s, "RS256") == 0);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    if (size < 1 || size > 65536)
        return 0;
    struct grantd_arena *a = grantd_arena_new(4096);
    const char *body = (const char *)data + 1;
    size_t len = size - 1;
    unsigned pick = (unsigned)(uint8_t)(data[0] - '0') % 8;
    switch (pick) {
    case 0: fuzz_client(a, body, len, 0); break;
    case 1: fuzz_client(a, body, len, 1); break;
    case 2: fuzz_user(a, body, len, 0); break;
    case 3: fuzz_user(a, body, len, 1); break;
    case 7: json_decref(check_members(body, len)); break;
    default: fuzz_small(a, body, len, (int)pick - 4); break;
    }
    grantd_arena_free(a);
    return 0;
}
