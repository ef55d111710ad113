/* Unit tests of token/jwt_key.c, token/jwt.c and token/jwt_master.c: key generation and
 * DER round trips, refusal of a key that does not fit its alg, ES256 signatures in R||S
 * form that OpenSSL verifies, claim escaping and refusal of bad UTF-8, the master key's
 * sources (config, file created 0600, racing creators, in-memory). What signing costs is
 * measured by bench/jwt_sign.c (grantd-bench-jwt), not here. */
#include "key_fixture.h"

#include <fcntl.h>
#include <stdio.h>
#include <sys/stat.h>
#include <unistd.h>

#include <openssl/crypto.h>

#include "token/jwt_int.h"

static void test_generate_and_der(void **state)
{
    for (int alg = GRANTD_JWK_ES256; alg <= GRANTD_JWK_RS256; alg++) {
        struct grantd_jwk *k = NULL, *back = NULL, *wrong = NULL;
        unsigned char *der = NULL;
        size_t n = 0;
        assert_int_equal(grantd_jwk_generate((enum grantd_jwk_alg)alg, &k), GRANTD_OK);
        assert_int_equal(strlen(k->kid), GRANTD_KID_LEN);
        assert_int_equal(grantd_jwk_private_der(k, &der, &n), GRANTD_OK);
        assert_int_equal(grantd_jwk_from_der((enum grantd_jwk_alg)alg, der, n, &back), GRANTD_OK);
        assert_string_equal(back->kid, k->kid);
        assert_string_equal(back->public_jwk, k->public_jwk);
        /* an EC key is no RS256 key and the other way round */
        int other = alg == GRANTD_JWK_ES256 ? GRANTD_JWK_RS256 : GRANTD_JWK_ES256;
        assert_int_equal(grantd_jwk_from_der((enum grantd_jwk_alg)other, der, n, &wrong),
                         GRANTD_EINVAL);
        assert_null(wrong);
        /* trailing garbage and truncation */
        unsigned char *longer = malloc(n + 1);
        memcpy(longer, der, n);
        longer[n] = 0;
        assert_int_not_equal(grantd_jwk_from_der((enum grantd_jwk_alg)alg, longer, n + 1, &wrong),
                             GRANTD_OK);
        assert_int_not_equal(grantd_jwk_from_der((enum grantd_jwk_alg)alg, der, n / 2, &wrong),
                             GRANTD_OK);
        assert_null(wrong);
        free(longer);
        OPENSSL_cleanse(der, n);
        free(der);
        grantd_jwk_free(back);
        grantd_jwk_free(k);
    }
}

/* A P-256 key that is not P-256: secp384r1 is refused for ES256. */
static void test_wrong_curve(void **state)
{
    EVP_PKEY *p384 = EVP_EC_gen("secp384r1");
    unsigned char *der = NULL;
    int n = i2d_PrivateKey(p384, &der);
    assert_true(n > 0);
    struct grantd_jwk *k = NULL;
    assert_int_equal(grantd_jwk_from_der(GRANTD_JWK_ES256, der, (size_t)n, &k), GRANTD_EINVAL);
    OPENSSL_free(der);
    EVP_PKEY_free(p384);
}

static char *jwks_of(const struct grantd_jwk *k)
{
    size_t n = strlen(k->public_jwk) + 16;
    char *s = malloc(n);
    snprintf(s, n, "{\"keys\":[%s]}", k->public_jwk);
    return s;
}

static void test_es256_signature_form(void **state)
{
    struct grantd_jwk *k = NULL;
    assert_int_equal(grantd_jwk_generate(GRANTD_JWK_ES256, &k), GRANTD_OK);
    unsigned char sig[GRANTD_JWK_SIG_MAX];
    size_t n = 0;
    for (int i = 0; i < 50; i++) { /* short R or S values are left-padded, never shortened */
        assert_int_equal(grantd_jwk_sign(k, "msg", 3, sig, &n), GRANTD_OK);
        assert_int_equal(n, 64);
    }
    json_t *jwk = json_loads(k->public_jwk, 0, NULL);
    EVP_PKEY *pub = jwk_public_key(jwk);
    assert_true(jws_verify(pub, "msg", 3, sig, n));
    assert_false(jws_verify(pub, "msh", 3, sig, n));
    sig[10] ^= 1;
    assert_false(jws_verify(pub, "msg", 3, sig, n));
    EVP_PKEY_free(pub);
    json_decref(jwk);
    grantd_jwk_free(k);
}

