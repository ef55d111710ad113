/* Authenticated encryption of small secrets at rest: AES-256-GCM with a random 96-bit
 * nonce, laid out as nonce || ciphertext || tag. Used for signing keys (under the master
 * key) and for a rotated refresh token's successor during the grace window (under a key
 * derived from the old refresh token itself, so the database alone cannot open it). */
#ifndef GRANTD_CORE_SEAL_H
#define GRANTD_CORE_SEAL_H

#include <stddef.h>

#include "core/error.h"

#define GRANTD_SEAL_KEY_LEN 32
#define GRANTD_SEAL_OVERHEAD 28   /* 12-byte nonce + 16-byte tag */

/* Seals n bytes of plaintext; *out (malloc'd, caller frees) holds n + GRANTD_SEAL_OVERHEAD
 * bytes. aad (may be NULL) is authenticated, not stored. GRANTD_ECRYPTO on failure. */
GRANTD_MUST_USE grantd_rc grantd_seal(const unsigned char key[GRANTD_SEAL_KEY_LEN],
                                      const void *aad, size_t aad_len, const void *plain,
                                      size_t n, unsigned char **out, size_t *out_len);

/* Opens what grantd_seal made with the same key and aad; *out (malloc'd, NUL-terminated for
 * convenience, caller frees) gets the plaintext. GRANTD_ECRYPTO when it does not
 * authenticate (wrong key, aad, or tampered bytes). */
GRANTD_MUST_USE grantd_rc grantd_unseal(const unsigned char key[GRANTD_SEAL_KEY_LEN],
                                        const void *aad, size_t aad_len,
                                        const unsigned char *sealed, size_t sealed_len,
                                        unsigned char **out, size_t *out_len);

#endif
