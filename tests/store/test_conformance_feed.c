/* Store conformance: the revocation feed (store.h, revocations_since). Each kind of write
 * that revokes appends exactly its event in its own transaction, a write that fails or
 * changes nothing appends none, the cursor only grows, and a tenant sees only its events.
 * A key's retirement (key_retire, key_rotate) is an event too; a purge removes old events
 * and raises the floor (API 4).
 *
 * Not here: the HTTP feed (tests/integration/test_revocation_feed.py). */
#include "conformance.h"

/* Every event of f's tenant after `after`; *next gets the cursor to ask after next time. */
static size_t events(struct fx *f, int64_t after, struct grantd_revocation **out, int64_t *next)
{
    size_t n = 0;
    assert_int_equal(grantd_store_revocations_since(f->s, f->a, f->tenant, after, 100, out, &n,
                                                    next),
                     GRANTD_OK);
    return n;
}

static int64_t cursor_now(struct fx *f)
{
    struct grantd_revocation *e;
    int64_t next = 0;
    events(f, 0, &e, &next);
    return next;
}

static void assert_event(const struct grantd_revocation *e, const char *kind,
                         const char *subject, int64_t at)
{
    assert_string_equal(e->kind, kind);
    assert_string_equal(e->subject, subject);
    assert_int_equal(e->at, at);
}

static struct grantd_code issued(struct fx *f, struct grantd_token t[2])
{
    struct grantd_code k = make_code(f, f->tenant, NULL);
    make_tokens(&k, t);
    assert_int_equal(grantd_store_token_put(f->s, t, 2), GRANTD_OK);
    return k;
}

static void test_feed_token_revoke(void **state)
{
    struct fx *f = *state;
    struct grantd_token t[2];
    issued(f, t);
    int64_t c0 = cursor_now(f), next = 0;
    struct grantd_revocation *e;
    assert_int_equal(events(f, c0, &e, &next), 0);
    assert_int_equal(next, c0);
    assert_int_equal(grantd_store_token_revoke(f->s, f->tenant, t[0].hash, 1000), GRANTD_OK);
    assert_int_equal(events(f, c0, &e, &next), 1);
    char hex[2 * 24 + 1];
    grantd_hex_encode(t[0].hash + 8, 24, hex);
    assert_event(&e[0], "token", hex, 1000); /* the caller's time (API 4) */
    assert_true(e[0].cursor > c0);
    assert_int_equal(next, e[0].cursor);
    assert_int_equal(e[0].tenant, f->tenant);
    /* revoking again, or a token that is not there: nothing new */
    assert_int_equal(grantd_store_token_revoke(f->s, f->tenant, t[0].hash, 1000), GRANTD_OK);
    unsigned char none[GRANTD_SHA256_LEN];
    rand_hash(none);
    assert_int_equal(grantd_store_token_revoke(f->s, f->tenant, none, 1000), GRANTD_ENOTFOUND);
    assert_int_equal(events(f, next, &e, &next), 0);
}

static void test_feed_family(void **state)
{
    struct fx *f = *state;
    struct grantd_token t[2], n[2];
    struct grantd_code k = issued(f, t);
    int64_t c0 = cursor_now(f), next = 0;
    struct grantd_revocation *e;
    assert_int_equal(grantd_store_token_revoke_family(f->s, f->tenant, k.family, NOW), GRANTD_OK);
    /* the family, then its live access token (a verifier knows tokens, not families) */
    assert_int_equal(events(f, c0, &e, &next), 2);
    assert_event(&e[0], "family", k.family, NOW);
    char hex[2 * 24 + 1];
    grantd_hex_encode(t[0].hash + 8, 24, hex);
    assert_event(&e[1], "token", hex, NOW);
    /* a family revoked already, and a refused token_put: nothing new */
    assert_int_equal(grantd_store_token_revoke_family(f->s, f->tenant, k.family, NOW + 1),
                     GRANTD_OK);
    make_tokens(&k, n);
    assert_int_equal(grantd_store_token_put(f->s, n, 2), GRANTD_ECONFLICT);
    /* revoking a token of a revoked family is not news either */
    assert_int_equal(grantd_store_token_revoke(f->s, f->tenant, t[1].hash, 1000), GRANTD_OK);
    assert_int_equal(events(f, next, &e, &next), 0);
}

