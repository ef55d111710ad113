/* The store conformance suite, part two: the records of the authorization-code flow.
 * Sessions (expiry, pre-login NULL user), consents (replace), codes (single use; a replay
 * revokes the family), tokens (batches, family revocation, no insert after a replay),
 * tenant isolation of all of them, and the race the store exists to settle: many
 * redemptions of one code at once, exactly one wins, and the winner's tokens cannot survive
 * the losers' replays. The fixture, the modes and the record builders are in
 * conformance.h; the token lifecycle (rotation, revocation, disabling, purging, keys) is in
 * test_conformance_lifecycle.c.
 *
 * Not here: expiry of codes and tokens, client/redirect_uri/PKCE binding (the callers'
 * checks, tested with oauth/), driver-specific behaviour (tests/unit/store/). */
#include "conformance.h"

/* ---- sessions ------------------------------------------------------------------------- */

static void test_session_roundtrip(void **state)
{
    struct fx *f = *state;
    struct grantd_session pre = make_session(f, NULL); /* before login */
    struct grantd_session in = make_session(f, uid(f->a, "sub"));
    assert_int_equal(grantd_store_session_put(f->s, &pre), GRANTD_OK);
    assert_int_equal(grantd_store_session_put(f->s, &in), GRANTD_OK);
    struct grantd_session got;
    memset(&got, 0xA5, sizeof(got));
    int64_t now = 1700000100;
    assert_int_equal(grantd_store_session_get(f->s, f->a, f->tenant, pre.id_hash, now, &got),
                     GRANTD_OK);
    assert_session_equal(&pre, &got);
    assert_null(got.user_id);
    assert_int_equal(got.auth_time, 0);
    assert_int_equal(grantd_store_session_get(f->s, f->a, f->tenant, in.id_hash, now, &got),
                     GRANTD_OK);
    assert_session_equal(&in, &got);

    struct grantd_session dup = make_session(f, uid(f->a, "sub"));
    memcpy(dup.id_hash, in.id_hash, GRANTD_SHA256_LEN);
    assert_int_equal(grantd_store_session_put(f->s, &dup), GRANTD_EEXIST);
    assert_int_equal(grantd_store_session_get(f->s, f->a, f->tenant, in.id_hash, now, &got),
                     GRANTD_OK);
    assert_string_equal(got.user_id, in.user_id); /* the failed put changed nothing */

    unsigned char none[GRANTD_SHA256_LEN];
    rand_hash(none);
    assert_int_equal(grantd_store_session_get(f->s, f->a, f->tenant, none, now, &got),
                     GRANTD_ENOTFOUND);
}

static void test_session_expiry(void **state)
{
    struct fx *f = *state;
    struct grantd_session s = make_session(f, uid(f->a, "sub"));
    s.expires_at = 1700001000;
    assert_int_equal(grantd_store_session_put(f->s, &s), GRANTD_OK);
    struct grantd_session got;
    assert_int_equal(grantd_store_session_get(f->s, f->a, f->tenant, s.id_hash, 1700000999, &got),
                     GRANTD_OK);
    assert_session_equal(&s, &got);
    /* expires_at <= now: gone, exactly at the boundary too */
    assert_int_equal(grantd_store_session_get(f->s, f->a, f->tenant, s.id_hash, 1700001000, &got),
                     GRANTD_ENOTFOUND);
    assert_int_equal(grantd_store_session_get(f->s, f->a, f->tenant, s.id_hash, 1800000000, &got),
                     GRANTD_ENOTFOUND);
    /* expiry hides it, it does not delete it: an earlier clock still sees it */
    assert_int_equal(grantd_store_session_get(f->s, f->a, f->tenant, s.id_hash, 1700000000, &got),
                     GRANTD_OK);
}

