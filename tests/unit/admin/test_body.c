/* Unit tests for admin/body.c: what a client or user body becomes, the defaults of a
 * create, the merge of an update over the stored record, and the whole-record checks. The
 * refusals of single members are in tests/integration/test_admin_api.py (over HTTP). */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include <cmocka.h>

#include "admin/body.h"

static struct grantd_arena *a;

static int setup(void **state)
{
    a = grantd_arena_new(4096);
    return 0;
}

static int teardown(void **state)
{
    grantd_arena_free(a);
    return 0;
}

static grantd_rc client(const char *body, int update, struct grantd_client *c, const char **why)
{
    *why = NULL;
    return grantd_api_client_parse(a, body, strlen(body), update, c, why);
}

static void test_create_defaults(void **state)
{
    struct grantd_client c;
    const char *why;
    assert_int_equal(client("{\"client_name\": \"Shop\", \"scope\": \"b a  b\"}", 0, &c, &why),
                     GRANTD_OK);
    assert_string_equal(c.name, "Shop");
    assert_null(c.id);
    assert_string_equal(c.scope, "b a"); /* normalised as the CLI does */
    assert_int_equal(c.grants, GRANTD_GRANT_AUTHORIZATION_CODE | GRANTD_GRANT_REFRESH_TOKEN);
    assert_false(c.is_public);
    assert_int_equal(c.flags, 0);
    assert_int_equal(c.redirect_uri_count, 0);
    assert_int_equal(c.code_ttl + c.access_ttl + c.refresh_ttl, 0);
}

static void test_create_members(void **state)
{
    struct grantd_client c;
    const char *why;
    assert_int_equal(client("{\"client_id\": \"app\", \"client_name\": \"App\","
                            " \"redirect_uris\": [\"https://a.example/cb\", \"https://a.example/cb\","
                            " \"com.example.app:/cb\"], \"token_endpoint_auth_method\": \"none\","
                            " \"grant_types\": [\"authorization_code\"], \"response_types\": [\"code\"],"
                            " \"access_token_format\": \"jwt\", \"allow_plain_pkce\": true,"
                            " \"refresh_ttl\": \"never\", \"code_ttl\": 60}",
                            0, &c, &why),
                     GRANTD_OK);
    assert_string_equal(c.id, "app");
    assert_int_equal(c.redirect_uri_count, 2); /* the same URI twice: once */
    assert_string_equal(c.redirect_uris[1], "com.example.app:/cb");
    assert_true(c.is_public);
    assert_int_equal(c.grants, GRANTD_GRANT_AUTHORIZATION_CODE);
    assert_int_equal(c.flags, GRANTD_CLIENT_JWT_ACCESS | GRANTD_CLIENT_ALLOW_PLAIN_PKCE);
    assert_int_equal(c.refresh_ttl, GRANTD_TTL_NEVER);
    assert_int_equal(c.code_ttl, 60);
}

static const char *const stored_uris[] = {"https://shop.example/cb"};

static struct grantd_client stored(void)
{
    struct grantd_client c = {.tenant = 1, .id = "shop", .name = "Shop",
                              .redirect_uris = stored_uris, .redirect_uri_count = 1,
                              .scope = "read", .grants = GRANTD_GRANT_CLIENT_CREDENTIALS,
                              .flags = GRANTD_CLIENT_SECRET_POST, .access_ttl = 600,
                              .created_at = 1};
    return c;
}

static void test_update_merges(void **state)
{
    struct grantd_client c = stored();
    const char *why;
    assert_int_equal(client("{\"client_name\": \"Shop 2\", \"access_ttl\": null,"
                            " \"always_consent\": true}", 1, &c, &why),
                     GRANTD_OK);
    assert_string_equal(c.name, "Shop 2");
    assert_int_equal(c.access_ttl, 0);              /* null: the server's default */
    assert_string_equal(c.scope, "read");           /* not given: kept */
    assert_int_equal(c.redirect_uri_count, 1);
    assert_int_equal(c.flags, GRANTD_CLIENT_SECRET_POST | GRANTD_CLIENT_ALWAYS_CONSENT);
    assert_int_equal(client("{\"token_endpoint_auth_method\": \"client_secret_basic\"}", 1, &c,
                            &why),
                     GRANTD_OK);
    assert_int_equal(c.flags, GRANTD_CLIENT_ALWAYS_CONSENT);
    assert_int_equal(client("{}", 1, &c, &why), GRANTD_OK);
    assert_string_equal(c.name, "Shop 2");
}

