/* Unit tests of token/keys.c against an in-memory key store (key_fixture.h): the first key
 * is generated and sealed, kid is the RFC 7638 thumbprint, tokens verify with OpenSSL from
 * the JWKS alone, which key signs and which are published as time passes through a
 * rotation, reload every keys.reload seconds, a failing store, a wrong master key, two
 * servers creating the first key at once, and signing from many threads while reloads swap
 * snapshots; a chain per alg (an RS256 key made on the first RS256 JWS, by one of eight
 * racing threads), rotation per alg, and JWS signing and verification for ID tokens. */
#include "key_fixture.h"

#include <openssl/x509.h>

#include "core/seal.h"
#include "token/keys.h"

#define T0 1700000000

struct env {
    struct fake_store *fs;
    struct grantd_config cfg;
    struct grantd_keyring *kr;
    struct grantd_arena *a;
};

static int setup(void **state)
{
    struct env *e = calloc(1, sizeof(*e));
    e->fs = fake_new();
    test_config(&e->cfg, NULL, NULL);
    e->a = grantd_arena_new(4096);
    *state = e;
    return 0;
}

static int teardown(void **state)
{
    struct env *e = *state;
    grantd_keyring_free(e->kr);
    grantd_arena_free(e->a);
    grantd_config_free(&e->cfg);
    fake_free(e->fs);
    free(e);
    return 0;
}

static void open_ok(struct env *e, int64_t now)
{
    char err[512] = "";
    grantd_keyring_free(e->kr);
    e->kr = NULL;
    grantd_rc rc = grantd_keyring_open(&e->fs->base, &e->cfg, GRANTD_DEFAULT_TENANT, now, &e->kr,
                                       err, sizeof(err));
    if (rc != GRANTD_OK)
        fail_msg("keyring_open: %s (%s)", grantd_strerror(rc), err);
}

static const char *sign(struct env *e, int64_t now, const char *aud)
{
    struct grantd_jwt_claims c = {.iss = "https://as.example", .sub = "user-1", .aud = aud,
                                  .client_id = "client-1", .scope = "read write",
                                  .jti = "jti-1", .iat = now, .exp = now + 300};
    const char *out = NULL;
    assert_int_equal(grantd_keyring_sign(e->kr, e->a, now, &c, &out), GRANTD_OK);
    return out;
}

/* The kid in the header of a verified token. */
static char *signed_kid(struct env *e, int64_t now)
{
    json_t *header;
    json_t *claims = jwt_check(sign(e, now, NULL), grantd_keyring_jwks(e->kr, e->a, now), &header);
    char *kid = strdup(json_string_value(json_object_get(header, "kid")));
    json_decref(header);
    json_decref(claims);
    return kid;
}

static size_t jwks_count(struct env *e, int64_t now)
{
    json_t *j = json_loads(grantd_keyring_jwks(e->kr, e->a, now), 0, NULL);
    assert_non_null(j);
    size_t n = json_array_size(json_object_get(j, "keys"));
    json_decref(j);
    return n;
}

static void test_first_key(void **state)
{
    struct env *e = *state;
    open_ok(e, T0);
    assert_int_equal(e->fs->n, 1);
    const struct grantd_key *k = &e->fs->keys[0];
    assert_string_equal(k->alg, "ES256");
    assert_int_equal(k->active_from, T0);
    assert_int_equal(k->created_at, T0);
    assert_int_equal(k->retire_at, 0);

    json_t *jwk = json_loads(k->public_jwk, 0, NULL);
    assert_non_null(jwk);
    assert_string_equal(json_string_value(json_object_get(jwk, "kty")), "EC");
    assert_string_equal(json_string_value(json_object_get(jwk, "crv")), "P-256");
    assert_string_equal(json_string_value(json_object_get(jwk, "alg")), "ES256");
    assert_string_equal(json_string_value(json_object_get(jwk, "use")), "sig");
    assert_string_equal(json_string_value(json_object_get(jwk, "kid")), k->kid);
    assert_null(json_object_get(jwk, "d"));
    char tp[44];
    thumbprint(jwk, tp);
    assert_string_equal(tp, k->kid);

    /* the private key is sealed under the master key with aad = kid, and is PKCS#8 DER
     * whose public half is the published one */
    unsigned char master[32], *der = NULL;
    size_t der_len = 0;
    memcpy(master, "0123456789abcdef0123456789abcdef", 32);
    assert_int_equal(grantd_unseal(master, "other", 5, k->private_sealed, k->private_sealed_len,
                                   &der, &der_len), GRANTD_ECRYPTO);
    assert_int_equal(grantd_unseal(master, k->kid, strlen(k->kid), k->private_sealed,
                                   k->private_sealed_len, &der, &der_len), GRANTD_OK);
    const unsigned char *p = der;
    EVP_PKEY *priv = d2i_AutoPrivateKey(NULL, &p, (long)der_len);
    assert_non_null(priv);
    EVP_PKEY *pub = jwk_public_key(jwk);
    assert_int_equal(EVP_PKEY_eq(priv, pub), 1);
    EVP_PKEY_free(priv);
    EVP_PKEY_free(pub);
    free(der);

    assert_int_equal(jwks_count(e, T0), 1);
    json_decref(jwk);

    /* a second start uses the stored key */
    open_ok(e, T0 + 10);
    assert_int_equal(e->fs->n, 1);
    char *kid = signed_kid(e, T0 + 10);
    assert_string_equal(kid, e->fs->keys[0].kid);
    free(kid);
}