static void test_session_delete(void **state)
{
    struct fx *f = *state;
    struct grantd_session a = make_session(f, uid(f->a, "sub"));
    struct grantd_session b = make_session(f, a.user_id); /* same user, second browser */
    assert_int_equal(grantd_store_session_put(f->s, &a), GRANTD_OK);
    assert_int_equal(grantd_store_session_put(f->s, &b), GRANTD_OK);
    assert_int_equal(grantd_store_session_delete(f->s, f->tenant, a.id_hash), GRANTD_OK);
    struct grantd_session got;
    int64_t now = 1700000100;
    assert_int_equal(grantd_store_session_get(f->s, f->a, f->tenant, a.id_hash, now, &got),
                     GRANTD_ENOTFOUND);
    assert_int_equal(grantd_store_session_get(f->s, f->a, f->tenant, b.id_hash, now, &got),
                     GRANTD_OK);
    assert_int_equal(grantd_store_session_delete(f->s, f->tenant, a.id_hash), GRANTD_OK);
    /* the hash is free again */
    assert_int_equal(grantd_store_session_put(f->s, &a), GRANTD_OK);
}

/* ---- consents ------------------------------------------------------------------------- */

static void test_consent(void **state)
{
    struct fx *f = *state;
    const char *user = uid(f->a, "sub"), *client = uid(f->a, "client");
    struct grantd_consent got;
    assert_int_equal(grantd_store_consent_get(f->s, f->a, f->tenant, user, client, &got),
                     GRANTD_ENOTFOUND);
    struct grantd_consent c = {.tenant = f->tenant, .user_id = user, .client_id = client,
                               .scope = "openid profile", .created_at = 1700000000};
    assert_int_equal(grantd_store_consent_put(f->s, &c), GRANTD_OK);
    memset(&got, 0xA5, sizeof(got));
    assert_int_equal(grantd_store_consent_get(f->s, f->a, f->tenant, user, client, &got), GRANTD_OK);
    assert_int_equal(got.tenant, f->tenant);
    assert_string_equal(got.user_id, user);
    assert_string_equal(got.client_id, client);
    assert_string_equal(got.scope, "openid profile");
    assert_int_equal(got.created_at, 1700000000);

    /* a second put replaces, it does not add or merge */
    struct grantd_consent c2 = c;
    c2.scope = "email";
    c2.created_at = 1700000500;
    assert_int_equal(grantd_store_consent_put(f->s, &c2), GRANTD_OK);
    assert_int_equal(grantd_store_consent_get(f->s, f->a, f->tenant, user, client, &got), GRANTD_OK);
    assert_string_equal(got.scope, "email");
    assert_int_equal(got.created_at, 1700000500);
    c2.scope = "";
    assert_int_equal(grantd_store_consent_put(f->s, &c2), GRANTD_OK);
    assert_int_equal(grantd_store_consent_get(f->s, f->a, f->tenant, user, client, &got), GRANTD_OK);
    assert_string_equal(got.scope, "");

    /* keyed by user and client */
    const char *other = uid(f->a, "client");
    assert_int_equal(grantd_store_consent_get(f->s, f->a, f->tenant, user, other, &got),
                     GRANTD_ENOTFOUND);
    assert_int_equal(grantd_store_consent_get(f->s, f->a, f->tenant, client, user, &got),
                     GRANTD_ENOTFOUND);
}

/* ---- codes ---------------------------------------------------------------------------- */

static void test_code_consume_once(void **state)
{
    struct fx *f = *state;
    struct grantd_code k = make_code(f, f->tenant, NULL);
    assert_int_equal(grantd_store_code_put(f->s, &k), GRANTD_OK);
    struct grantd_code got;
    memset(&got, 0xA5, sizeof(got));
    assert_int_equal(grantd_store_code_consume(f->s, f->a, f->tenant, k.hash, NOW, &got),
                     GRANTD_OK);
    assert_code_equal(&k, &got);
    assert_false(got.revoked);

    memset(&got, 0xA5, sizeof(got));
    assert_int_equal(grantd_store_code_consume(f->s, f->a, f->tenant, k.hash, NOW, &got),
                     GRANTD_EREPLAYED);
    assert_code_equal(&k, &got); /* filled, so the caller can check it, log and revoke */
    assert_true(got.used);
    assert_false(got.revoked); /* a replay changes nothing: the caller decides */
    assert_int_equal(grantd_store_code_consume(f->s, f->a, f->tenant, k.hash, NOW, &got),
                     GRANTD_EREPLAYED);

    struct grantd_code dup = make_code(f, f->tenant, NULL);
    memcpy(dup.hash, k.hash, GRANTD_SHA256_LEN);
    assert_int_equal(grantd_store_code_put(f->s, &dup), GRANTD_EEXIST);
    unsigned char none[GRANTD_SHA256_LEN];
    rand_hash(none);
    assert_int_equal(grantd_store_code_consume(f->s, f->a, f->tenant, none, NOW, &got),
                     GRANTD_ENOTFOUND);
}