static void test_whole_record_checks(void **state)
{
    struct grantd_client c = stored();
    const char *why;
    /* a stored client_credentials client cannot take response_types ["code"] */
    assert_int_equal(client("{\"response_types\": [\"code\"]}", 1, &c, &why), GRANTD_EINVAL);
    assert_non_null(strstr(why, "response_types"));
    /* clearing the wildcard flag re-checks the stored URIs against it */
    static const char *const wild[] = {"https://*.example.com/cb"};
    c = stored();
    c.redirect_uris = wild;
    c.flags |= GRANTD_CLIENT_REDIRECT_WILDCARD;
    assert_int_equal(client("{\"redirect_uri_wildcard\": false}", 1, &c, &why), GRANTD_EINVAL);
    assert_non_null(strstr(why, "redirect_uris[0]"));
    c = stored();
    assert_int_equal(client("{\"client_name\": \"x\", \"token_endpoint_auth_method\": \"none\","
                            " \"grant_types\": [\"client_credentials\"]}", 0, &c, &why),
                     GRANTD_EINVAL);
    assert_non_null(strstr(why, "public clients"));
    /* http on a non-loopback host only with allow_insecure_redirect */
    assert_int_equal(client("{\"client_name\": \"x\", \"redirect_uris\": [\"http://dev.test/cb\"]}",
                            0, &c, &why),
                     GRANTD_EINVAL);
    assert_int_equal(client("{\"client_name\": \"x\", \"redirect_uris\": [\"http://dev.test/cb\"],"
                            " \"allow_insecure_redirect\": true}", 0, &c, &why),
                     GRANTD_OK);
}

static void test_users(void **state)
{
    struct grantd_user u;
    const char *why = NULL, *pw = NULL;
    const char *body = "{\"username\": \"alice\", \"password\": \"pw\", \"email\": \"a@b.c\"}";
    assert_int_equal(grantd_api_user_parse(a, body, strlen(body), 0, &u, &pw, &why), GRANTD_OK);
    assert_string_equal(u.username, "alice");
    assert_string_equal(pw, "pw");
    assert_null(u.account);
    body = "{\"email\": null, \"account\": \"acct\"}";
    assert_int_equal(grantd_api_user_parse(a, body, strlen(body), 1, &u, NULL, &why), GRANTD_OK);
    assert_null(u.email);
    assert_string_equal(u.account, "acct");
    assert_string_equal(u.username, "alice");
    body = "{\"username\": \"bob\"}";
    assert_int_equal(grantd_api_user_parse(a, body, strlen(body), 0, &u, &pw, &why),
                     GRANTD_EINVAL);
    assert_string_equal(why, "password is required");
}

static void test_small_bodies(void **state)
{
    int64_t overlap = -1;
    const char *why = NULL, *alg = "x";
    assert_int_equal(grantd_api_overlap_parse(a, "", 0, &overlap, &why), GRANTD_OK);
    assert_int_equal(overlap, 0);
    assert_int_equal(grantd_api_overlap_parse(a, "{\"overlap\":2592000}", 19, &overlap, &why),
                     GRANTD_OK);
    assert_int_equal(overlap, 2592000);
    assert_int_equal(grantd_api_alg_parse(a, "{}", 2, &alg, &why), GRANTD_OK);
    assert_null(alg);
    assert_int_equal(grantd_api_alg_parse(a, "{\"alg\":\"RS256\"}", 15, &alg, &why), GRANTD_OK);
    assert_string_equal(alg, "RS256");
    assert_int_equal(grantd_api_alg_parse(a, "[]", 2, &alg, &why), GRANTD_EINVAL);
    assert_string_equal(why, "the body must be a JSON object");
}