static void test_token_claims(void **state)
{
    struct env *e = *state;
    open_ok(e, T0);
    json_t *header;
    json_t *c = jwt_check(sign(e, T0, "https://api.example"), grantd_keyring_jwks(e->kr, e->a, T0),
                          &header);
    assert_string_equal(json_string_value(json_object_get(header, "typ")), "at+jwt");
    assert_string_equal(json_string_value(json_object_get(header, "alg")), "ES256");
    assert_int_equal(json_object_size(header), 3);
    assert_string_equal(json_string_value(json_object_get(c, "iss")), "https://as.example");
    assert_string_equal(json_string_value(json_object_get(c, "sub")), "user-1");
    assert_string_equal(json_string_value(json_object_get(c, "aud")), "https://api.example");
    assert_string_equal(json_string_value(json_object_get(c, "client_id")), "client-1");
    assert_string_equal(json_string_value(json_object_get(c, "scope")), "read write");
    assert_string_equal(json_string_value(json_object_get(c, "jti")), "jti-1");
    assert_int_equal(json_integer_value(json_object_get(c, "iat")), T0);
    assert_int_equal(json_integer_value(json_object_get(c, "exp")), T0 + 300);
    json_decref(c);
    json_decref(header);
    /* aud omitted when NULL */
    c = jwt_check(sign(e, T0, NULL), grantd_keyring_jwks(e->kr, e->a, T0), &header);
    assert_null(json_object_get(c, "aud"));
    json_decref(c);
    json_decref(header);
}

static void test_rs256(void **state)
{
    struct env *e = *state;
    grantd_config_set(&e->cfg.keys.alg, "RS256");
    open_ok(e, T0);
    assert_string_equal(e->fs->keys[0].alg, "RS256");
    json_t *jwk = json_loads(e->fs->keys[0].public_jwk, 0, NULL);
    assert_string_equal(json_string_value(json_object_get(jwk, "kty")), "RSA");
    assert_string_equal(json_string_value(json_object_get(jwk, "e")), "AQAB");
    char tp[44];
    thumbprint(jwk, tp);
    assert_string_equal(tp, e->fs->keys[0].kid);
    json_decref(jwk);
    json_t *header;
    json_t *c = jwt_check(sign(e, T0, NULL), grantd_keyring_jwks(e->kr, e->a, T0), &header);
    assert_string_equal(json_string_value(json_object_get(header, "alg")), "RS256");
    json_decref(c);
    json_decref(header);
}

/* A lazy keyring reads nothing until it is used; its first use makes the first key; a first
 * use while the store fails is an error (not "no key", not "not ours") and the next use
 * retries. */
static void test_lazy(void **state)
{
    struct env *e = *state;
    char err[256] = "";
    assert_int_equal(grantd_keyring_open_lazy(&e->fs->base, &e->cfg, GRANTD_DEFAULT_TENANT,
                                              &e->kr, err, sizeof(err)),
                     GRANTD_OK);
    assert_int_equal(e->fs->lists, 0);
    assert_int_equal(e->fs->n, 0);
    e->fs->fail = 1;
    struct grantd_jwt_claims c = {.iss = "https://as.example", .sub = "s", .client_id = "c",
                                  .jti = "j", .iat = T0, .exp = T0 + 60};
    const char *out = NULL;
    assert_int_equal(grantd_keyring_sign(e->kr, e->a, T0, &c, &out), GRANTD_ESTORE);
    assert_null(grantd_keyring_jwks(e->kr, e->a, T0));
    struct grantd_jwt_claims back;
    assert_int_equal(grantd_keyring_verify(e->kr, e->a, T0, "a.b.c", &back), GRANTD_ESTORE);
    assert_int_equal(e->fs->n, 0);
    e->fs->fail = 0;
    assert_int_equal(grantd_keyring_sign(e->kr, e->a, T0, &c, &out), GRANTD_OK);
    assert_int_equal(e->fs->n, 1);
    assert_int_equal(grantd_keyring_verify(e->kr, e->a, T0, out, &back), GRANTD_OK);
    assert_int_equal(jwks_count(e, T0), 1);
    assert_int_equal(e->fs->n, 1); /* loaded once */
}

/* A copy of text with the character at i replaced by c. */
static char *altered(struct env *e, const char *text, size_t i, char c)
{
    char *copy = grantd_arena_strdup(e->a, text);
    copy[i] = copy[i] == c ? (char)(c + 1) : c;
    return copy;
}

/* What grantd_keyring_verify accepts: the tokens its own published keys signed, with their
 * claims back; not a changed header, claim or signature, not another keyring's token, not a
 * token of a key that has retired. */
static void check_verify(struct env *e)
{
    const char *tok = sign(e, T0, "https://as.example");
    struct grantd_jwt_claims c;
    assert_int_equal(grantd_keyring_verify(e->kr, e->a, T0, tok, &c), GRANTD_OK);
    assert_string_equal(c.iss, "https://as.example");
    assert_string_equal(c.sub, "user-1");
    assert_string_equal(c.aud, "https://as.example");
    assert_string_equal(c.client_id, "client-1");
    assert_string_equal(c.scope, "read write");
    assert_string_equal(c.jti, "jti-1");
    assert_int_equal(c.iat, T0);
    assert_int_equal(c.exp, T0 + 300);
    size_t d1 = strcspn(tok, "."), d2 = d1 + 1 + strcspn(tok + d1 + 1, "."); /* the dots */
    size_t at[] = {3, d1 + 5, d2 + 5, strlen(tok) - 3};
    for (size_t i = 0; i < sizeof(at) / sizeof(at[0]); i++)
        assert_int_equal(grantd_keyring_verify(e->kr, e->a, T0, altered(e, tok, at[i], 'A'), &c),
                         GRANTD_EINVAL);
    const char *cut[] = {"", ".", "..", grantd_arena_strndup(e->a, tok, d2 + 1),
                         grantd_arena_strndup(e->a, tok, d2)};
    for (size_t i = 0; i < sizeof(cut) / sizeof(cut[0]); i++)
        assert_int_equal(grantd_keyring_verify(e->kr, e->a, T0, cut[i], &c), GRANTD_EINVAL);
}

static void test_verify_es256(void **state)
{
    struct env *e = *state;
    open_ok(e, T0);
    check_verify(e);
    /* another keyring (another key) signed it: not ours */
    struct env other = {.fs = fake_new(), .a = e->a};
    test_config(&other.cfg, NULL, NULL);
    open_ok(&other, T0);
    struct grantd_jwt_claims c;
    assert_int_equal(grantd_keyring_verify(e->kr, e->a, T0, sign(&other, T0, NULL), &c),
                     GRANTD_EINVAL);
    grantd_keyring_free(other.kr);
    grantd_config_free(&other.cfg);
    fake_free(other.fs);
}

