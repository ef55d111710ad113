/* Opaque credentials: authorization codes, access and refresh tokens, session ids, and the
 * storage keys of every credential (JWT access tokens included).
 *
 * An opaque credential is 32 bytes in base64url (43 characters): 8 ordering bytes (the
 * issuing time in microseconds, big-endian, strictly increasing within a process) and 24
 * random bytes (192 bits, beyond RFC 6749 §10.10's 128). Only its storage key is ever
 * stored, so a stolen database holds nothing a client could present.
 *
 * The storage key (32 bytes) is the credential's 8 ordering bytes followed by the first 24
 * bytes of the SHA-256 of its whole text. Why not the plain SHA-256: keys are the primary key
 * of the tokens and codes tables, and random keys put every new row on a random b-tree leaf,
 * so a transaction of n tokens wrote about n pages to the WAL (and later the database).
 * Ordered keys append to the rightmost leaf: a commit of many tokens writes a page or two.
 * A presented text still matches only if 192 bits of its SHA-256 match: choosing the
 * ordering bytes gains an attacker nothing. The ordering bytes reveal when a credential was
 * issued, as a JWT's iat does.
 *
 * A JWT access token carries its ordering bytes in its jti (grantd_opaque_jti): its key is
 * the jti's first 8 bytes and the SHA-256 of the whole JWT. Any other text (a malformed
 * token) gets 8 zero bytes, which no minted credential has.
 *
 * A self-contained JWT (a client-credentials access token, which grantd does not store:
 * src/oauth/token_issue.c) has a jti of "sc." and a minted jti. No stored token's jti can
 * start so ('.' is not base64url), which is how introspection knows to check it by its
 * signature. It is stored only if revoked, under a key made from its jti alone (ordering
 * bytes, then SHA-256 of the jti): the jti is signed, while the JWT's text is not unique to
 * it (an ECDSA signature (r, s) is as valid as (r, n - s)). */
#ifndef GRANTD_TOKEN_OPAQUE_H
#define GRANTD_TOKEN_OPAQUE_H

#include <stddef.h>
#include <stdint.h>

#include "core/crypto.h"
#include "core/error.h"

#define GRANTD_OPAQUE_BYTES 32
#define GRANTD_OPAQUE_CHARS 43  /* base64url of 32 bytes, no padding */
#define GRANTD_JTI_BYTES 16     /* 8 ordering + 8 random */
#define GRANTD_JTI_CHARS 22
#define GRANTD_JTI_SELF_PREFIX "sc."
#define GRANTD_JTI_SELF_CHARS (3 + GRANTD_JTI_CHARS)

/* A fresh credential into text (GRANTD_OPAQUE_CHARS + 1 bytes) and its storage key. */
GRANTD_MUST_USE grantd_rc grantd_opaque_mint(char text[GRANTD_OPAQUE_CHARS + 1],
                                             unsigned char key[GRANTD_SHA256_LEN]);

/* A fresh jti for a JWT access token (GRANTD_JTI_CHARS + 1 bytes): ordering bytes first. */
GRANTD_MUST_USE grantd_rc grantd_opaque_jti(char out[GRANTD_JTI_CHARS + 1]);

/* A fresh jti for a self-contained JWT (GRANTD_JTI_SELF_CHARS + 1 bytes). */
GRANTD_MUST_USE grantd_rc grantd_opaque_jti_self(char out[GRANTD_JTI_SELF_CHARS + 1]);

/* The issuing time (unix microseconds) of a self-contained token's jti; 0 when jti is not
 * one that grantd_opaque_jti_self made. */
int64_t grantd_opaque_jti_self_time(const char *jti);

/* The storage key of a self-contained token (of its revocation), from its jti. */
void grantd_opaque_key_jti(const char *jti, unsigned char key[GRANTD_SHA256_LEN]);

/* The storage key of a JWT we just signed with this jti (what grantd_opaque_hash gives for
 * it, without decoding the claims again). */
void grantd_opaque_key_jwt(const char *jwt, const char *jti, unsigned char key[GRANTD_SHA256_LEN]);

/* The storage key of a presented credential: an opaque one, a JWT, or anything else. */
void grantd_opaque_hash(const char *text, unsigned char key[GRANTD_SHA256_LEN]);

/* grantd_opaque_hash's key with its ordering bytes zeroed: the same digest of the text,
 * without decoding a JWT's claims for its jti. For lookups that compare the whole text too
 * (the self-contained verdict cache, oauth/token_cache.h), never for the store. */
void grantd_opaque_hash_unordered(const char *text, unsigned char key[GRANTD_SHA256_LEN]);

#endif
