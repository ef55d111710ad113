/* Private to src/token: one signing key in memory (a "JWK"), JWS signing with it, and the
 * master key that seals keys at rest.
 *
 * jwt_key.c makes and loads keys (OpenSSL EVP: EC P-256 for ES256, RSA for RS256), derives
 * the kid (RFC 7638 thumbprint) and the public JWK text, and signs; jwt.c builds RFC 9068
 * access tokens from claims; jwt_master.c finds or creates the master key. keys.c owns the
 * keyring (unsealing, reload, signing access tokens); keys_rotate.c makes, seals and stores
 * new keys and rotates them; keys_jws.c signs and reads other JWS (ID tokens) with the
 * keyring's keys. A loaded grantd_jwk is immutable, so any number of
 * threads may sign with it at once. */
#ifndef GRANTD_TOKEN_JWT_INT_H
#define GRANTD_TOKEN_JWT_INT_H

#include <stddef.h>

#include <openssl/evp.h>

#include "core/config.h"
#include "core/error.h"
#include "core/mem.h"
#include "core/seal.h"
#include "token/keys.h"

enum grantd_jwk_alg { GRANTD_JWK_ES256 = 1, GRANTD_JWK_RS256 = 2 };

#define GRANTD_KID_LEN 43          /* base64url of a SHA-256 thumbprint */
#define GRANTD_JWK_SIG_MAX 1024    /* RS256 with up to 8192-bit moduli */
#define GRANTD_RSA_BITS 2048       /* new RS256 keys */

struct grantd_jwk {
    enum grantd_jwk_alg alg;
    EVP_PKEY *pkey;            /* the private key */
    EVP_PKEY_CTX *sign_tpl;    /* initialised for signing; duplicated per signature */
    EVP_PKEY_CTX *verify_tpl;  /* the same for verifying */
    char kid[GRANTD_KID_LEN + 1];
    char *public_jwk;          /* {"kty":...,"kid":...,"alg":...,"use":"sig"} */
    char *header_b64;          /* base64url of {"typ":"at+jwt","alg":...,"kid":...} */
    size_t header_b64_len;
};

/* GRANTD_JWK_ES256 for "ES256", GRANTD_JWK_RS256 for "RS256", 0 otherwise. */
int grantd_jwk_alg_parse(const char *name);
const char *grantd_jwk_alg_name(enum grantd_jwk_alg alg);
/* The base64url JWS header of a key's access tokens, {"typ":"at+jwt","alg":ALG,"kid":KID}
 * (malloc'd, the caller frees); *len gets its length. */
char *grantd_jwt_header_b64(const char *alg, const char *kid, size_t *len);

/* A fresh key pair (P-256, or RSA GRANTD_RSA_BITS). *out is freed with grantd_jwk_free.
 * GRANTD_ECRYPTO when OpenSSL fails. */
GRANTD_MUST_USE grantd_rc grantd_jwk_generate(enum grantd_jwk_alg alg, struct grantd_jwk **out);
/* Loads a private key from DER (PKCS#8, or SEC1/PKCS#1) and checks that it fits alg (a P-256
 * key for ES256, an RSA key of 2048 to 8192 bits for RS256). GRANTD_EINVAL when it does not,
 * GRANTD_ECRYPTO when the bytes are no key. */
GRANTD_MUST_USE grantd_rc grantd_jwk_from_der(enum grantd_jwk_alg alg, const unsigned char *der,
                                              size_t n, struct grantd_jwk **out);
/* The private key as PKCS#8 DER; *der is malloc'd and holds a secret: the caller wipes
 * (OPENSSL_cleanse) and frees it. */
GRANTD_MUST_USE grantd_rc grantd_jwk_private_der(const struct grantd_jwk *k, unsigned char **der,
                                                 size_t *n);
void grantd_jwk_free(struct grantd_jwk *k);

/* The JWS signature of msg (SHA-256 then ECDSA or RSASSA-PKCS1-v1_5): ES256 gives the 64-byte
 * R || S form of RFC 7518 §3.4, not DER. sig holds GRANTD_JWK_SIG_MAX bytes. Thread-safe. */
GRANTD_MUST_USE grantd_rc grantd_jwk_sign(const struct grantd_jwk *k, const void *msg, size_t n,
                                          unsigned char *sig, size_t *sig_len);

