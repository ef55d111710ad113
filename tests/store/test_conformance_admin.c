/* Store conformance: the operations of store API version 4, which the admin API uses
 * (client_update, client_rotate_secret, user_update, admin keys). An update changes what it
 * names and nothing else, a failed one changes nothing, a rotation keeps the replaced
 * secret's hash until the time given, and admin keys are found by hash only.
 *
 * Not here: the HTTP API (tests/integration/test_admin_api.py). */
#include "conformance.h"

static void test_client_update(void **state)
{
    struct fx *f = *state;
    struct grantd_client c = make_client(f, uid(f->a, "client"), 3), got;
    c.post_logout_redirect_uris = "https://app.example/bye";
    c.id_token_alg = "ES256";
    assert_int_equal(grantd_store_client_put(f->s, &c), GRANTD_OK);
    assert_int_equal(grantd_store_client_get(f->s, f->a, f->tenant, c.id, &got), GRANTD_OK);
    assert_client_equal(&c, &got);
    uint64_t gen = grantd_store_client_generation(f->s);
    static const char *const uris[] = {"https://new.example/cb"};
    struct grantd_client u = c;
    u.name = "Renamed";
    u.redirect_uris = uris;
    u.redirect_uri_count = 1;
    u.scope = "read";
    u.grants = GRANTD_GRANT_CLIENT_CREDENTIALS;
    u.flags = GRANTD_CLIENT_JWT_ACCESS;
    u.access_ttl = 600;
    u.refresh_ttl = GRANTD_TTL_NEVER;
    u.post_logout_redirect_uris = "https://new.example/bye http://127.0.0.1/out";
    u.id_token_alg = NULL;                 /* back to the default, RS256 */
    u.disabled = 1;                        /* not an update's to change */
    u.created_at = 1;                      /* neither */
    rand_hash(u.secret_hash);              /* nor this */
    assert_int_equal(grantd_store_client_update(f->s, &u, NOW), GRANTD_OK);
    assert_true(grantd_store_client_generation(f->s) != gen);
    assert_int_equal(grantd_store_client_get(f->s, f->a, f->tenant, c.id, &got), GRANTD_OK);
    u.disabled = 0;
    u.created_at = c.created_at;
    memcpy(u.secret_hash, c.secret_hash, GRANTD_SHA256_LEN);
    u.updated_at = NOW;
    assert_client_equal(&u, &got);
    /* an update with no URIs leaves none; an absent client: ENOTFOUND, nothing written */
    u.redirect_uri_count = 0;
    assert_int_equal(grantd_store_client_update(f->s, &u, NOW + 1), GRANTD_OK);
    assert_int_equal(grantd_store_client_get(f->s, f->a, f->tenant, c.id, &got), GRANTD_OK);
    assert_int_equal(got.redirect_uri_count, 0);
    u.id = uid(f->a, "absent");
    assert_int_equal(grantd_store_client_update(f->s, &u, NOW), GRANTD_ENOTFOUND);
    assert_int_equal(grantd_store_client_get(f->s, f->a, f->tenant, u.id, &got),
                     GRANTD_ENOTFOUND);
    u.id = c.id;
    u.tenant = GRANTD_DEFAULT_TENANT; /* another tenant's client of that id: none */
    assert_int_equal(grantd_store_client_update(f->s, &u, NOW), GRANTD_ENOTFOUND);
}