static void test_feed_client_and_user(void **state)
{
    struct fx *f = *state;
    struct grantd_token t[2];
    struct grantd_code k = issued(f, t);
    struct grantd_client c = make_client(f, k.client_id, 1);
    assert_int_equal(grantd_store_client_put(f->s, &c), GRANTD_OK);
    struct grantd_user u = make_user(f, "feed-user");
    assert_int_equal(grantd_store_user_put(f->s, &u), GRANTD_OK);
    int64_t c0 = cursor_now(f), next = 0;
    struct grantd_revocation *e;
    /* enabling what is enabled, disabling what does not exist: nothing */
    assert_int_equal(grantd_store_client_set_disabled(f->s, f->tenant, c.id, 0, NOW_US),
                     GRANTD_OK);
    assert_int_equal(grantd_store_user_set_disabled(f->s, f->tenant, "nobody", 1, NOW),
                     GRANTD_ENOTFOUND);
    assert_int_equal(events(f, c0, &e, &next), 0);
    assert_int_equal(grantd_store_client_set_disabled(f->s, f->tenant, c.id, 1, NOW_US),
                     GRANTD_OK);
    assert_int_equal(grantd_store_user_set_disabled(f->s, f->tenant, u.username, 1, NOW + 1),
                     GRANTD_OK);
    assert_int_equal(events(f, c0, &e, &next), 4);
    assert_event(&e[0], "client", c.id, NOW);
    assert_event(&e[1], "family", k.family, NOW);
    assert_string_equal(e[2].kind, "token");
    assert_event(&e[3], "user", u.id, NOW + 1);
    assert_true(e[0].cursor < e[1].cursor && e[1].cursor < e[2].cursor);
    /* disabled again: no new event */
    assert_int_equal(grantd_store_user_set_disabled(f->s, f->tenant, u.username, 1, NOW + 2),
                     GRANTD_OK);
    assert_int_equal(events(f, next, &e, &next), 0);
}

static void test_feed_limit_and_tenants(void **state)
{
    struct fx *f = *state;
    int64_t c0 = cursor_now(f), next = 0;
    const char *fam[3];
    for (int i = 0; i < 3; i++) {
        fam[i] = uid(f->a, "family");
        assert_int_equal(grantd_store_token_revoke_family(f->s, f->tenant, fam[i], NOW), GRANTD_OK);
    }
    /* another tenant's revocation is not in this tenant's feed */
    assert_int_equal(grantd_store_token_revoke_family(f->s, GRANTD_DEFAULT_TENANT,
                                                      uid(f->a, "family"), NOW),
                     GRANTD_OK);
    struct grantd_revocation *e;
    size_t n = 0;
    assert_int_equal(grantd_store_revocations_since(f->s, f->a, f->tenant, c0, 2, &e, &n, &next),
                     GRANTD_OK);
    assert_int_equal(n, 2);
    assert_string_equal(e[0].subject, fam[0]);
    assert_string_equal(e[1].subject, fam[1]);
    assert_int_equal(events(f, next, &e, &next), 1);
    assert_string_equal(e[0].subject, fam[2]);
    assert_int_equal(events(f, next, &e, &next), 0);
    assert_int_equal(grantd_store_revocations_since(f->s, f->a, f->tenant, -1, 2, &e, &n, &next),
                     GRANTD_EINVAL);
}

/* A rotation's scheduled retirement is an event with its future at; key_retire moves it
 * back to now (a second event, the earlier at); the current key is refused, an unknown kid
 * is not found, a retired key is retired already (nothing new). */
