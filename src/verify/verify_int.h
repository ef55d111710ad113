/* libgrantd-verify internals shared by the files of src/verify/: the parsed JWS, the key set, the
 * HTTP client and the introspection cache. Nothing here is public (include/grantd/verify.h
 * is); the fuzz target and the unit test use the parsers directly. */
#ifndef GRANTD_VERIFY_INT_H
#define GRANTD_VERIFY_INT_H

#include <pthread.h>
#include <stddef.h>
#include <stdint.h>

#include <jansson.h>
#include <openssl/evp.h>

#include "core/error.h"
#include "grantd/verify.h"

#define GRANTD_VERIFY_TOKEN_MAX 8192      /* longest token accepted */
#define GRANTD_VERIFY_DOC_MAX (256 * 1024) /* longest JWKS / discovery / introspection body */
#define GRANTD_VERIFY_KEYS_MAX 64         /* keys kept from one JWKS */
#define GRANTD_VERIFY_KID_MAX 128

enum grantd_verify_alg { GRANTD_VERIFY_ES256 = 1, GRANTD_VERIFY_RS256 = 2 };

/* A compact JWS split and decoded; claims is owned (json_decref via _jws_clear). */
struct grantd_verify_jws {
    char typ[32];
    char alg[16];
    char kid[GRANTD_VERIFY_KID_MAX + 1];
    json_t *claims;
    const char *signing_input;  /* borrowed: the token itself */
    size_t signing_input_len;
    unsigned char sig[1024 + 3]; /* RS256 up to 8192-bit moduli */
    size_t sig_len;
};

/* Splits token (NUL-terminated, at most GRANTD_VERIFY_TOKEN_MAX) into header members,
 * claims and signature. GRANTD_EINVAL for anything that is not a three-part JWS with a JSON
 * object header and claims. No signature is checked here. */
GRANTD_MUST_USE grantd_rc grantd_verify_jws_parse(const char *token,
                                                  struct grantd_verify_jws *out);
void grantd_verify_jws_clear(struct grantd_verify_jws *j);
/* The header's kid of a JWS (only the header is decoded) into kid (cap bytes); 1 when it
 * has one that fits, else 0. */
int grantd_verify_jws_kid(const char *token, char *kid, size_t cap);
/* 1 when the signature over the signing input is valid under ctx (a key's verify template
 * duplicated for this call, see struct grantd_verify_key) with alg, else 0. */
int grantd_verify_jws_signature(const struct grantd_verify_jws *j, EVP_PKEY_CTX *ctx,
                                enum grantd_verify_alg alg);

/* A key and a context set up once to verify with it (RS256: PKCS#1 v1.5 over SHA-256):
 * a verification duplicates the template instead of running a verify init (no algorithm
 * fetch, no locking); the template is never modified, so threads may duplicate it at once. */
struct grantd_verify_key {
    char kid[GRANTD_VERIFY_KID_MAX + 1];
    enum grantd_verify_alg alg;
    EVP_PKEY *pkey;
    EVP_PKEY_CTX *verify_tpl;
};
struct grantd_verify_keyset {
    size_t n;
    struct grantd_verify_key keys[GRANTD_VERIFY_KEYS_MAX];
};

/* Parses a JWKS document (RFC 7517) into a new key set: EC P-256 and RSA (≥ 2048 bits)
 * signature keys with a kid, built with EVP_PKEY_fromdata; other keys are skipped.
 * GRANTD_EINVAL when the document is not a JWKS or holds no usable key. */
GRANTD_MUST_USE grantd_rc grantd_verify_jwks_parse(const char *json, size_t len,
                                                   struct grantd_verify_keyset **out);
void grantd_verify_keyset_free(struct grantd_verify_keyset *ks);
const struct grantd_verify_key *grantd_verify_keyset_find(const struct grantd_verify_keyset *ks,
                                                          const char *kid);

