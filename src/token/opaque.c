/* Minting and hashing opaque credentials. */
#include "token/opaque.h"

#include <string.h>

grantd_rc grantd_opaque_mint(char text[GRANTD_OPAQUE_CHARS + 1],
                             unsigned char hash[GRANTD_SHA256_LEN])
{
    grantd_rc rc = grantd_random_token(GRANTD_OPAQUE_BYTES, text);
    if (rc == GRANTD_OK)
        grantd_opaque_hash(text, hash);
    return rc;
}

void grantd_opaque_hash(const char *text, unsigned char hash[GRANTD_SHA256_LEN])
{
    grantd_sha256(text, strlen(text), hash);
}
