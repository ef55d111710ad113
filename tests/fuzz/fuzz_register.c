/* libFuzzer target for dynamic client registration bodies (RFC 7591 §2 at POST /register,
 * RFC 7592 §2.2 at PUT): grantd_api_register_parse, the admin body parser's registration
 * mode (src/admin/body.c); and the admin API's initial access token body
 * (grantd_api_registration_token_parse). The first byte picks: bit 1 the token body, else
 * bit 0 the issuer's allow-list (every member, or only client_name and redirect_uris); the
 * rest is the body.
 *
 * Whatever is accepted must be a client the store may hold and the strict registration
 * rules allow: members outside the allow-list never set anything, redirect URIs pass the
 * strict rule (no insecure hosts, no wildcards), grantd's own options stay at their
 * defaults, the informational members are a JSON object of the five allowed names. Whatever
 * is refused has a reason and one of RFC 7591's two error codes. */
#include <stdint.h>
#include <string.h>

#include <jansson.h>

#include "admin/body.h"
#include "admin/rules.h"
#include "fuzz_assert.h"
#include "fuzz_client_oidc.h"
#include "oauth/redirect_uri.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static void check_info(const char *metadata, int narrow)
{
    static const char *const names[] = {"client_uri", "logo_uri", "tos_uri", "policy_uri",
                                        "contacts"};
    json_t *o = json_loads(metadata, 0, NULL);
    FUZZ_CHECK(json_is_object(o));
    const char *key;
    json_t *v;
    json_object_foreach(o, key, v) {
        size_t i = 0;
        while (i < 5 && strcmp(names[i], key) != 0)
            i++;
        FUZZ_CHECK(i < 5 && !narrow);
    }
    json_decref(o);
}

static void check_client(const struct grantd_client *c, const struct grantd_api_registration *r,
                         int narrow)
{
    char norm[GRANTD_CLIENT_SCOPE_MAX + 1];
    FUZZ_CHECK(c->id == NULL); /* the server assigns it */
    FUZZ_CHECK(!c->name || grantd_rules_name_why(c->name) == NULL);
    FUZZ_CHECK(c->scope && grantd_rules_scope_normalize(c->scope, norm, sizeof(norm)) == NULL);
    FUZZ_CHECK(!narrow || c->scope[0] == '\0');
    FUZZ_CHECK(c->grants != 0 && (c->grants & ~7u) == 0);
    FUZZ_CHECK(!narrow || c->grants == GRANTD_GRANT_AUTHORIZATION_CODE);
    FUZZ_CHECK(!(c->is_public && (c->grants & GRANTD_GRANT_CLIENT_CREDENTIALS)));
    FUZZ_CHECK(!(c->grants & GRANTD_GRANT_AUTHORIZATION_CODE) || c->redirect_uri_count > 0);
    /* only token_endpoint_auth_method may set a flag */
    FUZZ_CHECK((c->flags & ~(unsigned)GRANTD_CLIENT_SECRET_POST) == 0);
    FUZZ_CHECK(c->code_ttl == 0 && c->access_ttl == 0 && c->refresh_ttl == 0);
    FUZZ_CHECK(!c->resources || !c->resources[0]);
    FUZZ_CHECK(c->redirect_uri_count <= GRANTD_CLIENT_MAX_URIS);
    for (size_t i = 0; i < c->redirect_uri_count; i++)
        FUZZ_CHECK(grantd_redirect_uri_check_registration(c->redirect_uris[i], 0, 0, NULL) ==
                   GRANTD_OK);
    /* the OpenID Connect members: the strict rule, and nothing outside the allow-list */
    fuzz_check_client_oidc(c, 0);
    FUZZ_CHECK(!narrow || (!c->id_token_alg && !c->post_logout_redirect_uris));
    check_info(r->metadata, narrow);
}

static void fuzz_token_body(struct grantd_arena *a, const char *body, size_t len)
{
    int64_t expires_in = -1, uses = -1;
    const char *why = NULL;
    if (grantd_api_registration_token_parse(a, body, len, &expires_in, &uses, &why) !=
        GRANTD_OK) {
        FUZZ_CHECK(why && why[0]);
        return;
    }
    FUZZ_CHECK(expires_in >= 0 && expires_in <= GRANTD_API_IAT_EXPIRES_MAX);
    FUZZ_CHECK(uses >= 0 && uses <= GRANTD_API_IAT_USES_MAX);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    static const char *const narrow_list[] = {"client_name", "redirect_uris", NULL};
    if (size < 1 || size > 65536)
        return 0;
    struct grantd_arena *a = grantd_arena_new(4096);
    if (data[0] & 2) {
        fuzz_token_body(a, (const char *)data + 1, size - 1);
        grantd_arena_free(a);
        return 0;
    }
    int narrow = data[0] & 1;
    struct grantd_api_registration r = {.allowed = narrow ? narrow_list : NULL};
    struct grantd_client c;
    const char *why = NULL;
    if (grantd_api_register_parse(a, (const char *)data + 1, size - 1, &r, &c, &why) ==
        GRANTD_OK) {
        check_client(&c, &r, narrow);
    } else {
        FUZZ_CHECK(why && why[0]);
        FUZZ_CHECK(strcmp(r.error, "invalid_client_metadata") == 0 ||
                   strcmp(r.error, "invalid_redirect_uri") == 0);
    }
    grantd_arena_free(a);
    return 0;
}