static void test_verify_rs256(void **state)
{
    struct env *e = *state;
    grantd_config_set(&e->cfg.keys.alg, "RS256");
    open_ok(e, T0);
    check_verify(e);
}

/* A token of a rotated-out key verifies while the key is published, not after it retired. */
static void test_verify_after_rotation(void **state)
{
    struct env *e = *state;
    e->cfg.keys.publish_ahead = 0;
    open_ok(e, T0);
    const char *old = sign(e, T0, NULL);
    const char *kid = NULL;
    char err[256];
    assert_int_equal(grantd_keys_rotate(&e->fs->base, &e->cfg, GRANTD_DEFAULT_TENANT, "ES256",
                                        T0 + 10, 60, e->a, &kid, err, sizeof(err)),
                     GRANTD_OK);
    struct grantd_jwt_claims c;
    assert_int_equal(grantd_keyring_verify(e->kr, e->a, T0 + 20, old, &c), GRANTD_OK);
    assert_int_equal(grantd_keyring_verify(e->kr, e->a, T0 + 20, sign(e, T0 + 20, NULL), &c),
                     GRANTD_OK);
    assert_int_equal(grantd_keyring_verify(e->kr, e->a, T0 + 70, old, &c), GRANTD_EINVAL);
}

/* Rotation with publish_ahead: the new key is published at once, signs from active_from;
 * the old one signs until then and stays published for max_access_ttl more. */
static void test_rotation_timeline(void **state)
{
    struct env *e = *state;
    e->cfg.keys.publish_ahead = 100;
    open_ok(e, T0);
    char *old = strdup(e->fs->keys[0].kid);
    const char *new_kid = NULL;
    char err[256];
    assert_int_equal(grantd_keys_rotate(&e->fs->base, &e->cfg, GRANTD_DEFAULT_TENANT, "ES256",
                                        T0 + 10, 3600, e->a, &new_kid, err, sizeof(err)),
                     GRANTD_OK);
    assert_int_equal(e->fs->n, 2);
    assert_string_equal(e->fs->keys[1].kid, new_kid);
    assert_int_equal(e->fs->keys[1].active_from, T0 + 110);
    assert_int_equal(e->fs->keys[1].retire_at, 0);
    assert_int_equal(e->fs->keys[0].retire_at, T0 + 110 + 3600);

    /* the rotation moved the store's generation: the next request reloads, before the
     * keys.reload deadline (a key retired now must not wait for it) */
    int lists = e->fs->lists;
    assert_int_equal(jwks_count(e, T0 + 4), 2);
    assert_int_equal(e->fs->lists, lists + 1);
    assert_int_equal(jwks_count(e, T0 + 6), 2);
    assert_int_equal(e->fs->lists, lists + 1); /* not again: nothing changed since */

    char *kid = signed_kid(e, T0 + 109);
    assert_string_equal(kid, old);
    free(kid);
    kid = signed_kid(e, T0 + 110);
    assert_string_equal(kid, new_kid);
    free(kid);
    assert_int_equal(jwks_count(e, T0 + 110 + 3599), 2);
    assert_int_equal(jwks_count(e, T0 + 110 + 3600), 1);
    kid = signed_kid(e, T0 + 110 + 3600);
    assert_string_equal(kid, new_kid);
    free(kid);

    /* a restart long after: only the new key is loaded and published */
    open_ok(e, T0 + 100000);
    assert_int_equal(jwks_count(e, T0 + 100000), 1);
    assert_int_equal(e->fs->n, 2);
    free(old);
}

/* The default configuration publishes a rotated key ahead, long enough for JWKS caches;
 * a rotation with no key that signs now (a fresh database) signs at once all the same. */
static void test_rotation_publishes_ahead_by_default(void **state)
{
    struct env *e = *state;
    struct grantd_config defaults;
    grantd_config_defaults(&defaults);
    e->cfg.keys.publish_ahead = defaults.keys.publish_ahead;
    grantd_config_free(&defaults);
    assert_true(e->cfg.keys.publish_ahead >= 3600);
    const char *first = NULL, *second = NULL;
    char err[256];
    assert_int_equal(grantd_keys_rotate(&e->fs->base, &e->cfg, GRANTD_DEFAULT_TENANT, NULL, T0,
                                        60, e->a, &first, err, sizeof(err)), GRANTD_OK);
    assert_int_equal(e->fs->n, 1);
    assert_int_equal(e->fs->keys[0].active_from, T0); /* nothing signed before it */
    assert_int_equal(grantd_keys_rotate(&e->fs->base, &e->cfg, GRANTD_DEFAULT_TENANT, NULL,
                                        T0 + 10, 60, e->a, &second, err, sizeof(err)),
                     GRANTD_OK);
    assert_int_equal(e->fs->n, 2);
    assert_int_equal(e->fs->keys[1].active_from, T0 + 10 + e->cfg.keys.publish_ahead);
    assert_int_equal(e->fs->keys[0].retire_at, T0 + 10 + e->cfg.keys.publish_ahead + 60);
    open_ok(e, T0 + 20);
    char *kid = signed_kid(e, T0 + 20);
    assert_string_equal(kid, first); /* the old key signs while the new one is published */
    free(kid);
    assert_int_equal(jwks_count(e, T0 + 20), 2);
}

/* A retirement passing while the store fails: the stale snapshot's JWKS still drops it. */
static void test_store_failure(void **state)
{
    struct env *e = *state;
    open_ok(e, T0);
    const char *kid = NULL;
    char err[256];
    assert_int_equal(grantd_keys_rotate(&e->fs->base, &e->cfg, GRANTD_DEFAULT_TENANT, NULL, T0,
                                        60, e->a, &kid, err, sizeof(err)), GRANTD_OK);
    assert_int_equal(jwks_count(e, T0 + 5), 2);
    e->fs->fail = 1;
    assert_int_equal(jwks_count(e, T0 + 59), 2);
    assert_int_equal(jwks_count(e, T0 + 60), 1);
    char *signer = signed_kid(e, T0 + 61);
    assert_string_equal(signer, kid);
    free(signer);
    e->fs->fail = 0;
    assert_int_equal(jwks_count(e, T0 + 100), 1);
}

