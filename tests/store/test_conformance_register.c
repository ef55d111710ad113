/* Store conformance: dynamic client registration (issue 13 item 3): initial access tokens
 * and the registrations of clients created at /register. Taking a use of an initial access
 * token and inserting the client are one transaction (a refused token creates nothing, a
 * failed insert costs no use); a registration access token rotates by compare-and-swap (the
 * old hash never works again, a second rotation from it fails); a registration dies with
 * its client.
 *
 * Not here: the HTTP side (tests/integration/test_registration.py). */
#include "conformance.h"

static struct grantd_registration_token make_iat(struct fx *f, int64_t expires_at,
                                                 int64_t uses)
{
    struct grantd_registration_token t = {.id = uid(f->a, "iat"), .tenant = f->tenant,
                                          .expires_at = expires_at, .uses_left = uses,
                                          .created_at = NOW};
    rand_hash(t.hash);
    return t;
}

static struct grantd_registration make_reg(const struct grantd_client *c, const char *metadata)
{
    struct grantd_registration r = {.tenant = c->tenant, .client_id = c->id,
                                    .metadata = metadata};
    rand_hash(r.token_hash);
    return r;
}

static void test_registration_put_and_get(void **state)
{
    struct fx *f = *state;
    struct grantd_client c = make_client(f, uid(f->a, "dcr"), 2), got;
    struct grantd_registration r = make_reg(&c, "{\"logo_uri\":\"https://a.example/l.png\"}"),
                               out;
    uint64_t gen = grantd_store_client_generation(f->s);
    assert_int_equal(grantd_store_registration_put(f->s, &c, &r, NULL, NOW), GRANTD_OK);
    assert_true(grantd_store_client_generation(f->s) != gen);
    assert_int_equal(grantd_store_client_get(f->s, f->a, f->tenant, c.id, &got), GRANTD_OK);
    assert_client_equal(&c, &got);
    assert_int_equal(grantd_store_registration_get(f->s, f->a, f->tenant, c.id, &out), GRANTD_OK);
    assert_string_equal(out.client_id, c.id);
    assert_int_equal(out.tenant, f->tenant);
    assert_memory_equal(out.token_hash, r.token_hash, GRANTD_SHA256_LEN);
    assert_string_equal(out.metadata, r.metadata);
    /* the same id again: EEXIST, nothing changed */
    struct grantd_registration again = make_reg(&c, "{}");
    assert_int_equal(grantd_store_registration_put(f->s, &c, &again, NULL, NOW), GRANTD_EEXIST);
    assert_int_equal(grantd_store_registration_get(f->s, f->a, f->tenant, c.id, &out), GRANTD_OK);
    assert_memory_equal(out.token_hash, r.token_hash, GRANTD_SHA256_LEN);
    /* a client made otherwise has none; another tenant's none; gone with its client */
    struct grantd_client plain = make_client(f, uid(f->a, "plain"), 1);
    assert_int_equal(grantd_store_client_put(f->s, &plain), GRANTD_OK);
    assert_int_equal(grantd_store_registration_get(f->s, f->a, f->tenant, plain.id, &out),
                     GRANTD_ENOTFOUND);
    assert_int_equal(grantd_store_registration_get(f->s, f->a, GRANTD_DEFAULT_TENANT, c.id,
                                                   &out),
                     GRANTD_ENOTFOUND);
    assert_int_equal(grantd_store_client_delete(f->s, f->tenant, c.id), GRANTD_OK);
    assert_int_equal(grantd_store_registration_get(f->s, f->a, f->tenant, c.id, &out),
                     GRANTD_ENOTFOUND);
}

