/* Thin wrappers over OpenSSL 3 for what grantd needs everywhere: randomness, SHA-256,
 * HMAC-SHA256, constant-time comparison, and the encodings tokens and hashes travel in. */
#ifndef GRANTD_CORE_CRYPTO_H
#define GRANTD_CORE_CRYPTO_H

#include <stddef.h>

#include "core/error.h"

#define GRANTD_SHA256_LEN 32

/* n bytes from the OS CSPRNG (RAND_bytes). GRANTD_ECRYPTO if the generator fails. */
GRANTD_MUST_USE grantd_rc grantd_random_bytes(void *out, size_t n);
void grantd_sha256(const void *msg, size_t len, unsigned char out[GRANTD_SHA256_LEN]);
void grantd_hmac_sha256(const void *key, size_t key_len, const void *msg, size_t len,
                        unsigned char out[GRANTD_SHA256_LEN]);
/* 1 when the n bytes at a and b are equal; time depends only on n. */
int grantd_ct_equal(const void *a, const void *b, size_t n);

/* base64url without padding. out must hold grantd_b64url_len(n) + 1 bytes; returns the
 * length written (NUL-terminated). */
size_t grantd_b64url_len(size_t n);
size_t grantd_b64url_encode(const void *in, size_t n, char *out);
/* Decodes base64url (no padding, '=' refused) or, with std != 0, standard base64 with
 * optional padding. out must hold len*3/4+3 bytes. GRANTD_EINVAL on any bad character or
 * impossible length. */
GRANTD_MUST_USE grantd_rc grantd_b64_decode(const char *in, size_t len, int std,
                                            unsigned char *out, size_t *out_len);
/* The value of one hex digit (either case), or -1. */
int grantd_hex_value(unsigned char c);
/* Lowercase hex; out holds 2n+1 bytes. */
void grantd_hex_encode(const void *in, size_t n, char *out);
GRANTD_MUST_USE grantd_rc grantd_hex_decode(const char *in, size_t len, unsigned char *out,
                                            size_t out_cap, size_t *out_len);

/* A fresh random token: `bytes` random bytes, base64url-encoded into out (which holds
 * grantd_b64url_len(bytes)+1). */
GRANTD_MUST_USE grantd_rc grantd_random_token(size_t bytes, char *out);

#endif
