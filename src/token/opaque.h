/* Opaque credentials: authorization codes, access and refresh tokens, session ids. Each is
 * 32 random bytes in base64url (43 characters); only its SHA-256 is ever stored, so a
 * stolen database holds nothing a client could present. */
#ifndef GRANTD_TOKEN_OPAQUE_H
#define GRANTD_TOKEN_OPAQUE_H

#include <stddef.h>

#include "core/crypto.h"
#include "core/error.h"

#define GRANTD_OPAQUE_BYTES 32
#define GRANTD_OPAQUE_CHARS 43  /* base64url of 32 bytes, no padding */

/* A fresh credential into text (GRANTD_OPAQUE_CHARS + 1 bytes) and its storage key. */
GRANTD_MUST_USE grantd_rc grantd_opaque_mint(char text[GRANTD_OPAQUE_CHARS + 1],
                                             unsigned char hash[GRANTD_SHA256_LEN]);

/* The storage key of a presented credential. */
void grantd_opaque_hash(const char *text, unsigned char hash[GRANTD_SHA256_LEN]);

#endif
