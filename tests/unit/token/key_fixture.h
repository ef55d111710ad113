/* Shared by the token unit tests: a store that implements only the three key operations
 * (key_put, key_list, key_rotate, in memory, following store.h's contract), a configuration
 * with a fixed master key, and independent JWS verification with OpenSSL from the published
 * JWK alone. */
#ifndef GRANTD_TEST_KEY_FIXTURE_H
#define GRANTD_TEST_KEY_FIXTURE_H

#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <pthread.h>

#include <cmocka.h>
#include <jansson.h>
#include <openssl/core_names.h>
#include <openssl/ec.h>
#include <openssl/evp.h>
#include <openssl/param_build.h>
#include <openssl/rsa.h>

#include "core/config.h"
#include "core/crypto.h"
#include "store/store.h"

#define FIXTURE static __attribute__((unused))
#define FAKE_MAX_KEYS 16
/* base64 of the 32 bytes "0123456789abcdef0123456789abcdef" and of a different key */
#define MASTER_A "MDEyMzQ1Njc4OWFiY2RlZjAxMjM0NTY3ODlhYmNkZWY="
#define MASTER_B "ZmVkY2JhOTg3NjU0MzIxMGZlZGNiYTk4NzY1NDMyMTA="

struct fake_store {
    struct grantd_store base;
    struct grantd_key keys[FAKE_MAX_KEYS];
    size_t n;
    int fail;          /* every operation answers GRANTD_EBUSY */
    int lists;         /* key_list calls so far */
    int reverse;       /* key_list answers newest first (the contract only says oldest
                          first by created_at, so same-second keys may come in any order) */
    pthread_mutex_t mu; /* the real drivers are thread-safe; so is this one */
};

FIXTURE grantd_rc fake_key_put_locked(struct grantd_store *s, const struct grantd_key *k)
{
    struct fake_store *f = (struct fake_store *)s;
    if (f->fail)
        return GRANTD_EBUSY;
    for (size_t i = 0; i < f->n; i++)
        if (f->keys[i].tenant == k->tenant &&
            (strcmp(f->keys[i].kid, k->kid) == 0 ||
             (!k->retire_at && !f->keys[i].retire_at && strcmp(f->keys[i].alg, k->alg) == 0)))
            return GRANTD_EEXIST; /* a taken kid, or a second current key of the alg */
    if (f->n == FAKE_MAX_KEYS)
        return GRANTD_ESTORE;
    struct grantd_key *d = &f->keys[f->n++];
    *d = *k;
    d->kid = strdup(k->kid);
    d->alg = strdup(k->alg);
    d->public_jwk = strdup(k->public_jwk);
    unsigned char *blob = malloc(k->private_sealed_len);
    memcpy(blob, k->private_sealed, k->private_sealed_len);
    d->private_sealed = blob;
    return GRANTD_OK;
}

FIXTURE grantd_rc fake_key_put(struct grantd_store *s, const struct grantd_key *k)
{
    struct fake_store *f = (struct fake_store *)s;
    pthread_mutex_lock(&f->mu);
    grantd_rc rc = fake_key_put_locked(s, k);
    pthread_mutex_unlock(&f->mu);
    return rc;
}

FIXTURE grantd_rc fake_key_list_locked(struct grantd_store *s, struct grantd_arena *a,
                                      int64_t tenant, struct grantd_key **out, size_t *count)
{
    struct fake_store *f = (struct fake_store *)s;
    f->lists++;
    if (f->fail)
        return GRANTD_EBUSY;
    struct grantd_key *list = grantd_arena_alloc(a, (f->n + 1) * sizeof(*list));
    size_t n = 0;
    for (size_t i = 0; i < f->n; i++) {
        if (f->keys[f->reverse ? f->n - 1 - i : i].tenant != tenant)
            continue;
        list[n] = f->keys[f->reverse ? f->n - 1 - i : i];
        list[n].kid = grantd_arena_strdup(a, list[n].kid);
        list[n].alg = grantd_arena_strdup(a, list[n].alg);
        list[n].public_jwk = grantd_arena_strdup(a, list[n].public_jwk);
        unsigned char *blob = grantd_arena_alloc(a, list[n].private_sealed_len);
        memcpy(blob, list[n].private_sealed, list[n].private_sealed_len);
        list[n].private_sealed = blob;
        n++;
    }
    *out = list;
    *count = n;
    return GRANTD_OK;
}

FIXTURE grantd_rc fake_key_list(struct grantd_store *s, struct grantd_arena *a, int64_t tenant,
                               struct grantd_key **out, size_t *count)
{
    struct fake_store *f = (struct fake_store *)s;
    pthread_mutex_lock(&f->mu);
    grantd_rc rc = fake_key_list_locked(s, a, tenant, out, count);
    pthread_mutex_unlock(&f->mu);
    return rc;
}

