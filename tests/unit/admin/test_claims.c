/* Unit tests for admin/claims.c: the rules of each OpenID Connect claim a user holds, what
 * an empty value does, and the JSON form the CLI and the admin API share. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include <cmocka.h>

#include "admin/claims.h"

static size_t claim(const char *name)
{
    int i = grantd_claim_find(name);
    assert_true(i >= 0);
    return (size_t)i;
}

static void test_phone(void **state)
{
    struct grantd_user u = {0};
    size_t p = claim("phone_number");
    assert_null(grantd_claim_set(&u, p, "+4930123456"));
    assert_string_equal(u.phone_number, "+4930123456");
    static const char *const bad[] = {"4930123456", "+0301234", "+49 30 123", "+123",
                                      "+1234567890123456", "+49a0123456", "+"};
    for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++)
        assert_non_null(grantd_claim_set(&u, p, bad[i]));
    assert_string_equal(u.phone_number, "+4930123456"); /* a refusal changes nothing */
    assert_null(grantd_claim_set(&u, p, ""));
    assert_null(u.phone_number);
}

static void test_locale(void **state)
{
    struct grantd_user u = {0};
    size_t l = claim("locale");
    static const char *const good[] = {"en", "de-CH", "fr_CA", "zh-Hant-TW", "es-419"};
    for (size_t i = 0; i < sizeof(good) / sizeof(good[0]); i++)
        assert_null(grantd_claim_set(&u, l, good[i]));
    static const char *const bad[] = {"e",      "de-",         "-de", "de--CH", "de CH",
                                      "1en",    "de-toolongtag", "d3", "en-US!"};
    for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++)
        assert_non_null(grantd_claim_set(&u, l, bad[i]));
}

static void test_text_and_address(void **state)
{
    struct grantd_user u = {0};
    char long_name[202];
    memset(long_name, 'x', 201);
    long_name[201] = '\0';
    assert_non_null(grantd_claim_set(&u, claim("name"), long_name));
    long_name[200] = '\0';
    assert_null(grantd_claim_set(&u, claim("name"), long_name));
    assert_non_null(grantd_claim_set(&u, claim("given_name"), "a\nb"));
    assert_null(grantd_claim_set(&u, claim("address"), "Hauptstr. 1\n10115 Berlin"));
    assert_non_null(grantd_claim_set(&u, claim("address"), "tab\there"));
    assert_null(grantd_claim_set(&u, claim("family_name"), "Müller"));
}

static void test_booleans(void **state)
{
    struct grantd_user u = {0};
    size_t v = claim("email_verified");
    assert_null(grantd_claim_set(&u, v, "true"));
    assert_true(u.email_verified);
    assert_non_null(grantd_claim_set(&u, v, "yes"));
    assert_true(u.email_verified);
    assert_null(grantd_claim_set(&u, v, ""));
    assert_false(u.email_verified);
}

static void test_json(void **state)
{
    struct grantd_arena *a = grantd_arena_new(1024);
    struct grantd_user u = {.locale = "en"};
    json_t *v = json_string("de-CH");
    assert_null(grantd_claim_set_json(a, &u, claim("locale"), v));
    assert_string_equal(u.locale, "de-CH");
    json_decref(v);
    assert_non_null(grantd_claim_set_json(a, &u, claim("locale"), json_true()));
    assert_null(grantd_claim_set_json(a, &u, claim("locale"), json_null()));
    assert_null(u.locale);
    assert_non_null(grantd_claim_set_json(a, &u, claim("email_verified"), json_null()));
    json_t *o = json_object();
    grantd_claims_to_json(&u, o);
    assert_int_equal(json_object_size(o), GRANTD_CLAIM_COUNT);
    assert_true(json_is_null(json_object_get(o, "locale")));
    assert_true(json_is_false(json_object_get(o, "phone_number_verified")));
    json_decref(o);
    grantd_arena_free(a);
    assert_int_equal(grantd_claim_find("email"), -1); /* email keeps its own rule */
}

static void test_unverify_changed(void **state)
{
    struct grantd_user before = {.email = "a@example.com", .email_verified = 1,
                                 .phone_number = "+4930123456", .phone_number_verified = 1};
    struct grantd_user after = before;
    grantd_claims_unverify_changed(&before, &after, 0, 0);
    assert_true(after.email_verified && after.phone_number_verified); /* nothing changed */
    after.email = "b@example.com";
    after.phone_number = NULL;
    grantd_claims_unverify_changed(&before, &after, 0, 1);
    assert_false(after.email_verified);
    assert_true(after.phone_number_verified); /* the update named it */
    after = before;
    after.email = NULL;
    grantd_claims_unverify_changed(&before, &after, 0, 0);
    assert_false(after.email_verified);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_phone),
        cmocka_unit_test(test_locale),
        cmocka_unit_test(test_text_and_address),
        cmocka_unit_test(test_booleans),
        cmocka_unit_test(test_json),
        cmocka_unit_test(test_unverify_changed),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