static void test_client_rotate_secret(void **state)
{
    struct fx *f = *state;
    struct grantd_client c = make_client(f, uid(f->a, "client"), 1), got;
    unsigned char second[GRANTD_SHA256_LEN], third[GRANTD_SHA256_LEN], zero[GRANTD_SHA256_LEN];
    memset(zero, 0, sizeof(zero));
    rand_hash(second);
    rand_hash(third);
    assert_int_equal(grantd_store_client_put(f->s, &c), GRANTD_OK);
    assert_int_equal(grantd_store_client_get(f->s, f->a, f->tenant, c.id, &got), GRANTD_OK);
    assert_int_equal(got.prev_secret_until, 0);
    assert_int_equal(grantd_store_client_rotate_secret(f->s, f->tenant, c.id, second, NOW + 600,
                                                       NOW),
                     GRANTD_OK);
    assert_int_equal(grantd_store_client_get(f->s, f->a, f->tenant, c.id, &got), GRANTD_OK);
    assert_memory_equal(got.secret_hash, second, GRANTD_SHA256_LEN);
    assert_memory_equal(got.prev_secret_hash, c.secret_hash, GRANTD_SHA256_LEN);
    assert_int_equal(got.prev_secret_until, NOW + 600);
    assert_int_equal(got.updated_at, NOW);
    /* without an overlap the replaced secret is gone at once */
    assert_int_equal(grantd_store_client_rotate_secret(f->s, f->tenant, c.id, third, 0, NOW + 1),
                     GRANTD_OK);
    assert_int_equal(grantd_store_client_get(f->s, f->a, f->tenant, c.id, &got), GRANTD_OK);
    assert_memory_equal(got.secret_hash, third, GRANTD_SHA256_LEN);
    assert_int_equal(got.prev_secret_until, 0);
    assert_memory_equal(got.prev_secret_hash, zero, GRANTD_SHA256_LEN);
    /* client_set_secret forgets a previous secret too */
    assert_int_equal(grantd_store_client_rotate_secret(f->s, f->tenant, c.id, second, NOW + 600,
                                                       NOW + 2),
                     GRANTD_OK);
    assert_int_equal(grantd_store_client_set_secret(f->s, f->tenant, c.id, third, NOW + 3),
                     GRANTD_OK);
    assert_int_equal(grantd_store_client_get(f->s, f->a, f->tenant, c.id, &got), GRANTD_OK);
    assert_int_equal(got.prev_secret_until, 0);
    assert_int_equal(grantd_store_client_rotate_secret(f->s, f->tenant, uid(f->a, "absent"),
                                                       second, 0, NOW),
                     GRANTD_ENOTFOUND);
}

static void test_user_update(void **state)
{
    struct fx *f = *state;
    struct grantd_user a = make_user(f, uid(f->a, "alice")), b = make_user(f, uid(f->a, "bob"));
    struct grantd_user got;
    assert_int_equal(grantd_store_user_put(f->s, &a), GRANTD_OK);
    assert_int_equal(grantd_store_user_put(f->s, &b), GRANTD_OK);
    struct grantd_user u = a;
    u.username = uid(f->a, "carol");
    u.account = NULL;
    u.email = "carol@example.com";
    u.disabled = 1;            /* not an update's to change */
    u.password_hash = "other"; /* neither */
    assert_int_equal(grantd_store_user_update(f->s, &u, NOW), GRANTD_OK);
    assert_int_equal(grantd_store_user_get(f->s, f->a, f->tenant, a.id, &got), GRANTD_OK);
    u.disabled = 0;
    u.password_hash = a.password_hash;
    u.updated_at = NOW;
    assert_user_equal(&u, &got);
    /* another user's username: EEXIST, nothing changed */
    struct grantd_user taken = u;
    taken.username = b.username;
    taken.email = NULL;
    assert_int_equal(grantd_store_user_update(f->s, &taken, NOW + 1), GRANTD_EEXIST);
    assert_int_equal(grantd_store_user_get(f->s, f->a, f->tenant, a.id, &got), GRANTD_OK);
    assert_user_equal(&u, &got);
    taken.id = uid(f->a, "absent");
    taken.username = uid(f->a, "free");
    assert_int_equal(grantd_store_user_update(f->s, &taken, NOW), GRANTD_ENOTFOUND);
}

