/* The store conformance suite, part five: what several server instances on one database
 * rely on. Every time comes from the caller: a record is stamped with exactly what it was
 * given, created_at 0 is refused (never "now"), and a revoked family is kept or forgotten by
 * the caller's now, not a clock of the driver's. The fixture and the modes are in
 * conformance.h. */
#include "conformance.h"

/* ---- the caller's time -------------------------------------------------------------- */

/* Records whose created_at the caller left 0 are refused: 0 is not "now". */
static void test_created_at_required(void **state)
{
    struct fx *f = *state;
    int64_t id = 0;
    struct grantd_tenant t = {.name = uid(f->a, "tenant")};
    assert_int_equal(grantd_store_tenant_put(f->s, &t, &id), GRANTD_EINVAL);
    struct grantd_client c = make_client(f, uid(f->a, "client"), 1);
    c.created_at = 0;
    assert_int_equal(grantd_store_client_put(f->s, &c), GRANTD_EINVAL);
    c = make_client(f, c.id, 1);
    c.tokens_after = 0;
    assert_int_equal(grantd_store_client_put(f->s, &c), GRANTD_EINVAL);
    struct grantd_user u = make_user(f, uid(f->a, "user"));
    u.created_at = 0;
    assert_int_equal(grantd_store_user_put(f->s, &u), GRANTD_EINVAL);
    struct grantd_session sess = make_session(f, NULL);
    sess.created_at = 0;
    assert_int_equal(grantd_store_session_put(f->s, &sess), GRANTD_EINVAL);
    struct grantd_code k = make_code(f, f->tenant, NULL);
    struct grantd_consent con = {.tenant = f->tenant, .user_id = k.user_id,
                                 .client_id = k.client_id, .scope = "openid"};
    assert_int_equal(grantd_store_consent_put(f->s, &con), GRANTD_EINVAL);
    struct grantd_token tok[2];
    make_tokens(&k, tok);
    k.created_at = 0;
    assert_int_equal(grantd_store_code_put(f->s, &k), GRANTD_EINVAL);
    tok[1].created_at = 0;
    assert_int_equal(grantd_store_token_put(f->s, tok, 2), GRANTD_EINVAL);
    assert_token_absent(f, f->tenant, tok[0].hash); /* nothing of the batch went in */
    struct grantd_client got;
    assert_int_equal(grantd_store_client_get(f->s, f->a, f->tenant, c.id, &got),
                     GRANTD_ENOTFOUND);
}

/* Every stamp is the caller's: created_at as given, updated_at and tokens_after from the
 * now of the update, a family revoked by a replay at the now of the redemption. */
static void test_stamps_are_the_callers(void **state)
{
    struct fx *f = *state;
    struct grantd_tenant t = {.name = uid(f->a, "tenant"), .created_at = 1600000001};
    int64_t id = 0;
    assert_int_equal(grantd_store_tenant_put(f->s, &t, &id), GRANTD_OK);
    struct grantd_tenant tg;
    assert_int_equal(grantd_store_tenant_get(f->s, f->a, id, &tg), GRANTD_OK);
    assert_int_equal(tg.created_at, 1600000001);
    struct grantd_client c = make_client(f, uid(f->a, "client"), 0);
    c.updated_at = 0; /* means created_at */
    assert_int_equal(grantd_store_client_put(f->s, &c), GRANTD_OK);
    struct grantd_client cg;
    assert_int_equal(grantd_store_client_get(f->s, f->a, f->tenant, c.id, &cg), GRANTD_OK);
    assert_int_equal(cg.updated_at, c.created_at);
    assert_int_equal(cg.tokens_after, c.tokens_after);
    assert_int_equal(grantd_store_client_set_secret(f->s, f->tenant, c.id, c.secret_hash,
                                                    1600000002),
                     GRANTD_OK);
    assert_int_equal(grantd_store_client_get(f->s, f->a, f->tenant, c.id, &cg), GRANTD_OK);
    assert_int_equal(cg.updated_at, 1600000002);
    assert_int_equal(cg.tokens_after, c.tokens_after); /* a new secret ends no token */
    struct grantd_user u = make_user(f, uid(f->a, "user"));
    assert_int_equal(grantd_store_user_put(f->s, &u), GRANTD_OK);
    assert_int_equal(grantd_store_user_set_password(f->s, f->tenant, u.username,
                                                    u.password_hash, 1600000003),
                     GRANTD_OK);
    struct grantd_user ug;
    assert_int_equal(grantd_store_user_get(f->s, f->a, f->tenant, u.id, &ug), GRANTD_OK);
    assert_int_equal(ug.updated_at, 1600000003);
    assert_int_equal(ug.created_at, u.created_at);
}

/* A family revoked at some now is still refused a day later; purging with a now two days
 * later forgets it (it had no code left), so the caller's now, not a clock, decides. */
static void test_family_revocation_uses_the_callers_now(void **state)
{
    struct fx *f = *state;
    struct grantd_code k = make_code(f, f->tenant, NULL);
    struct grantd_token t[2];
    make_tokens(&k, t);
    t[0].expires_at = t[1].expires_at = 0;
    const int64_t at = 100000; /* far in the past for any clock */
    assert_int_equal(grantd_store_token_revoke_family(f->s, f->tenant, k.family, at),
                     GRANTD_OK);
    size_t n = 0;
    assert_int_equal(grantd_store_purge_expired(f->s, 1, at + 3600, &n), GRANTD_OK);
    assert_int_equal(grantd_store_token_put(f->s, t, 2), GRANTD_ECONFLICT);
    assert_int_equal(grantd_store_purge_expired(f->s, 1, at + 2 * 86400, &n), GRANTD_OK);
    assert_int_equal(grantd_store_token_put(f->s, t, 2), GRANTD_OK);
}

#define T(fn) cmocka_unit_test_setup_teardown(fn, setup, teardown)

int main(void)
{
    const struct CMUnitTest tests[] = {
        T(test_created_at_required),
        T(test_stamps_are_the_callers),
        T(test_family_revocation_uses_the_callers_now),
    };
    CONFORMANCE_RUN("store conformance: several instances", tests);
}