/* Under the lock, so atomic like the real drivers' transaction: the current keys of next's
 * alg retire and next goes in, or (a failure) nothing changes. */
FIXTURE grantd_rc fake_key_rotate(struct grantd_store *s, int64_t tenant,
                                  const struct grantd_key *next, int64_t retire_at)
{
    struct fake_store *f = (struct fake_store *)s;
    size_t retired[FAKE_MAX_KEYS], nr = 0;
    pthread_mutex_lock(&f->mu);
    for (size_t i = 0; i < f->n && !f->fail; i++)
        if (f->keys[i].tenant == tenant && f->keys[i].retire_at == 0 &&
            strcmp(f->keys[i].alg, next->alg) == 0) {
            f->keys[i].retire_at = retire_at;
            retired[nr++] = i;
        }
    grantd_rc rc = fake_key_put_locked(s, next);
    while (rc != GRANTD_OK && nr)
        f->keys[retired[--nr]].retire_at = 0;
    pthread_mutex_unlock(&f->mu);
    return rc;
}

static const struct grantd_store_driver fake_driver = {
    .version = GRANTD_STORE_API_VERSION,
    .scheme = "fake",
    .key_put = fake_key_put,
    .key_list = fake_key_list,
    .key_rotate = fake_key_rotate,
};

FIXTURE struct fake_store *fake_new(void)
{
    struct fake_store *f = calloc(1, sizeof(*f));
    f->base.driver = &fake_driver;
    pthread_mutex_init(&f->mu, NULL);
    return f;
}

FIXTURE void fake_free(struct fake_store *f)
{
    for (size_t i = 0; i < f->n; i++) {
        free((char *)f->keys[i].kid);
        free((char *)f->keys[i].alg);
        free((char *)f->keys[i].public_jwk);
        free((unsigned char *)f->keys[i].private_sealed);
    }
    pthread_mutex_destroy(&f->mu);
    free(f);
}

/* Defaults with master key MASTER_A (or master), reload every 5 s, alg as given. */
FIXTURE void test_config(struct grantd_config *cfg, const char *master, const char *alg)
{
    grantd_config_defaults(cfg);
    grantd_config_set(&cfg->keys.master_key, master ? master : MASTER_A);
    if (alg)
        grantd_config_set(&cfg->keys.alg, alg);
    cfg->keys.reload = 5;
    cfg->keys.publish_ahead = 0; /* a rotated key signs at once unless a test says otherwise */
}

/* base64url → bytes (malloc'd). */
FIXTURE unsigned char *b64url(const char *s, size_t len, size_t *n)
{
    unsigned char *out = malloc(len * 3 / 4 + 4);
    assert_int_equal(grantd_b64_decode(s, len, 0, out, n), GRANTD_OK);
    return out;
}

FIXTURE unsigned char *jwk_member(json_t *jwk, const char *name, size_t *n)
{
    const char *v = json_string_value(json_object_get(jwk, name));
    assert_non_null(v);
    return b64url(v, strlen(v), n);
}

/* The public key of a JWK (EC P-256 or RSA), built from its members with OSSL_PARAM_BLD. */
FIXTURE EVP_PKEY *jwk_public_key(json_t *jwk)
{
    EVP_PKEY *pkey = NULL;
    OSSL_PARAM_BLD *bld = OSSL_PARAM_BLD_new();
    const char *kty = json_string_value(json_object_get(jwk, "kty"));
    size_t an, bn;
    unsigned char *a = jwk_member(jwk, strcmp(kty, "EC") == 0 ? "x" : "n", &an);
    unsigned char *b = jwk_member(jwk, strcmp(kty, "EC") == 0 ? "y" : "e", &bn);
    BIGNUM *n = NULL, *e = NULL;
    unsigned char point[65];
    if (strcmp(kty, "EC") == 0) {
        assert_int_equal(an, 32);
        assert_int_equal(bn, 32);
        point[0] = 4;
        memcpy(point + 1, a, 32);
        memcpy(point + 33, b, 32);
        OSSL_PARAM_BLD_push_utf8_string(bld, OSSL_PKEY_PARAM_GROUP_NAME, "prime256v1", 0);
        OSSL_PARAM_BLD_push_octet_string(bld, OSSL_PKEY_PARAM_PUB_KEY, point, sizeof(point));
    } else {
        n = BN_bin2bn(a, (int)an, NULL);
        e = BN_bin2bn(b, (int)bn, NULL);
        OSSL_PARAM_BLD_push_BN(bld, OSSL_PKEY_PARAM_RSA_N, n);
        OSSL_PARAM_BLD_push_BN(bld, OSSL_PKEY_PARAM_RSA_E, e);
    }
    OSSL_PARAM *params = OSSL_PARAM_BLD_to_param(bld);
    EVP_PKEY_CTX *ctx = EVP_PKEY_CTX_new_from_name(NULL, kty, NULL);
    assert_int_equal(EVP_PKEY_fromdata_init(ctx), 1);
    assert_int_equal(EVP_PKEY_fromdata(ctx, &pkey, EVP_PKEY_PUBLIC_KEY, params), 1);
    EVP_PKEY_CTX_free(ctx);
    OSSL_PARAM_free(params);
    OSSL_PARAM_BLD_free(bld);
    BN_free(n);
    BN_free(e);
    free(a);
    free(b);
    return pkey;
}

