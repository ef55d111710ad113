/* Unit tests for admin/audit.c: the actors (CLI, developer, system), the member names an
 * update records (never values), an entry as JSON, and the admin API's query parameters.
 * Recording itself (one transaction with the change) is in
 * tests/store/test_conformance_audit.c and tests/integration/test_audit.py. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include <cmocka.h>

#include <pwd.h>
#include <stdio.h>
#include <stdlib.h>
#include <unistd.h>

#include "admin/audit.h"

static struct grantd_arena *a;

static int setup(void **state)
{
    (void)state;
    a = grantd_arena_new(4096);
    return 0;
}

static int teardown(void **state)
{
    (void)state;
    grantd_arena_free(a);
    return 0;
}

static void test_actors(void **state)
{
    (void)state;
    struct grantd_actor cli = grantd_audit_cli(a);
    char uid[32];
    snprintf(uid, sizeof(uid), "%lu", (unsigned long)geteuid());
    assert_string_equal(cli.kind, "cli");
    assert_string_equal(cli.id, uid);
    struct passwd *pw = getpwuid(geteuid());
    if (pw)
        assert_string_equal(cli.name, pw->pw_name);
    struct grantd_user u = {.id = "sub-1", .username = "dev"};
    struct grantd_actor dev = grantd_audit_developer(&u);
    assert_string_equal(dev.kind, "developer");
    assert_string_equal(dev.id, "sub-1");
    assert_string_equal(dev.name, "dev");
    struct grantd_actor sys = grantd_audit_system();
    assert_string_equal(sys.kind, "system");
    assert_null(sys.id);
    assert_null(sys.name);
}

static void assert_json(json_t *o, const char *want)
{
    char *text = json_dumps(o, JSON_COMPACT);
    assert_string_equal(text, want);
    free(text);
    json_decref(o);
}

static void test_members_never_values(void **state)
{
    (void)state;
    const char *body = "{\"client_name\":\"Secret Shop\",\"scope\":\"a b\"}";
    assert_json(grantd_audit_members(body, strlen(body)),
                "{\"members\":[\"client_name\",\"scope\"]}");
    assert_null(grantd_audit_members("[1]", 3));
    /* an empty update body is read as {}: it changed nothing, and says so */
    assert_json(grantd_audit_members("", 0), "{\"members\":[]}");
    assert_json(grantd_audit_members(NULL, 0), "{\"members\":[]}");
}

static void test_entry_json(void **state)
{
    (void)state;
    struct grantd_audit e = {.seq = 3, .tenant = 1, .at = 1700000000, .actor_kind = "admin_key",
                             .actor_id = "k1", .actor_name = "ops",
                             .action = "client.secret_rotate", .target_kind = "client",
                             .target_id = "shop", .details = "{\"overlap\":60}"};
    assert_json(grantd_audit_json(&e, "default"),
                "{\"seq\":3,\"at\":1700000000,\"tenant\":\"default\",\"actor\":{\"kind\":"
                "\"admin_key\",\"id\":\"k1\",\"name\":\"ops\"},\"action\":"
                "\"client.secret_rotate\",\"target\":{\"kind\":\"client\",\"id\":\"shop\"},"
                "\"details\":{\"overlap\":60}}");
    /* no tenant, no actor id or name, details that are not an object: nulls */
    e.actor_id = e.actor_name = NULL;
    e.details = "[1]";
    json_t *o = grantd_audit_json(&e, NULL);
    assert_true(json_is_null(json_object_get(o, "tenant")));
    assert_true(json_is_null(json_object_get(json_object_get(o, "actor"), "id")));
    assert_true(json_is_null(json_object_get(o, "details")));
    json_decref(o);
}

static void test_query_parse(void **state)
{
    (void)state;
    struct grantd_audit_query q = {.tenant = 1};
    const char *why = NULL;
    assert_int_equal(grantd_audit_query_parse(a, "42", "admin_key:a:b", &q, &why), GRANTD_OK);
    assert_int_equal(q.after, 42);
    assert_string_equal(q.target_kind, "admin_key");
    assert_string_equal(q.target_id, "a:b");
    static const char *const bad_after[] = {"", "-1", "1x", "0x10", "1234567890123456789"};
    for (size_t i = 0; i < sizeof(bad_after) / sizeof(bad_after[0]); i++) {
        why = NULL;
        assert_int_equal(grantd_audit_query_parse(a, bad_after[i], NULL, &q, &why),
                         GRANTD_EINVAL);
        assert_non_null(strstr(why, "after"));
    }
    static const char *const bad_target[] = {"", "client", "client:", ":x", "tenant:default",
                                             "Client:x", "clients:x"};
    for (size_t i = 0; i < sizeof(bad_target) / sizeof(bad_target[0]); i++) {
        why = NULL;
        assert_int_equal(grantd_audit_query_parse(a, NULL, bad_target[i], &q, &why),
                         GRANTD_EINVAL);
        assert_non_null(strstr(why, "target"));
    }
    char longest[8 + GRANTD_AUDIT_TARGET_MAX + 2];
    snprintf(longest, sizeof(longest), "client:%0*d", GRANTD_AUDIT_TARGET_MAX, 0);
    assert_int_equal(grantd_audit_query_parse(a, NULL, longest, &q, &why), GRANTD_OK);
    strcat(longest, "0");
    assert_int_equal(grantd_audit_query_parse(a, NULL, longest, &q, &why), GRANTD_EINVAL);
}

#define T(fn) cmocka_unit_test_setup_teardown(fn, setup, teardown)

int main(void)
{
    const struct CMUnitTest tests[] = {
        T(test_actors),
        T(test_members_never_values),
        T(test_entry_json),
        T(test_query_parse),
    };
    return cmocka_run_group_tests_name("admin audit", tests, NULL, NULL);
}