static void test_wrong_master_key(void **state)
{
    struct env *e = *state;
    open_ok(e, T0);
    grantd_keyring_free(e->kr);
    e->kr = NULL;
    grantd_config_set(&e->cfg.keys.master_key, MASTER_B);
    char err[512] = "";
    struct grantd_keyring *kr = NULL;
    assert_int_equal(grantd_keyring_open(&e->fs->base, &e->cfg, GRANTD_DEFAULT_TENANT, T0 + 1,
                                         &kr, err, sizeof(err)), GRANTD_ECRYPTO);
    assert_null(kr);
    assert_non_null(strstr(err, "does not open"));
    assert_null(strchr(err, '\n'));
    /* rotating under the wrong key is refused and adds nothing */
    const char *kid = NULL;
    assert_int_equal(grantd_keys_rotate(&e->fs->base, &e->cfg, GRANTD_DEFAULT_TENANT, "ES256",
                                        T0 + 2, 60, e->a, &kid, err, sizeof(err)),
                     GRANTD_ECRYPTO);
    assert_int_equal(e->fs->n, 1);
    assert_int_equal(e->fs->keys[0].retire_at, 0);
    /* a bad algorithm name */
    grantd_config_set(&e->cfg.keys.master_key, MASTER_A);
    assert_int_equal(grantd_keys_rotate(&e->fs->base, &e->cfg, GRANTD_DEFAULT_TENANT, "HS256",
                                        T0 + 2, 60, e->a, &kid, err, sizeof(err)),
                     GRANTD_EINVAL);
    assert_int_equal(e->fs->n, 1);
}

static void test_store_down_at_open(void **state)
{
    struct env *e = *state;
    e->fs->fail = 1;
    char err[512] = "";
    struct grantd_keyring *kr = NULL;
    assert_int_equal(grantd_keyring_open(&e->fs->base, &e->cfg, GRANTD_DEFAULT_TENANT, T0, &kr,
                                         err, sizeof(err)), GRANTD_EBUSY);
    assert_null(kr);
    assert_non_null(strstr(err, "signing keys"));
}

/* A key of the wrong kid under a valid seal (e.g. a row edited by hand) is refused. */
static void test_kid_mismatch(void **state)
{
    struct env *e = *state;
    open_ok(e, T0);
    grantd_keyring_free(e->kr);
    e->kr = NULL;
    /* re-seal the private key under a different kid */
    struct grantd_key *k = &e->fs->keys[0];
    unsigned char master[32], *der = NULL, *sealed = NULL;
    size_t der_len, sealed_len;
    memcpy(master, "0123456789abcdef0123456789abcdef", 32);
    assert_int_equal(grantd_unseal(master, k->kid, strlen(k->kid), k->private_sealed,
                                   k->private_sealed_len, &der, &der_len), GRANTD_OK);
    const char *fake_kid = "AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA";
    assert_int_equal(grantd_seal(master, fake_kid, strlen(fake_kid), der, der_len, &sealed,
                                 &sealed_len), GRANTD_OK);
    free((char *)k->kid);
    free((unsigned char *)k->private_sealed);
    k->kid = strdup(fake_kid);
    k->private_sealed = sealed;
    k->private_sealed_len = sealed_len;
    free(der);
    char err[512] = "";
    struct grantd_keyring *kr = NULL;
    assert_int_not_equal(grantd_keyring_open(&e->fs->base, &e->cfg, GRANTD_DEFAULT_TENANT, T0,
                                             &kr, err, sizeof(err)), GRANTD_OK);
    assert_null(kr);
}

/* Two rotations within one second: the key added last signs, whatever order the store
 * lists same-second keys in. */
static void test_same_second_rotations(void **state)
{
    struct env *e = *state;
    open_ok(e, T0);
    const char *k2 = NULL, *k3 = NULL;
    char err[256];
    assert_int_equal(grantd_keys_rotate(&e->fs->base, &e->cfg, GRANTD_DEFAULT_TENANT, NULL, T0,
                                        60, e->a, &k2, err, sizeof(err)), GRANTD_OK);
    assert_int_equal(grantd_keys_rotate(&e->fs->base, &e->cfg, GRANTD_DEFAULT_TENANT, NULL, T0,
                                        60, e->a, &k3, err, sizeof(err)), GRANTD_OK);
    for (int reverse = 0; reverse < 2; reverse++) {
        e->fs->reverse = reverse;
        open_ok(e, T0);
        char *kid = signed_kid(e, T0);
        assert_string_equal(kid, k3);
        free(kid);
        assert_int_equal(jwks_count(e, T0), 3);
    }
}

/* The server that gets ahead in test_first_key_race, and the kid it creates. */
static struct env *race_env;
static char *race_kid;

/* The fault hook: before this server's first key_put, another server opens the keyring on
 * the same store and so creates the tenant's first key. */
static grantd_rc other_server_first(struct grantd_store *s, const char *op)
{
    if (strcmp(op, "key_put") != 0 || race_kid)
        return GRANTD_OK;
    race_kid = strdup("");
    struct grantd_keyring *kr = NULL;
    char err[256];
    assert_int_equal(grantd_keyring_open(s, &race_env->cfg, GRANTD_DEFAULT_TENANT, T0, &kr, err,
                                         sizeof(err)),
                     GRANTD_OK);
    grantd_keyring_free(kr);
    free(race_kid);
    race_kid = strdup(race_env->fs->keys[0].kid);
    return GRANTD_OK;
}

/* Two servers start at once on a fresh database: both find no key, one stores its first
 * key first, and the other's key_put is refused (one current key per tenant); that one then
 * opens with the key the first stored instead of failing or adding a second current key. */