static void test_feed_key_retire(void **state)
{
    struct fx *f = *state;
    struct grantd_key k = make_key(f, f->tenant, 1700000000);
    struct grantd_key k2 = make_key(f, f->tenant, 1700000001);
    assert_int_equal(grantd_store_key_put(f->s, &k), GRANTD_OK);
    int64_t c0 = cursor_now(f), next = 0;
    struct grantd_revocation *e;
    assert_int_equal(grantd_store_key_retire(f->s, f->tenant, k.kid, 1700000005),
                     GRANTD_ECONFLICT);
    assert_int_equal(grantd_store_key_rotate(f->s, f->tenant, &k2, 1700003600), GRANTD_OK);
    assert_int_equal(events(f, c0, &e, &next), 1);
    assert_event(&e[0], "key", k.kid, 1700003600);
    assert_int_equal(grantd_store_key_retire(f->s, f->tenant, k.kid, 1700000010), GRANTD_OK);
    assert_int_equal(events(f, next, &e, &next), 1);
    assert_event(&e[0], "key", k.kid, 1700000010);
    assert_int_equal(grantd_store_key_retire(f->s, f->tenant, k.kid, 1700000020), GRANTD_OK);
    assert_int_equal(grantd_store_key_retire(f->s, f->tenant, "nope", 1700000020),
                     GRANTD_ENOTFOUND);
    assert_int_equal(grantd_store_key_retire(f->s, f->tenant, k2.kid, 1700000020),
                     GRANTD_ECONFLICT);
    assert_int_equal(events(f, next, &e, &next), 0);
    struct grantd_key *keys = NULL;
    size_t n = 0;
    assert_int_equal(grantd_store_key_list(f->s, f->a, f->tenant, &keys, &n), GRANTD_OK);
    assert_int_equal(n, 2);
    assert_int_equal(keys[0].retire_at, 1700000010);
    assert_int_equal(keys[1].retire_at, 0);
}

/* Purging removes every event up to the newest one stamped before the cut and raises the
 * floor to it; events after it stay, and the floor never goes down. */
static void test_feed_purge_and_floor(void **state)
{
    struct fx *f = *state;
    struct grantd_token t[2];
    issued(f, t);
    int64_t floor = -1, next = 0;
    struct grantd_revocation *e;
    size_t deleted = 99;
    assert_int_equal(grantd_store_revocations_floor(f->s, &floor), GRANTD_OK);
    assert_int_equal(floor, 0); /* nothing ever purged */
    int64_t c0 = cursor_now(f);
    assert_int_equal(grantd_store_token_revoke(f->s, f->tenant, t[0].hash, 1000), GRANTD_OK);
    assert_int_equal(grantd_store_token_revoke(f->s, f->tenant, t[1].hash, 2000), GRANTD_OK);
    assert_int_equal(grantd_store_revocations_purge(f->s, 1000, &deleted), GRANTD_OK);
    assert_int_equal(events(f, c0, &e, &next), 2); /* nothing stamped before 1000 */
    int64_t first = e[0].cursor, second = e[1].cursor;
    assert_int_equal(grantd_store_revocations_purge(f->s, 1500, &deleted), GRANTD_OK);
    assert_true(deleted >= 1);
    assert_int_equal(grantd_store_revocations_floor(f->s, &floor), GRANTD_OK);
    assert_int_equal(floor, first);
    assert_int_equal(events(f, c0, &e, &next), 1);
    assert_int_equal(e[0].cursor, second);
    assert_int_equal(grantd_store_revocations_purge(f->s, 100, &deleted), GRANTD_OK);
    assert_int_equal(deleted, 0);
    assert_int_equal(grantd_store_revocations_floor(f->s, &floor), GRANTD_OK);
    assert_int_equal(floor, first);
}

#define T(fn) cmocka_unit_test_setup_teardown(fn, setup, teardown)

int main(void)
{
    const struct CMUnitTest tests[] = {
        T(test_feed_token_revoke),
        T(test_feed_family),
        T(test_feed_client_and_user),
        T(test_feed_limit_and_tenants),
        T(test_feed_key_retire),
        T(test_feed_purge_and_floor),
    };
    CONFORMANCE_RUN("store conformance: revocation feed", tests);
}