static void test_code_nulls_and_defaults(void **state)
{
    struct fx *f = *state;
    struct grantd_code k = make_code(f, f->tenant, NULL);
    k.redirect_uri = NULL;
    k.code_challenge = NULL;
    k.code_challenge_method = NULL;
    k.scope = "";
    k.resources = NULL; /* none: reads back as "" */
    k.used = 1; /* ignored: a new code is neither used nor revoked */
    k.revoked = 1;
    assert_int_equal(grantd_store_code_put(f->s, &k), GRANTD_OK);
    struct grantd_code got;
    memset(&got, 0xA5, sizeof(got));
    assert_int_equal(grantd_store_code_consume(f->s, f->a, f->tenant, k.hash, NOW, &got),
                     GRANTD_OK);
    assert_code_equal(&k, &got);
    assert_null(got.redirect_uri);
    assert_null(got.code_challenge);
    assert_null(got.code_challenge_method);
    assert_string_equal(got.scope, "");

    struct grantd_code plain = make_code(f, f->tenant, NULL);
    plain.code_challenge = "a-plain-verifier-that-is-at-least-43-characters-long";
    plain.code_challenge_method = "plain";
    assert_int_equal(grantd_store_code_put(f->s, &plain), GRANTD_OK);
    assert_int_equal(grantd_store_code_consume(f->s, f->a, f->tenant, plain.hash, NOW, &got),
                     GRANTD_OK);
    assert_code_equal(&plain, &got);
}

/* A replay changes nothing; the caller revokes the code's family (token_revoke_family) when
 * the replay would otherwise have succeeded, and that revokes what the redemption issued and
 * nothing else. */
static void test_code_replay_then_its_family_revoked(void **state)
{
    struct fx *f = *state;
    struct grantd_code k = make_code(f, f->tenant, NULL);
    struct grantd_code other = make_code(f, f->tenant, NULL);
    assert_int_equal(grantd_store_code_put(f->s, &k), GRANTD_OK);
    assert_int_equal(grantd_store_code_put(f->s, &other), GRANTD_OK);
    struct grantd_code got;
    assert_int_equal(grantd_store_code_consume(f->s, f->a, f->tenant, k.hash, NOW, &got),
                     GRANTD_OK);
    assert_int_equal(grantd_store_code_consume(f->s, f->a, f->tenant, other.hash, NOW, &got),
                     GRANTD_OK);
    struct grantd_token t[2], u[2];
    make_tokens(&k, t);
    make_tokens(&other, u);
    assert_int_equal(grantd_store_token_put(f->s, t, 2), GRANTD_OK);
    assert_int_equal(grantd_store_token_put(f->s, u, 2), GRANTD_OK);
    assert_false(token_revoked(f, f->tenant, t[0].hash));

    assert_int_equal(grantd_store_code_consume(f->s, f->a, f->tenant, k.hash, NOW, &got),
                     GRANTD_EREPLAYED);
    assert_string_equal(got.family, k.family);
    assert_false(token_revoked(f, f->tenant, t[0].hash));
    assert_false(token_revoked(f, f->tenant, t[1].hash));
    /* the caller's revocation of the replayed code's family: what k issued, only that */
    assert_int_equal(grantd_store_token_revoke_family(f->s, f->tenant, got.family, NOW),
                     GRANTD_OK);
    assert_true(token_revoked(f, f->tenant, t[0].hash));
    assert_true(token_revoked(f, f->tenant, t[1].hash));
    assert_false(token_revoked(f, f->tenant, u[0].hash));
    assert_false(token_revoked(f, f->tenant, u[1].hash));
}

