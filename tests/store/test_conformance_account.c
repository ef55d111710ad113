/* Store conformance: the account page's operations (issue 13 item 4). consent_list answers
 * one user's consents, newest first, and nobody else's; consent_revoke withdraws one
 * user's grant to one client in one transaction (the consent, every token and code of
 * theirs for that client, the feed's family and token events) and touches nothing of
 * another user or another client; withdrawing what is not there changes nothing.
 *
 * Not here: the page (tests/integration/test_account.py). */
#include "conformance.h"

/* A code of user for client and the access and refresh token its redemption issued. */
static struct grantd_code grant(struct fx *f, const char *user, const char *client,
                                struct grantd_token t[2])
{
    struct grantd_code k = make_code(f, f->tenant, NULL);
    k.user_id = user;
    k.client_id = client;
    assert_int_equal(grantd_store_code_put(f->s, &k), GRANTD_OK);
    make_tokens(&k, t);
    assert_int_equal(grantd_store_token_put(f->s, t, 2), GRANTD_OK);
    return k;
}

static void consent(struct fx *f, const char *user, const char *client, int64_t at)
{
    struct grantd_consent c = {.tenant = f->tenant, .user_id = user, .client_id = client,
                               .scope = "openid profile", .created_at = at};
    assert_int_equal(grantd_store_consent_put(f->s, &c), GRANTD_OK);
}

static int revoked(struct fx *f, const struct grantd_token *t)
{
    struct grantd_token got;
    assert_int_equal(grantd_store_token_get(f->s, f->a, f->tenant, t->hash, &got), GRANTD_OK);
    return got.revoked;
}

static void test_consent_list(void **state)
{
    struct fx *f = *state;
    const char *u = uid(f->a, "sub"), *v = uid(f->a, "sub");
    struct grantd_consent *list = NULL;
    size_t n = 99;
    assert_int_equal(grantd_store_consent_list(f->s, f->a, f->tenant, u, &list, &n), GRANTD_OK);
    assert_int_equal(n, 0);
    consent(f, u, "app-old", NOW - 100);
    consent(f, u, "app-new", NOW);
    consent(f, v, "app-other", NOW);
    assert_int_equal(grantd_store_consent_list(f->s, f->a, f->tenant, u, &list, &n), GRANTD_OK);
    assert_int_equal(n, 2);
    assert_string_equal(list[0].client_id, "app-new");
    assert_string_equal(list[1].client_id, "app-old");
    assert_string_equal(list[1].user_id, u);
    assert_string_equal(list[1].scope, "openid profile");
    assert_int_equal(list[1].created_at, NOW - 100);
    assert_int_equal(list[0].tenant, f->tenant);
    /* another tenant's store of the same user id sees nothing */
    assert_int_equal(grantd_store_consent_list(f->s, f->a, GRANTD_DEFAULT_TENANT, u, &list, &n),
                     GRANTD_OK);
    assert_int_equal(n, 0);
}

static void test_consent_revoke(void **state)
{
    struct fx *f = *state;
    const char *u = uid(f->a, "sub"), *v = uid(f->a, "sub");
    const char *c = uid(f->a, "client"), *d = uid(f->a, "client");
    struct grantd_token mine[2], again[2], theirs[2], other_app[2], late[2];
    struct grantd_code k = grant(f, u, c, mine);
    grant(f, u, c, again); /* a second authorization of the same app */
    grant(f, v, c, theirs);
    grant(f, u, d, other_app);
    consent(f, u, c, NOW);
    consent(f, v, c, NOW);
    consent(f, u, d, NOW);
    struct grantd_revocation *e;
    int64_t c0 = 0, next = 0;
    size_t n = 0;
    assert_int_equal(grantd_store_revocations_since(f->s, f->a, f->tenant, 0, 100, &e, &n, &c0),
                     GRANTD_OK);

    assert_int_equal(grantd_store_consent_revoke(f->s, f->tenant, u, c, NOW + 5), GRANTD_OK);
    assert_true(revoked(f, &mine[0]) && revoked(f, &mine[1]));
    assert_true(revoked(f, &again[0]) && revoked(f, &again[1]));
    assert_false(revoked(f, &theirs[0]) || revoked(f, &theirs[1]));
    assert_false(revoked(f, &other_app[0]) || revoked(f, &other_app[1]));
    struct grantd_consent got;
    assert_int_equal(grantd_store_consent_get(f->s, f->a, f->tenant, u, c, &got),
                     GRANTD_ENOTFOUND);
    assert_int_equal(grantd_store_consent_get(f->s, f->a, f->tenant, v, c, &got), GRANTD_OK);
    assert_int_equal(grantd_store_consent_get(f->s, f->a, f->tenant, u, d, &got), GRANTD_OK);
    /* the revoked families take no new token (a refresh in flight is refused) */
    make_tokens(&k, late);
    assert_int_equal(grantd_store_token_put(f->s, late, 2), GRANTD_ECONFLICT);
    /* the code not yet redeemed is refused too: consuming it reports it revoked */
    struct grantd_code used;
    grantd_rc rc = grantd_store_code_consume(f->s, f->a, f->tenant, k.hash, NOW + 6, &used);
    assert_true(rc != GRANTD_OK || used.revoked);

    /* the feed: a family event for each authorization at the caller's time, and the live
     * access token of each, nothing of the other user or app */
    assert_int_equal(grantd_store_revocations_since(f->s, f->a, f->tenant, c0, 100, &e, &n,
                                                    &next),
                     GRANTD_OK);
    assert_int_equal(n, 4);
    char hex[2][2 * 24 + 1];
    grantd_hex_encode(mine[0].hash + 8, 24, hex[0]);
    grantd_hex_encode(again[0].hash + 8, 24, hex[1]);
    size_t families = 0, tokens = 0;
    for (size_t i = 0; i < n; i++) {
        assert_int_equal(e[i].at, NOW + 5);
        if (strcmp(e[i].kind, "family") == 0)
            families++;
        else if (strcmp(e[i].kind, "token") == 0 &&
                 (strcmp(e[i].subject, hex[0]) == 0 || strcmp(e[i].subject, hex[1]) == 0))
            tokens++;
    }
    assert_int_equal(families, 2);
    assert_int_equal(tokens, 2);

    /* withdrawing again, or another user's grant of an app this user never had: nothing */
    assert_int_equal(grantd_store_consent_revoke(f->s, f->tenant, u, c, NOW + 7),
                     GRANTD_ENOTFOUND);
    assert_int_equal(grantd_store_consent_revoke(f->s, f->tenant, uid(f->a, "sub"), c, NOW + 7),
                     GRANTD_ENOTFOUND);
    assert_int_equal(grantd_store_revocations_since(f->s, f->a, f->tenant, next, 100, &e, &n,
                                                    &next),
                     GRANTD_OK);
    assert_int_equal(n, 0);
    assert_false(revoked(f, &theirs[0]));
}

#define T(fn) cmocka_unit_test_setup_teardown(fn, setup, teardown)

int main(void)
{
    const struct CMUnitTest tests[] = {
        T(test_consent_list),
        T(test_consent_revoke),
    };
    CONFORMANCE_RUN("store conformance: account page", tests);
}