static void test_first_key_race(void **state)
{
    struct env *e = *state;
    race_env = e;
    e->fs->base.fault = other_server_first;
    open_ok(e, T0);
    e->fs->base.fault = NULL;
    assert_int_equal(e->fs->n, 1);
    char *kid = signed_kid(e, T0);
    assert_string_equal(kid, race_kid);
    free(kid);
    free(race_kid);
    race_kid = NULL;
}

struct sign_thread {
    struct env *e;
    int64_t start;
    int ok;
};

static void *sign_loop(void *arg)
{
    struct sign_thread *t = arg;
    struct grantd_arena *a = grantd_arena_new(4096);
    struct grantd_jwt_claims c = {.iss = "i", .sub = "s", .client_id = "c", .jti = "j"};
    t->ok = 1;
    for (int i = 0; i < 300; i++) {
        const char *out = NULL;
        int64_t now = t->start + i / 10; /* crosses many reload deadlines */
        if (grantd_keyring_sign(t->e->kr, a, now, &c, &out) != GRANTD_OK || !out ||
            !grantd_keyring_jwks(t->e->kr, a, now))
            t->ok = 0;
        grantd_arena_reset(a);
    }
    grantd_arena_free(a);
    return NULL;
}

/* Many signers while the keys change underneath (ASan catches a freed snapshot). */
static void test_concurrent_reload(void **state)
{
    struct env *e = *state;
    e->cfg.keys.reload = 1;
    open_ok(e, T0);
    pthread_t th[4];
    struct sign_thread args[4];
    for (int i = 0; i < 4; i++) {
        args[i] = (struct sign_thread){e, T0, 0};
        pthread_create(&th[i], NULL, sign_loop, &args[i]);
    }
    for (int r = 0; r < 5; r++) {
        const char *kid;
        char err[256];
        struct grantd_arena *a = grantd_arena_new(1024);
        assert_int_equal(grantd_keys_rotate(&e->fs->base, &e->cfg, GRANTD_DEFAULT_TENANT,
                                            "ES256", T0, 1000, a, &kid, err, sizeof(err)),
                         GRANTD_OK);
        grantd_arena_free(a);
    }
    for (int i = 0; i < 4; i++) {
        pthread_join(th[i], NULL);
        assert_true(args[i].ok);
    }
    /* by the end every rotation has been seen */
    assert_int_equal(jwks_count(e, T0 + 40), 6);
}

/* ---- a chain per alg; JWS for ID tokens ------------------------------------------------- */

#define PAYLOAD "{\"iss\":\"https://as.example\",\"sub\":\"user-1\",\"nonce\":\"n-0\"}"

/* noinline: inlined into a caller, GCC 12 at -O2 takes the result for a pointer to out
 * itself (-Wdangling-pointer, a false positive) */
__attribute__((noinline)) static const char *sign_jws(struct env *e, int64_t now,
                                                      const char *alg, const char *typ)
{
    const char *out = NULL;
    grantd_rc rc = grantd_keyring_sign_jws(e->kr, e->a, now, alg, typ, PAYLOAD, &out);
    if (rc != GRANTD_OK)
        fail_msg("sign_jws %s: %s", alg, grantd_strerror(rc));
    return out;
}

/* The kid of a JWS checked with OpenSSL against the JWKS alone; its header's alg and typ
 * must be those given. */
static char *jws_kid(struct env *e, int64_t now, const char *jws, const char *alg,
                     const char *typ)
{
    json_t *header;
    json_t *claims = jwt_check(jws, grantd_keyring_jwks(e->kr, e->a, now), &header);
    assert_string_equal(json_string_value(json_object_get(header, "alg")), alg);
    if (typ)
        assert_string_equal(json_string_value(json_object_get(header, "typ")), typ);
    else
        assert_null(json_object_get(header, "typ"));
    assert_string_equal(json_string_value(json_object_get(claims, "nonce")), "n-0");
    char *kid = strdup(json_string_value(json_object_get(header, "kid")));
    json_decref(header);
    json_decref(claims);
    return kid;
}

static size_t keys_of_alg(struct env *e, const char *alg)
{
    size_t n = 0;
    for (size_t i = 0; i < e->fs->n; i++)
        n += strcmp(e->fs->keys[i].alg, alg) == 0;
    return n;
}

/* The first RS256 JWS of an ES256 issuer makes its RS256 key, published beside the ES256
 * one (kty RSA, alg RS256, use sig); access tokens stay ES256; later JWS use the same key. */
static void test_rs256_beside_es256(void **state)
{
    struct env *e = *state;
    open_ok(e, T0);
    char *es = strdup(e->fs->keys[0].kid);
    char *kid = jws_kid(e, T0 + 5, sign_jws(e, T0 + 5, "RS256", "JWT"), "RS256", "JWT");
    assert_int_equal(e->fs->n, 2);
    assert_string_equal(e->fs->keys[1].alg, "RS256");
    assert_string_equal(e->fs->keys[1].kid, kid);
    assert_int_equal(e->fs->keys[1].active_from, T0 + 5);
    assert_int_equal(e->fs->keys[1].retire_at, 0);
    assert_int_equal(e->fs->keys[0].retire_at, 0);
    json_t *jwks = json_loads(grantd_keyring_jwks(e->kr, e->a, T0 + 5), 0, NULL), *k;
    size_t i, rsa = 0;
    json_array_foreach(json_object_get(jwks, "keys"), i, k)
        if (strcmp(json_string_value(json_object_get(k, "kid")), kid) == 0) {
            assert_string_equal(json_string_value(json_object_get(k, "kty")), "RSA");
            assert_string_equal(json_string_value(json_object_get(k, "alg")), "RS256");
            assert_string_equal(json_string_value(json_object_get(k, "use")), "sig");
            rsa++;
        }
    assert_int_equal(json_array_size(json_object_get(jwks, "keys")), 2);
    assert_int_equal(rsa, 1);
    json_decref(jwks);

    char *at = signed_kid(e, T0 + 6);
    assert_string_equal(at, es);
    char *again = jws_kid(e, T0 + 7, sign_jws(e, T0 + 7, "RS256", NULL), "RS256", NULL);
    assert_string_equal(again, kid);
    char *es_jws = jws_kid(e, T0 + 7, sign_jws(e, T0 + 7, "ES256", "JWT"), "ES256", "JWT");
    assert_string_equal(es_jws, es);
    assert_int_equal(e->fs->n, 2);
    /* a restart loads both and keeps signing access tokens with ES256 */
    open_ok(e, T0 + 8);
    free(at);
    at = signed_kid(e, T0 + 8);
    assert_string_equal(at, es);
    free(again);
    again = jws_kid(e, T0 + 8, sign_jws(e, T0 + 8, "RS256", "JWT"), "RS256", "JWT");
    assert_string_equal(again, kid);
    assert_int_equal(e->fs->n, 2);
    free(es);
    free(kid);
    free(at);
    free(again);
    free(es_jws);
}