/* The registration mode (RFC 7591 §2): RFC defaults, unknown members ignored, known ones
 * outside the allow-list refused, the two RFC error codes, the informational members as
 * JSON, PUT's identifiers handed back, null as absent. */
static grantd_rc reg(const char *body, struct grantd_api_registration *r,
                     struct grantd_client *c, const char **why)
{
    *why = NULL;
    return grantd_api_register_parse(a, body, strlen(body), r, c, why);
}

static void test_registration(void **state)
{
    static const char *const narrow[] = {"redirect_uris", "logo_uri", NULL};
    struct grantd_api_registration r = {0};
    struct grantd_client c;
    const char *why;
    assert_int_equal(reg("{\"redirect_uris\": [\"https://a.example/cb\"], \"jwks_uri\": 1,"
                         " \"logo_uri\": \"https://a.example/l.png\", \"scope\": null,"
                         " \"client_id\": \"x1\", \"client_secret\": \"s\"}",
                         &r, &c, &why),
                     GRANTD_OK);
    assert_int_equal(c.grants, GRANTD_GRANT_AUTHORIZATION_CODE);
    assert_null(c.id);
    assert_null(c.name);
    assert_false(c.is_public);
    assert_string_equal(c.scope, "");
    assert_string_equal(r.metadata, "{\"logo_uri\":\"https://a.example/l.png\"}");
    assert_string_equal(r.client_id, "x1");
    assert_string_equal(r.client_secret, "s");

    assert_int_equal(reg("{\"client_name\": \"no uris\"}", &r, &c, &why), GRANTD_EINVAL);
    assert_string_equal(r.error, "invalid_redirect_uri");
    assert_int_equal(reg("{\"redirect_uris\": [\"https://a.example/cb#f\"]}", &r, &c, &why),
                     GRANTD_EINVAL);
    assert_string_equal(r.error, "invalid_redirect_uri");
    assert_int_equal(reg("{\"redirect_uris\": [\"https://a.example/cb\"], \"code_ttl\": 5}",
                         &r, &c, &why),
                     GRANTD_EINVAL);
    assert_string_equal(r.error, "invalid_client_metadata");
    assert_string_equal(why, "code_ttl is not accepted at registration");
    assert_int_equal(reg("{\"grant_types\": [\"client_credentials\"]}", &r, &c, &why),
                     GRANTD_OK); /* no redirect URI needed without the code grant */
    r.allowed = narrow;
    assert_int_equal(reg("{\"redirect_uris\": [\"https://a.example/cb\"], \"client_name\": \"n\"}",
                         &r, &c, &why),
                     GRANTD_EINVAL);
    assert_string_equal(why, "client_name is not accepted at registration");
    assert_int_equal(reg("{\"redirect_uris\": [\"https://a.example/cb\"], \"software_id\": \"n\"}",
                         &r, &c, &why),
                     GRANTD_OK);
    assert_string_equal(r.metadata, "{}");
}

/* OpenID Connect's two client members: the post-logout redirect URIs under the rules of
 * redirect URIs (no '*', no out-of-band value), the ID token algorithm RS256 or ES256; null
 * clears both on an update; registration accepts and stores them. */
