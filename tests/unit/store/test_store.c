/* Unit tests of store/store.c, the generic layer every driver is reached through: a driver
 * older than GRANTD_STORE_API_MIN is refused with a message that names both versions, a
 * newer one is accepted, an operation a driver leaves NULL (or one newer than the driver's
 * version) answers GRANTD_ENOTSUP through its wrapper, the optional token_put_async falls back
 * to token_put, and the wrappers' argument checks answer GRANTD_EINVAL before a driver is
 * called. The drivers here are copies of the SQLite driver's table with a field changed.
 * Writes that change no client leave the client cache's generation alone. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>

#include <stdio.h>
#include <string.h>

#include "core/mem.h"
#include "store/store.h"

extern const struct grantd_store_driver grantd_sqlite_driver;

static struct grantd_store *open_with(const struct grantd_store_driver *d)
{
    struct grantd_store *s = NULL;
    char err[256] = "";
    assert_int_equal(grantd_store_open_driver(d, ":memory:", &s, err, sizeof(err)), GRANTD_OK);
    int from, to;
    assert_int_equal(grantd_store_migrate(s, 1700000000, &from, &to), GRANTD_OK);
    return s;
}

static void test_too_old_driver_refused(void **state)
{
    struct grantd_store_driver old = grantd_sqlite_driver;
    old.version = GRANTD_STORE_API_MIN - 1;
    struct grantd_store *s = NULL;
    char err[256] = "", want[64];
    assert_int_equal(grantd_store_open_driver(&old, ":memory:", &s, err, sizeof(err)),
                     GRANTD_EINVAL);
    assert_null(s);
    assert_non_null(strstr(err, "'sqlite'"));
    snprintf(want, sizeof(want), "version %d;", GRANTD_STORE_API_MIN - 1);
    assert_non_null(strstr(err, want));
    snprintf(want, sizeof(want), "needs version %d or newer", GRANTD_STORE_API_MIN);
    assert_non_null(strstr(err, want));
}

static void test_newer_driver_accepted(void **state)
{
    struct grantd_store_driver newer = grantd_sqlite_driver;
    newer.version = GRANTD_STORE_API_VERSION + 1;
    struct grantd_store *s = open_with(&newer);
    assert_ptr_equal(s->driver, &newer);
    assert_int_equal(grantd_store_ping(s), GRANTD_OK);
    grantd_store_close(s);
}

static void test_null_operation_is_enotsup(void **state)
{
    struct grantd_store_driver partial = grantd_sqlite_driver;
    partial.user_list = NULL;
    partial.token_revoke = NULL;
    partial.token_revoke_at = NULL; /* token_revoke's wrapper falls back to token_revoke */
    struct grantd_store *s = open_with(&partial);
    struct grantd_arena *a = grantd_arena_new(1024);
    struct grantd_user *users = NULL;
    size_t n = 0;
    unsigned char hash[GRANTD_SHA256_LEN] = {1};
    assert_int_equal(grantd_store_user_list(s, a, GRANTD_DEFAULT_TENANT, &users, &n),
                     GRANTD_ENOTSUP);
    assert_int_equal(grantd_store_token_revoke(s, GRANTD_DEFAULT_TENANT, hash, 1000),
                     GRANTD_ENOTSUP);
    /* the others still run */
    struct grantd_tenant t;
    assert_int_equal(grantd_store_tenant_get(s, a, GRANTD_DEFAULT_TENANT, &t), GRANTD_OK);
    grantd_arena_free(a);
    grantd_store_close(s);
}

/* backup is a version 5 operation: a driver that declares version 4 never has it read. */
static void test_backup_needs_version_5(void **state)
{
    struct grantd_store_driver v4 = grantd_sqlite_driver;
    v4.version = 4;
    struct grantd_store *s = open_with(&v4);
    char err[256] = "";
    assert_int_equal(grantd_store_backup(s, "/nonexistent/never-written.db", err, sizeof(err)),
                     GRANTD_ENOTSUP);
    grantd_store_close(s);
}

static void note_done(void *arg, grantd_rc rc)
{
    *(grantd_rc *)arg = rc;
}