/* Rotating one alg supersedes only that alg's keys; the states are per alg. */
static void test_rotation_per_alg(void **state)
{
    struct env *e = *state;
    e->cfg.keys.publish_ahead = 100;
    open_ok(e, T0);
    char *rs = jws_kid(e, T0, sign_jws(e, T0, "RS256", "JWT"), "RS256", "JWT");
    char *es = strdup(e->fs->keys[0].kid);
    const char *rs2 = NULL, *es2 = NULL;
    char err[256];
    assert_int_equal(grantd_keys_rotate(&e->fs->base, &e->cfg, GRANTD_DEFAULT_TENANT, "RS256",
                                        T0 + 10, 3600, e->a, &rs2, err, sizeof(err)),
                     GRANTD_OK);
    assert_int_equal(e->fs->n, 3);
    assert_int_equal(e->fs->keys[0].retire_at, 0);            /* ES256 untouched */
    assert_int_equal(e->fs->keys[1].retire_at, T0 + 110 + 3600);
    assert_int_equal(e->fs->keys[2].active_from, T0 + 110);   /* published ahead */
    const char *want_ahead[] = {"active", "active", "next"};
    for (size_t i = 0; i < 3; i++)
        assert_string_equal(grantd_keys_state(e->fs->keys, 3, i, T0 + 20), want_ahead[i]);
    const char *want[] = {"active", "retiring", "active"};
    for (size_t i = 0; i < 3; i++)
        assert_string_equal(grantd_keys_state(e->fs->keys, 3, i, T0 + 110), want[i]);
    char *kid = jws_kid(e, T0 + 109, sign_jws(e, T0 + 109, "RS256", NULL), "RS256", NULL);
    assert_string_equal(kid, rs);
    free(kid);
    kid = jws_kid(e, T0 + 110, sign_jws(e, T0 + 110, "RS256", NULL), "RS256", NULL);
    assert_string_equal(kid, rs2);
    free(kid);
    kid = signed_kid(e, T0 + 110);
    assert_string_equal(kid, es);
    free(kid);

    /* and the other way round: an ES256 rotation leaves the RS256 chain alone */
    assert_int_equal(grantd_keys_rotate(&e->fs->base, &e->cfg, GRANTD_DEFAULT_TENANT, "ES256",
                                        T0 + 200, 3600, e->a, &es2, err, sizeof(err)),
                     GRANTD_OK);
    assert_int_equal(e->fs->keys[2].retire_at, 0);
    assert_int_equal(e->fs->keys[0].retire_at, T0 + 300 + 3600);
    kid = signed_kid(e, T0 + 300);
    assert_string_equal(kid, es2);
    free(kid);
    kid = jws_kid(e, T0 + 300, sign_jws(e, T0 + 300, "RS256", NULL), "RS256", NULL);
    assert_string_equal(kid, rs2);
    free(kid);
    assert_int_equal(keys_of_alg(e, "RS256"), 2);
    assert_int_equal(keys_of_alg(e, "ES256"), 2);
    free(rs);
    free(es);
}

/* A server whose keys.alg changed signs access tokens with the key it has until it is
 * rotated; a rotation then starts the configured alg's chain. */
static void test_keys_alg_changed(void **state)
{
    struct env *e = *state;
    open_ok(e, T0);
    char *es = strdup(e->fs->keys[0].kid);
    grantd_config_set(&e->cfg.keys.alg, "RS256");
    open_ok(e, T0 + 1);
    assert_int_equal(e->fs->n, 1);
    char *kid = signed_kid(e, T0 + 1);
    assert_string_equal(kid, es);
    free(kid);
    const char *rs = NULL;
    char err[256];
    assert_int_equal(grantd_keys_rotate(&e->fs->base, &e->cfg, GRANTD_DEFAULT_TENANT, NULL,
                                        T0 + 2, 3600, e->a, &rs, err, sizeof(err)),
                     GRANTD_OK);
    assert_string_equal(e->fs->keys[1].alg, "RS256");
    open_ok(e, T0 + 3);
    kid = signed_kid(e, T0 + 3);
    assert_string_equal(kid, rs);
    free(kid);
    free(es);
}

struct jws_thread {
    struct env *e;
    pthread_barrier_t *go;
    const char *jws;
    grantd_rc rc;
    struct grantd_arena *a;
};

static void *jws_first(void *arg)
{
    struct jws_thread *t = arg;
    pthread_barrier_wait(t->go);
    t->rc = grantd_keyring_sign_jws(t->e->kr, t->a, T0 + 1, "RS256", "JWT", PAYLOAD, &t->jws);
    return NULL;
}