static void test_initial_access_token_uses(void **state)
{
    struct fx *f = *state;
    struct grantd_registration_token once = make_iat(f, 0, 1), timed = make_iat(f, NOW + 60, -1);
    assert_int_equal(grantd_store_registration_token_put(f->s, &once), GRANTD_OK);
    assert_int_equal(grantd_store_registration_token_put(f->s, &timed), GRANTD_OK);
    struct grantd_registration_token dup = make_iat(f, 0, 1);
    memcpy(dup.hash, once.hash, GRANTD_SHA256_LEN);
    assert_int_equal(grantd_store_registration_token_put(f->s, &dup), GRANTD_EEXIST);

    struct grantd_registration_token found;
    assert_int_equal(grantd_store_registration_token_find(f->s, f->a, f->tenant, timed.hash,
                                                          &found),
                     GRANTD_OK);
    assert_string_equal(found.id, timed.id);
    assert_int_equal(found.expires_at, NOW + 60);
    assert_int_equal(found.uses_left, -1);
    assert_int_equal(found.created_at, NOW);
    assert_int_equal(grantd_store_registration_token_find(f->s, f->a, GRANTD_DEFAULT_TENANT,
                                                          timed.hash, &found),
                     GRANTD_ENOTFOUND);

    struct grantd_client a = make_client(f, uid(f->a, "a"), 1), b = make_client(f, uid(f->a, "b"), 1),
                         got;
    struct grantd_registration ra = make_reg(&a, "{}"), rb = make_reg(&b, "{}");
    assert_int_equal(grantd_store_registration_put(f->s, &a, &ra, once.hash, NOW), GRANTD_OK);
    assert_int_equal(grantd_store_registration_token_find(f->s, f->a, f->tenant, once.hash,
                                                          &found),
                     GRANTD_OK);
    assert_int_equal(found.uses_left, 0); /* found, used up: the caller refuses it */
    /* used up: ECONFLICT and no client */
    assert_int_equal(grantd_store_registration_put(f->s, &b, &rb, once.hash, NOW),
                     GRANTD_ECONFLICT);
    assert_int_equal(grantd_store_client_get(f->s, f->a, f->tenant, b.id, &got),
                     GRANTD_ENOTFOUND);
    /* a failed insert (a taken id) costs no use */
    struct grantd_registration_token twice = make_iat(f, 0, 1);
    assert_int_equal(grantd_store_registration_token_put(f->s, &twice), GRANTD_OK);
    struct grantd_registration ra2 = make_reg(&a, "{}");
    assert_int_equal(grantd_store_registration_put(f->s, &a, &ra2, twice.hash, NOW),
                     GRANTD_EEXIST);
    assert_int_equal(grantd_store_registration_put(f->s, &b, &rb, twice.hash, NOW), GRANTD_OK);
    /* no use limit, but an expiry (exclusive) */
    struct grantd_client c = make_client(f, uid(f->a, "c"), 1), d = make_client(f, uid(f->a, "d"), 1);
    struct grantd_registration rc_ = make_reg(&c, "{}"), rd = make_reg(&d, "{}");
    assert_int_equal(grantd_store_registration_put(f->s, &c, &rc_, timed.hash, NOW + 59),
                     GRANTD_OK);
    assert_int_equal(grantd_store_registration_put(f->s, &d, &rd, timed.hash, NOW + 60),
                     GRANTD_ECONFLICT);
    /* unknown, and another tenant's token */
    unsigned char unknown[GRANTD_SHA256_LEN];
    rand_hash(unknown);
    assert_int_equal(grantd_store_registration_put(f->s, &d, &rd, unknown, NOW),
                     GRANTD_ECONFLICT);
    struct grantd_client e = make_client(f, uid(f->a, "e"), 1);
    e.tenant = GRANTD_DEFAULT_TENANT;
    struct grantd_registration re = make_reg(&e, "{}");
    struct grantd_registration_token mine = make_iat(f, 0, -1);
    assert_int_equal(grantd_store_registration_token_put(f->s, &mine), GRANTD_OK);
    assert_int_equal(grantd_store_registration_put(f->s, &e, &re, mine.hash, NOW),
                     GRANTD_ECONFLICT);
}

/* The wrapper's checks (store.h, "Argument checks"), the same on every driver: a
 * registration of another client than the one given, an update of another client, an
 * initial access token of no tenant; nothing is created or changed. */