/* HTTP through libcurl. GET url, or POST form with Basic credentials (user/pass non-NULL).
 * *body is malloc'd (NUL-terminated) on a 200 answer; GRANTD_EIO otherwise. */
GRANTD_MUST_USE grantd_rc grantd_verify_http(const char *url, const char *form,
                                             const char *user, const char *pass,
                                             long timeout_ms, char **body);

/* What lets another thread end a request at once (the feed follower's long-poll, when the
 * verifier is freed): grantd_verify_cancel_now shuts the request's socket down. */
struct grantd_verify_cancel {
    pthread_mutex_t mu;
    int cancelled; /* once set, every later request through it fails at once */
    int fd;        /* the open socket, -1 when none */
};
void grantd_verify_cancel_init(struct grantd_verify_cancel *c);
void grantd_verify_cancel_destroy(struct grantd_verify_cancel *c);
void grantd_verify_cancel_now(struct grantd_verify_cancel *c);

/* GET url with one extra header line ("Name: value", or NULL): GRANTD_OK when an answer
 * came, whatever its status (*status); *body is malloc'd (NUL-terminated) or NULL. cancel
 * (may be NULL) ends the request at once with GRANTD_EIO. */
GRANTD_MUST_USE grantd_rc grantd_verify_http_get(const char *url, const char *header,
                                                 long timeout_ms,
                                                 struct grantd_verify_cancel *cancel,
                                                 long *status, char **body);

/* The revocation feed's follower and the set of what died (revoked.c). */
struct grantd_verify_revoked;
struct grantd_verifier;
/* Starts following url (GET /v1/revocations on grantd's admin listener) with long-polls
 * of poll_ms, rounded up to whole seconds (0: the default, 20 s); NULL when the thread
 * cannot start. */
struct grantd_verify_revoked *grantd_verify_revoked_start(struct grantd_verifier *v,
                                                          const char *url, long poll_ms);
void grantd_verify_revoked_stop(struct grantd_verify_revoked *r);
/* 1 when the token (its text) with the verdict's result r (claims_json) is revoked. */
int grantd_verify_revoked_match(struct grantd_verify_revoked *r, const char *token,
                                const struct grantd_verify_result *res);

/* The bounded introspection cache: direct-mapped on the SHA-256 of the token. */
struct grantd_verify_icache;
struct grantd_verify_icache *grantd_verify_icache_new(unsigned size);
void grantd_verify_icache_free(struct grantd_verify_icache *c);
/* 1 and *answer (malloc'd JSON text, caller frees) when a live entry exists, else 0. */
int grantd_verify_icache_get(struct grantd_verify_icache *c, const char *token, int64_t now,
                             char **answer);
/* Empties the cache (the revocation feed lost events: nothing cached can be trusted). */
void grantd_verify_icache_clear(struct grantd_verify_icache *c);
void grantd_verify_icache_put(struct grantd_verify_icache *c, const char *token,
                              const char *answer, int64_t until);

/* The cache of verified JWTs (vcache.c): direct-mapped, the whole token compared. */
struct grantd_verify_vcache;
struct grantd_verify_vcache *grantd_verify_vcache_new(unsigned size);
void grantd_verify_vcache_free(struct grantd_verify_vcache *c);
/* 1 when token was verified before and is within exp/nbf (with skew) at now: out's subject,
 * client_id, scope and claims_json are then set (malloc'd). 0 otherwise, out untouched. */
int grantd_verify_vcache_get(struct grantd_verify_vcache *c, const char *token, int64_t now,
                             int64_t skew, struct grantd_verify_result *out);
/* Remembers a verified token with r's members (copied), until exp, not before nbf. */
/* Empties the cache (the revocation feed lost events: nothing cached can be trusted). */
void grantd_verify_vcache_clear(struct grantd_verify_vcache *c);
void grantd_verify_vcache_put(struct grantd_verify_vcache *c, const char *token, int64_t exp,
                              int64_t nbf, const struct grantd_verify_result *r);

#endif