/* Without token_put_async the wrapper runs token_put and calls done before returning. */
static void test_token_put_async_falls_back(void **state)
{
    struct grantd_store_driver sync = grantd_sqlite_driver;
    sync.token_put_async = NULL;
    struct grantd_store *s = open_with(&sync);
    assert_int_equal(grantd_store_puts_async(s), 0);
    struct grantd_token t = {.tenant = GRANTD_DEFAULT_TENANT, .kind = GRANTD_TOKEN_ACCESS,
                             .client_id = "c", .family = "f", .created_at = 1700000000,
                             .expires_at = 1700003600};
    t.hash[0] = 7;
    grantd_rc got = GRANTD_RC_COUNT;
    grantd_store_token_put_async(s, &t, 1, note_done, &got);
    assert_int_equal(got, GRANTD_OK);
    struct grantd_arena *a = grantd_arena_new(1024);
    struct grantd_token back;
    assert_int_equal(grantd_store_token_get(s, a, GRANTD_DEFAULT_TENANT, t.hash, &back),
                     GRANTD_OK);
    grantd_arena_free(a);
    grantd_store_close(s);
}

/* A revocation (or any write that changes no client) moves the generation the token cache
 * follows but not the client generation, so a busy refresh grant does not empty the client
 * cache of every other request; a change to a client moves both, and so does the watcher. */
static void test_client_generation_moves_only_for_clients(void **state)
{
    struct grantd_store *s = open_with(&grantd_sqlite_driver);
    const int64_t now = 1700000000;
    struct grantd_client c = {.tenant = GRANTD_DEFAULT_TENANT, .id = "c", .name = "C",
                              .scope = "", .grants = GRANTD_GRANT_CLIENT_CREDENTIALS,
                              .created_at = now, .updated_at = now, .tokens_after = now * 1000000};
    assert_int_equal(grantd_store_client_put(s, &c), GRANTD_OK);
    struct grantd_token t = {.tenant = GRANTD_DEFAULT_TENANT, .kind = GRANTD_TOKEN_ACCESS,
                             .client_id = "c", .family = "f", .created_at = now,
                             .expires_at = now + 3600};
    t.hash[0] = 9;
    assert_int_equal(grantd_store_token_put(s, &t, 1), GRANTD_OK);
    uint64_t gen = grantd_store_generation(s), cgen = grantd_store_client_generation(s);

    assert_int_equal(grantd_store_token_revoke(s, GRANTD_DEFAULT_TENANT, t.hash, 1000), GRANTD_OK);
    assert_true(grantd_store_generation(s) > gen);
    assert_int_equal(grantd_store_client_generation(s), cgen);

    gen = grantd_store_generation(s);
    unsigned char hash[GRANTD_SHA256_LEN] = {1};
    assert_int_equal(grantd_store_client_set_secret(s, GRANTD_DEFAULT_TENANT, "c", hash, now),
                     GRANTD_OK);
    assert_true(grantd_store_generation(s) > gen);
    assert_true(grantd_store_client_generation(s) > cgen);

    gen = grantd_store_generation(s);
    cgen = grantd_store_client_generation(s);
    grantd_store_changed(s); /* what the watcher does for another process's write */
    assert_true(grantd_store_generation(s) > gen && grantd_store_client_generation(s) > cgen);
    grantd_store_close(s);
}

/* Driver operations that count their calls: what the wrapper refuses never reaches them. */
static int driver_calls;

static grantd_rc count_token_put(struct grantd_store *s, const struct grantd_token *t, size_t n)
{
    driver_calls++;
    return GRANTD_OK;
}

static void count_token_put_async(struct grantd_store *s, const struct grantd_token *t, size_t n,
                                  void (*done)(void *arg, grantd_rc rc), void *arg)
{
    driver_calls++;
    done(arg, GRANTD_OK);
}

static grantd_rc count_code_put(struct grantd_store *s, const struct grantd_code *k)
{
    driver_calls++;
    return GRANTD_OK;
}

static grantd_rc count_rotate(struct grantd_store *s, int64_t tenant, const unsigned char *old,
                              int64_t now, int64_t grace, const unsigned char *successor,
                              size_t successor_len, const struct grantd_token *t, size_t n)
{
    driver_calls++;
    return GRANTD_OK;
}

static void count_rotate_async(struct grantd_store *s, int64_t tenant, const unsigned char *old,
                               int64_t now, int64_t grace, const unsigned char *successor,
                               size_t successor_len, const struct grantd_token *t, size_t n,
                               void (*done)(void *arg, grantd_rc rc), void *arg)
{
    driver_calls++;
    done(arg, GRANTD_OK);
}

static grantd_rc count_client_put(struct grantd_store *s, const struct grantd_client *c)
{
    driver_calls++;
    return GRANTD_OK;
}