/* 1 when sig (sig_len bytes, in the form grantd_jwk_sign makes) is k's signature of msg.
 * Thread-safe. */
int grantd_jwk_verify(const struct grantd_jwk *k, const void *msg, size_t n,
                      const unsigned char *sig, size_t sig_len);

/* The compact JWS of an RFC 9068 access token with claims c, signed by k, in the arena.
 * GRANTD_EINVAL when a required claim (iss, sub, client_id, jti) is missing or a string is
 * not valid UTF-8. */
GRANTD_MUST_USE grantd_rc grantd_jwt_sign(const struct grantd_jwk *k, struct grantd_arena *a,
                                          const struct grantd_jwt_claims *c, const char **out);

/* The claims of jws when it is a compact JWS that k signed (its header is exactly the header
 * k signs with, its signature checks out), strings in the arena. GRANTD_EINVAL for anything
 * else: another key's token, a forged or altered one, claims that are not an RFC 9068 access
 * token's (an nbf that is not a number included; nbf read into out->nbf, 0 when absent).
 * Times are not checked here (grantd_keyring_verify does). Thread-safe; costs one signature
 * check (ES256 about 50 µs, RS256 about 20 µs). */
GRANTD_MUST_USE grantd_rc grantd_jwt_verify(const struct grantd_jwk *k, struct grantd_arena *a,
                                            const char *jws, struct grantd_jwt_claims *out);

/* The master key that seals signing keys (jwt_master.c): keys.master_key, else the file
 * keys.master_key_file (which must exist: GRANTD_ECONFIG when missing), else
 * "<sqlite path>.key" (created 0600 when missing), else for an in-memory database a
 * per-process random key. With warn, one of the last two logs a warning, once per process
 * (the server's keyrings warn; the CLI's rotation does not: a command's output is its own
 * lines). where gets a short description of the source for messages ("master key file
 * /var/lib/grantd/grantd.db.key"), err a one-line reason on failure (GRANTD_ECONFIG,
 * GRANTD_EIO, GRANTD_ECRYPTO). */
GRANTD_MUST_USE grantd_rc grantd_master_key_load(const struct grantd_config *cfg, int warn,
                                                 unsigned char key[GRANTD_SEAL_KEY_LEN],
                                                 char *where, size_t wherelen, char *err,
                                                 size_t errlen);

/* Room for the master key's origin as messages name it (keys.c, keys_rotate.c). */
#define GRANTD_MASTER_WHERE_MAX 4352

/* 1 when k is published at now: current, or retiring but not yet past retire_at. */
static inline int grantd_key_published(const struct grantd_key *k, int64_t now)
{
    return k->retire_at == 0 || k->retire_at > now;
}

/* keys_rotate.c: generates a key of alg, seals its private part under master with aad = kid
 * and stores it as the tenant's current key (created_at = now, retire_at = 0): with
 * retire_old 0 as its first key (key_put: GRANTD_EEXIST when another process stored one
 * meanwhile), else in one rotation that retires every current key of alg at retire_old
 * (key_rotate); with audit (may be NULL) its entry in the same transaction. *kid_out
 * (arena; may be NULL) gets its kid. */
GRANTD_MUST_USE grantd_rc grantd_keys__create(struct grantd_store *s, const unsigned char *master,
                                              int64_t tenant, enum grantd_jwk_alg alg,
                                              int64_t now, int64_t active_from,
                                              int64_t retire_old,
                                              const struct grantd_audit *audit,
                                              struct grantd_arena *a, const char **kid_out);

/* For keys_jws.c, from the keyring (keys.c): the key of alg that signs at now, made and
 * stored first when the tenant has none (grantd_keyring_sign_jws's contract); the key with
 * this kid published at now (GRANTD_ENOTFOUND when none; GRANTD_ESTORE when the keys
 * cannot be read). Thread-safe. */
GRANTD_MUST_USE grantd_rc grantd_keyring__signer(struct grantd_keyring *kr, int64_t now,
                                                 enum grantd_jwk_alg alg,
                                                 const struct grantd_jwk **out);
GRANTD_MUST_USE grantd_rc grantd_keyring__published(struct grantd_keyring *kr, int64_t now,
                                                    const char *kid,
                                                    const struct grantd_jwk **out);

#endif