static void test_claims_escaping(void **state)
{
    struct grantd_jwk *k = NULL;
    struct grantd_arena *a = grantd_arena_new(4096);
    assert_int_equal(grantd_jwk_generate(GRANTD_JWK_ES256, &k), GRANTD_OK);
    char *jwks = jwks_of(k);
    struct grantd_jwt_claims c = {.iss = "https://as.example/t\"1", .sub = "a\\b\n\x01ü€😀",
                                  .client_id = "c", .jti = "j", .scope = "",
                                  .iat = -5, .exp = INT64_MAX};
    const char *jwt = NULL;
    assert_int_equal(grantd_jwt_sign(k, a, &c, &jwt), GRANTD_OK);
    json_t *header;
    json_t *claims = jwt_check(jwt, jwks, &header);
    assert_string_equal(json_string_value(json_object_get(claims, "iss")), c.iss);
    assert_string_equal(json_string_value(json_object_get(claims, "sub")), c.sub);
    assert_null(json_object_get(claims, "scope")); /* empty scope is left out */
    assert_int_equal(json_integer_value(json_object_get(claims, "iat")), -5);
    assert_int_equal(json_integer_value(json_object_get(claims, "exp")), INT64_MAX);
    json_decref(claims);
    json_decref(header);

    static const char *const bad[] = {"\xff", "a\xc3", "\xc0\xaf", "\xed\xa0\x80",
                                      "\xf4\x90\x80\x80", "\xe2\x82"};
    for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
        c.sub = bad[i];
        assert_int_equal(grantd_jwt_sign(k, a, &c, &jwt), GRANTD_EINVAL);
    }
    c.sub = NULL;
    assert_int_equal(grantd_jwt_sign(k, a, &c, &jwt), GRANTD_EINVAL);
    free(jwks);
    grantd_arena_free(a);
    grantd_jwk_free(k);
}

/* ---- master key ---------------------------------------------------------------------------- */

static char tmpdir[256];

static int mkdir_setup(void **state)
{
    snprintf(tmpdir, sizeof(tmpdir), "/tmp/grantd-test-jwt-XXXXXX");
    assert_non_null(mkdtemp(tmpdir));
    return 0;
}

static int mkdir_teardown(void **state)
{
    char cmd[300];
    snprintf(cmd, sizeof(cmd), "rm -rf '%s'", tmpdir);
    return system(cmd) == 0 ? 0 : -1;
}

static grantd_rc load(struct grantd_config *cfg, unsigned char key[32], char *err)
{
    char where[512];
    return grantd_master_key_load(cfg, 1, key, where, sizeof(where), err, 256);
}

static void test_master_from_config(void **state)
{
    struct grantd_config cfg;
    unsigned char key[32];
    char err[256];
    test_config(&cfg, MASTER_A, NULL);
    assert_int_equal(load(&cfg, key, err), GRANTD_OK);
    assert_memory_equal(key, "0123456789abcdef0123456789abcdef", 32);
    grantd_config_set(&cfg.keys.master_key, "c2hvcnQ=");
    assert_int_equal(load(&cfg, key, err), GRANTD_ECONFIG);
    assert_null(strstr(err, "c2hvcnQ")); /* never echoed */
    grantd_config_free(&cfg);
}