static void test_token_put_after_replay(void **state)
{
    struct fx *f = *state;
    struct grantd_code k = make_code(f, f->tenant, NULL);
    assert_int_equal(grantd_store_code_put(f->s, &k), GRANTD_OK);
    struct grantd_code got;
    assert_int_equal(grantd_store_code_consume(f->s, f->a, f->tenant, k.hash, NOW, &got),
                     GRANTD_OK);
    /* a replay (and its caller's revocation) lands between the first redemption's consume
     * and its token_put */
    assert_int_equal(grantd_store_code_consume(f->s, f->a, f->tenant, k.hash, NOW, &got),
                     GRANTD_EREPLAYED);
    assert_int_equal(grantd_store_token_revoke_family(f->s, f->tenant, got.family, NOW),
                     GRANTD_OK);
    struct grantd_token t[2];
    make_tokens(&k, t);
    assert_int_equal(grantd_store_token_put(f->s, t, 2), GRANTD_ECONFLICT);
    struct grantd_token tg;
    assert_int_equal(grantd_store_token_get(f->s, f->a, f->tenant, t[0].hash, &tg), GRANTD_ENOTFOUND);
    assert_int_equal(grantd_store_token_get(f->s, f->a, f->tenant, t[1].hash, &tg), GRANTD_ENOTFOUND);
    /* one token alone is refused the same way */
    assert_int_equal(grantd_store_token_put(f->s, &t[1], 1), GRANTD_ECONFLICT);
}

static void test_code_invalid(void **state)
{
    struct fx *f = *state;
    struct grantd_code k = make_code(f, f->tenant, NULL);
    k.code_challenge_method = NULL; /* a challenge without its method */
    assert_int_equal(grantd_store_code_put(f->s, &k), GRANTD_EINVAL);
    k = make_code(f, f->tenant, NULL);
    k.family = NULL;
    assert_int_equal(grantd_store_code_put(f->s, &k), GRANTD_EINVAL);
    k = make_code(f, INT64_MAX - 13, NULL); /* no such tenant */
    assert_int_not_equal(grantd_store_code_put(f->s, &k), GRANTD_OK);
    struct grantd_code got;
    assert_int_equal(grantd_store_code_consume(f->s, f->a, k.tenant, k.hash, NOW, &got),
                     GRANTD_ENOTFOUND);
}

/* ---- tokens --------------------------------------------------------------------------- */

static void test_token_roundtrip(void **state)
{
    struct fx *f = *state;
    struct grantd_code k = make_code(f, f->tenant, NULL);
    struct grantd_token t[3];
    make_tokens(&k, t);
    t[2] = t[0]; /* a client_credentials token: no user, no scope, never expires */
    rand_hash(t[2].hash);
    t[2].user_id = NULL;
    t[2].scope = "";
    t[2].expires_at = 0;
    assert_int_equal(grantd_store_token_put(f->s, t, 3), GRANTD_OK);
    for (int i = 0; i < 3; i++) {
        struct grantd_token got;
        memset(&got, 0xA5, sizeof(got));
        assert_int_equal(grantd_store_token_get(f->s, f->a, f->tenant, t[i].hash, &got), GRANTD_OK);
        assert_token_equal(&t[i], &got);
    }
    struct grantd_token got;
    assert_int_equal(grantd_store_token_get(f->s, f->a, f->tenant, t[2].hash, &got), GRANTD_OK);
    assert_null(got.user_id);
    unsigned char none[GRANTD_SHA256_LEN];
    rand_hash(none);
    assert_int_equal(grantd_store_token_get(f->s, f->a, f->tenant, none, &got), GRANTD_ENOTFOUND);
}

/* A batch goes in whole or not at all. */
static void test_token_put_atomic(void **state)
{
    struct fx *f = *state;
    struct grantd_code k = make_code(f, f->tenant, NULL);
    struct grantd_token t[2];
    make_tokens(&k, t);
    assert_int_equal(grantd_store_token_put(f->s, &t[0], 1), GRANTD_OK);
    struct grantd_token batch[2] = {t[1], t[0]}; /* new one, then a taken hash */
    assert_int_equal(grantd_store_token_put(f->s, batch, 2), GRANTD_EEXIST);
    struct grantd_token got;
    assert_int_equal(grantd_store_token_get(f->s, f->a, f->tenant, t[1].hash, &got), GRANTD_ENOTFOUND);

    struct grantd_code k2 = make_code(f, f->tenant, NULL);
    struct grantd_token mixed[2];
    make_tokens(&k2, mixed);
    mixed[1].family = k.family; /* two families in one batch */
    assert_int_equal(grantd_store_token_put(f->s, mixed, 2), GRANTD_EINVAL);
    assert_int_equal(grantd_store_token_get(f->s, f->a, f->tenant, mixed[0].hash, &got),
                     GRANTD_ENOTFOUND);
    assert_int_equal(grantd_store_token_put(f->s, mixed, 0), GRANTD_EINVAL);
    make_tokens(&k2, mixed);
    mixed[0].tenant = INT64_MAX - 17; /* no such tenant */
    mixed[1].tenant = mixed[0].tenant;
    assert_int_not_equal(grantd_store_token_put(f->s, mixed, 2), GRANTD_OK);
}