static void test_registration_invalid(void **state)
{
    struct fx *f = *state;
    struct grantd_client c = make_client(f, uid(f->a, "dcr"), 1), got;
    struct grantd_client other = make_client(f, uid(f->a, "dcr"), 1);
    struct grantd_registration r = make_reg(&other, "{}"), out;
    assert_int_equal(grantd_store_registration_put(f->s, &c, &r, NULL, NOW), GRANTD_EINVAL);
    assert_int_equal(grantd_store_client_get(f->s, f->a, f->tenant, c.id, &got),
                     GRANTD_ENOTFOUND);
    r = make_reg(&c, "{}");
    assert_int_equal(grantd_store_registration_put(f->s, &c, &r, NULL, 0), GRANTD_EINVAL);
    assert_int_equal(grantd_store_registration_put(f->s, &c, &r, NULL, NOW), GRANTD_OK);
    struct grantd_registration next = r;
    rand_hash(next.token_hash);
    other.name = "Other";
    assert_int_equal(grantd_store_registration_rotate(f->s, &other, &next, r.token_hash,
                                                      NOW + 1),
                     GRANTD_EINVAL);
    assert_int_equal(grantd_store_registration_rotate(f->s, NULL, &next, NULL, NOW + 1),
                     GRANTD_EINVAL);
    assert_int_equal(grantd_store_registration_get(f->s, f->a, f->tenant, c.id, &out), GRANTD_OK);
    assert_memory_equal(out.token_hash, r.token_hash, GRANTD_SHA256_LEN);
    assert_int_equal(grantd_store_registration_get(f->s, f->a, f->tenant, NULL, &out),
                     GRANTD_EINVAL);
    struct grantd_registration_token t = make_iat(f, NOW + 60, 1), tg;
    t.tenant = 0;
    assert_int_equal(grantd_store_registration_token_put(f->s, &t), GRANTD_EINVAL);
    assert_int_equal(grantd_store_registration_token_find(f->s, f->a, f->tenant, t.hash, &tg),
                     GRANTD_ENOTFOUND);
    assert_int_equal(grantd_store_registration_token_find(f->s, f->a, f->tenant, NULL, &tg),
                     GRANTD_EINVAL);
}

static void test_registration_rotate(void **state)
{
    struct fx *f = *state;
    struct grantd_client c = make_client(f, uid(f->a, "rot"), 1), got;
    struct grantd_registration r = make_reg(&c, "{\"contacts\":[\"a@b.example\"]}"), out;
    unsigned char first[GRANTD_SHA256_LEN];
    memcpy(first, r.token_hash, sizeof(first));
    assert_int_equal(grantd_store_registration_put(f->s, &c, &r, NULL, NOW), GRANTD_OK);
    /* a read: the token alone, which nobody caches (the change sequence stays) */
    struct grantd_registration next = r;
    uint64_t seq0 = 0, seq1 = 0;
    rand_hash(next.token_hash);
    assert_int_equal(grantd_store_change_seq(f->s, &seq0), GRANTD_OK);
    assert_int_equal(grantd_store_registration_rotate(f->s, NULL, &next, first, NOW + 1),
                     GRANTD_OK);
    assert_int_equal(grantd_store_change_seq(f->s, &seq1), GRANTD_OK);
    assert_true(seq1 == seq0);
    assert_int_equal(grantd_store_registration_rotate(f->s, NULL, &next, first, NOW + 2),
                     GRANTD_ECONFLICT);
    /* an update: the client and the metadata with it, or neither */
    struct grantd_client u = c;
    u.name = "Replaced";
    u.redirect_uri_count = 0;
    struct grantd_registration third = make_reg(&c, "{}");
    assert_int_equal(grantd_store_registration_rotate(f->s, &u, &third, first, NOW + 3),
                     GRANTD_ECONFLICT);
    assert_int_equal(grantd_store_client_get(f->s, f->a, f->tenant, c.id, &got), GRANTD_OK);
    assert_string_equal(got.name, c.name);
    assert_int_equal(grantd_store_registration_rotate(f->s, &u, &third, next.token_hash,
                                                      NOW + 4),
                     GRANTD_OK);
    assert_int_equal(grantd_store_change_seq(f->s, &seq0), GRANTD_OK);
    assert_true(seq0 > seq1); /* the client changed: caches must drop it */
    assert_int_equal(grantd_store_client_get(f->s, f->a, f->tenant, c.id, &got), GRANTD_OK);
    assert_string_equal(got.name, "Replaced");
    assert_int_equal(got.redirect_uri_count, 0);
    assert_int_equal(got.updated_at, NOW + 4);
    assert_int_equal(grantd_store_registration_get(f->s, f->a, f->tenant, c.id, &out), GRANTD_OK);
    assert_memory_equal(out.token_hash, third.token_hash, GRANTD_SHA256_LEN);
    assert_string_equal(out.metadata, "{}");
    /* no such registration */
    struct grantd_registration none = make_reg(&c, "{}");
    none.client_id = uid(f->a, "absent");
    assert_int_equal(grantd_store_registration_rotate(f->s, NULL, &none, third.token_hash, NOW),
                     GRANTD_ECONFLICT);
}

#define T(fn) cmocka_unit_test_setup_teardown(fn, setup, teardown)

int main(void)
{
    const struct CMUnitTest tests[] = {
        T(test_registration_put_and_get),
        T(test_initial_access_token_uses),
        T(test_registration_rotate),
        T(test_registration_invalid),
    };
    CONFORMANCE_RUN("store conformance: dynamic client registration", tests);
}