static void test_master_file_created(void **state)
{
    struct grantd_config cfg;
    unsigned char key[32], again[32];
    char err[256], db[300], path[320], text[128];
    grantd_config_defaults(&cfg);
    snprintf(db, sizeof(db), "sqlite:%s/grantd.db", tmpdir);
    snprintf(path, sizeof(path), "%s/grantd.db.key", tmpdir);
    grantd_config_set(&cfg.db_url, db);
    assert_int_equal(load(&cfg, key, err), GRANTD_OK);
    struct stat st;
    assert_int_equal(stat(path, &st), 0);
    assert_int_equal(st.st_mode & 0777, 0600);
    int fd = open(path, O_RDONLY);
    ssize_t n = read(fd, text, sizeof(text) - 1);
    close(fd);
    assert_int_equal(n, 45); /* 44 base64 characters and a newline */
    assert_int_equal(load(&cfg, again, err), GRANTD_OK);
    assert_memory_equal(key, again, 32);
    /* a file that is not a key */
    fd = open(path, O_WRONLY | O_TRUNC);
    assert_int_equal(write(fd, "hello\n", 6), 6);
    close(fd);
    assert_int_equal(load(&cfg, key, err), GRANTD_ECONFIG);
    assert_non_null(strstr(err, path));
    /* an explicit file wins over the one beside the database, and is never created: a
     * missing one is a wrong path or an unmounted volume */
    snprintf(path, sizeof(path), "%s/explicit.key", tmpdir);
    grantd_config_set(&cfg.keys.master_key_file, path);
    assert_int_equal(load(&cfg, key, err), GRANTD_ECONFIG);
    assert_non_null(strstr(err, path));
    assert_non_null(strstr(err, "does not exist"));
    assert_int_not_equal(stat(path, &st), 0);
    fd = open(path, O_WRONLY | O_CREAT | O_EXCL, 0600);
    assert_int_equal(write(fd, MASTER_A "\n", sizeof(MASTER_A)), (ssize_t)sizeof(MASTER_A));
    close(fd);
    assert_int_equal(load(&cfg, key, err), GRANTD_OK);
    assert_memory_equal(key, "0123456789abcdef0123456789abcdef", 32);
    grantd_config_free(&cfg);
}

struct racer {
    struct grantd_config *cfg;
    unsigned char key[32];
    grantd_rc rc;
};

static void *race(void *arg)
{
    struct racer *r = arg;
    char err[256];
    r->rc = load(r->cfg, r->key, err);
    return NULL;
}

/* Racing creators of the key file beside the database all end up with one key. */
static void test_master_file_race(void **state)
{
    struct grantd_config cfg;
    char db[320];
    grantd_config_defaults(&cfg);
    snprintf(db, sizeof(db), "sqlite:%s/race.db", tmpdir);
    grantd_config_set(&cfg.db_url, db);
    pthread_t th[8];
    struct racer r[8];
    for (int i = 0; i < 8; i++) {
        r[i].cfg = &cfg;
        pthread_create(&th[i], NULL, race, &r[i]);
    }
    for (int i = 0; i < 8; i++)
        pthread_join(th[i], NULL);
    for (int i = 0; i < 8; i++) {
        assert_int_equal(r[i].rc, GRANTD_OK);
        assert_memory_equal(r[i].key, r[0].key, 32);
    }
    grantd_config_free(&cfg);
}

static void test_master_memory(void **state)
{
    struct grantd_config cfg;
    unsigned char a[32], b[32], zero[32] = {0};
    char err[256];
    grantd_config_defaults(&cfg);
    grantd_config_set(&cfg.db_url, "sqlite::memory:");
    assert_int_equal(load(&cfg, a, err), GRANTD_OK);
    assert_int_equal(load(&cfg, b, err), GRANTD_OK);
    assert_memory_equal(a, b, 32);
    assert_memory_not_equal(a, zero, 32);
    grantd_config_set(&cfg.db_url, "postgres://db/grantd");
    assert_int_equal(load(&cfg, a, err), GRANTD_ECONFIG);
    assert_non_null(strstr(err, "GRANTD_MASTER_KEY"));
    grantd_config_free(&cfg);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_generate_and_der),
        cmocka_unit_test(test_wrong_curve),
        cmocka_unit_test(test_es256_signature_form),
        cmocka_unit_test(test_claims_escaping),
        cmocka_unit_test(test_master_from_config),
        cmocka_unit_test_setup_teardown(test_master_file_created, mkdir_setup, mkdir_teardown),
        cmocka_unit_test_setup_teardown(test_master_file_race, mkdir_setup, mkdir_teardown),
        cmocka_unit_test(test_master_memory),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
