/* Store conformance: what the developer console (issue 13 item 2) keeps. A user's developer
 * flag is written by user_put and user_update and read back by every user read; a client's
 * owner is written by client_put, read back by client_get and client_list, and left alone
 * by client_update and by the client's secret and disabled changes; a client put without
 * one reads NULL (nobody's console); client_list_owned answers one owner's clients, oldest
 * first, and nobody else's.
 *
 * Not here: the pages and who may see what (tests/integration/test_console.py). */
#include "conformance.h"

static void test_developer_flag(void **state)
{
    struct fx *f = *state;
    struct grantd_user u = make_user(f, uid(f->a, "dev")), got;
    u.developer = 1;
    assert_int_equal(grantd_store_user_put(f->s, &u), GRANTD_OK);
    assert_int_equal(grantd_store_user_get(f->s, f->a, f->tenant, u.id, &got), GRANTD_OK);
    assert_user_equal(&u, &got);
    assert_int_equal(grantd_store_user_find(f->s, f->a, f->tenant, u.username, &got), GRANTD_OK);
    assert_true(got.developer);
    /* an update takes it away, and only from this user */
    struct grantd_user other = make_user(f, uid(f->a, "dev"));
    other.developer = 1;
    assert_int_equal(grantd_store_user_put(f->s, &other), GRANTD_OK);
    u.developer = 0;
    assert_int_equal(grantd_store_user_update(f->s, &u, NOW), GRANTD_OK);
    assert_int_equal(grantd_store_user_get(f->s, f->a, f->tenant, u.id, &got), GRANTD_OK);
    assert_false(got.developer);
    assert_int_equal(grantd_store_user_get(f->s, f->a, f->tenant, other.id, &got), GRANTD_OK);
    assert_true(got.developer);
    /* a user put without it is not a developer */
    struct grantd_user plain = make_user(f, uid(f->a, "user"));
    assert_int_equal(grantd_store_user_put(f->s, &plain), GRANTD_OK);
    assert_int_equal(grantd_store_user_get(f->s, f->a, f->tenant, plain.id, &got), GRANTD_OK);
    assert_false(got.developer);
}

static const struct grantd_client *find(const struct grantd_client *list, size_t n,
                                        const char *id)
{
    for (size_t i = 0; i < n; i++)
        if (strcmp(list[i].id, id) == 0)
            return &list[i];
    return NULL;
}

static void test_client_owner(void **state)
{
    struct fx *f = *state;
    const char *owner = uid(f->a, "sub");
    struct grantd_client mine = make_client(f, uid(f->a, "app"), 1);
    struct grantd_client nobody = make_client(f, uid(f->a, "app"), 1), got;
    mine.owner = owner;
    assert_int_equal(grantd_store_client_put(f->s, &mine), GRANTD_OK);
    assert_int_equal(grantd_store_client_put(f->s, &nobody), GRANTD_OK);
    assert_int_equal(grantd_store_client_get(f->s, f->a, f->tenant, mine.id, &got), GRANTD_OK);
    assert_client_equal(&mine, &got);
    assert_int_equal(grantd_store_client_get(f->s, f->a, f->tenant, nobody.id, &got), GRANTD_OK);
    assert_null(got.owner);

    struct grantd_client *list = NULL;
    size_t n = 0;
    assert_int_equal(grantd_store_client_list(f->s, f->a, f->tenant, &list, &n), GRANTD_OK);
    assert_non_null(find(list, n, mine.id));
    assert_string_equal(find(list, n, mine.id)->owner, owner);
    assert_null(find(list, n, nobody.id)->owner);

    /* the owner's list holds theirs only, oldest first; another owner's nothing */
    struct grantd_client later = make_client(f, uid(f->a, "app"), 0);
    later.owner = owner;
    later.created_at = mine.created_at + 10;
    assert_int_equal(grantd_store_client_put(f->s, &later), GRANTD_OK);
    assert_int_equal(grantd_store_client_list_owned(f->s, f->a, f->tenant, owner, &list, &n),
                     GRANTD_OK);
    assert_int_equal(n, 2);
    assert_client_equal(&mine, &list[0]);
    assert_string_equal(list[1].id, later.id);
    assert_int_equal(grantd_store_client_list_owned(f->s, f->a, f->tenant, uid(f->a, "sub"),
                                                    &list, &n),
                     GRANTD_OK);
    assert_int_equal(n, 0);
    assert_int_equal(grantd_store_client_list_owned(f->s, f->a, GRANTD_DEFAULT_TENANT, owner,
                                                    &list, &n),
                     GRANTD_OK);
    assert_int_equal(n, 0);

    /* an update, a rotation, a disable and an enable keep the owner */
    mine.name = "Renamed";
    assert_int_equal(grantd_store_client_update(f->s, &mine, NOW), GRANTD_OK);
    unsigned char hash[GRANTD_SHA256_LEN];
    rand_hash(hash);
    assert_int_equal(grantd_store_client_rotate_secret(f->s, f->tenant, mine.id, hash, 0, NOW),
                     GRANTD_OK);
    assert_int_equal(grantd_store_client_set_disabled(f->s, f->tenant, mine.id, 1, NOW_US),
                     GRANTD_OK);
    assert_int_equal(grantd_store_client_set_disabled(f->s, f->tenant, mine.id, 0, NOW_US + 1),
                     GRANTD_OK);
    assert_int_equal(grantd_store_client_get(f->s, f->a, f->tenant, mine.id, &got), GRANTD_OK);
    assert_string_equal(got.name, "Renamed");
    assert_string_equal(got.owner, owner);
}

#define T(fn) cmocka_unit_test_setup_teardown(fn, setup, teardown)

int main(void)
{
    const struct CMUnitTest tests[] = {
        T(test_developer_flag),
        T(test_client_owner),
    };
    CONFORMANCE_RUN("store conformance: developer console", tests);
}