/* The wrapper's checks of a token batch and of the keys of codes and tokens (store.h,
 * "Argument checks"), the same on every driver: a token of no known kind, without a client,
 * of another tenant than the batch's first, no batch at all; NULL hashes, outputs and
 * families. Nothing of a refused batch is stored. */
static void test_invalid_tokens_refused(void **state)
{
    struct fx *f = *state;
    struct grantd_code k = make_code(f, f->tenant, NULL);
    struct grantd_token t[2], got;
    for (int bad = 0; bad < 3; bad++) {
        make_tokens(&k, t);
        if (bad == 0)
            t[1].kind = 7;
        else if (bad == 1)
            t[1].client_id = NULL;
        else
            t[1].tenant = f->tenant + 1;
        assert_int_equal(grantd_store_token_put(f->s, t, 2), GRANTD_EINVAL);
        assert_token_absent(f, f->tenant, t[0].hash);
    }
    assert_int_equal(grantd_store_token_put(f->s, NULL, 1), GRANTD_EINVAL);
    make_tokens(&k, t);
    assert_int_equal(grantd_store_token_put(f->s, t, 2), GRANTD_OK);
    assert_int_equal(grantd_store_token_get(f->s, f->a, f->tenant, NULL, &got), GRANTD_EINVAL);
    assert_int_equal(grantd_store_token_get(f->s, f->a, f->tenant, t[0].hash, NULL),
                     GRANTD_EINVAL);
    assert_int_equal(grantd_store_token_revoke(f->s, f->tenant, NULL, 1700000040),
                     GRANTD_EINVAL);
    assert_int_equal(grantd_store_token_revoke_family(f->s, f->tenant, NULL, 1700000040),
                     GRANTD_EINVAL);
    struct grantd_code out;
    assert_int_equal(grantd_store_code_put(f->s, &k), GRANTD_OK);
    assert_int_equal(grantd_store_code_consume(f->s, f->a, f->tenant, NULL, 1700000040, &out),
                     GRANTD_EINVAL);
    assert_int_equal(grantd_store_code_consume(f->s, f->a, f->tenant, k.hash, 1700000040, NULL),
                     GRANTD_EINVAL);
    /* none of the refused calls touched the code or the tokens */
    assert_int_equal(grantd_store_code_consume(f->s, f->a, f->tenant, k.hash, 1700000040, &out),
                     GRANTD_OK);
    assert_int_equal(grantd_store_token_get(f->s, f->a, f->tenant, t[0].hash, &got), GRANTD_OK);
    assert_false(got.revoked);
}

static void test_token_revoke_family(void **state)
{
    struct fx *f = *state;
    struct grantd_code k = make_code(f, f->tenant, NULL);
    struct grantd_code other = make_code(f, f->tenant, NULL);
    struct grantd_token t[2], u[2];
    make_tokens(&k, t);
    make_tokens(&other, u);
    assert_int_equal(grantd_store_token_put(f->s, t, 2), GRANTD_OK);
    assert_int_equal(grantd_store_token_put(f->s, u, 2), GRANTD_OK);
    assert_int_equal(grantd_store_token_revoke_family(f->s, f->tenant, k.family, NOW), GRANTD_OK);
    assert_true(token_revoked(f, f->tenant, t[0].hash));
    assert_true(token_revoked(f, f->tenant, t[1].hash));
    assert_false(token_revoked(f, f->tenant, u[0].hash));
    assert_int_equal(grantd_store_token_revoke_family(f->s, f->tenant, k.family, NOW), GRANTD_OK);
    assert_int_equal(grantd_store_token_revoke_family(f->s, f->tenant, uid(f->a, "none"), NOW),
                     GRANTD_OK);
    struct grantd_token got;
    assert_int_equal(grantd_store_token_get(f->s, f->a, f->tenant, t[1].hash, &got), GRANTD_OK);
    t[1].revoked = 1;
    assert_token_equal(&t[1], &got); /* nothing else changed */
}