static void test_admin_keys(void **state)
{
    struct fx *f = *state;
    struct grantd_admin_key all = {.id = uid(f->a, "ak"), .name = "ops", .created_at = NOW};
    struct grantd_admin_key one = {.id = uid(f->a, "ak"), .name = "shop", .tenant = f->tenant,
                                   .created_at = NOW + 1};
    struct grantd_admin_key got, *list = NULL;
    rand_hash(all.hash);
    rand_hash(one.hash);
    assert_int_equal(grantd_store_admin_key_put(f->s, &all), GRANTD_OK);
    assert_int_equal(grantd_store_admin_key_put(f->s, &one), GRANTD_OK);
    assert_int_equal(grantd_store_admin_key_find(f->s, f->a, one.hash, &got), GRANTD_OK);
    assert_string_equal(got.id, one.id);
    assert_string_equal(got.name, "shop");
    assert_int_equal(got.tenant, f->tenant);
    assert_int_equal(got.revoked_at, 0);
    assert_int_equal(grantd_store_admin_key_find(f->s, f->a, all.hash, &got), GRANTD_OK);
    assert_int_equal(got.tenant, 0);
    unsigned char other[GRANTD_SHA256_LEN];
    rand_hash(other);
    assert_int_equal(grantd_store_admin_key_find(f->s, f->a, other, &got), GRANTD_ENOTFOUND);
    /* a taken id or hash, an unknown tenant: refused */
    struct grantd_admin_key dup = one;
    memcpy(dup.hash, other, sizeof(other));
    assert_int_equal(grantd_store_admin_key_put(f->s, &dup), GRANTD_EEXIST);
    dup.id = uid(f->a, "ak");
    memcpy(dup.hash, all.hash, sizeof(other));
    assert_int_equal(grantd_store_admin_key_put(f->s, &dup), GRANTD_EEXIST);
    memcpy(dup.hash, other, sizeof(other));
    dup.tenant = 1 << 30;
    assert_int_equal(grantd_store_admin_key_put(f->s, &dup), GRANTD_ENOTFOUND);
    /* revoked: still found (the caller refuses it), at its first revocation time */
    assert_int_equal(grantd_store_admin_key_revoke(f->s, one.id, NOW + 5), GRANTD_OK);
    assert_int_equal(grantd_store_admin_key_revoke(f->s, one.id, NOW + 9), GRANTD_OK);
    assert_int_equal(grantd_store_admin_key_find(f->s, f->a, one.hash, &got), GRANTD_OK);
    assert_int_equal(got.revoked_at, NOW + 5);
    assert_int_equal(grantd_store_admin_key_revoke(f->s, uid(f->a, "ak"), NOW), GRANTD_ENOTFOUND);
    size_t n = 0, seen = 0;
    assert_int_equal(grantd_store_admin_key_list(f->s, f->a, &list, &n), GRANTD_OK);
    for (size_t i = 0; i < n; i++)
        seen += strcmp(list[i].id, all.id) == 0 || strcmp(list[i].id, one.id) == 0;
    assert_int_equal(seen, 2);
}

/* The wrapper's checks of the admin API's writes (store.h, "Argument checks"), the same on
 * every driver: no now, a key of a negative tenant, no id; nothing changes. */
static void test_admin_writes_invalid(void **state)
{
    struct fx *f = *state;
    struct grantd_client c = make_client(f, uid(f->a, "client"), 1), got;
    struct grantd_user u = make_user(f, uid(f->a, "dave")), gu;
    assert_int_equal(grantd_store_client_put(f->s, &c), GRANTD_OK);
    assert_int_equal(grantd_store_user_put(f->s, &u), GRANTD_OK);
    struct grantd_client cu = c;
    cu.name = "Renamed";
    assert_int_equal(grantd_store_client_update(f->s, &cu, 0), GRANTD_EINVAL);
    cu.redirect_uris = NULL; /* a count without its URIs */
    assert_int_equal(grantd_store_client_update(f->s, &cu, NOW), GRANTD_EINVAL);
    assert_int_equal(grantd_store_client_get(f->s, f->a, f->tenant, c.id, &got), GRANTD_OK);
    assert_string_equal(got.name, c.name);
    struct grantd_user uu = u;
    uu.email = "new@example.com";
    assert_int_equal(grantd_store_user_update(f->s, &uu, 0), GRANTD_EINVAL);
    uu.username = NULL;
    assert_int_equal(grantd_store_user_update(f->s, &uu, NOW), GRANTD_EINVAL);
    assert_int_equal(grantd_store_user_get(f->s, f->a, f->tenant, u.id, &gu), GRANTD_OK);
    assert_user_equal(&u, &gu);
    unsigned char hash[GRANTD_SHA256_LEN];
    rand_hash(hash);
    assert_int_equal(grantd_store_client_rotate_secret(f->s, f->tenant, NULL, hash, 0, NOW),
                     GRANTD_EINVAL);
    struct grantd_admin_key k = {.id = uid(f->a, "ak"), .name = "x", .tenant = -1,
                                 .created_at = NOW}, gk;
    rand_hash(k.hash);
    assert_int_equal(grantd_store_admin_key_put(f->s, &k), GRANTD_EINVAL);
    assert_int_equal(grantd_store_admin_key_find(f->s, f->a, k.hash, &gk), GRANTD_ENOTFOUND);
    assert_int_equal(grantd_store_admin_key_find(f->s, f->a, NULL, &gk), GRANTD_EINVAL);
    assert_int_equal(grantd_store_admin_key_revoke(f->s, k.id, 0), GRANTD_EINVAL);
}

#define T(fn) cmocka_unit_test_setup_teardown(fn, setup, teardown)

int main(void)
{
    const struct CMUnitTest tests[] = {
        T(test_client_update),
        T(test_client_rotate_secret),
        T(test_user_update),
        T(test_admin_keys),
        T(test_admin_writes_invalid),
    };
    CONFORMANCE_RUN("store conformance: the admin API's operations", tests);
}