/* Eight threads ask for the first RS256 JWS at once: one key is made, all eight verify. */
static void test_rs256_first_use_race(void **state)
{
    struct env *e = *state;
    open_ok(e, T0);
    pthread_barrier_t go;
    pthread_barrier_init(&go, NULL, 8);
    struct jws_thread t[8];
    pthread_t th[8];
    for (int i = 0; i < 8; i++) {
        t[i] = (struct jws_thread){.e = e, .go = &go, .a = grantd_arena_new(4096)};
        assert_int_equal(pthread_create(&th[i], NULL, jws_first, &t[i]), 0);
    }
    for (int i = 0; i < 8; i++)
        pthread_join(th[i], NULL);
    pthread_barrier_destroy(&go);
    assert_int_equal(keys_of_alg(e, "RS256"), 1);
    assert_int_equal(e->fs->n, 2);
    for (int i = 0; i < 8; i++) {
        assert_int_equal(t[i].rc, GRANTD_OK);
        char *kid = jws_kid(e, T0 + 1, t[i].jws, "RS256", "JWT");
        assert_string_equal(kid, e->fs->keys[1].kid);
        free(kid);
        const char *payload = NULL, *typ = NULL;
        assert_int_equal(grantd_keyring_verify_jws(e->kr, e->a, T0 + 1, t[i].jws, &payload, &typ),
                         GRANTD_OK);
        grantd_arena_free(t[i].a);
    }
}

/* Another process stores the tenant's first RS256 key between this one's look and its
 * key_put: this one is refused (one current key per alg) and signs with that key. */
static struct env *jws_race_env;
static const char *jws_race_kid;

static grantd_rc other_process_rs256(struct grantd_store *s, const char *op)
{
    if (strcmp(op, "key_put") != 0 || jws_race_kid)
        return GRANTD_OK;
    char err[256];
    assert_int_equal(grantd_keys_rotate(s, &jws_race_env->cfg, GRANTD_DEFAULT_TENANT, "RS256",
                                        T0 + 1, 60, jws_race_env->a, &jws_race_kid, err,
                                        sizeof(err)),
                     GRANTD_OK);
    return GRANTD_OK;
}

static void test_rs256_first_use_other_process(void **state)
{
    struct env *e = *state;
    open_ok(e, T0);
    jws_race_env = e;
    jws_race_kid = NULL;
    e->fs->base.fault = other_process_rs256;
    const char *jws = sign_jws(e, T0 + 1, "RS256", "JWT");
    e->fs->base.fault = NULL;
    assert_non_null(jws_race_kid);
    assert_int_equal(keys_of_alg(e, "RS256"), 1);
    char *kid = jws_kid(e, T0 + 1, jws, "RS256", "JWT");
    assert_string_equal(kid, jws_race_kid);
    free(kid);
}

/* A JWS with one byte of its header re-encoded: header's text given whole. */
static const char *with_header(struct env *e, const char *jws, const char *header)
{
    const char *d1 = strchr(jws, '.');
    char *h = grantd_arena_alloc(e->a, grantd_b64url_len(strlen(header)) + 1);
    size_t hl = grantd_b64url_encode(header, strlen(header), h);
    char *out = grantd_arena_alloc(e->a, hl + strlen(d1) + 1);
    memcpy(out, h, hl);
    strcpy(out + hl, d1);
    return out;
}

static grantd_rc verify(struct env *e, int64_t now, const char *jws)
{
    const char *payload = NULL, *typ = NULL;
    grantd_rc rc = grantd_keyring_verify_jws(e->kr, e->a, now, jws, &payload, &typ);
    if (rc != GRANTD_OK) {
        assert_null(payload);
        assert_null(typ);
    }
    return rc;
}

static void test_verify_jws(void **state)
{
    struct env *e = *state;
    open_ok(e, T0);
    const char *rs = sign_jws(e, T0, "RS256", "JWT");
    const char *es = sign_jws(e, T0, "ES256", NULL);
    const char *payload = NULL, *typ = NULL;
    assert_int_equal(grantd_keyring_verify_jws(e->kr, e->a, T0, rs, &payload, &typ), GRANTD_OK);
    assert_string_equal(payload, PAYLOAD);
    assert_string_equal(typ, "JWT");
    assert_int_equal(grantd_keyring_verify_jws(e->kr, e->a, T0, es, &payload, &typ), GRANTD_OK);
    assert_string_equal(payload, PAYLOAD);
    assert_null(typ);

    /* forged: the payload changed, the signature of another JWS, a truncated signature */
    char *forged = grantd_arena_strdup(e->a, rs);
    char *p = strchr(forged, '.') + 3;
    *p = *p == 'A' ? 'B' : 'A';
    assert_int_equal(verify(e, T0, forged), GRANTD_EINVAL);
    const char *other = sign_jws(e, T0, "RS256", "other");
    char *mixed = grantd_arena_alloc(e->a, strlen(rs) + strlen(other));
    size_t signed_len = (size_t)(strrchr(rs, '.') - rs);
    memcpy(mixed, rs, signed_len);
    strcpy(mixed + signed_len, strrchr(other, '.'));
    assert_int_equal(verify(e, T0, mixed), GRANTD_EINVAL);
    char *cut = grantd_arena_strdup(e->a, rs);
    cut[strlen(cut) - 4] = '\0';
    assert_int_equal(verify(e, T0, cut), GRANTD_EINVAL);

    /* alg swapped (or none) under the same kid, signature kept */
    const char *kid = e->fs->keys[1].kid;
    char h[256];
    snprintf(h, sizeof(h), "{\"alg\":\"ES256\",\"kid\":\"%s\",\"typ\":\"JWT\"}", kid);
    assert_int_equal(verify(e, T0, with_header(e, rs, h)), GRANTD_EINVAL);
    snprintf(h, sizeof(h), "{\"alg\":\"none\",\"kid\":\"%s\",\"typ\":\"JWT\"}", kid);
    assert_int_equal(verify(e, T0, with_header(e, rs, h)), GRANTD_EINVAL);
    snprintf(h, sizeof(h), "{\"alg\":\"HS256\",\"kid\":\"%s\",\"typ\":\"JWT\"}", kid);
    assert_int_equal(verify(e, T0, with_header(e, rs, h)), GRANTD_EINVAL);
    /* the right members in another order: the signature covers the encoded header */
    snprintf(h, sizeof(h), "{\"kid\":\"%s\",\"alg\":\"RS256\",\"typ\":\"JWT\"}", kid);
    assert_int_equal(verify(e, T0, with_header(e, rs, h)), GRANTD_EINVAL);

    /* not JWS at all */
    assert_int_equal(verify(e, T0, ""), GRANTD_EINVAL);
    assert_int_equal(verify(e, T0, "a.b"), GRANTD_EINVAL);
    assert_int_equal(verify(e, T0, "..."), GRANTD_EINVAL);
    assert_int_equal(verify(e, T0, "e30.e30.e30"), GRANTD_EINVAL);
    char *extra = grantd_arena_alloc(e->a, strlen(rs) + 3);
    strcpy(extra, rs);
    strcat(extra, ".x");
    assert_int_equal(verify(e, T0, extra), GRANTD_EINVAL);
    /* an access token is no ID token's JWS... but it is this keyring's: its header names a
     * published key, so it verifies; the caller tells them apart by typ */
    const char *at = sign(e, T0, NULL);
    assert_int_equal(grantd_keyring_verify_jws(e->kr, e->a, T0, at, &payload, &typ), GRANTD_OK);
    assert_string_equal(typ, "at+jwt");

    /* another issuer's key (another store, same master key) */
    struct fake_store *fs2 = fake_new();
    struct grantd_keyring *kr2 = NULL;
    char err[256];
    assert_int_equal(grantd_keyring_open(&fs2->base, &e->cfg, GRANTD_DEFAULT_TENANT, T0, &kr2,
                                         err, sizeof(err)),
                     GRANTD_OK);
    const char *theirs = NULL;
    assert_int_equal(grantd_keyring_sign_jws(kr2, e->a, T0, "RS256", "JWT", PAYLOAD, &theirs),
                     GRANTD_OK);
    assert_int_equal(verify(e, T0, theirs), GRANTD_EINVAL);
    assert_int_equal(grantd_keyring_verify_jws(kr2, e->a, T0, theirs, &payload, &typ), GRANTD_OK);
    grantd_keyring_free(kr2);
    fake_free(fs2);

    /* a retired kid: rotated, then past its retire_at */
    const char *next = NULL;
    assert_int_equal(grantd_keys_rotate(&e->fs->base, &e->cfg, GRANTD_DEFAULT_TENANT, "RS256",
                                        T0 + 10, 100, e->a, &next, err, sizeof(err)),
                     GRANTD_OK);
    assert_int_equal(verify(e, T0 + 109, rs), GRANTD_OK);
    assert_int_equal(verify(e, T0 + 110, rs), GRANTD_EINVAL);
    assert_int_equal(verify(e, T0 + 110, es), GRANTD_OK);
}