/* ---- tenants keep records apart ------------------------------------------------------- */

/* Records of the default tenant are invisible from another tenant (made with tenant_put)
 * and the other tenant's writes do not reach them. */
static void test_flow_tenant_isolation(void **state)
{
    struct fx *f = *state;
    const int64_t one = GRANTD_DEFAULT_TENANT, other = f->tenant;
    struct grantd_session s = make_session(f, uid(f->a, "sub"));
    s.tenant = one;
    assert_int_equal(grantd_store_session_put(f->s, &s), GRANTD_OK);
    struct grantd_code k = make_code(f, one, NULL);
    assert_int_equal(grantd_store_code_put(f->s, &k), GRANTD_OK);
    struct grantd_token t[2];
    make_tokens(&k, t);
    assert_int_equal(grantd_store_token_put(f->s, t, 2), GRANTD_OK);
    struct grantd_consent c = {.tenant = one,
                               .user_id = k.user_id,
                               .client_id = k.client_id,
                               .scope = "openid",
                               .created_at = NOW};
    assert_int_equal(grantd_store_consent_put(f->s, &c), GRANTD_OK);

    struct grantd_session sg;
    struct grantd_code kg;
    struct grantd_token tg;
    struct grantd_consent cg;
    int64_t now = 1700000100;
    assert_int_equal(grantd_store_session_get(f->s, f->a, other, s.id_hash, now, &sg),
                     GRANTD_ENOTFOUND);
    assert_int_equal(grantd_store_code_consume(f->s, f->a, other, k.hash, NOW, &kg),
                     GRANTD_ENOTFOUND);
    assert_int_equal(grantd_store_token_get(f->s, f->a, other, t[0].hash, &tg), GRANTD_ENOTFOUND);
    assert_int_equal(grantd_store_consent_get(f->s, f->a, other, c.user_id, c.client_id, &cg),
                     GRANTD_ENOTFOUND);
    assert_int_equal(grantd_store_session_delete(f->s, other, s.id_hash), GRANTD_OK);
    assert_int_equal(grantd_store_token_revoke_family(f->s, other, k.family, NOW), GRANTD_OK);

    /* the same family name replayed in the other tenant blocks nothing here */
    struct grantd_code twin = make_code(f, other, k.family);
    memcpy(twin.hash, k.hash, GRANTD_SHA256_LEN); /* same hash too: keys are per tenant */
    assert_int_equal(grantd_store_code_put(f->s, &twin), GRANTD_OK);
    assert_int_equal(grantd_store_code_consume(f->s, f->a, other, twin.hash, NOW, &kg), GRANTD_OK);
    assert_int_equal(grantd_store_code_consume(f->s, f->a, other, twin.hash, NOW, &kg),
                     GRANTD_EREPLAYED);

    assert_int_equal(grantd_store_session_get(f->s, f->a, one, s.id_hash, now, &sg), GRANTD_OK);
    assert_false(token_revoked(f, one, t[0].hash));
    assert_false(token_revoked(f, one, t[1].hash));
    assert_int_equal(grantd_store_consent_get(f->s, f->a, one, c.user_id, c.client_id, &cg),
                     GRANTD_OK);
    assert_int_equal(grantd_store_code_consume(f->s, f->a, one, k.hash, NOW, &kg), GRANTD_OK);
    assert_code_equal(&k, &kg);
    struct grantd_token more[2];
    make_tokens(&k, more);
    assert_int_equal(grantd_store_token_put(f->s, more, 2), GRANTD_OK);
}

/* ---- many redemptions at once --------------------------------------------------------- */

#define REDEEMERS 32
#define RACE_ROUNDS 3

struct redeemer {
    struct fx *f;
    const struct grantd_code *code;
    pthread_barrier_t *go;
    grantd_rc rc;       /* code_consume */
    grantd_rc put_rc;   /* token_put of the winner */
    grantd_rc rc2;      /* token_revoke_family of a replay */
    struct grantd_token tokens[2];
};