/* 1 when sig (JWS form: R||S for EC) verifies over msg with SHA-256 under pkey. */
FIXTURE int jws_verify(EVP_PKEY *pkey, const char *msg, size_t msg_len, const unsigned char *sig,
                      size_t sig_len)
{
    unsigned char der[1100];
    const unsigned char *s = sig;
    size_t der_len = sig_len;
    if (EVP_PKEY_is_a(pkey, "EC")) {
        if (sig_len != 64)
            return 0;
        ECDSA_SIG *es = ECDSA_SIG_new();
        ECDSA_SIG_set0(es, BN_bin2bn(sig, 32, NULL), BN_bin2bn(sig + 32, 32, NULL));
        unsigned char *p = der;
        der_len = (size_t)i2d_ECDSA_SIG(es, &p);
        ECDSA_SIG_free(es);
        s = der;
    }
    EVP_MD_CTX *md = EVP_MD_CTX_new();
    int ok = EVP_DigestVerifyInit(md, NULL, EVP_sha256(), NULL, pkey) == 1 &&
             EVP_DigestVerify(md, s, der_len, (const unsigned char *)msg, msg_len) == 1;
    EVP_MD_CTX_free(md);
    return ok;
}

/* The RFC 7638 thumbprint of a JWK, computed here from the parsed members. */
FIXTURE void thumbprint(json_t *jwk, char out[44])
{
    json_t *req;
    if (strcmp(json_string_value(json_object_get(jwk, "kty")), "EC") == 0)
        req = json_pack("{s:O,s:O,s:O,s:O}", "crv", json_object_get(jwk, "crv"), "kty",
                        json_object_get(jwk, "kty"), "x", json_object_get(jwk, "x"), "y",
                        json_object_get(jwk, "y"));
    else
        req = json_pack("{s:O,s:O,s:O}", "e", json_object_get(jwk, "e"), "kty",
                        json_object_get(jwk, "kty"), "n", json_object_get(jwk, "n"));
    char *text = json_dumps(req, JSON_COMPACT | JSON_SORT_KEYS);
    unsigned char d[32];
    grantd_sha256(text, strlen(text), d);
    grantd_b64url_encode(d, 32, out);
    free(text);
    json_decref(req);
}

/* Verifies a compact JWS against the JWK with the same kid in jwks (JSON text). Returns
 * the claims (caller decrefs) and, in header_out, the decoded header. */
FIXTURE json_t *jwt_check(const char *jwt, const char *jwks_text, json_t **header_out)
{
    const char *d1 = strchr(jwt, '.');
    assert_non_null(d1);
    const char *d2 = strchr(d1 + 1, '.');
    assert_non_null(d2);
    assert_null(strchr(d2 + 1, '.'));
    size_t hn, cn, sn;
    unsigned char *h = b64url(jwt, (size_t)(d1 - jwt), &hn);
    unsigned char *c = b64url(d1 + 1, (size_t)(d2 - d1 - 1), &cn);
    unsigned char *s = b64url(d2 + 1, strlen(d2 + 1), &sn);
    json_t *header = json_loadb((const char *)h, hn, JSON_REJECT_DUPLICATES, NULL);
    json_t *claims = json_loadb((const char *)c, cn, JSON_REJECT_DUPLICATES, NULL);
    json_t *jwks = json_loads(jwks_text, 0, NULL);
    assert_non_null(header);
    assert_non_null(claims);
    assert_non_null(jwks);
    const char *kid = json_string_value(json_object_get(header, "kid"));
    json_t *jwk = NULL, *k;
    size_t i;
    json_array_foreach(json_object_get(jwks, "keys"), i, k)
        if (strcmp(json_string_value(json_object_get(k, "kid")), kid) == 0)
            jwk = k;
    assert_non_null(jwk);
    /* the algorithm comes from the key, never from the token */
    assert_string_equal(json_string_value(json_object_get(header, "alg")),
                        json_string_value(json_object_get(jwk, "alg")));
    EVP_PKEY *pkey = jwk_public_key(jwk);
    assert_true(jws_verify(pkey, jwt, (size_t)(d2 - jwt), s, sn));
    EVP_PKEY_free(pkey);
    json_decref(jwks);
    free(h);
    free(c);
    free(s);
    *header_out = header;
    return claims;
}

#endif
