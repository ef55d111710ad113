/* PKCE: challenge syntax at /authorize, verifier check at /token. */
#include "oauth/pkce.h"

#include <string.h>

#include "core/crypto.h"

#define PKCE_MIN 43
#define PKCE_MAX 128

static int unreserved_only(const char *s, size_t len)
{
    for (size_t i = 0; i < len; i++) {
        unsigned char c = (unsigned char)s[i];
        int ok = (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') ||
                 c == '-' || c == '.' || c == '_' || c == '~';
        if (!ok)
            return 0;
    }
    return 1;
}

const char *grantd_pkce_challenge_problem(const char *method, const char *challenge)
{
    size_t len = strlen(challenge);
    if (strcmp(method, "S256") == 0) {
        unsigned char raw[GRANTD_SHA256_LEN + 3];
        size_t n = 0;
        if (len != PKCE_MIN || grantd_b64_decode(challenge, len, 0, raw, &n) != GRANTD_OK ||
            n != GRANTD_SHA256_LEN)
            return "code_challenge must be 43 base64url characters for S256";
        return NULL;
    }
    if (len < PKCE_MIN || len > PKCE_MAX || !unreserved_only(challenge, len))
        return "code_challenge must be 43 to 128 unreserved characters";
    return NULL;
}

int grantd_pkce_verify(const char *method, const char *challenge, const char *verifier)
{
    size_t len = strlen(verifier);
    if (len < PKCE_MIN || len > PKCE_MAX || !unreserved_only(verifier, len))
        return 0;
    char expect[PKCE_MAX + 1];
    if (strcmp(method, "S256") == 0) {
        unsigned char digest[GRANTD_SHA256_LEN];
        grantd_sha256(verifier, len, digest);
        grantd_b64url_encode(digest, sizeof(digest), expect);
    } else {
        memcpy(expect, verifier, len + 1);
    }
    size_t elen = strlen(expect);
    return elen == strlen(challenge) && grantd_ct_equal(expect, challenge, elen);
}