static void test_sign_jws_refuses(void **state)
{
    struct env *e = *state;
    open_ok(e, T0);
    const char *out = "x";
    assert_int_equal(grantd_keyring_sign_jws(e->kr, e->a, T0, "HS256", NULL, PAYLOAD, &out),
                     GRANTD_EINVAL);
    assert_null(out);
    assert_int_equal(grantd_keyring_sign_jws(e->kr, e->a, T0, "none", NULL, PAYLOAD, &out),
                     GRANTD_EINVAL);
    assert_int_equal(grantd_keyring_sign_jws(e->kr, e->a, T0, NULL, NULL, PAYLOAD, &out),
                     GRANTD_EINVAL);
    const char *bad[] = {"", "{", "[1]", "\"s\"", "{\"a\":\"\xff\"}", "{\"a\":1,\"a\":2}",
                         "{} x"};
    for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++)
        assert_int_equal(grantd_keyring_sign_jws(e->kr, e->a, T0, "RS256", NULL, bad[i], &out),
                         GRANTD_EINVAL);
    assert_int_equal(grantd_keyring_sign_jws(e->kr, e->a, T0, "RS256", "\xff", PAYLOAD, &out),
                     GRANTD_EINVAL);
    /* nothing was generated for refused calls with an unknown alg or a bad payload */
    assert_int_equal(keys_of_alg(e, "RS256"), 0);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_setup_teardown(test_first_key, setup, teardown),
        cmocka_unit_test_setup_teardown(test_token_claims, setup, teardown),
        cmocka_unit_test_setup_teardown(test_rs256, setup, teardown),
        cmocka_unit_test_setup_teardown(test_verify_es256, setup, teardown),
        cmocka_unit_test_setup_teardown(test_lazy, setup, teardown),
        cmocka_unit_test_setup_teardown(test_verify_rs256, setup, teardown),
        cmocka_unit_test_setup_teardown(test_verify_after_rotation, setup, teardown),
        cmocka_unit_test_setup_teardown(test_rotation_publishes_ahead_by_default, setup,
                                        teardown),
        cmocka_unit_test_setup_teardown(test_rotation_timeline, setup, teardown),
        cmocka_unit_test_setup_teardown(test_store_failure, setup, teardown),
        cmocka_unit_test_setup_teardown(test_wrong_master_key, setup, teardown),
        cmocka_unit_test_setup_teardown(test_store_down_at_open, setup, teardown),
        cmocka_unit_test_setup_teardown(test_kid_mismatch, setup, teardown),
        cmocka_unit_test_setup_teardown(test_same_second_rotations, setup, teardown),
        cmocka_unit_test_setup_teardown(test_first_key_race, setup, teardown),
        cmocka_unit_test_setup_teardown(test_concurrent_reload, setup, teardown),
        cmocka_unit_test_setup_teardown(test_rs256_beside_es256, setup, teardown),
        cmocka_unit_test_setup_teardown(test_rotation_per_alg, setup, teardown),
        cmocka_unit_test_setup_teardown(test_keys_alg_changed, setup, teardown),
        cmocka_unit_test_setup_teardown(test_rs256_first_use_race, setup, teardown),
        cmocka_unit_test_setup_teardown(test_rs256_first_use_other_process, setup, teardown),
        cmocka_unit_test_setup_teardown(test_verify_jws, setup, teardown),
        cmocka_unit_test_setup_teardown(test_sign_jws_refuses, setup, teardown),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