/* Redeems the code like the token endpoint: consume, and on success store the tokens. */
static void *redeem(void *p)
{
    struct redeemer *r = p;
    struct grantd_store *s = r->f->s;
    struct grantd_arena *a = grantd_arena_new(1024);
    struct grantd_code got;
    pthread_barrier_wait(r->go);
    r->rc = grantd_store_code_consume(s, a, r->code->tenant, r->code->hash, NOW, &got);
    if (r->rc == GRANTD_OK)
        r->put_rc = grantd_store_token_put(s, r->tokens, 2);
    if (r->rc == GRANTD_EREPLAYED) /* the endpoint's answer to a replay with right parameters */
        r->rc2 = grantd_store_token_revoke_family(s, r->code->tenant, got.family, NOW);
    grantd_arena_free(a);
    return NULL;
}

/* One round: REDEEMERS threads redeem one code at once. */
static void race_round(struct fx *f)
{
    struct grantd_code k = make_code(f, f->tenant, NULL);
    assert_int_equal(grantd_store_code_put(f->s, &k), GRANTD_OK);
    pthread_barrier_t go;
    pthread_barrier_init(&go, NULL, REDEEMERS);
    pthread_t tid[REDEEMERS];
    struct redeemer r[REDEEMERS];
    for (int i = 0; i < REDEEMERS; i++) {
        r[i] = (struct redeemer){.f = f, .code = &k, .go = &go, .put_rc = GRANTD_RC_COUNT};
        make_tokens(&k, r[i].tokens);
        assert_int_equal(pthread_create(&tid[i], NULL, redeem, &r[i]), 0);
    }
    int ok = 0, repeated = 0, winner = -1;
    for (int i = 0; i < REDEEMERS; i++) {
        pthread_join(tid[i], NULL);
        if (r[i].rc == GRANTD_OK)
            winner = i;
        ok += r[i].rc == GRANTD_OK;
        repeated += r[i].rc == GRANTD_EREPLAYED;
        if (r[i].rc == GRANTD_EREPLAYED)
            assert_int_equal(r[i].rc2, GRANTD_OK);
        if (r[i].rc != GRANTD_OK && r[i].rc != GRANTD_EREPLAYED)
            print_error("redeemer %d: %s\n", i, grantd_strerror(r[i].rc));
    }
    pthread_barrier_destroy(&go);
    assert_int_equal(ok, 1);
    assert_int_equal(repeated, REDEEMERS - 1);
    /* the winner's tokens went in before a replay (then the replay revoked them) or after
     * one (then they were refused): either way none is usable */
    struct redeemer *w = &r[winner];
    for (int i = 0; i < 2; i++) {
        struct grantd_token got;
        grantd_rc rc = grantd_store_token_get(f->s, f->a, f->tenant, w->tokens[i].hash, &got);
        if (w->put_rc == GRANTD_OK) {
            assert_int_equal(rc, GRANTD_OK);
            assert_true(got.revoked);
        } else {
            assert_int_equal(w->put_rc, GRANTD_ECONFLICT);
            assert_int_equal(rc, GRANTD_ENOTFOUND);
        }
    }
}

static void test_code_consume_race(void **state)
{
    struct fx *f = *state;
    for (int i = 0; i < RACE_ROUNDS; i++)
        race_round(f);
    assert_int_equal(grantd_store_ping(f->s), GRANTD_OK);
}

#define T(fn) cmocka_unit_test_setup_teardown(fn, setup, teardown)

int main(void)
{
    const struct CMUnitTest tests[] = {
        T(test_session_roundtrip),
        T(test_session_expiry),
        T(test_session_delete),
        T(test_consent),
        T(test_code_consume_once),
        T(test_code_nulls_and_defaults),
        T(test_code_replay_then_its_family_revoked),
        T(test_token_put_after_replay),
        T(test_code_invalid),
        T(test_token_roundtrip),
        T(test_token_put_atomic),
        T(test_invalid_tokens_refused),
        T(test_token_revoke_family),
        T(test_flow_tenant_isolation),
        T(test_code_consume_race),
    };
    CONFORMANCE_RUN("store conformance: code flow", tests);
}