static void test_oidc_members(void **state)
{
    struct grantd_client c;
    struct grantd_api_registration r = {0};
    const char *why;
    assert_int_equal(client("{\"client_name\": \"x\"}", 0, &c, &why), GRANTD_OK);
    assert_null(c.post_logout_redirect_uris);
    assert_null(c.id_token_alg); /* the default, RS256 */
    assert_int_equal(client("{\"client_name\": \"x\", \"post_logout_redirect_uris\":"
                            " [\"https://a.example/bye\", \"https://a.example/bye\","
                            " \"http://127.0.0.1:9/out\"],"
                            " \"id_token_signed_response_alg\": \"ES256\"}",
                            0, &c, &why),
                     GRANTD_OK);
    assert_string_equal(c.post_logout_redirect_uris,
                        "https://a.example/bye http://127.0.0.1:9/out");
    assert_string_equal(c.id_token_alg, "ES256");
    assert_int_equal(client("{\"id_token_signed_response_alg\": null,"
                            " \"post_logout_redirect_uris\": null}", 1, &c, &why),
                     GRANTD_OK);
    assert_string_equal(c.post_logout_redirect_uris, "");
    assert_null(c.id_token_alg);
    static const char *const bad[][2] = {
        {"{\"id_token_signed_response_alg\": \"HS256\"}", "must be RS256 or ES256"},
        {"{\"id_token_signed_response_alg\": \"es256\"}", "must be RS256 or ES256"},
        {"{\"id_token_signed_response_alg\": \"none\"}", "must be RS256 or ES256"},
        {"{\"post_logout_redirect_uris\": [\"https://a.example/b#f\"]}", "fragment"},
        {"{\"post_logout_redirect_uris\": [\"/relative\"]}", "absolute"},
        {"{\"post_logout_redirect_uris\": [\"http://dev.test/out\"]}", "http"},
        {"{\"post_logout_redirect_uris\": [\"https://*.a.example/out\"]}", "'*'"},
        {"{\"post_logout_redirect_uris\": [\"urn:ietf:wg:oauth:2.0:oob\"]}", "out-of-band"},
        {"{\"post_logout_redirect_uris\": \"https://a.example/\"}", "array of strings"},
    };
    for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
        assert_int_equal(client(bad[i][0], 1, &c, &why), GRANTD_EINVAL);
        assert_non_null(strstr(why, bad[i][1]));
    }
    assert_non_null(strstr(why, "post_logout_redirect_uris"));
    /* insecure http on any host follows allow_insecure_redirect, as redirect URIs do */
    assert_int_equal(client("{\"client_name\": \"x\", \"allow_insecure_redirect\": true,"
                            " \"post_logout_redirect_uris\": [\"http://dev.test/out\"]}",
                            0, &c, &why),
                     GRANTD_OK);
    assert_int_equal(reg("{\"redirect_uris\": [\"https://a.example/cb\"],"
                         " \"post_logout_redirect_uris\": [\"https://a.example/bye\"],"
                         " \"id_token_signed_response_alg\": \"ES256\"}", &r, &c, &why),
                     GRANTD_OK);
    assert_string_equal(c.post_logout_redirect_uris, "https://a.example/bye");
    assert_string_equal(c.id_token_alg, "ES256");
    assert_string_equal(r.metadata, "{}"); /* stored on the client, not as information */
    assert_int_equal(reg("{\"redirect_uris\": [\"https://a.example/cb\"],"
                         " \"id_token_signed_response_alg\": \"HS256\"}", &r, &c, &why),
                     GRANTD_EINVAL);
    assert_string_equal(r.error, "invalid_client_metadata");
    assert_int_equal(reg("{\"redirect_uris\": [\"https://a.example/cb\"],"
                         " \"post_logout_redirect_uris\": [\"http://dev.test/\"]}", &r, &c, &why),
                     GRANTD_EINVAL);
    assert_string_equal(r.error, "invalid_client_metadata");
    static const char *const narrow[] = {"redirect_uris", NULL};
    r.allowed = narrow;
    assert_int_equal(reg("{\"redirect_uris\": [\"https://a.example/cb\"],"
                         " \"id_token_signed_response_alg\": \"ES256\"}", &r, &c, &why),
                     GRANTD_EINVAL);
    assert_string_equal(why, "id_token_signed_response_alg is not accepted at registration");
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_setup_teardown(test_create_defaults, setup, teardown),
        cmocka_unit_test_setup_teardown(test_create_members, setup, teardown),
        cmocka_unit_test_setup_teardown(test_update_merges, setup, teardown),
        cmocka_unit_test_setup_teardown(test_whole_record_checks, setup, teardown),
        cmocka_unit_test_setup_teardown(test_users, setup, teardown),
        cmocka_unit_test_setup_teardown(test_small_bodies, setup, teardown),
        cmocka_unit_test_setup_teardown(test_registration, setup, teardown),
        cmocka_unit_test_setup_teardown(test_oidc_members, setup, teardown),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