/* The wrappers' argument checks (store.h, "Argument checks") answer GRANTD_EINVAL without
 * calling the driver, so no driver needs its own copy of them; a valid call still reaches it. */
static void test_wrapper_checks_before_the_driver(void **state)
{
    struct grantd_store_driver counting = grantd_sqlite_driver;
    counting.token_put = count_token_put;
    counting.token_put_async = count_token_put_async;
    counting.code_put = count_code_put;
    counting.refresh_rotate = count_rotate;
    counting.refresh_rotate_async = count_rotate_async;
    counting.client_put = count_client_put;
    struct grantd_store *s = open_with(&counting);
    const int64_t now = 1700000000;
    struct grantd_token t[2] = {{.tenant = GRANTD_DEFAULT_TENANT, .kind = GRANTD_TOKEN_ACCESS,
                                 .client_id = "c", .family = "f", .created_at = now},
                                {.tenant = GRANTD_DEFAULT_TENANT, .kind = GRANTD_TOKEN_REFRESH,
                                 .client_id = "c", .family = "g", .created_at = now}};
    unsigned char old[GRANTD_SHA256_LEN] = {3};
    driver_calls = 0;
    assert_int_equal(grantd_store_token_put(s, t, 2), GRANTD_EINVAL); /* two families */
    assert_int_equal(grantd_store_token_put(s, t, 0), GRANTD_EINVAL);
    grantd_rc got = GRANTD_RC_COUNT;
    grantd_store_token_put_async(s, t, 2, note_done, &got);
    assert_int_equal(got, GRANTD_EINVAL);
    assert_int_equal(grantd_store_refresh_rotate(s, GRANTD_DEFAULT_TENANT, old, now, 0, NULL, 4,
                                                 t, 1),
                     GRANTD_EINVAL); /* a successor length without its bytes */
    got = GRANTD_RC_COUNT;
    grantd_store_refresh_rotate_async(s, GRANTD_DEFAULT_TENANT, old, 0, 0, NULL, 0, t, 1,
                                      note_done, &got); /* now 0 */
    assert_int_equal(got, GRANTD_EINVAL);
    struct grantd_code k = {.tenant = GRANTD_DEFAULT_TENANT, .client_id = "c", .user_id = "u",
                            .family = "f", .created_at = now, .code_challenge = "x"};
    assert_int_equal(grantd_store_code_put(s, &k), GRANTD_EINVAL); /* no method */
    struct grantd_client c = {.tenant = GRANTD_DEFAULT_TENANT, .id = "c", .name = "C",
                              .created_at = now, .tokens_after = now * 1000000,
                              .redirect_uri_count = 1};
    assert_int_equal(grantd_store_client_put(s, &c), GRANTD_EINVAL); /* no URIs */
    assert_int_equal(driver_calls, 0);
    t[1].family = "f";
    k.code_challenge_method = "S256";
    c.redirect_uri_count = 0;
    assert_int_equal(grantd_store_token_put(s, t, 2), GRANTD_OK);
    grantd_store_token_put_async(s, t, 2, note_done, &got);
    assert_int_equal(got, GRANTD_OK);
    assert_int_equal(grantd_store_refresh_rotate(s, GRANTD_DEFAULT_TENANT, old, now, 0, NULL, 0,
                                                 t, 2),
                     GRANTD_OK);
    got = GRANTD_RC_COUNT;
    grantd_store_refresh_rotate_async(s, GRANTD_DEFAULT_TENANT, old, now, 0, NULL, 0, t, 2,
                                      note_done, &got);
    assert_int_equal(got, GRANTD_OK);
    assert_int_equal(grantd_store_code_put(s, &k), GRANTD_OK);
    assert_int_equal(grantd_store_client_put(s, &c), GRANTD_OK);
    assert_int_equal(driver_calls, 6);
    grantd_store_close(s);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_client_generation_moves_only_for_clients),
        cmocka_unit_test(test_too_old_driver_refused),
        cmocka_unit_test(test_newer_driver_accepted),
        cmocka_unit_test(test_null_operation_is_enotsup),
        cmocka_unit_test(test_backup_needs_version_5),
        cmocka_unit_test(test_token_put_async_falls_back),
        cmocka_unit_test(test_wrapper_checks_before_the_driver),
    };
    return cmocka_run_group_tests_name("store", tests, NULL, NULL);
}
